//! Intake: what a new ticket must contain, and the priority it starts with.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::vocabulary::{Channel, TicketStatus};
use super::vocabulary::{ComplaintCategory, Priority, Severity, SuggestionStatus, TicketKind};
use crate::DomainError;

/// Longest subject, in characters (after trimming).
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest free text (description, solution, note, reply, reason), in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Longest short field (demand, location, order number, product name), in characters.
pub const MAX_SHORT_TEXT_CHARS: usize = 500;
/// Most attachments on one ticket.
pub const MAX_ATTACHMENTS: usize = 20;
/// Largest attachment: 50 MiB.
pub const MAX_ATTACHMENT_BYTES: i64 = 50 * 1024 * 1024;
/// Longest attachment file name, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 255;
/// Longest attachment URI, in characters.
pub const MAX_URI_CHARS: usize = 2048;

/// Content types accepted as evidence: photos, documents, recordings. Anything executable or
/// renderable as active content (HTML, SVG) is deliberately absent.
pub const ALLOWED_CONTENT_TYPES: [&str; 15] = [
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "application/pdf",
    "text/plain",
    "audio/mpeg",
    "audio/mp4",
    "audio/wav",
    "video/mp4",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/// Metadata of an evidence file as submitted; the file itself lives in object storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInput {
    /// The file's name, without any directory.
    pub file_name: String,
    /// Its MIME type.
    pub content_type: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// Where it is stored (`https://` or `s3://`).
    pub uri: String,
}

/// Attachment metadata that passed validation (file name trimmed, content type lower-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file's name, without any directory.
    pub file_name: String,
    /// Its MIME type, lower case, one of [`ALLOWED_CONTENT_TYPES`].
    pub content_type: String,
    /// Its size in bytes, 1 to [`MAX_ATTACHMENT_BYTES`].
    pub size_bytes: i64,
    /// Where it is stored.
    pub uri: String,
}

/// A new ticket as submitted, before validation. Who the customer is, the team and when it
/// happened are the caller's concern; these are the fields whose rules are the domain's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicketInput {
    /// What the customer came about.
    pub kind: TicketKind,
    /// How it reached us.
    pub channel: Channel,
    /// One-line summary.
    pub subject: String,
    /// The full story.
    pub description: String,
    /// Required for complaints, refused otherwise.
    pub category: Option<ComplaintCategory>,
    /// Complaints only; defaults to `GENERAL`.
    pub severity: Option<Severity>,
    /// Staff may raise the default; a customer's choice is ignored.
    pub priority: Option<Priority>,
    /// What the customer wants done.
    pub demand: Option<String>,
    /// Where it happened.
    pub location: Option<String>,
    /// The order concerned.
    pub order_number: Option<String>,
    /// The product concerned.
    pub product_name: Option<String>,
    /// Evidence files.
    pub attachments: Vec<AttachmentInput>,
    /// Praise names an employee, a team or a department (at least one); refused otherwise.
    pub praised_employee_id: Option<Uuid>,
    /// The team praised (praise only).
    pub praised_team_id: Option<Uuid>,
    /// The department praised (praise only).
    pub praised_department_id: Option<Uuid>,
}

/// A new ticket that passed [`validate_intake`]: texts trimmed, blanks turned into `None`,
/// severity and priority settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedIntake {
    /// What the customer came about.
    pub kind: TicketKind,
    /// How it reached us.
    pub channel: Channel,
    /// Trimmed, 1 to [`MAX_SUBJECT_CHARS`] characters.
    pub subject: String,
    /// Trimmed, 1 to [`MAX_TEXT_CHARS`] characters.
    pub description: String,
    /// `Some` exactly for complaints.
    pub category: Option<ComplaintCategory>,
    /// `Some` exactly for complaints.
    pub severity: Option<Severity>,
    /// The priority the ticket starts with.
    pub priority: Priority,
    /// What the customer wants done.
    pub demand: Option<String>,
    /// Where it happened.
    pub location: Option<String>,
    /// The order concerned.
    pub order_number: Option<String>,
    /// The product concerned.
    pub product_name: Option<String>,
    /// Evidence files.
    pub attachments: Vec<Attachment>,
    /// Praise only. Whether it names active staff is for the caller to check.
    pub praised_employee_id: Option<Uuid>,
    /// Praise only: the team praised (checked to exist by the caller).
    pub praised_team_id: Option<Uuid>,
    /// Praise only: the department praised (checked to exist by the caller).
    pub praised_department_id: Option<Uuid>,
    /// Always [`TicketStatus::New`].
    pub initial_status: TicketStatus,
    /// `Some(Proposed)` for suggestions, `None` otherwise.
    pub suggestion_status: Option<SuggestionStatus>,
}

