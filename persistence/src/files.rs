//! Stored files in storage: the row of an upload, attaching files to a ticket (conditional on
//! their still being unattached, so two requests cannot both take one file), the files of
//! timeline entries, and the purge of files nobody attached.

use crate::StoreError;
use crate::entity::stored_file::{self, Column as F, Entity as StoredFile};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, QuerySelect};

/// Records an upload whose bytes are already in the file store.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    file: stored_file::Model,
) -> Result<stored_file::Model, StoreError> {
    stored_file::ActiveModel::from(file.clone())
        .insert(db)
        .await
        .map_err(|e| StoreError::on_unique(e, "a file with this id already exists"))?;
    Ok(file)
}

/// One file by id.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<stored_file::Model>, StoreError> {
    Ok(StoredFile::find_by_id(id).one(db).await?)
}

/// The files with these ids (those that exist).
pub async fn find_many<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<stored_file::Model>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(StoredFile::find()
        .filter(F::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Attaches the files to `ticket_id` (and `event_id`) where they are still unattached;
/// answers how many rows changed (fewer than `ids` when another request took one first).
pub async fn attach<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    ticket_id: Uuid,
    event_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let result = StoredFile::update_many()
        .col_expr(F::TicketId, Expr::value(Some(ticket_id)))
        .col_expr(F::EventId, Expr::value(event_id))
        .col_expr(F::AttachedAt, Expr::value(Some(at)))
        .filter(F::Id.is_in(ids.iter().copied()))
        .filter(F::AttachedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The files of these timeline entries, oldest upload first.
pub async fn of_events<C: ConnectionTrait>(
    db: &C,
    event_ids: &[Uuid],
) -> Result<Vec<stored_file::Model>, StoreError> {
    if event_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(StoredFile::find()
        .filter(F::EventId.is_in(event_ids.iter().copied()))
        .order_by_asc(F::CreatedAt)
        .order_by_asc(F::Id)
        .all(db)
        .await?)
}

/// Up to `limit` files never attached and uploaded before `before`, oldest first.
pub async fn unattached_before<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<stored_file::Model>, StoreError> {
    Ok(StoredFile::find()
        .filter(F::AttachedAt.is_null())
        .filter(F::CreatedAt.lt(before))
        .order_by_asc(F::CreatedAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Deletes the row of a file if it is still unattached; answers whether this call deleted it
/// (another instance, or an attach in between, makes it `false`).
pub async fn delete_unattached<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    let result = StoredFile::delete_many()
        .filter(F::Id.eq(id))
        .filter(F::AttachedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Whether a timeline entry is internal (`None`: no such entry).
pub async fn event_is_internal<C: ConnectionTrait>(
    db: &C,
    event_id: Uuid,
) -> Result<Option<bool>, StoreError> {
    use crate::entity::ticket_event;
    Ok(ticket_event::Entity::find_by_id(event_id)
        .one(db)
        .await?
        .map(|e| e.internal))
}
