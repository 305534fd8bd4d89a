//! HTTP endpoints. `/graphql` follows the GraphQL over HTTP specification: `Accept`
//! negotiation between `application/graphql-response+json` and `application/json`, 400 for
//! requests that fail before execution (with the former), and no mutations over GET.

use crate::auth::Caller;
use crate::auth::viewer::bearer;
use crate::graphql::loaders::Loaders;
use crate::graphql::reports::RequestLanguage;
use crate::graphql::{CarelineSchema, ClientAddr, boundary};
use crate::i18n::{Locale, translate};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{Request, Response, ServerError, Value};
use std::time::Instant;

/// The header that names a request: accepted from the client when it is a short token,
/// generated otherwise, echoed in the response, carried by the request's log span and by every
/// GraphQL error (`extensions.requestId`), so a report from a user finds its log lines.
pub const REQUEST_ID: &str = "x-request-id";

/// Whether a client-sent request id is safe to log and echo: 1 to 64 characters of
/// `[A-Za-z0-9._-]`.
fn acceptable_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Middleware: makes sure the request has an id (see [`REQUEST_ID`]) and echoes it.
pub fn request_id<S, B>(
    mut req: actix_web::dev::ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>>
+ use<S, B>
where
    S: actix_web::dev::Service<
            actix_web::dev::ServiceRequest,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
{
    let given = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| acceptable_request_id(id))
        .map(str::to_owned);
    let id = given.unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
    let value = HeaderValue::from_str(&id).ok();
    if let Some(value) = &value {
        req.headers_mut()
            .insert(header::HeaderName::from_static(REQUEST_ID), value.clone());
    }
    let response = srv.call(req);
    async move {
        let mut response = response.await?;
        if let Some(value) = value {
            response
                .headers_mut()
                .insert(header::HeaderName::from_static(REQUEST_ID), value);
        }
        Ok(response)
    }
}

/// The request's id, as the middleware left it.
fn request_id_of(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The largest JSON request body `/graphql` reads (1 MiB): larger ones get 413 and
/// `BAD_REQUEST`. Multipart bodies (uploads) may carry a file of up to `MAX_FILE_BYTES`.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The response media type chosen from `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn mime(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response type; `None` when the client accepts neither (406).
fn negotiate(req: &HttpRequest) -> Option<Media> {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return Some(Media::Json);
    };
    let types: Vec<&str> = accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';').map(str::trim);
            let media = pieces.next()?;
            let refused = pieces.any(|p| p.replace(' ', "") == "q=0");
            (!refused).then_some(media)
        })
        .collect();
    if types
        .iter()
        .any(|t| t.eq_ignore_ascii_case(GRAPHQL_RESPONSE_JSON))
    {
        Some(Media::GraphqlResponse)
    } else if types.iter().any(|t| {
        t.eq_ignore_ascii_case(JSON) || *t == "*/*" || t.eq_ignore_ascii_case("application/*")
    }) {
        Some(Media::Json)
    } else {
        None
    }
}

/// The locale a request's messages are written in: its `Accept-Language`, else
/// `DEFAULT_LOCALE`.
pub fn locale_of(req: &HttpRequest, state: &AppState) -> Locale {
    Locale::negotiate(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
        state.settings.default_locale,
    )
}

fn error_response(
    status: StatusCode,
    media: Media,
    locale: Locale,
    message: &str,
    code: &str,
) -> HttpResponse {
    let body = serde_json::json!({
        "errors": [{ "message": translate(message, locale), "extensions": { "code": code } }]
    });
    HttpResponse::build(status)
        .content_type(media.mime())
        .insert_header((header::CACHE_CONTROL, NO_STORE))
        .body(body.to_string())
}

/// GraphQL answers carry personal data: no cache, shared or private, may keep them.
const NO_STORE: &str = "no-store";

