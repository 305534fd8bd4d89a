//! The errors a business rule can produce. The API maps each variant to exactly one
//! GraphQL error code.

/// A refusal by a business rule. Messages are written for the person using the product.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// One input is wrong; `field` names it (GraphQL input path, e.g. `input.subject`).
    #[error("{message}")]
    InvalidInput {
        /// The offending input field.
        field: String,
        /// What is wrong with it, for a person.
        message: String,
    },
    /// The caller's roles or relationship to the record do not permit the action.
    #[error("{0}")]
    Forbidden(String),
    /// The record does not exist, or the caller may not know that it exists.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The record changed since the caller read it, or a uniqueness rule was hit.
    #[error("{0}")]
    Conflict(String),
    /// The ticket's current status does not allow the requested move.
    #[error("cannot {action} a ticket that is {status}; allowed from {status}: {}", allowed_list(.allowed))]
    InvalidTransition {
        /// The ticket's current status (GraphQL enum spelling).
        status: String,
        /// What was attempted, as a verb phrase (e.g. `close`).
        action: String,
        /// The moves that are allowed from the current status.
        allowed: Vec<String>,
    },
}

fn allowed_list(allowed: &[String]) -> String {
    if allowed.is_empty() {
        "nothing".to_owned()
    } else {
        allowed.join(", ")
    }
}

impl DomainError {
    /// Shorthand for [`DomainError::InvalidInput`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`DomainError::Forbidden`].
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_transition_message_names_status_and_allowed_moves() {
        let err = DomainError::InvalidTransition {
            status: "NEW".into(),
            action: "close".into(),
            allowed: vec!["acknowledge".into(), "assign".into()],
        };
        assert_eq!(
            err.to_string(),
            "cannot close a ticket that is NEW; allowed from NEW: acknowledge, assign"
        );
    }
}
