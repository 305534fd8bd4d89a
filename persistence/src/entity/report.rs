use sea_orm::entity::prelude::*;

/// A generated report: what it covers, in which language, and who (or the schedule) asked.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `MONTHLY_SERVICE`, `COMPLAINTS`, `QUALITY` or `TRAINING`.
    pub kind: String,
    pub period_from: DateTimeUtc,
    pub period_to: DateTimeUtc,
    /// `AGENT`, `TEAM`, `DEPARTMENT` or `ALL`.
    pub scope_kind: String,
    pub scope_id: Option<Uuid>,
    /// `zh-CN` or `en`.
    pub language: String,
    pub scheduled: bool,
    /// Set on scheduled reports only (kind and month); unique.
    pub schedule_key: Option<String>,
    /// `None` for scheduled reports.
    pub generated_by: Option<Uuid>,
    pub generated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
