//! Who gets a ticket: the rule behind automatic assignment, and the capacity limit every
//! claim respects. The API gathers the candidates (an agent's presence, shift, load and
//! history); this module only ranks them.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::DomainError;
use crate::org::Presence;
use crate::role::{Role, Roles};
use crate::ticket::{ComplaintCategory, TicketKind};

/// The skill that qualifies someone without the tech-support role for technical tickets.
pub const TECHNICAL_SKILL: &str = "technical";

/// What the assignment rule needs to know about one possible assignee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The person.
    pub id: Uuid,
    /// Their roles.
    pub roles: Roles,
    /// Their skills, lower-case (e.g. `technical`).
    pub skills: Vec<String>,
    /// Whether they take work right now.
    pub presence: Presence,
    /// The most open tickets they may hold.
    pub capacity: i32,
    /// The open tickets they hold now.
    pub open: i64,
    /// Whether a planned shift of theirs covers the moment of assignment.
    pub on_shift: bool,
    /// When they were last given a ticket automatically; `None` if never.
    pub last_assigned_at: Option<DateTime<Utc>>,
}

impl Candidate {
    /// Whether they may take a new ticket at all: available, on shift, with a capacity and
    /// room left in it.
    pub fn can_take_work(&self) -> bool {
        self.presence == Presence::Available
            && self.on_shift
            && self.capacity > 0
            && self.open < i64::from(self.capacity)
    }

    /// Whether they have what a technical ticket needs: the tech-support role or the
    /// [`TECHNICAL_SKILL`].
    pub fn is_technical(&self) -> bool {
        self.roles.has(Role::TechSupport) || self.skills.iter().any(|s| s == TECHNICAL_SKILL)
    }

    /// Whether they may be given a ticket that is (or is not) `technical`.
    pub fn is_eligible(&self, technical: bool) -> bool {
        self.can_take_work() && (!technical || self.is_technical())
    }

    /// Compares how loaded two candidates are: open tickets over capacity, as exact fractions
    /// (no floating point). Both capacities must be positive.
    pub fn cmp_load(&self, other: &Candidate) -> Ordering {
        let left = i128::from(self.open) * i128::from(other.capacity);
        let right = i128::from(other.open) * i128::from(self.capacity);
        left.cmp(&right)
    }
}

/// Whether a ticket needs someone technical: technical-support tickets, and anything filed
/// under the `TECHNICAL_FAULT` category.
pub fn needs_technical_skill(kind: TicketKind, category: Option<ComplaintCategory>) -> bool {
    kind == TicketKind::TechnicalSupport || category == Some(ComplaintCategory::TechnicalFault)
}

/// The candidate who should get the ticket, or `None` when nobody is eligible (the ticket
/// then waits in the queue).
///
/// Eligible are candidates who [can take work](Candidate::can_take_work) and, for a
/// `technical` ticket, [are technical](Candidate::is_technical). Among them the lowest load
/// relative to capacity wins; ties go to whoever has waited longest since their last ticket
/// (someone never assigned before anyone who was), then to the lowest id, so the choice is
/// deterministic whatever the order of `candidates`.
pub fn pick_assignee(candidates: &[Candidate], technical: bool) -> Option<Uuid> {
    candidates
        .iter()
        .filter(|c| c.is_eligible(technical))
        .min_by(|a, b| {
            a.cmp_load(b)
                .then_with(|| a.last_assigned_at.cmp(&b.last_assigned_at))
                .then_with(|| a.id.cmp(&b.id))
        })
        .map(|c| c.id)
}

