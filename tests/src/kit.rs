//! The shared test toolkit: the demo accounts, the GraphQL documents many tests send, ticket
//! builders, the injected clock, polling with a deadline, statement counts and tokens. A helper
//! lives here once a second test file needs it; what only one file uses stays in that file.

use crate::{TestApp, data};
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use std::time::Duration;

// The demo organisation's accounts (api/app/src/seed.rs); each signs in with `DEMO_PASSWORD`.

/// The administrator.
pub const ADMIN: &str = "admin@careline.example";
/// The service manager: every team, reports, policies.
pub const MANAGER: &str = "manager@careline.example";
/// Sam, supervisor of Front Desk A.
pub const SAM: &str = "supervisor.a@careline.example";
/// Sue, supervisor of Front Desk B.
pub const SUE: &str = "supervisor.b@careline.example";
/// Alice, agent on Front Desk A.
pub const ALICE: &str = "agent.a1@careline.example";
/// Aaron, agent on Front Desk A.
pub const AARON: &str = "agent.a2@careline.example";
/// Bella, agent on Front Desk B.
pub const BELLA: &str = "agent.b1@careline.example";
/// Theo, technical support.
pub const TECH: &str = "tech@careline.example";
/// The trainer.
pub const TRAINER: &str = "trainer@careline.example";
/// The Legal department's liaison.
pub const LEGAL: &str = "legal@careline.example";
/// The Logistics department's liaison.
pub const LOGISTICS: &str = "logistics@careline.example";
/// The Product department's liaison.
pub const PRODUCT: &str = "product@careline.example";
/// A customer with an app account.
pub const LI_LEI: &str = "li.lei@example.com";
/// Another customer with an app account.
pub const HAN_MEIMEI: &str = "han.meimei@example.com";
/// "An agent", where the test does not care which: Alice.
pub const AGENT: &str = ALICE;
/// "A supervisor", where the test does not care which: Sam, Alice's lead.
pub const SUPERVISOR: &str = SAM;

// Documents sent by more than one test file.

/// Creates a ticket from `$i`; answers its id.
pub const CREATE_TICKET: &str =
    "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }";
/// Acknowledges ticket `$id`.
pub const ACKNOWLEDGE: &str = "mutation($id: ID!) { acknowledgeTicket(id: $id) { status } }";
/// Claims ticket `$id` for the caller.
pub const CLAIM: &str = "mutation($id: ID!) { claimTicket(id: $id) { id } }";
/// Dispatches ticket `$id` to department `$d`.
pub const DISPATCH_TICKET: &str =
    "mutation($id: ID!, $d: ID!) { dispatchTicket(id: $id, departmentId: $d) { id } }";
/// The escalations the caller sees, newest first.
pub const ESCALATIONS: &str = "{ escalations(first: 100) { id level kind target reason
    ticket { id } acknowledgedBy { email } } }";
/// Creates an account from `$i`.
pub const CREATE_USER: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }";
/// Deactivates account `$id`.
pub const DEACTIVATE: &str =
    "mutation($id: ID!) { setUserActive(id: $id, active: false) { active } }";
/// Trades refresh token `$t` for a new pair.
pub const REFRESH: &str =
    "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }";

/// `data` of a call that must succeed.
pub async fn ok(app: &TestApp, token: &str, document: &str, variables: Value) -> Value {
    let body = app.gql(Some(token), document, variables).await;
    data(&body).clone()
}

// Tickets.

/// `$i` of a phone inquiry from Wang Fang about a parcel.
pub fn inquiry(subject: &str) -> Value {
    json!({ "i": { "kind": "INQUIRY", "channel": "PHONE", "subject": subject,
        "description": "Where is my parcel?", "customer": { "name": "Wang Fang", "phone": "13800138000" } } })
}

/// `$i` of a product-quality complaint by phone from Wang Fang.
pub fn complaint(subject: &str) -> Value {
    json!({ "i": { "kind": "COMPLAINT", "channel": "PHONE", "subject": subject,
        "description": "The parcel arrived broken and the contract terms are unclear.",
        "category": "PRODUCT_QUALITY", "customer": { "name": "Wang Fang", "phone": "13800138000" } } })
}

/// Creates a ticket (`variables` holds `$i`) as `token`'s holder; returns its id.
pub async fn create_ticket(app: &TestApp, token: &str, variables: Value) -> String {
    create_ticket_with(app, token, CREATE_TICKET, variables).await["id"]
        .as_str()
        .expect("ticket id")
        .to_owned()
}

/// Creates a ticket with `document` (a `createTicket` mutation taking `$i`); returns the
/// `createTicket` payload it selects.
pub async fn create_ticket_with(
    app: &TestApp,
    token: &str,
    document: &str,
    variables: Value,
) -> Value {
    let body = app.gql(Some(token), document, variables).await;
    data(&body)["createTicket"].clone()
}

