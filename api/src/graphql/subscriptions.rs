//! Live subscriptions: the queue, escalations and single tickets. Every event arrives through
//! the process's one bus subscription as a self-contained snapshot; each subscriber filters by
//! its arguments and its permissions without touching the database.

use super::tickets::{Priority, Severity, TicketEvent, TicketKind, TicketStatus};
use super::{actor, app, found_id, parse_id, state, viewer};
use crate::app::tickets::{get, viewer_of};
use crate::app::{AppError, AppResult};
use async_graphql::{Context, Enum, ID, SimpleObject, Subscription};
use careline_app::rows::ticket_event;
use careline_domain::event::{Envelope, Event, TicketSnapshot, TimelineEntry};
use careline_domain::ticket::{can_read, can_see_internal};
use careline_domain::{Action, permission};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use std::sync::Arc;
use tokio::sync::broadcast;
use uuid::Uuid;

/// How a queue entry changed.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::event::QueueEventKind")]
pub enum QueueEventKind {
    /// A new ticket.
    Created,
    /// Details changed.
    Updated,
    /// Assignee or owner changed.
    Assigned,
    /// Status changed.
    StatusChanged,
    /// Escalation level rose.
    Escalated,
    /// The ticket was closed.
    Closed,
}

/// Why a ticket was escalated.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::event::EscalationKind")]
pub enum EscalationKind {
    /// 80 % of a response-time target used.
    SlaWarning,
    /// A response-time target missed, or a department missed its task's deadline.
    SlaBreach,
    /// A MAJOR complaint, escalated to the working group at intake or on reclassification.
    MajorComplaint,
    /// Escalated by hand (and a ticket other than a complaint registered or made URGENT).
    Manual,
    /// A complaint registered or reclassified as URGENT (not MAJOR): to the working group.
    UrgentComplaint,
    /// A corrective action passed its due time.
    CorrectiveActionOverdue,
    /// A callback or follow-up passed its due time.
    CallbackOverdue,
}

/// Which response-time target.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::event::SlaTarget")]
pub enum SlaTarget {
    /// Time to the first response.
    FirstResponse,
    /// Time to resolution.
    Resolution,
}

/// A self-contained snapshot, so that fan-out to many subscribers needs no database read.
#[derive(SimpleObject, Clone)]
pub struct QueueTicket {
    /// The ticket's id.
    pub id: ID,
    /// Human-readable, unique, e.g. T-20261122-000042.
    pub number: String,
    /// What the ticket is.
    pub kind: TicketKind,
    /// Its priority.
    pub priority: Priority,
    /// Complaint severity; null for other kinds.
    pub severity: Option<Severity>,
    /// Its status after the change.
    pub status: TicketStatus,
    /// Subject line.
    pub subject: String,
    /// Who is working it; null while unassigned.
    pub assignee_id: Option<ID>,
    /// Its team; null for none.
    pub team_id: Option<ID>,
    /// Responsible department while dispatched; null otherwise.
    pub department_id: Option<ID>,
    /// 0 none, 1 supervisor, 2 manager, 3 complaint-handling working group.
    pub escalation_level: i32,
    /// When the first response is due (UTC); null when the ticket has no such target.
    pub first_response_due_at: Option<DateTime<Utc>>,
    /// When the resolution is due (UTC); null when the ticket has no such target.
    pub resolution_due_at: Option<DateTime<Utc>>,
}

fn id(uuid: Uuid) -> ID {
    ID(uuid.to_string())
}

impl From<&TicketSnapshot> for QueueTicket {
    fn from(t: &TicketSnapshot) -> Self {
        QueueTicket {
            id: id(t.id),
            number: t.number.clone(),
            kind: t.kind.into(),
            priority: t.priority.into(),
            severity: t.severity.map(Into::into),
            status: t.status.into(),
            subject: t.subject.clone(),
            assignee_id: t.assignee_id.map(id),
            team_id: t.team_id.map(id),
            department_id: t.department_id.map(id),
            escalation_level: t.escalation_level,
            first_response_due_at: t.first_response_due_at,
            resolution_due_at: t.resolution_due_at,
        }
    }
}

/// A change in the live queue.
#[derive(SimpleObject, Clone)]
pub struct QueueEvent {
    /// How the queue entry changed.
    pub kind: QueueEventKind,
    /// The ticket after the change.
    pub ticket: QueueTicket,
    /// When it changed (UTC).
    pub at: DateTime<Utc>,
}

