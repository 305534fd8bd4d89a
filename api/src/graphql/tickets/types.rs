//! The GraphQL types of the ticket area.

use crate::app::tickets::{facts, stored, viewer_of};
use crate::app::{AppError, AppResult};
use crate::graphql::connection::{connection, encode_cursor, first_or_default, list_cost};
use crate::graphql::loaders::{load_failed, loaders};
use crate::graphql::people::{Department, Team, User};
use crate::graphql::viewer;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use careline_app::page::Page;
use careline_app::rows::{corrective_action, customer, follow_up, ticket, ticket_event};
use careline_domain::sla::is_overdue;
use careline_domain::ticket::{
    self as rules, can_read, can_see_contact, can_see_internal, can_see_involved,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What kind of request a ticket is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::TicketKind")]
pub enum TicketKind {
    /// A question.
    Inquiry,
    /// A complaint; needs a category and carries a severity.
    Complaint,
    /// A suggestion; tracked through an adoption status (`suggestionStatus`).
    Suggestion,
    /// Praise for a named employee (`praisedEmployee`).
    Praise,
    /// Repair, maintenance, return or exchange.
    AfterSales,
    /// A technical problem.
    TechnicalSupport,
}

/// How the ticket reached us.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::Channel")]
pub enum Channel {
    /// A phone call.
    Phone,
    /// An email.
    Email,
    /// Live chat.
    LiveChat,
    /// The web form.
    WebForm,
    /// The mobile app.
    MobileApp,
    /// A social media channel.
    SocialMedia,
    /// In person.
    WalkIn,
    /// The physical suggestion box.
    SuggestionBox,
}

/// What a complaint is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::ComplaintCategory")]
pub enum ComplaintCategory {
    /// The product itself is faulty.
    ProductQuality,
    /// How staff treated the customer.
    ServiceAttitude,
    /// Late delivery.
    DeliveryDelay,
    /// A disputed charge.
    BillingDispute,
    /// A technical failure.
    TechnicalFault,
    /// Anything else.
    Other,
}

/// How serious a complaint is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::Severity")]
pub enum Severity {
    /// Facts clear, quick fix; the default for complaints.
    General,
    /// Large amount, angry customer, reputational risk, or cross-department.
    Important,
    /// Group incident, media exposure, litigation, serious reputational harm; the most serious.
    Major,
}

/// How urgently a ticket is worked.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::Priority")]
pub enum Priority {
    /// Can wait.
    Low,
    /// The usual.
    Normal,
    /// Ahead of normal work.
    High,
    /// Drop everything; the highest.
    Urgent,
}

/// Where a ticket is in its lifecycle.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::TicketStatus")]
pub enum TicketStatus {
    /// Received, nobody has responded yet.
    New,
    /// Acknowledged and being worked on.
    Open,
    /// Dispatched to one or more responsible departments.
    PendingDepartment,
    /// Waiting for the customer; the SLA clocks are paused.
    PendingCustomer,
    /// A solution was communicated to the customer.
    Resolved,
    /// Done and archived (may still be reopened).
    Closed,
}

/// Whether a suggestion was taken up.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::SuggestionStatus")]
pub enum SuggestionStatus {
    /// Received, not yet decided.
    Proposed,
    /// Accepted.
    Adopted,
    /// Accepted and put into practice.
    Implemented,
    /// Not taken up.
    Declined,
}

/// Progress of a corrective action.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::CorrectiveActionStatus")]
pub enum CorrectiveActionStatus {
    /// Agreed, not done yet.
    Open,
    /// Done by the owning department.
    Done,
    /// Checked by a lead to have worked.
    Verified,
}

/// What a timeline entry records.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::TicketEventKind")]
pub enum TicketEventKind {
    /// The ticket was registered.
    Created,
    /// The first response.
    Acknowledged,
    /// Someone was given (or gave up) responsibility.
    Assigned,
    /// Sent to one or more responsible departments.
    Dispatched,
    /// An internal note.
    NoteAdded,
    /// A message to the customer.
    CustomerReply,
    /// A status change not covered by a more specific kind.
    StatusChanged,
    /// Escalated to a higher level.
    Escalated,
    /// An SLA target is close.
    SlaWarning,
    /// An SLA target was missed.
    SlaBreached,
    /// A solution was communicated.
    Resolved,
    /// A follow-up visit was recorded.
    FollowUpRecorded,
    /// A satisfaction rating was given.
    Rated,
    /// Reopened after resolution or closure.
    Reopened,
    /// Closed.
    Closed,
    /// The employees a complaint is about were named or changed.
    InvolvedStaffSet,
    /// A complaint's verdict and root cause were recorded or revised.
    VerdictRecorded,
    /// The business calendar changed and the unmet due times were counted again.
    DueTimesRecomputed,
    /// A department answered its task.
    DepartmentAnswered,
    /// A department's liaisons were reminded of a task's deadline.
    DepartmentReminded,
    /// Kind, severity, category or priority changed after intake.
    Reclassified,
    /// Evidence was added.
    AttachmentsAdded,
    /// A follow-up case was opened from this ticket.
    FollowUpCaseOpened,
    /// The customer's answers to a satisfaction survey were recorded on a call.
    SurveyAnswered,
    /// The customer wrote on their ticket.
    CustomerMessage,
    /// The customer was promised an answer by a time.
    AnswerPromised,
}

/// Whether a complaint was well founded.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::ComplaintVerdict")]
pub enum ComplaintVerdict {
    /// Not decided yet.
    Pending,
    /// Well founded: counts against the employees involved.
    Justified,
    /// Not well founded.
    Unjustified,
}

/// How a follow-up visit reached the customer.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::FollowUpMethod")]
pub enum FollowUpMethod {
    /// By phone.
    Phone,
    /// By email.
    Email,
    /// By text message.
    Sms,
    /// In person.
    Visit,
    /// Through the app.
    InApp,
}

/// The key the ticket list is sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TicketOrderField {
    /// Creation time.
    CreatedAt,
    /// Last change.
    UpdatedAt,
    /// Priority.
    Priority,
    /// Resolution due time (tickets without one last).
    DueAt,
}

