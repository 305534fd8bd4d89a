//! The knowledge base in GraphQL: articles, search with highlighted snippets, suggestions for
//! a ticket, ratings, case studies and reply templates. The use cases are
//! `crate::app::knowledge`.

use crate::app::knowledge::{self as uc, ArticleFilter, ArticleRequest, Hit};
use crate::app::{AppError, AppResult};
use crate::graphql::connection::{
    PageInfo, decode_cursor, decode_keyed_cursor, encode_keyed_cursor, first_or_default,
};
use crate::graphql::people::User;
use crate::graphql::tickets::{Ticket, TicketKind};
use crate::graphql::{Can, actor, app, found_id, input_id, viewer};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use careline_app::rows::{article_revision, knowledge_article, reply_template};
use careline_domain::Action;
use careline_domain::knowledge::{self as rules, ArticleMove};
use chrono::{DateTime, Utc};

/// Where an article is in its workflow.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::knowledge::ArticleStatus")]
pub enum ArticleStatus {
    /// Being written; read by editors and its author only.
    Draft,
    /// Submitted and waiting for a reviewer to publish it.
    InReview,
    /// Readable by its audience.
    Published,
    /// Withdrawn: no longer published, and no longer edited.
    Archived,
}

/// Who may read a published article: staff only, or customers too (self-service).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::knowledge::ArticleAudience")]
pub enum ArticleAudience {
    /// Staff only.
    Internal,
    /// Customers too (self-service).
    Public,
}

/// What an article is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::knowledge::ArticleKind")]
pub enum ArticleKind {
    /// Product knowledge; due for review a year after publishing.
    Product,
    /// Policies (returns, invoices, warranty); due for review 180 days after publishing.
    Policy,
    /// Promotions; they go stale fast: due for review 30 days after publishing.
    Promotion,
    /// Frequently asked questions; due for review a year after publishing.
    Faq,
    /// How staff do something; due for review 180 days after publishing.
    Procedure,
    /// Call scripts and standard phrasing; due for review 180 days after publishing.
    Script,
    /// A case written up from a ticket (see `createArticleFromTicket`); due for review a year
    /// after publishing.
    CaseStudy,
}

/// A knowledge-base article.
#[derive(Clone)]
pub struct KnowledgeArticle(pub knowledge_article::Model);

fn stored<T>(value: Option<T>, what: &'static str) -> AppResult<T> {
    crate::app::tickets::stored(value, what)
}

