//! Callbacks: the calls and visits someone owes a customer, each with a due time and an
//! assignee — the follow-up visit a resolved complaint needs before it closes (回访), a promised
//! call back, another call by another agent when the customer still disagrees (换时间换客服代表
//! 再次致电解释), an appointment the customer booked (预约), a care call (定期回访).
//!
//! The rules here: which due times are acceptable, who may complete or move a callback, when
//! its reminder and its overdue notice are due, and what a ticket's change does to its
//! callbacks ([`CallbackEffect`], decided with the change by `ticket::decide`).

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::DomainError;
use crate::permission::{Action, require};
use crate::role::{Role, Roles};

contract_enum! {
    /// What a callback is for.
    CallbackPurpose {
        /// The follow-up visit a resolved complaint or after-sales ticket needs before it closes.
        FollowUp => "FOLLOW_UP",
        /// Call the customer back: a promise, a customer not reached, one who disagreed.
        Callback => "CALLBACK",
        /// A visit or call the customer booked (预约).
        Appointment => "APPOINTMENT",
        /// A care call (定期回访) not tied to a problem.
        CareCall => "CARE_CALL",
    }
}

contract_enum! {
    /// Where a callback stands.
    CallbackStatus {
        /// Still to be done.
        Scheduled => "SCHEDULED",
        /// Done, with an outcome.
        Done => "DONE",
        /// Called off, with a reason.
        Cancelled => "CANCELLED",
    }
}

/// Business days after a resolution that its follow-up visit is due, unless configured
/// (`FOLLOW_UP_BUSINESS_DAYS`).
pub const DEFAULT_FOLLOW_UP_BUSINESS_DAYS: u32 = 2;

/// How long before its due time a callback's reminder enters its assignee's inbox.
pub const REMINDER_LEAD: TimeDelta = TimeDelta::minutes(60);

/// How far ahead a callback may be scheduled.
pub const MAX_DAYS_AHEAD: i64 = 366;

/// A due time this little in the past is the caller's clock, not a mistake.
pub const PAST_GRACE: TimeDelta = TimeDelta::minutes(5);

/// Checks a due time given by a person: not in the past, not more than a year ahead.
pub fn check_due(field: &str, due: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), DomainError> {
    if due < now - PAST_GRACE {
        return Err(DomainError::invalid(field, "the due time is in the past"));
    }
    if due > now + TimeDelta::days(MAX_DAYS_AHEAD) {
        return Err(DomainError::invalid(
            field,
            "the due time is more than a year ahead",
        ));
    }
    Ok(())
}

/// What the rules need to know about a stored callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackFacts {
    /// Where it stands.
    pub status: CallbackStatus,
    /// What it is for.
    pub purpose: CallbackPurpose,
    /// Who owes it.
    pub assignee_id: Uuid,
}

/// Who is acting on a callback.
#[derive(Debug, Clone, Copy)]
pub struct CallbackActor {
    /// Their account.
    pub user_id: Uuid,
    /// Their roles.
    pub roles: Roles,
}

impl CallbackActor {
    fn is_lead(&self) -> bool {
        self.roles
            .has_any(&[Role::Supervisor, Role::Manager, Role::Admin])
    }
}

/// Something done to a scheduled callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackMove {
    /// Done, with an outcome: only its assignee does it (the outcome is theirs to tell).
    Complete,
    /// A new due time, and maybe someone else: its assignee or a lead.
    Reschedule,
    /// Called off: its assignee or a lead.
    Cancel,
}

/// Whether `actor` may make `action` on a callback described by `c`: the role table, then the
/// relationship, then the status — refused in that order, nothing written.
pub fn may(
    c: &CallbackFacts,
    actor: &CallbackActor,
    action: CallbackMove,
) -> Result<(), DomainError> {
    require(actor.roles, Action::WorkCallbacks)?;
    let own = c.assignee_id == actor.user_id;
    match action {
        CallbackMove::Complete if !own => {
            return Err(DomainError::forbidden(
                "this callback is assigned to someone else; only its assignee completes it",
            ));
        }
        CallbackMove::Reschedule | CallbackMove::Cancel if !own && !actor.is_lead() => {
            return Err(DomainError::forbidden(
                "only the callback's assignee or a team lead may move or cancel it",
            ));
        }
        // The follow-up visit is what lets a complaint close: calling it off is a lead's call.
        CallbackMove::Cancel if c.purpose == CallbackPurpose::FollowUp && !actor.is_lead() => {
            return Err(DomainError::forbidden(
                "only a team lead may call off a follow-up visit",
            ));
        }
        _ => {}
    }
    match c.status {
        CallbackStatus::Scheduled => Ok(()),
        CallbackStatus::Done => Err(DomainError::Conflict(
            "this callback is already done".to_owned(),
        )),
        CallbackStatus::Cancelled => Err(DomainError::Conflict(
            "this callback was cancelled".to_owned(),
        )),
    }
}

