//! GraphQL over WebSocket on `/graphql`, written to the letter of the `graphql-transport-ws`
//! protocol (close codes 4400, 4401, 4403, 4408, 4409, 4429, and 4500 when
//! the server cannot check the credentials; ping/pong), with the legacy
//! `graphql-ws` (subscriptions-transport-ws) protocol beside it.
//!
//! The caller authenticates in `connection_init` with `{"authorization": "Bearer <jwt>"}` or
//! `{"token": "<jwt>"}`. The socket closes with 4403 when that token expires, and when the
//! account's sessions end (password changed, account deactivated): the `SessionsEnded` event
//! reaches every instance at once, and a periodic re-check of the account backs it up. It
//! closes with 1001 when the server shuts down.

use crate::auth::Caller;
use crate::auth::viewer::bearer;
use crate::fanout::{Frame, share_key};
use crate::graphql::loaders::Loaders;
use crate::graphql::{CarelineSchema, ClientAddr, boundary};
use crate::http::origin_allowed;
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use careline_domain::event::{Envelope, Event};
use futures_util::StreamExt;
use prometheus::IntGauge;
use serde_json::json;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::task::AbortHandle;

/// Largest message a client may send.
const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// Largest number of operations one socket may run at once.
const MAX_OPERATIONS: usize = 100;
/// How long a closing connection waits to hand its close frame to the client.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);
/// Keep-alive period of the legacy protocol.
const LEGACY_KEEP_ALIVE: Duration = Duration::from_secs(20);

/// The negotiated sub-protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `graphql-transport-ws` (the `graphql-ws` library).
    TransportWs,
    /// `graphql-ws` (Apollo's subscriptions-transport-ws).
    Legacy,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Protocol::TransportWs => "graphql-transport-ws",
            Protocol::Legacy => "graphql-ws",
        }
    }

    /// The first protocol the client offers that we speak, preferring the current one.
    fn select(req: &HttpRequest) -> Option<Protocol> {
        let offered: Vec<String> = req
            .headers()
            .get_all(header::SEC_WEBSOCKET_PROTOCOL)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(',').map(|p| p.trim().to_owned()))
            .collect();
        if offered.iter().any(|p| p == "graphql-transport-ws") {
            Some(Protocol::TransportWs)
        } else if offered.iter().any(|p| p == "graphql-ws") {
            Some(Protocol::Legacy)
        } else {
            None
        }
    }

    fn data_type(self) -> &'static str {
        match self {
            Protocol::TransportWs => "next",
            Protocol::Legacy => "data",
        }
    }
}

/// Keeps the connection gauge honest whichever way the connection ends.
struct Connected(IntGauge);

impl Connected {
    fn new(gauge: IntGauge) -> Self {
        gauge.inc();
        Connected(gauge)
    }
}

impl Drop for Connected {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The WebSocket upgrade on `GET /graphql`.
pub async fn graphql_ws(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<CarelineSchema>,
) -> actix_web::Result<HttpResponse> {
    if let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        && !origin_allowed(&state, origin)
    {
        return Ok(HttpResponse::Forbidden().body("origin not allowed"));
    }
    let Some(protocol) = Protocol::select(&req) else {
        return Ok(HttpResponse::BadRequest()
            .body("offer the graphql-transport-ws (or legacy graphql-ws) subprotocol"));
    };
    let (mut response, session, stream) = actix_ws::handle(&req, body)?;
    response.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(protocol.name()),
    );
    let connection = Connection {
        protocol,
        session,
        state: state.get_ref().clone(),
        schema: schema.get_ref().clone(),
        address: state.settings.trusted_proxies.of_request(&req),
        caller: None,
        operations: HashMap::new(),
        locale: crate::http::locale_of(&req, &state),
    };
    let stream = stream
        .max_frame_size(MAX_MESSAGE_BYTES)
        .aggregate_continuations()
        .max_continuation_size(MAX_MESSAGE_BYTES);
    actix_web::rt::spawn(connection.run(stream));
    Ok(response)
}

