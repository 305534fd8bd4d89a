//! Tickets end to end: the closed loop, confidentiality, concurrency, and the list.

use careline_tests::kit::{
    AARON, ADMIN, ALICE, CLAIM, DISPATCH_TICKET, HAN_MEIMEI, LEGAL, LI_LEI, LOGISTICS, SUPERVISOR,
    department_id, event_kinds,
};
use careline_tests::{TestApp, data, error_code};
use serde_json::{Value, json};
use std::collections::HashSet;

const TICKET: &str = "id number status version kind priority
    owner { email } assignee { email } department { name }
    customer { name phone email }";

const CREATE: &str = "mutation($input: CreateTicketInput!) { createTicket(input: $input) {
    id number status version kind priority owner { email } assignee { email } department { name }
    customer { name phone email } } }";

/// A complaint registered by phone by the staff member holding `token`.
async fn staff_complaint(app: &TestApp, token: &str, subject: &str) -> Value {
    let body = app
        .gql(
            Some(token),
            CREATE,
            json!({ "input": {
                "kind": "COMPLAINT", "channel": "PHONE", "subject": subject,
                "description": "The purifier leaks.", "category": "PRODUCT_QUALITY",
                "orderNumber": "SO-TEST-1",
                "customer": { "name": "Zhou Test", "phone": "13812345678", "email": "zhou.test@example.org" }
            }}),
        )
        .await;
    data(&body)["createTicket"].clone()
}

/// An inquiry a customer submits from the app.
async fn app_inquiry(app: &TestApp, token: &str, subject: &str) -> Value {
    let body = app
        .gql(
            Some(token),
            CREATE,
            json!({ "input": { "kind": "INQUIRY", "channel": "MOBILE_APP", "subject": subject,
                "description": "How does it work?" }}),
        )
        .await;
    data(&body)["createTicket"].clone()
}

const ACK: &str = "mutation($id: ID!, $v: Int) { acknowledgeTicket(id: $id, expectedVersion: $v) { id status version owner { email } assignee { email } } }";
const RESOLVE: &str = "mutation($id: ID!) { resolveTicket(id: $id, solution: \"Replaced the unit.\") { status version } }";
const CLOSE: &str = "mutation($id: ID!) { closeTicket(id: $id) { status version } }";
const RATE: &str = "mutation($id: ID!, $r: Int!) { rateTicket(id: $id, rating: $r, comment: \"ok\") { satisfaction { rating comment } } }";
const READ: &str =
    "query($id: ID!) { ticket(id: $id) { id status owner { email } department { name }
    customer { name phone email }
    events(first: 100) { totalCount nodes { kind internal message } } } }";

