//! The role × action table end to end: every action in `Action::ALL`, attempted over HTTP by an
//! account holding exactly one role, for every role in `Role::ALL`, gets exactly what
//! `Action::roles()` says.
//!
//! One server, one account per role. Each action has one probe: the real GraphQL operation its
//! guard protects, with inputs built so that a role the table allows gets past the permission
//! check and then a known answer (success, or a later rule refusing harmlessly:
//! `BAD_USER_INPUT`, `NOT_FOUND`, `INVALID_TRANSITION`, `CONFLICT`), while a role the table does
//! not allow gets `FORBIDDEN`. No probe changes anything another probe looks at, so the order
//! they run in does not matter.
//!
//! Arguments are parsed before a field's guard runs, so every probe passes well-typed arguments;
//! what the resolver then does with them (look-ups, validation) runs after the guard.
//!
//! `probe` matches on the action without a wildcard arm: a new `Action` does not compile until
//! it has a probe here, and once it is in `Action::ALL` every role attempts it.

use careline_domain::permission::{Action, require};
use careline_domain::{Role, Roles};
use careline_tests::TestApp;
use careline_tests::kit::{ADMIN, ok};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

/// The password of the accounts this test creates (the policy: 10+ characters, not common).
const PASSWORD: &str = "matrix probe passphrase 2026";
/// A well-formed id that names nothing.
const NOBODY: &str = "01900000-0000-7000-8000-00000000beef";
/// A period for the reports.
const FROM: &str = "2026-01-01T00:00:00Z";
const TO: &str = "2026-02-01T00:00:00Z";

/// What one (action, role) pair should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Past the permission check: the probe's `past_guard` answer, which is never `FORBIDDEN`.
    Allowed,
    /// `extensions.code == "FORBIDDEN"`, with the table's own refusal ("you are not allowed to
    /// …" for a row the role is not in), not some ownership rule's.
    Forbidden,
    /// The table allows the role, but an ownership or scope rule hides the target, which is
    /// reported as if it did not exist.
    NotFound,
}

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    /// No errors.
    Ok,
    /// The first error: its `extensions.code` (none for a malformed document) and message.
    Error {
        code: Option<String>,
        message: String,
    },
}

impl Answer {
    fn of(body: &Value) -> Answer {
        match body.get("errors").and_then(Value::as_array) {
            Some(errors) if !errors.is_empty() => Answer::Error {
                code: errors[0]["extensions"]["code"].as_str().map(str::to_owned),
                message: errors[0]["message"]
                    .as_str()
                    .unwrap_or("(no message)")
                    .to_owned(),
            },
            _ if body["data"].is_null() => Answer::Error {
                code: None,
                message: format!("neither data nor errors: {body}"),
            },
            _ => Answer::Ok,
        }
    }

    fn message(&self) -> &str {
        match self {
            Answer::Ok => "",
            Answer::Error { message, .. } => message,
        }
    }

    fn code(&self) -> Option<&str> {
        match self {
            Answer::Ok => None,
            Answer::Error { code, .. } => code.as_deref(),
        }
    }

    /// A short form for the grid.
    fn short(&self) -> &str {
        match self {
            Answer::Ok => "ok",
            Answer::Error { code, .. } => code.as_deref().unwrap_or("NO CODE"),
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Ok => f.write_str("ok (no errors)"),
            Answer::Error { code, message } => {
                write!(f, "{}: {message}", code.as_deref().unwrap_or("no code"))
            }
        }
    }
}

/// The real operation one action guards, with inputs built for the caller.
struct Probe {
    /// The GraphQL document; one top-level field.
    document: &'static str,
    /// Its variables, for a caller holding `Role`.
    variables: fn(&Fixture, Role) -> Value,
    /// What a role the table allows gets: `None` is success, `Some(code)` the later, harmless
    /// refusal the inputs are built to meet.
    past_guard: Option<&'static str>,
    /// Pairs where a rule on top of the table decides, each with the reason.
    overrides: &'static [(Role, Expect, &'static str)],
}

impl Probe {
    fn new(
        document: &'static str,
        variables: fn(&Fixture, Role) -> Value,
        past_guard: Option<&'static str>,
    ) -> Probe {
        Probe {
            document,
            variables,
            past_guard,
            overrides: &[],
        }
    }

    /// What `role` should get, and why when it is not simply the table.
    fn expectation(&self, action: Action, role: Role) -> (Expect, Option<&'static str>) {
        if let Some((_, expect, why)) = self.overrides.iter().find(|(r, _, _)| *r == role) {
            return (*expect, Some(why));
        }
        if action.roles().contains(&role) {
            (Expect::Allowed, None)
        } else {
            (Expect::Forbidden, None)
        }
    }

