//! Training: courses, sessions, each person's records, and compliance. Every rule is asked of
//! `careline_domain::training`; storage is `careline_persistence::training`.

use super::error::{AppError, AppResult};
use super::tickets::stored;
use super::{Actor, App};
use careline_domain::training::{self as rules, CourseCategory, TrainingMode, TrainingStatus};
use careline_domain::{Action, Role};
use careline_persistence::entity::{training_course, training_record, training_session, user};
use careline_persistence::training::{self as store, SessionPlan};
use careline_persistence::users;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Most rows a training list returns.
pub const MAX_LIST: u64 = 100;

/// The status of a stored record.
pub fn status_of(record: &training_record::Model) -> AppResult<TrainingStatus> {
    stored(TrainingStatus::parse(&record.status), "training status")
}

/// Who is reading training records, given the teams they lead (`crate::people::led_teams`,
/// looked up once per request by the caller).
pub fn reader(actor: &Actor, led_teams: Vec<Uuid>) -> AppResult<rules::Reader> {
    actor.require(Action::ReadTraining)?;
    Ok(rules::Reader {
        id: actor.id(),
        roles: actor.roles(),
        supervised_teams: led_teams,
    })
}

/// A staff member whose records `reader` may read: not found when there is none, forbidden
/// when they are someone else's.
pub async fn readable_employee(
    app: &App,
    reader: &rules::Reader,
    id: Uuid,
) -> AppResult<user::Model> {
    let employee = users::find(&app.db, id)
        .await?
        .filter(|u| u.role_set().is_staff())
        .ok_or_else(|| AppError::NotFound("employee not found".to_owned()))?;
    if rules::can_read_records(reader, employee.id, employee.team_id) {
        Ok(employee)
    } else {
        Err(AppError::Forbidden(
            "you may read only your own training, or that of the people you lead".to_owned(),
        ))
    }
}

async fn record(app: &App, id: Uuid) -> AppResult<training_record::Model> {
    store::find_record(&app.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("training record not found".to_owned()))
}

/// Courses, newest first.
pub async fn courses(app: &App, actor: &Actor) -> AppResult<Vec<training_course::Model>> {
    actor.require(Action::ReadTraining)?;
    Ok(store::courses(&app.db, MAX_LIST).await?)
}

/// Sessions starting within the window, if given.
pub async fn sessions(
    app: &App,
    actor: &Actor,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> AppResult<Vec<training_session::Model>> {
    actor.require(Action::ReadTraining)?;
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err(AppError::bad_input("to", "must not be before from"));
    }
    Ok(store::sessions(&app.db, from, to, MAX_LIST).await?)
}

/// One person's records.
pub async fn records_of(
    app: &App,
    reader: &rules::Reader,
    employee_id: Uuid,
) -> AppResult<Vec<training_record::Model>> {
    let employee = readable_employee(app, reader, employee_id).await?;
    Ok(store::records_of_employee(&app.db, employee.id, MAX_LIST).await?)
}

/// A person's compliance with the courses their roles require.
pub struct Compliance {
    /// The person.
    pub employee: user::Model,
    /// Whether every requirement is met.
    pub compliant: bool,
    /// Each required course with its status and expiry.
    pub items: Vec<(
        training_course::Model,
        rules::ComplianceStatus,
        Option<DateTime<Utc>>,
    )>,
}

/// Whether `employee` has passed, and still holds, every course their roles require.
pub async fn compliance(
    app: &App,
    reader: &rules::Reader,
    employee_id: Uuid,
) -> AppResult<Compliance> {
    let employee = readable_employee(app, reader, employee_id).await?;
    compliance_of(app, employee).await
}

/// [`compliance`] of someone the caller has been checked to see (e.g. everyone, for a report).
pub(crate) async fn compliance_of(app: &App, employee: user::Model) -> AppResult<Compliance> {
    let roles = employee.role_set();
    let courses = store::required_courses(&app.db, roles).await?;
    let passes = store::passes_of(&app.db, employee.id).await?;
    let requirements: Vec<rules::Requirement> = courses
        .iter()
        .map(|c| rules::Requirement {
            course_id: c.id,
            required_roles: c.required_role_set(),
        })
        .collect();
    let result = rules::compliance(roles, &requirements, &passes, app.now());
    let items = result
        .items
        .into_iter()
        .filter_map(|item| {
            let course = courses.iter().find(|c| c.id == item.course_id)?.clone();
            Some((course, item.status, item.expires_at))
        })
        .collect();
    Ok(Compliance {
        employee,
        compliant: result.compliant,
        items,
    })
}

/// A course as typed.
pub struct CourseRequest {
    /// Title.
    pub title: String,
    /// Category.
    pub category: CourseCategory,
    /// Roles that must pass it.
    pub required_for_roles: Vec<Role>,
    /// Pass mark.
    pub pass_score: i32,
    /// How long a pass stays valid.
    pub validity_months: Option<i32>,
}

/// Creates a course.
pub async fn create_course(
    app: &App,
    actor: &Actor,
    input: CourseRequest,
) -> AppResult<training_course::Model> {
    let course = rules::validate_course(
        &input.title,
        input.category,
        &input.required_for_roles,
        input.pass_score,
        input.validity_months,
    )?;
    let created = store::insert_course(&app.db, &course, Some(actor.id()), app.now()).await?;
    tracing::info!(training.course_id = %created.id, "course created");
    Ok(created)
}

/// A session as typed.
pub struct SessionRequest {
    /// The course.
    pub course_id: Uuid,
    /// The trainer.
    pub trainer_id: Uuid,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// How it is taught.
    pub mode: TrainingMode,
    /// Seats.
    pub capacity: i32,
    /// Where, if anywhere.
    pub location: Option<String>,
}

