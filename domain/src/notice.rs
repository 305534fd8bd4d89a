//! What Careline tells people, and how: the customer notices a ticket's changes cause, the
//! channels they go out on (the app inbox, SMS, email), a customer's contact preferences
//! (channel order, quiet hours, language, opt-out), the shipped message templates and their
//! placeholders, and the retry schedule of a delivery. Pure: the application stores and sends.

use crate::DomainError;
use crate::report::Language;
use crate::ticket::{EventDraft, TicketEventKind, TicketStatus};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

contract_enum! {
    /// A way to reach someone.
    NotificationChannel {
        /// The inbox in the app (`myNotifications`).
        App => "APP",
        /// A text message, through the SMS gateway's webhook.
        Sms => "SMS",
        /// An email, over SMTP.
        Email => "EMAIL",
    }
}

contract_enum! {
    /// Where one delivery stands.
    DeliveryStatus {
        /// Queued, or waiting for the customer's quiet hours to end.
        Pending => "PENDING",
        /// Handed to the mail server or the SMS gateway.
        Sent => "SENT",
        /// Gave up after the last retry.
        Failed => "FAILED",
        /// Not sent on purpose: opted out, no address, or the channel is not configured.
        Suppressed => "SUPPRESSED",
    }
}

contract_enum! {
    /// What Careline tells a customer.
    NotificationEvent {
        /// Their ticket was registered.
        TicketReceived => "TICKET_RECEIVED",
        /// Staff wrote to them.
        AgentReply => "AGENT_REPLY",
        /// Staff wrote and wait for their answer.
        WaitingOnCustomer => "WAITING_ON_CUSTOMER",
        /// They were promised an answer by a time.
        AnswerPromised => "ANSWER_PROMISED",
        /// Their ticket was resolved.
        Resolved => "RESOLVED",
        /// A follow-up visit was recorded.
        FollowUp => "FOLLOW_UP",
        /// They are invited to a satisfaction survey.
        SurveyInvitation => "SURVEY_INVITATION",
    }
}

contract_enum! {
    /// What lands in a staff member's inbox.
    StaffNotice {
        /// A ticket was assigned to them.
        Assigned => "ASSIGNED",
        /// A customer wrote on a ticket they hold.
        CustomerMessage => "CUSTOMER_MESSAGE",
        /// A delivery to a customer failed for good (leads).
        DeliveryFailed => "DELIVERY_FAILED",
        /// Praise was registered for them, their team or their department (or someone they
        /// lead).
        Praised => "PRAISED",
        /// A callback of theirs is due within the hour.
        CallbackDue => "CALLBACK_DUE",
        /// A callback of someone they lead passed its due time (supervisors).
        CallbackOverdue => "CALLBACK_OVERDUE",
        /// An escalation was routed to them.
        Escalated => "ESCALATED",
        /// A corrective action their department owns is due tomorrow, or overdue (liaisons).
        CorrectiveActionDue => "CORRECTIVE_ACTION_DUE",
    }
}

/// Longest message a customer may write, in characters.
pub const MAX_CUSTOMER_MESSAGE_CHARS: usize = 5_000;

/// Messages a customer may write on one ticket in an hour.
pub const CUSTOMER_MESSAGES_PER_HOUR: u64 = 30;

/// The time zone a customer's preferences start with.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

impl NotificationEvent {
    /// Whether an opted-out customer still gets it: replies to their own contacts do;
    /// follow-up visits and survey invitations (care messages) do not.
    pub const fn reaches_opted_out(self) -> bool {
        !matches!(
            self,
            NotificationEvent::FollowUp | NotificationEvent::SurveyInvitation
        )
    }
}

/// Local quiet hours, `22:00-08:00`: SMS and email wait until they end. A window whose end is
/// before its start runs over midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// Local start.
    pub start: NaiveTime,
    /// Local end (exclusive).
    pub end: NaiveTime,
}

impl QuietHours {
    /// Parses `HH:MM-HH:MM`.
    pub fn parse(value: &str, field: &str) -> Result<QuietHours, DomainError> {
        let bad = || {
            DomainError::invalid(
                field,
                "quiet hours look like 22:00-08:00 (local start and end, 24-hour clock)",
            )
        };
        let (start, end) = value.trim().split_once('-').ok_or_else(bad)?;
        let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
        let (start, end) = (time(start)?, time(end)?);
        if start == end {
            return Err(DomainError::invalid(
                field,
                "quiet hours must start and end at different times",
            ));
        }
        Ok(QuietHours { start, end })
    }

