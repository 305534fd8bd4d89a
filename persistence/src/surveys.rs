//! Satisfaction surveys in storage: questionnaires, one invitation per customer and survey,
//! answers, and the results counted in SQL.

use crate::StoreError;
use crate::entity::survey::{self, Column as S, Entity as Survey};
use crate::entity::survey_answer;
use crate::entity::survey_invitation::{self, Column as I, Entity as Invitation};
use crate::entity::{customer, ticket};
use crate::journal::{self, Announce, Append, Author};
use careline_domain::survey::{Question, StoredAnswer, SurveyStatus};
use careline_domain::ticket::{EventDraft, TicketEventKind};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect, Statement, TransactionTrait};
use std::collections::HashSet;

/// Invitations inserted per statement.
const INSERT_CHUNK: usize = 500;

/// How an invited customer answers.
pub const APP: &str = "APP";
/// An agent calls the customer.
pub const PHONE: &str = "PHONE";

fn json_error(e: serde_json::Error) -> StoreError {
    StoreError::Db(DbErr::Custom(format!("survey questions: {e}")))
}

/// The stored questionnaire of a survey.
pub fn questions(survey: &survey::Model) -> Result<Vec<Question>, StoreError> {
    serde_json::from_str(&survey.questions).map_err(json_error)
}

/// Stores a checked questionnaire as a draft.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    name: String,
    questions: &[Question],
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<survey::Model, StoreError> {
    Ok(survey::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        status: Set(SurveyStatus::Draft.as_str().to_owned()),
        questions: Set(serde_json::to_string(questions).map_err(json_error)?),
        created_by: Set(by),
        created_at: Set(at),
        launched_at: Set(None),
        closed_at: Set(None),
        resolved_from: Set(None),
        resolved_to: Set(None),
    }
    .insert(db)
    .await?)
}

/// One survey.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<survey::Model>, StoreError> {
    Ok(Survey::find_by_id(id).one(db).await?)
}

