//! The conversation on a ticket: the customer's messages, staff replies that reach the customer
//! on their channels, promised answer times, everyone's inbox, customers' contact preferences,
//! the message templates and the deliveries leads look after. Changes to a ticket go through
//! the one write path (`tickets::run`), which also writes the notices they cause.

use crate::error::{AppError, AppResult};
use crate::tickets::{self, Extra, viewer_of};
use crate::{Actor, App};
use careline_domain::customer::can_see_contact;
use careline_domain::notice::{
    self, CUSTOMER_MESSAGES_PER_HOUR, ContactPreferences, MAX_TEMPLATE_CHARS, NotificationChannel,
    NotificationEvent, PreferencesChange,
};
use careline_domain::report::Language;
use careline_domain::ticket::{Command, mask_email, mask_phone};
use careline_domain::{Action, Role};
use careline_persistence::conversation;
use careline_persistence::customers;
use careline_persistence::entity::{
    contact_preference, delivery, notification, ticket, ticket_event,
};
use careline_persistence::page::{Page, PageRequest};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// Most inbox entries one `markNotificationsRead` names.
pub const MAX_MARK_READ: usize = 100;

/// A customer writes on their own ticket. Returns the message's timeline entry.
pub async fn post_customer_message(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    body: String,
    file_ids: &[Uuid],
) -> AppResult<ticket_event::Model> {
    actor.require(Action::PostCustomerMessage)?;
    let since = app.now() - Duration::hours(1);
    let recent =
        conversation::customer_messages_since(&app.db, ticket_id, actor.id(), since).await?;
    if recent >= CUSTOMER_MESSAGES_PER_HOUR {
        return Err(AppError::RateLimited {
            retry_after_seconds: 3600,
        });
    }
    let cmd = Command::CustomerMessage { body };
    with_files(app, actor, ticket_id, cmd, file_ids).await
}

/// What staff write to the customer: a reply, delivered on the customer's channels.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The ticket.
    pub ticket_id: Uuid,
    /// The message.
    pub body: String,
    /// Files sent with it.
    pub file_ids: Vec<Uuid>,
    /// Also wait for the customer (`OPEN` → `PENDING_CUSTOMER`).
    pub wait_for_customer: bool,
}

/// Staff write to the customer. Returns the reply's timeline entry.
pub async fn send_reply(app: &App, actor: &Actor, reply: Reply) -> AppResult<ticket_event::Model> {
    actor.require(Action::ReplyToCustomer)?;
    let cmd = Command::ReplyToCustomer {
        body: reply.body,
        wait_for_customer: reply.wait_for_customer,
    };
    with_files(app, actor, reply.ticket_id, cmd, &reply.file_ids).await
}

/// Promises the customer an answer by `at`; they are told.
pub async fn promise_answer(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    at: DateTime<Utc>,
    message: Option<String>,
) -> AppResult<ticket::Model> {
    actor.require(Action::PromiseAnswer)?;
    let cmd = Command::PromiseAnswer { at, message };
    Ok(tickets::run(
        app,
        &viewer_of(&actor.user),
        ticket_id,
        None,
        cmd,
        Extra::None,
    )
    .await?
    .ticket)
}

/// Applies a message or a reply with the caller's uploaded files (checked before anything is
/// written: unknown or someone else's ids are `BAD_USER_INPUT` on `fileIds`, alike), attached
/// to its entry in the change's transaction. Returns the entry.
async fn with_files(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    cmd: Command,
    file_ids: &[Uuid],
) -> AppResult<ticket_event::Model> {
    // The command's own arguments first, as for every change (`check_arguments`).
    careline_domain::ticket::check_arguments(&cmd)?;
    crate::files::claim(&app.db, actor.id(), file_ids, "fileIds").await?;
    let viewer = viewer_of(&actor.user);
    let applied =
        tickets::run_with_files(app, &viewer, ticket_id, None, cmd, Extra::None, file_ids).await?;
    first_entry(applied)
}

fn first_entry(applied: tickets::Applied) -> AppResult<ticket_event::Model> {
    applied.events.into_iter().next().ok_or_else(|| {
        AppError::internal(
            anyhow::anyhow!("a change without an entry"),
            "a timeline entry",
        )
    })
}

/// A page of what the customer sees of a ticket, oldest first.
pub async fn conversation(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    page: PageRequest,
) -> AppResult<Page<ticket_event::Model>> {
    tickets::load_readable(app, &viewer_of(&actor.user), ticket_id).await?;
    Ok(conversation::conversation(&app.db, ticket_id, page).await?)
}

// ---------------------------------------------------------------------------------------------
// Inboxes.

/// A page of the caller's inbox, newest first.
pub struct Inbox {
    /// The entries.
    pub entries: Vec<notification::Model>,
    /// More after the last.
    pub has_next: bool,
    /// Entries in the inbox (unread ones only, when asked for those).
    pub total: u64,
    /// Unread entries.
    pub unread: u64,
}

