//! Tickets: intake, changes under an optimistic version check, timelines, follow-ups, ratings,
//! and the filtered, sorted, keyset-paginated list.

use crate::StoreError;
use crate::customers;
use crate::entity::customer;
use crate::entity::follow_up::{self, Entity as FollowUp};
use crate::entity::satisfaction_rating::{self, Entity as Rating};
use crate::entity::ticket::{self, Column as T, Entity as Ticket, Model};
use crate::entity::ticket_event::{self, Entity as TicketEvent};
use crate::page::{Page, PageRequest, paginate};
use careline_domain::sla::clocks::{SlaClocks, TicketClockFacts};
use careline_domain::sla::{BusinessCalendar, stage_from_i32, stage_to_i32};
use careline_domain::ticket::{
    Attachment, Bookkeeping, Change, FollowUpMethod, Priority, ReadScope, SuggestionStatus,
    TicketEventKind, TicketStatus, ValidatedIntake, format_ticket_number,
};
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{
    Alias, Condition, Expr, ExprTrait, Func, LikeExpr, OnConflict, Order, Query,
};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbBackend, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Statement, UpdateMany,
};

/// A ticket ready to be stored, every value decided.
#[derive(Debug, Clone)]
pub struct NewTicket {
    /// Validated intake.
    pub intake: ValidatedIntake,
    /// Its priority (the customer's tier floor applied).
    pub priority: Priority,
    /// Its escalation level at intake.
    pub escalation_level: i32,
    /// When it happened, as the customer says.
    pub occurred_at: Option<DateTime<Utc>>,
    /// Whose it is.
    pub customer_id: Uuid,
    /// First-contact owner (staff intake: the creator).
    pub owner_id: Option<Uuid>,
    /// The team that handles it.
    pub team_id: Option<Uuid>,
    /// The department that holds it (feedback a department registered itself).
    pub department_id: Option<Uuid>,
    /// Who registered it.
    pub created_by: Option<Uuid>,
    /// Its response-time targets.
    pub sla: SlaClocks,
    /// The employees a complaint is about (already checked to be active staff).
    pub involved_staff: Vec<Uuid>,
    /// The case this one follows up, if any.
    pub parent_id: Option<Uuid>,
}

/// A stored ticket's SLA clocks, as the domain's rules read and write them, counting on
/// `calendar` (see [`crate::calendars::of_ticket`]).
pub fn clocks_of(t: &Model, calendar: Option<BusinessCalendar>) -> SlaClocks {
    SlaClocks {
        policy_name: t.sla_policy_name.clone(),
        calendar_id: t.sla_calendar_id,
        calendar,
        first_response_minutes: t.sla_first_response_minutes,
        resolution_minutes: t.sla_resolution_minutes,
        first_response_due_at: t.first_response_due_at,
        resolution_due_at: t.resolution_due_at,
        resolution_started_at: t.sla_resolution_started_at,
        paused_at: t.sla_paused_at,
        first_response_stage: stage_from_i32(t.sla_first_response_stage),
        resolution_stage: stage_from_i32(t.sla_resolution_stage),
        next_check_at: t.sla_next_check_at,
        risk_at: t.sla_risk_at,
        first_response_breached: t.first_response_breached,
        resolution_breached: t.resolution_breached,
    }
}

/// What the SLA clock rules read about a stored ticket besides its clocks.
pub fn clock_facts(t: &Model) -> TicketClockFacts {
    TicketClockFacts {
        status: TicketStatus::parse(&t.status).unwrap_or(TicketStatus::New),
        first_responded_at: t.first_responded_at,
        resolved_at: t.resolved_at,
        escalation_level: t.escalation_level,
    }
}

/// A stored ticket's bookkeeping, as the domain's [`careline_domain::ticket::effects`] reads it.
pub fn bookkeeping(t: &Model) -> Result<Bookkeeping, StoreError> {
    Ok(Bookkeeping {
        status: TicketStatus::parse(&t.status).ok_or_else(|| unknown("status", &t.status))?,
        assignee_id: t.assignee_id,
        created_at: t.created_at,
        reopen_count: t.reopen_count,
        resolution_count: t.resolution_count,
        dispatched: t.dispatched,
        reassigned: t.reassigned,
        follow_up_since_resolution: t.follow_up_since_resolution,
        rated_since_resolution: t.rated_since_resolution,
        resolved_at: t.resolved_at,
        closed_at: t.closed_at,
        first_responded_at: t.first_responded_at,
        first_responder_id: t.first_responder_id,
        first_resolved_at: t.first_resolved_at,
        first_response_minutes: t.first_response_minutes,
        resolution_minutes: t.resolution_minutes,
        suggestion_status: match t.suggestion_status.as_deref() {
            None => None,
            Some(s) => {
                Some(SuggestionStatus::parse(s).ok_or_else(|| unknown("suggestion status", s))?)
            }
        },
        escalation_level: t.escalation_level,
    })
}

fn unknown(what: &str, value: &str) -> StoreError {
    StoreError::Db(DbErr::Custom(format!(
        "a stored ticket {what} is not one the domain knows: {value:?}"
    )))
}

