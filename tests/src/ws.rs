//! A graphql-transport-ws client for tests: connect with a token, subscribe, read messages.

use crate::TestApp;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;

/// A client socket.
pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The upgrade request for `/graphql` offering `protocol` (`graphql-transport-ws`, or the
/// legacy `graphql-ws`); add headers to it before connecting.
pub fn request(app: &TestApp, protocol: &str) -> Request {
    let mut request = format!("ws://127.0.0.1:{}/graphql", app.port)
        .into_client_request()
        .expect("a WebSocket request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        protocol.parse().expect("a protocol name"),
    );
    request
}

/// Sends `connection_init` with `payload` and waits for the ack.
pub async fn init(ws: &mut Ws, payload: Value) {
    ws.send(Message::text(
        json!({ "type": "connection_init", "payload": payload }).to_string(),
    ))
    .await
    .expect("connection_init sent");
    let ack = next(ws, 5).await.expect("an answer to connection_init");
    assert_eq!(ack["type"], "connection_ack", "{ack}");
}

/// Opens a graphql-transport-ws socket and completes `connection_init` with `token`.
pub async fn socket(app: &TestApp, token: &str) -> Ws {
    let (mut ws, _) = tokio_tungstenite::connect_async(request(app, "graphql-transport-ws"))
        .await
        .expect("the socket opens");
    init(&mut ws, json!({ "token": token })).await;
    ws
}

/// Starts subscription `id` and waits until the server has registered it. Returns the
/// payloads pushed before that (a subscription that starts with the current state sends one).
pub async fn subscribe(ws: &mut Ws, id: &str, query: &str, variables: Value) -> Vec<Value> {
    ws.send(Message::text(
        json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }).to_string(),
    ))
    .await
    .unwrap();
    // The subscription is registered once the server has read the message; a ping round trip
    // proves that, so events published afterwards are not raced.
    ws.send(Message::text(json!({ "type": "ping" }).to_string()))
        .await
        .unwrap();
    let mut early = Vec::new();
    loop {
        let message = next(ws, 5).await.expect("pong");
        match message["type"].as_str() {
            Some("pong") => return early,
            Some("next") if message["id"] == id => early.push(message["payload"].clone()),
            _ => panic!("unexpected message before pong: {message}"),
        }
    }
}

/// The next protocol message within `secs` seconds, or `None`.
pub async fn next(ws: &mut Ws, secs: u64) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(secs), ws.next())
            .await
            .ok()??
            .ok()?;
        match message {
            Message::Text(text) => return serde_json::from_str(&text).ok(),
            Message::Close(frame) => {
                return Some(json!({ "close": frame.map(|f| u16::from(f.code)).unwrap_or(1005) }));
            }
            _ => continue,
        }
    }
}

/// Collects `next` payloads until `count` arrive or `secs` pass without one.
pub async fn collect(ws: &mut Ws, count: usize, secs: u64) -> Vec<Value> {
    let mut out = Vec::new();
    while out.len() < count {
        match next(ws, secs).await {
            Some(message) if message["type"] == "next" => out.push(message["payload"].clone()),
            Some(message) => panic!("unexpected message: {message}"),
            None => break,
        }
    }
    out
}
