//! Business calendars: weekly hours, holidays and make-up working days, which response-time
//! clocks and department deadlines count on. Staff read them; managers and admins edit them.

use crate::app::calendars::{self as uc, CalendarRequest};
use crate::app::{AppError, AppResult};
use crate::graphql::loaders::{load_failed, loaders};
use crate::graphql::people::Department;
use crate::graphql::{Can, actor, app, found_id, input_id};
use async_graphql::{
    Context, Enum, ID, InputObject, InputValueError, InputValueResult, Object, Scalar, ScalarType,
    SimpleObject, Value,
};
use careline_app::rows::business_calendar;
use careline_domain::Action;
use careline_domain::sla::{SpecialDay, SpecialDayKind};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// A calendar date, `YYYY-MM-DD` (ISO 8601).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD` (ISO 8601), e.g. `2026-10-01`; a local date, without time or
/// time zone.
#[Scalar(
    name = "Date",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| {
                    InputValueError::custom(format!("`{text}` is not a date like 2026-10-01"))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Whether a special day closes or opens.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::sla::SpecialDayKind")]
pub enum CalendarDayKind {
    /// A public holiday: closed, or open only the hours given.
    Holiday,
    /// A make-up working day (调休): open the hours given, or the usual working hours.
    WorkingDay,
}

/// A date on which the weekly hours do not apply.
#[derive(SimpleObject, Clone)]
pub struct CalendarDay {
    /// The local date.
    pub date: Date,
    /// Holiday or make-up working day.
    pub kind: CalendarDayKind,
    /// What the day is, e.g. 国庆节.
    pub name: String,
    /// The hours open that day (`09:00-12:00`); null for a holiday closed all day, or a
    /// working day with the calendar's usual working hours.
    pub windows: Option<String>,
}

impl From<SpecialDay> for CalendarDay {
    fn from(day: SpecialDay) -> Self {
        CalendarDay {
            date: Date(day.date),
            kind: day.kind.into(),
            name: day.name,
            windows: day.windows,
        }
    }
}

/// A special day to set.
#[derive(InputObject)]
pub struct CalendarDayInput {
    /// The local date.
    pub date: Date,
    /// Holiday or make-up working day.
    pub kind: CalendarDayKind,
    /// What the day is, e.g. 国庆节 (at most 120 characters).
    pub name: String,
    /// The hours open that day, as windows without days (`09:00-12:00,13:00-17:00`); omit
    /// for a holiday closed all day or a working day with the usual hours.
    pub windows: Option<String>,
}

/// A calendar's name and weekly hours.
#[derive(InputObject)]
pub struct BusinessCalendarInput {
    /// Unique name (at most 120 characters).
    pub name: String,
    /// IANA time zone, e.g. Asia/Shanghai.
    pub time_zone: String,
    /// Weekly windows, e.g. `Mon-Fri 09:00-18:00` or `24x7`.
    pub windows: String,
}

/// When response-time clocks and department deadlines run: weekly hours in a time zone,
/// holidays and make-up working days.
#[derive(Clone)]
pub struct BusinessCalendar(pub business_calendar::Model);

/// When response-time clocks and department deadlines run: weekly hours in a time zone,
/// holidays and make-up working days.
#[Object]
impl BusinessCalendar {
    /// The calendar's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Unique name, e.g. `Back office (Mon-Fri 09:00-18:00)`.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// IANA time zone.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// Weekly windows in normal form, e.g. `Mon-Fri 09:00-18:00`.
    async fn windows(&self) -> &str {
        &self.0.windows
    }
    /// Holidays and make-up working days in date order, all or of one year.
    async fn days(
        &self,
        #[graphql(desc = "Only the days of this year; omit for every year.")] year: Option<i32>,
    ) -> AppResult<Vec<CalendarDay>> {
        Ok(uc::special_days(&self.0, year)?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// Bumped by every change; pass it as `expectedVersion` to edit safely.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the calendar last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A calendar after a change.
#[derive(SimpleObject)]
pub struct CalendarChange {
    /// The calendar as stored now.
    pub calendar: BusinessCalendar,
    /// Open tickets whose unmet due times were counted again and moved (one timeline entry
    /// each).
    pub tickets_recomputed: i32,
}

impl From<uc::CalendarChange> for CalendarChange {
    fn from(change: uc::CalendarChange) -> Self {
        CalendarChange {
            calendar: BusinessCalendar(change.calendar),
            tickets_recomputed: i32::try_from(change.tickets_recomputed).unwrap_or(i32::MAX),
        }
    }
}

/// What an iCalendar import did.
#[derive(SimpleObject)]
pub struct CalendarImport {
    /// The calendar as stored now.
    pub calendar: BusinessCalendar,
    /// The years whose special days the file replaced.
    pub years: Vec<i32>,
    /// Holidays imported.
    pub holidays: i32,
    /// Make-up working days imported.
    pub working_days: i32,
    /// Events the file held that were not imported, each with why.
    pub skipped: Vec<String>,
    /// Open tickets whose unmet due times moved.
    pub tickets_recomputed: i32,
}

/// The calendar `id` (through the request's loader).
pub async fn load_calendar(ctx: &Context<'_>, id: Uuid) -> AppResult<BusinessCalendar> {
    loaders(ctx)?
        .calendars
        .load_one(id)
        .await
        .map_err(load_failed)?
        .map(BusinessCalendar)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("dangling calendar id"), "calendar"))
}

fn request(input: BusinessCalendarInput) -> CalendarRequest {
    CalendarRequest {
        name: input.name,
        time_zone: input.time_zone,
        windows: input.windows,
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[derive(Default)]
pub(super) struct CalendarQuery;

#[Object]
impl CalendarQuery {
    /// Every business calendar, by name (staff).
    #[graphql(guard = "Can(Action::ReadCalendars)")]
    async fn business_calendars(&self, ctx: &Context<'_>) -> AppResult<Vec<BusinessCalendar>> {
        Ok(uc::list(app(ctx)?, actor(ctx)?)
            .await?
            .into_iter()
            .map(BusinessCalendar)
            .collect())
    }

    /// One business calendar (staff).
    #[graphql(guard = "Can(Action::ReadCalendars)")]
    async fn business_calendar(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calendar's id. An unknown id gives null.")] id: ID,
    ) -> AppResult<Option<BusinessCalendar>> {
        let Ok(id) = found_id(&id, "calendar") else {
            return Ok(None);
        };
        match uc::get(app(ctx)?, actor(ctx)?, id).await {
            Ok(row) => Ok(Some(BusinessCalendar(row))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

#[derive(Default)]
pub(super) struct CalendarMutation;

#[Object]
impl CalendarMutation {
    /// Creates a calendar with weekly hours (managers and admins); add holidays with
    /// `setCalendarDays` or `importHolidayCalendar`.
    #[graphql(guard = "Can(Action::ManageCalendars)")]
    async fn create_business_calendar(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calendar's name, time zone and weekly hours.")]
        input: BusinessCalendarInput,
    ) -> AppResult<BusinessCalendar> {
        Ok(BusinessCalendar(
            uc::create(app(ctx)?, actor(ctx)?, request(input)).await?,
        ))
    }

    /// Renames a calendar or changes its time zone and weekly hours (managers and admins).
    /// Its special days stay; the unmet due times of open tickets on it are counted again.
    #[graphql(guard = "Can(Action::ManageCalendars)")]
    async fn update_business_calendar(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calendar to change.")] id: ID,
        #[graphql(desc = "Its new name, time zone and weekly hours (special days stay).")]
        input: BusinessCalendarInput,
        #[graphql(
            desc = "The `version` you last read; if the calendar has changed since, the change is refused with `CONFLICT`. Omit to skip the check."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<CalendarChange> {
        let id = found_id(&id, "calendar")?;
        Ok(
            uc::update(app(ctx)?, actor(ctx)?, id, request(input), expected_version)
                .await?
                .into(),
        )
    }

    /// Replaces one year's holidays and make-up working days (managers and admins); every
    /// day must fall in `year`, an empty list clears the year. The unmet due times of open
    /// tickets on the calendar are counted again.
    #[graphql(guard = "Can(Action::ManageCalendars)")]
    async fn set_calendar_days(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calendar to change.")] calendar_id: ID,
        #[graphql(desc = "The year whose special days are replaced (2000 to 2100).")] year: i32,
        #[graphql(
            desc = "The year's holidays and make-up working days, all in `year` (at most 400); an empty list clears the year."
        )]
        days: Vec<CalendarDayInput>,
        #[graphql(
            desc = "The `version` you last read; if the calendar has changed since, the change is refused with `CONFLICT`. Omit to skip the check."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<CalendarChange> {
        let id = input_id(&calendar_id, "calendarId")?;
        let days = days
            .into_iter()
            .map(|d| SpecialDay {
                date: d.date.0,
                kind: SpecialDayKind::from(d.kind),
                name: d.name,
                windows: d.windows,
            })
            .collect();
        Ok(
            uc::set_days(app(ctx)?, actor(ctx)?, id, year, days, expected_version)
                .await?
                .into(),
        )
    }

    /// Imports public holidays from an iCalendar (`.ics`) file's text (managers and admins):
    /// all-day events become holidays, those marked 补班 / 上班 / Working day / Workday (in
    /// the summary or categories) make-up working days. The days of each year the file covers
    /// (or only of `year`) replace that year's; open tickets' unmet due times are counted
    /// again.
    #[graphql(guard = "Can(Action::ManageCalendars)")]
    async fn import_holiday_calendar(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calendar to import into.")] calendar_id: ID,
        #[graphql(
            desc = "The text of the iCalendar (`.ics`) file (at most 512 KiB and 2,000 days)."
        )]
        ics: String,
        #[graphql(
            desc = "Import only this year's days (2000 to 2100); omit to replace every year the file covers."
        )]
        year: Option<i32>,
        #[graphql(
            desc = "The `version` you last read; if the calendar has changed since, the change is refused with `CONFLICT`. Omit to skip the check."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<CalendarImport> {
        let id = input_id(&calendar_id, "calendarId")?;
        let done = uc::import(app(ctx)?, actor(ctx)?, id, &ics, year, expected_version).await?;
        Ok(CalendarImport {
            calendar: BusinessCalendar(done.change.calendar),
            years: done.years,
            holidays: count(done.holidays),
            working_days: count(done.working_days),
            skipped: done.skipped,
            tickets_recomputed: count(done.change.tickets_recomputed),
        })
    }

    /// Sets the calendar a department's deadlines count on (managers and admins).
    #[graphql(guard = "Can(Action::ManageCalendars)")]
    async fn set_department_calendar(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The department.")] department_id: ID,
        #[graphql(desc = "The business calendar its deadlines are to count on.")] calendar_id: ID,
    ) -> AppResult<Department> {
        let department = input_id(&department_id, "departmentId")?;
        let calendar = input_id(&calendar_id, "calendarId")?;
        Ok(Department(
            uc::set_department_calendar(app(ctx)?, actor(ctx)?, department, calendar).await?,
        ))
    }
}
