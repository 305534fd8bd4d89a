//! Careline's business rules, free of I/O: who may do what, how a ticket moves through its
//! lifecycle, how business time is counted. Every other crate asks this one; none of these
//! rules are re-implemented at the edges.

/// Declares a contract enum (spelled exactly as in the GraphQL contract, which is also the
/// stored form): the serde spelling, `as_str` and `parse` all come from the one spelling given
/// per variant, so they cannot drift apart.
macro_rules! contract_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $spelling:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $spelling)] $variant, )+
        }

        impl $name {
            /// Every value, in contract order.
            pub const ALL: [$name; [$($spelling),+].len()] = [$($name::$variant),+];

            /// The contract spelling (SCREAMING_SNAKE_CASE), also the stored form.
            pub const fn as_str(&self) -> &'static str {
                match self {
                    $( $name::$variant => $spelling, )+
                }
            }

            /// Parses the contract spelling; anything else (including other casings) is `None`.
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod callback;
pub mod contact;
pub mod customer;
pub mod email;
pub mod error;
pub mod event;
pub mod knowledge;
pub mod kpi;
pub mod notice;
pub mod org;
pub mod password;
pub mod permission;
pub mod quality;
pub mod report;
pub mod review;
pub mod role;
pub mod sla;
pub mod survey;
pub mod text;
pub mod ticket;
pub mod training;

pub use error::DomainError;
pub use permission::Action;
pub use role::{Role, Roles};
