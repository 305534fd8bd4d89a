//! Storage of the conversation with customers: inboxes, deliveries (the outbox of outbound
//! messages), contact preferences and edited templates.

use crate::StoreError;
use crate::entity::contact_preference::{self, Entity as Preferences};
use crate::entity::delivery::{self, Entity as Delivery};
use crate::entity::notification::{self, Entity as Notification};
use crate::entity::notification_template::{self, Entity as Template};
use crate::entity::ticket_event;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseBackend, QueryOrder, QuerySelect, Statement,
};

/// Writes inbox entries; an entry whose (person, cause) is already there is skipped. Returns
/// the entries written.
pub async fn insert_notifications<C: ConnectionTrait>(
    db: &C,
    rows: Vec<notification::Model>,
) -> Result<Vec<notification::Model>, StoreError> {
    let mut written = Vec::with_capacity(rows.len());
    for row in rows {
        let inserted = Notification::insert(notification::ActiveModel::from(row.clone()))
            .on_conflict(
                OnConflict::columns([
                    notification::Column::UserId,
                    notification::Column::DedupeKey,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        if inserted > 0 {
            written.push(row);
        }
    }
    Ok(written)
}

/// A page of someone's inbox, newest first, after `after` (an entry id).
pub async fn inbox<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    unread_only: bool,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<notification::Model>, bool), StoreError> {
    let mut q = Notification::find().filter(notification::Column::UserId.eq(user_id));
    if unread_only {
        q = q.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(after) = after {
        q = q.filter(notification::Column::Id.lt(after));
    }
    let mut rows = q
        .order_by_desc(notification::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// How many entries someone's inbox holds: all (or unread only), and unread.
pub async fn inbox_counts<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    unread_only: bool,
) -> Result<(u64, u64), StoreError> {
    let unread = Notification::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?;
    let total = if unread_only {
        unread
    } else {
        Notification::find()
            .filter(notification::Column::UserId.eq(user_id))
            .count(db)
            .await?
    };
    Ok((total, unread))
}

/// Marks the given entries of `user_id`'s inbox read; returns how many changed.
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let r = Notification::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(at))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::Id.is_in(ids.iter().copied()))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}

/// Writes deliveries; one whose (cause, customer, channel) is already there is skipped.
pub async fn insert_deliveries<C: ConnectionTrait>(
    db: &C,
    rows: Vec<delivery::Model>,
) -> Result<(), StoreError> {
    for row in rows {
        Delivery::insert(delivery::ActiveModel::from(row))
            .on_conflict(
                OnConflict::columns([
                    delivery::Column::Cause,
                    delivery::Column::CustomerId,
                    delivery::Column::Channel,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Claims up to `limit` pending deliveries due at `now` for `lease`: no other instance takes
/// them until the lease ends. PostgreSQL skips rows another instance is claiming; SQLite has
/// one writer.
pub async fn claim_due<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<delivery::Model>, StoreError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "UPDATE deliveries SET lease_until = $1 WHERE id IN (
                 SELECT id FROM deliveries
                 WHERE status = 'PENDING' AND next_attempt_at <= $2
                   AND (lease_until IS NULL OR lease_until <= $2)
                 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING *"
        }
        _ => {
            "UPDATE deliveries SET lease_until = $1 WHERE id IN (
                 SELECT id FROM deliveries
                 WHERE status = 'PENDING' AND next_attempt_at <= $2
                   AND (lease_until IS NULL OR lease_until <= $2)
                 ORDER BY next_attempt_at LIMIT $3)
             RETURNING *"
        }
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let stmt = Statement::from_sql_and_values(
        backend,
        sql,
        [lease_until.into(), now.into(), limit.into()],
    );
    Ok(Delivery::find().from_raw_sql(stmt).all(db).await?)
}

/// Records that a claimed delivery went out.
pub async fn mark_sent<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    message_id: Option<String>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    Delivery::update_many()
        .col_expr(delivery::Column::Status, Expr::value("SENT"))
        .col_expr(
            delivery::Column::Attempts,
            Expr::col(delivery::Column::Attempts).add(1),
        )
        .col_expr(delivery::Column::MessageId, Expr::value(message_id))
        .col_expr(delivery::Column::SentAt, Expr::value(at))
        .col_expr(
            delivery::Column::Detail,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            delivery::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(at))
        .filter(delivery::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed try: tried again at `next`, or `FAILED` when `next` is `None`. Returns
/// whether it failed for good.
pub async fn mark_attempt_failed<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    detail: &str,
    next: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let detail: String = detail.chars().take(500).collect();
    let mut update = Delivery::update_many()
        .col_expr(
            delivery::Column::Attempts,
            Expr::col(delivery::Column::Attempts).add(1),
        )
        .col_expr(delivery::Column::Detail, Expr::value(detail))
        .col_expr(
            delivery::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(at))
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::Status.eq("PENDING"));
    update = match next {
        Some(next) => update.col_expr(delivery::Column::NextAttemptAt, Expr::value(next)),
        None => update.col_expr(delivery::Column::Status, Expr::value("FAILED")),
    };
    let changed = update.exec(db).await?.rows_affected;
    Ok(changed > 0 && next.is_none())
}

/// A failed delivery back to `PENDING`, due now, with a fresh count of tries. `None` when it
/// does not exist or has not failed.
pub async fn retry<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<Option<delivery::Model>, StoreError> {
    let changed = Delivery::update_many()
        .col_expr(delivery::Column::Status, Expr::value("PENDING"))
        .col_expr(delivery::Column::Attempts, Expr::value(0))
        .col_expr(delivery::Column::NextAttemptAt, Expr::value(at))
        .col_expr(
            delivery::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(at))
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::Status.eq("FAILED"))
        .exec(db)
        .await?
        .rows_affected;
    if changed == 0 {
        return Ok(None);
    }
    Ok(Delivery::find_by_id(id).one(db).await?)
}

/// Deliveries that failed, newest first, after `after`; and how many there are.
pub async fn failed<C: ConnectionTrait>(
    db: &C,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<delivery::Model>, bool, u64), StoreError> {
    let base = Delivery::find().filter(delivery::Column::Status.eq("FAILED"));
    let total = base.clone().count(db).await?;
    let mut q = base;
    if let Some(after) = after {
        q = q.filter(delivery::Column::Id.lt(after));
    }
    let mut rows = q
        .order_by_desc(delivery::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more, total))
}

