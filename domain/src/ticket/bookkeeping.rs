//! What a decided [`Change`] does to a ticket's record beyond its status: the counters KPIs
//! read (reopens, resolutions, dispatch, reassignment), the per-resolution flags, the
//! timestamps and business-minute durations, **first-contact resolution**, and the cascades
//! (a department's open tasks cancelled, earlier first-contact claims withdrawn). The state
//! machine decides the move; this decides its consequences, so storage writes what it is given.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::lifecycle::Change;
use super::vocabulary::{SuggestionStatus, TicketStatus};
use crate::kpi::duration_minutes;
use crate::sla::BusinessCalendar;

/// A ticket's stored bookkeeping, as read before a change or written after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookkeeping {
    /// The status.
    pub status: TicketStatus,
    /// Who holds it.
    pub assignee_id: Option<Uuid>,
    /// When it was registered (durations count from here).
    pub created_at: DateTime<Utc>,
    /// How often it was reopened.
    pub reopen_count: i32,
    /// How often it was resolved.
    pub resolution_count: i32,
    /// It was ever sent to a department.
    pub dispatched: bool,
    /// It was ever taken from one assignee and given to another.
    pub reassigned: bool,
    /// A follow-up visit was recorded since the latest resolution.
    pub follow_up_since_resolution: bool,
    /// A rating was given since the latest resolution.
    pub rated_since_resolution: bool,
    /// The latest resolution, while it stands.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When it was closed, while it is.
    pub closed_at: Option<DateTime<Utc>>,
    /// The first response.
    pub first_responded_at: Option<DateTime<Utc>>,
    /// Who gave it.
    pub first_responder_id: Option<Uuid>,
    /// The first resolution (kept through reopens).
    pub first_resolved_at: Option<DateTime<Utc>>,
    /// Business minutes from intake to the first response.
    pub first_response_minutes: Option<i32>,
    /// Business minutes from intake to the first resolution.
    pub resolution_minutes: Option<i32>,
    /// A suggestion's adoption status.
    pub suggestion_status: Option<SuggestionStatus>,
    /// 0 none, 1 supervisor, 2 manager, 3 the working group.
    pub escalation_level: i32,
}

/// A record that comes with a change and moves a per-resolution flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// Nothing besides the change.
    Nothing,
    /// A follow-up visit.
    FollowUp,
    /// A satisfaction rating.
    Rating,
}

/// The consequences of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effects {
    /// The bookkeeping after the change.
    pub after: Bookkeeping,
    /// Whether a `RESOLVED` entry of this change counts as resolved at first contact (see
    /// docs/KPIS.md): never reopened, dispatched or reassigned, and resolved by its
    /// first-contact owner.
    pub first_contact: bool,
    /// The ticket's open department tasks end, for this reason (the ticket left
    /// `PENDING_DEPARTMENT`).
    pub cancel_department_tasks: Option<String>,
    /// Earlier `RESOLVED` entries no longer count as first contact (the ticket was reopened).
    pub withdraw_first_contact: bool,
}

