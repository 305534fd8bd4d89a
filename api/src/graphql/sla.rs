//! Response-time standards and the floor: SLA policies, escalations, the live queue,
//! assignment, shifts and handovers.

use super::people::{Presence, User};
use super::subscriptions::{EscalationKind, SlaTarget};
use super::tickets::service::{domain_viewer, load_readable, require_worker, run};
use super::tickets::{Severity, Ticket, TicketConnection, TicketKind};
use super::{Can, SignedIn, input_id, parse_id, state, text, viewer};
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use careline_domain::Action;
use careline_domain::org::Presence as DomainPresence;
use careline_domain::permission::{QueueAccess, queue_access};
use careline_domain::sla::{
    Candidate, PolicyDraft, check_spare_capacity, needs_technical_skill,
    next_manual_escalation_level, validate_policy,
};
use careline_domain::ticket::{Command, ComplaintCategory, TicketKind as DomainKind};
use careline_persistence::entity::{escalation, handover, shift, sla_policy, ticket, user};
use careline_persistence::sla::{self as store, PolicyInput};
use careline_persistence::tickets::Extra;
use careline_persistence::{DatabaseConnection, tickets};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// Business hours of a policy.
#[derive(SimpleObject, Clone)]
pub struct BusinessHours {
    pub time_zone: String,
    /// e.g. 09:00-18:00,18:00-23:00 or 24x7
    pub windows: String,
}

/// A response-time standard for a kind (and, for complaints, a severity).
pub struct SlaPolicy(sla_policy::Model);

#[Object]
impl SlaPolicy {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> ApiResult<TicketKind> {
        DomainKind::parse(&self.0.kind)
            .map(Into::into)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored kind"), "policy kind"))
    }
    async fn severity(&self) -> Option<Severity> {
        self.0
            .severity
            .as_deref()
            .and_then(careline_domain::ticket::Severity::parse)
            .map(Into::into)
    }
    async fn first_response_minutes(&self) -> i32 {
        self.0.first_response_minutes
    }
    async fn resolution_minutes(&self) -> i32 {
        self.0.resolution_minutes
    }
    async fn business_hours(&self) -> BusinessHours {
        BusinessHours {
            time_zone: self.0.time_zone.clone(),
            windows: self.0.windows.clone(),
        }
    }
}

/// A policy to create or replace (one per kind and severity).
#[derive(InputObject)]
pub struct SlaPolicyInput {
    pub name: String,
    pub kind: TicketKind,
    pub severity: Option<Severity>,
    pub first_response_minutes: i32,
    pub resolution_minutes: i32,
    pub time_zone: String,
    pub windows: String,
}

/// An escalation, as recorded.
pub struct Escalation {
    row: escalation::Model,
    ticket: ticket::Model,
}

#[Object]
impl Escalation {
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    async fn ticket(&self) -> Ticket {
        Ticket(self.ticket.clone())
    }
    async fn level(&self) -> i32 {
        self.row.level
    }
    async fn kind(&self) -> EscalationKind {
        use careline_domain::event::EscalationKind as K;
        match self.row.kind.as_str() {
            "SLA_WARNING" => K::SlaWarning,
            "SLA_BREACH" => K::SlaBreach,
            "MAJOR_COMPLAINT" => K::MajorComplaint,
            _ => K::Manual,
        }
        .into()
    }
    async fn target(&self) -> Option<SlaTarget> {
        use careline_domain::event::SlaTarget as S;
        match self.row.target.as_deref() {
            Some("FIRST_RESPONSE") => Some(S::FirstResponse.into()),
            Some("RESOLUTION") => Some(S::Resolution.into()),
            _ => None,
        }
    }
    async fn reason(&self) -> &str {
        &self.row.reason
    }
    async fn at(&self) -> DateTime<Utc> {
        self.row.at
    }
    async fn acknowledged_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let Some(id) = self.row.acknowledged_by else {
            return Ok(None);
        };
        let found = super::loaders::loaders(ctx)?.users.load_one(id).await;
        Ok(found.map_err(super::loaders::load_failed)?.map(User))
    }
}

/// An agent's load in the queue.
#[derive(SimpleObject)]
pub struct AgentLoad {
    pub agent: User,
    pub open_tickets: i32,
    pub capacity: i32,
    pub presence: Presence,
}

