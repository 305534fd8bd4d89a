//! Narrow facts that keep KPI reports over long periods cheap: a distinct count of tickets
//! over millions of timeline entries ("tickets handled", "tickets resolved") becomes a range
//! scan over one row per ticket and person.
//!
//! `kpi_spans` holds, per class of action (`HANDLED`: any action; `RESOLVED`: resolutions),
//! per staff member and ticket, the first and last instant that person took such an action on
//! the ticket; the nil UUID in `actor_id` stands for "anyone on staff". A ticket was acted on in
//! `[from, to)` when its span overlaps the period and either end lies inside it; only spans
//! that enclose the whole period need a look at the timeline. `long_span` marks spans that may
//! be longer than [`SHORT_SPAN_DAYS`], so the others are found from a bounded range of
//! `last_at`. `RESOLVED` spans also carry the ticket's first-resolution minutes, whether the
//! resolution was a first-contact one, and the latest reopen after it.
//!
//! `tickets.first_responder_id` is who acknowledged the ticket (its first response).
//!
//! The facts are derived from the timeline ([`derive_kpi_facts`], run here for existing data);
//! the server keeps them up to date as it writes (`careline_persistence::kpi`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

pub struct Migration;

/// A span not marked `long_span` is at most this many days long.
pub const SHORT_SPAN_DAYS: i64 = 8;

const DURATION_MISSING: &str = "idx_tickets_duration_missing";

/// Tickets that ended a clock without its duration recorded; the backfill's condition
/// (`careline_persistence::kpi::backfill_durations`) must stay the same for the index to serve.
const DURATION_MISSING_WHERE: &str = "(first_responded_at IS NOT NULL AND first_response_minutes \
     IS NULL) OR (first_resolved_at IS NOT NULL AND resolution_minutes IS NULL)";

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_kpi_spans"
    }
}

#[derive(DeriveIden)]
enum KpiSpans {
    Table,
    Class,
    ActorId,
    TicketId,
    FirstAt,
    LastAt,
    LongSpan,
    Minutes,
    FirstContact,
    ReopenedAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    FirstResponderId,
    FirstRespondedAt,
    FirstResponseMinutes,
    FirstResponseDueAt,
    ResolutionDueAt,
    FirstResolvedAt,
    OwnerId,
    TeamId,
}

