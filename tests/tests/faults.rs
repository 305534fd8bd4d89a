//! Faults injected for real: a Redis outage, a PostgreSQL crash and restart, and an instance
//! killed with SIGKILL while it relays events — each under a steady load of mutations, with
//! live subscribers counting what reaches them. Every test starts the services it breaks (a
//! private `redis-server`, a private PostgreSQL cluster via `initdb`/`pg_ctl`, the `careline`
//! binary), so it needs those binaries: ignored by default, run by `.ci/run`
//! (`cargo test -p careline-tests --test faults -- --ignored --nocapture` prints the figures
//! recorded in docs/RELIABILITY.md).
//!
//! The one test binary besides `e2e` (tests/tests/e2e/main.rs), and on purpose: these tests
//! stop the services their servers depend on, drive load for tens of seconds and measure
//! outages and recoveries in milliseconds. In the shared binary they would run next to other
//! tests — slowing them with their load and their own PostgreSQL clusters, and timing the other
//! tests' work as if it were theirs. Here they run one at a time (`SERIAL`) and alone.

use careline_tests::kit::{ALICE, MANAGER, SAM, inquiry};
use careline_tests::postgres::OwnPostgres;
use careline_tests::process::Instance;
use careline_tests::redis::OwnRedis;
use careline_tests::ws::{Ws, socket, subscribe};
use careline_tests::{TestApp, data};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const QUEUE: &str = "subscription { queueUpdates { kind ticket { number } } }";
const CREATE: &str = "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id number } }";
const POLICY: &str = "mutation($i: SlaPolicyInput!) { upsertSlaPolicy(input: $i) { id } }";
const TICKET: &str =
    "query($id: ID!) { ticket(id: $id) { escalationLevel sla { firstResponseBreached } } }";

/// The fault tests time outages and recoveries: they run one at a time, not against each other.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What one mutation of the load got, and how long it took.
#[derive(Debug, Clone)]
struct Outcome {
    /// Since the load started.
    at: Duration,
    took: Duration,
    /// The ticket number, or the error code (`TRANSPORT` when no GraphQL answer came).
    result: Result<String, String>,
}

/// Concurrent clients creating tickets (subjects `<prefix> <n>`) against `addresses` in turn,
/// each pausing `pause` between requests, until stopped.
struct Load {
    stop: Arc<AtomicBool>,
    outcomes: Arc<Mutex<Vec<Outcome>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    started: Instant,
}

impl Load {
    fn start(
        addresses: Vec<String>,
        token: String,
        prefix: &str,
        clients: usize,
        pause: Duration,
    ) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let outcomes = Arc::new(Mutex::new(Vec::new()));
        let started = Instant::now();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(40))
            .build()
            .unwrap();
        let tasks = (0..clients)
            .map(|client| {
                let (stop, outcomes, http, token) =
                    (stop.clone(), outcomes.clone(), http.clone(), token.clone());
                let addresses = addresses.clone();
                let prefix = prefix.to_owned();
                tokio::spawn(async move {
                    let mut n = 0usize;
                    while !stop.load(Ordering::Relaxed) {
                        let address = &addresses[(client + n) % addresses.len()];
                        let subject = format!("{prefix} {client}-{n}");
                        let begun = Instant::now();
                        let result = create(&http, address, &token, &subject).await;
                        outcomes.lock().unwrap().push(Outcome {
                            at: begun - started,
                            took: begun.elapsed(),
                            result,
                        });
                        n += 1;
                        tokio::time::sleep(pause).await;
                    }
                })
            })
            .collect();
        Load {
            stop,
            outcomes,
            tasks,
            started,
        }
    }

    fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    async fn finish(self) -> Vec<Outcome> {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            task.await.unwrap();
        }
        let mut outcomes = self.outcomes.lock().unwrap().clone();
        outcomes.sort_by_key(|o| o.at);
        outcomes
    }
}

