//! Casework end to end: parallel department tasks with deadlines (reminder, escalation, return
//! only after every department), what liaisons see, reclassifying, the hand-back cap, evidence,
//! follow-up cases and the follow-up rules.

use careline_tests::kit::{
    ACKNOWLEDGE, AGENT, HAN_MEIMEI, LEGAL, LI_LEI, LOGISTICS, PRODUCT, SUPERVISOR, complaint,
    create_ticket, department_id, escalations_of, events_of, set_clock, shanghai, tick,
};
use careline_tests::{TestApp, data, error_code};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

const DISPATCH: &str = "mutation($id: ID!, $t: [DepartmentTaskInput!]!) {
    dispatchToDepartments(id: $id, tasks: $t) { status
        departmentTasks { id status dueAt department { name } } } }";
const TASKS: &str =
    "query($d: ID, $o: Boolean) { departmentTasks(departmentId: $d, overdueOnly: $o) {
    id status overdue remindedAt answer department { name } } }";
const ANSWER: &str = "mutation($id: ID!, $a: String!) {
    answerDepartmentTask(taskId: $id, answer: $a) { status answer answeredBy { email } } }";
const TICKET: &str = "query($id: ID!) { ticket(id: $id) { status escalationLevel version
    sla { firstResponseDueAt resolutionDueAt resolutionBreached }
    departmentTasks { status remindedAt department { name } }
    events(first: 100) { nodes { kind message } } } }";

async fn ticket(app: &TestApp, token: &str, id: &str) -> Value {
    data(&app.gql(Some(token), TICKET, json!({ "id": id })).await)["ticket"].clone()
}

