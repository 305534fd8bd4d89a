//! Real time: every ticket change becomes an event that reaches every entitled subscriber, on
//! every instance, through the outbox and the bus — even across a Redis outage.

use careline_tests::kit::{
    ALICE, BELLA, HAN_MEIMEI, LI_LEI, MANAGER, SAM, TRAINER, create_ticket_with, inquiry,
};
use careline_tests::redis::OwnRedis;
use careline_tests::ws::{collect, next, socket, subscribe};
use careline_tests::{TestApp, data};
use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const QUEUE: &str = "subscription($team: ID) { queueUpdates(teamId: $team) { kind at ticket { id number status priority teamId assigneeId escalationLevel } } }";
const ESCALATIONS: &str =
    "subscription { escalations { level kind reason ticket { number severity } } }";
const TICKET: &str = "subscription($id: ID!) { ticketUpdated(id: $id) { ticket { id status } event { kind internal message } } }";
const CREATE: &str = "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id number version team { id } } }";

#[tokio::test]
async fn a_supervisor_sees_new_tickets_in_the_live_queue() {
    let app = TestApp::spawn().await;
    let supervisor = app.login(SAM).await;
    let agent = app.login(ALICE).await;
    let mut ws = socket(&app, &supervisor).await;
    subscribe(&mut ws, "q", QUEUE, json!({})).await;
    let ticket = create_ticket_with(&app, &agent, CREATE, inquiry("Parcel missing")).await;
    let events = collect(&mut ws, 1, 5).await;
    assert_eq!(events.len(), 1, "one queue event for one new ticket");
    let event = &events[0]["data"]["queueUpdates"];
    assert_eq!(event["kind"], "CREATED");
    assert_eq!(event["ticket"]["number"], ticket["number"]);
    assert_eq!(event["ticket"]["status"], "NEW");
}

#[tokio::test]
async fn agents_watch_only_their_own_teams_queue() {
    let app = TestApp::spawn().await;
    let a1 = app.login(ALICE).await;
    let b1 = app.login(BELLA).await;
    let ticket_b = create_ticket_with(&app, &b1, CREATE, inquiry("Team B question")).await;
    let team_b = ticket_b["team"]["id"].clone();

    let mut refused = socket(&app, &a1).await;
    refused
        .send(Message::text(json!({ "id": "x", "type": "subscribe", "payload": { "query": QUEUE, "variables": { "team": team_b } } }).to_string()))
        .await
        .unwrap();
    let answer = next(&mut refused, 5).await.unwrap();
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{answer}"
    );

    let mut ws = socket(&app, &a1).await;
    subscribe(&mut ws, "q", QUEUE, json!({})).await;
    create_ticket_with(&app, &b1, CREATE, inquiry("Another team B question")).await;
    let own = create_ticket_with(&app, &a1, CREATE, inquiry("Team A question")).await;
    let events = collect(&mut ws, 1, 5).await;
    assert_eq!(
        events[0]["data"]["queueUpdates"]["ticket"]["number"],
        own["number"]
    );
    assert!(
        collect(&mut ws, 1, 1).await.is_empty(),
        "team B's ticket was filtered out"
    );
}

#[tokio::test]
async fn customers_and_trainers_cannot_watch_the_queue_or_escalations() {
    let app = TestApp::spawn().await;
    for email in [LI_LEI, TRAINER, ALICE] {
        let token = app.login(email).await;
        let mut ws = socket(&app, &token).await;
        ws.send(Message::text(
            json!({ "id": "e", "type": "subscribe", "payload": { "query": ESCALATIONS } })
                .to_string(),
        ))
        .await
        .unwrap();
        let answer = next(&mut ws, 5).await.unwrap();
        assert_eq!(
            answer["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{email}: {answer}"
        );
    }
}

#[tokio::test]
async fn a_major_complaint_escalates_to_the_working_group_at_intake() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let agent = app.login(ALICE).await;
    let mut ws = socket(&app, &manager).await;
    subscribe(&mut ws, "e", ESCALATIONS, json!({})).await;
    let ticket = create_ticket_with(
        &app,
        &agent,
        CREATE,
        json!({ "i": { "kind": "COMPLAINT", "channel": "SOCIAL_MEDIA", "subject": "Batch of heaters caught fire",
            "description": "Reported by a newspaper", "category": "PRODUCT_QUALITY", "severity": "MAJOR",
            "customer": { "name": "Zhao Lei", "email": "zhao@example.com" } } }),
    )
    .await;
    let events = collect(&mut ws, 1, 5).await;
    let escalation = &events[0]["data"]["escalations"];
    assert_eq!(escalation["level"], 3);
    assert_eq!(escalation["kind"], "MAJOR_COMPLAINT");
    assert_eq!(escalation["ticket"]["number"], ticket["number"]);
    assert_eq!(escalation["ticket"]["severity"], "MAJOR");
}

