//! Corrective actions (整改措施): a department's fix for the causes behind complaints, tracked
//! `OPEN` → `DONE` → `VERIFIED`.

use super::vocabulary::{CorrectiveActionStatus, TicketEventKind};
use crate::DomainError;
use crate::event::EscalationKind;
use crate::permission::{Action, require};
use crate::role::Roles;
use crate::sla::Escalation;
use chrono::{DateTime, Duration, Utc};

/// How long before its due time the department's liaisons are reminded of a corrective action.
pub const REMIND_BEFORE: Duration = Duration::days(1);

/// Whether a corrective action is overdue at `now`: it has a due time that has passed and it is
/// still `OPEN` (a `DONE` or `VERIFIED` action is not chased).
pub fn is_overdue(
    status: CorrectiveActionStatus,
    due_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    status == CorrectiveActionStatus::Open && due_at.is_some_and(|due| due <= now)
}

/// The reminders sent to the people responsible, the last one first: the one a day before the
/// due time and the one when it passed, each when it happened.
pub fn reminders(
    reminded_at: Option<DateTime<Utc>>,
    overdue_at: Option<DateTime<Utc>>,
) -> Vec<DateTime<Utc>> {
    let mut out: Vec<DateTime<Utc>> = reminded_at.into_iter().chain(overdue_at).collect();
    out.sort_by(|a, b| b.cmp(a));
    out
}

/// The escalation of an overdue corrective action, recorded on a ticket it answers that is at
/// `current_level`: to the managers of the action's department. The lateness is the
/// department's, not the ticket's: the level does not change, and the timeline tells it as a
/// department reminder (internal), not as an `ESCALATED` entry, which the KPIs count against
/// the ticket's people.
pub fn overdue_escalation(current_level: i32, description: &str) -> Escalation {
    let what: String = description.chars().take(200).collect();
    Escalation {
        event: TicketEventKind::DepartmentReminded,
        ..Escalation::new(
            current_level,
            EscalationKind::CorrectiveActionOverdue,
            format!("corrective action overdue: {what}; escalated to the department's managers"),
        )
    }
}

/// Checks that `roles` may move a corrective action from `from` to `to`. Marking it done is for
/// whoever manages corrective actions; verifying it worked is for supervisors and managers.
/// Anything but the next step forward is `INVALID_TRANSITION`.
pub fn corrective_action_transition(
    from: CorrectiveActionStatus,
    to: CorrectiveActionStatus,
    roles: Roles,
) -> Result<(), DomainError> {
    use CorrectiveActionStatus::*;
    let action = match (from, to) {
        (Open, Done) => Action::ManageCorrectiveActions,
        (Done, Verified) => Action::VerifyCorrectiveAction,
        _ => {
            let allowed = match from {
                Open => vec!["mark done".to_owned()],
                Done => vec!["verify".to_owned()],
                Verified => Vec::new(),
            };
            return Err(DomainError::InvalidTransition {
                status: from.as_str().to_owned(),
                action: format!("set to {to}"),
                allowed,
            });
        }
    };
    require(roles, action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Role;

    fn roles(r: &[Role]) -> Roles {
        r.iter().copied().collect()
    }

    #[test]
    fn a_liaison_marks_done_and_a_supervisor_verifies() {
        use CorrectiveActionStatus::*;
        assert!(
            corrective_action_transition(Open, Done, roles(&[Role::DepartmentLiaison])).is_ok()
        );
        assert!(corrective_action_transition(Done, Verified, roles(&[Role::Supervisor])).is_ok());
        assert!(matches!(
            corrective_action_transition(Done, Verified, roles(&[Role::DepartmentLiaison])),
            Err(DomainError::Forbidden(_))
        ));
    }

    #[test]
    fn only_an_open_action_past_its_due_time_is_overdue() {
        use CorrectiveActionStatus::*;
        let now = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let past = Some(now - Duration::minutes(1));
        assert!(is_overdue(Open, past, now));
        assert!(is_overdue(Open, Some(now), now));
        assert!(!is_overdue(Open, Some(now + Duration::minutes(1)), now));
        assert!(!is_overdue(Open, None, now));
        assert!(!is_overdue(Done, past, now));
        assert!(!is_overdue(Verified, past, now));
        let earlier = now - Duration::days(1);
        assert_eq!(reminders(Some(earlier), Some(now)), vec![now, earlier]);
        assert_eq!(reminders(None, Some(now)), vec![now]);
        let e = overdue_escalation(1, "fix the hinge");
        assert_eq!(e.level, 1);
        assert_eq!(e.kind, EscalationKind::CorrectiveActionOverdue);
        assert_eq!(e.entry().kind, TicketEventKind::DepartmentReminded);
        assert!(e.entry().internal);
    }

    #[test]
    fn verification_cannot_skip_done_or_go_backwards() {
        use CorrectiveActionStatus::*;
        for (from, to) in [
            (Open, Verified),
            (Verified, Open),
            (Done, Open),
            (Open, Open),
        ] {
            assert!(
                matches!(
                    corrective_action_transition(from, to, roles(&[Role::Admin])),
                    Err(DomainError::InvalidTransition { .. })
                ),
                "{from} -> {to}"
            );
        }
    }
}
