//! Careline's database schema, as ordered migrations that run on SQLite and PostgreSQL alike.
//! The server applies pending migrations at start; `cargo run -p careline-migration -- up|down|status`
//! drives them by hand.

#![expect(
    elided_lifetimes_in_paths,
    reason = "sea-orm-migration declares MigrationTrait with an elided SchemaManager lifetime"
)]

pub use sea_orm_migration::prelude::*;

mod m0001_people;
mod m0002_tickets;
mod m0003_outbox;
mod m0004_sla;
mod m0005_training;
mod m0006_reviews;
mod m0007_kpi_indexes;
mod m0008_ticket_search;
mod m0009_ticket_durations;
mod m0010_kpi_spans;
mod m0011_accountability;
mod m0012_calendars;
mod m0013_casework;
mod m0014_knowledge;
mod m0015_article_review_notices;
mod m0016_knowledge_search_vector;
mod m0017_reports;
mod m0018_insight;
mod m0019_kpi_daily_rollups;
mod m0020_ticket_number_sequence;
mod m0021_ticket_list_order;
mod m0022_conversation;
mod m0023_email;
mod m0024_callbacks;
mod m0025_escalation_routing;
mod m0026_feedback;

pub use m0010_kpi_spans::{SHORT_SPAN_DAYS, derive_kpi_facts};

/// Every migration, oldest first.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_people::Migration),
            Box::new(m0002_tickets::Migration),
            Box::new(m0003_outbox::Migration),
            Box::new(m0004_sla::Migration),
            Box::new(m0005_training::Migration),
            Box::new(m0006_reviews::Migration),
            Box::new(m0007_kpi_indexes::Migration),
            Box::new(m0008_ticket_search::Migration),
            Box::new(m0009_ticket_durations::Migration),
            Box::new(m0010_kpi_spans::Migration),
            Box::new(m0011_accountability::Migration),
            Box::new(m0012_calendars::Migration),
            Box::new(m0013_casework::Migration),
            Box::new(m0014_knowledge::Migration),
            Box::new(m0015_article_review_notices::Migration),
            Box::new(m0016_knowledge_search_vector::Migration),
            Box::new(m0017_reports::Migration),
            Box::new(m0018_insight::Migration),
            Box::new(m0019_kpi_daily_rollups::Migration),
            Box::new(m0020_ticket_number_sequence::Migration),
            Box::new(m0021_ticket_list_order::Migration),
            Box::new(m0022_conversation::Migration),
            Box::new(m0023_email::Migration),
            Box::new(m0024_callbacks::Migration),
            Box::new(m0025_escalation_routing::Migration),
            Box::new(m0026_feedback::Migration),
        ]
    }
}

/// An index `name` on `table`'s columns `cols`, in order.
pub(crate) fn index(
    name: &str,
    table: impl IntoIden,
    cols: &[&'static str],
) -> IndexCreateStatement {
    let mut i = Index::create().name(name).table(table).to_owned();
    for c in cols {
        i.col(Alias::new(*c));
    }
    i
}

/// A UUID primary key column.
pub(crate) fn pk_uuid<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .uuid()
        .not_null()
        .primary_key()
        .to_owned()
}

/// A non-null timestamp column (UTC).
pub(crate) fn ts<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

/// A nullable timestamp column (UTC).
pub(crate) fn ts_null<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}
