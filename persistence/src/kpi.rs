//! KPI counting in SQL. Every metric is a set of tickets written once as SQL (`metric_set`);
//! the report counts each set in one round trip, and the drill-down pages through the very
//! same set, so a number and the tickets behind it cannot disagree. Durations are business
//! minutes recorded on the ticket when the clock stops (`minutes_since_creation`), so their
//! average, median and 90th percentile are SQL aggregates too: ordered-set aggregates on
//! PostgreSQL, window functions on SQLite. No ticket is loaded into memory for a report.
//!
//! The SQL is hand-written for portability (it runs unchanged on SQLite and PostgreSQL, except
//! for the percentiles): placeholders are `$n` (sqlx's SQLite driver accepts them too),
//! timestamps are always bound values. Definitions: `docs/KPIS.md`.

use crate::StoreError;
use crate::entity::ticket::{self, Entity as Ticket};
use crate::entity::ticket_event;
use crate::page::{Page, PageRequest};
use careline_domain::kpi::{DurationSummary, duration_minutes, ticket_calendar};
use careline_domain::role::Role;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, DbBackend, QueryOrder, QuerySelect, Statement, Value};

/// Whose work is counted, resolved to ids (see `docs/KPIS.md` for how each metric attributes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One staff member.
    Agent(Uuid),
    /// A team.
    Team(Uuid),
    /// A department.
    Department(Uuid),
    /// Everyone.
    All,
}

/// The half-open period `[from, to)` and the instant "now" for backlog and pending SLA targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Start, inclusive.
    pub from: DateTime<Utc>,
    /// End, exclusive.
    pub to: DateTime<Utc>,
    /// The current time.
    pub now: DateTime<Utc>,
}

/// A set of tickets a KPI counts; `kpiTickets` pages through one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// `ticketsCreated`.
    TicketsCreated,
    /// `ticketsHandled`.
    TicketsHandled,
    /// `ticketsResolved`, and the tickets behind `resolution`.
    TicketsResolved,
    /// The tickets behind `firstResponse`.
    FirstResponses,
    /// The denominator of `firstResponseSlaCompliance`.
    FirstResponseSlaDue,
    /// Those of the denominator that missed the target.
    FirstResponseSlaMissed,
    /// The denominator of `resolutionSlaCompliance`.
    ResolutionSlaDue,
    /// Those of the denominator that missed the target.
    ResolutionSlaMissed,
    /// The numerator of `firstContactResolutionRate`.
    FirstContactResolutions,
    /// The numerator of `reopenRate`.
    Reopened,
    /// Tickets whose ratings count in CSAT.
    Rated,
    /// `complaints`.
    Complaints,
    /// `praise`.
    Praise,
    /// Tickets escalated in the period.
    Escalated,
    /// The denominator of `followUpCompletionRate`: complaints closed in the period.
    ClosedComplaints,
    /// Its numerator: those with a follow-up visit.
    FollowedUpComplaints,
    /// `backlog`.
    Backlog,
    /// `overdue`.
    Overdue,
}

impl Metric {
    /// Every metric the report counts as a ticket set, in report order.
    pub const ALL: [Metric; 18] = [
        Metric::TicketsCreated,
        Metric::TicketsHandled,
        Metric::TicketsResolved,
        Metric::FirstResponses,
        Metric::FirstResponseSlaDue,
        Metric::FirstResponseSlaMissed,
        Metric::ResolutionSlaDue,
        Metric::ResolutionSlaMissed,
        Metric::FirstContactResolutions,
        Metric::Reopened,
        Metric::Rated,
        Metric::Complaints,
        Metric::Praise,
        Metric::Escalated,
        Metric::ClosedComplaints,
        Metric::FollowedUpComplaints,
        Metric::Backlog,
        Metric::Overdue,
    ];
}

/// Statuses that still need work; `backlog` counts these.
const OPEN_STATUSES: &str = "('NEW', 'OPEN', 'PENDING_DEPARTMENT', 'PENDING_CUSTOMER')";

/// SQL text with numbered placeholders; each named value is bound once however often it is
/// used, because PostgreSQL refuses parameters a statement never mentions.
struct Sql {
    backend: DbBackend,
    values: Vec<Value>,
    names: Vec<String>,
    scope: Scope,
    period: Period,
}

