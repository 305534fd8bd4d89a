//! Insight in GraphQL: satisfaction surveys, time accounting and wallboard figures. The use
//! cases are `crate::app::surveys`, `crate::app::time_accounting` and `crate::app::wallboard`;
//! the live feed is `crate::wallboard`.

use super::kpi::CountByKey;
use super::loaders::{load_failed, loaders};
use super::people::User;
use super::tickets::load_user;
use super::tickets::{Ticket, TicketKind};
use super::{Can, SignedIn, actor, app, found_id, optional_id};
use crate::app::surveys as uc;
use crate::app::time_accounting;
use crate::app::wallboard::{self, Figures};
use crate::app::{AppError, AppResult};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use careline_app::rows::{survey, survey_invitation, time_entry};
use careline_domain::Action;
use careline_domain::survey::{Answer, Question, QuestionKind};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A survey's state.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SurveyStatus {
    /// Being written; nobody invited yet.
    Draft,
    /// Invitations are out and answers are taken.
    Running,
    /// No more answers.
    Closed,
}

impl From<careline_domain::survey::SurveyStatus> for SurveyStatus {
    fn from(s: careline_domain::survey::SurveyStatus) -> Self {
        use careline_domain::survey::SurveyStatus as S;
        match s {
            S::Draft => SurveyStatus::Draft,
            S::Running => SurveyStatus::Running,
            S::Closed => SurveyStatus::Closed,
        }
    }
}

/// What kind of answer a question takes.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::survey::QuestionKind")]
pub enum SurveyQuestionKind {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[graphql(name = "RATING_1_5")]
    Rating1To5,
    /// "How likely are you to recommend us", 0 to 10.
    #[graphql(name = "NPS_0_10")]
    Nps0To10,
    /// `yes` or `no`.
    YesNo,
    /// One of the question's choices, as written.
    SingleChoice,
    /// Free text.
    Text,
}

/// One question of a questionnaire.
#[derive(SimpleObject, Clone)]
pub struct SurveyQuestion {
    /// Stable key, `[a-z0-9_]`, unique in the survey; answers name it.
    pub key: String,
    /// What the customer reads.
    pub text: String,
    /// What kind of answer it takes.
    pub kind: SurveyQuestionKind,
    /// The choices of a `SINGLE_CHOICE` question, in order; null for other kinds.
    pub choices: Option<Vec<String>>,
}

/// A question to put on a questionnaire: `key` is `[a-z0-9_]`; single-choice questions need
/// 2 to 20 choices.
#[derive(InputObject)]
pub struct SurveyQuestionInput {
    /// 1 to 40 lower-case letters, digits or underscores, unique in the survey.
    pub key: String,
    /// What the customer reads, 1 to 500 characters (trimmed).
    pub text: String,
    /// What kind of answer it takes.
    pub kind: SurveyQuestionKind,
    /// For `SINGLE_CHOICE` only: 2 to 20 distinct choices of 1 to 100 characters. Other kinds
    /// take none.
    pub choices: Option<Vec<String>>,
}

/// One answer: a rating `1`–`5`, a score `0`–`10`, `yes`/`no`, a choice as written, or text.
#[derive(InputObject)]
pub struct SurveyAnswerInput {
    /// The question's key.
    pub key: String,
    /// The answer as text, as its question's kind takes it.
    pub value: String,
}

/// One question's results.
pub struct SurveyQuestionResult(uc::QuestionResult);

