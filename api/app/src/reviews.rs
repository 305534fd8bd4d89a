//! Performance reviews: managers open cycles; each staff member writes one self assessment;
//! colleagues add anonymous peer assessments; the manager writes theirs and finalizes with a
//! score, stars, an outcome and recommended courses, which freezes the KPI report of the
//! cycle's period and enrolls the person in the next session of each recommended course — all
//! in one transaction.

use super::error::{AppError, AppResult};
use super::kpi::{KpiReport, report};
use super::tickets::stored;
use super::{Actor, App, text};
use careline_domain::Action;
use careline_domain::review::{
    self as rules, ReviewStatus, ReviewStep, not_own_review, peer_is_colleague, review_step,
};
use careline_persistence::entity::{performance_review, review_cycle, training_course};
use careline_persistence::kpi::Scope;
use careline_persistence::{reviews as store, training, users};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
use std::collections::HashMap;
use uuid::Uuid;

pub use careline_domain::review::MAX_ASSESSMENT_CHARS;
/// Most reviews one cycle lists.
pub const MAX_LIST: u64 = 500;
/// Most cycles listed.
pub const MAX_CYCLES: u64 = 100;

/// One person's review with what it is shown with. Peer texts come without their authors.
#[derive(Debug, Clone)]
pub struct Review {
    /// The stored review.
    pub row: performance_review::Model,
    /// Its cycle.
    pub cycle: review_cycle::Model,
    /// Peer assessment texts.
    pub peers: Vec<String>,
    /// Recommended courses that still exist.
    pub courses: Vec<training_course::Model>,
}

/// The status of a stored review.
pub fn status_of(row: &performance_review::Model) -> AppResult<ReviewStatus> {
    stored(ReviewStatus::parse(&row.status), "review status")
}

/// The KPI report frozen in a finalized review; a snapshot that no longer reads is a data
/// fault (`INTERNAL`), not an absent report.
pub fn snapshot_of(row: &performance_review::Model) -> AppResult<Option<KpiReport>> {
    row.kpi_snapshot
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| AppError::internal(e, "reading a review's KPI snapshot"))
}

/// Wraps reviews with their cycle, peer texts and courses, in a constant number of queries.
async fn present<C: ConnectionTrait>(
    db: &C,
    cycle: &review_cycle::Model,
    rows: Vec<performance_review::Model>,
) -> AppResult<Vec<Review>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut peers: HashMap<Uuid, Vec<String>> = HashMap::new();
    for p in store::peers_of(db, &ids).await? {
        peers.entry(p.review_id).or_default().push(p.body);
    }
    let course_ids: Vec<Uuid> = rows.iter().flat_map(|r| r.course_ids()).collect();
    // Courses that no longer exist are left out rather than failing the review.
    let courses: HashMap<Uuid, training_course::Model> = if course_ids.is_empty() {
        HashMap::new()
    } else {
        training::courses_by_id(db, &course_ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|row| Review {
            peers: peers.remove(&row.id).unwrap_or_default(),
            courses: row
                .course_ids()
                .iter()
                .filter_map(|id| courses.get(id).cloned())
                .collect(),
            cycle: cycle.clone(),
            row,
        })
        .collect())
}

async fn present_one<C: ConnectionTrait>(
    db: &C,
    cycle: &review_cycle::Model,
    row: performance_review::Model,
) -> AppResult<Review> {
    present(db, cycle, vec![row])
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("review vanished"), "review"))
}

async fn cycle(app: &App, id: Uuid) -> AppResult<review_cycle::Model> {
    store::find_cycle(&app.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("review cycle not found".to_owned()))
}

/// The person being reviewed: an active staff member.
async fn employee(app: &App, id: Uuid) -> AppResult<Uuid> {
    users::find(&app.db, id)
        .await?
        .filter(|u| u.active && u.role_set().is_staff())
        .map(|u| u.id)
        .ok_or_else(|| AppError::NotFound("staff member not found".to_owned()))
}

fn step(row: &performance_review::Model, s: ReviewStep) -> AppResult<ReviewStatus> {
    Ok(review_step(
        status_of(row)?,
        row.self_assessment.is_some(),
        s,
    )?)
}

/// An assessment's text, cycle and subject, each checked.
async fn about(
    app: &App,
    cycle_id: Uuid,
    employee_id: Uuid,
    body: &str,
) -> AppResult<(String, review_cycle::Model, Uuid)> {
    let body = text(body, "text", MAX_ASSESSMENT_CHARS)?;
    let cycle = cycle(app, cycle_id).await?;
    let employee = employee(app, employee_id).await?;
    Ok((body, cycle, employee))
}

/// Review cycles, most recent first.
pub async fn cycles(app: &App, actor: &Actor) -> AppResult<Vec<review_cycle::Model>> {
    actor.require(Action::ParticipateInReviews)?;
    Ok(store::cycles(&app.db, MAX_CYCLES).await?)
}

/// The reviews of a cycle: those who manage reviews see all; everyone else only their own.
pub async fn reviews_of_cycle(app: &App, actor: &Actor, cycle_id: Uuid) -> AppResult<Vec<Review>> {
    let cycle = cycle(app, cycle_id).await?;
    let only = (!actor.can(Action::ManageReviews)).then(|| actor.id());
    let rows = store::reviews_of_cycle(&app.db, cycle.id, only, MAX_LIST).await?;
    present(&app.db, &cycle, rows).await
}

