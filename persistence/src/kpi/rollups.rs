//! Daily rollups of the everyone (`Scope::All`) report, so a report over a long period reads a
//! few rows per UTC day instead of every ticket (tables: migration `m0019_kpi_daily_rollups`).
//!
//! A day's rows are the live definitions run over that day (`Pass::statement` with the day as
//! the period), so they cannot define a figure differently:
//!
//! - additive figures, summed over days: tickets created, resolutions, ratings (count, sum,
//!   satisfied), SLA targets due and missed (a closed day's targets are all decided), and the
//!   first-response histogram by minute (each ticket is first answered once);
//! - distinct-ticket figures (tickets handled; tickets resolved with their resolution minutes
//!   and first-contact flag; tickets rated): one count per `(day, prev_day)`, where `prev_day` is
//!   the latest earlier day the same ticket counted on. A ticket counts once in a run of days
//!   `[A, B)`: on its first day there, the one whose `prev_day` lies before `A`.
//!
//! A report over `[from, to)` reads the rows of the longest run `[A, B)` of whole, built days
//! inside the period (and before the day of `now`), and computes the edges `[from, A)` and
//! `[B, to)` live: additive figures by the same statements over each edge, distinct ones as
//! the edge's tickets that did not count in the run (or the first edge).
//!
//! Exactness: `kpi_rollup_days` lists the days whose rows are current. A writer that changes a
//! fact dated before today calls [`facts_changed`], which removes that day and every later one
//! (their `prev_day`s may change) under the one-row `kpi_rollup_lock`; [`build`] takes the same
//! lock before reading a day, so a day is never listed from a read that missed a write. Days are
//! built only [`settle`] after they end, so writes dated today need no lock at all.

use super::{Counts, Metric, PARALLEL_STATEMENTS, Pass, Period, Scope, SpanClass, Sql};
use super::{bins, count, summary};
use crate::StoreError;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Statement, TransactionSession, TransactionTrait, Value};
use std::collections::{BTreeMap, HashSet};

/// How long after its end a day is rolled up: transactions dated before midnight have
/// committed by then, and instants of several servers agree within it.
pub fn settle() -> Duration {
    Duration::hours(1)
}

/// The start (UTC midnight) of the day holding `t`.
pub fn day_of(t: DateTime<Utc>) -> DateTime<Utc> {
    t.date_naive().and_time(NaiveTime::MIN).and_utc()
}

/// The first day start at or after `t`.
fn ceil_day(t: DateTime<Utc>) -> DateTime<Utc> {
    let d = day_of(t);
    if d == t { d } else { d + Duration::days(1) }
}

/// Additive figures and the pass whose statement counts them for one day.
const ADDITIVE: [(&str, Pass); 6] = [
    ("CREATED", Pass::Set(Metric::TicketsCreated)),
    ("FIRST_RESPONSE", Pass::FirstResponses),
    (
        "FR_SLA",
        Pass::Sla(Metric::FirstResponseSlaDue, Metric::FirstResponseSlaMissed),
    ),
    (
        "RES_SLA",
        Pass::Sla(Metric::ResolutionSlaDue, Metric::ResolutionSlaMissed),
    ),
    ("RESOLUTIONS", Pass::Resolutions),
    ("RATINGS", Pass::Ratings),
];

/// The distinct-ticket figures kept with their previous day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Distinct {
    Handled,
    Resolved,
    Rated,
}

impl Distinct {
    const ALL: [Distinct; 3] = [Distinct::Handled, Distinct::Resolved, Distinct::Rated];

