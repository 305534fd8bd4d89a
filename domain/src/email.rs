//! The email channel's rules, free of I/O: which incoming mail is set aside and never
//! answered (so that two robots can never mail each other for ever), how a reply names its
//! ticket in the subject, how quoted history is cut from a reply, and what a new ticket from a
//! mail is called. Parsing MIME is the application's; these rules see only what it found.

use crate::ticket::{MAX_SUBJECT_CHARS, TicketKind};

/// The largest message imported, in bytes, unless `MAX_EMAIL_BYTES` says otherwise (25 MiB).
pub const DEFAULT_MAX_EMAIL_BYTES: u64 = 25 * 1024 * 1024;

/// More mail than this from one sender to one mailbox within an hour is a loop or a flood:
/// the rest of the hour's mail from them is set aside.
pub const MAILS_PER_SENDER_PER_HOUR: u64 = 20;

/// Attachments imported from one message; the rest are noted on the ticket, not stored.
pub const MAX_ATTACHMENTS_PER_MAIL: usize = 20;

/// Message-IDs a reply's `References` header carries at most (the thread's latest).
pub const MAX_REFERENCES: usize = 20;

/// Mailbox names and addresses, in characters.
pub const MAX_MAILBOX_NAME_CHARS: usize = 100;

/// Why a message was set aside instead of imported. Set-aside mail is recorded and counted
/// (`Mailbox.ignored`) and never answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAside {
    /// An automatic answer (out-of-office and the like): `Auto-Submitted`,
    /// `X-Auto-Response-Suppress`.
    AutoReply,
    /// A delivery report (`multipart/report`, or from a mailer daemon).
    Bounce,
    /// Bulk or list mail (`Precedence: bulk|junk|list`, `List-Id`).
    Bulk,
    /// Mail from one of our own addresses.
    OwnAddress,
    /// More than [`MAILS_PER_SENDER_PER_HOUR`] from one sender.
    Flood,
    /// Larger than the configured limit.
    TooLarge,
    /// Not a message that can be read (no sender, unreadable headers).
    Malformed,
    /// Read, but the ticket refused what it says (its rules, not a passing conflict).
    Refused,
}

impl SetAside {
    /// The reason, in words, as recorded.
    pub fn reason(self) -> &'static str {
        match self {
            SetAside::AutoReply => "an automatic reply",
            SetAside::Bounce => "a delivery report (bounce)",
            SetAside::Bulk => "bulk or mailing-list mail",
            SetAside::OwnAddress => "sent from one of our own addresses",
            SetAside::Flood => "too many messages from this sender within an hour",
            SetAside::TooLarge => "larger than the largest message imported",
            SetAside::Malformed => "not a readable message",
            SetAside::Refused => "the ticket's rules refused it",
        }
    }
}

/// What the import found in a message's headers.
#[derive(Debug, Clone, Default)]
pub struct Headers<'a> {
    /// The sender's address, as written.
    pub from: Option<&'a str>,
    /// `Auto-Submitted`.
    pub auto_submitted: Option<&'a str>,
    /// Whether `X-Auto-Response-Suppress` is present.
    pub auto_response_suppress: bool,
    /// `Precedence`.
    pub precedence: Option<&'a str>,
    /// Whether `List-Id` is present.
    pub list_id: bool,
    /// Whether the top-level content type is `multipart/report`.
    pub report: bool,
}

/// Why the message with these headers is set aside, if it is; `own` says whether an address
/// is one of ours. Flood and size limits are the caller's (they need counts).
pub fn set_aside(h: &Headers<'_>, own: impl Fn(&str) -> bool) -> Option<SetAside> {
    let Some(from) = h.from.map(str::trim).filter(|f| f.contains('@')) else {
        return Some(SetAside::Malformed);
    };
    let local = from
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if h.report || matches!(local.as_str(), "mailer-daemon" | "postmaster") {
        return Some(SetAside::Bounce);
    }
    if own(from) {
        return Some(SetAside::OwnAddress);
    }
    if h.auto_submitted
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("no"))
        || h.auto_response_suppress
    {
        return Some(SetAside::AutoReply);
    }
    let bulk = h.precedence.is_some_and(|p| {
        let p = p.trim().to_ascii_lowercase();
        matches!(p.as_str(), "bulk" | "junk" | "list")
    });
    if bulk || h.list_id {
        return Some(SetAside::Bulk);
    }
    None
}

