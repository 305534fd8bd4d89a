//! Response-time standards end to end: targets, warnings and escalations driven through the
//! server's injected clock, pauses, the live queue, assignment, shifts and handovers.

use careline_tests::kit::{
    AARON, ACKNOWLEDGE, ADMIN, ALICE, CLAIM, CREATE_USER, DISPATCH_TICKET, LEGAL, LI_LEI, MANAGER,
    SAM, TECH, create_ticket, escalations_of, event_kinds, inquiry, set_clock, tick, time,
    wait_until_every,
};
use careline_tests::{TestApp, data, error_code};
use chrono::Duration;
use serde_json::{Value, json};

const TICKET: &str =
    "query($id: ID!) { ticket(id: $id) { id status version escalationLevel assignee { email }
    sla { policyName firstResponseDueAt resolutionDueAt firstResponseBreached resolutionBreached }
    events(first: 100) { nodes { kind message internal } } } }";
const POLICY: &str = "mutation($i: SlaPolicyInput!) { upsertSlaPolicy(input: $i) { id name kind severity firstResponseMinutes resolutionMinutes businessHours { timeZone windows } } }";

/// A round-the-clock inquiry policy with easy arithmetic: first response 60 min, resolution 600.
async fn round_the_clock(app: &TestApp) {
    let manager = app.login(MANAGER).await;
    let body = app
        .gql(Some(&manager), POLICY, json!({ "i": { "name": "Inquiry 24x7", "kind": "INQUIRY",
            "firstResponseMinutes": 60, "resolutionMinutes": 600, "timeZone": "UTC", "windows": "24x7" } }))
        .await;
    data(&body);
}

async fn ticket(app: &TestApp, token: &str, id: &str) -> Value {
    data(&app.gql(Some(token), TICKET, json!({ "id": id })).await)["ticket"].clone()
}

#[tokio::test]
async fn new_tickets_get_the_targets_of_the_most_specific_policy() {
    let app = TestApp::spawn().await;
    let agent = app.login(ALICE).await;
    let major = create_ticket(&app, &agent, json!({ "i": { "kind": "COMPLAINT", "channel": "PHONE", "subject": "Fire",
        "description": "x", "category": "PRODUCT_QUALITY", "severity": "MAJOR", "customer": { "name": "Zhao" } } })).await;
    let t = ticket(&app, &agent, &major).await;
    assert!(
        t["sla"]["policyName"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("major"),
        "{t}"
    );
    let created = app.state.app.clock.now();
    let first_due = time(&t["sla"]["firstResponseDueAt"]);
    let resolution_due = time(&t["sla"]["resolutionDueAt"]);
    // 24x7: fifteen minutes and twenty-four hours of wall time.
    assert!(
        (first_due - created - Duration::minutes(15))
            .num_seconds()
            .abs()
            < 30
    );
    assert!(
        (resolution_due - created - Duration::hours(24))
            .num_seconds()
            .abs()
            < 30
    );

    let general = create_ticket(
        &app,
        &agent,
        json!({ "i": { "kind": "COMPLAINT", "channel": "PHONE", "subject": "Rude",
        "description": "x", "category": "SERVICE_ATTITUDE", "customer": { "name": "Qian" } } }),
    )
    .await;
    let t = ticket(&app, &agent, &general).await;
    assert!(
        t["sla"]["policyName"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("general"),
        "{t}"
    );
}

#[tokio::test]
async fn a_target_warns_breaches_and_reaches_level_two_exactly_once_each() {
    let app = TestApp::spawn().await;
    round_the_clock(&app).await;
    let agent = app.login(ALICE).await;
    let supervisor = app.login(SAM).await;
    let t = create_ticket(&app, &agent, inquiry("Clock test")).await;
    let id = &t;
    assert_eq!(tick(&app).await, 0);
    assert!(escalations_of(&app, &supervisor, id).await.is_empty());

    app.state.app.clock.advance(Duration::minutes(49));
    assert_eq!(tick(&app).await, 1);
    assert_eq!(tick(&app).await, 0, "a second pass records nothing new");
    let found = escalations_of(&app, &supervisor, id).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["kind"], "SLA_WARNING");
    assert_eq!(found[0]["target"], "FIRST_RESPONSE");
    assert_eq!(ticket(&app, &agent, id).await["escalationLevel"], 0);

    app.state.app.clock.advance(Duration::minutes(12));
    tick(&app).await;
    let after_breach = ticket(&app, &agent, id).await;
    assert_eq!(after_breach["escalationLevel"], 1);
    assert_eq!(after_breach["sla"]["firstResponseBreached"], true);
    let found = escalations_of(&app, &supervisor, id).await;
    assert_eq!(found.len(), 2);
    assert_eq!(found[0]["kind"], "SLA_BREACH");
    assert_eq!(found[0]["level"], 1);

    app.state.app.clock.advance(Duration::minutes(30));
    tick(&app).await;
    tick(&app).await;
    let t = ticket(&app, &agent, id).await;
    assert_eq!(t["escalationLevel"], 2);
    let found = escalations_of(&app, &supervisor, id).await;
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0]["level"], 2);
    let kinds = event_kinds(&t);
    for kind in ["SLA_WARNING", "SLA_BREACHED", "ESCALATED"] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "{kind} on the timeline: {kinds:?}"
        );
    }
}

