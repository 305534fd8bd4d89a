//! Stored files end to end: uploads over the GraphQL multipart request spec (what
//! apollo-upload-client and the mobile clients send), type sniffing, the size limit, signed
//! download links, who may read a file, claiming files as evidence, the purge of files nobody
//! attached, S3-compatible storage (moto) and apollo-upload-client itself.

use careline_tests::kit::{ALICE, HAN_MEIMEI, LI_LEI, free_port, set_clock, tick, wait_for_port};
use careline_tests::{TestApp, data, error_code};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Duration;

const UPLOAD: &str = "mutation($f: Upload!) { uploadFile(file: $f) {
    id fileName contentType sizeBytes sha256 url } }";

const FILE: &str = "query($id: ID!) { file(id: $id) { id fileName url } }";

/// The first bytes of a PNG: enough for the sniffer, and a real image header.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    bytes.extend_from_slice(&[0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0, b'I', b'E', b'N', b'D']);
    bytes
}

/// A Linux executable's header.
fn elf() -> Vec<u8> {
    let mut bytes = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0".to_vec();
    bytes.resize(128, 0);
    bytes
}

/// A ZIP archive that is no office document.
fn zip() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0".to_vec();
    bytes.extend_from_slice(b"\0\0\0\0\0\0\0\0\0\0\0\0\x08\0\0\0payload.bin");
    bytes.resize(200, 7);
    bytes
}

/// POSTs `uploadFile` as a GraphQL multipart request (operations, map, one file part).
async fn upload_response(
    app: &TestApp,
    token: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let operations = json!({ "query": UPLOAD, "variables": { "f": null } });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.f"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str("application/octet-stream")
                .expect("a media type"),
        );
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .multipart(form);
    request = match token {
        Some(token) => request.bearer_auth(token),
        None => request.header("apollo-require-preflight", "true"),
    };
    request.send().await.expect("the upload is sent")
}

async fn upload_body(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> Value {
    let response = upload_response(app, Some(token), name, bytes).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("a JSON answer")
}

/// Uploads a file that must be accepted; answers its `StoredFile`.
async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> Value {
    data(&upload_body(app, token, name, bytes).await)["uploadFile"].clone()
}

fn absolute(app: &TestApp, url: &Value) -> String {
    format!("{}{}", app.address, url.as_str().expect("a url"))
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_png_named_txt_is_stored_as_a_png_with_its_hash_and_downloads_by_its_link_alone() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let bytes = png();
    let file = upload(&app, &li, "../fakepath/notes.txt", bytes.clone()).await;
    assert_eq!(file["contentType"], "image/png", "{file}");
    assert_eq!(file["fileName"], "notes.txt", "{file}");
    assert_eq!(file["sizeBytes"], bytes.len(), "{file}");
    assert_eq!(file["sha256"], hex_sha256(&bytes), "{file}");
    let url = file["url"].as_str().expect("a url");
    assert!(
        url.starts_with(&format!(
            "/files/{}?exp=",
            file["id"].as_str().unwrap_or_default()
        )),
        "{url}"
    );

    // No token: the signature is the permission.
    let response = reqwest::get(absolute(&app, &file["url"]))
        .await
        .expect("download");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename*=UTF-8''notes.txt"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "private, no-store");
    assert_eq!(response.bytes().await.expect("the bytes").to_vec(), bytes);

    // The bytes are kept under the id, not the client's name.
    let kept: Vec<String> = std::fs::read_dir(app.files_dir.path())
        .expect("the store's directory")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(
        kept,
        vec![file["id"].as_str().unwrap_or_default().to_owned()]
    );
}

#[tokio::test]
async fn executables_unknown_archives_and_binary_junk_are_refused_but_text_and_pdf_are_kept() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    for (name, bytes) in [
        ("photo.png", elf()),
        ("evidence.zip", zip()),
        ("notes.txt", b"text\0with a NUL".to_vec()),
    ] {
        let body = upload_body(&app, &li, name, bytes).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{name}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "file", "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("images, PDF"), "{message}");
    }
    let text = upload(
        &app,
        &li,
        "notes.txt",
        "订单 12345 的发票".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(text["contentType"], "text/plain; charset=utf-8");
    let pdf = upload(
        &app,
        &li,
        "invoice",
        b"%PDF-1.7\n%\xe2\xe3\n1 0 obj".to_vec(),
    )
    .await;
    assert_eq!(pdf["contentType"], "application/pdf");
    // Nothing refused was kept.
    let kept = std::fs::read_dir(app.files_dir.path())
        .expect("the store's directory")
        .count();
    assert_eq!(kept, 2);
}

#[tokio::test]
async fn a_file_over_max_file_bytes_gets_413_and_json_bodies_keep_their_1_mib_limit() {
    let app = TestApp::spawn_with(|s| s.max_file_bytes = 1024).await;
    let li = app.login(LI_LEI).await;
    // Over the body limit (the file limit plus room for the operations)...
    let mut big = png();
    big.resize(200 * 1024, 0);
    // ...and within it, but over the file limit.
    let mut slightly = png();
    slightly.resize(2048, 0);
    for bytes in [big, slightly] {
        let response = upload_response(&app, Some(&li), "big.png", bytes).await;
        assert_eq!(response.status(), 413);
        let body: Value = response.json().await.expect("a JSON answer");
        assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("1024 bytes"), "{message}");
    }
    let mut fits = png();
    fits.resize(1024, 0);
    upload(&app, &li, "fits.png", fits).await;
    // A JSON body over 1 MiB is still refused as before.
    let padding = "x".repeat(1024 * 1024 + 10);
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": "{ __typename }", "variables": { "p": padding } }))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("a JSON answer");
    assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
}