impl Sql {
    fn new(backend: DbBackend, scope: Scope, period: Period) -> Self {
        Sql {
            backend,
            values: Vec::new(),
            names: Vec::new(),
            scope,
            period,
        }
    }

    fn bind(&mut self, name: &str, value: impl FnOnce() -> Value) -> String {
        let index = match self.names.iter().position(|n| *n == name) {
            Some(i) => i,
            None => {
                self.names.push(name.to_owned());
                self.values.push(value());
                self.names.len() - 1
            }
        };
        format!("${}", index + 1)
    }

    fn from(&mut self) -> String {
        let v = self.period.from;
        self.bind("from", || v.into())
    }

    fn to(&mut self) -> String {
        let v = self.period.to;
        self.bind("to", || v.into())
    }

    fn now(&mut self) -> String {
        let v = self.period.now;
        self.bind("now", || v.into())
    }

    fn id(&mut self, id: Uuid) -> String {
        self.bind("scope", || id.into())
    }

    /// `col` lies in the period.
    fn within(&mut self, col: &str) -> String {
        format!("{col} >= {} AND {col} < {}", self.from(), self.to())
    }

    /// The ticket aliased `t` belongs to the scope: the agent owns it (first-contact
    /// responsibility), the team handles it, it belongs to the department (dispatched there or
    /// handled by one of its teams).
    fn ticket_in(&mut self) -> String {
        match self.scope {
            Scope::Agent(a) => format!("t.owner_id = {}", self.id(a)),
            Scope::Team(team) => format!("t.team_id = {}", self.id(team)),
            Scope::Department(d) => {
                let d = self.id(d);
                format!(
                    "(t.department_id = {d} OR t.team_id IN \
                     (SELECT tm.id FROM teams tm WHERE tm.department_id = {d}))"
                )
            }
            Scope::All => "1 = 1".to_owned(),
        }
    }

    /// The person in `col` is in the scope: the agent, a member of the team or department, or
    /// any staff member (every role bit above `CUSTOMER`'s) for everyone.
    fn person_in(&mut self, col: &str) -> String {
        match self.scope {
            Scope::Agent(a) => format!("{col} = {}", self.id(a)),
            Scope::Team(team) => format!(
                "{col} IN (SELECT u.id FROM users u WHERE u.team_id = {})",
                self.id(team)
            ),
            Scope::Department(d) => format!(
                "{col} IN (SELECT u.id FROM users u WHERE u.department_id = {})",
                self.id(d)
            ),
            Scope::All => format!(
                "{col} IN (SELECT u.id FROM users u WHERE u.roles > {})",
                Role::Customer.bit()
            ),
        }
    }

    /// RESOLVED events in the period recorded by someone in scope, aliased `e`.
    fn resolutions_where(&mut self) -> String {
        let within = self.within("e.at");
        let by = self.person_in("e.actor_id");
        format!("e.kind = 'RESOLVED' AND {within} AND {by}")
    }

    /// Ratings given in the period whose rated resolution was recorded by someone in scope.
    fn ratings_where(&mut self) -> String {
        let within = self.within("s.at");
        let by = self.person_in("s.resolved_by");
        format!("{within} AND {by}")
    }

    /// Tickets first answered in the period, acknowledged by the scope; selecting `columns`.
    fn first_responses(&mut self, columns: &str) -> String {
        let within = self.within("t.first_responded_at");
        let by = match self.scope {
            Scope::All => "1 = 1".to_owned(),
            _ => {
                let person = self.person_in("a.actor_id");
                format!(
                    "EXISTS (SELECT 1 FROM ticket_events a WHERE a.ticket_id = t.id \
                     AND a.kind = 'ACKNOWLEDGED' AND {person})"
                )
            }
        };
        format!("SELECT {columns} FROM tickets t WHERE {within} AND {by}")
    }

