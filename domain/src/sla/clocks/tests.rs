use chrono::{Duration, TimeZone};
use proptest::prelude::*;

use super::*;
use crate::sla::{DEFAULT_TIME_ZONE, DEFAULT_WINDOWS};

/// The default customer-service shifts, 09:00–23:00 every day in Shanghai.
static SHIFTS: std::sync::LazyLock<BusinessCalendar> = std::sync::LazyLock::new(|| {
    BusinessCalendar::parse(DEFAULT_TIME_ZONE, DEFAULT_WINDOWS).unwrap()
});

fn inquiry() -> ClockPolicy<'static> {
    ClockPolicy {
        name: "Inquiry",
        calendar: &SHIFTS,
        calendar_id: None,
        first_response_minutes: 60,
        resolution_minutes: 840,
    }
}

fn general_complaint() -> ClockPolicy<'static> {
    ClockPolicy {
        name: "General complaint",
        calendar: &SHIFTS,
        calendar_id: None,
        first_response_minutes: 120,
        resolution_minutes: 2520,
    }
}

/// Shanghai wall-clock time on Tuesday 24 November 2026 plus `day` days (UTC+8, no DST).
fn on(day: i64, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap() - Duration::hours(8) + Duration::days(day)
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    on(0, h, m)
}

fn facts(status: TicketStatus) -> TicketClockFacts {
    TicketClockFacts {
        status,
        first_responded_at: None,
        resolved_at: None,
        escalation_level: 0,
    }
}

fn change(status: TicketStatus) -> Change {
    Change {
        status,
        owner_id: None,
        assignee_id: None,
        department_id: None,
        events: Vec::new(),
        first_response: false,
        resolved: false,
        reopened: false,
        closed: false,
        suggestion_status: None,
        escalation: None,
        involved_staff: None,
        verdict: None,
        reclassified: None,
        promised_answer_at: None,
        responsible_department: None,
        callbacks: Vec::new(),
        closed_disagreeing: false,
    }
}

mod starting {
    use super::*;

    #[test]
    fn a_new_ticket_gets_both_targets_on_the_policy_calendar() {
        let clocks = initial(&inquiry(), at(10, 0));
        assert_eq!(clocks.policy_name.as_deref(), Some("Inquiry"));
        assert_eq!(clocks.calendar(), Some(&*SHIFTS));
        assert_eq!(clocks.first_response_minutes, Some(60));
        assert_eq!(clocks.resolution_minutes, Some(840));
        assert_eq!(clocks.first_response_due_at, Some(at(11, 0)));
        // 13 hours are left today; the 14th is the first hour of tomorrow.
        assert_eq!(clocks.resolution_due_at, Some(on(1, 10, 0)));
        assert_eq!(clocks.first_response_stage, Stage::None);
        assert_eq!(clocks.resolution_stage, Stage::None);
        assert_eq!(clocks.paused_at, None);
        assert!(!clocks.first_response_breached && !clocks.resolution_breached);
    }

    #[test]
    fn the_worker_first_looks_at_the_earliest_eighty_percent_mark() {
        let clocks = initial(&inquiry(), at(10, 0));
        assert_eq!(clocks.next_check_at, Some(at(10, 48)));
        assert_eq!(clocks.risk_at, Some(at(10, 48)));
    }

    #[test]
    fn clocks_without_a_calendar_never_run() {
        let clocks = SlaClocks::default();
        let check = evaluate(&clocks, &facts(TicketStatus::New), on(30, 0, 0));
        assert!(check.escalations.is_empty());
        assert_eq!(check.next_check_at, None);
        let after = after_change(
            &clocks,
            &facts(TicketStatus::PendingCustomer),
            &change(TicketStatus::Open),
            at(12, 0),
        );
        assert_eq!(after, clocks);
    }
}

mod changes {
    use super::*;

