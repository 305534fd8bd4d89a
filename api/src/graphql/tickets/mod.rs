//! Tickets: the closed loop from intake to follow-up. Resolvers load a ticket, ask the domain
//! (`careline_domain::ticket`) whether the caller may read it or change it, and store the
//! decided change through `careline_persistence::tickets` under its version check.

mod resolvers;
pub mod service;
mod types;

pub use resolvers::{TicketMutation, TicketQuery};
pub use types::*;