/// The ticket number a subject names as `[#T-20261207-000123]`, if any.
pub fn ticket_number_in_subject(subject: &str) -> Option<&str> {
    let start = subject.find("[#")? + 2;
    let rest = &subject[start..];
    let end = rest.find(']')?;
    let number = rest[..end].trim();
    let shaped = number.len() <= 32
        && !number.is_empty()
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    shaped.then_some(number)
}

/// The subject of a mail about ticket `number`: the ticket's subject, `[#number]` appended
/// once, so the customer's reply finds its way back.
pub fn subject_for(subject: &str, number: &str) -> String {
    let tag = format!("[#{number}]");
    if subject.contains(&tag) {
        subject.to_owned()
    } else if subject.trim().is_empty() {
        tag
    } else {
        format!("{} {tag}", subject.trim())
    }
}

/// A new ticket's subject from a mail's: reply and forward prefixes and ticket tags removed,
/// cut to the longest subject a ticket takes; a blank one is `(no subject)`.
pub fn ticket_subject(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_lowercase();
        let prefix = [
            "re:",
            "fw:",
            "fwd:",
            "aw:",
            "回复：",
            "回复:",
            "转发：",
            "转发:",
        ]
        .iter()
        .find(|p| lower.starts_with(*p));
        match prefix {
            Some(p) => s = s[p.len()..].trim_start(),
            None => break,
        }
    }
    let cleaned: String = s.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return "(no subject)".to_owned();
    }
    cleaned.chars().take(MAX_SUBJECT_CHARS).collect()
}

/// A reply's own words: the quoted history below them cut away (lines quoted with `>`, and
/// everything from an attribution line such as "On … wrote:", "在 … 写道：", or an
/// "-----Original Message-----" / "发件人:" header block on). Never empty when the text was not:
/// a message that is all quote keeps its text.
pub fn trim_quoted(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut kept: Vec<&str> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if history_starts(t) {
            break;
        }
        if t.starts_with('>') {
            continue;
        }
        kept.push(line);
    }
    let own = kept.join("\n").trim().to_owned();
    if own.is_empty() {
        text.trim().to_owned()
    } else {
        own
    }
}

fn history_starts(line: &str) -> bool {
    let lower = line.to_lowercase();
    (lower.starts_with("on ") && lower.ends_with("wrote:"))
        || (line.starts_with('在') && (line.ends_with("写道：") || line.ends_with("写道:")))
        || lower.starts_with("-----original message-----")
        || line.starts_with("-----原始邮件-----")
        || line.starts_with("发件人:")
        || line.starts_with("发件人：")
}

