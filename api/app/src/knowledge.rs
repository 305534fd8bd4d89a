//! Knowledge-base use cases: writing and reviewing articles, reading and searching what one may
//! read, ratings, linking an article to the ticket it solved, case studies from tickets, and
//! reply templates.

use super::error::{AppError, AppResult};
use super::tickets::{Extra, load_readable, viewer_of};
use super::{Actor, App, text};
use careline_domain::knowledge::{
    self as rules, ArticleAudience, ArticleFacts, ArticleKind, ArticleMove, ArticleScope,
    ArticleStatus,
};
use careline_domain::ticket::{Command, TicketKind, TicketStatus};
use careline_persistence::entity::{article_revision, knowledge_article, reply_template, ticket};
use careline_persistence::knowledge as store;

pub use careline_persistence::knowledge::{ArticleFilter, Hit};
use careline_persistence::users;
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use uuid::Uuid;

/// Most hits or articles one page returns.
pub const MAX_PAGE: u64 = 100;

/// An article as typed.
#[derive(Debug, Clone)]
pub struct ArticleRequest {
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Kind.
    pub kind: ArticleKind,
    /// Audience.
    pub audience: ArticleAudience,
    /// Tags.
    pub tags: Vec<String>,
    /// When the content must be checked again; by default some time after publishing.
    pub review_due_at: Option<DateTime<Utc>>,
}

/// The articles `actor` may read.
pub fn scope_of(actor: Option<&Actor>) -> ArticleScope {
    match actor {
        Some(a) => rules::article_scope(a.user.role_set(), Some(a.user.id)),
        None => ArticleScope::PublicOnly,
    }
}

fn facts(row: &knowledge_article::Model) -> AppResult<ArticleFacts> {
    Ok(ArticleFacts {
        status: status_of(row)?,
        audience: super::tickets::stored(
            ArticleAudience::parse(&row.audience),
            "article audience",
        )?,
        author_id: row.author_id,
        last_editor_id: row.last_editor_id,
    })
}

fn status_of(row: &knowledge_article::Model) -> AppResult<ArticleStatus> {
    super::tickets::stored(ArticleStatus::parse(&row.status), "article status")
}

fn not_found() -> AppError {
    AppError::NotFound("article not found".into())
}

/// One article the actor may read (others are reported as not found).
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<knowledge_article::Model> {
    let row = store::find(&app.db, id).await?.ok_or_else(not_found)?;
    if !rules::can_read_article(scope_of(Some(actor)), &facts(&row)?) {
        return Err(not_found());
    }
    Ok(row)
}

/// Whether the actor may read `row` (for articles reached through a ticket).
pub fn readable(actor: &Actor, row: &knowledge_article::Model) -> bool {
    facts(row).is_ok_and(|f| rules::can_read_article(scope_of(Some(actor)), &f))
}

fn row_from(request: &ArticleRequest, draft: &rules::ArticleDraft) -> (String, String, String) {
    (
        serde_json::to_string(&draft.tags).unwrap_or_else(|_| "[]".into()),
        rules::index_text(&draft.title, &draft.body, &draft.tags),
        request.kind.as_str().to_owned(),
    )
}

/// Writes a new article as a draft (staff); the author is its first editor.
pub async fn create(
    app: &App,
    actor: &Actor,
    request: ArticleRequest,
    source_ticket: Option<Uuid>,
) -> AppResult<knowledge_article::Model> {
    let draft = rules::check_article(&request.title, &request.body, &request.tags)?;
    let (tags, search_text, kind) = row_from(&request, &draft);
    let at = app.now();
    let row = knowledge_article::Model {
        id: Uuid::now_v7(),
        title: draft.title,
        body: draft.body,
        kind,
        audience: request.audience.as_str().to_owned(),
        status: ArticleStatus::Draft.as_str().to_owned(),
        tags,
        version: 1,
        author_id: Some(actor.user.id),
        last_editor_id: Some(actor.user.id),
        source_ticket_id: source_ticket,
        helpful_count: 0,
        not_helpful_count: 0,
        usage_count: 0,
        search_text,
        created_at: at,
        updated_at: at,
        published_at: None,
        review_due_at: request.review_due_at,
        stale_notified_at: None,
    };
    let txn = app.db.begin().await?;
    let saved = store::insert(&txn, row).await?;
    txn.commit().await?;
    tracing::info!(article.id = %saved.id, "article drafted");
    Ok(saved)
}

