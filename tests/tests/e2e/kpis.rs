//! KPIs end to end: a known set of tickets built through the API (then moved to fixed instants
//! in a past week so business minutes are exact), every KPI asserted, the drill-down compared
//! with the counts, who may read which scope, and complaint analytics across the Shanghai
//! day boundary. Definitions: docs/KPIS.md.

use careline_persistence::entity::{follow_up, satisfaction_rating, ticket, ticket_event};
use careline_tests::kit::{
    ACKNOWLEDGE, ADMIN, CREATE_USER, DISPATCH_TICKET, LI_LEI as CUSTOMER, MANAGER,
    SAM as OTHER_SUPERVISOR, ok,
};
use careline_tests::{DEMO_PASSWORD, TestApp, data, error_code};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use uuid::Uuid;

const X: &str = "kpi.x@careline.example";
const Y: &str = "kpi.y@careline.example";
const SUP: &str = "kpi.sup@careline.example";

const FROM: &str = "2025-03-03T00:00:00Z";
const TO: &str = "2025-03-10T00:00:00Z";

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test instant")
        .with_timezone(&Utc)
}

/// Anything written by the API during the test is later than this; stamped rows are earlier.
fn fresh() -> DateTime<Utc> {
    utc("2025-12-31T00:00:00Z")
}

/// Moves what `kind` just wrote on `ticket` to `at`: its timeline entry and the ticket column
/// or row that goes with it.
async fn stamp(app: &TestApp, ticket: &str, kind: &str, at: &str) {
    let db = &app.state.app.db;
    let id = Uuid::parse_str(ticket).expect("ticket id");
    let at = utc(at);
    ticket_event::Entity::update_many()
        .col_expr(ticket_event::Column::At, Expr::value(at))
        .filter(ticket_event::Column::TicketId.eq(id))
        .filter(ticket_event::Column::Kind.eq(kind))
        .filter(ticket_event::Column::At.gt(fresh()))
        .exec(db)
        .await
        .expect("stamp event");
    let column = match kind {
        "CREATED" => Some(ticket::Column::CreatedAt),
        "ACKNOWLEDGED" => Some(ticket::Column::FirstRespondedAt),
        "RESOLVED" => Some(ticket::Column::ResolvedAt),
        "CLOSED" => Some(ticket::Column::ClosedAt),
        _ => None,
    };
    if let Some(col) = column {
        ticket::Entity::update_many()
            .col_expr(col, Expr::value(at))
            .filter(ticket::Column::Id.eq(id))
            .exec(db)
            .await
            .expect("stamp ticket");
    }
    // The recorded durations were measured from the real instants: forget them, move the
    // first resolution too, and let the server's backfill measure them again.
    let forget = match kind {
        "ACKNOWLEDGED" => Some(ticket::Column::FirstResponseMinutes),
        "RESOLVED" => {
            ticket::Entity::update_many()
                .col_expr(ticket::Column::FirstResolvedAt, Expr::value(at))
                .col_expr(
                    ticket::Column::ResolutionMinutes,
                    Expr::value(Option::<i32>::None),
                )
                .filter(ticket::Column::Id.eq(id))
                .filter(ticket::Column::FirstResolvedAt.gt(fresh()))
                .exec(db)
                .await
                .expect("stamp first resolution");
            None
        }
        _ => None,
    };
    if let Some(col) = forget {
        ticket::Entity::update_many()
            .col_expr(col, Expr::value(Option::<i32>::None))
            .filter(ticket::Column::Id.eq(id))
            .exec(db)
            .await
            .expect("forget duration");
    }
    careline_persistence::kpi::backfill_durations(db)
        .await
        .expect("backfill durations");
    // The KPI facts kept while writing followed the real instants: derive them again.
    careline_migration::derive_kpi_facts(db)
        .await
        .expect("derive KPI facts");
    if kind == "RATED" {
        satisfaction_rating::Entity::update_many()
            .col_expr(satisfaction_rating::Column::At, Expr::value(at))
            .filter(satisfaction_rating::Column::TicketId.eq(id))
            .filter(satisfaction_rating::Column::At.gt(fresh()))
            .exec(db)
            .await
            .expect("stamp rating");
    }
    if kind == "FOLLOW_UP_RECORDED" {
        follow_up::Entity::update_many()
            .col_expr(follow_up::Column::At, Expr::value(at))
            .filter(follow_up::Column::TicketId.eq(id))
            .filter(follow_up::Column::At.gt(fresh()))
            .exec(db)
            .await
            .expect("stamp follow-up");
    }
}

/// Sets a ticket's SLA due times (`None`: no target).
async fn due(app: &TestApp, ticket: &str, first_response: Option<&str>, resolution: Option<&str>) {
    let id = Uuid::parse_str(ticket).expect("ticket id");
    ticket::Entity::update_many()
        .col_expr(
            ticket::Column::FirstResponseDueAt,
            Expr::value(first_response.map(utc)),
        )
        .col_expr(
            ticket::Column::ResolutionDueAt,
            Expr::value(resolution.map(utc)),
        )
        .filter(ticket::Column::Id.eq(id))
        .exec(&app.state.app.db)
        .await
        .expect("set due times");
}

const CREATE: &str = "mutation($input: CreateTicketInput!) { createTicket(input: $input) { id } }";

async fn create(app: &TestApp, token: &str, input: Value, at: &str) -> String {
    let body = ok(app, token, CREATE, json!({ "input": input })).await;
    let id = body["createTicket"]["id"]
        .as_str()
        .expect("ticket id")
        .to_owned();
    stamp(app, &id, "CREATED", at).await;
    // A major complaint is escalated at intake, in the same instant.
    stamp(app, &id, "ESCALATED", at).await;
    id
}

async fn step(app: &TestApp, token: &str, mutation: &str, id: &str, kind: &str, at: &str) {
    ok(app, token, mutation, json!({ "id": id })).await;
    stamp(app, id, kind, at).await;
}

const RESOLVE: &str = "mutation($id: ID!) { resolveTicket(id: $id, solution: \"Done.\") { id } }";
const REOPEN: &str = "mutation($id: ID!) { reopenTicket(id: $id, reason: \"Again.\") { id } }";
const CLOSE: &str = "mutation($id: ID!) { closeTicket(id: $id) { id } }";
const VERDICT: &str = "mutation($id: ID!) { recordComplaintVerdict(ticketId: $id, verdict: JUSTIFIED, rootCause: \"Wrong part shipped.\") { id } }";
const FOLLOW: &str = "mutation($id: ID!) { recordFollowUp(id: $id, input: { method: PHONE, outcome: \"Fine.\", customerSatisfied: true }) { id } }";

fn customer() -> Value {
    json!({ "name": "Repeat Caller", "phone": "13900001111" })
}

