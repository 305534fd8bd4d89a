//! No N+1: a page of tickets with their people, customer, team, department and first events
//! costs a bounded number of SQL statements, whether it holds 5 tickets or 100.

use careline_tests::kit::{ALICE, MANAGER, create_ticket, statements};
use careline_tests::{TestApp, data};
use serde_json::json;

const PAGE: &str = "query($n: Int!) { tickets(first: $n) { totalCount nodes {
    number owner { name team { name } } assignee { name } customer { name phone }
    team { name supervisor { name } } department { name } praisedEmployee { name }
    events(first: 3) { nodes { kind actor { name } } } followUps { at } satisfaction { rating }
    correctiveActions { description } } } }";

async fn statements_for(app: &TestApp, token: &str, n: usize) -> u64 {
    let (least, bodies) = statements(app, token, PAGE, json!({ "n": n })).await;
    for body in &bodies {
        assert_eq!(data(body)["tickets"]["nodes"].as_array().unwrap().len(), n);
    }
    least
}

#[tokio::test]
async fn a_page_of_a_hundred_tickets_costs_no_more_statements_than_a_handful() {
    let app = TestApp::spawn().await;
    let agent = app.login(ALICE).await;
    for i in 0..100 {
        create_ticket(
            &app,
            &agent,
            json!({ "i": { "kind": "INQUIRY", "channel": "PHONE", "subject": format!("Bulk {i}"),
                "description": "x", "customer": { "name": format!("Customer {i}"), "phone": format!("1380000{i:04}") } } }),
        )
        .await;
    }
    let manager = app.login(MANAGER).await;
    let small = statements_for(&app, &manager, 5).await;
    let large = statements_for(&app, &manager, 100).await;
    // One batch per kind of nested record: twenty times the rows may split a kind's batch
    // across the loader's window, never add a statement per row (N+1 would cost hundreds).
    assert!(
        large <= small + 3 && large <= 20,
        "statements for 5 tickets: {small}, for 100: {large}"
    );
}

#[tokio::test]
async fn the_ticket_list_counts_all_matches_only_when_total_count_is_asked_for() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let least = |query: &'static str| {
        let (app, manager) = (&app, &manager);
        async move {
            let (least, mut bodies) = statements(app, manager, query, json!({})).await;
            (least, bodies.pop().expect("a response"))
        }
    };
    let (without, page) = least("{ tickets(first: 2) { nodes { number } } }").await;
    assert_eq!(
        data(&page)["tickets"]["nodes"].as_array().map(Vec::len),
        Some(2)
    );
    let (with, counted) = least("{ tickets(first: 2) { totalCount nodes { number } } }").await;
    assert_eq!(
        with,
        without + 1,
        "one COUNT statement, only when asked for"
    );
    let total = data(&counted)["tickets"]["totalCount"]
        .as_i64()
        .expect("a count");
    assert!(total > 2, "{counted}");
    // Through a fragment and under an alias, too.
    let (_, fragment) = least(
        "{ tickets(first: 2) { ...Counted } } fragment Counted on TicketConnection { all: totalCount }",
    )
    .await;
    assert_eq!(data(&fragment)["tickets"]["all"], total);
}