/// A knowledge-base article: product, policy and promotion articles, FAQs, procedures, call
/// scripts and case studies.
#[Object]
impl KnowledgeArticle {
    /// The article's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The title, 1 to 200 characters.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// What the article is about.
    async fn kind(&self) -> AppResult<ArticleKind> {
        Ok(stored(rules::ArticleKind::parse(&self.0.kind), "article kind")?.into())
    }
    /// Who may read it once published: staff only, or customers too.
    async fn audience(&self) -> AppResult<ArticleAudience> {
        Ok(stored(rules::ArticleAudience::parse(&self.0.audience), "audience")?.into())
    }
    /// Where it is in its workflow.
    async fn status(&self) -> AppResult<ArticleStatus> {
        Ok(stored(
            rules::ArticleStatus::parse(&self.0.status),
            "article status",
        )?
        .into())
    }
    /// Free-form tags (at most 20); search matches them too.
    async fn tags(&self) -> Vec<String> {
        serde_json::from_str(&self.0.tags).unwrap_or_default()
    }
    /// Optimistic-concurrency version: 1 when written, one more with each saved edit; pass it
    /// back as `updateArticle`'s `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Who wrote it (staff only).
    async fn author(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        if !viewer(ctx)?.roles().is_staff() {
            return Ok(None);
        }
        crate::graphql::tickets::load_user(ctx, self.0.author_id).await
    }
    /// When it was last saved or moved in its workflow (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was last published (UTC); null if it never was.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// When the content must be checked again; a published article past it is stale.
    async fn review_due_at(&self) -> Option<DateTime<Utc>> {
        self.0.review_due_at
    }
    /// True for a published article past its `reviewDueAt`: its content must be checked again.
    async fn stale(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let status = stored(
            rules::ArticleStatus::parse(&self.0.status),
            "article status",
        )?;
        Ok(rules::is_stale(
            status,
            self.0.review_due_at,
            app(ctx)?.now(),
        ))
    }
    /// How many people rated it helpful (one vote per person, see `rateArticle`).
    async fn helpful_count(&self) -> i32 {
        self.0.helpful_count
    }
    /// How many people rated it not helpful (one vote per person, see `rateArticle`).
    async fn not_helpful_count(&self) -> i32 {
        self.0.not_helpful_count
    }
    /// How many tickets it was recorded as the solution of.
    async fn usage_count(&self) -> i32 {
        self.0.usage_count
    }
    /// The ticket a case study was written from (staff only, when they may read it).
    async fn source_ticket(&self, ctx: &Context<'_>) -> AppResult<Option<Ticket>> {
        let Some(id) = self.0.source_ticket_id else {
            return Ok(None);
        };
        let actor = actor(ctx)?;
        if !actor.roles().is_staff() {
            return Ok(None);
        }
        match crate::app::tickets::get(app(ctx)?, actor, id).await {
            Ok(t) => Ok(Some(Ticket(t))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }
    /// Every saved version, newest first (staff only).
    async fn revisions(&self, ctx: &Context<'_>) -> AppResult<Vec<ArticleRevision>> {
        let actor = actor(ctx)?;
        if !actor.roles().is_staff() {
            return Ok(Vec::new());
        }
        Ok(uc::revisions(app(ctx)?, actor, self.0.id)
            .await?
            .into_iter()
            .map(ArticleRevision)
            .collect())
    }
}

/// One saved version of an article.
pub struct ArticleRevision(article_revision::Model);

/// One saved version of an article.
#[Object]
impl ArticleRevision {
    /// The version number it was saved as.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The title in this version.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The Markdown body in this version.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Who saved this version; null when not recorded.
    async fn editor(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        crate::graphql::tickets::load_user(ctx, self.0.editor_id).await
    }
    /// When this version was saved (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// A search result.
#[derive(SimpleObject)]
pub struct ArticleHit {
    /// The matching article.
    pub article: KnowledgeArticle,
    /// A snippet around the best match, matched terms wrapped in <mark></mark>.
    pub highlight: String,
    /// Relevance: higher is better; comparable only within one search.
    pub score: f64,
}

/// A page of search results.
#[derive(SimpleObject)]
pub struct ArticleHitConnection {
    /// The hits of this page, best first.
    pub nodes: Vec<ArticleHit>,
    /// Where this page is; `endCursor` is the `after` of the next page.
    pub page_info: PageInfo,
    /// How many articles the caller may read match the query in all (on PostgreSQL counted up
    /// to 1,000: 1,000 means 1,000 or more).
    pub total_count: i32,
}

fn hits(rows: Vec<Hit>, terms: &[String]) -> Vec<ArticleHit> {
    rows.into_iter()
        .map(|h| ArticleHit {
            highlight: rules::highlight(&format!("{}\n{}", h.article.title, h.article.body), terms),
            score: h.score,
            article: KnowledgeArticle(h.article),
        })
        .collect()
}

/// An article to write.
#[derive(InputObject)]
pub struct ArticleInput {
    /// The title, 1 to 200 characters (trimmed).
    pub title: String,
    /// The body in Markdown, 1 to 50,000 characters (trimmed).
    pub body: String,
    /// What the article is about.
    pub kind: ArticleKind,
    /// Who may read it once published.
    pub audience: ArticleAudience,
    /// At most 20 tags of 1 to 40 characters; repeats (ignoring case) are dropped. Omitted:
    /// none.
    pub tags: Option<Vec<String>>,
    /// When the content must be checked again (UTC). Omitted: an update keeps the current
    /// date, and publishing sets one by kind unless a date still ahead is set.
    pub review_due_at: Option<DateTime<Utc>>,
}

impl From<ArticleInput> for ArticleRequest {
    fn from(input: ArticleInput) -> Self {
        ArticleRequest {
            title: input.title,
            body: input.body,
            kind: input.kind.into(),
            audience: input.audience.into(),
            tags: input.tags.unwrap_or_default(),
            review_due_at: input.review_due_at,
        }
    }
}

/// A canned reply; placeholders such as {{customer.name}}, {{ticket.number}}, {{agent.name}}.
pub struct ReplyTemplate(reply_template::Model);

/// A canned reply; placeholders such as {{customer.name}}, {{ticket.number}}, {{agent.name}}.
#[Object]
impl ReplyTemplate {
    /// The template's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Its name, unique among templates.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The ticket kind it is for; null: any kind.
    async fn kind(&self) -> AppResult<Option<TicketKind>> {
        let kind = self.0.kind.as_deref();
        let parsed = crate::app::tickets::stored_optional(
            kind,
            careline_domain::ticket::TicketKind::parse,
            "ticket kind",
        )?;
        Ok(parsed.map(Into::into))
    }
    /// The text with its placeholders, as written.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// How many times it was rendered with `renderReplyTemplate`.
    async fn usage_count(&self) -> i32 {
        self.0.usage_count
    }
}

/// A reply template to create.
#[derive(InputObject)]
pub struct ReplyTemplateInput {
    /// Its name, 1 to 120 characters, unique among templates.
    pub name: String,
    /// The ticket kind it is for; omitted: any kind.
    pub kind: Option<TicketKind>,
    /// The text, at most 10,000 characters, with placeholders among {{customer.name}},
    /// {{ticket.number}}, {{ticket.subject}}, {{agent.name}}, {{sla.resolutionDueAt}} and
    /// {{sla.firstResponseDueAt}}; an unknown or unclosed one is refused.
    pub body: String,
}

const SEARCH_CURSOR: &str = "search";

#[derive(Default)]
pub struct KnowledgeQuery;

#[Object]
impl KnowledgeQuery {
    /// Full-text search in Chinese and English; customers see PUBLISHED PUBLIC articles only.
    #[graphql(guard = "Can(Action::ReadKnowledge)")]
    async fn search_knowledge(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The words to look for, at most 200 characters; Chinese is segmented into words, Latin words match whatever their case."
        )]
        query: String,
        #[graphql(desc = "Only articles of this kind.")] kind: Option<ArticleKind>,
        #[graphql(desc = "Returns the first n hits: default 20, at most 100.")] first: Option<i32>,
        #[graphql(
            desc = "Returns the hits after this cursor (the `endCursor` of the previous page of the same search)."
        )]
        after: Option<String>,
    ) -> AppResult<ArticleHitConnection> {
        let first = first_or_default(first)?;
        let offset = match after.as_deref() {
            Some(cursor) => decode_keyed_cursor(SEARCH_CURSOR, cursor, "after")?
                .parse::<u64>()
                .map_err(|_| AppError::bad_input("after", "not a cursor from this search"))?,
            None => 0,
        };
        let (rows, total, terms) = uc::search(
            app(ctx)?,
            actor(ctx)?,
            &query,
            kind.map(Into::into),
            offset,
            first,
        )
        .await?;
        let end = offset + rows.len() as u64;
        Ok(ArticleHitConnection {
            page_info: PageInfo {
                has_next_page: end < total,
                has_previous_page: offset > 0,
                start_cursor: (!rows.is_empty())
                    .then(|| encode_keyed_cursor(SEARCH_CURSOR, &offset.to_string())),
                end_cursor: (!rows.is_empty())
                    .then(|| encode_keyed_cursor(SEARCH_CURSOR, &end.to_string())),
            },
            total_count: i32::try_from(total).unwrap_or(i32::MAX),
            nodes: hits(rows, &terms),
        })
    }

    /// One article the caller may read.
    #[graphql(guard = "Can(Action::ReadKnowledge)")]
    async fn knowledge_article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The article's id.")] id: ID,
    ) -> AppResult<Option<KnowledgeArticle>> {
        let Ok(id) = found_id(&id, "article") else {
            return Ok(None);
        };
        match uc::get(app(ctx)?, actor(ctx)?, id).await {
            Ok(row) => Ok(Some(KnowledgeArticle(row))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Articles the caller may read, newest first; `staleOnly` lists published articles past
    /// their review date. `after` is the id of the last article of the previous page.
    #[graphql(guard = "Can(Action::ReadKnowledge)")]
    async fn knowledge_articles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only articles in this status (of those the caller may read).")]
        status: Option<ArticleStatus>,
        #[graphql(desc = "Only articles of this kind.")] kind: Option<ArticleKind>,
        #[graphql(desc = "Only published articles past their review date; default false.")]
        stale_only: Option<bool>,
        #[graphql(desc = "Returns the first n articles (default 20, max 100).")] first: Option<i32>,
        #[graphql(
            desc = "Returns the articles after this cursor: the id of the last article of the previous page."
        )]
        after: Option<String>,
    ) -> AppResult<Vec<KnowledgeArticle>> {
        let first = first_or_default(first)?;
        let after = match after.as_deref() {
            Some(cursor) => Some(match decode_cursor(cursor, "after") {
                Ok(id) => id,
                Err(_) => input_id(&ID(cursor.to_owned()), "after")?,
            }),
            None => None,
        };
        let app = app(ctx)?;
        let filter = ArticleFilter {
            status: status.map(|s| rules::ArticleStatus::from(s).as_str().to_owned()),
            kind: kind.map(|k| rules::ArticleKind::from(k).as_str().to_owned()),
            stale_at: stale_only.unwrap_or(false).then(|| app.now()),
        };
        Ok(uc::list(app, actor(ctx)?, filter, after, first)
            .await?
            .into_iter()
            .map(KnowledgeArticle)
            .collect())
    }

    /// Articles matching a ticket's subject, description and product.
    #[graphql(guard = "Can(Action::WorkTicket)")]
    async fn suggested_articles(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The ticket to suggest articles for; the caller must be able to read it."
        )]
        ticket_id: ID,
        #[graphql(desc = "How many suggestions: default 5, at most 20.")] first: Option<i32>,
    ) -> AppResult<Vec<ArticleHit>> {
        let id = found_id(&ticket_id, "ticket")?;
        let first = first_or_default(first.or(Some(5)))?;
        let (rows, terms) = uc::suggested(app(ctx)?, actor(ctx)?, id, first).await?;
        Ok(hits(rows, &terms))
    }

    /// Reply templates for a kind (and those for any kind), by name (staff).
    #[graphql(guard = "Can(Action::WorkTicket)")]
    async fn reply_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The ticket kind: its templates and those for any kind. Omitted: every template."
        )]
        kind: Option<TicketKind>,
    ) -> AppResult<Vec<ReplyTemplate>> {
        Ok(uc::templates(app(ctx)?, kind.map(Into::into))
            .await?
            .into_iter()
            .map(ReplyTemplate)
            .collect())
    }

    /// The template with the ticket's values filled in (counted as one use).
    #[graphql(guard = "Can(Action::WorkTicket)")]
    async fn render_reply_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The template's id.")] id: ID,
        #[graphql(
            desc = "The ticket whose values fill the placeholders; the caller must be able to read it."
        )]
        ticket_id: ID,
    ) -> AppResult<String> {
        let template = found_id(&id, "reply template")?;
        let ticket = found_id(&ticket_id, "ticket")?;
        uc::render(app(ctx)?, actor(ctx)?, template, ticket).await
    }
}

