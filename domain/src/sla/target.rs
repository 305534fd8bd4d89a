//! One response-time target as a ticket carries it: a due time and the business minutes it
//! allows. Thresholds are measured back and forth from the due time, so when a pause moves the
//! due time (waiting on the customer) every threshold moves with it.

use super::{BusinessCalendar, Stage};
use chrono::{DateTime, Duration, Utc};

/// A target's due time and its size in business minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// When the target is breached.
    pub due: DateTime<Utc>,
    /// The business minutes the policy allows.
    pub allowed_minutes: i64,
}

impl BusinessCalendar {
    /// The latest instant from which `minutes` business minutes elapse by `end` (the inverse of
    /// [`BusinessCalendar::add_business_minutes`], to the second).
    pub fn subtract_business_minutes(&self, end: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        if minutes <= 0 {
            return end;
        }
        // Widen the window until it holds enough business time; business time never exceeds
        // wall time, so `minutes` of wall time is the least it can take.
        let mut span = Duration::minutes(minutes);
        let ten_years = Duration::days(3653);
        while self.business_minutes_between(end - span, end) < minutes && span < ten_years {
            span = span * 2;
        }
        let (mut lo, mut hi) = ((end - span).timestamp(), end.timestamp());
        // Invariant: between(lo, end) >= minutes, between(hi, end) < minutes (or hi == end).
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let at = DateTime::from_timestamp(mid, 0).unwrap_or(end);
            if self.business_minutes_between(at, end) >= minutes {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        DateTime::from_timestamp(lo, 0).unwrap_or(end)
    }
}

impl Target {
    /// A target of `allowed_minutes` business minutes starting at `start`.
    pub fn starting(start: DateTime<Utc>, allowed_minutes: i64, cal: &BusinessCalendar) -> Self {
        Target {
            due: cal.add_business_minutes(start, allowed_minutes),
            allowed_minutes,
        }
    }

    /// When 80 % of the target is used: 20 % of it (rounded up) before the due time.
    pub fn warning_at(&self, cal: &BusinessCalendar) -> DateTime<Utc> {
        let remaining = (self.allowed_minutes + 4) / 5;
        cal.subtract_business_minutes(self.due, remaining)
            .min(self.due)
    }

    /// When 150 % of the target is used: half of it (rounded up) after the due time.
    pub fn level2_at(&self, cal: &BusinessCalendar) -> DateTime<Utc> {
        let extra = (self.allowed_minutes + 1) / 2;
        cal.add_business_minutes(self.due, extra).max(self.due)
    }

    /// The stage reached at `now`.
    pub fn stage(&self, now: DateTime<Utc>, cal: &BusinessCalendar) -> Stage {
        if now >= self.level2_at(cal) {
            Stage::Level2
        } else if now >= self.due {
            Stage::Breach
        } else if now >= self.warning_at(cal) {
            Stage::Warning
        } else {
            Stage::None
        }
    }

    /// When the stage after `reached` begins (`None` once level 2 is reached).
    pub fn next_threshold(&self, reached: Stage, cal: &BusinessCalendar) -> Option<DateTime<Utc>> {
        match reached {
            Stage::None => Some(self.warning_at(cal)),
            Stage::Warning => Some(self.due),
            Stage::Breach => Some(self.level2_at(cal)),
            Stage::Level2 => None,
        }
    }

    /// The target after the clock was paused from `paused_at` to `resumed_at`: the due time
    /// moves later by the business time the pause took from it.
    pub fn resumed(
        &self,
        paused_at: DateTime<Utc>,
        resumed_at: DateTime<Utc>,
        cal: &BusinessCalendar,
    ) -> Self {
        Target {
            due: cal.shift_due_for_pause(self.due, paused_at, resumed_at),
            allowed_minutes: self.allowed_minutes,
        }
    }
}

/// A stage as stored (0 none, 1 warning, 2 breach, 3 level 2).
pub fn stage_from_i32(value: i32) -> Stage {
    match value {
        i32::MIN..=0 => Stage::None,
        1 => Stage::Warning,
        2 => Stage::Breach,
        _ => Stage::Level2,
    }
}

/// The stored form of a stage.
pub fn stage_to_i32(stage: Stage) -> i32 {
    match stage {
        Stage::None => 0,
        Stage::Warning => 1,
        Stage::Breach => 2,
        Stage::Level2 => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::{escalation_stage, level2_at, warning_at};
    use chrono::TimeZone;

    fn cal() -> BusinessCalendar {
        BusinessCalendar::parse("Asia/Shanghai", "09:00-18:00,18:00-23:00").unwrap()
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        // 2026-11-24 in Shanghai is UTC+8.
        Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap() - Duration::hours(8)
    }

    #[test]
    fn thresholds_agree_with_the_start_based_ones_when_nothing_paused() {
        let cal = cal();
        for (start, minutes) in [
            (at(10, 0), 60),
            (at(22, 30), 120),
            (at(8, 0), 840),
            (at(10, 7), 15),
        ] {
            let target = Target::starting(start, minutes, &cal);
            let effective_start = cal.add_business_minutes(start, 0).max(start);
            assert_eq!(
                target.warning_at(&cal),
                warning_at(effective_start, target.due, &cal),
                "{start} {minutes}"
            );
            assert_eq!(
                target.level2_at(&cal),
                level2_at(effective_start, target.due, &cal),
                "{start} {minutes}"
            );
            for probe in [
                start,
                target.warning_at(&cal),
                target.due,
                target.level2_at(&cal),
            ] {
                assert_eq!(
                    target.stage(probe, &cal),
                    escalation_stage(effective_start, target.due, probe, &cal)
                );
            }
        }
    }

    #[test]
    fn subtracting_inverts_adding() {
        let cal = cal();
        let end = at(12, 0);
        for minutes in [1, 59, 60, 61, 300, 840, 2520] {
            let from = cal.subtract_business_minutes(end, minutes);
            assert_eq!(
                cal.business_minutes_between(from, end),
                minutes,
                "{minutes}"
            );
            assert_eq!(cal.add_business_minutes(from, minutes), end, "{minutes}");
        }
    }

    #[test]
    fn a_pause_moves_every_threshold_later_by_the_business_time_it_took() {
        let cal = cal();
        let target = Target::starting(at(10, 0), 60, &cal);
        assert_eq!(target.due, at(11, 0));
        let resumed = target.resumed(at(10, 30), at(10, 50), &cal);
        assert_eq!(resumed.due, at(11, 20));
        assert_eq!(resumed.warning_at(&cal), at(11, 8));
        assert_eq!(resumed.stage(at(11, 10), &cal), Stage::Warning);
    }

    #[test]
    fn stages_progress_in_order_and_stop_at_level_two() {
        let cal = cal();
        let target = Target::starting(at(10, 0), 60, &cal);
        assert_eq!(target.next_threshold(Stage::None, &cal), Some(at(10, 48)));
        assert_eq!(target.next_threshold(Stage::Warning, &cal), Some(at(11, 0)));
        assert_eq!(target.next_threshold(Stage::Breach, &cal), Some(at(11, 30)));
        assert_eq!(target.next_threshold(Stage::Level2, &cal), None);
        for stage in [Stage::None, Stage::Warning, Stage::Breach, Stage::Level2] {
            assert_eq!(stage_from_i32(stage_to_i32(stage)), stage);
        }
    }
}