fn int(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One question's results.
#[Object]
impl SurveyQuestionResult {
    /// The question's key.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Answers given to this question.
    async fn responses(&self) -> i32 {
        int(self.0.responses)
    }
    /// Mean rating or score; for yes/no the share of yes (0–1); `null` for text and choices.
    async fn average(&self) -> Option<f64> {
        self.0.average
    }
    /// Net promoter score, for NPS_0_10 questions.
    async fn nps(&self) -> Option<f64> {
        self.0.nps
    }
    /// Answers per value, most frequent first (none for free text).
    async fn counts(&self) -> Vec<CountByKey> {
        self.0
            .counts
            .iter()
            .map(|(key, n)| {
                CountByKey(crate::app::kpi::CountByKey {
                    key: key.clone(),
                    count: int(*n),
                })
            })
            .collect()
    }
}

/// A survey's results, counted by the database.
pub struct SurveyResults(uc::Results);

/// A survey's results, counted by the database.
#[Object]
impl SurveyResults {
    /// Customers invited.
    async fn invited(&self) -> i32 {
        int(self.0.invited)
    }
    /// Invitations answered.
    async fn responded(&self) -> i32 {
        int(self.0.responded)
    }
    /// `responded / invited` (0–1); `null` before anyone was invited.
    async fn response_rate(&self) -> Option<f64> {
        self.0.response_rate
    }
    /// Each question's results, in questionnaire order.
    async fn questions(&self) -> Vec<SurveyQuestionResult> {
        self.0
            .questions
            .iter()
            .cloned()
            .map(SurveyQuestionResult)
            .collect()
    }
}

/// A satisfaction survey.
pub struct Survey(pub survey::Model);

/// A satisfaction survey.
#[Object]
impl Survey {
    /// The survey's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The survey's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The survey's state.
    async fn status(&self) -> AppResult<SurveyStatus> {
        Ok(uc::status(&self.0)?.into())
    }
    /// The questionnaire, in order.
    async fn questions(&self) -> AppResult<Vec<SurveyQuestion>> {
        Ok(uc::questions(&self.0)?
            .into_iter()
            .map(|q| SurveyQuestion {
                key: q.key,
                text: q.text,
                kind: q.kind.into(),
                choices: (q.kind == QuestionKind::SingleChoice).then_some(q.choices),
            })
            .collect())
    }
    /// When it was launched (UTC); null while a draft.
    async fn launched_at(&self) -> Option<DateTime<Utc>> {
        self.0.launched_at
    }
    /// When it was closed (UTC); null until then.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// Results: leads only (customers answering see the questions, not the figures).
    #[graphql(guard = "Can(Action::ReadSurveys)")]
    async fn results(&self, ctx: &Context<'_>) -> AppResult<SurveyResults> {
        Ok(SurveyResults(
            uc::results(app(ctx)?, actor(ctx)?, &self.0).await?,
        ))
    }
}

/// How an invited customer answers.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SurveyChannel {
    /// In the app, by the customer.
    App,
    /// On a call: an agent records the answers.
    Phone,
}

/// One customer invited to one survey, about their latest resolved ticket.
pub struct SurveyInvitation(pub survey_invitation::Model);

/// One customer invited to one survey, about their latest resolved ticket.
#[Object]
impl SurveyInvitation {
    /// The invitation's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The survey it invites to.
    async fn survey(&self, ctx: &Context<'_>) -> AppResult<Survey> {
        let found = loaders(ctx)?
            .surveys
            .load_one(self.0.survey_id)
            .await
            .map_err(load_failed)?;
        found.map(Survey).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("invitation without survey"), "invitation")
        })
    }
    /// The ticket it asks about, if the caller may read it.
    async fn ticket(&self, ctx: &Context<'_>) -> AppResult<Option<Ticket>> {
        Ok(uc::invitation_ticket(app(ctx)?, actor(ctx)?, &self.0)
            .await?
            .map(Ticket))
    }
    /// How it is answered: in the app by the customer, or on a call recorded by an agent.
    async fn channel(&self) -> SurveyChannel {
        if self.0.channel == "PHONE" {
            SurveyChannel::Phone
        } else {
            SurveyChannel::App
        }
    }
    /// When it was answered (UTC); null while unanswered.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
}

/// Minutes someone logged on a ticket.
pub struct TimeEntry(pub time_entry::Model);

