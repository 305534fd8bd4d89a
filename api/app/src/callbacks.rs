//! Callbacks: scheduling, completing, moving and cancelling the calls owed to customers; what
//! a ticket's change does to them (in the change's transaction); the reminders and overdue
//! notices the scheduler sends, once each across instances. The rules are
//! `careline_domain::callback`.

use crate::error::{AppError, AppResult};
use crate::tickets::{self as ticket_uc, By, Extra, stored, viewer_of};
use crate::{Actor, App, text};
use careline_domain::Action;
use careline_domain::callback::{
    self as rules, CANCELLED_ON_CLOSE, CallbackActor, CallbackEffect, CallbackFacts, CallbackMove,
    CallbackPurpose, CallbackStatus,
};
use careline_domain::event::EscalationKind;
use careline_domain::notice::{StaffNotice, Template};
use careline_domain::sla::BusinessCalendar;
use careline_domain::ticket::{FollowUpMethod, MAX_TEXT_CHARS, SystemCommand, TicketKind};
use careline_persistence::callbacks::{self as store, TeamFilter, Update};
use careline_persistence::entity::{callback, ticket};
use careline_persistence::page::Page;
use careline_persistence::{customers, users};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
use std::sync::atomic::{AtomicU32, Ordering};
use uuid::Uuid;

/// A callback as the use cases hand it out: stored spellings already parsed.
#[derive(Debug, Clone)]
pub struct Callback {
    /// Its id.
    pub id: Uuid,
    /// What it is for.
    pub purpose: CallbackPurpose,
    /// The ticket it is about, if any.
    pub ticket_id: Option<Uuid>,
    /// The customer to call.
    pub customer_id: Uuid,
    /// Who owes it.
    pub assignee_id: Uuid,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Where it stands.
    pub status: CallbackStatus,
    /// What to call about.
    pub note: Option<String>,
    /// Attempts so far (each reschedule counts one).
    pub attempts: i32,
    /// What came of it, or why it was moved or cancelled.
    pub outcome: Option<String>,
    /// When it was done.
    pub done_at: Option<DateTime<Utc>>,
    /// Who scheduled it (`None`: the system).
    pub created_by: Option<Uuid>,
    /// Its version (a change checks it).
    pub version: i32,
}

impl Callback {
    /// Whether it is overdue at `now`.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        rules::overdue(self.status, self.due_at, now)
    }

    fn facts(&self) -> CallbackFacts {
        CallbackFacts {
            status: self.status,
            purpose: self.purpose,
            assignee_id: self.assignee_id,
        }
    }
}

/// The read model of a stored row; a stored spelling the domain does not know is `INTERNAL`.
pub fn read(row: callback::Model) -> AppResult<Callback> {
    Ok(Callback {
        id: row.id,
        purpose: stored(CallbackPurpose::parse(&row.purpose), "callback purpose")?,
        ticket_id: row.ticket_id,
        customer_id: row.customer_id,
        assignee_id: row.assignee_id,
        due_at: row.due_at,
        status: stored(CallbackStatus::parse(&row.status), "callback status")?,
        note: row.note,
        attempts: row.attempts,
        outcome: row.outcome,
        done_at: row.done_at,
        created_by: row.created_by,
        version: row.version,
    })
}

fn read_all(rows: Vec<callback::Model>) -> AppResult<Vec<Callback>> {
    rows.into_iter().map(read).collect()
}

