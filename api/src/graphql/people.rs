//! People and organisation: users, departments, teams.

use super::connection::{connection, encode_cursor, list_cost, page_request};
use super::loaders::{load_failed, loaders};
use super::{Can, SignedIn, actor, app, found_id, input_id, optional_id, parse_id, viewer};
use crate::app::people::{self as uc, NewStaff};
use crate::app::{AppError, AppResult};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_app::rows::{department, team, user};
use careline_domain::org::{DepartmentKind as DomainDepartmentKind, Presence as DomainPresence};
use careline_domain::permission::sees_full_email;
use careline_domain::ticket::mask_email;
use careline_domain::{Action, Role as DomainRole};

/// A role, as in `docs/PERMISSIONS.md`.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "Role", remote = "careline_domain::Role")]
pub enum Role {
    /// A member of the public with an app account.
    Customer,
    /// Customer service representative.
    Agent,
    /// Technical support engineer.
    TechSupport,
    /// Runs training sessions.
    Trainer,
    /// Team lead: assigns work, watches the live queue, takes level-1 escalations.
    Supervisor,
    /// Department manager: KPIs, reviews, policies; level-2 escalations.
    Manager,
    /// Contact person in a responsible business department (product, legal, …).
    DepartmentLiaison,
    /// Administers users, departments and configuration.
    Admin,
}

/// What a department does.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::org::DepartmentKind")]
pub enum DepartmentKind {
    /// The customer service department itself; its teams work the queue.
    CustomerService,
    /// Repairs, maintenance, returns and exchanges.
    AfterSales,
    /// Technical department.
    Technical,
    /// Product department.
    Product,
    /// Sales department.
    Sales,
    /// Operations (logistics, fulfilment).
    Operations,
    /// Legal department; its liaisons join the complaint-handling working group.
    Legal,
    /// Anything else.
    Other,
}

/// Whether a staff member can take work now.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::org::Presence")]
pub enum Presence {
    /// Ready for new tickets.
    Available,
    /// Working, but not taking new tickets.
    Busy,
    /// Briefly away.
    Away,
    /// Not working.
    Offline,
}

/// An account: staff member or customer.
#[derive(Clone)]
pub struct User(pub user::Model);

/// An account: staff member or customer.
#[Object]
impl User {
    /// The account's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Shown in full to staff and to the account holder; masked for customers looking at
    /// someone else (e.g. a ticket's assignee).
    async fn email(&self, ctx: &Context<'_>) -> String {
        match viewer(ctx) {
            Ok(viewer) if !sees_full_email(viewer.roles(), viewer.id(), self.0.id) => {
                mask_email(&self.0.email)
            }
            // No signed-in caller resolves a User only in the sign-in payloads, which describe
            // the account that has just proved its credentials.
            _ => self.0.email.clone(),
        }
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the person is in the organisation; one may hold several roles.
    async fn roles(&self) -> Vec<Role> {
        self.0.role_set().iter().map(Role::from).collect()
    }

    /// The department the person belongs to; null for none.
    async fn department(&self, ctx: &Context<'_>) -> AppResult<Option<Department>> {
        let Some(id) = self.0.department_id else {
            return Ok(None);
        };
        let found = loaders(ctx)?.departments.load_one(id).await;
        Ok(found.map_err(load_failed)?.map(Department))
    }

    /// The team the person works in; null for none.
    async fn team(&self, ctx: &Context<'_>) -> AppResult<Option<Team>> {
        let Some(id) = self.0.team_id else {
            return Ok(None);
        };
        let found = loaders(ctx)?.teams.load_one(id).await;
        Ok(found.map_err(load_failed)?.map(Team))
    }

    /// Skills, lower-cased, e.g. `technical` (auto-assignment gives technical tickets to
    /// holders of `technical` and to tech support).
    async fn skills(&self) -> Vec<String> {
        self.0.skill_list()
    }

    /// Maximum open tickets.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }

    /// Whether the person can take work now.
    async fn presence(&self) -> Presence {
        DomainPresence::parse(&self.0.presence).into()
    }

    /// Whether the account may sign in; deactivating it ends every session at once.
    async fn active(&self) -> bool {
        self.0.active
    }
}

connection!(UserConnection, UserEdge, User);

/// A department of the organisation.
#[derive(Clone)]
pub struct Department(pub department::Model);

/// A department of the organisation.
#[Object]
impl Department {
    /// The department's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the department does.
    async fn kind(&self) -> DepartmentKind {
        DomainDepartmentKind::parse(&self.0.kind).into()
    }
    /// The business calendar the department's deadlines count on (staff); null: the
    /// organisation's default customer-service hours.
    #[graphql(guard = "Can(Action::ReadCalendars)")]
    async fn calendar(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Option<crate::graphql::floor::BusinessCalendar>> {
        match self.0.calendar_id {
            Some(id) => crate::graphql::floor::load_calendar(ctx, id)
                .await
                .map(Some),
            None => Ok(None),
        }
    }
}

/// A team in customer service, led by a supervisor.
#[derive(Clone)]
pub struct Team(pub team::Model);

/// A team in customer service, led by a supervisor.
#[Object]
impl Team {
    /// The team's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The department the team belongs to.
    async fn department(&self, ctx: &Context<'_>) -> AppResult<Department> {
        let found = loaders(ctx)?
            .departments
            .load_one(self.0.department_id)
            .await
            .map_err(load_failed)?;
        found.map(Department).ok_or_else(|| {
            AppError::internal(
                anyhow::anyhow!("team without department"),
                "team.department",
            )
        })
    }

