//! [`Endpoint`]: an [`Operation`] compiled once into what every call needs: the path
//! template split into pieces, the table from argument name to where it travels, the
//! defaults to apply, and (built on first use) the argument validator.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub(crate) use rest_mcp_openapi::ArgumentTarget;
use rest_mcp_openapi::{HttpMethod, Operation, ParamLocation, TemplatePiece, ToolDefinition};
use rmcp::model::{Tool, ToolAnnotations};
use serde_json::{Map, Value};

use crate::response::path::{ResponsePath, ResponsePathError};
use crate::validate::ArgumentValidator;

/// Why an operation cannot be compiled into an [`Endpoint`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// A `{name}` in the path has no path parameter (the model breaks its own rule).
    #[error("{tool}: `{{{name}}}` has no path parameter")]
    UnboundPlaceholder {
        /// The tool.
        tool: String,
        /// The placeholder's name.
        name: String,
    },
    /// The configured `response_path` is malformed.
    #[error("{tool}: response_path {source}")]
    ResponsePath {
        /// The tool.
        tool: String,
        /// What is wrong with it.
        #[source]
        source: ResponsePathError,
    },
}

/// A piece of a path template, bound to the operation's parameters.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PathPiece {
    /// Text written in the spec, sent as is.
    Literal(String),
    /// A path parameter (index into the operation's parameters).
    Parameter(usize),
}

/// A compiled request template for one operation.
#[derive(Debug)]
pub struct Endpoint {
    operation: Operation,
    method: reqwest::Method,
    path: Vec<PathPiece>,
    targets: HashMap<String, ArgumentTarget>,
    tool: Tool,
    defaults: Vec<(String, Value)>,
    response_path: Option<ResponsePath>,
    validator: OnceLock<ArgumentValidator>,
    /// Whether the tool declares an output schema, and whether it wraps the body.
    structured: Option<bool>,
    output_validator: OnceLock<Option<jsonschema::Validator>>,
}

impl Endpoint {
    /// Compile an operation. Fails on a malformed `response_path`, or on a model that
    /// violates its own invariants (a path placeholder with no parameter).
    pub fn new(operation: Operation) -> Result<Endpoint, EndpointError> {
        let path = bind_path(&operation)?;
        let arguments = operation.arguments();
        let targets = arguments
            .iter()
            .map(|argument| (argument.name.to_owned(), argument.target))
            .collect();
        let defaults = arguments
            .iter()
            .filter_map(|argument| Some((argument.name.to_owned(), argument.default?.clone())))
            .collect();
        let response_path = operation
            .response_path
            .as_deref()
            .map(ResponsePath::parse)
            .transpose()
            .map_err(|source| EndpointError::ResponsePath {
                tool: operation.tool_name.clone(),
                source,
            })?;
        let tool = mcp_tool(operation.tool_definition());
        let structured = tool
            .output_schema
            .as_ref()
            .and(operation.response.as_ref())
            .map(|response| response.wrapped);
        Ok(Endpoint {
            method: reqwest_method(operation.method),
            operation,
            path,
            targets,
            tool,
            defaults,
            response_path,
            validator: OnceLock::new(),
            structured,
            output_validator: OnceLock::new(),
        })
    }

    /// The operation this endpoint calls.
    pub fn operation(&self) -> &Operation {
        &self.operation
    }

    /// The MCP tool served for this endpoint (built once; clones share its schemas).
    pub fn tool(&self) -> Tool {
        self.tool.clone()
    }

    /// The tool's input schema.
    pub fn input_schema(&self) -> &Arc<Map<String, Value>> {
        &self.tool.input_schema
    }

    pub(crate) fn method(&self) -> &reqwest::Method {
        &self.method
    }

    pub(crate) fn path_pieces(&self) -> &[PathPiece] {
        &self.path
    }

    pub(crate) fn target(&self, argument: &str) -> Option<ArgumentTarget> {
        self.targets.get(argument).copied()
    }

    pub(crate) fn argument_names(&self) -> impl Iterator<Item = &str> + Clone {
        self.targets.keys().map(String::as_str)
    }

    /// Schema defaults for arguments the caller left out.
    pub(crate) fn defaults(&self) -> &[(String, Value)] {
        &self.defaults
    }

    /// Whether the tool declares an output schema (`Some`), and whether that schema wraps
    /// the body as `{"result": ...}` (`Some(true)`).
    pub(crate) fn structured(&self) -> Option<bool> {
        self.structured
    }

    /// Whether `value` conforms to the tool's output schema (true when there is none or it
    /// does not compile: then there is nothing a client could check it against).
    pub(crate) fn conforms_to_output(&self, value: &Value) -> bool {
        let validator = self.output_validator.get_or_init(|| {
            self.tool.output_schema.as_ref().and_then(|schema| {
                jsonschema::validator_for(&Value::Object((**schema).clone())).ok()
            })
        });
        validator.as_ref().is_none_or(|v| v.is_valid(value))
    }

    /// The part of the response to return, if configured.
    pub(crate) fn response_path(&self) -> Option<&ResponsePath> {
        self.response_path.as_ref()
    }

    /// The validator, compiled on first use (so start-up stays fast for big specs).
    pub(crate) fn validator(&self) -> &ArgumentValidator {
        self.validator
            .get_or_init(|| ArgumentValidator::new(&self.tool.input_schema))
    }
}

/// The path template's pieces with each placeholder bound to its path parameter.
fn bind_path(operation: &Operation) -> Result<Vec<PathPiece>, EndpointError> {
    operation
        .path
        .pieces()
        .iter()
        .map(|piece| match piece {
            TemplatePiece::Literal(text) => Ok(PathPiece::Literal(text.clone())),
            TemplatePiece::Parameter(name) => operation
                .parameters
                .iter()
                .position(|p| p.location == ParamLocation::Path && p.name == *name)
                .map(PathPiece::Parameter)
                .ok_or_else(|| EndpointError::UnboundPlaceholder {
                    tool: operation.tool_name.clone(),
                    name: name.clone(),
                }),
        })
        .collect()
}

fn reqwest_method(method: HttpMethod) -> reqwest::Method {
    match method {
        HttpMethod::Get => reqwest::Method::GET,
        HttpMethod::Put => reqwest::Method::PUT,
        HttpMethod::Post => reqwest::Method::POST,
        HttpMethod::Delete => reqwest::Method::DELETE,
        HttpMethod::Options => reqwest::Method::OPTIONS,
        HttpMethod::Head => reqwest::Method::HEAD,
        HttpMethod::Patch => reqwest::Method::PATCH,
        HttpMethod::Trace => reqwest::Method::TRACE,
    }
}

/// The one conversion of the loader's wire view of a tool into rmcp's [`Tool`].
pub fn mcp_tool(definition: ToolDefinition) -> Tool {
    let hints = definition.annotations;
    let annotations = ToolAnnotations::from_raw(
        None,
        Some(hints.read_only_hint),
        Some(hints.destructive_hint),
        Some(hints.idempotent_hint),
        Some(hints.open_world_hint),
    );
    let input_schema = match definition.input_schema {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let mut tool = Tool::new_with_raw(
        definition.name,
        Some(definition.description.into()),
        Arc::new(input_schema),
    )
    .with_annotations(annotations);
    if let Some(title) = definition.title {
        tool = tool.with_title(title);
    }
    if let Some(Value::Object(output)) = definition.output_schema {
        tool = tool.with_raw_output_schema(Arc::new(output));
    }
    tool
}
