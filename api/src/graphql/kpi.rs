//! KPI reports, their drill-down to tickets, and complaint analytics, in GraphQL. The use cases
//! are `crate::app::kpi`; definitions are written down in `docs/KPIS.md`.

use super::connection::{encode_cursor, list_cost, page_request};
use super::tickets::{Ticket, TicketConnection};
use super::{Can, actor, app, input_id};
use crate::app::AppResult;
use crate::app::kpi::{self as uc, ScopeRequest};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_domain::Action;
use careline_domain::kpi::Bucket;
use chrono::{DateTime, Utc};

/// Whose KPIs a report covers.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum KpiScopeKind {
    /// One staff member: their actions and the tickets they own (first-contact owner).
    Agent,
    /// A team: its members' actions and the tickets of the team.
    Team,
    /// A department: its members' actions and the tickets dispatched to it or of its teams.
    Department,
    /// Everyone: all staff actions and every ticket.
    All,
}

/// The width of a trend bucket, in the organisation's time zone.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TimeBucket {
    /// A local day.
    Day,
    /// An ISO week, from Monday.
    Week,
    /// A calendar month.
    Month,
}

/// The ticket set behind one KPI figure (see `docs/KPIS.md`).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::app::kpi::Metric")]
pub enum KpiMetric {
    /// `ticketsCreated`.
    TicketsCreated,
    /// `ticketsHandled`.
    TicketsHandled,
    /// `ticketsResolved`, and the tickets behind `resolution`.
    TicketsResolved,
    /// The tickets behind `firstResponse`.
    FirstResponses,
    /// The denominator of `firstResponseSlaCompliance`: first-response targets due in the
    /// period and decided.
    FirstResponseSlaDue,
    /// Those of `FIRST_RESPONSE_SLA_DUE` that missed the target.
    FirstResponseSlaMissed,
    /// The denominator of `resolutionSlaCompliance`: resolution targets due in the period and
    /// decided.
    ResolutionSlaDue,
    /// Those of `RESOLUTION_SLA_DUE` that missed the target.
    ResolutionSlaMissed,
    /// The numerator of `firstContactResolutionRate`.
    FirstContactResolutions,
    /// The numerator of `reopenRate`.
    Reopened,
    /// Tickets whose ratings count in the CSAT figures.
    Rated,
    /// `complaints`.
    Complaints,
    /// `praise`.
    Praise,
    /// Tickets escalated in the period (`escalations`).
    Escalated,
    /// The denominator of `followUpCompletionRate`: complaints closed in the period.
    ClosedComplaints,
    /// Its numerator: those with a recorded follow-up visit.
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

/// Whose KPIs: `id` is the person, team or department; omitted, it is the caller's own.
#[derive(InputObject, Clone)]
pub struct KpiScope {
    /// A person, a team, a department or everyone.
    pub kind: KpiScopeKind,
    /// The person, team or department; omit for the caller's own (ignored for `ALL`).
    pub id: Option<ID>,
}

/// Durations in business minutes.
pub struct DurationStats(pub uc::DurationStats);

/// Every KPI over a period.
pub struct KpiReport(pub uc::KpiReport);

/// A count under a key.
pub struct CountByKey(pub uc::CountByKey);

/// A count in one trend bucket.
pub struct BucketCount(pub uc::BucketCount);

/// Complaints over a period.
pub struct ComplaintAnalytics(pub uc::ComplaintAnalytics);

/// Durations in business minutes.
#[Object]
impl DurationStats {
    /// Tickets counted.
    async fn count(&self) -> i32 {
        self.0.count
    }
    /// Arithmetic mean, in business minutes; null when none were counted.
    async fn average_minutes(&self) -> Option<f64> {
        self.0.average_minutes
    }
    /// The middle value (the mean of the two middle values for an even count), in business
    /// minutes; null when none were counted.
    async fn median_minutes(&self) -> Option<f64> {
        self.0.median_minutes
    }
    /// 90th percentile by nearest rank, in business minutes; null when none were counted.
    async fn p90_minutes(&self) -> Option<f64> {
        self.0.p90_minutes
    }
}

/// Every KPI over a period; rates are `null` when nothing was there to count.
#[Object]
impl KpiReport {
    /// Start of the period (UTC instant, inclusive).
    async fn from(&self) -> DateTime<Utc> {
        self.0.from
    }
    /// End of the period (UTC instant, exclusive).
    async fn to(&self) -> DateTime<Utc> {
        self.0.to
    }
    /// Tickets of the scope created in the period.
    async fn tickets_created(&self) -> i32 {
        self.0.tickets_created
    }
    /// Distinct tickets the scope acted on in the period (any staff action).
    async fn tickets_handled(&self) -> i32 {
        self.0.tickets_handled
    }
    /// Distinct tickets the scope resolved in the period.
    async fn tickets_resolved(&self) -> i32 {
        self.0.tickets_resolved
    }
    /// `ticketsResolved / ticketsHandled`.
    async fn resolution_rate(&self) -> Option<f64> {
        self.0.resolution_rate
    }
    /// Business minutes from creation to first response, over the tickets first answered in
    /// the period by the scope.
    async fn first_response(&self) -> DurationStats {
        DurationStats(self.0.first_response.clone())
    }
    /// Business minutes from creation to the first resolution, over the `ticketsResolved`
    /// tickets.
    async fn resolution(&self) -> DurationStats {
        DurationStats(self.0.resolution.clone())
    }
    /// Share (0–1) of the scope's tickets whose first-response target fell due in the period,
    /// decided, that were answered in time.
    async fn first_response_sla_compliance(&self) -> Option<f64> {
        self.0.first_response_sla_compliance
    }
    /// Share (0–1) of the scope's tickets whose resolution target fell due in the period,
    /// decided, that were first resolved in time.
    async fn resolution_sla_compliance(&self) -> Option<f64> {
        self.0.resolution_sla_compliance
    }
    /// Share (0–1) of `ticketsResolved` never reopened, dispatched or reassigned and resolved
    /// by their first-contact owner.
    async fn first_contact_resolution_rate(&self) -> Option<f64> {
        self.0.first_contact_resolution_rate
    }
    /// Share (0–1) of `ticketsResolved` reopened after their first resolution.
    async fn reopen_rate(&self) -> Option<f64> {
        self.0.reopen_rate
    }
    /// Mean rating (1–5) given in the period to resolutions the scope recorded.
    async fn csat_average(&self) -> Option<f64> {
        self.0.csat_average
    }
    /// Share (0–1) of those ratings that are 4 or 5.
    async fn csat_satisfied_share(&self) -> Option<f64> {
        self.0.csat_satisfied_share
    }
    /// Those ratings per resolution the scope recorded in the period.
    async fn csat_response_rate(&self) -> Option<f64> {
        self.0.csat_response_rate
    }
    /// Complaints created in the period naming someone in the scope among the employees
    /// involved (`ALL`: every complaint).
    async fn complaints(&self) -> i32 {
        self.0.complaints
    }
    /// `complaints / ticketsHandled` (`ALL`: `complaints / ticketsCreated`).
    async fn complaint_rate(&self) -> Option<f64> {
        self.0.complaint_rate
    }
    /// Praise tickets created in the period naming the scope's people, or naming nobody and of
    /// the scope (`ALL`: every praise ticket).
    async fn praise(&self) -> i32 {
        self.0.praise
    }
    /// Escalations recorded in the period on tickets of the scope.
    async fn escalations(&self) -> i32 {
        self.0.escalations
    }
    /// Share (0–1) of the scope's complaints closed in the period that had a recorded
    /// follow-up visit.
    async fn follow_up_completion_rate(&self) -> Option<f64> {
        self.0.follow_up_completion_rate
    }
    /// Tickets of the scope now in `NEW`, `OPEN`, `PENDING_DEPARTMENT` or
    /// `PENDING_CUSTOMER`.
    async fn backlog(&self) -> i32 {
        self.0.backlog
    }
    /// Backlog tickets now past an unmet due time.
    async fn overdue(&self) -> i32 {
        self.0.overdue
    }
    /// Complaints with a JUSTIFIED verdict naming someone in the scope.
    async fn justified_complaints_against(&self) -> i32 {
        self.0.justified_complaints_against
    }
    /// Quality inspections of the scope's people in the period.
    async fn quality_reviews(&self) -> i32 {
        self.0.quality_reviews
    }
    /// Their mean total (0–100); `null` when none.
    async fn quality_average(&self) -> Option<f64> {
        self.0.quality_average
    }
    /// Praise tickets crediting someone in the scope.
    async fn praise_received(&self) -> i32 {
        self.0.praise_received
    }
    /// Minutes the scope's people logged on tickets in the period (drill-down: `TIME_LOGGED`).
    async fn time_spent_minutes(&self) -> i32 {
        self.0.time_spent_minutes
    }
}

/// A count under a key.
#[Object]
impl CountByKey {
    /// The group: a category, severity, channel, department name, verdict or root cause, or
    /// the placeholder its list names (`UNSPECIFIED`, `UNASSIGNED`, `PENDING`).
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Complaints in the group.
    async fn count(&self) -> i32 {
        self.0.count
    }
}

/// A count in one trend bucket.
#[Object]
impl BucketCount {
    /// The bucket's local midnight in the organisation's time zone, as a UTC instant.
    async fn bucket_start(&self) -> DateTime<Utc> {
        self.0.bucket_start
    }
    /// Complaints created in the bucket (and in the period).
    async fn count(&self) -> i32 {
        self.0.count
    }
}

/// Complaints over a period, for prevention.
#[Object]
impl ComplaintAnalytics {
    /// Complaints created in the period.
    async fn total(&self) -> i32 {
        self.0.total
    }
    /// By complaint category; `UNSPECIFIED` when absent.
    async fn by_category(&self) -> Vec<CountByKey> {
        self.0.by_category.iter().cloned().map(CountByKey).collect()
    }
    /// By severity; `UNSPECIFIED` when absent.
    async fn by_severity(&self) -> Vec<CountByKey> {
        self.0.by_severity.iter().cloned().map(CountByKey).collect()
    }
    /// By intake channel; `UNSPECIFIED` when absent.
    async fn by_channel(&self) -> Vec<CountByKey> {
        self.0.by_channel.iter().cloned().map(CountByKey).collect()
    }
    /// By the department a complaint was dispatched to (its name); `UNASSIGNED` if never.
    async fn by_department(&self) -> Vec<CountByKey> {
        self.0
            .by_department
            .iter()
            .cloned()
            .map(CountByKey)
            .collect()
    }
    /// By the verdict of the analysis (`JUSTIFIED`, `UNJUSTIFIED`); `PENDING` until recorded.
    async fn by_verdict(&self) -> Vec<CountByKey> {
        self.0.by_verdict.iter().cloned().map(CountByKey).collect()
    }
    /// By the root cause recorded with the verdict; `PENDING` until recorded.
    async fn by_root_cause(&self) -> Vec<CountByKey> {
        self.0
            .by_root_cause
            .iter()
            .cloned()
            .map(CountByKey)
            .collect()
    }
    /// Complaints per bucket, oldest first; the first bucket starts at or before `from`.
    async fn trend(&self) -> Vec<BucketCount> {
        self.0.trend.iter().cloned().map(BucketCount).collect()
    }
    /// Customers with two or more complaints in the period.
    async fn repeat_complainants(&self) -> i32 {
        self.0.repeat_complainants
    }
    /// Corrective actions in status `OPEN` now.
    async fn open_corrective_actions(&self) -> i32 {
        self.0.open_corrective_actions
    }
    /// Complaints a lead closed with the customer still disagreeing (客户仍不接受), counted
    /// apart: no satisfied follow-up was recorded for them.
    async fn closed_with_customer_disagreeing(&self) -> i32 {
        self.0.closed_with_customer_disagreeing
    }
    /// Justified complaints by the business department found responsible (its name); `NONE`
    /// for those that name employees only.
    async fn by_responsible_department(&self) -> Vec<CountByKey> {
        self.0
            .by_responsible_department
            .iter()
            .cloned()
            .map(CountByKey)
            .collect()
    }
}

pub(crate) fn scope_request(scope: &KpiScope) -> AppResult<ScopeRequest> {
    let id = scope
        .id
        .as_ref()
        .map(|i| input_id(i, "scope.id"))
        .transpose()?;
    Ok(match scope.kind {
        KpiScopeKind::Agent => ScopeRequest::Agent(id),
        KpiScopeKind::Team => ScopeRequest::Team(id),
        KpiScopeKind::Department => ScopeRequest::Department(id),
        KpiScopeKind::All => ScopeRequest::All,
    })
}

/// KPI queries.
#[derive(Default)]
pub struct KpiQuery;

#[Object]
impl KpiQuery {
    /// Every KPI of a person, team, department or everyone over `[from, to)`: agents read
    /// their own, supervisors their team's and its members', managers and admins everyone's.
    #[graphql(guard = "Can(Action::ReadKpis)")]
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose KPIs: a person, team, department or everyone.")] scope: KpiScope,
        #[graphql(desc = "Start of the period (UTC instant, inclusive).")] from: DateTime<Utc>,
        #[graphql(desc = "End of the period (UTC instant, exclusive); must be after `from`.")]
        to: DateTime<Utc>,
    ) -> AppResult<KpiReport> {
        let scope = scope_request(&scope)?;
        uc::kpis(app(ctx)?, actor(ctx)?, scope, from, to)
            .await
            .map(KpiReport)
    }

