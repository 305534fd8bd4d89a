use sea_orm::entity::prelude::*;

/// A training course and the roles that must pass it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_courses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    /// A `careline_domain::training::CourseCategory` spelling.
    pub category: String,
    /// A `careline_domain::Roles` mask.
    pub required_roles: i32,
    pub pass_score: i32,
    pub validity_months: Option<i32>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The roles that must pass the course.
    pub fn required_role_set(&self) -> careline_domain::Roles {
        careline_domain::Roles::from_mask(self.required_roles)
    }
}