/// Saves a new version (`expected_version` guards concurrent edits); a published article goes
/// back to draft for review.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: Uuid,
    request: ArticleRequest,
    expected_version: i32,
) -> AppResult<knowledge_article::Model> {
    let draft = rules::check_article(&request.title, &request.body, &request.tags)?;
    let current = get(app, actor, id).await?;
    let status = rules::decide_move(
        actor.user.role_set(),
        actor.user.id,
        &facts(&current)?,
        ArticleMove::Edit,
    )?;
    let (tags, search_text, kind) = row_from(&request, &draft);
    let row = knowledge_article::Model {
        title: draft.title,
        body: draft.body,
        kind,
        audience: request.audience.as_str().to_owned(),
        status: status.as_str().to_owned(),
        tags,
        last_editor_id: Some(actor.user.id),
        search_text,
        updated_at: app.now(),
        review_due_at: request.review_due_at.or(current.review_due_at),
        ..current
    };
    let txn = app.db.begin().await?;
    let saved = store::save_version(&txn, &row, expected_version).await?;
    txn.commit().await?;
    Ok(saved)
}

/// A workflow move: submit, publish or archive.
pub async fn apply_move(
    app: &App,
    actor: &Actor,
    id: Uuid,
    action: ArticleMove,
) -> AppResult<knowledge_article::Model> {
    let current = get(app, actor, id).await?;
    let status = rules::decide_move(
        actor.user.role_set(),
        actor.user.id,
        &facts(&current)?,
        action,
    )?;
    let at = app.now();
    let kind = super::tickets::stored(ArticleKind::parse(&current.kind), "article kind")?;
    let published = (status == ArticleStatus::Published).then(|| {
        // A review date set by hand that is still ahead stays; otherwise the kind's interval.
        let due = current
            .review_due_at
            .filter(|due| *due > at)
            .unwrap_or(at + rules::review_interval(kind));
        (at, due)
    });
    Ok(store::set_status(&app.db, id, current.version, status, published, at).await?)
}

/// Every version of an article the actor may read, newest first.
pub async fn revisions(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> AppResult<Vec<article_revision::Model>> {
    get(app, actor, id).await?;
    Ok(store::revisions(&app.db, id).await?)
}

/// Articles the actor may read, newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    filter: ArticleFilter,
    after: Option<Uuid>,
    first: u64,
) -> AppResult<Vec<knowledge_article::Model>> {
    Ok(store::list(
        &app.db,
        scope_of(Some(actor)),
        &filter,
        after,
        first.clamp(1, MAX_PAGE),
    )
    .await?)
}

/// A page of search hits the actor may read, best first, and how many match in all.
pub async fn search(
    app: &App,
    actor: &Actor,
    query: &str,
    kind: Option<ArticleKind>,
    offset: u64,
    first: u64,
) -> AppResult<(Vec<Hit>, u64, Vec<String>)> {
    let terms = rules::query_terms(query)?;
    let (hits, total) = store::search(
        &app.db,
        scope_of(Some(actor)),
        &terms,
        query.trim(),
        kind.map(ArticleKind::as_str),
        offset,
        first.clamp(1, MAX_PAGE),
    )
    .await?;
    Ok((hits, total, terms))
}