/// The scenario of docs/KPIS.md's worked example; returns the ids T1..T6.
struct World {
    x: String,
    y: String,
    team: String,
    t: Vec<String>,
    x_token: String,
    y_token: String,
    sup_token: String,
}

async fn world(app: &TestApp) -> World {
    let admin = app.login(ADMIN).await;
    let depts = ok(app, &admin, "{ departments { id name kind } }", json!({})).await;
    let cs = depts["departments"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["kind"] == "CUSTOMER_SERVICE"))
        .and_then(|d| d["id"].as_str())
        .expect("customer service department")
        .to_owned();
    let legal = depts["departments"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["kind"] == "LEGAL"))
        .and_then(|d| d["id"].as_str())
        .expect("legal department")
        .to_owned();
    let create_user = |email: &'static str, role: &'static str, team: Option<String>| {
        let (admin, cs) = (admin.clone(), cs.clone());
        async move {
            let created = ok(
                app,
                &admin,
                CREATE_USER,
                json!({ "i": { "email": email, "name": email, "password": DEMO_PASSWORD,
                    "roles": [role], "departmentId": cs, "teamId": team } }),
            )
            .await;
            created["createUser"]["id"].as_str().expect("id").to_owned()
        }
    };
    let sup = create_user(SUP, "SUPERVISOR", None).await;
    let team = ok(
        app,
        &admin,
        "mutation($d: ID!, $s: ID) { createTeam(name: \"KPI Desk\", departmentId: $d, supervisorId: $s) { id } }",
        json!({ "d": cs, "s": sup }),
    )
    .await["createTeam"]["id"]
        .as_str()
        .expect("team")
        .to_owned();
    let x = create_user(X, "AGENT", Some(team.clone())).await;
    let y = create_user(Y, "AGENT", Some(team.clone())).await;
    let x_token = app.login(X).await;
    let y_token = app.login(Y).await;
    let sup_token = app.login(SUP).await;
    let xt = x_token.as_str();

    // T1: an inquiry answered in 30 and resolved in 120 business minutes, rated 5.
    let t1 = create(
        app,
        xt,
        json!({ "kind": "INQUIRY", "channel": "PHONE", "subject": "T1", "description": "d",
            "customer": customer() }),
        "2025-03-03T02:00:00Z",
    )
    .await;
    step(
        app,
        xt,
        ACKNOWLEDGE,
        &t1,
        "ACKNOWLEDGED",
        "2025-03-03T02:30:00Z",
    )
    .await;
    step(app, xt, RESOLVE, &t1, "RESOLVED", "2025-03-03T04:00:00Z").await;
    ok(
        app,
        xt,
        "mutation($id: ID!) { rateTicket(id: $id, rating: 5) { id } }",
        json!({ "id": t1 }),
    )
    .await;
    stamp(app, &t1, "RATED", "2025-03-03T05:00:00Z").await;

    // T2: a general complaint at 22:00 Shanghai, answered 09:30 next day (60 + 30 business
    // minutes), resolved at 10:00 (120), rated 3, followed up and closed.
    let t2 = create(
        app,
        xt,
        json!({ "kind": "COMPLAINT", "channel": "PHONE", "subject": "T2", "description": "d",
            "category": "PRODUCT_QUALITY", "severity": "GENERAL", "customer": customer(),
            "involvedStaffIds": [x] }),
        "2025-03-03T14:00:00Z",
    )
    .await;
    step(
        app,
        xt,
        ACKNOWLEDGE,
        &t2,
        "ACKNOWLEDGED",
        "2025-03-04T01:30:00Z",
    )
    .await;
    step(app, xt, RESOLVE, &t2, "RESOLVED", "2025-03-04T02:00:00Z").await;
    ok(
        app,
        xt,
        "mutation($id: ID!) { rateTicket(id: $id, rating: 3) { id } }",
        json!({ "id": t2 }),
    )
    .await;
    stamp(app, &t2, "RATED", "2025-03-04T03:00:00Z").await;
    step(
        app,
        xt,
        FOLLOW,
        &t2,
        "FOLLOW_UP_RECORDED",
        "2025-03-04T03:30:00Z",
    )
    .await;
    step(
        app,
        &sup_token,
        VERDICT,
        &t2,
        "VERDICT_RECORDED",
        "2025-03-04T03:45:00Z",
    )
    .await;
    step(app, xt, CLOSE, &t2, "CLOSED", "2025-03-04T04:00:00Z").await;

    // T3: a major complaint at Shanghai midnight (24×7): answered in 10, resolved in 240,
    // reopened, resolved again by Y.
    let t3 = create(
        app,
        xt,
        json!({ "kind": "COMPLAINT", "channel": "EMAIL", "subject": "T3", "description": "d",
            "category": "SERVICE_ATTITUDE", "severity": "MAJOR", "customer": customer(),
            "involvedStaffIds": [x] }),
        "2025-03-04T16:00:00Z",
    )
    .await;
    step(
        app,
        xt,
        ACKNOWLEDGE,
        &t3,
        "ACKNOWLEDGED",
        "2025-03-04T16:10:00Z",
    )
    .await;
    step(app, xt, RESOLVE, &t3, "RESOLVED", "2025-03-04T20:00:00Z").await;
    step(app, xt, REOPEN, &t3, "REOPENED", "2025-03-05T01:00:00Z").await;
    let assign = "mutation($id: ID!, $a: ID!) { assignTicket(id: $id, assigneeId: $a) { id } }";
    ok(app, &sup_token, assign, json!({ "id": t3, "a": y })).await;
    stamp(app, &t3, "ASSIGNED", "2025-03-05T01:30:00Z").await;
    step(
        app,
        &y_token,
        RESOLVE,
        &t3,
        "RESOLVED",
        "2025-03-05T02:00:00Z",
    )
    .await;

    // T4: an inquiry answered in 5 minutes (one minute late) and dispatched; still open.
    let t4 = create(
        app,
        xt,
        json!({ "kind": "INQUIRY", "channel": "WEB_FORM", "subject": "T4", "description": "d",
            "customer": customer() }),
        "2025-03-05T03:00:00Z",
    )
    .await;
    step(
        app,
        xt,
        ACKNOWLEDGE,
        &t4,
        "ACKNOWLEDGED",
        "2025-03-05T03:05:00Z",
    )
    .await;
    ok(app, xt, DISPATCH_TICKET, json!({ "id": t4, "d": legal })).await;
    stamp(app, &t4, "DISPATCHED", "2025-03-05T03:10:00Z").await;

    // T5: praise for X registered by Y; never answered.
    let t5 = create(
        app,
        &y_token,
        json!({ "kind": "PRAISE", "channel": "PHONE", "subject": "T5", "description": "d",
            "praisedEmployeeId": x, "customer": customer() }),
        "2025-03-06T02:00:00Z",
    )
    .await;

    // T6: Y answers in 20 minutes, the supervisor hands it to X, X resolves at 60.
    let t6 = create(
        app,
        &y_token,
        json!({ "kind": "INQUIRY", "channel": "PHONE", "subject": "T6", "description": "d",
            "customer": customer() }),
        "2025-03-07T02:00:00Z",
    )
    .await;
    step(
        app,
        &y_token,
        ACKNOWLEDGE,
        &t6,
        "ACKNOWLEDGED",
        "2025-03-07T02:20:00Z",
    )
    .await;
    ok(
        app,
        &sup_token,
        "mutation($id: ID!, $a: ID!) { assignTicket(id: $id, assigneeId: $a) { id } }",
        json!({ "id": t6, "a": x }),
    )
    .await;
    stamp(app, &t6, "ASSIGNED", "2025-03-07T02:40:00Z").await;
    step(app, xt, RESOLVE, &t6, "RESOLVED", "2025-03-07T03:00:00Z").await;

    // Due times last, so nothing the SLA engine does on the way moves them.
    due(
        app,
        &t1,
        Some("2025-03-03T03:00:00Z"),
        Some("2025-03-04T02:00:00Z"),
    )
    .await;
    due(
        app,
        &t2,
        Some("2025-03-04T02:00:00Z"),
        Some("2025-03-04T01:00:00Z"),
    )
    .await;
    due(
        app,
        &t3,
        Some("2025-03-04T16:15:00Z"),
        Some("2025-03-05T16:00:00Z"),
    )
    .await;
    due(
        app,
        &t4,
        Some("2025-03-05T03:04:00Z"),
        Some("2025-03-06T03:00:00Z"),
    )
    .await;
    due(app, &t5, Some("2025-03-20T00:00:00Z"), None).await;
    due(app, &t6, None, None).await;

    World {
        x,
        y,
        team,
        t: vec![t1, t2, t3, t4, t5, t6],
        x_token,
        y_token,
        sup_token,
    }
}

