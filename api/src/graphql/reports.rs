//! Reports in GraphQL: generating one and listing them. The files are downloaded over plain
//! HTTP (`crate::downloads`) at the URLs each `ReportFile` names. The use cases are
//! `crate::app::reports`; `docs/REPORTS.md` describes the reports.

use super::kpi::{KpiScope, scope_request};
use super::{Can, actor, app};
use crate::app::AppResult;
use crate::app::reports::{self as uc, Language, ReportRequest, ReportView};
use async_graphql::{Context, Enum, ID, Object};
use careline_domain::Action;
use chrono::{DateTime, Utc};

/// What a report is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::app::reports::ReportKind")]
pub enum ReportKind {
    /// The KPI report, by team and agent, with daily trends.
    MonthlyService,
    /// Complaint analytics by category, channel, department, root cause and verdict.
    Complaints,
    /// Quality inspections by agent.
    Quality,
    /// Training compliance by person and team.
    Training,
}

/// The language a request asks for (`Accept-Language`), read once per HTTP request; reports
/// are written in it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestLanguage(pub Language);

impl RequestLanguage {
    /// The language of an `Accept-Language` header value, if any.
    pub fn from_header(value: Option<&str>) -> Self {
        RequestLanguage(Language::from_accept_language(value))
    }
}

/// One file of a report.
pub struct ReportFile(uc::ReportFile);

/// One file of a report.
#[Object]
impl ReportFile {
    /// xlsx, csv or svg.
    async fn format(&self) -> &str {
        &self.0.format
    }
    /// Relative URL under /reports/, fetched with the same bearer token.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The file's size in bytes.
    async fn size_bytes(&self) -> i32 {
        self.0.size_bytes
    }
}

/// A generated report (see `crate::app::reports`).
pub struct Report(ReportView);

/// A generated report and its files.
#[Object]
impl Report {
    /// The report's id; its files are under `/reports/{id}`.
    async fn id(&self) -> ID {
        ID(self.0.report.id.to_string())
    }
    /// What the report is about.
    async fn kind(&self) -> AppResult<ReportKind> {
        Ok(self.0.kind()?.into())
    }
    /// The start of the window it covers (UTC, inclusive).
    async fn from(&self) -> DateTime<Utc> {
        self.0.report.period_from
    }
    /// The end of the window it covers (UTC, exclusive).
    async fn to(&self) -> DateTime<Utc> {
        self.0.report.period_to
    }
    /// When it was generated (UTC).
    async fn generated_at(&self) -> DateTime<Utc> {
        self.0.report.generated_at
    }
    /// Set for reports the server generated on its own schedule.
    async fn scheduled(&self) -> bool {
        self.0.report.scheduled
    }
    /// The language of its headings and titles: `zh-CN` or `en`.
    async fn language(&self) -> &str {
        &self.0.report.language
    }
    /// The workbook first, then a CSV per table, then an SVG per chart.
    async fn files(&self) -> Vec<ReportFile> {
        self.0.files.iter().cloned().map(ReportFile).collect()
    }
}

/// Report queries.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// Stored reports, newest first, of one kind if given: `first` of them (default 20, at
    /// most 100).
    #[graphql(
        guard = "Can(Action::ReadReports)",
        complexity = "first.unwrap_or(uc::DEFAULT_LIST).clamp(1, uc::MAX_LIST) as usize * child_complexity"
    )]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only reports of this kind.")] kind: Option<ReportKind>,
        #[graphql(desc = "Returns the first n reports: default 20, 1 to 100.")] first: Option<i32>,
    ) -> AppResult<Vec<Report>> {
        let rows = uc::list(app(ctx)?, actor(ctx)?, kind.map(Into::into), first).await?;
        Ok(rows.into_iter().map(Report).collect())
    }
}

/// Report mutations.
#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Generates a report over `[from, to)` (at most 366 days) for `scope` (omitted: everyone
    /// the caller may read), in the language of the request's `Accept-Language` (Chinese
    /// unless English is asked for), stores it and returns it with its files' URLs.
    #[graphql(guard = "Can(Action::GenerateReports)")]
    async fn generate_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What the report is about.")] kind: ReportKind,
        #[graphql(desc = "The start of the window (UTC, inclusive).")] from: DateTime<Utc>,
        #[graphql(
            desc = "The end of the window (UTC, exclusive); after `from`, at most 366 days later."
        )]
        to: DateTime<Utc>,
        #[graphql(
            desc = "Whose figures, with the rules of `kpis`. Omitted: everyone for managers and admins, the caller's own team otherwise. A COMPLAINTS report covers everyone (also when omitted) or one department."
        )]
        scope: Option<KpiScope>,
    ) -> AppResult<Report> {
        let language = ctx
            .data_opt::<RequestLanguage>()
            .copied()
            .unwrap_or_default()
            .0;
        let request = ReportRequest {
            kind: kind.into(),
            from,
            to,
            scope: scope.as_ref().map(scope_request).transpose()?,
            language,
        };
        Ok(Report(uc::generate(app(ctx)?, actor(ctx)?, request).await?))
    }
}
