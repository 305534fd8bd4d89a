//! The GraphQL types of the ticket area.

use crate::app::tickets::{facts, stored, viewer_of};
use crate::app::{AppError, AppResult};
use crate::graphql::connection::{connection, encode_cursor, first_or_default, list_cost};
use crate::graphql::loaders::{load_failed, loaders};
use crate::graphql::people::{Department, Team, User};
use crate::graphql::viewer;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use careline_domain::sla::is_overdue;
use careline_domain::ticket::{
    self as rules, can_read, can_see_contact, can_see_internal, can_see_involved,
};
use careline_persistence::entity::{corrective_action, customer, follow_up, ticket, ticket_event};
use careline_persistence::page::Page;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What kind of request a ticket is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::TicketKind")]
pub enum TicketKind {
    Inquiry,
    Complaint,
    Suggestion,
    Praise,
    AfterSales,
    TechnicalSupport,
}

/// How the ticket reached us.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::Channel")]
pub enum Channel {
    Phone,
    Email,
    LiveChat,
    WebForm,
    MobileApp,
    SocialMedia,
    WalkIn,
    SuggestionBox,
}

/// What a complaint is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::ComplaintCategory")]
pub enum ComplaintCategory {
    ProductQuality,
    ServiceAttitude,
    DeliveryDelay,
    BillingDispute,
    TechnicalFault,
    Other,
}

/// How serious a complaint is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::Severity")]
pub enum Severity {
    General,
    Important,
    Major,
}

/// How urgently a ticket is worked.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::Priority")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

/// Where a ticket is in its lifecycle.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::TicketStatus")]
pub enum TicketStatus {
    New,
    Open,
    PendingDepartment,
    PendingCustomer,
    Resolved,
    Closed,
}

/// Whether a suggestion was taken up.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::SuggestionStatus")]
pub enum SuggestionStatus {
    Proposed,
    Adopted,
    Implemented,
    Declined,
}

/// Progress of a corrective action.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::CorrectiveActionStatus")]
pub enum CorrectiveActionStatus {
    Open,
    Done,
    Verified,
}

/// What a timeline entry records.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::TicketEventKind")]
pub enum TicketEventKind {
    Created,
    Acknowledged,
    Assigned,
    Dispatched,
    NoteAdded,
    CustomerReply,
    StatusChanged,
    Escalated,
    SlaWarning,
    SlaBreached,
    Resolved,
    FollowUpRecorded,
    Rated,
    Reopened,
    Closed,
    InvolvedStaffSet,
    VerdictRecorded,
    DueTimesRecomputed,
    DepartmentAnswered,
    DepartmentReminded,
    Reclassified,
    AttachmentsAdded,
    FollowUpCaseOpened,
    SurveyAnswered,
}

/// Whether a complaint was well founded.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::ComplaintVerdict")]
pub enum ComplaintVerdict {
    Pending,
    Justified,
    Unjustified,
}

/// How a follow-up visit reached the customer.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::FollowUpMethod")]
pub enum FollowUpMethod {
    Phone,
    Email,
    Sms,
    Visit,
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

#[Object]
impl Customer {
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }
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
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<TicketConnection> {
        crate::graphql::customers::tickets(ctx, &self.model, first, after).await
    }
}

/// Evidence metadata; the file itself lives in object storage.
#[derive(SimpleObject, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub uri: String,
}

/// Response-time targets and where the ticket stands against them.
#[derive(SimpleObject, Clone)]
pub struct TicketSla {
    pub policy_name: String,
    pub first_response_due_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub first_response_breached: bool,
    pub resolution_breached: bool,
}

/// One entry of a ticket's timeline.
#[derive(Clone)]
pub struct TicketEvent(pub ticket_event::Model);

