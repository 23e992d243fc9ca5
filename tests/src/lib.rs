//! Shared support for rest-mcp's end-to-end tests.
//!
//! - [`Upstream`]: a recording HTTP server on `127.0.0.1:0` that stands in for the REST
//!   API behind rest-mcp. It records every request exactly as received (raw,
//!   still-encoded path and query) and answers with configurable [`Reply`]s.
//! - [`TokenServer`]: an OAuth2 token endpoint that issues `tok-1`, `tok-2`, …
//! - [`Recorded`]: one received request, with helpers to read headers, JSON, form and
//!   multipart bodies.
//! - [`Gate`]: holds a [`Reply`] until the test opens it, so a request stays in flight
//!   exactly as long as the test needs (no guessing how long anything takes).
//! - [`free_port`]: a currently unused loopback port.
//! - [`signing_keys`]: fresh RS256/ES256 JWT signing keys with their public JWKs.
//! - [`schema_rules`]: checkers of served tool schemas, one per model provider.
//!
//! Every server runs on its own thread with its own Tokio runtime, so it keeps serving
//! while a test blocks (for example on `std::process::Command::output`) and works under
//! both the current-thread and multi-thread `#[tokio::test]` flavours. It binds to
//! `127.0.0.1` only and stops when dropped.
//!
//! ```no_run
//! # async fn demo() {
//! use rest_mcp_tests::{Reply, Upstream};
//! use serde_json::json;
//!
//! let upstream = Upstream::start().await;
//! upstream.respond("GET", "/users/7", Reply::json(200, json!({"id": 7})));
//! // ... point rest-mcp at upstream.url() and call a tool ...
//! let seen = upstream.wait_for(1, std::time::Duration::from_secs(5)).await;
//! assert_eq!(seen[0].path, "/users/7");
//! # }
//! ```
//!
//! This crate deliberately does not depend on `rest-mcp` (which dev-depends on it).

mod decode;
mod gate;
mod multipart;
mod net;
mod recorded;
mod reply;
pub mod schema_rules;
mod server;
pub mod signing_keys;
mod token;
mod upstream;

pub use decode::{form_decode, percent_decode};
pub use gate::Gate;
pub use multipart::MultipartPart;
pub use net::free_port;
pub use recorded::Recorded;
pub use reply::Reply;
pub use token::TokenServer;
pub use upstream::Upstream;
