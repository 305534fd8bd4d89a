//! GraphQL over WebSocket on `/graphql`: the `graphql-transport-ws` protocol to the letter,
//! including every close code, and the legacy `graphql-ws` protocol.

use careline_tests::kit::{ADMIN, ALICE, BELLA, DEACTIVATE, SAM, claims, mint};
use careline_tests::ws::{self, Ws};
use careline_tests::{TEST_SECRET, TestApp};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

async fn connect(
    app: &TestApp,
    protocol: &str,
    origin: Option<&str>,
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let mut request = ws::request(app, protocol);
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

async fn send(ws: &mut Ws, message: Value) {
    ws.send(Message::text(message.to_string())).await.unwrap();
}

/// The next protocol message, or the close frame as `{"close": code, "reason": text}`.
async fn next(ws: &mut Ws) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("the server should answer within 10 s")
            .expect("the socket should not end without a close frame")
            .expect("a valid frame");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Close(frame) => {
                let (code, reason) = frame
                    .map(|f| (u16::from(f.code), f.reason.to_string()))
                    .unwrap_or((1005, String::new()));
                return json!({ "close": code, "reason": reason });
            }
            _ => continue,
        }
    }
}

async fn initialised(app: &TestApp, protocol: &str, token: &str) -> Ws {
    let mut ws = connect(app, protocol, None).await.unwrap();
    send(&mut ws, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    ws
}

#[tokio::test]
async fn a_query_over_the_socket_yields_next_then_complete() {
    let app = TestApp::spawn().await;
    let token = app.login(SAM).await;
    let mut ws = initialised(&app, "graphql-transport-ws", &token).await;
    send(
        &mut ws,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ me { email } }" } }),
    )
    .await;
    let result = next(&mut ws).await;
    assert_eq!(result["type"], "next");
    assert_eq!(result["id"], "1");
    assert_eq!(result["payload"]["data"]["me"]["email"], SAM);
    assert_eq!(
        next(&mut ws).await,
        json!({ "type": "complete", "id": "1" })
    );
}

#[tokio::test]
async fn an_invalid_operation_yields_an_error_message_without_complete() {
    let app = TestApp::spawn().await;
    let token = app.login(SAM).await;
    let mut ws = initialised(&app, "graphql-transport-ws", &token).await;
    send(
        &mut ws,
        json!({ "id": "bad", "type": "subscribe", "payload": { "query": "{ noSuchField }" } }),
    )
    .await;
    let error = next(&mut ws).await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["id"], "bad");
    assert!(error["payload"].as_array().is_some_and(|e| !e.is_empty()));
    // The connection stays usable and nothing else arrives for "bad".
    send(&mut ws, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut ws).await, json!({ "type": "pong" }));
}

#[tokio::test]
async fn ping_is_answered_with_pong_carrying_the_payload() {
    let app = TestApp::spawn().await;
    let mut ws = connect(&app, "graphql-transport-ws", None).await.unwrap();
    // Pings are allowed before the connection is initialised.
    send(&mut ws, json!({ "type": "ping", "payload": { "n": 1 } })).await;
    assert_eq!(
        next(&mut ws).await,
        json!({ "type": "pong", "payload": { "n": 1 } })
    );
}

#[tokio::test]
async fn invalid_messages_close_with_4400() {
    let app = TestApp::spawn().await;
    for bad in ["not json", r#"{"no":"type"}"#, r#"{"type":"bogus"}"#] {
        let mut ws = connect(&app, "graphql-transport-ws", None).await.unwrap();
        ws.send(Message::text(bad)).await.unwrap();
        assert_eq!(next(&mut ws).await["close"], 4400, "{bad}");
    }
}

#[tokio::test]
async fn subscribing_before_the_ack_closes_with_4401() {
    let app = TestApp::spawn().await;
    let mut ws = connect(&app, "graphql-transport-ws", None).await.unwrap();
    send(
        &mut ws,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ me { id } }" } }),
    )
    .await;
    assert_eq!(
        next(&mut ws).await,
        json!({ "close": 4401, "reason": "Unauthorized" })
    );
}

#[tokio::test]
async fn a_refused_connection_init_closes_with_4403() {
    let app = TestApp::spawn().await;
    for payload in [
        json!({}),
        json!({ "token": "not-a-token" }),
        json!({ "authorization": "Basic abc" }),
    ] {
        let mut ws = connect(&app, "graphql-transport-ws", None).await.unwrap();
        send(
            &mut ws,
            json!({ "type": "connection_init", "payload": payload }),
        )
        .await;
        assert_eq!(next(&mut ws).await["close"], 4403, "{payload}");
    }
    // The bare token form is accepted.
    let token = app.login(SAM).await;
    let mut ws = connect(&app, "graphql-transport-ws", None).await.unwrap();
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
}

