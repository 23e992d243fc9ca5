//! The three meta-tools of a dynamic tool set and their handlers. Each applies the
//! caller's grant itself: a viewer never finds, describes or calls a tool that writes.

use std::sync::Arc;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use serde_json::{Map, Value, json};

use super::index::SearchIndex;
use super::summary_of;
use crate::toolset::{CallContext, ToolFuture, ToolHandler, ToolSet};

/// Results `search_tools` gives unless asked for more, and the most it gives.
const DEFAULT_LIMIT: usize = 5;
const MAX_LIMIT: usize = 25;
/// Tools one `describe_tools` call describes at most.
const MAX_DESCRIBE: usize = 20;

/// The tools behind the meta-tools, and their index.
struct Catalog {
    tools: Arc<ToolSet>,
    index: SearchIndex,
}

impl Catalog {
    fn visible(&self, tool: &Tool, context: &CallContext) -> bool {
        let api = self.tools.api_of_tool(&tool.name);
        crate::caller::api_in_scope(context.apis.as_deref(), api)
            && context
                .grant
                .as_ref()
                .is_none_or(|grant| grant.allows(tool))
    }

    /// `name`'s definition if this caller may see it.
    fn find(&self, name: &str, context: &CallContext) -> Option<&Tool> {
        self.tools
            .tool(name)
            .filter(|tool| self.visible(tool, context))
    }

    /// The names most like `name` this caller may see, for "did you mean".
    fn suggestions(&self, name: &str, context: &CallContext) -> Vec<String> {
        let mut names: Vec<String> = self
            .tools
            .closest_name(name)
            .filter(|close| self.find(close, context).is_some())
            .map(str::to_owned)
            .into_iter()
            .collect();
        for (index, _) in self
            .index
            .search(name, 3, |i| self.visible(&self.tools.tools()[i], context))
        {
            let found = self.tools.tools()[index].name.to_string();
            if !names.contains(&found) {
                names.push(found);
            }
        }
        names
    }
}

/// `search_tools`, `describe_tools` and `call_tool` over `tools`.
pub(super) fn dynamic(tools: Arc<ToolSet>) -> ToolSet {
    let index = SearchIndex::new(&tools.search_documents());
    let catalog = Arc::new(Catalog { tools, index });
    let mut set = ToolSet::new();
    let entries: [(Tool, Arc<dyn ToolHandler>); 3] = [
        (search_tool(), Arc::new(SearchTools(catalog.clone()))),
        (describe_tool(), Arc::new(DescribeTools(catalog.clone()))),
        (call_tool(), Arc::new(CallTool(catalog))),
    ];
    for (tool, handler) in entries {
        // Three fixed, distinct names: inserting cannot fail.
        let _ = set.insert(tool, handler);
    }
    set
}

fn object(value: Value) -> Arc<Map<String, Value>> {
    match value {
        Value::Object(map) => Arc::new(map),
        _ => Arc::new(Map::new()),
    }
}

fn search_tool() -> Tool {
    Tool::new_with_raw(
        "search_tools",
        Some("Find the API operations that do what you need. This server has many tools; they are reached through three steps: 1. search_tools with what you want to do in your own words, 2. describe_tools for the full input schema of the ones that fit, 3. call_tool with a name and its arguments.".into()),
        object(json!({
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "What you want to do, e.g. \"list the open issues of a repository\"."},
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "description": "How many results (default 5)."},
                "include_write": {"type": "boolean", "description": "Include operations that change data (default true)."}
            },
            "required": ["query"]
        })),
    )
    .with_raw_output_schema(object(json!({
        "type": "object",
        "properties": {
            "tools": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"},
                "endpoint": {"type": "string"},
                "summary": {"type": "string"},
                "read_only": {"type": "boolean"},
                "destructive": {"type": "boolean"},
                "required": {"type": "array", "items": {"type": "string"}}
            }}}
        },
        "required": ["tools"]
    })))
    .with_annotations(read_only_annotations())
}

fn describe_tool() -> Tool {
    Tool::new_with_raw(
        "describe_tools",
        Some("The full definitions (description, input schema, output schema, hints) of tools found with search_tools, so you can call them with call_tool.".into()),
        object(json!({
            "type": "object",
            "properties": {
                "names": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": MAX_DESCRIBE, "description": "Tool names from search_tools."}
            },
            "required": ["names"]
        })),
    )
    .with_raw_output_schema(object(json!({
        "type": "object",
        "properties": {
            "tools": {"type": "array", "items": {"type": "object"}},
            "unknown": {"type": "array", "items": {"type": "object"}}
        },
        "required": ["tools"]
    })))
    .with_annotations(read_only_annotations())
}

fn call_tool() -> Tool {
    Tool::new_with_raw(
        "call_tool",
        Some("Call a tool found with search_tools, with arguments that match the input schema describe_tools gave. The result is the tool's own.".into()),
        object(json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "The tool's name."},
                "arguments": {"type": "object", "description": "The tool's arguments."}
            },
            "required": ["name"]
        })),
    )
    .with_annotations(ToolAnnotations::from_raw(None, Some(false), Some(true), Some(false), Some(true)))
}

fn read_only_annotations() -> ToolAnnotations {
    ToolAnnotations::from_raw(None, Some(true), Some(false), Some(true), Some(false))
}