/// Sort direction.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderDirection {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

/// The person a ticket is about.
#[derive(Clone)]
pub struct Customer {
    pub(crate) model: customer::Model,
    /// Whether the caller sees contact details unmasked.
    pub(crate) reveal: bool,
}

/// The person a ticket is about: one record per person, found again by phone or email at
/// intake. Contact data is masked for callers who may not see it.
#[Object]
impl Customer {
    /// The record's id.
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }
    /// How the customer wants to be reached.
    async fn contact_preferences(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<crate::graphql::conversation::ContactPreferences> {
        crate::graphql::conversation::preferences_of(ctx, self.model.id).await
    }
    /// The customer's name.
    async fn name(&self) -> &str {
        &self.model.name
    }
    /// Masked (e.g. 138****5678) for callers who may not see customer contact data.
    async fn phone(&self) -> Option<String> {
        let phone = self.model.phone.as_deref()?;
        Some(if self.reveal {
            phone.to_owned()
        } else {
            rules::mask_phone(phone)
        })
    }
    /// Masked for callers who may not see customer contact data.
    async fn email(&self) -> Option<String> {
        let email = self.model.email.as_deref()?;
        Some(if self.reveal {
            email.to_owned()
        } else {
            rules::mask_email(email)
        })
    }
    /// How much the customer matters to the business; VIP and key accounts get a higher
    /// default priority at intake.
    async fn tier(&self) -> AppResult<crate::graphql::customers::CustomerTier> {
        crate::graphql::customers::tier(&self.model)
    }
    /// Notes about the customer, for staff; empty for customers.
    async fn tags(&self, ctx: &Context<'_>) -> AppResult<Vec<String>> {
        crate::graphql::customers::tags(ctx, &self.model)
    }
    /// How many of this customer's tickets the caller may read.
    async fn ticket_count(&self, ctx: &Context<'_>) -> AppResult<i32> {
        Ok(crate::graphql::customers::ticket_stats(ctx, &self.model)
            .await?
            .0)
    }
    /// When the newest of those tickets was created.
    async fn last_contact_at(&self, ctx: &Context<'_>) -> AppResult<Option<DateTime<Utc>>> {
        Ok(crate::graphql::customers::ticket_stats(ctx, &self.model)
            .await?
            .1)
    }
    /// The customer's tickets the caller may read, newest first.
    #[graphql(complexity = "list_cost(first, None, child_complexity)")]
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many tickets from the start (0 to 100, default 20)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Return the tickets after this cursor (an `endCursor` or edge `cursor` of this list)."
        )]
        after: Option<String>,
    ) -> AppResult<TicketConnection> {
        crate::graphql::customers::tickets(ctx, &self.model, first, after).await
    }
}

/// Evidence metadata; the file itself lives in object storage.
#[derive(SimpleObject, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The file's name, without any directory.
    pub file_name: String,
    /// Its MIME type, lower case (images, PDF, text, audio, video, Word or Excel).
    pub content_type: String,
    /// Its size in bytes (1 byte to 50 MiB).
    pub size_bytes: i32,
    /// Where the file is stored (`https://` or `s3://`).
    pub uri: String,
}

/// Response-time targets and where the ticket stands against them.
#[derive(SimpleObject, Clone)]
pub struct TicketSla {
    /// The name of the SLA policy the targets come from; `none` when no policy applies.
    pub policy_name: String,
    /// When the first response is due (UTC), counted in business minutes on the ticket's
    /// calendar; null without a policy.
    pub first_response_due_at: Option<DateTime<Utc>>,
    /// When the resolution is due (UTC), counted in business minutes on the ticket's calendar;
    /// moves later while waiting on the customer; null without a policy.
    pub resolution_due_at: Option<DateTime<Utc>>,
    /// When the first response was given (UTC); null until then.
    pub first_responded_at: Option<DateTime<Utc>>,
    /// When the ticket was last resolved (UTC); null while unresolved (a reopen clears it).
    pub resolved_at: Option<DateTime<Utc>>,
    /// The first-response target was missed (its due time passed unmet); stays true when met
    /// late.
    pub first_response_breached: bool,
    /// The resolution target was missed (its due time passed unmet); stays true when met late.
    pub resolution_breached: bool,
}

