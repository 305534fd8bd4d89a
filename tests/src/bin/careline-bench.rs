//! HTTP benchmark of a running Careline server: seeds N tickets (optional), then drives, at the
//! given concurrencies for a given duration, `{__typename}`, the ticket list as the demo
//! supervisor, `createTicket` as a demo agent, and the same list done by hand — a plain
//! actix-web endpoint inside this binary running one SQL statement on the same database and
//! returning the same JSON — and prints req/s, p50, p99 and errors for each, per round and the
//! median of the rounds.
//!
//! ```text
//! cargo build --release --bin careline --bin careline-bench
//! createdb -h 127.0.0.1 -U postgres careline_perf
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/careline_perf SEED_DEMO=true PORT=18401 \
//!     target/release/careline &
//! target/release/careline-bench --url http://127.0.0.1:18401 \
//!     --database-url postgres://postgres@127.0.0.1:5432/careline_perf --seed 26566 \
//!     --concurrency 64 --duration 15 --rounds 3 --pid $(pgrep -n careline)
//! ```
//! `--cases typename,list,hand,create` picks what to drive (default: all, in that order);
//! `bare` adds the reference for `{__typename}`: async-graphql on actix-web with nothing else,
//! served by this binary on `--hand-port` + 1.
//! `--concurrency 16,64` runs each case at each level. With `--pid` it also prints the server's
//! CPU time per request (from `/proc/<pid>/stat`). See docs/BENCHMARKS.md.
//!
//! Outbound email (issue 27; the server's `SMTP_URL` at `smtp://127.0.0.1:<--sink-port>`):
//! `--sink count|slow` starts an SMTP sink from tests/clients/bench_smtp.py that logs each
//! Message-ID to `--sink-log` (`slow` answers each message after 5 s). `--cases reply` drives
//! `sendReply` as the agent, each client on its own OPEN ticket of Li Lei. `--drain N` sends N
//! emails with a plain lettre loop (`--smtp-concurrency`, 32 like the worker), then queues N
//! deliveries and times the server until all are SENT. `--fault --second-url …` replies at
//! `--rate` a second on two instances for `--produce` seconds, kills the sink at `--down-at`
//! for `--down-for` seconds, then checks every email SENT and received exactly once.

use actix_web::{App, HttpResponse, HttpServer, web};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const LIST: &str = "{ tickets(first: 20) { edges { node { number subject status priority owner { name } assignee { name } } } } }";
const CREATE: &str = "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id number } }";
const ACKNOWLEDGE: &str = "mutation($id: ID!) { acknowledgeTicket(id: $id) { status } }";
const REPLY: &str = "mutation($i: ReplyInput!) { sendReply(input: $i) { id } }";

/// The hand-written list: the supervisor reads every ticket, newest first (the list's default
/// order), with the owner's and assignee's names.
const HAND_SQL: &str = "SELECT t.number, t.subject, t.status, t.priority, o.name AS owner, \
    a.name AS assignee FROM tickets t LEFT JOIN users o ON o.id = t.owner_id \
    LEFT JOIN users a ON a.id = t.assignee_id ORDER BY t.created_at DESC, t.id DESC LIMIT 20";

struct Args {
    url: String,
    database_url: Option<String>,
    seed: u64,
    cases: Vec<String>,
    concurrency: Vec<usize>,
    duration: u64,
    warmup: u64,
    rounds: usize,
    hand_port: u16,
    pid: Option<u32>,
    supervisor: String,
    agent: String,
    password: String,
    /// Start an SMTP sink (`count` or `slow`, tests/clients/bench_smtp.py) on `sink_port`.
    sink: Option<String>,
    sink_port: u16,
    sink_log: String,
    /// Queue this many emails and time one instance sending them (`--drain`).
    drain: u64,
    /// Sends in flight at once for the hand-written sender (the worker's own: 32).
    smtp_concurrency: usize,
    /// The SMTP-outage run on two instances (`--fault`).
    fault: bool,
    second_url: Option<String>,
    /// Replies a second during the outage run, how long they go on, and when the sink goes
    /// down and for how long (seconds from the start of the load).
    rate: f64,
    produce: u64,
    down_at: u64,
    down_for: u64,
}

