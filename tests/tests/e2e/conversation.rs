//! The conversation with customers (issue 27): customers write back, replies and promises
//! reach them in the app inbox and on their outside channels (an SMS gateway's signed webhook
//! served here, a real SMTP server in the ignored test), each delivery on the record, retried
//! and then failed for leads to retry.

use actix_web::{App as HttpApp, HttpRequest, HttpResponse, HttpServer, web};
use careline_tests::kit::{
    ACKNOWLEDGE, ALICE, CLAIM, HAN_MEIMEI, LI_LEI, MANAGER, SAM, free_port, ok, set_clock, tick,
    time, wait_until,
};
use careline_tests::mail::SmtpSink;
use careline_tests::ws::{next, socket, subscribe};
use careline_tests::{TestApp, error_code};
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

const CREATE: &str =
    "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id number customer { id } } }";
const POST: &str = "mutation($t: ID!, $b: String!) { postCustomerMessage(ticketId: $t, body: $b) { id kind message internal } }";
const REPLY: &str = "mutation($i: ReplyInput!) { sendReply(input: $i) { id kind message deliveries { channel address status attempts detail sentAt } } }";
const TICKET: &str = "query($id: ID!) { ticket(id: $id) { status promisedAnswerAt
    conversation(first: 50) { totalCount nodes { id kind message internal deliveries { channel status } } } } }";
const INBOX: &str =
    "query($u: Boolean) { myNotifications(unreadOnly: $u, first: 50) { totalCount unreadCount
    nodes { id kind title body at readAt ticket { id } } } }";
const DELIVERIES: &str = "query($id: ID!) { ticket(id: $id) { events(first: 100) { nodes { kind deliveries { id channel address status attempts detail sentAt } } } } }";
const SET_PREFS: &str = "mutation($c: ID!, $i: ContactPreferencesInput!) { setContactPreferences(customerId: $c, input: $i) {
    id contactPreferences { channels quietHours timeZone language optedOut } } }";

