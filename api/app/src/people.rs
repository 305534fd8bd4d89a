//! People and the organisation: accounts, departments, teams, presence.

use super::error::{AppError, AppResult};
use super::{Actor, App, text};
use crate::auth::password;
use careline_domain::contact::Email;
use careline_domain::org::{DepartmentKind, Presence};
use careline_domain::{Action, Role, Roles, password::check_policy, permission};
use careline_persistence::entity::{department, team, user};
use careline_persistence::page::{Page, PageRequest};
use careline_persistence::{org, tokens, training, users};
use sea_orm::TransactionTrait;
use uuid::Uuid;

/// Default capacity (open tickets) of new staff.
pub const DEFAULT_CAPACITY: i32 = 8;
/// Most skills one person lists.
pub const MAX_SKILLS: usize = 20;

/// One account as the actor may see it: themselves always; staff need the directory right, and
/// customer accounts the right to read customer accounts. `None` when there is no such account.
pub async fn user(app: &App, actor: &Actor, id: Uuid) -> AppResult<Option<user::Model>> {
    if id == actor.id() {
        return Ok(Some(actor.user.clone()));
    }
    actor.require(Action::ReadStaffDirectory)?;
    let Some(found) = users::find(&app.db, id).await? else {
        return Ok(None);
    };
    if !found.role_set().is_staff() {
        actor.require(Action::ReadCustomerAccounts)?;
    }
    Ok(Some(found))
}

/// A page of the directory, optionally by role; customer accounts need their own right.
pub async fn users(
    app: &App,
    actor: &Actor,
    role: Option<Role>,
    page: PageRequest,
) -> AppResult<Page<user::Model>> {
    if role == Some(Role::Customer) {
        actor.require(Action::ReadCustomerAccounts)?;
    }
    Ok(users::list(&app.db, role, page).await?)
}

/// Every department.
pub async fn departments(app: &App, actor: &Actor) -> AppResult<Vec<department::Model>> {
    actor.require(Action::ReadDepartments)?;
    Ok(org::departments(&app.db).await?)
}

/// Every team.
pub async fn teams(app: &App, actor: &Actor) -> AppResult<Vec<team::Model>> {
    actor.require(Action::ReadStaffDirectory)?;
    Ok(org::teams(&app.db).await?)
}

/// A staff account to create, as typed.
#[derive(Debug, Clone)]
pub struct NewStaff {
    /// Sign-in email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Initial password (checked against the policy).
    pub password: String,
    /// Roles (at least one; see `Roles::parse`).
    pub roles: Vec<Role>,
    /// Department, if any.
    pub department_id: Option<Uuid>,
    /// Team, if any (implies its department).
    pub team_id: Option<Uuid>,
    /// Skills, lower-cased.
    pub skills: Vec<String>,
    /// Maximum open tickets (default [`DEFAULT_CAPACITY`]).
    pub capacity: Option<i32>,
}

/// Creates an account and enrolls it in the onboarding courses its roles require, together or
/// not at all.
pub async fn create_user(app: &App, actor: &Actor, input: NewStaff) -> AppResult<user::Model> {
    actor.require(Action::CreateUser)?;
    let email = Email::parse(&input.email, "input.email")?.into_inner();
    let name = text(&input.name, "input.name", 200)?;
    check_policy(&input.password, "input.password")?;
    let roles = Roles::parse(&input.roles)?;
    let capacity = input.capacity.unwrap_or(DEFAULT_CAPACITY);
    if !(0..=200).contains(&capacity) {
        return Err(AppError::bad_input(
            "input.capacity",
            "must be between 0 and 200",
        ));
    }
    if input.skills.len() > MAX_SKILLS {
        return Err(AppError::bad_input(
            "input.skills",
            format!("at most {MAX_SKILLS} skills"),
        ));
    }
    let skills = input
        .skills
        .iter()
        .map(|s| text(s, "input.skills", 40).map(|s| s.to_lowercase()))
        .collect::<AppResult<Vec<_>>>()?;
    let mut department_id = match input.department_id {
        Some(id) => {
            org::department(&app.db, id)
                .await?
                .ok_or_else(|| AppError::bad_input("input.departmentId", "no such department"))?;
            Some(id)
        }
        None => None,
    };
    let team_id = match input.team_id {
        Some(id) => {
            let team = org::team(&app.db, id)
                .await?
                .ok_or_else(|| AppError::bad_input("input.teamId", "no such team"))?;
            match department_id {
                Some(dept) if dept != team.department_id => {
                    return Err(AppError::bad_input(
                        "input.teamId",
                        "the team belongs to another department",
                    ));
                }
                _ => department_id = Some(team.department_id),
            }
            Some(id)
        }
        None => None,
    };
    let password_hash = password::hash(input.password).await?;
    let txn = app.db.begin().await?;
    let created = users::insert(
        &txn,
        users::NewUser {
            email,
            name,
            password_hash,
            roles,
            department_id,
            team_id,
            phone: None,
            skills,
            capacity,
        },
    )
    .await?;
    let onboarding =
        training::enroll_in_onboarding(&txn, created.id, created.role_set(), app.now()).await?;
    txn.commit().await?;
    tracing::info!(user.id = %created.id, training.enrollments = onboarding.len(), "account created");
    Ok(created)
}

