//! Response-time standards and the floor: SLA policies, the SLA state each ticket carries,
//! escalations, shifts and handovers.

use crate::{pk_uuid, ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_sla"
    }
}

#[derive(DeriveIden)]
enum SlaPolicies {
    Table,
    Id,
    Name,
    /// `KIND` or `KIND/SEVERITY`: one policy per match, whatever the name.
    MatchKey,
    Kind,
    Severity,
    FirstResponseMinutes,
    ResolutionMinutes,
    TimeZone,
    Windows,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    SlaTimeZone,
    SlaWindows,
    SlaFirstResponseMinutes,
    SlaResolutionMinutes,
    SlaPausedAt,
    SlaFirstResponseStage,
    SlaResolutionStage,
    SlaNextCheckAt,
    SlaRiskAt,
    Status,
}

#[derive(DeriveIden)]
enum Escalations {
    Table,
    Id,
    TicketId,
    Level,
    Kind,
    Target,
    Reason,
    At,
    CreatedBy,
    AcknowledgedBy,
    AcknowledgedAt,
}

#[derive(DeriveIden)]
enum Shifts {
    Table,
    Id,
    AgentId,
    StartsAt,
    EndsAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Handovers {
    Table,
    Id,
    FromId,
    ToId,
    At,
    Notes,
}

#[derive(DeriveIden)]
enum HandoverTickets {
    Table,
    HandoverId,
    TicketId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TicketsRef {
    #[sea_orm(iden = "tickets")]
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SlaPolicies::Table)
                    .col(pk_uuid(SlaPolicies::Id))
                    .col(ColumnDef::new(SlaPolicies::Name).string_len(120).not_null())
                    .col(
                        ColumnDef::new(SlaPolicies::MatchKey)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(SlaPolicies::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(SlaPolicies::Severity).string_len(16).null())
                    .col(
                        ColumnDef::new(SlaPolicies::FirstResponseMinutes)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SlaPolicies::ResolutionMinutes)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SlaPolicies::TimeZone)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SlaPolicies::Windows)
                            .string_len(400)
                            .not_null(),
                    )
                    .col(ts(SlaPolicies::CreatedAt))
                    .col(ts(SlaPolicies::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per ALTER TABLE.
        let columns = [
            ColumnDef::new(Tickets::SlaTimeZone)
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(Tickets::SlaWindows)
                .string_len(400)
                .null()
                .to_owned(),
            ColumnDef::new(Tickets::SlaFirstResponseMinutes)
                .integer()
                .null()
                .to_owned(),
            ColumnDef::new(Tickets::SlaResolutionMinutes)
                .integer()
                .null()
                .to_owned(),
            ts_null(Tickets::SlaPausedAt),
            ColumnDef::new(Tickets::SlaFirstResponseStage)
                .integer()
                .not_null()
                .default(0)
                .to_owned(),
            ColumnDef::new(Tickets::SlaResolutionStage)
                .integer()
                .not_null()
                .default(0)
                .to_owned(),
            ts_null(Tickets::SlaNextCheckAt),
            ts_null(Tickets::SlaRiskAt),
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
            .create_index(
                Index::create()
                    .name("idx_tickets_sla_next_check")
                    .table(Tickets::Table)
                    .col(Tickets::SlaNextCheckAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tickets_status_risk")
                    .table(Tickets::Table)
                    .col(Tickets::Status)
                    .col(Tickets::SlaRiskAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Escalations::Table)
                    .col(pk_uuid(Escalations::Id))
                    .col(ColumnDef::new(Escalations::TicketId).uuid().not_null())
                    .col(ColumnDef::new(Escalations::Level).integer().not_null())
                    .col(ColumnDef::new(Escalations::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Escalations::Target).string_len(32).null())
                    .col(ColumnDef::new(Escalations::Reason).text().not_null())
                    .col(ts(Escalations::At))
                    .col(ColumnDef::new(Escalations::CreatedBy).uuid().null())
                    .col(ColumnDef::new(Escalations::AcknowledgedBy).uuid().null())
                    .col(ts_null(Escalations::AcknowledgedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Escalations::Table, Escalations::TicketId)
                            .to(TicketsRef::Table, TicketsRef::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_escalations_ticket")
                    .table(Escalations::Table)
                    .col(Escalations::TicketId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_escalations_open")
                    .table(Escalations::Table)
                    .col(Escalations::AcknowledgedAt)
                    .col(Escalations::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Shifts::Table)
                    .col(pk_uuid(Shifts::Id))
                    .col(ColumnDef::new(Shifts::AgentId).uuid().not_null())
                    .col(ts(Shifts::StartsAt))
                    .col(ts(Shifts::EndsAt))
                    .col(ColumnDef::new(Shifts::CreatedBy).uuid().not_null())
                    .col(ts(Shifts::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Shifts::Table, Shifts::AgentId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shifts_agent_time")
                    .table(Shifts::Table)
                    .col(Shifts::AgentId)
                    .col(Shifts::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Handovers::Table)
                    .col(pk_uuid(Handovers::Id))
                    .col(ColumnDef::new(Handovers::FromId).uuid().not_null())
                    .col(ColumnDef::new(Handovers::ToId).uuid().not_null())
                    .col(ts(Handovers::At))
                    .col(ColumnDef::new(Handovers::Notes).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Handovers::Table, Handovers::FromId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Handovers::Table, Handovers::ToId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HandoverTickets::Table)
                    .col(
                        ColumnDef::new(HandoverTickets::HandoverId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(HandoverTickets::TicketId).uuid().not_null())
                    .primary_key(
                        Index::create()
                            .col(HandoverTickets::HandoverId)
                            .col(HandoverTickets::TicketId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(HandoverTickets::Table, HandoverTickets::HandoverId)
                            .to(Handovers::Table, Handovers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(HandoverTickets::Table, HandoverTickets::TicketId)
                            .to(TicketsRef::Table, TicketsRef::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            HandoverTickets::Table.into_iden(),
            Handovers::Table.into_iden(),
            Shifts::Table.into_iden(),
            Escalations::Table.into_iden(),
            SlaPolicies::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for index in ["idx_tickets_sla_next_check", "idx_tickets_status_risk"] {
            manager
                .drop_index(Index::drop().name(index).table(Tickets::Table).to_owned())
                .await?;
        }
        for column in [
            Tickets::SlaTimeZone,
            Tickets::SlaWindows,
            Tickets::SlaFirstResponseMinutes,
            Tickets::SlaResolutionMinutes,
            Tickets::SlaPausedAt,
            Tickets::SlaFirstResponseStage,
            Tickets::SlaResolutionStage,
            Tickets::SlaNextCheckAt,
            Tickets::SlaRiskAt,
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
