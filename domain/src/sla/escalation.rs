//! Escalation thresholds. A target of `A` business minutes warns at 80 % of `A`, breaches at
//! the due time (escalation level 1, the supervisor) and reaches level 2 (the manager) at
//! 150 % of `A`. The `*_at` functions give the instants, so a worker can index tickets by
//! the next threshold instead of recomputing every ticket on every tick; [`escalation_stage`]
//! is defined from the same instants, so the two can never disagree.
//!
//! [`Escalation`] is the one value every path produces — SLA stages, department deadlines, by
//! hand, and the classification rule ([`on_classification`]) that intake and reclassification
//! share — and the one writer stores.

use chrono::{DateTime, Utc};

use super::BusinessCalendar;
use crate::DomainError;
use crate::event::{EscalationKind, SlaTarget};
use crate::ticket::{EventDraft, Priority, Severity, TicketEventKind, TicketKind};

/// An escalation to record: the level the ticket is at once it is recorded, why, and the
/// timeline entry that tells it. Every path that escalates produces this value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    /// The ticket's escalation level once this is recorded.
    pub level: i32,
    /// Why, as a category.
    pub kind: EscalationKind,
    /// The response-time target that crossed a threshold, for SLA escalations.
    pub target: Option<SlaTarget>,
    /// Why, for people.
    pub reason: String,
    /// The kind of the (internal) timeline entry that goes with it.
    pub event: TicketEventKind,
    /// The person whose lateness caused it (a callback's assignee, a corrective action's
    /// responsible person), when routing follows that person rather than the ticket's team.
    pub about: Option<uuid::Uuid>,
    /// Where it goes: set by the application from the organisation's facts
    /// ([`super::routing::recipients`]) before the one writer stores it.
    pub route: Option<Route>,
}

/// An escalation's identity and the people it was routed to, decided before it is stored so
/// that its row, its recipients, its event and their inbox entries all name the same id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The escalation's id.
    pub id: uuid::Uuid,
    /// Who hears of it and may acknowledge it (besides managers and admins), once each.
    pub recipients: Vec<uuid::Uuid>,
}

impl Escalation {
    /// An escalation told on the timeline as `ESCALATED`.
    pub fn new(level: i32, kind: EscalationKind, reason: impl Into<String>) -> Self {
        Escalation {
            level,
            kind,
            target: None,
            reason: reason.into(),
            event: TicketEventKind::Escalated,
            about: None,
            route: None,
        }
    }

    /// Routes it by `facts` ([`super::routing::recipients`]) under a fresh id.
    pub fn route_by(&mut self, facts: &super::RoutingFacts) {
        self.route = Some(Route {
            id: uuid::Uuid::now_v7(),
            recipients: super::routing::recipients(self, facts),
        });
    }

    /// The people it was routed to (none before it is routed).
    pub fn recipients(&self) -> &[uuid::Uuid] {
        self.route.as_ref().map_or(&[], |r| r.recipients.as_slice())
    }

    /// Its internal timeline entry.
    pub fn entry(&self) -> EventDraft {
        EventDraft {
            kind: self.event,
            internal: true,
            message: Some(self.reason.clone()),
            from_status: None,
            to_status: None,
        }
    }
}

/// What a ticket's classification calls for at once (立即上报), at intake and on reclassification
/// alike, for a ticket now at `current_level`:
/// - a complaint that is `MAJOR` goes to the complaint-handling working group (level 3);
/// - so does a complaint whose priority is `URGENT` (a MAJOR complaint is always URGENT);
/// - any other ticket that is `URGENT` goes to the supervisor (level 1);
/// - a ticket already at that level or above is not escalated again.
///
/// `intake` only words the reason.
pub fn on_classification(
    kind: TicketKind,
    severity: Option<Severity>,
    priority: Priority,
    current_level: i32,
    intake: bool,
) -> Option<Escalation> {
    let complaint = kind == TicketKind::Complaint;
    let (level, escalation_kind, what) = if complaint && severity == Some(Severity::Major) {
        (
            MAX_ESCALATION_LEVEL,
            EscalationKind::MajorComplaint,
            "major complaint",
        )
    } else if complaint && priority == Priority::Urgent {
        (
            MAX_ESCALATION_LEVEL,
            EscalationKind::UrgentComplaint,
            "urgent complaint",
        )
    } else if priority == Priority::Urgent {
        (1, EscalationKind::Manual, "urgent")
    } else {
        return None;
    };
    if current_level >= level {
        return None;
    }
    let to = if level == MAX_ESCALATION_LEVEL {
        "the complaint-handling working group"
    } else {
        "the supervisor"
    };
    let reason = if intake {
        format!("{what}: escalated to {to} at intake")
    } else {
        format!("reclassified as {what}: escalated to {to}")
    };
    Some(Escalation::new(level, escalation_kind, reason))
}

/// The escalation when a department has not answered its task by the deadline: the ticket
/// goes to the owner's supervisor (level 1), never lower than it already is.
pub fn department_overdue(current_level: i32, reason: impl Into<String>) -> Escalation {
    Escalation::new(current_level.max(1), EscalationKind::SlaBreach, reason)
}

/// The highest escalation level: the complaint-handling working group.
pub const MAX_ESCALATION_LEVEL: i32 = 3;

/// How far a clock has run against its target. Ordered, so "has it got worse?" is a
/// comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Less than 80 % of the target used.
    None,
    /// At least 80 % used: warn the assignee and the team supervisor.
    Warning,
    /// The due time has passed: escalation level 1 (supervisor).
    Breach,
    /// At least 150 % used: escalation level 2 (manager).
    Level2,
}

