//! When the worker told the reviewers that a published article passed its review date, so it
//! does so once per lapse across instances.

use crate::ts_null;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_article_review_notices"
    }
}

#[derive(DeriveIden)]
enum KnowledgeArticles {
    Table,
    StaleNotifiedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(KnowledgeArticles::Table)
                    .add_column(ts_null(KnowledgeArticles::StaleNotifiedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(KnowledgeArticles::Table)
                    .drop_column(KnowledgeArticles::StaleNotifiedAt)
                    .to_owned(),
            )
            .await
    }
}
