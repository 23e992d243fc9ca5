//! rest-mcp: turn any REST API into Model Context Protocol tools.
//!
//! The crate is the runtime behind the `rest-mcp` binary, and a library for embedding:
//! load a spec into a [`ToolSet`], serve it with [`RestMcpServer`] over any rmcp
//! transport.
//!
//! ```no_run
//! use std::sync::Arc;
//! use rest_mcp::{Executor, ExecutorConfig, RestMcpServer, ToolSet, auth::UpstreamAuth};
//! use rest_mcp::openapi::{LoadOptions, load_path};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let loaded = load_path("openapi.yaml".as_ref(), &LoadOptions::default())?;
//! let executor = Executor::new(ExecutorConfig {
//!     base_url: "https://api.example.com".parse()?,
//!     headers: vec![],
//!     auth: UpstreamAuth::none(),
//!     timeout: std::time::Duration::from_secs(30),
//!     max_response_size: 100 * 1024,
//! })?;
//! let tools = ToolSet::from_model(&loaded.model, Arc::new(executor))?;
//! rest_mcp::serve_stdio(RestMcpServer::new(tools)).await?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod client;
pub mod config;
mod endpoint;
mod executor;
pub mod http;
pub mod logging;
pub mod request;
mod response;
mod response_path;
mod server;
mod toolset;
mod validate;

pub use endpoint::{Endpoint, EndpointError};
pub use executor::{CallError, Executor, ExecutorConfig};
/// The URL type of [`ExecutorConfig::base_url`].
pub use reqwest::Url;
/// Header types used in [`ExecutorConfig`] (re-exported so users need no `reqwest`).
pub use reqwest::header as reqwest_header;
pub use response_path::ResponsePath;
pub use rest_mcp_macros::{endpoint, include_openapi, rest_api};
pub use rest_mcp_openapi as openapi;
pub use server::RestMcpServer;
pub use toolset::{CallContext, ToolFuture, ToolHandler, ToolSet};

/// Serve `server` over stdin/stdout until the client disconnects.
pub async fn serve_stdio(server: RestMcpServer) -> std::io::Result<()> {
    use rmcp::ServiceExt;
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(std::io::Error::other)?;
    running.waiting().await.map_err(std::io::Error::other)?;
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
