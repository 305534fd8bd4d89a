//! Grouped subscription delivery: subscribers of the same document, variables and permission
//! view share one execution, each still receiving exactly its own view under its own message
//! id; a client that stops reading is closed without holding anyone up, and what it received
//! is a gapless prefix of the events.

use careline_domain::event::{Envelope, Event, QueueEventKind, TicketSnapshot};
use careline_domain::ticket::{Priority, TicketKind, TicketStatus};
use careline_tests::kit::{
    ALICE, BELLA, LI_LEI, MANAGER, SAM, create_ticket, create_ticket_with, inquiry, wait_until,
};
use careline_tests::ws::{self, Ws, next, socket, subscribe};
use careline_tests::{TestApp, data};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const QUEUE: &str = "subscription { queueUpdates { kind ticket { number subject teamId } } }";
const TICKET: &str =
    "subscription($id: ID!) { ticketUpdated(id: $id) { event { kind internal message } } }";
const CREATE: &str = "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id number } }";

/// The next `next` message (id and payload), or `None` within `secs`.
async fn next_result(ws: &mut Ws, secs: u64) -> Option<Value> {
    let message = next(ws, secs).await?;
    assert_eq!(message["type"], "next", "{message}");
    Some(message)
}

#[tokio::test]
async fn subscribers_of_one_view_share_an_execution_and_each_sees_only_its_view() {
    let app = TestApp::spawn().await;
    let supervisor = app.login(SAM).await;
    let manager = app.login(MANAGER).await;
    let a1 = app.login(ALICE).await;
    let b1 = app.login(BELLA).await;

    let mut first = socket(&app, &supervisor).await;
    subscribe(&mut first, "one", QUEUE, json!({})).await;
    let mut second = socket(&app, &supervisor).await;
    subscribe(&mut second, "two", QUEUE, json!({})).await;
    let mut agent = socket(&app, &a1).await;
    subscribe(&mut agent, "mine", QUEUE, json!({})).await;
    let mut boss = socket(&app, &manager).await;
    subscribe(&mut boss, "all", QUEUE, json!({})).await;
    assert_eq!(
        app.state.fanout.groups(),
        3,
        "the supervisor's two screens share; the agent (own team) and the manager (other roles) do not"
    );

    let team_b = create_ticket_with(&app, &b1, CREATE, inquiry("Team B question")).await;
    let team_a = create_ticket_with(&app, &a1, CREATE, inquiry("Team A question")).await;

    for (ws, id) in [
        (&mut first, "one"),
        (&mut second, "two"),
        (&mut boss, "all"),
    ] {
        for expected in [&team_b, &team_a] {
            let message = next_result(ws, 5).await.expect("an event");
            assert_eq!(message["id"], id, "each subscriber's own id");
            assert_eq!(
                message["payload"]["data"]["queueUpdates"]["ticket"]["number"],
                expected["number"]
            );
        }
    }
    let message = next_result(&mut agent, 5).await.expect("own team's ticket");
    assert_eq!(message["id"], "mine");
    assert_eq!(
        message["payload"]["data"]["queueUpdates"]["ticket"]["number"], team_a["number"],
        "an agent's view holds only its own team"
    );
    assert!(
        next(&mut agent, 1).await.is_none(),
        "team B's ticket never reached the agent"
    );

    // Leaving a group ends its execution once nobody is left.
    first
        .send(Message::text(
            json!({ "type": "complete", "id": "one" }).to_string(),
        ))
        .await
        .unwrap();
    second.close(None).await.unwrap();
    wait_until(Duration::from_secs(5), async || {
        app.state.fanout.groups() == 2
    })
    .await;
    assert_eq!(app.state.fanout.groups(), 2);
}

#[tokio::test]
async fn a_customer_and_an_agent_on_the_same_document_get_their_own_payloads() {
    let app = TestApp::spawn().await;
    let customer = app.login(LI_LEI).await;
    let agent = app.login(ALICE).await;
    let id = create_ticket(
        &app,
        &customer,
        json!({ "i": { "kind": "INQUIRY", "channel": "MOBILE_APP", "subject": "Warranty length", "description": "How long?" } }),
    )
    .await;

    // The customer follows the ticket on two devices; the agent on one.
    let mut phone = socket(&app, &customer).await;
    subscribe(&mut phone, "t", TICKET, json!({ "id": id })).await;
    let mut tablet = socket(&app, &customer).await;
    subscribe(&mut tablet, "t", TICKET, json!({ "id": id })).await;
    let mut desk = socket(&app, &agent).await;
    subscribe(&mut desk, "t", TICKET, json!({ "id": id })).await;
    assert_eq!(app.state.fanout.groups(), 2, "one group per account");

    for mutation in [
        "mutation($id: ID!) { addTicketNote(id: $id, body: \"VIP, be quick\") { id } }",
        "mutation($id: ID!) { replyToCustomer(id: $id, body: \"Two years\") { id } }",
    ] {
        data(&app.gql(Some(&agent), mutation, json!({ "id": id })).await);
    }

    let note = next_result(&mut desk, 5).await.expect("the note");
    assert_eq!(
        note["payload"]["data"]["ticketUpdated"]["event"]["internal"],
        true
    );
    let reply = next_result(&mut desk, 5).await.expect("the reply");
    assert_eq!(
        reply["payload"]["data"]["ticketUpdated"]["event"]["message"],
        "Two years"
    );
    for device in [&mut phone, &mut tablet] {
        let seen = next_result(device, 5).await.expect("the reply");
        assert_eq!(
            seen["payload"]["data"]["ticketUpdated"]["event"]["message"], "Two years",
            "the internal note never reaches the customer"
        );
        assert!(next(device, 1).await.is_none());
    }
}