#[tokio::test]
async fn parallel_departments_remind_escalate_once_and_return_only_after_both() {
    let app = TestApp::spawn().await;
    let second = app.spawn_sharing(|_| {}).await;
    let agent = app.login(AGENT).await;
    let supervisor = app.login(SUPERVISOR).await;
    let legal = app.login(LEGAL).await;
    let logistics = app.login(LOGISTICS).await;
    let product = app.login(PRODUCT).await;
    // Tuesday 2 March 2027, 10:00: both departments work Mon–Fri 09:00–18:00.
    let start = shanghai(2027, 3, 2, 10, 0);
    set_clock(&app, start);
    set_clock(&second, start);
    let id = create_ticket(&app, &agent, complaint("Broken parcel")).await;
    data(
        &app.gql(Some(&agent), ACKNOWLEDGE, json!({ "id": id }))
            .await,
    );
    let legal_id = department_id(&app, &agent, "Legal").await;
    let logistics_id = department_id(&app, &agent, "Logistics").await;

    let dispatched = app
        .gql(
            Some(&agent),
            DISPATCH,
            json!({ "id": id, "t": [
                { "departmentId": legal_id, "instructions": "Check the contract terms" },
                { "departmentId": logistics_id, "dueInBusinessMinutes": 120 },
            ] }),
        )
        .await;
    let d = &data(&dispatched)["dispatchToDepartments"];
    assert_eq!(d["status"], "PENDING_DEPARTMENT", "{dispatched}");
    let tasks = d["departmentTasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 2);
    // Legal's standard: one of its working days (540 minutes), Logistics' two hours.
    let due = |name: &str| -> DateTime<Utc> {
        tasks
            .iter()
            .find(|t| t["department"]["name"] == name)
            .and_then(|t| t["dueAt"].as_str())
            .expect("due")
            .parse()
            .expect("a date")
    };
    assert!(
        (due("Legal") - shanghai(2027, 3, 3, 10, 0))
            .num_seconds()
            .abs()
            < 60
    );
    assert!(
        (due("Logistics") - shanghai(2027, 3, 2, 12, 0))
            .num_seconds()
            .abs()
            < 60
    );

    // Liaisons see their own department's tasks and nothing else.
    let mine = app.gql(Some(&legal), TASKS, json!({})).await;
    let mine = data(&mine)["departmentTasks"]
        .as_array()
        .expect("tasks")
        .clone();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["department"]["name"], "Legal");
    let theirs = app
        .gql(Some(&legal), TASKS, json!({ "d": logistics_id }))
        .await;
    assert_eq!(data(&theirs)["departmentTasks"], json!([]));
    let nothing = app.gql(Some(&product), TASKS, json!({})).await;
    assert_eq!(data(&nothing)["departmentTasks"], json!([]));
    let foreign = app
        .gql(
            Some(&product),
            ANSWER,
            json!({ "id": mine[0]["id"], "a": "not ours" }),
        )
        .await;
    assert_eq!(error_code(&foreign), Some("NOT_FOUND"), "{foreign}");

    // Legal answers in time: the ticket waits for Logistics.
    set_clock(&app, shanghai(2027, 3, 2, 10, 30));
    let answered = app
        .gql(
            Some(&legal),
            ANSWER,
            json!({ "id": mine[0]["id"], "a": "Clause 7 covers it." }),
        )
        .await;
    assert_eq!(
        data(&answered)["answerDepartmentTask"]["status"],
        "ANSWERED"
    );
    let again = app
        .gql(
            Some(&legal),
            ANSWER,
            json!({ "id": mine[0]["id"], "a": "twice" }),
        )
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");
    assert_eq!(
        ticket(&app, &agent, &id).await["status"],
        "PENDING_DEPARTMENT"
    );

    // 80 % of Logistics' two hours: reminded once, by exactly one of the two instances, and
    // the department's queue hears of it. Without Redis each instance has its own in-process
    // bus and publishes what it wrote itself, so listen to both.
    let mut heard = app.state.bus.subscribe();
    let mut heard_second = second.state.bus.subscribe();
    let reminder_at = shanghai(2027, 3, 2, 11, 40);
    set_clock(&app, reminder_at);
    set_clock(&second, reminder_at);
    let (a, b) = tokio::join!(tick(&app), tick(&second));
    assert!(a + b >= 1);
    let logistics_uuid: uuid::Uuid = logistics_id.parse().expect("uuid");
    let reminded = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            let envelope = tokio::select! {
                e = heard.recv() => e,
                e = heard_second.recv() => e,
            }
            .expect("bus");
            if let careline_domain::event::Event::Queue { ticket, .. } = &envelope.event
                && ticket.department_id == Some(logistics_uuid)
            {
                return true;
            }
        }
    })
    .await;
    assert_eq!(reminded, Ok(true), "no queue event for Logistics");
    // Its liaison watches exactly that department's queue, without the floor's agents.
    let queue = app
        .gql(
            Some(&logistics),
            "{ queue { tickets(first: 10) { nodes { id } } agents { agent { email } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&queue)["queue"]["agents"], json!([]), "{queue}");
    let elsewhere = app
        .gql(
            Some(&logistics),
            "query($d: ID!) { queue(departmentId: $d) { waiting } }",
            json!({ "d": legal_id }),
        )
        .await;
    assert_eq!(error_code(&elsewhere), Some("FORBIDDEN"), "{elsewhere}");
    let t = ticket(&app, &supervisor, &id).await;
    assert_eq!(events_of(&t, "DEPARTMENT_REMINDED").len(), 1, "{t}");
    let overdue_now = app.gql(Some(&logistics), TASKS, json!({})).await;
    let open = &data(&overdue_now)["departmentTasks"][0];
    assert_eq!(open["remindedAt"].as_array().map(Vec::len), Some(1));
    assert_eq!(open["overdue"], false);

    // Past the due time: escalated to the supervisor, once.
    let late = shanghai(2027, 3, 2, 12, 5);
    set_clock(&app, late);
    set_clock(&second, late);
    tokio::join!(tick(&app), tick(&second));
    tick(&app).await;
    let t = ticket(&app, &supervisor, &id).await;
    assert!(t["escalationLevel"].as_i64() >= Some(1), "{t}");
    let escalations = escalations_of(&app, &supervisor, &id).await;
    let about_logistics: Vec<&Value> = escalations
        .iter()
        .filter(|e| {
            e["reason"]
                .as_str()
                .is_some_and(|r| r.contains("Logistics"))
        })
        .collect();
    assert_eq!(about_logistics.len(), 1, "{escalations:?}");
    let overdue = app
        .gql(Some(&supervisor), TASKS, json!({ "o": true }))
        .await;
    let overdue = data(&overdue)["departmentTasks"]
        .as_array()
        .expect("tasks")
        .clone();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["overdue"], true);

    // Logistics answers late: now the ticket is back with its owner, both answers on file.
    let answered = app
        .gql(
            Some(&logistics),
            ANSWER,
            json!({ "id": overdue[0]["id"], "a": "Re-shipped today." }),
        )
        .await;
    assert_eq!(
        data(&answered)["answerDepartmentTask"]["answeredBy"]["email"],
        LOGISTICS
    );
    let t = ticket(&app, &agent, &id).await;
    assert_eq!(t["status"], "OPEN", "{t}");
    let answers = events_of(&t, "DEPARTMENT_ANSWERED");
    assert_eq!(answers.len(), 2);
    assert!(
        answers
            .iter()
            .any(|e| e["message"] == "Legal: Clause 7 covers it.")
    );
    second.shutdown().await;
}

