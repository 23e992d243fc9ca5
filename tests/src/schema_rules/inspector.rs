//! The MCP Inspector's `--strict` schema-portability checks: no `type` arrays (several
//! MCP clients read `type` as one string; the Inspector suggests `anyOf` branches of one
//! type each), no boolean subschemas (`"data": true`, which some clients refuse), and an
//! input schema whose root is `"type": "object"` (the MCP SDKs' tool schema requires it;
//! an output schema may have any root).

use serde_json::Value;

use super::Violation;
use super::walk::{boolean_subschemas, each};

/// The violations of an input schema.
pub fn inspector_input(schema: &Value) -> Vec<Violation> {
    let mut found = inspector_output(schema);
    if schema.get("type") != Some(&Value::from("object")) {
        found.push(Violation {
            rule: "inspector: an input schema's root is `\"type\": \"object\"`",
            at: String::new(),
        });
    }
    found
}

/// The violations of an output schema.
pub fn inspector_output(schema: &Value) -> Vec<Violation> {
    let mut found = Vec::new();
    each(schema, &mut |node, at| {
        if node.get("type").is_some_and(Value::is_array) {
            found.push(Violation {
                rule: "inspector: `type` is not an array (type-union)",
                at: at.to_owned(),
            });
        }
    });
    for at in boolean_subschemas(schema) {
        found.push(Violation {
            rule: "inspector: no boolean subschemas",
            at,
        });
    }
    found
}