const REPORT: &str =
    "query($s: KpiScope!, $f: DateTime!, $t: DateTime!) { kpis(scope: $s, from: $f, to: $t) {
    from to ticketsCreated ticketsHandled ticketsResolved resolutionRate
    firstResponse { count averageMinutes medianMinutes p90Minutes }
    resolution { count averageMinutes medianMinutes p90Minutes }
    firstResponseSlaCompliance resolutionSlaCompliance firstContactResolutionRate reopenRate
    csatAverage csatSatisfiedShare csatResponseRate complaints complaintRate praise escalations
    followUpCompletionRate backlog overdue } }";

async fn report(app: &TestApp, token: &str, scope: Value) -> Value {
    let body = app
        .gql(
            Some(token),
            REPORT,
            json!({ "s": scope, "f": FROM, "t": TO }),
        )
        .await;
    data(&body)["kpis"].clone()
}

fn close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{actual} is not a number"));
    assert!((a - expected).abs() < 1e-9, "{a} != {expected}");
}

const DRILL: &str = "query($s: KpiScope!, $f: DateTime!, $t: DateTime!, $m: KpiMetric!, $first: Int, $after: String) {
    kpiTickets(scope: $s, from: $f, to: $t, metric: $m, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id } } }";

/// Every ticket of a metric's drill-down, paging two at a time.
async fn drill(app: &TestApp, token: &str, scope: Value, metric: &str) -> (i64, BTreeSet<String>) {
    let mut ids = BTreeSet::new();
    let mut after: Option<String> = None;
    let mut total = 0;
    for _ in 0..20 {
        let body = app
            .gql(
                Some(token),
                DRILL,
                json!({ "s": scope, "f": FROM, "t": TO, "m": metric, "first": 2, "after": after }),
            )
            .await;
        let c = &data(&body)["kpiTickets"];
        total = c["totalCount"].as_i64().expect("total");
        for n in c["nodes"].as_array().expect("nodes") {
            ids.insert(n["id"].as_str().expect("id").to_owned());
        }
        if c["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    (total, ids)
}

fn set(w: &World, which: &[usize]) -> BTreeSet<String> {
    which.iter().map(|i| w.t[i - 1].clone()).collect()
}

#[tokio::test]
async fn an_agents_report_matches_the_worked_example_exactly() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let r = report(&app, &w.x_token, json!({ "kind": "AGENT" })).await;
    assert_eq!(utc(r["from"].as_str().expect("from")), utc(FROM));
    assert_eq!(r["ticketsCreated"], 4);
    assert_eq!(r["ticketsHandled"], 5);
    assert_eq!(r["ticketsResolved"], 4);
    close(&r["resolutionRate"], 0.8);
    assert_eq!(r["firstResponse"]["count"], 4);
    close(&r["firstResponse"]["averageMinutes"], 33.75);
    close(&r["firstResponse"]["medianMinutes"], 20.0);
    close(&r["firstResponse"]["p90Minutes"], 90.0);
    assert_eq!(r["resolution"]["count"], 4);
    close(&r["resolution"]["averageMinutes"], 135.0);
    close(&r["resolution"]["medianMinutes"], 120.0);
    close(&r["resolution"]["p90Minutes"], 240.0);
    close(&r["firstResponseSlaCompliance"], 0.75);
    close(&r["resolutionSlaCompliance"], 0.5);
    close(&r["firstContactResolutionRate"], 0.5);
    close(&r["reopenRate"], 0.25);
    close(&r["csatAverage"], 4.0);
    close(&r["csatSatisfiedShare"], 0.5);
    close(&r["csatResponseRate"], 0.5);
    assert_eq!(r["complaints"], 2);
    // Complaints about X per ticket X handled (docs/KPIS.md).
    close(&r["complaintRate"], 0.4);
    assert_eq!(r["praise"], 1);
    assert_eq!(r["escalations"], 1);
    close(&r["followUpCompletionRate"], 1.0);
    assert_eq!(r["backlog"], 1);
    assert_eq!(r["overdue"], 1);

    // The same figures by id, as a supervisor of the team reads them.
    let by_id = report(&app, &w.sup_token, json!({ "kind": "AGENT", "id": w.x })).await;
    assert_eq!(by_id, r);
}

#[tokio::test]
async fn team_and_colleague_reports_attribute_work_to_whoever_did_it() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;

    let y = report(&app, &w.y_token, json!({ "kind": "AGENT" })).await;
    assert_eq!(y["ticketsCreated"], 2);
    assert_eq!(y["ticketsHandled"], 3);
    assert_eq!(y["ticketsResolved"], 1);
    assert_eq!(y["complaints"], 0);
    close(&y["complaintRate"], 0.0);
    assert_eq!(y["firstResponse"]["count"], 1);
    close(&y["firstResponse"]["medianMinutes"], 20.0);
    close(&y["resolution"]["averageMinutes"], 240.0);
    assert_eq!(y["praise"], 0);
    assert_eq!(
        y["firstResponseSlaCompliance"],
        Value::Null,
        "no target fell due"
    );
    assert_eq!(y["csatAverage"], Value::Null, "nothing rated is not zero");
    assert_eq!(y["backlog"], 1);

    let team = report(&app, &w.sup_token, json!({ "kind": "TEAM", "id": w.team })).await;
    assert_eq!(team["ticketsCreated"], 6);
    assert_eq!(team["ticketsHandled"], 6);
    assert_eq!(team["ticketsResolved"], 4);
    assert_eq!(team["firstResponse"]["count"], 5);
    close(&team["firstResponse"]["averageMinutes"], 31.0);
    close(&team["firstResponse"]["medianMinutes"], 20.0);
    close(&team["firstResponse"]["p90Minutes"], 90.0);
    close(&team["csatResponseRate"], 0.4);
    close(&team["reopenRate"], 0.25);
    close(&team["firstContactResolutionRate"], 0.5);
    assert_eq!(team["praise"], 1);
    assert_eq!(team["escalations"], 1);
    assert_eq!(team["backlog"], 2);
    assert_eq!(team["overdue"], 2);

    let manager = app.login(MANAGER).await;
    let all = report(&app, &manager, json!({ "kind": "ALL" })).await;
    assert_eq!(
        all["ticketsCreated"], 6,
        "the demo tickets lie outside the period"
    );
    assert_eq!(all["ticketsResolved"], 4);
}

