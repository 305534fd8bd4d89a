//! KPI reports, their drill-down to tickets, and complaint analytics. Counting happens in SQL
//! (`careline_persistence::kpi`); formulas and the scope rule live in `careline_domain::kpi`;
//! definitions are written down in `docs/KPIS.md`.

use super::error::{AppError, AppResult};
use super::{Actor, App};
use careline_domain::kpi::{self as rules, Bucket, KpiReader};
use careline_domain::permission::{AnalyticsScope, analytics_scope};
use careline_persistence::entity::ticket;
use careline_persistence::kpi::{self as store, Period, Scope};
use careline_persistence::page::{Page, PageRequest};
use careline_persistence::{org, users};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

pub use careline_persistence::kpi::Metric;

/// Whose KPIs a report covers; `None` ids mean the actor's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRequest {
    /// A person.
    Agent(Option<Uuid>),
    /// A team.
    Team(Option<Uuid>),
    /// A department.
    Department(Option<Uuid>),
    /// Everyone.
    All,
}

/// Durations in business minutes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DurationStats {
    pub count: i32,
    pub average_minutes: Option<f64>,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
}

/// Every KPI over a period; rates are `null` when nothing was there to count.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct KpiReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub tickets_created: i32,
    pub tickets_handled: i32,
    pub tickets_resolved: i32,
    pub resolution_rate: Option<f64>,
    pub first_response: DurationStats,
    pub resolution: DurationStats,
    pub first_response_sla_compliance: Option<f64>,
    pub resolution_sla_compliance: Option<f64>,
    pub first_contact_resolution_rate: Option<f64>,
    pub reopen_rate: Option<f64>,
    pub csat_average: Option<f64>,
    pub csat_satisfied_share: Option<f64>,
    pub csat_response_rate: Option<f64>,
    pub complaints: i32,
    pub complaint_rate: Option<f64>,
    pub praise: i32,
    pub escalations: i32,
    pub follow_up_completion_rate: Option<f64>,
    pub backlog: i32,
    pub overdue: i32,
    /// Complaints with a JUSTIFIED verdict naming someone in the scope (absent from reports
    /// frozen before it existed: 0).
    #[serde(default)]
    pub justified_complaints_against: i32,
    /// Quality inspections of the scope's people in the period.
    #[serde(default)]
    pub quality_reviews: i32,
    /// Their mean total, 0–100.
    #[serde(default)]
    pub quality_average: Option<f64>,
    /// Praise crediting someone in the scope.
    #[serde(default)]
    pub praise_received: i32,
    /// Minutes the scope's people logged on tickets in the period.
    #[serde(default)]
    pub time_spent_minutes: i32,
}

/// A count under a key.
#[derive(Clone, Debug, PartialEq)]
pub struct CountByKey {
    pub key: String,
    pub count: i32,
}

/// A count in one trend bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct BucketCount {
    pub bucket_start: DateTime<Utc>,
    pub count: i32,
}

/// Complaints over a period, for prevention.
#[derive(Clone, Debug, PartialEq)]
pub struct ComplaintAnalytics {
    pub total: i32,
    pub by_category: Vec<CountByKey>,
    pub by_severity: Vec<CountByKey>,
    pub by_channel: Vec<CountByKey>,
    /// By the department a complaint was dispatched to (its name); `UNASSIGNED` if never.
    pub by_department: Vec<CountByKey>,
    /// By the verdict of the analysis; `PENDING` until recorded.
    pub by_verdict: Vec<CountByKey>,
    /// By the root cause recorded with the verdict; `PENDING` until recorded.
    pub by_root_cause: Vec<CountByKey>,
    pub trend: Vec<BucketCount>,
    pub repeat_complainants: i32,
    pub open_corrective_actions: i32,
    /// Closed by a lead with the customer still disagreeing (counted apart: no satisfied
    /// follow-up was recorded for them).
    pub closed_with_customer_disagreeing: i32,
    /// Justified complaints by the business department found responsible (its name);
    /// `NONE` for those that name employees only.
    pub by_responsible_department: Vec<CountByKey>,
}

