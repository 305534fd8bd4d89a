//! Storage of the email channel: mailboxes, the record of every message read from them, and
//! the thread index of Message-IDs that lets a reply find its ticket.

use crate::StoreError;
use crate::entity::delivery::{self, Entity as Delivery};
use crate::entity::email_message::{self, Entity as EmailMessage};
use crate::entity::inbound_email::{self, Entity as InboundEmail};
use crate::entity::mailbox::{self, Entity as Mailbox};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ConnectionTrait, QueryOrder, QuerySelect, SqlErr};
use std::collections::HashMap;

/// `inbound_emails.status` of a message filed on a ticket.
pub const IMPORTED: &str = "IMPORTED";
/// `inbound_emails.status` of a message set aside.
pub const IGNORED: &str = "IGNORED";

/// Every mailbox, by name.
pub async fn mailboxes<C: ConnectionTrait>(db: &C) -> Result<Vec<mailbox::Model>, StoreError> {
    Ok(Mailbox::find()
        .order_by_asc(mailbox::Column::Name)
        .order_by_asc(mailbox::Column::Id)
        .all(db)
        .await?)
}

/// One mailbox.
pub async fn mailbox<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<mailbox::Model>, StoreError> {
    Ok(Mailbox::find_by_id(id).one(db).await?)
}

/// Stores a new mailbox; another with the same address is `Conflict`.
pub async fn insert_mailbox<C: ConnectionTrait>(
    db: &C,
    row: mailbox::Model,
) -> Result<mailbox::Model, StoreError> {
    mailbox::ActiveModel::from(row)
        .insert(db)
        .await
        .map_err(|e| StoreError::on_unique(e, "another mailbox has this address"))
}

/// Stores a changed mailbox (its settings; counters and the poll's state are the poller's).
pub async fn update_mailbox<C: ConnectionTrait>(
    db: &C,
    row: mailbox::Model,
) -> Result<mailbox::Model, StoreError> {
    let id = row.id;
    let done = Mailbox::update_many()
        .col_expr(mailbox::Column::Name, Expr::value(row.name))
        .col_expr(mailbox::Column::Address, Expr::value(row.address))
        .col_expr(mailbox::Column::ImapUrl, Expr::value(row.imap_url))
        .col_expr(mailbox::Column::ImapSecret, Expr::value(row.imap_secret))
        .col_expr(mailbox::Column::SmtpUrl, Expr::value(row.smtp_url))
        .col_expr(mailbox::Column::SmtpSecret, Expr::value(row.smtp_secret))
        .col_expr(mailbox::Column::TeamId, Expr::value(row.team_id))
        .col_expr(mailbox::Column::DefaultKind, Expr::value(row.default_kind))
        .col_expr(mailbox::Column::Active, Expr::value(row.active))
        .col_expr(mailbox::Column::UpdatedAt, Expr::value(row.updated_at))
        .filter(mailbox::Column::Id.eq(id))
        .exec(db)
        .await
        .map_err(|e| StoreError::on_unique(e, "another mailbox has this address"))?;
    if done.rows_affected == 0 {
        return Err(StoreError::NotFound("mailbox"));
    }
    mailbox(db, id)
        .await?
        .ok_or(StoreError::NotFound("mailbox"))
}

/// Active mailboxes not polled since `before`.
pub async fn due<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<Vec<mailbox::Model>, StoreError> {
    Ok(Mailbox::find()
        .filter(mailbox::Column::Active.eq(true))
        .filter(
            mailbox::Column::LastPolledAt
                .is_null()
                .or(mailbox::Column::LastPolledAt.lte(before)),
        )
        .all(db)
        .await?)
}

