//! Error messages in English and Chinese, end to end: every error code a client can get, over
//! HTTP with `Accept-Language` (and `DEFAULT_LOCALE` when it names nothing we speak), and over
//! the WebSocket with the locale of `connection_init` or of the upgrade request. The message
//! changes language; `extensions.code` and every other extension stay exactly the same.

use careline_api::i18n::Locale;
use careline_tests::kit::{ADMIN, ALICE, CREATE_USER, MANAGER};
use careline_tests::ws::{self, Ws};
use careline_tests::{DEMO_PASSWORD, TestApp, data, error_code};
use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const ENGLISH: &str = "en-US,en;q=0.9";
const CHINESE: &str = "zh-CN,zh;q=0.9,en;q=0.8";

const NEW_TICKET: &str =
    "mutation($input: CreateTicketInput!) { createTicket(input: $input) { id version status } }";
const ACK: &str =
    "mutation($id: ID!, $v: Int) { acknowledgeTicket(id: $id, expectedVersion: $v) { version } }";
const CLOSE: &str = "mutation($id: ID!) { closeTicket(id: $id) { status } }";
const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }";

/// POSTs `body` to `/graphql` with `Accept-Language: language` (none when `None`).
async fn post(app: &TestApp, token: Option<&str>, language: Option<&str>, body: &Value) -> Value {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(language) = language {
        request = request.header("accept-language", language);
    }
    request.send().await.unwrap().json().await.unwrap()
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The first error's extensions without `requestId`, which differs per request.
fn extensions(body: &Value) -> Value {
    let mut extensions = body["errors"][0]["extensions"].clone();
    if let Some(map) = extensions.as_object_mut() {
        map.remove("requestId");
    }
    extensions
}

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or_default()
}

/// Sends the same request in English, in Chinese and without a header; checks the code and
/// extensions agree, the English matches the header-less answer (the default), and returns the
/// Chinese message.
async fn in_both(
    app: &TestApp,
    token: Option<&str>,
    body: Value,
    code: Option<&str>,
) -> (String, String) {
    let en = post(app, token, Some(ENGLISH), &body).await;
    let zh = post(app, token, Some(CHINESE), &body).await;
    let plain = post(app, token, None, &body).await;
    assert_eq!(error_code(&en), code, "{en}");
    assert_eq!(error_code(&zh), code, "{zh}");
    assert!(en["errors"][0].is_object(), "no error: {en}");
    assert_eq!(extensions(&en), extensions(&zh), "{en}\n{zh}");
    assert_eq!(en["data"], zh["data"]);
    assert_eq!(message(&en), message(&plain), "English is the default");
    assert!(!has_chinese(message(&en)), "{en}");
    assert!(has_chinese(message(&zh)), "{zh}");
    (message(&en).to_owned(), message(&zh).to_owned())
}

fn op(query: &str, variables: Value) -> Value {
    json!({ "query": query, "variables": variables })
}

async fn complaint(app: &TestApp, token: &str) -> Value {
    let body = post(
        app,
        Some(token),
        None,
        &op(
            NEW_TICKET,
            json!({ "input": {
                "kind": "COMPLAINT", "channel": "PHONE", "subject": "Leaking purifier",
                "description": "The purifier leaks.", "category": "PRODUCT_QUALITY",
                "orderNumber": "SO-I18N-1",
                "customer": { "name": "Zhou Test", "phone": "13812345678", "email": "zhou.test@example.org" }
            }}),
        ),
    )
    .await;
    data(&body)["createTicket"].clone()
}

