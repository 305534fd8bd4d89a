//! Performance reviews: review cycles, one review per person per cycle (self and manager
//! assessments, the frozen KPI snapshot, score, stars, outcome, recommended courses) and the
//! peer assessments written about it.

use crate::{pk_uuid, ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_reviews"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ReviewCycles {
    Table,
    Id,
    Name,
    StartsAt,
    EndsAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PerformanceReviews {
    Table,
    Id,
    CycleId,
    EmployeeId,
    Status,
    SelfAssessment,
    SelfSubmittedAt,
    ManagerAssessment,
    ManagerId,
    ManagerSubmittedAt,
    KpiSnapshot,
    Score,
    StarRating,
    Outcome,
    RecommendedCourseIds,
    FinalizedBy,
    FinalizedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PeerAssessments {
    Table,
    Id,
    ReviewId,
    ReviewerId,
    Body,
    CreatedAt,
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
        manager
            .create_table(
                Table::create()
                    .table(ReviewCycles::Table)
                    .col(pk_uuid(ReviewCycles::Id))
                    .col(
                        ColumnDef::new(ReviewCycles::Name)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ts(ReviewCycles::StartsAt))
                    .col(ts(ReviewCycles::EndsAt))
                    .col(ColumnDef::new(ReviewCycles::CreatedBy).uuid().not_null())
                    .col(ts(ReviewCycles::CreatedAt))
                    .foreign_key(&mut fk_user(ReviewCycles::Table, ReviewCycles::CreatedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PerformanceReviews::Table)
                    .col(pk_uuid(PerformanceReviews::Id))
                    .col(
                        ColumnDef::new(PerformanceReviews::CycleId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PerformanceReviews::EmployeeId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PerformanceReviews::Status)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PerformanceReviews::SelfAssessment)
                            .text()
                            .null(),
                    )
                    .col(ts_null(PerformanceReviews::SelfSubmittedAt))
                    .col(
                        ColumnDef::new(PerformanceReviews::ManagerAssessment)
                            .text()
                            .null(),
                    )
                    .col(ColumnDef::new(PerformanceReviews::ManagerId).uuid().null())
                    .col(ts_null(PerformanceReviews::ManagerSubmittedAt))
                    // The KPI report of the cycle's period as JSON, frozen at finalization.
                    .col(
                        ColumnDef::new(PerformanceReviews::KpiSnapshot)
                            .text()
                            .null(),
                    )
                    .col(ColumnDef::new(PerformanceReviews::Score).double().null())
                    .col(
                        ColumnDef::new(PerformanceReviews::StarRating)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(PerformanceReviews::Outcome)
                            .string_len(32)
                            .null(),
                    )
                    // A JSON list of training course ids; no foreign key, so courses can be
                    // retired without rewriting history.
                    .col(
                        ColumnDef::new(PerformanceReviews::RecommendedCourseIds)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PerformanceReviews::FinalizedBy)
                            .uuid()
                            .null(),
                    )
                    .col(ts_null(PerformanceReviews::FinalizedAt))
                    .col(ts(PerformanceReviews::CreatedAt))
                    .col(ts(PerformanceReviews::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PerformanceReviews::Table, PerformanceReviews::CycleId)
                            .to(ReviewCycles::Table, ReviewCycles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut fk_user(
                        PerformanceReviews::Table,
                        PerformanceReviews::EmployeeId,
                    ))
                    .foreign_key(&mut fk_user(
                        PerformanceReviews::Table,
                        PerformanceReviews::ManagerId,
                    ))
                    .foreign_key(&mut fk_user(
                        PerformanceReviews::Table,
                        PerformanceReviews::FinalizedBy,
                    ))
                    .to_owned(),
            )
            .await?;
        // One review per person per cycle, even when two first submissions race.
        manager
            .create_index(
                Index::create()
                    .name("ux_performance_reviews_cycle_employee")
                    .table(PerformanceReviews::Table)
                    .col(PerformanceReviews::CycleId)
                    .col(PerformanceReviews::EmployeeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PeerAssessments::Table)
                    .col(pk_uuid(PeerAssessments::Id))
                    .col(ColumnDef::new(PeerAssessments::ReviewId).uuid().not_null())
                    .col(
                        ColumnDef::new(PeerAssessments::ReviewerId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(PeerAssessments::Body).text().not_null())
                    .col(ts(PeerAssessments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PeerAssessments::Table, PeerAssessments::ReviewId)
                            .to(PerformanceReviews::Table, PerformanceReviews::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut fk_user(
                        PeerAssessments::Table,
                        PeerAssessments::ReviewerId,
                    ))
                    .to_owned(),
            )
            .await?;
        // One peer assessment per colleague per review.
        manager
            .create_index(
                Index::create()
                    .name("ux_peer_assessments_review_reviewer")
                    .table(PeerAssessments::Table)
                    .col(PeerAssessments::ReviewId)
                    .col(PeerAssessments::ReviewerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PeerAssessments::Table.into_iden(),
            PerformanceReviews::Table.into_iden(),
            ReviewCycles::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
