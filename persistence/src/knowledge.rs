//! The knowledge base in storage: articles with every revision, the full-text index kept in
//! the same transaction as the article (PostgreSQL: an expression index over the stored
//! terms; SQLite: the FTS5 table `knowledge_fts`, one row per article by `rowid`), helpful
//! ratings, ticket links and reply templates.

use crate::StoreError;
use crate::entity::article_revision::{self, Entity as Revision};
use crate::entity::knowledge_article::{self, Column as K, Entity as Article, Model};
use crate::entity::reply_template::{self, Entity as Template};
use crate::entity::ticket_article::{self, Entity as TicketArticle};
use careline_domain::knowledge::{ArticleAudience, ArticleScope, ArticleStatus};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbBackend, QueryFilter, QueryOrder, QuerySelect, Statement,
    TransactionTrait,
};

/// Stores a new article (version 1) with its first revision and index entry.
pub async fn insert<C: ConnectionTrait>(db: &C, row: Model) -> Result<Model, StoreError> {
    knowledge_article::ActiveModel::from(row.clone())
        .insert(db)
        .await?;
    revision(db, &row).await?;
    index(db, row.id, &row.search_text).await?;
    Ok(row)
}

/// Saves `row` as the next version of its article, on condition that the stored one is still
/// at `expected_version` (else `Conflict`), with its revision and index entry.
pub async fn save_version<C: ConnectionTrait>(
    db: &C,
    row: &Model,
    expected_version: i32,
) -> Result<Model, StoreError> {
    let updated = Article::update_many()
        .col_expr(K::Title, Expr::value(row.title.clone()))
        .col_expr(K::Body, Expr::value(row.body.clone()))
        .col_expr(K::Kind, Expr::value(row.kind.clone()))
        .col_expr(K::Audience, Expr::value(row.audience.clone()))
        .col_expr(K::Status, Expr::value(row.status.clone()))
        .col_expr(K::Tags, Expr::value(row.tags.clone()))
        .col_expr(K::SearchText, Expr::value(row.search_text.clone()))
        .col_expr(K::LastEditorId, Expr::value(row.last_editor_id))
        .col_expr(K::ReviewDueAt, Expr::value(row.review_due_at))
        .col_expr(K::UpdatedAt, Expr::value(row.updated_at))
        .col_expr(K::Version, Expr::value(expected_version + 1))
        .filter(K::Id.eq(row.id))
        .filter(K::Version.eq(expected_version))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(stale(db, row.id, expected_version).await?);
    }
    let saved = find(db, row.id)
        .await?
        .ok_or(StoreError::NotFound("article"))?;
    revision(db, &saved).await?;
    index(db, saved.id, &saved.search_text).await?;
    Ok(saved)
}

async fn stale<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    expected: i32,
) -> Result<StoreError, StoreError> {
    Ok(match find(db, id).await? {
        None => StoreError::NotFound("article"),
        Some(now) => StoreError::Conflict(format!(
            "the article was changed by someone else (you have version {expected}, it is now \
             at {}); reload it and try again",
            now.version
        )),
    })
}

