//! The clocks a ticket carries: the targets a new ticket gets from its policy, how a change
//! moves them (a pause while waiting on the customer, a notice target after a department's
//! hand-back, a fresh resolution target on reopen), and what the SLA worker records when a
//! clock crosses 80 %, 100 % and 150 % of its target.
//!
//! Everything works on [`SlaClocks`], the clock state as a ticket stores it, plus the few
//! [`TicketClockFacts`] the rules read about the ticket itself. The caller loads and stores
//! them; nothing here reads a clock or a database.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{BusinessCalendar, Escalation, SOLUTION_NOTICE_MINUTES, Stage, Target};
use crate::event::{EscalationKind, SlaTarget};
use crate::ticket::{Change, TicketEventKind, TicketStatus};

/// The part of an SLA policy a new ticket's clocks are set from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockPolicy<'a> {
    /// The policy's name, kept on the ticket for people.
    pub name: &'a str,
    /// The policy's business calendar, holidays included.
    pub calendar: &'a BusinessCalendar,
    /// The stored calendar's id, so that a change to the calendar reaches the ticket.
    pub calendar_id: Option<Uuid>,
    /// First-response target in business minutes.
    pub first_response_minutes: i32,
    /// Resolution target in business minutes.
    pub resolution_minutes: i32,
}

/// A ticket's SLA clocks, as stored with it. A ticket without a policy (or whose calendar no
/// longer parses) has clocks that never run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaClocks {
    /// The name of the policy the targets came from.
    pub policy_name: Option<String>,
    /// The stored calendar the clocks count on, when the ticket names one.
    pub calendar_id: Option<Uuid>,
    /// The calendar the clocks count on, holidays included; `None`: the clocks never run.
    pub calendar: Option<BusinessCalendar>,
    /// Size of the first-response target in business minutes.
    pub first_response_minutes: Option<i32>,
    /// Size of the resolution target in business minutes (the notice target after a
    /// department's hand-back).
    pub resolution_minutes: Option<i32>,
    /// When the first response is due.
    pub first_response_due_at: Option<DateTime<Utc>>,
    /// When the resolution is due.
    pub resolution_due_at: Option<DateTime<Utc>>,
    /// When the current resolution target started: the creation, a reopen, or a department's
    /// hand-back whose notice target shortened it. `None` on tickets from before it was kept
    /// (a recount then reads it off the timeline).
    pub resolution_started_at: Option<DateTime<Utc>>,
    /// Since when the clocks stand still (waiting on the customer).
    pub paused_at: Option<DateTime<Utc>>,
    /// How far the first-response clock has run, as last recorded.
    pub first_response_stage: Stage,
    /// How far the resolution clock has run, as last recorded.
    pub resolution_stage: Stage,
    /// When the worker must look at the ticket next; `None` while no clock runs.
    pub next_check_at: Option<DateTime<Utc>>,
    /// When the ticket becomes at risk (the earliest 80 % mark of a running clock).
    pub risk_at: Option<DateTime<Utc>>,
    /// The first response came, or is known to come, too late.
    pub first_response_breached: bool,
    /// The resolution came, or is known to come, too late.
    pub resolution_breached: bool,
}

impl Default for SlaClocks {
    /// No policy, no targets, nothing running.
    fn default() -> Self {
        SlaClocks {
            policy_name: None,
            calendar_id: None,
            calendar: None,
            first_response_minutes: None,
            resolution_minutes: None,
            first_response_due_at: None,
            resolution_due_at: None,
            resolution_started_at: None,
            paused_at: None,
            first_response_stage: Stage::None,
            resolution_stage: Stage::None,
            next_check_at: None,
            risk_at: None,
            first_response_breached: false,
            resolution_breached: false,
        }
    }
}

/// What the clock rules read about the ticket itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketClockFacts {
    /// The ticket's status (before the change, for [`after_change`]).
    pub status: TicketStatus,
    /// When the first response was given, if it was.
    pub first_responded_at: Option<DateTime<Utc>>,
    /// When the ticket was resolved, if it is.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The ticket's escalation level (0 none, 1 supervisor, 2 manager, 3 working group).
    pub escalation_level: i32,
}

/// What the worker found when it looked at a ticket's clocks: the new stages, level and
/// breach flags, the escalations to record (in order) and when to look next. Equal to the
/// input when nothing happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockCheck {
    /// The first-response stage now reached.
    pub first_response_stage: Stage,
    /// The resolution stage now reached.
    pub resolution_stage: Stage,
    /// The ticket's escalation level now.
    pub escalation_level: i32,
    /// Whether the first-response target is now breached.
    pub first_response_breached: bool,
    /// Whether the resolution target is now breached.
    pub resolution_breached: bool,
    /// When the worker must look next; `None` while no clock runs.
    pub next_check_at: Option<DateTime<Utc>>,
    /// The escalations to record, in the order they happened.
    pub escalations: Vec<Escalation>,
}

