//! Ticket queries and mutations.

use super::service::{self, domain_viewer, load_readable, load_readable_by_number, require_worker};
use super::types::*;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{DEFAULT_PAGE, list_cost};
use crate::graphql::{Can, MAX_PAGE, input_id, parse_id, state, text, viewer};
use async_graphql::{Context, ID, Object};
use base64::Engine;
use careline_domain::Action;
use careline_domain::ticket::{
    self as rules, Command, MAX_TEXT_CHARS, ReadScope, corrective_action_transition, read_scope,
};
use careline_persistence::corrective_actions::{self, NewCorrectiveAction};
use careline_persistence::tickets::{self, Extra, OrderField, TicketCursor, TicketPageRequest};
use careline_persistence::{org, tickets::TicketOrder as StoreOrder};
use uuid::Uuid;

fn ticket_id(id: &ID) -> ApiResult<Uuid> {
    parse_id(id).ok_or_else(|| ApiError::NotFound("ticket not found".to_owned()))
}

fn field_tag(f: OrderField) -> char {
    match f {
        OrderField::CreatedAt => 'c',
        OrderField::UpdatedAt => 'u',
        OrderField::Priority => 'p',
        OrderField::DueAt => 'd',
    }
}

fn encode_ticket_cursor(field: OrderField, c: TicketCursor) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        "{}:{}:{}",
        field_tag(field),
        c.key,
        c.id
    ))
}

/// A cursor is only valid for the sort order it came from.
fn decode_ticket_cursor(field: OrderField, cursor: &str, arg: &str) -> ApiResult<TicketCursor> {
    let bad = || ApiError::bad_input(arg, "not a cursor from this list and order");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.splitn(3, ':');
    let (Some(tag), Some(key), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    if tag.len() != 1 || !tag.starts_with(field_tag(field)) {
        return Err(bad());
    }
    Ok(TicketCursor {
        key: key.parse().map_err(|_| bad())?,
        id: Uuid::parse_str(id).map_err(|_| bad())?,
    })
}

fn optional_id(id: &Option<ID>, field: &str) -> ApiResult<Option<Uuid>> {
    id.as_ref().map(|i| input_id(i, field)).transpose()
}

fn spellings<T: Copy, D: Into<&'static str>>(
    values: &Option<Vec<T>>,
    f: impl Fn(T) -> D,
) -> Vec<String> {
    values
        .iter()
        .flatten()
        .map(|v| f(*v).into().to_owned())
        .collect()
}

/// Queries about tickets.
#[derive(Default)]
pub struct TicketQuery;

