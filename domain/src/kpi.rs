//! KPI rules free of I/O: who may read which report, the formulas behind every rate and
//! duration figure, the calendar a ticket's durations are counted on, and the trend buckets of
//! complaint analytics. `docs/KPIS.md` states the definitions; the storage layer counts, this
//! module turns counts into figures.

/// The performance review rules, which live in [`crate::review`]; re-exported here so
/// existing `kpi::` paths keep working.
pub use crate::review::{
    ReviewStatus, ReviewStep, review_step, validate_cycle, validate_final_scores,
};
use crate::role::{Role, Roles};
use crate::sla::most_specific;
use crate::sla::{BusinessCalendar, DEFAULT_POLICIES, DEFAULT_TIME_ZONE, DEFAULT_WINDOWS};
use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

/// Whose work a report covers, resolved to concrete ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiScope {
    /// One staff member; `team_id` is their team, for the supervisor rule.
    Agent {
        /// The person.
        user_id: Uuid,
        /// Their team, if any.
        team_id: Option<Uuid>,
    },
    /// A team: its members' work and its tickets.
    Team(Uuid),
    /// A department: its members' work and its tickets.
    Department(Uuid),
    /// Everyone.
    All,
}

/// What the scope rule needs to know about the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiReader {
    /// The reader.
    pub user_id: Uuid,
    /// Their roles.
    pub roles: Roles,
    /// The teams they lead: teams naming them as supervisor, and their own team when they hold
    /// the supervisor role.
    pub led_teams: Vec<Uuid>,
}

/// Whether `reader` may read KPIs of `scope`: agents (and tech support) their own; supervisors
/// their own, their teams' and their team members'; managers and admins everyone's.
pub fn may_read(reader: &KpiReader, scope: &KpiScope) -> bool {
    if reader.roles.has_any(&[Role::Manager, Role::Admin]) {
        return true;
    }
    let supervisor = reader.roles.has_any(&[Role::Supervisor]);
    let leads =
        |team: Option<Uuid>| supervisor && team.is_some_and(|t| reader.led_teams.contains(&t));
    match scope {
        KpiScope::Agent { user_id, team_id } => {
            let own = *user_id == reader.user_id
                && reader
                    .roles
                    .has_any(&[Role::Agent, Role::TechSupport, Role::Supervisor]);
            own || leads(*team_id)
        }
        KpiScope::Team(team) => leads(Some(*team)),
        KpiScope::Department(_) | KpiScope::All => false,
    }
}

/// `numerator / denominator`, or `None` when nothing was counted (a rate of nothing is not 0).
pub fn rate(numerator: u64, denominator: u64) -> Option<f64> {
    if denominator == 0 {
        None
    } else {
        Some(numerator as f64 / denominator as f64)
    }
}

/// Count, mean, median and 90th percentile of a set of durations in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DurationSummary {
    /// How many durations.
    pub count: u64,
    /// Arithmetic mean; `None` for an empty set.
    pub average: Option<f64>,
    /// Median: the mean of the two middle values for an even count.
    pub median: Option<f64>,
    /// 90th percentile by nearest rank: the value at rank ⌈0.9·n⌉.
    pub p90: Option<f64>,
}

/// Summarises `minutes` (any order).
pub fn summarize(mut minutes: Vec<i64>) -> DurationSummary {
    minutes.sort_unstable();
    let count = minutes.len() as u64;
    let average = if minutes.is_empty() {
        None
    } else {
        Some(minutes.iter().map(|m| *m as f64).sum::<f64>() / minutes.len() as f64)
    };
    DurationSummary {
        count,
        average,
        median: median(&minutes),
        p90: nearest_rank(&minutes, 90),
    }
}

