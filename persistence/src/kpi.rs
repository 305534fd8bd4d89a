//! KPI counting in SQL. Every metric is a set of tickets written once as SQL (`metric_set`);
//! the report counts each set with its own statement (a few at once), and the drill-down pages
//! through the very same set, so a number and the tickets behind it cannot disagree. Distinct
//! tickets acted on in a period are read from `kpi_spans` (see `docs/KPIS.md`), kept here as the
//! timeline is written. Durations are business minutes recorded on the ticket when the clock
//! stops (`minutes_since_creation`); the database groups them into a histogram from which the
//! average, median and 90th percentile are read. No ticket is loaded into memory for a report.
//!
//! The SQL is hand-written for portability (it runs unchanged on SQLite and PostgreSQL):
//! placeholders are `$n` (sqlx's SQLite driver accepts them too), timestamps are always bound
//! values. Definitions: `docs/KPIS.md`.

use crate::StoreError;
use crate::entity::ticket::{self, Entity as Ticket};
use crate::entity::ticket_event;
use crate::page::{Page, PageRequest};
use careline_domain::kpi::{DurationSummary, duration_minutes, summarize_histogram};
use careline_domain::role::Role;
use careline_domain::sla::BusinessCalendar;
use careline_domain::ticket::TicketStatus;
use careline_migration::SHORT_SPAN_DAYS;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, DbBackend, QueryOrder, QuerySelect, Statement, Value};

pub mod rollups;

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
    /// `justifiedComplaintsAgainst`: complaints with a JUSTIFIED verdict naming someone in the
    /// scope.
    JustifiedComplaintsAgainst,
    /// `praiseReceived`: praise crediting someone in the scope.
    PraiseReceived,
    /// Tickets the scope's people logged time on in the period (`timeSpentMinutes`).
    TimeLogged,
}

impl Metric {
    /// Every metric the report counts as a ticket set, in report order.
    pub const ALL: [Metric; 21] = [
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
        Metric::JustifiedComplaintsAgainst,
        Metric::PraiseReceived,
        Metric::TimeLogged,
    ];
}

