//! What a ticket change tells people, written in the change's own transaction so that a
//! notice exists exactly when its change does: the customer's inbox entry and their outside
//! deliveries (SMS, email: rows the delivery worker sends later, never in the request), and
//! staff inbox entries (assigned to you, a customer wrote on your ticket). Each entry and
//! delivery is keyed by its cause, so it is written once however often the cause is seen.

use crate::error::AppResult;
use careline_domain::event::{Envelope, Event, InboxEntry};
use careline_domain::notice::{
    self, ContactPreferences, NotificationChannel, NotificationEvent, Reach, StaffNotice, Template,
};
use careline_domain::report::Language;
use careline_domain::ticket::{EventDraft, TicketEventKind};
use careline_persistence::conversation;
use careline_persistence::entity::{customer, delivery, notification, ticket, ticket_event};
use careline_persistence::{org, outbox, users};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// A change to tell people about.
pub struct Told<'a> {
    /// The ticket after the change.
    pub ticket: &'a ticket::Model,
    /// Its customer record.
    pub customer: &'a customer::Model,
    /// The change's timeline entries as decided, in order.
    pub drafts: &'a [EventDraft],
    /// The same entries as stored.
    pub entries: &'a [ticket_event::Model],
    /// The assignee before the change.
    pub assignee_before: Option<Uuid>,
    /// Who acted.
    pub actor: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Writes the notices `told` causes, inside the caller's transaction.
pub async fn after_change<C: ConnectionTrait>(db: &C, told: Told<'_>) -> AppResult<()> {
    let t = told.ticket;
    let mut inbox = Vec::new();
    if let Some((event, message, i)) = notice::customer_notice(told.drafts)
        && let Some(entry) = told.entries.get(i)
    {
        let agent = match told.actor {
            Some(id) => users::find(db, id).await?.map(|u| u.name),
            None => None,
        };
        let notice = CustomerNotice {
            event,
            ticket: t,
            customer: told.customer,
            agent: agent.as_deref(),
            message: message.as_deref(),
            cause: format!("{}:{}", event.as_str(), entry.id),
            event_id: Some(entry.id),
            at: told.at,
        };
        inbox.extend(tell_customer(db, notice).await?);
    }
    // Staff: a new assignee hears of it (unless they took it themselves); the ticket's holder
    // hears of a customer's message.
    if t.assignee_id != told.assignee_before
        && let Some(assignee) = t.assignee_id
        && told.actor != Some(assignee)
        && let Some(first) = told.entries.first()
    {
        inbox.push(entry_row(
            assignee,
            StaffNotice::Assigned.as_str(),
            staff_text(StaffNotice::Assigned, t, None),
            Some(t.id),
            &format!("ASSIGNED:{}", first.id),
            told.at,
        ));
    }
    for entry in told.entries {
        if entry.kind == TicketEventKind::CustomerMessage.as_str()
            && let Some(holder) = t.assignee_id.or(t.owner_id)
        {
            inbox.push(entry_row(
                holder,
                StaffNotice::CustomerMessage.as_str(),
                staff_text(StaffNotice::CustomerMessage, t, entry.message.as_deref()),
                Some(t.id),
                &format!("CUSTOMER_MESSAGE:{}", entry.id),
                told.at,
            ));
        }
    }
    deliver_to_inboxes(db, inbox).await
}

/// One notice to one customer.
pub struct CustomerNotice<'a> {
    /// What they are told.
    pub event: NotificationEvent,
    /// The ticket it is about.
    pub ticket: &'a ticket::Model,
    /// Its customer.
    pub customer: &'a customer::Model,
    /// The staff member who acted, by name.
    pub agent: Option<&'a str>,
    /// The text it carries.
    pub message: Option<&'a str>,
    /// What caused it: the key that makes it once per customer and channel.
    pub cause: String,
    /// The timeline entry it belongs to, if any.
    pub event_id: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Queues a notice's outside deliveries (written here, sent by the delivery worker) and