/// Who registers a ticket, as far as intake cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registrar {
    /// The customer, on their own account.
    Customer,
    /// Customer service staff: they become its first-contact owner.
    CustomerService,
    /// A department's liaison registering feedback the department received itself (先进行维修,
    /// 再补办派): the department holds the ticket (it reads it, adds notes and evidence) and
    /// customer service acknowledges it, becoming its owner; its clocks run from when it
    /// happened.
    Department,
}

impl Registrar {
    /// Whether the registrar becomes the ticket's first-contact owner.
    pub fn owns(self) -> bool {
        self == Registrar::CustomerService
    }

    /// When the ticket's response-time clocks start: at registration, or — for feedback a
    /// department registers after the fact — when it happened (never in the future).
    pub fn clock_start(
        self,
        occurred_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        match (self, occurred_at) {
            (Registrar::Department, Some(at)) => at.min(now),
            _ => now,
        }
    }
}

/// The priority a ticket gets from its kind and severity alone.
pub fn default_priority(kind: TicketKind, severity: Option<Severity>) -> Priority {
    match kind {
        TicketKind::Complaint => match severity.unwrap_or(Severity::General) {
            Severity::Major => Priority::Urgent,
            Severity::Important => Priority::High,
            Severity::General => Priority::Normal,
        },
        TicketKind::Inquiry | TicketKind::AfterSales | TicketKind::TechnicalSupport => {
            Priority::Normal
        }
        TicketKind::Suggestion | TicketKind::Praise => Priority::Low,
    }
}

/// Checks a new ticket against the intake rules. `caller_is_staff` decides whether a requested
/// priority counts: staff may raise it above the default (never lower it); customers cannot
/// set it, so theirs is ignored rather than refused — the app may send one by habit.
pub fn validate_intake(
    input: NewTicketInput,
    caller_is_staff: bool,
) -> Result<ValidatedIntake, DomainError> {
    let kind = input.kind;
    let subject = required_text(
        "input.subject",
        "subject",
        &input.subject,
        MAX_SUBJECT_CHARS,
    )?;
    let description = required_text(
        "input.description",
        "description",
        &input.description,
        MAX_TEXT_CHARS,
    )?;

    let category = match (kind, input.category) {
        (TicketKind::Complaint, None) => {
            return Err(DomainError::invalid(
                "input.category",
                "a complaint needs a category",
            ));
        }
        (TicketKind::Complaint, Some(c)) => Some(c),
        // Analytics group complaints by category; a category elsewhere would skew them.
        (_, Some(_)) => {
            return Err(DomainError::invalid(
                "input.category",
                "only complaints have a category",
            ));
        }
        (_, None) => None,
    };

    let severity = match (kind, input.severity) {
        (TicketKind::Complaint, s) => Some(s.unwrap_or(Severity::General)),
        (_, Some(_)) => {
            return Err(DomainError::invalid(
                "input.severity",
                "only complaints have a severity",
            ));
        }
        (_, None) => None,
    };

    let default = default_priority(kind, severity);
    let priority = match input.priority {
        Some(requested) if caller_is_staff => {
            if requested < default {
                return Err(DomainError::invalid(
                    "input.priority",
                    format!(
                        "priority may be raised but not lowered below {default} for this ticket"
                    ),
                ));
            }
            requested
        }
        _ => default,
    };

    let demand = optional_text("input.demand", "demand", input.demand.as_deref())?;
    let location = optional_text("input.location", "location", input.location.as_deref())?;
    let order_number = optional_text(
        "input.orderNumber",
        "order number",
        input.order_number.as_deref(),
    )?;
    let product_name = optional_text(
        "input.productName",
        "product name",
        input.product_name.as_deref(),
    )?;

    if input.attachments.len() > MAX_ATTACHMENTS {
        return Err(DomainError::invalid(
            "input.attachments",
            format!("at most {MAX_ATTACHMENTS} attachments are allowed"),
        ));
    }
    let attachments = input
        .attachments
        .iter()
        .enumerate()
        .map(|(i, a)| validate_attachment(i, a))
        .collect::<Result<Vec<_>, _>>()?;

    // Praise is passed to people, teams and departments alike (000); it counts in a praised
    // person's KPIs, so only praise may name someone.
    let praised = [
        ("input.praisedEmployeeId", input.praised_employee_id),
        ("input.praisedTeamId", input.praised_team_id),
        ("input.praisedDepartmentId", input.praised_department_id),
    ];
    if kind == TicketKind::Praise {
        if praised.iter().all(|(_, id)| id.is_none()) {
            return Err(DomainError::invalid(
                "input.praisedEmployeeId",
                "praise must name the employee, team or department being praised",
            ));
        }
    } else if let Some((field, _)) = praised.iter().find(|(_, id)| id.is_some()) {
        return Err(DomainError::invalid(
            *field,
            "only praise names who is praised",
        ));
    }
    let praised_employee_id = input.praised_employee_id;

    Ok(ValidatedIntake {
        kind,
        channel: input.channel,
        subject,
        description,
        category,
        severity,
        priority,
        demand,
        location,
        order_number,
        product_name,
        attachments,
        praised_employee_id,
        praised_team_id: input.praised_team_id,
        praised_department_id: input.praised_department_id,
        initial_status: TicketStatus::New,
        suggestion_status: (kind == TicketKind::Suggestion).then_some(SuggestionStatus::Proposed),
    })
}

