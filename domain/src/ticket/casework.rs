//! Casework rules: department tasks with deadlines (the complaint plan's 规定时限 and 督促),
//! and which tickets need a follow-up visit before they close.
//!
//! A dispatched ticket holds one task per department. Each task is due a number of business
//! minutes after dispatch on the department's own calendar (one of its usual working days by
//! default). At 80 % of that time the department's liaisons are reminded, at the due time the
//! ticket escalates to its owner's supervisor; the worker records each exactly once. The
//! ticket returns to its owner when no task is left open.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::intake::{MAX_TEXT_CHARS, optional_text_max};
use super::vocabulary::{DepartmentTaskStatus, TicketKind};
use crate::DomainError;
use crate::sla::{BusinessCalendar, MAX_TARGET_MINUTES, warning_at};

/// Most departments one dispatch reaches.
pub const MAX_TASKS_PER_DISPATCH: usize = 10;

/// How far a task's deadline has run, as the worker last recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskStage {
    /// Less than 80 % of the time used.
    None,
    /// 80 % used: the liaisons were reminded.
    Reminded,
    /// The due time passed: escalated to the owner's supervisor.
    Escalated,
}

impl TaskStage {
    /// As stored.
    pub fn to_i32(self) -> i32 {
        match self {
            TaskStage::None => 0,
            TaskStage::Reminded => 1,
            TaskStage::Escalated => 2,
        }
    }

    /// From storage; unknown values read as the furthest stage (nothing is sent twice).
    pub fn from_i32(value: i32) -> TaskStage {
        match value {
            0 => TaskStage::None,
            1 => TaskStage::Reminded,
            _ => TaskStage::Escalated,
        }
    }
}

/// One department's part of a dispatch, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRequest {
    /// The department.
    pub department_id: Uuid,
    /// What it should look into; internal.
    pub instructions: Option<String>,
    /// The deadline in business minutes; `None` for one of the department's working days.
    pub minutes: Option<i32>,
}

/// A task ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTask {
    /// The department.
    pub department_id: Uuid,
    /// Trimmed instructions.
    pub instructions: Option<String>,
    /// The deadline in business minutes.
    pub minutes: i32,
    /// When the answer is due.
    pub due_at: DateTime<Utc>,
    /// When the worker first looks (the 80 % mark).
    pub next_check_at: DateTime<Utc>,
}

/// Checks a dispatch's tasks: one to [`MAX_TASKS_PER_DISPATCH`], each department once,
/// deadlines between a minute and a year, instructions within the text limit. Errors are
/// [`DomainError::InvalidInput`] on `tasks`.
pub fn check_tasks(tasks: &[TaskRequest]) -> Result<(), DomainError> {
    if tasks.is_empty() {
        return Err(DomainError::invalid(
            "tasks",
            "name at least one department",
        ));
    }
    if tasks.len() > MAX_TASKS_PER_DISPATCH {
        return Err(DomainError::invalid(
            "tasks",
            format!("at most {MAX_TASKS_PER_DISPATCH} departments at once"),
        ));
    }
    for (i, task) in tasks.iter().enumerate() {
        if tasks[..i]
            .iter()
            .any(|t| t.department_id == task.department_id)
        {
            return Err(DomainError::invalid(
                "tasks",
                "each department is named once per dispatch",
            ));
        }
        if let Some(minutes) = task.minutes
            && !(1..=MAX_TARGET_MINUTES).contains(&minutes)
        {
            return Err(DomainError::invalid(
                "tasks.dueInBusinessMinutes",
                "must be between 1 minute and a year",
            ));
        }
        optional_text_max(
            "tasks.instructions",
            "instructions",
            task.instructions.as_deref(),
            MAX_TEXT_CHARS,
        )?;
    }
    Ok(())
}

