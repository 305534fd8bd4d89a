//! Roles and role sets. A staff member may hold several roles; a set is stored as a bit mask.

use serde::{Deserialize, Serialize};

/// What a person is in the organisation. Spelled as in the GraphQL contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// A member of the public with an app account.
    Customer,
    /// Customer service representative.
    Agent,
    /// Technical support engineer.
    TechSupport,
    /// Runs training sessions.
    Trainer,
    /// Team lead: assigns work, watches the live queue, takes level-1 escalations.
    Supervisor,
    /// Department manager: KPIs, reviews, policies; level-2 escalations.
    Manager,
    /// Contact person in a responsible business department (product, legal, …).
    DepartmentLiaison,
    /// Administers users, departments and configuration.
    Admin,
}

impl Role {
    /// Every role, in contract order.
    pub const ALL: [Role; 8] = [
        Role::Customer,
        Role::Agent,
        Role::TechSupport,
        Role::Trainer,
        Role::Supervisor,
        Role::Manager,
        Role::DepartmentLiaison,
        Role::Admin,
    ];

    /// The role's bit in a [`Roles`] mask. Stable: stored in the database.
    pub const fn bit(self) -> i32 {
        1 << (self as i32)
    }

    /// The contract spelling, e.g. `TECH_SUPPORT`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "CUSTOMER",
            Role::Agent => "AGENT",
            Role::TechSupport => "TECH_SUPPORT",
            Role::Trainer => "TRAINER",
            Role::Supervisor => "SUPERVISOR",
            Role::Manager => "MANAGER",
            Role::DepartmentLiaison => "DEPARTMENT_LIAISON",
            Role::Admin => "ADMIN",
        }
    }

    /// Parses the contract spelling.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Staff roles are every role but `CUSTOMER`.
    pub const fn is_staff(self) -> bool {
        !matches!(self, Role::Customer)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of roles held by one person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Roles(i32);

impl Roles {
    /// The empty set.
    pub const EMPTY: Roles = Roles(0);

    /// Rebuilds a set from its stored mask, ignoring unknown bits.
    pub fn from_mask(mask: i32) -> Roles {
        let known = Role::ALL.iter().fold(0, |acc, r| acc | r.bit());
        Roles(mask & known)
    }

    /// The stored form.
    pub const fn mask(self) -> i32 {
        self.0
    }

    /// Whether the set holds `role`.
    pub const fn has(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    /// Whether the set holds any of `roles`.
    pub fn has_any(self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether this person is staff (holds any role other than `CUSTOMER`).
    pub fn is_staff(self) -> bool {
        self.iter().any(Role::is_staff)
    }

    /// The roles in contract order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.has(*r))
    }

    /// Validates a requested role set: not empty, and `CUSTOMER` is never combined with a
    /// staff role (customers and staff are separate kinds of account).
    pub fn parse(roles: &[Role]) -> Result<Roles, crate::DomainError> {
        let set: Roles = roles.iter().copied().collect();
        if set.is_empty() {
            return Err(crate::DomainError::invalid(
                "input.roles",
                "at least one role is required",
            ));
        }
        if set.has(Role::Customer) && set.is_staff() {
            return Err(crate::DomainError::invalid(
                "input.roles",
                "a customer account cannot also hold a staff role",
            ));
        }
        Ok(set)
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        Roles(iter.into_iter().fold(0, |acc, r| acc | r.bit()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_round_trips_every_subset() {
        for mask in 0..(1 << Role::ALL.len()) {
            let roles = Roles::from_mask(mask);
            assert_eq!(roles.iter().collect::<Roles>(), roles);
            assert_eq!(roles.mask(), mask);
        }
    }

    #[test]
    fn role_spelling_round_trips() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("agent"), None);
    }

    #[test]
    fn customer_cannot_be_combined_with_staff_roles() {
        assert!(Roles::parse(&[Role::Customer, Role::Agent]).is_err());
        assert!(Roles::parse(&[]).is_err());
        assert!(Roles::parse(&[Role::Agent, Role::Trainer]).is_ok());
    }
}
