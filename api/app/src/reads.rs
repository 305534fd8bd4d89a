//! Batched reads by key, for the request-scoped data loaders of the GraphQL layer: each takes
//! every key one level of a query asked for and answers with one statement.

use super::customers::{CustomerTicketsKey, TicketScope};
use super::error::AppResult;
use careline_persistence::entity::{
    business_calendar, corrective_action, customer, department, department_task, follow_up,
    knowledge_article, satisfaction_rating, stored_file, survey, team, ticket, ticket_event,
    training_course, training_record, training_session, user,
};
use careline_persistence::{
    DatabaseConnection, corrective_actions, customers, org, surveys, tickets, time_entries,
    training, users,
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

/// Department tasks by ticket.
pub async fn department_tasks(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<department_task::Model>>> {
    let rows = careline_persistence::department_tasks::of_tickets(db, keys).await?;
    Ok(group(rows.into_iter().map(|t| (t.ticket_id, t))))
}

/// Follow-up cases by parent ticket.
pub async fn follow_up_cases(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<ticket::Model>>> {
    let rows = tickets::follow_up_cases(db, keys).await?;
    Ok(group(
        rows.into_iter().filter_map(|t| Some((t.parent_id?, t))),
    ))
}

/// Whether each ticket's customer had another ticket in the 7 days before it.
pub async fn repeat_contacts(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, bool>> {
    let repeated = tickets::repeat_contacts(db, keys).await?;
    Ok(keys.iter().map(|k| (*k, repeated.contains(k))).collect())
}

/// The articles linked to each ticket as its solution.
pub async fn linked_articles(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<knowledge_article::Model>>> {
    Ok(group(super::knowledge::linked(db, keys).await?))
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

/// The people each escalation was routed to, by name.
pub async fn escalation_recipients(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<user::Model>>> {
    let mut out = group(crate::routing::recipients_of(db, keys).await?);
    for people in out.values_mut() {
        people.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    }
    Ok(out)
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

/// Each customer record's ticket count and latest ticket, counting the tickets the key's scope
/// may read; a record without any gets zero.
pub async fn customer_ticket_stats(
    db: &DatabaseConnection,
    keys: &[(Uuid, TicketScope)],
) -> AppResult<HashMap<(Uuid, TicketScope), customers::TicketStats>> {
    let mut out: HashMap<_, _> = keys.iter().map(|k| (*k, Default::default())).collect();
    let mut scopes: Vec<TicketScope> = Vec::new();
    for (_, scope) in keys {
        if !scopes.contains(scope) {
            scopes.push(*scope);
        }
    }
    for scope in scopes {
        let ids: Vec<Uuid> = keys
            .iter()
            .filter(|(_, s)| *s == scope)
            .map(|(id, _)| *id)
            .collect();
        for (id, stats) in customers::ticket_stats(db, scope.into(), &ids).await? {
            out.insert((id, scope), stats);
        }
    }
    Ok(out)
}

/// One page of each customer record's tickets, newest first: one statement per distinct
/// (scope, cursor, size), so the first pages of a whole list of records cost one.
pub async fn customer_tickets(
    db: &DatabaseConnection,
    keys: &[CustomerTicketsKey],
) -> AppResult<HashMap<CustomerTicketsKey, Vec<ticket::Model>>> {
    let mut out: HashMap<_, Vec<ticket::Model>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    let mut groups = Vec::new();
    for k in keys {
        let group = (k.scope, k.after, k.limit);
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    for (scope, after, limit) in groups {
        let ids: Vec<Uuid> = keys
            .iter()
            .filter(|k| (k.scope, k.after, k.limit) == (scope, after, limit))
            .map(|k| k.customer_id)
            .collect();
        for t in customers::tickets_of(db, scope.into(), &ids, after, limit).await? {
            let key = CustomerTicketsKey {
                customer_id: t.customer_id,
                scope,
                after,
                limit,
            };
            out.entry(key).or_default().push(t);
        }
    }
    Ok(out)
}

/// Minutes logged on each ticket (0 for none).
pub async fn time_spent(db: &DatabaseConnection, keys: &[Uuid]) -> AppResult<HashMap<Uuid, i64>> {
    let mut totals = time_entries::totals(db, keys).await?;
    for key in keys {
        totals.entry(*key).or_insert(0);
    }
    Ok(totals)
}

/// Surveys by id.
pub async fn surveys(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, survey::Model>> {
    Ok(by(surveys::find_many(db, keys).await?, |m| m.id))
}

/// The deliveries of each timeline entry, oldest first (unmasked: the field masks them).
pub async fn event_deliveries(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<careline_persistence::entity::delivery::Model>>> {
    let mut out: HashMap<Uuid, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in careline_persistence::conversation::deliveries_of_events(db, keys).await? {
        if let Some(event) = row.event_id {
            out.entry(event).or_default().push(row);
        }
    }
    Ok(out)
}

/// The files of timeline entries, by entry.
pub async fn event_files(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<stored_file::Model>>> {
    super::files::of_events(db, keys).await
}

/// The Message-ID of each timeline entry that came in or went out as mail.
pub async fn event_message_ids(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, String>> {
    Ok(careline_persistence::email::message_ids_of_events(db, keys).await?)
}

/// The callbacks about each ticket, soonest first.
pub async fn ticket_callbacks(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<crate::callbacks::Callback>>> {
    let rows = careline_persistence::callbacks::of_tickets(db, keys).await?;
    let read = rows
        .into_iter()
        .map(crate::callbacks::read)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(group(
        read.into_iter().filter_map(|c| Some((c.ticket_id?, c))),
    ))
}

/// When each ticket's follow-up visit is due, where one is scheduled (the soonest).
pub async fn follow_up_due(
    db: &DatabaseConnection,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, chrono::DateTime<chrono::Utc>>> {
    let mut due = HashMap::new();
    for c in careline_persistence::callbacks::follow_ups_due(db, keys).await? {
        if let Some(ticket) = c.ticket_id {
            due.entry(ticket).or_insert(c.due_at);
        }
    }
    Ok(due)
}
