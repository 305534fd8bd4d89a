//! Reports: generated over GraphQL, downloaded over HTTP with the same bearer token, read back
//! with real readers (calamine for the workbook, the zip listing for its charts, csv, and
//! roxmltree for the SVG charts); Chinese by default, English on request; last month's reports
//! generated once on the 1st at 08:00 Shanghai however many instances tick; refused without a
//! token or the right role.

use calamine::{Data, Reader, Xlsx};
use careline_tests::kit::{ADMIN, ALICE, LI_LEI, MANAGER, SAM, TRAINER, set_clock, tick};
use careline_tests::{TestApp, data, error_code};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use serde_json::{Value, json};
use std::io::Cursor;

const GENERATE: &str = "mutation($k: ReportKind!, $f: DateTime!, $t: DateTime!, $s: KpiScope) {
    generateReport(kind: $k, from: $f, to: $t, scope: $s) {
        id kind from to generatedAt scheduled language files { format url sizeBytes } } }";

const LIST: &str = "query($k: ReportKind, $n: Int) {
    reports(kind: $k, first: $n) { id kind from to scheduled files { format url sizeBytes } } }";

/// A window around the seed's tickets (created just now).
fn window() -> (DateTime<Utc>, DateTime<Utc>) {
    let now = Utc::now();
    (now - Duration::days(2), now + Duration::hours(1))
}

async fn generate_in(
    app: &TestApp,
    token: &str,
    language: Option<&str>,
    variables: Value,
) -> Value {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .json(&json!({ "query": GENERATE, "variables": variables }));
    if let Some(language) = language {
        request = request.header("Accept-Language", language);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// Generates a report over [`window`] and returns it.
async fn generate(app: &TestApp, token: &str, kind: &str, language: Option<&str>) -> Value {
    let (from, to) = window();
    let body = generate_in(
        app,
        token,
        language,
        json!({ "k": kind, "f": from, "t": to }),
    )
    .await;
    data(&body)["generateReport"].clone()
}

/// The URL of the report's file of this format whose name ends with `suffix`.
fn url(report: &Value, suffix: &str) -> String {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["url"].as_str())
        .find(|u| u.ends_with(suffix))
        .unwrap_or_else(|| panic!("no file ending {suffix} in {report}"))
        .to_owned()
}

async fn get(app: &TestApp, token: Option<&str>, url: &str) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{url}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Downloads a file, checking it is sent as an attachment of `content_type`.
async fn download(app: &TestApp, token: &str, url: &str, content_type: &str) -> Vec<u8> {
    let response = get(app, Some(token), url).await;
    assert_eq!(response.status(), 200, "GET {url}");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        header("content-type").starts_with(content_type),
        "{url}: {}",
        header("content-type")
    );
    assert!(header("content-disposition").starts_with("attachment; filename=\"careline-"));
    response.bytes().await.unwrap().to_vec()
}

fn workbook(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).expect("the XLSX should open")
}

fn zip_entries(bytes: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("an XLSX is a zip");
    archive
        .file_names()
        .map(|n| n.expect("entry name").into_owned())
        .collect()
}

/// The cell right of the first cell reading `label` in the sheet's first column.
fn value_beside(book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, label: &str) -> Data {
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .find(|row| row.first() == Some(&Data::String(label.to_owned())))
        .and_then(|row| row.get(1).cloned())
        .unwrap_or_else(|| panic!("no row {label} in {sheet}"))
}

fn column_values(book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, column: usize) -> Vec<String> {
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .skip(1)
        .filter_map(|row| row.get(column).map(|c| c.to_string()))
        .collect()
}

