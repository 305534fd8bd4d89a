//! Request-scoped data loaders: nested people, teams and departments cost one query per kind
//! per request level, never one per row.

use async_graphql::dataloader::{DataLoader, Loader};
use careline_persistence::entity::{
    corrective_action, customer, department, follow_up, satisfaction_rating, team, ticket,
    ticket_event, user,
};
use careline_persistence::{
    DatabaseConnection, corrective_actions, customers, org, tickets, users,
};
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

/// Loads customer records by id.
pub struct CustomerLoader(pub DatabaseConnection);
/// Loads whole timelines by `(ticket id, include internal entries)`; pages are cut in memory so
/// a list of tickets with their first events costs one query.
pub struct TicketEventsLoader(pub DatabaseConnection);
/// Loads follow-up visits by ticket id.
pub struct FollowUpsLoader(pub DatabaseConnection);
/// Loads satisfaction ratings by ticket id.
pub struct RatingsLoader(pub DatabaseConnection);
/// Loads corrective actions by ticket id.
pub struct TicketCorrectiveActionsLoader(pub DatabaseConnection);
/// Loads linked tickets by corrective action id.
pub struct CorrectiveActionTicketsLoader(pub DatabaseConnection);

fn group<V, I: IntoIterator<Item = (Uuid, V)>>(rows: I) -> HashMap<Uuid, Vec<V>> {
    let mut out: HashMap<Uuid, Vec<V>> = HashMap::new();
    for (k, v) in rows {
        out.entry(k).or_default().push(v);
    }
    out
}

impl Loader<Uuid> for CustomerLoader {
    type Value = customer::Model;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = customers::find_many(&self.0, keys).await.map_err(wrap)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

impl Loader<(Uuid, bool)> for TicketEventsLoader {
    type Value = Vec<ticket_event::Model>;
    type Error = LoadError;
    async fn load(
        &self,
        keys: &[(Uuid, bool)],
    ) -> Result<HashMap<(Uuid, bool), Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        for internal in [false, true] {
            let ids: Vec<Uuid> = keys
                .iter()
                .filter(|(_, i)| *i == internal)
                .map(|(id, _)| *id)
                .collect();
            if ids.is_empty() {
                continue;
            }
            let rows = tickets::events_of(&self.0, &ids, internal)
                .await
                .map_err(wrap)?;
            for id in &ids {
                out.insert((*id, internal), Vec::new());
            }
            for row in rows {
                out.entry((row.ticket_id, internal))
                    .or_insert_with(Vec::new)
                    .push(row);
            }
        }
        Ok(out)
    }
}

impl Loader<Uuid> for FollowUpsLoader {
    type Value = Vec<follow_up::Model>;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = tickets::follow_ups_of(&self.0, keys).await.map_err(wrap)?;
        Ok(group(rows.into_iter().map(|r| (r.ticket_id, r))))
    }
}

impl Loader<Uuid> for RatingsLoader {
    type Value = Vec<satisfaction_rating::Model>;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = tickets::ratings_of(&self.0, keys).await.map_err(wrap)?;
        Ok(group(rows.into_iter().map(|r| (r.ticket_id, r))))
    }
}

impl Loader<Uuid> for TicketCorrectiveActionsLoader {
    type Value = Vec<corrective_action::Model>;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = corrective_actions::of_tickets(&self.0, keys)
            .await
            .map_err(wrap)?;
        Ok(group(rows))
    }
}

impl Loader<Uuid> for CorrectiveActionTicketsLoader {
    type Value = Vec<ticket::Model>;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = corrective_actions::tickets_of(&self.0, keys)
            .await
            .map_err(wrap)?;
        Ok(group(rows))
    }
}

/// Loads training courses by id.
pub struct TrainingCourseLoader(pub DatabaseConnection);
/// Loads training sessions by id.
pub struct TrainingSessionLoader(pub DatabaseConnection);
/// Loads training records by session id.
pub struct SessionRecordsLoader(pub DatabaseConnection);
/// Loads the teams a user supervises, by user id (who may read whose training records).
pub struct SupervisedTeamsLoader(pub DatabaseConnection);

