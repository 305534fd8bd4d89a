//! The role × action table. Guards and services ask [`allowed`]; nothing else decides whether
//! a role may attempt an operation. Ownership rules (a customer's own tickets, a liaison's
//! department) are checked on top of this by the rules of the record concerned.
//!
//! `docs/PERMISSIONS.md` is generated from this table ([`markdown_table`]); a test keeps the two
//! identical.

use crate::role::{Role, Roles};

/// An operation that some roles may attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read the staff directory (`users`, `user` for someone else, `teams`).
    ReadStaffDirectory,
    /// Read departments.
    ReadDepartments,
    /// List and look up customer accounts (personal data).
    ReadCustomerAccounts,
    /// Create staff accounts.
    CreateUser,
    /// Activate or deactivate any account.
    SetUserActive,
    /// Create departments and teams.
    ManageOrganisation,
    /// Set one's own presence.
    SetPresence,
    /// Open a ticket (customers: for themselves).
    CreateTicket,
    /// Read tickets (customers: their own; liaisons: their department's).
    ReadTickets,
    /// Give a ticket its first response.
    AcknowledgeTicket,
    /// Assign a ticket to someone else.
    AssignTicket,
    /// Take an unassigned ticket for oneself.
    ClaimTicket,
    /// Send a ticket to a responsible department.
    DispatchTicket,
    /// Add an internal note (never shown to customers).
    AddInternalNote,
    /// Write to the customer on the ticket's timeline.
    ReplyToCustomer,
    /// Move a ticket between working statuses, resolve it or close it.
    WorkTicket,
    /// Reopen a resolved or closed ticket.
    ReopenTicket,
    /// Record a follow-up visit.
    RecordFollowUp,
    /// Rate a resolved ticket (customers: their own; staff: during a follow-up call).
    RateTicket,
    /// Escalate a ticket by hand.
    EscalateTicket,
    /// Take responsibility for an escalation.
    AcknowledgeEscalation,
    /// Transfer first-contact ownership.
    TransferOwnership,
    /// Track whether a suggestion is adopted.
    SetSuggestionStatus,
    /// Create corrective actions and mark them done.
    ManageCorrectiveActions,
    /// Verify that a corrective action worked.
    VerifyCorrectiveAction,
    /// Watch the live queue and escalations.
    ReadQueue,
    /// Change SLA policies.
    ManageSlaPolicies,
    /// Plan shifts.
    ManageShifts,
    /// Hand one's tickets over at the end of a shift.
    RecordHandover,
    /// Create courses and schedule sessions.
    ManageTraining,
    /// Record attendance and assessments.
    AssessTraining,
    /// Read KPI reports (agents: their own).
    ReadKpis,
    /// Read complaint analytics.
    ReadComplaintAnalytics,
    /// Open review cycles, write manager assessments and finalize reviews.
    ManageReviews,
    /// Take part in reviews (self and peer assessments).
    ParticipateInReviews,
}

use Role::*;

const FRONTLINE: &[Role] = &[Agent, TechSupport, Supervisor, Manager, Admin];
const LEADS: &[Role] = &[Supervisor, Manager, Admin];
const ALL_STAFF: &[Role] = &[
    Agent,
    TechSupport,
    Trainer,
    Supervisor,
    Manager,
    DepartmentLiaison,
    Admin,
];

impl Action {
    /// Every action, in table order.
    pub const ALL: [Action; 35] = [
        Action::ReadStaffDirectory,
        Action::ReadDepartments,
        Action::ReadCustomerAccounts,
        Action::CreateUser,
        Action::SetUserActive,
        Action::ManageOrganisation,
        Action::SetPresence,
        Action::CreateTicket,
        Action::ReadTickets,
        Action::AcknowledgeTicket,
        Action::AssignTicket,
        Action::ClaimTicket,
        Action::DispatchTicket,
        Action::AddInternalNote,
        Action::ReplyToCustomer,
        Action::WorkTicket,
        Action::ReopenTicket,
        Action::RecordFollowUp,
        Action::RateTicket,
        Action::EscalateTicket,
        Action::AcknowledgeEscalation,
        Action::TransferOwnership,
        Action::SetSuggestionStatus,
        Action::ManageCorrectiveActions,
        Action::VerifyCorrectiveAction,
        Action::ReadQueue,
        Action::ManageSlaPolicies,
        Action::ManageShifts,
        Action::RecordHandover,
        Action::ManageTraining,
        Action::AssessTraining,
        Action::ReadKpis,
        Action::ReadComplaintAnalytics,
        Action::ManageReviews,
        Action::ParticipateInReviews,
    ];

