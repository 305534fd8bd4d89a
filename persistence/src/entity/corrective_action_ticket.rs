use sea_orm::entity::prelude::*;

/// Links a corrective action to a complaint it addresses.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "corrective_action_tickets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub corrective_action_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