#[tokio::test]
async fn uploads_need_a_signed_in_caller_and_a_header_no_html_form_can_send() {
    let app = TestApp::spawn().await;
    let anonymous = upload_response(&app, None, "a.png", png()).await;
    let body: Value = anonymous.json().await.expect("a JSON answer");
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");

    // A cross-site HTML form can post multipart/form-data without a preflight: refused.
    let form = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({ "query": "{ __typename }" }).to_string(),
        )
        .text("map", "{}");
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .multipart(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("a JSON answer");
    assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
}

#[tokio::test]
async fn a_tampered_expired_or_unsigned_link_is_403_and_a_purged_file_404() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let file = upload(&app, &li, "a.png", png()).await;
    let url = absolute(&app, &file["url"]);
    let (base, query) = url.split_once('?').expect("a query");
    let exp: i64 = query
        .split('&')
        .find_map(|p| p.strip_prefix("exp="))
        .and_then(|v| v.parse().ok())
        .expect("exp");
    let sig = query
        .split('&')
        .find_map(|p| p.strip_prefix("sig="))
        .expect("sig");
    let mut flipped = sig.to_owned();
    let last = if sig.ends_with('0') { "1" } else { "0" };
    flipped.replace_range(sig.len() - 1.., last);
    for bad in [
        format!("{base}?exp={exp}&sig={flipped}"),
        format!("{base}?exp={}&sig={sig}", exp + 3600),
        format!("{base}?exp={exp}"),
        format!("{base}?exp={exp}&sig=not-hex"),
        base.to_owned(),
    ] {
        let response = reqwest::get(&bad).await.expect("sent");
        assert_eq!(response.status(), 403, "{bad}");
        let body: Value = response.json().await.expect("a JSON answer");
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    }
    assert_eq!(reqwest::get(&url).await.expect("sent").status(), 200);

    // Five minutes later the link no longer works.
    let now = app.state.app.now();
    set_clock(&app, now + chrono::Duration::minutes(6));
    assert_eq!(reqwest::get(&url).await.expect("sent").status(), 403);

    // A well-signed link to a file that does not exist: 404.
    let nobody = uuid::Uuid::now_v7();
    let link = app.state.app.files.link(nobody, app.state.app.now());
    let response = reqwest::get(format!("{}{link}", app.address))
        .await
        .expect("sent");
    assert_eq!(response.status(), 404);
}

const CREATE_WITH_FILES: &str = "mutation($i: CreateTicketInput!) { createTicket(input: $i) {
    id events { nodes { kind files { id fileName contentType sha256 url } } } } }";

fn own_ticket(file_ids: &[&Value]) -> Value {
    json!({ "i": { "kind": "AFTER_SALES", "channel": "MOBILE_APP", "subject": "Kettle leaks",
        "description": "It leaks from the base.", "fileIds": file_ids } })
}