    fn meets(&self, expect: Expect, role: Role, answer: &Answer) -> bool {
        match expect {
            Expect::Forbidden => {
                answer.code() == Some("FORBIDDEN") && is_table_refusal(role, answer.message())
            }
            Expect::NotFound => answer.code() == Some("NOT_FOUND"),
            Expect::Allowed => match self.past_guard {
                None => *answer == Answer::Ok,
                Some(code) => code != "FORBIDDEN" && answer.code() == Some(code),
            },
        }
    }

    fn describe(&self, expect: Expect) -> String {
        match expect {
            Expect::Allowed => format!("allowed, then {}", self.past_guard.unwrap_or("ok")),
            Expect::Forbidden => "FORBIDDEN by the table".to_owned(),
            Expect::NotFound => "NOT_FOUND (allowed, target out of scope)".to_owned(),
        }
    }
}

/// Whether `message` is how the table refuses `role` something: the guard of the probed field
/// may be another row than the probed action (e.g. `users(role: CUSTOMER)` is first guarded by
/// ReadStaffDirectory), so any row the role is not in will do.
fn is_table_refusal(role: Role, message: &str) -> bool {
    Action::ALL.into_iter().any(|action| {
        require(Roles::from_iter([role]), action).is_err_and(|e| e.to_string() == message)
    })
}

