//! Performance review rules: the order of a review's steps, who may write what, and the
//! bounds of a finalization. The API loads the review and the people; this module decides.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::DomainError;

/// The most characters an assessment (self, peer or manager) may hold.
pub const MAX_ASSESSMENT_CHARS: usize = 10_000;

/// Where a performance review stands. Each step moves it forward only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReviewStatus {
    /// Opened; nothing submitted yet (peer assessments may arrive at any time before
    /// finalization).
    Open,
    /// The employee has submitted their self assessment.
    SelfSubmitted,
    /// The manager has submitted theirs.
    ManagerSubmitted,
    /// Frozen: read-only from now on.
    Finalized,
}

impl ReviewStatus {
    /// The contract spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Open => "OPEN",
            ReviewStatus::SelfSubmitted => "SELF_SUBMITTED",
            ReviewStatus::ManagerSubmitted => "MANAGER_SUBMITTED",
            ReviewStatus::Finalized => "FINALIZED",
        }
    }

    /// Parses the contract spelling.
    pub fn parse(s: &str) -> Option<Self> {
        [
            ReviewStatus::Open,
            ReviewStatus::SelfSubmitted,
            ReviewStatus::ManagerSubmitted,
            ReviewStatus::Finalized,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A step in a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStep {
    /// The employee's own assessment (once).
    SelfAssessment,
    /// A colleague's assessment (once per colleague, never one's own).
    PeerAssessment,
    /// The manager's assessment (after the self assessment; may be rewritten until finalized).
    ManagerAssessment,
    /// Scores, stars and outcome; freezes the review.
    Finalize,
}

/// The status after `step`, or why it is refused. `self_submitted` says whether the self
/// assessment exists (the review row may have been created by a peer assessment).
pub fn review_step(
    status: ReviewStatus,
    self_submitted: bool,
    step: ReviewStep,
) -> Result<ReviewStatus, DomainError> {
    if status == ReviewStatus::Finalized {
        return Err(DomainError::Conflict(
            "this review is finalized and can no longer change".to_owned(),
        ));
    }
    match step {
        ReviewStep::SelfAssessment if self_submitted => Err(DomainError::Conflict(
            "the self assessment for this cycle has already been submitted".to_owned(),
        )),
        ReviewStep::SelfAssessment => Ok(if status == ReviewStatus::Open {
            ReviewStatus::SelfSubmitted
        } else {
            status
        }),
        ReviewStep::PeerAssessment => Ok(status),
        ReviewStep::ManagerAssessment if !self_submitted => Err(DomainError::Conflict(
            "the manager assessment follows the employee's self assessment".to_owned(),
        )),
        ReviewStep::ManagerAssessment => Ok(ReviewStatus::ManagerSubmitted),
        ReviewStep::Finalize if status != ReviewStatus::ManagerSubmitted => Err(
            DomainError::Conflict("a review is finalized after the manager assessment".to_owned()),
        ),
        ReviewStep::Finalize => Ok(ReviewStatus::Finalized),
    }
}

/// Checks the figures of a finalization: score 0–100, stars 1–5.
pub fn validate_final_scores(score: f64, stars: i32) -> Result<(), DomainError> {
    if !score.is_finite() || !(0.0..=100.0).contains(&score) {
        return Err(DomainError::invalid(
            "input.score",
            "must be between 0 and 100",
        ));
    }
    if !(1..=5).contains(&stars) {
        return Err(DomainError::invalid(
            "input.starRating",
            "must be between 1 and 5",
        ));
    }
    Ok(())
}

/// Checks a review cycle's period: it must end after it starts.
pub fn validate_cycle(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<(), DomainError> {
    if ends_at <= starts_at {
        return Err(DomainError::invalid("endsAt", "must be after startsAt"));
    }
    Ok(())
}

/// Refuses a manager (`by`) assessing or finalizing the review of `employee` when that is
/// themselves: nobody concludes their own review. The refusal is [`DomainError::Forbidden`].
pub fn not_own_review(by: Uuid, employee: Uuid) -> Result<(), DomainError> {
    if by == employee {
        return Err(DomainError::forbidden(
            "a manager does not assess or finalize their own review",
        ));
    }
    Ok(())
}

/// Refuses a peer assessment by `author` about themselves: a peer assessment is about a
/// colleague. The refusal is [`DomainError::InvalidInput`] on `employeeId`.
pub fn peer_is_colleague(author: Uuid, employee: Uuid) -> Result<(), DomainError> {
    if author == employee {
        return Err(DomainError::invalid(
            "employeeId",
            "a peer assessment is about a colleague, not yourself",
        ));
    }
    Ok(())
}

/// The recommended courses of a finalization without repeats, in the order first given.
pub fn distinct_courses(ids: impl IntoIterator<Item = Uuid>) -> Vec<Uuid> {
    let mut distinct = Vec::new();
    for id in ids {
        if !distinct.contains(&id) {
            distinct.push(id);
        }
    }
    distinct
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_review_moves_forward_and_freezes() {
        use ReviewStatus::*;
        use ReviewStep::*;
        assert_eq!(
            review_step(Open, false, SelfAssessment).unwrap(),
            SelfSubmitted
        );
        assert!(review_step(SelfSubmitted, true, SelfAssessment).is_err());
        assert_eq!(review_step(Open, false, PeerAssessment).unwrap(), Open);
        assert!(review_step(Open, false, ManagerAssessment).is_err());
        assert_eq!(
            review_step(SelfSubmitted, true, ManagerAssessment).unwrap(),
            ManagerSubmitted
        );
        assert!(review_step(SelfSubmitted, true, Finalize).is_err());
        assert_eq!(
            review_step(ManagerSubmitted, true, Finalize).unwrap(),
            Finalized
        );
        for step in [SelfAssessment, PeerAssessment, ManagerAssessment, Finalize] {
            assert!(review_step(Finalized, true, step).is_err());
        }
    }

    #[test]
    fn final_scores_are_bounded() {
        assert!(validate_final_scores(87.5, 4).is_ok());
        assert!(validate_final_scores(101.0, 4).is_err());
        assert!(validate_final_scores(f64::NAN, 4).is_err());
        assert!(validate_final_scores(50.0, 0).is_err());
        assert!(validate_final_scores(50.0, 6).is_err());
        let t = utc("2026-01-01T00:00:00Z");
        assert!(validate_cycle(t, t).is_err());
        assert!(validate_cycle(t, t + Duration::days(90)).is_ok());
    }

    #[test]
    fn review_statuses_round_trip_through_their_spelling() {
        use ReviewStatus::*;
        for status in [Open, SelfSubmitted, ManagerSubmitted, Finalized] {
            assert_eq!(ReviewStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(ReviewStatus::parse("open"), None);
    }

    #[test]
    fn a_self_assessment_after_the_manager_keeps_the_status() {
        assert_eq!(
            review_step(
                ReviewStatus::ManagerSubmitted,
                false,
                ReviewStep::SelfAssessment
            ),
            Ok(ReviewStatus::ManagerSubmitted)
        );
    }

    #[test]
    fn nobody_assesses_or_finalizes_their_own_review() {
        let me = Uuid::from_u128(1);
        let colleague = Uuid::from_u128(2);
        assert_eq!(not_own_review(me, colleague), Ok(()));
        assert_eq!(
            not_own_review(me, me),
            Err(DomainError::Forbidden(
                "a manager does not assess or finalize their own review".to_owned()
            ))
        );
    }

    #[test]
    fn a_peer_assessment_is_about_someone_else() {
        let me = Uuid::from_u128(1);
        let colleague = Uuid::from_u128(2);
        assert_eq!(peer_is_colleague(me, colleague), Ok(()));
        assert_eq!(
            peer_is_colleague(me, me),
            Err(DomainError::invalid(
                "employeeId",
                "a peer assessment is about a colleague, not yourself"
            ))
        );
    }

    #[test]
    fn recommended_courses_keep_their_first_order_without_repeats() {
        let [a, b, c] = [1, 2, 3].map(Uuid::from_u128);
        assert_eq!(distinct_courses([b, a, b, c, a]), vec![b, a, c]);
        assert_eq!(distinct_courses([]), Vec::<Uuid>::new());
    }
}
