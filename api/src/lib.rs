//! The Careline server as a library: `main` reads configuration and calls
//! [`startup::Application`]; the end-to-end tests start the same thing on port 0. The use cases
//! live in `careline-app` (re-exported here as [`app`]); this crate does not depend on storage.

pub mod config;
pub mod downloads;
pub mod fanout;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod i18n;
pub mod inbound;
pub mod metrics;
pub mod persisted;
pub mod proxy;
pub mod sla;
pub mod startup;
pub mod state;
pub mod wallboard;
pub mod ws;

pub use careline_app as app;
pub use careline_app::{auth, bus, render, scheduler, seed};
pub use config::{Config, Settings};
pub use startup::Application;
