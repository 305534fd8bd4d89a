//! Response-time targets, the default policies from the service manual, and how a ticket
//! picks its policy.

use serde::{Deserialize, Serialize};

use super::BusinessCalendar;
use crate::DomainError;
use crate::ticket::{Severity, TicketKind};

/// The time zone of the default policies: the contact centre's own.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// The default shifts, 09:00–18:00 and 18:00–23:00 seven days a week. Written as two shifts
/// because that is how the manual states them; they merge into 09:00–23:00.
pub const DEFAULT_WINDOWS: &str = "09:00-18:00,18:00-23:00";

/// The calendar of targets that run around the clock (major complaints).
pub const ALWAYS_OPEN_WINDOWS: &str = "24x7";

/// One business day on the default calendar: the 14 open hours from 09:00 to 23:00.
pub const BUSINESS_DAY_MINUTES: i64 = 14 * 60;

/// Once a responsible department hands a solution back, the customer must be told within
/// one business day (counted on the ticket's calendar), so the loop is not left open on the
/// last step.
pub const SOLUTION_NOTICE_MINUTES: i64 = BUSINESS_DAY_MINUTES;

/// Which clock a target sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SlaTargetKind {
    /// From intake until the ticket is acknowledged (`NEW` → `OPEN`).
    FirstResponse,
    /// From intake until the solution is communicated (`RESOLVED`).
    Resolution,
}

impl SlaTargetKind {
    /// Both kinds, in contract order.
    pub const ALL: [SlaTargetKind; 2] = [SlaTargetKind::FirstResponse, SlaTargetKind::Resolution];

    /// The contract spelling, e.g. `FIRST_RESPONSE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SlaTargetKind::FirstResponse => "FIRST_RESPONSE",
            SlaTargetKind::Resolution => "RESOLUTION",
        }
    }
}

/// A policy shipped with the product, used to seed the configurable policy table. Kinds and
/// severities use the contract spellings (`COMPLAINT`, `MAJOR`, …) so this module does not
/// depend on the ticket vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultPolicy {
    /// A name for people, e.g. `Major complaint`.
    pub name: &'static str,
    /// The ticket kind it applies to.
    pub kind: &'static str,
    /// The severity it applies to; `None` applies to any severity of the kind.
    pub severity: Option<&'static str>,
    /// First-response target in business minutes.
    pub first_response_minutes: i64,
    /// Resolution target in business minutes.
    pub resolution_minutes: i64,
    /// IANA time zone of the calendar.
    pub time_zone: &'static str,
    /// Opening windows of the calendar (see [`BusinessCalendar`]).
    pub windows: &'static str,
}

impl DefaultPolicy {
    /// The target for one clock, in business minutes.
    pub const fn target_minutes(&self, kind: SlaTargetKind) -> i64 {
        match kind {
            SlaTargetKind::FirstResponse => self.first_response_minutes,
            SlaTargetKind::Resolution => self.resolution_minutes,
        }
    }

    /// The policy's calendar.
    pub fn calendar(&self) -> Result<BusinessCalendar, DomainError> {
        BusinessCalendar::parse(self.time_zone, self.windows)
    }
}

const fn business_hours(
    name: &'static str,
    kind: &'static str,
    severity: Option<&'static str>,
    first_response_minutes: i64,
    resolution_minutes: i64,
) -> DefaultPolicy {
    DefaultPolicy {
        name,
        kind,
        severity,
        first_response_minutes,
        resolution_minutes,
        time_zone: DEFAULT_TIME_ZONE,
        windows: DEFAULT_WINDOWS,
    }
}

/// The manual's response-time standards. "Business day" targets are whole days of the
/// default calendar ([`BUSINESS_DAY_MINUTES`] each); major complaints run around the clock,
/// so their 24 hours are wall-clock hours.
///
/// Every complaint severity has its own policy, so there is deliberately no catch-all
/// `COMPLAINT` policy: a complaint without a severity matches nothing here.
pub const DEFAULT_POLICIES: &[DefaultPolicy] = &[
    business_hours("Inquiry", "INQUIRY", None, 60, BUSINESS_DAY_MINUTES),
    business_hours(
        "General complaint",
        "COMPLAINT",
        Some("GENERAL"),
        120,
        3 * BUSINESS_DAY_MINUTES,
    ),
    business_hours(
        "Important complaint",
        "COMPLAINT",
        Some("IMPORTANT"),
        60,
        2 * BUSINESS_DAY_MINUTES,
    ),
    DefaultPolicy {
        name: "Major complaint",
        kind: "COMPLAINT",
        severity: Some("MAJOR"),
        first_response_minutes: 15,
        resolution_minutes: 24 * 60,
        time_zone: DEFAULT_TIME_ZONE,
        windows: ALWAYS_OPEN_WINDOWS,
    },
    business_hours(
        "After-sales",
        "AFTER_SALES",
        None,
        4 * 60,
        3 * BUSINESS_DAY_MINUTES,
    ),
    business_hours(
        "Technical support",
        "TECHNICAL_SUPPORT",
        None,
        120,
        2 * BUSINESS_DAY_MINUTES,
    ),
    business_hours(
        "Suggestion",
        "SUGGESTION",
        None,
        BUSINESS_DAY_MINUTES,
        5 * BUSINESS_DAY_MINUTES,
    ),
    business_hours(
        "Praise",
        "PRAISE",
        None,
        BUSINESS_DAY_MINUTES,
        5 * BUSINESS_DAY_MINUTES,
    ),
];