/// The files a stored ticket holds. A column that does not parse is an error, never an empty
/// list: whoever adds a file must not replace the ones already there.
pub fn attachments_of(t: &Model) -> Result<Vec<Attachment>, StoreError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Stored {
        file_name: String,
        content_type: String,
        size_bytes: i64,
        uri: String,
    }
    let stored: Vec<Stored> = serde_json::from_str(&t.attachments).map_err(|e| {
        StoreError::Db(DbErr::Custom(format!(
            "ticket {} has attachments that do not parse: {e}",
            t.id
        )))
    })?;
    Ok(stored
        .into_iter()
        .map(|a| Attachment {
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            uri: a.uri,
        })
        .collect())
}

/// An attachment as the ticket's JSON column keeps it.
fn attachment_json(a: &Attachment) -> serde_json::Value {
    serde_json::json!({
        "fileName": a.file_name,
        "contentType": a.content_type,
        "sizeBytes": a.size_bytes,
        "uri": a.uri,
    })
}

/// Sets every SLA column of a ticket update to `sla`.
pub(crate) fn clock_columns(update: UpdateMany<Ticket>, sla: &SlaClocks) -> UpdateMany<Ticket> {
    update
        .col_expr(T::SlaPolicyName, Expr::value(sla.policy_name.clone()))
        .col_expr(
            T::SlaTimeZone,
            Expr::value(sla.calendar().map(|c| c.time_zone_name().to_owned())),
        )
        .col_expr(
            T::SlaWindows,
            Expr::value(sla.calendar().map(|c| c.windows_spec().to_owned())),
        )
        .col_expr(T::SlaCalendarId, Expr::value(sla.calendar_id))
        .col_expr(
            T::SlaResolutionStartedAt,
            Expr::value(sla.resolution_started_at),
        )
        .col_expr(
            T::SlaFirstResponseMinutes,
            Expr::value(sla.first_response_minutes),
        )
        .col_expr(T::SlaResolutionMinutes, Expr::value(sla.resolution_minutes))
        .col_expr(
            T::FirstResponseDueAt,
            Expr::value(sla.first_response_due_at),
        )
        .col_expr(T::ResolutionDueAt, Expr::value(sla.resolution_due_at))
        .col_expr(T::SlaPausedAt, Expr::value(sla.paused_at))
        .col_expr(
            T::SlaFirstResponseStage,
            Expr::value(stage_to_i32(sla.first_response_stage)),
        )
        .col_expr(
            T::SlaResolutionStage,
            Expr::value(stage_to_i32(sla.resolution_stage)),
        )
        .col_expr(T::SlaNextCheckAt, Expr::value(sla.next_check_at))
        .col_expr(T::SlaRiskAt, Expr::value(sla.risk_at))
        .col_expr(
            T::FirstResponseBreached,
            Expr::value(sla.first_response_breached),
        )
        .col_expr(T::ResolutionBreached, Expr::value(sla.resolution_breached))
}

/// A ticket with its customer record.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The ticket.
    pub ticket: Model,
    /// Its customer record.
    pub customer: customer::Model,
}

const STALE: &str = "the ticket was changed by someone else; reload it and try again";

