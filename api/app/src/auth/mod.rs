//! Authentication: password hashing, access and refresh tokens, login throttling, and the
//! authenticated caller of a request.

pub mod jwt;
pub mod password;
pub mod rate_limit;
pub mod refresh;
pub mod viewer;

pub use viewer::{Caller, Viewer};