    /// Whether local time `t` falls inside.
    pub fn contains(self, t: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

impl std::fmt::Display for QuietHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

/// How a customer wants to be reached.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactPreferences {
    /// Channels in order of preference, each once, at least one.
    pub channels: Vec<NotificationChannel>,
    /// When SMS and email wait.
    pub quiet_hours: Option<QuietHours>,
    /// The customer's time zone (quiet hours and times in messages).
    pub time_zone: Tz,
    /// The language of everything sent to them.
    pub language: Language,
    /// No care messages (see [`NotificationEvent::reaches_opted_out`]).
    pub opted_out: bool,
}

/// A change to [`ContactPreferences`]: only the fields given change; `quiet_hours: Some("")`
/// clears them.
#[derive(Debug, Clone, Default)]
pub struct PreferencesChange {
    /// New channel order.
    pub channels: Option<Vec<NotificationChannel>>,
    /// New quiet hours, or `""` for none.
    pub quiet_hours: Option<String>,
    /// New IANA time zone.
    pub time_zone: Option<String>,
    /// `zh-CN` or `en`.
    pub language: Option<String>,
    /// New opt-out.
    pub opted_out: Option<bool>,
}

impl ContactPreferences {
    /// Before a customer says otherwise: the app, then email if an address is known, else SMS
    /// if a phone is known.
    pub fn defaults(has_email: bool, has_phone: bool) -> ContactPreferences {
        let mut channels = vec![NotificationChannel::App];
        if has_email {
            channels.push(NotificationChannel::Email);
        } else if has_phone {
            channels.push(NotificationChannel::Sms);
        }
        ContactPreferences {
            channels,
            quiet_hours: None,
            time_zone: Tz::Asia__Shanghai,
            language: Language::ZhCn,
            opted_out: false,
        }
    }

    /// These preferences with `change` applied, or why not (fields under `input.`).
    pub fn changed(&self, change: PreferencesChange) -> Result<ContactPreferences, DomainError> {
        let mut next = self.clone();
        if let Some(channels) = change.channels {
            if channels.is_empty() {
                return Err(DomainError::invalid(
                    "input.channels",
                    "name at least one channel",
                ));
            }
            let mut seen = Vec::with_capacity(channels.len());
            for c in channels {
                if seen.contains(&c) {
                    return Err(DomainError::invalid(
                        "input.channels",
                        format!("{c} is listed twice"),
                    ));
                }
                seen.push(c);
            }
            next.channels = seen;
        }
        if let Some(q) = change.quiet_hours {
            next.quiet_hours = if q.trim().is_empty() {
                None
            } else {
                Some(QuietHours::parse(&q, "input.quietHours")?)
            };
        }
        if let Some(tz) = change.time_zone {
            next.time_zone = tz.trim().parse().map_err(|_| {
                DomainError::invalid(
                    "input.timeZone",
                    "not a time zone: use an IANA name like Asia/Shanghai",
                )
            })?;
        }
        if let Some(language) = change.language {
            next.language = parse_language(&language, "input.language")?;
        }
        if let Some(opted_out) = change.opted_out {
            next.opted_out = opted_out;
        }
        Ok(next)
    }

