//! Training: courses, sessions, each person's records, and compliance. Resolvers ask
//! `careline_domain::training` for every rule and store through
//! `careline_persistence::training`.

use super::loaders::{load_failed, loaders};
use super::people::{Role, User};
use super::{Can, input_id, parse_id, state, viewer};
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_domain::training::{self as rules, TrainingError};
use careline_domain::{Action, Role as DomainRole};
use careline_persistence::entity::{training_course, training_record, training_session, user};
use careline_persistence::training::{self as store, SessionPlan};
use careline_persistence::{now, users};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Longest list any training query returns.
const MAX_LIST: u64 = 100;

/// What a course teaches.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::training::CourseCategory")]
pub enum CourseCategory {
    Onboarding,
    ProductKnowledge,
    ServiceSkills,
    Communication,
    ProblemSolving,
    Ethics,
    Technical,
    LegalCompliance,
}

/// How a session is delivered.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::training::TrainingMode")]
pub enum TrainingMode {
    Classroom,
    Online,
    Mentoring,
    OnTheJob,
}

/// Where a person's record of a session stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::training::TrainingStatus")]
pub enum TrainingStatus {
    Enrolled,
    Attended,
    Absent,
    Passed,
    Failed,
}

impl From<TrainingError> for ApiError {
    fn from(err: TrainingError) -> Self {
        match err {
            TrainingError::Rule(rule) => rule.into(),
            ref refused @ TrainingError::InvalidTransition {
                status,
                ref allowed,
                ..
            } => ApiError::InvalidTransition {
                message: refused.to_string(),
                status: status.as_str().to_owned(),
                allowed: allowed.iter().map(|a| (*a).to_owned()).collect(),
            },
        }
    }
}

/// Reads a stored enum spelling; a value the domain does not know is a data fault.
fn stored<T>(value: Option<T>, what: &'static str) -> ApiResult<T> {
    value.ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown stored {what}"), what))
}

fn status_of(record: &training_record::Model) -> ApiResult<rules::TrainingStatus> {
    stored(
        rules::TrainingStatus::parse(&record.status),
        "training status",
    )
}

/// A course of the training programme.
#[derive(Clone)]
pub struct TrainingCourse(pub training_course::Model);

#[Object]
impl TrainingCourse {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn category(&self) -> ApiResult<CourseCategory> {
        let category = rules::CourseCategory::parse(&self.0.category);
        Ok(stored(category, "course category")?.into())
    }

    /// Staff holding any of these roles must hold a valid pass.
    async fn required_for_roles(&self) -> Vec<Role> {
        self.0.required_role_set().iter().map(Role::from).collect()
    }

    /// The lowest result score that passes, 0 to 100.
    async fn pass_score(&self) -> i32 {
        self.0.pass_score
    }

    /// How long a pass stays valid; null means for good.
    async fn validity_months(&self) -> Option<i32> {
        self.0.validity_months
    }
}

/// A scheduled session of a course.
#[derive(Clone)]
pub struct TrainingSession(pub training_session::Model);

#[Object]
impl TrainingSession {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn course(&self, ctx: &Context<'_>) -> ApiResult<TrainingCourse> {
        course(ctx, self.0.course_id).await
    }

    async fn trainer(&self, ctx: &Context<'_>) -> ApiResult<User> {
        person(ctx, self.0.trainer_id).await.map(User)
    }

    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    async fn mode(&self) -> ApiResult<TrainingMode> {
        let mode = rules::TrainingMode::parse(&self.0.mode);
        Ok(stored(mode, "training mode")?.into())
    }

    /// Seats.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }

    /// Seats taken.
    async fn enrolled(&self) -> i32 {
        self.0.enrolled
    }

    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// The records of this session the caller may read: all of them for trainers and managers,
    /// their team's for supervisors, their own for everyone else.
    #[graphql(complexity = "100 * child_complexity")]
    async fn records(&self, ctx: &Context<'_>) -> ApiResult<Vec<TrainingRecord>> {
        let l = loaders(ctx)?;
        let records = l
            .session_records
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        let reader = reader(ctx).await?;
        let employees = l
            .users
            .load_many(records.iter().map(|r| r.employee_id))
            .await
            .map_err(load_failed)?;
        Ok(records
            .into_iter()
            .filter(|r| {
                let team = employees.get(&r.employee_id).and_then(|e| e.team_id);
                rules::can_read_records(&reader, r.employee_id, team)
            })
            .map(TrainingRecord)
            .collect())
    }
}

/// One person's record of one session.
#[derive(Clone)]
pub struct TrainingRecord(pub training_record::Model);

#[Object]
impl TrainingRecord {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn employee(&self, ctx: &Context<'_>) -> ApiResult<User> {
        person(ctx, self.0.employee_id).await.map(User)
    }

