//! Response-time standards in storage: policies, the SLA columns of tickets, escalations,
//! the live queue's counts, shifts and handovers.
//!
//! Escalation is exactly-once across instances because every stage change is a conditional
//! write (`… WHERE sla_x_stage = <what the worker read>`): only the instance whose update hits
//! the row records the escalation and publishes it.

use crate::entity::escalation::{self, Entity as Escalations};
use crate::entity::handover::{self, Entity as Handover};
use crate::entity::handover_ticket::{self, Entity as HandoverTicket};
use crate::entity::shift::{self, Entity as Shift};
use crate::entity::sla_policy::{self, Entity as SlaPolicy};
use crate::entity::ticket::{self, Column as T, Entity as Ticket};
use crate::entity::{customer, user};
use crate::journal::{self, Announce, Append, Author};
use crate::{StoreError, now};
use careline_domain::event::SlaTarget;
use careline_domain::sla::Escalation;
use careline_domain::ticket::{EventDraft, TicketStatus};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

/// Statuses in which a ticket is still being worked, as stored ([`TicketStatus::OPEN`]).
pub fn open_statuses() -> impl Iterator<Item = &'static str> {
    TicketStatus::OPEN.into_iter().map(|s| s.as_str())
}

/// A policy to store.
#[derive(Debug, Clone)]
pub struct PolicyInput {
    /// Display name.
    pub name: String,
    /// Ticket kind (contract spelling).
    pub kind: String,
    /// Severity, for complaints; `None` matches any.
    pub severity: Option<String>,
    /// First-response target in business minutes.
    pub first_response_minutes: i32,
    /// Resolution target in business minutes.
    pub resolution_minutes: i32,
    /// IANA time zone (already validated).
    pub time_zone: String,
    /// Business windows (already validated and normalised).
    pub windows: String,
    /// The calendar with those hours (and perhaps holidays) the policy counts on.
    pub calendar_id: Uuid,
}

fn match_key(kind: &str, severity: Option<&str>) -> String {
    match severity {
        Some(severity) => format!("{kind}/{severity}"),
        None => kind.to_owned(),
    }
}

/// Every policy, by kind then severity.
pub async fn policies<C: ConnectionTrait>(db: &C) -> Result<Vec<sla_policy::Model>, StoreError> {
    Ok(SlaPolicy::find()
        .order_by_asc(sla_policy::Column::MatchKey)
        .all(db)
        .await?)
}

