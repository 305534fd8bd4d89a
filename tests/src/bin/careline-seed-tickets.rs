//! KPI benchmark: seeds N synthetic tickets (with their timelines and ratings) into a
//! PostgreSQL database by bulk `INSERT … SELECT generate_series`, then times the KPI report.
//!
//! ```text
//! createdb careline_bench
//! cargo run --release -p careline-tests --bin careline-seed-tickets -- \
//!     postgres://postgres@127.0.0.1:5432/careline_bench 1000000
//! ```
//! The database is migrated and the demo organisation seeded first (as the server would);
//! the tickets are spread one every 31 seconds over a year from 2025-01-01, owned by the demo
//! agents. With `--time-only` as a third argument it only times the report; with
//! `KPI_BREAKDOWN=1` in the environment it also times each of the report's scans alone. See
//! docs/BENCHMARKS.md.

use careline_api::app::kpi::report;
use careline_api::config::Settings;
use careline_persistence::kpi::Scope;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use std::time::Instant;
use uuid::Uuid;

fn utc(s: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc))
}

async fn time(
    app: &careline_api::app::App,
    label: &str,
    scope: Scope,
    from: &str,
    to: &str,
) -> anyhow::Result<()> {
    let db = &app.db;
    let (from, to) = (utc(from)?, utc(to)?);
    // The first run warms the cache; the figure is the best of the next five.
    let mut best = f64::MAX;
    let mut last = None;
    for i in 0..6 {
        let started = Instant::now();
        let r = report(app, scope, from, to, careline_persistence::now())
            .await
            .map_err(|e| anyhow::anyhow!("report failed: {e:?}"))?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if i > 0 {
            best = best.min(ms);
        }
        last = Some(r);
    }
    if std::env::var_os("KPI_BREAKDOWN").is_some() {
        let period = careline_persistence::kpi::Period {
            from,
            to,
            now: careline_persistence::now(),
        };
        let statements =
            careline_persistence::kpi::report_statements(db.get_database_backend(), scope, period);
        for (name, statement) in statements {
            let started = Instant::now();
            db.query_all_raw(statement).await?;
            println!(
                "  {name}: {:.0} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
    }
    // The same counts from the kept facts alone (the report before daily rollups).
    let period = careline_persistence::kpi::Period {
        from,
        to,
        now: careline_persistence::now(),
    };
    let mut live_best = f64::MAX;
    let mut live = None;
    for i in 0..6 {
        let started = Instant::now();
        let c = careline_persistence::kpi::counts_live(db, scope, period).await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if i > 0 {
            live_best = live_best.min(ms);
        }
        live = Some(c);
    }
    let rolled = careline_persistence::kpi::counts(db, scope, period).await?;
    anyhow::ensure!(
        Some(&rolled) == live.as_ref(),
        "{label}: the report from rollups differs from the live one"
    );
    if let Some(r) = last {
        println!(
            "{label}: {best:.0} ms; from the facts alone {live_best:.0} ms; identical figures \
             (created {}, handled {}, resolved {}, first responses {})",
            r.tickets_created, r.tickets_handled, r.tickets_resolved, r.first_response.count
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or_else(|| {
        anyhow::anyhow!("usage: careline-seed-tickets <postgres url> [n] [--time-only]")
    })?;
    let n: u64 = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let time_only = args.next().as_deref() == Some("--time-only");

    let mut settings = Settings::for_tests(url, None, careline_tests::TEST_SECRET.to_vec());
    settings.seed_demo = true;
    let app = careline_api::Application::build(settings).await?;
    let handle = app.state().app.clone();
    let db = handle.db.clone();
    if !time_only {
        careline_tests::seed_tickets::seed(&db, n).await?;
    }
    // What the server's rollup worker does at start: roll up every closed day not yet current.
    let started = Instant::now();
    let days = careline_persistence::kpi::rollups::build(&db, careline_persistence::now()).await?;
    println!(
        "KPI days rolled up: {days} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let agent = {
        use sea_orm::{FromQueryResult, Statement};
        #[derive(FromQueryResult)]
        struct Id {
            id: Uuid,
        }
        Id::find_by_statement(Statement::from_string(
            db.get_database_backend(),
            "SELECT owner_id AS id FROM tickets WHERE number = 'B-1'",
        ))
        .one(&db)
        .await?
        .map(|r| r.id)
        .ok_or_else(|| anyhow::anyhow!("no seeded tickets"))?
    };
    time(
        &handle,
        "ALL, one month",
        Scope::All,
        "2025-06-01T00:00:00Z",
        "2025-07-01T00:00:00Z",
    )
    .await?;
    time(
        &handle,
        "ALL, one quarter",
        Scope::All,
        "2025-04-01T00:00:00Z",
        "2025-07-01T00:00:00Z",
    )
    .await?;
    time(
        &handle,
        "AGENT, one quarter",
        Scope::Agent(agent),
        "2025-04-01T00:00:00Z",
        "2025-07-01T00:00:00Z",
    )
    .await?;
    time(
        &handle,
        "ALL, whole year (every ticket)",
        Scope::All,
        "2025-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z",
    )
    .await?;
    Ok(())
}