/// One entry of a ticket's timeline.
#[derive(Clone)]
pub struct TicketEvent(pub ticket_event::Model);

/// One entry of a ticket's timeline. Customers never see internal entries.
#[Object]
impl TicketEvent {
    /// The entry's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What the entry records.
    async fn kind(&self) -> AppResult<TicketEventKind> {
        Ok(stored(rules::TicketEventKind::parse(&self.0.kind), "event kind")?.into())
    }
    /// Who did it; null when the system did (e.g. the SLA worker).
    async fn actor(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.actor_id).await
    }
    /// When it happened (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Internal events and notes are never returned to customers.
    async fn internal(&self) -> bool {
        self.0.internal
    }
    /// The entry's text (a note, a reply, a reason, a solution), if it has one.
    async fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }
    /// The status before the change; null for entries that did not change the status.
    async fn from_status(&self) -> AppResult<Option<TicketStatus>> {
        let status = crate::app::tickets::stored_optional(
            self.0.from_status.as_deref(),
            rules::TicketStatus::parse,
            "status",
        )?;
        Ok(status.map(Into::into))
    }
    /// The status after the change; null for entries that did not change the status.
    async fn to_status(&self) -> AppResult<Option<TicketStatus>> {
        let status = crate::app::tickets::stored_optional(
            self.0.to_status.as_deref(),
            rules::TicketStatus::parse,
            "status",
        )?;
        Ok(status.map(Into::into))
    }
    /// How this entry reached the customer (staff only; empty for customers).
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Vec<crate::graphql::conversation::Delivery>> {
        let viewer = viewer(ctx)?;
        if !viewer.roles().is_staff() {
            return Ok(Vec::new());
        }
        let loaders = loaders(ctx)?;
        let rows = loaders
            .event_deliveries
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ticket = loaders
            .tickets
            .load_one(self.0.ticket_id)
            .await
            .map_err(load_failed)?
            .ok_or_else(|| AppError::NotFound("ticket not found".to_owned()))?;
        Ok(
            crate::app::conversation::visible_deliveries(viewer, &ticket, rows)
                .into_iter()
                .map(crate::graphql::conversation::Delivery)
                .collect(),
        )
    }
    /// The RFC 5322 Message-ID of the mail this entry came in as or went out as.
    async fn email_message_id(&self, ctx: &Context<'_>) -> AppResult<Option<String>> {
        if !viewer(ctx)?.roles().is_staff() && self.0.internal {
            return Ok(None);
        }
        loaders(ctx)?
            .event_message_ids
            .load_one(self.0.id)
            .await
            .map_err(load_failed)
    }

    /// Files sent with this entry.
    #[graphql(complexity = "10 * child_complexity")]
    async fn files(&self, ctx: &Context<'_>) -> AppResult<Vec<crate::graphql::files::StoredFile>> {
        let files = loaders(ctx)?
            .event_files
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        Ok(crate::graphql::files::StoredFile::all(
            crate::graphql::app(ctx)?,
            files,
        ))
    }
}

/// A follow-up visit (回访).
#[derive(Clone)]
pub struct FollowUp(pub follow_up::Model);

/// A follow-up visit (回访) to the customer after a resolution.
#[Object]
impl FollowUp {
    /// The visit's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The staff member who recorded it.
    async fn by(&self, ctx: &Context<'_>) -> AppResult<User> {
        load_user(ctx, Some(self.0.by_id)).await?.ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("follow-up without author"), "followUp.by")
        })
    }
    /// When it was recorded (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// How the customer was reached.
    async fn method(&self) -> AppResult<FollowUpMethod> {
        Ok(stored(
            rules::FollowUpMethod::parse(&self.0.method),
            "follow-up method",
        )?
        .into())
    }
    /// What the customer said.
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }
    /// Whether the customer was satisfied; if not, the ticket went back to work.
    async fn customer_satisfied(&self) -> bool {
        self.0.customer_satisfied
    }
}

/// A satisfaction rating.
#[derive(SimpleObject, Clone)]
pub struct SatisfactionRating {
    /// 1 (worst) to 5 (best).
    pub rating: i32,
    /// The customer's comment, if any.
    pub comment: Option<String>,
    /// When it was given (UTC).
    pub at: DateTime<Utc>,
}

/// A department's fix for the causes behind complaints.
#[derive(Clone)]
pub struct CorrectiveAction(pub corrective_action::Model);

