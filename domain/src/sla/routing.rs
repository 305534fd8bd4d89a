//! Who hears of an escalation (直接上级 → 部门经理 → 投诉处理工作小组). The application loads the
//! organisation facts around the escalation ([`RoutingFacts`]); [`recipients`] picks the
//! people from them, and [`may_acknowledge`] says who may take one on.
//!
//! The ladder has four rungs: the supervisor of the team concerned, the managers of that
//! team's department, the complaint-handling working group, and — so that an escalation never
//! goes to nobody — every active manager and admin. An escalation starts on the rung its level
//! or kind names and passes up past every empty rung:
//!
//! | escalation | starts at | and also |
//! |---|---|---|
//! | SLA warning (level 0) | supervisor | the ticket's assignee |
//! | level 1 | supervisor | |
//! | level 2 | managers | the supervisor |
//! | level 3 | working group | the supervisor |
//! | `CALLBACK_OVERDUE` | supervisor (of the late person's team) | |
//! | `CORRECTIVE_ACTION_OVERDUE` | managers (of the action's department) | |

use uuid::Uuid;

use super::Escalation;
use crate::DomainError;
use crate::event::EscalationKind;
use crate::role::{Role, Roles};

/// What the organisation looks like around one escalation, as the application loaded it. Every
/// list holds active accounts only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoutingFacts {
    /// The supervisor of the team concerned (the ticket's team; for a late callback, the late
    /// person's team), if it has an active one.
    pub supervisor: Option<Uuid>,
    /// The active managers of that team's department (for a corrective action, of the
    /// action's department).
    pub managers: Vec<Uuid>,
    /// The active members of the complaint-handling working group.
    pub working_group: Vec<Uuid>,
    /// Every active manager and admin: the last rung.
    pub leads: Vec<Uuid>,
    /// The ticket's assignee, who hears of SLA warnings on their own ticket.
    pub assignee: Option<Uuid>,
}

/// A rung of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rung {
    Supervisor,
    Managers,
    WorkingGroup,
    Leads,
}

impl Rung {
    fn next(self) -> Option<Rung> {
        match self {
            Rung::Supervisor => Some(Rung::Managers),
            Rung::Managers => Some(Rung::WorkingGroup),
            Rung::WorkingGroup => Some(Rung::Leads),
            Rung::Leads => None,
        }
    }

    fn people(self, facts: &RoutingFacts) -> Vec<Uuid> {
        match self {
            Rung::Supervisor => facts.supervisor.into_iter().collect(),
            Rung::Managers => facts.managers.clone(),
            Rung::WorkingGroup => facts.working_group.clone(),
            Rung::Leads => facts.leads.clone(),
        }
    }
}

/// The people `escalation` is routed to, once each, in ladder order: the first rung with
/// anyone on it from where the escalation starts (see the module's table), then its extras
/// (the supervisor at levels 2 and 3, the assignee for a warning). Empty only when the
/// organisation has no active manager or admin at all.
pub fn recipients(escalation: &Escalation, facts: &RoutingFacts) -> Vec<Uuid> {
    let (start, supervisor_too, assignee_too) = match escalation.kind {
        EscalationKind::SlaWarning => (Rung::Supervisor, false, true),
        EscalationKind::CallbackOverdue => (Rung::Supervisor, false, false),
        EscalationKind::CorrectiveActionOverdue => (Rung::Managers, false, false),
        EscalationKind::SlaBreach
        | EscalationKind::MajorComplaint
        | EscalationKind::Manual
        | EscalationKind::UrgentComplaint => match escalation.level {
            i32::MIN..=1 => (Rung::Supervisor, false, false),
            2 => (Rung::Managers, true, false),
            _ => (Rung::WorkingGroup, true, false),
        },
    };
    let mut rung = Some(start);
    let mut out: Vec<Uuid> = Vec::new();
    while let Some(r) = rung {
        let people = r.people(facts);
        if !people.is_empty() {
            out = people;
            break;
        }
        rung = r.next();
    }
    if supervisor_too {
        out.extend(facts.supervisor);
    }
    if assignee_too {
        out.extend(facts.assignee);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|id| seen.insert(*id));
    out
}