#[tokio::test]
async fn every_drill_down_lists_exactly_the_tickets_its_figure_counted() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let me = json!({ "kind": "AGENT" });
    for (metric, expected) in [
        ("TICKETS_CREATED", set(&w, &[1, 2, 3, 4])),
        ("TICKETS_HANDLED", set(&w, &[1, 2, 3, 4, 6])),
        ("TICKETS_RESOLVED", set(&w, &[1, 2, 3, 6])),
        ("FIRST_RESPONSES", set(&w, &[1, 2, 3, 4])),
        ("FIRST_RESPONSE_SLA_DUE", set(&w, &[1, 2, 3, 4])),
        ("FIRST_RESPONSE_SLA_MISSED", set(&w, &[4])),
        ("RESOLUTION_SLA_DUE", set(&w, &[1, 2, 3, 4])),
        ("RESOLUTION_SLA_MISSED", set(&w, &[2, 4])),
        ("FIRST_CONTACT_RESOLUTIONS", set(&w, &[1, 2])),
        ("REOPENED", set(&w, &[3])),
        ("RATED", set(&w, &[1, 2])),
        ("COMPLAINTS", set(&w, &[2, 3])),
        ("PRAISE", set(&w, &[5])),
        ("ESCALATED", set(&w, &[3])),
        ("CLOSED_COMPLAINTS", set(&w, &[2])),
        ("FOLLOWED_UP_COMPLAINTS", set(&w, &[2])),
        ("BACKLOG", set(&w, &[4])),
        ("OVERDUE", set(&w, &[4])),
    ] {
        let (total, ids) = drill(&app, &w.x_token, me.clone(), metric).await;
        assert_eq!(ids, expected, "{metric}");
        assert_eq!(total, expected.len() as i64, "{metric} totalCount");
    }
}