impl Loader<Uuid> for TrainingCourseLoader {
    type Value = careline_persistence::entity::training_course::Model;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = careline_persistence::training::courses_by_id(&self.0, keys)
            .await
            .map_err(wrap)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

impl Loader<Uuid> for TrainingSessionLoader {
    type Value = careline_persistence::entity::training_session::Model;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = careline_persistence::training::sessions_by_id(&self.0, keys)
            .await
            .map_err(wrap)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

impl Loader<Uuid> for SessionRecordsLoader {
    type Value = Vec<careline_persistence::entity::training_record::Model>;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = careline_persistence::training::records_of_sessions(&self.0, keys)
            .await
            .map_err(wrap)?;
        Ok(group(rows.into_iter().map(|r| (r.session_id, r))))
    }
}

impl Loader<Uuid> for SupervisedTeamsLoader {
    type Value = Vec<Uuid>;
    type Error = LoadError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        // Keys are the callers of one request: in practice exactly one.
        for key in keys {
            let teams = careline_persistence::training::supervised_teams(&self.0, *key)
                .await
                .map_err(wrap)?;
            out.insert(*key, teams);
        }
        Ok(out)
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
    /// Customer records.
    pub customers: DataLoader<CustomerLoader>,
    /// Ticket timelines.
    pub ticket_events: DataLoader<TicketEventsLoader>,
    /// Follow-up visits per ticket.
    pub follow_ups: DataLoader<FollowUpsLoader>,
    /// Ratings per ticket.
    pub ratings: DataLoader<RatingsLoader>,
    /// Corrective actions per ticket.
    pub ticket_corrective_actions: DataLoader<TicketCorrectiveActionsLoader>,
    /// Tickets per corrective action.
    pub corrective_action_tickets: DataLoader<CorrectiveActionTicketsLoader>,
    /// Training courses.
    pub training_courses: DataLoader<TrainingCourseLoader>,
    /// Training sessions.
    pub training_sessions: DataLoader<TrainingSessionLoader>,
    /// Training records per session.
    pub session_records: DataLoader<SessionRecordsLoader>,
    /// Teams each user supervises.
    pub supervised_teams: DataLoader<SupervisedTeamsLoader>,
}

/// A request-scoped loader. The batching window is a little longer than async-graphql's 1 ms
/// default so that a page of 100 rows resolving its nested fields lands in one batch per kind
/// (a test counts the statements).
fn batch<L: Send + Sync + 'static>(loader: L) -> DataLoader<L> {
    DataLoader::new(loader, tokio::spawn).delay(std::time::Duration::from_millis(3))
}

impl Loaders {
    /// Fresh loaders (and caches) for one request.
    pub fn new(db: &DatabaseConnection) -> Self {
        Loaders {
            users: batch(UserLoader(db.clone())),
            departments: batch(DepartmentLoader(db.clone())),
            teams: batch(TeamLoader(db.clone())),
            team_members: batch(TeamMembersLoader(db.clone())),
            customers: batch(CustomerLoader(db.clone())),
            ticket_events: batch(TicketEventsLoader(db.clone())),
            follow_ups: batch(FollowUpsLoader(db.clone())),
            ratings: batch(RatingsLoader(db.clone())),
            ticket_corrective_actions: batch(TicketCorrectiveActionsLoader(db.clone())),
            corrective_action_tickets: batch(CorrectiveActionTicketsLoader(db.clone())),
            training_courses: batch(TrainingCourseLoader(db.clone())),
            training_sessions: batch(TrainingSessionLoader(db.clone())),
            session_records: batch(SessionRecordsLoader(db.clone())),
            supervised_teams: batch(SupervisedTeamsLoader(db.clone())),
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
