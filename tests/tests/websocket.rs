//! The WebSocket endpoint on `/graphql`: both protocols upgrade and authenticate in
//! `connection_init`.

use careline_tests::TestApp;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

async fn connect(
    app: &TestApp,
    protocol: &str,
    origin: Option<&str>,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tokio_tungstenite::tungstenite::Error,
> {
    let mut request = format!("ws://127.0.0.1:{}/graphql", app.port)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocol.parse().unwrap());
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

async fn next_json(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .ok()??
            .ok()?;
        match message {
            Message::Text(text) => return serde_json::from_str(&text).ok(),
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

#[tokio::test]
async fn both_protocols_acknowledge_an_authenticated_connection() {
    let app = TestApp::spawn().await;
    let token = app.login("supervisor.a@careline.example").await;
    for protocol in ["graphql-transport-ws", "graphql-ws"] {
        let mut ws = connect(&app, protocol, None).await.unwrap();
        ws.send(Message::text(
            json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }).to_string(),
        ))
        .await
        .unwrap();
        let ack = next_json(&mut ws)
            .await
            .expect("an answer to connection_init");
        assert_eq!(ack["type"], "connection_ack", "{protocol}: {ack}");
    }
}

#[tokio::test]
async fn a_bad_token_in_connection_init_is_refused() {
    let app = TestApp::spawn().await;
    let mut ws = connect(&app, "graphql-transport-ws", None).await.unwrap();
    ws.send(Message::text(
        json!({ "type": "connection_init", "payload": { "token": "not-a-token" } }).to_string(),
    ))
    .await
    .unwrap();
    let answer = next_json(&mut ws).await;
    assert!(
        answer
            .as_ref()
            .is_none_or(|a| a["type"] != "connection_ack"),
        "{answer:?}"
    );
}

#[tokio::test]
async fn a_foreign_origin_cannot_open_a_socket() {
    let app =
        TestApp::spawn_with(|s| s.cors_allowed_origins = vec!["https://desk.example.com".into()])
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
