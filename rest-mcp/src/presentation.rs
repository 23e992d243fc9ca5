//! How tool definitions are served: descriptions compacted (`--description-max`),
//! output schemas kept or left out (`--output-schemas`), and schemas in a provider's
//! dialect (`--schema-dialect`). The handlers stay the same: arguments are validated
//! against the original schemas, after being put back into their shape when a dialect
//! rewrote them.
//!
//! ```
//! use rest_mcp::presentation::{OutputSchemas, Presentation};
//! use rest_mcp::openapi::SchemaDialect;
//! use rest_mcp::ToolSet;
//!
//! let compact = Presentation { description_max: Some(200), output_schemas: OutputSchemas::None, ..Presentation::default() };
//! let served = ToolSet::new().presented(&compact, SchemaDialect::Gemini);
//! assert!(served.is_empty());
//! assert!(Presentation::default().is_identity(SchemaDialect::Full));
//! ```

use std::sync::Arc;

use rest_mcp_openapi::{SchemaDialect, compact_description, restore_arguments};
use rmcp::model::{JsonObject, Tool};

use crate::toolset::{CallContext, ToolFuture, ToolHandler, ToolSet};

/// Whether tools are served with their output schemas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputSchemas {
    /// Every tool with the output schema of its JSON response, and structured content
    /// that conforms to it.
    #[default]
    Full,
    /// No output schemas (fewer tokens). Results still carry `structuredContent`, which
    /// MCP allows without a schema and clients then do not validate.
    None,
}

/// Which dialect the served schemas follow; `full` for every client by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialectChoice {
    /// One dialect for every client.
    Fixed(SchemaDialect),
    /// The dialect of the client's provider when its `clientInfo.name` is recognisable
    /// ([`SchemaDialect::of_client`]), else `full`.
    Auto,
}

impl Default for DialectChoice {
    fn default() -> Self {
        DialectChoice::Fixed(SchemaDialect::Full)
    }
}

impl DialectChoice {
    /// The dialect served to a client named `client` (its `clientInfo.name`), and why, in
    /// words for the log.
    ///
    /// ```
    /// use rest_mcp::presentation::DialectChoice;
    /// use rest_mcp::openapi::SchemaDialect;
    /// assert_eq!(DialectChoice::Auto.for_client(Some("claude-ai")).0, SchemaDialect::Anthropic);
    /// assert_eq!(DialectChoice::Auto.for_client(None).0, SchemaDialect::Full);
    /// ```
    pub fn for_client(self, client: Option<&str>) -> (SchemaDialect, String) {
        match self {
            DialectChoice::Fixed(dialect) => (dialect, format!("--schema-dialect {dialect}")),
            DialectChoice::Auto => match client.and_then(SchemaDialect::of_client) {
                Some(dialect) => (
                    dialect,
                    format!(
                        "auto: the client `{}` is recognised, so schemas follow the `{dialect}` dialect",
                        client.unwrap_or_default()
                    ),
                ),
                None => (
                    SchemaDialect::Full,
                    format!(
                        "auto: the client `{}` is not recognised, so schemas are served in full",
                        client.unwrap_or("unknown")
                    ),
                ),
            },
        }
    }
}

/// How definitions are served, but for the dialect (which may depend on the client).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Presentation {
    /// Cut tool descriptions to about this many characters (plain text, at a sentence
    /// boundary); `None` serves them as the spec wrote them.
    pub description_max: Option<usize>,
    /// Whether output schemas are served.
    pub output_schemas: OutputSchemas,
    /// Which dialect the schemas follow.
    pub dialect: DialectChoice,
}

impl Presentation {
    /// Whether serving in `dialect` changes nothing: the definitions are the loaded ones,
    /// byte for byte.
    pub fn is_identity(&self, dialect: SchemaDialect) -> bool {
        self.description_max.is_none()
            && self.output_schemas == OutputSchemas::Full
            && dialect == SchemaDialect::Full
    }

    /// One tool's definition as served in `dialect`.
    pub fn tool(&self, tool: &Tool, dialect: SchemaDialect) -> Tool {
        let mut served = tool.clone();
        if let (Some(max), Some(description)) = (self.description_max, &tool.description) {
            served.description = Some(compact_description(description, max).into());
        }
        if dialect != SchemaDialect::Full {
            served.input_schema = Arc::new(dialect.input_schema(&tool.input_schema));
        }
        served.output_schema = match self.output_schemas {
            OutputSchemas::None => None,
            OutputSchemas::Full if dialect == SchemaDialect::Full => tool.output_schema.clone(),
            OutputSchemas::Full => tool
                .output_schema
                .as_ref()
                .map(|schema| Arc::new(dialect.output_schema(schema))),
        };
        served
    }
}

