//! GraphiQL from the binary: the page and its assets are compiled in (`api/assets/graphiql/`,
//! with their licences) and served under `/graphiql`, so the explorer loads nothing from
//! outside the server and works offline. Development only, like introspection.

use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// One embedded file: its name under `/graphiql/assets/`, media type and bytes.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $media_type:expr) => {
        Asset {
            name: $name,
            media_type: $media_type,
            bytes: include_bytes!(concat!("../assets/graphiql/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

static ASSETS: &[Asset] = &[
    asset!("graphiql.min.js", JS),
    asset!("graphiql.min.css", "text/css; charset=utf-8"),
    asset!("react.production.min.js", JS),
    asset!("react-dom.production.min.js", JS),
    asset!("graphql-ws.min.js", JS),
    asset!("careline-graphiql.js", JS),
    asset!("careline-graphiql.css", "text/css; charset=utf-8"),
    asset!("LICENSE-graphiql.txt", TEXT),
    asset!("LICENSE-react.txt", TEXT),
    asset!("LICENSE-react-dom.txt", TEXT),
    asset!("LICENSE-graphql-ws.txt", TEXT),
];

static PAGE: &[u8] = include_bytes!("../assets/graphiql/index.html");

/// `GET /graphiql`: the explorer's page.
pub async fn page(state: web::Data<AppState>) -> HttpResponse {
    if state.settings.is_production() {
        return HttpResponse::NotFound().finish();
    }
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        // The explorer holds a token once someone signs in: no page may frame it.
        .insert_header((header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE)
}

/// `GET /graphiql/assets/{name}`: one of the page's scripts, styles or licences.
pub async fn asset(state: web::Data<AppState>, name: web::Path<String>) -> HttpResponse {
    let found = ASSETS.iter().find(|a| a.name == name.as_str());
    match found {
        Some(asset) if !state.settings.is_production() => HttpResponse::Ok()
            .content_type(asset.media_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(asset.bytes),
        _ => HttpResponse::NotFound().finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_embedded_assets() {
        let page = std::str::from_utf8(PAGE).expect("utf-8");
        assert!(!page.contains("http://") && !page.contains("https://"));
        for reference in page
            .split('"')
            .filter(|s| s.starts_with("/graphiql/assets/"))
        {
            let name = &reference["/graphiql/assets/".len()..];
            assert!(
                ASSETS.iter().any(|a| a.name == name),
                "{name} is not embedded"
            );
        }
        assert!(ASSETS.iter().any(|a| a.media_type == JS));
        assert!(ASSETS.iter().any(|a| a.media_type == TEXT));
    }
}
