//! A real browser: headless Chromium opens the GraphiQL explorer served by the binary and
//! renders it, and the explorer reads the schema (the standard introspection query succeeds).
//! Needs Chromium, which `.ci/run` installs; run with `cargo test -p careline-tests -- --ignored`.

use careline_tests::TestApp;
use std::process::Command;
use std::time::Duration;

fn chromium() -> String {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("this test needs Chromium (Debian's `chromium` package; .ci/run installs it)")
        .to_owned()
}

#[tokio::test]
#[ignore = "needs Chromium; .ci/run installs it and runs the ignored tests"]
async fn graphiql_renders_from_the_binary_and_reads_the_schema() {
    let browser = chromium();
    let app = TestApp::spawn().await;
    let url = format!("{}/graphiql", app.address);
    let profile = tempfile::tempdir().expect("a profile directory");
    let dom = tokio::task::spawn_blocking(move || {
        Command::new(browser)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                // Anything not on this server fails, as on a floor without internet access.
                "--proxy-server=http://127.0.0.1:9",
                "--proxy-bypass-list=127.0.0.1",
                "--virtual-time-budget=15000",
                &format!("--user-data-dir={}", profile.path().display()),
                "--dump-dom",
                &url,
            ])
            .output()
            .expect("chromium runs")
    })
    .await
    .expect("the browser task");
    let html = String::from_utf8_lossy(&dom.stdout);
    assert!(
        html.contains("graphiql-container") && html.contains("graphiql-editor"),
        "GraphiQL did not render: {html}"
    );
    // The explorer asked for the schema as soon as it loaded, and got it.
    let mut introspected = false;
    for _ in 0..20 {
        let metrics = app
            .client
            .get(format!("{}/metrics", app.address))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        introspected = metrics.lines().any(|l| {
            l.starts_with(
                "careline_graphql_requests_total{operation=\"IntrospectionQuery\",outcome=\"ok\"}",
            )
        });
        if introspected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(introspected, "GraphiQL did not read the schema");
}
