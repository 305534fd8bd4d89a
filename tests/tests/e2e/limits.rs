//! Request limits, each tried from outside with the answer a client gets: body size, batches,
//! the per-operation cost that counts page sizes, and the errors async-graphql raises itself
//! carrying a code. (Aliases and root-field counts: `http::aliased_login_floods_are_refused_before_any_resolver_runs`;
//! depth: `http::deep_and_expensive_queries_are_refused`; list arguments: `generative`.)

use careline_tests::kit::{ADMIN, ALICE, MANAGER};
use careline_tests::{TestApp, data, error_code};
use serde_json::{Value, json};

async fn post(app: &TestApp, token: Option<&str>, body: String) -> (u16, Value) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the request is sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("the body is read");
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
    )
}

#[tokio::test]
async fn a_body_over_one_mebibyte_gets_413_with_a_code_and_one_under_it_runs() {
    let app = TestApp::spawn().await;
    let token = app.login(ALICE).await;
    let request = |padding: usize| {
        json!({
            "query": "{ me { email } }",
            "extensions": { "pad": "x".repeat(padding) },
        })
        .to_string()
    };
    let (status, body) = post(&app, Some(&token), request(1024 * 1024)).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("1 MiB"),
        "{body}"
    );

    let (status, body) = post(&app, Some(&token), request(1000 * 1024)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(data(&body)["me"]["email"], ALICE, "{body}");
}

#[tokio::test]
async fn batched_requests_are_refused_with_a_code() {
    let app = TestApp::spawn().await;
    let token = app.login(ALICE).await;
    let one = json!({ "query": "{ me { email } }" });
    let (status, body) = post(&app, Some(&token), json!([one, one]).to_string()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("batched"),
        "{body}"
    );
    // A batch of logins is no way around the root-field limit either.
    let login = json!({ "query": "mutation { login(email: \"admin@careline.example\", password: \"guess\") { accessToken } }" });
    let (status, body) = post(&app, None, json!(vec![login; 50]).to_string()).await;
    assert_eq!(status, 400, "{body}");
    // Nothing ran: the administrator signs in at once.
    app.login(ADMIN).await;
}

#[tokio::test]
async fn nested_pages_multiply_their_cost_and_normal_screens_pass() {
    let app = TestApp::spawn().await;
    let token = app.login(MANAGER).await;
    // 100 tickets × 100 events × 6 fields: 60,000 > 50,000.
    let nested = "{ tickets(first: 100) { nodes { id events(first: 100) { nodes {
        id kind message internal at actor { id } } } } } }";
    let body = app.gql(Some(&token), nested, json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("complex"),
        "{body}"
    );
    assert!(body.get("data").is_none(), "{body}");
    // The same with smaller inner pages is within the limit: the page sizes are what count.
    let smaller = nested.replace("events(first: 100)", "events(first: 10)");
    data(&app.gql(Some(&token), &smaller, json!({})).await);

    // What the supervisor's screens ask for passes.
    let dashboard = "{
        me { id name roles team { id name } }
        queue { waiting unassigned atRisk overdue
            tickets(first: 50) { totalCount nodes { id number subject status priority severity
                customer { name } owner { name } assignee { name } sla { firstResponseBreached resolutionBreached } } }
            agents { agent { id name } openTickets capacity presence } }
        tickets(first: 100) { totalCount nodes { id number subject status kind priority
            createdAt updatedAt customer { id name tier } owner { id name } assignee { id name }
            team { name } department { name } } pageInfo { hasNextPage endCursor } }
        escalations(first: 50) { id level reason }
    }";
    let body = app.gql(Some(&token), dashboard, json!({})).await;
    if let Some(errors) = body.get("errors") {
        // A field the schema does not have would be a mistake in this test, not the limit.
        assert!(
            errors.as_array().is_some_and(|e| e
                .iter()
                .all(|e| !e["message"].as_str().unwrap_or("").contains("complex"))),
            "{body}"
        );
        panic!("the dashboard failed: {body}");
    }
}

#[tokio::test]
async fn errors_raised_before_any_resolver_carry_a_code() {
    let app = TestApp::spawn().await;
    let token = app.login(ALICE).await;
    for (document, code) in [
        ("{ me { ", "BAD_REQUEST"),
        ("{ noSuchField }", "BAD_REQUEST"),
        ("{ tickets(first: \"ten\") { totalCount } }", "BAD_REQUEST"),
        (
            "{ tickets(first: 2147483648) { totalCount } }",
            "BAD_REQUEST",
        ),
        (
            "mutation { setPresence(presence: NOT_A_PRESENCE) { id } }",
            "BAD_REQUEST",
        ),
        (
            "{ shifts(from: \"9999-99-99\", to: \"2026-01-01T00:00:00Z\") { id } }",
            "BAD_USER_INPUT",
        ),
    ] {
        let body = app.gql(Some(&token), document, json!({})).await;
        assert_eq!(error_code(&body), Some(code), "{document}: {body}");
        assert!(
            !body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .is_empty(),
            "{body}"
        );
    }
    // Variables of the wrong type too.
    let body = app
        .gql(
            Some(&token),
            "query($n: Int) { tickets(first: $n) { totalCount } }",
            json!({ "n": "many" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_before_validation_walks_it() {
    // Eight fragments each spreading the next ten times: 10⁸ fields once expanded, in under
    // 800 bytes. async-graphql's validation walks the expanded document (this request took
    // about 40 s of CPU before the expansion bound); it is refused at the boundary instead,
    // signed in or not, over POST and over the WebSocket alike (`graphql/boundary.rs`).
    let app = TestApp::spawn().await;
    let mut query = String::from("{ me { ...B0 } }");
    for i in 0..8 {
        query.push_str(&format!(
            " fragment B{i} on User {{ {} }}",
            format!("...B{} ", i + 1).repeat(10)
        ));
    }
    query.push_str(" fragment B8 on User { id }");
    assert!(query.len() < 800);
    let token = app.login(ALICE).await;
    for token in [None, Some(token.as_str())] {
        let (status, body) = post(&app, token, json!({ "query": query }).to_string()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("once its fragments are spread"),
            "{body}"
        );
    }
    // The same document spread once per fragment passes.
    let mut query = String::from("{ me { ...C0 } }");
    for i in 0..8 {
        query.push_str(&format!(" fragment C{i} on User {{ ...C{} }}", i + 1));
    }
    query.push_str(" fragment C8 on User { email }");
    let token = app.login(ALICE).await;
    let (status, body) = post(&app, Some(&token), json!({ "query": query }).to_string()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(data(&body)["me"]["email"], ALICE, "{body}");
}