/// Headers a browser cannot send from a plain HTML form: a multipart request must carry one
/// of them (or `Authorization`), so it always goes through a CORS preflight, as a JSON
/// request does (Apollo's CSRF prevention; Apollo Kotlin and iOS send the second by
/// themselves).
pub const APOLLO_REQUIRE_PREFLIGHT: &str = "apollo-require-preflight";
/// See [`APOLLO_REQUIRE_PREFLIGHT`].
pub const APOLLO_OPERATION_NAME: &str = "x-apollo-operation-name";

/// What a multipart body may hold besides its files: the operations, the map, the parts'
/// headers.
const MULTIPART_OVERHEAD_BYTES: usize = 64 * 1024;

/// Most files one multipart request may carry.
pub const MAX_FILES_PER_REQUEST: usize = 10;

/// Reads the body up to `limit` bytes; `Err(true)` when it is larger, `Err(false)` when it
/// could not be read.
async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, bool> {
    use futures_util::StreamExt;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(true);
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| false)?;
        if body.len() + chunk.len() > limit {
            return Err(true);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// `POST /graphql`: a JSON request, or a GraphQL multipart request (file uploads).
pub async fn graphql_post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<CarelineSchema>,
) -> HttpResponse {
    let locale = locale_of(&req, &state);
    let Some(media) = negotiate(&req) else {
        return not_acceptable(locale);
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let lowered = content_type.to_ascii_lowercase();
    let multipart = lowered.starts_with("multipart/form-data");
    if !multipart && !lowered.starts_with(JSON) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            locale,
            "send the request as application/json",
            "BAD_REQUEST",
        );
    }
    if multipart && !may_send_multipart(&req) {
        return error_response(
            StatusCode::BAD_REQUEST,
            media,
            locale,
            "a multipart request must carry an Authorization or Apollo-Require-Preflight header",
            "BAD_REQUEST",
        );
    }
    // JSON bodies are read up to `MAX_BODY_BYTES`; multipart ones up to the largest file plus
    // room for the operations. Past that, a clear answer.
    let max_file_bytes = usize::try_from(state.app.files.max_bytes).unwrap_or(usize::MAX);
    let limit = if multipart {
        max_file_bytes.saturating_add(MULTIPART_OVERHEAD_BYTES)
    } else {
        MAX_BODY_BYTES
    };
    let body = match read_body(&req, payload, limit).await {
        Ok(body) => body,
        Err(too_large) => return unreadable(too_large, multipart, &state, media, locale),
    };
    let request: Request = if multipart {
        match receive_multipart(&content_type, body, max_file_bytes).await {
            Ok(request) => request,
            Err(refusal) => return refusal.respond(&state, media, locale),
        }
    } else {
        match serde_json::from_slice(&body) {
            Ok(request) => request,
            // Batches (a JSON array of requests) are not accepted: one operation per request,
            // so that every limit above holds per request.
            Err(_) if body.trim_ascii_start().starts_with(b"[") => {
                return batch_refused(media, locale);
            }
            Err(_) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    media,
                    locale,
                    "the body is not a GraphQL request: expected {\"query\": ..., \"variables\": ...}",
                    "BAD_REQUEST",
                );
            }
        }
    };
    execute(&req, &state, &schema, request, media, locale).await
}

/// Whether a multipart request carries a header that forces a CORS preflight.
fn may_send_multipart(req: &HttpRequest) -> bool {
    [
        header::AUTHORIZATION.as_str(),
        APOLLO_REQUIRE_PREFLIGHT,
        APOLLO_OPERATION_NAME,
    ]
    .iter()
    .any(|name| req.headers().get(*name).is_some_and(|v| !v.is_empty()))
}

fn batch_refused(media: Media, locale: Locale) -> HttpResponse {
    error_response(
        StatusCode::BAD_REQUEST,
        media,
        locale,
        "batched requests are not supported: send one operation per request",
        "BAD_REQUEST",
    )
}

/// A body that was too large (413) or could not be read (400).
fn unreadable(
    too_large: bool,
    multipart: bool,
    state: &AppState,
    media: Media,
    locale: Locale,
) -> HttpResponse {
    if !too_large {
        return error_response(
            StatusCode::BAD_REQUEST,
            media,
            locale,
            "the request body could not be read",
            "BAD_REQUEST",
        );
    }
    if multipart {
        file_too_large(state, media, locale)
    } else {
        error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            locale,
            "the request body is larger than 1 MiB",
            "BAD_REQUEST",
        )
    }
}

