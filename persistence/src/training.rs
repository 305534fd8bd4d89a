//! Training: courses, sessions, enrollment under a seat limit that holds under concurrency,
//! record changes conditional on the status they were decided from, and the reads behind
//! records and compliance. Every time stored is the caller's `at`: the application's clock,
//! which the rules (expiry, compliance) read too.

use crate::StoreError;
use crate::entity::training_course::{self, Column as K, Entity as Course};
use crate::entity::training_record::{self, Column as R, Entity as Record};
use crate::entity::training_session::{self, Column as S, Entity as Session};
use careline_domain::Roles;
use careline_domain::training::{
    Assessment, CourseCategory, NewCourse, NewSession, Pass, TrainingMode, TrainingStatus,
};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession,
    TransactionTrait,
};

const STALE: &str = "the training record was changed by someone else; reload it and try again";
const DUPLICATE: &str = "this person is already enrolled in this session";

/// Creates a course, stamped `at`.
pub async fn insert_course<C: ConnectionTrait>(
    db: &C,
    course: &NewCourse,
    created_by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<training_course::Model, StoreError> {
    training_course::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(course.title.clone()),
        category: Set(course.category.as_str().to_owned()),
        required_roles: Set(course.required_roles.mask()),
        pass_score: Set(course.pass_score),
        validity_months: Set(course.validity_months),
        created_by: Set(created_by),
        created_at: Set(at),
    }
    .insert(db)
    .await
    .map_err(|e| StoreError::on_unique(e, "this course already exists"))
}

/// One course.
pub async fn find_course<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<training_course::Model>, StoreError> {
    Ok(Course::find_by_id(id).one(db).await?)
}

