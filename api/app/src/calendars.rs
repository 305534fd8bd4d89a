//! Business calendars: creating and editing them, their holidays and make-up working days
//! (by hand or imported from an iCalendar file), which calendar a department counts on, and
//! recounting the due times of open tickets when a calendar changes.
//!
//! Every change to a calendar and the recount it causes commit together: either the open
//! tickets on it are due when the new calendar says, or nothing changed.

use super::error::{AppError, AppResult};
use super::{App, text};
use crate::Actor;
use careline_domain::Action;
use careline_domain::sla::holidays::{self, Imported};
use careline_domain::sla::{
    BusinessCalendar, ClockHistory, SpecialDay, SpecialDayKind, StatusStep, recounted,
};
use careline_persistence::StoreError;
use careline_persistence::calendars as store;
use careline_persistence::entity::{business_calendar, department, ticket};
use careline_persistence::tickets;
use careline_persistence::tickets::{clock_facts, clocks_of};
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, TransactionTrait};
use uuid::Uuid;

/// Most special days one call may set.
pub const MAX_DAYS_PER_CALL: usize = 400;
/// Tickets recounted per batch.
const RECOUNT_BATCH: u64 = 500;

/// A calendar's name and weekly hours, as typed.
#[derive(Debug, Clone)]
pub struct CalendarRequest {
    /// Unique name, e.g. "Back office (Mon–Fri)".
    pub name: String,
    /// IANA time zone.
    pub time_zone: String,
    /// Weekly windows (see `BusinessCalendar`'s grammar).
    pub windows: String,
}

/// A calendar after a change, and how many open tickets' due times moved with it.
#[derive(Debug, Clone)]
pub struct CalendarChange {
    /// The calendar as stored now.
    pub calendar: business_calendar::Model,
    /// Open tickets whose due times were counted again and moved.
    pub tickets_recomputed: usize,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct CalendarImport {
    /// The calendar and the recount.
    pub change: CalendarChange,
    /// The years whose special days the file replaced.
    pub years: Vec<i32>,
    /// Holidays imported.
    pub holidays: usize,
    /// Make-up working days imported.
    pub working_days: usize,
    /// Events the file held that are not days, each with why.
    pub skipped: Vec<String>,
}

/// Every calendar, by name.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<business_calendar::Model>> {
    actor.require(Action::ReadCalendars)?;
    Ok(store::all(&app.db).await?)
}

/// One calendar.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<business_calendar::Model> {
    actor.require(Action::ReadCalendars)?;
    store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("calendar not found".into()))
}

/// The special days of a stored calendar, in date order (all, or of one year).
pub fn special_days(
    row: &business_calendar::Model,
    year: Option<i32>,
) -> AppResult<Vec<SpecialDay>> {
    let calendar = store::build(row).map_err(|e| {
        AppError::internal(anyhow::anyhow!("{e}"), "a stored calendar does not build")
    })?;
    Ok(calendar
        .special_days()
        .iter()
        .filter(|d| year.is_none_or(|y| d.date.year() == y))
        .cloned()
        .collect())
}

fn weekly(request: &CalendarRequest) -> AppResult<(String, BusinessCalendar)> {
    let name = text(&request.name, "input.name", 120)?;
    let calendar = BusinessCalendar::parse(&request.time_zone, &request.windows)?;
    Ok((name, calendar))
}

/// Creates a calendar with weekly hours and no special days yet.
pub async fn create(
    app: &App,
    actor: &Actor,
    request: CalendarRequest,
) -> AppResult<business_calendar::Model> {
    actor.require(Action::ManageCalendars)?;
    let (name, calendar) = weekly(&request)?;
    let row = store::insert(&app.db, &name, &calendar).await?;
    tracing::info!(calendar.id = %row.id, "business calendar created");
    Ok(row)
}

/// Renames a calendar or changes its time zone and weekly hours (special days stay), and
/// recounts the open tickets on it.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: Uuid,
    request: CalendarRequest,
    expected_version: Option<i32>,
) -> AppResult<CalendarChange> {
    actor.require(Action::ManageCalendars)?;
    let (name, hours) = weekly(&request)?;
    change(app, id, expected_version, |current| {
        let calendar = hours
            .clone()
            .with_special_days(current.special_days().to_vec())?;
        Ok((name.clone(), calendar))
    })
    .await
}

