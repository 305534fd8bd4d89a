//! The use cases called directly, as the seed, a background job or a future transport would:
//! they check what the actor may do themselves (the GraphQL guards are a first line, not the
//! only one), and they stamp what they record with the application's clock.
#![expect(clippy::expect_used, reason = "a test's setup fails loudly")]

use careline_app::auth::Viewer;
use careline_app::{
    App, AppError, Clock, calendars, conversation, floor, people, quality, reviews, surveys,
    time_accounting, training,
};
use careline_domain::Role;
use std::sync::Arc;
use uuid::Uuid;

async fn seeded() -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/careline.db?mode=rwc", dir.path().display());
    let opened = careline_app::storage::open(&url).await.expect("database");
    // The directory must outlive the test's database.
    std::mem::forget(dir);
    let app = App::new(
        opened.db,
        Arc::new(Clock::default()),
        Arc::new(tokio::sync::Notify::new()),
    );
    careline_app::seed::demo_if_empty(&app)
        .await
        .expect("demo seed");
    app
}

async fn viewer(app: &App, email: &str) -> Viewer {
    let user = careline_persistence::users::find_by_email(&app.db, email)
        .await
        .expect("lookup")
        .expect("a demo account");
    Viewer {
        user,
        token_expires_at: chrono::Utc::now(),
    }
}

fn forbidden<T: std::fmt::Debug>(what: &str, result: Result<T, AppError>) {
    match result {
        Err(AppError::Forbidden(_)) => {}
        other => panic!("{what}: expected FORBIDDEN, got {other:?}"),
    }
}

#[tokio::test]
async fn use_cases_refuse_an_actor_without_the_permission_whoever_calls_them() {
    let app = seeded().await;
    let agent = viewer(&app, "agent.a1@careline.example").await;
    assert!(agent.roles().has_any(&[Role::Agent]));
    let nowhere = Uuid::now_v7();
    let hours = || calendars::CalendarRequest {
        name: "Night shift".into(),
        time_zone: "Asia/Shanghai".into(),
        windows: "Mon-Fri 18:00-23:00".into(),
    };
    forbidden(
        "create a calendar",
        calendars::create(&app, &agent, hours()).await,
    );
    forbidden(
        "change a calendar",
        calendars::update(&app, &agent, nowhere, hours(), None).await,
    );
    forbidden(
        "set a calendar's days",
        calendars::set_days(&app, &agent, nowhere, 2027, Vec::new(), None).await,
    );
    forbidden(
        "give a department a calendar",
        calendars::set_department_calendar(&app, &agent, nowhere, nowhere).await,
    );
    forbidden(
        "change an SLA policy",
        floor::upsert_policy(
            &app,
            &agent,
            floor::PolicyRequest {
                name: "Fast".into(),
                kind: careline_domain::ticket::TicketKind::Inquiry,
                severity: None,
                first_response_minutes: 1,
                resolution_minutes: 2,
                calendar: floor::PolicyCalendar::Id(nowhere),
            },
        )
        .await,
    );
    forbidden(
        "create a department",
        people::create_department(
            &app,
            &agent,
            "Shadow IT",
            careline_domain::org::DepartmentKind::Sales,
            None,
        )
        .await,
    );
    forbidden(
        "create a team",
        people::create_team(&app, &agent, "Shadow", nowhere, None).await,
    );
    forbidden(
        "close a survey",
        surveys::close(&app, &agent, nowhere).await,
    );
    let customer = viewer(&app, "li.lei@example.com").await;
    forbidden("list surveys", surveys::list(&app, &customer).await);
    forbidden(
        "read the escalations",
        floor::escalations(&app, &customer, false, None, 10).await,
    );
    forbidden(
        "read scorecards",
        quality::scorecards(&app, &customer).await,
    );
    forbidden("read calendars", calendars::list(&app, &customer).await);
    forbidden("read review cycles", reviews::cycles(&app, &customer).await);
    forbidden(
        "edit a message template",
        conversation::upsert_template(
            &app,
            &agent,
            conversation::TemplateEdit {
                event: careline_domain::notice::NotificationEvent::AgentReply,
                channel: careline_domain::notice::NotificationChannel::App,
                language: "en".into(),
                subject: None,
                body: "hi".into(),
            },
        )
        .await,
    );
    forbidden(
        "read failed deliveries",
        conversation::failed_deliveries(&app, &agent, None, 10).await,
    );
    forbidden(
        "promise an answer",
        conversation::promise_answer(&app, &customer, nowhere, chrono::Utc::now(), None).await,
    );
    assert!(
        time_accounting::entries(&app, &customer, nowhere)
            .await
            .expect("customers read no time entries")
            .is_empty()
    );
    forbidden(
        "read the course catalogue",
        training::courses(&app, &customer).await,
    );
    forbidden(
        "enrol someone",
        training::enroll(&app, &agent, nowhere, agent.id()).await,
    );
    forbidden(
        "assess a trainee",
        training::record_assessment(&app, &agent, nowhere, 90, 90).await,
    );
    let colleague = viewer(&app, "agent.a2@careline.example").await;
    let reader = training::reader(&agent, Vec::new()).expect("staff read training");
    forbidden(
        "read a colleague's training records",
        training::records_of(&app, &reader, colleague.id()).await,
    );
    forbidden(
        "read a colleague's compliance",
        training::compliance(&app, &reader, colleague.id())
            .await
            .map(|_| ()),
    );
    // The same calls succeed for someone who may.
    let admin = viewer(&app, "admin@careline.example").await;
    calendars::create(&app, &admin, hours())
        .await
        .expect("an admin manages calendars");
}

