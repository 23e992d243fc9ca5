//! The rmcp `ServerHandler` that serves any [`ToolSet`], over any transport. The set can
//! be replaced while serving (SIGHUP reload); calls in flight finish on the set they began.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use rest_mcp_openapi::SchemaDialect;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, CustomRequest,
    CustomResult, Implementation, ListToolsResult, PaginatedRequestParams, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::{NotificationContext, Peer, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};

use crate::caller::Caller;
use crate::discovery::ToolMode;
use crate::presentation::Presentation;
use crate::session_cookies::SessionCookies;
use crate::toolset::{CallContext, PAGE_BYTES, ToolSet};

/// Serves a [`ToolSet`] as MCP tools. Cheap to clone; clones share the tool set and,
/// when cookie sessions are on, the cookie jars ([`RestMcpServer::for_new_session`] gives
/// a new session its own).
#[derive(Clone)]
pub struct RestMcpServer {
    tools: Arc<RwLock<Arc<Served>>>,
    mode: ToolMode,
    presentation: Presentation,
    instructions: Option<String>,
    /// Upstream cookies of this session, one jar per caller; `None` when off.
    cookies: Option<Arc<SessionCookies>>,
    in_flight: Arc<AtomicUsize>,
    peers: Arc<Mutex<Vec<Peer<RoleServer>>>>,
    /// Whether `initialize` promises `notifications/tools/list_changed`.
    announces_list_changes: bool,
}

impl std::fmt::Debug for RestMcpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestMcpServer")
            .field("tools", &self.current().len())
            .finish()
    }
}

/// The tool set being served, and what each dialect serves of it (each built on first
/// need, then shared by every session that gets that dialect).
struct Served {
    base: Arc<ToolSet>,
    views: Mutex<HashMap<SchemaDialect, Arc<View>>>,
}

/// The tools as one dialect serves them, and their dynamic form (built on first need).
struct View {
    all: Arc<ToolSet>,
    dynamic: OnceLock<Arc<ToolSet>>,
    dialect: SchemaDialect,
}

impl Served {
    fn new(tools: ToolSet) -> Served {
        Served {
            base: Arc::new(tools),
            views: Mutex::new(HashMap::new()),
        }
    }

    /// The tools as `presentation` serves them in `dialect`, computed once.
    fn view(&self, presentation: &Presentation, dialect: SchemaDialect) -> Arc<View> {
        let mut views = match self.views.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        views
            .entry(dialect)
            .or_insert_with(|| {
                Arc::new(View {
                    all: Arc::new(self.base.presented(presentation, dialect)),
                    dynamic: OnceLock::new(),
                    dialect,
                })
            })
            .clone()
    }

    fn views(&self) -> Vec<Arc<View>> {
        match self.views.lock() {
            Ok(guard) => guard.values().cloned().collect(),
            Err(poisoned) => poisoned.into_inner().values().cloned().collect(),
        }
    }
}

impl View {
    /// The meta-tools over these tools, in the same dialect (their own descriptions and
    /// output schemas as they are).
    fn dynamic(&self) -> Arc<ToolSet> {
        self.dynamic
            .get_or_init(|| {
                Arc::new(
                    self.all
                        .to_dynamic()
                        .presented(&Presentation::default(), self.dialect),
                )
            })
            .clone()
    }
}

impl RestMcpServer {
    /// Serve `tools`, every one as itself ([`ToolMode::All`]).
    pub fn new(tools: ToolSet) -> RestMcpServer {
        RestMcpServer {
            tools: Arc::new(RwLock::new(Arc::new(Served::new(tools)))),
            mode: ToolMode::All,
            presentation: Presentation::default(),
            instructions: None,
            cookies: None,
            in_flight: Arc::new(AtomicUsize::new(0)),
            peers: Arc::new(Mutex::new(Vec::new())),
            announces_list_changes: true,
        }
    }

    /// Promise no `notifications/tools/list_changed` in `initialize`: for transports with
    /// no channel to send one on, such as stateless Streamable HTTP. Promised by default.
    pub fn with_list_change_notifications(mut self, on: bool) -> RestMcpServer {
        self.announces_list_changes = on;
        self
    }

