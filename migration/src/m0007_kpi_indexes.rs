//! Indexes the KPI report needs to stay fast over millions of tickets: every metric starts
//! from a time range (events of one kind in the period, tickets answered or due in it) and
//! then looks up a ticket's own events by kind.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_kpi_indexes"
    }
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    FirstRespondedAt,
    FirstResponseDueAt,
    CreatedAt,
    Kind,
}

#[derive(DeriveIden)]
enum TicketEvents {
    Table,
    TicketId,
    Kind,
    At,
    ActorId,
}

#[derive(DeriveIden)]
enum SatisfactionRatings {
    Table,
    At,
}

/// (name, table, columns) of each index.
fn indexes() -> Vec<(&'static str, DynIden, Vec<DynIden>)> {
    vec![
        // Events of one kind in a period, with the ticket and actor read from the index.
        (
            "idx_ticket_events_kind_at",
            TicketEvents::Table.into_iden(),
            vec![
                TicketEvents::Kind.into_iden(),
                TicketEvents::At.into_iden(),
                TicketEvents::TicketId.into_iden(),
                TicketEvents::ActorId.into_iden(),
            ],
        ),
        // Any staff action in a period (tickets handled).
        (
            "idx_ticket_events_at",
            TicketEvents::Table.into_iden(),
            vec![
                TicketEvents::At.into_iden(),
                TicketEvents::ActorId.into_iden(),
                TicketEvents::TicketId.into_iden(),
            ],
        ),
        // A ticket's first resolution, its acknowledgement, a reopen after a resolution.
        (
            "idx_ticket_events_ticket_kind_at",
            TicketEvents::Table.into_iden(),
            vec![
                TicketEvents::TicketId.into_iden(),
                TicketEvents::Kind.into_iden(),
                TicketEvents::At.into_iden(),
            ],
        ),
        (
            "idx_tickets_first_responded",
            Tickets::Table.into_iden(),
            vec![Tickets::FirstRespondedAt.into_iden()],
        ),
        (
            "idx_tickets_first_response_due",
            Tickets::Table.into_iden(),
            vec![Tickets::FirstResponseDueAt.into_iden()],
        ),
        // Complaint analytics: complaints created in a period.
        (
            "idx_tickets_kind_created",
            Tickets::Table.into_iden(),
            vec![Tickets::Kind.into_iden(), Tickets::CreatedAt.into_iden()],
        ),
        (
            "idx_satisfaction_ratings_at",
            SatisfactionRatings::Table.into_iden(),
            vec![SatisfactionRatings::At.into_iden()],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in indexes() {
            let mut stmt = Index::create();
            stmt.name(name).table(table);
            for col in cols {
                stmt.col(col);
            }
            manager.create_index(stmt.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in indexes() {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