    #[test]
    fn waiting_on_the_customer_stops_the_clocks() {
        let clocks = initial(&inquiry(), at(10, 0));
        let paused = after_change(
            &clocks,
            &facts(TicketStatus::Open),
            &change(TicketStatus::PendingCustomer),
            at(10, 30),
        );
        assert_eq!(paused.paused_at, Some(at(10, 30)));
        assert_eq!(paused.first_response_due_at, clocks.first_response_due_at);
        assert_eq!(paused.next_check_at, None);
        assert_eq!(paused.risk_at, None);
        // Nothing escalates while paused, however long it lasts.
        let check = evaluate(&paused, &facts(TicketStatus::PendingCustomer), on(5, 12, 0));
        assert!(check.escalations.is_empty());
        assert_eq!(check.next_check_at, None);
    }

    #[test]
    fn resuming_moves_every_unmet_due_time_by_the_business_time_of_the_wait() {
        let clocks = initial(&inquiry(), at(10, 0));
        let paused = after_change(
            &clocks,
            &facts(TicketStatus::Open),
            &change(TicketStatus::PendingCustomer),
            at(10, 30),
        );
        let resumed = after_change(
            &paused,
            &facts(TicketStatus::PendingCustomer),
            &change(TicketStatus::Open),
            at(10, 50),
        );
        assert_eq!(resumed.paused_at, None);
        assert_eq!(resumed.first_response_due_at, Some(at(11, 20)));
        assert_eq!(resumed.resolution_due_at, Some(on(1, 10, 20)));
        assert_eq!(resumed.next_check_at, Some(at(11, 8)));
    }

    #[test]
    fn a_wait_over_closed_hours_costs_only_its_business_time() {
        let clocks = initial(&inquiry(), at(22, 0));
        let paused = after_change(
            &clocks,
            &facts(TicketStatus::Open),
            &change(TicketStatus::PendingCustomer),
            at(22, 30),
        );
        let resumed = after_change(
            &paused,
            &facts(TicketStatus::PendingCustomer),
            &change(TicketStatus::Open),
            on(1, 9, 10),
        );
        // 30 business minutes of the wait fell before closing, 10 after opening.
        assert_eq!(clocks.first_response_due_at, Some(at(23, 0)));
        assert_eq!(resumed.first_response_due_at, Some(on(1, 9, 40)));
    }

    #[test]
    fn a_met_target_does_not_move_when_the_clocks_resume() {
        let clocks = initial(&inquiry(), at(10, 0));
        let answered = TicketClockFacts {
            first_responded_at: Some(at(10, 10)),
            ..facts(TicketStatus::PendingCustomer)
        };
        let paused = SlaClocks {
            paused_at: Some(at(10, 30)),
            ..clocks.clone()
        };
        let resumed = after_change(&paused, &answered, &change(TicketStatus::Open), at(11, 30));
        assert_eq!(resumed.first_response_due_at, clocks.first_response_due_at);
        assert_ne!(resumed.resolution_due_at, clocks.resolution_due_at);
        // Only the resolution clock is watched now.
        let warning = resumed
            .resolution_target()
            .unwrap()
            .warning_at(clocks.calendar().unwrap());
        assert_eq!(resumed.next_check_at, Some(warning));
    }

    #[test]
    fn a_late_first_response_or_resolution_is_marked_breached() {
        let clocks = initial(&inquiry(), at(10, 0));
        let on_time = after_change(
            &clocks,
            &facts(TicketStatus::New),
            &Change {
                first_response: true,
                ..change(TicketStatus::Open)
            },
            at(11, 0),
        );
        assert!(!on_time.first_response_breached);
        let late = after_change(
            &clocks,
            &facts(TicketStatus::New),
            &Change {
                first_response: true,
                ..change(TicketStatus::Open)
            },
            at(11, 1),
        );
        assert!(late.first_response_breached);
        assert!(!late.resolution_breached);

        let answered = TicketClockFacts {
            first_responded_at: Some(at(10, 5)),
            ..facts(TicketStatus::Open)
        };
        let resolved = |now| {
            after_change(
                &clocks,
                &answered,
                &Change {
                    resolved: true,
                    ..change(TicketStatus::Resolved)
                },
                now,
            )
        };
        assert!(!resolved(on(1, 10, 0)).resolution_breached);
        let late = resolved(on(1, 10, 1));
        assert!(late.resolution_breached);
        assert_eq!(late.next_check_at, None, "a resolved ticket is not watched");
    }