    fn figure(self) -> &'static str {
        match self {
            Distinct::Handled => "HANDLED",
            Distinct::Resolved => "RESOLVED",
            Distinct::Rated => "RATED",
        }
    }

    /// Rows of the tickets this figure counts in `q`'s period: `ticket_id`, and for
    /// resolutions the minutes `m` and first-contact flag `fc` the report reads.
    fn rows(self, q: &mut Sql) -> String {
        match self {
            Distinct::Handled => {
                let set = q.span_tickets(SpanClass::Handled, "");
                format!("SELECT h.id AS ticket_id FROM ({set}) h")
            }
            // One span per ticket for everyone: no grouping needed.
            Distinct::Resolved => q.spans(
                SpanClass::Resolved,
                "s.ticket_id, s.minutes AS m, \
                 CASE WHEN s.first_contact = TRUE THEN 1 ELSE 0 END AS fc",
                "",
            ),
            Distinct::Rated => {
                let w = q.ratings_where();
                format!(
                    "SELECT DISTINCT s.ticket_id AS ticket_id FROM satisfaction_ratings s \
                     WHERE {w}"
                )
            }
        }
    }

    /// Whether the ticket of row `y` counted by this figure in `[start, end)`: it had a
    /// qualifying entry there.
    fn counted_in(self, q: &mut Sql, start: &str, end: &str) -> String {
        match self {
            Distinct::Handled | Distinct::Resolved => {
                let staff = q.person_in("p.actor_id");
                let kind = if self == Distinct::Resolved {
                    " AND p.kind = 'RESOLVED'"
                } else {
                    ""
                };
                format!(
                    "EXISTS (SELECT 1 FROM ticket_events p WHERE p.ticket_id = y.ticket_id{kind} \
                     AND p.at >= {start} AND p.at < {end} AND {staff})"
                )
            }
            Distinct::Rated => {
                let staff = q.person_in("p.resolved_by");
                format!(
                    "EXISTS (SELECT 1 FROM satisfaction_ratings p WHERE p.ticket_id = y.ticket_id \
                     AND p.at >= {start} AND p.at < {end} AND {staff})"
                )
            }
        }
    }

    /// The latest qualifying instant of the ticket of row `y` before `before`.
    fn previous(self, q: &mut Sql, before: &str) -> String {
        match self {
            Distinct::Handled | Distinct::Resolved => {
                let staff = q.person_in("p.actor_id");
                let kind = if self == Distinct::Resolved {
                    " AND p.kind = 'RESOLVED'"
                } else {
                    ""
                };
                format!(
                    "(SELECT MAX(p.at) FROM ticket_events p WHERE p.ticket_id = y.ticket_id{kind} \
                     AND p.at < {before} AND {staff})"
                )
            }
            Distinct::Rated => {
                let staff = q.person_in("p.resolved_by");
                format!(
                    "(SELECT MAX(p.at) FROM satisfaction_ratings p WHERE p.ticket_id = y.ticket_id \
                     AND p.at < {before} AND {staff})"
                )
            }
        }
    }
}

/// Facts dated at `at` changed (or were added): the rollups of that day and every later one
/// are no longer current. Costs nothing for today, which is never rolled up yet.
pub(crate) async fn facts_changed<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if at >= day_of(crate::now()) {
        return Ok(());
    }
    let backend = db.get_database_backend();
    // Waits for a build in progress; a build after this one reads what was written.
    db.execute_raw(Statement::from_string(
        backend,
        "UPDATE kpi_rollup_lock SET generation = generation + 1 WHERE id = 1",
    ))
    .await?;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "DELETE FROM kpi_rollup_days WHERE day >= $1",
        [day_of(at).into()],
    ))
    .await?;
    Ok(())
}

/// A ticket's SLA due times changed from `old` to `new`: the days of both are affected.
pub(crate) async fn due_times_changed<C: ConnectionTrait>(
    db: &C,
    old: [Option<DateTime<Utc>>; 2],
    new: [Option<DateTime<Utc>>; 2],
) -> Result<(), StoreError> {
    let earliest = old
        .iter()
        .zip(&new)
        .filter(|(o, n)| o != n)
        .flat_map(|(o, n)| [*o, *n])
        .flatten()
        .min();
    match earliest {
        Some(at) => facts_changed(db, at).await,
        None => Ok(()),
    }
}

/// Forgets every rollup (after the KPI facts were derived again, say).
pub async fn forget_all<C: ConnectionTrait>(db: &C) -> Result<(), StoreError> {
    db.execute_unprepared("DELETE FROM kpi_rollup_days").await?;
    Ok(())
}

