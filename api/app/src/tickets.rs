//! Ticket use cases. Every change takes one path: load → may the caller read it? → is the
//! version still the one they saw? → the domain decides → storage writes the change and its
//! timeline under the version check, in one transaction → the relay is woken to publish. The
//! demo seed goes through here too, so its timelines are real.

use super::error::{AppError, AppResult};
use super::{Actor, App, text};
use careline_domain::contact::{Email, Phone};
use careline_domain::customer::{CustomerTier, with_tier_floor};
use careline_domain::sla::{Escalation, on_classification};
use careline_domain::ticket::{
    self as rules, Attachment, Command, CorrectiveActionStatus, EventDraft, FollowUpMethod,
    MAX_TEXT_CHARS, NewTicketInput, ReadScope, Record, SystemCommand, TicketEventKind, TicketFacts,
    Viewer, can_read, corrective_action_transition, decide, decide_system, effects, read_scope,
    validate_intake,
};
use careline_domain::{Action, permission};
use careline_persistence::corrective_actions::{self, NewCorrectiveAction};
use careline_persistence::customers::{self, CustomerSource};
use careline_persistence::entity::{corrective_action, ticket, ticket_event, user};
use careline_persistence::journal::{self, Announce, Append, Author, ResolutionFacts};
use careline_persistence::page::Page;
use careline_persistence::tickets::{self, Loaded, NewFollowUp, NewRating, NewTicket, TicketWrite};
use careline_persistence::{StoreError, department_tasks, org, users};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};
use uuid::Uuid;

pub use careline_persistence::tickets::{
    OrderField, TicketCursor, TicketFilter, TicketOrder, TicketPageRequest, cursor_of,
    involved_staff_of,
};

/// What a change produced.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The ticket after the change.
    pub ticket: ticket::Model,
    /// The timeline entries appended, in order.
    pub events: Vec<ticket_event::Model>,
}

/// Records that come with some changes, written in the same transaction.
#[derive(Debug, Clone)]
pub enum Extra {
    /// Nothing else.
    None,
    /// A follow-up visit.
    FollowUp {
        /// How the customer was reached.
        method: FollowUpMethod,
        /// What came of it.
        outcome: String,
        /// Whether the customer was satisfied.
        customer_satisfied: bool,
        /// Who calls an unsatisfied customer again (default: the ticket's owner).
        next_assignee: Option<Uuid>,
    },
    /// Evidence added to the ticket (already validated).
    Attachments(Vec<Attachment>),
    /// A satisfaction rating.
    Rating {
        /// 1 to 5 (already checked).
        rating: i32,
        /// Optional comment.
        comment: Option<String>,
    },
}

/// Who decides a change: a person's command, checked against what they may do, or something
/// the system does (on behalf of `actor`, when a person's action set it off).
#[derive(Debug, Clone)]
pub enum By<'a> {
    /// A person's command.
    Person(&'a Viewer, Command),
    /// The system's.
    System {
        /// What happens.
        command: SystemCommand,
        /// The person whose action set it off, if any (the timeline names them).
        actor: Option<Uuid>,
    },
}

/// Most complaints one corrective action may name.
pub const MAX_CORRECTIVE_TICKETS: usize = 100;

/// The domain's view of an account.
pub fn viewer_of(user: &user::Model) -> Viewer {
    Viewer {
        user_id: user.id,
        roles: user.role_set(),
        department_id: user.department_id,
    }
}

/// What the state machine needs to know about a stored ticket; `None` if a stored value is not
/// one the domain knows. The involved employees are not on the row: [`run_in`] adds them
/// before deciding a command (reading needs none of them).
pub fn facts(t: &ticket::Model, customer_user_id: Option<Uuid>) -> Option<TicketFacts> {
    Some(TicketFacts {
        status: rules::TicketStatus::parse(&t.status)?,
        kind: rules::TicketKind::parse(&t.kind)?,
        severity: t.severity.as_deref().and_then(rules::Severity::parse),
        category: t
            .category
            .as_deref()
            .and_then(rules::ComplaintCategory::parse),
        priority: rules::Priority::parse(&t.priority)?,
        reopen_count: t.reopen_count,
        owner_id: t.owner_id,
        assignee_id: t.assignee_id,
        department_id: t.department_id,
        customer_user_id,
        follow_up_since_resolution: t.follow_up_since_resolution,
        rated_since_resolution: t.rated_since_resolution,
        escalation_level: t.escalation_level,
        verdict: t
            .verdict
            .as_deref()
            .and_then(rules::ComplaintVerdict::parse),
        involved_staff: Vec::new(),
        disagreement_called_back: false,
        responsible_department_id: t.responsible_department_id,
        version: t.version,
    })
}

/// A stored value the domain must know; an unknown one is an internal error, not the caller's.
pub fn stored<T>(value: Option<T>, what: &'static str) -> AppResult<T> {
    value.ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown stored {what}"), what))
}

