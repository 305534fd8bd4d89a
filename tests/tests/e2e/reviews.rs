//! Performance reviews end to end: the cycle from self assessment to a frozen, read-only
//! review, and who may do and read what.

use careline_tests::kit::{AARON as PEER, AGENT, BELLA as OTHER, MANAGER, TRAINER};
use careline_tests::{TestApp, data, error_code};
use serde_json::json;

const REVIEW: &str = "id status selfAssessment managerAssessment peerAssessments score starRating
    outcome kpi { ticketsCreated from to } cycle { id name } employee { email }
    recommendedCourses { id }";

async fn cycle(app: &TestApp, manager: &str) -> String {
    let body = app
        .gql(
            Some(manager),
            "mutation { createReviewCycle(name: \"2025 H1\", startsAt: \"2025-01-01T00:00:00Z\",
                endsAt: \"2025-07-01T00:00:00Z\") { id name startsAt endsAt } }",
            json!({}),
        )
        .await;
    data(&body)["createReviewCycle"]["id"]
        .as_str()
        .expect("cycle id")
        .to_owned()
}

fn self_assessment() -> String {
    format!(
        "mutation($c: ID!, $t: String!) {{ submitSelfAssessment(cycleId: $c, text: $t) {{ {REVIEW} }} }}"
    )
}
fn peer_assessment() -> String {
    format!(
        "mutation($c: ID!, $e: ID!, $t: String!) {{ submitPeerAssessment(cycleId: $c, employeeId: $e, text: $t) {{ {REVIEW} }} }}"
    )
}
fn manager_assessment() -> String {
    format!(
        "mutation($c: ID!, $e: ID!, $t: String!) {{ submitManagerAssessment(cycleId: $c, employeeId: $e, text: $t) {{ {REVIEW} }} }}"
    )
}
fn finalize() -> String {
    format!(
        "mutation($c: ID!, $e: ID!, $i: FinalizeReviewInput!) {{ finalizeReview(cycleId: $c, employeeId: $e, input: $i) {{ {REVIEW} }} }}"
    )
}
fn reviews() -> String {
    format!("query($c: ID!) {{ performanceReviews(cycleId: $c) {{ {REVIEW} }} }}")
}

