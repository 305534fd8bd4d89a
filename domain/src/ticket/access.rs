//! Who may read a ticket, who may see the customer's contact details, and how those details
//! are masked for everyone else.

use uuid::Uuid;

use super::lifecycle::TicketFacts;
use crate::role::{Role, Roles};

/// The roles that work tickets in general, whatever department they are in.
const FRONTLINE: [Role; 5] = [
    Role::Agent,
    Role::TechSupport,
    Role::Supervisor,
    Role::Manager,
    Role::Admin,
];
/// Team leads and above.
const LEADS: [Role; 3] = [Role::Supervisor, Role::Manager, Role::Admin];

/// The person looking at, or acting on, a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    /// Their user id.
    pub user_id: Uuid,
    /// Every role they hold; rules take the union.
    pub roles: Roles,
    /// The department they belong to (what a liaison speaks for).
    pub department_id: Option<Uuid>,
}

impl Viewer {
    pub(super) fn is_frontline(&self) -> bool {
        self.roles.has_any(&FRONTLINE)
    }

    pub(super) fn is_lead(&self) -> bool {
        self.roles.has_any(&LEADS)
    }

    /// Whether this viewer speaks for the department the ticket is (or was last) dispatched to.
    pub(super) fn is_liaison_for(&self, t: &TicketFacts) -> bool {
        self.roles.has(Role::DepartmentLiaison)
            && t.department_id.is_some()
            && t.department_id == self.department_id
    }

    pub(super) fn is_customer_of(&self, t: &TicketFacts) -> bool {
        self.roles.has(Role::Customer) && t.customer_user_id == Some(self.user_id)
    }
}

/// Whether `v` may read the ticket at all. Frontline staff read every ticket; a liaison reads
/// tickets dispatched to their department; a customer reads their own. Roles add up.
pub fn can_read(t: &TicketFacts, v: &Viewer) -> bool {
    v.is_frontline() || v.is_liaison_for(t) || v.is_customer_of(t)
}

/// Which tickets a viewer may read, as a filter a list query can apply in storage. Mirrors
/// [`can_read`]: every ticket for frontline staff, a department's dispatched tickets for
/// liaisons, one's own tickets for customers, nothing for anyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadScope {
    /// Every ticket.
    All,
    /// Tickets dispatched to this department.
    Department(Uuid),
    /// Tickets whose customer record is linked to this account.
    CustomerAccount(Uuid),
    /// No ticket.
    Nothing,
}

/// The [`ReadScope`] of `v`.
pub fn read_scope(v: &Viewer) -> ReadScope {
    if v.is_frontline() {
        ReadScope::All
    } else if v.roles.has(Role::DepartmentLiaison) {
        match v.department_id {
            Some(d) => ReadScope::Department(d),
            None => ReadScope::Nothing,
        }
    } else if v.roles.has(Role::Customer) {
        ReadScope::CustomerAccount(v.user_id)
    } else {
        ReadScope::Nothing
    }
}

/// Whether `v` may see the customer's unmasked phone and email: the people accountable for the
/// ticket (owner, assignee), leads, and the customer themselves (it is their own data).
pub fn can_see_contact(t: &TicketFacts, v: &Viewer) -> bool {
    let accountable = t.owner_id == Some(v.user_id) || t.assignee_id == Some(v.user_id);
    (accountable && v.roles.is_staff()) || v.is_lead() || v.is_customer_of(t)
}

/// Whether `v` may see internal notes and internal events. Never customers.
pub fn can_see_internal(v: &Viewer) -> bool {
    v.roles.is_staff()
}

/// Whether `v` sees the employees a complaint is about (`involved`): staff only, and of them
/// the leads, the complaint's owner and assignee, and the employees it names. Anyone else sees
/// none, so an involved employee does not learn who other complaints name.
pub fn can_see_involved(t: &TicketFacts, involved: &[Uuid], v: &Viewer) -> bool {
    v.roles.is_staff()
        && (v.is_lead()
            || t.owner_id == Some(v.user_id)
            || t.assignee_id == Some(v.user_id)
            || involved.contains(&v.user_id))
}