/// A callback to schedule, as typed.
#[derive(Debug, Clone)]
pub struct NewCallback {
    /// The ticket it is about (or a customer, for a care call).
    pub ticket_id: Option<Uuid>,
    /// The customer, when there is no ticket.
    pub customer_id: Option<Uuid>,
    /// What it is for.
    pub purpose: CallbackPurpose,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Who owes it (default: the ticket's first-contact owner, or the caller).
    pub assignee_id: Option<Uuid>,
    /// What to call about.
    pub note: Option<String>,
}

fn callback_actor(actor: &Actor) -> CallbackActor {
    CallbackActor {
        user_id: actor.id(),
        roles: actor.roles(),
    }
}

fn optional_note(note: Option<&str>, field: &str) -> AppResult<Option<String>> {
    match note.map(str::trim) {
        None | Some("") => Ok(None),
        Some(n) => Ok(Some(text(n, field, MAX_TEXT_CHARS)?)),
    }
}

/// Schedules a callback. Arguments are checked first (one of ticket or customer, the due
/// time, the note), then the ticket the caller must be able to read, then the assignee.
pub async fn schedule(app: &App, actor: &Actor, new: NewCallback) -> AppResult<Callback> {
    actor.require(Action::WorkCallbacks)?;
    if new.purpose == CallbackPurpose::FollowUp {
        return Err(AppError::bad_input(
            "input.purpose",
            "a follow-up visit is scheduled when its ticket is resolved",
        ));
    }
    let now = app.now();
    rules::check_due("input.dueAt", new.due_at, now)?;
    let note = optional_note(new.note.as_deref(), "input.note")?;
    let (ticket, customer_id) = match (new.ticket_id, new.customer_id) {
        (Some(_), Some(_)) => {
            return Err(AppError::bad_input(
                "input.customerId",
                "give a ticket or a customer, not both",
            ));
        }
        (None, None) => {
            return Err(AppError::bad_input(
                "input.ticketId",
                "give the ticket the callback is about, or the customer for a care call",
            ));
        }
        (Some(ticket_id), None) => {
            let (loaded, _) =
                ticket_uc::load_readable(app, &viewer_of(&actor.user), ticket_id).await?;
            let customer = loaded.customer.id;
            (Some(loaded.ticket), customer)
        }
        (None, Some(customer_id)) => {
            actor.require(Action::ReadCustomers)?;
            let model = customers::find(&app.db, customer_id)
                .await?
                .ok_or_else(|| AppError::NotFound("customer not found".into()))?;
            // A care call is for a customer one serves (their contact data is one's to see), or
            // a lead's to hand out.
            let lead = actor.can(Action::ReadTeamCallbacks);
            if !lead && !crate::customers::one(app, actor, model).await?.reveal {
                return Err(AppError::Forbidden(
                    "you schedule care calls only for customers you serve".into(),
                ));
            }
            (None, customer_id)
        }
    };
    let assignee = match new.assignee_id {
        Some(id) => {
            ticket_uc::require_worker(app, id, "input.assigneeId")
                .await?
                .id
        }
        None => ticket
            .as_ref()
            .and_then(|t| t.owner_id)
            .unwrap_or(actor.id()),
    };
    let row = row(
        Planned {
            purpose: new.purpose,
            ticket: ticket.as_ref(),
            customer_id,
            assignee,
            due_at: new.due_at,
            note,
            after_disagreement: false,
        },
        Some(actor.id()),
        now,
    );
    let stored = store::insert(&app.db, row).await?;
    tracing::info!(callback.id = %stored.id, callback.purpose = %stored.purpose, "callback scheduled");
    read(stored)
}

struct Planned<'a> {
    purpose: CallbackPurpose,
    ticket: Option<&'a ticket::Model>,
    customer_id: Uuid,
    assignee: Uuid,
    due_at: DateTime<Utc>,
    note: Option<String>,
    after_disagreement: bool,
}

fn row(p: Planned<'_>, by: Option<Uuid>, at: DateTime<Utc>) -> callback::Model {
    callback::Model {
        id: Uuid::now_v7(),
        purpose: p.purpose.as_str().to_owned(),
        ticket_id: p.ticket.map(|t| t.id),
        customer_id: p.customer_id,
        assignee_id: p.assignee,
        due_at: p.due_at,
        status: CallbackStatus::Scheduled.as_str().to_owned(),
        note: p.note,
        attempts: 0,
        outcome: None,
        done_at: None,
        done_by: None,
        resolution: p.ticket.map(|t| t.resolution_count),
        after_disagreement: p.after_disagreement,
        reminded_at: None,
        overdue_notified_at: None,
        created_by: by,
        created_at: at,
        updated_at: at,
        version: 0,
    }
}

async fn load(app: &App, id: Uuid) -> AppResult<Callback> {
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("callback not found".into()))?;
    read(row)
}

/// One callback, if the caller may see it: its assignee, or anyone who works callbacks and
/// may read its ticket (or its customer, for a care call).
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<Callback> {
    actor.require(Action::WorkCallbacks)?;
    let c = load(app, id).await?;
    if c.assignee_id != actor.id()
        && let Some(ticket_id) = c.ticket_id
    {
        // Not readable → not found, as for the ticket itself.
        ticket_uc::load_readable(app, &viewer_of(&actor.user), ticket_id).await?;
    }
    Ok(c)
}

