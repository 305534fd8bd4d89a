//! Callbacks end to end: a resolved complaint's follow-up visit due on business days and in its
//! owner's list, the reminder and the overdue escalation once each across two instances, the
//! customer who still disagrees (another agent calls again, then a lead closes with the
//! disagreement on record), and the refusals.

use careline_tests::kit::{
    AARON, ACKNOWLEDGE, AGENT, LI_LEI, SUE, SUPERVISOR, complaint, create_ticket, escalations_of,
    set_clock, shanghai, tick, time,
};
use careline_tests::{TestApp, data, error_code};
use chrono::Duration;
use serde_json::{Value, json};

const TICKET: &str = "query($id: ID!) { ticket(id: $id) { status followUpDueAt
    closedWithCustomerDisagreeing
    callbacks { id purpose status dueAt attempts outcome assignee { email } } } }";
const MINE: &str = "{ myCallbacks { id purpose dueAt overdue ticket { id } customer { phone } } }";
const RESOLVE: &str =
    "mutation($id: ID!) { resolveTicket(id: $id, solution: \"Replaced the parcel.\") { status } }";
const COMPLETE: &str = "mutation($id: ID!, $o: String!, $s: Boolean, $n: ID) {
    completeCallback(id: $id, outcome: $o, customerSatisfied: $s, nextAssigneeId: $n) {
        status outcome doneAt } }";
const CLOSE_DISAGREEING: &str = "mutation($id: ID!, $r: String!) {
    closeWithCustomerDisagreeing(ticketId: $id, reason: $r) { status closedWithCustomerDisagreeing } }";
const INBOX: &str = "{ myNotifications(first: 50) { nodes { kind title } } }";
const SCHEDULE: &str = "mutation($i: CallbackInput!) { scheduleCallback(input: $i) { id status dueAt assignee { email } } }";

async fn ticket(app: &TestApp, token: &str, id: &str) -> Value {
    data(&app.gql(Some(token), TICKET, json!({ "id": id })).await)["ticket"].clone()
}

async fn inbox_kinds(app: &TestApp, token: &str, kind: &str) -> usize {
    let body = app.gql(Some(token), INBOX, json!({})).await;
    data(&body)["myNotifications"]["nodes"]
        .as_array()
        .expect("inbox")
        .iter()
        .filter(|n| n["kind"] == kind)
        .count()
}