    /// The roles that may attempt this action.
    pub const fn roles(self) -> &'static [Role] {
        match self {
            Action::ReadStaffDirectory | Action::ReadDepartments => ALL_STAFF,
            Action::ReadCustomerAccounts => &[Supervisor, Manager, Admin],
            Action::CreateUser | Action::SetUserActive | Action::ManageOrganisation => &[Admin],
            Action::SetPresence => ALL_STAFF,
            Action::CreateTicket => &[Customer, Agent, TechSupport, Supervisor, Manager, Admin],
            Action::ReadTickets => &[
                Customer,
                Agent,
                TechSupport,
                Supervisor,
                Manager,
                DepartmentLiaison,
                Admin,
            ],
            Action::AcknowledgeTicket
            | Action::ClaimTicket
            | Action::DispatchTicket
            | Action::ReplyToCustomer
            | Action::WorkTicket
            | Action::RecordFollowUp
            | Action::EscalateTicket
            | Action::RecordHandover => FRONTLINE,
            Action::AddInternalNote => &[
                Agent,
                TechSupport,
                Supervisor,
                Manager,
                DepartmentLiaison,
                Admin,
            ],
            Action::ReopenTicket | Action::RateTicket => {
                &[Customer, Agent, TechSupport, Supervisor, Manager, Admin]
            }
            Action::AssignTicket
            | Action::AcknowledgeEscalation
            | Action::TransferOwnership
            | Action::ReadQueue
            | Action::ManageShifts
            | Action::VerifyCorrectiveAction => LEADS,
            Action::SetSuggestionStatus => LEADS,
            Action::ManageCorrectiveActions => &[Supervisor, Manager, DepartmentLiaison, Admin],
            Action::ManageSlaPolicies => &[Manager, Admin],
            Action::ManageTraining => &[Trainer, Manager, Admin],
            Action::AssessTraining => &[Trainer, Manager, Admin],
            Action::ReadKpis => &[Agent, TechSupport, Supervisor, Manager, Admin],
            Action::ReadComplaintAnalytics => &[Supervisor, Manager, DepartmentLiaison, Admin],
            Action::ManageReviews => &[Manager, Admin],
            Action::ParticipateInReviews => ALL_STAFF,
        }
    }

    /// A short name for documentation and error messages.
    pub const fn describe(self) -> &'static str {
        match self {
            Action::ReadStaffDirectory => "read the staff directory",
            Action::ReadDepartments => "read departments",
            Action::ReadCustomerAccounts => "read customer accounts",
            Action::CreateUser => "create users",
            Action::SetUserActive => "activate or deactivate users",
            Action::ManageOrganisation => "create departments and teams",
            Action::SetPresence => "set presence",
            Action::CreateTicket => "create tickets",
            Action::ReadTickets => "read tickets",
            Action::AcknowledgeTicket => "acknowledge tickets",
            Action::AssignTicket => "assign tickets",
            Action::ClaimTicket => "claim tickets",
            Action::DispatchTicket => "dispatch tickets to departments",
            Action::AddInternalNote => "add internal notes",
            Action::ReplyToCustomer => "reply to customers",
            Action::WorkTicket => "change ticket status, resolve and close tickets",
            Action::ReopenTicket => "reopen tickets",
            Action::RecordFollowUp => "record follow-up visits",
            Action::RateTicket => "rate tickets",
            Action::EscalateTicket => "escalate tickets",
            Action::AcknowledgeEscalation => "acknowledge escalations",
            Action::TransferOwnership => "transfer ticket ownership",
            Action::SetSuggestionStatus => "set suggestion status",
            Action::ManageCorrectiveActions => "manage corrective actions",
            Action::VerifyCorrectiveAction => "verify corrective actions",
            Action::ReadQueue => "watch the live queue and escalations",
            Action::ManageSlaPolicies => "change SLA policies",
            Action::ManageShifts => "plan shifts",
            Action::RecordHandover => "record shift handovers",
            Action::ManageTraining => "manage courses and sessions",
            Action::AssessTraining => "record attendance and assessments",
            Action::ReadKpis => "read KPIs",
            Action::ReadComplaintAnalytics => "read complaint analytics",
            Action::ManageReviews => "manage performance reviews",
            Action::ParticipateInReviews => "take part in performance reviews",
        }
    }
}

/// Whether someone holding `roles` may attempt `action`.
pub fn allowed(roles: Roles, action: Action) -> bool {
    roles.has_any(action.roles())
}

/// Checks [`allowed`], producing a person-readable refusal.
pub fn require(roles: Roles, action: Action) -> Result<(), crate::DomainError> {
    if allowed(roles, action) {
        Ok(())
    } else {
        Err(crate::DomainError::forbidden(format!(
            "you are not allowed to {}",
            action.describe()
        )))
    }
}

