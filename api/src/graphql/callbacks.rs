//! Callbacks in GraphQL: the calls and visits owed to customers, the follow-up visits waiting,
//! and closing with a customer who still disagrees. The use cases are `crate::app::callbacks`.

use crate::app::callbacks::{self as uc, Callback as Read, NewCallback};
use crate::app::{AppError, AppResult};
use crate::graphql::connection::{
    connection, decode_keyed_cursor, encode_keyed_cursor, first_or_default, list_cost,
};
use crate::graphql::loaders::{load_failed, loaders};
use crate::graphql::people::User;
use crate::graphql::tickets::{Customer, Ticket, TicketConnection, load_user};
use crate::graphql::{Can, actor, app, found_id, input_id, optional_id};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_domain::Action;
use careline_domain::ticket::Command;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What a callback is for.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::callback::CallbackPurpose")]
pub enum CallbackPurpose {
    /// The follow-up visit a resolved complaint or after-sales ticket needs before it closes.
    FollowUp,
    /// Call the customer back: a promise, a customer who could not be reached, one who
    /// disagreed.
    Callback,
    /// A visit or call the customer booked (预约).
    Appointment,
    /// A care call (定期回访) not tied to a problem.
    CareCall,
}

/// Where a callback stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::callback::CallbackStatus")]
pub enum CallbackStatus {
    /// Still to be done.
    Scheduled,
    /// Done, with an outcome.
    Done,
    /// Called off, with a reason.
    Cancelled,
}

/// A call or visit owed to a customer, with its due time and the person who owes it.
#[derive(Clone)]
pub struct Callback(pub Read);

/// A call or visit owed to a customer (回访, 回电, 预约), with its due time and the person who
/// owes it. Staff who work callbacks; the customer's contact data is unmasked for its assignee.
#[Object]
impl Callback {
    /// The callback's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What it is for.
    async fn purpose(&self) -> CallbackPurpose {
        self.0.purpose.into()
    }
    /// The ticket it is about; null for a care call about no ticket.
    async fn ticket(&self, ctx: &Context<'_>) -> AppResult<Option<Ticket>> {
        let Some(id) = self.0.ticket_id else {
            return Ok(None);
        };
        let found = loaders(ctx)?.tickets.load_one(id).await;
        Ok(found.map_err(load_failed)?.map(Ticket))
    }
    /// The customer to call.
    async fn customer(&self, ctx: &Context<'_>) -> AppResult<Customer> {
        let record = uc::customer(app(ctx)?, actor(ctx)?, &self.0).await?;
        Ok(Customer {
            model: record.model,
            reveal: record.reveal,
        })
    }
    /// Who owes it.
    async fn assignee(&self, ctx: &Context<'_>) -> AppResult<User> {
        load_user(ctx, Some(self.0.assignee_id))
            .await?
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("dangling assignee"), "callback"))
    }
    /// When it is due (UTC).
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }
    /// Where it stands.
    async fn status(&self) -> CallbackStatus {
        self.0.status.into()
    }
    /// Still scheduled past its due time.
    async fn overdue(&self, ctx: &Context<'_>) -> AppResult<bool> {
        Ok(self.0.overdue(app(ctx)?.now()))
    }
    /// What to call about.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Attempts made so far (each reschedule after an unreachable customer counts one).
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// What came of it; for a rescheduled or cancelled one, why.
    async fn outcome(&self) -> Option<&str> {
        self.0.outcome.as_deref()
    }
    /// When it was done (UTC); null until then.
    async fn done_at(&self) -> Option<DateTime<Utc>> {
        self.0.done_at
    }
}

connection!(CallbackConnection, CallbackEdge, Callback);

/// A callback to schedule.
#[derive(InputObject)]
pub struct CallbackInput {
    /// A ticket, or a customer for a care call; one of the two.
    pub ticket_id: Option<ID>,
    /// The customer, when the callback is about no ticket.
    pub customer_id: Option<ID>,
    /// What it is for.
    pub purpose: CallbackPurpose,
    /// When it is due: not in the past, at most a year ahead.
    pub due_at: DateTime<Utc>,
    /// Defaults to the ticket's first-contact owner, or the caller.
    pub assignee_id: Option<ID>,
    /// What to call about, at most 10,000 characters.
    pub note: Option<String>,
}

