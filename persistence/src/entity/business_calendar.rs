use sea_orm::entity::prelude::*;

/// A named business calendar: weekly hours plus holidays and make-up working days.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "business_calendars")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Unique.
    pub name: String,
    /// IANA time zone.
    pub time_zone: String,
    /// Weekly windows, in normal form.
    pub windows: String,
    /// JSON list of `careline_domain::sla::SpecialDay`, by date.
    pub special_days: String,
    /// Bumped by every change; `expectedVersion` guards concurrent edits.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
