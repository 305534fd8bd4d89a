//! The email channel: the department's mailboxes (managers and admins connect them), and the
//! one import path every message takes, whether an IMAP poll read it ([`crate::imap`]) or a
//! mail provider posted it (`POST /inbound/email/{mailboxId}`).
//!
//! A message is set aside (recorded, counted, never answered) when it is a robot's
//! (`careline_domain::email::set_aside`), ours, too large, unreadable or one of a flood; a bounce
//! also fails the delivery it reports. Otherwise a reply (its `In-Reply-To`/`References` name a
//! mail of a ticket's thread, or its subject the ticket's number and it comes from the ticket's
//! customer) becomes the customer's message on that ticket through the one write path, and any
//! other mail a new ticket (the sender becomes or matches a customer). Either way the record of
//! the message is written in the same transaction as the ticket change: a message is filed
//! once, whatever crashes or instances race.

use crate::error::{AppError, AppResult};
use crate::secrets::DataKey;
use crate::tickets::{self, By, Extra, Filing, FilingCustomer};
use crate::{Actor, App, text};
use careline_domain::Action;
use careline_domain::contact::Email;
use careline_domain::email::{
    self as rules, Headers, MAILS_PER_SENDER_PER_HOUR, MAX_ATTACHMENTS_PER_MAIL,
    MAX_MAILBOX_NAME_CHARS, MAX_REFERENCES, SetAside,
};
use careline_domain::notice::MAX_CUSTOMER_MESSAGE_CHARS;
use careline_domain::ticket::{
    Channel, ComplaintCategory, MAX_TEXT_CHARS, NewTicketInput, SystemCommand, TicketKind,
    validate_intake,
};
use careline_persistence::customers::CustomerSource;
use careline_persistence::email as store;
use careline_persistence::entity::{email_message, mailbox};
use careline_persistence::org;
use careline_persistence::tickets::{self as ticket_store, Loaded};
use chrono::{DateTime, Duration, Utc};
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders};
use sea_orm::{ConnectionTrait, TransactionTrait};
use uuid::Uuid;

/// How the email channel is set up.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// Encrypts mailbox passwords at rest (`DATA_KEY`).
    pub data_key: DataKey,
    /// The largest message imported (`MAX_EMAIL_BYTES`).
    pub max_email_bytes: u64,
    /// How often each mailbox is polled (`MAILBOX_POLL_SECONDS`).
    pub poll_every: std::time::Duration,
    /// The address the server's own mail comes from (`SMTP_FROM`): never imported.
    pub own_address: Option<String>,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            data_key: DataKey::random(),
            max_email_bytes: rules::DEFAULT_MAX_EMAIL_BYTES,
            poll_every: std::time::Duration::from_secs(60),
            own_address: None,
        }
    }
}

/// What a manager sets on a mailbox. Passwords are write-only: `None` keeps the stored one,
/// an empty one removes it.
#[derive(Clone, Default)]
pub struct MailboxInput {
    /// Display name (also the name replies come from).
    pub name: String,
    /// The address customers write to.
    pub address: String,
    /// `imap(s)://user@host:port/FOLDER`.
    pub imap_url: String,
    /// The IMAP password.
    pub imap_password: Option<String>,
    /// `smtp(s)://user@host:port` for replies from this address.
    pub smtp_url: Option<String>,
    /// The SMTP password.
    pub smtp_password: Option<String>,
    /// The team new tickets land with.
    pub team_id: Option<Uuid>,
    /// The kind of new tickets (default `INQUIRY`).
    pub default_kind: Option<TicketKind>,
    /// Whether it is polled (default true).
    pub active: Option<bool>,
}

/// Mailboxes, by name.
pub async fn mailboxes(app: &App, actor: &Actor) -> AppResult<Vec<mailbox::Model>> {
    actor.require(Action::ManageMailboxes)?;
    Ok(store::mailboxes(&app.db).await?)
}

