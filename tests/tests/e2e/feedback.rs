//! Feedback as the complaint plan reads it: a justified complaint may be a business
//! department's responsibility (a product fault with nobody at fault), and praise goes to teams
//! and departments as well as people — reaching the praised and their lead.

use careline_tests::kit::{
    AARON, AGENT, BELLA, LEGAL, SUPERVISOR, complaint, create_ticket, department_id,
};
use careline_tests::{TestApp, data, error_code};
use serde_json::{Value, json};

const VERDICT: &str = "mutation($id: ID!, $v: ComplaintVerdict!, $d: ID) {
    recordComplaintVerdict(ticketId: $id, verdict: $v, rootCause: \"A faulty batch\",
        responsibleDepartmentId: $d) { id responsibleDepartment { name } } }";
const CREATE: &str = "mutation($i: CreateTicketInput!) { createTicket(input: $i) {
    id number praisedTeam { name } praisedDepartment { name } praisedEmployee { email } } }";
const INBOX: &str = "{ myNotifications(first: 50) { nodes { kind title } } }";

/// The PRAISED entries about ticket `number` in the inbox of `token`'s holder (a liaison may
/// not read the ticket itself, so the entry is matched by the number in its title).
async fn praised(app: &TestApp, token: &str, number: &str) -> usize {
    let body = app.gql(Some(token), INBOX, json!({})).await;
    data(&body)["myNotifications"]["nodes"]
        .as_array()
        .expect("inbox")
        .iter()
        .filter(|n| {
            n["kind"] == "PRAISED" && n["title"].as_str().is_some_and(|t| t.contains(number))
        })
        .count()
}

fn praise(extra: Value) -> Value {
    let mut input = json!({ "kind": "PRAISE", "channel": "PHONE",
        "subject": "Thank you for the quick repair",
        "description": "The technicians came the same day.",
        "customer": { "name": "Zhao Lei", "phone": "13900139000" } });
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({ "i": input })
}

#[tokio::test]
async fn a_justified_complaint_may_name_the_department_responsible_instead_of_a_person() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let lead = app.login(SUPERVISOR).await;
    let id = create_ticket(&app, &agent, complaint("Screen cracks by itself")).await;
    let nobody = app
        .gql(Some(&lead), VERDICT, json!({ "id": id, "v": "JUSTIFIED" }))
        .await;
    assert_eq!(error_code(&nobody), Some("BAD_USER_INPUT"), "{nobody}");
    let unknown = app
        .gql(
            Some(&lead),
            VERDICT,
            json!({ "id": id, "v": "JUSTIFIED", "d": "01900000-0000-7000-8000-00000000beef" }),
        )
        .await;
    assert_eq!(error_code(&unknown), Some("BAD_USER_INPUT"), "{unknown}");
    let product = department_id(&app, &lead, "Product").await;
    let body = app
        .gql(
            Some(&lead),
            VERDICT,
            json!({ "id": id, "v": "JUSTIFIED", "d": product }),
        )
        .await;
    assert_eq!(
        data(&body)["recordComplaintVerdict"]["responsibleDepartment"]["name"],
        "Product",
        "{body}"
    );
    // The analytics count it against the department, not a person.
    let analytics = "query($f: DateTime!, $t: DateTime!) { complaintAnalytics(from: $f, to: $t,
        bucket: MONTH) { byResponsibleDepartment { key count } } }";
    let now = chrono::Utc::now();
    let body = app
        .gql(
            Some(&lead),
            analytics,
            json!({ "f": (now - chrono::Duration::days(30)).to_rfc3339(),
                "t": (now + chrono::Duration::days(1)).to_rfc3339() }),
        )
        .await;
    let by = data(&body)["complaintAnalytics"]["byResponsibleDepartment"]
        .as_array()
        .expect("counts");
    assert!(
        by.contains(&json!({ "key": "Product", "count": 1 })),
        "{body}"
    );
}

