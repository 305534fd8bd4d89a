//! Casework use cases: dispatching a ticket to several departments with deadlines, their
//! answers and cancellations, the deadline worker's reminders and escalations, reclassifying,
//! evidence, and follow-up cases.

use super::error::{AppError, AppResult};
use super::tickets::{By, Extra, execute, load_readable, run_in, viewer_of};
use super::{Actor, App, text};
use careline_domain::Action;
use careline_domain::permission::allowed;
use careline_domain::role::Role;
use careline_domain::sla::{BusinessCalendar, DEFAULT_TIME_ZONE, DEFAULT_WINDOWS};
use careline_domain::ticket::{
    AttachmentInput, Command, DepartmentTaskStatus, MAX_TEXT_CHARS, SystemCommand, TaskRequest,
    TaskStage, check_tasks, plan_task, task_stage, validate_added_attachments,
};
use careline_persistence::department_tasks as store;
use careline_persistence::entity::{department, department_task, ticket};
use careline_persistence::{calendars, org, tickets};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
use std::collections::HashMap;
use uuid::Uuid;

/// Most tasks one `departmentTasks` page returns.
pub const MAX_TASK_PAGE: u64 = 100;

/// The calendar a department's deadlines count on: its own, or the default customer-service
/// hours.
async fn department_calendar<C: ConnectionTrait>(
    db: &C,
    department: &department::Model,
) -> AppResult<BusinessCalendar> {
    if let Some(id) = department.calendar_id
        && let Some(calendar) = calendars::load(db, id).await?
    {
        return Ok(calendar);
    }
    Ok(BusinessCalendar::parse(DEFAULT_TIME_ZONE, DEFAULT_WINDOWS)?)
}

/// Sends ticket `id` to one or more departments at once, each with its own deadline on its own
/// calendar (`PENDING_DEPARTMENT` until every task is answered or cancelled).
pub async fn dispatch_to_departments(
    app: &App,
    actor: &Actor,
    id: Uuid,
    tasks: Vec<TaskRequest>,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    check_tasks(&tasks)?;
    let at = app.now();
    let ids: Vec<Uuid> = tasks.iter().map(|t| t.department_id).collect();
    let departments: HashMap<Uuid, department::Model> = org::departments_by_id(&app.db, &ids)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let mut planned = Vec::with_capacity(tasks.len());
    let mut lines = Vec::with_capacity(tasks.len());
    for task in &tasks {
        let department = departments
            .get(&task.department_id)
            .ok_or_else(|| AppError::bad_input("tasks.departmentId", "no such department"))?;
        let calendar = department_calendar(&app.db, department).await?;
        let plan = plan_task(task, &calendar, at)?;
        let due = plan
            .due_at
            .with_timezone(&calendar.time_zone())
            .format("%Y-%m-%d %H:%M");
        lines.push(match &plan.instructions {
            Some(instructions) => format!("{} (due {due}): {instructions}", department.name),
            None => format!("{} (due {due})", department.name),
        });
        planned.push(plan);
    }
    let cmd = Command::Dispatch {
        department_id: planned[0].department_id,
        instructions: Some(lines.join("\n")).filter(|s| s.chars().count() <= MAX_TEXT_CHARS),
    };
    let txn = app.db.begin().await?;
    let applied = run_in(
        &txn,
        &viewer_of(&actor.user),
        id,
        expected_version,
        cmd,
        Extra::None,
        at,
    )
    .await?;
    store::insert(&txn, id, actor.user.id, &planned, at).await?;
    txn.commit().await?;
    app.committed();
    tracing::info!(ticket.id = %id, tasks = planned.len(), "ticket dispatched to departments");
    Ok(applied.ticket)
}

/// Whether `actor` speaks for the task's department (a liaison of it) or leads the floor.
fn may_handle(actor: &Actor, task: &department_task::Model) -> bool {
    let roles = actor.user.role_set();
    let liaison =
        roles.has(Role::DepartmentLiaison) && actor.user.department_id == Some(task.department_id);
    liaison || allowed(roles, Action::ReadQueue)
}

/// A task the actor may see; others are reported as not found.
async fn visible_task(app: &App, actor: &Actor, id: Uuid) -> AppResult<department_task::Model> {
    match store::find(&app.db, id).await? {
        Some(task) if may_handle(actor, &task) => Ok(task),
        _ => Err(AppError::NotFound("department task not found".into())),
    }
}