/// An optional stored value the domain must know: absent is `None`; present but unknown is an
/// internal error (logged where it becomes a GraphQL error), never a silent `None`.
pub fn stored_optional<T>(
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    what: &'static str,
) -> AppResult<Option<T>> {
    value.map(|v| stored(parse(v), what)).transpose()
}

fn not_found() -> AppError {
    AppError::NotFound("ticket not found".to_owned())
}

/// Loads a ticket the viewer may read. A ticket they may not read is reported exactly like one
/// that does not exist, so its existence does not leak.
pub async fn load_readable(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(Loaded, TicketFacts)> {
    load_readable_in(&app.db, viewer, id).await
}

/// [`load_readable`] on a given connection or transaction.
async fn load_readable_in<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(Loaded, TicketFacts)> {
    let loaded = tickets::find(db, id).await?.ok_or_else(not_found)?;
    match check_readable(loaded, viewer) {
        Err(AppError::NotFound(_)) if viewer.roles.is_staff() => {
            // Someone an escalation of the ticket was routed to (a working group member from
            // Legal, say) reads the ticket they were asked to take on; acting on it stays with
            // the ticket's own rules.
            if careline_persistence::routing::routed_on_ticket(db, id, viewer.user_id).await? {
                let loaded = tickets::find(db, id).await?.ok_or_else(not_found)?;
                let f = stored(
                    facts(&loaded.ticket, loaded.customer.user_id),
                    "ticket facts",
                )?;
                return Ok((loaded, f));
            }
            Err(not_found())
        }
        other => other,
    }
}

/// Like [`load_readable`], by ticket number.
pub async fn load_readable_by_number(
    app: &App,
    viewer: &Viewer,
    number: &str,
) -> AppResult<(Loaded, TicketFacts)> {
    let loaded = tickets::find_by_number(&app.db, number)
        .await?
        .ok_or_else(not_found)?;
    check_readable(loaded, viewer)
}

fn check_readable(loaded: Loaded, viewer: &Viewer) -> AppResult<(Loaded, TicketFacts)> {
    let f = stored(
        facts(&loaded.ticket, loaded.customer.user_id),
        "ticket facts",
    )?;
    if !can_read(&f, viewer) {
        return Err(not_found());
    }
    Ok((loaded, f))
}

/// One ticket the actor may read.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<ticket::Model> {
    Ok(load_readable(app, &viewer_of(&actor.user), id)
        .await?
        .0
        .ticket)
}

/// One ticket the actor may read, by number.
pub async fn get_by_number(app: &App, actor: &Actor, number: &str) -> AppResult<ticket::Model> {
    Ok(
        load_readable_by_number(app, &viewer_of(&actor.user), number)
            .await?
            .0
            .ticket,
    )
}

/// A page of the tickets the actor may read.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: &TicketFilter,
    order: TicketOrder,
    page: TicketPageRequest,
) -> AppResult<Page<ticket::Model>> {
    if let Some(s) = &filter.search
        && s.chars().count() > 200
    {
        return Err(AppError::bad_input(
            "filter.search",
            "must be at most 200 characters",
        ));
    }
    let scope = read_scope(&viewer_of(&actor.user));
    Ok(tickets::list(&app.db, scope, filter, order, page).await?)
}

/// Applies `cmd` to ticket `id` as `viewer`. With `expected_version` the caller's view must
/// still be current; without it the version just read is used. Either way the write is
/// conditional, so a concurrent change makes this `CONFLICT` rather than overwriting it.
pub async fn run(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    expected_version: Option<i32>,
    cmd: Command,
    extra: Extra,
) -> AppResult<Applied> {
    let applied = run_in(&app.db, viewer, id, expected_version, cmd, extra, app.now()).await?;
    app.committed();
    Ok(applied)
}

/// [`run`] on a given connection or inside the caller's transaction, at `at`; the caller wakes
/// the relay once everything has committed.
pub async fn run_in<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    id: Uuid,
    expected_version: Option<i32>,
    cmd: Command,
    extra: Extra,
    at: DateTime<Utc>,
) -> AppResult<Applied> {
    execute(db, id, By::Person(viewer, cmd), expected_version, extra, at).await
}

/// [`run`] that also attaches uploaded files (already [`crate::files::claim`]ed) to the ticket
/// and to the first timeline entry the change appends, in the change's transaction.
pub async fn run_with_files(
    app: &App,
    viewer: &Viewer,
    id: Uuid,
    expected_version: Option<i32>,
    cmd: Command,
    extra: Extra,
    files: &[Uuid],
) -> AppResult<Applied> {
    let by = By::Person(viewer, cmd);
    let applied = Box::pin(execute_with_files(
        &app.db,
        id,
        by,
        expected_version,
        extra,
        files,
        app.now(),
    ))
    .await?;
    app.committed();
    Ok(applied)
}

