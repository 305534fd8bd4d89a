//! Login throttling end to end: per account at an address, per account across addresses,
//! shared by instances through Redis, with the client address taken from `X-Forwarded-For`
//! only behind a trusted proxy. And what ends sessions: a password change revokes every
//! refresh token and closes the account's sockets at once.

use careline_api::auth::rate_limit::{ACCOUNT, ACCOUNT_AT_ADDRESS};
use careline_api::proxy::TrustedProxies;
use careline_tests::kit::{ADMIN, ALICE, BELLA, DEACTIVATE, MANAGER, REFRESH, SAM};
use careline_tests::redis::OwnRedis;
use careline_tests::ws::{next, socket, subscribe};
use careline_tests::{DEMO_PASSWORD, TestApp, data, error_code};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }";
const CHANGE: &str =
    "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }";
const QUEUE: &str = "subscription { queueUpdates { kind ticket { number } } }";

const ATTACKER: &str = "203.0.113.66";
const OWNER: &str = "198.51.100.7";

/// The test client connects from 127.0.0.1: trusting it makes `X-Forwarded-For` name the
/// client, as a reverse proxy on the same host would.
fn behind_a_local_proxy(settings: &mut careline_api::Settings) {
    settings.trusted_proxies = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
}

/// `login` sent through a proxy that says the client is `from`.
async fn login_from(app: &TestApp, from: &str, email: &str, password: &str) -> Value {
    app.client
        .post(format!("{}/graphql", app.address))
        .header("x-forwarded-for", from)
        .json(&json!({ "query": LOGIN, "variables": { "e": email, "p": password } }))
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("JSON response")
}

/// Fails `count` sign-ins as `email` from `from`, each refused as bad credentials.
async fn fail_from(app: &TestApp, from: &str, email: &str, count: u32) {
    for i in 0..count {
        let body = login_from(app, from, email, &format!("wrong-guess-{i}")).await;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    }
}

