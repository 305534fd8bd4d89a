//! People and organisation: users, departments, teams.

use super::connection::{connection, encode_cursor, list_cost, page_request};
use super::loaders::{load_failed, loaders};
use super::{Can, SignedIn, input_id, parse_id, state, text, viewer};
use crate::auth::password;
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_domain::contact::{Email, Phone};
use careline_domain::org::{DepartmentKind as DomainDepartmentKind, Presence as DomainPresence};
use careline_domain::ticket::mask_email;
use careline_domain::{Action, Role as DomainRole, Roles, password::check_policy};
use careline_persistence::entity::{department, team, user};
use careline_persistence::{org, tokens, users};

/// A role, as in `docs/PERMISSIONS.md`.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "Role", remote = "careline_domain::Role")]
pub enum Role {
    Customer,
    Agent,
    TechSupport,
    Trainer,
    Supervisor,
    Manager,
    DepartmentLiaison,
    Admin,
}

/// What a department does.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::org::DepartmentKind")]
pub enum DepartmentKind {
    CustomerService,
    AfterSales,
    Technical,
    Product,
    Sales,
    Operations,
    Legal,
    Other,
}

/// Whether a staff member can take work now.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::org::Presence")]
pub enum Presence {
    Available,
    Busy,
    Away,
    Offline,
}

/// An account: staff member or customer.
#[derive(Clone)]
pub struct User(pub user::Model);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Shown in full to staff and to the account holder; masked for customers looking at
    /// someone else (e.g. a ticket's assignee).
    async fn email(&self, ctx: &Context<'_>) -> String {
        match viewer(ctx) {
            Ok(viewer) if !viewer.is_staff() && viewer.id() != self.0.id => {
                mask_email(&self.0.email)
            }
            // No signed-in caller resolves a User only in the sign-in payloads, which describe
            // the account that has just proved its credentials.
            _ => self.0.email.clone(),
        }
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn roles(&self) -> Vec<Role> {
        self.0.role_set().iter().map(Role::from).collect()
    }

    async fn department(&self, ctx: &Context<'_>) -> ApiResult<Option<Department>> {
        let Some(id) = self.0.department_id else {
            return Ok(None);
        };
        let found = loaders(ctx)?.departments.load_one(id).await;
        Ok(found.map_err(load_failed)?.map(Department))
    }

    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<Team>> {
        let Some(id) = self.0.team_id else {
            return Ok(None);
        };
        let found = loaders(ctx)?.teams.load_one(id).await;
        Ok(found.map_err(load_failed)?.map(Team))
    }

    async fn skills(&self) -> Vec<String> {
        self.0.skill_list()
    }

    /// Maximum open tickets.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }

    async fn presence(&self) -> Presence {
        DomainPresence::parse(&self.0.presence).into()
    }

    async fn active(&self) -> bool {
        self.0.active
    }
}

connection!(UserConnection, UserEdge, User);

/// A department of the organisation.
#[derive(Clone)]
pub struct Department(pub department::Model);

#[Object]
impl Department {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> DepartmentKind {
        DomainDepartmentKind::parse(&self.0.kind).into()
    }
}

/// A team in customer service, led by a supervisor.
#[derive(Clone)]
pub struct Team(pub team::Model);

#[Object]
impl Team {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn department(&self, ctx: &Context<'_>) -> ApiResult<Department> {
        let found = loaders(ctx)?
            .departments
            .load_one(self.0.department_id)
            .await
            .map_err(load_failed)?;
        found.map(Department).ok_or_else(|| {
            ApiError::internal(
                anyhow::anyhow!("team without department"),
                "team.department",
            )
        })
    }

    async fn supervisor(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let Some(id) = self.0.supervisor_id else {
            return Ok(None);
        };
        let found = loaders(ctx)?.users.load_one(id).await;
        Ok(found.map_err(load_failed)?.map(User))
    }

    /// Staff only. Costed as a list of up to 50 people.
    #[graphql(
        guard = "Can(Action::ReadStaffDirectory)",
        complexity = "50 * child_complexity"
    )]
    async fn members(&self, ctx: &Context<'_>) -> ApiResult<Vec<User>> {
        let found = loaders(ctx)?
            .team_members
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?;
        Ok(found.unwrap_or_default().into_iter().map(User).collect())
    }
}