    /// Send `notifications/tools/list_changed` to every connected client that has a
    /// session (stdio, stateful HTTP), forgetting the ones that have gone.
    pub async fn notify_tools_changed(&self) {
        let peers: Vec<Peer<RoleServer>> = {
            let mut guard = match self.peers.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            guard.retain(|peer| !peer.is_transport_closed());
            guard.clone()
        };
        for peer in peers {
            if let Err(error) = peer.notify_tool_list_changed().await {
                tracing::debug!(%error, "could not notify a client of the new tools");
            }
        }
    }

    /// How many tool calls are running now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Keep the cookies the upstream sets and send them back on later calls of the same
    /// session and caller (an API with a login step). Off by default.
    pub fn with_cookie_sessions(mut self, on: bool) -> RestMcpServer {
        self.cookies = on.then(Arc::default);
        self
    }

    /// Whether cookie sessions are on.
    pub fn has_cookie_sessions(&self) -> bool {
        self.cookies.is_some()
    }

    /// A server for a new session: the same tools, and empty cookie jars of its own.
    pub fn for_new_session(&self) -> RestMcpServer {
        let mut server = self.clone();
        if server.cookies.is_some() {
            server.cookies = Some(Arc::default());
        }
        server
    }

    /// Serve the tools as `mode` says: all of them, the dynamic meta-tools, or either by
    /// size and client ([`ToolMode::Auto`]).
    pub fn with_tool_mode(mut self, mode: ToolMode) -> RestMcpServer {
        self.mode = mode;
        self
    }

    /// Serve the definitions as `presentation` says: compact descriptions, output
    /// schemas or not, and a schema dialect (fixed, or chosen per client at initialize).
    /// Each dialect's definitions are computed once and shared by every session.
    pub fn with_presentation(mut self, presentation: Presentation) -> RestMcpServer {
        self.presentation = presentation;
        self
    }

    /// Whether a client called `client` (its `clientInfo.name`) is served the dynamic
    /// meta-tools, and why, in words for the log; judged on the definitions as that
    /// client is served them (compacted, in its dialect).
    pub fn decide(&self, client: Option<&str>) -> (bool, String) {
        let dialect = self.presentation.dialect.for_client(client).0;
        let view = self.served_sets().view(&self.presentation, dialect);
        self.mode.decide(&view.all, client)
    }

    /// The tools served to the client of `context`, by the dialect and the mode.
    fn served(&self, context: &RequestContext<RoleServer>) -> Arc<ToolSet> {
        let client = context.peer.peer_info();
        let name = client.as_ref().map(|info| info.client_info.name.as_str());
        let dialect = self.presentation.dialect.for_client(name).0;
        let view = self.served_sets().view(&self.presentation, dialect);
        if self.mode != ToolMode::All && self.mode.serves_dynamic(&view.all, name) {
            view.dynamic()
        } else {
            view.all.clone()
        }
    }