/// Stores a new ticket, numbered for `at`'s day, with the employees a complaint names.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewTicket,
    at: DateTime<Utc>,
) -> Result<Model, StoreError> {
    let seq = next_number(db, at).await?;
    let i = new.intake;
    let attachments =
        serde_json::Value::Array(i.attachments.iter().map(attachment_json).collect()).to_string();
    let row = ticket::ActiveModel {
        id: Set(Uuid::now_v7()),
        number: Set(format_ticket_number(at.date_naive(), seq)),
        kind: Set(i.kind.as_str().to_owned()),
        channel: Set(i.channel.as_str().to_owned()),
        category: Set(i.category.map(|c| c.as_str().to_owned())),
        severity: Set(i.severity.map(|s| s.as_str().to_owned())),
        priority: Set(new.priority.as_str().to_owned()),
        priority_rank: Set(i32::from(new.priority.rank())),
        status: Set(i.initial_status.as_str().to_owned()),
        subject: Set(i.subject),
        description: Set(i.description),
        demand: Set(i.demand),
        occurred_at: Set(new.occurred_at),
        location: Set(i.location),
        order_number: Set(i.order_number),
        product_name: Set(i.product_name),
        attachments: Set(attachments),
        customer_id: Set(new.customer_id),
        owner_id: Set(new.owner_id),
        assignee_id: Set(None),
        team_id: Set(new.team_id),
        department_id: Set(new.department_id),
        praised_employee_id: Set(i.praised_employee_id),
        suggestion_status: Set(i.suggestion_status.map(|s| s.as_str().to_owned())),
        escalation_level: Set(new.escalation_level),
        verdict: Set(None),
        root_cause: Set(None),
        sla_policy_name: Set(new.sla.policy_name.clone()),
        first_response_due_at: Set(new.sla.first_response_due_at),
        resolution_due_at: Set(new.sla.resolution_due_at),
        first_responded_at: Set(None),
        first_responder_id: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        first_response_breached: Set(new.sla.first_response_breached),
        resolution_breached: Set(new.sla.resolution_breached),
        sla_time_zone: Set(new.sla.calendar().map(|c| c.time_zone_name().to_owned())),
        sla_windows: Set(new.sla.calendar().map(|c| c.windows_spec().to_owned())),
        sla_calendar_id: Set(new.sla.calendar_id),
        sla_resolution_started_at: Set(new.sla.resolution_started_at),
        parent_id: Set(new.parent_id),
        sla_first_response_minutes: Set(new.sla.first_response_minutes),
        sla_resolution_minutes: Set(new.sla.resolution_minutes),
        sla_paused_at: Set(new.sla.paused_at),
        sla_first_response_stage: Set(stage_to_i32(new.sla.first_response_stage)),
        sla_resolution_stage: Set(stage_to_i32(new.sla.resolution_stage)),
        sla_next_check_at: Set(new.sla.next_check_at),
        sla_risk_at: Set(new.sla.risk_at),
        first_resolved_at: Set(None),
        first_response_minutes: Set(None),
        resolution_minutes: Set(None),
        promised_answer_at: Set(None),
        promise_escalated: Set(false),
        closed_disagreeing: Set(false),
        responsible_department_id: Set(None),
        praised_team_id: Set(i.praised_team_id),
        praised_department_id: Set(i.praised_department_id),
        reopen_count: Set(0),
        dispatched: Set(false),
        reassigned: Set(false),
        resolution_count: Set(0),
        follow_up_since_resolution: Set(false),
        rated_since_resolution: Set(false),
        created_by: Set(new.created_by),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
    };
    let ticket = row
        .insert(db)
        .await
        .map_err(|e| StoreError::on_unique(e, "ticket number already taken; try again"))?;
    insert_involved_staff(db, ticket.id, &new.involved_staff).await?;
    Ok(ticket)
}

/// Marks ticket `id` changed at `at` (a new version) without changing anything else, e.g. when
/// only its timeline grows because of another ticket. Returns the ticket as it now is.
pub async fn touch<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<Model, StoreError> {
    let updated = Ticket::update_many()
        .col_expr(T::Version, Expr::col(T::Version).add(1))
        .col_expr(T::UpdatedAt, Expr::value(at))
        .filter(T::Id.eq(id))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(StoreError::NotFound("ticket"));
    }
    Ticket::find_by_id(id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("ticket"))
}

/// The follow-up cases of several tickets, oldest first (for data loaders).
pub async fn follow_up_cases<C: ConnectionTrait>(
    db: &C,
    parent_ids: &[Uuid],
) -> Result<Vec<Model>, StoreError> {
    Ok(Ticket::find()
        .filter(T::ParentId.is_in(parent_ids.iter().copied()))
        .order_by_asc(T::CreatedAt)
        .order_by_asc(T::Id)
        .all(db)
        .await?)
}

/// Of `ids`, the tickets whose customer had another ticket created in the 7 days before it.
pub async fn repeat_contacts<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, StoreError> {
    let asked: Vec<(Uuid, Uuid, DateTime<Utc>)> = Ticket::find()
        .select_only()
        .column(T::Id)
        .column(T::CustomerId)
        .column(T::CreatedAt)
        .filter(T::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let Some(earliest) = asked.iter().map(|(_, _, at)| *at).min() else {
        return Ok(Vec::new());
    };
    let window = chrono::Duration::days(7);
    let others: Vec<(Uuid, Uuid, DateTime<Utc>)> = Ticket::find()
        .select_only()
        .column(T::Id)
        .column(T::CustomerId)
        .column(T::CreatedAt)
        .filter(T::CustomerId.is_in(asked.iter().map(|(_, c, _)| *c)))
        .filter(T::CreatedAt.gte(earliest - window))
        .into_tuple()
        .all(db)
        .await?;
    Ok(asked
        .iter()
        .filter(|(id, customer, at)| {
            others.iter().any(|(other, c, when)| {
                c == customer && other != id && when < at && *when >= *at - window
            })
        })
        .map(|(id, _, _)| *id)
        .collect())
}

/// The sequence part of the next ticket number for `at`'s day. On PostgreSQL a sequence
/// (migration `m0020_ticket_number_sequence`): unique and increasing across days, and no row
/// that every intake would hold locked until it commits. SQLite, a single writer anyway, counts
/// per day in `ticket_counters`, created or bumped by one atomic upsert.
async fn next_number<C: ConnectionTrait>(db: &C, at: DateTime<Utc>) -> Result<u32, StoreError> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT nextval('ticket_number_seq')",
            ))
            .await?
            .ok_or_else(|| {
                StoreError::Db(DbErr::Custom("ticket sequence returned no row".into()))
            })?;
        let seq: i64 = row.try_get_by_index(0)?;
        return u32::try_from(seq)
            .map_err(|_| StoreError::Db(DbErr::Custom("ticket sequence overflow".into())));
    }
    let table = Alias::new("ticket_counters");
    let day = Alias::new("day");
    let last = Alias::new("last_seq");
    let stmt = Query::insert()
        .into_table(table.clone())
        .columns([day.clone(), last.clone()])
        .values([at.format("%Y%m%d").to_string().into(), 1.into()])
        .map_err(|e| StoreError::Db(DbErr::Custom(e.to_string())))?
        .on_conflict(
            OnConflict::column(day)
                // Qualified: unqualified it would be ambiguous on PostgreSQL.
                .value(last.clone(), Expr::col((table, last.clone())).add(1))
                .to_owned(),
        )
        .returning_col(last)
        .to_owned();
    let row = db
        .query_one(&stmt)
        .await?
        .ok_or_else(|| StoreError::Db(DbErr::Custom("ticket counter returned no row".into())))?;
    let seq: i32 = row.try_get_by_index(0)?;
    u32::try_from(seq).map_err(|_| StoreError::Db(DbErr::Custom("ticket counter overflow".into())))
}