#[tokio::test]
async fn the_clock_stands_still_while_waiting_on_the_customer() {
    let app = TestApp::spawn().await;
    round_the_clock(&app).await;
    let agent = app.login(ALICE).await;
    let supervisor = app.login(SAM).await;
    let t = create_ticket(&app, &agent, inquiry("Needs the serial number")).await;
    let id = &t;
    let ack = app
        .gql(
            Some(&agent),
            "mutation($id: ID!) { acknowledgeTicket(id: $id) { version } }",
            json!({ "id": id }),
        )
        .await;
    data(&ack);
    let before = time(&ticket(&app, &agent, id).await["sla"]["resolutionDueAt"]);
    let wait = app
        .gql(
            Some(&agent),
            "mutation($id: ID!) { setTicketStatus(id: $id, status: PENDING_CUSTOMER) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data(&wait)["setTicketStatus"]["status"], "PENDING_CUSTOMER");

    app.state.app.clock.advance(Duration::minutes(700));
    tick(&app).await;
    assert!(
        escalations_of(&app, &supervisor, id).await.is_empty(),
        "no escalation while paused"
    );
    assert_eq!(
        ticket(&app, &agent, id).await["sla"]["resolutionBreached"],
        false
    );

    let back = app
        .gql(
            Some(&agent),
            "mutation($id: ID!) { setTicketStatus(id: $id, status: OPEN) { status } }",
            json!({ "id": id }),
        )
        .await;
    data(&back);
    let after = time(&ticket(&app, &agent, id).await["sla"]["resolutionDueAt"]);
    let moved = after - before;
    assert!(
        (moved - Duration::minutes(700)).num_seconds().abs() < 60,
        "moved by {moved}"
    );
    tick(&app).await;
    assert!(escalations_of(&app, &supervisor, id).await.is_empty());
}

#[tokio::test]
async fn escalation_is_exactly_once_with_two_instances() {
    // Two instances on one database: a SQLite file by default, PostgreSQL in CI.
    let a = TestApp::spawn().await;
    let b = a.spawn_sharing(|_| {}).await;
    round_the_clock(&a).await;
    let agent = a.login(ALICE).await;
    let supervisor = a.login(SAM).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(create_ticket(&a, &agent, inquiry(&format!("Race {i}"))).await);
    }
    for app in [&a, &b] {
        app.state.app.clock.advance(Duration::minutes(61));
    }
    let (x, y) = tokio::join!(tick(&a), tick(&b));
    assert_eq!(
        x + y,
        5,
        "each ticket was escalated by exactly one instance ({x} + {y})"
    );
    for id in &ids {
        let found = escalations_of(&a, &supervisor, id).await;
        // Warning and breach crossed in one pass: two records, once each.
        assert_eq!(found.len(), 2, "{found:?}");
    }
}