/// Takes the mailbox's poll lease for `holder` until `until` unless another poll holds it;
/// whether it was taken. One conditional `UPDATE`: two instances never both win.
pub async fn take_lease<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    holder: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = Mailbox::update_many()
        .col_expr(mailbox::Column::LeaseUntil, Expr::value(until))
        .col_expr(mailbox::Column::LeaseHolder, Expr::value(holder))
        .filter(mailbox::Column::Id.eq(id))
        .filter(
            mailbox::Column::LeaseUntil
                .is_null()
                .or(mailbox::Column::LeaseUntil.lte(now)),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Extends `holder`'s lease until `until`; `false` when the lease is no longer theirs or the
/// mailbox was switched off.
pub async fn renew_lease<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    holder: Uuid,
    until: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = Mailbox::update_many()
        .col_expr(mailbox::Column::LeaseUntil, Expr::value(until))
        .filter(mailbox::Column::Id.eq(id))
        .filter(mailbox::Column::LeaseHolder.eq(holder))
        .filter(mailbox::Column::Active.eq(true))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records a poll's end (and its failure, in words) and gives `holder`'s lease back (a lease
/// another poll took over stays theirs).
pub async fn finish_poll<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    holder: Uuid,
    at: DateTime<Utc>,
    error: Option<String>,
) -> Result<(), StoreError> {
    Mailbox::update_many()
        .col_expr(mailbox::Column::LastPolledAt, Expr::value(at))
        .col_expr(mailbox::Column::LastError, Expr::value(error))
        .filter(mailbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Mailbox::update_many()
        .col_expr(
            mailbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            mailbox::Column::LeaseHolder,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(mailbox::Column::Id.eq(id))
        .filter(mailbox::Column::LeaseHolder.eq(holder))
        .exec(db)
        .await?;
    Ok(())
}

/// Whether the message with this UID (under this UIDVALIDITY) was read before.
pub async fn uid_recorded<C: ConnectionTrait>(
    db: &C,
    mailbox_id: Uuid,
    uid_validity: i64,
    uid: i64,
) -> Result<bool, StoreError> {
    Ok(InboundEmail::find()
        .filter(inbound_email::Column::MailboxId.eq(mailbox_id))
        .filter(inbound_email::Column::UidValidity.eq(uid_validity))
        .filter(inbound_email::Column::Uid.eq(uid))
        .one(db)
        .await?
        .is_some())
}

/// Whether a message with this Message-ID was read from the mailbox before.
pub async fn message_recorded<C: ConnectionTrait>(
    db: &C,
    mailbox_id: Uuid,
    message_id: &str,
) -> Result<bool, StoreError> {
    Ok(InboundEmail::find()
        .filter(inbound_email::Column::MailboxId.eq(mailbox_id))
        .filter(inbound_email::Column::MessageId.eq(message_id))
        .one(db)
        .await?
        .is_some())
}

/// Whether a mail with this Message-ID came in on any ticket (through any mailbox).
pub async fn received_before<C: ConnectionTrait>(
    db: &C,
    message_id: &str,
) -> Result<bool, StoreError> {
    Ok(EmailMessage::find()
        .filter(email_message::Column::MessageId.eq(message_id))
        .filter(email_message::Column::Outbound.eq(false))
        .one(db)
        .await?
        .is_some())
}

/// Records a message read and counts it on its mailbox. `false` when it was recorded
/// already (by UID or Message-ID: another instance, or a retry after a crash), and nothing
/// is written.
pub async fn record_inbound<C: ConnectionTrait>(
    db: &C,
    row: inbound_email::Model,
) -> Result<bool, StoreError> {
    let mailbox_id = row.mailbox_id;
    let imported = row.status == IMPORTED;
    match inbound_email::ActiveModel::from(row).insert(db).await {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Ok(false);
        }
        Err(e) => return Err(e.into()),
    }
    let column = if imported {
        mailbox::Column::Imported
    } else {
        mailbox::Column::Ignored
    };
    Mailbox::update_many()
        .col_expr(column, Expr::col(column).add(1))
        .filter(mailbox::Column::Id.eq(mailbox_id))
        .exec(db)
        .await?;
    Ok(true)
}

/// Messages from `sender` read from the mailbox since `since`.
pub async fn from_sender_since<C: ConnectionTrait>(
    db: &C,
    mailbox_id: Uuid,
    sender: &str,
    since: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(InboundEmail::find()
        .filter(inbound_email::Column::MailboxId.eq(mailbox_id))
        .filter(inbound_email::Column::Sender.eq(sender))
        .filter(inbound_email::Column::ReceivedAt.gte(since))
        .count(db)
        .await?)
}

/// Adds a mail to a ticket's thread.
pub async fn add_to_thread<C: ConnectionTrait>(
    db: &C,
    row: email_message::Model,
) -> Result<(), StoreError> {
    email_message::ActiveModel::from(row).insert(db).await?;
    Ok(())
}

/// The ticket whose thread holds any of `message_ids` (the latest such mail's).
pub async fn ticket_of_thread<C: ConnectionTrait>(
    db: &C,
    message_ids: &[String],
) -> Result<Option<Uuid>, StoreError> {
    if message_ids.is_empty() {
        return Ok(None);
    }
    Ok(EmailMessage::find()
        .filter(email_message::Column::MessageId.is_in(message_ids.iter().cloned()))
        .order_by_desc(email_message::Column::At)
        .one(db)
        .await?
        .map(|m| m.ticket_id))
}

/// A ticket's thread, oldest first, at most the latest `limit` mails.
pub async fn thread<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    limit: u64,
) -> Result<Vec<email_message::Model>, StoreError> {
    let mut rows = EmailMessage::find()
        .filter(email_message::Column::TicketId.eq(ticket_id))
        .order_by_desc(email_message::Column::At)
        .order_by_desc(email_message::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    rows.reverse();
    Ok(rows)
}

/// The Message-ID of each timeline entry: the mail it came in as, else the first one it went
/// out as (an entry the customer wrote by mail may also be confirmed to them by mail).
pub async fn message_ids_of_events<C: ConnectionTrait>(
    db: &C,
    event_ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, StoreError> {
    if event_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = EmailMessage::find()
        .filter(email_message::Column::EventId.is_in(event_ids.iter().copied()))
        .order_by_asc(email_message::Column::Outbound)
        .order_by_asc(email_message::Column::At)
        .all(db)
        .await?;
    let mut out = HashMap::new();
    for row in rows {
        if let Some(event) = row.event_id {
            out.entry(event).or_insert(row.message_id);
        }
    }
    Ok(out)
}

/// A bounce came back for the email with this Message-ID: the delivery is `FAILED` with the
/// reason. Returns the delivery, if one matched and was not failed already.
pub async fn bounce<C: ConnectionTrait>(
    db: &C,
    message_id: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<Option<delivery::Model>, StoreError> {
    let Some(found) = Delivery::find()
        .filter(delivery::Column::MessageId.eq(message_id))
        .filter(delivery::Column::Channel.eq("EMAIL"))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if found.status == "FAILED" {
        return Ok(None);
    }
    Delivery::update_many()
        .col_expr(delivery::Column::Status, Expr::value("FAILED"))
        .col_expr(delivery::Column::Detail, Expr::value(reason))
        .col_expr(delivery::Column::UpdatedAt, Expr::value(at))
        .filter(delivery::Column::Id.eq(found.id))
        .exec(db)
        .await?;
    Ok(Some(found))
}

/// The record of a message read: filed on `outcome`'s ticket, or set aside for its reason.
pub fn inbound_row(
    mailbox_id: Uuid,
    imap: Option<(i64, i64)>,
    message_id: Option<String>,
    sender: Option<String>,
    outcome: Result<Uuid, String>,
    at: DateTime<Utc>,
) -> inbound_email::Model {
    let (status, reason, ticket_id) = match outcome {
        Ok(ticket) => (IMPORTED, None, Some(ticket)),
        Err(reason) => (IGNORED, Some(reason), None),
    };
    inbound_email::Model {
        id: Uuid::now_v7(),
        mailbox_id,
        uid_validity: imap.map(|(v, _)| v),
        uid: imap.map(|(_, u)| u),
        message_id,
        sender,
        status: status.to_owned(),
        reason,
        ticket_id,
        received_at: at,
    }
}
