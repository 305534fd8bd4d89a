//! `cargo run -p careline-migration -- up|down [N]|status|fresh` against `DATABASE_URL`
//! (default: the same SQLite file the server uses).

use careline_migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{ConnectOptions, Database};

const USAGE: &str = "usage: careline-migration <up|down [N]|status|fresh>\n\
    DATABASE_URL (default sqlite://data/careline.db?mode=rwc) selects the database.";

fn main() -> std::process::ExitCode {
    // Before any thread exists: `.env` fills in what the environment leaves unset.
    dotenvy::dotenv().ok();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("careline-migration: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("careline-migration: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "sqlite://data/careline.db?mode=rwc".to_owned());
    if url.starts_with("sqlite://data/") {
        std::fs::create_dir_all("data").map_err(|e| format!("cannot create ./data: {e}"))?;
    }
    let db = Database::connect(ConnectOptions::new(url))
        .await
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    let result = match args.first().map(String::as_str) {
        Some("up") => Migrator::up(&db, None).await,
        Some("down") => {
            let steps = match args.get(1) {
                Some(n) => n
                    .parse()
                    .map_err(|_| format!("not a number of steps: {n}"))?,
                None => 1,
            };
            Migrator::down(&db, Some(steps)).await
        }
        Some("status") => Migrator::status(&db).await,
        Some("fresh") => Migrator::fresh(&db).await,
        _ => return Err(USAGE.to_owned()),
    };
    result.map_err(|e| e.to_string())
}
