use sea_orm::entity::prelude::*;

/// One person's record of one session; unique per (session, employee).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub session_id: Uuid,
    /// The session's course, copied for compliance queries.
    pub course_id: Uuid,
    pub employee_id: Uuid,
    /// A `careline_domain::training::TrainingStatus` spelling.
    pub status: String,
    pub process_score: Option<i32>,
    pub result_score: Option<i32>,
    pub completed_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
    pub feedback: Option<String>,
    pub enrolled_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
