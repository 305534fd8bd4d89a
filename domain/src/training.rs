//! Training: courses, sessions and each person's record of a session, assessed in two stages
//! (process and result); who may read whose records; and compliance, the state of every
//! course a person's roles require.
//!
//! A record moves `ENROLLED` → `ATTENDED` | `ABSENT` by attendance, then `ATTENDED` →
//! `PASSED` | `FAILED` by assessment. Trainees leave feedback once they have attended.

use crate::DomainError;
use crate::role::{Role, Roles};
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest course title, in characters (after trimming).
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest session location, in characters (after trimming).
pub const MAX_LOCATION_CHARS: usize = 200;
/// Longest feedback, in characters (after trimming).
pub const MAX_FEEDBACK_CHARS: usize = 2_000;
/// Largest session: a lecture hall, not a stadium.
pub const MAX_CAPACITY: i32 = 1_000;
/// Longest validity of a passed course, in months (ten years).
pub const MAX_VALIDITY_MONTHS: i32 = 120;
/// Highest score of either assessment stage; the lowest is 0.
pub const MAX_SCORE: i32 = 100;
/// A passed course whose certificate lapses within this many days is `EXPIRING`.
pub const EXPIRING_WITHIN_DAYS: i64 = 30;

/// What a course teaches. Spelled as in the GraphQL contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CourseCategory {
    /// Induction of new staff; newly created staff are enrolled automatically.
    Onboarding,
    /// The products and services the customers ask about.
    ProductKnowledge,
    /// Handling requests and complaints.
    ServiceSkills,
    /// Talking and writing to customers.
    Communication,
    /// Getting to the cause of a problem.
    ProblemSolving,
    /// Professional ethics.
    Ethics,
    /// Technical troubleshooting.
    Technical,
    /// Consumer protection and other law.
    LegalCompliance,
}

impl CourseCategory {
    /// Every category, in contract order.
    pub const ALL: [CourseCategory; 8] = [
        CourseCategory::Onboarding,
        CourseCategory::ProductKnowledge,
        CourseCategory::ServiceSkills,
        CourseCategory::Communication,
        CourseCategory::ProblemSolving,
        CourseCategory::Ethics,
        CourseCategory::Technical,
        CourseCategory::LegalCompliance,
    ];

