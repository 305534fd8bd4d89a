//! Multi-step writes are all or nothing, and a failing database is `INTERNAL` with a request id,
//! never the caller's fault and never its text. Each test makes the second step of a use case
//! fail inside the database (a trigger refuses the write) and checks that nothing of the first
//! step remains, then lets the write through and checks the same call now succeeds.

use careline_tests::kit::{
    AARON, ADMIN, AGENT, CLAIM, DEACTIVATE, MANAGER, REFRESH, TRAINER, create_ticket, inquiry,
};
use careline_tests::{DEMO_PASSWORD, TestApp, data, error_code};
use serde_json::{Value, json};

/// The failure reached the client as `INTERNAL`, with nothing of the database's text.
fn assert_internal(body: &Value) {
    assert_eq!(error_code(body), Some("INTERNAL"), "{body}");
    let text = body.to_string();
    assert!(!text.contains("injected"), "database text leaked: {text}");
    assert!(
        body["errors"][0]["extensions"]["requestId"].is_string(),
        "an internal error names its request: {body}"
    );
}

async fn claimed_ticket(app: &TestApp, token: &str, subject: &str) -> String {
    let id = create_ticket(app, token, inquiry(subject)).await;
    data(&app.gql(Some(token), CLAIM, json!({ "id": id })).await);
    id
}

async fn holder_and_timeline(app: &TestApp, token: &str, id: &str) -> (Value, Value) {
    let body = app
        .gql(
            Some(token),
            "query($id: ID!) { ticket(id: $id) { version assignee { email } events(first: 100) { totalCount } } }",
            json!({ "id": id }),
        )
        .await;
    let t = &data(&body)["ticket"];
    (
        t["assignee"]["email"].clone(),
        json!([t["version"], t["events"]["totalCount"]]),
    )
}

#[tokio::test]
async fn a_handover_that_fails_half_way_moves_no_ticket() {
    let app = TestApp::spawn().await;
    let alice = app.login(AGENT).await;
    let aaron = app.user_id(AARON).await;
    let ids = vec![
        claimed_ticket(&app, &alice, "Evening one").await,
        claimed_ticket(&app, &alice, "Evening two").await,
    ];
    let before = [
        holder_and_timeline(&app, &alice, &ids[0]).await,
        holder_and_timeline(&app, &alice, &ids[1]).await,
    ];
    const HANDOVER: &str = "mutation($i: HandoverInput!) { recordHandover(input: $i) { id tickets { assignee { email } } } }";
    let input = json!({ "i": { "toUserId": aaron, "notes": "Call back at 9", "ticketIds": ids } });

    app.fail_writes("handovers", "INSERT").await;
    let failed = app.gql(Some(&alice), HANDOVER, input.clone()).await;
    assert_internal(&failed);
    for (id, was) in ids.iter().zip(&before) {
        assert_eq!(
            &holder_and_timeline(&app, &alice, id).await,
            was,
            "the tickets moved although the handover was not recorded"
        );
    }

    app.allow_writes("handovers", "INSERT").await;
    let done = app.gql(Some(&alice), HANDOVER, input).await;
    let moved = &data(&done)["recordHandover"]["tickets"];
    assert_eq!(moved[0]["assignee"]["email"], AARON);
    assert_eq!(moved[1]["assignee"]["email"], AARON);
}

#[tokio::test]
async fn a_new_account_whose_onboarding_enrollment_fails_does_not_exist() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    const CREATE: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { id email } }";
    // Agents are due the demo's "Welcome to Careline" onboarding session in two weeks.
    let input = json!({ "i": { "email": "new.agent@careline.example", "name": "New Agent",
        "password": "a fine passphrase", "roles": ["AGENT"] } });

    app.fail_writes("training_records", "INSERT").await;
    assert_internal(&app.gql(Some(&admin), CREATE, input.clone()).await);
    let login = app
        .login_payload("new.agent@careline.example", "a fine passphrase")
        .await;
    assert_eq!(error_code(&login), Some("UNAUTHENTICATED"), "{login}");

    app.allow_writes("training_records", "INSERT").await;
    let created = app.gql(Some(&admin), CREATE, input).await;
    assert_eq!(
        data(&created)["createUser"]["email"],
        "new.agent@careline.example"
    );
}