#[tokio::test]
async fn every_error_code_answers_in_english_and_in_chinese_with_the_same_extensions() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let alice = app.login(ALICE).await;

    // UNAUTHENTICATED
    let (en, zh) = in_both(
        &app,
        None,
        op(LOGIN, json!({ "e": MANAGER, "p": "not the password" })),
        Some("UNAUTHENTICATED"),
    )
    .await;
    assert_eq!(en, "the email or password is not correct");
    assert_eq!(zh, "邮箱或密码不正确");

    // FORBIDDEN
    let new_user = json!({ "i": { "email": "not an address", "name": "New", "password": "a fine passphrase", "roles": ["AGENT"] } });
    let (en, zh) = in_both(
        &app,
        Some(&alice),
        op(CREATE_USER, new_user.clone()),
        Some("FORBIDDEN"),
    )
    .await;
    assert_eq!(en, "you are not allowed to create users");
    assert_eq!(zh, "您没有权限创建用户");

    // BAD_USER_INPUT: the field stays in the extensions.
    let (en, zh) = in_both(
        &app,
        Some(&admin),
        op(CREATE_USER, new_user),
        Some("BAD_USER_INPUT"),
    )
    .await;
    assert_eq!(en, "not a valid email address");
    assert_eq!(zh, "不是有效的邮箱地址");

    // NOT_FOUND
    let nowhere = uuid::Uuid::new_v4().to_string();
    let (en, zh) = in_both(
        &app,
        Some(&alice),
        op(ACK, json!({ "id": nowhere })),
        Some("NOT_FOUND"),
    )
    .await;
    assert_eq!(en, "ticket not found");
    assert_eq!(zh, "找不到该工单");

    // INVALID_TRANSITION: status and allowed moves stay as they are.
    let ticket = complaint(&app, &alice).await;
    let (en, zh) = in_both(
        &app,
        Some(&alice),
        op(CLOSE, json!({ "id": ticket["id"] })),
        Some("INVALID_TRANSITION"),
    )
    .await;
    assert!(en.starts_with("cannot close a ticket that is NEW"), "{en}");
    assert!(
        zh.starts_with("当前状态为 NEW，不能关闭；该状态下允许的操作："),
        "{zh}"
    );
    assert!(zh.contains("受理"), "{zh}");

    // CONFLICT: a stale expected version, sent twice, refused twice.
    let v = ticket["version"].as_i64().unwrap();
    let ack = post(
        &app,
        Some(&alice),
        None,
        &op(ACK, json!({ "id": ticket["id"], "v": v })),
    )
    .await;
    data(&ack);
    let (en, zh) = in_both(
        &app,
        Some(&alice),
        op(ACK, json!({ "id": ticket["id"], "v": v })),
        Some("CONFLICT"),
    )
    .await;
    assert!(
        en.starts_with("the ticket was changed by someone else"),
        "{en}"
    );
    assert!(zh.starts_with("工单已被他人修改"), "{zh}");

    // INTERNAL: nothing of the cause reaches the client, in either language.
    app.fail_writes("tickets", "INSERT").await;
    let (en, zh) = in_both(
        &app,
        Some(&alice),
        op(
            NEW_TICKET,
            json!({ "input": { "kind": "INQUIRY", "channel": "PHONE", "subject": "S", "description": "D",
                "customer": { "name": "Zhou Test", "phone": "13812345679" } } }),
        ),
        Some("INTERNAL"),
    )
    .await;
    app.allow_writes("tickets", "INSERT").await;
    assert_eq!(en, "internal error");
    assert!(zh.starts_with("服务器内部错误"), "{zh}");

    // RATE_LIMITED: retryAfterSeconds is the same number in both.
    let limit = careline_api::auth::rate_limit::ACCOUNT_AT_ADDRESS.failures;
    for i in 0..limit {
        let body = post(
            &app,
            None,
            None,
            &op(LOGIN, json!({ "e": ADMIN, "p": format!("guess-{i}") })),
        )
        .await;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    }
    let (en, zh) = in_both(
        &app,
        None,
        op(LOGIN, json!({ "e": ADMIN, "p": DEMO_PASSWORD })),
        Some("RATE_LIMITED"),
    )
    .await;
    assert!(en.starts_with("too many attempts; try again in "), "{en}");
    assert!(
        zh.starts_with("尝试次数过多，请在 ") && zh.ends_with(" 秒后重试"),
        "{zh}"
    );
}

#[tokio::test]
async fn errors_outside_resolvers_answer_in_both_languages_too() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;

    // A document that does not parse.
    let (_, zh) = in_both(
        &app,
        Some(&alice),
        op("{ me { id ", json!({})),
        Some("BAD_REQUEST"),
    )
    .await;
    assert!(zh.starts_with("查询文档有语法错误"), "{zh}");
    // A field the schema does not have.
    let (en, zh) = in_both(
        &app,
        Some(&alice),
        op("{ nope }", json!({})),
        Some("BAD_REQUEST"),
    )
    .await;
    assert!(
        en.starts_with("Unknown field \"nope\" on type \"Query\"."),
        "{en}"
    );
    assert!(
        zh.starts_with("类型 \"Query\" 上没有字段 \"nope\"。"),
        "{zh}"
    );
    // Too deep.
    let nested = format!(
        "{{ {}__typename{} }}",
        "me { team { ".repeat(7),
        " } }".repeat(7)
    );
    let (en, zh) = in_both(
        &app,
        Some(&alice),
        op(&nested, json!({})),
        Some("BAD_REQUEST"),
    )
    .await;
    assert_eq!(en, "Query is nested too deep.");
    assert_eq!(zh, "查询嵌套层级过深。");
    // Too many aliases (BAD_REQUEST).
    let aliased = format!(
        "{{ {} }}",
        (0..40)
            .map(|i| format!("a{i}: __typename"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let (en, zh) = in_both(
        &app,
        Some(&alice),
        op(&aliased, json!({})),
        Some("BAD_REQUEST"),
    )
    .await;
    assert!(en.starts_with("the document uses 40 aliases"), "{en}");
    assert!(zh.starts_with("该文档使用了 40 个别名"), "{zh}");
    // Persisted queries: a bad extension (BAD_REQUEST) is translated; the protocol token of an
    // unknown hash is the same in every language, as clients compare it.
    let (en, zh) = in_both(
        &app,
        None,
        json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": "00" } } }),
        Some("BAD_REQUEST"),
    )
    .await;
    assert_eq!(
        en,
        "only version 1 of the persistedQuery extension is supported"
    );
    assert_eq!(zh, "persistedQuery 扩展只支持版本 1");
    let unknown = json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "0".repeat(64) } } });
    let zh = post(&app, None, Some(CHINESE), &unknown).await;
    assert_eq!(error_code(&zh), Some("PERSISTED_QUERY_NOT_FOUND"));
    assert_eq!(message(&zh), "PersistedQueryNotFound");

    // HTTP-level refusals: the wrong content type, a mutation over GET.
    for language in [ENGLISH, CHINESE] {
        let body: Value = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("content-type", "text/plain")
            .header("accept-language", language)
            .body("{ me { id } }")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(error_code(&body), Some("BAD_REQUEST"));
        let expected = if language == CHINESE {
            "请以 application/json 格式发送请求"
        } else {
            "send the request as application/json"
        };
        assert_eq!(message(&body), expected);
        let get: Value = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", "mutation { logout }")])
            .header("accept-language", language)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(error_code(&get), Some("BAD_REQUEST"), "{get}");
        assert_eq!(has_chinese(message(&get)), language == CHINESE, "{get}");
    }
}