/// Statuses that still need work ([`TicketStatus::OPEN`]) as an SQL list; `backlog` counts
/// these.
fn open_statuses_sql() -> String {
    let quoted: Vec<String> = TicketStatus::OPEN
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!("({})", quoted.join(", "))
}

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

    /// The complaint aliased `t` names someone in the scope among its involved employees.
    fn involved_in(&mut self) -> String {
        let person = self.person_in("i.user_id");
        format!(
            "EXISTS (SELECT 1 FROM ticket_involved_staff i WHERE i.ticket_id = t.id AND {person})"
        )
    }

    /// The `kpi_spans` rows (aliased `s`) of the scope: the person's own, the members', or
    /// the "anyone on staff" row (nil actor) for everyone.
    fn span_key(&mut self) -> String {
        match self.scope {
            Scope::All => format!("s.actor_id = {}", self.bind("nil", || Uuid::nil().into())),
            _ => self.person_in("s.actor_id"),
        }
    }

    /// The timeline entry `e` is an action of the span `s`'s person (anyone on staff for the
    /// nil actor).
    fn span_actor(&mut self) -> String {
        match self.scope {
            Scope::All => self.person_in("e.actor_id"),
            _ => "e.actor_id = s.actor_id".to_owned(),
        }
    }

    /// `columns` of the scope's `class` spans with an action in the period, and `extra`
    /// conditions. A span overlapping the period has an action in it when either end lies
    /// inside; only a span enclosing the whole period needs a look at the timeline. Spans not
    /// marked long end before `to` + `SHORT_SPAN_DAYS`, which bounds the range read.
    fn spans(&mut self, class: SpanClass, columns: &str, extra: &str) -> String {
        let (from, to) = (self.from(), self.to());
        let until = self.period.to + chrono::Duration::days(SHORT_SPAN_DAYS);
        let until = self.bind("short_span_end", || until.into());
        let key = self.span_key();
        let actor = self.span_actor();
        let kind = class.entry_filter();
        let acted = format!(
            "(s.first_at >= {from} OR s.last_at < {to} OR EXISTS (SELECT 1 FROM ticket_events e \
             WHERE e.ticket_id = s.ticket_id{kind} AND e.at >= {from} AND e.at < {to} \
             AND {actor}))"
        );
        let class = class.as_str();
        let base = format!(
            "SELECT {columns} FROM kpi_spans s WHERE s.class = '{class}' AND {key} \
             AND s.last_at >= {from} AND s.first_at < {to} AND {acted}{extra}"
        );
        format!(
            "{base} AND s.long_span = FALSE AND s.last_at < {until} \
             UNION ALL {base} AND s.long_span = TRUE"
        )
    }

    /// The `RESOLVED` span `s` was reopened after the first resolution in the period by the
    /// scope: the span's first one when it lies in the period, else the first in the timeline.
    /// (Reopened after `from`, then, which an index finds without reading every span.)
    fn reopened(&mut self) -> String {
        let (from, to) = (self.from(), self.to());
        let actor = self.span_actor();
        format!(
            "s.reopened_at > {from} AND s.reopened_at > CASE WHEN s.first_at >= {from} \
             THEN s.first_at \
             ELSE (SELECT MIN(e.at) FROM ticket_events e WHERE e.ticket_id = s.ticket_id \
             AND e.kind = 'RESOLVED' AND e.at >= {from} AND e.at < {to} AND {actor}) END"
        )
    }

    /// The tickets of `TicketsResolved` grouped by their resolution minutes (`m`, NULL when not
    /// recorded): how many (`n`) and how many of them are `FirstContactResolutions` (`fc`) —
    /// the same condition as that set, as a flag, in one scan.
    fn resolved_histogram(&mut self) -> String {
        let rows = self.spans(
            SpanClass::Resolved,
            "s.ticket_id, s.minutes AS m, \
             CASE WHEN s.first_contact = TRUE THEN 1 ELSE 0 END AS fc",
            "",
        );
        // Members of a team or department may share a ticket: one row per ticket.
        let tickets = match self.scope {
            Scope::Team(_) | Scope::Department(_) => format!(
                "SELECT MIN(x.m) AS m, MAX(x.fc) AS fc FROM ({rows}) x GROUP BY x.ticket_id"
            ),
            Scope::Agent(_) | Scope::All => rows,
        };
        format!("SELECT y.m AS m, COUNT(*) AS n, SUM(y.fc) AS fc FROM ({tickets}) y GROUP BY y.m")
    }

    /// The tickets of `FirstResponses` grouped by their first-response minutes (`m`, `n`).
    fn first_response_histogram(&mut self) -> String {
        let rows = self.first_responses("t.first_response_minutes AS m");
        format!("SELECT d.m AS m, COUNT(*) AS n FROM ({rows}) d GROUP BY d.m")
    }

    /// The tickets (column `id`) of the scope's `class` spans with an action in the period.
    fn span_tickets(&mut self, class: SpanClass, extra: &str) -> String {
        let rows = self.spans(class, "s.ticket_id", extra);
        // Members of a team or department may share a ticket.
        let distinct = match self.scope {
            Scope::Team(_) | Scope::Department(_) => "DISTINCT ",
            Scope::Agent(_) | Scope::All => "",
        };
        format!("SELECT {distinct}x.ticket_id AS id FROM ({rows}) x")
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
            _ => self.person_in("t.first_responder_id"),
        };
        format!("SELECT {columns} FROM tickets t WHERE {within} AND {by}")
    }

    /// The tickets of the scope whose target (first response, or resolution, after `metric`)
    /// is due in the period and decided — met, or its due time passed by now; a target still
    /// running is not decided yet — as `FROM … WHERE …`, and the condition of a miss.
    fn sla(&mut self, metric: Metric) -> (String, String) {
        let (due, met) = match metric {
            Metric::FirstResponseSlaDue | Metric::FirstResponseSlaMissed => {
                ("t.first_response_due_at", "t.first_responded_at")
            }
            _ => ("t.resolution_due_at", "t.first_resolved_at"),
        };
        let within = self.within(due);
        let now = self.now();
        let scope = self.ticket_in();
        (
            format!(
                "FROM tickets t WHERE {within} AND {scope} AND ({met} IS NOT NULL OR {due} <= {now})"
            ),
            format!("({met} IS NULL OR {met} > {due})"),
        )
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
                let within = self.within("t.created_at");
                match self.scope {
                    // Every complaint registered, whoever it is about.
                    Scope::All => format!(
                        "SELECT t.id FROM tickets t WHERE t.kind = 'COMPLAINT' AND {within}"
                    ),
                    // Complaints about the scope's people, not those its people registered.
                    _ => {
                        let about = self.involved_in();
                        format!(
                            "SELECT t.id FROM tickets t WHERE t.kind = 'COMPLAINT' AND {within} \
                             AND {about}"
                        )
                    }
                }
            }
            Metric::JustifiedComplaintsAgainst => {
                let within = self.within("t.created_at");
                let about = self.involved_in();
                format!(
                    "SELECT t.id FROM tickets t WHERE t.kind = 'COMPLAINT' \
                     AND t.verdict = 'JUSTIFIED' AND {within} AND {about}"
                )
            }
            Metric::TimeLogged => {
                let within = self.within("e.at");
                let by = self.person_in("e.user_id");
                format!(
                    "SELECT DISTINCT e.ticket_id AS id FROM time_entries e WHERE {within} AND {by}"
                )
            }
            Metric::PraiseReceived => {
                let within = self.within("t.created_at");
                let credited = self.person_in("t.praised_employee_id");
                format!(
                    "SELECT t.id FROM tickets t WHERE t.kind = 'PRAISE' AND {within} \
                     AND {credited}"
                )
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
            Metric::TicketsHandled => self.span_tickets(SpanClass::Handled, ""),
            Metric::TicketsResolved => self.span_tickets(SpanClass::Resolved, ""),
            Metric::FirstContactResolutions => {
                // A first-contact span holds exactly one resolution: a reopen clears the flag.
                self.span_tickets(SpanClass::Resolved, " AND s.first_contact = TRUE")
            }
            Metric::Reopened => {
                let reopened = self.reopened();
                self.span_tickets(SpanClass::Resolved, &format!(" AND {reopened}"))
            }
            Metric::FirstResponses => self.first_responses("t.id"),
            Metric::FirstResponseSlaDue
            | Metric::FirstResponseSlaMissed
            | Metric::ResolutionSlaDue
            | Metric::ResolutionSlaMissed => {
                let (due, missed) = self.sla(metric);
                if matches!(
                    metric,
                    Metric::FirstResponseSlaMissed | Metric::ResolutionSlaMissed
                ) {
                    format!("SELECT t.id {due} AND {missed}")
                } else {
                    format!("SELECT t.id {due}")
                }
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
                let open = open_statuses_sql();
                format!("SELECT t.id FROM tickets t WHERE t.status IN {open} AND {scope}")
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

    /// SQL counting the tickets `metric` counts (column `n`).
    fn count(&mut self, metric: Metric) -> String {
        let set = self.metric_set(metric);
        format!("SELECT COUNT(*) AS n FROM ({set}) s")
    }

    fn statement(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

/// The classes of `kpi_spans` (see migration `m0010_kpi_spans`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpanClass {
    /// Any action.
    Handled,
    /// Resolutions.
    Resolved,
}

impl SpanClass {
    fn as_str(self) -> &'static str {
        match self {
            SpanClass::Handled => "HANDLED",
            SpanClass::Resolved => "RESOLVED",
        }
    }

    /// The condition on a timeline entry `e` of this class.
    fn entry_filter(self) -> &'static str {
        match self {
            SpanClass::Handled => "",
            SpanClass::Resolved => " AND e.kind = 'RESOLVED'",
        }
    }
}