/// Articles matching a ticket's subject, description and product, that the actor may read.
pub async fn suggested(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    first: u64,
) -> AppResult<(Vec<Hit>, Vec<String>)> {
    let (loaded, _) = load_readable(app, &viewer_of(&actor.user), ticket_id).await?;
    let t = &loaded.ticket;
    let text = format!(
        "{} {} {}",
        t.subject,
        t.product_name.as_deref().unwrap_or_default(),
        t.description.chars().take(300).collect::<String>()
    );
    // The most telling terms: the index's terms of the text, longest (most specific) first.
    let mut terms: Vec<String> = rules::terms(&text)
        .into_iter()
        .flat_map(|t| t.split('-').map(str::to_owned).collect::<Vec<_>>())
        .filter(|t| t.chars().count() >= 2)
        .collect();
    terms.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
    terms.truncate(24);
    if terms.is_empty() {
        return Ok((Vec::new(), terms));
    }
    let (hits, _) = store::search(
        &app.db,
        scope_of(Some(actor)),
        &terms,
        &t.subject,
        None,
        0,
        first.clamp(1, 20),
    )
    .await?;
    Ok((hits, terms))
}

/// A helpful / not-helpful vote (one per person; a later vote replaces theirs).
pub async fn rate(
    app: &App,
    actor: &Actor,
    id: Uuid,
    helpful: bool,
) -> AppResult<knowledge_article::Model> {
    let row = get(app, actor, id).await?;
    if status_of(&row)? != ArticleStatus::Published {
        return Err(AppError::Conflict(
            "only published articles are rated".into(),
        ));
    }
    let txn = app.db.begin().await?;
    store::rate(&txn, id, actor.user.id, helpful, app.now()).await?;
    txn.commit().await?;
    get(app, actor, id).await
}

/// Records that an article solved a ticket: a timeline entry on the ticket and one more use
/// of the article, once per pair.
pub async fn link_to_ticket(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    article_id: Uuid,
) -> AppResult<ticket::Model> {
    let article = get(app, actor, article_id).await?;
    if status_of(&article)? != ArticleStatus::Published {
        return Err(AppError::bad_input(
            "articleId",
            "only a published article can be recorded as a ticket's solution",
        ));
    }
    let at = app.now();
    let viewer = viewer_of(&actor.user);
    let txn = app.db.begin().await?;
    if !store::link(&txn, ticket_id, article_id, actor.user.id, at).await? {
        return Err(AppError::Conflict(
            "this article is already linked to the ticket".into(),
        ));
    }
    let cmd = Command::AddNote {
        body: format!("knowledge article used: {}", article.title),
    };
    let applied =
        super::tickets::run_in(&txn, &viewer, ticket_id, None, cmd, Extra::None, at).await?;
    txn.commit().await?;
    app.committed();
    Ok(applied.ticket)
}

/// The published articles linked to each ticket (for loaders).
pub async fn linked(
    db: &careline_persistence::DatabaseConnection,
    tickets: &[Uuid],
) -> AppResult<Vec<(Uuid, knowledge_article::Model)>> {
    Ok(store::linked(db, tickets).await?)
}