/// Summarises a histogram of minutes: `(value, how many times it occurs)` pairs in any order,
/// values possibly repeated. The same figures as [`summarize`] on the values it counts, read
/// from cumulative counts, so a database can aggregate millions of durations into a few
/// thousand bins.
pub fn summarize_histogram(mut bins: Vec<(i64, u64)>) -> DurationSummary {
    bins.retain(|(_, n)| *n > 0);
    bins.sort_unstable();
    let count: u64 = bins.iter().map(|(_, n)| n).sum();
    if count == 0 {
        return DurationSummary::default();
    }
    // The value at a 0-based position of the sorted values.
    let at = |position: u64| {
        let mut seen = 0;
        for (value, n) in &bins {
            seen += n;
            if position < seen {
                return *value as f64;
            }
        }
        bins.last().map_or(0.0, |(value, _)| *value as f64)
    };
    let sum: f64 = bins.iter().map(|(v, n)| *v as f64 * *n as f64).sum();
    let rank = (90 * count).div_ceil(100).clamp(1, count);
    DurationSummary {
        count,
        average: Some(sum / count as f64),
        median: Some((at((count - 1) / 2) + at(count / 2)) / 2.0),
        p90: Some(at(rank - 1)),
    }
}

/// The median of sorted values: the middle one, or the mean of the two middle ones.
pub fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        Some(sorted[n / 2] as f64)
    } else {
        Some((sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0)
    }
}

/// The `percent`-th percentile of sorted values by nearest rank: the smallest value with at
/// least `percent` % of the values at or below it (rank ⌈percent·n/100⌉, 1-based).
pub fn nearest_rank(sorted: &[i64], percent: u32) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (percent as usize * n).div_ceil(100).clamp(1, n);
    Some(sorted[rank - 1] as f64)
}

/// Mean rating, `None` without ratings.
pub fn average(sum: u64, count: u64) -> Option<f64> {
    rate(sum, count)
}

/// The calendar a ticket's durations are counted on: the calendar of the default policy for
/// its kind and severity (major complaints around the clock), the default shifts otherwise.
pub fn calendar_for(
    kind: &str,
    severity: Option<&str>,
) -> Result<BusinessCalendar, crate::DomainError> {
    match most_specific(DEFAULT_POLICIES, kind, severity, |p| (p.kind, p.severity)) {
        Some(policy) => policy.calendar(),
        None => BusinessCalendar::parse(DEFAULT_TIME_ZONE, DEFAULT_WINDOWS),
    }
}

/// The calendar a ticket's durations are counted on: the calendar its SLA policy gave it, or
/// for a ticket without one (or with one that no longer parses) [`calendar_for`] its kind.
pub fn ticket_calendar(
    time_zone: Option<&str>,
    windows: Option<&str>,
    kind: &str,
    severity: Option<&str>,
) -> Result<BusinessCalendar, crate::DomainError> {
    match (time_zone, windows) {
        (Some(tz), Some(w)) => {
            BusinessCalendar::parse(tz, w).or_else(|_| calendar_for(kind, severity))
        }
        _ => calendar_for(kind, severity),
    }
}

/// Whole business minutes from `start` to `end` on `calendar`, as stored on a ticket.
pub fn duration_minutes(
    calendar: &BusinessCalendar,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> i32 {
    i32::try_from(calendar.business_minutes_between(start, end)).unwrap_or(i32::MAX)
}

/// The organisation's time zone, in which trend buckets start at local midnight.
pub fn organisation_time_zone() -> Tz {
    DEFAULT_TIME_ZONE.parse().unwrap_or(Tz::Asia__Shanghai)
}

/// The width of a trend bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// Local calendar days.
    Day,
    /// Weeks starting Monday 00:00 local time (ISO weeks).
    Week,
    /// Calendar months.
    Month,
}

/// The most buckets one trend may have, so a ten-year daily trend cannot exhaust memory.
pub const MAX_BUCKETS: usize = 1000;

