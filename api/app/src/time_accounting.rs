//! Time accounting: staff log the minutes they spent on a ticket they work on; the ticket shows
//! its entries and total, and the KPI report the minutes its people logged (`TIME_LOGGED`).

use super::error::{AppError, AppResult};
use super::tickets::{load_readable, viewer_of};
use super::{Actor, App, text};
use careline_domain::Action;
use careline_persistence::entity::time_entry;
use careline_persistence::time_entries as store;
use uuid::Uuid;

/// The most one entry may hold: a day.
pub const MAX_MINUTES: i32 = 24 * 60;
/// Most entries a ticket lists.
pub const MAX_ENTRIES: u64 = 500;

/// Checks an entry's minutes: 1 to a day.
pub fn check_minutes(minutes: i32) -> AppResult<()> {
    if (1..=MAX_MINUTES).contains(&minutes) {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "minutes",
            format!("must be between 1 and {MAX_MINUTES} (24 hours)"),
        ))
    }
}

/// Logs `minutes` (1 to a day) on a ticket the actor may work on, with an optional note.
pub async fn log_time(
    app: &App,
    actor: &Actor,
    ticket: Uuid,
    minutes: i32,
    note: Option<&str>,
) -> AppResult<time_entry::Model> {
    check_minutes(minutes)?;
    let note = note
        .filter(|n| !n.trim().is_empty())
        .map(|n| text(n, "note", 2000))
        .transpose()?;
    // Reading the ticket is the relationship check: liaisons work on their department's only.
    load_readable(app, &viewer_of(&actor.user), ticket).await?;
    Ok(store::insert(&app.db, ticket, actor.id(), minutes, note, app.now()).await?)
}

/// A ticket's entries, oldest first (the caller has read the ticket).
pub async fn entries(app: &App, actor: &Actor, ticket: Uuid) -> AppResult<Vec<time_entry::Model>> {
    // Time is staff bookkeeping: customers (and staff who log none) see none.
    if !actor.can(Action::LogTime) {
        return Ok(Vec::new());
    }
    Ok(store::of_ticket(&app.db, ticket, MAX_ENTRIES).await?)
}
