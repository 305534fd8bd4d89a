//! Corrective actions chased (整改措施落实): the department's liaisons — the people responsible
//! for a department's corrective actions — are reminded a day before the due time, and an
//! action still `OPEN` once its due time passes escalates to the managers of its department,
//! recorded on the first complaint it answers. Each happens exactly once across instances: a
//! conditional write (`… WHERE reminded_at IS NULL`, `… WHERE overdue_escalated_at IS NULL`)
//! picks the one instance that sends it, in the same transaction as what it sends.

use super::error::AppResult;
use super::{Actor, App};
use careline_domain::Action;
use careline_domain::Role;
use careline_domain::notice::{StaffNotice, Template};
use careline_domain::ticket::{REMIND_BEFORE, overdue_escalation};
use careline_persistence::entity::corrective_action;
use careline_persistence::journal::{self, Announce, Append, Author};
use careline_persistence::{corrective_actions as store, customers, routing};
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

/// How many actions one pass looks at per step.
const BATCH: u64 = 100;

/// Most overdue corrective actions one query returns.
pub const MAX_OVERDUE: u64 = 200;

fn short(description: &str) -> String {
    description.chars().take(200).collect()
}

/// The liaisons' inbox entries about `action`, keyed by `cause`.
async fn tell_liaisons<C: sea_orm::ConnectionTrait>(
    db: &C,
    action: &corrective_action::Model,
    text: Template,
    cause: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let liaisons =
        routing::department_people(db, action.department_id, Role::DepartmentLiaison).await?;
    let rows = liaisons
        .into_iter()
        .map(|person| {
            crate::notices::entry_row(
                person,
                StaffNotice::CorrectiveActionDue.as_str(),
                text.clone(),
                None,
                cause,
                at,
            )
        })
        .collect();
    crate::notices::deliver_to_inboxes(db, rows).await
}

/// One pass of the chase at `now`: reminders, then overdue escalations. Returns how many
/// corrective actions this instance reminded or escalated.
pub async fn chase(app: &App, now: DateTime<Utc>) -> AppResult<usize> {
    let mut changed = 0;
    loop {
        let due = store::due_for_reminder(&app.db, now, now + REMIND_BEFORE, BATCH).await?;
        let batch = due.len();
        for action in due {
            let txn = app.db.begin().await?;
            if !store::mark_reminded(&txn, action.id, now).await? {
                txn.rollback().await?;
                continue;
            }
            let due_at = action.due_at.map(|d| d.to_rfc3339()).unwrap_or_default();
            let text = Template {
                subject: "A corrective action is due tomorrow".to_owned(),
                body: format!("“{}” is due at {due_at}.", short(&action.description)),
            };
            let cause = format!("CORRECTIVE_ACTION_DUE:{}:REMINDER", action.id);
            tell_liaisons(&txn, &action, text, &cause, now).await?;
            txn.commit().await?;
            changed += 1;
        }
        if u64::try_from(batch).unwrap_or(u64::MAX) < BATCH {
            break;
        }
    }
    loop {
        let overdue = store::overdue_unescalated(&app.db, now, BATCH).await?;
        let batch = overdue.len();
        for action in overdue {
            let txn = app.db.begin().await?;
            if !store::mark_overdue_escalated(&txn, action.id, now).await? {
                // Another instance escalated it.
                txn.rollback().await?;
                continue;
            }
            let ticket = store::first_ticket(&txn, action.id).await?;
            let mut escalation = overdue_escalation(
                ticket.as_ref().map_or(0, |t| t.escalation_level),
                &action.description,
            );
            crate::routing::route_to_department(&txn, action.department_id, &mut escalation)
                .await?;
            let escalations = std::slice::from_ref(&escalation);
            if let Some(t) = &ticket {
                let customer_user_id = customers::find(&txn, t.customer_id)
                    .await?
                    .and_then(|c| c.user_id);
                let entries = [escalation.entry()];
                journal::append(
                    &txn,
                    Author {
                        ticket: t,
                        customer_user_id,
                        actor: None,
                        at: now,
                    },
                    Append {
                        entries: &entries,
                        escalations,
                        ..Append::default()
                    },
                    Announce::Entries,
                )
                .await?;
            }
            crate::routing::tell_recipients(&txn, ticket.as_ref(), escalations, now).await?;
            let text = Template {
                subject: "A corrective action is overdue".to_owned(),
                body: format!(
                    "“{}” passed its due time; the department's managers have been told.",
                    short(&action.description)
                ),
            };
            let cause = format!("CORRECTIVE_ACTION_DUE:{}:OVERDUE", action.id);
            tell_liaisons(&txn, &action, text, &cause, now).await?;
            txn.commit().await?;
            tracing::info!(
                corrective_action.id = %action.id,
                ticket.id = ?ticket.as_ref().map(|t| t.id),
                "overdue corrective action escalated"
            );
            changed += 1;
        }
        if u64::try_from(batch).unwrap_or(u64::MAX) < BATCH {
            break;
        }
    }
    Ok(changed)
}

/// Corrective actions past their due time and still open, longest overdue first (leads).
pub async fn overdue(app: &App, actor: &Actor) -> AppResult<Vec<corrective_action::Model>> {
    actor.require(Action::ReadOverdueCorrectiveActions)?;
    Ok(store::overdue(&app.db, app.now(), None, MAX_OVERDUE).await?)
}
