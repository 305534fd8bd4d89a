//! Business calendars: when the clock runs, and arithmetic on business time.
//!
//! A calendar is a time zone plus weekly opening windows in local wall-clock time, with
//! special days that override the week: holidays (closed all day, or open shorter hours) and
//! make-up working days (调休: a weekend day worked as a weekday). Each
//! window on each local day becomes one contiguous UTC interval from its opening to its
//! closing, the way a shift is actually worked: on a spring-forward day a 01:30–03:30 window
//! lasts one hour, on a fall-back day a window spanning the repeated hour lasts one hour
//! longer (see `BusinessCalendar::resolve` for the exact rule at the edges). All arithmetic is done on the union of those UTC intervals, so adding and
//! measuring business time always agree with each other.

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc,
};
use chrono_tz::{GapInfo, Tz};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::DomainError;

const TIME_ZONE_FIELD: &str = "input.timeZone";
const WINDOWS_FIELD: &str = "input.windows";
const DAYS_FIELD: &str = "days";
/// Longest name of a special day, in characters.
const DAY_NAME_MAX: usize = 120;

const MINUTES_PER_DAY: u16 = 24 * 60;
const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const EVERY_DAY: u8 = 0b111_1111;
const ALWAYS_OPEN: &str = "24x7";

/// The instant at which business-time arithmetic gives up: 9999-12-31T23:59:59Z.
///
/// A target that cannot be met before then (an absurd minute count, or a calendar whose
/// windows never open) saturates here instead of looping or overflowing; storage and JSON
/// both handle a four-digit year, and no real deadline is this far away.
pub const FAR_FUTURE: DateTime<Utc> = match DateTime::from_timestamp(253_402_300_799, 0) {
    Some(instant) => instant,
    None => DateTime::<Utc>::MAX_UTC,
};

/// One opening window on a local day, in minutes after local midnight; `end` may be 1440.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Window {
    start: u16,
    end: u16,
}

const WHOLE_DAY: Window = Window {
    start: 0,
    end: MINUTES_PER_DAY,
};

/// When the SLA clock runs: a time zone and weekly opening windows in local wall-clock time.
///
/// Written as text so that administrators can configure it (grammar below), and kept in a
/// normal form so that equal calendars print equally.
///
/// # Windows grammar
///
/// - `24x7` (any case) on its own: always open.
/// - Otherwise a comma-separated list of items, each `[DAYS ]HH:MM-HH:MM`:
///   - `DAYS` is one or more day specs joined by `|`; a day spec is a day name (`Mon`, `Tue`,
///     `Wed`, `Thu`, `Fri`, `Sat`, `Sun`, any case) or an inclusive range `Mon-Fri`. Ranges
///     wrap round the week (`Sat-Mon` is Saturday, Sunday, Monday). Without `DAYS` the
///     window applies every day. Commas only ever separate items, so `Mon|Wed 09:00-12:00`
///     is the way to list days; `Mon,Wed 09:00-12:00` is refused rather than guessed at.
///   - Times are `H:MM` or `HH:MM` from `00:00`; `24:00` is allowed as an end only. A window
///     must end after it starts and cannot cross midnight: write `22:00-24:00,00:00-06:00`.
/// - Overlapping and touching windows on the same day are merged, so
///   `09:00-18:00,18:00-23:00` is the same calendar as `09:00-23:00`.
///
/// The normal form ([`BusinessCalendar::windows_spec`]) groups days with identical hours,
/// lists them Monday first, and repeats the day prefix for each window of the group.
///
/// # Special days
///
/// [`BusinessCalendar::with_special_days`] adds dates on which the weekly pattern does not
/// apply: a [`SpecialDayKind::Holiday`] is closed all day, or open only the hours it names (a
/// partial holiday); a [`SpecialDayKind::WorkingDay`] (make-up day) is open the hours it names,
/// or by default the hours of the calendar's first open weekday, Monday first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    tz: Tz,
    /// Sorted, disjoint, non-touching windows for each weekday, Monday first.
    days: [Vec<Window>; 7],
    spec: String,
    /// The special days, by date, as given (normalised).
    special: Vec<SpecialDay>,
    /// The windows of each special day, replacing its weekday's.
    overrides: BTreeMap<NaiveDate, Vec<Window>>,
    /// Every day is open from midnight to midnight; the arithmetic then needs no calendar.
    always_open: bool,
}