/// A published knowledge article passed its review date: have its content checked.
#[derive(SimpleObject, Clone)]
pub struct ArticleReviewDueEvent {
    /// The article's id.
    pub article_id: ID,
    /// Its title.
    pub title: String,
    /// The account that wrote it; null when none is recorded.
    pub author_id: Option<ID>,
    /// The review date that passed (UTC).
    pub review_due_at: DateTime<Utc>,
    /// When the server noticed (UTC).
    pub at: DateTime<Utc>,
}

/// An escalation as it happens.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct EscalationEvent {
    /// The escalation, to acknowledge it (`acknowledgeEscalation`).
    pub escalation_id: ID,
    /// The ticket after the escalation.
    pub ticket: QueueTicket,
    /// The ticket's escalation level once this was recorded: 0 none (an SLA warning leaves the
    /// level as it was), 1 supervisor, 2 manager, 3 complaint-handling working group.
    pub level: i32,
    /// Why the ticket was escalated.
    pub kind: EscalationKind,
    /// The response-time target concerned; null for escalations not about an SLA target.
    pub target: Option<SlaTarget>,
    /// Why, for people.
    pub reason: String,
    /// When it was recorded (UTC).
    pub at: DateTime<Utc>,
    #[graphql(skip)]
    pub recipient_ids: Vec<Uuid>,
}

#[async_graphql::ComplexObject]
impl EscalationEvent {
    /// The people it was routed to (see `Escalation.recipients`).
    async fn recipients(&self, ctx: &Context<'_>) -> AppResult<Vec<super::people::User>> {
        let found = super::loaders::loaders(ctx)?
            .users
            .load_many(self.recipient_ids.iter().copied())
            .await
            .map_err(super::loaders::load_failed)?;
        Ok(self
            .recipient_ids
            .iter()
            .filter_map(|id| found.get(id).cloned())
            .map(super::people::User)
            .collect())
    }
}

/// The escalation an event tells, as subscribers receive it.
fn escalation_event(event: &Event) -> Option<EscalationEvent> {
    match event {
        Event::Escalation {
            ticket,
            level,
            kind,
            target,
            reason,
            at,
            escalation_id,
            recipients,
        } => Some(EscalationEvent {
            escalation_id: id(*escalation_id),
            ticket: ticket.into(),
            level: *level,
            kind: (*kind).into(),
            target: target.map(Into::into),
            reason: reason.clone(),
            at: *at,
            recipient_ids: recipients.clone(),
        }),
        _ => None,
    }
}

/// A new timeline entry on a ticket.
#[derive(SimpleObject, Clone)]
pub struct TicketUpdate {
    /// The ticket after the change.
    pub ticket: QueueTicket,
    /// The new timeline entry.
    pub event: TicketEvent,
}

fn timeline_model(ticket_id: Uuid, entry: &TimelineEntry) -> ticket_event::Model {
    ticket_event::Model {
        id: entry.id,
        ticket_id,
        kind: entry.kind.as_str().to_owned(),
        actor_id: entry.actor_id,
        at: entry.at,
        internal: entry.internal,
        message: entry.message.clone(),
        from_status: entry.from_status.map(|s| s.as_str().to_owned()),
        to_status: entry.to_status.map(|s| s.as_str().to_owned()),
        minutes: None,
        first_contact: None,
    }
}

/// A subscription's item: an event, or the news that the subscriber fell behind.
type Item<T> = Result<T, async_graphql::Error>;

