//! Casework in GraphQL: department tasks with deadlines, reclassifying, evidence and follow-up
//! cases. The use cases are `crate::app::casework`.

use crate::app::casework as uc;
use crate::app::tickets::NewTicketRequest;
use crate::app::{AppError, AppResult};
use crate::graphql::connection::{decode_keyed_cursor, encode_keyed_cursor, first_or_default};
use crate::graphql::loaders::{load_failed, loaders};
use crate::graphql::people::{Department, User};
use crate::graphql::tickets::{
    AttachmentInput, ComplaintCategory, CreateTicketInput, Priority, Severity, Ticket, TicketKind,
};
use crate::graphql::{Can, actor, app, found_id, input_id, optional_id};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_app::rows::department_task;
use careline_domain::Action;
use careline_domain::ticket::{self as rules, Command, TaskRequest};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Where a department task stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::ticket::DepartmentTaskStatus")]
pub enum DepartmentTaskStatus {
    /// Waiting for the department's answer.
    Open,
    /// The department answered.
    Answered,
    /// No longer needed.
    Cancelled,
}

/// One department's part of a dispatched ticket: what to look into and by when.
#[derive(Clone)]
pub struct DepartmentTask(pub department_task::Model);

/// One department's part of a dispatched ticket: what to look into and by when. Staff only.
#[Object]
impl DepartmentTask {
    /// The task's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The department asked to answer.
    async fn department(&self, ctx: &Context<'_>) -> AppResult<Department> {
        loaders(ctx)?
            .departments
            .load_one(self.0.department_id)
            .await
            .map_err(load_failed)?
            .map(Department)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("dangling department"), "task"))
    }
    /// What the department should look into.
    async fn instructions(&self) -> Option<&str> {
        self.0.instructions.as_deref()
    }
    /// When the answer is due, counted in business minutes on the department's calendar.
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }
    /// Still open past its due time.
    async fn overdue(&self, ctx: &Context<'_>) -> AppResult<bool> {
        Ok(rules::task_overdue(
            self.status_value()?,
            self.0.due_at,
            app(ctx)?.now(),
        ))
    }
    /// Where the task stands.
    async fn status(&self) -> AppResult<DepartmentTaskStatus> {
        Ok(self.status_value()?.into())
    }
    /// The department's answer (internal); null until answered.
    async fn answer(&self) -> Option<&str> {
        self.0.answer.as_deref()
    }
    /// Who recorded the answer (a liaison of the department, or a lead); null until answered.
    async fn answered_by(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        crate::graphql::tickets::load_user(ctx, self.0.answered_by).await
    }
    /// When the answer was recorded (UTC); null until answered.
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
    /// Reminders sent to the department's liaisons, the last one first.
    async fn reminded_at(&self) -> Vec<DateTime<Utc>> {
        self.0.reminded_at.into_iter().collect()
    }
    /// Why it was cancelled.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
    /// Pass as `after` to `departmentTasks` for the tasks after this one.
    async fn cursor(&self) -> String {
        task_cursor(&self.0)
    }
}

impl DepartmentTask {
    fn status_value(&self) -> AppResult<rules::DepartmentTaskStatus> {
        crate::app::tickets::stored(
            rules::DepartmentTaskStatus::parse(&self.0.status),
            "task status",
        )
    }
}

/// One department to send the ticket to.
#[derive(InputObject)]
pub struct DepartmentTaskInput {
    /// The department; each department at most once per dispatch.
    pub department_id: ID,
    /// What the department should look into (internal), at most 10,000 characters.
    pub instructions: Option<String>,
    /// The deadline in business minutes on the department's calendar (1 minute to a year).
    /// Defaults to the department's standard (one business day).
    pub due_in_business_minutes: Option<i32>,
}

