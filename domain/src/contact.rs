//! Contact details: email addresses and phone numbers, checked for shape and normalised once,
//! at the edge, so the rest of the system only ever holds well-formed ones.

use std::fmt;

use crate::DomainError;

/// The longest email address accepted, in bytes (the SMTP path limit).
pub const MAX_EMAIL_BYTES: usize = 254;

/// The fewest digits a phone number has.
pub const MIN_PHONE_DIGITS: usize = 5;

/// The most digits a phone number has.
pub const MAX_PHONE_DIGITS: usize = 20;

/// A trimmed, lower-cased email address of plausible shape: one `@` with something before
/// it, a dotted domain after it that neither starts nor ends with a dot, no whitespace, at
/// most [`MAX_EMAIL_BYTES`] bytes. Deliverability is not checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Trims and lower-cases `s`, then checks its shape (see [`Email`]).
    ///
    /// A refusal is [`DomainError::InvalidInput`] on `field` (e.g. `input.email`) with the
    /// message "not a valid email address".
    pub fn parse(s: &str, field: &str) -> Result<Self, DomainError> {
        let email = s.trim().to_lowercase();
        let valid = email.len() <= MAX_EMAIL_BYTES
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

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The normalised address, owned.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A trimmed phone number: ASCII digits with optional `+`, `-`, spaces and parentheses,
/// holding [`MIN_PHONE_DIGITS`] to [`MAX_PHONE_DIGITS`] digits. Kept as written (after
/// trimming), since people recognise their number in their own spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    /// Trims `s`, then checks its characters and digit count (see [`Phone`]).
    ///
    /// A refusal is [`DomainError::InvalidInput`] on `field` (e.g. `input.phone`) with the
    /// message "not a valid phone number".
    pub fn parse(s: &str, field: &str) -> Result<Self, DomainError> {
        let phone = s.trim();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
        if allowed && (MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits) {
            Ok(Phone(phone.to_owned()))
        } else {
            Err(DomainError::invalid(field, "not a valid phone number"))
        }
    }

    /// The number as written, trimmed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as written, trimmed, owned.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn email_error(s: &str) -> DomainError {
        Email::parse(s, "input.email").unwrap_err()
    }

    fn phone_error(s: &str) -> DomainError {
        Phone::parse(s, "input.phone").unwrap_err()
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        let email = Email::parse("  Li.Wei@Example.COM \n", "input.email").unwrap();
        assert_eq!(email.as_str(), "li.wei@example.com");
        assert_eq!(email.to_string(), "li.wei@example.com");
        assert_eq!(email.into_inner(), "li.wei@example.com");
    }

    #[test]
    fn ordinary_email_addresses_are_accepted() {
        for good in [
            "a@b.c",
            "agent+tag@careline.example",
            "first.last@mail.example.co.uk",
            "张伟@例子.中国",
        ] {
            assert!(Email::parse(good, "input.email").is_ok(), "{good}");
        }
    }

    #[test]
    fn malformed_email_addresses_are_refused_on_the_named_field() {
        for bad in [
            "",
            "   ",
            "no-at-sign.example",
            "@example.com",
            "two@@example.com",
            "a@b@example.com",
            "a@localhost",
            "a@.example.com",
            "a@example.com.",
            "a b@example.com",
            "a@exa\tmple.com",
        ] {
            assert_eq!(
                email_error(bad),
                DomainError::invalid("input.email", "not a valid email address"),
                "{bad:?}"
            );
        }
        let err = Email::parse("nope", "input.customer.email").unwrap_err();
        assert_eq!(
            err,
            DomainError::invalid("input.customer.email", "not a valid email address")
        );
    }

    #[test]
    fn an_email_address_may_be_at_most_254_bytes() {
        let domain = "@example.com";
        let fits = format!("{}{domain}", "a".repeat(MAX_EMAIL_BYTES - domain.len()));
        assert!(Email::parse(&fits, "input.email").is_ok());
        let too_long = format!("a{fits}");
        assert!(matches!(
            email_error(&too_long),
            DomainError::InvalidInput { .. }
        ));
        // Surrounding whitespace does not count towards the limit.
        assert!(Email::parse(&format!("  {fits}  "), "input.email").is_ok());
    }

    #[test]
    fn phone_numbers_are_trimmed_and_kept_as_written() {
        let phone = Phone::parse("  +86 (10) 5555-0100 ", "input.phone").unwrap();
        assert_eq!(phone.as_str(), "+86 (10) 5555-0100");
        assert_eq!(phone.to_string(), "+86 (10) 5555-0100");
        assert_eq!(phone.into_inner(), "+86 (10) 5555-0100");
    }

    #[test]
    fn phone_numbers_hold_five_to_twenty_digits() {
        assert!(Phone::parse("12345", "input.phone").is_ok());
        assert!(Phone::parse(&"9".repeat(20), "input.phone").is_ok());
        for bad in ["1234", "+1-2-3-4", &"9".repeat(21), "", "  "] {
            assert_eq!(
                phone_error(bad),
                DomainError::invalid("input.phone", "not a valid phone number"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn phone_numbers_refuse_letters_and_other_punctuation() {
        for bad in [
            "555-CALL-NOW",
            "12345 ext 6",
            "123.456.7890",
            "12345#",
            "１２３４５",
        ] {
            assert!(Phone::parse(bad, "input.phone").is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn a_parsed_email_parses_to_itself(s in "[ A-Za-z0-9.@+_-]{0,40}") {
            if let Ok(email) = Email::parse(&s, "input.email") {
                prop_assert_eq!(Email::parse(email.as_str(), "input.email"), Ok(email.clone()));
                prop_assert_eq!(email.as_str().to_lowercase(), email.as_str());
            }
        }

        #[test]
        fn a_parsed_phone_parses_to_itself(s in "[ 0-9+()a-z-]{0,30}") {
            if let Ok(phone) = Phone::parse(&s, "input.phone") {
                prop_assert_eq!(Phone::parse(phone.as_str(), "input.phone"), Ok(phone.clone()));
            }
        }
    }
}
