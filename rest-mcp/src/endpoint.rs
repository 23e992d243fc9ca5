//! [`Endpoint`]: an [`Operation`] compiled once into what every call needs: the path
//! template split into pieces, the table from argument name to where it travels, the
//! defaults to apply, and (built on first use) the argument validator.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rest_mcp_openapi::{BodyMapping, Operation};
use rmcp::model::{Tool, ToolAnnotations};
use serde_json::{Map, Value};

use crate::response::path::ResponsePath;
use crate::validate::ArgumentValidator;

/// A piece of a path template.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PathPiece {
    /// Text written in the spec, sent as is.
    Literal(String),
    /// A path parameter (index into the operation's parameters).
    Parameter(usize),
}

/// Where a tool argument goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArgumentTarget {
    /// A path, query, header or cookie parameter (index into the parameters).
    Parameter(usize),
    /// A flattened body property (index into the body fields).
    BodyField(usize),
    /// The whole body.
    WholeBody,
}

/// A compiled request template for one operation.
#[derive(Debug)]
pub struct Endpoint {
    operation: Operation,
    method: reqwest::Method,
    path: Vec<PathPiece>,
    targets: HashMap<String, ArgumentTarget>,
    input_schema: Arc<Map<String, Value>>,
    defaults: Vec<(String, Value)>,
    response_path: Option<ResponsePath>,
    validator: OnceLock<ArgumentValidator>,
    /// Whether the tool declares an output schema, and whether it wraps the body.
    structured: Option<bool>,
    output_schema: Option<Arc<Map<String, Value>>>,
    output_validator: OnceLock<Option<jsonschema::Validator>>,
}

impl Endpoint {
    /// Compile an operation. Fails on a malformed `response_path`, or on a model that
    /// violates its own invariants (a path placeholder with no parameter).
    pub fn new(operation: Operation) -> Result<Endpoint, String> {
        let method = reqwest::Method::from_bytes(operation.method.as_str().as_bytes())
            .map_err(|e| format!("{}: {e}", operation.tool_name))?;
        let path = split_path(&operation)?;
        let mut targets = HashMap::new();
        for (index, parameter) in operation.parameters.iter().enumerate() {
            targets.insert(parameter.argument.clone(), ArgumentTarget::Parameter(index));
        }
        match operation.request_body.as_ref().map(|b| &b.mapping) {
            Some(BodyMapping::Flattened { fields }) => {
                for (index, field) in fields.iter().enumerate() {
                    targets.insert(field.argument.clone(), ArgumentTarget::BodyField(index));
                }
            }
            Some(BodyMapping::Whole { argument, .. }) => {
                targets.insert(argument.clone(), ArgumentTarget::WholeBody);
            }
            None => {}
        }
        let input_schema = match operation.input_schema() {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let defaults = input_schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|properties| {
                properties
                    .iter()
                    .filter_map(|(name, schema)| {
                        Some((name.clone(), schema.get("default")?.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let response_path = operation
            .response_path
            .as_deref()
            .map(ResponsePath::parse)
            .transpose()
            .map_err(|e| format!("{}: {e}", operation.tool_name))?;
        let output_schema = match operation.output_schema() {
            Some(Value::Object(map)) => Some(Arc::new(map)),
            _ => None,
        };
        let structured = output_schema
            .as_ref()
            .and(operation.response.as_ref())
            .map(|response| response.wrapped);
        Ok(Endpoint {
            operation,
            method,
            path,
            targets,
            input_schema: Arc::new(input_schema),
            defaults,
            response_path,
            validator: OnceLock::new(),
            structured,
            output_schema,
            output_validator: OnceLock::new(),
        })
    }

    /// The operation this endpoint calls.
    pub fn operation(&self) -> &Operation {
        &self.operation
    }

    /// The MCP tool definition, sharing this endpoint's schemas (built once per operation).
    pub fn tool(&self) -> Tool {
        let operation = &self.operation;
        let hints = operation.annotations;
        let annotations = ToolAnnotations::from_raw(
            None,
            Some(hints.read_only),
            Some(hints.destructive),
            Some(hints.idempotent),
            Some(hints.open_world),
        );
        let mut tool = Tool::new_with_raw(
            operation.tool_name.clone(),
            Some(operation.tool_description().into()),
            self.input_schema.clone(),
        )
        .with_annotations(annotations);
        if let Some(title) = &operation.summary {
            tool = tool.with_title(title.clone());
        }
        if let Some(output) = &self.output_schema {
            tool = tool.with_raw_output_schema(output.clone());
        }
        tool
    }

    /// The tool's input schema.
    pub fn input_schema(&self) -> &Arc<Map<String, Value>> {
        &self.input_schema
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
            self.output_schema.as_ref().and_then(|schema| {
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
            .get_or_init(|| ArgumentValidator::new(&self.input_schema))
    }
}

/// `/users/{id}/keys/{key}.json` → literal, parameter, literal, parameter, literal.
fn split_path(operation: &Operation) -> Result<Vec<PathPiece>, String> {
    let mut pieces = Vec::new();
    let mut rest = operation.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(length) = rest[start..].find('}') else {
            break;
        };
        if start > 0 {
            pieces.push(PathPiece::Literal(rest[..start].to_owned()));
        }
        let name = &rest[start + 1..start + length];
        let index = operation
            .parameters
            .iter()
            .position(|p| p.location == rest_mcp_openapi::ParamLocation::Path && p.name == name)
            .ok_or_else(|| {
                format!(
                    "{}: `{{{name}}}` has no path parameter",
                    operation.tool_name
                )
            })?;
        pieces.push(PathPiece::Parameter(index));
        rest = &rest[start + length + 1..];
    }
    if !rest.is_empty() {
        pieces.push(PathPiece::Literal(rest.to_owned()));
    }
    Ok(pieces)
}
