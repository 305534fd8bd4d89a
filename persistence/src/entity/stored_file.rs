use sea_orm::entity::prelude::*;

/// A file someone uploaded; its bytes are in the file store under `storage_key`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stored_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub uploaded_by: Uuid,
    pub file_name: String,
    /// Sniffed from the bytes, not taken from the client.
    pub content_type: String,
    pub size_bytes: i64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub storage_key: String,
    pub created_at: DateTimeUtc,
    /// The ticket it is attached to (a message, a reply or intake evidence).
    pub ticket_id: Option<Uuid>,
    /// The timeline entry it travels with, if any.
    pub event_id: Option<Uuid>,
    /// When it was attached; files never attached are purged after a day.
    pub attached_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
