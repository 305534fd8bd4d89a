//! The customer record end to end: search by name, phone (however it is typed) or email,
//! `customerByPhone`, a returning caller recognised at intake, masking, paging, corrections
//! with their checks, tiers for leads only, merging duplicates, and who may do any of it.

use careline_tests::kit::{
    AARON, ALICE, HAN_MEIMEI, LEGAL, LI_LEI, MANAGER, SAM, TRAINER, statements,
};
use careline_tests::{TestApp, data, error_code};
use serde_json::{Value, json};

const CREATE: &str = "mutation($i: CreateTicketInput!) {
    createTicket(input: $i) { id createdAt customer { id } } }";
const SEARCH: &str = "query($s: String, $t: CustomerTier, $n: Int, $a: String) {
    customers(search: $s, tier: $t, first: $n, after: $a) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { id } }
        nodes { id name phone email tier tags ticketCount } } }";
const BY_PHONE: &str = "query($p: String!) { customerByPhone(phone: $p) { id name phone email } }";
const RECORD: &str = "query($id: ID!) { customer(id: $id) {
    id name phone email tier tags ticketCount lastContactAt
    tickets(first: 20) { totalCount nodes { id } } } }";
const UPDATE: &str = "mutation($id: ID!, $i: CustomerUpdateInput!) {
    updateCustomer(id: $id, input: $i) { id name phone email tier tags } }";
const MERGE: &str = "mutation($k: ID!, $m: ID!) {
    mergeCustomers(keepId: $k, mergeId: $m) {
        id phone email tier tags ticketCount tickets(first: 20) { totalCount nodes { id } } } }";

/// A ticket taken by `token` for a caller; returns (ticket id, customer id, createdAt).
async fn intake(
    app: &TestApp,
    token: &str,
    name: &str,
    phone: Option<&str>,
    email: Option<&str>,
) -> (String, String, String) {
    let body = app
        .gql(
            Some(token),
            CREATE,
            json!({ "i": { "kind": "INQUIRY", "channel": "PHONE", "subject": "Where is my order?",
                "description": "Calling about an order.",
                "customer": { "name": name, "phone": phone, "email": email } } }),
        )
        .await;
    let t = &data(&body)["createTicket"];
    (
        t["id"].as_str().expect("ticket id").to_owned(),
        t["customer"]["id"]
            .as_str()
            .expect("customer id")
            .to_owned(),
        t["createdAt"].as_str().expect("createdAt").to_owned(),
    )
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn search(app: &TestApp, token: &str, vars: Value) -> Value {
    let body = app.gql(Some(token), SEARCH, vars).await;
    data(&body)["customers"].clone()
}

async fn record(app: &TestApp, token: &str, id: &str) -> Value {
    let body = app.gql(Some(token), RECORD, json!({ "id": id })).await;
    data(&body)["customer"].clone()
}

#[tokio::test]
async fn a_caller_is_found_by_a_phone_typed_with_spaces_and_plus_86_by_name_and_by_email() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let (_, qian, _) = intake(
        &app,
        &alice,
        "Qian Duoduo",
        Some("13800138000"),
        Some("Qian.Duoduo@Duoduo-Mail.example"),
    )
    .await;
    intake(&app, &alice, "Sun Li", Some("13911112222"), None).await;

    for typed in [
        "+86 138 0013 8000",
        "+86 138-0013-8000",
        "138 0013 8000",
        "0086 13800138000",
        "0013 8000",
    ] {
        let found = search(&app, &alice, json!({ "s": typed })).await;
        assert_eq!(
            ids(&found["nodes"]),
            vec![qian.clone()],
            "{typed:?}: {found}"
        );
        assert_eq!(found["totalCount"], 1, "{typed:?}");
    }
    for term in ["qian duo", "DUODUO", "qian.duoduo@duoduo", "MAIL.EXAMPLE"] {
        let found = search(&app, &alice, json!({ "s": term })).await;
        assert_eq!(
            ids(&found["nodes"]),
            vec![qian.clone()],
            "{term:?}: {found}"
        );
    }
    // Fewer than four digits is no phone search; a number nobody has finds nobody.
    let none = search(&app, &alice, json!({ "s": "+86 139 0000 0000" })).await;
    assert_eq!(none["totalCount"], 0, "{none}");

    // The exact look-up: the same number however typed, never a part of it.
    for typed in ["13800138000", "+86 138-0013-8000", "(+86) 138 0013 8000"] {
        let body = app.gql(Some(&alice), BY_PHONE, json!({ "p": typed })).await;
        assert_eq!(
            data(&body)["customerByPhone"]["id"].as_str(),
            Some(qian.as_str()),
            "{typed:?}: {body}"
        );
    }
    for other in ["0013 8000", "13800138001", "+86 139 1111 2223"] {
        let body = app.gql(Some(&alice), BY_PHONE, json!({ "p": other })).await;
        assert!(
            data(&body)["customerByPhone"].is_null(),
            "{other:?}: {body}"
        );
    }
    let bad = app
        .gql(Some(&alice), BY_PHONE, json!({ "p": "call me" }))
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    assert_eq!(bad["errors"][0]["extensions"]["field"], "phone");
}

