//! Public holiday calendars in iCalendar (`.ics`) form, as governments and calendar services
//! publish them, turned into a business calendar's [`SpecialDay`]s.
//!
//! - Every all-day event (`DTSTART;VALUE=DATE`) is a day off for each date it covers (`DTEND`
//!   is exclusive, as RFC 5545 says; without it the event is one day).
//! - An event is a make-up working day (调休上班) instead when its `CATEGORIES` or `SUMMARY`
//!   contains one of [`WORKING_DAY_KEYWORDS`] (any case): published Chinese calendars mark them
//!   `补班` or `上班`, others `Working day` or `Workday`.
//! - Timed events and recurring events (`RRULE`) are not holidays as published; they are
//!   skipped and listed in [`Imported::skipped`] so the person importing sees them.

use chrono::{Datelike, NaiveDate};
use icalendar::{CalendarComponent, Component, DatePerhapsTime};
use std::collections::BTreeMap;

use super::{SpecialDay, SpecialDayKind};
use crate::DomainError;

const FIELD: &str = "ics";

/// Largest `.ics` text accepted, in bytes.
pub const MAX_ICS_BYTES: usize = 512 * 1024;

/// Most days one import may hold (about five years of a busy holiday calendar).
pub const MAX_IMPORTED_DAYS: usize = 2_000;

/// Words in an event's `CATEGORIES` or `SUMMARY` that make it a make-up working day.
pub const WORKING_DAY_KEYWORDS: [&str; 6] = [
    "补班",
    "上班",
    "working day",
    "workday",
    "make-up day",
    "makeup day",
];

/// What an `.ics` file holds, as special days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The days, by date; a date named by several events keeps the first (a working day wins
    /// over a holiday on the same date, as a make-up day is the exception to the exception).
    pub days: Vec<SpecialDay>,
    /// Events that were not turned into days, each with why.
    pub skipped: Vec<String>,
}

impl Imported {
    /// The years the days fall in, in order.
    pub fn years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.days.iter().map(|d| d.date.year()).collect();
        years.dedup();
        years
    }
}