#[tokio::test]
async fn customers_follow_their_ticket_without_internal_events() {
    let app = TestApp::spawn().await;
    let customer = app.login(LI_LEI).await;
    let agent = app.login(ALICE).await;
    let ticket = create_ticket_with(
        &app,
        &customer,
        CREATE,
        json!({ "i": { "kind": "INQUIRY", "channel": "MOBILE_APP", "subject": "Warranty length", "description": "How long?" } }),
    )
    .await;
    let id = ticket["id"].clone();

    let mut customer_ws = socket(&app, &customer).await;
    subscribe(&mut customer_ws, "t", TICKET, json!({ "id": id })).await;
    let mut agent_ws = socket(&app, &agent).await;
    subscribe(&mut agent_ws, "t", TICKET, json!({ "id": id })).await;

    let note = app
        .gql(
            Some(&agent),
            "mutation($id: ID!) { addTicketNote(id: $id, body: \"VIP, be quick\") { id } }",
            json!({ "id": id }),
        )
        .await;
    data(&note);
    let reply = app
        .gql(
            Some(&agent),
            "mutation($id: ID!) { replyToCustomer(id: $id, body: \"Two years\") { id } }",
            json!({ "id": id }),
        )
        .await;
    data(&reply);

    let seen_by_agent = collect(&mut agent_ws, 2, 5).await;
    assert_eq!(seen_by_agent.len(), 2);
    assert_eq!(
        seen_by_agent[0]["data"]["ticketUpdated"]["event"]["kind"],
        "NOTE_ADDED"
    );
    assert_eq!(
        seen_by_agent[0]["data"]["ticketUpdated"]["event"]["internal"],
        true
    );
    let seen_by_customer = collect(&mut customer_ws, 2, 2).await;
    assert_eq!(
        seen_by_customer.len(),
        1,
        "the internal note never reaches the customer: {seen_by_customer:?}"
    );
    assert_eq!(
        seen_by_customer[0]["data"]["ticketUpdated"]["event"]["message"],
        "Two years"
    );

    // Another customer cannot follow it; the ticket does not exist for them.
    let other = app.login(HAN_MEIMEI).await;
    let mut other_ws = socket(&app, &other).await;
    other_ws
        .send(Message::text(json!({ "id": "t", "type": "subscribe", "payload": { "query": TICKET, "variables": { "id": id } } }).to_string()))
        .await
        .unwrap();
    let answer = next(&mut other_ws, 5).await.unwrap();
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{answer}"
    );
}

#[tokio::test]
async fn a_duplicate_subscription_id_closes_with_4409() {
    let app = TestApp::spawn().await;
    let supervisor = app.login(SAM).await;
    let mut ws = socket(&app, &supervisor).await;
    subscribe(&mut ws, "same", QUEUE, json!({})).await;
    ws.send(Message::text(
        json!({ "id": "same", "type": "subscribe", "payload": { "query": QUEUE } }).to_string(),
    ))
    .await
    .unwrap();
    assert_eq!(next(&mut ws, 5).await.unwrap()["close"], 4409);
}

#[tokio::test]
async fn completing_a_subscription_stops_its_events() {
    let app = TestApp::spawn().await;
    let supervisor = app.login(SAM).await;
    let agent = app.login(ALICE).await;
    let mut ws = socket(&app, &supervisor).await;
    subscribe(&mut ws, "q", QUEUE, json!({})).await;
    ws.send(Message::text(
        json!({ "id": "q", "type": "complete" }).to_string(),
    ))
    .await
    .unwrap();
    ws.send(Message::text(json!({ "type": "ping" }).to_string()))
        .await
        .unwrap();
    assert_eq!(next(&mut ws, 5).await.unwrap()["type"], "pong");
    create_ticket_with(&app, &agent, CREATE, inquiry("After complete")).await;
    assert!(next(&mut ws, 1).await.is_none(), "no events after complete");
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis (TEST_DATABASE_URL, TEST_REDIS_URL); .ci/run runs it"]
async fn a_change_on_one_instance_reaches_a_subscriber_on_another() {
    let redis = std::env::var("TEST_REDIS_URL")
        .expect("this test needs TEST_REDIS_URL (and TEST_DATABASE_URL): see .ci/run");
    assert!(
        std::env::var("TEST_DATABASE_URL").is_ok(),
        "this test needs TEST_DATABASE_URL (and TEST_REDIS_URL): see .ci/run"
    );
    let a = TestApp::spawn().await;
    let b = a.spawn_sharing(|s| s.redis_url = Some(redis.clone())).await;
    let supervisor = b.login(SAM).await;
    let mut ws = socket(&b, &supervisor).await;
    subscribe(&mut ws, "q", QUEUE, json!({})).await;
    let agent = a.login(ALICE).await;
    let ticket = create_ticket_with(&a, &agent, CREATE, inquiry("Made on instance A")).await;
    let events = collect(&mut ws, 1, 10).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["data"]["queueUpdates"]["ticket"]["number"],
        ticket["number"]
    );
    assert!(
        collect(&mut ws, 1, 1).await.is_empty(),
        "delivered once, not once per instance"
    );
}

#[tokio::test]
async fn events_held_during_a_redis_outage_arrive_once_when_it_returns() {
    let mut redis = OwnRedis::start_anywhere();
    let url = redis.url();
    let app = TestApp::spawn_with(|s| s.redis_url = Some(url.clone())).await;
    let supervisor = app.login(SAM).await;
    let agent = app.login(ALICE).await;
    let mut ws = socket(&app, &supervisor).await;
    subscribe(&mut ws, "q", QUEUE, json!({})).await;
    create_ticket_with(&app, &agent, CREATE, inquiry("Before the outage")).await;
    assert_eq!(collect(&mut ws, 1, 5).await.len(), 1);

    redis.stop();
    let mut numbers = Vec::new();
    for i in 0..3 {
        let body = app
            .gql(
                Some(&agent),
                CREATE,
                inquiry(&format!("During the outage {i}")),
            )
            .await;
        numbers.push(data(&body)["createTicket"]["number"].clone());
    }
    assert!(
        next(&mut ws, 1).await.is_none(),
        "nothing can be delivered while Redis is down"
    );

    let _redis = OwnRedis::start(redis.port);
    let events = collect(&mut ws, 3, 15).await;
    let delivered: Vec<Value> = events
        .iter()
        .map(|e| e["data"]["queueUpdates"]["ticket"]["number"].clone())
        .collect();
    assert_eq!(delivered, numbers, "every held event, in order");
    assert!(collect(&mut ws, 1, 2).await.is_empty(), "and none twice");
}