/// returns its app inbox entry, if the customer has an account, for the caller to write with
/// the others.
pub async fn tell_customer<C: ConnectionTrait>(
    db: &C,
    n: CustomerNotice<'_>,
) -> AppResult<Option<notification::Model>> {
    let prefs = preferences_of(db, n.customer).await?;
    let values = Values {
        ticket: n.ticket,
        customer: n.customer,
        agent: n.agent,
        message: n.message,
    };
    let mut inbox = None;
    if let Some(user_id) = n.customer.user_id {
        let app = render(db, n.event, NotificationChannel::App, &prefs, &values).await?;
        inbox = Some(entry_row(
            user_id,
            n.event.as_str(),
            app,
            Some(n.ticket.id),
            &n.cause,
            n.at,
        ));
    }
    let reach = Reach {
        email: n.customer.email.as_deref(),
        phone: n.customer.phone.as_deref(),
        // Whether a channel is configured is the sender's to say: a delivery on a channel
        // without a sender is recorded SUPPRESSED when the worker takes it.
        email_configured: true,
        sms_configured: true,
    };
    let due = prefs.quiet_until(n.at).unwrap_or(n.at);
    let mut deliveries = Vec::new();
    for route in notice::routes(&prefs, n.event, reach) {
        let text = render(db, n.event, route.channel, &prefs, &values).await?;
        deliveries.push(delivery::Model {
            id: Uuid::now_v7(),
            cause: n.cause.clone(),
            ticket_id: Some(n.ticket.id),
            event_id: n.event_id,
            customer_id: n.customer.id,
            notice: n.event.as_str().to_owned(),
            channel: route.channel.as_str().to_owned(),
            address: route.address,
            subject: (route.channel == NotificationChannel::Email).then_some(text.subject),
            body: text.body,
            status: route.status.as_str().to_owned(),
            attempts: 0,
            detail: route.detail.map(str::to_owned),
            next_attempt_at: due,
            lease_until: None,
            message_id: None,
            sent_at: None,
            created_at: n.at,
            updated_at: n.at,
        });
    }
    conversation::insert_deliveries(db, deliveries).await?;
    Ok(inbox)
}

/// Writes inbox entries and the events that carry them to their owners' open streams.
pub async fn deliver_to_inboxes<C: ConnectionTrait>(
    db: &C,
    rows: Vec<notification::Model>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let written = conversation::insert_notifications(db, rows).await?;
    let events: Vec<Envelope> = written
        .into_iter()
        .map(|n| {
            Envelope::new(Event::Notified {
                user_id: n.user_id,
                entry: InboxEntry {
                    id: n.id,
                    kind: n.kind,
                    title: n.title,
                    body: n.body,
                    ticket_id: n.ticket_id,
                    at: n.at,
                },
            })
        })
        .collect();
    outbox::enqueue(db, &events).await?;
    Ok(())
}

/// An inbox entry.
pub fn entry_row(
    user_id: Uuid,
    kind: &str,
    text: Template,
    ticket_id: Option<Uuid>,
    cause: &str,
    at: DateTime<Utc>,
) -> notification::Model {
    notification::Model {
        id: Uuid::now_v7(),
        user_id,
        kind: kind.to_owned(),
        title: text.subject.chars().take(300).collect(),
        body: text.body,
        ticket_id,
        at,
        read_at: None,
        dedupe_key: cause.chars().take(120).collect(),
    }
}

/// What staff read in their inbox (staff read English and Chinese alike in the dashboards;
/// titles carry the ticket number, which is what they search by).
pub fn staff_text(kind: StaffNotice, t: &ticket::Model, message: Option<&str>) -> Template {
    let (subject, body) = match kind {
        StaffNotice::Assigned => (
            format!("{} assigned to you", t.number),
            format!("“{}” is yours now.", t.subject),
        ),
        StaffNotice::CustomerMessage => (
            format!("The customer wrote on {}", t.number),
            message.unwrap_or_default().chars().take(500).collect(),
        ),
        StaffNotice::DeliveryFailed => (
            format!("A message to the customer of {} failed", t.number),
            message.unwrap_or_default().to_owned(),
        ),
        StaffNotice::Praised => (format!("Praise: {}", t.number), format!("“{}”", t.subject)),
        StaffNotice::Escalated => (
            format!("{} escalated to you", t.number),
            message.unwrap_or_default().to_owned(),
        ),
        StaffNotice::CorrectiveActionDue => (
            format!("A corrective action on {} is due", t.number),
            message.unwrap_or_default().to_owned(),
        ),
        StaffNotice::CallbackDue | StaffNotice::CallbackOverdue => (
            format!("A callback on {} needs you", t.number),
            message.unwrap_or_default().to_owned(),
        ),
    };
    Template { subject, body }
}

