use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sla_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `KIND` or `KIND/SEVERITY`; unique.
    pub match_key: String,
    pub kind: String,
    pub severity: Option<String>,
    pub first_response_minutes: i32,
    pub resolution_minutes: i32,
    pub time_zone: String,
    pub windows: String,
    /// The business calendar its deadlines count on.
    pub calendar_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