#[tokio::test]
async fn a_silent_client_is_closed_with_4408() {
    let app = TestApp::spawn_with(|s| s.ws_init_timeout = Duration::from_millis(300)).await;
    let mut ws = connect(&app, "graphql-transport-ws", None).await.unwrap();
    assert_eq!(
        next(&mut ws).await,
        json!({ "close": 4408, "reason": "Connection initialisation timeout" })
    );
}

#[tokio::test]
async fn a_second_connection_init_closes_with_4429() {
    let app = TestApp::spawn().await;
    let token = app.login(SAM).await;
    let mut ws = initialised(&app, "graphql-transport-ws", &token).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    assert_eq!(
        next(&mut ws).await,
        json!({ "close": 4429, "reason": "Too many initialisation requests" })
    );
}

#[tokio::test]
async fn the_legacy_protocol_runs_operations_too() {
    let app = TestApp::spawn().await;
    let token = app.login(ALICE).await;
    let mut ws = initialised(&app, "graphql-ws", &token).await;
    send(
        &mut ws,
        json!({ "id": "7", "type": "start", "payload": { "query": "{ me { email } }" } }),
    )
    .await;
    let mut result = next(&mut ws).await;
    while result["type"] == "ka" {
        result = next(&mut ws).await;
    }
    assert_eq!(result["type"], "data");
    assert_eq!(result["payload"]["data"]["me"]["email"], ALICE);
    assert_eq!(
        next(&mut ws).await,
        json!({ "type": "complete", "id": "7" })
    );

    let mut refused = connect(&app, "graphql-ws", None).await.unwrap();
    send(
        &mut refused,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    assert_eq!(next(&mut refused).await["type"], "connection_error");
}

#[tokio::test]
async fn the_socket_closes_when_the_access_token_expires() {
    let app = TestApp::spawn().await;
    let id = app.user_id(SAM).await;
    let token = mint(
        claims(&id, "SUPERVISOR", 2),
        TEST_SECRET,
        jsonwebtoken::Algorithm::HS256,
    );
    let mut ws = initialised(&app, "graphql-transport-ws", &token).await;
    let closed = next(&mut ws).await;
    assert_eq!(closed["close"], 4403, "{closed}");
    assert!(closed["reason"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn the_socket_closes_when_the_account_is_deactivated() {
    let app = TestApp::spawn_with(|s| s.ws_account_recheck = Duration::from_millis(200)).await;
    let token = app.login(BELLA).await;
    let mut ws = initialised(&app, "graphql-transport-ws", &token).await;
    let admin = app.login(ADMIN).await;
    let id = app.user_id(BELLA).await;
    app.gql(Some(&admin), DEACTIVATE, json!({ "id": id })).await;
    let closed = next(&mut ws).await;
    assert_eq!(closed["close"], 4403, "{closed}");
}

#[tokio::test]
async fn shutting_down_closes_open_sockets_with_going_away() {
    let app = TestApp::spawn().await;
    let token = app.login(SAM).await;
    let mut ws = initialised(&app, "graphql-transport-ws", &token).await;
    app.shutdown().await;
    assert_eq!(next(&mut ws).await["close"], 1001);
}

#[tokio::test]
async fn an_unknown_subprotocol_is_refused() {
    let app = TestApp::spawn().await;
    assert!(connect(&app, "mqtt", None).await.is_err());
}

#[tokio::test]
async fn a_foreign_origin_cannot_open_a_socket_in_production() {
    let app = TestApp::spawn_with(|s| {
        s.app_env = careline_api::config::AppEnv::Production;
        s.cors_allowed_origins = vec!["https://desk.example.com".into()];
    })
    .await;
    assert!(
        connect(
            &app,
            "graphql-transport-ws",
            Some("https://evil.example.com")
        )
        .await
        .is_err()
    );
    assert!(
        connect(
            &app,
            "graphql-transport-ws",
            Some("https://desk.example.com")
        )
        .await
        .is_ok()
    );
}

#[tokio::test]
async fn open_sockets_are_counted_in_metrics() {
    let app = TestApp::spawn().await;
    let token = app.login(SAM).await;
    let _ws = initialised(&app, "graphql-transport-ws", &token).await;
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("careline_websocket_connections 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_socket_the_server_cannot_authenticate_closes_with_4500_not_4403() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let token = app.login(SAM).await;
    let db = &app.state.app.db;
    // The accounts table going away is a server fault, not a bad token.
    db.execute_unprepared("ALTER TABLE users RENAME TO users_away")
        .await
        .unwrap();
    let mut ws = connect(&app, "graphql-transport-ws", None).await.unwrap();
    send(&mut ws, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    let closed = next(&mut ws).await;
    db.execute_unprepared("ALTER TABLE users_away RENAME TO users")
        .await
        .unwrap();
    assert_eq!(closed["close"], 4500, "{closed}");
    let _ = initialised(&app, "graphql-transport-ws", &token).await;
}