fn int(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub fn check_period(from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<()> {
    if to <= from {
        return Err(AppError::bad_input("to", "must be after from"));
    }
    Ok(())
}

/// Resolves the scope argument to ids, checks it exists and that the caller may read it.
pub async fn resolve_scope(app: &App, v: &Actor, scope: ScopeRequest) -> AppResult<Scope> {
    let db = &app.db;
    let missing = |what: &str| AppError::NotFound(format!("{what} not found"));
    let (store_scope, rule_scope) = match scope {
        ScopeRequest::Agent(id) => {
            let person = match id {
                None => v.user.clone(),
                Some(id) => users::find(db, id)
                    .await?
                    .filter(|u| u.role_set().is_staff())
                    .ok_or_else(|| missing("staff member"))?,
            };
            (
                Scope::Agent(person.id),
                rules::KpiScope::Agent {
                    user_id: person.id,
                    team_id: person.team_id,
                },
            )
        }
        ScopeRequest::Team(id) => {
            let team = id
                .or(v.user.team_id)
                .ok_or_else(|| AppError::bad_input("scope.id", "name the team"))?;
            org::team(db, team).await?.ok_or_else(|| missing("team"))?;
            (Scope::Team(team), rules::KpiScope::Team(team))
        }
        ScopeRequest::Department(id) => {
            let dept = id
                .or(v.user.department_id)
                .ok_or_else(|| AppError::bad_input("scope.id", "name the department"))?;
            org::department(db, dept)
                .await?
                .ok_or_else(|| missing("department"))?;
            (Scope::Department(dept), rules::KpiScope::Department(dept))
        }
        ScopeRequest::All => (Scope::All, rules::KpiScope::All),
    };
    let reader = KpiReader {
        user_id: v.user.id,
        roles: v.user.role_set(),
        led_teams: super::people::led_teams(app, &v.user).await?,
    };
    if !rules::may_read(&reader, &rule_scope) {
        return Err(AppError::Forbidden(
            "agents read their own KPIs, supervisors their team's, managers everyone's".to_owned(),
        ));
    }
    Ok(store_scope)
}

fn duration_stats(s: rules::DurationSummary) -> DurationStats {
    DurationStats {
        count: int(s.count),
        average_minutes: s.average,
        median_minutes: s.median,
        p90_minutes: s.p90,
    }
}

/// The KPI report of `scope` over `[from, to)`, with backlog and pending targets as of `now`.
/// Also what a finalized review freezes.
pub async fn report(
    app: &App,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<KpiReport> {
    let period = Period { from, to, now };
    let c = store::counts(&app.db, scope, period).await?;
    let resolved = c.of(Metric::TicketsResolved);
    let due = |d: Metric, m: Metric| rules::rate(c.of(d).saturating_sub(c.of(m)), c.of(d));
    Ok(KpiReport {
        from,
        to,
        tickets_created: int(c.of(Metric::TicketsCreated)),
        tickets_handled: int(c.of(Metric::TicketsHandled)),
        tickets_resolved: int(resolved),
        resolution_rate: rules::rate(resolved, c.of(Metric::TicketsHandled)),
        first_response: duration_stats(c.first_response),
        resolution: duration_stats(c.resolution),
        first_response_sla_compliance: due(
            Metric::FirstResponseSlaDue,
            Metric::FirstResponseSlaMissed,
        ),
        resolution_sla_compliance: due(Metric::ResolutionSlaDue, Metric::ResolutionSlaMissed),
        first_contact_resolution_rate: rules::rate(c.of(Metric::FirstContactResolutions), resolved),
        reopen_rate: rules::rate(c.of(Metric::Reopened), resolved),
        csat_average: rules::average(c.rating_sum, c.ratings),
        csat_satisfied_share: rules::rate(c.satisfied, c.ratings),
        csat_response_rate: rules::rate(c.ratings, c.resolutions),
        complaints: int(c.of(Metric::Complaints)),
        // Everyone: the share of intake that is complaints. A person, team or department: the
        // complaints about them per ticket they handled.
        complaint_rate: rules::rate(
            c.of(Metric::Complaints),
            c.of(match scope {
                Scope::All => Metric::TicketsCreated,
                _ => Metric::TicketsHandled,
            }),
        ),
        praise: int(c.of(Metric::Praise)),
        escalations: int(c.escalations),
        follow_up_completion_rate: rules::rate(
            c.of(Metric::FollowedUpComplaints),
            c.of(Metric::ClosedComplaints),
        ),
        backlog: int(c.of(Metric::Backlog)),
        overdue: int(c.of(Metric::Overdue)),
        justified_complaints_against: int(c.of(Metric::JustifiedComplaintsAgainst)),
        quality_reviews: int(c.quality_reviews),
        quality_average: (c.quality_reviews > 0)
            .then(|| c.quality_total_sum / c.quality_reviews as f64),
        praise_received: int(c.of(Metric::PraiseReceived)),
        time_spent_minutes: int(c.time_spent_minutes),
    })
}

fn key_or(value: Option<String>, none: &str) -> String {
    value.unwrap_or_else(|| none.to_owned())
}

fn counts_by_key(rows: Vec<(Option<String>, u64)>, none: &str) -> Vec<CountByKey> {
    rows.into_iter()
        .map(|(k, n)| CountByKey {
            key: key_or(k, none),
            count: int(n),
        })
        .collect()
}

/// The KPI report of `scope` over `[from, to)` as the actor may read it, as of now.
pub async fn kpis(
    app: &App,
    actor: &Actor,
    scope: ScopeRequest,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<KpiReport> {
    check_period(from, to)?;
    let scope = resolve_scope(app, actor, scope).await?;
    report(app, scope, from, to, app.now()).await
}

/// The tickets behind one KPI figure, by id; the same rules as [`kpis`].
pub async fn kpi_tickets(
    app: &App,
    actor: &Actor,
    scope: ScopeRequest,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    metric: Metric,
    page: PageRequest,
) -> AppResult<Page<ticket::Model>> {
    check_period(from, to)?;
    let scope = resolve_scope(app, actor, scope).await?;
    let period = Period {
        from,
        to,
        now: app.now(),
    };
    Ok(store::tickets(&app.db, scope, period, metric, page).await?)
}

/// Complaints created in `[from, to)`: totals by category, severity, channel and department, a
/// trend in buckets of the organisation's time zone, repeat complainants and open corrective
/// actions. Liaisons see the complaints dispatched to their department.
pub async fn complaint_analytics(
    app: &App,
    actor: &Actor,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    width: Bucket,
) -> AppResult<ComplaintAnalytics> {
    check_period(from, to)?;
    let department = match analytics_scope(actor.roles(), actor.user.department_id) {
        AnalyticsScope::Everything => None,
        AnalyticsScope::Department(d) => Some(d),
        AnalyticsScope::Nothing => {
            return Err(AppError::Forbidden(
                "complaint analytics need a department".to_owned(),
            ));
        }
    };
    complaint_figures(app, department, (from, to), width).await
}

/// [`complaint_analytics`] of every complaint, or of those dispatched to `department`, with
/// no reader to check (the reports the server generates itself).
pub async fn complaint_figures(
    app: &App,
    department: Option<Uuid>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    width: Bucket,
) -> AppResult<ComplaintAnalytics> {
    check_period(from, to)?;
    let db = &app.db;
    let starts = rules::bucket_starts(from, to, width, rules::organisation_time_zone())
        .ok_or_else(|| {
            AppError::bad_input(
                "bucket",
                format!(
                    "at most {} buckets; choose a wider bucket or a shorter period",
                    rules::MAX_BUCKETS
                ),
            )
        })?;
    // Each bucket counts only the part of it inside the period.
    let ranges: Vec<(DateTime<Utc>, DateTime<Utc>)> = starts
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let end = starts.get(i + 1).copied().unwrap_or(to).min(to);
            ((*s).max(from), end)
        })
        .collect();
    let c = store::complaint_counts(db, from, to, department, &ranges).await?;
    let ids: Vec<Uuid> = c
        .by_department
        .iter()
        .chain(&c.by_responsible_department)
        .filter_map(|(d, _)| *d)
        .collect();
    let names: HashMap<Uuid, String> = org::departments_by_id(db, &ids)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    Ok(ComplaintAnalytics {
        total: int(c.total),
        by_category: counts_by_key(c.by_category, "UNSPECIFIED"),
        by_severity: counts_by_key(c.by_severity, "UNSPECIFIED"),
        by_channel: counts_by_key(c.by_channel, "UNSPECIFIED"),
        by_department: c
            .by_department
            .into_iter()
            .map(|(d, n)| CountByKey {
                key: match d {
                    Some(id) => names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
                    None => "UNASSIGNED".to_owned(),
                },
                count: int(n),
            })
            .collect(),
        by_verdict: counts_by_key(c.by_verdict, "PENDING"),
        by_root_cause: counts_by_key(c.by_root_cause, "PENDING"),
        trend: starts
            .into_iter()
            .zip(c.trend)
            .map(|(bucket_start, n)| BucketCount {
                bucket_start,
                count: int(n),
            })
            .collect(),
        repeat_complainants: int(c.repeat_complainants),
        open_corrective_actions: int(c.open_corrective_actions),
        closed_with_customer_disagreeing: int(c.closed_disagreeing),
        by_responsible_department: c
            .by_responsible_department
            .into_iter()
            .map(|(d, n)| CountByKey {
                key: match d {
                    Some(id) => names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
                    None => "NONE".to_owned(),
                },
                count: int(n),
            })
            .collect(),
    })
}

/// How often the rollup worker looks for closed days to roll up.
const ROLLUP_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Rolls up closed days of everyone's KPIs at start (the backfill after migration
/// `m0019_kpi_daily_rollups`) and every ten minutes after (days a writer changed are rolled up
/// again), so reports over long periods read a few rows per day. Uses the real clock, the one
/// writers compare their instants with.
pub fn spawn_rollup_worker(app: App) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(ROLLUP_EVERY);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            log_rollup(store::rollups::build(&app.db, careline_persistence::now()).await);
        }
    });
}

/// Logs how one rollup round went; a failure with its whole cause chain (a `StoreError`
/// alone reads "database error").
fn log_rollup(result: Result<u64, careline_persistence::StoreError>) {
    match result {
        Ok(0) => {}
        Ok(days) => tracing::info!(days, "KPI days rolled up"),
        Err(err) => tracing::warn!(
            error = %crate::error::chain(&err),
            "rolling up KPI days failed; retrying later"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::log_rollup;
    use careline_persistence::StoreError;
    use std::sync::{Arc, Mutex};

    /// Everything logged while `f` runs, as text.
    fn logged(f: impl FnOnce()) -> String {
        let out = Arc::new(Mutex::new(Vec::<u8>::new()));
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || Buffer(writer.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        let bytes = out.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut out) = self.0.lock() {
                out.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_rollup_logs_the_database_s_reason() {
        let text = logged(|| {
            log_rollup(Err(StoreError::Db(sea_orm::DbErr::Custom(
                "disk full".to_owned(),
            ))))
        });
        assert!(text.contains("rolling up KPI days failed"), "{text}");
        assert!(text.contains("disk full"), "the cause is logged: {text}");
    }
}
