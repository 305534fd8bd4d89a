//! The two durations KPIs report, recorded on the ticket when they end: business minutes from
//! creation to the first response and to the first resolution, on the ticket's own calendar.
//! With them (and the first resolution's instant) every KPI figure is a SQL aggregate.
//!
//! Existing rows get `first_resolved_at` here; the minutes need the business calendar, so the
//! server fills them at start (`careline_persistence::kpi::backfill_durations`).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_ticket_durations"
    }
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    FirstResolvedAt,
    FirstResponseMinutes,
    ResolutionMinutes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        let columns = [
            crate::ts_null(Tickets::FirstResolvedAt),
            ColumnDef::new(Tickets::FirstResponseMinutes)
                .integer()
                .null()
                .to_owned(),
            ColumnDef::new(Tickets::ResolutionMinutes)
                .integer()
                .null()
                .to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE tickets SET first_resolved_at = (SELECT MIN(e.at) FROM ticket_events e \
                 WHERE e.ticket_id = tickets.id AND e.kind = 'RESOLVED') \
                 WHERE resolution_count > 0",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tickets_first_resolved")
                    .table(Tickets::Table)
                    .col(Tickets::FirstResolvedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tickets_first_resolved")
                    .table(Tickets::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Tickets::FirstResolvedAt,
            Tickets::FirstResponseMinutes,
            Tickets::ResolutionMinutes,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
