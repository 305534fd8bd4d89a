//! Insight end to end: a satisfaction survey's life cycle with every validation and results
//! checked against hand-computed figures, time accounting in the ticket and the KPI report, and
//! wallboard figures equal to the queue's and the KPI report's, pushed live at most once a
//! second and counted once per team.

use careline_tests::kit::{
    ACKNOWLEDGE, AGENT, BELLA, HAN_MEIMEI, LEGAL, LI_LEI, MANAGER, SUPERVISOR, create_ticket,
    set_clock, shanghai, wait_until,
};
use careline_tests::ws::{collect, next, socket, subscribe};
use careline_tests::{TestApp, data, error_code};
use chrono::{DateTime, Duration, Utc};
use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const CREATE: &str =
    "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id team { id } } }";
const RESOLVE: &str =
    "mutation($id: ID!) { resolveTicket(id: $id, solution: \"Sorted out.\") { status } }";
const CREATE_SURVEY: &str = "mutation($n: String!, $q: [SurveyQuestionInput!]!) {
    createSurvey(name: $n, questions: $q) { id status questions { key kind choices } } }";
const LAUNCH: &str = "mutation($id: ID!, $f: DateTime!, $t: DateTime!, $k: [TicketKind!]) {
    launchSurvey(id: $id, resolvedFrom: $f, resolvedTo: $t, kinds: $k) { id status
        results { invited responded responseRate } } }";
const MINE: &str = "{ mySurveyInvitations { id channel respondedAt survey { name }
    ticket { id customer { name } } } }";
const ANSWER: &str = "mutation($id: ID!, $a: [SurveyAnswerInput!]!) {
    answerSurvey(invitationId: $id, answers: $a) { id respondedAt } }";
const RESULTS: &str = "query($id: ID!) { survey(id: $id) { status results { invited responded
    responseRate questions { key responses average nps counts { key count } } } } }";
const CLOSE: &str = "mutation($id: ID!) { closeSurvey(id: $id) { status } }";

fn by_phone(subject: &str, customer: &str, phone: &str) -> Value {
    json!({ "i": { "kind": "INQUIRY", "channel": "PHONE", "subject": subject,
        "description": "Asked about a delivery.", "customer": { "name": customer, "phone": phone } } })
}

fn in_app(subject: &str) -> Value {
    json!({ "i": { "kind": "INQUIRY", "channel": "MOBILE_APP", "subject": subject,
        "description": "Asked about a delivery." } })
}

/// Acknowledges and resolves a ticket as `agent`.
async fn resolve(app: &TestApp, agent: &str, id: &str) {
    data(&app.gql(Some(agent), ACKNOWLEDGE, json!({ "id": id })).await);
    let body = app.gql(Some(agent), RESOLVE, json!({ "id": id })).await;
    assert_eq!(data(&body)["resolveTicket"]["status"], "RESOLVED", "{body}");
}

fn questionnaire() -> Value {
    json!([
        { "key": "overall", "text": "总体满意度", "kind": "RATING_1_5" },
        { "key": "recommend", "text": "您向朋友推荐我们的可能性", "kind": "NPS_0_10" },
        { "key": "solved", "text": "问题解决了吗？", "kind": "YES_NO" },
        { "key": "channel", "text": "您更喜欢哪种渠道？", "kind": "SINGLE_CHOICE",
          "choices": ["电话", "App", "门店"] },
        { "key": "comment", "text": "其他意见", "kind": "TEXT" },
    ])
}

fn answers(overall: i32, recommend: i32, solved: &str, channel: &str) -> Value {
    json!([
        { "key": "overall", "value": overall.to_string() },
        { "key": "recommend", "value": recommend.to_string() },
        { "key": "solved", "value": solved },
        { "key": "channel", "value": channel },
    ])
}

fn invitations(body: &Value) -> Vec<Value> {
    data(body)["mySurveyInvitations"]
        .as_array()
        .expect("invitations")
        .clone()
}

