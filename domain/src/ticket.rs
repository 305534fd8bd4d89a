//! Tickets: the contract vocabulary, intake validation, ticket numbers, who may read what, and
//! the lifecycle state machine. Everything here is pure; the API loads a ticket's facts, asks
//! [`decide`], and persists the returned [`Change`] under its optimistic version check.

mod access;
mod bookkeeping;
mod casework;
mod corrective;
mod intake;
mod lifecycle;
mod number;
mod vocabulary;

pub use access::{
    ReadScope, Viewer, can_read, can_see_contact, can_see_internal, can_see_involved, mask_email,
    mask_phone, read_scope,
};
pub use bookkeeping::{Bookkeeping, Effects, Record, effects};
pub use casework::{
    FOLLOW_UP_BEFORE_CLOSING, MAX_TASKS_PER_DISPATCH, PlannedTask, TaskRequest, TaskStage,
    check_tasks, needs_follow_up, plan_task, task_overdue, task_stage,
};
pub use corrective::{
    REMIND_BEFORE, corrective_action_transition, is_overdue, overdue_escalation, reminders,
};
pub use intake::{
    ALLOWED_CONTENT_TYPES, Attachment, AttachmentInput, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS,
    MAX_FILE_NAME_CHARS, MAX_SHORT_TEXT_CHARS, MAX_SUBJECT_CHARS, MAX_TEXT_CHARS, MAX_URI_CHARS,
    NewTicketInput, Registrar, ValidatedIntake, default_priority, validate_added_attachments,
    validate_intake,
};
pub use lifecycle::{
    AUTO_CLOSE_DAYS, Change, Classification, Command, EventDraft, MAX_INVOLVED_STAFF,
    SystemCommand, TicketFacts, allowed_moves, check_arguments, decide, decide_system,
};
pub use number::{format_ticket_number, parse_ticket_number};
pub use vocabulary::{
    Channel, ComplaintCategory, ComplaintVerdict, CorrectiveActionStatus, DepartmentTaskStatus,
    FollowUpMethod, Priority, Severity, SuggestionStatus, TicketEventKind, TicketKind,
    TicketStatus,
};
