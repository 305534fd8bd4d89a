use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use super::*;
use crate::DomainError;

fn calendar(time_zone: &str, windows: &str) -> BusinessCalendar {
    BusinessCalendar::parse(time_zone, windows).unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A wall-clock reading in the calendar's zone that exists exactly once.
fn local(cal: &BusinessCalendar, text: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    cal.time_zone()
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn error(time_zone: &str, windows: &str) -> (String, String) {
    match BusinessCalendar::parse(time_zone, windows) {
        Err(DomainError::InvalidInput { field, message }) => (field, message),
        other => panic!("expected invalid input for {time_zone:?} / {windows:?}, got {other:?}"),
    }
}

fn windows_error(windows: &str) -> String {
    let (field, message) = error("UTC", windows);
    assert_eq!(field, "input.windows", "{message}");
    message
}

mod parsing {
    use super::*;

    #[test]
    fn the_default_shifts_merge_into_one_window_every_day() {
        let cal = calendar("Asia/Shanghai", DEFAULT_WINDOWS);
        assert_eq!(cal.windows_spec(), "09:00-23:00");
        assert_eq!(cal.time_zone_name(), "Asia/Shanghai");
    }

    #[test]
    fn always_open_is_accepted_in_any_case_and_with_spaces() {
        assert_eq!(calendar("UTC", " 24X7 ").windows_spec(), "24x7");
    }

    #[test]
    fn whole_days_on_every_day_normalise_to_always_open() {
        assert_eq!(calendar("UTC", "00:00-24:00").windows_spec(), "24x7");
        assert_eq!(
            calendar(
                "UTC",
                "Mon-Fri 00:00-24:00,Sat|Sun 00:00-12:00,Sat-Sun 12:00-24:00"
            )
            .windows_spec(),
            "24x7"
        );
    }

    #[test]
    fn days_with_the_same_hours_are_grouped_monday_first() {
        let cal = calendar(
            "Europe/Berlin",
            "Sat 10:00-14:00, mon-fri 09:00-12:00,Mon-Fri   13:00-18:00",
        );
        assert_eq!(
            cal.windows_spec(),
            "Mon-Fri 09:00-12:00,Mon-Fri 13:00-18:00,Sat 10:00-14:00"
        );
    }

    #[test]
    fn day_lists_use_pipes_and_ranges_wrap_round_the_week() {
        let cal = calendar("UTC", "Mon|Wed 08:00-09:00,Sat-Mon 10:00-11:00");
        assert_eq!(
            cal.windows_spec(),
            "Mon 08:00-09:00,Mon 10:00-11:00,Wed 08:00-09:00,Sat-Sun 10:00-11:00"
        );
    }

    #[test]
    fn overlapping_and_touching_windows_are_merged() {
        assert_eq!(
            calendar(
                "UTC",
                "09:00-12:00,11:00-13:00,12:30-14:00,14:00-15:00,16:00-17:00"
            )
            .windows_spec(),
            "09:00-15:00,16:00-17:00"
        );
    }

    #[test]
    fn windows_around_midnight_are_written_as_two_windows() {
        let cal = calendar("UTC", "22:00-24:00,0:00-06:00");
        assert_eq!(cal.windows_spec(), "00:00-06:00,22:00-24:00");
    }

    #[test]
    fn the_normal_form_parses_back_to_the_same_calendar() {
        let cal = calendar(
            "Europe/Berlin",
            "Sat-Mon 10:00-11:00,Tue|Thu 07:15-08:45,3:00-4:00",
        );
        assert_eq!(calendar("Europe/Berlin", cal.windows_spec()), cal);
    }

    #[test]
    fn time_zones_are_iana_names_and_are_trimmed() {
        assert_eq!(calendar(" UTC ", "24x7").time_zone_name(), "UTC");
        assert_eq!(
            calendar("Europe/Berlin", "24x7").time_zone(),
            chrono_tz::Europe::Berlin
        );
    }

    #[test]
    fn an_unknown_time_zone_is_refused_on_the_time_zone_field() {
        let (field, message) = error("Mars/Olympus", "24x7");
        assert_eq!(field, "input.timeZone");
        assert!(
            message.contains("unknown time zone `Mars/Olympus`"),
            "{message}"
        );
    }

    #[test]
    fn a_blank_time_zone_is_refused_on_the_time_zone_field() {
        let (field, message) = error("  ", "24x7");
        assert_eq!(field, "input.timeZone");
        assert!(message.contains("required"), "{message}");
    }

    #[test]
    fn blank_windows_are_refused() {
        assert!(windows_error(" ").contains("required"));
    }

    #[test]
    fn a_window_crossing_midnight_is_refused_with_the_way_to_write_it() {
        let message = windows_error("22:00-06:00");
        assert!(message.contains("cannot cross midnight"), "{message}");
        assert!(message.contains("22:00-24:00,00:00-06:00"), "{message}");
    }

    #[test]
    fn an_empty_window_is_refused() {
        assert!(windows_error("09:00-09:00").contains("must end after it starts"));
    }

    #[test]
    fn impossible_times_are_refused() {
        for bad in [
            "25:00-26:00",
            "09:60-10:00",
            "09:00-24:30",
            "9am-5pm",
            "09-17",
            "09:0-10:00",
            "009:00-10:00",
            "+9:00-10:00",
        ] {
            let message = windows_error(bad);
            assert!(message.contains("is not a time"), "{bad}: {message}");
        }
    }

    #[test]
    fn a_window_cannot_start_at_midnight_at_the_end_of_the_day() {
        assert!(windows_error("24:00-24:00").contains("starts at 24:00"));
    }

    #[test]
    fn an_item_without_a_dash_is_not_a_time_range() {
        assert!(windows_error("09:00").contains("not a time range"));
    }

    #[test]
    fn unknown_days_are_refused() {
        for bad in [
            "Monday 09:00-10:00",
            "Mon- 09:00-10:00",
            "Mon||Tue 09:00-10:00",
        ] {
            let message = windows_error(bad);
            assert!(message.contains("unknown day"), "{bad}: {message}");
        }
    }

    #[test]
    fn days_listed_with_commas_get_a_hint_to_use_pipes() {
        let message = windows_error("Mon,Wed 09:00-18:00");
        assert!(message.contains("`Mon` has no hours"), "{message}");
        assert!(message.contains("Mon|Wed 09:00-18:00"), "{message}");
    }

    #[test]
    fn a_stray_comma_is_refused() {
        assert!(windows_error("09:00-18:00,").contains("stray comma"));
    }

    #[test]
    fn too_many_words_in_an_item_are_refused() {
        assert!(windows_error("Mon Fri 09:00-10:00").contains("is not a window"));
    }

    #[test]
    fn always_open_cannot_be_one_item_of_a_list() {
        assert!(windows_error("24x7,Mon 09:00-10:00").contains("whole value"));
    }
}

mod arithmetic {
    use super::*;

    #[test]
    fn a_friday_evening_start_on_a_weekday_calendar_finishes_on_monday() {
        let cal = calendar("Asia/Shanghai", "Mon-Fri 09:00-18:00");
        let friday = local(&cal, "2024-05-10 17:30");
        let due = cal.add_business_minutes(friday, 60);
        assert_eq!(due, local(&cal, "2024-05-13 09:30"));
        assert_eq!(cal.business_minutes_between(friday, due), 60);
    }

    #[test]
    fn a_start_in_closed_hours_waits_for_the_next_opening() {
        let cal = calendar("Asia/Shanghai", "Mon-Fri 09:00-18:00");
        let saturday = local(&cal, "2024-05-11 12:00");
        assert_eq!(
            cal.add_business_minutes(saturday, 30),
            local(&cal, "2024-05-13 09:30")
        );
    }

    #[test]
    fn a_target_used_up_at_closing_time_is_due_at_closing_time() {
        let cal = calendar("Asia/Shanghai", "Mon-Fri 09:00-18:00");
        let monday = local(&cal, "2024-05-13 09:00");
        assert_eq!(
            cal.add_business_minutes(monday, 9 * 60),
            local(&cal, "2024-05-13 18:00")
        );
    }

    #[test]
    fn zero_or_negative_minutes_leave_the_start_unchanged() {
        let cal = calendar("Asia/Shanghai", "Mon-Fri 09:00-18:00");
        let saturday = local(&cal, "2024-05-11 12:00");
        assert_eq!(cal.add_business_minutes(saturday, 0), saturday);
        assert_eq!(cal.add_business_minutes(saturday, -5), saturday);
    }

    #[test]
    fn one_business_day_on_the_default_calendar_is_the_same_time_next_day() {
        let cal = calendar(DEFAULT_TIME_ZONE, DEFAULT_WINDOWS);
        let start = local(&cal, "2024-05-10 10:00");
        assert_eq!(
            cal.add_business_minutes(start, BUSINESS_DAY_MINUTES),
            local(&cal, "2024-05-11 10:00")
        );
    }

    #[test]
    fn windows_meeting_at_midnight_run_on_without_a_break() {
        let cal = calendar("UTC", "22:00-24:00,00:00-06:00");
        let start = utc("2024-05-10T23:00:00Z");
        assert_eq!(
            cal.add_business_minutes(start, 120),
            utc("2024-05-11T01:00:00Z")
        );
    }

    #[test]
    fn always_open_is_plain_clock_arithmetic() {
        let cal = calendar("Europe/Berlin", "24x7");
        let start = utc("2024-03-30T12:34:56.789Z");
        assert_eq!(
            cal.add_business_minutes(start, 1440),
            start + TimeDelta::days(1)
        );
        assert_eq!(
            cal.business_minutes_between(start, start + TimeDelta::seconds(119)),
            1
        );
    }

    #[test]
    fn measuring_counts_whole_minutes_and_nothing_backwards() {
        let cal = calendar("UTC", "09:00-18:00");
        let a = utc("2024-05-10T17:58:30Z");
        assert_eq!(
            cal.business_minutes_between(a, utc("2024-05-11T09:00:00Z")),
            1
        );
        assert_eq!(
            cal.business_minutes_between(a, utc("2024-05-11T09:00:31Z")),
            2
        );
        assert_eq!(cal.business_minutes_between(a, a), 0);
        assert_eq!(cal.business_minutes_between(a, a - TimeDelta::hours(5)), 0);
    }

    #[test]
    fn a_start_with_seconds_keeps_its_seconds() {
        let cal = calendar("UTC", "09:00-18:00");
        let start = utc("2024-05-10T17:59:30Z");
        assert_eq!(
            cal.add_business_minutes(start, 1),
            utc("2024-05-11T09:00:30Z")
        );
    }

    #[test]
    fn a_spring_forward_window_spanning_the_skipped_hour_is_one_hour_shorter() {
        // Berlin skips 02:00-03:00 on Sunday 2024-03-31.
        let cal = calendar("Europe/Berlin", "01:30-03:30");
        let day_start = utc("2024-03-30T23:00:00Z");
        let day_end = utc("2024-03-31T22:00:00Z");
        assert_eq!(cal.business_minutes_between(day_start, day_end), 60);
        assert_eq!(
            cal.add_business_minutes(day_start, 60),
            utc("2024-03-31T01:30:00Z")
        );
        // The 61st minute is on Monday, in summer time.
        assert_eq!(
            cal.add_business_minutes(day_start, 61),
            utc("2024-03-31T23:31:00Z")
        );
    }

    #[test]
    fn a_window_starting_in_the_skipped_hour_opens_when_the_clock_jumps() {
        let cal = calendar("Europe/Berlin", "Sun 02:30-04:00");
        let saturday = utc("2024-03-30T12:00:00Z");
        assert_eq!(
            cal.add_business_minutes(saturday, 1),
            utc("2024-03-31T01:01:00Z")
        );
        assert_eq!(
            cal.business_minutes_between(saturday, utc("2024-04-01T00:00:00Z")),
            60
        );
    }

    #[test]
    fn a_window_wholly_inside_the_skipped_hour_does_not_open_that_day() {
        let cal = calendar("Europe/Berlin", "Sun 02:10-02:50");
        let saturday = utc("2024-03-30T12:00:00Z");
        // Next Sunday, 02:20 summer time.
        assert_eq!(
            cal.add_business_minutes(saturday, 10),
            utc("2024-04-07T00:20:00Z")
        );
    }

    #[test]
    fn a_fall_back_window_spanning_the_repeated_hour_is_one_hour_longer() {
        // Berlin repeats 02:00-03:00 on Sunday 2024-10-27.
        let cal = calendar("Europe/Berlin", "01:30-03:30");
        let day_start = utc("2024-10-26T22:00:00Z");
        let day_end = utc("2024-10-27T23:00:00Z");
        assert_eq!(cal.business_minutes_between(day_start, day_end), 180);
        assert_eq!(
            cal.add_business_minutes(day_start, 180),
            utc("2024-10-27T02:30:00Z")
        );
    }

    #[test]
    fn a_window_opening_in_the_repeated_hour_opens_on_its_first_pass() {
        let cal = calendar("Europe/Berlin", "Sun 02:30-04:00");
        let saturday = utc("2024-10-26T12:00:00Z");
        // 02:30 summer time is 00:30 UTC; 04:00 winter time is 03:00 UTC.
        assert_eq!(
            cal.add_business_minutes(saturday, 1),
            utc("2024-10-27T00:31:00Z")
        );
        assert_eq!(
            cal.business_minutes_between(saturday, utc("2024-10-28T00:00:00Z")),
            150
        );
    }

    #[test]
    fn a_window_closing_where_the_clock_falls_back_to_closes_on_the_first_pass() {
        // At 03:00 summer time the clock falls back to 02:00; after the first 02:00 it never
        // shows an earlier time again, so the shift is over then.
        let cal = calendar("Europe/Berlin", "Sun 01:00-02:00");
        let saturday = utc("2024-10-26T12:00:00Z");
        assert_eq!(
            cal.business_minutes_between(saturday, utc("2024-10-28T00:00:00Z")),
            60
        );
        assert_eq!(
            cal.add_business_minutes(saturday, 60),
            utc("2024-10-27T00:00:00Z")
        );
    }

    #[test]
    fn windows_that_overlap_in_the_repeated_hour_are_not_counted_twice() {
        // 01:00-02:10 closes on the second pass (01:10 UTC); 02:20-04:00 opens on the first
        // (00:20 UTC): together they cover 23:00-03:00 UTC once.
        let cal = calendar("Europe/Berlin", "Sun 01:00-02:10,Sun 02:20-04:00");
        let saturday = utc("2024-10-26T12:00:00Z");
        assert_eq!(
            cal.business_minutes_between(saturday, utc("2024-10-28T00:00:00Z")),
            240
        );
        assert_eq!(
            cal.add_business_minutes(saturday, 240),
            utc("2024-10-27T03:00:00Z")
        );
    }

    #[test]
    fn a_million_minutes_are_walked_in_days_not_minutes() {
        let cal = calendar(DEFAULT_TIME_ZONE, DEFAULT_WINDOWS);
        let start = local(&cal, "2024-05-10 10:00");
        let due = cal.add_business_minutes(start, 1_000_000);
        assert_eq!(cal.business_minutes_between(start, due), 1_000_000);
        // 1,000,000 = 1190 days of 840 minutes and 400 minutes more.
        assert_eq!(due, local(&cal, "2027-08-13 16:40"));
    }

    #[test]
    fn absurd_targets_saturate_at_the_far_future() {
        let cal = calendar("Europe/Berlin", "Mon 09:00-09:01");
        let start = utc("2024-05-10T10:00:00Z");
        assert_eq!(cal.add_business_minutes(start, i64::MAX), FAR_FUTURE);
        assert_eq!(
            calendar("UTC", "24x7").add_business_minutes(start, i64::MAX),
            FAR_FUTURE
        );
        assert_eq!(FAR_FUTURE, utc("9999-12-31T23:59:59Z"));
    }
}

mod pauses {
    use super::*;

    fn default_calendar() -> BusinessCalendar {
        calendar(DEFAULT_TIME_ZONE, DEFAULT_WINDOWS)
    }

    #[test]
    fn a_pause_preserves_the_business_time_left_when_it_started() {
        let cal = default_calendar();
        let due = local(&cal, "2024-05-14 15:00");
        // Five business hours left at 10:00; the customer answers at 22:00.
        let shifted = cal.shift_due_for_pause(
            due,
            local(&cal, "2024-05-14 10:00"),
            local(&cal, "2024-05-14 22:00"),
        );
        assert_eq!(shifted, local(&cal, "2024-05-15 13:00"));
    }

    #[test]
    fn a_pause_starting_after_the_due_time_changes_nothing() {
        let cal = default_calendar();
        let due = local(&cal, "2024-05-14 15:00");
        assert_eq!(
            cal.shift_due_for_pause(
                due,
                local(&cal, "2024-05-14 15:00"),
                local(&cal, "2024-05-15 15:00")
            ),
            due
        );
    }

    #[test]
    fn a_pause_in_closed_hours_does_not_move_the_due_time() {
        let cal = default_calendar();
        let due = local(&cal, "2024-05-15 12:00");
        assert_eq!(
            cal.shift_due_for_pause(
                due,
                local(&cal, "2024-05-14 23:10"),
                local(&cal, "2024-05-15 08:00")
            ),
            due
        );
    }

    #[test]
    fn a_pause_never_moves_the_due_time_earlier() {
        let cal = default_calendar();
        // Due in closed hours, nothing left to preserve.
        let due = local(&cal, "2024-05-14 23:30");
        assert_eq!(
            cal.shift_due_for_pause(
                due,
                local(&cal, "2024-05-14 23:10"),
                local(&cal, "2024-05-14 23:20")
            ),
            due
        );
    }

    #[test]
    fn an_empty_or_inverted_pause_changes_nothing() {
        let cal = default_calendar();
        let due = local(&cal, "2024-05-14 15:00");
        let at = local(&cal, "2024-05-14 10:00");
        assert_eq!(cal.shift_due_for_pause(due, at, at), due);
        assert_eq!(
            cal.shift_due_for_pause(due, at, at - TimeDelta::hours(1)),
            due
        );
    }

    #[test]
    fn overlapping_pauses_are_only_taken_away_once() {
        let cal = default_calendar();
        let a = local(&cal, "2024-05-14 10:00");
        let b = local(&cal, "2024-05-14 14:00");
        let pauses = [
            (
                local(&cal, "2024-05-14 11:00"),
                local(&cal, "2024-05-14 12:00"),
            ),
            (
                local(&cal, "2024-05-14 11:30"),
                local(&cal, "2024-05-14 12:30"),
            ),
            // Sticks out before `a`: only 09:30-10:00 is outside the range.
            (
                local(&cal, "2024-05-14 09:30"),
                local(&cal, "2024-05-14 10:15"),
            ),
            // In closed hours: no business time to take away.
            (
                local(&cal, "2024-05-14 02:00"),
                local(&cal, "2024-05-14 03:00"),
            ),
        ];
        assert_eq!(cal.business_minutes_excluding(a, b, &pauses), 240 - 90 - 15);
        assert_eq!(cal.business_minutes_excluding(a, b, &[]), 240);
        assert_eq!(cal.business_minutes_excluding(b, a, &pauses), 0);
    }
}

mod policies {
    use super::*;

    fn policy(kind: &str, severity: Option<&str>) -> Option<&'static DefaultPolicy> {
        most_specific(DEFAULT_POLICIES, kind, severity, |p| (p.kind, p.severity))
    }

    #[test]
    fn an_inquiry_is_resolved_within_one_business_day() {
        let inquiry = policy("INQUIRY", None).unwrap();
        assert_eq!(inquiry.target_minutes(SlaTargetKind::FirstResponse), 60);
        assert_eq!(inquiry.target_minutes(SlaTargetKind::Resolution), 840);
    }

    #[test]
    fn the_defaults_follow_the_manual() {
        let targets: Vec<_> = DEFAULT_POLICIES
            .iter()
            .map(|p| {
                (
                    p.kind,
                    p.severity,
                    p.first_response_minutes,
                    p.resolution_minutes,
                )
            })
            .collect();
        assert_eq!(
            targets,
            [
                ("INQUIRY", None, 60, 840),
                ("COMPLAINT", Some("GENERAL"), 120, 2520),
                ("COMPLAINT", Some("IMPORTANT"), 60, 1680),
                ("COMPLAINT", Some("MAJOR"), 15, 1440),
                ("AFTER_SALES", None, 240, 2520),
                ("TECHNICAL_SUPPORT", None, 120, 1680),
                ("SUGGESTION", None, 840, 4200),
                ("PRAISE", None, 840, 4200),
            ]
        );
    }

    #[test]
    fn every_default_calendar_parses_and_only_major_complaints_run_around_the_clock() {
        for p in DEFAULT_POLICIES {
            let cal = p.calendar().unwrap();
            assert_eq!(cal.time_zone_name(), "Asia/Shanghai");
            let expected = if p.severity == Some("MAJOR") {
                "24x7"
            } else {
                "09:00-23:00"
            };
            assert_eq!(cal.windows_spec(), expected, "{}", p.name);
        }
    }

    #[test]
    fn the_solution_notice_is_one_business_day_on_the_default_calendar() {
        let cal = calendar(DEFAULT_TIME_ZONE, DEFAULT_WINDOWS);
        let handed_back = local(&cal, "2024-05-10 22:00");
        assert_eq!(
            cal.add_business_minutes(handed_back, SOLUTION_NOTICE_MINUTES),
            local(&cal, "2024-05-11 22:00")
        );
    }

    #[test]
    fn a_policy_naming_the_severity_beats_one_for_any_severity() {
        let rows = [("COMPLAINT", None, 1), ("COMPLAINT", Some("MAJOR"), 2)];
        let pick =
            |severity| most_specific(&rows, "COMPLAINT", severity, |r| (r.0, r.1)).map(|r| r.2);
        assert_eq!(pick(Some("MAJOR")), Some(2));
        assert_eq!(pick(Some("GENERAL")), Some(1));
        assert_eq!(pick(None), Some(1));
    }

    #[test]
    fn a_policy_for_another_severity_or_kind_never_applies() {
        assert_eq!(
            policy("COMPLAINT", Some("MAJOR")).unwrap().name,
            "Major complaint"
        );
        assert!(policy("COMPLAINT", None).is_none());
        assert!(policy("COMPLAINT", Some("TRIVIAL")).is_none());
        assert!(policy("UNKNOWN", None).is_none());
    }

    #[test]
    fn stored_rows_with_owned_strings_match_by_the_same_rule() {
        struct Row {
            kind: String,
            severity: Option<String>,
        }
        let rows = vec![
            Row {
                kind: "INQUIRY".into(),
                severity: None,
            },
            Row {
                kind: "INQUIRY".into(),
                severity: None,
            },
        ];
        let found = most_specific(&rows, "INQUIRY", Some("GENERAL"), |r| {
            (r.kind.as_str(), r.severity.as_deref())
        });
        assert!(
            std::ptr::eq(found.unwrap(), &rows[0]),
            "first of equals wins"
        );
    }

    #[test]
    fn target_kinds_use_contract_spellings() {
        let spelled: Vec<_> = SlaTargetKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(spelled, ["FIRST_RESPONSE", "RESOLUTION"]);
    }
}

mod escalation {
    use super::*;

    #[test]
    fn stages_are_ordered_by_severity() {
        assert!(Stage::None < Stage::Warning);
        assert!(Stage::Warning < Stage::Breach);
        assert!(Stage::Breach < Stage::Level2);
    }

    #[test]
    fn thresholds_fall_at_80_100_and_150_percent() {
        let cal = calendar("UTC", "24x7");
        let start = utc("2024-05-10T10:00:00Z");
        let due = start + TimeDelta::minutes(100);
        let at = |minutes| start + TimeDelta::minutes(minutes);
        assert_eq!(warning_at(start, due, &cal), at(80));
        assert_eq!(breach_at(start, due, &cal), due);
        assert_eq!(level2_at(start, due, &cal), at(150));
        let stage = |minutes| escalation_stage(start, due, at(minutes), &cal);
        assert_eq!(stage(-1), Stage::None);
        assert_eq!(stage(0), Stage::None);
        assert_eq!(stage(79), Stage::None);
        assert_eq!(stage(80), Stage::Warning);
        assert_eq!(stage(99), Stage::Warning);
        assert_eq!(stage(100), Stage::Breach);
        assert_eq!(stage(149), Stage::Breach);
        assert_eq!(stage(150), Stage::Level2);
    }

    #[test]
    fn thresholds_are_measured_in_business_time() {
        let cal = calendar(DEFAULT_TIME_ZONE, DEFAULT_WINDOWS);
        let start = local(&cal, "2024-05-10 22:00");
        let due = cal.add_business_minutes(start, 120);
        assert_eq!(due, local(&cal, "2024-05-11 10:00"));
        assert_eq!(
            warning_at(start, due, &cal),
            local(&cal, "2024-05-11 09:36")
        );
        assert_eq!(level2_at(start, due, &cal), local(&cal, "2024-05-11 11:00"));
        assert_eq!(
            escalation_stage(start, due, local(&cal, "2024-05-11 08:59"), &cal),
            Stage::None
        );
    }

    #[test]
    fn fractional_thresholds_round_up_to_the_next_whole_minute() {
        let cal = calendar("UTC", "24x7");
        let start = utc("2024-05-10T10:00:00Z");
        let due = start + TimeDelta::minutes(15);
        // 80 % of 15 is 12; 150 % is 22.5, so level 2 waits for minute 23.
        assert_eq!(warning_at(start, due, &cal), start + TimeDelta::minutes(12));
        assert_eq!(level2_at(start, due, &cal), start + TimeDelta::minutes(23));
    }

    #[test]
    fn with_no_business_time_allowed_every_threshold_meets_the_due_time() {
        let cal = calendar("UTC", "09:00-18:00");
        let start = utc("2024-05-10T20:00:00Z");
        let due = utc("2024-05-10T21:00:00Z");
        assert_eq!(warning_at(start, due, &cal), start);
        assert_eq!(level2_at(start, due, &cal), due);
        assert_eq!(escalation_stage(start, due, start, &cal), Stage::Warning);
        assert_eq!(escalation_stage(start, due, due, &cal), Stage::Level2);
    }
}

mod special_days {
    use super::*;

    fn day(date: &str, kind: SpecialDayKind, windows: Option<&str>) -> SpecialDay {
        SpecialDay {
            date: date.parse().unwrap(),
            kind,
            name: "国庆节".into(),
            windows: windows.map(str::to_owned),
        }
    }

    /// Legal's back office: Mon–Fri 09:00–18:00 in Shanghai, closed 1–3 October 2026
    /// (Thursday to Saturday), working Sunday 11 October.
    fn back_office() -> BusinessCalendar {
        calendar("Asia/Shanghai", "Mon-Fri 09:00-18:00")
            .with_special_days(vec![
                day("2026-10-01", SpecialDayKind::Holiday, None),
                day("2026-10-02", SpecialDayKind::Holiday, None),
                day("2026-10-03", SpecialDayKind::Holiday, None),
                day("2026-10-11", SpecialDayKind::WorkingDay, None),
                day("2026-12-31", SpecialDayKind::Holiday, Some("09:00-12:00")),
            ])
            .unwrap()
    }

    #[test]
    fn a_target_set_the_afternoon_before_a_holiday_falls_due_after_it() {
        let cal = back_office();
        // Wednesday 30 September, 17:00: one hour left that day, then Thursday to Sunday
        // are closed (holiday, holiday, holiday-on-a-Saturday, Sunday).
        let start = local(&cal, "2026-09-30 17:00");
        assert_eq!(
            cal.add_business_minutes(start, 540),
            local(&cal, "2026-10-05 17:00")
        );
        let without = calendar("Asia/Shanghai", "Mon-Fri 09:00-18:00");
        assert_eq!(
            without.add_business_minutes(start, 540),
            local(&cal, "2026-10-01 17:00")
        );
        assert_eq!(
            cal.business_minutes_between(start, local(&cal, "2026-10-05 09:00")),
            60
        );
    }

    #[test]
    fn a_make_up_day_works_the_usual_hours() {
        let cal = back_office();
        let friday = local(&cal, "2026-10-09 17:00");
        assert_eq!(
            cal.add_business_minutes(friday, 120),
            local(&cal, "2026-10-11 10:00")
        );
        assert_eq!(cal.minutes_on("2026-10-11".parse().unwrap()), 540);
        assert_eq!(cal.minutes_on("2026-10-10".parse().unwrap()), 0);
    }

    #[test]
    fn a_partial_holiday_is_open_the_hours_it_names() {
        let cal = back_office();
        assert_eq!(cal.minutes_on("2026-12-31".parse().unwrap()), 180);
        assert_eq!(
            cal.add_business_minutes(local(&cal, "2026-12-31 11:00"), 120),
            local(&cal, "2027-01-01 10:00")
        );
    }

    #[test]
    fn holidays_end_always_open_arithmetic() {
        let cal = calendar("UTC", "24x7")
            .with_special_days(vec![day("2026-10-01", SpecialDayKind::Holiday, None)])
            .unwrap();
        assert_eq!(
            cal.add_business_minutes(utc("2026-09-30T23:00:00Z"), 120),
            utc("2026-10-02T01:00:00Z")
        );
    }

    #[test]
    fn special_days_keep_their_normal_form_in_date_order() {
        let cal = calendar("UTC", "Mon-Fri 09:00-18:00")
            .with_special_days(vec![
                day(
                    "2026-12-31",
                    SpecialDayKind::Holiday,
                    Some(" 13:00-17:00, 9:00-12:00 "),
                ),
                day("2026-10-01", SpecialDayKind::Holiday, Some("")),
            ])
            .unwrap();
        let days = cal.special_days();
        assert_eq!(days[0].date.to_string(), "2026-10-01");
        assert_eq!(days[0].windows, None);
        assert_eq!(days[1].windows.as_deref(), Some("09:00-12:00,13:00-17:00"));
    }

    #[test]
    fn bad_special_days_are_refused_naming_the_date() {
        let refuse = |days: Vec<SpecialDay>| match calendar("UTC", "24x7").with_special_days(days) {
            Err(DomainError::InvalidInput { field, message }) => {
                assert_eq!(field, "days");
                message
            }
            other => panic!("expected invalid input, got {other:?}"),
        };
        let twice = refuse(vec![
            day("2026-10-01", SpecialDayKind::Holiday, None),
            day("2026-10-01", SpecialDayKind::WorkingDay, None),
        ]);
        assert!(
            twice.starts_with("2026-10-01") && twice.contains("twice"),
            "{twice}"
        );
        let hours = refuse(vec![day(
            "2026-10-01",
            SpecialDayKind::Holiday,
            Some("Mon 09:00-12:00"),
        )]);
        assert!(hours.starts_with("2026-10-01"), "{hours}");
        let unnamed = refuse(vec![SpecialDay {
            name: "  ".into(),
            ..day("2026-10-01", SpecialDayKind::Holiday, None)
        }]);
        assert!(unnamed.contains("name"), "{unnamed}");
    }

    #[test]
    fn a_holiday_on_a_clock_change_day_still_counts_exactly() {
        // Berlin springs forward on Sunday 31 March 2024; that Sunday is a make-up day and
        // Monday 1 April (Easter Monday) a holiday.
        let cal = calendar("Europe/Berlin", "Mon-Fri 01:00-04:00")
            .with_special_days(vec![
                day("2024-03-31", SpecialDayKind::WorkingDay, None),
                day("2024-04-01", SpecialDayKind::Holiday, None),
            ])
            .unwrap();
        // 01:00–04:00 local on the change day lasts two hours (02:00–03:00 does not exist);
        // Tuesday's window opens at 01:00 CEST, 23:00 UTC on Monday.
        let saturday = utc("2024-03-30T00:00:00Z");
        assert_eq!(
            cal.business_minutes_between(saturday, utc("2024-04-01T23:00:00Z")),
            120
        );
        assert_eq!(
            cal.add_business_minutes(saturday, 121),
            utc("2024-04-01T23:01:00Z")
        );
    }
}

mod business_days {
    use super::*;

    #[test]
    fn two_business_days_after_is_the_second_working_days_close() {
        let cal = calendar("Asia/Shanghai", "Mon-Fri 09:00-18:00");
        // Monday 7 December 2026, late in the evening: Wednesday's close.
        let monday = local(&cal, "2026-12-07 22:30");
        assert_eq!(
            cal.close_of_business_days_after(monday, 2),
            local(&cal, "2026-12-09 18:00")
        );
        // Friday: the weekend does not count.
        let friday = local(&cal, "2026-12-11 10:00");
        assert_eq!(
            cal.close_of_business_days_after(friday, 1),
            local(&cal, "2026-12-14 18:00")
        );
        assert_eq!(
            cal.close_of_business_days_after(friday, 0),
            local(&cal, "2026-12-14 18:00")
        );
    }

    #[test]
    fn holidays_do_not_count_and_make_up_days_do() {
        let cal = calendar("Asia/Shanghai", "Mon-Fri 09:00-18:00")
            .with_special_days(vec![
                SpecialDay {
                    date: "2026-10-01".parse().unwrap(),
                    kind: SpecialDayKind::Holiday,
                    name: "国庆节".into(),
                    windows: None,
                },
                SpecialDay {
                    date: "2026-10-04".parse().unwrap(),
                    kind: SpecialDayKind::WorkingDay,
                    name: "调休".into(),
                    windows: Some("09:00-12:00".into()),
                },
            ])
            .unwrap();
        // Wednesday 30 September: Thursday is a holiday, Friday counts, the Sunday make-up
        // day counts and closes at noon.
        let wednesday = local(&cal, "2026-09-30 11:00");
        assert_eq!(
            cal.close_of_business_days_after(wednesday, 2),
            local(&cal, "2026-10-04 12:00")
        );
    }
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Mostly Berlin, the zone of the three that changes its clocks.
    const ZONES: [&str; 5] = [
        "UTC",
        "Europe/Berlin",
        "Europe/Berlin",
        "Europe/Berlin",
        "Asia/Shanghai",
    ];
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    /// A special day as data: (date, working day?, the one window open that day if any).
    type GeneratedDay = (NaiveDate, bool, Option<(u16, u16)>);

    /// A generated calendar kept as data, so the reference below does not reuse the parser.
    #[derive(Debug, Clone)]
    struct Spec {
        zone: &'static str,
        /// (weekday mask, Monday = bit 0; start minute; end minute)
        items: Vec<(u8, u16, u16)>,
        /// Special days, one per date.
        special: Vec<GeneratedDay>,
    }

    impl Spec {
        fn text(&self) -> String {
            let items: Vec<String> = self
                .items
                .iter()
                .map(|&(mask, start, end)| {
                    let time = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
                    let range = format!("{}-{}", time(start), time(end));
                    if mask == 0b111_1111 {
                        range
                    } else {
                        let days: Vec<&str> = (0..7)
                            .filter(|d| mask & (1 << d) != 0)
                            .map(|d| DAYS[d])
                            .collect();
                        format!("{} {range}", days.join("|"))
                    }
                })
                .collect();
            items.join(",")
        }

        fn calendar(&self) -> BusinessCalendar {
            calendar(self.zone, &self.text())
                .with_special_days(self.special_days())
                .unwrap()
        }

        fn special_days(&self) -> Vec<SpecialDay> {
            self.special
                .iter()
                .map(|&(date, working, window)| SpecialDay {
                    date,
                    kind: if working {
                        SpecialDayKind::WorkingDay
                    } else {
                        SpecialDayKind::Holiday
                    },
                    name: "generated".into(),
                    windows: window.map(|(from, to)| {
                        format!(
                            "{:02}:{:02}-{:02}:{:02}",
                            from / 60,
                            from % 60,
                            to / 60,
                            to % 60
                        )
                    }),
                })
                .collect()
        }

        /// The windows of local `day`, worked out from the data: a special day's own window,
        /// none for a holiday without one, the first open weekday's for a working day without
        /// one, the weekday's otherwise.
        fn windows_on(&self, day: NaiveDate) -> Vec<(u16, u16)> {
            let weekday = |d: u32| -> Vec<(u16, u16)> {
                self.items
                    .iter()
                    .filter(|&&(mask, _, _)| mask & (1 << d) != 0)
                    .map(|&(_, from, to)| (from, to))
                    .collect()
            };
            match self.special.iter().find(|(date, _, _)| *date == day) {
                Some(&(_, _, Some(window))) => vec![window],
                Some(&(_, false, None)) => Vec::new(),
                Some(&(_, true, None)) => (0..7)
                    .map(weekday)
                    .find(|w| !w.is_empty())
                    .unwrap_or_default(),
                None => weekday(day.weekday().num_days_from_monday()),
            }
        }
    }

    fn spec() -> impl Strategy<Value = Spec> {
        // Half the windows are short ones in the small hours, so that they often open or
        // close inside the hour Berlin skips or repeats.
        let times = prop_oneof![(0u16..1440, 1u16..=720), (60u16..200, 1u16..=150)];
        let mask = prop_oneof![Just(0b111_1111u8), 1u8..0b1000_0000];
        let item = (mask, times)
            .prop_map(|(mask, (start, length))| (mask, start, (start + length).min(1440)));
        // Special days fall on the days the starts below are drawn from, clock changes
        // included.
        let bases = ["2024-03-31", "2024-10-27", "2024-07-01"];
        let window = prop_oneof![
            Just(None),
            (0u16..1440, 1u16..=720)
                .prop_map(|(start, length)| Some((start, (start + length).min(1440)))),
        ];
        let special = (
            prop::sample::select(bases.to_vec()),
            -3i64..=1,
            any::<bool>(),
            window,
        )
            .prop_map(|(base, offset, working, window)| {
                let date: NaiveDate = base.parse().unwrap();
                (date + TimeDelta::days(offset), working, window)
            });
        (
            prop::sample::select(ZONES.to_vec()),
            prop::collection::vec(item, 1..=4),
            prop::collection::vec(special, 0..=4),
        )
            .prop_map(|(zone, items, mut special)| {
                let mut seen = std::collections::HashSet::new();
                special.retain(|(date, _, _)| seen.insert(*date));
                Spec {
                    zone,
                    items,
                    special,
                }
            })
    }

    /// Whole-minute instants up to two days before one of Berlin's 2024 clock changes (most
    /// of the time) or before a plain summer Monday.
    fn minute_start() -> impl Strategy<Value = DateTime<Utc>> {
        let changes = [
            "2024-03-31T01:00:00Z",
            "2024-03-31T01:00:00Z",
            "2024-10-27T01:00:00Z",
            "2024-10-27T01:00:00Z",
            "2024-07-01T00:00:00Z",
        ];
        (prop::sample::select(changes.to_vec()), 0i64..2 * 1440)
            .prop_map(|(change, minutes)| utc(change) - TimeDelta::minutes(minutes))
    }

    /// Like [`minute_start`] but anywhere within a minute, down to the nanosecond.
    fn any_start() -> impl Strategy<Value = DateTime<Utc>> {
        (minute_start(), 0i64..60_000_000_000)
            .prop_map(|(start, nanos)| start + TimeDelta::nanoseconds(nanos))
    }

    /// The reference: minute by minute, is business time running? An instant is inside a
    /// window of local day `D` from the first moment the local clock has shown `D + start`
    /// until the last moment it still shows something before `D + end`; that is, the highest
    /// reading so far has reached the start and the lowest reading still to come is before
    /// the end. Berlin and Shanghai change clocks on the hour by at most an hour, so three
    /// hours of look-behind and look-ahead are plenty.
    fn reference_minutes(spec: &Spec, start: DateTime<Utc>, minutes: i64) -> Vec<bool> {
        let tz: Tz = spec.zone.parse().unwrap();
        let pad = 180;
        let readings: Vec<NaiveDateTime> = (-pad..minutes + pad)
            .map(|k| {
                tz.from_utc_datetime(&(start + TimeDelta::minutes(k)).naive_utc())
                    .naive_local()
            })
            .collect();
        let mut highest = readings.clone();
        for i in 1..highest.len() {
            highest[i] = highest[i].max(highest[i - 1]);
        }
        let mut lowest = readings;
        for i in (0..lowest.len() - 1).rev() {
            lowest[i] = lowest[i].min(lowest[i + 1]);
        }
        (0..minutes)
            .map(|k| {
                let i = usize::try_from(k + pad).unwrap();
                let (high, low) = (highest[i], lowest[i]);
                let mut day = low.date().pred_opt().unwrap();
                while day <= high.date() {
                    let midnight = day.and_hms_opt(0, 0, 0).unwrap();
                    let open = spec.windows_on(day).into_iter().any(|(from, to)| {
                        high >= midnight + TimeDelta::minutes(i64::from(from))
                            && low < midnight + TimeDelta::minutes(i64::from(to))
                    });
                    if open {
                        return true;
                    }
                    day = day.succ_opt().unwrap();
                }
                false
            })
            .collect()
    }

    proptest! {
        // Failures are reported with their minimal input; nothing is written into the tree.
        #![proptest_config(ProptestConfig {
            cases: 128,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn adding_agrees_with_a_minute_by_minute_reference(
            spec in spec(),
            start in minute_start(),
            span in 1i64..=3 * 1440,
            probes in prop::collection::vec(0.0f64..=1.0, 4),
        ) {
            let cal = spec.calendar();
            let open = reference_minutes(&spec, start, span);
            let total = open.iter().filter(|&&b| b).count();
            prop_assert_eq!(
                cal.business_minutes_between(start, start + TimeDelta::minutes(span)),
                i64::try_from(total).unwrap()
            );
            let mut nth_end = Vec::with_capacity(total);
            for (k, &is_open) in open.iter().enumerate() {
                if is_open {
                    nth_end.push(i64::try_from(k).unwrap() + 1);
                }
            }
            for probe in probes {
                // Measuring up to an arbitrary point of the span.
                let upto = (probe * span as f64) as i64;
                let expected = open[..usize::try_from(upto).unwrap()].iter().filter(|&&b| b).count();
                prop_assert_eq!(
                    cal.business_minutes_between(start, start + TimeDelta::minutes(upto)),
                    i64::try_from(expected).unwrap()
                );
                // Adding any number of minutes the span holds.
                if total > 0 {
                    let n = 1 + ((probe * (total - 1) as f64) as usize);
                    prop_assert_eq!(
                        cal.add_business_minutes(start, i64::try_from(n).unwrap()),
                        start + TimeDelta::minutes(nth_end[n - 1]),
                        "adding {} minutes", n
                    );
                }
            }
        }

        #[test]
        fn measuring_what_was_added_gives_back_exactly_the_minutes_added(
            spec in spec(),
            start in any_start(),
            minutes in 0i64..3000,
        ) {
            let cal = spec.calendar();
            let due = cal.add_business_minutes(start, minutes);
            prop_assert_eq!(cal.business_minutes_between(start, due), minutes);
            // And no earlier instant would do.
            if minutes > 0 {
                prop_assert_eq!(
                    cal.business_minutes_between(start, due - TimeDelta::seconds(1)),
                    minutes - 1
                );
            }
        }

        #[test]
        fn more_minutes_never_finish_earlier(
            spec in spec(),
            start in any_start(),
            a in 0i64..3000,
            b in 0i64..3000,
        ) {
            let cal = spec.calendar();
            let (fewer, more) = (a.min(b), a.max(b));
            prop_assert!(cal.add_business_minutes(start, fewer) <= cal.add_business_minutes(start, more));
        }

        #[test]
        fn adding_in_two_steps_equals_adding_at_once(
            spec in spec(),
            start in any_start(),
            a in 0i64..1500,
            b in 0i64..1500,
        ) {
            let cal = spec.calendar();
            let stepwise = cal.add_business_minutes(cal.add_business_minutes(start, a), b);
            prop_assert_eq!(stepwise, cal.add_business_minutes(start, a + b));
        }

        #[test]
        fn a_span_of_whole_days_holds_the_sum_of_its_days(
            spec in spec(),
            first in -4i64..=0,
            days in 1i64..=6,
        ) {
            // In a zone without clock changes each local day holds exactly its windows.
            let spec = Spec { zone: "Asia/Shanghai", ..spec };
            let cal = spec.calendar();
            let base: NaiveDate = "2024-10-27".parse().unwrap();
            let from = base + TimeDelta::days(first);
            let midnight = |d: NaiveDate| local(&cal, &format!("{d} 00:00"));
            let expected: i64 = (0..days)
                .map(|k| from + TimeDelta::days(k))
                .map(|d| {
                    let mut minutes = [false; 1440];
                    for (a, b) in spec.windows_on(d) {
                        minutes[usize::from(a)..usize::from(b)].fill(true);
                    }
                    minutes.iter().filter(|&&m| m).count() as i64
                })
                .sum();
            let to = from + TimeDelta::days(days);
            prop_assert_eq!(cal.business_minutes_between(midnight(from), midnight(to)), expected);
            let by_day: i64 = (0..days).map(|k| cal.minutes_on(from + TimeDelta::days(k))).sum();
            prop_assert_eq!(by_day, expected);
        }

        #[test]
        fn the_normal_form_is_stable(spec in spec()) {
            let cal = spec.calendar();
            let again = calendar(spec.zone, cal.windows_spec())
                .with_special_days(cal.special_days().to_vec())
                .unwrap();
            prop_assert_eq!(again.windows_spec(), cal.windows_spec());
            prop_assert_eq!(again, cal);
        }

        #[test]
        fn pauses_take_away_at_most_their_business_time(
            spec in spec(),
            a in any_start(),
            length in 0i64..3 * 1440,
            pause_from in 0i64..3 * 1440,
            pause_length in 0i64..1440,
        ) {
            let cal = spec.calendar();
            let b = a + TimeDelta::minutes(length);
            let from = a + TimeDelta::minutes(pause_from);
            let to = from + TimeDelta::minutes(pause_length);
            let whole = cal.business_minutes_between(a, b);
            prop_assert_eq!(cal.business_minutes_excluding(a, b, &[]), whole);
            prop_assert_eq!(cal.business_minutes_excluding(a, b, &[(a, b)]), 0);
            let excluded = cal.business_minutes_excluding(a, b, &[(from, to), (from, to)]);
            let paused = cal.business_minutes_between(from.max(a), to.min(b));
            prop_assert!(excluded <= whole);
            prop_assert!(excluded + paused + 1 >= whole);
        }

        #[test]
        fn a_pause_keeps_the_business_time_that_was_left(
            spec in spec(),
            due in any_start(),
            pause_from in -3 * 1440i64..1440,
            pause_length in 1i64..1440,
        ) {
            let cal = spec.calendar();
            let from = due + TimeDelta::minutes(pause_from);
            let to = from + TimeDelta::minutes(pause_length);
            let shifted = cal.shift_due_for_pause(due, from, to);
            prop_assert!(shifted >= due);
            if from < due {
                let left = cal.business_minutes_between(from, due);
                prop_assert!(cal.business_minutes_between(to, shifted) >= left);
            } else {
                prop_assert_eq!(shifted, due);
            }
        }
    }
}