#[tokio::test]
async fn a_survey_invites_once_validates_answers_and_counts_results_in_sql() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let supervisor = app.login(SUPERVISOR).await;
    let agent = app.login(AGENT).await;
    let li_lei = app.login(LI_LEI).await;
    let han = app.login(HAN_MEIMEI).await;

    // Tickets resolved on 10 May 2027 (the seed's lie months earlier): Li Lei twice (invited
    // once, in the app), three phone customers without an app account (called by the agent).
    let day = shanghai(2027, 5, 10, 9, 0);
    set_clock(&app, day);
    let first = create_ticket(&app, &li_lei, in_app("Parcel late")).await;
    let second = create_ticket(&app, &li_lei, in_app("Parcel late again")).await;
    let zhao = create_ticket(&app, &agent, by_phone("Refund", "Zhao Min", "13900000001")).await;
    let qian = create_ticket(&app, &agent, by_phone("Invoice", "Qian Jun", "13900000002")).await;
    let sun = create_ticket(&app, &agent, by_phone("Repair", "Sun Li", "13900000003")).await;
    for id in [&first, &second, &zhao, &qian, &sun] {
        resolve(&app, &agent, id).await;
    }
    set_clock(&app, day + Duration::hours(2));

    // Only managers write surveys, and a questionnaire is checked.
    let refused = app
        .gql(
            Some(&agent),
            CREATE_SURVEY,
            json!({ "n": "Q2", "q": questionnaire() }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    for bad in [
        json!([{ "key": "Overall Score", "text": "?", "kind": "RATING_1_5" }]),
        json!([{ "key": "c", "text": "?", "kind": "SINGLE_CHOICE", "choices": ["only"] }]),
        json!([{ "key": "r", "text": "?", "kind": "RATING_1_5", "choices": ["a", "b"] }]),
        json!([]),
    ] {
        let body = app
            .gql(
                Some(&manager),
                CREATE_SURVEY,
                json!({ "n": "Bad", "q": bad }),
            )
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    let created = app
        .gql(
            Some(&manager),
            CREATE_SURVEY,
            json!({ "n": "2027 年 5 月满意度回访", "q": questionnaire() }),
        )
        .await;
    let survey = &data(&created)["createSurvey"];
    assert_eq!(survey["status"], "DRAFT");
    assert_eq!(
        survey["questions"][3]["choices"],
        json!(["电话", "App", "门店"])
    );
    assert_eq!(survey["questions"][0]["choices"], Value::Null);
    let id = survey["id"].as_str().expect("id").to_owned();

    // A window must be a window; then every customer is invited once.
    let (from, to) = (shanghai(2027, 5, 10, 0, 0), shanghai(2027, 5, 11, 0, 0));
    let empty = app
        .gql(
            Some(&manager),
            LAUNCH,
            json!({ "id": id, "f": to, "t": from }),
        )
        .await;
    assert_eq!(error_code(&empty), Some("BAD_USER_INPUT"), "{empty}");
    let launched = app
        .gql(
            Some(&manager),
            LAUNCH,
            json!({ "id": id, "f": from, "t": to }),
        )
        .await;
    let launched = &data(&launched)["launchSurvey"];
    assert_eq!(launched["status"], "RUNNING");
    assert_eq!(launched["results"]["invited"], 4, "{launched}");
    assert_eq!(launched["results"]["responded"], 0);
    let again = app
        .gql(
            Some(&manager),
            LAUNCH,
            json!({ "id": id, "f": from, "t": to }),
        )
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");

    // Li Lei sees one invitation about her latest ticket; Han Meimei sees none.
    let hers = invitations(&app.gql(Some(&li_lei), MINE, json!({})).await);
    assert_eq!(hers.len(), 1, "{hers:?}");
    assert_eq!(hers[0]["channel"], "APP");
    assert_eq!(hers[0]["ticket"]["id"], second.as_str());
    let invitation = hers[0]["id"].as_str().expect("id").to_owned();
    assert!(invitations(&app.gql(Some(&han), MINE, json!({})).await).is_empty());
    // She is told in her inbox too, once, about that ticket.
    let inbox = app
        .gql(
            Some(&li_lei),
            "{ myNotifications(first: 100) { nodes { kind body ticket { id } } } }",
            json!({}),
        )
        .await;
    let told: Vec<&Value> = data(&inbox)["myNotifications"]["nodes"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|n| n["kind"] == "SURVEY_INVITATION" && n["ticket"]["id"] == second.as_str())
        .collect();
    assert_eq!(told.len(), 1, "{inbox}");
    assert!(
        told[0]["body"]
            .as_str()
            .unwrap_or("")
            .contains("2027 年 5 月满意度回访"),
        "{inbox}"
    );
    let not_hers = app
        .gql(
            Some(&han),
            ANSWER,
            json!({ "id": invitation, "a": answers(5, 10, "yes", "App") }),
        )
        .await;
    assert_eq!(error_code(&not_hers), Some("NOT_FOUND"), "{not_hers}");

    // Every kind's answers are checked, and a refused answer records nothing.
    for bad in [
        json!([{ "key": "overall", "value": "6" }]),
        json!([{ "key": "overall", "value": "4.5" }]),
        json!([{ "key": "recommend", "value": "11" }]),
        json!([{ "key": "solved", "value": "maybe" }]),
        json!([{ "key": "channel", "value": "Email" }]),
        json!([{ "key": "comment", "value": "   " }]),
        json!([{ "key": "comment", "value": "长".repeat(2001) }]),
        json!([{ "key": "nope", "value": "1" }]),
        json!([{ "key": "overall", "value": "1" }, { "key": "overall", "value": "2" }]),
        json!([]),
    ] {
        let body = app
            .gql(Some(&li_lei), ANSWER, json!({ "id": invitation, "a": bad }))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{bad}: {body}");
    }
    let mut first_answers = answers(5, 10, "yes", "App");
    first_answers
        .as_array_mut()
        .expect("list")
        .push(json!({ "key": "comment", "value": "客服很耐心" }));
    let answered = app
        .gql(
            Some(&li_lei),
            ANSWER,
            json!({ "id": invitation, "a": first_answers }),
        )
        .await;
    assert!(
        data(&answered)["answerSurvey"]["respondedAt"].is_string(),
        "{answered}"
    );
    let twice = app
        .gql(
            Some(&li_lei),
            ANSWER,
            json!({ "id": invitation, "a": answers(1, 0, "no", "App") }),
        )
        .await;
    assert_eq!(error_code(&twice), Some("CONFLICT"), "{twice}");
    assert!(invitations(&app.gql(Some(&li_lei), MINE, json!({})).await).is_empty());

    // The agent calls the three phone customers; each call lands on the ticket's timeline.
    let calls = invitations(&app.gql(Some(&agent), MINE, json!({})).await);
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(calls.iter().all(|c| c["channel"] == "PHONE"));
    let call = |ticket: &str| -> String {
        calls
            .iter()
            .find(|c| c["ticket"]["id"] == ticket)
            .and_then(|c| c["id"].as_str())
            .expect("a call")
            .to_owned()
    };
    for (ticket, given) in [
        (&zhao, answers(4, 9, "yes", "电话")),
        (&qian, answers(1, 3, "no", "电话")),
    ] {
        let body = app
            .gql(
                Some(&agent),
                ANSWER,
                json!({ "id": call(ticket), "a": given }),
            )
            .await;
        assert!(
            data(&body)["answerSurvey"]["respondedAt"].is_string(),
            "{body}"
        );
    }
    let timeline = app
        .gql(
            Some(&supervisor),
            "query($id: ID!) { ticket(id: $id) { events(first: 50) { nodes { kind internal message } } } }",
            json!({ "id": zhao }),
        )
        .await;
    let surveyed: Vec<&Value> = data(&timeline)["ticket"]["events"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "SURVEY_ANSWERED")
        .collect();
    assert_eq!(surveyed.len(), 1, "{timeline}");
    assert_eq!(surveyed[0]["internal"], true);
    assert!(
        surveyed[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("recommend: 9")),
        "{timeline}"
    );

    // Results, counted by the database, against the figures by hand: ratings 5, 4, 1; NPS
    // scores 10, 9, 3 (two promoters, one detractor); yes, yes, no; 3 of 4 answered.
    let results = app
        .gql(Some(&supervisor), RESULTS, json!({ "id": id }))
        .await;
    let r = &data(&results)["survey"]["results"];
    assert_eq!(r["invited"], 4, "{results}");
    assert_eq!(r["responded"], 3);
    assert_eq!(r["responseRate"], 0.75);
    let question = |key: &str| -> Value {
        r["questions"]
            .as_array()
            .expect("questions")
            .iter()
            .find(|q| q["key"] == key)
            .cloned()
            .expect("question")
    };
    let close = |v: &Value, expected: f64| {
        let got = v.as_f64().expect("a number");
        assert!((got - expected).abs() < 1e-9, "{got} != {expected}");
    };
    close(&question("overall")["average"], 10.0 / 3.0);
    assert_eq!(question("overall")["nps"], Value::Null);
    close(&question("recommend")["nps"], 100.0 * (2.0 - 1.0) / 3.0);
    close(&question("recommend")["average"], 22.0 / 3.0);
    close(&question("solved")["average"], 2.0 / 3.0);
    assert_eq!(
        question("channel")["counts"],
        json!([{ "key": "电话", "count": 2 }, { "key": "App", "count": 1 }])
    );
    assert_eq!(question("channel")["average"], Value::Null);
    assert_eq!(question("comment")["responses"], 1);
    assert_eq!(question("comment")["counts"], json!([]));

    // Customers and agents read no results.
    for token in [&li_lei, &agent] {
        let body = app.gql(Some(token), RESULTS, json!({ "id": id })).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    }

    // Closed: no more answers.
    let closed = app.gql(Some(&manager), CLOSE, json!({ "id": id })).await;
    assert_eq!(data(&closed)["closeSurvey"]["status"], "CLOSED");
    let late = app
        .gql(
            Some(&agent),
            ANSWER,
            json!({ "id": call(&sun), "a": answers(3, 7, "yes", "门店") }),
        )
        .await;
    assert_eq!(error_code(&late), Some("CONFLICT"), "{late}");
    let closed_twice = app.gql(Some(&manager), CLOSE, json!({ "id": id })).await;
    assert_eq!(error_code(&closed_twice), Some("CONFLICT"));
    let results = app.gql(Some(&manager), RESULTS, json!({ "id": id })).await;
    assert_eq!(data(&results)["survey"]["results"]["responded"], 3);

    // Two records of one customer merged: one invitation per survey stays, the answered one.
    let customer_of = |ticket: String| {
        let app = &app;
        let supervisor = supervisor.clone();
        async move {
            let body = app
                .gql(
                    Some(&supervisor),
                    "query($id: ID!) { ticket(id: $id) { customer { id } } }",
                    json!({ "id": ticket }),
                )
                .await;
            data(&body)["ticket"]["customer"]["id"]
                .as_str()
                .expect("customer id")
                .to_owned()
        }
    };
    let (answered, unanswered) = (
        customer_of(qian.clone()).await,
        customer_of(sun.clone()).await,
    );
    let merged = app
        .gql(
            Some(&supervisor),
            "mutation($k: ID!, $m: ID!) { mergeCustomers(keepId: $k, mergeId: $m) { id } }",
            json!({ "k": unanswered, "m": answered }),
        )
        .await;
    assert_eq!(
        data(&merged)["mergeCustomers"]["id"],
        unanswered.as_str(),
        "{merged}"
    );
    let results = app.gql(Some(&manager), RESULTS, json!({ "id": id })).await;
    let r = &data(&results)["survey"]["results"];
    assert_eq!(r["invited"], 3, "{results}");
    assert_eq!(r["responded"], 3, "{results}");
}

const LOG: &str = "mutation($t: ID!, $m: Int!, $n: String) {
    logTime(ticketId: $t, minutes: $m, note: $n) { minutes note user { email } ticket { id } } }";
const SPENT: &str = "query($id: ID!) { ticket(id: $id) { timeSpentMinutes
    timeEntries { minutes note user { email } } } }";