#[tokio::test]
async fn staff_escalate_by_hand_and_supervisors_take_escalations() {
    let app = TestApp::spawn().await;
    let agent = app.login(ALICE).await;
    let supervisor = app.login(SAM).await;
    let t = create_ticket(&app, &agent, inquiry("Angry caller")).await;
    const ESCALATE: &str = "mutation($id: ID!, $r: String!) { escalateTicket(id: $id, reason: $r) { escalationLevel } }";
    let empty = app
        .gql(Some(&agent), ESCALATE, json!({ "id": t, "r": "  " }))
        .await;
    assert_eq!(error_code(&empty), Some("BAD_USER_INPUT"));
    for level in 1..=3 {
        let body = app
            .gql(
                Some(&agent),
                ESCALATE,
                json!({ "id": t, "r": "customer threatens to go to the press" }),
            )
            .await;
        assert_eq!(data(&body)["escalateTicket"]["escalationLevel"], level);
    }
    let beyond = app
        .gql(Some(&agent), ESCALATE, json!({ "id": t, "r": "again" }))
        .await;
    assert_eq!(error_code(&beyond), Some("CONFLICT"));
    let customer = app.login(LI_LEI).await;
    let refused = app
        .gql(Some(&customer), ESCALATE, json!({ "id": t, "r": "x" }))
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"));

    let found = escalations_of(&app, &supervisor, &t).await;
    assert_eq!(found.len(), 3);
    assert!(found.iter().all(|e| e["kind"] == "MANUAL"));
    const TAKE: &str =
        "mutation($id: ID!) { acknowledgeEscalation(id: $id) { acknowledgedBy { email } } }";
    let taken = app
        .gql(Some(&supervisor), TAKE, json!({ "id": found[0]["id"] }))
        .await;
    assert_eq!(
        data(&taken)["acknowledgeEscalation"]["acknowledgedBy"]["email"],
        SAM
    );
    let manager = app.login(MANAGER).await;
    let again = app
        .gql(Some(&manager), TAKE, json!({ "id": found[0]["id"] }))
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"));
    let by_agent = app
        .gql(Some(&agent), TAKE, json!({ "id": found[1]["id"] }))
        .await;
    assert_eq!(error_code(&by_agent), Some("FORBIDDEN"));
    let open = app
        .gql(
            Some(&supervisor),
            "{ escalations(openOnly: true) { id ticket { id } } }",
            json!({}),
        )
        .await;
    let open_here: Vec<&Value> = data(&open)["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ticket"]["id"] == t)
        .collect();
    assert_eq!(open_here.len(), 2);
}

async fn on_shift_and_available(app: &TestApp, emails: &[&str]) {
    let supervisor = app.login(SAM).await;
    let now = app.state.app.clock.now();
    for email in emails {
        let id = app.user_id(email).await;
        let body = app
            .gql(Some(&supervisor), "mutation($a: ID!, $s: DateTime!, $e: DateTime!) { createShift(agentId: $a, startsAt: $s, endsAt: $e) { id agent { email } } }",
                json!({ "a": id, "s": (now - Duration::hours(1)).to_rfc3339(), "e": (now + Duration::hours(7)).to_rfc3339() }))
            .await;
        assert_eq!(data(&body)["createShift"]["agent"]["email"], *email);
        let token = app.login(email).await;
        data(
            &app.gql(
                Some(&token),
                "mutation { setPresence(presence: AVAILABLE) { presence } }",
                json!({}),
            )
            .await,
        );
    }
}

const AUTO: &str = "mutation($id: ID!) { autoAssignTicket(id: $id) { assignee { email } } }";

#[tokio::test]
async fn auto_assignment_picks_the_least_loaded_eligible_agent() {
    let app = TestApp::spawn().await;
    let supervisor = app.login(SAM).await;
    let agent = app.login(ALICE).await;

    // Nobody on shift: the ticket stays unassigned.
    let lonely = create_ticket(&app, &agent, inquiry("Nobody around")).await;
    let body = app
        .gql(Some(&supervisor), AUTO, json!({ "id": lonely }))
        .await;
    assert_eq!(data(&body)["autoAssignTicket"]["assignee"], Value::Null);

    on_shift_and_available(&app, &[ALICE, AARON, TECH]).await;

    // Technical tickets go to someone with the technical skill.
    let technical = create_ticket(
        &app,
        &agent,
        json!({ "i": { "kind": "TECHNICAL_SUPPORT", "channel": "PHONE",
        "subject": "Router reboots", "description": "x", "customer": { "name": "Sun" } } }),
    )
    .await;
    let body = app
        .gql(Some(&supervisor), AUTO, json!({ "id": technical }))
        .await;
    assert_eq!(data(&body)["autoAssignTicket"]["assignee"]["email"], TECH);

    // Give Alice a ticket: the next one goes to Aaron (lower load relative to capacity).
    let claimed = create_ticket(&app, &agent, inquiry("Alice's own")).await;
    data(&app.gql(Some(&agent), CLAIM, json!({ "id": claimed })).await);
    let next = create_ticket(&app, &agent, inquiry("Who gets this?")).await;
    let body = app
        .gql(Some(&supervisor), AUTO, json!({ "id": next }))
        .await;
    assert_eq!(data(&body)["autoAssignTicket"]["assignee"]["email"], AARON);

    // Away agents are not eligible.
    let aaron = app.login(AARON).await;
    data(
        &app.gql(
            Some(&aaron),
            "mutation { setPresence(presence: AWAY) { presence } }",
            json!({}),
        )
        .await,
    );
    let another = create_ticket(&app, &agent, inquiry("And this?")).await;
    let body = app
        .gql(Some(&supervisor), AUTO, json!({ "id": another }))
        .await;
    let chosen = data(&body)["autoAssignTicket"]["assignee"]["email"].clone();
    assert_ne!(chosen, AARON);
    assert_ne!(chosen, Value::Null);
}