fn file_too_large(state: &AppState, media: Media, locale: Locale) -> HttpResponse {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        media,
        locale,
        &format!(
            "the upload is larger than the {} bytes a file may have",
            state.app.files.max_bytes
        ),
        "BAD_REQUEST",
    )
}

/// Why a multipart body is refused.
enum MultipartRefusal {
    TooLarge,
    Batch,
    Malformed,
}

impl MultipartRefusal {
    fn respond(self, state: &AppState, media: Media, locale: Locale) -> HttpResponse {
        match self {
            MultipartRefusal::TooLarge => file_too_large(state, media, locale),
            MultipartRefusal::Batch => batch_refused(media, locale),
            MultipartRefusal::Malformed => error_response(
                StatusCode::BAD_REQUEST,
                media,
                locale,
                "the body is not a GraphQL multipart request: expected the operations, map and file parts",
                "BAD_REQUEST",
            ),
        }
    }
}

/// Parses a GraphQL multipart request (the spec apollo-upload-client and the mobile clients
/// follow); its files go to temporary files the request owns.
async fn receive_multipart(
    content_type: &str,
    body: web::Bytes,
    max_file_bytes: usize,
) -> Result<Request, MultipartRefusal> {
    use async_graphql::http::{MultipartOptions, receive_batch_body};
    use async_graphql::{BatchRequest, ParseRequestError};
    let options = MultipartOptions::default()
        .max_file_size(max_file_bytes)
        .max_num_files(MAX_FILES_PER_REQUEST);
    let reader = futures_util::io::Cursor::new(body);
    match receive_batch_body(Some(content_type), reader, options).await {
        Ok(BatchRequest::Single(request)) => Ok(request),
        Ok(BatchRequest::Batch(_)) => Err(MultipartRefusal::Batch),
        Err(ParseRequestError::PayloadTooLarge) => Err(MultipartRefusal::TooLarge),
        Err(_) => Err(MultipartRefusal::Malformed),
    }
}

/// `GET /graphql`: queries only.
pub async fn graphql_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    schema: web::Data<CarelineSchema>,
) -> HttpResponse {
    let locale = locale_of(&req, &state);
    let Some(media) = negotiate(&req) else {
        return not_acceptable(locale);
    };
    let request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(request) => request,
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                media,
                locale,
                "pass the operation as ?query=…&variables=…",
                "BAD_REQUEST",
            );
        }
    };
    if !matches!(operation_type(&request), Some(OperationType::Query) | None) {
        let mut response = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            locale,
            "only queries may be sent with GET; use POST for mutations",
            "BAD_REQUEST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    // A hash-only request names its operation only once resolved: tell the resolver it came by
    // GET, so that a persisted mutation is refused there too.
    execute(&req, &state, &schema, request.data(ViaGet), media, locale).await
}

/// Marks a request that arrived over `GET`: queries only.
#[derive(Debug, Clone, Copy)]
pub struct ViaGet;

/// The type of the operation a request would run, if it parses and names one.
pub(crate) fn operation_type(request: &Request) -> Option<OperationType> {
    let document = async_graphql::parser::parse_query(&request.query).ok()?;
    match document.operations {
        DocumentOperations::Single(op) => Some(op.node.ty),
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops.get(name.as_str()).map(|op| op.node.ty),
            None if ops.len() == 1 => ops.values().next().map(|op| op.node.ty),
            None => None,
        },
    }
}

