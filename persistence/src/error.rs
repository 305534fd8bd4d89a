//! Storage errors that callers branch on. Anything else is `Db`, which the API logs and reports
//! as `INTERNAL` without its text.

use sea_orm::{DbErr, SqlErr};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule or an optimistic version check failed.
    #[error("{0}")]
    Conflict(String),
    /// A referenced row does not exist.
    #[error("{0}")]
    InvalidReference(String),
    /// Anything else: an internal error.
    #[error("database error")]
    Db(#[source] DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        StoreError::Db(err)
    }
}

impl StoreError {
    /// Maps a unique violation to `Conflict(message)` and a foreign-key violation to
    /// `InvalidReference`, leaving other errors internal.
    pub fn on_unique(err: DbErr, message: &str) -> StoreError {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(message.to_owned()),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                StoreError::InvalidReference("a referenced record does not exist".to_owned())
            }
            _ => StoreError::Db(err),
        }
    }
}

/// Whether `err` means the database cannot be reached right now (down, restarting, or every
/// pooled connection waited for in vain) rather than that the statement was wrong: the
/// request may succeed if retried in a few seconds.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner)) => {
            match &**inner {
                Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
                // Class 08: connection exception; 57P01–57P03: the server is shutting down,
                // crashed, or is starting up and not yet accepting connections.
                Sqlx::Database(db) => db
                    .code()
                    .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
                _ => false,
            }
        }
        _ => false,
    }
}

impl StoreError {
    /// Whether this is the database being unreachable (see [`is_unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Db(err) if is_unavailable(err))
    }
}