/// Rolls up every closed day (ended [`settle`] before `now`) from the earliest fact on that is
/// not current; returns how many days it built. Safe to run from several servers at once.
pub async fn build<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let backend = db.get_database_backend();
    let earliest = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT MIN(x) AS m FROM (SELECT MIN(created_at) AS x FROM tickets \
             UNION ALL SELECT MIN(at) AS x FROM ticket_events \
             UNION ALL SELECT MIN(at) AS x FROM satisfaction_ratings \
             UNION ALL SELECT MIN(first_response_due_at) AS x FROM tickets \
             UNION ALL SELECT MIN(resolution_due_at) AS x FROM tickets) u",
        ))
        .await?;
    let Some(earliest) = earliest
        .map(|row| row.try_get::<Option<DateTime<Utc>>>("", "m"))
        .transpose()?
        .flatten()
    else {
        return Ok(0);
    };
    let first = day_of(earliest);
    let built: HashSet<DateTime<Utc>> = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            "SELECT day FROM kpi_rollup_days WHERE day >= $1",
            [first.into()],
        ))
        .await?
        .iter()
        .map(|row| row.try_get::<DateTime<Utc>>("", "day"))
        .collect::<Result<_, _>>()?;
    let mut day = first;
    let mut done = 0;
    while day + Duration::days(1) + settle() <= now {
        if !built.contains(&day) {
            build_day(db, day, now).await?;
            done += 1;
        }
        day += Duration::days(1);
    }
    Ok(done)
}

/// A previous day and a histogram bin.
type DayBin = (Option<DateTime<Utc>>, Option<i32>);