/// Queries about people and the organisation.
#[derive(Default)]
pub struct PeopleQuery;

#[Object]
impl PeopleQuery {
    /// The signed-in account.
    #[graphql(guard = "SignedIn")]
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<User> {
        Ok(User(viewer(ctx)?.user.clone()))
    }

    /// One account. Anyone may read themselves; staff may read staff; customer accounts need
    /// the right to read customer accounts.
    #[graphql(guard = "SignedIn")]
    async fn user(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<User>> {
        let viewer = viewer(ctx)?;
        let Some(id) = parse_id(&id) else {
            return Ok(None);
        };
        if id == viewer.id() {
            return Ok(Some(User(viewer.user.clone())));
        }
        viewer.require(Action::ReadStaffDirectory)?;
        let Some(found) = users::find(&state(ctx)?.db, id).await? else {
            return Ok(None);
        };
        if !found.role_set().is_staff() {
            viewer.require(Action::ReadCustomerAccounts)?;
        }
        Ok(Some(User(found)))
    }

    /// The staff directory, optionally by role. `role: CUSTOMER` lists customer accounts and
    /// needs the right to read them.
    #[graphql(
        guard = "Can(Action::ReadStaffDirectory)",
        complexity = "list_cost(first, None, child_complexity)"
    )]
    async fn users(
        &self,
        ctx: &Context<'_>,
        role: Option<Role>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<UserConnection> {
        let role = role.map(DomainRole::from);
        if role == Some(DomainRole::Customer) {
            viewer(ctx)?.require(Action::ReadCustomerAccounts)?;
        }
        let request = page_request(first, after, None, None)?;
        let page = users::list(&state(ctx)?.db, role, request).await?;
        Ok(UserConnection::from_page(
            page,
            |m| encode_cursor(m.id),
            User,
        ))
    }

    /// Every department.
    #[graphql(guard = "Can(Action::ReadDepartments)")]
    async fn departments(&self, ctx: &Context<'_>) -> ApiResult<Vec<Department>> {
        let rows = org::departments(&state(ctx)?.db).await?;
        Ok(rows.into_iter().map(Department).collect())
    }

    /// Every team.
    #[graphql(guard = "Can(Action::ReadStaffDirectory)")]
    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Vec<Team>> {
        let rows = org::teams(&state(ctx)?.db).await?;
        Ok(rows.into_iter().map(Team).collect())
    }
}

/// A new account.
#[derive(InputObject)]
pub struct CreateUserInput {
    pub email: String,
    pub name: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub department_id: Option<ID>,
    pub team_id: Option<ID>,
    pub skills: Option<Vec<String>>,
    /// Maximum open tickets (default 8).
    pub capacity: Option<i32>,
}

/// Default capacity for new staff.
pub const DEFAULT_CAPACITY: i32 = 8;

/// Checks an email address's shape and normalises it (see [`Email::parse`]).
pub fn check_email(email: &str, field: &str) -> ApiResult<String> {
    Ok(Email::parse(email, field)?.into_inner())
}

/// Checks a phone number's shape (see [`Phone::parse`]).
pub fn check_phone(phone: &str, field: &str) -> ApiResult<String> {
    Ok(Phone::parse(phone, field)?.into_inner())
}

