//! Careline's business rules, free of I/O: who may do what, how a ticket moves through its
//! lifecycle, how business time is counted. Every other crate asks this one; none of these
//! rules are re-implemented at the edges.

pub mod contact;
pub mod customer;
pub mod error;
pub mod event;
pub mod knowledge;
pub mod kpi;
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