#[tokio::test]
async fn claiming_beyond_capacity_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let teams = app
        .gql(Some(&admin), "{ teams { id name } }", json!({}))
        .await;
    let team = data(&teams)["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Front Desk A")
        .unwrap()["id"]
        .clone();
    data(&app.gql(Some(&admin), CREATE_USER,
        json!({ "i": { "email": "small@careline.example", "name": "Small", "password": "a fine passphrase", "roles": ["AGENT"], "teamId": team, "capacity": 1 } })).await);
    let small = app
        .login_payload("small@careline.example", "a fine passphrase")
        .await;
    let small = data(&small)["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = create_ticket(&app, &small, inquiry("One")).await;
    let second = create_ticket(&app, &small, inquiry("Two")).await;
    const CLAIM_FOR: &str = "mutation($id: ID!) { claimTicket(id: $id) { assignee { email } } }";
    data(
        &app.gql(Some(&small), CLAIM_FOR, json!({ "id": first }))
            .await,
    );
    let refused = app
        .gql(Some(&small), CLAIM_FOR, json!({ "id": second }))
        .await;
    assert_eq!(error_code(&refused), Some("CONFLICT"));
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("capacity")
    );
}

#[tokio::test]
async fn a_handover_moves_the_tickets_and_records_the_notes() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let aaron_id = app.user_id(AARON).await;
    let mut ids = Vec::new();
    for subject in ["Evening one", "Evening two"] {
        let t = create_ticket(&app, &alice, inquiry(subject)).await;
        data(&app.gql(Some(&alice), CLAIM, json!({ "id": t })).await);
        ids.push(t.clone());
    }
    let not_mine = create_ticket(&app, &alice, inquiry("Unassigned")).await;
    const HANDOVER: &str = "mutation($i: HandoverInput!) { recordHandover(input: $i) { id notes from { email } to { email } tickets { id assignee { email } } } }";
    let refused = app
        .gql(
            Some(&alice),
            HANDOVER,
            json!({ "i": { "toUserId": aaron_id, "notes": "n", "ticketIds": [ids[0], not_mine] } }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    assert_eq!(
        ticket(&app, &alice, &ids[0]).await["assignee"]["email"],
        ALICE,
        "nothing moved"
    );

    let body = app.gql(Some(&alice), HANDOVER, json!({ "i": { "toUserId": aaron_id, "notes": "Customer in #2 calls back at 9", "ticketIds": ids } })).await;
    let handover = &data(&body)["recordHandover"];
    assert_eq!(handover["to"]["email"], AARON);
    assert_eq!(handover["tickets"].as_array().unwrap().len(), 2);
    for t in handover["tickets"].as_array().unwrap() {
        assert_eq!(t["assignee"]["email"], AARON);
    }
    let events = ticket(&app, &alice, &ids[0]).await["events"]["nodes"].clone();
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"] == "handed over at the end of a shift")
    );
    let aaron = app.login(AARON).await;
    let listed = app
        .gql(
            Some(&aaron),
            "{ handovers(first: 5) { notes from { email } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&listed)["handovers"][0]["notes"],
        "Customer in #2 calls back at 9"
    );
}

