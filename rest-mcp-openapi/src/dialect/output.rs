//! Served output schemas under the portable dialect. Clients validate `structuredContent` against
//! the output schema they were given, and the server produces it to conform to the
//! original, so an output schema is only ever rewritten into an equivalent one: `type`
//! arrays become `anyOf` branches, boolean subschemas objects (`{}`, `{"not": {}}`), and
//! `$schema` goes, for the MCP clients that read `type` as a single string; and a schema
//! that accepts anything without saying so (`{}`, or only a description) says so with an
//! `anyOf` of every JSON type, which the MCP Inspector's strict check asks for.

use serde_json::{Value, json};

use super::steps::{Schema, split_type_array};

/// Keywords that constrain an instance; a schema with none of them accepts anything.
const VALIDATION_KEYWORDS: [&str; 36] = [
    "type",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "if",
    "$ref",
    "$dynamicRef",
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "unevaluatedProperties",
    "required",
    "dependentRequired",
    "dependentSchemas",
    "minProperties",
    "maxProperties",
    "items",
    "prefixItems",
    "contains",
    "unevaluatedItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "pattern",
    "minLength",
    "maxLength",
    "format",
];

/// Rewrite one schema object equivalently.
pub(super) fn output(schema: &mut Schema, _is_root: bool) {
    schema.remove("$schema");
    split_type_array(schema);
    let constrains = schema
        .keys()
        .any(|key| VALIDATION_KEYWORDS.contains(&key.as_str()));
    if !constrains {
        let any_type: Vec<Value> = ["object", "array", "string", "number", "boolean", "null"]
            .iter()
            .map(|name| json!({ "type": name }))
            .collect();
        schema.insert("anyOf".to_owned(), Value::Array(any_type));
    }
}