#[tokio::test]
async fn dispatch_ticket_is_a_one_task_dispatch_and_leaving_the_department_cancels_tasks() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let supervisor = app.login(SUPERVISOR).await;
    let id = create_ticket(&app, &agent, complaint("Contract question")).await;
    data(
        &app.gql(Some(&agent), ACKNOWLEDGE, json!({ "id": id }))
            .await,
    );
    let legal_id = department_id(&app, &agent, "Legal").await;
    let sent = app
        .gql(
            Some(&agent),
            "mutation($id: ID!, $d: ID!) { dispatchTicket(id: $id, departmentId: $d, instructions: \"Clause?\") {
                status departmentTasks { status instructions } } }",
            json!({ "id": id, "d": legal_id }),
        )
        .await;
    let d = &data(&sent)["dispatchTicket"];
    assert_eq!(d["departmentTasks"][0]["status"], "OPEN");
    assert_eq!(d["departmentTasks"][0]["instructions"], "Clause?");
    // Resolved without waiting: the open task is cancelled with the move.
    let resolved = app
        .gql(
            Some(&supervisor),
            "mutation($id: ID!) { resolveTicket(id: $id, solution: \"Refunded.\") {
                status departmentTasks { status } } }",
            json!({ "id": id }),
        )
        .await;
    let r = &data(&resolved)["resolveTicket"];
    assert_eq!(r["status"], "RESOLVED");
    assert_eq!(r["departmentTasks"][0]["status"], "CANCELLED");
    // The same department twice is refused.
    let other = create_ticket(&app, &agent, complaint("Twice")).await;
    data(
        &app.gql(Some(&agent), ACKNOWLEDGE, json!({ "id": other }))
            .await,
    );
    let twice = app
        .gql(
            Some(&agent),
            DISPATCH,
            json!({ "id": other, "t": [{ "departmentId": legal_id }, { "departmentId": legal_id }] }),
        )
        .await;
    assert_eq!(error_code(&twice), Some("BAD_USER_INPUT"), "{twice}");
}

#[tokio::test]
async fn vip_customers_get_a_higher_default_priority() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let supervisor = app.login(SUPERVISOR).await;
    let inquiry = json!({ "i": { "kind": "INQUIRY", "channel": "PHONE", "subject": "Invoice",
        "description": "Where is my invoice?", "customer": { "name": "Qian Wei", "phone": "13700137000" } } });
    let first = create_ticket(&app, &agent, inquiry.clone()).await;
    let read = "query($id: ID!) { ticket(id: $id) { priority customer { id } } }";
    let t = data(&app.gql(Some(&agent), read, json!({ "id": first })).await)["ticket"].clone();
    assert_eq!(t["priority"], "NORMAL");
    data(
        &app.gql(
            Some(&supervisor),
            "mutation($id: ID!) { updateCustomer(id: $id, input: { tier: VIP }) { tier } }",
            json!({ "id": t["customer"]["id"] }),
        )
        .await,
    );
    let second = create_ticket(&app, &agent, inquiry).await;
    let t = data(&app.gql(Some(&agent), read, json!({ "id": second })).await)["ticket"].clone();
    assert_eq!(t["priority"], "HIGH", "{t}");
    // A returning customer within seven days is flagged for staff.
    let flags = app
        .gql(
            Some(&agent),
            "query($a: ID!, $b: ID!) { a: ticket(id: $a) { repeatContact } b: ticket(id: $b) { repeatContact } }",
            json!({ "a": first, "b": second }),
        )
        .await;
    assert_eq!(data(&flags)["a"]["repeatContact"], false);
    assert_eq!(data(&flags)["b"]["repeatContact"], true);
}