/// The customer of a callback as the caller may see them: whoever owes the call sees the
/// number to call; anyone else as the customer rules say.
pub async fn customer(
    app: &App,
    actor: &Actor,
    c: &Callback,
) -> AppResult<crate::customers::CustomerRecord> {
    let model = customers::find(&app.db, c.customer_id)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("dangling customer"), "callback"))?;
    let mut record = crate::customers::one(app, actor, model).await?;
    // Whoever owes a call someone else gave them (a lead, a colleague, the system) sees the
    // number while it is owed; scheduling one for oneself unmasks nothing.
    record.reveal |= c.status == CallbackStatus::Scheduled
        && c.assignee_id == actor.id()
        && c.created_by != Some(actor.id());
    Ok(record)
}

/// Marks a callback done with what came of it. A FOLLOW_UP records the follow-up visit on its
/// ticket through the ticket's write path (which completes the callback and, when the customer
/// was not satisfied, schedules the next CALLBACK for `next_assignee` or the owner).
pub async fn complete(
    app: &App,
    actor: &Actor,
    id: Uuid,
    outcome: &str,
    customer_satisfied: Option<bool>,
    next_assignee: Option<Uuid>,
) -> AppResult<Callback> {
    actor.require(Action::WorkCallbacks)?;
    let outcome = text(outcome, "outcome", MAX_TEXT_CHARS)?;
    let c = get(app, actor, id).await?;
    rules::may(&c.facts(), &callback_actor(actor), CallbackMove::Complete)?;
    if let Some(next) = next_assignee {
        ticket_uc::require_worker(app, next, "nextAssigneeId").await?;
    }
    match (c.purpose, c.ticket_id) {
        (CallbackPurpose::FollowUp, Some(ticket_id)) => {
            let Some(satisfied) = customer_satisfied else {
                return Err(AppError::bad_input(
                    "customerSatisfied",
                    "say whether the customer was satisfied at the follow-up visit",
                ));
            };
            let viewer = viewer_of(&actor.user);
            let cmd = careline_domain::ticket::Command::RecordFollowUp {
                customer_satisfied: satisfied,
            };
            let extra = Extra::FollowUp {
                method: FollowUpMethod::Phone,
                outcome: outcome.clone(),
                customer_satisfied: satisfied,
                next_assignee,
            };
            // The callback is taken first, on condition that it is still the one the caller saw,
            // and the visit recorded in the same transaction: a double submit records one visit
            // and answers CONFLICT to the other.
            let now = app.now();
            let txn = app.db.begin().await?;
            let done = Update {
                status: Some(CallbackStatus::Done.as_str()),
                outcome: Some(outcome),
                done_by: Some(actor.id()),
                ..Update::default()
            };
            let row = store::update(&txn, id, c.version, done, now).await?;
            ticket_uc::run_in(&txn, &viewer, ticket_id, None, cmd, extra, now).await?;
            txn.commit().await?;
            app.committed();
            read(row)
        }
        _ => {
            let update = Update {
                status: Some(CallbackStatus::Done.as_str()),
                outcome: Some(outcome),
                done_by: Some(actor.id()),
                ..Update::default()
            };
            let row = store::update(&app.db, id, c.version, update, app.now()).await?;
            read(row)
        }
    }
}

/// Moves a callback to another time (and maybe another person): the customer was not reached,
/// or wants another time. Counts one attempt.
pub async fn reschedule(
    app: &App,
    actor: &Actor,
    id: Uuid,
    due_at: DateTime<Utc>,
    assignee_id: Option<Uuid>,
    reason: &str,
) -> AppResult<Callback> {
    actor.require(Action::WorkCallbacks)?;
    let now = app.now();
    rules::check_due("dueAt", due_at, now)?;
    let reason = text(reason, "reason", MAX_TEXT_CHARS)?;
    let c = get(app, actor, id).await?;
    rules::may(&c.facts(), &callback_actor(actor), CallbackMove::Reschedule)?;
    if let Some(assignee) = assignee_id {
        ticket_uc::require_worker(app, assignee, "assigneeId").await?;
    }
    let update = Update {
        due_at: Some(due_at),
        assignee_id,
        outcome: Some(reason),
        attempt: true,
        ..Update::default()
    };
    read(store::update(&app.db, id, c.version, update, now).await?)
}

