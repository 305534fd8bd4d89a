//! The event bus: in-process (`tokio::sync::broadcast`) when `REDIS_URL` is unset, Redis
//! pub/sub when set. Either way every process delivers to its own subscribers from one local
//! broadcast channel, so Redis holds ONE subscription per process however many WebSocket
//! clients there are, and a slow client lags (and skips) without holding anyone else up.
//!
//! Events reach the bus only through the outbox relay ([`spawn_relay`]): a ticket change and
//! its events commit together, and Redis being down delays events instead of failing
//! mutations.

use anyhow::Context;
use careline_domain::event::{Envelope, SCHEMA_VERSION};
use careline_persistence::{DatabaseConnection, outbox};
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, broadcast};

/// Events buffered per subscriber before it lags and skips.
const LOCAL_CAPACITY: usize = 4096;
/// Event ids remembered to drop duplicates (catch-up can overlap live delivery).
const SEEN_CAPACITY: usize = 65_536;
/// Events published per relay round.
const RELAY_BATCH: u64 = 500;
/// Published events kept for catch-up.
const RETENTION: chrono::Duration = chrono::Duration::hours(24);

/// Publishes events and hands out subscriptions.
#[async_trait::async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes a batch, in order. An error leaves the batch to be retried.
    async fn publish(&self, batch: &[Envelope]) -> anyhow::Result<()>;
    /// A receiver of every event this process delivers from now on.
    fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>>;
    /// `in-process` or `redis`, for logs and readiness.
    fn kind(&self) -> &'static str;
}

/// Local fan-out with duplicate suppression.
struct Local {
    sender: broadcast::Sender<Arc<Envelope>>,
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    order: VecDeque<uuid::Uuid>,
    ids: HashSet<uuid::Uuid>,
}

impl Local {
    fn new() -> Self {
        Local {
            sender: broadcast::channel(LOCAL_CAPACITY).0,
            seen: Mutex::new(Seen::default()),
        }
    }

    fn deliver(&self, envelope: Envelope) {
        if envelope.v != SCHEMA_VERSION {
            tracing::warn!(
                event.version = envelope.v,
                "skipping an event of an unknown version"
            );
            return;
        }
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if !seen.ids.insert(envelope.id) {
                return;
            }
            seen.order.push_back(envelope.id);
            if seen.order.len() > SEEN_CAPACITY
                && let Some(old) = seen.order.pop_front()
            {
                seen.ids.remove(&old);
            }
        }
        // No receivers is fine: nobody is watching.
        let _ = self.sender.send(Arc::new(envelope));
    }
}

/// A single process's bus.
pub struct InProcessBus {
    local: Local,
}

impl InProcessBus {
    /// A new bus.
    pub fn new() -> Self {
        InProcessBus {
            local: Local::new(),
        }
    }
}

impl Default for InProcessBus {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait::async_trait]
impl EventBus for InProcessBus {
    async fn publish(&self, batch: &[Envelope]) -> anyhow::Result<()> {
        for envelope in batch {
            self.local.deliver(envelope.clone());
        }
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>> {
        self.local.sender.subscribe()
    }

    fn kind(&self) -> &'static str {
        "in-process"
    }
}

/// Redis pub/sub shared by every instance.
pub struct RedisBus {
    local: Arc<Local>,
    publisher: redis::aio::ConnectionManager,
    channel: String,
}

impl RedisBus {
    /// Connects the publisher and starts the one subscription of this process, which
    /// reconnects by itself and catches up from the outbox after an outage.
    pub async fn connect(url: &str, channel: &str, db: DatabaseConnection) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).context("REDIS_URL is not valid")?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        let publisher = redis::aio::ConnectionManager::new_with_config(client.clone(), config)
            .await
            .context("cannot connect to Redis (check REDIS_URL)")?;
        let local = Arc::new(Local::new());
        tokio::spawn(listen(client, channel.to_owned(), local.clone(), db));
        Ok(RedisBus {
            local,
            publisher,
            channel: channel.to_owned(),
        })
    }

    /// The publishing connection (shared with readiness checks).
    pub fn connection(&self) -> redis::aio::ConnectionManager {
        self.publisher.clone()
    }
}

