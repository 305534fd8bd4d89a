use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Stored lower-cased; unique.
    pub email: String,
    pub name: String,
    pub password_hash: String,
    /// A `careline_domain::Roles` mask.
    pub roles: i32,
    pub department_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub phone: Option<String>,
    /// JSON array of skill names.
    pub skills: String,
    pub capacity: i32,
    pub presence: String,
    pub active: bool,
    /// Bumped when every outstanding access token must stop working (password change).
    pub auth_version: i32,
    pub last_assigned_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The user's roles.
    pub fn role_set(&self) -> careline_domain::Roles {
        careline_domain::Roles::from_mask(self.roles)
    }

    /// The user's skills; a malformed value reads as none rather than failing the request.
    pub fn skill_list(&self) -> Vec<String> {
        serde_json::from_str(&self.skills).unwrap_or_default()
    }
}
