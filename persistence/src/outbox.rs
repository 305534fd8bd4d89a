//! The transactional outbox. A ticket change and its events commit together; the relay then
//! publishes pending events in order and marks them sent. On PostgreSQL several instances relay
//! safely: one holds an advisory lock per round, and rows are claimed `FOR UPDATE SKIP LOCKED`.

use crate::entity::outbox::{self, Entity as Outbox};
use crate::entity::{ticket, ticket_event};
use crate::{StoreError, now};
use careline_domain::event::{Envelope, Event, TicketSnapshot, TimelineEntry, queue_kind_for};
use careline_domain::ticket::{Priority, Severity, TicketEventKind, TicketKind, TicketStatus};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbBackend, QueryFilter, QueryOrder, QuerySelect, Statement,
    TransactionTrait,
};
use std::future::Future;

/// An arbitrary, fixed key for the relay's advisory lock.
const RELAY_LOCK_KEY: i64 = 0x00ca_7e11_9e00;

/// Stores envelopes for the relay; call inside the transaction that makes the change.
pub async fn enqueue<C: ConnectionTrait>(db: &C, envelopes: &[Envelope]) -> Result<(), StoreError> {
    if envelopes.is_empty() {
        return Ok(());
    }
    let at = now();
    let rows = envelopes
        .iter()
        .map(|envelope| {
            let payload = serde_json::to_string(envelope)
                .map_err(|e| StoreError::Db(DbErr::Custom(format!("outbox encoding: {e}"))))?;
            Ok(outbox::ActiveModel {
                id: Set(envelope.id),
                payload: Set(payload),
                created_at: Set(at),
                published_at: Set(None),
                ..Default::default()
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Outbox::insert_many(rows).exec(db).await?;
    Ok(())
}

/// Why a relay round did not complete.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Publishing failed; the events stay pending and are retried.
    #[error("publishing failed: {0:#}")]
    Publish(anyhow::Error),
}

impl From<DbErr> for RelayError {
    fn from(err: DbErr) -> Self {
        RelayError::Store(StoreError::Db(err))
    }
}

/// What one relay round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relayed {
    /// Pending rows the round took, published or set aside: a round that took `limit` may
    /// have left more behind.
    pub claimed: usize,
    /// Events handed to the publisher.
    pub published: usize,
    /// Ids of the rows that no longer decode as an envelope, oldest first. Each is logged
    /// (id and decoding error, never the payload) and marked sent with the batch, so that it
    /// neither holds up every later event nor comes back every round; the row itself stays
    /// until [`prune`] for whoever investigates.
    pub undecodable: Vec<Uuid>,
}

/// Publishes up to `limit` pending events, oldest first, and marks them sent (nothing is
/// claimed when nothing is pending or another instance holds the relay this round).
pub async fn relay_batch<F, Fut>(
    db: &DatabaseConnection,
    limit: u64,
    publish: F,
) -> Result<Relayed, RelayError>
where
    F: FnOnce(Vec<Envelope>) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let tx = db.begin().await?;
    if postgres {
        let row = tx
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_try_advisory_xact_lock($1) AS locked",
                [RELAY_LOCK_KEY.into()],
            ))
            .await?;
        let locked = row
            .map(|r| r.try_get::<bool>("", "locked"))
            .transpose()?
            .unwrap_or(false);
        if !locked {
            tx.rollback().await?;
            return Ok(Relayed::default());
        }
    }
    let mut pending = Outbox::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .order_by_asc(outbox::Column::Seq)
        .limit(limit);
    if postgres {
        pending = pending.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = pending.all(&tx).await?;
    if rows.is_empty() {
        tx.commit().await?;
        return Ok(Relayed::default());
    }
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    // A row that no longer decodes is marked sent rather than blocking every later event; it
    // is reported (below, once marked) instead.
    let mut envelopes = Vec::with_capacity(rows.len());
    let mut undecodable = Vec::new();
    for row in &rows {
        match serde_json::from_str::<Envelope>(&row.payload) {
            Ok(envelope) => envelopes.push(envelope),
            Err(err) => undecodable.push((row, err)),
        }
    }
    let published = envelopes.len();
    // A batch of nothing but undecodable rows publishes nothing: an empty Redis pipeline does
    // not come back as a success, and the batch would be retried for ever.
    if published > 0
        && let Err(err) = publish(envelopes).await
    {
        tx.rollback().await?;
        return Err(RelayError::Publish(err));
    }
    Outbox::update_many()
        .col_expr(outbox::Column::PublishedAt, Expr::value(now()))
        .filter(outbox::Column::Seq.is_in(seqs))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    for (row, err) in &undecodable {
        tracing::error!(
            outbox.id = %row.id,
            outbox.seq = row.seq,
            error = %decode_error(err),
            "an outbox event does not decode: marked sent without publishing it"
        );
    }
    Ok(Relayed {
        claimed: rows.len(),
        published,
        undecodable: undecodable.into_iter().map(|(row, _)| row.id).collect(),
    })
}

/// A decoding error as logs may show it: what failed and where in the payload, with every
/// quoted value left out (serde quotes the offending value, which may be personal data).
pub fn decode_error(err: &serde_json::Error) -> String {
    let mut out = String::new();
    let mut quote = None;
    let mut escaped = false;
    for c in err.to_string().chars() {
        match quote {
            None => {
                out.push(c);
                if c == '"' || c == '`' {
                    out.push('…');
                    quote = Some(c);
                }
            }
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => {
                out.push(c);
                quote = None;
            }
            Some(_) => {}
        }
    }
    out
}