/// Whether mail may open tickets of `kind` by default: praise must name the praised employee,
/// which no mail does.
pub fn mailbox_kind_allowed(kind: TicketKind) -> bool {
    kind != TicketKind::Praise
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(addr: &str) -> Headers<'_> {
        Headers {
            from: Some(addr),
            ..Headers::default()
        }
    }

    fn never(_: &str) -> bool {
        false
    }

    #[test]
    fn ordinary_mail_is_imported() {
        assert_eq!(set_aside(&from("li.lei@example.com"), never), None);
        let h = Headers {
            auto_submitted: Some("no"),
            precedence: Some("first-class"),
            ..from("li.lei@example.com")
        };
        assert_eq!(set_aside(&h, never), None);
    }

    #[test]
    fn robots_and_reports_are_set_aside() {
        let auto = Headers {
            auto_submitted: Some("auto-replied"),
            ..from("a@example.com")
        };
        assert_eq!(set_aside(&auto, never), Some(SetAside::AutoReply));
        let suppress = Headers {
            auto_response_suppress: true,
            ..from("a@example.com")
        };
        assert_eq!(set_aside(&suppress, never), Some(SetAside::AutoReply));
        for p in ["bulk", "Junk", " list "] {
            let h = Headers {
                precedence: Some(p),
                ..from("a@example.com")
            };
            assert_eq!(set_aside(&h, never), Some(SetAside::Bulk), "{p}");
        }
        let list = Headers {
            list_id: true,
            ..from("a@example.com")
        };
        assert_eq!(set_aside(&list, never), Some(SetAside::Bulk));
        let report = Headers {
            report: true,
            ..from("a@example.com")
        };
        assert_eq!(set_aside(&report, never), Some(SetAside::Bounce));
        assert_eq!(
            set_aside(&from("MAILER-DAEMON@mx.example.com"), never),
            Some(SetAside::Bounce)
        );
        assert_eq!(
            set_aside(&from("service@careline.test"), |a| a
                == "service@careline.test"),
            Some(SetAside::OwnAddress)
        );
        assert_eq!(
            set_aside(&Headers::default(), never),
            Some(SetAside::Malformed)
        );
        assert_eq!(set_aside(&from("nobody"), never), Some(SetAside::Malformed));
    }

    #[test]
    fn the_subject_names_the_ticket() {
        assert_eq!(
            ticket_number_in_subject("Re: Broken kettle [#T-20261207-000123]"),
            Some("T-20261207-000123")
        );
        assert_eq!(ticket_number_in_subject("Broken kettle"), None);
        assert_eq!(ticket_number_in_subject("[#] x"), None);
        assert_eq!(ticket_number_in_subject("[#a b]"), None);
        assert_eq!(ticket_number_in_subject("[#T-1"), None);
        let s = subject_for("Broken kettle", "T-20261207-000123");
        assert_eq!(s, "Broken kettle [#T-20261207-000123]");
        assert_eq!(subject_for(&s, "T-20261207-000123"), s);
        assert_eq!(ticket_number_in_subject(&s), Some("T-20261207-000123"));
    }

    #[test]
    fn a_new_tickets_subject_loses_prefixes_and_length() {
        assert_eq!(ticket_subject("Re: Fwd: 回复：水壶坏了"), "水壶坏了");
        assert_eq!(ticket_subject("  "), "(no subject)");
        assert_eq!(ticket_subject("a\u{7}b"), "ab");
        assert_eq!(
            ticket_subject(&"x".repeat(100_000)).chars().count(),
            MAX_SUBJECT_CHARS
        );
    }

    #[test]
    fn quoted_history_is_cut() {
        let reply = "Yes, Tuesday works.\n\nOn Mon, 7 Dec 2026 at 10:00, Careline <service@x> wrote:\n> When may we come?\n";
        assert_eq!(trim_quoted(reply), "Yes, Tuesday works.");
        let zh = "好的，周二可以。\r\n\r\n在 2026年12月7日 10:00，客服 写道：\r\n> 请问何时上门？";
        assert_eq!(trim_quoted(zh), "好的，周二可以。");
        let outlook = "Thanks\n-----Original Message-----\nFrom: x";
        assert_eq!(trim_quoted(outlook), "Thanks");
        let interleaved = "> question\nanswer\n> another\nsecond answer";
        assert_eq!(trim_quoted(interleaved), "answer\nsecond answer");
        assert_eq!(trim_quoted("> only a quote"), "> only a quote");
    }

    #[test]
    fn praise_needs_a_person_so_mail_cannot_default_to_it() {
        assert!(!mailbox_kind_allowed(TicketKind::Praise));
        assert!(mailbox_kind_allowed(TicketKind::Inquiry));
    }
}
