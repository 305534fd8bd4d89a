//! `POST /inbound/email/{mailboxId}`: mail a provider forwards (an "inbound parse" webhook),
//! the raw RFC 5322 message as the body, signed with `INBOUND_EMAIL_SECRET` in
//! `X-Careline-Signature: sha256=<hex HMAC-SHA256 of the body>`. The message takes the same
//! import path as mail read over IMAP. Answers 202 once it is filed or set aside (a duplicate
//! too), 401 on a missing or wrong signature, 413 over `MAX_EMAIL_BYTES`, 404 when the
//! endpoint is off (no secret) or the mailbox does not exist or is inactive.

use crate::app::AppError;
use crate::app::email::{self, Imported, Source};
use crate::app::outbound::{SIGNATURE_HEADER, verify};
use crate::downloads::refusal;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

/// The handler.
pub async fn email(
    req: HttpRequest,
    path: web::Path<String>,
    mut payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let locale = crate::http::locale_of(&req, &state);
    let not_found = || refusal(locale, &AppError::NotFound("mailbox not found".to_owned()));
    let Some(secret) = &state.settings.inbound_email_secret else {
        return not_found();
    };
    let refuse_signature = || {
        refusal(
            locale,
            &AppError::Unauthenticated(
                "the X-Careline-Signature header is missing or does not match the body".to_owned(),
            ),
        )
    };
    // A request without a signature of the right shape is refused before its body is read.
    let Some(signature) = req
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|sig| sig.len() == 71 && sig.starts_with("sha256="))
        .map(str::to_owned)
    else {
        return refuse_signature();
    };
    let max = state.app.mail.max_email_bytes;
    let too_large = || {
        HttpResponse::build(StatusCode::PAYLOAD_TOO_LARGE).json(serde_json::json!({
            "errors": [{
                "message": format!("a message may be at most {max} bytes"),
                "extensions": { "code": "PAYLOAD_TOO_LARGE" }
            }]
        }))
    };
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return too_large();
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return refusal(
                locale,
                &AppError::bad_input("body", "the message could not be read"),
            );
        };
        if (body.len() + chunk.len()) as u64 > max {
            return too_large();
        }
        body.extend_from_slice(&chunk);
    }
    if !verify(secret.0.as_bytes(), &body, &signature) {
        return refuse_signature();
    }
    let Some(id) = uuid::Uuid::parse_str(&path).ok() else {
        return not_found();
    };
    let mailbox = match email::active_mailbox(&state.app, id).await {
        Ok(Some(m)) => m,
        Ok(None) => return not_found(),
        Err(err) => return refusal(locale, &err),
    };
    match email::import(&state.app, &mailbox, &body, Source::Http).await {
        Ok(outcome) => {
            let (status, reason) = match outcome {
                Imported::Filed { .. } => ("FILED", None),
                Imported::SetAside(reason) => ("SET_ASIDE", Some(reason)),
                Imported::Duplicate => ("DUPLICATE", None),
            };
            HttpResponse::Accepted().json(serde_json::json!({ "status": status, "reason": reason }))
        }
        Err(err) => refusal(locale, &err),
    }
}
