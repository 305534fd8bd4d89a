//! Persisted operations: Apollo's automatic persisted queries (hash first, register on a miss),
//! shared between instances through Redis, and a trusted-documents manifest that a deployment
//! can make the only operations it runs.

use careline_tests::kit::ALICE;
use careline_tests::{TestApp, data, error_code};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

const ME: &str = "query Me { me { email } }";

fn sha256(text: &str) -> String {
    use std::fmt::Write;
    let digest = <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes());
    digest.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

async fn post(app: &TestApp, token: &str, body: Value) -> Value {
    app.client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON")
}

fn hashed(query: Option<&str>, hash: &str) -> Value {
    let mut body =
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    if let Some(q) = query {
        body["query"] = json!(q);
    }
    body
}

#[tokio::test]
async fn an_unknown_hash_is_registered_by_sending_it_with_its_document() {
    let app = TestApp::spawn().await;
    let token = app.login(ALICE).await;
    let hash = sha256(ME);

    let miss = post(&app, &token, hashed(None, &hash)).await;
    assert_eq!(
        error_code(&miss),
        Some("PERSISTED_QUERY_NOT_FOUND"),
        "{miss}"
    );
    assert_eq!(miss["errors"][0]["message"], "PersistedQueryNotFound");

    let registered = post(&app, &token, hashed(Some(ME), &hash)).await;
    assert_eq!(data(&registered)["me"]["email"], ALICE);
    let by_hash = post(&app, &token, hashed(None, &hash)).await;
    assert_eq!(data(&by_hash)["me"]["email"], ALICE);

    let forged = post(&app, &token, hashed(Some("{ me { id } }"), &hash)).await;
    assert_eq!(error_code(&forged), Some("BAD_REQUEST"), "{forged}");
    let malformed = post(&app, &token, hashed(None, "abc")).await;
    assert_eq!(error_code(&malformed), Some("BAD_REQUEST"), "{malformed}");
}

#[tokio::test]
async fn a_persisted_mutation_is_refused_over_get() {
    let app = TestApp::spawn().await;
    let token = app.login(ALICE).await;
    let mutation = "mutation { setPresence(presence: AWAY) { presence } }";
    let hash = sha256(mutation);
    data(&post(&app, &token, hashed(Some(mutation), &hash)).await);
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let body: Value = app
        .client
        .get(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .query(&[("extensions", extensions.as_str())])
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
}

#[tokio::test]
async fn with_trusted_documents_required_only_the_manifest_runs() {
    let manifest: HashMap<String, String> = [(sha256(ME), ME.to_owned())].into_iter().collect();
    let app = TestApp::spawn_with(|s| {
        s.trusted_documents = Arc::new(manifest);
        s.trusted_documents_required = true;
    })
    .await;
    // Signing in is itself an operation: it must be in a real deployment's manifest; here the
    // token comes from a second, open instance on the same database.
    let open = app.spawn_sharing(|_| {}).await;
    let token = open.login(ALICE).await;

    let trusted = post(&app, &token, hashed(None, &sha256(ME))).await;
    assert_eq!(data(&trusted)["me"]["email"], ALICE);
    let same_text = post(&app, &token, json!({ "query": ME })).await;
    assert_eq!(data(&same_text)["me"]["email"], ALICE);

    let other = "{ me { id } }";
    let plain = post(&app, &token, json!({ "query": other })).await;
    assert_eq!(
        error_code(&plain),
        Some("PERSISTED_QUERY_NOT_ALLOWED"),
        "{plain}"
    );
    let register = post(&app, &token, hashed(Some(other), &sha256(other))).await;
    assert_eq!(error_code(&register), Some("PERSISTED_QUERY_NOT_ALLOWED"));
    let unknown = post(&app, &token, hashed(None, &sha256(other))).await;
    assert_eq!(error_code(&unknown), Some("PERSISTED_QUERY_NOT_ALLOWED"));
}

#[tokio::test]
#[ignore = "needs Redis (TEST_REDIS_URL) and a shared database (TEST_DATABASE_URL); .ci/run runs it"]
async fn a_hash_registered_on_one_instance_is_known_to_another() {
    let redis = std::env::var("TEST_REDIS_URL")
        .expect("this test needs TEST_REDIS_URL (and TEST_DATABASE_URL): see .ci/run");
    let a = TestApp::spawn().await;
    let b = a.spawn_sharing(|s| s.redis_url = Some(redis.clone())).await;
    let token = a.login(ALICE).await;
    let query = format!(
        "query Shared{} {{ me {{ email }} }}",
        uuid::Uuid::new_v4().simple()
    );
    let hash = sha256(&query);
    data(&post(&a, &token, hashed(Some(&query), &hash)).await);
    let on_b = post(&b, &token, hashed(None, &hash)).await;
    assert_eq!(data(&on_b)["me"]["email"], ALICE);
}