/// The one write path of a ticket: load it (a person must be able to read it), check the
/// version, let the domain decide the change and its consequences (bookkeeping, clocks,
/// escalation, timeline), and store all of it in one transaction — the row under its version
/// check, the records that come with it, the cascades, and the journal (timeline, escalation,
/// KPI facts, outbox). Runs inside `db`, which may be the caller's transaction; the caller
/// wakes the relay once everything has committed.
pub async fn execute<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    id: Uuid,
    by: By<'_>,
    expected_version: Option<i32>,
    extra: Extra,
    at: DateTime<Utc>,
) -> AppResult<Applied> {
    // Boxed: the write path's future is large, and callers nest it in their own (a callback
    // completed with its follow-up visit, a system command inside a job's transaction); inline,
    // a debug build's worker thread ran out of stack.
    Box::pin(execute_with_files(
        db,
        id,
        by,
        expected_version,
        extra,
        &[],
        at,
    ))
    .await
}

/// [`execute`], also attaching `files` (already [`crate::files::claim`]ed) to the ticket and to
/// the first timeline entry the change appends, in the same transaction: a file another
/// request attached meanwhile makes the whole change `CONFLICT`.
pub async fn execute_with_files<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    id: Uuid,
    by: By<'_>,
    expected_version: Option<i32>,
    extra: Extra,
    files: &[Uuid],
    at: DateTime<Utc>,
) -> AppResult<Applied> {
    let (loaded, mut f) = match &by {
        By::Person(viewer, cmd) => {
            // The arguments first, whatever the ticket (see `check_arguments`).
            careline_domain::ticket::check_arguments(cmd)?;
            load_readable_in(db, viewer, id).await?
        }
        By::System { .. } => {
            let loaded = tickets::find(db, id).await?.ok_or_else(not_found)?;
            let f = stored(
                facts(&loaded.ticket, loaded.customer.user_id),
                "ticket facts",
            )?;
            (loaded, f)
        }
    };
    if f.kind == rules::TicketKind::Complaint {
        f.involved_staff = tickets::involved_staff_of(db, &[id])
            .await?
            .into_iter()
            .map(|(_, person)| person)
            .collect();
    }
    if matches!(
        &by,
        By::Person(_, Command::CloseWithCustomerDisagreeing { .. })
    ) {
        f.disagreement_called_back =
            crate::callbacks::disagreement_called_back(db, &loaded.ticket).await?;
    }
    let current = &loaded.ticket;
    let version = current.version;
    if let Some(expected) = expected_version
        && expected != version
    {
        return Err(AppError::Conflict(format!(
            "the ticket was changed by someone else (you have version {expected}, it is now at {version}); reload it and try again"
        )));
    }
    let (change, actor) = match by {
        By::Person(viewer, cmd) => (decide(&f, viewer, &cmd, at)?, Some(viewer.user_id)),
        By::System { command, actor } => (decide_system(&f, command)?, actor),
    };
    let clocks = crate::sla::stored_clocks(db, current).await?;
    let clocks = match &change.reclassified {
        // A new policy's targets, counted from intake: no time already used is forgiven.
        Some(now) => crate::sla::reclassified(db, current, &clocks, now).await?,
        None => clocks,
    };
    let sla = crate::sla::after_change(current, &clocks, &change, at);
    let record = match &extra {
        // Only a satisfied customer's visit lets the ticket close; an unsatisfied one waits
        // for another call (or a lead's close with the customer disagreeing).
        Extra::FollowUp {
            customer_satisfied: true,
            ..
        } => Record::FollowUp,
        Extra::FollowUp { .. } => Record::Nothing,
        Extra::Rating { .. } => Record::Rating,
        Extra::None | Extra::Attachments(_) => Record::Nothing,
    };
    let durations = careline_persistence::calendars::for_durations(current, sla.calendar());
    let consequences = effects(
        &tickets::bookkeeping(current)?,
        &change,
        actor,
        record,
        durations.as_ref(),
        at,
    );
    let attachments = match &extra {
        Extra::Attachments(added) => {
            let mut all = tickets::attachments_of(current)?;
            all.extend(added.iter().cloned());
            Some(all)
        }
        _ => None,
    };
    let txn = db.begin().await?;
    let ticket = tickets::store(
        &txn,
        current,
        version,
        TicketWrite {
            change: &change,
            after: &consequences.after,
            sla: &sla,
            attachments: attachments.as_deref(),
        },
        at,
    )
    .await?;
    let resolution = consequences.after.resolution_count;
    let (follow_up_outcome, next_assignee) = match &extra {
        Extra::FollowUp {
            outcome,
            next_assignee,
            ..
        } => (Some(outcome.clone()), *next_assignee),
        _ => (None, None),
    };
    match extra {
        Extra::None | Extra::Attachments(_) => {}
        Extra::FollowUp {
            method,
            outcome,
            customer_satisfied,
            next_assignee: _,
        } => {
            let by = actor.ok_or_else(|| internal_without_actor("a follow-up"))?;
            let visit = NewFollowUp {
                by,
                method,
                outcome,
                customer_satisfied,
                resolution,
            };
            tickets::insert_follow_up(&txn, id, visit, at).await?;
        }
        Extra::Rating { rating, comment } => {
            let by = actor.ok_or_else(|| internal_without_actor("a rating"))?;
            // Ratings are taken while the latest resolution stands: that is the one rated.
            let resolved_by = tickets::latest_resolver(&txn, id).await?;
            let r = NewRating {
                by,
                rating,
                comment,
                resolution,
                resolved_by,
            };
            tickets::insert_rating(&txn, id, r, at).await?;
        }
    }
    if let Some(reason) = &consequences.cancel_department_tasks {
        department_tasks::cancel_open(&txn, id, reason, at).await?;
    }
    if consequences.withdraw_first_contact {
        tickets::withdraw_first_contact(&txn, id, at).await?;
    }
    let mut escalations: Vec<Escalation> = change.escalation.iter().cloned().collect();
    crate::routing::route(&txn, &ticket, &mut escalations).await?;
    let events = journal::append(
        &txn,
        Author {
            ticket: &ticket,
            customer_user_id: loaded.customer.user_id,
            actor,
            at,
        },
        Append {
            entries: &change.events,
            resolution: ResolutionFacts {
                minutes: consequences.after.resolution_minutes,
                first_contact: consequences.first_contact,
            },
            escalations: &escalations,
            also: Vec::new(),
        },
        Announce::Change,
    )
    .await?;
    if !change.callbacks.is_empty() {
        crate::callbacks::after_change(
            &txn,
            &change.callbacks,
            crate::callbacks::Settled {
                ticket: &ticket,
                actor,
                outcome: follow_up_outcome.as_deref(),
                next_assignee,
                calendar: sla.calendar(),
                at,
            },
        )
        .await?;
    }
    crate::routing::tell_recipients(&txn, Some(&ticket), &escalations, at).await?;
    if !files.is_empty() {
        let entry = events.first().map(|e| e.id);
        crate::files::attach(&txn, files, ticket.id, entry, at).await?;
    }
    crate::notices::after_change(
        &txn,
        crate::notices::Told {
            ticket: &ticket,
            customer: &loaded.customer,
            drafts: &change.events,
            entries: &events,
            assignee_before: current.assignee_id,
            actor,
            at,
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        ticket.id = %ticket.id,
        ticket.status = %ticket.status,
        ticket.version = ticket.version,
        "ticket changed"
    );
    Ok(Applied { ticket, events })
}

fn internal_without_actor(what: &str) -> AppError {
    AppError::internal(
        anyhow::anyhow!("{what} without a person acting"),
        "a record without an actor",
    )
}

/// [`run`] as the signed-in actor, for the commands that need nothing looked up first.
pub async fn command(
    app: &App,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    cmd: Command,
) -> AppResult<Applied> {
    run(
        app,
        &viewer_of(&actor.user),
        id,
        expected_version,
        cmd,
        Extra::None,
    )
    .await
}

/// Checks that `id` names an active account that may work tickets.
pub async fn require_worker(app: &App, id: Uuid, field: &str) -> AppResult<user::Model> {
    match users::find(&app.db, id).await? {
        Some(u) if u.active && permission::allowed(u.role_set(), Action::WorkTicket) => Ok(u),
        _ => Err(AppError::bad_input(
            field,
            "must be an active staff member who works tickets",
        )),
    }
}

/// Gives the ticket to an active staff member who works tickets.
pub async fn assign(
    app: &App,
    actor: &Actor,
    id: Uuid,
    assignee_id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    require_worker(app, assignee_id, "assigneeId").await?;
    let cmd = Command::Assign { assignee_id };
    Ok(command(app, actor, id, expected_version, cmd).await?.ticket)
}

/// Takes an unassigned ticket for oneself, within one's capacity.
pub async fn claim(
    app: &App,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    super::floor::require_spare_capacity(app, &actor.user).await?;
    Ok(command(app, actor, id, expected_version, Command::Claim)
        .await?
        .ticket)
}

/// Hands first-contact ownership to another staff member who works tickets.
pub async fn transfer_ownership(
    app: &App,
    actor: &Actor,
    id: Uuid,
    to: Uuid,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    require_worker(app, to, "toUserId").await?;
    let cmd = Command::TransferOwnership { to };
    Ok(command(app, actor, id, expected_version, cmd).await?.ticket)
}

/// Records the follow-up visit after a resolution.
pub async fn record_follow_up(
    app: &App,
    actor: &Actor,
    id: Uuid,
    method: rules::FollowUpMethod,
    outcome: &str,
    customer_satisfied: bool,
) -> AppResult<ticket::Model> {
    let outcome = text(outcome, "input.outcome", MAX_TEXT_CHARS)?;
    let cmd = Command::RecordFollowUp { customer_satisfied };
    let extra = Extra::FollowUp {
        method,
        outcome,
        customer_satisfied,
        next_assignee: None,
    };
    let viewer = viewer_of(&actor.user);
    Ok(run(app, &viewer, id, None, cmd, extra).await?.ticket)
}

/// Rates the service of the last resolution.
pub async fn rate(
    app: &App,
    actor: &Actor,
    id: Uuid,
    rating: i32,
    comment: Option<&str>,
) -> AppResult<ticket::Model> {
    // The argument's range first: a 9 is wrong whatever the ticket's state.
    if !(1..=5).contains(&rating) {
        return Err(AppError::bad_input(
            "rating",
            "rating must be between 1 and 5",
        ));
    }
    let comment = match comment.map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(text(c, "comment", 2_000)?),
    };
    let extra = Extra::Rating { rating, comment };
    let viewer = viewer_of(&actor.user);
    Ok(run(app, &viewer, id, None, Command::Rate { rating }, extra)
        .await?
        .ticket)
}