impl ToolSet {
    /// These tools as `presentation` serves them in `dialect`: the same names, order and
    /// handlers, definitions rewritten. Handlers of rewritten input schemas first restore
    /// the arguments to the original's shape; validation stays against the original.
    /// With nothing to change, the set itself (cheap: definitions are shared).
    pub fn presented(&self, presentation: &Presentation, dialect: SchemaDialect) -> ToolSet {
        if presentation.is_identity(dialect) {
            return self.clone();
        }
        self.map_definitions(
            |tool| presentation.tool(tool, dialect),
            |original, served, handler| {
                if original.input_schema == served.input_schema {
                    handler.clone()
                } else {
                    Arc::new(Restoring {
                        original: original.input_schema.clone(),
                        served: served.input_schema.clone(),
                        inner: handler.clone(),
                    })
                }
            },
        )
    }
}

/// A handler whose arguments arrive written against a dialect's schema.
struct Restoring {
    original: Arc<JsonObject>,
    served: Arc<JsonObject>,
    inner: Arc<dyn ToolHandler>,
}

impl ToolHandler for Restoring {
    fn call(&self, mut arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        restore_arguments(&self.original, &self.served, &mut arguments);
        self.inner.call(arguments, context)
    }

    fn authorizes_itself(&self) -> bool {
        self.inner.authorizes_itself()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use rmcp::model::CallToolResult;
    use serde_json::{Value, json};

    use super::*;

    /// Records the arguments it is called with.
    #[derive(Default)]
    struct Recording(Mutex<Vec<JsonObject>>);

    impl ToolHandler for Recording {
        fn call(&self, arguments: JsonObject, _context: CallContext) -> ToolFuture<'_> {
            if let Ok(mut seen) = self.0.lock() {
                seen.push(arguments);
            }
            Box::pin(async { CallToolResult::success(Vec::new()) })
        }
    }

    fn tool() -> Tool {
        let Value::Object(input) = json!({"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"},
            "meta": {"type": "object", "additionalProperties": true}}})
        else {
            unreachable!()
        };
        let Value::Object(output) = json!({"type": "object", "properties": {"x": {}}}) else {
            unreachable!()
        };
        Tool::new(
            "get_thing",
            "Get a thing. See [the docs](https://x.example).",
            input,
        )
        .with_raw_output_schema(Arc::new(output))
    }

    fn set(handler: Arc<Recording>) -> ToolSet {
        let mut set = ToolSet::new();
        set.insert(tool(), handler).expect("insert");
        set
    }

    #[test]
    fn the_default_changes_nothing() {
        let set = set(Arc::default());
        let served = set.presented(&Presentation::default(), SchemaDialect::Full);
        assert_eq!(served.tools(), set.tools());
        assert_eq!(served.estimated_tokens(), set.estimated_tokens());
    }

    #[test]
    fn descriptions_and_output_schemas_follow_the_settings() {
        let set = set(Arc::default());
        let compact = Presentation {
            description_max: Some(20),
            output_schemas: OutputSchemas::None,
            ..Presentation::default()
        };
        let served = set.presented(&compact, SchemaDialect::Full);
        let tool = &served.tools()[0];
        assert_eq!(tool.description.as_deref(), Some("Get a thing."));
        assert!(tool.output_schema.is_none());
        assert!(served.estimated_tokens() < set.estimated_tokens());
    }

    #[tokio::test]
    async fn a_dialect_s_arguments_reach_the_handler_in_the_original_shape() {
        let recording = Arc::new(Recording::default());
        let served =
            set(recording.clone()).presented(&Presentation::default(), SchemaDialect::OpenAi);
        let tool = &served.tools()[0];
        assert_eq!(
            tool.input_schema["properties"]["meta"]["type"],
            json!(["string", "null"])
        );
        let Value::Object(arguments) = json!({"id": "7", "meta": "{\"a\": 1}"}) else {
            unreachable!()
        };
        let handler = served.handler("get_thing").expect("handler");
        handler.call(arguments, CallContext::default()).await;
        let Value::Object(nulled) = json!({"id": "8", "meta": null}) else {
            unreachable!()
        };
        handler.call(nulled, CallContext::default()).await;
        let seen = recording.0.lock().expect("lock").clone();
        assert_eq!(
            Value::Object(seen[0].clone()),
            json!({"id": "7", "meta": {"a": 1}})
        );
        assert_eq!(Value::Object(seen[1].clone()), json!({"id": "8"}));
    }
}