/// The department answers its task; the ticket returns to its owner when no task is left open.
pub async fn answer_task(
    app: &App,
    actor: &Actor,
    id: Uuid,
    answer: &str,
) -> AppResult<department_task::Model> {
    let answer = text(answer, "answer", MAX_TEXT_CHARS)?;
    let task = visible_task(app, actor, id).await?;
    close_task(app, actor, task, DepartmentTaskStatus::Answered, answer).await
}

/// Cancels a task that is no longer needed (whoever may dispatch the ticket).
pub async fn cancel_task(
    app: &App,
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> AppResult<department_task::Model> {
    let reason = text(reason, "reason", MAX_TEXT_CHARS)?;
    let task = match store::find(&app.db, id).await? {
        Some(task) => task,
        None => return Err(AppError::NotFound("department task not found".into())),
    };
    // Only those who may dispatch the ticket (and read it) call a department off.
    load_readable(app, &viewer_of(&actor.user), task.ticket_id)
        .await
        .map_err(|_| AppError::NotFound("department task not found".into()))?;
    if !allowed(actor.user.role_set(), Action::DispatchTicket) {
        return Err(AppError::Forbidden(
            "only those who dispatch tickets may cancel a department's task".into(),
        ));
    }
    close_task(app, actor, task, DepartmentTaskStatus::Cancelled, reason).await
}

async fn close_task(
    app: &App,
    actor: &Actor,
    task: department_task::Model,
    status: DepartmentTaskStatus,
    text: String,
) -> AppResult<department_task::Model> {
    let at = app.now();
    let department = org::department(&app.db, task.department_id)
        .await?
        .map_or_else(|| "a department".to_owned(), |d| d.name);
    let txn = app.db.begin().await?;
    if !store::close(&txn, task.id, status, &text, actor.user.id, at).await? {
        return Err(AppError::Conflict(format!(
            "this task is already {}",
            match store::find(&txn, task.id).await?.map(|t| t.status) {
                Some(s) => s.to_lowercase(),
                None => "gone".into(),
            }
        )));
    }
    let returns = store::open_count(&txn, task.ticket_id).await? == 0;
    let cmd = match status {
        DepartmentTaskStatus::Answered => SystemCommand::DepartmentAnswered {
            department,
            answer: text,
            returns,
        },
        _ => SystemCommand::DepartmentTaskCancelled {
            department,
            reason: text,
            returns,
        },
    };
    apply_system_in(&txn, task.ticket_id, cmd, Some(actor.user.id), at).await?;
    txn.commit().await?;
    app.committed();
    store::find(&app.db, task.id)
        .await?
        .ok_or_else(|| AppError::NotFound("department task not found".into()))
}

/// Applies a system command to ticket `id` inside the caller's transaction.
async fn apply_system_in<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    id: Uuid,
    command: SystemCommand,
    actor: Option<Uuid>,
    at: DateTime<Utc>,
) -> AppResult<ticket::Model> {
    let by = By::System { command, actor };
    Ok(execute(db, id, by, None, Extra::None, at).await?.ticket)
}

/// Department tasks the actor may see, soonest due first: liaisons their own department's,
/// leads every department's (or one).
pub async fn list_tasks(
    app: &App,
    actor: &Actor,
    department_id: Option<Uuid>,
    overdue_only: bool,
    first: u64,
    after: Option<(DateTime<Utc>, Uuid)>,
) -> AppResult<Vec<department_task::Model>> {
    let roles = actor.user.role_set();
    let departments: Option<Vec<Uuid>> = if allowed(roles, Action::ReadQueue) {
        department_id.map(|d| vec![d])
    } else {
        match (actor.user.department_id, department_id) {
            (Some(own), None) => Some(vec![own]),
            (Some(own), Some(asked)) if asked == own => Some(vec![own]),
            // Another department's tasks, or no department at all: nothing to see.
            _ => return Ok(Vec::new()),
        }
    };
    let overdue_at = overdue_only.then(|| app.now());
    Ok(store::list(
        &app.db,
        departments.as_deref(),
        overdue_at,
        after,
        first.clamp(1, MAX_TASK_PAGE),
    )
    .await?)
}