/// The policy that applies to a ticket of `kind` and `severity`.
///
/// `key` reads a policy's kind and severity, so stored policy rows and
/// [`DEFAULT_POLICIES`] are matched by the same rule: the kind must be equal; a policy
/// naming the ticket's severity beats one naming no severity; a policy naming another
/// severity never applies. Among equally specific policies the first in `policies` wins, so
/// callers control ties by ordering.
pub fn most_specific<'a, P>(
    policies: &'a [P],
    kind: &str,
    severity: Option<&str>,
    key: impl Fn(&P) -> (&str, Option<&str>),
) -> Option<&'a P> {
    let mut any_severity = None;
    for policy in policies {
        let (policy_kind, policy_severity) = key(policy);
        if policy_kind != kind {
            continue;
        }
        match policy_severity {
            Some(wanted) if Some(wanted) == severity => return Some(policy),
            Some(_) => {}
            None => {
                any_severity.get_or_insert(policy);
            }
        }
    }
    any_severity
}

/// The longest target a policy may set: a year, in minutes.
pub const MAX_TARGET_MINUTES: i32 = 525_600;

/// A policy as an administrator submits it, before any check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyDraft<'a> {
    /// The ticket kind it applies to.
    pub kind: TicketKind,
    /// The severity it applies to (complaints only); `None` for any.
    pub severity: Option<Severity>,
    /// First-response target in business minutes.
    pub first_response_minutes: i32,
    /// Resolution target in business minutes.
    pub resolution_minutes: i32,
    /// IANA time zone of the calendar.
    pub time_zone: &'a str,
    /// Opening windows of the calendar (see [`BusinessCalendar`]).
    pub windows: &'a str,
}

/// A policy that passed [`validate_policy`]: targets in range and in order, a severity only
/// on a complaint, and a calendar that parses (store its normal form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedPolicy {
    /// The ticket kind it applies to.
    pub kind: TicketKind,
    /// The severity it applies to; only ever `Some` for complaints.
    pub severity: Option<Severity>,
    /// First-response target in business minutes, 1 to [`MAX_TARGET_MINUTES`].
    pub first_response_minutes: i32,
    /// Resolution target in business minutes, at least the first-response target.
    pub resolution_minutes: i32,
    /// The parsed calendar; its [`BusinessCalendar::time_zone_name`] and
    /// [`BusinessCalendar::windows_spec`] are the canonical spellings.
    pub calendar: BusinessCalendar,
}

