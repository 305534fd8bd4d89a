//! Named business calendars with holidays and make-up working days. SLA policies, departments
//! and tickets refer to one by id; the server gives existing policies and tickets calendars
//! equal to the hours they have (at start, `careline_persistence::calendars::adopt_hours`), so
//! nothing changes for them.

use crate::{pk_uuid, ts};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_calendars"
    }
}

#[derive(DeriveIden)]
enum BusinessCalendars {
    Table,
    Id,
    Name,
    TimeZone,
    Windows,
    SpecialDays,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SlaPolicies {
    Table,
    CalendarId,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    CalendarId,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    SlaCalendarId,
}

/// Open tickets by calendar, for recounting their due times when the calendar changes; and
/// tickets still without one, for adopting their hours at start. Both partial, so closed
/// tickets and new ones cost nothing.
const INDEXES: [&str; 2] = [
    "CREATE INDEX ix_tickets_open_by_calendar ON tickets (sla_calendar_id) \
     WHERE status IN ('NEW', 'OPEN', 'PENDING_DEPARTMENT', 'PENDING_CUSTOMER')",
    "CREATE INDEX ix_tickets_calendar_unset ON tickets (sla_time_zone, sla_windows) \
     WHERE sla_calendar_id IS NULL AND sla_time_zone IS NOT NULL",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BusinessCalendars::Table)
                    .col(pk_uuid(BusinessCalendars::Id))
                    .col(
                        ColumnDef::new(BusinessCalendars::Name)
                            .string_len(120)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(BusinessCalendars::TimeZone)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(BusinessCalendars::Windows).text().not_null())
                    // JSON list of {date, kind, name, windows}, by date.
                    .col(
                        ColumnDef::new(BusinessCalendars::SpecialDays)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BusinessCalendars::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(ts(BusinessCalendars::CreatedAt))
                    .col(ts(BusinessCalendars::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement. The references are checked by the server
        // (a calendar in use cannot be deleted: there is no deleting calendars).
        let columns = [
            (
                SlaPolicies::Table.into_iden(),
                SlaPolicies::CalendarId.into_iden(),
            ),
            (
                Departments::Table.into_iden(),
                Departments::CalendarId.into_iden(),
            ),
            (
                Tickets::Table.into_iden(),
                Tickets::SlaCalendarId.into_iden(),
            ),
        ];
        for (table, column) in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(ColumnDef::new(column).uuid().null())
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        for sql in INDEXES {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_tickets_open_by_calendar")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS ix_tickets_calendar_unset")
            .await?;
        let columns = [
            (
                SlaPolicies::Table.into_iden(),
                SlaPolicies::CalendarId.into_iden(),
            ),
            (
                Departments::Table.into_iden(),
                Departments::CalendarId.into_iden(),
            ),
            (
                Tickets::Table.into_iden(),
                Tickets::SlaCalendarId.into_iden(),
            ),
        ];
        for (table, column) in columns {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(BusinessCalendars::Table).to_owned())
            .await
    }
}
