//! Casework: department tasks with deadlines, follow-up cases linked to their parent, the start
//! of a ticket's current resolution target, and the customer record (tier, tags, a normalised
//! phone key for recognising a caller at once).

use crate::{pk_uuid, ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_casework"
    }
}

#[derive(DeriveIden)]
enum DepartmentTasks {
    Table,
    Id,
    TicketId,
    DepartmentId,
    Instructions,
    Minutes,
    DueAt,
    Status,
    Answer,
    AnsweredBy,
    AnsweredAt,
    CancelReason,
    /// 0 none, 1 reminded (80 %), 2 escalated (due time passed).
    Stage,
    RemindedAt,
    NextCheckAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    ParentId,
    SlaResolutionStartedAt,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Tier,
    Tags,
    PhoneKey,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DepartmentTasks::Table)
                    .col(pk_uuid(DepartmentTasks::Id))
                    .col(ColumnDef::new(DepartmentTasks::TicketId).uuid().not_null())
                    .col(
                        ColumnDef::new(DepartmentTasks::DepartmentId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(DepartmentTasks::Instructions).text().null())
                    .col(
                        ColumnDef::new(DepartmentTasks::Minutes)
                            .integer()
                            .not_null(),
                    )
                    .col(ts(DepartmentTasks::DueAt))
                    .col(
                        ColumnDef::new(DepartmentTasks::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(DepartmentTasks::Answer).text().null())
                    .col(ColumnDef::new(DepartmentTasks::AnsweredBy).uuid().null())
                    .col(ts_null(DepartmentTasks::AnsweredAt))
                    .col(ColumnDef::new(DepartmentTasks::CancelReason).text().null())
                    .col(
                        ColumnDef::new(DepartmentTasks::Stage)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ts_null(DepartmentTasks::RemindedAt))
                    .col(ts_null(DepartmentTasks::NextCheckAt))
                    .col(ColumnDef::new(DepartmentTasks::CreatedBy).uuid().not_null())
                    .col(ts(DepartmentTasks::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DepartmentTasks::Table, DepartmentTasks::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DepartmentTasks::Table, DepartmentTasks::DepartmentId)
                            .to(Departments::Table, Departments::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "ix_department_tasks_ticket",
                vec![DepartmentTasks::TicketId],
            ),
            (
                "ix_department_tasks_department",
                vec![DepartmentTasks::DepartmentId, DepartmentTasks::DueAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(DepartmentTasks::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        // The deadline worker reads only open tasks whose next look has come.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_department_tasks_next_check ON department_tasks (next_check_at) \
                 WHERE status = 'OPEN'",
            )
            .await?;

        // SQLite adds one column per statement.
        for column in [
            ColumnDef::new(Tickets::ParentId).uuid().null().to_owned(),
            ts_null(Tickets::SlaResolutionStartedAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_tickets_parent")
                    .table(Tickets::Table)
                    .col(Tickets::ParentId)
                    .to_owned(),
            )
            .await?;
        for column in [
            ColumnDef::new(Customers::Tier)
                .string_len(16)
                .not_null()
                .default("STANDARD")
                .to_owned(),
            // JSON list of strings.
            ColumnDef::new(Customers::Tags)
                .text()
                .not_null()
                .default("[]")
                .to_owned(),
            // Digits only, without a +86 / 0086 country prefix; filled at start for older rows.
            ColumnDef::new(Customers::PhoneKey)
                .string_len(32)
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Customers::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_customers_phone_key")
                    .table(Customers::Table)
                    .col(Customers::PhoneKey)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_customers_phone_key")
                    .table(Customers::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Customers::Tier, Customers::Tags, Customers::PhoneKey] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Customers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("ix_tickets_parent")
                    .table(Tickets::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Tickets::ParentId, Tickets::SlaResolutionStartedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(DepartmentTasks::Table).to_owned())
            .await
    }
}