#[tokio::test]
async fn a_returning_caller_typed_differently_lands_on_the_same_record() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let sam = app.login(SAM).await;
    let (first, customer, _) = intake(&app, &alice, "Zhou Xun", Some("13800138000"), None).await;
    let (second, again, _) =
        intake(&app, &alice, "Zhou Xun", Some("+86 138-0013-8000"), None).await;
    assert_eq!(
        again, customer,
        "the same caller is the same customer record"
    );
    let (third, yet_again, third_at) =
        intake(&app, &alice, "Mrs Zhou", Some("0086 138 0013 8000"), None).await;
    assert_eq!(yet_again, customer);

    let seen = record(&app, &sam, &customer).await;
    assert_eq!(seen["ticketCount"], 3, "{seen}");
    // The number as first written is kept.
    assert_eq!(seen["phone"], "13800138000");
    assert_eq!(
        ids(&seen["tickets"]["nodes"]),
        vec![third.clone(), second.clone(), first.clone()],
        "newest first"
    );
    assert_eq!(seen["tickets"]["totalCount"], 3);
    let last: chrono::DateTime<chrono::Utc> = seen["lastContactAt"]
        .as_str()
        .expect("lastContactAt")
        .parse()
        .unwrap();
    let third_at: chrono::DateTime<chrono::Utc> = third_at.parse().unwrap();
    assert_eq!(
        last, third_at,
        "the last contact is the newest ticket's creation"
    );
    assert_eq!(seen["tier"], "STANDARD");
    assert_eq!(seen["tags"], json!([]));

    // Only the one record carries the number.
    let found = search(&app, &sam, json!({ "s": "13800138000" })).await;
    assert_eq!(found["totalCount"], 1, "{found}");
}