    /// The contract spelling (the stored form).
    pub const fn as_str(self) -> &'static str {
        match self {
            CourseCategory::Onboarding => "ONBOARDING",
            CourseCategory::ProductKnowledge => "PRODUCT_KNOWLEDGE",
            CourseCategory::ServiceSkills => "SERVICE_SKILLS",
            CourseCategory::Communication => "COMMUNICATION",
            CourseCategory::ProblemSolving => "PROBLEM_SOLVING",
            CourseCategory::Ethics => "ETHICS",
            CourseCategory::Technical => "TECHNICAL",
            CourseCategory::LegalCompliance => "LEGAL_COMPLIANCE",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<CourseCategory> {
        CourseCategory::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// How a session is delivered. Spelled as in the GraphQL contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrainingMode {
    /// In a room, with a trainer.
    Classroom,
    /// Remote, live or self-paced.
    Online,
    /// One to one with an experienced colleague.
    Mentoring,
    /// While working real tickets.
    OnTheJob,
}

impl TrainingMode {
    /// Every mode, in contract order.
    pub const ALL: [TrainingMode; 4] = [
        TrainingMode::Classroom,
        TrainingMode::Online,
        TrainingMode::Mentoring,
        TrainingMode::OnTheJob,
    ];

    /// The contract spelling (the stored form).
    pub const fn as_str(self) -> &'static str {
        match self {
            TrainingMode::Classroom => "CLASSROOM",
            TrainingMode::Online => "ONLINE",
            TrainingMode::Mentoring => "MENTORING",
            TrainingMode::OnTheJob => "ON_THE_JOB",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<TrainingMode> {
        TrainingMode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Where a person's record of one session stands. Spelled as in the GraphQL contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrainingStatus {
    /// Has a seat; attendance not yet recorded.
    Enrolled,
    /// Took part; not yet assessed.
    Attended,
    /// Did not take part. Final: enrol in another session instead.
    Absent,
    /// Assessed with a result score at or above the course's pass score.
    Passed,
    /// Assessed with a result score below the course's pass score.
    Failed,
}

impl TrainingStatus {
    /// Every status, in contract order.
    pub const ALL: [TrainingStatus; 5] = [
        TrainingStatus::Enrolled,
        TrainingStatus::Attended,
        TrainingStatus::Absent,
        TrainingStatus::Passed,
        TrainingStatus::Failed,
    ];

    /// The contract spelling (the stored form).
    pub const fn as_str(self) -> &'static str {
        match self {
            TrainingStatus::Enrolled => "ENROLLED",
            TrainingStatus::Attended => "ATTENDED",
            TrainingStatus::Absent => "ABSENT",
            TrainingStatus::Passed => "PASSED",
            TrainingStatus::Failed => "FAILED",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<TrainingStatus> {
        TrainingStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether the person took part in the session (and so may leave feedback).
    pub const fn attended(self) -> bool {
        matches!(
            self,
            TrainingStatus::Attended | TrainingStatus::Passed | TrainingStatus::Failed
        )
    }
}

impl std::fmt::Display for TrainingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refusal by a training rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrainingError {
    /// A general rule (bad input, permission) refused it.
    #[error(transparent)]
    Rule(#[from] DomainError),
    /// The record's status does not allow the step.
    #[error("cannot {action}: the training record is {status}; allowed from {status}: {}", moves_list(.allowed))]
    InvalidTransition {
        /// The record's current status.
        status: TrainingStatus,
        /// What was attempted, as a verb phrase.
        action: &'static str,
        /// The steps that are allowed from the current status.
        allowed: Vec<&'static str>,
    },
}

fn moves_list(allowed: &[&'static str]) -> String {
    if allowed.is_empty() {
        "nothing".to_owned()
    } else {
        allowed.join(", ")
    }
}

/// The steps a record in `status` allows, for error messages.
pub fn allowed_moves(status: TrainingStatus) -> Vec<&'static str> {
    match status {
        TrainingStatus::Enrolled => vec![ATTENDANCE],
        TrainingStatus::Attended => vec![ASSESSMENT, FEEDBACK],
        TrainingStatus::Passed | TrainingStatus::Failed => vec![FEEDBACK],
        TrainingStatus::Absent => Vec::new(),
    }
}

const ATTENDANCE: &str = "record attendance";
const ASSESSMENT: &str = "record an assessment";
const FEEDBACK: &str = "submit feedback";

fn refuse(status: TrainingStatus, action: &'static str) -> TrainingError {
    TrainingError::InvalidTransition {
        status,
        action,
        allowed: allowed_moves(status),
    }
}

/// A course that passed [`validate_course`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCourse {
    /// Trimmed, 1 to [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    /// What it teaches.
    pub category: CourseCategory,
    /// Staff roles that must hold a valid pass; may be empty (an optional course).
    pub required_roles: Roles,
    /// 0 to [`MAX_SCORE`].
    pub pass_score: i32,
    /// How long a pass stays valid; `None` means for good.
    pub validity_months: Option<i32>,
}

/// Checks a new course: a title, staff roles only, a pass score of 0 to 100, and a validity of
/// at least one month when one is given.
pub fn validate_course(
    title: &str,
    category: CourseCategory,
    required_for: &[Role],
    pass_score: i32,
    validity_months: Option<i32>,
) -> Result<NewCourse, DomainError> {
    let title = crate::text::required(title, "input.title", MAX_TITLE_CHARS)?;
    if required_for.contains(&Role::Customer) {
        return Err(DomainError::invalid(
            "input.requiredForRoles",
            "courses are for staff; CUSTOMER cannot be required to take one",
        ));
    }
    if !(0..=MAX_SCORE).contains(&pass_score) {
        return Err(DomainError::invalid(
            "input.passScore",
            format!("must be between 0 and {MAX_SCORE}"),
        ));
    }
    if let Some(months) = validity_months
        && !(1..=MAX_VALIDITY_MONTHS).contains(&months)
    {
        return Err(DomainError::invalid(
            "input.validityMonths",
            format!("must be between 1 and {MAX_VALIDITY_MONTHS} months, or left out"),
        ));
    }
    Ok(NewCourse {
        title,
        category,
        required_roles: required_for.iter().copied().collect(),
        pass_score,
        validity_months,
    })
}

/// The checked parts of a new session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends; after `starts_at`.
    pub ends_at: DateTime<Utc>,
    /// Seats, 1 to [`MAX_CAPACITY`].
    pub capacity: i32,
    /// Trimmed; blank becomes `None`.
    pub location: Option<String>,
}

/// Checks a new session: it ends after it starts, has at least one seat, and a short location.
/// Sessions in the past are allowed, so that training already given can be recorded.
pub fn validate_session(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    capacity: i32,
    location: Option<&str>,
) -> Result<NewSession, DomainError> {
    if ends_at <= starts_at {
        return Err(DomainError::invalid(
            "input.endsAt",
            "the session must end after it starts",
        ));
    }
    if !(1..=MAX_CAPACITY).contains(&capacity) {
        return Err(DomainError::invalid(
            "input.capacity",
            format!("must be between 1 and {MAX_CAPACITY}"),
        ));
    }
    let location = match location.map(str::trim) {
        None | Some("") => None,
        Some(l) => Some(crate::text::required(
            l,
            "input.location",
            MAX_LOCATION_CHARS,
        )?),
    };
    Ok(NewSession {
        starts_at,
        ends_at,
        capacity,
        location,
    })
}

/// Checks that the person named to teach a session is an active account holding `TRAINER`.
pub fn check_trainer(roles: Roles, active: bool) -> Result<(), DomainError> {
    if active && roles.has(Role::Trainer) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "input.trainerId",
            "the trainer must be an active user with the TRAINER role",
        ))
    }
}

/// Checks that `roles` belong to someone who can be enrolled: staff, not customers.
pub fn check_trainee(roles: Roles) -> Result<(), DomainError> {
    if roles.is_staff() {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "employeeId",
            "only staff can be enrolled in training",
        ))
    }
}

