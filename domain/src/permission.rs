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
    /// Receive the escalations routed to oneself (`myEscalations`) and take responsibility for
    /// one (only one routed to oneself, unless a manager or admin: `sla::may_acknowledge`).
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
    /// Read business calendars (hours, holidays, make-up days).
    ReadCalendars,
    /// Change a ticket's kind, severity, category or priority after intake.
    ReclassifyTicket,
    /// Add evidence (attachments) to a ticket.
    AddEvidence,
    /// Answer or read one's department's tasks.
    AnswerDepartmentTask,
    /// Read and search the knowledge base (customers: published public articles only).
    ReadKnowledge,
    /// Write articles: drafts of one's own (frontline), any article (trainers and leads).
    WriteArticles,
    /// Publish and archive articles.
    ReviewArticles,
    /// Create reply templates.
    ManageReplyTemplates,
    /// Create and edit business calendars and import holidays.
    ManageCalendars,
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
    /// Read courses, sessions and training records (one's own, or of the people one leads).
    ReadTraining,
    /// Read corrective actions (liaisons: their own department's).
    ReadCorrectiveActions,
    /// List the corrective actions past their due time.
    ReadOverdueCorrectiveActions,
    /// Set the members of the complaint-handling working group.
    SetWorkingGroup,
    /// Name the employees a complaint is about (frontline: as its owner; leads: any).
    SetInvolvedStaff,
    /// Record or revise a complaint's verdict and root cause.
    RecordComplaintVerdict,
    /// Define quality scorecards.
    ManageQualityScorecards,
    /// Inspect the quality of others' tickets and draw samples to inspect.
    InspectQuality,
    /// Read quality reviews (agents: their own) and acknowledge or dispute one's own.
    ReadQualityReviews,
    /// Search and read customer records (contact data masked by `customer::can_see_contact`).
    ReadCustomers,
    /// Correct a customer record's name and contact data and set its tags.
    EditCustomers,
    /// Set a customer's tier and merge duplicate customer records.
    ManageCustomers,
    /// Write satisfaction surveys, launch and close them.
    ManageSurveys,
    /// Read surveys and their results.
    ReadSurveys,
    /// Answer a survey invitation (customers: their own; staff: by phone, as its caller).
    AnswerSurveys,
    /// Log time spent on a ticket one works on.
    LogTime,
    /// Generate reports to management (KPI, complaint, quality and training reports).
    GenerateReports,
    /// List generated reports and download their files.
    ReadReports,
    /// Write on one's own ticket (customers).
    PostCustomerMessage,
    /// Promise a customer an answer time.
    PromiseAnswer,
    /// Set a customer's contact preferences (customers: their own).
    SetContactPreferences,
    /// Read the message templates sent to customers.
    ReadNotificationTemplates,
    /// Edit the message templates sent to customers.
    ManageNotificationTemplates,
    /// See deliveries that failed and try them again.
    ManageDeliveries,
    /// Connect, change and poll the department's mailboxes.
    ManageMailboxes,
    /// Schedule callbacks, and complete, move or cancel one's own (leads: anyone's).
    WorkCallbacks,
    /// Read the callbacks and awaited follow-up visits of the teams one leads.
    ReadTeamCallbacks,
    /// Close a resolved complaint whose customer still disagrees, after another callback.
    CloseWithCustomerDisagreeing,
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
    pub const ALL: [Action; 72] = [
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
        Action::ReadCalendars,
        Action::ManageCalendars,
        Action::ReclassifyTicket,
        Action::AddEvidence,
        Action::AnswerDepartmentTask,
        Action::ReadKnowledge,
        Action::WriteArticles,
        Action::ReviewArticles,
        Action::ManageReplyTemplates,
        Action::ManageShifts,
        Action::RecordHandover,
        Action::ManageTraining,
        Action::AssessTraining,
        Action::ReadKpis,
        Action::ReadComplaintAnalytics,
        Action::ManageReviews,
        Action::ParticipateInReviews,
        Action::ReadTraining,
        Action::ReadCorrectiveActions,
        Action::ReadOverdueCorrectiveActions,
        Action::SetWorkingGroup,
        Action::SetInvolvedStaff,
        Action::RecordComplaintVerdict,
        Action::ManageQualityScorecards,
        Action::InspectQuality,
        Action::ReadQualityReviews,
        Action::ReadCustomers,
        Action::EditCustomers,
        Action::ManageCustomers,
        Action::ManageSurveys,
        Action::ReadSurveys,
        Action::AnswerSurveys,
        Action::LogTime,
        Action::GenerateReports,
        Action::ReadReports,
        Action::PostCustomerMessage,
        Action::PromiseAnswer,
        Action::SetContactPreferences,
        Action::ReadNotificationTemplates,
        Action::ManageNotificationTemplates,
        Action::ManageDeliveries,
        Action::ManageMailboxes,
        Action::WorkCallbacks,
        Action::ReadTeamCallbacks,
        Action::CloseWithCustomerDisagreeing,
    ];

    /// The roles that may attempt this action.
    pub const fn roles(self) -> &'static [Role] {
        match self {
            Action::ReadStaffDirectory | Action::ReadDepartments => ALL_STAFF,
            Action::ReadCustomerAccounts => &[Supervisor, Manager, Admin],
            Action::CreateUser | Action::SetUserActive | Action::ManageOrganisation => &[Admin],
            Action::SetPresence => ALL_STAFF,
            // Liaisons register the feedback their department receives itself (000 covers every
            // customer-facing department).
            Action::CreateTicket => &[
                Customer,
                Agent,
                TechSupport,
                Supervisor,
                Manager,
                DepartmentLiaison,
                Admin,
            ],
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
            // Anyone an escalation is routed to (a working group member may be a liaison); the
            // use case refuses an escalation not routed to the caller.
            Action::AcknowledgeEscalation => ALL_STAFF,
            Action::AssignTicket
            | Action::TransferOwnership
            | Action::ReadQueue
            | Action::ManageShifts
            | Action::VerifyCorrectiveAction => LEADS,
            Action::SetSuggestionStatus => LEADS,
            Action::ManageCorrectiveActions => &[Supervisor, Manager, DepartmentLiaison, Admin],
            Action::ManageSlaPolicies => &[Manager, Admin],
            Action::ReadCalendars => ALL_STAFF,
            Action::ReclassifyTicket => FRONTLINE,
            Action::AddEvidence => &[
                Customer,
                Agent,
                TechSupport,
                Supervisor,
                Manager,
                DepartmentLiaison,
                Admin,
            ],
            Action::AnswerDepartmentTask => &[DepartmentLiaison, Supervisor, Manager, Admin],
            Action::ReadKnowledge => &[
                Customer,
                Agent,
                TechSupport,
                Trainer,
                Supervisor,
                Manager,
                DepartmentLiaison,
                Admin,
            ],
            Action::WriteArticles => ALL_STAFF,
            Action::ReviewArticles => LEADS,
            Action::ManageReplyTemplates => &[Trainer, Supervisor, Manager, Admin],
            Action::ManageCalendars => &[Manager, Admin],
            Action::ManageTraining => &[Trainer, Manager, Admin],
            Action::AssessTraining => &[Trainer, Manager, Admin],
            Action::ReadKpis => &[Agent, TechSupport, Supervisor, Manager, Admin],
            Action::ReadComplaintAnalytics => &[Supervisor, Manager, DepartmentLiaison, Admin],
            Action::ManageReviews => &[Manager, Admin],
            Action::ParticipateInReviews | Action::ReadTraining => ALL_STAFF,
            Action::ReadCorrectiveActions => &[
                Agent,
                TechSupport,
                Supervisor,
                Manager,
                DepartmentLiaison,
                Admin,
            ],
            Action::ReadOverdueCorrectiveActions => LEADS,
            Action::SetWorkingGroup => &[Manager, Admin],
            Action::SetInvolvedStaff => FRONTLINE,
            Action::RecordComplaintVerdict | Action::InspectQuality => LEADS,
            Action::ManageQualityScorecards => &[Manager, Admin],
            Action::ReadQualityReviews => FRONTLINE,
            Action::ReadCustomers | Action::EditCustomers => FRONTLINE,
            Action::ManageCustomers => LEADS,
            Action::ManageSurveys => &[Manager, Admin],
            Action::ReadSurveys => LEADS,
            Action::AnswerSurveys => &[Customer, Agent, TechSupport, Supervisor, Manager, Admin],
            Action::LogTime => &[
                Agent,
                TechSupport,
                Supervisor,
                Manager,
                DepartmentLiaison,
                Admin,
            ],
            Action::GenerateReports | Action::ReadReports => LEADS,
            Action::PostCustomerMessage => &[Customer],
            Action::PromiseAnswer => FRONTLINE,
            Action::SetContactPreferences => {
                &[Customer, Agent, TechSupport, Supervisor, Manager, Admin]
            }
            Action::ReadNotificationTemplates => ALL_STAFF,
            Action::ManageNotificationTemplates => &[Manager, Admin],
            Action::ManageDeliveries => LEADS,
            Action::ManageMailboxes => &[Manager, Admin],
            Action::WorkCallbacks => FRONTLINE,
            Action::ReadTeamCallbacks | Action::CloseWithCustomerDisagreeing => LEADS,
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
            Action::ReadCalendars => "read business calendars",
            Action::ReclassifyTicket => "reclassify tickets",
            Action::AddEvidence => "add evidence to tickets",
            Action::AnswerDepartmentTask => "answer department tasks",
            Action::ReadKnowledge => "read the knowledge base",
            Action::WriteArticles => "write knowledge articles",
            Action::ReviewArticles => "publish and archive knowledge articles",
            Action::ManageReplyTemplates => "create reply templates",
            Action::ManageCalendars => "edit business calendars",
            Action::ManageShifts => "plan shifts",
            Action::RecordHandover => "record shift handovers",
            Action::ManageTraining => "manage courses and sessions",
            Action::AssessTraining => "record attendance and assessments",
            Action::ReadKpis => "read KPIs",
            Action::ReadComplaintAnalytics => "read complaint analytics",
            Action::ManageReviews => "manage performance reviews",
            Action::ParticipateInReviews => "take part in performance reviews",
            Action::ReadTraining => "read training",
            Action::ReadCorrectiveActions => "read corrective actions",
            Action::ReadOverdueCorrectiveActions => "list overdue corrective actions",
            Action::SetWorkingGroup => "set the complaint-handling working group",
            Action::SetInvolvedStaff => "name the employees a complaint is about",
            Action::RecordComplaintVerdict => "record complaint verdicts",
            Action::ManageQualityScorecards => "define quality scorecards",
            Action::InspectQuality => "inspect the quality of tickets",
            Action::ReadQualityReviews => "read quality reviews",
            Action::ReadCustomers => "search and read customer records",
            Action::EditCustomers => "edit customer contact data and tags",
            Action::ManageCustomers => "set customer tiers and merge customer records",
            Action::ManageSurveys => "write, launch and close satisfaction surveys",
            Action::ReadSurveys => "read surveys and their results",
            Action::AnswerSurveys => "answer survey invitations",
            Action::LogTime => "log time spent on tickets",
            Action::GenerateReports => "generate reports",
            Action::ReadReports => "read and download reports",
            Action::PostCustomerMessage => "write on tickets as their customer",
            Action::PromiseAnswer => "promise customers an answer time",
            Action::SetContactPreferences => "set customers' contact preferences",
            Action::ReadNotificationTemplates => "read the templates of messages to customers",
            Action::ManageNotificationTemplates => "edit the templates of messages to customers",
            Action::ManageDeliveries => "see and retry failed deliveries to customers",
            Action::ManageMailboxes => "connect, change and poll the department's mailboxes",
            Action::WorkCallbacks => "schedule and work callbacks",
            Action::ReadTeamCallbacks => "read their teams' callbacks and awaited follow-ups",
            Action::CloseWithCustomerDisagreeing => {
                "close complaints whose customer still disagrees"
            }
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

/// The rules that decide *how much* of something a permitted person sees, each by the function
/// that decides it. Listed in `docs/PERMISSIONS.md`.
pub const SCOPE_RULES: &[(&str, &str)] = &[
    (
        "queue_access",
        "the live queue: supervisors, managers and admins watch any team or department; agents \
         and tech support only their own team's queue; liaisons only their own department's \
         (its tickets and its tasks' reminders); everyone else none",
    ),
    (
        "analytics_scope",
        "complaint analytics: supervisors, managers and admins analyse every complaint; liaisons \
         only those dispatched to their department",
    ),
    (
        "led_teams",
        "the teams someone leads (their team's KPIs and training records): only supervisors \
         lead — the teams naming them supervisor, and their own team",
    ),
    (
        "sees_full_email",
        "an account's email address: staff and the account holder see it in full, customers \
         looking at anyone else see it masked",
    ),
    (
        "may_lead_team",
        "a team's supervisor must be an active account with the supervisor role",
    ),
    (
        "ticket::can_see_involved",
        "the employees a complaint is about: leads, the complaint's owner and assignee, and the \
         employees it names; other staff see none, customers never",
    ),
    (
        "quality::may_inspect",
        "quality inspection: nobody inspects a ticket they worked themselves; agents read only \
         their own reviews",
    ),
    (
        "ticket::read_scope",
        "tickets: customers read their own, liaisons their department's, other staff all",
    ),
    (
        "training::can_read_records",
        "training records: one's own, those of the people one leads, and everyone's for \
         trainers, managers and admins",
    ),
    (
        "customer::can_see_contact",
        "a customer record's phone and email outside a ticket: shown in full to leads, to staff \
         who own or are assigned one of the customer's tickets, and to the customer themself; \
         masked for everyone else. Tags are for staff only (`customer::can_see_tags`)",
    ),
    (
        "kpi::may_read",
        "KPI reports: agents their own, supervisors their team's and its members', managers \
         and admins everyone's",
    ),
];

/// Ownership rules on top of the table, decided per record by `careline_domain::ticket`.
const OWNERSHIP_RULES: &str = r#"The table says whether a role may *attempt* an operation; these rules then decide for the
record at hand (in `careline_domain::ticket`):

- **Customers** read only tickets whose customer record is linked to their account. Anyone
  else's ticket answers `NOT_FOUND`, never `FORBIDDEN`, so existence does not leak. They may
  reopen and rate only their own tickets, and never see internal notes or internal events.
- **Department liaisons** read, and add notes to, only tickets dispatched to their department,
  and hand them back to the owner with their findings.
- **Customer contact data** (phone, email) is shown in full to the ticket's owner and assignee,
  to supervisors, managers and admins, and to the customer themself; everyone else sees it
  masked (`138****5678`, `l***@example.com`).
- **Resolving** needs the ticket's owner, its assignee or a lead (supervisor, manager, admin).
- **Accounts**: everyone may read themselves (`me`, `user(id)` with their own id); the staff
  directory (`users`, `teams`, team members) is staff-only; customer accounts need
  "read customer accounts". A staff member's email is masked for customers.
- **Files** (`uploadFile`, `file(id)`, `TicketEvent.files`): anyone signed in may upload. An
  unattached file is the uploader's alone, and only the uploader may attach it (`fileIds`);
  once attached, whoever reads its ticket reads it (customers not on internal entries).
  Anyone else gets `null`, as for a file that does not exist. Download links are signed and
  work for 5 minutes (docs/CONVERSATION.md)."#;

/// `docs/PERMISSIONS.md`, whole: generated from this module so that the page is the rule.
pub fn document() -> String {
    let mut out = String::from(
        "# Permissions\n\n\
         Who may attempt what, and how much of it they see. This page is generated from \
         `domain/src/permission.rs` (`careline_domain::permission::document()`); a unit test \
         fails when page and code disagree (`UPDATE_DOCS=1 cargo test -p careline-domain` \
         rewrites it). Guards on GraphQL fields and the use cases ask the same functions, and \
         `tests/tests/e2e/permission_matrix.rs` calls every action as every role end to end.\n\n\
         A person may hold several roles; they may do whatever any of their roles allows.\n\n\
         ## Role × action\n\n",
    );
    out.push_str(&markdown_table());
    out.push_str("\n## Scope rules\n\nOnce an action is allowed, these decide how much of it a person sees:\n\n");
    for (function, rule) in SCOPE_RULES {
        out.push_str(&format!("- `{function}`: {rule}.\n"));
    }
    out.push_str("\n## Ownership rules on top of the table\n\n");
    out.push_str(OWNERSHIP_RULES);
    out.push('\n');
    out
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
                Action::RateTicket,
                Action::AddEvidence,
                Action::ReadKnowledge,
                Action::AnswerSurveys,
                Action::PostCustomerMessage,
                Action::SetContactPreferences
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
    fn docs_permissions_md_is_the_generated_page() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/PERMISSIONS.md");
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, document()).expect("write docs/PERMISSIONS.md");
        }
        let doc = std::fs::read_to_string(path).expect("docs/PERMISSIONS.md");
        assert!(
            doc == document(),
            "docs/PERMISSIONS.md is out of date: run UPDATE_DOCS=1 cargo test -p careline-domain"
        );
    }
}

