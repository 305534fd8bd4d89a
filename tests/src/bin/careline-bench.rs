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

use actix_web::{App, HttpResponse, HttpServer, web};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const LIST: &str = "{ tickets(first: 20) { edges { node { number subject status priority owner { name } assignee { name } } } } }";
const CREATE: &str = "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id number } }";

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
    List { token: String },
    Create { token: String },
    Hand,
    Bare,
}

impl Case {
    fn request(&self, client: &reqwest::Client, args: &Args, n: u64) -> reqwest::RequestBuilder {
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
        .map(|_| {
            let (client, case, args, counter) =
                (client.clone(), case.clone(), args.clone(), counter.clone());
            tokio::spawn(async move {
                let mut latencies: Vec<u32> = Vec::with_capacity(4096);
                let mut errors = 0u64;
                while Instant::now() < deadline {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let sent = Instant::now();
                    let ok = match case.request(&client, &args, n).send().await {
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
            other => anyhow::bail!("unknown case {other}: typename, bare, list, hand or create"),
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
