//! The knowledge base the department keeps (知识管理): articles and their workflow, who reads
//! what, freshness, the text the full-text index holds (Chinese segmented with jieba plus CJK
//! bigrams, so two-character words such as 退货, 发票, 保修 match), highlighted snippets, case
//! studies scrubbed of personal data, and reply templates with placeholders.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use jieba_rs::Jieba;
use uuid::Uuid;

use crate::DomainError;
use crate::role::{Role, Roles};

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every value, in contract order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The contract spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// Parses the contract spelling.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

vocabulary! {
    /// Where an article is in its workflow.
    ArticleStatus {
        /// Being written.
        Draft => "DRAFT",
        /// Waiting for a reviewer.
        InReview => "IN_REVIEW",
        /// Readable by its audience.
        Published => "PUBLISHED",
        /// Withdrawn.
        Archived => "ARCHIVED",
    }
}

vocabulary! {
    /// Who may read a published article.
    ArticleAudience {
        /// Staff only.
        Internal => "INTERNAL",
        /// Customers too (self-service).
        Public => "PUBLIC",
    }
}

vocabulary! {
    /// What an article is about.
    ArticleKind {
        /// Product knowledge.
        Product => "PRODUCT",
        /// Policies (returns, invoices, warranty).
        Policy => "POLICY",
        /// Promotions; they go stale fast.
        Promotion => "PROMOTION",
        /// Frequently asked questions.
        Faq => "FAQ",
        /// How staff do something.
        Procedure => "PROCEDURE",
        /// Call scripts, standard phrasing.
        Script => "SCRIPT",
        /// A case written up from a ticket.
        CaseStudy => "CASE_STUDY",
    }
}

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest body, in characters (Markdown).
pub const MAX_BODY_CHARS: usize = 50_000;
/// Most tags on an article.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;
/// Longest search query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// How long a published article stays fresh before its content must be checked again, by
/// kind, in one place: promotions a month, policies and procedures half a year, the rest a year.
pub fn review_interval(kind: ArticleKind) -> Duration {
    match kind {
        ArticleKind::Promotion => Duration::days(30),
        ArticleKind::Policy | ArticleKind::Procedure | ArticleKind::Script => Duration::days(180),
        ArticleKind::Product | ArticleKind::Faq | ArticleKind::CaseStudy => Duration::days(365),
    }
}

/// A published article past its review date.
pub fn is_stale(
    status: ArticleStatus,
    review_due_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    status == ArticleStatus::Published && review_due_at.is_some_and(|due| due < now)
}

/// The roles that write, submit and edit any article and read every status.
const EDITORS: &[Role] = &[Role::Trainer, Role::Supervisor, Role::Manager, Role::Admin];
/// The roles that publish and archive.
const REVIEWERS: &[Role] = &[Role::Supervisor, Role::Manager, Role::Admin];
/// The roles that read published internal articles and suggest edits as drafts of their own.
const READERS: &[Role] = &[
    Role::Agent,
    Role::TechSupport,
    Role::Trainer,
    Role::Supervisor,
    Role::Manager,
    Role::DepartmentLiaison,
    Role::Admin,
];

/// What the rules read about an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArticleFacts {
    /// Its status.
    pub status: ArticleStatus,
    /// Its audience.
    pub audience: ArticleAudience,
    /// Who wrote it first.
    pub author_id: Option<Uuid>,
    /// Who saved its current version.
    pub last_editor_id: Option<Uuid>,
}

/// Which articles someone may read; the storage layer turns it into a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleScope {
    /// Every article in every status (editors).
    Everything,
    /// Published articles of either audience, plus the reader's own drafts (frontline staff,
    /// liaisons).
    PublishedAndOwn(Uuid),
    /// Published public articles only (customers, and anyone signed out).
    PublicOnly,
}

/// The articles `roles` (signed in as `user_id`, if at all) may read.
pub fn article_scope(roles: Roles, user_id: Option<Uuid>) -> ArticleScope {
    if roles.has_any(EDITORS) {
        ArticleScope::Everything
    } else if let (true, Some(user)) = (roles.has_any(READERS), user_id) {
        ArticleScope::PublishedAndOwn(user)
    } else {
        ArticleScope::PublicOnly
    }
}

