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
    /// A complaint's `ComplaintVerdict` spelling, once recorded.
    pub verdict: Option<String>,
    /// What caused a complaint, recorded with its verdict.
    pub root_cause: Option<String>,
    pub sla_policy_name: Option<String>,
    pub first_response_due_at: Option<DateTimeUtc>,
    pub resolution_due_at: Option<DateTimeUtc>,
    pub first_responded_at: Option<DateTimeUtc>,
    /// Who gave the first response (acknowledged the ticket).
    pub first_responder_id: Option<Uuid>,
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
    /// The business calendar the ticket's SLA runs on (kept: policies may change later).
    pub sla_time_zone: Option<String>,
    /// Business windows of that calendar.
    pub sla_windows: Option<String>,
    /// The stored calendar (holidays included) the SLA runs on; a change to it recounts the
    /// ticket's unmet due times. `None` on tickets without a policy.
    pub sla_calendar_id: Option<Uuid>,
    /// When the current resolution target started (creation, a reopen, or a department's
    /// hand-back that shortened it); `None` on tickets from before it was recorded.
    pub sla_resolution_started_at: Option<DateTimeUtc>,
    /// The case this one follows up (跟进个案).
    pub parent_id: Option<Uuid>,
    /// The first-response target's size in business minutes.
    pub sla_first_response_minutes: Option<i32>,
    /// The resolution target's size in business minutes.
    pub sla_resolution_minutes: Option<i32>,
    /// When the clock was paused (waiting on the customer).
    pub sla_paused_at: Option<DateTimeUtc>,
    /// 0 none, 1 warned, 2 breached, 3 level 2 — for the first-response target.
    pub sla_first_response_stage: i32,
    /// The same for the resolution target.
    pub sla_resolution_stage: i32,
    /// When the SLA worker must next look at this ticket (`NULL`: nothing pending).
    pub sla_next_check_at: Option<DateTimeUtc>,
    /// When the ticket becomes at risk (80 % of an unmet target).
    pub sla_risk_at: Option<DateTimeUtc>,
    /// The first resolution ever (reopening does not clear it).
    pub first_resolved_at: Option<DateTimeUtc>,
    /// Business minutes from creation to the first response, on the ticket's calendar.
    pub first_response_minutes: Option<i32>,
    /// Business minutes from creation to the first resolution, on the ticket's calendar.
    pub resolution_minutes: Option<i32>,
    /// The answer time promised to the customer, if any.
    pub promised_answer_at: Option<DateTimeUtc>,
    /// The current promise passed unmet and was escalated (once per promise).
    pub promise_escalated: bool,
    /// Closed by a lead with the customer still disagreeing.
    pub closed_disagreeing: bool,
    /// The department a verdict found responsible.
    pub responsible_department_id: Option<Uuid>,
    /// The team praise is for.
    pub praised_team_id: Option<Uuid>,
    /// The department praise is for.
    pub praised_department_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
