//! Reports to management: the KPI report by team and agent (MONTHLY_SERVICE), complaint
//! analytics (COMPLAINTS), quality inspections (QUALITY) and training compliance (TRAINING),
//! rendered as an XLSX workbook with native charts, a CSV per table and an SVG per chart, and
//! stored with their files in the database so every instance serves them. The figures come from
//! the KPI, complaint, quality and training use cases; this module only lays them out. The
//! server generates last month's MONTHLY_SERVICE and COMPLAINTS reports itself on the 1st at
//! 08:00 Asia/Shanghai ([`run_schedule`], called by the periodic worker). `docs/REPORTS.md`
//! describes every report.

use super::error::{AppError, AppResult};
use super::kpi::{self as kpis, KpiReport, ScopeRequest};
use super::{Actor, App};
use crate::render::{self, Cell, Chart, ChartKind, Document, Table};
use careline_domain::kpi::{self as kpi_rules, Bucket, KpiReader};
use careline_domain::report::{self as rules, ScheduledWindow};
use careline_domain::training::ComplianceStatus;
use careline_domain::{Action, Role};
use careline_persistence::entity::{report, team, user};
use careline_persistence::kpi::Scope;
use careline_persistence::quality::{self as quality_store, ReviewFilter};
use careline_persistence::reports::{self as store, FileInfo, NewFile};
use careline_persistence::{org, users};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use uuid::Uuid;

pub use careline_domain::report::{Language, ReportKind};

/// Reports a list returns unless asked for another number.
pub const DEFAULT_LIST: i32 = 20;
/// Most reports a list returns.
pub const MAX_LIST: i32 = 100;
/// Most inspections a QUALITY report lists one by one.
const MAX_REVIEWS_LISTED: u64 = 2_000;

/// A stored report with its files (without their bytes).
#[derive(Debug, Clone)]
pub struct ReportView {
    /// The report.
    pub report: report::Model,
    /// Its files, workbook first.
    pub files: Vec<ReportFile>,
}

impl ReportView {
    /// The report's kind.
    pub fn kind(&self) -> AppResult<ReportKind> {
        ReportKind::parse(&self.report.kind)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown kind"), "stored report"))
    }
}

/// One file of a report, as a client fetches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    /// `xlsx`, `csv` or `svg`.
    pub format: String,
    /// The URL it is served at, relative to the server: `/reports/{id}.xlsx` for the workbook,
    /// `/reports/{id}/{name}` for a table's CSV or a chart's SVG.
    pub url: String,
    /// Its size.
    pub size_bytes: i32,
}

impl From<FileInfo> for ReportFile {
    fn from(f: FileInfo) -> Self {
        let url = if f.name == render::WORKBOOK {
            format!("/reports/{}.xlsx", f.report_id)
        } else {
            format!("/reports/{}/{}", f.report_id, f.name)
        };
        ReportFile {
            format: f.format,
            url,
            size_bytes: f.size_bytes,
        }
    }
}

/// What someone asks to be reported.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// Which report.
    pub kind: ReportKind,
    /// Start of the window.
    pub from: DateTime<Utc>,
    /// End of the window (exclusive).
    pub to: DateTime<Utc>,
    /// Whose figures; `None`: everyone the caller may read.
    pub scope: Option<ScopeRequest>,
    /// The language of headings and titles.
    pub language: Language,
}

/// Generates a report, stores it with its files and returns it.
pub async fn generate(app: &App, actor: &Actor, request: ReportRequest) -> AppResult<ReportView> {
    actor.require(Action::GenerateReports)?;
    rules::check_window(request.from, request.to)?;
    let scope = scope_for(app, actor, request.kind, request.scope).await?;
    let now = app.now();
    let (scope_kind, scope_id) = scope_columns(scope);
    let row = report::Model {
        id: Uuid::now_v7(),
        kind: request.kind.as_str().to_owned(),
        period_from: request.from,
        period_to: request.to,
        scope_kind: scope_kind.to_owned(),
        scope_id,
        language: request.language.as_str().to_owned(),
        scheduled: false,
        schedule_key: None,
        generated_by: Some(actor.id()),
        generated_at: now,
    };
    let stored = build_and_store(app, row, scope).await?.ok_or_else(|| {
        AppError::internal(anyhow::anyhow!("report not stored"), "storing a report")
    })?;
    tracing::info!(report.id = %stored.report.id, report.kind = %stored.report.kind, "report generated");
    Ok(stored)
}

