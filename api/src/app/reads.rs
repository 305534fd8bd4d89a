//! Batched reads by key, for the request-scoped data loaders of the GraphQL layer: each takes
//! every key one level of a query asked for and answers with one statement.

use super::error::AppResult;
use careline_persistence::entity::{
    business_calendar, corrective_action, customer, department, follow_up, satisfaction_rating,
    team, ticket, ticket_event, training_course, training_record, training_session, user,
};
use careline_persistence::{
    DatabaseConnection, corrective_actions, customers, org, tickets, training, users,
};
use std::collections::HashMap;
use std::hash::Hash;
use uuid::Uuid;

fn by<K: Hash + Eq, V>(rows: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, V> {
    rows.into_iter().map(|v| (key(&v), v)).collect()
}

fn group<K: Hash + Eq, V>(rows: impl IntoIterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut out: HashMap<K, Vec<V>> = HashMap::new();
    for (k, v) in rows {
        out.entry(k).or_default().push(v);
    }
    out
}

/// Accounts by id.
pub async fn users(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, user::Model>> {
    Ok(by(users::find_many(db, keys).await?, |m| m.id))
}

/// Business calendars by id.
pub async fn calendars(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, business_calendar::Model>> {
    Ok(by(
        careline_persistence::calendars::find_many(db, keys).await?,
        |m| m.id,
    ))
}

/// Departments by id.
pub async fn departments(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, department::Model>> {
    Ok(by(org::departments_by_id(db, keys).await?, |m| m.id))
}

/// Teams by id.
pub async fn teams(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, team::Model>> {
    Ok(by(org::teams_by_id(db, keys).await?, |m| m.id))
}

/// The members of each team.
pub async fn team_members(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<user::Model>>> {
    let rows = users::members_of(db, keys).await?;
    Ok(group(
        rows.into_iter().filter_map(|u| Some((u.team_id?, u))),
    ))
}

/// Customer records by id.
pub async fn customers(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, customer::Model>> {
    Ok(by(customers::find_many(db, keys).await?, |m| m.id))
}

/// The timeline of each ticket, keyed by (ticket, whether internal entries are included).
pub async fn ticket_events(
    db: &DatabaseConnection,
    keys: &[(Uuid, bool)],
) -> AppResult<HashMap<(Uuid, bool), Vec<ticket_event::Model>>> {
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
        let rows = tickets::events_of(db, &ids, internal).await?;
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

/// The follow-up visits of each ticket.
pub async fn follow_ups(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<follow_up::Model>>> {
    let rows = tickets::follow_ups_of(db, keys).await?;
    Ok(group(rows.into_iter().map(|r| (r.ticket_id, r))))
}

/// The satisfaction ratings of each ticket.
pub async fn ratings(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<satisfaction_rating::Model>>> {
    let rows = tickets::ratings_of(db, keys).await?;
    Ok(group(rows.into_iter().map(|r| (r.ticket_id, r))))
}

/// The corrective actions linked to each ticket.
pub async fn ticket_corrective_actions(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<corrective_action::Model>>> {
    Ok(group(corrective_actions::of_tickets(db, keys).await?))
}

/// The tickets linked to each corrective action.
pub async fn corrective_action_tickets(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<ticket::Model>>> {
    Ok(group(corrective_actions::tickets_of(db, keys).await?))
}

/// Training courses by id.
pub async fn training_courses(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, training_course::Model>> {
    Ok(by(training::courses_by_id(db, keys).await?, |m| m.id))
}

/// Training sessions by id.
pub async fn training_sessions(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, training_session::Model>> {
    Ok(by(training::sessions_by_id(db, keys).await?, |m| m.id))
}

/// The records of each training session.
pub async fn session_records(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<training_record::Model>>> {
    let rows = training::records_of_sessions(db, keys).await?;
    Ok(group(rows.into_iter().map(|r| (r.session_id, r))))
}

/// The teams each person leads (`careline_domain::permission::led_teams`).
pub async fn led_teams(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let people = users::find_many(db, keys).await?;
    let named = org::teams_supervised_by(db, keys).await?;
    Ok(people
        .into_iter()
        .map(|person| {
            let named: Vec<Uuid> = named
                .iter()
                .filter(|t| t.supervisor_id == Some(person.id))
                .map(|t| t.id)
                .collect();
            let led =
                careline_domain::permission::led_teams(person.role_set(), person.team_id, &named);
            (person.id, led)
        })
        .collect())
}

/// The employees each complaint is about.
pub async fn involved_staff(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    Ok(group(tickets::involved_staff_of(db, keys).await?))
}

/// Tickets by id.
pub async fn tickets(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, ticket::Model>> {
    Ok(by(tickets::find_many(db, keys).await?, |m| m.id))
}

/// Quality scorecards by id.
pub async fn quality_scorecards(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, careline_persistence::entity::quality_scorecard::Model>> {
    Ok(by(
        careline_persistence::quality::scorecards_by_id(db, keys).await?,
        |m| m.id,
    ))
}
