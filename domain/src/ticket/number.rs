//! Human-readable ticket numbers: `T-YYYYMMDD-NNNNNN`, the intake date and a sequence (per day
//! on SQLite; on PostgreSQL one sequence that runs on across days, so no row serialises intake).

use chrono::{Datelike, NaiveDate};

/// Formats a ticket number, e.g. `T-20261122-000042`. The sequence is padded to six digits;
/// a day with more than 999,999 tickets simply gets longer numbers rather than colliding.
pub fn format_ticket_number(date: NaiveDate, seq: u32) -> String {
    format!(
        "T-{:04}{:02}{:02}-{seq:06}",
        date.year(),
        date.month(),
        date.day()
    )
}

/// Parses a number made by [`format_ticket_number`]; anything else (wrong prefix, impossible
/// date, non-digits, fewer than six sequence digits) is `None`.
pub fn parse_ticket_number(s: &str) -> Option<(NaiveDate, u32)> {
    let rest = s.strip_prefix("T-")?;
    let (date, seq) = rest.split_once('-')?;
    if date.len() != 8 || !all_digits(date) || seq.len() < 6 || !all_digits(seq) {
        return None;
    }
    let year = date.get(0..4)?.parse().ok()?;
    let month = date.get(4..6)?.parse().ok()?;
    let day = date.get(6..8)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    // Longer than six digits only when the number needs it, so each ticket has one spelling.
    if seq.len() > 6 && seq.starts_with('0') {
        return None;
    }
    Some((date, seq.parse().ok()?))
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ticket_numbers_are_prefixed_dated_and_zero_padded() {
        assert_eq!(
            format_ticket_number(date(2026, 11, 22), 42),
            "T-20261122-000042"
        );
        assert_eq!(
            format_ticket_number(date(2026, 1, 2), 0),
            "T-20260102-000000"
        );
        assert_eq!(
            format_ticket_number(date(2026, 1, 2), 1_234_567),
            "T-20260102-1234567"
        );
    }

    #[test]
    fn a_ticket_number_parses_back_to_its_date_and_sequence() {
        assert_eq!(
            parse_ticket_number("T-20261122-000042"),
            Some((date(2026, 11, 22), 42))
        );
        assert_eq!(
            parse_ticket_number("T-20260102-1234567"),
            Some((date(2026, 1, 2), 1_234_567))
        );
    }

    #[test]
    fn malformed_ticket_numbers_do_not_parse() {
        for bad in [
            "",
            "T-20261122-42",
            "t-20261122-000042",
            "X-20261122-000042",
            "T-20261322-000042",
            "T-20260230-000042",
            "T-2026112-0000042",
            "T-20261122-00004a",
            "T-20261122-+00042",
            "T-20261122-0000042",
            "T-20261122-99999999999",
            "T-20261122",
            "T-２0261122-000042",
        ] {
            assert_eq!(parse_ticket_number(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_formatted_ticket_number_parses_back(
            days in 0i64..(9000 * 366),
            seq in any::<u32>(),
        ) {
            let d = date(1000, 1, 1) + chrono::Days::new(days.unsigned_abs());
            prop_assume!(d.year() <= 9999);
            let n = format_ticket_number(d, seq);
            prop_assert_eq!(parse_ticket_number(&n), Some((d, seq)));
        }
    }
}