/// The customer named by staff at intake, as typed.
#[derive(Debug, Clone)]
pub struct ContactInput {
    /// The customer's name.
    pub name: String,
    /// Phone, if given (blank counts as none).
    pub phone: Option<String>,
    /// Email, if given (blank counts as none).
    pub email: Option<String>,
}

/// A ticket to register.
#[derive(Debug, Clone)]
pub struct NewTicketRequest {
    /// What the ticket is about, for the domain's intake rules.
    pub intake: NewTicketInput,
    /// Staff intake names the customer; a customer's own ticket does not.
    pub customer: Option<ContactInput>,
    /// The team to file it under (default: the creator's).
    pub team_id: Option<Uuid>,
    /// When the matter happened.
    pub occurred_at: Option<DateTime<Utc>>,
    /// For a complaint taken by staff, the employees it is about.
    pub involved_staff: Vec<Uuid>,
    /// The case this one follows up (跟进个案): same customer, same owner and team.
    pub parent_id: Option<Uuid>,
    /// Files the creator uploaded as evidence (`input.fileIds`), attached to the ticket and its
    /// first timeline entry.
    pub file_ids: Vec<Uuid>,
}

fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Registers a ticket for `creator`: a customer is the ticket's customer; staff must name the
/// customer, become its first-contact owner, and file it under their team unless told otherwise.
/// The SLA targets run from the clock's now.
pub async fn create(
    app: &App,
    creator: &user::Model,
    request: NewTicketRequest,
) -> AppResult<Loaded> {
    let at = app.now();
    let roles = creator.role_set();
    let staff = roles.is_staff();
    let registrar = if !staff {
        rules::Registrar::Customer
    } else if permission::allowed(roles, Action::WorkTicket) {
        rules::Registrar::CustomerService
    } else {
        rules::Registrar::Department
    };
    // A liaison registers what reached their own department.
    let department_id = match registrar {
        rules::Registrar::Department => Some(creator.department_id.ok_or_else(|| {
            AppError::Forbidden(
                "you register feedback for your department, and you have none".into(),
            )
        })?),
        _ => None,
    };
    let intake = validate_intake(request.intake, staff)?;
    if let Some(occurred) = request.occurred_at
        && occurred > at + chrono::Duration::minutes(5)
    {
        return Err(AppError::bad_input(
            "input.occurredAt",
            "must not be in the future",
        ));
    }
    if let Some(id) = intake.praised_employee_id {
        match users::find(&app.db, id).await? {
            Some(u) if u.active && u.role_set().is_staff() => {}
            _ => {
                return Err(AppError::bad_input(
                    "input.praisedEmployeeId",
                    "must name an active staff member",
                ));
            }
        }
    }
    if let Some(id) = intake.praised_team_id {
        org::team(&app.db, id)
            .await?
            .ok_or_else(|| AppError::bad_input("input.praisedTeamId", "no such team"))?;
    }
    if let Some(id) = intake.praised_department_id {
        org::department(&app.db, id).await?.ok_or_else(|| {
            AppError::bad_input("input.praisedDepartmentId", "no such department")
        })?;
    }
    let parent = match request.parent_id {
        Some(_) if !staff => {
            return Err(AppError::Forbidden("staff open follow-up cases".to_owned()));
        }
        Some(id) => Some(
            load_readable(app, &viewer_of(creator), id)
                .await
                .map_err(|e| match e {
                    AppError::NotFound(_) => AppError::NotFound("parent ticket not found".into()),
                    other => other,
                })?
                .0,
        ),
        None => None,
    };
    let (source, owner_id, team_id) = if let Some(parent) = &parent {
        // The parent's customer (the record is taken as is), owner and team carry over.
        let c = &parent.customer;
        (
            CustomerSource::Contact {
                name: c.name.clone(),
                phone: c.phone.clone(),
                email: c.email.clone(),
            },
            parent
                .ticket
                .owner_id
                .or(registrar.owns().then_some(creator.id)),
            parent.ticket.team_id.or(creator.team_id),
        )
    } else if staff {
        let Some(c) = request.customer else {
            return Err(AppError::bad_input(
                "input.customer",
                "staff intake must name the customer",
            ));
        };
        let name = text(&c.name, "input.customer.name", 200)?;
        let phone = present(c.phone.as_deref())
            .map(|p| Phone::parse(p, "input.customer.phone"))
            .transpose()?
            .map(Phone::into_inner);
        let email = present(c.email.as_deref())
            .map(|e| Email::parse(e, "input.customer.email"))
            .transpose()?
            .map(Email::into_inner);
        let team_id = match request.team_id {
            Some(id) => {
                org::team(&app.db, id)
                    .await?
                    .ok_or_else(|| AppError::bad_input("input.teamId", "no such team"))?;
                Some(id)
            }
            None => creator.team_id,
        };
        (
            CustomerSource::Contact { name, phone, email },
            registrar.owns().then_some(creator.id),
            team_id,
        )
    } else {
        (
            CustomerSource::Account {
                user_id: creator.id,
                name: creator.name.clone(),
                email: creator.email.clone(),
                phone: creator.phone.clone(),
            },
            None,
            None,
        )
    };
    let involved_staff = if request.involved_staff.is_empty() {
        Vec::new()
    } else {
        if !permission::allowed(roles, Action::SetInvolvedStaff)
            || intake.kind != rules::TicketKind::Complaint
        {
            return Err(AppError::bad_input(
                "input.involvedStaffIds",
                "only staff name the employees a complaint is about",
            ));
        }
        active_staff(app, &request.involved_staff, "input.involvedStaffIds").await?
    };
    crate::files::claim(&app.db, creator.id, &request.file_ids, "input.fileIds").await?;
    // A follow-up case is about its parent's customer, whatever contact details were typed.
    let customer = match &parent {
        Some(p) => FilingCustomer::Known(p.customer.clone()),
        None => FilingCustomer::Source(source),
    };
    let filed = file(
        &app.db,
        Filing {
            intake,
            customer,
            occurred_at: request.occurred_at,
            clock_start: registrar.clock_start(request.occurred_at, at),
            owner_id,
            team_id,
            department_id,
            created_by: Some(creator.id),
            involved_staff,
            parent: parent.as_ref().map(|p| &p.ticket),
            file_ids: &request.file_ids,
        },
        at,
    )
    .await?;
    app.committed();
    Ok(filed.loaded)
}