#[derive(Default)]
pub struct KnowledgeMutation;

#[Object]
impl KnowledgeMutation {
    /// Writes a new article as a draft.
    #[graphql(guard = "Can(Action::WriteArticles)")]
    async fn create_article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The article; the caller is its author.")] input: ArticleInput,
    ) -> AppResult<KnowledgeArticle> {
        Ok(KnowledgeArticle(
            uc::create(app(ctx)?, actor(ctx)?, input.into(), None).await?,
        ))
    }

    /// Saves a new version; `expectedVersion` guards concurrent edits (`CONFLICT`). A published
    /// article goes back to draft for review.
    #[graphql(guard = "Can(Action::WriteArticles)")]
    async fn update_article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The article's id.")] id: ID,
        #[graphql(desc = "The whole article as it is to be.")] input: ArticleInput,
        #[graphql(
            desc = "The `version` the edit was made on; if the article has moved on since, the edit is refused with `CONFLICT`."
        )]
        expected_version: i32,
    ) -> AppResult<KnowledgeArticle> {
        let id = found_id(&id, "article")?;
        Ok(KnowledgeArticle(
            uc::update(app(ctx)?, actor(ctx)?, id, input.into(), expected_version).await?,
        ))
    }

    /// `DRAFT` → `IN_REVIEW`.
    #[graphql(guard = "Can(Action::WriteArticles)")]
    async fn submit_article_for_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The id of an article in `DRAFT`.")] id: ID,
    ) -> AppResult<KnowledgeArticle> {
        let id = found_id(&id, "article")?;
        Ok(KnowledgeArticle(
            uc::apply_move(app(ctx)?, actor(ctx)?, id, ArticleMove::Submit).await?,
        ))
    }

    /// `IN_REVIEW` → `PUBLISHED` (supervisors, managers, admins; not the version one wrote).
    #[graphql(guard = "Can(Action::ReviewArticles)")]
    async fn publish_article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The id of an article in `IN_REVIEW`.")] id: ID,
    ) -> AppResult<KnowledgeArticle> {
        let id = found_id(&id, "article")?;
        Ok(KnowledgeArticle(
            uc::apply_move(app(ctx)?, actor(ctx)?, id, ArticleMove::Publish).await?,
        ))
    }

    /// Withdraws an article.
    #[graphql(guard = "Can(Action::ReviewArticles)")]
    async fn archive_article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The article's id.")] id: ID,
    ) -> AppResult<KnowledgeArticle> {
        let id = found_id(&id, "article")?;
        Ok(KnowledgeArticle(
            uc::apply_move(app(ctx)?, actor(ctx)?, id, ArticleMove::Archive).await?,
        ))
    }

    /// Helpful or not (one vote per person; a later vote replaces it).
    #[graphql(guard = "Can(Action::ReadKnowledge)")]
    async fn rate_article(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The id of a published article.")] id: ID,
        #[graphql(desc = "True: it helped; false: it did not.")] helpful: bool,
    ) -> AppResult<KnowledgeArticle> {
        let id = found_id(&id, "article")?;
        Ok(KnowledgeArticle(
            uc::rate(app(ctx)?, actor(ctx)?, id, helpful).await?,
        ))
    }

    /// A DRAFT CASE_STUDY article from a resolved ticket, personal data removed.
    #[graphql(guard = "Can(Action::WriteArticles)")]
    async fn create_article_from_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A resolved or closed ticket the caller may read.")] ticket_id: ID,
        #[graphql(
            desc = "The case study's title, 1 to 200 characters; personal data is removed from it too."
        )]
        title: String,
    ) -> AppResult<KnowledgeArticle> {
        let id = found_id(&ticket_id, "ticket")?;
        Ok(KnowledgeArticle(
            uc::from_ticket(app(ctx)?, actor(ctx)?, id, &title).await?,
        ))
    }

    /// Records the article that solved a ticket (a timeline entry; the article's usage count).
    #[graphql(guard = "Can(Action::WorkTicket)")]
    async fn link_article_to_ticket(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ticket the article solved.")] ticket_id: ID,
        #[graphql(desc = "A published article the caller may read; linked once per ticket.")]
        article_id: ID,
    ) -> AppResult<Ticket> {
        let ticket = found_id(&ticket_id, "ticket")?;
        let article = input_id(&article_id, "articleId")?;
        Ok(Ticket(
            uc::link_to_ticket(app(ctx)?, actor(ctx)?, ticket, article).await?,
        ))
    }

    /// A canned reply; unknown placeholders are refused.
    #[graphql(guard = "Can(Action::ManageReplyTemplates)")]
    async fn create_reply_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The template.")] input: ReplyTemplateInput,
    ) -> AppResult<ReplyTemplate> {
        Ok(ReplyTemplate(
            uc::create_template(
                app(ctx)?,
                actor(ctx)?,
                &input.name,
                input.kind.map(Into::into),
                &input.body,
            )
            .await?,
        ))
    }
}
