//! `careline`: serve, or `careline schema` to print the SDL. `careline --help` lists every
//! setting and its environment variable.

use careline_api::config::{Command, Config};
use careline_api::{Application, graphql};
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than the system allocator: a request allocates many small, short-lived
/// objects (parsed documents, rows, JSON); see docs/BENCHMARKS.md for the measurement.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Before any thread exists: `.env` fills in what the environment leaves unset.
    dotenvy::dotenv().ok();
    let config = Config::parse();
    if let Some(Command::Schema) = config.command {
        let mut out = std::io::stdout().lock();
        return match out.write_all(graphql::sdl().as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let filter = EnvFilter::try_new(&config.rust_log).unwrap_or_else(|_| EnvFilter::new("info"));
    // The IMAP client traces every command it sends, LOGIN and its password included: capped
    // whatever RUST_LOG asks for, so that no log level ever shows a mailbox password.
    let filter = match "async_imap=info".parse() {
        Ok(cap) => filter.add_directive(cap),
        Err(_) => filter,
    };
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let settings = match config.resolve() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("careline: configuration error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let result = actix_web::rt::System::new().block_on(async move {
        Application::build(settings)
            .await?
            .run_until_stopped()
            .await?;
        anyhow::Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "careline stopped");
            eprintln!("careline: {err:#}");
            ExitCode::FAILURE
        }
    }
}
