//! Corrective actions (整改措施) and the complaints they address.

use crate::entity::corrective_action::{self, Column as CA, Entity as CorrectiveAction, Model};
use crate::entity::corrective_action_ticket::{self, Entity as Link};
use crate::entity::ticket;
use crate::{StoreError, now};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

/// A new corrective action.
#[derive(Debug, Clone)]
pub struct NewCorrectiveAction {
    /// What will be done.
    pub description: String,
    /// The department that owns the fix.
    pub department_id: Uuid,
    /// When it should be done.
    pub due_at: Option<DateTime<Utc>>,
    /// The complaints it addresses (checked to exist by the caller).
    pub ticket_ids: Vec<Uuid>,
    /// Who created it.
    pub created_by: Uuid,
}

/// Creates a corrective action and its links in one transaction.
pub async fn create(
    db: &DatabaseConnection,
    new: NewCorrectiveAction,
) -> Result<Model, StoreError> {
    let txn = db.begin().await?;
    let at = now();
    let created = corrective_action::ActiveModel {
        id: Set(Uuid::now_v7()),
        description: Set(new.description),
        department_id: Set(new.department_id),
        due_at: Set(new.due_at),
        status: Set("OPEN".to_owned()),
        created_by: Set(new.created_by),
        verified_by: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        reminded_at: Set(None),
        overdue_escalated_at: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|e| StoreError::on_unique(e, "corrective action already exists"))?;
    let mut ids = new.ticket_ids;
    ids.sort();
    ids.dedup();
    let links = ids
        .into_iter()
        .map(|ticket_id| corrective_action_ticket::ActiveModel {
            corrective_action_id: Set(created.id),
            ticket_id: Set(ticket_id),
        });
    Link::insert_many(links)
        .exec_without_returning(&txn)
        .await
        .map_err(|e| StoreError::on_unique(e, "a ticket is listed twice"))?;
    txn.commit().await?;
    Ok(created)
}

/// One corrective action.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, StoreError> {
    Ok(CorrectiveAction::find_by_id(id).one(db).await?)
}

/// Moves a corrective action from `from` to `to`, on condition that nobody moved it first.
pub async fn set_status<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    from: &str,
    to: &str,
    verified_by: Option<Uuid>,
) -> Result<Model, StoreError> {
    let mut update = CorrectiveAction::update_many()
        .col_expr(CA::Status, Expr::value(to))
        .col_expr(CA::UpdatedAt, Expr::value(now()))
        .filter(CA::Id.eq(id))
        .filter(CA::Status.eq(from));
    if verified_by.is_some() {
        update = update.col_expr(CA::VerifiedBy, Expr::value(verified_by));
    }
    if update.exec(db).await?.rows_affected == 0 {
        return Err(StoreError::Conflict(
            "the corrective action was changed by someone else; reload it and try again".to_owned(),
        ));
    }
    find(db, id)
        .await?
        .ok_or(StoreError::NotFound("corrective action"))
}

/// Corrective actions, newest first, optionally by status and owning department.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    status: Option<&str>,
    department_id: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    let mut q = CorrectiveAction::find();
    if let Some(status) = status {
        q = q.filter(CA::Status.eq(status));
    }
    if let Some(d) = department_id {
        q = q.filter(CA::DepartmentId.eq(d));
    }
    Ok(q.order_by_desc(CA::Id).limit(limit).all(db).await?)
}

/// The corrective actions linked to each of the given tickets (for data loaders).
pub async fn of_tickets<C: ConnectionTrait>(
    db: &C,
    ticket_ids: &[Uuid],
) -> Result<Vec<(Uuid, Model)>, StoreError> {
    let links = Link::find()
        .filter(corrective_action_ticket::Column::TicketId.is_in(ticket_ids.iter().copied()))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = links.iter().map(|l| l.corrective_action_id).collect();
    let actions = CorrectiveAction::find()
        .filter(CA::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(links
        .into_iter()
        .filter_map(|l| {
            actions
                .iter()
                .find(|a| a.id == l.corrective_action_id)
                .map(|a| (l.ticket_id, a.clone()))
        })
        .collect())
}

/// The tickets linked to each of the given corrective actions (for data loaders).
pub async fn tickets_of<C: ConnectionTrait>(
    db: &C,
    action_ids: &[Uuid],
) -> Result<Vec<(Uuid, ticket::Model)>, StoreError> {
    let links = Link::find()
        .filter(
            corrective_action_ticket::Column::CorrectiveActionId.is_in(action_ids.iter().copied()),
        )
        .all(db)
        .await?;
    let ids: Vec<Uuid> = links.iter().map(|l| l.ticket_id).collect();
    let tickets = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(ids))
        .order_by_asc(ticket::Column::Id)
        .all(db)
        .await?;
    Ok(links
        .into_iter()
        .filter_map(|l| {
            tickets
                .iter()
                .find(|t| t.id == l.ticket_id)
                .map(|t| (l.corrective_action_id, t.clone()))
        })
        .collect())
}

/// Open corrective actions due within (`now`, `until`] whose reminder has not gone out, soonest
/// first.
pub async fn due_for_reminder<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    Ok(CorrectiveAction::find()
        .filter(CA::Status.eq("OPEN"))
        .filter(CA::DueAt.gt(now))
        .filter(CA::DueAt.lte(until))
        .filter(CA::RemindedAt.is_null())
        .order_by_asc(CA::DueAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Records that the reminder went out, unless someone recorded it first. Returns whether this
/// call did (and so must send it).
pub async fn mark_reminded<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = CorrectiveAction::update_many()
        .col_expr(CA::RemindedAt, Expr::value(at))
        .filter(CA::Id.eq(id))
        .filter(CA::RemindedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Open corrective actions past their due time at `now` whose overdue escalation has not been
/// recorded, longest overdue first.
pub async fn overdue_unescalated<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    Ok(CorrectiveAction::find()
        .filter(CA::Status.eq("OPEN"))
        .filter(CA::DueAt.lte(now))
        .filter(CA::OverdueEscalatedAt.is_null())
        .order_by_asc(CA::DueAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Records that the overdue escalation was made, unless someone recorded it first. Returns
/// whether this call did (and so must write it).
pub async fn mark_overdue_escalated<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = CorrectiveAction::update_many()
        .col_expr(CA::OverdueEscalatedAt, Expr::value(at))
        .filter(CA::Id.eq(id))
        .filter(CA::OverdueEscalatedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Open corrective actions past their due time at `now`, longest overdue first, optionally of
/// one department.
pub async fn overdue<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    department_id: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    let mut q = CorrectiveAction::find()
        .filter(CA::Status.eq("OPEN"))
        .filter(CA::DueAt.lte(now));
    if let Some(d) = department_id {
        q = q.filter(CA::DepartmentId.eq(d));
    }
    Ok(q.order_by_asc(CA::DueAt)
        .order_by_asc(CA::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The first ticket linked to a corrective action (the oldest: ids are time-ordered), if any.
pub async fn first_ticket<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<ticket::Model>, StoreError> {
    let first: Option<Uuid> = Link::find()
        .select_only()
        .column(corrective_action_ticket::Column::TicketId)
        .filter(corrective_action_ticket::Column::CorrectiveActionId.eq(id))
        .order_by_asc(corrective_action_ticket::Column::TicketId)
        .into_tuple()
        .one(db)
        .await?;
    match first {
        Some(ticket_id) => Ok(ticket::Entity::find_by_id(ticket_id).one(db).await?),
        None => Ok(None),
    }
}
