//! Accountability end to end: the employees a complaint is about, verdicts and root causes,
//! the KPIs that count them, and quality inspection with its training loop.

use careline_tests::kit::{
    AARON, ACKNOWLEDGE, ALICE, BELLA, CREATE_TICKET, LI_LEI, MANAGER, SAM, SUE, TRAINER,
    create_ticket, events_of,
};
use careline_tests::{TestApp, data, error_code};
use serde_json::{Value, json};

const SEE: &str =
    "query($id: ID!) { ticket(id: $id) { involvedStaff { email } verdict rootCause } }";
const VERDICT: &str = "mutation($id: ID!, $v: ComplaintVerdict!, $c: String!, $r: String) {
    recordComplaintVerdict(ticketId: $id, verdict: $v, rootCause: $c, reason: $r) { verdict rootCause } }";
const INVOLVE: &str = "mutation($id: ID!, $u: [ID!]!) {
    setInvolvedStaff(ticketId: $id, userIds: $u) { involvedStaff { email } } }";

fn complaint(involved: &[&str]) -> Value {
    json!({ "i": { "kind": "COMPLAINT", "channel": "PHONE", "subject": "Rude on the phone",
        "description": "The agent was short with me.", "category": "SERVICE_ATTITUDE",
        "customer": { "name": "Wang Fang", "phone": "13800138000" },
        "involvedStaffIds": involved } })
}