    /// SQL selecting the ids (column `id`) of the tickets `metric` counts.
    fn metric_set(&mut self, metric: Metric) -> String {
        match metric {
            Metric::TicketsCreated => {
                let within = self.within("t.created_at");
                let scope = self.ticket_in();
                format!("SELECT t.id FROM tickets t WHERE {within} AND {scope}")
            }
            Metric::Complaints => {
                let created = self.metric_set(Metric::TicketsCreated);
                format!("{created} AND t.kind = 'COMPLAINT'")
            }
            Metric::Praise => {
                let within = self.within("t.created_at");
                let praised = match self.scope {
                    Scope::Agent(_) => self.person_in("t.praised_employee_id"),
                    Scope::All => "1 = 1".to_owned(),
                    Scope::Team(_) | Scope::Department(_) => {
                        let person = self.person_in("t.praised_employee_id");
                        let ticket = self.ticket_in();
                        format!("({person} OR (t.praised_employee_id IS NULL AND {ticket}))")
                    }
                };
                format!(
                    "SELECT t.id FROM tickets t WHERE t.kind = 'PRAISE' AND {within} AND {praised}"
                )
            }
            Metric::TicketsHandled => {
                let within = self.within("e.at");
                let by = self.person_in("e.actor_id");
                format!(
                    "SELECT DISTINCT e.ticket_id AS id FROM ticket_events e WHERE {within} AND {by}"
                )
            }
            Metric::TicketsResolved => {
                let w = self.resolutions_where();
                format!("SELECT DISTINCT e.ticket_id AS id FROM ticket_events e WHERE {w}")
            }
            Metric::FirstContactResolutions => {
                let w = self.resolutions_where();
                format!(
                    "SELECT DISTINCT e.ticket_id AS id FROM ticket_events e \
                     WHERE {w} AND e.first_contact = TRUE"
                )
            }
            Metric::Reopened => {
                let w = self.resolutions_where();
                format!(
                    "SELECT r.id FROM (SELECT e.ticket_id AS id, MIN(e.at) AS res_at \
                     FROM ticket_events e WHERE {w} GROUP BY e.ticket_id) r \
                     WHERE EXISTS (SELECT 1 FROM ticket_events o WHERE o.ticket_id = r.id \
                     AND o.kind = 'REOPENED' AND o.at > r.res_at)"
                )
            }
            Metric::FirstResponses => self.first_responses("t.id"),
            Metric::FirstResponseSlaDue | Metric::FirstResponseSlaMissed => {
                let within = self.within("t.first_response_due_at");
                let now = self.now();
                let scope = self.ticket_in();
                let missed = if metric == Metric::FirstResponseSlaMissed {
                    " AND (t.first_responded_at IS NULL \
                     OR t.first_responded_at > t.first_response_due_at)"
                } else {
                    ""
                };
                // A target still running (due later than now, not yet met) is not decided yet.
                format!(
                    "SELECT t.id FROM tickets t WHERE {within} AND {scope} \
                     AND (t.first_responded_at IS NOT NULL OR t.first_response_due_at <= {now})\
                     {missed}"
                )
            }
            Metric::ResolutionSlaDue | Metric::ResolutionSlaMissed => {
                let within = self.within("t.resolution_due_at");
                let now = self.now();
                let scope = self.ticket_in();
                let missed = if metric == Metric::ResolutionSlaMissed {
                    " AND (x.first_res IS NULL OR x.first_res > x.due)"
                } else {
                    ""
                };
                format!(
                    "SELECT x.id FROM (SELECT t.id, t.resolution_due_at AS due, \
                     t.first_resolved_at AS first_res FROM tickets t WHERE {within} AND {scope}) x \
                     WHERE (x.first_res IS NOT NULL OR x.due <= {now}){missed}"
                )
            }
            Metric::Rated => {
                let w = self.ratings_where();
                format!("SELECT DISTINCT s.ticket_id AS id FROM satisfaction_ratings s WHERE {w}")
            }
            Metric::Escalated => {
                let within = self.within("e.at");
                let scope = self.ticket_in();
                format!(
                    "SELECT DISTINCT e.ticket_id AS id FROM ticket_events e \
                     JOIN tickets t ON t.id = e.ticket_id \
                     WHERE e.kind = 'ESCALATED' AND {within} AND {scope}"
                )
            }
            Metric::ClosedComplaints => {
                let within = self.within("c.at");
                let scope = self.ticket_in();
                format!(
                    "SELECT t.id FROM tickets t WHERE t.kind = 'COMPLAINT' AND {scope} \
                     AND t.id IN (SELECT c.ticket_id FROM ticket_events c \
                     WHERE c.kind = 'CLOSED' AND {within})"
                )
            }
            Metric::FollowedUpComplaints => {
                let closed = self.metric_set(Metric::ClosedComplaints);
                format!(
                    "{closed} AND EXISTS (SELECT 1 FROM follow_ups fu WHERE fu.ticket_id = t.id)"
                )
            }
            Metric::Backlog => {
                let scope = self.ticket_in();
                format!("SELECT t.id FROM tickets t WHERE t.status IN {OPEN_STATUSES} AND {scope}")
            }
            Metric::Overdue => {
                let backlog = self.metric_set(Metric::Backlog);
                let now = self.now();
                format!(
                    "{backlog} AND (t.resolution_due_at < {now} OR \
                     (t.first_responded_at IS NULL AND t.first_response_due_at < {now}))"
                )
            }
        }
    }

