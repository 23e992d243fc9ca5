//! Who is calling, as the transport established it, in terms the server understands
//! without knowing the transport: the authenticated [`Principal`] with its [`Grant`], and
//! the inbound headers the transport was configured to forward upstream.
//!
//! Over stdio there is no caller: everything is allowed and nothing is forwarded. The
//! HTTP transport attaches a [`Principal`] and [`ForwardedHeaders`] to each request; rmcp
//! hands the request's parts to the server, and [`Caller::of`] reads them back.

use reqwest::header::{HeaderName, HeaderValue};
use rmcp::ErrorData;
use rmcp::model::{ErrorCode, Extensions, Tool};
use serde_json::json;

/// The JSON-RPC error code for a caller who is authenticated but not allowed.
pub const FORBIDDEN: ErrorCode = ErrorCode(-32001);

/// What a principal may call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Read-only tools only.
    Viewer,
    /// Every tool.
    Editor,
    /// Exactly these tools.
    Tools(Vec<String>),
}

impl Grant {
    /// The role name used in error data.
    pub fn describe(&self) -> String {
        match self {
            Grant::Viewer => "viewer".to_owned(),
            Grant::Editor => "editor".to_owned(),
            Grant::Tools(tools) => format!("tools:{}", tools.join(",")),
        }
    }

    /// Whether the grant covers `tool`.
    pub fn allows(&self, tool: &Tool) -> bool {
        match self {
            Grant::Editor => true,
            Grant::Viewer => tool
                .annotations
                .as_ref()
                .and_then(|a| a.read_only_hint)
                .unwrap_or(false),
            Grant::Tools(names) => names.iter().any(|n| n == tool.name.as_ref()),
        }
    }

    /// The `forbidden` error for calling `tool` without this grant covering it.
    pub fn forbidden(&self, tool: &Tool) -> ErrorData {
        let required = match self {
            Grant::Tools(_) => format!("tools:{}", tool.name),
            _ => "editor".to_owned(),
        };
        let reason = match self {
            Grant::Tools(_) => format!("this credential may not call `{}`", tool.name),
            _ => format!("`{}` changes data; this credential is read-only", tool.name),
        };
        ErrorData::new(
            FORBIDDEN,
            format!("forbidden: {reason}"),
            Some(json!({"reason": reason, "required": required, "actual": self.describe()})),
        )
    }
}

/// An authenticated caller, attached to each request by the transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// Key name or token subject, for logs and rate limits (never a secret).
    pub name: String,
    /// What it may call.
    pub grant: Grant,
    /// Requests per minute, if limited.
    pub requests_per_minute: Option<u32>,
    /// The APIs it may use, on a server of several (`apis = [...]` on a key); `None`:
    /// every API.
    pub apis: Option<Vec<String>>,
}

impl Principal {
    /// Whether it may use the tools of `api` (`None`: a tool of no named API).
    pub fn may_use_api(&self, api: Option<&str>) -> bool {
        api_in_scope(self.apis.as_deref(), api)
    }
}

/// Whether a scope of APIs (`None`: every API) covers the tools of `api` (`None`: a tool
/// of no named API, which every scope covers).
pub fn api_in_scope(scope: Option<&[String]>, api: Option<&str>) -> bool {
    match (scope, api) {
        (Some(allowed), Some(api)) => allowed.iter().any(|a| a == api),
        _ => true,
    }
}

/// Inbound headers to send upstream with this request's tool calls, already renamed for
/// the upstream and marked sensitive.
#[derive(Clone, Debug, Default)]
pub struct ForwardedHeaders(pub Vec<(HeaderName, HeaderValue)>);

/// The caller of one MCP request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Caller<'a> {
    /// The authenticated principal (none over stdio or an open HTTP server).
    pub principal: Option<&'a Principal>,
    /// Headers to forward upstream (none over stdio).
    pub forwarded: Option<&'a ForwardedHeaders>,
}

impl<'a> Caller<'a> {
    /// The caller the transport attached to a request's extensions.
    pub fn of(extensions: &'a Extensions) -> Caller<'a> {
        // The Streamable HTTP transport passes the HTTP request's parts; ours carry what
        // the gate attached.
        let attached = extensions
            .get::<http::request::Parts>()
            .map(|parts| &parts.extensions);
        Caller {
            principal: attached.and_then(|e| e.get::<Principal>()),
            forwarded: attached.and_then(|e| e.get::<ForwardedHeaders>()),
        }
    }

    /// Whether the caller may use the tools of `api` (see [`Principal::may_use_api`]).
    pub fn may_use_api(&self, api: Option<&str>) -> bool {
        self.principal.is_none_or(|p| p.may_use_api(api))
    }

    /// Whether the caller may see and call `tool`.
    pub fn may_call(&self, tool: &Tool) -> bool {
        self.principal.is_none_or(|p| p.grant.allows(tool))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ToolAnnotations;
    use std::sync::Arc;

    fn tool(name: &str, read_only: bool) -> Tool {
        Tool::new_with_raw(name.to_owned(), None, Arc::new(serde_json::Map::new()))
            .with_annotations(ToolAnnotations::from_raw(
                None,
                Some(read_only),
                None,
                None,
                None,
            ))
    }

    #[test]
    fn grants_follow_roles_and_lists() {
        let (read, write) = (tool("get_pet", true), tool("delete_pet", false));
        assert!(Grant::Viewer.allows(&read) && !Grant::Viewer.allows(&write));
        assert!(Grant::Editor.allows(&write));
        let only = Grant::Tools(vec!["delete_pet".into()]);
        assert!(only.allows(&write) && !only.allows(&read));
        let error = Grant::Viewer.forbidden(&write);
        assert_eq!(error.code, FORBIDDEN);
        assert_eq!(
            error.message, "forbidden: `delete_pet` changes data; this credential is read-only",
            "the message itself says why"
        );
        assert_eq!(
            error.data.as_ref().and_then(|d| d.get("required")),
            Some(&json!("editor"))
        );
        assert_eq!(
            error.data.as_ref().and_then(|d| d.get("actual")),
            Some(&json!("viewer"))
        );
    }
}
