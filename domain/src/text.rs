//! Free-text inputs: what every name, note and reason must satisfy.

use crate::DomainError;

/// Trims `value` and requires 1 to `max` characters; `field` names the input in the refusal.
pub fn required(value: &str, field: &str, max: usize) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_kept() {
        assert_eq!(required("  hello ", "name", 10), Ok("hello".to_owned()));
    }

    #[test]
    fn blank_text_is_refused_naming_the_field() {
        assert_eq!(
            required(" \n\t", "input.name", 10),
            Err(DomainError::invalid("input.name", "must not be empty"))
        );
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        assert!(required("退货退货退货", "x", 6).is_ok());
        assert_eq!(
            required("退货退货退货退", "x", 6),
            Err(DomainError::invalid("x", "must be at most 6 characters"))
        );
    }
}
