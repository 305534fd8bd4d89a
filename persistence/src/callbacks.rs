//! Callbacks: stored as they are given, changed only on condition that they are still what the
//! caller saw (version and status), so two people — or two instances — never both win.

use crate::StoreError;
use crate::entity::callback::{self, Column as Col, Entity as Callback, Model};
use crate::entity::{ticket, user};
use crate::page::Page;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

const SCHEDULED: &str = "SCHEDULED";
const DONE: &str = "DONE";
const CANCELLED: &str = "CANCELLED";

/// Stores a new callback.
pub async fn insert<C: ConnectionTrait>(db: &C, row: Model) -> Result<Model, StoreError> {
    callback::ActiveModel::from(row.clone()).insert(db).await?;
    Ok(row)
}

/// One callback.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, StoreError> {
    Ok(Callback::find_by_id(id).one(db).await?)
}

/// What a person changes on a scheduled callback.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// Done or cancelled (`None` keeps it scheduled).
    pub status: Option<&'static str>,
    /// A new due time.
    pub due_at: Option<DateTime<Utc>>,
    /// A new assignee.
    pub assignee_id: Option<Uuid>,
    /// What came of it (or why it was moved or cancelled).
    pub outcome: Option<String>,
    /// Count one more attempt.
    pub attempt: bool,
    /// Who completed it.
    pub done_by: Option<Uuid>,
}

/// Applies `u` to callback `id` if it is still scheduled at `version`; `Conflict` otherwise.
/// Returns it as it now is.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    version: i32,
    u: Update,
    at: DateTime<Utc>,
) -> Result<Model, StoreError> {
    let mut q = Callback::update_many()
        .col_expr(Col::UpdatedAt, Expr::value(at))
        .col_expr(Col::Version, Expr::col(Col::Version).add(1))
        .filter(Col::Id.eq(id))
        .filter(Col::Version.eq(version))
        .filter(Col::Status.eq(SCHEDULED));
    if let Some(status) = u.status {
        q = q.col_expr(Col::Status, Expr::value(status));
        if status == DONE {
            q = q
                .col_expr(Col::DoneAt, Expr::value(at))
                .col_expr(Col::DoneBy, Expr::value(u.done_by));
        }
    }
    if let Some(due) = u.due_at {
        // A new due time is a new promise: its reminder and overdue notice are due again.
        q = q
            .col_expr(Col::DueAt, Expr::value(due))
            .col_expr(Col::RemindedAt, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(
                Col::OverdueNotifiedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
    }
    if let Some(assignee) = u.assignee_id {
        q = q.col_expr(Col::AssigneeId, Expr::value(assignee));
    }
    if let Some(outcome) = u.outcome {
        q = q.col_expr(Col::Outcome, Expr::value(outcome));
    }
    if u.attempt {
        q = q.col_expr(Col::Attempts, Expr::col(Col::Attempts).add(1));
    }
    if q.exec(db).await?.rows_affected == 0 {
        return Err(StoreError::Conflict(
            "the callback was changed by someone else; reload it and try again".to_owned(),
        ));
    }
    find(db, id).await?.ok_or(StoreError::NotFound("callback"))
}

/// Marks the ticket's scheduled callbacks of `purposes` done (`outcome` given) or cancelled
/// (`outcome` the reason). Returns how many changed.
pub async fn settle_of_ticket<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    purposes: &[&str],
    done_by: Option<Uuid>,
    outcome: &str,
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let status = if done_by.is_some() { DONE } else { CANCELLED };
    let mut q = Callback::update_many()
        .col_expr(Col::Status, Expr::value(status))
        .col_expr(Col::Outcome, Expr::value(outcome))
        .col_expr(Col::UpdatedAt, Expr::value(at))
        .col_expr(Col::Version, Expr::col(Col::Version).add(1))
        .filter(Col::TicketId.eq(ticket_id))
        .filter(Col::Status.eq(SCHEDULED))
        .filter(Col::Purpose.is_in(purposes.iter().copied()));
    if done_by.is_some() {
        q = q
            .col_expr(Col::DoneAt, Expr::value(at))
            .col_expr(Col::DoneBy, Expr::value(done_by));
    }
    Ok(q.exec(db).await?.rows_affected)
}

/// The callbacks about these tickets, soonest first (for data loaders).
pub async fn of_tickets<C: ConnectionTrait>(
    db: &C,
    ticket_ids: &[Uuid],
) -> Result<Vec<Model>, StoreError> {
    Ok(Callback::find()
        .filter(Col::TicketId.is_in(ticket_ids.iter().copied()))
        .order_by_asc(Col::DueAt)
        .order_by_asc(Col::Id)
        .all(db)
        .await?)
}

/// The scheduled follow-up visits of these tickets (for `followUpDueAt`).
pub async fn follow_ups_due<C: ConnectionTrait>(
    db: &C,
    ticket_ids: &[Uuid],
) -> Result<Vec<Model>, StoreError> {
    Ok(Callback::find()
        .filter(Col::TicketId.is_in(ticket_ids.iter().copied()))
        .filter(Col::Purpose.eq("FOLLOW_UP"))
        .filter(Col::Status.eq(SCHEDULED))
        .order_by_asc(Col::DueAt)
        .all(db)
        .await?)
}

/// Whether the ticket's customer, unsatisfied at a follow-up since resolution `resolution`,
/// has been called again (a CALLBACK after the disagreement done).
pub async fn disagreement_called_back<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    resolution: i32,
) -> Result<bool, StoreError> {
    Ok(Callback::find()
        .filter(Col::TicketId.eq(ticket_id))
        .filter(Col::AfterDisagreement.eq(true))
        .filter(Col::Resolution.eq(resolution))
        .filter(Col::Status.eq(DONE))
        .count(db)
        .await?
        > 0)
}