/// A draft case study from a resolved or closed ticket the actor may read, with the
/// customer's name, phone, email and order number and anything shaped like them removed,
/// linked to its source.
pub async fn from_ticket(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    title: &str,
) -> AppResult<knowledge_article::Model> {
    let title = text(title, "title", rules::MAX_TITLE_CHARS)?;
    let (loaded, facts) = load_readable(app, &viewer_of(&actor.user), ticket_id).await?;
    if !matches!(facts.status, TicketStatus::Resolved | TicketStatus::Closed) {
        return Err(AppError::bad_input(
            "ticketId",
            "case studies are written from resolved or closed tickets",
        ));
    }
    let t = &loaded.ticket;
    let c = &loaded.customer;
    let known: Vec<&str> = [
        Some(c.name.as_str()),
        c.phone.as_deref(),
        c.email.as_deref(),
        t.order_number.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let solution = careline_persistence::tickets::latest_message(&app.db, t.id, "RESOLVED")
        .await?
        .unwrap_or_default();
    let body = format!(
        "## 情况 Situation\n\n{}\n\n## 诉求 Demand\n\n{}\n\n## 处理 Resolution\n\n{}\n",
        t.description,
        t.demand.as_deref().unwrap_or("—"),
        solution
    );
    let body = rules::scrub_personal_data(&body, &known);
    let request = ArticleRequest {
        title: rules::scrub_personal_data(&title, &known),
        body,
        kind: ArticleKind::CaseStudy,
        audience: ArticleAudience::Internal,
        tags: vec![t.kind.to_lowercase()],
        review_due_at: None,
    };
    create(app, actor, request, Some(t.id)).await
}

/// A reply template; its placeholders must all be known.
pub async fn create_template(
    app: &App,
    actor: &Actor,
    name: &str,
    kind: Option<TicketKind>,
    body: &str,
) -> AppResult<reply_template::Model> {
    let name = text(name, "input.name", 120)?;
    let body = text(body, "input.body", careline_domain::ticket::MAX_TEXT_CHARS)?;
    rules::template_placeholders(&body)?;
    Ok(store::insert_template(
        &app.db,
        reply_template::Model {
            id: Uuid::now_v7(),
            name,
            kind: kind.map(|k| k.as_str().to_owned()),
            body,
            usage_count: 0,
            created_by: actor.user.id,
            created_at: app.now(),
        },
    )
    .await?)
}

/// Templates for a kind (and those for any kind).
pub async fn templates(
    app: &App,
    kind: Option<TicketKind>,
) -> AppResult<Vec<reply_template::Model>> {
    Ok(store::templates(&app.db, kind.map(|k| k.as_str())).await?)
}

/// A template filled in with a ticket's values (the actor must be able to read the ticket);
/// counted as one use.
pub async fn render(
    app: &App,
    actor: &Actor,
    template_id: Uuid,
    ticket_id: Uuid,
) -> AppResult<String> {
    let template = store::template(&app.db, template_id)
        .await?
        .ok_or_else(|| AppError::NotFound("reply template not found".into()))?;
    let (loaded, _) = load_readable(app, &viewer_of(&actor.user), ticket_id).await?;
    let t = &loaded.ticket;
    let agent = match t.assignee_id.or(t.owner_id) {
        Some(id) => users::find(&app.db, id).await?.map(|u| u.name),
        None => None,
    }
    .unwrap_or_else(|| actor.user.name.clone());
    let local = |at: Option<DateTime<Utc>>| {
        at.map(|at| {
            at.with_timezone(&careline_domain::kpi::organisation_time_zone())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
    };
    let rendered = rules::render_template(&template.body, |name| match name {
        "customer.name" => loaded.customer.name.clone(),
        "ticket.number" => t.number.clone(),
        "ticket.subject" => t.subject.clone(),
        "agent.name" => agent.clone(),
        "sla.resolutionDueAt" => local(t.resolution_due_at),
        "sla.firstResponseDueAt" => local(t.first_response_due_at),
        _ => String::new(),
    });
    store::count_template_use(&app.db, template_id).await?;
    Ok(rendered)
}

/// One pass of the freshness check: for every published article that passed its review date
/// since the last pass, tells the supervisor of its author's team (and managers and admins, who
/// watch every article) through `articleReviewDue`, once per lapse across instances. Returns
/// how many this instance told.
pub async fn notify_stale(app: &App, now: DateTime<Utc>) -> AppResult<usize> {
    let mut told = 0;
    for article in store::newly_stale(&app.db, now, 200).await? {
        let author = match article.author_id {
            Some(id) => users::find(&app.db, id).await?,
            None => None,
        };
        let supervisor = match author.as_ref().and_then(|a| a.team_id) {
            Some(team) => careline_persistence::org::team(&app.db, team)
                .await?
                .and_then(|t| t.supervisor_id),
            None => None,
        };
        let event = careline_domain::event::Event::ArticleReviewDue {
            article_id: article.id,
            title: article.title.clone(),
            author_id: article.author_id,
            notify: supervisor.into_iter().collect(),
            review_due_at: article.review_due_at.unwrap_or(now),
            at: now,
        };
        if store::notify_stale(&app.db, article.id, event, now).await? {
            told += 1;
        }
    }
    if told > 0 {
        app.committed();
    }
    Ok(told)
}
