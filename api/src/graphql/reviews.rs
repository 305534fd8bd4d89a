//! Performance reviews: managers open cycles; each staff member writes one self assessment;
//! colleagues add anonymous peer assessments; the manager writes theirs and finalizes with a
//! score, stars, an outcome and recommended courses, which freezes the KPI report of the
//! cycle's period and enrolls the person in the next session of each recommended course.

use super::kpi::KpiReport;
use super::loaders::{load_failed, loaders};
use super::people::User;
use super::training::TrainingCourse;
use super::{Can, actor, app, found_id, input_id};
use crate::app::reviews::{self as uc, Conclusion, Review};
use crate::app::{AppError, AppResult};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_app::rows::review_cycle;
use careline_domain::Action;
use chrono::{DateTime, Utc};

/// What a finalized review concludes.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReviewOutcome {
    /// The person is to be rewarded.
    Reward,
    /// The person is recommended for promotion.
    Promotion,
    /// The person needs further training (see `recommendedCourses`).
    TrainingNeeded,
    /// The person is put on an improvement plan.
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
    /// Opened; no self or manager assessment yet (peer assessments may arrive at any time
    /// before finalization).
    Open,
    /// The employee has submitted their self assessment.
    SelfSubmitted,
    /// The manager has submitted theirs; the review may be finalized.
    ManagerSubmitted,
    /// Concluded and frozen: read-only from now on.
    Finalized,
}

/// The manager's conclusion.
#[derive(InputObject, Clone)]
pub struct FinalizeReviewInput {
    /// The overall score, 0 to 100.
    pub score: f64,
    /// Stars, 1 to 5.
    pub star_rating: i32,
    /// What the review concludes.
    pub outcome: ReviewOutcome,
    /// Training courses to enroll the person in (the next session with a free seat of each),
    /// at most 20; repeats are ignored. Omitted: none.
    pub recommended_course_ids: Option<Vec<ID>>,
}

/// A review period.
#[derive(Clone)]
pub struct ReviewCycle(pub review_cycle::Model);

/// A review period.
#[Object]
impl ReviewCycle {
    /// The cycle's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The cycle's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The start of the period reviewed (UTC); the frozen KPI report starts here.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// The end of the period reviewed (UTC), after `startsAt`; the frozen KPI report ends here.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
}

/// One person's review in one cycle. Peer texts come without their authors.
pub struct PerformanceReview(Review);

/// One person's review in one cycle. Peer texts come without their authors.
#[Object]
impl PerformanceReview {
    /// The review's id.
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// The cycle it belongs to.
    async fn cycle(&self) -> ReviewCycle {
        ReviewCycle(self.0.cycle.clone())
    }
    /// The person reviewed.
    async fn employee(&self, ctx: &Context<'_>) -> AppResult<User> {
        let found = loaders(ctx)?.users.load_one(self.0.row.employee_id).await;
        found
            .map_err(load_failed)?
            .map(User)
            .ok_or_else(|| AppError::NotFound("employee not found".to_owned()))
    }
    /// Where the review stands.
    async fn status(&self) -> AppResult<ReviewStatus> {
        Ok(uc::status_of(&self.0.row)?.into())
    }
    /// The employee's own assessment; null until submitted.
    async fn self_assessment(&self) -> Option<&str> {
        self.0.row.self_assessment.as_deref()
    }
    /// The manager's assessment; null until submitted.
    async fn manager_assessment(&self) -> Option<&str> {
        self.0.row.manager_assessment.as_deref()
    }
    /// Colleagues' assessments, without their authors.
    async fn peer_assessments(&self) -> &[String] {
        &self.0.peers
    }
    /// The KPI report of the cycle's period, frozen at finalization.
    async fn kpi(&self) -> AppResult<Option<KpiReport>> {
        Ok(uc::snapshot_of(&self.0.row)?.map(KpiReport))
    }
    /// The overall score, 0 to 100; null until finalized.
    async fn score(&self) -> Option<f64> {
        self.0.row.score
    }
    /// Stars, 1 to 5; null until finalized.
    async fn star_rating(&self) -> Option<i32> {
        self.0.row.star_rating
    }
    /// What the review concludes; null until finalized.
    async fn outcome(&self) -> AppResult<Option<ReviewOutcome>> {
        crate::app::tickets::stored_optional(
            self.0.row.outcome.as_deref(),
            ReviewOutcome::parse,
            "review outcome",
        )
    }
    /// The courses recommended at finalization (those that still exist); empty before.
    async fn recommended_courses(&self) -> Vec<TrainingCourse> {
        self.0.courses.iter().cloned().map(TrainingCourse).collect()
    }
}