#[tokio::test]
async fn contact_data_is_masked_for_staff_not_accountable_for_the_customer() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let aaron = app.login(AARON).await;
    let sam = app.login(SAM).await;
    let (_, customer, _) = intake(
        &app,
        &alice,
        "Feng Mask",
        Some("13812345678"),
        Some("feng.mask@example.net"),
    )
    .await;

    // Aaron owns none of the customer's tickets: masked in the list, the record and the look-up.
    let listed = search(&app, &aaron, json!({ "s": "Feng Mask" })).await;
    assert_eq!(listed["nodes"][0]["phone"], "138****5678", "{listed}");
    assert_eq!(listed["nodes"][0]["email"], "f***@example.net");
    let one = record(&app, &aaron, &customer).await;
    assert_eq!(one["phone"], "138****5678", "{one}");
    assert_eq!(one["email"], "f***@example.net");
    let by_phone = app
        .gql(Some(&aaron), BY_PHONE, json!({ "p": "+86 138 1234 5678" }))
        .await;
    assert_eq!(data(&by_phone)["customerByPhone"]["phone"], "138****5678");

    // Alice took the call (she owns the ticket), the supervisor leads: both see it in full.
    for token in [&alice, &sam] {
        let listed = search(&app, token, json!({ "s": "Feng Mask" })).await;
        assert_eq!(listed["nodes"][0]["phone"], "13812345678", "{listed}");
        assert_eq!(listed["nodes"][0]["email"], "feng.mask@example.net");
        let one = record(&app, token, &customer).await;
        assert_eq!(one["phone"], "13812345678");
    }

    // A customer sees their own record's contact data on their ticket, never its tags.
    let li = app.login(LI_LEI).await;
    let own = app
        .gql(
            Some(&li),
            "{ tickets(first: 1) { nodes { customer { id email tags ticketCount } } } }",
            json!({}),
        )
        .await;
    let own = &data(&own)["tickets"]["nodes"][0]["customer"];
    assert_eq!(own["email"], LI_LEI, "{own}");
    let li_record = own["id"].as_str().expect("record id").to_owned();
    let count = own["ticketCount"].as_i64().expect("ticketCount");
    assert!(count >= 1, "{own}");
    let tagged = app
        .gql(
            Some(&sam),
            UPDATE,
            json!({ "id": li_record, "i": { "tags": ["prefers email"] } }),
        )
        .await;
    assert_eq!(
        data(&tagged)["updateCustomer"]["tags"],
        json!(["prefers email"])
    );
    let own = app
        .gql(
            Some(&li),
            "{ tickets(first: 1) { nodes { customer { tags } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&own)["tickets"]["nodes"][0]["customer"]["tags"],
        json!([]),
        "tags are notes for staff"
    );
}

#[tokio::test]
async fn the_customer_list_pages_with_cursors_and_a_total() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let mut made = Vec::new();
    for i in 0..3 {
        let phone = format!("1370000{i:04}");
        let (_, id, _) = intake(
            &app,
            &alice,
            &format!("Paging Probe {i}"),
            Some(&phone),
            None,
        )
        .await;
        made.push(id);
    }
    let first = search(&app, &alice, json!({ "s": "paging probe", "n": 2 })).await;
    assert_eq!(first["totalCount"], 3, "{first}");
    assert_eq!(ids(&first["nodes"]), made[..2].to_vec(), "oldest first");
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(
        first["edges"][1]["cursor"], first["pageInfo"]["endCursor"],
        "the end cursor is the last edge's"
    );
    let after = first["pageInfo"]["endCursor"].clone();
    let rest = search(
        &app,
        &alice,
        json!({ "s": "paging probe", "n": 2, "a": after }),
    )
    .await;
    assert_eq!(ids(&rest["nodes"]), made[2..].to_vec(), "{rest}");
    assert_eq!(rest["totalCount"], 3);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    assert_eq!(rest["pageInfo"]["hasPreviousPage"], true);

    // Every customer without a search: a bounded page, the default 20.
    let all = search(&app, &alice, json!({})).await;
    let total = all["totalCount"].as_i64().expect("total");
    assert!(total >= 3, "{all}");
    assert_eq!(
        all["nodes"].as_array().map(Vec::len),
        Some(usize::try_from(total.min(20)).unwrap())
    );
    let too_many = app.gql(Some(&alice), SEARCH, json!({ "n": 101 })).await;
    assert_eq!(error_code(&too_many), Some("BAD_USER_INPUT"), "{too_many}");
    let bad_cursor = app
        .gql(Some(&alice), SEARCH, json!({ "a": "not-a-cursor" }))
        .await;
    assert_eq!(
        error_code(&bad_cursor),
        Some("BAD_USER_INPUT"),
        "{bad_cursor}"
    );

    // A record's tickets page the same way, newest first.
    let customer = &made[0];
    let mut tickets = Vec::new();
    for _ in 0..2 {
        let (t, c, _) = intake(&app, &alice, "Paging Probe 0", Some("13700000000"), None).await;
        assert_eq!(&c, customer);
        tickets.push(t);
    }
    let page = "query($id: ID!, $a: String) { customer(id: $id) {
        tickets(first: 2, after: $a) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
            nodes { id } } } }";
    let body = app.gql(Some(&alice), page, json!({ "id": customer })).await;
    let one = &data(&body)["customer"]["tickets"];
    assert_eq!(one["totalCount"], 3, "{one}");
    assert_eq!(
        ids(&one["nodes"]),
        vec![tickets[1].clone(), tickets[0].clone()]
    );
    assert_eq!(one["pageInfo"]["hasNextPage"], true);
    let body = app
        .gql(
            Some(&alice),
            page,
            json!({ "id": customer, "a": one["pageInfo"]["endCursor"] }),
        )
        .await;
    let two = &data(&body)["customer"]["tickets"];
    assert_eq!(two["nodes"].as_array().map(Vec::len), Some(1), "{two}");
    assert_eq!(two["pageInfo"]["hasNextPage"], false);
    assert_eq!(two["pageInfo"]["hasPreviousPage"], true);

    // The tier filter.
    let sam = app.login(SAM).await;
    let vip = app
        .gql(
            Some(&sam),
            UPDATE,
            json!({ "id": made[1], "i": { "tier": "VIP" } }),
        )
        .await;
    assert_eq!(data(&vip)["updateCustomer"]["tier"], "VIP");
    let vips = search(&app, &alice, json!({ "s": "paging probe", "t": "VIP" })).await;
    assert_eq!(ids(&vips["nodes"]), vec![made[1].clone()], "{vips}");
}

