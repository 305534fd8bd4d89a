//! Performance reviews: managers open cycles; each staff member writes one self assessment;
//! colleagues add anonymous peer assessments; the manager writes theirs and finalizes with a
//! score, stars, an outcome and recommended courses, which freezes the KPI report of the
//! cycle's period and enrolls the person in the next session of each recommended course.

use super::loaders::{load_failed, loaders};
use super::people::User;
use super::training::TrainingCourse;
use super::{Can, actor, app, found_id, input_id};
use crate::app::kpi::KpiReport;
use crate::app::reviews::{self as uc, Conclusion, Review};
use crate::app::{AppError, AppResult};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_domain::Action;
use careline_persistence::entity::review_cycle;
use chrono::{DateTime, Utc};

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
pub struct PerformanceReview(Review);

#[Object]
impl PerformanceReview {
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    async fn cycle(&self) -> ReviewCycle {
        ReviewCycle(self.0.cycle.clone())
    }
    async fn employee(&self, ctx: &Context<'_>) -> AppResult<User> {
        let found = loaders(ctx)?.users.load_one(self.0.row.employee_id).await;
        found
            .map_err(load_failed)?
            .map(User)
            .ok_or_else(|| AppError::NotFound("employee not found".to_owned()))
    }
    async fn status(&self) -> AppResult<ReviewStatus> {
        Ok(uc::status_of(&self.0.row)?.into())
    }
    async fn self_assessment(&self) -> Option<&str> {
        self.0.row.self_assessment.as_deref()
    }
    async fn manager_assessment(&self) -> Option<&str> {
        self.0.row.manager_assessment.as_deref()
    }
    async fn peer_assessments(&self) -> &[String] {
        &self.0.peers
    }
    /// The KPI report of the cycle's period, frozen at finalization.
    async fn kpi(&self) -> AppResult<Option<KpiReport>> {
        uc::snapshot_of(&self.0.row)
    }
    async fn score(&self) -> Option<f64> {
        self.0.row.score
    }
    async fn star_rating(&self) -> Option<i32> {
        self.0.row.star_rating
    }
    async fn outcome(&self) -> Option<ReviewOutcome> {
        self.0.row.outcome.as_deref().and_then(ReviewOutcome::parse)
    }
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
        let rows = uc::cycles(app(ctx)?).await?;
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
        name: String,
        starts_at: DateTime<Utc>,
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
        cycle_id: ID,
        text: String,
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
        cycle_id: ID,
        employee_id: ID,
        text: String,
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
        cycle_id: ID,
        employee_id: ID,
        text: String,
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
        cycle_id: ID,
        employee_id: ID,
        input: FinalizeReviewInput,
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
