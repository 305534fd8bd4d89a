//! The one path every ticket change takes: load → may the caller read it? → is the version
//! still the one they saw? → the domain decides → storage writes the change and its timeline
//! under the version check. The demo seed goes through here too, so its timelines are real.

use super::types::{CreateTicketInput, stored};
use crate::auth::Viewer as Caller;
use crate::error::{ApiError, ApiResult};
use crate::graphql::input_id;
use crate::graphql::people::{check_email, check_phone};
use careline_domain::ticket::{
    self as rules, AttachmentInput, Command, NewTicketInput, TicketFacts, Viewer, can_read, decide,
    validate_intake,
};
use careline_domain::{Action, permission};
use careline_persistence::customers::CustomerSource;
use careline_persistence::entity::{ticket, user};
use careline_persistence::tickets::{self, Applied, Extra, Loaded, NewTicket};
use careline_persistence::{DatabaseConnection, now, org, users};
use uuid::Uuid;

/// The domain's view of the caller.
pub fn domain_viewer(caller: &Caller) -> Viewer {
    viewer_of(&caller.user)
}

/// The domain's view of an account.
pub fn viewer_of(user: &user::Model) -> Viewer {
    Viewer {
        user_id: user.id,
        roles: user.role_set(),
        department_id: user.department_id,
    }
}

/// What the state machine needs to know about a stored ticket; `None` if a stored value is not
/// one the domain knows.
pub fn facts(t: &ticket::Model, customer_user_id: Option<Uuid>) -> Option<TicketFacts> {
    Some(TicketFacts {
        status: rules::TicketStatus::parse(&t.status)?,
        kind: rules::TicketKind::parse(&t.kind)?,
        severity: t.severity.as_deref().and_then(rules::Severity::parse),
        owner_id: t.owner_id,
        assignee_id: t.assignee_id,
        department_id: t.department_id,
        customer_user_id,
        follow_up_since_resolution: t.follow_up_since_resolution,
        rated_since_resolution: t.rated_since_resolution,
        version: t.version,
    })
}

fn not_found() -> ApiError {
    ApiError::NotFound("ticket not found".to_owned())
}