fn snapshot(n: usize) -> TicketSnapshot {
    TicketSnapshot {
        id: uuid::Uuid::now_v7(),
        number: format!("LOAD-{n:05}"),
        kind: TicketKind::Inquiry,
        priority: Priority::Normal,
        severity: None,
        status: TicketStatus::New,
        // Large events fill the socket buffers quickly.
        subject: format!("{n:05} {}", "x".repeat(4000)),
        assignee_id: None,
        owner_id: None,
        team_id: None,
        department_id: None,
        customer_user_id: None,
        escalation_level: 0,
        first_response_due_at: None,
        resolution_due_at: None,
        version: 1,
    }
}

/// A socket whose client reads nothing once subscribed, with a small receive buffer.
async fn stuck_socket(app: &TestApp, token: &str) -> Ws {
    let tcp = tokio::net::TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(4096).unwrap();
    let stream = tcp
        .connect(format!("127.0.0.1:{}", app.port).parse().unwrap())
        .await
        .unwrap();
    let (mut ws, _) = tokio_tungstenite::client_async(
        ws::request(app, "graphql-transport-ws"),
        tokio_tungstenite::MaybeTlsStream::Plain(stream),
    )
    .await
    .unwrap();
    ws::init(&mut ws, json!({ "token": token })).await;
    subscribe(&mut ws, "q", QUEUE, json!({})).await;
    ws
}

#[tokio::test]
async fn a_client_that_stops_reading_is_closed_with_a_gapless_prefix_and_holds_no_one_up() {
    const EVENTS: usize = 3000;
    let app = TestApp::spawn_with(|s| s.ws_send_timeout = Duration::from_secs(1)).await;
    let supervisor = app.login(SAM).await;
    let mut stuck = stuck_socket(&app, &supervisor).await;
    let mut healthy = socket(&app, &supervisor).await;
    subscribe(&mut healthy, "q", QUEUE, json!({})).await;
    assert_eq!(app.state.metrics.ws_connections.get(), 2);

    let reader = tokio::spawn(async move {
        let mut numbers = Vec::new();
        while numbers.len() < EVENTS {
            let Some(message) = next(&mut healthy, 20).await else {
                break;
            };
            assert_eq!(message["type"], "next", "{message}");
            numbers.push(
                message["payload"]["data"]["queueUpdates"]["ticket"]["number"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        numbers
    });
    for batch in (0..EVENTS).collect::<Vec<_>>().chunks(100) {
        let envelopes: Vec<Envelope> = batch
            .iter()
            .map(|&n| {
                Envelope::new(Event::Queue {
                    kind: QueueEventKind::Created,
                    ticket: snapshot(n),
                    at: chrono::Utc::now(),
                })
            })
            .collect();
        app.state.bus.publish(&envelopes).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let numbers = reader.await.unwrap();
    let expected: Vec<String> = (0..EVENTS).map(|n| format!("LOAD-{n:05}")).collect();
    assert_eq!(
        numbers, expected,
        "the reading subscriber got every event, in order"
    );

    // The server gave up on the stuck client instead of buffering for it.
    wait_until(Duration::from_secs(10), async || {
        app.state.metrics.ws_connections.get() <= 1
    })
    .await;
    assert_eq!(
        app.state.metrics.ws_connections.get(),
        1,
        "the stuck connection was closed"
    );

    // What the stuck client finally reads: events 0..k in order, then a LAGGED error or the
    // end of the connection — never a gap followed by more events.
    let mut received = 0;
    let ending = loop {
        let message = match tokio::time::timeout(Duration::from_secs(5), stuck.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => serde_json::from_str::<Value>(&text).unwrap(),
            Ok(Some(Ok(Message::Close(frame)))) => {
                break format!("close {:?}", frame.map(|f| u16::from(f.code)));
            }
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(err))) => break format!("connection ended: {err}"),
            Ok(None) => break "connection ended".to_owned(),
            Err(_) => panic!("the stuck connection was neither ended nor told"),
        };
        match message["type"].as_str() {
            Some("next") => {
                let number = &message["payload"]["data"]["queueUpdates"]["ticket"]["number"];
                assert_eq!(number, &json!(format!("LOAD-{received:05}")), "no gap");
                received += 1;
            }
            Some("error") => {
                assert_eq!(
                    message["payload"][0]["extensions"]["code"], "LAGGED",
                    "{message}"
                );
                break "LAGGED".to_owned();
            }
            _ => panic!("unexpected {message}"),
        }
    };
    assert!(
        received < EVENTS,
        "the stuck client cannot have received everything"
    );
    eprintln!("stuck client: {received} events in order, then {ending}");
}