/// The report's figures equal the counts of their own sets, and the distinct-ticket figures
/// read from `kpi_spans` equal their definitions over the timeline (docs/KPIS.md, written here
/// as plain SQL over `ticket_events`), for every scope and for
/// periods of every length starting every 12 hours around the worked example: periods inside a
/// span (the timeline is consulted), across either end of one, spans marked long, and a reopen
/// after a resolution that is not the span's first.
#[tokio::test]
async fn span_figures_equal_their_timeline_definitions_for_any_period() {
    use careline_persistence::kpi::{Clock, Metric, Period, Scope, count_statement, durations};
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    // Two late notes by X stretch X's spans on T1 and T2 past the short bound.
    let note = "mutation($id: ID!) { addTicketNote(id: $id, body: \"Later.\") { id } }";
    ok(&app, &w.x_token, note, json!({ "id": w.t[0] })).await;
    stamp(&app, &w.t[0], "NOTE_ADDED", "2025-03-20T04:00:00Z").await;
    ok(&app, &w.x_token, note, json!({ "id": w.t[1] })).await;
    stamp(&app, &w.t[1], "NOTE_ADDED", "2025-03-09T12:00:00Z").await;
    // T3 reopened again after Y's resolution: a period starting between its two resolutions
    // counts it as reopened from the resolution inside the period.
    ok(&app, &w.x_token, REOPEN, json!({ "id": w.t[2] })).await;
    stamp(&app, &w.t[2], "REOPENED", "2025-03-06T00:00:00Z").await;

    let db = &app.state.app.db;
    let backend = db.get_database_backend();
    let uuid = |s: &str| Uuid::parse_str(s).expect("uuid");
    let scopes = [
        ("X", Scope::Agent(uuid(&w.x)), "e.actor_id = $3"),
        ("Y", Scope::Agent(uuid(&w.y)), "e.actor_id = $3"),
        (
            "team",
            Scope::Team(uuid(&w.team)),
            "e.actor_id IN (SELECT u.id FROM users u WHERE u.team_id = $3)",
        ),
        (
            "all",
            Scope::All,
            "e.actor_id IN (SELECT u.id FROM users u WHERE u.roles > 1)",
        ),
    ];
    let reference = async |sql: String, from: DateTime<Utc>, to: DateTime<Utc>, scope: Scope| {
        let mut values: Vec<sea_orm::Value> = vec![from.into(), to.into()];
        match scope {
            Scope::Agent(id) | Scope::Team(id) | Scope::Department(id) => values.push(id.into()),
            Scope::All => {}
        }
        db.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .expect("reference query")
            .iter()
            .map(|row| {
                let n: Option<i64> = row.try_get_by_index(0).expect("reference value");
                n.unwrap_or(0)
            })
            .collect::<Vec<i64>>()
    };
    let mut periods = Vec::new();
    let start = utc("2025-03-02T00:00:00Z");
    for half_days in 0..40 {
        for hours in [3, 24, 96, 480] {
            let from = start + chrono::Duration::hours(12 * half_days);
            periods.push((from, from + chrono::Duration::hours(hours)));
        }
    }
    let mut nonzero = 0;
    for (label, scope, who) in scopes {
        for (from, to) in &periods {
            let (f, t) = (from.to_rfc3339(), to.to_rfc3339());
            let period = Period {
                from: *from,
                to: *to,
                now: careline_persistence::now(),
            };
            let in_period = format!("e.at >= $1 AND e.at < $2 AND {who}");
            let distinct = |extra: &str| {
                format!(
                    "SELECT COUNT(DISTINCT e.ticket_id) FROM ticket_events e \
                     WHERE {in_period}{extra}"
                )
            };
            let resolved = format!("{in_period} AND e.kind = 'RESOLVED'");
            let expected = [
                (Metric::TicketsHandled, distinct("")),
                (
                    Metric::TicketsResolved,
                    distinct(" AND e.kind = 'RESOLVED'"),
                ),
                (
                    Metric::FirstContactResolutions,
                    distinct(" AND e.kind = 'RESOLVED' AND e.first_contact = TRUE"),
                ),
                (
                    Metric::Reopened,
                    format!(
                        "SELECT COUNT(*) FROM (SELECT e.ticket_id AS id, MIN(e.at) AS res_at \
                         FROM ticket_events e WHERE {resolved} GROUP BY e.ticket_id) r \
                         WHERE EXISTS (SELECT 1 FROM ticket_events o WHERE o.ticket_id = r.id \
                         AND o.kind = 'REOPENED' AND o.at > r.res_at)"
                    ),
                ),
            ];
            // The report counts several figures per scan: each equals its own set's count.
            let report = careline_persistence::kpi::counts(db, scope, period)
                .await
                .expect("counts");
            for metric in Metric::ALL {
                let row = db
                    .query_one_raw(count_statement(backend, scope, period, metric))
                    .await
                    .expect("count")
                    .expect("a row");
                let n: i64 = row.try_get("", "n").expect("n");
                assert_eq!(
                    report.of(metric),
                    u64::try_from(n).expect("a count"),
                    "report's {metric:?} of {label} over [{f}, {t})"
                );
            }
            let first = durations(db, scope, period, Clock::FirstResponse)
                .await
                .expect("durations");
            assert_eq!(report.first_response, first);
            for (metric, sql) in expected {
                let want = reference(sql, *from, *to, scope).await[0];
                assert_eq!(
                    report.of(metric),
                    u64::try_from(want).expect("a count"),
                    "report's {metric:?} of {label} over [{f}, {t})"
                );
                let row = db
                    .query_one_raw(count_statement(backend, scope, period, metric))
                    .await
                    .expect("count")
                    .expect("a row");
                let got: i64 = row.try_get("", "n").expect("n");
                assert_eq!(got, want, "{metric:?} of {label} over [{f}, {t})");
                nonzero += usize::from(want > 0);
            }
            let minutes: Vec<i64> = reference(
                format!(
                    "SELECT CAST(MIN(e.minutes) AS BIGINT) FROM ticket_events e WHERE {resolved} \
                     AND e.minutes IS NOT NULL GROUP BY e.ticket_id"
                ),
                *from,
                *to,
                scope,
            )
            .await;
            let got = durations(db, scope, period, Clock::Resolution)
                .await
                .expect("durations");
            assert_eq!(
                got,
                careline_domain::kpi::summarize(minutes),
                "resolution minutes of {label} over [{f}, {t})"
            );
            assert_eq!(report.resolution, got);
        }
    }
    assert!(nonzero > 400, "the periods must hit the tickets: {nonzero}");
    app.shutdown().await;
}

#[tokio::test]
async fn agents_read_their_own_kpis_supervisors_their_team_and_managers_everyone() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let q = |scope: Value| json!({ "s": scope, "f": FROM, "t": TO });
    let forbidden = |body: &Value| error_code(body) == Some("FORBIDDEN");

    let x_reads_y = app
        .gql(
            Some(&w.x_token),
            REPORT,
            q(json!({ "kind": "AGENT", "id": w.y })),
        )
        .await;
    assert!(forbidden(&x_reads_y), "{x_reads_y}");
    let x_reads_team = app
        .gql(
            Some(&w.x_token),
            REPORT,
            q(json!({ "kind": "TEAM", "id": w.team })),
        )
        .await;
    assert!(forbidden(&x_reads_team), "{x_reads_team}");
    let x_reads_all = app
        .gql(Some(&w.x_token), REPORT, q(json!({ "kind": "ALL" })))
        .await;
    assert!(forbidden(&x_reads_all), "{x_reads_all}");

    let other = app.login(OTHER_SUPERVISOR).await;
    for scope in [
        json!({ "kind": "TEAM", "id": w.team }),
        json!({ "kind": "AGENT", "id": w.x }),
        json!({ "kind": "ALL" }),
    ] {
        let body = app.gql(Some(&other), REPORT, q(scope)).await;
        assert!(forbidden(&body), "{body}");
    }
    let drill_other = app
        .gql(
            Some(&other),
            DRILL,
            json!({ "s": { "kind": "AGENT", "id": w.x }, "f": FROM, "t": TO, "m": "TICKETS_CREATED" }),
        )
        .await;
    assert!(forbidden(&drill_other), "{drill_other}");

    let customer = app.login(CUSTOMER).await;
    let body = app
        .gql(Some(&customer), REPORT, q(json!({ "kind": "AGENT" })))
        .await;
    assert!(forbidden(&body), "{body}");

    let manager = app.login(MANAGER).await;
    for scope in [
        json!({ "kind": "AGENT", "id": w.y }),
        json!({ "kind": "TEAM", "id": w.team }),
        json!({ "kind": "ALL" }),
    ] {
        let body = app.gql(Some(&manager), REPORT, q(scope)).await;
        data(&body);
    }

    let backwards = app
        .gql(
            Some(&manager),
            REPORT,
            json!({ "s": { "kind": "ALL" }, "f": TO, "t": FROM }),
        )
        .await;
    assert_eq!(error_code(&backwards), Some("BAD_USER_INPUT"));
    let unknown = app
        .gql(
            Some(&manager),
            REPORT,
            q(json!({ "kind": "TEAM", "id": Uuid::now_v7().to_string() })),
        )
        .await;
    assert_eq!(error_code(&unknown), Some("NOT_FOUND"));
}

const ANALYTICS: &str = "query($f: DateTime!, $t: DateTime!, $b: TimeBucket!) {
    complaintAnalytics(from: $f, to: $t, bucket: $b) {
        total byCategory { key count } bySeverity { key count } byChannel { key count }
        byDepartment { key count } trend { bucketStart count } repeatComplainants
        openCorrectiveActions } }";

