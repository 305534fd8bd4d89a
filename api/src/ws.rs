//! GraphQL over WebSocket on `/graphql` (`graphql-transport-ws` and the legacy `graphql-ws`).
//! The caller authenticates in `connection_init` with `{"authorization": "Bearer <jwt>"}` or
//! `{"token": "<jwt>"}`.

use crate::auth::Caller;
use crate::auth::viewer::bearer;
use crate::graphql::CarelineSchema;
use crate::graphql::loaders::Loaders;
use crate::http::origin_allowed;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::Data;
use async_graphql_actix_web::GraphQLSubscription;
use futures_util::StreamExt;
use prometheus::IntGauge;

/// Keeps the connection gauge honest: decremented when the socket's stream is dropped.
struct Connected(IntGauge);

impl Connected {
    fn new(gauge: IntGauge) -> Self {
        gauge.inc();
        Connected(gauge)
    }
}

impl Drop for Connected {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The token in a `connection_init` payload.
fn init_token(payload: &serde_json::Value) -> Option<String> {
    let from_header = payload
        .get("authorization")
        .or_else(|| payload.get("Authorization"))
        .and_then(|v| v.as_str())
        .and_then(|v| bearer(Some(v)));
    let bare = payload.get("token").and_then(|v| v.as_str());
    from_header.or(bare).map(str::to_owned)
}

/// The WebSocket upgrade on `GET /graphql`.
pub async fn graphql_ws(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<CarelineSchema>,
) -> actix_web::Result<HttpResponse> {
    if let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        && !origin_allowed(&state, origin)
    {
        return Ok(HttpResponse::Forbidden().body("origin not allowed"));
    }
    let shared = state.get_ref().clone();
    let connected = Connected::new(state.metrics.ws_connections.clone());
    let payload = payload.map(move |chunk| {
        let _alive = &connected;
        chunk
    });
    GraphQLSubscription::new(schema.get_ref().clone())
        .on_connection_init(move |init| async move {
            let token = init_token(&init);
            let caller = Caller::from_token(&shared.jwt, &shared.db, token.as_deref())
                .await
                .map_err(async_graphql::Error::from)?;
            if let Caller::Rejected(_) = caller {
                caller.viewer().map_err(async_graphql::Error::from)?;
            }
            let mut data = Data::default();
            data.insert(caller);
            data.insert(Loaders::new(&shared.db));
            Ok(data)
        })
        .start(&req, payload)
}