fn retry_after(body: &Value) -> u64 {
    assert_eq!(error_code(body), Some("RATE_LIMITED"), "{body}");
    body["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .unwrap_or_else(|| panic!("no retryAfterSeconds: {body}"))
}

fn signed_in(body: &Value) -> bool {
    body["data"]["login"]["accessToken"].is_string()
}

#[tokio::test]
async fn a_flood_of_aliased_logins_tries_no_password_and_locks_no_one_out() {
    let app = TestApp::spawn_with(behind_a_local_proxy).await;
    let mut flood = String::from("mutation {");
    for i in 0..500 {
        flood.push_str(&format!(
            " a{i}: login(email: \"{ADMIN}\", password: \"guess-{i}\") {{ accessToken }}"
        ));
    }
    flood.push_str(" }");
    let body: Value = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("x-forwarded-for", ATTACKER)
        .json(&json!({ "query": flood }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
    assert!(body["data"].is_null());
    // Not one password was tried: even the attacker's own address is not throttled.
    assert!(signed_in(
        &login_from(&app, ATTACKER, ADMIN, DEMO_PASSWORD).await
    ));

    // The most a request may carry (10 mutations) runs them in order: 5 tries, then
    // RATE_LIMITED — for that address only.
    let mut batch = String::from("mutation {");
    for i in 0..10 {
        batch.push_str(&format!(
            " a{i}: login(email: \"{ADMIN}\", password: \"guess-{i}\") {{ accessToken }}"
        ));
    }
    batch.push_str(" }");
    let body: Value = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("x-forwarded-for", ATTACKER)
        .json(&json!({ "query": batch }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["extensions"]["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        codes.iter().filter(|c| **c == "UNAUTHENTICATED").count(),
        ACCOUNT_AT_ADDRESS.failures as usize,
        "{codes:?}"
    );
    assert_eq!(codes.iter().filter(|c| **c == "RATE_LIMITED").count(), 5);
    assert!(signed_in(
        &login_from(&app, OWNER, ADMIN, DEMO_PASSWORD).await
    ));
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_the_account_for_another() {
    let app = TestApp::spawn_with(behind_a_local_proxy).await;
    fail_from(&app, ATTACKER, ADMIN, ACCOUNT_AT_ADDRESS.failures).await;
    // The attacker's address waits, even with the right password…
    let refused = login_from(&app, ATTACKER, ADMIN, DEMO_PASSWORD).await;
    assert!((1..=60).contains(&retry_after(&refused)));
    // …and hammering on, past the account's ceiling, counts for nothing…
    for i in 0..ACCOUNT.failures {
        retry_after(&login_from(&app, ATTACKER, ADMIN, &format!("more-{i}")).await);
    }
    // …while the owner, elsewhere, signs in.
    assert!(signed_in(
        &login_from(&app, OWNER, ADMIN, DEMO_PASSWORD).await
    ));
}

#[tokio::test]
async fn parallel_attempts_cannot_slip_past_the_limit() {
    let app = TestApp::spawn_with(behind_a_local_proxy).await;
    let attempts = (0..20).map(|i| {
        let app = &app;
        async move { login_from(app, ATTACKER, ADMIN, &format!("guess-{i}")).await }
    });
    let bodies = futures_util::future::join_all(attempts).await;
    let tried = bodies
        .iter()
        .filter(|b| error_code(b) == Some("UNAUTHENTICATED"))
        .count();
    let refused = bodies
        .iter()
        .filter(|b| error_code(b) == Some("RATE_LIMITED"))
        .count();
    assert_eq!(
        (tried, refused),
        (ACCOUNT_AT_ADDRESS.failures as usize, 15),
        "20 at once: only the limit's worth of passwords tried"
    );
}

#[tokio::test]
async fn a_successful_login_clears_the_count_at_its_address() {
    let app = TestApp::spawn_with(behind_a_local_proxy).await;
    fail_from(&app, OWNER, ADMIN, ACCOUNT_AT_ADDRESS.failures - 1).await;
    assert!(signed_in(
        &login_from(&app, OWNER, ADMIN, DEMO_PASSWORD).await
    ));
    // A typo after signing in starts a new count instead of locking the owner out.
    fail_from(&app, OWNER, ADMIN, ACCOUNT_AT_ADDRESS.failures - 1).await;
    assert!(signed_in(
        &login_from(&app, OWNER, ADMIN, DEMO_PASSWORD).await
    ));
}

#[tokio::test]
async fn the_account_ceiling_applies_across_addresses() {
    let app = TestApp::spawn_with(behind_a_local_proxy).await;
    // A distributed attack: every address stays under its own limits.
    for i in 0..ACCOUNT.failures {
        let from = format!("192.0.2.{}", i + 1);
        fail_from(&app, &from, ADMIN, 1).await;
    }
    let refused = login_from(&app, OWNER, ADMIN, DEMO_PASSWORD).await;
    let wait = retry_after(&refused);
    assert!(
        (61..=ACCOUNT.window.as_secs()).contains(&wait),
        "the account's window, not a minute: {wait}"
    );
    // Other accounts are not affected.
    assert!(signed_in(
        &login_from(&app, OWNER, ALICE, DEMO_PASSWORD).await
    ));
}

#[tokio::test]
async fn without_trusted_proxies_x_forwarded_for_is_ignored() {
    let app = TestApp::spawn().await;
    fail_from(&app, ATTACKER, ADMIN, ACCOUNT_AT_ADDRESS.failures).await;
    // Naming another address changes nothing: the request still comes from 127.0.0.1.
    let refused = login_from(&app, OWNER, ADMIN, DEMO_PASSWORD).await;
    retry_after(&refused);
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis (TEST_DATABASE_URL, TEST_REDIS_URL); .ci/run runs it"]
async fn two_instances_sharing_redis_do_not_double_the_limit() {
    let redis = std::env::var("TEST_REDIS_URL")
        .expect("this test needs TEST_REDIS_URL (and TEST_DATABASE_URL): see .ci/run");
    assert!(
        std::env::var("TEST_DATABASE_URL").is_ok(),
        "this test needs TEST_DATABASE_URL (and TEST_REDIS_URL): see .ci/run"
    );
    let a = TestApp::spawn_with(|s| {
        behind_a_local_proxy(s);
        s.redis_url = Some(redis.clone());
    })
    .await;
    let b = a
        .spawn_sharing(|s| {
            behind_a_local_proxy(s);
            s.redis_url = Some(redis.clone());
        })
        .await;
    // Five failures spread over both instances (3 on A, 2 on B)…
    for i in 0..ACCOUNT_AT_ADDRESS.failures {
        let instance = if i % 2 == 0 { &a } else { &b };
        fail_from(instance, ATTACKER, ADMIN, 1).await;
    }
    // …and the sixth is refused on either.
    retry_after(&login_from(&a, ATTACKER, ADMIN, DEMO_PASSWORD).await);
    retry_after(&login_from(&b, ATTACKER, ADMIN, DEMO_PASSWORD).await);
    assert!(signed_in(
        &login_from(&b, OWNER, ADMIN, DEMO_PASSWORD).await
    ));
}

#[tokio::test]
async fn throttling_counts_on_the_instance_while_redis_is_down_and_never_stalls_a_login() {
    let mut redis = OwnRedis::start_anywhere();
    let url = redis.url();
    let app = TestApp::spawn_with(|s| {
        behind_a_local_proxy(s);
        s.redis_url = Some(url);
    })
    .await;
    fail_from(&app, ATTACKER, ADMIN, 2).await;
    redis.stop();
    let started = Instant::now();
    fail_from(&app, ATTACKER, ADMIN, ACCOUNT_AT_ADDRESS.failures - 2).await;
    // The instance remembers the failures it saw before the outage too.
    retry_after(&login_from(&app, ATTACKER, ADMIN, DEMO_PASSWORD).await);
    assert!(signed_in(
        &login_from(&app, OWNER, ADMIN, DEMO_PASSWORD).await
    ));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "five sign-ins took {:?} with Redis down",
        started.elapsed()
    );
}

#[tokio::test]
async fn changing_the_password_revokes_every_session_and_closes_the_accounts_sockets() {
    let app = TestApp::spawn().await;
    let email = SAM;
    let first = data(&app.login_payload(email, DEMO_PASSWORD).await)["login"].clone();
    let second = data(&app.login_payload(email, DEMO_PASSWORD).await)["login"].clone();
    let access = first["accessToken"].as_str().unwrap();
    let mut ws = socket(&app, access).await;
    subscribe(&mut ws, "q", QUEUE, json!({})).await;
    // Someone else's socket stays open.
    let manager = app.login(MANAGER).await;
    let mut bystander = socket(&app, &manager).await;
    subscribe(&mut bystander, "q", QUEUE, json!({})).await;

    let changed = app
        .gql(
            Some(second["accessToken"].as_str().unwrap()),
            CHANGE,
            json!({ "c": DEMO_PASSWORD, "n": "a much better passphrase" }),
        )
        .await;
    assert_eq!(data(&changed)["changePassword"], true);

    // At once, not at the next periodic re-check (15 s in tests).
    let closed = next(&mut ws, 3).await;
    assert_eq!(closed, Some(json!({ "close": 4403 })), "{closed:?}");
    for session in [&first, &second] {
        let refreshed = app
            .gql(None, REFRESH, json!({ "t": session["refreshToken"] }))
            .await;
        assert_eq!(
            error_code(&refreshed),
            Some("UNAUTHENTICATED"),
            "{refreshed}"
        );
    }
    assert_eq!(
        next(&mut bystander, 1).await,
        None,
        "the bystander's socket stays open"
    );
}

#[tokio::test]
async fn deactivating_an_account_closes_its_sockets_at_once() {
    let app = TestApp::spawn().await;
    let token = app.login(BELLA).await;
    let mut ws = socket(&app, &token).await;
    let admin = app.login(ADMIN).await;
    let id = app.user_id(BELLA).await;
    let off = app.gql(Some(&admin), DEACTIVATE, json!({ "id": id })).await;
    assert_eq!(data(&off)["setUserActive"]["active"], false);
    assert_eq!(next(&mut ws, 3).await, Some(json!({ "close": 4403 })));
}