/// Whether the clocks run in `status`: not once resolved or closed, and not while waiting
/// on the customer.
pub fn clocks_run(status: TicketStatus) -> bool {
    !matches!(
        status,
        TicketStatus::Resolved | TicketStatus::Closed | TicketStatus::PendingCustomer
    )
}

/// Whether a target due at `due` counts as missed at `now` before the worker has recorded
/// it: it is not met (`met_at` is `None`), the clocks are not paused (`paused_at` is `None`)
/// and the due time has passed. For showing where a ticket stands between worker passes.
pub fn is_overdue(
    due: Option<DateTime<Utc>>,
    met_at: Option<DateTime<Utc>>,
    paused_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    met_at.is_none() && paused_at.is_none() && due.is_some_and(|d| d < now)
}

fn target(due: Option<DateTime<Utc>>, minutes: Option<i32>) -> Option<Target> {
    Some(Target {
        due: due?,
        allowed_minutes: i64::from(minutes?),
    })
}

fn min_opt(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl SlaClocks {
    /// The calendar the clocks count on; `None` without a policy or when the stored
    /// calendar no longer parses (the clocks then stand still).
    pub fn calendar(&self) -> Option<&BusinessCalendar> {
        self.calendar.as_ref()
    }

    /// The first-response target, if the ticket has one.
    pub fn first_response_target(&self) -> Option<Target> {
        target(self.first_response_due_at, self.first_response_minutes)
    }

    /// The resolution target, if the ticket has one.
    pub fn resolution_target(&self) -> Option<Target> {
        target(self.resolution_due_at, self.resolution_minutes)
    }

    /// Recomputes when the worker must look next and when the ticket becomes at risk, from
    /// the unmet targets of running clocks.
    fn schedule(
        &mut self,
        first_met: bool,
        resolution_met: bool,
        status: TicketStatus,
        cal: &BusinessCalendar,
    ) {
        self.next_check_at = None;
        self.risk_at = None;
        if !clocks_run(status) {
            return;
        }
        let clocks = [
            (
                first_met,
                self.first_response_target(),
                self.first_response_stage,
            ),
            (
                resolution_met,
                self.resolution_target(),
                self.resolution_stage,
            ),
        ];
        for (met, target, stage) in clocks {
            let (false, Some(target)) = (met, target) else {
                continue;
            };
            let next = target.next_threshold(stage, cal);
            self.next_check_at = min_opt(self.next_check_at, next);
            self.risk_at = min_opt(self.risk_at, Some(target.warning_at(cal)));
        }
    }
}

/// The clocks of a new ticket created at `now` under `policy`: both targets start at `now`
/// on the policy's calendar.
pub fn initial(policy: &ClockPolicy<'_>, now: DateTime<Utc>) -> SlaClocks {
    let cal = policy.calendar;
    let first = Target::starting(now, i64::from(policy.first_response_minutes), cal);
    let resolution = Target::starting(now, i64::from(policy.resolution_minutes), cal);
    let mut clocks = SlaClocks {
        policy_name: Some(policy.name.to_owned()),
        calendar_id: policy.calendar_id,
        calendar: Some(cal.clone()),
        first_response_minutes: Some(policy.first_response_minutes),
        resolution_minutes: Some(policy.resolution_minutes),
        first_response_due_at: Some(first.due),
        resolution_due_at: Some(resolution.due),
        resolution_started_at: Some(now),
        ..SlaClocks::default()
    };
    clocks.schedule(false, false, TicketStatus::New, cal);
    clocks
}

/// The clocks after `change` is applied at `now` to a ticket whose clocks are `current` and
/// whose facts (before the change) are `facts`.
///
/// - Waiting on the customer is not our delay: entering `PENDING_CUSTOMER` pauses the
///   clocks; leaving it moves every unmet due time later by the business time the wait took.
/// - A first response or resolution given after its due time marks that target breached.
/// - A department handing its solution back (`PENDING_DEPARTMENT` → `OPEN`, not resolved)
///   caps the resolution clock: the customer must be told within [`SOLUTION_NOTICE_MINUTES`]
///   (a business day) from `now`, so that becomes the target when it falls earlier than the
///   current due time. It never extends an earlier or already-missed due time, and the stage
///   already reached stays (an escalation is not undone).
/// - Reopening starts the resolution clock again with its full target.
///
/// Without a usable calendar the clocks are returned unchanged.
pub fn after_change(
    current: &SlaClocks,
    facts: &TicketClockFacts,
    change: &Change,
    now: DateTime<Utc>,
) -> SlaClocks {
    let mut clocks = current.clone();
    let Some(cal) = current.calendar() else {
        return clocks;
    };
    let from = facts.status;
    let to = change.status;
    let first_met = facts.first_responded_at.is_some() || change.first_response;
    let resolution_met = change.resolved || (facts.resolved_at.is_some() && !change.reopened);

    if from == TicketStatus::PendingCustomer
        && to != TicketStatus::PendingCustomer
        && let Some(paused_at) = clocks.paused_at.take()
    {
        if facts.first_responded_at.is_none()
            && let Some(t) = clocks.first_response_target()
        {
            clocks.first_response_due_at = Some(t.resumed(paused_at, now, cal).due);
        }
        if facts.resolved_at.is_none()
            && let Some(t) = clocks.resolution_target()
        {
            clocks.resolution_due_at = Some(t.resumed(paused_at, now, cal).due);
        }
    }
    if to == TicketStatus::PendingCustomer && from != TicketStatus::PendingCustomer {
        clocks.paused_at = Some(now);
    }
    if change.first_response && clocks.first_response_due_at.is_some_and(|due| now > due) {
        clocks.first_response_breached = true;
    }
    if change.resolved && clocks.resolution_due_at.is_some_and(|due| now > due) {
        clocks.resolution_breached = true;
    }
    if from == TicketStatus::PendingDepartment && to == TicketStatus::Open && !resolution_met {
        let notice = Target::starting(now, SOLUTION_NOTICE_MINUTES, cal);
        if clocks.resolution_due_at.is_none_or(|due| notice.due < due) {
            clocks.resolution_due_at = Some(notice.due);
            clocks.resolution_minutes = Some(SOLUTION_NOTICE_MINUTES as i32);
            clocks.resolution_started_at = Some(now);
        }
    }
    if change.reopened
        && let Some(minutes) = clocks.resolution_minutes
    {
        clocks.resolution_due_at = Some(Target::starting(now, i64::from(minutes), cal).due);
        clocks.resolution_started_at = Some(now);
        clocks.resolution_stage = Stage::None;
        clocks.resolution_breached = false;
    }
    clocks.schedule(first_met, resolution_met, to, cal);
    clocks
}

/// One status change from a ticket's timeline, for recounting its clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusStep {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The status before.
    pub from: TicketStatus,
    /// The status after.
    pub to: TicketStatus,
}