/// Trims `value` and requires 1 to `max` characters; shared with the lifecycle commands.
pub(super) fn required_text(
    field: &str,
    label: &str,
    value: &str,
    max: usize,
) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(field, format!("{label} is required")));
    }
    if trimmed.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("{label} must be at most {max} characters long"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Like [`required_text`] for optional fields: blank means absent, so forms that send empty
/// strings for untouched fields are not refused.
pub(super) fn optional_text_max(
    field: &str,
    label: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required_text(field, label, v, max).map(Some),
    }
}

fn optional_text(
    field: &str,
    label: &str,
    value: Option<&str>,
) -> Result<Option<String>, DomainError> {
    optional_text_max(field, label, value, MAX_SHORT_TEXT_CHARS)
}

/// Checks evidence added to a ticket that already holds `existing` files: each file as at
/// intake (errors on `attachments.N.field`), and at most [`MAX_ATTACHMENTS`] in all.
pub fn validate_added_attachments(
    existing: usize,
    added: &[AttachmentInput],
) -> Result<Vec<Attachment>, DomainError> {
    if added.is_empty() {
        return Err(DomainError::invalid("attachments", "add at least one file"));
    }
    if existing + added.len() > MAX_ATTACHMENTS {
        return Err(DomainError::invalid(
            "attachments",
            format!(
                "a ticket holds at most {MAX_ATTACHMENTS} attachments; it has {existing} already"
            ),
        ));
    }
    added
        .iter()
        .enumerate()
        .map(|(i, a)| validate_attachment_at("attachments", i, a))
        .collect()
}

fn validate_attachment(i: usize, a: &AttachmentInput) -> Result<Attachment, DomainError> {
    validate_attachment_at("input.attachments", i, a)
}

