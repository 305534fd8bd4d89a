//! Ticket queries and mutations.

use super::types::*;
use crate::app::tickets::{
    self as uc, ContactInput, CorrectiveActionRequest, NewTicketRequest, OrderField, TicketCursor,
    TicketOrder as Order, TicketPageRequest, cursor_of,
};
use crate::app::{AppError, AppResult};
use crate::graphql::connection::{
    decode_keyed_cursor, encode_keyed_cursor, list_cost, page_window,
};
use crate::graphql::{Can, actor, app, found_id, input_id, optional_id};
use async_graphql::{Context, ID, Object};
use careline_domain::Action;
use careline_domain::ticket::{self as rules, AttachmentInput as DomainAttachment, Command};
use uuid::Uuid;

fn ticket_id(id: &ID) -> AppResult<Uuid> {
    found_id(id, "ticket")
}

fn field_tag(f: OrderField) -> &'static str {
    match f {
        OrderField::CreatedAt => "c",
        OrderField::UpdatedAt => "u",
        OrderField::Priority => "p",
        OrderField::DueAt => "d",
    }
}

fn encode_ticket_cursor(field: OrderField, c: TicketCursor) -> String {
    encode_keyed_cursor(field_tag(field), &format!("{}:{}", c.key, c.id))
}

/// A cursor is only valid for the sort order it came from.
fn decode_ticket_cursor(field: OrderField, cursor: &str, arg: &str) -> AppResult<TicketCursor> {
    let bad = || AppError::bad_input(arg, "not a cursor from this list and order");
    let position = decode_keyed_cursor(field_tag(field), cursor, arg)?;
    let (key, id) = position.split_once(':').ok_or_else(bad)?;
    Ok(TicketCursor {
        key: key.parse().map_err(|_| bad())?,
        id: Uuid::parse_str(id).map_err(|_| bad())?,
    })
}

fn spellings<T: Copy, D: Into<&'static str>>(
    values: &Option<Vec<T>>,
    f: impl Fn(T) -> D,
) -> Vec<String> {
    let mut spelled: Vec<String> = values
        .iter()
        .flatten()
        .map(|v| f(*v).into().to_owned())
        .collect();
    // Repeats change nothing: a filter holds each value of its enum at most once.
    spelled.sort_unstable();
    spelled.dedup();
    spelled
}

/// Queries about tickets.
#[derive(Default)]
pub struct TicketQuery;

