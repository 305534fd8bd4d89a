use sea_orm::entity::prelude::*;

/// A message read from a mailbox: imported or set aside, once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbound_emails")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub mailbox_id: Uuid,
    /// The folder's UIDVALIDITY when read over IMAP.
    pub uid_validity: Option<i64>,
    /// The message's IMAP UID.
    pub uid: Option<i64>,
    pub message_id: Option<String>,
    /// The sender's address, lowercase.
    pub sender: Option<String>,
    /// `IMPORTED` or `IGNORED`.
    pub status: String,
    /// Why it was set aside.
    pub reason: Option<String>,
    pub ticket_id: Option<Uuid>,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
