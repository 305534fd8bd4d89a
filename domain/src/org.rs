//! Organisation vocabulary: department kinds and staff presence.

use serde::{Deserialize, Serialize};

/// What a department does. Spelled as in the GraphQL contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DepartmentKind {
    /// The customer service department itself; its teams work the queue.
    CustomerService,
    /// Repairs, maintenance, returns and exchanges.
    AfterSales,
    /// Technical department.
    Technical,
    /// Product department.
    Product,
    /// Sales department.
    Sales,
    /// Operations (logistics, fulfilment).
    Operations,
    /// Legal department; its liaisons join the complaint-handling working group.
    Legal,
    /// Anything else.
    Other,
}

impl DepartmentKind {
    /// Every kind, in contract order.
    pub const ALL: [DepartmentKind; 8] = [
        DepartmentKind::CustomerService,
        DepartmentKind::AfterSales,
        DepartmentKind::Technical,
        DepartmentKind::Product,
        DepartmentKind::Sales,
        DepartmentKind::Operations,
        DepartmentKind::Legal,
        DepartmentKind::Other,
    ];

    /// The contract spelling (the stored form).
    pub const fn as_str(self) -> &'static str {
        match self {
            DepartmentKind::CustomerService => "CUSTOMER_SERVICE",
            DepartmentKind::AfterSales => "AFTER_SALES",
            DepartmentKind::Technical => "TECHNICAL",
            DepartmentKind::Product => "PRODUCT",
            DepartmentKind::Sales => "SALES",
            DepartmentKind::Operations => "OPERATIONS",
            DepartmentKind::Legal => "LEGAL",
            DepartmentKind::Other => "OTHER",
        }
    }

    /// Parses the stored form; unknown values read as `Other`.
    pub fn parse(s: &str) -> DepartmentKind {
        DepartmentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .unwrap_or(DepartmentKind::Other)
    }
}

/// Whether a staff member can take work right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Presence {
    /// Ready for new tickets.
    Available,
    /// Working, but not taking new tickets.
    Busy,
    /// Briefly away.
    Away,
    /// Not working.
    Offline,
}

impl Presence {
    /// Every presence, in contract order.
    pub const ALL: [Presence; 4] = [
        Presence::Available,
        Presence::Busy,
        Presence::Away,
        Presence::Offline,
    ];

    /// The contract spelling (the stored form).
    pub const fn as_str(self) -> &'static str {
        match self {
            Presence::Available => "AVAILABLE",
            Presence::Busy => "BUSY",
            Presence::Away => "AWAY",
            Presence::Offline => "OFFLINE",
        }
    }

    /// Parses the stored form; unknown values read as `Offline`.
    pub fn parse(s: &str) -> Presence {
        Presence::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .unwrap_or(Presence::Offline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_spellings_round_trip() {
        for kind in DepartmentKind::ALL {
            assert_eq!(DepartmentKind::parse(kind.as_str()), kind);
        }
        for presence in Presence::ALL {
            assert_eq!(Presence::parse(presence.as_str()), presence);
        }
    }
}