#[tokio::test]
async fn a_resolved_complaint_is_followed_up_on_time_and_closes_with_the_customer_disagreeing() {
    let app = TestApp::spawn().await;
    let second = app.spawn_sharing(|_| {}).await;
    let agent = app.login(AGENT).await;
    let aaron = app.login(AARON).await;
    let lead = app.login(SUPERVISOR).await;
    // Tuesday 2 March 2027, 10:00 in Shanghai; the default calendar is open 09:00–23:00 daily.
    let start = shanghai(2027, 3, 2, 10, 0);
    set_clock(&app, start);
    set_clock(&second, start);
    let id = create_ticket(&app, &agent, complaint("Parcel broken again")).await;
    data(
        &app.gql(Some(&agent), ACKNOWLEDGE, json!({ "id": id }))
            .await,
    );
    data(&app.gql(Some(&agent), RESOLVE, json!({ "id": id })).await);

    // The follow-up visit is due at the close of the second business day, and is the owner's.
    let t = ticket(&app, &agent, &id).await;
    let due = shanghai(2027, 3, 4, 23, 0);
    assert_eq!(time(&t["followUpDueAt"]), due, "{t}");
    let follow_up = &t["callbacks"][0];
    assert_eq!(follow_up["purpose"], "FOLLOW_UP");
    assert_eq!(follow_up["status"], "SCHEDULED");
    assert_eq!(follow_up["assignee"]["email"], AGENT);
    let follow_up_id = follow_up["id"].as_str().unwrap().to_owned();
    let mine = app.gql(Some(&agent), MINE, json!({})).await;
    let listed = &data(&mine)["myCallbacks"];
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == follow_up_id.as_str() && c["ticket"]["id"] == id.as_str()),
        "{mine}"
    );
    // Whoever owes the call sees the number to call.
    let this = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == follow_up_id.as_str())
        .unwrap();
    assert_eq!(this["customer"]["phone"], "13800138000", "{mine}");
    let theirs = app.gql(Some(&aaron), MINE, json!({})).await;
    assert_eq!(data(&theirs)["myCallbacks"], json!([]), "{theirs}");

    // Leads see it waiting; agents may not ask.
    let awaiting = "{ awaitingFollowUp(first: 10) { totalCount nodes { id followUpDueAt } } }";
    let body = app.gql(Some(&lead), awaiting, json!({})).await;
    assert!(
        data(&body)["awaitingFollowUp"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == id.as_str()),
        "{body}"
    );
    let refused = app.gql(Some(&agent), awaiting, json!({})).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let team = app
        .gql(
            Some(&lead),
            "{ callbacks(first: 50) { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    assert!(
        data(&team)["callbacks"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == follow_up_id.as_str()),
        "{team}"
    );
    // Another team's supervisor does not see this team's callbacks.
    let sue = app.login(SUE).await;
    let other = app
        .gql(
            Some(&sue),
            "{ callbacks(first: 50) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert!(
        !data(&other)["callbacks"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == follow_up_id.as_str()),
        "{other}"
    );

    // Half an hour before it is due, the reminder reaches the owner once, whichever instance
    // runs the pass and however often.
    for instance in [&app, &second] {
        set_clock(instance, due - Duration::minutes(30));
    }
    tick(&app).await;
    tick(&second).await;
    tick(&app).await;
    assert_eq!(inbox_kinds(&app, &agent, "CALLBACK_DUE").await, 1);

    // Past due, it escalates to the supervisor once across both instances.
    for instance in [&app, &second] {
        set_clock(instance, due + Duration::hours(1));
    }
    let (a, b) = tokio::join!(tick(&app), tick(&second));
    tick(&app).await;
    let overdue: Vec<Value> = escalations_of(&app, &lead, &id)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "CALLBACK_OVERDUE")
        .collect();
    assert_eq!(
        overdue.len(),
        1,
        "once across instances ({a} + {b}): {overdue:?}"
    );
    assert!(overdue[0]["level"].as_i64() >= Some(1));

    // Only its assignee completes it.
    let body = app
        .gql(
            Some(&aaron),
            COMPLETE,
            json!({ "id": follow_up_id, "o": "Called", "s": true }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    // A follow-up needs to say whether the customer was satisfied.
    let body = app
        .gql(
            Some(&agent),
            COMPLETE,
            json!({ "id": follow_up_id, "o": "Called" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");

    // The follow-up visit is the system's: an agent neither schedules nor cancels one.
    let body = app
        .gql(
            Some(&agent),
            SCHEDULE,
            json!({ "i": { "ticketId": id, "purpose": "FOLLOW_UP",
                "dueAt": (due + Duration::days(1)).to_rfc3339() } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body = app
        .gql(
            Some(&agent),
            "mutation($id: ID!) { cancelCallback(id: $id, reason: \"No time\") { status } }",
            json!({ "id": follow_up_id }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    // The customer still disagrees: the ticket stays resolved and another agent calls again.
    // Submitted twice at once, the visit is recorded once and the second is told so.
    let unhappy = json!({ "id": follow_up_id, "o": "Wants a refund, not a replacement",
        "s": false, "n": data(&app.gql(Some(&aaron), "{ me { id } }", json!({})).await)["me"]["id"] });
    let (first, again) = tokio::join!(
        app.gql(Some(&agent), COMPLETE, unhappy.clone()),
        second.gql(Some(&agent), COMPLETE, unhappy.clone()),
    );
    let done: Vec<&Value> = [&first, &again]
        .into_iter()
        .filter(|b| error_code(b).is_none())
        .collect();
    assert_eq!(done.len(), 1, "{first} / {again}");
    assert_eq!(done[0]["data"]["completeCallback"]["status"], "DONE");
    let refused = if error_code(&first).is_some() {
        &first
    } else {
        &again
    };
    assert_eq!(error_code(refused), Some("CONFLICT"), "{refused}");
    let visits = app
        .gql(
            Some(&agent),
            "query($id: ID!) { ticket(id: $id) { followUps { customerSatisfied } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data(&visits)["ticket"]["followUps"],
        json!([{ "customerSatisfied": false }]),
        "{visits}"
    );
    let t = ticket(&app, &agent, &id).await;
    assert_eq!(t["status"], "RESOLVED", "{t}");
    assert_eq!(t["followUpDueAt"], Value::Null, "{t}");
    let again: Vec<&Value> = t["callbacks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["purpose"] == "CALLBACK")
        .collect();
    assert_eq!(again.len(), 1, "{t}");
    assert_eq!(again[0]["assignee"]["email"], AARON);
    assert_eq!(again[0]["status"], "SCHEDULED");
    // Due at the close of the next business day (it is now just past midnight on Friday 5th).
    assert_eq!(time(&again[0]["dueAt"]), shanghai(2027, 3, 6, 23, 0));
    let callback_id = again[0]["id"].as_str().unwrap().to_owned();

    // Not closed the ordinary way, and not with the disagreement until someone called again.
    let close = app
        .gql(
            Some(&lead),
            "mutation($id: ID!) { closeTicket(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&close), Some("INVALID_TRANSITION"), "{close}");
    let verdict = "mutation($id: ID!) { recordComplaintVerdict(ticketId: $id, verdict: UNJUSTIFIED,
        rootCause: \"Courier damage; replacement offered\") { id } }";
    data(&app.gql(Some(&lead), verdict, json!({ "id": id })).await);
    let reason = "Refund outside policy; replacement stands";
    let early = app
        .gql(
            Some(&lead),
            CLOSE_DISAGREEING,
            json!({ "id": id, "r": reason }),
        )
        .await;
    assert_eq!(error_code(&early), Some("CONFLICT"), "{early}");
    let body = app
        .gql(
            Some(&aaron),
            COMPLETE,
            json!({ "id": callback_id, "o": "Explained again; still wants a refund" }),
        )
        .await;
    assert_eq!(data(&body)["completeCallback"]["status"], "DONE", "{body}");
    let by_agent = app
        .gql(
            Some(&agent),
            CLOSE_DISAGREEING,
            json!({ "id": id, "r": reason }),
        )
        .await;
    assert_eq!(error_code(&by_agent), Some("FORBIDDEN"), "{by_agent}");
    let closed = app
        .gql(
            Some(&lead),
            CLOSE_DISAGREEING,
            json!({ "id": id, "r": reason }),
        )
        .await;
    assert_eq!(
        data(&closed)["closeWithCustomerDisagreeing"],
        json!({ "status": "CLOSED", "closedWithCustomerDisagreeing": true }),
        "{closed}"
    );
    // Counted apart in the complaint analytics.
    let analytics = "query($f: DateTime!, $t: DateTime!) { complaintAnalytics(from: $f, to: $t,
        bucket: DAY) { total closedWithCustomerDisagreeing } }";
    let body = app
        .gql(
            Some(&lead),
            analytics,
            json!({ "f": (start - Duration::days(1)).to_rfc3339(),
                "t": (start + Duration::days(1)).to_rfc3339() }),
        )
        .await;
    assert_eq!(
        data(&body)["complaintAnalytics"]["closedWithCustomerDisagreeing"],
        1,
        "{body}"
    );
}

#[tokio::test]
async fn callbacks_refuse_bad_times_strangers_and_settled_ones() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let aaron = app.login(AARON).await;
    let lead = app.login(SUPERVISOR).await;
    let start = shanghai(2027, 3, 2, 10, 0);
    set_clock(&app, start);
    let id = create_ticket(&app, &agent, complaint("Late delivery")).await;
    let schedule = |due: chrono::DateTime<chrono::Utc>| {
        json!({ "i": { "ticketId": id, "purpose": "CALLBACK", "dueAt": due.to_rfc3339(),
            "note": "Promised an update" } })
    };
    for due in [start - Duration::hours(2), start + Duration::days(400)] {
        let body = app.gql(Some(&agent), SCHEDULE, schedule(due)).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    let both = app
        .gql(
            Some(&agent),
            SCHEDULE,
            json!({ "i": { "ticketId": id, "customerId": id, "purpose": "CALLBACK",
                "dueAt": (start + Duration::hours(3)).to_rfc3339() } }),
        )
        .await;
    assert_eq!(error_code(&both), Some("BAD_USER_INPUT"), "{both}");
    let missing = app
        .gql(
            Some(&agent),
            SCHEDULE,
            json!({ "i": { "ticketId": "01900000-0000-7000-8000-00000000beef",
                "purpose": "CALLBACK", "dueAt": (start + Duration::hours(3)).to_rfc3339() } }),
        )
        .await;
    assert_eq!(error_code(&missing), Some("NOT_FOUND"), "{missing}");
    // A customer has no callbacks to schedule.
    let customer = app.login(LI_LEI).await;
    let body = app
        .gql(
            Some(&customer),
            SCHEDULE,
            schedule(start + Duration::hours(3)),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    let body = app
        .gql(Some(&agent), SCHEDULE, schedule(start + Duration::hours(3)))
        .await;
    let created = &data(&body)["scheduleCallback"];
    // Nobody owns the unacknowledged ticket yet: the caller owes it.
    assert_eq!(created["assignee"]["email"], AGENT, "{body}");
    let cb = created["id"].as_str().unwrap().to_owned();

    // Scheduling a call for oneself unmasks nothing: another agent's callback on this ticket
    // shows the customer's phone masked; a care call needs a customer one serves.
    let body = app
        .gql(
            Some(&aaron),
            "mutation($i: CallbackInput!) { scheduleCallback(input: $i) { customer { id phone } } }",
            json!({ "i": { "ticketId": id, "purpose": "CALLBACK",
                "dueAt": (start + Duration::hours(4)).to_rfc3339() } }),
        )
        .await;
    let masked = &data(&body)["scheduleCallback"]["customer"];
    assert_ne!(masked["phone"], "13800138000", "{body}");
    let body = app
        .gql(
            Some(&aaron),
            SCHEDULE,
            json!({ "i": { "customerId": masked["id"], "purpose": "CARE_CALL",
                "dueAt": (start + Duration::hours(4)).to_rfc3339() } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    // Someone else's callback: another agent may neither move nor cancel it; a lead may.
    let reschedule = "mutation($id: ID!, $d: DateTime!) { rescheduleCallback(id: $id, dueAt: $d,
        reason: \"Not reached\") { status attempts outcome dueAt } }";
    let later = start + Duration::days(1);
    let body = app
        .gql(
            Some(&aaron),
            reschedule,
            json!({ "id": cb, "d": later.to_rfc3339() }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app
        .gql(
            Some(&agent),
            reschedule,
            json!({ "id": cb, "d": later.to_rfc3339() }),
        )
        .await;
    let moved = &data(&body)["rescheduleCallback"];
    assert_eq!(moved["attempts"], 1, "{body}");
    assert_eq!(moved["outcome"], "Not reached");
    assert_eq!(time(&moved["dueAt"]), later);
    let cancel = "mutation($id: ID!) { cancelCallback(id: $id, reason: \"Customer wrote back\") { status } }";
    let body = app.gql(Some(&aaron), cancel, json!({ "id": cb })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app.gql(Some(&lead), cancel, json!({ "id": cb })).await;
    assert_eq!(
        data(&body)["cancelCallback"]["status"],
        "CANCELLED",
        "{body}"
    );
    // Settled is settled.
    let body = app
        .gql(Some(&agent), COMPLETE, json!({ "id": cb, "o": "Called" }))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let blank = app
        .gql(Some(&agent), COMPLETE, json!({ "id": cb, "o": "  " }))
        .await;
    assert_eq!(error_code(&blank), Some("BAD_USER_INPUT"), "{blank}");
    // Nothing was written by the refusals: the ticket holds the two callbacks scheduled.
    let t = ticket(&app, &agent, &id).await;
    assert_eq!(t["callbacks"].as_array().map(Vec::len), Some(2), "{t}");
}

#[tokio::test]
async fn a_late_care_call_reaches_the_assignees_supervisor_once() {
    let app = TestApp::spawn().await;
    let second = app.spawn_sharing(|_| {}).await;
    let agent = app.login(AGENT).await;
    let lead = app.login(SUPERVISOR).await;
    let sue = app.login(SUE).await;
    let start = shanghai(2027, 3, 2, 10, 0);
    set_clock(&app, start);
    set_clock(&second, start);
    let id = create_ticket(&app, &agent, complaint("Kettle again")).await;
    let customer = data(
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
            Some(&agent),
            SCHEDULE,
            json!({ "i": { "customerId": customer, "purpose": "CARE_CALL",
                "dueAt": (start + Duration::hours(1)).to_rfc3339() } }),
        )
        .await;
    assert_eq!(
        data(&body)["scheduleCallback"]["assignee"]["email"],
        AGENT,
        "{body}"
    );
    for instance in [&app, &second] {
        set_clock(instance, start + Duration::hours(2));
    }
    let _ = tokio::join!(tick(&app), tick(&second));
    tick(&app).await;
    assert_eq!(inbox_kinds(&app, &lead, "CALLBACK_OVERDUE").await, 1);
    assert_eq!(inbox_kinds(&app, &sue, "CALLBACK_OVERDUE").await, 0);
    // The agent had the reminder first.
    assert_eq!(inbox_kinds(&app, &agent, "CALLBACK_DUE").await, 1);
}