fn emails(body: &Value) -> Vec<String> {
    body["data"]["ticket"]["involvedStaff"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| u["email"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn involved_staff_are_seen_only_by_those_concerned_and_never_by_customers() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let bella = app.login(BELLA).await;
    let aaron = app.login(AARON).await;
    let sam = app.login(SAM).await;
    let bella_id = app.user_id(BELLA).await;
    let aaron_id = app.user_id(AARON).await;

    let about_bella = create_ticket(&app, &alice, complaint(&[&bella_id])).await;
    let about_aaron = create_ticket(&app, &alice, complaint(&[&aaron_id])).await;

    // The owner, the lead and the employee named see who is involved.
    for token in [&alice, &sam, &bella] {
        let seen = app
            .gql(Some(token), SEE, json!({ "id": about_bella }))
            .await;
        assert_eq!(emails(&seen), vec![BELLA.to_owned()], "{seen}");
    }
    // An involved employee does not learn who other complaints name; a bystander sees none.
    let other = app
        .gql(Some(&bella), SEE, json!({ "id": about_aaron }))
        .await;
    assert!(emails(&other).is_empty(), "{other}");
    let bystander = app
        .gql(Some(&aaron), SEE, json!({ "id": about_bella }))
        .await;
    assert!(emails(&bystander).is_empty(), "{bystander}");

    // A customer's own complaint: staff name the agent; the customer sees neither that nor the
    // verdict.
    let li = app.login(LI_LEI).await;
    let own = create_ticket(
        &app,
        &li,
        json!({ "i": { "kind": "COMPLAINT", "channel": "MOBILE_APP", "subject": "Rude",
            "description": "d", "category": "SERVICE_ATTITUDE" } }),
    )
    .await;
    let named = app
        .gql(Some(&sam), INVOLVE, json!({ "id": own, "u": [bella_id] }))
        .await;
    assert_eq!(
        data(&named)["setInvolvedStaff"]["involvedStaff"][0]["email"],
        BELLA
    );
    data(
        &app.gql(
            Some(&sam),
            VERDICT,
            json!({ "id": own, "v": "JUSTIFIED", "c": "Tone" }),
        )
        .await,
    );
    let customer_view = app.gql(Some(&li), SEE, json!({ "id": own })).await;
    assert_eq!(
        data(&customer_view)["ticket"],
        json!({ "involvedStaff": [], "verdict": null, "rootCause": null })
    );
    // Customers cannot name anyone at intake.
    let refused = app
        .gql(
            Some(&li),
            CREATE_TICKET,
            json!({ "i": { "kind": "COMPLAINT", "channel": "MOBILE_APP", "subject": "x",
                "description": "d", "category": "OTHER", "involvedStaffIds": [bella_id] } }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");
    // Only the owner or a lead names involved employees.
    let not_owner = app
        .gql(Some(&aaron), INVOLVE, json!({ "id": about_bella, "u": [] }))
        .await;
    assert_eq!(error_code(&not_owner), Some("FORBIDDEN"), "{not_owner}");
}

#[tokio::test]
async fn verdicts_are_for_leads_not_involved_and_revised_only_with_a_reason() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let bella = app.login(BELLA).await;
    let sam = app.login(SAM).await;
    let sue = app.login(SUE).await;
    let sam_id = app.user_id(SAM).await;
    let bella_id = app.user_id(BELLA).await;

    let about_sam = create_ticket(&app, &alice, complaint(&[&sam_id])).await;
    let vars = |v: &str, r: Option<&str>| json!({ "id": about_sam, "v": v, "c": "Skipped the hold script", "r": r });

    let involved = app
        .gql(Some(&sam), VERDICT, vars("UNJUSTIFIED", None))
        .await;
    assert_eq!(error_code(&involved), Some("FORBIDDEN"), "{involved}");
    let agent = app
        .gql(Some(&bella), VERDICT, vars("UNJUSTIFIED", None))
        .await;
    assert_eq!(error_code(&agent), Some("FORBIDDEN"), "{agent}");

    let first = app
        .gql(Some(&sue), VERDICT, vars("UNJUSTIFIED", None))
        .await;
    assert_eq!(
        data(&first)["recordComplaintVerdict"]["verdict"],
        "UNJUSTIFIED"
    );
    let silent = app.gql(Some(&sue), VERDICT, vars("JUSTIFIED", None)).await;
    assert_eq!(error_code(&silent), Some("BAD_USER_INPUT"), "{silent}");
    assert_eq!(silent["errors"][0]["extensions"]["field"], "reason");
    let revised = app
        .gql(
            Some(&sue),
            VERDICT,
            vars("JUSTIFIED", Some("The call recording shows it")),
        )
        .await;
    assert_eq!(
        data(&revised)["recordComplaintVerdict"]["verdict"],
        "JUSTIFIED"
    );

    // Both the first verdict and the revision are on the timeline.
    let timeline = app
        .gql(
            Some(&sue),
            "query($id: ID!) { ticket(id: $id) { events(first: 50) { nodes { kind message } } } }",
            json!({ "id": about_sam }),
        )
        .await;
    let verdicts = events_of(&data(&timeline)["ticket"], "VERDICT_RECORDED");
    assert_eq!(verdicts.len(), 2, "{timeline}");
    assert!(
        verdicts[1]["message"]
            .as_str()
            .unwrap_or("")
            .contains("The call recording shows it")
    );

    // The employees a complaint names are active staff.
    let pending = app.gql(Some(&sue), VERDICT, vars("PENDING", None)).await;
    assert_eq!(error_code(&pending), Some("BAD_USER_INPUT"));
    let unknown = app
        .gql(
            Some(&sam),
            INVOLVE,
            json!({ "id": about_sam, "u": [bella_id, "0190a0a0-0000-7000-8000-000000000000"] }),
        )
        .await;
    assert_eq!(error_code(&unknown), Some("BAD_USER_INPUT"), "{unknown}");
}

const KPIS: &str =
    "query($s: KpiScope!, $f: DateTime!, $t: DateTime!) { kpis(scope: $s, from: $f, to: $t) {
    complaints justifiedComplaintsAgainst praiseReceived qualityReviews qualityAverage } }";
const DRILL: &str = "query($s: KpiScope!, $f: DateTime!, $t: DateTime!, $m: KpiMetric!) {
    kpiTickets(scope: $s, from: $f, to: $t, metric: $m, first: 100) { totalCount nodes { id } } }";

fn period() -> (String, String) {
    let now = chrono::Utc::now();
    (
        (now - chrono::Duration::days(30)).to_rfc3339(),
        (now + chrono::Duration::days(1)).to_rfc3339(),
    )
}

