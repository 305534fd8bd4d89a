//! Grouped subscription delivery: subscribers whose subscription is the same document, with
//! the same variables, seen through the same permission view, share one GraphQL execution.
//! Each event is resolved and serialised once per group; every socket in the group writes the
//! same payload bytes under its own message id.
//!
//! Which subscriptions may share, and under what view, is decided by [`share_key`]: only root
//! fields whose events depend on nothing but the view (see [`BY_ROLE`] and [`BY_USER`]) are
//! grouped; anything else (queries over the socket, `wallboardUpdates`, which greets each
//! subscriber with the current figures, documents with fragments at the root) runs alone, as
//! before.
//!
//! A group lives while it has members: the first member starts its execution, the last one to
//! leave stops it. A member that falls more than [`GROUP_BACKLOG`] frames behind the group is
//! told so (`LAGGED`, see `docs/REALTIME.md`) rather than silently skipping events.

use crate::i18n::Locale;
use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
use careline_domain::Roles;
use careline_domain::permission::{QueueAccess, queue_access};
use futures_util::{Stream, StreamExt};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use tokio::task::AbortHandle;
use uuid::Uuid;

/// Frames a group keeps for members that are momentarily behind; a member further behind is
/// lagged out.
pub const GROUP_BACKLOG: usize = 256;

/// Root subscription fields whose events depend only on the subscriber's roles and the part of
/// the queue they may watch (their resolvers read nothing else of the viewer, and their payloads
/// are plain snapshots with no field resolvers that consult it; `EscalationEvent.recipients`
/// reads accounts, whose emails every staff role sees in full). Keep it so, or move the field
/// to [`BY_USER`]. `myEscalations` is per account and in neither list.
pub const BY_ROLE: &[&str] = &["queueUpdates", "escalations", "__typename"];

/// Root subscription fields that may be shared between subscriptions of the same account
/// (several tabs or screens), since their payloads may depend on who the subscriber is.
pub const BY_USER: &[&str] = &[
    "queueUpdates",
    "escalations",
    "ticketUpdated",
    "articleReviewDue",
    "__typename",
];

/// The permission view a group's payloads are computed for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum View {
    /// Everyone with these roles and this part of the queue sees the same.
    Role { roles: Roles, queue: QueueAccess },
    /// Only this account (at this version of its credentials).
    User { id: Uuid, auth_version: i32 },
}

/// What subscribers must have in common to share a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupKey {
    locale: Locale,
    query: String,
    operation_name: Option<String>,
    variables: String,
    view: View,
}

/// The key under which this request may share a group, or `None` when it must run alone.
/// `user` is the signed-in account, `locale` the language its messages are written in.
pub fn share_key(
    request: &async_graphql::Request,
    user: &careline_app::rows::user::Model,
    locale: Locale,
) -> Option<GroupKey> {
    // A persisted operation names its document by hash in the extensions: let it run alone.
    if request.query.is_empty() || !request.extensions.is_empty() {
        return None;
    }
    let document = async_graphql::parser::parse_query(&request.query).ok()?;
    let operation = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(operation), _) => &operation.node,
        (DocumentOperations::Multiple(operations), Some(name)) => &operations.get(name)?.node,
        (DocumentOperations::Multiple(_), None) => return None,
    };
    if operation.ty != OperationType::Subscription {
        return None;
    }
    let mut fields = Vec::new();
    for selection in &operation.selection_set.node.items {
        match &selection.node {
            Selection::Field(field) => fields.push(field.node.name.node.as_str()),
            Selection::FragmentSpread(_) | Selection::InlineFragment(_) => return None,
        }
    }
    let view = if fields.iter().all(|f| BY_ROLE.contains(f)) {
        View::Role {
            roles: user.role_set(),
            queue: queue_access(user.role_set(), user.team_id, user.department_id),
        }
    } else if fields.iter().all(|f| BY_USER.contains(f)) {
        View::User {
            id: user.id,
            auth_version: user.auth_version,
        }
    } else {
        return None;
    };
    Some(GroupKey {
        locale,
        query: request.query.clone(),
        operation_name: request.operation_name.clone(),
        variables: serde_json::to_string(&request.variables).ok()?,
        view,
    })
}

/// One message of a subscription, serialised once.
#[derive(Debug, Clone)]
pub enum Frame {
    /// A result: the JSON of the GraphQL response.
    Next(Arc<str>),
    /// The operation failed and ends: the JSON array of its errors.
    Error(Arc<str>),
    /// The operation ended.
    Complete,
}

