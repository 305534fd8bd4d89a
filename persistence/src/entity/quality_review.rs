use sea_orm::entity::prelude::*;

/// An inspection of one resolved ticket's quality.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quality_reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub agent_id: Uuid,
    pub reviewer_id: Uuid,
    pub scorecard_id: Uuid,
    /// JSON list of `careline_domain::quality::Score`.
    pub scores: String,
    pub total: f64,
    pub comment: Option<String>,
    pub at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub dispute: Option<String>,
}

impl Model {
    /// The scores; `None` if the stored JSON does not read.
    pub fn score_list(&self) -> Option<Vec<careline_domain::quality::Score>> {
        serde_json::from_str(&self.scores).ok()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
