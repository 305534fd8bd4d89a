//! Reading mailboxes over IMAP. Every instance runs the poller; a mailbox is polled by the one
//! instance that takes its lease (a conditional `UPDATE`), every `MAILBOX_POLL_SECONDS` or at
//! once through `pollMailbox`. A poll signs in, selects the folder, and reads the unseen
//! messages oldest first without marking them (`BODY.PEEK[]`); each goes through
//! [`crate::email::import`] and only once its ticket (or its record) is committed is it flagged
//! `\Seen`. A crash in between leaves it unseen, and the next poll finds its UID recorded and
//! only flags it: imported once, never twice.
//!
//! A server that cannot be reached or refuses the sign-in is a poll that failed: its reason
//! is kept on the mailbox (`lastError`), never raised as an error of the API.

use crate::App;
use crate::email::{self, Source};
use crate::error::{AppError, AppResult};
use careline_persistence::email as store;
use careline_persistence::entity::mailbox;
use chrono::Duration;
use futures_util::TryStreamExt;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use uuid::Uuid;

/// How long a poll may hold a mailbox without renewing before another instance may take it
/// over.
const LEASE: Duration = Duration::minutes(5);

/// How long a background poll stays in IMAP IDLE (under the 29 minutes RFC 2177 allows)
/// before it ends and the mailbox is polled afresh.
const IDLE_WINDOW: std::time::Duration = std::time::Duration::from_secs(25 * 60);

/// How often a running poll renews its lease.
const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// How long connecting and each exchange with the server may take.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Messages one poll reads at most (the next poll reads on).
const PER_POLL: usize = 2_000;

/// How many counted messages a poll saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Polled {
    /// Filed on tickets.
    pub imported: usize,
    /// Set aside.
    pub ignored: usize,
    /// Read before (only flagged now).
    pub duplicates: usize,
}

/// Polls `id` now unless another instance is polling it; the mailbox afterwards.
pub async fn poll_now(app: &App, id: Uuid) -> AppResult<mailbox::Model> {
    let mailbox = store::mailbox(&app.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("mailbox not found".into()))?;
    poll_if_free(app, &mailbox, None).await?;
    Ok(store::mailbox(&app.db, id).await?.unwrap_or(mailbox))
}

/// Polls the mailboxes that are due (not polled within the poll period), each in its own task,
/// and where the server offers IMAP IDLE keeps the session open for [`IDLE_WINDOW`] so that new
/// mail is read as it arrives. Returns how many polls it started.
pub async fn poll_due(app: &App) -> AppResult<usize> {
    let every = Duration::from_std(app.mail.poll_every).unwrap_or(Duration::seconds(60));
    let mut started = 0;
    for mailbox in store::due(&app.db, app.now() - every).await? {
        if mailbox.lease_until.is_some_and(|until| until > app.now()) {
            continue;
        }
        started += 1;
        let app = app.clone();
        tokio::spawn(async move {
            let idle = std::time::Instant::now() + IDLE_WINDOW;
            // One mailbox's trouble is no other's.
            if let Err(err) = poll_if_free(&app, &mailbox, Some(idle)).await {
                tracing::warn!(mailbox.id = %mailbox.id, error.detail = ?err, "mailbox poll stopped; the next round retries");
            }
        });
    }
    Ok(started)
}

/// Polls `mailbox` if its lease is free; what came of it (`None` when another instance holds
/// it). A failed poll is recorded on the mailbox, not returned.
async fn poll_if_free(
    app: &App,
    mailbox: &mailbox::Model,
    idle: Option<std::time::Instant>,
) -> AppResult<Option<Polled>> {
    let now = app.now();
    let lease = Lease {
        mailbox: mailbox.id,
        holder: Uuid::now_v7(),
    };
    if !store::take_lease(&app.db, mailbox.id, lease.holder, now, now + LEASE).await? {
        return Ok(None);
    }
    let outcome = poll(app, mailbox, &lease, idle).await;
    let (polled, error) = match outcome {
        Ok(polled) => (polled, None),
        Err(PollError::Mail(why)) => {
            tracing::warn!(mailbox.id = %mailbox.id, "mailbox poll failed");
            (Polled::default(), Some(why))
        }
        Err(PollError::App(err)) => {
            store::finish_poll(
                &app.db,
                mailbox.id,
                lease.holder,
                app.now(),
                Some("the poll stopped on an internal error; it is retried".to_owned()),
            )
            .await?;
            return Err(err);
        }
    };
    store::finish_poll(&app.db, mailbox.id, lease.holder, app.now(), error).await?;
    Ok(Some(polled))
}

/// One poll's hold on its mailbox.
struct Lease {
    mailbox: Uuid,
    holder: Uuid,
}

impl Lease {
    /// Extends the lease; a poll whose lease another instance took over (it ran past it)
    /// stops, so that two polls never read one mailbox at once for long.
    async fn renew(&self, app: &App) -> Result<(), PollError> {
        let until = app.now() + LEASE;
        if store::renew_lease(&app.db, self.mailbox, self.holder, until)
            .await
            .map_err(AppError::from)?
        {
            Ok(())
        } else {
            Err(PollError::Mail(
                "the poll ended: the mailbox was switched off, or another instance took it over"
                    .to_owned(),
            ))
        }
    }
}

