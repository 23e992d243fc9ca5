//! Runnable examples for rest-mcp.
//!
//! - [`petstore`]: an in-memory implementation of `examples/petstore/openapi.yaml`, served
//!   by the `petstore-upstream` binary and started in-process by the `demo` binary.
//! - `demo` (binary): starts the petstore, launches the `rest-mcp` binary over stdio
//!   with rmcp's client, lists its tools and calls each one.
//!
//! ```sh
//! cargo run -p rest-mcp-examples --bin demo
//! cargo run -p rest-mcp-examples --bin petstore-upstream -- --port 8787
//! ```

pub mod petstore;

/// The Rust examples of the workspace README, compiled (and, unless marked `no_run`, run)
/// as doctests of this crate, whose directory holds the `petstore/openapi.yaml` they use.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
