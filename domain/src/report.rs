//! Reports to management (诉求处理月报, 质量信息反馈表, 定期报告): which kinds there are, the
//! window one may cover, the language a report is written in, and when the server generates
//! last month's reports by itself.

use crate::DomainError;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The longest window one report covers.
pub const MAX_WINDOW_DAYS: i64 = 366;

/// Windows up to this long get a trend by day; longer ones by week.
pub const DAILY_TREND_MAX_DAYS: i64 = 62;

/// The local hour on the 1st of a month at which last month's reports are generated.
pub const SCHEDULE_HOUR: u32 = 8;

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportKind {
    /// The KPI report, by team and by agent, with daily trends.
    MonthlyService,
    /// Complaint analytics by category, channel, department, root cause and verdict.
    Complaints,
    /// Quality inspections by agent.
    Quality,
    /// Training compliance by person.
    Training,
}

impl ReportKind {
    /// Every kind.
    pub const ALL: [ReportKind; 4] = [
        ReportKind::MonthlyService,
        ReportKind::Complaints,
        ReportKind::Quality,
        ReportKind::Training,
    ];

    /// The kinds the server generates on its own each month.
    pub const SCHEDULED: [ReportKind; 2] = [ReportKind::MonthlyService, ReportKind::Complaints];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportKind::MonthlyService => "MONTHLY_SERVICE",
            ReportKind::Complaints => "COMPLAINTS",
            ReportKind::Quality => "QUALITY",
            ReportKind::Training => "TRAINING",
        }
    }

    /// Parses a stored name.
    pub fn parse(value: &str) -> Option<ReportKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// A lower-case, dash-separated name for file names.
    pub const fn slug(self) -> &'static str {
        match self {
            ReportKind::MonthlyService => "monthly-service",
            ReportKind::Complaints => "complaints",
            ReportKind::Quality => "quality",
            ReportKind::Training => "training",
        }
    }
}

/// The language a report's sheet names, headings and chart titles are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// Simplified Chinese, the default.
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Language {
    /// The stored tag.
    pub const fn as_str(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }

    /// Parses a stored tag; anything unknown reads as the default.
    pub fn parse(value: &str) -> Language {
        if value.eq_ignore_ascii_case("en") {
            Language::En
        } else {
            Language::ZhCn
        }
    }

    /// The language an `Accept-Language` header asks for: the supported language (`zh*` or
    /// `en*`) with the highest weight, Chinese when the header is absent or names neither.
    pub fn from_accept_language(header: Option<&str>) -> Language {
        let Some(header) = header else {
            return Language::default();
        };
        let mut best: Option<(f32, Language)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';').map(str::trim);
            let tag = pieces.next().unwrap_or("").to_ascii_lowercase();
            let weight = pieces
                .find_map(|p| p.strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let language = if tag == "en" || tag.starts_with("en-") {
                Language::En
            } else if tag == "zh" || tag.starts_with("zh-") {
                Language::ZhCn
            } else {
                continue;
            };
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, language));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// Checks a report window: `to` after `from`, at most [`MAX_WINDOW_DAYS`] long.
pub fn check_window(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(), DomainError> {
    if to <= from {
        return Err(DomainError::invalid("to", "must be after from"));
    }
    if to - from > Duration::days(MAX_WINDOW_DAYS) {
        return Err(DomainError::invalid(
            "to",
            format!("a report covers at most {MAX_WINDOW_DAYS} days"),
        ));
    }
    Ok(())
}

/// A scheduled run: last month's window and the key that makes it happen once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledWindow {
    /// Midnight on the 1st of last month, local time.
    pub from: DateTime<Utc>,
    /// Midnight on the 1st of this month, local time.
    pub to: DateTime<Utc>,
    /// `YYYY-MM` of last month.
    pub month: String,
}

impl ScheduledWindow {
    /// The key under which the report of `kind` for this month is stored once.
    pub fn key(&self, kind: ReportKind) -> String {
        format!("{}:{}", kind.as_str(), self.month)
    }
}

fn local_midnight(tz: Tz, day: NaiveDate) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Whether last month's reports are due at `now` in `tz`: from 08:00 on the 1st until the end
/// of that day (local), so an instance that was down at 08:00 still catches up the same day.
/// `None` outside that window.
pub fn scheduled_window(now: DateTime<Utc>, tz: Tz) -> Option<ScheduledWindow> {
    let local = now.with_timezone(&tz);
    if local.day() != 1 || local.time() < NaiveTime::from_hms_opt(SCHEDULE_HOUR, 0, 0)? {
        return None;
    }
    let this_month = local.date_naive();
    let last_month = this_month
        .pred_opt()?
        .with_day(1)
        .filter(|d| d < &this_month)?;
    Some(ScheduledWindow {
        from: local_midnight(tz, last_month)?,
        to: local_midnight(tz, this_month)?,
        month: last_month.format("%Y-%m").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn last_months_reports_fall_due_at_eight_on_the_first_in_shanghai() {
        let tz = Tz::Asia__Shanghai;
        assert_eq!(scheduled_window(at("2026-12-01T07:59:59+08:00"), tz), None);
        let due = scheduled_window(at("2026-12-01T08:00:00+08:00"), tz);
        assert_eq!(
            due,
            Some(ScheduledWindow {
                from: at("2026-11-01T00:00:00+08:00"),
                to: at("2026-12-01T00:00:00+08:00"),
                month: "2026-11".to_owned(),
            })
        );
        assert!(scheduled_window(at("2026-12-01T23:59:00+08:00"), tz).is_some());
        assert_eq!(scheduled_window(at("2026-12-02T08:00:00+08:00"), tz), None);
    }

    #[test]
    fn january_reports_on_december_of_the_year_before() {
        let due = scheduled_window(at("2027-01-01T09:00:00+08:00"), Tz::Asia__Shanghai);
        assert_eq!(due.map(|w| w.month), Some("2026-12".to_owned()));
    }

    #[test]
    fn a_scheduled_key_names_kind_and_month() {
        let due = scheduled_window(at("2026-12-01T08:00:00+08:00"), Tz::Asia__Shanghai);
        assert_eq!(
            due.map(|w| w.key(ReportKind::Complaints)),
            Some("COMPLAINTS:2026-11".to_owned())
        );
    }

    #[test]
    fn windows_must_be_forward_and_at_most_a_leap_year_long() {
        let from = at("2026-01-01T00:00:00Z");
        assert!(check_window(from, from).is_err());
        assert!(check_window(from, from - Duration::days(1)).is_err());
        assert!(check_window(from, from + Duration::days(366)).is_ok());
        assert!(check_window(from, from + Duration::days(367)).is_err());
    }

    #[test]
    fn accept_language_picks_english_only_when_asked() {
        assert_eq!(Language::from_accept_language(None), Language::ZhCn);
        assert_eq!(Language::from_accept_language(Some("en")), Language::En);
        assert_eq!(
            Language::from_accept_language(Some("en-US,en;q=0.9")),
            Language::En
        );
        assert_eq!(
            Language::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")),
            Language::ZhCn
        );
        assert_eq!(
            Language::from_accept_language(Some("fr, en;q=0.5")),
            Language::En
        );
        assert_eq!(Language::from_accept_language(Some("fr")), Language::ZhCn);
        assert_eq!(
            Language::from_accept_language(Some("en;q=0")),
            Language::ZhCn
        );
    }

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in ReportKind::ALL {
            assert_eq!(ReportKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ReportKind::parse("WEEKLY"), None);
    }
}