#[Object]
impl TicketQuery {
    /// One ticket. One the caller may not read is `NOT_FOUND`, like one that does not exist.
    #[graphql(guard = "Can(Action::ReadTickets)")]
    async fn ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
    ) -> AppResult<Option<Ticket>> {
        let found = uc::get(app(ctx)?, actor(ctx)?, ticket_id(&id)?).await?;
        Ok(Some(Ticket(found)))
    }

    /// One ticket by its number, e.g. `T-20261122-000042`.
    #[graphql(guard = "Can(Action::ReadTickets)")]
    async fn ticket_by_number(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's number, e.g. `T-20261122-000042`.")] number: String,
    ) -> AppResult<Option<Ticket>> {
        let found = uc::get_by_number(app(ctx)?, actor(ctx)?, &number).await?;
        Ok(Some(Ticket(found)))
    }

    /// The tickets the caller may read (customers: their own; liaisons: their department's),
    /// filtered and sorted (default: newest first), with cursors both ways.
    #[graphql(
        guard = "Can(Action::ReadTickets)",
        complexity = "list_cost(first, last, child_complexity)"
    )]
    #[expect(clippy::too_many_arguments, reason = "the contract's paging arguments")]
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only tickets matching every given field; omitted: all the caller may read."
        )]
        filter: Option<TicketFilter>,
        #[graphql(desc = "Sort order; default: newest first (`CREATED_AT`, `DESC`).")]
        order_by: Option<TicketOrder>,
        #[graphql(
            desc = "Return at most this many tickets from the start (0 to 100; default 20 when neither `first` nor `last` is given). Not together with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Return the tickets after this cursor (from this list with the same `orderBy`)."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Return at most this many tickets from the end (0 to 100). Not together with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Return the tickets before this cursor (from this list with the same `orderBy`)."
        )]
        before: Option<String>,
    ) -> AppResult<TicketConnection> {
        let f = filter.unwrap_or_default();
        let order = order_by.map_or(
            Order {
                field: OrderField::CreatedAt,
                descending: true,
            },
            |o| Order {
                field: match o.field {
                    TicketOrderField::CreatedAt => OrderField::CreatedAt,
                    TicketOrderField::UpdatedAt => OrderField::UpdatedAt,
                    TicketOrderField::Priority => OrderField::Priority,
                    TicketOrderField::DueAt => OrderField::DueAt,
                },
                descending: o.direction == OrderDirection::Desc,
            },
        );
        let (limit, from_end) = page_window(first, last)?;
        let request = TicketPageRequest {
            after: after
                .map(|c| decode_ticket_cursor(order.field, &c, "after"))
                .transpose()?,
            before: before
                .map(|c| decode_ticket_cursor(order.field, &c, "before"))
                .transpose()?,
            limit,
            from_end,
            // Counting walks every matching ticket: only when the client asked for it.
            with_total: ctx.look_ahead().field("totalCount").exists(),
        };
        let store_filter = uc::TicketFilter {
            statuses: spellings(&f.status, |s| rules::TicketStatus::from(s).as_str()),
            kinds: spellings(&f.kind, |s| rules::TicketKind::from(s).as_str()),
            severities: spellings(&f.severity, |s| rules::Severity::from(s).as_str()),
            priorities: spellings(&f.priority, |s| rules::Priority::from(s).as_str()),
            channels: spellings(&f.channel, |s| rules::Channel::from(s).as_str()),
            categories: spellings(&f.category, |s| rules::ComplaintCategory::from(s).as_str()),
            assignee_id: optional_id(f.assignee_id.as_ref(), "filter.assigneeId")?,
            owner_id: optional_id(f.owner_id.as_ref(), "filter.ownerId")?,
            team_id: optional_id(f.team_id.as_ref(), "filter.teamId")?,
            department_id: optional_id(f.department_id.as_ref(), "filter.departmentId")?,
            unassigned: f.unassigned,
            breached: f.breached,
            escalated: f.escalated,
            created_from: f.created_from,
            created_to: f.created_to,
            search: f.search,
        };
        let page = uc::list(app(ctx)?, actor(ctx)?, &store_filter, order, request).await?;
        let field = order.field;
        Ok(TicketConnection::from_page(
            page,
            |m| encode_ticket_cursor(field, cursor_of(m, field)),
            Ticket,
        ))
    }

    /// Corrective actions, newest first (at most 100), optionally by status. Staff only;
    /// liaisons see their own department's.
    #[graphql(
        guard = "Can(Action::ReadCorrectiveActions)",
        complexity = "100 * child_complexity"
    )]
    async fn corrective_actions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only corrective actions in this status; omitted: any status.")]
        status: Option<CorrectiveActionStatus>,
    ) -> AppResult<Vec<CorrectiveAction>> {
        let status = status.map(rules::CorrectiveActionStatus::from);
        let rows = uc::corrective_actions(app(ctx)?, actor(ctx)?, status).await?;
        Ok(rows.into_iter().map(CorrectiveAction).collect())
    }

    /// Corrective actions past their due time and still open, longest overdue first, at most
    /// 200 (supervisors, managers and admins).
    #[graphql(
        guard = "Can(Action::ReadOverdueCorrectiveActions)",
        complexity = "200 * child_complexity"
    )]
    async fn overdue_corrective_actions(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Vec<CorrectiveAction>> {
        let rows = crate::app::corrective::overdue(app(ctx)?, actor(ctx)?).await?;
        Ok(rows.into_iter().map(CorrectiveAction).collect())
    }
}

