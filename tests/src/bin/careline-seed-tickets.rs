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
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::time::Instant;
use uuid::Uuid;

fn utc(s: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc))
}

async fn exec(db: &DatabaseConnection, what: &str, sql: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let done = db.execute_unprepared(sql).await?;
    println!(
        "{what}: {} rows in {:.1} s",
        done.rows_affected(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn seed(db: &DatabaseConnection, n: u64) -> anyhow::Result<()> {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Staff {
        id: Uuid,
        team_id: Uuid,
    }
    let staff = Staff::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT id, team_id FROM users WHERE team_id IS NOT NULL AND roles > 1 ORDER BY id",
    ))
    .all(db)
    .await?;
    anyhow::ensure!(
        !staff.is_empty(),
        "no staff with a team: seed the demo organisation"
    );
    let owners = staff
        .iter()
        .map(|s| format!("'{}'::uuid", s.id))
        .collect::<Vec<_>>()
        .join(",");
    let teams = staff
        .iter()
        .map(|s| format!("'{}'::uuid", s.team_id))
        .collect::<Vec<_>>()
        .join(",");
    let k = staff.len();
    exec(
        db,
        "customer",
        "INSERT INTO customers (id, name, phone, created_at, updated_at) \
         VALUES ('00000000-0000-4000-8000-000000000001', 'Bench Customer', '10000000000', now(), now()) \
         ON CONFLICT DO NOTHING",
    )
    .await?;
    // Every 20th ticket stays open; the rest were answered after 5–64 minutes and resolved
    // after 1–11 hours, on a 24×7 calendar (so the recorded durations equal the wall-clock
    // ones); complaints are every fourth; every tenth resolution was reopened before.
    exec(
        db,
        "tickets",
        &format!(
            "INSERT INTO tickets (id, number, kind, channel, category, severity, priority, \
             priority_rank, status, subject, description, attachments, customer_id, owner_id, \
             assignee_id, team_id, escalation_level, first_response_due_at, resolution_due_at, \
             first_responded_at, resolved_at, first_response_breached, resolution_breached, \
             reopen_count, dispatched, reassigned, resolution_count, follow_up_since_resolution, \
             rated_since_resolution, created_at, updated_at, version, sla_time_zone, sla_windows, \
             first_resolved_at, first_response_minutes, resolution_minutes) \
             SELECT gen_random_uuid(), 'B-' || g, \
               (ARRAY['INQUIRY','COMPLAINT','AFTER_SALES','TECHNICAL_SUPPORT'])[1 + g % 4], \
               (ARRAY['PHONE','EMAIL','LIVE_CHAT','WEB_FORM'])[1 + (g / 4) % 4], \
               CASE WHEN g % 4 = 1 THEN 'PRODUCT_QUALITY' END, \
               CASE WHEN g % 4 = 1 THEN 'GENERAL' END, 'NORMAL', 1, \
               CASE WHEN g % 20 = 0 THEN 'OPEN' ELSE 'RESOLVED' END, 'bench', 'bench', '[]', \
               '00000000-0000-4000-8000-000000000001', o.owner, o.owner, o.team, 0, \
               x.ts + interval '1 hour', x.ts + interval '2 days', \
               x.ts + x.answer, \
               CASE WHEN g % 20 <> 0 THEN x.ts + x.resolve END, false, false, \
               CASE WHEN g % 10 = 3 THEN 1 ELSE 0 END, false, false, \
               CASE WHEN g % 20 <> 0 THEN 1 ELSE 0 END, false, false, x.ts, x.ts, 1, \
               'UTC', '24x7', CASE WHEN g % 20 <> 0 THEN x.ts + x.resolve END, \
               5 + g % 60, CASE WHEN g % 20 <> 0 THEN 60 + g % 600 END \
             FROM generate_series(1, {n}) g \
             CROSS JOIN LATERAL (SELECT timestamptz '2025-01-01 00:00:00+00' \
               + g * interval '31 seconds' AS ts, (5 + g % 60) * interval '1 minute' AS answer, \
               (60 + g % 600) * interval '1 minute' AS resolve) x \
             CROSS JOIN LATERAL (SELECT (ARRAY[{owners}])[1 + g % {k}] AS owner, \
               (ARRAY[{teams}])[1 + g % {k}] AS team) o"
        ),
    )
    .await?;
    for (kind, at, filter, facts) in [
        ("CREATED", "t.created_at", "true", "NULL, NULL"),
        (
            "ACKNOWLEDGED",
            "t.first_responded_at",
            "t.first_responded_at IS NOT NULL",
            "NULL, NULL",
        ),
        (
            "RESOLVED",
            "t.resolved_at",
            "t.resolved_at IS NOT NULL",
            "t.resolution_minutes, t.reopen_count = 0",
        ),
    ] {
        exec(
            db,
            kind,
            &format!(
                "INSERT INTO ticket_events (id, ticket_id, kind, actor_id, at, internal, \
                 minutes, first_contact) \
                 SELECT gen_random_uuid(), t.id, '{kind}', t.owner_id, {at}, false, {facts} \
                 FROM tickets t WHERE t.number LIKE 'B-%' AND {filter}"
            ),
        )
        .await?;
    }
    exec(
        db,
        "ratings",
        "INSERT INTO satisfaction_ratings (id, ticket_id, resolution, rating, rated_by, \
         resolved_by, at) \
         SELECT gen_random_uuid(), t.id, 1, 1 + (abs(hashtext(t.number)) % 5), t.owner_id, \
         t.owner_id, \
         t.resolved_at + interval '1 hour' FROM tickets t \
         WHERE t.number LIKE 'B-%' AND t.resolved_at IS NOT NULL AND abs(hashtext(t.number)) % 3 = 0",
    )
    .await?;
    // The KPI facts the server keeps as it writes, derived from the timeline in bulk.
    let started = Instant::now();
    careline_migration::derive_kpi_facts(db).await?;
    // Rollups built from the facts before they were derived again are not current.
    careline_persistence::kpi::rollups::forget_all(db).await?;
    println!(
        "KPI facts derived in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // What autovacuum would do soon after a bulk load: statistics and the visibility map.
    exec(db, "vacuum", "VACUUM ANALYZE").await?;
    Ok(())
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
        seed(&db, n).await?;
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
