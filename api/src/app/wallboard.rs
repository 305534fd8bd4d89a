//! Wallboard figures of a team (or of everyone): the live queue's counts, the agents available,
//! and today's intake, resolutions, first-response SLA compliance and CSAT — the same figures
//! the queue and the KPI report give, for the team's calendar day. `crate::wallboard` pushes
//! them to subscribers when they change.

use super::error::{AppError, AppResult};
use super::floor::visible_queue;
use super::{Actor, App};
use careline_domain::org::Presence;
use careline_domain::sla::{BusinessCalendar, DEFAULT_TIME_ZONE};
use careline_persistence::kpi::Scope;
use careline_persistence::{calendars, org, sla as store};
use chrono::{DateTime, Days, TimeZone, Utc};
use uuid::Uuid;

/// A wallboard's figures at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// When they were counted.
    pub at: DateTime<Utc>,
    /// Open tickets.
    pub waiting: u64,
    /// Open tickets nobody holds.
    pub unassigned: u64,
    /// Open tickets past 80 % of a target, not yet overdue.
    pub at_risk: u64,
    /// Open tickets past a due time.
    pub overdue: u64,
    /// Active agents and tech support (of the team) whose presence is AVAILABLE.
    pub agents_available: u64,
    /// Tickets created today (the team's calendar day).
    pub created_today: i32,
    /// Tickets resolved today.
    pub resolved_today: i32,
    /// First-response SLA compliance of targets due today.
    pub first_response_sla_compliance_today: Option<f64>,
    /// The mean rating given today.
    pub csat_average_today: Option<f64>,
}

impl Figures {
    /// Whether the figures (not the instant) differ.
    pub fn same_as(&self, other: &Figures) -> bool {
        Figures {
            at: other.at,
            ..self.clone()
        } == *other
    }
}

/// Which team's wallboard the actor may watch: leads any team or everyone; agents and tech
/// support their own team. Liaisons and others have no wallboard.
pub fn visible_team(actor: &Actor, team: Option<Uuid>) -> AppResult<Option<Uuid>> {
    match visible_queue(actor, team, None)? {
        (team, None) => Ok(team),
        (_, Some(_)) => Err(AppError::Forbidden(
            "wallboards show a team's figures; watch your department's queue instead".to_owned(),
        )),
    }
}

/// The wallboard of `team` (everyone's when `None`) as the actor may see it.
pub async fn wallboard(app: &App, actor: &Actor, team: Option<Uuid>) -> AppResult<Figures> {
    let team = visible_team(actor, team)?;
    if let Some(id) = team
        && org::team(&app.db, id).await?.is_none()
    {
        return Err(AppError::NotFound("team not found".to_owned()));
    }
    figures(app, team).await
}

/// The time zone a team's day is counted in: its department's calendar's, else the default.
async fn time_zone(app: &App, team: Option<Uuid>) -> AppResult<chrono_tz::Tz> {
    let default = || {
        DEFAULT_TIME_ZONE
            .parse::<chrono_tz::Tz>()
            .unwrap_or(chrono_tz::UTC)
    };
    let Some(team) = team else {
        return Ok(default());
    };
    let department = match org::team(&app.db, team).await? {
        Some(t) => org::department(&app.db, t.department_id).await?,
        None => None,
    };
    if let Some(calendar) = department.and_then(|d| d.calendar_id) {
        let calendar: Option<BusinessCalendar> = calendars::load(&app.db, calendar).await?;
        if let Some(calendar) = calendar {
            return Ok(calendar.time_zone());
        }
    }
    Ok(default())
}

/// Counts the figures of `team` (everyone's when `None`) now; no permission check.
pub async fn figures(app: &App, team: Option<Uuid>) -> AppResult<Figures> {
    let now = app.now();
    let counts = store::queue_counts(&app.db, team, None, now).await?;
    let available = Presence::Available.as_str();
    let agents_available = store::queue_agents(&app.db, team)
        .await?
        .iter()
        .filter(|a| a.presence == available)
        .count() as u64;
    let tz = time_zone(app, team).await?;
    let local = now.with_timezone(&tz).date_naive();
    let start = |day: chrono::NaiveDate| {
        tz.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(from), Some(to)) = (
        start(local),
        local.checked_add_days(Days::new(1)).and_then(start),
    ) else {
        return Err(AppError::internal(
            anyhow::anyhow!("no midnight in the team's time zone"),
            "wallboard day",
        ));
    };
    let scope = team.map_or(Scope::All, Scope::Team);
    let today = super::kpi::report(app, scope, from, to, now).await?;
    Ok(Figures {
        at: now,
        waiting: counts.waiting,
        unassigned: counts.unassigned,
        at_risk: counts.at_risk,
        overdue: counts.overdue,
        agents_available,
        created_today: today.tickets_created,
        resolved_today: today.tickets_resolved,
        first_response_sla_compliance_today: today.first_response_sla_compliance,
        csat_average_today: today.csat_average,
    })
}