/// Keeps `kpi_spans` up to date with timeline entries just written, inside the writer's
/// transaction: an entry by a staff member extends that person's and everyone's `HANDLED`
/// span of the ticket, a resolution their `RESOLVED` span too.
pub(crate) async fn record_actions<C: ConnectionTrait>(
    db: &C,
    entries: &[ticket_event::Model],
) -> Result<(), StoreError> {
    // Entries dated before today change rolled-up days (a no-op for entries of today).
    if let Some(at) = entries.iter().map(|e| e.at).min() {
        rollups::facts_changed(db, at).await?;
    }
    let mut staff: Vec<(Uuid, bool)> = Vec::new();
    for entry in entries {
        let Some(actor) = entry.actor_id else {
            continue;
        };
        let is_staff = match staff.iter().find(|(id, _)| *id == actor) {
            Some((_, known)) => *known,
            None => {
                let known = crate::entity::user::Entity::find_by_id(actor)
                    .one(db)
                    .await?
                    .is_some_and(|u| u.roles > Role::Customer.bit());
                staff.push((actor, known));
                known
            }
        };
        if !is_staff {
            continue;
        }
        let mut spans = Vec::with_capacity(4);
        for key in [actor, Uuid::nil()] {
            spans.push((SpanClass::Handled, key));
            if entry.kind == "RESOLVED" {
                spans.push((SpanClass::Resolved, key));
            }
        }
        extend_spans(db, &spans, entry).await?;
    }
    Ok(())
}