/// Creates the policy for its kind and severity, or replaces it. Tickets keep the targets they
/// were given; the new policy applies to tickets created from now on.
pub async fn upsert_policy<C: ConnectionTrait>(
    db: &C,
    input: PolicyInput,
) -> Result<sla_policy::Model, StoreError> {
    let key = match_key(&input.kind, input.severity.as_deref());
    let at = now();
    let row = sla_policy::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(input.name),
        match_key: Set(key.clone()),
        kind: Set(input.kind),
        severity: Set(input.severity),
        first_response_minutes: Set(input.first_response_minutes),
        resolution_minutes: Set(input.resolution_minutes),
        time_zone: Set(input.time_zone),
        windows: Set(input.windows),
        calendar_id: Set(Some(input.calendar_id)),
        created_at: Set(at),
        updated_at: Set(at),
    };
    SlaPolicy::insert(row)
        .on_conflict(
            OnConflict::column(sla_policy::Column::MatchKey)
                .update_columns([
                    sla_policy::Column::Name,
                    sla_policy::Column::FirstResponseMinutes,
                    sla_policy::Column::ResolutionMinutes,
                    sla_policy::Column::TimeZone,
                    sla_policy::Column::Windows,
                    sla_policy::Column::CalendarId,
                    sla_policy::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    SlaPolicy::find()
        .filter(sla_policy::Column::MatchKey.eq(key))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("SLA policy"))
}

/// Stores the default policies when there are none (a fresh database).
pub async fn ensure_policies<C: ConnectionTrait>(
    db: &C,
    defaults: Vec<PolicyInput>,
) -> Result<(), StoreError> {
    if SlaPolicy::find().count(db).await? > 0 {
        return Ok(());
    }
    for policy in defaults {
        upsert_policy(db, policy).await?;
    }
    Ok(())
}

/// Tickets whose SLA needs a look at `now`, oldest threshold first.
pub async fn due_for_check<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<ticket::Model>, StoreError> {
    Ok(Ticket::find()
        .filter(T::SlaNextCheckAt.lte(now))
        .order_by_asc(T::SlaNextCheckAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// A stage change decided by the worker for one ticket.
#[derive(Debug, Clone)]
pub struct StageChange {
    /// The ticket as the worker read it.
    pub ticket_id: Uuid,
    /// The first-response stage the worker read (the condition of the write).
    pub first_response_stage_was: i32,
    /// The resolution stage the worker read (the condition of the write).
    pub resolution_stage_was: i32,
    /// New stages.
    pub first_response_stage: i32,
    /// New stages.
    pub resolution_stage: i32,
    /// The new escalation level.
    pub escalation_level: i32,
    /// Whether each target is now breached.
    pub first_response_breached: bool,
    /// Whether each target is now breached.
    pub resolution_breached: bool,
    /// The next time the worker must look.
    pub next_check_at: Option<DateTime<Utc>>,
    /// Escalations to record, in order.
    pub escalations: Vec<Escalation>,
}

/// Applies a stage change if no other instance did it first. Returns whether this call did.
pub async fn apply_stage_change(
    db: &DatabaseConnection,
    change: StageChange,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let txn = db.begin().await?;
    let applied = apply_stage_change_in(&txn, change, at).await?;
    if applied.is_some() {
        txn.commit().await?;
        Ok(true)
    } else {
        txn.rollback().await?;
        Ok(false)
    }
}

/// [`apply_stage_change`] inside the caller's transaction `txn` (which commits it, with
/// whatever else goes with the change). Returns `None` when another instance got there first
/// (nothing written: roll back), else the ticket as it is after the change.
pub async fn apply_stage_change_in<C: ConnectionTrait>(
    txn: &C,
    change: StageChange,
    at: DateTime<Utc>,
) -> Result<Option<ticket::Model>, StoreError> {
    let mut update = Ticket::update_many()
        .col_expr(
            T::SlaFirstResponseStage,
            Expr::value(change.first_response_stage),
        )
        .col_expr(T::SlaResolutionStage, Expr::value(change.resolution_stage))
        .col_expr(T::EscalationLevel, Expr::value(change.escalation_level))
        .col_expr(
            T::FirstResponseBreached,
            Expr::value(change.first_response_breached),
        )
        .col_expr(
            T::ResolutionBreached,
            Expr::value(change.resolution_breached),
        )
        .col_expr(T::SlaNextCheckAt, Expr::value(change.next_check_at))
        .filter(T::Id.eq(change.ticket_id))
        .filter(T::SlaFirstResponseStage.eq(change.first_response_stage_was))
        .filter(T::SlaResolutionStage.eq(change.resolution_stage_was));
    if !change.escalations.is_empty() {
        update = update.col_expr(T::Version, Expr::col(T::Version).add(1));
    }
    let result = update.exec(txn).await?;
    if result.rows_affected == 0 {
        // Another instance got there first (or the ticket moved on): nothing to record.
        return Ok(None);
    }
    let ticket = Ticket::find_by_id(change.ticket_id)
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound("ticket"))?;
    if !change.escalations.is_empty() {
        let customer_user = customer::Entity::find_by_id(ticket.customer_id)
            .one(txn)
            .await?
            .and_then(|c| c.user_id);
        let entries: Vec<EventDraft> = change.escalations.iter().map(Escalation::entry).collect();
        journal::append(
            txn,
            Author {
                ticket: &ticket,
                customer_user_id: customer_user,
                actor: None,
                at,
            },
            Append {
                entries: &entries,
                escalations: &change.escalations,
                ..Append::default()
            },
            Announce::Change,
        )
        .await?;
    }
    Ok(Some(ticket))
}

/// The stored spelling of a target.
pub fn target_str(target: SlaTarget) -> &'static str {
    match target {
        SlaTarget::FirstResponse => "FIRST_RESPONSE",
        SlaTarget::Resolution => "RESOLUTION",
    }
}

/// Escalations, newest first, optionally only those nobody has taken yet, after a cursor id.
pub async fn escalations<C: ConnectionTrait>(
    db: &C,
    open_only: bool,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<escalation::Model>, StoreError> {
    let mut query = Escalations::find().order_by_desc(escalation::Column::Id);
    if open_only {
        query = query.filter(escalation::Column::AcknowledgedAt.is_null());
    }
    if let Some(after) = after {
        query = query.filter(escalation::Column::Id.lt(after));
    }
    Ok(query.limit(limit).all(db).await?)
}

/// One escalation.
pub async fn escalation<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<escalation::Model>, StoreError> {
    Ok(Escalations::find_by_id(id).one(db).await?)
}

/// Records who took responsibility for an escalation (once), at `at`.
pub async fn acknowledge_escalation<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<escalation::Model, StoreError> {
    let result = Escalations::update_many()
        .col_expr(escalation::Column::AcknowledgedBy, Expr::value(by))
        .col_expr(escalation::Column::AcknowledgedAt, Expr::value(at))
        .filter(escalation::Column::Id.eq(id))
        .filter(escalation::Column::AcknowledgedAt.is_null())
        .exec(db)
        .await?;
    let row = escalation(db, id)
        .await?
        .ok_or(StoreError::NotFound("escalation"))?;
    if result.rows_affected == 0 && row.acknowledged_by != Some(by) {
        return Err(StoreError::Conflict(
            "someone has already taken this escalation".to_owned(),
        ));
    }
    Ok(row)
}

/// Counts for the live queue.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueueCounts {
    /// Open tickets.
    pub waiting: u64,
    /// Open tickets nobody holds.
    pub unassigned: u64,
    /// Open tickets past 80 % of a target, not yet overdue.
    pub at_risk: u64,
    /// Open tickets past a due time.
    pub overdue: u64,
}

fn queue_scope(team: Option<Uuid>, department: Option<Uuid>) -> sea_orm::Select<Ticket> {
    let mut query = Ticket::find().filter(T::Status.is_in(open_statuses()));
    if let Some(team) = team {
        query = query.filter(T::TeamId.eq(team));
    }
    if let Some(department) = department {
        query = query.filter(T::DepartmentId.eq(department));
    }
    query
}

fn overdue_condition(now: DateTime<Utc>) -> sea_orm::sea_query::Condition {
    sea_orm::sea_query::Condition::any()
        .add(
            sea_orm::sea_query::Condition::all()
                .add(T::FirstRespondedAt.is_null())
                .add(T::FirstResponseDueAt.lt(now)),
        )
        .add(
            sea_orm::sea_query::Condition::all()
                .add(T::ResolvedAt.is_null())
                .add(T::ResolutionDueAt.lt(now)),
        )
}

/// The queue's counts, each an indexed `COUNT`.
pub async fn queue_counts<C: ConnectionTrait>(
    db: &C,
    team: Option<Uuid>,
    department: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<QueueCounts, StoreError> {
    let scope = || queue_scope(team, department);
    Ok(QueueCounts {
        waiting: scope().count(db).await?,
        unassigned: scope().filter(T::AssigneeId.is_null()).count(db).await?,
        overdue: scope().filter(overdue_condition(now)).count(db).await?,
        at_risk: scope()
            .filter(T::SlaRiskAt.lte(now))
            .filter(overdue_condition(now).not())
            .count(db)
            .await?,
    })
}

/// A page of the queue: unassigned first, then by priority, then by the earliest due time.
pub async fn queue_page<C: ConnectionTrait>(
    db: &C,
    team: Option<Uuid>,
    department: Option<Uuid>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<ticket::Model>, u64), StoreError> {
    let total = queue_scope(team, department).count(db).await?;
    let rows = queue_scope(team, department)
        .order_by_asc(Expr::cust(
            "CASE WHEN assignee_id IS NULL THEN 0 ELSE 1 END",
        ))
        .order_by_desc(T::PriorityRank)
        .order_by_asc(Expr::cust(
            "CASE WHEN resolution_due_at IS NULL THEN 1 ELSE 0 END",
        ))
        .order_by_asc(T::ResolutionDueAt)
        .order_by_asc(T::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

#[derive(Debug, FromQueryResult)]
struct Load {
    assignee_id: Uuid,
    open: i64,
}

/// Open tickets held by each of `agents`.
pub async fn open_counts<C: ConnectionTrait>(
    db: &C,
    agents: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, i64>, StoreError> {
    if agents.is_empty() {
        return Ok(Default::default());
    }
    let rows = Ticket::find()
        .select_only()
        .column(T::AssigneeId)
        .column_as(T::Id.count(), "open")
        .filter(T::Status.is_in(open_statuses()))
        .filter(T::AssigneeId.is_in(agents.iter().copied()))
        .group_by(T::AssigneeId)
        .into_model::<Load>()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.assignee_id, r.open)).collect())
}

/// Staff who work the queue (agents and tech support), in a team or everywhere.
pub async fn queue_agents<C: ConnectionTrait>(
    db: &C,
    team: Option<Uuid>,
) -> Result<Vec<user::Model>, StoreError> {
    use careline_domain::Role;

    let bits = Role::Agent.bit() | Role::TechSupport.bit();
    let mut query = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(Expr::col(user::Column::Roles).bit_and(bits).ne(0));
    if let Some(team) = team {
        query = query.filter(user::Column::TeamId.eq(team));
    }
    Ok(query.order_by_asc(user::Column::Name).all(db).await?)
}

/// Who of `agents` is on shift at `at`.
pub async fn on_shift<C: ConnectionTrait>(
    db: &C,
    agents: &[Uuid],
    at: DateTime<Utc>,
) -> Result<std::collections::HashSet<Uuid>, StoreError> {
    let rows = Shift::find()
        .filter(shift::Column::AgentId.is_in(agents.iter().copied()))
        .filter(shift::Column::StartsAt.lte(at))
        .filter(shift::Column::EndsAt.gt(at))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|s| s.agent_id).collect())
}

/// Marks when someone was last given a ticket (auto-assignment's tie-breaker).
pub async fn touch_last_assigned<C: ConnectionTrait>(
    db: &C,
    agent: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    user::Entity::update_many()
        .col_expr(user::Column::LastAssignedAt, Expr::value(at))
        .filter(user::Column::Id.eq(agent))
        .exec(db)
        .await?;
    Ok(())
}

/// Plans a shift.
pub async fn create_shift<C: ConnectionTrait>(
    db: &C,
    agent: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    by: Uuid,
) -> Result<shift::Model, StoreError> {
    Ok(shift::ActiveModel {
        id: Set(Uuid::now_v7()),
        agent_id: Set(agent),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        created_by: Set(by),
        created_at: Set(now()),
    }
    .insert(db)
    .await?)
}

/// Shifts overlapping [from, to), optionally of one agent.
pub async fn shifts<C: ConnectionTrait>(
    db: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    agent: Option<Uuid>,
    limit: u64,
) -> Result<Vec<shift::Model>, StoreError> {
    let mut query = Shift::find()
        .filter(shift::Column::StartsAt.lt(to))
        .filter(shift::Column::EndsAt.gt(from));
    if let Some(agent) = agent {
        query = query.filter(shift::Column::AgentId.eq(agent));
    }
    Ok(query
        .order_by_asc(shift::Column::StartsAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Stores a handover record made at `at` and its ticket list.
pub async fn record_handover<C: ConnectionTrait>(
    db: &C,
    from: Uuid,
    to: Uuid,
    notes: String,
    tickets: &[Uuid],
    at: DateTime<Utc>,
) -> Result<handover::Model, StoreError> {
    let row = handover::ActiveModel {
        id: Set(Uuid::now_v7()),
        from_id: Set(from),
        to_id: Set(to),
        at: Set(at),
        notes: Set(notes),
    }
    .insert(db)
    .await?;
    if !tickets.is_empty() {
        HandoverTicket::insert_many(tickets.iter().map(|t| handover_ticket::ActiveModel {
            handover_id: Set(row.id),
            ticket_id: Set(*t),
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(row)
}

/// Handovers, newest first, optionally only those involving `person`.
pub async fn handovers<C: ConnectionTrait>(
    db: &C,
    person: Option<Uuid>,
    limit: u64,
) -> Result<Vec<handover::Model>, StoreError> {
    let mut query = Handover::find().order_by_desc(handover::Column::Id);
    if let Some(person) = person {
        query = query.filter(
            sea_orm::sea_query::Condition::any()
                .add(handover::Column::FromId.eq(person))
                .add(handover::Column::ToId.eq(person)),
        );
    }
    Ok(query.limit(limit).all(db).await?)
}

/// The tickets of the given handovers.
pub async fn handover_tickets<C: ConnectionTrait>(
    db: &C,
    handovers: &[Uuid],
) -> Result<Vec<handover_ticket::Model>, StoreError> {
    Ok(HandoverTicket::find()
        .filter(handover_ticket::Column::HandoverId.is_in(handovers.iter().copied()))
        .all(db)
        .await?)
}

/// Resolved tickets of kinds other than `kept` resolved at or before `resolved_before`, oldest
/// resolution first, after `after` (the resolution time and id of the last one read): the
/// auto-close candidates, a page at a time.
pub async fn auto_close_candidates<C: ConnectionTrait>(
    db: &C,
    resolved_before: DateTime<Utc>,
    kept: &[careline_domain::ticket::TicketKind],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<ticket::Model>, StoreError> {
    let mut query = Ticket::find()
        .filter(T::Status.eq(TicketStatus::Resolved.as_str()))
        .filter(T::Kind.is_not_in(kept.iter().map(|k| k.as_str())))
        .filter(T::ResolvedAt.lte(resolved_before));
    if let Some((at, id)) = after {
        query = query.filter(
            sea_orm::sea_query::Condition::any()
                .add(T::ResolvedAt.gt(at))
                .add(
                    sea_orm::sea_query::Condition::all()
                        .add(T::ResolvedAt.eq(at))
                        .add(T::Id.gt(id)),
                ),
        );
    }
    Ok(query
        .order_by_asc(T::ResolvedAt)
        .order_by_asc(T::Id)
        .limit(limit)
        .all(db)
        .await?)
}
