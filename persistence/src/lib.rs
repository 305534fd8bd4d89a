//! Storage for Careline: connecting and migrating, sea-orm entities, and the repository
//! functions the API calls. Every write that must be atomic happens in one transaction here.

pub mod calendars;
pub mod callbacks;
pub mod conversation;
pub mod corrective_actions;
pub mod customers;
pub mod department_tasks;
pub mod email;
pub mod entity;
pub mod error;
pub mod files;
pub mod journal;
pub mod knowledge;
pub mod kpi;
pub mod org;
pub mod outbox;
pub mod page;
pub mod quality;
pub mod reports;
pub mod reviews;
pub mod routing;
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

/// The longest a PostgreSQL request waits for a pooled connection (which includes connecting,
/// retried while the server refuses connections) before it fails as unavailable.
pub const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens a connection pool for `url` (`sqlite://…` or `postgres://…`).
///
/// SQLite gets one connection: it allows a single writer anyway, and one connection turns
/// concurrent writers into a queue instead of `database is locked` errors. PostgreSQL
/// connections run without JIT compilation, and a request waits at most
/// [`POSTGRES_ACQUIRE_TIMEOUT`] for one: while the server is down or restarting, requests fail
/// with an "unavailable" error (see [`error::is_unavailable`]) instead of hanging, and a
/// restart shorter than that is only a delay.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // A local file does not go away; its one connection may be queued for behind a long
        // write.
        options
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30));
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
            .connect_timeout(POSTGRES_ACQUIRE_TIMEOUT)
            .acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
            .max_connections(20)
            .min_connections(1)
            .map_sqlx_postgres_opts(|o| o.options([("jit", "off")]));
        // At start the server may still be coming up (a fresh container): keep trying for as
        // long as a single connection attempt used to wait.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            match Database::connect(options.clone()).await {
                Err(err) if error::is_unavailable(&err) && std::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                result => return result,
            }
        }
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