/// What a ticket becomes; at least one of the four, and why.
#[derive(InputObject)]
pub struct ReclassifyInput {
    /// The new kind; omitted: unchanged.
    pub kind: Option<TicketKind>,
    /// The new severity (complaints); omitted: unchanged.
    pub severity: Option<Severity>,
    /// The new complaint category; omitted: unchanged.
    pub category: Option<ComplaintCategory>,
    /// The new priority; omitted: unchanged.
    pub priority: Option<Priority>,
    /// Why, 1 to 10,000 characters.
    pub reason: String,
}

const TASK_CURSOR: &str = "tasks-by-due";

fn task_cursor(task: &department_task::Model) -> String {
    encode_keyed_cursor(
        TASK_CURSOR,
        &format!("{}|{}", task.due_at.to_rfc3339(), task.id),
    )
}

fn parse_task_cursor(cursor: &str) -> AppResult<(DateTime<Utc>, Uuid)> {
    let key = decode_keyed_cursor(TASK_CURSOR, cursor, "after")?;
    let bad = || AppError::bad_input("after", "not a cursor from this list and order");
    let (due, id) = key.split_once('|').ok_or_else(bad)?;
    Ok((
        DateTime::parse_from_rfc3339(due)
            .map_err(|_| bad())?
            .with_timezone(&Utc),
        Uuid::parse_str(id).map_err(|_| bad())?,
    ))
}

#[derive(Default)]
pub struct CaseworkQuery;

#[Object]
impl CaseworkQuery {
    /// Department tasks, soonest due first: liaisons see their own department's, leads every
    /// department's (or one). `after` is the `cursor` of the last task of the previous page.
    #[graphql(guard = "Can(Action::AnswerDepartmentTask)")]
    async fn department_tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only this department's tasks; a liaison naming another department gets none."
        )]
        department_id: Option<ID>,
        #[graphql(desc = "Only tasks still open past their due time; default false.")]
        overdue_only: Option<bool>,
        #[graphql(desc = "Return at most this many tasks from the start (up to 100, default 20).")]
        first: Option<i32>,
        #[graphql(
            desc = "The `cursor` of the last task of the previous page; omitted: from the start."
        )]
        after: Option<String>,
    ) -> AppResult<Vec<DepartmentTask>> {
        let department = optional_id(department_id.as_ref(), "departmentId")?;
        let first = first_or_default(first)?;
        let after = after.as_deref().map(parse_task_cursor).transpose()?;
        let rows = uc::list_tasks(
            app(ctx)?,
            actor(ctx)?,
            department,
            overdue_only.unwrap_or(false),
            first,
            after,
        )
        .await?;
        Ok(rows.into_iter().map(DepartmentTask).collect())
    }
}

#[derive(Default)]
pub struct CaseworkMutation;