    async fn session(&self, ctx: &Context<'_>) -> ApiResult<TrainingSession> {
        let found = loaders(ctx)?
            .training_sessions
            .load_one(self.0.session_id)
            .await
            .map_err(load_failed)?;
        found.map(TrainingSession).ok_or_else(|| {
            ApiError::internal(
                anyhow::anyhow!("training record without session"),
                "record.session",
            )
        })
    }

    async fn status(&self) -> ApiResult<TrainingStatus> {
        Ok(status_of(&self.0)?.into())
    }

    /// How the trainee took part, 0 to 100.
    async fn process_score(&self) -> Option<i32> {
        self.0.process_score
    }

    /// The final assessment, 0 to 100; decides `PASSED` or `FAILED`.
    async fn result_score(&self) -> Option<i32> {
        self.0.result_score
    }

    /// When the training was completed (the session's end, or the assessment if earlier).
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }

    /// When a pass lapses: completion plus the course's validity.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }

    /// The trainee's feedback on the session.
    async fn feedback(&self) -> Option<&str> {
        self.0.feedback.as_deref()
    }
}

/// The state of one required course: `OK`, `MISSING`, `EXPIRED` or `EXPIRING` (within 30
/// days).
pub struct ComplianceItem {
    course: training_course::Model,
    status: rules::ComplianceStatus,
    expires_at: Option<DateTime<Utc>>,
}

#[Object]
impl ComplianceItem {
    async fn course(&self) -> TrainingCourse {
        TrainingCourse(self.course.clone())
    }

    async fn status(&self) -> &'static str {
        self.status.as_str()
    }

    /// When the best pass lapses; null when missing or valid for good.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }
}

/// Whether a person holds a valid pass of every course their roles require.
pub struct TrainingCompliance {
    employee: user::Model,
    compliant: bool,
    items: Vec<ComplianceItem>,
}

#[Object]
impl TrainingCompliance {
    async fn employee(&self) -> User {
        User(self.employee.clone())
    }

    /// True when no required course is missing or expired.
    async fn compliant(&self) -> bool {
        self.compliant
    }

    #[graphql(complexity = "100 * child_complexity")]
    async fn items(&self) -> &[ComplianceItem] {
        &self.items
    }
}

async fn course(ctx: &Context<'_>, id: Uuid) -> ApiResult<TrainingCourse> {
    let found = loaders(ctx)?
        .training_courses
        .load_one(id)
        .await
        .map_err(load_failed)?;
    found
        .map(TrainingCourse)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("training course vanished"), "course"))
}

async fn person(ctx: &Context<'_>, id: Uuid) -> ApiResult<user::Model> {
    let found = loaders(ctx)?
        .users
        .load_one(id)
        .await
        .map_err(load_failed)?;
    found.ok_or_else(|| ApiError::internal(anyhow::anyhow!("user vanished"), "training person"))
}

