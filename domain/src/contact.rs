//! Contact details: email addresses and phone numbers, checked on construction.

use crate::DomainError;

/// An email address of a plausible shape (one `@`, a dotted domain, no spaces), lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Trims, lower-cases and checks `value`; `field` names the input in the refusal.
    pub fn parse(value: &str, field: &str) -> Result<Email, DomainError> {
        let email = value.trim().to_lowercase();
        let valid = email.len() <= 254
            && !email.chars().any(char::is_whitespace)
            && matches!(email.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if valid {
            Ok(Email(email))
        } else {
            Err(DomainError::invalid(field, "not a valid email address"))
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address, owned.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A phone number: digits with optional `+`, spaces, dashes and parentheses, 5 to 20 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Trims and checks `value`; `field` names the input in the refusal.
    pub fn parse(value: &str, field: &str) -> Result<Phone, DomainError> {
        let phone = value.trim();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
        if allowed && (5..=20).contains(&digits) {
            Ok(Phone(phone.to_owned()))
        } else {
            Err(DomainError::invalid(field, "not a valid phone number"))
        }
    }

    /// The number as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number, owned.
    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_trimmed_and_lower_cased() {
        let email = Email::parse("  Li.Lei@Example.COM ", "email");
        assert_eq!(
            email.map(Email::into_inner),
            Ok("li.lei@example.com".into())
        );
    }

    #[test]
    fn malformed_emails_are_refused_naming_the_field() {
        for bad in [
            "",
            "li",
            "li@",
            "@example.com",
            "li@example",
            "li@@example.com",
            "li lei@example.com",
            "li@.com",
            "li@example.",
        ] {
            assert_eq!(
                Email::parse(bad, "input.email"),
                Err(DomainError::invalid(
                    "input.email",
                    "not a valid email address"
                )),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn phone_numbers_keep_their_punctuation() {
        let phone = Phone::parse(" +86 (10) 1234-5678 ", "phone");
        assert_eq!(
            phone.map(Phone::into_inner),
            Ok("+86 (10) 1234-5678".into())
        );
    }

    #[test]
    fn phone_numbers_need_five_to_twenty_digits_and_nothing_else() {
        assert!(Phone::parse("1234", "p").is_err());
        assert!(Phone::parse("12345", "p").is_ok());
        assert!(Phone::parse(&"1".repeat(21), "p").is_err());
        assert!(Phone::parse("12345x", "p").is_err());
    }
}