#[Object]
impl TicketQuery {
    /// One ticket. One the caller may not read is `NOT_FOUND`, like one that does not exist.
    #[graphql(guard = "Can(Action::ReadTickets)")]
    async fn ticket(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Ticket>> {
        let v = domain_viewer(viewer(ctx)?);
        let (loaded, _) = load_readable(&state(ctx)?.db, &v, ticket_id(&id)?).await?;
        Ok(Some(Ticket(loaded.ticket)))
    }

    /// One ticket by its number, e.g. `T-20261122-000042`.
    #[graphql(guard = "Can(Action::ReadTickets)")]
    async fn ticket_by_number(
        &self,
        ctx: &Context<'_>,
        number: String,
    ) -> ApiResult<Option<Ticket>> {
        let v = domain_viewer(viewer(ctx)?);
        let (loaded, _) = load_readable_by_number(&state(ctx)?.db, &v, &number).await?;
        Ok(Some(Ticket(loaded.ticket)))
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
        filter: Option<TicketFilter>,
        order_by: Option<TicketOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<TicketConnection> {
        let v = domain_viewer(viewer(ctx)?);
        let f = filter.unwrap_or_default();
        let order = order_by.map_or(
            StoreOrder {
                field: OrderField::CreatedAt,
                descending: true,
            },
            |o| StoreOrder {
                field: match o.field {
                    TicketOrderField::CreatedAt => OrderField::CreatedAt,
                    TicketOrderField::UpdatedAt => OrderField::UpdatedAt,
                    TicketOrderField::Priority => OrderField::Priority,
                    TicketOrderField::DueAt => OrderField::DueAt,
                },
                descending: o.direction == OrderDirection::Desc,
            },
        );
        for (name, value) in [("first", first), ("last", last)] {
            if let Some(n) = value
                && !(0..=MAX_PAGE).contains(&n)
            {
                return Err(ApiError::bad_input(
                    name,
                    format!("must be between 0 and {MAX_PAGE}"),
                ));
            }
        }
        if first.is_some() && last.is_some() {
            return Err(ApiError::bad_input(
                "last",
                "pass either first or last, not both",
            ));
        }
        if let Some(s) = &f.search
            && s.chars().count() > 200
        {
            return Err(ApiError::bad_input(
                "filter.search",
                "must be at most 200 characters",
            ));
        }
        let request = TicketPageRequest {
            after: after
                .map(|c| decode_ticket_cursor(order.field, &c, "after"))
                .transpose()?,
            before: before
                .map(|c| decode_ticket_cursor(order.field, &c, "before"))
                .transpose()?,
            limit: u64::try_from(last.or(first).unwrap_or(DEFAULT_PAGE)).unwrap_or(0),
            from_end: last.is_some(),
        };
        let store_filter = tickets::TicketFilter {
            statuses: spellings(&f.status, |s| rules::TicketStatus::from(s).as_str()),
            kinds: spellings(&f.kind, |s| rules::TicketKind::from(s).as_str()),
            severities: spellings(&f.severity, |s| rules::Severity::from(s).as_str()),
            priorities: spellings(&f.priority, |s| rules::Priority::from(s).as_str()),
            channels: spellings(&f.channel, |s| rules::Channel::from(s).as_str()),
            categories: spellings(&f.category, |s| rules::ComplaintCategory::from(s).as_str()),
            assignee_id: optional_id(&f.assignee_id, "filter.assigneeId")?,
            owner_id: optional_id(&f.owner_id, "filter.ownerId")?,
            team_id: optional_id(&f.team_id, "filter.teamId")?,
            department_id: optional_id(&f.department_id, "filter.departmentId")?,
            unassigned: f.unassigned,
            breached: f.breached,
            escalated: f.escalated,
            created_from: f.created_from,
            created_to: f.created_to,
            search: f.search,
        };
        let page = tickets::list(
            &state(ctx)?.db,
            read_scope(&v),
            &store_filter,
            order,
            request,
        )
        .await?;
        let field = order.field;
        Ok(TicketConnection::from_page(
            page,
            |m| encode_ticket_cursor(field, tickets::cursor_of(m, field)),
            Ticket,
        ))
    }

    /// Corrective actions, newest first (at most 100), optionally by status. Staff only;
    /// liaisons see their own department's.
    #[graphql(
        guard = "Can(Action::ReadTickets)",
        complexity = "100 * child_complexity"
    )]
    async fn corrective_actions(
        &self,
        ctx: &Context<'_>,
        status: Option<CorrectiveActionStatus>,
    ) -> ApiResult<Vec<CorrectiveAction>> {
        let caller = viewer(ctx)?;
        if !caller.is_staff() {
            return Err(ApiError::Forbidden(
                "corrective actions are for staff".to_owned(),
            ));
        }
        let department = match read_scope(&domain_viewer(caller)) {
            ReadScope::All => None,
            ReadScope::Department(d) => Some(d),
            ReadScope::CustomerAccount(_) | ReadScope::Nothing => return Ok(Vec::new()),
        };
        let status = status.map(|s| rules::CorrectiveActionStatus::from(s).as_str());
        let rows = corrective_actions::list(&state(ctx)?.db, status, department, 100).await?;
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
    extra: Extra,
) -> ApiResult<tickets::Applied> {
    let v = domain_viewer(viewer(ctx)?);
    let state = state(ctx)?;
    let applied = service::run(
        &state.db,
        &v,
        ticket_id(id)?,
        expected_version,
        cmd,
        extra,
        state.clock.now(),
    )
    .await?;
    // The change and its events are committed: wake the relay to publish them now.
    state.outbox_signal.notify_one();
    Ok(applied)
}

fn first_event(applied: tickets::Applied) -> ApiResult<TicketEvent> {
    applied
        .events
        .into_iter()
        .next()
        .map(TicketEvent)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("change without event"), "ticket event"))
}

