use sea_orm::entity::prelude::*;

/// One customer invited to one survey: answered in the app, or by phone with an agent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub survey_id: Uuid,
    pub customer_id: Uuid,
    pub ticket_id: Option<Uuid>,
    pub channel: String,
    pub caller_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
    pub responded_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