/// Every text node of an SVG document, trimmed, after checking it is well-formed XML.
fn svg_texts(bytes: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(bytes).expect("SVG is UTF-8");
    let doc = roxmltree::Document::parse(text).expect("the SVG should be well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
        .collect()
}

#[tokio::test]
async fn monthly_service_workbook_opens_with_chinese_sheets_a_native_chart_and_the_kpi_figures() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let report = generate(&app, &manager, "MONTHLY_SERVICE", None).await;
    assert_eq!(report["kind"], "MONTHLY_SERVICE");
    assert_eq!(report["scheduled"], false);
    assert_eq!(report["language"], "zh-CN");
    let id = report["id"].as_str().unwrap();
    assert_eq!(report["files"][0]["format"], "xlsx");
    assert_eq!(report["files"][0]["url"], format!("/reports/{id}.xlsx"));

    let bytes = download(
        &app,
        &manager,
        &format!("/reports/{id}.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await;
    assert_eq!(report["files"][0]["sizeBytes"], bytes.len());
    let entries = zip_entries(&bytes);
    assert!(
        entries.iter().any(|e| e == "xl/charts/chart1.xml"),
        "{entries:?}"
    );
    assert!(
        entries.iter().any(|e| e == "xl/charts/chart2.xml"),
        "{entries:?}"
    );

    let mut book = workbook(&bytes);
    assert_eq!(book.sheet_names(), ["概要", "按团队", "按坐席", "每日趋势"]);
    // The summary carries the same figures as the KPI query over the same window.
    let (from, to) = (&report["from"], &report["to"]);
    let kpis = app
        .gql(
            Some(&manager),
            "query($f: DateTime!, $t: DateTime!) { kpis(scope: {kind: ALL}, from: $f, to: $t) {
                ticketsCreated complaints } }",
            json!({ "f": from, "t": to }),
        )
        .await;
    let kpis = &data(&kpis)["kpis"];
    assert!(kpis["ticketsCreated"].as_i64().unwrap() > 0);
    assert_eq!(
        value_beside(&mut book, "概要", "新建工单"),
        Data::Float(kpis["ticketsCreated"].as_f64().unwrap())
    );
    assert_eq!(
        value_beside(&mut book, "概要", "投诉"),
        Data::Float(kpis["complaints"].as_f64().unwrap())
    );
    assert_eq!(
        column_values(&mut book, "按团队", 0),
        ["Front Desk A", "Front Desk B"]
    );
    assert!(column_values(&mut book, "按坐席", 0).contains(&"Alice Agent".to_owned()));
    let header = book.worksheet_range("按坐席").unwrap();
    assert_eq!(header.get((0, 0)), Some(&Data::String("坐席".to_owned())));
    // One row per local (Asia/Shanghai) day the window touches: three or four, by the hour.
    let day = |at: &Value| {
        DateTime::parse_from_rfc3339(at.as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive()
    };
    let days = (day(to) - day(from)).num_days() + 1;
    assert_eq!(
        column_values(&mut book, "每日趋势", 0).len() as i64,
        days,
        "{from} .. {to}"
    );
}

#[tokio::test]
async fn csv_tables_start_with_a_bom_and_parse_and_svg_charts_are_well_formed_with_their_series() {
    let app = TestApp::spawn().await;
    let supervisor = app.login(SAM).await;
    let report = generate(&app, &supervisor, "MONTHLY_SERVICE", None).await;

    let csv = download(&app, &supervisor, &url(&report, "/agents.csv"), "text/csv").await;
    assert!(
        csv.starts_with(b"\xEF\xBB\xBF"),
        "the CSV starts with a UTF-8 BOM"
    );
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "坐席");
    assert_eq!(&headers[2], "新建工单");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let names: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    // A supervisor's report without a scope covers their own team.
    assert!(names.contains(&"Alice Agent"), "{names:?}");
    assert!(!names.contains(&"Bella Agent"), "{names:?}");
    assert!(rows.iter().all(|r| r.len() == headers.len()));

    // `/reports/{id}.csv` is the first table: the summary.
    let id = report["id"].as_str().unwrap();
    let first = download(&app, &supervisor, &format!("/reports/{id}.csv"), "text/csv").await;
    assert!(String::from_utf8_lossy(&first).contains("新建工单"));

    let svg = download(
        &app,
        &supervisor,
        &url(&report, "/tickets-per-day.svg"),
        "image/svg+xml",
    )
    .await;
    let texts = svg_texts(&svg);
    for expected in ["每日工单量", "新建工单", "已解决"] {
        assert!(
            texts.iter().any(|t| t == expected),
            "{expected} in {texts:?}"
        );
    }
    let svg = download(
        &app,
        &supervisor,
        &url(&report, "/sla-compliance.svg"),
        "image/svg+xml",
    )
    .await;
    let texts = svg_texts(&svg);
    for expected in ["SLA 达成率趋势", "首次响应 SLA 达成率", "解决 SLA 达成率"] {
        assert!(
            texts.iter().any(|t| t == expected),
            "{expected} in {texts:?}"
        );
    }
}