/// The live queue of a team, a department or everyone.
pub struct QueueSnapshot {
    team: Option<Uuid>,
    department: Option<Uuid>,
    counts: store::QueueCounts,
    agents: Vec<(user::Model, i64)>,
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[Object]
impl QueueSnapshot {
    /// Open tickets.
    async fn waiting(&self) -> i32 {
        count(self.counts.waiting)
    }
    /// Open tickets nobody holds.
    async fn unassigned(&self) -> i32 {
        count(self.counts.unassigned)
    }
    /// Open tickets past 80 % of a target and not yet overdue.
    async fn at_risk(&self) -> i32 {
        count(self.counts.at_risk)
    }
    /// Open tickets past a due time.
    async fn overdue(&self) -> i32 {
        count(self.counts.overdue)
    }
    /// Open tickets, unassigned first, then by priority, then by the earliest due time.
    #[graphql(complexity = "super::connection::list_cost(first, None, child_complexity)")]
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<TicketConnection> {
        let limit = first.unwrap_or(super::connection::DEFAULT_PAGE);
        if !(0..=super::MAX_PAGE).contains(&limit) {
            return Err(ApiError::bad_input("first", "must be between 0 and 100"));
        }
        // The queue moves every few seconds; an offset cursor is what a live view needs.
        let offset = match after {
            Some(cursor) => decode_offset(&cursor)? + 1,
            None => 0,
        };
        let (rows, total) = store::queue_page(
            &state(ctx)?.db,
            self.team,
            self.department,
            offset,
            limit as u64 + 1,
        )
        .await?;
        let has_next = rows.len() as u64 > limit as u64;
        let items: Vec<(u64, ticket::Model)> = rows
            .into_iter()
            .take(limit as usize)
            .enumerate()
            .map(|(i, t)| (offset + i as u64, t))
            .collect();
        let page = careline_persistence::page::Page {
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
        self.agents
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
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("q:{offset}"))
}

fn decode_offset(cursor: &str) -> ApiResult<u64> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("q:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| ApiError::bad_input("after", "not a cursor from this queue"))
}

/// A planned shift.
pub struct Shift(shift::Model);

#[Object]
impl Shift {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn agent(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_user(ctx, self.0.agent_id).await
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
}

async fn load_user(ctx: &Context<'_>, id: Uuid) -> ApiResult<User> {
    super::loaders::loaders(ctx)?
        .users
        .load_one(id)
        .await
        .map_err(super::loaders::load_failed)?
        .map(User)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("dangling user id"), "user"))
}

/// A shift handover record (交接记录).
pub struct Handover {
    row: handover::Model,
    tickets: Vec<ticket::Model>,
}

#[Object]
impl Handover {
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    async fn from(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_user(ctx, self.row.from_id).await
    }
    async fn to(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_user(ctx, self.row.to_id).await
    }
    async fn at(&self) -> DateTime<Utc> {
        self.row.at
    }
    async fn notes(&self) -> &str {
        &self.row.notes
    }
    async fn tickets(&self) -> Vec<Ticket> {
        self.tickets.iter().cloned().map(Ticket).collect()
    }
}

/// The tickets handed over and the notes for the colleague taking over.
#[derive(InputObject)]
pub struct HandoverInput {
    pub to_user_id: ID,
    pub notes: String,
    pub ticket_ids: Vec<ID>,
}

/// Refuses a claim that would take someone past their capacity.
pub async fn require_spare_capacity(db: &DatabaseConnection, agent: &user::Model) -> ApiResult<()> {
    let open = store::open_counts(db, &[agent.id])
        .await?
        .get(&agent.id)
        .copied()
        .unwrap_or(0);
    Ok(check_spare_capacity(open, agent.capacity)?)
}

async fn tickets_by_id(
    db: &DatabaseConnection,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, ticket::Model>> {
    Ok(tickets::find_many(db, ids)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect())
}

/// Picks who should get `t`: the available, on-shift agent with the needed skill and the lowest
/// load relative to capacity; ties go to whoever has waited longest since their last ticket.
pub async fn pick_assignee(
    db: &DatabaseConnection,
    t: &ticket::Model,
    now: DateTime<Utc>,
) -> ApiResult<Option<user::Model>> {
    let candidates = store::queue_agents(db, t.team_id).await?;
    let ids: Vec<Uuid> = candidates.iter().map(|u| u.id).collect();
    let on_shift = store::on_shift(db, &ids, now).await?;
    let loads = store::open_counts(db, &ids).await?;
    let category = t.category.as_deref().and_then(ComplaintCategory::parse);
    let technical =
        DomainKind::parse(&t.kind).is_some_and(|kind| needs_technical_skill(kind, category));
    let ranked: Vec<Candidate> = candidates
        .iter()
        .map(|u| Candidate {
            id: u.id,
            roles: u.role_set(),
            skills: u.skill_list(),
            presence: DomainPresence::parse(&u.presence),
            capacity: u.capacity,
            open: loads.get(&u.id).copied().unwrap_or(0),
            on_shift: on_shift.contains(&u.id),
            last_assigned_at: u.last_assigned_at,
        })
        .collect();
    let best = careline_domain::sla::pick_assignee(&ranked, technical);
    Ok(candidates.into_iter().find(|u| Some(u.id) == best))
}

/// Queries of the floor.
#[derive(Default)]
pub struct SlaQuery;

#[Object]
impl SlaQuery {
    /// The live queue. Supervisors and above see any team or department; agents and tech
    /// support their own team.
    #[graphql(guard = "SignedIn")]
    async fn queue(
        &self,
        ctx: &Context<'_>,
        team_id: Option<ID>,
        department_id: Option<ID>,
    ) -> ApiResult<QueueSnapshot> {
        let caller = viewer(ctx)?;
        let state = state(ctx)?;
        let team = team_id.map(|t| input_id(&t, "teamId")).transpose()?;
        let department = department_id
            .map(|d| input_id(&d, "departmentId"))
            .transpose()?;
        let team = match queue_access(caller.roles(), caller.user.team_id) {
            QueueAccess::Everything => team,
            QueueAccess::Team(own) if team.is_none_or(|t| t == own) => Some(own),
            QueueAccess::Team(_) => {
                return Err(ApiError::Forbidden(
                    "you may see only your own team's queue".to_owned(),
                ));
            }
            QueueAccess::Nothing => {
                return Err(ApiError::Forbidden(
                    "you are not allowed to see the live queue".to_owned(),
                ));
            }
        };
        let now = state.clock.now();
        let counts = store::queue_counts(&state.db, team, department, now).await?;
        let agents = store::queue_agents(&state.db, team).await?;
        let ids: Vec<Uuid> = agents.iter().map(|a| a.id).collect();
        let loads = store::open_counts(&state.db, &ids).await?;
        let agents = agents
            .into_iter()
            .map(|a| {
                let open = loads.get(&a.id).copied().unwrap_or(0);
                (a, open)
            })
            .collect();
        Ok(QueueSnapshot {
            team,
            department,
            counts,
            agents,
        })
    }

    /// Escalations, newest first (supervisors and above).
    #[graphql(
        guard = "Can(Action::ReadQueue)",
        complexity = "super::connection::list_cost(first, None, child_complexity)"
    )]
    async fn escalations(
        &self,
        ctx: &Context<'_>,
        open_only: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Vec<Escalation>> {
        let db = &state(ctx)?.db;
        let limit = first.unwrap_or(super::connection::DEFAULT_PAGE);
        if !(0..=super::MAX_PAGE).contains(&limit) {
            return Err(ApiError::bad_input("first", "must be between 0 and 100"));
        }
        let after = after
            .map(|a| {
                parse_id(&ID(a)).ok_or_else(|| ApiError::bad_input("after", "not an escalation id"))
            })
            .transpose()?;
        let rows = store::escalations(db, open_only.unwrap_or(false), after, limit as u64).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.ticket_id).collect();
        let tickets = tickets_by_id(db, &ids).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let ticket = tickets.get(&row.ticket_id).cloned();
                ticket.map(|ticket| Escalation { row, ticket })
            })
            .collect())
    }

    /// The response-time standards in force (staff).
    #[graphql(guard = "Can(Action::ReadStaffDirectory)")]
    async fn sla_policies(&self, ctx: &Context<'_>) -> ApiResult<Vec<SlaPolicy>> {
        let rows = store::policies(&state(ctx)?.db).await?;
        Ok(rows.into_iter().map(SlaPolicy).collect())
    }

    /// Shifts overlapping [from, to). Leads see everyone's; others their own.
    #[graphql(guard = "Can(Action::SetPresence)")]
    async fn shifts(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> ApiResult<Vec<Shift>> {
        if to <= from {
            return Err(ApiError::bad_input("to", "must be after from"));
        }
        let caller = viewer(ctx)?;
        let only = (!caller.can(Action::ManageShifts)).then(|| caller.id());
        let rows = store::shifts(&state(ctx)?.db, from, to, only, 500).await?;
        Ok(rows.into_iter().map(Shift).collect())
    }

    /// Handover records, newest first. Leads see all; others those they gave or received.
    #[graphql(guard = "Can(Action::SetPresence)")]
    async fn handovers(&self, ctx: &Context<'_>, first: Option<i32>) -> ApiResult<Vec<Handover>> {
        let caller = viewer(ctx)?;
        let db = &state(ctx)?.db;
        let limit = first.unwrap_or(super::connection::DEFAULT_PAGE);
        if !(0..=super::MAX_PAGE).contains(&limit) {
            return Err(ApiError::bad_input("first", "must be between 0 and 100"));
        }
        let only = (!caller.can(Action::ManageShifts)).then(|| caller.id());
        let rows = store::handovers(db, only, limit as u64).await?;
        let ids: Vec<Uuid> = rows.iter().map(|h| h.id).collect();
        let links = store::handover_tickets(db, &ids).await?;
        let ticket_ids: Vec<Uuid> = links.iter().map(|l| l.ticket_id).collect();
        let tickets = tickets_by_id(db, &ticket_ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| Handover {
                tickets: links
                    .iter()
                    .filter(|l| l.handover_id == row.id)
                    .filter_map(|l| tickets.get(&l.ticket_id).cloned())
                    .collect(),
                row,
            })
            .collect())
    }
}

