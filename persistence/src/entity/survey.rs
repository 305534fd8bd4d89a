use sea_orm::entity::prelude::*;

/// A satisfaction survey: its questionnaire (JSON) and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "surveys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub questions: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub launched_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub resolved_from: Option<DateTimeUtc>,
    pub resolved_to: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