/// When a ticket's running targets started and the waits on the customer since: what a
/// recount on a changed calendar needs besides the clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockHistory {
    /// When the first-response target started: the ticket's creation.
    pub created_at: DateTime<Utc>,
    /// When the resolution target started, as far as the timeline tells: the creation, or
    /// the last reopen or department hand-back. Used only for clocks that do not record it
    /// ([`SlaClocks::resolution_started_at`]).
    pub resolution_started_at: DateTime<Utc>,
    /// Finished waits on the customer, in order; a wait still going on is not one (its end
    /// moves the due times when it comes).
    pub pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl ClockHistory {
    /// The history of a ticket created at `created_at` whose status changes are `steps`, in
    /// the order they happened.
    pub fn from_steps(created_at: DateTime<Utc>, steps: &[StatusStep]) -> Self {
        let mut history = ClockHistory {
            created_at,
            resolution_started_at: created_at,
            pauses: Vec::new(),
        };
        let mut waiting_since = None;
        for step in steps {
            let restarts = step.to == TicketStatus::Open
                && matches!(
                    step.from,
                    TicketStatus::Resolved | TicketStatus::Closed | TicketStatus::PendingDepartment
                );
            if restarts {
                history.resolution_started_at = step.at;
            }
            if step.from == TicketStatus::PendingCustomer
                && let Some(since) = waiting_since.take()
            {
                history.pauses.push((since, step.at));
            }
            if step.to == TicketStatus::PendingCustomer {
                waiting_since = Some(step.at);
            }
        }
        history
    }
}

/// The due time of a target of `minutes` started at `start` on `cal`, the waits in `pauses`
/// taken out as they were when they ended.
fn due_from(
    start: DateTime<Utc>,
    minutes: i32,
    pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    cal: &BusinessCalendar,
) -> DateTime<Utc> {
    let mut due = cal.add_business_minutes(start, i64::from(minutes));
    for &(from, to) in pauses {
        if to > start {
            due = cal.shift_due_for_pause(due, from.max(start), to);
        }
    }
    due
}