/// The status after recording attendance. Only an `ENROLLED` record takes attendance.
pub fn record_attendance(
    from: TrainingStatus,
    attended: bool,
) -> Result<TrainingStatus, TrainingError> {
    match (from, attended) {
        (TrainingStatus::Enrolled, true) => Ok(TrainingStatus::Attended),
        (TrainingStatus::Enrolled, false) => Ok(TrainingStatus::Absent),
        _ => Err(refuse(from, ATTENDANCE)),
    }
}

/// The outcome of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessment {
    /// `PASSED` or `FAILED`.
    pub status: TrainingStatus,
    /// When the training was completed.
    pub completed_at: DateTime<Utc>,
    /// When a pass lapses; `None` for a fail or a course valid for good.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Assesses an `ATTENDED` record: `PASSED` when `result_score` reaches the course's
/// `pass_score`, else `FAILED`. The training counts as completed when the session ended, or now
/// if the assessment is recorded before the scheduled end; a pass then lapses
/// `validity_months` later.
pub fn assess(
    from: TrainingStatus,
    process_score: i32,
    result_score: i32,
    pass_score: i32,
    validity_months: Option<i32>,
    session_ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Assessment, TrainingError> {
    check_score(process_score, "input.processScore")?;
    check_score(result_score, "input.resultScore")?;
    if from != TrainingStatus::Attended {
        return Err(refuse(from, ASSESSMENT));
    }
    let completed_at = session_ends_at.min(now);
    let status = if result_score >= pass_score {
        TrainingStatus::Passed
    } else {
        TrainingStatus::Failed
    };
    let expires_at = match status {
        TrainingStatus::Passed => expiry(completed_at, validity_months)?,
        _ => None,
    };
    Ok(Assessment {
        status,
        completed_at,
        expires_at,
    })
}

fn check_score(score: i32, field: &str) -> Result<(), DomainError> {
    if (0..=MAX_SCORE).contains(&score) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            format!("must be between 0 and {MAX_SCORE}"),
        ))
    }
}

