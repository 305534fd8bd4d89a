use super::*;
use crate::callback::CallbackEffect;
use crate::role::Role;
use proptest::prelude::*;

const CUSTOMER: Uuid = Uuid::from_u128(1);
const OTHER_CUSTOMER: Uuid = Uuid::from_u128(2);
const OWNER: Uuid = Uuid::from_u128(10);
const ASSIGNEE: Uuid = Uuid::from_u128(11);
const AGENT: Uuid = Uuid::from_u128(12);
const SUPERVISOR: Uuid = Uuid::from_u128(13);
const LIAISON: Uuid = Uuid::from_u128(14);
const LEGAL: Uuid = Uuid::from_u128(100);
const SALES: Uuid = Uuid::from_u128(101);

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000, 0).unwrap()
}

fn who(user_id: Uuid, roles: &[Role], department_id: Option<Uuid>) -> Viewer {
    Viewer {
        user_id,
        roles: roles.iter().copied().collect(),
        department_id,
    }
}

fn customer() -> Viewer {
    who(CUSTOMER, &[Role::Customer], None)
}
fn other_customer() -> Viewer {
    who(OTHER_CUSTOMER, &[Role::Customer], None)
}
fn owner() -> Viewer {
    who(OWNER, &[Role::Agent], None)
}
fn assignee() -> Viewer {
    who(ASSIGNEE, &[Role::TechSupport], None)
}
fn agent() -> Viewer {
    who(AGENT, &[Role::Agent], None)
}
fn supervisor() -> Viewer {
    who(SUPERVISOR, &[Role::Supervisor], None)
}
fn legal_liaison() -> Viewer {
    who(LIAISON, &[Role::DepartmentLiaison], Some(LEGAL))
}
fn sales_liaison() -> Viewer {
    who(LIAISON, &[Role::DepartmentLiaison], Some(SALES))
}

fn ticket(status: TicketStatus) -> TicketFacts {
    TicketFacts {
        status,
        kind: TicketKind::Inquiry,
        severity: None,
        category: None,
        priority: Priority::Normal,
        reopen_count: 0,
        owner_id: Some(OWNER),
        assignee_id: Some(ASSIGNEE),
        department_id: None,
        customer_user_id: Some(CUSTOMER),
        follow_up_since_resolution: false,
        rated_since_resolution: false,
        escalation_level: 0,
        verdict: None,
        involved_staff: Vec::new(),
        disagreement_called_back: false,
        responsible_department_id: None,
        version: 1,
    }
}

fn fresh() -> TicketFacts {
    TicketFacts {
        owner_id: None,
        assignee_id: None,
        ..ticket(TicketStatus::New)
    }
}

fn dispatched_to_legal() -> TicketFacts {
    TicketFacts {
        department_id: Some(LEGAL),
        ..ticket(TicketStatus::PendingDepartment)
    }
}

fn complaint(status: TicketStatus) -> TicketFacts {
    TicketFacts {
        kind: TicketKind::Complaint,
        severity: Some(Severity::Important),
        ..ticket(status)
    }
}

fn run(t: &TicketFacts, actor: &Viewer, cmd: Command) -> Result<Change, DomainError> {
    decide(t, actor, &cmd, now())
}

fn s(text: &str) -> String {
    text.to_owned()
}

fn is_forbidden(r: Result<Change, DomainError>) -> bool {
    matches!(r, Err(DomainError::Forbidden(_)))
}

fn transition_refusal(r: Result<Change, DomainError>) -> (String, String, Vec<String>) {
    match r {
        Err(DomainError::InvalidTransition {
            status,
            action,
            allowed,
        }) => (status, action, allowed),
        other => panic!("expected an invalid transition, got {other:?}"),
    }
}