impl Frame {
    /// The frame for one response of an execution. Errors that mean the operation cannot go on
    /// (it failed before executing, or fell behind) end it.
    pub fn of(response: &async_graphql::Response) -> Frame {
        let terminal = crate::http::failed_before_execution(response)
            || response.errors.iter().any(|e| {
                e.extensions
                    .as_ref()
                    .and_then(|x| x.get("code"))
                    .is_some_and(|c| *c == async_graphql::Value::from(LAGGED))
            });
        if terminal {
            Frame::Error(json(&response.errors))
        } else {
            Frame::Next(json(response))
        }
    }

    /// Whether the operation ends with this frame.
    pub fn ends(&self) -> bool {
        !matches!(self, Frame::Next(_))
    }
}

fn json(value: &impl serde::Serialize) -> Arc<str> {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".to_owned())
        .into()
}

/// The error code of a subscription that fell behind and was ended.
pub const LAGGED: &str = "LAGGED";

/// The `error` payload telling a member it fell behind, in its language.
pub fn lagged(skipped: u64, locale: Locale) -> Frame {
    let message = format!(
        "this subscription fell {skipped} events behind and was ended; refetch, then subscribe again"
    );
    let errors = serde_json::json!([{
        "message": crate::i18n::translate(&message, locale),
        "extensions": { "code": LAGGED },
    }]);
    Frame::Error(errors.to_string().into())
}

struct Group {
    /// Tells this group from a later one under the same key.
    id: u64,
    frames: broadcast::Sender<Frame>,
    members: usize,
    execution: AbortHandle,
}

/// Every group of this process.
#[derive(Default)]
pub struct Fanout {
    groups: Mutex<HashMap<GroupKey, Group>>,
    next_id: std::sync::atomic::AtomicU64,
}

/// A member's place in a group: its frames, and leaving when dropped.
pub struct Membership {
    fanout: Arc<Fanout>,
    key: GroupKey,
    group: u64,
    frames: broadcast::Receiver<Frame>,
}

impl Membership {
    /// The next frame for this member; a member that fell behind gets [`lagged`] (and should
    /// stop), and a group that is gone ends with `Complete`.
    pub async fn next(&mut self, locale: Locale) -> Frame {
        match self.frames.recv().await {
            Ok(frame) => frame,
            Err(broadcast::error::RecvError::Lagged(skipped)) => lagged(skipped, locale),
            Err(broadcast::error::RecvError::Closed) => Frame::Complete,
        }
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        let mut groups = self.fanout.lock();
        // The group may have ended, and another started under the same key since.
        if let Some(group) = groups.get_mut(&self.key).filter(|g| g.id == self.group) {
            group.members -= 1;
            if group.members == 0
                && let Some(execution) = groups.remove(&self.key).map(|g| g.execution)
            {
                execution.abort();
            }
        }
    }
}

impl Fanout {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<GroupKey, Group>> {
        // A panic while holding this lock leaves the map consistent (every step is one insert,
        // remove or counter change), so a poisoned lock is still usable.
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Joins the group for `key`, starting its execution with `start` if there is none.
    pub fn join<S>(self: &Arc<Self>, key: GroupKey, start: impl FnOnce() -> S) -> Membership
    where
        S: Stream<Item = async_graphql::Response> + Send + 'static,
    {
        let mut groups = self.lock();
        if let Some(group) = groups.get_mut(&key) {
            group.members += 1;
            return Membership {
                fanout: self.clone(),
                frames: group.frames.subscribe(),
                group: group.id,
                key,
            };
        }
        let id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (sender, frames) = broadcast::channel(GROUP_BACKLOG);
        let execution = tokio::spawn(self.clone().execute(key.clone(), sender.clone(), start()));
        groups.insert(
            key.clone(),
            Group {
                id,
                frames: sender,
                members: 1,
                execution: execution.abort_handle(),
            },
        );
        Membership {
            fanout: self.clone(),
            key,
            group: id,
            frames,
        }
    }

    /// Runs a group's execution, publishing each response once. Frames are sent under the lock,
    /// so that a member joining meanwhile receives exactly the frames after its join; a frame
    /// after which nothing more can come takes the group out of the map first, so later
    /// subscribers start their own execution rather than join one that is over.
    async fn execute(
        self: Arc<Self>,
        key: GroupKey,
        frames: broadcast::Sender<Frame>,
        responses: impl Stream<Item = async_graphql::Response>,
    ) {
        let mut responses = std::pin::pin!(responses);
        while let Some(response) = responses.next().await {
            let frame = Frame::of(&response);
            // A subscription refused by its resolver answers with errors and no data, then ends:
            // nobody may join it any more.
            let last = frame.ends() || (response.data == async_graphql::Value::Null);
            self.publish(&key, &frames, frame.clone(), last);
            if frame.ends() {
                return;
            }
        }
        self.publish(&key, &frames, Frame::Complete, true);
    }