/// The id of the department called `name`.
pub async fn department_id(app: &TestApp, token: &str, name: &str) -> String {
    let body = app
        .gql(Some(token), "{ departments { id name } }", json!({}))
        .await;
    data(&body)["departments"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["name"] == name))
        .and_then(|d| d["id"].as_str())
        .unwrap_or_else(|| panic!("no department {name}: {body}"))
        .to_owned()
}

/// The escalations of ticket `id` that `token`'s holder sees (see [`ESCALATIONS`]).
pub async fn escalations_of<Id>(app: &TestApp, token: &str, id: &Id) -> Vec<Value>
where
    Id: ?Sized,
    Value: PartialEq<Id>,
{
    let body = app.gql(Some(token), ESCALATIONS, json!({})).await;
    data(&body)["escalations"]
        .as_array()
        .expect("escalations")
        .iter()
        .filter(|e| e["ticket"]["id"] == *id)
        .cloned()
        .collect()
}

/// The timeline entries of `kind` on `ticket` (which selected `events { nodes { kind … } }`).
pub fn events_of(ticket: &Value, kind: &str) -> Vec<Value> {
    ticket["events"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

/// The kinds of `ticket`'s timeline entries, in order (none when it selected no events).
pub fn event_kinds(ticket: &Value) -> Vec<String> {
    ticket["events"]["nodes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["kind"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

// Time: the server's clock is injected, and tests move it instead of waiting.

/// Shanghai wall-clock time.
pub fn shanghai(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Shanghai
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("a Shanghai time")
        .with_timezone(&Utc)
}

/// Moves `app`'s clock to `at` (it runs on from there).
pub fn set_clock(app: &TestApp, at: DateTime<Utc>) {
    let clock = &app.state.app.clock;
    clock.advance(at - clock.now());
}

/// Runs one pass of the background worker (due times, escalations, reminders, auto-close,
/// scheduled reports) at `app`'s clock; answers how many escalations it recorded.
pub async fn tick(app: &TestApp) -> usize {
    careline_api::sla::tick(&app.state).await.expect("tick")
}

/// An RFC 3339 time in a response.
pub fn time(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(
        value
            .as_str()
            .unwrap_or_else(|| panic!("not a time: {value}")),
    )
    .unwrap_or_else(|e| panic!("not a time: {value}: {e}"))
    .with_timezone(&Utc)
}

/// Polls `condition` every 20 ms until it holds or `within` has passed, and answers whether it
/// held: for what the server does in the background on the real clock (a socket closed, a feed
/// stopped, the relay caught up). The caller asserts afterwards, with its own message.
pub async fn wait_until(within: Duration, condition: impl AsyncFnMut() -> bool) -> bool {
    wait_until_every(within, Duration::from_millis(20), condition).await
}

/// [`wait_until`], polling every `every`: for a condition that costs a request, checked over a
/// long wait.
pub async fn wait_until_every(
    within: Duration,
    every: Duration,
    mut condition: impl AsyncFnMut() -> bool,
) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if condition().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(every).await;
    }
}

/// The SQL statements `document` costs: the fewest over three runs (the outbox relay polls in
/// the background), with the three responses.
pub async fn statements(
    app: &TestApp,
    token: &str,
    document: &str,
    variables: Value,
) -> (u64, Vec<Value>) {
    let mut least = u64::MAX;
    let mut bodies = Vec::with_capacity(3);
    for _ in 0..3 {
        let before = app.state.sql_statements.load(Ordering::SeqCst);
        let body = app.gql(Some(token), document, variables.clone()).await;
        let after = app.state.sql_statements.load(Ordering::SeqCst);
        least = least.min(after - before);
        bodies.push(body);
    }
    (least, bodies)
}

// Tokens.

/// Access-token claims for `user_id` with `role`, expiring `expires_in` seconds from now (in
/// the past when negative).
pub fn claims(user_id: &str, role: &str, expires_in: i64) -> Value {
    let now = Utc::now().timestamp();
    json!({
        "iss": "careline", "aud": "careline-api", "sub": user_id,
        "exp": now + expires_in, "iat": now, "jti": uuid::Uuid::new_v4().to_string(),
        "roles": [role], "typ": "access", "ver": 0
    })
}

/// `claims` signed with `secret` by `alg`.
pub fn mint(claims: Value, secret: &[u8], alg: jsonwebtoken::Algorithm) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .expect("a signed token")
}

// Ports, for the servers a test starts itself.

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until something accepts connections on `port`, for at most `within`; answers
/// whether it did. (Blocking: for starting a server before the test's work begins.)
pub fn wait_for_port(port: u16, within: Duration) -> bool {
    let deadline = std::time::Instant::now() + within;
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