#[tokio::test]
async fn a_complaint_goes_through_the_whole_loop_with_dispatch_hand_back_and_follow_up() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let legal = app.login(LEGAL).await;
    let t = staff_complaint(&app, &alice, "Leaking purifier").await;
    let id = t["id"].as_str().unwrap().to_owned();
    assert_eq!(t["status"], "NEW");
    assert_eq!(
        t["owner"]["email"], ALICE,
        "the creator is the first-contact owner"
    );
    assert!(t["number"].as_str().unwrap().starts_with("T-"));

    let acked = app
        .gql(Some(&alice), ACK, json!({ "id": id, "v": t["version"] }))
        .await;
    assert_eq!(data(&acked)["acknowledgeTicket"]["status"], "OPEN");

    let legal_dept = department_id(&app, &alice, "Legal").await;
    let dispatched = app.gql(Some(&alice), "mutation($id: ID!, $d: ID!) { dispatchTicket(id: $id, departmentId: $d, instructions: \"Please check liability.\") { status owner { email } department { name } } }",
        json!({ "id": id, "d": legal_dept }),
    )
    .await;
    let d = &data(&dispatched)["dispatchTicket"];
    assert_eq!(d["status"], "PENDING_DEPARTMENT");
    assert_eq!(d["department"]["name"], "Legal");
    assert_eq!(d["owner"]["email"], ALICE, "ownership survives dispatch");

    // The liaison reads it, adds a note and hands it back with findings.
    let seen = app.gql(Some(&legal), READ, json!({ "id": id })).await;
    assert_eq!(data(&seen)["ticket"]["status"], "PENDING_DEPARTMENT");
    let note = app.gql(Some(&legal), "mutation($id: ID!) { addTicketNote(id: $id, body: \"Within warranty.\") { kind internal } }", json!({ "id": id })).await;
    assert_eq!(data(&note)["addTicketNote"]["internal"], true);
    let back = app.gql(Some(&legal), "mutation($id: ID!) { returnTicketFromDepartment(id: $id, findings: \"No liability beyond replacement.\") { status owner { email } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(data(&back)["returnTicketFromDepartment"]["status"], "OPEN");
    assert_eq!(
        data(&back)["returnTicketFromDepartment"]["owner"]["email"],
        ALICE
    );

    let resolved = app.gql(Some(&alice), RESOLVE, json!({ "id": id })).await;
    assert_eq!(data(&resolved)["resolveTicket"]["status"], "RESOLVED");

    // A complaint cannot close before its follow-up visit.
    let early = app.gql(Some(&alice), CLOSE, json!({ "id": id })).await;
    assert_eq!(error_code(&early), Some("INVALID_TRANSITION"), "{early}");
    assert_eq!(early["errors"][0]["extensions"]["status"], "RESOLVED");

    let follow = app.gql(Some(&alice), "mutation($id: ID!) { recordFollowUp(id: $id, input: { method: PHONE, outcome: \"Happy with the new unit.\", customerSatisfied: true }) { followUps { method outcome customerSatisfied by { email } } } }",
        json!({ "id": id }),
    )
    .await;
    let f = &data(&follow)["recordFollowUp"]["followUps"][0];
    assert_eq!(f["method"], "PHONE");
    assert_eq!(f["by"]["email"], ALICE);

    // Nor before its cause is analysed: a verdict and root cause first.
    let unjudged = app.gql(Some(&alice), CLOSE, json!({ "id": id })).await;
    assert_eq!(
        error_code(&unjudged),
        Some("INVALID_TRANSITION"),
        "{unjudged}"
    );
    assert!(
        unjudged["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("verdict")
    );
    let supervisor = app.login(SUPERVISOR).await;
    let verdict = app.gql(Some(&supervisor), "mutation($id: ID!) { recordComplaintVerdict(ticketId: $id, verdict: UNJUSTIFIED, rootCause: \"Transport damage, not the product.\") { verdict rootCause } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        data(&verdict)["recordComplaintVerdict"]["verdict"],
        "UNJUSTIFIED"
    );

    let closed = app.gql(Some(&alice), CLOSE, json!({ "id": id })).await;
    assert_eq!(data(&closed)["closeTicket"]["status"], "CLOSED");

    let timeline = app.gql(Some(&alice), READ, json!({ "id": id })).await;
    let k = event_kinds(&data(&timeline)["ticket"]);
    for expected in [
        "CREATED",
        "ACKNOWLEDGED",
        "DISPATCHED",
        "NOTE_ADDED",
        "STATUS_CHANGED",
        "RESOLVED",
        "FOLLOW_UP_RECORDED",
        "CLOSED",
    ] {
        assert!(
            k.iter().any(|x| x == expected),
            "missing {expected} in {k:?}"
        );
    }

    // Reopening needs a reason and brings it back to OPEN.
    let reopened = app
        .gql(
            Some(&alice),
            "mutation($id: ID!) { reopenTicket(id: $id, reason: \"Leaks again.\") { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data(&reopened)["reopenTicket"]["status"], "OPEN");
}

#[tokio::test]
async fn a_customers_app_ticket_gets_a_reply_and_exactly_one_rating_per_resolution() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let aaron = app.login(AARON).await;
    let t = app_inquiry(&app, &li, "Which filter?").await;
    let id = t["id"].as_str().unwrap().to_owned();
    assert_eq!(
        t["customer"]["name"], "Li Lei",
        "the signed-in customer is the customer"
    );
    assert_eq!(t["owner"], Value::Null);

    // Rating before resolution is refused with the status named.
    let early = app.gql(Some(&li), RATE, json!({ "id": id, "r": 5 })).await;
    assert_eq!(error_code(&early), Some("INVALID_TRANSITION"), "{early}");
    assert_eq!(early["errors"][0]["extensions"]["status"], "NEW");

    let acked = app.gql(Some(&aaron), ACK, json!({ "id": id })).await;
    assert_eq!(
        data(&acked)["acknowledgeTicket"]["owner"]["email"],
        AARON,
        "the first responder owns a customer's ticket"
    );
    let reply = app.gql(Some(&aaron), "mutation($id: ID!) { replyToCustomer(id: $id, body: \"Use the AP-F3 cartridge.\") { kind internal message } }", json!({ "id": id })).await;
    assert_eq!(data(&reply)["replyToCustomer"]["internal"], false);
    app.gql(Some(&aaron), RESOLVE, json!({ "id": id })).await;

    let seen = app.gql(Some(&li), READ, json!({ "id": id })).await;
    let events = &data(&seen)["ticket"]["events"]["nodes"];
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"] == "Use the AP-F3 cartridge.")
    );

    let out_of_range = app.gql(Some(&li), RATE, json!({ "id": id, "r": 6 })).await;
    assert_eq!(error_code(&out_of_range), Some("BAD_USER_INPUT"));
    assert_eq!(out_of_range["errors"][0]["extensions"]["field"], "rating");

    let rated = app.gql(Some(&li), RATE, json!({ "id": id, "r": 4 })).await;
    assert_eq!(data(&rated)["rateTicket"]["satisfaction"]["rating"], 4);
    let again = app.gql(Some(&li), RATE, json!({ "id": id, "r": 5 })).await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");

    // Another customer cannot rate it: to them it does not exist.
    let han = app.login(HAN_MEIMEI).await;
    let foreign = app.gql(Some(&han), RATE, json!({ "id": id, "r": 1 })).await;
    assert_eq!(error_code(&foreign), Some("NOT_FOUND"), "{foreign}");

    // After a reopen and a new resolution, the customer may rate again.
    app.gql(
        Some(&li),
        "mutation($id: ID!) { reopenTicket(id: $id, reason: \"Wrong size.\") { status } }",
        json!({ "id": id }),
    )
    .await;
    app.gql(Some(&aaron), RESOLVE, json!({ "id": id })).await;
    let second = app.gql(Some(&li), RATE, json!({ "id": id, "r": 5 })).await;
    assert_eq!(data(&second)["rateTicket"]["satisfaction"]["rating"], 5);
}

