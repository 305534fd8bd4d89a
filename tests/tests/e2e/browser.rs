//! A real browser: headless Chromium opens the GraphiQL explorer served by the binary and
//! renders it, and the explorer reads the schema (the standard introspection query succeeds);
//! and it runs an SPA page built on Apollo Client with a graphql-ws link
//! (`tests/clients/browser/`, bundled here by esbuild from `tests/clients/package-lock.json`)
//! that signs in, lists tickets and hears a `queueUpdates` event after a mutation.
//! Needs Chromium and `npm ci --prefix tests/clients`, which `.ci/run` does; run with
//! `cargo test -p careline-tests -- --ignored`.

use actix_web::{App, HttpResponse, HttpServer, web};
use careline_tests::TestApp;
use careline_tests::kit::{ADMIN, wait_until};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::sync::mpsc;

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
    let introspected = wait_until(Duration::from_secs(5), async || {
        let metrics = app
            .client
            .get(format!("{}/metrics", app.address))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        metrics.lines().any(|l| {
            l.starts_with(
                "careline_graphql_requests_total{operation=\"IntrospectionQuery\",outcome=\"ok\"}",
            )
        })
    })
    .await;
    assert!(introspected, "GraphiQL did not read the schema");
}

/// The SPA page's files and where it reports.
struct Page {
    index: Vec<u8>,
    script: Vec<u8>,
    results: mpsc::Sender<String>,
}

async fn page_index(page: web::Data<Page>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.index.clone())
}

async fn page_script(page: web::Data<Page>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .body(page.script.clone())
}

async fn page_result(page: web::Data<Page>, body: String) -> HttpResponse {
    let _ = page.results.send(body).await;
    HttpResponse::NoContent().finish()
}

/// Bundles `tests/clients/browser/app.mjs` with the esbuild of the lockfile; returns the script.
fn bundle() -> Vec<u8> {
    let clients = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clients");
    let esbuild = clients.join("node_modules/.bin/esbuild");
    assert!(
        esbuild.is_file() && clients.join("node_modules/@apollo/client").is_dir(),
        "install the clients first: npm ci --prefix tests/clients (.ci/run does)"
    );
    let out = tempfile::tempdir().expect("a build directory");
    let script = out.path().join("app.js");
    let built = Command::new(esbuild)
        .current_dir(&clients)
        .args([
            "browser/app.mjs",
            "--bundle",
            "--format=iife",
            "--platform=browser",
            "--target=es2020",
            "--minify",
            "--define:process.env.NODE_ENV=\"production\"",
            "--define:globalThis.__DEV__=false",
            "--log-level=warning",
            &format!("--outfile={}", script.display()),
        ])
        .output()
        .expect("esbuild runs");
    assert!(
        built.status.success(),
        "esbuild failed: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    std::fs::read(script).expect("the bundle")
}

#[tokio::test]
#[ignore = "needs Chromium and npm ci --prefix tests/clients; .ci/run installs both and runs the ignored tests"]
async fn apollo_client_in_a_browser_page_signs_in_lists_tickets_and_hears_a_queue_update() {
    let browser = chromium();
    let script = bundle();
    let index =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clients/browser/index.html"))
            .expect("index.html");
    let app = TestApp::spawn().await;

    // The page comes from its own origin, as an SPA's would: the API allows it by CORS (any
    // origin in development) and on the WebSocket upgrade.
    let (results, mut reported) = mpsc::channel(1);
    let page = web::Data::new(Page {
        index,
        script,
        results,
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(page.clone())
            .route("/", web::get().to(page_index))
            .route("/app.js", web::get().to(page_script))
            .route("/result", web::post().to(page_result))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .expect("the page server binds");
    let port = server.addrs()[0].port();
    let server = server.run();
    let server_handle = server.handle();
    tokio::spawn(server);

    let url = format!("http://127.0.0.1:{port}/?endpoint={}/graphql", app.address);
    let profile = tempfile::tempdir().expect("a profile directory");
    let mut chromium = Command::new(browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            // Anything not on this machine fails: the page and its libraries are all local.
            "--proxy-server=http://127.0.0.1:9",
            "--proxy-bypass-list=127.0.0.1",
            "--remote-debugging-port=0",
            &format!("--user-data-dir={}", profile.path().display()),
            &url,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let result = tokio::time::timeout(Duration::from_secs(60), reported.recv()).await;
    let _ = chromium.kill();
    let _ = chromium.wait();
    server_handle.stop(true).await;

    let result = result
        .expect("the page reported within 60 s")
        .expect("a report");
    let seen: serde_json::Value = serde_json::from_str(&result).expect("the page reports JSON");
    assert!(seen.get("error").is_none(), "the page failed: {seen}");
    assert!(
        seen["userAgent"]
            .as_str()
            .is_some_and(|ua| ua.contains("Chrome")),
        "{seen}"
    );
    assert!(seen["tickets"].as_i64() > Some(0), "{seen}");
    assert!(seen["firstTicket"].is_string(), "{seen}");
    assert_eq!(seen["event"]["kind"], "CREATED", "{seen}");
    assert_eq!(seen["event"]["ticket"]["number"], seen["created"], "{seen}");
    // The server saw it: the ticket exists.
    let admin = app.login(ADMIN).await;
    let found = app
        .gql(
            Some(&admin),
            "query($n: String!) { ticketByNumber(number: $n) { subject } }",
            serde_json::json!({ "n": seen["created"] }),
        )
        .await;
    assert_eq!(
        found["data"]["ticketByNumber"]["subject"], "Asked from a browser",
        "{found}"
    );
}