#[tokio::test]
async fn corrections_are_checked_and_a_taken_phone_or_email_is_a_conflict() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let sam = app.login(SAM).await;
    let (_, wu, _) = intake(&app, &alice, "Wu Gang", Some("13600001234"), None).await;
    let (_, ma, _) = intake(
        &app,
        &alice,
        "Ma Lin",
        Some("13600005678"),
        Some("ma.lin@example.net"),
    )
    .await;

    let refused = |field: &'static str, input: Value| {
        let (app, sam, wu) = (&app, &sam, &wu);
        async move {
            let body = app
                .gql(Some(sam), UPDATE, json!({ "id": wu, "i": input }))
                .await;
            assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{input}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
        }
    };
    refused("input.email", json!({ "email": "not an address" })).await;
    refused("input.phone", json!({ "phone": "call me maybe" })).await;
    refused("input.name", json!({ "name": "   " })).await;
    refused("input.tags", json!({ "tags": ["ok", "  "] })).await;
    refused("input.tags", json!({ "tags": ["x".repeat(41)] })).await;
    let many: Vec<String> = (0..21).map(|i| format!("tag {i}")).collect();
    refused("input.tags", json!({ "tags": many })).await;
    // Nothing of a refused correction is written.
    let mixed = app
        .gql(
            Some(&sam),
            UPDATE,
            json!({ "id": wu, "i": { "name": "Renamed", "email": "nope" } }),
        )
        .await;
    assert_eq!(error_code(&mixed), Some("BAD_USER_INPUT"));
    assert_eq!(record(&app, &sam, &wu).await["name"], "Wu Gang");

    // Another record's number, however typed, or its email: CONFLICT.
    for input in [
        json!({ "phone": "+86 136 0000 5678" }),
        json!({ "email": "MA.LIN@example.net" }),
    ] {
        let body = app
            .gql(Some(&sam), UPDATE, json!({ "id": wu, "i": input }))
            .await;
        assert_eq!(error_code(&body), Some("CONFLICT"), "{input}: {body}");
    }

    // A good correction: trimmed, deduplicated tags; the new number is what finds the record.
    let body = app
        .gql(
            Some(&alice),
            UPDATE,
            json!({ "id": wu, "i": { "name": " Wu Gang Jr ", "phone": "+86 136-0000-9999",
                "email": " Wu.Gang@Example.net ",
                "tags": [" wholesale ", "Wholesale", "late payer"] } }),
        )
        .await;
    let updated = &data(&body)["updateCustomer"];
    assert_eq!(updated["name"], "Wu Gang Jr", "{updated}");
    assert_eq!(updated["tags"], json!(["wholesale", "late payer"]));
    let seen = record(&app, &sam, &wu).await;
    assert_eq!(seen["phone"], "+86 136-0000-9999", "{seen}");
    assert_eq!(seen["email"], "wu.gang@example.net");
    let now = app
        .gql(Some(&alice), BY_PHONE, json!({ "p": "13600009999" }))
        .await;
    assert_eq!(
        data(&now)["customerByPhone"]["id"].as_str(),
        Some(wu.as_str())
    );
    let before = app
        .gql(Some(&alice), BY_PHONE, json!({ "p": "13600001234" }))
        .await;
    assert!(data(&before)["customerByPhone"].is_null(), "{before}");
    // Its own number again is no conflict.
    let same = app
        .gql(
            Some(&alice),
            UPDATE,
            json!({ "id": wu, "i": { "phone": "136 0000 9999" } }),
        )
        .await;
    data(&same);

    // A record that does not exist.
    let missing = app
        .gql(
            Some(&sam),
            UPDATE,
            json!({ "id": "01900000-0000-7000-8000-00000000beef", "i": { "name": "x" } }),
        )
        .await;
    assert_eq!(error_code(&missing), Some("NOT_FOUND"), "{missing}");
    // The other record is untouched by the refused corrections.
    let other = record(&app, &sam, &ma).await;
    assert_eq!(other["phone"], "13600005678", "{other}");
    assert_eq!(other["email"], "ma.lin@example.net");
}

