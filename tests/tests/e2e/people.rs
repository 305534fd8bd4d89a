//! People and organisation, and the role × action table enforced end to end.

use careline_domain::permission::{Action, allowed};
use careline_domain::{Role, Roles};
use careline_tests::kit::{
    AARON, ADMIN, ALICE, DEACTIVATE, LEGAL, LI_LEI, MANAGER, SAM, SUE, TECH, TRAINER,
};
use careline_tests::{TestApp, data, error_code};
use serde_json::{Value, json};

/// One demo account per role.
const ACCOUNTS: [(Role, &str); 8] = [
    (Role::Customer, LI_LEI),
    (Role::Agent, ALICE),
    (Role::TechSupport, TECH),
    (Role::Trainer, TRAINER),
    (Role::Supervisor, SAM),
    (Role::Manager, MANAGER),
    (Role::DepartmentLiaison, LEGAL),
    (Role::Admin, ADMIN),
];

/// Records the probes act on.
struct Fixture {
    agent: String,
    ticket: String,
}

/// An operation guarded by one row of the table, with inputs that succeed when allowed.
struct Probe {
    action: Action,
    query: &'static str,
    variables: fn(&Fixture, usize) -> Value,
}

fn probes() -> Vec<Probe> {
    vec![
        Probe {
            action: Action::ReadStaffDirectory,
            query: "{ users(first: 5) { totalCount } }",
            variables: |_, _| json!({}),
        },
        Probe {
            action: Action::ReadStaffDirectory,
            query: "{ teams { name } }",
            variables: |_, _| json!({}),
        },
        Probe {
            action: Action::ReadDepartments,
            query: "{ departments { name kind } }",
            variables: |_, _| json!({}),
        },
        Probe {
            action: Action::ReadCustomerAccounts,
            query: "{ users(role: CUSTOMER, first: 5) { totalCount } }",
            variables: |_, _| json!({}),
        },
        Probe {
            action: Action::CreateUser,
            query: "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            variables: |_, n| json!({ "i": { "email": format!("probe{n}@careline.example"), "name": "Probe", "password": "a fine passphrase", "roles": ["AGENT"] } }),
        },
        Probe {
            action: Action::SetUserActive,
            query: "mutation($id: ID!) { setUserActive(id: $id, active: true) { active } }",
            variables: |f, _| json!({ "id": f.agent }),
        },
        Probe {
            action: Action::ManageOrganisation,
            query: "mutation($n: String!) { createDepartment(name: $n, kind: SALES) { id } }",
            variables: |_, n| json!({ "n": format!("Probe department {n}") }),
        },
        Probe {
            action: Action::CreateTicket,
            query: "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }",
            variables: |_, n| {
                json!({ "i": { "kind": "INQUIRY", "channel": "PHONE", "subject": format!("Probe {n}"),
                "description": "x", "customer": { "name": "Probe" } } })
            },
        },
        Probe {
            action: Action::ReadQueue,
            query: "{ escalations(first: 1) { id } }",
            variables: |_, _| json!({}),
        },
        Probe {
            action: Action::AssignTicket,
            query: "mutation($id: ID!) { autoAssignTicket(id: $id) { id } }",
            variables: |f, _| json!({ "id": f.ticket }),
        },
        Probe {
            action: Action::ManageSlaPolicies,
            query: "mutation($i: SlaPolicyInput!) { upsertSlaPolicy(input: $i) { id } }",
            variables: |_, _| {
                json!({ "i": { "name": "Probe", "kind": "PRAISE", "firstResponseMinutes": 60,
                "resolutionMinutes": 600, "timeZone": "UTC", "windows": "24x7" } })
            },
        },
        Probe {
            action: Action::ManageShifts,
            query: "mutation($a: ID!, $s: DateTime!, $e: DateTime!) { createShift(agentId: $a, startsAt: $s, endsAt: $e) { id } }",
            variables: |f, _| json!({ "a": f.agent, "s": "2030-01-01T09:00:00Z", "e": "2030-01-01T17:00:00Z" }),
        },
        Probe {
            action: Action::ManageTraining,
            query: "mutation($i: CourseInput!) { createCourse(input: $i) { id } }",
            variables: |_, n| {
                json!({ "i": { "title": format!("Probe course {n}"), "category": "ETHICS",
                "requiredForRoles": [], "passScore": 60 } })
            },
        },
        Probe {
            action: Action::SetPresence,
            query: "mutation { setPresence(presence: AVAILABLE) { presence } }",
            variables: |_, _| json!({}),
        },
    ]
}