fn keyed(v: &Value) -> BTreeSet<(String, i64)> {
    v.as_array()
        .expect("list")
        .iter()
        .map(|c| {
            (
                c["key"].as_str().expect("key").to_owned(),
                c["count"].as_i64().expect("count"),
            )
        })
        .collect()
}

#[tokio::test]
async fn complaint_analytics_buckets_by_shanghai_days_and_counts_repeat_complainants() {
    let app = TestApp::spawn().await;
    let _w = world(&app).await;
    let manager = app.login(MANAGER).await;
    let body = app
        .gql(
            Some(&manager),
            ANALYTICS,
            json!({ "f": FROM, "t": "2025-03-06T00:00:00Z", "b": "DAY" }),
        )
        .await;
    let a = &data(&body)["complaintAnalytics"];
    assert_eq!(a["total"], 2);
    assert_eq!(
        keyed(&a["byCategory"]),
        [
            ("PRODUCT_QUALITY".to_owned(), 1),
            ("SERVICE_ATTITUDE".to_owned(), 1)
        ]
        .into()
    );
    assert_eq!(
        keyed(&a["bySeverity"]),
        [("GENERAL".to_owned(), 1), ("MAJOR".to_owned(), 1)].into()
    );
    assert_eq!(
        keyed(&a["byChannel"]),
        [("EMAIL".to_owned(), 1), ("PHONE".to_owned(), 1)].into()
    );
    assert_eq!(
        keyed(&a["byDepartment"]),
        [("UNASSIGNED".to_owned(), 2)].into()
    );
    assert_eq!(a["repeatComplainants"], 1);
    // T2 at 22:00 on 3 March and T3 at 00:00 on 5 March, Shanghai time: T3 falls on 4 March
    // in UTC but in the 5 March bucket.
    let trend: Vec<(String, i64)> = a["trend"]
        .as_array()
        .expect("trend")
        .iter()
        .map(|b| {
            (
                b["bucketStart"].as_str().expect("start").to_owned(),
                b["count"].as_i64().expect("count"),
            )
        })
        .collect();
    let starts: Vec<DateTime<Utc>> = trend.iter().map(|(s, _)| utc(s)).collect();
    assert_eq!(
        starts,
        vec![
            utc("2025-03-02T16:00:00Z"),
            utc("2025-03-03T16:00:00Z"),
            utc("2025-03-04T16:00:00Z"),
            utc("2025-03-05T16:00:00Z"),
        ]
    );
    let counts: Vec<i64> = trend.iter().map(|(_, n)| *n).collect();
    assert_eq!(counts, vec![1, 0, 1, 0]);

    let open = app
        .gql(
            Some(&manager),
            "{ correctiveActions(status: OPEN) { id } }",
            json!({}),
        )
        .await;
    let open = data(&open)["correctiveActions"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(a["openCorrectiveActions"].as_u64(), Some(open as u64));

    let weekly = app
        .gql(
            Some(&manager),
            ANALYTICS,
            json!({ "f": FROM, "t": TO, "b": "WEEK" }),
        )
        .await;
    let weeks = &data(&weekly)["complaintAnalytics"]["trend"];
    assert_eq!(weeks[0]["count"], 2, "{weeks}");

    let agent = app.login(X).await;
    let refused = app
        .gql(
            Some(&agent),
            ANALYTICS,
            json!({ "f": FROM, "t": TO, "b": "MONTH" }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"));
}

/// The stored durations follow the ticket through the API: measured on its own calendar when
/// the first response and the first resolution happen, and kept when it is reopened and
/// resolved again.
#[tokio::test]
async fn durations_are_recorded_when_the_clocks_stop_and_kept_after_a_reopen() {
    let app = TestApp::spawn().await;
    let token = app.login(ADMIN).await;
    let input = json!({ "kind": "INQUIRY", "channel": "PHONE", "subject": "Durations",
        "description": "When do the clocks stop?", "customer": customer() });
    let id = ok(&app, &token, CREATE, json!({ "input": input })).await["createTicket"]["id"]
        .as_str()
        .expect("ticket id")
        .to_owned();
    let row = |id: String| {
        let db = app.state.app.db.clone();
        async move {
            ticket::Entity::find_by_id(Uuid::parse_str(&id).expect("uuid"))
                .one(&db)
                .await
                .expect("read ticket")
                .expect("ticket")
        }
    };
    let fresh_row = row(id.clone()).await;
    assert_eq!(fresh_row.first_response_minutes, None);
    assert_eq!(fresh_row.resolution_minutes, None);

    ok(&app, &token, ACKNOWLEDGE, json!({ "id": id })).await;
    ok(&app, &token, RESOLVE, json!({ "id": id })).await;
    let resolved = row(id.clone()).await;
    let answered = resolved.first_responded_at.expect("answered");
    let first_resolution = resolved.first_resolved_at.expect("first resolution");
    assert_eq!(resolved.resolved_at, Some(first_resolution));
    let first_entry = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(resolved.id))
        .filter(ticket_event::Column::Kind.eq("RESOLVED"))
        .one(&app.state.app.db)
        .await
        .expect("resolution entry")
        .expect("resolved");
    assert_eq!(first_entry.minutes, resolved.resolution_minutes);
    assert_eq!(
        first_entry.first_contact,
        Some(true),
        "the owner resolved it"
    );
    assert_eq!(
        resolved.first_response_minutes,
        careline_persistence::kpi::minutes_since_creation(
            &resolved,
            careline_persistence::calendars::of_stored_ticket(&app.state.app.db, &resolved)
                .await
                .expect("calendar")
                .as_ref(),
            answered
        )
    );
    assert!(resolved.resolution_minutes.is_some());

    // A value no wall clock would produce, to see that the second resolution keeps it.
    ticket::Entity::update_many()
        .col_expr(ticket::Column::ResolutionMinutes, Expr::value(12_345))
        .filter(ticket::Column::Id.eq(resolved.id))
        .exec(&app.state.app.db)
        .await
        .expect("mark duration");
    ok(&app, &token, REOPEN, json!({ "id": id })).await;
    ok(&app, &token, RESOLVE, json!({ "id": id })).await;
    let again = row(id).await;
    assert_eq!(again.first_resolved_at, Some(first_resolution));
    assert_ne!(again.resolved_at, Some(first_resolution));
    assert_eq!(again.resolution_minutes, Some(12_345));
    // The timeline's resolution entries carry the duration; a reopen ends first contact.
    let resolutions = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(again.id))
        .filter(ticket_event::Column::Kind.eq("RESOLVED"))
        .all(&app.state.app.db)
        .await
        .expect("resolutions");
    assert_eq!(resolutions.len(), 2);
    assert_eq!(
        resolutions.iter().map(|e| e.minutes).max().flatten(),
        Some(12_345)
    );
    assert!(resolutions.iter().all(|e| e.first_contact == Some(false)));
    app.shutdown().await;
}

/// Every KPI fact the server keeps as it writes (`kpi_spans`, the first responder).
async fn kept_facts(app: &TestApp) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state.app.db;
    let mut facts = Vec::new();
    let spans = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT class, actor_id, ticket_id, first_at, last_at, long_span, minutes, \
             first_contact, reopened_at FROM kpi_spans",
        ))
        .await
        .expect("read spans");
    for row in spans {
        let class: String = row.try_get("", "class").expect("class");
        let actor: Uuid = row.try_get("", "actor_id").expect("actor");
        let ticket: Uuid = row.try_get("", "ticket_id").expect("ticket");
        let first: DateTime<Utc> = row.try_get("", "first_at").expect("first");
        let last: DateTime<Utc> = row.try_get("", "last_at").expect("last");
        let long: bool = row.try_get("", "long_span").expect("long");
        let minutes: Option<i32> = row.try_get("", "minutes").expect("minutes");
        let first_contact: Option<bool> = row.try_get("", "first_contact").expect("fc");
        let reopened: Option<DateTime<Utc>> = row.try_get("", "reopened_at").expect("reopened");
        facts.push(format!(
            "{class} {actor} {ticket} {first} {last} {long} {minutes:?} {first_contact:?} \
             {reopened:?}"
        ));
    }
    for t in ticket::Entity::find().all(db).await.expect("tickets") {
        facts.push(format!("responder {} {:?}", t.id, t.first_responder_id));
    }
    facts.sort();
    facts
}

