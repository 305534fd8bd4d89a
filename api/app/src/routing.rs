//! Escalations routed to named people: the organisation facts each escalation is routed by
//! (loaded here; the rule is `careline_domain::sla::recipients`), the recipients' inbox
//! entries, and the complaint-handling working group (who may acknowledge an escalation is
//! checked by `floor::acknowledge_escalation`).
//! Every path that records an escalation — intake, people's commands, the SLA worker, the
//! corrective-action chase — routes it here before the one writer (`journal::append`) stores
//! it with its recipients.

use super::error::{AppError, AppResult};
use super::{Actor, App};
use careline_domain::event::EscalationKind;
use careline_domain::notice::{StaffNotice, Template};
use careline_domain::sla::{Escalation, RoutingFacts};
use careline_domain::{Action, Role};
use careline_persistence::entity::{ticket, user};
use careline_persistence::{org, routing as store, users};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
use uuid::Uuid;

/// Most members the working group may have.
pub const MAX_WORKING_GROUP: usize = 50;

/// The facts around a team (or none) and a department (or none).
async fn facts<C: ConnectionTrait>(
    db: &C,
    team_id: Option<Uuid>,
    department_id: Option<Uuid>,
    assignee: Option<Uuid>,
) -> AppResult<RoutingFacts> {
    let team = match team_id {
        Some(id) => org::team(db, id).await?,
        None => None,
    };
    let supervisor = match &team {
        Some(t) => store::team_supervisor(db, t.id).await?,
        None => None,
    };
    let managers = match department_id.or(team.as_ref().map(|t| t.department_id)) {
        Some(d) => store::department_people(db, d, Role::Manager).await?,
        // Nobody's team: customer service's managers answer for it.
        None => {
            let mut managers = Vec::new();
            for d in org::departments(db).await? {
                if d.kind == careline_domain::org::DepartmentKind::CustomerService.as_str() {
                    managers.extend(store::department_people(db, d.id, Role::Manager).await?);
                }
            }
            managers
        }
    };
    let mut leads = users::active_with_roles(db, &[Role::Manager, Role::Admin]).await?;
    leads.sort();
    Ok(RoutingFacts {
        supervisor,
        managers,
        working_group: store::active_working_group(db).await?,
        leads,
        assignee,
    })
}

/// The team of an account, if it has one.
async fn team_of<C: ConnectionTrait>(db: &C, person: Option<Uuid>) -> AppResult<Option<Uuid>> {
    Ok(match person {
        Some(id) => users::find(db, id).await?.and_then(|u| u.team_id),
        None => None,
    })
}

/// Routes each of `escalations` on `t` (the ticket as it is after the change): the ticket's
/// team (or, for a ticket without one, its holder's team) names the supervisor and the
/// department whose managers come next; a late callback follows the late person's team.
pub async fn route<C: ConnectionTrait>(
    db: &C,
    t: &ticket::Model,
    escalations: &mut [Escalation],
) -> AppResult<()> {
    for e in escalations.iter_mut() {
        let team = match (e.kind, e.about) {
            (EscalationKind::CallbackOverdue, Some(about)) => team_of(db, Some(about)).await?,
            _ => match t.team_id {
                Some(team) => Some(team),
                None => team_of(db, t.assignee_id.or(t.owner_id)).await?,
            },
        };
        let facts = facts(db, team, None, t.assignee_id).await?;
        e.route_by(&facts);
    }
    Ok(())
}

/// The people an escalation about no ticket would reach — a late care call, routed by the late
/// person's team (`Escalation::about`) — by the same rule as every other.
pub async fn recipients_about_person<C: ConnectionTrait>(
    db: &C,
    escalation: &mut Escalation,
) -> AppResult<Vec<Uuid>> {
    let team = team_of(db, escalation.about).await?;
    let facts = facts(db, team, None, None).await?;
    escalation.route_by(&facts);
    Ok(escalation.recipients().to_vec())
}

/// Routes an escalation about a department's work (a corrective action): its managers first.
pub async fn route_to_department<C: ConnectionTrait>(
    db: &C,
    department_id: Uuid,
    escalation: &mut Escalation,
) -> AppResult<()> {
    let facts = facts(db, None, Some(department_id), None).await?;
    escalation.route_by(&facts);
    Ok(())
}

/// What a recipient reads in their inbox.
fn inbox_text(e: &Escalation, t: Option<&ticket::Model>) -> Template {
    let to = match e.level {
        ..=1 => "",
        2 => " (level 2: the department's managers)",
        _ => " (level 3: the complaint-handling working group)",
    };
    match t {
        Some(t) => Template {
            subject: format!("{} escalated to you{to}", t.number),
            body: format!("“{}”: {}", t.subject, e.reason),
        },
        None => Template {
            subject: "Escalated to you".to_owned(),
            body: e.reason.clone(),
        },
    }
}

/// Writes an inbox entry for every recipient of each routed escalation, inside the caller's
/// transaction, keyed by the escalation so that each is written once.
pub async fn tell_recipients<C: ConnectionTrait>(
    db: &C,
    t: Option<&ticket::Model>,
    escalations: &[Escalation],
    at: DateTime<Utc>,
) -> AppResult<()> {
    let mut rows = Vec::new();
    for e in escalations {
        let Some(route) = &e.route else { continue };
        for person in &route.recipients {
            rows.push(crate::notices::entry_row(
                *person,
                StaffNotice::Escalated.as_str(),
                inbox_text(e, t),
                t.map(|t| t.id),
                &format!("ESCALATED:{}", route.id),
                at,
            ));
        }
    }
    crate::notices::deliver_to_inboxes(db, rows).await
}

/// The complaint-handling working group, by name.
pub async fn working_group(app: &App, actor: &Actor) -> AppResult<Vec<user::Model>> {
    actor.require(Action::ReadStaffDirectory)?;
    Ok(store::working_group(&app.db).await?)
}

/// Sets the working group's members (managers and admins): any active staff, Legal's liaisons
/// included; at most [`MAX_WORKING_GROUP`], each once. An empty group is allowed: level-3
/// escalations then go to every manager and admin.
pub async fn set_working_group(
    app: &App,
    actor: &Actor,
    member_ids: Vec<Uuid>,
) -> AppResult<Vec<user::Model>> {
    actor.require(Action::SetWorkingGroup)?;
    let mut ids = member_ids;
    ids.sort();
    ids.dedup();
    if ids.len() > MAX_WORKING_GROUP {
        return Err(AppError::bad_input(
            "memberIds",
            format!("the working group has at most {MAX_WORKING_GROUP} members"),
        ));
    }
    let found = users::find_many(&app.db, &ids).await?;
    let staff = |u: &user::Model| u.active && u.role_set().is_staff();
    if found.len() != ids.len() || !found.iter().all(staff) {
        return Err(AppError::bad_input(
            "memberIds",
            "every member must be an active staff account",
        ));
    }
    let txn = app.db.begin().await?;
    store::set_working_group(&txn, &ids, actor.id(), app.now()).await?;
    txn.commit().await?;
    tracing::info!(working_group.members = ids.len(), "working group set");
    Ok(store::working_group(&app.db).await?)
}

/// The people each escalation was routed to (for data loaders).
pub async fn recipients_of<C: ConnectionTrait>(
    db: &C,
    escalation_ids: &[Uuid],
) -> AppResult<Vec<(Uuid, user::Model)>> {
    Ok(store::recipients_of(db, escalation_ids).await?)
}
