//! The Careline server as a library: `main` reads configuration and calls
//! [`startup::Application`]; the end-to-end tests start the same thing on port 0.

pub mod app;
pub mod auth;
pub mod bus;
pub mod config;
pub mod downloads;
pub mod fanout;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod i18n;
pub mod metrics;
pub mod persisted;
pub mod proxy;
pub mod render;
pub mod scheduler;
pub mod seed;
pub mod sla;
pub mod startup;
pub mod state;
pub mod wallboard;
pub mod ws;

pub use config::{Config, Settings};
pub use startup::Application;
