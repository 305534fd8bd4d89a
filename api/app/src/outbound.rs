//! Sending what the write path queued: email over SMTP (`lettre`) and SMS through a signed
//! HTTP webhook that any gateway can sit behind. Every instance runs the delivery worker;
//! each claims due deliveries under a lease (PostgreSQL skips rows another instance holds),
//! so a delivery goes out from one instance at a time, and a failed try is retried on the
//! schedule of `careline_domain::notice::RETRY_DELAYS` before it is `FAILED` for leads to see.
//!
//! The SMS webhook receives `POST {to, text, reference}` as JSON with the header
//! `X-Careline-Signature: sha256=<hex HMAC-SHA256 of the body with SMS_WEBHOOK_SECRET>`; any
//! 2xx answer means sent (a JSON `id` in the answer is kept as the message's reference).

use crate::App;
use crate::email::Threading;
use crate::error::AppResult;
use crate::notices;
use crate::secrets::DataKey;
use careline_domain::notice::{NotificationChannel, StaffNotice, next_attempt};
use careline_domain::role::Role;
use careline_persistence::conversation;
use careline_persistence::entity::delivery;
use careline_persistence::{tickets, users};
use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::Sha256;
use std::sync::Arc;

/// How long a worker holds a claimed delivery before another may take it.
const LEASE: Duration = Duration::minutes(2);

/// Deliveries one pass claims.
const BATCH: u64 = 200;

/// Sends in flight at once per instance.
const CONCURRENCY: usize = 32;

/// How long one SMTP or webhook exchange may take.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The configured outside channels.
#[derive(Clone, Default)]
pub struct Outbound {
    email: Option<Arc<EmailSender>>,
    sms: Option<Arc<SmsSender>>,
}

impl Outbound {
    /// Channels from configuration: `smtp_url` (`smtp://host:2525`, `smtps://user:pass@host`)
    /// with `smtp_from`, and `sms_url` with its signing `sms_secret`. Missing ones stay off.
    pub fn configure(
        smtp_url: Option<&str>,
        smtp_from: &str,
        sms_url: Option<&str>,
        sms_secret: Option<&str>,
    ) -> anyhow::Result<Outbound> {
        let email = smtp_url
            .map(|url| EmailSender::new(url, smtp_from).map(Arc::new))
            .transpose()?;
        let sms = match (sms_url, sms_secret) {
            (Some(url), Some(secret)) => Some(Arc::new(SmsSender::new(url, secret)?)),
            (Some(_), None) => anyhow::bail!("SMS_WEBHOOK_URL needs SMS_WEBHOOK_SECRET"),
            _ => None,
        };
        Ok(Outbound { email, sms })
    }
}

/// The address of a mailbox written `Name <address>` (e.g. `SMTP_FROM`), lowercase.
pub fn address_of(mailbox: &str) -> Option<String> {
    mailbox
        .parse::<Mailbox>()
        .ok()
        .map(|m| m.email.to_string().to_lowercase())
}

/// Email over SMTP.
pub struct EmailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
}

impl EmailSender {
    fn new(url: &str, from: &str) -> anyhow::Result<EmailSender> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("SMTP_FROM is not a mailbox: {e}"))?;
        let domain = from.email.domain().to_owned();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("SMTP_URL is not usable: {e}"))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        Ok(EmailSender {
            transport,
            from,
            domain,
        })
    }

    /// Sends one email; its Message-ID, or why not. A mail about a ticket carries the
    /// ticket's number in its subject and, when the customer wrote to a mailbox, goes out from
    /// that mailbox (through its own SMTP server when it has one) as a reply in the thread.
    async fn send(
        server: Option<&EmailSender>,
        d: &delivery::Model,
        thread: Option<&Threading>,
        key: &DataKey,
    ) -> Result<String, Outcome> {
        let failed = |why: &str| Outcome::Failed(why.to_owned());
        let mailbox = thread.and_then(|t| t.mailbox.as_ref());
        let own_server = mailbox.and_then(|mb| mb.smtp_url.as_deref().map(|url| (mb, url)));
        if server.is_none() && own_server.is_none() {
            return Err(Outcome::NotConfigured("email is not configured (SMTP_URL)"));
        }
        let to: Mailbox = d
            .address
            .as_deref()
            .unwrap_or_default()
            .parse()
            .map_err(|_| failed("the email address on record is not valid"))?;
        let (from, domain) = match (mailbox, server) {
            (Some(mb), _) => {
                let from = Mailbox::new(
                    Some(mb.name.clone()),
                    mb.address
                        .parse()
                        .map_err(|_| failed("the mailbox's address is not valid"))?,
                );
                let domain = from.email.domain().to_owned();
                (from, domain)
            }
            (None, Some(server)) => (server.from.clone(), server.domain.clone()),
            (None, None) => {
                return Err(Outcome::NotConfigured("email is not configured (SMTP_URL)"));
            }
        };
        let message_id = format!("<{}@{}>", d.id, domain);
        let html = format!(
            "<!doctype html><html><body><p>{}</p></body></html>",
            escape_html(&d.body).replace('\n', "<br>")
        );
        let subject = d.subject.clone().unwrap_or_default();
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .message_id(Some(message_id.clone()));
        match thread {
            Some(t) => {
                builder = builder.subject(careline_domain::email::subject_for(&subject, &t.number));
                if let Some(parent) = &t.in_reply_to {
                    builder = builder.in_reply_to(parent.clone());
                }
                if !t.references.is_empty() {
                    builder = builder.references(t.references.join(" "));
                }
            }
            None => builder = builder.subject(subject),
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(d.body.clone(), html))
            .map_err(|e| Outcome::Failed(format!("the message could not be built: {e}")))?;
        let sent = match (own_server, server) {
            (Some((mb, url)), _) => {
                own_transport(url, mb.smtp_secret.as_deref(), key)
                    .map_err(Outcome::Failed)?
                    .send(message)
                    .await
            }
            (None, Some(server)) => server.transport.send(message).await,
            (None, None) => {
                return Err(Outcome::NotConfigured("email is not configured (SMTP_URL)"));
            }
        };
        sent.map(|_| message_id).map_err(|e| {
            Outcome::Failed(format!("the mail server refused or was unreachable: {e}"))
        })
    }
}

