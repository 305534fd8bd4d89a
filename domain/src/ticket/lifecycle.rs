//! The ticket state machine: `(ticket, actor, command, now) -> Result<Change, DomainError>`.
//!
//! ```text
//!  NEW ──acknowledge──▶ OPEN ◀──set to OPEN / set to PENDING_CUSTOMER──▶ PENDING_CUSTOMER
//!                        │  ▲                                                │
//!              dispatch  │  │ hand back                              dispatch│
//!                        ▼  │                                                ▼
//!                  PENDING_DEPARTMENT ◀──────────────────────────────────────┘
//!  OPEN / PENDING_* ──resolve──▶ RESOLVED ──close──▶ CLOSED
//!  RESOLVED / CLOSED ──reopen──▶ OPEN
//! ```
//!
//! Checks run in a fixed order so refusals are predictable: the role table, then the actor's
//! relationship to the ticket (`FORBIDDEN`), then the status (`INVALID_TRANSITION`), then the
//! command's own input (`BAD_USER_INPUT`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::access::Viewer;
use super::casework::needs_follow_up;
use super::intake::{MAX_TEXT_CHARS, optional_text_max, required_text};
use super::vocabulary::{
    ComplaintCategory, ComplaintVerdict, Priority, Severity, SuggestionStatus, TicketEventKind,
    TicketKind, TicketStatus,
};
use crate::DomainError;
use crate::callback::CallbackEffect;
use crate::event::EscalationKind;
use crate::notice::MAX_CUSTOMER_MESSAGE_CHARS;
use crate::permission::{Action, require};
use crate::sla::{Escalation, next_manual_escalation_level, on_classification};

/// What the state machine needs to know about a ticket, as loaded by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    /// Current status.
    pub status: TicketStatus,
    /// The ticket's kind.
    pub kind: TicketKind,
    /// Complaints only.
    pub severity: Option<Severity>,
    /// Complaints only.
    pub category: Option<ComplaintCategory>,
    /// How urgent it is.
    pub priority: Priority,
    /// How often it was reopened.
    pub reopen_count: i32,
    /// First-contact owner: stays accountable after dispatch.
    pub owner_id: Option<Uuid>,
    /// Who is working it now.
    pub assignee_id: Option<Uuid>,
    /// The department it is (or was last) dispatched to.
    pub department_id: Option<Uuid>,
    /// The customer's account, if they have one.
    pub customer_user_id: Option<Uuid>,
    /// Whether a follow-up visit was recorded since the latest resolution.
    pub follow_up_since_resolution: bool,
    /// Whether a satisfaction rating was given since the latest resolution.
    pub rated_since_resolution: bool,
    /// How far the ticket has been escalated: 0 none, 1 supervisor, 2 manager, 3 the
    /// complaint-handling working group.
    pub escalation_level: i32,
    /// A complaint's verdict, once recorded.
    pub verdict: Option<ComplaintVerdict>,
    /// The employees a complaint is about.
    pub involved_staff: Vec<Uuid>,
    /// The department a justified complaint was found to be the responsibility of.
    pub responsible_department_id: Option<Uuid>,
    /// Whether, since the latest resolution, a customer who was not satisfied at the follow-up
    /// visit has been called again (a CALLBACK after the disagreement is done). Loaded only
    /// for [`Command::CloseWithCustomerDisagreeing`]; `false` otherwise.
    pub disagreement_called_back: bool,
    /// The optimistic-concurrency version the facts were read at. Not consulted here: the
    /// storage layer's conditional write is what guards against lost updates.
    pub version: i32,
}

/// Most employees one complaint names.
pub const MAX_INVOLVED_STAFF: usize = 20;

