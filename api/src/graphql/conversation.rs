//! The conversation with customers: messages and replies, promised answer times, inboxes,
//! contact preferences, message templates and deliveries (`docs/CONVERSATION.md`).

use super::connection::{PageInfo, connection, decode_cursor, encode_cursor, first_or_default};
use super::tickets::{Customer, Ticket, TicketEvent};
use super::{Can, SignedIn, actor, app, found_id, input_id};
use crate::app::conversation::{self as use_case, Reply, TemplateEdit, TemplateView};
use crate::app::{AppError, AppResult};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use careline_app::rows::{delivery, notification};
use careline_domain::Action;
use careline_domain::notice::{self, ContactPreferences as Preferences, PreferencesChange};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A way to reach someone.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::notice::NotificationChannel")]
pub enum NotificationChannel {
    /// The inbox in the app.
    App,
    /// A text message through the SMS gateway.
    Sms,
    /// An email.
    Email,
}

/// Where one delivery stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::notice::DeliveryStatus")]
pub enum DeliveryStatus {
    /// Queued, or waiting for the customer's quiet hours to end.
    Pending,
    /// Handed to the mail server or the SMS gateway.
    Sent,
    /// Gave up after the last retry; leads see it in failedDeliveries.
    Failed,
    /// Not sent on purpose: opted out, no address, or the channel is not configured.
    Suppressed,
}

/// What Careline tells customers, for each event, channel and language.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::notice::NotificationEvent")]
pub enum NotificationEvent {
    /// Their ticket was registered.
    TicketReceived,
    /// Staff wrote to them.
    AgentReply,
    /// Staff wrote and wait for their answer.
    WaitingOnCustomer,
    /// They were promised an answer by a time.
    AnswerPromised,
    /// Their ticket was resolved.
    Resolved,
    /// A follow-up visit was recorded.
    FollowUp,
    /// They are invited to a satisfaction survey.
    SurveyInvitation,
}

/// A delivery as stored.
#[derive(Clone)]
pub struct Delivery(pub delivery::Model);

/// One attempt to reach one person with one message on one channel.
#[Object]
impl Delivery {
    /// The delivery's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The channel.
    async fn channel(&self) -> AppResult<NotificationChannel> {
        Ok(crate::app::tickets::stored(
            notice::NotificationChannel::parse(&self.0.channel),
            "delivery channel",
        )?
        .into())
    }
    /// Masked (138****5678, l***@example.com) unless the caller may see contact data.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// Where it stands.
    async fn status(&self) -> AppResult<DeliveryStatus> {
        Ok(crate::app::tickets::stored(
            notice::DeliveryStatus::parse(&self.0.status),
            "delivery status",
        )?
        .into())
    }
    /// Tries so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Why it failed or was suppressed.
    async fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }
    /// When it went out.
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

connection!(DeliveryConnection, DeliveryEdge, Delivery);

/// How a customer wants to be reached.
#[derive(SimpleObject, Clone)]
pub struct ContactPreferences {
    /// Channels in order of preference. Replies go to the first that can reach the customer;
    /// APP always gets the entry.
    pub channels: Vec<NotificationChannel>,
    /// Local quiet hours like 22:00-08:00: SMS and email wait until they end.
    pub quiet_hours: Option<String>,
    /// An IANA time zone, e.g. Asia/Shanghai.
    pub time_zone: String,
    /// zh-CN or en: the language of everything sent to this customer.
    pub language: String,
    /// No surveys, follow-up or care messages; replies to the customer's own contacts still
    /// go out.
    pub opted_out: bool,
}

impl From<Preferences> for ContactPreferences {
    fn from(p: Preferences) -> Self {
        ContactPreferences {
            channels: p.channels.into_iter().map(Into::into).collect(),
            quiet_hours: p.quiet_hours.map(|q| q.to_string()),
            time_zone: p.time_zone.name().to_owned(),
            language: p.language.as_str().to_owned(),
            opted_out: p.opted_out,
        }
    }
}

