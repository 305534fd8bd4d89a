use sea_orm::entity::prelude::*;

/// A mail in a ticket's thread: one that came in, or one that went out.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// With its angle brackets.
    pub message_id: String,
    pub ticket_id: Uuid,
    /// The timeline entry it is (or carries).
    pub event_id: Option<Uuid>,
    pub mailbox_id: Option<Uuid>,
    pub outbound: bool,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