#[tokio::test]
async fn accountability_kpis_count_against_the_people_named_and_equal_their_drill_downs() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let alice = app.login(ALICE).await;
    let sue = app.login(SUE).await;
    let bella_id = app.user_id(BELLA).await;
    let alice_id = app.user_id(ALICE).await;
    let aaron_id = app.user_id(AARON).await;

    // Alice registers two complaints about Bella: one justified, one unjustified.
    for verdict in ["JUSTIFIED", "UNJUSTIFIED"] {
        let id = create_ticket(&app, &alice, complaint(&[&bella_id])).await;
        data(
            &app.gql(
                Some(&sue),
                VERDICT,
                json!({ "id": id, "v": verdict, "c": "Tone" }),
            )
            .await,
        );
    }
    let (from, to) = period();
    let report = |who: &str| {
        let (from, to, manager, who) = (from.clone(), to.clone(), manager.clone(), who.to_owned());
        let app = &app;
        async move {
            let body = app
                .gql(
                    Some(&manager),
                    KPIS,
                    json!({ "s": { "kind": "AGENT", "id": who }, "f": from, "t": to }),
                )
                .await;
            data(&body)["kpis"].clone()
        }
    };
    // The demo seed already holds one justified complaint about Bella and praise for Alice.
    let bella = report(&bella_id).await;
    assert_eq!(bella["complaints"], 3, "{bella}");
    assert_eq!(bella["justifiedComplaintsAgainst"], 2, "{bella}");
    // Alice registered them; none is about her.
    let alice_kpis = report(&alice_id).await;
    assert_eq!(alice_kpis["complaints"], 0, "{alice_kpis}");
    assert_eq!(alice_kpis["praiseReceived"], 1, "{alice_kpis}");
    // The demo's one inspection of Aaron: (90·10 + 85·30 + 95·20 + 80·20 + 90·20) / 100.
    let aaron = report(&aaron_id).await;
    assert_eq!(aaron["qualityReviews"], 1, "{aaron}");
    assert!((aaron["qualityAverage"].as_f64().unwrap() - 87.5).abs() < 1e-9);

    for (who, metric, figure) in [
        (
            &bella_id,
            "JUSTIFIED_COMPLAINTS_AGAINST",
            &bella["justifiedComplaintsAgainst"],
        ),
        (&bella_id, "COMPLAINTS", &bella["complaints"]),
        (&alice_id, "PRAISE_RECEIVED", &alice_kpis["praiseReceived"]),
    ] {
        let body = app
            .gql(
                Some(&manager),
                DRILL,
                json!({ "s": { "kind": "AGENT", "id": who }, "f": from, "t": to, "m": metric }),
            )
            .await;
        let c = &data(&body)["kpiTickets"];
        assert_eq!(&c["totalCount"], figure, "{metric}");
        assert_eq!(
            c["nodes"].as_array().map(Vec::len),
            figure.as_u64().map(|n| n as usize),
            "{metric}"
        );
    }
}

const REVIEW: &str = "mutation($t: ID!, $c: ID!, $s: [QualityScoreInput!]!) {
    reviewTicketQuality(ticketId: $t, scorecardId: $c, scores: $s) { id total agent { email } } }";

