//! Quality inspection (质检): managers define scorecards; leads draw a reproducible random
//! sample of resolved tickets and score them — never their own work; the agent reads their
//! reviews and acknowledges or disputes each; an agent whose rolling average falls under the
//! threshold is enrolled in the next service-skills course, once.

use super::error::{AppError, AppResult};
use super::tickets::{load_readable, viewer_of};
use super::{Actor, App, text};
use careline_domain::Action;
use careline_domain::quality::{self as rules, Criterion, Score};
use careline_domain::ticket::TicketStatus;
use careline_persistence::entity::{quality_review, quality_scorecard, ticket};
use careline_persistence::quality::{self as store, NewReview};

pub use careline_persistence::quality::ReviewFilter;
use careline_persistence::{tickets, training};
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use uuid::Uuid;

/// Most rows a quality list returns.
pub const MAX_LIST: u64 = 100;

/// Every scorecard, newest first.
pub async fn scorecards(app: &App, actor: &Actor) -> AppResult<Vec<quality_scorecard::Model>> {
    actor.require(Action::ReadQualityReviews)?;
    Ok(store::scorecards(&app.db, MAX_LIST).await?)
}

/// Defines a scorecard.
pub async fn create_scorecard(
    app: &App,
    actor: &Actor,
    name: &str,
    criteria: &[Criterion],
) -> AppResult<quality_scorecard::Model> {
    let (name, criteria) = rules::validate_scorecard(name, criteria)?;
    Ok(store::insert_scorecard(&app.db, name, &criteria, actor.id()).await?)
}

/// Quality reviews, newest first. Inspectors read anyone's (or one agent's) — with
/// `disputed_only`, the disputes waiting for them; everyone else reads only their own.
pub async fn reviews(
    app: &App,
    actor: &Actor,
    mut filter: ReviewFilter,
    after: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<quality_review::Model>> {
    let agent = filter.agent;
    let agent = if actor.can(Action::InspectQuality) {
        agent
    } else {
        match agent {
            Some(other) if other != actor.id() => {
                return Err(AppError::Forbidden(
                    "you may read only your own quality reviews".to_owned(),
                ));
            }
            _ => Some(actor.id()),
        }
    };
    filter.agent = agent;
    Ok(store::reviews(&app.db, filter, after, limit).await?)
}

/// Up to `size` tickets resolved in `[from, to)` (of one team, if given) and not inspected yet,
/// drawn at random. The same arguments and `seed` give the same sample; without a seed, one is
/// derived from the team and the period, so a supervisor re-opening the same sample sees it
/// again.
pub async fn sample(
    app: &App,
    actor: &Actor,
    team: Option<Uuid>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    size: i32,
    seed: Option<u64>,
) -> AppResult<Vec<ticket::Model>> {
    if to <= from {
        return Err(AppError::bad_input("to", "must be after from"));
    }
    let size = usize::try_from(size)
        .ok()
        .filter(|n| (1..=rules::MAX_SAMPLE).contains(n))
        .ok_or_else(|| {
            AppError::bad_input(
                "size",
                format!("must be between 1 and {}", rules::MAX_SAMPLE),
            )
        })?;
    let seed = seed.unwrap_or_else(|| {
        let team = team.map_or(0, |t| t.as_u64_pair().0);
        team ^ (from.timestamp() as u64).rotate_left(21) ^ (to.timestamp() as u64)
    });
    let candidates = store::sample_candidates(&app.db, team, (from, to), actor.id()).await?;
    let chosen = rules::sample(&candidates, seed, size);
    let mut rows = tickets::find_many(&app.db, &chosen).await?;
    rows.sort_by_key(|t| chosen.iter().position(|id| *id == t.id));
    Ok(rows)
}

/// A ticket's inspection, as typed.
pub struct Inspection {
    /// The ticket.
    pub ticket_id: Uuid,
    /// The scorecard to score it on.
    pub scorecard_id: Uuid,
    /// A score per criterion.
    pub scores: Vec<Score>,
    /// The inspector's remark.
    pub comment: Option<String>,
}

/// Scores a resolved ticket's handling. The agent is whoever held the ticket (else its
/// owner); nobody inspects their own work. The review, and the training recommendation it may
/// trigger, are written together.
pub async fn review_ticket(
    app: &App,
    actor: &Actor,
    inspection: Inspection,
) -> AppResult<quality_review::Model> {
    let comment = match inspection.comment.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(text(c, "comment", 2_000)?),
    };
    // A scorecard has at most `MAX_CRITERIA` criteria, each scored once: a longer list is
    // wrong whatever the ticket and scorecard.
    if inspection.scores.len() > rules::MAX_CRITERIA {
        return Err(AppError::bad_input(
            "scores",
            format!(
                "a scorecard has at most {max_criteria} criteria",
                max_criteria = rules::MAX_CRITERIA
            ),
        ));
    }
    let (loaded, facts) = load_readable(app, &viewer_of(&actor.user), inspection.ticket_id).await?;
    if !matches!(facts.status, TicketStatus::Resolved | TicketStatus::Closed) {
        return Err(AppError::bad_input(
            "ticketId",
            "only resolved or closed tickets are inspected",
        ));
    }
    let agent = loaded
        .ticket
        .assignee_id
        .or(loaded.ticket.owner_id)
        .ok_or_else(|| AppError::bad_input("ticketId", "nobody worked this ticket"))?;
    // Whoever owned, answered or held the ticket worked it.
    for worker in [
        Some(agent),
        loaded.ticket.owner_id,
        loaded.ticket.first_responder_id,
    ]
    .into_iter()
    .flatten()
    {
        rules::may_inspect(actor.id(), worker)?;
    }
    let card = store::scorecards_by_id(&app.db, &[inspection.scorecard_id])
        .await?
        .into_iter()
        .next()
        .filter(|c| c.active)
        .ok_or_else(|| AppError::bad_input("scorecardId", "no such active scorecard"))?;
    let criteria = card.criteria_list().ok_or_else(|| {
        AppError::internal(anyhow::anyhow!("unreadable criteria"), "quality scorecard")
    })?;
    let (scores, total) = rules::score(&criteria, &inspection.scores)?;
    let at = app.now();
    let txn = app.db.begin().await?;
    let review = store::insert_review(
        &txn,
        NewReview {
            ticket_id: loaded.ticket.id,
            agent_id: agent,
            reviewer_id: actor.id(),
            scorecard_id: card.id,
            scores,
            total,
            comment,
            at,
        },
    )
    .await?;
    let latest = store::latest_totals(&txn, agent, rules::ROLLING_WINDOW as u64).await?;
    if rules::below_threshold(&latest, app.quality_alert_threshold) {
        recommend_training(&txn, agent, at).await?;
    }
    txn.commit().await?;
    tracing::info!(quality.review_id = %review.id, quality.total = review.total, "ticket inspected");
    Ok(review)
}

