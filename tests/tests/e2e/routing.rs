//! Escalations routed to named people and corrective actions chased (issue 29, parts 3 and 4):
//! an SLA breach reaches the supervisor of the ticket's team and nobody else's, on their
//! `myEscalations` stream and in their inbox; a level-3 escalation reaches a Legal liaison in
//! the working group; only a recipient (or a manager) acknowledges; an overdue corrective
//! action reminds its department's liaisons and escalates to its manager exactly once with two
//! instances running.

use careline_tests::kit::{
    AARON, ADMIN, ALICE, CLAIM, CREATE_USER, LEGAL, LI_LEI, MANAGER, PRODUCT, SAM, SUE,
    create_ticket, department_id, inquiry, ok, tick,
};
use careline_tests::ws::{collect, socket, subscribe};
use careline_tests::{TestApp, data, error_code};
use chrono::Duration;
use serde_json::{Value, json};

const MY_ESCALATIONS: &str = "subscription { myEscalations { escalationId level kind reason
    ticket { id } recipients { email } } }";
const ROUTED: &str = "{ escalations(first: 100) { id level kind ticket { id }
    recipients { email } acknowledgedBy { email } } }";
const INBOX: &str = "{ myNotifications(first: 50) { nodes { kind title body ticket { id } } } }";
const TAKE: &str =
    "mutation($id: ID!) { acknowledgeEscalation(id: $id) { acknowledgedBy { email } } }";
const ESCALATE: &str =
    "mutation($id: ID!, $r: String!) { escalateTicket(id: $id, reason: $r) { escalationLevel } }";
const SET_GROUP: &str = "mutation($m: [ID!]!) { setWorkingGroup(memberIds: $m) { email } }";

/// A round-the-clock inquiry policy: first response due in 60 minutes.
async fn round_the_clock(app: &TestApp) {
    let manager = app.login(MANAGER).await;
    ok(
        app,
        &manager,
        "mutation($i: SlaPolicyInput!) { upsertSlaPolicy(input: $i) { id } }",
        json!({ "i": { "name": "Inquiry 24x7", "kind": "INQUIRY", "firstResponseMinutes": 60,
            "resolutionMinutes": 600, "timeZone": "UTC", "windows": "24x7" } }),
    )
    .await;
}

/// The escalations of ticket `id`, as a manager sees them, newest first.
async fn routed(app: &TestApp, id: &str) -> Vec<Value> {
    let manager = app.login(MANAGER).await;
    ok(app, &manager, ROUTED, json!({})).await["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ticket"]["id"] == id)
        .cloned()
        .collect()
}