/// SLA compliance counts tickets due in a period by whether and when they were answered or
/// resolved, for an owner or a team: these indexes answer it without visiting the tickets, and
/// replace the single-column ones (`(replaced, replacement, columns)`).
fn sla_indexes() -> [(&'static str, &'static str, [Tickets; 4]); 2] {
    [
        (
            "idx_tickets_first_response_due",
            "idx_tickets_first_response_sla",
            [
                Tickets::FirstResponseDueAt,
                Tickets::FirstRespondedAt,
                Tickets::OwnerId,
                Tickets::TeamId,
            ],
        ),
        (
            "idx_tickets_resolution_due",
            "idx_tickets_resolution_sla",
            [
                Tickets::ResolutionDueAt,
                Tickets::FirstResolvedAt,
                Tickets::OwnerId,
                Tickets::TeamId,
            ],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KpiSpans::Table)
                    .col(ColumnDef::new(KpiSpans::Class).string_len(16).not_null())
                    .col(ColumnDef::new(KpiSpans::ActorId).uuid().not_null())
                    .col(ColumnDef::new(KpiSpans::TicketId).uuid().not_null())
                    .col(crate::ts(KpiSpans::FirstAt))
                    .col(crate::ts(KpiSpans::LastAt))
                    .col(
                        ColumnDef::new(KpiSpans::LongSpan)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(ColumnDef::new(KpiSpans::Minutes).integer().null())
                    .col(ColumnDef::new(KpiSpans::FirstContact).boolean().null())
                    .col(crate::ts_null(KpiSpans::ReopenedAt))
                    .primary_key(
                        Index::create()
                            .col(KpiSpans::Class)
                            .col(KpiSpans::ActorId)
                            .col(KpiSpans::TicketId),
                    )
                    .to_owned(),
            )
            .await?;
        // Spans of one class and person ending in a range, with everything a report reads.
        manager
            .create_index(
                Index::create()
                    .name("idx_kpi_spans_period")
                    .table(KpiSpans::Table)
                    .col(KpiSpans::Class)
                    .col(KpiSpans::ActorId)
                    .col(KpiSpans::LongSpan)
                    .col(KpiSpans::LastAt)
                    .col(KpiSpans::FirstAt)
                    .col(KpiSpans::TicketId)
                    .col(KpiSpans::Minutes)
                    .col(KpiSpans::FirstContact)
                    .col(KpiSpans::ReopenedAt)
                    .to_owned(),
            )
            .await?;
        // Spans reopened after an instant (`reopenRate`).
        manager
            .create_index(
                Index::create()
                    .name("idx_kpi_spans_reopened")
                    .table(KpiSpans::Table)
                    .col(KpiSpans::Class)
                    .col(KpiSpans::ActorId)
                    .col(KpiSpans::ReopenedAt)
                    .to_owned(),
            )
            .await?;
        // A reopen updates every resolution span of its ticket.
        manager
            .create_index(
                Index::create()
                    .name("idx_kpi_spans_ticket")
                    .table(KpiSpans::Table)
                    .col(KpiSpans::TicketId)
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(ColumnDef::new(Tickets::FirstResponderId).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tickets_first_responder")
                    .table(Tickets::Table)
                    .col(Tickets::FirstResponderId)
                    .col(Tickets::FirstRespondedAt)
                    .col(Tickets::FirstResponseMinutes)
                    .to_owned(),
            )
            .await?;

        for (replaced, name, columns) in sla_indexes() {
            let mut index = Index::create();
            index.name(name).table(Tickets::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
            manager
                .drop_index(
                    Index::drop()
                        .name(replaced)
                        .table(Tickets::Table)
                        .to_owned(),
                )
                .await?;
        }

        // The server measures missing durations at every start: only rows missing one are
        // indexed, so that look is free when nothing is missing.
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE INDEX {DURATION_MISSING} ON tickets (id) WHERE {DURATION_MISSING_WHERE}"
            ))
            .await?;

        derive_kpi_facts(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX {DURATION_MISSING}"))
            .await?;
        for (replaced, name, [first, ..]) in sla_indexes() {
            manager
                .create_index(
                    Index::create()
                        .name(replaced)
                        .table(Tickets::Table)
                        .col(first)
                        .to_owned(),
                )
                .await?;
            manager
                .drop_index(Index::drop().name(name).table(Tickets::Table).to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tickets_first_responder")
                    .table(Tickets::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .drop_column(Tickets::FirstResponderId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(KpiSpans::Table).to_owned())
            .await
    }
}

/// Recomputes `kpi_spans` and `tickets.first_responder_id` from the timeline: what the server
/// maintains as it writes, from scratch (for existing data, bulk loads and tests).
pub async fn derive_kpi_facts<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let run = |sql: String, values: Vec<Value>| {
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
    };
    run(
        "UPDATE tickets SET first_responder_id = (SELECT e.actor_id FROM ticket_events e \
         WHERE e.ticket_id = tickets.id AND e.kind = 'ACKNOWLEDGED' ORDER BY e.at LIMIT 1) \
         WHERE first_responded_at IS NOT NULL"
            .to_owned(),
        vec![],
    )
    .await?;
    run("DELETE FROM kpi_spans".to_owned(), vec![]).await?;

    let staff = "e.actor_id IN (SELECT u.id FROM users u WHERE u.roles > 1)";
    // (key column, grouping, bound values) of the per-person rows and of the "anyone on staff"
    // row (PostgreSQL refuses a bound value the statement does not mention).
    let keys = [
        ("e.actor_id", "e.actor_id, e.ticket_id", vec![]),
        ("$1", "e.ticket_id", vec![Value::from(Uuid::nil())]),
    ];
    for (key, group, values) in keys {
        run(
            format!(
                "INSERT INTO kpi_spans (class, actor_id, ticket_id, first_at, last_at, long_span) \
                 SELECT 'HANDLED', {key}, e.ticket_id, MIN(e.at), MAX(e.at), FALSE \
                 FROM ticket_events e WHERE {staff} GROUP BY {group}"
            ),
            values.clone(),
        )
        .await?;
        // A span is first-contact only if every resolution in it was; `reopened_at` is the
        // latest reopen after its first resolution.
        run(
            format!(
                "INSERT INTO kpi_spans (class, actor_id, ticket_id, first_at, last_at, long_span, \
                 minutes, first_contact, reopened_at) \
                 SELECT 'RESOLVED', g.actor_id, g.ticket_id, g.first_at, g.last_at, FALSE, \
                 g.minutes, g.first_contact = 1, (SELECT MAX(o.at) FROM ticket_events o \
                 WHERE o.ticket_id = g.ticket_id AND o.kind = 'REOPENED' AND o.at > g.first_at) \
                 FROM (SELECT {key} AS actor_id, e.ticket_id, MIN(e.at) AS first_at, \
                 MAX(e.at) AS last_at, MIN(e.minutes) AS minutes, \
                 MIN(CASE WHEN e.first_contact THEN 1 ELSE 0 END) AS first_contact \
                 FROM ticket_events e WHERE e.kind = 'RESOLVED' AND {staff} GROUP BY {group}) g"
            ),
            values,
        )
        .await?;
    }
    // The incremental rule marks a span once it reaches half the short bound; the same here.
    let long = match backend {
        DbBackend::Postgres => format!(
            "last_at - first_at > interval '{} hours'",
            SHORT_SPAN_DAYS * 12
        ),
        _ => format!(
            "julianday(last_at) - julianday(first_at) > {}",
            SHORT_SPAN_DAYS as f64 / 2.0
        ),
    };
    run(
        format!("UPDATE kpi_spans SET long_span = TRUE WHERE {long}"),
        vec![],
    )
    .await?;
    Ok(())
}