#[tokio::test]
async fn a_review_goes_from_self_assessment_to_a_frozen_read_only_result() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let agent = app.login(AGENT).await;
    let peer = app.login(PEER).await;
    let agent_id = app.user_id(AGENT).await;
    let c = cycle(&app, &manager).await;

    let own = app
        .gql(
            Some(&agent),
            &self_assessment(),
            json!({ "c": c, "t": "I closed the loop." }),
        )
        .await;
    let own = &data(&own)["submitSelfAssessment"];
    assert_eq!(own["status"], "SELF_SUBMITTED");
    assert_eq!(own["employee"]["email"], AGENT);
    let again = app
        .gql(
            Some(&agent),
            &self_assessment(),
            json!({ "c": c, "t": "Again." }),
        )
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"));

    let p = app
        .gql(
            Some(&peer),
            &peer_assessment(),
            json!({ "c": c, "e": agent_id, "t": "Always helpful." }),
        )
        .await;
    assert_eq!(
        data(&p)["submitPeerAssessment"]["peerAssessments"],
        json!(["Always helpful."])
    );
    let twice = app
        .gql(
            Some(&peer),
            &peer_assessment(),
            json!({ "c": c, "e": agent_id, "t": "More." }),
        )
        .await;
    assert_eq!(error_code(&twice), Some("CONFLICT"));

    let early = app.gql(Some(&manager), &finalize(),
        json!({ "c": c, "e": agent_id, "i": { "score": 90.0, "starRating": 5, "outcome": "REWARD" } }),
    )
    .await;
    assert_eq!(
        error_code(&early),
        Some("CONFLICT"),
        "finalize follows the manager assessment"
    );

    let m = app
        .gql(
            Some(&manager),
            &manager_assessment(),
            json!({ "c": c, "e": agent_id, "t": "Solid half." }),
        )
        .await;
    assert_eq!(
        data(&m)["submitManagerAssessment"]["status"],
        "MANAGER_SUBMITTED"
    );

    let stars = app.gql(Some(&manager), &finalize(),
        json!({ "c": c, "e": agent_id, "i": { "score": 90.0, "starRating": 6, "outcome": "REWARD" } }),
    )
    .await;
    assert_eq!(error_code(&stars), Some("BAD_USER_INPUT"));

    let done = app.gql(Some(&manager), &finalize(),
        json!({ "c": c, "e": agent_id, "i": { "score": 88.5, "starRating": 4, "outcome": "PROMOTION", "recommendedCourseIds": [] } }),
    )
    .await;
    let r = &data(&done)["finalizeReview"];
    assert_eq!(r["status"], "FINALIZED");
    assert_eq!(r["score"], 88.5);
    assert_eq!(r["starRating"], 4);
    assert_eq!(r["outcome"], "PROMOTION");
    assert_eq!(r["kpi"]["from"], "2025-01-01T00:00:00+00:00");
    assert_eq!(
        r["kpi"]["ticketsCreated"], 0,
        "the snapshot covers the cycle's period"
    );

    for (token, mutation, vars) in [
        (
            &manager,
            manager_assessment(),
            json!({ "c": c, "e": agent_id, "t": "Changed my mind." }),
        ),
        (
            &peer,
            peer_assessment(),
            json!({ "c": c, "e": agent_id, "t": "Late." }),
        ),
        (
            &manager,
            finalize(),
            json!({ "c": c, "e": agent_id, "i": { "score": 10.0, "starRating": 1, "outcome": "IMPROVEMENT_PLAN" } }),
        ),
    ] {
        let body = app.gql(Some(token), &mutation, vars).await;
        assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    }
    let read = app.gql(Some(&agent), &reviews(), json!({ "c": c })).await;
    let mine = &data(&read)["performanceReviews"];
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(mine[0]["outcome"], "PROMOTION");
    assert_eq!(mine[0]["peerAssessments"], json!(["Always helpful."]));
}

#[tokio::test]
async fn only_managers_run_reviews_and_people_read_only_their_own() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let agent = app.login(AGENT).await;
    let other = app.login(OTHER).await;
    let agent_id = app.user_id(AGENT).await;
    let manager_id = app.user_id(MANAGER).await;

    let refused = app.gql(Some(&agent), "mutation { createReviewCycle(name: \"x\", startsAt: \"2025-01-01T00:00:00Z\", endsAt: \"2025-07-01T00:00:00Z\") { id } }",
        json!({}),
    )
    .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"));
    let backwards = app.gql(Some(&manager), "mutation { createReviewCycle(name: \"x\", startsAt: \"2025-07-01T00:00:00Z\", endsAt: \"2025-01-01T00:00:00Z\") { id } }",
        json!({}),
    )
    .await;
    assert_eq!(error_code(&backwards), Some("BAD_USER_INPUT"));

    let c = cycle(&app, &manager).await;
    let listed = app
        .gql(Some(&agent), "{ reviewCycles { id name } }", json!({}))
        .await;
    assert_eq!(data(&listed)["reviewCycles"][0]["id"], c.as_str());

    data(
        &app.gql(
            Some(&agent),
            &self_assessment(),
            json!({ "c": c, "t": "Mine." }),
        )
        .await,
    );
    data(
        &app.gql(
            Some(&other),
            &self_assessment(),
            json!({ "c": c, "t": "Theirs." }),
        )
        .await,
    );

    let myself = app
        .gql(
            Some(&agent),
            &peer_assessment(),
            json!({ "c": c, "e": agent_id, "t": "Great me." }),
        )
        .await;
    assert_eq!(error_code(&myself), Some("BAD_USER_INPUT"));
    let as_manager = app
        .gql(
            Some(&agent),
            &manager_assessment(),
            json!({ "c": c, "e": agent_id, "t": "x" }),
        )
        .await;
    assert_eq!(error_code(&as_manager), Some("FORBIDDEN"));
    let own = app
        .gql(
            Some(&manager),
            &self_assessment(),
            json!({ "c": c, "t": "Manager's own." }),
        )
        .await;
    data(&own);
    let manager_self = app
        .gql(
            Some(&manager),
            &manager_assessment(),
            json!({ "c": c, "e": manager_id, "t": "x" }),
        )
        .await;
    assert_eq!(error_code(&manager_self), Some("FORBIDDEN"));

    let mine = app.gql(Some(&agent), &reviews(), json!({ "c": c })).await;
    let mine = data(&mine)["performanceReviews"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["employee"]["email"], AGENT);
    let all = app.gql(Some(&manager), &reviews(), json!({ "c": c })).await;
    assert_eq!(
        data(&all)["performanceReviews"].as_array().map(Vec::len),
        Some(3)
    );

    let missing = app
        .gql(
            Some(&agent),
            &self_assessment(),
            json!({ "c": uuid::Uuid::now_v7().to_string(), "t": "x" }),
        )
        .await;
    assert_eq!(error_code(&missing), Some("NOT_FOUND"));
}