#[tokio::test]
async fn the_queue_counts_and_orders_open_tickets() {
    let app = TestApp::spawn().await;
    round_the_clock(&app).await;
    let supervisor = app.login(SAM).await;
    let alice = app.login(ALICE).await;
    let teams = app
        .gql(Some(&supervisor), "{ teams { id name } }", json!({}))
        .await;
    let team_a = data(&teams)["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Front Desk A")
        .unwrap()["id"]
        .clone();
    let team_b = data(&teams)["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Front Desk B")
        .unwrap()["id"]
        .clone();
    const QUEUE: &str = "query($t: ID) { queue(teamId: $t) { waiting unassigned atRisk overdue
        tickets(first: 50) { totalCount nodes { id priority assignee { id } } } agents { agent { email } openTickets capacity presence } } }";
    let before = data(
        &app.gql(Some(&supervisor), QUEUE, json!({ "t": team_a }))
            .await,
    )["queue"]
        .clone();

    let urgent = create_ticket(
        &app,
        &alice,
        json!({ "i": { "kind": "INQUIRY", "channel": "PHONE", "subject": "Urgent one",
        "description": "x", "priority": "URGENT", "customer": { "name": "Zhou" } } }),
    )
    .await;
    let held = create_ticket(&app, &alice, inquiry("Held")).await;
    data(&app.gql(Some(&alice), CLAIM, json!({ "id": held })).await);
    app.state.app.clock.advance(Duration::minutes(50));
    let q = data(
        &app.gql(Some(&supervisor), QUEUE, json!({ "t": team_a }))
            .await,
    )["queue"]
        .clone();
    assert_eq!(
        q["waiting"].as_i64().unwrap(),
        before["waiting"].as_i64().unwrap() + 2
    );
    assert_eq!(
        q["unassigned"].as_i64().unwrap(),
        before["unassigned"].as_i64().unwrap() + 1
    );
    assert!(
        q["atRisk"].as_i64().unwrap() >= 2,
        "both new tickets used 80% of the hour: {q}"
    );
    let nodes = q["tickets"]["nodes"].as_array().unwrap();
    assert_eq!(nodes[0]["id"], urgent, "unassigned and urgent comes first");
    let first_assigned = nodes
        .iter()
        .position(|n| n["assignee"] != Value::Null)
        .unwrap_or(nodes.len());
    assert!(
        nodes[first_assigned..]
            .iter()
            .all(|n| n["assignee"] != Value::Null),
        "unassigned first"
    );
    let alice_load = q["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"]["email"] == ALICE)
        .unwrap()
        .clone();
    assert!(alice_load["openTickets"].as_i64().unwrap() >= 1);

    app.state.app.clock.advance(Duration::minutes(20));
    let q = data(
        &app.gql(Some(&supervisor), QUEUE, json!({ "t": team_a }))
            .await,
    )["queue"]
        .clone();
    assert!(q["overdue"].as_i64().unwrap() >= 2, "{q}");

    // Agents see their own team's queue only.
    let own = app
        .gql(Some(&alice), QUEUE, json!({ "t": Value::Null }))
        .await;
    assert_eq!(data(&own)["queue"]["waiting"], q["waiting"]);
    let other = app.gql(Some(&alice), QUEUE, json!({ "t": team_b })).await;
    assert_eq!(error_code(&other), Some("FORBIDDEN"));
    let customer = app.login(LI_LEI).await;
    assert_eq!(
        error_code(&app.gql(Some(&customer), QUEUE, json!({})).await),
        Some("FORBIDDEN")
    );
}

#[tokio::test]
async fn resolved_tickets_close_by_themselves_after_a_week_but_complaints_wait_for_follow_up() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    const RESOLVE: &str = "mutation($id: ID!) { acknowledgeTicket(id: $id) { id } resolveTicket(id: $id, solution: \"Done\") { status } }";
    let inquiry_t = create_ticket(&app, &alice, inquiry("Closes itself")).await;
    data(
        &app.gql(Some(&alice), RESOLVE, json!({ "id": inquiry_t }))
            .await,
    );
    let complaint = create_ticket(
        &app,
        &alice,
        json!({ "i": { "kind": "COMPLAINT", "channel": "PHONE", "subject": "Late",
        "description": "x", "category": "DELIVERY_DELAY", "customer": { "name": "Wu" } } }),
    )
    .await;
    data(
        &app.gql(Some(&alice), RESOLVE, json!({ "id": complaint }))
            .await,
    );

    app.state.app.clock.advance(Duration::days(6));
    tick(&app).await;
    assert_eq!(ticket(&app, &alice, &inquiry_t).await["status"], "RESOLVED");
    app.state.app.clock.advance(Duration::days(2));
    tick(&app).await;
    assert_eq!(ticket(&app, &alice, &inquiry_t).await["status"], "CLOSED");
    assert_eq!(ticket(&app, &alice, &complaint).await["status"], "RESOLVED");
}