/// Whether a special day closes (a holiday) or opens (a make-up working day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SpecialDayKind {
    /// A public holiday: closed, or open only the hours given.
    Holiday,
    /// A make-up working day (调休): open the hours given, or the usual working hours.
    WorkingDay,
}

/// A date on which the weekly pattern does not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialDay {
    /// The local date.
    pub date: NaiveDate,
    /// Holiday or make-up working day.
    pub kind: SpecialDayKind,
    /// What the day is, for people (e.g. 国庆节).
    pub name: String,
    /// The hours open that day, as windows without days (`09:00-12:00`); `None` for a holiday
    /// closed all day, or a working day with the calendar's usual working hours.
    pub windows: Option<String>,
}

impl BusinessCalendar {
    /// Parses a time zone (IANA name, e.g. `Asia/Shanghai`, `Europe/Berlin`, `UTC`) and a
    /// windows specification (grammar in the type's documentation).
    ///
    /// Errors are [`DomainError::InvalidInput`] on `input.timeZone` or `input.windows`, with a
    /// message saying what to write instead.
    pub fn parse(time_zone: &str, windows: &str) -> Result<Self, DomainError> {
        let tz = parse_time_zone(time_zone)?;
        let days = parse_windows(windows)?;
        let always_open = days.iter().all(|day| day.as_slice() == [WHOLE_DAY]);
        let spec = normal_form(&days, always_open);
        Ok(Self {
            tz,
            days,
            spec,
            special: Vec::new(),
            overrides: BTreeMap::new(),
            always_open,
        })
    }

