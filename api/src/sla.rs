//! Response-time standards applied to tickets: the targets a new ticket gets, how a change
//! moves its clocks (pause while waiting on the customer, a new target after a department's
//! hand-back, a fresh target on reopen), and the worker that escalates at 80 %, 100 % and
//! 150 % of a target. The arithmetic is `careline_domain::sla`; this module maps it onto the
//! stored columns.

use crate::state::AppState;
use careline_domain::event::{EscalationKind, SlaTarget};
use careline_domain::sla::{
    BusinessCalendar, DEFAULT_POLICIES, SOLUTION_NOTICE_MINUTES, Stage, Target, most_specific,
    stage_from_i32, stage_to_i32,
};
use careline_domain::ticket::{Change, EventDraft, TicketEventKind, TicketKind, TicketStatus};
use careline_persistence::entity::{sla_policy, ticket};
use careline_persistence::sla::{self as store, PolicyInput, StageChange};
use careline_persistence::tickets::{self, SlaColumns};
use careline_persistence::{DatabaseConnection, StoreError};
use chrono::{DateTime, Duration, Utc};

/// RESOLVED tickets that are not complaints close by themselves after this long.
pub const AUTO_CLOSE_DAYS: i64 = 7;

/// The default policies from the specification, as stored rows.
pub fn default_policies() -> Vec<PolicyInput> {
    DEFAULT_POLICIES
        .iter()
        .map(|p| PolicyInput {
            name: p.name.to_owned(),
            kind: p.kind.to_owned(),
            severity: p.severity.map(str::to_owned),
            first_response_minutes: p.first_response_minutes as i32,
            resolution_minutes: p.resolution_minutes as i32,
            time_zone: p.time_zone.to_owned(),
            windows: p.windows.to_owned(),
        })
        .collect()
}

fn calendar(cols: &SlaColumns) -> Option<BusinessCalendar> {
    BusinessCalendar::parse(cols.time_zone.as_deref()?, cols.windows.as_deref()?).ok()
}

fn target(due: Option<DateTime<Utc>>, minutes: Option<i32>) -> Option<Target> {
    Some(Target {
        due: due?,
        allowed_minutes: i64::from(minutes?),
    })
}

/// The SLA columns of a new ticket of `kind`/`severity` created at `now`, under the most
/// specific matching policy (none: no targets).
pub fn initial(
    policies: &[sla_policy::Model],
    kind: TicketKind,
    severity: Option<&str>,
    now: DateTime<Utc>,
) -> SlaColumns {
    let Some(policy) = most_specific(policies, kind.as_str(), severity, |p| {
        (p.kind.as_str(), p.severity.as_deref())
    }) else {
        return SlaColumns::default();
    };
    let Ok(cal) = BusinessCalendar::parse(&policy.time_zone, &policy.windows) else {
        return SlaColumns::default();
    };
    let first = Target::starting(now, i64::from(policy.first_response_minutes), &cal);
    let resolution = Target::starting(now, i64::from(policy.resolution_minutes), &cal);
    let mut cols = SlaColumns {
        policy_name: Some(policy.name.clone()),
        time_zone: Some(policy.time_zone.clone()),
        windows: Some(policy.windows.clone()),
        first_response_minutes: Some(policy.first_response_minutes),
        resolution_minutes: Some(policy.resolution_minutes),
        first_response_due_at: Some(first.due),
        resolution_due_at: Some(resolution.due),
        ..SlaColumns::default()
    };
    schedule(&mut cols, false, false, TicketStatus::New, &cal);
    cols
}

/// Recomputes when the worker must look next and when the ticket becomes at risk.
fn schedule(
    cols: &mut SlaColumns,
    first_met: bool,
    resolution_met: bool,
    status: TicketStatus,
    cal: &BusinessCalendar,
) {
    cols.next_check_at = None;
    cols.risk_at = None;
    let running = !matches!(
        status,
        TicketStatus::Resolved | TicketStatus::Closed | TicketStatus::PendingCustomer
    );
    if !running {
        return;
    }
    let clocks = [
        (
            first_met,
            target(cols.first_response_due_at, cols.first_response_minutes),
            cols.first_response_stage,
        ),
        (
            resolution_met,
            target(cols.resolution_due_at, cols.resolution_minutes),
            cols.resolution_stage,
        ),
    ];
    for (met, target, stage) in clocks {
        let (false, Some(target)) = (met, target) else {
            continue;
        };
        let next = target.next_threshold(stage_from_i32(stage), cal);
        cols.next_check_at = min_opt(cols.next_check_at, next);
        cols.risk_at = min_opt(cols.risk_at, Some(target.warning_at(cal)));
    }
}