    fn statement(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

/// The statement counting one metric's ticket set on its own (for benchmarks that show which
/// figure costs what; the report counts every set in one statement).
pub fn count_statement(
    backend: DbBackend,
    scope: Scope,
    period: Period,
    metric: Metric,
) -> Statement {
    let mut q = Sql::new(backend, scope, period);
    let set = q.metric_set(metric);
    q.statement(format!("SELECT COUNT(*) AS n FROM ({set}) s"))
}

/// Everything a KPI report counts; `careline_domain::kpi` turns these into rates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Tickets in each metric's set, in [`Metric::ALL`] order.
    pub sets: Vec<u64>,
    /// RESOLVED events (resolutions, not tickets) in the period by the scope.
    pub resolutions: u64,
    /// ESCALATED events on the scope's tickets in the period.
    pub escalations: u64,
    /// Ratings counted.
    pub ratings: u64,
    /// Their sum.
    pub rating_sum: u64,
    /// Those rated 4 or 5.
    pub satisfied: u64,
}

impl Counts {
    /// The size of `metric`'s set.
    pub fn of(&self, metric: Metric) -> u64 {
        Metric::ALL
            .iter()
            .position(|m| *m == metric)
            .and_then(|i| self.sets.get(i).copied())
            .unwrap_or(0)
    }
}

fn count(row: &sea_orm::QueryResult, column: &str) -> Result<u64, StoreError> {
    let v: Option<i64> = row.try_get("", column)?;
    Ok(u64::try_from(v.unwrap_or(0)).unwrap_or(0))
}

/// Counts every metric for `scope` over `period` in a single statement.
pub async fn counts<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    period: Period,
) -> Result<Counts, StoreError> {
    let mut q = Sql::new(db.get_database_backend(), scope, period);
    let mut columns = Vec::new();
    for (i, metric) in Metric::ALL.into_iter().enumerate() {
        let set = q.metric_set(metric);
        columns.push(format!("(SELECT COUNT(*) FROM ({set}) s{i}) AS m{i}"));
    }
    let resolutions = q.resolutions_where();
    columns.push(format!(
        "(SELECT COUNT(*) FROM ticket_events e WHERE {resolutions}) AS resolutions"
    ));
    let within = q.within("e.at");
    let scope_sql = q.ticket_in();
    columns.push(format!(
        "(SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id \
         WHERE e.kind = 'ESCALATED' AND {within} AND {scope_sql}) AS escalations"
    ));
    let rated = q.ratings_where();
    columns.push(format!(
        "(SELECT COUNT(*) FROM satisfaction_ratings s WHERE {rated}) AS ratings"
    ));
    columns.push(format!(
        "(SELECT SUM(s.rating) FROM satisfaction_ratings s WHERE {rated}) AS rating_sum"
    ));
    columns.push(format!(
        "(SELECT COUNT(*) FROM satisfaction_ratings s WHERE {rated} AND s.rating >= 4) \
         AS satisfied"
    ));
    let sql = format!("SELECT {}", columns.join(", "));
    let row = db
        .query_one_raw(q.statement(sql))
        .await?
        .ok_or_else(|| StoreError::Db(DbErr::Custom("KPI counts returned no row".into())))?;
    let mut sets = Vec::with_capacity(Metric::ALL.len());
    for i in 0..Metric::ALL.len() {
        sets.push(count(&row, &format!("m{i}"))?);
    }
    Ok(Counts {
        sets,
        resolutions: count(&row, "resolutions")?,
        escalations: count(&row, "escalations")?,
        ratings: count(&row, "ratings")?,
        rating_sum: count(&row, "rating_sum")?,
        satisfied: count(&row, "satisfied")?,
    })
}

