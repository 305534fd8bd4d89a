//! Storage for Careline: connecting and migrating, sea-orm entities, and the repository
//! functions the API calls. Every write that must be atomic happens in one transaction here.

pub mod calendars;
pub mod corrective_actions;
pub mod customers;
pub mod department_tasks;
pub mod entity;
pub mod error;
pub mod knowledge;
pub mod kpi;
pub mod org;
pub mod outbox;
pub mod page;
pub mod quality;
pub mod reports;
pub mod reviews;
pub mod sla;
pub mod surveys;
pub mod tickets;
pub mod time_entries;
pub mod tokens;
pub mod training;
pub mod users;

pub use error::StoreError;
pub use sea_orm::{DatabaseConnection, DbBackend};

use careline_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbErr};
use std::time::Duration;

/// Opens a connection pool for `url` (`sqlite://…` or `postgres://…`).
///
/// SQLite gets one connection: it allows a single writer anyway, and one connection turns
/// concurrent writers into a queue instead of `database is locked` errors. PostgreSQL
/// connections run without JIT compilation.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        options
            .max_connections(1)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            });
    } else {
        // JIT compilation costs 100 ms and more per statement whenever the planner's estimate
        // is high, which the KPI statements' are; it only pays off for multi-second queries.
        options
            .max_connections(20)
            .min_connections(1)
            .map_sqlx_postgres_opts(|o| o.options([("jit", "off")]));
    }
    Database::connect(options).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// A cheap round trip, for readiness checks.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}

/// The current time truncated to microseconds, the precision both databases keep, so a value
/// read back compares equal to the value written.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}

/// Counts every SQL statement the connection runs (for `/metrics`, and for tests that prove a
/// query costs a constant number of statements).
pub fn count_statements(
    db: &mut DatabaseConnection,
) -> std::sync::Arc<std::sync::atomic::AtomicU64> {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let seen = counter.clone();
    db.set_metric_callback(move |_| {
        seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    counter
}