#[tokio::test]
async fn an_illegal_transition_is_refused_naming_the_current_status_and_allowed_moves() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let t = staff_complaint(&app, &alice, "Illegal move").await;
    let body = app.gql(Some(&alice), CLOSE, json!({ "id": t["id"] })).await;
    assert_eq!(error_code(&body), Some("INVALID_TRANSITION"));
    let err = &body["errors"][0];
    assert_eq!(err["extensions"]["status"], "NEW");
    assert!(err["message"].as_str().unwrap().contains("NEW"));
    assert!(
        err["extensions"]["allowed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "acknowledge")
    );
}

#[tokio::test]
async fn a_stale_expected_version_is_a_conflict_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let t = staff_complaint(&app, &alice, "Stale").await;
    let v = t["version"].as_i64().unwrap();
    let ok = app
        .gql(Some(&alice), ACK, json!({ "id": t["id"], "v": v }))
        .await;
    assert_eq!(data(&ok)["acknowledgeTicket"]["version"], v + 1);
    let stale = app.gql(Some(&alice), "mutation($id: ID!, $v: Int) { setTicketStatus(id: $id, status: PENDING_CUSTOMER, expectedVersion: $v) { status } }",
        json!({ "id": t["id"], "v": v }),
    )
    .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    let now = app.gql(Some(&alice), READ, json!({ "id": t["id"] })).await;
    assert_eq!(data(&now)["ticket"]["status"], "OPEN");
}

#[tokio::test]
async fn of_two_simultaneous_claims_exactly_one_wins_and_the_other_gets_a_conflict() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let alice = app.login(ALICE).await;
    let aaron = app.login(AARON).await;
    for round in 0..3 {
        let t = app_inquiry(&app, &li, &format!("Claim race {round}")).await;
        let claim = "mutation($id: ID!, $v: Int) { claimTicket(id: $id, expectedVersion: $v) { assignee { email } } }";
        let vars = json!({ "id": t["id"], "v": t["version"] });
        let (a, b) = tokio::join!(
            app.gql(Some(&alice), claim, vars.clone()),
            app.gql(Some(&aaron), claim, vars.clone())
        );
        let winners: Vec<&Value> = [&a, &b]
            .into_iter()
            .filter(|r| r.get("errors").is_none())
            .collect();
        assert_eq!(winners.len(), 1, "exactly one claim wins: {a} {b}");
        let loser = if a.get("errors").is_none() { &b } else { &a };
        assert_eq!(error_code(loser), Some("CONFLICT"), "{loser}");
        let holder = winners[0]["data"]["claimTicket"]["assignee"]["email"].clone();
        let now = app
            .gql(
                Some(&alice),
                "query($id: ID!) { ticket(id: $id) { assignee { email } } }",
                json!({ "id": t["id"] }),
            )
            .await;
        assert_eq!(data(&now)["ticket"]["assignee"]["email"], holder);
    }
}

