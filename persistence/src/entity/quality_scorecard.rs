use sea_orm::entity::prelude::*;

/// A quality scorecard: weighted criteria inspectors score.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quality_scorecards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// JSON list of `careline_domain::quality::Criterion`.
    pub criteria: String,
    pub active: bool,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

impl Model {
    /// The criteria; `None` if the stored JSON does not read.
    pub fn criteria_list(&self) -> Option<Vec<careline_domain::quality::Criterion>> {
        serde_json::from_str(&self.criteria).ok()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
