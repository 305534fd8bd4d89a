//! The one writer of what a ticket change tells: its timeline entries, the escalations it
//! records, the KPI action facts of those entries, and the outbox events that carry all of it
//! to subscribers — in the caller's transaction, so they commit with the change or not at all.
//! An escalation carries its route (its id and recipients, decided by the application before
//! it gets here): the recipients are stored with it and travel in its event.
//! Every path that changes a ticket (intake, people's commands, the SLA worker, department
//! deadlines, calendar recounts, survey calls) appends through here; nothing else writes
//! `ticket_events`, `escalations`, `escalation_recipients` or ticket outbox events.

use crate::entity::escalation;
use crate::entity::ticket::Model as Ticket;
use crate::entity::ticket_event::{self, Entity as TicketEvent};
use crate::{StoreError, outbox};
use careline_domain::event::{Envelope, Event};
use careline_domain::sla::Escalation;
use careline_domain::ticket::{EventDraft, TicketEventKind};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

/// What a `RESOLVED` entry records for KPIs (see `docs/KPIS.md`), as the domain decided it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResolutionFacts {
    /// Business minutes from intake to the first resolution.
    pub minutes: Option<i32>,
    /// Resolved at first contact.
    pub first_contact: bool,
}

/// How subscribers hear of an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announce {
    /// The ticket itself changed: a `ticketUpdated` per entry and one queue event for the
    /// change as a whole.
    Change,
    /// Only its timeline grew: a `ticketUpdated` per entry.
    Entries,
}

/// Who and when, for an append to one ticket.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    /// The ticket as it is after the change (its snapshot goes out with the events).
    pub ticket: &'a Ticket,
    /// The ticket's customer's account, if they have one (their own streams hear of it).
    pub customer_user_id: Option<Uuid>,
    /// Who acted; `None` for the system.
    pub actor: Option<Uuid>,
    /// When (the application's clock).
    pub at: DateTime<Utc>,
}

/// What to append.
#[derive(Debug, Clone, Default)]
pub struct Append<'a> {
    /// Timeline entries, in order (an escalation's entry is among them).
    pub entries: &'a [EventDraft],
    /// The facts `RESOLVED` entries carry.
    pub resolution: ResolutionFacts,
    /// Escalations to record.
    pub escalations: &'a [Escalation],
    /// Further events that go out with these (e.g. a department queue's reminder).
    pub also: Vec<Envelope>,
}

/// Appends `what` to `by.ticket`'s journal inside `db` (a transaction). Returns the stored
/// timeline entries.
pub async fn append<C: ConnectionTrait>(
    db: &C,
    by: Author<'_>,
    what: Append<'_>,
    announce: Announce,
) -> Result<Vec<ticket_event::Model>, StoreError> {
    let ticket_id = by.ticket.id;
    let rows: Vec<ticket_event::Model> = what
        .entries
        .iter()
        .map(|d| {
            let resolved = d.kind == TicketEventKind::Resolved;
            ticket_event::Model {
                id: Uuid::now_v7(),
                ticket_id,
                kind: d.kind.as_str().to_owned(),
                actor_id: by.actor,
                at: by.at,
                internal: d.internal,
                message: d.message.clone(),
                from_status: d.from_status.map(|s| s.as_str().to_owned()),
                to_status: d.to_status.map(|s| s.as_str().to_owned()),
                minutes: what.resolution.minutes.filter(|_| resolved),
                first_contact: resolved.then_some(what.resolution.first_contact),
            }
        })
        .collect();
    if !rows.is_empty() {
        TicketEvent::insert_many(rows.iter().cloned().map(ticket_event::ActiveModel::from))
            .exec_without_returning(db)
            .await?;
        crate::kpi::record_actions(db, &rows).await?;
    }
    let snapshot = outbox::snapshot(by.ticket, by.customer_user_id);
    let mut envelopes = Vec::with_capacity(what.escalations.len() + rows.len() + 1);
    if !what.escalations.is_empty() {
        // An escalation the caller routed keeps the id its recipients' inbox entries name. One
        // that was not routed (a path that forgot `careline_app::routing::route`) is stored all
        // the same, and said loudly: nobody is told of it.
        let ids: Vec<Uuid> = what
            .escalations
            .iter()
            .map(|e| match &e.route {
                Some(r) => r.id,
                None => {
                    tracing::error!(
                        ticket.id = %ticket_id,
                        escalation.kind = e.kind.as_str(),
                        "an escalation was stored without being routed: nobody hears of it"
                    );
                    Uuid::now_v7()
                }
            })
            .collect();
        escalation::Entity::insert_many(what.escalations.iter().zip(&ids).map(|(e, id)| {
            escalation::ActiveModel {
                id: Set(*id),
                ticket_id: Set(ticket_id),
                level: Set(e.level),
                kind: Set(e.kind.as_str().to_owned()),
                target: Set(e.target.map(|t| crate::sla::target_str(t).to_owned())),
                reason: Set(e.reason.clone()),
                at: Set(by.at),
                created_by: Set(by.actor),
                acknowledged_by: Set(None),
                acknowledged_at: Set(None),
            }
        }))
        .exec_without_returning(db)
        .await?;
        let recipients: Vec<(Uuid, Uuid)> = what
            .escalations
            .iter()
            .zip(&ids)
            .flat_map(|(e, id)| e.recipients().iter().map(|user| (*id, *user)))
            .collect();
        crate::routing::insert_recipients(db, recipients).await?;
        envelopes.extend(what.escalations.iter().zip(&ids).map(|(e, id)| {
            Envelope::new(Event::Escalation {
                ticket: snapshot.clone(),
                level: e.level,
                kind: e.kind,
                target: e.target,
                reason: e.reason.clone(),
                at: by.at,
                escalation_id: *id,
                recipients: e.recipients().to_vec(),
            })
        }));
    }
    envelopes.extend(what.also);
    match announce {
        Announce::Change => envelopes.extend(outbox::ticket_change_events(
            by.ticket,
            by.customer_user_id,
            &rows,
        )),
        Announce::Entries => envelopes.extend(rows.iter().map(|e| {
            Envelope::new(Event::TicketUpdated {
                ticket: snapshot.clone(),
                entry: outbox::timeline_entry(e),
            })
        })),
    }
    outbox::enqueue(db, &envelopes).await?;
    Ok(rows)
}