/// One exchange with the server, within [`TIMEOUT`].
async fn within<T>(
    what: &str,
    exchange: impl std::future::Future<Output = async_imap::error::Result<T>>,
) -> Result<T, PollError> {
    match tokio::time::timeout(TIMEOUT, exchange).await {
        Ok(result) => result.map_err(|e| PollError::Mail(format!("{what}: {}", describe(&e)))),
        Err(_) => Err(PollError::Mail(format!(
            "{what}: the server did not answer within {} s",
            TIMEOUT.as_secs()
        ))),
    }
}

/// Why a poll stopped.
enum PollError {
    /// The mail server: unreachable, refusing, or speaking nonsense (in words, for managers).
    Mail(String),
    /// Careline's own store.
    App(AppError),
}

impl From<AppError> for PollError {
    fn from(err: AppError) -> Self {
        PollError::App(err)
    }
}

/// An IMAP error in words that never quote a password (the client never echoes it).
fn describe(e: &async_imap::error::Error) -> String {
    use async_imap::error::Error;
    match e {
        Error::Io(io) => format!("connection failed ({})", io.kind()),
        Error::No(text) | Error::Bad(text) => format!("the server answered: {}", text.trim()),
        Error::ConnectionLost => "the server closed the connection".to_owned(),
        Error::Parse(_) => "the server's answer could not be read".to_owned(),
        Error::Validate(_) => {
            "the user name or password has characters IMAP cannot send".to_owned()
        }
        other => other.to_string(),
    }
}

/// Where and as whom to sign in.
struct Target {
    tls: bool,
    host: String,
    port: u16,
    user: String,
    password: String,
    folder: String,
}