/// Events published since `since` and events still pending, in order: what a subscriber that
/// lost its connection to the bus may have missed. Pending events count because a relay may
/// have published them to the bus before the subscription was back but not yet committed
/// their `published_at`; delivering them early is harmless, as subscribers drop an event they
/// have already seen when it arrives again.
pub async fn published_since(
    db: &DatabaseConnection,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Envelope>, StoreError> {
    let rows = Outbox::find()
        .filter(
            sea_orm::Condition::any()
                .add(outbox::Column::PublishedAt.gte(since))
                .add(outbox::Column::PublishedAt.is_null()),
        )
        .order_by_asc(outbox::Column::Seq)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|row| match serde_json::from_str(&row.payload) {
            Ok(envelope) => Some(envelope),
            Err(err) => {
                // The relay reported it when it set the row aside.
                tracing::warn!(
                    outbox.id = %row.id,
                    outbox.seq = row.seq,
                    error = %decode_error(&err),
                    "an outbox event does not decode: left out of the catch-up"
                );
                None
            }
        })
        .collect())
}

/// Deletes published events older than `before`.
pub async fn prune(db: &DatabaseConnection, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let result = Outbox::delete_many()
        .filter(outbox::Column::PublishedAt.lt(before))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// How many events wait for the relay.
pub async fn pending_count(db: &DatabaseConnection) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(Outbox::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .count(db)
        .await?)
}

/// The snapshot subscribers receive of a stored ticket.
pub fn snapshot(ticket: &ticket::Model, customer_user_id: Option<Uuid>) -> TicketSnapshot {
    TicketSnapshot {
        id: ticket.id,
        number: ticket.number.clone(),
        kind: TicketKind::parse(&ticket.kind).unwrap_or(TicketKind::Inquiry),
        priority: Priority::parse(&ticket.priority).unwrap_or(Priority::Normal),
        severity: ticket.severity.as_deref().and_then(Severity::parse),
        status: TicketStatus::parse(&ticket.status).unwrap_or(TicketStatus::New),
        subject: ticket.subject.clone(),
        assignee_id: ticket.assignee_id,
        owner_id: ticket.owner_id,
        team_id: ticket.team_id,
        department_id: ticket.department_id,
        customer_user_id,
        escalation_level: ticket.escalation_level,
        first_response_due_at: ticket.first_response_due_at,
        resolution_due_at: ticket.resolution_due_at,
        version: ticket.version,
    }
}

/// A stored timeline entry as subscribers see it.
pub fn timeline_entry(event: &ticket_event::Model) -> TimelineEntry {
    TimelineEntry {
        id: event.id,
        kind: TicketEventKind::parse(&event.kind).unwrap_or(TicketEventKind::NoteAdded),
        actor_id: event.actor_id,
        at: event.at,
        internal: event.internal,
        message: event.message.clone(),
        from_status: event.from_status.as_deref().and_then(TicketStatus::parse),
        to_status: event.to_status.as_deref().and_then(TicketStatus::parse),
    }
}

/// The events one stored change produces: a `ticketUpdated` event per timeline entry, and one
/// queue event for the change as a whole (its most significant kind).
pub fn ticket_change_events(
    ticket: &ticket::Model,
    customer_user_id: Option<Uuid>,
    entries: &[ticket_event::Model],
) -> Vec<Envelope> {
    let snapshot = snapshot(ticket, customer_user_id);
    let mut envelopes: Vec<Envelope> = entries
        .iter()
        .map(|entry| {
            Envelope::new(Event::TicketUpdated {
                ticket: snapshot.clone(),
                entry: timeline_entry(entry),
            })
        })
        .collect();
    let queue_kind = entries
        .iter()
        .map(|e| {
            queue_kind_for(TicketEventKind::parse(&e.kind).unwrap_or(TicketEventKind::NoteAdded))
        })
        .max_by_key(|k| significance(*k));
    if let Some(kind) = queue_kind {
        envelopes.push(Envelope::new(Event::Queue {
            kind,
            ticket: snapshot,
            at: ticket.updated_at,
        }));
    }
    envelopes
}

fn significance(kind: careline_domain::event::QueueEventKind) -> u8 {
    use careline_domain::event::QueueEventKind::*;
    match kind {
        Updated => 0,
        Assigned => 1,
        StatusChanged => 2,
        Escalated => 3,
        Closed => 4,
        Created => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::decode_error;

    fn error_of(json: &str) -> serde_json::Error {
        match serde_json::from_str::<careline_domain::event::Envelope>(json) {
            Ok(_) => panic!("{json} decoded"),
            Err(err) => err,
        }
    }

    #[test]
    fn a_logged_decoding_error_names_the_place_but_no_value() {
        let wrong_type = error_of(r#"{"v":"Ms \"Quoted\" Example","id":"x","event":{}}"#);
        let logged = decode_error(&wrong_type);
        assert!(wrong_type.to_string().contains("Example"), "{wrong_type}");
        assert!(!logged.contains("Example"), "{logged}");
        assert!(!logged.contains("Quoted"), "{logged}");
        assert!(logged.contains("invalid type: string \"…\""), "{logged}");
        assert!(logged.contains("line 1 column"), "{logged}");

        let unknown = error_of(r#"{"v":1,"id":"x","event":{"type":"Jane Doe"}}"#);
        assert!(!decode_error(&unknown).contains("Jane"), "{unknown}");
        let truncated = error_of(r#"{"v":1,"#);
        assert_eq!(decode_error(&truncated), truncated.to_string());
    }
}