#[tokio::test]
async fn only_the_uploader_reads_an_unattached_file_and_claims_refuse_anothers_alike() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let han = app.login(HAN_MEIMEI).await;
    let alice = app.login(ALICE).await;
    let file = upload(&app, &li, "receipt.png", png()).await;
    let id = &file["id"];

    let own = data(&app.gql(Some(&li), FILE, json!({ "id": id })).await)["file"].clone();
    assert_eq!(own["id"], *id);
    for other in [&han, &alice] {
        let seen = app.gql(Some(other), FILE, json!({ "id": id })).await;
        assert_eq!(data(&seen)["file"], Value::Null, "{seen}");
    }
    let anonymous = app.gql(None, FILE, json!({ "id": id })).await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));

    // Someone else's file and a file that does not exist are refused with the same words.
    let stolen = app
        .gql(Some(&han), CREATE_WITH_FILES, own_ticket(&[id]))
        .await;
    let unknown_id = json!(uuid::Uuid::now_v7().to_string());
    let unknown = app
        .gql(Some(&han), CREATE_WITH_FILES, own_ticket(&[&unknown_id]))
        .await;
    for refused in [&stolen, &unknown] {
        assert_eq!(error_code(refused), Some("BAD_USER_INPUT"), "{refused}");
        assert_eq!(refused["errors"][0]["extensions"]["field"], "input.fileIds");
    }
    assert_eq!(
        stolen["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    let twice = app
        .gql(Some(&li), CREATE_WITH_FILES, own_ticket(&[id, id]))
        .await;
    assert_eq!(error_code(&twice), Some("BAD_USER_INPUT"), "{twice}");
}

#[tokio::test]
async fn intake_and_added_evidence_carry_files_to_the_timeline_for_those_who_read_the_ticket() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let han = app.login(HAN_MEIMEI).await;
    let sam = app.login(careline_tests::kit::SAM).await;
    let photo = upload(&app, &li, "leak.png", png()).await;
    let created = app
        .gql(Some(&li), CREATE_WITH_FILES, own_ticket(&[&photo["id"]]))
        .await;
    let ticket = data(&created)["createTicket"].clone();
    let first = &ticket["events"]["nodes"][0];
    assert_eq!(first["kind"], "CREATED", "{ticket}");
    assert_eq!(first["files"][0]["id"], photo["id"], "{ticket}");
    assert_eq!(first["files"][0]["contentType"], "image/png");
    let link = absolute(&app, &first["files"][0]["url"]);
    assert_eq!(reqwest::get(&link).await.expect("sent").status(), 200);

    // Attached: whoever reads the ticket reads the file; others still see nothing.
    let lead = app
        .gql(Some(&sam), FILE, json!({ "id": photo["id"] }))
        .await;
    assert_eq!(data(&lead)["file"]["id"], photo["id"], "{lead}");
    let other = app
        .gql(Some(&han), FILE, json!({ "id": photo["id"] }))
        .await;
    assert_eq!(data(&other)["file"], Value::Null);
    // An attached file cannot be claimed again...
    let again = app
        .gql(Some(&li), CREATE_WITH_FILES, own_ticket(&[&photo["id"]]))
        .await;
    assert_eq!(error_code(&again), Some("BAD_USER_INPUT"), "{again}");
    // ...and a request that claimed it before the other attached it changes nothing.
    let photo_id: uuid::Uuid = photo["id"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .expect("id");
    let ticket_id: uuid::Uuid = ticket["id"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .expect("id");
    let late = careline_api::app::files::attach(
        &app.state.app.db,
        &[photo_id],
        ticket_id,
        None,
        app.state.app.now(),
    )
    .await
    .map_err(|e| e.code());
    assert_eq!(late, Err("CONFLICT"));

    // Evidence added later, by file only.
    let manual = upload(&app, &li, "manual.pdf", b"%PDF-1.4\n".to_vec()).await;
    let added = app
        .gql(
            Some(&li),
            "mutation($id: ID!, $f: [ID!]) { addAttachments(id: $id, attachments: [], fileIds: $f) {
                events { nodes { kind message files { id fileName } } } } }",
            json!({ "id": ticket["id"], "f": [manual["id"]] }),
        )
        .await;
    let events = data(&added)["addAttachments"]["events"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let entry = events
        .iter()
        .find(|e| e["kind"] == "ATTACHMENTS_ADDED")
        .unwrap_or_else(|| panic!("{added}"));
    assert_eq!(entry["files"][0]["id"], manual["id"], "{entry}");
    assert!(
        entry["message"]
            .as_str()
            .unwrap_or_default()
            .contains("manual.pdf"),
        "{entry}"
    );
    // Another's file cannot be added as evidence.
    let hans = upload(&app, &han, "x.png", png()).await;
    let refused = app
        .gql(
            Some(&li),
            "mutation($id: ID!, $f: [ID!]) { addAttachments(id: $id, attachments: [], fileIds: $f) { id } }",
            json!({ "id": ticket["id"], "f": [hans["id"]] }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");
    assert_eq!(refused["errors"][0]["extensions"]["field"], "fileIds");
}

#[tokio::test]
async fn files_nobody_attached_are_purged_after_a_day_with_their_bytes() {
    let app = TestApp::spawn().await;
    let li = app.login(LI_LEI).await;
    let kept = upload(&app, &li, "kept.png", png()).await;
    let dropped = upload(&app, &li, "dropped.png", png()).await;
    let created = app
        .gql(Some(&li), CREATE_WITH_FILES, own_ticket(&[&kept["id"]]))
        .await;
    data(&created);
    let exists = |id: &Value| {
        app.files_dir
            .path()
            .join(id.as_str().unwrap_or_default())
            .exists()
    };
    assert!(exists(&kept["id"]) && exists(&dropped["id"]));

    // Not yet a day: nothing goes.
    tick(&app).await;
    assert!(exists(&dropped["id"]));
    let now = app.state.app.now();
    set_clock(&app, now + chrono::Duration::hours(25));
    tick(&app).await;
    assert!(
        !exists(&dropped["id"]),
        "the bytes of an unattached file are purged"
    );
    assert!(exists(&kept["id"]), "an attached file stays");
    let gone = app
        .gql(Some(&li), FILE, json!({ "id": dropped["id"] }))
        .await;
    assert_eq!(data(&gone)["file"], Value::Null);
    let still = app.gql(Some(&li), FILE, json!({ "id": kept["id"] })).await;
    assert_eq!(data(&still)["file"]["id"], kept["id"]);
    // A second instance's pass finds nothing left to do.
    assert_eq!(
        careline_api::app::files::purge_unattached(&app.state.app, app.state.app.now())
            .await
            .map_err(|e| e.code())
            .expect("purge"),
        0
    );
}

fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clients")
}

/// A moto S3 server on a free port, stopped on drop.
struct Moto(std::process::Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
#[ignore = "needs moto from tests/clients (.ci/run installs it)"]
async fn files_round_trip_through_s3_compatible_storage() {
    let moto_server = clients_dir().join(".venv/bin/moto_server");
    assert!(
        moto_server.is_file(),
        "moto is missing: tests/clients/.venv/bin/pip install -r tests/clients/requirements.txt (.ci/run does)"
    );
    let port = free_port();
    let moto = Moto(
        std::process::Command::new(&moto_server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("moto_server starts"),
    );
    assert!(
        wait_for_port(port, Duration::from_secs(30)),
        "moto did not listen"
    );
    let endpoint = format!("http://127.0.0.1:{port}");
    // moto keeps buckets in memory: make one.
    let made = reqwest::Client::new()
        .put(format!("{endpoint}/careline-files"))
        .send()
        .await
        .expect("create the bucket");
    assert!(made.status().is_success(), "{}", made.status());

    let app = TestApp::spawn_with(|s| {
        s.file_store = careline_api::app::files::StoreConfig::S3 {
            bucket: "careline-files".to_owned(),
            endpoint: Some(endpoint.clone()),
            access_key_id: Some("testing".to_owned()),
            secret_access_key: Some("testing".to_owned()),
            region: Some("us-east-1".to_owned()),
        };
    })
    .await;
    let li = app.login(LI_LEI).await;
    let bytes = "发票 no. 42\n".repeat(1000).into_bytes();
    let file = upload(&app, &li, "invoice.txt", bytes.clone()).await;
    assert_eq!(file["sha256"], hex_sha256(&bytes));
    let response = reqwest::get(absolute(&app, &file["url"]))
        .await
        .expect("download");
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.expect("bytes").to_vec(), bytes);
    // The object is in the bucket under the file's id, and nothing is in the local directory.
    let key = file["id"].as_str().unwrap_or_default().to_owned();
    let in_bucket = || careline_api::app::files::stored_bytes_exist(&app.state.app, &key);
    assert_eq!(in_bucket().await.map_err(|e| e.code()), Ok(true));
    assert_eq!(
        std::fs::read_dir(app.files_dir.path())
            .expect("dir")
            .count(),
        0
    );
    // The purge removes it from the bucket too.
    let now = app.state.app.now();
    set_clock(&app, now + chrono::Duration::hours(25));
    tick(&app).await;
    assert_eq!(in_bucket().await.map_err(|e| e.code()), Ok(false));
    drop(moto);
}

#[tokio::test]
#[ignore = "needs the client dependencies; .ci/run installs them and runs the ignored tests"]
async fn apollo_upload_client_uploads_a_file_that_downloads_intact() {
    let dir = clients_dir();
    assert!(
        dir.join("node_modules/apollo-upload-client").is_dir(),
        "install the clients first: npm ci --prefix tests/clients (.ci/run does)"
    );
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.address);
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg("upload.mjs")
            .arg(&url)
            .current_dir(dir)
            .output()
            .expect("node runs")
    })
    .await
    .expect("the client task");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_str(stdout.trim()).expect("one JSON line from the client");
    assert_eq!(seen["file"]["contentType"], "image/png", "{seen}");
    assert_eq!(seen["file"]["fileName"], "pixel.png", "{seen}");
    assert_eq!(seen["downloaded"], seen["file"]["sha256"], "{seen}");
    assert_eq!(seen["status"], 200, "{seen}");
}

