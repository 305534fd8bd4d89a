//! Every order of the ticket list is read from an index: the first page and a page after or
//! before a cursor, both directions, with no sort step, so a page costs the same over ten
//! thousand tickets as over a million (issue 16). Checked on the database the suite runs on
//! (PostgreSQL in CI, SQLite by default) by asking it for the plan of the list's own statement.

use careline_domain::ticket::ReadScope;
use careline_persistence::tickets::{
    self, OrderField, TicketCursor, TicketFilter, TicketOrder, TicketPageRequest,
};
use careline_tests::TestApp;
use chrono::{TimeZone, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

const FIELDS: [OrderField; 4] = [
    OrderField::CreatedAt,
    OrderField::UpdatedAt,
    OrderField::Priority,
    OrderField::DueAt,
];

/// A cursor in the middle of the list under `field`.
fn cursor(field: OrderField) -> TicketCursor {
    let key = match field {
        OrderField::Priority => 2,
        _ => Utc
            .with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
            .unwrap()
            .timestamp_micros(),
    };
    TicketCursor {
        key,
        id: uuid::Uuid::from_u128(42),
    }
}

/// The database's plan for `statement`, one line per step. PostgreSQL is told to avoid sorts
/// and whole-table scans at any cost, so a plan that still sorts has no index to read from.
async fn plan(db: &sea_orm::DatabaseConnection, statement: Statement) -> String {
    let backend = db.get_database_backend();
    let explain = match backend {
        DbBackend::Postgres => "EXPLAIN",
        _ => "EXPLAIN QUERY PLAN",
    };
    let tx = db.begin().await.unwrap();
    if backend == DbBackend::Postgres {
        tx.execute_unprepared("SET LOCAL enable_sort = off; SET LOCAL enable_seqscan = off")
            .await
            .unwrap();
    }
    let rows = tx
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!("{explain} {}", statement.sql),
            statement.values.map(|v| v.0).unwrap_or_default(),
        ))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let column = match backend {
        DbBackend::Postgres => "QUERY PLAN",
        _ => "detail",
    };
    rows.iter()
        .map(|row| row.try_get::<String>("", column).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn every_order_of_the_ticket_list_is_read_from_an_index_both_ways() {
    let app = TestApp::spawn().await;
    let db = careline_persistence::connect(&app.database_url())
        .await
        .unwrap();
    let backend = db.get_database_backend();
    let mut checked = 0;
    for field in FIELDS {
        for descending in [false, true] {
            let pages = [
                (None, None, false),
                (Some(cursor(field)), None, false),
                (None, Some(cursor(field)), true),
                (None, None, true),
            ];
            for (after, before, from_end) in pages {
                let statement = tickets::page_statement(
                    backend,
                    ReadScope::All,
                    &TicketFilter::default(),
                    TicketOrder { field, descending },
                    TicketPageRequest {
                        after,
                        before,
                        limit: 20,
                        from_end,
                        with_total: false,
                    },
                )
                .unwrap();
                let plan = plan(&db, statement).await;
                let what = format!(
                    "{field:?} descending={descending} after={} before={}",
                    after.is_some(),
                    before.is_some()
                );
                match backend {
                    DbBackend::Postgres => {
                        assert!(!plan.contains("Sort"), "{what} sorts:\n{plan}");
                        assert!(plan.contains("Index"), "{what} reads no index:\n{plan}");
                        if after.is_some() || before.is_some() {
                            // The cursor is where the scan starts, not a filter on every row
                            // read from the top of the index.
                            assert!(plan.contains("Index Cond"), "{what} does not seek:\n{plan}");
                        }
                    }
                    _ => {
                        assert!(!plan.contains("TEMP B-TREE"), "{what} sorts:\n{plan}");
                        assert!(plan.contains("INDEX"), "{what} reads no index:\n{plan}");
                        if after.is_some() || before.is_some() {
                            assert!(plan.contains("SEARCH"), "{what} does not seek:\n{plan}");
                        }
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 32);
}