#[tokio::test]
async fn a_customer_cannot_read_or_touch_another_customers_ticket() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let han = app.login(HAN_MEIMEI).await;
    let t = app_inquiry(&app, &li, "Mine only").await;
    let read = app.gql(Some(&han), READ, json!({ "id": t["id"] })).await;
    assert_eq!(error_code(&read), Some("NOT_FOUND"), "{read}");
    let by_number = app
        .gql(
            Some(&han),
            "query($n: String!) { ticketByNumber(number: $n) { id } }",
            json!({ "n": t["number"] }),
        )
        .await;
    assert_eq!(error_code(&by_number), Some("NOT_FOUND"));
    let reopen = app
        .gql(
            Some(&han),
            "mutation($id: ID!) { reopenTicket(id: $id, reason: \"x\") { id } }",
            json!({ "id": t["id"] }),
        )
        .await;
    assert_eq!(error_code(&reopen), Some("NOT_FOUND"));
    let missing = app
        .gql(
            Some(&han),
            READ,
            json!({ "id": "0190f0f0-0000-7000-8000-000000000000" }),
        )
        .await;
    assert_eq!(
        error_code(&missing),
        Some("NOT_FOUND"),
        "existence does not leak"
    );

    let list = app
        .gql(
            Some(&han),
            "{ tickets(first: 100) { totalCount nodes { id customer { name } } } }",
            json!({}),
        )
        .await;
    let nodes = data(&list)["tickets"]["nodes"].as_array().unwrap().clone();
    assert!(
        nodes.iter().all(|n| n["customer"]["name"] == "Han Meimei"),
        "{nodes:?}"
    );
    assert!(!nodes.iter().any(|n| n["id"] == t["id"]));
    assert_eq!(data(&list)["tickets"]["totalCount"], nodes.len());
}

#[tokio::test]
async fn internal_notes_are_hidden_from_the_customer_and_from_their_count() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let alice = app.login(ALICE).await;
    let t = app_inquiry(&app, &li, "Note test").await;
    app.gql(Some(&alice), ACK, json!({ "id": t["id"] })).await;
    app.gql(Some(&alice), "mutation($id: ID!) { addTicketNote(id: $id, body: \"Customer sounds upset; be careful.\") { id } }", json!({ "id": t["id"] })).await;

    let staff = app.gql(Some(&alice), READ, json!({ "id": t["id"] })).await;
    let staff_events = &data(&staff)["ticket"]["events"];
    assert!(
        event_kinds(&data(&staff)["ticket"])
            .iter()
            .any(|k| k == "NOTE_ADDED")
    );

    let mine = app.gql(Some(&li), READ, json!({ "id": t["id"] })).await;
    let events = &data(&mine)["ticket"]["events"];
    assert!(
        events["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["internal"] == false),
        "{events}"
    );
    assert!(!events.to_string().contains("upset"));
    assert_eq!(
        events["totalCount"],
        events["nodes"].as_array().unwrap().len()
    );
    assert!(events["totalCount"].as_i64() < staff_events["totalCount"].as_i64());
}

#[tokio::test]
async fn customer_contact_details_are_masked_for_staff_who_are_not_accountable() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let aaron = app.login(AARON).await;
    let supervisor = app.login(SUPERVISOR).await;
    let legal = app.login(LEGAL).await;
    let t = staff_complaint(&app, &alice, "Masking").await;
    assert_eq!(
        t["customer"]["phone"], "13812345678",
        "the owner sees it in full"
    );
    let other = app.gql(Some(&aaron), READ, json!({ "id": t["id"] })).await;
    assert_eq!(data(&other)["ticket"]["customer"]["phone"], "138****5678");
    assert_eq!(
        data(&other)["ticket"]["customer"]["email"],
        "z***@example.org"
    );
    let lead = app
        .gql(Some(&supervisor), READ, json!({ "id": t["id"] }))
        .await;
    assert_eq!(
        data(&lead)["ticket"]["customer"]["email"],
        "zhou.test@example.org"
    );

    app.gql(Some(&alice), ACK, json!({ "id": t["id"] })).await;
    let dept = department_id(&app, &alice, "Legal").await;
    app.gql(
        Some(&alice),
        DISPATCH_TICKET,
        json!({ "id": t["id"], "d": dept }),
    )
    .await;
    let liaison = app.gql(Some(&legal), READ, json!({ "id": t["id"] })).await;
    assert_eq!(data(&liaison)["ticket"]["customer"]["phone"], "138****5678");
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_at_fault() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let li_id = app.user_id(LI_LEI).await;
    let base = json!({ "kind": "COMPLAINT", "channel": "PHONE", "subject": "S", "description": "D",
        "category": "OTHER", "customer": { "name": "Q", "phone": "13800000000" } });
    let with = |patch: Value| {
        let mut input = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                input.as_object_mut().unwrap().remove(k);
            } else {
                input[k] = v.clone();
            }
        }
        json!({ "input": input })
    };
    let cases = [
        (json!({ "category": null }), "input.category"),
        (json!({ "subject": "   " }), "input.subject"),
        (json!({ "subject": "x".repeat(201) }), "input.subject"),
        (json!({ "customer": null }), "input.customer"),
        (
            json!({ "customer": { "name": "Q", "phone": "call me" } }),
            "input.customer.phone",
        ),
        (
            json!({ "kind": "PRAISE", "category": null, "praisedEmployeeId": li_id }),
            "input.praisedEmployeeId",
        ),
        (
            json!({ "kind": "PRAISE", "category": null }),
            "input.praisedEmployeeId",
        ),
        (
            json!({ "attachments": [{ "fileName": "a.exe", "contentType": "application/x-msdownload", "sizeBytes": 10, "uri": "https://x.example/a.exe" }] }),
            "input.attachments.0.contentType",
        ),
        (
            json!({ "attachments": [{ "fileName": "a.jpg", "contentType": "image/jpeg", "sizeBytes": 10, "uri": "http://x.example/a.jpg" }] }),
            "input.attachments.0.uri",
        ),
    ];
    for (patch, field) in cases {
        let body = app.gql(Some(&alice), CREATE, with(patch.clone())).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{patch}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], field,
            "{patch}: {body}"
        );
    }

    let supervisor = app.login(SUPERVISOR).await;
    let t = staff_complaint(&app, &alice, "Assign").await;
    let assign = app
        .gql(
            Some(&supervisor),
            "mutation($id: ID!, $a: ID!) { assignTicket(id: $id, assigneeId: $a) { id } }",
            json!({ "id": t["id"], "a": li_id }),
        )
        .await;
    assert_eq!(error_code(&assign), Some("BAD_USER_INPUT"));
    assert_eq!(assign["errors"][0]["extensions"]["field"], "assigneeId");
}