fn validate_attachment_at(
    prefix: &str,
    i: usize,
    a: &AttachmentInput,
) -> Result<Attachment, DomainError> {
    let field = |name: &str| format!("{prefix}.{i}.{name}");

    let file_name = a.file_name.trim();
    let name_chars = file_name.chars().count();
    if name_chars == 0 || name_chars > MAX_FILE_NAME_CHARS {
        return Err(DomainError::invalid(
            field("fileName"),
            format!("file name must be 1 to {MAX_FILE_NAME_CHARS} characters long"),
        ));
    }
    // A name that carries a path (or is one) could escape a download directory on a client.
    if file_name
        .chars()
        .any(|c| c == '/' || c == '\\' || c.is_control())
        || file_name == "."
        || file_name == ".."
    {
        return Err(DomainError::invalid(
            field("fileName"),
            "file name must not contain slashes, backslashes or control characters",
        ));
    }

    let content_type = a.content_type.trim().to_ascii_lowercase();
    if !ALLOWED_CONTENT_TYPES.contains(&content_type.as_str()) {
        return Err(DomainError::invalid(
            field("contentType"),
            "this file type is not accepted; use an image, PDF, text, audio, video, Word or Excel file",
        ));
    }

    if !(1..=MAX_ATTACHMENT_BYTES).contains(&a.size_bytes) {
        return Err(DomainError::invalid(
            field("sizeBytes"),
            "file size must be between 1 byte and 50 MiB",
        ));
    }

    let uri = a.uri.as_str();
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("s3://"));
    let well_formed = rest.is_some_and(|r| !r.is_empty())
        && uri.chars().count() <= MAX_URI_CHARS
        && !uri.chars().any(|c| c.is_whitespace() || c.is_control());
    if !well_formed {
        return Err(DomainError::invalid(
            field("uri"),
            format!(
                "attachment URI must start with https:// or s3://, contain no spaces and be at most {MAX_URI_CHARS} characters long"
            ),
        ));
    }

    Ok(Attachment {
        file_name: file_name.to_owned(),
        content_type,
        size_bytes: a.size_bytes,
        uri: uri.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inquiry() -> NewTicketInput {
        NewTicketInput {
            kind: TicketKind::Inquiry,
            channel: Channel::Phone,
            subject: "  Where is my order?  ".into(),
            description: " It has not arrived. ".into(),
            category: None,
            severity: None,
            priority: None,
            demand: None,
            location: None,
            order_number: None,
            product_name: None,
            attachments: vec![],
            praised_employee_id: None,
            praised_team_id: None,
            praised_department_id: None,
        }
    }

    fn complaint() -> NewTicketInput {
        NewTicketInput {
            kind: TicketKind::Complaint,
            category: Some(ComplaintCategory::DeliveryDelay),
            ..inquiry()
        }
    }

    fn photo() -> AttachmentInput {
        AttachmentInput {
            file_name: "broken.jpg".into(),
            content_type: "image/jpeg".into(),
            size_bytes: 1024,
            uri: "https://files.example.com/abc/broken.jpg".into(),
        }
    }

    fn field_of(result: Result<ValidatedIntake, DomainError>) -> String {
        match result {
            Err(DomainError::InvalidInput { field, .. }) => field,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_inquiry_is_trimmed_and_starts_new_with_normal_priority() {
        let v = validate_intake(inquiry(), false).unwrap();
        assert_eq!(v.subject, "Where is my order?");
        assert_eq!(v.description, "It has not arrived.");
        assert_eq!(v.priority, Priority::Normal);
        assert_eq!(v.initial_status, TicketStatus::New);
        assert_eq!(v.severity, None);
        assert_eq!(v.suggestion_status, None);
    }

    #[test]
    fn complaints_default_to_general_severity_and_normal_priority() {
        let v = validate_intake(complaint(), false).unwrap();
        assert_eq!(v.severity, Some(Severity::General));
        assert_eq!(v.priority, Priority::Normal);
        assert_eq!(v.category, Some(ComplaintCategory::DeliveryDelay));
    }

    #[test]
    fn default_priority_follows_kind_and_severity() {
        use TicketKind::*;
        assert_eq!(
            default_priority(Complaint, Some(Severity::Major)),
            Priority::Urgent
        );
        assert_eq!(
            default_priority(Complaint, Some(Severity::Important)),
            Priority::High
        );
        assert_eq!(
            default_priority(Complaint, Some(Severity::General)),
            Priority::Normal
        );
        assert_eq!(default_priority(Complaint, None), Priority::Normal);
        assert_eq!(default_priority(TechnicalSupport, None), Priority::Normal);
        assert_eq!(default_priority(AfterSales, None), Priority::Normal);
        assert_eq!(default_priority(Inquiry, None), Priority::Normal);
        assert_eq!(default_priority(Suggestion, None), Priority::Low);
        assert_eq!(default_priority(Praise, None), Priority::Low);
    }

    #[test]
    fn major_complaints_start_urgent() {
        let input = NewTicketInput {
            severity: Some(Severity::Major),
            ..complaint()
        };
        assert_eq!(
            validate_intake(input, false).unwrap().priority,
            Priority::Urgent
        );
    }

    #[test]
    fn a_blank_subject_is_refused() {
        let input = NewTicketInput {
            subject: "   ".into(),
            ..inquiry()
        };
        assert_eq!(field_of(validate_intake(input, false)), "input.subject");
    }

    #[test]
    fn a_subject_may_have_200_characters_but_not_201() {
        let ok = NewTicketInput {
            subject: "é".repeat(200),
            ..inquiry()
        };
        assert!(validate_intake(ok, false).is_ok());
        let long = NewTicketInput {
            subject: "é".repeat(201),
            ..inquiry()
        };
        assert_eq!(field_of(validate_intake(long, false)), "input.subject");
    }

    #[test]
    fn a_blank_or_overlong_description_is_refused() {
        let blank = NewTicketInput {
            description: "\n\t ".into(),
            ..inquiry()
        };
        assert_eq!(field_of(validate_intake(blank, false)), "input.description");
        let long = NewTicketInput {
            description: "x".repeat(10_001),
            ..inquiry()
        };
        assert_eq!(field_of(validate_intake(long, false)), "input.description");
        let max = NewTicketInput {
            description: "x".repeat(10_000),
            ..inquiry()
        };
        assert!(validate_intake(max, false).is_ok());
    }

    #[test]
    fn short_fields_are_limited_to_500_characters_and_blanks_become_absent() {
        let long = NewTicketInput {
            order_number: Some("9".repeat(501)),
            ..inquiry()
        };
        assert_eq!(field_of(validate_intake(long, false)), "input.orderNumber");
        let long = NewTicketInput {
            demand: Some("d".repeat(501)),
            ..inquiry()
        };
        assert_eq!(field_of(validate_intake(long, false)), "input.demand");
        let long = NewTicketInput {
            location: Some("l".repeat(501)),
            ..inquiry()
        };
        assert_eq!(field_of(validate_intake(long, false)), "input.location");
        let long = NewTicketInput {
            product_name: Some("p".repeat(501)),
            ..inquiry()
        };
        assert_eq!(field_of(validate_intake(long, false)), "input.productName");
        let blank = NewTicketInput {
            demand: Some("  ".into()),
            product_name: Some(" Kettle X2 ".into()),
            ..inquiry()
        };
        let v = validate_intake(blank, false).unwrap();
        assert_eq!(v.demand, None);
        assert_eq!(v.product_name.as_deref(), Some("Kettle X2"));
    }

    #[test]
    fn a_complaint_without_a_category_is_refused() {
        let input = NewTicketInput {
            category: None,
            ..complaint()
        };
        assert_eq!(field_of(validate_intake(input, false)), "input.category");
    }

    #[test]
    fn only_complaints_carry_a_category() {
        let input = NewTicketInput {
            category: Some(ComplaintCategory::Other),
            ..inquiry()
        };
        assert_eq!(field_of(validate_intake(input, false)), "input.category");
    }

    #[test]
    fn only_complaints_carry_a_severity() {
        let input = NewTicketInput {
            severity: Some(Severity::Important),
            ..inquiry()
        };
        assert_eq!(field_of(validate_intake(input, false)), "input.severity");
    }

    #[test]
    fn praise_must_name_the_praised_employee() {
        let input = NewTicketInput {
            kind: TicketKind::Praise,
            ..inquiry()
        };
        assert_eq!(
            field_of(validate_intake(input, false)),
            "input.praisedEmployeeId"
        );
        let id = Uuid::from_u128(7);
        let input = NewTicketInput {
            kind: TicketKind::Praise,
            praised_employee_id: Some(id),
            ..inquiry()
        };
        let v = validate_intake(input, false).unwrap();
        assert_eq!(v.praised_employee_id, Some(id));
        assert_eq!(v.priority, Priority::Low);
        // A team or a department may be praised instead of (or beside) a person.
        let input = NewTicketInput {
            kind: TicketKind::Praise,
            praised_team_id: Some(id),
            praised_department_id: Some(id),
            ..inquiry()
        };
        let v = validate_intake(input, false).unwrap();
        assert_eq!(v.praised_employee_id, None);
        assert_eq!(v.praised_team_id, Some(id));
        assert_eq!(v.praised_department_id, Some(id));
    }

    #[test]
    fn only_praise_names_a_praised_employee() {
        let input = NewTicketInput {
            praised_employee_id: Some(Uuid::from_u128(7)),
            ..inquiry()
        };
        assert_eq!(
            field_of(validate_intake(input, false)),
            "input.praisedEmployeeId"
        );
        let input = NewTicketInput {
            praised_department_id: Some(Uuid::from_u128(7)),
            ..inquiry()
        };
        assert_eq!(
            field_of(validate_intake(input, false)),
            "input.praisedDepartmentId"
        );
    }

    #[test]
    fn suggestions_start_proposed() {
        let input = NewTicketInput {
            kind: TicketKind::Suggestion,
            channel: Channel::SuggestionBox,
            ..inquiry()
        };
        let v = validate_intake(input, false).unwrap();
        assert_eq!(v.suggestion_status, Some(SuggestionStatus::Proposed));
        assert_eq!(v.priority, Priority::Low);
    }

    #[test]
    fn staff_may_raise_the_priority() {
        let input = NewTicketInput {
            priority: Some(Priority::Urgent),
            ..complaint()
        };
        assert_eq!(
            validate_intake(input, true).unwrap().priority,
            Priority::Urgent
        );
    }

    #[test]
    fn staff_may_not_lower_the_priority() {
        let input = NewTicketInput {
            severity: Some(Severity::Important),
            priority: Some(Priority::Normal),
            ..complaint()
        };
        assert_eq!(field_of(validate_intake(input, true)), "input.priority");
    }

    #[test]
    fn a_customers_requested_priority_is_ignored() {
        let raise = NewTicketInput {
            priority: Some(Priority::Urgent),
            ..inquiry()
        };
        assert_eq!(
            validate_intake(raise, false).unwrap().priority,
            Priority::Normal
        );
        let lower = NewTicketInput {
            priority: Some(Priority::Low),
            ..inquiry()
        };
        assert_eq!(
            validate_intake(lower, false).unwrap().priority,
            Priority::Normal
        );
    }

    #[test]
    fn valid_attachments_are_kept_with_a_lower_case_content_type() {
        let input = NewTicketInput {
            attachments: vec![AttachmentInput {
                content_type: "Image/JPEG".into(),
                uri: "s3://bucket/key.jpg".into(),
                size_bytes: MAX_ATTACHMENT_BYTES,
                ..photo()
            }],
            ..inquiry()
        };
        let v = validate_intake(input, false).unwrap();
        assert_eq!(v.attachments[0].content_type, "image/jpeg");
        assert_eq!(v.attachments[0].size_bytes, 52_428_800);
    }

    #[test]
    fn more_than_twenty_attachments_are_refused() {
        let input = NewTicketInput {
            attachments: vec![photo(); 21],
            ..inquiry()
        };
        assert_eq!(field_of(validate_intake(input, false)), "input.attachments");
        let input = NewTicketInput {
            attachments: vec![photo(); 20],
            ..inquiry()
        };
        assert!(validate_intake(input, false).is_ok());
    }

    fn attachment_error(a: AttachmentInput) -> String {
        let input = NewTicketInput {
            attachments: vec![photo(), a],
            ..inquiry()
        };
        field_of(validate_intake(input, false))
    }

    #[test]
    fn attachment_file_names_must_not_carry_paths_or_control_characters() {
        for bad in [
            "../etc/passwd",
            "a\\b.jpg",
            "bell\u{7}.jpg",
            "",
            "  ",
            "..",
            &"n".repeat(256),
        ] {
            let a = AttachmentInput {
                file_name: bad.into(),
                ..photo()
            };
            assert_eq!(
                attachment_error(a),
                "input.attachments.1.fileName",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn attachment_content_types_outside_the_allow_list_are_refused() {
        for bad in ["text/html", "image/svg+xml", "application/x-msdownload", ""] {
            let a = AttachmentInput {
                content_type: bad.into(),
                ..photo()
            };
            assert_eq!(attachment_error(a), "input.attachments.1.contentType");
        }
    }

    #[test]
    fn attachment_sizes_must_be_between_one_byte_and_fifty_mebibytes() {
        for bad in [0, -1, MAX_ATTACHMENT_BYTES + 1] {
            let a = AttachmentInput {
                size_bytes: bad,
                ..photo()
            };
            assert_eq!(attachment_error(a), "input.attachments.1.sizeBytes");
        }
    }

    #[test]
    fn attachment_uris_must_be_https_or_s3_without_whitespace() {
        let too_long = format!("https://example.com/{}", "a".repeat(2048));
        for bad in [
            "http://example.com/a.jpg",
            "file:///etc/passwd",
            "https://example.com/a b.jpg",
            "https://",
            "javascript:alert(1)",
            too_long.as_str(),
        ] {
            let a = AttachmentInput {
                uri: bad.into(),
                ..photo()
            };
            assert_eq!(attachment_error(a), "input.attachments.1.uri", "{bad}");
        }
    }
}
