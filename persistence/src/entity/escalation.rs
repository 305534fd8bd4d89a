use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "escalations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub level: i32,
    pub kind: String,
    pub target: Option<String>,
    pub reason: String,
    pub at: DateTimeUtc,
    /// Who escalated by hand (`NULL`: the SLA worker or intake).
    pub created_by: Option<Uuid>,
    pub acknowledged_by: Option<Uuid>,
    pub acknowledged_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
