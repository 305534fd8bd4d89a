//! sea-orm entities, one per table. The GraphQL layer never exposes these directly.

pub mod department;
pub mod refresh_token;
pub mod team;
pub mod user;