/// One ticket and its customer record.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Loaded>, StoreError> {
    let Some(ticket) = Ticket::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    with_customer(db, ticket).await.map(Some)
}

/// One ticket by its number.
pub async fn find_by_number<C: ConnectionTrait>(
    db: &C,
    number: &str,
) -> Result<Option<Loaded>, StoreError> {
    let Some(ticket) = Ticket::find()
        .filter(T::Number.eq(number.trim().to_uppercase()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    with_customer(db, ticket).await.map(Some)
}

async fn with_customer<C: ConnectionTrait>(db: &C, ticket: Model) -> Result<Loaded, StoreError> {
    let customer = customers::find(db, ticket.customer_id)
        .await?
        .ok_or(StoreError::NotFound("customer"))?;
    Ok(Loaded { ticket, customer })
}

/// Several tickets by id, in no particular order (for data loaders).
pub async fn find_many<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, StoreError> {
    Ok(Ticket::find()
        .filter(T::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// What to write over a ticket: the decided change, the bookkeeping the domain derived from
/// it, the clocks after it, and (when files were added) the ticket's whole new file list.
#[derive(Debug, Clone, Copy)]
pub struct TicketWrite<'a> {
    /// The state machine's decision.
    pub change: &'a Change,
    /// The record after it ([`careline_domain::ticket::effects`]).
    pub after: &'a Bookkeeping,
    /// The SLA clocks after it.
    pub sla: &'a SlaClocks,
    /// Every file the ticket holds after it, when that changes.
    pub attachments: Option<&'a [Attachment]>,
}

/// Writes `w` over `current` on condition that it is still at `expected_version`; otherwise
/// `Conflict` and nothing is written. Returns the ticket as it now is. `at` is the application
/// clock's now.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    expected_version: i32,
    w: TicketWrite<'_>,
    at: DateTime<Utc>,
) -> Result<Model, StoreError> {
    let (change, after) = (w.change, w.after);
    let (verdict, root_cause) = match &change.verdict {
        Some((v, cause)) => (Some(v.as_str().to_owned()), Some(cause.clone())),
        None => (current.verdict.clone(), current.root_cause.clone()),
    };
    let mut update = clock_columns(Ticket::update_many(), w.sla)
        .col_expr(T::Status, Expr::value(change.status.as_str()))
        .col_expr(T::EscalationLevel, Expr::value(after.escalation_level))
        .col_expr(T::Verdict, Expr::value(verdict))
        .col_expr(T::RootCause, Expr::value(root_cause))
        .col_expr(T::OwnerId, Expr::value(change.owner_id))
        .col_expr(T::AssigneeId, Expr::value(change.assignee_id))
        .col_expr(T::DepartmentId, Expr::value(change.department_id))
        .col_expr(
            T::SuggestionStatus,
            Expr::value(after.suggestion_status.map(|s| s.as_str())),
        )
        .col_expr(T::FirstRespondedAt, Expr::value(after.first_responded_at))
        .col_expr(T::FirstResponderId, Expr::value(after.first_responder_id))
        .col_expr(T::ResolvedAt, Expr::value(after.resolved_at))
        .col_expr(T::ClosedAt, Expr::value(after.closed_at))
        .col_expr(T::FirstResolvedAt, Expr::value(after.first_resolved_at))
        .col_expr(
            T::FirstResponseMinutes,
            Expr::value(after.first_response_minutes),
        )
        .col_expr(T::ResolutionMinutes, Expr::value(after.resolution_minutes))
        .col_expr(T::ReopenCount, Expr::value(after.reopen_count))
        .col_expr(T::Dispatched, Expr::value(after.dispatched))
        .col_expr(T::Reassigned, Expr::value(after.reassigned))
        .col_expr(T::ResolutionCount, Expr::value(after.resolution_count))
        .col_expr(
            T::FollowUpSinceResolution,
            Expr::value(after.follow_up_since_resolution),
        )
        .col_expr(
            T::RatedSinceResolution,
            Expr::value(after.rated_since_resolution),
        )
        .col_expr(T::UpdatedAt, Expr::value(at))
        .col_expr(T::Version, Expr::col(T::Version).add(1))
        .filter(T::Id.eq(current.id))
        .filter(T::Version.eq(expected_version));
    if let Some(c) = &change.reclassified {
        update = update
            .col_expr(T::Kind, Expr::value(c.kind.as_str()))
            .col_expr(T::Severity, Expr::value(c.severity.map(|s| s.as_str())))
            .col_expr(T::Category, Expr::value(c.category.map(|c| c.as_str())))
            .col_expr(T::Priority, Expr::value(c.priority.as_str()))
            .col_expr(T::PriorityRank, Expr::value(i32::from(c.priority.rank())));
    }
    if let Some(department) = change.responsible_department {
        update = update.col_expr(T::ResponsibleDepartmentId, Expr::value(department));
    }
    if change.closed || change.reopened {
        update = update.col_expr(T::ClosedDisagreeing, Expr::value(change.closed_disagreeing));
    }
    if let Some(promised) = change.promised_answer_at {
        // A new promise: it has not been escalated yet.
        update = update
            .col_expr(T::PromisedAnswerAt, Expr::value(promised))
            .col_expr(T::PromiseEscalated, Expr::value(false));
    }
    if let Some(all) = w.attachments {
        let json = serde_json::Value::Array(all.iter().map(attachment_json).collect());
        update = update.col_expr(T::Attachments, Expr::value(json.to_string()));
    }
    if update.exec(db).await?.rows_affected == 0 {
        return Err(StoreError::Conflict(STALE.to_owned()));
    }
    // Due times moved to or from a past day change that day's rolled-up KPIs.
    crate::kpi::rollups::due_times_changed(
        db,
        [current.first_response_due_at, current.resolution_due_at],
        [w.sla.first_response_due_at, w.sla.resolution_due_at],
    )
    .await?;
    if let Some(staff) = &change.involved_staff {
        set_involved_staff(db, current.id, staff).await?;
    }
    Ticket::find_by_id(current.id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("ticket"))
}

/// A follow-up visit to store.
#[derive(Debug, Clone)]
pub struct NewFollowUp {
    /// Who called or visited.
    pub by: Uuid,
    /// How the customer was reached.
    pub method: FollowUpMethod,
    /// What came of it.
    pub outcome: String,
    /// Whether the customer was satisfied.
    pub customer_satisfied: bool,
    /// The resolution it follows (the ticket's resolution count).
    pub resolution: i32,
}

/// Stores a follow-up visit of ticket `ticket_id`.
pub async fn insert_follow_up<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    f: NewFollowUp,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    follow_up::ActiveModel {
        id: Set(Uuid::now_v7()),
        ticket_id: Set(ticket_id),
        by_id: Set(f.by),
        at: Set(at),
        method: Set(f.method.as_str().to_owned()),
        outcome: Set(f.outcome),
        customer_satisfied: Set(f.customer_satisfied),
        resolution: Set(f.resolution),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A satisfaction rating to store.
#[derive(Debug, Clone)]
pub struct NewRating {
    /// Who rated.
    pub by: Uuid,
    /// 1 to 5.
    pub rating: i32,
    /// Optional comment.
    pub comment: Option<String>,
    /// The resolution rated (the ticket's resolution count).
    pub resolution: i32,
    /// Who resolved it.
    pub resolved_by: Option<Uuid>,
}

/// Stores a rating of ticket `ticket_id`; a resolution already rated is a `Conflict`.
pub async fn insert_rating<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    r: NewRating,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    satisfaction_rating::ActiveModel {
        resolved_by: Set(r.resolved_by),
        id: Set(Uuid::now_v7()),
        ticket_id: Set(ticket_id),
        resolution: Set(r.resolution),
        rating: Set(r.rating),
        comment: Set(r.comment),
        rated_by: Set(r.by),
        at: Set(at),
    }
    .insert(db)
    .await
    .map_err(|e| StoreError::on_unique(e, "this resolution has already been rated"))?;
    crate::kpi::rollups::facts_changed(db, at).await
}

/// Who resolved ticket `id` last, if anyone.
pub async fn latest_resolver<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<Uuid>, StoreError> {
    Ok(TicketEvent::find()
        .filter(ticket_event::Column::TicketId.eq(id))
        .filter(ticket_event::Column::Kind.eq(TicketEventKind::Resolved.as_str()))
        .order_by_desc(ticket_event::Column::At)
        .order_by_desc(ticket_event::Column::Id)
        .one(db)
        .await?
        .and_then(|e| e.actor_id))
}

/// Marks the `RESOLVED` entries of ticket `id` as not resolved at first contact (it was
/// reopened), with the KPI facts that follow.
pub async fn withdraw_first_contact<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    TicketEvent::update_many()
        .col_expr(ticket_event::Column::FirstContact, Expr::value(false))
        .filter(ticket_event::Column::TicketId.eq(id))
        .filter(ticket_event::Column::Kind.eq(TicketEventKind::Resolved.as_str()))
        .exec(db)
        .await?;
    crate::kpi::record_reopen(db, id, at).await
}

/// Every timeline entry of the given tickets, oldest first; internal ones only when asked for
/// (for data loaders, which page them in memory).
pub async fn events_of<C: ConnectionTrait>(
    db: &C,
    ticket_ids: &[Uuid],
    include_internal: bool,
) -> Result<Vec<ticket_event::Model>, StoreError> {
    let mut q = TicketEvent::find()
        .filter(ticket_event::Column::TicketId.is_in(ticket_ids.iter().copied()));
    if !include_internal {
        q = q.filter(ticket_event::Column::Internal.eq(false));
    }
    Ok(q.order_by_asc(ticket_event::Column::Id).all(db).await?)
}

/// A page of one ticket's timeline.
pub async fn events_page<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    include_internal: bool,
    page: PageRequest,
) -> Result<Page<ticket_event::Model>, StoreError> {
    let mut q = TicketEvent::find().filter(ticket_event::Column::TicketId.eq(ticket_id));
    if !include_internal {
        q = q.filter(ticket_event::Column::Internal.eq(false));
    }
    Ok(paginate(db, q, ticket_event::Column::Id, page).await?)
}

/// Follow-up visits of the given tickets, oldest first (for data loaders).
pub async fn follow_ups_of<C: ConnectionTrait>(
    db: &C,
    ticket_ids: &[Uuid],
) -> Result<Vec<follow_up::Model>, StoreError> {
    Ok(FollowUp::find()
        .filter(follow_up::Column::TicketId.is_in(ticket_ids.iter().copied()))
        .order_by_asc(follow_up::Column::Id)
        .all(db)
        .await?)
}

/// Ratings of the given tickets, oldest first (for data loaders).
pub async fn ratings_of<C: ConnectionTrait>(
    db: &C,
    ticket_ids: &[Uuid],
) -> Result<Vec<satisfaction_rating::Model>, StoreError> {
    Ok(Rating::find()
        .filter(satisfaction_rating::Column::TicketId.is_in(ticket_ids.iter().copied()))
        .order_by_asc(satisfaction_rating::Column::Id)
        .all(db)
        .await?)
}

/// What the ticket list may filter on; every field narrows, `None`/empty means "any".
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Any of these statuses (contract spelling).
    pub statuses: Vec<String>,
    /// Any of these kinds.
    pub kinds: Vec<String>,
    /// Any of these severities.
    pub severities: Vec<String>,
    /// Any of these priorities.
    pub priorities: Vec<String>,
    /// Any of these channels.
    pub channels: Vec<String>,
    /// Any of these complaint categories.
    pub categories: Vec<String>,
    /// Assigned to this person.
    pub assignee_id: Option<Uuid>,
    /// Owned by this person.
    pub owner_id: Option<Uuid>,
    /// Handled by this team.
    pub team_id: Option<Uuid>,
    /// Dispatched to this department.
    pub department_id: Option<Uuid>,
    /// Unassigned (`true`) or assigned (`false`).
    pub unassigned: Option<bool>,
    /// Some SLA target breached (`true`) or none (`false`).
    pub breached: Option<bool>,
    /// Escalated at all (`true`) or not (`false`).
    pub escalated: Option<bool>,
    /// Created at or after.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before.
    pub created_to: Option<DateTime<Utc>>,
    /// Case-insensitive substring of number, subject, description, customer name, order number.
    pub search: Option<String>,
}

