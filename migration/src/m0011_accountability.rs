//! Accountability: the employees a complaint is about, its verdict and root cause, quality
//! scorecards, quality reviews of resolved tickets, and the training recommendations a low
//! quality average has triggered (once each).

use crate::{pk_uuid, ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_accountability"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    Verdict,
    RootCause,
}

#[derive(DeriveIden)]
enum TrainingCourses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TicketInvolvedStaff {
    Table,
    TicketId,
    UserId,
}

#[derive(DeriveIden)]
enum QualityScorecards {
    Table,
    Id,
    Name,
    Criteria,
    Active,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum QualityReviews {
    Table,
    Id,
    TicketId,
    AgentId,
    ReviewerId,
    ScorecardId,
    Scores,
    Total,
    Comment,
    At,
    AcknowledgedAt,
    Dispute,
}

#[derive(DeriveIden)]
enum QualityAlerts {
    Table,
    AgentId,
    CourseId,
    At,
}

fn fk_user<T: IntoIden>(table: T, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Users::Table, Users::Id)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [
            ColumnDef::new(Tickets::Verdict)
                .string_len(16)
                .null()
                .to_owned(),
            ColumnDef::new(Tickets::RootCause).text().null().to_owned(),
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
            .create_table(
                Table::create()
                    .table(TicketInvolvedStaff::Table)
                    .col(
                        ColumnDef::new(TicketInvolvedStaff::TicketId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TicketInvolvedStaff::UserId)
                            .uuid()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(TicketInvolvedStaff::TicketId)
                            .col(TicketInvolvedStaff::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TicketInvolvedStaff::Table, TicketInvolvedStaff::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut fk_user(
                        TicketInvolvedStaff::Table,
                        TicketInvolvedStaff::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        // "Complaints naming someone in the scope" starts from the person.
        manager
            .create_index(
                Index::create()
                    .name("ix_ticket_involved_staff_user")
                    .table(TicketInvolvedStaff::Table)
                    .col(TicketInvolvedStaff::UserId)
                    .col(TicketInvolvedStaff::TicketId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QualityScorecards::Table)
                    .col(pk_uuid(QualityScorecards::Id))
                    .col(
                        ColumnDef::new(QualityScorecards::Name)
                            .string_len(120)
                            .not_null(),
                    )
                    // JSON list of {key, label, weight}.
                    .col(
                        ColumnDef::new(QualityScorecards::Criteria)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(QualityScorecards::Active)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(
                        ColumnDef::new(QualityScorecards::CreatedBy)
                            .uuid()
                            .not_null(),
                    )
                    .col(ts(QualityScorecards::CreatedAt))
                    .foreign_key(&mut fk_user(
                        QualityScorecards::Table,
                        QualityScorecards::CreatedBy,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QualityReviews::Table)
                    .col(pk_uuid(QualityReviews::Id))
                    .col(ColumnDef::new(QualityReviews::TicketId).uuid().not_null())
                    .col(ColumnDef::new(QualityReviews::AgentId).uuid().not_null())
                    .col(ColumnDef::new(QualityReviews::ReviewerId).uuid().not_null())
                    .col(
                        ColumnDef::new(QualityReviews::ScorecardId)
                            .uuid()
                            .not_null(),
                    )
                    // JSON list of {key, score, comment}.
                    .col(ColumnDef::new(QualityReviews::Scores).text().not_null())
                    .col(ColumnDef::new(QualityReviews::Total).double().not_null())
                    .col(ColumnDef::new(QualityReviews::Comment).text().null())
                    .col(ts(QualityReviews::At))
                    .col(ts_null(QualityReviews::AcknowledgedAt))
                    .col(ColumnDef::new(QualityReviews::Dispute).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(QualityReviews::Table, QualityReviews::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut fk_user(QualityReviews::Table, QualityReviews::AgentId))
                    .foreign_key(&mut fk_user(
                        QualityReviews::Table,
                        QualityReviews::ReviewerId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(QualityReviews::Table, QualityReviews::ScorecardId)
                            .to(QualityScorecards::Table, QualityScorecards::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A ticket is inspected once, even when two inspections race.
        manager
            .create_index(
                Index::create()
                    .name("ux_quality_reviews_ticket")
                    .table(QualityReviews::Table)
                    .col(QualityReviews::TicketId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_quality_reviews_agent_at")
                    .table(QualityReviews::Table)
                    .col(QualityReviews::AgentId)
                    .col(QualityReviews::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QualityAlerts::Table)
                    .col(ColumnDef::new(QualityAlerts::AgentId).uuid().not_null())
                    .col(ColumnDef::new(QualityAlerts::CourseId).uuid().not_null())
                    .col(ts(QualityAlerts::At))
                    .primary_key(
                        Index::create()
                            .col(QualityAlerts::AgentId)
                            .col(QualityAlerts::CourseId),
                    )
                    .foreign_key(&mut fk_user(QualityAlerts::Table, QualityAlerts::AgentId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(QualityAlerts::Table, QualityAlerts::CourseId)
                            .to(TrainingCourses::Table, TrainingCourses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            QualityAlerts::Table.into_iden(),
            QualityReviews::Table.into_iden(),
            QualityScorecards::Table.into_iden(),
            TicketInvolvedStaff::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in [Tickets::RootCause.into_iden(), Tickets::Verdict.into_iden()] {
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
