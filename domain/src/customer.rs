//! The customer record: tiers, tags, who sees a record's contact data, who may change what,
//! and how two records of one person become one.

use uuid::Uuid;

use crate::DomainError;
use crate::permission::{Action, require};
use crate::role::{Role, Roles};
use crate::ticket::{Priority, Viewer};

/// How much a customer matters to the business. Ordered: `KeyAccount` is the highest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CustomerTier {
    /// Everyone, unless told otherwise.
    #[default]
    Standard,
    /// A valued individual customer.
    Vip,
    /// A business account the company depends on.
    KeyAccount,
}

impl CustomerTier {
    /// Every tier, lowest first.
    pub const ALL: [CustomerTier; 3] = [
        CustomerTier::Standard,
        CustomerTier::Vip,
        CustomerTier::KeyAccount,
    ];

    /// The contract spelling, also the stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            CustomerTier::Standard => "STANDARD",
            CustomerTier::Vip => "VIP",
            CustomerTier::KeyAccount => "KEY_ACCOUNT",
        }
    }

    /// Parses the contract spelling; anything else is `None`.
    pub fn parse(s: &str) -> Option<CustomerTier> {
        CustomerTier::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl std::fmt::Display for CustomerTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lowest priority a new ticket of a customer of `tier` gets by default: `HIGH` for VIP
/// and key accounts, no floor for standard customers.
pub const fn default_priority_floor(tier: CustomerTier) -> Option<Priority> {
    match tier {
        CustomerTier::Standard => None,
        CustomerTier::Vip | CustomerTier::KeyAccount => Some(Priority::High),
    }
}

/// `priority` raised to the [`default_priority_floor`] of `tier` (never lowered).
pub fn with_tier_floor(priority: Priority, tier: CustomerTier) -> Priority {
    default_priority_floor(tier).map_or(priority, |floor| priority.max(floor))
}

/// The most tags one record carries.
pub const MAX_TAGS: usize = 20;

/// The longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;

/// Checks a record's tags as given: each trimmed, non-empty and at most [`MAX_TAG_CHARS`]
/// characters; duplicates (ignoring case) dropped, the first spelling kept, in the given order;
/// at most [`MAX_TAGS`] remaining. A refusal names `field` (e.g. `input.tags`).
pub fn tags(given: &[String], field: &str) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for tag in given {
        let tag = tag.trim();
        if tag.is_empty() {
            return Err(DomainError::invalid(field, "a tag must not be empty"));
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(DomainError::invalid(
                field,
                format!("a tag must be at most {MAX_TAG_CHARS} characters"),
            ));
        }
        if !out.iter().any(|t| same_tag(t, tag)) {
            out.push(tag.to_owned());
        }
    }
    if out.len() > MAX_TAGS {
        return Err(DomainError::invalid(
            field,
            format!("a customer has at most {MAX_TAGS} tags"),
        ));
    }
    Ok(out)
}

fn same_tag(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

const LEADS: [Role; 3] = [Role::Supervisor, Role::Manager, Role::Admin];

/// Whether `v` sees a customer record's phone and email unmasked, outside any one ticket: the
/// rule of `ticket::can_see_contact` applied to the person's tickets. Leads do; staff who own or
/// are assigned one of the person's tickets (`accountable`) do; the customer does for their own
/// record (`record_user_id`); everyone else sees them masked.
pub fn can_see_contact(v: &Viewer, record_user_id: Option<Uuid>, accountable: bool) -> bool {
    (accountable && v.roles.is_staff())
        || v.roles.has_any(&LEADS)
        || (v.roles.has(Role::Customer) && record_user_id == Some(v.user_id))
}

/// Whether someone with `roles` sees a record's tags: staff only (tags are notes about the
/// customer, never shown to them).
pub fn can_see_tags(roles: Roles) -> bool {
    roles.is_staff()
}

/// Whether someone with `roles` may move a record from tier `current` to `wanted`: keeping the
/// tier needs nothing more than editing the record, changing it needs
/// [`Action::ManageCustomers`].
pub fn check_tier_change(
    roles: Roles,
    current: CustomerTier,
    wanted: CustomerTier,
) -> Result<(), DomainError> {
    if current == wanted {
        Ok(())
    } else {
        require(roles, Action::ManageCustomers)
    }
}

/// One side of a merge: what the rule needs of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeSide {
    /// The record.
    pub id: Uuid,
    /// The app account it is linked to, if any.
    pub user_id: Option<Uuid>,
    /// Its phone as written.
    pub phone: Option<String>,
    /// Its email.
    pub email: Option<String>,
    /// Its tier.
    pub tier: CustomerTier,
    /// Its tags.
    pub tags: Vec<String>,
}

