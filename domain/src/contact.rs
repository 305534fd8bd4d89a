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

impl Phone {
    /// The number's [`phone_key`]: what recognises the same number however it was typed.
    pub fn key(&self) -> String {
        phone_key(&self.0).unwrap_or_default()
    }
}

/// The fewest digits a search term needs before it is also matched against phone numbers.
pub const MIN_PHONE_SEARCH_DIGITS: usize = 4;

/// The normalised form of a phone number, for recognising a caller however the number was
/// typed: its ASCII digits only, and without a Chinese country prefix (`+86`, `86`, `0086`)
/// in front of an 11-digit national number (a 13-digit number starting `86`, a 15-digit one
/// starting `0086`). So `+86 138 0013 8000`, `0086 13800138000`, `138-0013-8000` and
/// `13800138000` all give `13800138000`. Other numbers keep every digit (`+86 10 5555 0100`
/// gives `861055550100`, not the key of `010 5555 0100`). `None` without any digit.
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        13 => digits.strip_prefix("86"),
        15 => digits.strip_prefix("0086"),
        _ => None,
    }
    .unwrap_or(&digits);
    (!national.is_empty()).then(|| national.to_owned())
}

/// The [`phone_key`] to look for when a search term looks like (part of) a phone number: only
/// digits and the punctuation a [`Phone`] allows, with at least [`MIN_PHONE_SEARCH_DIGITS`]
/// digits. A term with letters, `@` or too few digits is no phone search (`None`).
pub fn phone_search_key(search: &str) -> Option<String> {
    let term = search.trim();
    let phone_like = term
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
    let digits = term.chars().filter(char::is_ascii_digit).count();
    if phone_like && digits >= MIN_PHONE_SEARCH_DIGITS {
        phone_key(term)
    } else {
        None
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

    #[test]
    fn one_number_typed_many_ways_has_one_key() {
        for typed in [
            "13800138000",
            "138 0013 8000",
            "138-0013-8000",
            "+86 138 0013 8000",
            "+86 138-0013-8000",
            "+8613800138000",
            "8613800138000",
            "0086 138 0013 8000",
            "(+86) 13800138000",
        ] {
            assert_eq!(
                phone_key(typed).as_deref(),
                Some("13800138000"),
                "{typed:?}"
            );
            assert_eq!(
                Phone::parse(typed, "phone").map(|p| p.key()).as_deref(),
                Ok("13800138000"),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn the_country_prefix_is_dropped_only_before_an_eleven_digit_number() {
        // 86 in front of something other than an 11-digit number is kept: it may be the
        // number itself.
        assert_eq!(phone_key("861055550100").as_deref(), Some("861055550100"));
        assert_eq!(phone_key("86123").as_deref(), Some("86123"));
        // 13 digits not starting with 86, 15 not starting with 0086: kept whole.
        assert_eq!(
            phone_key("+44 20 7946 0958 1").as_deref(),
            Some("4420794609581")
        );
        assert_eq!(
            phone_key("008712345678901").as_deref(),
            Some("008712345678901")
        );
        assert_eq!(phone_key("010-5555-0100").as_deref(), Some("01055550100"));
        assert_eq!(phone_key("+-() "), None);
        assert_eq!(phone_key(""), None);
    }

    #[test]
    fn a_search_term_is_a_phone_search_only_when_it_looks_like_a_number() {
        assert_eq!(
            phone_search_key(" +86 138 0013 8000 ").as_deref(),
            Some("13800138000")
        );
        assert_eq!(phone_search_key("8000").as_deref(), Some("8000"));
        assert_eq!(phone_search_key("138-0").as_deref(), Some("1380"));
        for not_a_phone in ["800", "li1234", "a@b.com 1234", "Zhang 13800138000", ""] {
            assert_eq!(phone_search_key(not_a_phone), None, "{not_a_phone:?}");
        }
    }

    proptest! {
        #[test]
        fn a_phone_key_is_digits_and_stable(s in "[ 0-9+()-]{0,24}") {
            if let Some(key) = phone_key(&s) {
                prop_assert!(key.chars().all(|c| c.is_ascii_digit()));
                prop_assert!(!key.is_empty());
                // A key is its own key.
                prop_assert_eq!(phone_key(&key), Some(key.clone()));
            }
        }

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