/// The caller's inbox.
pub async fn inbox(
    app: &App,
    actor: &Actor,
    unread_only: bool,
    after: Option<Uuid>,
    limit: u64,
) -> AppResult<Inbox> {
    let (entries, has_next) =
        conversation::inbox(&app.db, actor.id(), unread_only, after, limit).await?;
    let (total, unread) = conversation::inbox_counts(&app.db, actor.id(), unread_only).await?;
    Ok(Inbox {
        entries,
        has_next,
        total,
        unread,
    })
}

/// Marks entries of the caller's inbox read (others' ids change nothing); how many changed.
pub async fn mark_read(app: &App, actor: &Actor, ids: &[Uuid]) -> AppResult<u64> {
    if ids.len() > MAX_MARK_READ {
        return Err(AppError::bad_input(
            "ids",
            format!("name at most {MAX_MARK_READ} entries at once"),
        ));
    }
    Ok(conversation::mark_read(&app.db, actor.id(), ids, app.now()).await?)
}

// ---------------------------------------------------------------------------------------------
// Contact preferences.

/// A customer record's preferences (the record is the caller's to read already).
pub async fn preferences(app: &App, customer_id: Uuid) -> AppResult<ContactPreferences> {
    let customer = customers::find(&app.db, customer_id)
        .await?
        .ok_or_else(|| AppError::NotFound("customer not found".to_owned()))?;
    crate::notices::preferences_of(&app.db, &customer).await
}

/// Sets a customer's preferences: customers their own record, staff who may edit customer
/// records anyone's. Someone else's record is `NOT_FOUND` to a customer.
pub async fn set_preferences(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    change: PreferencesChange,
) -> AppResult<crate::customers::CustomerRecord> {
    actor.require(Action::SetContactPreferences)?;
    let customer = customers::find(&app.db, customer_id)
        .await?
        .filter(|c| actor.roles().is_staff() || c.user_id == Some(actor.id()))
        .ok_or_else(|| AppError::NotFound("customer not found".to_owned()))?;
    if actor.roles().is_staff() {
        actor.require(Action::EditCustomers)?;
    }
    let current = crate::notices::preferences_of(&app.db, &customer).await?;
    let next = current.changed(change)?;
    conversation::save_preferences(
        &app.db,
        contact_preference::Model {
            customer_id,
            channels: next.channels_str(),
            quiet_hours: next.quiet_hours.map(|q| q.to_string()),
            time_zone: next.time_zone.name().to_owned(),
            language: next.language.as_str().to_owned(),
            opted_out: next.opted_out,
            updated_at: app.now(),
        },
    )
    .await?;
    tracing::info!(customer.id = %customer_id, "contact preferences set");
    crate::customers::one(app, actor, customer).await
}

// ---------------------------------------------------------------------------------------------
// Templates.

/// A template in force.
#[derive(Debug, Clone)]
pub struct TemplateView {
    /// Event.
    pub event: NotificationEvent,
    /// Channel.
    pub channel: NotificationChannel,
    /// Language.
    pub language: Language,
    /// Email subject (none for SMS and the app).
    pub subject: Option<String>,
    /// Body.
    pub body: String,
    /// 1 for the shipped text; each edit adds one.
    pub version: i32,
}

impl TemplateView {
    /// A stable id: event, channel and language.
    pub fn id(&self) -> String {
        format!(
            "{}/{}/{}",
            self.event.as_str(),
            self.channel.as_str(),
            self.language.as_str()
        )
    }
}

/// The templates in force, optionally of one event or channel.
pub async fn templates(
    app: &App,
    actor: &Actor,
    event: Option<NotificationEvent>,
    channel: Option<NotificationChannel>,
) -> AppResult<Vec<TemplateView>> {
    actor.require(Action::ReadNotificationTemplates)?;
    let edits: HashMap<(String, String, String), _> = conversation::templates(&app.db)
        .await?
        .into_iter()
        .map(|t| ((t.event.clone(), t.channel.clone(), t.language.clone()), t))
        .collect();
    let mut out = Vec::new();
    for e in NotificationEvent::ALL {
        if event.is_some_and(|x| x != e) {
            continue;
        }
        for c in NotificationChannel::ALL {
            if channel.is_some_and(|x| x != c) {
                continue;
            }
            for l in [Language::ZhCn, Language::En] {
                let key = (
                    e.as_str().to_owned(),
                    c.as_str().to_owned(),
                    l.as_str().to_owned(),
                );
                let shipped = notice::shipped(e, c, l);
                let view = match edits.get(&key) {
                    Some(edit) => TemplateView {
                        event: e,
                        channel: c,
                        language: l,
                        subject: edit.subject.clone(),
                        body: edit.body.clone(),
                        version: edit.version,
                    },
                    None => TemplateView {
                        event: e,
                        channel: c,
                        language: l,
                        subject: (c == NotificationChannel::Email).then_some(shipped.subject),
                        body: shipped.body,
                        version: 1,
                    },
                };
                out.push(view);
            }
        }
    }
    Ok(out)
}

