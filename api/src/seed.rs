//! Start-up data: the bootstrap admin from the environment, and the demo organisation for a
//! fresh development database.

use crate::auth::password;
use crate::error::ApiError;
use crate::state::AppState;
use anyhow::{Context, anyhow};
use careline_domain::org::DepartmentKind;
use careline_domain::{Role, Roles, password::check_policy};
use careline_persistence::{org, users};
use uuid::Uuid;

/// The password of every demo account (listed in README.md).
pub const DEMO_PASSWORD: &str = "careline-demo-2026";

/// One demo account: email, name, roles, department, team, skills.
type DemoUser = (
    &'static str,
    &'static str,
    &'static [Role],
    Option<&'static str>,
    Option<&'static str>,
    &'static [&'static str],
);

/// Demo accounts (listed in README.md).
pub const DEMO_USERS: &[DemoUser] = &[
    (
        "admin@careline.example",
        "Ada Admin",
        &[Role::Admin],
        None,
        None,
        &[],
    ),
    (
        "manager@careline.example",
        "Mina Manager",
        &[Role::Manager],
        Some("Customer Service"),
        None,
        &[],
    ),
    (
        "supervisor.a@careline.example",
        "Sam Supervisor",
        &[Role::Supervisor],
        Some("Customer Service"),
        Some("Front Desk A"),
        &[],
    ),
    (
        "supervisor.b@careline.example",
        "Sofia Supervisor",
        &[Role::Supervisor],
        Some("Customer Service"),
        Some("Front Desk B"),
        &[],
    ),
    (
        "agent.a1@careline.example",
        "Alice Agent",
        &[Role::Agent],
        Some("Customer Service"),
        Some("Front Desk A"),
        &["billing"],
    ),
    (
        "agent.a2@careline.example",
        "Aaron Agent",
        &[Role::Agent],
        Some("Customer Service"),
        Some("Front Desk A"),
        &["after_sales"],
    ),
    (
        "agent.b1@careline.example",
        "Bella Agent",
        &[Role::Agent],
        Some("Customer Service"),
        Some("Front Desk B"),
        &["billing", "after_sales"],
    ),
    (
        "tech@careline.example",
        "Theo Tech",
        &[Role::TechSupport],
        Some("Customer Service"),
        Some("Front Desk A"),
        &["technical"],
    ),
    (
        "trainer@careline.example",
        "Tara Trainer",
        &[Role::Trainer],
        Some("Customer Service"),
        None,
        &[],
    ),
    (
        "legal@careline.example",
        "Leo Legal",
        &[Role::DepartmentLiaison],
        Some("Legal"),
        None,
        &[],
    ),
    (
        "logistics@careline.example",
        "Lola Logistics",
        &[Role::DepartmentLiaison],
        Some("Logistics"),
        None,
        &[],
    ),
    (
        "product@careline.example",
        "Pablo Product",
        &[Role::DepartmentLiaison],
        Some("Product"),
        None,
        &[],
    ),
    (
        "li.lei@example.com",
        "Li Lei",
        &[Role::Customer],
        None,
        None,
        &[],
    ),
    (
        "han.meimei@example.com",
        "Han Meimei",
        &[Role::Customer],
        None,
        None,
        &[],
    ),
];

const DEPARTMENTS: &[(&str, DepartmentKind)] = &[
    ("Customer Service", DepartmentKind::CustomerService),
    ("After-Sales", DepartmentKind::AfterSales),
    ("Technical", DepartmentKind::Technical),
    ("Product", DepartmentKind::Product),
    ("Sales", DepartmentKind::Sales),
    ("Logistics", DepartmentKind::Operations),
    ("Legal", DepartmentKind::Legal),
];

const TEAMS: &[(&str, &str)] = &[
    ("Front Desk A", "supervisor.a@careline.example"),
    ("Front Desk B", "supervisor.b@careline.example"),
];

/// Creates `BOOTSTRAP_ADMIN_EMAIL` as an admin unless an account with that email exists.
pub async fn bootstrap_admin(state: &AppState) -> anyhow::Result<()> {
    let Some((email, password)) = &state.settings.bootstrap_admin else {
        return Ok(());
    };
    if users::find_by_email(&state.db, email).await?.is_some() {
        return Ok(());
    }
    check_policy(password, "BOOTSTRAP_ADMIN_PASSWORD")
        .map_err(|e| anyhow!("BOOTSTRAP_ADMIN_PASSWORD: {e}"))?;
    let hash = password::hash(password.clone()).await.map_err(internal)?;
    let admin = users::insert(
        &state.db,
        users::NewUser {
            email: email.clone(),
            name: "Administrator".to_owned(),
            password_hash: hash,
            roles: Roles::from_iter([Role::Admin]),
            department_id: None,
            team_id: None,
            phone: None,
            skills: Vec::new(),
            capacity: 0,
        },
    )
    .await?;
    tracing::info!(user.id = %admin.id, "bootstrap admin created");
    Ok(())
}

fn internal(err: ApiError) -> anyhow::Error {
    match err {
        ApiError::Internal(e) => anyhow!("{e:#}"),
        other => anyhow!("{}", other.code()),
    }
}

/// Seeds the demo organisation when the database has no accounts yet.
pub async fn demo_if_empty(state: &AppState) -> anyhow::Result<()> {
    if users::any(&state.db).await? {
        return Ok(());
    }
    let db = &state.db;
    let mut departments = std::collections::HashMap::new();
    for (name, kind) in DEPARTMENTS {
        let dept = org::insert_department(db, name, kind.as_str()).await?;
        departments.insert(*name, dept.id);
    }
    let cs = departments
        .get("Customer Service")
        .copied()
        .context("seed: no customer service department")?;
    let mut teams = std::collections::HashMap::new();
    for (name, _) in TEAMS {
        let team = org::insert_team(db, name, cs, None).await?;
        teams.insert(*name, team.id);
    }
    // One hash for every demo account: hashing is deliberately slow.
    let hash = password::hash(DEMO_PASSWORD.to_owned())
        .await
        .map_err(internal)?;
    let mut accounts: std::collections::HashMap<&str, Uuid> = std::collections::HashMap::new();
    for (i, (email, name, roles, dept, team, skills)) in DEMO_USERS.iter().enumerate() {
        let customer = roles.contains(&Role::Customer);
        let user = users::insert(
            db,
            users::NewUser {
                email: (*email).to_owned(),
                name: (*name).to_owned(),
                password_hash: hash.clone(),
                roles: roles.iter().copied().collect(),
                department_id: dept.and_then(|d| departments.get(d).copied()),
                team_id: team.and_then(|t| teams.get(t).copied()),
                phone: customer.then(|| format!("1380013{:04}", 8000 + i)),
                skills: skills.iter().map(|s| (*s).to_owned()).collect(),
                capacity: if customer { 0 } else { 8 },
            },
        )
        .await?;
        accounts.insert(email, user.id);
    }
    for (team, supervisor) in TEAMS {
        if let (Some(team_id), Some(supervisor_id)) = (teams.get(team), accounts.get(supervisor)) {
            org::set_team_supervisor(db, *team_id, *supervisor_id).await?;
        }
    }
    tracing::info!(accounts = DEMO_USERS.len(), "demo organisation seeded");
    Ok(())
}