/// Refuses a claim that would take someone holding `open` tickets past their `capacity`.
///
/// The refusal is [`DomainError::Conflict`], telling them to hand a ticket over or ask their
/// supervisor.
pub fn check_spare_capacity(open: i64, capacity: i32) -> Result<(), DomainError> {
    if open >= i64::from(capacity) {
        return Err(DomainError::Conflict(format!(
            "you already hold {open} open tickets, your capacity; hand one over or ask your supervisor"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, hour, 0, 0).unwrap()
    }

    fn agent(n: u128, open: i64, capacity: i32) -> Candidate {
        Candidate {
            id: Uuid::from_u128(n),
            roles: Roles::from_iter([Role::Agent]),
            skills: Vec::new(),
            presence: Presence::Available,
            capacity,
            open,
            on_shift: true,
            last_assigned_at: None,
        }
    }

    fn id(n: u128) -> Option<Uuid> {
        Some(Uuid::from_u128(n))
    }

    #[test]
    fn the_least_loaded_relative_to_capacity_wins() {
        // 3/8 beats 1/2 even though it holds more tickets.
        let agents = [agent(1, 1, 2), agent(2, 3, 8), agent(3, 0, 0)];
        assert_eq!(pick_assignee(&agents, false), id(2));
    }

    #[test]
    fn equal_loads_go_to_whoever_waited_longest_and_never_assigned_comes_first() {
        let mut early = agent(1, 1, 4);
        early.last_assigned_at = Some(at(8));
        let mut late = agent(2, 2, 8);
        late.last_assigned_at = Some(at(9));
        assert_eq!(pick_assignee(&[late.clone(), early.clone()], false), id(1));
        let never = agent(3, 1, 4);
        assert_eq!(pick_assignee(&[late, early, never], false), id(3));
    }

    #[test]
    fn complete_ties_go_to_the_lowest_id_whatever_the_order() {
        let agents = [agent(7, 0, 4), agent(5, 0, 4), agent(6, 0, 4)];
        assert_eq!(pick_assignee(&agents, false), id(5));
        let reversed: Vec<_> = agents.iter().rev().cloned().collect();
        assert_eq!(pick_assignee(&reversed, false), id(5));
    }

    #[test]
    fn the_unavailable_the_off_shift_and_the_full_are_passed_over() {
        let mut busy = agent(1, 0, 8);
        busy.presence = Presence::Busy;
        let mut away = agent(2, 0, 8);
        away.presence = Presence::Away;
        let mut off_shift = agent(3, 0, 8);
        off_shift.on_shift = false;
        let full = agent(4, 8, 8);
        let no_capacity = agent(5, 0, 0);
        let candidates = [busy, away, off_shift, full, no_capacity];
        assert_eq!(pick_assignee(&candidates, false), None);
        let mut all = candidates.to_vec();
        all.push(agent(9, 7, 8));
        assert_eq!(pick_assignee(&all, false), id(9));
        assert_eq!(pick_assignee(&[], false), None);
    }

    #[test]
    fn technical_tickets_need_tech_support_or_the_technical_skill() {
        let plain = agent(1, 0, 8);
        let mut support = agent(2, 3, 8);
        support.roles = Roles::from_iter([Role::TechSupport]);
        let mut skilled = agent(3, 2, 8);
        skilled.skills = vec!["billing".into(), "technical".into()];
        let candidates = [plain, support, skilled];
        assert_eq!(pick_assignee(&candidates, false), id(1));
        assert_eq!(pick_assignee(&candidates, true), id(3));
        assert_eq!(pick_assignee(&candidates[..1], true), None);
    }

    #[test]
    fn technical_support_and_technical_faults_are_technical() {
        use ComplaintCategory::*;
        assert!(needs_technical_skill(TicketKind::TechnicalSupport, None));
        assert!(needs_technical_skill(
            TicketKind::TechnicalSupport,
            Some(BillingDispute)
        ));
        assert!(needs_technical_skill(
            TicketKind::Complaint,
            Some(TechnicalFault)
        ));
        assert!(!needs_technical_skill(TicketKind::Complaint, Some(Other)));
        assert!(!needs_technical_skill(TicketKind::Inquiry, None));
    }

    #[test]
    fn a_claim_needs_room_below_capacity() {
        assert_eq!(check_spare_capacity(7, 8), Ok(()));
        assert_eq!(
            check_spare_capacity(8, 8),
            Err(DomainError::Conflict(
                "you already hold 8 open tickets, your capacity; hand one over or ask your supervisor"
                    .to_owned()
            ))
        );
        assert!(check_spare_capacity(0, 0).is_err());
        assert!(check_spare_capacity(9, 8).is_err());
    }

    fn arb_candidate() -> impl Strategy<Value = Candidate> {
        (
            0u128..16,
            prop::sample::select(vec![Role::Agent, Role::TechSupport]),
            any::<bool>(),
            prop::sample::select(Presence::ALL.to_vec()),
            -1i32..10,
            0i64..12,
            any::<bool>(),
            proptest::option::of(0u32..4),
        )
            .prop_map(
                |(n, role, skilled, presence, capacity, open, on_shift, last)| Candidate {
                    id: Uuid::from_u128(n),
                    roles: Roles::from_iter([role]),
                    skills: if skilled {
                        vec![TECHNICAL_SKILL.to_owned()]
                    } else {
                        Vec::new()
                    },
                    presence,
                    capacity,
                    open,
                    on_shift,
                    last_assigned_at: last.map(at),
                },
            )
    }

    proptest! {
        #[test]
        fn the_chosen_one_is_eligible_and_nobody_eligible_is_less_loaded(
            candidates in prop::collection::vec(arb_candidate(), 0..12),
            technical in any::<bool>(),
        ) {
            // Stored users have unique ids; generated ones may repeat.
            let mut candidates = candidates;
            candidates.sort_by_key(|c| c.id);
            candidates.dedup_by_key(|c| c.id);
            let chosen = pick_assignee(&candidates, technical);
            let eligible: Vec<&Candidate> =
                candidates.iter().filter(|c| c.is_eligible(technical)).collect();
            prop_assert_eq!(chosen.is_some(), !eligible.is_empty());
            if let Some(chosen) = chosen {
                let winner = eligible.iter().copied().find(|c| c.id == chosen);
                prop_assert!(winner.is_some(), "the chosen one must be eligible");
                if let Some(winner) = winner {
                    prop_assert!(winner.open < i64::from(winner.capacity));
                    prop_assert_eq!(winner.presence, Presence::Available);
                    prop_assert!(winner.on_shift);
                    prop_assert!(!technical || winner.is_technical());
                    for other in &eligible {
                        prop_assert!(other.cmp_load(winner) != Ordering::Less);
                    }
                }
            }
        }

        #[test]
        fn the_choice_does_not_depend_on_the_order_of_candidates(
            candidates in prop::collection::vec(arb_candidate(), 0..12),
            technical in any::<bool>(),
        ) {
            // Ids may repeat in generated data; make them unique as stored users are.
            let mut unique = candidates;
            unique.sort_by_key(|c| c.id);
            unique.dedup_by_key(|c| c.id);
            let forward = pick_assignee(&unique, technical);
            unique.reverse();
            prop_assert_eq!(pick_assignee(&unique, technical), forward);
        }
    }
}