fn min_opt(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The SLA columns after `change` is applied to `current` at `now`.
pub fn after_change(current: &ticket::Model, change: &Change, now: DateTime<Utc>) -> SlaColumns {
    let mut cols = SlaColumns::of(current);
    let Some(cal) = calendar(&cols) else {
        return cols;
    };
    let from = TicketStatus::parse(&current.status).unwrap_or(TicketStatus::New);
    let to = change.status;
    let first_met = current.first_responded_at.is_some() || change.first_response;
    let resolution_met = change.resolved || (current.resolved_at.is_some() && !change.reopened);

    // Waiting on the customer is not our delay: the clocks stop, and on resuming every unmet
    // due time moves later by the business time the wait took.
    if from == TicketStatus::PendingCustomer
        && to != TicketStatus::PendingCustomer
        && let Some(paused_at) = cols.paused_at.take()
    {
        if current.first_responded_at.is_none()
            && let Some(t) = target(cols.first_response_due_at, cols.first_response_minutes)
        {
            cols.first_response_due_at = Some(t.resumed(paused_at, now, &cal).due);
        }
        if current.resolved_at.is_none()
            && let Some(t) = target(cols.resolution_due_at, cols.resolution_minutes)
        {
            cols.resolution_due_at = Some(t.resumed(paused_at, now, &cal).due);
        }
    }
    if to == TicketStatus::PendingCustomer && from != TicketStatus::PendingCustomer {
        cols.paused_at = Some(now);
    }
    if change.first_response && cols.first_response_due_at.is_some_and(|due| now > due) {
        cols.first_response_breached = true;
    }
    if change.resolved && cols.resolution_due_at.is_some_and(|due| now > due) {
        cols.resolution_breached = true;
    }
    // A department handed its solution back: the customer must be told within a business day.
    if from == TicketStatus::PendingDepartment && to == TicketStatus::Open && !resolution_met {
        let notice = Target::starting(now, SOLUTION_NOTICE_MINUTES, &cal);
        cols.resolution_due_at = Some(notice.due);
        cols.resolution_minutes = Some(SOLUTION_NOTICE_MINUTES as i32);
        cols.resolution_stage = 0;
    }
    // Reopened: the resolution clock starts again.
    if change.reopened
        && let Some(minutes) = cols.resolution_minutes
    {
        cols.resolution_due_at = Some(Target::starting(now, i64::from(minutes), &cal).due);
        cols.resolution_stage = 0;
        cols.resolution_breached = false;
    }
    schedule(&mut cols, first_met, resolution_met, to, &cal);
    cols
}

/// What the worker should record for `t` at `now`, if anything.
fn evaluate(t: &ticket::Model, now: DateTime<Utc>) -> StageChange {
    let mut cols = SlaColumns::of(t);
    let status = TicketStatus::parse(&t.status).unwrap_or(TicketStatus::New);
    let mut change = StageChange {
        ticket_id: t.id,
        first_response_stage_was: t.sla_first_response_stage,
        resolution_stage_was: t.sla_resolution_stage,
        first_response_stage: t.sla_first_response_stage,
        resolution_stage: t.sla_resolution_stage,
        escalation_level: t.escalation_level,
        first_response_breached: t.first_response_breached,
        resolution_breached: t.resolution_breached,
        next_check_at: None,
        escalations: Vec::new(),
    };
    let Some(cal) = calendar(&cols) else {
        return change;
    };
    let first_met = t.first_responded_at.is_some();
    let resolution_met = t.resolved_at.is_some();
    let running = !matches!(
        status,
        TicketStatus::Resolved | TicketStatus::Closed | TicketStatus::PendingCustomer
    );
    let targets = [
        (
            SlaTarget::FirstResponse,
            first_met,
            target(t.first_response_due_at, t.sla_first_response_minutes),
            t.sla_first_response_stage,
        ),
        (
            SlaTarget::Resolution,
            resolution_met,
            target(t.resolution_due_at, t.sla_resolution_minutes),
            t.sla_resolution_stage,
        ),
    ];
    for (which, met, target, stored) in targets {
        let (true, false, Some(target)) = (running, met, target) else {
            continue;
        };
        let reached = target.stage(now, &cal).max(stage_from_i32(stored));
        let new = stage_to_i32(reached);
        for crossed in (stored + 1)..=new {
            let label = match which {
                SlaTarget::FirstResponse => "first-response",
                SlaTarget::Resolution => "resolution",
            };
            match stage_from_i32(crossed) {
                Stage::Warning => change.escalations.push((
                    change.escalation_level,
                    EscalationKind::SlaWarning,
                    which,
                    format!("80% of the {label} target used"),
                    TicketEventKind::SlaWarning,
                )),
                Stage::Breach => {
                    change.escalation_level = change.escalation_level.max(1);
                    change.escalations.push((
                        change.escalation_level,
                        EscalationKind::SlaBreach,
                        which,
                        format!("{label} target missed: escalated to the supervisor"),
                        TicketEventKind::SlaBreached,
                    ));
                }
                Stage::Level2 => {
                    change.escalation_level = change.escalation_level.max(2);
                    change.escalations.push((
                        change.escalation_level,
                        EscalationKind::SlaBreach,
                        which,
                        format!("150% of the {label} target used: escalated to the manager"),
                        TicketEventKind::Escalated,
                    ));
                }
                Stage::None => {}
            }
        }
        match which {
            SlaTarget::FirstResponse => {
                change.first_response_stage = new;
                change.first_response_breached |= reached >= Stage::Breach;
                cols.first_response_stage = new;
            }
            SlaTarget::Resolution => {
                change.resolution_stage = new;
                change.resolution_breached |= reached >= Stage::Breach;
                cols.resolution_stage = new;
            }
        }
    }
    schedule(&mut cols, first_met, resolution_met, status, &cal);
    change.next_check_at = cols.next_check_at;
    change
}

/// One pass of the worker: escalate what crossed a threshold, close what waited long enough.
/// Returns how many tickets this instance changed.
pub async fn tick(state: &AppState) -> Result<usize, StoreError> {
    let now = state.app.clock.now();
    let mut changed = 0;
    loop {
        let due = store::due_for_check(&state.app.db, now, 200).await?;
        let batch = due.len();
        for ticket in due {
            let change = evaluate(&ticket, now);
            if store::apply_stage_change(&state.app.db, change, now).await? {
                changed += 1;
            }
        }
        if batch < 200 {
            break;
        }
    }
    changed += auto_close(&state.app.db, now).await?;
    if changed > 0 {
        state.app.committed();
    }
    Ok(changed)
}

async fn auto_close(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let candidates =
        store::auto_close_candidates(db, now - Duration::days(AUTO_CLOSE_DAYS), 200).await?;
    let mut closed = 0;
    for t in candidates {
        let change = Change {
            status: TicketStatus::Closed,
            owner_id: t.owner_id,
            assignee_id: t.assignee_id,
            department_id: t.department_id,
            events: vec![EventDraft {
                kind: TicketEventKind::Closed,
                internal: false,
                message: Some(format!(
                    "closed automatically {AUTO_CLOSE_DAYS} days after resolution"
                )),
                from_status: Some(TicketStatus::Resolved),
                to_status: Some(TicketStatus::Closed),
            }],
            first_response: false,
            resolved: false,
            reopened: false,
            closed: true,
            suggestion_status: None,
        };
        let customer_user = careline_persistence::customers::find(db, t.customer_id)
            .await?
            .and_then(|c| c.user_id);
        let sla = after_change(&t, &change, now);
        // The version check makes this exactly-once too: a second instance gets a conflict.
        match tickets::apply(
            db,
            &t,
            customer_user,
            t.version,
            &change,
            &sla,
            None,
            tickets::Extra::None,
        )
        .await
        {
            Ok(_) => closed += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(closed)
}

/// Runs [`tick`] every `SLA_TICK_SECONDS` in the background.
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(state.settings.sla_tick);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(err) = tick(&state).await {
                tracing::warn!(error = %crate::app::error::chain(&err), "SLA worker pass failed; retrying next tick");
            }
        }
    });
}