/// A department's fix (整改措施) for the causes behind complaints, tracked `OPEN` → `DONE` →
/// `VERIFIED`; staff only.
#[Object]
impl CorrectiveAction {
    /// The action's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What will be done.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The department doing it.
    async fn department(&self, ctx: &Context<'_>) -> AppResult<Department> {
        loaders(ctx)?
            .departments
            .load_one(self.0.department_id)
            .await
            .map_err(load_failed)?
            .map(Department)
            .ok_or_else(|| {
                AppError::internal(
                    anyhow::anyhow!("corrective action without department"),
                    "department",
                )
            })
    }
    /// When it should be done (UTC); null when no date was set.
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.0.due_at
    }
    /// How far it has got.
    async fn status(&self) -> AppResult<CorrectiveActionStatus> {
        Ok(stored(
            rules::CorrectiveActionStatus::parse(&self.0.status),
            "corrective action status",
        )?
        .into())
    }
    /// Whether it is past its due time and still `OPEN` (a `DONE` or `VERIFIED` action is not
    /// overdue).
    async fn overdue(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let status = stored(
            rules::CorrectiveActionStatus::parse(&self.0.status),
            "corrective action status",
        )?;
        Ok(rules::is_overdue(
            status,
            self.0.due_at,
            crate::graphql::app(ctx)?.now(),
        ))
    }
    /// Reminders sent to the person responsible (the department's liaisons), the last one
    /// first: a day before the due time, and when it passed (UTC).
    async fn reminded_at(&self) -> Vec<DateTime<Utc>> {
        rules::reminders(self.0.reminded_at, self.0.overdue_escalated_at)
    }
    /// The linked complaints the caller may read.
    async fn tickets(&self, ctx: &Context<'_>) -> AppResult<Vec<Ticket>> {
        let v = viewer_of(&viewer(ctx)?.user);
        let rows = loaders(ctx)?
            .corrective_action_tickets
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        // Corrective actions are staff-only, and staff access never depends on the customer.
        Ok(rows
            .into_iter()
            .filter(|t| facts(t, None).is_some_and(|f| can_read(&f, &v)))
            .map(Ticket)
            .collect())
    }
}

/// A team by id, if there is one.
async fn load_team(ctx: &Context<'_>, id: Option<Uuid>) -> AppResult<Option<Team>> {
    let Some(id) = id else { return Ok(None) };
    let found = loaders(ctx)?.teams.load_one(id).await;
    Ok(found.map_err(load_failed)?.map(Team))
}

/// A department by id, if there is one.
async fn load_department(ctx: &Context<'_>, id: Option<Uuid>) -> AppResult<Option<Department>> {
    let Some(id) = id else { return Ok(None) };
    let found = loaders(ctx)?.departments.load_one(id).await;
    Ok(found.map_err(load_failed)?.map(Department))
}

/// A ticket: one request, complaint, suggestion or praise, and its whole history.
#[derive(Clone)]
pub struct Ticket(pub ticket::Model);

pub(crate) async fn load_user(ctx: &Context<'_>, id: Option<Uuid>) -> AppResult<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    let found = loaders(ctx)?.users.load_one(id).await;
    Ok(found.map_err(load_failed)?.map(User))
}