#[tokio::test]
async fn english_sheet_names_headings_and_chart_titles_when_the_request_accepts_english() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let report = generate(&app, &manager, "MONTHLY_SERVICE", Some("en-US,en;q=0.9")).await;
    assert_eq!(report["language"], "en");
    let id = report["id"].as_str().unwrap();
    let bytes = download(
        &app,
        &manager,
        &format!("/reports/{id}.xlsx"),
        "application/",
    )
    .await;
    let mut book = workbook(&bytes);
    assert_eq!(
        book.sheet_names(),
        ["Summary", "By team", "By agent", "Daily trend"]
    );
    let range = book.worksheet_range("By agent").unwrap();
    assert_eq!(range.get((0, 0)), Some(&Data::String("Agent".to_owned())));
    let svg = download(
        &app,
        &manager,
        &url(&report, "/tickets-per-day.svg"),
        "image/svg+xml",
    )
    .await;
    assert!(svg_texts(&svg).contains(&"Tickets per day".to_owned()));
}

#[tokio::test]
async fn complaint_report_breaks_complaints_down_by_category_channel_department_root_cause_and_verdict()
 {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let report = generate(&app, &manager, "COMPLAINTS", None).await;
    let id = report["id"].as_str().unwrap();
    let bytes = download(
        &app,
        &manager,
        &format!("/reports/{id}.xlsx"),
        "application/",
    )
    .await;
    assert!(
        zip_entries(&bytes)
            .iter()
            .any(|e| e == "xl/charts/chart1.xml")
    );
    let mut book = workbook(&bytes);
    assert_eq!(
        book.sheet_names(),
        [
            "概要",
            "按类别",
            "按渠道",
            "按责任部门",
            "按根本原因",
            "按核实结论",
            "按严重程度",
            "每日投诉"
        ]
    );
    let analytics = app
        .gql(
            Some(&manager),
            "query($f: DateTime!, $t: DateTime!) { complaintAnalytics(from: $f, to: $t, bucket: DAY) {
                total byCategory { key count } byVerdict { key count } } }",
            json!({ "f": report["from"], "t": report["to"] }),
        )
        .await;
    let analytics = &data(&analytics)["complaintAnalytics"];
    assert!(analytics["total"].as_i64().unwrap() >= 2);
    assert_eq!(
        value_beside(&mut book, "概要", "投诉总数"),
        Data::Float(analytics["total"].as_f64().unwrap())
    );
    let categories = column_values(&mut book, "按类别", 0);
    assert!(
        categories.contains(&"配送延误".to_owned()),
        "{categories:?}"
    );
    assert_eq!(
        categories.len(),
        analytics["byCategory"].as_array().unwrap().len()
    );
    let verdicts = column_values(&mut book, "按核实结论", 0);
    assert!(verdicts.contains(&"属实".to_owned()), "{verdicts:?}");
    assert!(verdicts.contains(&"不属实".to_owned()), "{verdicts:?}");
    let causes = column_values(&mut book, "按根本原因", 0);
    assert!(
        causes
            .iter()
            .any(|c| c.starts_with("The courier's regional hub")),
        "{causes:?}"
    );

    let svg = download(
        &app,
        &manager,
        &url(&report, "/complaints-by-category.svg"),
        "image/svg+xml",
    )
    .await;
    let texts = svg_texts(&svg);
    for expected in ["按类别的投诉", "投诉数", "配送延误"] {
        assert!(
            texts.iter().any(|t| t == expected),
            "{expected} in {texts:?}"
        );
    }
    let csv = download(
        &app,
        &manager,
        &url(&report, "/root-causes.csv"),
        "text/csv",
    )
    .await;
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
}

