//! The SLA clock: business calendars, response-time targets and their default policies, and
//! the escalation thresholds a worker watches.
//!
//! Targets are counted in business minutes on a [`BusinessCalendar`], never in wall-clock
//! time, so a ticket raised at closing time is not overdue when the office opens. Everything
//! here is pure arithmetic on instants; the API decides when to ask. [`clocks`] holds the
//! rules that move a ticket's clocks (start, pause, hand-back, reopen, escalate).

mod assignment;
mod calendar;
pub mod clocks;
mod escalation;
pub mod holidays;
mod policy;
mod routing;
mod target;

pub use assignment::{
    Candidate, TECHNICAL_SKILL, check_spare_capacity, needs_technical_skill, pick_assignee,
};
pub use calendar::{BusinessCalendar, FAR_FUTURE, SpecialDay, SpecialDayKind};
pub use clocks::{
    ClockCheck, ClockHistory, ClockPolicy, SlaClocks, StatusStep, TicketClockFacts, clocks_run,
    is_overdue, recounted,
};
pub use escalation::{
    Escalation, MAX_ESCALATION_LEVEL, Route, Stage, breach_at, department_overdue,
    escalation_stage, level2_at, next_manual_escalation_level, on_classification, warning_at,
};
pub use policy::{
    ALWAYS_OPEN_WINDOWS, BUSINESS_DAY_MINUTES, DEFAULT_POLICIES, DEFAULT_TIME_ZONE,
    DEFAULT_WINDOWS, DefaultPolicy, MAX_TARGET_MINUTES, PolicyDraft, SOLUTION_NOTICE_MINUTES,
    SlaTargetKind, ValidatedPolicy, most_specific, validate_policy,
};
pub use routing::{RoutingFacts, may_acknowledge, recipients};
pub use target::{Target, stage_from_i32, stage_to_i32};

#[cfg(test)]
mod tests;