/// Finalizing with recommended courses enrolls the person in the next session of each (the
/// later session of the same course is left alone) and lists the courses on the review.
#[tokio::test]
async fn recommended_courses_enroll_the_person_in_their_next_session() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let agent = app.login(AGENT).await;
    let agent_id = app.user_id(AGENT).await;
    let trainer_id = app.user_id(TRAINER).await;
    let c = cycle(&app, &manager).await;

    let course = app
        .gql(
            Some(&manager),
            "mutation { createCourse(input: { title: \"De-escalation\", category: SERVICE_SKILLS,
            requiredForRoles: [], passScore: 60 }) { id } }",
            json!({}),
        )
        .await;
    let course = data(&course)["createCourse"]["id"]
        .as_str()
        .expect("course")
        .to_owned();
    let mut sessions = Vec::new();
    for days in [30, 10] {
        let starts = chrono::Utc::now() + chrono::Duration::days(days);
        let body = app
            .gql(
                Some(&manager),
                "mutation($i: SessionInput!) { scheduleSession(input: $i) { id } }",
                json!({ "i": { "courseId": course, "trainerId": trainer_id,
                "startsAt": starts.to_rfc3339(),
                "endsAt": (starts + chrono::Duration::hours(2)).to_rfc3339(),
                "mode": "ONLINE", "capacity": 5 } }),
            )
            .await;
        sessions.push(
            data(&body)["scheduleSession"]["id"]
                .as_str()
                .expect("session")
                .to_owned(),
        );
    }
    let next_session = sessions[1].clone();

    app.gql(
        Some(&agent),
        &self_assessment(),
        json!({ "c": c, "t": "Fine." }),
    )
    .await;
    app.gql(
        Some(&manager),
        &manager_assessment(),
        json!({ "c": c, "e": agent_id, "t": "Calmer calls, please." }),
    )
    .await;
    let done = app
        .gql(
            Some(&manager),
            &finalize(),
            json!({ "c": c, "e": agent_id, "i": { "score": 61.0, "starRating": 2,
            "outcome": "TRAINING_NEEDED", "recommendedCourseIds": [course] } }),
        )
        .await;
    let r = &data(&done)["finalizeReview"];
    assert_eq!(r["recommendedCourses"], json!([{ "id": course }]));

    let records = app
        .gql(
            Some(&agent),
            "query($e: ID!) { trainingRecords(employeeId: $e) { status session { id } } }",
            json!({ "e": agent_id }),
        )
        .await;
    let enrolled: Vec<&str> = data(&records)["trainingRecords"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["session"]["id"].as_str())
        .filter(|s| sessions.iter().any(|x| x == s))
        .collect();
    assert_eq!(enrolled, vec![next_session.as_str()]);

    // An unknown course is refused before anything is frozen.
    let other = app.user_id(PEER).await;
    let bad = app
        .gql(
            Some(&manager),
            &finalize(),
            json!({ "c": c, "e": other, "i": { "score": 50.0, "starRating": 3,
            "outcome": "REWARD", "recommendedCourseIds": [uuid::Uuid::nil().to_string()] } }),
        )
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"));
}