    /// The supervisor who leads the team; null when none is named.
    async fn supervisor(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
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
    async fn members(&self, ctx: &Context<'_>) -> AppResult<Vec<User>> {
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
    async fn me(&self, ctx: &Context<'_>) -> AppResult<User> {
        Ok(User(viewer(ctx)?.user.clone()))
    }

    /// One account. Anyone may read themselves; staff may read staff; customer accounts need
    /// the right to read customer accounts.
    #[graphql(guard = "SignedIn")]
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account's id. An unknown id gives null.")] id: ID,
    ) -> AppResult<Option<User>> {
        let Some(id) = parse_id(&id) else {
            return Ok(None);
        };
        Ok(uc::user(app(ctx)?, actor(ctx)?, id).await?.map(User))
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
        #[graphql(desc = "Only this role's accounts; omit for all staff.")] role: Option<Role>,
        #[graphql(desc = "Returns the first n accounts: 0 to 100, default 20.")] first: Option<i32>,
        #[graphql(
            desc = "Returns the accounts after this cursor (`endCursor` of the previous page)."
        )]
        after: Option<String>,
    ) -> AppResult<UserConnection> {
        let request = page_request(first, after, None, None)?;
        let role = role.map(DomainRole::from);
        let page = uc::users(app(ctx)?, actor(ctx)?, role, request).await?;
        Ok(UserConnection::from_page(
            page,
            |m| encode_cursor(m.id),
            User,
        ))
    }

    /// Every department.
    #[graphql(guard = "Can(Action::ReadDepartments)")]
    async fn departments(&self, ctx: &Context<'_>) -> AppResult<Vec<Department>> {
        let rows = uc::departments(app(ctx)?, actor(ctx)?).await?;
        Ok(rows.into_iter().map(Department).collect())
    }

    /// Every team.
    #[graphql(guard = "Can(Action::ReadStaffDirectory)")]
    async fn teams(&self, ctx: &Context<'_>) -> AppResult<Vec<Team>> {
        let rows = uc::teams(app(ctx)?, actor(ctx)?).await?;
        Ok(rows.into_iter().map(Team).collect())
    }
}

/// A new account.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Sign-in email address; an address another account has is refused with `CONFLICT`.
    pub email: String,
    /// Display name (at most 200 characters).
    pub name: String,
    /// Initial password: 10 to 128 characters, not one of the most common passwords.
    pub password: String,
    /// At least one role; `CUSTOMER` cannot be combined with a staff role.
    pub roles: Vec<Role>,
    /// The department the person belongs to; with `teamId`, the team's department.
    pub department_id: Option<ID>,
    /// The team the person works in; it implies its department.
    pub team_id: Option<ID>,
    /// Skills (at most 20, each at most 40 characters; stored lower-cased).
    pub skills: Option<Vec<String>>,
    /// Maximum open tickets, 0 to 200 (default 8).
    pub capacity: Option<i32>,
}

/// Changes to people and the organisation.
#[derive(Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    /// Creates an account (admins).
    #[graphql(guard = "Can(Action::CreateUser)")]
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new account.")] input: CreateUserInput,
    ) -> AppResult<User> {
        let department_id = optional_id(input.department_id.as_ref(), "input.departmentId")?;
        let team_id = optional_id(input.team_id.as_ref(), "input.teamId")?;
        let staff = NewStaff {
            email: input.email,
            name: input.name,
            password: input.password,
            roles: input.roles.into_iter().map(Into::into).collect(),
            department_id,
            team_id,
            skills: input.skills.unwrap_or_default(),
            capacity: input.capacity,
        };
        Ok(User(uc::create_user(app(ctx)?, actor(ctx)?, staff).await?))
    }

    /// Activates or deactivates an account (admins). Deactivation ends every session at once.
    #[graphql(guard = "Can(Action::SetUserActive)")]
    async fn set_user_active(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account; not your own when deactivating.")] id: ID,
        #[graphql(desc = "True to activate, false to deactivate.")] active: bool,
    ) -> AppResult<User> {
        let id = found_id(&id, "user")?;
        let updated = uc::set_user_active(app(ctx)?, actor(ctx)?, id, active).await?;
        Ok(User(updated))
    }

    /// Creates a department (admins).
    #[graphql(guard = "Can(Action::ManageOrganisation)")]
    async fn create_department(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Display name (at most 120 characters).")] name: String,
        #[graphql(desc = "What the department does.")] kind: DepartmentKind,
        #[graphql(desc = "The business calendar its deadlines count on.")] calendar_id: Option<ID>,
    ) -> AppResult<Department> {
        let calendar_id = optional_id(calendar_id.as_ref(), "calendarId")?;
        let created =
            uc::create_department(app(ctx)?, actor(ctx)?, &name, kind.into(), calendar_id).await?;
        Ok(Department(created))
    }

    /// Creates a team in a department, optionally with its supervisor (admins).
    #[graphql(guard = "Can(Action::ManageOrganisation)")]
    async fn create_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Display name (at most 120 characters).")] name: String,
        #[graphql(desc = "The department the team belongs to.")] department_id: ID,
        #[graphql(
            desc = "Its supervisor: an active account with the SUPERVISOR role; omit for none."
        )]
        supervisor_id: Option<ID>,
    ) -> AppResult<Team> {
        let department_id = input_id(&department_id, "departmentId")?;
        let supervisor_id = optional_id(supervisor_id.as_ref(), "supervisorId")?;
        let created =
            uc::create_team(app(ctx)?, actor(ctx)?, &name, department_id, supervisor_id).await?;
        Ok(Team(created))
    }

    /// Sets the caller's presence (staff).
    #[graphql(guard = "Can(Action::SetPresence)")]
    async fn set_presence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The caller's new presence.")] presence: Presence,
    ) -> AppResult<User> {
        let presence = DomainPresence::from(presence);
        Ok(User(
            uc::set_presence(app(ctx)?, actor(ctx)?, presence).await?,
        ))
    }
}
