//! Domain events as they travel between API instances: versioned, self-contained JSON, so
//! that fanning an event out to thousands of subscribers needs no database read.

use crate::ticket::{Priority, Severity, TicketEventKind, TicketKind, TicketStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The envelope format version. Bump it when a change is not backward compatible; receivers
/// skip envelopes of versions they do not know.
pub const SCHEMA_VERSION: u16 = 1;

/// One event on the bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Format version ([`SCHEMA_VERSION`]).
    pub v: u16,
    /// Unique event id; receivers drop an id they have already delivered.
    pub id: Uuid,
    /// What happened.
    pub event: Event,
}

impl Envelope {
    /// Wraps an event with a fresh id.
    pub fn new(event: Event) -> Self {
        Envelope {
            v: SCHEMA_VERSION,
            id: Uuid::now_v7(),
            event,
        }
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Event {
    /// A ticket entered, moved in or left the queue.
    Queue {
        /// How it changed.
        kind: QueueEventKind,
        /// The ticket after the change.
        ticket: TicketSnapshot,
        /// When.
        at: DateTime<Utc>,
    },
    /// A ticket was escalated (SLA warning or breach, major complaint, by hand, overdue work),
    /// with the people it was routed to.
    Escalation {
        /// The ticket after the escalation.
        ticket: TicketSnapshot,
        /// 0 for a warning; 1 supervisor, 2 manager, 3 working group.
        level: i32,
        /// Why.
        kind: EscalationKind,
        /// The SLA target concerned, if any.
        target: Option<SlaTarget>,
        /// Person-readable reason.
        reason: String,
        /// When.
        at: DateTime<Utc>,
        /// The escalation's id (nil in events written before escalations were routed).
        #[serde(default)]
        escalation_id: Uuid,
        /// The people it was routed to (none in events written before escalations were
        /// routed).
        #[serde(default)]
        recipients: Vec<Uuid>,
    },
    /// A timeline entry was added to a ticket.
    TicketUpdated {
        /// The ticket after the change.
        ticket: TicketSnapshot,
        /// The entry.
        entry: TimelineEntry,
    },
    /// A published knowledge article passed its review date (once per lapse).
    ArticleReviewDue {
        /// The article.
        article_id: Uuid,
        /// Its title.
        title: String,
        /// Who wrote it.
        author_id: Option<Uuid>,
        /// Who should have it checked besides managers and admins: the supervisor of the
        /// author's team.
        notify: Vec<Uuid>,
        /// The review date that passed.
        review_due_at: DateTime<Utc>,
        /// When the worker noticed.
        at: DateTime<Utc>,
    },
    /// An entry landed in someone's inbox.
    Notified {
        /// Whose inbox.
        user_id: Uuid,
        /// The entry.
        entry: InboxEntry,
    },
    /// Every session of an account ended (password changed, account deactivated): its open
    /// WebSockets, on every instance, re-check the account and close.
    SessionsEnded {
        /// The account.
        user_id: Uuid,
        /// When.
        at: DateTime<Utc>,
    },
}

impl Event {
    /// The ticket the event is about, if it is about one.
    pub fn ticket(&self) -> Option<&TicketSnapshot> {
        match self {
            Event::Queue { ticket, .. }
            | Event::Escalation { ticket, .. }
            | Event::TicketUpdated { ticket, .. } => Some(ticket),
            Event::ArticleReviewDue { .. }
            | Event::SessionsEnded { .. }
            | Event::Notified { .. } => None,
        }
    }
}

/// How a queue entry changed. Spelled as in the GraphQL contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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

/// Why a ticket was escalated. Spelled as in the GraphQL contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EscalationKind {
    /// 80 % of a target used.
    SlaWarning,
    /// A target missed.
    SlaBreach,
    /// A MAJOR complaint, escalated to the working group at intake or on reclassification.
    MajorComplaint,
    /// Escalated by hand (and a ticket other than a complaint registered or made URGENT).
    Manual,
    /// A complaint registered or reclassified as URGENT (not MAJOR): to the working group.
    UrgentComplaint,
    /// A corrective action passed its due time: to the responsible person's department manager.
    CorrectiveActionOverdue,
    /// A callback or follow-up visit passed its due time: to the assignee's supervisor.
    CallbackOverdue,
}

impl EscalationKind {
    /// Every kind.
    pub const ALL: [EscalationKind; 7] = [
        EscalationKind::SlaWarning,
        EscalationKind::SlaBreach,
        EscalationKind::MajorComplaint,
        EscalationKind::Manual,
        EscalationKind::UrgentComplaint,
        EscalationKind::CorrectiveActionOverdue,
        EscalationKind::CallbackOverdue,
    ];

    /// The contract spelling, also the stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            EscalationKind::SlaWarning => "SLA_WARNING",
            EscalationKind::SlaBreach => "SLA_BREACH",
            EscalationKind::MajorComplaint => "MAJOR_COMPLAINT",
            EscalationKind::Manual => "MANUAL",
            EscalationKind::UrgentComplaint => "URGENT_COMPLAINT",
            EscalationKind::CorrectiveActionOverdue => "CORRECTIVE_ACTION_OVERDUE",
            EscalationKind::CallbackOverdue => "CALLBACK_OVERDUE",
        }
    }

    /// Parses the contract spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Which response-time target. Spelled as in the GraphQL contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SlaTarget {
    /// Time to the first response.
    FirstResponse,
    /// Time to resolution.
    Resolution,
}