/// Who a new ticket is about: a known record, or contact details to find or create one by.
pub enum FilingCustomer {
    /// This record.
    Known(careline_persistence::entity::customer::Model),
    /// The record these details match, or a new one.
    Source(CustomerSource),
}

/// A new ticket whose intake is checked, ready to store.
pub struct Filing<'a> {
    /// The checked intake.
    pub intake: careline_domain::ticket::ValidatedIntake,
    /// Its customer.
    pub customer: FilingCustomer,
    /// When the matter happened.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When its response-time clocks start (`Registrar::clock_start`).
    pub clock_start: DateTime<Utc>,
    /// The first-contact owner.
    pub owner_id: Option<Uuid>,
    /// The team it is filed under.
    pub team_id: Option<Uuid>,
    /// The department that holds it (feedback a department registered itself).
    pub department_id: Option<Uuid>,
    /// The person who registered it; `None` when it came in by itself (mail).
    pub created_by: Option<Uuid>,
    /// For a complaint, the employees it is about (checked).
    pub involved_staff: Vec<Uuid>,
    /// The case it follows up.
    pub parent: Option<&'a ticket::Model>,
    /// Files (already [`crate::files::claim`]ed, or stored for it) for its first entry.
    pub file_ids: &'a [Uuid],
}

/// A stored new ticket.
pub struct Filed {
    /// The ticket and its customer.
    pub loaded: Loaded,
    /// Its first timeline entries.
    pub events: Vec<ticket_event::Model>,
}

