//! Careline's application layer: one module per use-case area. A use case takes domain inputs
//! (ids already parsed, values already typed), asks `careline_domain` every question of rule and
//! permission, runs its writes in one transaction through `careline_persistence`, and returns
//! one [`AppError`]. It knows nothing of GraphQL: the server's resolvers parse arguments, call a
//! use case and wrap the result; the demo seed and the background jobs call the same use cases.
//!
//! This is the only crate (besides migration tooling and the tests) that depends on
//! `careline-persistence`: the server (`careline-api`) does not, so the compiler — not a text
//! match — keeps GraphQL away from repositories, transactions and SQL. What the server reads of
//! stored records comes through [`rows`] (read-only row types) and [`page`].

pub mod auth;
pub mod bus;
pub mod calendars;
pub mod callbacks;
pub mod casework;
pub mod clock;
pub mod conversation;
pub mod corrective;
pub mod customers;
pub mod email;
pub mod error;
pub mod files;
pub mod floor;
pub mod imap;
pub mod knowledge;
pub mod kpi;
pub mod notices;
pub mod outbound;
pub mod people;
pub mod quality;
pub mod reads;
pub mod render;
pub mod reports;
pub mod reviews;
pub mod routing;
pub mod scheduler;
pub mod secrets;
pub mod seed;
pub mod sessions;
pub mod sla;
pub mod storage;
pub mod surveys;
pub mod tickets;
pub mod time_accounting;
pub mod training;
pub mod wallboard;

pub use clock::Clock;
pub use error::{AppError, AppResult};

/// The stored records the server reads fields from, as read-only row types. (Next step: read
/// models with domain enums in their place, see docs/ARCHITECTURE.md.)
pub mod rows {
    pub use careline_persistence::entity::{
        article_revision, business_calendar, corrective_action, customer, delivery, department,
        department_task, escalation, escalation_recipient, follow_up, handover, knowledge_article,
        mailbox, notification, quality_review, quality_scorecard, reply_template, review_cycle,
        satisfaction_rating, shift, sla_policy, stored_file, survey, survey_invitation, team,
        ticket, ticket_event, time_entry, training_course, training_record, training_session, user,
    };
}

/// Pages of results and the requests for them.
pub mod page {
    pub use careline_persistence::page::{Page, PageRequest};
}

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
    delivery_signal: Arc<tokio::sync::Notify>,
    /// The rolling quality average under which an agent is sent to training.
    pub quality_alert_threshold: f64,
    /// The configured outside channels (email, SMS).
    pub outbound: outbound::Outbound,
    /// Where uploaded files live, and the key their download links are signed with.
    pub files: files::FileStore,
    /// The email channel's settings (the data key, limits, poll period).
    pub mail: Arc<email::MailSettings>,
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
            delivery_signal: Arc::new(tokio::sync::Notify::new()),
            quality_alert_threshold: 70.0,
            outbound: outbound::Outbound::default(),
            files: files::FileStore::in_memory(),
            mail: Arc::new(email::MailSettings::default()),
        }
    }

    /// The same application with these email channel settings.
    pub fn with_mail(mut self, mail: email::MailSettings) -> Self {
        self.mail = Arc::new(mail);
        self
    }

    /// The same application sending email and SMS through `outbound`.
    pub fn with_outbound(mut self, outbound: outbound::Outbound) -> Self {
        self.outbound = outbound;
        self
    }

    /// What wakes the delivery worker.
    pub fn delivery_signal(&self) -> Arc<tokio::sync::Notify> {
        self.delivery_signal.clone()
    }

    /// The same application keeping files in `files`.
    pub fn with_files(mut self, files: files::FileStore) -> Self {
        self.files = files;
        self
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
        self.delivery_signal.notify_one();
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