/// What an operation task reports to its connection: a frame of the operation with this id.
struct Outgoing(String, Frame);

/// Why a message could not be sent.
enum Unsent {
    /// The socket is gone.
    Closed,
    /// The client has not taken anything for [`crate::config::Settings::ws_send_timeout`]:
    /// it stopped reading, and the connection is closed (1013) rather than left to pile up.
    Stalled,
}

impl From<actix_ws::Closed> for Unsent {
    fn from(_: actix_ws::Closed) -> Self {
        Unsent::Closed
    }
}

/// How the connection ends.
struct Close(u16, String);

impl Close {
    fn new(code: u16, reason: impl Into<String>) -> Self {
        Close(code, reason.into())
    }
}

struct Connection {
    protocol: Protocol,
    session: Session,
    state: AppState,
    schema: CarelineSchema,
    address: Option<IpAddr>,
    /// Set once `connection_init` is accepted.
    caller: Option<Caller>,
    operations: HashMap<String, AbortHandle>,
    /// The language of error messages: the upgrade's `Accept-Language`, replaced by a
    /// `locale` (or `acceptLanguage`) in the `connection_init` payload.
    locale: crate::i18n::Locale,
}

impl Connection {
    async fn run(mut self, mut stream: actix_ws::AggregatedMessageStream) {
        let _connected = Connected::new(self.state.metrics.ws_connections.clone());
        let (outgoing, mut results) = mpsc::channel::<Outgoing>(256);
        let mut shutdown = self.state.shutdown.subscribe();
        let init_deadline = tokio::time::sleep(self.state.settings.ws_init_timeout);
        tokio::pin!(init_deadline);
        let mut expiry = Box::pin(tokio::time::sleep(Duration::from_secs(365 * 24 * 3600)));
        let mut recheck = tokio::time::interval(self.state.settings.ws_account_recheck);
        recheck.tick().await;
        let mut keep_alive = tokio::time::interval(LEGACY_KEEP_ALIVE);
        let mut init_received = false;
        let mut events = self.state.bus.subscribe();
        let mut events_open = true;

        let close = loop {
            tokio::select! {
                message = stream.recv() => {
                    let flow = match message {
                        None => break None,
                        Some(Err(_)) => Err(Close::new(1002, "WebSocket protocol error")),
                        Some(Ok(AggregatedMessage::Text(text))) => {
                            // Boxed, as the other rare awaits below: each connection's task
                            // holds this loop's state for as long as it is open, and inlined,
                            // these deep futures (authentication, admission) made it 4.3 KiB
                            // per idle subscriber instead of 1.75 (release build).
                            Box::pin(self.on_text(&text, &mut init_received, &outgoing)).await
                        }
                        Some(Ok(AggregatedMessage::Binary(_))) => {
                            Err(Close::new(4400, "Binary messages are not supported"))
                        }
                        Some(Ok(AggregatedMessage::Ping(bytes))) => {
                            self.session.pong(&bytes).await.map_err(|_| Close::new(1011, ""))
                        }
                        Some(Ok(AggregatedMessage::Pong(_))) => Ok(()),
                        Some(Ok(AggregatedMessage::Close(_))) => break Some(Close::new(1000, "")),
                    };
                    if let Err(close) = flow {
                        break Some(close);
                    }
                    if let Some(Caller::Authenticated(viewer)) = &self.caller {
                        let left = (viewer.token_expires_at - chrono::Utc::now())
                            .to_std()
                            .unwrap_or(Duration::ZERO);
                        expiry.as_mut().reset(tokio::time::Instant::now() + left);
                    }
                }
                () = &mut init_deadline, if !init_received => {
                    break Some(Close::new(4408, "Connection initialisation timeout"));
                }
                Some(outgoing) = results.recv() => {
                    match self.deliver(outgoing).await {
                        Ok(()) => {}
                        Err(Unsent::Closed) => break None,
                        Err(Unsent::Stalled) => break Some(stalled()),
                    }
                }
                () = &mut expiry, if self.caller.is_some() => {
                    break Some(Close::new(4403, "Forbidden: the access token has expired"));
                }
                _ = recheck.tick(), if self.caller.is_some() => {
                    if !Box::pin(self.account_still_active()).await {
                        break Some(Close::new(4403, "Forbidden: the account is no longer active"));
                    }
                }
                event = events.recv(), if self.caller.is_some() && events_open => {
                    match event {
                        Ok(envelope) if self.ends_my_sessions(&envelope) => {
                            if !Box::pin(self.account_still_active()).await {
                                break Some(Close::new(4403, "Forbidden: the sessions of this account have ended"));
                            }
                        }
                        Ok(_) => {}
                        // Missed events are covered by the periodic re-check.
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => events_open = false,
                    }
                }
                _ = keep_alive.tick(), if self.protocol == Protocol::Legacy && self.caller.is_some() => {
                    match self.send(json!({ "type": "ka" })).await {
                        Ok(()) => {}
                        Err(Unsent::Closed) => break None,
                        Err(Unsent::Stalled) => break Some(stalled()),
                    }
                }
                _ = shutdown.changed() => {
                    break Some(Close::new(1001, "Server shutting down"));
                }
            }
        };
        for (_, operation) in self.operations.drain() {
            operation.abort();
        }
        let reason = close.map(|Close(code, description)| CloseReason {
            code: CloseCode::from(code),
            description: (!description.is_empty()).then_some(description),
        });
        // A client that stopped reading cannot take a close frame either: give up after a while.
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, self.session.close(reason)).await;
    }

    async fn send(&mut self, message: serde_json::Value) -> Result<(), Unsent> {
        self.send_text(message.to_string()).await
    }

    /// Sends one text message, waiting at most `ws_send_timeout` for the client to make room.
    async fn send_text(&mut self, text: String) -> Result<(), Unsent> {
        match tokio::time::timeout(self.state.settings.ws_send_timeout, self.session.text(text))
            .await
        {
            Ok(sent) => Ok(sent?),
            Err(_) => Err(Unsent::Stalled),
        }
    }

    async fn on_text(
        &mut self,
        text: &str,
        init_received: &mut bool,
        outgoing: &mpsc::Sender<Outgoing>,
    ) -> Result<(), Close> {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(text) else {
            return Err(Close::new(4400, "Invalid message: not JSON"));
        };
        let Some(kind) = message.get("type").and_then(|t| t.as_str()) else {
            return Err(Close::new(4400, "Invalid message: missing type"));
        };
        let closed = |unsent| match unsent {
            Unsent::Closed => Close::new(1011, ""),
            Unsent::Stalled => stalled(),
        };
        match (self.protocol, kind) {
            (_, "connection_init") => {
                if *init_received {
                    return Err(Close::new(4429, "Too many initialisation requests"));
                }
                *init_received = true;
                let payload = message.get("payload").cloned().unwrap_or_default();
                if let Some(locale) = ["locale", "acceptLanguage", "Accept-Language"]
                    .iter()
                    .find_map(|key| payload.get(key).and_then(|v| v.as_str()))
                    .and_then(crate::i18n::Locale::from_accept_language)
                {
                    self.locale = locale;
                }
                match self.authenticate(&payload).await? {
                    Some(caller) => {
                        self.caller = Some(caller);
                        self.send(json!({ "type": "connection_ack" }))
                            .await
                            .map_err(closed)
                    }
                    None if self.protocol == Protocol::Legacy => {
                        let _ = self
                            .send(json!({ "type": "connection_error",
                                "payload": { "message": crate::i18n::translate(
                                    "Forbidden: a valid access token is required", self.locale) } }))
                            .await;
                        Err(Close::new(4403, "Forbidden"))
                    }
                    None => Err(Close::new(4403, "Forbidden")),
                }
            }
            (Protocol::TransportWs, "ping") => {
                let mut pong = json!({ "type": "pong" });
                if let Some(payload) = message.get("payload") {
                    pong["payload"] = payload.clone();
                }
                self.send(pong).await.map_err(closed)
            }
            (Protocol::TransportWs, "pong") => Ok(()),
            (Protocol::TransportWs, "subscribe") | (Protocol::Legacy, "start") => {
                self.start(&message, outgoing).await
            }
            (Protocol::TransportWs, "complete") | (Protocol::Legacy, "stop") => {
                let Some(id) = message.get("id").and_then(|v| v.as_str()) else {
                    return Err(Close::new(4400, "Invalid message: missing id"));
                };
                if let Some(operation) = self.operations.remove(id) {
                    operation.abort();
                }
                Ok(())
            }
            (Protocol::Legacy, "connection_terminate") => Err(Close::new(1000, "")),
            (_, other) => Err(Close::new(
                4400,
                format!("Invalid message: unknown type {other:?}"),
            )),
        }
    }

    /// The caller the `connection_init` payload names: `Ok(None)` when its token is missing or
    /// refused (the client's fault: 4403), `Err` when it could not be checked (ours: 4500, or 1013
    /// while the database is unreachable).
    async fn authenticate(&self, payload: &serde_json::Value) -> Result<Option<Caller>, Close> {
        let from_header = payload
            .get("authorization")
            .or_else(|| payload.get("Authorization"))
            .and_then(|v| v.as_str())
            .and_then(|v| bearer(Some(v)));
        let Some(token) = from_header.or_else(|| payload.get("token").and_then(|v| v.as_str()))
        else {
            return Ok(None);
        };
        match Caller::from_token(&self.state.jwt, &self.state.app.db, Some(token)).await {
            Ok(caller @ Caller::Authenticated(_)) => Ok(Some(caller)),
            Ok(_) => Ok(None),
            // The database is unreachable: a passing fault, so invite the client back (graphql-ws
            // clients retry after 1013, not after 4500).
            Err(crate::app::AppError::Unavailable) => Err(Close::new(
                1013,
                "Try again later: the service cannot reach its database",
            )),
            Err(err) => {
                if let crate::app::AppError::Internal(cause) = &err {
                    tracing::error!(error.detail = ?cause, "checking a WebSocket token failed");
                }
                Err(Close::new(4500, "Internal server error"))
            }
        }
    }

    /// Whether the event says the signed-in account's sessions ended.
    fn ends_my_sessions(&self, envelope: &Envelope) -> bool {
        match (&envelope.event, &self.caller) {
            (Event::SessionsEnded { user_id, .. }, Some(Caller::Authenticated(viewer))) => {
                *user_id == viewer.id()
            }
            _ => false,
        }
    }

    async fn account_still_active(&self) -> bool {
        let Some(Caller::Authenticated(viewer)) = &self.caller else {
            return false;
        };
        // A database hiccup is not the client's fault; try again at the next check.
        careline_app::sessions::still_signed_in(&self.state.app, viewer)
            .await
            .unwrap_or(true)
    }

    async fn start(
        &mut self,
        message: &serde_json::Value,
        outgoing: &mpsc::Sender<Outgoing>,
    ) -> Result<(), Close> {
        let Some(caller) = self.caller.clone() else {
            return Err(Close::new(4401, "Unauthorized"));
        };
        let Some(id) = message
            .get("id")
            .and_then(|v| v.as_str())
            .filter(|id| !id.is_empty())
        else {
            return Err(Close::new(4400, "Invalid message: missing id"));
        };
        if self.operations.contains_key(id) {
            return Err(Close::new(
                4409,
                format!("Subscriber for {id} already exists"),
            ));
        }
        let request = message
            .get("payload")
            .cloned()
            .and_then(|p| serde_json::from_value::<async_graphql::Request>(p).ok());
        let Some(request) = request else {
            return Err(Close::new(
                4400,
                "Invalid message: payload must be {query, variables?, operationName?}",
            ));
        };
        if self.operations.len() >= MAX_OPERATIONS {
            return Err(Close::new(4400, "Too many operations on one connection"));
        }
        let share = match &caller {
            Caller::Authenticated(viewer) if self.state.settings.subscription_grouping => {
                share_key(&request, &viewer.user, self.locale)
            }
            _ => None,
        };
        let request = request
            .data(caller)
            .data(ClientAddr(self.address))
            .data(Loaders::new(&self.state.app))
            .data(self.locale);
        let locale = self.locale;
        let admitted = boundary::admit(&self.state.persisted, request).await;
        let id = id.to_owned();
        let sender = outgoing.clone();
        let task_id = id.clone();
        let task = match (admitted, share) {
            (Ok(request), Some(key)) => {
                let schema = self.schema.clone();
                let mut membership = self.state.fanout.join(key, move || {
                    boundary::finish_stream(schema.execute_stream(request), locale)
                });
                actix_web::rt::spawn(async move {
                    loop {
                        let frame = membership.next(locale).await;
                        let ends = frame.ends();
                        if sender.send(Outgoing(task_id.clone(), frame)).await.is_err() || ends {
                            return;
                        }
                    }
                })
            }
            (admitted, _) => {
                let mut responses = match admitted {
                    Ok(request) => {
                        boundary::finish_stream(self.schema.execute_stream(request), locale).boxed()
                    }
                    Err(error) => futures_util::stream::once(std::future::ready(
                        boundary::refused(error, locale),
                    ))
                    .boxed(),
                };
                actix_web::rt::spawn(async move {
                    while let Some(response) = responses.next().await {
                        let frame = Frame::of(&response);
                        let ends = frame.ends();
                        if sender.send(Outgoing(task_id.clone(), frame)).await.is_err() || ends {
                            return;
                        }
                    }
                    let _ = sender.send(Outgoing(task_id, Frame::Complete)).await;
                })
            }
        };
        self.operations.insert(id, task.abort_handle());
        Ok(())
    }

    /// Sends a frame of an operation, unless the client has completed the operation meanwhile.
    /// The payload was serialised once for every subscriber sharing it; only the id is this
    /// connection's.
    async fn deliver(&mut self, Outgoing(id, frame): Outgoing) -> Result<(), Unsent> {
        if !self.operations.contains_key(&id) {
            return Ok(());
        }
        if frame.ends() {
            // `error` and `complete` end the operation; nothing follows them.
            if let Some(operation) = self.operations.remove(&id) {
                operation.abort();
            }
        }
        let text = match (&frame, self.protocol) {
            (Frame::Next(payload), protocol) => message(protocol.data_type(), &id, payload),
            (Frame::Error(errors), Protocol::TransportWs) => message("error", &id, errors),
            (Frame::Error(errors), Protocol::Legacy) => {
                // The legacy protocol's `error` carries one error object.
                let errors: serde_json::Value = serde_json::from_str(errors).unwrap_or_default();
                let first = errors.get(0).cloned().unwrap_or_default();
                message("error", &id, &first.to_string())
            }
            (Frame::Complete, _) => message_without_payload("complete", &id),
        };
        self.send_text(text).await
    }
}

/// `{"type":…,"id":…,"payload":…}` around an already serialised payload.
fn message(kind: &str, id: &str, payload: &str) -> String {
    let id = serde_json::Value::from(id).to_string();
    let mut text = String::with_capacity(payload.len() + id.len() + kind.len() + 32);
    text.push_str("{\"type\":\"");
    text.push_str(kind);
    text.push_str("\",\"id\":");
    text.push_str(&id);
    text.push_str(",\"payload\":");
    text.push_str(payload);
    text.push('}');
    text
}

fn message_without_payload(kind: &str, id: &str) -> String {
    json!({ "type": kind, "id": id }).to_string()
}

/// How a connection whose client stopped reading is closed.
fn stalled() -> Close {
    Close::new(
        1013,
        "Try again later: the client is not reading its messages",
    )
}
