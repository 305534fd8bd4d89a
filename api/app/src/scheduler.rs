//! The background work of an instance, in one place: each job has a name and an interval, runs
//! at the application clock's now, logs one line per pass that did something (with its
//! duration) and one warning per failure, and stops when the server shuts down. Every job is
//! safe to run on several instances at once: each write it makes is conditional (exactly once
//! across instances), so scaling out needs no leader.

use crate::{App, AppError, AppResult};
use careline_persistence::StoreError;
use chrono::{DateTime, Utc};
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// A pass longer than this is logged as a warning: the next tick is late behind it.
pub const SLOW_PASS: Duration = Duration::from_secs(5);

type Pass<'a> = Pin<Box<dyn Future<Output = Result<usize, AppError>> + Send + 'a>>;

/// A periodic job.
#[derive(Clone, Copy)]
pub struct Job {
    /// Its name in the logs.
    pub name: &'static str,
    /// Whether its failure fails the pass (reports only log theirs: a failing report must not
    /// make the escalations look failed).
    pub critical: bool,
    /// Whether what it changed counts in the pass's total (tickets, tasks and articles
    /// changed); deliveries sent change none of them.
    pub counted: bool,
    /// One pass at `now`; how many things it changed.
    pub run: for<'a> fn(&'a App, DateTime<Utc>) -> Pass<'a>,
}

fn store(err: StoreError) -> AppError {
    err.into()
}

/// The jobs that run every `SLA_TICK_SECONDS`, in the order one pass runs them.
pub const JOBS: [Job; 10] = [
    Job {
        name: "sla-stages",
        critical: true,
        counted: true,
        run: |app, now| {
            Box::pin(async move { crate::sla::escalate_due(app, now).await.map_err(store) })
        },
    },
    Job {
        name: "broken-promises",
        critical: true,
        counted: true,
        run: |app, now| Box::pin(crate::conversation::check_promises(app, now)),
    },
    Job {
        name: "auto-close",
        critical: true,
        counted: true,
        run: |app, now| {
            Box::pin(async move { crate::sla::auto_close(app, now).await.map_err(store) })
        },
    },
    Job {
        // Reminders within the hour and overdue notices (escalations on open tickets).
        name: "callbacks",
        critical: true,
        counted: true,
        run: |app, now| Box::pin(crate::callbacks::chase(app, now)),
    },
    Job {
        name: "department-deadlines",
        critical: true,
        counted: true,
        run: |app, now| Box::pin(crate::casework::check_deadlines(app, now)),
    },
    Job {
        name: "corrective-actions",
        critical: true,
        counted: true,
        run: |app, now| Box::pin(crate::corrective::chase(app, now)),
    },
    Job {
        name: "article-reviews",
        critical: true,
        counted: true,
        run: |app, now| Box::pin(crate::knowledge::notify_stale(app, now)),
    },
    Job {
        // The delivery worker (`outbound::spawn`) sends as soon as a change commits; this pass
        // is the same work on the scheduler's beat, so a single `run_once` sends too.
        name: "deliveries",
        critical: true,
        counted: false,
        run: |app, now| Box::pin(crate::outbound::deliver_due(app, now)),
    },
    Job {
        name: "monthly-reports",
        critical: false,
        counted: true,
        run: |app, now| Box::pin(crate::reports::run_schedule(app, now)),
    },
    Job {
        name: "unattached-files",
        // A store that cannot be reached must not make the escalations look failed; files
        // wait for the next pass.
        critical: false,
        counted: false,
        run: |app, now| Box::pin(crate::files::purge_unattached(app, now)),
    },
];

/// Runs `job` once at the clock's now and logs how it went. Returns what it changed (0 when it
/// failed: the next pass retries).
async fn run_job(app: &App, job: Job) -> Result<usize, AppError> {
    let started = Instant::now();
    let result = (job.run)(app, app.now()).await;
    let elapsed = started.elapsed();
    let elapsed_ms = elapsed.as_millis();
    if elapsed > SLOW_PASS {
        tracing::warn!(job = job.name, elapsed_ms, "job pass was slow");
    }
    match &result {
        Ok(0) => tracing::debug!(job = job.name, elapsed_ms, "job pass: nothing to do"),
        Ok(changed) => tracing::info!(job = job.name, changed, elapsed_ms, "job pass"),
        Err(AppError::Internal(err)) => {
            tracing::warn!(job = job.name, elapsed_ms, error.detail = ?err, "job pass failed; retrying next tick")
        }
        Err(other) => {
            tracing::warn!(
                job = job.name,
                elapsed_ms,
                error.code = other.code(),
                "job pass failed; retrying next tick"
            )
        }
    }
    result
}

/// One pass of every job, in order; a failing job does not hold up the others. Wakes the
/// outbox relay when anything changed. Returns how many things changed, or the first failure
/// of a job other than the reports (which only log theirs).
pub async fn run_once(app: &App) -> AppResult<usize> {
    let mut changed = 0;
    let mut failure = None;
    for job in JOBS {
        match run_job(app, job).await {
            Ok(n) if job.counted => changed += n,
            Ok(_) => {}
            Err(_) if !job.critical => {}
            Err(err) => {
                failure.get_or_insert(err);
            }
        }
    }
    if changed > 0 {
        app.committed();
    }
    match failure {
        None => Ok(changed),
        Some(err) => Err(err),
    }
}

/// Runs every job `every` (`SLA_TICK_SECONDS`) until `shutdown` turns true.
pub fn spawn(app: App, every: Duration, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
            // Failures are logged per job; the next tick retries.
            let _ = run_once(&app).await;
        }
        tracing::info!("background jobs stopped");
    });
}
