//! Tickets and their loop: customers, tickets, timeline events, follow-up visits, satisfaction
//! ratings, corrective actions, and the per-day counter behind ticket numbers.

use crate::{pk_uuid, ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_tickets"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    Name,
    Phone,
    Email,
    UserId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    Number,
    Kind,
    Channel,
    Category,
    Severity,
    Priority,
    PriorityRank,
    Status,
    Subject,
    Description,
    Demand,
    OccurredAt,
    Location,
    OrderNumber,
    ProductName,
    Attachments,
    CustomerId,
    OwnerId,
    AssigneeId,
    TeamId,
    DepartmentId,
    PraisedEmployeeId,
    SuggestionStatus,
    EscalationLevel,
    SlaPolicyName,
    FirstResponseDueAt,
    ResolutionDueAt,
    FirstRespondedAt,
    ResolvedAt,
    ClosedAt,
    FirstResponseBreached,
    ResolutionBreached,
    ReopenCount,
    Dispatched,
    Reassigned,
    ResolutionCount,
    FollowUpSinceResolution,
    RatedSinceResolution,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum TicketEvents {
    Table,
    Id,
    TicketId,
    Kind,
    ActorId,
    At,
    Internal,
    Message,
    FromStatus,
    ToStatus,
}

#[derive(DeriveIden)]
enum FollowUps {
    Table,
    Id,
    TicketId,
    ById,
    At,
    Method,
    Outcome,
    CustomerSatisfied,
    Resolution,
}

#[derive(DeriveIden)]
enum SatisfactionRatings {
    Table,
    Id,
    TicketId,
    Resolution,
    Rating,
    Comment,
    RatedBy,
    At,
}

#[derive(DeriveIden)]
enum CorrectiveActions {
    Table,
    Id,
    Description,
    DepartmentId,
    DueAt,
    Status,
    CreatedBy,
    VerifiedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CorrectiveActionTickets {
    Table,
    CorrectiveActionId,
    TicketId,
}

#[derive(DeriveIden)]
enum TicketCounters {
    Table,
    Day,
    LastSeq,
}

fn fk_user<T: IntoIden>(table: T, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Users::Table, Users::Id)
        .to_owned()
}

fn flag<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .boolean()
        .not_null()
        .default(false)
        .to_owned()
}

