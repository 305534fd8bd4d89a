//! Escalations routed to named people, and corrective actions chased (issue 29).
//!
//! - `escalation_recipients`: who each escalation was routed to, written with the escalation
//!   by the one journal writer; `ix_escalation_recipients_user` serves "routed to me".
//! - `working_group_members`: the complaint-handling working group (投诉处理工作小组), set as a
//!   whole by managers and admins.
//! - `corrective_actions.reminded_at`: when the reminder a day before `due_at` went out;
//!   `corrective_actions.overdue_escalated_at`: when its overdue escalation was recorded. Each
//!   is set by a conditional write (`… WHERE … IS NULL`), so exactly one instance sends it.

use crate::{index, ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0025_escalation_routing"
    }
}

#[derive(DeriveIden)]
enum EscalationRecipients {
    Table,
    EscalationId,
    UserId,
}

#[derive(DeriveIden)]
enum WorkingGroupMembers {
    Table,
    UserId,
    AddedBy,
    AddedAt,
}

#[derive(DeriveIden)]
enum CorrectiveActions {
    Table,
    RemindedAt,
    OverdueEscalatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EscalationRecipients::Table)
                    .col(
                        ColumnDef::new(EscalationRecipients::EscalationId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EscalationRecipients::UserId)
                            .uuid()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(EscalationRecipients::EscalationId)
                            .col(EscalationRecipients::UserId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_escalation_recipients_user",
                EscalationRecipients::Table,
                &["user_id", "escalation_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WorkingGroupMembers::Table)
                    .col(
                        ColumnDef::new(WorkingGroupMembers::UserId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(WorkingGroupMembers::AddedBy).uuid().null())
                    .col(ts(WorkingGroupMembers::AddedAt))
                    .to_owned(),
            )
            .await?;
        for column in [
            CorrectiveActions::RemindedAt,
            CorrectiveActions::OverdueEscalatedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CorrectiveActions::Table)
                        .add_column(ts_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            CorrectiveActions::OverdueEscalatedAt,
            CorrectiveActions::RemindedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CorrectiveActions::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            WorkingGroupMembers::Table.into_iden(),
            EscalationRecipients::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
