use sea_orm::entity::prelude::*;

/// A department mailbox Careline reads over IMAP and replies from.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mailboxes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// Lowercase.
    pub address: String,
    /// `imap(s)://user@host:port/FOLDER`, without a password.
    pub imap_url: String,
    /// The IMAP password, encrypted with the data key.
    pub imap_secret: Option<String>,
    pub smtp_url: Option<String>,
    /// The SMTP password, encrypted with the data key.
    pub smtp_secret: Option<String>,
    pub team_id: Option<Uuid>,
    /// The `TicketKind` of new tickets.
    pub default_kind: String,
    pub active: bool,
    pub last_polled_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub imported: i32,
    pub ignored: i32,
    /// The instance polling it holds it until then.
    pub lease_until: Option<DateTimeUtc>,
    /// The poll holding the lease.
    pub lease_holder: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Never prints the (encrypted) secrets.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailbox")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
