//! Visiting every subschema of a JSON Schema, children before their parent.

use serde_json::{Map, Value};

/// Deepest nesting visited; the loader's schemas are far shallower (their depth is
/// limited when `$ref`s are inlined), so this only keeps odd input from exhausting the
/// stack.
const MAX_DEPTH: usize = 128;

/// Keywords whose value is a map from names to schemas.
const SCHEMA_MAPS: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Keywords whose value is one schema.
const SCHEMA_VALUES: [&str; 11] = [
    "items",
    "additionalProperties",
    "additionalItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "propertyNames",
    "contains",
    "not",
    "if",
    "then",
    "else",
];

/// Keywords whose value is a list of schemas (`items` too, in its tuple form).
const SCHEMA_LISTS: [&str; 5] = ["anyOf", "oneOf", "allOf", "prefixItems", "items"];

/// Call `visit` on every schema object inside `schema` and then on `schema` itself
/// (`is_root` is true only for it), children first, so a parent sees its children as
/// already transformed. Boolean subschemas are first given as objects: `true` as `{}`,
/// `false` as `{"not": {}}`.
pub(super) fn post_order(
    schema: &mut Map<String, Value>,
    visit: &mut dyn FnMut(&mut Map<String, Value>, bool),
) {
    children(schema, visit, 0);
    visit(schema, true);
}

fn children(
    schema: &mut Map<String, Value>,
    visit: &mut dyn FnMut(&mut Map<String, Value>, bool),
    depth: usize,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    for (key, value) in schema.iter_mut() {
        let key = key.as_str();
        if SCHEMA_MAPS.contains(&key) {
            if let Value::Object(map) = value {
                for child in map.values_mut() {
                    node(child, visit, depth + 1);
                }
            }
        } else if SCHEMA_VALUES.contains(&key) && !value.is_array() {
            // `additionalProperties: true` and friends stay booleans: they are keyword
            // values, not subschemas a dialect must spell out.
            if value.is_object() {
                node(value, visit, depth + 1);
            }
        } else if SCHEMA_LISTS.contains(&key)
            && let Value::Array(list) = value
        {
            for child in list {
                node(child, visit, depth + 1);
            }
        }
    }
}

fn node(value: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>, bool), depth: usize) {
    match value {
        Value::Bool(true) => *value = Value::Object(Map::new()),
        Value::Bool(false) => {
            let mut never = Map::new();
            never.insert("not".to_owned(), Value::Object(Map::new()));
            *value = Value::Object(never);
        }
        _ => {}
    }
    if let Value::Object(map) = value {
        children(map, visit, depth);
        visit(map, false);
    }
}