/// When a pass completed at `completed_at` lapses: that many calendar months later (a pass on
/// 31 January with one month's validity lapses on the last day of February). `None` when the
/// course is valid for good.
pub fn expiry(
    completed_at: DateTime<Utc>,
    validity_months: Option<i32>,
) -> Result<Option<DateTime<Utc>>, DomainError> {
    let Some(months) = validity_months else {
        return Ok(None);
    };
    let months = u32::try_from(months)
        .map_err(|_| DomainError::invalid("validityMonths", "must not be negative"))?;
    completed_at
        .checked_add_months(Months::new(months))
        .map(Some)
        .ok_or_else(|| {
            DomainError::invalid(
                "validityMonths",
                "the validity runs past the calendar's end",
            )
        })
}

/// Checks feedback on a record: the trainee took part, and the text is 1 to
/// [`MAX_FEEDBACK_CHARS`] characters. Returns the trimmed text.
pub fn check_feedback(status: TrainingStatus, feedback: &str) -> Result<String, TrainingError> {
    let feedback = crate::text::required(feedback, "feedback", MAX_FEEDBACK_CHARS)?;
    if !status.attended() {
        return Err(refuse(status, FEEDBACK));
    }
    Ok(feedback)
}

/// Who is asking to read training records, with what they lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    /// The reader's account.
    pub id: Uuid,
    /// The reader's roles.
    pub roles: Roles,
    /// The teams the reader supervises.
    pub supervised_teams: Vec<Uuid>,
}

/// Whether `reader` may read the training records and compliance of `employee_id` (member of
/// `employee_team`): their own; trainers, managers and admins everyone's; supervisors their
/// team members'. Nobody else, customers included.
pub fn can_read_records(reader: &Reader, employee_id: Uuid, employee_team: Option<Uuid>) -> bool {
    if !reader.roles.is_staff() {
        return false;
    }
    if reader.id == employee_id
        || reader
            .roles
            .has_any(&[Role::Trainer, Role::Manager, Role::Admin])
    {
        return true;
    }
    reader.roles.has(Role::Supervisor)
        && employee_team.is_some_and(|team| reader.supervised_teams.contains(&team))
}

/// Whether a course required for `required` concerns someone holding `roles`.
pub fn is_required_for(required: Roles, roles: Roles) -> bool {
    required.mask() & roles.mask() != 0
}

/// The state of one required course for one person. Spelled as in the contract's
/// `ComplianceItem.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComplianceStatus {
    /// Passed, and the pass is valid for more than [`EXPIRING_WITHIN_DAYS`] (or for good).
    Ok,
    /// Never passed.
    Missing,
    /// Passed, but every pass has lapsed.
    Expired,
    /// Passed, but the pass lapses within [`EXPIRING_WITHIN_DAYS`].
    Expiring,
}

impl ComplianceStatus {
    /// The contract spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            ComplianceStatus::Ok => "OK",
            ComplianceStatus::Missing => "MISSING",
            ComplianceStatus::Expired => "EXPIRED",
            ComplianceStatus::Expiring => "EXPIRING",
        }
    }

    /// Whether this state breaks compliance. An expiring pass is still valid.
    pub const fn breaks_compliance(self) -> bool {
        matches!(self, ComplianceStatus::Missing | ComplianceStatus::Expired)
    }
}

/// A course and the roles it is required for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    /// The course.
    pub course_id: Uuid,
    /// The roles that must hold a valid pass.
    pub required_roles: Roles,
}

/// One `PASSED` record of the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// The course passed.
    pub course_id: Uuid,
    /// When the pass lapses; `None` for good.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The state of one required course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComplianceItem {
    /// The course.
    pub course_id: Uuid,
    /// Its state.
    pub status: ComplianceStatus,
    /// When the best pass lapses; `None` when missing or valid for good.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A person's compliance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compliance {
    /// True when no required course is missing or expired.
    pub compliant: bool,
    /// One item per required course, in the order of `courses`.
    pub items: Vec<ComplianceItem>,
}

/// The compliance of someone holding `roles` with `passes`, at `now`: every course in
/// `courses` required for any of the roles, judged by its longest-lasting pass.
pub fn compliance(
    roles: Roles,
    courses: &[Requirement],
    passes: &[Pass],
    now: DateTime<Utc>,
) -> Compliance {
    let items: Vec<ComplianceItem> = courses
        .iter()
        .filter(|c| is_required_for(c.required_roles, roles))
        .map(|c| item(c.course_id, passes, now))
        .collect();
    Compliance {
        compliant: !items.iter().any(|i| i.status.breaks_compliance()),
        items,
    }
}