const CALLBACK_CURSOR: &str = "callbacks-by-due";
const AWAITING_CURSOR: &str = "awaiting-follow-up";

fn keyed(kind: &str, at: DateTime<Utc>, id: Uuid) -> String {
    encode_keyed_cursor(kind, &format!("{}|{id}", at.to_rfc3339()))
}

fn parse_keyed(kind: &str, cursor: &str) -> AppResult<(DateTime<Utc>, Uuid)> {
    let key = decode_keyed_cursor(kind, cursor, "after")?;
    let bad = || AppError::bad_input("after", "not a cursor from this list and order");
    let (at, id) = key.split_once('|').ok_or_else(bad)?;
    Ok((
        DateTime::parse_from_rfc3339(at)
            .map_err(|_| bad())?
            .with_timezone(&Utc),
        Uuid::parse_str(id).map_err(|_| bad())?,
    ))
}

#[derive(Default)]
pub struct CallbackQuery;

#[Object]
impl CallbackQuery {
    /// The caller's scheduled callbacks due by `until` (default: seven days from now), overdue
    /// first (at most 200).
    #[graphql(guard = "Can(Action::WorkCallbacks)")]
    async fn my_callbacks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Due by this time; default seven days from now.")] until: Option<
            DateTime<Utc>,
        >,
    ) -> AppResult<Vec<Callback>> {
        let rows = uc::mine(app(ctx)?, actor(ctx)?, until).await?;
        Ok(rows.into_iter().map(Callback).collect())
    }

    /// Scheduled callbacks of the teams the caller leads (by the assignee's team; managers and
    /// admins: every team), soonest first.
    #[graphql(
        guard = "Can(Action::ReadTeamCallbacks)",
        complexity = "list_cost(first, None, child_complexity)"
    )]
    async fn callbacks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this team's; a supervisor may name only a team they lead.")]
        team_id: Option<ID>,
        #[graphql(desc = "Only those past their due time; default false.")] overdue_only: Option<
            bool,
        >,
        #[graphql(desc = "Return at most this many (up to 100, default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; omitted: from the start.")]
        after: Option<String>,
    ) -> AppResult<CallbackConnection> {
        let team = optional_id(team_id.as_ref(), "teamId")?;
        let first = first_or_default(first)?;
        let after = after
            .as_deref()
            .map(|c| parse_keyed(CALLBACK_CURSOR, c))
            .transpose()?;
        let page = uc::of_teams(
            app(ctx)?,
            actor(ctx)?,
            team,
            overdue_only.unwrap_or(false),
            after,
            first,
        )
        .await?;
        Ok(CallbackConnection::from_page(
            page,
            |c| keyed(CALLBACK_CURSOR, c.due_at, c.id),
            Callback,
        ))
    }

    /// Resolved tickets still waiting for their follow-up visit, longest waiting first (leads:
    /// their teams'; managers and admins: all).
    #[graphql(
        guard = "Can(Action::ReadTeamCallbacks)",
        complexity = "list_cost(first, None, child_complexity)"
    )]
    async fn awaiting_follow_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many (up to 100, default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; omitted: from the start.")]
        after: Option<String>,
    ) -> AppResult<TicketConnection> {
        let first = first_or_default(first)?;
        let after = after
            .as_deref()
            .map(|c| parse_keyed(AWAITING_CURSOR, c))
            .transpose()?;
        let page = uc::awaiting_follow_up(app(ctx)?, actor(ctx)?, after, first).await?;
        Ok(TicketConnection::from_page(
            page,
            |t| keyed(AWAITING_CURSOR, t.resolved_at.unwrap_or(t.updated_at), t.id),
            Ticket,
        ))
    }
}

#[derive(Default)]
pub struct CallbackMutation;