/// Moves an article to `status` (workflow moves keep the version), on condition that it is
/// still at `version`; publishing stamps `published_at` and the review date.
pub async fn set_status<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    version: i32,
    status: ArticleStatus,
    published: Option<(DateTime<Utc>, DateTime<Utc>)>,
    at: DateTime<Utc>,
) -> Result<Model, StoreError> {
    let mut update = Article::update_many()
        .col_expr(K::Status, Expr::value(status.as_str()))
        .col_expr(K::UpdatedAt, Expr::value(at))
        .filter(K::Id.eq(id))
        .filter(K::Version.eq(version));
    if let Some((published_at, review_due_at)) = published {
        update = update
            .col_expr(K::PublishedAt, Expr::value(published_at))
            .col_expr(K::ReviewDueAt, Expr::value(review_due_at))
            .col_expr(
                K::StaleNotifiedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
    }
    if update.exec(db).await?.rows_affected == 0 {
        return Err(stale(db, id, version).await?);
    }
    find(db, id).await?.ok_or(StoreError::NotFound("article"))
}

async fn revision<C: ConnectionTrait>(db: &C, row: &Model) -> Result<(), StoreError> {
    article_revision::ActiveModel {
        article_id: Set(row.id),
        version: Set(row.version),
        title: Set(row.title.clone()),
        body: Set(row.body.clone()),
        editor_id: Set(row.last_editor_id),
        at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Keeps SQLite's FTS5 row of an article equal to its terms (PostgreSQL indexes the column).
async fn index<C: ConnectionTrait>(db: &C, id: Uuid, terms: &str) -> Result<(), StoreError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    let backend = DbBackend::Sqlite;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "DELETE FROM knowledge_fts WHERE rowid = (SELECT rowid FROM knowledge_articles WHERE id = $1)",
        [id.into()],
    ))
    .await?;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO knowledge_fts (rowid, terms) \
         SELECT rowid, $1 FROM knowledge_articles WHERE id = $2",
        [terms.into(), id.into()],
    ))
    .await?;
    Ok(())
}

/// One article.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, StoreError> {
    Ok(Article::find_by_id(id).one(db).await?)
}