/// Changes to tickets. Every state-changing mutation takes `expectedVersion`; the write is
/// conditional on it, so a stale view is `CONFLICT`, never a silent overwrite.
#[derive(Default)]
pub struct TicketMutation;

async fn run(
    ctx: &Context<'_>,
    id: &ID,
    expected_version: Option<i32>,
    cmd: Command,
) -> AppResult<uc::Applied> {
    uc::command(
        app(ctx)?,
        actor(ctx)?,
        ticket_id(id)?,
        expected_version,
        cmd,
    )
    .await
}

fn first_event(applied: uc::Applied) -> AppResult<TicketEvent> {
    applied
        .events
        .into_iter()
        .next()
        .map(TicketEvent)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("change without event"), "ticket event"))
}

/// The domain's intake input from the GraphQL one (ids parsed, enums mapped).
pub(crate) fn new_ticket_request(input: CreateTicketInput) -> AppResult<NewTicketRequest> {
    let praised_employee_id = optional_id(
        input.praised_employee_id.as_ref(),
        "input.praisedEmployeeId",
    )?;
    let praised_team_id = optional_id(input.praised_team_id.as_ref(), "input.praisedTeamId")?;
    let praised_department_id = optional_id(
        input.praised_department_id.as_ref(),
        "input.praisedDepartmentId",
    )?;
    let team_id = optional_id(input.team_id.as_ref(), "input.teamId")?;
    let involved_staff = input
        .involved_staff_ids
        .iter()
        .flatten()
        .map(|id| input_id(id, "input.involvedStaffIds"))
        .collect::<AppResult<Vec<_>>>()?;
    let file_ids = input
        .file_ids
        .iter()
        .flatten()
        .map(|id| input_id(id, "input.fileIds"))
        .collect::<AppResult<Vec<_>>>()?;
    let attachments = input
        .attachments
        .unwrap_or_default()
        .into_iter()
        .map(|a| DomainAttachment {
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: i64::from(a.size_bytes),
            uri: a.uri,
        })
        .collect();
    Ok(NewTicketRequest {
        intake: rules::NewTicketInput {
            kind: input.kind.into(),
            channel: input.channel.into(),
            subject: input.subject,
            description: input.description,
            category: input.category.map(Into::into),
            severity: input.severity.map(Into::into),
            priority: input.priority.map(Into::into),
            demand: input.demand,
            location: input.location,
            order_number: input.order_number,
            product_name: input.product_name,
            attachments,
            praised_employee_id,
            praised_team_id,
            praised_department_id,
        },
        customer: input.customer.map(|c| ContactInput {
            name: c.name,
            phone: c.phone,
            email: c.email,
        }),
        team_id,
        occurred_at: input.occurred_at,
        involved_staff,
        parent_id: None,
        file_ids,
    })
}