/// Connects a mailbox.
pub async fn create_mailbox(
    app: &App,
    actor: &Actor,
    input: MailboxInput,
) -> AppResult<mailbox::Model> {
    actor.require(Action::ManageMailboxes)?;
    let at = app.now();
    let blank = mailbox::Model {
        id: Uuid::now_v7(),
        name: String::new(),
        address: String::new(),
        imap_url: String::new(),
        imap_secret: None,
        smtp_url: None,
        smtp_secret: None,
        team_id: None,
        default_kind: TicketKind::Inquiry.as_str().to_owned(),
        active: true,
        last_polled_at: None,
        last_error: None,
        imported: 0,
        ignored: 0,
        lease_until: None,
        lease_holder: None,
        created_at: at,
        updated_at: at,
    };
    let row = checked(app, input, async { Ok(blank) }).await?;
    let row = store::insert_mailbox(&app.db, row).await?;
    tracing::info!(mailbox.id = %row.id, "mailbox connected");
    Ok(row)
}

/// Changes a mailbox.
pub async fn update_mailbox(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: MailboxInput,
) -> AppResult<mailbox::Model> {
    actor.require(Action::ManageMailboxes)?;
    let current = async {
        store::mailbox(&app.db, id)
            .await?
            .ok_or_else(|| AppError::NotFound("mailbox not found".into()))
    };
    let mut row = checked(app, input, current).await?;
    row.updated_at = app.now();
    Ok(store::update_mailbox(&app.db, row).await?)
}

/// The active mailbox `id`, for mail posted to it; `None` when there is none or it is off.
pub async fn active_mailbox(app: &App, id: Uuid) -> AppResult<Option<mailbox::Model>> {
    Ok(store::mailbox(&app.db, id).await?.filter(|m| m.active))
}

/// Polls a mailbox now (unless another instance is polling it); the mailbox afterwards, its
/// `last_error` saying why a poll failed.
pub async fn poll_mailbox(app: &App, actor: &Actor, id: Uuid) -> AppResult<mailbox::Model> {
    actor.require(Action::ManageMailboxes)?;
    crate::imap::poll_now(app, id).await
}

/// `input` checked, then applied to the mailbox `row` loads: the arguments' shape first,
/// whatever the mailbox (a bad argument is `BAD_USER_INPUT` even on a mailbox that does not
/// exist).
async fn checked(
    app: &App,
    input: MailboxInput,
    row: impl std::future::Future<Output = AppResult<mailbox::Model>>,
) -> AppResult<mailbox::Model> {
    let name = text(&input.name, "input.name", MAX_MAILBOX_NAME_CHARS)?;
    let address = Email::parse(&input.address, "input.address")?.into_inner();
    let imap_url = check_url(&input.imap_url, "input.imapUrl", &["imap", "imaps"])?;
    let smtp_url = input
        .smtp_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| check_url(u, "input.smtpUrl", &["smtp", "smtps"]))
        .transpose()?;
    if let Some(kind) = input.default_kind
        && !rules::mailbox_kind_allowed(kind)
    {
        return Err(AppError::bad_input(
            "input.defaultKind",
            "praise names the praised employee, which a mail cannot; choose another kind",
        ));
    }
    if let Some(id) = input.team_id {
        org::team(&app.db, id)
            .await?
            .ok_or_else(|| AppError::bad_input("input.teamId", "no such team"))?;
    }
    let mut row = row.await?;
    row.name = name;
    row.address = address;
    row.imap_url = imap_url;
    row.smtp_url = smtp_url;
    row.team_id = input.team_id;
    if let Some(kind) = input.default_kind {
        row.default_kind = kind.as_str().to_owned();
    }
    if let Some(active) = input.active {
        row.active = active;
    }
    let seal = |password: Option<String>, current: Option<String>| match password {
        None => current,
        Some(p) if p.is_empty() => None,
        Some(p) => Some(app.mail.data_key.seal(&p)),
    };
    row.imap_secret = seal(input.imap_password, row.imap_secret.take());
    row.smtp_secret = seal(input.smtp_password, row.smtp_secret.take());
    Ok(row)
}