    /// This calendar with `special` as its special days (replacing any it had).
    ///
    /// Each date may appear once. A day's windows use the weekly grammar without days
    /// (`09:00-12:00,13:00-17:00`); a holiday's are the hours still open, a working day's the
    /// hours worked. Names are required (at most 120 characters). Errors are
    /// [`DomainError::InvalidInput`] on `days`, naming the date.
    pub fn with_special_days(mut self, mut special: Vec<SpecialDay>) -> Result<Self, DomainError> {
        special.sort_by_key(|day| day.date);
        let usual = self
            .days
            .iter()
            .find(|windows| !windows.is_empty())
            .cloned()
            .unwrap_or_default();
        let mut overrides = BTreeMap::new();
        for day in &mut special {
            let date = day.date;
            let bad =
                |message: String| DomainError::invalid(DAYS_FIELD, format!("{date}: {message}"));
            let name = day.name.trim();
            if name.is_empty() {
                return Err(bad("a name is required, e.g. 国庆节 or New Year".into()));
            }
            if name.chars().count() > DAY_NAME_MAX {
                return Err(bad(format!(
                    "the name is longer than {DAY_NAME_MAX} characters"
                )));
            }
            day.name = name.to_owned();
            let windows = match day.windows.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => Some(parse_day_windows(text).map_err(|e| bad(e.to_string()))?),
            };
            day.windows = windows.as_ref().map(|w| format_windows(w));
            let hours = match (day.kind, windows) {
                (_, Some(windows)) => windows,
                (SpecialDayKind::Holiday, None) => Vec::new(),
                (SpecialDayKind::WorkingDay, None) => usual.clone(),
            };
            if overrides.insert(date, hours).is_some() {
                return Err(bad("the date is listed twice".into()));
            }
        }
        self.always_open = self.always_open && overrides.is_empty();
        self.special = special;
        self.overrides = overrides;
        Ok(self)
    }

    /// The special days, in date order.
    pub fn special_days(&self) -> &[SpecialDay] {
        &self.special
    }

    /// The opening windows of local `date`: its special day's, or its weekday's.
    fn windows_on(&self, date: NaiveDate) -> &[Window] {
        match self.overrides.get(&date) {
            Some(windows) => windows,
            None => &self.days[weekday_index(date)],
        }
    }

    /// Business minutes in one of the calendar's usual working days: the weekly hours of its
    /// first open weekday, Monday first (what "one business day" means on this calendar).
    pub fn usual_day_minutes(&self) -> i64 {
        self.days
            .iter()
            .find(|windows| !windows.is_empty())
            .map_or(0, |windows| {
                windows.iter().map(|w| i64::from(w.end - w.start)).sum()
            })
    }

    /// Business minutes on local `date` (its windows' lengths in wall-clock minutes; clock
    /// changes aside).
    pub fn minutes_on(&self, date: NaiveDate) -> i64 {
        self.windows_on(date)
            .iter()
            .map(|w| i64::from(w.end - w.start))
            .sum()
    }

    /// The windows in normal form; parsing it again yields an equal calendar.
    pub fn windows_spec(&self) -> &str {
        &self.spec
    }

    /// The canonical IANA name of the calendar's time zone.
    pub fn time_zone_name(&self) -> &'static str {
        self.tz.name()
    }

    /// The calendar's time zone, for showing instants in local time.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// The instant at which `minutes` of business time have elapsed after `start`.
    ///
    /// If `start` is outside business hours the clock starts at the next opening. The result
    /// is the earliest such instant, so a target that is used up exactly at closing time is
    /// due at closing time, not at the next opening. `minutes <= 0` returns `start`.
    /// Results that would lie beyond [`FAR_FUTURE`] saturate there.
    ///
    /// Cost is linear in the number of calendar days walked.
    pub fn add_business_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        if minutes <= 0 {
            return start;
        }
        // Business time never exceeds wall-clock time, so this bounds the walk and keeps the
        // conversion to a duration from overflowing.
        if start >= FAR_FUTURE || minutes > (FAR_FUTURE - start).num_minutes() {
            return FAR_FUTURE.max(start);
        }
        self.add_business(start, TimeDelta::minutes(minutes))
    }

    /// The close of business on the `days`-th business day after `start`'s own (local) day:
    /// "within two business days" of a Monday resolution is Wednesday's closing time, however
    /// late on Monday it was. A day with no windows (a weekend, a holiday) does not count; at
    /// least one day is always counted. A calendar with no business day within a year and a
    /// bit falls back to `days` calendar days.
    pub fn close_of_business_days_after(&self, start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        let days = days.max(1);
        let mut date = self.local_date(start);
        let mut counted = 0;
        for _ in 0..(u64::from(days) * 7 + 400) {
            date = match date.succ_opt() {
                Some(next) => next,
                None => return FAR_FUTURE,
            };
            if let Some(last) = self.windows_on(date).last().copied() {
                counted += 1;
                if counted == days {
                    return self
                        .window_interval(date, last)
                        .map_or(FAR_FUTURE, |(_, close)| close);
                }
            }
        }
        start + TimeDelta::days(i64::from(days))
    }

    /// Whole business minutes in `[a, b)`: the total business duration, rounded down.
    /// Zero when `b <= a`.
    pub fn business_minutes_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        self.business_duration(a, b).num_minutes()
    }

    /// Whole business minutes in `[a, b)` that fall outside every pause.
    ///
    /// Pauses (e.g. waiting on the customer) may overlap each other and stick out of
    /// `[a, b)`; time covered by several pauses is only taken away once. Rounding down
    /// happens after the subtraction, so seconds lost to pauses do not compound.
    pub fn business_minutes_excluding(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
        pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> i64 {
        if b <= a {
            return 0;
        }
        let mut clipped: Vec<(DateTime<Utc>, DateTime<Utc>)> = pauses
            .iter()
            .map(|&(from, to)| (from.max(a), to.min(b)))
            .filter(|(from, to)| from < to)
            .collect();
        clipped.sort_unstable();
        let mut paused = TimeDelta::zero();
        let mut covered_until = a;
        for (from, to) in clipped {
            let from = from.max(covered_until);
            if to > from {
                paused += self.business_duration(from, to);
                covered_until = to;
            }
        }
        (self.business_duration(a, b) - paused).num_minutes()
    }

    /// The due time after a pause (e.g. waiting on the customer) from `pause_start` to
    /// `pause_end`.
    ///
    /// The business time that was left at `pause_start` is left again at `pause_end`, to the
    /// second. A pause that starts at or after `due` changes nothing (the target was already
    /// used up), and the due time never moves earlier: a pause that lies wholly in closed
    /// hours leaves it where it was.
    pub fn shift_due_for_pause(
        &self,
        due: DateTime<Utc>,
        pause_start: DateTime<Utc>,
        pause_end: DateTime<Utc>,
    ) -> DateTime<Utc> {
        if pause_start >= due || pause_end <= pause_start {
            return due;
        }
        let remaining = self.business_duration(pause_start, due);
        self.add_business(pause_end, remaining).max(due)
    }

    /// Exact business duration in `[a, b)`.
    fn business_duration(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> TimeDelta {
        if b <= a {
            return TimeDelta::zero();
        }
        if self.always_open {
            return b - a;
        }
        // One day of margin on each side: windows of the neighbouring local days can reach
        // across midnight in UTC terms when a clock change happens at midnight.
        let first = self.local_date(a).pred_opt().unwrap_or(NaiveDate::MIN);
        let last = self.local_date(b).succ_opt().unwrap_or(NaiveDate::MAX);
        let mut total = TimeDelta::zero();
        for (open, close) in self.intervals(a, first, last) {
            if open >= b {
                break;
            }
            total += close.min(b) - open;
        }
        total
    }

    /// The earliest instant at which `amount` of business time has elapsed after `start`,
    /// saturating at [`FAR_FUTURE`].
    fn add_business(&self, start: DateTime<Utc>, amount: TimeDelta) -> DateTime<Utc> {
        if amount <= TimeDelta::zero() {
            return start;
        }
        if start >= FAR_FUTURE || amount > FAR_FUTURE - start {
            return FAR_FUTURE.max(start);
        }
        if self.always_open {
            return start + amount;
        }
        let first = self.local_date(start).pred_opt().unwrap_or(NaiveDate::MIN);
        let last = self.local_date(FAR_FUTURE);
        let mut remaining = amount;
        for (open, close) in self.intervals(start, first, last) {
            let length = close - open;
            if length >= remaining {
                return open
                    .checked_add_signed(remaining)
                    .map_or(FAR_FUTURE, |due| due.min(FAR_FUTURE));
            }
            remaining -= length;
        }
        FAR_FUTURE
    }

    fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.tz).date_naive()
    }

    /// Business intervals from `from_date` to `to_date` (local dates), in order, disjoint,
    /// and clipped so that none starts before `not_before`.
    fn intervals(
        &self,
        not_before: DateTime<Utc>,
        from_date: NaiveDate,
        to_date: NaiveDate,
    ) -> Intervals<'_> {
        Intervals {
            calendar: self,
            date: from_date,
            last: to_date,
            window: 0,
            cursor: not_before,
        }
    }

    /// The UTC interval of one window on one local day, or `None` if it cannot be
    /// represented (dates at the very end of chrono's range).
    fn window_interval(
        &self,
        date: NaiveDate,
        window: Window,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let open = self.resolve(local_instant(date, window.start)?, Boundary::Open)?;
        let close = self.resolve(local_instant(date, window.end)?, Boundary::Close)?;
        Some((open, close))
    }

    /// Turns a local wall-clock reading into an instant. Opening is the first instant at
    /// which the clock shows the reading or later; closing is the instant from which the
    /// clock never again shows anything earlier. So a shift spanning a repeated hour works it
    /// twice, a shift ending exactly where the clock falls back to ends on the first pass, and
    /// a shift starting or ending in a skipped hour starts or ends when the clock jumps.
    fn resolve(&self, local: NaiveDateTime, boundary: Boundary) -> Option<DateTime<Utc>> {
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(instant) => Some(instant.with_timezone(&Utc)),
            LocalResult::Ambiguous(a, b) => {
                let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
                let (first, second) = (a.min(b), a.max(b));
                Some(match boundary {
                    Boundary::Open => first,
                    // The clock falls back to exactly this reading at `second`; it has not
                    // shown anything earlier since `first`, so the shift ended there.
                    Boundary::Close if self.reading_before(second) >= local => first,
                    Boundary::Close => second,
                })
            }
            LocalResult::None => match GapInfo::new(&local, &self.tz).and_then(|gap| gap.end) {
                Some(after_gap) => Some(after_gap.with_timezone(&Utc)),
                // Only at the edge of the zone's table; read the clock with the offset in
                // force at about that time, which is as good as the table allows.
                None => {
                    let offset = self.tz.offset_from_utc_datetime(&local).fix();
                    local
                        .checked_sub_signed(TimeDelta::seconds(i64::from(offset.local_minus_utc())))
                        .map(|naive| naive.and_utc())
                }
            },
        }
    }

    /// The wall-clock reading one second before `instant`; clocks change on whole seconds.
    fn reading_before(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        instant
            .checked_sub_signed(TimeDelta::seconds(1))
            .unwrap_or(instant)
            .with_timezone(&self.tz)
            .naive_local()
    }
}