#[tokio::test]
async fn photos_travel_with_a_customers_message_and_an_agents_reply_in_the_conversation() {
    use careline_tests::kit::{ACKNOWLEDGE, ALICE, CLAIM, HAN_MEIMEI, LI_LEI, ok};
    let app = TestApp::spawn().await;
    let customer = app.login(LI_LEI).await;
    let other = app.login(HAN_MEIMEI).await;
    let alice = app.login(ALICE).await;
    let created = ok(
        &app,
        &customer,
        "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }",
        json!({ "i": { "kind": "AFTER_SALES", "channel": "MOBILE_APP", "subject": "Broken screen",
            "description": "The screen cracked on delivery." } }),
    )
    .await;
    let ticket = created["createTicket"]["id"].clone();
    ok(&app, &alice, CLAIM, json!({ "id": ticket })).await;
    ok(&app, &alice, ACKNOWLEDGE, json!({ "id": ticket })).await;

    const POST: &str = "mutation($t: ID!, $b: String!, $f: [ID!]) {
        postCustomerMessage(ticketId: $t, body: $b, fileIds: $f) { id files { fileName contentType } } }";
    // Someone else's upload is refused like an unknown id, and nothing is written.
    let theirs = upload(&app, &other, "theirs.png", png()).await;
    let refused = app
        .gql(
            Some(&customer),
            POST,
            json!({ "t": ticket, "b": "see photo", "f": [theirs["id"]] }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");
    assert_eq!(refused["errors"][0]["extensions"]["field"], "fileIds");

    let photo = upload(&app, &customer, "screen.png", png()).await;
    let posted = ok(
        &app,
        &customer,
        POST,
        json!({ "t": ticket, "b": "Here is the photo.", "f": [photo["id"]] }),
    )
    .await;
    assert_eq!(
        posted["postCustomerMessage"]["files"],
        json!([{ "fileName": "screen.png", "contentType": "image/png" }])
    );
    // A file goes with one message only.
    let again = app
        .gql(
            Some(&customer),
            POST,
            json!({ "t": ticket, "b": "again", "f": [photo["id"]] }),
        )
        .await;
    assert_eq!(error_code(&again), Some("BAD_USER_INPUT"), "{again}");

    let manual = upload(
        &app,
        &alice,
        "manual.pdf",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec(),
    )
    .await;
    ok(
        &app,
        &alice,
        "mutation($i: ReplyInput!) { sendReply(input: $i) { id } }",
        json!({ "i": { "ticketId": ticket, "body": "Please follow the manual.", "fileIds": [manual["id"]] } }),
    )
    .await;

    // The conversation carries both, and the agent downloads the customer's photo by its link.
    let seen = ok(
        &app,
        &customer,
        "query($id: ID!) { ticket(id: $id) { conversation { nodes { kind files { fileName url } } } } }",
        json!({ "id": ticket }),
    )
    .await;
    let nodes = seen["ticket"]["conversation"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let with_files: Vec<(&str, &str)> = nodes
        .iter()
        .flat_map(|n| {
            n["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (n["kind"].as_str().unwrap(), f["fileName"].as_str().unwrap()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        with_files,
        [
            ("CUSTOMER_MESSAGE", "screen.png"),
            ("CUSTOMER_REPLY", "manual.pdf")
        ]
    );
    let as_agent = ok(
        &app,
        &alice,
        "query($id: ID!) { ticket(id: $id) { conversation { nodes { files { url } } } } }",
        json!({ "id": ticket }),
    )
    .await;
    let url = as_agent["ticket"]["conversation"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|n| {
            n["files"]
                .as_array()
                .unwrap()
                .first()
                .map(|f| f["url"].clone())
        })
        .unwrap();
    let downloaded = app.client.get(absolute(&app, &url)).send().await.unwrap();
    assert_eq!(downloaded.status(), 200);
    assert_eq!(downloaded.bytes().await.unwrap().to_vec(), png());
}