/// Several articles by id (for loaders and search hits).
pub async fn find_many<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, StoreError> {
    Ok(Article::find()
        .filter(K::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Every revision of an article, newest first.
pub async fn revisions<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Vec<article_revision::Model>, StoreError> {
    Ok(Revision::find()
        .filter(article_revision::Column::ArticleId.eq(id))
        .order_by_desc(article_revision::Column::Version)
        .all(db)
        .await?)
}

fn scope_condition(scope: ArticleScope) -> sea_orm::Condition {
    let published = K::Status.eq(ArticleStatus::Published.as_str());
    match scope {
        ArticleScope::Everything => sea_orm::Condition::all(),
        ArticleScope::PublishedAndOwn(user) => sea_orm::Condition::any()
            .add(published)
            .add(K::AuthorId.eq(user)),
        ArticleScope::PublicOnly => sea_orm::Condition::all()
            .add(published)
            .add(K::Audience.eq(ArticleAudience::Public.as_str())),
    }
}

/// Filters of an article list.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    /// Only this status.
    pub status: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only published articles past their review date at this instant.
    pub stale_at: Option<DateTime<Utc>>,
}

/// Articles `scope` may read, most recently updated first, after `after` (an id of the
/// previous page's last row: ids are time-ordered, so newest-updated order is by id here).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: ArticleScope,
    filter: &ArticleFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    let mut query = Article::find()
        .filter(scope_condition(scope))
        .order_by_desc(K::Id)
        .limit(limit);
    if let Some(status) = &filter.status {
        query = query.filter(K::Status.eq(status.clone()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(K::Kind.eq(kind.clone()));
    }
    if let Some(now) = filter.stale_at {
        query = query
            .filter(K::Status.eq(ArticleStatus::Published.as_str()))
            .filter(K::ReviewDueAt.lt(now));
    }
    if let Some(after) = after {
        query = query.filter(K::Id.lt(after));
    }
    Ok(query.all(db).await?)
}

/// One search hit: the article and its relevance (higher is better).
#[derive(Debug, Clone)]
pub struct Hit {
    /// The article.
    pub article: Model,
    /// Relevance from the index (PostgreSQL `ts_rank`, SQLite `-bm25`, trigram similarity).
    pub score: f64,
}

/// The conditions on the article aliased `a` that `scope` reads and `kind` asks for, binding
/// their values after those in `values`.
fn scope_filters(
    scope: ArticleScope,
    kind: Option<&str>,
    values: &mut Vec<sea_orm::Value>,
) -> String {
    let mut filters = String::new();
    match scope {
        ArticleScope::Everything => {}
        ArticleScope::PublishedAndOwn(user) => {
            values.push(user.into());
            filters.push_str(&format!(
                " AND (a.status = 'PUBLISHED' OR a.author_id = ${})",
                values.len()
            ));
        }
        ArticleScope::PublicOnly => {
            filters.push_str(" AND a.status = 'PUBLISHED' AND a.audience = 'PUBLIC'");
        }
    }
    if let Some(kind) = kind {
        values.push(kind.to_owned().into());
        filters.push_str(&format!(" AND a.kind = ${}", values.len()));
    }
    filters
}

/// Most matches a PostgreSQL search ranks and counts.
pub const MAX_RANKED: u64 = 1000;

/// The least trigram word similarity between a query and a title for the typo fallback to
/// find the article. One wrong, missing, extra or swapped letter in a word of five to nine
/// letters scores 0.44–0.9 against a title holding the word, two typos in a two-word query
/// about 0.32; a transposition in a short word ("ruoter") about 0.29 still goes unfound.
/// Lower finds more unrelated titles (hits are ranked by similarity, so they come last).
pub const TYPO_SIMILARITY: f64 = 0.3;

/// Articles `scope` may read that match any of `terms`, best first: a page from `offset`, and
/// how many match in all (on PostgreSQL at most [`MAX_RANKED`]: see below). On PostgreSQL a
/// query with no full-text match falls back to trigram similarity with the titles, so a typo
/// in a Latin word still finds (`raw` is the query as typed).
pub async fn search(
    db: &sea_orm::DatabaseConnection,
    scope: ArticleScope,
    terms: &[String],
    raw: &str,
    kind: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Hit>, u64), StoreError> {
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    let bind = |v: sea_orm::Value, values: &mut Vec<sea_orm::Value>| {
        values.push(v);
        format!("${}", values.len())
    };
    let (mut ranked, total) = if backend == DbBackend::Postgres {
        let query = terms
            .iter()
            .map(|t| format!("'{}'", t.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(" | ");
        let q = bind(query.into(), &mut values);
        let filters = scope_filters(scope, kind, &mut values);
        // A common term matches tens of thousands of articles, and ranking one reads its
        // stored vector (out of line, compressed): only the first `MAX_RANKED` index matches
        // are ranked and counted, in one statement. The planner does not know what reading
        // those vectors costs and would scan the table for the LIMIT; the GIN index is what
        // finds them fast (docs/BENCHMARKS.md).
        let sql = format!(
            "WITH m AS MATERIALIZED (SELECT a.id, a.search_vector, q \
             FROM knowledge_articles a, to_tsquery('simple', {q}) q \
             WHERE a.search_vector @@ q{filters} LIMIT {MAX_RANKED}) \
             SELECT t.total, r.id, r.score FROM (SELECT COUNT(*) AS total FROM m) t \
             LEFT JOIN (SELECT m.id AS id, CAST(ts_rank(m.search_vector, m.q) AS DOUBLE PRECISION) \
             AS score FROM m ORDER BY score DESC, m.id LIMIT {limit} OFFSET {offset}) r ON TRUE \
             ORDER BY r.score DESC, r.id"
        );
        let txn = db.begin().await?;
        txn.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await?;
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await?;
        txn.commit().await?;
        let mut total = 0;
        let mut ranked = Vec::with_capacity(rows.len());
        for row in rows {
            total = row.try_get::<i64>("", "total")?;
            if let Some(id) = row.try_get::<Option<Uuid>>("", "id")? {
                ranked.push((id, row.try_get::<f64>("", "score")?));
            }
        }
        (ranked, total)
    } else {
        let query = terms
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "")))
            .collect::<Vec<_>>()
            .join(" OR ");
        let q = bind(query.into(), &mut values);
        let filters = scope_filters(scope, kind, &mut values);
        let from = "knowledge_fts f JOIN knowledge_articles a ON a.rowid = f.rowid";
        let matches = format!("knowledge_fts MATCH {q}{filters}");
        let total = db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                format!("SELECT COUNT(*) AS n FROM {from} WHERE {matches}"),
                values.clone(),
            ))
            .await?
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT a.id AS id, CAST(-bm25(knowledge_fts) AS REAL) AS score FROM {from} \
                     WHERE {matches} ORDER BY score DESC, a.id LIMIT {limit} OFFSET {offset}"
                ),
                values,
            ))
            .await?;
        let ranked = rows
            .iter()
            .map(|r| Ok((r.try_get::<Uuid>("", "id")?, r.try_get::<f64>("", "score")?)))
            .collect::<Result<Vec<_>, DbErr>>()?;
        (ranked, total)
    };
    let mut total = u64::try_from(total).unwrap_or(0);
    if total == 0 && backend == DbBackend::Postgres {
        // Typos: trigram word similarity against titles, Latin queries mostly. `<%` is what the
        // GIN index `ix_knowledge_title_trgm` answers (a `word_similarity(…) >= x` filter
        // would read every title), and it compares with `pg_trgm.word_similarity_threshold`,
        // set for this transaction only: the default 0.6 misses one wrong letter in a short
        // word ("warrenty" scores 0.5 against "warranty …").
        let mut values: Vec<sea_orm::Value> = Vec::new();
        let q = bind(raw.to_lowercase().into(), &mut values);
        let filters = scope_filters(scope, kind, &mut values);
        let sql = format!(
            "SELECT a.id AS id, CAST(word_similarity({q}, lower(a.title)) AS DOUBLE PRECISION) AS score \
             FROM knowledge_articles a WHERE {q} <% lower(a.title){filters} \
             ORDER BY score DESC, a.id LIMIT {limit} OFFSET {offset}"
        );
        let txn = db.begin().await?;
        txn.execute_unprepared(&format!(
            "SET LOCAL pg_trgm.word_similarity_threshold = {TYPO_SIMILARITY}"
        ))
        .await?;
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await?;
        txn.commit().await?;
        ranked = rows
            .iter()
            .map(|r| Ok((r.try_get::<Uuid>("", "id")?, r.try_get::<f64>("", "score")?)))
            .collect::<Result<_, DbErr>>()?;
        total = offset + ranked.len() as u64;
    }
    let ids: Vec<Uuid> = ranked.iter().map(|(id, _)| *id).collect();
    let mut articles = find_many(db, &ids).await?;
    let hits = ranked
        .into_iter()
        .filter_map(|(id, score)| {
            let at = articles.iter().position(|a| a.id == id)?;
            Some(Hit {
                article: articles.swap_remove(at),
                score,
            })
        })
        .collect();
    Ok((hits, total))
}

