//! Quality inspection in GraphQL: scorecards, reviews of resolved tickets, the sample to
//! inspect. The use cases are `crate::app::quality`.

use super::connection::{first_or_default, list_cost};
use super::loaders::{load_failed, loaders};
use super::people::User;
use super::tickets::Ticket;
use super::{Can, actor, app, found_id, input_id, optional_id, parse_id};
use crate::app::quality::{self as uc, Inspection, ReviewFilter};
use crate::app::{AppError, AppResult};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use careline_app::rows::{quality_review, quality_scorecard};
use careline_domain::Action;
use careline_domain::quality::{Criterion, Score};
use chrono::{DateTime, Utc};

/// One thing inspectors score, with its weight.
#[derive(SimpleObject, Clone)]
pub struct QualityCriterion {
    /// Stable key, `[a-z0-9_]`, e.g. `greeting`; scores name it.
    pub key: String,
    /// What inspectors read, e.g. "Greeting and identification".
    pub label: String,
    /// Relative weight in the total, 1 to 100.
    pub weight: i32,
}

/// A criterion to put on a scorecard.
#[derive(InputObject)]
pub struct QualityCriterionInput {
    /// Stable key: 1 to 40 lower-case letters, digits or underscores, unique on the scorecard.
    pub key: String,
    /// What inspectors read, 1 to 200 characters (trimmed).
    pub label: String,
    /// Relative weight in the total, 1 to 100.
    pub weight: i32,
}

/// Weighted criteria inspectors score.
pub struct QualityScorecard(quality_scorecard::Model);

/// Weighted criteria inspectors score.
#[Object]
impl QualityScorecard {
    /// The scorecard's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The scorecard's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Its criteria, in order (1 to 20).
    async fn criteria(&self) -> AppResult<Vec<QualityCriterion>> {
        let list = self.0.criteria_list().ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("unreadable criteria"), "quality scorecard")
        })?;
        Ok(list
            .into_iter()
            .map(|c| QualityCriterion {
                key: c.key,
                label: c.label,
                weight: c.weight,
            })
            .collect())
    }
    /// Whether tickets may be inspected with it; only active scorecards are accepted by
    /// `reviewTicketQuality`.
    async fn active(&self) -> bool {
        self.0.active
    }
}

/// Scores are 0-100 per criterion; total is the weighted mean.
#[derive(SimpleObject, Clone)]
pub struct QualityScore {
    /// The criterion's key.
    pub key: String,
    /// The score, 0 to 100.
    pub score: i32,
    /// Why, if the inspector said; null otherwise.
    pub comment: Option<String>,
}

/// A criterion's score, as given.
#[derive(InputObject)]
pub struct QualityScoreInput {
    /// The key of one of the scorecard's criteria.
    pub key: String,
    /// The score, 0 to 100.
    pub score: i32,
    /// Why, optionally: at most 2,000 characters; blank is dropped.
    pub comment: Option<String>,
}

/// An inspection of a resolved ticket.
pub struct QualityReview(quality_review::Model);

async fn person(ctx: &Context<'_>, id: uuid::Uuid) -> AppResult<User> {
    loaders(ctx)?
        .users
        .load_one(id)
        .await
        .map_err(load_failed)?
        .map(User)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("dangling user id"), "quality review"))
}

