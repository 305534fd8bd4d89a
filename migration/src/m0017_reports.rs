//! Generated reports and their files. The files' bytes live in the database beside the report,
//! so every instance serves every report and the embedded SQLite default needs no file store.
//! A scheduled report carries a `schedule_key` (kind and month) under a unique index: the
//! instances racing to generate it insert it once.

use crate::{pk_uuid, ts};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0017_reports"
    }
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    Kind,
    PeriodFrom,
    PeriodTo,
    ScopeKind,
    ScopeId,
    Language,
    Scheduled,
    ScheduleKey,
    GeneratedBy,
    GeneratedAt,
}

#[derive(DeriveIden)]
enum ReportFiles {
    Table,
    ReportId,
    Name,
    Format,
    ContentType,
    SizeBytes,
    Content,
    Position,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .col(pk_uuid(Reports::Id))
                    .col(ColumnDef::new(Reports::Kind).string_len(24).not_null())
                    .col(ts(Reports::PeriodFrom))
                    .col(ts(Reports::PeriodTo))
                    .col(ColumnDef::new(Reports::ScopeKind).string_len(16).not_null())
                    .col(ColumnDef::new(Reports::ScopeId).uuid().null())
                    .col(ColumnDef::new(Reports::Language).string_len(8).not_null())
                    .col(ColumnDef::new(Reports::Scheduled).boolean().not_null())
                    .col(ColumnDef::new(Reports::ScheduleKey).string_len(64).null())
                    .col(ColumnDef::new(Reports::GeneratedBy).uuid().null())
                    .col(ts(Reports::GeneratedAt))
                    .to_owned(),
            )
            .await?;
        // NULL keys (reports people asked for) never collide.
        manager
            .create_index(
                Index::create()
                    .name("ux_reports_schedule_key")
                    .table(Reports::Table)
                    .col(Reports::ScheduleKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_reports_kind_generated_at")
                    .table(Reports::Table)
                    .col(Reports::Kind)
                    .col(Reports::GeneratedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReportFiles::Table)
                    .col(ColumnDef::new(ReportFiles::ReportId).uuid().not_null())
                    .col(ColumnDef::new(ReportFiles::Name).string_len(64).not_null())
                    .col(ColumnDef::new(ReportFiles::Format).string_len(8).not_null())
                    .col(
                        ColumnDef::new(ReportFiles::ContentType)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ReportFiles::SizeBytes).integer().not_null())
                    .col(ColumnDef::new(ReportFiles::Content).blob().not_null())
                    .col(ColumnDef::new(ReportFiles::Position).integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(ReportFiles::ReportId)
                            .col(ReportFiles::Name),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReportFiles::Table, ReportFiles::ReportId)
                            .to(Reports::Table, Reports::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReportFiles::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Reports::Table).to_owned())
            .await
    }
}
