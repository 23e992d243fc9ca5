//! Anthropic's Messages API, tool `input_schema`: a JSON Schema whose root is
//! `"type": "object"`; `oneOf`, `anyOf` and `allOf` are refused at the top level (the
//! API's 400 says "input_schema does not support oneOf, allOf, or anyOf at the top
//! level"). Below the root, JSON Schema is accepted as it is.

use serde_json::Value;

use super::Violation;

/// The violations of an input schema.
pub fn anthropic(schema: &Value) -> Vec<Violation> {
    let mut found = Vec::new();
    if schema.get("type") != Some(&Value::from("object")) {
        found.push(Violation {
            rule: "anthropic: the root is `\"type\": \"object\"`",
            at: String::new(),
        });
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if schema.get(key).is_some() {
            found.push(Violation {
                rule: "anthropic: no oneOf, anyOf or allOf at the top level",
                at: format!("/{key}"),
            });
        }
    }
    found
}