/// The SMTP transport of a mailbox that sends through its own server.
fn own_transport(
    url: &str,
    sealed: Option<&str>,
    key: &DataKey,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|_| "the mailbox's SMTP URL is not usable".to_owned())?
        .timeout(Some(SEND_TIMEOUT));
    if let Some(sealed) = sealed {
        let password = key.open(sealed).map_err(|_| {
            "the mailbox's SMTP password cannot be decrypted with this DATA_KEY".to_owned()
        })?;
        let user = reqwest::Url::parse(url)
            .map(|u| u.username().to_owned())
            .unwrap_or_default();
        builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
            user, password,
        ));
    }
    Ok(builder.build())
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

/// SMS through the signed webhook.
pub struct SmsSender {
    client: reqwest::Client,
    url: String,
    secret: Vec<u8>,
}

/// The header that carries the webhook body's signature.
pub const SIGNATURE_HEADER: &str = "X-Careline-Signature";

/// `sha256=<hex HMAC-SHA256 of body>`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` is the `sha256=<hex>` signature of `body` under `secret` (compared in
/// constant time).
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(sig) = header
        .trim()
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
    else {
        return false;
    };
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

impl SmsSender {
    fn new(url: &str, secret: &str) -> anyhow::Result<SmsSender> {
        if secret.len() < 16 {
            anyhow::bail!("SMS_WEBHOOK_SECRET must be at least 16 characters");
        }
        let client = reqwest::Client::builder().timeout(SEND_TIMEOUT).build()?;
        Ok(SmsSender {
            client,
            url: url.to_owned(),
            secret: secret.as_bytes().to_vec(),
        })
    }

    /// Posts one message; the gateway's reference, or why not.
    async fn send(&self, d: &delivery::Model) -> Result<String, String> {
        let body = serde_json::json!({
            "to": d.address,
            "text": d.body,
            "reference": d.id,
        })
        .to_string();
        let response = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, sign(&self.secret, body.as_bytes()))
            .body(body)
            .send()
            .await
            .map_err(|e| format!("the SMS gateway was unreachable: {}", e.without_url()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the SMS gateway answered {status}"));
        }
        let reference = response
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|v| v.get("id").and_then(|id| id.as_str().map(str::to_owned)))
            .unwrap_or_else(|| d.id.to_string());
        Ok(reference)
    }
}