/// Surveys by id.
pub async fn find_many<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<survey::Model>, StoreError> {
    Ok(Survey::find()
        .filter(S::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Surveys newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<survey::Model>, StoreError> {
    Ok(Survey::find()
        .order_by_desc(S::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Who a launch invites.
#[derive(Debug, Clone)]
pub struct Audience {
    /// Resolved at or after this instant.
    pub resolved_from: DateTime<Utc>,
    /// Resolved before this instant.
    pub resolved_to: DateTime<Utc>,
    /// Only these ticket kinds (stored spelling); all when empty.
    pub kinds: Vec<String>,
}

/// Starts a draft survey and invites the customers of the tickets resolved in the window, once
/// each (about their latest such ticket): customers with an app account answer there, for the
/// others the ticket's first-contact owner gets a phone call to make. Returns the survey and
/// the invitations; `Conflict` if it is not a draft any more. Runs in the caller's
/// transaction, where the invitations' notices are written too.
pub async fn launch<C: ConnectionTrait>(
    txn: &C,
    id: Uuid,
    audience: &Audience,
    at: DateTime<Utc>,
) -> Result<(survey::Model, Vec<survey_invitation::Model>), StoreError> {
    let started = Survey::update_many()
        .col_expr(S::Status, Expr::value(SurveyStatus::Running.as_str()))
        .col_expr(S::LaunchedAt, Expr::value(at))
        .col_expr(S::ResolvedFrom, Expr::value(audience.resolved_from))
        .col_expr(S::ResolvedTo, Expr::value(audience.resolved_to))
        .filter(S::Id.eq(id))
        .filter(S::Status.eq(SurveyStatus::Draft.as_str()))
        .exec(txn)
        .await?;
    if started.rows_affected == 0 {
        return Err(StoreError::Conflict(
            "this survey was launched already".to_owned(),
        ));
    }
    let mut tickets = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Id)
        .column(ticket::Column::CustomerId)
        .column(ticket::Column::OwnerId)
        .column(customer::Column::UserId)
        .join_rev(
            sea_orm::JoinType::InnerJoin,
            customer::Entity::belongs_to(ticket::Entity)
                .from(customer::Column::Id)
                .to(ticket::Column::CustomerId)
                .into(),
        )
        .filter(ticket::Column::ResolvedAt.gte(audience.resolved_from))
        .filter(ticket::Column::ResolvedAt.lt(audience.resolved_to))
        .order_by_desc(ticket::Column::ResolvedAt)
        .order_by_desc(ticket::Column::Id);
    if !audience.kinds.is_empty() {
        tickets = tickets.filter(ticket::Column::Kind.is_in(audience.kinds.iter().cloned()));
    }
    let rows: Vec<(Uuid, Uuid, Option<Uuid>, Option<Uuid>)> = tickets.into_tuple().all(txn).await?;
    let mut invited: HashSet<Uuid> = HashSet::new();
    let mut invitations = Vec::new();
    for (ticket_id, customer_id, owner, account) in rows {
        // Newest resolution first: each customer is asked about their latest ticket.
        if !invited.insert(customer_id) {
            continue;
        }
        invitations.push(survey_invitation::Model {
            id: Uuid::now_v7(),
            survey_id: id,
            customer_id,
            ticket_id: Some(ticket_id),
            channel: if account.is_some() { APP } else { PHONE }.to_owned(),
            caller_id: if account.is_some() { None } else { owner },
            created_at: at,
            responded_at: None,
            responded_by: None,
        });
    }
    for chunk in invitations.chunks(INSERT_CHUNK) {
        Invitation::insert_many(
            chunk
                .iter()
                .cloned()
                .map(survey_invitation::ActiveModel::from),
        )
        .on_conflict(
            OnConflict::columns([I::SurveyId, I::CustomerId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    let survey = Survey::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound("survey"))?;
    Ok((survey, invitations))
}

/// Closes a draft or running survey; `Conflict` if it was closed already.
pub async fn close<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let closed = Survey::update_many()
        .col_expr(S::Status, Expr::value(SurveyStatus::Closed.as_str()))
        .col_expr(S::ClosedAt, Expr::value(at))
        .filter(S::Id.eq(id))
        .filter(S::Status.ne(SurveyStatus::Closed.as_str()))
        .exec(db)
        .await?;
    if closed.rows_affected == 0 {
        return Err(StoreError::Conflict(
            "this survey is closed already".to_owned(),
        ));
    }
    Ok(())
}

/// One invitation.
pub async fn invitation<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<survey_invitation::Model>, StoreError> {
    Ok(Invitation::find_by_id(id).one(db).await?)
}

/// Whose unanswered invitations to list.
#[derive(Debug, Clone, Copy)]
pub enum Invitee {
    /// The customer signed in with this account answers in the app.
    Account(Uuid),
    /// This staff member makes the phone calls.
    Caller(Uuid),
}

/// Unanswered invitations of running surveys for `invitee`, oldest first.
pub async fn open_invitations<C: ConnectionTrait>(
    db: &C,
    invitee: Invitee,
    limit: u64,
) -> Result<Vec<survey_invitation::Model>, StoreError> {
    let mut query = Invitation::find()
        .filter(I::RespondedAt.is_null())
        .filter(
            I::SurveyId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(S::Id)
                    .from(Survey)
                    .and_where(S::Status.eq(SurveyStatus::Running.as_str()))
                    .to_owned(),
            ),
        )
        .order_by_asc(I::Id)
        .limit(limit);
    query = match invitee {
        Invitee::Account(user) => query
            .filter(
                I::CustomerId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(customer::Column::Id)
                        .from(customer::Entity)
                        .and_where(Expr::col(customer::Column::UserId).eq(user))
                        .to_owned(),
                ),
            )
            .filter(I::Channel.eq(APP)),
        Invitee::Caller(user) => query
            .filter(I::CallerId.eq(user))
            .filter(I::Channel.eq(PHONE)),
    };
    Ok(query.all(db).await?)
}

/// Records a response once: the answers and, for a phone call (`call_note`), an internal
/// timeline entry on the ticket and its event. `Conflict` if the invitation was answered already (also by a concurrent call).
pub async fn answer(
    db: &DatabaseConnection,
    invitation: &survey_invitation::Model,
    answers: &[StoredAnswer],
    by: Uuid,
    call_note: Option<&str>,
    at: DateTime<Utc>,
) -> Result<survey_invitation::Model, StoreError> {
    let txn = db.begin().await?;
    // One statement decides: unanswered, and its survey still running (a close that commits
    // first wins over an answer read before it).
    let claimed = Invitation::update_many()
        .col_expr(I::RespondedAt, Expr::value(at))
        .col_expr(I::RespondedBy, Expr::value(by))
        .filter(I::Id.eq(invitation.id))
        .filter(I::RespondedAt.is_null())
        .filter(
            I::SurveyId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(S::Id)
                    .from(Survey)
                    .and_where(S::Status.eq(SurveyStatus::Running.as_str()))
                    .to_owned(),
            ),
        )
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        txn.rollback().await?;
        return Err(StoreError::Conflict(
            "this invitation was answered already, or its survey closed".to_owned(),
        ));
    }
    let rows: Vec<survey_answer::ActiveModel> = answers
        .iter()
        .map(|a| survey_answer::ActiveModel {
            id: Set(Uuid::now_v7()),
            invitation_id: Set(invitation.id),
            survey_id: Set(invitation.survey_id),
            question_key: Set(a.key.clone()),
            value_text: Set(a.text.clone()),
            value_number: Set(a.number),
        })
        .collect();
    survey_answer::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    if let (Some(message), Some(ticket_id)) = (call_note, invitation.ticket_id)
        && let Some(ticket) = ticket::Entity::find_by_id(ticket_id).one(&txn).await?
    {
        let customer_user = customer::Entity::find_by_id(ticket.customer_id)
            .one(&txn)
            .await?
            .and_then(|c| c.user_id);
        // A call is work on the ticket: the KPI facts kept while writing count it as such.
        let entry = EventDraft {
            kind: TicketEventKind::SurveyAnswered,
            internal: true,
            message: Some(message.to_owned()),
            from_status: None,
            to_status: None,
        };
        journal::append(
            &txn,
            Author {
                ticket: &ticket,
                customer_user_id: customer_user,
                actor: Some(by),
                at,
            },
            Append {
                entries: std::slice::from_ref(&entry),
                ..Append::default()
            },
            Announce::Entries,
        )
        .await?;
    }
    let updated = Invitation::find_by_id(invitation.id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound("invitation"))?;
    txn.commit().await?;
    Ok(updated)
}

/// How many were invited and how many answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Turnout {
    /// Invitations.
    pub invited: i64,
    /// Invitations answered.
    pub responded: i64,
}

/// One question's figures.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuestionFigures {
    /// Answers given.
    pub responses: i64,
    /// Mean of the numeric answers (ratings, NPS scores, yes = 1).
    pub average: Option<f64>,
    /// Promoters (9–10) minus detractors (0–6), in percent of the answers.
    pub nps: Option<f64>,
    /// Answers per value, most frequent first.
    pub counts: Vec<(String, i64)>,
}

/// Invitations and responses of a survey.
pub async fn turnout<C: ConnectionTrait>(db: &C, survey: Uuid) -> Result<Turnout, StoreError> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT COUNT(*) AS invited, COUNT(responded_at) AS responded \
             FROM survey_invitations WHERE survey_id = $1",
            [survey.into()],
        ))
        .await?;
    Ok(match row {
        Some(r) => Turnout {
            invited: r.try_get("", "invited")?,
            responded: r.try_get("", "responded")?,
        },
        None => Turnout::default(),
    })
}