    fn served_sets(&self) -> Arc<Served> {
        match self.tools.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Text the client may show its model about this server (e.g. the API's description).
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> RestMcpServer {
        self.instructions = Some(instructions.into());
        self
    }

    /// The tool set being served now.
    pub fn current(&self) -> Arc<ToolSet> {
        self.served_sets().base.clone()
    }

    /// Replace the tool set atomically; later requests see the new one.
    pub fn replace(&self, tools: ToolSet) {
        let tools = Arc::new(Served::new(tools));
        match self.tools.write() {
            Ok(mut guard) => *guard = tools,
            Err(poisoned) => *poisoned.into_inner() = tools,
        }
    }
}

impl ServerHandler for RestMcpServer {
    fn get_info(&self) -> ServerConfig {
        let mut capabilities = ServerCapabilities::builder().enable_tools().build();
        if let Some(tools) = capabilities.tools.as_mut() {
            tools.list_changed = Some(self.announces_list_changes);
        }
        let config = ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("rest-mcp", env!("CARGO_PKG_VERSION")));
        match &self.instructions {
            Some(instructions) => config.with_instructions(instructions.clone()),
            None => config,
        }
    }

    /// Tools the caller may call, in pages of at most [`PAGE_BYTES`] (big specs would
    /// otherwise exceed clients' message limits: the Python SDK refuses SSE events over
    /// 1 MiB, and GitHub's tool list is 3.7 MB). The cursor is the index of the next tool.
    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = self.served(&context);
        let caller = Caller::of(&context.extensions);
        let visible: Vec<usize> = (0..tools.len())
            .filter(|&i| {
                let tool = &tools.tools()[i];
                caller.may_use_api(tools.api_of(i)) && caller.may_call(tool)
                    || tools
                        .handler(&tool.name)
                        .is_some_and(|handler| handler.authorizes_itself())
            })
            .collect();
        let start = match request.and_then(|r| r.cursor) {
            None => 0,
            Some(cursor) => cursor
                .parse::<usize>()
                .ok()
                .filter(|start| *start <= visible.len())
                .ok_or_else(|| {
                    ErrorData::invalid_params(format!("invalid cursor `{cursor}`"), None)
                })?,
        };
        let mut end = start;
        let mut bytes = 0;
        while end < visible.len()
            && (end == start || bytes + tools.size_of(visible[end]) <= PAGE_BYTES)
        {
            bytes += tools.size_of(visible[end]);
            end += 1;
        }
        let page = visible[start..end]
            .iter()
            .map(|&i| tools.tools()[i].clone())
            .collect();
        let mut result = ListToolsResult::with_all_items(page);
        result.next_cursor = (end < visible.len()).then(|| end.to_string());
        Ok(result)
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        let client = context.peer.peer_info();
        let name = client.as_ref().map(|info| info.client_info.name.clone());
        let (_, why) = self.presentation.dialect.for_client(name.as_deref());
        if self.presentation.dialect != crate::presentation::DialectChoice::default() {
            tracing::info!(
                client = name.as_deref().unwrap_or("unknown"),
                "schema dialect {why}"
            );
        }
        if self.mode != ToolMode::All {
            let (_, why) = self.decide(name.as_deref());
            tracing::info!(
                client = name.as_deref().unwrap_or("unknown"),
                "tool mode {why}"
            );
        }
        let mut peers = match self.peers.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        peers.retain(|peer| !peer.is_transport_closed());
        peers.push(context.peer);
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        let served = self.served_sets();
        served.base.tool(name).cloned().or_else(|| {
            served.views().iter().find_map(|view| {
                view.dynamic
                    .get()
                    .and_then(|dynamic| dynamic.tool(name))
                    .cloned()
            })
        })
    }

    /// A request rmcp could not read as the method it names (e.g. `tools/call` with
    /// `arguments` as an array) arrives here: answered `-32602` saying what is wrong, not
    /// "method not found".
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        Err(crate::invalid_params::refusal(&request))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let tools = self.served(&context);
        let caller = Caller::of(&context.extensions);
        let visible = caller.may_use_api(tools.api_of_tool(&request.name));
        let Some(handler) = tools.handler(&request.name).filter(|_| visible).cloned() else {
            let hint = tools
                .closest_name(&request.name)
                .filter(|close| caller.may_use_api(tools.api_of_tool(close)))
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{}`{hint}", request.name),
                None,
            ));
        };
        if let (Some(principal), Some(tool)) = (caller.principal, tools.tool(&request.name))
            && !handler.authorizes_itself()
            && !principal.grant.allows(tool)
        {
            return Err(principal.grant.forbidden(tool));
        }
        let call = CallContext {
            forwarded_headers: caller.forwarded.map(|f| f.0.clone()).unwrap_or_default(),
            cookies: self
                .cookies
                .as_ref()
                .map(|session| session.jar(caller.principal.map_or("", |p| p.name.as_str()))),
            grant: caller.principal.map(|p| p.grant.clone()),
            apis: caller.principal.and_then(|p| p.apis.clone()),
        };
        let arguments = request.arguments.unwrap_or_default();
        let _in_flight = InFlight::enter(&self.in_flight);
        let result = tokio::select! {
            result = handler.call(arguments, call) => result,
            _ = context.ct.cancelled() => CallToolResult::error(vec![ContentBlock::text(
                "The call was cancelled by the client; the upstream request may or may not have completed.",
            )]),
        };
        Ok(result.into())
    }
}

/// Counts a call as in flight until dropped.
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn enter(counter: &'a AtomicUsize) -> InFlight<'a> {
        counter.fetch_add(1, Ordering::SeqCst);
        InFlight(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
