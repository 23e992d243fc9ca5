//! Gemini's function declarations: a subset of the OpenAPI 3.0 schema object. One
//! `type` (never an array, never `"null"`: `nullable: true` instead), arrays always with
//! `items`, `enum` only on strings, `format` only `date-time`/`enum` on strings,
//! `float`/`double` on numbers and `int32`/`int64` on integers, and none of
//! `additionalProperties`, `$schema`, `$ref`/`$defs`, `oneOf`, `allOf`, `not` or `const`.
//! Objects without named properties, and values of any type, travel as JSON text.
//!
//! The same rewrite without `nullable` (which only Gemini and OpenAPI 3.0 read) is the
//! `portable` dialect.

use serde_json::{Value, json};

use super::steps::{
    Schema, as_json_text, describe, flatten_root, is_free_form_object, is_null_only, is_untyped,
    keep_only, merge_all_of, one_of_to_any_of, types, values_note,
};

/// The keywords of Gemini's schema object.
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

/// How a dialect of this family says that `null` is accepted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Nulls {
    /// `nullable: true` (Gemini).
    Nullable,
    /// Not at all: a property that may be null may also be left out, which is what a
    /// model does (portable).
    Omitted,
}

/// Rewrite one schema object (its subschemas are already rewritten).
pub(super) fn input(schema: &mut Schema, is_root: bool, nulls: Nulls) {
    // A `{"type": "null"}` branch is removed by its parent's `anyOf` below.
    if is_null_only(schema) && !is_root {
        return;
    }
    merge_all_of(schema);
    one_of_to_any_of(schema);
    if is_root {
        flatten_root(schema);
    }
    null_only_children(schema, nulls);
    let mut nullable = schema.remove("nullable") == Some(Value::Bool(true));
    nullable |= single_type(schema);
    nullable |= drop_null_branches(schema);
    if !is_root && (is_untyped(schema) || is_free_form_object(schema)) {
        as_json_text(schema);
    }
    nullable |= strings_only_enum(schema);
    constant(schema);
    keep_format(schema);
    if types(schema) == ["array"] && !schema.get("items").is_some_and(Value::is_object) {
        let mut items = Schema::new();
        as_json_text(&mut items);
        schema.insert("items".to_owned(), Value::Object(items));
    }
    keep_only(schema, &KEYWORDS);
    if nullable && nulls == Nulls::Nullable && !is_root {
        schema.insert("nullable".to_owned(), json!(true));
    }
}

/// A property or item that can only be `null` (a `{"type": "null"}` left outside any
/// `anyOf`) becomes a string that may be null (Gemini) or the JSON text `null`.
fn null_only_children(schema: &mut Schema, nulls: Nulls) {
    let mut fix = |child: &mut Value| {
        if let Value::Object(child) = child
            && is_null_only(child)
        {
            child.clear();
            child.insert("type".to_owned(), json!("string"));
            match nulls {
                Nulls::Nullable => {
                    child.insert("nullable".to_owned(), json!(true));
                    child.insert("description".to_owned(), json!("Always null."));
                }
                Nulls::Omitted => {
                    child.insert(
                        "description".to_owned(),
                        json!("Always null: leave it out (or send the JSON text null)."),
                    );
                }
            }
        }
    };
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        properties.values_mut().for_each(&mut fix);
    }
    if let Some(items) = schema.get_mut("items") {
        fix(items);
    }
}

/// One `type`: `null` leaves a type array (and says the value may be null), and several
/// types left become `anyOf` branches. Returns whether `null` was among them.
fn single_type(schema: &mut Schema) -> bool {
    let names = types(schema);
    let had_null = names.iter().any(|name| name == "null");
    let rest: Vec<String> = names.into_iter().filter(|name| name != "null").collect();
    match rest.as_slice() {
        [] => {
            schema.remove("type");
        }
        [only] => {
            schema.insert("type".to_owned(), json!(only));
        }
        several => {
            schema.remove("type");
            if !schema.contains_key("anyOf") {
                let branches: Vec<Value> = several.iter().map(|t| json!({"type": t})).collect();
                schema.insert("anyOf".to_owned(), Value::Array(branches));
            }
        }
    }
    had_null
}

/// Remove `{"type": "null"}` branches of `anyOf` (a lone branch left is merged in).
/// Returns whether there was one.
fn drop_null_branches(schema: &mut Schema) -> bool {
    let Some(Value::Array(branches)) = schema.get_mut("anyOf") else {
        return false;
    };
    let before = branches.len();
    branches.retain(|b| !b.as_object().is_some_and(is_null_only));
    let had_null = branches.len() != before;
    if branches.len() == 1
        && let Some(Value::Object(only)) = branches.pop()
    {
        schema.remove("anyOf");
        for (key, value) in only {
            if key == "description" && schema.contains_key("description") {
                continue;
            }
            schema.insert(key, value);
        }
    } else if branches.is_empty() {
        schema.remove("anyOf");
    }
    had_null
}

/// `enum` only on strings, of strings: others become a note in the description. Returns
/// whether `null` was one of the values.
fn strings_only_enum(schema: &mut Schema) -> bool {
    let Some(Value::Array(values)) = schema.remove("enum") else {
        return false;
    };
    let had_null = values.contains(&Value::Null);
    let values: Vec<Value> = values.into_iter().filter(|v| !v.is_null()).collect();
    let strings = values.iter().all(Value::is_string);
    let typed = types(schema);
    if strings && !values.is_empty() && (typed.is_empty() || typed == ["string"]) {
        schema.insert("type".to_owned(), json!("string"));
        schema.insert("enum".to_owned(), Value::Array(values));
    } else if !values.is_empty() {
        describe(schema, &values_note(&values));
    }
    had_null
}

/// `const` as a one-value string `enum`, or as a note.
fn constant(schema: &mut Schema) {
    let Some(value) = schema.remove("const") else {
        return;
    };
    match value {
        Value::String(_) => {
            schema.insert("type".to_owned(), json!("string"));
            schema.insert("enum".to_owned(), json!([value]));
        }
        other => describe(schema, &format!("Always {other}.")),
    }
}

/// Keep `format` only where Gemini reads it.
fn keep_format(schema: &mut Schema) {
    let Some(format) = schema.get("format").and_then(Value::as_str) else {
        schema.remove("format");
        return;
    };
    let allowed = match types(schema).first().map(String::as_str) {
        Some("string") => ["date-time", "enum"].contains(&format),
        Some("number") => ["float", "double"].contains(&format),
        Some("integer") => ["int32", "int64"].contains(&format),
        _ => false,
    };
    if !allowed {
        schema.remove("format");
    }
}