#[Object]
impl TicketEvent {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> AppResult<TicketEventKind> {
        Ok(stored(rules::TicketEventKind::parse(&self.0.kind), "event kind")?.into())
    }
    async fn actor(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.actor_id).await
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Internal events and notes are never returned to customers.
    async fn internal(&self) -> bool {
        self.0.internal
    }
    async fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }
    async fn from_status(&self) -> Option<TicketStatus> {
        self.0
            .from_status
            .as_deref()
            .and_then(rules::TicketStatus::parse)
            .map(Into::into)
    }
    async fn to_status(&self) -> Option<TicketStatus> {
        self.0
            .to_status
            .as_deref()
            .and_then(rules::TicketStatus::parse)
            .map(Into::into)
    }
}

/// A follow-up visit (回访).
#[derive(Clone)]
pub struct FollowUp(pub follow_up::Model);

#[Object]
impl FollowUp {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn by(&self, ctx: &Context<'_>) -> AppResult<User> {
        load_user(ctx, Some(self.0.by_id)).await?.ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("follow-up without author"), "followUp.by")
        })
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    async fn method(&self) -> AppResult<FollowUpMethod> {
        Ok(stored(
            rules::FollowUpMethod::parse(&self.0.method),
            "follow-up method",
        )?
        .into())
    }
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }
    async fn customer_satisfied(&self) -> bool {
        self.0.customer_satisfied
    }
}