/// The one intake write: the ticket with its SLA targets (from `at`), the escalation its
/// classification calls for, its timeline, files and notices, and the parent's timeline entry,
/// in one transaction inside `db` (which may be the caller's). The caller wakes the relay once
/// everything has committed.
pub async fn file<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    filing: Filing<'_>,
    at: DateTime<Utc>,
) -> AppResult<Filed> {
    let Filing {
        intake,
        customer,
        occurred_at,
        clock_start,
        owner_id,
        team_id,
        department_id,
        created_by,
        involved_staff,
        parent,
        file_ids,
    } = filing;
    let policies = careline_persistence::sla::policies(db).await?;
    let sla = crate::sla::initial(
        db,
        &policies,
        intake.kind,
        intake.severity.map(|s| s.as_str()),
        clock_start,
    )
    .await?;
    let txn = db.begin().await?;
    let customer = match customer {
        FilingCustomer::Known(c) => c,
        FilingCustomer::Source(source) => customers::upsert(&txn, &source).await?,
    };
    // VIP and key-account customers are served first by default.
    let priority = CustomerTier::parse(&customer.tier).map_or(intake.priority, |tier| {
        with_tier_floor(intake.priority, tier)
    });
    let escalation = on_classification(intake.kind, intake.severity, priority, 0, true);
    let mut entries = vec![EventDraft {
        kind: TicketEventKind::Created,
        internal: false,
        message: None,
        from_status: None,
        to_status: Some(intake.initial_status),
    }];
    entries.extend(escalation.as_ref().map(Escalation::entry));
    let ticket = tickets::insert(
        &txn,
        NewTicket {
            priority,
            escalation_level: escalation.as_ref().map_or(0, |e| e.level),
            intake,
            occurred_at,
            customer_id: customer.id,
            owner_id,
            team_id,
            department_id,
            created_by,
            sla,
            involved_staff,
            parent_id: parent.map(|p| p.id),
        },
        at,
    )
    .await?;
    let author = |ticket| Author {
        ticket,
        customer_user_id: customer.user_id,
        actor: created_by,
        at,
    };
    let mut escalations: Vec<Escalation> = escalation.into_iter().collect();
    crate::routing::route(&txn, &ticket, &mut escalations).await?;
    let append = Append {
        entries: &entries,
        escalations: &escalations,
        ..Append::default()
    };
    let stored = journal::append(&txn, author(&ticket), append, Announce::Change).await?;
    crate::routing::tell_recipients(&txn, Some(&ticket), &escalations, at).await?;
    if !file_ids.is_empty() {
        let entry = stored.first().map(|e| e.id);
        crate::files::attach(&txn, file_ids, ticket.id, entry, at).await?;
    }
    crate::notices::after_change(
        &txn,
        crate::notices::Told {
            ticket: &ticket,
            customer: &customer,
            drafts: &entries,
            entries: &stored,
            assignee_before: None,
            actor: created_by,
            at,
        },
    )
    .await?;
    if ticket.kind == rules::TicketKind::Praise.as_str() {
        crate::notices::praise(&txn, &ticket, at).await?;
    }
    if let Some(parent) = parent {
        // The parent's timeline says where the case went on.
        let parent = tickets::touch(&txn, parent.id, at)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => AppError::NotFound("parent ticket not found".into()),
                other => other.into(),
            })?;
        let entry = EventDraft {
            kind: TicketEventKind::FollowUpCaseOpened,
            internal: false,
            message: Some(format!("follow-up case {} opened", ticket.number)),
            from_status: None,
            to_status: None,
        };
        let append = Append {
            entries: std::slice::from_ref(&entry),
            ..Append::default()
        };
        journal::append(&txn, author(&parent), append, Announce::Change).await?;
    }
    txn.commit().await?;
    tracing::info!(
        ticket.id = %ticket.id,
        ticket.number = %ticket.number,
        ticket.kind = %ticket.kind,
        "ticket created"
    );
    Ok(Filed {
        loaded: Loaded { ticket, customer },
        events: stored,
    })
}