#[Object]
impl CaseworkMutation {
    /// Several departments at once, each with its own deadline; the ticket returns to its
    /// owner when all have answered.
    #[graphql(guard = "Can(Action::DispatchTicket)")]
    async fn dispatch_to_departments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "One task per department, 1 to 10 departments, each at most once.")]
        tasks: Vec<DepartmentTaskInput>,
        #[graphql(
            desc = "The `version` the caller last saw; a stale one is `CONFLICT`. Without it the write is still conditional on the version just read."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<Ticket> {
        let id = found_id(&id, "ticket")?;
        let tasks = tasks
            .into_iter()
            .map(|t| {
                Ok(TaskRequest {
                    department_id: input_id(&t.department_id, "tasks.departmentId")?,
                    instructions: t.instructions,
                    minutes: t.due_in_business_minutes,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let ticket =
            uc::dispatch_to_departments(app(ctx)?, actor(ctx)?, id, tasks, expected_version)
                .await?;
        Ok(Ticket(ticket))
    }

    /// The department's answer (its liaisons, or a lead recording it).
    #[graphql(guard = "Can(Action::AnswerDepartmentTask)")]
    async fn answer_department_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The department task's id.")] task_id: ID,
        #[graphql(desc = "The department's answer (internal), 1 to 10,000 characters.")]
        answer: String,
    ) -> AppResult<DepartmentTask> {
        let id = found_id(&task_id, "department task")?;
        Ok(DepartmentTask(
            uc::answer_task(app(ctx)?, actor(ctx)?, id, &answer).await?,
        ))
    }

    /// Calls a department off (whoever may dispatch the ticket).
    #[graphql(guard = "Can(Action::DispatchTicket)")]
    async fn cancel_department_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The department task's id.")] task_id: ID,
        #[graphql(desc = "Why it is no longer needed, 1 to 10,000 characters.")] reason: String,
    ) -> AppResult<DepartmentTask> {
        let id = found_id(&task_id, "department task")?;
        Ok(DepartmentTask(
            uc::cancel_task(app(ctx)?, actor(ctx)?, id, &reason).await?,
        ))
    }

    /// Change kind, severity, category or priority after intake; SLA targets are recomputed
    /// and a complaint raised to MAJOR goes to the working group at once.
    #[graphql(guard = "Can(Action::ReclassifyTicket)")]
    async fn reclassify_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(desc = "What changes, and why.")] input: ReclassifyInput,
        #[graphql(
            desc = "The `version` the caller last saw; a stale one is `CONFLICT`. Without it the write is still conditional on the version just read."
        )]
        expected_version: Option<i32>,
    ) -> AppResult<Ticket> {
        let id = found_id(&id, "ticket")?;
        let cmd = Command::Reclassify {
            kind: input.kind.map(Into::into),
            severity: input.severity.map(Into::into),
            category: input.category.map(Into::into),
            priority: input.priority.map(Into::into),
            reason: input.reason,
        };
        Ok(Ticket(
            uc::reclassify(app(ctx)?, actor(ctx)?, id, cmd, expected_version).await?,
        ))
    }

    /// Adds evidence before the ticket is closed (staff who may act on it, or its customer).
    #[graphql(guard = "Can(Action::AddEvidence)")]
    async fn add_attachments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket's id.")] id: ID,
        #[graphql(
            desc = "The files to add by URI; a ticket holds at most 20 in all. At least one file in all, here or in `fileIds`."
        )]
        attachments: Vec<AttachmentInput>,
        #[graphql(
            desc = "Files the caller uploaded (`uploadFile`) and has not attached elsewhere, at most 10."
        )]
        file_ids: Option<Vec<ID>>,
    ) -> AppResult<Ticket> {
        let id = found_id(&id, "ticket")?;
        let file_ids = file_ids
            .unwrap_or_default()
            .iter()
            .map(|f| input_id(f, "fileIds"))
            .collect::<AppResult<Vec<_>>>()?;
        let files: Vec<rules::AttachmentInput> = attachments
            .into_iter()
            .map(|a| rules::AttachmentInput {
                file_name: a.file_name,
                content_type: a.content_type,
                size_bytes: i64::from(a.size_bytes),
                uri: a.uri,
            })
            .collect();
        Ok(Ticket(
            uc::add_attachments(app(ctx)?, actor(ctx)?, id, &files, &file_ids).await?,
        ))
    }

    /// Opens a follow-up case (跟进个案) of a ticket: same customer, owner and team; linked on
    /// both (`parent`, `followUpCases`).
    #[graphql(guard = "Can(Action::CreateTicket)")]
    async fn open_follow_up_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket this case follows up.")] parent_id: ID,
        #[graphql(desc = "The new case; its customer is the parent's, whatever `customer` says.")]
        input: CreateTicketInput,
    ) -> AppResult<Ticket> {
        let parent = found_id(&parent_id, "ticket")?;
        let request = NewTicketRequest {
            parent_id: Some(parent),
            ..crate::graphql::tickets::new_ticket_request(input)?
        };
        let created = crate::app::tickets::create(app(ctx)?, &actor(ctx)?.user, request).await?;
        Ok(Ticket(created.ticket))
    }
}