fn invalid_field(r: Result<Change, DomainError>) -> String {
    match r {
        Err(DomainError::InvalidInput { field, .. }) => field,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

// ------------------------------------------------------------------ acknowledge

#[test]
fn acknowledging_a_new_ticket_opens_it_as_the_first_response() {
    let c = run(
        &fresh(),
        &agent(),
        Command::Acknowledge {
            message: Some(s(" We are on it. ")),
        },
    )
    .unwrap();
    assert_eq!(c.status, TicketStatus::Open);
    assert!(c.first_response);
    assert_eq!(c.owner_id, Some(AGENT));
    assert_eq!(c.assignee_id, Some(AGENT));
    assert_eq!(
        c.events,
        vec![EventDraft {
            kind: TicketEventKind::Acknowledged,
            internal: false,
            message: Some(s("We are on it.")),
            from_status: Some(TicketStatus::New),
            to_status: Some(TicketStatus::Open),
        }]
    );
}

#[test]
fn acknowledging_keeps_an_existing_owner_and_assignee() {
    let t = ticket(TicketStatus::New);
    let c = run(&t, &agent(), Command::Acknowledge { message: None }).unwrap();
    assert_eq!(c.owner_id, Some(OWNER));
    assert_eq!(c.assignee_id, Some(ASSIGNEE));
    assert_eq!(c.events[0].message, None);
}

#[test]
fn an_open_ticket_cannot_be_acknowledged_again() {
    let (status, action, allowed) = transition_refusal(run(
        &ticket(TicketStatus::Open),
        &agent(),
        Command::Acknowledge { message: None },
    ));
    assert_eq!(status, "OPEN");
    assert_eq!(action, "acknowledge");
    assert!(allowed.contains(&s("resolve")));
}

#[test]
fn customers_cannot_acknowledge_tickets() {
    assert!(is_forbidden(run(
        &fresh(),
        &customer(),
        Command::Acknowledge { message: None }
    )));
}

// ------------------------------------------------------------------ assign and claim

#[test]
fn a_supervisor_assigns_a_ticket_without_changing_its_status_or_owner() {
    for status in [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::PendingDepartment,
        TicketStatus::PendingCustomer,
    ] {
        let t = ticket(status);
        let c = run(&t, &supervisor(), Command::Assign { assignee_id: AGENT }).unwrap();
        assert_eq!(c.status, status);
        assert_eq!(c.assignee_id, Some(AGENT));
        assert_eq!(c.owner_id, Some(OWNER));
        assert_eq!(c.events[0].kind, TicketEventKind::Assigned);
        assert!(c.events[0].internal);
    }
}

#[test]
fn an_agent_cannot_assign_tickets_to_others() {
    assert!(is_forbidden(run(
        &ticket(TicketStatus::Open),
        &agent(),
        Command::Assign { assignee_id: AGENT }
    )));
}

#[test]
fn resolved_and_closed_tickets_cannot_be_assigned() {
    for status in [TicketStatus::Resolved, TicketStatus::Closed] {
        let (_, action, _) = transition_refusal(run(
            &ticket(status),
            &supervisor(),
            Command::Assign { assignee_id: AGENT },
        ));
        assert_eq!(action, "assign");
    }
}

#[test]
fn claiming_an_unassigned_new_ticket_makes_the_claimer_assignee_and_owner_but_keeps_it_new() {
    let c = run(&fresh(), &agent(), Command::Claim).unwrap();
    assert_eq!(c.status, TicketStatus::New);
    assert_eq!(c.assignee_id, Some(AGENT));
    assert_eq!(c.owner_id, Some(AGENT));
    assert!(!c.first_response);
}

#[test]
fn claiming_keeps_an_existing_owner() {
    let t = TicketFacts {
        assignee_id: None,
        ..ticket(TicketStatus::Open)
    };
    let c = run(&t, &agent(), Command::Claim).unwrap();
    assert_eq!(c.owner_id, Some(OWNER));
    assert_eq!(c.assignee_id, Some(AGENT));
}

#[test]
fn an_assigned_ticket_cannot_be_claimed() {
    let r = run(&ticket(TicketStatus::Open), &agent(), Command::Claim);
    assert!(matches!(r, Err(DomainError::Conflict(_))));
    let r = run(&ticket(TicketStatus::Open), &assignee(), Command::Claim);
    assert!(matches!(r, Err(DomainError::Conflict(m)) if m.contains("already hold")));
}

// ------------------------------------------------------------------ dispatch and hand back

#[test]
fn dispatching_sends_the_ticket_to_a_department_and_keeps_the_owner() {
    let c = run(
        &ticket(TicketStatus::Open),
        &agent(),
        Command::Dispatch {
            department_id: LEGAL,
            instructions: Some(s("Check the contract clause.")),
        },
    )
    .unwrap();
    assert_eq!(c.status, TicketStatus::PendingDepartment);
    assert_eq!(c.department_id, Some(LEGAL));
    assert_eq!(c.owner_id, Some(OWNER));
    assert_eq!(c.events.len(), 2);
    assert_eq!(c.events[0].kind, TicketEventKind::Dispatched);
    assert!(!c.events[0].internal);
    assert_eq!(c.events[0].message, None);
    assert_eq!(c.events[0].to_status, Some(TicketStatus::PendingDepartment));
    assert_eq!(c.events[1].kind, TicketEventKind::NoteAdded);
    assert!(c.events[1].internal);
    assert_eq!(
        c.events[1].message.as_deref(),
        Some("Check the contract clause.")
    );
}

#[test]
fn dispatching_without_instructions_adds_no_note() {
    let c = run(
        &ticket(TicketStatus::PendingCustomer),
        &agent(),
        Command::Dispatch {
            department_id: LEGAL,
            instructions: Some(s("  ")),
        },
    )
    .unwrap();
    assert_eq!(c.events.len(), 1);
}

#[test]
fn a_new_ticket_must_be_acknowledged_before_it_is_dispatched() {
    let (status, action, allowed) = transition_refusal(run(
        &fresh(),
        &agent(),
        Command::Dispatch {
            department_id: LEGAL,
            instructions: None,
        },
    ));
    assert_eq!((status.as_str(), action.as_str()), ("NEW", "dispatch"));
    assert_eq!(
        allowed,
        vec!["acknowledge", "assign", "claim", "transfer ownership"]
    );
}

#[test]
fn the_departments_liaison_hands_the_ticket_back_with_internal_findings() {
    let c = run(
        &dispatched_to_legal(),
        &legal_liaison(),
        Command::HandBack {
            findings: s("Clause 4 applies; refund is due."),
        },
    )
    .unwrap();
    assert_eq!(c.status, TicketStatus::Open);
    assert_eq!(c.department_id, Some(LEGAL));
    assert_eq!(c.owner_id, Some(OWNER));
    assert_eq!(c.events[0].kind, TicketEventKind::StatusChanged);
    assert_eq!(
        c.events[0].from_status,
        Some(TicketStatus::PendingDepartment)
    );
    assert_eq!(c.events[0].to_status, Some(TicketStatus::Open));
    assert_eq!(c.events[0].message, None);
    let note = &c.events[1];
    assert!(note.internal);
    assert_eq!(
        note.message.as_deref(),
        Some("Clause 4 applies; refund is due.")
    );
}

#[test]
fn a_liaison_of_another_department_cannot_hand_the_ticket_back_or_add_notes() {
    let t = dispatched_to_legal();
    assert!(is_forbidden(run(
        &t,
        &sales_liaison(),
        Command::HandBack { findings: s("x") }
    )));
    assert!(is_forbidden(run(
        &t,
        &sales_liaison(),
        Command::AddNote { body: s("x") }
    )));
}

#[test]
fn an_agent_cannot_hand_back_for_the_department_but_a_lead_can() {
    let t = dispatched_to_legal();
    assert!(is_forbidden(run(
        &t,
        &agent(),
        Command::HandBack { findings: s("x") }
    )));
    assert!(run(&t, &supervisor(), Command::HandBack { findings: s("x") }).is_ok());
}

#[test]
fn a_liaison_cannot_resolve_or_reply() {
    let t = dispatched_to_legal();
    assert!(is_forbidden(run(
        &t,
        &legal_liaison(),
        Command::Resolve { solution: s("x") }
    )));
    assert!(is_forbidden(run(
        &t,
        &legal_liaison(),
        Command::ReplyToCustomer {
            body: s("x"),
            wait_for_customer: false
        }
    )));
}

#[test]
fn handing_back_needs_findings_and_a_dispatched_ticket() {
    let field = invalid_field(run(
        &dispatched_to_legal(),
        &legal_liaison(),
        Command::HandBack { findings: s(" ") },
    ));
    assert_eq!(field, "findings");
    let t = TicketFacts {
        department_id: Some(LEGAL),
        ..ticket(TicketStatus::Open)
    };
    let (status, action, _) = transition_refusal(run(
        &t,
        &legal_liaison(),
        Command::HandBack { findings: s("x") },
    ));
    assert_eq!((status.as_str(), action.as_str()), ("OPEN", "hand back"));
}

#[test]
fn a_liaison_may_add_notes_to_a_ticket_their_department_worked_on_after_hand_back() {
    let t = TicketFacts {
        department_id: Some(LEGAL),
        ..ticket(TicketStatus::Open)
    };
    assert!(run(&t, &legal_liaison(), Command::AddNote { body: s("fyi") }).is_ok());
}

// ------------------------------------------------------------------ set status

#[test]
fn set_status_moves_between_open_and_pending_customer_both_ways() {
    let c = run(
        &ticket(TicketStatus::Open),
        &agent(),
        Command::SetStatus {
            to: TicketStatus::PendingCustomer,
        },
    )
    .unwrap();
    assert_eq!(c.status, TicketStatus::PendingCustomer);
    assert_eq!(c.events[0].kind, TicketEventKind::StatusChanged);
    assert_eq!(c.events[0].from_status, Some(TicketStatus::Open));
    let c = run(
        &ticket(TicketStatus::PendingCustomer),
        &agent(),
        Command::SetStatus {
            to: TicketStatus::Open,
        },
    )
    .unwrap();
    assert_eq!(c.status, TicketStatus::Open);
}

#[test]
fn set_status_refuses_every_other_move_naming_the_current_status() {
    for from in TicketStatus::ALL {
        for to in TicketStatus::ALL {
            let legal = matches!(
                (from, to),
                (TicketStatus::Open, TicketStatus::PendingCustomer)
                    | (TicketStatus::PendingCustomer, TicketStatus::Open)
            );
            let r = run(&ticket(from), &agent(), Command::SetStatus { to });
            if legal {
                assert!(r.is_ok());
            } else {
                let (status, action, allowed) = transition_refusal(r);
                assert_eq!(status, from.as_str());
                assert_eq!(action, format!("set to {to}"));
                assert_eq!(allowed, allowed_moves(from));
            }
        }
    }
}

#[test]
fn set_status_to_resolved_is_refused_with_a_message_pointing_at_resolve() {
    let err = run(
        &ticket(TicketStatus::Open),
        &agent(),
        Command::SetStatus {
            to: TicketStatus::Resolved,
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot set to RESOLVED a ticket that is OPEN; allowed from OPEN: assign, claim, dispatch, \
         set to PENDING_CUSTOMER, resolve, transfer ownership"
    );
}

// ------------------------------------------------------------------ resolve

#[test]
fn the_assignee_resolves_a_ticket_with_a_public_solution() {
    for status in [
        TicketStatus::Open,
        TicketStatus::PendingCustomer,
        TicketStatus::PendingDepartment,
    ] {
        let c = run(
            &ticket(status),
            &assignee(),
            Command::Resolve {
                solution: s(" Replaced the unit. "),
            },
        )
        .unwrap();
        assert_eq!(c.status, TicketStatus::Resolved);
        assert!(c.resolved);
        let e = &c.events[0];
        assert_eq!(e.kind, TicketEventKind::Resolved);
        assert!(!e.internal);
        assert_eq!(e.message.as_deref(), Some("Replaced the unit."));
        assert_eq!(e.from_status, Some(status));
        assert_eq!(e.to_status, Some(TicketStatus::Resolved));
    }
}

#[test]
fn the_owner_and_leads_may_resolve_but_another_agent_may_not() {
    let t = ticket(TicketStatus::Open);
    let cmd = || Command::Resolve {
        solution: s("done"),
    };
    assert!(run(&t, &owner(), cmd()).is_ok());
    assert!(run(&t, &supervisor(), cmd()).is_ok());
    assert!(run(&t, &who(AGENT, &[Role::Manager], None), cmd()).is_ok());
    assert!(is_forbidden(run(&t, &agent(), cmd())));
}

#[test]
fn a_new_ticket_cannot_be_resolved_before_it_is_acknowledged() {
    let (status, action, _) = transition_refusal(run(
        &ticket(TicketStatus::New),
        &owner(),
        Command::Resolve {
            solution: s("done"),
        },
    ));
    assert_eq!((status.as_str(), action.as_str()), ("NEW", "resolve"));
}

#[test]
fn resolving_needs_a_solution_of_at_most_ten_thousand_characters() {
    let t = ticket(TicketStatus::Open);
    let field = invalid_field(run(&t, &owner(), Command::Resolve { solution: s("") }));
    assert_eq!(field, "solution");
    let field = invalid_field(run(
        &t,
        &owner(),
        Command::Resolve {
            solution: "x".repeat(10_001),
        },
    ));
    assert_eq!(field, "solution");
    assert!(
        run(
            &t,
            &owner(),
            Command::Resolve {
                solution: "x".repeat(10_000)
            }
        )
        .is_ok()
    );
}

#[test]
fn a_resolved_ticket_cannot_be_resolved_again() {
    let (_, _, allowed) = transition_refusal(run(
        &ticket(TicketStatus::Resolved),
        &owner(),
        Command::Resolve { solution: s("x") },
    ));
    assert_eq!(
        allowed,
        vec![
            "record a follow-up",
            "close",
            "rate",
            "reopen",
            "transfer ownership"
        ]
    );
}

// ------------------------------------------------------------------ close and follow-up

#[test]
fn a_resolved_inquiry_can_be_closed_without_a_follow_up() {
    let c = run(&ticket(TicketStatus::Resolved), &agent(), Command::Close).unwrap();
    assert_eq!(c.status, TicketStatus::Closed);
    assert!(c.closed);
    assert_eq!(c.events[0].kind, TicketEventKind::Closed);
    assert_eq!(c.events[0].from_status, Some(TicketStatus::Resolved));
}

#[test]
fn a_complaint_cannot_be_closed_before_its_follow_up_visit() {
    let t = TicketFacts {
        verdict: Some(ComplaintVerdict::Unjustified),
        ..complaint(TicketStatus::Resolved)
    };
    let err = run(&t, &agent(), Command::Close).unwrap_err();
    let DomainError::InvalidTransition {
        status, allowed, ..
    } = &err
    else {
        panic!("expected an invalid transition, got {err:?}");
    };
    assert_eq!(status, "RESOLVED");
    assert!(!allowed.contains(&s("close")));
    assert!(allowed.contains(&s("record a follow-up")));
    assert!(err.to_string().contains("follow-up visit"));
}

#[test]
fn a_complaint_closes_after_its_follow_up_visit() {
    let t = TicketFacts {
        follow_up_since_resolution: true,
        verdict: Some(ComplaintVerdict::Justified),
        ..complaint(TicketStatus::Resolved)
    };
    assert_eq!(
        run(&t, &agent(), Command::Close).unwrap().status,
        TicketStatus::Closed
    );
}

#[test]
fn only_resolved_tickets_can_be_closed() {
    for status in TicketStatus::ALL {
        if status == TicketStatus::Resolved {
            continue;
        }
        let (current, action, allowed) =
            transition_refusal(run(&ticket(status), &supervisor(), Command::Close));
        assert_eq!(current, status.as_str());
        assert_eq!(action, "close");
        assert_eq!(allowed, allowed_moves(status));
    }
}

#[test]
fn a_follow_up_is_recorded_only_on_a_resolved_ticket() {
    let c = run(
        &ticket(TicketStatus::Resolved),
        &agent(),
        Command::RecordFollowUp {
            customer_satisfied: true,
        },
    )
    .unwrap();
    assert_eq!(c.status, TicketStatus::Resolved);
    assert_eq!(c.events[0].kind, TicketEventKind::FollowUpRecorded);
    assert_eq!(c.events[0].message.as_deref(), Some("customer satisfied"));
    let (_, action, _) = transition_refusal(run(
        &ticket(TicketStatus::Closed),
        &agent(),
        Command::RecordFollowUp {
            customer_satisfied: true,
        },
    ));
    assert_eq!(action, "record a follow-up");
}

#[test]
fn customers_cannot_close_or_record_follow_ups() {
    let t = ticket(TicketStatus::Resolved);
    assert!(is_forbidden(run(&t, &customer(), Command::Close)));
    assert!(is_forbidden(run(
        &t,
        &customer(),
        Command::RecordFollowUp {
            customer_satisfied: true
        }
    )));
}

// ------------------------------------------------------------------ reopen

#[test]
fn a_customer_reopens_their_own_resolved_or_closed_ticket_with_a_reason() {
    for status in [TicketStatus::Resolved, TicketStatus::Closed] {
        let c = run(
            &ticket(status),
            &customer(),
            Command::Reopen {
                reason: s("It broke again."),
            },
        )
        .unwrap();
        assert_eq!(c.status, TicketStatus::Open);
        assert!(c.reopened);
        assert_eq!(c.owner_id, Some(OWNER));
        assert_eq!(c.events[0].kind, TicketEventKind::Reopened);
        assert_eq!(c.events[0].message.as_deref(), Some("It broke again."));
        assert!(!c.events[0].internal);
    }
}

#[test]
fn customer_cannot_reopen_another_customers_ticket() {
    assert!(is_forbidden(run(
        &ticket(TicketStatus::Closed),
        &other_customer(),
        Command::Reopen { reason: s("x") }
    )));
}

#[test]
fn reopening_needs_a_reason_and_a_finished_ticket() {
    let field = invalid_field(run(
        &ticket(TicketStatus::Closed),
        &agent(),
        Command::Reopen { reason: s(" ") },
    ));
    assert_eq!(field, "reason");
    let (status, action, _) = transition_refusal(run(
        &ticket(TicketStatus::Open),
        &agent(),
        Command::Reopen { reason: s("x") },
    ));
    assert_eq!((status.as_str(), action.as_str()), ("OPEN", "reopen"));
}

// ------------------------------------------------------------------ rate

#[test]
fn a_customer_rates_their_own_resolved_ticket() {
    let c = run(
        &ticket(TicketStatus::Resolved),
        &customer(),
        Command::Rate { rating: 5 },
    )
    .unwrap();
    assert_eq!(c.status, TicketStatus::Resolved);
    assert_eq!(c.events[0].kind, TicketEventKind::Rated);
    assert!(!c.events[0].internal);
    assert!(
        run(
            &ticket(TicketStatus::Closed),
            &customer(),
            Command::Rate { rating: 1 }
        )
        .is_ok()
    );
}

#[test]
fn customer_cannot_rate_another_customers_ticket() {
    assert!(is_forbidden(run(
        &ticket(TicketStatus::Resolved),
        &other_customer(),
        Command::Rate { rating: 5 }
    )));
}

#[test]
fn staff_may_record_a_rating_during_a_follow_up_call() {
    assert!(
        run(
            &ticket(TicketStatus::Resolved),
            &agent(),
            Command::Rate { rating: 4 }
        )
        .is_ok()
    );
}

#[test]
fn ratings_must_be_between_one_and_five() {
    for rating in [0, 6, -1, i32::MAX] {
        let field = invalid_field(run(
            &ticket(TicketStatus::Resolved),
            &customer(),
            Command::Rate { rating },
        ));
        assert_eq!(field, "rating");
    }
}

#[test]
fn a_resolution_can_be_rated_only_once() {
    let t = TicketFacts {
        rated_since_resolution: true,
        ..ticket(TicketStatus::Closed)
    };
    let r = run(&t, &customer(), Command::Rate { rating: 3 });
    assert!(matches!(r, Err(DomainError::Conflict(m)) if m.contains("already been rated")));
}

#[test]
fn an_unresolved_ticket_cannot_be_rated() {
    let (status, action, _) = transition_refusal(run(
        &ticket(TicketStatus::Open),
        &customer(),
        Command::Rate { rating: 3 },
    ));
    assert_eq!((status.as_str(), action.as_str()), ("OPEN", "rate"));
}

// ------------------------------------------------------------------ ownership, notes, replies

#[test]
fn a_lead_transfers_ownership_of_an_unclosed_ticket() {
    let c = run(
        &ticket(TicketStatus::PendingDepartment),
        &supervisor(),
        Command::TransferOwnership { to: AGENT },
    )
    .unwrap();
    assert_eq!(c.owner_id, Some(AGENT));
    assert_eq!(c.assignee_id, Some(ASSIGNEE));
    assert!(c.events[0].internal);
    let (_, action, _) = transition_refusal(run(
        &ticket(TicketStatus::Closed),
        &supervisor(),
        Command::TransferOwnership { to: AGENT },
    ));
    assert_eq!(action, "transfer ownership");
}

#[test]
fn an_agent_cannot_transfer_ownership() {
    assert!(is_forbidden(run(
        &ticket(TicketStatus::Open),
        &owner(),
        Command::TransferOwnership { to: AGENT }
    )));
}

#[test]
fn transferring_ownership_to_the_current_owner_is_refused() {
    let field = invalid_field(run(
        &ticket(TicketStatus::Open),
        &supervisor(),
        Command::TransferOwnership { to: OWNER },
    ));
    assert_eq!(field, "toUserId");
}

#[test]
fn notes_are_internal_and_allowed_in_every_status() {
    for status in TicketStatus::ALL {
        let c = run(
            &ticket(status),
            &agent(),
            Command::AddNote { body: s(" hmm ") },
        )
        .unwrap();
        assert_eq!(c.status, status);
        assert_eq!(c.events[0].kind, TicketEventKind::NoteAdded);
        assert!(c.events[0].internal);
        assert_eq!(c.events[0].message.as_deref(), Some("hmm"));
    }
}

#[test]
fn customers_cannot_add_notes() {
    assert!(is_forbidden(run(
        &ticket(TicketStatus::Open),
        &customer(),
        Command::AddNote { body: s("x") }
    )));
}

#[test]
fn replies_to_the_customer_are_public_and_refused_on_closed_tickets() {
    let c = run(
        &ticket(TicketStatus::PendingCustomer),
        &agent(),
        Command::ReplyToCustomer {
            body: s("Could you send a photo?"),
            wait_for_customer: false,
        },
    )
    .unwrap();
    assert_eq!(c.events[0].kind, TicketEventKind::CustomerReply);
    assert!(!c.events[0].internal);
    let (status, action, allowed) = transition_refusal(run(
        &ticket(TicketStatus::Closed),
        &agent(),
        Command::ReplyToCustomer {
            body: s("x"),
            wait_for_customer: false,
        },
    ));
    assert_eq!(status, "CLOSED");
    assert_eq!(action, "reply to the customer");
    assert_eq!(allowed, vec!["rate", "reopen"]);
}

#[test]
fn empty_notes_and_replies_are_refused() {
    let t = ticket(TicketStatus::Open);
    assert_eq!(
        invalid_field(run(&t, &agent(), Command::AddNote { body: s("") })),
        "body"
    );
    assert_eq!(
        invalid_field(run(
            &t,
            &agent(),
            Command::ReplyToCustomer {
                body: "x".repeat(10_001),
                wait_for_customer: false,
            }
        )),
        "body"
    );
}

// ------------------------------------------------------------------ suggestions

#[test]
fn a_lead_tracks_a_suggestions_adoption_in_any_status() {
    for status in TicketStatus::ALL {
        let t = TicketFacts {
            kind: TicketKind::Suggestion,
            ..ticket(status)
        };
        let c = run(
            &t,
            &supervisor(),
            Command::SetSuggestionStatus {
                to: SuggestionStatus::Adopted,
            },
        )
        .unwrap();
        assert_eq!(c.suggestion_status, Some(SuggestionStatus::Adopted));
        assert_eq!(c.status, status);
    }
}

#[test]
fn only_suggestions_have_an_adoption_status() {
    let field = invalid_field(run(
        &ticket(TicketStatus::Open),
        &supervisor(),
        Command::SetSuggestionStatus {
            to: SuggestionStatus::Adopted,
        },
    ));
    assert_eq!(field, "status");
}

#[test]
fn agents_cannot_set_suggestion_status() {
    let t = TicketFacts {
        kind: TicketKind::Suggestion,
        ..ticket(TicketStatus::Open)
    };
    assert!(is_forbidden(run(
        &t,
        &agent(),
        Command::SetSuggestionStatus {
            to: SuggestionStatus::Declined
        }
    )));
}

#[test]
fn other_commands_leave_the_suggestion_status_alone() {
    let c = run(
        &ticket(TicketStatus::Open),
        &agent(),
        Command::AddNote { body: s("x") },
    )
    .unwrap();
    assert_eq!(c.suggestion_status, None);
}

// ------------------------------------------------------------------ roles

#[test]
fn a_trainer_alone_cannot_work_tickets_but_a_trainer_who_is_also_an_agent_can() {
    let trainer = who(AGENT, &[Role::Trainer], None);
    assert!(is_forbidden(run(&fresh(), &trainer, Command::Claim)));
    let both = who(AGENT, &[Role::Trainer, Role::Agent], None);
    assert!(run(&fresh(), &both, Command::Claim).is_ok());
}

#[test]
fn a_liaison_who_is_also_an_agent_works_tickets_outside_their_department() {
    let both = who(
        LIAISON,
        &[Role::DepartmentLiaison, Role::Agent],
        Some(SALES),
    );
    assert!(
        run(
            &ticket(TicketStatus::Open),
            &both,
            Command::AddNote { body: s("x") }
        )
        .is_ok()
    );
}

#[test]
fn decide_ignores_the_version() {
    let a = ticket(TicketStatus::Open);
    let b = TicketFacts {
        version: 99,
        ..a.clone()
    };
    let cmd = Command::Resolve { solution: s("ok") };
    assert_eq!(run(&a, &owner(), cmd.clone()), run(&b, &owner(), cmd));
}

/// One instance of each lifecycle move, by an admin, on a ticket where nothing but the status
/// could stand in the way.
fn lifecycle_moves() -> Vec<(&'static str, Command)> {
    vec![
        ("acknowledge", Command::Acknowledge { message: None }),
        ("assign", Command::Assign { assignee_id: AGENT }),
        ("claim", Command::Claim),
        (
            "dispatch",
            Command::Dispatch {
                department_id: SALES,
                instructions: None,
            },
        ),
        ("hand back", Command::HandBack { findings: s("f") }),
        (
            "set to OPEN",
            Command::SetStatus {
                to: TicketStatus::Open,
            },
        ),
        (
            "set to PENDING_CUSTOMER",
            Command::SetStatus {
                to: TicketStatus::PendingCustomer,
            },
        ),
        ("resolve", Command::Resolve { solution: s("s") }),
        (
            "record a follow-up",
            Command::RecordFollowUp {
                customer_satisfied: true,
            },
        ),
        ("close", Command::Close),
        ("rate", Command::Rate { rating: 4 }),
        ("reopen", Command::Reopen { reason: s("r") }),
        (
            "transfer ownership",
            Command::TransferOwnership { to: AGENT },
        ),
    ]
}

#[test]
fn allowed_moves_lists_exactly_the_moves_decide_accepts() {
    let admin = who(SUPERVISOR, &[Role::Admin], None);
    for status in TicketStatus::ALL {
        let t = TicketFacts {
            assignee_id: None,
            department_id: Some(LEGAL),
            ..ticket(status)
        };
        for (verb, cmd) in lifecycle_moves() {
            let accepted = decide(&t, &admin, &cmd, now()).is_ok();
            assert_eq!(
                accepted,
                allowed_moves(status).contains(&verb),
                "{verb} from {status}"
            );
        }
    }
}

#[test]
fn every_refused_move_names_the_current_status_and_its_allowed_moves() {
    let admin = who(SUPERVISOR, &[Role::Admin], None);
    for status in TicketStatus::ALL {
        let t = TicketFacts {
            assignee_id: None,
            department_id: Some(LEGAL),
            ..ticket(status)
        };
        for (verb, cmd) in lifecycle_moves() {
            if let Err(err) = decide(&t, &admin, &cmd, now()) {
                let (current, action, allowed) = transition_refusal(Err(err));
                assert_eq!(current, status.as_str());
                assert_eq!(action, verb);
                assert_eq!(allowed, allowed_moves(status));
            }
        }
    }
}

// ------------------------------------------------------------------ properties

/// The facts the caller would store after an accepted change; the flags follow the command
/// because [`Change`] leaves recording follow-ups and ratings to the caller.
fn apply(t: &TicketFacts, cmd: &Command, c: &Change) -> TicketFacts {
    let mut next = TicketFacts {
        status: c.status,
        owner_id: c.owner_id,
        assignee_id: c.assignee_id,
        department_id: c.department_id,
        version: t.version + 1,
        escalation_level: c
            .escalation
            .as_ref()
            .map_or(t.escalation_level, |e| e.level),
        ..t.clone()
    };
    if c.resolved || c.reopened {
        next.follow_up_since_resolution = false;
        next.rated_since_resolution = false;
    }
    match cmd {
        Command::RecordFollowUp { .. } => next.follow_up_since_resolution = true,
        Command::Rate { .. } => next.rated_since_resolution = true,
        _ => {}
    }
    next
}

fn actors() -> Vec<Viewer> {
    vec![
        customer(),
        other_customer(),
        owner(),
        assignee(),
        agent(),
        supervisor(),
        who(SUPERVISOR, &[Role::Manager], None),
        who(SUPERVISOR, &[Role::Admin], None),
        legal_liaison(),
        sales_liaison(),
        who(AGENT, &[Role::Trainer], None),
        who(
            LIAISON,
            &[Role::DepartmentLiaison, Role::Agent],
            Some(SALES),
        ),
    ]
}

fn arb_actor() -> impl Strategy<Value = Viewer> {
    prop::sample::select(actors())
}

fn arb_user() -> impl Strategy<Value = Uuid> {
    prop::sample::select(vec![OWNER, ASSIGNEE, AGENT, SUPERVISOR, LIAISON])
}

fn arb_text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![s(""), s("  "), s("text"), "x".repeat(10_001)])
}

fn arb_status() -> impl Strategy<Value = TicketStatus> {
    prop::sample::select(TicketStatus::ALL.to_vec())
}

fn arb_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        proptest::option::of(arb_text()).prop_map(|message| Command::Acknowledge { message }),
        arb_user().prop_map(|assignee_id| Command::Assign { assignee_id }),
        Just(Command::Claim),
        (
            prop::sample::select(vec![LEGAL, SALES]),
            proptest::option::of(arb_text())
        )
            .prop_map(|(department_id, instructions)| Command::Dispatch {
                department_id,
                instructions
            }),
        arb_text().prop_map(|findings| Command::HandBack { findings }),
        arb_status().prop_map(|to| Command::SetStatus { to }),
        arb_text().prop_map(|solution| Command::Resolve { solution }),
        arb_text().prop_map(|reason| Command::Reopen { reason }),
        any::<bool>().prop_map(|customer_satisfied| Command::RecordFollowUp { customer_satisfied }),
        Just(Command::Close),
        (-1i32..8).prop_map(|rating| Command::Rate { rating }),
        arb_user().prop_map(|to| Command::TransferOwnership { to }),
        arb_text().prop_map(|body| Command::AddNote { body }),
        arb_text().prop_map(|body| Command::ReplyToCustomer {
            body,
            wait_for_customer: false
        }),
        prop::sample::select(SuggestionStatus::ALL.to_vec())
            .prop_map(|to| Command::SetSuggestionStatus { to }),
    ]
}

