//! rest-mcp: turn any REST API into Model Context Protocol tools.
//!
//! The spec model lives in [`openapi`] (re-exported from `rest-mcp-openapi`).

pub use rest_mcp_openapi as openapi;
