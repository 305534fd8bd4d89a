//! Training: courses (with the roles that must pass them), scheduled sessions, and each
//! person's record of a session.

use crate::{pk_uuid, ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_training"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TrainingCourses {
    Table,
    Id,
    Title,
    Category,
    RequiredRoles,
    PassScore,
    ValidityMonths,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TrainingSessions {
    Table,
    Id,
    CourseId,
    TrainerId,
    StartsAt,
    EndsAt,
    Mode,
    Capacity,
    Enrolled,
    Location,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TrainingRecords {
    Table,
    Id,
    SessionId,
    CourseId,
    EmployeeId,
    Status,
    ProcessScore,
    ResultScore,
    CompletedAt,
    ExpiresAt,
    Feedback,
    EnrolledAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrainingCourses::Table)
                    .col(pk_uuid(TrainingCourses::Id))
                    .col(
                        ColumnDef::new(TrainingCourses::Title)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrainingCourses::Category)
                            .string_len(32)
                            .not_null(),
                    )
                    // A `Roles` bit mask, like `users.roles`, so "required for any of my
                    // roles" is one bitwise test in SQL.
                    .col(
                        ColumnDef::new(TrainingCourses::RequiredRoles)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrainingCourses::PassScore)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrainingCourses::ValidityMonths)
                            .integer()
                            .null(),
                    )
                    .col(ColumnDef::new(TrainingCourses::CreatedBy).uuid().null())
                    .col(ts(TrainingCourses::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingCourses::Table, TrainingCourses::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrainingSessions::Table)
                    .col(pk_uuid(TrainingSessions::Id))
                    .col(ColumnDef::new(TrainingSessions::CourseId).uuid().not_null())
                    .col(
                        ColumnDef::new(TrainingSessions::TrainerId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ts(TrainingSessions::StartsAt))
                    .col(ts(TrainingSessions::EndsAt))
                    .col(
                        ColumnDef::new(TrainingSessions::Mode)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrainingSessions::Capacity)
                            .integer()
                            .not_null(),
                    )
                    // Seats taken, raised only by `UPDATE … WHERE enrolled < capacity`, so two
                    // concurrent enrollments can never both take the last seat.
                    .col(
                        ColumnDef::new(TrainingSessions::Enrolled)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(TrainingSessions::Location)
                            .string_len(200)
                            .null(),
                    )
                    .col(ts(TrainingSessions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingSessions::Table, TrainingSessions::CourseId)
                            .to(TrainingCourses::Table, TrainingCourses::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingSessions::Table, TrainingSessions::TrainerId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_training_sessions_starts")
                    .table(TrainingSessions::Table)
                    .col(TrainingSessions::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_training_sessions_course_starts")
                    .table(TrainingSessions::Table)
                    .col(TrainingSessions::CourseId)
                    .col(TrainingSessions::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrainingRecords::Table)
                    .col(pk_uuid(TrainingRecords::Id))
                    .col(ColumnDef::new(TrainingRecords::SessionId).uuid().not_null())
                    // The session's course, copied so that compliance reads one table.
                    .col(ColumnDef::new(TrainingRecords::CourseId).uuid().not_null())
                    .col(
                        ColumnDef::new(TrainingRecords::EmployeeId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrainingRecords::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TrainingRecords::ProcessScore)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(TrainingRecords::ResultScore)
                            .integer()
                            .null(),
                    )
                    .col(ts_null(TrainingRecords::CompletedAt))
                    .col(ts_null(TrainingRecords::ExpiresAt))
                    .col(ColumnDef::new(TrainingRecords::Feedback).text().null())
                    .col(ts(TrainingRecords::EnrolledAt))
                    .col(ts(TrainingRecords::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingRecords::Table, TrainingRecords::SessionId)
                            .to(TrainingSessions::Table, TrainingSessions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingRecords::Table, TrainingRecords::CourseId)
                            .to(TrainingCourses::Table, TrainingCourses::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrainingRecords::Table, TrainingRecords::EmployeeId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_training_records_session_employee")
                    .table(TrainingRecords::Table)
                    .col(TrainingRecords::SessionId)
                    .col(TrainingRecords::EmployeeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_training_records_employee_course")
                    .table(TrainingRecords::Table)
                    .col(TrainingRecords::EmployeeId)
                    .col(TrainingRecords::CourseId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping a table drops its indexes on both databases.
        for table in [
            TrainingRecords::Table.into_iden(),
            TrainingSessions::Table.into_iden(),
            TrainingCourses::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