/// Which duration to summarise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Creation to first response, over [`Metric::FirstResponses`].
    FirstResponse,
    /// Creation to first resolution, over [`Metric::TicketsResolved`].
    Resolution,
}

/// Count, mean, median (mean of the middle two for an even count) and 90th percentile by
/// nearest rank of the recorded durations of the tickets `clock` counts, in one statement.
pub async fn durations<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    period: Period,
    clock: Clock,
) -> Result<DurationSummary, StoreError> {
    let backend = db.get_database_backend();
    let mut q = Sql::new(backend, scope, period);
    // The tickets a duration figure counts, with their recorded minutes: first responses
    // straight from the tickets, resolutions from their timeline entries (each carries the
    // ticket's first-resolution minutes).
    let values = match clock {
        Clock::FirstResponse => format!(
            "{} AND t.first_response_minutes IS NOT NULL",
            q.first_responses("t.first_response_minutes AS m")
        ),
        Clock::Resolution => {
            let w = q.resolutions_where();
            format!(
                "SELECT MIN(e.minutes) AS m FROM ticket_events e \
                 WHERE {w} AND e.minutes IS NOT NULL GROUP BY e.ticket_id"
            )
        }
    };
    let sql = if backend == DbBackend::Postgres {
        // percentile_disc is exactly the nearest-rank percentile; percentile_cont(0.5) the
        // median with the two middle values averaged.
        format!(
            "SELECT COUNT(d.m) AS n, CAST(AVG(d.m) AS DOUBLE PRECISION) AS average, \
             CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY d.m) AS DOUBLE PRECISION) AS median, \
             CAST(percentile_disc(0.9) WITHIN GROUP (ORDER BY d.m) AS DOUBLE PRECISION) AS p90 \
             FROM ({values}) d"
        )
    } else {
        // Ranks 1..=cnt: the median is the mean of ranks (cnt+1)/2 and (cnt+2)/2 (the same
        // rank for an odd count), the 90th percentile rank ceil(0.9 cnt) = (9 cnt + 9) / 10.
        format!(
            "SELECT COUNT(*) AS n, CAST(AVG(r.m) AS DOUBLE PRECISION) AS average, \
             CAST(AVG(CASE WHEN r.rn IN ((r.cnt + 1) / 2, (r.cnt + 2) / 2) THEN r.m END) \
             AS DOUBLE PRECISION) AS median, \
             CAST(MAX(CASE WHEN r.rn = (9 * r.cnt + 9) / 10 THEN r.m END) AS DOUBLE PRECISION) \
             AS p90 FROM (SELECT d.m, ROW_NUMBER() OVER (ORDER BY d.m) AS rn, \
             COUNT(*) OVER () AS cnt FROM ({values}) d) r"
        )
    };
    let row = db
        .query_one_raw(q.statement(sql))
        .await?
        .ok_or_else(|| StoreError::Db(DbErr::Custom("KPI durations returned no row".into())))?;
    Ok(DurationSummary {
        count: count(&row, "n")?,
        average: row.try_get("", "average")?,
        median: row.try_get("", "median")?,
        p90: row.try_get("", "p90")?,
    })
}

/// Business minutes from the ticket's creation to `end`, on the ticket's own calendar; what
/// `first_response_minutes` and `resolution_minutes` record.
pub fn minutes_since_creation(t: &ticket::Model, end: DateTime<Utc>) -> Option<i32> {
    let calendar = ticket_calendar(
        t.sla_time_zone.as_deref(),
        t.sla_windows.as_deref(),
        &t.kind,
        t.severity.as_deref(),
    )
    .ok()?;
    Some(duration_minutes(&calendar, t.created_at, end))
}