/// Changes on the floor.
#[derive(Default)]
pub struct SlaMutation;

#[Object]
impl SlaMutation {
    /// Creates or replaces the policy for a kind (and severity). Tickets keep the targets they
    /// were given; the policy applies to new tickets.
    #[graphql(guard = "Can(Action::ManageSlaPolicies)")]
    async fn upsert_sla_policy(
        &self,
        ctx: &Context<'_>,
        input: SlaPolicyInput,
    ) -> ApiResult<SlaPolicy> {
        let name = text(&input.name, "input.name", 120)?;
        let policy = validate_policy(&PolicyDraft {
            kind: DomainKind::from(input.kind),
            severity: input.severity.map(careline_domain::ticket::Severity::from),
            first_response_minutes: input.first_response_minutes,
            resolution_minutes: input.resolution_minutes,
            time_zone: &input.time_zone,
            windows: &input.windows,
        })?;
        let stored = store::upsert_policy(
            &state(ctx)?.db,
            PolicyInput {
                name,
                kind: policy.kind.as_str().to_owned(),
                severity: policy.severity.map(|s| s.as_str().to_owned()),
                first_response_minutes: policy.first_response_minutes,
                resolution_minutes: policy.resolution_minutes,
                time_zone: policy.calendar.time_zone_name().to_owned(),
                windows: policy.calendar.windows_spec().to_owned(),
            },
        )
        .await?;
        Ok(SlaPolicy(stored))
    }

