use chrono::{Duration, TimeZone};
use proptest::prelude::*;

use super::*;
use crate::sla::{DEFAULT_TIME_ZONE, DEFAULT_WINDOWS};

const INQUIRY: ClockPolicy<'static> = ClockPolicy {
    name: "Inquiry",
    time_zone: DEFAULT_TIME_ZONE,
    windows: DEFAULT_WINDOWS,
    first_response_minutes: 60,
    resolution_minutes: 840,
};

const GENERAL_COMPLAINT: ClockPolicy<'static> = ClockPolicy {
    name: "General complaint",
    time_zone: DEFAULT_TIME_ZONE,
    windows: DEFAULT_WINDOWS,
    first_response_minutes: 120,
    resolution_minutes: 2520,
};

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
    }
}

mod starting {
    use super::*;

    #[test]
    fn a_new_ticket_gets_both_targets_on_the_policy_calendar() {
        let clocks = initial(&INQUIRY, at(10, 0));
        assert_eq!(clocks.policy_name.as_deref(), Some("Inquiry"));
        assert_eq!(clocks.time_zone.as_deref(), Some(DEFAULT_TIME_ZONE));
        assert_eq!(clocks.windows.as_deref(), Some(DEFAULT_WINDOWS));
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
        let clocks = initial(&INQUIRY, at(10, 0));
        assert_eq!(clocks.next_check_at, Some(at(10, 48)));
        assert_eq!(clocks.risk_at, Some(at(10, 48)));
    }

    #[test]
    fn a_calendar_that_does_not_parse_gives_clocks_that_never_run() {
        let broken = ClockPolicy {
            time_zone: "Nowhere/City",
            ..INQUIRY
        };
        assert_eq!(initial(&broken, at(10, 0)), SlaClocks::default());
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

    #[test]
    fn the_policy_spelling_of_the_calendar_is_kept() {
        let spelled = ClockPolicy {
            windows: "09:00-18:00,18:00-23:00",
            ..INQUIRY
        };
        assert_eq!(
            initial(&spelled, at(10, 0)).windows.as_deref(),
            Some("09:00-18:00,18:00-23:00")
        );
    }
}

mod changes {
    use super::*;

    #[test]
    fn waiting_on_the_customer_stops_the_clocks() {
        let clocks = initial(&INQUIRY, at(10, 0));
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
        let clocks = initial(&INQUIRY, at(10, 0));
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
        let clocks = initial(&INQUIRY, at(22, 0));
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
        let clocks = initial(&INQUIRY, at(10, 0));
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
            .warning_at(&clocks.calendar().unwrap());
        assert_eq!(resumed.next_check_at, Some(warning));
    }

    #[test]
    fn a_late_first_response_or_resolution_is_marked_breached() {
        let clocks = initial(&INQUIRY, at(10, 0));
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
    fn a_hand_back_gives_the_customer_notice_a_business_day_from_now() {
        let mut clocks = initial(&GENERAL_COMPLAINT, at(10, 0));
        clocks.resolution_stage = Stage::Warning;
        let answered = TicketClockFacts {
            first_responded_at: Some(at(10, 5)),
            ..facts(TicketStatus::PendingDepartment)
        };
        let handed_back = after_change(&clocks, &answered, &change(TicketStatus::Open), at(20, 0));
        // Three hours today, eleven tomorrow.
        assert_eq!(handed_back.resolution_due_at, Some(on(1, 20, 0)));
        assert_eq!(
            handed_back.resolution_minutes,
            Some(SOLUTION_NOTICE_MINUTES as i32)
        );
        assert_eq!(handed_back.resolution_stage, Stage::None);
        // The notice target replaces the original one even though that was later.
        assert!(clocks.resolution_due_at > handed_back.resolution_due_at);
        assert_eq!(
            handed_back.first_response_due_at,
            clocks.first_response_due_at
        );
    }

    #[test]
    fn a_hand_back_keeps_a_recorded_breach_of_the_original_target() {
        let clocks = SlaClocks {
            resolution_stage: Stage::Breach,
            resolution_breached: true,
            ..initial(&GENERAL_COMPLAINT, at(10, 0))
        };
        let handed_back = after_change(
            &clocks,
            &facts(TicketStatus::PendingDepartment),
            &change(TicketStatus::Open),
            on(4, 12, 0),
        );
        assert_eq!(handed_back.resolution_stage, Stage::None);
        assert!(handed_back.resolution_breached);
    }

    #[test]
    fn only_a_department_handing_back_sets_a_notice_target() {
        let clocks = initial(&GENERAL_COMPLAINT, at(10, 0));
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
            ..initial(&INQUIRY, at(10, 0))
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
            .warning_at(&clocks.calendar().unwrap());
        assert_eq!(reopened.next_check_at, Some(warning));
        assert_eq!(reopened.risk_at, Some(warning));
    }

    #[test]
    fn a_resolved_ticket_that_is_not_reopened_stays_unwatched() {
        let clocks = initial(&INQUIRY, at(10, 0));
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
            .map(|e| (e.level, e.kind, e.target, e.event))
            .collect()
    }

    #[test]
    fn eighty_percent_warns_at_the_current_level() {
        let clocks = initial(&INQUIRY, at(10, 0));
        let check = evaluate(&clocks, &facts(TicketStatus::New), at(10, 48));
        assert_eq!(check.first_response_stage, Stage::Warning);
        assert_eq!(check.escalation_level, 0);
        assert!(!check.first_response_breached);
        assert_eq!(
            check.escalations,
            vec![SlaEscalation {
                level: 0,
                kind: EscalationKind::SlaWarning,
                target: SlaTarget::FirstResponse,
                reason: "80% of the first-response target used".to_owned(),
                event: TicketEventKind::SlaWarning,
            }]
        );
        assert_eq!(check.next_check_at, Some(at(11, 0)));
    }

    #[test]
    fn before_eighty_percent_nothing_happens() {
        let clocks = initial(&INQUIRY, at(10, 0));
        let check = evaluate(&clocks, &facts(TicketStatus::New), at(10, 47));
        assert!(check.escalations.is_empty());
        assert_eq!(check.first_response_stage, Stage::None);
        assert_eq!(check.next_check_at, Some(at(10, 48)));
    }

    #[test]
    fn a_late_look_records_every_threshold_crossed_in_order() {
        let clocks = initial(&INQUIRY, at(10, 0));
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
            ..initial(&INQUIRY, at(10, 0))
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
        let clocks = initial(&INQUIRY, at(10, 0));
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
            ..initial(&INQUIRY, at(10, 0))
        };
        // Earlier than the breach (e.g. a due time moved by a pause).
        let check = evaluate(&clocks, &facts(TicketStatus::Open), at(10, 50));
        assert!(check.escalations.is_empty());
        assert_eq!(check.first_response_stage, Stage::Breach);
        assert_eq!(check.next_check_at, Some(at(11, 30)));
    }

    #[test]
    fn met_clocks_record_nothing_and_are_not_watched() {
        let clocks = initial(&INQUIRY, at(10, 0));
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
        let clocks = initial(&INQUIRY, at(10, 0));
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
        let clocks = initial(&INQUIRY, at(10, 0));
        let check = evaluate(&clocks, &facts(TicketStatus::Open), on(1, 10, 0));
        let targets: Vec<SlaTarget> = check.escalations.iter().map(|e| e.target).collect();
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
                ..initial(&INQUIRY, created)
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
