//! What KPIs need recorded rather than recomputed, so every figure is a cheap SQL aggregate
//! over millions of tickets: the two durations (business minutes from creation to the first
//! response and to the first resolution, on the ticket's own calendar), the first resolution's
//! instant, who recorded the resolution a rating rates, and on each `RESOLVED` timeline entry
//! the resolution duration and whether it was a first-contact resolution — so the
//! resolution figures are answered from one index over the timeline, without visiting tickets.
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
    Status,
    ResolutionDueAt,
    FirstRespondedAt,
    FirstResponseDueAt,
}

#[derive(DeriveIden)]
enum TicketEvents {
    Table,
    Kind,
    At,
    ActorId,
    TicketId,
    Minutes,
    FirstContact,
}

#[derive(DeriveIden)]
enum SatisfactionRatings {
    Table,
    ResolvedBy,
    At,
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
        // First responses in a period with their durations, from the index alone.
        manager
            .create_index(
                Index::create()
                    .name("idx_tickets_first_response_kpi")
                    .table(Tickets::Table)
                    .col(Tickets::FirstRespondedAt)
                    .col(Tickets::FirstResponseMinutes)
                    .to_owned(),
            )
            .await?;
        // Overdue = open and past a due time: answered from the index alone.
        manager
            .create_index(
                Index::create()
                    .name("idx_tickets_status_due")
                    .table(Tickets::Table)
                    .col(Tickets::Status)
                    .col(Tickets::ResolutionDueAt)
                    .col(Tickets::FirstRespondedAt)
                    .col(Tickets::FirstResponseDueAt)
                    .to_owned(),
            )
            .await?;

        for mut column in [
            ColumnDef::new(TicketEvents::Minutes)
                .integer()
                .null()
                .to_owned(),
            ColumnDef::new(TicketEvents::FirstContact)
                .boolean()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(TicketEvents::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        // Existing resolutions: first contact if the ticket was never reopened, dispatched or
        // reassigned and its owner resolved it. Minutes follow with the tickets' backfill.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE ticket_events SET first_contact = EXISTS (SELECT 1 FROM tickets t \
                 WHERE t.id = ticket_events.ticket_id AND t.reopen_count = 0 \
                 AND NOT t.dispatched AND NOT t.reassigned \
                 AND t.owner_id = ticket_events.actor_id) WHERE kind = 'RESOLVED'",
            )
            .await?;
        // Events of one kind in a period, carrying everything the resolution figures need.
        manager
            .create_index(
                Index::create()
                    .name("idx_ticket_events_kpi")
                    .table(TicketEvents::Table)
                    .col(TicketEvents::Kind)
                    .col(TicketEvents::At)
                    .col(TicketEvents::ActorId)
                    .col(TicketEvents::TicketId)
                    .col(TicketEvents::Minutes)
                    .col(TicketEvents::FirstContact)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_ticket_events_kind_at")
                    .table(TicketEvents::Table)
                    .to_owned(),
            )
            .await?;

        // A rating rates the resolution that was the latest when it was given.
        manager
            .alter_table(
                Table::alter()
                    .table(SatisfactionRatings::Table)
                    .add_column(
                        ColumnDef::new(SatisfactionRatings::ResolvedBy)
                            .uuid()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE satisfaction_ratings SET resolved_by = (SELECT e.actor_id \
                 FROM ticket_events e WHERE e.ticket_id = satisfaction_ratings.ticket_id \
                 AND e.kind = 'RESOLVED' AND e.at <= satisfaction_ratings.at \
                 ORDER BY e.at DESC LIMIT 1)",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_satisfaction_ratings_resolver")
                    .table(SatisfactionRatings::Table)
                    .col(SatisfactionRatings::ResolvedBy)
                    .col(SatisfactionRatings::At)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_satisfaction_ratings_resolver")
                    .table(SatisfactionRatings::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SatisfactionRatings::Table)
                    .drop_column(SatisfactionRatings::ResolvedBy)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ticket_events_kind_at")
                    .table(TicketEvents::Table)
                    .col(TicketEvents::Kind)
                    .col(TicketEvents::At)
                    .col(TicketEvents::TicketId)
                    .col(TicketEvents::ActorId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_ticket_events_kpi")
                    .table(TicketEvents::Table)
                    .to_owned(),
            )
            .await?;
        for column in [TicketEvents::Minutes, TicketEvents::FirstContact] {
            manager
                .alter_table(
                    Table::alter()
                        .table(TicketEvents::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for name in [
            "idx_tickets_first_response_kpi",
            "idx_tickets_status_due",
            "idx_tickets_first_resolved",
        ] {
            manager
                .drop_index(Index::drop().name(name).table(Tickets::Table).to_owned())
                .await?;
        }
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