/// A mail server URL of one of `schemes`, with a host and a user name and without a password
/// (passwords are given apart and stored encrypted).
fn check_url(raw: &str, field: &str, schemes: &[&str]) -> AppResult<String> {
    let raw = raw.trim();
    let url = reqwest::Url::parse(raw).map_err(|_| {
        AppError::bad_input(
            field,
            format!("not a URL; write {}://user@host:port", schemes[0]),
        )
    })?;
    if !schemes.contains(&url.scheme()) {
        return Err(AppError::bad_input(
            field,
            format!("must start with {}://", schemes.join(":// or ")),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(AppError::bad_input(field, "must name the server's host"));
    }
    if url.password().is_some() {
        return Err(AppError::bad_input(
            field,
            "must not carry a password; give it in the password field, which is stored encrypted",
        ));
    }
    if url.scheme().starts_with("imap") && url.username().is_empty() {
        return Err(AppError::bad_input(
            field,
            "must name the user to sign in as (imaps://user@host/INBOX)",
        ));
    }
    if raw.len() > 500 {
        return Err(AppError::bad_input(field, "must be at most 500 characters"));
    }
    Ok(raw.to_owned())
}

/// Where a message came from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// Read over IMAP: the folder's UIDVALIDITY and the message's UID.
    Imap {
        /// The folder's UIDVALIDITY.
        uid_validity: u32,
        /// The message's UID.
        uid: u32,
    },
    /// Posted by a mail provider.
    Http,
}

impl Source {
    fn imap(self) -> Option<(i64, i64)> {
        match self {
            Source::Imap { uid_validity, uid } => Some((uid_validity.into(), uid.into())),
            Source::Http => None,
        }
    }
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// Filed on this ticket (new, or the one it answers).
    Filed {
        /// The ticket.
        ticket_id: Uuid,
        /// Whether it opened the ticket.
        new_ticket: bool,
    },
    /// Set aside for this reason.
    SetAside(String),
    /// Read before (by UID or Message-ID): nothing done.
    Duplicate,
}

/// Imports one raw RFC 5322 message into `mailbox`. Bad input never fails: it is set aside
/// with its reason. Errors are the store's (the message is left for the next try).
pub async fn import(
    app: &App,
    mailbox: &mailbox::Model,
    raw: &[u8],
    source: Source,
) -> AppResult<Imported> {
    let at = app.now();
    if let Some((validity, uid)) = source.imap()
        && store::uid_recorded(&app.db, mailbox.id, validity, uid).await?
    {
        return Ok(Imported::Duplicate);
    }
    if raw.len() as u64 > app.mail.max_email_bytes {
        return set_aside(app, mailbox, source, None, None, SetAside::TooLarge, at).await;
    }
    let Some(message) = MessageParser::default().parse(raw) else {
        return set_aside(app, mailbox, source, None, None, SetAside::Malformed, at).await;
    };
    // The key a message is known by: its Message-ID, or (none, or unusable) a digest of its
    // bytes, so that a provider's retry of the same message is recognised either way.
    let message_id = Some(
        message
            .message_id()
            .map(bracketed)
            .filter(|id| id.len() <= 500 && !id.chars().any(|c| c.is_control() || c == ' '))
            .unwrap_or_else(|| digest_id(raw)),
    );
    if let Some(id) = &message_id
        && (store::message_recorded(&app.db, mailbox.id, id).await?
            // The same mail sent to two of our mailboxes (To: one, Cc: the other) is one.
            || store::received_before(&app.db, id).await?)
    {
        return Ok(Imported::Duplicate);
    }
    let sender = message
        .from()
        .and_then(|f| f.first())
        .and_then(|a| a.address())
        .map(|a| a.trim().to_lowercase())
        .filter(|a| a.len() <= 254 && !a.chars().any(|c| c.is_control() || c.is_whitespace()));
    let headers = Headers {
        from: sender.as_deref(),
        auto_submitted: message.header_raw("Auto-Submitted"),
        auto_response_suppress: message.header_raw("X-Auto-Response-Suppress").is_some(),
        precedence: message.header_raw("Precedence"),
        list_id: message.header_raw("List-Id").is_some(),
        report: message
            .content_type()
            .is_some_and(|ct| is_type(ct.ctype(), ct.subtype(), "multipart", "report")),
    };
    let own = own_addresses(app).await?;
    if let Some(reason) = rules::set_aside(&headers, |a| own.iter().any(|o| o == a)) {
        if reason == SetAside::Bounce {
            bounce(app, &message, at).await?;
        }
        return set_aside(app, mailbox, source, message_id, sender, reason, at).await;
    }
    let Some(sender) = sender else {
        return set_aside(
            app,
            mailbox,
            source,
            message_id,
            None,
            SetAside::Malformed,
            at,
        )
        .await;
    };
    let since = at - Duration::hours(1);
    if store::from_sender_since(&app.db, mailbox.id, &sender, since).await?
        >= MAILS_PER_SENDER_PER_HOUR
    {
        return set_aside(
            app,
            mailbox,
            source,
            message_id,
            Some(sender),
            SetAside::Flood,
            at,
        )
        .await;
    }
    let answered = answered_ticket(app, &message, &sender).await?;
    let (files, refused) = keep_attachments(app, mailbox, &message).await?;
    let body = clean(
        &message
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
    );
    let (kept_id, kept_sender) = (message_id.clone(), sender.clone());
    let mail = Mail {
        mailbox,
        source,
        message_id,
        sender,
        files: &files,
        at,
    };
    let filed = match answered {
        Some(loaded) if loaded.ticket.status != "CLOSED" => {
            let mut words = rules::trim_quoted(&body);
            words.push_str(&refused);
            let words = cut(&words, MAX_CUSTOMER_MESSAGE_CHARS, "(empty message)");
            file_reply(app, mail, loaded.ticket.id, words).await
        }
        closed => {
            let subject = rules::ticket_subject(&clean(message.subject().unwrap_or_default()));
            let mut description = body.trim().to_owned();
            if let Some(closed) = closed {
                description = format!(
                    "(follows up the closed ticket {})\n\n{}",
                    closed.ticket.number,
                    rules::trim_quoted(&description)
                );
            }
            description.push_str(&refused);
            let description = cut(&description, MAX_TEXT_CHARS, "(no text)");
            let name = message
                .from()
                .and_then(|f| f.first())
                .and_then(|a| a.name())
                .map(clean)
                .map(|n| n.trim().chars().take(200).collect::<String>())
                .filter(|n| !n.is_empty());
            file_new(app, mail, subject, description, name).await
        }
    };
    match filed {
        // A rule of the write path refused it: set aside (with the rule's reason in the log),
        // so that the poller goes on with the next message instead of retrying this one for ever.
        Err(AppError::BadInput { message, .. }) => {
            tracing::info!(mailbox.id = %mailbox.id, why = %message, "mail refused by the ticket's rules");
            let sender = Some(kept_sender);
            set_aside(app, mailbox, source, kept_id, sender, SetAside::Refused, at).await
        }
        other => other,
    }
}

/// Records a message set aside because it is larger than `MAX_EMAIL_BYTES` (known from its
/// size alone, unread).
pub async fn too_large(app: &App, mailbox: &mailbox::Model, source: Source) -> AppResult<Imported> {
    set_aside(
        app,
        mailbox,
        source,
        None,
        None,
        SetAside::TooLarge,
        app.now(),
    )
    .await
}

/// A message about to be filed.
struct Mail<'a> {
    mailbox: &'a mailbox::Model,
    source: Source,
    message_id: Option<String>,
    sender: String,
    files: &'a [Uuid],
    at: DateTime<Utc>,
}