/// `ids`, once each, if every one names an active staff member (at most
/// [`rules::MAX_INVOLVED_STAFF`]); refused against `field` otherwise.
async fn active_staff(app: &App, ids: &[Uuid], field: &str) -> AppResult<Vec<Uuid>> {
    let mut distinct: Vec<Uuid> = Vec::with_capacity(ids.len());
    for id in ids {
        if !distinct.contains(id) {
            distinct.push(*id);
        }
    }
    // The list as sent, repeats included: a list argument has a maximum.
    if ids.len() > rules::MAX_INVOLVED_STAFF {
        return Err(AppError::bad_input(
            field,
            format!("name at most {} employees", rules::MAX_INVOLVED_STAFF),
        ));
    }
    let found = users::find_many(&app.db, &distinct).await?;
    let all_staff = distinct.iter().all(|id| {
        found
            .iter()
            .any(|u| u.id == *id && u.active && u.role_set().is_staff())
    });
    if !all_staff {
        return Err(AppError::bad_input(
            field,
            "every id must name an active staff member",
        ));
    }
    Ok(distinct)
}

/// Names the employees a complaint is about (replacing any named before).
pub async fn set_involved_staff(
    app: &App,
    actor: &Actor,
    id: Uuid,
    staff: &[Uuid],
) -> AppResult<ticket::Model> {
    let staff = active_staff(app, staff, "userIds").await?;
    let cmd = Command::SetInvolvedStaff { staff };
    Ok(command(app, actor, id, None, cmd).await?.ticket)
}