/// Something a person asks to do with a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Name the employees a complaint is about (replacing any named before).
    SetInvolvedStaff {
        /// Their accounts (checked to be active staff by the caller).
        staff: Vec<Uuid>,
    },
    /// Record a complaint's verdict and root cause; revising one needs a reason.
    RecordVerdict {
        /// `Justified` or `Unjustified`.
        verdict: ComplaintVerdict,
        /// What caused it (分析原因).
        root_cause: String,
        /// Why an earlier verdict is revised; required then, ignored the first time.
        reason: Option<String>,
        /// The business department responsible, instead of (or beside) named employees (checked
        /// to exist by the caller); `None` leaves the one recorded before.
        responsible_department: Option<Uuid>,
    },
    /// Give the first response (`NEW` → `OPEN`), optionally with a message to the customer.
    Acknowledge {
        /// Shown to the customer.
        message: Option<String>,
    },
    /// A lead gives the ticket to someone.
    Assign {
        /// The new assignee; whether they are active staff is for the caller to check.
        assignee_id: Uuid,
    },
    /// Take an unassigned ticket for oneself.
    Claim,
    /// Send the ticket to a responsible department (`→ PENDING_DEPARTMENT`).
    Dispatch {
        /// The department.
        department_id: Uuid,
        /// Internal instructions for the department.
        instructions: Option<String>,
    },
    /// The department returns the ticket with its findings (`PENDING_DEPARTMENT` → `OPEN`).
    HandBack {
        /// What the department found; internal.
        findings: String,
    },
    /// Move between `OPEN` and `PENDING_CUSTOMER`.
    SetStatus {
        /// The target status.
        to: TicketStatus,
    },
    /// Tell the customer the solution (`→ RESOLVED`).
    Resolve {
        /// The solution, shown to the customer.
        solution: String,
    },
    /// Reopen a resolved or closed ticket (`→ OPEN`).
    Reopen {
        /// Why, shown on the timeline.
        reason: String,
    },
    /// Record a follow-up visit on a resolved ticket (details are stored by the caller).
    RecordFollowUp {
        /// Whether the customer was satisfied.
        customer_satisfied: bool,
    },
    /// Close a resolved ticket.
    Close,
    /// A lead closes a resolved ticket whose customer still disagrees, once they were called
    /// again after the unsatisfied follow-up (客户仍不接受), with the reason.
    CloseWithCustomerDisagreeing {
        /// Why it closes anyway, on the timeline.
        reason: String,
    },
    /// Rate the service, once per resolution.
    Rate {
        /// 1 to 5.
        rating: i32,
    },
    /// A lead hands first-contact ownership to someone else.
    TransferOwnership {
        /// The new owner.
        to: Uuid,
    },
    /// Add an internal note.
    AddNote {
        /// The note; never shown to customers.
        body: String,
    },
    /// Write to the customer on the timeline (delivered on their channels).
    ReplyToCustomer {
        /// The message.
        body: String,
        /// Also wait for the customer's answer (`OPEN` → `PENDING_CUSTOMER`).
        wait_for_customer: bool,
    },
    /// The customer writes on their own ticket; a ticket waiting for them goes back to `OPEN`.
    CustomerMessage {
        /// What they wrote, at most [`MAX_CUSTOMER_MESSAGE_CHARS`] characters.
        body: String,
    },
    /// Promise the customer an answer by a time (告知客户预计的解答时间).
    PromiseAnswer {
        /// The promised time, in the future.
        at: DateTime<Utc>,
        /// What to tell the customer besides the time.
        message: Option<String>,
    },
    /// Track a suggestion's adoption.
    SetSuggestionStatus {
        /// The new adoption status.
        to: SuggestionStatus,
    },
    /// At the end of a shift, the assignee hands the ticket to a colleague.
    HandOver {
        /// The colleague taking over; whether they are active staff is for the caller to check.
        to: Uuid,
    },
    /// Raise the escalation level by hand (the caller stores the level).
    Escalate {
        /// Why, recorded on the timeline.
        reason: String,
    },
    /// Change what the ticket is after intake; at least one of the four, and a reason.
    Reclassify {
        /// The new kind.
        kind: Option<TicketKind>,
        /// The new severity (complaints).
        severity: Option<Severity>,
        /// The new category (complaints).
        category: Option<ComplaintCategory>,
        /// The new priority.
        priority: Option<Priority>,
        /// Why, on the timeline.
        reason: String,
    },
    /// Add evidence (the files are validated and stored by the caller).
    AddAttachments {
        /// The file names, for the timeline.
        names: Vec<String>,
    },
}

/// What a ticket is after a reclassification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// Kind.
    pub kind: TicketKind,
    /// Severity (complaints only).
    pub severity: Option<Severity>,
    /// Category (complaints only).
    pub category: Option<ComplaintCategory>,
    /// Priority.
    pub priority: Priority,
}

/// A timeline entry to append; the caller adds id, actor and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    /// What happened.
    pub kind: TicketEventKind,
    /// Internal entries are never shown to customers.
    pub internal: bool,
    /// Text attached to the entry (solution, reason, note, reply, …).
    pub message: Option<String>,
    /// Status before, when the status changed.
    pub from_status: Option<TicketStatus>,
    /// Status after, when the status changed.
    pub to_status: Option<TicketStatus>,
}

/// The outcome of an accepted command: the ticket's new values and the events to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The new status (equal to the old one when unchanged).
    pub status: TicketStatus,
    /// The new owner.
    pub owner_id: Option<Uuid>,
    /// The new assignee.
    pub assignee_id: Option<Uuid>,
    /// The new department.
    pub department_id: Option<Uuid>,
    /// Timeline entries to append, at least one, in order.
    pub events: Vec<EventDraft>,
    /// This change is the ticket's first response (stop the first-response SLA clock).
    pub first_response: bool,
    /// The ticket was resolved (stop the resolution clock; reset per-resolution flags).
    pub resolved: bool,
    /// The ticket was reopened (reset follow-up and rating flags; restart the resolution clock).
    pub reopened: bool,
    /// The ticket was closed.
    pub closed: bool,
    /// `Some` when the suggestion status changes; `None` leaves it as stored (the facts do not
    /// carry it, so there is nothing to copy).
    pub suggestion_status: Option<SuggestionStatus>,
    /// `Some` when the change escalates the ticket (by hand, after an unhappy follow-up, or
    /// because of what it was reclassified as): the escalation to record. Its timeline entry
    /// is among [`Change::events`].
    pub escalation: Option<Escalation>,
    /// `Some` when the employees a complaint is about change: the whole new list.
    pub involved_staff: Option<Vec<Uuid>>,
    /// `Some` when a verdict is recorded: the verdict and its root cause.
    pub verdict: Option<(ComplaintVerdict, String)>,
    /// `Some` when the ticket was reclassified: what it is now (the caller recomputes its
    /// SLA targets from the new policy).
    pub reclassified: Option<Classification>,
    /// `Some` when an answer time is promised to the customer.
    pub promised_answer_at: Option<DateTime<Utc>>,
    /// `Some` when a verdict names the department responsible.
    pub responsible_department: Option<Uuid>,
    /// What the change does to the ticket's callbacks.
    pub callbacks: Vec<CallbackEffect>,
    /// The ticket closes with its customer still disagreeing.
    pub closed_disagreeing: bool,
}

/// RESOLVED tickets that are not complaints close by themselves after this many days.
pub const AUTO_CLOSE_DAYS: i64 = 7;

