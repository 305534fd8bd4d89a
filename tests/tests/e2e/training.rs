//! Training end to end: courses and sessions, enrollment, attendance and two-stage assessment,
//! expiry, feedback, compliance, onboarding of new staff, and who may read whose training.

use careline_tests::kit::{
    AARON, ADMIN, ALICE, BELLA, CREATE_USER, LEGAL, LI_LEI, MANAGER, SAM, SUE, TECH, TRAINER, time,
};
use careline_tests::{TestApp, data, error_code};
use chrono::{DateTime, Duration, Months, SubsecRound, Utc};
use serde_json::{Value, json};

const CREATE_COURSE: &str = "mutation($i: CourseInput!) { createCourse(input: $i) {
    id title category requiredForRoles passScore validityMonths } }";
const SCHEDULE: &str = "mutation($i: SessionInput!) { scheduleSession(input: $i) {
    id startsAt endsAt mode capacity location trainer { email } course { title } } }";
const ENROLL: &str = "mutation($s: ID!, $e: ID!) { enroll(sessionId: $s, employeeId: $e) {
    id status employee { email } session { id } } }";
const ATTEND: &str =
    "mutation($r: ID!, $a: Boolean!) { recordAttendance(recordId: $r, attended: $a) {
    id status } }";
const ASSESS: &str = "mutation($r: ID!, $p: Int!, $s: Int!) {
    recordAssessment(recordId: $r, input: { processScore: $p, resultScore: $s }) {
    id status processScore resultScore completedAt expiresAt } }";
const FEEDBACK: &str =
    "mutation($r: ID!, $f: String!) { submitTrainingFeedback(recordId: $r, feedback: $f) {
    id feedback } }";
const RECORDS: &str = "query($e: ID!) { trainingRecords(employeeId: $e) {
    id status session { id course { title } } } }";
const COMPLIANCE: &str = "query($e: ID!) { trainingCompliance(employeeId: $e) {
    employee { email } compliant items { course { title } status expiresAt } } }";

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

struct Trainer<'a> {
    app: &'a TestApp,
    token: String,
    id: String,
}

