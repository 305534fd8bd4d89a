use sea_orm::entity::prelude::*;

/// A knowledge-base article (current version; older ones are `article_revision` rows).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "knowledge_articles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub kind: String,
    pub audience: String,
    pub status: String,
    /// JSON list of tags.
    pub tags: String,
    pub version: i32,
    pub author_id: Option<Uuid>,
    pub last_editor_id: Option<Uuid>,
    pub source_ticket_id: Option<Uuid>,
    pub helpful_count: i32,
    pub not_helpful_count: i32,
    /// How many tickets it was linked to as their solution.
    pub usage_count: i32,
    /// The segmented terms the full-text index reads.
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    pub review_due_at: Option<DateTimeUtc>,
    /// When the reviewers were told it passed its review date (cleared by publishing again).
    pub stale_notified_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
