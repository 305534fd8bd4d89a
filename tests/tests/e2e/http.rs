//! The HTTP surface: GraphQL over HTTP semantics, health, readiness, metrics, limits, schema.

use careline_tests::kit::{ADMIN, ALICE, LI_LEI};
use careline_tests::{TestApp, data, error_code};
use serde_json::{Value, json};

#[tokio::test]
async fn queries_work_over_get() {
    let app = TestApp::spawn().await;
    let token = app.login(ALICE).await;
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "{ me { email } }")])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(data(&body)["me"]["email"], ALICE);
}

#[tokio::test]
async fn mutations_are_refused_over_get() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[(
            "query",
            r#"mutation { login(email: ADMIN, password: "careline-demo-2026") { accessToken } }"#,
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
}

async fn post_raw(app: &TestApp, accept: Option<&str>, body: &str) -> (u16, String, Value) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let text = response.text().await.unwrap();
    (
        status,
        content_type,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn graphql_response_json_gets_400_for_requests_that_cannot_execute() {
    let app = TestApp::spawn().await;
    let accept = Some("application/graphql-response+json");
    let (status, content_type, body) = post_raw(&app, accept, r#"{"query":"{ me { "}"#).await;
    assert_eq!(status, 400);
    assert!(content_type.starts_with("application/graphql-response+json"));
    assert!(body["errors"].is_array());
    // Nothing executed: no `data` entry at all.
    assert!(body.get("data").is_none(), "{body}");

    let (status, _, body) = post_raw(&app, accept, r#"{"query":"{ noSuchField }"}"#).await;
    assert_eq!(status, 400, "validation errors are request errors");
    assert!(body.get("data").is_none(), "{body}");

    // A field error is a result, not a request error.
    let (status, _, body) = post_raw(&app, accept, r#"{"query":"{ me { id } }"}"#).await;
    assert_eq!(status, 200);
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    assert!(body.get("data").is_some(), "{body}");

    let (status, _, _) = post_raw(&app, accept, "this is not json").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn application_json_gets_200_even_for_invalid_documents() {
    let app = TestApp::spawn().await;
    let (status, content_type, body) =
        post_raw(&app, Some("application/json"), r#"{"query":"{ me { "}"#).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
    assert!(body["errors"].is_array());
    assert!(body.get("data").is_none(), "{body}");
    let (status, content_type, _) = post_raw(&app, None, r#"{"query":"{ me { id } }"}"#).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
}

#[tokio::test]
async fn an_unacceptable_accept_header_gets_406() {
    let app = TestApp::spawn().await;
    let (status, _, _) = post_raw(&app, Some("text/html"), r#"{"query":"{ me { id } }"}"#).await;
    assert_eq!(status, 406);
}

#[tokio::test]
async fn deep_and_expensive_queries_are_refused() {
    let app = TestApp::spawn().await;
    let token = app.login(ADMIN).await;
    let mut deep = String::from("{ me { ");
    for _ in 0..7 {
        deep.push_str("team { supervisor { ");
    }
    deep.push_str("id ");
    deep.push_str(&"} ".repeat(2 * 7 + 2));
    let body = app.gql(Some(&token), &deep, json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{body}"
    );

    deep = "{ users(first: 100) { nodes { team { members { team { members { id name email } } } } } } }".into();
    let body = app.gql(Some(&token), &deep, json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("complex"),
        "{body}"
    );
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["database"], "ok");
    if std::env::var("TEST_REDIS_URL").is_ok() {
        assert_eq!(ready["redis"], "ok");
    }

    app.client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": "query WhoAmI { me { id } }", "operationName": "WhoAmI" }))
        .send()
        .await
        .unwrap();
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
        metrics
            .contains(r#"careline_graphql_requests_total{operation="WhoAmI",outcome="error"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("careline_graphql_request_duration_seconds_bucket"));
    assert!(metrics.contains("careline_websocket_connections"));
    assert!(metrics.contains("careline_build_info"));
}

#[tokio::test]
async fn production_turns_off_introspection_and_graphiql() {
    let app = TestApp::spawn_with(|s| s.app_env = careline_api::config::AppEnv::Production).await;
    let body = app
        .gql(None, "{ __schema { types { name } } }", json!({}))
        .await;
    assert!(body["data"]["__schema"].is_null(), "{body}");
    let graphiql = app
        .client
        .get(format!("{}/graphiql", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(graphiql.status(), 404);
    let asset = app
        .client
        .get(format!("{}/graphiql/assets/graphiql.min.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), 404);

    let opted_in = TestApp::spawn_with(|s| {
        s.app_env = careline_api::config::AppEnv::Production;
        s.introspection = true;
    })
    .await;
    let body = opted_in
        .gql(None, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(
        data(&body)["__schema"]["queryType"]["name"],
        "Query",
        "INTROSPECTION=true"
    );

    let dev = TestApp::spawn().await;
    let body = dev
        .gql(None, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(data(&body)["__schema"]["queryType"]["name"], "Query");
    let graphiql = dev
        .client
        .get(format!("{}/graphiql", dev.address))
        .send()
        .await
        .unwrap();
    assert_eq!(graphiql.status(), 200);
}

#[tokio::test]
async fn graphiql_is_served_from_the_binary_with_its_licences() {
    let app = TestApp::spawn().await;
    let get = |path: String| app.client.get(format!("{}{path}", app.address)).send();
    let page = get("/graphiql".into()).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page must load nothing from elsewhere: {html}"
    );
    let assets: Vec<&str> = html
        .split('"')
        .filter(|s| s.starts_with("/graphiql/assets/"))
        .collect();
    assert_eq!(assets.len(), 7, "{html}");
    for path in assets {
        let response = get(path.to_owned()).await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let media = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let expected = if path.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        };
        assert!(media.starts_with(expected), "{path}: {media}");
        assert!(!response.bytes().await.unwrap().is_empty(), "{path}");
    }
    for licence in ["graphiql", "react", "react-dom", "graphql-ws"] {
        let response = get(format!("/graphiql/assets/LICENSE-{licence}.txt"))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{licence}");
        assert!(response.text().await.unwrap().contains("MIT"), "{licence}");
    }
    let missing = get("/graphiql/assets/../Cargo.toml".into()).await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn responses_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    let graphql = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&serde_json::json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(graphql.headers()["x-content-type-options"], "nosniff");
    assert_eq!(graphql.headers()["cache-control"], "no-store");
    assert_eq!(graphql.headers()["referrer-policy"], "no-referrer");
    // Errors answered before execution too.
    let refused = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.headers()["x-content-type-options"], "nosniff");
    let graphiql = app
        .client
        .get(format!("{}/graphiql", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        graphiql.headers()["content-security-policy"],
        "frame-ancestors 'none'"
    );
    assert_eq!(graphiql.headers()["x-frame-options"], "DENY");
    assert_eq!(graphiql.headers()["x-content-type-options"], "nosniff");
    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn cors_allows_only_configured_origins_in_production() {
    let app = TestApp::spawn_with(|s| {
        s.app_env = careline_api::config::AppEnv::Production;
        s.cors_allowed_origins = vec!["https://desk.example.com".into()];
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let allowed = preflight("https://desk.example.com").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://desk.example.com"
    );
    let refused = preflight("https://evil.example.com").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn the_committed_schema_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../api/schema.graphql"
    ))
    .expect("api/schema.graphql should exist");
    assert!(
        committed == careline_api::graphql::sdl(),
        "api/schema.graphql is out of date: run `cargo run --bin careline -- schema > api/schema.graphql`"
    );
}

#[tokio::test]
async fn every_response_names_its_request_and_errors_carry_the_id() {
    let app = TestApp::spawn().await;
    let send = |id: Option<&'static str>| {
        let mut request = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&serde_json::json!({ "query": "{ me { email } }" }));
        if let Some(id) = id {
            request = request.header("x-request-id", id);
        }
        request.send()
    };

    let given = send(Some("support-ticket-4711")).await.unwrap();
    assert_eq!(given.headers()["x-request-id"], "support-ticket-4711");
    let body: serde_json::Value = given.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_eq!(
        body["errors"][0]["extensions"]["requestId"],
        "support-ticket-4711"
    );

    let generated = send(None).await.unwrap();
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 32, "a fresh id: {id}");
    let body: serde_json::Value = generated.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["requestId"], id.as_str());

    // Something that is not a short token is not echoed into logs and headers.
    let hostile = send(Some("x; drop table")).await.unwrap();
    assert_eq!(hostile.headers()["x-request-id"].len(), 32);
    let long = send(Some(
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ))
    .await
    .unwrap();
    assert_eq!(long.headers()["x-request-id"].len(), 32);
}

#[tokio::test]
async fn the_standard_introspection_queries_of_graphql_js_are_answered() {
    let app = TestApp::spawn().await;
    for query in [
        include_str!("../../fixtures/introspection-default.graphql"),
        include_str!("../../fixtures/introspection-all-options.graphql"),
    ] {
        let body = app.gql(None, query, json!({})).await;
        let types = data(&body)["__schema"]["types"]
            .as_array()
            .expect("types")
            .iter()
            .filter_map(|t| t["name"].as_str())
            .collect::<Vec<_>>();
        assert!(
            types.contains(&"Ticket") && types.contains(&"KpiReport"),
            "{types:?}"
        );
    }
    // Nesting introspection past what any client sends is still refused.
    let mut deep = String::from("{ __schema { types { ");
    for _ in 0..12 {
        deep.push_str("fields { type { ");
    }
    deep.push_str("name ");
    deep.push_str(&"} ".repeat(24 + 3));
    let body = app.gql(None, &deep, json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("nested too deep"),
        "{body}"
    );
}

#[tokio::test]
async fn aliased_login_floods_are_refused_before_any_resolver_runs() {
    let app = TestApp::spawn().await;
    let mut flood = String::from("mutation {");
    for i in 0..500 {
        flood.push_str(&format!(
            " a{i}: login(email: \"admin@careline.example\", password: \"guess-{i}\") {{ accessToken }}"
        ));
    }
    flood.push_str(" }");
    let body = app.gql(None, &flood, json!({})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{body}"
    );
    assert!(body["data"].is_null());
    // Not one password was tried: the administrator signs in at once.
    let token = app.login(ADMIN).await;
    assert!(!token.is_empty());

    let mut many = String::from("mutation {");
    for i in 0..11 {
        many.push_str(&format!(" logout(refreshToken: \"t{i}\")"));
    }
    many.push_str(" }");
    let body = app.gql(None, &many, json!({})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{body}"
    );
}

#[tokio::test]
async fn a_rating_out_of_range_is_bad_input_even_on_a_rated_ticket() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let agent = app.login(ALICE).await;
    let created = app
        .gql(
            Some(&li),
            "mutation { createTicket(input: { kind: INQUIRY, channel: MOBILE_APP, subject: \"Q\", description: \"d\" }) { id } }",
            json!({}),
        )
        .await;
    let id = data(&created)["createTicket"]["id"].clone();
    for m in [
        "mutation($id: ID!) { acknowledgeTicket(id: $id) { id } }",
        "mutation($id: ID!) { resolveTicket(id: $id, solution: \"Done.\") { id } }",
    ] {
        data(&app.gql(Some(&agent), m, json!({ "id": id })).await);
    }
    const RATE: &str = "mutation($id: ID!, $r: Int!) { rateTicket(id: $id, rating: $r) { id } }";
    data(&app.gql(Some(&li), RATE, json!({ "id": id, "r": 5 })).await);
    let again = app.gql(Some(&li), RATE, json!({ "id": id, "r": 4 })).await;
    assert_eq!(error_code(&again), Some("CONFLICT"));
    let nine = app.gql(Some(&li), RATE, json!({ "id": id, "r": 9 })).await;
    assert_eq!(error_code(&nine), Some("BAD_USER_INPUT"), "{nine}");
    assert_eq!(nine["errors"][0]["extensions"]["field"], "rating");
}
