//! Request-scoped data loaders: nested people, teams and departments cost one query per kind
//! per request level, never one per row.

use async_graphql::dataloader::{DataLoader, Loader};
use careline_persistence::entity::{department, team, user};
use careline_persistence::{DatabaseConnection, org, users};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// Loader errors are internal; the detail is logged where they surface.
pub type LoadError = Arc<anyhow::Error>;

/// Loads accounts by id.
pub struct UserLoader(pub DatabaseConnection);
/// Loads departments by id.
pub struct DepartmentLoader(pub DatabaseConnection);
/// Loads teams by id.
pub struct TeamLoader(pub DatabaseConnection);
/// Loads team members by team id.
pub struct TeamMembersLoader(pub DatabaseConnection);

fn wrap(e: careline_persistence::StoreError) -> LoadError {
    Arc::new(anyhow::Error::new(e).context("data loader query"))
}

impl Loader<Uuid> for UserLoader {
    type Value = user::Model;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = users::find_many(&self.0, keys).await.map_err(wrap)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

impl Loader<Uuid> for DepartmentLoader {
    type Value = department::Model;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = org::departments_by_id(&self.0, keys).await.map_err(wrap)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

impl Loader<Uuid> for TeamLoader {
    type Value = team::Model;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = org::teams_by_id(&self.0, keys).await.map_err(wrap)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

impl Loader<Uuid> for TeamMembersLoader {
    type Value = Vec<user::Model>;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = users::members_of(&self.0, keys).await.map_err(wrap)?;
        let mut by_team: HashMap<Uuid, Vec<user::Model>> = HashMap::new();
        for row in rows {
            if let Some(team) = row.team_id {
                by_team.entry(team).or_default().push(row);
            }
        }
        Ok(by_team)
    }
}

/// The loaders of one request.
pub struct Loaders {
    /// Accounts.
    pub users: DataLoader<UserLoader>,
    /// Departments.
    pub departments: DataLoader<DepartmentLoader>,
    /// Teams.
    pub teams: DataLoader<TeamLoader>,
    /// Team members.
    pub team_members: DataLoader<TeamMembersLoader>,
}

impl Loaders {
    /// Fresh loaders (and caches) for one request.
    pub fn new(db: &DatabaseConnection) -> Self {
        Loaders {
            users: DataLoader::new(UserLoader(db.clone()), tokio::spawn),
            departments: DataLoader::new(DepartmentLoader(db.clone()), tokio::spawn),
            teams: DataLoader::new(TeamLoader(db.clone()), tokio::spawn),
            team_members: DataLoader::new(TeamMembersLoader(db.clone()), tokio::spawn),
        }
    }
}

/// The request's loaders.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> crate::error::ApiResult<&'a Loaders> {
    ctx.data::<Loaders>().map_err(|_| {
        crate::error::ApiError::internal(anyhow::anyhow!("no loaders in request"), "request data")
    })
}

/// Turns a loader failure into an internal error.
pub fn load_failed(e: LoadError) -> crate::error::ApiError {
    crate::error::ApiError::Internal(e)
}