/// A change of contact preferences: only the fields given change.
#[derive(InputObject)]
pub struct ContactPreferencesInput {
    /// Channels in order, each once, at least one.
    pub channels: Option<Vec<NotificationChannel>>,
    /// `HH:MM-HH:MM`, local; `""` clears them.
    pub quiet_hours: Option<String>,
    /// An IANA time zone, e.g. Asia/Shanghai.
    pub time_zone: Option<String>,
    /// zh-CN or en.
    pub language: Option<String>,
    /// Opt out of care messages (surveys, follow-ups).
    pub opted_out: Option<bool>,
}

/// The contact preferences of a customer record (the record is the caller's to read).
pub async fn preferences_of(ctx: &Context<'_>, customer_id: Uuid) -> AppResult<ContactPreferences> {
    Ok(use_case::preferences(app(ctx)?, customer_id).await?.into())
}

/// A template in force.
pub struct NotificationTemplate(TemplateView);

/// What Careline tells customers for one event, channel and language.
#[Object]
impl NotificationTemplate {
    /// Event, channel and language, e.g. `AGENT_REPLY/EMAIL/zh-CN`.
    async fn id(&self) -> ID {
        ID(self.0.id())
    }
    /// The event.
    async fn event(&self) -> NotificationEvent {
        self.0.event.into()
    }
    /// The channel.
    async fn channel(&self) -> NotificationChannel {
        self.0.channel.into()
    }
    /// zh-CN or en.
    async fn language(&self) -> &str {
        self.0.language.as_str()
    }
    /// Email subject; null for SMS and APP.
    async fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }
    /// Text with {{placeholders}} (ticket.number, ticket.subject, customer.name, agent.name,
    /// agent.workNumber, message, promisedAnswerAt).
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// 1 for the text Careline ships; each edit adds one.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// An edit of a message template.
#[derive(InputObject)]
pub struct NotificationTemplateInput {
    /// The event.
    pub event: NotificationEvent,
    /// The channel.
    pub channel: NotificationChannel,
    /// zh-CN or en.
    pub language: String,
    /// Email subject (email templates only).
    pub subject: Option<String>,
    /// Text with {{placeholders}}; an unknown placeholder is BAD_USER_INPUT.
    pub body: String,
}