/// Records `user`'s helpful / not-helpful vote (a later vote replaces theirs) and keeps the
/// article's counts equal to the votes.
pub async fn rate<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    user: Uuid,
    helpful: bool,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO article_ratings (article_id, user_id, helpful, at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (article_id, user_id) DO UPDATE SET helpful = excluded.helpful, at = excluded.at",
        [id.into(), user.into(), helpful.into(), at.into()],
    ))
    .await?;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "UPDATE knowledge_articles SET \
         helpful_count = (SELECT COUNT(*) FROM article_ratings r WHERE r.article_id = $1 AND r.helpful), \
         not_helpful_count = (SELECT COUNT(*) FROM article_ratings r WHERE r.article_id = $2 AND NOT r.helpful) \
         WHERE id = $3",
        [id.into(), id.into(), id.into()],
    ))
    .await?;
    Ok(())
}

/// Records that `article` solved `ticket` (once per pair); `true` when it is new, and then the
/// article's usage count goes up.
pub async fn link<C: ConnectionTrait>(
    db: &C,
    ticket: Uuid,
    article: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let exists = TicketArticle::find_by_id((ticket, article)).one(db).await?;
    if exists.is_some() {
        return Ok(false);
    }
    ticket_article::ActiveModel {
        ticket_id: Set(ticket),
        article_id: Set(article),
        linked_by: Set(by),
        at: Set(at),
    }
    .insert(db)
    .await
    .map_err(|e| StoreError::on_unique(e, "this article is already linked to the ticket"))?;
    Article::update_many()
        .col_expr(K::UsageCount, Expr::col(K::UsageCount).add(1))
        .filter(K::Id.eq(article))
        .exec(db)
        .await?;
    Ok(true)
}

