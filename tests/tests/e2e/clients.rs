//! Real clients against the real server, as SPA dashboards and mobile apps use it: the
//! graphql-http audit suite (GraphQL over HTTP), Apollo Client with a graphql-ws link, and
//! Python's gql client over HTTP and graphql-ws.
//! Needs Node with `tests/clients/node_modules` (`npm ci --prefix tests/clients`) and
//! `tests/clients/.venv` (`pip install -r tests/clients/requirements.txt`), which `.ci/run`
//! installs from their lockfiles; run with `cargo test -p careline-tests -- --ignored`.

use careline_tests::TestApp;
use std::path::PathBuf;
use std::process::{Command, Output};

fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clients")
}

/// Runs `program script <graphql url>` in `tests/clients` against a fresh server.
async fn run_client(program: PathBuf, script: &str) -> Output {
    let dir = clients_dir();
    assert!(
        dir.join("node_modules/graphql-http").is_dir() && dir.join(".venv/bin/python").is_file(),
        "install the clients first: npm ci --prefix tests/clients; python3 -m venv \
         tests/clients/.venv; tests/clients/.venv/bin/pip install -r tests/clients/requirements.txt \
         (.ci/run does)"
    );
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.address);
    let script = script.to_owned();
    tokio::task::spawn_blocking(move || {
        Command::new(program)
            .arg(script)
            .arg(&url)
            .current_dir(dir)
            .output()
            .expect("the client runs")
    })
    .await
    .expect("the client task")
}

fn succeeded(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The sign-in, ticket list and queue event a flow script reports as one JSON line.
fn check_flow(stdout: &str) {
    let seen: serde_json::Value =
        serde_json::from_str(stdout.trim()).expect("one JSON line from the client");
    assert!(seen["tickets"].as_i64() > Some(0), "{seen}");
    assert_eq!(seen["event"]["kind"], "CREATED", "{seen}");
    assert_eq!(seen["event"]["ticket"]["number"], seen["created"], "{seen}");
}

#[tokio::test]
#[ignore = "needs the client dependencies; .ci/run installs them and runs the ignored tests"]
async fn the_graphql_over_http_audit_finds_no_error_and_no_warning() {
    let report = succeeded(&run_client("node".into(), "audit.mjs").await);
    println!("{report}");
    assert!(report.contains(" 0 warnings, 0 errors"), "{report}");
}

#[tokio::test]
#[ignore = "needs the client dependencies; .ci/run installs them and runs the ignored tests"]
async fn apollo_client_signs_in_lists_tickets_and_hears_a_queue_event() {
    check_flow(&succeeded(&run_client("node".into(), "apollo.mjs").await));
}

#[tokio::test]
#[ignore = "needs the client dependencies; .ci/run installs them and runs the ignored tests"]
async fn python_gql_signs_in_lists_tickets_and_hears_a_queue_event() {
    let python = clients_dir().join(".venv/bin/python");
    check_flow(&succeeded(&run_client(python, "flow.py").await));
}