#[tokio::test]
async fn praise_reaches_a_team_or_a_department_and_their_lead() {
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let aaron = app.login(AARON).await;
    let lead = app.login(SUPERVISOR).await;
    let bella = app.login(BELLA).await;
    let legal = app.login(LEGAL).await;
    let teams = app
        .gql(Some(&agent), "{ me { team { id name } } }", json!({}))
        .await;
    let team = data(&teams)["me"]["team"]["id"].clone();

    // Nobody named, or a non-praise ticket naming someone: refused.
    let body = app.gql(Some(&agent), CREATE, praise(json!({}))).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let mut inquiry = praise(json!({ "praisedTeamId": team }));
    inquiry["i"]["kind"] = json!("INQUIRY");
    let body = app.gql(Some(&agent), CREATE, inquiry).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");

    // The team: its members and its supervisor hear of it; another team does not.
    let body = app
        .gql(
            Some(&agent),
            CREATE,
            praise(json!({ "praisedTeamId": team })),
        )
        .await;
    let created = &data(&body)["createTicket"];
    assert_eq!(
        created["praisedTeam"]["name"],
        data(&teams)["me"]["team"]["name"]
    );
    let id = created["number"].as_str().unwrap().to_owned();
    for token in [&agent, &aaron, &lead] {
        assert_eq!(praised(&app, token, &id).await, 1, "{body}");
    }
    assert_eq!(praised(&app, &bella, &id).await, 0);

    // A department: its staff hear of it.
    let legal_id = department_id(&app, &agent, "Legal").await;
    let body = app
        .gql(
            Some(&agent),
            CREATE,
            praise(json!({ "praisedDepartmentId": legal_id })),
        )
        .await;
    let created = &data(&body)["createTicket"];
    assert_eq!(created["praisedDepartment"]["name"], "Legal", "{body}");
    let id = created["number"].as_str().unwrap().to_owned();
    assert_eq!(praised(&app, &legal, &id).await, 1);
    assert_eq!(praised(&app, &aaron, &id).await, 0);
}

#[tokio::test]
async fn a_liaison_registers_feedback_their_department_received_with_the_clock_from_when_it_happened()
 {
    let app = TestApp::spawn().await;
    let legal = app.login(LEGAL).await;
    let agent = app.login(AGENT).await;
    // Wednesday 3 March 2027, 15:00 in Shanghai; the repair was done at 10:00 (先进行维修,再补办派).
    let now = careline_tests::kit::shanghai(2027, 3, 3, 15, 0);
    careline_tests::kit::set_clock(&app, now);
    let happened = careline_tests::kit::shanghai(2027, 3, 3, 10, 0);
    let create = "mutation($i: CreateTicketInput!) { createTicket(input: $i) {
        id status owner { email } department { name } sla { firstResponseDueAt } } }";
    let mut input = complaint("Contract clause disputed at the counter");
    input["i"]["occurredAt"] = json!(happened.to_rfc3339());
    let body = app.gql(Some(&legal), create, input).await;
    let created = &data(&body)["createTicket"];
    assert_eq!(created["status"], "NEW", "{body}");
    assert_eq!(created["department"]["name"], "Legal", "{body}");
    assert_eq!(created["owner"], Value::Null, "{body}");
    // A general complaint's first response is due two business hours after it happened.
    assert_eq!(
        careline_tests::kit::time(&created["sla"]["firstResponseDueAt"]),
        careline_tests::kit::shanghai(2027, 3, 3, 12, 0),
        "{body}"
    );
    let id = created["id"].as_str().unwrap().to_owned();
    // The department holds it: its liaison reads it and adds notes.
    let note =
        "mutation($id: ID!) { addTicketNote(id: $id, body: \"Repaired on the spot\") { id } }";
    let noted = app.gql(Some(&legal), note, json!({ "id": id })).await;
    assert_eq!(error_code(&noted), None, "{noted}");
    // Customer service acknowledges it and owns it from then on.
    let ack = "mutation($id: ID!) { acknowledgeTicket(id: $id) { status owner { email } } }";
    let body = app.gql(Some(&agent), ack, json!({ "id": id })).await;
    assert_eq!(
        data(&body)["acknowledgeTicket"],
        json!({ "status": "OPEN", "owner": { "email": AGENT } }),
        "{body}"
    );
}