/// A ticket: one request, complaint, suggestion or praise, and its whole history. Callers see
/// only tickets they may read (customers: their own; liaisons: their department's).
#[Object]
impl Ticket {
    /// The ticket's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Human-readable, unique, e.g. T-20261122-000042.
    async fn number(&self) -> &str {
        &self.0.number
    }
    /// What the customer came about.
    async fn kind(&self) -> AppResult<TicketKind> {
        Ok(stored(rules::TicketKind::parse(&self.0.kind), "ticket kind")?.into())
    }
    /// How the ticket reached us.
    async fn channel(&self) -> AppResult<Channel> {
        Ok(stored(rules::Channel::parse(&self.0.channel), "channel")?.into())
    }
    /// What a complaint is about; null for other kinds.
    async fn category(&self) -> AppResult<Option<ComplaintCategory>> {
        let value = crate::app::tickets::stored_optional(
            self.0.category.as_deref(),
            rules::ComplaintCategory::parse,
            "complaint category",
        )?;
        Ok(value.map(Into::into))
    }
    /// How serious a complaint is; null for other kinds.
    async fn severity(&self) -> AppResult<Option<Severity>> {
        let value = crate::app::tickets::stored_optional(
            self.0.severity.as_deref(),
            rules::Severity::parse,
            "severity",
        )?;
        Ok(value.map(Into::into))
    }
    /// How urgently the ticket is worked; set at intake from kind, severity and the customer's
    /// tier.
    async fn priority(&self) -> AppResult<Priority> {
        Ok(stored(rules::Priority::parse(&self.0.priority), "priority")?.into())
    }
    /// Where the ticket is in its lifecycle.
    async fn status(&self) -> AppResult<TicketStatus> {
        Ok(stored(rules::TicketStatus::parse(&self.0.status), "status")?.into())
    }
    /// One-line summary.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The full story as told by the customer.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// What the customer wants done, if stated.
    async fn demand(&self) -> Option<&str> {
        self.0.demand.as_deref()
    }
    /// When the matter happened (UTC), if known.
    async fn occurred_at(&self) -> Option<DateTime<Utc>> {
        self.0.occurred_at
    }
    /// Where it happened, if given.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }
    /// The order concerned, if given.
    async fn order_number(&self) -> Option<&str> {
        self.0.order_number.as_deref()
    }
    /// The product concerned, if given.
    async fn product_name(&self) -> Option<&str> {
        self.0.product_name.as_deref()
    }
    /// Evidence files, at most 20.
    async fn attachments(&self) -> AppResult<Vec<Attachment>> {
        serde_json::from_str(&self.0.attachments)
            .map_err(|e| AppError::internal(e, "ticket attachments"))
    }
    /// The person the ticket is about; contact data is unmasked only for the ticket's owner or
    /// assignee, leads and the customer themself.
    async fn customer(&self, ctx: &Context<'_>) -> AppResult<Customer> {
        let model = loaders(ctx)?
            .customers
            .load_one(self.0.customer_id)
            .await
            .map_err(load_failed)?
            .ok_or_else(|| {
                AppError::internal(
                    anyhow::anyhow!("ticket without customer"),
                    "ticket.customer",
                )
            })?;
        let v = viewer_of(&viewer(ctx)?.user);
        let reveal = facts(&self.0, model.user_id).is_some_and(|f| can_see_contact(&f, &v));
        Ok(Customer { model, reveal })
    }
    /// First-contact owner: stays accountable after dispatch.
    async fn owner(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.owner_id).await
    }
    /// Who is working the ticket now; null while unassigned.
    async fn assignee(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.assignee_id).await
    }
    /// The team the ticket is filed under; null when none.
    async fn team(&self, ctx: &Context<'_>) -> AppResult<Option<Team>> {
        load_team(ctx, self.0.team_id).await
    }
    /// Responsible department while dispatched.
    async fn department(&self, ctx: &Context<'_>) -> AppResult<Option<Department>> {
        load_department(ctx, self.0.department_id).await
    }
    /// The employee a praise ticket praises; null for other kinds.
    async fn praised_employee(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.praised_employee_id).await
    }
    /// The team a praise ticket praises; null when none.
    async fn praised_team(&self, ctx: &Context<'_>) -> AppResult<Option<Team>> {
        load_team(ctx, self.0.praised_team_id).await
    }
    /// The department a praise ticket praises; null when none.
    async fn praised_department(&self, ctx: &Context<'_>) -> AppResult<Option<Department>> {
        load_department(ctx, self.0.praised_department_id).await
    }
    /// The business department a justified complaint was found to be the responsibility of
    /// (instead of, or beside, the employees involved); staff only, null otherwise.
    async fn responsible_department(&self, ctx: &Context<'_>) -> AppResult<Option<Department>> {
        if !viewer(ctx)?.roles().is_staff() {
            return Ok(None);
        }
        load_department(ctx, self.0.responsible_department_id).await
    }
    /// Whether a suggestion was taken up; null for other kinds.
    async fn suggestion_status(&self) -> AppResult<Option<SuggestionStatus>> {
        let value = crate::app::tickets::stored_optional(
            self.0.suggestion_status.as_deref(),
            rules::SuggestionStatus::parse,
            "suggestion status",
        )?;
        Ok(value.map(Into::into))
    }
    /// 0 none, 1 supervisor, 2 manager, 3 complaint-handling working group.
    async fn escalation_level(&self) -> i32 {
        self.0.escalation_level
    }
    /// Employees a complaint is about (涉及人员); staff only: the leads, the complaint's owner
    /// and assignee, and the employees it names see them, anyone else an empty list.
    async fn involved_staff(&self, ctx: &Context<'_>) -> AppResult<Vec<User>> {
        if self.0.kind != rules::TicketKind::Complaint.as_str() {
            return Ok(Vec::new());
        }
        let l = loaders(ctx)?;
        let involved = l
            .involved_staff
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        let v = viewer_of(&viewer(ctx)?.user);
        let visible = facts(&self.0, None).is_some_and(|f| can_see_involved(&f, &involved, &v));
        if !visible || involved.is_empty() {
            return Ok(Vec::new());
        }
        let people = l
            .users
            .load_many(involved.iter().copied())
            .await
            .map_err(load_failed)?;
        Ok(involved
            .iter()
            .filter_map(|id| people.get(id).cloned().map(User))
            .collect())
    }
    /// A complaint's verdict (`PENDING` until recorded); staff only, `null` otherwise.
    async fn verdict(&self, ctx: &Context<'_>) -> AppResult<Option<ComplaintVerdict>> {
        if self.0.kind != rules::TicketKind::Complaint.as_str()
            || !can_see_internal(&viewer_of(&viewer(ctx)?.user))
        {
            return Ok(None);
        }
        Ok(Some(
            crate::app::tickets::stored_optional(
                self.0.verdict.as_deref(),
                rules::ComplaintVerdict::parse,
                "complaint verdict",
            )?
            .unwrap_or(rules::ComplaintVerdict::Pending)
            .into(),
        ))
    }
    /// What caused a complaint, recorded with its verdict; staff only.
    async fn root_cause(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        if !can_see_internal(&viewer_of(&viewer(ctx)?.user)) {
            return Ok(None);
        }
        Ok(self.0.root_cause.as_deref())
    }
    /// Targets and where the clocks stand. A target counts as breached once its due time has
    /// passed unmet, even before the SLA worker's next pass records it.
    async fn sla(&self, ctx: &Context<'_>) -> AppResult<TicketSla> {
        let now = crate::graphql::app(ctx)?.now();
        let late = |due: Option<DateTime<Utc>>, met: Option<DateTime<Utc>>| {
            // While waiting on the customer the clock stands still.
            is_overdue(due, met, self.0.sla_paused_at, now)
        };
        Ok(TicketSla {
            // Filled in when SLA policies are applied; until then the ticket has none.
            policy_name: self
                .0
                .sla_policy_name
                .clone()
                .unwrap_or_else(|| "none".to_owned()),
            first_response_due_at: self.0.first_response_due_at,
            resolution_due_at: self.0.resolution_due_at,
            first_responded_at: self.0.first_responded_at,
            resolved_at: self.0.resolved_at,
            first_response_breached: self.0.first_response_breached
                || late(self.0.first_response_due_at, self.0.first_responded_at),
            resolution_breached: self.0.resolution_breached
                || late(self.0.resolution_due_at, self.0.resolved_at),
        })
    }
    /// When the ticket was registered (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the ticket last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Optimistic-concurrency version; pass it back as expectedVersion.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The timeline, oldest first. Customers never see internal entries; `totalCount` counts
    /// only what the caller may see.
    #[graphql(complexity = "list_cost(first, None, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many entries from the start (0 to 100, default 20)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Return the entries after this cursor (an `endCursor` or edge `cursor` of this list)."
        )]
        after: Option<String>,
    ) -> AppResult<TicketEventConnection> {
        let internal = can_see_internal(&viewer_of(&viewer(ctx)?.user));
        let limit = usize::try_from(first_or_default(first)?).unwrap_or(usize::MAX);
        let after = after
            .map(|c| crate::graphql::connection::decode_cursor(&c, "after"))
            .transpose()?;
        let all = loaders(ctx)?
            .ticket_events
            .load_one((self.0.id, internal))
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        let total = all.len() as u64;
        let rest: Vec<_> = all
            .into_iter()
            .filter(|e| after.is_none_or(|a| e.id > a))
            .collect();
        let has_next = rest.len() > limit;
        let items = rest.into_iter().take(limit).collect();
        let page = Page {
            items,
            has_next,
            has_previous: after.is_some(),
            total,
        };
        Ok(TicketEventConnection::from_page(
            page,
            |m| encode_cursor(m.id),
            TicketEvent,
        ))
    }
    /// What the customer sees: their messages and staff replies (files included), oldest
    /// first.
    #[graphql(complexity = "list_cost(first, None, child_complexity)")]
    async fn conversation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many entries from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "The entries after this cursor.")] after: Option<String>,
    ) -> AppResult<TicketEventConnection> {
        let page = crate::graphql::connection::page_request(first, after, None, None)?;
        let page = crate::app::conversation::conversation(
            crate::graphql::app(ctx)?,
            viewer(ctx)?,
            self.0.id,
            page,
        )
        .await?;
        Ok(TicketEventConnection::from_page(
            page,
            |m| encode_cursor(m.id),
            TicketEvent,
        ))
    }
    /// The answer time promised to the customer (告知客户预计的解答时间), if any.
    async fn promised_answer_at(&self) -> Option<DateTime<Utc>> {
        self.0.promised_answer_at
    }
    /// The calls and visits owed to its customer about it, soonest first; staff who work
    /// callbacks (empty for anyone else).
    async fn callbacks(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Vec<crate::graphql::callbacks::Callback>> {
        if !viewer(ctx)?.can(careline_domain::Action::WorkCallbacks) {
            return Ok(Vec::new());
        }
        let rows = loaders(ctx)?
            .ticket_callbacks
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(crate::graphql::callbacks::Callback)
            .collect())
    }
    /// When its follow-up visit is due (resolved complaints and after-sales tickets, counted
    /// in business days on the ticket's calendar); null otherwise.
    async fn follow_up_due_at(&self, ctx: &Context<'_>) -> AppResult<Option<DateTime<Utc>>> {
        if self.0.status != rules::TicketStatus::Resolved.as_str() {
            return Ok(None);
        }
        loaders(ctx)?
            .follow_up_due
            .load_one(self.0.id)
            .await
            .map_err(load_failed)
    }
    /// The customer still disagreed when a lead closed it, with the lead's reason on the
    /// timeline (客户仍不接受).
    async fn closed_with_customer_disagreeing(&self) -> bool {
        self.0.closed_disagreeing
    }
    /// The follow-up visits recorded after its resolutions.
    async fn follow_ups(&self, ctx: &Context<'_>) -> AppResult<Vec<FollowUp>> {
        let rows = loaders(ctx)?
            .follow_ups
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?;
        Ok(rows.unwrap_or_default().into_iter().map(FollowUp).collect())
    }
    /// The rating of the latest resolution, if given.
    async fn satisfaction(&self, ctx: &Context<'_>) -> AppResult<Option<SatisfactionRating>> {
        let rows = loaders(ctx)?
            .ratings
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .rfind(|r| r.resolution == self.0.resolution_count)
            .map(|r| SatisfactionRating {
                rating: r.rating,
                comment: r.comment,
                at: r.at,
            }))
    }
    /// The departments this ticket was sent to, each with its deadline and answer, oldest
    /// first; staff only (empty for customers).
    async fn department_tasks(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Vec<crate::graphql::casework::DepartmentTask>> {
        if !viewer(ctx)?.roles().is_staff() {
            return Ok(Vec::new());
        }
        let rows = loaders(ctx)?
            .department_tasks
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(crate::graphql::casework::DepartmentTask)
            .collect())
    }
    /// The case this one follows up (跟进个案), when the caller may read it.
    async fn parent(&self, ctx: &Context<'_>) -> AppResult<Option<Ticket>> {
        let Some(id) = self.0.parent_id else {
            return Ok(None);
        };
        let parent = loaders(ctx)?
            .tickets
            .load_one(id)
            .await
            .map_err(load_failed)?;
        Ok(self
            .readable(ctx, parent.into_iter().collect())
            .await?
            .pop())
    }
    /// The knowledge articles recorded as this ticket's solution that the caller may read.
    async fn linked_articles(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Vec<crate::graphql::knowledge::KnowledgeArticle>> {
        let actor = viewer(ctx)?;
        let rows = loaders(ctx)?
            .linked_articles
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .filter(|a| crate::app::knowledge::readable(actor, a))
            .map(crate::graphql::knowledge::KnowledgeArticle)
            .collect())
    }
    /// Minutes logged on this ticket, oldest first (at most 500); staff only (empty for
    /// customers).
    #[graphql(complexity = "100 * child_complexity")]
    async fn time_entries(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Vec<crate::graphql::insight::TimeEntry>> {
        Ok(
            crate::app::time_accounting::entries(
                crate::graphql::app(ctx)?,
                viewer(ctx)?,
                self.0.id,
            )
            .await?
            .into_iter()
            .map(crate::graphql::insight::TimeEntry)
            .collect(),
        )
    }
    /// The minutes logged on this ticket in all; staff only (0 for customers).
    async fn time_spent_minutes(&self, ctx: &Context<'_>) -> AppResult<i32> {
        if !viewer(ctx)?.can(careline_domain::Action::LogTime) {
            return Ok(0);
        }
        let total = loaders(ctx)?
            .time_spent
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?
            .unwrap_or(0);
        Ok(i32::try_from(total).unwrap_or(i32::MAX))
    }
    /// The follow-up cases opened from this one that the caller may read, oldest first.
    async fn follow_up_cases(&self, ctx: &Context<'_>) -> AppResult<Vec<Ticket>> {
        let rows = loaders(ctx)?
            .follow_up_cases
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?
            .unwrap_or_default();
        self.readable(ctx, rows).await
    }
    /// The same customer contacted us within the 7 days before this ticket about another one;
    /// staff only (false for customers).
    async fn repeat_contact(&self, ctx: &Context<'_>) -> AppResult<bool> {
        if !viewer(ctx)?.roles().is_staff() {
            return Ok(false);
        }
        Ok(loaders(ctx)?
            .repeat_contacts
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?
            .unwrap_or(false))
    }
    /// Corrective actions addressing this complaint; staff only (empty for customers).
    async fn corrective_actions(&self, ctx: &Context<'_>) -> AppResult<Vec<CorrectiveAction>> {
        if !viewer(ctx)?.can(careline_domain::Action::ReadCorrectiveActions) {
            return Ok(Vec::new());
        }
        let rows = loaders(ctx)?
            .ticket_corrective_actions
            .load_one(self.0.id)
            .await
            .map_err(load_failed)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(CorrectiveAction)
            .collect())
    }
}