/// A customer's inquiry in the app, claimed and acknowledged by Alice: `OPEN`. Returns its id
/// and the customer record's id.
async fn open_inquiry(app: &TestApp, customer: &str, alice: &str) -> (String, String) {
    let created = ok(
        app,
        customer,
        CREATE,
        json!({ "i": { "kind": "INQUIRY", "channel": "MOBILE_APP", "subject": "Filter size",
            "description": "Which filter fits the AquaPure 3?" } }),
    )
    .await;
    let id = created["createTicket"]["id"].as_str().unwrap().to_owned();
    let customer_id = created["createTicket"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(app, alice, CLAIM, json!({ "id": id })).await;
    ok(app, alice, ACKNOWLEDGE, json!({ "id": id })).await;
    (id, customer_id)
}

async fn inbox(app: &TestApp, token: &str) -> Value {
    ok(app, token, INBOX, json!({})).await["myNotifications"].clone()
}

fn kinds(inbox: &Value) -> Vec<String> {
    inbox["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// Every delivery of the ticket's timeline entries, as staff (a lead) see them.
async fn deliveries(app: &TestApp, token: &str, ticket: &str) -> Vec<Value> {
    let body = ok(app, token, DELIVERIES, json!({ "id": ticket })).await;
    body["ticket"]["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["deliveries"].as_array().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn a_customer_answering_a_waiting_ticket_reopens_it_and_its_holder_is_told() {
    let app = TestApp::spawn().await;
    let customer = app.login(LI_LEI).await;
    let alice = app.login(ALICE).await;
    let (ticket, _) = open_inquiry(&app, &customer, &alice).await;

    // The agent asks and waits: the ticket pauses, the customer hears of it in the app.
    let reply = ok(
        &app,
        &alice,
        REPLY,
        json!({ "i": { "ticketId": ticket, "body": "Which model year is it?", "waitForCustomer": true } }),
    )
    .await;
    assert_eq!(reply["sendReply"]["kind"], "CUSTOMER_REPLY");
    let seen = ok(&app, &customer, TICKET, json!({ "id": ticket })).await;
    assert_eq!(seen["ticket"]["status"], "PENDING_CUSTOMER");
    let customer_inbox = inbox(&app, &customer).await;
    assert!(
        kinds(&customer_inbox).contains(&"WAITING_ON_CUSTOMER".to_owned()),
        "{customer_inbox}"
    );
    let waiting = customer_inbox["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "WAITING_ON_CUSTOMER")
        .unwrap();
    assert!(
        waiting["body"]
            .as_str()
            .unwrap()
            .contains("Which model year is it?"),
        "{waiting}"
    );
    assert_eq!(waiting["ticket"]["id"], ticket);

    // The customer answers: OPEN again, and Alice (the assignee) is told.
    let posted = ok(
        &app,
        &customer,
        POST,
        json!({ "t": ticket, "b": "It is the 2025 model." }),
    )
    .await;
    assert_eq!(posted["postCustomerMessage"]["kind"], "CUSTOMER_MESSAGE");
    assert_eq!(posted["postCustomerMessage"]["internal"], false);
    let seen = ok(&app, &customer, TICKET, json!({ "id": ticket })).await;
    assert_eq!(seen["ticket"]["status"], "OPEN");
    let alice_inbox = inbox(&app, &alice).await;
    let message = alice_inbox["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "CUSTOMER_MESSAGE")
        .unwrap_or_else(|| panic!("{alice_inbox}"));
    assert_eq!(message["body"], "It is the 2025 model.");
    assert!(message["readAt"].is_null());

    // The conversation is what the customer sees: intake, the reply, their message; no notes.
    ok(
        &app,
        &alice,
        "mutation($id: ID!) { addTicketNote(id: $id, body: \"internal only\") { id } }",
        json!({ "id": ticket }),
    )
    .await;
    let conversation = &seen["ticket"]["conversation"];
    let kinds: Vec<&str> = conversation["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["CREATED", "CUSTOMER_REPLY", "CUSTOMER_MESSAGE"]);
    let after_note = ok(&app, &customer, TICKET, json!({ "id": ticket })).await;
    assert_eq!(after_note["ticket"]["conversation"]["totalCount"], 3);

    // Reading marks entries read, the caller's own only.
    let unread = inbox(&app, &alice).await["unreadCount"].as_i64().unwrap();
    assert!(unread >= 1);
    let id = message["id"].clone();
    let marked = ok(
        &app,
        &customer,
        "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }",
        json!({ "ids": [id] }),
    )
    .await;
    assert_eq!(
        marked["markNotificationsRead"], 0,
        "not the customer's entry"
    );
    let marked = ok(
        &app,
        &alice,
        "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }",
        json!({ "ids": [id] }),
    )
    .await;
    assert_eq!(marked["markNotificationsRead"], 1);
    assert_eq!(
        inbox(&app, &alice).await["unreadCount"].as_i64().unwrap(),
        unread - 1
    );
}

#[tokio::test]
async fn customer_messages_are_refused_clearly() {
    let app = TestApp::spawn().await;
    let customer = app.login(LI_LEI).await;
    let other = app.login(HAN_MEIMEI).await;
    let alice = app.login(ALICE).await;
    let (ticket, _) = open_inquiry(&app, &customer, &alice).await;

    let someone_elses = app
        .gql(Some(&other), POST, json!({ "t": ticket, "b": "hello" }))
        .await;
    assert_eq!(error_code(&someone_elses), Some("NOT_FOUND"));
    let empty = app
        .gql(Some(&customer), POST, json!({ "t": ticket, "b": "  " }))
        .await;
    assert_eq!(error_code(&empty), Some("BAD_USER_INPUT"));
    assert_eq!(empty["errors"][0]["extensions"]["field"], "body");
    let long = app
        .gql(
            Some(&customer),
            POST,
            json!({ "t": ticket, "b": "字".repeat(5_001) }),
        )
        .await;
    assert_eq!(error_code(&long), Some("BAD_USER_INPUT"));
    let staff = app
        .gql(Some(&alice), POST, json!({ "t": ticket, "b": "hello" }))
        .await;
    assert_eq!(error_code(&staff), Some("FORBIDDEN"));

    // 30 an hour per ticket, then RATE_LIMITED; nothing of the refused one is written.
    for i in 0..30 {
        ok(
            &app,
            &customer,
            POST,
            json!({ "t": ticket, "b": format!("message {i}") }),
        )
        .await;
    }
    let throttled = app
        .gql(
            Some(&customer),
            POST,
            json!({ "t": ticket, "b": "one more" }),
        )
        .await;
    assert_eq!(error_code(&throttled), Some("RATE_LIMITED"));
    let seen = ok(&app, &customer, TICKET, json!({ "id": ticket })).await;
    assert_eq!(seen["ticket"]["conversation"]["totalCount"], 31);
    // An hour later the customer may write again.
    set_clock(&app, chrono::Utc::now() + Duration::minutes(61));
    ok(&app, &customer, POST, json!({ "t": ticket, "b": "later" })).await;

    // A closed ticket takes no more messages.
    ok(
        &app,
        &alice,
        "mutation($id: ID!) { resolveTicket(id: $id, solution: \"AP-F3\") { id } }",
        json!({ "id": ticket }),
    )
    .await;
    ok(
        &app,
        &alice,
        "mutation($id: ID!) { closeTicket(id: $id) { id } }",
        json!({ "id": ticket }),
    )
    .await;
    let closed = app
        .gql(Some(&customer), POST, json!({ "t": ticket, "b": "thanks" }))
        .await;
    assert_eq!(error_code(&closed), Some("CONFLICT"));
}

/// A local SMS gateway: records what it receives when the signature checks out, and answers
/// with the status the test sets.
struct Gateway {
    url: String,
    received: Arc<Mutex<Vec<Value>>>,
    status: Arc<AtomicU16>,
    forged: Arc<Mutex<usize>>,
}

const SMS_SECRET: &str = "sms-webhook-secret-for-tests";

fn signature_ok(req: &HttpRequest, body: &[u8]) -> bool {
    let Some(given) = req
        .headers()
        .get("X-Careline-Signature")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("sha256="))
        .and_then(|v| hex::decode(v).ok())
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SMS_SECRET.as_bytes()).unwrap();
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

impl Gateway {
    /// Settings that send SMS to this gateway.
    fn settings(&self) -> impl Fn(&mut careline_api::config::Settings) + Clone + 'static {
        let url = self.url.clone();
        move |s| {
            s.channels.sms_webhook_url = Some(url.clone());
            s.channels.sms_webhook_secret = Some(SMS_SECRET.to_owned());
        }
    }
}

/// Staff add a phone number to the customer's record.
async fn give_phone(app: &TestApp, staff: &str, customer_id: &str) {
    ok(
        app,
        staff,
        "mutation($id: ID!) { updateCustomer(id: $id, input: { phone: \"13912345678\" }) { id } }",
        json!({ "id": customer_id }),
    )
    .await;
}

async fn gateway() -> Gateway {
    let received = Arc::new(Mutex::new(Vec::new()));
    let status = Arc::new(AtomicU16::new(200));
    let forged = Arc::new(Mutex::new(0));
    let port = free_port();
    let (r, s, f) = (received.clone(), status.clone(), forged.clone());
    let server = HttpServer::new(move || {
        let (r, s, f) = (r.clone(), s.clone(), f.clone());
        HttpApp::new().route(
            "/sms",
            web::post().to(move |req: HttpRequest, body: web::Bytes| {
                let (r, s, f) = (r.clone(), s.clone(), f.clone());
                async move {
                    if !signature_ok(&req, &body) {
                        *f.lock().unwrap() += 1;
                        return HttpResponse::Unauthorized().finish();
                    }
                    let code = s.load(Ordering::SeqCst);
                    if code == 200 {
                        let message: Value = serde_json::from_slice(&body).unwrap();
                        r.lock().unwrap().push(message);
                        HttpResponse::Ok().json(json!({ "id": "gw-1" }))
                    } else {
                        HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap())
                            .finish()
                    }
                }
            }),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", port))
    .unwrap()
    .run();
    tokio::spawn(server);
    Gateway {
        url: format!("http://127.0.0.1:{port}/sms"),
        received,
        status,
        forged,
    }
}

#[tokio::test]
async fn replies_reach_the_customer_by_signed_sms_retried_then_failed_for_leads_to_retry() {
    let gw = gateway().await;
    let app = TestApp::spawn_with(gw.settings()).await;
    let customer = app.login(LI_LEI).await;
    let alice = app.login(ALICE).await;
    let sam = app.login(SAM).await;
    let (ticket, customer_id) = open_inquiry(&app, &customer, &alice).await;

    // The customer prefers SMS; their record has no phone yet, so staff add it.
    let prefs = ok(
        &app,
        &customer,
        SET_PREFS,
        json!({ "c": customer_id, "i": { "channels": ["APP", "SMS"], "language": "en" } }),
    )
    .await;
    assert_eq!(
        prefs["setContactPreferences"]["contactPreferences"]["channels"],
        json!(["APP", "SMS"])
    );
    give_phone(&app, &alice, &customer_id).await;

    let reply = ok(
        &app,
        &alice,
        REPLY,
        json!({ "i": { "ticketId": ticket, "body": "The AP-F3 cartridge fits." } }),
    )
    .await;
    // Queued in the request, sent by the worker (never inline).
    let queued = &reply["sendReply"]["deliveries"][0];
    assert_eq!(queued["channel"], "SMS");
    assert_eq!(queued["status"], "PENDING");
    assert!(gw.received.lock().unwrap().is_empty());
    tick(&app).await;
    let got = gw.received.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["to"], "13912345678");
    assert!(
        got[0]["text"]
            .as_str()
            .unwrap()
            .contains("The AP-F3 cartridge fits."),
        "{got:?}"
    );
    assert_eq!(*gw.forged.lock().unwrap(), 0);
    let sent = deliveries(&app, &sam, &ticket).await;
    let sms: Vec<&Value> = sent.iter().filter(|d| d["channel"] == "SMS").collect();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0]["status"], "SENT");
    assert_eq!(sms[0]["attempts"], 1);
    assert_eq!(sms[0]["address"], "13912345678", "leads see it in full");
    // Staff with no part in the ticket see it masked.
    let aaron = app.login(careline_tests::kit::AARON).await;
    let masked = deliveries(&app, &aaron, &ticket).await;
    let masked: Vec<&Value> = masked.iter().filter(|d| d["channel"] == "SMS").collect();
    assert_eq!(masked[0]["address"], "139****5678");
    // Another pass sends nothing twice.
    tick(&app).await;
    assert_eq!(gw.received.lock().unwrap().len(), 1);
    // Customers see no deliveries.
    let own = ok(&app, &customer, TICKET, json!({ "id": ticket })).await;
    assert!(
        own["ticket"]["conversation"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["deliveries"] == json!([]))
    );

    // The gateway fails: retried on the schedule, then FAILED, and leads are told.
    gw.status.store(503, Ordering::SeqCst);
    ok(
        &app,
        &alice,
        REPLY,
        json!({ "i": { "ticketId": ticket, "body": "Anything else?" } }),
    )
    .await;
    let mut now = app.state.app.now();
    for _ in 0..5 {
        tick(&app).await;
        now += Duration::minutes(90);
        set_clock(&app, now);
    }
    let failed = ok(
        &app,
        &sam,
        "{ failedDeliveries(first: 10) { totalCount nodes { id channel status attempts detail } } }",
        json!({}),
    )
    .await;
    let failed = &failed["failedDeliveries"];
    assert_eq!(failed["totalCount"], 1, "{failed}");
    assert_eq!(failed["nodes"][0]["attempts"], 5);
    assert!(
        failed["nodes"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("503"),
        "{failed}"
    );
    assert!(kinds(&inbox(&app, &sam).await).contains(&"DELIVERY_FAILED".to_owned()));
    let agents_may_not = app
        .gql(
            Some(&alice),
            "{ failedDeliveries { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&agents_may_not), Some("FORBIDDEN"));

    // A lead retries it once the gateway is back: sent.
    gw.status.store(200, Ordering::SeqCst);
    let id = failed["nodes"][0]["id"].clone();
    let retried = ok(
        &app,
        &sam,
        "mutation($id: ID!) { retryDelivery(id: $id) { status attempts } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(retried["retryDelivery"]["status"], "PENDING");
    tick(&app).await;
    assert_eq!(gw.received.lock().unwrap().len(), 2);
    let again = app
        .gql(
            Some(&sam),
            "mutation($id: ID!) { retryDelivery(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&again), Some("NOT_FOUND"), "only failed ones");
}

#[tokio::test]
async fn quiet_hours_hold_sms_until_they_end_and_unconfigured_email_is_suppressed() {
    let gw = gateway().await;
    let app = TestApp::spawn_with(gw.settings()).await;
    let customer = app.login(LI_LEI).await;
    let alice = app.login(ALICE).await;
    let sam = app.login(SAM).await;
    let (ticket, customer_id) = open_inquiry(&app, &customer, &alice).await;

    // Email first (the default when an address is known), but no SMTP here: suppressed with
    // the reason, never an error.
    let reply = ok(
        &app,
        &alice,
        REPLY,
        json!({ "i": { "ticketId": ticket, "body": "Noted." } }),
    )
    .await;
    tick(&app).await;
    let email: Vec<Value> = deliveries(&app, &sam, &ticket)
        .await
        .into_iter()
        .filter(|d| d["channel"] == "EMAIL")
        .collect();
    // The intake notice (TICKET_RECEIVED) and the reply.
    assert_eq!(email.len(), 2, "{reply}");
    for d in &email {
        assert_eq!(d["status"], "SUPPRESSED");
        assert_eq!(d["detail"], "email is not configured (SMTP_URL)");
    }

    // Quiet hours around now (Shanghai time): the SMS waits until they end.
    give_phone(&app, &alice, &customer_id).await;
    let now = app.state.app.now();
    let local = now.with_timezone(&chrono_tz::Asia::Shanghai);
    let start = (local - Duration::hours(1)).format("%H:%M").to_string();
    let end = (local + Duration::hours(2)).format("%H:%M").to_string();
    ok(
        &app,
        &customer,
        SET_PREFS,
        json!({ "c": customer_id, "i": { "channels": ["SMS", "APP"], "quietHours": format!("{start}-{end}") } }),
    )
    .await;
    ok(
        &app,
        &alice,
        REPLY,
        json!({ "i": { "ticketId": ticket, "body": "Shipped today." } }),
    )
    .await;
    tick(&app).await;
    assert!(
        gw.received.lock().unwrap().is_empty(),
        "held in quiet hours"
    );
    let held: Vec<Value> = deliveries(&app, &sam, &ticket)
        .await
        .into_iter()
        .filter(|d| d["channel"] == "SMS")
        .collect();
    assert_eq!(held[0]["status"], "PENDING");
    set_clock(&app, now + Duration::hours(2) + Duration::minutes(1));
    tick(&app).await;
    assert_eq!(gw.received.lock().unwrap().len(), 1);

    // Clearing quiet hours with "" and bad values.
    let cleared = ok(
        &app,
        &customer,
        SET_PREFS,
        json!({ "c": customer_id, "i": { "quietHours": "" } }),
    )
    .await;
    assert!(cleared["setContactPreferences"]["contactPreferences"]["quietHours"].is_null());
    let bad = app
        .gql(
            Some(&customer),
            SET_PREFS,
            json!({ "c": customer_id, "i": { "quietHours": "late" } }),
        )
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"));
    assert_eq!(bad["errors"][0]["extensions"]["field"], "input.quietHours");
    // Another customer's record is not theirs to set.
    let other = app.login(HAN_MEIMEI).await;
    let theirs = app
        .gql(
            Some(&other),
            SET_PREFS,
            json!({ "c": customer_id, "i": { "optedOut": true } }),
        )
        .await;
    assert_eq!(error_code(&theirs), Some("NOT_FOUND"));
}

#[tokio::test]
async fn a_broken_promise_escalates_once_and_the_customer_was_told_of_it() {
    let app = TestApp::spawn().await;
    let customer = app.login(LI_LEI).await;
    let alice = app.login(ALICE).await;
    let sam = app.login(SAM).await;
    let (ticket, _) = open_inquiry(&app, &customer, &alice).await;
    let at = app.state.app.now() + Duration::hours(3);
    let promised = ok(
        &app,
        &alice,
        "mutation($t: ID!, $at: DateTime!) { promiseAnswer(ticketId: $t, at: $at, message: \"We are asking the warehouse.\") { promisedAnswerAt } }",
        json!({ "t": ticket, "at": at.to_rfc3339() }),
    )
    .await;
    assert_eq!(time(&promised["promiseAnswer"]["promisedAnswerAt"]), at);
    let told = inbox(&app, &customer).await;
    let entry = told["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "ANSWER_PROMISED")
        .unwrap_or_else(|| panic!("{told}"));
    assert!(
        entry["body"]
            .as_str()
            .unwrap()
            .contains("We are asking the warehouse."),
        "{entry}"
    );
    let past = app
        .gql(
            Some(&alice),
            "mutation($t: ID!, $at: DateTime!) { promiseAnswer(ticketId: $t, at: $at) { id } }",
            json!({ "t": ticket, "at": app.state.app.now().to_rfc3339() }),
        )
        .await;
    assert_eq!(error_code(&past), Some("BAD_USER_INPUT"));

    tick(&app).await;
    assert_eq!(
        promise_escalations(&app, &sam, &ticket).await,
        0,
        "not yet due"
    );
    set_clock(&app, at + Duration::minutes(1));
    tick(&app).await;
    tick(&app).await;
    assert_eq!(promise_escalations(&app, &sam, &ticket).await, 1, "once");
}

async fn promise_escalations(app: &TestApp, token: &str, ticket: &str) -> usize {
    careline_tests::kit::escalations_of(app, token, ticket)
        .await
        .into_iter()
        .filter(|e| e["reason"].as_str().unwrap_or("").contains("promised"))
        .count()
}

#[tokio::test]
async fn managers_edit_templates_with_known_placeholders_and_the_edit_is_what_customers_get() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let alice = app.login(ALICE).await;
    let customer = app.login(LI_LEI).await;
    let all = ok(
        &app,
        &alice,
        "{ notificationTemplates { id event channel language subject body version } }",
        json!({}),
    )
    .await;
    let all = all["notificationTemplates"].as_array().unwrap().clone();
    assert_eq!(all.len(), 7 * 3 * 2, "every event, channel and language");
    assert!(all.iter().all(|t| t["version"] == 1));
    assert!(
        all.iter()
            .filter(|t| t["channel"] != "EMAIL")
            .all(|t| t["subject"].is_null())
    );

    const UPSERT: &str = "mutation($i: NotificationTemplateInput!) { upsertNotificationTemplate(input: $i) { id version body } }";
    let unknown = app
        .gql(
            Some(&manager),
            UPSERT,
            json!({ "i": { "event": "AGENT_REPLY", "channel": "APP", "language": "zh-CN",
                "body": "{{customer.nickname}} 您好" } }),
        )
        .await;
    assert_eq!(error_code(&unknown), Some("BAD_USER_INPUT"));
    assert_eq!(unknown["errors"][0]["extensions"]["field"], "input.body");
    let agents_may_not = app
        .gql(
            Some(&alice),
            UPSERT,
            json!({ "i": { "event": "AGENT_REPLY", "channel": "APP", "language": "zh-CN", "body": "x" } }),
        )
        .await;
    assert_eq!(error_code(&agents_may_not), Some("FORBIDDEN"));
    let edited = ok(
        &app,
        &manager,
        UPSERT,
        json!({ "i": { "event": "AGENT_REPLY", "channel": "APP", "language": "zh-CN",
            "body": "{{customer.name}}，客服{{agent.name}}说：{{message}}" } }),
    )
    .await;
    assert_eq!(edited["upsertNotificationTemplate"]["version"], 2);
    assert_eq!(
        edited["upsertNotificationTemplate"]["id"],
        "AGENT_REPLY/APP/zh-CN"
    );

    let (ticket, _) = open_inquiry(&app, &customer, &alice).await;
    ok(
        &app,
        &alice,
        REPLY,
        json!({ "i": { "ticketId": ticket, "body": "AP-F3" } }),
    )
    .await;
    let entry = inbox(&app, &customer).await["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "AGENT_REPLY")
        .cloned()
        .unwrap();
    assert_eq!(entry["body"], "Li Lei，客服Alice Agent说：AP-F3");
}

#[tokio::test]
async fn the_inbox_streams_to_its_owner_only() {
    let app = TestApp::spawn().await;
    let customer = app.login(LI_LEI).await;
    let other = app.login(HAN_MEIMEI).await;
    let alice = app.login(ALICE).await;
    let (ticket, _) = open_inquiry(&app, &customer, &alice).await;
    const STREAM: &str = "subscription { myNotifications { id kind title body ticket { id } } }";
    let mut mine = socket(&app, &customer).await;
    subscribe(&mut mine, "n", STREAM, json!({})).await;
    let mut theirs = socket(&app, &other).await;
    subscribe(&mut theirs, "n", STREAM, json!({})).await;
    ok(
        &app,
        &alice,
        REPLY,
        json!({ "i": { "ticketId": ticket, "body": "On its way." } }),
    )
    .await;
    let pushed = next(&mut mine, 5).await.expect("an inbox entry");
    let entry = &pushed["payload"]["data"]["myNotifications"];
    assert_eq!(entry["kind"], "AGENT_REPLY", "{pushed}");
    assert_eq!(entry["ticket"]["id"], ticket);
    assert!(next(&mut theirs, 1).await.is_none());
    // Polling agrees with the stream.
    assert!(
        wait_until(std::time::Duration::from_secs(5), async || {
            kinds(&inbox(&app, &customer).await).contains(&"AGENT_REPLY".to_owned())
        })
        .await
    );
}

#[tokio::test]
#[ignore = "needs aiosmtpd from tests/clients/.venv; .ci/run installs it and runs the ignored tests"]
async fn an_agents_reply_reaches_the_customer_by_email_through_a_real_smtp_server() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = TestApp::spawn_with(move |s| {
        s.channels.smtp_url = Some(url);
        s.channels.smtp_from = "Careline 客服 <service@careline.test>".to_owned();
        s.delivery_worker = true;
    })
    .await;
    let customer = app.login(LI_LEI).await;
    let alice = app.login(ALICE).await;
    let sam = app.login(SAM).await;
    let (ticket, customer_id) = open_inquiry(&app, &customer, &alice).await;
    ok(
        &app,
        &customer,
        SET_PREFS,
        json!({ "c": customer_id, "i": { "language": "en" } }),
    )
    .await;
    ok(
        &app,
        &alice,
        REPLY,
        json!({ "i": { "ticketId": ticket, "body": "The AP-F3 cartridge fits <your> model." } }),
    )
    .await;
    // The worker sends on its own, out of the request: the intake notice and the reply.
    let sent = wait_until(std::time::Duration::from_secs(15), async || {
        deliveries(&app, &sam, &ticket)
            .await
            .iter()
            .filter(|d| d["channel"] == "EMAIL" && d["status"] == "SENT")
            .count()
            == 2
    })
    .await;
    let ours = deliveries(&app, &sam, &ticket).await;
    assert!(sent, "{ours:?}");
    assert!(ours.iter().all(|d| d["attempts"] == 1), "{ours:?}");
    // Each one reached the server once, under the Message-ID stored with it.
    let messages = sink.messages();
    let by_id = |id: &str| -> Vec<String> {
        let header = format!("<{id}@careline.test>");
        messages
            .iter()
            // Its own Message-ID header (later mails of the thread name it in References).
            .filter(|m| {
                m.lines().any(|l| {
                    l.to_ascii_lowercase().starts_with("message-id:") && l.contains(&header)
                })
            })
            // Unfold quoted-printable soft line breaks.
            .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
            .collect()
    };
    for d in ours.iter().filter(|d| d["channel"] == "EMAIL") {
        assert_eq!(by_id(d["id"].as_str().unwrap()).len(), 1, "{d}");
    }
    let reply = ours
        .iter()
        .filter(|d| d["channel"] == "EMAIL")
        .map(|d| by_id(d["id"].as_str().unwrap()).remove(0))
        .find(|m| m.contains("AP-F3"))
        .expect("the reply's email");
    assert!(reply.contains("To: li.lei@example.com"), "{reply}");
    assert!(reply.contains("Subject: New reply on T-"), "{reply}");
    assert!(reply.contains("multipart/alternative"), "{reply}");
    assert!(reply.contains("text/html"), "{reply}");
    assert!(
        reply.contains("Alice Agent wrote: The AP-F3 cartridge fits <your> model."),
        "{reply}"
    );
    assert!(
        reply.contains("&lt;your&gt;"),
        "the HTML part escapes the text: {reply}"
    );
}

#[tokio::test]
async fn two_instances_send_each_delivery_once() {
    let gw = gateway().await;
    let a = TestApp::spawn_with(gw.settings()).await;
    let b = a.spawn_sharing(gw.settings()).await;
    let customer = a.login(LI_LEI).await;
    let alice = a.login(ALICE).await;
    let (ticket, customer_id) = open_inquiry(&a, &customer, &alice).await;
    ok(
        &a,
        &customer,
        SET_PREFS,
        json!({ "c": customer_id, "i": { "channels": ["SMS"] } }),
    )
    .await;
    give_phone(&a, &alice, &customer_id).await;
    for i in 0..20 {
        ok(
            &a,
            &alice,
            REPLY,
            json!({ "i": { "ticketId": ticket, "body": format!("update {i}") } }),
        )
        .await;
    }
    tokio::join!(tick(&a), tick(&b));
    tokio::join!(tick(&a), tick(&b));
    let got = gw.received.lock().unwrap().clone();
    let mut references: Vec<&str> = got
        .iter()
        .map(|m| m["reference"].as_str().unwrap())
        .collect();
    references.sort_unstable();
    references.dedup();
    assert_eq!(got.len(), 20, "every reply once: {got:?}");
    assert_eq!(references.len(), 20);
}
