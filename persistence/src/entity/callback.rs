use sea_orm::entity::prelude::*;

/// A call or visit owed to a customer (回访, 回电, 预约), with its due time and assignee.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "callbacks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub purpose: String,
    pub ticket_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub assignee_id: Uuid,
    pub due_at: DateTimeUtc,
    pub status: String,
    pub note: Option<String>,
    pub attempts: i32,
    pub outcome: Option<String>,
    pub done_at: Option<DateTimeUtc>,
    pub done_by: Option<Uuid>,
    /// The ticket's `resolution_count` when it was scheduled.
    pub resolution: Option<i32>,
    /// Scheduled because the customer was not satisfied at the follow-up visit.
    pub after_disagreement: bool,
    pub reminded_at: Option<DateTimeUtc>,
    pub overdue_notified_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
