//! Bulk-seeds synthetic tickets into PostgreSQL (shared by `careline-seed-tickets` and
//! `careline-bench`): `N` tickets one every 31 seconds through 2025, owned by the demo staff,
//! with their `CREATED` / `ACKNOWLEDGED` / `RESOLVED` timeline entries, ratings and KPI facts,
//! then `VACUUM ANALYZE`. The database must be migrated and hold the demo organisation.

use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::time::Instant;
use uuid::Uuid;

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

/// Seeds `n` synthetic tickets (numbers `B-1` … `B-n`) with their timelines, ratings and KPI
/// facts; see the module's documentation.
pub async fn seed(db: &DatabaseConnection, n: u64) -> anyhow::Result<()> {
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
