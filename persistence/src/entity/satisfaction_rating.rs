use sea_orm::entity::prelude::*;

/// A satisfaction rating, unique per ticket and resolution.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "satisfaction_ratings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    /// The ticket's `resolution_count` when it was rated.
    pub resolution: i32,
    pub rating: i32,
    pub comment: Option<String>,
    pub rated_by: Uuid,
    pub at: DateTimeUtc,
    /// Who recorded the resolution this rating rates (KPIs attribute the rating to them).
    pub resolved_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