#[tokio::test]
async fn only_leads_change_a_tier() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let sam = app.login(SAM).await;
    let (_, zheng, _) = intake(&app, &alice, "Zheng Tier", Some("13500001111"), None).await;

    let refused = app
        .gql(
            Some(&alice),
            UPDATE,
            json!({ "id": zheng, "i": { "tier": "VIP", "tags": ["big spender"] } }),
        )
        .await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let seen = record(&app, &sam, &zheng).await;
    assert_eq!(
        seen["tier"], "STANDARD",
        "nothing of the refused update is written"
    );
    assert_eq!(seen["tags"], json!([]));

    let raised = app
        .gql(
            Some(&sam),
            UPDATE,
            json!({ "id": zheng, "i": { "tier": "KEY_ACCOUNT" } }),
        )
        .await;
    assert_eq!(data(&raised)["updateCustomer"]["tier"], "KEY_ACCOUNT");
    // Sending the tier the record already has is no change: agents may.
    let kept = app
        .gql(
            Some(&alice),
            UPDATE,
            json!({ "id": zheng, "i": { "tier": "KEY_ACCOUNT", "tags": ["big spender"] } }),
        )
        .await;
    assert_eq!(
        data(&kept)["updateCustomer"]["tags"],
        json!(["big spender"])
    );
    let lowered = app
        .gql(
            Some(&alice),
            UPDATE,
            json!({ "id": zheng, "i": { "tier": "STANDARD" } }),
        )
        .await;
    assert_eq!(error_code(&lowered), Some("FORBIDDEN"), "{lowered}");
}