/// The deliveries of the given timeline entries, oldest first.
pub async fn deliveries_of_events<C: ConnectionTrait>(
    db: &C,
    event_ids: &[Uuid],
) -> Result<Vec<delivery::Model>, StoreError> {
    Ok(Delivery::find()
        .filter(delivery::Column::EventId.is_in(event_ids.iter().copied()))
        .order_by_asc(delivery::Column::Id)
        .all(db)
        .await?)
}

/// A customer's stored preferences.
pub async fn preferences<C: ConnectionTrait>(
    db: &C,
    customer_id: Uuid,
) -> Result<Option<contact_preference::Model>, StoreError> {
    Ok(Preferences::find_by_id(customer_id).one(db).await?)
}

/// Stores a customer's preferences (insert or replace).
pub async fn save_preferences<C: ConnectionTrait>(
    db: &C,
    row: contact_preference::Model,
) -> Result<(), StoreError> {
    use contact_preference::Column as P;
    Preferences::insert(contact_preference::ActiveModel::from(row))
        .on_conflict(
            OnConflict::column(P::CustomerId)
                .update_columns([
                    P::Channels,
                    P::QuietHours,
                    P::TimeZone,
                    P::Language,
                    P::OptedOut,
                    P::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Every edited template.
pub async fn templates<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<notification_template::Model>, StoreError> {
    Ok(Template::find().all(db).await?)
}

/// The edited template for one event, channel and language, if any.
pub async fn template<C: ConnectionTrait>(
    db: &C,
    event: &str,
    channel: &str,
    language: &str,
) -> Result<Option<notification_template::Model>, StoreError> {
    use notification_template::Column as T;
    Ok(Template::find()
        .filter(T::Event.eq(event))
        .filter(T::Channel.eq(channel))
        .filter(T::Language.eq(language))
        .one(db)
        .await?)
}

/// Stores an edit of a template: the next version after the one stored (the shipped one is 1).
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn save_template<C: ConnectionTrait>(
    db: &C,
    event: &str,
    channel: &str,
    language: &str,
    subject: Option<String>,
    body: String,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<notification_template::Model, StoreError> {
    let current = template(db, event, channel, language).await?;
    let row = match current {
        Some(current) => {
            let version = current.version;
            let mut active: notification_template::ActiveModel = current.into();
            active.subject = Set(subject);
            active.body = Set(body);
            active.version = Set(version + 1);
            active.updated_by = Set(by);
            active.updated_at = Set(at);
            let updated = Template::update_many()
                .set(active)
                .filter(notification_template::Column::Event.eq(event))
                .filter(notification_template::Column::Channel.eq(channel))
                .filter(notification_template::Column::Language.eq(language))
                .filter(notification_template::Column::Version.eq(version))
                .exec(db)
                .await?;
            if updated.rows_affected == 0 {
                return Err(StoreError::Conflict(
                    "the template was changed at the same time; try again".to_owned(),
                ));
            }
            template(db, event, channel, language)
                .await?
                .ok_or(StoreError::NotFound("template"))?
        }
        None => {
            let row = notification_template::Model {
                id: Uuid::now_v7(),
                event: event.to_owned(),
                channel: channel.to_owned(),
                language: language.to_owned(),
                subject,
                body,
                version: 2,
                updated_by: by,
                updated_at: at,
            };
            Template::insert(notification_template::ActiveModel::from(row.clone()))
                .exec_without_returning(db)
                .await?;
            row
        }
    };
    Ok(row)
}

/// How many messages `author` wrote on `ticket_id` since `since`.
pub async fn customer_messages_since<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    author: Uuid,
    since: DateTime<Utc>,
) -> Result<u64, StoreError> {
    use ticket_event::Column as E;
    Ok(ticket_event::Entity::find()
        .filter(E::TicketId.eq(ticket_id))
        .filter(E::ActorId.eq(author))
        .filter(E::Kind.eq("CUSTOMER_MESSAGE"))
        .filter(E::At.gt(since))
        .count(db)
        .await?)
}

/// A page of a ticket's conversation (customer messages and staff replies, promises and
/// resolutions the customer sees), oldest first.
pub async fn conversation<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    req: crate::page::PageRequest,
) -> Result<crate::page::Page<ticket_event::Model>, StoreError> {
    use ticket_event::Column as E;
    let select = ticket_event::Entity::find()
        .filter(E::TicketId.eq(ticket_id))
        .filter(E::Internal.eq(false))
        .filter(E::Kind.is_in(CONVERSATION_KINDS));
    Ok(crate::page::paginate(db, select, E::Id, req).await?)
}

/// The timeline kinds that make up the conversation.
pub const CONVERSATION_KINDS: [&str; 5] = [
    "CREATED",
    "CUSTOMER_MESSAGE",
    "CUSTOMER_REPLY",
    "ANSWER_PROMISED",
    "RESOLVED",
];

/// Tickets whose promised answer time passed at `now` while they were still being worked and
/// that were not escalated for it yet, oldest promise first.
pub async fn promises_broken<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Uuid>, StoreError> {
    use crate::entity::ticket::{Column as T, Entity as Ticket};
    Ok(Ticket::find()
        .select_only()
        .column(T::Id)
        .filter(T::PromisedAnswerAt.lte(now))
        .filter(T::PromiseEscalated.eq(false))
        .filter(T::Status.is_in(["NEW", "OPEN", "PENDING_DEPARTMENT"]))
        .order_by_asc(T::PromisedAnswerAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// Records that a claimed delivery is not sent on purpose (its channel is not configured).
pub async fn mark_suppressed<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    Delivery::update_many()
        .col_expr(delivery::Column::Status, Expr::value("SUPPRESSED"))
        .col_expr(delivery::Column::Detail, Expr::value(detail))
        .col_expr(
            delivery::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(at))
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::Status.eq("PENDING"))
        .exec(db)
        .await?;
    Ok(())
}

/// Claims a ticket's broken promise for escalation: sets its flag if the promise is still
/// unmet and unescalated at `now`. Returns the promised time when this call claimed it.
pub async fn claim_broken_promise<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    use crate::entity::ticket::{Column as T, Entity as Ticket};
    let Some(t) = Ticket::find_by_id(ticket_id).one(db).await? else {
        return Ok(None);
    };
    let Some(promised) = t.promised_answer_at.filter(|p| *p <= now) else {
        return Ok(None);
    };
    let claimed = Ticket::update_many()
        .col_expr(T::PromiseEscalated, Expr::value(true))
        .filter(T::Id.eq(ticket_id))
        .filter(T::PromiseEscalated.eq(false))
        .filter(T::PromisedAnswerAt.eq(promised))
        .exec(db)
        .await?
        .rows_affected;
    Ok((claimed == 1).then_some(promised))
}