fn error(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

fn hint(tool: &Tool, read_only: bool) -> bool {
    let annotations = tool.annotations.as_ref();
    if read_only {
        annotations.and_then(|a| a.read_only_hint).unwrap_or(false)
    } else {
        annotations
            .and_then(|a| a.destructive_hint)
            .unwrap_or(false)
    }
}

struct SearchTools(Arc<Catalog>);

impl ToolHandler for SearchTools {
    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            let catalog = &self.0;
            let Some(query) = arguments.get("query").and_then(Value::as_str) else {
                return error("search_tools needs `query`: what you want to do, in words, e.g. {\"query\": \"list open issues\"}".into());
            };
            let limit = arguments
                .get("limit")
                .and_then(Value::as_u64)
                .map_or(DEFAULT_LIMIT, |n| (n as usize).clamp(1, MAX_LIMIT));
            let include_write = arguments
                .get("include_write")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let tools = catalog.tools.tools();
            let found = catalog.index.search(query, limit, |i| {
                catalog.visible(&tools[i], &context) && (include_write || hint(&tools[i], true))
            });
            let mut text = String::new();
            let mut entries = Vec::new();
            for (rank, (index, _)) in found.iter().enumerate() {
                let tool = &tools[*index];
                let endpoint = catalog
                    .tools
                    .route(*index)
                    .map(|r| format!("{} {}", r.method, r.path))
                    .unwrap_or_default();
                let required: Vec<String> = tool
                    .input_schema
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| {
                        r.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                let read_only = hint(tool, true);
                let destructive = hint(tool, false);
                let summary = summary_of(tool);
                let api = catalog.tools.api_of(*index);
                text.push_str(&format!(
                    "{}. {}{} — {}{}{}{}\n",
                    rank + 1,
                    tool.name,
                    api.map(|api| format!(" (API {api})")).unwrap_or_default(),
                    if endpoint.is_empty() {
                        String::new()
                    } else {
                        format!("{endpoint} — ")
                    },
                    summary,
                    if read_only {
                        " [read-only]"
                    } else if destructive {
                        " [destructive]"
                    } else {
                        ""
                    },
                    if required.is_empty() {
                        String::new()
                    } else {
                        format!(" (required: {})", required.join(", "))
                    },
                ));
                let mut entry = json!({
                    "name": tool.name,
                    "endpoint": endpoint,
                    "summary": summary,
                    "read_only": read_only,
                    "destructive": destructive,
                    "required": required,
                });
                // Only a server of several APIs names them: one API's results are unchanged.
                if let (Some(api), Some(object)) = (api, entry.as_object_mut()) {
                    object.insert("api".to_owned(), json!(api));
                }
                entries.push(entry);
            }
            if entries.is_empty() {
                text = format!(
                    "No tool matches \"{query}\". Try other words for the thing you want (the resource's name, or a verb such as list, get, create, update, delete)."
                );
            } else {
                text.push_str("\nNext: describe_tools with the names you want, then call_tool.");
            }
            let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
            result.structured_content = Some(json!({ "tools": entries }));
            result
        })
    }

    fn authorizes_itself(&self) -> bool {
        true
    }
}

struct DescribeTools(Arc<Catalog>);

impl ToolHandler for DescribeTools {
    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            let catalog = &self.0;
            let names: Vec<&str> = match arguments.get("names") {
                Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
                Some(Value::String(name)) => vec![name.as_str()],
                _ => Vec::new(),
            };
            if names.is_empty() {
                return error("describe_tools needs `names`: a list of tool names from search_tools, e.g. {\"names\": [\"issues_list_for_repo\"]}".into());
            }
            let mut described = Vec::new();
            let mut unknown = Vec::new();
            for name in names.into_iter().take(MAX_DESCRIBE) {
                match catalog.find(name, &context) {
                    Some(tool) => described.push(serde_json::to_value(tool).unwrap_or(Value::Null)),
                    None => unknown.push(json!({
                        "name": name,
                        "did_you_mean": catalog.suggestions(name, &context),
                    })),
                }
            }
            let structured = json!({ "tools": described, "unknown": unknown });
            let mut result =
                CallToolResult::success(vec![ContentBlock::text(structured.to_string())]);
            result.structured_content = Some(structured);
            result
        })
    }

    fn authorizes_itself(&self) -> bool {
        true
    }
}

struct CallTool(Arc<Catalog>);

impl ToolHandler for CallTool {
    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            let catalog = &self.0;
            let Some(name) = arguments.get("name").and_then(Value::as_str) else {
                return error("call_tool needs `name` (from search_tools) and `arguments` (matching describe_tools' input schema)".into());
            };
            let inner = match arguments.get("arguments") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(inner)) => inner.clone(),
                Some(other) => {
                    return error(format!(
                        "call_tool's `arguments` must be an object of the tool's arguments, not {other}"
                    ));
                }
            };
            let Some(handler) = catalog
                .find(name, &context)
                .and_then(|tool| catalog.tools.handler(&tool.name))
                .cloned()
            else {
                let suggestions = catalog.suggestions(name, &context);
                let hint = if suggestions.is_empty() {
                    "use search_tools to find the right one".to_owned()
                } else {
                    format!(
                        "did you mean {}?",
                        suggestions
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                return error(format!("There is no tool `{name}` you may call; {hint}"));
            };
            handler.call(inner, context).await
        })
    }

    fn authorizes_itself(&self) -> bool {
        true
    }
}
