//! [`ToolSet`]: what every front end produces and the server serves: MCP tool definitions
//! (built once) and a handler per tool.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::{HeaderName, HeaderValue};
use rest_mcp_openapi::ApiModel;
use rmcp::model::{CallToolResult, JsonObject, Tool};

use crate::caller::Grant;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::executor::Executor;
use crate::session_cookies::CookieJar;

/// The future a [`ToolHandler`] returns.
pub type ToolFuture<'a> = Pin<Box<dyn Future<Output = CallToolResult> + Send + 'a>>;

/// Largest `tools/list` page, in bytes of tool definitions: no single tool may be larger.
pub(crate) const PAGE_BYTES: usize = 512 * 1024;

/// What the transport knows about one call, beyond its arguments.
#[derive(Clone, Debug, Default)]
pub struct CallContext {
    /// Headers to add to the upstream request for this call only (inbound headers the
    /// HTTP transport is configured to forward); they override configured headers.
    pub forwarded_headers: Vec<(HeaderName, HeaderValue)>,
    /// The caller's cookie jar for this session, when cookie sessions are on.
    pub cookies: Option<Arc<CookieJar>>,
    /// What the caller may call, when the transport authenticated one (HTTP keys and
    /// tokens); `None` allows everything. Handlers that reach other tools (the dynamic
    /// meta-tools) apply it to each.
    pub grant: Option<Grant>,
    /// The APIs the caller may use, on a server of several; `None` allows every API.
    /// Handlers that reach other tools apply it to each, as they do the grant.
    pub apis: Option<Vec<String>>,
}

/// Runs one tool. Implemented by the spec-driven endpoint handler and by code that
/// `#[rest_api]` generates.
pub trait ToolHandler: Send + Sync + 'static {
    /// Call the tool with the arguments the client sent.
    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_>;

    /// Whether the handler applies the caller's [`Grant`] itself (to the tools it reaches)
    /// instead of the server checking the grant against this tool's own hints. Only the
    /// dynamic meta-tools do.
    fn authorizes_itself(&self) -> bool {
        false
    }
}

/// The HTTP operation behind a tool, for search and for showing `METHOD /path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path template, e.g. `/repos/{owner}/{repo}/issues`.
    pub path: String,
    /// The operation's tags.
    pub tags: Vec<String>,
}

/// The serialized size of a tool definition, in bytes.
fn definition_bytes(tool: &Tool) -> usize {
    serde_json::to_string(tool).map_or(0, |json| json.len())
}

/// Estimated tokens of `bytes` of JSON: a quarter, rounded up (JSON's punctuation and
/// short keys make about four bytes a token for common tokenizers).
fn tokens_of_bytes(bytes: usize) -> usize {
    bytes.div_ceil(4)
}

/// Calls one spec operation through the shared executor.
struct EndpointHandler {
    endpoint: Arc<Endpoint>,
    executor: Arc<Executor>,
}

impl ToolHandler for EndpointHandler {
    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            self.executor
                .call(
                    &self.endpoint,
                    arguments,
                    &context.forwarded_headers,
                    context.cookies.as_deref(),
                )
                .await
        })
    }
}

/// Tools and their handlers, in a fixed order.
#[derive(Clone, Default)]
pub struct ToolSet {
    tools: Arc<Vec<Tool>>,
    /// Serialized size of each tool definition, for paging `tools/list` by bytes.
    sizes: Arc<Vec<usize>>,
    /// The estimated tokens of all definitions, kept as tools are added.
    tokens: usize,
    handlers: Vec<Arc<dyn ToolHandler>>,
    /// The HTTP operation behind each tool, when it is one.
    routes: Vec<Option<Route>>,
    /// Tool name → position, so lookups on the per-request path are not scans.
    index: HashMap<String, usize>,
    /// The API each tool belongs to, in a set that joins several ([`ToolSet::join`]).
    apis: Vec<Option<Arc<str>>>,
}

