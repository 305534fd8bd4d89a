use sea_orm::entity::prelude::*;

/// A ticket. Enum columns hold the contract spelling (`careline_domain::ticket` parses them).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    pub kind: String,
    pub channel: String,
    pub category: Option<String>,
    pub severity: Option<String>,
    pub priority: String,
    /// `Priority::rank`, for sorting.
    pub priority_rank: i32,
    pub status: String,
    pub subject: String,
    pub description: String,
    pub demand: Option<String>,
    pub occurred_at: Option<DateTimeUtc>,
    pub location: Option<String>,
    pub order_number: Option<String>,
    pub product_name: Option<String>,
    /// JSON array of attachment metadata.
    pub attachments: String,
    pub customer_id: Uuid,
    pub owner_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub praised_employee_id: Option<Uuid>,
    pub suggestion_status: Option<String>,
    pub escalation_level: i32,
    pub sla_policy_name: Option<String>,
    pub first_response_due_at: Option<DateTimeUtc>,
    pub resolution_due_at: Option<DateTimeUtc>,
    pub first_responded_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub first_response_breached: bool,
    pub resolution_breached: bool,
    pub reopen_count: i32,
    /// Ever dispatched to a department.
    pub dispatched: bool,
    /// Ever handed from one assignee to another.
    pub reassigned: bool,
    /// How many times it was resolved; ratings and follow-ups are per resolution.
    pub resolution_count: i32,
    pub follow_up_since_resolution: bool,
    pub rated_since_resolution: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic-concurrency version, bumped by every change.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