/// One pass of the deadline worker: reminds the liaisons of tasks past 80 % of their time and
/// escalates those past their due time, each exactly once across instances. Returns how many
/// tasks this instance moved.
pub async fn check_deadlines(app: &App, now: DateTime<Utc>) -> AppResult<usize> {
    let mut moved = 0;
    let mut calendars: HashMap<Uuid, BusinessCalendar> = HashMap::new();
    let mut names: HashMap<Uuid, String> = HashMap::new();
    loop {
        let due = store::due_for_check(&app.db, now, 200).await?;
        let batch = due.len();
        for task in due {
            if !calendars.contains_key(&task.department_id) {
                let Some(department) = org::department(&app.db, task.department_id).await? else {
                    continue;
                };
                calendars.insert(
                    department.id,
                    department_calendar(&app.db, &department).await?,
                );
                names.insert(department.id, department.name);
            }
            let (Some(calendar), Some(name)) = (
                calendars.get(&task.department_id),
                names.get(&task.department_id),
            ) else {
                continue;
            };
            let was = TaskStage::from_i32(task.stage);
            let (reached, next) = task_stage(task.created_at, task.due_at, was, now, calendar);
            let local_due = task
                .due_at
                .with_timezone(&calendar.time_zone())
                .format("%Y-%m-%d %H:%M");
            let reminder = (was < TaskStage::Reminded && reached >= TaskStage::Reminded)
                .then(|| format!("reminder to {name}: its answer is due {local_due}"));
            let overdue = (reached == TaskStage::Escalated && was < TaskStage::Escalated).then(|| {
                format!(
                    "{name} has not answered by its deadline ({local_due}): escalated to the owner's supervisor"
                )
            });
            // The stage moves once across instances (a conditional write); what it means is
            // recorded in the same transaction, the escalation through the ticket's write path.
            let txn = app.db.begin().await?;
            if !store::advance(&txn, &task, was, reached, next, reminder.is_some(), now).await? {
                continue;
            }
            if let Some(text) = reminder {
                store::record_reminder(&txn, &task, text, now).await?;
            }
            if let Some(reason) = overdue {
                let command = SystemCommand::DepartmentOverdue { reason };
                match apply_system_in(&txn, task.ticket_id, command, None, now).await {
                    Ok(_) => {}
                    // The ticket changed meanwhile: the stage is not moved, the next pass
                    // tries again.
                    Err(AppError::Conflict(_)) => continue,
                    Err(other) => return Err(other),
                }
            }
            txn.commit().await?;
            moved += 1;
        }
        if batch < 200 {
            break;
        }
    }
    Ok(moved)
}

/// Changes a ticket's kind, severity, category or priority; its SLA targets are counted again
/// from intake on the new policy, and a complaint made major (or a ticket made urgent) goes
/// to the working group at once.
pub async fn reclassify(
    app: &App,
    actor: &Actor,
    id: Uuid,
    cmd: Command,
    expected_version: Option<i32>,
) -> AppResult<ticket::Model> {
    // The request's own shape first, before the ticket is looked at.
    if let Command::Reclassify {
        kind,
        severity,
        category,
        priority,
        reason,
    } = &cmd
    {
        text(reason, "input.reason", MAX_TEXT_CHARS)?;
        if kind.is_none() && severity.is_none() && category.is_none() && priority.is_none() {
            return Err(AppError::bad_input(
                "input",
                "give a new kind, severity, category or priority",
            ));
        }
    }
    let applied = super::tickets::run(
        app,
        &viewer_of(&actor.user),
        id,
        expected_version,
        cmd,
        Extra::None,
    )
    .await?;
    Ok(applied.ticket)
}

/// Adds evidence to a ticket before it is closed (staff who may act on it, or its customer):
/// files named by URI (`added`) and files the actor uploaded (`file_ids`, claimed against
/// `fileIds` and attached in the change's transaction).
pub async fn add_attachments(
    app: &App,
    actor: &Actor,
    id: Uuid,
    added: &[AttachmentInput],
    file_ids: &[Uuid],
) -> AppResult<ticket::Model> {
    // The files' shape first, whatever the ticket (issue 18: arguments before existence);
    // the count against what the ticket already holds once it is loaded.
    if !added.is_empty() || file_ids.is_empty() {
        validate_added_attachments(0, added)?;
    }
    let uploads = crate::files::claim(&app.db, actor.id(), file_ids, "fileIds").await?;
    let viewer = viewer_of(&actor.user);
    let (loaded, _) = load_readable(app, &viewer, id).await?;
    let existing = tickets::attachments_of(&loaded.ticket)?;
    let files = if added.is_empty() {
        Vec::new()
    } else {
        validate_added_attachments(existing.len(), added)?
    };
    let cmd = Command::AddAttachments {
        names: files
            .iter()
            .map(|f| f.file_name.clone())
            .chain(uploads.iter().map(|f| f.file_name.clone()))
            .collect(),
    };
    let applied = super::tickets::run_with_files(
        app,
        &viewer,
        id,
        Some(loaded.ticket.version),
        cmd,
        Extra::Attachments(files),
        file_ids,
    )
    .await?;
    Ok(applied.ticket)
}
