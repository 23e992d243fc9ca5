//! The rmcp `ServerHandler` that serves any [`ToolSet`], over any transport. The set can
//! be replaced while serving (SIGHUP reload); calls in flight finish on the set they began.

use std::sync::{Arc, RwLock};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use crate::toolset::ToolSet;

/// Serves a [`ToolSet`] as MCP tools. Cheap to clone (the HTTP transport clones it per
/// session); clones share the tool set.
#[derive(Clone)]
pub struct RestMcpServer {
    tools: Arc<RwLock<Arc<ToolSet>>>,
    instructions: Option<String>,
}

impl std::fmt::Debug for RestMcpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestMcpServer")
            .field("tools", &self.current().len())
            .finish()
    }
}

impl RestMcpServer {
    /// Serve `tools`.
    pub fn new(tools: ToolSet) -> RestMcpServer {
        RestMcpServer {
            tools: Arc::new(RwLock::new(Arc::new(tools))),
            instructions: None,
        }
    }

    /// Text the client may show its model about this server (e.g. the API's description).
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> RestMcpServer {
        self.instructions = Some(instructions.into());
        self
    }

    /// The tool set being served now.
    pub fn current(&self) -> Arc<ToolSet> {
        match self.tools.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replace the tool set atomically; later requests see the new one.
    pub fn replace(&self, tools: ToolSet) {
        let tools = Arc::new(tools);
        match self.tools.write() {
            Ok(mut guard) => *guard = tools,
            Err(poisoned) => *poisoned.into_inner() = tools,
        }
    }
}

impl ServerHandler for RestMcpServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .build();
        let config = ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("rest-mcp", env!("CARGO_PKG_VERSION")));
        match &self.instructions {
            Some(instructions) => config.with_instructions(instructions.clone()),
            None => config,
        }
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(
            self.current().tools().to_vec(),
        ))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.current().tool(name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let tools = self.current();
        let Some(handler) = tools.handler(&request.name).cloned() else {
            let hint = tools
                .closest_name(&request.name)
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{}`{hint}", request.name),
                None,
            ));
        };
        let arguments = request.arguments.unwrap_or_default();
        let result = tokio::select! {
            result = handler.call(arguments) => result,
            _ = context.ct.cancelled() => CallToolResult::error(vec![ContentBlock::text(
                "The call was cancelled by the client; the upstream request may or may not have completed.",
            )]),
        };
        Ok(result.into())
    }
}
