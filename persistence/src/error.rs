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