/// Creates or widens each of `spans` (distinct class and key pairs) to include `entry`, in one
/// statement. A span is marked long once an entry lies more than half the short bound from
/// either end, so an unmarked span is never longer than `SHORT_SPAN_DAYS`.
async fn extend_spans<C: ConnectionTrait>(
    db: &C,
    spans: &[(SpanClass, Uuid)],
    entry: &ticket_event::Model,
) -> Result<(), StoreError> {
    if spans.is_empty() {
        return Ok(());
    }
    let half = chrono::Duration::hours(SHORT_SPAN_DAYS * 12);
    let mut values: Vec<Value> = vec![
        entry.ticket_id.into(),
        entry.at.into(),
        (entry.at - half).into(),
        (entry.at + half).into(),
    ];
    let mut rows = Vec::with_capacity(spans.len());
    for (class, key) in spans {
        let resolved = *class == SpanClass::Resolved;
        let n = values.len();
        values.extend([
            class.as_str().into(),
            (*key).into(),
            entry.minutes.filter(|_| resolved).into(),
            entry.first_contact.filter(|_| resolved).into(),
        ]);
        rows.push(format!(
            "(${}, ${}, $1, $2, $2, FALSE, ${}, ${})",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        ));
    }
    let sql = format!(
        "INSERT INTO kpi_spans (class, actor_id, ticket_id, first_at, last_at, long_span, \
         minutes, first_contact) VALUES {} \
         ON CONFLICT (class, actor_id, ticket_id) DO UPDATE SET \
         long_span = kpi_spans.long_span OR kpi_spans.first_at < $3 \
         OR kpi_spans.last_at > $4, \
         first_at = CASE WHEN excluded.first_at < kpi_spans.first_at \
         THEN excluded.first_at ELSE kpi_spans.first_at END, \
         last_at = CASE WHEN excluded.last_at > kpi_spans.last_at \
         THEN excluded.last_at ELSE kpi_spans.last_at END, \
         minutes = COALESCE(kpi_spans.minutes, excluded.minutes), \
         first_contact = kpi_spans.first_contact AND excluded.first_contact",
        rows.join(", ")
    );
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await?;
    Ok(())
}

/// A reopen: no resolution of the ticket so far was a first-contact one, and each was
/// reopened at `at`.
pub(crate) async fn record_reopen<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    // The first-contact flag of every earlier resolution changes: so do the days rolled up
    // since the first one.
    let first = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT MIN(first_at) AS m FROM kpi_spans WHERE ticket_id = $1 AND class = 'RESOLVED'",
            [ticket_id.into()],
        ))
        .await?
        .map(|row| row.try_get::<Option<DateTime<Utc>>>("", "m"))
        .transpose()?
        .flatten();
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE kpi_spans SET first_contact = FALSE, reopened_at = $1 \
         WHERE ticket_id = $2 AND class = 'RESOLVED'",
        [at.into(), ticket_id.into()],
    ))
    .await?;
    if let Some(first) = first {
        rollups::facts_changed(db, first).await?;
    }
    Ok(())
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
    let sql = q.count(metric);
    q.statement(sql)
}

