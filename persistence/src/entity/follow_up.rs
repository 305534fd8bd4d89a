use sea_orm::entity::prelude::*;

/// A follow-up visit (回访) after a resolution.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_ups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub by_id: Uuid,
    pub at: DateTimeUtc,
    pub method: String,
    pub outcome: String,
    pub customer_satisfied: bool,
    /// The ticket's `resolution_count` when it was recorded.
    pub resolution: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