async fn scorecard(app: &TestApp, manager: &str) -> String {
    let body = app
        .gql(
            Some(manager),
            "mutation { createQualityScorecard(name: \"Calls\", criteria: [
                { key: \"greeting\", label: \"Greeting\", weight: 1 },
                { key: \"accuracy\", label: \"Accuracy\", weight: 3 }]) { id criteria { key weight } } }",
            json!({}),
        )
        .await;
    data(&body)["createQualityScorecard"]["id"]
        .as_str()
        .expect("scorecard")
        .to_owned()
}

fn scores(greeting: i32, accuracy: i32) -> Value {
    json!([{ "key": "greeting", "score": greeting }, { "key": "accuracy", "score": accuracy }])
}

/// A ticket `token`'s holder creates, acknowledges and resolves.
async fn resolved_by(app: &TestApp, token: &str) -> String {
    let id = create_ticket(
        app,
        token,
        json!({ "i": { "kind": "INQUIRY", "channel": "PHONE", "subject": "Q",
            "description": "d", "customer": { "name": "Zhao", "phone": "13600003333" } } }),
    )
    .await;
    for m in [
        ACKNOWLEDGE,
        "mutation($id: ID!) { resolveTicket(id: $id, solution: \"Done.\") { id } }",
    ] {
        data(&app.gql(Some(token), m, json!({ "id": id })).await);
    }
    id
}

#[tokio::test]
async fn inspections_are_weighted_never_of_ones_own_work_and_acknowledged_once() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let sam = app.login(SAM).await;
    let bella = app.login(BELLA).await;
    let aaron = app.login(AARON).await;
    let card = scorecard(&app, &manager).await;

    let bellas = resolved_by(&app, &bella).await;
    let done = app
        .gql(
            Some(&sam),
            REVIEW,
            json!({ "t": bellas, "c": card, "s": scores(40, 80) }),
        )
        .await;
    let review = &data(&done)["reviewTicketQuality"];
    assert_eq!(review["agent"]["email"], BELLA);
    assert!((review["total"].as_f64().unwrap() - 70.0).abs() < 1e-9);
    let again = app
        .gql(
            Some(&sam),
            REVIEW,
            json!({ "t": bellas, "c": card, "s": scores(40, 80) }),
        )
        .await;
    assert_eq!(
        error_code(&again),
        Some("CONFLICT"),
        "inspected once: {again}"
    );

    // A supervisor's own work is inspected by someone else.
    let sams = resolved_by(&app, &sam).await;
    let own = app
        .gql(
            Some(&sam),
            REVIEW,
            json!({ "t": sams, "c": card, "s": scores(90, 90) }),
        )
        .await;
    assert_eq!(error_code(&own), Some("FORBIDDEN"), "{own}");
    // Agents do not inspect at all.
    let agent = app
        .gql(
            Some(&aaron),
            REVIEW,
            json!({ "t": bellas, "c": card, "s": scores(1, 1) }),
        )
        .await;
    assert_eq!(error_code(&agent), Some("FORBIDDEN"));

    // Bella reads her own reviews, not Aaron's, and disputes hers once.
    let aaron_id = app.user_id(AARON).await;
    let others = app
        .gql(
            Some(&bella),
            "query($a: ID) { qualityReviews(agentId: $a) { id } }",
            json!({ "a": aaron_id }),
        )
        .await;
    assert_eq!(error_code(&others), Some("FORBIDDEN"));
    let mine = app
        .gql(Some(&bella), "{ qualityReviews { id total } }", json!({}))
        .await;
    let mine = data(&mine)["qualityReviews"].clone();
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    const ACK: &str = "mutation($id: ID!, $d: String) { acknowledgeQualityReview(id: $id, dispute: $d) { acknowledgedAt dispute } }";
    let acked = app
        .gql(
            Some(&bella),
            ACK,
            json!({ "id": mine[0]["id"], "d": "The customer hung up first." }),
        )
        .await;
    assert_eq!(
        data(&acked)["acknowledgeQualityReview"]["dispute"],
        "The customer hung up first."
    );
    let twice = app
        .gql(Some(&bella), ACK, json!({ "id": mine[0]["id"] }))
        .await;
    assert_eq!(error_code(&twice), Some("CONFLICT"));
    // The dispute waits for the leads, and nobody else sees it.
    let disputes = app
        .gql(
            Some(&manager),
            "{ qualityReviews(disputedOnly: true) { dispute agent { email } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&disputes)["qualityReviews"],
        json!([{ "dispute": "The customer hung up first.", "agent": { "email": BELLA } }])
    );
}

#[tokio::test]
async fn the_sample_is_random_reproducible_and_never_returns_inspected_tickets() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let sam = app.login(SAM).await;
    let bella = app.login(BELLA).await;
    let card = scorecard(&app, &manager).await;
    let mut resolved = Vec::new();
    for _ in 0..6 {
        resolved.push(resolved_by(&app, &bella).await);
    }
    let (from, to) = period();
    const SAMPLE: &str = "query($f: DateTime!, $t: DateTime!, $n: Int!, $s: Int) {
        qualitySample(from: $f, to: $t, size: $n, seed: $s) { id } }";
    let draw = |seed: i64| {
        let (from, to, sam) = (from.clone(), to.clone(), sam.clone());
        let app = &app;
        async move {
            let body = app
                .gql(
                    Some(&sam),
                    SAMPLE,
                    json!({ "f": from, "t": to, "n": 3, "s": seed }),
                )
                .await;
            data(&body)["qualitySample"]
                .as_array()
                .expect("sample")
                .iter()
                .map(|t| t["id"].as_str().expect("id").to_owned())
                .collect::<Vec<_>>()
        }
    };
    let first = draw(7).await;
    assert_eq!(first.len(), 3);
    assert_eq!(first, draw(7).await, "same seed, same sample");
    let seeds: Vec<Vec<String>> = futures_util::future::join_all((1..=8).map(draw)).await;
    assert!(
        seeds.iter().any(|s| s != &first),
        "different seeds draw different samples"
    );

    let inspected = first[0].clone();
    data(
        &app.gql(
            Some(&sam),
            REVIEW,
            json!({ "t": inspected, "c": card, "s": scores(90, 90) }),
        )
        .await,
    );
    for seed in 1..=8 {
        assert!(!draw(seed).await.contains(&inspected));
    }
    let too_big = app
        .gql(Some(&sam), SAMPLE, json!({ "f": from, "t": to, "n": 101 }))
        .await;
    assert_eq!(error_code(&too_big), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn a_low_rolling_quality_average_enrolls_the_agent_in_training_once() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let sam = app.login(SAM).await;
    let bella = app.login(BELLA).await;
    let bella_id = app.user_id(BELLA).await;
    let card = scorecard(&app, &manager).await;
    let session = skills_session(&app, &manager).await;

    let records = || {
        let (manager, bella_id) = (manager.clone(), bella_id.clone());
        let session = session.clone();
        let app = &app;
        async move {
            let body = app
                .gql(
                    Some(&manager),
                    "query($e: ID!) { trainingRecords(employeeId: $e) { session { id } } }",
                    json!({ "e": bella_id }),
                )
                .await;
            data(&body)["trainingRecords"]
                .as_array()
                .expect("records")
                .iter()
                .filter(|r| r["session"]["id"] == session)
                .count()
        }
    };

    // Two poor inspections are not yet a trend; the third is.
    for (i, expected) in [(0, 0), (1, 0), (2, 1), (3, 1)] {
        let t = resolved_by(&app, &bella).await;
        data(
            &app.gql(
                Some(&sam),
                REVIEW,
                json!({ "t": t, "c": card, "s": scores(20, 30) }),
            )
            .await,
        );
        assert_eq!(records().await, expected, "after inspection {}", i + 1);
    }
}