#[derive(Debug, Clone, Copy)]
enum Boundary {
    Open,
    Close,
}

fn local_instant(date: NaiveDate, minute_of_day: u16) -> Option<NaiveDateTime> {
    if minute_of_day >= MINUTES_PER_DAY {
        return Some(date.succ_opt()?.and_time(NaiveTime::MIN));
    }
    let time = NaiveTime::from_hms_opt(
        u32::from(minute_of_day / 60),
        u32::from(minute_of_day % 60),
        0,
    )?;
    Some(date.and_time(time))
}

fn weekday_index(date: NaiveDate) -> usize {
    date.weekday().num_days_from_monday() as usize
}

/// Walks the calendar's UTC intervals day by day. Openings are non-decreasing (a later
/// wall-clock reading is never first shown earlier), so keeping a cursor at the furthest
/// closing seen is enough to turn overlapping intervals (which a repeated hour can create)
/// into disjoint ones.
struct Intervals<'a> {
    calendar: &'a BusinessCalendar,
    date: NaiveDate,
    last: NaiveDate,
    window: usize,
    cursor: DateTime<Utc>,
}

impl Iterator for Intervals<'_> {
    type Item = (DateTime<Utc>, DateTime<Utc>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.date > self.last {
                return None;
            }
            let windows = self.calendar.windows_on(self.date);
            let Some(&window) = windows.get(self.window) else {
                self.date = self.date.succ_opt()?;
                self.window = 0;
                continue;
            };
            self.window += 1;
            let Some((open, close)) = self.calendar.window_interval(self.date, window) else {
                continue;
            };
            let open = open.max(self.cursor);
            if close > open {
                self.cursor = close;
                return Some((open, close));
            }
        }
    }
}