#[tokio::test]
async fn quality_and_training_reports_list_inspections_and_compliance() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let quality = generate(&app, &manager, "QUALITY", None).await;
    let id = quality["id"].as_str().unwrap();
    let mut book = workbook(
        &download(
            &app,
            &manager,
            &format!("/reports/{id}.xlsx"),
            "application/",
        )
        .await,
    );
    assert_eq!(book.sheet_names(), ["概要", "按坐席", "质检明细"]);
    assert_eq!(
        value_beside(&mut book, "概要", "质检次数"),
        Data::Float(1.0)
    );
    assert_eq!(column_values(&mut book, "质检明细", 2), ["Sam Supervisor"]);

    let training = generate(&app, &manager, "TRAINING", Some("en")).await;
    let id = training["id"].as_str().unwrap();
    let mut book = workbook(
        &download(
            &app,
            &manager,
            &format!("/reports/{id}.xlsx"),
            "application/",
        )
        .await,
    );
    assert_eq!(
        book.sheet_names(),
        ["Summary", "By team", "Compliance by person"]
    );
    let people = column_values(&mut book, "Compliance by person", 0);
    assert!(people.contains(&"Alice Agent".to_owned()), "{people:?}");
    let svg = download(
        &app,
        &manager,
        &url(&training, "/compliance-by-team.svg"),
        "image/svg+xml",
    )
    .await;
    assert!(svg_texts(&svg).contains(&"Training compliance by team".to_owned()));
}

#[tokio::test]
async fn reports_are_listed_newest_first_and_by_kind() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let complaints = generate(&app, &manager, "COMPLAINTS", None).await;
    let quality = generate(&app, &manager, "QUALITY", None).await;
    let body = app.gql(Some(&manager), LIST, json!({ "n": 2 })).await;
    let listed = data(&body)["reports"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["id"], quality["id"]);
    assert_eq!(listed[1]["id"], complaints["id"]);
    assert_eq!(listed[0]["files"], quality["files"]);

    let body = app
        .gql(Some(&manager), LIST, json!({ "k": "MONTHLY_SERVICE" }))
        .await;
    let listed = data(&body)["reports"].as_array().unwrap().clone();
    // The demo seed's report.
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["kind"], "MONTHLY_SERVICE");

    for n in [0, 101] {
        let body = app.gql(Some(&manager), LIST, json!({ "n": n })).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "first: {n}");
    }
}

#[tokio::test]
async fn bad_windows_and_scopes_are_refused_as_bad_user_input() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let now = Utc::now();
    let cases = [
        (now, now),
        (now, now - Duration::hours(1)),
        (now - Duration::days(367), now),
    ];
    for (from, to) in cases {
        let body = generate_in(
            &app,
            &manager,
            None,
            json!({ "k": "MONTHLY_SERVICE", "f": from, "t": to }),
        )
        .await;
        assert_eq!(
            error_code(&body),
            Some("BAD_USER_INPUT"),
            "{from} – {to}: {body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], "to");
    }
    let body = generate_in(
        &app,
        &manager,
        None,
        json!({ "k": "COMPLAINTS", "f": now - Duration::days(1), "t": now, "s": { "kind": "TEAM" } }),
    )
    .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // A supervisor reads their team's figures, not everyone's.
    let supervisor = app.login(SAM).await;
    let body = generate_in(
        &app,
        &supervisor,
        None,
        json!({ "k": "MONTHLY_SERVICE", "f": now - Duration::days(1), "t": now, "s": { "kind": "ALL" } }),
    )
    .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
}

