//! Gemini's function declarations (`FunctionDeclaration.parameters`): "a select subset of
//! an OpenAPI 3.0 schema object". Its fields are `type` (one of STRING, NUMBER, INTEGER,
//! BOOLEAN, ARRAY, OBJECT: no arrays of types, no null type), `format`, `title`,
//! `description`, `nullable`, `enum` (for STRING), `items` (required for ARRAY),
//! `properties`, `required`, `anyOf`, `minItems`, `maxItems`, `minimum`, `maximum`,
//! `minLength`, `maxLength`, `pattern`, `minProperties`, `maxProperties` and
//! `propertyOrdering`. Anything else (`additionalProperties`, `$schema`, `$ref`,
//! `$defs`, `oneOf`, `allOf`, `not`, `const`, `default`, `examples`...) is rejected as an
//! unknown field. Supported formats: `float`, `double` for NUMBER; `int32`, `int64` for
//! INTEGER; `enum`, `date-time` for STRING. An OBJECT below the root needs non-empty
//! `properties`.

use serde_json::Value;

use super::Violation;
use super::walk::each;

const KEYWORDS: [&str; 20] = [
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "items",
    "properties",
    "required",
    "anyOf",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minProperties",
    "maxProperties",
    "propertyOrdering",
];

const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];

/// The violations of an input schema.
pub fn gemini(schema: &Value) -> Vec<Violation> {
    let mut found = Vec::new();
    let mut push = |rule: &'static str, at: &str| {
        found.push(Violation {
            rule,
            at: at.to_owned(),
        })
    };
    if schema.get("type") != Some(&Value::from("object")) {
        push("gemini: parameters are an OBJECT", "");
    }
    each(schema, &mut |node, at| {
        if node.keys().any(|key| !KEYWORDS.contains(&key.as_str())) {
            push("gemini: only the fields of its Schema object", at);
        }
        let single = match node.get("type") {
            None => None,
            Some(Value::String(name)) if TYPES.contains(&name.as_str()) => Some(name.as_str()),
            Some(_) => {
                push(
                    "gemini: `type` is one name of string, number, integer, boolean, array or object",
                    at,
                );
                None
            }
        };
        if node.get("type").is_none() && !node.contains_key("anyOf") {
            push("gemini: every schema has a `type` (or `anyOf`)", at);
        }
        if let Some(values) = node.get("enum") {
            let strings = values
                .as_array()
                .is_some_and(|v| v.iter().all(Value::is_string));
            if single != Some("string") || !strings {
                push("gemini: `enum` only on strings, of strings", at);
            }
        }
        if let Some(format) = node.get("format") {
            let allowed: &[&str] = match single {
                Some("string") => &["enum", "date-time"],
                Some("number") => &["float", "double"],
                Some("integer") => &["int32", "int64"],
                _ => &[],
            };
            if !format.as_str().is_some_and(|f| allowed.contains(&f)) {
                push("gemini: only the supported formats of each type", at);
            }
        }
        if node.get("nullable").is_some_and(|n| !n.is_boolean()) {
            push("gemini: `nullable` is a boolean", at);
        }
        if single == Some("array") && !node.get("items").is_some_and(Value::is_object) {
            push("gemini: every ARRAY has `items`", at);
        }
        let named = node
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        if single == Some("object") && !at.is_empty() && !named {
            push(
                "gemini: an OBJECT below the root has non-empty `properties`",
                at,
            );
        }
    });
    found
}