/// Opens a review cycle; it must end after it starts.
pub async fn create_cycle(
    app: &App,
    actor: &Actor,
    name: &str,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> AppResult<review_cycle::Model> {
    let name = text(name, "name", 200)?;
    rules::validate_cycle(starts_at, ends_at)?;
    Ok(store::create_cycle(&app.db, name, starts_at, ends_at, actor.id(), app.now()).await?)
}

/// The actor's own assessment for a cycle; once only.
pub async fn submit_self_assessment(
    app: &App,
    actor: &Actor,
    cycle_id: Uuid,
    body: &str,
) -> AppResult<Review> {
    let body = text(body, "text", MAX_ASSESSMENT_CHARS)?;
    let cycle = cycle(app, cycle_id).await?;
    let now = app.now();
    let review = store::ensure_review(&app.db, cycle.id, actor.id(), now).await?;
    let to = step(&review, ReviewStep::SelfAssessment)?;
    let row = store::submit_self(&app.db, &review, to, body, now).await?;
    present_one(&app.db, &cycle, row).await
}

/// A colleague's assessment, anonymous to the employee; one per colleague, never one's own. The
/// author sees the review only as far as their own text goes, unless they manage reviews.
pub async fn submit_peer_assessment(
    app: &App,
    actor: &Actor,
    cycle_id: Uuid,
    employee_id: Uuid,
    body: &str,
) -> AppResult<Review> {
    let (body, cycle, employee) = about(app, cycle_id, employee_id, body).await?;
    peer_is_colleague(actor.id(), employee)?;
    let now = app.now();
    let review = store::ensure_review(&app.db, cycle.id, employee, now).await?;
    step(&review, ReviewStep::PeerAssessment)?;
    let row = store::add_peer(&app.db, &review, actor.id(), body.clone(), now).await?;
    let mut shown = present_one(&app.db, &cycle, row).await?;
    if !actor.can(Action::ManageReviews) {
        shown.row.self_assessment = None;
        shown.row.manager_assessment = None;
        shown.row.kpi_snapshot = None;
        shown.row.score = None;
        shown.row.star_rating = None;
        shown.row.outcome = None;
        shown.peers = vec![body];
    }
    Ok(shown)
}

/// The manager's assessment, after the employee's self assessment.
pub async fn submit_manager_assessment(
    app: &App,
    actor: &Actor,
    cycle_id: Uuid,
    employee_id: Uuid,
    body: &str,
) -> AppResult<Review> {
    let (body, cycle, employee) = about(app, cycle_id, employee_id, body).await?;
    not_own_review(actor.id(), employee)?;
    let review = store::ensure_review(&app.db, cycle.id, employee, app.now()).await?;
    let to = step(&review, ReviewStep::ManagerAssessment)?;
    let row = store::submit_manager(&app.db, &review, to, actor.id(), body, app.now()).await?;
    present_one(&app.db, &cycle, row).await
}

/// The manager's conclusion, as typed.
#[derive(Debug, Clone)]
pub struct Conclusion {
    /// 0–100.
    pub score: f64,
    /// 1–5.
    pub star_rating: i32,
    /// The outcome's spelling.
    pub outcome: &'static str,
    /// Courses to enroll the person in.
    pub recommended_course_ids: Vec<Uuid>,
}

/// Most courses one review recommends.
pub const MAX_RECOMMENDED_COURSES: usize = 20;

/// Concludes a review: freezes the KPI report of the cycle's period (agent scope), stores score,
/// stars, outcome and recommended courses, and enrolls the person in the next session of each
/// course — one transaction, so a failed enrollment leaves the review open. Finalized reviews
/// never change again.
pub async fn finalize(
    app: &App,
    actor: &Actor,
    cycle_id: Uuid,
    employee_id: Uuid,
    conclusion: Conclusion,
) -> AppResult<Review> {
    rules::validate_final_scores(conclusion.score, conclusion.star_rating)?;
    if conclusion.recommended_course_ids.len() > MAX_RECOMMENDED_COURSES {
        return Err(AppError::bad_input(
            "input.recommendedCourseIds",
            format!("recommend at most {MAX_RECOMMENDED_COURSES} courses"),
        ));
    }
    let cycle = cycle(app, cycle_id).await?;
    let employee = employee(app, employee_id).await?;
    not_own_review(actor.id(), employee)?;
    let course_ids = rules::distinct_courses(conclusion.recommended_course_ids);
    let known = training::courses_by_id(&app.db, &course_ids).await?;
    if known.len() != course_ids.len() {
        return Err(AppError::bad_input(
            "input.recommendedCourseIds",
            "no such training course",
        ));
    }
    let review = store::ensure_review(&app.db, cycle.id, employee, app.now()).await?;
    step(&review, ReviewStep::Finalize)?;
    let now = app.now();
    let kpi = report(
        app,
        Scope::Agent(employee),
        cycle.starts_at,
        cycle.ends_at,
        now,
    )
    .await?;
    let snapshot =
        serde_json::to_string(&kpi).map_err(|e| AppError::internal(e, "KPI snapshot"))?;
    let txn = app.db.begin().await?;
    let row = store::finalize(
        &txn,
        &review,
        store::Final {
            kpi_snapshot: snapshot,
            score: conclusion.score,
            star_rating: conclusion.star_rating,
            outcome: conclusion.outcome.to_owned(),
            course_ids: course_ids.clone(),
            by: actor.id(),
        },
        now,
    )
    .await?;
    enroll_in_next_sessions(&txn, employee, &course_ids, now).await?;
    let shown = present_one(&txn, &cycle, row).await?;
    txn.commit().await?;
    Ok(shown)
}

/// Enrolls `employee` in the next session with a free seat of each course, skipping courses
/// with none and sessions they are already in.
async fn enroll_in_next_sessions<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    employee: Uuid,
    courses: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<()> {
    for course in courses {
        super::training::enroll_in_next_session(db, employee, *course, now).await?;
    }
    Ok(())
}