fn parse_time_zone(text: &str) -> Result<Tz, DomainError> {
    let name = text.trim();
    if name.is_empty() {
        return Err(DomainError::invalid(
            TIME_ZONE_FIELD,
            "a time zone is required, as an IANA name such as Asia/Shanghai",
        ));
    }
    name.parse::<Tz>().map_err(|_| {
        DomainError::invalid(
            TIME_ZONE_FIELD,
            format!(
                "unknown time zone `{name}`; use an IANA name such as Asia/Shanghai, \
                 Europe/Berlin or UTC"
            ),
        )
    })
}

fn bad_windows(message: impl Into<String>) -> DomainError {
    DomainError::invalid(WINDOWS_FIELD, message)
}

fn parse_windows(text: &str) -> Result<[Vec<Window>; 7], DomainError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(bad_windows(
            "business hours are required, e.g. `24x7` or `Mon-Fri 09:00-18:00`",
        ));
    }
    let mut days: [Vec<Window>; 7] = Default::default();
    if text.eq_ignore_ascii_case(ALWAYS_OPEN) {
        for day in &mut days {
            day.push(WHOLE_DAY);
        }
        return Ok(days);
    }
    for item in text.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(bad_windows(
                "business hours contain an empty item; check for a stray comma",
            ));
        }
        let mut tokens = item.split_whitespace();
        let (mask, window) = match (tokens.next(), tokens.next(), tokens.next()) {
            (Some(range), None, _) => (EVERY_DAY, parse_item_range(range)?),
            (Some(days), Some(range), None) => (parse_days(days)?, parse_range(range)?),
            _ => {
                return Err(bad_windows(format!(
                    "`{item}` is not a window; write `[DAYS ]HH:MM-HH:MM`, e.g. \
                     `Mon-Fri 09:00-18:00`, and join several days with `|`"
                )));
            }
        };
        for (index, day) in days.iter_mut().enumerate() {
            if mask & (1 << index) != 0 {
                day.push(window);
            }
        }
    }
    for day in &mut days {
        merge(day);
    }
    Ok(days)
}

/// The windows of one special day: time ranges only, no days.
fn parse_day_windows(text: &str) -> Result<Vec<Window>, DomainError> {
    let mut windows = Vec::new();
    for item in text.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(bad_windows(
                "the hours contain an empty item; check for a stray comma",
            ));
        }
        windows.push(parse_item_range(item)?);
    }
    merge(&mut windows);
    Ok(windows)
}

fn format_windows(windows: &[Window]) -> String {
    windows
        .iter()
        .map(|w| format!("{}-{}", format_time(w.start), format_time(w.end)))
        .collect::<Vec<_>>()
        .join(",")
}

/// An item without days: usually a time range, but recognise the two likely mistakes so the
/// message can say what to write instead.
fn parse_item_range(token: &str) -> Result<Window, DomainError> {
    if token.eq_ignore_ascii_case(ALWAYS_OPEN) {
        return Err(bad_windows(
            "`24x7` must be the whole value, not one item of a list",
        ));
    }
    if parse_days(token).is_ok() {
        return Err(bad_windows(format!(
            "`{token}` has no hours; join several days with `|`, not `,`, \
             e.g. `Mon|Wed 09:00-18:00`"
        )));
    }
    parse_range(token)
}