/// The articles linked to each ticket in `tickets`, as (ticket, article) pairs.
pub async fn linked<C: ConnectionTrait>(
    db: &C,
    tickets: &[Uuid],
) -> Result<Vec<(Uuid, Model)>, StoreError> {
    let links = TicketArticle::find()
        .filter(ticket_article::Column::TicketId.is_in(tickets.iter().copied()))
        .order_by_asc(ticket_article::Column::At)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = links.iter().map(|l| l.article_id).collect();
    let articles = find_many(db, &ids).await?;
    Ok(links
        .into_iter()
        .filter_map(|l| {
            let a = articles.iter().find(|a| a.id == l.article_id)?;
            Some((l.ticket_id, a.clone()))
        })
        .collect())
}

/// Stores a reply template; a taken name is a `Conflict`.
pub async fn insert_template<C: ConnectionTrait>(
    db: &C,
    row: reply_template::Model,
) -> Result<reply_template::Model, StoreError> {
    reply_template::ActiveModel::from(row.clone())
        .insert(db)
        .await
        .map_err(|e| StoreError::on_unique(e, "a reply template with this name already exists"))?;
    Ok(row)
}

/// Reply templates (for one kind: those for it and those for any kind), by name.
pub async fn templates<C: ConnectionTrait>(
    db: &C,
    kind: Option<&str>,
) -> Result<Vec<reply_template::Model>, StoreError> {
    let mut query = Template::find().order_by_asc(reply_template::Column::Name);
    if let Some(kind) = kind {
        query = query.filter(
            sea_orm::Condition::any()
                .add(reply_template::Column::Kind.eq(kind))
                .add(reply_template::Column::Kind.is_null()),
        );
    }
    Ok(query.all(db).await?)
}

/// One reply template.
pub async fn template<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<reply_template::Model>, StoreError> {
    Ok(Template::find_by_id(id).one(db).await?)
}

/// Counts one use of a template.
pub async fn count_template_use<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), StoreError> {
    Template::update_many()
        .col_expr(
            reply_template::Column::UsageCount,
            Expr::col(reply_template::Column::UsageCount).add(1),
        )
        .filter(reply_template::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Published articles past their review date whose reviewers were not told yet, oldest first.
pub async fn newly_stale<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, StoreError> {
    Ok(Article::find()
        .filter(K::Status.eq(ArticleStatus::Published.as_str()))
        .filter(K::ReviewDueAt.lt(now))
        .filter(K::StaleNotifiedAt.is_null())
        .order_by_asc(K::ReviewDueAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Marks an article's lapse as told and queues `event`, if no other instance did first;
/// returns whether this call did.
pub async fn notify_stale(
    db: &sea_orm::DatabaseConnection,
    id: Uuid,
    event: careline_domain::event::Event,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let marked = Article::update_many()
        .col_expr(K::StaleNotifiedAt, Expr::value(at))
        .filter(K::Id.eq(id))
        .filter(K::StaleNotifiedAt.is_null())
        .exec(&txn)
        .await?;
    if marked.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(false);
    }
    crate::outbox::enqueue(&txn, &[careline_domain::event::Envelope::new(event)]).await?;
    txn.commit().await?;
    Ok(true)
}