#[tokio::test]
async fn merging_keeps_every_ticket_and_removes_the_duplicate() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let sam = app.login(SAM).await;
    let manager = app.login(MANAGER).await;
    let (k1, keep, _) = intake(&app, &alice, "He Ping", Some("13300001111"), None).await;
    let (k2, again, _) = intake(&app, &alice, "He Ping", Some("13300001111"), None).await;
    assert_eq!(again, keep);
    let (m1, dup, _) = intake(
        &app,
        &alice,
        "Ping He",
        Some("13300002222"),
        Some("he.ping@example.net"),
    )
    .await;
    assert_ne!(dup, keep);
    data(
        &app.gql(
            Some(&sam),
            UPDATE,
            json!({ "id": keep, "i": { "tags": ["wholesale"] } }),
        )
        .await,
    );
    data(
        &app.gql(
            Some(&sam),
            UPDATE,
            json!({ "id": dup, "i": { "tier": "VIP", "tags": ["Wholesale", "press"] } }),
        )
        .await,
    );

    // Agents may not merge; nobody merges a record into itself.
    let agent = app
        .gql(Some(&alice), MERGE, json!({ "k": keep, "m": dup }))
        .await;
    assert_eq!(error_code(&agent), Some("FORBIDDEN"), "{agent}");
    let itself = app
        .gql(Some(&manager), MERGE, json!({ "k": keep, "m": keep }))
        .await;
    assert_eq!(error_code(&itself), Some("BAD_USER_INPUT"), "{itself}");
    assert_eq!(itself["errors"][0]["extensions"]["field"], "mergeId");
    assert_eq!(record(&app, &sam, &keep).await["ticketCount"], 2);

    let body = app
        .gql(Some(&manager), MERGE, json!({ "k": keep, "m": dup }))
        .await;
    let merged = &data(&body)["mergeCustomers"];
    assert_eq!(merged["id"].as_str(), Some(keep.as_str()), "{merged}");
    assert_eq!(merged["ticketCount"], 3, "2 + 1 tickets");
    let mut listed = ids(&merged["tickets"]["nodes"]);
    listed.sort();
    let mut expected = vec![k1.clone(), k2.clone(), m1.clone()];
    expected.sort();
    assert_eq!(listed, expected);
    // Its own phone stays; the email it lacked, the higher tier and the union of the tags come.
    assert_eq!(merged["phone"], "13300001111");
    assert_eq!(merged["email"], "he.ping@example.net");
    assert_eq!(merged["tier"], "VIP");
    assert_eq!(merged["tags"], json!(["wholesale", "press"]));

    // The duplicate is gone, its ticket is the kept record's, and its number no longer finds it.
    let gone = app.gql(Some(&sam), RECORD, json!({ "id": dup })).await;
    assert!(data(&gone)["customer"].is_null(), "{gone}");
    let moved = app
        .gql(
            Some(&sam),
            "query($id: ID!) { ticket(id: $id) { customer { id } } }",
            json!({ "id": m1 }),
        )
        .await;
    assert_eq!(
        data(&moved)["ticket"]["customer"]["id"].as_str(),
        Some(keep.as_str())
    );
    let old_number = app
        .gql(Some(&sam), BY_PHONE, json!({ "p": "13300002222" }))
        .await;
    assert!(data(&old_number)["customerByPhone"].is_null());
    let again = app
        .gql(Some(&manager), MERGE, json!({ "k": keep, "m": dup }))
        .await;
    assert_eq!(error_code(&again), Some("NOT_FOUND"), "{again}");

    // Two records that both belong to app accounts cannot become one.
    let li = app.login(LI_LEI).await;
    let han = app.login(HAN_MEIMEI).await;
    let own_record = |token: String| {
        let app = &app;
        async move {
            let body = app
                .gql(
                    Some(&token),
                    "mutation { createTicket(input: { kind: INQUIRY, channel: MOBILE_APP,
                        subject: \"Hello\", description: \"From the app.\" }) { customer { id } } }",
                    json!({}),
                )
                .await;
            data(&body)["createTicket"]["customer"]["id"]
                .as_str()
                .expect("own record")
                .to_owned()
        }
    };
    let li_record = own_record(li).await;
    let han_record = own_record(han).await;
    let both = app
        .gql(
            Some(&manager),
            MERGE,
            json!({ "k": li_record, "m": han_record }),
        )
        .await;
    assert_eq!(error_code(&both), Some("CONFLICT"), "{both}");
}

#[tokio::test]
async fn customers_liaisons_and_trainers_may_not_search_customers() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let (_, customer, _) = intake(&app, &alice, "Lu Secret", Some("13200001111"), None).await;
    for who in [LI_LEI, LEGAL, TRAINER] {
        let token = app.login(who).await;
        for (query, vars) in [
            (SEARCH, json!({ "s": "Lu" })),
            (RECORD, json!({ "id": customer })),
            (BY_PHONE, json!({ "p": "13200001111" })),
        ] {
            let body = app.gql(Some(&token), query, vars).await;
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who}: {body}");
        }
        let body = app
            .gql(
                Some(&token),
                UPDATE,
                json!({ "id": customer, "i": { "name": "Hacked" } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who}: {body}");
    }
    let nobody = app.gql(None, SEARCH, json!({})).await;
    assert_eq!(error_code(&nobody), Some("UNAUTHENTICATED"), "{nobody}");
    // An unknown or malformed id is simply no record.
    for id in ["01900000-0000-7000-8000-00000000beef", "nope"] {
        let body = app.gql(Some(&alice), RECORD, json!({ "id": id })).await;
        assert!(data(&body)["customer"].is_null(), "{body}");
    }
}

