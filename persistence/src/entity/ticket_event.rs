use sea_orm::entity::prelude::*;

/// One timeline entry of a ticket.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub kind: String,
    pub actor_id: Option<Uuid>,
    pub at: DateTimeUtc,
    /// Never shown to customers.
    pub internal: bool,
    pub message: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    /// On `RESOLVED`: business minutes from creation to the ticket's first resolution.
    pub minutes: Option<i32>,
    /// On `RESOLVED`: resolved by the first-contact owner with no dispatch, reassignment or
    /// reopen so far; cleared when the ticket is reopened.
    pub first_contact: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
