//! The email channel (issue 28): mail posted by a provider (`POST /inbound/email/{mailboxId}`)
//! or read from a real Dovecot over IMAP (the ignored tests, which `.ci/run` runs) becomes
//! tickets or lands on the ticket it answers; robots, loops and floods are set aside; replies
//! go out through a real SMTP server from the mailbox's address, threaded.

use careline_tests::kit::{ALICE, CLAIM, MANAGER, ok, wait_until};
use careline_tests::mail::{Dovecot, SmtpSink};
use careline_tests::{TestApp, error_code};
use serde_json::{Value, json};
use std::time::Duration;

const SECRET: &str = "inbound-secret-0123456789";

const CREATE_MAILBOX: &str = "mutation($i: MailboxInput!) { createMailbox(input: $i) {
    id name address imapUrl smtpUrl team { id } defaultKind active lastPolledAt lastError imported ignored } }";
const UPDATE_MAILBOX: &str =
    "mutation($id: ID!, $i: MailboxInput!) { updateMailbox(id: $id, input: $i) {
    id name address imapUrl smtpUrl defaultKind active } }";
const POLL: &str =
    "mutation($id: ID!) { pollMailbox(id: $id) { id lastPolledAt lastError imported ignored } }";
const MAILBOXES: &str =
    "{ mailboxes { id name address imapUrl smtpUrl active lastError imported ignored } }";
const EMAIL_TICKETS: &str = "{ tickets(filter: { channel: [EMAIL] }, first: 50) { totalCount nodes {
    id number subject description kind status channel team { id }
    customer { id name email }
    events(first: 50) { nodes { kind message emailMessageId files { fileName } deliveries { channel status } } } } } }";
const REPLY: &str =
    "mutation($i: ReplyInput!) { sendReply(input: $i) { id kind deliveries { channel status } } }";

/// An RFC 5322 message.
fn mail(from: &str, subject: &str, body: &str, headers: &[(&str, &str)]) -> String {
    let mut m = format!(
        "From: {from}\r\nTo: Service <service@careline.test>\r\nSubject: {subject}\r\nDate: Mon, 7 Dec 2026 10:00:00 +0800\r\nMessage-ID: <{}@customer.example>\r\nMIME-Version: 1.0\r\n",
        uuid::Uuid::new_v4()
    );
    for (name, value) in headers {
        m.push_str(&format!("{name}: {value}\r\n"));
    }
    m.push_str("Content-Type: text/plain; charset=utf-8\r\n\r\n");
    m.push_str(&body.replace('\n', "\r\n"));
    m.push_str("\r\n");
    m
}

fn message_id_of(raw: &str) -> String {
    raw.lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap()
        .trim()
        .to_owned()
}

fn sign(body: &[u8]) -> String {
    careline_api::app::outbound::sign(SECRET.as_bytes(), body)
}