#[Object]
impl TicketMutation {
    /// Registers a ticket. Staff name the customer and become its first-contact owner; a
    /// signed-in customer is the customer.
    #[graphql(guard = "Can(Action::CreateTicket)")]
    async fn create_ticket(
        &self,
        ctx: &Context<'_>,
        input: CreateTicketInput,
    ) -> ApiResult<Ticket> {
        let caller = viewer(ctx)?;
        let state = state(ctx)?;
        let created = service::create(&state.db, &caller.user, input, state.clock.now()).await?;
        state.outbox_signal.notify_one();
        Ok(Ticket(created.ticket))
    }

    /// The first response (`NEW` → `OPEN`); the responder becomes owner if nobody is yet.
    #[graphql(guard = "Can(Action::AcknowledgeTicket)")]
    async fn acknowledge_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        message: Option<String>,
        expected_version: Option<i32>,
    ) -> ApiResult<Ticket> {
        let applied = run(
            ctx,
            &id,
            expected_version,
            Command::Acknowledge { message },
            Extra::None,
        )
        .await?;
        Ok(Ticket(applied.ticket))
    }

    /// Gives the ticket to an active staff member (team leads).
    #[graphql(guard = "Can(Action::AssignTicket)")]
    async fn assign_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        assignee_id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<Ticket> {
        let assignee = input_id(&assignee_id, "assigneeId")?;
        require_worker(&state(ctx)?.db, assignee, "assigneeId").await?;
        let cmd = Command::Assign {
            assignee_id: assignee,
        };
        Ok(Ticket(
            run(ctx, &id, expected_version, cmd, Extra::None)
                .await?
                .ticket,
        ))
    }

    /// Takes an unassigned ticket for oneself. Of two simultaneous claims exactly one wins.
    #[graphql(guard = "Can(Action::ClaimTicket)")]
    async fn claim_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<Ticket> {
        let caller = viewer(ctx)?;
        crate::graphql::sla::require_spare_capacity(&state(ctx)?.db, &caller.user).await?;
        Ok(Ticket(
            run(ctx, &id, expected_version, Command::Claim, Extra::None)
                .await?
                .ticket,
        ))
    }

    /// Sends the ticket to a responsible department (`→ PENDING_DEPARTMENT`); the owner stays.
    #[graphql(guard = "Can(Action::DispatchTicket)")]
    async fn dispatch_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        department_id: ID,
        instructions: Option<String>,
        expected_version: Option<i32>,
    ) -> ApiResult<Ticket> {
        let department = input_id(&department_id, "departmentId")?;
        org::department(&state(ctx)?.db, department)
            .await?
            .ok_or_else(|| ApiError::bad_input("departmentId", "no such department"))?;
        let cmd = Command::Dispatch {
            department_id: department,
            instructions,
        };
        Ok(Ticket(
            run(ctx, &id, expected_version, cmd, Extra::None)
                .await?
                .ticket,
        ))
    }

    /// The department hands the ticket back to its owner with its findings
    /// (`PENDING_DEPARTMENT` → `OPEN`).
    #[graphql(guard = "Can(Action::AddInternalNote)")]
    async fn return_ticket_from_department(
        &self,
        ctx: &Context<'_>,
        id: ID,
        findings: String,
        expected_version: Option<i32>,
    ) -> ApiResult<Ticket> {
        let cmd = Command::HandBack { findings };
        Ok(Ticket(
            run(ctx, &id, expected_version, cmd, Extra::None)
                .await?
                .ticket,
        ))
    }

    /// Hands first-contact ownership to another staff member (team leads).
    #[graphql(guard = "Can(Action::TransferOwnership)")]
    async fn transfer_ticket_ownership(
        &self,
        ctx: &Context<'_>,
        id: ID,
        to_user_id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<Ticket> {
        let to = input_id(&to_user_id, "toUserId")?;
        require_worker(&state(ctx)?.db, to, "toUserId").await?;
        let cmd = Command::TransferOwnership { to };
        Ok(Ticket(
            run(ctx, &id, expected_version, cmd, Extra::None)
                .await?
                .ticket,
        ))
    }

    /// Adds an internal note; never shown to customers.
    #[graphql(guard = "Can(Action::AddInternalNote)")]
    async fn add_ticket_note(
        &self,
        ctx: &Context<'_>,
        id: ID,
        body: String,
    ) -> ApiResult<TicketEvent> {
        first_event(run(ctx, &id, None, Command::AddNote { body }, Extra::None).await?)
    }

    /// Writes to the customer on the timeline.
    #[graphql(guard = "Can(Action::ReplyToCustomer)")]
    async fn reply_to_customer(
        &self,
        ctx: &Context<'_>,
        id: ID,
        body: String,
    ) -> ApiResult<TicketEvent> {
        first_event(
            run(
                ctx,
                &id,
                None,
                Command::ReplyToCustomer { body },
                Extra::None,
            )
            .await?,
        )
    }

    /// Moves the ticket between `OPEN` and `PENDING_CUSTOMER`.
    #[graphql(guard = "Can(Action::WorkTicket)")]
    async fn set_ticket_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: TicketStatus,
        expected_version: Option<i32>,
    ) -> ApiResult<Ticket> {
        let cmd = Command::SetStatus { to: status.into() };
        Ok(Ticket(
            run(ctx, &id, expected_version, cmd, Extra::None)
                .await?
                .ticket,
        ))
    }

    /// Tells the customer the solution (`→ RESOLVED`).
    #[graphql(guard = "Can(Action::WorkTicket)")]
    async fn resolve_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        solution: String,
        expected_version: Option<i32>,
    ) -> ApiResult<Ticket> {
        let cmd = Command::Resolve { solution };
        Ok(Ticket(
            run(ctx, &id, expected_version, cmd, Extra::None)
                .await?
                .ticket,
        ))
    }

    /// Reopens a resolved or closed ticket with a reason.
    #[graphql(guard = "Can(Action::ReopenTicket)")]
    async fn reopen_ticket(&self, ctx: &Context<'_>, id: ID, reason: String) -> ApiResult<Ticket> {
        Ok(Ticket(
            run(ctx, &id, None, Command::Reopen { reason }, Extra::None)
                .await?
                .ticket,
        ))
    }

    /// Records the follow-up visit after a resolution.
    #[graphql(guard = "Can(Action::RecordFollowUp)")]
    async fn record_follow_up(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: FollowUpInput,
    ) -> ApiResult<Ticket> {
        let outcome = text(&input.outcome, "input.outcome", MAX_TEXT_CHARS)?;
        let cmd = Command::RecordFollowUp {
            customer_satisfied: input.customer_satisfied,
        };
        let extra = Extra::FollowUp {
            method: input.method.into(),
            outcome,
            customer_satisfied: input.customer_satisfied,
        };
        Ok(Ticket(run(ctx, &id, None, cmd, extra).await?.ticket))
    }

    /// Closes a resolved ticket (complaints only after a follow-up visit).
    #[graphql(guard = "Can(Action::WorkTicket)")]
    async fn close_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<Ticket> {
        Ok(Ticket(
            run(ctx, &id, expected_version, Command::Close, Extra::None)
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
        id: ID,
        rating: i32,
        comment: Option<String>,
    ) -> ApiResult<Ticket> {
        let comment = match comment.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(text(c, "comment", 2_000)?),
        };
        let extra = Extra::Rating { rating, comment };
        Ok(Ticket(
            run(ctx, &id, None, Command::Rate { rating }, extra)
                .await?
                .ticket,
        ))
    }

    /// Tracks whether a suggestion is adopted.
    #[graphql(guard = "Can(Action::SetSuggestionStatus)")]
    async fn set_suggestion_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: SuggestionStatus,
    ) -> ApiResult<Ticket> {
        let cmd = Command::SetSuggestionStatus { to: status.into() };
        Ok(Ticket(run(ctx, &id, None, cmd, Extra::None).await?.ticket))
    }

    /// Links complaints to a department's fix.
    #[graphql(guard = "Can(Action::ManageCorrectiveActions)")]
    async fn create_corrective_action(
        &self,
        ctx: &Context<'_>,
        input: CorrectiveActionInput,
    ) -> ApiResult<CorrectiveAction> {
        let caller = viewer(ctx)?;
        let v = domain_viewer(caller);
        let db = &state(ctx)?.db;
        let description = text(&input.description, "input.description", MAX_TEXT_CHARS)?;
        let department_id = input_id(&input.department_id, "input.departmentId")?;
        org::department(db, department_id)
            .await?
            .ok_or_else(|| ApiError::bad_input("input.departmentId", "no such department"))?;
        if let ReadScope::Department(own) = read_scope(&v)
            && own != department_id
        {
            return Err(ApiError::bad_input(
                "input.departmentId",
                "liaisons create corrective actions for their own department",
            ));
        }
        if input.ticket_ids.is_empty() || input.ticket_ids.len() > MAX_PAGE as usize {
            return Err(ApiError::bad_input(
                "input.ticketIds",
                format!("name between 1 and {MAX_PAGE} complaints"),
            ));
        }
        let mut ticket_ids = Vec::with_capacity(input.ticket_ids.len());
        for id in &input.ticket_ids {
            let id = input_id(id, "input.ticketIds")?;
            let bad = || {
                ApiError::bad_input(
                    "input.ticketIds",
                    "every ticket must be a complaint you can read",
                )
            };
            let (loaded, _) = load_readable(db, &v, id).await.map_err(|_| bad())?;
            if loaded.ticket.kind != rules::TicketKind::Complaint.as_str() {
                return Err(bad());
            }
            ticket_ids.push(id);
        }
        let created = corrective_actions::create(
            db,
            NewCorrectiveAction {
                description,
                department_id,
                due_at: input.due_at,
                ticket_ids,
                created_by: caller.id(),
            },
        )
        .await?;
        Ok(CorrectiveAction(created))
    }

    /// Moves a corrective action `OPEN` → `DONE` → `VERIFIED` (verified by a team lead).
    #[graphql(guard = "Can(Action::ManageCorrectiveActions)")]
    async fn set_corrective_action_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: CorrectiveActionStatus,
    ) -> ApiResult<CorrectiveAction> {
        let caller = viewer(ctx)?;
        let v = domain_viewer(caller);
        let db = &state(ctx)?.db;
        let not_found = || ApiError::NotFound("corrective action not found".to_owned());
        let id = parse_id(&id).ok_or_else(not_found)?;
        let current = corrective_actions::find(db, id)
            .await?
            .ok_or_else(not_found)?;
        match read_scope(&v) {
            ReadScope::All => {}
            ReadScope::Department(d) if d == current.department_id => {}
            _ => return Err(not_found()),
        }
        let from = stored(
            rules::CorrectiveActionStatus::parse(&current.status),
            "corrective action status",
        )?;
        let to = rules::CorrectiveActionStatus::from(status);
        corrective_action_transition(from, to, v.roles)?;
        let verified_by = (to == rules::CorrectiveActionStatus::Verified).then_some(caller.id());
        let updated =
            corrective_actions::set_status(db, id, from.as_str(), to.as_str(), verified_by).await?;
        Ok(CorrectiveAction(updated))
    }
}
