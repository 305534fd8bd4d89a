use sea_orm::entity::prelude::*;

/// A customer record: the person a ticket is about, deduplicated by phone or email.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// Unique when present.
    pub phone: Option<String>,
    /// Stored lower-cased; unique when present.
    pub email: Option<String>,
    /// The customer account this record belongs to, if any.
    pub user_id: Option<Uuid>,
    /// `STANDARD`, `VIP` or `KEY_ACCOUNT`.
    pub tier: String,
    /// JSON list of tags.
    pub tags: String,
    /// The phone's digits without a +86 / 0086 prefix, for exact lookups; `None` without a phone.
    pub phone_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