/// Whether `scope` may read the article described by `a`.
pub fn can_read_article(scope: ArticleScope, a: &ArticleFacts) -> bool {
    match scope {
        ArticleScope::Everything => true,
        ArticleScope::PublishedAndOwn(user) => {
            a.status == ArticleStatus::Published || a.author_id == Some(user)
        }
        ArticleScope::PublicOnly => {
            a.status == ArticleStatus::Published && a.audience == ArticleAudience::Public
        }
    }
}

/// A move in an article's workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleMove {
    /// Save a new version (a published article goes back to draft with it).
    Edit,
    /// Ask a reviewer to look (`DRAFT` → `IN_REVIEW`).
    Submit,
    /// Make it readable by its audience (`IN_REVIEW` → `PUBLISHED`).
    Publish,
    /// Withdraw it (any → `ARCHIVED`).
    Archive,
}

/// Decides a workflow move by `actor` (holding `roles`) on the article `a`; the new status.
///
/// - Editors (trainers, supervisors, managers, admins) edit and submit any article; frontline
///   staff and liaisons only their own drafts (suggested edits).
/// - Reviewers (supervisors, managers, admins) publish articles in review and archive any.
///   **Four eyes**: nobody publishes a version they saved themselves, except an admin, who is
///   the break-glass for a department with a single reviewer.
/// - Editing a published article starts its next version as a draft, so every change is
///   reviewed again; archived articles are not edited.
pub fn decide_move(
    roles: Roles,
    actor: Uuid,
    a: &ArticleFacts,
    action: ArticleMove,
) -> Result<ArticleStatus, DomainError> {
    let editor = roles.has_any(EDITORS);
    let own_draft = a.author_id == Some(actor)
        && matches!(a.status, ArticleStatus::Draft | ArticleStatus::InReview);
    // Editors work on any article; other staff only on drafts of their own.
    let may_write = editor || (roles.has_any(READERS) && own_draft);
    let refuse = |message: &str| Err(DomainError::forbidden(message));
    let wrong = |action: &str| {
        Err(DomainError::InvalidTransition {
            status: a.status.as_str().to_owned(),
            action: action.to_owned(),
            allowed: allowed_moves(a.status)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        })
    };
    match action {
        ArticleMove::Edit => {
            if !may_write {
                return refuse("you may edit only your own draft articles");
            }
            match a.status {
                ArticleStatus::Archived => wrong("edit"),
                _ => Ok(ArticleStatus::Draft),
            }
        }
        ArticleMove::Submit => {
            if !may_write {
                return refuse("you may submit only your own draft articles");
            }
            match a.status {
                ArticleStatus::Draft => Ok(ArticleStatus::InReview),
                _ => wrong("submit"),
            }
        }
        ArticleMove::Publish => {
            if !roles.has_any(REVIEWERS) {
                return refuse("only supervisors, managers and admins publish articles");
            }
            if a.status != ArticleStatus::InReview {
                return wrong("publish");
            }
            if a.last_editor_id == Some(actor) && !roles.has(Role::Admin) {
                return refuse("four eyes: another reviewer publishes the version you wrote");
            }
            Ok(ArticleStatus::Published)
        }
        ArticleMove::Archive => {
            if !roles.has_any(REVIEWERS) {
                return refuse("only supervisors, managers and admins archive articles");
            }
            match a.status {
                ArticleStatus::Archived => wrong("archive"),
                _ => Ok(ArticleStatus::Archived),
            }
        }
    }
}

/// The moves an article in `status` allows, as verbs.
pub fn allowed_moves(status: ArticleStatus) -> Vec<&'static str> {
    match status {
        ArticleStatus::Draft => vec!["edit", "submit", "archive"],
        ArticleStatus::InReview => vec!["edit", "publish", "archive"],
        ArticleStatus::Published => vec!["edit", "archive"],
        ArticleStatus::Archived => vec![],
    }
}

/// An article as typed, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDraft {
    /// Trimmed title.
    pub title: String,
    /// Trimmed Markdown body.
    pub body: String,
    /// Trimmed, deduplicated tags.
    pub tags: Vec<String>,
}