    #[test]
    fn a_hand_back_caps_the_resolution_at_a_business_day_from_now() {
        let mut clocks = initial(&general_complaint(), at(10, 0));
        clocks.resolution_stage = Stage::Warning;
        let answered = TicketClockFacts {
            first_responded_at: Some(at(10, 5)),
            ..facts(TicketStatus::PendingDepartment)
        };
        let handed_back = after_change(&clocks, &answered, &change(TicketStatus::Open), at(20, 0));
        // Three hours today, eleven tomorrow: earlier than the three business days.
        assert_eq!(handed_back.resolution_due_at, Some(on(1, 20, 0)));
        assert_eq!(
            handed_back.resolution_minutes,
            Some(SOLUTION_NOTICE_MINUTES as i32)
        );
        assert_eq!(handed_back.resolution_started_at, Some(at(20, 0)));
        // The warning already given stays given.
        assert_eq!(handed_back.resolution_stage, Stage::Warning);
        assert_eq!(
            handed_back.first_response_due_at,
            clocks.first_response_due_at
        );
    }

    #[test]
    fn a_hand_back_never_extends_an_earlier_or_missed_due_time() {
        // An inquiry resolves within 840 minutes: due tomorrow 10:00. Handed back at 09:30 the
        // next morning, the notice target (a business day) would be later: the due time stays.
        let clocks = initial(&inquiry(), at(10, 0));
        let kept = after_change(
            &clocks,
            &facts(TicketStatus::PendingDepartment),
            &change(TicketStatus::Open),
            on(1, 9, 30),
        );
        assert_eq!(kept.resolution_due_at, clocks.resolution_due_at);
        assert_eq!(kept.resolution_minutes, clocks.resolution_minutes);
        assert_eq!(kept.resolution_started_at, Some(at(10, 0)));
        // Already missed and escalated: nothing is forgiven or undone.
        let missed = SlaClocks {
            resolution_stage: Stage::Level2,
            resolution_breached: true,
            ..initial(&general_complaint(), at(10, 0))
        };
        let handed_back = after_change(
            &missed,
            &facts(TicketStatus::PendingDepartment),
            &change(TicketStatus::Open),
            on(4, 12, 0),
        );
        assert_eq!(handed_back.resolution_due_at, missed.resolution_due_at);
        assert_eq!(handed_back.resolution_stage, Stage::Level2);
        assert!(handed_back.resolution_breached);
    }

    #[test]
    fn only_a_department_handing_back_sets_a_notice_target() {
        let clocks = initial(&general_complaint(), at(10, 0));
        for from in [
            TicketStatus::New,
            TicketStatus::Open,
            TicketStatus::PendingCustomer,
        ] {
            let after = after_change(
                &clocks,
                &facts(from),
                &change(TicketStatus::Open),
                at(12, 0),
            );
            assert_eq!(
                after.resolution_due_at, clocks.resolution_due_at,
                "{from:?}"
            );
            assert_eq!(after.resolution_minutes, Some(2520), "{from:?}");
        }
    }

    #[test]
    fn reopening_restarts_the_resolution_clock_with_its_full_target() {
        let clocks = SlaClocks {
            resolution_stage: Stage::Level2,
            resolution_breached: true,
            ..initial(&inquiry(), at(10, 0))
        };
        let resolved = TicketClockFacts {
            first_responded_at: Some(at(10, 5)),
            resolved_at: Some(on(2, 12, 0)),
            ..facts(TicketStatus::Resolved)
        };
        let reopened = after_change(
            &clocks,
            &resolved,
            &Change {
                reopened: true,
                ..change(TicketStatus::Open)
            },
            on(3, 12, 0),
        );
        assert_eq!(reopened.resolution_due_at, Some(on(4, 12, 0)));
        assert_eq!(reopened.resolution_stage, Stage::None);
        assert!(!reopened.resolution_breached);
        let warning = reopened
            .resolution_target()
            .unwrap()
            .warning_at(clocks.calendar().unwrap());
        assert_eq!(reopened.next_check_at, Some(warning));
        assert_eq!(reopened.risk_at, Some(warning));
    }