/// Records the durations of tickets that have ended a clock without them (rows from before
/// durations were recorded, or whose timestamps were corrected), a batch at a time. Returns
/// how many tickets it filled; one scan, without a write, when nothing is missing.
pub async fn backfill_durations<C: ConnectionTrait>(db: &C) -> Result<u64, StoreError> {
    use ticket::Column as T;
    let missing = sea_orm::Condition::any()
        .add(
            sea_orm::Condition::all()
                .add(T::FirstRespondedAt.is_not_null())
                .add(T::FirstResponseMinutes.is_null()),
        )
        .add(
            sea_orm::Condition::all()
                .add(T::FirstResolvedAt.is_not_null())
                .add(T::ResolutionMinutes.is_null()),
        );
    let mut filled = 0;
    loop {
        let batch = Ticket::find()
            .filter(missing.clone())
            .order_by_asc(T::Id)
            .limit(500)
            .all(db)
            .await?;
        if batch.is_empty() {
            return Ok(filled);
        }
        let mut progressed = false;
        for t in &batch {
            let first = t
                .first_response_minutes
                .or_else(|| minutes_since_creation(t, t.first_responded_at?));
            let resolution = t
                .resolution_minutes
                .or_else(|| minutes_since_creation(t, t.first_resolved_at?));
            let gained = (t.first_response_minutes.is_none() && first.is_some())
                || (t.resolution_minutes.is_none() && resolution.is_some());
            if !gained {
                continue;
            }
            progressed = true;
            Ticket::update_many()
                .col_expr(T::FirstResponseMinutes, Expr::value(first))
                .col_expr(T::ResolutionMinutes, Expr::value(resolution))
                .filter(T::Id.eq(t.id))
                .exec(db)
                .await?;
            // Every resolution entry carries the first resolution's duration.
            ticket_event::Entity::update_many()
                .col_expr(ticket_event::Column::Minutes, Expr::value(resolution))
                .filter(ticket_event::Column::TicketId.eq(t.id))
                .filter(ticket_event::Column::Kind.eq("RESOLVED"))
                .exec(db)
                .await?;
            filled += 1;
        }
        // A batch of rows no calendar can fill would come back forever: stop.
        if !progressed {
            return Ok(filled);
        }
    }
}

/// One page (by id, ascending) of the tickets `metric` counts, with the set's size.
pub async fn tickets<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    period: Period,
    metric: Metric,
    page: PageRequest,
) -> Result<Page<ticket::Model>, StoreError> {
    let backend = db.get_database_backend();
    let mut total_q = Sql::new(backend, scope, period);
    let set = total_q.metric_set(metric);
    let total_sql = format!("SELECT COUNT(*) AS n FROM ({set}) s");
    let total = match db.query_one_raw(total_q.statement(total_sql)).await? {
        Some(row) => count(&row, "n")?,
        None => 0,
    };

    let mut q = Sql::new(backend, scope, period);
    let set = q.metric_set(metric);
    let mut sql = format!("SELECT t.* FROM tickets t WHERE t.id IN ({set})");
    if let Some(after) = page.after {
        let p = q.bind("after", || after.into());
        sql.push_str(&format!(" AND t.id > {p}"));
    }
    // One extra row tells whether another page exists.
    sql.push_str(&format!(" ORDER BY t.id LIMIT {}", page.limit + 1));
    let mut items = Ticket::find()
        .from_raw_sql(q.statement(sql))
        .all(db)
        .await?;
    let more = items.len() as u64 > page.limit;
    items.truncate(usize::try_from(page.limit).unwrap_or(usize::MAX));
    Ok(Page {
        items,
        has_next: more,
        has_previous: page.after.is_some(),
        total,
    })
}

