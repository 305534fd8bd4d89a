//! Keyset pagination over UUIDv7 primary keys, which sort in creation order.

use sea_orm::prelude::Uuid;

/// A request for one page: at most `limit` rows after (or before) a cursor.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    /// Rows after this id (forward paging).
    pub after: Option<Uuid>,
    /// Rows before this id (backward paging).
    pub before: Option<Uuid>,
    /// Page size (already capped by the caller).
    pub limit: u64,
    /// Whether to take the page from the end (`last`).
    pub from_end: bool,
}

/// One page of rows in ascending order, and whether more exist beyond either edge.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows, oldest first.
    pub items: Vec<T>,
    /// More rows exist after the last one.
    pub has_next: bool,
    /// More rows exist before the first one.
    pub has_previous: bool,
    /// All rows matching the filter, ignoring paging.
    pub total: u64,
}

use sea_orm::{ColumnTrait, FromQueryResult};
use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};

/// Runs `select` one page at a time, keyed on `id_col` (a UUIDv7 column).
pub async fn paginate<E, C>(
    db: &C,
    select: Select<E>,
    id_col: E::Column,
    req: PageRequest,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
    C: ConnectionTrait,
{
    let total = select.clone().count(db).await?;
    let mut query = select;
    if let Some(after) = req.after {
        query = query.filter(id_col.gt(after));
    }
    if let Some(before) = req.before {
        query = query.filter(id_col.lt(before));
    }
    let query = if req.from_end {
        query.order_by_desc(id_col)
    } else {
        query.order_by_asc(id_col)
    };
    // One extra row tells whether another page exists without a second count.
    let mut items = query.limit(req.limit + 1).all(db).await?;
    let more = items.len() as u64 > req.limit;
    items.truncate(req.limit as usize);
    if req.from_end {
        items.reverse();
    }
    let (has_next, has_previous) = if req.from_end {
        (req.before.is_some(), more)
    } else {
        (more, req.after.is_some())
    };
    Ok(Page {
        items,
        has_next,
        has_previous,
        total,
    })
}

/// Runs `select` one page at a time in ascending `(at_col, id_col)` order, after the position
/// `after` (a time and the id that breaks ties): for lists ordered by a time rather than by id.
pub async fn seek_by_time<E, C>(
    db: &C,
    select: Select<E>,
    at_col: E::Column,
    id_col: E::Column,
    after: Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>,
    limit: u64,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
    C: ConnectionTrait,
{
    let total = select.clone().count(db).await?;
    let mut query = select;
    if let Some((at, id)) = after {
        query = query.filter(
            sea_orm::Condition::any().add(at_col.gt(at)).add(
                sea_orm::Condition::all()
                    .add(at_col.eq(at))
                    .add(id_col.gt(id)),
            ),
        );
    }
    let mut items = query
        .order_by_asc(at_col)
        .order_by_asc(id_col)
        .limit(limit + 1)
        .all(db)
        .await?;
    let has_next = items.len() as u64 > limit;
    items.truncate(limit as usize);
    Ok(Page {
        items,
        has_next,
        has_previous: after.is_some(),
        total,
    })
}