/// How much of the live queue someone may watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueAccess {
    /// Every team and department (supervisors, managers, admins).
    Everything,
    /// Only this team (agents and tech support, their own team).
    Team(uuid::Uuid),
    /// Only this department (liaisons, their own department).
    Department(uuid::Uuid),
    /// Nothing.
    Nothing,
}

/// Which part of the live queue a person with `roles`, member of `own_team` and
/// `own_department`, may watch.
pub fn queue_access(
    roles: Roles,
    own_team: Option<uuid::Uuid>,
    own_department: Option<uuid::Uuid>,
) -> QueueAccess {
    if allowed(roles, Action::ReadQueue) {
        QueueAccess::Everything
    } else if roles.has_any(&[Agent, TechSupport]) {
        own_team.map_or(QueueAccess::Nothing, QueueAccess::Team)
    } else if roles.has(DepartmentLiaison) {
        own_department.map_or(QueueAccess::Nothing, QueueAccess::Department)
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
            queue_access(Roles::from_iter([Agent]), Some(team), None),
            QueueAccess::Team(team)
        );
        assert_eq!(
            queue_access(Roles::from_iter([Agent]), None, None),
            QueueAccess::Nothing
        );
        assert_eq!(
            queue_access(Roles::from_iter([Supervisor]), None, None),
            QueueAccess::Everything
        );
        assert_eq!(
            queue_access(
                Roles::from_iter([Customer, Trainer]),
                Some(team),
                Some(team)
            ),
            QueueAccess::Nothing
        );
        assert_eq!(
            queue_access(Roles::from_iter([DepartmentLiaison]), None, Some(team)),
            QueueAccess::Department(team)
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

/// The teams someone leads, given the teams that name them supervisor: only supervisors lead,
/// and a supervisor leads their own team too. Team-scoped reading (KPIs, training records)
/// asks this and nothing else.
pub fn led_teams(
    roles: Roles,
    own_team: Option<uuid::Uuid>,
    named_supervisor_of: &[uuid::Uuid],
) -> Vec<uuid::Uuid> {
    if !roles.has(Supervisor) {
        return Vec::new();
    }
    let mut led = named_supervisor_of.to_vec();
    if let Some(team) = own_team
        && !led.contains(&team)
    {
        led.push(team);
    }
    led
}

/// Whether someone with `roles` sees `account`'s email address in full: staff see everyone's,
/// everybody sees their own; anyone else sees it masked.
pub fn sees_full_email(roles: Roles, viewer: uuid::Uuid, account: uuid::Uuid) -> bool {
    roles.is_staff() || viewer == account
}

/// Whether an account may lead a team: an active supervisor.
pub fn may_lead_team(roles: Roles, active: bool) -> bool {
    active && roles.has(Supervisor)
}

#[cfg(test)]
mod scope_tests {
    use super::*;

    #[test]
    fn only_supervisors_lead_and_they_lead_their_own_team_too() {
        let (own, named) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        assert_eq!(
            led_teams(Roles::from_iter([Supervisor]), Some(own), &[named]),
            vec![named, own]
        );
        assert_eq!(
            led_teams(Roles::from_iter([Supervisor]), Some(own), &[own]),
            vec![own]
        );
        assert!(led_teams(Roles::from_iter([Manager]), Some(own), &[named]).is_empty());
    }

    #[test]
    fn customers_see_only_their_own_email_in_full() {
        let (me, other) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        assert!(sees_full_email(Roles::from_iter([Customer]), me, me));
        assert!(!sees_full_email(Roles::from_iter([Customer]), me, other));
        assert!(sees_full_email(Roles::from_iter([Agent]), me, other));
    }

    #[test]
    fn a_team_is_led_by_an_active_supervisor() {
        assert!(may_lead_team(Roles::from_iter([Supervisor]), true));
        assert!(!may_lead_team(Roles::from_iter([Supervisor]), false));
        assert!(!may_lead_team(Roles::from_iter([Manager]), true));
    }
}