/// Every event this process delivers from now on, as `pick` selects and shapes them. A
/// subscriber that falls behind the process's bus (it never slows the publisher or other
/// subscribers) is not left with a silent gap: it receives one `LAGGED` error and the
/// subscription ends, so that its client refetches and subscribes again.
fn events<T: Send + 'static>(
    receiver: broadcast::Receiver<Arc<Envelope>>,
    pick: impl FnMut(&Event) -> Option<T> + Send + 'static,
) -> impl Stream<Item = Item<T>> {
    futures_util::stream::unfold(Some((receiver, pick)), |state| async move {
        let (mut receiver, mut pick) = state?;
        loop {
            match receiver.recv().await {
                Ok(envelope) => {
                    if let Some(item) = pick(&envelope.event) {
                        return Some((Ok(item), Some((receiver, pick))));
                    }
                }
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    tracing::warn!(skipped, "a slow subscriber fell behind the bus");
                    return Some((Err(lagged(skipped)), None));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

/// The error a subscriber that fell behind receives (code `LAGGED`).
fn lagged(skipped: u64) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    async_graphql::Error::new(format!(
        "this subscription fell {skipped} events behind and was ended; refetch, then subscribe again"
    ))
    .extend_with(|_, e| e.set("code", crate::fanout::LAGGED))
}

fn optional_id(value: Option<ID>, field: &str) -> AppResult<Option<Uuid>> {
    value
        .map(|v| parse_id(&v).ok_or_else(|| AppError::bad_input(field, "not a valid id")))
        .transpose()
}

/// The live subscriptions.
#[derive(Default)]
pub struct Subscription;

/// The live subscriptions (over WebSocket, `graphql-transport-ws` or `graphql-ws`). A
/// subscriber that falls behind receives one `LAGGED` error and the subscription ends: refetch,
/// then subscribe again.
#[Subscription]
impl Subscription {
    /// Supervisors and above. Filters are optional; with none, the whole queue. Agents and
    /// tech support may watch their own team.
    async fn queue_updates(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only this team's tickets; omit for everything you may see. Agents and tech support may watch only their own team, which they get when they omit it."
        )]
        team_id: Option<ID>,
        #[graphql(
            desc = "Only the tickets of this department. Liaisons may watch only their own department, which they get when they omit it."
        )]
        department_id: Option<ID>,
    ) -> Result<impl Stream<Item = Item<QueueEvent>> + use<>, AppError> {
        let viewer = viewer(ctx)?;
        let team = optional_id(team_id, "teamId")?;
        let department = optional_id(department_id, "departmentId")?;
        let (team, department) = crate::app::floor::visible_queue(viewer, team, department)?;
        let receiver = state(ctx)?.bus.subscribe();
        Ok(events(receiver, move |event| match event {
            Event::Queue { kind, ticket, at }
                if team.is_none_or(|t| ticket.team_id == Some(t))
                    && department.is_none_or(|d| ticket.department_id == Some(d)) =>
            {
                Some(QueueEvent {
                    kind: (*kind).into(),
                    ticket: ticket.into(),
                    at: *at,
                })
            }
            _ => None,
        }))
    }

    /// Supervisors and above: every escalation (SLA warnings, breaches, major and urgent
    /// complaints, manual escalations, overdue work), for whole-floor views; `myEscalations`
    /// has only those routed to the caller.
    async fn escalations(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Item<EscalationEvent>> + use<>, AppError> {
        let viewer = viewer(ctx)?;
        permission::require(viewer.roles(), Action::ReadQueue).map_err(|_| {
            AppError::Forbidden("only supervisors and above receive escalations".to_owned())
        })?;
        let receiver = state(ctx)?.bus.subscribe();
        Ok(events(receiver, escalation_event))
    }

    /// Escalations routed to the caller, as they happen (any staff member an escalation may be
    /// routed to: supervisors, managers, working group members, a warned assignee).
    async fn my_escalations(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Item<EscalationEvent>> + use<>, AppError> {
        let viewer = viewer(ctx)?;
        permission::require(viewer.roles(), Action::AcknowledgeEscalation)?;
        let me = viewer.id();
        let receiver = state(ctx)?.bus.subscribe();
        Ok(events(receiver, move |event| match event {
            Event::Escalation { recipients, .. } if recipients.contains(&me) => {
                escalation_event(event)
            }
            _ => None,
        }))
    }

    /// Reviewers: a published knowledge article passed its review date (once per lapse).
    /// Managers and admins hear of every article; a supervisor of those their team wrote.
    async fn article_review_due(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Item<ArticleReviewDueEvent>> + use<>, AppError> {
        let viewer = viewer(ctx)?;
        permission::require(viewer.roles(), Action::ReviewArticles).map_err(|_| {
            AppError::Forbidden("only supervisors and above review knowledge articles".to_owned())
        })?;
        let everything = viewer
            .roles()
            .has_any(&[careline_domain::Role::Manager, careline_domain::Role::Admin]);
        let me = viewer.id();
        let receiver = state(ctx)?.bus.subscribe();
        Ok(events(receiver, move |event| match event {
            Event::ArticleReviewDue {
                article_id,
                title,
                author_id,
                notify,
                review_due_at,
                at,
            } if everything || notify.contains(&me) => Some(ArticleReviewDueEvent {
                article_id: ID(article_id.to_string()),
                title: title.clone(),
                author_id: author_id.map(|a| ID(a.to_string())),
                review_due_at: *review_due_at,
                at: *at,
            }),
            _ => None,
        }))
    }

    /// A team's wallboard figures (everyone's without `teamId`; leads any team, agents their
    /// own): the current figures at once, then whenever they change, at most once a second.
    /// Counted once per team for every subscriber.
    async fn wallboard_updates(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The team to watch; omit for everyone's figures (leads) or your own team's (agents and tech support)."
        )]
        team_id: Option<ID>,
    ) -> Result<impl Stream<Item = super::insight::WallboardFigures> + use<>, AppError> {
        let viewer = viewer(ctx)?;
        let team = optional_id(team_id, "teamId")?;
        let team = crate::app::wallboard::watched_team(app(ctx)?, viewer, team).await?;
        Ok(state(ctx)?
            .wallboards
            .watch(team)
            .map(super::insight::pushed))
    }

    /// Anyone who may read the ticket; customers never receive internal events.
    async fn ticket_updated(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket to watch.")] id: ID,
    ) -> Result<impl Stream<Item = Item<TicketUpdate>> + use<>, AppError> {
        let state = state(ctx)?;
        let ticket_id = found_id(&id, "ticket")?;
        get(app(ctx)?, actor(ctx)?, ticket_id).await?;
        let domain = viewer_of(&actor(ctx)?.user);
        let internal_allowed = can_see_internal(&domain);
        let receiver = state.bus.subscribe();
        Ok(events(receiver, move |event| match event {
            Event::TicketUpdated { ticket, entry }
                if ticket.id == ticket_id
                    && (internal_allowed || !entry.internal)
                    && snapshot_readable(ticket, &domain) =>
            {
                Some(TicketUpdate {
                    ticket: ticket.into(),
                    event: TicketEvent(timeline_model(ticket.id, entry)),
                })
            }
            _ => None,
        }))
    }

    /// The caller's inbox as entries arrive (a customer's replies and promises; a staff
    /// member's assignments and customers' messages).
    async fn my_notifications(
        &self,
        ctx: &Context<'_>,
    ) -> Result<
        impl Stream<Item = Item<crate::graphql::conversation::Notification>> + use<>,
        AppError,
    > {
        let me = viewer(ctx)?.id();
        let receiver = state(ctx)?.bus.subscribe();
        Ok(events(receiver, move |event| match event {
            Event::Notified { user_id, entry } if *user_id == me => Some(entry.into()),
            _ => None,
        }))
    }
}

/// Whether the viewer may still read the ticket as it is after the change (a liaison loses
/// sight of a ticket moved to another department).
fn snapshot_readable(ticket: &TicketSnapshot, viewer: &careline_domain::ticket::Viewer) -> bool {
    use careline_domain::ticket::TicketFacts;
    let facts = TicketFacts {
        status: ticket.status,
        kind: ticket.kind,
        severity: ticket.severity,
        category: None,
        priority: ticket.priority,
        reopen_count: 0,
        owner_id: ticket.owner_id,
        assignee_id: ticket.assignee_id,
        department_id: ticket.department_id,
        customer_user_id: ticket.customer_user_id,
        follow_up_since_resolution: false,
        rated_since_resolution: false,
        escalation_level: ticket.escalation_level,
        verdict: None,
        involved_staff: Vec::new(),
        disagreement_called_back: false,
        responsible_department_id: None,
        version: ticket.version,
    };
    can_read(&facts, viewer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_subscriber_behind_the_bus_is_told_and_ended_not_left_with_a_gap() {
        let (sender, receiver) = broadcast::channel(4);
        let stream = events(receiver, |_| Some(()));
        for _ in 0..10 {
            let event = Event::SessionsEnded {
                user_id: Uuid::nil(),
                at: Utc::now(),
            };
            sender.send(Arc::new(Envelope::new(event))).unwrap();
        }
        let items: Vec<_> = stream.collect().await;
        assert_eq!(items.len(), 1, "one LAGGED error, then the end");
        let error = items[0].as_ref().expect_err("LAGGED");
        assert!(
            error.message.contains("6 events behind"),
            "{}",
            error.message
        );
        let code = error.extensions.as_ref().and_then(|e| e.get("code"));
        assert_eq!(code, Some(&async_graphql::Value::from("LAGGED")));
    }
}