fn parse_days(token: &str) -> Result<u8, DomainError> {
    let mut mask = 0u8;
    for spec in token.split('|') {
        match spec.split_once('-') {
            Some((first, last)) => {
                let (first, last) = (parse_day(first)?, parse_day(last)?);
                let mut day = first;
                loop {
                    mask |= 1 << day;
                    if day == last {
                        break;
                    }
                    day = (day + 1) % 7;
                }
            }
            None => mask |= 1 << parse_day(spec)?,
        }
    }
    Ok(mask)
}

fn parse_day(name: &str) -> Result<usize, DomainError> {
    DAY_NAMES
        .iter()
        .position(|day| day.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            bad_windows(format!(
                "unknown day `{name}`; use Mon, Tue, Wed, Thu, Fri, Sat or Sun, a range such as \
                 `Mon-Fri`, or several joined with `|`"
            ))
        })
}

fn parse_range(token: &str) -> Result<Window, DomainError> {
    let Some((start, end)) = token.split_once('-') else {
        return Err(bad_windows(format!(
            "`{token}` is not a time range like `09:00-18:00`"
        )));
    };
    let (start, end) = (parse_time(start)?, parse_time(end)?);
    if start == MINUTES_PER_DAY {
        return Err(bad_windows(format!(
            "window `{token}` starts at 24:00; a window starts at 23:59 at the latest"
        )));
    }
    if end <= start {
        return Err(bad_windows(format!(
            "window `{token}` must end after it starts; windows cannot cross midnight, so \
             write `22:00-24:00,00:00-06:00` rather than `22:00-06:00`"
        )));
    }
    Ok(Window { start, end })
}

fn parse_time(text: &str) -> Result<u16, DomainError> {
    let invalid = || {
        bad_windows(format!(
            "`{text}` is not a time of day like `09:30` (00:00 to 24:00)"
        ))
    };
    let (hours, minutes) = text.split_once(':').ok_or_else(invalid)?;
    let digits = |s: &str, lengths: &[usize]| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(hours, &[1, 2]) || !digits(minutes, &[2]) {
        return Err(invalid());
    }
    let hours: u16 = hours.parse().map_err(|_| invalid())?;
    let minutes: u16 = minutes.parse().map_err(|_| invalid())?;
    if minutes > 59 || hours > 24 || (hours == 24 && minutes != 0) {
        return Err(invalid());
    }
    Ok(hours * 60 + minutes)
}

/// Sorts and merges overlapping or touching windows, so that equal calendars compare equal.
fn merge(day: &mut Vec<Window>) {
    day.sort_unstable();
    let mut merged: Vec<Window> = Vec::with_capacity(day.len());
    for window in day.drain(..) {
        match merged.last_mut() {
            Some(last) if window.start <= last.end => last.end = last.end.max(window.end),
            _ => merged.push(window),
        }
    }
    *day = merged;
}

fn normal_form(days: &[Vec<Window>; 7], always_open: bool) -> String {
    if always_open {
        return ALWAYS_OPEN.to_owned();
    }
    let mut groups: Vec<(u8, &[Window])> = Vec::new();
    for (index, windows) in days.iter().enumerate() {
        if windows.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(_, w)| *w == windows.as_slice()) {
            Some((mask, _)) => *mask |= 1 << index,
            None => groups.push((1 << index, windows)),
        }
    }
    let mut items = Vec::new();
    for (mask, windows) in groups {
        let prefix = if mask == EVERY_DAY {
            String::new()
        } else {
            format!("{} ", format_days(mask))
        };
        for window in windows {
            items.push(format!(
                "{prefix}{}-{}",
                format_time(window.start),
                format_time(window.end)
            ));
        }
    }
    items.join(",")
}

fn format_days(mask: u8) -> String {
    let mut specs = Vec::new();
    let mut day = 0;
    while day < 7 {
        if mask & (1 << day) == 0 {
            day += 1;
            continue;
        }
        let first = day;
        while day + 1 < 7 && mask & (1 << (day + 1)) != 0 {
            day += 1;
        }
        specs.push(if first == day {
            DAY_NAMES[first].to_owned()
        } else {
            format!("{}-{}", DAY_NAMES[first], DAY_NAMES[day])
        });
        day += 1;
    }
    specs.join("|")
}

fn format_time(minute_of_day: u16) -> String {
    format!("{:02}:{:02}", minute_of_day / 60, minute_of_day % 60)
}