/// A satisfaction rating.
#[derive(SimpleObject, Clone)]
pub struct SatisfactionRating {
    pub rating: i32,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

/// A department's fix for the causes behind complaints.
#[derive(Clone)]
pub struct CorrectiveAction(pub corrective_action::Model);

#[Object]
impl CorrectiveAction {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
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
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.0.due_at
    }
    async fn status(&self) -> AppResult<CorrectiveActionStatus> {
        Ok(stored(
            rules::CorrectiveActionStatus::parse(&self.0.status),
            "corrective action status",
        )?
        .into())
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

/// A ticket: one request, complaint, suggestion or praise, and its whole history.
#[derive(Clone)]
pub struct Ticket(pub ticket::Model);

pub(crate) async fn load_user(ctx: &Context<'_>, id: Option<Uuid>) -> AppResult<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    let found = loaders(ctx)?.users.load_one(id).await;
    Ok(found.map_err(load_failed)?.map(User))
}

#[Object]
impl Ticket {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Human-readable, unique, e.g. T-20261122-000042.
    async fn number(&self) -> &str {
        &self.0.number
    }
    async fn kind(&self) -> AppResult<TicketKind> {
        Ok(stored(rules::TicketKind::parse(&self.0.kind), "ticket kind")?.into())
    }
    async fn channel(&self) -> AppResult<Channel> {
        Ok(stored(rules::Channel::parse(&self.0.channel), "channel")?.into())
    }
    async fn category(&self) -> Option<ComplaintCategory> {
        self.0
            .category
            .as_deref()
            .and_then(rules::ComplaintCategory::parse)
            .map(Into::into)
    }
    async fn severity(&self) -> Option<Severity> {
        self.0
            .severity
            .as_deref()
            .and_then(rules::Severity::parse)
            .map(Into::into)
    }
    async fn priority(&self) -> AppResult<Priority> {
        Ok(stored(rules::Priority::parse(&self.0.priority), "priority")?.into())
    }
    async fn status(&self) -> AppResult<TicketStatus> {
        Ok(stored(rules::TicketStatus::parse(&self.0.status), "status")?.into())
    }
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn demand(&self) -> Option<&str> {
        self.0.demand.as_deref()
    }
    async fn occurred_at(&self) -> Option<DateTime<Utc>> {
        self.0.occurred_at
    }
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }
    async fn order_number(&self) -> Option<&str> {
        self.0.order_number.as_deref()
    }
    async fn product_name(&self) -> Option<&str> {
        self.0.product_name.as_deref()
    }
    async fn attachments(&self) -> AppResult<Vec<Attachment>> {
        serde_json::from_str(&self.0.attachments)
            .map_err(|e| AppError::internal(e, "ticket attachments"))
    }
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
    async fn assignee(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.assignee_id).await
    }
    async fn team(&self, ctx: &Context<'_>) -> AppResult<Option<Team>> {
        let Some(id) = self.0.team_id else {
            return Ok(None);
        };
        let found = loaders(ctx)?.teams.load_one(id).await;
        Ok(found.map_err(load_failed)?.map(Team))
    }
    /// Responsible department while dispatched.
    async fn department(&self, ctx: &Context<'_>) -> AppResult<Option<Department>> {
        let Some(id) = self.0.department_id else {
            return Ok(None);
        };
        let found = loaders(ctx)?.departments.load_one(id).await;
        Ok(found.map_err(load_failed)?.map(Department))
    }
    async fn praised_employee(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.praised_employee_id).await
    }
    async fn suggestion_status(&self) -> Option<SuggestionStatus> {
        self.0
            .suggestion_status
            .as_deref()
            .and_then(rules::SuggestionStatus::parse)
            .map(Into::into)
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
            self.0
                .verdict
                .as_deref()
                .and_then(rules::ComplaintVerdict::parse)
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
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
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
        first: Option<i32>,
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
        if !viewer(ctx)?.can(careline_domain::Action::LogTime) {
            return Ok(Vec::new());
        }
        Ok(
            crate::app::time_accounting::entries(crate::graphql::app(ctx)?, self.0.id)
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
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub uri: String,
}

/// Contact details taken at staff intake.
#[derive(InputObject, Clone)]
pub struct CustomerInput {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A new ticket.
#[derive(InputObject, Clone)]
pub struct CreateTicketInput {
    pub kind: TicketKind,
    pub channel: Channel,
    pub subject: String,
    pub description: String,
    /// Staff intake names the customer; a logged-in customer may omit it (it is the caller).
    pub customer: Option<CustomerInput>,
    pub category: Option<ComplaintCategory>,
    pub severity: Option<Severity>,
    pub priority: Option<Priority>,
    pub demand: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub location: Option<String>,
    pub order_number: Option<String>,
    pub product_name: Option<String>,
    pub attachments: Option<Vec<AttachmentInput>>,
    pub praised_employee_id: Option<ID>,
    pub team_id: Option<ID>,
    /// For a complaint taken by staff: the employees it is about.
    pub involved_staff_ids: Option<Vec<ID>>,
}

/// Narrows the ticket list; every given field must match.
#[derive(InputObject, Clone, Default)]
pub struct TicketFilter {
    pub status: Option<Vec<TicketStatus>>,
    pub kind: Option<Vec<TicketKind>>,
    pub severity: Option<Vec<Severity>>,
    pub priority: Option<Vec<Priority>>,
    pub channel: Option<Vec<Channel>>,
    pub category: Option<Vec<ComplaintCategory>>,
    pub assignee_id: Option<ID>,
    pub owner_id: Option<ID>,
    pub team_id: Option<ID>,
    pub department_id: Option<ID>,
    pub unassigned: Option<bool>,
    pub breached: Option<bool>,
    pub escalated: Option<bool>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// Full-text match on number, subject, description, customer name, order number.
    pub search: Option<String>,
}

/// How to sort the ticket list.
#[derive(InputObject, Clone, Copy)]
pub struct TicketOrder {
    pub field: TicketOrderField,
    pub direction: OrderDirection,
}

/// A follow-up visit.
#[derive(InputObject, Clone)]
pub struct FollowUpInput {
    pub method: FollowUpMethod,
    pub outcome: String,
    pub customer_satisfied: bool,
}

/// A new corrective action.
#[derive(InputObject, Clone)]
pub struct CorrectiveActionInput {
    pub description: String,
    pub department_id: ID,
    pub ticket_ids: Vec<ID>,
    pub due_at: Option<DateTime<Utc>>,
}