/// What subscribers need to know about a ticket, and what permission filters need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketSnapshot {
    /// Ticket id.
    pub id: Uuid,
    /// Human-readable number.
    pub number: String,
    /// Kind.
    pub kind: TicketKind,
    /// Priority.
    pub priority: Priority,
    /// Severity (complaints).
    pub severity: Option<Severity>,
    /// Status.
    pub status: TicketStatus,
    /// Subject line.
    pub subject: String,
    /// Assignee.
    pub assignee_id: Option<Uuid>,
    /// First-contact owner.
    pub owner_id: Option<Uuid>,
    /// Team.
    pub team_id: Option<Uuid>,
    /// Responsible department while dispatched.
    pub department_id: Option<Uuid>,
    /// The customer's account, when the customer has one (for `ticketUpdated` permissions).
    pub customer_user_id: Option<Uuid>,
    /// 0 none, 1 supervisor, 2 manager, 3 working group.
    pub escalation_level: i32,
    /// First response due.
    pub first_response_due_at: Option<DateTime<Utc>>,
    /// Resolution due.
    pub resolution_due_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version after the change.
    pub version: i32,
}

/// A timeline entry, as subscribers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Entry id.
    pub id: Uuid,
    /// What happened.
    pub kind: TicketEventKind,
    /// Who did it (none for the system).
    pub actor_id: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
    /// Internal entries never reach customers.
    pub internal: bool,
    /// Free text.
    pub message: Option<String>,
    /// Status before, when it changed.
    pub from_status: Option<TicketStatus>,
    /// Status after, when it changed.
    pub to_status: Option<TicketStatus>,
}

/// An inbox entry as it travels to its owner's open streams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxEntry {
    /// The entry's id.
    pub id: Uuid,
    /// e.g. `AGENT_REPLY`, `ASSIGNED`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// The ticket it is about.
    pub ticket_id: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The queue event kind a timeline entry implies.
pub fn queue_kind_for(entry: TicketEventKind) -> QueueEventKind {
    match entry {
        TicketEventKind::Created => QueueEventKind::Created,
        TicketEventKind::Assigned => QueueEventKind::Assigned,
        TicketEventKind::Acknowledged
        | TicketEventKind::Dispatched
        | TicketEventKind::StatusChanged
        | TicketEventKind::Resolved
        | TicketEventKind::Reopened => QueueEventKind::StatusChanged,
        TicketEventKind::Escalated | TicketEventKind::SlaBreached => QueueEventKind::Escalated,
        TicketEventKind::Closed => QueueEventKind::Closed,
        TicketEventKind::NoteAdded
        | TicketEventKind::CustomerReply
        | TicketEventKind::SlaWarning
        | TicketEventKind::FollowUpRecorded
        | TicketEventKind::Rated
        | TicketEventKind::InvolvedStaffSet
        | TicketEventKind::DueTimesRecomputed
        | TicketEventKind::DepartmentAnswered
        | TicketEventKind::DepartmentReminded
        | TicketEventKind::Reclassified
        | TicketEventKind::AttachmentsAdded
        | TicketEventKind::FollowUpCaseOpened
        | TicketEventKind::SurveyAnswered
        | TicketEventKind::CustomerMessage
        | TicketEventKind::AnswerPromised
        | TicketEventKind::VerdictRecorded => QueueEventKind::Updated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> TicketSnapshot {
        TicketSnapshot {
            id: Uuid::nil(),
            number: "T-20261124-000001".into(),
            kind: TicketKind::Complaint,
            priority: Priority::Urgent,
            severity: Some(Severity::Major),
            status: TicketStatus::New,
            subject: "Broken".into(),
            assignee_id: None,
            owner_id: None,
            team_id: None,
            department_id: None,
            customer_user_id: None,
            escalation_level: 3,
            first_response_due_at: None,
            resolution_due_at: None,
            version: 1,
        }
    }

    #[test]
    fn envelopes_round_trip_through_json_with_a_version_and_a_type_tag() {
        let envelope = Envelope::new(Event::Escalation {
            ticket: snapshot(),
            level: 3,
            kind: EscalationKind::MajorComplaint,
            target: None,
            reason: "major complaint".into(),
            at: Utc::now(),
            escalation_id: Uuid::now_v7(),
            recipients: vec![Uuid::now_v7()],
        });
        let json = serde_json::to_value(&envelope).unwrap();
        assert_eq!(json["v"], 1);
        assert_eq!(json["event"]["type"], "ESCALATION");
        assert_eq!(json["event"]["kind"], "MAJOR_COMPLAINT");
        let back: Envelope = serde_json::from_value(json).unwrap();
        assert_eq!(back, envelope);
    }

    #[test]
    fn an_escalation_event_stored_before_routing_still_reads() {
        let mut json = serde_json::to_value(Envelope::new(Event::Escalation {
            ticket: snapshot(),
            level: 1,
            kind: EscalationKind::SlaBreach,
            target: None,
            reason: "late".into(),
            at: Utc::now(),
            escalation_id: Uuid::now_v7(),
            recipients: vec![Uuid::now_v7()],
        }))
        .unwrap();
        let event = json["event"].as_object_mut().unwrap();
        event.remove("escalation_id");
        event.remove("recipients");
        let back: Envelope = serde_json::from_value(json).unwrap();
        match back.event {
            Event::Escalation {
                escalation_id,
                recipients,
                ..
            } => {
                assert!(escalation_id.is_nil());
                assert!(recipients.is_empty());
            }
            other => panic!("not an escalation: {other:?}"),
        }
    }

    #[test]
    fn closing_a_ticket_is_a_closed_queue_event() {
        assert_eq!(
            queue_kind_for(TicketEventKind::Closed),
            QueueEventKind::Closed
        );
        assert_eq!(
            queue_kind_for(TicketEventKind::Created),
            QueueEventKind::Created
        );
        assert_eq!(
            queue_kind_for(TicketEventKind::NoteAdded),
            QueueEventKind::Updated
        );
    }
}
