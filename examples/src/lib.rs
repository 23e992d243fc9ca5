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