/// Stored reports, newest first, of one kind if given: `first` of them (default 20, at most
/// 100).
pub async fn list(
    app: &App,
    actor: &Actor,
    kind: Option<ReportKind>,
    first: Option<i32>,
) -> AppResult<Vec<ReportView>> {
    actor.require(Action::ReadReports)?;
    let first = first.unwrap_or(DEFAULT_LIST);
    if !(1..=MAX_LIST).contains(&first) {
        return Err(AppError::bad_input(
            "first",
            format!("must be between 1 and {MAX_LIST}"),
        ));
    }
    let rows = store::list(&app.db, kind.map(ReportKind::as_str), first as u64).await?;
    with_files(app, rows).await
}

async fn with_files(app: &App, rows: Vec<report::Model>) -> AppResult<Vec<ReportView>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut files: HashMap<Uuid, Vec<ReportFile>> = HashMap::new();
    for f in store::files_of(&app.db, &ids).await? {
        files.entry(f.report_id).or_default().push(f.into());
    }
    Ok(rows
        .into_iter()
        .map(|report| ReportView {
            files: files.remove(&report.id).unwrap_or_default(),
            report,
        })
        .collect())
}

/// Which file of a report a download asks for.
#[derive(Debug, Clone, Copy)]
pub enum Wanted<'a> {
    /// The file of this name (`teams.csv`, `tickets-per-day.svg`).
    Named(&'a str),
    /// The first file of this format (`/reports/{id}.csv`: the report's first table).
    Format(&'a str),
}

/// A file to send.
#[derive(Debug, Clone)]
pub struct Download {
    /// The name to save it under.
    pub file_name: String,
    /// Its media type.
    pub content_type: String,
    /// Its bytes.
    pub content: Vec<u8>,
}

/// A report's file, for someone who may read reports.
pub async fn download(
    app: &App,
    actor: &Actor,
    id: Uuid,
    wanted: Wanted<'_>,
) -> AppResult<Download> {
    actor.require(Action::ReadReports)?;
    let not_found = || AppError::NotFound("report file not found".to_owned());
    let report = store::find(&app.db, id).await?.ok_or_else(not_found)?;
    let name = match wanted {
        Wanted::Named(name) => name.to_owned(),
        Wanted::Format(format) => {
            store::files_of(&app.db, &[id])
                .await?
                .into_iter()
                .find(|f| f.format == format)
                .ok_or_else(not_found)?
                .name
        }
    };
    let file = store::file(&app.db, id, &name)
        .await?
        .ok_or_else(not_found)?;
    let slug = ReportKind::parse(&report.kind).map_or("report", ReportKind::slug);
    let day = local_day(report.period_from);
    let file_name = if file.name == render::WORKBOOK {
        format!("careline-{slug}-{day}.xlsx")
    } else {
        format!("careline-{slug}-{day}-{}", file.name)
    };
    Ok(Download {
        file_name,
        content_type: file.content_type,
        content: file.content,
    })
}

/// Generates last month's scheduled reports when they are due at `now` (the 1st, from 08:00
/// Asia/Shanghai) and not stored yet. Several instances may run this at once: the database
/// keeps one report per kind and month. Returns how many this instance stored.
pub async fn run_schedule(app: &App, now: DateTime<Utc>) -> AppResult<usize> {
    let Some(window) = rules::scheduled_window(now, kpi_rules::organisation_time_zone()) else {
        return Ok(0);
    };
    let mut stored = 0;
    for kind in ReportKind::SCHEDULED {
        let key = window.key(kind);
        if store::scheduled_exists(&app.db, &key).await? {
            continue;
        }
        let row = scheduled_row(kind, &window, key, now);
        if build_and_store(app, row, Scope::All).await?.is_some() {
            stored += 1;
            tracing::info!(report.kind = kind.as_str(), report.month = %window.month, "scheduled report generated");
        }
    }
    Ok(stored)
}

fn scheduled_row(
    kind: ReportKind,
    window: &ScheduledWindow,
    key: String,
    now: DateTime<Utc>,
) -> report::Model {
    report::Model {
        id: Uuid::now_v7(),
        kind: kind.as_str().to_owned(),
        period_from: window.from,
        period_to: window.to,
        scope_kind: "ALL".to_owned(),
        scope_id: None,
        language: Language::default().as_str().to_owned(),
        scheduled: true,
        schedule_key: Some(key),
        generated_by: None,
        generated_at: now,
    }
}

/// Builds the document `row` describes, renders it (off the async threads: zipping and drawing
/// are CPU work) and stores it; `None` when a scheduled report was stored by someone else.
async fn build_and_store(
    app: &App,
    row: report::Model,
    scope: Scope,
) -> AppResult<Option<ReportView>> {
    let kind = ReportKind::parse(&row.kind)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown kind"), "report kind"))?;
    let lang = Language::parse(&row.language);
    let window = (row.period_from, row.period_to);
    let document = match kind {
        ReportKind::MonthlyService => monthly_service(app, scope, window, lang).await?,
        ReportKind::Complaints => complaints(app, scope, window, lang).await?,
        ReportKind::Quality => quality(app, scope, window, lang).await?,
        ReportKind::Training => training(app, scope, window, lang).await?,
    };
    let files = tokio::task::spawn_blocking(move || render::render(&document))
        .await
        .map_err(|e| AppError::internal(e, "rendering a report"))?
        .map_err(|e| AppError::internal(e, "rendering a report"))?;
    let files = files
        .into_iter()
        .map(|f| NewFile {
            name: f.name,
            format: f.format.to_owned(),
            content_type: f.content_type.to_owned(),
            content: f.content,
        })
        .collect();
    let Some(report) = store::insert(&app.db, row, files).await? else {
        return Ok(None);
    };
    Ok(with_files(app, vec![report]).await?.pop())
}

fn scope_columns(scope: Scope) -> (&'static str, Option<Uuid>) {
    match scope {
        Scope::Agent(id) => ("AGENT", Some(id)),
        Scope::Team(id) => ("TEAM", Some(id)),
        Scope::Department(id) => ("DEPARTMENT", Some(id)),
        Scope::All => ("ALL", None),
    }
}

/// The scope a report covers, checked against what the caller may read: the KPI rules for
/// people's figures (omitted: everyone for managers and admins, a supervisor's own team);
/// every complaint, or one department's, for complaint reports.
async fn scope_for(
    app: &App,
    actor: &Actor,
    kind: ReportKind,
    requested: Option<ScopeRequest>,
) -> AppResult<Scope> {
    if kind == ReportKind::Complaints {
        // Whoever may generate reports analyses every complaint (`analytics_scope`); a
        // department narrows the report to the complaints dispatched to it.
        return match requested {
            None | Some(ScopeRequest::All) => Ok(Scope::All),
            Some(ScopeRequest::Department(id)) => {
                let id = id
                    .or(actor.user.department_id)
                    .ok_or_else(|| AppError::bad_input("scope.id", "name the department"))?;
                org::department(&app.db, id)
                    .await?
                    .ok_or_else(|| AppError::NotFound("department not found".to_owned()))?;
                Ok(Scope::Department(id))
            }
            Some(_) => Err(AppError::bad_input(
                "scope.kind",
                "a complaint report covers everyone or one department",
            )),
        };
    }
    // Managers and admins may read everyone's KPIs; anyone else defaults to their own team.
    let requested = match requested {
        Some(scope) => scope,
        None => {
            let reader = KpiReader {
                user_id: actor.id(),
                roles: actor.roles(),
                led_teams: Vec::new(),
            };
            if kpi_rules::may_read(&reader, &kpi_rules::KpiScope::All) {
                ScopeRequest::All
            } else {
                ScopeRequest::Team(None)
            }
        }
    };
    kpis::resolve_scope(app, actor, requested).await
}

// ---------------------------------------------------------------------------------------------
// Who a report lists.

/// The teams and the staff a scope covers, each sorted by name (staff by team, then name).
struct People {
    teams: Vec<team::Model>,
    staff: Vec<user::Model>,
}

impl People {
    fn team_name(&self, id: Option<Uuid>) -> String {
        id.and_then(|id| self.teams.iter().find(|t| t.id == id))
            .map(|t| t.name.clone())
            .unwrap_or_default()
    }

    /// Frontline staff: those with KPIs of their own.
    fn frontline(&self) -> impl Iterator<Item = &user::Model> {
        self.staff.iter().filter(|u| {
            u.role_set()
                .has_any(&[Role::Agent, Role::TechSupport, Role::Supervisor])
        })
    }
}

async fn people(app: &App, scope: Scope) -> AppResult<People> {
    let all_teams = org::teams(&app.db).await?;
    let mut teams: Vec<team::Model> = match scope {
        Scope::All => all_teams,
        Scope::Department(d) => all_teams
            .into_iter()
            .filter(|t| t.department_id == d)
            .collect(),
        Scope::Team(id) => all_teams.into_iter().filter(|t| t.id == id).collect(),
        Scope::Agent(_) => Vec::new(),
    };
    teams.sort_by(|a, b| a.name.cmp(&b.name));
    let mut staff = match scope {
        Scope::Agent(id) => users::find_many(&app.db, &[id]).await?,
        _ => {
            let ids: Vec<Uuid> = teams.iter().map(|t| t.id).collect();
            users::members_of(&app.db, &ids).await?
        }
    };
    staff.retain(|u| u.role_set().is_staff());
    if let Scope::Agent(_) = scope {
        let ids: Vec<Uuid> = staff.iter().filter_map(|u| u.team_id).collect();
        teams = org::teams_by_id(&app.db, &ids).await?;
    }
    let position = |u: &user::Model| u.team_id.and_then(|t| teams.iter().position(|x| x.id == t));
    staff.sort_by(|a, b| (position(a), &a.name).cmp(&(position(b), &b.name)));
    Ok(People { teams, staff })
}

// ---------------------------------------------------------------------------------------------
// Labels.

/// The text in the report's language.
fn tr(lang: Language, zh: &str, en: &str) -> String {
    match lang {
        Language::ZhCn => zh.to_owned(),
        Language::En => en.to_owned(),
    }
}

/// A stored value (`PRODUCT_QUALITY`) as a reader reads it.
fn value_label(lang: Language, key: &str) -> String {
    const ZH: &[(&str, &str)] = &[
        ("PRODUCT_QUALITY", "产品质量"),
        ("SERVICE_ATTITUDE", "服务态度"),
        ("DELIVERY_DELAY", "配送延误"),
        ("BILLING_DISPUTE", "账单争议"),
        ("TECHNICAL_FAULT", "技术故障"),
        ("OTHER", "其他"),
        ("GENERAL", "一般"),
        ("IMPORTANT", "重要"),
        ("MAJOR", "重大"),
        ("PHONE", "电话"),
        ("EMAIL", "电子邮件"),
        ("LIVE_CHAT", "在线客服"),
        ("WEB_FORM", "网页表单"),
        ("MOBILE_APP", "手机应用"),
        ("SOCIAL_MEDIA", "社交媒体"),
        ("WALK_IN", "到店"),
        ("SUGGESTION_BOX", "意见箱"),
        ("JUSTIFIED", "属实"),
        ("UNJUSTIFIED", "不属实"),
        ("PENDING", "待定"),
        ("UNSPECIFIED", "未指定"),
        ("UNASSIGNED", "未派发"),
    ];
    match lang {
        Language::ZhCn => ZH
            .iter()
            .find(|(k, _)| *k == key)
            .map_or_else(|| key.to_owned(), |(_, v)| (*v).to_owned()),
        Language::En => {
            if !key.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
                return key.to_owned();
            }
            let words = key.to_lowercase().replace('_', " ");
            let mut chars = words.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

fn local_day(at: DateTime<Utc>) -> String {
    at.with_timezone(&kpi_rules::organisation_time_zone())
        .format("%Y-%m-%d")
        .to_string()
}

fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&kpi_rules::organisation_time_zone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The first sheet of every report: what it is, the window (local dates, end exclusive), its
/// scope, then `figures`.
fn summary(
    lang: Language,
    title: String,
    (from, to): Window,
    scope: String,
    figures: Vec<(String, Cell)>,
) -> Table {
    let mut rows = vec![
        vec![Cell::Text(tr(lang, "报告", "Report")), Cell::Text(title)],
        vec![
            Cell::Text(tr(lang, "开始", "From")),
            Cell::Text(local_time(from)),
        ],
        vec![
            Cell::Text(tr(lang, "结束（不含）", "To (exclusive)")),
            Cell::Text(local_time(to)),
        ],
        vec![Cell::Text(tr(lang, "范围", "Scope")), Cell::Text(scope)],
    ];
    rows.extend(figures.into_iter().map(|(k, v)| vec![Cell::Text(k), v]));
    Table {
        name: "summary",
        title: tr(lang, "概要", "Summary"),
        columns: vec![tr(lang, "项目", "Item"), tr(lang, "数值", "Value")],
        rows,
    }
}

async fn scope_label(app: &App, lang: Language, scope: Scope) -> AppResult<String> {
    Ok(match scope {
        Scope::All => tr(lang, "全部", "Everyone"),
        Scope::Team(id) => org::team(&app.db, id)
            .await?
            .map_or_else(|| id.to_string(), |t| t.name),
        Scope::Department(id) => org::department(&app.db, id)
            .await?
            .map_or_else(|| id.to_string(), |d| d.name),
        Scope::Agent(id) => users::find(&app.db, id)
            .await?
            .map_or_else(|| id.to_string(), |u| u.name),
    })
}

fn int(n: i32) -> Cell {
    Cell::Int(i64::from(n))
}

/// A KPI figure: its heading in Chinese and English, and how to read it off a report.
type Figure = (&'static str, &'static str, fn(&KpiReport) -> Cell);

/// Every KPI figure a report shows: the columns of the team and agent tables and the rows of
/// the summary.
const KPI_FIGURES: &[Figure] = &[
    ("新建工单", "Tickets created", |r| int(r.tickets_created)),
    ("处理工单", "Tickets handled", |r| int(r.tickets_handled)),
    ("已解决", "Tickets resolved", |r| int(r.tickets_resolved)),
    ("解决率", "Resolution rate", |r| {
        Cell::Percent(r.resolution_rate)
    }),
    (
        "平均首次响应（分钟）",
        "Avg first response (min)",
        |r| Cell::Number(r.first_response.average_minutes),
    ),
    (
        "平均解决时长（分钟）",
        "Avg resolution (min)",
        |r| Cell::Number(r.resolution.average_minutes),
    ),
    (
        "首次响应 SLA 达成率",
        "First-response SLA compliance",
        |r| Cell::Percent(r.first_response_sla_compliance),
    ),
    ("解决 SLA 达成率", "Resolution SLA compliance", |r| {
        Cell::Percent(r.resolution_sla_compliance)
    }),
    ("一次解决率", "First-contact resolution", |r| {
        Cell::Percent(r.first_contact_resolution_rate)
    }),
    ("重开率", "Reopen rate", |r| Cell::Percent(r.reopen_rate)),
    ("满意度均分", "CSAT average", |r| {
        Cell::Number(r.csat_average)
    }),
    ("满意率（4–5 分）", "CSAT satisfied share", |r| {
        Cell::Percent(r.csat_satisfied_share)
    }),
    ("投诉", "Complaints", |r| int(r.complaints)),
    ("表扬", "Praise", |r| int(r.praise)),
    ("升级", "Escalations", |r| int(r.escalations)),
    ("回访完成率", "Follow-up completion", |r| {
        Cell::Percent(r.follow_up_completion_rate)
    }),
    ("积压", "Backlog", |r| int(r.backlog)),
    ("超时", "Overdue", |r| int(r.overdue)),
    ("工时（分钟）", "Time spent (min)", |r| {
        int(r.time_spent_minutes)
    }),
];

fn kpi_headings(lang: Language) -> Vec<String> {
    KPI_FIGURES
        .iter()
        .map(|(zh, en, _)| tr(lang, zh, en))
        .collect()
}

fn kpi_cells(r: &KpiReport) -> impl Iterator<Item = Cell> + '_ {
    KPI_FIGURES.iter().map(move |(_, _, read)| read(r))
}

fn kpi_summary(lang: Language, r: &KpiReport) -> Vec<(String, Cell)> {
    KPI_FIGURES
        .iter()
        .map(|(zh, en, read)| (tr(lang, zh, en), read(r)))
        .collect()
}

/// A window `[from, to)`.
type Window = (DateTime<Utc>, DateTime<Utc>);

/// The trend's bucket width: days for windows up to two months, weeks beyond.
fn trend_width((from, to): Window) -> Bucket {
    if to - from <= Duration::days(rules::DAILY_TREND_MAX_DAYS) {
        Bucket::Day
    } else {
        Bucket::Week
    }
}

/// The trend's buckets, clipped to the window.
fn trend_buckets((from, to): Window) -> AppResult<Vec<Window>> {
    let starts = kpi_rules::bucket_starts(
        from,
        to,
        trend_width((from, to)),
        kpi_rules::organisation_time_zone(),
    )
    .ok_or_else(|| AppError::bad_input("to", "too many trend buckets"))?;
    Ok(starts
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let end = starts.get(i + 1).copied().unwrap_or(to).min(to);
            ((*s).max(from), end)
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// The reports.

async fn monthly_service(
    app: &App,
    scope: Scope,
    window: Window,
    lang: Language,
) -> AppResult<Document> {
    let (from, to) = window;
    let now = app.now();
    let people = people(app, scope).await?;
    let overall = kpis::report(app, scope, from, to, now).await?;
    let title = tr(lang, "客服诉求处理月报", "Monthly service report");
    let summary = summary(
        lang,
        title,
        window,
        scope_label(app, lang, scope).await?,
        kpi_summary(lang, &overall),
    );

    let mut teams = Table {
        name: "teams",
        title: tr(lang, "按团队", "By team"),
        columns: [vec![tr(lang, "团队", "Team")], kpi_headings(lang)].concat(),
        rows: Vec::new(),
    };
    for team in &people.teams {
        let r = kpis::report(app, Scope::Team(team.id), from, to, now).await?;
        let name = Cell::Text(team.name.clone());
        teams
            .rows
            .push(std::iter::once(name).chain(kpi_cells(&r)).collect());
    }

    let mut agents = Table {
        name: "agents",
        title: tr(lang, "按坐席", "By agent"),
        columns: [
            vec![tr(lang, "坐席", "Agent"), tr(lang, "团队", "Team")],
            kpi_headings(lang),
        ]
        .concat(),
        rows: Vec::new(),
    };
    for person in people.frontline() {
        let r = kpis::report(app, Scope::Agent(person.id), from, to, now).await?;
        agents.rows.push(
            [
                Cell::Text(person.name.clone()),
                Cell::Text(people.team_name(person.team_id)),
            ]
            .into_iter()
            .chain(kpi_cells(&r))
            .collect(),
        );
    }

    let daily = trend_width(window) == Bucket::Day;
    let mut trend = Table {
        name: "trend",
        title: if daily {
            tr(lang, "每日趋势", "Daily trend")
        } else {
            tr(lang, "每周趋势", "Weekly trend")
        },
        columns: vec![
            tr(lang, "日期", "Date"),
            tr(lang, "新建工单", "Tickets created"),
            tr(lang, "已解决", "Tickets resolved"),
            tr(lang, "首次响应 SLA 达成率", "First-response SLA compliance"),
            tr(lang, "解决 SLA 达成率", "Resolution SLA compliance"),
        ],
        rows: Vec::new(),
    };
    for (start, end) in trend_buckets(window)? {
        let r = kpis::report(app, scope, start, end, now).await?;
        trend.rows.push(vec![
            Cell::Text(local_day(start)),
            int(r.tickets_created),
            int(r.tickets_resolved),
            Cell::Percent(r.first_response_sla_compliance),
            Cell::Percent(r.resolution_sla_compliance),
        ]);
    }

    let charts = vec![
        Chart {
            name: "tickets-per-day",
            title: if daily {
                tr(lang, "每日工单量", "Tickets per day")
            } else {
                tr(lang, "每周工单量", "Tickets per week")
            },
            kind: ChartKind::Line,
            table: 3,
            categories: 0,
            series: vec![1, 2],
            percent: false,
        },
        Chart {
            name: "sla-compliance",
            title: tr(lang, "SLA 达成率趋势", "SLA compliance trend"),
            kind: ChartKind::Line,
            table: 3,
            categories: 0,
            series: vec![3, 4],
            percent: true,
        },
    ];
    Ok(Document {
        tables: vec![summary, teams, agents, trend],
        charts,
    })
}

async fn complaints(
    app: &App,
    scope: Scope,
    window: Window,
    lang: Language,
) -> AppResult<Document> {
    let department = match scope {
        Scope::Department(d) => Some(d),
        _ => None,
    };
    let width = trend_width(window);
    let a = kpis::complaint_figures(app, department, window, width).await?;
    let count = tr(lang, "投诉数", "Complaints");
    let breakdown =
        |name: &'static str, title: String, heading: String, rows: &[kpis::CountByKey]| Table {
            name,
            title,
            columns: vec![heading, count.clone()],
            rows: rows
                .iter()
                .map(|c| vec![Cell::Text(value_label(lang, &c.key)), int(c.count)])
                .collect(),
        };
    let summary = summary(
        lang,
        tr(lang, "投诉分析报告", "Complaint report"),
        window,
        scope_label(app, lang, scope).await?,
        vec![
            (tr(lang, "投诉总数", "Complaints"), int(a.total)),
            (
                tr(lang, "重复投诉客户", "Repeat complainants"),
                int(a.repeat_complainants),
            ),
            (
                tr(lang, "未完成整改措施", "Open corrective actions"),
                int(a.open_corrective_actions),
            ),
        ],
    );
    let trend = Table {
        name: "trend",
        title: if width == Bucket::Day {
            tr(lang, "每日投诉", "Complaints per day")
        } else {
            tr(lang, "每周投诉", "Complaints per week")
        },
        columns: vec![tr(lang, "日期", "Date"), count.clone()],
        rows: a
            .trend
            .iter()
            .map(|b| vec![Cell::Text(local_day(b.bucket_start)), int(b.count)])
            .collect(),
    };
    let tables = vec![
        summary,
        breakdown(
            "categories",
            tr(lang, "按类别", "By category"),
            tr(lang, "类别", "Category"),
            &a.by_category,
        ),
        breakdown(
            "channels",
            tr(lang, "按渠道", "By channel"),
            tr(lang, "渠道", "Channel"),
            &a.by_channel,
        ),
        breakdown(
            "departments",
            tr(lang, "按责任部门", "By department"),
            tr(lang, "部门", "Department"),
            &a.by_department,
        ),
        breakdown(
            "root-causes",
            tr(lang, "按根本原因", "By root cause"),
            tr(lang, "根本原因", "Root cause"),
            &a.by_root_cause,
        ),
        breakdown(
            "verdicts",
            tr(lang, "按核实结论", "By verdict"),
            tr(lang, "结论", "Verdict"),
            &a.by_verdict,
        ),
        breakdown(
            "severities",
            tr(lang, "按严重程度", "By severity"),
            tr(lang, "严重程度", "Severity"),
            &a.by_severity,
        ),
        trend,
    ];
    let charts = vec![
        Chart {
            name: "complaints-by-category",
            title: tr(lang, "按类别的投诉", "Complaints by category"),
            kind: ChartKind::Column,
            table: 1,
            categories: 0,
            series: vec![1],
            percent: false,
        },
        Chart {
            name: "complaints-trend",
            title: tr(lang, "投诉趋势", "Complaint trend"),
            kind: ChartKind::Line,
            table: 7,
            categories: 0,
            series: vec![1],
            percent: false,
        },
    ];
    Ok(Document { tables, charts })
}

async fn quality(app: &App, scope: Scope, window: Window, lang: Language) -> AppResult<Document> {
    let (from, to) = window;
    let now = app.now();
    let people = people(app, scope).await?;
    let overall = kpis::report(app, scope, from, to, now).await?;
    let summary = summary(
        lang,
        tr(lang, "质检报告", "Quality inspection report"),
        window,
        scope_label(app, lang, scope).await?,
        vec![
            (
                tr(lang, "质检次数", "Inspections"),
                int(overall.quality_reviews),
            ),
            (
                tr(lang, "平均得分", "Average score"),
                Cell::Number(overall.quality_average),
            ),
        ],
    );
    let mut agents = Table {
        name: "agents",
        title: tr(lang, "按坐席", "By agent"),
        columns: vec![
            tr(lang, "坐席", "Agent"),
            tr(lang, "团队", "Team"),
            tr(lang, "质检次数", "Inspections"),
            tr(lang, "平均得分", "Average score"),
            tr(lang, "属实投诉", "Justified complaints"),
        ],
        rows: Vec::new(),
    };
    let frontline: Vec<&user::Model> = people.frontline().collect();
    for person in &frontline {
        let r = kpis::report(app, Scope::Agent(person.id), from, to, now).await?;
        agents.rows.push(vec![
            Cell::Text(person.name.clone()),
            Cell::Text(people.team_name(person.team_id)),
            int(r.quality_reviews),
            Cell::Number(r.quality_average),
            int(r.justified_complaints_against),
        ]);
    }
    let filter = ReviewFilter {
        agent: match scope {
            Scope::Agent(id) => Some(id),
            _ => None,
        },
        from: Some(from),
        to: Some(to),
        disputed_only: false,
    };
    let in_scope: HashMap<Uuid, &user::Model> = frontline.iter().map(|u| (u.id, *u)).collect();
    let reviews: Vec<_> = quality_store::reviews(&app.db, filter, None, MAX_REVIEWS_LISTED)
        .await?
        .into_iter()
        .filter(|r| scope == Scope::All || in_scope.contains_key(&r.agent_id))
        .collect();
    let mut names: Vec<Uuid> = reviews
        .iter()
        .flat_map(|r| [r.agent_id, r.reviewer_id])
        .collect();
    names.sort();
    names.dedup();
    let names: HashMap<Uuid, String> = users::find_many(&app.db, &names)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let name_of = |id: &Uuid| names.get(id).cloned().unwrap_or_default();
    let listed = Table {
        name: "inspections",
        title: tr(lang, "质检明细", "Inspections"),
        columns: vec![
            tr(lang, "时间", "At"),
            tr(lang, "坐席", "Agent"),
            tr(lang, "质检员", "Inspector"),
            tr(lang, "得分", "Score"),
            tr(lang, "申诉", "Disputed"),
        ],
        rows: reviews
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(local_time(r.at)),
                    Cell::Text(name_of(&r.agent_id)),
                    Cell::Text(name_of(&r.reviewer_id)),
                    Cell::Number(Some(r.total)),
                    Cell::Text(if r.dispute.is_some() {
                        tr(lang, "是", "yes")
                    } else {
                        tr(lang, "否", "no")
                    }),
                ]
            })
            .collect(),
    };
    let charts = vec![Chart {
        name: "quality-by-agent",
        title: tr(lang, "坐席质检平均得分", "Average quality score by agent"),
        kind: ChartKind::Column,
        table: 1,
        categories: 0,
        series: vec![3],
        percent: false,
    }];
    Ok(Document {
        tables: vec![summary, agents, listed],
        charts,
    })
}

