//! Performance reviews: cycles, one review per person per cycle, peer assessments. Every step
//! is a conditional update on the status the caller decided from, so two racing submissions
//! cannot both win and a finalized review never changes again. Every time stored is the
//! caller's `at`: the application's clock, which the rules read too.

use crate::StoreError;
use crate::entity::peer_assessment::{self, Entity as Peer};
use crate::entity::performance_review::{self, Column as R, Entity as Review, Model};
use crate::entity::review_cycle::{self, Entity as Cycle};
use careline_domain::kpi::ReviewStatus;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

const STALE: &str = "the review was changed by someone else; reload it and try again";

/// Opens a review cycle, created `at`.
pub async fn create_cycle<C: ConnectionTrait>(
    db: &C,
    name: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    created_by: Uuid,
    at: DateTime<Utc>,
) -> Result<review_cycle::Model, StoreError> {
    Ok(review_cycle::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        created_by: Set(created_by),
        created_at: Set(at),
    }
    .insert(db)
    .await?)
}

/// The most recent cycles first, at most `limit`.
pub async fn cycles<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<review_cycle::Model>, StoreError> {
    Ok(Cycle::find()
        .order_by_desc(review_cycle::Column::StartsAt)
        .order_by_desc(review_cycle::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// One cycle.
pub async fn find_cycle<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<review_cycle::Model>, StoreError> {
    Ok(Cycle::find_by_id(id).one(db).await?)
}

/// Several cycles by id (for data loaders).
pub async fn cycles_by_id<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<review_cycle::Model>, StoreError> {
    Ok(Cycle::find()
        .filter(review_cycle::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The reviews of a cycle (only `employee`'s when given), oldest first, at most `limit`.
pub async fn reviews_of_cycle<C: ConnectionTrait>(
    db: &C,
    cycle_id: Uuid,
    employee: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    let mut q = Review::find().filter(R::CycleId.eq(cycle_id));
    if let Some(e) = employee {
        q = q.filter(R::EmployeeId.eq(e));
    }
    Ok(q.order_by_asc(R::Id).limit(limit).all(db).await?)
}

/// The review of `employee` in `cycle_id`, created `OPEN` `at` if there is none yet. Two
/// racing first submissions meet on the unique (cycle, employee) index; both then read the
/// one row.
pub async fn ensure_review<C: ConnectionTrait>(
    db: &C,
    cycle_id: Uuid,
    employee_id: Uuid,
    at: DateTime<Utc>,
) -> Result<Model, StoreError> {
    let row = performance_review::ActiveModel {
        id: Set(Uuid::now_v7()),
        cycle_id: Set(cycle_id),
        employee_id: Set(employee_id),
        status: Set(ReviewStatus::Open.as_str().to_owned()),
        self_assessment: Set(None),
        self_submitted_at: Set(None),
        manager_assessment: Set(None),
        manager_id: Set(None),
        manager_submitted_at: Set(None),
        kpi_snapshot: Set(None),
        score: Set(None),
        star_rating: Set(None),
        outcome: Set(None),
        recommended_course_ids: Set("[]".to_owned()),
        finalized_by: Set(None),
        finalized_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    };
    Review::insert(row)
        .on_conflict(
            OnConflict::columns([R::CycleId, R::EmployeeId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map_err(|e| StoreError::on_unique(e, STALE))?;
    Review::find()
        .filter(R::CycleId.eq(cycle_id))
        .filter(R::EmployeeId.eq(employee_id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("performance review"))
}

async fn reload<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Model, StoreError> {
    Review::find_by_id(id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("performance review"))
}

/// Stores the self assessment, submitted `at`, on condition that the review is still at
/// `from` and has none.
pub async fn submit_self<C: ConnectionTrait>(
    db: &C,
    review: &Model,
    to: ReviewStatus,
    text: String,
    at: DateTime<Utc>,
) -> Result<Model, StoreError> {
    let done = Review::update_many()
        .col_expr(R::SelfAssessment, Expr::value(text))
        .col_expr(R::SelfSubmittedAt, Expr::value(at))
        .col_expr(R::Status, Expr::value(to.as_str()))
        .col_expr(R::UpdatedAt, Expr::value(at))
        .filter(R::Id.eq(review.id))
        .filter(R::Status.eq(review.status.clone()))
        .filter(R::SelfAssessment.is_null())
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(StoreError::Conflict(
            "the self assessment for this cycle has already been submitted".to_owned(),
        ));
    }
    reload(db, review.id).await
}

/// Adds a colleague's assessment, written `at`; a second one by the same colleague is
/// `Conflict`.
pub async fn add_peer<C: ConnectionTrait>(
    db: &C,
    review: &Model,
    reviewer_id: Uuid,
    text: String,
    at: DateTime<Utc>,
) -> Result<Model, StoreError> {
    peer_assessment::ActiveModel {
        id: Set(Uuid::now_v7()),
        review_id: Set(review.id),
        reviewer_id: Set(reviewer_id),
        body: Set(text),
        created_at: Set(at),
    }
    .insert(db)
    .await
    .map_err(|e| {
        StoreError::on_unique(e, "you have already assessed this colleague in this cycle")
    })?;
    reload(db, review.id).await
}

/// Stores the manager assessment, submitted `at`, on condition that the review is still at
/// its status.
pub async fn submit_manager<C: ConnectionTrait>(
    db: &C,
    review: &Model,
    to: ReviewStatus,
    manager_id: Uuid,
    text: String,
    at: DateTime<Utc>,
) -> Result<Model, StoreError> {
    let done = Review::update_many()
        .col_expr(R::ManagerAssessment, Expr::value(text))
        .col_expr(R::ManagerId, Expr::value(manager_id))
        .col_expr(R::ManagerSubmittedAt, Expr::value(at))
        .col_expr(R::Status, Expr::value(to.as_str()))
        .col_expr(R::UpdatedAt, Expr::value(at))
        .filter(R::Id.eq(review.id))
        .filter(R::Status.eq(review.status.clone()))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(StoreError::Conflict(STALE.to_owned()));
    }
    reload(db, review.id).await
}

/// What finalization writes.
#[derive(Debug, Clone)]
pub struct Final {
    /// The KPI report of the cycle's period, as JSON.
    pub kpi_snapshot: String,
    /// 0–100.
    pub score: f64,
    /// 1–5.
    pub star_rating: i32,
    /// `ReviewOutcome` spelling.
    pub outcome: String,
    /// Recommended training courses.
    pub course_ids: Vec<Uuid>,
    /// Who finalized it.
    pub by: Uuid,
}

/// Freezes the review `at`, on condition that it is still at its status (so exactly once).
pub async fn finalize<C: ConnectionTrait>(
    db: &C,
    review: &Model,
    f: Final,
    at: DateTime<Utc>,
) -> Result<Model, StoreError> {
    let courses = serde_json::to_string(&f.course_ids).unwrap_or_else(|_| "[]".to_owned());
    let done = Review::update_many()
        .col_expr(R::KpiSnapshot, Expr::value(f.kpi_snapshot))
        .col_expr(R::Score, Expr::value(f.score))
        .col_expr(R::StarRating, Expr::value(f.star_rating))
        .col_expr(R::Outcome, Expr::value(f.outcome))
        .col_expr(R::RecommendedCourseIds, Expr::value(courses))
        .col_expr(R::FinalizedBy, Expr::value(f.by))
        .col_expr(R::FinalizedAt, Expr::value(at))
        .col_expr(R::Status, Expr::value(ReviewStatus::Finalized.as_str()))
        .col_expr(R::UpdatedAt, Expr::value(at))
        .filter(R::Id.eq(review.id))
        .filter(R::Status.eq(review.status.clone()))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(StoreError::Conflict(STALE.to_owned()));
    }
    reload(db, review.id).await
}

/// Peer assessment texts of the given reviews, oldest first (for data loaders).
pub async fn peers_of<C: ConnectionTrait>(
    db: &C,
    review_ids: &[Uuid],
) -> Result<Vec<peer_assessment::Model>, StoreError> {
    Ok(Peer::find()
        .filter(peer_assessment::Column::ReviewId.is_in(review_ids.iter().copied()))
        .order_by_asc(peer_assessment::Column::Id)
        .all(db)
        .await?)
}