/// The caller as a reader of training records. Refuses customers: training is for staff.
async fn reader(ctx: &Context<'_>) -> ApiResult<rules::Reader> {
    let caller = viewer(ctx)?;
    if !caller.is_staff() {
        return Err(ApiError::Forbidden("training is for staff".to_owned()));
    }
    let supervised_teams = if caller.roles().has(DomainRole::Supervisor) {
        loaders(ctx)?
            .supervised_teams
            .load_one(caller.id())
            .await
            .map_err(load_failed)?
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Ok(rules::Reader {
        id: caller.id(),
        roles: caller.roles(),
        supervised_teams,
    })
}

/// The staff member `id` names, if the caller may read their training: `NOT_FOUND` for nobody,
/// `FORBIDDEN` for someone else's people.
async fn readable_employee(ctx: &Context<'_>, id: &ID) -> ApiResult<user::Model> {
    let reader = reader(ctx).await?;
    let not_found = || ApiError::NotFound("employee not found".to_owned());
    let id = parse_id(id).ok_or_else(not_found)?;
    let employee = loaders(ctx)?
        .users
        .load_one(id)
        .await
        .map_err(load_failed)?
        .filter(|u| u.role_set().is_staff())
        .ok_or_else(not_found)?;
    if rules::can_read_records(&reader, employee.id, employee.team_id) {
        Ok(employee)
    } else {
        Err(ApiError::Forbidden(
            "you may read only your own training, or that of the people you lead".to_owned(),
        ))
    }
}

async fn record(ctx: &Context<'_>, id: &ID) -> ApiResult<training_record::Model> {
    let not_found = || ApiError::NotFound("training record not found".to_owned());
    let id = parse_id(id).ok_or_else(not_found)?;
    store::find_record(&state(ctx)?.db, id)
        .await?
        .ok_or_else(not_found)
}

/// Enrolls a newly created staff member in the next session with a free seat of every
/// `ONBOARDING` course their roles require. Returns how many enrollments were made.
pub async fn enroll_in_onboarding<C: ConnectionTrait>(
    db: &C,
    employee: &user::Model,
) -> ApiResult<usize> {
    let records = store::enroll_in_onboarding(db, employee.id, employee.role_set(), now()).await?;
    Ok(records.len())
}

/// Queries about training.
#[derive(Default)]
pub struct TrainingQuery;

#[Object]
impl TrainingQuery {
    /// The course catalogue (staff).
    #[graphql(complexity = "100 * child_complexity")]
    async fn training_courses(&self, ctx: &Context<'_>) -> ApiResult<Vec<TrainingCourse>> {
        reader(ctx).await?;
        let rows = store::courses(&state(ctx)?.db, MAX_LIST).await?;
        Ok(rows.into_iter().map(TrainingCourse).collect())
    }

    /// Sessions starting in `[from, to)`, earliest first, at most 100 (staff).
    #[graphql(complexity = "100 * child_complexity")]
    async fn training_sessions(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> ApiResult<Vec<TrainingSession>> {
        reader(ctx).await?;
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(ApiError::bad_input("to", "must not be before from"));
        }
        let rows = store::sessions(&state(ctx)?.db, from, to, MAX_LIST).await?;
        Ok(rows.into_iter().map(TrainingSession).collect())
    }

    /// A person's training records, most recent first: one's own; trainers' and managers'
    /// anyone's; supervisors' their team members'.
    #[graphql(complexity = "100 * child_complexity")]
    async fn training_records(
        &self,
        ctx: &Context<'_>,
        employee_id: ID,
    ) -> ApiResult<Vec<TrainingRecord>> {
        let employee = readable_employee(ctx, &employee_id).await?;
        let rows = store::records_of_employee(&state(ctx)?.db, employee.id, MAX_LIST).await?;
        Ok(rows.into_iter().map(TrainingRecord).collect())
    }

    /// A person's compliance with the courses their roles require; readable as their records.
    async fn training_compliance(
        &self,
        ctx: &Context<'_>,
        employee_id: ID,
    ) -> ApiResult<TrainingCompliance> {
        let employee = readable_employee(ctx, &employee_id).await?;
        let db = &state(ctx)?.db;
        let roles = employee.role_set();
        let courses = store::required_courses(db, roles).await?;
        let passes = store::passes_of(db, employee.id).await?;
        let requirements: Vec<rules::Requirement> = courses
            .iter()
            .map(|c| rules::Requirement {
                course_id: c.id,
                required_roles: c.required_role_set(),
            })
            .collect();
        let result = rules::compliance(roles, &requirements, &passes, now());
        let items = result
            .items
            .into_iter()
            .filter_map(|item| {
                let course = courses.iter().find(|c| c.id == item.course_id)?.clone();
                Some(ComplianceItem {
                    course,
                    status: item.status,
                    expires_at: item.expires_at,
                })
            })
            .collect();
        Ok(TrainingCompliance {
            employee,
            compliant: result.compliant,
            items,
        })
    }
}

/// A new course.
#[derive(InputObject)]
pub struct CourseInput {
    pub title: String,
    pub category: CourseCategory,
    pub required_for_roles: Vec<Role>,
    pub pass_score: i32,
    pub validity_months: Option<i32>,
}

/// A session to schedule.
#[derive(InputObject)]
pub struct SessionInput {
    pub course_id: ID,
    pub trainer_id: ID,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub mode: TrainingMode,
    pub capacity: i32,
    pub location: Option<String>,
}

/// The two stages of an assessment, each 0 to 100.
#[derive(InputObject)]
pub struct AssessmentInput {
    pub process_score: i32,
    pub result_score: i32,
}

/// Changes to training.
#[derive(Default)]
pub struct TrainingMutation;

#[Object]
impl TrainingMutation {
    /// Creates a course (trainers and managers).
    #[graphql(guard = "Can(Action::ManageTraining)")]
    async fn create_course(
        &self,
        ctx: &Context<'_>,
        input: CourseInput,
    ) -> ApiResult<TrainingCourse> {
        let caller = viewer(ctx)?;
        let roles: Vec<DomainRole> = input
            .required_for_roles
            .iter()
            .copied()
            .map(Into::into)
            .collect();
        let course = rules::validate_course(
            &input.title,
            input.category.into(),
            &roles,
            input.pass_score,
            input.validity_months,
        )?;
        let created = store::insert_course(&state(ctx)?.db, &course, Some(caller.id())).await?;
        tracing::info!(training.course_id = %created.id, "course created");
        Ok(TrainingCourse(created))
    }

    /// Schedules a session of a course, taught by someone holding `TRAINER` (trainers and
    /// managers).
    #[graphql(guard = "Can(Action::ManageTraining)")]
    async fn schedule_session(
        &self,
        ctx: &Context<'_>,
        input: SessionInput,
    ) -> ApiResult<TrainingSession> {
        let db = &state(ctx)?.db;
        let session = rules::validate_session(
            input.starts_at,
            input.ends_at,
            input.capacity,
            input.location.as_deref(),
        )?;
        let course_id = input_id(&input.course_id, "input.courseId")?;
        store::find_course(db, course_id)
            .await?
            .ok_or_else(|| ApiError::bad_input("input.courseId", "no such course"))?;
        let trainer_id = input_id(&input.trainer_id, "input.trainerId")?;
        let trainer = users::find(db, trainer_id)
            .await?
            .ok_or_else(|| ApiError::bad_input("input.trainerId", "no such user"))?;
        rules::check_trainer(trainer.role_set(), trainer.active)?;
        let created = store::insert_session(
            db,
            SessionPlan {
                course_id,
                trainer_id,
                mode: input.mode.into(),
                session,
            },
        )
        .await?;
        tracing::info!(training.session_id = %created.id, "session scheduled");
        Ok(TrainingSession(created))
    }

    /// Enrolls a staff member in a session; a second enrollment and a full session are
    /// `CONFLICT` (trainers and managers).
    #[graphql(guard = "Can(Action::ManageTraining)")]
    async fn enroll(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        employee_id: ID,
    ) -> ApiResult<TrainingRecord> {
        let db = &state(ctx)?.db;
        let session_id = parse_id(&session_id)
            .ok_or_else(|| ApiError::NotFound("training session not found".to_owned()))?;
        let employee_id = input_id(&employee_id, "employeeId")?;
        let employee = users::find(db, employee_id)
            .await?
            .ok_or_else(|| ApiError::bad_input("employeeId", "no such user"))?;
        rules::check_trainee(employee.role_set())?;
        if !employee.active {
            return Err(ApiError::bad_input(
                "employeeId",
                "the account is deactivated",
            ));
        }
        let created = store::enroll(db, session_id, employee.id).await?;
        tracing::info!(training.record_id = %created.id, "enrolled");
        Ok(TrainingRecord(created))
    }

    /// Records whether an enrolled person attended (trainers and managers).
    #[graphql(guard = "Can(Action::AssessTraining)")]
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        record_id: ID,
        attended: bool,
    ) -> ApiResult<TrainingRecord> {
        let found = record(ctx, &record_id).await?;
        let from = status_of(&found)?;
        let to = rules::record_attendance(from, attended)?;
        let updated = store::set_attendance(&state(ctx)?.db, found.id, from, to).await?;
        Ok(TrainingRecord(updated))
    }

    /// Assesses an attended record: `PASSED` when the result score reaches the course's pass
    /// score, else `FAILED` (trainers and managers).
    #[graphql(guard = "Can(Action::AssessTraining)")]
    async fn record_assessment(
        &self,
        ctx: &Context<'_>,
        record_id: ID,
        input: AssessmentInput,
    ) -> ApiResult<TrainingRecord> {
        let db = &state(ctx)?.db;
        let found = record(ctx, &record_id).await?;
        let from = status_of(&found)?;
        let missing = |what| ApiError::internal(anyhow::anyhow!("{what} vanished"), what);
        let session = store::find_session(db, found.session_id)
            .await?
            .ok_or_else(|| missing("training session"))?;
        let course = store::find_course(db, found.course_id)
            .await?
            .ok_or_else(|| missing("training course"))?;
        let assessment = rules::assess(
            from,
            input.process_score,
            input.result_score,
            course.pass_score,
            course.validity_months,
            session.ends_at,
            now(),
        )?;
        let updated = store::set_assessment(
            db,
            found.id,
            from,
            input.process_score,
            input.result_score,
            &assessment,
        )
        .await?;
        tracing::info!(training.record_id = %updated.id, training.status = %assessment.status, "assessed");
        Ok(TrainingRecord(updated))
    }

    /// The trainee's feedback on a session they attended.
    async fn submit_training_feedback(
        &self,
        ctx: &Context<'_>,
        record_id: ID,
        feedback: String,
    ) -> ApiResult<TrainingRecord> {
        let reader = reader(ctx).await?;
        let found = record(ctx, &record_id).await?;
        if found.employee_id != reader.id {
            let employee = person(ctx, found.employee_id).await?;
            return Err(
                if rules::can_read_records(&reader, employee.id, employee.team_id) {
                    ApiError::Forbidden("only the trainee can leave feedback".to_owned())
                } else {
                    ApiError::NotFound("training record not found".to_owned())
                },
            );
        }
        let from = status_of(&found)?;
        let feedback = rules::check_feedback(from, &feedback)?;
        let updated = store::set_feedback(&state(ctx)?.db, found.id, from, feedback).await?;
        Ok(TrainingRecord(updated))
    }
}
