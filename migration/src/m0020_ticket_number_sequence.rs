//! Ticket numbers on PostgreSQL come from a sequence instead of the per-day counter row, which
//! every intake updated and then held locked until its transaction committed: concurrent intakes
//! queued behind each other on that one row (measured in docs/BENCHMARKS.md, issue 16). The
//! sequence starts past every number any day's counter has handed out, so no number can repeat.
//! SQLite, which has a single writer anyway, keeps the counter row.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0020_ticket_number_sequence"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("CREATE SEQUENCE ticket_number_seq AS bigint START WITH 1")
            .await?;
        db.execute_unprepared(
            "SELECT setval('ticket_number_seq', \
             (SELECT COALESCE(MAX(last_seq), 0) + 1 FROM ticket_counters), false)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        // Each day's counter continues past the highest number the sequence gave that day.
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO ticket_counters (day, last_seq) \
             SELECT substr(number, 3, 8), MAX(substr(number, 12)::integer) FROM tickets \
             WHERE number ~ '^T-[0-9]{8}-[0-9]+$' GROUP BY 1 \
             ON CONFLICT (day) DO UPDATE SET \
             last_seq = GREATEST(ticket_counters.last_seq, excluded.last_seq)",
        )
        .await?;
        db.execute_unprepared("DROP SEQUENCE IF EXISTS ticket_number_seq")
            .await?;
        Ok(())
    }
}