/// Enrolls `agent` in the next session with a seat of the newest service-skills course, once
/// per course: the alert row is written only once they hold a seat (or already held one), so
/// an agent for whom no seat was free is enrolled at a later inspection.
async fn recommend_training<C: sea_orm::ConnectionTrait + TransactionTrait>(
    db: &C,
    agent: Uuid,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let Some(course) = training::newest_course_of_category(db, "SERVICE_SKILLS").await? else {
        tracing::warn!(user.id = %agent, "quality under threshold but no service-skills course");
        return Ok(());
    };
    if store::alerted(db, agent, course.id).await? {
        return Ok(());
    }
    let seated = training::enrolled_in_course(db, agent, course.id, at).await?
        || super::training::enroll_in_next_session(db, agent, course.id, at).await?;
    if seated {
        store::record_alert(db, agent, course.id, at).await?;
        tracing::info!(user.id = %agent, training.course_id = %course.id, "quality under threshold: enrolled");
    }
    Ok(())
}

/// The reviewed agent acknowledges a review, optionally disputing it with a reason; once. The
/// dispute stays on the review, which only the agent and the leads read; `disputedOnly` lists
/// the disputed ones for the leads.
pub async fn acknowledge(
    app: &App,
    actor: &Actor,
    id: Uuid,
    dispute: Option<&str>,
) -> AppResult<quality_review::Model> {
    let dispute = match dispute.map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(text(d, "dispute", 2_000)?),
    };
    let not_found = || AppError::NotFound("quality review not found".to_owned());
    let review = store::find_review(&app.db, id)
        .await?
        .ok_or_else(not_found)?;
    if review.agent_id != actor.id() {
        return Err(if actor.can(Action::InspectQuality) {
            AppError::Forbidden("only the reviewed agent acknowledges a review".to_owned())
        } else {
            not_found()
        });
    }
    let updated = store::acknowledge(&app.db, id, dispute, app.now()).await?;
    if updated.dispute.is_some() {
        tracing::info!(quality.review_id = %id, "quality review disputed");
    }
    Ok(updated)
}