/// Schedules a session of an existing course with an active trainer.
pub async fn schedule_session(
    app: &App,
    actor: &Actor,
    input: SessionRequest,
) -> AppResult<training_session::Model> {
    actor.require(Action::ManageTraining)?;
    let session = rules::validate_session(
        input.starts_at,
        input.ends_at,
        input.capacity,
        input.location.as_deref(),
    )?;
    store::find_course(&app.db, input.course_id)
        .await?
        .ok_or_else(|| AppError::bad_input("input.courseId", "no such course"))?;
    let trainer = users::find(&app.db, input.trainer_id)
        .await?
        .ok_or_else(|| AppError::bad_input("input.trainerId", "no such user"))?;
    rules::check_trainer(trainer.role_set(), trainer.active)?;
    let created = store::insert_session(
        &app.db,
        SessionPlan {
            course_id: input.course_id,
            trainer_id: input.trainer_id,
            mode: input.mode,
            session,
        },
        app.now(),
    )
    .await?;
    tracing::info!(training.session_id = %created.id, "session scheduled");
    Ok(created)
}

/// Enrolls an active staff member in a session with a free seat.
pub async fn enroll(
    app: &App,
    actor: &Actor,
    session_id: Uuid,
    employee_id: Uuid,
) -> AppResult<training_record::Model> {
    actor.require(Action::ManageTraining)?;
    let employee = users::find(&app.db, employee_id)
        .await?
        .ok_or_else(|| AppError::bad_input("employeeId", "no such user"))?;
    rules::check_trainee(employee.role_set())?;
    if !employee.active {
        return Err(AppError::bad_input(
            "employeeId",
            "the account is deactivated",
        ));
    }
    let created = store::enroll(&app.db, session_id, employee.id, app.now()).await?;
    tracing::info!(training.record_id = %created.id, "enrolled");
    Ok(created)
}

/// Records whether the trainee attended.
pub async fn record_attendance(
    app: &App,
    actor: &Actor,
    record_id: Uuid,
    attended: bool,
) -> AppResult<training_record::Model> {
    actor.require(Action::AssessTraining)?;
    let found = record(app, record_id).await?;
    let from = status_of(&found)?;
    let to = rules::record_attendance(from, attended)?;
    Ok(store::set_attendance(&app.db, found.id, from, to, app.now()).await?)
}

/// Records the assessment: pass or fail against the course's mark, with its expiry.
pub async fn record_assessment(
    app: &App,
    actor: &Actor,
    record_id: Uuid,
    process_score: i32,
    result_score: i32,
) -> AppResult<training_record::Model> {
    actor.require(Action::AssessTraining)?;
    let found = record(app, record_id).await?;
    let from = status_of(&found)?;
    let missing = |what| AppError::internal(anyhow::anyhow!("{what} vanished"), what);
    let session = store::find_session(&app.db, found.session_id)
        .await?
        .ok_or_else(|| missing("training session"))?;
    let course = store::find_course(&app.db, found.course_id)
        .await?
        .ok_or_else(|| missing("training course"))?;
    let now = app.now();
    let assessment = rules::assess(
        from,
        process_score,
        result_score,
        course.pass_score,
        course.validity_months,
        session.ends_at,
        now,
    )?;
    let updated = store::set_assessment(
        &app.db,
        found.id,
        from,
        process_score,
        result_score,
        &assessment,
        now,
    )
    .await?;
    tracing::info!(training.record_id = %updated.id, training.status = %assessment.status, "assessed");
    Ok(updated)
}

/// The trainee's own feedback on a session they attended. Someone who may read the record but
/// is not its trainee is refused; anyone else is told it does not exist.
pub async fn submit_feedback(
    app: &App,
    reader: &rules::Reader,
    record_id: Uuid,
    feedback: &str,
) -> AppResult<training_record::Model> {
    // The text first, whatever the record (arguments before existence).
    check_feedback_text(feedback)?;
    let found = record(app, record_id).await?;
    if found.employee_id != reader.id {
        let employee = users::find(&app.db, found.employee_id).await?;
        let readable = employee.is_some_and(|e| rules::can_read_records(reader, e.id, e.team_id));
        return Err(if readable {
            AppError::Forbidden("only the trainee can leave feedback".to_owned())
        } else {
            AppError::NotFound("training record not found".to_owned())
        });
    }
    let from = status_of(&found)?;
    let feedback = rules::check_feedback(from, feedback)?;
    Ok(store::set_feedback(&app.db, found.id, from, feedback, app.now()).await?)
}

/// The feedback's shape on its own: [`rules::check_feedback`] checks it again with the record's
/// status.
fn check_feedback_text(feedback: &str) -> AppResult<()> {
    careline_domain::text::required(feedback, "feedback", rules::MAX_FEEDBACK_CHARS)?;
    Ok(())
}

/// Enrolls `employee` in the next session of `course` starting after `after` that has a seat
/// for them, trying the five soonest; `false` when none had. Runs on the caller's connection,
/// so it joins the caller's transaction (each attempt is a savepoint).
pub async fn enroll_in_next_session<C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    employee: Uuid,
    course: Uuid,
    after: DateTime<Utc>,
) -> AppResult<bool> {
    for session in store::next_sessions(db, course, after, 5).await? {
        match store::enroll(db, session.id, employee, after).await {
            Ok(_) => return Ok(true),
            // Already enrolled there, or the seat went: the next session may do.
            Err(careline_persistence::StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(false)
}
