//! The TOML config file (PRD §8.2). Unknown keys are errors, so typos are caught.

use crate::error::ConfigError;
use std::collections::BTreeMap;

use rest_mcp_openapi::{Filters, SchemaLimits};
use serde::Deserialize;

use super::args::LogFormat;

/// Everything the config file may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Base URL of the API.
    pub base_url: Option<String>,
    /// Spec file or URL.
    #[serde(alias = "spec")]
    pub openapi_spec: Option<String>,
    /// Log level.
    pub log_level: Option<String>,
    /// Log format.
    pub log_format: Option<LogFormat>,
    /// `tools = "all" | "dynamic" | "auto"`.
    pub tools: Option<super::args::ToolsArg>,
    /// The `auto` mode's budget, in estimated tokens.
    pub tool_budget: Option<usize>,
    /// Request timeout (`"30s"` or seconds).
    pub request_timeout: Option<TimeoutValue>,
    /// Largest response body returned, in bytes.
    pub max_response_size: Option<usize>,
    /// Prefix for every tool name.
    pub tool_prefix: Option<String>,
    /// Longest tool name.
    pub max_tool_name_length: Option<usize>,
    /// Follow remote `$ref`s.
    pub allow_remote_refs: Option<bool>,
    /// Largest spec document read (file, URL, stdin or remote `$ref`), in bytes.
    pub max_spec_size: Option<usize>,
    /// Headers sent with every request.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Which operations become tools.
    pub filters: Option<Filters>,
    /// Upstream credentials (`${VAR}` is interpolated before it becomes an
    /// [`AuthConfig`](crate::upstream_auth::AuthConfig)).
    pub auth: Option<toml::Table>,
    /// `[credentials.<scheme>]`: a credential for the operations whose `security` names
    /// that scheme, in the same form as `[auth]`.
    pub credentials: Option<BTreeMap<String, toml::Table>>,
    /// Schema inlining limits.
    pub schema: Option<SchemaLimits>,
    /// Endpoints for an API without a spec (read by `rest_mcp_openapi::load_manual`).
    #[serde(default)]
    pub endpoints: Vec<toml::Value>,
    /// How MCP clients connect.
    pub transport: Option<super::args::Transport>,
    /// `[http]`: listening, access control, forwarding (`${VAR}` is interpolated).
    pub http: Option<toml::Table>,
    /// A title for the manual endpoints.
    pub title: Option<String>,
    /// `[request]`: what is sent besides the caller's arguments.
    pub request: Option<RequestFile>,
    /// `[response]`: what of the upstream's answer reaches the model.
    pub response: Option<ResponseFile>,
    /// `[session]`: what is kept between calls of one MCP session.
    pub session: Option<SessionFile>,
}

/// `[session]` in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionFile {
    /// Keep upstream cookies per session and caller (default: when the spec
    /// authenticates with a cookie).
    pub cookies: Option<bool>,
}

/// `[request]` in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFile {
    /// Fill arguments the caller left out with their schema defaults.
    pub send_defaults: Option<bool>,
    /// Let the spec's `Authorization` and `Cookie` header parameters become arguments.
    pub allow_credential_headers: Option<bool>,
}

/// `[response]` in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseFile {
    /// Response headers shown to the model (names or `prefix*` patterns).
    pub headers: Option<Vec<String>>,
    /// Give every tool an optional `select` JSONPath argument.
    pub select_arg: Option<bool>,
}

/// `request_timeout = "30s"` or `request_timeout = 30`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum TimeoutValue {
    /// Seconds.
    Seconds(u64),
    /// A duration string.
    Text(String),
}

impl ConfigFile {
    /// Parse TOML text; errors name the line.
    pub fn parse(text: &str, file: &str) -> Result<ConfigFile, ConfigError> {
        toml::from_str(text)
            .map_err(|e| {
                let line = e
                    .span()
                    .map(|span| {
                        text.get(..span.start)
                            .map_or(0, |t| t.matches('\n').count())
                            + 1
                    })
                    .map(|l| format!(" (line {l})"))
                    .unwrap_or_default();
                format!("{file}{line}: {}", e.message().trim())
            })
            .map_err(ConfigError::from)
    }
}
