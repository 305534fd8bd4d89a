//! Satisfaction surveys (满意度调查): managers write a questionnaire and launch it for the
//! customers of tickets resolved in a window; customers with an app account answer it there,
//! the others are called by the ticket's first-contact owner, who records the answers (a phone
//! follow-up, on the ticket's timeline). Results are counted by the database.

use super::error::{AppError, AppResult};
use super::tickets::{load_readable, viewer_of};
use super::{Actor, App};
use careline_domain::Action;
use careline_domain::survey::{self as rules, Answer, Question, SurveyStatus};
use careline_domain::ticket::TicketKind;
use careline_persistence::customers;
use careline_persistence::entity::{customer, survey, survey_invitation, ticket};
use careline_persistence::surveys::{self as store, Audience, Invitee};
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use uuid::Uuid;

/// Most surveys a list returns.
pub const MAX_LIST: u64 = 100;
/// Most invitations one list returns.
pub const MAX_INVITATIONS: u64 = 200;
/// The longest window a launch may cover.
pub const MAX_WINDOW_DAYS: i64 = 366;

fn not_found() -> AppError {
    AppError::NotFound("survey not found".to_owned())
}

fn invitation_not_found() -> AppError {
    AppError::NotFound("survey invitation not found".to_owned())
}

/// A survey's questionnaire.
pub fn questions(survey: &survey::Model) -> AppResult<Vec<Question>> {
    store::questions(survey).map_err(|e| AppError::internal(e, "survey questions"))
}

/// A survey's stored status.
pub fn status(survey: &survey::Model) -> AppResult<SurveyStatus> {
    SurveyStatus::parse(&survey.status).ok_or_else(|| {
        AppError::internal(
            anyhow::anyhow!("unknown survey status"),
            "stored survey status",
        )
    })
}

/// Surveys, newest first.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<survey::Model>> {
    actor.require(Action::ReadSurveys)?;
    Ok(store::list(&app.db, MAX_LIST).await?)
}

/// One survey.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<survey::Model> {
    actor.require(Action::ReadSurveys)?;
    find(app, id).await
}

/// One survey, for a use case that has checked what the caller may do with it.
async fn find(app: &App, id: Uuid) -> AppResult<survey::Model> {
    store::find(&app.db, id).await?.ok_or_else(not_found)
}

/// Writes a questionnaire as a draft.
pub async fn create(
    app: &App,
    actor: &Actor,
    name: &str,
    questions: &[Question],
) -> AppResult<survey::Model> {
    let (name, questions) = rules::validate_questionnaire(name, questions)?;
    Ok(store::insert(&app.db, name, &questions, actor.id(), app.now()).await?)
}