/// What the ticket list sorts by; ties are broken by id in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderField {
    /// Creation time.
    CreatedAt,
    /// Last change.
    UpdatedAt,
    /// Priority rank.
    Priority,
    /// Resolution due time; tickets without one sort last (ascending).
    DueAt,
}

/// Sort order for the ticket list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketOrder {
    /// The key.
    pub field: OrderField,
    /// Largest first.
    pub descending: bool,
}

/// A position in the ticket list: the sort key (a rank, or microseconds since the epoch) and
/// the id that breaks ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketCursor {
    /// The sort key.
    pub key: i64,
    /// The row id.
    pub id: Uuid,
}

/// A request for one page of the ticket list.
#[derive(Debug, Clone, Copy)]
pub struct TicketPageRequest {
    /// Rows after this position.
    pub after: Option<TicketCursor>,
    /// Rows before this position.
    pub before: Option<TicketCursor>,
    /// Page size (already capped).
    pub limit: u64,
    /// Take the page from the end (`last`).
    pub from_end: bool,
    /// Count every matching row too (`totalCount` was asked for): a count walks the whole
    /// filtered set, the page only its first rows. Without it the page's `total` is 0.
    pub with_total: bool,
}

/// The due time that tickets without one sort by: after every real one. Written into the SQL as
/// a literal, not bound as a parameter, so that both databases see the expression of the index
/// that serves the `DUE_AT` order (`idx_tickets_due_order`, migration m0021); it is also how
/// SQLite stores that instant, so a cursor at a ticket without a due time compares equal.
pub const NO_DUE_TIME: &str = "9999-12-31T00:00:00+00:00";

