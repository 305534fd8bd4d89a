//! The one place where an [`AppError`] becomes a GraphQL error with `extensions.code`.
//! Internal errors are logged here, once, with their whole cause chain, and reach the client
//! only as `INTERNAL`.

use crate::app::error::AppError;
use async_graphql::ErrorExtensions;

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        let code = err.code();
        match err {
            AppError::Internal(inner) => {
                tracing::error!(error.code = code, error.detail = ?inner, "request failed");
                async_graphql::Error::new("internal error").extend_with(|_, e| e.set("code", code))
            }
            AppError::BadInput { field, message } => async_graphql::Error::new(message)
                .extend_with(|_, e| {
                    e.set("code", code);
                    if let Some(field) = field {
                        e.set("field", field);
                    }
                }),
            AppError::InvalidTransition {
                message,
                status,
                allowed,
            } => async_graphql::Error::new(message).extend_with(|_, e| {
                e.set("code", code);
                e.set("status", status);
                e.set("allowed", allowed);
            }),
            AppError::Unavailable => async_graphql::Error::new(format!(
                "the service cannot reach its database right now; try again in {retry_after_seconds} seconds",
                retry_after_seconds = AppError::RETRY_UNAVAILABLE_SECONDS
            ))
            .extend_with(|_, e| {
                e.set("code", code);
                e.set("retryAfterSeconds", AppError::RETRY_UNAVAILABLE_SECONDS);
            }),
            AppError::RateLimited {
                retry_after_seconds,
            } => async_graphql::Error::new(format!(
                "too many attempts; try again in {retry_after_seconds} seconds"
            ))
            .extend_with(|_, e| {
                e.set("code", code);
                e.set("retryAfterSeconds", retry_after_seconds);
            }),
            AppError::Unauthenticated(message)
            | AppError::Forbidden(message)
            | AppError::NotFound(message)
            | AppError::Conflict(message) => {
                async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
            }
        }
    }
}