/// One rollup row.
struct Row {
    figure: &'static str,
    prev_day: Option<DateTime<Utc>>,
    bin: Option<i32>,
    n: i64,
    a: i64,
    b: i64,
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Computes and stores the rollup of the day starting at `day`.
async fn build_day<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    day: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let txn = db.begin().await?;
    let backend = txn.get_database_backend();
    txn.execute_raw(Statement::from_string(
        backend,
        "UPDATE kpi_rollup_lock SET generation = generation + 1 WHERE id = 1",
    ))
    .await?;
    let period = Period {
        from: day,
        to: day + Duration::days(1),
        now,
    };
    let mut rows = Vec::new();
    for (figure, pass) in &ADDITIVE {
        let result = txn
            .query_all_raw(pass.statement(backend, Scope::All, period))
            .await?;
        match pass {
            Pass::FirstResponses => {
                for row in &result {
                    let m: Option<i32> = row.try_get("", "m")?;
                    rows.push(Row {
                        figure,
                        prev_day: None,
                        bin: m,
                        n: as_i64(count(row, "n")?),
                        a: 0,
                        b: 0,
                    });
                }
            }
            _ => {
                let row = result.first().ok_or_else(|| {
                    StoreError::Db(DbErr::Custom("KPI rollup count returned no row".into()))
                })?;
                let (a, b) = match pass {
                    Pass::Sla(..) => (count(row, "missed")?, 0),
                    Pass::Ratings => (count(row, "rating_sum")?, count(row, "satisfied")?),
                    _ => (0, 0),
                };
                rows.push(Row {
                    figure,
                    prev_day: None,
                    bin: None,
                    n: as_i64(count(row, "n")?),
                    a: as_i64(a),
                    b: as_i64(b),
                });
            }
        }
    }
    for distinct in Distinct::ALL {
        let mut q = Sql::new(backend, Scope::All, period);
        let set = distinct.rows(&mut q);
        let from = q.from();
        let prev = distinct.previous(&mut q, &from);
        let extra = if distinct == Distinct::Resolved {
            ", y.m AS m, CAST(y.fc AS BIGINT) AS fc"
        } else {
            ""
        };
        let sql = format!("SELECT {prev} AS prev{extra} FROM ({set}) y");
        // (previous day, minutes) → (tickets, first-contact ones)
        let mut groups: BTreeMap<DayBin, (i64, i64)> = BTreeMap::new();
        for row in txn.query_all_raw(q.statement(sql)).await? {
            let prev: Option<DateTime<Utc>> = row.try_get("", "prev")?;
            let (m, fc) = if distinct == Distinct::Resolved {
                let m: Option<i32> = row.try_get("", "m")?;
                (m, as_i64(count(&row, "fc")?))
            } else {
                (None, 0)
            };
            let entry = groups.entry((prev.map(day_of), m)).or_default();
            entry.0 += 1;
            entry.1 += fc;
        }
        for ((prev_day, bin), (n, fc)) in groups {
            rows.push(Row {
                figure: distinct.figure(),
                prev_day,
                bin,
                n,
                a: fc,
                b: 0,
            });
        }
    }
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        "DELETE FROM kpi_rollups WHERE day = $1",
        [day.into()],
    ))
    .await?;
    for chunk in rows.chunks(200) {
        let mut values: Vec<Value> = vec![day.into()];
        let mut tuples = Vec::with_capacity(chunk.len());
        for row in chunk {
            let i = values.len();
            tuples.push(format!(
                "($1, ${}, ${}, ${}, ${}, ${}, ${})",
                i + 1,
                i + 2,
                i + 3,
                i + 4,
                i + 5,
                i + 6
            ));
            values.extend([
                row.figure.into(),
                row.prev_day.into(),
                row.bin.into(),
                row.n.into(),
                row.a.into(),
                row.b.into(),
            ]);
        }
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO kpi_rollups (day, figure, prev_day, bin, n, a, b) VALUES {}",
                tuples.join(", ")
            ),
            values,
        ))
        .await?;
    }
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO kpi_rollup_days (day, built_at) VALUES ($1, $2) \
         ON CONFLICT (day) DO UPDATE SET built_at = excluded.built_at",
        [day.into(), now.into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The longest run `[A, B)` of current rollup days inside `period` and before the day of its
/// `now`, starting at the period's first whole day; `None` when there is none.
pub async fn run_of_days<C: ConnectionTrait>(
    db: &C,
    period: Period,
) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>, StoreError> {
    let start = ceil_day(period.from);
    let limit = day_of(period.to).min(day_of(period.now));
    if start >= limit {
        return Ok(None);
    }
    let days = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT day FROM kpi_rollup_days WHERE day >= $1 AND day < $2 ORDER BY day",
            [start.into(), limit.into()],
        ))
        .await?;
    let mut end = start;
    for row in &days {
        let day: DateTime<Utc> = row.try_get("", "day")?;
        if day != end {
            break;
        }
        end += Duration::days(1);
    }
    Ok((end > start).then_some((start, end)))
}

/// What one statement of a report from rollups counts.
enum Job {
    /// A live pass over the whole period.
    Live(usize),
    /// An additive pass over an edge.
    Edge(usize),
    /// A distinct-ticket figure over an edge, without the tickets it counted earlier.
    EdgeDistinct(Distinct),
    /// The rollup rows of the run of days.
    Days,
}

/// Whether the rollups stand in for `pass` (everyone's report only).
fn rolled_up(pass: &Pass) -> bool {
    matches!(
        pass,
        Pass::Set(Metric::TicketsCreated | Metric::TicketsHandled)
            | Pass::Resolved
            | Pass::FirstResponses
            | Pass::Sla(..)
            | Pass::Ratings
            | Pass::Resolutions
    )
}

