//! Daily rollups of the everyone (`ALL`) KPI report, so a report over a long period reads a
//! few rows per UTC day instead of every ticket (`careline_persistence::kpi::rollups`).
//!
//! `kpi_rollups` holds, per UTC day and figure, the additive figures of that day (tickets
//! created, resolutions, ratings, SLA targets due, the first-response histogram by minute) and,
//! for the distinct-ticket figures (tickets handled, resolved with their resolution histogram,
//! rated), one count per `(day, prev_day)`: `prev_day` is the latest earlier day on which the
//! same ticket counted, so the distinct tickets of a run of days `[A, B)` are the rows with
//! `prev_day` before `A` (or none). `kpi_rollup_days` lists the days whose rows are complete
//! and current; a writer that changes a fact of a past day removes that day and every later
//! one from it (under the one-row `kpi_rollup_lock`, which the builder holds too), and a report
//! computes any day not listed live. The rows are built by the server for closed days (its
//! first pass after this migration is the backfill from the existing facts), never here:
//! building them needs the report's own definitions.

use crate::{ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0019_kpi_daily_rollups"
    }
}

#[derive(DeriveIden)]
enum KpiRollups {
    Table,
    Day,
    Figure,
    PrevDay,
    Bin,
    N,
    A,
    B,
}

#[derive(DeriveIden)]
enum KpiRollupDays {
    Table,
    Day,
    BuiltAt,
}

#[derive(DeriveIden)]
enum KpiRollupLock {
    Table,
    Id,
    Generation,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KpiRollups::Table)
                    .col(ts(KpiRollups::Day))
                    .col(ColumnDef::new(KpiRollups::Figure).string_len(16).not_null())
                    .col(ts_null(KpiRollups::PrevDay))
                    .col(ColumnDef::new(KpiRollups::Bin).integer().null())
                    .col(ColumnDef::new(KpiRollups::N).big_integer().not_null())
                    .col(ColumnDef::new(KpiRollups::A).big_integer().not_null())
                    .col(ColumnDef::new(KpiRollups::B).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_kpi_rollups_day")
                    .table(KpiRollups::Table)
                    .col(KpiRollups::Day)
                    .col(KpiRollups::Figure)
                    .col(KpiRollups::PrevDay)
                    .col(KpiRollups::Bin)
                    .col(KpiRollups::N)
                    .col(KpiRollups::A)
                    .col(KpiRollups::B)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KpiRollupDays::Table)
                    .col(ts(KpiRollupDays::Day).primary_key())
                    .col(ts(KpiRollupDays::BuiltAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KpiRollupLock::Table)
                    .col(
                        ColumnDef::new(KpiRollupLock::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(KpiRollupLock::Generation)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(KpiRollupLock::Table)
                    .columns([KpiRollupLock::Id, KpiRollupLock::Generation])
                    .values_panic([1.into(), 0.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            KpiRollupLock::Table.into_iden(),
            KpiRollupDays::Table.into_iden(),
            KpiRollups::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