/// The facts kept while writing are exactly those derived from the timeline afterwards, through
/// first responses, resolutions, a reopen, a second resolver, a rating and closing.
#[tokio::test]
async fn kpi_facts_kept_while_writing_equal_those_derived_from_the_timeline() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let manager = app.login(MANAGER).await;
    let input = |subject: &str| {
        json!({ "input": { "kind": "INQUIRY", "channel": "PHONE", "subject": subject,
            "description": "Kept or derived?", "customer": customer() } })
    };
    let id = |v: Value| {
        v["createTicket"]["id"]
            .as_str()
            .expect("ticket id")
            .to_owned()
    };
    let reopened = id(ok(&app, &admin, CREATE, input("Reopened")).await);
    ok(&app, &manager, ACKNOWLEDGE, json!({ "id": reopened })).await;
    ok(&app, &manager, RESOLVE, json!({ "id": reopened })).await;
    ok(&app, &admin, REOPEN, json!({ "id": reopened })).await;
    ok(&app, &admin, RESOLVE, json!({ "id": reopened })).await;
    let first_contact = id(ok(&app, &admin, CREATE, input("First contact")).await);
    ok(&app, &admin, ACKNOWLEDGE, json!({ "id": first_contact })).await;
    ok(&app, &admin, RESOLVE, json!({ "id": first_contact })).await;
    ok(&app, &admin, FOLLOW, json!({ "id": first_contact })).await;
    ok(&app, &admin, CLOSE, json!({ "id": first_contact })).await;

    let kept = kept_facts(&app).await;
    careline_migration::derive_kpi_facts(&app.state.app.db)
        .await
        .expect("derive KPI facts");
    assert_eq!(kept, kept_facts(&app).await);

    // And they say what happened.
    let spans_of = |ticket: &str, class: &str| {
        kept.iter()
            .filter(|f| f.starts_with(class) && f.contains(ticket))
            .cloned()
            .collect::<Vec<_>>()
    };
    let resolved = spans_of(&reopened, "RESOLVED ");
    // The manager, the admin, and anyone on staff.
    assert_eq!(resolved.len(), 3, "{resolved:?}");
    assert!(resolved.iter().all(|f| f.contains("Some(false)")));
    let once = spans_of(&first_contact, "RESOLVED ");
    assert_eq!(once.len(), 2, "{once:?}");
    assert!(
        once.iter().all(|f| f.contains("Some(true) None")),
        "{once:?}"
    );
    assert_eq!(spans_of(&first_contact, "HANDLED ").len(), 2);
    assert!(
        kept.iter()
            .any(|f| f.starts_with(&format!("responder {reopened} Some(")))
    );
    app.shutdown().await;
}

/// Count, mean, median and p90 come from a histogram the database aggregates; they must equal
/// the definitions in `careline_domain::kpi` for odd and even counts alike.
#[tokio::test]
async fn duration_percentiles_in_sql_follow_the_definitions() {
    use careline_persistence::kpi::{Clock, Period, Scope, durations};
    let app = TestApp::spawn().await;
    let db = &app.state.app.db;
    let tickets = ticket::Entity::find().all(db).await.expect("demo tickets");
    assert!(tickets.len() >= 6, "the demo organisation has tickets");
    let from = utc("2024-01-01T00:00:00Z");
    let period = Period {
        from,
        to: from + chrono::Duration::days(1),
        now: fresh(),
    };
    // Skewed values, so mean, median and p90 all differ.
    let minutes: Vec<i32> = (0..tickets.len() as i32).map(|i| i * i * 7 % 113).collect();
    for (t, m) in tickets.iter().zip(&minutes) {
        ticket::Entity::update_many()
            .col_expr(ticket::Column::FirstRespondedAt, Expr::value(from))
            .col_expr(ticket::Column::FirstResponseMinutes, Expr::value(*m))
            .filter(ticket::Column::Id.eq(t.id))
            .exec(db)
            .await
            .expect("set duration");
    }
    for n in [minutes.len(), minutes.len() - 1] {
        if n < minutes.len() {
            // Move one ticket's response out of the period.
            ticket::Entity::update_many()
                .col_expr(ticket::Column::FirstRespondedAt, Expr::value(period.to))
                .filter(ticket::Column::Id.eq(tickets[n].id))
                .exec(db)
                .await
                .expect("move out");
        }
        let expected =
            careline_domain::kpi::summarize(minutes[..n].iter().map(|m| i64::from(*m)).collect());
        let got = durations(db, Scope::All, period, Clock::FirstResponse)
            .await
            .expect("durations");
        assert_eq!(got.count, n as u64);
        for (g, e) in [
            (got.average, expected.average),
            (got.median, expected.median),
            (got.p90, expected.p90),
        ] {
            let (g, e) = (g.expect("figure"), e.expect("figure"));
            assert!((g - e).abs() < 1e-9, "{n} values: SQL {g}, definition {e}");
        }
    }
    app.shutdown().await;
}

