//! Shifts and handovers (交接).

use crate::app::AppResult;
use crate::app::floor as uc;
use crate::graphql::connection::first_or_default;
use crate::graphql::people::User;
use crate::graphql::tickets::Ticket;
use crate::graphql::{Can, actor, app, input_id};
use async_graphql::{Context, ID, InputObject, Object};
use careline_app::rows::{handover, shift, ticket};
use careline_domain::Action;
use chrono::{DateTime, Utc};

/// A planned shift.
pub struct Shift(shift::Model);

/// A planned shift: who works the queue when. Auto-assignment gives tickets only to agents on
/// a shift.
#[Object]
impl Shift {
    /// The shift's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Who works it.
    async fn agent(&self, ctx: &Context<'_>) -> AppResult<User> {
        super::load_user(ctx, self.0.agent_id).await
    }
    /// When it starts (UTC instant).
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// When it ends (UTC instant, exclusive); at most 24 hours after the start.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
}

/// A shift handover record (交接记录).
pub struct Handover {
    row: handover::Model,
    tickets: Vec<ticket::Model>,
}

/// A shift handover record (交接记录): the tickets one staff member passed to a colleague, with
/// notes.
#[Object]
impl Handover {
    /// The record's id.
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    /// Who handed the tickets over.
    async fn from(&self, ctx: &Context<'_>) -> AppResult<User> {
        super::load_user(ctx, self.row.from_id).await
    }
    /// Who took them over (their new assignee).
    async fn to(&self, ctx: &Context<'_>) -> AppResult<User> {
        super::load_user(ctx, self.row.to_id).await
    }
    /// When the handover was recorded (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.row.at
    }
    /// The notes for the colleague taking over.
    async fn notes(&self) -> &str {
        &self.row.notes
    }
    /// The tickets handed over, as they are now.
    async fn tickets(&self) -> Vec<Ticket> {
        self.tickets.iter().cloned().map(Ticket).collect()
    }
}

/// The tickets handed over and the notes for the colleague taking over.
#[derive(InputObject)]
pub struct HandoverInput {
    /// The colleague taking over: an active staff member who works tickets, not the caller.
    pub to_user_id: ID,
    /// Notes for the colleague (at most 10,000 characters).
    pub notes: String,
    /// The tickets to hand over (at most 100; duplicates count once): open tickets the caller
    /// holds as assignee (leads: any open ticket).
    pub ticket_ids: Vec<ID>,
}

#[derive(Default)]
pub(super) struct ShiftQuery;

#[Object]
impl ShiftQuery {
    /// Shifts overlapping [from, to), by start time, at most 500. Leads see everyone's; others
    /// their own.
    #[graphql(guard = "Can(Action::SetPresence)")]
    async fn shifts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Start of the period (UTC instant, inclusive).")] from: DateTime<Utc>,
        #[graphql(desc = "End of the period (UTC instant, exclusive); must be after `from`.")]
        to: DateTime<Utc>,
    ) -> AppResult<Vec<Shift>> {
        let rows = uc::shifts(app(ctx)?, actor(ctx)?, from, to).await?;
        Ok(rows.into_iter().map(Shift).collect())
    }

    /// Handover records, newest first. Leads see all; others those they gave or received.
    #[graphql(guard = "Can(Action::SetPresence)")]
    async fn handovers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many records to return: 0 to 100, default 20.")] first: Option<i32>,
    ) -> AppResult<Vec<Handover>> {
        let limit = first_or_default(first)?;
        let rows = uc::handovers(app(ctx)?, actor(ctx)?, limit).await?;
        Ok(rows
            .into_iter()
            .map(|(row, tickets)| Handover { row, tickets })
            .collect())
    }
}

#[derive(Default)]
pub(super) struct ShiftMutation;

#[Object]
impl ShiftMutation {
    /// Plans a shift for an agent (supervisors and above).
    #[graphql(guard = "Can(Action::ManageShifts)")]
    async fn create_shift(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who works it: an active staff member who works tickets.")] agent_id: ID,
        #[graphql(desc = "When it starts (UTC instant).")] starts_at: DateTime<Utc>,
        #[graphql(desc = "When it ends (UTC instant): after `startsAt`, at most 24 hours later.")]
        ends_at: DateTime<Utc>,
    ) -> AppResult<Shift> {
        let agent = input_id(&agent_id, "agentId")?;
        let created = uc::create_shift(app(ctx)?, actor(ctx)?, agent, starts_at, ends_at).await?;
        Ok(Shift(created))
    }

    /// Hands the listed tickets to a colleague at the end of a shift, with notes; each ticket's
    /// timeline records it. All or nothing.
    #[graphql(guard = "Can(Action::RecordHandover)")]
    async fn record_handover(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The colleague, the notes and the tickets.")] input: HandoverInput,
    ) -> AppResult<Handover> {
        let to = input_id(&input.to_user_id, "input.toUserId")?;
        let ids = input
            .ticket_ids
            .iter()
            .enumerate()
            .map(|(i, id)| input_id(id, &format!("input.ticketIds.{i}")))
            .collect::<AppResult<Vec<_>>>()?;
        let (row, tickets) =
            uc::record_handover(app(ctx)?, actor(ctx)?, to, &input.notes, &ids).await?;
        Ok(Handover { row, tickets })
    }
}
