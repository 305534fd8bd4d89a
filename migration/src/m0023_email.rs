//! The email channel (issue 28): the department's mailboxes, every message read from them,
//! and the thread index that lets a reply find its ticket.
//!
//! - `mailboxes`: one row per mailbox. The IMAP and SMTP passwords are stored encrypted with
//!   the data key (AES-256-GCM); `lease_until` is held by the one poll (`lease_holder`)
//!   reading it.
//! - `inbound_emails`: every message imported or set aside, once: by its IMAP UID under the
//!   folder's UIDVALIDITY (`ux_inbound_emails_uid`) and by its Message-ID
//!   (`ux_inbound_emails_message_id`), both per mailbox. Written in the transaction that files
//!   the message, so a crash before the message is flagged `\Seen` never imports it twice.
//! - `email_messages`: the Message-IDs of the mail that came in on or went out about a ticket
//!   (`In-Reply-To`/`References` are looked up here), and the timeline entry each one is.

use crate::{index, pk_uuid, ts, ts_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0023_email"
    }
}

#[derive(DeriveIden)]
enum Mailboxes {
    Table,
    Id,
    Name,
    Address,
    ImapUrl,
    ImapSecret,
    SmtpUrl,
    SmtpSecret,
    TeamId,
    DefaultKind,
    Active,
    LastPolledAt,
    LastError,
    Imported,
    Ignored,
    LeaseUntil,
    LeaseHolder,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InboundEmails {
    Table,
    Id,
    MailboxId,
    UidValidity,
    Uid,
    MessageId,
    Sender,
    Status,
    Reason,
    TicketId,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum EmailMessages {
    Table,
    Id,
    MessageId,
    TicketId,
    EventId,
    MailboxId,
    Outbound,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Mailboxes::Table)
                    .col(pk_uuid(Mailboxes::Id))
                    .col(ColumnDef::new(Mailboxes::Name).string_len(100).not_null())
                    .col(
                        ColumnDef::new(Mailboxes::Address)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Mailboxes::ImapUrl)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Mailboxes::ImapSecret).text().null())
                    .col(ColumnDef::new(Mailboxes::SmtpUrl).string_len(500).null())
                    .col(ColumnDef::new(Mailboxes::SmtpSecret).text().null())
                    .col(ColumnDef::new(Mailboxes::TeamId).uuid().null())
                    .col(
                        ColumnDef::new(Mailboxes::DefaultKind)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Mailboxes::Active).boolean().not_null())
                    .col(ts_null(Mailboxes::LastPolledAt))
                    .col(ColumnDef::new(Mailboxes::LastError).text().null())
                    .col(
                        ColumnDef::new(Mailboxes::Imported)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Mailboxes::Ignored)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ts_null(Mailboxes::LeaseUntil))
                    .col(ColumnDef::new(Mailboxes::LeaseHolder).uuid().null())
                    .col(ts(Mailboxes::CreatedAt))
                    .col(ts(Mailboxes::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_mailboxes_address", Mailboxes::Table, &["address"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InboundEmails::Table)
                    .col(pk_uuid(InboundEmails::Id))
                    .col(ColumnDef::new(InboundEmails::MailboxId).uuid().not_null())
                    .col(
                        ColumnDef::new(InboundEmails::UidValidity)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(InboundEmails::Uid).big_integer().null())
                    .col(
                        ColumnDef::new(InboundEmails::MessageId)
                            .string_len(500)
                            .null(),
                    )
                    .col(ColumnDef::new(InboundEmails::Sender).string_len(254).null())
                    .col(
                        ColumnDef::new(InboundEmails::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(InboundEmails::Reason).text().null())
                    .col(ColumnDef::new(InboundEmails::TicketId).uuid().null())
                    .col(ts(InboundEmails::ReceivedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_inbound_emails_uid",
                    InboundEmails::Table,
                    &["mailbox_id", "uid_validity", "uid"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_inbound_emails_message_id",
                    InboundEmails::Table,
                    &["mailbox_id", "message_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_inbound_emails_sender",
                InboundEmails::Table,
                &["mailbox_id", "sender", "received_at"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailMessages::Table)
                    .col(pk_uuid(EmailMessages::Id))
                    .col(
                        ColumnDef::new(EmailMessages::MessageId)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(ColumnDef::new(EmailMessages::TicketId).uuid().not_null())
                    .col(ColumnDef::new(EmailMessages::EventId).uuid().null())
                    .col(ColumnDef::new(EmailMessages::MailboxId).uuid().null())
                    .col(ColumnDef::new(EmailMessages::Outbound).boolean().not_null())
                    .col(ts(EmailMessages::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_email_messages_message_id",
                EmailMessages::Table,
                &["message_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_email_messages_ticket",
                EmailMessages::Table,
                &["ticket_id", "at"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_email_messages_event",
                EmailMessages::Table,
                &["event_id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            EmailMessages::Table.into_iden(),
            InboundEmails::Table.into_iden(),
            Mailboxes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