#[async_trait::async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, batch: &[Envelope]) -> anyhow::Result<()> {
        // An empty pipeline does not come back as a success.
        if batch.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        for envelope in batch {
            pipe.publish(&self.channel, serde_json::to_string(envelope)?)
                .ignore();
        }
        let mut conn = self.publisher.clone();
        pipe.query_async::<()>(&mut conn)
            .await
            .context("publishing to Redis")
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>> {
        self.local.sender.subscribe()
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}

/// The process's one Redis subscription: forwards every message to local subscribers, and
/// after a disconnection replays what was published meanwhile from the outbox.
async fn listen(client: redis::Client, channel: String, local: Arc<Local>, db: DatabaseConnection) {
    use futures_util::StreamExt;
    // Nothing published before this process listened can concern its subscribers.
    let started = chrono::Utc::now();
    let mut disconnected_at: Option<chrono::DateTime<chrono::Utc>> = None;
    let mut backoff = Duration::from_millis(100);
    loop {
        let subscribed = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            redis::RedisResult::Ok(pubsub)
        }
        .await;
        match subscribed {
            Ok(pubsub) => {
                if let Some(lost_at) = disconnected_at.take() {
                    // Margin: the relay stamps `published_at` just after publishing, on its
                    // instance's clock.
                    let since = (lost_at - chrono::Duration::seconds(5)).max(started);
                    match outbox::published_since(&db, since, 10_000).await {
                        Ok(missed) => {
                            tracing::info!(
                                events = missed.len(),
                                "event bus reconnected; caught up"
                            );
                            for envelope in missed {
                                local.deliver(envelope);
                            }
                        }
                        Err(err) => {
                            // The database is out too: drop this subscription and try the
                            // whole reconnection again, so that nothing missed is forgotten.
                            tracing::warn!(error = %crate::error::chain(&err), "event catch-up failed; retrying");
                            disconnected_at = Some(lost_at);
                            tokio::time::sleep(backoff).await;
                            backoff = (backoff * 2).min(Duration::from_secs(2));
                            continue;
                        }
                    }
                }
                backoff = Duration::from_millis(100);
                let mut messages = pubsub.into_on_message();
                while let Some(message) = messages.next().await {
                    let Ok(payload) = message.get_payload::<String>() else {
                        continue;
                    };
                    match serde_json::from_str::<Envelope>(&payload) {
                        Ok(envelope) => local.deliver(envelope),
                        Err(err) => tracing::warn!(
                            error = %outbox::decode_error(&err),
                            "skipping an undecodable event"
                        ),
                    }
                }
                tracing::warn!("event bus subscription lost; reconnecting");
                disconnected_at = Some(chrono::Utc::now());
            }
            Err(err) => {
                if disconnected_at.is_none() {
                    disconnected_at = Some(chrono::Utc::now());
                }
                tracing::debug!(error = %crate::error::chain(&err), "event bus subscription unavailable");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

/// Publishes outbox rows as they are written: woken by `signal` after each commit, and every
/// half second in case another instance wrote them. Also prunes old published rows. Rows that
/// no longer decode are set aside (the outbox logs each) and `undecodable` is told how many
/// each round set aside (the server counts them on `/metrics`).
pub fn spawn_relay(
    db: DatabaseConnection,
    bus: Arc<dyn EventBus>,
    signal: Arc<Notify>,
    undecodable: impl Fn(u64) + Send + 'static,
) {
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(200);
        let mut failing = false;
        let mut last_prune = std::time::Instant::now();
        loop {
            let bus = bus.clone();
            let result = outbox::relay_batch(&db, RELAY_BATCH, |batch| async move {
                bus.publish(&batch).await
            })
            .await;
            match result {
                Ok(round) => {
                    if !round.undecodable.is_empty() {
                        undecodable(u64::try_from(round.undecodable.len()).unwrap_or(u64::MAX));
                    }
                    if failing {
                        tracing::info!("event publishing recovered");
                        failing = false;
                    }
                    backoff = Duration::from_millis(200);
                    // A full batch may have left more behind; a partial one emptied the outbox,
                    // and what commits meanwhile leaves a permit in `signal`. (Looping on any
                    // non-empty batch cost every intake an extra empty round of four statements.)
                    if u64::try_from(round.claimed).unwrap_or(u64::MAX) >= RELAY_BATCH {
                        continue;
                    }
                    let _ =
                        tokio::time::timeout(Duration::from_millis(500), signal.notified()).await;
                }
                Err(err) => {
                    if !failing {
                        tracing::warn!(error = %crate::error::chain(&err), "event publishing failed; events are kept and retried");
                        failing = true;
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
            if last_prune.elapsed() > Duration::from_secs(3600) {
                last_prune = std::time::Instant::now();
                if let Err(err) = outbox::prune(&db, chrono::Utc::now() - RETENTION).await {
                    tracing::warn!(error = %crate::error::chain(&err), "outbox pruning failed");
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use careline_domain::event::{Event, QueueEventKind, TicketSnapshot};
    use careline_domain::ticket::{Priority, TicketKind, TicketStatus};

    fn envelope() -> Envelope {
        Envelope::new(Event::Queue {
            kind: QueueEventKind::Created,
            ticket: TicketSnapshot {
                id: uuid::Uuid::now_v7(),
                number: "T-20261124-000001".into(),
                kind: TicketKind::Inquiry,
                priority: Priority::Normal,
                severity: None,
                status: TicketStatus::New,
                subject: "Hello".into(),
                assignee_id: None,
                owner_id: None,
                team_id: None,
                department_id: None,
                customer_user_id: None,
                escalation_level: 0,
                first_response_due_at: None,
                resolution_due_at: None,
                version: 1,
            },
            at: chrono::Utc::now(),
        })
    }

    #[tokio::test]
    async fn every_subscriber_gets_each_event_once() {
        let bus = InProcessBus::new();
        let mut a = bus.subscribe();
        let mut b = bus.subscribe();
        let event = envelope();
        bus.publish(&[event.clone(), event.clone()]).await.unwrap();
        assert_eq!(a.recv().await.unwrap().id, event.id);
        assert_eq!(b.recv().await.unwrap().id, event.id);
        assert!(a.try_recv().is_err(), "the duplicate was dropped");
    }

    #[tokio::test]
    async fn a_slow_subscriber_lags_without_blocking_the_publisher() {
        let bus = InProcessBus::new();
        let mut slow = bus.subscribe();
        let batch: Vec<Envelope> = (0..LOCAL_CAPACITY + 10).map(|_| envelope()).collect();
        bus.publish(&batch).await.unwrap();
        assert!(matches!(
            slow.recv().await,
            Err(broadcast::error::RecvError::Lagged(10))
        ));
        assert!(slow.recv().await.is_ok(), "it resumes after skipping");
    }

    #[tokio::test]
    async fn events_of_an_unknown_version_are_skipped() {
        let bus = InProcessBus::new();
        let mut rx = bus.subscribe();
        let mut future = envelope();
        future.v = SCHEMA_VERSION + 1;
        bus.publish(&[future]).await.unwrap();
        assert!(rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn the_relay_reports_a_row_it_cannot_decode_and_publishes_the_next() {
        use careline_persistence::entity::outbox as row;
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        let db = careline_persistence::connect("sqlite::memory:")
            .await
            .unwrap();
        careline_persistence::migrate(&db).await.unwrap();
        row::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            payload: Set(r#"{"v":1,"event":{"type":"NOT_AN_EVENT"}}"#.to_owned()),
            created_at: Set(careline_persistence::now()),
            published_at: Set(None),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
        let good = envelope();
        outbox::enqueue(&db, std::slice::from_ref(&good))
            .await
            .unwrap();
        let bus = Arc::new(InProcessBus::new());
        let mut rx = bus.subscribe();
        let (told, mut reports) = tokio::sync::mpsc::unbounded_channel();
        spawn_relay(db, bus, Arc::new(Notify::new()), move |n| {
            let _ = told.send(n);
        });
        let wait = Duration::from_secs(5);
        assert_eq!(
            tokio::time::timeout(wait, reports.recv()).await.unwrap(),
            Some(1)
        );
        let published = tokio::time::timeout(wait, rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(published.id, good.id, "the event after it still goes out");
    }
}