/// The instants at which the buckets overlapping `[from, to)` start, in `tz`: the first is the
/// start of the bucket containing `from` (it may lie before `from`), the last starts before
/// `to`. `None` when `to <= from` or there would be more than [`MAX_BUCKETS`].
pub fn bucket_starts(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bucket: Bucket,
    tz: Tz,
) -> Option<Vec<DateTime<Utc>>> {
    if to <= from {
        return None;
    }
    let local = from.with_timezone(&tz).date_naive();
    let mut day = match bucket {
        Bucket::Day => local,
        Bucket::Week => local - Duration::days(i64::from(local.weekday().num_days_from_monday())),
        Bucket::Month => NaiveDate::from_ymd_opt(local.year(), local.month(), 1)?,
    };
    let mut out = Vec::new();
    loop {
        let start = local_midnight(day, tz)?;
        if start >= to {
            break;
        }
        if out.len() == MAX_BUCKETS {
            return None;
        }
        out.push(start);
        day = match bucket {
            Bucket::Day => day.succ_opt()?,
            Bucket::Week => day + Duration::days(7),
            Bucket::Month => {
                let (y, m) = if day.month() == 12 {
                    (day.year() + 1, 1)
                } else {
                    (day.year(), day.month() + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1)?
            }
        };
    }
    Some(out)
}

/// The first instant of `day` in `tz` (after a gap if midnight does not exist that day).
fn local_midnight(day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let mut t = day.and_hms_opt(0, 0, 0)?;
    // Some zones skip midnight on DST days; the day then starts at the first valid minute.
    for _ in 0..180 {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(d) => return Some(d.with_timezone(&Utc)),
            LocalResult::Ambiguous(earliest, _) => return Some(earliest.with_timezone(&Utc)),
            LocalResult::None => t += Duration::minutes(1),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_rate_of_nothing_is_unknown_not_zero() {
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(average(9, 2), Some(4.5));
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7]), Some(7.0));
        assert_eq!(median(&[1, 2, 3, 10]), Some(2.5));
        assert_eq!(median(&[1, 2, 3]), Some(2.0));
    }

    #[test]
    fn p90_is_the_nearest_rank() {
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 90), Some(9.0));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(nearest_rank(&eleven, 90), Some(10.0));
        assert_eq!(nearest_rank(&[5], 90), Some(5.0));
        assert_eq!(nearest_rank(&[3, 8], 90), Some(8.0));
        assert_eq!(nearest_rank(&[], 90), None);
    }

    #[test]
    fn histogram_summary_matches_the_definition() {
        // Deterministic pseudo-random samples of every small size, with many repeats.
        let mut seed = 7_u64;
        for n in 0..60 {
            let values: Vec<i64> = (0..n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 33) % 40) as i64
                })
                .collect();
            // Unmerged bins, one per value, in the given order.
            let bins = values.iter().map(|v| (*v, 1)).collect();
            assert_eq!(
                summarize_histogram(bins),
                summarize(values.clone()),
                "n = {n}"
            );
            let mut merged = std::collections::BTreeMap::new();
            for v in &values {
                *merged.entry(*v).or_insert(0_u64) += 1;
            }
            let bins = merged.into_iter().rev().chain([(99, 0)]).collect();
            let summary = summarize_histogram(bins);
            let expected = summarize(values);
            assert_eq!(summary.count, expected.count);
            assert_eq!(summary.median, expected.median);
            assert_eq!(summary.p90, expected.p90);
            match (summary.average, expected.average) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "n = {n}"),
                (a, b) => assert_eq!(a, b),
            }
        }
    }

    #[test]
    fn summary_sorts_before_taking_ranks() {
        let s = summarize(vec![30, 10, 20]);
        assert_eq!(s.count, 3);
        assert_eq!(s.average, Some(20.0));
        assert_eq!(s.median, Some(20.0));
        assert_eq!(s.p90, Some(30.0));
        assert_eq!(summarize(vec![]).average, None);
    }

    #[test]
    fn major_complaints_count_around_the_clock_and_others_on_shifts() {
        let night = utc("2026-03-02T16:00:00Z"); // 00:00 in Shanghai
        let morning = utc("2026-03-03T02:00:00Z"); // 10:00 in Shanghai
        let major = calendar_for("COMPLAINT", Some("MAJOR")).unwrap();
        assert_eq!(major.business_minutes_between(night, morning), 600);
        let general = calendar_for("COMPLAINT", Some("GENERAL")).unwrap();
        assert_eq!(general.business_minutes_between(night, morning), 60);
        let unknown = calendar_for("NOT_A_KIND", None).unwrap();
        assert_eq!(unknown.business_minutes_between(night, morning), 60);
    }

    #[test]
    fn a_ticket_keeps_its_own_calendar_and_falls_back_to_its_kind() {
        let night = utc("2026-03-02T16:00:00Z"); // 00:00 in Shanghai
        let morning = utc("2026-03-03T02:00:00Z"); // 10:00 in Shanghai
        let own = ticket_calendar(Some("UTC"), Some("24x7"), "INQUIRY", None).unwrap();
        assert_eq!(duration_minutes(&own, night, morning), 600);
        let fallback = ticket_calendar(None, None, "INQUIRY", None).unwrap();
        assert_eq!(duration_minutes(&fallback, night, morning), 60);
        let broken = ticket_calendar(Some("Nowhere/City"), Some("24x7"), "INQUIRY", None).unwrap();
        assert_eq!(duration_minutes(&broken, night, morning), 60);
        assert_eq!(duration_minutes(&own, morning, night), 0);
    }

    fn reader(roles: &[Role], led: Vec<Uuid>) -> KpiReader {
        KpiReader {
            user_id: Uuid::from_u128(1),
            roles: Roles::from_iter(roles.iter().copied()),
            led_teams: led,
        }
    }

    #[test]
    fn agents_read_only_their_own_kpis() {
        let me = reader(&[Role::Agent], vec![]);
        let team = Uuid::from_u128(10);
        let own = KpiScope::Agent {
            user_id: me.user_id,
            team_id: Some(team),
        };
        let other = KpiScope::Agent {
            user_id: Uuid::from_u128(2),
            team_id: Some(team),
        };
        assert!(may_read(&me, &own));
        assert!(!may_read(&me, &other));
        assert!(!may_read(&me, &KpiScope::Team(team)));
        assert!(!may_read(&me, &KpiScope::All));
    }

    #[test]
    fn supervisors_read_their_team_and_its_members_but_not_other_teams() {
        let mine = Uuid::from_u128(10);
        let theirs = Uuid::from_u128(11);
        let sup = reader(&[Role::Supervisor], vec![mine]);
        assert!(may_read(&sup, &KpiScope::Team(mine)));
        assert!(!may_read(&sup, &KpiScope::Team(theirs)));
        let member = |team| KpiScope::Agent {
            user_id: Uuid::from_u128(2),
            team_id: Some(team),
        };
        assert!(may_read(&sup, &member(mine)));
        assert!(!may_read(&sup, &member(theirs)));
        assert!(!may_read(&sup, &KpiScope::Department(Uuid::from_u128(20))));
        assert!(!may_read(&sup, &KpiScope::All));
    }

    #[test]
    fn managers_and_admins_read_everything_and_others_nothing() {
        for role in [Role::Manager, Role::Admin] {
            assert!(may_read(&reader(&[role], vec![]), &KpiScope::All));
        }
        let trainer = reader(&[Role::Trainer], vec![]);
        let own = KpiScope::Agent {
            user_id: trainer.user_id,
            team_id: None,
        };
        assert!(!may_read(&trainer, &own));
    }

    #[test]
    fn daily_buckets_start_at_shanghai_midnight() {
        let tz = organisation_time_zone();
        let starts = bucket_starts(
            utc("2026-03-01T15:00:00Z"), // 23:00 on 1 March in Shanghai
            utc("2026-03-02T17:00:00Z"), // 01:00 on 3 March
            Bucket::Day,
            tz,
        )
        .unwrap();
        assert_eq!(
            starts,
            vec![
                utc("2026-02-28T16:00:00Z"),
                utc("2026-03-01T16:00:00Z"),
                utc("2026-03-02T16:00:00Z"),
            ]
        );
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let tz = organisation_time_zone();
        // Wednesday 4 March 2026, local.
        let weeks = bucket_starts(
            utc("2026-03-04T04:00:00Z"),
            utc("2026-03-10T04:00:00Z"),
            Bucket::Week,
            tz,
        )
        .unwrap();
        assert_eq!(
            weeks,
            vec![utc("2026-03-01T16:00:00Z"), utc("2026-03-08T16:00:00Z")]
        );
        let months = bucket_starts(
            utc("2025-12-15T00:00:00Z"),
            utc("2026-02-01T00:00:00Z"),
            Bucket::Month,
            tz,
        )
        .unwrap();
        assert_eq!(
            months,
            vec![
                utc("2025-11-30T16:00:00Z"),
                utc("2025-12-31T16:00:00Z"),
                utc("2026-01-31T16:00:00Z"),
            ]
        );
    }

    #[test]
    fn empty_or_huge_bucket_ranges_are_refused() {
        let tz = organisation_time_zone();
        let t = utc("2026-03-01T00:00:00Z");
        assert_eq!(bucket_starts(t, t, Bucket::Day, tz), None);
        assert_eq!(
            bucket_starts(t, t + Duration::days(5000), Bucket::Day, tz),
            None
        );
    }
}
