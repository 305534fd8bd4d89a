use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    /// Commit-ordered sequence (assigned at insert).
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The envelope id.
    pub id: Uuid,
    /// The envelope, as JSON.
    pub payload: String,
    pub created_at: DateTimeUtc,
    /// When the relay published it; `NULL` while pending.
    pub published_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