async fn training(app: &App, scope: Scope, window: Window, lang: Language) -> AppResult<Document> {
    let people = people(app, scope).await?;
    let mut persons = Table {
        name: "people",
        title: tr(lang, "人员合规", "Compliance by person"),
        columns: vec![
            tr(lang, "姓名", "Name"),
            tr(lang, "团队", "Team"),
            tr(lang, "合规", "Compliant"),
            tr(lang, "必修课程", "Required courses"),
            tr(lang, "缺失", "Missing"),
            tr(lang, "已过期", "Expired"),
            tr(lang, "即将过期", "Expiring"),
        ],
        rows: Vec::new(),
    };
    // Per team: (people, compliant).
    let mut by_team: Vec<(String, i64, i64)> = people
        .teams
        .iter()
        .map(|t| (t.name.clone(), 0, 0))
        .collect();
    let (mut total, mut compliant) = (0, 0);
    for person in &people.staff {
        let team = people.team_name(person.team_id);
        let c = super::training::compliance_of(app, person.clone()).await?;
        let count = |status: ComplianceStatus| {
            Cell::Int(c.items.iter().filter(|(_, s, _)| *s == status).count() as i64)
        };
        persons.rows.push(vec![
            Cell::Text(person.name.clone()),
            Cell::Text(team.clone()),
            Cell::Text(if c.compliant {
                tr(lang, "是", "yes")
            } else {
                tr(lang, "否", "no")
            }),
            Cell::Int(c.items.len() as i64),
            count(ComplianceStatus::Missing),
            count(ComplianceStatus::Expired),
            count(ComplianceStatus::Expiring),
        ]);
        total += 1;
        compliant += i64::from(c.compliant);
        if let Some(row) = by_team.iter_mut().find(|(name, _, _)| *name == team) {
            row.1 += 1;
            row.2 += i64::from(c.compliant);
        }
    }
    let rate = |n: i64, of: i64| kpi_rules::rate(n as u64, of as u64);
    let summary = summary(
        lang,
        tr(lang, "培训合规报告", "Training compliance report"),
        window,
        scope_label(app, lang, scope).await?,
        vec![
            (tr(lang, "人数", "People"), Cell::Int(total)),
            (tr(lang, "合规人数", "Compliant"), Cell::Int(compliant)),
            (
                tr(lang, "合规率", "Compliance rate"),
                Cell::Percent(rate(compliant, total)),
            ),
        ],
    );
    let teams = Table {
        name: "teams",
        title: tr(lang, "按团队", "By team"),
        columns: vec![
            tr(lang, "团队", "Team"),
            tr(lang, "人数", "People"),
            tr(lang, "合规人数", "Compliant"),
            tr(lang, "合规率", "Compliance rate"),
        ],
        rows: by_team
            .into_iter()
            .map(|(name, n, ok)| {
                vec![
                    Cell::Text(name),
                    Cell::Int(n),
                    Cell::Int(ok),
                    Cell::Percent(rate(ok, n)),
                ]
            })
            .collect(),
    };
    let charts = vec![Chart {
        name: "compliance-by-team",
        title: tr(lang, "各团队培训合规", "Training compliance by team"),
        kind: ChartKind::Column,
        table: 1,
        categories: 0,
        series: vec![1, 2],
        percent: false,
    }];
    Ok(Document {
        tables: vec![summary, teams, persons],
        charts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_read_as_words_in_either_language() {
        assert_eq!(value_label(Language::ZhCn, "PRODUCT_QUALITY"), "产品质量");
        assert_eq!(
            value_label(Language::En, "PRODUCT_QUALITY"),
            "Product quality"
        );
        assert_eq!(value_label(Language::En, "Sales"), "Sales");
        assert_eq!(value_label(Language::ZhCn, "售后部"), "售后部");
    }

    #[test]
    fn the_workbook_is_served_by_id_and_other_files_by_name() {
        let id = Uuid::nil();
        let file = |name: &str, format: &str| {
            ReportFile::from(FileInfo {
                report_id: id,
                name: name.to_owned(),
                format: format.to_owned(),
                size_bytes: 1,
            })
        };
        assert_eq!(
            file("report.xlsx", "xlsx").url,
            format!("/reports/{id}.xlsx")
        );
        assert_eq!(
            file("teams.csv", "csv").url,
            format!("/reports/{id}/teams.csv")
        );
    }
}