#[tokio::test]
async fn first_contact_ownership_is_kept_and_only_a_lead_may_transfer_it() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let aaron = app.login(AARON).await;
    let supervisor = app.login(SUPERVISOR).await;
    let aaron_id = app.user_id(AARON).await;
    let t = staff_complaint(&app, &alice, "Ownership").await;
    let transfer = "mutation($id: ID!, $to: ID!) { transferTicketOwnership(id: $id, toUserId: $to) { owner { email } } }";
    let refused = app
        .gql(
            Some(&aaron),
            transfer,
            json!({ "id": t["id"], "to": aaron_id }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"));
    // Claiming and assigning leave the owner alone.
    app.gql(Some(&aaron), CLAIM, json!({ "id": t["id"] })).await;
    let now = app.gql(Some(&alice), READ, json!({ "id": t["id"] })).await;
    assert_eq!(data(&now)["ticket"]["owner"]["email"], ALICE);
    let moved = app
        .gql(
            Some(&supervisor),
            transfer,
            json!({ "id": t["id"], "to": aaron_id }),
        )
        .await;
    assert_eq!(
        data(&moved)["transferTicketOwnership"]["owner"]["email"],
        AARON
    );
}

#[tokio::test]
async fn a_liaison_sees_only_tickets_dispatched_to_their_department() {
    let app = TestApp::spawn().await;
    let legal = app.login(LEGAL).await;
    let logistics = app.login(LOGISTICS).await;
    let list = app
        .gql(
            Some(&legal),
            "{ tickets(first: 100) { totalCount nodes { id department { name } } } }",
            json!({}),
        )
        .await;
    let nodes = data(&list)["tickets"]["nodes"].as_array().unwrap().clone();
    assert!(
        !nodes.is_empty(),
        "the seed dispatches a complaint to Legal"
    );
    assert!(
        nodes.iter().all(|n| n["department"]["name"] == "Legal"),
        "{nodes:?}"
    );

    let other = app
        .gql(Some(&logistics), READ, json!({ "id": nodes[0]["id"] }))
        .await;
    assert_eq!(error_code(&other), Some("NOT_FOUND"));
    // And a liaison cannot act on an undispatched ticket either.
    let alice = app.login(ALICE).await;
    let t = staff_complaint(&app, &alice, "Not yours").await;
    let note = app
        .gql(
            Some(&legal),
            "mutation($id: ID!) { addTicketNote(id: $id, body: \"hi\") { id } }",
            json!({ "id": t["id"] }),
        )
        .await;
    assert_eq!(error_code(&note), Some("NOT_FOUND"));
}

#[tokio::test]
async fn the_ticket_list_pages_both_ways_sorts_and_searches() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(staff_complaint(&app, &alice, &format!("Zebra 50%_off case {i}")).await);
    }
    let q = "query($f: TicketFilter, $o: TicketOrder, $first: Int, $after: String, $last: Int, $before: String) {
        tickets(filter: $f, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
            totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id number priority } } }";
    let filter = json!({ "search": "zebra 50%_" });
    let order = json!({ "field": "CREATED_AT", "direction": "ASC" });

    let forward = page_through(&app, &alice, q, &filter, &order, false, |page| {
        assert_eq!(page["totalCount"], 5);
    })
    .await;
    let ids: Vec<Value> = created.iter().map(|t| t["id"].clone()).collect();
    assert_eq!(forward, ids, "oldest first, no gaps, no repeats");
    let backward = page_through(&app, &alice, q, &filter, &order, true, |_| {}).await;
    assert_eq!(backward, ids);

    // Search by number, customer name and order number; wildcards are literal.
    let number = created[2]["number"].as_str().unwrap();
    let by_number = app
        .gql(
            Some(&alice),
            q,
            json!({ "f": { "search": number.to_lowercase() } }),
        )
        .await;
    assert_eq!(data(&by_number)["tickets"]["totalCount"], 1);
    let by_name = app
        .gql(
            Some(&alice),
            q,
            json!({ "f": { "search": "zhou TEST", "kind": ["COMPLAINT"] } }),
        )
        .await;
    assert!(data(&by_name)["tickets"]["totalCount"].as_i64().unwrap() >= 5);
    let by_order = app
        .gql(Some(&alice), q, json!({ "f": { "search": "so-test-1" } }))
        .await;
    assert!(data(&by_order)["tickets"]["totalCount"].as_i64().unwrap() >= 5);
    let wildcard = app
        .gql(Some(&alice), q, json!({ "f": { "search": "zebra 5_%" } }))
        .await;
    assert_eq!(data(&wildcard)["tickets"]["totalCount"], 0);

    // Priority order with a cursor from another order is refused.
    let by_priority = app
        .gql(
            Some(&alice),
            q,
            json!({ "o": { "field": "PRIORITY", "direction": "DESC" }, "first": 100 }),
        )
        .await;
    let ranks: Vec<i32> = data(&by_priority)["tickets"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| match n["priority"].as_str().unwrap() {
            "LOW" => 0,
            "NORMAL" => 1,
            "HIGH" => 2,
            _ => 3,
        })
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    let mixed = app.gql(Some(&alice), q, json!({ "o": { "field": "PRIORITY", "direction": "DESC" }, "after": forward_cursor(&app, &alice, q).await })).await;
    assert_eq!(error_code(&mixed), Some("BAD_USER_INPUT"));
    let too_many = app.gql(Some(&alice), q, json!({ "first": 101 })).await;
    assert_eq!(error_code(&too_many), Some("BAD_USER_INPUT"));

    // Filters combine.
    let filtered = app.gql(Some(&alice), q, json!({ "f": { "status": ["NEW"], "unassigned": true, "escalated": false, "breached": false, "search": "zebra" } })).await;
    assert_eq!(data(&filtered)["tickets"]["totalCount"], 5);
}