impl Mail<'_> {
    fn record(&self, ticket_id: Uuid) -> careline_persistence::entity::inbound_email::Model {
        store::inbound_row(
            self.mailbox.id,
            self.source.imap(),
            self.message_id.clone(),
            Some(self.sender.clone()),
            Ok(ticket_id),
            self.at,
        )
    }

    async fn thread<C: ConnectionTrait>(
        &self,
        db: &C,
        ticket_id: Uuid,
        event_id: Option<Uuid>,
    ) -> AppResult<()> {
        if let Some(id) = &self.message_id {
            store::add_to_thread(
                db,
                email_message::Model {
                    id: Uuid::now_v7(),
                    message_id: id.clone(),
                    ticket_id,
                    event_id,
                    mailbox_id: Some(self.mailbox.id),
                    outbound: false,
                    at: self.at,
                },
            )
            .await?;
        }
        Ok(())
    }
}

/// The customer's reply on their ticket, with the record of the message, in one transaction.
async fn file_reply(
    app: &App,
    mail: Mail<'_>,
    ticket_id: Uuid,
    words: String,
) -> AppResult<Imported> {
    let txn = app.db.begin().await?;
    let by = By::System {
        command: SystemCommand::CustomerWrote { body: words },
        actor: None,
    };
    let applied =
        tickets::execute_with_files(&txn, ticket_id, by, None, Extra::None, mail.files, mail.at)
            .await?;
    if !store::record_inbound(&txn, mail.record(ticket_id)).await? {
        return Ok(Imported::Duplicate);
    }
    let entry = applied.events.first().map(|e| e.id);
    mail.thread(&txn, ticket_id, entry).await?;
    txn.commit().await?;
    app.committed();
    tracing::info!(mailbox.id = %mail.mailbox.id, ticket.id = %ticket_id, "mail filed as the customer's reply");
    Ok(Imported::Filed {
        ticket_id,
        new_ticket: false,
    })
}

