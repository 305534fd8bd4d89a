//! What every request shares.

use crate::app::App;
use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::LoginLimiter;
use crate::config::Settings;
use crate::metrics::Metrics;
use std::sync::Arc;

/// Shared, cheaply cloned server state.
///
/// `app.db` is the database pool and `app.clock` the clock every rule reads.
#[derive(Clone)]
pub struct AppState {
    /// The application layer: database, clock and outbox signal.
    pub app: App,
    /// Access token keys (shared: every WebSocket connection holds a copy of the state).
    pub jwt: Arc<JwtKeys>,
    /// Resolved configuration.
    pub settings: Arc<Settings>,
    /// Login failure counters.
    pub limiter: Arc<LoginLimiter>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Redis, when configured (readiness; the bus holds its own handle).
    pub redis: Option<redis::aio::ConnectionManager>,
    /// The event bus (in-process or Redis).
    pub bus: Arc<dyn crate::bus::EventBus>,
    /// Live wallboard feeds, one per team watched.
    pub wallboards: Arc<crate::wallboard::WallboardHub>,
    /// Subscriptions that share one execution.
    pub fanout: Arc<crate::fanout::Fanout>,
    /// Persisted operations (registered hashes and the trusted-documents manifest).
    pub persisted: Arc<crate::persisted::PersistedOperations>,
    /// SQL statements run since start (exported as a metric).
    pub sql_statements: Arc<std::sync::atomic::AtomicU64>,
    /// Flips to `true` when the server begins a graceful shutdown; open WebSockets close
    /// themselves with 1001 (going away).
    pub shutdown: Arc<tokio::sync::watch::Sender<bool>>,
}