fn item(course_id: Uuid, passes: &[Pass], now: DateTime<Utc>) -> ComplianceItem {
    let mut passes = passes.iter().filter(|p| p.course_id == course_id);
    let Some(first) = passes.next() else {
        return ComplianceItem {
            course_id,
            status: ComplianceStatus::Missing,
            expires_at: None,
        };
    };
    // `None` (valid for good) outlasts any date.
    let best = passes.fold(first.expires_at, |best, p| match (best, p.expires_at) {
        (None, _) | (_, None) => None,
        (Some(a), Some(b)) => Some(a.max(b)),
    });
    let status = match best {
        None => ComplianceStatus::Ok,
        Some(at) if at <= now => ComplianceStatus::Expired,
        Some(at) if at <= now + chrono::Duration::days(EXPIRING_WITHIN_DAYS) => {
            ComplianceStatus::Expiring
        }
        Some(_) => ComplianceStatus::Ok,
    };
    ComplianceItem {
        course_id,
        status,
        expires_at: best,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
    }

    fn roles(r: &[Role]) -> Roles {
        r.iter().copied().collect()
    }

    fn field(err: DomainError) -> String {
        match err {
            DomainError::InvalidInput { field, .. } => field,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn stored_spellings_round_trip() {
        for c in CourseCategory::ALL {
            assert_eq!(CourseCategory::parse(c.as_str()), Some(c));
        }
        for m in TrainingMode::ALL {
            assert_eq!(TrainingMode::parse(m.as_str()), Some(m));
        }
        for s in TrainingStatus::ALL {
            assert_eq!(TrainingStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(TrainingStatus::parse("passed"), None);
    }

    #[test]
    fn a_course_needs_a_title_a_pass_score_of_0_to_100_and_a_validity_of_a_month_or_more() {
        let ok = validate_course(
            "  Onboarding  ",
            CourseCategory::Onboarding,
            &[Role::Agent],
            60,
            Some(12),
        )
        .unwrap();
        assert_eq!(ok.title, "Onboarding");
        assert!(ok.required_roles.has(Role::Agent));
        let c = CourseCategory::Ethics;
        assert_eq!(
            field(validate_course(" ", c, &[], 60, None).unwrap_err()),
            "input.title"
        );
        for bad in [-1, 101] {
            assert_eq!(
                field(validate_course("x", c, &[], bad, None).unwrap_err()),
                "input.passScore"
            );
        }
        for bad in [0, -3, MAX_VALIDITY_MONTHS + 1] {
            assert_eq!(
                field(validate_course("x", c, &[], 50, Some(bad)).unwrap_err()),
                "input.validityMonths"
            );
        }
        assert!(validate_course("x", c, &[], 0, None).is_ok());
        assert!(validate_course("x", c, &[], 100, Some(1)).is_ok());
    }

    #[test]
    fn customers_cannot_be_required_to_take_a_course() {
        let err =
            validate_course("x", CourseCategory::Ethics, &[Role::Customer], 50, None).unwrap_err();
        assert_eq!(field(err), "input.requiredForRoles");
    }

    #[test]
    fn a_session_ends_after_it_starts_and_has_at_least_one_seat() {
        let start = at(2026, 3, 1);
        let end = start + chrono::Duration::hours(2);
        assert_eq!(
            field(validate_session(start, start, 10, None).unwrap_err()),
            "input.endsAt"
        );
        assert_eq!(
            field(validate_session(end, start, 10, None).unwrap_err()),
            "input.endsAt"
        );
        assert_eq!(
            field(validate_session(start, end, 0, None).unwrap_err()),
            "input.capacity"
        );
        let ok = validate_session(start, end, 1, Some("  ")).unwrap();
        assert_eq!(ok.location, None);
        let ok = validate_session(start, end, 1, Some(" Room 2 ")).unwrap();
        assert_eq!(ok.location.as_deref(), Some("Room 2"));
    }

    #[test]
    fn only_an_active_trainer_may_teach() {
        assert!(check_trainer(roles(&[Role::Trainer, Role::Agent]), true).is_ok());
        assert_eq!(
            field(check_trainer(roles(&[Role::Manager]), true).unwrap_err()),
            "input.trainerId"
        );
        assert!(check_trainer(roles(&[Role::Trainer]), false).is_err());
    }

    #[test]
    fn attendance_is_recorded_once_on_an_enrolled_record() {
        use TrainingStatus::*;
        assert_eq!(record_attendance(Enrolled, true), Ok(Attended));
        assert_eq!(record_attendance(Enrolled, false), Ok(Absent));
        for from in [Attended, Absent, Passed, Failed] {
            assert!(matches!(
                record_attendance(from, true),
                Err(TrainingError::InvalidTransition { status, .. }) if status == from
            ));
        }
    }

    #[test]
    fn assessment_comes_after_attendance() {
        use TrainingStatus::*;
        let now = at(2026, 3, 2);
        for from in [Enrolled, Absent, Passed, Failed] {
            let err = assess(from, 80, 80, 60, None, now, now).unwrap_err();
            assert!(matches!(err, TrainingError::InvalidTransition { .. }));
        }
        let err = assess(Enrolled, 80, 80, 60, None, now, now).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot record an assessment: the training record is ENROLLED; \
             allowed from ENROLLED: record attendance"
        );
    }

    #[test]
    fn a_result_score_at_the_pass_score_passes_and_below_it_fails() {
        let now = at(2026, 3, 2);
        let ends = at(2026, 3, 1);
        let pass = assess(TrainingStatus::Attended, 10, 60, 60, None, ends, now).unwrap();
        assert_eq!(pass.status, TrainingStatus::Passed);
        let fail = assess(TrainingStatus::Attended, 100, 59, 60, Some(12), ends, now).unwrap();
        assert_eq!(fail.status, TrainingStatus::Failed);
        assert_eq!(fail.expires_at, None);
        assert_eq!(fail.completed_at, ends);
    }

    #[test]
    fn scores_run_from_0_to_100() {
        let now = at(2026, 3, 2);
        let err = assess(TrainingStatus::Attended, 101, 50, 60, None, now, now).unwrap_err();
        assert!(
            matches!(err, TrainingError::Rule(DomainError::InvalidInput { field, .. }) if field == "input.processScore")
        );
        let err = assess(TrainingStatus::Attended, 50, -1, 60, None, now, now).unwrap_err();
        assert!(
            matches!(err, TrainingError::Rule(DomainError::InvalidInput { field, .. }) if field == "input.resultScore")
        );
    }

    #[test]
    fn a_pass_expires_validity_months_after_the_session_ended() {
        let ends = at(2025, 1, 31);
        let pass = assess(
            TrainingStatus::Attended,
            90,
            90,
            60,
            Some(1),
            ends,
            at(2025, 2, 10),
        )
        .unwrap();
        assert_eq!(pass.completed_at, ends);
        // Calendar months: 31 January plus one month is the last day of February.
        assert_eq!(pass.expires_at, Some(at(2025, 2, 28)));
        assert_eq!(expiry(at(2025, 3, 15), Some(12)), Ok(Some(at(2026, 3, 15))));
        assert_eq!(expiry(at(2025, 3, 15), None), Ok(None));
    }

    #[test]
    fn an_assessment_before_the_scheduled_end_completes_now() {
        let now = at(2026, 3, 1);
        let pass = assess(
            TrainingStatus::Attended,
            90,
            90,
            60,
            Some(12),
            at(2026, 3, 5),
            now,
        )
        .unwrap();
        assert_eq!(pass.completed_at, now);
        assert_eq!(pass.expires_at, Some(at(2027, 3, 1)));
    }

    #[test]
    fn feedback_needs_attendance() {
        use TrainingStatus::*;
        for ok in [Attended, Passed, Failed] {
            assert_eq!(check_feedback(ok, " good "), Ok("good".to_owned()));
        }
        for refused in [Enrolled, Absent] {
            assert!(matches!(
                check_feedback(refused, "good"),
                Err(TrainingError::InvalidTransition { .. })
            ));
        }
        assert!(matches!(
            check_feedback(Attended, "  "),
            Err(TrainingError::Rule(_))
        ));
    }

    #[test]
    fn people_read_their_own_records_and_leads_read_their_peoples() {
        let me = Uuid::now_v7();
        let colleague = Uuid::now_v7();
        let team = Uuid::now_v7();
        let other_team = Uuid::now_v7();
        let reader = |r: &[Role], supervised: Vec<Uuid>| Reader {
            id: me,
            roles: roles(r),
            supervised_teams: supervised,
        };
        let agent = reader(&[Role::Agent], vec![]);
        assert!(can_read_records(&agent, me, Some(team)));
        assert!(!can_read_records(&agent, colleague, Some(team)));
        let supervisor = reader(&[Role::Supervisor], vec![team]);
        assert!(can_read_records(&supervisor, colleague, Some(team)));
        assert!(!can_read_records(&supervisor, colleague, Some(other_team)));
        assert!(!can_read_records(&supervisor, colleague, None));
        for lead in [Role::Trainer, Role::Manager, Role::Admin] {
            assert!(can_read_records(&reader(&[lead], vec![]), colleague, None));
        }
        let liaison = reader(&[Role::DepartmentLiaison], vec![]);
        assert!(!can_read_records(&liaison, colleague, Some(team)));
        let customer = reader(&[Role::Customer], vec![]);
        assert!(!can_read_records(&customer, colleague, None));
        assert!(!can_read_records(&customer, me, None));
    }

    #[test]
    fn compliance_judges_each_required_course_by_its_best_pass() {
        let now = at(2026, 6, 1);
        let [ok, missing, expired, expiring, forever, not_mine] = [(); 6].map(|()| Uuid::now_v7());
        let agent = roles(&[Role::Agent]);
        let courses: Vec<Requirement> = [ok, missing, expired, expiring, forever]
            .into_iter()
            .map(|course_id| Requirement {
                course_id,
                required_roles: roles(&[Role::Agent, Role::TechSupport]),
            })
            .chain([Requirement {
                course_id: not_mine,
                required_roles: roles(&[Role::Trainer]),
            }])
            .collect();
        let passes = [
            // An old lapsed pass does not hide a newer valid one.
            Pass {
                course_id: ok,
                expires_at: Some(at(2025, 1, 1)),
            },
            Pass {
                course_id: ok,
                expires_at: Some(at(2027, 1, 1)),
            },
            Pass {
                course_id: expired,
                expires_at: Some(now),
            },
            Pass {
                course_id: expiring,
                expires_at: Some(now + chrono::Duration::days(EXPIRING_WITHIN_DAYS)),
            },
            Pass {
                course_id: forever,
                expires_at: Some(at(2020, 1, 1)),
            },
            Pass {
                course_id: forever,
                expires_at: None,
            },
        ];
        let c = compliance(agent, &courses, &passes, now);
        let states: Vec<(Uuid, &str)> = c
            .items
            .iter()
            .map(|i| (i.course_id, i.status.as_str()))
            .collect();
        assert_eq!(
            states,
            vec![
                (ok, "OK"),
                (missing, "MISSING"),
                (expired, "EXPIRED"),
                (expiring, "EXPIRING"),
                (forever, "OK"),
            ]
        );
        assert_eq!(c.items[0].expires_at, Some(at(2027, 1, 1)));
        assert_eq!(c.items[4].expires_at, None);
        assert!(!c.compliant);
    }

    #[test]
    fn an_expiring_pass_is_still_compliant_but_a_missing_or_expired_one_is_not() {
        let now = at(2026, 6, 1);
        let course = Uuid::now_v7();
        let courses = [Requirement {
            course_id: course,
            required_roles: roles(&[Role::Agent]),
        }];
        let agent = roles(&[Role::Agent]);
        let with = |expires_at| {
            compliance(
                agent,
                &courses,
                &[Pass {
                    course_id: course,
                    expires_at,
                }],
                now,
            )
        };
        assert!(with(Some(now + chrono::Duration::days(5))).compliant);
        assert!(with(Some(now + chrono::Duration::days(31))).compliant);
        assert!(!with(Some(now - chrono::Duration::days(1))).compliant);
        assert!(!compliance(agent, &courses, &[], now).compliant);
        // Nothing required: compliant with no items.
        let trainer = compliance(roles(&[Role::Trainer]), &courses, &[], now);
        assert!(trainer.compliant);
        assert!(trainer.items.is_empty());
    }
}