/// A ticket as intake creates it: `NEW`, of any kind, owned by the staff member who took it
/// in or by nobody when the customer filed it themselves.
fn arb_new_ticket() -> impl Strategy<Value = TicketFacts> {
    (
        prop::sample::select(TicketKind::ALL.to_vec()),
        prop::sample::select(Severity::ALL.to_vec()),
        proptest::option::of(arb_user()),
        proptest::option::of(prop::sample::select(vec![CUSTOMER, OTHER_CUSTOMER])),
    )
        .prop_map(|(kind, severity, owner_id, customer_user_id)| TicketFacts {
            status: TicketStatus::New,
            kind,
            severity: (kind == TicketKind::Complaint).then_some(severity),
            category: None,
            priority: Priority::Normal,
            reopen_count: 0,
            owner_id,
            assignee_id: None,
            department_id: None,
            customer_user_id,
            follow_up_since_resolution: false,
            rated_since_resolution: false,
            escalation_level: 0,
            verdict: None,
            involved_staff: Vec::new(),
            disagreement_called_back: false,
            responsible_department_id: None,
            version: 0,
        })
}

/// Any facts at all, including combinations the lifecycle would never produce.
fn arb_any_ticket() -> impl Strategy<Value = TicketFacts> {
    (
        arb_status(),
        prop::sample::select(TicketKind::ALL.to_vec()),
        proptest::option::of(arb_user()),
        proptest::option::of(arb_user()),
        proptest::option::of(prop::sample::select(vec![LEGAL, SALES])),
        proptest::option::of(prop::sample::select(vec![CUSTOMER, OTHER_CUSTOMER])),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(status, kind, owner_id, assignee_id, department_id, customer_user_id, f, r)| {
                TicketFacts {
                    status,
                    kind,
                    severity: None,
                    category: None,
                    priority: Priority::Normal,
                    reopen_count: 0,
                    owner_id,
                    assignee_id,
                    department_id,
                    customer_user_id,
                    follow_up_since_resolution: f,
                    rated_since_resolution: r,
                    escalation_level: 0,
                    verdict: None,
                    involved_staff: Vec::new(),
                    disagreement_called_back: false,
                    responsible_department_id: None,
                    version: 0,
                }
            },
        )
}