/// Loads a ticket the viewer may read. A ticket they may not read is reported exactly like one
/// that does not exist, so its existence does not leak.
pub async fn load_readable(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<(Loaded, TicketFacts)> {
    let loaded = tickets::find(db, id).await?.ok_or_else(not_found)?;
    check_readable(loaded, viewer)
}

/// Like [`load_readable`], by ticket number.
pub async fn load_readable_by_number(
    db: &DatabaseConnection,
    viewer: &Viewer,
    number: &str,
) -> ApiResult<(Loaded, TicketFacts)> {
    let loaded = tickets::find_by_number(db, number)
        .await?
        .ok_or_else(not_found)?;
    check_readable(loaded, viewer)
}

fn check_readable(loaded: Loaded, viewer: &Viewer) -> ApiResult<(Loaded, TicketFacts)> {
    let f = stored(
        facts(&loaded.ticket, loaded.customer.user_id),
        "ticket facts",
    )?;
    if !can_read(&f, viewer) {
        return Err(not_found());
    }
    Ok((loaded, f))
}

/// Applies `cmd` to ticket `id` as `viewer`. With `expected_version` the caller's view must
/// still be current; without it the version just read is used. Either way the write is
/// conditional, so a concurrent change makes this `CONFLICT` rather than overwriting it.
/// `at` is the SLA clock's now (the server's clock, which tests move).
pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: Option<i32>,
    cmd: Command,
    extra: Extra,
    at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Applied> {
    let (loaded, f) = load_readable(db, viewer, id).await?;
    let version = loaded.ticket.version;
    if let Some(expected) = expected_version
        && expected != version
    {
        return Err(ApiError::Conflict(format!(
            "the ticket was changed by someone else (you have version {expected}, it is now at {version}); reload it and try again"
        )));
    }
    let change = decide(&f, viewer, &cmd, at)?;
    let applied = tickets::apply(
        db,
        &loaded.ticket,
        loaded.customer.user_id,
        version,
        &change,
        &crate::sla::after_change(&loaded.ticket, &change, at),
        Some(viewer.user_id),
        extra,
    )
    .await?;
    tracing::info!(
        ticket.id = %applied.ticket.id,
        ticket.status = %applied.ticket.status,
        ticket.version = applied.ticket.version,
        "ticket changed"
    );
    Ok(applied)
}

/// Checks that `id` names an active account that may work tickets.
pub async fn require_worker(
    db: &DatabaseConnection,
    id: Uuid,
    field: &str,
) -> ApiResult<user::Model> {
    match users::find(db, id).await? {
        Some(u) if u.active && permission::allowed(u.role_set(), Action::WorkTicket) => Ok(u),
        _ => Err(ApiError::bad_input(
            field,
            "must be an active staff member who works tickets",
        )),
    }
}

/// Registers a ticket for `creator`: a customer is the ticket's customer; staff must name the
/// customer, become its first-contact owner, and file it under their team unless told otherwise.
/// `at` is the SLA clock's now: the targets run from it.
pub async fn create(
    db: &DatabaseConnection,
    creator: &user::Model,
    input: CreateTicketInput,
    at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Loaded> {
    let staff = creator.role_set().is_staff();
    let praised_employee_id = input
        .praised_employee_id
        .as_ref()
        .map(|id| input_id(id, "input.praisedEmployeeId"))
        .transpose()?;
    let attachments = input
        .attachments
        .unwrap_or_default()
        .into_iter()
        .map(|a| AttachmentInput {
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: i64::from(a.size_bytes),
            uri: a.uri,
        })
        .collect();
    let intake = validate_intake(
        NewTicketInput {
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
        },
        staff,
    )?;
    if let Some(at) = input.occurred_at
        && at > now() + chrono::Duration::minutes(5)
    {
        return Err(ApiError::bad_input(
            "input.occurredAt",
            "must not be in the future",
        ));
    }
    if let Some(id) = intake.praised_employee_id {
        match users::find(db, id).await? {
            Some(u) if u.active && u.role_set().is_staff() => {}
            _ => {
                return Err(ApiError::bad_input(
                    "input.praisedEmployeeId",
                    "must name an active staff member",
                ));
            }
        }
    }
    let (customer, owner_id, team_id) = if staff {
        let Some(c) = input.customer else {
            return Err(ApiError::bad_input(
                "input.customer",
                "staff intake must name the customer",
            ));
        };
        let name = crate::graphql::text(&c.name, "input.customer.name", 200)?;
        let phone = c
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| check_phone(p, "input.customer.phone"))
            .transpose()?;
        let email = c
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| check_email(e, "input.customer.email"))
            .transpose()?;
        let team_id = match &input.team_id {
            Some(id) => {
                let id = input_id(id, "input.teamId")?;
                org::team(db, id)
                    .await?
                    .ok_or_else(|| ApiError::bad_input("input.teamId", "no such team"))?;
                Some(id)
            }
            None => creator.team_id,
        };
        (
            CustomerSource::Contact { name, phone, email },
            Some(creator.id),
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
    let policies = careline_persistence::sla::policies(db).await?;
    let sla = crate::sla::initial(
        &policies,
        intake.kind,
        intake.severity.map(|s| s.as_str()),
        at,
    );
    let created = tickets::create(
        db,
        NewTicket {
            intake,
            occurred_at: input.occurred_at,
            customer,
            owner_id,
            team_id,
            created_by: creator.id,
            sla,
        },
    )
    .await?;
    tracing::info!(
        ticket.id = %created.ticket.id,
        ticket.number = %created.ticket.number,
        ticket.kind = %created.ticket.kind,
        "ticket created"
    );
    Ok(created)
}