/// Everyone's report read from daily rollups equals the report from the kept facts alone,
/// figure by figure, for periods of many lengths starting at UTC midnight, at Shanghai midnight
/// and at odd instants (their partial days computed live), over the worked example plus
/// seeded pseudo-random tickets answered, resolved, rated, reopened and resolved again and
/// noted on across days. A reopen written through the API after the days were rolled up
/// forgets those days (the report stays exact), and rolling up again gives the new figures.
#[tokio::test]
async fn rolled_up_reports_equal_the_live_ones_for_any_period() {
    use careline_persistence::kpi::rollups;
    use careline_persistence::kpi::{Metric, Period, Scope, counts, counts_live};
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let db = &app.state.app.db;
    let base = utc("2025-03-01T00:00:00Z");
    let minutes = |m: i64| chrono::Duration::minutes(m);
    let mut seed = 0x5eed_u64;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    const NOTE: &str = "mutation($id: ID!) { addTicketNote(id: $id, body: \"Later.\") { id } }";
    const RATE: &str = "mutation($id: ID!, $r: Int!) { rateTicket(id: $id, rating: $r) { id } }";
    // (ticket, its owner's token, when it was resolved) of a first-contact resolution.
    let mut first_contact = None;
    for i in 0..16 {
        let token = if next(2) == 0 { &w.x_token } else { &w.y_token };
        // Around midnight UTC, around midnight in Shanghai, or anywhere in a day.
        let at = base
            + chrono::Duration::days(next(12) as i64)
            + match next(3) {
                0 => minutes(24 * 60 - 10 + next(20) as i64),
                1 => minutes(16 * 60 - 10 + next(20) as i64),
                _ => minutes(next(24 * 60) as i64),
            };
        let kind = ["INQUIRY", "COMPLAINT", "AFTER_SALES"][next(3) as usize];
        let mut input = json!({ "kind": kind, "channel": "PHONE", "subject": format!("R{i}"),
            "description": "d", "customer": customer() });
        if kind == "COMPLAINT" {
            input["category"] = json!("PRODUCT_QUALITY");
            input["severity"] = json!("GENERAL");
        }
        let id = create(&app, token, input, &at.to_rfc3339()).await;
        let mut t = at;
        if i > 0 && next(5) == 0 {
            continue; // never answered
        }
        t += minutes(1 + next(600) as i64);
        step(
            &app,
            token,
            ACKNOWLEDGE,
            &id,
            "ACKNOWLEDGED",
            &t.to_rfc3339(),
        )
        .await;
        if i > 0 && next(4) == 0 {
            continue; // answered, still open
        }
        t += minutes(1 + next(3000) as i64);
        step(&app, token, RESOLVE, &id, "RESOLVED", &t.to_rfc3339()).await;
        if i == 0 {
            first_contact = Some((id.clone(), token.clone(), t));
            continue;
        }
        if next(2) == 0 {
            let rating = 1 + next(5) as i64;
            ok(&app, token, RATE, json!({ "id": id, "r": rating })).await;
            t += minutes(1 + next(2000) as i64);
            stamp(&app, &id, "RATED", &t.to_rfc3339()).await;
        }
        if next(2) == 0 {
            t += minutes(1 + next(3000) as i64);
            step(&app, token, REOPEN, &id, "REOPENED", &t.to_rfc3339()).await;
            t += minutes(1 + next(3000) as i64);
            step(&app, token, RESOLVE, &id, "RESOLVED", &t.to_rfc3339()).await;
        }
        if next(2) == 0 {
            ok(&app, token, NOTE, json!({ "id": id })).await;
            t += minutes(1 + next(6000) as i64);
            stamp(&app, &id, "NOTE_ADDED", &t.to_rfc3339()).await;
        }
        if next(2) == 0 {
            let first = at + minutes(next(3000) as i64);
            let resolution = at + minutes(next(6000) as i64);
            due(
                &app,
                &id,
                Some(&first.to_rfc3339()),
                Some(&resolution.to_rfc3339()),
            )
            .await;
        }
    }
    let (first_contact, owner, resolved) =
        first_contact.expect("the first ticket is resolved at first contact");

    let now = careline_persistence::now();
    let mut periods = Vec::new();
    for day in 0..20 {
        let midnight = utc("2025-02-27T00:00:00Z") + chrono::Duration::days(day);
        for start in [
            midnight,
            midnight + chrono::Duration::hours(16),
            midnight + minutes(7 * 60 + 13),
        ] {
            for hours in [3, 24, 48, 120, 312, 960] {
                let to = start + chrono::Duration::hours(hours);
                periods.push(Period {
                    from: start,
                    to,
                    now,
                });
            }
        }
    }
    let compare = async |what: &str| {
        let mut rolled = 0;
        let mut nonzero = 0;
        for period in &periods {
            let live = counts_live(db, Scope::All, *period).await.expect("live");
            let got = counts(db, Scope::All, *period).await.expect("report");
            assert_eq!(
                got, live,
                "{what}: everyone's report over [{}, {})",
                period.from, period.to
            );
            rolled += usize::from(
                rollups::run_of_days(db, *period)
                    .await
                    .expect("rolled-up days")
                    .is_some(),
            );
            nonzero += usize::from(live.of(Metric::TicketsHandled) > 0 && live.ratings > 0);
        }
        (rolled, nonzero)
    };
    // Nothing rolled up yet: everything live.
    assert_eq!(compare("before rolling up").await.0, 0);

    let days = rollups::build(db, now).await.expect("roll up");
    assert!(days >= 20, "the days of the example are rolled up: {days}");
    let (rolled, nonzero) = compare("rolled up").await;
    assert!(rolled > 200, "most periods read rollups: {rolled}");
    assert!(nonzero > 150, "the periods hold the tickets: {nonzero}");
    assert_eq!(rollups::build(db, now).await.expect("again"), 0);

    // A reopen now of a ticket resolved at first contact on a rolled-up day.
    let window = Period {
        from: utc("2025-02-27T00:00:00Z"),
        to: utc("2025-04-10T00:00:00Z"),
        now,
    };
    let before = counts_live(db, Scope::All, window).await.expect("live");
    ok(&app, &owner, REOPEN, json!({ "id": first_contact })).await;
    let after = counts_live(db, Scope::All, window).await.expect("live");
    assert_eq!(
        after.of(Metric::FirstContactResolutions) + 1,
        before.of(Metric::FirstContactResolutions),
        "the reopen takes back a first-contact resolution"
    );
    let run = rollups::run_of_days(db, window).await.expect("run");
    assert!(
        run.is_none_or(|(_, end)| end <= rollups::day_of(resolved)),
        "the days from the reopened resolution on are forgotten: {run:?}"
    );
    compare("after a reopen").await;
    assert!(rollups::build(db, now).await.expect("roll up again") > 0);
    assert!(compare("rolled up again").await.0 > 200);
    assert_eq!(counts(db, Scope::All, window).await.expect("report"), after);
    app.shutdown().await;
}