/// What the kept record becomes after a merge (its name never changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The kept phone, or the merged one's when the kept record had none.
    pub phone: Option<String>,
    /// The kept email, or the merged one's when the kept record had none.
    pub email: Option<String>,
    /// The kept account link, or the merged one's.
    pub user_id: Option<Uuid>,
    /// The higher of the two tiers.
    pub tier: CustomerTier,
    /// The kept tags, then the merged record's new ones.
    pub tags: Vec<String>,
}

/// Merges record `merged` into `keep`: the kept record keeps its contact data and takes the
/// other's phone, email and account only where it has none, the union of the tags and the
/// higher tier.
///
/// Refused: merging a record into itself (`BAD_USER_INPUT` on `mergeId`); two records that
/// both belong to an app account (`CONFLICT`: two accounts cannot share one record); more than
/// [`MAX_TAGS`] tags together (`BAD_USER_INPUT` on `mergeId`).
pub fn merge(keep: &MergeSide, merged: &MergeSide) -> Result<Merged, DomainError> {
    if keep.id == merged.id {
        return Err(DomainError::invalid(
            "mergeId",
            "a customer record cannot be merged into itself",
        ));
    }
    if keep.user_id.is_some() && merged.user_id.is_some() {
        return Err(DomainError::Conflict(
            "both customer records belong to an app account; they cannot be merged".to_owned(),
        ));
    }
    let mut tags = keep.tags.clone();
    for tag in &merged.tags {
        if !tags.iter().any(|t| same_tag(t, tag)) {
            tags.push(tag.clone());
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(DomainError::invalid(
            "mergeId",
            format!("together the records have more than {MAX_TAGS} tags; remove some first"),
        ));
    }
    Ok(Merged {
        phone: keep.phone.clone().or_else(|| merged.phone.clone()),
        email: keep.email.clone().or_else(|| merged.email.clone()),
        user_id: keep.user_id.or(merged.user_id),
        tier: keep.tier.max(merged.tier),
        tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tiers_round_trip_and_are_ordered() {
        for tier in CustomerTier::ALL {
            assert_eq!(CustomerTier::parse(tier.as_str()), Some(tier));
        }
        assert_eq!(CustomerTier::parse("vip"), None);
        assert_eq!(CustomerTier::default(), CustomerTier::Standard);
        assert!(CustomerTier::KeyAccount > CustomerTier::Vip);
        assert!(CustomerTier::Vip > CustomerTier::Standard);
    }

    #[test]
    fn vip_and_key_accounts_start_at_high_priority() {
        assert_eq!(default_priority_floor(CustomerTier::Standard), None);
        assert_eq!(
            default_priority_floor(CustomerTier::Vip),
            Some(Priority::High)
        );
        assert_eq!(
            default_priority_floor(CustomerTier::KeyAccount),
            Some(Priority::High)
        );
        assert_eq!(
            with_tier_floor(Priority::Normal, CustomerTier::Vip),
            Priority::High
        );
        assert_eq!(
            with_tier_floor(Priority::Urgent, CustomerTier::KeyAccount),
            Priority::Urgent
        );
        assert_eq!(
            with_tier_floor(Priority::Low, CustomerTier::Standard),
            Priority::Low
        );
    }

    #[test]
    fn tags_are_trimmed_and_deduplicated_ignoring_case() {
        assert_eq!(
            tags(
                &strings(&[" wholesale ", "VIP line", "vip LINE", "wholesale"]),
                "t"
            ),
            Ok(strings(&["wholesale", "VIP line"]))
        );
        assert_eq!(tags(&[], "t"), Ok(Vec::new()));
    }

    #[test]
    fn blank_long_or_too_many_tags_are_refused() {
        assert_eq!(
            tags(&strings(&["ok", "  "]), "input.tags"),
            Err(DomainError::invalid(
                "input.tags",
                "a tag must not be empty"
            ))
        );
        assert!(tags(&["退".repeat(MAX_TAG_CHARS)], "t").is_ok());
        assert_eq!(
            tags(&["x".repeat(MAX_TAG_CHARS + 1)], "input.tags"),
            Err(DomainError::invalid(
                "input.tags",
                "a tag must be at most 40 characters"
            ))
        );
        let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("tag {i}")).collect();
        assert_eq!(
            tags(&many, "input.tags"),
            Err(DomainError::invalid(
                "input.tags",
                "a customer has at most 20 tags"
            ))
        );
        // Duplicates do not count towards the limit.
        let mut twenty: Vec<String> = many[..MAX_TAGS].to_vec();
        twenty.push("TAG 0".to_owned());
        assert_eq!(tags(&twenty, "t").map(|t| t.len()), Ok(MAX_TAGS));
    }

    const ME: Uuid = Uuid::from_u128(1);
    const SOMEONE: Uuid = Uuid::from_u128(2);

    fn viewer(roles: &[Role]) -> Viewer {
        Viewer {
            user_id: ME,
            roles: roles.iter().copied().collect(),
            department_id: None,
        }
    }

    #[test]
    fn leads_the_accountable_and_the_customer_see_contact_data() {
        assert!(can_see_contact(&viewer(&[Role::Supervisor]), None, false));
        assert!(can_see_contact(&viewer(&[Role::Manager]), None, false));
        assert!(can_see_contact(&viewer(&[Role::Agent]), None, true));
        assert!(!can_see_contact(&viewer(&[Role::Agent]), None, false));
        assert!(!can_see_contact(&viewer(&[Role::TechSupport]), None, false));
        assert!(!can_see_contact(
            &viewer(&[Role::DepartmentLiaison]),
            None,
            false
        ));
        assert!(can_see_contact(&viewer(&[Role::Customer]), Some(ME), false));
        assert!(!can_see_contact(
            &viewer(&[Role::Customer]),
            Some(SOMEONE),
            true
        ));
    }

    #[test]
    fn tags_are_for_staff() {
        assert!(can_see_tags(Roles::from_iter([Role::Agent])));
        assert!(can_see_tags(Roles::from_iter([Role::DepartmentLiaison])));
        assert!(!can_see_tags(Roles::from_iter([Role::Customer])));
    }

    #[test]
    fn only_leads_change_a_tier() {
        let agent = Roles::from_iter([Role::Agent]);
        let supervisor = Roles::from_iter([Role::Supervisor]);
        assert!(check_tier_change(agent, CustomerTier::Vip, CustomerTier::Vip).is_ok());
        assert!(matches!(
            check_tier_change(agent, CustomerTier::Standard, CustomerTier::Vip),
            Err(DomainError::Forbidden(_))
        ));
        assert!(check_tier_change(supervisor, CustomerTier::Vip, CustomerTier::Standard).is_ok());
    }

    fn side(id: u128) -> MergeSide {
        MergeSide {
            id: Uuid::from_u128(id),
            user_id: None,
            phone: None,
            email: None,
            tier: CustomerTier::Standard,
            tags: Vec::new(),
        }
    }

    #[test]
    fn the_kept_record_keeps_its_data_and_fills_its_gaps() {
        let keep = MergeSide {
            phone: Some("13800138000".to_owned()),
            tags: strings(&["wholesale", "Late payer"]),
            ..side(10)
        };
        let merged = MergeSide {
            user_id: Some(SOMEONE),
            phone: Some("13900001111".to_owned()),
            email: Some("li@example.com".to_owned()),
            tier: CustomerTier::Vip,
            tags: strings(&["late payer", "press"]),
            ..side(11)
        };
        assert_eq!(
            merge(&keep, &merged),
            Ok(Merged {
                phone: Some("13800138000".to_owned()),
                email: Some("li@example.com".to_owned()),
                user_id: Some(SOMEONE),
                tier: CustomerTier::Vip,
                tags: strings(&["wholesale", "Late payer", "press"]),
            })
        );
        // The higher tier wins whichever side has it.
        let keep = MergeSide {
            tier: CustomerTier::KeyAccount,
            ..side(10)
        };
        assert_eq!(
            merge(&keep, &merged).map(|m| m.tier),
            Ok(CustomerTier::KeyAccount)
        );
    }

    #[test]
    fn a_record_is_not_merged_into_itself_nor_two_accounts_into_one() {
        assert_eq!(
            merge(&side(10), &side(10)),
            Err(DomainError::invalid(
                "mergeId",
                "a customer record cannot be merged into itself"
            ))
        );
        let linked = |id, user| MergeSide {
            user_id: Some(Uuid::from_u128(user)),
            ..side(id)
        };
        assert!(matches!(
            merge(&linked(10, 1), &linked(11, 2)),
            Err(DomainError::Conflict(_))
        ));
        assert!(merge(&linked(10, 1), &side(11)).is_ok());
    }

    #[test]
    fn a_merge_does_not_exceed_the_tag_limit() {
        let keep = MergeSide {
            tags: (0..15).map(|i| format!("a{i}")).collect(),
            ..side(10)
        };
        let merged = MergeSide {
            tags: (0..6).map(|i| format!("b{i}")).collect(),
            ..side(11)
        };
        assert!(matches!(
            merge(&keep, &merged),
            Err(DomainError::InvalidInput { .. })
        ));
    }
}
