//! The email channel: the mailboxes Careline reads and replies from (`docs/EMAIL.md`).

use super::loaders::{load_failed, loaders};
use super::people::Team;
use super::tickets::TicketKind;
use super::{Can, actor, app, found_id, optional_id};
use crate::app::AppResult;
use crate::app::email::{self as use_case, MailboxInput as Input};
use async_graphql::{Context, ID, InputObject, Object};
use careline_app::rows::mailbox;
use careline_domain::Action;
use chrono::{DateTime, Utc};

/// A mailbox as stored.
#[derive(Clone)]
pub struct Mailbox(pub mailbox::Model);

/// A department mailbox Careline reads (IMAP) and replies from (SMTP).
#[Object]
impl Mailbox {
    /// The mailbox's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Its name (replies come from this name).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The address customers write to, and replies come from.
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// imap(s)://user@host:port/FOLDER; the password is never returned.
    async fn imap_url(&self) -> &str {
        &self.0.imap_url
    }
    /// smtp(s)://user@host:port for replies from this address; null: the server's SMTP_URL.
    async fn smtp_url(&self) -> Option<&str> {
        self.0.smtp_url.as_deref()
    }
    /// New tickets from this mailbox land in this team's queue.
    async fn team(&self, ctx: &Context<'_>) -> AppResult<Option<Team>> {
        let Some(id) = self.0.team_id else {
            return Ok(None);
        };
        let found = loaders(ctx)?.teams.load_one(id).await;
        Ok(found.map_err(load_failed)?.map(Team))
    }
    /// The kind given to new tickets from this mailbox.
    async fn default_kind(&self) -> AppResult<TicketKind> {
        Ok(crate::app::tickets::stored(
            careline_domain::ticket::TicketKind::parse(&self.0.default_kind),
            "mailbox default kind",
        )?
        .into())
    }
    /// Whether it is polled.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// When it was last polled.
    async fn last_polled_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_polled_at
    }
    /// The last poll's failure, in words; null when it worked.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// Messages turned into tickets or ticket entries so far.
    async fn imported(&self) -> i32 {
        self.0.imported
    }
    /// Messages set aside (auto-replies, bounces, loops, too large), each recorded.
    async fn ignored(&self) -> i32 {
        self.0.ignored
    }
}

/// A mailbox's settings.
#[derive(InputObject)]
pub struct MailboxInput {
    /// A name, 1 to 100 characters (replies come from this name).
    pub name: String,
    /// The address customers write to.
    pub address: String,
    /// imap(s)://user@host:port/FOLDER, without the password.
    pub imap_url: String,
    /// Write-only. Unset keeps the stored one; empty removes it.
    pub imap_password: Option<String>,
    /// smtp(s)://user@host:port for replies from this address; unset or empty: the server's.
    pub smtp_url: Option<String>,
    /// Write-only. Unset keeps the stored one; empty removes it.
    pub smtp_password: Option<String>,
    /// The team new tickets land with.
    pub team_id: Option<ID>,
    /// The kind of new tickets (default INQUIRY; not PRAISE).
    pub default_kind: Option<TicketKind>,
    /// Whether it is polled (default true).
    pub active: Option<bool>,
}

impl MailboxInput {
    fn into_use_case(self) -> AppResult<Input> {
        Ok(Input {
            team_id: optional_id(self.team_id.as_ref(), "input.teamId")?,
            name: self.name,
            address: self.address,
            imap_url: self.imap_url,
            imap_password: self.imap_password,
            smtp_url: self.smtp_url,
            smtp_password: self.smtp_password,
            default_kind: self.default_kind.map(Into::into),
            active: self.active,
        })
    }
}

/// Queries of the email channel.
#[derive(Default)]
pub struct EmailQuery;

#[Object]
impl EmailQuery {
    /// Mailboxes (managers and admins).
    #[graphql(guard = "Can(Action::ManageMailboxes)")]
    async fn mailboxes(&self, ctx: &Context<'_>) -> AppResult<Vec<Mailbox>> {
        let all = use_case::mailboxes(app(ctx)?, actor(ctx)?).await?;
        Ok(all.into_iter().map(Mailbox).collect())
    }
}

/// Changes of the email channel.
#[derive(Default)]
pub struct EmailMutation;

#[Object]
impl EmailMutation {
    /// Connects a mailbox; it is polled from now on (when active).
    #[graphql(guard = "Can(Action::ManageMailboxes)")]
    async fn create_mailbox(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its settings.")] input: MailboxInput,
    ) -> AppResult<Mailbox> {
        let input = input.into_use_case()?;
        Ok(Mailbox(
            use_case::create_mailbox(app(ctx)?, actor(ctx)?, input).await?,
        ))
    }

    /// Changes a mailbox's settings.
    #[graphql(guard = "Can(Action::ManageMailboxes)")]
    async fn update_mailbox(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mailbox.")] id: ID,
        #[graphql(desc = "Its settings.")] input: MailboxInput,
    ) -> AppResult<Mailbox> {
        let input = input.into_use_case()?;
        let id = found_id(&id, "mailbox")?;
        Ok(Mailbox(
            use_case::update_mailbox(app(ctx)?, actor(ctx)?, id, input).await?,
        ))
    }

    /// Poll now instead of waiting for the next round; returns the mailbox after the poll.
    /// A server that cannot be reached or refuses is reported in lastError.
    #[graphql(guard = "Can(Action::ManageMailboxes)")]
    async fn poll_mailbox(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mailbox.")] id: ID,
    ) -> AppResult<Mailbox> {
        let id = found_id(&id, "mailbox")?;
        Ok(Mailbox(
            use_case::poll_mailbox(app(ctx)?, actor(ctx)?, id).await?,
        ))
    }
}