/// Checks a launch's window of resolution times: not empty, at most [`MAX_WINDOW_DAYS`].
pub fn check_window(from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<()> {
    if to <= from {
        return Err(AppError::bad_input(
            "resolvedTo",
            "must be after resolvedFrom",
        ));
    }
    if to - from > chrono::Duration::days(MAX_WINDOW_DAYS) {
        return Err(AppError::bad_input(
            "resolvedTo",
            format!("a survey covers at most {MAX_WINDOW_DAYS} days of resolved tickets"),
        ));
    }
    Ok(())
}

/// Starts a draft: invites every customer whose ticket (of `kinds`, if given) was resolved in
/// `[from, to)`, once each. Returns the survey and how many were invited.
pub async fn launch(
    app: &App,
    actor: &Actor,
    id: Uuid,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    kinds: &[TicketKind],
) -> AppResult<(survey::Model, u64)> {
    actor.require(Action::ManageSurveys)?;
    check_window(from, to)?;
    let survey = find(app, id).await?;
    if status(&survey)? != SurveyStatus::Draft {
        return Err(AppError::Conflict(
            "only a draft survey can be launched".to_owned(),
        ));
    }
    // Repeats change nothing: each kind at most once, in the order first given.
    let mut distinct: Vec<String> = Vec::new();
    for kind in kinds.iter().map(|k| k.as_str().to_owned()) {
        if !distinct.contains(&kind) {
            distinct.push(kind);
        }
    }
    let kinds = distinct;
    let audience = Audience {
        resolved_from: from,
        resolved_to: to,
        kinds,
    };
    let at = app.now();
    let txn = app.db.begin().await?;
    let (survey, invitations) = store::launch(&txn, id, &audience, at).await?;
    // Every invited customer is told, in the app and on their channels (opted-out customers
    // only in the app).
    let mut inbox = Vec::new();
    for invitation in &invitations {
        let Some(ticket_id) = invitation.ticket_id else {
            continue;
        };
        let (Some(loaded), Some(customer)) = (
            careline_persistence::tickets::find(&txn, ticket_id).await?,
            customers::find(&txn, invitation.customer_id).await?,
        ) else {
            continue;
        };
        let notice = crate::notices::CustomerNotice {
            event: careline_domain::notice::NotificationEvent::SurveyInvitation,
            ticket: &loaded.ticket,
            customer: &customer,
            agent: None,
            message: Some(&survey.name),
            cause: format!("SURVEY_INVITATION:{}", invitation.id),
            event_id: None,
            at,
        };
        inbox.extend(crate::notices::tell_customer(&txn, notice).await?);
    }
    crate::notices::deliver_to_inboxes(&txn, inbox).await?;
    txn.commit().await?;
    app.committed();
    Ok((survey, invitations.len() as u64))
}

/// Stops taking answers.
pub async fn close(app: &App, actor: &Actor, id: Uuid) -> AppResult<survey::Model> {
    actor.require(Action::ManageSurveys)?;
    find(app, id).await?;
    store::close(&app.db, id, app.now()).await?;
    find(app, id).await
}

/// One question's results.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionResult {
    /// The question's key.
    pub key: String,
    /// Answers given.
    pub responses: i64,
    /// Mean of ratings or scores (for yes/no: the share of yes); `None` for text and choices.
    pub average: Option<f64>,
    /// The net promoter score, for NPS questions with answers.
    pub nps: Option<f64>,
    /// Answers per value, most frequent first (not for free text).
    pub counts: Vec<(String, i64)>,
}

/// A survey's results.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// Customers invited.
    pub invited: i64,
    /// Invitations answered.
    pub responded: i64,
    /// `responded / invited`; `None` before anyone was invited.
    pub response_rate: Option<f64>,
    /// Every question in questionnaire order.
    pub questions: Vec<QuestionResult>,
}

/// Counts a survey's results (in the database).
pub async fn results(app: &App, actor: &Actor, survey: &survey::Model) -> AppResult<Results> {
    actor.require(Action::ReadSurveys)?;
    let questions = questions(survey)?;
    let counted: Vec<String> = questions
        .iter()
        .filter(|q| rules::counted_per_value(q.kind))
        .map(|q| q.key.clone())
        .collect();
    let turnout = store::turnout(&app.db, survey.id).await?;
    let mut figures = store::figures(&app.db, survey.id, &counted).await?;
    let questions = questions
        .iter()
        .map(|q| {
            let f = figures
                .iter()
                .position(|(k, _)| *k == q.key)
                .map(|at| figures.swap_remove(at).1)
                .unwrap_or_default();
            let numeric = matches!(
                q.kind,
                rules::QuestionKind::Rating1To5
                    | rules::QuestionKind::Nps0To10
                    | rules::QuestionKind::YesNo
            );
            QuestionResult {
                key: q.key.clone(),
                responses: f.responses,
                average: if numeric { f.average } else { None },
                nps: if q.kind == rules::QuestionKind::Nps0To10 {
                    f.nps
                } else {
                    None
                },
                counts: f.counts,
            }
        })
        .collect();
    Ok(Results {
        invited: turnout.invited,
        responded: turnout.responded,
        response_rate: (turnout.invited > 0)
            .then(|| turnout.responded as f64 / turnout.invited as f64),
        questions,
    })
}

