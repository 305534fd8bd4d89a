//! Insight: satisfaction surveys (questionnaires, one invitation per customer and survey, the
//! answers results are counted from) and time accounting (minutes logged on tickets).

use crate::{pk_uuid, ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0018_insight"
    }
}

#[derive(DeriveIden)]
enum Surveys {
    Table,
    Id,
    Name,
    Status,
    /// The questionnaire as JSON (`careline_domain::survey::Question`s).
    Questions,
    CreatedBy,
    CreatedAt,
    LaunchedAt,
    ClosedAt,
    ResolvedFrom,
    ResolvedTo,
}

#[derive(DeriveIden)]
enum SurveyInvitations {
    Table,
    Id,
    SurveyId,
    CustomerId,
    TicketId,
    /// `APP` (the customer answers in the app) or `PHONE` (an agent calls).
    Channel,
    /// Who calls, for phone invitations: the ticket's first-contact owner.
    CallerId,
    CreatedAt,
    RespondedAt,
    RespondedBy,
}

#[derive(DeriveIden)]
enum SurveyAnswers {
    Table,
    Id,
    InvitationId,
    SurveyId,
    QuestionKey,
    ValueText,
    ValueNumber,
}

#[derive(DeriveIden)]
enum TimeEntries {
    Table,
    Id,
    TicketId,
    UserId,
    Minutes,
    Note,
    At,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Surveys::Table)
                    .col(pk_uuid(Surveys::Id))
                    .col(ColumnDef::new(Surveys::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Surveys::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Surveys::Questions).text().not_null())
                    .col(ColumnDef::new(Surveys::CreatedBy).uuid().not_null())
                    .col(ts(Surveys::CreatedAt))
                    .col(ts_null(Surveys::LaunchedAt))
                    .col(ts_null(Surveys::ClosedAt))
                    .col(ts_null(Surveys::ResolvedFrom))
                    .col(ts_null(Surveys::ResolvedTo))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyInvitations::Table)
                    .col(pk_uuid(SurveyInvitations::Id))
                    .col(
                        ColumnDef::new(SurveyInvitations::SurveyId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SurveyInvitations::CustomerId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(SurveyInvitations::TicketId).uuid().null())
                    .col(
                        ColumnDef::new(SurveyInvitations::Channel)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SurveyInvitations::CallerId).uuid().null())
                    .col(ts(SurveyInvitations::CreatedAt))
                    .col(ts_null(SurveyInvitations::RespondedAt))
                    .col(ColumnDef::new(SurveyInvitations::RespondedBy).uuid().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(SurveyInvitations::Table, SurveyInvitations::SurveyId)
                            .to(Surveys::Table, Surveys::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SurveyInvitations::Table, SurveyInvitations::CustomerId)
                            .to(Customers::Table, Customers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SurveyInvitations::Table, SurveyInvitations::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyAnswers::Table)
                    .col(pk_uuid(SurveyAnswers::Id))
                    .col(
                        ColumnDef::new(SurveyAnswers::InvitationId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(SurveyAnswers::SurveyId).uuid().not_null())
                    .col(
                        ColumnDef::new(SurveyAnswers::QuestionKey)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SurveyAnswers::ValueText).text().not_null())
                    .col(ColumnDef::new(SurveyAnswers::ValueNumber).double().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(SurveyAnswers::Table, SurveyAnswers::InvitationId)
                            .to(SurveyInvitations::Table, SurveyInvitations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TimeEntries::Table)
                    .col(pk_uuid(TimeEntries::Id))
                    .col(ColumnDef::new(TimeEntries::TicketId).uuid().not_null())
                    .col(ColumnDef::new(TimeEntries::UserId).uuid().not_null())
                    .col(ColumnDef::new(TimeEntries::Minutes).integer().not_null())
                    .col(ColumnDef::new(TimeEntries::Note).text().null())
                    .col(ts(TimeEntries::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TimeEntries::Table, TimeEntries::TicketId)
                            .to(Tickets::Table, Tickets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let indexes: [(&str, DynIden, Vec<DynIden>, bool); 7] = [
            (
                "ux_survey_invitations_customer",
                SurveyInvitations::Table.into_iden(),
                vec![
                    SurveyInvitations::SurveyId.into_iden(),
                    SurveyInvitations::CustomerId.into_iden(),
                ],
                true,
            ),
            (
                "ix_survey_invitations_customer",
                SurveyInvitations::Table.into_iden(),
                vec![
                    SurveyInvitations::CustomerId.into_iden(),
                    SurveyInvitations::RespondedAt.into_iden(),
                ],
                false,
            ),
            (
                "ix_survey_invitations_caller",
                SurveyInvitations::Table.into_iden(),
                vec![
                    SurveyInvitations::CallerId.into_iden(),
                    SurveyInvitations::RespondedAt.into_iden(),
                ],
                false,
            ),
            (
                "ix_survey_answers_question",
                SurveyAnswers::Table.into_iden(),
                vec![
                    SurveyAnswers::SurveyId.into_iden(),
                    SurveyAnswers::QuestionKey.into_iden(),
                ],
                false,
            ),
            (
                "ix_survey_answers_invitation",
                SurveyAnswers::Table.into_iden(),
                vec![SurveyAnswers::InvitationId.into_iden()],
                false,
            ),
            (
                "ix_time_entries_ticket",
                TimeEntries::Table.into_iden(),
                vec![TimeEntries::TicketId.into_iden()],
                false,
            ),
            (
                "ix_time_entries_user_at",
                TimeEntries::Table.into_iden(),
                vec![TimeEntries::UserId.into_iden(), TimeEntries::At.into_iden()],
                false,
            ),
        ];
        for (name, table, columns, unique) in indexes {
            let mut index = Index::create();
            index.name(name).table(table);
            for column in columns {
                index.col(column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TimeEntries::Table.into_iden(),
            SurveyAnswers::Table.into_iden(),
            SurveyInvitations::Table.into_iden(),
            Surveys::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
