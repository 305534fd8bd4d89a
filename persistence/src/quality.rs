//! Quality inspection in storage: scorecards, inspections (one per ticket), the tickets a
//! sample is drawn from, and the training recommendations a low average has triggered.

use crate::entity::quality_alert;
use crate::entity::quality_review::{self, Column as Q, Entity as Review};
use crate::entity::quality_scorecard::{self, Entity as Scorecard};
use crate::entity::ticket::{Column as T, Entity as Ticket};
use crate::{StoreError, now};
use careline_domain::quality::{Criterion, Score};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

/// Stores a checked scorecard.
pub async fn insert_scorecard<C: ConnectionTrait>(
    db: &C,
    name: String,
    criteria: &[Criterion],
    by: Uuid,
) -> Result<quality_scorecard::Model, StoreError> {
    let criteria = serde_json::to_string(criteria)
        .map_err(|e| StoreError::Db(DbErr::Custom(format!("scorecard criteria: {e}"))))?;
    Ok(quality_scorecard::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        criteria: Set(criteria),
        active: Set(true),
        created_by: Set(by),
        created_at: Set(now()),
    }
    .insert(db)
    .await?)
}

/// Every scorecard, newest first.
pub async fn scorecards<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<quality_scorecard::Model>, StoreError> {
    Ok(Scorecard::find()
        .order_by_desc(quality_scorecard::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Scorecards by id.
pub async fn scorecards_by_id<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<quality_scorecard::Model>, StoreError> {
    Ok(Scorecard::find()
        .filter(quality_scorecard::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// An inspection to store.
#[derive(Debug, Clone)]
pub struct NewReview {
    /// The ticket inspected.
    pub ticket_id: Uuid,
    /// Whose work it was.
    pub agent_id: Uuid,
    /// The inspector.
    pub reviewer_id: Uuid,
    /// The scorecard used.
    pub scorecard_id: Uuid,
    /// Checked scores, in scorecard order.
    pub scores: Vec<Score>,
    /// Their weighted mean.
    pub total: f64,
    /// The inspector's remark.
    pub comment: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Stores an inspection; a ticket already inspected is `Conflict`.
pub async fn insert_review<C: ConnectionTrait>(
    db: &C,
    new: NewReview,
) -> Result<quality_review::Model, StoreError> {
    let scores = serde_json::to_string(&new.scores)
        .map_err(|e| StoreError::Db(DbErr::Custom(format!("quality scores: {e}"))))?;
    quality_review::ActiveModel {
        id: Set(Uuid::now_v7()),
        ticket_id: Set(new.ticket_id),
        agent_id: Set(new.agent_id),
        reviewer_id: Set(new.reviewer_id),
        scorecard_id: Set(new.scorecard_id),
        scores: Set(scores),
        total: Set(new.total),
        comment: Set(new.comment),
        at: Set(new.at),
        acknowledged_at: Set(None),
        dispute: Set(None),
    }
    .insert(db)
    .await
    .map_err(|e| StoreError::on_unique(e, "this ticket has already been inspected"))
}

/// One inspection.
pub async fn find_review<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<quality_review::Model>, StoreError> {
    Ok(Review::find_by_id(id).one(db).await?)
}

/// Which inspections to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReviewFilter {
    /// Only this agent's.
    pub agent: Option<Uuid>,
    /// Made at or after.
    pub from: Option<DateTime<Utc>>,
    /// Made before.
    pub to: Option<DateTime<Utc>>,
    /// Only those the agent disputed.
    pub disputed_only: bool,
}

/// Inspections, newest first, filtered, after a cursor.
pub async fn reviews<C: ConnectionTrait>(
    db: &C,
    filter: ReviewFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<quality_review::Model>, StoreError> {
    let ReviewFilter {
        agent,
        from,
        to,
        disputed_only,
    } = filter;
    let mut query = Review::find().order_by_desc(Q::Id);
    if disputed_only {
        query = query.filter(Q::Dispute.is_not_null());
    }
    if let Some(agent) = agent {
        query = query.filter(Q::AgentId.eq(agent));
    }
    if let Some(from) = from {
        query = query.filter(Q::At.gte(from));
    }
    if let Some(to) = to {
        query = query.filter(Q::At.lt(to));
    }
    if let Some(after) = after {
        query = query.filter(Q::Id.lt(after));
    }
    Ok(query.limit(limit).all(db).await?)
}

/// The latest inspection totals of an agent, newest first.
pub async fn latest_totals<C: ConnectionTrait>(
    db: &C,
    agent: Uuid,
    limit: u64,
) -> Result<Vec<f64>, StoreError> {
    Ok(Review::find()
        .select_only()
        .column(Q::Total)
        .filter(Q::AgentId.eq(agent))
        .order_by_desc(Q::At)
        .order_by_desc(Q::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// Records the agent's acknowledgement, with their dispute if any; once only (`Conflict`).
pub async fn acknowledge<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    dispute: Option<String>,
    at: DateTime<Utc>,
) -> Result<quality_review::Model, StoreError> {
    let done = Review::update_many()
        .col_expr(Q::AcknowledgedAt, Expr::value(at))
        .col_expr(Q::Dispute, Expr::value(dispute))
        .filter(Q::Id.eq(id))
        .filter(Q::AcknowledgedAt.is_null())
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(StoreError::Conflict(
            "this review has already been acknowledged".to_owned(),
        ));
    }
    find_review(db, id)
        .await?
        .ok_or(StoreError::NotFound("quality review"))
}

/// Resolved (or closed) tickets resolved in `[from, to)`, optionally of one team, with an
/// assignee, not inspected yet and not worked by `inspector`: what a sample is drawn from
/// (all of them: ids are small, and a cap would bias the draw towards the oldest).
pub async fn sample_candidates<C: ConnectionTrait>(
    db: &C,
    team: Option<Uuid>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    inspector: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    let mut query = Ticket::find()
        .select_only()
        .column(T::Id)
        .filter(T::FirstResolvedAt.gte(from))
        .filter(T::FirstResolvedAt.lt(to))
        .filter(T::AssigneeId.is_not_null())
        .filter(T::AssigneeId.ne(inspector))
        .filter(
            sea_orm::sea_query::Condition::any()
                .add(T::OwnerId.is_null())
                .add(T::OwnerId.ne(inspector)),
        )
        .filter(T::Status.is_in(["RESOLVED", "CLOSED"]))
        .filter(
            T::Id.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(Q::TicketId)
                    .from(Review)
                    .to_owned(),
            ),
        );
    if let Some(team) = team {
        query = query.filter(T::TeamId.eq(team));
    }
    Ok(query.order_by_asc(T::Id).into_tuple().all(db).await?)
}

/// Whether a low average has already sent `agent` to `course`.
pub async fn alerted<C: ConnectionTrait>(
    db: &C,
    agent: Uuid,
    course: Uuid,
) -> Result<bool, StoreError> {
    Ok(quality_alert::Entity::find_by_id((agent, course))
        .one(db)
        .await?
        .is_some())
}

/// Records that a low average sent `agent` to `course`; `false` when it had already.
pub async fn record_alert<C: ConnectionTrait>(
    db: &C,
    agent: Uuid,
    course: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let inserted = quality_alert::Entity::insert(quality_alert::ActiveModel {
        agent_id: Set(agent),
        course_id: Set(course),
        at: Set(at),
    })
    .on_conflict(
        OnConflict::columns([
            quality_alert::Column::AgentId,
            quality_alert::Column::CourseId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted > 0)
}