    /// When SMS and email queued at `at` may go: `None` now, else the end of the quiet hours.
    pub fn quiet_until(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let quiet = self.quiet_hours?;
        let local = at.with_timezone(&self.time_zone);
        if !quiet.contains(local.time()) {
            return None;
        }
        let today = local.date_naive();
        let end_date = if quiet.end > local.time() {
            today
        } else {
            today.succ_opt()?
        };
        // A local end that a clock change skips comes at the earliest valid time after it.
        let naive = end_date.and_time(quiet.end);
        self.time_zone
            .from_local_datetime(&naive)
            .earliest()
            .or_else(|| {
                self.time_zone
                    .from_local_datetime(&(naive + Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
    }

    /// The stored channel list (`APP,EMAIL`).
    pub fn channels_str(&self) -> String {
        self.channels
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads stored preferences; `None` if a stored value is not one the domain knows.
    pub fn from_stored(
        channels: &str,
        quiet_hours: Option<&str>,
        time_zone: &str,
        language: &str,
        opted_out: bool,
    ) -> Option<ContactPreferences> {
        let channels = channels
            .split(',')
            .map(NotificationChannel::parse)
            .collect::<Option<Vec<_>>>()?;
        let quiet_hours = match quiet_hours {
            Some(q) => Some(QuietHours::parse(q, "quietHours").ok()?),
            None => None,
        };
        Some(ContactPreferences {
            channels,
            quiet_hours,
            time_zone: time_zone.parse().ok()?,
            language: parse_language(language, "language").ok()?,
            opted_out,
        })
    }
}

/// `zh-CN` or `en`, exactly.
pub fn parse_language(value: &str, field: &str) -> Result<Language, DomainError> {
    match value.trim() {
        "zh-CN" => Ok(Language::ZhCn),
        "en" => Ok(Language::En),
        _ => Err(DomainError::invalid(field, "the language is zh-CN or en")),
    }
}

/// What a customer can be reached at, and which outside channels are configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reach<'a> {
    /// Their email address, if known.
    pub email: Option<&'a str>,
    /// Their phone number, if known.
    pub phone: Option<&'a str>,
    /// Email is configured (`SMTP_URL`).
    pub email_configured: bool,
    /// SMS is configured (`SMS_WEBHOOK_URL`).
    pub sms_configured: bool,
}

/// What becomes of a notice on one outside channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The channel.
    pub channel: NotificationChannel,
    /// The address, when there is one.
    pub address: Option<String>,
    /// `Pending` (to send) or `Suppressed`.
    pub status: DeliveryStatus,
    /// Why it is suppressed.
    pub detail: Option<&'static str>,
}

/// Where a notice goes outside the app (the app inbox always gets it): the customer's outside
/// channels in their order, up to and including the first that can reach them. Channels
/// passed over on the way (not configured, no address) and everything when the customer opted
/// out of this kind of notice are recorded `SUPPRESSED` with the reason.
pub fn routes(
    prefs: &ContactPreferences,
    event: NotificationEvent,
    reach: Reach<'_>,
) -> Vec<Route> {
    let mut out = Vec::new();
    for &channel in &prefs.channels {
        let (address, configured) = match channel {
            NotificationChannel::App => continue,
            NotificationChannel::Email => (reach.email, reach.email_configured),
            NotificationChannel::Sms => (reach.phone, reach.sms_configured),
        };
        let suppressed = |detail| Route {
            channel,
            address: address.map(str::to_owned),
            status: DeliveryStatus::Suppressed,
            detail: Some(detail),
        };
        if prefs.opted_out && !event.reaches_opted_out() {
            out.push(suppressed("the customer opted out of such messages"));
            break;
        }
        if !configured {
            out.push(suppressed(match channel {
                NotificationChannel::Email => "email is not configured (SMTP_URL)",
                _ => "SMS is not configured (SMS_WEBHOOK_URL)",
            }));
            continue;
        }
        let Some(address) = address else {
            out.push(suppressed(match channel {
                NotificationChannel::Email => "no email address on record",
                _ => "no phone number on record",
            }));
            continue;
        };
        out.push(Route {
            channel,
            address: Some(address.to_owned()),
            status: DeliveryStatus::Pending,
            detail: None,
        });
        break;
    }
    out
}

/// The notice a change's timeline entries cause the customer, if any: which event, the text it
/// carries, and the index of the entry it belongs to. One notice per change: a reply that
/// also waits for the customer is one `WAITING_ON_CUSTOMER`.
pub fn customer_notice(
    entries: &[EventDraft],
) -> Option<(NotificationEvent, Option<String>, usize)> {
    let waits = entries
        .iter()
        .any(|e| e.to_status == Some(TicketStatus::PendingCustomer));
    let mut found = None;
    for (i, e) in entries.iter().enumerate() {
        if e.internal {
            continue;
        }
        let event = match e.kind {
            TicketEventKind::Created => NotificationEvent::TicketReceived,
            TicketEventKind::CustomerReply if waits => NotificationEvent::WaitingOnCustomer,
            TicketEventKind::CustomerReply => NotificationEvent::AgentReply,
            TicketEventKind::StatusChanged
                if e.to_status == Some(TicketStatus::PendingCustomer) =>
            {
                NotificationEvent::WaitingOnCustomer
            }
            TicketEventKind::AnswerPromised => NotificationEvent::AnswerPromised,
            TicketEventKind::Resolved => NotificationEvent::Resolved,
            TicketEventKind::FollowUpRecorded => NotificationEvent::FollowUp,
            _ => continue,
        };
        // The reply's text wins over a bare status change.
        match found {
            Some((NotificationEvent::WaitingOnCustomer, Some(_), _)) => {}
            _ => found = Some((event, e.message.clone(), i)),
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Templates.

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "ticket.number",
    "ticket.subject",
    "customer.name",
    "agent.name",
    "agent.workNumber",
    "message",
    "promisedAnswerAt",
];

/// Longest template body, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 4_000;

/// The `{{placeholders}}` in `text`, in order; an unclosed `{{` is an error.
fn placeholders(text: &str) -> Result<Vec<&str>, ()> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or(())?;
        out.push(after[..close].trim());
        rest = &after[close + 2..];
    }
    Ok(out)
}

/// Checks a template text: every placeholder is one of [`PLACEHOLDERS`].
pub fn check_template(text: &str, field: &str) -> Result<(), DomainError> {
    let found = placeholders(text)
        .map_err(|()| DomainError::invalid(field, "a {{ placeholder is not closed with }}"))?;
    if let Some(unknown) = found.iter().find(|p| !PLACEHOLDERS.contains(p)) {
        return Err(DomainError::invalid(field, {
            let known = PLACEHOLDERS.join(", ");
            format!("unknown placeholder {{{{{unknown}}}}}; known: {known}")
        }));
    }
    Ok(())
}

/// Fills `text`'s placeholders from `value` (unknown or missing ones become empty).
pub fn render(text: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        out.push_str(&value(after[..close].trim()).unwrap_or_default());
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out.trim().to_owned()
}

/// A message template: subject (email only) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Email subject; for the app it is the inbox entry's title.
    pub subject: String,
    /// Body text.
    pub body: String,
}

/// The template Careline ships for `event` in `language` (the same words on every channel;
/// SMS carries the sender's name in front).
pub fn shipped(
    event: NotificationEvent,
    channel: NotificationChannel,
    language: Language,
) -> Template {
    use NotificationEvent::*;
    let (subject, body) = match (language, event) {
        (Language::ZhCn, TicketReceived) => (
            "我们已收到您的工单 {{ticket.number}}",
            "您好，{{customer.name}}：我们已收到您关于“{{ticket.subject}}”的来信（工单号 {{ticket.number}}），将及时处理，并第一时间告知您进展。",
        ),
        (Language::ZhCn, AgentReply) => (
            "工单 {{ticket.number}} 有新回复",
            "{{agent.name}} 回复您：{{message}}",
        ),
        (Language::ZhCn, WaitingOnCustomer) => (
            "工单 {{ticket.number}} 需要您的回复",
            "为继续处理“{{ticket.subject}}”，我们需要您的回复。{{message}}",
        ),
        (Language::ZhCn, AnswerPromised) => (
            "工单 {{ticket.number}} 的预计答复时间",
            "关于“{{ticket.subject}}”，我们预计在 {{promisedAnswerAt}} 前答复您。{{message}}",
        ),
        (Language::ZhCn, Resolved) => (
            "工单 {{ticket.number}} 已处理完毕",
            "您关于“{{ticket.subject}}”的问题已处理：{{message}}",
        ),
        (Language::ZhCn, FollowUp) => (
            "工单 {{ticket.number}} 的回访",
            "您好，{{customer.name}}：感谢您就“{{ticket.subject}}”接受我们的回访。{{message}}",
        ),
        (Language::ZhCn, SurveyInvitation) => (
            "邀请您评价我们的服务",
            "您好，{{customer.name}}：请花一分钟评价我们就工单 {{ticket.number}} 为您提供的服务。{{message}}",
        ),
        (Language::En, TicketReceived) => (
            "We received your request {{ticket.number}}",
            "Hello {{customer.name}}, we received your message about \"{{ticket.subject}}\" (ticket {{ticket.number}}). We will deal with it promptly and tell you as soon as there is news.",
        ),
        (Language::En, AgentReply) => (
            "New reply on {{ticket.number}}",
            "{{agent.name}} wrote: {{message}}",
        ),
        (Language::En, WaitingOnCustomer) => (
            "We need your answer on {{ticket.number}}",
            "To go on with \"{{ticket.subject}}\" we need your answer. {{message}}",
        ),
        (Language::En, AnswerPromised) => (
            "When you will hear from us on {{ticket.number}}",
            "About \"{{ticket.subject}}\": we will answer you by {{promisedAnswerAt}}. {{message}}",
        ),
        (Language::En, Resolved) => (
            "{{ticket.number}} is resolved",
            "Your request about \"{{ticket.subject}}\" is resolved: {{message}}",
        ),
        (Language::En, FollowUp) => (
            "Following up on {{ticket.number}}",
            "Hello {{customer.name}}, thank you for talking to us again about \"{{ticket.subject}}\". {{message}}",
        ),
        (Language::En, SurveyInvitation) => (
            "How did we do?",
            "Hello {{customer.name}}, please take a minute to rate the service you had on ticket {{ticket.number}}. {{message}}",
        ),
    };
    let body = match (channel, language) {
        (NotificationChannel::Sms, Language::ZhCn) => format!("【Careline 客服】{body}"),
        (NotificationChannel::Sms, Language::En) => format!("[Careline] {body}"),
        _ => body.to_owned(),
    };
    Template {
        subject: subject.to_owned(),
        body,
    }
}

// ---------------------------------------------------------------------------------------------
// Retries.

/// Waits between attempts of a delivery: five tries over a little more than two hours.
pub const RETRY_DELAYS: [Duration; 4] = [
    Duration::minutes(2),
    Duration::minutes(10),
    Duration::minutes(30),
    Duration::minutes(80),
];

/// When to try again after `attempts` failed tries ending at `at`; `None`: give up.
pub fn next_attempt(attempts: i32, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let i = usize::try_from(attempts).ok()?.checked_sub(1)?;
    RETRY_DELAYS.get(i).map(|d| at + *d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .map(|t| t.and_utc())
            .unwrap_or_default()
    }

    fn prefs(quiet: &str) -> ContactPreferences {
        ContactPreferences::defaults(true, true)
            .changed(PreferencesChange {
                quiet_hours: Some(quiet.to_owned()),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn defaults_are_the_app_then_email_else_sms() {
        use NotificationChannel::*;
        assert_eq!(
            ContactPreferences::defaults(true, true).channels,
            [App, Email]
        );
        assert_eq!(
            ContactPreferences::defaults(false, true).channels,
            [App, Sms]
        );
        assert_eq!(ContactPreferences::defaults(false, false).channels, [App]);
    }

    #[test]
    fn quiet_hours_over_midnight_hold_until_their_local_end() {
        let p = prefs("22:00-08:00");
        // 23:30 in Shanghai is 15:30 UTC: held until 08:00 local, 00:00 UTC the next day.
        assert_eq!(
            p.quiet_until(utc(2026, 12, 7, 15, 30)),
            Some(utc(2026, 12, 8, 0, 0))
        );
        // 07:00 local (23:00 UTC the day before): until 08:00 the same local day.
        assert_eq!(
            p.quiet_until(utc(2026, 12, 7, 23, 0)),
            Some(utc(2026, 12, 8, 0, 0))
        );
        // Noon local: not quiet.
        assert_eq!(p.quiet_until(utc(2026, 12, 7, 4, 0)), None);
        // Exactly at the end: not quiet.
        assert_eq!(p.quiet_until(utc(2026, 12, 8, 0, 0)), None);
    }

    #[test]
    fn quiet_hours_within_a_day_and_bad_ones() {
        let p = prefs("12:00-13:30");
        assert_eq!(
            p.quiet_until(utc(2026, 12, 7, 4, 10)),
            Some(utc(2026, 12, 7, 5, 30))
        );
        for bad in ["22:00", "25:00-08:00", "08:00-08:00", "late"] {
            let e = ContactPreferences::defaults(true, true).changed(PreferencesChange {
                quiet_hours: Some(bad.to_owned()),
                ..Default::default()
            });
            assert!(e.is_err(), "{bad}");
        }
        let cleared = p
            .changed(PreferencesChange {
                quiet_hours: Some(String::new()),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cleared.quiet_hours, None);
    }

    #[test]
    fn a_change_touches_only_the_fields_given_and_checks_them() {
        let p = ContactPreferences::defaults(true, false);
        let q = p
            .changed(PreferencesChange {
                language: Some("en".to_owned()),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.language, Language::En);
        assert_eq!(q.channels, p.channels);
        for change in [
            PreferencesChange {
                channels: Some(vec![]),
                ..Default::default()
            },
            PreferencesChange {
                channels: Some(vec![NotificationChannel::Sms, NotificationChannel::Sms]),
                ..Default::default()
            },
            PreferencesChange {
                time_zone: Some("Mars/Olympus".to_owned()),
                ..Default::default()
            },
            PreferencesChange {
                language: Some("fr".to_owned()),
                ..Default::default()
            },
        ] {
            assert!(p.changed(change).is_err());
        }
        let stored =
            ContactPreferences::from_stored(&q.channels_str(), None, "Asia/Shanghai", "en", false);
        assert_eq!(stored, Some(q));
    }

    #[test]
    fn routes_take_the_first_channel_that_reaches_and_record_the_rest() {
        use NotificationChannel::*;
        let mut p = ContactPreferences::defaults(true, true);
        p.channels = vec![App, Sms, Email];
        let reach = Reach {
            email: Some("li@example.com"),
            phone: None,
            email_configured: true,
            sms_configured: true,
        };
        let r = routes(&p, NotificationEvent::AgentReply, reach);
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].channel, r[0].status),
            (Sms, DeliveryStatus::Suppressed)
        );
        assert_eq!(r[0].detail, Some("no phone number on record"));
        assert_eq!(
            (r[1].channel, r[1].status),
            (Email, DeliveryStatus::Pending)
        );
        // Not configured: suppressed with that reason, never an error.
        let off = Reach {
            email_configured: false,
            ..reach
        };
        let r = routes(
            &ContactPreferences::defaults(true, false),
            NotificationEvent::Resolved,
            off,
        );
        assert_eq!(r[0].status, DeliveryStatus::Suppressed);
        assert_eq!(r[0].detail, Some("email is not configured (SMTP_URL)"));
        // Opted out: replies still go, care messages do not.
        p.opted_out = true;
        let r = routes(&p, NotificationEvent::AgentReply, reach);
        assert_eq!(r.last().map(|r| r.status), Some(DeliveryStatus::Pending));
        let r = routes(&p, NotificationEvent::SurveyInvitation, reach);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].status, DeliveryStatus::Suppressed);
    }

    #[test]
    fn a_reply_that_waits_is_one_waiting_notice_with_the_replys_text() {
        let reply = EventDraft {
            kind: TicketEventKind::CustomerReply,
            internal: false,
            message: Some("which model is it?".to_owned()),
            from_status: None,
            to_status: None,
        };
        let wait = EventDraft {
            kind: TicketEventKind::StatusChanged,
            internal: false,
            message: None,
            from_status: Some(TicketStatus::Open),
            to_status: Some(TicketStatus::PendingCustomer),
        };
        assert_eq!(
            customer_notice(&[reply.clone(), wait.clone()]),
            Some((
                NotificationEvent::WaitingOnCustomer,
                Some("which model is it?".to_owned()),
                0
            ))
        );
        assert_eq!(
            customer_notice(std::slice::from_ref(&reply)).map(|n| n.0),
            Some(NotificationEvent::AgentReply)
        );
        let note = EventDraft {
            kind: TicketEventKind::NoteAdded,
            internal: true,
            ..reply
        };
        assert_eq!(customer_notice(&[note]), None);
    }

    #[test]
    fn every_shipped_template_uses_known_placeholders_only() {
        for event in NotificationEvent::ALL {
            for channel in NotificationChannel::ALL {
                for language in [Language::ZhCn, Language::En] {
                    let t = shipped(event, channel, language);
                    assert!(check_template(&t.subject, "subject").is_ok(), "{event:?}");
                    assert!(check_template(&t.body, "body").is_ok(), "{event:?}");
                }
            }
        }
        assert!(check_template("Hi {{customer.nickname}}", "body").is_err());
        assert!(check_template("Hi {{customer.name", "body").is_err());
        let out = render("Hi {{ customer.name }}, {{message}}", |p| {
            (p == "customer.name").then(|| "Li".to_owned())
        });
        assert_eq!(out, "Hi Li,");
    }

    #[test]
    fn five_tries_over_about_two_hours() {
        let t = utc(2026, 12, 7, 0, 0);
        let mut at = t;
        let mut attempts = 1;
        while let Some(next) = next_attempt(attempts, at) {
            at = next;
            attempts += 1;
        }
        assert_eq!(attempts, 5);
        assert!(at - t >= Duration::minutes(110) && at - t <= Duration::minutes(150));
    }
}
