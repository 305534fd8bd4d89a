//! The ticket list's `DUE_AT` order gets an index it can be read from, and the ticket table
//! loses an index another one covers (issue 16).
//!
//! The order sorts tickets without a due time last by reading `COALESCE(resolution_due_at,
//! '9999-12-31T00:00:00+00:00')`; an index on that very expression (with the id that breaks
//! ties) serves it, and the keyset cursors seek in it, on both databases. The literal must stay
//! the one the list writes (`careline_persistence::tickets::NO_DUE_TIME`).
//!
//! `idx_tickets_first_responded (first_responded_at)` is a prefix of
//! `idx_tickets_first_response_kpi (first_responded_at, first_response_minutes)`, which answers
//! every query the shorter one could; each intake paid for keeping both.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0021_ticket_list_order"
    }
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    FirstRespondedAt,
}

const DUE_ORDER: &str = "CREATE INDEX idx_tickets_due_order ON tickets \
     ((COALESCE(resolution_due_at, '9999-12-31T00:00:00+00:00')), id)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(DUE_ORDER)
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tickets_first_responded")
                    .table(Tickets::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_tickets_first_responded")
                    .table(Tickets::Table)
                    .col(Tickets::FirstRespondedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tickets_due_order")
                    .table(Tickets::Table)
                    .to_owned(),
            )
            .await
    }
}