/// A new ticket from the mail, with the record of the message, in one transaction.
async fn file_new(
    app: &App,
    mail: Mail<'_>,
    subject: String,
    description: String,
    name: Option<String>,
) -> AppResult<Imported> {
    let kind = TicketKind::parse(&mail.mailbox.default_kind).unwrap_or(TicketKind::Inquiry);
    let input = NewTicketInput {
        kind,
        channel: Channel::Email,
        subject,
        description,
        category: (kind == TicketKind::Complaint).then_some(ComplaintCategory::Other),
        severity: None,
        priority: None,
        demand: None,
        location: None,
        order_number: None,
        product_name: None,
        attachments: Vec::new(),
        praised_employee_id: None,
        praised_team_id: None,
        praised_department_id: None,
    };
    let intake = validate_intake(input, false)?;
    let local = mail.sender.split('@').next().unwrap_or_default().to_owned();
    let customer = FilingCustomer::Source(CustomerSource::Contact {
        name: name.unwrap_or(local),
        phone: None,
        email: Some(mail.sender.clone()),
    });
    let txn = app.db.begin().await?;
    let filed = tickets::file(
        &txn,
        Filing {
            intake,
            customer,
            occurred_at: None,
            clock_start: mail.at,
            owner_id: None,
            team_id: mail.mailbox.team_id,
            department_id: None,
            created_by: None,
            involved_staff: Vec::new(),
            parent: None,
            file_ids: mail.files,
        },
        mail.at,
    )
    .await?;
    let ticket_id = filed.loaded.ticket.id;
    if !store::record_inbound(&txn, mail.record(ticket_id)).await? {
        return Ok(Imported::Duplicate);
    }
    let entry = filed.events.first().map(|e| e.id);
    mail.thread(&txn, ticket_id, entry).await?;
    txn.commit().await?;
    app.committed();
    tracing::info!(mailbox.id = %mail.mailbox.id, ticket.id = %ticket_id, "mail opened a ticket");
    Ok(Imported::Filed {
        ticket_id,
        new_ticket: true,
    })
}

/// Records a message set aside (and counts it on its mailbox).
async fn set_aside(
    app: &App,
    mailbox: &mailbox::Model,
    source: Source,
    message_id: Option<String>,
    sender: Option<String>,
    why: SetAside,
    at: DateTime<Utc>,
) -> AppResult<Imported> {
    let reason = why.reason().to_owned();
    let row = store::inbound_row(
        mailbox.id,
        source.imap(),
        message_id,
        sender,
        Err(reason.clone()),
        at,
    );
    let txn = app.db.begin().await?;
    if !store::record_inbound(&txn, row).await? {
        return Ok(Imported::Duplicate);
    }
    txn.commit().await?;
    tracing::info!(mailbox.id = %mailbox.id, reason = %reason, "mail set aside");
    Ok(Imported::SetAside(reason))
}

/// The ticket a reply answers: one whose thread holds a Message-ID the mail names in
/// `In-Reply-To` or `References`, else the one its subject names (`[#number]`) — either way
/// only when the mail comes from that ticket's customer's address (mail from anyone else
/// opens a ticket of its own).
async fn answered_ticket(
    app: &App,
    message: &Message<'_>,
    sender: &str,
) -> AppResult<Option<Loaded>> {
    let mut named: Vec<String> = ids_in(message.in_reply_to());
    named.extend(ids_in(message.references()));
    named.truncate(100);
    if let Some(ticket_id) = store::ticket_of_thread(&app.db, &named).await?
        && let Some(loaded) = ticket_store::find(&app.db, ticket_id).await?
        && loaded.customer.email.as_deref() == Some(sender)
    {
        return Ok(Some(loaded));
    }
    let Some(number) = message.subject().and_then(rules::ticket_number_in_subject) else {
        return Ok(None);
    };
    Ok(ticket_store::find_by_number(&app.db, number)
        .await?
        .filter(|l| l.customer.email.as_deref() == Some(sender)))
}