/// Reads the special days of an `.ics` text; only days in `year` when it is given.
///
/// Errors ([`DomainError::InvalidInput`] on `ics`) when the text is too large, is not
/// iCalendar, or names more than [`MAX_IMPORTED_DAYS`] days.
pub fn from_ics(text: &str, year: Option<i32>) -> Result<Imported, DomainError> {
    if text.len() > MAX_ICS_BYTES {
        return Err(DomainError::invalid(
            FIELD,
            format!(
                "the file is larger than {} KiB; split it by year",
                MAX_ICS_BYTES / 1024
            ),
        ));
    }
    if !text.trim_start().starts_with("BEGIN:VCALENDAR") {
        return Err(DomainError::invalid(
            FIELD,
            "this is not an iCalendar file: it must start with BEGIN:VCALENDAR",
        ));
    }
    let calendar: icalendar::Calendar = text.parse().map_err(|_| {
        DomainError::invalid(
            FIELD,
            "the iCalendar file could not be read; check that it is complete and unaltered",
        )
    })?;
    let mut days: BTreeMap<NaiveDate, SpecialDay> = BTreeMap::new();
    let mut skipped = Vec::new();
    for event in calendar
        .components
        .iter()
        .filter_map(CalendarComponent::as_event)
    {
        let name = event.get_summary().map(str::trim).unwrap_or_default();
        let name = if name.is_empty() { "Holiday" } else { name };
        if event.property_value("RRULE").is_some() {
            skipped.push(format!(
                "{name}: recurring events are not imported; list each date"
            ));
            continue;
        }
        let (start, end) = match (event.get_start(), event.get_end()) {
            (Some(DatePerhapsTime::Date(start)), None) => (start, start.succ_opt()),
            (Some(DatePerhapsTime::Date(start)), Some(DatePerhapsTime::Date(end))) => {
                (start, Some(end))
            }
            (Some(DatePerhapsTime::Date(_)), Some(DatePerhapsTime::DateTime(_))) => {
                skipped.push(format!("{name}: starts on a date but ends at a time"));
                continue;
            }
            (Some(DatePerhapsTime::DateTime(_)), _) => {
                skipped.push(format!(
                    "{name}: timed events are not whole days; give a partial holiday its \
                     open hours instead"
                ));
                continue;
            }
            (None, _) => {
                skipped.push(format!("{name}: the event has no start date"));
                continue;
            }
        };
        if end.is_some_and(|end| (end - start).num_days() > 366) {
            skipped.push(format!(
                "{name}: an event longer than a year is not a holiday"
            ));
            continue;
        }
        let kind = if is_working_day(event) {
            SpecialDayKind::WorkingDay
        } else {
            SpecialDayKind::Holiday
        };
        let mut date = start;
        while end.is_some_and(|end| date < end) || date == start {
            if year.is_none_or(|y| date.year() == y) {
                let day = SpecialDay {
                    date,
                    kind,
                    name: name.chars().take(120).collect(),
                    windows: None,
                };
                match days.get(&date) {
                    Some(existing) if existing.kind == SpecialDayKind::WorkingDay => {}
                    _ => {
                        days.insert(date, day);
                    }
                }
                if days.len() > MAX_IMPORTED_DAYS {
                    return Err(DomainError::invalid(
                        FIELD,
                        format!(
                            "the file names more than {MAX_IMPORTED_DAYS} days; import it a year at a time"
                        ),
                    ));
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
    }
    Ok(Imported {
        days: days.into_values().collect(),
        skipped,
    })
}

fn is_working_day(event: &icalendar::Event) -> bool {
    let mut texts: Vec<&str> = Vec::new();
    texts.extend(event.get_summary());
    texts.extend(event.property_value("CATEGORIES"));
    if let Some(categories) = event.multi_properties().get("CATEGORIES") {
        texts.extend(categories.iter().map(|p| p.value()));
    }
    texts.iter().any(|text| {
        let text = text.to_lowercase();
        WORKING_DAY_KEYWORDS.iter().any(|k| text.contains(k))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    const NATIONAL_DAY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//holidays//ZH\r\n\
BEGIN:VEVENT\r\nUID:a@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261001\r\n\
DTEND;VALUE=DATE:20261004\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261010\r\n\
SUMMARY:国庆节 补班\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:c@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20270101\r\n\
DTEND;VALUE=DATE:20270102\r\nSUMMARY:元旦\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:d@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261020T090000Z\r\n\
DTEND:20261020T100000Z\r\nSUMMARY:Team meeting\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:e@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261101\r\n\
CATEGORIES:Workday\r\nSUMMARY:Saturday shift\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn all_day_events_become_holidays_and_marked_ones_working_days() {
        let imported = from_ics(NATIONAL_DAY, None).unwrap();
        let summary: Vec<(NaiveDate, SpecialDayKind, &str)> = imported
            .days
            .iter()
            .map(|d| (d.date, d.kind, d.name.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (date("2026-10-01"), SpecialDayKind::Holiday, "国庆节"),
                (date("2026-10-02"), SpecialDayKind::Holiday, "国庆节"),
                (date("2026-10-03"), SpecialDayKind::Holiday, "国庆节"),
                (
                    date("2026-10-10"),
                    SpecialDayKind::WorkingDay,
                    "国庆节 补班"
                ),
                (
                    date("2026-11-01"),
                    SpecialDayKind::WorkingDay,
                    "Saturday shift"
                ),
                (date("2027-01-01"), SpecialDayKind::Holiday, "元旦"),
            ]
        );
        assert_eq!(imported.years(), vec![2026, 2027]);
        assert_eq!(imported.skipped.len(), 1, "{:?}", imported.skipped);
        assert!(imported.skipped[0].starts_with("Team meeting"));
    }

    #[test]
    fn a_year_keeps_only_its_days() {
        let imported = from_ics(NATIONAL_DAY, Some(2027)).unwrap();
        assert_eq!(imported.days.len(), 1);
        assert_eq!(imported.days[0].date, date("2027-01-01"));
    }

    #[test]
    fn text_that_is_not_icalendar_is_refused_with_a_reason() {
        for text in ["", "hello", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"] {
            match from_ics(text, None) {
                Err(DomainError::InvalidInput { field, .. }) => assert_eq!(field, "ics"),
                Ok(imported) => assert!(imported.days.is_empty(), "{text:?}: {imported:?}"),
                Err(other) => panic!("{other:?}"),
            }
        }
        let huge = format!("BEGIN:VCALENDAR\r\n{}", "X".repeat(MAX_ICS_BYTES));
        assert!(matches!(
            from_ics(&huge, None),
            Err(DomainError::InvalidInput { .. })
        ));
    }
}