/// An inspection of a resolved ticket.
#[Object]
impl QualityReview {
    /// The review's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The ticket inspected.
    async fn ticket(&self, ctx: &Context<'_>) -> AppResult<Ticket> {
        loaders(ctx)?
            .tickets
            .load_one(self.0.ticket_id)
            .await
            .map_err(load_failed)?
            .map(Ticket)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("dangling ticket"), "review"))
    }
    /// The agent whose handling was scored: the ticket's assignee, else its owner.
    async fn agent(&self, ctx: &Context<'_>) -> AppResult<User> {
        person(ctx, self.0.agent_id).await
    }
    /// The inspector.
    async fn reviewer(&self, ctx: &Context<'_>) -> AppResult<User> {
        person(ctx, self.0.reviewer_id).await
    }
    /// The scorecard it was scored on.
    async fn scorecard(&self, ctx: &Context<'_>) -> AppResult<QualityScorecard> {
        loaders(ctx)?
            .quality_scorecards
            .load_one(self.0.scorecard_id)
            .await
            .map_err(load_failed)?
            .map(QualityScorecard)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("dangling scorecard"), "review"))
    }
    /// One score per criterion, in the scorecard's order.
    async fn scores(&self) -> AppResult<Vec<QualityScore>> {
        let list = self.0.score_list().ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("unreadable scores"), "quality review")
        })?;
        Ok(list
            .into_iter()
            .map(|s| QualityScore {
                key: s.key,
                score: s.score,
                comment: s.comment,
            })
            .collect())
    }
    /// The weighted mean of the scores, 0 to 100.
    async fn total(&self) -> f64 {
        self.0.total
    }
    /// The inspector's remark; null when none was given.
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    /// When the ticket was inspected (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// When the agent acknowledged it (UTC); null until then.
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.0.acknowledged_at
    }
    /// Why the agent disputes it; null when not disputed.
    async fn dispute(&self) -> Option<&str> {
        self.0.dispute.as_deref()
    }
}

/// Quality queries.
#[derive(Default)]
pub struct QualityQuery;

#[Object]
impl QualityQuery {
    /// Every scorecard (staff who inspect or are inspected).
    #[graphql(
        guard = "Can(Action::ReadQualityReviews)",
        complexity = "100 * child_complexity"
    )]
    async fn quality_scorecards(&self, ctx: &Context<'_>) -> AppResult<Vec<QualityScorecard>> {
        let rows = uc::scorecards(app(ctx)?, actor(ctx)?).await?;
        Ok(rows.into_iter().map(QualityScorecard).collect())
    }

    /// Quality reviews, newest first: leads read anyone's (or `agentId`'s; `disputedOnly`: the
    /// disputes waiting for them), agents their own.
    #[graphql(
        guard = "Can(Action::ReadQualityReviews)",
        complexity = "list_cost(first, None, child_complexity)"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "the contract's filter and paging arguments"
    )]
    async fn quality_reviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only this agent's reviews. Leads may name anyone; others only themselves (their own reviews are all they read)."
        )]
        agent_id: Option<ID>,
        #[graphql(desc = "Only reviews made at or after this time.")] from: Option<DateTime<Utc>>,
        #[graphql(desc = "Only reviews made before this time.")] to: Option<DateTime<Utc>>,
        #[graphql(desc = "Returns the first n reviews (default 20, max 100).")] first: Option<i32>,
        #[graphql(
            desc = "Returns the reviews after this cursor: the id of the last review of the previous page."
        )]
        after: Option<String>,
        #[graphql(desc = "Only disputed reviews; default false.")] disputed_only: Option<bool>,
    ) -> AppResult<Vec<QualityReview>> {
        let agent = optional_id(agent_id.as_ref(), "agentId")?;
        let limit = first_or_default(first)?;
        let after = after
            .map(|a| {
                parse_id(&ID(a)).ok_or_else(|| AppError::bad_input("after", "not a review id"))
            })
            .transpose()?;
        let filter = ReviewFilter {
            agent,
            from,
            to,
            disputed_only: disputed_only.unwrap_or(false),
        };
        let rows = uc::reviews(app(ctx)?, actor(ctx)?, filter, after, limit).await?;
        Ok(rows.into_iter().map(QualityReview).collect())
    }

    /// A random sample of resolved tickets in the period not yet reviewed, for inspection.
    /// The same arguments (and `seed`) give the same sample.
    #[graphql(
        guard = "Can(Action::InspectQuality)",
        complexity = "100 * child_complexity"
    )]
    async fn quality_sample(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only tickets of this team; omitted: any team.")] team_id: Option<ID>,
        #[graphql(desc = "The start of the resolution window (inclusive).")] from: DateTime<Utc>,
        #[graphql(desc = "The end of the resolution window (UTC, exclusive); after `from`.")]
        to: DateTime<Utc>,
        #[graphql(desc = "How many tickets to draw, 1 to 100 (fewer when fewer qualify).")]
        size: i32,
        #[graphql(
            desc = "Any number; the same seed and arguments give the same sample. Omitted: one derived from the team and the window."
        )]
        seed: Option<i32>,
    ) -> AppResult<Vec<Ticket>> {
        let team = optional_id(team_id.as_ref(), "teamId")?;
        // Every 32-bit seed is its own: -5 and 5 draw different samples.
        let seed = seed.map(|s| u64::from(u32::from_ne_bytes(s.to_ne_bytes())));
        let rows = uc::sample(app(ctx)?, actor(ctx)?, team, (from, to), size, seed).await?;
        Ok(rows.into_iter().map(Ticket).collect())
    }
}