/// Unanswered invitations of running surveys: a customer's own (answered in the app), or for
/// staff the phone calls they are to make.
pub async fn my_invitations(app: &App, actor: &Actor) -> AppResult<Vec<survey_invitation::Model>> {
    let invitee = if actor.roles().has(careline_domain::Role::Customer) {
        Invitee::Account(actor.id())
    } else {
        Invitee::Caller(actor.id())
    };
    Ok(store::open_invitations(&app.db, invitee, MAX_INVITATIONS).await?)
}

/// The invitation's ticket if the actor may read it.
pub async fn invitation_ticket(
    app: &App,
    actor: &Actor,
    invitation: &survey_invitation::Model,
) -> AppResult<Option<ticket::Model>> {
    let Some(id) = invitation.ticket_id else {
        return Ok(None);
    };
    match load_readable(app, &viewer_of(&actor.user), id).await {
        Ok((loaded, _)) => Ok(Some(loaded.ticket)),
        Err(AppError::NotFound(_) | AppError::Forbidden(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether the actor may answer this invitation: a customer their own app invitation; staff a
/// phone invitation they are the caller of, and leads any phone invitation.
async fn may_answer(
    app: &App,
    actor: &Actor,
    invitation: &survey_invitation::Model,
) -> AppResult<bool> {
    if actor.roles().has(careline_domain::Role::Customer) {
        let owner: Option<customer::Model> =
            customers::find(&app.db, invitation.customer_id).await?;
        return Ok(invitation.channel == store::APP
            && owner.is_some_and(|c| c.user_id == Some(actor.id())));
    }
    Ok(invitation.channel == store::PHONE
        && (invitation.caller_id == Some(actor.id()) || actor.can(Action::ReadSurveys)))
}

/// Records the answers to an invitation, once. Checks come in order: the answers' shape, the
/// invitation exists and is the actor's to answer, the answers fit the questionnaire, the
/// survey is running and the invitation unanswered. A phone answer is an internal timeline
/// entry on the ticket.
pub async fn answer(
    app: &App,
    actor: &Actor,
    invitation_id: Uuid,
    answers: &[Answer],
) -> AppResult<survey_invitation::Model> {
    if answers.is_empty() {
        return Err(AppError::bad_input(
            "answers",
            "answer at least one question",
        ));
    }
    if answers.len() > rules::MAX_QUESTIONS {
        return Err(AppError::bad_input(
            "answers",
            format!("a survey has at most {} questions", rules::MAX_QUESTIONS),
        ));
    }
    if let Some(at) = answers
        .iter()
        .position(|a| a.value.chars().count() > rules::MAX_TEXT_ANSWER)
    {
        return Err(AppError::bad_input(
            format!("answers.{at}.value"),
            format!("must be at most {} characters", rules::MAX_TEXT_ANSWER),
        ));
    }
    let invitation = store::invitation(&app.db, invitation_id)
        .await?
        .ok_or_else(invitation_not_found)?;
    if !may_answer(app, actor, &invitation).await? {
        return Err(invitation_not_found());
    }
    let survey = find(app, invitation.survey_id).await?;
    let stored = rules::validate_answers(&questions(&survey)?, answers)?;
    if status(&survey)? != SurveyStatus::Running {
        return Err(AppError::Conflict(
            "this survey is not taking answers".to_owned(),
        ));
    }
    if invitation.responded_at.is_some() {
        return Err(AppError::Conflict(
            "this invitation was answered already".to_owned(),
        ));
    }
    let call_note = (invitation.channel == store::PHONE).then(|| {
        let summary: Vec<String> = stored
            .iter()
            .map(|a| format!("{}: {}", a.key, a.text))
            .collect();
        format!(
            "Phone survey \u{201c}{}\u{201d} answered: {}",
            survey.name,
            summary.join("; ")
        )
    });
    let answered = store::answer(
        &app.db,
        &invitation,
        &stored,
        actor.id(),
        call_note.as_deref(),
        app.now(),
    )
    .await?;
    if call_note.is_some() {
        app.committed();
    }
    Ok(answered)
}