/// Masks a phone number for people who may not see it: `13812345678` → `138****5678`.
/// Always four stars in the middle, so the mask does not reveal the number's length. Numbers
/// shorter than 11 characters keep only their last two: showing the first three and last four
/// of an 8-digit number would give away all but one digit.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let n = chars.len();
    if n >= 11 {
        let head: String = chars.iter().take(3).collect();
        let tail: String = chars.iter().skip(n - 4).collect();
        format!("{head}****{tail}")
    } else if n > 2 {
        let tail: String = chars.iter().skip(n - 2).collect();
        format!("{}{tail}", "*".repeat(n - 2))
    } else {
        // Keeping the last two of a two-character value would reveal all of it.
        "*".repeat(n)
    }
}

/// Masks an email address: `li.lei@example.com` → `l***@example.com`. Without an `@` there is
/// no safe part to show, so the result is `***`.
pub fn mask_email(email: &str) -> String {
    let email = email.trim();
    match email.rsplit_once('@') {
        Some((local, domain)) => match local.chars().next() {
            Some(first) => format!("{first}***@{domain}"),
            None => format!("***@{domain}"),
        },
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::Priority;
    use crate::ticket::{Severity, TicketKind, TicketStatus};

    const CUSTOMER: Uuid = Uuid::from_u128(1);
    const OTHER_CUSTOMER: Uuid = Uuid::from_u128(2);
    const OWNER: Uuid = Uuid::from_u128(10);
    const ASSIGNEE: Uuid = Uuid::from_u128(11);
    const SOMEONE: Uuid = Uuid::from_u128(12);
    const LEGAL: Uuid = Uuid::from_u128(100);
    const SALES: Uuid = Uuid::from_u128(101);

    fn ticket() -> TicketFacts {
        TicketFacts {
            status: TicketStatus::PendingDepartment,
            kind: TicketKind::Complaint,
            severity: Some(Severity::General),
            category: None,
            priority: Priority::Normal,
            reopen_count: 0,
            owner_id: Some(OWNER),
            assignee_id: Some(ASSIGNEE),
            department_id: Some(LEGAL),
            customer_user_id: Some(CUSTOMER),
            follow_up_since_resolution: false,
            rated_since_resolution: false,
            escalation_level: 0,
            verdict: None,
            involved_staff: Vec::new(),
            disagreement_called_back: false,
            responsible_department_id: None,
            version: 3,
        }
    }

    fn viewer(user_id: Uuid, roles: &[Role], department_id: Option<Uuid>) -> Viewer {
        Viewer {
            user_id,
            roles: roles.iter().copied().collect(),
            department_id,
        }
    }

    #[test]
    fn customer_can_read_their_own_ticket() {
        assert!(can_read(
            &ticket(),
            &viewer(CUSTOMER, &[Role::Customer], None)
        ));
    }

    #[test]
    fn customer_cannot_read_another_customers_ticket() {
        assert!(!can_read(
            &ticket(),
            &viewer(OTHER_CUSTOMER, &[Role::Customer], None)
        ));
        let anonymous = TicketFacts {
            customer_user_id: None,
            ..ticket()
        };
        assert!(!can_read(
            &anonymous,
            &viewer(CUSTOMER, &[Role::Customer], None)
        ));
    }

    #[test]
    fn liaison_reads_only_tickets_dispatched_to_their_department() {
        let t = ticket();
        assert!(can_read(
            &t,
            &viewer(SOMEONE, &[Role::DepartmentLiaison], Some(LEGAL))
        ));
        assert!(!can_read(
            &t,
            &viewer(SOMEONE, &[Role::DepartmentLiaison], Some(SALES))
        ));
        assert!(!can_read(
            &t,
            &viewer(SOMEONE, &[Role::DepartmentLiaison], None)
        ));
        let undispatched = TicketFacts {
            department_id: None,
            ..ticket()
        };
        assert!(!can_read(
            &undispatched,
            &viewer(SOMEONE, &[Role::DepartmentLiaison], None)
        ));
    }

    #[test]
    fn read_scope_matches_can_read() {
        let t = ticket();
        let cases = [
            viewer(SOMEONE, &[Role::Agent], None),
            viewer(SOMEONE, &[Role::DepartmentLiaison], Some(LEGAL)),
            viewer(SOMEONE, &[Role::DepartmentLiaison], Some(SALES)),
            viewer(SOMEONE, &[Role::DepartmentLiaison], None),
            viewer(CUSTOMER, &[Role::Customer], None),
            viewer(OTHER_CUSTOMER, &[Role::Customer], None),
            viewer(SOMEONE, &[Role::Trainer], None),
        ];
        for v in cases {
            let in_scope = match read_scope(&v) {
                ReadScope::All => true,
                ReadScope::Department(d) => t.department_id == Some(d),
                ReadScope::CustomerAccount(u) => t.customer_user_id == Some(u),
                ReadScope::Nothing => false,
            };
            assert_eq!(in_scope, can_read(&t, &v), "{v:?}");
        }
    }

    #[test]
    fn frontline_staff_read_every_ticket() {
        for role in FRONTLINE {
            assert!(
                can_read(&ticket(), &viewer(SOMEONE, &[role], None)),
                "{role}"
            );
        }
    }

    #[test]
    fn a_trainer_alone_cannot_read_tickets_but_a_trainer_who_is_also_an_agent_can() {
        assert!(!can_read(
            &ticket(),
            &viewer(SOMEONE, &[Role::Trainer], None)
        ));
        assert!(can_read(
            &ticket(),
            &viewer(SOMEONE, &[Role::Trainer, Role::Agent], None)
        ));
    }

    #[test]
    fn a_liaison_who_is_also_an_agent_reads_other_departments_tickets() {
        let v = viewer(
            SOMEONE,
            &[Role::DepartmentLiaison, Role::Agent],
            Some(SALES),
        );
        assert!(can_read(&ticket(), &v));
    }

    #[test]
    fn owner_assignee_leads_and_the_customer_see_contact_details() {
        let t = ticket();
        assert!(can_see_contact(&t, &viewer(OWNER, &[Role::Agent], None)));
        assert!(can_see_contact(
            &t,
            &viewer(ASSIGNEE, &[Role::TechSupport], None)
        ));
        assert!(can_see_contact(
            &t,
            &viewer(SOMEONE, &[Role::Supervisor], None)
        ));
        assert!(can_see_contact(
            &t,
            &viewer(SOMEONE, &[Role::Manager], None)
        ));
        assert!(can_see_contact(&t, &viewer(SOMEONE, &[Role::Admin], None)));
        assert!(can_see_contact(
            &t,
            &viewer(CUSTOMER, &[Role::Customer], None)
        ));
    }

    #[test]
    fn other_agents_and_liaisons_do_not_see_contact_details() {
        let t = ticket();
        assert!(!can_see_contact(&t, &viewer(SOMEONE, &[Role::Agent], None)));
        assert!(!can_see_contact(
            &t,
            &viewer(SOMEONE, &[Role::DepartmentLiaison], Some(LEGAL))
        ));
        assert!(!can_see_contact(
            &t,
            &viewer(OTHER_CUSTOMER, &[Role::Customer], None)
        ));
    }

    #[test]
    fn only_staff_see_internal_notes() {
        assert!(can_see_internal(&viewer(SOMEONE, &[Role::Agent], None)));
        assert!(can_see_internal(&viewer(
            SOMEONE,
            &[Role::DepartmentLiaison],
            None
        )));
        assert!(!can_see_internal(&viewer(
            CUSTOMER,
            &[Role::Customer],
            None
        )));
        assert!(!can_see_internal(&viewer(CUSTOMER, &[], None)));
    }

    #[test]
    fn phone_numbers_keep_the_first_three_and_last_four_digits() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+8613812345678"), "+86****5678");
        assert_eq!(mask_phone("138-1234-5678"), "138****5678");
    }

    #[test]
    fn short_phone_numbers_keep_only_the_last_two_digits() {
        assert_eq!(mask_phone("12345678"), "******78");
        assert_eq!(mask_phone("1234567"), "*****67");
        assert_eq!(mask_phone("110"), "*10");
        assert_eq!(mask_phone("12"), "**");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn emails_keep_the_first_letter_and_the_domain() {
        assert_eq!(mask_email("li.lei@example.com"), "l***@example.com");
        assert_eq!(mask_email("@example.com"), "***@example.com");
        assert_eq!(mask_email("张三@example.cn"), "张***@example.cn");
        assert_eq!(mask_email("not-an-email"), "***");
    }
}
