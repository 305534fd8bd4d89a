//! Time accounting in storage: minutes logged on tickets, per ticket and per scope and period.

use crate::StoreError;
use crate::entity::time_entry::{self, Column as E, Entity as Entry};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Stores an entry.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    ticket: Uuid,
    user: Uuid,
    minutes: i32,
    note: Option<String>,
    at: DateTime<Utc>,
) -> Result<time_entry::Model, StoreError> {
    Ok(time_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        ticket_id: Set(ticket),
        user_id: Set(user),
        minutes: Set(minutes),
        note: Set(note),
        at: Set(at),
    }
    .insert(db)
    .await?)
}

/// A ticket's entries, oldest first.
pub async fn of_ticket<C: ConnectionTrait>(
    db: &C,
    ticket: Uuid,
    limit: u64,
) -> Result<Vec<time_entry::Model>, StoreError> {
    Ok(Entry::find()
        .filter(E::TicketId.eq(ticket))
        .order_by_asc(E::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Minutes logged per ticket, for the given tickets (one statement).
pub async fn totals<C: ConnectionTrait>(
    db: &C,
    tickets: &[Uuid],
) -> Result<HashMap<Uuid, i64>, StoreError> {
    if tickets.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Option<i64>)> = Entry::find()
        .select_only()
        .column(E::TicketId)
        .column_as(Expr::col(E::Minutes).sum().cast_as("bigint"), "m")
        .filter(E::TicketId.is_in(tickets.iter().copied()))
        .group_by(E::TicketId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(t, m)| (t, m.unwrap_or(0))).collect())
}