/// Something the system itself does to a ticket, with no person acting (or on behalf of a
/// department whose task the caller has already checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemCommand {
    /// Close a resolved ticket whose grace period of [`AUTO_CLOSE_DAYS`] ended. Complaints are
    /// never closed this way: they close after their follow-up visit.
    AutoClose,
    /// A department answered its task; `returns` when no task is left open, and the ticket
    /// goes back to its owner (`PENDING_DEPARTMENT` → `OPEN`).
    DepartmentAnswered {
        /// The department's name.
        department: String,
        /// Its answer (internal).
        answer: String,
        /// No task is left open.
        returns: bool,
    },
    /// A department has not answered its task by the deadline: the ticket goes to the owner's
    /// supervisor (never lower than it is), whatever its status.
    DepartmentOverdue {
        /// Why, for people (names the department and its deadline).
        reason: String,
    },
    /// The answer time promised to the customer passed while the ticket was still being
    /// worked: escalated like a missed resolution target.
    PromiseBroken {
        /// Why, for people (names the promise).
        reason: String,
    },
    /// A callback or follow-up visit about the ticket passed its due time: to the assignee's
    /// supervisor (level 1 at least).
    CallbackOverdue {
        /// Why, for people (names the callback).
        reason: String,
        /// Who owed it.
        assignee: Uuid,
    },
    /// The customer wrote on an outside channel (a mail to a department mailbox): the same
    /// effects as their message in the app.
    CustomerWrote {
        /// What they wrote.
        body: String,
    },
    /// A department task was cancelled; `returns` as above.
    DepartmentTaskCancelled {
        /// The department's name.
        department: String,
        /// Why.
        reason: String,
        /// No task is left open.
        returns: bool,
    },
}

const ACKNOWLEDGE: &str = "acknowledge";
const ASSIGN: &str = "assign";
const CLAIM: &str = "claim";
const DISPATCH: &str = "dispatch";
const HAND_BACK: &str = "hand back";
const SET_OPEN: &str = "set to OPEN";
const SET_PENDING_CUSTOMER: &str = "set to PENDING_CUSTOMER";
const RESOLVE: &str = "resolve";
const RECORD_FOLLOW_UP: &str = "record a follow-up";
const CLOSE: &str = "close";
const RATE: &str = "rate";
const REOPEN: &str = "reopen";
const TRANSFER_OWNERSHIP: &str = "transfer ownership";
const REPLY: &str = "reply to the customer";
const HAND_OVER: &str = "hand over";
const ESCALATE: &str = "escalate";
const PROMISE: &str = "promise an answer on";
const SET_INVOLVED: &str = "name the employees involved in";

/// The lifecycle moves permitted from `status`, as the verb phrases used in
/// `INVALID_TRANSITION` errors. Notes (allowed in every status), replies (every status but
/// `CLOSED`) and suggestion tracking (any status, suggestions only) are not listed: they never
/// move a ticket along.
pub fn allowed_moves(status: TicketStatus) -> Vec<&'static str> {
    match status {
        TicketStatus::New => vec![ACKNOWLEDGE, ASSIGN, CLAIM, TRANSFER_OWNERSHIP],
        TicketStatus::Open => vec![
            ASSIGN,
            CLAIM,
            DISPATCH,
            SET_PENDING_CUSTOMER,
            RESOLVE,
            TRANSFER_OWNERSHIP,
        ],
        TicketStatus::PendingDepartment => {
            vec![ASSIGN, CLAIM, HAND_BACK, RESOLVE, TRANSFER_OWNERSHIP]
        }
        TicketStatus::PendingCustomer => vec![
            ASSIGN,
            CLAIM,
            DISPATCH,
            SET_OPEN,
            RESOLVE,
            TRANSFER_OWNERSHIP,
        ],
        TicketStatus::Resolved => vec![RECORD_FOLLOW_UP, CLOSE, RATE, REOPEN, TRANSFER_OWNERSHIP],
        TicketStatus::Closed => vec![RATE, REOPEN],
    }
}

/// The customer wrote on their ticket (in the app or by mail): the message joins the timeline
/// and a ticket waiting for them is worked again.
fn customer_wrote(change: &mut Change, from: TicketStatus, body: &str) -> Result<(), DomainError> {
    use TicketStatus::{Closed, Open, PendingCustomer};
    if from == Closed {
        return Err(DomainError::Conflict(
            "this ticket is closed: ask for it to be reopened, or open a new one".to_owned(),
        ));
    }
    let body = required_text("body", "message", body, MAX_CUSTOMER_MESSAGE_CHARS)?;
    change
        .events
        .push(event(TicketEventKind::CustomerMessage, false, Some(body)));
    if from == PendingCustomer {
        change.status = Open;
        change.events.push(EventDraft {
            message: Some("the customer answered".to_owned()),
            ..transition(TicketEventKind::StatusChanged, PendingCustomer, Open)
        });
    }
    Ok(())
}

fn refuse(status: TicketStatus, action: &str) -> DomainError {
    refuse_with(status, action, allowed_moves(status))
}

fn refuse_with(status: TicketStatus, action: &str, allowed: Vec<&'static str>) -> DomainError {
    DomainError::InvalidTransition {
        status: status.as_str().to_owned(),
        action: action.to_owned(),
        allowed: allowed.into_iter().map(str::to_owned).collect(),
    }
}

fn require_status(
    t: &TicketFacts,
    permitted: &[TicketStatus],
    action: &str,
) -> Result<(), DomainError> {
    if permitted.contains(&t.status) {
        Ok(())
    } else {
        Err(refuse(t.status, action))
    }
}

