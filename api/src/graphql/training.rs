//! Training: courses, sessions, each person's records, and compliance, in GraphQL. The use
//! cases are `crate::app::training`, which asks `careline_domain::training` for every rule.

use super::loaders::{load_failed, loaders};
use super::people::{Role, User};
use super::{Can, actor, app, found_id, input_id, viewer};
use crate::app::tickets::stored;
use crate::app::training::{self as uc, CourseRequest, SessionRequest, status_of};
use crate::app::{AppError, AppResult};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_app::rows::{training_course, training_record, training_session, user};
use careline_domain::Action;
use careline_domain::training as rules;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What a course teaches.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::training::CourseCategory")]
pub enum CourseCategory {
    /// Induction of new staff; newly created staff are enrolled automatically.
    Onboarding,
    /// The products and services the customers ask about.
    ProductKnowledge,
    /// Handling requests and complaints.
    ServiceSkills,
    /// Talking and writing to customers.
    Communication,
    /// Getting to the cause of a problem.
    ProblemSolving,
    /// Professional ethics.
    Ethics,
    /// Technical troubleshooting.
    Technical,
    /// Consumer protection and other law.
    LegalCompliance,
}

/// How a session is delivered.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::training::TrainingMode")]
pub enum TrainingMode {
    /// In a room, with a trainer.
    Classroom,
    /// Remote, live or self-paced.
    Online,
    /// One to one with an experienced colleague.
    Mentoring,
    /// While working real tickets.
    OnTheJob,
}

/// Where a person's record of a session stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::training::TrainingStatus")]
pub enum TrainingStatus {
    /// Has a seat; attendance not yet recorded.
    Enrolled,
    /// Took part; not yet assessed.
    Attended,
    /// Did not take part. Final: enroll in another session instead.
    Absent,
    /// Assessed with a result score at or above the course's pass score.
    Passed,
    /// Assessed with a result score below the course's pass score.
    Failed,
}

#[derive(Clone)]
pub struct TrainingCourse(pub training_course::Model);