async fn execute(
    req: &HttpRequest,
    state: &AppState,
    schema: &CarelineSchema,
    request: Request,
    media: Media,
    locale: Locale,
) -> HttpResponse {
    let token = bearer(
        req.headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    );
    let caller = match Caller::from_token(&state.jwt, &state.app.db, token).await {
        Ok(caller) => caller,
        Err(err) => {
            let code = err.code();
            let unavailable = matches!(err, crate::app::AppError::Unavailable);
            let error: async_graphql::Error = err.into();
            if unavailable {
                let mut response = error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    media,
                    locale,
                    &error.message,
                    code,
                );
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(crate::app::AppError::RETRY_UNAVAILABLE_SECONDS),
                );
                return response;
            }
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                locale,
                &error.message,
                "INTERNAL",
            );
        }
    };
    let operation = request.operation_name.clone();
    let request = request
        .data(caller)
        .data(ClientAddr(state.settings.trusted_proxies.of_request(req)))
        .data(RequestLanguage::from_header(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        ))
        .data(Loaders::new(&state.app))
        .data(locale);
    let started = Instant::now();
    let mut response = match boundary::admit(&state.persisted, request).await {
        Ok(request) => schema.execute(request).await,
        Err(error) => Response::from_errors(vec![error]),
    };
    boundary::finish(&mut response.errors, locale);
    if let Some(id) = request_id_of(req) {
        for error in &mut response.errors {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("requestId", id.as_str());
        }
    }
    state
        .metrics
        .observe(operation.as_deref(), response.is_ok(), started.elapsed());
    let before_execution = failed_before_execution(&response);
    let status = if media == Media::GraphqlResponse && before_execution {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    // A request that failed before execution has no `data` entry at all (GraphQL spec,
    // "Response"; GraphQL over HTTP): clients tell a refused document from a null result.
    let body = if before_execution {
        serde_json::to_value(&response).map(|mut v| {
            if let Some(fields) = v.as_object_mut() {
                fields.remove("data");
            }
            v.to_string()
        })
    } else {
        serde_json::to_string(&response)
    }
    .unwrap_or_else(|_| {
        serde_json::json!({ "errors": [{
            "message": translate("internal error", locale),
            "extensions": { "code": "INTERNAL" },
        }] })
        .to_string()
    });
    let mut builder = HttpResponse::build(status);
    builder
        .content_type(media.mime())
        .insert_header((header::CACHE_CONTROL, NO_STORE));
    // The database was unreachable for part of the answer: tell clients when to try again.
    if response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == Value::from(crate::app::AppError::Unavailable.code()))
    }) {
        builder.insert_header((
            header::RETRY_AFTER,
            crate::app::AppError::RETRY_UNAVAILABLE_SECONDS,
        ));
    }
    builder.body(body)
}

/// Parse and validation errors carry no path; field errors always do.
pub(crate) fn failed_before_execution(response: &Response) -> bool {
    response.data == Value::Null
        && !response.errors.is_empty()
        && response
            .errors
            .iter()
            .all(|e: &ServerError| e.path.is_empty())
}

fn not_acceptable(locale: Locale) -> HttpResponse {
    HttpResponse::NotAcceptable()
        .content_type("text/plain; charset=utf-8")
        .body(translate(
            "accept application/graphql-response+json or application/json",
            locale,
        ))
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

/// `GET /readyz`: the database (and Redis, when configured) answer.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = careline_app::storage::ready(&state.app.db).await;
    let redis = match &state.redis {
        Some(manager) => {
            let mut conn = manager.clone();
            Some(
                redis::cmd("PING")
                    .query_async::<String>(&mut conn)
                    .await
                    .is_ok(),
            )
        }
        None => None,
    };
    let ready = database && redis.unwrap_or(true);
    let body = serde_json::json!({
        "database": if database { "ok" } else { "unavailable" },
        "redis": match redis { None => "not configured", Some(true) => "ok", Some(false) => "unavailable" },
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    HttpResponse::build(status).json(body)
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let statements = state
        .sql_statements
        .load(std::sync::atomic::Ordering::Relaxed);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(format!(
            "{}# HELP careline_sql_statements_total SQL statements run since start\n\
             # TYPE careline_sql_statements_total counter\n\
             careline_sql_statements_total {statements}\n",
            state.metrics.render()
        ))
}

/// Whether a browser origin may connect (CORS and WebSocket upgrades).
pub fn origin_allowed(state: &AppState, origin: &str) -> bool {
    state.settings.any_origin()
        || state
            .settings
            .cors_allowed_origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin))
}
