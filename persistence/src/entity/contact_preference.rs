use sea_orm::entity::prelude::*;

/// A customer's contact preferences, when they differ from the defaults.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_preferences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer_id: Uuid,
    /// Channels in order, comma-separated (`APP,EMAIL`).
    pub channels: String,
    /// `HH:MM-HH:MM`, local.
    pub quiet_hours: Option<String>,
    pub time_zone: String,
    /// `zh-CN` or `en`.
    pub language: String,
    pub opted_out: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