impl Ticket {
    /// Of `rows` (tickets of this ticket's customer), those the caller may read.
    async fn readable(
        &self,
        ctx: &Context<'_>,
        rows: Vec<ticket::Model>,
    ) -> AppResult<Vec<Ticket>> {
        let v = viewer_of(&viewer(ctx)?.user);
        let customer_user = loaders(ctx)?
            .customers
            .load_one(self.0.customer_id)
            .await
            .map_err(load_failed)?
            .and_then(|c| c.user_id);
        Ok(rows
            .into_iter()
            .filter(|t| {
                let user = if t.customer_id == self.0.customer_id {
                    customer_user
                } else {
                    None
                };
                facts(t, user).is_some_and(|f| can_read(&f, &v))
            })
            .map(Ticket)
            .collect())
    }
}

connection!(TicketConnection, TicketEdge, Ticket);
connection!(TicketEventConnection, TicketEventEdge, TicketEvent);

/// Evidence metadata given at intake.
#[derive(InputObject, Clone)]
pub struct AttachmentInput {
    /// The file's name, 1 to 255 characters, without slashes, backslashes or control
    /// characters.
    pub file_name: String,
    /// Its MIME type: an image (JPEG, PNG, GIF, WebP, HEIC), PDF, plain text, audio (MPEG, MP4,
    /// WAV), MP4 video, Word or Excel file.
    pub content_type: String,
    /// Its size in bytes, 1 byte to 50 MiB.
    pub size_bytes: i32,
    /// Where the file was uploaded: `https://` or `s3://`, no spaces, at most 2048 characters.
    pub uri: String,
}