/// Quality mutations.
#[derive(Default)]
pub struct QualityMutation;

#[Object]
impl QualityMutation {
    /// Defines a scorecard (managers).
    #[graphql(guard = "Can(Action::ManageQualityScorecards)")]
    async fn create_quality_scorecard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scorecard's name, 1 to 120 characters (trimmed).")] name: String,
        #[graphql(desc = "1 to 20 criteria with distinct keys, in the order inspectors see them.")]
        criteria: Vec<QualityCriterionInput>,
    ) -> AppResult<QualityScorecard> {
        let criteria: Vec<Criterion> = criteria
            .into_iter()
            .map(|c| Criterion {
                key: c.key,
                label: c.label,
                weight: c.weight,
            })
            .collect();
        let created = uc::create_scorecard(app(ctx)?, actor(ctx)?, &name, &criteria).await?;
        Ok(QualityScorecard(created))
    }

    /// Scores a resolved ticket's handling (leads; never one's own work).
    #[graphql(guard = "Can(Action::InspectQuality)")]
    async fn review_ticket_quality(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "A resolved or closed ticket the caller may read and did not own, answer first or hold."
        )]
        ticket_id: ID,
        #[graphql(desc = "An active scorecard.")] scorecard_id: ID,
        #[graphql(desc = "One score for every criterion of the scorecard, each exactly once.")]
        scores: Vec<QualityScoreInput>,
        #[graphql(desc = "The inspector's remark, at most 2,000 characters; blank is dropped.")]
        comment: Option<String>,
    ) -> AppResult<QualityReview> {
        let inspection = Inspection {
            ticket_id: found_id(&ticket_id, "ticket")?,
            scorecard_id: input_id(&scorecard_id, "scorecardId")?,
            scores: scores
                .into_iter()
                .map(|s| Score {
                    key: s.key,
                    score: s.score,
                    comment: s.comment,
                })
                .collect(),
            comment,
        };
        let review = uc::review_ticket(app(ctx)?, actor(ctx)?, inspection).await?;
        Ok(QualityReview(review))
    }

    /// The reviewed agent acknowledges, optionally disputing.
    #[graphql(guard = "Can(Action::ReadQualityReviews)")]
    async fn acknowledge_quality_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The id of a review of the caller's own work, not yet acknowledged.")]
        id: ID,
        #[graphql(
            desc = "Why the agent disagrees, at most 2,000 characters; omitted or blank: acknowledged without dispute."
        )]
        dispute: Option<String>,
    ) -> AppResult<QualityReview> {
        let id = found_id(&id, "quality review")?;
        let review = uc::acknowledge(app(ctx)?, actor(ctx)?, id, dispute.as_deref()).await?;
        Ok(QualityReview(review))
    }
}
