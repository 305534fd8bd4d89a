//! Email import benchmark (issue 28): N plain messages dropped into a private Dovecot, one
//! mailbox polled until all are filed, on the embedded default (SQLite + in-process bus)
//! unless `TEST_DATABASE_URL` says otherwise. For comparison in the same run, the same number
//! of messages posted one after another to `POST /inbound/email/{mailboxId}` (the same import
//! path without IMAP), into a second mailbox.
//!
//! ```text
//! cargo run --release -p careline-tests --bin careline-mail-bench -- 1000
//! ```
//! Needs `dovecot-imapd` (`.ci/run` installs it) and root (Dovecot's own rule for a private
//! instance). Prints seconds and messages per second for each path. See docs/BENCHMARKS.md.

use careline_tests::TestApp;
use careline_tests::kit::{MANAGER, ok};
use careline_tests::mail::Dovecot;
use serde_json::json;
use std::time::Instant;

const SECRET: &str = "mail-bench-secret-0123456789";

fn message(i: usize, domain: &str) -> String {
    // One sender per message: the flood limit (20 an hour from one sender) is not measured.
    format!(
        "From: Customer {i} <customer{i}@{domain}>\r\nTo: service@careline.test\r\nSubject: Question number {i}\r\nMessage-ID: <bench-{i}-{}@{domain}>\r\nDate: Mon, 7 Dec 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello, my water purifier shows a red light (message {i}).\r\nWhat should I do?\r\n",
        uuid::Uuid::new_v4()
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1000);
    let imap = Dovecot::start_with_users(&[("service", "bench-pass")]);
    for i in 0..n {
        imap.deliver("service", message(i, "imap.example").as_bytes());
    }
    let app = TestApp::spawn_with(|s| {
        s.inbound_email_secret = Some(careline_api::config::Secret(SECRET.to_owned()));
    })
    .await;
    let manager = app.login(MANAGER).await;
    let create = "mutation($i: MailboxInput!) { createMailbox(input: $i) { id } }";
    let imap_box = ok(
        &app,
        &manager,
        create,
        json!({ "i": { "name": "IMAP", "address": "service@careline.test",
            "imapUrl": imap.imap_url("service"), "imapPassword": "bench-pass" } }),
    )
    .await["createMailbox"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let http_box = ok(
        &app,
        &manager,
        create,
        json!({ "i": { "name": "HTTP", "address": "inbound@careline.test",
            "imapUrl": "imap://inbound@127.0.0.1:1/INBOX" } }),
    )
    .await["createMailbox"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let poll = "mutation($id: ID!) { pollMailbox(id: $id) { imported ignored lastError } }";
    let started = Instant::now();
    loop {
        let polled = ok(&app, &manager, poll, json!({ "id": imap_box })).await;
        let m = &polled["pollMailbox"];
        if let Some(error) = m["lastError"].as_str() {
            anyhow::bail!("the poll failed: {error}");
        }
        if m["imported"].as_u64().unwrap_or_default() as usize >= n {
            break;
        }
    }
    let imap_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    for i in 0..n {
        let raw = message(i, "http.example");
        let response = app
            .client
            .post(format!("{}/inbound/email/{http_box}", app.address))
            .header(
                "X-Careline-Signature",
                careline_api::app::outbound::sign(SECRET.as_bytes(), raw.as_bytes()),
            )
            .body(raw)
            .send()
            .await?;
        anyhow::ensure!(response.status().as_u16() == 202, "the post was refused");
    }
    let http_secs = started.elapsed().as_secs_f64();
    let database = if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let report = |what: &str, secs: f64| {
        format!(
            "{what:<38} {n} messages in {secs:6.2} s = {:7.1} messages/s ({:.2} ms each)",
            n as f64 / secs,
            secs * 1000.0 / n as f64
        )
    };
    let lines = [
        format!("email import on {database}, {n} plain messages"),
        report("IMAP poll (Dovecot, one mailbox)", imap_secs),
        report("POST /inbound/email, one at a time", http_secs),
    ];
    // The figures are this program's output.
    #[expect(clippy::print_stdout, reason = "a benchmark prints its figures")]
    for line in lines {
        println!("{line}");
    }
    Ok(())
}