/// Contact details taken at staff intake.
#[derive(InputObject, Clone)]
pub struct CustomerInput {
    /// The customer's name, 1 to 200 characters.
    pub name: String,
    /// The customer's phone; an existing record with the same number (however typed) is reused.
    pub phone: Option<String>,
    /// The customer's email; used to find an existing record when no phone matches.
    pub email: Option<String>,
}

/// A new ticket.
#[derive(InputObject, Clone)]
pub struct CreateTicketInput {
    /// What the customer came about.
    pub kind: TicketKind,
    /// How it reached us.
    pub channel: Channel,
    /// One-line summary, 1 to 200 characters.
    pub subject: String,
    /// The full story, 1 to 10,000 characters.
    pub description: String,
    /// Staff intake names the customer; a logged-in customer may omit it (it is the caller).
    pub customer: Option<CustomerInput>,
    /// Required for complaints, refused for other kinds.
    pub category: Option<ComplaintCategory>,
    /// Complaints only; defaults to `GENERAL`.
    pub severity: Option<Severity>,
    /// Staff may raise the default priority (never lower it); a customer's choice is ignored.
    pub priority: Option<Priority>,
    /// What the customer wants done, at most 500 characters.
    pub demand: Option<String>,
    /// When it happened (UTC); must not be in the future.
    pub occurred_at: Option<DateTime<Utc>>,
    /// Where it happened, at most 500 characters.
    pub location: Option<String>,
    /// The order concerned, at most 500 characters.
    pub order_number: Option<String>,
    /// The product concerned, at most 500 characters.
    pub product_name: Option<String>,
    /// Evidence files, at most 20.
    pub attachments: Option<Vec<AttachmentInput>>,
    /// Praise names an employee (an active staff member), a team or a department — at least
    /// one; refused for other kinds.
    pub praised_employee_id: Option<ID>,
    /// The team praise is for (praise only).
    pub praised_team_id: Option<ID>,
    /// The department praise is for (praise only).
    pub praised_department_id: Option<ID>,
    /// Staff intake: the team to file it under; defaults to the caller's team.
    pub team_id: Option<ID>,
    /// For a complaint taken by staff: the employees it is about.
    pub involved_staff_ids: Option<Vec<ID>>,
    /// Evidence the caller uploaded (`uploadFile`) and has not attached elsewhere, at most 10.
    pub file_ids: Option<Vec<ID>>,
}