/// The person being reviewed: a malformed id is refused like an unknown one.
fn staff_id(id: &ID) -> AppResult<uuid::Uuid> {
    input_id(id, "employeeId")
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
    async fn review_cycles(&self, ctx: &Context<'_>) -> AppResult<Vec<ReviewCycle>> {
        let rows = uc::cycles(app(ctx)?, actor(ctx)?).await?;
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
        #[graphql(desc = "The review cycle's id.")] cycle_id: ID,
    ) -> AppResult<Vec<PerformanceReview>> {
        let cycle = found_id(&cycle_id, "review cycle")?;
        let rows = uc::reviews_of_cycle(app(ctx)?, actor(ctx)?, cycle).await?;
        Ok(rows.into_iter().map(PerformanceReview).collect())
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
        #[graphql(desc = "The cycle's name, 1 to 200 characters (trimmed).")] name: String,
        #[graphql(desc = "The start of the period reviewed (UTC).")] starts_at: DateTime<Utc>,
        #[graphql(desc = "The end of the period reviewed (UTC); after `startsAt`.")]
        ends_at: DateTime<Utc>,
    ) -> AppResult<ReviewCycle> {
        let (app, actor) = (app(ctx)?, actor(ctx)?);
        let row = uc::create_cycle(app, actor, &name, starts_at, ends_at).await?;
        Ok(ReviewCycle(row))
    }

    /// The caller's own assessment for a cycle; once only (a second is `CONFLICT`).
    #[graphql(guard = "Can(Action::ParticipateInReviews)")]
    async fn submit_self_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The review cycle's id.")] cycle_id: ID,
        #[graphql(desc = "The assessment, 1 to 10,000 characters (trimmed).")] text: String,
    ) -> AppResult<PerformanceReview> {
        let cycle = found_id(&cycle_id, "review cycle")?;
        let review = uc::submit_self_assessment(app(ctx)?, actor(ctx)?, cycle, &text).await?;
        Ok(PerformanceReview(review))
    }

    /// A colleague's assessment, anonymous to the employee; one per colleague, never one's own.
    #[graphql(guard = "Can(Action::ParticipateInReviews)")]
    async fn submit_peer_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The review cycle's id.")] cycle_id: ID,
        #[graphql(desc = "The colleague assessed: an active staff member other than the caller.")]
        employee_id: ID,
        #[graphql(desc = "The assessment, 1 to 10,000 characters (trimmed).")] text: String,
    ) -> AppResult<PerformanceReview> {
        let cycle = found_id(&cycle_id, "review cycle")?;
        let employee = staff_id(&employee_id)?;
        let (app, actor) = (app(ctx)?, actor(ctx)?);
        let review = uc::submit_peer_assessment(app, actor, cycle, employee, &text).await?;
        Ok(PerformanceReview(review))
    }

    /// The manager's assessment, after the employee's self assessment.
    #[graphql(guard = "Can(Action::ManageReviews)")]
    async fn submit_manager_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The review cycle's id.")] cycle_id: ID,
        #[graphql(desc = "The person reviewed: an active staff member other than the caller.")]
        employee_id: ID,
        #[graphql(desc = "The assessment, 1 to 10,000 characters (trimmed).")] text: String,
    ) -> AppResult<PerformanceReview> {
        let cycle = found_id(&cycle_id, "review cycle")?;
        let employee = staff_id(&employee_id)?;
        let (app, actor) = (app(ctx)?, actor(ctx)?);
        let review = uc::submit_manager_assessment(app, actor, cycle, employee, &text).await?;
        Ok(PerformanceReview(review))
    }

    /// Concludes a review: freezes the KPI report of the cycle's period (agent scope), stores
    /// score (0–100), stars (1–5), outcome and recommended courses, and enrolls the person in
    /// the next session of each course. Finalized reviews never change again.
    #[graphql(guard = "Can(Action::ManageReviews)")]
    async fn finalize_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The review cycle's id.")] cycle_id: ID,
        #[graphql(desc = "The person reviewed: an active staff member other than the caller.")]
        employee_id: ID,
        #[graphql(desc = "The manager's conclusion.")] input: FinalizeReviewInput,
    ) -> AppResult<PerformanceReview> {
        let cycle = found_id(&cycle_id, "review cycle")?;
        let employee = staff_id(&employee_id)?;
        let recommended_course_ids = input
            .recommended_course_ids
            .iter()
            .flatten()
            .map(|id| input_id(id, "input.recommendedCourseIds"))
            .collect::<AppResult<Vec<_>>>()?;
        let conclusion = Conclusion {
            score: input.score,
            star_rating: input.star_rating,
            outcome: input.outcome.as_str(),
            recommended_course_ids,
        };
        let (app, actor) = (app(ctx)?, actor(ctx)?);
        let review = uc::finalize(app, actor, cycle, employee, conclusion).await?;
        Ok(PerformanceReview(review))
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