/// Checks an article's title, body and tags (errors on `input.title`, `input.body`,
/// `input.tags`).
pub fn check_article(
    title: &str,
    body: &str,
    tags: &[String],
) -> Result<ArticleDraft, DomainError> {
    let title = crate::text::required(title, "input.title", MAX_TITLE_CHARS)?;
    let body = crate::text::required(body, "input.body", MAX_BODY_CHARS)?;
    if tags.len() > MAX_TAGS {
        return Err(DomainError::invalid(
            "input.tags",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut clean = Vec::new();
    for tag in tags {
        let tag = crate::text::required(tag, "input.tags", MAX_TAG_CHARS)?;
        if seen.insert(tag.to_lowercase()) {
            clean.push(tag);
        }
    }
    Ok(ArticleDraft {
        title,
        body,
        tags: clean,
    })
}

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The search terms of a text: Chinese segmented by jieba (search mode) plus every CJK bigram,
/// so a two-character word matches wherever it appears; Latin words and codes (`X200-B`,
/// `iphone15`) lower-cased, split on anything but letters, digits and inner hyphens.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut push = |term: String, out: &mut Vec<String>| {
        if !term.is_empty() && seen.insert(term.clone()) {
            out.push(term);
        }
    };
    // Runs of CJK characters and runs of everything else.
    let mut run = String::new();
    let mut run_is_cjk = false;
    let mut runs: Vec<(bool, String)> = Vec::new();
    for c in text.chars() {
        let cjk = is_cjk(c);
        if cjk != run_is_cjk && !run.is_empty() {
            runs.push((run_is_cjk, std::mem::take(&mut run)));
        }
        run_is_cjk = cjk;
        run.push(c);
    }
    if !run.is_empty() {
        runs.push((run_is_cjk, run));
    }
    for (cjk, run) in runs {
        if cjk {
            for word in JIEBA.cut_for_search(&run, false) {
                push(word.word.to_owned(), &mut out);
            }
            let chars: Vec<char> = run.chars().collect();
            for pair in chars.windows(2) {
                push(pair.iter().collect(), &mut out);
            }
            if chars.len() == 1 {
                push(run.clone(), &mut out);
            }
        } else {
            for word in run
                .split(|c: char| !(c.is_alphanumeric() || c == '-'))
                .map(|w| w.trim_matches('-').to_lowercase())
                .filter(|w| !w.is_empty())
            {
                push(word, &mut out);
            }
        }
    }
    out
}

/// What the full-text index holds for an article: its terms, the title's twice (a match in the
/// title ranks higher), separated by spaces. Both PostgreSQL (`to_tsvector('simple', …)`) and
/// SQLite (FTS5, `unicode61`) then see one token per term.
pub fn index_text(title: &str, body: &str, tags: &[String]) -> String {
    let title_terms = terms(title);
    let mut all = title_terms.clone();
    all.extend(title_terms);
    all.extend(terms(body));
    for tag in tags {
        all.extend(terms(tag));
    }
    all.join(" ")
}

/// The terms of a search query the index can match: its [`terms`], without characters the
/// index tokenizers treat as separators. Errors when the query is empty or too long.
pub fn query_terms(query: &str) -> Result<Vec<String>, DomainError> {
    let query = query.trim();
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(DomainError::invalid(
            "query",
            format!("at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let terms: Vec<String> = terms(query)
        .into_iter()
        .flat_map(|t| {
            t.split('-')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    if terms.is_empty() {
        return Err(DomainError::invalid(
            "query",
            "type something to search for",
        ));
    }
    Ok(terms)
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A snippet of `text` around the first match of any of `terms`, at most about 120
/// characters, HTML-escaped, with every matched term wrapped in `<mark></mark>` (case-
/// insensitive). Without a match, the start of the text.
pub fn highlight(text: &str, terms: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = text.to_lowercase().chars().collect();
    // Lower-casing can change lengths for a few scripts; fall back to the original then.
    let lower = if lower.len() == chars.len() {
        lower
    } else {
        chars.clone()
    };
    // Single characters (a lone 开 of 怎么开) would mark half the text: words only, unless
    // the query was one character.
    let words: Vec<&String> = terms.iter().filter(|t| t.chars().count() >= 2).collect();
    let chosen: Vec<&String> = if words.is_empty() {
        terms.iter().collect()
    } else {
        words
    };
    let needles: Vec<Vec<char>> = chosen
        .iter()
        .map(|t| t.to_lowercase().chars().collect())
        .collect();
    let find_at = |i: usize| -> Option<usize> {
        needles
            .iter()
            .filter(|n| lower[i..].starts_with(n))
            .map(Vec::len)
            .max()
    };
    let first = (0..lower.len())
        .find(|&i| find_at(i).is_some())
        .unwrap_or(0);
    let start = first.saturating_sub(40);
    let end = (start + 120).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut i = start;
    while i < end {
        match find_at(i) {
            Some(len) => {
                let stop = (i + len).min(chars.len());
                out.push_str("<mark>");
                out.push_str(&escape_html(&chars[i..stop].iter().collect::<String>()));
                out.push_str("</mark>");
                i = stop;
            }
            None => {
                out.push_str(&escape_html(&chars[i].to_string()));
                i += 1;
            }
        }
    }
    if end < chars.len() {
        out.push('…');
    }
    out.replace('\n', " ")
}

/// `text` with personal data replaced: e-mail addresses, phone numbers (seven or more digits,
/// spaces, dashes and a leading `+` allowed), the given `known` values (the customer's name,
/// phone, e-mail and order number, matched case-insensitively), and order-number-like codes
/// (letters and digits with at least six digits).
pub fn scrub_personal_data(text: &str, known: &[&str]) -> String {
    let mut out = text.to_owned();
    for value in known
        .iter()
        .map(|v| v.trim())
        .filter(|v| v.chars().count() >= 2)
    {
        out = replace_case_insensitive(&out, value, "[已隐去 redacted]");
    }
    let words: Vec<String> = out
        .split_inclusive(char::is_whitespace)
        .map(|w| {
            let core = w.trim_end();
            let tail = &w[core.len()..];
            let digits = core.chars().filter(char::is_ascii_digit).count();
            let email = core.contains('@') && core.contains('.');
            let phone_like = digits >= 7
                && core
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.' | ','));
            let code_like = digits >= 6
                && core.chars().any(|c| c.is_ascii_alphabetic())
                && core.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if email || phone_like || code_like {
                let kept_punctuation: String = core
                    .chars()
                    .rev()
                    .take_while(|c| matches!(c, ',' | '.' | '。' | '，'))
                    .collect();
                format!("[已隐去 redacted]{kept_punctuation}{tail}")
            } else {
                w.to_owned()
            }
        })
        .collect();
    let mut joined = words.concat();
    // Digits inside Chinese text have no spaces around them: scrub long digit runs too.
    let mut result = String::with_capacity(joined.len());
    let mut digits = String::new();
    for c in joined.drain(..) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() >= 7 {
            result.push_str("[已隐去 redacted]");
        } else {
            result.push_str(&digits);
        }
        digits.clear();
        result.push(c);
    }
    if digits.len() >= 7 {
        result.push_str("[已隐去 redacted]");
    } else {
        result.push_str(&digits);
    }
    result
}

fn replace_case_insensitive(haystack: &str, needle: &str, with: &str) -> String {
    let lower_hay = haystack.to_lowercase();
    let lower_needle = needle.to_lowercase();
    if lower_hay.len() != haystack.len() {
        return haystack.replace(needle, with);
    }
    let mut out = String::with_capacity(haystack.len());
    let mut last = 0;
    for (at, _) in lower_hay.match_indices(&lower_needle) {
        if at < last {
            continue;
        }
        out.push_str(&haystack[last..at]);
        out.push_str(with);
        last = at + needle.len();
    }
    out.push_str(&haystack[last..]);
    out
}

/// The placeholders a reply template may use.
pub const PLACEHOLDERS: [&str; 6] = [
    "customer.name",
    "ticket.number",
    "ticket.subject",
    "agent.name",
    "sla.resolutionDueAt",
    "sla.firstResponseDueAt",
];

/// The placeholders in a template body, in order; an unknown or unclosed one is
/// [`DomainError::InvalidInput`] on `input.body` naming it.
pub fn template_placeholders(body: &str) -> Result<Vec<String>, DomainError> {
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err(DomainError::invalid(
                "input.body",
                "a placeholder is not closed: write {{customer.name}}",
            ));
        };
        let name = after[..close].trim();
        if !PLACEHOLDERS.contains(&name) {
            return Err(DomainError::invalid(
                "input.body",
                format!(
                    "unknown placeholder {{{{{name}}}}}; use one of {}",
                    PLACEHOLDERS
                        .iter()
                        .map(|p| format!("{{{{{p}}}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        found.push(name.to_owned());
        rest = &after[close + 2..];
    }
    Ok(found)
}

/// `body` with each placeholder replaced by `value(name)` (already checked at creation).
pub fn render_template(body: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => {
                out.push_str(&value(after[..close].trim()));
                rest = &after[close + 2..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_character_chinese_words_are_terms_wherever_they_appear() {
        let t = terms("七天无理由退货，请保留发票和保修卡");
        for word in ["退货", "发票", "保修", "七天"] {
            assert!(t.contains(&word.to_owned()), "{word} in {t:?}");
        }
        let mixed = terms("iPhone 15 退货 X200-B");
        assert!(mixed.contains(&"iphone".to_owned()));
        assert!(mixed.contains(&"x200-b".to_owned()));
        assert!(mixed.contains(&"退货".to_owned()));
    }

    #[test]
    fn queries_split_codes_like_the_index_tokenizers() {
        assert_eq!(query_terms("X200-B").unwrap(), vec!["x200", "b"]);
        assert!(query_terms("   ").is_err());
        assert!(query_terms(&"a".repeat(201)).is_err());
    }

    #[test]
    fn snippets_mark_matches_and_escape_html() {
        let snippet = highlight(
            "<b>Returns</b>: 七天无理由退货 within seven days.",
            &["退货".to_owned(), "returns".to_owned()],
        );
        assert!(snippet.contains("<mark>退货</mark>"), "{snippet}");
        assert!(
            snippet.contains("&lt;b&gt;<mark>Returns</mark>&lt;/b&gt;"),
            "{snippet}"
        );
    }

    #[test]
    fn case_studies_lose_personal_data() {
        let text = "Wang Fang (wang.fang@example.com, +86 138-0013-8000) complained about order \
                    SO20261122001; 王芳的电话13800138000。";
        let clean = scrub_personal_data(text, &["Wang Fang", "王芳", "SO20261122001"]);
        for secret in [
            "Wang Fang",
            "wang.fang",
            "138-0013-8000",
            "13800138000",
            "王芳",
            "SO2026",
        ] {
            assert!(!clean.contains(secret), "{secret} left in {clean}");
        }
        assert!(clean.contains("complained about order"));
    }

    #[test]
    fn four_eyes_before_publishing() {
        let (writer, reviewer) = (Uuid::now_v7(), Uuid::now_v7());
        let supervisor = Roles::from_iter([Role::Supervisor]);
        let in_review = ArticleFacts {
            status: ArticleStatus::InReview,
            audience: ArticleAudience::Public,
            author_id: Some(writer),
            last_editor_id: Some(writer),
        };
        assert!(decide_move(supervisor, writer, &in_review, ArticleMove::Publish).is_err());
        assert_eq!(
            decide_move(supervisor, reviewer, &in_review, ArticleMove::Publish).unwrap(),
            ArticleStatus::Published
        );
        let admin = Roles::from_iter([Role::Admin]);
        assert!(decide_move(admin, writer, &in_review, ArticleMove::Publish).is_ok());
        let agent = Roles::from_iter([Role::Agent]);
        assert!(decide_move(agent, reviewer, &in_review, ArticleMove::Edit).is_err());
        let own = ArticleFacts {
            status: ArticleStatus::Draft,
            author_id: Some(reviewer),
            ..in_review
        };
        assert_eq!(
            decide_move(agent, reviewer, &own, ArticleMove::Submit).unwrap(),
            ArticleStatus::InReview
        );
    }

    #[test]
    fn who_reads_what() {
        let me = Uuid::now_v7();
        let draft = ArticleFacts {
            status: ArticleStatus::Draft,
            audience: ArticleAudience::Public,
            author_id: Some(Uuid::now_v7()),
            last_editor_id: None,
        };
        let internal = ArticleFacts {
            status: ArticleStatus::Published,
            audience: ArticleAudience::Internal,
            ..draft
        };
        let customer = article_scope(Roles::from_iter([Role::Customer]), Some(me));
        assert!(!can_read_article(customer, &internal));
        assert!(!can_read_article(customer, &draft));
        let agent = article_scope(Roles::from_iter([Role::Agent]), Some(me));
        assert!(can_read_article(agent, &internal));
        assert!(!can_read_article(agent, &draft));
        let trainer = article_scope(Roles::from_iter([Role::Trainer]), Some(me));
        assert!(can_read_article(trainer, &draft));
    }

    #[test]
    fn templates_name_only_known_placeholders() {
        assert_eq!(
            template_placeholders("您好 {{customer.name}}，工单 {{ ticket.number }}").unwrap(),
            vec!["customer.name", "ticket.number"]
        );
        assert!(template_placeholders("{{customer.phone}}").is_err());
        assert!(template_placeholders("{{customer.name").is_err());
        let rendered = render_template("Dear {{customer.name}}, {{ticket.number}}", |p| match p {
            "customer.name" => "Wang Fang".into(),
            _ => "T-1".into(),
        });
        assert_eq!(rendered, "Dear Wang Fang, T-1");
    }
}