fn legal_edge(from: TicketStatus, to: TicketStatus) -> bool {
    use TicketStatus::*;
    from == to
        || matches!(
            (from, to),
            (New, Open)
                | (Open, PendingCustomer)
                | (PendingCustomer, Open)
                | (Open | PendingCustomer, PendingDepartment)
                | (PendingDepartment, Open)
                | (Open | PendingCustomer | PendingDepartment, Resolved)
                | (Resolved, Closed)
                | (Resolved | Closed, Open)
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// (a) Replaying random commands by random actors from intake keeps the ticket consistent.
    #[test]
    fn accepted_changes_keep_the_ticket_consistent(
        start in arb_new_ticket(),
        steps in prop::collection::vec((arb_actor(), arb_command()), 1..40),
    ) {
        let mut t = start;
        for (actor, cmd) in &steps {
            let Ok(change) = decide(&t, actor, cmd, now()) else { continue };
            prop_assert!(TicketStatus::ALL.contains(&change.status));
            prop_assert!(!change.events.is_empty());
            t = apply(&t, cmd, &change);
            if t.status != TicketStatus::New {
                prop_assert!(t.owner_id.is_some(), "no owner after acknowledge: {:?}", t);
                prop_assert!(t.assignee_id.is_some(), "no assignee after acknowledge: {:?}", t);
            }
            if t.status == TicketStatus::PendingDepartment {
                prop_assert!(t.department_id.is_some());
            }
            if t.status == TicketStatus::New {
                prop_assert!(!change.resolved && !change.closed && !change.reopened);
            }
        }
    }

    /// (b) From any facts, every accepted change follows an edge of the lifecycle graph, only
    /// RESOLVED leads to CLOSED, and status changes are recorded on the timeline.
    #[test]
    fn every_accepted_change_follows_the_lifecycle_graph(
        t in arb_any_ticket(),
        actor in arb_actor(),
        cmd in arb_command(),
    ) {
        if let Ok(change) = decide(&t, &actor, &cmd, now()) {
            prop_assert!(legal_edge(t.status, change.status), "{:?} -> {:?}", t.status, change.status);
            if change.status == TicketStatus::Closed && t.status != TicketStatus::Closed {
                prop_assert_eq!(t.status, TicketStatus::Resolved);
                prop_assert!(change.closed);
            }
            prop_assert_eq!(change.closed, change.status == TicketStatus::Closed && t.status != TicketStatus::Closed);
            prop_assert_eq!(change.resolved, change.status == TicketStatus::Resolved && t.status != TicketStatus::Resolved);
            if change.status != t.status {
                let recorded = change.events.iter().any(|e| {
                    e.from_status == Some(t.status) && e.to_status == Some(change.status) && !e.internal
                });
                prop_assert!(recorded, "status change without a public timeline entry");
            }
            // Only the commands about people may change them.
            if !matches!(cmd, Command::Acknowledge { .. } | Command::Claim | Command::TransferOwnership { .. }) {
                prop_assert_eq!(change.owner_id, t.owner_id);
            }
            if !matches!(cmd, Command::Acknowledge { .. } | Command::Claim | Command::Assign { .. }) {
                prop_assert_eq!(change.assignee_id, t.assignee_id);
            }
            if !matches!(cmd, Command::Dispatch { .. }) {
                prop_assert_eq!(change.department_id, t.department_id);
            }
            // Customers only ever touch their own tickets; liaisons only their department's.
            if !actor.roles.is_staff() {
                prop_assert_eq!(t.customer_user_id, Some(actor.user_id));
            }
            if !actor.is_frontline() {
                prop_assert!(actor.is_customer_of(&t) || actor.is_liaison_for(&t));
            }
            // Whatever a customer might see carries no internal text by accident.
            for e in &change.events {
                if matches!(e.kind, TicketEventKind::NoteAdded) {
                    prop_assert!(e.internal);
                }
            }
        }
    }

    /// (c) Refusals leave the held facts as they were, so a replay of only the accepted
    /// changes must satisfy the closed loop: nothing closes unless it was resolved, no complaint
    /// closes without a follow-up since its latest resolution, and a resolution is rated at
    /// most once — tracked here independently of the flags `decide` reads.
    #[test]
    fn refused_commands_change_nothing_and_the_loop_stays_closed(
        start in arb_new_ticket(),
        steps in prop::collection::vec((arb_actor(), arb_command()), 1..60),
    ) {
        let mut t = start;
        let mut followed_up = false;
        let mut ratings_this_resolution = 0;
        let mut ever_resolved = false;
        for (actor, cmd) in &steps {
            let before = t.clone();
            match decide(&t, actor, cmd, now()) {
                Err(_) => prop_assert_eq!(&t, &before),
                Ok(change) => {
                    if change.status == TicketStatus::Closed && t.status != TicketStatus::Closed {
                        prop_assert_eq!(t.status, TicketStatus::Resolved);
                        prop_assert!(ever_resolved);
                        if t.kind == TicketKind::Complaint {
                            prop_assert!(followed_up, "complaint closed without a follow-up");
                        }
                    }
                    if change.resolved || change.reopened {
                        followed_up = false;
                        ratings_this_resolution = 0;
                    }
                    ever_resolved |= change.resolved;
                    match cmd {
                        Command::RecordFollowUp { .. } => followed_up = true,
                        Command::Rate { .. } => ratings_this_resolution += 1,
                        _ => {}
                    }
                    prop_assert!(ratings_this_resolution <= 1);
                    t = apply(&t, cmd, &change);
                }
            }
        }
    }
}

// ------------------------------------------------------------------ escalation and the system

#[test]
fn escalating_by_hand_raises_the_level_by_one_and_records_why() {
    let c = run(
        &ticket(TicketStatus::Open),
        &owner(),
        Command::Escalate {
            reason: s("  customer threatens to go to the press "),
        },
    )
    .unwrap();
    assert_eq!(
        c.escalation,
        Some(Escalation::new(
            1,
            EscalationKind::Manual,
            "customer threatens to go to the press"
        ))
    );
    assert_eq!(c.events[0].kind, TicketEventKind::Escalated);
    assert!(c.events[0].internal);
}

#[test]
fn nothing_is_escalated_past_the_working_group() {
    let t = TicketFacts {
        escalation_level: 3,
        ..ticket(TicketStatus::Open)
    };
    let refused = run(&t, &owner(), Command::Escalate { reason: s("again") });
    assert!(
        matches!(refused, Err(DomainError::Conflict(_))),
        "{refused:?}"
    );
}

#[test]
fn other_commands_leave_the_escalation_level_alone() {
    let c = run(
        &ticket(TicketStatus::Open),
        &owner(),
        Command::AddNote { body: s("n") },
    )
    .unwrap();
    assert_eq!(c.escalation, None);
}

#[test]
fn the_system_closes_a_resolved_inquiry_with_a_public_timeline_entry() {
    let c = decide_system(&ticket(TicketStatus::Resolved), SystemCommand::AutoClose).unwrap();
    assert_eq!(c.status, TicketStatus::Closed);
    assert!(c.closed);
    assert_eq!(c.events.len(), 1);
    assert_eq!(c.events[0].kind, TicketEventKind::Closed);
    assert!(!c.events[0].internal);
    assert_eq!(c.events[0].from_status, Some(TicketStatus::Resolved));
}

#[test]
fn the_system_never_closes_a_complaint_or_an_unresolved_ticket() {
    let complaint = decide_system(&complaint(TicketStatus::Resolved), SystemCommand::AutoClose);
    assert!(matches!(complaint, Err(DomainError::Conflict(_))));
    let open = decide_system(&ticket(TicketStatus::Open), SystemCommand::AutoClose);
    assert!(matches!(open, Err(DomainError::InvalidTransition { .. })));
}

// ------------------------------------------------------------------ accountability

fn involving(staff: &[Uuid]) -> TicketFacts {
    TicketFacts {
        involved_staff: staff.to_vec(),
        ..complaint(TicketStatus::Open)
    }
}

fn verdict(v: ComplaintVerdict, reason: Option<&str>) -> Command {
    Command::RecordVerdict {
        verdict: v,
        root_cause: s("script skipped the refund policy"),
        reason: reason.map(s),
        responsible_department: None,
    }
}

#[test]
fn a_complaint_cannot_close_without_a_verdict_even_after_its_follow_up() {
    let t = TicketFacts {
        follow_up_since_resolution: true,
        ..complaint(TicketStatus::Resolved)
    };
    let err = run(&t, &agent(), Command::Close).unwrap_err();
    assert!(err.to_string().contains("verdict"), "{err}");
}

#[test]
fn a_lead_records_a_verdict_with_its_root_cause_in_the_timeline() {
    let c = run(
        &involving(&[AGENT]),
        &supervisor(),
        verdict(ComplaintVerdict::Justified, None),
    )
    .unwrap();
    assert_eq!(
        c.verdict,
        Some((
            ComplaintVerdict::Justified,
            s("script skipped the refund policy")
        ))
    );
    assert_eq!(c.events[0].kind, TicketEventKind::VerdictRecorded);
    assert!(c.events[0].internal);
}

#[test]
fn an_involved_employee_never_decides_the_verdict() {
    let involved_lead = involving(&[SUPERVISOR]);
    assert!(is_forbidden(run(
        &involved_lead,
        &supervisor(),
        verdict(ComplaintVerdict::Unjustified, None)
    )));
    // Agents hold no verdict right at all.
    assert!(is_forbidden(run(
        &involving(&[]),
        &agent(),
        verdict(ComplaintVerdict::Unjustified, None)
    )));
}

#[test]
fn a_verdict_is_revised_only_with_a_reason() {
    let decided = TicketFacts {
        verdict: Some(ComplaintVerdict::Unjustified),
        ..involving(&[AGENT])
    };
    let refused = run(
        &decided,
        &supervisor(),
        verdict(ComplaintVerdict::Justified, None),
    );
    assert_eq!(
        refused.unwrap_err(),
        DomainError::invalid("reason", "revising a verdict needs a reason")
    );
    let revised = run(
        &decided,
        &supervisor(),
        verdict(ComplaintVerdict::Justified, Some("recording found")),
    )
    .unwrap();
    assert!(
        revised.events[0]
            .message
            .as_deref()
            .unwrap_or("")
            .contains("recording found")
    );
}

#[test]
fn pending_is_not_a_verdict_and_only_complaints_get_one() {
    let pending = run(
        &involving(&[]),
        &supervisor(),
        verdict(ComplaintVerdict::Pending, None),
    );
    assert!(matches!(pending, Err(DomainError::InvalidInput { .. })));
    let inquiry = run(
        &ticket(TicketStatus::Open),
        &supervisor(),
        verdict(ComplaintVerdict::Justified, None),
    );
    assert!(matches!(inquiry, Err(DomainError::InvalidInput { .. })));
}

#[test]
fn the_owner_or_a_lead_names_the_involved_employees_once_each() {
    let t = TicketFacts {
        owner_id: Some(AGENT),
        ..involving(&[])
    };
    let c = run(
        &t,
        &agent(),
        Command::SetInvolvedStaff {
            staff: vec![OWNER, OWNER, ASSIGNEE],
        },
    )
    .unwrap();
    assert_eq!(c.involved_staff, Some(vec![OWNER, ASSIGNEE]));
    assert_eq!(c.events[0].kind, TicketEventKind::InvolvedStaffSet);
    let not_owner = TicketFacts {
        owner_id: Some(OWNER),
        ..involving(&[])
    };
    assert!(is_forbidden(run(
        &not_owner,
        &agent(),
        Command::SetInvolvedStaff { staff: vec![] }
    )));
}

#[test]
fn a_named_employee_cannot_take_themselves_off_a_complaint() {
    let t = TicketFacts {
        owner_id: Some(AGENT),
        ..involving(&[AGENT, OWNER])
    };
    let off = run(
        &t,
        &agent(),
        Command::SetInvolvedStaff { staff: vec![OWNER] },
    );
    assert!(is_forbidden(off));
    let kept = run(
        &t,
        &agent(),
        Command::SetInvolvedStaff {
            staff: vec![AGENT, ASSIGNEE],
        },
    )
    .unwrap();
    let message = kept.events[0].message.clone().unwrap_or_default();
    assert!(message.contains(&ASSIGNEE.to_string()) && message.contains(&OWNER.to_string()));
}

#[test]
fn once_a_verdict_stands_the_employees_it_names_are_fixed() {
    let decided = TicketFacts {
        verdict: Some(ComplaintVerdict::Justified),
        ..involving(&[AGENT])
    };
    let moved = run(
        &decided,
        &supervisor(),
        Command::SetInvolvedStaff { staff: vec![OWNER] },
    );
    assert!(matches!(moved, Err(DomainError::Conflict(_))), "{moved:?}");
}

#[test]
fn a_justified_complaint_names_someone() {
    let nobody = run(
        &involving(&[]),
        &supervisor(),
        verdict(ComplaintVerdict::Justified, None),
    );
    assert!(matches!(nobody, Err(DomainError::InvalidInput { .. })));
    assert!(
        run(
            &involving(&[]),
            &supervisor(),
            verdict(ComplaintVerdict::Unjustified, None)
        )
        .is_ok()
    );
    // A product fault with nobody at fault: the business department is responsible.
    let product = Uuid::now_v7();
    let by_department = Command::RecordVerdict {
        verdict: ComplaintVerdict::Justified,
        root_cause: s("the batch was faulty"),
        reason: None,
        responsible_department: Some(product),
    };
    let c = run(&involving(&[]), &supervisor(), by_department).unwrap();
    assert_eq!(c.responsible_department, Some(product));
    assert_eq!(c.verdict.map(|(v, _)| v), Some(ComplaintVerdict::Justified));
    // Recorded before, it still counts when the verdict is revised.
    let recorded = TicketFacts {
        responsible_department_id: Some(product),
        verdict: Some(ComplaintVerdict::Unjustified),
        ..involving(&[])
    };
    assert!(
        run(
            &recorded,
            &supervisor(),
            verdict(
                ComplaintVerdict::Justified,
                Some("the batch was faulty after all")
            )
        )
        .is_ok()
    );
}

#[test]
fn an_unsatisfied_follow_up_stays_resolved_for_a_callback_and_after_a_reopen_escalates() {
    let unhappy = Command::RecordFollowUp {
        customer_satisfied: false,
    };
    let c = run(&ticket(TicketStatus::Resolved), &agent(), unhappy.clone()).unwrap();
    assert_eq!(c.status, TicketStatus::Resolved);
    assert!(!c.reopened);
    assert_eq!(
        c.events[0].message.as_deref(),
        Some("customer not satisfied")
    );
    assert_eq!(c.events.len(), 1);
    assert_eq!(
        c.callbacks,
        vec![CallbackEffect::FollowUpDone { satisfied: false }]
    );
    assert_eq!(c.escalation, None);
    let again = TicketFacts {
        reopen_count: 1,
        ..ticket(TicketStatus::Resolved)
    };
    let c = run(&again, &agent(), unhappy).unwrap();
    assert_eq!(c.status, TicketStatus::Resolved);
    assert_eq!(c.escalation.map(|e| e.level), Some(1));
}

#[test]
fn resolving_a_complaint_schedules_its_follow_up_and_closing_calls_off_what_is_owed() {
    let complaint = TicketFacts {
        kind: TicketKind::Complaint,
        ..ticket(TicketStatus::Open)
    };
    let resolve = Command::Resolve {
        solution: "replaced".into(),
    };
    let c = run(&complaint, &supervisor(), resolve.clone()).unwrap();
    assert_eq!(c.callbacks, vec![CallbackEffect::ScheduleFollowUp]);
    let inquiry = run(&ticket(TicketStatus::Open), &supervisor(), resolve).unwrap();
    assert!(inquiry.callbacks.is_empty());
    let reopen = Command::Reopen {
        reason: "broke again".into(),
    };
    let c = run(&ticket(TicketStatus::Resolved), &agent(), reopen).unwrap();
    assert_eq!(c.callbacks, vec![CallbackEffect::CancelFollowUp]);
}

#[test]
fn a_lead_closes_with_the_customer_disagreeing_only_after_they_were_called_again() {
    let resolved = TicketFacts {
        kind: TicketKind::Complaint,
        verdict: Some(ComplaintVerdict::Justified),
        ..ticket(TicketStatus::Resolved)
    };
    let close = Command::CloseWithCustomerDisagreeing {
        reason: "refund refused twice; offer stands".into(),
    };
    assert!(matches!(
        run(&resolved, &agent(), close.clone()),
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        run(&resolved, &supervisor(), close.clone()),
        Err(DomainError::Conflict(_))
    ));
    let called = TicketFacts {
        disagreement_called_back: true,
        ..resolved
    };
    let c = run(&called, &supervisor(), close.clone()).unwrap();
    assert_eq!(c.status, TicketStatus::Closed);
    assert!(c.closed && c.closed_disagreeing);
    assert_eq!(c.callbacks, vec![CallbackEffect::CancelAll]);
    let blank = Command::CloseWithCustomerDisagreeing { reason: " ".into() };
    assert!(matches!(
        run(&called, &supervisor(), blank),
        Err(DomainError::InvalidInput { .. })
    ));
    let no_verdict = TicketFacts {
        verdict: None,
        ..called
    };
    transition_refusal(run(&no_verdict, &supervisor(), close));
}

#[test]
fn after_sales_tickets_close_only_after_a_follow_up() {
    let repair = TicketFacts {
        kind: TicketKind::AfterSales,
        ..ticket(TicketStatus::Resolved)
    };
    let (_, action, _) = transition_refusal(run(&repair, &supervisor(), Command::Close));
    assert!(action.contains("follow-up"), "{action}");
    let visited = TicketFacts {
        follow_up_since_resolution: true,
        ..repair
    };
    assert_eq!(
        run(&visited, &supervisor(), Command::Close).unwrap().status,
        TicketStatus::Closed
    );
}

#[test]
fn reclassifying_to_major_goes_to_the_working_group_once() {
    let complaint = TicketFacts {
        kind: TicketKind::Complaint,
        severity: Some(Severity::General),
        category: Some(ComplaintCategory::ProductQuality),
        ..ticket(TicketStatus::Open)
    };
    let raise = Command::Reclassify {
        kind: None,
        severity: Some(Severity::Major),
        category: None,
        priority: None,
        reason: "a child was hurt".into(),
    };
    let c = run(&complaint, &owner(), raise.clone()).unwrap();
    let now = c.reclassified.unwrap();
    assert_eq!(now.severity, Some(Severity::Major));
    assert_eq!(c.escalation.map(|e| e.level), Some(3));
    assert_eq!(c.events[0].kind, TicketEventKind::Reclassified);
    assert!(
        c.events[0].message.as_deref().unwrap().contains("GENERAL"),
        "{:?}",
        c.events[0]
    );
    // Already with the working group: reclassified, not escalated again.
    let there = TicketFacts {
        escalation_level: 3,
        ..complaint.clone()
    };
    let urgent = Command::Reclassify {
        kind: None,
        severity: None,
        category: None,
        priority: Some(Priority::Urgent),
        reason: "press".into(),
    };
    assert_eq!(run(&there, &owner(), urgent).unwrap().escalation, None);
    // Any other ticket made URGENT goes to the supervisor, not to the working group.
    let make_urgent = Command::Reclassify {
        kind: None,
        severity: None,
        category: None,
        priority: Some(Priority::Urgent),
        reason: "stranded".into(),
    };
    let c = run(&ticket(TicketStatus::Open), &owner(), make_urgent).unwrap();
    assert_eq!(c.escalation.as_ref().map(|e| e.level), Some(1));
    assert_eq!(
        c.events.last().map(|e| e.kind),
        Some(TicketEventKind::Escalated)
    );
    // A complaint without a category cannot come from an inquiry; a no-op is refused.
    let inquiry = ticket(TicketStatus::Open);
    let to_complaint = Command::Reclassify {
        kind: Some(TicketKind::Complaint),
        severity: None,
        category: None,
        priority: None,
        reason: "angry".into(),
    };
    assert!(matches!(
        run(&inquiry, &owner(), to_complaint),
        Err(DomainError::InvalidInput { field, .. }) if field == "input.category"
    ));
    let nothing = Command::Reclassify {
        kind: None,
        severity: None,
        category: None,
        priority: Some(inquiry.priority),
        reason: "no".into(),
    };
    assert!(run(&inquiry, &owner(), nothing).is_err());
    // A bystanding agent may not.
    assert!(matches!(
        run(&complaint, &agent(), raise),
        Err(DomainError::Forbidden(_))
    ));
}

// ------------------------------------------------------------------ the conversation

#[test]
fn a_customer_answering_a_ticket_that_waits_for_them_opens_it_again() {
    let c = run(
        &ticket(TicketStatus::PendingCustomer),
        &customer(),
        Command::CustomerMessage {
            body: s("It is the X200."),
        },
    )
    .unwrap();
    assert_eq!(c.status, TicketStatus::Open);
    assert_eq!(c.events[0].kind, TicketEventKind::CustomerMessage);
    assert!(!c.events[0].internal);
    assert_eq!(c.events[1].to_status, Some(TicketStatus::Open));
    // On an open ticket the message is all.
    let c = run(
        &ticket(TicketStatus::Open),
        &customer(),
        Command::CustomerMessage {
            body: s("Any news?"),
        },
    )
    .unwrap();
    assert_eq!((c.status, c.events.len()), (TicketStatus::Open, 1));
}

#[test]
fn customer_messages_are_the_customers_own_bounded_and_not_on_closed_tickets() {
    let msg = || Command::CustomerMessage { body: s("hello") };
    assert!(is_forbidden(run(
        &ticket(TicketStatus::Open),
        &agent(),
        msg()
    )));
    assert!(is_forbidden(run(
        &ticket(TicketStatus::Open),
        &other_customer(),
        msg()
    )));
    assert!(matches!(
        run(&ticket(TicketStatus::Closed), &customer(), msg()),
        Err(DomainError::Conflict(_))
    ));
    assert_eq!(
        invalid_field(run(
            &ticket(TicketStatus::Open),
            &customer(),
            Command::CustomerMessage {
                body: "字".repeat(5_001)
            }
        )),
        "body"
    );
}

#[test]
fn a_reply_that_waits_for_the_customer_pauses_an_open_ticket() {
    let wait = || Command::ReplyToCustomer {
        body: s("Which model is it?"),
        wait_for_customer: true,
    };
    let c = run(&ticket(TicketStatus::Open), &agent(), wait()).unwrap();
    assert_eq!(c.status, TicketStatus::PendingCustomer);
    assert_eq!(c.events.len(), 2);
    let c = run(&ticket(TicketStatus::PendingCustomer), &agent(), wait()).unwrap();
    assert_eq!(c.events.len(), 1);
    let (status, action, _) = transition_refusal(run(&ticket(TicketStatus::New), &agent(), wait()));
    assert_eq!(
        (status.as_str(), action.as_str()),
        ("NEW", "set to PENDING_CUSTOMER")
    );
}

#[test]
fn a_promise_is_in_the_future_on_a_ticket_still_being_worked() {
    let promise = |at| Command::PromiseAnswer {
        at,
        message: Some(s("We are checking with the warehouse.")),
    };
    let later = now() + chrono::Duration::hours(4);
    let c = run(&ticket(TicketStatus::Open), &agent(), promise(later)).unwrap();
    assert_eq!(c.promised_answer_at, Some(later));
    assert_eq!(c.events[0].kind, TicketEventKind::AnswerPromised);
    assert!(!c.events[0].internal);
    assert_eq!(
        invalid_field(run(&ticket(TicketStatus::Open), &agent(), promise(now()))),
        "at"
    );
    assert!(
        transition_refusal(run(
            &ticket(TicketStatus::Resolved),
            &agent(),
            promise(later)
        ))
        .0 == "RESOLVED"
    );
    assert!(is_forbidden(run(
        &ticket(TicketStatus::Open),
        &customer(),
        promise(later)
    )));
}
