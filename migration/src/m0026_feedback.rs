//! Feedback as the plan reads it (issue 29): a justified complaint may be a business
//! department's responsibility rather than an employee's, and praise may go to a team or a
//! department.
//!
//! - `tickets.responsible_department_id`: the department a verdict found responsible.
//! - `tickets.praised_team_id`, `tickets.praised_department_id`: who praise is for, besides (or
//!   instead of) `praised_employee_id`.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0026_feedback"
    }
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    ResponsibleDepartmentId,
    PraisedTeamId,
    PraisedDepartmentId,
}

const COLUMNS: [Tickets; 3] = [
    Tickets::ResponsibleDepartmentId,
    Tickets::PraisedTeamId,
    Tickets::PraisedDepartmentId,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .add_column(ColumnDef::new(column).uuid().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
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
