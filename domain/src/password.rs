//! The password policy: 10 to 128 characters, not one of the most common passwords.
//! Hashing itself is I/O-free but CPU-heavy, so it lives with the API (in `spawn_blocking`).

use crate::DomainError;

/// Minimum length in characters.
pub const MIN_CHARS: usize = 10;
/// Maximum length in characters (bounds hashing cost and request size).
pub const MAX_CHARS: usize = 128;

const COMMON: &str = include_str!("common-passwords.txt");

/// Checks a proposed password against the policy; `field` names the input it came from.
pub fn check_policy(password: &str, field: &str) -> Result<(), DomainError> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("password must be at least {MIN_CHARS} characters long"),
        ));
    }
    if chars > MAX_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("password must be at most {MAX_CHARS} characters long"),
        ));
    }
    if is_common(password) {
        return Err(DomainError::invalid(
            field,
            "this password is too common; choose one that is harder to guess",
        ));
    }
    Ok(())
}

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|line| line.eq_ignore_ascii_case(&lower))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_refused() {
        let err = check_policy("short", "password").unwrap_err();
        assert!(err.to_string().contains("at least 10"));
    }

    #[test]
    fn overlong_passwords_are_refused() {
        assert!(check_policy(&"x".repeat(129), "password").is_err());
        assert!(check_policy(&"x1".repeat(64), "password").is_ok());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Nine three-byte characters are nine characters, not 27.
        assert!(check_policy("客服客服客服客服客", "password").is_err());
        assert!(check_policy("客服客服客服客服客服", "password").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for pw in ["1234567890", "Password123", "QWERTYUIOP", "iloveyou123"] {
            let err = check_policy(pw, "password").unwrap_err();
            assert!(err.to_string().contains("too common"), "{pw}");
        }
    }

    #[test]
    fn a_reasonable_passphrase_is_accepted() {
        assert!(check_policy("correct horse battery staple", "password").is_ok());
    }
}
