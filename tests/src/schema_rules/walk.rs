//! Every schema object of a schema, with its JSON pointer.

use serde_json::{Map, Value};

const MAPS: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
const SINGLE: [&str; 11] = [
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
const LISTS: [&str; 5] = ["anyOf", "oneOf", "allOf", "prefixItems", "items"];

/// Call `visit` on `schema` and every subschema object (parents first).
pub(super) fn each(schema: &Value, visit: &mut dyn FnMut(&Map<String, Value>, &str)) {
    node(schema, "", visit);
}

/// Every subschema position holding a boolean (`true`/`false`) instead of an object, by
/// pointer (`additionalProperties: false` and the like are keyword values, not listed).
pub(super) fn boolean_subschemas(schema: &Value) -> Vec<String> {
    let mut found = Vec::new();
    each(schema, &mut |node, at| {
        for key in MAPS {
            if let Some(Value::Object(map)) = node.get(key) {
                for (name, child) in map {
                    if child.is_boolean() {
                        found.push(format!("{at}/{key}/{name}"));
                    }
                }
            }
        }
        for key in LISTS {
            if let Some(Value::Array(list)) = node.get(key) {
                for (i, child) in list.iter().enumerate() {
                    if child.is_boolean() {
                        found.push(format!("{at}/{key}/{i}"));
                    }
                }
            }
        }
        if node.get("items").is_some_and(Value::is_boolean) {
            found.push(format!("{at}/items"));
        }
    });
    found
}

fn node(value: &Value, at: &str, visit: &mut dyn FnMut(&Map<String, Value>, &str)) {
    let Value::Object(map) = value else {
        return;
    };
    visit(map, at);
    for (key, child) in map {
        let key = key.as_str();
        if MAPS.contains(&key) {
            if let Value::Object(children) = child {
                for (name, grandchild) in children {
                    node(grandchild, &format!("{at}/{key}/{}", escape(name)), visit);
                }
            }
        } else if SINGLE.contains(&key) && child.is_object() {
            node(child, &format!("{at}/{key}"), visit);
        } else if LISTS.contains(&key)
            && let Value::Array(list) = child
        {
            for (i, grandchild) in list.iter().enumerate() {
                node(grandchild, &format!("{at}/{key}/{i}"), visit);
            }
        }
    }
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The types a node declares.
pub(super) fn types(node: &Map<String, Value>) -> Vec<&str> {
    match node.get("type") {
        Some(Value::String(name)) => vec![name.as_str()],
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}