    /// Raises the ticket's escalation level by one, with a reason.
    #[graphql(guard = "Can(Action::EscalateTicket)")]
    async fn escalate_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> ApiResult<Ticket> {
        let caller = viewer(ctx)?;
        let state = state(ctx)?;
        let domain = domain_viewer(caller);
        let ticket_id =
            parse_id(&id).ok_or_else(|| ApiError::NotFound("ticket not found".into()))?;
        let (loaded, facts) = load_readable(&state.db, &domain, ticket_id).await?;
        // The state machine checks the role, the status and the reason.
        careline_domain::ticket::decide(
            &facts,
            &domain,
            &Command::Escalate {
                reason: reason.clone(),
            },
            state.clock.now(),
        )?;
        let level = next_manual_escalation_level(loaded.ticket.escalation_level)?;
        store::escalate_by_hand(
            &state.db,
            ticket_id,
            loaded.ticket.version,
            level,
            reason.trim().to_owned(),
            caller.id(),
        )
        .await?;
        state.outbox_signal.notify_one();
        let (reloaded, _) = load_readable(&state.db, &domain, ticket_id).await?;
        Ok(Ticket(reloaded.ticket))
    }

    /// Takes responsibility for an escalation (supervisors and above).
    #[graphql(guard = "Can(Action::AcknowledgeEscalation)")]
    async fn acknowledge_escalation(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Escalation> {
        let caller = viewer(ctx)?;
        let db = &state(ctx)?.db;
        let id = parse_id(&id).ok_or_else(|| ApiError::NotFound("escalation not found".into()))?;
        let row = store::acknowledge_escalation(db, id, caller.id()).await?;
        let ticket = tickets::find_many(db, &[row.ticket_id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::NotFound("ticket not found".into()))?;
        Ok(Escalation { row, ticket })
    }

    /// Gives the ticket to the best available agent, if anyone is eligible; otherwise it stays
    /// unassigned (and the queue shows it).
    #[graphql(guard = "Can(Action::AssignTicket)")]
    async fn auto_assign_ticket(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Ticket> {
        let caller = viewer(ctx)?;
        let state = state(ctx)?;
        let domain = domain_viewer(caller);
        let ticket_id =
            parse_id(&id).ok_or_else(|| ApiError::NotFound("ticket not found".into()))?;
        let (loaded, _) = load_readable(&state.db, &domain, ticket_id).await?;
        let now = state.clock.now();
        let Some(agent) = pick_assignee(&state.db, &loaded.ticket, now).await? else {
            return Ok(Ticket(loaded.ticket));
        };
        let applied = run(
            &state.db,
            &domain,
            ticket_id,
            Some(loaded.ticket.version),
            Command::Assign {
                assignee_id: agent.id,
            },
            Extra::None,
            now,
        )
        .await?;
        store::touch_last_assigned(&state.db, agent.id, now).await?;
        state.outbox_signal.notify_one();
        Ok(Ticket(applied.ticket))
    }

    /// Plans a shift for an agent (supervisors and above).
    #[graphql(guard = "Can(Action::ManageShifts)")]
    async fn create_shift(
        &self,
        ctx: &Context<'_>,
        agent_id: ID,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> ApiResult<Shift> {
        let caller = viewer(ctx)?;
        let db = &state(ctx)?.db;
        if ends_at <= starts_at {
            return Err(ApiError::bad_input("endsAt", "must be after startsAt"));
        }
        if ends_at - starts_at > chrono::Duration::hours(24) {
            return Err(ApiError::bad_input(
                "endsAt",
                "a shift lasts at most 24 hours",
            ));
        }
        let agent = input_id(&agent_id, "agentId")?;
        require_worker(db, agent, "agentId").await?;
        Ok(Shift(
            store::create_shift(db, agent, starts_at, ends_at, caller.id()).await?,
        ))
    }

    /// Hands the listed tickets to a colleague at the end of a shift, with notes; each ticket's
    /// timeline records it.
    #[graphql(guard = "Can(Action::RecordHandover)")]
    async fn record_handover(
        &self,
        ctx: &Context<'_>,
        input: HandoverInput,
    ) -> ApiResult<Handover> {
        let caller = viewer(ctx)?;
        let state = state(ctx)?;
        let domain = domain_viewer(caller);
        let to = input_id(&input.to_user_id, "input.toUserId")?;
        if to == caller.id() {
            return Err(ApiError::bad_input(
                "input.toUserId",
                "hand over to someone else",
            ));
        }
        require_worker(&state.db, to, "input.toUserId").await?;
        let notes = text(&input.notes, "input.notes", 10_000)?;
        if input.ticket_ids.len() > super::MAX_PAGE as usize {
            return Err(ApiError::bad_input(
                "input.ticketIds",
                "at most 100 tickets at once",
            ));
        }
        let mut ids = Vec::with_capacity(input.ticket_ids.len());
        for (i, id) in input.ticket_ids.iter().enumerate() {
            let id = input_id(id, &format!("input.ticketIds.{i}"))?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let now = state.clock.now();
        // Check every ticket before moving any, so a refusal leaves nothing half handed over.
        for id in &ids {
            let (_, facts) = load_readable(&state.db, &domain, *id).await?;
            careline_domain::ticket::decide(&facts, &domain, &Command::HandOver { to }, now)?;
        }
        let mut moved = Vec::with_capacity(ids.len());
        for id in &ids {
            let applied = run(
                &state.db,
                &domain,
                *id,
                None,
                Command::HandOver { to },
                Extra::None,
                now,
            )
            .await?;
            moved.push(applied.ticket);
        }
        let row = store::record_handover(&state.db, caller.id(), to, notes, &ids).await?;
        state.outbox_signal.notify_one();
        tracing::info!(handover.id = %row.id, tickets = ids.len(), "handover recorded");
        Ok(Handover {
            row,
            tickets: moved,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use careline_domain::ticket::TicketStatus;

    #[test]
    fn queue_cursors_round_trip_and_reject_foreign_ones() {
        assert_eq!(decode_offset(&encode_offset(41)).unwrap(), 41);
        assert!(decode_offset("bm9wZQ").is_err());
    }

    #[test]
    fn statuses_that_stop_the_clock_are_not_in_the_queue() {
        assert!(!store::OPEN_STATUSES.contains(&TicketStatus::Resolved.as_str()));
        assert!(store::OPEN_STATUSES.contains(&TicketStatus::PendingCustomer.as_str()));
    }
}
