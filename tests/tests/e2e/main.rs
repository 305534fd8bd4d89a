//! The end-to-end suite in one test binary: the real server in-process, driven over HTTP and
//! WebSocket, one module per area (`cargo test -p careline-tests --test e2e sla::` runs one).
//! Every test binary links the whole server, so the suite is one binary rather than one per
//! file. Nothing here holds process-wide state: each test starts its own server on its own
//! database (and its own Redis channel); no test sets an environment variable or installs a
//! global subscriber; the few statics are private to their module (the permission matrix's
//! report). Tests that start programs of their own (redis-server, Chromium, Node, Python) or
//! sleep through a real-time window do so next to the others, as they did within their files.
//!
//! Only `tests/tests/faults.rs` is a binary of its own: it kills and restarts the services its
//! servers depend on, under load, and measures the outages in milliseconds — run next to other
//! tests it would both disturb them and time their load instead of its own.
//!
//! Shared helpers live in `careline_tests::kit` (and `ws`, `redis`, `postgres`, `process`).

mod accountability;
mod architecture;
mod atomic_writes;
mod auth;
mod browser;
mod calendars;
mod callbacks;
mod casework;
mod clients;
mod conversation;
mod customers;
mod email;
mod fanout;
mod feedback;
mod files;
mod generative;
mod http;
mod i18n;
mod insight;
mod knowledge;
mod kpis;
mod limits;
mod migrations;
mod people;
mod permission_matrix;
mod persisted;
mod realtime;
mod reports;
mod reviews;
mod routing;
mod sla;
mod throttling;
mod ticket_list_plans;
mod tickets;
mod tickets_n_plus_one;
mod training;
mod websocket;