#[tokio::test]
async fn the_due_order_pages_both_ways_with_tickets_that_have_no_due_time_last() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let mut created = Vec::new();
    for i in 0..6 {
        created.push(staff_complaint(&app, &alice, &format!("Due order case {i}")).await);
    }
    // Without an SLA policy for its kind a ticket has no due time; two of them here, the first
    // and the fourth created, so they sort last, by id.
    let db = careline_persistence::connect(&app.database_url())
        .await
        .unwrap();
    for t in [&created[0], &created[3]] {
        let id = uuid::Uuid::parse_str(t["id"].as_str().unwrap()).unwrap();
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            db.get_database_backend(),
            "UPDATE tickets SET resolution_due_at = NULL WHERE id = $1",
            [id.into()],
        ))
        .await
        .unwrap();
    }
    let q = "query($f: TicketFilter, $o: TicketOrder, $first: Int, $after: String, $last: Int, $before: String) {
        tickets(filter: $f, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id sla { resolutionDueAt } } } }";
    let filter = json!({ "search": "due order case" });
    for direction in ["ASC", "DESC"] {
        let order = json!({ "field": "DUE_AT", "direction": direction });
        let all = app
            .gql(
                Some(&alice),
                q,
                json!({ "f": filter, "o": order, "first": 10 }),
            )
            .await;
        let all: Vec<Value> = data(&all)["tickets"]["nodes"].as_array().unwrap().clone();
        assert_eq!(all.len(), 6, "{all:?}");
        let mut without: Vec<&str> = [&created[0], &created[3]]
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        without.sort_unstable();
        if direction == "DESC" {
            without.reverse();
        }
        let (first, rest) = if direction == "ASC" {
            (&all[4..], &all[..4])
        } else {
            (&all[..2], &all[2..])
        };
        assert_eq!(
            first
                .iter()
                .map(|n| n["id"].as_str().unwrap())
                .collect::<Vec<_>>(),
            without,
            "{direction}: no due time sorts last ascending, first descending"
        );
        assert!(first.iter().all(|n| n["sla"]["resolutionDueAt"].is_null()));
        let due: Vec<&str> = rest
            .iter()
            .map(|n| n["sla"]["resolutionDueAt"].as_str().unwrap())
            .collect();
        let mut sorted = due.clone();
        sorted.sort_unstable();
        if direction == "DESC" {
            sorted.reverse();
        }
        assert_eq!(due, sorted, "{direction}");
        let ids: Vec<Value> = all.iter().map(|n| n["id"].clone()).collect();

        // Two at a time forwards, then backwards: the same order, no gaps, no repeats, across
        // the boundary between due and not due.
        let forward = page_through(&app, &alice, q, &filter, &order, false, |_| {}).await;
        assert_eq!(forward, ids, "{direction} forwards");
        let backward = page_through(&app, &alice, q, &filter, &order, true, |_| {}).await;
        assert_eq!(backward, ids, "{direction} backwards");
    }
}