/// Replaces the special days of `year` with `days` (all in that year), and recounts the open
/// tickets on the calendar.
pub async fn set_days(
    app: &App,
    actor: &Actor,
    id: Uuid,
    year: i32,
    days: Vec<SpecialDay>,
    expected_version: Option<i32>,
) -> AppResult<CalendarChange> {
    actor.require(Action::ManageCalendars)?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad_input("year", "must be between 2000 and 2100"));
    }
    if days.len() > MAX_DAYS_PER_CALL {
        return Err(AppError::bad_input(
            "days",
            format!("at most {MAX_DAYS_PER_CALL} days at a time"),
        ));
    }
    if let Some(day) = days.iter().find(|d| d.date.year() != year) {
        return Err(AppError::bad_input(
            "days",
            format!("{} is not in {year}", day.date),
        ));
    }
    change(app, id, expected_version, |current| {
        Ok((
            current_name(current),
            replace_years(current, &[year], days.clone())?,
        ))
    })
    .await
}

/// Imports the holidays and make-up days of an iCalendar file: the days of each year the
/// file covers (or only of `year`) replace that year's special days. Recounts the open
/// tickets on the calendar.
pub async fn import(
    app: &App,
    actor: &Actor,
    id: Uuid,
    ics: &str,
    year: Option<i32>,
    expected_version: Option<i32>,
) -> AppResult<CalendarImport> {
    actor.require(Action::ManageCalendars)?;
    if let Some(year) = year
        && !(2000..=2100).contains(&year)
    {
        return Err(AppError::bad_input("year", "must be between 2000 and 2100"));
    }
    let Imported { days, skipped } = holidays::from_ics(ics, year)?;
    let mut years: Vec<i32> = days.iter().map(|d| d.date.year()).collect();
    years.dedup();
    if let Some(year) = year {
        years = vec![year];
    }
    if years.is_empty() {
        return Err(AppError::bad_input(
            "ics",
            "the file holds no all-day events to import",
        ));
    }
    let holidays = days
        .iter()
        .filter(|d| d.kind == SpecialDayKind::Holiday)
        .count();
    let working_days = days.len() - holidays;
    let replaced = years.clone();
    let change = change(app, id, expected_version, move |current| {
        Ok((
            current_name(current),
            replace_years(current, &replaced, days.clone())?,
        ))
    })
    .await?;
    tracing::info!(
        calendar.id = %id,
        holidays,
        working_days,
        skipped = skipped.len(),
        "holidays imported"
    );
    Ok(CalendarImport {
        change,
        years,
        holidays,
        working_days,
        skipped,
    })
}

/// Points a department at a calendar (its deadlines count on it).
pub async fn set_department_calendar(
    app: &App,
    actor: &Actor,
    department_id: Uuid,
    calendar_id: Uuid,
) -> AppResult<department::Model> {
    actor.require(Action::ManageCalendars)?;
    get(app, actor, calendar_id).await?;
    store::set_department_calendar(&app.db, department_id, calendar_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => AppError::NotFound("department not found".into()),
            other => other.into(),
        })?;
    careline_persistence::org::department(&app.db, department_id)
        .await?
        .ok_or_else(|| AppError::NotFound("department not found".into()))
}

/// A stored calendar's name (kept by changes to its days).
fn current_name(current: &Current) -> String {
    current.name.clone()
}

/// The calendar as stored, built.
struct Current {
    name: String,
    calendar: BusinessCalendar,
}

impl Current {
    fn special_days(&self) -> &[SpecialDay] {
        self.calendar.special_days()
    }
}

/// `current` with the special days of `years` replaced by `days`.
fn replace_years(
    current: &Current,
    years: &[i32],
    days: Vec<SpecialDay>,
) -> AppResult<BusinessCalendar> {
    let mut all: Vec<SpecialDay> = current
        .special_days()
        .iter()
        .filter(|d| !years.contains(&d.date.year()))
        .cloned()
        .collect();
    all.extend(days);
    Ok(current.calendar.clone().with_special_days(all)?)
}