fn no_due_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn key_expr(field: OrderField) -> Expr {
    match field {
        OrderField::CreatedAt => Expr::col((Ticket, T::CreatedAt)),
        OrderField::UpdatedAt => Expr::col((Ticket, T::UpdatedAt)),
        OrderField::Priority => Expr::col((Ticket, T::PriorityRank)),
        OrderField::DueAt => Func::coalesce([
            Expr::col((Ticket, T::ResolutionDueAt)),
            Expr::cust(format!("'{NO_DUE_TIME}'")),
        ])
        .into(),
    }
}

fn key_value(field: OrderField, key: i64) -> Result<sea_orm::Value, StoreError> {
    match field {
        OrderField::Priority => Ok(i32::try_from(key).unwrap_or(i32::MAX).into()),
        _ => DateTime::<Utc>::from_timestamp_micros(key)
            .map(Into::into)
            .ok_or(StoreError::InvalidReference(
                "not a cursor from this list".into(),
            )),
    }
}

/// The cursor of `m` under `field`.
pub fn cursor_of(m: &Model, field: OrderField) -> TicketCursor {
    let key = match field {
        OrderField::CreatedAt => m.created_at.timestamp_micros(),
        OrderField::UpdatedAt => m.updated_at.timestamp_micros(),
        OrderField::Priority => i64::from(m.priority_rank),
        OrderField::DueAt => m
            .resolution_due_at
            .unwrap_or_else(no_due_time)
            .timestamp_micros(),
    };
    TicketCursor { key, id: m.id }
}