#[tokio::test]
async fn reclassifying_to_major_escalates_once_and_keeps_the_original_clock() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let supervisor = app.login(SUPERVISOR).await;
    let created_at = shanghai(2027, 3, 2, 10, 0);
    set_clock(&app, created_at);
    let id = create_ticket(&app, &agent, complaint("Sharp edge")).await;
    set_clock(&app, shanghai(2027, 3, 2, 10, 40));
    let reclassify = "mutation($id: ID!, $i: ReclassifyInput!) { reclassifyTicket(id: $id, input: $i) {
        severity priority escalationLevel sla { policyName firstResponseDueAt resolutionDueAt } } }";
    let body = app
        .gql(
            Some(&agent),
            reclassify,
            json!({ "id": id, "i": { "severity": "MAJOR", "reason": "A child was hurt." } }),
        )
        .await;
    let t = &data(&body)["reclassifyTicket"];
    assert_eq!(t["severity"], "MAJOR", "{body}");
    assert_eq!(t["escalationLevel"], 3);
    // The major policy (15 minutes, 24 hours, around the clock) counted from intake: the
    // first response was due at 10:15 — already missed, nothing forgiven.
    let due = |which: &str| -> DateTime<Utc> {
        t["sla"][which]
            .as_str()
            .expect(which)
            .parse()
            .expect("date")
    };
    assert!(
        (due("firstResponseDueAt") - (created_at + Duration::minutes(15)))
            .num_seconds()
            .abs()
            < 60
    );
    assert!(
        (due("resolutionDueAt") - (created_at + Duration::hours(24)))
            .num_seconds()
            .abs()
            < 60
    );
    let full = ticket(&app, &supervisor, &id).await;
    assert_eq!(events_of(&full, "RECLASSIFIED").len(), 1);
    let message = events_of(&full, "RECLASSIFIED")[0]["message"].clone();
    assert!(
        message
            .as_str()
            .is_some_and(|m| m.contains("GENERAL") && m.contains("MAJOR")),
        "{message}"
    );
    // Urgent afterwards: reclassified, not escalated a second time.
    data(
        &app.gql(
            Some(&agent),
            reclassify,
            json!({ "id": id, "i": { "priority": "URGENT", "reason": "Press enquiry." } }),
        )
        .await,
    );
    let level3: Vec<Value> = escalations_of(&app, &supervisor, &id)
        .await
        .into_iter()
        .filter(|e| e["level"] == 3)
        .collect();
    assert_eq!(level3.len(), 1, "{level3:?}");
    // Bad input is refused before anything changes.
    let bad = app
        .gql(
            Some(&agent),
            reclassify,
            json!({ "id": id, "i": { "kind": "INQUIRY", "severity": "MAJOR", "reason": "x" } }),
        )
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
}

#[tokio::test]
async fn a_hand_back_never_extends_a_breached_resolution_target() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let supervisor = app.login(SUPERVISOR).await;
    let legal = app.login(LEGAL).await;
    set_clock(&app, shanghai(2027, 3, 2, 10, 0));
    let inquiry = json!({ "i": { "kind": "INQUIRY", "channel": "PHONE", "subject": "Warranty terms",
        "description": "Which warranty applies?", "customer": { "name": "Zhao Lei" } } });
    let id = create_ticket(&app, &agent, inquiry).await;
    data(
        &app.gql(Some(&agent), ACKNOWLEDGE, json!({ "id": id }))
            .await,
    );
    let legal_id = department_id(&app, &agent, "Legal").await;
    data(
        &app.gql(
            Some(&agent),
            DISPATCH,
            json!({ "id": id, "t": [{ "departmentId": legal_id }] }),
        )
        .await,
    );
    // Two days later the inquiry's one-day resolution target is long missed and escalated.
    set_clock(&app, shanghai(2027, 3, 4, 11, 0));
    tick(&app).await;
    let before = ticket(&app, &supervisor, &id).await;
    assert_eq!(before["sla"]["resolutionBreached"], true, "{before}");
    let level = before["escalationLevel"].clone();
    let tasks = app.gql(Some(&legal), TASKS, json!({})).await;
    let task = data(&tasks)["departmentTasks"][0]["id"].clone();
    data(
        &app.gql(
            Some(&legal),
            ANSWER,
            json!({ "id": task, "a": "The two-year warranty." }),
        )
        .await,
    );
    let after = ticket(&app, &supervisor, &id).await;
    assert_eq!(after["status"], "OPEN");
    // The notice target would be later than the missed due time: nothing moves, nothing resets.
    assert_eq!(
        after["sla"]["resolutionDueAt"],
        before["sla"]["resolutionDueAt"]
    );
    assert_eq!(after["sla"]["resolutionBreached"], true);
    assert!(after["escalationLevel"].as_i64() >= level.as_i64());
}