/// An entry in someone's inbox.
#[derive(Clone)]
pub struct Notification {
    id: Uuid,
    kind: String,
    title: String,
    body: String,
    ticket_id: Option<Uuid>,
    at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl From<notification::Model> for Notification {
    fn from(n: notification::Model) -> Self {
        Notification {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            ticket_id: n.ticket_id,
            at: n.at,
            read_at: n.read_at,
        }
    }
}

impl From<&careline_domain::event::InboxEntry> for Notification {
    fn from(n: &careline_domain::event::InboxEntry) -> Self {
        Notification {
            id: n.id,
            kind: n.kind.clone(),
            title: n.title.clone(),
            body: n.body.clone(),
            ticket_id: n.ticket_id,
            at: n.at,
            read_at: None,
        }
    }
}

/// An entry in someone's inbox: a customer's (a reply, a promise, a resolution) or a staff
/// member's (an assignment, a customer's message, a failed delivery).
#[Object]
impl Notification {
    /// The entry's id.
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
    /// Machine-readable kind, e.g. AGENT_REPLY, ASSIGNED, CUSTOMER_MESSAGE.
    async fn kind(&self) -> &str {
        &self.kind
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.title
    }
    /// Text.
    async fn body(&self) -> &str {
        &self.body
    }
    /// The ticket it is about, if the caller may still read it.
    async fn ticket(&self, ctx: &Context<'_>) -> AppResult<Option<Ticket>> {
        let Some(id) = self.ticket_id else {
            return Ok(None);
        };
        match crate::app::tickets::get(app(ctx)?, actor(ctx)?, id).await {
            Ok(t) => Ok(Some(Ticket(t))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
    /// When it arrived.
    async fn at(&self) -> DateTime<Utc> {
        self.at
    }
    /// When it was read.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.read_at
    }
}

/// One entry and its cursor.
#[derive(SimpleObject, Clone)]
pub struct NotificationEdge {
    /// Opaque position of this entry.
    pub cursor: String,
    /// The entry.
    pub node: Notification,
}

/// A page of an inbox, newest first.
#[derive(SimpleObject)]
pub struct NotificationConnection {
    /// Entries with cursors.
    pub edges: Vec<NotificationEdge>,
    /// Entries without cursors.
    pub nodes: Vec<Notification>,
    /// Where this page sits.
    pub page_info: PageInfo,
    /// Entries in the inbox (unread ones only, when asked for those).
    pub total_count: i32,
    /// Unread entries in the inbox.
    pub unread_count: i32,
}

/// What staff write to the customer.
#[derive(InputObject)]
pub struct ReplyInput {
    /// The ticket.
    pub ticket_id: ID,
    /// The message, 1 to 10,000 characters.
    pub body: String,
    /// Uploaded files to send with it.
    pub file_ids: Option<Vec<ID>>,
    /// Also set the ticket to PENDING_CUSTOMER (the SLA clock pauses until the customer
    /// answers).
    pub wait_for_customer: Option<bool>,
}

fn file_ids(ids: Option<Vec<ID>>, field: &str) -> AppResult<Vec<Uuid>> {
    ids.unwrap_or_default()
        .iter()
        .map(|id| input_id(id, field))
        .collect()
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Queries of the conversation.
#[derive(Default)]
pub struct ConversationQuery;

#[Object]
impl ConversationQuery {
    /// The caller's inbox, newest first.
    #[graphql(guard = "SignedIn")]
    async fn my_notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only entries not read yet.")] unread_only: Option<bool>,
        #[graphql(desc = "At most this many entries (0 to 100, default 20).")] first: Option<i32>,
        #[graphql(desc = "The entries after this cursor.")] after: Option<String>,
    ) -> AppResult<NotificationConnection> {
        let limit = first_or_default(first)?;
        let after = after.map(|c| decode_cursor(&c, "after")).transpose()?;
        let inbox = use_case::inbox(
            app(ctx)?,
            actor(ctx)?,
            unread_only.unwrap_or(false),
            after,
            limit,
        )
        .await?;
        let edges: Vec<NotificationEdge> = inbox
            .entries
            .into_iter()
            .map(|n| NotificationEdge {
                cursor: encode_cursor(n.id),
                node: n.into(),
            })
            .collect();
        Ok(NotificationConnection {
            nodes: edges.iter().map(|e| e.node.clone()).collect(),
            page_info: PageInfo {
                has_previous_page: after.is_some(),
                has_next_page: inbox.has_next,
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_count: count(inbox.total),
            unread_count: count(inbox.unread),
        })
    }

    /// The message templates in force, of one event or channel if given.
    #[graphql(guard = "Can(Action::ReadNotificationTemplates)")]
    async fn notification_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this event's.")] event: Option<NotificationEvent>,
        #[graphql(desc = "Only this channel's.")] channel: Option<NotificationChannel>,
    ) -> AppResult<Vec<NotificationTemplate>> {
        let all = use_case::templates(
            app(ctx)?,
            actor(ctx)?,
            event.map(Into::into),
            channel.map(Into::into),
        )
        .await?;
        Ok(all.into_iter().map(NotificationTemplate).collect())
    }

    /// Deliveries that failed, newest first (leads).
    #[graphql(guard = "Can(Action::ManageDeliveries)")]
    async fn failed_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100, default 20).")] first: Option<i32>,
        #[graphql(desc = "The deliveries after this cursor.")] after: Option<String>,
    ) -> AppResult<DeliveryConnection> {
        let limit = first_or_default(first)?;
        let after = after.map(|c| decode_cursor(&c, "after")).transpose()?;
        let (rows, has_next, total) =
            use_case::failed_deliveries(app(ctx)?, actor(ctx)?, after, limit).await?;
        let page = careline_app::page::Page {
            items: rows,
            has_next,
            has_previous: after.is_some(),
            total,
        };
        Ok(DeliveryConnection::from_page(
            page,
            |d| encode_cursor(d.id),
            Delivery,
        ))
    }
}

/// Changes of the conversation.
#[derive(Default)]
pub struct ConversationMutation;

#[Object]
impl ConversationMutation {
    /// A customer writes on their own ticket. PENDING_CUSTOMER goes back to OPEN and its SLA
    /// clock resumes; the assignee is told.
    #[graphql(guard = "Can(Action::PostCustomerMessage)")]
    async fn post_customer_message(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer's own ticket.")] ticket_id: ID,
        #[graphql(desc = "What they write, 1 to 5,000 characters.")] body: String,
        #[graphql(desc = "Files they uploaded to send with it.")] file_ids: Option<Vec<ID>>,
    ) -> AppResult<TicketEvent> {
        let files = self::file_ids(file_ids, "fileIds")?;
        let id = found_id(&ticket_id, "ticket")?;
        let entry =
            use_case::post_customer_message(app(ctx)?, actor(ctx)?, id, body, &files).await?;
        Ok(TicketEvent(entry))
    }