/// Praise reaches the people it is for and their lead (000: praise is passed on to departments
/// and people): a praised employee and their team's supervisor; a praised team's active members
/// and supervisor; a praised department's active staff. Once each, in the intake's transaction.
pub async fn praise<C: ConnectionTrait>(
    db: &C,
    t: &ticket::Model,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let mut people: Vec<Uuid> = Vec::new();
    let mut teams: Vec<Uuid> = Vec::new();
    if let Some(id) = t.praised_employee_id {
        people.push(id);
        if let Some(team) = users::find(db, id).await?.and_then(|u| u.team_id) {
            teams.push(team);
        }
    }
    if let Some(team) = t.praised_team_id {
        people.extend(
            users::members_of(db, &[team])
                .await?
                .into_iter()
                .filter(|u| u.active)
                .map(|u| u.id),
        );
        teams.push(team);
    }
    for team in teams {
        if let Some(supervisor) = org::team(db, team).await?.and_then(|t| t.supervisor_id) {
            people.push(supervisor);
        }
    }
    if let Some(department) = t.praised_department_id {
        people.extend(
            users::active_in_department(db, department)
                .await?
                .into_iter()
                .map(|u| u.id),
        );
    }
    people.sort();
    people.dedup();
    let text = staff_text(StaffNotice::Praised, t, None);
    let entries = people
        .into_iter()
        .map(|person| {
            entry_row(
                person,
                StaffNotice::Praised.as_str(),
                text.clone(),
                Some(t.id),
                &format!("PRAISED:{}", t.id),
                at,
            )
        })
        .collect();
    deliver_to_inboxes(db, entries).await
}

/// A customer's preferences: stored ones, or the defaults for what is on their record.
pub async fn preferences_of<C: ConnectionTrait>(
    db: &C,
    customer: &customer::Model,
) -> AppResult<ContactPreferences> {
    let defaults = ContactPreferences::defaults(customer.email.is_some(), customer.phone.is_some());
    Ok(match conversation::preferences(db, customer.id).await? {
        Some(p) => crate::tickets::stored(
            ContactPreferences::from_stored(
                &p.channels,
                p.quiet_hours.as_deref(),
                &p.time_zone,
                &p.language,
                p.opted_out,
            ),
            "contact preferences",
        )?,
        None => defaults,
    })
}

/// The values placeholders are filled from.
struct Values<'a> {
    ticket: &'a ticket::Model,
    customer: &'a customer::Model,
    agent: Option<&'a str>,
    message: Option<&'a str>,
}

impl Values<'_> {
    fn get(&self, placeholder: &str, tz: chrono_tz::Tz) -> Option<String> {
        Some(match placeholder {
            "ticket.number" => self.ticket.number.clone(),
            "ticket.subject" => self.ticket.subject.clone(),
            "customer.name" => self.customer.name.clone(),
            "agent.name" => self.agent?.to_owned(),
            "message" => self.message?.to_owned(),
            "promisedAnswerAt" => self
                .ticket
                .promised_answer_at?
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            _ => return None,
        })
    }
}

/// The template in force (a manager's edit, else the shipped one), filled in.
async fn render<C: ConnectionTrait>(
    db: &C,
    event: NotificationEvent,
    channel: NotificationChannel,
    prefs: &ContactPreferences,
    values: &Values<'_>,
) -> AppResult<Template> {
    let t = template_in_force(db, event, channel, prefs.language).await?;
    // Times in the customer's own time zone.
    let tz = prefs.time_zone;
    Ok(Template {
        subject: notice::render(&t.subject, |p| values.get(p, tz)),
        body: notice::render(&t.body, |p| values.get(p, tz)),
    })
}

/// The template in force for an event, channel and language: a manager's edit, else the
/// shipped one.
pub async fn template_in_force<C: ConnectionTrait>(
    db: &C,
    event: NotificationEvent,
    channel: NotificationChannel,
    language: Language,
) -> AppResult<Template> {
    let shipped = notice::shipped(event, channel, language);
    Ok(
        match conversation::template(db, event.as_str(), channel.as_str(), language.as_str())
            .await?
        {
            Some(edit) => Template {
                subject: edit.subject.unwrap_or(shipped.subject),
                body: edit.body,
            },
            None => shipped,
        },
    )
}
