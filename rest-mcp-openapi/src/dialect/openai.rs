//! OpenAI's strict mode (function calling and structured outputs with `strict: true`):
//! the root is an object; every object lists all its properties in `required` and has
//! `additionalProperties: false`; an optional property is made nullable instead
//! (`type: [.., "null"]`); only `type`, `properties`, `required`, `additionalProperties`,
//! `items`, `anyOf`, `enum`, `const`, `description`, `title`, `$ref` and `$defs` are
//! kept (no `format`, `pattern`, length or range keywords, `allOf`, `oneOf`, `not`,
//! `default`). Objects without named properties, and values of any type, travel as JSON
//! text.

use serde_json::{Value, json};

use super::steps::{
    Schema, as_json_text, flatten_root, is_free_form_object, is_untyped, keep_only, merge_all_of,
    one_of_to_any_of, types,
};

/// The keywords strict mode accepts.
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

/// Rewrite one schema object (its subschemas are already rewritten).
pub(super) fn input(schema: &mut Schema, is_root: bool) {
    merge_all_of(schema);
    one_of_to_any_of(schema);
    if is_root {
        flatten_root(schema);
    } else if is_untyped(schema) || is_free_form_object(schema) {
        as_json_text(schema);
        return;
    }
    if types(schema).iter().any(|t| t == "array") {
        let tuple_or_missing = !schema.get("items").is_some_and(Value::is_object);
        if tuple_or_missing {
            let mut items = Schema::new();
            as_json_text(&mut items);
            schema.insert("items".to_owned(), Value::Object(items));
        }
    }
    type_enum(schema);
    close_object(schema);
    keep_only(schema, &KEYWORDS);
}

/// Every property required, the optional ones nullable, nothing else allowed.
fn close_object(schema: &mut Schema) {
    let Some(Value::Object(properties)) = schema.get("properties") else {
        return;
    };
    let names: Vec<String> = properties.keys().cloned().collect();
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            if !required.contains(name)
                && let Value::Object(property) = property
            {
                make_nullable(property);
            }
        }
    }
    schema.insert("required".to_owned(), json!(names));
    schema.insert("additionalProperties".to_owned(), json!(false));
    schema.entry("type").or_insert_with(|| json!("object"));
}

/// An `enum` or `const` without a `type` gets the type of its values, when they share one.
fn type_enum(schema: &mut Schema) {
    if schema.contains_key("type") || schema.contains_key("anyOf") {
        return;
    }
    let values: Vec<&Value> = match (schema.get("enum"), schema.get("const")) {
        (Some(Value::Array(values)), _) => values.iter().collect(),
        (_, Some(value)) => vec![value],
        _ => return,
    };
    let name = |value: &Value| match value {
        Value::String(_) => Some("string"),
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
        Value::Number(_) => Some("number"),
        _ => None,
    };
    let first = values.first().and_then(|v| name(v));
    if let Some(first) = first
        && values.iter().all(|v| name(v) == Some(first))
    {
        schema.insert("type".to_owned(), json!(first));
    }
}

/// Let `schema` also accept `null`.
fn make_nullable(schema: &mut Schema) {
    match schema.get_mut("type") {
        Some(Value::String(name)) if name != "null" => {
            let name = name.clone();
            schema.insert("type".to_owned(), json!([name, "null"]));
        }
        Some(Value::Array(names)) => {
            if !names.contains(&json!("null")) {
                names.push(json!("null"));
            }
        }
        Some(_) => {}
        None => {
            if let Some(Value::Array(branches)) = schema.get_mut("anyOf") {
                if !branches
                    .iter()
                    .any(|b| b.get("type") == Some(&json!("null")))
                {
                    branches.push(json!({"type": "null"}));
                }
                return;
            }
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    if let Some(constant) = schema.remove("const") {
        schema.insert("enum".to_owned(), json!([constant, null]));
    }
}