/// Reads calendar `id`, lets `edit` make the new name and calendar from it, stores them (at
/// `expected_version` if given) and recounts the open tickets on it, in one transaction.
async fn change<F>(
    app: &App,
    id: Uuid,
    expected_version: Option<i32>,
    edit: F,
) -> AppResult<CalendarChange>
where
    F: Fn(&Current) -> AppResult<(String, BusinessCalendar)>,
{
    let at = app.now();
    let txn = app.db.begin().await?;
    let row = store::find(&txn, id)
        .await?
        .ok_or_else(|| AppError::NotFound("calendar not found".into()))?;
    if let Some(expected) = expected_version
        && expected != row.version
    {
        return Err(AppError::Conflict(format!(
            "the calendar was changed by someone else (you have version {expected}, it is now \
             at {}); reload it and try again",
            row.version
        )));
    }
    let current = Current {
        name: row.name.clone(),
        calendar: store::build(&row).map_err(|e| {
            AppError::internal(anyhow::anyhow!("{e}"), "a stored calendar does not build")
        })?,
    };
    let (name, calendar) = edit(&current)?;
    let stored = store::update(&txn, id, row.version, &name, &calendar).await?;
    let tickets_recomputed = if calendar == current.calendar {
        0
    } else {
        recount(&txn, id, &name, &calendar, at).await?
    };
    txn.commit().await?;
    app.committed();
    tracing::info!(calendar.id = %id, tickets_recomputed, "business calendar changed");
    Ok(CalendarChange {
        calendar: stored,
        tickets_recomputed,
    })
}

/// Counts the unmet due times of every open ticket on calendar `id` again on `calendar`, and
/// stores those that moved with one timeline entry each. Returns how many moved.
async fn recount<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    name: &str,
    calendar: &BusinessCalendar,
    at: DateTime<Utc>,
) -> AppResult<usize> {
    let mut moved = 0;
    let mut after = None;
    loop {
        let batch = store::open_tickets_on(db, id, after, RECOUNT_BATCH).await?;
        let Some(last) = batch.last() else {
            return Ok(moved);
        };
        after = Some(last.id);
        let ids: Vec<Uuid> = batch.iter().map(|t| t.id).collect();
        let steps = store::status_steps(db, &ids).await?;
        for t in &batch {
            if recount_one(db, id, t, steps.get(&t.id), name, calendar, at).await? {
                moved += 1;
            }
        }
        if (batch.len() as u64) < RECOUNT_BATCH {
            return Ok(moved);
        }
    }
}

/// Recounts one ticket read with its status changes `steps`; `true` when its due times moved.
/// A ticket another writer changed since it was read is read again and recounted (that
/// writer counted on the calendar as it was before this change).
async fn recount_one<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    t: &ticket::Model,
    steps: Option<&Vec<StatusStep>>,
    name: &str,
    calendar: &BusinessCalendar,
    at: DateTime<Utc>,
) -> AppResult<bool> {
    let mut t = t.clone();
    let mut steps = steps.cloned().unwrap_or_default();
    for _ in 0..3 {
        let history = ClockHistory::from_steps(t.created_at, &steps);
        let clocks = clocks_of(&t, None);
        let new = recounted(&clocks, &clock_facts(&t), &history, calendar.clone());
        if new.first_response_due_at == clocks.first_response_due_at
            && new.resolution_due_at == clocks.resolution_due_at
        {
            return Ok(false);
        }
        let message = describe_move(name, calendar.time_zone(), &clocks, &new);
        if store::store_recount(db, &t, &new, message, at).await? {
            return Ok(true);
        }
        let Some(fresh) = tickets::find(db, t.id).await? else {
            return Ok(false);
        };
        if fresh.ticket.sla_calendar_id != Some(id) {
            return Ok(false);
        }
        t = fresh.ticket;
        steps = store::status_steps(db, &[t.id])
            .await?
            .remove(&t.id)
            .unwrap_or_default();
    }
    Err(AppError::Conflict(
        "tickets on this calendar kept changing while their due times were counted again; \
         try again"
            .into(),
    ))
}

/// "Due times counted again on «Back office»: resolution due 2026-10-05 17:00 (was
/// 2026-10-01 17:00)", in the calendar's local time.
fn describe_move(
    name: &str,
    tz: Tz,
    old: &careline_domain::sla::SlaClocks,
    new: &careline_domain::sla::SlaClocks,
) -> String {
    let local = |at: Option<DateTime<Utc>>| {
        at.map_or_else(
            || "none".to_owned(),
            |at| at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    let mut moves = Vec::new();
    for (label, was, now) in [
        (
            "first response",
            old.first_response_due_at,
            new.first_response_due_at,
        ),
        ("resolution", old.resolution_due_at, new.resolution_due_at),
    ] {
        if was != now {
            moves.push(format!("{label} due {} (was {})", local(now), local(was)));
        }
    }
    format!(
        "Due times counted again on the changed calendar «{name}»: {}",
        moves.join("; ")
    )
}
