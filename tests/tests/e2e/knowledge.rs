//! The knowledge base end to end: the workflow and who may do what, Chinese and English search
//! with highlighted snippets, what customers may never see, concurrent edits, suggestions and
//! links on tickets, case studies without personal data, and reply templates.

use careline_tests::kit::{ACKNOWLEDGE, AGENT, LI_LEI, MANAGER, SUPERVISOR, TRAINER, tick};
use careline_tests::{TestApp, data, error_code};
use serde_json::{Value, json};

const CREATE: &str =
    "mutation($i: ArticleInput!) { createArticle(input: $i) { id status version } }";
const SUBMIT: &str = "mutation($id: ID!) { submitArticleForReview(id: $id) { status } }";
const PUBLISH: &str =
    "mutation($id: ID!) { publishArticle(id: $id) { status publishedAt reviewDueAt stale } }";
const SEARCH: &str = "query($q: String!) { searchKnowledge(query: $q) { totalCount
    nodes { highlight score article { id title } } } }";

fn article(title: &str, body: &str, kind: &str, audience: &str) -> Value {
    json!({ "i": { "title": title, "body": body, "kind": kind, "audience": audience,
        "tags": ["demo"] } })
}

/// Writes (as the trainer), submits and publishes (as the supervisor) an article.
async fn published(app: &TestApp, title: &str, body: &str, kind: &str, audience: &str) -> String {
    let trainer = app.login(TRAINER).await;
    let supervisor = app.login(SUPERVISOR).await;
    let created = app
        .gql(Some(&trainer), CREATE, article(title, body, kind, audience))
        .await;
    let id = data(&created)["createArticle"]["id"]
        .as_str()
        .expect("article id")
        .to_owned();
    data(&app.gql(Some(&trainer), SUBMIT, json!({ "id": id })).await);
    data(
        &app.gql(Some(&supervisor), PUBLISH, json!({ "id": id }))
            .await,
    );
    id
}

