//! Response-time standards applied to tickets: the targets a new ticket gets, how a change
//! moves its clocks (pause while waiting on the customer, a new target after a department's
//! hand-back, a fresh target on reopen), and the worker that escalates at 80 %, 100 % and
//! 150 % of a target. The rules are `careline_domain::sla::clocks`; this module maps them onto
//! the stored columns.

use crate::AppError;
use crate::tickets::{By, Extra};
use careline_domain::sla::clocks::{self, ClockPolicy, SlaClocks};
use careline_domain::sla::{BusinessCalendar, ClockHistory, most_specific, stage_to_i32};
use careline_domain::ticket::{
    AUTO_CLOSE_DAYS, Change, Classification, FOLLOW_UP_BEFORE_CLOSING, SystemCommand, TicketKind,
};
use careline_persistence::StoreError;
use careline_persistence::calendars;
use careline_persistence::entity::{sla_policy, ticket};
use careline_persistence::sla::{self as store, StageChange};
use careline_persistence::tickets::{clock_facts, clocks_of};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
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
        None => match BusinessCalendar::parse(&policy.time_zone, &policy.windows) {
            Ok(calendar) => Some(calendar),
            Err(err) => {
                tracing::error!(sla.policy = %policy.name, error = ?err, "the SLA policy's hours do not parse");
                None
            }
        },
    };
    let Some(calendar) = calendar else {
        // A ticket is never refused for it, but nobody may miss that it has no targets.
        tracing::error!(
            sla.policy = %policy.name,
            sla.calendar = ?policy.calendar_id,
            "the SLA policy's calendar is missing or does not parse: the ticket gets no response-time targets"
        );
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
        escalations: check.escalations,
    }
}

/// Records the SLA stages tickets crossed by `now`: warnings and escalations, each exactly
/// once across instances. Returns how many tickets this instance changed.
pub async fn escalate_due(app: &crate::App, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut changed = 0;
    let calendars = calendars::load_all(&app.db).await?;
    loop {
        let due = store::due_for_check(&app.db, now, 200).await?;
        let batch = due.len();
        for ticket in due {
            let mut change = evaluate(&ticket, &calendars, now);
            if change.escalations.is_empty() {
                if store::apply_stage_change(&app.db, change, now).await? {
                    changed += 1;
                }
                continue;
            }
            // Routed before the conditional write, told in its transaction: only the
            // instance whose write wins records the escalations and fills the inboxes.
            crate::routing::route(&app.db, &ticket, &mut change.escalations)
                .await
                .map_err(app_to_store)?;
            let escalations = change.escalations.clone();
            let txn = app.db.begin().await?;
            match store::apply_stage_change_in(&txn, change, now).await? {
                Some(after) => {
                    crate::routing::tell_recipients(&txn, Some(&after), &escalations, now)
                        .await
                        .map_err(app_to_store)?;
                    txn.commit().await?;
                    changed += 1;
                }
                None => txn.rollback().await?,
            }
        }
        if batch < 200 {
            break;
        }
    }
    Ok(changed)
}

/// An application error inside a storage-level job, kept with its cause.
fn app_to_store(err: AppError) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(format!("{err:?}")))
}

/// Closes the resolved tickets whose grace period ended, oldest resolution first, through the
/// one write path as the system. Kinds that close only after a follow-up visit are not even
/// read; a ticket the state machine refuses anyway is logged and passed over, never retried
/// ahead of the rest (so no number of them starves the others).
pub async fn auto_close(app: &crate::App, now: DateTime<Utc>) -> Result<usize, StoreError> {
    const PAGE: u64 = 200;
    let resolved_before = now - Duration::days(AUTO_CLOSE_DAYS);
    let mut closed = 0;
    let mut after = None;
    loop {
        let candidates = store::auto_close_candidates(
            &app.db,
            resolved_before,
            &FOLLOW_UP_BEFORE_CLOSING,
            after,
            PAGE,
        )
        .await?;
        let batch = candidates.len();
        for t in candidates {
            after = t.resolved_at.map(|at| (at, t.id));
            let by = By::System {
                command: SystemCommand::AutoClose,
                actor: None,
            };
            // The version check makes this exactly-once too: a second instance, or a change
            // since the candidates were read, gets a conflict and leaves it.
            match crate::tickets::execute(&app.db, t.id, by, Some(t.version), Extra::None, now)
                .await
            {
                Ok(_) => closed += 1,
                Err(AppError::Conflict(_)) => {}
                Err(AppError::Internal(err)) => {
                    return Err(StoreError::Db(sea_orm::DbErr::Custom(format!("{err:#}"))));
                }
                Err(refused) => tracing::warn!(
                    ticket.id = %t.id,
                    error.code = refused.code(),
                    "auto-close refused a candidate"
                ),
            }
        }
        if batch < usize::try_from(PAGE).unwrap_or(usize::MAX) {
            break;
        }
    }
    Ok(closed)
}