fn permission_for(cmd: &Command) -> Action {
    match cmd {
        Command::Acknowledge { .. } => Action::AcknowledgeTicket,
        Command::Assign { .. } => Action::AssignTicket,
        Command::Claim => Action::ClaimTicket,
        Command::Dispatch { .. } => Action::DispatchTicket,
        Command::HandBack { .. } | Command::AddNote { .. } => Action::AddInternalNote,
        Command::ReplyToCustomer { .. } => Action::ReplyToCustomer,
        Command::CustomerMessage { .. } => Action::PostCustomerMessage,
        Command::PromiseAnswer { .. } => Action::PromiseAnswer,
        Command::SetStatus { .. } | Command::Resolve { .. } | Command::Close => Action::WorkTicket,
        Command::CloseWithCustomerDisagreeing { .. } => Action::CloseWithCustomerDisagreeing,
        Command::Reopen { .. } => Action::ReopenTicket,
        Command::RecordFollowUp { .. } => Action::RecordFollowUp,
        Command::Rate { .. } => Action::RateTicket,
        Command::TransferOwnership { .. } => Action::TransferOwnership,
        Command::SetSuggestionStatus { .. } => Action::SetSuggestionStatus,
        Command::HandOver { .. } => Action::RecordHandover,
        Command::Escalate { .. } => Action::EscalateTicket,
        Command::SetInvolvedStaff { .. } => Action::SetInvolvedStaff,
        Command::RecordVerdict { .. } => Action::RecordComplaintVerdict,
        Command::Reclassify { .. } => Action::ReclassifyTicket,
        Command::AddAttachments { .. } => Action::AddEvidence,
    }
}

/// Rules about who the actor is to this ticket, on top of the role table.
fn check_relationship(t: &TicketFacts, actor: &Viewer, cmd: &Command) -> Result<(), DomainError> {
    if !actor.roles.is_staff() {
        // The role table leaves customers only Reopen, Rate and adding evidence; all for their
        // own ticket.
        if !actor.is_customer_of(t) {
            return Err(DomainError::forbidden(
                "you may only act on your own tickets",
            ));
        }
    } else if !actor.is_frontline() && !actor.is_liaison_for(t) {
        // Liaisons without a frontline role work only on what was dispatched to them.
        return Err(DomainError::forbidden(
            "this ticket is not dispatched to your department",
        ));
    }
    match cmd {
        Command::HandBack { .. } if !actor.is_lead() && !actor.is_liaison_for(t) => {
            Err(DomainError::forbidden(
                "only a liaison of the department the ticket was dispatched to, or a team lead, may hand it back",
            ))
        }
        Command::HandOver { .. } if !actor.is_lead() && t.assignee_id != Some(actor.user_id) => {
            Err(DomainError::forbidden(
                "only the ticket's assignee or a team lead may hand it over",
            ))
        }
        Command::Resolve { .. }
            if !actor.is_lead()
                && t.owner_id != Some(actor.user_id)
                && t.assignee_id != Some(actor.user_id) =>
        {
            Err(DomainError::forbidden(
                "only the ticket's owner, its assignee or a team lead may resolve it",
            ))
        }
        Command::Reclassify { .. }
            if !actor.is_lead()
                && t.owner_id != Some(actor.user_id)
                && t.assignee_id != Some(actor.user_id) =>
        {
            Err(DomainError::forbidden(
                "only the ticket's owner, its assignee or a team lead may reclassify it",
            ))
        }
        Command::SetInvolvedStaff { .. }
            if !actor.is_lead() && t.owner_id != Some(actor.user_id) =>
        {
            Err(DomainError::forbidden(
                "only the complaint's owner or a team lead may name the employees involved",
            ))
        }
        Command::RecordVerdict { .. } if t.involved_staff.contains(&actor.user_id) => Err(
            DomainError::forbidden("an employee a complaint is about does not decide its verdict"),
        ),
        _ => Ok(()),
    }
}

fn has_verdict(t: &TicketFacts) -> bool {
    matches!(
        t.verdict,
        Some(ComplaintVerdict::Justified | ComplaintVerdict::Unjustified)
    )
}

fn require_complaint(t: &TicketFacts, field: &str, message: &str) -> Result<(), DomainError> {
    if t.kind == TicketKind::Complaint {
        Ok(())
    } else {
        Err(DomainError::invalid(field, message))
    }
}

fn event(kind: TicketEventKind, internal: bool, message: Option<String>) -> EventDraft {
    EventDraft {
        kind,
        internal,
        message,
        from_status: None,
        to_status: None,
    }
}

fn transition(kind: TicketEventKind, from: TicketStatus, to: TicketStatus) -> EventDraft {
    EventDraft {
        from_status: Some(from),
        to_status: Some(to),
        ..event(kind, false, None)
    }
}

fn text(field: &str, label: &str, value: &str) -> Result<String, DomainError> {
    required_text(field, label, value, MAX_TEXT_CHARS)
}

