//! Real clients against the real server: the graphql-http audit suite (GraphQL over HTTP) and
//! Python's gql client over HTTP and graphql-ws.
//! Needs Node with `tests/clients/node_modules` (`npm ci --prefix tests/clients`) and
//! `tests/clients/.venv` (`pip install -r tests/clients/requirements.txt`), which
//! `.ci/run` installs from the lockfile; run with `cargo test -p careline-tests -- --ignored`.

use careline_tests::TestApp;
use std::path::PathBuf;
use std::process::Command;

fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clients")
}

#[tokio::test]
#[ignore = "needs Node and tests/clients/node_modules; .ci/run installs them and runs the ignored tests"]
async fn the_graphql_over_http_audit_finds_no_error_and_no_warning() {
    let dir = clients_dir();
    assert!(
        dir.join("node_modules/graphql-http").is_dir(),
        "run `npm ci --prefix tests/clients` first (.ci/run does)"
    );
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.address);
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("audit.mjs")
            .arg(&url)
            .current_dir(dir)
            .output()
            .expect("node runs")
    })
    .await
    .expect("the audit task");
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");
    assert!(
        output.status.success(),
        "the audit found errors or warnings:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains(" 0 warnings, 0 errors"), "{report}");
}

#[tokio::test]
#[ignore = "needs tests/clients/.venv (Python gql); .ci/run installs it and runs the ignored tests"]
async fn python_gql_signs_in_lists_tickets_and_hears_a_queue_event() {
    let python = clients_dir().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "create tests/clients/.venv from tests/clients/requirements.txt first (.ci/run does)"
    );
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.address);
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg("flow.py")
            .arg(&url)
            .current_dir(clients_dir())
            .output()
            .expect("python runs")
    })
    .await
    .expect("the client task");
    assert!(
        output.status.success(),
        "the Python client failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON line from flow.py");
    assert!(seen["tickets"].as_i64() > Some(0), "{seen}");
    assert_eq!(seen["event"]["kind"], "CREATED", "{seen}");
    assert_eq!(seen["event"]["ticket"]["number"], seen["created"], "{seen}");
}