/// The probe of each action. Each arm names the guard that protects the field (in
/// `api/src/graphql`) and why the inputs land where `past_guard` says.
fn probe(action: Action) -> Probe {
    match action {
        // `users`: guard = Can(ReadStaffDirectory).
        Action::ReadStaffDirectory => Probe::new(
            "{ users(first: 1) { totalCount } }",
            |_, _| json!({}),
            None,
        ),
        // `departments`: guard = Can(ReadDepartments).
        Action::ReadDepartments => Probe::new("{ departments { id } }", |_, _| json!({}), None),
        // `users(role: CUSTOMER)`: guard = Can(ReadStaffDirectory), then the resolver requires
        // ReadCustomerAccounts. Customers are refused by the first, the other staff outside
        // the row by the second.
        Action::ReadCustomerAccounts => Probe::new(
            "{ users(role: CUSTOMER, first: 1) { totalCount } }",
            |_, _| json!({}),
            None,
        ),
        // `createUser`: guard = Can(CreateUser); the email is checked first, so nothing is made.
        Action::CreateUser => Probe::new(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            |_, _| {
                json!({ "i": { "email": "not an address", "name": "Matrix probe",
                    "password": PASSWORD, "roles": ["AGENT"] } })
            },
            Some("BAD_USER_INPUT"),
        ),
        // `setUserActive`: guard = Can(SetUserActive). Deactivating one's own account is
        // refused after the guard, so even an allowed caller changes nothing.
        Action::SetUserActive => Probe::new(
            "mutation($id: ID!) { setUserActive(id: $id, active: false) { id } }",
            |f, role| json!({ "id": f.id(role) }),
            Some("BAD_USER_INPUT"),
        ),
        // `createDepartment`: guard = Can(ManageOrganisation); a blank name is refused.
        Action::ManageOrganisation => Probe::new(
            "mutation { createDepartment(name: \"   \", kind: OTHER) { id } }",
            |_, _| json!({}),
            Some("BAD_USER_INPUT"),
        ),
        // `setPresence`: guard = Can(SetPresence); it changes only the caller's own presence.
        Action::SetPresence => Probe::new(
            "mutation { setPresence(presence: AVAILABLE) { presence } }",
            |_, _| json!({}),
            None,
        ),
        // `createTicket`: guard = Can(CreateTicket); a blank subject is the first intake check
        // for customers and staff alike.
        Action::CreateTicket => Probe::new(
            "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }",
            |_, _| {
                json!({ "i": { "kind": "INQUIRY", "channel": "MOBILE_APP", "subject": "   ",
                    "description": "Matrix probe." } })
            },
            Some("BAD_USER_INPUT"),
        ),
        // `ticket`: guard = Can(ReadTickets). The ticket is the customer's own and dispatched
        // to the liaison's department, so everyone the table allows may see it.
        Action::ReadTickets => Probe::new(
            "query($id: ID!) { ticket(id: $id) { id } }",
            |f, _| json!({ "id": f.ticket }),
            None,
        ),
        // The ticket mutations below all act on the same ticket, `PENDING_DEPARTMENT`, and are
        // built to be refused after the guard by the state machine or their input, leaving it
        // as it is.
        //
        // `acknowledgeTicket`: guard = Can(AcknowledgeTicket); only a `NEW` ticket is
        // acknowledged.
        Action::AcknowledgeTicket => Probe::new(
            "mutation($id: ID!) { acknowledgeTicket(id: $id) { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("INVALID_TRANSITION"),
        ),
        // `assignTicket`: guard = Can(AssignTicket); a stale expected version is a conflict.
        Action::AssignTicket => Probe::new(
            "mutation($id: ID!, $to: ID!) {
                assignTicket(id: $id, assigneeId: $to, expectedVersion: 999999) { id } }",
            |f, _| json!({ "id": f.ticket, "to": f.ticket_owner }),
            Some("CONFLICT"),
        ),
        // `claimTicket`: guard = Can(ClaimTicket); the ticket is already someone else's.
        Action::ClaimTicket => Probe::new(
            "mutation($id: ID!) { claimTicket(id: $id) { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("CONFLICT"),
        ),
        // `dispatchTicket`: guard = Can(DispatchTicket); it is already with a department.
        Action::DispatchTicket => Probe::new(
            "mutation($id: ID!, $d: ID!) { dispatchTicket(id: $id, departmentId: $d) { id } }",
            |f, _| json!({ "id": f.ticket, "d": f.department }),
            Some("INVALID_TRANSITION"),
        ),
        // `addTicketNote`: guard = Can(AddInternalNote); the liaison passes the relationship
        // check (dispatched to their department) and everyone then meets the blank body.
        Action::AddInternalNote => Probe::new(
            "mutation($id: ID!) { addTicketNote(id: $id, body: \"   \") { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
        // `replyToCustomer`: guard = Can(ReplyToCustomer); a blank reply.
        Action::ReplyToCustomer => Probe::new(
            "mutation($id: ID!) { replyToCustomer(id: $id, body: \"   \") { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
        // `setTicketStatus`: guard = Can(WorkTicket); only `OPEN` ⇄ `PENDING_CUSTOMER` moves.
        // (Not `resolveTicket`: only the owner, the assignee or a lead may resolve, an
        // ownership rule that would refuse an agent the table allows.)
        Action::WorkTicket => Probe::new(
            "mutation($id: ID!) { setTicketStatus(id: $id, status: PENDING_CUSTOMER) { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("INVALID_TRANSITION"),
        ),
        // `reopenTicket`: guard = Can(ReopenTicket); the customer's own ticket, not resolved.
        Action::ReopenTicket => Probe::new(
            "mutation($id: ID!) { reopenTicket(id: $id, reason: \"Matrix probe.\") { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("INVALID_TRANSITION"),
        ),
        // `recordFollowUp`: guard = Can(RecordFollowUp); only after a resolution.
        Action::RecordFollowUp => Probe::new(
            "mutation($id: ID!) { recordFollowUp(id: $id,
                input: { method: PHONE, outcome: \"Matrix probe.\", customerSatisfied: true }) { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("INVALID_TRANSITION"),
        ),
        // `rateTicket`: guard = Can(RateTicket); the customer's own ticket, not resolved.
        Action::RateTicket => Probe::new(
            "mutation($id: ID!) { rateTicket(id: $id, rating: 5) { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("INVALID_TRANSITION"),
        ),
        // `escalateTicket`: guard = Can(EscalateTicket); a blank reason.
        Action::EscalateTicket => Probe::new(
            "mutation($id: ID!) { escalateTicket(id: $id, reason: \"   \") { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
        // `acknowledgeEscalation`: guard = Can(AcknowledgeEscalation) (any staff: whoever it
        // was routed to); no such escalation.
        Action::AcknowledgeEscalation => Probe::new(
            "mutation($id: ID!) { acknowledgeEscalation(id: $id) { id } }",
            |_, _| json!({ "id": NOBODY }),
            Some("NOT_FOUND"),
        ),
        // `transferTicketOwnership`: guard = Can(TransferOwnership); to its current owner.
        Action::TransferOwnership => Probe::new(
            "mutation($id: ID!, $to: ID!) { transferTicketOwnership(id: $id, toUserId: $to) { id } }",
            |f, _| json!({ "id": f.ticket, "to": f.ticket_owner }),
            Some("BAD_USER_INPUT"),
        ),
        // `setSuggestionStatus`: guard = Can(SetSuggestionStatus); the ticket is an inquiry.
        Action::SetSuggestionStatus => Probe::new(
            "mutation($id: ID!) { setSuggestionStatus(id: $id, status: ADOPTED) { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
        // `setCorrectiveActionStatus`: guard = Can(ManageCorrectiveActions). The corrective
        // action is `OPEN` and belongs to another department than the liaison's; `OPEN` →
        // `OPEN` is no move.
        Action::ManageCorrectiveActions => Probe {
            overrides: &[(
                Role::DepartmentLiaison,
                Expect::NotFound,
                // Liaisons act only on their own department's corrective actions; another
                // department's is reported as if it did not exist (set_corrective_action_status).
                "a liaison sees only their own department's corrective actions",
            )],
            ..Probe::new(
                "mutation($id: ID!) { setCorrectiveActionStatus(id: $id, status: OPEN) { id } }",
                |f, _| json!({ "id": f.elsewhere_action }),
                Some("INVALID_TRANSITION"),
            )
        },
        // `setCorrectiveActionStatus` to `VERIFIED`: guard = Can(ManageCorrectiveActions) keeps
        // out customers, agents, tech support and trainers; the liaison passes it and the
        // department scope (the action is their department's) and is then refused by the
        // transition, which requires VerifyCorrectiveAction. Each role verifies its own `DONE`
        // corrective action, so one role's success does not change another's probe.
        Action::VerifyCorrectiveAction => Probe::new(
            "mutation($id: ID!) { setCorrectiveActionStatus(id: $id, status: VERIFIED) { status } }",
            |f, role| json!({ "id": f.done_actions[&role] }),
            None,
        ),
        // `escalations`: guard = Can(ReadQueue). (`queue` itself also lets agents and tech
        // support watch their own team, a scope rule outside this row; see `queue_access`.)
        Action::ReadQueue => Probe::new("{ escalations(first: 1) { id } }", |_, _| json!({}), None),
        // `upsertSlaPolicy`: guard = Can(ManageSlaPolicies); a blank name.
        Action::ManageSlaPolicies => Probe::new(
            "mutation($i: SlaPolicyInput!) { upsertSlaPolicy(input: $i) { id } }",
            |_, _| {
                json!({ "i": { "name": "   ", "kind": "PRAISE", "firstResponseMinutes": 60,
                    "resolutionMinutes": 600, "timeZone": "UTC", "windows": "24x7" } })
            },
            Some("BAD_USER_INPUT"),
        ),
        // `reclassifyTicket`: guard = Can(ReclassifyTicket); a change without a reason is
        // refused before the ticket is looked at.
        Action::ReclassifyTicket => Probe::new(
            "mutation($id: ID!) { reclassifyTicket(id: $id, input: { priority: HIGH, reason: \" \" }) { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
        // `addAttachments`: guard = Can(AddEvidence); no files at all.
        Action::AddEvidence => Probe::new(
            "mutation($id: ID!) { addAttachments(id: $id, attachments: []) { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
        // `departmentTasks`: guard = Can(AnswerDepartmentTask); liaisons see their own.
        Action::AnswerDepartmentTask => {
            Probe::new("{ departmentTasks { id } }", |_, _| json!({}), None)
        }
        // `knowledgeArticles`: guard = Can(ReadKnowledge); each reads what its scope allows.
        Action::ReadKnowledge => {
            Probe::new("{ knowledgeArticles { id } }", |_, _| json!({}), None)
        }
        // `createArticle`: guard = Can(WriteArticles); a blank title.
        Action::WriteArticles => Probe::new(
            "mutation { createArticle(input: { title: \" \", body: \"x\", kind: FAQ,
                audience: PUBLIC }) { id } }",
            |_, _| json!({}),
            Some("BAD_USER_INPUT"),
        ),
        // `publishArticle`: guard = Can(ReviewArticles); an article that does not exist.
        Action::ReviewArticles => Probe::new(
            "mutation($id: ID!) { publishArticle(id: $id) { id } }",
            |_, _| json!({ "id": uuid::Uuid::now_v7().to_string() }),
            Some("NOT_FOUND"),
        ),
        // `createReplyTemplate`: guard = Can(ManageReplyTemplates); a blank name.
        Action::ManageReplyTemplates => Probe::new(
            "mutation { createReplyTemplate(input: { name: \" \", body: \"x\" }) { id } }",
            |_, _| json!({}),
            Some("BAD_USER_INPUT"),
        ),
        // `businessCalendars`: guard = Can(ReadCalendars).
        Action::ReadCalendars => Probe::new("{ businessCalendars { id } }", |_, _| json!({}), None),
        // `createBusinessCalendar`: guard = Can(ManageCalendars); a blank name.
        Action::ManageCalendars => Probe::new(
            "mutation { createBusinessCalendar(input: { name: \"  \", timeZone: \"UTC\",
                windows: \"24x7\" }) { id } }",
            |_, _| json!({}),
            Some("BAD_USER_INPUT"),
        ),
        // `createShift`: guard = Can(ManageShifts); a shift that ends as it starts.
        Action::ManageShifts => Probe::new(
            "mutation($a: ID!, $s: DateTime!) { createShift(agentId: $a, startsAt: $s, endsAt: $s) { id } }",
            |f, _| json!({ "a": f.id(Role::Agent), "s": "2030-01-01T09:00:00Z" }),
            Some("BAD_USER_INPUT"),
        ),
        // `recordHandover`: guard = Can(RecordHandover); to nobody.
        Action::RecordHandover => Probe::new(
            "mutation($i: HandoverInput!) { recordHandover(input: $i) { id } }",
            |_, _| json!({ "i": { "toUserId": NOBODY, "notes": "Matrix probe.", "ticketIds": [] } }),
            Some("BAD_USER_INPUT"),
        ),
        // `createCourse`: guard = Can(ManageTraining); a blank title.
        Action::ManageTraining => Probe::new(
            "mutation($i: CourseInput!) { createCourse(input: $i) { id } }",
            |_, _| {
                json!({ "i": { "title": "   ", "category": "ETHICS", "requiredForRoles": [],
                    "passScore": 60 } })
            },
            Some("BAD_USER_INPUT"),
        ),
        // `recordAttendance`: guard = Can(AssessTraining); no such record.
        Action::AssessTraining => Probe::new(
            "mutation($r: ID!) { recordAttendance(recordId: $r, attended: true) { id } }",
            |_, _| json!({ "r": NOBODY }),
            Some("NOT_FOUND"),
        ),
        // `kpis`: guard = Can(ReadKpis); one's own, which everyone in the row may read.
        Action::ReadKpis => Probe::new(
            "query($from: DateTime!, $to: DateTime!) {
                kpis(scope: { kind: AGENT }, from: $from, to: $to) { ticketsCreated } }",
            |_, _| json!({ "from": FROM, "to": TO }),
            None,
        ),
        // `complaintAnalytics`: guard = Can(ReadComplaintAnalytics); the liaison has a
        // department, so they see its complaints.
        Action::ReadComplaintAnalytics => Probe::new(
            "query($from: DateTime!, $to: DateTime!) {
                complaintAnalytics(from: $from, to: $to, bucket: MONTH) { total } }",
            |_, _| json!({ "from": FROM, "to": TO }),
            None,
        ),
        // `createReviewCycle`: guard = Can(ManageReviews); a blank name.
        Action::ManageReviews => Probe::new(
            "mutation($s: DateTime!, $e: DateTime!) {
                createReviewCycle(name: \"   \", startsAt: $s, endsAt: $e) { id } }",
            |_, _| json!({ "s": FROM, "e": TO }),
            Some("BAD_USER_INPUT"),
        ),
        // `reviewCycles`: guard = Can(ParticipateInReviews).
        Action::ParticipateInReviews => {
            Probe::new("{ reviewCycles { id } }", |_, _| json!({}), None)
        }
        // `trainingCourses`: guard = Can(ReadTraining).
        Action::ReadTraining => Probe::new("{ trainingCourses { id } }", |_, _| json!({}), None),
        // `correctiveActions`: guard = Can(ReadCorrectiveActions); liaisons see their own
        // department's.
        Action::ReadCorrectiveActions => {
            Probe::new("{ correctiveActions { id } }", |_, _| json!({}), None)
        }
        // `overdueCorrectiveActions`: guard = Can(ReadOverdueCorrectiveActions).
        Action::ReadOverdueCorrectiveActions => Probe::new(
            "{ overdueCorrectiveActions { id overdue remindedAt } }",
            |_, _| json!({}),
            None,
        ),
        // `setWorkingGroup`: guard = Can(SetWorkingGroup); a malformed id is refused before
        // the group is touched.
        Action::SetWorkingGroup => Probe::new(
            "mutation { setWorkingGroup(memberIds: [\"nope\"]) { id } }",
            |_, _| json!({}),
            Some("BAD_USER_INPUT"),
        ),
        // `setInvolvedStaff`: guard = Can(SetInvolvedStaff); a malformed id is refused before
        // the ticket is touched.
        Action::SetInvolvedStaff => Probe::new(
            "mutation($id: ID!) { setInvolvedStaff(ticketId: $id, userIds: [\"nope\"]) { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
        // `recordComplaintVerdict`: guard = Can(RecordComplaintVerdict); PENDING is not a
        // verdict (and the probe ticket is no complaint), so nothing is recorded.
        Action::RecordComplaintVerdict => Probe::new(
            "mutation($id: ID!) {
                recordComplaintVerdict(ticketId: $id, verdict: PENDING, rootCause: \"x\") { id } }",
            |f, _| json!({ "id": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
        // `createQualityScorecard`: guard = Can(ManageQualityScorecards); a blank name.
        Action::ManageQualityScorecards => Probe::new(
            "mutation { createQualityScorecard(name: \"  \", criteria: []) { id } }",
            |_, _| json!({}),
            Some("BAD_USER_INPUT"),
        ),
        // `qualitySample`: guard = Can(InspectQuality); a sample of nothing.
        Action::InspectQuality => Probe::new(
            "query($from: DateTime!, $to: DateTime!) {
                qualitySample(from: $from, to: $to, size: 0) { id } }",
            |_, _| json!({ "from": FROM, "to": TO }),
            Some("BAD_USER_INPUT"),
        ),
        // `qualityReviews`: guard = Can(ReadQualityReviews); everyone reads their own.
        Action::ReadQualityReviews => {
            Probe::new("{ qualityReviews { id } }", |_, _| json!({}), None)
        }
        // `customers`: guard = Can(ReadCustomers).
        Action::ReadCustomers => Probe::new(
            "{ customers(first: 1) { totalCount } }",
            |_, _| json!({}),
            None,
        ),
        // `updateCustomer`: guard = Can(EditCustomers); the email is checked before the record
        // is looked up, so nothing is changed.
        Action::EditCustomers => Probe::new(
            "mutation($id: ID!) { updateCustomer(id: $id, input: { email: \"not an address\" }) { id } }",
            |_, _| json!({ "id": NOBODY }),
            Some("BAD_USER_INPUT"),
        ),
        // `mergeCustomers`: guard = Can(ManageCustomers); no such records.
        Action::ManageCustomers => Probe::new(
            "mutation($id: ID!) { mergeCustomers(keepId: $id, mergeId: $id) { id } }",
            |_, _| json!({ "id": NOBODY }),
            Some("NOT_FOUND"),
        ),
        // `closeSurvey`: guard = Can(ManageSurveys); no such survey.
        Action::ManageSurveys => Probe::new(
            "mutation($id: ID!) { closeSurvey(id: $id) { status } }",
            |_, _| json!({ "id": NOBODY }),
            Some("NOT_FOUND"),
        ),
        // `surveys`: guard = Can(ReadSurveys).
        Action::ReadSurveys => Probe::new("{ surveys { id } }", |_, _| json!({}), None),
        // `answerSurvey`: guard = Can(AnswerSurveys); no such invitation.
        Action::AnswerSurveys => Probe::new(
            "mutation($id: ID!) { answerSurvey(invitationId: $id, answers: [{ key: \"a\", value: \"1\" }]) { id } }",
            |_, _| json!({ "id": NOBODY }),
            Some("NOT_FOUND"),
        ),
        // `logTime`: guard = Can(LogTime); the minutes are checked first, nothing is logged.
        Action::LogTime => Probe::new(
            "mutation($id: ID!) { logTime(ticketId: $id, minutes: 0) { id } }",
            |_, _| json!({ "id": NOBODY }),
            Some("BAD_USER_INPUT"),
        ),
        // `generateReport`: guard = Can(GenerateReports); an empty window is refused before
        // anything is generated.
        Action::GenerateReports => Probe::new(
            "mutation($f: DateTime!) { generateReport(kind: COMPLAINTS, from: $f, to: $f) { id } }",
            |_, _| json!({ "f": FROM }),
            Some("BAD_USER_INPUT"),
        ),
        // `reports`: guard = Can(ReadReports).
        Action::ReadReports => Probe::new("{ reports(first: 1) { id } }", |_, _| json!({}), None),
        // `postCustomerMessage`: guard = Can(PostCustomerMessage); a blank body is refused
        // before the ticket is looked at.
        Action::PostCustomerMessage => Probe::new(
            "mutation($t: ID!) { postCustomerMessage(ticketId: $t, body: \"  \") { id } }",
            |f, _| json!({ "t": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
        // `promiseAnswer`: guard = Can(PromiseAnswer); a time in the past.
        Action::PromiseAnswer => Probe::new(
            "mutation($t: ID!) { promiseAnswer(ticketId: $t, at: \"2020-01-01T00:00:00Z\") { id } }",
            |f, _| json!({ "t": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
        // `setContactPreferences`: guard = Can(SetContactPreferences); no such record.
        Action::SetContactPreferences => Probe::new(
            "mutation($c: ID!) { setContactPreferences(customerId: $c, input: { optedOut: true }) { id } }",
            |_, _| json!({ "c": NOBODY }),
            Some("NOT_FOUND"),
        ),
        // `notificationTemplates`: guard = Can(ReadNotificationTemplates).
        Action::ReadNotificationTemplates => Probe::new(
            "{ notificationTemplates(channel: SMS) { id } }",
            |_, _| json!({}),
            None,
        ),
        // `upsertNotificationTemplate`: guard = Can(ManageNotificationTemplates); an unknown
        // placeholder.
        Action::ManageNotificationTemplates => Probe::new(
            "mutation { upsertNotificationTemplate(input: { event: RESOLVED, channel: SMS,
                language: \"en\", body: \"{{nope}}\" }) { id } }",
            |_, _| json!({}),
            Some("BAD_USER_INPUT"),
        ),
        // `failedDeliveries`: guard = Can(ManageDeliveries).
        Action::ManageDeliveries => Probe::new(
            "{ failedDeliveries(first: 1) { totalCount } }",
            |_, _| json!({}),
            None,
        ),
        // `createMailbox`: guard = Can(ManageMailboxes); a password in the URL is refused.
        Action::ManageMailboxes => Probe::new(
            "mutation { createMailbox(input: { name: \"Service\", address: \"service@example.com\",
                imapUrl: \"imap://u:p@127.0.0.1/INBOX\" }) { id } }",
            |_, _| json!({}),
            Some("BAD_USER_INPUT"),
        ),
        // `scheduleCallback`: guard = Can(WorkCallbacks); a due time in the past is refused
        // before the ticket is looked at.
        Action::WorkCallbacks => Probe::new(
            "mutation($t: ID!) { scheduleCallback(input: { ticketId: $t, purpose: CALLBACK,
                dueAt: \"2020-01-01T00:00:00Z\" }) { id } }",
            |f, _| json!({ "t": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
        // `callbacks`: guard = Can(ReadTeamCallbacks).
        Action::ReadTeamCallbacks => Probe::new(
            "{ callbacks(first: 1) { totalCount } }",
            |_, _| json!({}),
            None,
        ),
        // `closeWithCustomerDisagreeing`: guard = Can(CloseWithCustomerDisagreeing); a blank
        // reason is refused before the ticket is looked at.
        Action::CloseWithCustomerDisagreeing => Probe::new(
            "mutation($t: ID!) { closeWithCustomerDisagreeing(ticketId: $t, reason: \" \") { id } }",
            |f, _| json!({ "t": f.ticket }),
            Some("BAD_USER_INPUT"),
        ),
    }
}

/// One account.
struct Account {
    id: String,
    token: String,
}

/// Everything the probes act on, made through the API before any probe runs.
struct Fixture {
    /// One account per role, holding exactly that role.
    accounts: HashMap<Role, Account>,
    /// The department the liaison speaks for.
    department: String,
    /// The customer's own inquiry, acknowledged by the demo admin (its owner and assignee)
    /// and dispatched to `department`: `PENDING_DEPARTMENT`.
    ticket: String,
    /// The ticket's owner.
    ticket_owner: String,
    /// An `OPEN` corrective action of another department.
    elsewhere_action: String,
    /// A `DONE` corrective action of `department` for each role to verify.
    done_actions: HashMap<Role, String>,
}

impl Fixture {
    fn id(&self, role: Role) -> &str {
        &self.accounts[&role].id
    }
}

fn id_at(value: &Value, path: &[&str]) -> String {
    let mut v = value;
    for key in path {
        v = &v[key];
    }
    v.as_str()
        .unwrap_or_else(|| panic!("no {path:?} in {value}"))
        .to_owned()
}

async fn fixture(app: &TestApp) -> Fixture {
    let root = app.login(ADMIN).await;

    let new_department = "mutation($n: String!) { createDepartment(name: $n, kind: OTHER) { id } }";
    let department = id_at(
        &ok(app, &root, new_department, json!({ "n": "Matrix probes" })).await,
        &["createDepartment", "id"],
    );
    let elsewhere = id_at(
        &ok(
            app,
            &root,
            new_department,
            json!({ "n": "Matrix elsewhere" }),
        )
        .await,
        &["createDepartment", "id"],
    );

    let mut accounts = HashMap::new();
    for role in Role::ALL {
        let email = format!("matrix.{}@careline.example", role.as_str().to_lowercase());
        let department_id = (role == Role::DepartmentLiaison).then(|| department.clone());
        ok(
            app,
            &root,
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({ "i": { "email": email, "name": format!("Matrix {role}"), "password": PASSWORD,
                "roles": [role.as_str()], "departmentId": department_id } }),
        )
        .await;
        let login = app.login_payload(&email, PASSWORD).await;
        let account = Account {
            id: id_at(&login, &["data", "login", "user", "id"]),
            token: id_at(&login, &["data", "login", "accessToken"]),
        };
        accounts.insert(role, account);
    }

    let create_ticket = "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }";
    let ticket = id_at(
        &ok(
            app,
            &accounts[&Role::Customer].token,
            create_ticket,
            json!({ "i": { "kind": "INQUIRY", "channel": "MOBILE_APP",
                "subject": "Matrix probe ticket", "description": "Every role probes this." } }),
        )
        .await,
        &["createTicket", "id"],
    );
    let acknowledged = ok(
        app,
        &root,
        "mutation($id: ID!) { acknowledgeTicket(id: $id) { owner { id } assignee { id } } }",
        json!({ "id": ticket }),
    )
    .await;
    let ticket_owner = id_at(&acknowledged, &["acknowledgeTicket", "owner", "id"]);
    assert_eq!(
        id_at(&acknowledged, &["acknowledgeTicket", "assignee", "id"]),
        ticket_owner,
        "whoever acknowledges holds the ticket"
    );
    let dispatched = ok(
        app,
        &root,
        "mutation($id: ID!, $d: ID!) { dispatchTicket(id: $id, departmentId: $d) { status } }",
        json!({ "id": ticket, "d": department }),
    )
    .await;
    assert_eq!(dispatched["dispatchTicket"]["status"], "PENDING_DEPARTMENT");

    let complaint = id_at(
        &ok(
            app,
            &root,
            create_ticket,
            json!({ "i": { "kind": "COMPLAINT", "channel": "PHONE", "category": "PRODUCT_QUALITY",
                "subject": "Matrix complaint", "description": "For corrective actions.",
                "customer": { "name": "Matrix Complainant" } } }),
        )
        .await,
        &["createTicket", "id"],
    );
    let new_action =
        "mutation($i: CorrectiveActionInput!) { createCorrectiveAction(input: $i) { id } }";
    let corrective_action = |department: String, n: usize| {
        let root = root.clone();
        let complaint = complaint.clone();
        async move {
            id_at(
                &ok(
                    app,
                    &root,
                    new_action,
                    json!({ "i": { "description": format!("Matrix fix {n}"),
                        "departmentId": department, "ticketIds": [complaint] } }),
                )
                .await,
                &["createCorrectiveAction", "id"],
            )
        }
    };
    let elsewhere_action = corrective_action(elsewhere, 0).await;
    let mut done_actions = HashMap::new();
    for (n, role) in Role::ALL.into_iter().enumerate() {
        let id = corrective_action(department.clone(), n + 1).await;
        let done = ok(
            app,
            &root,
            "mutation($id: ID!) { setCorrectiveActionStatus(id: $id, status: DONE) { status } }",
            json!({ "id": id }),
        )
        .await;
        assert_eq!(done["setCorrectiveActionStatus"]["status"], "DONE");
        done_actions.insert(role, id);
    }

    Fixture {
        accounts,
        department,
        ticket,
        ticket_owner,
        elsewhere_action,
        done_actions,
    }
}

/// One (action, role) pair as checked.
struct Check {
    action: Action,
    role: Role,
    expected: String,
    why: Option<&'static str>,
    answer: Answer,
    met: bool,
}

/// Every pair, in table order.
struct Report {
    checks: Vec<Check>,
}

impl Report {
    fn mismatches(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.met).collect()
    }

    /// The observed matrix, one row per action, as the permission table lays it out.
    fn grid(&self) -> String {
        let mut out = format!("{:<24}", "action");
        for role in Role::ALL {
            out.push_str(&format!(" {:<20}", role.as_str()));
        }
        out.push('\n');
        for action in Action::ALL {
            out.push_str(&format!("{:<24}", format!("{action:?}")));
            for role in Role::ALL {
                let cell = self
                    .checks
                    .iter()
                    .find(|c| c.action == action && c.role == role)
                    .map_or("(not checked)".to_owned(), |c| {
                        format!("{}{}", if c.met { "" } else { "✗ " }, c.answer.short())
                    });
                out.push_str(&format!(" {cell:<20}"));
            }
            out.push('\n');
        }
        out
    }
}

async fn run_matrix() -> Report {
    let app = TestApp::spawn().await;
    let fixture = fixture(&app).await;
    let mut checks = Vec::with_capacity(Action::ALL.len() * Role::ALL.len());
    for action in Action::ALL {
        let probe = probe(action);
        for role in Role::ALL {
            let (expect, why) = probe.expectation(action, role);
            let body = app
                .gql(
                    Some(&fixture.accounts[&role].token),
                    probe.document,
                    (probe.variables)(&fixture, role),
                )
                .await;
            let answer = Answer::of(&body);
            checks.push(Check {
                action,
                role,
                expected: probe.describe(expect),
                why,
                met: probe.meets(expect, role, &answer),
                answer,
            });
        }
    }
    Report { checks }
}

/// The matrix, run once on one server and shared by the tests below.
fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the matrix")
            .block_on(run_matrix())
    })
}

#[test]
fn every_role_gets_exactly_what_the_permission_table_says() {
    let report = report();
    println!("{}", report.grid());
    let mismatches = report.mismatches();
    let list: Vec<String> = mismatches
        .iter()
        .map(|c| {
            format!(
                "  {:?} as {}: expected {}{}, got {}",
                c.action,
                c.role,
                c.expected,
                c.why.map(|w| format!(" ({w})")).unwrap_or_default(),
                c.answer
            )
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} (action, role) pairs differ from the permission table:\n{}",
        mismatches.len(),
        report.checks.len(),
        list.join("\n")
    );
}

#[test]
fn every_action_is_checked_once_for_every_role() {
    let report = report();
    assert_eq!(
        report.checks.len(),
        Action::ALL.len() * Role::ALL.len(),
        "one check per action and role"
    );
    let pairs: HashSet<(Action, Role)> = report.checks.iter().map(|c| (c.action, c.role)).collect();
    assert_eq!(pairs.len(), report.checks.len(), "no pair is checked twice");
    for action in Action::ALL {
        for role in Role::ALL {
            assert!(
                pairs.contains(&(action, role)),
                "{action:?} as {role} was not checked"
            );
        }
    }
}