    #[test]
    fn a_resolved_ticket_that_is_not_reopened_stays_unwatched() {
        let clocks = initial(&inquiry(), at(10, 0));
        let resolved = TicketClockFacts {
            first_responded_at: Some(at(10, 5)),
            resolved_at: Some(at(12, 0)),
            ..facts(TicketStatus::Resolved)
        };
        let closed = after_change(
            &clocks,
            &resolved,
            &change(TicketStatus::Closed),
            on(7, 12, 0),
        );
        assert_eq!(closed.next_check_at, None);
        assert_eq!(closed.resolution_due_at, clocks.resolution_due_at);
    }
}

mod worker {
    use super::*;

    fn stages_of(check: &ClockCheck) -> Vec<(i32, EscalationKind, SlaTarget, TicketEventKind)> {
        check
            .escalations
            .iter()
            .filter_map(|e| Some((e.level, e.kind, e.target?, e.event)))
            .collect()
    }

    #[test]
    fn eighty_percent_warns_at_the_current_level() {
        let clocks = initial(&inquiry(), at(10, 0));
        let check = evaluate(&clocks, &facts(TicketStatus::New), at(10, 48));
        assert_eq!(check.first_response_stage, Stage::Warning);
        assert_eq!(check.escalation_level, 0);
        assert!(!check.first_response_breached);
        assert_eq!(
            check.escalations,
            vec![Escalation {
                level: 0,
                kind: EscalationKind::SlaWarning,
                target: Some(SlaTarget::FirstResponse),
                reason: "80% of the first-response target used".to_owned(),
                event: TicketEventKind::SlaWarning,
                about: None,
                route: None,
            }]
        );
        assert_eq!(check.next_check_at, Some(at(11, 0)));
    }

    #[test]
    fn before_eighty_percent_nothing_happens() {
        let clocks = initial(&inquiry(), at(10, 0));
        let check = evaluate(&clocks, &facts(TicketStatus::New), at(10, 47));
        assert!(check.escalations.is_empty());
        assert_eq!(check.first_response_stage, Stage::None);
        assert_eq!(check.next_check_at, Some(at(10, 48)));
    }

    #[test]
    fn a_late_look_records_every_threshold_crossed_in_order() {
        let clocks = initial(&inquiry(), at(10, 0));
        let check = evaluate(&clocks, &facts(TicketStatus::Open), at(11, 45));
        assert_eq!(
            stages_of(&check),
            vec![
                (
                    0,
                    EscalationKind::SlaWarning,
                    SlaTarget::FirstResponse,
                    TicketEventKind::SlaWarning
                ),
                (
                    1,
                    EscalationKind::SlaBreach,
                    SlaTarget::FirstResponse,
                    TicketEventKind::SlaBreached
                ),
                (
                    2,
                    EscalationKind::SlaBreach,
                    SlaTarget::FirstResponse,
                    TicketEventKind::Escalated
                ),
            ]
        );
        let reasons: Vec<&str> = check
            .escalations
            .iter()
            .map(|e| e.reason.as_str())
            .collect();
        assert_eq!(
            reasons,
            [
                "80% of the first-response target used",
                "first-response target missed: escalated to the supervisor",
                "150% of the first-response target used: escalated to the manager",
            ]
        );
        assert_eq!(check.first_response_stage, Stage::Level2);
        assert!(check.first_response_breached);
        assert_eq!(check.escalation_level, 2);
        // Level 2 is the last threshold; the resolution clock's 80 % mark is next.
        assert_eq!(check.next_check_at, Some(at(21, 12)));
    }

    #[test]
    fn the_breach_escalates_to_the_supervisor_at_the_due_time() {
        let clocks = SlaClocks {
            first_response_stage: Stage::Warning,
            ..initial(&inquiry(), at(10, 0))
        };
        let check = evaluate(&clocks, &facts(TicketStatus::New), at(11, 0));
        assert_eq!(
            stages_of(&check),
            vec![(
                1,
                EscalationKind::SlaBreach,
                SlaTarget::FirstResponse,
                TicketEventKind::SlaBreached
            )]
        );
        assert!(check.first_response_breached);
        assert_eq!(check.next_check_at, Some(at(11, 30)));
    }

    #[test]
    fn the_level_is_never_lowered() {
        let clocks = initial(&inquiry(), at(10, 0));
        let with_the_group = TicketClockFacts {
            escalation_level: 3,
            ..facts(TicketStatus::Open)
        };
        let check = evaluate(&clocks, &with_the_group, at(11, 45));
        assert_eq!(check.escalation_level, 3);
        assert!(check.escalations.iter().all(|e| e.level == 3));
    }