/// Every ticket id `q` lists under `filter` and `order`, two at a time: forwards with
/// `first`/`after`, or backwards with `last`/`before`; in list order either way. `each_page`
/// sees every page's `tickets` object.
async fn page_through(
    app: &TestApp,
    token: &str,
    q: &str,
    filter: &Value,
    order: &Value,
    backwards: bool,
    mut each_page: impl FnMut(&Value),
) -> Vec<Value> {
    let (mut ids, mut cursor) = (Vec::new(), Value::Null);
    loop {
        let window = if backwards {
            json!({ "f": filter, "o": order, "last": 2, "before": cursor })
        } else {
            json!({ "f": filter, "o": order, "first": 2, "after": cursor })
        };
        let body = app.gql(Some(token), q, window).await;
        let page = &data(&body)["tickets"];
        each_page(page);
        let nodes = page["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].clone());
        let (more, next) = if backwards {
            ids.splice(0..0, nodes);
            ("hasPreviousPage", "startCursor")
        } else {
            ids.extend(nodes);
            ("hasNextPage", "endCursor")
        };
        if page["pageInfo"][more] != true {
            return ids;
        }
        cursor = page["pageInfo"][next].clone();
    }
}

async fn forward_cursor(app: &TestApp, token: &str, q: &str) -> Value {
    let body = app.gql(Some(token), q, json!({ "first": 1 })).await;
    data(&body)["tickets"]["pageInfo"]["endCursor"].clone()
}

#[tokio::test]
async fn ticket_numbers_stay_unique_when_tickets_are_created_at_once() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let futures = (0..12).map(|i| {
        let (app, li) = (&app, &li);
        async move { app_inquiry(app, li, &format!("Burst {i}")).await }
    });
    let tickets = futures_util::future::join_all(futures).await;
    let numbers: HashSet<String> = tickets
        .iter()
        .map(|t| t["number"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(numbers.len(), 12);
    assert!(numbers.iter().all(|n| n.len() == "T-20260101-000001".len()));
}

/// The date and sequence of a ticket number, which must be well formed.
fn number_parts(ticket: &Value) -> (chrono::NaiveDate, u32) {
    let number = ticket["number"]
        .as_str()
        .unwrap_or_else(|| panic!("{ticket}"));
    careline_domain::ticket::parse_ticket_number(number)
        .unwrap_or_else(|| panic!("malformed ticket number {number}"))
}

/// Issue 16: numbers come from a sequence on PostgreSQL and a per-day counter on SQLite; on
/// both, many intakes at once (staff and customers) get distinct numbers dated today, and a
/// ticket registered afterwards is numbered after every one of them.
#[tokio::test]
async fn ticket_numbers_are_unique_and_increasing_under_concurrent_intake() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let alice = app.login(ALICE).await;
    let today = chrono::Utc::now().date_naive();
    let futures = (0..40).map(|i| {
        let (app, li, alice) = (&app, &li, &alice);
        async move {
            if i % 2 == 0 {
                app_inquiry(app, li, &format!("Concurrent {i}")).await
            } else {
                staff_complaint(app, alice, &format!("Concurrent {i}")).await
            }
        }
    });
    let tickets = futures_util::future::join_all(futures).await;
    let mut seqs: Vec<u32> = tickets
        .iter()
        .map(|t| {
            let (date, seq) = number_parts(t);
            // Registered around midnight the date may be the next day; never an older one.
            assert!(date >= today, "{t}");
            seq
        })
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 40, "every intake got its own number: {seqs:?}");
    let mut previous = *seqs.last().unwrap_or(&0);
    for i in 0..3 {
        let (_, seq) = number_parts(&app_inquiry(&app, &li, &format!("After {i}")).await);
        assert!(seq > previous, "{seq} follows {previous}");
        previous = seq;
    }
}

