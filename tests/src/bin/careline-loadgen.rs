//! Subscription load generator: opens N WebSocket subscribers to `queueUpdates` (spread over
//! one or more instances), fires ticket mutations at one instance, and reports event latency
//! (p50 / p99 / max), lost and duplicate events, the servers' memory per subscriber and their CPU
//! time per 1,000 delivered frames (from `/proc/<pid>/stat`).
//!
//! ```text
//! ulimit -n 65536
//! cargo run --release -p careline-tests --bin careline-loadgen -- \
//!     --url http://127.0.0.1:8080 --subscribers 10000 --mutations 50 --pid $(pgrep -n careline)
//! ```
//! See docs/BENCHMARKS.md.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

struct Args {
    urls: Vec<String>,
    subscribers: usize,
    mutations: usize,
    rate_per_second: u64,
    pids: Vec<u32>,
    supervisor: String,
    agent: String,
    password: String,
}

fn parse_args() -> Args {
    let mut args = Args {
        urls: Vec::new(),
        subscribers: 1000,
        mutations: 50,
        rate_per_second: 10,
        pids: Vec::new(),
        supervisor: "supervisor.a@careline.example".into(),
        agent: "agent.a1@careline.example".into(),
        password: "careline-demo-2026".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.urls.push(value()),
            "--subscribers" => args.subscribers = value().parse().expect("a number"),
            "--mutations" => args.mutations = value().parse().expect("a number"),
            "--rate" => args.rate_per_second = value().parse().expect("a number"),
            "--pid" => args.pids.push(value().parse().expect("a process id")),
            "--supervisor" => args.supervisor = value(),
            "--agent" => args.agent = value(),
            "--password" => args.password = value(),
            other => panic!("unknown flag {other}; see the file's header for usage"),
        }
    }
    if args.urls.is_empty() {
        args.urls.push("http://127.0.0.1:8080".into());
    }
    args
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// CPU time (user + system) the process has used, from `/proc/<pid>/stat`.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let per_second: u64 = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100);
    Some(Duration::from_millis(ticks * 1000 / per_second))
}