/// Everyone's counts over `period` from the rollups of the days `[a, b)` and live statements
/// for the rest: every figure equals [`super::counts_live`]'s.
pub(super) async fn counts<C: ConnectionTrait>(
    db: &C,
    period: Period,
    (a, b): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Counts, StoreError> {
    use futures_util::{StreamExt, TryStreamExt};
    let backend = db.get_database_backend();
    let mut jobs: Vec<(Job, Statement)> = Vec::new();
    for (i, pass) in Pass::ALL.iter().enumerate() {
        if !rolled_up(pass) {
            jobs.push((Job::Live(i), pass.statement(backend, Scope::All, period)));
        }
    }
    // Each edge, with the range whose tickets it must not count again.
    let edges = [
        ((period.from, a), (a, b)),
        ((b, period.to), (period.from, b)),
    ];
    for ((from, to), (seen_from, seen_to)) in edges {
        if from >= to {
            continue;
        }
        let edge = Period { from, to, ..period };
        for (i, pass) in Pass::ALL.iter().enumerate() {
            if ADDITIVE.iter().any(|(_, p)| p == pass) {
                jobs.push((Job::Edge(i), pass.statement(backend, Scope::All, edge)));
            }
        }
        for distinct in Distinct::ALL {
            let mut q = Sql::new(backend, Scope::All, edge);
            let set = distinct.rows(&mut q);
            let seen_from = q.bind("seen_from", || seen_from.into());
            let seen_to = q.bind("seen_to", || seen_to.into());
            let seen = distinct.counted_in(&mut q, &seen_from, &seen_to);
            let sql = match distinct {
                Distinct::Resolved => format!(
                    "SELECT y.m AS m, COUNT(*) AS n, SUM(y.fc) AS fc FROM ({set}) y \
                     WHERE NOT {seen} GROUP BY y.m"
                ),
                _ => format!("SELECT COUNT(*) AS n FROM ({set}) y WHERE NOT {seen}"),
            };
            jobs.push((Job::EdgeDistinct(distinct), q.statement(sql)));
        }
    }
    let days = Statement::from_sql_and_values(
        backend,
        "SELECT r.figure AS figure, r.bin AS m, CAST(SUM(r.n) AS BIGINT) AS n, \
         CAST(SUM(r.a) AS BIGINT) AS a, CAST(SUM(r.b) AS BIGINT) AS b FROM kpi_rollups r \
         WHERE r.day >= $1 AND r.day < $2 AND (r.prev_day IS NULL OR r.prev_day < $1) \
         GROUP BY r.figure, r.bin",
        [a.into(), b.into()],
    );
    jobs.push((Job::Days, days));

    let (jobs, statements): (Vec<Job>, Vec<Statement>) = jobs.into_iter().unzip();
    let results: Vec<Vec<sea_orm::QueryResult>> = futures_util::stream::iter(statements)
        .map(|statement| db.query_all_raw(statement))
        .buffered(PARALLEL_STATEMENTS)
        .try_collect()
        .await?;

    let mut c = Counts {
        sets: vec![0; Metric::ALL.len()],
        ..Counts::default()
    };
    let mut t = Totals::default();
    for (job, rows) in jobs.iter().zip(&results) {
        match job {
            Job::Live(i) => super::apply(&mut c, &Pass::ALL[*i], rows)?,
            Job::Edge(i) => t.add_edge(&Pass::ALL[*i], rows)?,
            Job::EdgeDistinct(d) => t.add_distinct(*d, rows)?,
            Job::Days => t.add_days(rows)?,
        }
    }
    t.into_counts(&mut c);
    let backlog = super::count_statement(backend, Scope::All, period, Metric::Backlog);
    if let Some(row) = db.query_one_raw(backlog).await? {
        c.set(Metric::Backlog, count(&row, "n")?);
    }
    Ok(c)
}

/// The rolled-up figures, summed from days and edges.
#[derive(Default)]
struct Totals {
    created: u64,
    handled: u64,
    rated: u64,
    resolutions: u64,
    ratings: u64,
    rating_sum: u64,
    satisfied: u64,
    fr_due: u64,
    fr_missed: u64,
    res_due: u64,
    res_missed: u64,
    first_contact: u64,
    first_response: Vec<(Option<i64>, u64)>,
    resolution: Vec<(Option<i64>, u64)>,
}

fn first(rows: &[sea_orm::QueryResult]) -> Result<&sea_orm::QueryResult, StoreError> {
    rows.first()
        .ok_or_else(|| StoreError::Db(DbErr::Custom("KPI count returned no row".into())))
}

impl Totals {
    fn add_edge(&mut self, pass: &Pass, rows: &[sea_orm::QueryResult]) -> Result<(), StoreError> {
        match pass {
            Pass::Set(_) => self.created += count(first(rows)?, "n")?,
            Pass::FirstResponses => self.first_response.extend(bins(rows)?),
            Pass::Sla(Metric::FirstResponseSlaDue, _) => {
                self.fr_due += count(first(rows)?, "n")?;
                self.fr_missed += count(first(rows)?, "missed")?;
            }
            Pass::Sla(..) => {
                self.res_due += count(first(rows)?, "n")?;
                self.res_missed += count(first(rows)?, "missed")?;
            }
            Pass::Resolutions => self.resolutions += count(first(rows)?, "n")?,
            Pass::Ratings => {
                let row = first(rows)?;
                self.ratings += count(row, "n")?;
                self.rating_sum += count(row, "rating_sum")?;
                self.satisfied += count(row, "satisfied")?;
            }
            _ => {}
        }
        Ok(())
    }

    fn add_distinct(
        &mut self,
        distinct: Distinct,
        rows: &[sea_orm::QueryResult],
    ) -> Result<(), StoreError> {
        match distinct {
            Distinct::Handled => self.handled += count(first(rows)?, "n")?,
            Distinct::Rated => self.rated += count(first(rows)?, "n")?,
            Distinct::Resolved => {
                self.resolution.extend(bins(rows)?);
                for row in rows {
                    self.first_contact += count(row, "fc")?;
                }
            }
        }
        Ok(())
    }

    fn add_days(&mut self, rows: &[sea_orm::QueryResult]) -> Result<(), StoreError> {
        for row in rows {
            let figure: String = row.try_get("", "figure")?;
            let m: Option<i32> = row.try_get("", "m")?;
            let (n, a, b) = (count(row, "n")?, count(row, "a")?, count(row, "b")?);
            match figure.as_str() {
                "CREATED" => self.created += n,
                "FIRST_RESPONSE" => self.first_response.push((m.map(i64::from), n)),
                "FR_SLA" => {
                    self.fr_due += n;
                    self.fr_missed += a;
                }
                "RES_SLA" => {
                    self.res_due += n;
                    self.res_missed += a;
                }
                "RESOLUTIONS" => self.resolutions += n,
                "RATINGS" => {
                    self.ratings += n;
                    self.rating_sum += a;
                    self.satisfied += b;
                }
                "HANDLED" => self.handled += n,
                "RATED" => self.rated += n,
                "RESOLVED" => {
                    self.resolution.push((m.map(i64::from), n));
                    self.first_contact += a;
                }
                other => {
                    return Err(StoreError::Db(DbErr::Custom(format!(
                        "unknown KPI rollup figure {other}"
                    ))));
                }
            }
        }
        Ok(())
    }

    fn into_counts(self, c: &mut Counts) {
        c.set(Metric::TicketsCreated, self.created);
        c.set(Metric::TicketsHandled, self.handled);
        c.set(Metric::Rated, self.rated);
        c.set(Metric::FirstResponseSlaDue, self.fr_due);
        c.set(Metric::FirstResponseSlaMissed, self.fr_missed);
        c.set(Metric::ResolutionSlaDue, self.res_due);
        c.set(Metric::ResolutionSlaMissed, self.res_missed);
        c.set(
            Metric::FirstResponses,
            self.first_response.iter().map(|(_, n)| n).sum(),
        );
        c.first_response = summary(&self.first_response);
        c.set(
            Metric::TicketsResolved,
            self.resolution.iter().map(|(_, n)| n).sum(),
        );
        c.set(Metric::FirstContactResolutions, self.first_contact);
        c.resolution = summary(&self.resolution);
        c.resolutions = self.resolutions;
        c.ratings = self.ratings;
        c.rating_sum = self.rating_sum;
        c.satisfied = self.satisfied;
    }
}