#[tokio::test]
async fn report_downloads_need_a_token_and_a_role_that_reads_reports() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let report = generate(&app, &manager, "COMPLAINTS", None).await;
    let id = report["id"].as_str().unwrap();
    let workbook = format!("/reports/{id}.xlsx");
    let csv = url(&report, "/categories.csv");

    for url in [&workbook, &csv] {
        let response = get(&app, None, url).await;
        assert_eq!(response.status(), 401, "{url} without a token");
        assert_eq!(
            response.headers().get("www-authenticate").unwrap(),
            "Bearer"
        );
        let response = get(&app, Some("not-a-token"), url).await;
        assert_eq!(response.status(), 401, "{url} with a bad token");
    }
    for email in [ALICE, LI_LEI, TRAINER] {
        let token = app.login(email).await;
        for url in [&workbook, &csv] {
            let response = get(&app, Some(&token), url).await;
            assert_eq!(response.status(), 403, "{email} GET {url}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(error_code(&body), Some("FORBIDDEN"));
        }
        let body = app.gql(Some(&token), LIST, json!({})).await;
        assert_eq!(
            error_code(&body),
            Some("FORBIDDEN"),
            "{email} lists reports"
        );
        let (from, to) = window();
        let body = generate_in(
            &app,
            &token,
            None,
            json!({ "k": "COMPLAINTS", "f": from, "t": to }),
        )
        .await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{email} generates");
    }
    let admin = app.login(ADMIN).await;
    assert_eq!(get(&app, Some(&admin), &workbook).await.status(), 200);
    for missing in [
        format!("/reports/{}.xlsx", uuid::Uuid::now_v7()),
        format!("/reports/{id}/nothing.csv"),
        format!("/reports/{id}.pdf"),
        "/reports/not-an-id.xlsx".to_owned(),
    ] {
        assert_eq!(
            get(&app, Some(&admin), &missing).await.status(),
            404,
            "{missing}"
        );
    }
}

/// The next 1st of a month, at `hh:mm` Shanghai time.
fn next_first_at(hour: u32, minute: u32) -> DateTime<Utc> {
    let tz = chrono_tz::Asia::Shanghai;
    let local = Utc::now().with_timezone(&tz);
    let (y, m) = if local.month() == 12 {
        (local.year() + 1, 1)
    } else {
        (local.year(), local.month() + 1)
    };
    tz.with_ymd_and_hms(y, m, 1, hour, minute, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn last_months_reports_are_generated_once_at_eight_on_the_first_across_instances() {
    let a = TestApp::spawn().await;
    let b = a.spawn_sharing(|_| {}).await;
    let set_clocks = |at: DateTime<Utc>| {
        for app in [&a, &b] {
            set_clock(app, at);
        }
    };
    let manager = a.login(MANAGER).await;
    let scheduled = || async {
        let body = a.gql(Some(&manager), LIST, json!({ "n": 100 })).await;
        data(&body)["reports"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["scheduled"] == true)
            .cloned()
            .collect::<Vec<_>>()
    };

    set_clocks(next_first_at(7, 59));
    tick(&a).await;
    assert!(scheduled().await.is_empty(), "nothing before 08:00");

    set_clocks(next_first_at(8, 0) + Duration::seconds(30));
    tokio::join!(tick(&a), tick(&b));
    // Later ticks the same day find them stored.
    tick(&b).await;
    tick(&a).await;

    let reports = scheduled().await;
    let mut kinds: Vec<&str> = reports
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["COMPLAINTS", "MONTHLY_SERVICE"], "{reports:?}");
    let tz = chrono_tz::Asia::Shanghai;
    let to = next_first_at(0, 0);
    let local_to = to.with_timezone(&tz);
    let from_local = if local_to.month() == 1 {
        tz.with_ymd_and_hms(local_to.year() - 1, 12, 1, 0, 0, 0)
    } else {
        tz.with_ymd_and_hms(local_to.year(), local_to.month() - 1, 1, 0, 0, 0)
    };
    let from = from_local.unwrap().with_timezone(&Utc);
    for report in &reports {
        let at = |key: &str| {
            DateTime::parse_from_rfc3339(report[key].as_str().unwrap())
                .unwrap()
                .with_timezone(&Utc)
        };
        assert_eq!(at("from"), from, "{report}");
        assert_eq!(at("to"), to, "{report}");
    }
    // Chinese by default, and served like any other report.
    let id = reports[0]["id"].as_str().unwrap();
    let bytes = download(&b, &manager, &format!("/reports/{id}.xlsx"), "application/").await;
    assert_eq!(workbook(&bytes).sheet_names()[0], "概要");
}