/// Activates or deactivates an account. Deactivation revokes every refresh token in the same
/// transaction, so a deactivated account never keeps a live session, and closes its sockets.
pub async fn set_user_active(
    app: &App,
    actor: &Actor,
    id: Uuid,
    active: bool,
) -> AppResult<user::Model> {
    if id == actor.id() && !active {
        return Err(AppError::bad_input(
            "id",
            "you cannot deactivate your own account",
        ));
    }
    let txn = app.db.begin().await?;
    let updated = users::set_active(&txn, id, active).await?;
    if !active {
        tokens::end_sessions(&txn, id).await?;
    }
    txn.commit().await?;
    app.committed();
    tracing::info!(user.id = %id, user.active = active, "account activation changed");
    Ok(updated)
}

/// Creates a department.
pub async fn create_department(
    app: &App,
    actor: &Actor,
    name: &str,
    kind: DepartmentKind,
    calendar_id: Option<Uuid>,
) -> AppResult<department::Model> {
    actor.require(Action::ManageOrganisation)?;
    let name = text(name, "name", 120)?;
    if let Some(id) = calendar_id
        && careline_persistence::calendars::find(&app.db, id)
            .await?
            .is_none()
    {
        return Err(AppError::bad_input("calendarId", "no such calendar"));
    }
    Ok(org::insert_department(&app.db, &name, kind.as_str(), calendar_id).await?)
}

/// Creates a team in an existing department, optionally led by an active supervisor.
pub async fn create_team(
    app: &App,
    actor: &Actor,
    name: &str,
    department_id: Uuid,
    supervisor_id: Option<Uuid>,
) -> AppResult<team::Model> {
    actor.require(Action::ManageOrganisation)?;
    let name = text(name, "name", 120)?;
    org::department(&app.db, department_id)
        .await?
        .ok_or_else(|| AppError::bad_input("departmentId", "no such department"))?;
    if let Some(id) = supervisor_id {
        match users::find(&app.db, id).await? {
            Some(u) if permission::may_lead_team(u.role_set(), u.active) => {}
            _ => {
                return Err(AppError::bad_input(
                    "supervisorId",
                    "the supervisor must be an active user with the SUPERVISOR role",
                ));
            }
        }
    }
    Ok(org::insert_team(&app.db, &name, department_id, supervisor_id).await?)
}

/// The teams `person` leads (see `careline_domain::permission::led_teams`).
pub async fn led_teams(app: &App, person: &user::Model) -> AppResult<Vec<Uuid>> {
    let named: Vec<Uuid> = org::teams_supervised_by(&app.db, &[person.id])
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    Ok(permission::led_teams(
        person.role_set(),
        person.team_id,
        &named,
    ))
}

/// Sets the actor's own presence.
pub async fn set_presence(app: &App, actor: &Actor, presence: Presence) -> AppResult<user::Model> {
    Ok(users::set_presence(&app.db, actor.id(), presence.as_str()).await?)
}