/// Minutes someone logged on a ticket.
#[Object]
impl TimeEntry {
    /// The entry's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The ticket the time was spent on.
    async fn ticket(&self, ctx: &Context<'_>) -> AppResult<Ticket> {
        Ok(Ticket(
            crate::app::tickets::get(app(ctx)?, actor(ctx)?, self.0.ticket_id).await?,
        ))
    }
    /// Who logged it.
    async fn user(&self, ctx: &Context<'_>) -> AppResult<User> {
        load_user(ctx, Some(self.0.user_id)).await?.ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("time entry without user"), "time entry")
        })
    }
    /// Minutes spent, 1 to 1,440.
    async fn minutes(&self) -> i32 {
        self.0.minutes
    }
    /// What the time was spent on; null when no note was given.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When it was logged (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// Figures for a wallboard, recomputed when the queue changes.
#[derive(SimpleObject, Clone)]
pub struct WallboardFigures {
    /// When the figures were counted (UTC).
    pub at: DateTime<Utc>,
    /// Open tickets (as the queue counts them).
    pub waiting: i32,
    /// Open tickets nobody holds.
    pub unassigned: i32,
    /// Open tickets past 80 % of a target, not yet overdue.
    pub at_risk: i32,
    /// Open tickets past a due time.
    pub overdue: i32,
    /// Active agents and tech support whose presence is AVAILABLE.
    pub agents_available: i32,
    /// Tickets created today (the team's calendar day), as the KPI report counts them.
    pub created_today: i32,
    /// Tickets resolved today.
    pub resolved_today: i32,
    /// First-response SLA compliance of the targets due today (0–1).
    pub first_response_sla_compliance_today: Option<f64>,
    /// The mean satisfaction rating given today (1–5).
    pub csat_average_today: Option<f64>,
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<&Figures> for WallboardFigures {
    fn from(f: &Figures) -> Self {
        WallboardFigures {
            at: f.at,
            waiting: count(f.waiting),
            unassigned: count(f.unassigned),
            at_risk: count(f.at_risk),
            overdue: count(f.overdue),
            agents_available: count(f.agents_available),
            created_today: f.created_today,
            resolved_today: f.resolved_today,
            first_response_sla_compliance_today: f.first_response_sla_compliance_today,
            csat_average_today: f.csat_average_today,
        }
    }
}

/// The figures pushed to a subscriber.
pub fn pushed(figures: Arc<Figures>) -> WallboardFigures {
    WallboardFigures::from(figures.as_ref())
}

/// Insight queries.
#[derive(Default)]
pub struct InsightQuery;

#[Object]
impl InsightQuery {
    /// Surveys, newest first (at most 100).
    #[graphql(
        guard = "Can(Action::ReadSurveys)",
        complexity = "100 * child_complexity"
    )]
    async fn surveys(&self, ctx: &Context<'_>) -> AppResult<Vec<Survey>> {
        Ok(uc::list(app(ctx)?, actor(ctx)?)
            .await?
            .into_iter()
            .map(Survey)
            .collect())
    }

    /// One survey.
    #[graphql(guard = "Can(Action::ReadSurveys)")]
    async fn survey(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey's id.")] id: ID,
    ) -> AppResult<Option<Survey>> {
        let id = found_id(&id, "survey")?;
        match uc::get(app(ctx)?, actor(ctx)?, id).await {
            Ok(s) => Ok(Some(Survey(s))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// For a signed-in customer: invitations not yet answered. For staff: the phone surveys
    /// they are to call customers for.
    #[graphql(guard = "SignedIn", complexity = "100 * child_complexity")]
    async fn my_survey_invitations(&self, ctx: &Context<'_>) -> AppResult<Vec<SurveyInvitation>> {
        Ok(uc::my_invitations(app(ctx)?, actor(ctx)?)
            .await?
            .into_iter()
            .map(SurveyInvitation)
            .collect())
    }

    /// A team's wallboard (everyone's without `teamId`): leads any team, agents their own.
    #[graphql(guard = "SignedIn")]
    async fn wallboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team; omitted: everyone's figures.")] team_id: Option<ID>,
    ) -> AppResult<WallboardFigures> {
        let team = optional_id(team_id.as_ref(), "teamId")?;
        let figures = wallboard::wallboard(app(ctx)?, actor(ctx)?, team).await?;
        Ok(WallboardFigures::from(&figures))
    }
}

/// Insight mutations.
#[derive(Default)]
pub struct InsightMutation;

#[Object]
impl InsightMutation {
    /// Writes a questionnaire (managers); it starts as a draft.
    #[graphql(guard = "Can(Action::ManageSurveys)")]
    async fn create_survey(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey's name, 1 to 120 characters (trimmed).")] name: String,
        #[graphql(desc = "1 to 30 questions with distinct keys, in the order customers see them.")]
        questions: Vec<SurveyQuestionInput>,
    ) -> AppResult<Survey> {
        let questions: Vec<Question> = questions
            .into_iter()
            .map(|q| Question {
                key: q.key,
                text: q.text,
                kind: q.kind.into(),
                choices: q.choices.unwrap_or_default(),
            })
            .collect();
        Ok(Survey(
            uc::create(app(ctx)?, actor(ctx)?, &name, &questions).await?,
        ))
    }

    /// Invites the customers of tickets resolved in the window (once each) and starts the survey.
    #[graphql(guard = "Can(Action::ManageSurveys)")]
    async fn launch_survey(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The id of a `DRAFT` survey.")] id: ID,
        #[graphql(desc = "The start of the window of resolution times (UTC, inclusive).")]
        resolved_from: DateTime<Utc>,
        #[graphql(
            desc = "The end of the window (UTC, exclusive); after `resolvedFrom`, at most 366 days later."
        )]
        resolved_to: DateTime<Utc>,
        #[graphql(desc = "Only tickets of these kinds; omitted or empty: every kind.")]
        kinds: Option<Vec<TicketKind>>,
    ) -> AppResult<Survey> {
        let kinds: Vec<careline_domain::ticket::TicketKind> = kinds
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        uc::check_window(resolved_from, resolved_to)?;
        let id = found_id(&id, "survey")?;
        let (survey, _) = uc::launch(
            app(ctx)?,
            actor(ctx)?,
            id,
            (resolved_from, resolved_to),
            &kinds,
        )
        .await?;
        Ok(Survey(survey))
    }

    /// Records the answers to an invitation, once: a customer their own, the caller (or a lead)
    /// a phone survey.
    #[graphql(guard = "Can(Action::AnswerSurveys)")]
    async fn answer_survey(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The invitation: a customer's own app invitation, or a phone invitation the caller is to call for (leads: any)."
        )]
        invitation_id: ID,
        #[graphql(
            desc = "1 to 30 answers, each to a different question of the survey; questions may be skipped."
        )]
        answers: Vec<SurveyAnswerInput>,
    ) -> AppResult<SurveyInvitation> {
        let answers: Vec<Answer> = answers
            .into_iter()
            .map(|a| Answer {
                key: a.key,
                value: a.value,
            })
            .collect();
        let id = found_id(&invitation_id, "survey invitation")?;
        Ok(SurveyInvitation(
            uc::answer(app(ctx)?, actor(ctx)?, id, &answers).await?,
        ))
    }

    /// Stops taking answers.
    #[graphql(guard = "Can(Action::ManageSurveys)")]
    async fn close_survey(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey's id.")] id: ID,
    ) -> AppResult<Survey> {
        let id = found_id(&id, "survey")?;
        Ok(Survey(uc::close(app(ctx)?, actor(ctx)?, id).await?))
    }

    /// Logs minutes (1 to 1,440) spent on a ticket one works on.
    #[graphql(guard = "Can(Action::LogTime)")]
    async fn log_time(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A ticket the caller may read.")] ticket_id: ID,
        #[graphql(desc = "Minutes spent, 1 to 1,440 (24 hours).")] minutes: i32,
        #[graphql(
            desc = "What the time was spent on, at most 2,000 characters; blank is dropped."
        )]
        note: Option<String>,
    ) -> AppResult<TimeEntry> {
        time_accounting::check_minutes(minutes)?;
        let ticket = found_id(&ticket_id, "ticket")?;
        Ok(TimeEntry(
            time_accounting::log_time(app(ctx)?, actor(ctx)?, ticket, minutes, note.as_deref())
                .await?,
        ))
    }
}