/// What one try came to.
enum Outcome {
    Sent(String),
    Failed(String),
    NotConfigured(&'static str),
}

/// Sends an email delivery (threaded when it is about a ticket) and records it in the
/// ticket's thread.
async fn send_email(app: &App, d: &delivery::Model) -> Outcome {
    let thread = match d.ticket_id {
        Some(ticket_id) => match crate::email::threading(app, ticket_id).await {
            Ok(thread) => thread,
            Err(_) => return Outcome::Failed("the ticket's thread could not be read".to_owned()),
        },
        None => None,
    };
    let server = app.outbound.email.as_deref();
    let message_id = match EmailSender::send(server, d, thread.as_ref(), &app.mail.data_key).await {
        Ok(id) => id,
        Err(outcome) => return outcome,
    };
    if let Some(ticket_id) = d.ticket_id {
        let mailbox = thread
            .as_ref()
            .and_then(|t| t.mailbox.as_ref())
            .map(|m| m.id);
        if let Err(err) =
            crate::email::sent_in_thread(app, ticket_id, d.event_id, mailbox, &message_id).await
        {
            tracing::warn!(delivery.id = %d.id, error.detail = ?err, "a sent mail could not be added to its thread");
        }
    }
    Outcome::Sent(message_id)
}

async fn attempt(app: &App, d: &delivery::Model) -> Outcome {
    let outbound = &app.outbound;
    match NotificationChannel::parse(&d.channel) {
        Some(NotificationChannel::Email) => send_email(app, d).await,
        Some(NotificationChannel::Sms) => match &outbound.sms {
            Some(sender) => sender
                .send(d)
                .await
                .map_or_else(Outcome::Failed, Outcome::Sent),
            None => Outcome::NotConfigured("SMS is not configured (SMS_WEBHOOK_URL)"),
        },
        _ => Outcome::NotConfigured("not an outside channel"),
    }
}

/// Sends the deliveries due at `now`: claims a batch, sends it, records each outcome. Returns
/// how many it finished (sent, failed for good or suppressed).
pub async fn deliver_due(app: &App, now: DateTime<Utc>) -> AppResult<usize> {
    let mut finished = 0;
    loop {
        let claimed = conversation::claim_due(&app.db, now, now + LEASE, BATCH).await?;
        if claimed.is_empty() {
            return Ok(finished);
        }
        let full = claimed.len() as u64 == BATCH;
        let outcomes: Vec<(delivery::Model, Outcome)> = futures_util::stream::iter(claimed)
            .map(|d| async move {
                let outcome = attempt(app, &d).await;
                (d, outcome)
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let at = app.now();
        for (d, outcome) in outcomes {
            match outcome {
                Outcome::Sent(reference) => {
                    conversation::mark_sent(&app.db, d.id, Some(reference), at).await?;
                    finished += 1;
                }
                Outcome::NotConfigured(why) => {
                    conversation::mark_suppressed(&app.db, d.id, why, at).await?;
                    finished += 1;
                }
                Outcome::Failed(why) => {
                    // The reason stays on the delivery, for leads: a mail server's answer may
                    // quote the recipient's address, which has no place in the logs.
                    tracing::warn!(
                        delivery.id = %d.id,
                        delivery.channel = %d.channel,
                        attempt = d.attempts + 1,
                        "delivery failed"
                    );
                    let next = next_attempt(d.attempts + 1, at);
                    if conversation::mark_attempt_failed(&app.db, d.id, &why, next, at).await? {
                        finished += 1;
                        tell_leads(app, &d, &why, at).await?;
                    }
                }
            }
        }
        app.committed();
        if !full {
            return Ok(finished);
        }
    }
}

/// A delivery failed for good: every active lead hears of it in their inbox.
async fn tell_leads(app: &App, d: &delivery::Model, why: &str, at: DateTime<Utc>) -> AppResult<()> {
    let Some(ticket_id) = d.ticket_id else {
        return Ok(());
    };
    let Some(loaded) = tickets::find(&app.db, ticket_id).await? else {
        return Ok(());
    };
    let leads =
        users::active_with_roles(&app.db, &[Role::Supervisor, Role::Manager, Role::Admin]).await?;
    let text = format!("{} after {} tries: {why}", d.channel, d.attempts + 1);
    let rows = leads
        .into_iter()
        .map(|lead| {
            notices::entry_row(
                lead,
                StaffNotice::DeliveryFailed.as_str(),
                notices::staff_text(StaffNotice::DeliveryFailed, &loaded.ticket, Some(&text)),
                Some(ticket_id),
                &format!("DELIVERY_FAILED:{}:{}", d.id, at.timestamp()),
                at,
            )
        })
        .collect();
    notices::deliver_to_inboxes(&app.db, rows).await?;
    app.committed();
    Ok(())
}

/// Runs the delivery worker until `shutdown`: a pass whenever a change commits (the write
/// path's signal) and at least every second, so retries and quiet hours come due on time.
pub fn spawn(app: App, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    tokio::spawn(async move {
        let signal = app.delivery_signal();
        loop {
            tokio::select! {
                _ = signal.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
            if let Err(err) = deliver_due(&app, app.now()).await {
                tracing::warn!(error.detail = ?err, "delivery pass failed; the next one retries");
            }
        }
        tracing::info!("delivery worker stopped");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hex_hmac_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn signatures_verify_only_for_their_body_and_key() {
        let sig = sign(b"key-0123456789abcdef", b"body");
        assert!(verify(b"key-0123456789abcdef", b"body", &sig));
        assert!(!verify(b"key-0123456789abcdef", b"body2", &sig));
        assert!(!verify(b"other-0123456789abcd", b"body", &sig));
        assert!(!verify(b"key-0123456789abcdef", b"body", "sha256=zz"));
        assert!(!verify(b"key-0123456789abcdef", b"body", &sig[7..]));
    }

    #[test]
    fn html_parts_escape_the_text() {
        assert_eq!(escape_html("<b>&'\""), "&lt;b&gt;&amp;&#39;&quot;");
    }
}