#[tokio::test]
async fn enrolments_and_review_steps_are_stamped_by_the_application_clock() {
    let app = seeded().await;
    let manager = viewer(&app, "manager@careline.example").await;
    let agent = viewer(&app, "agent.b1@careline.example").await;
    let later = app.now() + chrono::Duration::days(40);
    app.clock.advance(later - app.now());
    let near = |at: chrono::DateTime<chrono::Utc>| (at - later).num_seconds().abs() < 60;
    // A session with a seat the agent does not hold yet.
    let mut enrolled = None;
    for session in training::sessions(&app, &manager, None, None)
        .await
        .expect("sessions")
    {
        if let Ok(record) = training::enroll(&app, &manager, session.id, agent.id()).await {
            enrolled = Some(record);
            break;
        }
    }
    let record = enrolled.expect("a session with a free seat");
    assert!(
        near(record.enrolled_at),
        "enrolled at {}, now {later}",
        record.enrolled_at
    );
    let cycle = reviews::create_cycle(
        &app,
        &manager,
        "2027 Q1",
        later - chrono::Duration::days(90),
        later,
    )
    .await
    .expect("a cycle");
    let review = reviews::submit_self_assessment(&app, &agent, cycle.id, "I closed 300 tickets.")
        .await
        .expect("a self assessment");
    let at = review.row.self_submitted_at.expect("submitted");
    assert!(near(at), "self assessment at {at}, now {later}");
    assert!(
        near(review.row.created_at),
        "review created at {}",
        review.row.created_at
    );
}

#[tokio::test]
async fn courses_sessions_record_changes_and_every_review_step_follow_the_application_clock() {
    let app = seeded().await;
    let trainer = viewer(&app, "trainer@careline.example").await;
    let manager = viewer(&app, "manager@careline.example").await;
    let agent = viewer(&app, "agent.a2@careline.example").await;
    let peer = viewer(&app, "agent.a1@careline.example").await;
    let later = app.now() + chrono::Duration::days(40);
    app.clock.advance(later - app.now());
    let near = |at: chrono::DateTime<chrono::Utc>| (at - later).num_seconds().abs() < 60;

    let course = training::create_course(
        &app,
        &trainer,
        training::CourseRequest {
            title: "Callbacks that land".into(),
            category: careline_domain::training::CourseCategory::ServiceSkills,
            required_for_roles: Vec::new(),
            pass_score: 60,
            validity_months: None,
        },
    )
    .await
    .expect("a course");
    assert!(near(course.created_at), "course at {}", course.created_at);
    let starts = later + chrono::Duration::days(3);
    let session = training::schedule_session(
        &app,
        &trainer,
        training::SessionRequest {
            course_id: course.id,
            trainer_id: trainer.id(),
            starts_at: starts,
            ends_at: starts + chrono::Duration::hours(2),
            mode: careline_domain::training::TrainingMode::Online,
            capacity: 5,
            location: None,
        },
    )
    .await
    .expect("a session");
    assert!(
        near(session.created_at),
        "session at {}",
        session.created_at
    );
    let record = training::enroll(&app, &trainer, session.id, agent.id())
        .await
        .expect("enrolled");
    // A day later, so a stamp that merely equals the enrolment's would not pass.
    app.clock.advance(chrono::Duration::days(1));
    let later = later + chrono::Duration::days(1);
    let near = |at: chrono::DateTime<chrono::Utc>| (at - later).num_seconds().abs() < 60;
    let attended = training::record_attendance(&app, &trainer, record.id, true)
        .await
        .expect("attendance");
    assert!(
        near(attended.updated_at),
        "attendance recorded at {}",
        attended.updated_at
    );

    let cycle = reviews::create_cycle(
        &app,
        &manager,
        "2027 H1",
        later - chrono::Duration::days(180),
        later,
    )
    .await
    .expect("a cycle");
    assert!(near(cycle.created_at), "cycle at {}", cycle.created_at);
    reviews::submit_self_assessment(&app, &agent, cycle.id, "Fewer callbacks.")
        .await
        .expect("a self assessment");
    reviews::submit_peer_assessment(&app, &peer, cycle.id, agent.id(), "Always calm.")
        .await
        .expect("a peer assessment");
    let assessed =
        reviews::submit_manager_assessment(&app, &manager, cycle.id, agent.id(), "Steady half.")
            .await
            .expect("a manager assessment");
    let at = assessed.row.manager_submitted_at.expect("submitted");
    assert!(near(at), "manager assessment at {at}");
    let done = reviews::finalize(
        &app,
        &manager,
        cycle.id,
        agent.id(),
        reviews::Conclusion {
            score: 80.0,
            star_rating: 4,
            outcome: "REWARD",
            recommended_course_ids: Vec::new(),
        },
    )
    .await
    .expect("finalized");
    let at = done.row.finalized_at.expect("finalized");
    assert!(near(at), "finalized at {at}");
    let peers = careline_persistence::reviews::peers_of(&app.db, &[done.row.id])
        .await
        .expect("peer assessments");
    assert_eq!(peers.len(), 1);
    assert!(
        near(peers[0].created_at),
        "peer assessment at {}",
        peers[0].created_at
    );
}