    #[test]
    fn a_recorded_stage_never_goes_back() {
        let clocks = SlaClocks {
            first_response_stage: Stage::Breach,
            ..initial(&inquiry(), at(10, 0))
        };
        // Earlier than the breach (e.g. a due time moved by a pause).
        let check = evaluate(&clocks, &facts(TicketStatus::Open), at(10, 50));
        assert!(check.escalations.is_empty());
        assert_eq!(check.first_response_stage, Stage::Breach);
        assert_eq!(check.next_check_at, Some(at(11, 30)));
    }

    #[test]
    fn met_clocks_record_nothing_and_are_not_watched() {
        let clocks = initial(&inquiry(), at(10, 0));
        let answered = TicketClockFacts {
            first_responded_at: Some(at(10, 30)),
            ..facts(TicketStatus::Open)
        };
        let check = evaluate(&clocks, &answered, at(11, 45));
        assert!(check.escalations.is_empty());
        assert_eq!(check.first_response_stage, Stage::None);
        assert_eq!(check.next_check_at, Some(at(21, 12)));
    }

    #[test]
    fn stopped_clocks_record_nothing() {
        let clocks = initial(&inquiry(), at(10, 0));
        for status in [
            TicketStatus::Resolved,
            TicketStatus::Closed,
            TicketStatus::PendingCustomer,
        ] {
            let check = evaluate(&clocks, &facts(status), on(3, 12, 0));
            assert!(check.escalations.is_empty(), "{status:?}");
            assert_eq!(check.next_check_at, None, "{status:?}");
            assert!(!check.first_response_breached, "{status:?}");
        }
    }

    #[test]
    fn both_clocks_report_first_response_before_resolution() {
        let clocks = initial(&inquiry(), at(10, 0));
        let check = evaluate(&clocks, &facts(TicketStatus::Open), on(1, 10, 0));
        let targets: Vec<SlaTarget> = check.escalations.iter().filter_map(|e| e.target).collect();
        assert_eq!(
            targets,
            [
                SlaTarget::FirstResponse,
                SlaTarget::FirstResponse,
                SlaTarget::FirstResponse,
                SlaTarget::Resolution,
                SlaTarget::Resolution,
            ]
        );
        assert_eq!(check.resolution_stage, Stage::Breach);
        assert!(check.resolution_breached);
        assert_eq!(
            check.escalations[3].reason,
            "80% of the resolution target used"
        );
        assert_eq!(
            check.escalations[4].reason,
            "resolution target missed: escalated to the supervisor"
        );
        assert_eq!(check.escalation_level, 2);
    }

    proptest! {
        #[test]
        fn looking_twice_at_the_same_moment_records_nothing_new(
            created in 0i64..(7 * 24 * 60),
            later in 0i64..(10 * 24 * 60),
            first_stage in 0i32..4,
        ) {
            let created = on(0, 0, 0) + Duration::minutes(created);
            let now = created + Duration::minutes(later);
            let clocks = SlaClocks {
                first_response_stage: crate::sla::stage_from_i32(first_stage),
                ..initial(&inquiry(), created)
            };
            let facts = facts(TicketStatus::Open);
            let check = evaluate(&clocks, &facts, now);
            prop_assert!(check.next_check_at.is_none_or(|next| next > now));
            prop_assert!(check.first_response_stage >= clocks.first_response_stage);
            let recorded = SlaClocks {
                first_response_stage: check.first_response_stage,
                resolution_stage: check.resolution_stage,
                first_response_breached: check.first_response_breached,
                resolution_breached: check.resolution_breached,
                ..clocks
            };
            let again = evaluate(
                &recorded,
                &TicketClockFacts { escalation_level: check.escalation_level, ..facts },
                now,
            );
            prop_assert!(again.escalations.is_empty());
            prop_assert_eq!(again.escalation_level, check.escalation_level);
            prop_assert_eq!(again.next_check_at, check.next_check_at);
        }
    }
}

mod display {
    use super::*;

