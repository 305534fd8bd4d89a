//! Response-time standards applied to tickets: the targets a new ticket gets, how a change
//! moves its clocks (pause while waiting on the customer, a new target after a department's
//! hand-back, a fresh target on reopen), and the worker that escalates at 80 %, 100 % and
//! 150 % of a target. The rules are `careline_domain::sla::clocks`; this module maps them onto
//! the stored columns.

use crate::state::AppState;
use careline_domain::sla::clocks::{self, ClockPolicy, SlaClocks};
use careline_domain::sla::{BusinessCalendar, ClockHistory, most_specific, stage_to_i32};
use careline_domain::ticket::{
    AUTO_CLOSE_DAYS, Change, Classification, SystemCommand, TicketKind, decide_system,
};
use careline_persistence::calendars;
use careline_persistence::entity::{sla_policy, ticket};
use careline_persistence::sla::{self as store, StageChange};
use careline_persistence::tickets::{self, clock_facts, clocks_of};
use careline_persistence::{DatabaseConnection, StoreError};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// The SLA clocks of a new ticket of `kind`/`severity` created at `now`, under the most
/// specific matching policy (none: no targets), on the policy's calendar.
pub async fn initial<C: ConnectionTrait>(
    db: &C,
    policies: &[sla_policy::Model],
    kind: TicketKind,
    severity: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SlaClocks, StoreError> {
    let Some(policy) = most_specific(policies, kind.as_str(), severity, |p| {
        (p.kind.as_str(), p.severity.as_deref())
    }) else {
        return Ok(SlaClocks::default());
    };
    let calendar = match policy.calendar_id {
        Some(id) => calendars::load(db, id).await?,
        None => BusinessCalendar::parse(&policy.time_zone, &policy.windows).ok(),
    };
    let Some(calendar) = calendar else {
        return Ok(SlaClocks::default());
    };
    let policy = ClockPolicy {
        name: &policy.name,
        calendar: &calendar,
        calendar_id: policy.calendar_id,
        first_response_minutes: policy.first_response_minutes,
        resolution_minutes: policy.resolution_minutes,
    };
    Ok(clocks::initial(&policy, now))
}

/// The clocks of `t` reclassified as `now`: the targets of the new kind's (and severity's)
/// policy on its calendar, counted from intake (the resolution target from the last reopen, if
/// any) with the waits on the customer taken out, so no time already used is forgiven. Met
/// targets, stages and breaches stay. Without a policy for the new kind the clocks stay as
/// they were.
pub async fn reclassified<C: ConnectionTrait>(
    db: &C,
    t: &ticket::Model,
    clocks: &SlaClocks,
    now: &Classification,
) -> Result<SlaClocks, StoreError> {
    let policies = store::policies(db).await?;
    let fresh = initial(
        db,
        &policies,
        now.kind,
        now.severity.map(|s| s.as_str()),
        t.created_at,
    )
    .await?;
    let Some(calendar) = fresh.calendar.clone() else {
        return Ok(clocks.clone());
    };
    let next = SlaClocks {
        policy_name: fresh.policy_name,
        calendar_id: fresh.calendar_id,
        first_response_minutes: fresh.first_response_minutes,
        resolution_minutes: fresh.resolution_minutes,
        resolution_started_at: if t.reopen_count > 0 {
            clocks.resolution_started_at
        } else {
            Some(t.created_at)
        },
        ..clocks.clone()
    };
    let steps = calendars::status_steps(db, &[t.id])
        .await?
        .remove(&t.id)
        .unwrap_or_default();
    let history = ClockHistory::from_steps(t.created_at, &steps);
    Ok(clocks::recounted(
        &next,
        &clock_facts(t),
        &history,
        calendar,
    ))
}

/// A stored ticket's clocks, on its calendar read from the database.
pub async fn stored_clocks<C: ConnectionTrait>(
    db: &C,
    t: &ticket::Model,
) -> Result<SlaClocks, StoreError> {
    Ok(clocks_of(t, calendars::of_stored_ticket(db, t).await?))
}

/// The SLA clocks after `change` is applied at `now` to `current`, whose clocks are `clocks`.
pub fn after_change(
    current: &ticket::Model,
    clocks: &SlaClocks,
    change: &Change,
    now: DateTime<Utc>,
) -> SlaClocks {
    clocks::after_change(clocks, &clock_facts(current), change, now)
}

/// What the worker should record for `t` at `now`, if anything.
fn evaluate(
    t: &ticket::Model,
    calendars: &HashMap<uuid::Uuid, BusinessCalendar>,
    now: DateTime<Utc>,
) -> StageChange {
    let clocks = clocks_of(t, calendars::of_ticket(t, calendars));
    let check = clocks::evaluate(&clocks, &clock_facts(t), now);
    StageChange {
        ticket_id: t.id,
        first_response_stage_was: t.sla_first_response_stage,
        resolution_stage_was: t.sla_resolution_stage,
        first_response_stage: stage_to_i32(check.first_response_stage),
        resolution_stage: stage_to_i32(check.resolution_stage),
        escalation_level: check.escalation_level,
        first_response_breached: check.first_response_breached,
        resolution_breached: check.resolution_breached,
        next_check_at: check.next_check_at,
        escalations: check
            .escalations
            .into_iter()
            .map(|e| (e.level, e.kind, e.target, e.reason, e.event))
            .collect(),
    }
}

/// One pass of the worker: escalate what crossed a threshold, close what waited long enough,
/// and generate last month's reports when they fall due. Returns how many tickets this
/// instance changed.
pub async fn tick(state: &AppState) -> Result<usize, StoreError> {
    let now = state.app.clock.now();
    let mut changed = 0;
    let calendars = calendars::load_all(&state.app.db).await?;
    loop {
        let due = store::due_for_check(&state.app.db, now, 200).await?;
        let batch = due.len();
        for ticket in due {
            let change = evaluate(&ticket, &calendars, now);
            if store::apply_stage_change(&state.app.db, change, now).await? {
                changed += 1;
            }
        }
        if batch < 200 {
            break;
        }
    }
    changed += auto_close(&state.app.db, now).await?;
    let deadlines = crate::app::casework::check_deadlines(&state.app, now).await;
    let stale = crate::app::knowledge::notify_stale(&state.app, now).await;
    changed += deadlines
        .and_then(|moved| Ok(moved + stale?))
        .map_err(|e| match e {
            crate::app::AppError::Internal(err) => {
                StoreError::Db(sea_orm::DbErr::Custom(format!("{err:#}")))
            }
            other => StoreError::Db(sea_orm::DbErr::Custom(other.code().to_owned())),
        })?;
    if changed > 0 {
        state.app.committed();
    }
    // Last month's reports on the 1st; a failure here must not hold up escalations.
    if let Err(err) = crate::app::reports::run_schedule(&state.app, now).await {
        match err {
            crate::app::AppError::Internal(inner) => {
                tracing::warn!(error.detail = ?inner, "scheduled reports failed; retrying next tick");
            }
            other => tracing::warn!(error.code = other.code(), "scheduled reports failed"),
        }
    }
    Ok(changed)
}

async fn auto_close(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let candidates =
        store::auto_close_candidates(db, now - Duration::days(AUTO_CLOSE_DAYS), 200).await?;
    let mut closed = 0;
    for t in candidates {
        let customer_user = careline_persistence::customers::find(db, t.customer_id)
            .await?
            .and_then(|c| c.user_id);
        let Some(facts) = crate::app::tickets::facts(&t, customer_user) else {
            tracing::warn!(ticket.id = %t.id, "auto-close skipped a ticket with unknown stored values");
            continue;
        };
        // The state machine decides, as for a person's command; a ticket that changed since
        // the candidates were read is left for the next pass.
        let Ok(change) = decide_system(&facts, SystemCommand::AutoClose) else {
            continue;
        };
        let sla = after_change(&t, &stored_clocks(db, &t).await?, &change, now);
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
            now,
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