/// The consequences of `change`, made by `actor` (`None`: the system) at `at`, on a ticket
/// whose bookkeeping was `before`, with `record` alongside; durations count on `durations`
/// (the ticket's calendar; without one they are not recorded).
pub fn effects(
    before: &Bookkeeping,
    change: &Change,
    actor: Option<Uuid>,
    record: Record,
    durations: Option<&BusinessCalendar>,
    at: DateTime<Utc>,
) -> Effects {
    let mut after = before.clone();
    after.status = change.status;
    after.assignee_id = change.assignee_id;
    after.reassigned = before.reassigned
        || (before.assignee_id.is_some() && change.assignee_id != before.assignee_id);
    after.dispatched = before.dispatched
        || (change.status == TicketStatus::PendingDepartment
            && before.status != TicketStatus::PendingDepartment);
    if change.resolved {
        after.resolution_count += 1;
        after.follow_up_since_resolution = false;
        after.rated_since_resolution = false;
        after.resolved_at = Some(at);
        after.closed_at = None;
    }
    if change.reopened {
        after.reopen_count += 1;
        after.follow_up_since_resolution = false;
        after.rated_since_resolution = false;
        after.resolved_at = None;
        after.closed_at = None;
    }
    if change.closed {
        after.closed_at = Some(at);
    }
    match record {
        Record::FollowUp => after.follow_up_since_resolution = true,
        Record::Rating => after.rated_since_resolution = true,
        Record::Nothing => {}
    }
    if before.first_responded_at.is_none() && change.first_response {
        after.first_responded_at = Some(at);
        after.first_responder_id = actor;
    }
    // The durations KPIs report are fixed when they end, on the ticket's own calendar.
    let since_creation = |end| durations.map(|cal| duration_minutes(cal, before.created_at, end));
    if after.first_response_minutes.is_none()
        && let Some(end) = after.first_responded_at
    {
        after.first_response_minutes = since_creation(end);
    }
    after.first_resolved_at = before.first_resolved_at.or(change.resolved.then_some(at));
    if after.resolution_minutes.is_none()
        && let Some(end) = after.first_resolved_at
    {
        after.resolution_minutes = since_creation(end);
    }
    if let Some(s) = change.suggestion_status {
        after.suggestion_status = Some(s);
    }
    if let Some(e) = &change.escalation {
        after.escalation_level = e.level;
    }
    let first_contact = after.reopen_count == 0
        && !after.dispatched
        && !after.reassigned
        && actor.is_some()
        && actor == change.owner_id;
    let cancel_department_tasks = (before.status == TicketStatus::PendingDepartment
        && change.status != TicketStatus::PendingDepartment)
        // Whatever took the ticket out of the departments' hands ends their open tasks.
        .then(|| format!("the ticket moved on to {}", change.status));
    Effects {
        after,
        first_contact,
        cancel_department_tasks,
        withdraw_first_contact: change.reopened,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::{EventDraft, TicketEventKind};
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, h, 0, 0)
            .single()
            .expect("valid")
    }

    fn open(owner: Uuid) -> (Bookkeeping, Change) {
        let before = Bookkeeping {
            status: TicketStatus::Open,
            assignee_id: Some(owner),
            created_at: at(1),
            reopen_count: 0,
            resolution_count: 0,
            dispatched: false,
            reassigned: false,
            follow_up_since_resolution: false,
            rated_since_resolution: false,
            resolved_at: None,
            closed_at: None,
            first_responded_at: Some(at(2)),
            first_responder_id: Some(owner),
            first_resolved_at: None,
            first_response_minutes: Some(60),
            resolution_minutes: None,
            suggestion_status: None,
            escalation_level: 0,
        };
        let change = Change {
            status: TicketStatus::Resolved,
            owner_id: Some(owner),
            assignee_id: Some(owner),
            department_id: None,
            events: vec![EventDraft {
                kind: TicketEventKind::Resolved,
                internal: false,
                message: None,
                from_status: Some(TicketStatus::Open),
                to_status: Some(TicketStatus::Resolved),
            }],
            first_response: false,
            resolved: true,
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
        };
        (before, change)
    }

    #[test]
    fn the_owner_resolving_an_untouched_ticket_resolves_it_at_first_contact() {
        let owner = Uuid::now_v7();
        let (before, change) = open(owner);
        let e = effects(&before, &change, Some(owner), Record::Nothing, None, at(3));
        assert!(e.first_contact);
        assert_eq!(e.after.resolution_count, 1);
        assert_eq!(e.after.resolved_at, Some(at(3)));
        assert_eq!(e.after.first_resolved_at, Some(at(3)));
        // Without a calendar no duration is invented.
        assert_eq!(e.after.resolution_minutes, None);
    }

    #[test]
    fn reassigned_dispatched_reopened_or_someone_else_is_not_first_contact() {
        let owner = Uuid::now_v7();
        let other = Uuid::now_v7();
        let (before, change) = open(owner);
        assert!(
            !effects(&before, &change, Some(other), Record::Nothing, None, at(3)).first_contact
        );
        assert!(!effects(&before, &change, None, Record::Nothing, None, at(3)).first_contact);
        for b in [
            Bookkeeping {
                reopen_count: 1,
                ..before.clone()
            },
            Bookkeeping {
                dispatched: true,
                ..before.clone()
            },
            Bookkeeping {
                reassigned: true,
                ..before.clone()
            },
        ] {
            assert!(!effects(&b, &change, Some(owner), Record::Nothing, None, at(3)).first_contact);
        }
        // Handing it to someone else marks it reassigned.
        let handed = Change {
            assignee_id: Some(other),
            ..change.clone()
        };
        assert!(
            effects(&before, &handed, Some(owner), Record::Nothing, None, at(3))
                .after
                .reassigned
        );
    }

    #[test]
    fn a_reopen_clears_the_resolution_flags_and_withdraws_first_contact() {
        let owner = Uuid::now_v7();
        let (mut before, mut change) = open(owner);
        before.status = TicketStatus::Resolved;
        before.resolved_at = Some(at(3));
        before.rated_since_resolution = true;
        before.follow_up_since_resolution = true;
        change.status = TicketStatus::Open;
        change.resolved = false;
        change.reopened = true;
        let e = effects(&before, &change, Some(owner), Record::Nothing, None, at(4));
        assert_eq!(e.after.reopen_count, 1);
        assert_eq!(e.after.resolved_at, None);
        assert!(!e.after.rated_since_resolution && !e.after.follow_up_since_resolution);
        assert!(e.withdraw_first_contact);
        // A rating alongside marks the resolution rated.
        let rated = effects(
            &before,
            &Change {
                reopened: false,
                ..change
            },
            Some(owner),
            Record::Rating,
            None,
            at(4),
        );
        assert!(rated.after.rated_since_resolution);
    }

    #[test]
    fn leaving_pending_department_ends_the_departments_tasks() {
        let owner = Uuid::now_v7();
        let (mut before, change) = open(owner);
        before.status = TicketStatus::PendingDepartment;
        before.dispatched = true;
        let e = effects(&before, &change, Some(owner), Record::Nothing, None, at(3));
        assert_eq!(
            e.cancel_department_tasks.as_deref(),
            Some("the ticket moved on to RESOLVED")
        );
        before.status = TicketStatus::Open;
        assert_eq!(
            effects(&before, &change, Some(owner), Record::Nothing, None, at(3))
                .cancel_department_tasks,
            None
        );
    }
}