fn emails(people: &Value) -> Vec<String> {
    let mut out: Vec<String> = people
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {people}"))
        .iter()
        .map(|p| p["email"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

async fn inbox(app: &TestApp, token: &str) -> Vec<Value> {
    ok(app, token, INBOX, json!({})).await["myNotifications"]["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

/// The caller's inbox entries of `kind` about the ticket numbered `number` (the demo's own
/// tickets leave entries of their own). The title names the ticket, which a recipient may not
/// be allowed to read (a liaison in the working group).
async fn inbox_of_kind(app: &TestApp, token: &str, kind: &str, number: &str) -> Vec<Value> {
    inbox(app, token)
        .await
        .into_iter()
        .filter(|n| n["kind"] == kind && n["title"].as_str().unwrap_or("").contains(number))
        .collect()
}

/// A ticket's number.
async fn number(app: &TestApp, id: &str) -> String {
    let manager = app.login(MANAGER).await;
    ok(
        app,
        &manager,
        "query($id: ID!) { ticket(id: $id) { number } }",
        json!({ "id": id }),
    )
    .await["ticket"]["number"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_breach_reaches_the_team_supervisor_and_no_other_teams_supervisor() {
    let app = TestApp::spawn().await;
    round_the_clock(&app).await;
    let agent = app.login(ALICE).await;
    let sam = app.login(SAM).await;
    let sue = app.login(SUE).await;
    let mut sam_ws = socket(&app, &sam).await;
    subscribe(&mut sam_ws, "mine", MY_ESCALATIONS, json!({})).await;
    let mut sue_ws = socket(&app, &sue).await;
    subscribe(&mut sue_ws, "mine", MY_ESCALATIONS, json!({})).await;

    let t = create_ticket(&app, &agent, inquiry("Late parcel")).await;
    ok(&app, &agent, CLAIM, json!({ "id": t })).await;
    app.state.app.clock.advance(Duration::minutes(61));
    tick(&app).await;

    // Warning and breach crossed in one pass: the warning goes to the supervisor and the
    // assignee, the level-1 breach to the supervisor alone.
    let found = routed(&app, &t).await;
    assert_eq!(found.len(), 2, "{found:?}");
    let breach = found.iter().find(|e| e["kind"] == "SLA_BREACH").unwrap();
    assert_eq!(breach["level"], 1);
    assert_eq!(emails(&breach["recipients"]), [SAM]);
    let warning = found.iter().find(|e| e["kind"] == "SLA_WARNING").unwrap();
    assert_eq!(emails(&warning["recipients"]), [ALICE, SAM]);

    let pushed = collect(&mut sam_ws, 2, 5).await;
    assert_eq!(pushed.len(), 2, "{pushed:?}");
    let pushed_breach = pushed
        .iter()
        .map(|p| &p["data"]["myEscalations"])
        .find(|e| e["kind"] == "SLA_BREACH")
        .unwrap_or_else(|| panic!("no breach pushed: {pushed:?}"));
    assert_eq!(pushed_breach["escalationId"], breach["id"]);
    assert_eq!(pushed_breach["ticket"]["id"], t.as_str());
    assert_eq!(emails(&pushed_breach["recipients"]), [SAM]);
    assert!(
        collect(&mut sue_ws, 1, 2).await.is_empty(),
        "another team's supervisor hears nothing"
    );

    let n = number(&app, &t).await;
    let sam_inbox = inbox_of_kind(&app, &sam, "ESCALATED", &n).await;
    assert_eq!(
        sam_inbox.len(),
        2,
        "one entry per escalation: {sam_inbox:?}"
    );
    assert!(sam_inbox.iter().all(|n| n["ticket"]["id"] == t.as_str()));
    assert!(inbox_of_kind(&app, &sue, "ESCALATED", &n).await.is_empty());
    let manager = app.login(MANAGER).await;
    assert!(
        inbox_of_kind(&app, &manager, "ESCALATED", &n)
            .await
            .is_empty(),
        "level 1 does not reach the manager"
    );
    // A second pass records and tells nothing again.
    tick(&app).await;
    assert_eq!(inbox_of_kind(&app, &sam, "ESCALATED", &n).await.len(), 2);
}

#[tokio::test]
async fn a_breach_on_a_customers_own_ticket_reaches_the_service_manager_not_the_working_group() {
    let app = TestApp::spawn().await;
    round_the_clock(&app).await;
    // The customer's own ticket has no team and, unclaimed, nobody holding it.
    let customer = app.login(LI_LEI).await;
    let t = create_ticket(&app, &customer, inquiry("Where is my refund?")).await;
    app.state.app.clock.advance(Duration::minutes(61));
    tick(&app).await;
    let found = routed(&app, &t).await;
    let breach = found.iter().find(|e| e["kind"] == "SLA_BREACH").unwrap();
    assert_eq!(emails(&breach["recipients"]), [MANAGER], "{found:?}");
}

#[tokio::test]
async fn a_level_three_escalation_reaches_a_legal_liaison_in_the_working_group() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let agent = app.login(ALICE).await;
    let legal = app.login(LEGAL).await;
    let legal_id = app.user_id(LEGAL).await;
    let group = ok(&app, &admin, SET_GROUP, json!({ "m": [legal_id] })).await;
    assert_eq!(emails(&group["setWorkingGroup"]), [LEGAL]);
    let listed = ok(&app, &agent, "{ workingGroup { email } }", json!({})).await;
    assert_eq!(emails(&listed["workingGroup"]), [LEGAL]);

    // Only managers and admins set it, and only to active staff.
    let by_agent = app
        .gql(Some(&agent), SET_GROUP, json!({ "m": [legal_id] }))
        .await;
    assert_eq!(error_code(&by_agent), Some("FORBIDDEN"));
    let customer = app.user_id(LI_LEI).await;
    let with_customer = app
        .gql(
            Some(&admin),
            SET_GROUP,
            json!({ "m": [legal_id, customer] }),
        )
        .await;
    assert_eq!(error_code(&with_customer), Some("BAD_USER_INPUT"));
    let listed = ok(&app, &agent, "{ workingGroup { email } }", json!({})).await;
    assert_eq!(emails(&listed["workingGroup"]), [LEGAL], "nothing written");

    let mut legal_ws = socket(&app, &legal).await;
    subscribe(&mut legal_ws, "mine", MY_ESCALATIONS, json!({})).await;
    let major = json!({ "i": { "kind": "COMPLAINT", "channel": "PHONE", "subject": "Heater caught fire",
        "description": "Smoke in the kitchen", "category": "PRODUCT_QUALITY", "severity": "MAJOR",
        "customer": { "name": "Zhao Lei", "phone": "13800138001" } } });
    let t = create_ticket(&app, &agent, major).await;

    let pushed = collect(&mut legal_ws, 1, 5).await;
    assert_eq!(pushed.len(), 1, "{pushed:?}");
    let event = &pushed[0]["data"]["myEscalations"];
    assert_eq!(event["level"], 3);
    assert_eq!(event["kind"], "MAJOR_COMPLAINT");
    // The working group, plus the supervisor of the ticket's team.
    assert_eq!(emails(&event["recipients"]), [LEGAL, SAM]);
    let found = routed(&app, &t).await;
    assert_eq!(found.len(), 1);
    assert_eq!(emails(&found[0]["recipients"]), [LEGAL, SAM]);
    let n = number(&app, &t).await;
    let entries = inbox_of_kind(&app, &legal, "ESCALATED", &n).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(
        entries[0]["body"]
            .as_str()
            .unwrap()
            .contains("Heater caught fire")
    );

    // A liaison it was routed to takes it on, and reads the complaint they were asked to take
    // on; a liaison it was not routed to does not.
    let taken = ok(&app, &legal, TAKE, json!({ "id": event["escalationId"] })).await;
    assert_eq!(
        taken["acknowledgeEscalation"]["acknowledgedBy"]["email"],
        LEGAL
    );
    let read = "query($id: ID!) { ticket(id: $id) { subject } }";
    let body = app.gql(Some(&legal), read, json!({ "id": t })).await;
    assert_eq!(
        data(&body)["ticket"]["subject"],
        "Heater caught fire",
        "{body}"
    );
    let product = app.login(PRODUCT).await;
    let body = app.gql(Some(&product), read, json!({ "id": t })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    // Reading is all: acting on it stays with the ticket's rules.
    let note = "mutation($id: ID!) { addTicketNote(id: $id, body: \"Legal view\") { id } }";
    let body = app.gql(Some(&legal), note, json!({ "id": t })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
}

#[tokio::test]
async fn only_a_recipient_or_a_manager_acknowledges_an_escalation() {
    let app = TestApp::spawn().await;
    let agent = app.login(ALICE).await;
    let t = create_ticket(&app, &agent, inquiry("Angry caller")).await;
    ok(
        &app,
        &agent,
        ESCALATE,
        json!({ "id": t, "r": "threatens to go to the press" }),
    )
    .await;
    let found = routed(&app, &t).await;
    assert_eq!(found.len(), 1);
    assert_eq!(emails(&found[0]["recipients"]), [SAM]);
    let id = found[0]["id"].clone();

    for who in [SUE, AARON] {
        let token = app.login(who).await;
        let refused = app.gql(Some(&token), TAKE, json!({ "id": id })).await;
        assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{who}: {refused}");
        let message = refused["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("routed to"), "{message}");
    }
    assert!(
        routed(&app, &t).await[0]["acknowledgedBy"].is_null(),
        "nothing written"
    );
    let sam = app.login(SAM).await;
    let taken = ok(&app, &sam, TAKE, json!({ "id": id })).await;
    assert_eq!(
        taken["acknowledgeEscalation"]["acknowledgedBy"]["email"],
        SAM
    );

    // A manager may take on any escalation, routed to them or not.
    let sue = app.login(SUE).await;
    let other = create_ticket(&app, &agent, inquiry("Second caller")).await;
    ok(&app, &agent, ESCALATE, json!({ "id": other, "r": "again" })).await;
    let second = routed(&app, &other).await[0]["id"].clone();
    let refused = app.gql(Some(&sue), TAKE, json!({ "id": second })).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"));
    let manager = app.login(MANAGER).await;
    let taken = ok(&app, &manager, TAKE, json!({ "id": second })).await;
    assert_eq!(
        taken["acknowledgeEscalation"]["acknowledgedBy"]["email"],
        MANAGER
    );
}

#[tokio::test]
async fn an_overdue_corrective_action_reaches_its_manager_once_with_two_instances() {
    let a = TestApp::spawn().await;
    let b = a.spawn_sharing(|_| {}).await;
    let admin = a.login(ADMIN).await;
    let supervisor = a.login(SAM).await;
    let agent = a.login(ALICE).await;
    let product = department_id(&a, &admin, "Product").await;
    ok(
        &a,
        &admin,
        CREATE_USER,
        json!({ "i": { "email": "pm@careline.example", "name": "Petra Manager",
        "password": "a fine passphrase", "roles": ["MANAGER"], "departmentId": product } }),
    )
    .await;
    let pm = a
        .login_payload("pm@careline.example", "a fine passphrase")
        .await;
    let pm = data(&pm)["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let liaison = a.login(PRODUCT).await;

    let complaint = json!({ "i": { "kind": "COMPLAINT", "channel": "PHONE", "subject": "Hinge breaks",
        "description": "Third hinge this month", "category": "PRODUCT_QUALITY",
        "customer": { "name": "Qian Wei", "phone": "13800138002" } } });
    let t = create_ticket(&a, &agent, complaint).await;
    let due = a.state.app.now() + Duration::days(2);
    let created = ok(&a, &supervisor,
        "mutation($i: CorrectiveActionInput!) { createCorrectiveAction(input: $i) { id overdue remindedAt } }",
        json!({ "i": { "description": "Stronger hinge", "departmentId": product, "ticketIds": [t],
            "dueAt": due.to_rfc3339() } })).await;
    let action = created["createCorrectiveAction"]["id"].clone();
    assert_eq!(created["createCorrectiveAction"]["overdue"], false);
    assert_eq!(created["createCorrectiveAction"]["remindedAt"], json!([]));

    // A day before: the department's liaison is reminded, once.
    for app in [&a, &b] {
        app.state.app.clock.advance(Duration::hours(25));
    }
    tokio::join!(tick(&a), tick(&b));
    tokio::join!(tick(&a), tick(&b));
    let n = number(&a, &t).await;
    let reminders = inbox_of_kind(&a, &liaison, "CORRECTIVE_ACTION_DUE", "").await;
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert!(inbox_of_kind(&a, &pm, "ESCALATED", "").await.is_empty());

    // Past the due time: one escalation to the Product department's manager, recorded on the
    // complaint, whichever instance got there.
    for app in [&a, &b] {
        app.state.app.clock.advance(Duration::hours(24));
    }
    tokio::join!(tick(&a), tick(&b));
    tokio::join!(tick(&a), tick(&b));
    let found: Vec<Value> = routed(&a, &t)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "CORRECTIVE_ACTION_OVERDUE")
        .collect();
    assert_eq!(found.len(), 1, "exactly once: {found:?}");
    assert_eq!(emails(&found[0]["recipients"]), ["pm@careline.example"]);
    assert_eq!(inbox_of_kind(&a, &pm, "ESCALATED", &n).await.len(), 1);
    assert_eq!(
        inbox_of_kind(&a, &liaison, "CORRECTIVE_ACTION_DUE", "")
            .await
            .len(),
        2,
        "the reminder and the overdue notice"
    );

    let overdue = ok(
        &a,
        &supervisor,
        "{ overdueCorrectiveActions { id overdue remindedAt } }",
        json!({}),
    )
    .await;
    let listed = overdue["overdueCorrectiveActions"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], action);
    assert_eq!(listed[0]["overdue"], true);
    assert_eq!(listed[0]["remindedAt"].as_array().unwrap().len(), 2);
    let refused = a
        .gql(
            Some(&agent),
            "{ overdueCorrectiveActions { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"));

    // Done: no longer overdue.
    ok(
        &a,
        &liaison,
        "mutation($id: ID!) { setCorrectiveActionStatus(id: $id, status: DONE) { status } }",
        json!({ "id": action }),
    )
    .await;
    let overdue = ok(
        &a,
        &supervisor,
        "{ overdueCorrectiveActions { id } }",
        json!({}),
    )
    .await;
    assert_eq!(overdue["overdueCorrectiveActions"], json!([]));
}

#[tokio::test]
async fn each_level_goes_up_the_ladder_and_a_missing_supervisor_passes_to_the_managers() {
    let app = TestApp::spawn().await;
    let agent = app.login(ALICE).await;
    let t = create_ticket(&app, &agent, inquiry("Going up")).await;
    for _ in 1..=3 {
        ok(
            &app,
            &agent,
            ESCALATE,
            json!({ "id": t, "r": "still not answered" }),
        )
        .await;
    }
    let found = routed(&app, &t).await;
    let at = |level: i64| {
        let e = found
            .iter()
            .find(|e| e["level"] == level)
            .unwrap_or_else(|| panic!("no level {level}: {found:?}"));
        emails(&e["recipients"])
    };
    assert_eq!(at(1), [SAM]);
    // The Customer Service department's manager, and the supervisor.
    assert_eq!(at(2), [MANAGER, SAM]);
    // The demo's working group (the service manager and Legal's liaison), and the supervisor.
    assert_eq!(at(3), [LEGAL, MANAGER, SAM]);

    // Without an active supervisor, level 1 goes to the department's managers.
    let admin = app.login(ADMIN).await;
    let sam = app.user_id(SAM).await;
    ok(
        &app,
        &admin,
        careline_tests::kit::DEACTIVATE,
        json!({ "id": sam }),
    )
    .await;
    let other = create_ticket(&app, &agent, inquiry("Nobody leads")).await;
    ok(&app, &agent, ESCALATE, json!({ "id": other, "r": "help" })).await;
    let found = routed(&app, &other).await;
    assert_eq!(emails(&found[0]["recipients"]), [MANAGER]);
}
