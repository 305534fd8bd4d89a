//! The one error every use case returns. `crate::graphql::error` turns it into a GraphQL error
//! with `extensions.code`, in one place.
//!
//! `AppError` deliberately does not implement `Display`: async-graphql converts any `Display`
//! type into an error carrying its text, which would leak SQL or internals.

use careline_domain::DomainError;
use careline_persistence::StoreError;

/// What a use case can fail with.
#[derive(Debug, Clone)]
pub enum AppError {
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
    /// The database cannot be reached right now (down, restarting, or no pooled connection
    /// came free in time); the request may be retried. A write is all or nothing, but when the
    /// connection was lost during its commit the caller cannot know which (see
    /// docs/RELIABILITY.md).
    Unavailable,
    /// Anything unexpected. Logged with its context; the client sees only `INTERNAL`.
    Internal(std::sync::Arc<anyhow::Error>),
}

/// A use case's result.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A bad value for a named input.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadInput {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// Seconds a client should wait before retrying after [`AppError::Unavailable`].
    pub const RETRY_UNAVAILABLE_SECONDS: u64 = 5;

    /// Wraps an unexpected failure with context; a database that cannot be reached anywhere in
    /// its cause chain makes it [`AppError::Unavailable`] instead.
    pub fn internal(err: impl Into<anyhow::Error>, context: &'static str) -> Self {
        let err = err.into();
        if unreachable_database(err.chain()) {
            tracing::warn!(error = %format!("{err:#}"), context, "database unavailable");
            return AppError::Unavailable;
        }
        AppError::Internal(std::sync::Arc::new(err.context(context)))
    }

    /// The `extensions.code` this error carries.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadInput { .. } => "BAD_USER_INPUT",
            AppError::Conflict(_) => "CONFLICT",
            AppError::InvalidTransition { .. } => "INVALID_TRANSITION",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::Unavailable => "SERVICE_UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL",
        }
    }
}

impl From<DomainError> for AppError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::InvalidInput { field, message } => AppError::BadInput {
                field: Some(field),
                message,
            },
            DomainError::Forbidden(message) => AppError::Forbidden(message),
            DomainError::NotFound(what) => AppError::NotFound(format!("{what} not found")),
            DomainError::Conflict(message) => AppError::Conflict(message),
            ref transition @ DomainError::InvalidTransition {
                ref status,
                ref allowed,
                ..
            } => AppError::InvalidTransition {
                message: transition.to_string(),
                status: status.clone(),
                allowed: allowed.clone(),
            },
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => AppError::NotFound(format!("{what} not found")),
            StoreError::Conflict(message) => AppError::Conflict(message),
            StoreError::InvalidReference(message) => AppError::BadInput {
                field: None,
                message,
            },
            StoreError::Db(db) => AppError::from(db),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::internal(err, "database operation failed")
    }
}

/// Whether a database error that says the database cannot be reached is among `causes`.
fn unreachable_database<'a>(
    mut causes: impl Iterator<Item = &'a (dyn std::error::Error + 'static)>,
) -> bool {
    causes.any(|cause| {
        if let Some(db) = cause.downcast_ref::<sea_orm::DbErr>() {
            careline_persistence::error::is_unavailable(db)
        } else if let Some(store) = cause.downcast_ref::<StoreError>() {
            store.is_unavailable()
        } else {
            false
        }
    })
}

impl From<careline_domain::training::TrainingError> for AppError {
    fn from(err: careline_domain::training::TrainingError) -> Self {
        use careline_domain::training::TrainingError;
        match err {
            TrainingError::Rule(rule) => rule.into(),
            ref refused @ TrainingError::InvalidTransition {
                status,
                ref allowed,
                ..
            } => AppError::InvalidTransition {
                message: refused.to_string(),
                status: status.as_str().to_owned(),
                allowed: allowed.iter().map(|a| (*a).to_owned()).collect(),
            },
        }
    }
}

/// An error and every cause under it, `outer: inner: …`, for logs (a background loop logs
/// the whole chain once, so the root cause is never lost).
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        out.push_str(": ");
        out.push_str(&inner.to_string());
        cause = inner.source();
    }
    out
}

/// The one place where an [`AppError`] becomes a GraphQL error with `extensions.code` (the
/// server's `graphql` feature). Internal errors are logged here, once, with their whole cause
/// chain, and reach the client only as `INTERNAL`.
#[cfg(feature = "graphql")]
mod graphql {
    use super::AppError;
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
}

#[cfg(test)]
mod tests {
    use super::{AppError, chain};
    use careline_persistence::StoreError;
    use sea_orm::{ConnAcquireErr, DbErr};

    #[test]
    fn an_unreachable_database_is_unavailable_and_anything_else_internal() {
        let timeout = || DbErr::ConnectionAcquire(ConnAcquireErr::Timeout);
        assert_eq!(AppError::from(timeout()).code(), "SERVICE_UNAVAILABLE");
        assert_eq!(
            AppError::from(StoreError::Db(timeout())).code(),
            "SERVICE_UNAVAILABLE"
        );
        assert_eq!(
            AppError::internal(StoreError::Db(timeout()), "wrapped").code(),
            "SERVICE_UNAVAILABLE"
        );
        let refused = DbErr::Exec(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(
            sea_orm::sqlx::Error::Io(std::io::ErrorKind::ConnectionRefused.into()),
        )));
        assert_eq!(AppError::from(refused).code(), "SERVICE_UNAVAILABLE");
        assert_eq!(
            AppError::from(DbErr::Custom("syntax error".into())).code(),
            "INTERNAL"
        );
    }

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn a_logged_chain_keeps_the_root_cause() {
        let err = Outer(std::io::Error::other("disk on fire"));
        assert_eq!(chain(&err), "outer: disk on fire");
    }
}