impl std::fmt::Debug for ToolSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolSet")
            .field(
                "tools",
                &self
                    .tools
                    .iter()
                    .map(|t| t.name.as_ref())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl ToolSet {
    /// An empty set.
    pub fn new() -> ToolSet {
        ToolSet::default()
    }

    /// One tool per operation of `model`, each calling `executor`.
    pub fn from_model(model: &ApiModel, executor: Arc<Executor>) -> Result<ToolSet, Error> {
        let endpoints = model
            .operations
            .iter()
            .map(|operation| Endpoint::new(operation.clone()).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()?;
        ToolSet::from_endpoints(endpoints, executor)
    }

    /// One tool per compiled endpoint, each calling `executor`.
    pub fn from_endpoints(
        endpoints: impl IntoIterator<Item = Arc<Endpoint>>,
        executor: Arc<Executor>,
    ) -> Result<ToolSet, Error> {
        let mut set = ToolSet::new();
        for endpoint in endpoints {
            let tool = executor.tool_for(&endpoint);
            let operation = endpoint.operation();
            let route = Route {
                method: operation.method.as_str().to_owned(),
                path: operation.path.as_str().to_owned(),
                tags: operation.tags.clone(),
            };
            set.insert(
                tool,
                Arc::new(EndpointHandler {
                    endpoint,
                    executor: executor.clone(),
                }),
            )?;
            if let Some(last) = set.routes.last_mut() {
                *last = Some(route);
            }
        }
        Ok(set)
    }

    /// Add a tool; names must be unique.
    pub fn insert(&mut self, tool: Tool, handler: Arc<dyn ToolHandler>) -> Result<(), Error> {
        let name = tool.name.to_string();
        if self.index.contains_key(&name) {
            return Err(Error::DuplicateTool { name });
        }
        let size = definition_bytes(&tool);
        if size > PAGE_BYTES {
            tracing::warn!(
                tool = %name,
                bytes = size,
                "the tool's definition is larger than a {} KiB tools/list page, so it is sent as a page of its own; clients with a small message limit may refuse it (shorten its description or schema, or hide it with x-rest-mcp-hidden)",
                PAGE_BYTES / 1024
            );
        }
        self.index.insert(name, self.handlers.len());
        self.handlers.push(handler);
        self.routes.push(None);
        self.apis.push(None);
        Arc::make_mut(&mut self.tools).push(tool);
        Arc::make_mut(&mut self.sizes).push(size);
        self.tokens += tokens_of_bytes(size);
        Ok(())
    }

    /// One set of the tools of several APIs, each named: tool `i` of the result knows its
    /// API ([`ToolSet::api_of`]). Names must stay unique across the APIs; a clash is an
    /// error that names both.
    pub fn join<'a>(
        parts: impl IntoIterator<Item = (&'a str, &'a ToolSet)>,
    ) -> Result<ToolSet, Error> {
        let mut joined = ToolSet::new();
        for (api, set) in parts {
            let label: Arc<str> = Arc::from(api);
            for (index, tool) in set.tools.iter().enumerate() {
                if let Some(&earlier) = joined.index.get(tool.name.as_ref()) {
                    return Err(Error::ToolNameClash {
                        name: tool.name.to_string(),
                        first: joined.api_of(earlier).unwrap_or_default().to_owned(),
                        second: api.to_owned(),
                    });
                }
                let handler = set.handlers[index].clone();
                joined.insert(tool.clone(), handler)?;
                let last = joined.len() - 1;
                joined.routes[last] = set.routes[index].clone();
                joined.apis[last] = Some(label.clone());
            }
        }
        Ok(joined)
    }

    /// The API tool `index` belongs to, in a joined set.
    pub fn api_of(&self, index: usize) -> Option<&str> {
        self.apis.get(index).and_then(Option::as_deref)
    }

    /// The API of the tool called `name`, in a joined set.
    pub fn api_of_tool(&self, name: &str) -> Option<&str> {
        self.index.get(name).and_then(|&index| self.api_of(index))
    }

    /// The same tools and routes with each definition rewritten by `present` and each
    /// handler by `wrap` (given the original definition, the served one and the handler),
    /// in the same order and under the same names. See
    /// [`ToolSet::presented`](crate::ToolSet::presented).
    pub(crate) fn map_definitions(
        &self,
        present: impl Fn(&Tool) -> Tool,
        wrap: impl Fn(&Tool, &Tool, &Arc<dyn ToolHandler>) -> Arc<dyn ToolHandler>,
    ) -> ToolSet {
        let tools: Vec<Tool> = self.tools.iter().map(&present).collect();
        let sizes: Vec<usize> = tools.iter().map(definition_bytes).collect();
        let handlers = self
            .tools
            .iter()
            .zip(&tools)
            .zip(&self.handlers)
            .map(|((original, served), handler)| wrap(original, served, handler))
            .collect();
        ToolSet {
            tokens: sizes.iter().copied().map(tokens_of_bytes).sum(),
            tools: Arc::new(tools),
            sizes: Arc::new(sizes),
            handlers,
            routes: self.routes.clone(),
            index: self.index.clone(),
            apis: self.apis.clone(),
        }
    }

    /// The serialized size of tool `index`'s definition, in bytes.
    pub fn size_of(&self, index: usize) -> usize {
        self.sizes.get(index).copied().unwrap_or(0)
    }

    /// The HTTP operation behind tool `index`, when it is one.
    pub fn route(&self, index: usize) -> Option<&Route> {
        self.routes.get(index).and_then(Option::as_ref)
    }

    /// The estimated tokens of all definitions (about four bytes of JSON a token), what
    /// serving them all costs a model's context.
    pub fn estimated_tokens(&self) -> usize {
        self.tokens
    }

    /// The estimated tokens of tool `index`'s definition (see [`estimated_tokens`]).
    pub fn estimated_tokens_of(&self, index: usize) -> usize {
        tokens_of_bytes(self.size_of(index))
    }

    /// The tool definitions, in order.
    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    /// The definition of `name`.
    pub fn tool(&self, name: &str) -> Option<&Tool> {
        self.index.get(name).and_then(|&i| self.tools.get(i))
    }

    /// The handler of `name`.
    pub fn handler(&self, name: &str) -> Option<&Arc<dyn ToolHandler>> {
        self.index.get(name).and_then(|&i| self.handlers.get(i))
    }

    /// How many tools there are.
    pub fn len(&self) -> usize {
        self.tools.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    /// The tool name closest to `name`, for "did you mean" messages.
    pub fn closest_name(&self, name: &str) -> Option<&str> {
        self.tools
            .iter()
            .map(|t| (strsim::jaro_winkler(name, &t.name), t.name.as_ref()))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, name)| name)
    }
}