/// The clocks of a ticket recounted on `cal`, its calendar after a change (holidays added or
/// removed, hours changed).
///
/// Each unmet target's due time is counted again from the target's start, with the waits on
/// the customer taken out as they were, so the ticket is due when it would have been had the
/// calendar always been `cal`. Met targets keep their due times (their durations were recorded
/// when they were met); stages, breach flags and escalations already recorded stay, as they
/// happened; when the worker looks next is worked out again.
pub fn recounted(
    current: &SlaClocks,
    facts: &TicketClockFacts,
    history: &ClockHistory,
    cal: BusinessCalendar,
) -> SlaClocks {
    let mut clocks = current.clone();
    let first_met = facts.first_responded_at.is_some();
    let resolution_met = facts.resolved_at.is_some();
    if !first_met && let Some(minutes) = clocks.first_response_minutes {
        clocks.first_response_due_at =
            Some(due_from(history.created_at, minutes, &history.pauses, &cal));
    }
    if !resolution_met && let Some(minutes) = clocks.resolution_minutes {
        clocks.resolution_due_at = Some(due_from(
            clocks
                .resolution_started_at
                .unwrap_or(history.resolution_started_at),
            minutes,
            &history.pauses,
            &cal,
        ));
    }
    clocks.schedule(first_met, resolution_met, facts.status, &cal);
    clocks.calendar = Some(cal);
    clocks
}

/// The stages strictly after `from`, up to and including `to`, in order.
fn crossed(from: Stage, to: Stage) -> impl Iterator<Item = Stage> {
    [Stage::Warning, Stage::Breach, Stage::Level2]
        .into_iter()
        .filter(move |s| *s > from && *s <= to)
}

/// What the worker should record at `now` for a ticket with `clocks` and `facts`.
///
/// Each running, unmet clock moves to the stage it has reached (never back), and every
/// threshold crossed on the way is one escalation, in order: 80 % warns at the current
/// level; the due time raises the level to at least 1 (supervisor) and marks the target
/// breached; 150 % raises it to at least 2 (manager). A clock that is met, paused or stopped
/// records nothing. `next_check_at` is when the next threshold of a running clock falls.
pub fn evaluate(stored: &SlaClocks, facts: &TicketClockFacts, now: DateTime<Utc>) -> ClockCheck {
    let mut clocks = stored.clone();
    let mut check = ClockCheck {
        first_response_stage: clocks.first_response_stage,
        resolution_stage: clocks.resolution_stage,
        escalation_level: facts.escalation_level,
        first_response_breached: clocks.first_response_breached,
        resolution_breached: clocks.resolution_breached,
        next_check_at: None,
        escalations: Vec::new(),
    };
    let Some(cal) = stored.calendar() else {
        return check;
    };
    let first_met = facts.first_responded_at.is_some();
    let resolution_met = facts.resolved_at.is_some();
    let running = clocks_run(facts.status);
    let targets = [
        (
            SlaTarget::FirstResponse,
            first_met,
            clocks.first_response_target(),
            clocks.first_response_stage,
        ),
        (
            SlaTarget::Resolution,
            resolution_met,
            clocks.resolution_target(),
            clocks.resolution_stage,
        ),
    ];
    for (which, met, target, stored) in targets {
        let (true, false, Some(target)) = (running, met, target) else {
            continue;
        };
        let reached = target.stage(now, cal).max(stored);
        let label = match which {
            SlaTarget::FirstResponse => "first-response",
            SlaTarget::Resolution => "resolution",
        };
        for stage in crossed(stored, reached) {
            let (kind, reason, event) = match stage {
                Stage::Warning => (
                    EscalationKind::SlaWarning,
                    format!("80% of the {label} target used"),
                    TicketEventKind::SlaWarning,
                ),
                Stage::Breach => {
                    check.escalation_level = check.escalation_level.max(1);
                    (
                        EscalationKind::SlaBreach,
                        format!("{label} target missed: escalated to the supervisor"),
                        TicketEventKind::SlaBreached,
                    )
                }
                Stage::Level2 => {
                    check.escalation_level = check.escalation_level.max(2);
                    (
                        EscalationKind::SlaBreach,
                        format!("150% of the {label} target used: escalated to the manager"),
                        TicketEventKind::Escalated,
                    )
                }
                Stage::None => continue,
            };
            check.escalations.push(Escalation {
                level: check.escalation_level,
                kind,
                target: Some(which),
                reason,
                event,
                about: None,
                route: None,
            });
        }
        match which {
            SlaTarget::FirstResponse => {
                check.first_response_stage = reached;
                check.first_response_breached |= reached >= Stage::Breach;
                clocks.first_response_stage = reached;
            }
            SlaTarget::Resolution => {
                check.resolution_stage = reached;
                check.resolution_breached |= reached >= Stage::Breach;
                clocks.resolution_stage = reached;
            }
        }
    }
    clocks.schedule(first_met, resolution_met, facts.status, cal);
    check.next_check_at = clocks.next_check_at;
    check
}

#[cfg(test)]
mod tests;
