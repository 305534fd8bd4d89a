use sea_orm::entity::prelude::*;

/// An entry in someone's inbox.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Whose inbox (a staff member's or a customer's account).
    pub user_id: Uuid,
    /// e.g. `AGENT_REPLY`, `ASSIGNED`, `CUSTOMER_MESSAGE`.
    pub kind: String,
    pub title: String,
    pub body: String,
    pub ticket_id: Option<Uuid>,
    pub at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
    /// What caused it; unique per person, so a cause notifies once.
    pub dedupe_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