/// Decides what a [`SystemCommand`] changes; refused like a person's command when the ticket is
/// not in a state that allows it.
pub fn decide_system(t: &TicketFacts, cmd: SystemCommand) -> Result<Change, DomainError> {
    let mut change = unchanged(t);
    match cmd {
        SystemCommand::AutoClose => {
            require_status(t, &[TicketStatus::Resolved], CLOSE)?;
            if needs_follow_up(t.kind) {
                return Err(DomainError::Conflict(
                    "this kind closes after its follow-up visit, not by itself".to_owned(),
                ));
            }
            change.status = TicketStatus::Closed;
            change.closed = true;
            change.callbacks.push(CallbackEffect::CancelAll);
            change.events.push(EventDraft {
                message: Some(format!(
                    "closed automatically {AUTO_CLOSE_DAYS} days after resolution"
                )),
                ..transition(
                    TicketEventKind::Closed,
                    TicketStatus::Resolved,
                    TicketStatus::Closed,
                )
            });
        }
        SystemCommand::DepartmentAnswered {
            department,
            answer,
            returns,
        } => {
            require_status(t, &[TicketStatus::PendingDepartment], HAND_BACK)?;
            let answer = text("answer", "answer", &answer)?;
            change.events.push(event(
                TicketEventKind::DepartmentAnswered,
                true,
                Some(format!("{department}: {answer}")),
            ));
            if returns {
                return_to_owner(&mut change, "every department has answered");
            }
        }
        SystemCommand::CustomerWrote { body } => customer_wrote(&mut change, t.status, &body)?,
        SystemCommand::DepartmentOverdue { reason } | SystemCommand::PromiseBroken { reason } => {
            let escalation = crate::sla::department_overdue(t.escalation_level, reason);
            change.events.push(escalation.entry());
            change.escalation = Some(escalation);
        }
        SystemCommand::CallbackOverdue { reason, assignee } => {
            require_status(
                t,
                &[
                    TicketStatus::New,
                    TicketStatus::Open,
                    TicketStatus::PendingDepartment,
                    TicketStatus::PendingCustomer,
                    TicketStatus::Resolved,
                ],
                "escalate an overdue callback on",
            )?;
            let escalation = Escalation {
                about: Some(assignee),
                ..Escalation::new(
                    t.escalation_level.max(1),
                    EscalationKind::CallbackOverdue,
                    reason,
                )
            };
            change.events.push(escalation.entry());
            change.escalation = Some(escalation);
        }
        SystemCommand::DepartmentTaskCancelled {
            department,
            reason,
            returns,
        } => {
            require_status(t, &[TicketStatus::PendingDepartment], HAND_BACK)?;
            let reason = text("reason", "reason", &reason)?;
            change.events.push(event(
                TicketEventKind::NoteAdded,
                true,
                Some(format!("task for {department} cancelled: {reason}")),
            ));
            if returns {
                return_to_owner(&mut change, "no department task is left open");
            }
        }
    }
    Ok(change)
}

/// What the ticket becomes: given values replace the current ones; a complaint keeps (or
/// needs) a category and gets a severity (GENERAL by default), other kinds carry neither.
fn reclassification(
    t: &TicketFacts,
    kind: Option<TicketKind>,
    severity: Option<Severity>,
    category: Option<ComplaintCategory>,
    priority: Option<Priority>,
) -> Result<Classification, DomainError> {
    let kind = kind.unwrap_or(t.kind);
    if kind == TicketKind::Complaint {
        let category = category.or(t.category).ok_or_else(|| {
            DomainError::invalid("input.category", "a complaint needs a category")
        })?;
        Ok(Classification {
            kind,
            severity: Some(severity.or(t.severity).unwrap_or(Severity::General)),
            category: Some(category),
            priority: priority.unwrap_or(t.priority),
        })
    } else {
        if severity.is_some() {
            return Err(DomainError::invalid(
                "input.severity",
                "only complaints have a severity",
            ));
        }
        if category.is_some() {
            return Err(DomainError::invalid(
                "input.category",
                "only complaints have a category",
            ));
        }
        Ok(Classification {
            kind,
            severity: None,
            category: None,
            priority: priority.unwrap_or(t.priority),
        })
    }
}

/// The change that changes nothing yet.
fn unchanged(t: &TicketFacts) -> Change {
    Change {
        status: t.status,
        owner_id: t.owner_id,
        assignee_id: t.assignee_id,
        department_id: t.department_id,
        events: Vec::new(),
        first_response: false,
        resolved: false,
        reopened: false,
        closed: false,
        suggestion_status: None,
        escalation: None,
        involved_staff: None,
        verdict: None,
        reclassified: None,
        promised_answer_at: None,
        responsible_department: None,
        callbacks: Vec::new(),
        closed_disagreeing: false,
    }
}

/// `PENDING_DEPARTMENT` → `OPEN`: back to the owner.
fn return_to_owner(change: &mut Change, why: &str) {
    change.status = TicketStatus::Open;
    change.events.push(EventDraft {
        message: Some(format!("{why}; back to its owner")),
        ..transition(
            TicketEventKind::StatusChanged,
            TicketStatus::PendingDepartment,
            TicketStatus::Open,
        )
    });
}

/// The command's own arguments — lengths, ranges, list sizes — whatever the ticket. Checked
/// before the ticket is even loaded (and again first thing in [`decide`]), so that a bad
/// argument is `BAD_USER_INPUT` on a ticket that does not exist, may not be touched or is in
/// the wrong state alike: authentication → arguments → existence → permission → state.
pub fn check_arguments(cmd: &Command) -> Result<(), DomainError> {
    match cmd {
        Command::Acknowledge { message } => {
            optional_text_max("message", "message", message.as_deref(), MAX_TEXT_CHARS)?;
        }
        Command::Dispatch { instructions, .. } => {
            optional_text_max(
                "instructions",
                "instructions",
                instructions.as_deref(),
                MAX_TEXT_CHARS,
            )?;
        }
        Command::HandBack { findings } => {
            text("findings", "findings", findings)?;
        }
        Command::Resolve { solution } => {
            text("solution", "solution", solution)?;
        }
        Command::Reopen { reason }
        | Command::Escalate { reason }
        | Command::CloseWithCustomerDisagreeing { reason } => {
            text("reason", "reason", reason)?;
        }
        Command::Rate { rating } => {
            if !(1..=5).contains(rating) {
                return Err(DomainError::invalid(
                    "rating",
                    "rating must be between 1 and 5",
                ));
            }
        }
        Command::AddNote { body } => {
            text("body", "note", body)?;
        }
        Command::ReplyToCustomer { body, .. } => {
            text("body", "reply", body)?;
        }
        Command::CustomerMessage { body } => {
            required_text("body", "message", body, MAX_CUSTOMER_MESSAGE_CHARS)?;
        }
        Command::PromiseAnswer { message, .. } => {
            optional_text_max("message", "message", message.as_deref(), MAX_TEXT_CHARS)?;
        }
        Command::SetInvolvedStaff { staff } => {
            if staff.len() > MAX_INVOLVED_STAFF {
                return Err(DomainError::invalid(
                    "userIds",
                    format!("name at most {MAX_INVOLVED_STAFF} employees"),
                ));
            }
        }
        Command::RecordVerdict {
            root_cause, reason, ..
        } => {
            text("rootCause", "the root cause", root_cause)?;
            optional_text_max("reason", "reason", reason.as_deref(), MAX_TEXT_CHARS)?;
        }
        Command::Reclassify { reason, .. } => {
            text("input.reason", "reason", reason)?;
        }
        Command::Assign { .. }
        | Command::Claim
        | Command::SetStatus { .. }
        | Command::RecordFollowUp { .. }
        | Command::Close
        | Command::TransferOwnership { .. }
        | Command::SetSuggestionStatus { .. }
        | Command::HandOver { .. }
        | Command::AddAttachments { .. } => {}
    }
    Ok(())
}

