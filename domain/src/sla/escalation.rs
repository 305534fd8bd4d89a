//! Escalation thresholds. A target of `A` business minutes warns at 80 % of `A`, breaches at
//! the due time (escalation level 1, the supervisor) and reaches level 2 (the manager) at
//! 150 % of `A`. The `*_at` functions give the instants, so a worker can index tickets by
//! the next threshold instead of recomputing every ticket on every tick; [`escalation_stage`]
//! is defined from the same instants, so the two can never disagree. Level 3 (a `MAJOR`
//! complaint at intake) is not time-based and is decided elsewhere.

use chrono::{DateTime, Utc};

use super::BusinessCalendar;
use crate::DomainError;

/// The highest escalation level: the complaint-handling working group.
pub const MAX_ESCALATION_LEVEL: i32 = 3;

/// How far a clock has run against its target. Ordered, so "has it got worse?" is a
/// comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Less than 80 % of the target used.
    None,
    /// At least 80 % used: warn the assignee and the team supervisor.
    Warning,
    /// The due time has passed: escalation level 1 (supervisor).
    Breach,
    /// At least 150 % used: escalation level 2 (manager).
    Level2,
}

/// The target in whole business minutes between the clock's start and its due time.
fn allowed_minutes(start: DateTime<Utc>, due: DateTime<Utc>, cal: &BusinessCalendar) -> i64 {
    cal.business_minutes_between(start, due)
}

/// When 80 % of the business time from `start` to `due` has elapsed (rounded up to the next
/// whole minute), and never after `due`.
pub fn warning_at(
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    cal: &BusinessCalendar,
) -> DateTime<Utc> {
    let allowed = allowed_minutes(start, due, cal);
    // ceil(0.8 × allowed) in integers.
    let minutes = allowed.saturating_mul(4).saturating_add(4) / 5;
    cal.add_business_minutes(start, minutes).min(due)
}

/// When the target is breached: the due time itself. A due time that falls in closed hours
/// is not overdue until it actually passes.
pub fn breach_at(
    _start: DateTime<Utc>,
    due: DateTime<Utc>,
    _cal: &BusinessCalendar,
) -> DateTime<Utc> {
    due
}

/// When 150 % of the business time from `start` to `due` has elapsed (rounded up to the
/// next whole minute), and never before `due`.
pub fn level2_at(
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    cal: &BusinessCalendar,
) -> DateTime<Utc> {
    let allowed = allowed_minutes(start, due, cal);
    // ceil(1.5 × allowed) in integers.
    let minutes = allowed.saturating_mul(3).saturating_add(1) / 2;
    cal.add_business_minutes(start, minutes).max(due)
}

/// The stage a clock started at `start` and due at `due` has reached at `now`.
///
/// Equivalent to comparing elapsed business minutes with 80 % and 150 % of the allowed
/// minutes (plus "past due" for the breach). When thresholds coincide (e.g. no business
/// time at all between `start` and `due`) the highest one reached wins. Before `start`
/// nothing has elapsed.
pub fn escalation_stage(
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    cal: &BusinessCalendar,
) -> Stage {
    if now < start {
        return Stage::None;
    }
    if now >= level2_at(start, due, cal) {
        Stage::Level2
    } else if now >= breach_at(start, due, cal) {
        Stage::Breach
    } else if now >= warning_at(start, due, cal) {
        Stage::Warning
    } else {
        Stage::None
    }
}

/// The level a ticket at escalation level `current` moves to when staff escalate it by hand:
/// one up. A ticket already with the complaint-handling working group (level
/// [`MAX_ESCALATION_LEVEL`]) cannot go higher: that is a [`DomainError::Conflict`].
pub fn next_manual_escalation_level(current: i32) -> Result<i32, DomainError> {
    if current >= MAX_ESCALATION_LEVEL {
        return Err(DomainError::Conflict(
            "the ticket is already with the complaint-handling working group (level 3)".to_owned(),
        ));
    }
    Ok(current + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escalating_by_hand_goes_one_level_up() {
        assert_eq!(next_manual_escalation_level(0), Ok(1));
        assert_eq!(next_manual_escalation_level(1), Ok(2));
        assert_eq!(next_manual_escalation_level(2), Ok(3));
    }

    #[test]
    fn nothing_is_above_the_working_group() {
        let refusal = DomainError::Conflict(
            "the ticket is already with the complaint-handling working group (level 3)".to_owned(),
        );
        assert_eq!(next_manual_escalation_level(3), Err(refusal.clone()));
        assert_eq!(next_manual_escalation_level(4), Err(refusal));
    }
}
