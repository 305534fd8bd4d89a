use sea_orm::entity::prelude::*;

/// A department's part of a dispatched ticket: what it must answer, by when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "department_tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub department_id: Uuid,
    pub instructions: Option<String>,
    /// The deadline's size in business minutes on the department's calendar.
    pub minutes: i32,
    pub due_at: DateTimeUtc,
    /// `OPEN`, `ANSWERED` or `CANCELLED`.
    pub status: String,
    pub answer: Option<String>,
    pub answered_by: Option<Uuid>,
    pub answered_at: Option<DateTimeUtc>,
    pub cancel_reason: Option<String>,
    /// 0 none, 1 the liaisons were reminded (80 %), 2 escalated (the due time passed).
    pub stage: i32,
    pub reminded_at: Option<DateTimeUtc>,
    /// When the worker must look next; `None` once nothing is left to do.
    pub next_check_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