/// Everything a KPI report counts; `careline_domain::kpi` turns these into rates.
#[derive(Debug, Clone, Default, PartialEq)]
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
    /// The `firstResponse` durations.
    pub first_response: DurationSummary,
    /// The `resolution` durations.
    pub resolution: DurationSummary,
    /// Quality inspections of the scope's people in the period.
    pub quality_reviews: u64,
    /// The sum of their totals.
    pub quality_total_sum: f64,
    /// Minutes the scope's people logged on tickets in the period.
    pub time_spent_minutes: u64,
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

    fn set(&mut self, metric: Metric, n: u64) {
        if let Some(i) = Metric::ALL.iter().position(|m| *m == metric) {
            self.sets[i] = n;
        }
    }
}

fn count(row: &sea_orm::QueryResult, column: &str) -> Result<u64, StoreError> {
    let v: Option<i64> = row.try_get("", column)?;
    Ok(u64::try_from(v.unwrap_or(0)).unwrap_or(0))
}

/// How many of a report's statements run at once (each on its own pooled connection, so a
/// report over a long period uses every core PostgreSQL has).
const PARALLEL_STATEMENTS: usize = 4;

/// One scan of a report and the figures it yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// `COUNT(*) AS n` of one metric's set.
    Set(Metric),
    /// Due (`n`) and missed tickets of one SLA target.
    Sla(Metric, Metric),
    /// The first-response histogram (`m`, `n`); its total is `FirstResponses`.
    FirstResponses,
    /// The resolution histogram (`m`, `n`, `fc`): `TicketsResolved` and
    /// `FirstContactResolutions` with their durations.
    Resolved,
    /// Resolutions, escalations (`n`, `tickets`) and ratings (`n`, `tickets`, sums).
    Resolutions,
    Escalations,
    Ratings,
    /// Quality inspections of the scope's people in the period (`n`, `total_sum`).
    Quality,
    /// Tickets (`n`) and minutes (`minutes`) the scope's people logged in the period.
    TimeLogged,
}

impl Pass {
    const ALL: [Pass; 19] = [
        Pass::Set(Metric::TicketsCreated),
        Pass::Set(Metric::Complaints),
        Pass::Set(Metric::TicketsHandled),
        Pass::Resolved,
        Pass::Set(Metric::Reopened),
        Pass::FirstResponses,
        Pass::Sla(Metric::FirstResponseSlaDue, Metric::FirstResponseSlaMissed),
        Pass::Sla(Metric::ResolutionSlaDue, Metric::ResolutionSlaMissed),
        Pass::Ratings,
        Pass::Resolutions,
        Pass::Escalations,
        Pass::Set(Metric::Praise),
        Pass::Set(Metric::ClosedComplaints),
        Pass::Set(Metric::FollowedUpComplaints),
        Pass::Set(Metric::Overdue),
        Pass::Set(Metric::JustifiedComplaintsAgainst),
        Pass::Set(Metric::PraiseReceived),
        Pass::Quality,
        Pass::TimeLogged,
    ];

