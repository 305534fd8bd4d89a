//! Opening the database: connect, migrate, and the start-up repairs of rows from before a
//! column existed; the readiness check. The server holds the result as an opaque handle and
//! passes it to [`crate::App::new`] and the event bus.

use anyhow::Context;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// A connection pool, opaque to the server.
pub use careline_persistence::DatabaseConnection as Database;

/// An open, migrated database and the counter of the statements it runs (for `/metrics`).
pub struct Opened {
    /// The pool.
    pub db: Database,
    /// SQL statements run since start.
    pub sql_statements: Arc<AtomicU64>,
}

/// Connects to `url` (`sqlite://…` or `postgres://…`), applies the migrations and repairs what
/// rows from before a column existed lack, logging what it did.
pub async fn open(url: &str) -> anyhow::Result<Opened> {
    let mut db = careline_persistence::connect(url)
        .await
        .context("cannot connect to the database (check DATABASE_URL)")?;
    let sql_statements = careline_persistence::count_statements(&mut db);
    careline_persistence::migrate(&db)
        .await
        .context("database migration failed")?;
    let adopted = careline_persistence::calendars::adopt_hours(&db)
        .await
        .context("giving policies and tickets their business calendars failed")?;
    if adopted > 0 {
        tracing::info!(
            rows = adopted,
            "policies and tickets given the calendar of their hours"
        );
    }
    let filled = careline_persistence::kpi::backfill_durations(&db)
        .await
        .context("recording ticket durations failed")?;
    if filled > 0 {
        tracing::info!(tickets = filled, "recorded missing ticket durations");
    }
    let keyed = careline_persistence::customers::backfill_phone_keys(&db)
        .await
        .context("giving customer records their phone keys failed")?;
    if keyed > 0 {
        tracing::info!(customers = keyed, "customer records given phone keys");
    }
    Ok(Opened { db, sql_statements })
}

/// Whether the database answers a cheap round trip (readiness).
pub async fn ready(db: &Database) -> bool {
    careline_persistence::ping(db).await.is_ok()
}