fn titles(body: &Value) -> Vec<String> {
    data(body)["searchKnowledge"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["article"]["title"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn chinese_and_english_queries_find_the_right_articles_first() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    published(
        &app,
        "七天无理由退货政策",
        "顾客收到商品之日起七天内可以申请退货，商品须完好。Returns within seven days.",
        "POLICY",
        "PUBLIC",
    )
    .await;
    published(
        &app,
        "如何开具发票",
        "电子发票在订单完成后开具，可在个人中心下载。",
        "FAQ",
        "PUBLIC",
    )
    .await;
    published(
        &app,
        "X200-B 保修条款",
        "X200-B 扫地机器人整机保修一年，电池保修六个月。Warranty terms for the X200-B.",
        "PRODUCT",
        "INTERNAL",
    )
    .await;
    published(
        &app,
        "Delivery times",
        "Parcels arrive within 3 working days; remote areas take longer.",
        "FAQ",
        "PUBLIC",
    )
    .await;

    // The first hit is about what was asked (several seeded articles may tie for it).
    for (query, about) in [
        ("退货", "退货"),
        ("发票怎么开", "发票"),
        ("保修", "保修"),
        ("X200-B", "X200-B"),
        ("电池 warranty", "X200-B"),
        ("delivery", "Delivery"),
    ] {
        let body = app.gql(Some(&agent), SEARCH, json!({ "q": query })).await;
        let found = titles(&body);
        assert!(
            found.first().is_some_and(|t| t.contains(about)),
            "{query}: {body}"
        );
    }
    // A product code finds the internal article for staff, by its code.
    let body = app
        .gql(Some(&agent), SEARCH, json!({ "q": "X200-B 保修条款" }))
        .await;
    assert_eq!(
        titles(&body).first().map(String::as_str),
        Some("X200-B 保修条款"),
        "{body}"
    );
    let body = app.gql(Some(&agent), SEARCH, json!({ "q": "退货" })).await;
    let highlight = data(&body)["searchKnowledge"]["nodes"][0]["highlight"]
        .as_str()
        .expect("highlight")
        .to_owned();
    assert!(highlight.contains("<mark>退货</mark>"), "{highlight}");
    // Customers never see the internal warranty article.
    let li = app.login(LI_LEI).await;
    let body = app.gql(Some(&li), SEARCH, json!({ "q": "保修" })).await;
    assert!(
        titles(&body).iter().all(|t| t != "X200-B 保修条款"),
        "{body}"
    );
    let empty = app.gql(Some(&agent), SEARCH, json!({ "q": "   " })).await;
    assert_eq!(error_code(&empty), Some("BAD_USER_INPUT"), "{empty}");
}

#[tokio::test]
async fn the_workflow_reviews_every_version_and_customers_see_only_published_public() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let trainer = app.login(TRAINER).await;
    let supervisor = app.login(SUPERVISOR).await;
    let manager = app.login(MANAGER).await;
    let li = app.login(LI_LEI).await;
    let by_id = "query($id: ID!) { knowledgeArticle(id: $id) { title status version revisions { version } } }";

    // An agent suggests an edit as a draft of their own; a customer may not write.
    let suggestion = app
        .gql(
            Some(&agent),
            CREATE,
            article("Refund script", "Say sorry first.", "SCRIPT", "INTERNAL"),
        )
        .await;
    let suggestion = data(&suggestion)["createArticle"]["id"].clone();
    let refused = app
        .gql(Some(&li), CREATE, article("Mine", "x", "FAQ", "PUBLIC"))
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");

    let created = app
        .gql(
            Some(&supervisor),
            CREATE,
            article("Invoice FAQ", "Invoices are emailed.", "FAQ", "PUBLIC"),
        )
        .await;
    let id = data(&created)["createArticle"]["id"].clone();
    // Drafts are invisible to agents (unless theirs) and customers.
    let hidden = app.gql(Some(&li), by_id, json!({ "id": id })).await;
    assert_eq!(data(&hidden)["knowledgeArticle"], Value::Null);
    let hidden = app.gql(Some(&agent), by_id, json!({ "id": id })).await;
    assert_eq!(data(&hidden)["knowledgeArticle"], Value::Null);
    let own = app
        .gql(Some(&agent), by_id, json!({ "id": suggestion }))
        .await;
    assert_eq!(data(&own)["knowledgeArticle"]["status"], "DRAFT");

    // Four eyes: the supervisor who wrote it does not publish it; the manager does.
    data(
        &app.gql(Some(&supervisor), SUBMIT, json!({ "id": id }))
            .await,
    );
    let self_publish = app
        .gql(Some(&supervisor), PUBLISH, json!({ "id": id }))
        .await;
    assert_eq!(
        error_code(&self_publish),
        Some("FORBIDDEN"),
        "{self_publish}"
    );
    let agent_publish = app.gql(Some(&agent), PUBLISH, json!({ "id": id })).await;
    assert_eq!(error_code(&agent_publish), Some("FORBIDDEN"));
    let done = app.gql(Some(&manager), PUBLISH, json!({ "id": id })).await;
    let done = &data(&done)["publishArticle"];
    assert_eq!(done["status"], "PUBLISHED");
    assert_eq!(done["stale"], false);
    assert!(done["reviewDueAt"].is_string());
    let seen = app.gql(Some(&li), by_id, json!({ "id": id })).await;
    assert_eq!(data(&seen)["knowledgeArticle"]["title"], "Invoice FAQ");

    // Concurrent edits: the second writer with the old version gets CONFLICT.
    let update = "mutation($id: ID!, $i: ArticleInput!, $v: Int!) {
        updateArticle(id: $id, input: $i, expectedVersion: $v) { version status } }";
    let first = app
        .gql(
            Some(&trainer),
            update,
            json!({ "id": id, "v": 1, "i": { "title": "Invoice FAQ", "body": "Invoices are emailed within a day.",
                "kind": "FAQ", "audience": "PUBLIC" } }),
        )
        .await;
    let first = &data(&first)["updateArticle"];
    assert_eq!(first["version"], 2);
    assert_eq!(
        first["status"], "DRAFT",
        "an edited article is reviewed again"
    );
    let second = app
        .gql(
            Some(&supervisor),
            update,
            json!({ "id": id, "v": 1, "i": { "title": "Invoice FAQ!", "body": "Other text.",
                "kind": "FAQ", "audience": "PUBLIC" } }),
        )
        .await;
    assert_eq!(error_code(&second), Some("CONFLICT"), "{second}");
    let history = app.gql(Some(&trainer), by_id, json!({ "id": id })).await;
    assert_eq!(
        data(&history)["knowledgeArticle"]["revisions"],
        json!([{ "version": 2 }, { "version": 1 }])
    );
    // Back in draft, customers lose sight of it.
    let gone = app.gql(Some(&li), by_id, json!({ "id": id })).await;
    assert_eq!(data(&gone)["knowledgeArticle"], Value::Null);

    // Ratings: one vote per person.
    data(&app.gql(Some(&trainer), SUBMIT, json!({ "id": id })).await);
    data(&app.gql(Some(&manager), PUBLISH, json!({ "id": id })).await);
    let rate = "mutation($id: ID!, $h: Boolean!) { rateArticle(id: $id, helpful: $h) { helpfulCount notHelpfulCount } }";
    data(
        &app.gql(Some(&li), rate, json!({ "id": id, "h": false }))
            .await,
    );
    let changed = app
        .gql(Some(&li), rate, json!({ "id": id, "h": true }))
        .await;
    assert_eq!(
        data(&changed)["rateArticle"],
        json!({ "helpfulCount": 1, "notHelpfulCount": 0 })
    );
    // Archived: gone for everyone but editors.
    data(
        &app.gql(
            Some(&manager),
            "mutation($id: ID!) { archiveArticle(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await,
    );
    let archived = app.gql(Some(&agent), by_id, json!({ "id": id })).await;
    assert_eq!(data(&archived)["knowledgeArticle"], Value::Null);
}

#[tokio::test]
async fn tickets_get_suggestions_links_case_studies_and_templates() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let trainer = app.login(TRAINER).await;
    let li = app.login(LI_LEI).await;
    let returns = published(
        &app,
        "七天无理由退货",
        "七天内可以退货，请保留发票。",
        "POLICY",
        "PUBLIC",
    )
    .await;
    let internal = published(
        &app,
        "退货话术",
        "先道歉，再说明退货流程。",
        "SCRIPT",
        "INTERNAL",
    )
    .await;

    // The customer's own ticket about a return, with personal data in it.
    let created = app
        .gql(
            Some(&li),
            "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id number } }",
            json!({ "i": { "kind": "AFTER_SALES", "channel": "MOBILE_APP", "subject": "我想退货",
                "description": "收到的水壶漏水，我想退货。我的电话 13800138000，订单 SO20261122001。",
                "orderNumber": "SO20261122001" } }),
        )
        .await;
    let ticket = data(&created)["createTicket"]["id"].clone();
    let number = data(&created)["createTicket"]["number"].clone();

    let suggested = app
        .gql(
            Some(&agent),
            "query($t: ID!) { suggestedArticles(ticketId: $t) { article { id } highlight } }",
            json!({ "t": ticket }),
        )
        .await;
    let ids: Vec<Value> = data(&suggested)["suggestedArticles"]
        .as_array()
        .expect("suggestions")
        .iter()
        .map(|h| h["article"]["id"].clone())
        .collect();
    assert!(
        ids.contains(&json!(returns)) && ids.contains(&json!(internal)),
        "{suggested}"
    );

    // Linking records a timeline entry and counts the use, once.
    let link = "mutation($t: ID!, $a: ID!) { linkArticleToTicket(ticketId: $t, articleId: $a) {
        linkedArticles { id } events(first: 50) { nodes { kind message } } } }";
    for article in [&returns, &internal] {
        data(
            &app.gql(Some(&agent), link, json!({ "t": ticket, "a": article }))
                .await,
        );
    }
    let twice = app
        .gql(Some(&agent), link, json!({ "t": ticket, "a": returns }))
        .await;
    assert_eq!(error_code(&twice), Some("CONFLICT"), "{twice}");
    // The customer sees the public article linked to their ticket, never the internal script.
    let theirs = app
        .gql(
            Some(&li),
            "query($t: ID!) { ticket(id: $t) { linkedArticles { id } } }",
            json!({ "t": ticket }),
        )
        .await;
    assert_eq!(
        data(&theirs)["ticket"]["linkedArticles"],
        json!([{ "id": returns }])
    );
    let usage = app
        .gql(
            Some(&agent),
            "query($id: ID!) { knowledgeArticle(id: $id) { usageCount } }",
            json!({ "id": returns }),
        )
        .await;
    assert_eq!(data(&usage)["knowledgeArticle"]["usageCount"], 1);

    // A case study from the resolved ticket, without the customer's data.
    data(
        &app.gql(Some(&agent), ACKNOWLEDGE, json!({ "id": ticket }))
            .await,
    );
    data(
        &app.gql(
            Some(&agent),
            "mutation($id: ID!) { resolveTicket(id: $id, solution: \"已为Li Lei换新，电话13800138000已回访。\") { id } }",
            json!({ "id": ticket }),
        )
        .await,
    );
    // (Trainers write articles but do not read tickets: a lead writes it up.)
    let supervisor = app.login(SUPERVISOR).await;
    let study = app
        .gql(
            Some(&supervisor),
            "mutation($t: ID!) { createArticleFromTicket(ticketId: $t, title: \"漏水退货案例\") {
                kind status audience body sourceTicket { id } } }",
            json!({ "t": ticket }),
        )
        .await;
    let study = &data(&study)["createArticleFromTicket"];
    assert_eq!(study["kind"], "CASE_STUDY");
    assert_eq!(study["status"], "DRAFT");
    assert_eq!(study["audience"], "INTERNAL");
    assert_eq!(study["sourceTicket"]["id"], ticket);
    let body = study["body"].as_str().expect("body");
    for secret in ["13800138000", "SO20261122001", "Li Lei"] {
        assert!(!body.contains(secret), "{secret} in {body}");
    }
    assert!(body.contains("水壶漏水"), "{body}");

    // Reply templates: unknown placeholders are refused; rendering fills the ticket's values.
    let create = "mutation($i: ReplyTemplateInput!) { createReplyTemplate(input: $i) { id } }";
    let bad = app
        .gql(
            Some(&trainer),
            create,
            json!({ "i": { "name": "Bad", "body": "Hi {{customer.phone}}" } }),
        )
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    let made = app
        .gql(
            Some(&trainer),
            create,
            json!({ "i": { "name": "Return received (test)", "kind": "AFTER_SALES",
                "body": "{{customer.name}}您好，工单{{ticket.number}}已受理。{{agent.name}}" } }),
        )
        .await;
    let template = data(&made)["createReplyTemplate"]["id"].clone();
    let rendered = app
        .gql(
            Some(&agent),
            "query($id: ID!, $t: ID!) { renderReplyTemplate(id: $id, ticketId: $t) }",
            json!({ "id": template, "t": ticket }),
        )
        .await;
    let text = data(&rendered)["renderReplyTemplate"]
        .as_str()
        .expect("text");
    assert!(text.contains(number.as_str().expect("number")), "{text}");
    assert!(
        text.starts_with("Li Lei您好") || text.contains("您好"),
        "{text}"
    );
    let listed = app
        .gql(
            Some(&agent),
            "{ replyTemplates(kind: AFTER_SALES) { name usageCount } }",
            json!({}),
        )
        .await;
    let ours: Vec<&Value> = data(&listed)["replyTemplates"]
        .as_array()
        .expect("templates")
        .iter()
        .filter(|t| t["name"] == "Return received (test)")
        .collect();
    assert_eq!(
        ours,
        vec![&json!({ "name": "Return received (test)", "usageCount": 1 })]
    );
}