#[tokio::test]
async fn policies_are_validated_and_apply_to_new_tickets_only() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let agent = app.login(ALICE).await;
    let old = create_ticket(&app, &agent, inquiry("Before the change")).await;
    let old_due = ticket(&app, &agent, &old).await["sla"]["firstResponseDueAt"].clone();
    for (input, field) in [
        (
            json!({ "timeZone": "Mars/Olympus", "windows": "24x7" }),
            "input.timeZone",
        ),
        (
            json!({ "timeZone": "UTC", "windows": "9 to 5" }),
            "input.windows",
        ),
        (
            json!({ "timeZone": "UTC", "windows": "24x7", "firstResponseMinutes": 0 }),
            "input.firstResponseMinutes",
        ),
    ] {
        let mut i = json!({ "name": "x", "kind": "INQUIRY", "firstResponseMinutes": 30, "resolutionMinutes": 300 });
        for (k, v) in input.as_object().unwrap() {
            i[k] = v.clone();
        }
        let body = app.gql(Some(&manager), POLICY, json!({ "i": i })).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
    let refused = app
        .gql(
            Some(&agent),
            POLICY,
            json!({ "i": { "name": "x", "kind": "INQUIRY", "firstResponseMinutes": 30,
        "resolutionMinutes": 300, "timeZone": "UTC", "windows": "24x7" } }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"));
    round_the_clock(&app).await;
    let policies = app
        .gql(
            Some(&agent),
            "{ slaPolicies { name kind severity firstResponseMinutes businessHours { windows } } }",
            json!({}),
        )
        .await;
    let inquiry_policy = data(&policies)["slaPolicies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "INQUIRY")
        .unwrap()
        .clone();
    assert_eq!(inquiry_policy["name"], "Inquiry 24x7");
    assert_eq!(inquiry_policy["businessHours"]["windows"], "24x7");
    assert_eq!(
        ticket(&app, &agent, &old).await["sla"]["firstResponseDueAt"],
        old_due,
        "old tickets keep their targets"
    );
    let new = create_ticket(&app, &agent, inquiry("After the change")).await;
    assert_eq!(
        ticket(&app, &agent, &new).await["sla"]["policyName"],
        "Inquiry 24x7"
    );
}

#[tokio::test]
async fn a_solution_handed_back_by_a_department_must_reach_the_customer_within_a_day() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let legal = app.login(LEGAL).await;
    let admin = app.login(ADMIN).await;
    let departments = app
        .gql(Some(&admin), "{ departments { id kind } }", json!({}))
        .await;
    let legal_dept = data(&departments)["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "LEGAL")
        .unwrap()["id"]
        .clone();
    let t = create_ticket(
        &app,
        &alice,
        json!({ "i": { "kind": "COMPLAINT", "channel": "EMAIL", "subject": "Contract terms",
        "description": "x", "category": "BILLING_DISPUTE", "customer": { "name": "Feng" } } }),
    )
    .await;
    data(&app.gql(Some(&alice), ACKNOWLEDGE, json!({ "id": t })).await);
    data(
        &app.gql(
            Some(&alice),
            DISPATCH_TICKET,
            json!({ "id": t, "d": legal_dept }),
        )
        .await,
    );
    app.state.app.clock.advance(Duration::hours(30));
    data(&app.gql(Some(&legal), "mutation($id: ID!) { returnTicketFromDepartment(id: $id, findings: \"Refund is due\") { status } }", json!({ "id": t })).await);
    let due = time(&ticket(&app, &alice, &t).await["sla"]["resolutionDueAt"]);
    let now = app.state.app.clock.now();
    assert!(
        due > now && due - now <= Duration::hours(48),
        "one business day from the hand-back: {due} vs {now}"
    );
}

#[tokio::test]
async fn the_worker_runs_on_the_real_clock() {
    // One real-time check of the wiring: a one-minute round-the-clock target and a two-second
    // worker. Everything else drives the clock by hand.
    let app = TestApp::spawn_with(|s| {
        s.sla_worker = true;
        s.sla_tick = std::time::Duration::from_secs(2);
    })
    .await;
    let manager = app.login(MANAGER).await;
    data(&app.gql(Some(&manager), POLICY, json!({ "i": { "name": "One minute", "kind": "INQUIRY",
        "firstResponseMinutes": 1, "resolutionMinutes": 10, "timeZone": "UTC", "windows": "24x7" } })).await);
    let agent = app.login(ALICE).await;
    let supervisor = app.login(SAM).await;
    let t = create_ticket(&app, &agent, inquiry("Real clock")).await;
    let breached = wait_until_every(
        std::time::Duration::from_secs(90),
        std::time::Duration::from_secs(2),
        async || {
            escalations_of(&app, &supervisor, &t)
                .await
                .iter()
                .any(|e| e["kind"] == "SLA_BREACH")
        },
    )
    .await;
    let found = escalations_of(&app, &supervisor, &t).await;
    assert!(breached, "no breach recorded within 90 s: {found:?}");
    assert!(found.iter().any(|e| e["kind"] == "SLA_WARNING"));
}

/// Registers `n` tickets of `kind` through the intake use case (in-process: hundreds of them
/// take a moment, not minutes) and returns their ids.
async fn register(app: &TestApp, kind: &str, n: usize) -> Vec<uuid::Uuid> {
    use careline_api::app::tickets::{ContactInput, NewTicketRequest, create};
    use careline_domain::ticket::{Channel, NewTicketInput, TicketKind};
    let agent_id: uuid::Uuid = app.user_id(ALICE).await.parse().unwrap();
    let agent = careline_persistence::users::find(&app.state.app.db, agent_id)
        .await
        .unwrap()
        .unwrap();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let request = NewTicketRequest {
            intake: NewTicketInput {
                kind: TicketKind::parse(kind).unwrap(),
                channel: Channel::Phone,
                subject: format!("{kind} {i}"),
                description: "details".into(),
                category: None,
                severity: None,
                priority: None,
                demand: None,
                location: None,
                order_number: None,
                product_name: None,
                attachments: Vec::new(),
                praised_employee_id: None,
                praised_team_id: None,
                praised_department_id: None,
            },
            customer: Some(ContactInput {
                name: "Wang Fang".into(),
                phone: Some("13800138000".into()),
                email: None,
            }),
            team_id: None,
            occurred_at: None,
            involved_staff: Vec::new(),
            parent_id: None,
            file_ids: Vec::new(),
        };
        ids.push(
            create(&app.state.app, &agent, request)
                .await
                .unwrap()
                .ticket
                .id,
        );
    }
    ids
}

#[tokio::test]
async fn auto_close_is_not_starved_by_tickets_that_wait_for_their_follow_up() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = TestApp::spawn().await;
    let agent = app.login(ALICE).await;
    // More resolved after-sales tickets than one pass reads, all waiting for their follow-up
    // visit (they never close by themselves), resolved before the inquiry that may close.
    register(&app, "AFTER_SALES", 230).await;
    let inquiry = register(&app, "INQUIRY", 1).await[0];
    let long_ago = app.state.app.now() - Duration::days(30);
    let db = &app.state.app.db;
    for (sql, at) in [
        (
            "UPDATE tickets SET status = 'RESOLVED', resolved_at = $1 WHERE kind = 'AFTER_SALES'",
            long_ago,
        ),
        (
            "UPDATE tickets SET status = 'RESOLVED', resolved_at = $1 WHERE id = $2",
            long_ago + Duration::hours(1),
        ),
    ] {
        let sql = match db.get_database_backend() {
            DbBackend::Postgres => sql.to_owned(),
            _ => sql.replace('$', "?"),
        };
        let mut values: Vec<sea_orm::Value> = vec![at.into()];
        if sql.contains("id =") {
            values.push(inquiry.into());
        }
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            values,
        ))
        .await
        .unwrap();
    }
    tick(&app).await;
    let t = ticket(&app, &agent, &inquiry.to_string()).await;
    assert_eq!(t["status"], "CLOSED", "{t}");
    let after_sales = app
        .gql(
            Some(&agent),
            "{ tickets(first: 1, filter: { kind: [AFTER_SALES], status: [CLOSED] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&after_sales)["tickets"]["totalCount"],
        0,
        "{after_sales}"
    );
}

