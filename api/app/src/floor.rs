//! The floor: the live queue, escalations, assignment, shifts, handovers and the
//! response-time standards (SLA policies).

use super::error::{AppError, AppResult};
use super::tickets::{Extra, load_readable, require_worker, run_in, viewer_of};
use super::{Actor, App, text};
use careline_domain::Action;
use careline_domain::org::Presence;
use careline_domain::permission::{QueueAccess, queue_access};
use careline_domain::sla::{
    BusinessCalendar, Candidate, DEFAULT_POLICIES, PolicyDraft, check_spare_capacity,
    needs_technical_skill, validate_policy,
};
use careline_domain::ticket::{Command, ComplaintCategory, TicketKind};
use careline_persistence::entity::{escalation, handover, shift, sla_policy, ticket, user};
use careline_persistence::sla::{self as store, PolicyInput};
use careline_persistence::{calendars, tickets};
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use std::collections::HashMap;
use uuid::Uuid;

pub use careline_persistence::sla::QueueCounts;

/// Most shifts one query returns.
pub const MAX_SHIFTS: u64 = 500;
/// Most tickets one handover moves.
pub const MAX_HANDOVER_TICKETS: usize = 100;

/// The live queue of a team, a department or everyone, as the actor may see it.
pub struct Queue {
    /// The team it is confined to, if any.
    pub team: Option<Uuid>,
    /// The department it is confined to, if any.
    pub department: Option<Uuid>,
    /// Its counts now.
    pub counts: QueueCounts,
    /// Every agent with their open tickets.
    pub agents: Vec<(user::Model, i64)>,
}

/// Which part of the queue the actor may see when asking for `team` and `department`: leads
/// any team or department (or everything), agents and tech support their own team, liaisons
/// their own department. Returns the team and department it is confined to.
pub fn visible_queue(
    actor: &Actor,
    team: Option<Uuid>,
    department: Option<Uuid>,
) -> AppResult<(Option<Uuid>, Option<Uuid>)> {
    match queue_access(actor.roles(), actor.user.team_id, actor.user.department_id) {
        QueueAccess::Everything => Ok((team, department)),
        QueueAccess::Team(own) if team.is_none_or(|t| t == own) => Ok((Some(own), department)),
        QueueAccess::Department(own) if team.is_none() && department.is_none_or(|d| d == own) => {
            Ok((None, Some(own)))
        }
        QueueAccess::Department(_) => Err(AppError::Forbidden(
            "you may see only your own department's queue".to_owned(),
        )),
        QueueAccess::Team(_) => Err(AppError::Forbidden(
            "you may see only your own team's queue".to_owned(),
        )),
        QueueAccess::Nothing => Err(AppError::Forbidden(
            "you are not allowed to see the live queue".to_owned(),
        )),
    }
}

/// The queue the actor asked for, as [`visible_queue`] allows.
pub async fn queue(
    app: &App,
    actor: &Actor,
    team: Option<Uuid>,
    department: Option<Uuid>,
) -> AppResult<Queue> {
    let (team, department) = visible_queue(actor, team, department)?;
    let counts = store::queue_counts(&app.db, team, department, app.now()).await?;
    // A department's liaisons see its tickets, not the floor's agents.
    let liaison = matches!(
        queue_access(actor.roles(), actor.user.team_id, actor.user.department_id),
        QueueAccess::Department(_)
    );
    let agents = if liaison {
        Vec::new()
    } else {
        store::queue_agents(&app.db, team).await?
    };
    let ids: Vec<Uuid> = agents.iter().map(|a| a.id).collect();
    let loads = store::open_counts(&app.db, &ids).await?;
    let agents = agents
        .into_iter()
        .map(|a| {
            let open = loads.get(&a.id).copied().unwrap_or(0);
            (a, open)
        })
        .collect();
    Ok(Queue {
        team,
        department,
        counts,
        agents,
    })
}

/// A page of the queue's tickets by position (the queue moves every few seconds; a position is
/// what a live view pages by), and the total.
pub async fn queue_tickets(
    app: &App,
    queue: &Queue,
    offset: u64,
    limit: u64,
) -> AppResult<(Vec<ticket::Model>, u64)> {
    Ok(store::queue_page(&app.db, queue.team, queue.department, offset, limit).await?)
}

async fn tickets_by_id(app: &App, ids: &[Uuid]) -> AppResult<HashMap<Uuid, ticket::Model>> {
    Ok(tickets::find_many(&app.db, ids)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect())
}