#[tokio::test]
async fn time_logged_on_a_ticket_adds_up_in_the_ticket_and_the_kpi_report() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let supervisor = app.login(SUPERVISOR).await;
    let legal = app.login(LEGAL).await;
    let li_lei = app.login(LI_LEI).await;
    let start = shanghai(2027, 6, 1, 10, 0);
    set_clock(&app, start);
    let id = create_ticket(&app, &agent, by_phone("Refund", "Zhao Min", "13900000001")).await;
    let other = create_ticket(&app, &li_lei, in_app("Her own")).await;

    for minutes in [0, -5, 1441] {
        let body = app
            .gql(Some(&agent), LOG, json!({ "t": id, "m": minutes }))
            .await;
        assert_eq!(
            error_code(&body),
            Some("BAD_USER_INPUT"),
            "{minutes}: {body}"
        );
    }
    let customer = app
        .gql(Some(&li_lei), LOG, json!({ "t": other, "m": 5 }))
        .await;
    assert_eq!(error_code(&customer), Some("FORBIDDEN"), "{customer}");
    // A liaison works on their department's tickets only.
    let elsewhere = app.gql(Some(&legal), LOG, json!({ "t": id, "m": 5 })).await;
    assert_eq!(error_code(&elsewhere), Some("NOT_FOUND"), "{elsewhere}");
    let missing = app
        .gql(
            Some(&agent),
            LOG,
            json!({ "t": uuid::Uuid::now_v7().to_string(), "m": 5 }),
        )
        .await;
    assert_eq!(error_code(&missing), Some("NOT_FOUND"), "{missing}");

    let logged = app
        .gql(
            Some(&agent),
            LOG,
            json!({ "t": id, "m": 30, "n": "Called the warehouse" }),
        )
        .await;
    assert_eq!(data(&logged)["logTime"]["user"]["email"], AGENT);
    set_clock(&app, start + Duration::minutes(50));
    data(
        &app.gql(Some(&agent), LOG, json!({ "t": id, "m": 45 }))
            .await,
    );
    data(
        &app.gql(Some(&supervisor), LOG, json!({ "t": id, "m": 15 }))
            .await,
    );

    let t = app.gql(Some(&agent), SPENT, json!({ "id": id })).await;
    assert_eq!(data(&t)["ticket"]["timeSpentMinutes"], 90, "{t}");
    let entries = data(&t)["ticket"]["timeEntries"]
        .as_array()
        .expect("entries")
        .clone();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["note"], "Called the warehouse");
    // Customers see none of it.
    let theirs = app.gql(Some(&li_lei), SPENT, json!({ "id": other })).await;
    assert_eq!(
        data(&theirs)["ticket"]["timeEntries"],
        json!([]),
        "{theirs}"
    );
    assert_eq!(data(&theirs)["ticket"]["timeSpentMinutes"], 0);

    // The KPI report counts the minutes of the scope's people in the period, and drills down
    // to the tickets they logged time on.
    let kpis = "query($s: KpiScope!, $f: DateTime!, $t: DateTime!) {
        kpis(scope: $s, from: $f, to: $t) { timeSpentMinutes } }";
    let window = json!({ "f": start - Duration::hours(1), "t": start + Duration::hours(2) });
    let mine = app
        .gql(
            Some(&agent),
            kpis,
            json!({ "s": { "kind": "AGENT" }, "f": window["f"], "t": window["t"] }),
        )
        .await;
    assert_eq!(data(&mine)["kpis"]["timeSpentMinutes"], 75, "{mine}");
    let manager = app.login(MANAGER).await;
    let everyone = app
        .gql(
            Some(&manager),
            kpis,
            json!({ "s": { "kind": "ALL" }, "f": window["f"], "t": window["t"] }),
        )
        .await;
    assert_eq!(data(&everyone)["kpis"]["timeSpentMinutes"], 90);
    let before = app
        .gql(
            Some(&agent),
            kpis,
            json!({ "s": { "kind": "AGENT" }, "f": start - Duration::hours(1), "t": start + Duration::minutes(10) }),
        )
        .await;
    assert_eq!(data(&before)["kpis"]["timeSpentMinutes"], 30);
    let drill = app
        .gql(
            Some(&agent),
            "query($s: KpiScope!, $f: DateTime!, $t: DateTime!) {
                kpiTickets(scope: $s, from: $f, to: $t, metric: TIME_LOGGED) { totalCount nodes { id } } }",
            json!({ "s": { "kind": "AGENT" }, "f": window["f"], "t": window["t"] }),
        )
        .await;
    assert_eq!(data(&drill)["kpiTickets"]["totalCount"], 1, "{drill}");
    assert_eq!(data(&drill)["kpiTickets"]["nodes"][0]["id"], id.as_str());
}