/// Calls a callback off, with the reason.
pub async fn cancel(app: &App, actor: &Actor, id: Uuid, reason: &str) -> AppResult<Callback> {
    actor.require(Action::WorkCallbacks)?;
    let reason = text(reason, "reason", MAX_TEXT_CHARS)?;
    let c = get(app, actor, id).await?;
    rules::may(&c.facts(), &callback_actor(actor), CallbackMove::Cancel)?;
    let update = Update {
        status: Some(CallbackStatus::Cancelled.as_str()),
        outcome: Some(reason),
        ..Update::default()
    };
    read(store::update(&app.db, id, c.version, update, app.now()).await?)
}

/// Most callbacks `myCallbacks` returns.
pub const MY_CALLBACKS_LIMIT: u64 = 200;

/// The caller's scheduled callbacks due by `until` (default a week from now), overdue first.
pub async fn mine(
    app: &App,
    actor: &Actor,
    until: Option<DateTime<Utc>>,
) -> AppResult<Vec<Callback>> {
    actor.require(Action::WorkCallbacks)?;
    let until = until.unwrap_or_else(|| app.now() + TimeDelta::days(7));
    let rows = store::scheduled_for(&app.db, actor.id(), until, MY_CALLBACKS_LIMIT).await?;
    read_all(rows)
}

/// The teams whose callbacks and follow-ups a lead reads: `None` for all (managers, admins);
/// a supervisor's led teams, or the one asked for if they lead it.
async fn team_scope(app: &App, actor: &Actor, team: Option<Uuid>) -> AppResult<Option<Vec<Uuid>>> {
    actor.require(Action::ReadTeamCallbacks)?;
    let roles = actor.roles();
    let everyone = roles.has_any(&[careline_domain::Role::Manager, careline_domain::Role::Admin]);
    if everyone {
        return Ok(team.map(|t| vec![t]));
    }
    let led = crate::people::led_teams(app, &actor.user).await?;
    match team {
        Some(t) if led.contains(&t) => Ok(Some(vec![t])),
        Some(_) => Err(AppError::Forbidden("you do not lead that team".into())),
        None => Ok(Some(led)),
    }
}

