//! The MCP Inspector's `--strict` schema-portability checks: no `type` arrays (several
//! MCP clients read `type` as one string; the Inspector suggests `anyOf` branches of one
//! type each), no boolean subschemas (`"data": true`, which some clients refuse), no
//! schema without any validation keyword (`{}` or a bare description: "accepts any value
//! without saying so"), and an
//! input schema whose root is `"type": "object"` (the MCP SDKs' tool schema requires it;
//! an output schema may have any root).

use serde_json::Value;

use super::Violation;
use super::walk::{boolean_subschemas, each};

/// Keywords that constrain an instance (JSON Schema 2020-12's validation and applicator
/// keywords).
const VALIDATION_KEYWORDS: [&str; 36] = [
    "type",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "if",
    "$ref",
    "$dynamicRef",
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "unevaluatedProperties",
    "required",
    "dependentRequired",
    "dependentSchemas",
    "minProperties",
    "maxProperties",
    "items",
    "prefixItems",
    "contains",
    "unevaluatedItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "pattern",
    "minLength",
    "maxLength",
    "format",
];

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
        if !node
            .keys()
            .any(|key| VALIDATION_KEYWORDS.contains(&key.as_str()))
        {
            found.push(Violation {
                rule: "inspector: every schema carries a validation keyword",
                at: at.to_owned(),
            });
        }
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
