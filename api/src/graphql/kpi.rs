//! KPI reports, their drill-down to tickets, and complaint analytics, in GraphQL. The use cases
//! are `crate::app::kpi`; definitions are written down in `docs/KPIS.md`.

use super::connection::{encode_cursor, list_cost, page_request};
use super::tickets::{Ticket, TicketConnection};
use super::{Can, actor, app, input_id};
use crate::app::AppResult;
use crate::app::kpi::{
    self as uc, BucketCount, ComplaintAnalytics, CountByKey, DurationStats, KpiReport, ScopeRequest,
};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_domain::Action;
use careline_domain::kpi::Bucket;
use chrono::{DateTime, Utc};

/// Whose KPIs a report covers.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum KpiScopeKind {
    Agent,
    Team,
    Department,
    All,
}

/// The width of a trend bucket, in the organisation's time zone.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TimeBucket {
    Day,
    Week,
    Month,
}

/// The ticket set behind one KPI figure (see `docs/KPIS.md`).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::app::kpi::Metric")]
pub enum KpiMetric {
    TicketsCreated,
    TicketsHandled,
    TicketsResolved,
    FirstResponses,
    FirstResponseSlaDue,
    FirstResponseSlaMissed,
    ResolutionSlaDue,
    ResolutionSlaMissed,
    FirstContactResolutions,
    Reopened,
    Rated,
    Complaints,
    Praise,
    Escalated,
    ClosedComplaints,
    FollowedUpComplaints,
    Backlog,
    Overdue,
    JustifiedComplaintsAgainst,
    PraiseReceived,
    TimeLogged,
}

/// Whose KPIs: `id` is the person, team or department; omitted, it is the caller's own.
#[derive(InputObject, Clone)]
pub struct KpiScope {
    pub kind: KpiScopeKind,
    pub id: Option<ID>,
}

/// Durations in business minutes.
#[Object]
impl DurationStats {
    async fn count(&self) -> i32 {
        self.count
    }
    async fn average_minutes(&self) -> Option<f64> {
        self.average_minutes
    }
    async fn median_minutes(&self) -> Option<f64> {
        self.median_minutes
    }
    async fn p90_minutes(&self) -> Option<f64> {
        self.p90_minutes
    }
}

/// Every KPI over a period; rates are `null` when nothing was there to count.
#[Object]
impl KpiReport {
    async fn from(&self) -> DateTime<Utc> {
        self.from
    }
    async fn to(&self) -> DateTime<Utc> {
        self.to
    }
    async fn tickets_created(&self) -> i32 {
        self.tickets_created
    }
    async fn tickets_handled(&self) -> i32 {
        self.tickets_handled
    }
    async fn tickets_resolved(&self) -> i32 {
        self.tickets_resolved
    }
    async fn resolution_rate(&self) -> Option<f64> {
        self.resolution_rate
    }
    async fn first_response(&self) -> &DurationStats {
        &self.first_response
    }
    async fn resolution(&self) -> &DurationStats {
        &self.resolution
    }
    async fn first_response_sla_compliance(&self) -> Option<f64> {
        self.first_response_sla_compliance
    }
    async fn resolution_sla_compliance(&self) -> Option<f64> {
        self.resolution_sla_compliance
    }
    async fn first_contact_resolution_rate(&self) -> Option<f64> {
        self.first_contact_resolution_rate
    }
    async fn reopen_rate(&self) -> Option<f64> {
        self.reopen_rate
    }
    async fn csat_average(&self) -> Option<f64> {
        self.csat_average
    }
    async fn csat_satisfied_share(&self) -> Option<f64> {
        self.csat_satisfied_share
    }
    async fn csat_response_rate(&self) -> Option<f64> {
        self.csat_response_rate
    }
    async fn complaints(&self) -> i32 {
        self.complaints
    }
    async fn complaint_rate(&self) -> Option<f64> {
        self.complaint_rate
    }
    async fn praise(&self) -> i32 {
        self.praise
    }
    async fn escalations(&self) -> i32 {
        self.escalations
    }
    async fn follow_up_completion_rate(&self) -> Option<f64> {
        self.follow_up_completion_rate
    }
    async fn backlog(&self) -> i32 {
        self.backlog
    }
    async fn overdue(&self) -> i32 {
        self.overdue
    }
    /// Complaints with a JUSTIFIED verdict naming someone in the scope.
    async fn justified_complaints_against(&self) -> i32 {
        self.justified_complaints_against
    }
    /// Quality inspections of the scope's people in the period.
    async fn quality_reviews(&self) -> i32 {
        self.quality_reviews
    }
    /// Their mean total (0–100); `null` when none.
    async fn quality_average(&self) -> Option<f64> {
        self.quality_average
    }
    /// Praise tickets crediting someone in the scope.
    async fn praise_received(&self) -> i32 {
        self.praise_received
    }
    /// Minutes the scope's people logged on tickets in the period (drill-down: `TIME_LOGGED`).
    async fn time_spent_minutes(&self) -> i32 {
        self.time_spent_minutes
    }
}

/// A count under a key.
#[Object]
impl CountByKey {
    async fn key(&self) -> &str {
        &self.key
    }
    async fn count(&self) -> i32 {
        self.count
    }
}

/// A count in one trend bucket.
#[Object]
impl BucketCount {
    async fn bucket_start(&self) -> DateTime<Utc> {
        self.bucket_start
    }
    async fn count(&self) -> i32 {
        self.count
    }
}

/// Complaints over a period, for prevention.
#[Object]
impl ComplaintAnalytics {
    async fn total(&self) -> i32 {
        self.total
    }
    async fn by_category(&self) -> &[CountByKey] {
        &self.by_category
    }
    async fn by_severity(&self) -> &[CountByKey] {
        &self.by_severity
    }
    async fn by_channel(&self) -> &[CountByKey] {
        &self.by_channel
    }
    /// By the department a complaint was dispatched to (its name); `UNASSIGNED` if never.
    async fn by_department(&self) -> &[CountByKey] {
        &self.by_department
    }
    /// By the verdict of the analysis (`JUSTIFIED`, `UNJUSTIFIED`); `PENDING` until recorded.
    async fn by_verdict(&self) -> &[CountByKey] {
        &self.by_verdict
    }
    /// By the root cause recorded with the verdict; `PENDING` until recorded.
    async fn by_root_cause(&self) -> &[CountByKey] {
        &self.by_root_cause
    }
    async fn trend(&self) -> &[BucketCount] {
        &self.trend
    }
    async fn repeat_complainants(&self) -> i32 {
        self.repeat_complainants
    }
    async fn open_corrective_actions(&self) -> i32 {
        self.open_corrective_actions
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
        scope: KpiScope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> AppResult<KpiReport> {
        let scope = scope_request(&scope)?;
        uc::kpis(app(ctx)?, actor(ctx)?, scope, from, to).await
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
        scope: KpiScope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        metric: KpiMetric,
        first: Option<i32>,
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
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        bucket: TimeBucket,
    ) -> AppResult<ComplaintAnalytics> {
        let width = match bucket {
            TimeBucket::Day => Bucket::Day,
            TimeBucket::Week => Bucket::Week,
            TimeBucket::Month => Bucket::Month,
        };
        uc::complaint_analytics(app(ctx)?, actor(ctx)?, from, to, width).await
    }
}