fn target(app: &App, mailbox: &mailbox::Model) -> Result<Target, PollError> {
    let url = reqwest::Url::parse(&mailbox.imap_url)
        .map_err(|_| PollError::Mail("the IMAP URL cannot be read".to_owned()))?;
    let tls = url.scheme() == "imaps";
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port().unwrap_or(if tls { 993 } else { 143 });
    let user = percent_decode(url.username());
    let folder = match url.path().trim_matches('/') {
        "" => "INBOX".to_owned(),
        path => percent_decode(path),
    };
    let password = match &mailbox.imap_secret {
        Some(sealed) => app.mail.data_key.open(sealed).map_err(|_| {
            PollError::Mail(
                "the stored password cannot be decrypted with this DATA_KEY; set it again"
                    .to_owned(),
            )
        })?,
        None => String::new(),
    };
    Ok(Target {
        tls,
        host,
        port,
        user,
        password,
        folder,
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn poll(
    app: &App,
    mailbox: &mailbox::Model,
    lease: &Lease,
    idle: Option<std::time::Instant>,
) -> Result<Polled, PollError> {
    let t = target(app, mailbox)?;
    let tcp = tokio::time::timeout(TIMEOUT, TcpStream::connect((t.host.as_str(), t.port)))
        .await
        .map_err(|_| PollError::Mail(format!("{}:{} did not answer in time", t.host, t.port)))?
        .map_err(|e| {
            PollError::Mail(format!(
                "cannot connect to {}:{} ({})",
                t.host,
                t.port,
                e.kind()
            ))
        })?;
    if t.tls {
        let mut roots = tokio_rustls::rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| PollError::Mail(format!("TLS cannot be set up: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(t.host.clone())
            .map_err(|_| PollError::Mail("the IMAP host is not a valid server name".to_owned()))?;
        let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| PollError::Mail(format!("TLS with the server failed: {e}")))?;
        session(app, mailbox, lease, idle, &t, stream).await
    } else {
        session(app, mailbox, lease, idle, &t, tcp).await
    }
}

async fn session<T>(
    app: &App,
    mailbox: &mailbox::Model,
    lease: &Lease,
    idle: Option<std::time::Instant>,
    t: &Target,
    stream: T,
) -> Result<Polled, PollError>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    let greeting = tokio::time::timeout(TIMEOUT, client.read_response())
        .await
        .map_err(|_| PollError::Mail("the server sent no greeting".to_owned()))?
        .map_err(|e| PollError::Mail(format!("connection failed ({})", e.kind())))?;
    if greeting.is_none() {
        return Err(PollError::Mail(
            "the server closed the connection".to_owned(),
        ));
    }
    let mut session = tokio::time::timeout(TIMEOUT, client.login(&t.user, &t.password))
        .await
        .map_err(|_| PollError::Mail("signing in took too long".to_owned()))?
        .map_err(|(e, _)| PollError::Mail(format!("signing in failed: {}", describe(&e))))?;
    let supports_idle = match idle {
        Some(_) => within(
            "asking what the server can do failed",
            session.capabilities(),
        )
        .await?
        .has_str("IDLE"),
        None => false,
    };
    let selected = within("the folder cannot be opened", session.select(&t.folder)).await?;
    let uid_validity = selected.uid_validity.unwrap_or(0);
    let mut polled = Polled::default();
    let mut renewed = std::time::Instant::now();
    loop {
        read_unseen(
            app,
            mailbox,
            lease,
            &mut session,
            uid_validity,
            &mut polled,
            &mut renewed,
        )
        .await?;
        let left = match idle {
            Some(until) if supports_idle => {
                until.saturating_duration_since(std::time::Instant::now())
            }
            _ => std::time::Duration::ZERO,
        };
        if left.is_zero() {
            break;
        }
        // IDLE: the server says when mail arrives; the lease is renewed at least every
        // RENEW_EVERY meanwhile.
        let mut handle = session.idle();
        within("waiting for new mail (IDLE) failed", handle.init()).await?;
        let waited = {
            let (wait, _stop) = handle.wait_with_timeout(left.min(RENEW_EVERY));
            wait.await
        };
        if let Err(e) = waited {
            return Err(PollError::Mail(format!(
                "waiting for new mail (IDLE) failed: {}",
                describe(&e)
            )));
        }
        session = within("ending IDLE failed", handle.done()).await?;
        lease.renew(app).await?;
        renewed = std::time::Instant::now();
    }
    // Signing out is a courtesy; the poll's work is done and committed either way.
    let _ = tokio::time::timeout(TIMEOUT, session.logout()).await;
    Ok(polled)
}

/// Reads the folder's unseen messages, oldest first (at most [`PER_POLL`]): each imported,
/// then flagged `\Seen`.
async fn read_unseen<T>(
    app: &App,
    mailbox: &mailbox::Model,
    lease: &Lease,
    session: &mut async_imap::Session<T>,
    uid_validity: u32,
    polled: &mut Polled,
    renewed: &mut std::time::Instant,
) -> Result<(), PollError>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut uids: Vec<u32> = within(
        "searching for new mail failed",
        session.uid_search("UNSEEN"),
    )
    .await?
    .into_iter()
    .collect();
    uids.sort_unstable();
    uids.truncate(PER_POLL);
    for uid in uids {
        if renewed.elapsed() > RENEW_EVERY {
            lease.renew(app).await?;
            *renewed = std::time::Instant::now();
        }
        let source = Source::Imap { uid_validity, uid };
        let outcome = if store::uid_recorded(&app.db, mailbox.id, uid_validity.into(), uid.into())
            .await
            .map_err(AppError::from)?
        {
            email::Imported::Duplicate
        } else {
            let raw = fetch(session, uid, app.mail.max_email_bytes).await?;
            match raw {
                Some(raw) => email::import(app, mailbox, &raw, source).await?,
                // Too large to fetch: set aside on its size alone.
                None => email::too_large(app, mailbox, source).await?,
            }
        };
        match outcome {
            email::Imported::Filed { .. } => polled.imported += 1,
            email::Imported::SetAside(_) => polled.ignored += 1,
            email::Imported::Duplicate => polled.duplicates += 1,
        }
        let flagged = async {
            session
                .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        };
        within("flagging a message as read failed", flagged).await?;
    }
    Ok(())
}

/// The message's bytes, or `None` when the server says it is larger than `max` (not fetched).
async fn fetch<T>(
    session: &mut async_imap::Session<T>,
    uid: u32,
    max: u64,
) -> Result<Option<Vec<u8>>, PollError>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let sizes: Vec<_> = within("reading a message's size failed", async {
        session
            .uid_fetch(uid.to_string(), "(UID RFC822.SIZE)")
            .await?
            .try_collect()
            .await
    })
    .await?;
    if sizes
        .iter()
        .any(|f| f.size.is_some_and(|s| u64::from(s) > max))
    {
        return Ok(None);
    }
    let fetched: Vec<_> = within("reading a message failed", async {
        session
            .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
            .await?
            .try_collect()
            .await
    })
    .await?;
    // No body in the answer is the server's failure, not an empty message: the message stays
    // unseen and is read again by the next poll.
    fetched
        .iter()
        .find_map(|f| f.body().map(<[u8]>::to_vec))
        .map(Some)
        .ok_or_else(|| PollError::Mail(format!("the server sent no content for message {uid}")))
}

/// Runs the poller until `shutdown`: every few seconds, the mailboxes that are due.
pub fn spawn(app: App, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    tokio::spawn(async move {
        let period = app
            .mail
            .poll_every
            .min(std::time::Duration::from_secs(5))
            .max(std::time::Duration::from_millis(200));
        loop {
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
            if let Err(err) = poll_due(&app).await {
                tracing::warn!(error.detail = ?err, "mailbox polling failed; the next round retries");
            }
        }
        tracing::info!("mailbox poller stopped");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts_are_percent_decoded() {
        assert_eq!(
            percent_decode("service%40example.com"),
            "service@example.com"
        );
        assert_eq!(percent_decode("INBOX"), "INBOX");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
