//! The conversation with customers (issue 27): stored files, everyone's inbox, the deliveries
//! that carry messages to customers on their channels, customers' contact preferences, edited
//! message templates, and the answer time promised to a customer.
//!
//! - `stored_files`: one row per uploaded file; its bytes live in the file store (a local
//!   directory or S3-compatible storage) under `storage_key`. `ticket_id`/`event_id` are set
//!   when the file is attached; files never attached are purged after a day
//!   (`ix_stored_files_unattached`).
//! - `notifications`: inbox entries. `dedupe_key` is unique per person, so a notice written by
//!   two instances for the same cause lands once.
//! - `deliveries`: the outbox of outbound messages, written in the transaction of the change
//!   that causes them: once per (cause, person, channel) by `ux_deliveries_once`; instances
//!   claim due rows (`ix_deliveries_due`) under a lease.
//! - `contact_preferences`: one row per customer who has changed the defaults.
//! - `notification_templates`: managers' edits of the shipped templates, one row per event,
//!   channel and language.

use crate::{index, pk_uuid, ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0022_conversation"
    }
}

#[derive(DeriveIden)]
enum StoredFiles {
    Table,
    Id,
    UploadedBy,
    FileName,
    ContentType,
    SizeBytes,
    Sha256,
    StorageKey,
    CreatedAt,
    TicketId,
    EventId,
    AttachedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Title,
    Body,
    TicketId,
    At,
    ReadAt,
    DedupeKey,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    Cause,
    TicketId,
    EventId,
    CustomerId,
    Notice,
    Channel,
    Address,
    Subject,
    Body,
    Status,
    Attempts,
    Detail,
    NextAttemptAt,
    LeaseUntil,
    MessageId,
    SentAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ContactPreferences {
    Table,
    CustomerId,
    Channels,
    QuietHours,
    TimeZone,
    Language,
    OptedOut,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NotificationTemplates {
    Table,
    Id,
    Event,
    Channel,
    Language,
    Subject,
    Body,
    Version,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    PromisedAnswerAt,
    PromiseEscalated,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StoredFiles::Table)
                    .col(pk_uuid(StoredFiles::Id))
                    .col(ColumnDef::new(StoredFiles::UploadedBy).uuid().not_null())
                    .col(
                        ColumnDef::new(StoredFiles::FileName)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StoredFiles::ContentType)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StoredFiles::SizeBytes)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StoredFiles::Sha256)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StoredFiles::StorageKey)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ts(StoredFiles::CreatedAt))
                    .col(ColumnDef::new(StoredFiles::TicketId).uuid().null())
                    .col(ColumnDef::new(StoredFiles::EventId).uuid().null())
                    .col(ts_null(StoredFiles::AttachedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_stored_files_event",
                StoredFiles::Table,
                &["event_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_stored_files_unattached",
                StoredFiles::Table,
                &["attached_at", "created_at"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_uuid(Notifications::Id))
                    .col(ColumnDef::new(Notifications::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(Notifications::Kind)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Notifications::Title)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Notifications::Body).text().not_null())
                    .col(ColumnDef::new(Notifications::TicketId).uuid().null())
                    .col(ts(Notifications::At))
                    .col(ts_null(Notifications::ReadAt))
                    .col(
                        ColumnDef::new(Notifications::DedupeKey)
                            .string_len(120)
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_notifications_once",
                    Notifications::Table,
                    &["user_id", "dedupe_key"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_notifications_inbox",
                Notifications::Table,
                &["user_id", "id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Deliveries::Table)
                    .col(pk_uuid(Deliveries::Id))
                    .col(ColumnDef::new(Deliveries::Cause).string_len(120).not_null())
                    .col(ColumnDef::new(Deliveries::TicketId).uuid().null())
                    .col(ColumnDef::new(Deliveries::EventId).uuid().null())
                    .col(ColumnDef::new(Deliveries::CustomerId).uuid().not_null())
                    .col(ColumnDef::new(Deliveries::Notice).string_len(32).not_null())
                    .col(ColumnDef::new(Deliveries::Channel).string_len(8).not_null())
                    .col(ColumnDef::new(Deliveries::Address).string_len(320).null())
                    .col(ColumnDef::new(Deliveries::Subject).string_len(300).null())
                    .col(ColumnDef::new(Deliveries::Body).text().not_null())
                    .col(ColumnDef::new(Deliveries::Status).string_len(12).not_null())
                    .col(ColumnDef::new(Deliveries::Attempts).integer().not_null())
                    .col(ColumnDef::new(Deliveries::Detail).string_len(500).null())
                    .col(ts(Deliveries::NextAttemptAt))
                    .col(ts_null(Deliveries::LeaseUntil))
                    .col(ColumnDef::new(Deliveries::MessageId).string_len(300).null())
                    .col(ts_null(Deliveries::SentAt))
                    .col(ts(Deliveries::CreatedAt))
                    .col(ts(Deliveries::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_deliveries_once",
                    Deliveries::Table,
                    &["cause", "customer_id", "channel"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_deliveries_due",
                Deliveries::Table,
                &["status", "next_attempt_at"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_deliveries_event",
                Deliveries::Table,
                &["event_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ContactPreferences::Table)
                    .col(pk_uuid(ContactPreferences::CustomerId))
                    .col(
                        ColumnDef::new(ContactPreferences::Channels)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ContactPreferences::QuietHours)
                            .string_len(16)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ContactPreferences::TimeZone)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ContactPreferences::Language)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ContactPreferences::OptedOut)
                            .boolean()
                            .not_null(),
                    )
                    .col(ts(ContactPreferences::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(NotificationTemplates::Table)
                    .col(pk_uuid(NotificationTemplates::Id))
                    .col(
                        ColumnDef::new(NotificationTemplates::Event)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationTemplates::Channel)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationTemplates::Language)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationTemplates::Subject)
                            .string_len(300)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(NotificationTemplates::Body)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationTemplates::Version)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationTemplates::UpdatedBy)
                            .uuid()
                            .not_null(),
                    )
                    .col(ts(NotificationTemplates::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_notification_templates_key",
                    NotificationTemplates::Table,
                    &["event", "channel", "language"],
                )
                .unique()
                .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(ts_null(Tickets::PromisedAnswerAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(
                        ColumnDef::new(Tickets::PromiseEscalated)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Tickets::PromiseEscalated, Tickets::PromisedAnswerAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            NotificationTemplates::Table.into_iden(),
            ContactPreferences::Table.into_iden(),
            Deliveries::Table.into_iden(),
            Notifications::Table.into_iden(),
            StoredFiles::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