#[tokio::test]
async fn a_corrective_action_moves_open_done_verified_and_only_a_lead_verifies() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let logistics = app.login(LOGISTICS).await;
    let supervisor = app.login(SUPERVISOR).await;
    let t = staff_complaint(&app, &alice, "Courier again").await;
    let dept = department_id(&app, &alice, "Logistics").await;
    let created = app.gql(Some(&supervisor), "mutation($i: CorrectiveActionInput!) { createCorrectiveAction(input: $i) { id status department { name } tickets { id } } }",
        json!({ "i": { "description": "Retrain couriers", "departmentId": dept, "ticketIds": [t["id"]] } }),
    )
    .await;
    let ca = data(&created)["createCorrectiveAction"].clone();
    assert_eq!(ca["status"], "OPEN");
    assert_eq!(ca["tickets"][0]["id"], t["id"]);
    let set = "mutation($id: ID!, $s: CorrectiveActionStatus!) { setCorrectiveActionStatus(id: $id, status: $s) { status } }";
    let skip = app
        .gql(
            Some(&supervisor),
            set,
            json!({ "id": ca["id"], "s": "VERIFIED" }),
        )
        .await;
    assert_eq!(error_code(&skip), Some("INVALID_TRANSITION"));
    let done = app
        .gql(
            Some(&logistics),
            set,
            json!({ "id": ca["id"], "s": "DONE" }),
        )
        .await;
    assert_eq!(data(&done)["setCorrectiveActionStatus"]["status"], "DONE");
    let by_liaison = app
        .gql(
            Some(&logistics),
            set,
            json!({ "id": ca["id"], "s": "VERIFIED" }),
        )
        .await;
    assert_eq!(error_code(&by_liaison), Some("FORBIDDEN"));
    let verified = app
        .gql(
            Some(&supervisor),
            set,
            json!({ "id": ca["id"], "s": "VERIFIED" }),
        )
        .await;
    assert_eq!(
        data(&verified)["setCorrectiveActionStatus"]["status"],
        "VERIFIED"
    );

    let on_ticket = app
        .gql(
            Some(&alice),
            "query($id: ID!) { ticket(id: $id) { correctiveActions { status } } }",
            json!({ "id": t["id"] }),
        )
        .await;
    assert_eq!(
        data(&on_ticket)["ticket"]["correctiveActions"][0]["status"],
        "VERIFIED"
    );
    let listed = app
        .gql(
            Some(&alice),
            "{ correctiveActions(status: VERIFIED) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&listed)["correctiveActions"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn the_demo_seed_has_every_kind_and_status_with_real_timelines() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let body = app
        .gql(
            Some(&admin),
            "{ tickets(first: 100) { nodes { kind status suggestionStatus satisfaction { rating } followUps { id }
                correctiveActions { status } severity events(first: 5) { totalCount nodes { kind actor { name } } } } } }",
            json!({}),
        )
        .await;
    let nodes = data(&body)["tickets"]["nodes"].as_array().unwrap().clone();
    let kinds: HashSet<&str> = nodes.iter().filter_map(|n| n["kind"].as_str()).collect();
    let statuses: HashSet<&str> = nodes.iter().filter_map(|n| n["status"].as_str()).collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    assert_eq!(statuses.len(), 6, "{statuses:?}");
    assert!(nodes.iter().any(|n| n["severity"] == "MAJOR"));
    assert!(nodes.iter().any(|n| n["suggestionStatus"] == "ADOPTED"));
    assert!(nodes.iter().any(|n| n["satisfaction"]["rating"] == 5));
    assert!(
        nodes
            .iter()
            .any(|n| n["status"] == "CLOSED" && !n["followUps"].as_array().unwrap().is_empty())
    );
    assert!(
        nodes
            .iter()
            .any(|n| !n["correctiveActions"].as_array().unwrap().is_empty())
    );
    assert!(
        nodes
            .iter()
            .all(|n| n["events"]["nodes"][0]["kind"] == "CREATED")
    );
}

#[tokio::test]
async fn a_customer_cannot_set_staff_only_fields_or_use_staff_mutations() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let body = app
        .gql(
            Some(&li),
            CREATE,
            json!({ "input": { "kind": "INQUIRY", "channel": "MOBILE_APP", "subject": "Rush", "description": "Please", "priority": "URGENT" }}),
        )
        .await;
    let t = &data(&body)["createTicket"];
    assert_eq!(t["priority"], "NORMAL", "customers cannot raise priority");
    let ack = app.gql(Some(&li), ACK, json!({ "id": t["id"] })).await;
    assert_eq!(error_code(&ack), Some("FORBIDDEN"));
    let _ = TICKET;
}
