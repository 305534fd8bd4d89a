//! Tickets: the closed loop from intake to follow-up. Resolvers parse arguments and call
//! `crate::app::tickets`, which loads the ticket, asks the domain and stores the decided
//! change under its version check.

mod resolvers;
mod types;

pub(crate) use resolvers::new_ticket_request;
pub use resolvers::{TicketMutation, TicketQuery};
pub use types::*;