const WALLBOARD: &str = "query($t: ID) { wallboard(teamId: $t) { waiting unassigned atRisk
    overdue agentsAvailable createdToday resolvedToday firstResponseSlaComplianceToday
    csatAverageToday } }";
const LIVE: &str = "subscription($t: ID) { wallboardUpdates(teamId: $t) { at waiting
    unassigned createdToday resolvedToday } }";

#[tokio::test]
async fn wallboard_figures_equal_the_queue_and_the_kpi_report_and_are_pushed_once_a_second() {
    let app = TestApp::spawn().await;
    let supervisor = app.login(SUPERVISOR).await;
    let agent = app.login(AGENT).await;
    let agent_b = app.login(BELLA).await;
    let li_lei = app.login(LI_LEI).await;
    let morning = shanghai(2027, 6, 2, 10, 0);
    set_clock(&app, morning);
    let body = app
        .gql(
            Some(&agent),
            CREATE,
            by_phone("One", "Zhao Min", "13900000001"),
        )
        .await;
    let team = data(&body)["createTicket"]["team"]["id"]
        .as_str()
        .expect("the agent's team")
        .to_owned();
    let resolved = create_ticket(&app, &agent, by_phone("Two", "Qian Jun", "13900000002")).await;
    resolve(&app, &agent, &resolved).await;

    // The same figures as the queue and as the KPI report of the team's day.
    let board = app
        .gql(Some(&supervisor), WALLBOARD, json!({ "t": team }))
        .await;
    let board = data(&board)["wallboard"].clone();
    let queue = app
        .gql(
            Some(&supervisor),
            "query($t: ID) { queue(teamId: $t) { waiting unassigned atRisk overdue
                agents { presence } } }",
            json!({ "t": team }),
        )
        .await;
    let queue = &data(&queue)["queue"];
    for figure in ["waiting", "unassigned", "atRisk", "overdue"] {
        assert_eq!(board[figure], queue[figure], "{figure}: {board} vs {queue}");
    }
    let available = queue["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .filter(|a| a["presence"] == "AVAILABLE")
        .count();
    assert_eq!(board["agentsAvailable"], available);
    let kpis = app
        .gql(
            Some(&supervisor),
            "query($s: KpiScope!, $f: DateTime!, $t: DateTime!) { kpis(scope: $s, from: $f, to: $t) {
                ticketsCreated ticketsResolved firstResponseSlaCompliance csatAverage } }",
            json!({ "s": { "kind": "TEAM", "id": team },
                    "f": shanghai(2027, 6, 2, 0, 0), "t": shanghai(2027, 6, 3, 0, 0) }),
        )
        .await;
    let kpis = &data(&kpis)["kpis"];
    assert_eq!(board["createdToday"], kpis["ticketsCreated"]);
    assert_eq!(board["createdToday"], 2, "{board}");
    assert_eq!(board["resolvedToday"], kpis["ticketsResolved"]);
    assert_eq!(board["resolvedToday"], 1);
    assert_eq!(
        board["firstResponseSlaComplianceToday"],
        kpis["firstResponseSlaCompliance"]
    );
    assert_eq!(board["csatAverageToday"], kpis["csatAverage"]);

    // Agents watch their own team only; customers none.
    let own = app.gql(Some(&agent), WALLBOARD, json!({})).await;
    assert_eq!(data(&own)["wallboard"]["createdToday"], 2, "{own}");
    let other = app
        .gql(Some(&agent_b), WALLBOARD, json!({ "t": team }))
        .await;
    assert_eq!(error_code(&other), Some("FORBIDDEN"), "{other}");
    let customer = app.gql(Some(&li_lei), WALLBOARD, json!({})).await;
    assert_eq!(error_code(&customer), Some("FORBIDDEN"), "{customer}");

    // A team that does not exist starts no feed.
    let mut stray = socket(&app, &supervisor).await;
    stray
        .send(Message::text(
            json!({ "id": "x", "type": "subscribe", "payload": { "query": LIVE,
                "variables": { "t": uuid::Uuid::now_v7().to_string() } } })
            .to_string(),
        ))
        .await
        .expect("send");
    let refused = next(&mut stray, 5).await.expect("an answer");
    // A resolver error, as for every subscription refused when it starts.
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
    assert_eq!(app.state.wallboards.feeds(), 0);

    // Two screens on the team share one feed; each gets the current figures at once.
    let mut screen = socket(&app, &supervisor).await;
    let mut second = socket(&app, &agent).await;
    let mut current = subscribe(&mut screen, "w", LIVE, json!({ "t": team })).await;
    if current.is_empty() {
        current = collect(&mut screen, 1, 5).await;
    }
    assert_eq!(current[0]["data"]["wallboardUpdates"]["createdToday"], 2);
    let mut theirs = subscribe(&mut second, "w", LIVE, json!({})).await;
    if theirs.is_empty() {
        theirs = collect(&mut second, 1, 5).await;
    }
    assert_eq!(theirs.len(), 1);
    assert_eq!(app.state.wallboards.feeds(), 1);

    // A change is pushed within a second (after the one-second spacing since the first count:
    // the spacing is on the real clock, and waiting it out is part of what is tested).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    create_ticket(&app, &agent, by_phone("Three", "Sun Li", "13900000003")).await;
    let changed_at = std::time::Instant::now();
    let pushed = collect(&mut screen, 1, 3).await;
    assert_eq!(pushed[0]["data"]["wallboardUpdates"]["createdToday"], 3);
    let latency = changed_at.elapsed();
    assert!(
        latency < std::time::Duration::from_secs(1),
        "pushed after {latency:?}"
    );

    // A burst of 100 changes: at most one push a second, and the last push has them all.
    let burst_started = std::time::Instant::now();
    for i in 0..100 {
        create_ticket(
            &app,
            &agent,
            by_phone(&format!("Burst {i}"), "Zhou Yu", "13900000004"),
        )
        .await;
    }
    let burst = burst_started.elapsed();
    let mut pushes = Vec::new();
    while let Some(message) = next(&mut screen, 3).await {
        assert_eq!(message["type"], "next", "{message}");
        pushes.push(message["payload"]["data"]["wallboardUpdates"].clone());
    }
    let allowed = burst.as_secs_f64().ceil() as usize + 2;
    assert!(
        !pushes.is_empty() && pushes.len() <= allowed,
        "{} pushes in {burst:?}",
        pushes.len()
    );
    assert_eq!(pushes.last().expect("a push")["createdToday"], 103);
    let stamps: Vec<DateTime<Utc>> = pushes
        .iter()
        .map(|p| p["at"].as_str().expect("at").parse().expect("a time"))
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]));

    // When the screens leave, the feed stops.
    drop(screen);
    drop(second);
    wait_until(std::time::Duration::from_secs(5), async || {
        app.state.wallboards.feeds() == 0
    })
    .await;
    assert_eq!(app.state.wallboards.feeds(), 0);
}

#[tokio::test]
async fn the_demo_has_a_running_survey_with_answers() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let body = app
        .gql(
            Some(&manager),
            "{ surveys { status results { invited responded questions { key responses } } } }",
            json!({}),
        )
        .await;
    let surveys = data(&body)["surveys"].as_array().expect("surveys").clone();
    assert_eq!(surveys.len(), 1, "{body}");
    assert_eq!(surveys[0]["status"], "RUNNING");
    assert_eq!(surveys[0]["results"]["responded"], 2, "{body}");
    assert!(
        surveys[0]["results"]["invited"].as_i64() >= Some(2),
        "{body}"
    );
}