/// Escalations, newest first, each with its ticket.
pub async fn escalations(
    app: &App,
    actor: &Actor,
    open_only: bool,
    after: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<(escalation::Model, ticket::Model)>> {
    actor.require(Action::ReadQueue)?;
    let rows = store::escalations(&app.db, open_only, after, limit).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.ticket_id).collect();
    let tickets = tickets_by_id(app, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let ticket = tickets.get(&row.ticket_id).cloned();
            ticket.map(|ticket| (row, ticket))
        })
        .collect())
}

/// Takes responsibility for an escalation: only someone it was routed to, or a manager or
/// admin (`careline_domain::sla::may_acknowledge`); anyone else is refused and nothing is
/// written.
pub async fn acknowledge_escalation(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> AppResult<(escalation::Model, ticket::Model)> {
    actor.require(Action::AcknowledgeEscalation)?;
    store::escalation(&app.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("escalation not found".to_owned()))?;
    let recipients = careline_persistence::routing::routed_to(&app.db, id).await?;
    careline_domain::sla::may_acknowledge(actor.id(), actor.roles(), &recipients)?;
    let row = store::acknowledge_escalation(&app.db, id, actor.id(), app.now()).await?;
    let ticket = tickets::find_many(&app.db, &[row.ticket_id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound("ticket not found".into()))?;
    Ok((row, ticket))
}

/// Raises the ticket's escalation level by one, with a reason (the state machine decides the
/// level and refuses going past the working group).
pub async fn escalate(
    app: &App,
    actor: &Actor,
    id: Uuid,
    reason: String,
) -> AppResult<ticket::Model> {
    let cmd = Command::Escalate { reason };
    Ok(super::tickets::command(app, actor, id, None, cmd)
        .await?
        .ticket)
}

/// Refuses a claim that would take someone past their capacity.
pub async fn require_spare_capacity(app: &App, agent: &user::Model) -> AppResult<()> {
    let open = store::open_counts(&app.db, &[agent.id])
        .await?
        .get(&agent.id)
        .copied()
        .unwrap_or(0);
    Ok(check_spare_capacity(open, agent.capacity)?)
}

/// Picks who should get `t` (`careline_domain::sla::pick_assignee` ranks the candidates: the
/// available, on-shift agent with the needed skill and the lowest load relative to capacity;
/// ties go to whoever has waited longest since their last ticket).
pub async fn pick_assignee(
    app: &App,
    t: &ticket::Model,
    now: DateTime<Utc>,
) -> AppResult<Option<user::Model>> {
    let candidates = store::queue_agents(&app.db, t.team_id).await?;
    let ids: Vec<Uuid> = candidates.iter().map(|u| u.id).collect();
    let on_shift = store::on_shift(&app.db, &ids, now).await?;
    let loads = store::open_counts(&app.db, &ids).await?;
    let category = t.category.as_deref().and_then(ComplaintCategory::parse);
    let technical =
        TicketKind::parse(&t.kind).is_some_and(|kind| needs_technical_skill(kind, category));
    let ranked: Vec<Candidate> = candidates
        .iter()
        .map(|u| Candidate {
            id: u.id,
            roles: u.role_set(),
            skills: u.skill_list(),
            presence: Presence::parse(&u.presence),
            capacity: u.capacity,
            open: loads.get(&u.id).copied().unwrap_or(0),
            on_shift: on_shift.contains(&u.id),
            last_assigned_at: u.last_assigned_at,
        })
        .collect();
    let best = careline_domain::sla::pick_assignee(&ranked, technical);
    Ok(candidates.into_iter().find(|u| Some(u.id) == best))
}

/// Gives the ticket to the best available agent, if anyone is eligible; otherwise it stays
/// unassigned (and the queue shows it).
pub async fn auto_assign(app: &App, actor: &Actor, id: Uuid) -> AppResult<ticket::Model> {
    let viewer = viewer_of(&actor.user);
    let (loaded, _) = load_readable(app, &viewer, id).await?;
    let now = app.now();
    let Some(agent) = pick_assignee(app, &loaded.ticket, now).await? else {
        return Ok(loaded.ticket);
    };
    let cmd = Command::Assign {
        assignee_id: agent.id,
    };
    let txn = app.db.begin().await?;
    let applied = run_in(
        &txn,
        &viewer,
        id,
        Some(loaded.ticket.version),
        cmd,
        Extra::None,
        now,
    )
    .await?;
    store::touch_last_assigned(&txn, agent.id, now).await?;
    txn.commit().await?;
    app.committed();
    Ok(applied.ticket)
}

/// Shifts overlapping [from, to): leads see everyone's, others their own.
pub async fn shifts(
    app: &App,
    actor: &Actor,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Vec<shift::Model>> {
    if to <= from {
        return Err(AppError::bad_input("to", "must be after from"));
    }
    let only = (!actor.can(Action::ManageShifts)).then(|| actor.id());
    Ok(store::shifts(&app.db, from, to, only, MAX_SHIFTS).await?)
}

/// Plans a shift of at most 24 hours for someone who works tickets.
pub async fn create_shift(
    app: &App,
    actor: &Actor,
    agent: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> AppResult<shift::Model> {
    if ends_at <= starts_at {
        return Err(AppError::bad_input("endsAt", "must be after startsAt"));
    }
    if ends_at - starts_at > chrono::Duration::hours(24) {
        return Err(AppError::bad_input(
            "endsAt",
            "a shift lasts at most 24 hours",
        ));
    }
    require_worker(app, agent, "agentId").await?;
    Ok(store::create_shift(&app.db, agent, starts_at, ends_at, actor.id()).await?)
}

/// A handover record with the tickets it moved.
pub type HandoverRecord = (handover::Model, Vec<ticket::Model>);

/// Handover records, newest first: leads see all, others those they gave or received.
pub async fn handovers(app: &App, actor: &Actor, limit: u64) -> AppResult<Vec<HandoverRecord>> {
    let only = (!actor.can(Action::ManageShifts)).then(|| actor.id());
    let rows = store::handovers(&app.db, only, limit).await?;
    let ids: Vec<Uuid> = rows.iter().map(|h| h.id).collect();
    let links = store::handover_tickets(&app.db, &ids).await?;
    let ticket_ids: Vec<Uuid> = links.iter().map(|l| l.ticket_id).collect();
    let tickets = tickets_by_id(app, &ticket_ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let moved = links
                .iter()
                .filter(|l| l.handover_id == row.id)
                .filter_map(|l| tickets.get(&l.ticket_id).cloned())
                .collect();
            (row, moved)
        })
        .collect())
}

/// Hands the listed tickets to a colleague at the end of a shift, with notes. Every ticket
/// moves and the record is written in one transaction: a refusal or a failure leaves nothing
/// half handed over.
pub async fn record_handover(
    app: &App,
    actor: &Actor,
    to: Uuid,
    notes: &str,
    ticket_ids: &[Uuid],
) -> AppResult<HandoverRecord> {
    if to == actor.id() {
        return Err(AppError::bad_input(
            "input.toUserId",
            "hand over to someone else",
        ));
    }
    let notes = text(notes, "input.notes", 10_000)?;
    if ticket_ids.len() > MAX_HANDOVER_TICKETS {
        return Err(AppError::bad_input(
            "input.ticketIds",
            format!("at most {MAX_HANDOVER_TICKETS} tickets at once"),
        ));
    }
    require_worker(app, to, "input.toUserId").await?;
    let mut ids: Vec<Uuid> = Vec::with_capacity(ticket_ids.len());
    for id in ticket_ids {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    let viewer = viewer_of(&actor.user);
    let now = app.now();
    let txn = app.db.begin().await?;
    let mut moved = Vec::with_capacity(ids.len());
    for id in &ids {
        let cmd = Command::HandOver { to };
        moved.push(
            run_in(&txn, &viewer, *id, None, cmd, Extra::None, now)
                .await?
                .ticket,
        );
    }
    let row = store::record_handover(&txn, actor.id(), to, notes, &ids, now).await?;
    txn.commit().await?;
    app.committed();
    tracing::info!(handover.id = %row.id, tickets = ids.len(), "handover recorded");
    Ok((row, moved))
}

/// The response-time standards in force.
pub async fn policies(app: &App, actor: &Actor) -> AppResult<Vec<sla_policy::Model>> {
    actor.require(Action::ReadStaffDirectory)?;
    Ok(store::policies(&app.db).await?)
}

/// The calendar a policy counts on, as typed.
#[derive(Debug, Clone)]
pub enum PolicyCalendar {
    /// A stored calendar.
    Id(Uuid),
    /// Weekly hours: the policy keeps its calendar (holidays and all) when that calendar has
    /// exactly these hours, and otherwise counts on the calendar with these hours and no
    /// special days, made if there is none.
    Hours {
        /// IANA time zone.
        time_zone: String,
        /// Business windows.
        windows: String,
    },
}

/// A policy as typed.
#[derive(Debug, Clone)]
pub struct PolicyRequest {
    /// Display name.
    pub name: String,
    /// The kind it applies to.
    pub kind: TicketKind,
    /// For complaints, the severity it applies to.
    pub severity: Option<careline_domain::ticket::Severity>,
    /// First-response target in business minutes.
    pub first_response_minutes: i32,
    /// Resolution target in business minutes.
    pub resolution_minutes: i32,
    /// Its calendar.
    pub calendar: PolicyCalendar,
}

/// Creates or replaces the policy for a kind (and severity). Tickets keep the targets they were
/// given; the policy applies to new tickets.
pub async fn upsert_policy(
    app: &App,
    actor: &Actor,
    input: PolicyRequest,
) -> AppResult<sla_policy::Model> {
    actor.require(Action::ManageSlaPolicies)?;
    store_policy(app, input).await
}

/// Stores a policy whoever asked (a person's permission checked by the caller; the defaults
/// at start need none).
async fn store_policy(app: &App, input: PolicyRequest) -> AppResult<sla_policy::Model> {
    let name = text(&input.name, "input.name", 120)?;
    let txn = app.db.begin().await?;
    let stored = match &input.calendar {
        PolicyCalendar::Id(id) => calendars::find(&txn, *id)
            .await?
            .ok_or_else(|| AppError::bad_input("input.calendarId", "no such calendar"))?,
        PolicyCalendar::Hours { .. } => {
            // The whole policy is checked before a calendar is made for it.
            let hours = policy_hours(&input)?;
            let key = (input.kind.as_str(), input.severity.map(|s| s.as_str()));
            let current = store::policies(&txn)
                .await?
                .into_iter()
                .find(|p| (p.kind.as_str(), p.severity.as_deref()) == key)
                .and_then(|p| p.calendar_id);
            let kept = match current {
                Some(id) => calendars::find(&txn, id).await?.filter(|row| {
                    row.time_zone == hours.time_zone_name() && row.windows == hours.windows_spec()
                }),
                None => None,
            };
            match kept {
                Some(row) => row,
                None => calendars::for_hours(&txn, &hours).await?,
            }
        }
    };
    let policy = validate_policy(&PolicyDraft {
        kind: input.kind,
        severity: input.severity,
        first_response_minutes: input.first_response_minutes,
        resolution_minutes: input.resolution_minutes,
        time_zone: &stored.time_zone,
        windows: &stored.windows,
    })?;
    let row = store::upsert_policy(
        &txn,
        PolicyInput {
            name,
            kind: policy.kind.as_str().to_owned(),
            severity: policy.severity.map(|s| s.as_str().to_owned()),
            first_response_minutes: policy.first_response_minutes,
            resolution_minutes: policy.resolution_minutes,
            time_zone: policy.calendar.time_zone_name().to_owned(),
            windows: policy.calendar.windows_spec().to_owned(),
            calendar_id: stored.id,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The weekly hours a policy was typed with, validated with the rest of the policy.
fn policy_hours(input: &PolicyRequest) -> AppResult<BusinessCalendar> {
    let PolicyCalendar::Hours { time_zone, windows } = &input.calendar else {
        return Err(AppError::bad_input(
            "input.timeZone",
            "a time zone is required",
        ));
    };
    Ok(validate_policy(&PolicyDraft {
        kind: input.kind,
        severity: input.severity,
        first_response_minutes: input.first_response_minutes,
        resolution_minutes: input.resolution_minutes,
        time_zone,
        windows,
    })?
    .calendar)
}

/// Stores the specification's default policies when there are none (a fresh database), each
/// on the calendar with its hours.
pub async fn ensure_default_policies(app: &App) -> AppResult<()> {
    if !store::policies(&app.db).await?.is_empty() {
        return Ok(());
    }
    for p in DEFAULT_POLICIES {
        let request = PolicyRequest {
            name: p.name.to_owned(),
            kind: TicketKind::parse(p.kind).ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("{}", p.kind), "default policy kind")
            })?,
            severity: p
                .severity
                .and_then(careline_domain::ticket::Severity::parse),
            first_response_minutes: p.first_response_minutes as i32,
            resolution_minutes: p.resolution_minutes as i32,
            calendar: PolicyCalendar::Hours {
                time_zone: p.time_zone.to_owned(),
                windows: p.windows.to_owned(),
            },
        };
        store_policy(app, request).await?;
    }
    Ok(())
}