/// `assignee`'s scheduled callbacks due by `until`, soonest (so overdue) first; at most `limit`.
pub async fn scheduled_for<C: ConnectionTrait>(
    db: &C,
    assignee: Uuid,
    until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    Ok(Callback::find()
        .filter(Col::AssigneeId.eq(assignee))
        .filter(Col::Status.eq(SCHEDULED))
        .filter(Col::DueAt.lte(until))
        .order_by_asc(Col::DueAt)
        .order_by_asc(Col::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Which callbacks a lead's list holds.
#[derive(Debug, Clone)]
pub struct TeamFilter {
    /// Callbacks whose assignee is in one of these teams; `None` for every team.
    pub teams: Option<Vec<Uuid>>,
    /// Only those past their due time at `now`.
    pub overdue_at: Option<DateTime<Utc>>,
}

/// A page of scheduled callbacks, soonest first, after the position `(due_at, id)`.
pub async fn scheduled_page<C: ConnectionTrait>(
    db: &C,
    filter: &TeamFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Page<Model>, StoreError> {
    let mut select = Callback::find().filter(Col::Status.eq(SCHEDULED));
    if let Some(teams) = &filter.teams {
        select = select.filter(
            Col::AssigneeId.in_subquery(
                Query::select()
                    .column(user::Column::Id)
                    .from(user::Entity)
                    .and_where(user::Column::TeamId.is_in(teams.iter().copied()))
                    .to_owned(),
            ),
        );
    }
    if let Some(now) = filter.overdue_at {
        select = select.filter(Col::DueAt.lt(now));
    }
    Ok(crate::page::seek_by_time(db, select, Col::DueAt, Col::Id, after, limit).await?)
}

/// Scheduled callbacks whose reminder is due (due by `horizon`) and not yet sent; at most
/// `limit`, soonest first.
pub async fn reminders_due<C: ConnectionTrait>(
    db: &C,
    horizon: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    Ok(Callback::find()
        .filter(Col::Status.eq(SCHEDULED))
        .filter(Col::DueAt.lte(horizon))
        .filter(Col::RemindedAt.is_null())
        .order_by_asc(Col::DueAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Scheduled callbacks past their due time whose overdue notice is not yet out; at most
/// `limit`, most overdue first.
pub async fn overdue_unnotified<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    Ok(Callback::find()
        .filter(Col::Status.eq(SCHEDULED))
        .filter(Col::DueAt.lt(now))
        .filter(Col::OverdueNotifiedAt.is_null())
        .order_by_asc(Col::DueAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Takes the reminder of callback `id` at its due time `due`: true for the one caller (on any
/// instance) that sets `reminded_at`, false if someone did already or it moved meanwhile.
pub async fn claim_reminder<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    due: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let updated = Callback::update_many()
        .col_expr(Col::RemindedAt, Expr::value(at))
        .filter(Col::Id.eq(id))
        .filter(Col::Status.eq(SCHEDULED))
        .filter(Col::DueAt.eq(due))
        .filter(Col::RemindedAt.is_null())
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Takes the overdue notice of callback `id` at its due time `due`, like [`claim_reminder`].
pub async fn claim_overdue<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    due: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let updated = Callback::update_many()
        .col_expr(Col::OverdueNotifiedAt, Expr::value(at))
        .filter(Col::Id.eq(id))
        .filter(Col::Status.eq(SCHEDULED))
        .filter(Col::DueAt.eq(due))
        .filter(Col::OverdueNotifiedAt.is_null())
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// A page of resolved tickets of `kinds` still waiting for their follow-up visit, longest
/// waiting (earliest resolved) first, after the position `(resolved_at, id)`; only teams
/// `teams` when given.
pub async fn awaiting_follow_up<C: ConnectionTrait>(
    db: &C,
    kinds: &[&str],
    teams: Option<&[Uuid]>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Page<ticket::Model>, StoreError> {
    use ticket::Column as T;
    let mut select = ticket::Entity::find()
        .filter(T::Status.eq("RESOLVED"))
        .filter(T::Kind.is_in(kinds.iter().copied()))
        .filter(T::FollowUpSinceResolution.eq(false));
    if let Some(teams) = teams {
        select = select.filter(T::TeamId.is_in(teams.iter().copied()));
    }
    Ok(crate::page::seek_by_time(db, select, T::ResolvedAt, T::Id, after, limit).await?)
}