#[tokio::test]
async fn customers_and_staff_add_evidence_until_the_ticket_closes() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let han = app.login(HAN_MEIMEI).await;
    let agent = app.login(AGENT).await;
    let own = json!({ "i": { "kind": "AFTER_SALES", "channel": "MOBILE_APP", "subject": "Kettle leaks",
        "description": "Water leaks from the base." } });
    let id = create_ticket(&app, &li, own).await;
    let add =
        "mutation($id: ID!, $a: [AttachmentInput!]!) { addAttachments(id: $id, attachments: $a) {
        attachments { fileName } } }";
    let photo = json!([{ "fileName": "leak.jpg", "contentType": "image/jpeg", "sizeBytes": 20480,
        "uri": "https://files.example.com/leak.jpg" }]);
    let body = app
        .gql(Some(&li), add, json!({ "id": id, "a": photo }))
        .await;
    assert_eq!(
        data(&body)["addAttachments"]["attachments"],
        json!([{ "fileName": "leak.jpg" }])
    );
    let receipt = json!([{ "fileName": "receipt.pdf", "contentType": "application/pdf",
        "sizeBytes": 1000, "uri": "https://files.example.com/receipt.pdf" }]);
    let body = app
        .gql(Some(&agent), add, json!({ "id": id, "a": receipt }))
        .await;
    assert_eq!(
        data(&body)["addAttachments"]["attachments"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let t = ticket(&app, &agent, &id).await;
    assert_eq!(events_of(&t, "ATTACHMENTS_ADDED").len(), 2);
    // Validated like intake; another customer cannot see the ticket at all.
    let script = json!([{ "fileName": "x.exe", "contentType": "application/x-msdownload",
        "sizeBytes": 10, "uri": "https://files.example.com/x.exe" }]);
    let bad = app
        .gql(Some(&li), add, json!({ "id": id, "a": script }))
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    assert!(
        bad["errors"][0]["extensions"]["field"]
            .as_str()
            .is_some_and(|f| f.starts_with("attachments.0")),
        "{bad}"
    );
    let stranger = app
        .gql(Some(&han), add, json!({ "id": id, "a": photo }))
        .await;
    assert_eq!(error_code(&stranger), Some("NOT_FOUND"), "{stranger}");
}

#[tokio::test]
async fn follow_up_cases_link_both_ways_and_unsatisfied_follow_ups_reopen() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let supervisor = app.login(SUPERVISOR).await;
    let repair = json!({ "i": { "kind": "AFTER_SALES", "channel": "PHONE", "subject": "Washer repair",
        "description": "Drum does not spin.", "customer": { "name": "Sun Li", "phone": "13900139000" } } });
    let id = create_ticket(&app, &agent, repair).await;
    data(
        &app.gql(Some(&agent), ACKNOWLEDGE, json!({ "id": id }))
            .await,
    );

    // A follow-up case: the parent's customer and owner, whatever was typed.
    let open =
        "mutation($p: ID!, $i: CreateTicketInput!) { openFollowUpCase(parentId: $p, input: $i) {
        id customer { id } owner { email } parent { id } } }";
    let parent_customer = data(
        &app.gql(
            Some(&agent),
            "query($id: ID!) { ticket(id: $id) { customer { id } } }",
            json!({ "id": id }),
        )
        .await,
    )["ticket"]["customer"]["id"]
        .clone();
    let body = app
        .gql(
            Some(&supervisor),
            open,
            json!({ "p": id, "i": { "kind": "AFTER_SALES", "channel": "PHONE",
                "subject": "Second visit", "description": "Check the repair held.",
                "customer": { "name": "Somebody Else" } } }),
        )
        .await;
    let child = &data(&body)["openFollowUpCase"];
    assert_eq!(child["customer"]["id"], parent_customer, "{body}");
    assert_eq!(child["owner"]["email"], AGENT);
    assert_eq!(child["parent"]["id"], id.as_str());
    let parent = app
        .gql(
            Some(&agent),
            "query($id: ID!) { ticket(id: $id) { followUpCases { id } events(first: 50) { nodes { kind } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data(&parent)["ticket"]["followUpCases"],
        json!([{ "id": child["id"] }])
    );

    // After-sales closes only after a satisfied follow-up; an unhappy customer keeps it
    // resolved (someone calls again), and unhappy again after a reopen escalates.
    let resolve =
        "mutation($id: ID!) { resolveTicket(id: $id, solution: \"Motor replaced.\") { status } }";
    let follow = "mutation($id: ID!, $s: Boolean!) { recordFollowUp(id: $id,
        input: { method: PHONE, outcome: \"Called back\", customerSatisfied: $s }) { status escalationLevel } }";
    let close = "mutation($id: ID!) { closeTicket(id: $id) { status } }";
    let reopen =
        "mutation($id: ID!) { reopenTicket(id: $id, reason: \"Still broken\") { status } }";
    data(&app.gql(Some(&agent), resolve, json!({ "id": id })).await);
    let early = app.gql(Some(&agent), close, json!({ "id": id })).await;
    assert_eq!(error_code(&early), Some("INVALID_TRANSITION"), "{early}");
    let unhappy = app
        .gql(Some(&agent), follow, json!({ "id": id, "s": false }))
        .await;
    assert_eq!(
        data(&unhappy)["recordFollowUp"]["status"],
        "RESOLVED",
        "{unhappy}"
    );
    assert_eq!(data(&unhappy)["recordFollowUp"]["escalationLevel"], 0);
    let still_early = app.gql(Some(&agent), close, json!({ "id": id })).await;
    assert_eq!(
        error_code(&still_early),
        Some("INVALID_TRANSITION"),
        "an unsatisfied visit does not let it close: {still_early}"
    );
    data(&app.gql(Some(&agent), reopen, json!({ "id": id })).await);
    data(&app.gql(Some(&agent), resolve, json!({ "id": id })).await);
    let still = app
        .gql(Some(&agent), follow, json!({ "id": id, "s": false }))
        .await;
    assert_eq!(data(&still)["recordFollowUp"]["status"], "RESOLVED");
    assert!(data(&still)["recordFollowUp"]["escalationLevel"].as_i64() >= Some(1));
    data(
        &app.gql(Some(&agent), follow, json!({ "id": id, "s": true }))
            .await,
    );
    let closed = app.gql(Some(&agent), close, json!({ "id": id })).await;
    assert_eq!(data(&closed)["closeTicket"]["status"], "CLOSED", "{closed}");
}

