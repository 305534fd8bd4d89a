//! The application layer: one module per use-case area. A use case takes domain inputs (ids
//! already parsed, values already typed), asks `careline_domain` every question of rule and
//! permission, runs its writes in one transaction through `careline_persistence`, and returns
//! one [`AppError`]. It knows nothing of GraphQL: the resolvers in `crate::graphql` parse
//! arguments, call a use case and wrap the result; the demo seed and the SLA worker call the
//! same use cases.

pub mod calendars;
pub mod casework;
pub mod clock;
pub mod customers;
pub mod error;
pub mod floor;
pub mod knowledge;
pub mod kpi;
pub mod people;
pub mod quality;
pub mod reads;
pub mod reports;
pub mod reviews;
pub mod sessions;
pub mod surveys;
pub mod tickets;
pub mod time_accounting;
pub mod training;
pub mod wallboard;

pub use clock::Clock;
pub use error::{AppError, AppResult};

use crate::auth::Viewer;
use careline_persistence::DatabaseConnection;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What every use case needs: the database, the one clock the rules read, and the signal that
/// wakes the outbox relay once a change has committed. Cheap to clone.
#[derive(Clone)]
pub struct App {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// The clock (tests move it forward).
    pub clock: Arc<Clock>,
    outbox_signal: Arc<tokio::sync::Notify>,
    /// The rolling quality average under which an agent is sent to training.
    pub quality_alert_threshold: f64,
}

impl App {
    /// An application over `db`, reading `clock`, waking the relay through `outbox_signal`.
    pub fn new(
        db: DatabaseConnection,
        clock: Arc<Clock>,
        outbox_signal: Arc<tokio::sync::Notify>,
    ) -> Self {
        App {
            db,
            clock,
            outbox_signal,
            quality_alert_threshold: 70.0,
        }
    }

    /// The same application with another quality alert threshold.
    pub fn with_quality_alert_threshold(mut self, threshold: f64) -> Self {
        self.quality_alert_threshold = threshold;
        self
    }

    /// Now, as every rule sees it.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A change and its events are committed: the relay publishes them at once.
    pub fn committed(&self) {
        self.outbox_signal.notify_one();
    }

    /// The signal the outbox relay waits on.
    pub fn outbox_signal(&self) -> Arc<tokio::sync::Notify> {
        self.outbox_signal.clone()
    }
}

/// The acting person, as the use cases see them: the signed-in account.
pub type Actor = Viewer;

/// Checks free text: trimmed, non-empty, at most `max` characters.
pub fn text(value: &str, field: &str, max: usize) -> AppResult<String> {
    Ok(careline_domain::text::required(value, field, max)?)
}