/// A course in the training catalogue.
#[Object]
impl TrainingCourse {
    /// The course's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The course's title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What the course teaches.
    async fn category(&self) -> AppResult<CourseCategory> {
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

/// A scheduled session of a course.
#[Object]
impl TrainingSession {
    /// The session's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The course taught.
    async fn course(&self, ctx: &Context<'_>) -> AppResult<TrainingCourse> {
        course(ctx, self.0.course_id).await
    }

    /// Who teaches it (someone holding `TRAINER` when it was scheduled).
    async fn trainer(&self, ctx: &Context<'_>) -> AppResult<User> {
        person(ctx, self.0.trainer_id).await.map(User)
    }

    /// When it starts (UTC).
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    /// When it ends (UTC); after `startsAt`.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    /// How it is delivered.
    async fn mode(&self) -> AppResult<TrainingMode> {
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

    /// Where it takes place; null when none was given.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// The records of this session the caller may read: all of them for trainers and managers,
    /// their team's for supervisors, their own for everyone else.
    #[graphql(complexity = "100 * child_complexity")]
    async fn records(&self, ctx: &Context<'_>) -> AppResult<Vec<TrainingRecord>> {
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

/// One person's record of one session.
#[Object]
impl TrainingRecord {
    /// The record's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The trainee.
    async fn employee(&self, ctx: &Context<'_>) -> AppResult<User> {
        person(ctx, self.0.employee_id).await.map(User)
    }

    /// The session it records.
    async fn session(&self, ctx: &Context<'_>) -> AppResult<TrainingSession> {
        let found = loaders(ctx)?
            .training_sessions
            .load_one(self.0.session_id)
            .await
            .map_err(load_failed)?;
        found.map(TrainingSession).ok_or_else(|| {
            AppError::internal(
                anyhow::anyhow!("training record without session"),
                "record.session",
            )
        })
    }

    /// Where the record stands.
    async fn status(&self) -> AppResult<TrainingStatus> {
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

/// The state of one course a person's roles require.
#[Object]
impl ComplianceItem {
    /// The required course.
    async fn course(&self) -> TrainingCourse {
        TrainingCourse(self.course.clone())
    }

    /// `OK` (a valid pass), `MISSING` (never passed), `EXPIRED` (every pass has lapsed) or
    /// `EXPIRING` (the pass lapses within 30 days; still valid).
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

/// Whether a person holds a valid pass of every course their roles require.
#[Object]
impl TrainingCompliance {
    /// The person checked.
    async fn employee(&self) -> User {
        User(self.employee.clone())
    }

    /// True when no required course is missing or expired.
    async fn compliant(&self) -> bool {
        self.compliant
    }

    /// One item per course their roles require.
    #[graphql(complexity = "100 * child_complexity")]
    async fn items(&self) -> &[ComplianceItem] {
        &self.items
    }
}

async fn course(ctx: &Context<'_>, id: Uuid) -> AppResult<TrainingCourse> {
    let found = loaders(ctx)?
        .training_courses
        .load_one(id)
        .await
        .map_err(load_failed)?;
    found
        .map(TrainingCourse)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("training course vanished"), "course"))
}

async fn person(ctx: &Context<'_>, id: Uuid) -> AppResult<user::Model> {
    let found = loaders(ctx)?
        .users
        .load_one(id)
        .await
        .map_err(load_failed)?;
    found.ok_or_else(|| AppError::internal(anyhow::anyhow!("user vanished"), "training person"))
}

/// The caller as a reader of training records (the teams they lead come from the request's
/// loader, so a request looks them up once).
async fn reader(ctx: &Context<'_>) -> AppResult<rules::Reader> {
    let caller = viewer(ctx)?;
    let led = loaders(ctx)?
        .led_teams
        .load_one(caller.id())
        .await
        .map_err(load_failed)?
        .unwrap_or_default();
    uc::reader(caller, led)
}

#[derive(Default)]
pub struct TrainingQuery;

#[Object]
impl TrainingQuery {
    /// The course catalogue (staff).
    #[graphql(
        guard = "Can(Action::ReadTraining)",
        complexity = "100 * child_complexity"
    )]
    async fn training_courses(&self, ctx: &Context<'_>) -> AppResult<Vec<TrainingCourse>> {
        reader(ctx).await?;
        let rows = uc::courses(app(ctx)?, actor(ctx)?).await?;
        Ok(rows.into_iter().map(TrainingCourse).collect())
    }

    /// Sessions starting in `[from, to)`, earliest first, at most 100 (staff).
    #[graphql(
        guard = "Can(Action::ReadTraining)",
        complexity = "100 * child_complexity"
    )]
    async fn training_sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Sessions starting at or after this time.")] from: Option<DateTime<Utc>>,
        #[graphql(desc = "Sessions starting before this time; it must not be before `from`.")]
        to: Option<DateTime<Utc>>,
    ) -> AppResult<Vec<TrainingSession>> {
        reader(ctx).await?;
        let rows = uc::sessions(app(ctx)?, actor(ctx)?, from, to).await?;
        Ok(rows.into_iter().map(TrainingSession).collect())
    }

    /// A person's training records, most recent first: one's own; trainers' and managers'
    /// anyone's; supervisors' their team members'.
    #[graphql(
        guard = "Can(Action::ReadTraining)",
        complexity = "100 * child_complexity"
    )]
    async fn training_records(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The staff member whose records to list.")] employee_id: ID,
    ) -> AppResult<Vec<TrainingRecord>> {
        let reader = reader(ctx).await?;
        let employee_id = found_id(&employee_id, "employee")?;
        let rows = uc::records_of(app(ctx)?, &reader, employee_id).await?;
        Ok(rows.into_iter().map(TrainingRecord).collect())
    }

    /// A person's compliance with the courses their roles require; readable as their records.
    #[graphql(guard = "Can(Action::ReadTraining)")]
    async fn training_compliance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The staff member to check.")] employee_id: ID,
    ) -> AppResult<TrainingCompliance> {
        let reader = reader(ctx).await?;
        let employee_id = found_id(&employee_id, "employee")?;
        let result = uc::compliance(app(ctx)?, &reader, employee_id).await?;
        Ok(TrainingCompliance {
            employee: result.employee,
            compliant: result.compliant,
            items: result
                .items
                .into_iter()
                .map(|(course, status, expires_at)| ComplianceItem {
                    course,
                    status,
                    expires_at,
                })
                .collect(),
        })
    }
}

/// A new course.
#[derive(InputObject)]
pub struct CourseInput {
    /// The title, 1 to 200 characters (trimmed).
    pub title: String,
    /// What the course teaches.
    pub category: CourseCategory,
    /// Staff roles that must hold a valid pass (not `CUSTOMER`); empty: an optional course.
    pub required_for_roles: Vec<Role>,
    /// The lowest result score that passes, 0 to 100.
    pub pass_score: i32,
    /// How long a pass stays valid, 1 to 120 months; omitted: for good.
    pub validity_months: Option<i32>,
}

