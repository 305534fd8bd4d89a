//! Department tasks in storage: one per department a ticket was dispatched to, with its
//! deadline, answer and the stage the deadline worker recorded.
//!
//! Reminders and escalations are exactly-once across instances like the SLA worker's: every
//! stage change is a conditional write (`… WHERE stage = <what the worker read>`), and only
//! the instance whose update hits the row records and publishes it.

use crate::entity::department_task::{self, Column as K, Entity as Task, Model};
use crate::entity::{customer, ticket};
use crate::journal::{self, Announce, Append, Author};
use crate::{StoreError, outbox};
use careline_domain::event::{Envelope, Event, QueueEventKind};
use careline_domain::ticket::{
    DepartmentTaskStatus, EventDraft, PlannedTask, TaskStage, TicketEventKind,
};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};

const OPEN: &str = "OPEN";

/// Stores the tasks of one dispatch.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    created_by: Uuid,
    tasks: &[PlannedTask],
    at: DateTime<Utc>,
) -> Result<Vec<Model>, StoreError> {
    let rows: Vec<Model> = tasks
        .iter()
        .map(|t| Model {
            id: Uuid::now_v7(),
            ticket_id,
            department_id: t.department_id,
            instructions: t.instructions.clone(),
            minutes: t.minutes,
            due_at: t.due_at,
            status: OPEN.to_owned(),
            answer: None,
            answered_by: None,
            answered_at: None,
            cancel_reason: None,
            stage: TaskStage::None.to_i32(),
            reminded_at: None,
            next_check_at: Some(t.next_check_at),
            created_by,
            created_at: at,
        })
        .collect();
    Task::insert_many(rows.iter().cloned().map(department_task::ActiveModel::from))
        .exec_without_returning(db)
        .await?;
    Ok(rows)
}

/// One task.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, StoreError> {
    Ok(Task::find_by_id(id).one(db).await?)
}

/// The tasks of several tickets, oldest first (for data loaders).
pub async fn of_tickets<C: ConnectionTrait>(
    db: &C,
    ticket_ids: &[Uuid],
) -> Result<Vec<Model>, StoreError> {
    Ok(Task::find()
        .filter(K::TicketId.is_in(ticket_ids.iter().copied()))
        .order_by_asc(K::CreatedAt)
        .order_by_asc(K::Id)
        .all(db)
        .await?)
}

/// Tasks by due time (soonest first, then id), optionally of some departments only and open
/// and overdue at `now` only; `after` is the last (due, id) of the previous page.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    departments: Option<&[Uuid]>,
    overdue_at: Option<DateTime<Utc>>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    let mut query = Task::find()
        .order_by_asc(K::DueAt)
        .order_by_asc(K::Id)
        .limit(limit);
    if let Some(departments) = departments {
        query = query.filter(K::DepartmentId.is_in(departments.iter().copied()));
    }
    if let Some(now) = overdue_at {
        query = query.filter(K::Status.eq(OPEN)).filter(K::DueAt.lt(now));
    }
    if let Some((due, id)) = after {
        query = query.filter(
            sea_orm::Condition::any().add(K::DueAt.gt(due)).add(
                sea_orm::Condition::all()
                    .add(K::DueAt.eq(due))
                    .add(K::Id.gt(id)),
            ),
        );
    }
    Ok(query.all(db).await?)
}

/// Closes an open task as answered or cancelled; `false` when it was no longer open.
pub async fn close<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    status: DepartmentTaskStatus,
    text: &str,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut update = Task::update_many()
        .col_expr(K::Status, Expr::value(status.as_str()))
        .col_expr(K::NextCheckAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(K::Id.eq(id))
        .filter(K::Status.eq(OPEN));
    update = match status {
        DepartmentTaskStatus::Answered => update
            .col_expr(K::Answer, Expr::value(text))
            .col_expr(K::AnsweredBy, Expr::value(by))
            .col_expr(K::AnsweredAt, Expr::value(at)),
        _ => update.col_expr(K::CancelReason, Expr::value(text)),
    };
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// Cancels every open task of a ticket (it left the departments' hands).
pub async fn cancel_open<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    reason: &str,
    _at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(Task::update_many()
        .col_expr(
            K::Status,
            Expr::value(DepartmentTaskStatus::Cancelled.as_str()),
        )
        .col_expr(K::CancelReason, Expr::value(reason))
        .col_expr(K::NextCheckAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(K::TicketId.eq(ticket_id))
        .filter(K::Status.eq(OPEN))
        .exec(db)
        .await?
        .rows_affected)
}

/// How many tasks of a ticket are still open.
pub async fn open_count<C: ConnectionTrait>(db: &C, ticket_id: Uuid) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(Task::find()
        .filter(K::TicketId.eq(ticket_id))
        .filter(K::Status.eq(OPEN))
        .count(db)
        .await?)
}

/// Open tasks whose next look has come, oldest first.
pub async fn due_for_check<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    Ok(Task::find()
        .filter(K::Status.eq(OPEN))
        .filter(K::NextCheckAt.lte(now))
        .order_by_asc(K::NextCheckAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Moves task `task` from stage `was` to `now` (with the next look at `next_check_at`; the
/// reminder time stamped when `reminded`) if no other instance did first. Returns whether
/// this call did; the caller records what the new stage means in the same transaction.
pub async fn advance<C: ConnectionTrait>(
    db: &C,
    task: &Model,
    was: TaskStage,
    now: TaskStage,
    next_check_at: Option<DateTime<Utc>>,
    reminded: bool,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut update = Task::update_many()
        .col_expr(K::Stage, Expr::value(now.to_i32()))
        .col_expr(K::NextCheckAt, Expr::value(next_check_at))
        .filter(K::Id.eq(task.id))
        .filter(K::Status.eq(OPEN))
        .filter(K::Stage.eq(was.to_i32()));
    if reminded {
        update = update.col_expr(K::RemindedAt, Expr::value(at));
    }
    Ok(update.exec(db).await?.rows_affected > 0)
}

/// Tells `task`'s ticket that its department was reminded (`text`, internal), and the
/// department's queue: the snapshot names the task's department.
pub async fn record_reminder<C: ConnectionTrait>(
    db: &C,
    task: &Model,
    text: String,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let ticket = ticket::Entity::find_by_id(task.ticket_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("ticket"))?;
    let customer_user = customer::Entity::find_by_id(ticket.customer_id)
        .one(db)
        .await?
        .and_then(|c| c.user_id);
    let mut snapshot = outbox::snapshot(&ticket, customer_user);
    snapshot.department_id = Some(task.department_id);
    let entry = EventDraft {
        kind: TicketEventKind::DepartmentReminded,
        internal: true,
        message: Some(text),
        from_status: None,
        to_status: None,
    };
    journal::append(
        db,
        Author {
            ticket: &ticket,
            customer_user_id: customer_user,
            actor: None,
            at,
        },
        Append {
            entries: std::slice::from_ref(&entry),
            also: vec![Envelope::new(Event::Queue {
                kind: QueueEventKind::Updated,
                ticket: snapshot,
                at,
            })],
            ..Append::default()
        },
        Announce::Entries,
    )
    .await?;
    Ok(())
}