#[tokio::test]
async fn stale_articles_are_flagged_listed_and_announced_once() {
    let app = TestApp::spawn().await;
    let trainer = app.login(TRAINER).await;
    let supervisor = app.login(SUPERVISOR).await;
    let due = (app.state.app.clock.now() + chrono::Duration::days(1)).to_rfc3339();
    let created = app
        .gql(
            Some(&trainer),
            CREATE,
            json!({ "i": { "title": "Spring promotion", "body": "20% off kettles until Friday.",
                "kind": "PROMOTION", "audience": "PUBLIC", "reviewDueAt": due } }),
        )
        .await;
    let id = data(&created)["createArticle"]["id"].clone();
    data(&app.gql(Some(&trainer), SUBMIT, json!({ "id": id })).await);
    data(
        &app.gql(Some(&supervisor), PUBLISH, json!({ "id": id }))
            .await,
    );
    let stale_list = "{ knowledgeArticles(staleOnly: true) { id stale } }";
    let none = app.gql(Some(&supervisor), stale_list, json!({})).await;
    assert_eq!(data(&none)["knowledgeArticles"], json!([]));

    let mut heard = app.state.bus.subscribe();
    app.state.app.clock.advance(chrono::Duration::days(2));
    tick(&app).await;
    tick(&app).await;
    let listed = app.gql(Some(&supervisor), stale_list, json!({})).await;
    assert_eq!(
        data(&listed)["knowledgeArticles"],
        json!([{ "id": id, "stale": true }])
    );
    let mut told = 0;
    while let Ok(Ok(envelope)) =
        tokio::time::timeout(std::time::Duration::from_secs(2), heard.recv()).await
    {
        if let careline_domain::event::Event::ArticleReviewDue { article_id, .. } = &envelope.event
            && article_id.to_string() == id.as_str().expect("id")
        {
            told += 1;
        }
    }
    assert_eq!(told, 1, "announced exactly once");
}

#[tokio::test]
async fn a_one_letter_typo_still_finds_the_article_on_postgresql() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let title = "Warranty for the X200 router";
    published(
        &app,
        title,
        "Two years of cover from the date on the invoice.",
        "PRODUCT",
        "INTERNAL",
    )
    .await;
    // None of these is a term of any article, so each goes to the title-trigram fallback.
    let typos = [
        "warrenty",        // substitution
        "waranty",         // deletion
        "warrranty",       // insertion
        "warrnaty",        // transposition
        "routr",           // deletion in the other word
        "rouuter",         // insertion in the other word
        "warrenty ruoter", // a typo in each of two words
    ];
    let postgres = app.state.app.db.get_database_backend() == sea_orm::DbBackend::Postgres;
    for typo in typos {
        let body = app.gql(Some(&agent), SEARCH, json!({ "q": typo })).await;
        let found = titles(&body);
        if postgres {
            assert!(found.iter().any(|t| t == title), "{typo}: {body}");
        }
        // SQLite's FTS5 matches whole terms only: a typo finds nothing there, and fails nothing.
    }
}