fn counter<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .integer()
        .not_null()
        .default(0)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(col);
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Customers::Table)
                    .col(pk_uuid(Customers::Id))
                    .col(ColumnDef::new(Customers::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Customers::Phone).string_len(40).null())
                    .col(ColumnDef::new(Customers::Email).string_len(254).null())
                    .col(ColumnDef::new(Customers::UserId).uuid().null())
                    .col(ts(Customers::CreatedAt))
                    .col(ts(Customers::UpdatedAt))
                    .foreign_key(&mut fk_user(Customers::Table, Customers::UserId))
                    .to_owned(),
            )
            .await?;
        // Deduplication by phone or email is enforced here so that two simultaneous intakes for
        // the same person cannot create two records; NULLs do not collide on either backend.
        index(
            manager,
            "ux_customers_phone",
            Customers::Table,
            vec![Customers::Phone.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "ux_customers_email",
            Customers::Table,
            vec![Customers::Email.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "ux_customers_user",
            Customers::Table,
            vec![Customers::UserId.into_iden()],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Tickets::Table)
                    .col(pk_uuid(Tickets::Id))
                    .col(
                        ColumnDef::new(Tickets::Number)
                            .string_len(32)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Tickets::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Tickets::Channel).string_len(32).not_null())
                    .col(ColumnDef::new(Tickets::Category).string_len(32).null())
                    .col(ColumnDef::new(Tickets::Severity).string_len(16).null())
                    .col(ColumnDef::new(Tickets::Priority).string_len(16).not_null())
                    .col(ColumnDef::new(Tickets::PriorityRank).integer().not_null())
                    .col(ColumnDef::new(Tickets::Status).string_len(32).not_null())
                    .col(ColumnDef::new(Tickets::Subject).string_len(200).not_null())
                    .col(ColumnDef::new(Tickets::Description).text().not_null())
                    .col(ColumnDef::new(Tickets::Demand).text().null())
                    .col(ts_null(Tickets::OccurredAt))
                    .col(ColumnDef::new(Tickets::Location).text().null())
                    .col(ColumnDef::new(Tickets::OrderNumber).string_len(500).null())
                    .col(ColumnDef::new(Tickets::ProductName).string_len(500).null())
                    .col(ColumnDef::new(Tickets::Attachments).text().not_null())
                    .col(ColumnDef::new(Tickets::CustomerId).uuid().not_null())
                    .col(ColumnDef::new(Tickets::OwnerId).uuid().null())
                    .col(ColumnDef::new(Tickets::AssigneeId).uuid().null())
                    .col(ColumnDef::new(Tickets::TeamId).uuid().null())
                    .col(ColumnDef::new(Tickets::DepartmentId).uuid().null())
                    .col(ColumnDef::new(Tickets::PraisedEmployeeId).uuid().null())
                    .col(
                        ColumnDef::new(Tickets::SuggestionStatus)
                            .string_len(16)
                            .null(),
                    )
                    .col(counter(Tickets::EscalationLevel))
                    .col(
                        ColumnDef::new(Tickets::SlaPolicyName)
                            .string_len(120)
                            .null(),
                    )
                    .col(ts_null(Tickets::FirstResponseDueAt))
                    .col(ts_null(Tickets::ResolutionDueAt))
                    .col(ts_null(Tickets::FirstRespondedAt))
                    .col(ts_null(Tickets::ResolvedAt))
                    .col(ts_null(Tickets::ClosedAt))
                    .col(flag(Tickets::FirstResponseBreached))
                    .col(flag(Tickets::ResolutionBreached))
                    .col(counter(Tickets::ReopenCount))
                    .col(flag(Tickets::Dispatched))
                    .col(flag(Tickets::Reassigned))
                    .col(counter(Tickets::ResolutionCount))
                    .col(flag(Tickets::FollowUpSinceResolution))
                    .col(flag(Tickets::RatedSinceResolution))
                    .col(ColumnDef::new(Tickets::CreatedBy).uuid().null())
                    .col(ts(Tickets::CreatedAt))
                    .col(ts(Tickets::UpdatedAt))
                    .col(
                        ColumnDef::new(Tickets::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tickets::Table, Tickets::CustomerId)
                            .to(Customers::Table, Customers::Id),
                    )
                    .foreign_key(&mut fk_user(Tickets::Table, Tickets::OwnerId))
                    .foreign_key(&mut fk_user(Tickets::Table, Tickets::AssigneeId))
                    .foreign_key(&mut fk_user(Tickets::Table, Tickets::PraisedEmployeeId))
                    .foreign_key(&mut fk_user(Tickets::Table, Tickets::CreatedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tickets::Table, Tickets::TeamId)
                            .to(Teams::Table, Teams::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tickets::Table, Tickets::DepartmentId)
                            .to(Departments::Table, Departments::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_tickets_status",
                vec![Tickets::Status.into_iden(), Tickets::Id.into_iden()],
            ),
            (
                "idx_tickets_team_status",
                vec![Tickets::TeamId.into_iden(), Tickets::Status.into_iden()],
            ),
            (
                "idx_tickets_assignee",
                vec![Tickets::AssigneeId.into_iden(), Tickets::Status.into_iden()],
            ),
            ("idx_tickets_owner", vec![Tickets::OwnerId.into_iden()]),
            (
                "idx_tickets_department",
                vec![
                    Tickets::DepartmentId.into_iden(),
                    Tickets::Status.into_iden(),
                ],
            ),
            (
                "idx_tickets_customer",
                vec![Tickets::CustomerId.into_iden()],
            ),
            (
                "idx_tickets_created",
                vec![Tickets::CreatedAt.into_iden(), Tickets::Id.into_iden()],
            ),
            (
                "idx_tickets_updated",
                vec![Tickets::UpdatedAt.into_iden(), Tickets::Id.into_iden()],
            ),
            (
                "idx_tickets_priority",
                vec![Tickets::PriorityRank.into_iden(), Tickets::Id.into_iden()],
            ),
            (
                "idx_tickets_resolution_due",
                vec![Tickets::ResolutionDueAt.into_iden()],
            ),
        ] {
            index(manager, name, Tickets::Table, cols, false).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(TicketEvents::Table)
                    .col(pk_uuid(TicketEvents::Id))
                    .col(ColumnDef::new(TicketEvents::TicketId).uuid().not_null())
                    .col(ColumnDef::new(TicketEvents::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(TicketEvents::ActorId).uuid().null())
                    .col(ts(TicketEvents::At))
                    .col(ColumnDef::new(TicketEvents::Internal).boolean().not_null())
                    .col(ColumnDef::new(TicketEvents::Message).text().null())
                    .col(
                        ColumnDef::new(TicketEvents::FromStatus)
                            .string_len(32)
                            .null(),
                    )
                    .col(ColumnDef::new(TicketEvents::ToStatus).string_len(32).null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(TicketEvents::Table, TicketEvents::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut fk_user(TicketEvents::Table, TicketEvents::ActorId))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_ticket_events_ticket",
            TicketEvents::Table,
            vec![
                TicketEvents::TicketId.into_iden(),
                TicketEvents::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(FollowUps::Table)
                    .col(pk_uuid(FollowUps::Id))
                    .col(ColumnDef::new(FollowUps::TicketId).uuid().not_null())
                    .col(ColumnDef::new(FollowUps::ById).uuid().not_null())
                    .col(ts(FollowUps::At))
                    .col(ColumnDef::new(FollowUps::Method).string_len(16).not_null())
                    .col(ColumnDef::new(FollowUps::Outcome).text().not_null())
                    .col(
                        ColumnDef::new(FollowUps::CustomerSatisfied)
                            .boolean()
                            .not_null(),
                    )
                    .col(ColumnDef::new(FollowUps::Resolution).integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(FollowUps::Table, FollowUps::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut fk_user(FollowUps::Table, FollowUps::ById))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_follow_ups_ticket",
            FollowUps::Table,
            vec![FollowUps::TicketId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SatisfactionRatings::Table)
                    .col(pk_uuid(SatisfactionRatings::Id))
                    .col(
                        ColumnDef::new(SatisfactionRatings::TicketId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SatisfactionRatings::Resolution)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SatisfactionRatings::Rating)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(SatisfactionRatings::Comment).text().null())
                    .col(
                        ColumnDef::new(SatisfactionRatings::RatedBy)
                            .uuid()
                            .not_null(),
                    )
                    .col(ts(SatisfactionRatings::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SatisfactionRatings::Table, SatisfactionRatings::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut fk_user(
                        SatisfactionRatings::Table,
                        SatisfactionRatings::RatedBy,
                    ))
                    .to_owned(),
            )
            .await?;
        // One rating per resolution, even when two requests race past the version check.
        index(
            manager,
            "ux_satisfaction_ticket_resolution",
            SatisfactionRatings::Table,
            vec![
                SatisfactionRatings::TicketId.into_iden(),
                SatisfactionRatings::Resolution.into_iden(),
            ],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(CorrectiveActions::Table)
                    .col(pk_uuid(CorrectiveActions::Id))
                    .col(
                        ColumnDef::new(CorrectiveActions::Description)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CorrectiveActions::DepartmentId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ts_null(CorrectiveActions::DueAt))
                    .col(
                        ColumnDef::new(CorrectiveActions::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CorrectiveActions::CreatedBy)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CorrectiveActions::VerifiedBy).uuid().null())
                    .col(ts(CorrectiveActions::CreatedAt))
                    .col(ts(CorrectiveActions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CorrectiveActions::Table, CorrectiveActions::DepartmentId)
                            .to(Departments::Table, Departments::Id),
                    )
                    .foreign_key(&mut fk_user(
                        CorrectiveActions::Table,
                        CorrectiveActions::CreatedBy,
                    ))
                    .foreign_key(&mut fk_user(
                        CorrectiveActions::Table,
                        CorrectiveActions::VerifiedBy,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_corrective_actions_status",
            CorrectiveActions::Table,
            vec![
                CorrectiveActions::Status.into_iden(),
                CorrectiveActions::DepartmentId.into_iden(),
            ],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(CorrectiveActionTickets::Table)
                    .col(
                        ColumnDef::new(CorrectiveActionTickets::CorrectiveActionId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CorrectiveActionTickets::TicketId)
                            .uuid()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CorrectiveActionTickets::CorrectiveActionId)
                            .col(CorrectiveActionTickets::TicketId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CorrectiveActionTickets::Table,
                                CorrectiveActionTickets::CorrectiveActionId,
                            )
                            .to(CorrectiveActions::Table, CorrectiveActions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CorrectiveActionTickets::Table,
                                CorrectiveActionTickets::TicketId,
                            )
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_corrective_action_tickets_ticket",
            CorrectiveActionTickets::Table,
            vec![CorrectiveActionTickets::TicketId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TicketCounters::Table)
                    .col(
                        ColumnDef::new(TicketCounters::Day)
                            .string_len(8)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(TicketCounters::LastSeq).integer().not_null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TicketCounters::Table.into_iden(),
            CorrectiveActionTickets::Table.into_iden(),
            CorrectiveActions::Table.into_iden(),
            SatisfactionRatings::Table.into_iden(),
            FollowUps::Table.into_iden(),
            TicketEvents::Table.into_iden(),
            Tickets::Table.into_iden(),
            Customers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