/// Decides whether `actor` may apply `cmd` to the ticket described by `t`, and if so what
/// changes. Pure: nothing is written; the caller persists the [`Change`] with a version check.
/// `now` is part of the contract so that time-dependent rules can be added without touching
/// callers; none of the current rules needs it.
pub fn decide(
    t: &TicketFacts,
    actor: &Viewer,
    cmd: &Command,
    now: DateTime<Utc>,
) -> Result<Change, DomainError> {
    check_arguments(cmd)?;
    require(actor.roles, permission_for(cmd))?;
    check_relationship(t, actor, cmd)?;

    use TicketStatus::*;
    let from = t.status;
    let mut change = unchanged(t);
    let working = [New, Open, PendingDepartment, PendingCustomer];

    match cmd {
        Command::Acknowledge { message } => {
            require_status(t, &[New], ACKNOWLEDGE)?;
            let message =
                optional_text_max("message", "message", message.as_deref(), MAX_TEXT_CHARS)?;
            change.status = Open;
            change.first_response = true;
            // Whoever responds first is accountable unless someone already is.
            change.owner_id = t.owner_id.or(Some(actor.user_id));
            change.assignee_id = t.assignee_id.or(Some(actor.user_id));
            change.events.push(EventDraft {
                message,
                ..transition(TicketEventKind::Acknowledged, from, Open)
            });
        }
        Command::Assign { assignee_id } => {
            require_status(t, &working, ASSIGN)?;
            change.assignee_id = Some(*assignee_id);
            change
                .events
                .push(event(TicketEventKind::Assigned, true, None));
        }
        Command::Claim => {
            require_status(t, &working, CLAIM)?;
            if let Some(current) = t.assignee_id {
                let message = if current == actor.user_id {
                    "you already hold this ticket"
                } else {
                    "this ticket is already assigned to someone else"
                };
                return Err(DomainError::Conflict(message.to_owned()));
            }
            change.assignee_id = Some(actor.user_id);
            change.owner_id = t.owner_id.or(Some(actor.user_id));
            change
                .events
                .push(event(TicketEventKind::Assigned, true, None));
        }
        Command::Dispatch {
            department_id,
            instructions,
        } => {
            require_status(t, &[Open, PendingCustomer], DISPATCH)?;
            let instructions = optional_text_max(
                "instructions",
                "instructions",
                instructions.as_deref(),
                MAX_TEXT_CHARS,
            )?;
            change.status = PendingDepartment;
            // The owner stays: first-contact responsibility survives dispatch.
            change.department_id = Some(*department_id);
            change.events.push(transition(
                TicketEventKind::Dispatched,
                from,
                PendingDepartment,
            ));
            if let Some(instructions) = instructions {
                change
                    .events
                    .push(event(TicketEventKind::NoteAdded, true, Some(instructions)));
            }
        }
        Command::HandBack { findings } => {
            require_status(t, &[PendingDepartment], HAND_BACK)?;
            let findings = text("findings", "findings", findings)?;
            change.status = Open;
            // The department stays recorded so its liaisons can still read what they worked on;
            // a later dispatch elsewhere replaces it.
            change
                .events
                .push(transition(TicketEventKind::StatusChanged, from, Open));
            change
                .events
                .push(event(TicketEventKind::NoteAdded, true, Some(findings)));
        }
        Command::SetStatus { to } => {
            match (from, *to) {
                (Open, PendingCustomer) | (PendingCustomer, Open) => {}
                _ => return Err(refuse(from, &format!("set to {to}"))),
            }
            change.status = *to;
            change
                .events
                .push(transition(TicketEventKind::StatusChanged, from, *to));
        }
        Command::Resolve { solution } => {
            require_status(t, &[Open, PendingDepartment, PendingCustomer], RESOLVE)?;
            let solution = text("solution", "solution", solution)?;
            change.status = Resolved;
            change.resolved = true;
            change.events.push(EventDraft {
                message: Some(solution),
                ..transition(TicketEventKind::Resolved, from, Resolved)
            });
            if needs_follow_up(t.kind) {
                change.callbacks.push(CallbackEffect::ScheduleFollowUp);
            }
        }
        Command::Close => {
            require_status(t, &[Resolved], CLOSE)?;
            if t.kind == TicketKind::Complaint && !has_verdict(t) {
                // Every complaint gets its cause analysed before it is closed.
                let allowed = allowed_moves(from)
                    .into_iter()
                    .filter(|m| *m != CLOSE)
                    .collect();
                return Err(refuse_with(
                    from,
                    "close (a complaint needs a recorded verdict and root cause first)",
                    allowed,
                ));
            }
            if needs_follow_up(t.kind) && !t.follow_up_since_resolution {
                // The closed loop: complaints and repairs close only after the follow-up visit.
                let allowed = allowed_moves(from)
                    .into_iter()
                    .filter(|m| *m != CLOSE)
                    .collect();
                return Err(refuse_with(
                    from,
                    &format!(
                        "close (a {} needs a recorded follow-up visit first)",
                        t.kind
                    ),
                    allowed,
                ));
            }
            change.status = Closed;
            change.closed = true;
            change.callbacks.push(CallbackEffect::CancelAll);
            change
                .events
                .push(transition(TicketEventKind::Closed, from, Closed));
        }
        Command::CloseWithCustomerDisagreeing { reason } => {
            require_status(t, &[Resolved], CLOSE)?;
            let reason = text("reason", "reason", reason)?;
            if t.kind == TicketKind::Complaint && !has_verdict(t) {
                return Err(refuse_with(
                    from,
                    "close (a complaint needs a recorded verdict and root cause first)",
                    allowed_moves(from)
                        .into_iter()
                        .filter(|m| *m != CLOSE)
                        .collect(),
                ));
            }
            if !t.disagreement_called_back {
                return Err(DomainError::Conflict(
                    "the customer has to be called again after the unsatisfied follow-up (a CALLBACK done) before the ticket closes with them disagreeing".to_owned(),
                ));
            }
            change.status = Closed;
            change.closed = true;
            change.closed_disagreeing = true;
            change.callbacks.push(CallbackEffect::CancelAll);
            change.events.push(EventDraft {
                message: Some(format!(
                    "closed with the customer still disagreeing: {reason}"
                )),
                ..transition(TicketEventKind::Closed, from, Closed)
            });
        }
        Command::RecordFollowUp { customer_satisfied } => {
            require_status(t, &[Resolved], RECORD_FOLLOW_UP)?;
            let outcome = if *customer_satisfied {
                "customer satisfied"
            } else {
                "customer not satisfied"
            };
            change.events.push(event(
                TicketEventKind::FollowUpRecorded,
                false,
                Some(outcome.to_owned()),
            ));
            change.callbacks.push(CallbackEffect::FollowUpDone {
                satisfied: *customer_satisfied,
            });
            // An unhappy customer does not reopen the ticket by itself: it stays resolved and
            // someone calls them again (换时间换客服代表再次致电解释); the agent may still reopen.
            // A customer still unhappy after a reopen goes to a lead as well.
            if !*customer_satisfied && t.reopen_count >= 1 {
                let escalation = Escalation::new(
                    next_manual_escalation_level(t.escalation_level).unwrap_or(t.escalation_level),
                    EscalationKind::Manual,
                    "still not satisfied after a reopen",
                );
                change.events.push(escalation.entry());
                change.escalation = Some(escalation);
            }
        }
        Command::Reopen { reason } => {
            require_status(t, &[Resolved, Closed], REOPEN)?;
            let reason = text("reason", "reason", reason)?;
            change.status = Open;
            change.reopened = true;
            change.callbacks.push(CallbackEffect::CancelFollowUp);
            change.events.push(EventDraft {
                message: Some(reason),
                ..transition(TicketEventKind::Reopened, from, Open)
            });
        }
        Command::Rate { rating } => {
            require_status(t, &[Resolved, Closed], RATE)?;
            if t.rated_since_resolution {
                return Err(DomainError::Conflict(
                    "this resolution has already been rated".to_owned(),
                ));
            }
            if !(1..=5).contains(rating) {
                return Err(DomainError::invalid(
                    "rating",
                    "rating must be between 1 and 5",
                ));
            }
            change.events.push(event(
                TicketEventKind::Rated,
                false,
                Some(format!("{rating}/5")),
            ));
        }
        Command::TransferOwnership { to } => {
            if from == Closed {
                return Err(refuse(from, TRANSFER_OWNERSHIP));
            }
            if t.owner_id == Some(*to) {
                return Err(DomainError::invalid(
                    "toUserId",
                    "that person already owns this ticket",
                ));
            }
            change.owner_id = Some(*to);
            change.events.push(event(
                TicketEventKind::Assigned,
                true,
                Some("first-contact ownership transferred".to_owned()),
            ));
        }
        Command::AddNote { body } => {
            let body = text("body", "note", body)?;
            change
                .events
                .push(event(TicketEventKind::NoteAdded, true, Some(body)));
        }
        Command::ReplyToCustomer {
            body,
            wait_for_customer,
        } => {
            if from == Closed {
                return Err(refuse(from, REPLY));
            }
            if *wait_for_customer {
                require_status(t, &[Open, PendingCustomer], SET_PENDING_CUSTOMER)?;
            }
            let body = text("body", "reply", body)?;
            change
                .events
                .push(event(TicketEventKind::CustomerReply, false, Some(body)));
            if *wait_for_customer && from == Open {
                change.status = PendingCustomer;
                change.events.push(transition(
                    TicketEventKind::StatusChanged,
                    Open,
                    PendingCustomer,
                ));
            }
        }
        Command::CustomerMessage { body } => customer_wrote(&mut change, from, body)?,
        Command::PromiseAnswer { at, message } => {
            require_status(t, &working, PROMISE)?;
            if *at <= now {
                return Err(DomainError::invalid(
                    "at",
                    "the promised answer time must be in the future",
                ));
            }
            let message =
                optional_text_max("message", "message", message.as_deref(), MAX_TEXT_CHARS)?;
            change.promised_answer_at = Some(*at);
            change
                .events
                .push(event(TicketEventKind::AnswerPromised, false, message));
        }
        Command::HandOver { to } => {
            require_status(t, &working, HAND_OVER)?;
            if t.assignee_id == Some(*to) {
                return Err(DomainError::invalid(
                    "input.toUserId",
                    "that person already holds this ticket",
                ));
            }
            change.assignee_id = Some(*to);
            change.events.push(event(
                TicketEventKind::Assigned,
                true,
                Some("handed over at the end of a shift".to_owned()),
            ));
        }
        Command::SetInvolvedStaff { staff } => {
            require_complaint(t, "ticketId", "only complaints name the employees involved")?;
            require_status(
                t,
                &[New, Open, PendingDepartment, PendingCustomer, Resolved],
                SET_INVOLVED,
            )?;
            if has_verdict(t) {
                // The verdict was reached about these people; moving it onto others would
                // rewrite whom it counts against.
                return Err(DomainError::Conflict(
                    "the verdict is recorded; the employees it names no longer change".to_owned(),
                ));
            }
            let mut named: Vec<Uuid> = Vec::with_capacity(staff.len());
            for id in staff {
                if !named.contains(id) {
                    named.push(*id);
                }
            }
            if named.len() > MAX_INVOLVED_STAFF {
                return Err(DomainError::invalid(
                    "userIds",
                    format!("name at most {MAX_INVOLVED_STAFF} employees"),
                ));
            }
            if t.involved_staff.contains(&actor.user_id) && !named.contains(&actor.user_id) {
                return Err(DomainError::forbidden(
                    "an employee a complaint names does not take themselves off it",
                ));
            }
            let added: Vec<String> = named
                .iter()
                .filter(|id| !t.involved_staff.contains(id))
                .map(Uuid::to_string)
                .collect();
            let removed: Vec<String> = t
                .involved_staff
                .iter()
                .filter(|id| !named.contains(id))
                .map(Uuid::to_string)
                .collect();
            let message = format!(
                "{} employee(s) involved; added [{}], removed [{}]",
                named.len(),
                added.join(", "),
                removed.join(", ")
            );
            change.involved_staff = Some(named);
            change.events.push(event(
                TicketEventKind::InvolvedStaffSet,
                true,
                Some(message),
            ));
        }
        Command::RecordVerdict {
            verdict,
            root_cause,
            reason,
            responsible_department,
        } => {
            require_complaint(t, "ticketId", "only complaints get a verdict")?;
            if *verdict == ComplaintVerdict::Pending {
                return Err(DomainError::invalid(
                    "verdict",
                    "record JUSTIFIED or UNJUSTIFIED",
                ));
            }
            let department = responsible_department.or(t.responsible_department_id);
            if *verdict == ComplaintVerdict::Justified
                && t.involved_staff.is_empty()
                && department.is_none()
            {
                // A justified complaint counts against someone: the employees involved, or the
                // business department responsible (a product fault with nobody at fault).
                return Err(DomainError::invalid(
                    "verdict",
                    "name the employees involved or the department responsible before finding the complaint justified",
                ));
            }
            let root_cause = text("rootCause", "the root cause", root_cause)?;
            let message = if has_verdict(t) {
                let reason =
                    optional_text_max("reason", "reason", reason.as_deref(), MAX_TEXT_CHARS)?
                        .ok_or_else(|| {
                            DomainError::invalid("reason", "revising a verdict needs a reason")
                        })?;
                format!("verdict revised to {verdict}: {root_cause} (why: {reason})")
            } else {
                format!("verdict {verdict}: {root_cause}")
            };
            change.verdict = Some((*verdict, root_cause));
            change.responsible_department = *responsible_department;
            change
                .events
                .push(event(TicketEventKind::VerdictRecorded, true, Some(message)));
        }
        Command::Escalate { reason } => {
            require_status(t, &working, ESCALATE)?;
            let reason = text("reason", "reason", reason)?;
            let level = next_manual_escalation_level(t.escalation_level)?;
            let escalation = Escalation::new(level, EscalationKind::Manual, reason);
            change.events.push(escalation.entry());
            change.escalation = Some(escalation);
        }
        Command::Reclassify {
            kind,
            severity,
            category,
            priority,
            reason,
        } => {
            if from == Closed {
                return Err(refuse(from, "reclassify"));
            }
            let reason = text("input.reason", "reason", reason)?;
            let now = reclassification(t, *kind, *severity, *category, *priority)?;
            let was = Classification {
                kind: t.kind,
                severity: t.severity,
                category: t.category,
                priority: t.priority,
            };
            if now == was {
                return Err(DomainError::invalid(
                    "input",
                    "nothing changes: give a new kind, severity, category or priority",
                ));
            }
            let describe = |c: &Classification| {
                let mut parts = vec![c.kind.to_string()];
                parts.extend(c.severity.map(|s| s.to_string()));
                parts.extend(c.category.map(|c| c.to_string()));
                parts.push(c.priority.to_string());
                parts.join(" / ")
            };
            change.events.push(event(
                TicketEventKind::Reclassified,
                true,
                Some(format!("{} → {}: {reason}", describe(&was), describe(&now))),
            ));
            // What it is now may call for an escalation at once, by the rule intake follows too.
            if let Some(escalation) = on_classification(
                now.kind,
                now.severity,
                now.priority,
                t.escalation_level,
                false,
            ) {
                change.events.push(escalation.entry());
                change.escalation = Some(escalation);
            }
            change.reclassified = Some(now);
        }
        Command::AddAttachments { names } => {
            if from == Closed {
                return Err(refuse(from, "add attachments to"));
            }
            if names.is_empty() {
                return Err(DomainError::invalid("attachments", "add at least one file"));
            }
            change.events.push(event(
                TicketEventKind::AttachmentsAdded,
                false,
                Some(format!(
                    "{} file(s) added: {}",
                    names.len(),
                    names.join(", ")
                )),
            ));
        }
        Command::SetSuggestionStatus { to } => {
            if t.kind != TicketKind::Suggestion {
                return Err(DomainError::invalid(
                    "status",
                    "only suggestions have an adoption status",
                ));
            }
            change.suggestion_status = Some(*to);
            change.events.push(event(
                TicketEventKind::StatusChanged,
                false,
                Some(format!("suggestion {to}")),
            ));
        }
    }
    Ok(change)
}

#[cfg(test)]
mod tests;
