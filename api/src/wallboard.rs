//! Live wallboards: one feed per team (and one for everyone) however many screens watch it.
//! A feed counts the figures when an event about one of its tickets arrives — at most once a
//! second, events meanwhile coalesce — and every few seconds anyway (time alone moves tickets
//! into "at risk" and "overdue", and presence changes carry no event). Subscribers share the
//! result through a `watch` channel: figures are counted once per team per change, not once
//! per subscriber, and only pushed when they differ. A feed stops when its last subscriber
//! leaves.

use crate::app::App;
use crate::app::wallboard::{Figures, figures};
use crate::bus::EventBus;
use careline_domain::event::{Envelope, Event};
use futures_util::Stream;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

/// The shortest time between two counts of one feed.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// How often a feed counts again without an event.
pub const REFRESH: Duration = Duration::from_secs(15);

type Latest = Option<Arc<Figures>>;
type Feeds = Arc<Mutex<HashMap<Option<Uuid>, watch::Sender<Latest>>>>;

/// The running feeds of this process.
pub struct WallboardHub {
    app: App,
    bus: Arc<dyn EventBus>,
    feeds: Feeds,
}

impl WallboardHub {
    /// A hub counting with `app`, listening to `bus`.
    pub fn new(app: App, bus: Arc<dyn EventBus>) -> Self {
        WallboardHub {
            app,
            bus,
            feeds: Arc::default(),
        }
    }

    /// The figures of `team` (everyone's when `None`): the current ones first, as soon as they
    /// are counted, then each change. Permissions are the caller's to check.
    pub fn watch(&self, team: Option<Uuid>) -> impl Stream<Item = Arc<Figures>> + use<> {
        let mut receiver = {
            let mut feeds = self.feeds.lock().unwrap_or_else(|p| p.into_inner());
            match feeds.get(&team) {
                Some(sender) => sender.subscribe(),
                None => {
                    let (sender, receiver) = watch::channel(None);
                    feeds.insert(team, sender.clone());
                    tokio::spawn(feed(
                        self.app.clone(),
                        self.bus.subscribe(),
                        team,
                        sender,
                        self.feeds.clone(),
                    ));
                    receiver
                }
            }
        };
        receiver.mark_changed();
        futures_util::stream::unfold(receiver, |mut receiver| async move {
            loop {
                receiver.changed().await.ok()?;
                let latest = receiver.borrow_and_update().clone();
                if let Some(figures) = latest {
                    return Some((figures, receiver));
                }
            }
        })
    }

    /// How many feeds run (for tests and metrics).
    pub fn feeds(&self) -> usize {
        self.feeds.lock().map_or(0, |f| f.len())
    }
}

/// Whether an event may change the figures of `team`'s board.
fn concerns(envelope: &Envelope, team: Option<Uuid>) -> bool {
    let Some(ticket) = envelope.event.ticket() else {
        return false;
    };
    matches!(
        envelope.event,
        Event::Queue { .. } | Event::Escalation { .. } | Event::TicketUpdated { .. }
    ) && team.is_none_or(|t| ticket.team_id == Some(t))
}

/// Removes a feed from the map when its task ends, however it ends (its last subscriber left,
/// the bus closed, a panic): a stale entry would leave its team's screens waiting forever.
/// Only its own entry: a newer feed of the same team stays.
struct Registration {
    feeds: Feeds,
    team: Option<Uuid>,
    sender: watch::Sender<Latest>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut running = self.feeds.lock().unwrap_or_else(|p| p.into_inner());
        if running
            .get(&self.team)
            .is_some_and(|s| s.same_channel(&self.sender))
        {
            running.remove(&self.team);
        }
    }
}

async fn feed(
    app: App,
    mut events: broadcast::Receiver<Arc<Envelope>>,
    team: Option<Uuid>,
    sender: watch::Sender<Latest>,
    feeds: Feeds,
) {
    let _registration = Registration {
        feeds: feeds.clone(),
        team,
        sender: sender.clone(),
    };
    let mut dirty = true;
    let mut refresh = tokio::time::interval(REFRESH);
    refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    refresh.tick().await;
    loop {
        if dirty {
            dirty = false;
            match figures(&app, team).await {
                Ok(now) => {
                    // Screens hear of changed figures only; one joining later gets the
                    // latest count, with its time.
                    sender.send_if_modified(|latest| {
                        let changed = latest.as_ref().is_none_or(|l| !l.same_as(&now));
                        *latest = Some(Arc::new(now));
                        changed
                    });
                }
                Err(err) => {
                    tracing::warn!(error = ?err, "counting wallboard figures failed");
                }
            }
            tokio::select! {
                () = sender.closed() => {}
                () = tokio::time::sleep(MIN_INTERVAL) => {}
            }
            // Everything that arrived meanwhile is one change: the next count covers it all.
            loop {
                match events.try_recv() {
                    Ok(envelope) => dirty |= concerns(&envelope, team),
                    Err(broadcast::error::TryRecvError::Lagged(_)) => dirty = true,
                    Err(_) => break,
                }
            }
            if dirty {
                continue;
            }
        }
        tokio::select! {
            () = sender.closed() => {
                // The last subscriber left; someone may have subscribed since (under the lock).
                let mut running = feeds.lock().unwrap_or_else(|p| p.into_inner());
                if sender.receiver_count() == 0 {
                    // Removed under the lock that subscribing takes: nobody joins a feed that
                    // is ending.
                    running.remove(&team);
                    return;
                }
            }
            received = events.recv() => match received {
                Ok(envelope) => dirty |= concerns(&envelope, team),
                Err(broadcast::error::RecvError::Lagged(_)) => dirty = true,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = refresh.tick() => dirty = true,
        }
    }
}
