//! PostgreSQL keeps each article's `tsvector` in a stored generated column with its own GIN
//! index, so ranking a common term reads the stored vectors instead of segmenting every
//! matching article's text again (measured in docs/BENCHMARKS.md). SQLite's FTS5 index already
//! ranks from the index: nothing changes there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0016_knowledge_search_vector"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE knowledge_articles ADD COLUMN search_vector tsvector \
             GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_knowledge_search_vector ON knowledge_articles USING GIN (search_vector)",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS ix_knowledge_fts")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX ix_knowledge_fts ON knowledge_articles \
             USING GIN (to_tsvector('simple', search_text))",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS ix_knowledge_search_vector")
            .await?;
        db.execute_unprepared("ALTER TABLE knowledge_articles DROP COLUMN search_vector")
            .await?;
        Ok(())
    }
}