#[tokio::test]
async fn one_rule_escalates_urgent_and_major_tickets_at_intake_and_on_reclassification() {
    let app = TestApp::spawn().await;
    let agent = app.login(ALICE).await;
    let supervisor = app.login(SAM).await;
    let complaint = |severity: &str, priority: &str| {
        json!({ "i": { "kind": "COMPLAINT", "channel": "PHONE", "category": "SERVICE_ATTITUDE",
            "severity": severity, "priority": priority, "subject": "Rude", "description": "details",
            "customer": { "name": "Wang Fang", "phone": "13800138000" } } })
    };
    let kinds = |escalations: Vec<Value>| -> Vec<(i64, String)> {
        escalations
            .iter()
            .map(|e| {
                (
                    e["level"].as_i64().unwrap(),
                    e["kind"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    // 重大或紧急投诉…立即上报: an URGENT complaint goes to the working group at intake, like a
    // MAJOR one.
    let urgent = create_ticket(&app, &agent, complaint("GENERAL", "URGENT")).await;
    assert_eq!(ticket(&app, &agent, &urgent).await["escalationLevel"], 3);
    assert_eq!(
        kinds(escalations_of(&app, &supervisor, &urgent).await),
        [(3, "URGENT_COMPLAINT".to_owned())]
    );
    let major = create_ticket(&app, &agent, complaint("MAJOR", "URGENT")).await;
    assert_eq!(
        kinds(escalations_of(&app, &supervisor, &major).await),
        [(3, "MAJOR_COMPLAINT".to_owned())]
    );
    // Any other ticket registered URGENT goes to the supervisor, not to the working group.
    let mut urgent_inquiry = inquiry("Power cut at the shop");
    urgent_inquiry["i"]["priority"] = json!("URGENT");
    let urgent_inquiry = create_ticket(&app, &agent, urgent_inquiry).await;
    assert_eq!(
        ticket(&app, &agent, &urgent_inquiry).await["escalationLevel"],
        1
    );
    // Reclassification follows the same rule.
    let plain = create_ticket(&app, &agent, inquiry("Opening hours")).await;
    let body = app
        .gql(
            Some(&agent),
            "mutation($id: ID!) { reclassifyTicket(id: $id, input: { priority: URGENT, reason: \"Customer is stranded\" }) { escalationLevel } }",
            json!({ "id": plain }),
        )
        .await;
    assert_eq!(
        data(&body)["reclassifyTicket"]["escalationLevel"],
        1,
        "{body}"
    );
    let t = ticket(&app, &agent, &plain).await;
    let escalated: Vec<&Value> = t["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "ESCALATED")
        .collect();
    assert_eq!(escalated.len(), 1, "{t}");
    assert_eq!(
        escalated[0]["message"],
        "reclassified as urgent: escalated to the supervisor"
    );
    assert_eq!(
        kinds(escalations_of(&app, &supervisor, &plain).await),
        [(1, "MANUAL".to_owned())]
    );
}

#[tokio::test]
async fn acknowledging_an_escalation_and_a_handover_are_stamped_by_the_application_clock() {
    let app = TestApp::spawn().await;
    let agent = app.login(ALICE).await;
    let supervisor = app.login(SAM).await;
    let later = app.state.app.now() + Duration::days(40);
    set_clock(&app, later);
    let mut urgent = inquiry("Power cut");
    urgent["i"]["priority"] = json!("URGENT");
    let t = create_ticket(&app, &agent, urgent).await;
    let escalation = escalations_of(&app, &supervisor, &t).await[0]["id"].clone();
    let body = app
        .gql(
            Some(&supervisor),
            "mutation($id: ID!) { acknowledgeEscalation(id: $id) { id } }",
            json!({ "id": escalation }),
        )
        .await;
    data(&body);
    let id: uuid::Uuid = escalation.as_str().unwrap().parse().unwrap();
    let row = careline_persistence::sla::escalation(&app.state.app.db, id)
        .await
        .unwrap()
        .unwrap();
    let at = row.acknowledged_at.unwrap();
    assert!((at - later).num_seconds().abs() < 60, "{at} vs {later}");
    let agent_b = app.user_id(AARON).await;
    let body = app
        .gql(
            Some(&agent),
            "mutation($i: HandoverInput!) { recordHandover(input: $i) { at } }",
            json!({ "i": { "toUserId": agent_b, "notes": "Night shift", "ticketIds": [] } }),
        )
        .await;
    let at = time(&data(&body)["recordHandover"]["at"]);
    assert!((at - later).num_seconds().abs() < 60, "{body}");
}