/// A new service-skills course (the newest, so the one the alert picks) with a session ahead;
/// returns the session's id.
async fn skills_session(app: &TestApp, manager: &str) -> Value {
    let trainer_id = app.user_id(TRAINER).await;
    let course = app
        .gql(
            Some(manager),
            "mutation { createCourse(input: { title: \"Calm calls\", category: SERVICE_SKILLS,
                requiredForRoles: [], passScore: 60 }) { id } }",
            json!({}),
        )
        .await;
    let course = data(&course)["createCourse"]["id"].clone();
    let starts = chrono::Utc::now() + chrono::Duration::days(7);
    let session = app
        .gql(
            Some(manager),
            "mutation($i: SessionInput!) { scheduleSession(input: $i) { id } }",
            json!({ "i": { "courseId": course, "trainerId": trainer_id, "startsAt": starts.to_rfc3339(),
                "endsAt": (starts + chrono::Duration::hours(2)).to_rfc3339(), "mode": "ONLINE", "capacity": 5 } }),
        )
        .await;
    data(&session)["scheduleSession"]["id"].clone()
}

#[tokio::test]
async fn the_quality_alert_threshold_is_the_configured_one() {
    // With the threshold at 0 no average is ever under it: the same three failing inspections
    // that enroll Bella at the default threshold (the test above) enroll nobody.
    let app = TestApp::spawn_with(|s| s.quality_alert_threshold = 0.0).await;
    let manager = app.login(MANAGER).await;
    let sam = app.login(SAM).await;
    let bella = app.login(BELLA).await;
    let card = scorecard(&app, &manager).await;
    let session = skills_session(&app, &manager).await;
    for _ in 0..3 {
        let t = resolved_by(&app, &bella).await;
        data(
            &app.gql(
                Some(&sam),
                REVIEW,
                json!({ "t": t, "c": card, "s": scores(0, 0) }),
            )
            .await,
        );
    }
    let bella_id = app.user_id(BELLA).await;
    let body = app
        .gql(
            Some(&manager),
            "query($e: ID!) { trainingRecords(employeeId: $e) { session { id } } }",
            json!({ "e": bella_id }),
        )
        .await;
    let seats = data(&body)["trainingRecords"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["session"]["id"] == session)
        .count();
    assert_eq!(seats, 0);
}