async fn create(
    http: &reqwest::Client,
    address: &str,
    token: &str,
    subject: &str,
) -> Result<String, String> {
    let response = http
        .post(format!("{address}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": CREATE, "variables": inquiry(subject) }))
        .send()
        .await
        .map_err(|_| "TRANSPORT".to_owned())?;
    let body: Value = response.json().await.map_err(|_| "TRANSPORT".to_owned())?;
    match body["data"]["createTicket"]["number"].as_str() {
        Some(number) => Ok(number.to_owned()),
        None => Err(body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("NO_CODE")
            .to_owned()),
    }
}

/// Reads a subscriber's socket in the background (so it never looks like a stalled client),
/// collecting the ticket number of every `CREATED` queue event.
struct Reader {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Vec<(String, Instant)>>,
}

impl Reader {
    fn start(mut ws: Ws) -> Reader {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let task = tokio::spawn(async move {
            let mut numbers = Vec::new();
            loop {
                match tokio::time::timeout(Duration::from_secs(3), ws.next()).await {
                    Ok(Some(Ok(Message::Text(text)))) => {
                        let message: Value = serde_json::from_str(&text).unwrap();
                        if message["type"] == "ping" || message["type"] == "pong" {
                            continue;
                        }
                        assert_eq!(message["type"], "next", "unexpected message: {message}");
                        let event = &message["payload"]["data"]["queueUpdates"];
                        if event["kind"] == "CREATED" {
                            numbers.push((
                                event["ticket"]["number"].as_str().unwrap().to_owned(),
                                Instant::now(),
                            ));
                        }
                    }
                    Ok(Some(Ok(Message::Close(frame)))) => {
                        panic!("the server closed a subscriber: {frame:?}")
                    }
                    Ok(Some(Ok(_))) => {}
                    Ok(Some(Err(err))) => panic!("subscriber socket failed: {err}"),
                    Ok(None) => panic!("subscriber socket ended"),
                    // Quiet for 3 s: done once told to stop.
                    Err(_) if stopping.load(Ordering::Relaxed) => return numbers,
                    Err(_) => {}
                }
            }
        });
        Reader { stop, task }
    }

    /// Every number received, once the socket has been quiet for 3 s.
    async fn finish(self) -> Vec<String> {
        self.finish_timed()
            .await
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    /// Every number received and when.
    async fn finish_timed(self) -> Vec<(String, Instant)> {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap()
    }
}

async fn subscriber(app: &TestApp, email: &str) -> Reader {
    let token = app.login(email).await;
    let mut ws = socket(app, &token).await;
    subscribe(&mut ws, "q", QUEUE, json!({})).await;
    Reader::start(ws)
}

/// How often each number was delivered, against the numbers that should have been.
struct Delivery {
    lost: Vec<String>,
    duplicated: Vec<String>,
    unexpected: Vec<String>,
}

fn delivery(expected: &[String], delivered: &[String]) -> Delivery {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for number in delivered {
        *counts.entry(number).or_default() += 1;
    }
    Delivery {
        lost: expected
            .iter()
            .filter(|n| !counts.contains_key(n.as_str()))
            .cloned()
            .collect(),
        duplicated: counts
            .iter()
            .filter(|(_, c)| **c > 1)
            .map(|(n, _)| (*n).to_owned())
            .collect(),
        unexpected: counts
            .keys()
            .filter(|n| !expected.iter().any(|e| e == *n))
            .map(|n| (*n).to_owned())
            .collect(),
    }
}

/// The numbers of the tickets the load committed (subjects starting with `prefix`), and the
/// ones among them that are not whole: a ticket without its timeline entry or its events.
async fn committed(app: &TestApp, prefix: &str) -> (Vec<String>, Vec<String>) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let rows = app
        .state
        .app
        .db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT t.number,
                (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id) AS entries,
                (SELECT count(*) FROM outbox o WHERE o.payload LIKE '%' || t.number || '%') AS events
             FROM tickets t WHERE t.subject LIKE $1 ORDER BY t.number",
            [format!("{prefix} %").into()],
        ))
        .await
        .unwrap();
    let mut numbers = Vec::new();
    let mut partial = Vec::new();
    for row in rows {
        let number: String = row.try_get("", "number").unwrap();
        let entries: i64 = row.try_get("", "entries").unwrap();
        let events: i64 = row.try_get("", "events").unwrap();
        if entries == 0 || events == 0 {
            partial.push(format!("{number} (entries {entries}, events {events})"));
        }
        numbers.push(number);
    }
    (numbers, partial)
}