fn parse_args() -> Args {
    let mut args = Args {
        url: "http://127.0.0.1:8080".into(),
        database_url: None,
        seed: 0,
        cases: ["typename", "list", "hand", "create"]
            .map(String::from)
            .to_vec(),
        concurrency: vec![64],
        duration: 15,
        warmup: 2,
        rounds: 3,
        hand_port: 18499,
        pid: None,
        supervisor: "supervisor.a@careline.example".into(),
        agent: "agent.a1@careline.example".into(),
        password: careline_tests::DEMO_PASSWORD.into(),
        sink: None,
        sink_port: 18525,
        sink_log: "/tmp/careline-bench-smtp.log".into(),
        drain: 0,
        smtp_concurrency: 32,
        fault: false,
        second_url: None,
        rate: 40.0,
        produce: 90,
        down_at: 10,
        down_for: 60,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value(),
            "--database-url" => args.database_url = Some(value()),
            "--seed" => args.seed = value().parse().expect("a number"),
            "--cases" => args.cases = value().split(',').map(str::to_owned).collect(),
            "--concurrency" => {
                args.concurrency = value()
                    .split(',')
                    .map(|c| c.parse().expect("numbers"))
                    .collect();
            }
            "--duration" => args.duration = value().parse().expect("seconds"),
            "--warmup" => args.warmup = value().parse().expect("seconds"),
            "--rounds" => args.rounds = value().parse().expect("a number"),
            "--hand-port" => args.hand_port = value().parse().expect("a port"),
            "--pid" => args.pid = Some(value().parse().expect("a process id")),
            "--supervisor" => args.supervisor = value(),
            "--agent" => args.agent = value(),
            "--password" => args.password = value(),
            "--sink" => args.sink = Some(value()),
            "--sink-port" => args.sink_port = value().parse().expect("a port"),
            "--sink-log" => args.sink_log = value(),
            "--drain" => args.drain = value().parse().expect("a number"),
            "--smtp-concurrency" => args.smtp_concurrency = value().parse().expect("a number"),
            "--fault" => args.fault = true,
            "--second-url" => args.second_url = Some(value()),
            "--rate" => args.rate = value().parse().expect("replies a second"),
            "--produce" => args.produce = value().parse().expect("seconds"),
            "--down-at" => args.down_at = value().parse().expect("seconds"),
            "--down-for" => args.down_for = value().parse().expect("seconds"),
            other => panic!("unknown flag {other}; see the file's header for usage"),
        }
    }
    args
}

/// User + system CPU time of a process so far, in clock ticks (100 per second on Linux).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

async fn gql(client: &reqwest::Client, url: &str, token: Option<&str>, body: Value) -> Value {
    let mut request = client.post(format!("{url}/graphql")).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .send()
        .await
        .expect("the server should answer")
        .json()
        .await
        .expect("a JSON answer")
}

async fn login(client: &reqwest::Client, url: &str, email: &str, password: &str) -> String {
    let body = gql(
        client,
        url,
        None,
        json!({ "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            "variables": { "e": email, "p": password } }),
    )
    .await;
    body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("login as {email} failed: {body}"))
        .to_owned()
}

/// Seeds `n` tickets unless the database already holds them.
async fn seed(database_url: &str, n: u64) -> anyhow::Result<()> {
    let db = Database::connect(database_url).await?;
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM tickets WHERE number LIKE 'B-%'",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no count"))?;
    let have: i64 = row.try_get("", "n")?;
    match u64::try_from(have)? {
        0 => careline_tests::seed_tickets::seed(&db, n).await?,
        have if have == n => println!("{have} seeded tickets already there"),
        have => {
            anyhow::bail!("the database holds {have} seeded tickets, not {n}: use a fresh database")
        }
    }
    Ok(())
}

