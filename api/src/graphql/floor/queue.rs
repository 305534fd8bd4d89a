//! The live queue and assignment.

use crate::app::floor::{self as uc, Queue};
use crate::app::{AppError, AppResult};
use crate::graphql::connection::{
    decode_keyed_cursor, encode_keyed_cursor, first_or_default, list_cost,
};
use crate::graphql::people::{Presence, User};
use crate::graphql::tickets::{Ticket, TicketConnection};
use crate::graphql::{Can, SignedIn, actor, app, found_id, optional_id};
use async_graphql::{Context, ID, Object, SimpleObject};
use careline_app::page::Page;
use careline_domain::Action;

/// An agent's load in the queue.
#[derive(SimpleObject)]
pub struct AgentLoad {
    /// The agent.
    pub agent: User,
    /// Open tickets the agent holds now.
    pub open_tickets: i32,
    /// The most open tickets the agent should hold.
    pub capacity: i32,
    /// Whether the agent can take work now.
    pub presence: Presence,
}

/// The live queue of a team, a department or everyone.
pub struct QueueSnapshot(Queue);

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The live queue of a team, a department or everyone, as of the request: open tickets are
/// those in `NEW`, `OPEN`, `PENDING_DEPARTMENT` or `PENDING_CUSTOMER`.
#[Object]
impl QueueSnapshot {
    /// Open tickets.
    async fn waiting(&self) -> i32 {
        count(self.0.counts.waiting)
    }
    /// Open tickets nobody holds.
    async fn unassigned(&self) -> i32 {
        count(self.0.counts.unassigned)
    }
    /// Open tickets past 80 % of a target and not yet overdue.
    async fn at_risk(&self) -> i32 {
        count(self.0.counts.at_risk)
    }
    /// Open tickets past a due time.
    async fn overdue(&self) -> i32 {
        count(self.0.counts.overdue)
    }
    /// Open tickets, unassigned first, then by priority, then by the earliest due time.
    #[graphql(complexity = "list_cost(first, None, child_complexity)")]
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n tickets: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(
            desc = "Returns the tickets after this cursor (`endCursor` of the previous page of this queue). Cursors are positions: the queue moves as tickets come and go."
        )]
        after: Option<String>,
    ) -> AppResult<TicketConnection> {
        let limit = first_or_default(first)?;
        // The queue moves every few seconds; a position cursor is what a live view needs.
        let offset = match after {
            Some(cursor) => decode_offset(&cursor)? + 1,
            None => 0,
        };
        let (rows, total) = uc::queue_tickets(app(ctx)?, &self.0, offset, limit + 1).await?;
        let has_next = rows.len() as u64 > limit;
        let items: Vec<(u64, _)> = rows
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .enumerate()
            .map(|(i, t)| (offset + i as u64, t))
            .collect();
        let page = Page {
            items,
            has_next,
            has_previous: offset > 0,
            total,
        };
        Ok(TicketConnection::from_page(
            page,
            |(i, _)| encode_offset(*i),
            |(_, t)| Ticket(t),
        ))
    }
    /// Every agent's open tickets, capacity and presence.
    async fn agents(&self) -> Vec<AgentLoad> {
        self.0
            .agents
            .iter()
            .map(|(agent, open)| AgentLoad {
                agent: User(agent.clone()),
                open_tickets: i32::try_from(*open).unwrap_or(i32::MAX),
                capacity: agent.capacity,
                presence: careline_domain::org::Presence::parse(&agent.presence).into(),
            })
            .collect()
    }
}

fn encode_offset(offset: u64) -> String {
    encode_keyed_cursor("q", &offset.to_string())
}

fn decode_offset(cursor: &str) -> AppResult<u64> {
    decode_keyed_cursor("q", cursor, "after")?
        .parse()
        .map_err(|_| AppError::bad_input("after", "not a cursor from this queue"))
}

#[derive(Default)]
pub(super) struct QueueQuery;

#[Object]
impl QueueQuery {
    /// The live queue. Supervisors and above see any team or department; agents and tech
    /// support their own team.
    #[graphql(guard = "SignedIn")]
    async fn queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only this team's part of the queue; omit for everything you may see. Agents and tech support may ask only for their own team, which they get when they omit it."
        )]
        team_id: Option<ID>,
        #[graphql(
            desc = "Only the tickets of this department. Liaisons may ask only for their own department, which they get when they omit it."
        )]
        department_id: Option<ID>,
    ) -> AppResult<QueueSnapshot> {
        let team = optional_id(team_id.as_ref(), "teamId")?;
        let department = optional_id(department_id.as_ref(), "departmentId")?;
        let queue = uc::queue(app(ctx)?, actor(ctx)?, team, department).await?;
        Ok(QueueSnapshot(queue))
    }
}

#[derive(Default)]
pub(super) struct QueueMutation;

#[Object]
impl QueueMutation {
    /// Gives the ticket to the best available agent, if anyone is eligible; otherwise it stays
    /// unassigned (and the queue shows it).
    #[graphql(guard = "Can(Action::AssignTicket)")]
    async fn auto_assign_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket to assign.")] id: ID,
    ) -> AppResult<Ticket> {
        let id = found_id(&id, "ticket")?;
        Ok(Ticket(uc::auto_assign(app(ctx)?, actor(ctx)?, id).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_cursors_round_trip_and_reject_foreign_ones() {
        assert_eq!(decode_offset(&encode_offset(41)).ok(), Some(41));
        assert!(decode_offset("bm9wZQ").is_err());
    }
}