/// Each question's responses, average and NPS, and its answers per value (`counted` keys
/// only), counted by the database.
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    survey: Uuid,
    counted: &[String],
) -> Result<Vec<(String, QuestionFigures)>, StoreError> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            "SELECT question_key AS k, COUNT(*) AS responses, \
             AVG(value_number) AS average, \
             SUM(CASE WHEN value_number >= 9 THEN 1 ELSE 0 END) AS promoters, \
             SUM(CASE WHEN value_number <= 6 THEN 1 ELSE 0 END) AS detractors \
             FROM survey_answers WHERE survey_id = $1 GROUP BY question_key",
            [survey.into()],
        ))
        .await?;
    let mut out: Vec<(String, QuestionFigures)> = Vec::with_capacity(rows.len());
    for row in rows {
        let key: String = row.try_get("", "k")?;
        let responses: i64 = row.try_get("", "responses")?;
        let promoters: i64 = row.try_get::<Option<i64>>("", "promoters")?.unwrap_or(0);
        let detractors: i64 = row.try_get::<Option<i64>>("", "detractors")?.unwrap_or(0);
        out.push((
            key,
            QuestionFigures {
                responses,
                average: row.try_get::<Option<f64>>("", "average")?,
                // Computed here from the database's counts: the SQL's integer division differs
                // between backends.
                nps: (responses > 0)
                    .then(|| 100.0 * (promoters - detractors) as f64 / responses as f64),
                counts: Vec::new(),
            },
        ));
    }
    if !counted.is_empty() {
        let counts = survey_answer::Entity::find()
            .select_only()
            .column(survey_answer::Column::QuestionKey)
            .column(survey_answer::Column::ValueText)
            .column_as(Expr::col(survey_answer::Column::Id).count(), "n")
            .filter(survey_answer::Column::SurveyId.eq(survey))
            .filter(survey_answer::Column::QuestionKey.is_in(counted.iter().cloned()))
            .group_by(survey_answer::Column::QuestionKey)
            .group_by(survey_answer::Column::ValueText)
            .into_tuple::<(String, String, i64)>()
            .all(db)
            .await?;
        for (key, value, n) in counts {
            if let Some((_, f)) = out.iter_mut().find(|(k, _)| *k == key) {
                f.counts.push((value, n));
            }
        }
        for (_, f) in &mut out {
            f.counts
                .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
    }
    Ok(out)
}

/// Moves `merged`'s survey invitations to `keep` when two customer records become one (run in
/// the merge's transaction, before `merged` is deleted): per survey one invitation stays — an
/// answered one over an unanswered one, `keep`'s when both are alike.
pub async fn merge_customers<C: ConnectionTrait>(
    db: &C,
    keep: Uuid,
    merged: Uuid,
) -> Result<(), StoreError> {
    let backend = db.get_database_backend();
    for sql in [
        // The kept record's unanswered invitation gives way to the merged one's answer.
        "DELETE FROM survey_invitations WHERE customer_id = $1 AND responded_at IS NULL \
         AND survey_id IN (SELECT survey_id FROM survey_invitations \
         WHERE customer_id = $2 AND responded_at IS NOT NULL)",
        "UPDATE survey_invitations SET customer_id = $1 WHERE customer_id = $2 \
         AND survey_id NOT IN (SELECT survey_id FROM survey_invitations WHERE customer_id = $1)",
        "DELETE FROM survey_invitations WHERE customer_id = $2",
    ] {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [keep.into(), merged.into()],
        ))
        .await?;
    }
    Ok(())
}
