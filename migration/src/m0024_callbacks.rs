//! Callbacks (issue 29): the calls and visits owed to customers, each with a due time and an
//! assignee, and the mark of a ticket closed with its customer still disagreeing.
//!
//! - `callbacks`: one row per callback. `resolution` is the ticket's `resolution_count` when it
//!   was scheduled (a follow-up belongs to one resolution); `after_disagreement` marks the
//!   CALLBACK scheduled when a customer was not satisfied at the follow-up visit.
//!   `reminded_at` and `overdue_notified_at` are set by conditional updates, so the reminder
//!   and the overdue notice go out once across instances.
//! - `tickets.closed_disagreeing`: closed by a lead with the customer still disagreeing.

use crate::{index, pk_uuid, ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0024_callbacks"
    }
}

#[derive(DeriveIden)]
enum Callbacks {
    Table,
    Id,
    Purpose,
    TicketId,
    CustomerId,
    AssigneeId,
    DueAt,
    Status,
    Note,
    Attempts,
    Outcome,
    DoneAt,
    DoneBy,
    Resolution,
    AfterDisagreement,
    RemindedAt,
    OverdueNotifiedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    ClosedDisagreeing,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Callbacks::Table)
                    .col(pk_uuid(Callbacks::Id))
                    .col(ColumnDef::new(Callbacks::Purpose).string_len(16).not_null())
                    .col(ColumnDef::new(Callbacks::TicketId).uuid().null())
                    .col(ColumnDef::new(Callbacks::CustomerId).uuid().not_null())
                    .col(ColumnDef::new(Callbacks::AssigneeId).uuid().not_null())
                    .col(ts(Callbacks::DueAt))
                    .col(ColumnDef::new(Callbacks::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Callbacks::Note).text().null())
                    .col(
                        ColumnDef::new(Callbacks::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Callbacks::Outcome).text().null())
                    .col(ts_null(Callbacks::DoneAt))
                    .col(ColumnDef::new(Callbacks::DoneBy).uuid().null())
                    .col(ColumnDef::new(Callbacks::Resolution).integer().null())
                    .col(
                        ColumnDef::new(Callbacks::AfterDisagreement)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(ts_null(Callbacks::RemindedAt))
                    .col(ts_null(Callbacks::OverdueNotifiedAt))
                    .col(ColumnDef::new(Callbacks::CreatedBy).uuid().null())
                    .col(ts(Callbacks::CreatedAt))
                    .col(ts(Callbacks::UpdatedAt))
                    .col(
                        ColumnDef::new(Callbacks::Version)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_callbacks_assignee",
                &["assignee_id", "status", "due_at"][..],
            ),
            ("ix_callbacks_ticket", &["ticket_id", "status"][..]),
            ("ix_callbacks_due", &["status", "due_at"][..]),
        ] {
            manager
                .create_index(index(name, Callbacks::Table, cols))
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(
                        ColumnDef::new(Tickets::ClosedDisagreeing)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .drop_column(Tickets::ClosedDisagreeing)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Callbacks::Table).to_owned())
            .await
    }
}