/// A bounce names the mail it returns (in the report's attached message or headers, or in
/// `In-Reply-To`/`References`): that delivery has failed.
async fn bounce(app: &App, message: &Message<'_>, at: DateTime<Utc>) -> AppResult<()> {
    let mut named: Vec<String> = Vec::new();
    for part in message.attachments() {
        if let Some(inner) = part.message() {
            named.extend(inner.message_id().map(bracketed));
        } else if part
            .content_type()
            .is_some_and(|ct| is_type(ct.ctype(), ct.subtype(), "text", "rfc822-headers"))
            && let Some(headers) = MessageParser::default().parse_headers(part.contents())
        {
            named.extend(headers.message_id().map(bracketed));
        }
    }
    named.extend(ids_in(message.in_reply_to()));
    named.extend(ids_in(message.references()));
    let reason = "returned by the recipient's mail server (bounce)";
    for id in named.iter().take(10) {
        if let Some(d) = store::bounce(&app.db, id, reason, at).await? {
            tracing::info!(delivery.id = %d.id, "a bounce failed an email delivery");
        }
    }
    Ok(())
}

/// Stores the mail's attachments (at most [`MAX_ATTACHMENTS_PER_MAIL`], each under the file
/// store's limits); returns their ids and a note naming the ones refused, for the ticket.
async fn keep_attachments(
    app: &App,
    mailbox: &mailbox::Model,
    message: &Message<'_>,
) -> AppResult<(Vec<Uuid>, String)> {
    let limit = MAX_ATTACHMENTS_PER_MAIL.min(crate::files::MAX_FILES_PER_CHANGE);
    let mut kept = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    let mut skipped = 0usize;
    for part in message.attachments() {
        let name = part
            .attachment_name()
            .map(|n| n.chars().take(100).collect::<String>())
            .unwrap_or_else(|| "attachment".to_owned());
        if kept.len() >= limit {
            skipped += 1;
            continue;
        }
        match crate::files::keep(app, mailbox.id, &name, part.contents().to_vec()).await {
            Ok(file) => kept.push(file.id),
            Err(AppError::BadInput { message, .. }) => refused.push(format!("{name}: {message}")),
            Err(other) => return Err(other),
        }
    }
    let mut note = String::new();
    if !refused.is_empty() || skipped > 0 {
        note.push_str("\n\n[attachments not imported]");
        for r in refused.iter().take(20) {
            note.push_str("\n- ");
            note.push_str(r);
        }
        if refused.len() > 20 {
            note.push_str(&format!("\n- and {} more", refused.len() - 20));
        }
        if skipped > 0 {
            note.push_str(&format!(
                "\n- {skipped} more beyond the first {limit} attachments"
            ));
        }
    }
    Ok((kept, note))
}

/// Every address of ours: the mailboxes' and the server's own sender.
async fn own_addresses(app: &App) -> AppResult<Vec<String>> {
    let mut own: Vec<String> = store::mailboxes(&app.db)
        .await?
        .into_iter()
        .map(|m| m.address)
        .collect();
    own.extend(app.mail.own_address.iter().cloned());
    Ok(own)
}

/// Message-IDs in a header, each in angle brackets.
fn ids_in(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![bracketed(id)],
        HeaderValue::TextList(ids) => ids.iter().map(|id| bracketed(id)).collect(),
        _ => Vec::new(),
    }
}

/// `text` without control characters other than line breaks and tabs (a NUL, which
/// PostgreSQL refuses in text, or terminal escapes).
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// The key of a message without a usable Message-ID: a digest of its bytes.
fn digest_id(raw: &[u8]) -> String {
    use sha2::Digest;
    format!(
        "<{}@careline.invalid>",
        hex::encode(sha2::Sha256::digest(raw))
    )
}