    #[test]
    fn an_unmet_target_is_overdue_once_its_due_time_has_passed() {
        let due = Some(at(11, 0));
        assert!(!is_overdue(due, None, None, at(11, 0)));
        assert!(is_overdue(due, None, None, at(11, 1)));
    }

    #[test]
    fn met_paused_or_absent_targets_are_not_overdue() {
        let due = Some(at(11, 0));
        let late = at(12, 0);
        assert!(!is_overdue(due, Some(at(10, 30)), None, late));
        assert!(!is_overdue(due, None, Some(at(10, 30)), late));
        assert!(!is_overdue(None, None, None, late));
    }
}

mod recounting {
    use super::*;
    use crate::sla::{SpecialDay, SpecialDayKind};

    fn step(at: DateTime<Utc>, from: TicketStatus, to: TicketStatus) -> StatusStep {
        StatusStep { at, from, to }
    }

    /// A ticket created at 10:00, waiting on the customer from 10:30 to 14:00, sent to a
    /// department at 15:00 that hands it back the next day at 11:00.
    fn lived() -> (SlaClocks, Vec<StatusStep>) {
        use TicketStatus::*;
        let created = initial(&inquiry(), at(10, 0));
        let paused = after_change(&created, &facts(Open), &change(PendingCustomer), at(10, 30));
        let resumed = after_change(&paused, &facts(PendingCustomer), &change(Open), at(14, 0));
        let sent = after_change(
            &resumed,
            &facts(Open),
            &change(PendingDepartment),
            at(15, 0),
        );
        let back = after_change(
            &sent,
            &facts(PendingDepartment),
            &change(Open),
            on(1, 11, 0),
        );
        let steps = vec![
            step(at(10, 30), Open, PendingCustomer),
            step(at(14, 0), PendingCustomer, Open),
            step(at(15, 0), Open, PendingDepartment),
            step(on(1, 11, 0), PendingDepartment, Open),
        ];
        (back, steps)
    }

    #[test]
    fn the_history_names_the_last_restart_and_the_finished_waits() {
        let (_, steps) = lived();
        let history = ClockHistory::from_steps(at(10, 0), &steps);
        assert_eq!(history.resolution_started_at, on(1, 11, 0));
        assert_eq!(history.pauses, vec![(at(10, 30), at(14, 0))]);
        let waiting = ClockHistory::from_steps(at(10, 0), &steps[..1]);
        assert!(
            waiting.pauses.is_empty(),
            "a wait still going on is not counted yet"
        );
    }

    #[test]
    fn recounting_on_the_same_calendar_changes_nothing() {
        let (clocks, steps) = lived();
        let history = ClockHistory::from_steps(at(10, 0), &steps);
        let again = recounted(
            &clocks,
            &facts(TicketStatus::Open),
            &history,
            SHIFTS.clone(),
        );
        assert_eq!(again, clocks);
    }

    #[test]
    fn a_new_holiday_moves_unmet_due_times_and_keeps_met_ones() {
        let (clocks, steps) = lived();
        let history = ClockHistory::from_steps(at(10, 0), &steps);
        // The hand-back on day 1 did not shorten the resolution target (the notice would have
        // been later), so it still runs from creation, less the wait: closing day 1 moves it a
        // day later. The first response was met: it keeps its due time.
        let holiday = SHIFTS
            .clone()
            .with_special_days(vec![SpecialDay {
                date: on(1, 12, 0)
                    .with_timezone(&chrono_tz::Asia::Shanghai)
                    .date_naive(),
                kind: SpecialDayKind::Holiday,
                name: "Holiday".into(),
                windows: None,
            }])
            .unwrap();
        let responded = TicketClockFacts {
            first_responded_at: Some(at(10, 5)),
            ..facts(TicketStatus::Open)
        };
        let moved = recounted(&clocks, &responded, &history, holiday.clone());
        assert_eq!(moved.first_response_due_at, clocks.first_response_due_at);
        assert_eq!(
            moved.resolution_due_at,
            clocks.resolution_due_at.map(|due| due + Duration::days(1))
        );
        assert_eq!(moved.calendar(), Some(&holiday));
        assert_eq!(moved.resolution_stage, clocks.resolution_stage);
        assert!(moved.next_check_at > clocks.next_check_at);
    }
}
