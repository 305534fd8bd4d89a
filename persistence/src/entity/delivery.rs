use sea_orm::entity::prelude::*;

/// One attempt to reach one customer with one message on one channel (SMS or email; the app
/// inbox is a `notifications` row).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What caused it (unique with customer and channel).
    pub cause: String,
    pub ticket_id: Option<Uuid>,
    /// The timeline entry it carries, if any.
    pub event_id: Option<Uuid>,
    pub customer_id: Uuid,
    /// The `NotificationEvent`.
    pub notice: String,
    /// `APP`, `SMS` or `EMAIL`.
    pub channel: String,
    /// The phone number or email address, as it was when queued.
    pub address: Option<String>,
    pub subject: Option<String>,
    /// The rendered text.
    pub body: String,
    /// `PENDING`, `SENT`, `FAILED` or `SUPPRESSED`.
    pub status: String,
    pub attempts: i32,
    pub detail: Option<String>,
    /// When a worker may try it next.
    pub next_attempt_at: DateTimeUtc,
    /// A worker holds it until then.
    pub lease_until: Option<DateTimeUtc>,
    /// The email's Message-ID, or the gateway's reference.
    pub message_id: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