/// Scheduled callbacks of the teams the caller leads (by the assignee's team), soonest first.
pub async fn of_teams(
    app: &App,
    actor: &Actor,
    team: Option<Uuid>,
    overdue_only: bool,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> AppResult<Page<Callback>> {
    let teams = team_scope(app, actor, team).await?;
    let filter = TeamFilter {
        teams,
        overdue_at: overdue_only.then(|| app.now()),
    };
    let page = store::scheduled_page(&app.db, &filter, after, limit).await?;
    Ok(Page {
        items: read_all(page.items)?,
        has_next: page.has_next,
        has_previous: page.has_previous,
        total: page.total,
    })
}

/// Resolved tickets of the caller's teams still waiting for their follow-up visit, longest
/// waiting first.
pub async fn awaiting_follow_up(
    app: &App,
    actor: &Actor,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> AppResult<Page<ticket::Model>> {
    let teams = team_scope(app, actor, None).await?;
    let kinds: Vec<&str> = TicketKind::ALL
        .into_iter()
        .filter(|k| careline_domain::ticket::needs_follow_up(*k))
        .map(|k| k.as_str())
        .collect();
    Ok(store::awaiting_follow_up(&app.db, &kinds, teams.as_deref(), after, limit).await?)
}

/// Business days after a resolution that its follow-up visit is due: a setting of the whole
/// process (`FOLLOW_UP_BUSINESS_DAYS`), set once at start-up before any request.
static FOLLOW_UP_DAYS: AtomicU32 = AtomicU32::new(rules::DEFAULT_FOLLOW_UP_BUSINESS_DAYS);

/// Sets [`follow_up_days`] for this process (at least one).
pub fn set_follow_up_days(days: u32) {
    FOLLOW_UP_DAYS.store(days.max(1), Ordering::Relaxed);
}

/// Business days after a resolution that its follow-up visit is due.
pub fn follow_up_days() -> u32 {
    FOLLOW_UP_DAYS.load(Ordering::Relaxed)
}

/// How the ticket's change came about, for [`after_change`].
pub struct Settled<'a> {
    /// The ticket after the change.
    pub ticket: &'a ticket::Model,
    /// Who acted.
    pub actor: Option<Uuid>,
    /// The follow-up visit's outcome, when one was recorded.
    pub outcome: Option<&'a str>,
    /// Who calls an unsatisfied customer again (default: the owner).
    pub next_assignee: Option<Uuid>,
    /// The ticket's calendar (business days count on it), if it has one.
    pub calendar: Option<&'a BusinessCalendar>,
    /// When.
    pub at: DateTime<Utc>,
}

fn business_days_after(
    cal: Option<&BusinessCalendar>,
    at: DateTime<Utc>,
    days: u32,
) -> DateTime<Utc> {
    match cal {
        Some(cal) => cal.close_of_business_days_after(at, days),
        None => at + TimeDelta::days(i64::from(days.max(1))),
    }
}

/// Carries out what a ticket's change does to its callbacks, inside the change's transaction.
pub async fn after_change<C: ConnectionTrait>(
    db: &C,
    effects: &[CallbackEffect],
    s: Settled<'_>,
) -> AppResult<()> {
    let t = s.ticket;
    let holder = t.owner_id.or(t.assignee_id).or(s.actor);
    for effect in effects {
        match effect {
            CallbackEffect::ScheduleFollowUp => {
                let Some(assignee) = holder else { continue };
                let due_at = business_days_after(s.calendar, s.at, follow_up_days());
                let planned = Planned {
                    purpose: CallbackPurpose::FollowUp,
                    ticket: Some(t),
                    customer_id: t.customer_id,
                    assignee,
                    due_at,
                    note: Some(format!("follow-up visit for {}", t.number)),
                    after_disagreement: false,
                };
                store::insert(db, row(planned, s.actor, s.at)).await?;
            }
            CallbackEffect::FollowUpDone { satisfied } => {
                let outcome = s.outcome.unwrap_or("follow-up visit recorded");
                store::settle_of_ticket(
                    db,
                    t.id,
                    &[CallbackPurpose::FollowUp.as_str()],
                    s.actor.or(holder),
                    outcome,
                    s.at,
                )
                .await?;
                if !satisfied {
                    let Some(assignee) = s.next_assignee.or(holder) else {
                        continue;
                    };
                    let planned = Planned {
                        purpose: CallbackPurpose::Callback,
                        ticket: Some(t),
                        customer_id: t.customer_id,
                        assignee,
                        due_at: business_days_after(s.calendar, s.at, 1),
                        note: Some(format!(
                            "the customer of {} was not satisfied at the follow-up visit: call again",
                            t.number
                        )),
                        after_disagreement: true,
                    };
                    store::insert(db, row(planned, s.actor, s.at)).await?;
                }
            }
            CallbackEffect::CancelFollowUp => {
                store::settle_of_ticket(
                    db,
                    t.id,
                    &[CallbackPurpose::FollowUp.as_str()],
                    None,
                    "the ticket was reopened",
                    s.at,
                )
                .await?;
            }
            CallbackEffect::CancelAll => {
                let purposes: Vec<&str> = CANCELLED_ON_CLOSE.iter().map(|p| p.as_str()).collect();
                store::settle_of_ticket(db, t.id, &purposes, None, "the ticket was closed", s.at)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Whether the customer of `t`, unsatisfied at its follow-up since its latest resolution, was
/// called again (for closing with the customer disagreeing).
pub async fn disagreement_called_back<C: ConnectionTrait>(
    db: &C,
    t: &ticket::Model,
) -> AppResult<bool> {
    Ok(store::disagreement_called_back(db, t.id, t.resolution_count).await?)
}

/// Most reminders or overdue notices one pass sends.
const BATCH: u64 = 200;

/// The scheduler's pass: reminders for callbacks due within the hour, to their assignees; an
/// overdue notice for each one past its due time — an escalation (`CALLBACK_OVERDUE`) on its
/// ticket when it has an open one, otherwise an inbox entry for the assignee's supervisor.
/// Each goes out once across instances (the claim is a conditional update). Returns how many
/// tickets were escalated.
pub async fn chase(app: &App, now: DateTime<Utc>) -> AppResult<usize> {
    let mut escalated = 0;
    for c in store::reminders_due(&app.db, now + rules::REMINDER_LEAD, BATCH).await? {
        let txn = app.db.begin().await?;
        if store::claim_reminder(&txn, c.id, c.due_at, now).await? {
            let ticket = match c.ticket_id {
                Some(id) => careline_persistence::tickets::find_many(&txn, &[id])
                    .await?
                    .into_iter()
                    .next(),
                None => None,
            };
            let text = staff_text(StaffNotice::CallbackDue, &c, ticket.as_ref());
            let entry = crate::notices::entry_row(
                c.assignee_id,
                StaffNotice::CallbackDue.as_str(),
                text,
                c.ticket_id,
                &format!("CALLBACK_DUE:{}:{}", c.id, c.due_at.timestamp()),
                now,
            );
            crate::notices::deliver_to_inboxes(&txn, vec![entry]).await?;
        }
        txn.commit().await?;
    }
    for c in store::overdue_unnotified(&app.db, now, BATCH).await? {
        if notify_overdue(app, &c, now).await? {
            escalated += 1;
        }
    }
    if escalated > 0 {
        app.committed();
    }
    Ok(escalated)
}

/// One overdue notice; true when it escalated a ticket.
async fn notify_overdue(app: &App, c: &callback::Model, now: DateTime<Utc>) -> AppResult<bool> {
    let txn = app.db.begin().await?;
    if !store::claim_overdue(&txn, c.id, c.due_at, now).await? {
        txn.commit().await?;
        return Ok(false);
    }
    let assignee = users::find(&txn, c.assignee_id).await?;
    let who = assignee
        .as_ref()
        .map_or("its assignee", |u| u.name.as_str());
    let reason = format!(
        "{} callback due {} not done by {who}",
        c.purpose.to_lowercase().replace('_', "-"),
        c.due_at.format("%Y-%m-%d %H:%M UTC")
    );
    let ticket = match c.ticket_id {
        Some(id) => careline_persistence::tickets::find_many(&txn, &[id])
            .await?
            .into_iter()
            .next(),
        None => None,
    };
    let open = ticket
        .as_ref()
        .is_some_and(|t| t.status != careline_domain::ticket::TicketStatus::Closed.as_str());
    if let (true, Some(t)) = (open, &ticket) {
        let command = SystemCommand::CallbackOverdue {
            reason,
            assignee: c.assignee_id,
        };
        let by = By::System {
            command,
            actor: None,
        };
        ticket_uc::execute(&txn, t.id, by, None, Extra::None, now).await?;
        txn.commit().await?;
        return Ok(true);
    }
    // No open ticket to escalate: the people an escalation would reach hear of it.
    let mut escalation = careline_domain::sla::Escalation {
        about: Some(c.assignee_id),
        ..careline_domain::sla::Escalation::new(1, EscalationKind::CallbackOverdue, reason)
    };
    let leads = crate::routing::recipients_about_person(&txn, &mut escalation).await?;
    let text = staff_text(StaffNotice::CallbackOverdue, c, ticket.as_ref());
    let entries = leads
        .into_iter()
        .map(|lead| {
            crate::notices::entry_row(
                lead,
                StaffNotice::CallbackOverdue.as_str(),
                text.clone(),
                c.ticket_id,
                &format!("CALLBACK_OVERDUE:{}:{}", c.id, c.due_at.timestamp()),
                now,
            )
        })
        .collect();
    crate::notices::deliver_to_inboxes(&txn, entries).await?;
    txn.commit().await?;
    Ok(false)
}

fn staff_text(kind: StaffNotice, c: &callback::Model, t: Option<&ticket::Model>) -> Template {
    let what = match t {
        Some(t) => format!(
            "{} callback on {}",
            c.purpose.to_lowercase().replace('_', "-"),
            t.number
        ),
        None => format!("{} callback", c.purpose.to_lowercase().replace('_', "-")),
    };
    let due = c.due_at.format("%Y-%m-%d %H:%M UTC");
    let (subject, body) = match kind {
        StaffNotice::CallbackOverdue => (
            format!("Overdue: {what}"),
            format!("Due {due}; not done yet.{}", note_line(c)),
        ),
        _ => (
            format!("Due soon: {what}"),
            format!("Due {due}.{}", note_line(c)),
        ),
    };
    Template { subject, body }
}

fn note_line(c: &callback::Model) -> String {
    c.note
        .as_deref()
        .map(|n| format!(" {}", n.chars().take(300).collect::<String>()))
        .unwrap_or_default()
}