#[tokio::test]
async fn default_locale_answers_requests_that_name_no_language_we_speak() {
    let app = TestApp::spawn_with(|s| {
        s.default_locale = Locale::ZhCn;
        s.trusted_documents_required = true;
    })
    .await;
    let plain = op("{ __typename }", json!({}));
    for (language, chinese) in [
        (None, true),
        (Some("fr-FR, de;q=0.8"), true),
        (Some("zh-TW"), true),
        (Some("en"), false),
        (Some("zh-CN;q=0.2, en-GB;q=0.7"), false),
        (Some("en;q=0.2, zh-Hans;q=0.7"), true),
    ] {
        let body = post(&app, None, language, &plain).await;
        assert_eq!(
            error_code(&body),
            Some("PERSISTED_QUERY_NOT_ALLOWED"),
            "{body}"
        );
        assert_eq!(has_chinese(message(&body)), chinese, "{language:?}: {body}");
    }
}

/// Opens a graphql-transport-ws socket with `accept_language` on the upgrade and `payload` in
/// `connection_init`, and waits for the ack.
async fn socket(app: &TestApp, accept_language: Option<&str>, payload: Value) -> Ws {
    let mut request = ws::request(app, "graphql-transport-ws");
    if let Some(language) = accept_language {
        request
            .headers_mut()
            .insert("accept-language", language.parse().unwrap());
    }
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    ws::init(&mut ws, payload).await;
    ws
}

/// Runs `query` as operation `id` and returns the first message about it.
async fn run(ws: &mut Ws, id: &str, query: &str) -> Value {
    ws.send(Message::text(
        json!({ "id": id, "type": "subscribe", "payload": { "query": query } }).to_string(),
    ))
    .await
    .unwrap();
    loop {
        let message = ws::next(ws, 5).await.expect("an answer");
        if message["id"] == id {
            return message;
        }
    }
}

#[tokio::test]
async fn the_websocket_speaks_the_locale_of_connection_init_or_of_the_upgrade() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let forbidden = "mutation { createUser(input: { email: \"x@example.org\", name: \"X\", password: \"a fine passphrase\", roles: [AGENT] }) { id } }";

    // connection_init's locale wins over the upgrade's header.
    let mut ws = socket(
        &app,
        Some(ENGLISH),
        json!({ "token": alice, "locale": "zh-CN" }),
    )
    .await;
    let refused = run(&mut ws, "1", "subscription { nope }").await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["message"],
        "类型 \"Subscription\" 上没有字段 \"nope\"。"
    );
    let answer = run(&mut ws, "2", forbidden).await;
    assert_eq!(answer["type"], "next", "{answer}");
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    assert_eq!(
        answer["payload"]["errors"][0]["message"],
        "您没有权限创建用户"
    );

    // `acceptLanguage` in the payload, with q-values.
    let mut ws = socket(
        &app,
        None,
        json!({ "token": alice, "acceptLanguage": "en;q=0.3, zh;q=0.9" }),
    )
    .await;
    let answer = run(&mut ws, "1", forbidden).await;
    assert_eq!(
        answer["payload"]["errors"][0]["message"],
        "您没有权限创建用户"
    );

    // No locale in the payload: the upgrade's Accept-Language.
    let mut ws = socket(&app, Some(CHINESE), json!({ "token": alice })).await;
    let answer = run(&mut ws, "1", forbidden).await;
    assert_eq!(
        answer["payload"]["errors"][0]["message"],
        "您没有权限创建用户"
    );

    // Neither: the default, English.
    let mut ws = socket(&app, None, json!({ "token": alice })).await;
    let answer = run(&mut ws, "1", forbidden).await;
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    assert_eq!(
        answer["payload"]["errors"][0]["message"],
        "you are not allowed to create users"
    );
}