/// Rows strictly beyond `c` in the direction `greater`, written so that both databases seek to
/// the cursor in the order's index instead of reading it from the start and filtering (as
/// `k > v OR (k = v AND id > c)` makes them do, slower the deeper the page): a row-value
/// comparison, which PostgreSQL seeks with, and the key's own bound, which SQLite seeks with
/// when the key is an expression (`DUE_AT`).
fn beyond(field: OrderField, c: TicketCursor, greater: bool) -> Result<Condition, StoreError> {
    let v = key_value(field, c.key)?;
    let row = Expr::tuple([key_expr(field), Expr::col((Ticket, T::Id))]);
    let at = Expr::tuple([Expr::val(v.clone()), Expr::val(c.id)]);
    let k = key_expr(field);
    Ok(if greater {
        Condition::all().add(k.gte(v)).add(row.gt(at))
    } else {
        Condition::all().add(k.lte(v)).add(row.lt(at))
    })
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for ch in s.to_lowercase().chars() {
        if matches!(ch, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

fn lower_like(col: impl sea_orm::sea_query::IntoColumnRef, pattern: &str) -> Expr {
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern).escape('\\'))
}

fn filter_condition(scope: ReadScope, f: &TicketFilter) -> Condition {
    let mut c = Condition::all();
    c = match scope {
        ReadScope::All => c,
        ReadScope::Department(d) => c.add(T::DepartmentId.eq(d)),
        ReadScope::CustomerAccount(u) => c.add(
            T::CustomerId.in_subquery(
                Query::select()
                    .column(customer::Column::Id)
                    .from(customer::Entity)
                    .and_where(customer::Column::UserId.eq(u))
                    .to_owned(),
            ),
        ),
        ReadScope::Nothing => c.add(T::Id.is_null()),
    };
    for (col, values) in [
        (T::Status, &f.statuses),
        (T::Kind, &f.kinds),
        (T::Severity, &f.severities),
        (T::Priority, &f.priorities),
        (T::Channel, &f.channels),
        (T::Category, &f.categories),
    ] {
        if !values.is_empty() {
            c = c.add(col.is_in(values.iter().cloned()));
        }
    }
    for (col, value) in [
        (T::AssigneeId, f.assignee_id),
        (T::OwnerId, f.owner_id),
        (T::TeamId, f.team_id),
        (T::DepartmentId, f.department_id),
    ] {
        if let Some(v) = value {
            c = c.add(col.eq(v));
        }
    }
    match f.unassigned {
        Some(true) => c = c.add(T::AssigneeId.is_null()),
        Some(false) => c = c.add(T::AssigneeId.is_not_null()),
        None => {}
    }
    match f.breached {
        Some(true) => {
            c = c.add(
                Condition::any()
                    .add(T::FirstResponseBreached.eq(true))
                    .add(T::ResolutionBreached.eq(true)),
            )
        }
        Some(false) => {
            c = c
                .add(T::FirstResponseBreached.eq(false))
                .add(T::ResolutionBreached.eq(false))
        }
        None => {}
    }
    match f.escalated {
        Some(true) => c = c.add(T::EscalationLevel.gt(0)),
        Some(false) => c = c.add(T::EscalationLevel.eq(0)),
        None => {}
    }
    if let Some(from) = f.created_from {
        c = c.add(T::CreatedAt.gte(from));
    }
    if let Some(to) = f.created_to {
        c = c.add(T::CreatedAt.lt(to));
    }
    if let Some(search) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = escape_like(search);
        c = c.add(
            Condition::any()
                .add(lower_like((Ticket, T::Number), &p))
                .add(lower_like((Ticket, T::Subject), &p))
                .add(lower_like((Ticket, T::Description), &p))
                .add(lower_like((Ticket, T::OrderNumber), &p))
                .add(
                    T::CustomerId.in_subquery(
                        Query::select()
                            .column(customer::Column::Id)
                            .from(customer::Entity)
                            .and_where(lower_like((customer::Entity, customer::Column::Name), &p))
                            .to_owned(),
                    ),
                ),
        );
    }
    c
}