    fn publish(
        &self,
        key: &GroupKey,
        frames: &broadcast::Sender<Frame>,
        frame: Frame,
        retire: bool,
    ) {
        let mut groups = self.lock();
        if retire
            && groups
                .get(key)
                .is_some_and(|g| g.frames.same_channel(frames))
        {
            groups.remove(key);
        }
        // No receiver means every member left; the execution is being stopped.
        let _ = frames.send(frame);
    }

    /// How many groups run now (for metrics and tests).
    pub fn groups(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{Response, ServerError, Value};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::mpsc;

    fn key() -> GroupKey {
        GroupKey {
            locale: Locale::En,
            query: "subscription { queueUpdates { kind } }".to_owned(),
            operation_name: None,
            variables: "{}".to_owned(),
            view: View::User {
                id: Uuid::nil(),
                auth_version: 0,
            },
        }
    }

    /// An execution fed by hand, counting how often one is started.
    fn execution(
        starts: &Arc<AtomicUsize>,
    ) -> (
        mpsc::UnboundedSender<Response>,
        impl FnOnce() -> futures_util::stream::BoxStream<'static, Response>,
    ) {
        let (sender, receiver) = mpsc::unbounded_channel::<Response>();
        let starts = starts.clone();
        let start = move || {
            starts.fetch_add(1, Ordering::SeqCst);
            futures_util::stream::unfold(receiver, |mut receiver| async move {
                receiver.recv().await.map(|r| (r, receiver))
            })
            .boxed()
        };
        (sender, start)
    }

    fn payload(frame: Frame) -> Arc<str> {
        match frame {
            Frame::Next(payload) => payload,
            other => panic!("expected a result, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn members_share_one_execution_and_the_same_bytes_until_the_last_leaves() {
        let fanout = Arc::new(Fanout::default());
        let starts = Arc::new(AtomicUsize::new(0));
        let (feed, start) = execution(&starts);
        let mut a = fanout.join(key(), start);
        let (_, unused) = execution(&starts);
        let mut b = fanout.join(key(), unused);
        assert_eq!(starts.load(Ordering::SeqCst), 1, "one execution for both");
        assert_eq!(fanout.groups(), 1);

        feed.send(Response::new(Value::from(7))).unwrap();
        let (first, second) = (
            payload(a.next(Locale::En).await),
            payload(b.next(Locale::En).await),
        );
        assert!(first.contains("\"data\":7"), "{first}");
        assert!(Arc::ptr_eq(&first, &second), "serialised once, shared");

        drop(a);
        assert_eq!(fanout.groups(), 1, "b still listens");
        drop(b);
        assert_eq!(fanout.groups(), 0, "the last member stops the group");
        tokio::time::timeout(std::time::Duration::from_secs(5), feed.closed())
            .await
            .expect("the execution was stopped");
    }

    #[tokio::test]
    async fn a_member_that_falls_behind_is_told_while_the_others_get_everything() {
        let fanout = Arc::new(Fanout::default());
        let starts = Arc::new(AtomicUsize::new(0));
        let (feed, start) = execution(&starts);
        let mut reader = fanout.join(key(), start);
        let (_, unused) = execution(&starts);
        let mut sleeper = fanout.join(key(), unused);
        let total = GROUP_BACKLOG as i32 + 10;
        for n in 0..total {
            feed.send(Response::new(Value::from(n))).unwrap();
            let got = payload(reader.next(Locale::En).await);
            assert!(got.contains(&format!("\"data\":{n}")), "{got}");
        }
        match sleeper.next(Locale::En).await {
            Frame::Error(errors) => assert!(errors.contains("LAGGED"), "{errors}"),
            other => panic!("expected LAGGED, got {other:?}"),
        }
        feed.send(Response::new(Value::from(-1))).unwrap();
        assert!(payload(reader.next(Locale::En).await).contains("\"data\":-1"));
    }

    #[tokio::test]
    async fn a_refused_subscription_is_not_joined_after_it_answered() {
        let fanout = Arc::new(Fanout::default());
        let starts = Arc::new(AtomicUsize::new(0));
        let (feed, start) = execution(&starts);
        let mut refused = fanout.join(key(), start);
        let mut refusal = ServerError::new("no", None);
        refusal.path = vec![async_graphql::PathSegment::Field("queueUpdates".to_owned())];
        feed.send(Response::from_errors(vec![refusal])).unwrap();
        assert!(payload(refused.next(Locale::En).await).contains("\"no\""));
        // Its execution is about to end: a newcomer gets its own, and its own answer.
        let (_, again) = execution(&starts);
        let _newcomer = fanout.join(key(), again);
        assert_eq!(starts.load(Ordering::SeqCst), 2);
        drop(feed);
        assert!(matches!(refused.next(Locale::En).await, Frame::Complete));
    }
}
