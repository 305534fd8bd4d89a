//! Corrective actions (整改措施): a department's fix for the causes behind complaints, tracked
//! `OPEN` → `DONE` → `VERIFIED`.

use super::vocabulary::CorrectiveActionStatus;
use crate::DomainError;
use crate::permission::{Action, require};
use crate::role::Roles;

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