#[tokio::test]
async fn every_role_gets_exactly_what_the_permission_table_says() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ticket = app
        .gql(Some(&admin), "mutation { createTicket(input: { kind: INQUIRY, channel: PHONE, subject: \"Probe\", description: \"x\", customer: { name: \"P\" } }) { id } }", json!({}))
        .await;
    let fixture = Fixture {
        agent: app.user_id(AARON).await,
        ticket: data(&ticket)["createTicket"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    };
    let mut n = 0;
    for (role, email) in ACCOUNTS {
        let token = app.login(email).await;
        for probe in probes() {
            n += 1;
            let body = app
                .gql(Some(&token), probe.query, (probe.variables)(&fixture, n))
                .await;
            let expected = allowed(Roles::from_iter([role]), probe.action);
            if expected {
                assert!(
                    body.get("errors").is_none(),
                    "{role} should be allowed {:?}: {body}",
                    probe.action
                );
            } else {
                assert_eq!(
                    error_code(&body),
                    Some("FORBIDDEN"),
                    "{role} should be refused {:?}: {body}",
                    probe.action
                );
            }
        }
    }
}

#[tokio::test]
async fn anonymous_callers_are_asked_to_sign_in() {
    let app = TestApp::spawn().await;
    for query in [
        "{ me { id } }",
        "{ users { totalCount } }",
        "{ departments { id } }",
    ] {
        let body = app.gql(None, query, json!({})).await;
        assert_eq!(
            error_code(&body),
            Some("UNAUTHENTICATED"),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn the_staff_directory_pages_with_cursors() {
    let app = TestApp::spawn().await;
    let token = app.login(MANAGER).await;
    const PAGE: &str = "query($after: String) { users(first: 5, after: $after) {
        totalCount edges { cursor node { email } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app.gql(Some(&token), PAGE, json!({ "after": after })).await;
        let page = &data(&body)["users"];
        assert_eq!(
            page["totalCount"], 12,
            "twelve demo staff accounts, no customers"
        );
        for edge in page["edges"].as_array().unwrap() {
            seen.push(edge["node"]["email"].as_str().unwrap().to_owned());
        }
        if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), 12);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 12, "no account appears twice across pages");

    let too_big = app
        .gql(
            Some(&token),
            "{ users(first: 101) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&too_big), Some("BAD_USER_INPUT"));
    assert_eq!(too_big["errors"][0]["extensions"]["field"], "first");
    let bad_cursor = app
        .gql(Some(&token), PAGE, json!({ "after": "nonsense" }))
        .await;
    assert_eq!(error_code(&bad_cursor), Some("BAD_USER_INPUT"));

    let agents = app
        .gql(
            Some(&token),
            "{ users(role: AGENT) { nodes { roles } } }",
            json!({}),
        )
        .await;
    for node in data(&agents)["users"]["nodes"].as_array().unwrap() {
        assert!(node["roles"].as_array().unwrap().contains(&json!("AGENT")));
    }
}

#[tokio::test]
async fn create_user_validates_every_input() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    const CREATE: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { email roles team { name } department { name } skills capacity } }";
    let base = json!({ "email": "x@careline.example", "name": "X", "password": "a fine passphrase", "roles": ["AGENT"] });
    let with = |patch: Value| {
        let mut input = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            input[k] = v.clone();
        }
        json!({ "i": input })
    };
    for (patch, field) in [
        (json!({ "email": "nope" }), "input.email"),
        (json!({ "name": "   " }), "input.name"),
        (json!({ "password": "123" }), "input.password"),
        (json!({ "roles": [] }), "input.roles"),
        (json!({ "roles": ["CUSTOMER", "AGENT"] }), "input.roles"),
        (json!({ "capacity": -1 }), "input.capacity"),
        (json!({ "teamId": "not-an-id" }), "input.teamId"),
        (
            json!({ "departmentId": uuid::Uuid::now_v7().to_string() }),
            "input.departmentId",
        ),
    ] {
        let body = app.gql(Some(&admin), CREATE, with(patch.clone())).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{patch}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{patch}");
    }

    let teams = app
        .gql(
            Some(&admin),
            "{ teams { id name department { id } } }",
            json!({}),
        )
        .await;
    let team = &data(&teams)["teams"][0];
    let created = app
        .gql(
            Some(&admin),
            CREATE,
            with(json!({ "teamId": team["id"], "skills": ["Technical"], "capacity": 5 })),
        )
        .await;
    let user = &data(&created)["createUser"];
    assert_eq!(user["team"]["name"], team["name"]);
    assert_eq!(
        user["department"]["name"], "Customer Service",
        "the team's department is implied"
    );
    assert_eq!(user["skills"], json!(["technical"]));
    assert_eq!(user["capacity"], 5);

    let duplicate = app
        .gql(
            Some(&admin),
            CREATE,
            with(json!({ "email": "X@careline.example" })),
        )
        .await;
    assert_eq!(error_code(&duplicate), Some("CONFLICT"));
}