/// The target in whole business minutes between the clock's start and its due time.
fn allowed_minutes(start: DateTime<Utc>, due: DateTime<Utc>, cal: &BusinessCalendar) -> i64 {
    cal.business_minutes_between(start, due)
}

/// When 80 % of the business time from `start` to `due` has elapsed (rounded up to the next
/// whole minute), and never after `due`.
pub fn warning_at(
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    cal: &BusinessCalendar,
) -> DateTime<Utc> {
    let allowed = allowed_minutes(start, due, cal);
    // ceil(0.8 × allowed) in integers.
    let minutes = allowed.saturating_mul(4).saturating_add(4) / 5;
    cal.add_business_minutes(start, minutes).min(due)
}

/// When the target is breached: the due time itself. A due time that falls in closed hours
/// is not overdue until it actually passes.
pub fn breach_at(
    _start: DateTime<Utc>,
    due: DateTime<Utc>,
    _cal: &BusinessCalendar,
) -> DateTime<Utc> {
    due
}

/// When 150 % of the business time from `start` to `due` has elapsed (rounded up to the
/// next whole minute), and never before `due`.
pub fn level2_at(
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    cal: &BusinessCalendar,
) -> DateTime<Utc> {
    let allowed = allowed_minutes(start, due, cal);
    // ceil(1.5 × allowed) in integers.
    let minutes = allowed.saturating_mul(3).saturating_add(1) / 2;
    cal.add_business_minutes(start, minutes).max(due)
}

/// The stage a clock started at `start` and due at `due` has reached at `now`.
///
/// Equivalent to comparing elapsed business minutes with 80 % and 150 % of the allowed
/// minutes (plus "past due" for the breach). When thresholds coincide (e.g. no business
/// time at all between `start` and `due`) the highest one reached wins. Before `start`
/// nothing has elapsed.
pub fn escalation_stage(
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    cal: &BusinessCalendar,
) -> Stage {
    if now < start {
        return Stage::None;
    }
    if now >= level2_at(start, due, cal) {
        Stage::Level2
    } else if now >= breach_at(start, due, cal) {
        Stage::Breach
    } else if now >= warning_at(start, due, cal) {
        Stage::Warning
    } else {
        Stage::None
    }
}

/// The level a ticket at escalation level `current` moves to when staff escalate it by hand:
/// one up. A ticket already with the complaint-handling working group (level
/// [`MAX_ESCALATION_LEVEL`]) cannot go higher: that is a [`DomainError::Conflict`].
pub fn next_manual_escalation_level(current: i32) -> Result<i32, DomainError> {
    if current >= MAX_ESCALATION_LEVEL {
        return Err(DomainError::Conflict(
            "the ticket is already with the complaint-handling working group (level 3)".to_owned(),
        ));
    }
    Ok(current + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_classification_rule_for_intake_and_reclassification() {
        use EscalationKind as K;
        use Priority::{High, Normal, Urgent};
        let level = |kind, severity, priority, current| {
            on_classification(kind, severity, priority, current, false).map(|e| (e.level, e.kind))
        };
        let complaint = TicketKind::Complaint;
        // 重大或紧急投诉…立即上报: a MAJOR or URGENT complaint goes to the working group.
        assert_eq!(
            level(complaint, Some(Severity::Major), Urgent, 0),
            Some((3, K::MajorComplaint))
        );
        assert_eq!(
            level(complaint, Some(Severity::General), Urgent, 0),
            Some((3, K::UrgentComplaint))
        );
        assert_eq!(level(complaint, Some(Severity::Important), High, 0), None);
        // Any other ticket made URGENT goes to the supervisor, not to the working group.
        assert_eq!(
            level(TicketKind::Inquiry, None, Urgent, 0),
            Some((1, K::Manual))
        );
        assert_eq!(level(TicketKind::AfterSales, None, Normal, 0), None);
        // Once: a ticket already there (or higher) is not escalated again.
        assert_eq!(level(complaint, Some(Severity::Major), Urgent, 3), None);
        assert_eq!(level(TicketKind::Inquiry, None, Urgent, 1), None);
        assert_eq!(level(TicketKind::Inquiry, None, Urgent, 2), None);
        // Intake and reclassification differ only in words.
        let at_intake = on_classification(complaint, Some(Severity::Major), Urgent, 0, true);
        assert_eq!(
            at_intake.map(|e| e.reason),
            Some(
                "major complaint: escalated to the complaint-handling working group at intake"
                    .into()
            )
        );
    }

    #[test]
    fn a_missed_department_deadline_raises_to_the_supervisor_never_lower() {
        assert_eq!(department_overdue(0, "late").level, 1);
        assert_eq!(department_overdue(2, "late").level, 2);
        assert_eq!(
            department_overdue(0, "late").event,
            TicketEventKind::Escalated
        );
    }

    #[test]
    fn escalating_by_hand_goes_one_level_up() {
        assert_eq!(next_manual_escalation_level(0), Ok(1));
        assert_eq!(next_manual_escalation_level(1), Ok(2));
        assert_eq!(next_manual_escalation_level(2), Ok(3));
    }

    #[test]
    fn nothing_is_above_the_working_group() {
        let refusal = DomainError::Conflict(
            "the ticket is already with the complaint-handling working group (level 3)".to_owned(),
        );
        assert_eq!(next_manual_escalation_level(3), Err(refusal.clone()));
        assert_eq!(next_manual_escalation_level(4), Err(refusal));
    }
}