/// Posts `raw` as a provider would; the status and the JSON answer.
async fn post(app: &TestApp, mailbox: &str, raw: &[u8], signature: Option<String>) -> (u16, Value) {
    let mut request = app
        .client
        .post(format!("{}/inbound/email/{mailbox}", app.address))
        .header("content-type", "message/rfc822")
        .body(raw.to_vec());
    if let Some(sig) = signature {
        request = request.header("X-Careline-Signature", sig);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post_signed(app: &TestApp, mailbox: &str, raw: &str) -> Value {
    let (status, body) = post(app, mailbox, raw.as_bytes(), Some(sign(raw.as_bytes()))).await;
    assert_eq!(status, 202, "{body}");
    body
}

async fn inbound_app() -> TestApp {
    TestApp::spawn_with(|s| {
        s.inbound_email_secret = Some(careline_api::config::Secret(SECRET.to_owned()));
    })
    .await
}

/// A server taking posted mail, the manager's token, and a mailbox of the manager's whose
/// server is never reached (mail comes in through the webhook).
async fn inbound_with_mailbox() -> (TestApp, String, String) {
    let app = inbound_app().await;
    let manager = app.login(MANAGER).await;
    let mailbox = service_mailbox(
        &app,
        &manager,
        "imap://service@127.0.0.1:1/INBOX",
        "imap-pass",
    )
    .await;
    (app, manager, mailbox)
}

/// A mailbox (of the first team) connected by the manager; its id.
async fn service_mailbox(app: &TestApp, manager: &str, imap_url: &str, password: &str) -> String {
    let teams = ok(app, manager, "{ teams { id } }", json!({})).await;
    let team = teams["teams"][0]["id"].as_str().unwrap().to_owned();
    let created = ok(
        app,
        manager,
        CREATE_MAILBOX,
        json!({ "i": { "name": "客服中心 Service", "address": "Service@Careline.test",
            "imapUrl": imap_url, "imapPassword": password, "teamId": team } }),
    )
    .await;
    let m = &created["createMailbox"];
    assert_eq!(m["address"], "service@careline.test");
    assert_eq!(m["team"]["id"], team.as_str());
    assert_eq!(m["defaultKind"], "INQUIRY");
    assert_eq!(m["imported"], 0);
    m["id"].as_str().unwrap().to_owned()
}

/// The tickets that came in by mail (the demo's EMAIL tickets were typed in by agents, and the
/// mail we send about them has our own Message-IDs), oldest first.
async fn listed_mailbox(app: &TestApp, token: &str, id: &str) -> Value {
    ok(app, token, MAILBOXES, json!({})).await["mailboxes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .cloned()
        .expect("the mailbox is listed")
}

async fn email_tickets(app: &TestApp, token: &str) -> Vec<Value> {
    let mut mailed: Vec<Value> = ok(app, token, EMAIL_TICKETS, json!({})).await["tickets"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t["events"]["nodes"][0]["emailMessageId"]
                .as_str()
                .is_some_and(|id| !id.ends_with("@careline.test>"))
        })
        .cloned()
        .collect();
    mailed.sort_by_key(|t| t["number"].as_str().unwrap().to_owned());
    mailed
}

fn kinds_of(ticket: &Value) -> Vec<String> {
    ticket["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn mail_opens_a_ticket_and_the_customers_replies_land_on_it() {
    let (app, manager, mailbox) = inbound_with_mailbox().await;
    let first = mail(
        "Wang Fang <Wang.Fang@customer.example>",
        "Fwd: 净水器漏水 water purifier leaks",
        "It leaks from the bottom since Monday.\nOrder 20261201-77.",
        &[],
    );
    let answer = post_signed(&app, &mailbox, &first).await;
    assert_eq!(answer["status"], "FILED", "{answer}");
    let tickets = email_tickets(&app, &manager).await;
    assert_eq!(tickets.len(), 1);
    let t = &tickets[0];
    assert_eq!(t["subject"], "净水器漏水 water purifier leaks");
    assert!(
        t["description"]
            .as_str()
            .unwrap()
            .contains("Order 20261201-77.")
    );
    assert_eq!(t["kind"], "INQUIRY");
    assert_eq!(t["channel"], "EMAIL");
    assert!(t["team"]["id"].is_string(), "the mailbox's team: {t}");
    assert_eq!(t["customer"]["name"], "Wang Fang");
    assert_eq!(t["customer"]["email"], "wang.fang@customer.example");
    let created = &t["events"]["nodes"][0];
    assert_eq!(created["kind"], "CREATED");
    assert_eq!(created["emailMessageId"], message_id_of(&first).as_str());
    let number = t["number"].as_str().unwrap().to_owned();
    let ticket_id = t["id"].as_str().unwrap().to_owned();

    // A reply naming the first mail lands on the ticket, its quoted history cut.
    let reply = mail(
        "wang.fang@customer.example",
        "Re: 净水器漏水",
        "Also the light blinks red.\n\nOn Mon, 7 Dec 2026, Service wrote:\n> Thank you for writing",
        &[("In-Reply-To", &message_id_of(&first))],
    );
    assert_eq!(post_signed(&app, &mailbox, &reply).await["status"], "FILED");
    // A mail that names the ticket in its subject, from the customer's address, too.
    let tagged = mail(
        "wang.fang@customer.example",
        &format!("Photos [#{number}]"),
        "Here is more.",
        &[],
    );
    assert_eq!(
        post_signed(&app, &mailbox, &tagged).await["status"],
        "FILED"
    );
    // The same subject from someone else opens their own ticket instead.
    let stranger = mail(
        "someone.else@other.example",
        &format!("Photos [#{number}]"),
        "Not my ticket.",
        &[],
    );
    assert_eq!(
        post_signed(&app, &mailbox, &stranger).await["status"],
        "FILED"
    );

    let tickets = email_tickets(&app, &manager).await;
    assert_eq!(
        tickets.len(),
        2,
        "the stranger's mail is a ticket of its own"
    );
    let t = tickets
        .iter()
        .find(|t| t["id"] == ticket_id.as_str())
        .unwrap();
    let messages: Vec<&Value> = t["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "CUSTOMER_MESSAGE")
        .collect();
    assert_eq!(messages.len(), 2, "{:?}", kinds_of(t));
    assert_eq!(messages[0]["message"], "Also the light blinks red.");
    assert_eq!(
        messages[0]["emailMessageId"],
        message_id_of(&reply).as_str()
    );
    assert_eq!(messages[1]["message"], "Here is more.");

    // The same message again (a provider retrying) is accepted and not filed twice.
    assert_eq!(
        post_signed(&app, &mailbox, &reply).await["status"],
        "DUPLICATE"
    );
    let listed = listed_mailbox(&app, &manager, &mailbox).await;
    assert_eq!(listed["imported"], 4);
    assert_eq!(listed["ignored"], 0);
}

async fn status(app: &TestApp, token: &str, id: &str) -> String {
    ok(
        app,
        token,
        "query($id: ID!) { ticket(id: $id) { status } }",
        json!({ "id": id }),
    )
    .await["ticket"]["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_customer_answering_while_awaited_reopens_the_work_and_a_closed_ticket_gets_a_new_one() {
    let (app, manager, mailbox) = inbound_with_mailbox().await;
    let alice = app.login(ALICE).await;
    let first = mail("li.na@customer.example", "Warranty", "How long is it?", &[]);
    post_signed(&app, &mailbox, &first).await;
    let t = email_tickets(&app, &manager).await.remove(0);
    let id = t["id"].as_str().unwrap().to_owned();
    ok(&app, &alice, CLAIM, json!({ "id": id })).await;
    ok(
        &app,
        &alice,
        "mutation($id: ID!) { acknowledgeTicket(id: $id) { status } }",
        json!({ "id": id }),
    )
    .await;
    ok(
        &app,
        &alice,
        REPLY,
        json!({ "i": { "ticketId": id, "body": "Which model is it?", "waitForCustomer": true } }),
    )
    .await;
    assert_eq!(status(&app, &manager, &id).await, "PENDING_CUSTOMER");
    let answer = mail(
        "li.na@customer.example",
        "Re: Warranty",
        "AquaPure 3",
        &[("References", &message_id_of(&first))],
    );
    post_signed(&app, &mailbox, &answer).await;
    assert_eq!(
        status(&app, &manager, &id).await,
        "OPEN",
        "the customer answered"
    );
}

#[tokio::test]
async fn robots_bulk_mail_our_own_mail_and_floods_are_set_aside_and_never_answered() {
    let (app, manager, mailbox) = inbound_with_mailbox().await;
    let set_aside = [
        mail(
            "a@customer.example",
            "Out of office",
            "Back Monday.",
            &[("Auto-Submitted", "auto-replied")],
        ),
        mail(
            "b@customer.example",
            "Automatic reply",
            "Away.",
            &[("X-Auto-Response-Suppress", "All")],
        ),
        mail(
            "news@shop.example",
            "Deals",
            "50% off",
            &[("Precedence", "bulk")],
        ),
        mail(
            "list@lists.example",
            "Digest",
            "…",
            &[("List-Id", "<x.lists.example>")],
        ),
        mail(
            "MAILER-DAEMON@mx.example",
            "Undelivered Mail",
            "failed",
            &[],
        ),
        mail("service@careline.test", "Loop", "our own mail", &[]),
        mail(
            "noreply@careline.test",
            "Loop",
            "the server's own mail",
            &[],
        ),
        "this is not a message at all".to_owned(),
    ];
    for raw in &set_aside {
        let answer = post_signed(&app, &mailbox, raw).await;
        assert_eq!(answer["status"], "SET_ASIDE", "{raw}: {answer}");
        assert!(answer["reason"].is_string());
    }
    // A flood from one sender: the first 20 in an hour are filed, the rest set aside.
    for i in 0..22 {
        let raw = mail("flood@customer.example", &format!("Help {i}"), "again", &[]);
        let answer = post_signed(&app, &mailbox, &raw).await;
        let expected = if i < 20 { "FILED" } else { "SET_ASIDE" };
        assert_eq!(answer["status"], expected, "mail {i}: {answer}");
    }
    let listed = ok(&app, &manager, MAILBOXES, json!({})).await;
    assert_eq!(
        listed["mailboxes"][0]["ignored"],
        set_aside.len() as i64 + 2
    );
    assert_eq!(listed["mailboxes"][0]["imported"], 20);
    assert_eq!(email_tickets(&app, &manager).await.len(), 20);
}

#[tokio::test]
async fn one_mail_is_one_ticket_whatever_mailboxes_and_retries_it_comes_through() {
    let (app, manager, service) = inbound_with_mailbox().await;
    let sales = ok(
        &app,
        &manager,
        CREATE_MAILBOX,
        json!({ "i": { "name": "Sales", "address": "sales@careline.test",
            "imapUrl": "imap://sales@127.0.0.1:1/INBOX" } }),
    )
    .await["createMailbox"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // To: service, Cc: sales — both mailboxes receive it.
    let both = mail("cc@customer.example", "Both of you", "Hello", &[]);
    assert_eq!(post_signed(&app, &service, &both).await["status"], "FILED");
    assert_eq!(
        post_signed(&app, &sales, &both).await["status"],
        "DUPLICATE"
    );
    // No Message-ID at all: a provider's retry of the same bytes is still recognised.
    let bare = "From: bare@customer.example\r\nSubject: No id\r\n\r\nHello\r\n";
    assert_eq!(post_signed(&app, &service, bare).await["status"], "FILED");
    assert_eq!(
        post_signed(&app, &service, bare).await["status"],
        "DUPLICATE"
    );
    // A NUL in the text (PostgreSQL refuses it in text columns) is dropped, not fatal.
    let nul = mail(
        "nul@customer.example",
        "Zero\u{0}byte",
        "before\u{0}after",
        &[],
    );
    assert_eq!(post_signed(&app, &service, &nul).await["status"], "FILED");
    // Someone else naming a ticket's mail in In-Reply-To does not write on that ticket.
    let intruder = mail(
        "intruder@other.example",
        "Re: Both of you",
        "Let me in",
        &[("In-Reply-To", &message_id_of(&both))],
    );
    assert_eq!(
        post_signed(&app, &service, &intruder).await["status"],
        "FILED"
    );
    let tickets = email_tickets(&app, &manager).await;
    assert_eq!(tickets.len(), 4, "cc, bare, nul and the intruder's own");
    let cc = tickets
        .iter()
        .find(|t| t["customer"]["email"] == "cc@customer.example")
        .unwrap();
    assert_eq!(kinds_of(cc), ["CREATED"], "nothing else on the cc'd ticket");
    let nul = tickets
        .iter()
        .find(|t| t["customer"]["email"] == "nul@customer.example")
        .unwrap();
    assert_eq!(nul["subject"], "Zerobyte");
    assert_eq!(nul["description"], "beforeafter");
}

#[tokio::test]
async fn the_inbound_endpoint_checks_its_signature_size_and_switch() {
    let off = TestApp::spawn().await;
    let raw = mail("a@customer.example", "Hi", "Hello", &[]);
    let manager = off.login(MANAGER).await;
    let mailbox = service_mailbox(
        &off,
        &manager,
        "imap://service@127.0.0.1:1/INBOX",
        "imap-pass",
    )
    .await;
    let (status, _) = post(&off, &mailbox, raw.as_bytes(), Some(sign(raw.as_bytes()))).await;
    assert_eq!(status, 404, "no INBOUND_EMAIL_SECRET, no endpoint");

    let app = TestApp::spawn_with(|s| {
        s.inbound_email_secret = Some(careline_api::config::Secret(SECRET.to_owned()));
        s.mail.max_email_bytes = 64 * 1024;
    })
    .await;
    let manager = app.login(MANAGER).await;
    let mailbox = service_mailbox(
        &app,
        &manager,
        "imap://service@127.0.0.1:1/INBOX",
        "imap-pass",
    )
    .await;
    let (status, body) = post(&app, &mailbox, raw.as_bytes(), None).await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    let (status, _) = post(&app, &mailbox, raw.as_bytes(), Some(sign(b"another body"))).await;
    assert_eq!(status, 401);
    let huge = mail("a@customer.example", "Big", &"x".repeat(70 * 1024), &[]);
    let (status, _) = post(&app, &mailbox, huge.as_bytes(), Some(sign(huge.as_bytes()))).await;
    assert_eq!(status, 413);
    let unknown = uuid::Uuid::new_v4().to_string();
    let (status, _) = post(&app, &unknown, raw.as_bytes(), Some(sign(raw.as_bytes()))).await;
    assert_eq!(status, 404);
    assert!(email_tickets(&app, &manager).await.is_empty());
}

#[tokio::test]
async fn hostile_mail_is_imported_as_far_as_is_safe() {
    let (app, manager, mailbox) = inbound_with_mailbox().await;
    // A subject of 100 kB, a body in a broken encoding, an HTML-only body, 500 attachments.
    let long_subject = mail("s@customer.example", &"长".repeat(100_000), "body", &[]);
    assert_eq!(
        post_signed(&app, &mailbox, &long_subject).await["status"],
        "FILED"
    );
    let broken: &[u8] = b"From: e@customer.example\r\nSubject: =?utf-8?B?!!!?=\r\nMessage-ID: <broken@x>\r\nContent-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%% not base64 \xff\xfe\r\n";
    let (status, answer) = post(&app, &mailbox, broken, Some(sign(broken))).await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (202, Some("FILED")),
        "{answer}"
    );
    let html = "From: h@customer.example\r\nSubject: HTML only\r\nMessage-ID: <html@x>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>My <b>kettle</b> is broken</p><script>alert(1)</script></body></html>\r\n";
    assert_eq!(post_signed(&app, &mailbox, html).await["status"], "FILED");
    let mut many = String::from(
        "From: m@customer.example\r\nSubject: Many files\r\nMessage-ID: <many@x>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n",
    );
    // A kind the file store refuses comes first, then 500 text files.
    many.push_str("--B\r\nContent-Type: application/x-msdownload; name=\"run.exe\"\r\nContent-Disposition: attachment; filename=\"run.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==\r\n");
    for i in 0..500 {
        many.push_str(&format!(
            "--B\r\nContent-Type: text/plain; name=\"note{i}.txt\"\r\nContent-Disposition: attachment; filename=\"note{i}.txt\"\r\n\r\nnote {i}\r\n"
        ));
    }
    many.push_str("--B--\r\n");
    assert_eq!(post_signed(&app, &mailbox, &many).await["status"], "FILED");

    let tickets = email_tickets(&app, &manager).await;
    assert_eq!(tickets.len(), 4);
    let by_sender = |s: &str| {
        tickets
            .iter()
            .find(|t| t["customer"]["email"] == s)
            .unwrap_or_else(|| panic!("a ticket from {s}"))
    };
    assert_eq!(
        by_sender("s@customer.example")["subject"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        200
    );
    let html = by_sender("h@customer.example")["description"]
        .as_str()
        .unwrap();
    assert!(html.contains("kettle") && !html.contains("<b>"), "{html}");
    let many = by_sender("m@customer.example");
    let files = many["events"]["nodes"][0]["files"].as_array().unwrap();
    assert_eq!(files.len(), 10, "the first ten files are kept");
    let description = many["description"].as_str().unwrap();
    assert!(
        description.contains("[attachments not imported]"),
        "{description}"
    );
    assert!(
        description.contains("more beyond the first 10"),
        "{description}"
    );
    assert!(
        description.contains("run.exe: this kind of file is not accepted"),
        "the refused part is named with its reason: {description}"
    );
}

#[tokio::test]
async fn mailboxes_are_validated_and_their_passwords_never_come_back() {
    let app = inbound_app().await;
    let manager = app.login(MANAGER).await;
    let bad = |input: Value| {
        let (app, manager) = (&app, manager.clone());
        async move {
            let body = app
                .gql(Some(&manager), CREATE_MAILBOX, json!({ "i": input }))
                .await;
            (
                error_code(&body).map(str::to_owned),
                body["errors"][0]["extensions"]["field"].clone(),
            )
        }
    };
    let base = json!({ "name": "Service", "address": "service@careline.test",
        "imapUrl": "imaps://service@mail.example.com/INBOX" });
    let with = |k: &str, v: Value| {
        let mut i = base.clone();
        i[k] = v;
        i
    };
    for (input, field) in [
        (
            with("imapUrl", json!("imaps://service:hunter2@mail.example.com")),
            "input.imapUrl",
        ),
        (
            with("imapUrl", json!("http://service@mail.example.com")),
            "input.imapUrl",
        ),
        (
            with("imapUrl", json!("imaps://mail.example.com")),
            "input.imapUrl",
        ),
        (
            with("smtpUrl", json!("smtp://u:p@mail.example.com")),
            "input.smtpUrl",
        ),
        (with("address", json!("not an address")), "input.address"),
        (with("name", json!("")), "input.name"),
        (with("defaultKind", json!("PRAISE")), "input.defaultKind"),
        (
            with("teamId", json!(uuid::Uuid::new_v4().to_string())),
            "input.teamId",
        ),
    ] {
        let (code, got) = bad(input.clone()).await;
        assert_eq!(code.as_deref(), Some("BAD_USER_INPUT"), "{input}");
        assert_eq!(got, field, "{input}");
    }
    let created = ok(
        &app,
        &manager,
        CREATE_MAILBOX,
        json!({ "i": with("imapPassword", json!("hunter2-imap-secret")) }),
    )
    .await;
    let id = created["createMailbox"]["id"].as_str().unwrap().to_owned();
    let (code, _) = bad(base.clone()).await;
    assert_eq!(code.as_deref(), Some("CONFLICT"), "one mailbox per address");
    let updated = ok(
        &app,
        &manager,
        UPDATE_MAILBOX,
        json!({ "id": id, "i": with("defaultKind", json!("COMPLAINT")) }),
    )
    .await;
    assert_eq!(updated["updateMailbox"]["defaultKind"], "COMPLAINT");
    let listed = ok(&app, &manager, MAILBOXES, json!({})).await.to_string();
    assert!(!listed.contains("hunter2"), "{listed}");
    // Stored encrypted: the database holds no clear text either.
    let backend = app.state.app.db.get_database_backend();
    let rows = sea_orm::ConnectionTrait::query_all_raw(
        &app.state.app.db,
        sea_orm::Statement::from_string(
            backend,
            "SELECT imap_secret FROM mailboxes WHERE address = 'service@careline.test'",
        ),
    )
    .await
    .unwrap();
    let stored: Option<String> = rows[0].try_get("", "imap_secret").unwrap();
    let stored = stored.expect("a stored password");
    assert!(
        stored.starts_with("v1:") && !stored.contains("hunter2"),
        "{stored}"
    );
    // Agents may not see mailboxes at all.
    let alice = app.login(ALICE).await;
    let body = app.gql(Some(&alice), MAILBOXES, json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_poll_of_an_unreachable_server_says_so_in_last_error() {
    let app = inbound_app().await;
    let manager = app.login(MANAGER).await;
    let port = careline_tests::kit::free_port();
    let mailbox = service_mailbox(
        &app,
        &manager,
        &format!("imap://service@127.0.0.1:{port}/INBOX"),
        "imap-pass",
    )
    .await;
    let polled = ok(&app, &manager, POLL, json!({ "id": mailbox })).await;
    let m = &polled["pollMailbox"];
    assert!(m["lastPolledAt"].is_string());
    let error = m["lastError"].as_str().expect("a reason in words");
    assert!(error.contains("cannot connect"), "{error}");
    assert!(!error.contains("imap-pass"));
}

// ---------------------------------------------------------------------------------------------
// Against a real IMAP server (Dovecot) and a real SMTP server (aiosmtpd).

const MAIL_USER: &str = "service";
const MAIL_PASSWORD: &str = "dovecot-pass-4f9a1c";

fn dovecot() -> Dovecot {
    Dovecot::start_with_users(&[(MAIL_USER, MAIL_PASSWORD)])
}

/// The raw mails the sink received whose text contains `needle`.
fn received(sink: &SmtpSink, needle: &str) -> Vec<String> {
    sink.messages()
        .into_iter()
        .filter(|m| m.contains(needle))
        .collect()
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
        .map(str::trim)
}

#[tokio::test]
#[ignore = "needs dovecot-imapd and aiosmtpd (tests/clients/.venv); .ci/run installs them and runs the ignored tests"]
async fn mail_to_the_service_mailbox_becomes_a_ticket_the_reply_arrives_threaded_and_the_answer_lands_on_it()
 {
    let imap = dovecot();
    let sink = SmtpSink::start();
    let smtp = sink.url();
    let app = TestApp::spawn_with(move |s| {
        s.channels.smtp_url = Some(smtp);
        s.delivery_worker = true;
    })
    .await;
    let manager = app.login(MANAGER).await;
    let alice = app.login(ALICE).await;
    // The demo's service mailbox, connected to the mail server and switched on.
    let demo = ok(&app, &manager, MAILBOXES, json!({})).await["mailboxes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["address"] == careline_api::seed::DEMO_MAILBOX)
        .cloned()
        .expect("the demo's service mailbox");
    assert_eq!(demo["active"], false, "off until connected");
    let mailbox = demo["id"].as_str().unwrap().to_owned();
    ok(
        &app,
        &manager,
        UPDATE_MAILBOX,
        json!({ "id": mailbox, "i": { "name": demo["name"], "address": demo["address"],
            "imapUrl": imap.imap_url(MAIL_USER), "imapPassword": MAIL_PASSWORD, "active": true } }),
    )
    .await;

    let first = mail(
        "Zhao Lei <zhao.lei@customer.example>",
        "Kettle stopped heating",
        "My kettle stopped heating yesterday.",
        &[],
    );
    imap.deliver(MAIL_USER, first.as_bytes());
    let polled = ok(&app, &manager, POLL, json!({ "id": mailbox })).await;
    assert_eq!(polled["pollMailbox"]["lastError"], Value::Null, "{polled}");
    assert_eq!(polled["pollMailbox"]["imported"], 1, "{polled}");
    assert_eq!(imap.seen_count(MAIL_USER), 1, "flagged \\Seen once filed");
    let t = email_tickets(&app, &manager).await.remove(0);
    let (id, number) = (
        t["id"].as_str().unwrap().to_owned(),
        t["number"].as_str().unwrap().to_owned(),
    );
    assert_eq!(t["customer"]["email"], "zhao.lei@customer.example");
    // The customer is told their ticket was received, by mail, from the mailbox, threaded.
    assert!(
        wait_until(Duration::from_secs(20), async || !received(
            &sink, "zhao.lei"
        )
        .is_empty())
        .await,
        "the TICKET_RECEIVED mail"
    );

    ok(&app, &alice, CLAIM, json!({ "id": id })).await;
    ok(
        &app,
        &alice,
        REPLY,
        json!({ "i": { "ticketId": id, "body": "Please hold the reset button for 5 seconds." } }),
    )
    .await;
    assert!(
        wait_until(Duration::from_secs(20), async || {
            !received(&sink, "reset button").is_empty()
        })
        .await,
        "the reply reaches the SMTP server"
    );
    let out = received(&sink, "reset button").remove(0);
    assert!(
        header(&out, "From")
            .unwrap()
            .contains(careline_api::seed::DEMO_MAILBOX),
        "from the mailbox: {out}"
    );
    assert_eq!(
        header(&out, "In-Reply-To"),
        Some(message_id_of(&first).as_str())
    );
    assert!(
        header(&out, "References")
            .unwrap()
            .contains(&message_id_of(&first))
    );
    assert!(
        header(&out, "Subject")
            .unwrap()
            .contains(&format!("[#{number}]"))
            || out.contains(&number)
    );
    let ours = header(&out, "Message-ID").unwrap().to_owned();

    // The customer answers the reply in their mail program: it threads back to the ticket.
    let answer = mail(
        "zhao.lei@customer.example",
        &format!("Re: Kettle stopped heating [#{number}]"),
        "That worked, thank you!\n\nOn Mon, Service wrote:\n> Please hold the reset button",
        &[
            ("In-Reply-To", &ours),
            ("References", &format!("{} {ours}", message_id_of(&first))),
        ],
    );
    imap.deliver(MAIL_USER, answer.as_bytes());
    let polled = ok(&app, &manager, POLL, json!({ "id": mailbox })).await;
    assert_eq!(polled["pollMailbox"]["imported"], 2, "{polled}");
    let tickets = email_tickets(&app, &manager).await;
    assert_eq!(tickets.len(), 1, "the answer is no new ticket");
    let events = tickets[0]["events"]["nodes"].as_array().unwrap();
    let message = events
        .iter()
        .find(|e| e["kind"] == "CUSTOMER_MESSAGE")
        .expect("the answer on the ticket");
    assert_eq!(message["message"], "That worked, thank you!");
    let reply_entry = events
        .iter()
        .find(|e| e["kind"] == "CUSTOMER_REPLY")
        .unwrap();
    assert_eq!(reply_entry["emailMessageId"], ours.as_str());

    // The password never shows: not in the API, not in the server's answers.
    let listed = ok(&app, &manager, MAILBOXES, json!({})).await.to_string();
    assert!(!listed.contains(MAIL_PASSWORD));
}

#[tokio::test]
#[ignore = "needs dovecot-imapd and aiosmtpd (tests/clients/.venv); .ci/run installs them and runs the ignored tests"]
async fn a_mailbox_sends_through_its_own_server_and_a_bounce_fails_the_delivery_it_returns() {
    let imap = dovecot();
    let sink = SmtpSink::start();
    // No SMTP_URL: the mailbox's own SMTP server carries its mail.
    let app = TestApp::spawn_with(|s| s.delivery_worker = true).await;
    let manager = app.login(MANAGER).await;
    let mailbox = service_mailbox(&app, &manager, &imap.imap_url(MAIL_USER), MAIL_PASSWORD).await;
    ok(
        &app,
        &manager,
        UPDATE_MAILBOX,
        json!({ "id": mailbox, "i": { "name": "Service", "address": "service@careline.test",
            "imapUrl": imap.imap_url(MAIL_USER), "smtpUrl": sink.url() } }),
    )
    .await;
    let first = mail("gone@customer.example", "Question", "Hello?", &[]);
    imap.deliver(MAIL_USER, first.as_bytes());
    ok(&app, &manager, POLL, json!({ "id": mailbox })).await;
    assert!(
        wait_until(Duration::from_secs(20), async || !received(&sink, "gone@")
            .is_empty())
        .await
    );
    let sent = received(&sink, "gone@").remove(0);
    let ours = header(&sent, "Message-ID").unwrap().to_owned();
    let bounce = format!(
        "From: MAILER-DAEMON@mx.customer.example\r\nTo: service@careline.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-{}@mx>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\r\n\r\n--R\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n--R\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; gone@customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--R\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {ours}\r\nSubject: x\r\n\r\n--R--\r\n",
        uuid::Uuid::new_v4()
    );
    imap.deliver(MAIL_USER, bounce.as_bytes());
    let polled = ok(&app, &manager, POLL, json!({ "id": mailbox })).await;
    assert_eq!(polled["pollMailbox"]["ignored"], 1, "{polled}");
    let t = email_tickets(&app, &manager).await.remove(0);
    let failed: Vec<&Value> = t["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["deliveries"].as_array().unwrap())
        .filter(|d| d["channel"] == "EMAIL")
        .collect();
    assert_eq!(failed.len(), 1, "{t}");
    assert_eq!(failed[0]["status"], "FAILED");
    assert_eq!(
        email_tickets(&app, &manager).await.len(),
        1,
        "a bounce opens nothing"
    );
}

#[tokio::test]
#[ignore = "needs dovecot-imapd; .ci/run installs it and runs the ignored tests"]
async fn two_instances_polling_one_mailbox_import_each_message_once_and_a_crash_before_seen_does_not_repeat_it()
 {
    let imap = dovecot();
    let first = TestApp::spawn().await;
    let second = first.spawn_sharing(|_| {}).await;
    let manager = first.login(MANAGER).await;
    let manager2 = second.login(MANAGER).await;
    let mailbox = service_mailbox(&first, &manager, &imap.imap_url(MAIL_USER), MAIL_PASSWORD).await;
    for i in 0..30 {
        let raw = mail(
            &format!("c{i}@customer.example"),
            &format!("Question {i}"),
            "Hello",
            &[],
        );
        imap.deliver(MAIL_USER, raw.as_bytes());
    }
    // Both instances poll at once, again and again, until everything is read.
    for _ in 0..5 {
        let a = first.gql(Some(&manager), POLL, json!({ "id": mailbox }));
        let b = second.gql(Some(&manager2), POLL, json!({ "id": mailbox }));
        let (a, b) = tokio::join!(a, b);
        assert!(a["errors"].is_null() && b["errors"].is_null(), "{a} {b}");
        if imap.unseen_count(MAIL_USER) == 0 {
            break;
        }
    }
    assert_eq!(imap.unseen_count(MAIL_USER), 0);
    assert_eq!(email_tickets(&first, &manager).await.len(), 30);

    // A crash after the ticket committed and before `\Seen`: the message is unseen again.
    let cur = imap.mark_all_unseen(MAIL_USER);
    assert_eq!(cur, 30);
    let polled = ok(&second, &manager2, POLL, json!({ "id": mailbox })).await;
    assert_eq!(polled["pollMailbox"]["imported"], 30, "{polled}");
    assert_eq!(imap.unseen_count(MAIL_USER), 0, "flagged now");
    assert_eq!(
        email_tickets(&first, &manager).await.len(),
        30,
        "nothing twice"
    );
    // A wrong password is a poll that failed, in words; the password is nowhere.
    ok(
        &first,
        &manager,
        UPDATE_MAILBOX,
        json!({ "id": mailbox, "i": { "name": "Service", "address": "service@careline.test",
            "imapUrl": imap.imap_url(MAIL_USER), "imapPassword": "wrong-password-123" } }),
    )
    .await;
    let polled = ok(&first, &manager, POLL, json!({ "id": mailbox })).await;
    let error = polled["pollMailbox"]["lastError"]
        .as_str()
        .expect("a reason");
    assert!(error.contains("signing in failed"), "{error}");
    assert!(!error.contains("wrong-password"), "{error}");
    let log = imap.log();
    assert!(log.contains("auth"), "Dovecot logged the sign-ins: {log}");
    assert!(
        !log.contains(MAIL_PASSWORD) && !log.contains("wrong-password-123"),
        "no password in the mail server's log"
    );
}

#[tokio::test]
#[ignore = "needs dovecot-imapd; .ci/run installs it and runs the ignored tests"]
async fn the_background_poller_reads_new_mail_as_it_arrives_through_idle() {
    let imap = dovecot();
    // A poll period far longer than the test: only IDLE can bring the second mail in.
    let app = TestApp::spawn_with(|s| {
        s.mailbox_worker = true;
        s.mail.poll_every = Duration::from_secs(3600);
    })
    .await;
    let manager = app.login(MANAGER).await;
    let first = mail("early@customer.example", "Before", "first", &[]);
    imap.deliver(MAIL_USER, first.as_bytes());
    service_mailbox(&app, &manager, &imap.imap_url(MAIL_USER), MAIL_PASSWORD).await;
    assert!(
        wait_until(Duration::from_secs(20), async || email_tickets(
            &app, &manager
        )
        .await
        .len()
            == 1)
        .await,
        "the first poll reads what is there"
    );
    let second = mail("late@customer.example", "After", "second", &[]);
    imap.deliver(MAIL_USER, second.as_bytes());
    assert!(
        wait_until(Duration::from_secs(20), async || email_tickets(
            &app, &manager
        )
        .await
        .len()
            == 2)
        .await,
        "IDLE brings the new mail in without another poll"
    );
    assert_eq!(imap.unseen_count(MAIL_USER), 0);
}

#[tokio::test]
#[ignore = "needs dovecot-imapd and the careline binary; .ci/run installs it and runs the ignored tests"]
async fn an_instance_killed_mid_import_leaves_every_message_imported_once_and_logs_no_password() {
    const N: usize = 400;
    let imap = dovecot();
    for i in 0..N {
        let raw = mail(
            &format!("k{i}@customer.example"),
            &format!("Kill {i}"),
            "Hello",
            &[],
        );
        imap.deliver(MAIL_USER, raw.as_bytes());
    }
    // The survivor serves the API and polls only when asked; the doomed instance is a real
    // process polling in the background, tracing everything.
    let survivor = TestApp::spawn().await;
    let manager = survivor.login(MANAGER).await;
    let mailbox = service_mailbox(
        &survivor,
        &manager,
        &imap.imap_url(MAIL_USER),
        MAIL_PASSWORD,
    )
    .await;
    let count = "{ tickets(filter: { channel: [EMAIL] }, first: 1) { totalCount } }";
    let before = ok(&survivor, &manager, count, json!({})).await["tickets"]["totalCount"]
        .as_i64()
        .unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    use base64::Engine;
    let env = [
        ("DATABASE_URL", survivor.database_url()),
        ("MAILBOX_POLL_SECONDS", "1".to_owned()),
        ("RUST_LOG", "trace".to_owned()),
        // The key the survivor sealed the password with.
        (
            "DATA_KEY",
            base64::engine::general_purpose::STANDARD.encode([42u8; 32]),
        ),
    ];
    let mut doomed = careline_tests::process::Instance::start(&env, data_dir.path()).await;
    let started = wait_until(Duration::from_secs(30), async || {
        listed_mailbox(&survivor, &manager, &mailbox).await["imported"]
            .as_i64()
            .unwrap_or_default()
            > 10
    })
    .await;
    doomed.kill();
    assert!(started, "the doomed instance imported: {}", doomed.log());
    let log = doomed.log();
    assert!(
        log.contains("mail opened a ticket") || log.contains("TRACE"),
        "it logged"
    );
    assert!(
        !log.contains(MAIL_PASSWORD),
        "the mailbox password is in the log at RUST_LOG=trace"
    );
    let imported_before = listed_mailbox(&survivor, &manager, &mailbox).await["imported"]
        .as_i64()
        .unwrap();
    assert!((imported_before as usize) < N, "killed before the end");

    // Its lease outlives it; once it has run out, the survivor reads on.
    careline_tests::kit::set_clock(&survivor, chrono::Utc::now() + chrono::Duration::minutes(6));
    for _ in 0..5 {
        let polled = ok(&survivor, &manager, POLL, json!({ "id": mailbox })).await;
        assert!(polled["pollMailbox"]["lastError"].is_null(), "{polled}");
        if imap.unseen_count(MAIL_USER) == 0 {
            break;
        }
    }
    assert_eq!(imap.unseen_count(MAIL_USER), 0);
    let after = ok(&survivor, &manager, count, json!({})).await["tickets"]["totalCount"]
        .as_i64()
        .unwrap();
    assert_eq!(after - before, N as i64, "every message once, none twice");
    let listed = listed_mailbox(&survivor, &manager, &mailbox).await;
    assert_eq!(listed["imported"], N as i64, "{listed}");
}