/// Whether `actor` (holding `roles`) may take on an escalation routed to `recipients`: the
/// people it was routed to may, and so may any manager or admin; anyone else is refused.
pub fn may_acknowledge(actor: Uuid, roles: Roles, recipients: &[Uuid]) -> Result<(), DomainError> {
    if recipients.contains(&actor) || roles.has_any(&[Role::Manager, Role::Admin]) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "only the people this escalation was routed to, or a manager, may acknowledge it"
                .to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    const SUPERVISOR: u128 = 1;
    const MANAGER: u128 = 2;
    const MEMBER: u128 = 3;
    const LEAD: u128 = 4;
    const ASSIGNEE: u128 = 5;

    fn full() -> RoutingFacts {
        RoutingFacts {
            supervisor: Some(id(SUPERVISOR)),
            managers: vec![id(MANAGER)],
            working_group: vec![id(MEMBER)],
            leads: vec![id(LEAD), id(MANAGER)],
            assignee: Some(id(ASSIGNEE)),
        }
    }

    fn at(level: i32, kind: EscalationKind) -> Escalation {
        Escalation::new(level, kind, "why")
    }

    fn ids(ns: &[u128]) -> Vec<Uuid> {
        ns.iter().map(|n| id(*n)).collect()
    }

    #[test]
    fn each_level_goes_to_its_own_people() {
        let f = full();
        assert_eq!(
            recipients(&at(1, EscalationKind::SlaBreach), &f),
            ids(&[SUPERVISOR])
        );
        assert_eq!(
            recipients(&at(2, EscalationKind::SlaBreach), &f),
            ids(&[MANAGER, SUPERVISOR])
        );
        assert_eq!(
            recipients(&at(3, EscalationKind::MajorComplaint), &f),
            ids(&[MEMBER, SUPERVISOR])
        );
        assert_eq!(
            recipients(&at(1, EscalationKind::Manual), &f),
            ids(&[SUPERVISOR])
        );
    }

    #[test]
    fn a_warning_reaches_the_supervisor_and_the_assignee() {
        assert_eq!(
            recipients(&at(0, EscalationKind::SlaWarning), &full()),
            ids(&[SUPERVISOR, ASSIGNEE])
        );
        // A warning on a ticket already at level 2 is still a warning.
        assert_eq!(
            recipients(&at(2, EscalationKind::SlaWarning), &full()),
            ids(&[SUPERVISOR, ASSIGNEE])
        );
    }

    #[test]
    fn a_missing_person_passes_to_the_next_level_up_never_to_nobody() {
        let no_supervisor = RoutingFacts {
            supervisor: None,
            ..full()
        };
        assert_eq!(
            recipients(&at(1, EscalationKind::SlaBreach), &no_supervisor),
            ids(&[MANAGER])
        );
        let no_manager = RoutingFacts {
            supervisor: None,
            managers: Vec::new(),
            ..full()
        };
        assert_eq!(
            recipients(&at(1, EscalationKind::SlaBreach), &no_manager),
            ids(&[MEMBER])
        );
        assert_eq!(
            recipients(&at(2, EscalationKind::SlaBreach), &no_manager),
            ids(&[MEMBER])
        );
        let nobody_below = RoutingFacts {
            supervisor: None,
            managers: Vec::new(),
            working_group: Vec::new(),
            ..full()
        };
        for level in 0..=3 {
            assert_eq!(
                recipients(&at(level, EscalationKind::Manual), &nobody_below),
                ids(&[LEAD, MANAGER]),
                "level {level}"
            );
        }
        // An empty working group at level 3 goes to every manager and admin, plus the
        // supervisor.
        let empty_group = RoutingFacts {
            working_group: Vec::new(),
            ..full()
        };
        assert_eq!(
            recipients(&at(3, EscalationKind::UrgentComplaint), &empty_group),
            ids(&[LEAD, MANAGER, SUPERVISOR])
        );
    }

    #[test]
    fn late_work_goes_to_the_late_persons_lead() {
        assert_eq!(
            recipients(&at(0, EscalationKind::CallbackOverdue), &full()),
            ids(&[SUPERVISOR])
        );
        assert_eq!(
            recipients(&at(0, EscalationKind::CorrectiveActionOverdue), &full()),
            ids(&[MANAGER])
        );
        let no_manager = RoutingFacts {
            managers: Vec::new(),
            ..full()
        };
        assert_eq!(
            recipients(&at(0, EscalationKind::CorrectiveActionOverdue), &no_manager),
            ids(&[MEMBER])
        );
    }

    #[test]
    fn everyone_is_told_once() {
        let f = RoutingFacts {
            supervisor: Some(id(SUPERVISOR)),
            managers: vec![id(SUPERVISOR), id(MANAGER)],
            assignee: Some(id(SUPERVISOR)),
            ..full()
        };
        assert_eq!(
            recipients(&at(2, EscalationKind::SlaBreach), &f),
            ids(&[SUPERVISOR, MANAGER])
        );
        assert_eq!(
            recipients(&at(0, EscalationKind::SlaWarning), &f),
            ids(&[SUPERVISOR])
        );
    }

    #[test]
    fn only_a_recipient_or_a_manager_acknowledges() {
        let routed = ids(&[SUPERVISOR]);
        let roles = |r: &[Role]| r.iter().copied().collect::<Roles>();
        assert!(may_acknowledge(id(SUPERVISOR), roles(&[Role::Supervisor]), &routed).is_ok());
        assert!(
            may_acknowledge(
                id(MEMBER),
                roles(&[Role::DepartmentLiaison]),
                &ids(&[MEMBER])
            )
            .is_ok()
        );
        assert!(may_acknowledge(id(MANAGER), roles(&[Role::Manager]), &routed).is_ok());
        assert!(may_acknowledge(id(LEAD), roles(&[Role::Admin]), &routed).is_ok());
        for (who, role) in [(6, Role::Supervisor), (7, Role::Agent)] {
            assert!(matches!(
                may_acknowledge(id(who), roles(&[role]), &routed),
                Err(DomainError::Forbidden(_))
            ));
        }
    }
}