/// Records or revises a complaint's verdict and root cause.
pub async fn record_verdict(
    app: &App,
    actor: &Actor,
    id: Uuid,
    verdict: rules::ComplaintVerdict,
    root_cause: String,
    reason: Option<String>,
    responsible_department: Option<Uuid>,
) -> AppResult<ticket::Model> {
    if let Some(department) = responsible_department {
        org::department(&app.db, department)
            .await?
            .ok_or_else(|| AppError::bad_input("responsibleDepartmentId", "no such department"))?;
    }
    let cmd = Command::RecordVerdict {
        verdict,
        root_cause,
        reason,
        responsible_department,
    };
    Ok(command(app, actor, id, None, cmd).await?.ticket)
}

/// The department a liaison is confined to, `None` for everyone else who may see corrective
/// actions; `Err` for those who may not see any.
fn corrective_scope(actor: &Actor) -> AppResult<Option<Option<Uuid>>> {
    actor.require(Action::ReadCorrectiveActions)?;
    Ok(match read_scope(&viewer_of(&actor.user)) {
        ReadScope::All => Some(None),
        ReadScope::Department(d) => Some(Some(d)),
        ReadScope::CustomerAccount(_) | ReadScope::Nothing => None,
    })
}

/// Corrective actions, newest first (at most 100), optionally by status; liaisons see their
/// own department's.
pub async fn corrective_actions(
    app: &App,
    actor: &Actor,
    status: Option<CorrectiveActionStatus>,
) -> AppResult<Vec<corrective_action::Model>> {
    let Some(department) = corrective_scope(actor)? else {
        return Ok(Vec::new());
    };
    let status = status.map(|s| s.as_str());
    Ok(corrective_actions::list(&app.db, status, department, 100).await?)
}

/// A corrective action to open.
#[derive(Debug, Clone)]
pub struct CorrectiveActionRequest {
    /// What will be done.
    pub description: String,
    /// The department doing it.
    pub department_id: Uuid,
    /// The complaints it answers.
    pub ticket_ids: Vec<Uuid>,
    /// When it should be done.
    pub due_at: Option<DateTime<Utc>>,
}

/// Links complaints the actor can read to a department's fix.
pub async fn create_corrective_action(
    app: &App,
    actor: &Actor,
    request: CorrectiveActionRequest,
) -> AppResult<corrective_action::Model> {
    let v = viewer_of(&actor.user);
    let description = text(&request.description, "input.description", MAX_TEXT_CHARS)?;
    if request.ticket_ids.is_empty() || request.ticket_ids.len() > MAX_CORRECTIVE_TICKETS {
        return Err(AppError::bad_input(
            "input.ticketIds",
            format!("name between 1 and {MAX_CORRECTIVE_TICKETS} complaints"),
        ));
    }
    org::department(&app.db, request.department_id)
        .await?
        .ok_or_else(|| AppError::bad_input("input.departmentId", "no such department"))?;
    if let ReadScope::Department(own) = read_scope(&v)
        && own != request.department_id
    {
        return Err(AppError::bad_input(
            "input.departmentId",
            "liaisons create corrective actions for their own department",
        ));
    }
    for id in &request.ticket_ids {
        let bad = || {
            AppError::bad_input(
                "input.ticketIds",
                "every ticket must be a complaint you can read",
            )
        };
        // Only "not there or not yours" is the caller's mistake; a failing database is not.
        let (loaded, _) = match load_readable(app, &v, *id).await {
            Ok(found) => found,
            Err(AppError::NotFound(_)) => return Err(bad()),
            Err(other) => return Err(other),
        };
        if loaded.ticket.kind != rules::TicketKind::Complaint.as_str() {
            return Err(bad());
        }
    }
    let created = corrective_actions::create(
        &app.db,
        NewCorrectiveAction {
            description,
            department_id: request.department_id,
            due_at: request.due_at,
            ticket_ids: request.ticket_ids,
            created_by: actor.id(),
        },
    )
    .await?;
    Ok(created)
}

/// Moves a corrective action `OPEN` → `DONE` → `VERIFIED` (verified by a team lead).
pub async fn set_corrective_action_status(
    app: &App,
    actor: &Actor,
    id: Uuid,
    to: CorrectiveActionStatus,
) -> AppResult<corrective_action::Model> {
    let v = viewer_of(&actor.user);
    let not_found = || AppError::NotFound("corrective action not found".to_owned());
    let current = corrective_actions::find(&app.db, id)
        .await?
        .ok_or_else(not_found)?;
    match read_scope(&v) {
        ReadScope::All => {}
        ReadScope::Department(d) if d == current.department_id => {}
        _ => return Err(not_found()),
    }
    let from = stored(
        CorrectiveActionStatus::parse(&current.status),
        "corrective action status",
    )?;
    corrective_action_transition(from, to, v.roles)?;
    let verified_by = (to == CorrectiveActionStatus::Verified).then_some(actor.id());
    Ok(
        corrective_actions::set_status(&app.db, id, from.as_str(), to.as_str(), verified_by)
            .await?,
    )
}