    /// The statement of this pass. Each counts exactly what the sets it stands for select
    /// (`metric_set`), several figures in one scan where they share their rows.
    fn statement(&self, backend: DbBackend, scope: Scope, period: Period) -> Statement {
        let mut q = Sql::new(backend, scope, period);
        let sql = match self {
            Pass::Set(metric) => q.count(*metric),
            Pass::Sla(due, _) => {
                let (due, missed) = q.sla(*due);
                format!(
                    "SELECT COUNT(*) AS n, SUM(CASE WHEN {missed} THEN 1 ELSE 0 END) AS missed \
                     {due}"
                )
            }
            Pass::FirstResponses => q.first_response_histogram(),
            Pass::Resolved => q.resolved_histogram(),
            Pass::Resolutions => {
                let resolutions = q.resolutions_where();
                format!("SELECT COUNT(*) AS n FROM ticket_events e WHERE {resolutions}")
            }
            Pass::Escalations => {
                let within = q.within("e.at");
                let scope = q.ticket_in();
                format!(
                    "SELECT COUNT(*) AS n, COUNT(DISTINCT e.ticket_id) AS tickets \
                     FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id \
                     WHERE e.kind = 'ESCALATED' AND {within} AND {scope}"
                )
            }
            Pass::Quality => {
                let within = q.within("r.at");
                let agent = q.person_in("r.agent_id");
                format!(
                    "SELECT COUNT(*) AS n, SUM(r.total) AS total_sum FROM quality_reviews r \
                     WHERE {within} AND {agent}"
                )
            }
            Pass::TimeLogged => {
                let set = q.metric_set(Metric::TimeLogged);
                let within = q.within("e.at");
                let by = q.person_in("e.user_id");
                format!(
                    "SELECT (SELECT COUNT(*) FROM ({set}) s) AS n, \
                     (SELECT SUM(e.minutes) FROM time_entries e WHERE {within} AND {by}) AS minutes"
                )
            }
            Pass::Ratings => {
                let rated = q.ratings_where();
                format!(
                    "SELECT COUNT(*) AS n, COUNT(DISTINCT s.ticket_id) AS tickets, \
                     SUM(s.rating) AS rating_sum, \
                     SUM(CASE WHEN s.rating >= 4 THEN 1 ELSE 0 END) AS satisfied \
                     FROM satisfaction_ratings s WHERE {rated}"
                )
            }
        };
        q.statement(sql)
    }
}

/// The statements a report runs (but the backlog's), each with a name, for benchmarks that
/// show what each scan costs.
pub fn report_statements(
    backend: DbBackend,
    scope: Scope,
    period: Period,
) -> Vec<(String, Statement)> {
    Pass::ALL
        .iter()
        .map(|pass| {
            let name = match pass {
                Pass::Set(metric) | Pass::Sla(metric, _) => format!("{metric:?}"),
                Pass::FirstResponses => "FirstResponses".to_owned(),
                Pass::Resolved => "Resolved".to_owned(),
                Pass::Resolutions => "Resolutions".to_owned(),
                Pass::Escalations => "Escalations".to_owned(),
                Pass::Ratings => "Ratings".to_owned(),
                Pass::Quality => "Quality".to_owned(),
                Pass::TimeLogged => "TimeLogged".to_owned(),
            };
            (name, pass.statement(backend, scope, period))
        })
        .collect()
}

/// Histogram bins `(minutes, tickets)` of rows with `m` and `n` (`m` NULL: not recorded).
fn bins(rows: &[sea_orm::QueryResult]) -> Result<Vec<(Option<i64>, u64)>, StoreError> {
    rows.iter()
        .map(|row| {
            let m: Option<i32> = row.try_get("", "m")?;
            Ok((m.map(i64::from), count(row, "n")?))
        })
        .collect()
}

fn summary(bins: &[(Option<i64>, u64)]) -> DurationSummary {
    summarize_histogram(bins.iter().filter_map(|(m, n)| Some(((*m)?, *n))).collect())
}

/// Counts every figure for `scope` over `period`. Everyone's report over whole UTC days that
/// are rolled up reads those days' rollups ([`rollups`]) and computes only the rest live; the
/// figures are the same as [`counts_live`]'s.
pub async fn counts<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    period: Period,
) -> Result<Counts, StoreError> {
    if scope == Scope::All
        && let Some(days) = rollups::run_of_days(db, period).await?
    {
        return rollups::counts(db, period, days).await;
    }
    counts_live(db, scope, period).await
}