/// Every course, by title. The catalogue is small; it is not paginated.
pub async fn courses<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<training_course::Model>, StoreError> {
    Ok(Course::find()
        .order_by_asc(K::Title)
        .order_by_asc(K::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Several courses by id (for data loaders).
pub async fn courses_by_id<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<training_course::Model>, StoreError> {
    Ok(Course::find()
        .filter(K::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The courses required for any of `roles`, by title.
pub async fn required_courses<C: ConnectionTrait>(
    db: &C,
    roles: Roles,
) -> Result<Vec<training_course::Model>, StoreError> {
    Ok(Course::find()
        .filter(Expr::col(K::RequiredRoles).bit_and(roles.mask()).ne(0))
        .order_by_asc(K::Title)
        .order_by_asc(K::Id)
        .all(db)
        .await?)
}

/// A session to schedule; the course and trainer were checked by the caller.
#[derive(Debug, Clone)]
pub struct SessionPlan {
    /// The course taught.
    pub course_id: Uuid,
    /// Who teaches it (holds `TRAINER`).
    pub trainer_id: Uuid,
    /// How it is delivered.
    pub mode: TrainingMode,
    /// Validated times, seats and place.
    pub session: NewSession,
}

/// Schedules a session with no seats taken, stamped `at`.
pub async fn insert_session<C: ConnectionTrait>(
    db: &C,
    plan: SessionPlan,
    at: DateTime<Utc>,
) -> Result<training_session::Model, StoreError> {
    training_session::ActiveModel {
        id: Set(Uuid::now_v7()),
        course_id: Set(plan.course_id),
        trainer_id: Set(plan.trainer_id),
        starts_at: Set(plan.session.starts_at),
        ends_at: Set(plan.session.ends_at),
        mode: Set(plan.mode.as_str().to_owned()),
        capacity: Set(plan.session.capacity),
        enrolled: Set(0),
        location: Set(plan.session.location),
        created_at: Set(at),
    }
    .insert(db)
    .await
    .map_err(|e| StoreError::on_unique(e, "this session already exists"))
}

/// One session.
pub async fn find_session<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<training_session::Model>, StoreError> {
    Ok(Session::find_by_id(id).one(db).await?)
}

/// Several sessions by id (for data loaders).
pub async fn sessions_by_id<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<training_session::Model>, StoreError> {
    Ok(Session::find()
        .filter(S::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Sessions starting in `[from, to)` (either bound optional), earliest first.
pub async fn sessions<C: ConnectionTrait>(
    db: &C,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    limit: u64,
) -> Result<Vec<training_session::Model>, StoreError> {
    let mut q = Session::find();
    if let Some(from) = from {
        q = q.filter(S::StartsAt.gte(from));
    }
    if let Some(to) = to {
        q = q.filter(S::StartsAt.lt(to));
    }
    Ok(q.order_by_asc(S::StartsAt)
        .order_by_asc(S::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The next sessions of `course` starting after `after`, soonest first.
pub async fn next_sessions<C: ConnectionTrait>(
    db: &C,
    course: Uuid,
    after: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<training_session::Model>, StoreError> {
    Ok(Session::find()
        .filter(S::CourseId.eq(course))
        .filter(S::StartsAt.gt(after))
        .order_by_asc(S::StartsAt)
        .order_by_asc(S::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Enrolls `employee_id` in a session `at`, in one transaction (a savepoint inside the
/// caller's). A second enrollment of the same person and an enrollment in a full session are
/// both `Conflict`.
pub async fn enroll<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    session_id: Uuid,
    employee_id: Uuid,
    at: DateTime<Utc>,
) -> Result<training_record::Model, StoreError> {
    let txn = db.begin().await?;
    let session = find_session(&txn, session_id)
        .await?
        .ok_or(StoreError::NotFound("training session"))?;
    let existing = Record::find()
        .filter(R::SessionId.eq(session_id))
        .filter(R::EmployeeId.eq(employee_id))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(StoreError::Conflict(DUPLICATE.to_owned()));
    }
    let Some(record) = take_seat(&txn, &session, employee_id, at).await? else {
        return Err(StoreError::Conflict(format!(
            "the session is full: all {} seats are taken",
            session.capacity
        )));
    };
    txn.commit().await?;
    Ok(record)
}

/// Takes a seat and writes the record, enrolled `at`, or `None` when no seat is left. The
/// seat count is raised by a conditional `UPDATE`, so of two concurrent enrollments for the
/// last seat exactly one succeeds (PostgreSQL serialises them on the row lock; SQLite has one
/// writer).
async fn take_seat<C: ConnectionTrait>(
    db: &C,
    session: &training_session::Model,
    employee_id: Uuid,
    at: DateTime<Utc>,
) -> Result<Option<training_record::Model>, StoreError> {
    let taken = Session::update_many()
        .col_expr(S::Enrolled, Expr::col(S::Enrolled).add(1))
        .filter(S::Id.eq(session.id))
        .filter(Expr::col(S::Enrolled).lt(Expr::col(S::Capacity)))
        .exec(db)
        .await?;
    if taken.rows_affected == 0 {
        return Ok(None);
    }
    let record = training_record::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session.id),
        course_id: Set(session.course_id),
        employee_id: Set(employee_id),
        status: Set(TrainingStatus::Enrolled.as_str().to_owned()),
        process_score: Set(None),
        result_score: Set(None),
        completed_at: Set(None),
        expires_at: Set(None),
        feedback: Set(None),
        enrolled_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
    .map_err(|e| StoreError::on_unique(e, DUPLICATE))?;
    Ok(Some(record))
}

/// Enrolls a newly created staff member, at `after`, in the next session with a free seat
/// starting after then, of every `ONBOARDING` course required for any of `roles`. Courses
/// with no such session are skipped. Runs on the caller's connection, so that inside the
/// caller's transaction the account and its enrollments are created together.
pub async fn enroll_in_onboarding<C: ConnectionTrait>(
    db: &C,
    employee_id: Uuid,
    roles: Roles,
    after: DateTime<Utc>,
) -> Result<Vec<training_record::Model>, StoreError> {
    if !roles.is_staff() {
        return Ok(Vec::new());
    }
    let courses = Course::find()
        .filter(K::Category.eq(CourseCategory::Onboarding.as_str()))
        .filter(Expr::col(K::RequiredRoles).bit_and(roles.mask()).ne(0))
        .order_by_asc(K::Id)
        .all(db)
        .await?;
    let mut records = Vec::new();
    for course in courses {
        let candidates = Session::find()
            .filter(S::CourseId.eq(course.id))
            .filter(S::StartsAt.gt(after))
            .filter(Expr::col(S::Enrolled).lt(Expr::col(S::Capacity)))
            .order_by_asc(S::StartsAt)
            .order_by_asc(S::Id)
            .limit(5)
            .all(db)
            .await?;
        // A seat seen free may be taken by the time we ask for it; then try the next session.
        for session in candidates {
            if let Some(record) = take_seat(db, &session, employee_id, after).await? {
                records.push(record);
                break;
            }
        }
    }
    Ok(records)
}

/// One record.
pub async fn find_record<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<training_record::Model>, StoreError> {
    Ok(Record::find_by_id(id).one(db).await?)
}

/// A person's records, most recent enrollment first.
pub async fn records_of_employee<C: ConnectionTrait>(
    db: &C,
    employee_id: Uuid,
    limit: u64,
) -> Result<Vec<training_record::Model>, StoreError> {
    Ok(Record::find()
        .filter(R::EmployeeId.eq(employee_id))
        .order_by_desc(R::EnrolledAt)
        .order_by_desc(R::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The records of several sessions (for data loaders), in enrollment order.
pub async fn records_of_sessions<C: ConnectionTrait>(
    db: &C,
    session_ids: &[Uuid],
) -> Result<Vec<training_record::Model>, StoreError> {
    Ok(Record::find()
        .filter(R::SessionId.is_in(session_ids.iter().copied()))
        .order_by_asc(R::EnrolledAt)
        .order_by_asc(R::Id)
        .all(db)
        .await?)
}

/// A person's passes, for compliance.
pub async fn passes_of<C: ConnectionTrait>(
    db: &C,
    employee_id: Uuid,
) -> Result<Vec<Pass>, StoreError> {
    let rows: Vec<(Uuid, Option<DateTime<Utc>>)> = Record::find()
        .select_only()
        .column(R::CourseId)
        .column(R::ExpiresAt)
        .filter(R::EmployeeId.eq(employee_id))
        .filter(R::Status.eq(TrainingStatus::Passed.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(course_id, expires_at)| Pass {
            course_id,
            expires_at,
        })
        .collect())
}

/// Records attendance `at`, on condition that the record is still in `from`.
pub async fn set_attendance<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    from: TrainingStatus,
    to: TrainingStatus,
    at: DateTime<Utc>,
) -> Result<training_record::Model, StoreError> {
    let update = Record::update_many().col_expr(R::Status, Expr::value(to.as_str()));
    change(db, id, from, update, at).await
}

/// Stores an assessment decided from `from`, `at`.
pub async fn set_assessment<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    from: TrainingStatus,
    process_score: i32,
    result_score: i32,
    assessment: &Assessment,
    at: DateTime<Utc>,
) -> Result<training_record::Model, StoreError> {
    let update = Record::update_many()
        .col_expr(R::Status, Expr::value(assessment.status.as_str()))
        .col_expr(R::ProcessScore, Expr::value(process_score))
        .col_expr(R::ResultScore, Expr::value(result_score))
        .col_expr(R::CompletedAt, Expr::value(assessment.completed_at))
        .col_expr(R::ExpiresAt, Expr::value(assessment.expires_at));
    change(db, id, from, update, at).await
}

/// Stores the trainee's feedback `at`, on condition that the record is still in `from`.
pub async fn set_feedback<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    from: TrainingStatus,
    feedback: String,
    at: DateTime<Utc>,
) -> Result<training_record::Model, StoreError> {
    let update = Record::update_many().col_expr(R::Feedback, Expr::value(feedback));
    change(db, id, from, update, at).await
}

async fn change<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    from: TrainingStatus,
    update: sea_orm::UpdateMany<Record>,
    at: DateTime<Utc>,
) -> Result<training_record::Model, StoreError> {
    let result = update
        .col_expr(R::UpdatedAt, Expr::value(at))
        .filter(R::Id.eq(id))
        .filter(R::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(StoreError::Conflict(STALE.to_owned()));
    }
    find_record(db, id)
        .await?
        .ok_or(StoreError::NotFound("training record"))
}

/// The newest course of `category` (its contract spelling), if any.
pub async fn newest_course_of_category<C: ConnectionTrait>(
    db: &C,
    category: &str,
) -> Result<Option<training_course::Model>, StoreError> {
    Ok(Course::find()
        .filter(K::Category.eq(category))
        .order_by_desc(K::Id)
        .one(db)
        .await?)
}

/// Whether `employee` holds a seat in a session of `course` that has not ended by `at`.
pub async fn enrolled_in_course<C: ConnectionTrait>(
    db: &C,
    employee: Uuid,
    course: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let upcoming: Vec<Uuid> = Session::find()
        .select_only()
        .column(S::Id)
        .filter(S::CourseId.eq(course))
        .filter(S::EndsAt.gt(at))
        .into_tuple()
        .all(db)
        .await?;
    if upcoming.is_empty() {
        return Ok(false);
    }
    Ok(Record::find()
        .filter(R::EmployeeId.eq(employee))
        .filter(R::SessionId.is_in(upcoming))
        .one(db)
        .await?
        .is_some())
}
