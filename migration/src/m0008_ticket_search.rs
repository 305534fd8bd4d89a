//! Ticket search on PostgreSQL: trigram indexes on the lower-cased text the `search` filter
//! matches with `LOWER(column) LIKE '%…%'`, so a substring search does not scan every ticket.
//! SQLite has no trigram index; search works there unindexed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_ticket_search"
    }
}

const INDEXES: [(&str, &str, &str); 5] = [
    ("idx_tickets_search_number", "tickets", "number"),
    ("idx_tickets_search_subject", "tickets", "subject"),
    ("idx_tickets_search_description", "tickets", "description"),
    ("idx_tickets_search_order", "tickets", "order_number"),
    ("idx_customers_search_name", "customers", "name"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            .await?;
        for (name, table, column) in INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (lower({column}) gin_trgm_ops)"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (name, _, _) in INDEXES {
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