#[tokio::test]
async fn teams_need_an_active_supervisor_and_a_real_department() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    const TEAM: &str = "mutation($n: String!, $d: ID!, $s: ID) { createTeam(name: $n, departmentId: $d, supervisorId: $s) { name supervisor { email } department { kind } members { id } } }";
    let departments = app
        .gql(Some(&admin), "{ departments { id kind } }", json!({}))
        .await;
    let cs = data(&departments)["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "CUSTOMER_SERVICE")
        .unwrap()["id"]
        .clone();
    let agent = app.user_id(ALICE).await;
    let not_supervisor = app
        .gql(
            Some(&admin),
            TEAM,
            json!({ "n": "Night", "d": cs, "s": agent }),
        )
        .await;
    assert_eq!(
        not_supervisor["errors"][0]["extensions"]["field"],
        "supervisorId"
    );
    let no_department = app
        .gql(
            Some(&admin),
            TEAM,
            json!({ "n": "Night", "d": uuid::Uuid::now_v7().to_string() }),
        )
        .await;
    assert_eq!(
        no_department["errors"][0]["extensions"]["field"],
        "departmentId"
    );

    let supervisor = app.user_id(SUE).await;
    let ok = app
        .gql(
            Some(&admin),
            TEAM,
            json!({ "n": "Night", "d": cs, "s": supervisor }),
        )
        .await;
    assert_eq!(data(&ok)["createTeam"]["supervisor"]["email"], SUE);
    assert_eq!(data(&ok)["createTeam"]["members"], json!([]));
    let again = app
        .gql(Some(&admin), TEAM, json!({ "n": "Night", "d": cs }))
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"));
}

#[tokio::test]
async fn people_read_themselves_but_customers_cannot_read_the_directory() {
    let app = TestApp::spawn().await;
    let customer = app.login(LI_LEI).await;
    let me = app
        .gql(Some(&customer), "{ me { id email roles } }", json!({}))
        .await;
    let my_id = data(&me)["me"]["id"].clone();
    let myself = app
        .gql(
            Some(&customer),
            "query($id: ID!) { user(id: $id) { email } }",
            json!({ "id": my_id }),
        )
        .await;
    assert_eq!(data(&myself)["user"]["email"], LI_LEI);
    let agent = app.user_id(ALICE).await;
    let other = app
        .gql(
            Some(&customer),
            "query($id: ID!) { user(id: $id) { email } }",
            json!({ "id": agent }),
        )
        .await;
    assert_eq!(error_code(&other), Some("FORBIDDEN"));

    // Agents read staff but not customer accounts.
    let staff = app.login(AARON).await;
    let colleague = app
        .gql(
            Some(&staff),
            "query($id: ID!) { user(id: $id) { email team { name members { email } } } }",
            json!({ "id": agent }),
        )
        .await;
    assert_eq!(data(&colleague)["user"]["email"], ALICE);
    let customer_account = app
        .gql(
            Some(&staff),
            "query($id: ID!) { user(id: $id) { email } }",
            json!({ "id": my_id }),
        )
        .await;
    assert_eq!(error_code(&customer_account), Some("FORBIDDEN"));
    let missing = app
        .gql(
            Some(&staff),
            "query($id: ID!) { user(id: $id) { email } }",
            json!({ "id": "nope" }),
        )
        .await;
    assert_eq!(data(&missing)["user"], Value::Null);
}

#[tokio::test]
async fn presence_is_set_by_each_staff_member_for_themselves() {
    let app = TestApp::spawn().await;
    let token = app.login(ALICE).await;
    let body = app
        .gql(
            Some(&token),
            "mutation { setPresence(presence: BUSY) { presence } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&body)["setPresence"]["presence"], "BUSY");
    let me = app
        .gql(Some(&token), "{ me { presence } }", json!({}))
        .await;
    assert_eq!(data(&me)["me"]["presence"], "BUSY");
}

#[tokio::test]
async fn admins_cannot_deactivate_themselves() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let id = app.user_id(ADMIN).await;
    let body = app.gql(Some(&admin), DEACTIVATE, json!({ "id": id })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
}
