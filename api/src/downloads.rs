//! Report files over plain HTTP, with the same bearer token and permissions as the API:
//!
//! - `GET /reports/{id}.xlsx` — the workbook; `/reports/{id}.csv` and `/reports/{id}.svg` — the
//!   report's first table and first chart;
//! - `GET /reports/{id}/{name}` — any file by the name its `ReportFile.url` gives.
//!
//! 401 without a valid token, 403 for a role that may not read reports, 404 for a report or
//! file that does not exist. Errors are JSON bodies carrying the same `code` as GraphQL errors.

use crate::app::AppError;
use crate::app::reports::{self as uc, Wanted};
use crate::auth::Caller;
use crate::auth::viewer::bearer;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use uuid::Uuid;

/// `GET /reports/{id}.{xlsx|csv|svg}`.
pub async fn report_file(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let locale = crate::http::locale_of(&req, &state);
    let Some((id, format)) = path.rsplit_once('.') else {
        return refusal(
            locale,
            &AppError::NotFound("report file not found".to_owned()),
        );
    };
    if !matches!(format, "xlsx" | "csv" | "svg") {
        return refusal(
            locale,
            &AppError::NotFound("report file not found".to_owned()),
        );
    }
    serve(&req, &state, id, Wanted::Format(format)).await
}

/// `GET /reports/{id}/{name}`.
pub async fn named_report_file(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (id, name) = path.into_inner();
    serve(&req, &state, &id, Wanted::Named(&name)).await
}

async fn serve(req: &HttpRequest, state: &AppState, id: &str, wanted: Wanted<'_>) -> HttpResponse {
    let locale = crate::http::locale_of(req, state);
    let token = bearer(
        req.headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    );
    let caller = match Caller::from_token(&state.jwt, &state.app.db, token).await {
        Ok(caller) => caller,
        Err(err) => return refusal(locale, &err),
    };
    let actor = match caller.viewer() {
        Ok(actor) => actor,
        Err(err) => return refusal(locale, &err),
    };
    // The role comes first: someone who may not read reports learns nothing of which exist.
    if let Err(err) = actor.require(careline_domain::Action::ReadReports) {
        return refusal(locale, &err);
    }
    let Ok(id) = Uuid::parse_str(id) else {
        return refusal(
            locale,
            &AppError::NotFound("report file not found".to_owned()),
        );
    };
    match uc::download(&state.app, actor, id, wanted).await {
        Ok(file) => HttpResponse::Ok()
            .content_type(file.content_type)
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.file_name),
            ))
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(file.content),
        Err(err) => refusal(locale, &err),
    }
}

pub(crate) fn refusal(locale: crate::i18n::Locale, err: &AppError) -> HttpResponse {
    let (status, message) = match err {
        AppError::Unauthenticated(m) => (StatusCode::UNAUTHORIZED, m.as_str()),
        AppError::Forbidden(m) => (StatusCode::FORBIDDEN, m.as_str()),
        AppError::NotFound(m) => (StatusCode::NOT_FOUND, m.as_str()),
        AppError::BadInput { message, .. } => (StatusCode::BAD_REQUEST, message.as_str()),
        AppError::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the service cannot reach its database right now; try again in a few seconds",
        ),
        AppError::Internal(inner) => {
            tracing::error!(error.detail = ?inner, "report download failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    };
    let message = crate::i18n::translate(message, locale);
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": err.code() } }] });
    let mut response = HttpResponse::build(status);
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.insert_header((header::RETRY_AFTER, AppError::RETRY_UNAVAILABLE_SECONDS));
    }
    response.json(body)
}

/// The query of a signed file link.
#[derive(Debug, serde::Deserialize)]
pub struct FileLink {
    exp: Option<i64>,
    sig: Option<String>,
}

/// `GET /files/{id}?exp=…&sig=…`: a stored file, for whoever holds a link `StoredFile.url`
/// gave out in the last few minutes (the signature is the permission; no token needed, so
/// `<img src>` and download managers work). 403 for a missing, altered or expired signature,
/// 404 for a file that does not exist (any more).
pub async fn stored_file(
    req: HttpRequest,
    path: web::Path<String>,
    query: Result<web::Query<FileLink>, actix_web::Error>,
    state: web::Data<AppState>,
) -> HttpResponse {
    use crate::app::files::{self, DownloadRefused};
    let locale = crate::http::locale_of(&req, &state);
    let forbidden = || {
        refusal(
            locale,
            &AppError::Forbidden("this download link is not valid or has expired".to_owned()),
        )
    };
    let Ok(web::Query(FileLink {
        exp: Some(exp),
        sig: Some(sig),
    })) = query
    else {
        return forbidden();
    };
    match files::download(&state.app, &path, exp, &sig).await {
        Ok(download) => HttpResponse::Ok()
            .content_type(download.file.content_type.as_str())
            .insert_header((
                header::CONTENT_DISPOSITION,
                content_disposition(&download.file.file_name),
            ))
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(actix_web::body::SizedStream::new(
                u64::try_from(download.file.size_bytes).unwrap_or_default(),
                download.bytes,
            )),
        Err(DownloadRefused::BadSignature) => forbidden(),
        Err(DownloadRefused::NotFound) => {
            refusal(locale, &AppError::NotFound("file not found".to_owned()))
        }
        Err(DownloadRefused::Failed(err)) => refusal(locale, &err),
    }
}

/// `attachment` with the name in RFC 5987 form (UTF-8, percent-encoded), so any name is safe
/// in the header whatever it holds.
fn content_disposition(name: &str) -> String {
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_name_is_percent_encoded_in_the_disposition() {
        assert_eq!(
            super::content_disposition("发票 \"1\".pdf"),
            "attachment; filename*=UTF-8''%E5%8F%91%E7%A5%A8%20%221%22.pdf"
        );
    }
}