/// Counts every figure for `scope` over `period` from the kept facts: a dozen scans, a few at
/// a time.
pub async fn counts_live<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    period: Period,
) -> Result<Counts, StoreError> {
    use futures_util::{StreamExt, TryStreamExt};
    let backend = db.get_database_backend();
    let statements: Vec<Statement> = report_statements(backend, scope, period)
        .into_iter()
        .map(|(_, statement)| statement)
        .collect();
    let results: Vec<Vec<sea_orm::QueryResult>> = futures_util::stream::iter(statements)
        .map(|statement| db.query_all_raw(statement))
        .buffered(PARALLEL_STATEMENTS)
        .try_collect()
        .await?;
    let mut c = Counts {
        sets: vec![0; Metric::ALL.len()],
        ..Counts::default()
    };
    for (pass, rows) in Pass::ALL.iter().zip(&results) {
        apply(&mut c, pass, rows)?;
    }
    // Overdue tickets are a subset of the backlog; the backlog is cheap to count apart.
    let backlog = count_statement(backend, scope, period, Metric::Backlog);
    if let Some(row) = db.query_one_raw(backlog).await? {
        c.set(Metric::Backlog, count(&row, "n")?);
    }
    Ok(c)
}

/// Reads the figures of one pass's rows into `c`.
fn apply(c: &mut Counts, pass: &Pass, rows: &[sea_orm::QueryResult]) -> Result<(), StoreError> {
    let one = || {
        rows.first()
            .ok_or_else(|| StoreError::Db(DbErr::Custom("KPI count returned no row".into())))
    };
    match pass {
        Pass::Set(metric) => c.set(*metric, count(one()?, "n")?),
        Pass::Sla(due, missed) => {
            c.set(*due, count(one()?, "n")?);
            c.set(*missed, count(one()?, "missed")?);
        }
        Pass::FirstResponses => {
            let bins = bins(rows)?;
            c.set(Metric::FirstResponses, bins.iter().map(|(_, n)| n).sum());
            c.first_response = summary(&bins);
        }
        Pass::Resolved => {
            let bins = bins(rows)?;
            c.set(Metric::TicketsResolved, bins.iter().map(|(_, n)| n).sum());
            let mut fc = 0;
            for row in rows {
                fc += count(row, "fc")?;
            }
            c.set(Metric::FirstContactResolutions, fc);
            c.resolution = summary(&bins);
        }
        Pass::Resolutions => c.resolutions = count(one()?, "n")?,
        Pass::Escalations => {
            c.escalations = count(one()?, "n")?;
            c.set(Metric::Escalated, count(one()?, "tickets")?);
        }
        Pass::Quality => {
            let row = one()?;
            c.quality_reviews = count(row, "n")?;
            let sum: Option<f64> = row.try_get("", "total_sum")?;
            c.quality_total_sum = sum.unwrap_or(0.0);
        }
        Pass::TimeLogged => {
            let row = one()?;
            c.set(Metric::TimeLogged, count(row, "n")?);
            c.time_spent_minutes = count(row, "minutes")?;
        }
        Pass::Ratings => {
            let row = one()?;
            c.ratings = count(row, "n")?;
            c.set(Metric::Rated, count(row, "tickets")?);
            c.rating_sum = count(row, "rating_sum")?;
            c.satisfied = count(row, "satisfied")?;
        }
    }
    Ok(())
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
/// nearest rank of the recorded durations of the tickets `clock` counts: the database groups
/// them into one row per distinct minute value, `careline_domain::kpi::summarize_histogram`
/// reads the figures off the cumulative counts. (The report gets the same from [`counts`].)
pub async fn durations<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    period: Period,
    clock: Clock,
) -> Result<DurationSummary, StoreError> {
    let pass = match clock {
        Clock::FirstResponse => Pass::FirstResponses,
        Clock::Resolution => Pass::Resolved,
    };
    let rows = db
        .query_all_raw(pass.statement(db.get_database_backend(), scope, period))
        .await?;
    Ok(summary(&bins(&rows)?))
}