/// Checks a policy an administrator submits, in this order: the calendar parses (errors on
/// `input.timeZone` / `input.windows`); each target is between 1 minute and a year
/// (`input.firstResponseMinutes`, `input.resolutionMinutes`); the resolution target is not
/// shorter than the first-response target (`input.resolutionMinutes`); only complaints have
/// a severity (`input.severity`). Every refusal is [`DomainError::InvalidInput`].
pub fn validate_policy(draft: &PolicyDraft<'_>) -> Result<ValidatedPolicy, DomainError> {
    let calendar = BusinessCalendar::parse(draft.time_zone, draft.windows)?;
    for (field, minutes) in [
        ("input.firstResponseMinutes", draft.first_response_minutes),
        ("input.resolutionMinutes", draft.resolution_minutes),
    ] {
        if !(1..=MAX_TARGET_MINUTES).contains(&minutes) {
            return Err(DomainError::invalid(
                field,
                "must be between 1 minute and a year",
            ));
        }
    }
    if draft.resolution_minutes < draft.first_response_minutes {
        return Err(DomainError::invalid(
            "input.resolutionMinutes",
            "the resolution target cannot be shorter than the first-response target",
        ));
    }
    if draft.severity.is_some() && draft.kind != TicketKind::Complaint {
        return Err(DomainError::invalid(
            "input.severity",
            "only complaints have a severity",
        ));
    }
    Ok(ValidatedPolicy {
        kind: draft.kind,
        severity: draft.severity,
        first_response_minutes: draft.first_response_minutes,
        resolution_minutes: draft.resolution_minutes,
        calendar,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRAFT: PolicyDraft<'static> = PolicyDraft {
        kind: TicketKind::Complaint,
        severity: Some(Severity::Major),
        first_response_minutes: 15,
        resolution_minutes: 1440,
        time_zone: " Asia/Shanghai ",
        windows: "09:00-18:00,18:00-23:00",
    };

    fn refusal(draft: PolicyDraft<'_>) -> (String, String) {
        match validate_policy(&draft) {
            Err(DomainError::InvalidInput { field, message }) => (field, message),
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn a_sound_policy_is_accepted_with_its_calendar_in_normal_form() {
        let policy = validate_policy(&DRAFT).unwrap();
        assert_eq!(policy.kind, TicketKind::Complaint);
        assert_eq!(policy.severity, Some(Severity::Major));
        assert_eq!(policy.first_response_minutes, 15);
        assert_eq!(policy.resolution_minutes, 1440);
        assert_eq!(policy.calendar.time_zone_name(), "Asia/Shanghai");
        assert_eq!(policy.calendar.windows_spec(), "09:00-23:00");
    }

    #[test]
    fn targets_run_from_one_minute_to_a_year() {
        let edges = PolicyDraft {
            first_response_minutes: 1,
            resolution_minutes: MAX_TARGET_MINUTES,
            ..DRAFT
        };
        assert!(validate_policy(&edges).is_ok());
        let message = "must be between 1 minute and a year".to_owned();
        for first in [0, -5, MAX_TARGET_MINUTES + 1] {
            let draft = PolicyDraft {
                first_response_minutes: first,
                resolution_minutes: MAX_TARGET_MINUTES,
                ..DRAFT
            };
            assert_eq!(
                refusal(draft),
                ("input.firstResponseMinutes".to_owned(), message.clone()),
                "{first}"
            );
        }
        for resolution in [0, MAX_TARGET_MINUTES + 1] {
            let draft = PolicyDraft {
                resolution_minutes: resolution,
                ..DRAFT
            };
            assert_eq!(
                refusal(draft),
                ("input.resolutionMinutes".to_owned(), message.clone()),
                "{resolution}"
            );
        }
    }

    #[test]
    fn the_resolution_target_is_not_shorter_than_the_first_response_target() {
        let equal = PolicyDraft {
            first_response_minutes: 60,
            resolution_minutes: 60,
            ..DRAFT
        };
        assert!(validate_policy(&equal).is_ok());
        let shorter = PolicyDraft {
            first_response_minutes: 60,
            resolution_minutes: 59,
            ..DRAFT
        };
        assert_eq!(
            refusal(shorter),
            (
                "input.resolutionMinutes".to_owned(),
                "the resolution target cannot be shorter than the first-response target".to_owned()
            )
        );
    }

    #[test]
    fn only_complaints_have_a_severity() {
        for kind in TicketKind::ALL {
            let draft = PolicyDraft { kind, ..DRAFT };
            if kind == TicketKind::Complaint {
                assert!(validate_policy(&draft).is_ok());
            } else {
                assert_eq!(
                    refusal(draft),
                    (
                        "input.severity".to_owned(),
                        "only complaints have a severity".to_owned()
                    ),
                    "{kind:?}"
                );
                assert!(
                    validate_policy(&PolicyDraft {
                        severity: None,
                        ..draft
                    })
                    .is_ok()
                );
            }
        }
    }

    #[test]
    fn the_calendar_is_checked_first() {
        let draft = PolicyDraft {
            time_zone: "Mars/Olympus",
            first_response_minutes: 0,
            ..DRAFT
        };
        assert_eq!(refusal(draft).0, "input.timeZone");
        let draft = PolicyDraft {
            windows: "whenever",
            kind: TicketKind::Inquiry,
            ..DRAFT
        };
        assert_eq!(refusal(draft).0, "input.windows");
    }

    #[test]
    fn checks_are_reported_in_a_fixed_order() {
        // Every target check fails; the first target is named first.
        let draft = PolicyDraft {
            kind: TicketKind::Inquiry,
            first_response_minutes: 0,
            resolution_minutes: 0,
            ..DRAFT
        };
        assert_eq!(refusal(draft).0, "input.firstResponseMinutes");
        // Out of order and a misplaced severity: the order of the targets wins.
        let draft = PolicyDraft {
            kind: TicketKind::Inquiry,
            first_response_minutes: 120,
            resolution_minutes: 60,
            ..DRAFT
        };
        assert_eq!(refusal(draft).0, "input.resolutionMinutes");
    }
}