/// Complaint counts for analytics, all over complaints created in `[from, to)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintCounts {
    /// Complaints in the period.
    pub total: u64,
    /// By category; `None` is a complaint without one.
    pub by_category: Vec<(Option<String>, u64)>,
    /// By severity.
    pub by_severity: Vec<(Option<String>, u64)>,
    /// By intake channel.
    pub by_channel: Vec<(Option<String>, u64)>,
    /// By the department the complaint was dispatched to; `None` for never dispatched.
    pub by_department: Vec<(Option<Uuid>, u64)>,
    /// Per trend bucket, in the order of the boundaries given.
    pub trend: Vec<u64>,
    /// Customers with two or more complaints in the period.
    pub repeat_complainants: u64,
    /// Corrective actions still `OPEN` now.
    pub open_corrective_actions: u64,
}

/// Counts complaints created in `[from, to)`, only those dispatched to `department` when one
/// is given. `buckets` are the trend's ranges `[start, end)`, already clipped to the period.
pub async fn complaint_counts<C: ConnectionTrait>(
    db: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    department: Option<Uuid>,
    buckets: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Result<ComplaintCounts, StoreError> {
    let backend = db.get_database_backend();
    let base = |q: &mut Sql| {
        let within = q.within("t.created_at");
        let dept = match department {
            Some(d) => format!(" AND t.department_id = {}", q.id(d)),
            None => String::new(),
        };
        format!("FROM tickets t WHERE t.kind = 'COMPLAINT' AND {within}{dept}")
    };
    let period = Period { from, to, now: to };
    let new = || Sql::new(backend, Scope::All, period);

    // Totals, the trend, repeat complainants and open corrective actions in one round trip.
    let mut q = new();
    let from_where = base(&mut q);
    let mut columns = vec![format!("(SELECT COUNT(*) {from_where}) AS total")];
    for (i, (start, end)) in buckets.iter().enumerate() {
        let (start, end) = (*start, *end);
        let s = q.bind(&format!("b{i}s"), || start.into());
        let e = q.bind(&format!("b{i}e"), || end.into());
        columns.push(format!(
            "(SELECT COUNT(*) {from_where} AND t.created_at >= {s} AND t.created_at < {e}) AS b{i}"
        ));
    }
    columns.push(format!(
        "(SELECT COUNT(*) FROM (SELECT t.customer_id {from_where} GROUP BY t.customer_id \
         HAVING COUNT(*) >= 2) r) AS repeaters"
    ));
    let actions_dept = match department {
        Some(d) => format!(" AND ca.department_id = {}", q.id(d)),
        None => String::new(),
    };
    columns.push(format!(
        "(SELECT COUNT(*) FROM corrective_actions ca WHERE ca.status = 'OPEN'{actions_dept}) \
         AS open_actions"
    ));
    let row = db
        .query_one_raw(q.statement(format!("SELECT {}", columns.join(", "))))
        .await?
        .ok_or_else(|| StoreError::Db(DbErr::Custom("analytics returned no row".into())))?;
    let mut trend = Vec::with_capacity(buckets.len());
    for i in 0..buckets.len() {
        trend.push(count(&row, &format!("b{i}"))?);
    }
    let mut out = ComplaintCounts {
        total: count(&row, "total")?,
        trend,
        repeat_complainants: count(&row, "repeaters")?,
        open_corrective_actions: count(&row, "open_actions")?,
        ..ComplaintCounts::default()
    };

    for (col, target) in [
        ("t.category", &mut out.by_category),
        ("t.severity", &mut out.by_severity),
        ("t.channel", &mut out.by_channel),
    ] {
        let mut q = new();
        let from_where = base(&mut q);
        let sql = format!(
            "SELECT {col} AS k, COUNT(*) AS n {from_where} GROUP BY {col} ORDER BY COUNT(*) DESC"
        );
        for row in db.query_all_raw(q.statement(sql)).await? {
            target.push((row.try_get("", "k")?, count(&row, "n")?));
        }
    }
    let mut q = new();
    let from_where = base(&mut q);
    let sql = format!(
        "SELECT t.department_id AS k, COUNT(*) AS n {from_where} GROUP BY t.department_id \
         ORDER BY COUNT(*) DESC"
    );
    for row in db.query_all_raw(q.statement(sql)).await? {
        out.by_department
            .push((row.try_get("", "k")?, count(&row, "n")?));
    }
    Ok(out)
}
