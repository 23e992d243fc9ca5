//! OpenAI's strict mode (Structured Outputs, and function calling with `strict: true`),
//! as documented when strict mode shipped: the root is an object and not an `anyOf`;
//! every object has `additionalProperties: false` and lists all of its properties in
//! `required` (an optional field is written as a union with `null`); the supported
//! types are string, number, boolean, integer, object, array and null, with `enum`,
//! `const`, `anyOf`, `$ref`/`$defs`; keywords outside that set (for strings
//! `minLength`, `maxLength`, `pattern`, `format`; for numbers `minimum`, `maximum`,
//! `multipleOf`; for objects `patternProperties`, `unevaluatedProperties`,
//! `propertyNames`, `minProperties`, `maxProperties`; for arrays `unevaluatedItems`,
//! `contains`, `minContains`, `maxContains`, `minItems`, `maxItems`, `uniqueItems`; and
//! `allOf`, `not`, `if`/`then`/`else`, `dependentRequired`, `dependentSchemas`) are not
//! supported.

use serde_json::Value;

use super::Violation;
use super::walk::{each, types};

const KEYWORDS: [&str; 12] = [
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "anyOf",
    "enum",
    "const",
    "description",
    "title",
    "$ref",
    "$defs",
];

const TYPES: [&str; 7] = [
    "string", "number", "boolean", "integer", "object", "array", "null",
];

/// The violations of an input schema.
pub fn openai_strict(schema: &Value) -> Vec<Violation> {
    let mut found = Vec::new();
    let mut push = |rule: &'static str, at: &str| {
        found.push(Violation {
            rule,
            at: at.to_owned(),
        })
    };
    if schema.get("type") != Some(&Value::from("object")) {
        push("openai: the root is an object", "");
    }
    if schema.get("anyOf").is_some() {
        push("openai: the root is not an anyOf", "");
    }
    each(schema, &mut |node, at| {
        if node.keys().any(|key| !KEYWORDS.contains(&key.as_str())) {
            push("openai: only supported keywords", at);
        }
        let declared = types(node);
        if declared.iter().any(|t| !TYPES.contains(t)) {
            push("openai: only supported types", at);
        }
        let typed = !declared.is_empty()
            || ["anyOf", "enum", "const", "$ref"]
                .iter()
                .any(|key| node.contains_key(*key));
        if !typed {
            push(
                "openai: every schema has a type (or anyOf, enum, const, $ref)",
                at,
            );
        }
        if declared.contains(&"object") {
            if node.get("additionalProperties") != Some(&Value::Bool(false)) {
                push("openai: every object has `additionalProperties: false`", at);
            }
            let names: Vec<&String> = node
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().collect())
                .unwrap_or_default();
            let required: Vec<&str> = node
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if names.iter().any(|name| !required.contains(&name.as_str())) {
                push("openai: every property is in `required`", at);
            }
            if node.get("properties").is_none() {
                push("openai: every object has `properties`", at);
            }
        }
        if declared.contains(&"array") && !node.get("items").is_some_and(Value::is_object) {
            push("openai: every array has an `items` schema", at);
        }
    });
    found
}