/// Business minutes from the ticket's creation to `end` on `calendar` (the ticket's own, see
/// [`crate::calendars::for_durations`]); what `first_response_minutes` and
/// `resolution_minutes` record.
pub fn minutes_since_creation(
    t: &ticket::Model,
    calendar: Option<&BusinessCalendar>,
    end: DateTime<Utc>,
) -> Option<i32> {
    Some(duration_minutes(calendar?, t.created_at, end))
}

/// Records the durations of tickets that have ended a clock without them (rows from before
/// durations were recorded, or whose timestamps were corrected), a batch at a time. Returns
/// how many tickets it filled. The condition is the one of the partial index
/// `idx_tickets_duration_missing` (migration `m0010_kpi_spans`), so when nothing is missing the
/// look costs an empty index, not a scan of every ticket.
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
    let mut earliest: Option<DateTime<Utc>> = None;
    let calendars = crate::calendars::load_all(db).await?;
    loop {
        let batch = Ticket::find()
            .filter(missing.clone())
            .order_by_asc(T::Id)
            .limit(500)
            .all(db)
            .await?;
        if batch.is_empty() {
            if let Some(at) = earliest {
                rollups::facts_changed(db, at).await?;
            }
            return Ok(filled);
        }
        let mut progressed = false;
        for t in &batch {
            let own = crate::calendars::of_ticket(t, &calendars);
            let calendar = crate::calendars::for_durations(t, own.as_ref());
            let first = t
                .first_response_minutes
                .or_else(|| minutes_since_creation(t, calendar.as_ref(), t.first_responded_at?));
            let resolution = t
                .resolution_minutes
                .or_else(|| minutes_since_creation(t, calendar.as_ref(), t.first_resolved_at?));
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
            db.execute_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                "UPDATE kpi_spans SET minutes = $1 WHERE ticket_id = $2 AND class = 'RESOLVED'",
                [resolution.into(), t.id.into()],
            ))
            .await?;
            filled += 1;
            // The durations count from the ticket's creation on.
            earliest = Some(earliest.map_or(t.created_at, |e: DateTime<Utc>| e.min(t.created_at)));
        }
        // A batch of rows no calendar can fill would come back forever: stop.
        if !progressed {
            if let Some(at) = earliest {
                rollups::facts_changed(db, at).await?;
            }
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
    let total = match db
        .query_one_raw(count_statement(backend, scope, period, metric))
        .await?
    {
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
    /// By the verdict of the complaint's analysis; `None` while pending.
    pub by_verdict: Vec<(Option<String>, u64)>,
    /// By the root cause recorded with the verdict; `None` while pending.
    pub by_root_cause: Vec<(Option<String>, u64)>,
    /// Per trend bucket, in the order of the boundaries given.
    pub trend: Vec<u64>,
    /// Customers with two or more complaints in the period.
    pub repeat_complainants: u64,
    /// Corrective actions still `OPEN` now.
    pub open_corrective_actions: u64,
    /// Complaints a lead closed with the customer still disagreeing.
    pub closed_disagreeing: u64,
    /// Justified complaints by the business department found responsible; `None` for those
    /// that name no department.
    pub by_responsible_department: Vec<(Option<Uuid>, u64)>,
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
    columns.push(format!(
        "(SELECT COUNT(*) {from_where} AND t.closed_disagreeing = TRUE) AS disagreeing"
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
        closed_disagreeing: count(&row, "disagreeing")?,
        ..ComplaintCounts::default()
    };

    for (col, target) in [
        ("t.category", &mut out.by_category),
        ("t.severity", &mut out.by_severity),
        ("t.channel", &mut out.by_channel),
        ("t.verdict", &mut out.by_verdict),
        ("t.root_cause", &mut out.by_root_cause),
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
    let mut q = new();
    let from_where = base(&mut q);
    let sql = format!(
        "SELECT t.responsible_department_id AS k, COUNT(*) AS n {from_where} \
         AND t.verdict = 'JUSTIFIED' GROUP BY t.responsible_department_id ORDER BY COUNT(*) DESC"
    );
    for row in db.query_all_raw(q.statement(sql)).await? {
        out.by_responsible_department
            .push((row.try_get("", "k")?, count(&row, "n")?));
    }
    Ok(out)
}
