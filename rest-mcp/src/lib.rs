//! rest-mcp: turn any REST API into Model Context Protocol tools.
//!
//! The crate is the runtime behind the `rest-mcp` binary, and a library for embedding:
//! load a spec into a [`ToolSet`], serve it with [`RestMcpServer`] over any rmcp
//! transport.
//!
//! ```no_run
//! use std::sync::Arc;
//! use rest_mcp::{Executor, RestMcpServer, ToolSet};
//! use rest_mcp::openapi::{LoadOptions, load_path};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let loaded = load_path("openapi.yaml".as_ref(), &LoadOptions::default())?;
//! let executor = Executor::builder("https://api.example.com".parse()?)
//!     .timeout(std::time::Duration::from_secs(10))
//!     .build()?;
//! let tools = ToolSet::from_model(&loaded.model, Arc::new(executor))?;
//! rest_mcp::serve_stdio(RestMcpServer::new(tools)).await?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod caller;
#[cfg(feature = "cli")]
pub mod cli;
pub mod client;
mod credentials;
pub mod discovery;
mod endpoint;
mod error;
mod executor;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "http")]
pub mod http;
mod invalid_params;
pub mod presentation;
pub mod request;
mod response;
mod server;
mod session_cookies;
mod stdio;
mod toolset;
pub mod upstream_auth;
mod util;
mod validate;

pub use credentials::Credentials;
pub use discovery::ToolMode;
pub use endpoint::{Endpoint, EndpointError};
pub use error::{ConfigError, Error};
pub use executor::{
    CallError, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT, Executor, ExecutorBuilder,
    ExecutorConfig,
};
/// The URL type of [`ExecutorConfig::base_url`].
pub use reqwest::Url;
/// Header types used in [`ExecutorConfig`] (re-exported so users need no `reqwest`).
pub use reqwest::header as reqwest_header;
pub use response::headers::{DEFAULT_RESPONSE_HEADERS, ResponseHeaders};
pub use response::path::{ResponsePath, ResponsePathError};
pub use rest_mcp_macros::{endpoint, include_openapi, rest_api};
pub use rest_mcp_openapi as openapi;
pub use server::RestMcpServer;
pub use session_cookies::CookieJar;
pub use toolset::{CallContext, Route, ToolFuture, ToolHandler, ToolSet};

/// Serve `server` over stdin/stdout until the client disconnects: one JSON-RPC message
/// per line, and an answer to every line, `-32700` or `-32600` for one that is not a
/// message.
pub async fn serve_stdio(server: RestMcpServer) -> Result<(), Error> {
    use rmcp::ServiceExt;
    // Non-blocking pipes when stdin and stdout are pipes (as MCP clients start servers),
    // so reads and writes run on the reactor rather than on blocking threads.
    let (stdin, stdout) = rmcp::transport::stdio_pipes();
    let running = server
        .serve(stdio::LineTransport::new(stdin, stdout))
        .await
        .map_err(|source| Error::Serve {
            context: "MCP handshake failed",
            source: Box::new(source),
        })?;
    running.waiting().await.map_err(|source| Error::Serve {
        context: "the MCP session ended with an error",
        source: Box::new(source),
    })?;
    Ok(())
}

/// What generated code and advanced embedders use; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use rest_mcp_openapi;
    pub use rmcp;
    pub use schemars;
    pub use serde;
    pub use serde_json;
}
