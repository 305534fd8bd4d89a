//! The knowledge base: articles with revisions, helpful ratings, links to the tickets they
//! solved, reply templates, and the full-text index — PostgreSQL `tsvector` over the
//! pre-segmented terms (GIN) plus trigrams on titles for typos, SQLite FTS5 on the same terms.

use crate::{pk_uuid, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0014_knowledge"
    }
}

#[derive(DeriveIden)]
enum KnowledgeArticles {
    Table,
    Id,
    Title,
    Body,
    Kind,
    Audience,
    Status,
    Tags,
    Version,
    AuthorId,
    LastEditorId,
    SourceTicketId,
    HelpfulCount,
    NotHelpfulCount,
    UsageCount,
    SearchText,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
    ReviewDueAt,
}

#[derive(DeriveIden)]
enum ArticleRevisions {
    Table,
    ArticleId,
    Version,
    Title,
    Body,
    EditorId,
    At,
}

#[derive(DeriveIden)]
enum ArticleRatings {
    Table,
    ArticleId,
    UserId,
    Helpful,
    At,
}

#[derive(DeriveIden)]
enum TicketArticles {
    Table,
    TicketId,
    ArticleId,
    LinkedBy,
    At,
}

#[derive(DeriveIden)]
enum ReplyTemplates {
    Table,
    Id,
    Name,
    Kind,
    Body,
    UsageCount,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KnowledgeArticles::Table)
                    .col(pk_uuid(KnowledgeArticles::Id))
                    .col(
                        ColumnDef::new(KnowledgeArticles::Title)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(KnowledgeArticles::Body).text().not_null())
                    .col(
                        ColumnDef::new(KnowledgeArticles::Kind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(KnowledgeArticles::Audience)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(KnowledgeArticles::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(KnowledgeArticles::Tags).text().not_null())
                    .col(
                        ColumnDef::new(KnowledgeArticles::Version)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(KnowledgeArticles::AuthorId).uuid().null())
                    .col(
                        ColumnDef::new(KnowledgeArticles::LastEditorId)
                            .uuid()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(KnowledgeArticles::SourceTicketId)
                            .uuid()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(KnowledgeArticles::HelpfulCount)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(KnowledgeArticles::NotHelpfulCount)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(KnowledgeArticles::UsageCount)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    // The segmented terms the full-text index reads.
                    .col(
                        ColumnDef::new(KnowledgeArticles::SearchText)
                            .text()
                            .not_null(),
                    )
                    .col(ts(KnowledgeArticles::CreatedAt))
                    .col(ts(KnowledgeArticles::UpdatedAt))
                    .col(ts_null(KnowledgeArticles::PublishedAt))
                    .col(ts_null(KnowledgeArticles::ReviewDueAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_knowledge_articles_status")
                    .table(KnowledgeArticles::Table)
                    .col(KnowledgeArticles::Status)
                    .col(KnowledgeArticles::ReviewDueAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ArticleRevisions::Table)
                    .col(
                        ColumnDef::new(ArticleRevisions::ArticleId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ArticleRevisions::Version)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ArticleRevisions::Title)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ArticleRevisions::Body).text().not_null())
                    .col(ColumnDef::new(ArticleRevisions::EditorId).uuid().null())
                    .col(ts(ArticleRevisions::At))
                    .primary_key(
                        Index::create()
                            .col(ArticleRevisions::ArticleId)
                            .col(ArticleRevisions::Version),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ArticleRevisions::Table, ArticleRevisions::ArticleId)
                            .to(KnowledgeArticles::Table, KnowledgeArticles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ArticleRatings::Table)
                    .col(ColumnDef::new(ArticleRatings::ArticleId).uuid().not_null())
                    .col(ColumnDef::new(ArticleRatings::UserId).uuid().not_null())
                    .col(ColumnDef::new(ArticleRatings::Helpful).boolean().not_null())
                    .col(ts(ArticleRatings::At))
                    .primary_key(
                        Index::create()
                            .col(ArticleRatings::ArticleId)
                            .col(ArticleRatings::UserId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TicketArticles::Table)
                    .col(ColumnDef::new(TicketArticles::TicketId).uuid().not_null())
                    .col(ColumnDef::new(TicketArticles::ArticleId).uuid().not_null())
                    .col(ColumnDef::new(TicketArticles::LinkedBy).uuid().not_null())
                    .col(ts(TicketArticles::At))
                    .primary_key(
                        Index::create()
                            .col(TicketArticles::TicketId)
                            .col(TicketArticles::ArticleId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReplyTemplates::Table)
                    .col(pk_uuid(ReplyTemplates::Id))
                    .col(
                        ColumnDef::new(ReplyTemplates::Name)
                            .string_len(120)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(ReplyTemplates::Kind).string_len(32).null())
                    .col(ColumnDef::new(ReplyTemplates::Body).text().not_null())
                    .col(
                        ColumnDef::new(ReplyTemplates::UsageCount)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(ReplyTemplates::CreatedBy).uuid().not_null())
                    .col(ts(ReplyTemplates::CreatedAt))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await?;
                db.execute_unprepared(
                    "CREATE INDEX ix_knowledge_fts ON knowledge_articles \
                     USING GIN (to_tsvector('simple', search_text))",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX ix_knowledge_title_trgm ON knowledge_articles \
                     USING GIN (lower(title) gin_trgm_ops)",
                )
                .await?;
            }
            _ => {
                // One row per article, `rowid` = the article row's rowid.
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE knowledge_fts USING fts5(terms, tokenize = 'unicode61')",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS knowledge_fts")
                .await?;
        }
        for table in [
            ReplyTemplates::Table.into_iden(),
            TicketArticles::Table.into_iden(),
            ArticleRatings::Table.into_iden(),
            ArticleRevisions::Table.into_iden(),
            KnowledgeArticles::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
