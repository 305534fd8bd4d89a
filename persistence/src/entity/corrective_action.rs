use sea_orm::entity::prelude::*;

/// A corrective action (整改措施) owned by a department.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "corrective_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub description: String,
    pub department_id: Uuid,
    pub due_at: Option<DateTimeUtc>,
    pub status: String,
    pub created_by: Uuid,
    pub verified_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the reminder a day before `due_at` went to the department's liaisons.
    pub reminded_at: Option<DateTimeUtc>,
    /// When its overdue escalation was recorded (once, by whichever instance set this).
    pub overdue_escalated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