#[tokio::test]
async fn a_file_list_that_does_not_parse_is_never_replaced_by_the_next_file() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let id = create_ticket(&app, &agent, complaint("Broken screen")).await;
    // A column damaged outside the application (a manual edit, a bad restore).
    let damaged = "[{\"fileName\": \"screen.jpg\", \"uri\": \"https://files.example.com/scr";
    let db = &app.state.app.db;
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE tickets SET attachments = $1 WHERE id = $2",
        _ => "UPDATE tickets SET attachments = ? WHERE id = ?",
    };
    let ticket_id: uuid::Uuid = id.parse().unwrap();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [damaged.into(), ticket_id.into()],
    ))
    .await
    .unwrap();
    let add = "mutation($id: ID!, $a: [AttachmentInput!]!) { addAttachments(id: $id, attachments: $a) { id } }";
    let photo = json!([{ "fileName": "leak.jpg", "contentType": "image/jpeg", "sizeBytes": 20480,
        "uri": "https://files.example.com/leak.jpg" }]);
    let body = app
        .gql(Some(&agent), add, json!({ "id": id, "a": photo }))
        .await;
    assert_eq!(error_code(&body), Some("INTERNAL"), "{body}");
    let stored = careline_persistence::tickets::find(db, ticket_id)
        .await
        .unwrap()
        .unwrap()
        .ticket
        .attachments;
    assert_eq!(stored, damaged, "what was there is kept for repair");
}