/// A session to schedule.
#[derive(InputObject)]
pub struct SessionInput {
    /// The course to teach.
    pub course_id: ID,
    /// Who teaches it: an active account holding `TRAINER`.
    pub trainer_id: ID,
    /// When it starts (UTC); may be in the past, to record training already given.
    pub starts_at: DateTime<Utc>,
    /// When it ends (UTC); after `startsAt`.
    pub ends_at: DateTime<Utc>,
    /// How it is delivered.
    pub mode: TrainingMode,
    /// Seats, 1 to 1,000.
    pub capacity: i32,
    /// Where it takes place, at most 200 characters; omitted or blank: none.
    pub location: Option<String>,
}

/// The two stages of an assessment, each 0 to 100.
#[derive(InputObject)]
pub struct AssessmentInput {
    /// How the trainee took part, 0 to 100.
    pub process_score: i32,
    /// The final assessment, 0 to 100; `PASSED` when it reaches the course's pass score.
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
        #[graphql(desc = "The course.")] input: CourseInput,
    ) -> AppResult<TrainingCourse> {
        let request = CourseRequest {
            title: input.title,
            category: input.category.into(),
            required_for_roles: input
                .required_for_roles
                .into_iter()
                .map(Into::into)
                .collect(),
            pass_score: input.pass_score,
            validity_months: input.validity_months,
        };
        let created = uc::create_course(app(ctx)?, actor(ctx)?, request).await?;
        Ok(TrainingCourse(created))
    }

    /// Schedules a session of a course, taught by someone holding `TRAINER` (trainers and
    /// managers).
    #[graphql(guard = "Can(Action::ManageTraining)")]
    async fn schedule_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session.")] input: SessionInput,
    ) -> AppResult<TrainingSession> {
        let course_id = input_id(&input.course_id, "input.courseId")?;
        let trainer_id = input_id(&input.trainer_id, "input.trainerId")?;
        let request = SessionRequest {
            course_id,
            trainer_id,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            mode: input.mode.into(),
            capacity: input.capacity,
            location: input.location,
        };
        Ok(TrainingSession(
            uc::schedule_session(app(ctx)?, actor(ctx)?, request).await?,
        ))
    }

    /// Enrolls a staff member in a session; a second enrollment and a full session are
    /// `CONFLICT` (trainers and managers).
    #[graphql(guard = "Can(Action::ManageTraining)")]
    async fn enroll(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session, which must have a free seat.")] session_id: ID,
        #[graphql(desc = "An active staff member (not a customer).")] employee_id: ID,
    ) -> AppResult<TrainingRecord> {
        let session_id = found_id(&session_id, "training session")?;
        let employee_id = input_id(&employee_id, "employeeId")?;
        Ok(TrainingRecord(
            uc::enroll(app(ctx)?, actor(ctx)?, session_id, employee_id).await?,
        ))
    }

    /// Records whether an enrolled person attended (trainers and managers).
    #[graphql(guard = "Can(Action::AssessTraining)")]
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An `ENROLLED` record.")] record_id: ID,
        #[graphql(desc = "True: `ATTENDED`; false: `ABSENT`.")] attended: bool,
    ) -> AppResult<TrainingRecord> {
        let record_id = found_id(&record_id, "training record")?;
        let updated = uc::record_attendance(app(ctx)?, actor(ctx)?, record_id, attended).await?;
        Ok(TrainingRecord(updated))
    }

    /// Assesses an attended record: `PASSED` when the result score reaches the course's pass
    /// score, else `FAILED` (trainers and managers).
    #[graphql(guard = "Can(Action::AssessTraining)")]
    async fn record_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An `ATTENDED` record.")] record_id: ID,
        #[graphql(desc = "The two scores.")] input: AssessmentInput,
    ) -> AppResult<TrainingRecord> {
        let record_id = found_id(&record_id, "training record")?;
        let (process, result) = (input.process_score, input.result_score);
        let updated =
            uc::record_assessment(app(ctx)?, actor(ctx)?, record_id, process, result).await?;
        Ok(TrainingRecord(updated))
    }

    /// The trainee's feedback on a session they attended.
    #[graphql(guard = "Can(Action::ReadTraining)")]
    async fn submit_training_feedback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The caller's own record of a session they took part in.")] record_id: ID,
        #[graphql(desc = "The feedback, 1 to 2,000 characters (trimmed).")] feedback: String,
    ) -> AppResult<TrainingRecord> {
        let reader = reader(ctx).await?;
        let record_id = found_id(&record_id, "training record")?;
        let updated = uc::submit_feedback(app(ctx)?, &reader, record_id, &feedback).await?;
        Ok(TrainingRecord(updated))
    }
}