    /// Staff write to the customer; delivered on the customer's channels, each delivery
    /// recorded.
    #[graphql(guard = "Can(Action::ReplyToCustomer)")]
    async fn send_reply(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket, the message, its files and whether to wait.")]
        input: ReplyInput,
    ) -> AppResult<TicketEvent> {
        let reply = Reply {
            file_ids: file_ids(input.file_ids, "input.fileIds")?,
            ticket_id: found_id(&input.ticket_id, "ticket")?,
            body: input.body,
            wait_for_customer: input.wait_for_customer.unwrap_or(false),
        };
        Ok(TicketEvent(
            use_case::send_reply(app(ctx)?, actor(ctx)?, reply).await?,
        ))
    }

    /// Promise the customer an answer time; the customer is told. A promise that passes unmet
    /// escalates like a breach.
    #[graphql(guard = "Can(Action::PromiseAnswer)")]
    async fn promise_answer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket.")] ticket_id: ID,
        #[graphql(desc = "When the customer will have their answer; in the future.")] at: DateTime<
            Utc,
        >,
        #[graphql(desc = "What else to tell them, up to 10,000 characters.")] message: Option<
            String,
        >,
    ) -> AppResult<Ticket> {
        let id = found_id(&ticket_id, "ticket")?;
        Ok(Ticket(
            use_case::promise_answer(app(ctx)?, actor(ctx)?, id, at, message).await?,
        ))
    }

    /// Customers set their own; staff who may edit customer records set anyone's.
    #[graphql(guard = "Can(Action::SetContactPreferences)")]
    async fn set_contact_preferences(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer record.")] customer_id: ID,
        #[graphql(desc = "The fields to change; the others stay.")] input: ContactPreferencesInput,
    ) -> AppResult<Customer> {
        let id = found_id(&customer_id, "customer")?;
        let change = PreferencesChange {
            channels: input
                .channels
                .map(|c| c.into_iter().map(Into::into).collect()),
            quiet_hours: input.quiet_hours,
            time_zone: input.time_zone,
            language: input.language,
            opted_out: input.opted_out,
        };
        let record = use_case::set_preferences(app(ctx)?, actor(ctx)?, id, change).await?;
        Ok(Customer {
            model: record.model,
            reveal: record.reveal,
        })
    }

    /// Edits a message template (managers); placeholders are checked.
    #[graphql(guard = "Can(Action::ManageNotificationTemplates)")]
    async fn upsert_notification_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event, channel and language, and the new text.")]
        input: NotificationTemplateInput,
    ) -> AppResult<NotificationTemplate> {
        let edit = TemplateEdit {
            event: input.event.into(),
            channel: input.channel.into(),
            language: input.language,
            subject: input.subject,
            body: input.body,
        };
        Ok(NotificationTemplate(
            use_case::upsert_template(app(ctx)?, actor(ctx)?, edit).await?,
        ))
    }

    /// Try a failed delivery again (leads).
    #[graphql(guard = "Can(Action::ManageDeliveries)")]
    async fn retry_delivery(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The failed delivery.")] id: ID,
    ) -> AppResult<Delivery> {
        let id = found_id(&id, "delivery")?;
        Ok(Delivery(
            use_case::retry_delivery(app(ctx)?, actor(ctx)?, id).await?,
        ))
    }

    /// Marks entries of the caller's inbox read; returns how many changed.
    #[graphql(guard = "SignedIn")]
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Entries of the caller's inbox (at most 100); others change nothing.")]
        ids: Vec<ID>,
    ) -> AppResult<i32> {
        let ids: Vec<Uuid> = ids
            .iter()
            .map(|id| input_id(id, "ids"))
            .collect::<AppResult<_>>()?;
        Ok(count(
            use_case::mark_read(app(ctx)?, actor(ctx)?, &ids).await?,
        ))
    }
}
