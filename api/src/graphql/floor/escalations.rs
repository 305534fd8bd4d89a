//! Escalations: raised by the SLA worker, at intake for major complaints, or by hand; taken on
//! by a lead.

use crate::app::floor as uc;
use crate::app::{AppError, AppResult};
use crate::graphql::connection::{first_or_default, list_cost};
use crate::graphql::people::User;
use crate::graphql::subscriptions::{EscalationKind, SlaTarget};
use crate::graphql::tickets::Ticket;
use crate::graphql::{Can, actor, app, found_id, parse_id};
use async_graphql::{Context, ID, Object};
use careline_app::rows::{escalation, ticket};
use careline_domain::Action;
use chrono::{DateTime, Utc};

/// An escalation, as recorded.
pub struct Escalation {
    row: escalation::Model,
    ticket: ticket::Model,
}

/// An escalation, as recorded: raised by the SLA worker, at intake or reclassification, or by
/// hand (`escalateTicket`).
#[Object]
impl Escalation {
    /// The escalation's id.
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    /// The ticket escalated, as it is now.
    async fn ticket(&self) -> Ticket {
        Ticket(self.ticket.clone())
    }
    /// The ticket's escalation level once this was recorded: 0 none (an SLA warning leaves the
    /// level as it was), 1 supervisor, 2 manager, 3 complaint-handling working group.
    async fn level(&self) -> i32 {
        self.row.level
    }
    /// Why the ticket was escalated.
    async fn kind(&self) -> crate::app::AppResult<EscalationKind> {
        let kind = careline_domain::event::EscalationKind::parse(&self.row.kind);
        Ok(crate::app::tickets::stored(kind, "escalation kind")?.into())
    }
    /// The response-time target that crossed a threshold; null for escalations not about an
    /// SLA target (major or urgent complaints, manual escalations, missed department deadlines).
    async fn target(&self) -> Option<SlaTarget> {
        use careline_domain::event::SlaTarget as S;
        match self.row.target.as_deref() {
            Some("FIRST_RESPONSE") => Some(S::FirstResponse.into()),
            Some("RESOLUTION") => Some(S::Resolution.into()),
            _ => None,
        }
    }
    /// Why, for people, e.g. `first-response target missed: escalated to the supervisor`.
    async fn reason(&self) -> &str {
        &self.row.reason
    }
    /// When it was recorded (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.row.at
    }
    /// The people it was routed to: level 1 the supervisor of the ticket's team; level 2 the
    /// managers of that team's department, and the supervisor; level 3 the working group, and
    /// the supervisor. A missing person passes to the next level up, never to nobody.
    /// Escalations recorded before routing existed have none.
    async fn recipients(&self, ctx: &Context<'_>) -> AppResult<Vec<User>> {
        Ok(crate::graphql::loaders::loaders(ctx)?
            .escalation_recipients
            .load_one(self.row.id)
            .await
            .map_err(crate::graphql::loaders::load_failed)?
            .unwrap_or_default()
            .into_iter()
            .map(User)
            .collect())
    }
    /// The person who took responsibility for it (`acknowledgeEscalation`); null while nobody
    /// has.
    async fn acknowledged_by(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        let Some(id) = self.row.acknowledged_by else {
            return Ok(None);
        };
        Ok(Some(super::load_user(ctx, id).await?))
    }
}

#[derive(Default)]
pub(super) struct EscalationQuery;

#[Object]
impl EscalationQuery {
    /// Escalations, newest first (supervisors and above).
    #[graphql(
        guard = "Can(Action::ReadQueue)",
        complexity = "list_cost(first, None, child_complexity)"
    )]
    async fn escalations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only escalations nobody has acknowledged yet (default false).")]
        open_only: Option<bool>,
        #[graphql(desc = "How many to return: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(
            desc = "The `id` of the last escalation of the previous page: only older ones follow. Omit for the newest."
        )]
        after: Option<String>,
    ) -> AppResult<Vec<Escalation>> {
        let limit = first_or_default(first)?;
        let after = after
            .map(|a| {
                parse_id(&ID(a)).ok_or_else(|| AppError::bad_input("after", "not an escalation id"))
            })
            .transpose()?;
        let rows = uc::escalations(
            app(ctx)?,
            actor(ctx)?,
            open_only.unwrap_or(false),
            after,
            limit,
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|(row, ticket)| Escalation { row, ticket })
            .collect())
    }

    /// The complaint-handling working group (投诉处理工作小组): level-3 escalations go to its
    /// members. Staff only.
    #[graphql(
        guard = "Can(Action::ReadStaffDirectory)",
        complexity = "50 * child_complexity"
    )]
    async fn working_group(&self, ctx: &Context<'_>) -> AppResult<Vec<User>> {
        let rows = crate::app::routing::working_group(app(ctx)?, actor(ctx)?).await?;
        Ok(rows.into_iter().map(User).collect())
    }
}

#[derive(Default)]
pub(super) struct EscalationMutation;

#[Object]
impl EscalationMutation {
    /// Raises the ticket's escalation level by one, with a reason.
    #[graphql(guard = "Can(Action::EscalateTicket)")]
    async fn escalate_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket to escalate.")] id: ID,
        #[graphql(desc = "Why it needs a lead's attention (at most 10,000 characters).")]
        reason: String,
    ) -> AppResult<Ticket> {
        let id = found_id(&id, "ticket")?;
        Ok(Ticket(
            uc::escalate(app(ctx)?, actor(ctx)?, id, reason).await?,
        ))
    }

    /// Sets the working group's members (called by managers and admins); any staff may be
    /// members, Legal's liaisons included. Returns the group as set.
    #[graphql(
        guard = "Can(Action::SetWorkingGroup)",
        complexity = "50 * child_complexity"
    )]
    async fn set_working_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Every member of the group (at most 50 active staff accounts); an empty list empties it."
        )]
        member_ids: Vec<ID>,
    ) -> AppResult<Vec<User>> {
        let ids = member_ids
            .iter()
            .map(|id| {
                parse_id(id).ok_or_else(|| AppError::bad_input("memberIds", "not a valid id"))
            })
            .collect::<AppResult<Vec<_>>>()?;
        let rows = crate::app::routing::set_working_group(app(ctx)?, actor(ctx)?, ids).await?;
        Ok(rows.into_iter().map(User).collect())
    }

    /// Takes responsibility for an escalation: only someone it was routed to, or a manager or
    /// admin, may.
    #[graphql(guard = "Can(Action::AcknowledgeEscalation)")]
    async fn acknowledge_escalation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The escalation to take on.")] id: ID,
    ) -> AppResult<Escalation> {
        let id = found_id(&id, "escalation")?;
        let (row, ticket) = uc::acknowledge_escalation(app(ctx)?, actor(ctx)?, id).await?;
        Ok(Escalation { row, ticket })
    }
}