impl<'a> Trainer<'a> {
    async fn new(app: &'a TestApp) -> Trainer<'a> {
        Trainer {
            app,
            token: app.login(TRAINER).await,
            id: app.user_id(TRAINER).await,
        }
    }

    async fn gql(&self, query: &str, variables: Value) -> Value {
        self.app.gql(Some(&self.token), query, variables).await
    }

    async fn course(
        &self,
        title: &str,
        category: &str,
        roles: &[&str],
        pass_score: i32,
        validity: Option<i32>,
    ) -> String {
        let body = self
            .gql(
                CREATE_COURSE,
                json!({ "i": { "title": title, "category": category, "requiredForRoles": roles,
                    "passScore": pass_score, "validityMonths": validity } }),
            )
            .await;
        data(&body)["createCourse"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A two-hour session starting at `starts`; returns the session as created.
    async fn session(&self, course: &str, starts: DateTime<Utc>, capacity: i32) -> Value {
        let body = self
            .gql(
                SCHEDULE,
                json!({ "i": { "courseId": course, "trainerId": self.id,
                    "startsAt": starts.to_rfc3339(), "endsAt": (starts + Duration::hours(2)).to_rfc3339(),
                    "mode": "CLASSROOM", "capacity": capacity, "location": "Room 3" } }),
            )
            .await;
        data(&body)["scheduleSession"].clone()
    }

    async fn enroll(&self, session: &Value, employee: &str) -> String {
        let body = self
            .gql(ENROLL, json!({ "s": session["id"], "e": employee }))
            .await;
        data(&body)["enroll"]["id"].as_str().unwrap().to_owned()
    }

    async fn attend(&self, record: &str, attended: bool) -> Value {
        self.gql(ATTEND, json!({ "r": record, "a": attended }))
            .await
    }

    async fn assess(&self, record: &str, process: i32, result: i32) -> Value {
        self.gql(ASSESS, json!({ "r": record, "p": process, "s": result }))
            .await
    }

    /// Enrolls, marks attended and assesses in one go; returns the record id.
    async fn pass(&self, session: &Value, employee: &str, result: i32) -> String {
        let record = self.enroll(session, employee).await;
        data(&self.attend(&record, true).await);
        data(&self.assess(&record, 80, result).await);
        record
    }
}

fn field(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["field"].as_str()
}

#[tokio::test]
async fn courses_and_sessions_are_validated_and_taught_by_a_trainer() {
    let app = TestApp::spawn().await;
    let t = Trainer::new(&app).await;
    let agent = app.login(ALICE).await;
    let agent_id = app.user_id(ALICE).await;

    let input = |pass: i32, validity: Option<i32>| {
        json!({ "i": { "title": "Ethics", "category": "ETHICS", "requiredForRoles": ["AGENT"],
            "passScore": pass, "validityMonths": validity } })
    };
    for (pass, validity, bad) in [
        (101, None, "input.passScore"),
        (-1, None, "input.passScore"),
        (60, Some(0), "input.validityMonths"),
    ] {
        let body = t.gql(CREATE_COURSE, input(pass, validity)).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(field(&body), Some(bad), "{body}");
    }
    let body = app.gql(Some(&agent), CREATE_COURSE, input(60, None)).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = t.gql(CREATE_COURSE, input(60, Some(12))).await;
    let course = &data(&body)["createCourse"];
    assert_eq!(course["category"], "ETHICS");
    assert_eq!(course["requiredForRoles"], json!(["AGENT"]));
    assert_eq!(course["validityMonths"], 12);
    let course = course["id"].clone();

    let starts = now() + Duration::days(3);
    let session = |ends: DateTime<Utc>, capacity: i32, trainer: &str| {
        json!({ "i": { "courseId": course, "trainerId": trainer, "startsAt": starts.to_rfc3339(),
            "endsAt": ends.to_rfc3339(), "mode": "ONLINE", "capacity": capacity } })
    };
    let later = starts + Duration::hours(1);
    for (vars, bad) in [
        (session(starts, 5, &t.id), "input.endsAt"),
        (
            session(starts - Duration::hours(1), 5, &t.id),
            "input.endsAt",
        ),
        (session(later, 0, &t.id), "input.capacity"),
        (session(later, 5, &agent_id), "input.trainerId"),
    ] {
        let body = t.gql(SCHEDULE, vars).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(field(&body), Some(bad), "{body}");
    }
    let body = app
        .gql(Some(&agent), SCHEDULE, session(later, 5, &t.id))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));

    // A manager schedules too; the trainer named must still hold TRAINER.
    let manager = app.login(MANAGER).await;
    let body = app
        .gql(Some(&manager), SCHEDULE, session(later, 5, &t.id))
        .await;
    let created = &data(&body)["scheduleSession"];
    assert_eq!(created["trainer"]["email"], TRAINER);
    assert_eq!(created["course"]["title"], "Ethics");
    assert_eq!(created["mode"], "ONLINE");
    assert_eq!(time(&created["startsAt"]), starts);

    let body = t
        .gql(
            "query($f: DateTime, $t: DateTime) { trainingSessions(from: $f, to: $t) { id } }",
            json!({ "f": (starts - Duration::minutes(1)).to_rfc3339(),
                "t": (starts + Duration::minutes(1)).to_rfc3339() }),
        )
        .await;
    assert_eq!(
        data(&body)["trainingSessions"],
        json!([{ "id": created["id"] }])
    );
    let body = t.gql("{ trainingCourses { title } }", json!({})).await;
    let titles = data(&body)["trainingCourses"].as_array().unwrap().clone();
    assert!(titles.contains(&json!({ "title": "Ethics" })));
}

#[tokio::test]
async fn enrollment_refuses_duplicates_and_full_sessions_even_when_concurrent() {
    let app = TestApp::spawn().await;
    let t = Trainer::new(&app).await;
    let a1 = app.user_id(ALICE).await;
    let a2 = app.user_id(AARON).await;
    let b1 = app.user_id(BELLA).await;
    let tech = app.user_id(TECH).await;
    let course = t
        .course("Product basics", "PRODUCT_KNOWLEDGE", &[], 50, None)
        .await;
    let session = t.session(&course, now() + Duration::days(2), 2).await;
    t.enroll(&session, &a1).await;
    let body = t.gql(ENROLL, json!({ "s": session["id"], "e": a1 })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already enrolled")
    );
    t.enroll(&session, &a2).await;
    let body = t.gql(ENROLL, json!({ "s": session["id"], "e": b1 })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("full")
    );

    // Four people race for one seat: exactly one gets it.
    let one_seat = t.session(&course, now() + Duration::days(3), 1).await;
    let attempts =
        [&a1, &a2, &b1, &tech].map(|e| t.gql(ENROLL, json!({ "s": one_seat["id"], "e": e })));
    let results = futures_util::future::join_all(attempts).await;
    let won = results.iter().filter(|b| b.get("errors").is_none()).count();
    assert_eq!(won, 1, "{results:?}");
    for lost in results.iter().filter(|b| b.get("errors").is_some()) {
        assert_eq!(error_code(lost), Some("CONFLICT"), "{lost}");
    }
    let body = t
        .gql(
            "{ trainingSessions { id enrolled capacity records { id } } }",
            json!({}),
        )
        .await;
    let sessions = data(&body)["trainingSessions"].as_array().unwrap().clone();
    let seat = sessions.iter().find(|s| s["id"] == one_seat["id"]).unwrap();
    assert_eq!(seat["enrolled"], 1);
    assert_eq!(seat["records"].as_array().unwrap().len(), 1);

    // Customers and unknown sessions are refused.
    let customer = app.user_id(LI_LEI).await;
    let body = t
        .gql(ENROLL, json!({ "s": session["id"], "e": customer }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let body = t
        .gql(
            ENROLL,
            json!({ "s": uuid::Uuid::now_v7().to_string(), "e": a1 }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn attendance_comes_before_assessment_and_the_pass_score_decides() {
    let app = TestApp::spawn().await;
    let t = Trainer::new(&app).await;
    let [a1, a2, b1] = [ALICE, AARON, BELLA];
    let course = t
        .course("Complaint handling", "SERVICE_SKILLS", &[], 70, Some(12))
        .await;
    // A session given ten days ago, recorded afterwards.
    let starts = now() - Duration::days(10);
    let session = t.session(&course, starts, 10).await;
    let ends = time(&session["endsAt"]);
    let r1 = t.enroll(&session, &app.user_id(a1).await).await;
    let r2 = t.enroll(&session, &app.user_id(a2).await).await;
    let r3 = t.enroll(&session, &app.user_id(b1).await).await;

    let body = t.assess(&r1, 80, 90).await;
    assert_eq!(error_code(&body), Some("INVALID_TRANSITION"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["status"], "ENROLLED");

    let agent = app.login(a1).await;
    let body = app
        .gql(Some(&agent), ATTEND, json!({ "r": r1, "a": true }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));

    assert_eq!(
        data(&t.attend(&r1, true).await)["recordAttendance"]["status"],
        "ATTENDED"
    );
    assert_eq!(
        data(&t.attend(&r2, true).await)["recordAttendance"]["status"],
        "ATTENDED"
    );
    assert_eq!(
        data(&t.attend(&r3, false).await)["recordAttendance"]["status"],
        "ABSENT"
    );
    let body = t.attend(&r1, false).await;
    assert_eq!(error_code(&body), Some("INVALID_TRANSITION"));

    let body = t.assess(&r1, 50, 101).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(field(&body), Some("input.resultScore"));
    let body = t.assess(&r1, -1, 50).await;
    assert_eq!(field(&body), Some("input.processScore"));

    // Exactly the pass score passes; the pass lapses twelve months after the session ended.
    let body = t.assess(&r1, 60, 70).await;
    let passed = &data(&body)["recordAssessment"];
    assert_eq!(passed["status"], "PASSED");
    assert_eq!(passed["processScore"], 60);
    assert_eq!(passed["resultScore"], 70);
    assert_eq!(time(&passed["completedAt"]), ends);
    assert_eq!(
        time(&passed["expiresAt"]),
        ends.checked_add_months(Months::new(12)).unwrap()
    );

    let body = t.assess(&r2, 95, 69).await;
    let failed = &data(&body)["recordAssessment"];
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["expiresAt"], Value::Null);
    assert_eq!(time(&failed["completedAt"]), ends);

    for (record, status) in [(&r3, "ABSENT"), (&r1, "PASSED")] {
        let body = t.assess(record, 90, 90).await;
        assert_eq!(error_code(&body), Some("INVALID_TRANSITION"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["status"], status);
    }
}

#[tokio::test]
async fn only_a_trainee_who_attended_leaves_feedback() {
    let app = TestApp::spawn().await;
    let t = Trainer::new(&app).await;
    let course = t.course("Listening", "COMMUNICATION", &[], 50, None).await;
    let session = t.session(&course, now() - Duration::days(1), 5).await;
    let a1 = ALICE;
    let b1 = BELLA;
    let mine = t.enroll(&session, &app.user_id(a1).await).await;
    let absent = t.enroll(&session, &app.user_id(b1).await).await;
    let a1_token = app.login(a1).await;
    let b1_token = app.login(b1).await;
    let feedback = |token: &String, record: &String, text: &str| {
        let vars = json!({ "r": record, "f": text });
        let token = token.clone();
        let app = &app;
        async move { app.gql(Some(&token), FEEDBACK, vars).await }
    };

    let body = feedback(&a1_token, &mine, "Great").await;
    assert_eq!(error_code(&body), Some("INVALID_TRANSITION"), "{body}");
    data(&t.attend(&mine, true).await);
    let body = feedback(&a1_token, &mine, "  Useful role plays  ").await;
    assert_eq!(
        data(&body)["submitTrainingFeedback"]["feedback"],
        "Useful role plays"
    );
    // Still allowed after the assessment.
    data(&t.assess(&mine, 80, 80).await);
    let body = feedback(&a1_token, &mine, "Passed, thanks").await;
    assert_eq!(
        data(&body)["submitTrainingFeedback"]["feedback"],
        "Passed, thanks"
    );

    data(&t.attend(&absent, false).await);
    let body = feedback(&b1_token, &absent, "I was not there").await;
    assert_eq!(error_code(&body), Some("INVALID_TRANSITION"));
    // Nobody writes feedback in someone else's name; a colleague does not even see the record.
    let body = feedback(&b1_token, &mine, "Hijack").await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = t
        .gql(FEEDBACK, json!({ "r": mine, "f": "From the trainer" }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = feedback(&a1_token, &mine, "   ").await;
    assert_eq!(field(&body), Some("feedback"));
}

#[tokio::test]
async fn compliance_marks_each_required_course_ok_missing_expired_or_expiring() {
    let app = TestApp::spawn().await;
    let t = Trainer::new(&app).await;
    let liaison = app.user_id(LEGAL).await;
    // The seed requires nothing of liaisons and trainers, so these courses are all they have.
    let ethics = t
        .course("A ethics", "ETHICS", &["DEPARTMENT_LIAISON"], 60, None)
        .await;
    let law = t
        .course(
            "B law refresher",
            "LEGAL_COMPLIANCE",
            &["DEPARTMENT_LIAISON"],
            60,
            Some(12),
        )
        .await;
    let product = t
        .course("C product", "PRODUCT_KNOWLEDGE", &["TRAINER"], 60, None)
        .await;
    let safety = t
        .course("D safety", "LEGAL_COMPLIANCE", &["TRAINER"], 60, Some(12))
        .await;

    let s = t.session(&ethics, now() - Duration::days(3), 5).await;
    t.pass(&s, &liaison, 90).await;
    let s = t.session(&law, now() - Duration::days(350), 5).await;
    t.pass(&s, &liaison, 90).await;
    let expiring_at = time(&s["endsAt"])
        .checked_add_months(Months::new(12))
        .unwrap();
    // A failed attempt is not a pass.
    let s = t.session(&product, now() - Duration::days(3), 5).await;
    t.pass(&s, &t.id, 10).await;
    let s = t.session(&safety, now() - Duration::days(400), 5).await;
    t.pass(&s, &t.id, 90).await;
    let expired_at = time(&s["endsAt"])
        .checked_add_months(Months::new(12))
        .unwrap();

    let body = t.gql(COMPLIANCE, json!({ "e": liaison })).await;
    let c = &data(&body)["trainingCompliance"];
    assert_eq!(c["employee"]["email"], LEGAL);
    assert_eq!(c["compliant"], true, "an expiring pass is still valid: {c}");
    let items = c["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{c}");
    assert_eq!(items[0]["course"]["title"], "A ethics");
    assert_eq!(items[0]["status"], "OK");
    assert_eq!(items[0]["expiresAt"], Value::Null);
    assert_eq!(items[1]["course"]["title"], "B law refresher");
    assert_eq!(items[1]["status"], "EXPIRING");
    assert_eq!(time(&items[1]["expiresAt"]), expiring_at);

    let body = t.gql(COMPLIANCE, json!({ "e": t.id })).await;
    let c = &data(&body)["trainingCompliance"];
    assert_eq!(c["compliant"], false, "{c}");
    let items = c["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{c}");
    assert_eq!(items[0]["course"]["title"], "C product");
    assert_eq!(items[0]["status"], "MISSING");
    assert_eq!(items[1]["course"]["title"], "D safety");
    assert_eq!(items[1]["status"], "EXPIRED");
    assert_eq!(time(&items[1]["expiresAt"]), expired_at);
}

#[tokio::test]
async fn the_demo_seed_has_passed_failed_expiring_and_expired_training() {
    let app = TestApp::spawn().await;
    let t = Trainer::new(&app).await;
    let status = |c: &Value, title: &str| {
        c["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["course"]["title"] == title)
            .map(|i| i["status"].as_str().unwrap().to_owned())
    };
    let a1 = app.user_id(ALICE).await;
    let body = t.gql(COMPLIANCE, json!({ "e": a1 })).await;
    let c = data(&body)["trainingCompliance"].clone();
    assert_eq!(status(&c, "Welcome to Careline").as_deref(), Some("OK"));
    assert_eq!(
        status(&c, "Consumer protection law").as_deref(),
        Some("EXPIRED")
    );
    assert_eq!(c["compliant"], false);
    let a2 = app.user_id(AARON).await;
    let body = t.gql(COMPLIANCE, json!({ "e": a2 })).await;
    let c = data(&body)["trainingCompliance"].clone();
    assert_eq!(
        status(&c, "Handling complaints with care").as_deref(),
        Some("MISSING"),
        "a failed attempt: {c}"
    );
    assert_eq!(
        status(&c, "Consumer protection law").as_deref(),
        Some("EXPIRING")
    );
    let body = t.gql(RECORDS, json!({ "e": a2 })).await;
    let statuses: Vec<&str> = data(&body)["trainingRecords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"PASSED") && statuses.contains(&"FAILED"),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_new_agent_is_enrolled_in_the_next_onboarding_session_with_a_free_seat() {
    let app = TestApp::spawn().await;
    let t = Trainer::new(&app).await;
    let onboarding = t
        .course("Onboarding for agents", "ONBOARDING", &["AGENT"], 60, None)
        .await;
    let for_trainers = t
        .course(
            "Onboarding for trainers",
            "ONBOARDING",
            &["TRAINER"],
            60,
            None,
        )
        .await;
    let not_onboarding = t
        .course("Agent skills", "SERVICE_SKILLS", &["AGENT"], 60, None)
        .await;
    t.session(&onboarding, now() - Duration::days(5), 10).await;
    let full = t.session(&onboarding, now() + Duration::days(3), 1).await;
    t.enroll(&full, &app.user_id(ALICE).await).await;
    let next = t.session(&onboarding, now() + Duration::days(10), 10).await;
    t.session(&onboarding, now() + Duration::days(20), 10).await;
    t.session(&for_trainers, now() + Duration::days(2), 10)
        .await;
    t.session(&not_onboarding, now() + Duration::days(2), 10)
        .await;

    let admin = app.login(ADMIN).await;
    let body = app
        .gql(
            Some(&admin),
            CREATE_USER,
            json!({ "i": { "email": "newbie@careline.example", "name": "New Agent",
                "password": "a fine passphrase", "roles": ["AGENT"] } }),
        )
        .await;
    let newbie = data(&body)["createUser"]["id"].clone();

    let body = t.gql(RECORDS, json!({ "e": newbie })).await;
    let records = data(&body)["trainingRecords"].as_array().unwrap().clone();
    let courses: Vec<&str> = records
        .iter()
        .map(|r| r["session"]["course"]["title"].as_str().unwrap())
        .collect();
    assert!(
        courses.contains(&"Welcome to Careline"),
        "the seeded one: {courses:?}"
    );
    assert!(!courses.contains(&"Onboarding for trainers"), "{courses:?}");
    assert!(!courses.contains(&"Agent skills"), "{courses:?}");
    let ours: Vec<&Value> = records
        .iter()
        .filter(|r| r["session"]["course"]["title"] == "Onboarding for agents")
        .collect();
    assert_eq!(ours.len(), 1, "{records:?}");
    assert_eq!(ours[0]["session"]["id"], next["id"]);
    assert_eq!(ours[0]["status"], "ENROLLED");

    // A new trainer is not an agent: only the trainers' onboarding.
    let body = app
        .gql(
            Some(&admin),
            CREATE_USER,
            json!({ "i": { "email": "coach@careline.example", "name": "New Trainer",
                "password": "a fine passphrase", "roles": ["TRAINER"] } }),
        )
        .await;
    let coach = data(&body)["createUser"]["id"].clone();
    let body = t.gql(RECORDS, json!({ "e": coach })).await;
    let titles: Vec<Value> = data(&body)["trainingRecords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["session"]["course"]["title"].clone())
        .collect();
    assert_eq!(titles, vec![json!("Onboarding for trainers")]);
}

#[tokio::test]
async fn people_read_their_own_training_and_leads_their_peoples() {
    let app = TestApp::spawn().await;
    let a1 = app.user_id(ALICE).await;
    let b1 = app.user_id(BELLA).await;
    let read = |email: &'static str, employee: String| {
        let app = &app;
        async move {
            let token = app.login(email).await;
            let records = app
                .gql(Some(&token), RECORDS, json!({ "e": employee }))
                .await;
            let compliance = app
                .gql(Some(&token), COMPLIANCE, json!({ "e": employee }))
                .await;
            (records, compliance)
        }
    };
    let allowed = [
        (ALICE, a1.clone()),
        (SAM, a1.clone()),
        (SUE, b1.clone()),
        (TRAINER, a1.clone()),
        (MANAGER, b1.clone()),
        (ADMIN, a1.clone()),
    ];
    for (email, employee) in allowed {
        let (records, compliance) = read(email, employee).await;
        assert!(
            !data(&records)["trainingRecords"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{email}: {records}"
        );
        data(&compliance);
    }
    let refused = [
        (AARON, a1.clone()),
        (SAM, b1.clone()),
        (LEGAL, a1.clone()),
        (LI_LEI, a1.clone()),
    ];
    for (email, employee) in refused {
        let (records, compliance) = read(email, employee).await;
        assert_eq!(
            error_code(&records),
            Some("FORBIDDEN"),
            "{email}: {records}"
        );
        assert_eq!(error_code(&compliance), Some("FORBIDDEN"), "{email}");
    }
    let (records, compliance) = read(MANAGER, uuid::Uuid::now_v7().to_string()).await;
    assert_eq!(error_code(&records), Some("NOT_FOUND"));
    assert_eq!(error_code(&compliance), Some("NOT_FOUND"));
    let customer = app.login(LI_LEI).await;
    let body = app
        .gql(Some(&customer), "{ trainingCourses { id } }", json!({}))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(None, "{ trainingSessions { id } }", json!({}))
        .await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));

    // A session's records show each reader only the people they may read. The seeded past
    // onboarding session has agents a1, a2, b1 (team B) and tech.
    let seen = |email: &'static str| {
        let app = &app;
        async move {
            let token = app.login(email).await;
            let body = app
                .gql(
                    Some(&token),
                    "{ trainingSessions { course { title } records { employee { email } } } }",
                    json!({}),
                )
                .await;
            let sessions = data(&body)["trainingSessions"].as_array().unwrap().clone();
            let mut emails: Vec<String> = sessions
                .iter()
                .filter(|s| s["course"]["title"] == "Welcome to Careline")
                .flat_map(|s| s["records"].as_array().unwrap().clone())
                .map(|r| r["employee"]["email"].as_str().unwrap().to_owned())
                .collect();
            emails.sort();
            emails
        }
    };
    assert_eq!(seen(ALICE).await, [ALICE]);
    assert_eq!(seen(SAM).await, [ALICE, AARON, TECH]);
    assert_eq!(seen(TRAINER).await.len(), 4);
}