async fn hand_list(db: web::Data<DatabaseConnection>) -> HttpResponse {
    let rows = match db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, HAND_SQL))
        .await
    {
        Ok(rows) => rows,
        Err(e) => return HttpResponse::InternalServerError().body(e.to_string()),
    };
    let mut edges = Vec::with_capacity(rows.len());
    for row in rows {
        let get = |c: &str| row.try_get::<Option<String>>("", c).ok().flatten();
        let person = |name: Option<String>| name.map(|n| json!({ "name": n }));
        edges.push(json!({ "node": {
            "number": get("number"),
            "subject": get("subject"),
            "status": get("status"),
            "priority": get("priority"),
            "owner": person(get("owner")),
            "assignee": person(get("assignee")),
        }}));
    }
    HttpResponse::Ok().json(json!({ "data": { "tickets": { "edges": edges } } }))
}

/// The reference for `{__typename}`: a schema of one field and nothing around it.
struct BareQuery;

#[async_graphql::Object]
impl BareQuery {
    async fn ok(&self) -> bool {
        true
    }
}

type BareSchema = async_graphql::Schema<
    BareQuery,
    async_graphql::EmptyMutation,
    async_graphql::EmptySubscription,
>;

async fn bare(schema: web::Data<BareSchema>, body: web::Bytes) -> HttpResponse {
    let Ok(request) = serde_json::from_slice::<async_graphql::Request>(&body) else {
        return HttpResponse::BadRequest().finish();
    };
    let response = schema.execute(request).await;
    HttpResponse::Ok()
        .content_type("application/json")
        .body(serde_json::to_string(&response).unwrap_or_default())
}

/// Starts bare async-graphql on actix-web on `port` (two workers, like the server).
fn start_bare(port: u16) -> anyhow::Result<()> {
    let schema = web::Data::new(async_graphql::Schema::new(
        BareQuery,
        async_graphql::EmptyMutation,
        async_graphql::EmptySubscription,
    ));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(schema.clone())
            .route("/graphql", web::post().to(bare))
    })
    .workers(2)
    .bind(("127.0.0.1", port))?
    .run();
    tokio::spawn(server);
    Ok(())
}

/// Starts the hand-written endpoint on `port` (two workers, like the server's two cores).
async fn start_hand(database_url: &str, port: u16) -> anyhow::Result<()> {
    let mut options = sea_orm::ConnectOptions::new(database_url.to_owned());
    options.max_connections(16).sqlx_logging(false);
    let db = web::Data::new(Database::connect(options).await?);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(db.clone())
            .route("/tickets", web::get().to(hand_list))
    })
    .workers(2)
    .bind(("127.0.0.1", port))?
    .run();
    tokio::spawn(server);
    Ok(())
}

/// What one case sends.
#[derive(Clone)]
enum Case {
    Typename,
    List {
        token: String,
    },
    Create {
        token: String,
    },
    /// `sendReply` as the agent, each client on its own OPEN ticket (replies to one ticket
    /// are conditional on its version, so clients sharing one would conflict).
    Reply {
        token: String,
        tickets: Arc<Vec<String>>,
    },
    Hand,
    Bare,
}

