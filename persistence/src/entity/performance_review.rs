use sea_orm::entity::prelude::*;

/// One person's review in one cycle.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "performance_reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub employee_id: Uuid,
    /// `careline_domain::kpi::ReviewStatus` spelling.
    pub status: String,
    pub self_assessment: Option<String>,
    pub self_submitted_at: Option<DateTimeUtc>,
    pub manager_assessment: Option<String>,
    pub manager_id: Option<Uuid>,
    pub manager_submitted_at: Option<DateTimeUtc>,
    /// The KPI report of the cycle's period as JSON, frozen at finalization.
    pub kpi_snapshot: Option<String>,
    pub score: Option<f64>,
    pub star_rating: Option<i32>,
    pub outcome: Option<String>,
    /// JSON array of training course ids.
    pub recommended_course_ids: String,
    pub finalized_by: Option<Uuid>,
    pub finalized_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The recommended course ids; a malformed value reads as none.
    pub fn course_ids(&self) -> Vec<Uuid> {
        serde_json::from_str(&self.recommended_course_ids).unwrap_or_default()
    }
}