/// A checked task dispatched at `now`, its deadline counted on the department's calendar.
pub fn plan_task(
    task: &TaskRequest,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Result<PlannedTask, DomainError> {
    let minutes = task.minutes.unwrap_or_else(|| {
        i32::try_from(calendar.usual_day_minutes())
            .unwrap_or(i32::MAX)
            .max(1)
    });
    let due_at = calendar.add_business_minutes(now, i64::from(minutes));
    Ok(PlannedTask {
        department_id: task.department_id,
        instructions: optional_text_max(
            "tasks.instructions",
            "instructions",
            task.instructions.as_deref(),
            MAX_TEXT_CHARS,
        )?,
        minutes,
        due_at,
        next_check_at: warning_at(now, due_at, calendar),
    })
}

/// The stage an open task dispatched at `start` and due at `due` has reached at `now`
/// (never behind `recorded`), and when the worker must look next (`None`: nothing left).
pub fn task_stage(
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    recorded: TaskStage,
    now: DateTime<Utc>,
    calendar: &BusinessCalendar,
) -> (TaskStage, Option<DateTime<Utc>>) {
    let reminder = warning_at(start, due, calendar);
    let reached = if now >= due {
        TaskStage::Escalated
    } else if now >= reminder {
        TaskStage::Reminded
    } else {
        TaskStage::None
    }
    .max(recorded);
    let next = match reached {
        TaskStage::None => Some(reminder),
        TaskStage::Reminded => Some(due),
        TaskStage::Escalated => None,
    };
    (reached, next)
}

/// Whether a task is past its due time and still open.
pub fn task_overdue(status: DepartmentTaskStatus, due: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == DepartmentTaskStatus::Open && due < now
}

/// The kinds that close only after a follow-up visit (回访), in one place: complaints, as the
/// complaint plan requires, and after-sales repairs, as the handbooks do.
pub const FOLLOW_UP_BEFORE_CLOSING: [TicketKind; 2] =
    [TicketKind::Complaint, TicketKind::AfterSales];

/// Whether tickets of `kind` need a follow-up visit before they close.
pub fn needs_follow_up(kind: TicketKind) -> bool {
    FOLLOW_UP_BEFORE_CLOSING.contains(&kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn back_office() -> BusinessCalendar {
        BusinessCalendar::parse("UTC", "Mon-Fri 09:00-18:00").unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn task(minutes: Option<i32>) -> TaskRequest {
        TaskRequest {
            department_id: Uuid::now_v7(),
            instructions: Some("  check the contract ".into()),
            minutes,
        }
    }

    #[test]
    fn a_task_is_due_one_working_day_later_on_the_departments_calendar() {
        // Friday 2026-11-27 at 17:00: one hour on Friday, eight on Monday.
        let planned = plan_task(&task(None), &back_office(), at("2026-11-27T17:00:00Z")).unwrap();
        assert_eq!(planned.minutes, 540);
        assert_eq!(planned.due_at, at("2026-11-30T17:00:00Z"));
        assert_eq!(planned.instructions.as_deref(), Some("check the contract"));
        // The reminder at 80 %: 432 business minutes in, Monday 15:12.
        assert_eq!(planned.next_check_at, at("2026-11-30T15:12:00Z"));
    }

    #[test]
    fn stages_move_forward_once_each() {
        let cal = back_office();
        let (start, due) = (at("2026-11-30T09:00:00Z"), at("2026-11-30T10:40:00Z"));
        assert_eq!(
            task_stage(
                start,
                due,
                TaskStage::None,
                at("2026-11-30T09:30:00Z"),
                &cal
            ),
            (TaskStage::None, Some(at("2026-11-30T10:20:00Z")))
        );
        assert_eq!(
            task_stage(
                start,
                due,
                TaskStage::None,
                at("2026-11-30T10:30:00Z"),
                &cal
            ),
            (TaskStage::Reminded, Some(due))
        );
        assert_eq!(
            task_stage(
                start,
                due,
                TaskStage::None,
                at("2026-11-30T11:00:00Z"),
                &cal
            ),
            (TaskStage::Escalated, None)
        );
        // Never back.
        assert_eq!(
            task_stage(
                start,
                due,
                TaskStage::Escalated,
                at("2026-11-30T09:30:00Z"),
                &cal
            )
            .0,
            TaskStage::Escalated
        );
    }

    #[test]
    fn a_dispatch_names_each_department_once_with_sane_deadlines() {
        let one = task(None);
        assert!(check_tasks(std::slice::from_ref(&one)).is_ok());
        assert!(check_tasks(&[]).is_err());
        assert!(check_tasks(&[one.clone(), one.clone()]).is_err());
        assert!(check_tasks(&[task(Some(0))]).is_err());
        let many: Vec<TaskRequest> = (0..=MAX_TASKS_PER_DISPATCH).map(|_| task(None)).collect();
        assert!(check_tasks(&many).is_err());
    }

    #[test]
    fn complaints_and_after_sales_close_after_a_follow_up() {
        assert!(needs_follow_up(TicketKind::Complaint));
        assert!(needs_follow_up(TicketKind::AfterSales));
        assert!(!needs_follow_up(TicketKind::Inquiry));
    }
}