impl Case {
    fn request(
        &self,
        client: &reqwest::Client,
        args: &Args,
        n: u64,
        worker: usize,
    ) -> reqwest::RequestBuilder {
        let graphql = format!("{}/graphql", args.url);
        match self {
            Case::Typename => client
                .post(graphql)
                .header("content-type", "application/json")
                .body(r#"{"query":"{__typename}"}"#),
            Case::List { token } => client
                .post(graphql)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(json!({ "query": LIST }).to_string()),
            Case::Create { token } => client.post(graphql).bearer_auth(token).json(&json!({
                "query": CREATE,
                "variables": { "i": {
                    "kind": "INQUIRY", "channel": "PHONE", "subject": format!("Bench {n}"),
                    "description": "created by careline-bench",
                    // A thousand callers: mostly known customers, as on a real line.
                    "customer": { "name": format!("Bench Caller {}", n % 1000),
                        "phone": format!("139{:08}", n % 1000) }
                } }
            })),
            Case::Reply { token, tickets } => client.post(graphql).bearer_auth(token).json(&json!({
                "query": REPLY,
                "variables": { "i": {
                    "ticketId": tickets[worker % tickets.len()],
                    "body": format!("您好，您的问题我们已经在处理，预计明天给您答复。Reply {n} from careline-bench."),
                    "waitForCustomer": false
                } }
            })),
            Case::Hand => client.get(format!("http://127.0.0.1:{}/tickets", args.hand_port)),
            Case::Bare => client
                .post(format!("http://127.0.0.1:{}/graphql", args.hand_port + 1))
                .header("content-type", "application/json")
                .body(r#"{"query":"{__typename}"}"#),
        }
    }

    fn ok(&self, body: &[u8]) -> bool {
        let has = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
        match self {
            Case::Create { .. } => has(b"\"number\"") && !has(b"\"errors\""),
            Case::Reply { .. } => has(b"\"sendReply\"") && !has(b"\"errors\""),
            Case::List { .. } | Case::Hand => has(b"\"edges\"") && !has(b"\"errors\""),
            Case::Typename | Case::Bare => has(b"__typename") && !has(b"\"errors\""),
        }
    }
}

struct Stats {
    requests: u64,
    errors: u64,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_ms_per_request: Option<f64>,
}

/// Drives `case` with `concurrency` clients for `seconds`.
async fn drive(args: &Arc<Args>, case: &Case, concurrency: usize, seconds: u64) -> Stats {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client");
    let counter = Arc::new(AtomicU64::new(0));
    let cpu_before = args.pid.and_then(cpu_ticks);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..concurrency)
        .map(|worker| {
            let (client, case, args, counter) =
                (client.clone(), case.clone(), args.clone(), counter.clone());
            tokio::spawn(async move {
                let mut latencies: Vec<u32> = Vec::with_capacity(4096);
                let mut errors = 0u64;
                while Instant::now() < deadline {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let sent = Instant::now();
                    let ok = match case.request(&client, &args, n, worker).send().await {
                        Ok(response) if response.status().is_success() => {
                            response.bytes().await.is_ok_and(|body| case.ok(&body))
                        }
                        _ => false,
                    };
                    let micros = sent.elapsed().as_micros();
                    latencies.push(u32::try_from(micros).unwrap_or(u32::MAX));
                    if !ok {
                        errors += 1;
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.await.expect("a worker");
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = match (cpu_before, args.pid.and_then(cpu_ticks)) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    all.sort_unstable();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        f64::from(all[i]) / 1000.0
    };
    let requests = all.len() as u64;
    Stats {
        requests,
        errors,
        seconds: elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        cpu_ms_per_request: cpu
            .filter(|_| requests > 0)
            .map(|t| t as f64 * 10.0 / requests as f64),
    }
}

fn line(label: &str, s: &Stats) -> String {
    let cpu = s
        .cpu_ms_per_request
        .map(|c| format!(", server CPU {c:.2} ms/req"))
        .unwrap_or_default();
    format!(
        "{label}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, {} requests, {} errors{cpu}",
        s.requests as f64 / s.seconds,
        s.p50_ms,
        s.p99_ms,
        s.requests,
        s.errors
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Arc::new(parse_args());
    if args.seed > 0 {
        let url = args
            .database_url
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("--seed needs --database-url"))?;
        seed(url, args.seed).await?;
    }
    if args.fault {
        return fault(&args).await;
    }
    let _sink = match &args.sink {
        Some(kind) => Some(Sink::start(kind, args.sink_port, &args.sink_log)?),
        None => None,
    };
    if args.drain > 0 {
        return drain(&args).await;
    }
    let client = reqwest::Client::new();
    let mut cases = Vec::new();
    for name in &args.cases {
        let case = match name.as_str() {
            "typename" => Case::Typename,
            "list" => Case::List {
                token: login(&client, &args.url, &args.supervisor, &args.password).await,
            },
            "create" => Case::Create {
                token: login(&client, &args.url, &args.agent, &args.password).await,
            },
            "reply" => {
                let token = login(&client, &args.url, &args.agent, &args.password).await;
                let n = args.concurrency.iter().copied().max().unwrap_or(1);
                let tickets = open_tickets(&client, &args.url, &token, n).await?;
                println!("{n} OPEN tickets of Li Lei (li.lei@example.com) to reply on");
                Case::Reply {
                    token,
                    tickets: Arc::new(tickets),
                }
            }
            "hand" => {
                let url = args
                    .database_url
                    .as_deref()
                    .ok_or_else(|| anyhow::anyhow!("the hand case needs --database-url"))?;
                start_hand(url, args.hand_port).await?;
                Case::Hand
            }
            "bare" => {
                start_bare(args.hand_port + 1)?;
                Case::Bare
            }
            other => {
                anyhow::bail!("unknown case {other}: typename, bare, list, hand, create or reply")
            }
        };
        cases.push((name.clone(), case));
    }
    // The reference must answer what the product answers, or the comparison means nothing.
    if let (Some((_, list)), Some(_)) = (
        cases.iter().find(|(n, _)| n == "list"),
        cases.iter().find(|(n, _)| n == "hand"),
    ) {
        let Case::List { token } = list else {
            unreachable!()
        };
        let product = gql(&client, &args.url, Some(token), json!({ "query": LIST })).await;
        let hand: Value = client
            .get(format!("http://127.0.0.1:{}/tickets", args.hand_port))
            .send()
            .await?
            .json()
            .await?;
        anyhow::ensure!(
            product == hand,
            "the hand-written endpoint answers differently:\nproduct {product}\nhand {hand}"
        );
        println!("the hand-written endpoint returns the same JSON as the product's list");
    }
    let mut results: Vec<(String, Vec<Stats>)> = Vec::new();
    for (name, case) in &cases {
        for &c in &args.concurrency {
            if args.warmup > 0 {
                drive(&args, case, c, args.warmup).await;
            }
            results.push((format!("{name} c{c}"), Vec::new()));
        }
    }
    for round in 1..=args.rounds {
        let mut i = 0;
        for (name, case) in &cases {
            for &c in &args.concurrency {
                let stats = drive(&args, case, c, args.duration).await;
                println!("{}", line(&format!("round {round} {name} c{c}"), &stats));
                results[i].1.push(stats);
                i += 1;
            }
        }
    }
    println!("\nmedian of {} rounds (by req/s):", args.rounds);
    for (label, mut rounds) in results {
        rounds.sort_by(|a, b| {
            (a.requests as f64 / a.seconds).total_cmp(&(b.requests as f64 / b.seconds))
        });
        if let Some(median) = rounds.get(rounds.len() / 2) {
            println!("{}", line(&label, median));
        }
    }
    Ok(())
}

// ---- Outbound email (issue 27): `--cases reply`, `--drain N`, `--fault` ----

/// The server's default sender, used by the hand-written sender too.
const FROM: &str = "Careline <noreply@careline.local>";

/// What a bench email says: a staff reply as the worker would send it.
const EMAIL_SUBJECT: &str = "您的工单有新的回复 / A reply on your ticket";
const EMAIL_BODY: &str = "李雷您好：\n\n您的问题我们已经在处理，预计明天给您答复。如有新的情况，\
    请直接回复本邮件。\n\nHello Li Lei, we are working on your question and expect to answer \
    tomorrow.\n\nCareline 客服";

/// An SMTP sink from tests/clients/bench_smtp.py, killed when dropped.
struct Sink {
    child: std::process::Child,
}

impl Sink {
    fn start(kind: &str, port: u16, log: &str) -> anyhow::Result<Sink> {
        let clients = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("clients");
        let class = match kind {
            "count" => "bench_smtp.Count",
            "slow" => "bench_smtp.Slow",
            other => anyhow::bail!("unknown sink {other}: count or slow"),
        };
        let child = std::process::Command::new(clients.join(".venv/bin/python"))
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", class])
            .env("PYTHONPATH", &clients)
            .env("SMTP_LOG", log)
            .spawn()?;
        let sink = Sink { child };
        anyhow::ensure!(
            careline_tests::kit::wait_for_port(port, Duration::from_secs(10)),
            "the SMTP sink did not listen on {port}"
        );
        Ok(sink)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Message-IDs the sink logged, one line per message received.
fn sink_lines(log: &str) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Creates `n` tickets for Li Lei (the demo customer with an email address) as the agent and
/// acknowledges each, so they are OPEN and the agent may reply; returns their ids.
async fn open_tickets(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    n: usize,
) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let created = gql(
            client,
            url,
            Some(token),
            json!({
                "query": CREATE,
                "variables": { "i": {
                    "kind": "INQUIRY", "channel": "EMAIL", "subject": format!("Bench replies {i}"),
                    "description": "opened by careline-bench for sendReply",
                    "customer": { "name": "Li Lei", "email": "li.lei@example.com" }
                } }
            }),
        )
        .await;
        let id = created["data"]["createTicket"]["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("createTicket failed: {created}"))?
            .to_owned();
        let acked = gql(
            client,
            url,
            Some(token),
            json!({ "query": ACKNOWLEDGE, "variables": { "id": id } }),
        )
        .await;
        anyhow::ensure!(
            acked["data"]["acknowledgeTicket"]["status"] == "OPEN",
            "acknowledgeTicket failed: {acked}"
        );
        ids.push(id);
    }
    Ok(ids)
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row"))?;
    Ok(row.try_get_by_index(0)?)
}

/// The plain loop: `messages` (id, address) sent with lettre, `concurrency` at a time, as the
/// worker builds them (text and HTML parts, a Message-ID). Returns (sent, failed).
async fn hand_send(
    port: u16,
    concurrency: usize,
    messages: Vec<(uuid::Uuid, String)>,
) -> anyhow::Result<(usize, usize)> {
    use futures_util::StreamExt;
    use lettre::message::{Mailbox, MultiPart};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let transport =
        AsyncSmtpTransport::<Tokio1Executor>::from_url(&format!("smtp://127.0.0.1:{port}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
    let from: Mailbox = FROM.parse()?;
    let (transport, from) = (&transport, &from);
    let results: Vec<bool> = futures_util::stream::iter(messages)
        .map(|(id, to)| async move {
            let Ok(to) = to.parse::<Mailbox>() else {
                return false;
            };
            let html = format!(
                "<!doctype html><html><body><p>{}</p></body></html>",
                EMAIL_BODY.replace('\n', "<br>")
            );
            let Ok(message) = Message::builder()
                .from(from.clone())
                .to(to)
                .subject(EMAIL_SUBJECT)
                .message_id(Some(format!("<hand-{id}@careline.local>")))
                .multipart(MultiPart::alternative_plain_html(
                    EMAIL_BODY.to_owned(),
                    html,
                ))
            else {
                return false;
            };
            transport.send(message).await.is_ok()
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let sent = results.iter().filter(|ok| **ok).count();
    Ok((sent, results.len() - sent))
}

/// `--drain N`: the hand-written loop sends N emails to the sink, then N deliveries are queued
/// in one statement and the running server (SMTP_URL at the same sink) is timed until all are
/// SENT.
async fn drain(args: &Args) -> anyhow::Result<()> {
    let database_url = args
        .database_url
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("--drain needs --database-url"))?;
    let db = Database::connect(database_url).await?;
    let n = args.drain;
    let run = uuid::Uuid::new_v4().simple().to_string();
    let address = "li.lei@example.com";

    // 1. The hand-written baseline.
    let before = sink_lines(&args.sink_log).len();
    let messages = (0..n)
        .map(|_| (uuid::Uuid::new_v4(), address.to_owned()))
        .collect();
    let started = Instant::now();
    let (sent, failed) = hand_send(args.sink_port, args.smtp_concurrency, messages).await?;
    let hand = started.elapsed().as_secs_f64();
    let received = sink_lines(&args.sink_log).len() - before;
    println!(
        "hand-written lettre loop, {} at once: {sent} sent, {failed} failed in {hand:.2} s \
         ({:.0}/s); the sink received {received}",
        args.smtp_concurrency,
        sent as f64 / hand
    );

    // 2. The product: queue N deliveries, due now, and wait until the worker sent them all.
    let before = sink_lines(&args.sink_log).len();
    let insert = format!(
        "INSERT INTO deliveries (id, cause, ticket_id, event_id, customer_id, notice, channel, \
             address, subject, body, status, attempts, next_attempt_at, created_at, updated_at) \
         SELECT gen_random_uuid(), 'BENCH:{run}:' || g, NULL, NULL, gen_random_uuid(), \
             'AGENT_REPLY', 'EMAIL', '{address}', '{EMAIL_SUBJECT}', $body${EMAIL_BODY}$body$, \
             'PENDING', 0, now(), now(), now() \
         FROM generate_series(1, {n}) g"
    );
    let started = Instant::now();
    db.execute_raw(Statement::from_string(DbBackend::Postgres, insert))
        .await?;
    let queued = started.elapsed().as_secs_f64();
    let started = Instant::now();
    println!("queued {n} deliveries in {queued:.2} s");
    let count = |status: &str| {
        format!(
            "SELECT count(*) FROM deliveries WHERE cause LIKE 'BENCH:{run}:%' AND status = '{status}'"
        )
    };
    let mut first_sent = None;
    let mut last_report = Instant::now();
    loop {
        let sent = scalar(&db, &count("SENT")).await?;
        if sent > 0 && first_sent.is_none() {
            first_sent = Some(started.elapsed().as_secs_f64());
        }
        if sent as u64 == n {
            break;
        }
        let pending = scalar(&db, &count("PENDING")).await?;
        if pending == 0 {
            anyhow::bail!("nothing pending, yet only {sent} of {n} SENT");
        }
        if started.elapsed() > Duration::from_secs(600) {
            anyhow::bail!("only {sent} of {n} SENT after 10 minutes");
        }
        if last_report.elapsed() > Duration::from_secs(5) {
            println!(
                "  {:.0} s: {sent} SENT, {pending} pending",
                started.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let product = started.elapsed().as_secs_f64();
    let received = sink_lines(&args.sink_log).len() - before;
    println!(
        "the delivery worker: {n} SENT in {product:.2} s after the queueing committed \
         ({:.0}/s; first SENT after {:.2} s); the sink received {received}",
        n as f64 / product,
        first_sent.unwrap_or(0.0)
    );
    println!(
        "worker / hand-written: {:.2}× the time ({:.0} % of the hand-written throughput)",
        product / hand,
        100.0 * hand / product
    );
    Ok(())
}

/// `--fault`: replies at `--rate` a second for `--produce` seconds on two instances sharing
/// one database; the sink is killed at `--down-at` and started again `--down-for` seconds
/// later (same log); then waits until no email delivery of the run is pending and checks every
/// one SENT and received exactly once.
async fn fault(args: &Arc<Args>) -> anyhow::Result<()> {
    let database_url = args
        .database_url
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("--fault needs --database-url"))?;
    let second = args
        .second_url
        .clone()
        .ok_or_else(|| anyhow::anyhow!("--fault needs --second-url"))?;
    let db = Database::connect(database_url).await?;
    let _ = std::fs::remove_file(&args.sink_log);
    let mut sink = Some(Sink::start("count", args.sink_port, &args.sink_log)?);
    let since = chrono::Utc::now() - chrono::Duration::seconds(1);
    let client = reqwest::Client::new();
    let urls = [args.url.clone(), second];
    let mut tokens = Vec::new();
    for url in &urls {
        tokens.push(login(&client, url, &args.agent, &args.password).await);
    }
    let workers = 8;
    let tickets = open_tickets(&client, &urls[0], &tokens[0], workers).await?;
    println!(
        "{workers} OPEN tickets for Li Lei; replying at {}/s on both instances",
        args.rate
    );

    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.produce);
    let every = Duration::from_secs_f64(workers as f64 / args.rate);
    let handles: Vec<_> = (0..workers)
        .map(|w| {
            let (client, url, token, ticket) = (
                client.clone(),
                urls[w % 2].clone(),
                tokens[w % 2].clone(),
                tickets[w].clone(),
            );
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                let (mut ok, mut errors, mut n) = (0u64, 0u64, 0u64);
                loop {
                    tick.tick().await;
                    if Instant::now() >= deadline {
                        break;
                    }
                    n += 1;
                    let body = gql(&client, &url, Some(&token), json!({
                        "query": REPLY,
                        "variables": { "i": { "ticketId": ticket,
                            "body": format!("Reply {n} of worker {w} during the SMTP outage run"),
                            "waitForCustomer": false } }
                    }))
                    .await;
                    if body["data"]["sendReply"]["id"].is_string() {
                        ok += 1;
                    } else {
                        errors += 1;
                    }
                }
                (ok, errors)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(args.down_at)).await;
    sink.take();
    println!("{:.0} s: the sink is down", started.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_secs(args.down_for)).await;
    sink = Some(Sink::start("count", args.sink_port, &args.sink_log)?);
    let back = Instant::now();
    println!("{:.0} s: the sink is back", started.elapsed().as_secs_f64());
    let (mut ok, mut errors) = (0, 0);
    for h in handles {
        let (o, e) = h.await?;
        ok += o;
        errors += e;
    }
    let produced = Instant::now();
    println!(
        "{:.0} s: load over: {ok} replies, {errors} errors",
        started.elapsed().as_secs_f64()
    );

    let counts = |db: DatabaseConnection| async move {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT status, count(*) AS n, count(*) FILTER (WHERE attempts > 1) AS retried \
                 FROM deliveries WHERE channel = 'EMAIL' AND created_at >= $1 GROUP BY status",
                [since.into()],
            ))
            .await?;
        let mut out = std::collections::BTreeMap::new();
        for row in rows {
            let status: String = row.try_get("", "status")?;
            let n: i64 = row.try_get("", "n")?;
            let retried: i64 = row.try_get("", "retried")?;
            out.insert(status, (n, retried));
        }
        anyhow::Ok(out)
    };
    let mut last_report = Instant::now();
    loop {
        let c = counts(db.clone()).await?;
        if !c.contains_key("PENDING") {
            break;
        }
        if produced.elapsed() > Duration::from_secs(900) {
            anyhow::bail!("still pending 15 minutes after the load: {c:?}");
        }
        if last_report.elapsed() > Duration::from_secs(15) {
            println!("  {:.0} s: {c:?}", started.elapsed().as_secs_f64());
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "{:.0} s: nothing pending: {:.0} s after the sink came back, {:.0} s after the load",
        started.elapsed().as_secs_f64(),
        back.elapsed().as_secs_f64(),
        produced.elapsed().as_secs_f64()
    );
    // Let the sink finish writing what it acknowledged, then compare.
    tokio::time::sleep(Duration::from_secs(1)).await;
    drop(sink);
    let c = counts(db.clone()).await?;
    let total: i64 = c.values().map(|(n, _)| n).sum();
    let (sent, retried) = c.get("SENT").copied().unwrap_or((0, 0));
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT message_id FROM deliveries WHERE channel = 'EMAIL' AND created_at >= $1 \
             AND status = 'SENT'",
            [since.into()],
        ))
        .await?;
    let mut received: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for line in sink_lines(&args.sink_log) {
        *received.entry(line).or_default() += 1;
    }
    let mut missing = 0;
    let mut once = 0;
    for row in rows {
        let id: Option<String> = row.try_get("", "message_id")?;
        match id.and_then(|id| received.get(&id).copied()) {
            Some(1) => once += 1,
            Some(_) => {}
            None => missing += 1,
        }
    }
    let duplicates: Vec<_> = received.iter().filter(|(_, n)| **n > 1).collect();
    println!(
        "email deliveries of the run: {total}; SENT {sent} (of them {retried} after a failed \
         try); by status {c:?}"
    );
    println!(
        "at the sink: {} messages, {} distinct Message-IDs; SENT and received exactly once: \
         {once}; SENT but never received: {missing}; received more than once: {}",
        received.values().sum::<u32>(),
        received.len(),
        duplicates.len()
    );
    for (id, n) in duplicates.iter().take(10) {
        println!("  duplicate: {id} × {n}");
    }
    Ok(())
}