/// The table as Markdown, one row per action and one column per role.
pub fn markdown_table() -> String {
    let mut out = String::from("| action |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.as_str()));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(Role::ALL.len()));
    out.push('\n');
    for action in Action::ALL {
        out.push_str(&format!("| {} |", action.describe()));
        for role in Role::ALL {
            let mark = if action.roles().contains(&role) {
                "✓"
            } else {
                ""
            };
            out.push_str(&format!(" {mark} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_may_only_act_on_their_own_tickets() {
        let customer = Roles::from_iter([Customer]);
        let allowed_actions: Vec<_> = Action::ALL
            .into_iter()
            .filter(|a| allowed(customer, *a))
            .collect();
        assert_eq!(
            allowed_actions,
            vec![
                Action::CreateTicket,
                Action::ReadTickets,
                Action::ReopenTicket,
                Action::RateTicket
            ]
        );
    }

    #[test]
    fn a_person_with_several_roles_gets_the_union() {
        let trainer_agent = Roles::from_iter([Trainer, Agent]);
        assert!(allowed(trainer_agent, Action::ManageTraining));
        assert!(allowed(trainer_agent, Action::ClaimTicket));
        assert!(!allowed(trainer_agent, Action::AssignTicket));
    }

    #[test]
    fn refusal_says_what_was_refused() {
        let err = require(Roles::from_iter([Agent]), Action::CreateUser).unwrap_err();
        assert_eq!(err.to_string(), "you are not allowed to create users");
    }

    #[test]
    fn docs_permissions_md_shows_the_current_table() {
        let doc = include_str!("../../docs/PERMISSIONS.md");
        assert!(
            doc.contains(&markdown_table()),
            "docs/PERMISSIONS.md is out of date; paste the output of markdown_table():\n{}",
            markdown_table()
        );
    }
}

/// How much of the live queue someone may watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueAccess {
    /// Every team and department (supervisors, managers, admins).
    Everything,
    /// Only this team (agents and tech support, their own team).
    Team(uuid::Uuid),
    /// Nothing.
    Nothing,
}

/// Which part of the live queue a person with `roles`, member of `own_team`, may watch.
pub fn queue_access(roles: Roles, own_team: Option<uuid::Uuid>) -> QueueAccess {
    if allowed(roles, Action::ReadQueue) {
        QueueAccess::Everything
    } else if roles.has_any(&[Agent, TechSupport]) {
        own_team.map_or(QueueAccess::Nothing, QueueAccess::Team)
    } else {
        QueueAccess::Nothing
    }
}

#[cfg(test)]
mod queue_tests {
    use super::*;

    #[test]
    fn agents_watch_only_their_own_team_and_leads_everything() {
        let team = uuid::Uuid::now_v7();
        assert_eq!(
            queue_access(Roles::from_iter([Agent]), Some(team)),
            QueueAccess::Team(team)
        );
        assert_eq!(
            queue_access(Roles::from_iter([Agent]), None),
            QueueAccess::Nothing
        );
        assert_eq!(
            queue_access(Roles::from_iter([Supervisor]), None),
            QueueAccess::Everything
        );
        assert_eq!(
            queue_access(Roles::from_iter([Customer, Trainer]), Some(team)),
            QueueAccess::Nothing
        );
    }
}

/// How much of the complaint analytics someone may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalyticsScope {
    /// Every complaint (supervisors, managers, admins).
    Everything,
    /// The complaints dispatched to this department (liaisons).
    Department(uuid::Uuid),
    /// None.
    Nothing,
}

/// Which complaints a person with `roles`, of `department`, may analyse. The caller has already
/// passed [`Action::ReadComplaintAnalytics`].
pub fn analytics_scope(roles: Roles, department: Option<uuid::Uuid>) -> AnalyticsScope {
    if roles.has_any(LEADS) {
        AnalyticsScope::Everything
    } else {
        department.map_or(AnalyticsScope::Nothing, AnalyticsScope::Department)
    }
}

#[cfg(test)]
mod analytics_tests {
    use super::*;

    #[test]
    fn leads_analyse_everything_and_liaisons_their_department() {
        let legal = uuid::Uuid::now_v7();
        assert_eq!(
            analytics_scope(Roles::from_iter([Manager]), None),
            AnalyticsScope::Everything
        );
        assert_eq!(
            analytics_scope(Roles::from_iter([DepartmentLiaison]), Some(legal)),
            AnalyticsScope::Department(legal)
        );
        assert_eq!(
            analytics_scope(Roles::from_iter([DepartmentLiaison]), None),
            AnalyticsScope::Nothing
        );
    }
}
