//! Performance reviews: managers open cycles; each staff member writes one self assessment;
//! colleagues add anonymous peer assessments; the manager writes theirs and finalizes with a
//! score, stars, an outcome and recommended courses, which freezes the KPI report of the
//! cycle's period and enrolls the person in the next session of each recommended course.

use super::kpi::{KpiReport, report};
use super::loaders::{load_failed, loaders};
use super::people::User;
use super::training::TrainingCourse;
use super::{Can, input_id, parse_id, state, text, viewer};
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_domain::Action;
use careline_domain::review::{
    self as rules, MAX_ASSESSMENT_CHARS, ReviewStatus as DomainStatus, ReviewStep, not_own_review,
    peer_is_colleague, review_step,
};
use careline_persistence::entity::{performance_review, review_cycle, training_session};
use careline_persistence::kpi::Scope;
use careline_persistence::{DatabaseConnection, now, reviews as store, training, users};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// Most rows a review list returns.
const MAX_LIST: u64 = 500;

/// What a finalized review concludes.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReviewOutcome {
    Reward,
    Promotion,
    TrainingNeeded,
    ImprovementPlan,
}

impl ReviewOutcome {
    fn as_str(self) -> &'static str {
        match self {
            ReviewOutcome::Reward => "REWARD",
            ReviewOutcome::Promotion => "PROMOTION",
            ReviewOutcome::TrainingNeeded => "TRAINING_NEEDED",
            ReviewOutcome::ImprovementPlan => "IMPROVEMENT_PLAN",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            ReviewOutcome::Reward,
            ReviewOutcome::Promotion,
            ReviewOutcome::TrainingNeeded,
            ReviewOutcome::ImprovementPlan,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// Where a review stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::kpi::ReviewStatus")]
pub enum ReviewStatus {
    Open,
    SelfSubmitted,
    ManagerSubmitted,
    Finalized,
}

/// The manager's conclusion.
#[derive(InputObject, Clone)]
pub struct FinalizeReviewInput {
    pub score: f64,
    pub star_rating: i32,
    pub outcome: ReviewOutcome,
    pub recommended_course_ids: Option<Vec<ID>>,
}

/// A review period.
#[derive(Clone)]
pub struct ReviewCycle(pub review_cycle::Model);

#[Object]
impl ReviewCycle {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
}

/// One person's review in one cycle. Peer texts come without their authors.
pub struct PerformanceReview {
    row: performance_review::Model,
    cycle: review_cycle::Model,
    peers: Vec<String>,
    courses: Vec<TrainingCourse>,
}

#[Object]
impl PerformanceReview {
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    async fn cycle(&self) -> ReviewCycle {
        ReviewCycle(self.cycle.clone())
    }
    async fn employee(&self, ctx: &Context<'_>) -> ApiResult<User> {
        let found = loaders(ctx)?.users.load_one(self.row.employee_id).await;
        found
            .map_err(load_failed)?
            .map(User)
            .ok_or_else(|| ApiError::NotFound("employee not found".to_owned()))
    }
    async fn status(&self) -> ApiResult<ReviewStatus> {
        DomainStatus::parse(&self.row.status)
            .map(Into::into)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown review status"), "review"))
    }
    async fn self_assessment(&self) -> Option<&str> {
        self.row.self_assessment.as_deref()
    }
    async fn manager_assessment(&self) -> Option<&str> {
        self.row.manager_assessment.as_deref()
    }
    async fn peer_assessments(&self) -> &[String] {
        &self.peers
    }
    /// The KPI report of the cycle's period, frozen at finalization.
    async fn kpi(&self) -> Option<KpiReport> {
        self.row
            .kpi_snapshot
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
    }
    async fn score(&self) -> Option<f64> {
        self.row.score
    }
    async fn star_rating(&self) -> Option<i32> {
        self.row.star_rating
    }
    async fn outcome(&self) -> Option<ReviewOutcome> {
        self.row.outcome.as_deref().and_then(ReviewOutcome::parse)
    }
    async fn recommended_courses(&self) -> Vec<TrainingCourse> {
        self.courses.clone()
    }
}

/// Wraps reviews with their cycle, peer texts and courses, in a constant number of queries.
async fn present(
    db: &DatabaseConnection,
    cycle: &review_cycle::Model,
    rows: Vec<performance_review::Model>,
) -> ApiResult<Vec<PerformanceReview>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut peers: HashMap<Uuid, Vec<String>> = HashMap::new();
    for p in store::peers_of(db, &ids).await? {
        peers.entry(p.review_id).or_default().push(p.body);
    }
    let course_ids: Vec<Uuid> = rows.iter().flat_map(|r| r.course_ids()).collect();
    // Courses that no longer exist are left out rather than failing the review.
    let courses: HashMap<Uuid, TrainingCourse> = if course_ids.is_empty() {
        HashMap::new()
    } else {
        training::courses_by_id(db, &course_ids)
            .await?
            .into_iter()
            .map(|c| (c.id, TrainingCourse(c)))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|row| PerformanceReview {
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

async fn present_one(
    db: &DatabaseConnection,
    cycle: &review_cycle::Model,
    row: performance_review::Model,
) -> ApiResult<PerformanceReview> {
    present(db, cycle, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("review vanished"), "review"))
}

async fn cycle(db: &DatabaseConnection, id: &ID) -> ApiResult<review_cycle::Model> {
    let not_found = || ApiError::NotFound("review cycle not found".to_owned());
    let id = parse_id(id).ok_or_else(not_found)?;
    store::find_cycle(db, id).await?.ok_or_else(not_found)
}

/// The person being reviewed: an active staff member.
async fn employee(db: &DatabaseConnection, id: &ID) -> ApiResult<Uuid> {
    let id = input_id(id, "employeeId")?;
    users::find(db, id)
        .await?
        .filter(|u| u.active && u.role_set().is_staff())
        .map(|u| u.id)
        .ok_or_else(|| ApiError::NotFound("staff member not found".to_owned()))
}

fn status_of(row: &performance_review::Model) -> ApiResult<DomainStatus> {
    DomainStatus::parse(&row.status)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown review status"), "review"))
}

fn step(row: &performance_review::Model, s: ReviewStep) -> ApiResult<DomainStatus> {
    Ok(review_step(
        status_of(row)?,
        row.self_assessment.is_some(),
        s,
    )?)
}

/// Enrolls `employee` in the next session with a free seat of each course, skipping courses
/// with none and sessions they are already in.
async fn enroll_in_next_sessions(
    db: &DatabaseConnection,
    employee: Uuid,
    courses: &[Uuid],
) -> ApiResult<()> {
    use training_session::Column as S;
    let at = now();
    for course in courses {
        let sessions = training_session::Entity::find()
            .filter(S::CourseId.eq(*course))
            .filter(S::StartsAt.gt(at))
            .order_by_asc(S::StartsAt)
            .order_by_asc(S::Id)
            .limit(5)
            .all(db)
            .await?;
        for session in sessions {
            match training::enroll(db, session.id, employee).await {
                Ok(_) => break,
                // Already enrolled there, or the seat went: the next session may do.
                Err(careline_persistence::StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

/// Review queries.
#[derive(Default)]
pub struct ReviewQuery;

#[Object]
impl ReviewQuery {
    /// Review cycles, most recent first (staff).
    #[graphql(
        guard = "Can(Action::ParticipateInReviews)",
        complexity = "100 * child_complexity"
    )]
    async fn review_cycles(&self, ctx: &Context<'_>) -> ApiResult<Vec<ReviewCycle>> {
        let rows = store::cycles(&state(ctx)?.db, 100).await?;
        Ok(rows.into_iter().map(ReviewCycle).collect())
    }

    /// The reviews of a cycle: managers and admins see all; everyone else only their own.
    #[graphql(
        guard = "Can(Action::ParticipateInReviews)",
        complexity = "100 * child_complexity"
    )]
    async fn performance_reviews(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
    ) -> ApiResult<Vec<PerformanceReview>> {
        let v = viewer(ctx)?;
        let db = &state(ctx)?.db;
        let cycle = cycle(db, &cycle_id).await?;
        let only = if v.can(Action::ManageReviews) {
            None
        } else {
            Some(v.user.id)
        };
        let rows = store::reviews_of_cycle(db, cycle.id, only, MAX_LIST).await?;
        present(db, &cycle, rows).await
    }
}

/// Review mutations.
#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// Opens a review cycle (managers); it must end after it starts.
    #[graphql(guard = "Can(Action::ManageReviews)")]
    async fn create_review_cycle(
        &self,
        ctx: &Context<'_>,
        name: String,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> ApiResult<ReviewCycle> {
        let name = text(&name, "name", 200)?;
        rules::validate_cycle(starts_at, ends_at)?;
        let row = store::create_cycle(
            &state(ctx)?.db,
            name,
            starts_at,
            ends_at,
            viewer(ctx)?.user.id,
        )
        .await?;
        Ok(ReviewCycle(row))
    }

    /// The caller's own assessment for a cycle; once only (a second is `CONFLICT`).
    #[graphql(guard = "Can(Action::ParticipateInReviews)")]
    async fn submit_self_assessment(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        text: String,
    ) -> ApiResult<PerformanceReview> {
        let body = super::text(&text, "text", MAX_ASSESSMENT_CHARS)?;
        let db = &state(ctx)?.db;
        let cycle = cycle(db, &cycle_id).await?;
        let review = store::ensure_review(db, cycle.id, viewer(ctx)?.user.id).await?;
        let to = step(&review, ReviewStep::SelfAssessment)?;
        let row = store::submit_self(db, &review, to, body).await?;
        present_one(db, &cycle, row).await
    }

    /// A colleague's assessment, anonymous to the employee; one per colleague, never one's own.
    #[graphql(guard = "Can(Action::ParticipateInReviews)")]
    async fn submit_peer_assessment(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        employee_id: ID,
        text: String,
    ) -> ApiResult<PerformanceReview> {
        let body = super::text(&text, "text", MAX_ASSESSMENT_CHARS)?;
        let db = &state(ctx)?.db;
        let cycle = cycle(db, &cycle_id).await?;
        let employee = employee(db, &employee_id).await?;
        let me = viewer(ctx)?.user.id;
        peer_is_colleague(me, employee)?;
        let review = store::ensure_review(db, cycle.id, employee).await?;
        step(&review, ReviewStep::PeerAssessment)?;
        let row = store::add_peer(db, &review, me, body.clone()).await?;
        // The author sees the review they contributed to only as far as their own text goes.
        let mut shown = present_one(db, &cycle, row).await?;
        if !viewer(ctx)?.can(Action::ManageReviews) {
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
    #[graphql(guard = "Can(Action::ManageReviews)")]
    async fn submit_manager_assessment(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        employee_id: ID,
        text: String,
    ) -> ApiResult<PerformanceReview> {
        let body = super::text(&text, "text", MAX_ASSESSMENT_CHARS)?;
        let db = &state(ctx)?.db;
        let cycle = cycle(db, &cycle_id).await?;
        let employee = employee(db, &employee_id).await?;
        let me = viewer(ctx)?.user.id;
        not_own_review(me, employee)?;
        let review = store::ensure_review(db, cycle.id, employee).await?;
        let to = step(&review, ReviewStep::ManagerAssessment)?;
        let row = store::submit_manager(db, &review, to, me, body).await?;
        present_one(db, &cycle, row).await
    }

    /// Concludes a review: freezes the KPI report of the cycle's period (agent scope), stores
    /// score (0–100), stars (1–5), outcome and recommended courses, and enrolls the person in
    /// the next session of each course. Finalized reviews never change again.
    #[graphql(guard = "Can(Action::ManageReviews)")]
    async fn finalize_review(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        employee_id: ID,
        input: FinalizeReviewInput,
    ) -> ApiResult<PerformanceReview> {
        rules::validate_final_scores(input.score, input.star_rating)?;
        let db = &state(ctx)?.db;
        let cycle = cycle(db, &cycle_id).await?;
        let employee = employee(db, &employee_id).await?;
        let me = viewer(ctx)?.user.id;
        not_own_review(me, employee)?;
        let course_ids = rules::distinct_courses(
            input
                .recommended_course_ids
                .iter()
                .flatten()
                .map(|id| input_id(id, "input.recommendedCourseIds"))
                .collect::<ApiResult<Vec<_>>>()?,
        );
        let known = training::courses_by_id(db, &course_ids).await?;
        if known.len() != course_ids.len() {
            return Err(ApiError::bad_input(
                "input.recommendedCourseIds",
                "no such training course",
            ));
        }
        let review = store::ensure_review(db, cycle.id, employee).await?;
        step(&review, ReviewStep::Finalize)?;
        let kpi = report(
            db,
            Scope::Agent(employee),
            cycle.starts_at,
            cycle.ends_at,
            now(),
        )
        .await?;
        let snapshot =
            serde_json::to_string(&kpi).map_err(|e| ApiError::internal(e, "KPI snapshot"))?;
        let row = store::finalize(
            db,
            &review,
            store::Final {
                kpi_snapshot: snapshot,
                score: input.score,
                star_rating: input.star_rating,
                outcome: input.outcome.as_str().to_owned(),
                course_ids: course_ids.clone(),
                by: me,
            },
        )
        .await?;
        enroll_in_next_sessions(db, employee, &course_ids).await?;
        present_one(db, &cycle, row).await
    }
}

#[cfg(test)]
mod tests {
    use super::ReviewOutcome;

    #[test]
    fn outcomes_round_trip_through_their_spelling() {
        for o in [
            ReviewOutcome::Reward,
            ReviewOutcome::Promotion,
            ReviewOutcome::TrainingNeeded,
            ReviewOutcome::ImprovementPlan,
        ] {
            assert_eq!(ReviewOutcome::parse(o.as_str()), Some(o));
        }
    }

    #[test]
    fn managers_hold_the_roles_that_run_reviews() {
        use careline_domain::{Action, Roles, permission::allowed};
        assert!(allowed(
            Roles::from_iter([careline_domain::Role::Manager]),
            Action::ManageReviews
        ));
    }
}
