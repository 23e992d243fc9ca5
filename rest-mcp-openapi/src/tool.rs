//! Views of an [`Operation`] as an MCP tool: input schema, output schema, description and
//! the serializable tool definition every front end serves.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::model::{ApiModel, Operation};

/// An MCP tool definition, serialized exactly as `tools/list` carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolDefinition {
    /// Tool name.
    pub name: String,
    /// Human-readable title (the operation summary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the tool does, for the model.
    pub description: String,
    /// JSON Schema of the arguments (an object schema).
    pub input_schema: Value,
    /// JSON Schema of `structuredContent`, when the response is JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
    /// Behaviour hints.
    pub annotations: ToolAnnotations,
}

/// MCP tool annotations with their wire names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolAnnotations {
    /// `readOnlyHint`.
    pub read_only_hint: bool,
    /// `destructiveHint`.
    pub destructive_hint: bool,
    /// `idempotentHint`.
    pub idempotent_hint: bool,
    /// `openWorldHint`.
    pub open_world_hint: bool,
}

impl ApiModel {
    /// Tool definitions of every operation, in model order.
    pub fn tool_definitions(&self) -> Vec<ToolDefinition> {
        self.operations
            .iter()
            .map(Operation::tool_definition)
            .collect()
    }
}

impl Operation {
    /// The MCP tool definition of this operation.
    pub fn tool_definition(&self) -> ToolDefinition {
        ToolDefinition {
            name: self.tool_name.clone(),
            title: self.summary.clone(),
            description: self.tool_description(),
            input_schema: self.input_schema(),
            output_schema: self.output_schema(),
            annotations: ToolAnnotations {
                read_only_hint: self.annotations.read_only,
                destructive_hint: self.annotations.destructive,
                idempotent_hint: self.annotations.idempotent,
                open_world_hint: self.annotations.open_world,
            },
        }
    }

    /// Summary and description joined, with the HTTP call and deprecation noted, so a model
    /// knows what the tool does even when the spec says little.
    pub fn tool_description(&self) -> String {
        let mut text = String::new();
        let summary = self.summary.as_deref().map(str::trim).unwrap_or("");
        let description = self.description.as_deref().map(str::trim).unwrap_or("");
        if !summary.is_empty() {
            text.push_str(summary);
        }
        if !description.is_empty() && description != summary {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(description);
        }
        if self.deprecated {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str("Deprecated.");
        }
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&format!("HTTP: {} {}", self.method, self.path));
        text
    }

    /// One object schema for all arguments: parameters first, then the body.
    pub fn input_schema(&self) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for argument in self.arguments() {
            properties.insert(argument.name.to_owned(), argument.schema.clone());
            if argument.required {
                required.push(Value::String(argument.name.to_owned()));
            }
        }
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required));
        }
        schema.insert("additionalProperties".into(), json!(false));
        Value::Object(schema)
    }

    /// The schema of `structuredContent`: the success response schema, wrapped as
    /// `{"result": …}` when its root is not an object. None when the tool returns only a
    /// part of the response (`response_path`), whose shape the spec does not describe.
    pub fn output_schema(&self) -> Option<Value> {
        if self.response_path.is_some() {
            return None;
        }
        let response = self.response.as_ref()?;
        if !response.wrapped {
            return Some(response.schema.clone());
        }
        Some(json!({
            "type": "object",
            "properties": { "result": response.schema },
        }))
    }
}
