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

/// The team (everyone when `None`) whose wallboard the actor asks for, checked: they may see
/// it and it exists.
pub async fn watched_team(app: &App, actor: &Actor, team: Option<Uuid>) -> AppResult<Option<Uuid>> {
    let team = visible_team(actor, team)?;
    if let Some(id) = team
        && org::team(&app.db, id).await?.is_none()
    {
        return Err(AppError::NotFound("team not found".to_owned()));
    }
    Ok(team)
}

/// The wallboard of `team` (everyone's when `None`) as the actor may see it.
pub async fn wallboard(app: &App, actor: &Actor, team: Option<Uuid>) -> AppResult<Figures> {
    let team = watched_team(app, actor, team).await?;
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

/// The local calendar day around `now` in `tz`, as instants. A day starts at its first local
/// minute: midnight itself, or later where the clocks jump forward at midnight.
fn local_day(tz: chrono_tz::Tz, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = |day: chrono::NaiveDate| {
        (0..=180).find_map(|minute| {
            let local = day.and_time(chrono::NaiveTime::MIN) + chrono::Duration::minutes(minute);
            tz.from_local_datetime(&local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        })
    };
    let today = now.with_timezone(&tz).date_naive();
    Some((start(today)?, start(today.checked_add_days(Days::new(1))?)?))
}

/// The figures of `team` (everyone's when `None`), computed once for every screen watching
/// it: the caller (the wallboard hub) has checked each watcher with [`watched_team`].
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
    let Some((from, to)) = local_day(tz, now) else {
        return Err(AppError::internal(
            anyhow::anyhow!("no start of day in the team's time zone"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_midnight_or_at_its_first_minute_when_midnight_is_skipped() {
        let shanghai: chrono_tz::Tz = "Asia/Shanghai".parse().expect("a zone");
        let noon = Utc
            .with_ymd_and_hms(2027, 6, 2, 4, 0, 0)
            .single()
            .expect("a time");
        let (from, to) = local_day(shanghai, noon).expect("a day");
        assert_eq!(
            from,
            Utc.with_ymd_and_hms(2027, 6, 1, 16, 0, 0)
                .single()
                .expect("t")
        );
        assert_eq!(to - from, chrono::Duration::hours(24));
        // Santiago skips 00:00–00:59 on 8 September 2024: that day starts at 01:00 (-03:00).
        let santiago: chrono_tz::Tz = "America/Santiago".parse().expect("a zone");
        let morning = Utc
            .with_ymd_and_hms(2024, 9, 8, 15, 0, 0)
            .single()
            .expect("a time");
        let (from, to) = local_day(santiago, morning).expect("a day despite the jump");
        assert_eq!(
            from,
            Utc.with_ymd_and_hms(2024, 9, 8, 4, 0, 0)
                .single()
                .expect("t")
        );
        assert_eq!(to - from, chrono::Duration::hours(23));
    }
}