/// `<id>` for an id with or without its brackets.
pub fn bracketed(id: &str) -> String {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{id}>")
}

fn is_type(ctype: &str, subtype: Option<&str>, want: &str, want_sub: &str) -> bool {
    ctype.eq_ignore_ascii_case(want) && subtype.is_some_and(|s| s.eq_ignore_ascii_case(want_sub))
}

/// `text` cut to `max` characters (marked when cut); `empty` when blank.
fn cut(text: &str, max: usize, empty: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return empty.to_owned();
    }
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let marker = "\n…(cut)";
    let mut out: String = text.chars().take(max - marker.chars().count()).collect();
    out.push_str(marker);
    out
}

/// What a mail about a ticket needs to thread: the mailbox it goes out from (the one the
/// customer last wrote to), the Message-ID it answers, the thread's ids, and the subject tag.
#[derive(Debug, Clone)]
pub struct Threading {
    /// The mailbox the customer last wrote to, if any.
    pub mailbox: Option<mailbox::Model>,
    /// The customer's latest mail on the ticket.
    pub in_reply_to: Option<String>,
    /// The thread, oldest first (at most [`MAX_REFERENCES`]).
    pub references: Vec<String>,
    /// The ticket's number.
    pub number: String,
}

/// The threading of a mail about `ticket_id`.
pub async fn threading(app: &App, ticket_id: Uuid) -> AppResult<Option<Threading>> {
    let Some(loaded) = ticket_store::find(&app.db, ticket_id).await? else {
        return Ok(None);
    };
    let thread = store::thread(&app.db, ticket_id, MAX_REFERENCES as u64).await?;
    let latest_in = thread.iter().rev().find(|m| !m.outbound);
    let mailbox = match latest_in.and_then(|m| m.mailbox_id) {
        Some(id) => store::mailbox(&app.db, id).await?,
        None => None,
    };
    Ok(Some(Threading {
        mailbox,
        in_reply_to: latest_in.map(|m| m.message_id.clone()),
        references: thread.iter().map(|m| m.message_id.clone()).collect(),
        number: loaded.ticket.number,
    }))
}

/// Records a mail that went out about a ticket in its thread.
pub async fn sent_in_thread(
    app: &App,
    ticket_id: Uuid,
    event_id: Option<Uuid>,
    mailbox_id: Option<Uuid>,
    message_id: &str,
) -> AppResult<()> {
    store::add_to_thread(
        &app.db,
        email_message::Model {
            id: Uuid::now_v7(),
            message_id: message_id.to_owned(),
            ticket_id,
            event_id,
            mailbox_id,
            outbound: true,
            at: app.now(),
        },
    )
    .await?;
    Ok(())
}

/// The Message-IDs of timeline entries that came in or went out as mail.
pub async fn message_ids_of_events(
    app: &App,
    event_ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, String>> {
    Ok(store::message_ids_of_events(&app.db, event_ids).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_bracketed_once() {
        assert_eq!(bracketed("abc@x"), "<abc@x>");
        assert_eq!(bracketed(" <abc@x> "), "<abc@x>");
    }

    #[test]
    fn long_texts_are_cut_and_marked() {
        assert_eq!(cut("  ", 10, "(none)"), "(none)");
        assert_eq!(cut("short", 10, "-"), "short");
        let long = cut(&"字".repeat(50), 20, "-");
        assert_eq!(long.chars().count(), 20);
        assert!(long.ends_with("…(cut)"));
    }

    #[test]
    fn urls_carry_no_password() {
        assert!(
            check_url(
                "imaps://service@mail.example.com/INBOX",
                "f",
                &["imap", "imaps"]
            )
            .is_ok()
        );
        assert!(
            check_url(
                "imap://service:secret@mail.example.com",
                "f",
                &["imap", "imaps"]
            )
            .is_err()
        );
        assert!(check_url("imap://mail.example.com", "f", &["imap", "imaps"]).is_err());
        assert!(check_url("http://service@mail.example.com", "f", &["imap", "imaps"]).is_err());
        assert!(check_url("smtp://mail.example.com:2525", "f", &["smtp", "smtps"]).is_ok());
        assert!(check_url("not a url", "f", &["smtp", "smtps"]).is_err());
    }
}
