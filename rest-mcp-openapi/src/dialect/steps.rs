//! The rewriting steps the dialects are made of, each on one schema object whose
//! subschemas were already rewritten.

use serde_json::{Map, Value, json};

/// A schema object.
pub(super) type Schema = Map<String, Value>;

/// The types `schema` declares, `type: "x"` and `type: [..]` alike (none when absent).
pub(super) fn types(schema: &Schema) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(name)) => vec![name.clone()],
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `schema` is `{"type": "null"}` (with at most a description): the null branch of
/// a nullable `anyOf`.
pub(super) fn is_null_only(schema: &Schema) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        && schema
            .keys()
            .all(|key| key == "type" || key == "description")
}

/// Keep only the keywords in `allowed`.
pub(super) fn keep_only(schema: &mut Schema, allowed: &[&str]) {
    schema.retain(|key, _| allowed.contains(&key.as_str()));
}

/// `oneOf` becomes `anyOf` (looser: the server still validates against the original).
pub(super) fn one_of_to_any_of(schema: &mut Schema) {
    if let Some(one_of) = schema.remove("oneOf") {
        match schema.get_mut("anyOf") {
            Some(Value::Array(any_of)) => {
                if let Value::Array(branches) = one_of {
                    any_of.extend(branches);
                }
            }
            _ => {
                schema.insert("anyOf".to_owned(), one_of);
            }
        }
    }
}

/// Merge the branches of `allOf` into `schema`: properties and `required` are united,
/// other keywords are taken from the first branch that has them.
pub(super) fn merge_all_of(schema: &mut Schema) {
    let Some(Value::Array(branches)) = schema.remove("allOf") else {
        return;
    };
    for branch in branches {
        let Value::Object(branch) = branch else {
            continue;
        };
        merge_object(schema, branch);
    }
}

/// Merge `branch` into `schema` (see [`merge_all_of`]).
fn merge_object(schema: &mut Schema, branch: Schema) {
    for (key, value) in branch {
        match (key.as_str(), schema.get_mut(&key), value) {
            ("properties", Some(Value::Object(mine)), Value::Object(theirs)) => {
                for (name, property) in theirs {
                    mine.entry(name).or_insert(property);
                }
            }
            ("required", Some(Value::Array(mine)), Value::Array(theirs)) => {
                for name in theirs {
                    if !mine.contains(&name) {
                        mine.push(name);
                    }
                }
            }
            (_, Some(_), _) => {}
            (_, None, value) => {
                schema.insert(key, value);
            }
        }
    }
}

/// A root that is an object with no top-level `anyOf`, `oneOf` or `allOf`: the branches'
/// properties become the root's, and a property is required when every branch requires
/// it. (Which combinations are valid is still checked server-side.)
pub(super) fn flatten_root(schema: &mut Schema) {
    merge_all_of(schema);
    let mut branches: Vec<Value> = Vec::new();
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = schema.remove(key) {
            branches.extend(list);
        }
    }
    let branches: Vec<Schema> = branches
        .into_iter()
        .filter_map(|branch| match branch {
            Value::Object(mut branch) => {
                merge_all_of(&mut branch);
                Some(branch)
            }
            _ => None,
        })
        .collect();
    if !branches.is_empty() {
        let required_by_all: Vec<Value> = branches[0]
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|name| {
                branches.iter().all(|b| {
                    b.get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|r| r.contains(name))
                })
            })
            .cloned()
            .collect();
        let properties = schema
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(properties) = properties {
            for branch in &branches {
                if let Some(Value::Object(theirs)) = branch.get("properties") {
                    for (name, property) in theirs {
                        properties
                            .entry(name.clone())
                            .or_insert_with(|| property.clone());
                    }
                }
            }
        }
        let required = schema
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(required) = required {
            for name in required_by_all {
                if !required.contains(&name) {
                    required.push(name);
                }
            }
        }
    }
    schema.insert("type".to_owned(), json!("object"));
    schema
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        schema.remove("required");
    }
}

/// Replace `schema` by a string that carries the value as JSON text: for what a dialect
/// cannot describe (a free-form object, a value of any type). The server parses it back
/// before validating against the original schema.
pub(super) fn as_json_text(schema: &mut Schema) {
    let what = if types(schema) == ["object"] || schema.contains_key("additionalProperties") {
        "a JSON object"
    } else if types(schema) == ["array"] {
        "a JSON array"
    } else {
        "a JSON value"
    };
    let description = match schema.get("description").and_then(Value::as_str) {
        Some(text) if !text.trim().is_empty() => format!("{} ({what}, as text.)", text.trim()),
        _ => format!("{what}, as text."),
    };
    schema.clear();
    schema.insert("type".to_owned(), json!("string"));
    schema.insert("description".to_owned(), Value::String(description));
}

/// Whether `schema` is an object with no named properties (a map, or anything).
pub(super) fn is_free_form_object(schema: &Schema) -> bool {
    let typed_object = types(schema).iter().any(|t| t == "object");
    let named = schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    typed_object && !named
}

/// Whether `schema` says nothing about its type (no `type`, union, `enum` or `const`).
pub(super) fn is_untyped(schema: &Schema) -> bool {
    !["type", "anyOf", "oneOf", "allOf", "enum", "const"]
        .iter()
        .any(|key| schema.contains_key(*key))
}

/// Move `type: [a, b]` into `anyOf: [{type: a}, {type: b}]` (the same instances; an
/// existing `anyOf` is kept beside it in an `allOf`).
pub(super) fn split_type_array(schema: &mut Schema) {
    let Some(Value::Array(names)) = schema.get("type") else {
        return;
    };
    if names.len() == 1 {
        let only = names[0].clone();
        schema.insert("type".to_owned(), only);
        return;
    }
    let branches: Vec<Value> = names.iter().map(|name| json!({ "type": name })).collect();
    schema.remove("type");
    if schema.contains_key("anyOf") {
        let all_of = schema
            .entry("allOf")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(all_of) = all_of {
            all_of.push(json!({ "anyOf": branches }));
        }
    } else {
        schema.insert("anyOf".to_owned(), Value::Array(branches));
    }
}

/// Append `note` to the description.
pub(super) fn describe(schema: &mut Schema, note: &str) {
    let text = match schema.get("description").and_then(Value::as_str) {
        Some(text) if !text.trim().is_empty() => format!("{} {note}", text.trim()),
        _ => note.to_owned(),
    };
    schema.insert("description".to_owned(), Value::String(text));
}

/// `Allowed values: a, b, c.` for an `enum` a dialect cannot state as such.
pub(super) fn values_note(values: &[Value]) -> String {
    let shown: Vec<String> = values.iter().take(40).map(Value::to_string).collect();
    format!("Allowed values: {}.", shown.join(", "))
}
