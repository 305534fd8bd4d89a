//! Migrations apply, roll back completely and re-apply, on SQLite and (when configured)
//! PostgreSQL.

use careline_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};

async fn round_trip(url: &str) {
    let db = Database::connect(url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
    let applied = Migrator::get_applied_migrations(&db).await.unwrap().len();
    assert_eq!(applied, Migrator::migrations().len());
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(
        Migrator::get_applied_migrations(&db).await.unwrap().len(),
        0
    );
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(
        Migrator::get_applied_migrations(&db).await.unwrap().len(),
        applied
    );
}

#[tokio::test]
async fn migrations_round_trip_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    round_trip(&format!("sqlite://{}/m.db?mode=rwc", dir.path().display())).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (TEST_DATABASE_URL); .ci/run runs it"]
async fn migrations_round_trip_on_postgres() {
    let admin_url =
        std::env::var("TEST_DATABASE_URL").expect("this test needs TEST_DATABASE_URL: see .ci/run");
    let name = format!("careline_mig_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&admin_url).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();
    let base = admin_url.rsplit_once('/').unwrap().0;
    round_trip(&format!("{base}/{name}")).await;
    admin
        .execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .await
        .unwrap();
}