/// The statement [`list`] runs for a page (without the count), for plans and benchmarks.
pub fn page_statement(
    backend: DbBackend,
    scope: ReadScope,
    filter: &TicketFilter,
    order: TicketOrder,
    req: TicketPageRequest,
) -> Result<Statement, StoreError> {
    let base = Ticket::find().filter(filter_condition(scope, filter));
    Ok(sea_orm::QueryTrait::build(
        &page_query(base, order, req)?,
        backend,
    ))
}

/// `base` narrowed to one page in `order`: keyset cursors, no OFFSET, one row more than the
/// page to tell whether another follows.
fn page_query(
    base: Select<Ticket>,
    order: TicketOrder,
    req: TicketPageRequest,
) -> Result<Select<Ticket>, StoreError> {
    let forward_is_greater = !order.descending;
    let mut q = base;
    if let Some(after) = req.after {
        q = q.filter(beyond(order.field, after, forward_is_greater)?);
    }
    if let Some(before) = req.before {
        q = q.filter(beyond(order.field, before, !forward_is_greater)?);
    }
    // Taking from the end reads the list backwards and flips the page afterwards.
    let ascending = forward_is_greater != req.from_end;
    let dir = if ascending { Order::Asc } else { Order::Desc };
    Ok(q.order_by(key_expr(order.field), dir.clone())
        .order_by(Expr::col((Ticket, T::Id)), dir)
        .limit(req.limit + 1))
}

/// One page of the tickets `scope` may read that match `filter`, in `order`, with keyset
/// cursors (no OFFSET) and the total across pages.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: ReadScope,
    filter: &TicketFilter,
    order: TicketOrder,
    req: TicketPageRequest,
) -> Result<Page<Model>, StoreError> {
    let base = Ticket::find().filter(filter_condition(scope, filter));
    let total = if req.with_total {
        base.clone().count(db).await?
    } else {
        0
    };
    let mut items = page_query(base, order, req)?.all(db).await?;
    let more = items.len() as u64 > req.limit;
    items.truncate(usize::try_from(req.limit).unwrap_or(usize::MAX));
    if req.from_end {
        items.reverse();
    }
    let (has_next, has_previous) = if req.from_end {
        (req.before.is_some(), more)
    } else {
        (more, req.after.is_some())
    };
    Ok(Page {
        items,
        has_next,
        has_previous,
        total,
    })
}

/// Replaces the employees a complaint is about.
async fn set_involved_staff<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    staff: &[Uuid],
) -> Result<(), StoreError> {
    use crate::entity::ticket_involved_staff as involved;
    involved::Entity::delete_many()
        .filter(involved::Column::TicketId.eq(ticket_id))
        .exec(db)
        .await?;
    insert_involved_staff(db, ticket_id, staff).await
}

/// Names the employees a new complaint is about (it names none yet: nothing to replace).
async fn insert_involved_staff<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    staff: &[Uuid],
) -> Result<(), StoreError> {
    use crate::entity::ticket_involved_staff as involved;
    if !staff.is_empty() {
        involved::Entity::insert_many(staff.iter().map(|user_id| involved::ActiveModel {
            ticket_id: Set(ticket_id),
            user_id: Set(*user_id),
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The employees each of the given complaints is about, as (ticket, person) pairs.
pub async fn involved_staff_of<C: ConnectionTrait>(
    db: &C,
    ticket_ids: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
    use crate::entity::ticket_involved_staff as involved;
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(involved::Entity::find()
        .filter(involved::Column::TicketId.is_in(ticket_ids.iter().copied()))
        .order_by_asc(involved::Column::TicketId)
        .order_by_asc(involved::Column::UserId)
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.ticket_id, r.user_id))
        .collect())
}

/// The message of a ticket's latest timeline entry of `kind` (e.g. the solution of its last
/// `RESOLVED`), if any.
pub async fn latest_message<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    kind: &str,
) -> Result<Option<String>, StoreError> {
    Ok(TicketEvent::find()
        .filter(ticket_event::Column::TicketId.eq(ticket_id))
        .filter(ticket_event::Column::Kind.eq(kind))
        .order_by_desc(ticket_event::Column::At)
        .order_by_desc(ticket_event::Column::Id)
        .one(db)
        .await?
        .and_then(|e| e.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_missing_due_time_literal_is_how_sqlite_stores_that_instant() {
        // SQLite keeps times as the text sqlx writes (RFC 3339, fractions only when present):
        // a cursor at a ticket without a due time binds this text and must equal the literal.
        assert_eq!(
            no_due_time().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
            NO_DUE_TIME
        );
        assert_eq!(
            DateTime::parse_from_rfc3339(NO_DUE_TIME).map(|t| t.with_timezone(&Utc)),
            Ok(no_due_time())
        );
    }
}