/// An edit of a template.
#[derive(Debug, Clone)]
pub struct TemplateEdit {
    /// Event.
    pub event: NotificationEvent,
    /// Channel.
    pub channel: NotificationChannel,
    /// `zh-CN` or `en`.
    pub language: String,
    /// Email subject; only email templates have one.
    pub subject: Option<String>,
    /// Body with placeholders.
    pub body: String,
}

/// Edits a template: placeholders are checked, the version goes up by one.
pub async fn upsert_template(
    app: &App,
    actor: &Actor,
    edit: TemplateEdit,
) -> AppResult<TemplateView> {
    actor.require(Action::ManageNotificationTemplates)?;
    let language = notice::parse_language(&edit.language, "input.language")?;
    let body = crate::text(&edit.body, "input.body", MAX_TEMPLATE_CHARS)?;
    notice::check_template(&body, "input.body")?;
    let subject = match (edit.channel, edit.subject) {
        (NotificationChannel::Email, Some(s)) => {
            let s = crate::text(&s, "input.subject", 300)?;
            notice::check_template(&s, "input.subject")?;
            Some(s)
        }
        (NotificationChannel::Email, None) => {
            return Err(AppError::bad_input(
                "input.subject",
                "an email template needs a subject",
            ));
        }
        (_, Some(_)) => {
            return Err(AppError::bad_input(
                "input.subject",
                "only email templates have a subject",
            ));
        }
        (_, None) => None,
    };
    let saved = conversation::save_template(
        &app.db,
        edit.event.as_str(),
        edit.channel.as_str(),
        language.as_str(),
        subject,
        body,
        actor.id(),
        app.now(),
    )
    .await?;
    tracing::info!(template.event = %saved.event, template.channel = %saved.channel, template.version = saved.version, "notification template edited");
    Ok(TemplateView {
        event: edit.event,
        channel: edit.channel,
        language,
        subject: saved.subject,
        body: saved.body,
        version: saved.version,
    })
}

// ---------------------------------------------------------------------------------------------
// Deliveries.

/// A page of failed deliveries, newest first, and how many there are.
pub async fn failed_deliveries(
    app: &App,
    actor: &Actor,
    after: Option<Uuid>,
    limit: u64,
) -> AppResult<(Vec<delivery::Model>, bool, u64)> {
    actor.require(Action::ManageDeliveries)?;
    Ok(conversation::failed(&app.db, after, limit).await?)
}

/// Puts a failed delivery back in line, due now.
pub async fn retry_delivery(app: &App, actor: &Actor, id: Uuid) -> AppResult<delivery::Model> {
    actor.require(Action::ManageDeliveries)?;
    let retried = conversation::retry(&app.db, id, app.now())
        .await?
        .ok_or_else(|| AppError::NotFound("no failed delivery with that id".to_owned()))?;
    app.committed();
    tracing::info!(delivery.id = %id, "delivery retried");
    Ok(retried)
}

/// Deliveries of `ticket`'s timeline entries as the actor may see them: none for customers;
/// the address masked unless the actor may see the customer's contact data (leads, the
/// ticket's owner and assignee).
pub fn visible_deliveries(
    actor: &Actor,
    ticket: &ticket::Model,
    mut rows: Vec<delivery::Model>,
) -> Vec<delivery::Model> {
    if !actor.roles().is_staff() {
        return Vec::new();
    }
    let accountable = ticket.owner_id == Some(actor.id()) || ticket.assignee_id == Some(actor.id());
    let full = can_see_contact(&viewer_of(&actor.user), None, accountable)
        || actor
            .roles()
            .has_any(&[Role::Supervisor, Role::Manager, Role::Admin]);
    if !full {
        for d in &mut rows {
            d.address = d.address.as_deref().map(|a| mask_address(&d.channel, a));
        }
    }
    rows
}

/// An address as people who may not see it read it.
pub fn mask_address(channel: &str, address: &str) -> String {
    if channel == NotificationChannel::Email.as_str() {
        mask_email(address)
    } else {
        mask_phone(address)
    }
}

/// Escalates tickets whose promised answer time passed while they were still being worked:
/// once per promise across instances (the flag is claimed under a condition in the same
/// transaction as the escalation).
pub async fn check_promises(app: &App, now: DateTime<Utc>) -> AppResult<usize> {
    use sea_orm::TransactionTrait;
    let due = conversation::promises_broken(&app.db, now, 100).await?;
    let mut escalated = 0;
    for id in due {
        let txn = app.db.begin().await?;
        let Some(promised) = conversation::claim_broken_promise(&txn, id, now).await? else {
            continue;
        };
        let reason = format!(
            "the answer promised to the customer by {} was not given",
            promised.format("%Y-%m-%d %H:%M UTC")
        );
        let by = tickets::By::System {
            command: careline_domain::ticket::SystemCommand::PromiseBroken { reason },
            actor: None,
        };
        tickets::execute(&txn, id, by, None, Extra::None, now).await?;
        txn.commit().await?;
        escalated += 1;
    }
    Ok(escalated)
}