#[tokio::test]
async fn records_stored_without_a_phone_key_get_one_at_start() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let (_, customer, _) =
        intake(&app, &alice, "Old Record", Some("+86 131 0000 1111"), None).await;
    app.state
        .app
        .db
        .execute_unprepared("UPDATE customers SET phone_key = NULL")
        .await
        .expect("forget the keys");
    let lost = app
        .gql(Some(&alice), BY_PHONE, json!({ "p": "13100001111" }))
        .await;
    assert!(data(&lost)["customerByPhone"].is_null(), "{lost}");

    let restarted = app.spawn_sharing(|_| {}).await;
    let alice = restarted.login(ALICE).await;
    let found = restarted
        .gql(Some(&alice), BY_PHONE, json!({ "p": "13100001111" }))
        .await;
    assert_eq!(
        data(&found)["customerByPhone"]["id"].as_str(),
        Some(customer.as_str()),
        "{found}"
    );
    // And intake recognises the caller again.
    let (_, same, _) = intake(&restarted, &alice, "Old Record", Some("13100001111"), None).await;
    assert_eq!(same, customer);
}

const PAGE: &str = "query($n: Int!) { customers(first: $n) { totalCount nodes {
    name phone tier tags ticketCount lastContactAt
    tickets(first: 2) { totalCount nodes { number customer { name } } } } } }";

async fn statements_for(app: &TestApp, token: &str, n: usize) -> u64 {
    let (least, bodies) = statements(app, token, PAGE, json!({ "n": n })).await;
    for body in &bodies {
        assert_eq!(
            data(body)["customers"]["nodes"].as_array().map(Vec::len),
            Some(n)
        );
    }
    least
}

#[tokio::test]
async fn a_page_of_customers_with_their_tickets_costs_a_bounded_number_of_statements() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    for i in 0..40 {
        let phone = format!("1310000{i:04}");
        intake(
            &app,
            &alice,
            &format!("Bulk Customer {i}"),
            Some(&phone),
            None,
        )
        .await;
        intake(
            &app,
            &alice,
            &format!("Bulk Customer {i}"),
            Some(&phone),
            None,
        )
        .await;
    }
    // Aaron owns none of them, so masking needs its one look-up too.
    let aaron = app.login(AARON).await;
    let small = statements_for(&app, &aaron, 3).await;
    let large = statements_for(&app, &aaron, 40).await;
    assert!(
        large <= small + 2 && large <= 12,
        "statements for 3 customers: {small}, for 40: {large}"
    );
}

#[tokio::test]
async fn a_merge_that_fails_halfway_leaves_both_records_as_they_were() {
    let app = TestApp::spawn().await;
    let alice = app.login(ALICE).await;
    let manager = app.login(MANAGER).await;
    let (_, keep, _) = intake(&app, &alice, "Tang Atomic", Some("13400001111"), None).await;
    let (moved, dup, _) = intake(&app, &alice, "Tang A.", Some("13400002222"), None).await;
    // The last step, the kept record's update, fails inside the database.
    app.fail_writes("customers", "UPDATE").await;
    let failed = app
        .gql(Some(&manager), MERGE, json!({ "k": keep, "m": dup }))
        .await;
    assert_eq!(error_code(&failed), Some("INTERNAL"), "{failed}");
    app.allow_writes("customers", "UPDATE").await;

    let still = record(&app, &manager, &dup).await;
    assert_eq!(
        still["ticketCount"], 1,
        "the duplicate keeps its ticket: {still}"
    );
    assert_eq!(ids(&still["tickets"]["nodes"]), vec![moved]);
    assert_eq!(record(&app, &manager, &keep).await["ticketCount"], 1);
}