/// Changes to people and the organisation.
#[derive(Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    /// Creates an account (admins).
    #[graphql(guard = "Can(Action::CreateUser)")]
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> ApiResult<User> {
        let db = &state(ctx)?.db;
        let email = check_email(&input.email, "input.email")?;
        let name = text(&input.name, "input.name", 200)?;
        check_policy(&input.password, "input.password")?;
        let roles: Vec<DomainRole> = input.roles.iter().copied().map(Into::into).collect();
        let roles = Roles::parse(&roles)?;
        let capacity = input.capacity.unwrap_or(DEFAULT_CAPACITY);
        if !(0..=200).contains(&capacity) {
            return Err(ApiError::bad_input(
                "input.capacity",
                "must be between 0 and 200",
            ));
        }
        let skills = input.skills.unwrap_or_default();
        if skills.len() > 20 {
            return Err(ApiError::bad_input("input.skills", "at most 20 skills"));
        }
        let skills = skills
            .iter()
            .map(|s| text(s, "input.skills", 40).map(|s| s.to_lowercase()))
            .collect::<ApiResult<Vec<_>>>()?;
        let mut department_id = match &input.department_id {
            Some(id) => {
                let id = input_id(id, "input.departmentId")?;
                org::department(db, id).await?.ok_or_else(|| {
                    ApiError::bad_input("input.departmentId", "no such department")
                })?;
                Some(id)
            }
            None => None,
        };
        let team_id = match &input.team_id {
            Some(id) => {
                let id = input_id(id, "input.teamId")?;
                let team = org::team(db, id)
                    .await?
                    .ok_or_else(|| ApiError::bad_input("input.teamId", "no such team"))?;
                match department_id {
                    Some(dept) if dept != team.department_id => {
                        return Err(ApiError::bad_input(
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
        // The account and its onboarding enrollments are created together or not at all.
        let txn = sea_orm::TransactionTrait::begin(db).await?;
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
        let onboarding = super::training::enroll_in_onboarding(&txn, &created).await?;
        txn.commit().await?;
        tracing::info!(user.id = %created.id, training.enrollments = onboarding, "account created");
        Ok(User(created))
    }

    /// Activates or deactivates an account (admins). Deactivation ends every session at once.
    #[graphql(guard = "Can(Action::SetUserActive)")]
    async fn set_user_active(&self, ctx: &Context<'_>, id: ID, active: bool) -> ApiResult<User> {
        let viewer = viewer(ctx)?;
        let db = &state(ctx)?.db;
        let id = parse_id(&id).ok_or_else(|| ApiError::NotFound("user not found".into()))?;
        if id == viewer.id() && !active {
            return Err(ApiError::bad_input(
                "id",
                "you cannot deactivate your own account",
            ));
        }
        let updated = users::set_active(db, id, active).await?;
        if !active {
            tokens::revoke_user(db, id).await?;
        }
        tracing::info!(user.id = %id, user.active = active, "account activation changed");
        Ok(User(updated))
    }

    /// Creates a department (admins).
    #[graphql(guard = "Can(Action::ManageOrganisation)")]
    async fn create_department(
        &self,
        ctx: &Context<'_>,
        name: String,
        kind: DepartmentKind,
    ) -> ApiResult<Department> {
        let name = text(&name, "name", 120)?;
        let kind = DomainDepartmentKind::from(kind);
        let created = org::insert_department(&state(ctx)?.db, &name, kind.as_str()).await?;
        Ok(Department(created))
    }

    /// Creates a team in a department, optionally with its supervisor (admins).
    #[graphql(guard = "Can(Action::ManageOrganisation)")]
    async fn create_team(
        &self,
        ctx: &Context<'_>,
        name: String,
        department_id: ID,
        supervisor_id: Option<ID>,
    ) -> ApiResult<Team> {
        let db = &state(ctx)?.db;
        let name = text(&name, "name", 120)?;
        let department_id = input_id(&department_id, "departmentId")?;
        org::department(db, department_id)
            .await?
            .ok_or_else(|| ApiError::bad_input("departmentId", "no such department"))?;
        let supervisor_id = match supervisor_id {
            Some(id) => {
                let id = input_id(&id, "supervisorId")?;
                let supervisor = users::find(db, id).await?;
                match supervisor {
                    Some(u) if u.active && u.role_set().has(DomainRole::Supervisor) => Some(id),
                    _ => {
                        return Err(ApiError::bad_input(
                            "supervisorId",
                            "the supervisor must be an active user with the SUPERVISOR role",
                        ));
                    }
                }
            }
            None => None,
        };
        let created = org::insert_team(db, &name, department_id, supervisor_id).await?;
        Ok(Team(created))
    }

    /// Sets the caller's presence (staff).
    #[graphql(guard = "Can(Action::SetPresence)")]
    async fn set_presence(&self, ctx: &Context<'_>, presence: Presence) -> ApiResult<User> {
        let viewer = viewer(ctx)?;
        let presence = DomainPresence::from(presence);
        let updated = users::set_presence(&state(ctx)?.db, viewer.id(), presence.as_str()).await?;
        Ok(User(updated))
    }
}