/// `/readyz` of `address`: status and body.
async fn readyz(address: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{address}/readyz"))
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

#[tokio::test]
#[ignore = "needs redis-server, PostgreSQL's initdb/pg_ctl; .ci/run runs it"]
async fn a_ten_second_redis_outage_fails_no_mutation_and_delivers_every_event_once() {
    let _serial = SERIAL.lock().await;
    let pg = OwnPostgres::start_anywhere();
    let mut redis = OwnRedis::start_anywhere();
    let port = redis.port;
    let url = redis.url();
    let a = TestApp::spawn_on(&pg.admin_url(), |s| s.redis_url = Some(url.clone())).await;
    let b = a.spawn_sharing(|s| s.redis_url = Some(url.clone())).await;
    let on_a = subscriber(&a, SAM).await;
    let on_b = subscriber(&b, SAM).await;
    let agent = a.login(ALICE).await;

    let load = Load::start(
        vec![a.address.clone(), b.address.clone()],
        agent,
        "redis outage",
        4,
        Duration::from_millis(100),
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    redis.stop();
    let down_from = load.elapsed();
    // While Redis is down: both instances say so, and keep taking mutations.
    let mut readiness_down = Vec::new();
    while load.elapsed() < down_from + Duration::from_secs(10) {
        for app in [&a, &b] {
            readiness_down.push(readyz(&app.address).await);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let _redis = OwnRedis::start(port);
    let down_until = load.elapsed();
    let back = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let outcomes = load.finish().await;
    careline_tests::settle(&a.state).await;
    let timed_a = on_a.finish_timed().await;
    let timed_b = on_b.finish_timed().await;
    // How long after Redis came back the last event held during the outage arrived.
    let held: Vec<String> = outcomes
        .iter()
        .filter(|o| o.at >= down_from && o.at + o.took <= down_until)
        .filter_map(|o| o.result.clone().ok())
        .collect();
    let caught_up = [&timed_a, &timed_b].map(|timed| {
        timed
            .iter()
            .filter(|(n, _)| held.contains(n))
            .map(|(_, at)| at.saturating_duration_since(back))
            .max()
            .unwrap_or_default()
    });
    let delivered_a: Vec<String> = timed_a.into_iter().map(|(n, _)| n).collect();
    let delivered_b: Vec<String> = timed_b.into_iter().map(|(n, _)| n).collect();

    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    let during: usize = outcomes
        .iter()
        .filter(|o| o.at >= down_from && o.at < down_until)
        .count();
    let created: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.result.clone().ok())
        .collect();
    let (in_database, partial) = committed(&a, "redis outage").await;
    let a_report = delivery(&in_database, &delivered_a);
    let b_report = delivery(&in_database, &delivered_b);
    let slowest = outcomes.iter().map(|o| o.took).max().unwrap_or_default();
    println!(
        "faults/redis: {} mutations ({during} while Redis was down for {} ms), {} failed, \
         slowest {} ms; the {} events held during the outage reached A {} ms and B {} ms after \
         Redis was back; events per subscriber: {} expected, A got {} (lost {}, duplicated {}), \
         B got {} (lost {}, duplicated {})",
        outcomes.len(),
        ms(down_until - down_from),
        failed.len(),
        ms(slowest),
        held.len(),
        ms(caught_up[0]),
        ms(caught_up[1]),
        in_database.len(),
        delivered_a.len(),
        a_report.lost.len(),
        a_report.duplicated.len(),
        delivered_b.len(),
        b_report.lost.len(),
        b_report.duplicated.len(),
    );

    assert!(
        failed.is_empty(),
        "mutations failed during the outage: {failed:?}"
    );
    assert!(
        during >= 20,
        "the load kept going while Redis was down ({during})"
    );
    let mut acknowledged = created.clone();
    acknowledged.sort();
    assert_eq!(
        acknowledged, in_database,
        "exactly the acknowledged tickets were stored"
    );
    assert!(partial.is_empty(), "partial writes: {partial:?}");
    for (name, report) in [("A", &a_report), ("B", &b_report)] {
        assert!(
            report.lost.is_empty(),
            "subscriber on {name} lost {:?}",
            report.lost
        );
        assert!(
            report.duplicated.is_empty(),
            "subscriber on {name} got twice {:?}",
            report.duplicated
        );
        assert!(report.unexpected.is_empty(), "{:?}", report.unexpected);
    }
    // Readiness said Redis was down (after the first probe, which may have raced the kill),
    // and says it is back.
    assert!(
        readiness_down
            .iter()
            .skip(2)
            .all(|(status, body)| *status == 503
                && body["redis"] == "unavailable"
                && body["database"] == "ok"),
        "{readiness_down:?}"
    );
    for app in [&a, &b] {
        assert_eq!(readyz(&app.address).await.0, 200);
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL's initdb/pg_ctl; .ci/run runs it"]
async fn a_postgres_crash_fails_requests_fast_as_unavailable_and_everything_resumes() {
    let _serial = SERIAL.lock().await;
    let mut pg = OwnPostgres::start_anywhere();
    let app = TestApp::spawn_on(&pg.admin_url(), |s| {
        s.sla_worker = true;
        s.sla_tick = Duration::from_secs(1);
    })
    .await;
    let manager = app.login(MANAGER).await;
    data(&app
        .gql(Some(&manager), POLICY, json!({ "i": { "name": "Inquiry 24x7", "kind": "INQUIRY",
            "firstResponseMinutes": 60, "resolutionMinutes": 600, "timeZone": "UTC", "windows": "24x7" } }))
        .await);
    let watcher = subscriber(&app, SAM).await;
    let agent = app.login(ALICE).await;
    let before = data(
        &app.gql(Some(&agent), CREATE, inquiry("postgres crash before"))
            .await,
    )["createTicket"]["id"]
        .clone();

    let load = Load::start(
        vec![app.address.clone()],
        agent.clone(),
        "postgres crash",
        4,
        Duration::from_millis(50),
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    pg.crash();
    let down_from = load.elapsed();
    let (status, body) = readyz(&app.address).await;
    assert_eq!(
        (status, &body["database"]),
        (503, &json!("unavailable")),
        "{body}"
    );
    tokio::time::sleep(Duration::from_secs(8)).await;
    pg.start();
    let down_until = load.elapsed();
    // Load until a few seconds of success after the restart.
    let mut recovered_at = None;
    while load.elapsed() < down_until + Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let first_ok = load
            .outcomes
            .lock()
            .unwrap()
            .iter()
            .filter(|o| o.at >= down_until && o.result.is_ok())
            .map(|o| o.at + o.took)
            .min();
        if let Some(at) = first_ok {
            recovered_at.get_or_insert(at);
            if load.elapsed() > at + Duration::from_secs(3) {
                break;
            }
        }
    }
    let outcomes = load.finish().await;

    // Outcomes, by when each request ended.
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    let codes: BTreeMap<String, usize> = failed.iter().fold(BTreeMap::new(), |mut m, o| {
        *m.entry(o.result.clone().unwrap_err()).or_default() += 1;
        m
    });
    let slowest_failure = failed.iter().map(|o| o.took).max().unwrap_or_default();
    let mean_failure = failed.iter().map(|o| o.took).sum::<Duration>() / failed.len().max(1) as u32;
    let recovered_at = recovered_at.expect("requests succeed again after the restart");

    // The relay and the SLA worker resume: every committed ticket's event arrives, and the
    // worker escalates once the clock passes the first-response target.
    careline_tests::settle(&app.state).await;
    app.state.app.clock.advance(chrono::Duration::minutes(61));
    let mut escalated = None;
    let worker_from = Instant::now();
    while worker_from.elapsed() < Duration::from_secs(15) {
        let ticket = data(
            &app.gql(Some(&manager), TICKET, json!({ "id": before }))
                .await,
        )["ticket"]
            .clone();
        if ticket["sla"]["firstResponseBreached"] == true {
            escalated = Some(worker_from.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    careline_tests::settle(&app.state).await;
    let delivered = watcher.finish().await;
    let (in_database, partial) = committed(&app, "postgres crash").await;
    let acknowledged: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.result.clone().ok())
        .collect();
    let report = delivery(&in_database, &delivered);
    println!(
        "faults/postgres: {} mutations, {} ok, failed {codes:?} while down {} ms; failure answered \
         in mean {} ms, max {} ms; first success {} ms after the restart; {} tickets committed \
         ({} whose request failed), {} partial; events {} expected, {} delivered, lost {}, \
         duplicated {}; SLA worker escalated {} ms after the clock moved",
        outcomes.len(),
        acknowledged.len(),
        ms(down_until - down_from),
        ms(mean_failure),
        ms(slowest_failure),
        ms(recovered_at.saturating_sub(down_until)),
        in_database.len(),
        in_database.len() - acknowledged.len(),
        partial.len(),
        in_database.len(),
        delivered.len(),
        report.lost.len(),
        report.duplicated.len(),
        escalated.map(ms).unwrap_or(0),
    );

    assert!(
        !failed.is_empty(),
        "requests failed while the database was down"
    );
    assert_eq!(
        codes.keys().collect::<Vec<_>>(),
        ["SERVICE_UNAVAILABLE"],
        "failures are SERVICE_UNAVAILABLE only (not INTERNAL, not a cut connection)"
    );
    let bound = careline_persistence::POSTGRES_ACQUIRE_TIMEOUT + Duration::from_secs(2);
    assert!(
        slowest_failure <= bound,
        "a failure took {slowest_failure:?}, over {bound:?}"
    );
    assert!(
        recovered_at <= down_until + Duration::from_secs(10),
        "recovered {:?} after the restart",
        recovered_at - down_until
    );
    assert!(partial.is_empty(), "partial writes visible: {partial:?}");
    for number in &acknowledged {
        assert!(
            in_database.contains(number),
            "acknowledged {number} is missing"
        );
    }
    assert!(report.lost.is_empty(), "events lost: {:?}", report.lost);
    assert!(
        report.duplicated.is_empty(),
        "events twice: {:?}",
        report.duplicated
    );
    assert!(report.unexpected.is_empty(), "{:?}", report.unexpected);
    assert!(escalated.is_some(), "the SLA worker resumed and escalated");
    assert_eq!(readyz(&app.address).await.0, 200);
}

/// A raw subscriber to the event channel: how often each event id crossed Redis, and a
/// signal on every message.
async fn wire_watch(
    url: &str,
    channel: &str,
) -> (Arc<Mutex<HashMap<String, usize>>>, Arc<tokio::sync::Notify>) {
    let client = redis::Client::open(url).unwrap();
    let mut pubsub = client.get_async_pubsub().await.unwrap();
    pubsub.subscribe(channel).await.unwrap();
    let counts = Arc::new(Mutex::new(HashMap::new()));
    let signal = Arc::new(tokio::sync::Notify::new());
    let (c, s) = (counts.clone(), signal.clone());
    tokio::spawn(async move {
        let mut messages = pubsub.into_on_message();
        while let Some(message) = messages.next().await {
            let payload: String = message.get_payload().unwrap();
            let envelope: Value = serde_json::from_str(&payload).unwrap();
            let id = envelope["id"].as_str().unwrap().to_owned();
            *c.lock().unwrap().entry(id).or_default() += 1;
            s.notify_waiters();
        }
    });
    (counts, signal)
}

#[tokio::test]
#[ignore = "needs redis-server, PostgreSQL's initdb/pg_ctl and the careline binary; .ci/run runs it"]
async fn an_instance_killed_mid_relay_loses_no_event_and_duplicates_none() {
    let _serial = SERIAL.lock().await;
    let binary = careline_tests::process::careline_binary();
    let pg = OwnPostgres::start_anywhere();
    let redis = OwnRedis::start_anywhere();
    let url = redis.url();
    let survivor = TestApp::spawn_on(&pg.admin_url(), |s| s.redis_url = Some(url.clone())).await;
    let channel = survivor.state.settings.event_channel.clone();
    let (wire, published) = wire_watch(&url, &channel).await;
    let watcher = subscriber(&survivor, SAM).await;
    let agent = survivor.login(ALICE).await;
    let data_dir = tempfile::tempdir().unwrap();
    let env = [
        ("DATABASE_URL", survivor.database_url()),
        ("REDIS_URL", url.clone()),
        ("EVENT_CHANNEL", channel.clone()),
    ];

    // Kill the other instance right after an event crosses Redis, while its relay has published
    // a batch but not yet marked it sent; retry a few rounds if the kill missed that window.
    let mut rounds = 0;
    let mut outcomes = Vec::new();
    let mut republished = 0;
    while rounds < 5 && republished == 0 {
        rounds += 1;
        let mut doomed = Instance::start(&env, data_dir.path()).await;
        let load = Load::start(
            vec![doomed.address.clone()],
            agent.clone(),
            &format!("sigkill round {rounds}"),
            6,
            Duration::from_millis(10),
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let crossed = tokio::time::timeout(Duration::from_secs(10), published.notified()).await;
        doomed.kill();
        assert!(crossed.is_ok(), "no event crossed Redis under load");
        outcomes.extend(load.finish().await);
        careline_tests::settle(&survivor.state).await;
        republished = wire.lock().unwrap().values().filter(|c| **c > 1).count();
    }
    let delivered = watcher.finish().await;
    let mut in_database = Vec::new();
    let mut partial = Vec::new();
    for round in 1..=rounds {
        let (numbers, broken) = committed(&survivor, &format!("sigkill round {round}")).await;
        in_database.extend(numbers);
        partial.extend(broken);
    }
    let acknowledged = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let report = delivery(&in_database, &delivered);
    println!(
        "faults/sigkill: {} round(s) with {} ({}), {} mutations acknowledged, {} tickets \
         committed; {} events crossed Redis twice (published by the killed relay, republished \
         by the survivor); subscriber on the survivor: {} expected, {} delivered, lost {}, \
         duplicated {}",
        rounds,
        binary.display(),
        "SIGKILL",
        acknowledged,
        in_database.len(),
        republished,
        in_database.len(),
        delivered.len(),
        report.lost.len(),
        report.duplicated.len(),
    );
    assert!(
        republished > 0,
        "no kill landed between publishing and marking a batch in {rounds} rounds"
    );
    assert!(partial.is_empty(), "partial writes visible: {partial:?}");
    assert!(report.lost.is_empty(), "events lost: {:?}", report.lost);
    assert!(
        report.duplicated.is_empty(),
        "events twice: {:?}",
        report.duplicated
    );
    assert!(report.unexpected.is_empty(), "{:?}", report.unexpected);
}