/// Narrows the ticket list; every given field must match.
#[derive(InputObject, Clone, Default)]
pub struct TicketFilter {
    /// Any of these statuses.
    pub status: Option<Vec<TicketStatus>>,
    /// Any of these kinds.
    pub kind: Option<Vec<TicketKind>>,
    /// Any of these severities.
    pub severity: Option<Vec<Severity>>,
    /// Any of these priorities.
    pub priority: Option<Vec<Priority>>,
    /// Any of these channels.
    pub channel: Option<Vec<Channel>>,
    /// Any of these complaint categories.
    pub category: Option<Vec<ComplaintCategory>>,
    /// Assigned to this person.
    pub assignee_id: Option<ID>,
    /// Owned (first-contact owner) by this person.
    pub owner_id: Option<ID>,
    /// Filed under this team.
    pub team_id: Option<ID>,
    /// Dispatched to this department.
    pub department_id: Option<ID>,
    /// `true`: only unassigned tickets; `false`: only assigned ones.
    pub unassigned: Option<bool>,
    /// `true`: some SLA target recorded as breached; `false`: none.
    pub breached: Option<bool>,
    /// `true`: escalated at all (level above 0); `false`: never escalated.
    pub escalated: Option<bool>,
    /// Created at or after this instant (UTC).
    pub created_from: Option<DateTime<Utc>>,
    /// Created before this instant (UTC).
    pub created_to: Option<DateTime<Utc>>,
    /// Full-text match on number, subject, description, customer name, order number.
    pub search: Option<String>,
}

/// How to sort the ticket list.
#[derive(InputObject, Clone, Copy)]
pub struct TicketOrder {
    /// The key to sort by; ties are broken by id.
    pub field: TicketOrderField,
    /// Ascending or descending.
    pub direction: OrderDirection,
}

/// A follow-up visit.
#[derive(InputObject, Clone)]
pub struct FollowUpInput {
    /// How the customer was reached.
    pub method: FollowUpMethod,
    /// What the customer said, 1 to 10,000 characters.
    pub outcome: String,
    /// Whether the customer was satisfied; `false` sends the ticket back to work.
    pub customer_satisfied: bool,
}

/// A new corrective action.
#[derive(InputObject, Clone)]
pub struct CorrectiveActionInput {
    /// What will be done, 1 to 10,000 characters.
    pub description: String,
    /// The department doing it (a liaison: their own).
    pub department_id: ID,
    /// The complaints it answers: 1 to 100 complaints the caller can read.
    pub ticket_ids: Vec<ID>,
    /// When it should be done (UTC), if set.
    pub due_at: Option<DateTime<Utc>>,
}