/// Whether a callback is overdue at `now`: still scheduled and past its due time.
pub fn overdue(status: CallbackStatus, due: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == CallbackStatus::Scheduled && due < now
}

/// Whether a scheduled callback's reminder is due at `now` (within [`REMINDER_LEAD`] of its due
/// time, or later).
pub fn reminder_due(due: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    due - REMINDER_LEAD <= now
}

/// What a ticket's change does to its callbacks; the application carries it out in the
/// change's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackEffect {
    /// A complaint or after-sales ticket was resolved: schedule its follow-up visit, due the
    /// configured number of business days later, for its first-contact owner.
    ScheduleFollowUp,
    /// The follow-up visit was recorded: the scheduled FOLLOW_UP is done. When the customer was
    /// not satisfied the ticket stays resolved and a CALLBACK is scheduled — by the agent named
    /// for it (another, as the manual says) or the owner, due the next business day.
    FollowUpDone {
        /// Whether the customer was satisfied.
        satisfied: bool,
    },
    /// The ticket was reopened: its scheduled follow-up visit is called off (the next
    /// resolution schedules another).
    CancelFollowUp,
    /// The ticket was closed: nothing about it is owed any more (follow-ups and callbacks).
    CancelAll,
}

/// The ticket's purposes a close calls off.
pub const CANCELLED_ON_CLOSE: [CallbackPurpose; 2] =
    [CallbackPurpose::FollowUp, CallbackPurpose::Callback];

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 12, 7, h, 0, 0).unwrap()
    }

    fn facts(assignee: Uuid, status: CallbackStatus) -> CallbackFacts {
        CallbackFacts {
            status,
            purpose: CallbackPurpose::Callback,
            assignee_id: assignee,
        }
    }

    fn actor(id: Uuid, role: Role) -> CallbackActor {
        CallbackActor {
            user_id: id,
            roles: Roles::from_iter([role]),
        }
    }

    #[test]
    fn due_times_in_the_past_or_beyond_a_year_are_refused() {
        let now = at(10);
        assert!(check_due("dueAt", now - TimeDelta::minutes(4), now).is_ok());
        assert!(check_due("dueAt", now - TimeDelta::hours(1), now).is_err());
        assert!(check_due("dueAt", now + TimeDelta::days(365), now).is_ok());
        assert!(check_due("dueAt", now + TimeDelta::days(400), now).is_err());
    }

    #[test]
    fn only_the_assignee_completes_and_leads_may_move_anyones() {
        let (me, other) = (Uuid::now_v7(), Uuid::now_v7());
        let mine = facts(me, CallbackStatus::Scheduled);
        let theirs = facts(other, CallbackStatus::Scheduled);
        assert!(may(&mine, &actor(me, Role::Agent), CallbackMove::Complete).is_ok());
        assert!(matches!(
            may(&theirs, &actor(me, Role::Agent), CallbackMove::Complete),
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            may(
                &theirs,
                &actor(me, Role::Supervisor),
                CallbackMove::Complete
            ),
            Err(DomainError::Forbidden(_))
        ));
        assert!(
            may(
                &theirs,
                &actor(me, Role::Supervisor),
                CallbackMove::Reschedule
            )
            .is_ok()
        );
        assert!(matches!(
            may(&theirs, &actor(me, Role::Agent), CallbackMove::Cancel),
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            may(&mine, &actor(me, Role::Customer), CallbackMove::Complete),
            Err(DomainError::Forbidden(_))
        ));
        let follow_up = CallbackFacts {
            purpose: CallbackPurpose::FollowUp,
            ..mine
        };
        assert!(matches!(
            may(&follow_up, &actor(me, Role::Agent), CallbackMove::Cancel),
            Err(DomainError::Forbidden(_))
        ));
        assert!(
            may(
                &follow_up,
                &actor(me, Role::Supervisor),
                CallbackMove::Cancel
            )
            .is_ok()
        );
    }

    #[test]
    fn a_done_or_cancelled_callback_does_not_move() {
        let me = Uuid::now_v7();
        for status in [CallbackStatus::Done, CallbackStatus::Cancelled] {
            assert!(matches!(
                may(
                    &facts(me, status),
                    &actor(me, Role::Agent),
                    CallbackMove::Reschedule
                ),
                Err(DomainError::Conflict(_))
            ));
        }
    }

    #[test]
    fn reminders_are_due_an_hour_ahead_and_overdue_is_past_the_due_time() {
        let due = at(12);
        assert!(!reminder_due(due, at(10)));
        assert!(reminder_due(due, at(11)));
        assert!(!overdue(CallbackStatus::Scheduled, due, at(12)));
        assert!(overdue(CallbackStatus::Scheduled, due, at(13)));
        assert!(!overdue(CallbackStatus::Done, due, at(13)));
    }
}
