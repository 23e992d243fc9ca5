//! Arguments sent against a served (rewritten) schema, put back into the form of the
//! original before it validates them: a `null` the dialect allowed in place of an omitted
//! optional argument is removed, and JSON text the dialect asked for in place of an
//! object, array or value of any type is parsed.

use serde_json::{Map, Value};

use super::steps::{Schema, types};

/// Deepest nesting restored.
const MAX_DEPTH: usize = 64;

/// Put `arguments`, written against the `served` input schema, back into the shape of
/// the `original` one. Values that are fine as they are stay untouched; whatever does not
/// fit either schema is left for validation to report.
///
/// ```
/// use rest_mcp_openapi::{SchemaDialect, restore_arguments};
/// use serde_json::{Map, Value, json};
///
/// let Value::Object(original) = json!({"type": "object", "properties": {
///     "labels": {"type": "object", "additionalProperties": {"type": "string"}},
///     "note": {"type": "string"}}}) else { unreachable!() };
/// let served = SchemaDialect::OpenAi.input_schema(&original);
/// let Value::Object(mut arguments) = json!({"labels": "{\"env\": \"prod\"}", "note": null})
///     else { unreachable!() };
/// restore_arguments(&original, &served, &mut arguments);
/// assert_eq!(Value::Object(arguments), json!({"labels": {"env": "prod"}}));
/// ```
pub fn restore_arguments(
    original: &Map<String, Value>,
    served: &Map<String, Value>,
    arguments: &mut Map<String, Value>,
) {
    restore_object(original, served, arguments, 0);
}

fn restore_object(
    original: &Schema,
    served: &Schema,
    object: &mut Map<String, Value>,
    depth: usize,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    let required = required_names(original);
    let mut removed = Vec::new();
    for (name, value) in object.iter_mut() {
        let (Some(original), Some(served)) = (property(original, name), property(served, name))
        else {
            continue;
        };
        if value.is_null() && !accepts_null(original) && !required.contains(&name.as_str()) {
            removed.push(name.clone());
            continue;
        }
        restore_value(original, served, value, depth + 1);
    }
    for name in removed {
        object.remove(&name);
    }
}

fn restore_value(original: &Schema, served: &Schema, value: &mut Value, depth: usize) {
    if let Value::String(text) = value
        && types(served).iter().all(|t| t == "string" || t == "null")
        && types(served).iter().any(|t| t == "string")
        && !types(original).iter().any(|t| t == "string")
        && let Ok(parsed) = serde_json::from_str::<Value>(text)
    {
        *value = parsed;
        return;
    }
    match value {
        Value::Object(object) => restore_object(original, served, object, depth),
        Value::Array(items) => {
            let (Some(Value::Object(original)), Some(Value::Object(served))) =
                (original.get("items"), served.get("items"))
            else {
                // The dialect gave items where the original has none: JSON text.
                if original.get("items").is_none()
                    && let Some(Value::Object(served)) = served.get("items")
                {
                    for item in items {
                        restore_value(&Schema::new(), served, item, depth + 1);
                    }
                }
                return;
            };
            for item in items {
                restore_value(original, served, item, depth + 1);
            }
        }
        _ => {}
    }
}

/// The schema of property `name`: the root's, or (for a root union a dialect flattened)
/// the first branch's that has one.
fn property<'a>(schema: &'a Schema, name: &str) -> Option<&'a Schema> {
    if let Some(found) = schema
        .get("properties")
        .and_then(|p| p.get(name))
        .and_then(Value::as_object)
    {
        return Some(found);
    }
    ["allOf", "anyOf", "oneOf"]
        .iter()
        .filter_map(|key| schema.get(*key).and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_object)
        .find_map(|branch| property(branch, name))
}

fn required_names(schema: &Schema) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Whether `schema` may accept `null` (when unsure, it may: the null is then kept).
fn accepts_null(schema: &Schema) -> bool {
    let declared = types(schema);
    if declared.is_empty() {
        let branches: Vec<&Schema> = ["anyOf", "oneOf"]
            .iter()
            .filter_map(|key| schema.get(*key).and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_object)
            .collect();
        if !branches.is_empty() {
            return branches.iter().any(|branch| accepts_null(branch));
        }
        return !schema.contains_key("enum") || enum_has_null(schema);
    }
    declared.iter().any(|t| t == "null") || schema.get("nullable") == Some(&Value::Bool(true))
}

fn enum_has_null(schema: &Schema) -> bool {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.contains(&Value::Null))
}