#[Object]
impl CallbackMutation {
    /// Schedules a callback about a ticket the caller may read, or about a customer (a care
    /// call).
    #[graphql(guard = "Can(Action::WorkCallbacks)")]
    async fn schedule_callback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The callback.")] input: CallbackInput,
    ) -> AppResult<Callback> {
        let new = NewCallback {
            ticket_id: optional_id(input.ticket_id.as_ref(), "input.ticketId")?,
            customer_id: optional_id(input.customer_id.as_ref(), "input.customerId")?,
            purpose: input.purpose.into(),
            due_at: input.due_at,
            assignee_id: optional_id(input.assignee_id.as_ref(), "input.assigneeId")?,
            note: input.note,
        };
        Ok(Callback(uc::schedule(app(ctx)?, actor(ctx)?, new).await?))
    }

    /// Done, with what came of it (only its assignee). A FOLLOW_UP also records the follow-up
    /// visit on the ticket. When the customer is not satisfied, the ticket stays RESOLVED and
    /// a CALLBACK is scheduled for `nextAssigneeId` (default: the ticket's owner), due the next
    /// business day, instead of reopening.
    #[graphql(guard = "Can(Action::WorkCallbacks)")]
    async fn complete_callback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The callback's id.")] id: ID,
        #[graphql(desc = "What came of it, 1 to 10,000 characters.")] outcome: String,
        #[graphql(desc = "Whether the customer was satisfied; required for a FOLLOW_UP.")]
        customer_satisfied: Option<bool>,
        #[graphql(
            desc = "Who calls an unsatisfied customer again (another agent, as the manual says); default the ticket's owner."
        )]
        next_assignee_id: Option<ID>,
    ) -> AppResult<Callback> {
        let next = next_assignee_id
            .as_ref()
            .map(|i| input_id(i, "nextAssigneeId"))
            .transpose()?;
        let id = found_id(&id, "callback")?;
        Ok(Callback(
            uc::complete(
                app(ctx)?,
                actor(ctx)?,
                id,
                &outcome,
                customer_satisfied,
                next,
            )
            .await?,
        ))
    }

    /// Not reached, or the customer wants another time: the next attempt, by someone else if
    /// given (换时间换客服代表再次致电). Its assignee or a lead.
    #[graphql(guard = "Can(Action::WorkCallbacks)")]
    async fn reschedule_callback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The callback's id.")] id: ID,
        #[graphql(desc = "The new due time: not in the past, at most a year ahead.")]
        due_at: DateTime<Utc>,
        #[graphql(desc = "Someone else to make the call; omitted: the same person.")]
        assignee_id: Option<ID>,
        #[graphql(desc = "Why (not reached, another time asked), 1 to 10,000 characters.")]
        reason: String,
    ) -> AppResult<Callback> {
        let assignee = assignee_id
            .as_ref()
            .map(|i| input_id(i, "assigneeId"))
            .transpose()?;
        let id = found_id(&id, "callback")?;
        Ok(Callback(
            uc::reschedule(app(ctx)?, actor(ctx)?, id, due_at, assignee, &reason).await?,
        ))
    }

    /// Calls a callback off, with the reason (its assignee or a lead).
    #[graphql(guard = "Can(Action::WorkCallbacks)")]
    async fn cancel_callback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The callback's id.")] id: ID,
        #[graphql(desc = "Why, 1 to 10,000 characters.")] reason: String,
    ) -> AppResult<Callback> {
        let id = found_id(&id, "callback")?;
        Ok(Callback(
            uc::cancel(app(ctx)?, actor(ctx)?, id, &reason).await?,
        ))
    }

    /// A lead closes a resolved complaint whose customer still disagrees (客户仍不接受), once
    /// at least one CALLBACK after an unsatisfied follow-up is done, with the reason; counted
    /// apart in the complaint analytics.
    #[graphql(guard = "Can(Action::CloseWithCustomerDisagreeing)")]
    async fn close_with_customer_disagreeing(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] ticket_id: ID,
        #[graphql(desc = "Why it closes anyway, 1 to 10,000 characters.")] reason: String,
    ) -> AppResult<Ticket> {
        let id = found_id(&ticket_id, "ticket")?;
        let cmd = Command::CloseWithCustomerDisagreeing { reason };
        let applied = crate::app::tickets::command(app(ctx)?, actor(ctx)?, id, None, cmd).await?;
        Ok(Ticket(applied.ticket))
    }
}