#[Object]
impl TicketMutation {
    /// Registers a ticket. Staff name the customer and become its first-contact owner; a
    /// signed-in customer is the customer.
    #[graphql(guard = "Can(Action::CreateTicket)")]
    async fn create_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new ticket.")] input: CreateTicketInput,
    ) -> AppResult<Ticket> {
        let request = new_ticket_request(input)?;
        let created = uc::create(app(ctx)?, &actor(ctx)?.user, request).await?;
        Ok(Ticket(created.ticket))
    }

    /// The first response (`NEW` → `OPEN`); the responder becomes owner if nobody is yet.
    #[graphql(guard = "Can(Action::AcknowledgeTicket)")]
    async fn acknowledge_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "A first message to the customer, at most 10,000 characters.")]
        message: Option<String>,
        #[graphql(
            desc = "The `version` the caller last saw; a stale one is `CONFLICT`. Without it the write is still conditional on the version just read."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<Ticket> {
        let cmd = Command::Acknowledge { message };
        Ok(Ticket(run(ctx, &id, expected_version, cmd).await?.ticket))
    }

    /// Gives the ticket to an active staff member (team leads).
    #[graphql(guard = "Can(Action::AssignTicket)")]
    async fn assign_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "The active staff member to give it to.")] assignee_id: ID,
        #[graphql(
            desc = "The `version` the caller last saw; a stale one is `CONFLICT`. Without it the write is still conditional on the version just read."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<Ticket> {
        let assignee = input_id(&assignee_id, "assigneeId")?;
        let id = ticket_id(&id)?;
        let assigned = uc::assign(app(ctx)?, actor(ctx)?, id, assignee, expected_version).await?;
        Ok(Ticket(assigned))
    }

    /// Takes an unassigned ticket for oneself. Of two simultaneous claims exactly one wins.
    #[graphql(guard = "Can(Action::ClaimTicket)")]
    async fn claim_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(
            desc = "The `version` the caller last saw; a stale one is `CONFLICT`. Without it the write is still conditional on the version just read."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<Ticket> {
        let id = ticket_id(&id)?;
        let claimed = uc::claim(app(ctx)?, actor(ctx)?, id, expected_version).await?;
        Ok(Ticket(claimed))
    }

    /// Sends the ticket to a responsible department (`→ PENDING_DEPARTMENT`); the owner stays.
    #[graphql(guard = "Can(Action::DispatchTicket)")]
    async fn dispatch_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(
            desc = "The responsible department; its task is due one of the department's usual working days later."
        )]
        department_id: ID,
        #[graphql(
            desc = "What the department should look into (internal), at most 10,000 characters."
        )]
        instructions: Option<String>,
        #[graphql(
            desc = "The `version` the caller last saw; a stale one is `CONFLICT`. Without it the write is still conditional on the version just read."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<Ticket> {
        let department = input_id(&department_id, "departmentId")?;
        let id = ticket_id(&id)?;
        // One department with its standard deadline.
        let task = careline_domain::ticket::TaskRequest {
            department_id: department,
            instructions,
            minutes: None,
        };
        let dispatched = crate::app::casework::dispatch_to_departments(
            app(ctx)?,
            actor(ctx)?,
            id,
            vec![task],
            expected_version,
        )
        .await?;
        Ok(Ticket(dispatched))
    }

    /// The department hands the ticket back to its owner with its findings
    /// (`PENDING_DEPARTMENT` → `OPEN`).
    #[graphql(guard = "Can(Action::AddInternalNote)")]
    async fn return_ticket_from_department(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "What the department found (internal), 1 to 10,000 characters.")]
        findings: String,
        #[graphql(
            desc = "The `version` the caller last saw; a stale one is `CONFLICT`. Without it the write is still conditional on the version just read."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<Ticket> {
        let cmd = Command::HandBack { findings };
        Ok(Ticket(run(ctx, &id, expected_version, cmd).await?.ticket))
    }

    /// Hands first-contact ownership to another staff member (team leads).
    #[graphql(guard = "Can(Action::TransferOwnership)")]
    async fn transfer_ticket_ownership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "The staff member who becomes the first-contact owner.")] to_user_id: ID,
        #[graphql(
            desc = "The `version` the caller last saw; a stale one is `CONFLICT`. Without it the write is still conditional on the version just read."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<Ticket> {
        let to = input_id(&to_user_id, "toUserId")?;
        let id = ticket_id(&id)?;
        let (app, actor) = (app(ctx)?, actor(ctx)?);
        let moved = uc::transfer_ownership(app, actor, id, to, expected_version).await?;
        Ok(Ticket(moved))
    }

    /// Adds an internal note; never shown to customers.
    #[graphql(guard = "Can(Action::AddInternalNote)")]
    async fn add_ticket_note(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "The note, 1 to 10,000 characters; never shown to customers.")]
        body: String,
    ) -> AppResult<TicketEvent> {
        first_event(run(ctx, &id, None, Command::AddNote { body }).await?)
    }

    /// Writes to the customer on the timeline.
    #[graphql(guard = "Can(Action::ReplyToCustomer)")]
    async fn reply_to_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "The message to the customer, 1 to 10,000 characters.")] body: String,
    ) -> AppResult<TicketEvent> {
        first_event(
            run(
                ctx,
                &id,
                None,
                Command::ReplyToCustomer {
                    body,
                    wait_for_customer: false,
                },
            )
            .await?,
        )
    }

    /// Moves the ticket between `OPEN` and `PENDING_CUSTOMER`.
    #[graphql(guard = "Can(Action::WorkTicket)")]
    async fn set_ticket_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "`OPEN` or `PENDING_CUSTOMER`; any other move is `INVALID_TRANSITION`.")]
        status: TicketStatus,
        #[graphql(
            desc = "The `version` the caller last saw; a stale one is `CONFLICT`. Without it the write is still conditional on the version just read."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<Ticket> {
        let cmd = Command::SetStatus { to: status.into() };
        Ok(Ticket(run(ctx, &id, expected_version, cmd).await?.ticket))
    }

    /// Tells the customer the solution (`→ RESOLVED`).
    #[graphql(guard = "Can(Action::WorkTicket)")]
    async fn resolve_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "The solution, shown to the customer; 1 to 10,000 characters.")]
        solution: String,
        #[graphql(
            desc = "The `version` the caller last saw; a stale one is `CONFLICT`. Without it the write is still conditional on the version just read."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<Ticket> {
        let cmd = Command::Resolve { solution };
        Ok(Ticket(run(ctx, &id, expected_version, cmd).await?.ticket))
    }

    /// Reopens a resolved or closed ticket with a reason.
    #[graphql(guard = "Can(Action::ReopenTicket)")]
    async fn reopen_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "Why, shown on the timeline; 1 to 10,000 characters.")] reason: String,
    ) -> AppResult<Ticket> {
        let cmd = Command::Reopen { reason };
        Ok(Ticket(run(ctx, &id, None, cmd).await?.ticket))
    }

    /// Records the follow-up visit after a resolution.
    #[graphql(guard = "Can(Action::RecordFollowUp)")]
    async fn record_follow_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "The visit.")] input: FollowUpInput,
    ) -> AppResult<Ticket> {
        let id = ticket_id(&id)?;
        let (app, actor) = (app(ctx)?, actor(ctx)?);
        let method = input.method.into();
        let satisfied = input.customer_satisfied;
        let recorded =
            uc::record_follow_up(app, actor, id, method, &input.outcome, satisfied).await?;
        Ok(Ticket(recorded))
    }

    /// Closes a resolved ticket (complaints only after a follow-up visit).
    #[graphql(guard = "Can(Action::WorkTicket)")]
    async fn close_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(
            desc = "The `version` the caller last saw; a stale one is `CONFLICT`. Without it the write is still conditional on the version just read."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<Ticket> {
        Ok(Ticket(
            run(ctx, &id, expected_version, Command::Close)
                .await?
                .ticket,
        ))
    }

    /// Rates the service 1–5, once per resolution: the ticket's customer, or staff recording it
    /// during a follow-up call.
    #[graphql(guard = "Can(Action::RateTicket)")]
    async fn rate_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "1 (worst) to 5 (best).")] rating: i32,
        #[graphql(desc = "The customer's comment, optional, at most 2,000 characters.")]
        comment: Option<String>,
    ) -> AppResult<Ticket> {
        let id = ticket_id(&id)?;
        let rated = uc::rate(app(ctx)?, actor(ctx)?, id, rating, comment.as_deref()).await?;
        Ok(Ticket(rated))
    }

    /// Tracks whether a suggestion is adopted.
    #[graphql(guard = "Can(Action::SetSuggestionStatus)")]
    async fn set_suggestion_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The suggestion ticket's id.")] id: ID,
        #[graphql(desc = "The new adoption status.")] status: SuggestionStatus,
    ) -> AppResult<Ticket> {
        let cmd = Command::SetSuggestionStatus { to: status.into() };
        Ok(Ticket(run(ctx, &id, None, cmd).await?.ticket))
    }

    /// Names the employees a complaint is about (its owner, or a team lead); replaces the list.
    #[graphql(guard = "Can(Action::SetInvolvedStaff)")]
    async fn set_involved_staff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The complaint's id.")] ticket_id: ID,
        #[graphql(desc = "The active staff members it is about, at most 20; replaces the list.")]
        user_ids: Vec<ID>,
    ) -> AppResult<Ticket> {
        let id = found_id(&ticket_id, "ticket")?;
        let staff = user_ids
            .iter()
            .map(|u| input_id(u, "userIds"))
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Ticket(
            uc::set_involved_staff(app(ctx)?, actor(ctx)?, id, &staff).await?,
        ))
    }

    /// Records a complaint's verdict and root cause (leads; never an employee it names). A
    /// complaint closes only with one; revising it needs a `reason`.
    #[graphql(guard = "Can(Action::RecordComplaintVerdict)")]
    async fn record_complaint_verdict(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The complaint's id.")] ticket_id: ID,
        #[graphql(desc = "`JUSTIFIED` or `UNJUSTIFIED`.")] verdict: ComplaintVerdict,
        #[graphql(desc = "What caused the complaint (分析原因).")] root_cause: String,
        #[graphql(
            desc = "Why an earlier verdict is revised; required then, ignored the first time."
        )]
        reason: Option<String>,
        #[graphql(
            desc = "The business department responsible (a product or process fault with nobody at fault), instead of or beside the employees involved; a JUSTIFIED verdict names one or the other. Omitted: the one recorded before stays."
        )]
        responsible_department_id: Option<ID>,
    ) -> AppResult<Ticket> {
        let department = optional_id(
            responsible_department_id.as_ref(),
            "responsibleDepartmentId",
        )?;
        let id = found_id(&ticket_id, "ticket")?;
        let (app, actor) = (app(ctx)?, actor(ctx)?);
        let recorded = uc::record_verdict(
            app,
            actor,
            id,
            verdict.into(),
            root_cause,
            reason,
            department,
        )
        .await?;
        Ok(Ticket(recorded))
    }

    /// Links complaints to a department's fix.
    #[graphql(guard = "Can(Action::ManageCorrectiveActions)")]
    async fn create_corrective_action(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new corrective action.")] input: CorrectiveActionInput,
    ) -> AppResult<CorrectiveAction> {
        let department_id = input_id(&input.department_id, "input.departmentId")?;
        let ticket_ids = input
            .ticket_ids
            .iter()
            .map(|id| input_id(id, "input.ticketIds"))
            .collect::<AppResult<Vec<Uuid>>>()?;
        let request = CorrectiveActionRequest {
            description: input.description,
            department_id,
            ticket_ids,
            due_at: input.due_at,
        };
        let created = uc::create_corrective_action(app(ctx)?, actor(ctx)?, request).await?;
        Ok(CorrectiveAction(created))
    }

    /// Moves a corrective action `OPEN` → `DONE` → `VERIFIED` (verified by a team lead).
    #[graphql(guard = "Can(Action::ManageCorrectiveActions)")]
    async fn set_corrective_action_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The corrective action's id.")] id: ID,
        #[graphql(desc = "The next step: `DONE` after `OPEN`, `VERIFIED` after `DONE`.")]
        status: CorrectiveActionStatus,
    ) -> AppResult<CorrectiveAction> {
        let id = found_id(&id, "corrective action")?;
        let to = rules::CorrectiveActionStatus::from(status);
        let updated = uc::set_corrective_action_status(app(ctx)?, actor(ctx)?, id, to).await?;
        Ok(CorrectiveAction(updated))
    }
}
