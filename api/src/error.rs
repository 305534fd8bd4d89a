//! The one place where failures become GraphQL errors with `extensions.code`.
//!
//! `ApiError` deliberately does not implement `Display`: async-graphql converts any `Display`
//! type into an error carrying its text, which would leak SQL or internals. Every error reaches
//! the client through [`From<ApiError> for async_graphql::Error`] below and nowhere else.

use async_graphql::ErrorExtensions;
use careline_domain::DomainError;
use careline_persistence::StoreError;

/// What a resolver can fail with.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// No valid credentials.
    Unauthenticated(String),
    /// Authenticated, but not allowed.
    Forbidden(String),
    /// Missing, or not visible to the caller.
    NotFound(String),
    /// A bad input value; `field` names it when one input is at fault.
    BadInput {
        /// The input at fault, e.g. `input.email`.
        field: Option<String>,
        /// What is wrong, for a person.
        message: String,
    },
    /// Stale version or a uniqueness rule.
    Conflict(String),
    /// The ticket's status does not allow the move.
    InvalidTransition {
        /// Person-readable message naming the current status and allowed moves.
        message: String,
        /// The current status.
        status: String,
        /// Allowed moves from it.
        allowed: Vec<String>,
    },
    /// Too many attempts; retry after this many seconds.
    RateLimited {
        /// Seconds until the next attempt may succeed.
        retry_after_seconds: u64,
    },
    /// Anything unexpected. Logged with its context; the client sees only `INTERNAL`.
    Internal(std::sync::Arc<anyhow::Error>),
}

/// Resolver result.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A bad value for a named input.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadInput {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// Wraps an unexpected failure with context.
    pub fn internal(err: impl Into<anyhow::Error>, context: &'static str) -> Self {
        ApiError::Internal(std::sync::Arc::new(err.into().context(context)))
    }

    /// The `extensions.code` this error carries.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::BadInput { .. } => "BAD_USER_INPUT",
            ApiError::Conflict(_) => "CONFLICT",
            ApiError::InvalidTransition { .. } => "INVALID_TRANSITION",
            ApiError::RateLimited { .. } => "RATE_LIMITED",
            ApiError::Internal(_) => "INTERNAL",
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::InvalidInput { field, message } => ApiError::BadInput {
                field: Some(field),
                message,
            },
            DomainError::Forbidden(message) => ApiError::Forbidden(message),
            DomainError::NotFound(what) => ApiError::NotFound(format!("{what} not found")),
            DomainError::Conflict(message) => ApiError::Conflict(message),
            ref transition @ DomainError::InvalidTransition {
                ref status,
                ref allowed,
                ..
            } => ApiError::InvalidTransition {
                message: transition.to_string(),
                status: status.clone(),
                allowed: allowed.clone(),
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => ApiError::NotFound(format!("{what} not found")),
            StoreError::Conflict(message) => ApiError::Conflict(message),
            StoreError::InvalidReference(message) => ApiError::BadInput {
                field: None,
                message,
            },
            StoreError::Db(db) => ApiError::internal(db, "database operation failed"),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        ApiError::internal(err, "database operation failed")
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        let code = err.code();
        match err {
            ApiError::Internal(inner) => {
                tracing::error!(error.code = code, error.detail = ?inner, "request failed");
                async_graphql::Error::new("internal error").extend_with(|_, e| e.set("code", code))
            }
            ApiError::BadInput { field, message } => async_graphql::Error::new(message)
                .extend_with(|_, e| {
                    e.set("code", code);
                    if let Some(field) = field {
                        e.set("field", field);
                    }
                }),
            ApiError::InvalidTransition {
                message,
                status,
                allowed,
            } => async_graphql::Error::new(message).extend_with(|_, e| {
                e.set("code", code);
                e.set("status", status);
                e.set("allowed", allowed);
            }),
            ApiError::RateLimited {
                retry_after_seconds,
            } => async_graphql::Error::new(format!(
                "too many attempts; try again in {retry_after_seconds} seconds"
            ))
            .extend_with(|_, e| {
                e.set("code", code);
                e.set("retryAfterSeconds", retry_after_seconds);
            }),
            ApiError::Unauthenticated(message)
            | ApiError::Forbidden(message)
            | ApiError::NotFound(message)
            | ApiError::Conflict(message) => {
                async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
            }
        }
    }
}