#[tokio::test]
async fn a_deactivation_whose_token_revocation_fails_leaves_the_account_active() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let session = app.login_payload(AGENT, DEMO_PASSWORD).await;
    let refresh = data(&session)["login"]["refreshToken"].clone();
    let agent_id = app.user_id(AGENT).await;

    app.fail_writes("refresh_tokens", "UPDATE").await;
    assert_internal(
        &app.gql(Some(&admin), DEACTIVATE, json!({ "id": agent_id }))
            .await,
    );
    app.allow_writes("refresh_tokens", "UPDATE").await;
    let me = app
        .gql(
            Some(data(&session)["login"]["accessToken"].as_str().unwrap()),
            "{ me { active } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&me)["me"]["active"],
        true,
        "the account was deactivated anyway"
    );

    let done = app
        .gql(Some(&admin), DEACTIVATE, json!({ "id": agent_id }))
        .await;
    assert_eq!(data(&done)["setUserActive"]["active"], false);
    let refreshed = app.gql(None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(error_code(&refreshed), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn a_password_change_whose_token_revocation_fails_keeps_the_old_password() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    const CHANGE: &str = "mutation { changePassword(currentPassword: \"careline-demo-2026\", newPassword: \"a brand new passphrase\") }";

    app.fail_writes("refresh_tokens", "UPDATE").await;
    assert_internal(&app.gql(Some(&agent), CHANGE, json!({})).await);
    app.allow_writes("refresh_tokens", "UPDATE").await;
    let old = app.login_payload(AGENT, DEMO_PASSWORD).await;
    assert!(old["data"]["login"]["accessToken"].is_string(), "{old}");
}

#[tokio::test]
async fn a_finalized_review_whose_enrollment_fails_stays_open() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let agent = app.login(AGENT).await;
    let agent_id = app.user_id(AGENT).await;
    let trainer_id = app.user_id(TRAINER).await;
    let run = |token: String, q: &'static str, v: Value| {
        let app = &app;
        async move { app.gql(Some(&token), q, v).await }
    };
    let cycle = run(
        manager.clone(),
        "mutation { createReviewCycle(name: \"2025 H1\", startsAt: \"2025-01-01T00:00:00Z\", endsAt: \"2025-07-01T00:00:00Z\") { id } }",
        json!({}),
    )
    .await;
    let cycle = data(&cycle)["createReviewCycle"]["id"].clone();
    let course = run(
        manager.clone(),
        "mutation { createCourse(input: { title: \"De-escalation\", category: SERVICE_SKILLS, requiredForRoles: [], passScore: 60 }) { id } }",
        json!({}),
    )
    .await;
    let course = data(&course)["createCourse"]["id"].clone();
    let starts = chrono::Utc::now() + chrono::Duration::days(10);
    let session = run(
        manager.clone(),
        "mutation($i: SessionInput!) { scheduleSession(input: $i) { id } }",
        json!({ "i": { "courseId": course, "trainerId": trainer_id, "startsAt": starts.to_rfc3339(),
            "endsAt": (starts + chrono::Duration::hours(2)).to_rfc3339(), "mode": "ONLINE", "capacity": 5 } }),
    )
    .await;
    data(&session);
    data(
        &run(
            agent.clone(),
            "mutation($c: ID!) { submitSelfAssessment(cycleId: $c, text: \"Fine.\") { id } }",
            json!({ "c": cycle }),
        )
        .await,
    );
    data(&run(
        manager.clone(),
        "mutation($c: ID!, $e: ID!) { submitManagerAssessment(cycleId: $c, employeeId: $e, text: \"Calmer calls.\") { id } }",
        json!({ "c": cycle, "e": agent_id }),
    )
    .await);
    const FINALIZE: &str = "mutation($c: ID!, $e: ID!, $i: FinalizeReviewInput!) { finalizeReview(cycleId: $c, employeeId: $e, input: $i) { status score recommendedCourses { id } } }";
    let input = json!({ "c": cycle, "e": agent_id, "i": { "score": 61.0, "starRating": 2,
        "outcome": "TRAINING_NEEDED", "recommendedCourseIds": [course] } });

    app.fail_writes("training_records", "INSERT").await;
    assert_internal(&run(manager.clone(), FINALIZE, input.clone()).await);
    let reviews = run(
        manager.clone(),
        "query($c: ID!) { performanceReviews(cycleId: $c) { status score } }",
        json!({ "c": cycle }),
    )
    .await;
    assert_eq!(
        data(&reviews)["performanceReviews"][0],
        json!({ "status": "MANAGER_SUBMITTED", "score": null }),
        "the review was finalized without its enrollment"
    );

    app.allow_writes("training_records", "INSERT").await;
    let done = run(manager, FINALIZE, input).await;
    assert_eq!(data(&done)["finalizeReview"]["status"], "FINALIZED");
}