    /// The tickets behind one KPI figure, by id; the same rules as `kpis`.
    #[graphql(
        guard = "Can(Action::ReadKpis)",
        complexity = "list_cost(first, None, child_complexity)"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "the issue's drill-down arguments"
    )]
    async fn kpi_tickets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose KPIs: a person, team, department or everyone.")] scope: KpiScope,
        #[graphql(desc = "Start of the period (UTC instant, inclusive).")] from: DateTime<Utc>,
        #[graphql(desc = "End of the period (UTC instant, exclusive); must be after `from`.")]
        to: DateTime<Utc>,
        #[graphql(desc = "The figure whose tickets to list.")] metric: KpiMetric,
        #[graphql(desc = "Returns the first n tickets: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(
            desc = "Returns the tickets after this cursor (`endCursor` of the previous page)."
        )]
        after: Option<String>,
    ) -> AppResult<TicketConnection> {
        let page = page_request(first, after, None, None)?;
        let scope = scope_request(&scope)?;
        let (app, actor) = (app(ctx)?, actor(ctx)?);
        let rows = uc::kpi_tickets(app, actor, scope, (from, to), metric.into(), page).await?;
        Ok(TicketConnection::from_page(
            rows,
            |m| encode_cursor(m.id),
            Ticket,
        ))
    }

    /// Complaints created in `[from, to)`: totals by category, severity, channel and
    /// department, a trend in buckets of the organisation's time zone, repeat complainants and
    /// open corrective actions. Liaisons see the complaints dispatched to their department.
    #[graphql(guard = "Can(Action::ReadComplaintAnalytics)")]
    async fn complaint_analytics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Start of the period (UTC instant, inclusive).")] from: DateTime<Utc>,
        #[graphql(desc = "End of the period (UTC instant, exclusive); must be after `from`.")]
        to: DateTime<Utc>,
        #[graphql(
            desc = "The width of the trend's buckets, in the organisation's time zone (at most 1000 buckets)."
        )]
        bucket: TimeBucket,
    ) -> AppResult<ComplaintAnalytics> {
        let width = match bucket {
            TimeBucket::Day => Bucket::Day,
            TimeBucket::Week => Bucket::Week,
            TimeBucket::Month => Bucket::Month,
        };
        uc::complaint_analytics(app(ctx)?, actor(ctx)?, from, to, width)
            .await
            .map(ComplaintAnalytics)
    }
}