async fn login(client: &reqwest::Client, url: &str, email: &str, password: &str) -> String {
    let body: Value = client
        .post(format!("{url}/graphql"))
        .json(&json!({ "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            "variables": { "e": email, "p": password } }))
        .send()
        .await
        .expect("login request")
        .json()
        .await
        .expect("login response");
    body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("login failed: {body}"))
        .to_owned()
}

type Received = Arc<Mutex<Vec<(String, Instant)>>>;

async fn subscriber(
    url: String,
    token: String,
    received: Received,
    ready: Arc<tokio::sync::Barrier>,
) {
    let ws_url = url.replacen("http", "ws", 1) + "/graphql";
    let mut request = ws_url.into_client_request().expect("ws url");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    let send = |v: Value| Message::text(v.to_string());
    ws.send(send(
        json!({ "type": "connection_init", "payload": { "token": token } }),
    ))
    .await
    .expect("init");
    ws.send(send(json!({ "id": "q", "type": "subscribe", "payload": {
        "query": "subscription { queueUpdates { kind ticket { number } } }" } })))
        .await
        .expect("subscribe");
    ws.send(send(json!({ "type": "ping" })))
        .await
        .expect("ping");
    let mut waiting = true;
    let mut local = Vec::new();
    while let Some(Ok(message)) = ws.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        match value["type"].as_str() {
            Some("pong") if waiting => {
                waiting = false;
                ready.wait().await;
            }
            Some("next") => {
                let event = &value["payload"]["data"]["queueUpdates"];
                if event["kind"] == "CREATED" {
                    let number = event["ticket"]["number"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    local.push((number, Instant::now()));
                    if local.len() % 16 == 0 {
                        received.lock().await.append(&mut local);
                    }
                }
            }
            Some("complete") => break,
            _ => {}
        }
        if value["type"] == "next" && !local.is_empty() {
            received.lock().await.append(&mut local);
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let client = reqwest::Client::new();
    let supervisor = login(&client, &args.urls[0], &args.supervisor, &args.password).await;
    let agent = login(&client, &args.urls[0], &args.agent, &args.password).await;
    let rss_before: Vec<Option<u64>> = args.pids.iter().map(|p| rss_kib(*p)).collect();

    let received: Received = Arc::new(Mutex::new(Vec::new()));
    let ready = Arc::new(tokio::sync::Barrier::new(args.subscribers + 1));
    let started = Instant::now();
    for i in 0..args.subscribers {
        let url = args.urls[i % args.urls.len()].clone();
        tokio::spawn(subscriber(
            url,
            supervisor.clone(),
            received.clone(),
            ready.clone(),
        ));
        if i % 200 == 199 {
            // Pace the handshakes so the listen backlog is not overrun.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    ready.wait().await;
    let connect_time = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after: Vec<Option<u64>> = args.pids.iter().map(|p| rss_kib(*p)).collect();

    let cpu_before: Vec<Option<Duration>> = args.pids.iter().map(|p| cpu_time(*p)).collect();
    let mut sent: HashMap<String, Instant> = HashMap::new();
    let interval = Duration::from_micros(1_000_000 / args.rate_per_second.max(1));
    for i in 0..args.mutations {
        let t0 = Instant::now();
        let body: Value = client
            .post(format!("{}/graphql", args.urls[0]))
            .bearer_auth(&agent)
            .json(&json!({ "query": "mutation($i: CreateTicketInput!) { createTicket(input: $i) { number } }",
                "variables": { "i": { "kind": "INQUIRY", "channel": "PHONE", "subject": format!("Load {i}"),
                    "description": "load test", "customer": { "name": "Load Test", "phone": "13800000000" } } } }))
            .send()
            .await
            .expect("mutation")
            .json()
            .await
            .expect("mutation response");
        let number = body["data"]["createTicket"]["number"]
            .as_str()
            .unwrap_or_else(|| panic!("mutation failed: {body}"))
            .to_owned();
        sent.insert(number, t0);
        tokio::time::sleep(interval.saturating_sub(t0.elapsed())).await;
    }
    // Let the last events arrive.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let cpu_after: Vec<Option<Duration>> = args.pids.iter().map(|p| cpu_time(*p)).collect();

    let received = received.lock().await;
    let mut latencies: Vec<Duration> = Vec::with_capacity(received.len());
    let mut per_number: HashMap<&str, usize> = HashMap::new();
    for (number, at) in received.iter() {
        if let Some(t0) = sent.get(number) {
            latencies.push(at.duration_since(*t0));
            *per_number.entry(number.as_str()).or_default() += 1;
        }
    }
    latencies.sort();
    let expected = args.subscribers * args.mutations;
    let duplicates: usize = per_number
        .values()
        .map(|c| c.saturating_sub(args.subscribers))
        .sum();
    let delivered = latencies.len() - duplicates;
    println!("instances            {}", args.urls.len());
    println!("subscribers          {}", args.subscribers);
    println!("connect + subscribe  {:.2?}", connect_time);
    println!("mutations            {}", args.mutations);
    println!("events expected      {expected}");
    println!("events delivered     {delivered}");
    println!(
        "events lost          {}",
        expected.saturating_sub(delivered)
    );
    println!("duplicates           {duplicates}");
    println!("latency p50          {:.2?}", percentile(&latencies, 0.50));
    println!("latency p99          {:.2?}", percentile(&latencies, 0.99));
    println!(
        "latency max          {:.2?}",
        latencies.last().copied().unwrap_or_default()
    );
    let cpu: Duration = cpu_before
        .iter()
        .zip(&cpu_after)
        .filter_map(|(before, after)| Some(after.as_ref()?.saturating_sub(*before.as_ref()?)))
        .sum();
    if !args.pids.is_empty() && delivered > 0 {
        println!(
            "server CPU           {:.2?} while delivering ({:.1} ms per 1,000 frames)",
            cpu,
            cpu.as_secs_f64() * 1000.0 * 1000.0 / delivered as f64
        );
    }
    for (i, pid) in args.pids.iter().enumerate() {
        if let (Some(before), Some(after)) = (rss_before[i], rss_after[i]) {
            let per = (after.saturating_sub(before) as f64)
                / (args.subscribers as f64 / args.pids.len() as f64);
            println!(
                "server {pid} RSS       {before} KiB -> {after} KiB ({per:.1} KiB per subscriber)"
            );
        }
    }
}
