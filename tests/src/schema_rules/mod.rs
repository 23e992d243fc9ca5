//! Checkers of served tool schemas, one per provider, each written from that provider's
//! documented rules (independently of the rewrites in `rest_mcp_openapi`'s dialects, so
//! they can catch them out). Each returns the [`Violation`]s of one schema; none means the
//! provider accepts it.
//!
//! ```
//! use rest_mcp_tests::schema_rules;
//! use serde_json::json;
//!
//! let schema = json!({"type": "object", "properties": {"q": {"type": ["string", "null"]}}});
//! assert!(schema_rules::anthropic(&schema).is_empty());
//! assert_eq!(schema_rules::gemini(&schema)[0].rule, "gemini: `type` is one name of string, number, integer, boolean, array or object");
//! assert!(!schema_rules::openai_strict(&schema).is_empty());
//! ```

mod anthropic;
mod gemini;
mod inspector;
mod openai;
mod walk;

pub use anthropic::anthropic;
pub use gemini::gemini;
pub use inspector::{inspector_input, inspector_output};
pub use openai::openai_strict;

use serde_json::Value;

/// One broken rule, and where (a JSON pointer into the schema).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rule, in words, prefixed with the checker's name.
    pub rule: &'static str,
    /// Where in the schema.
    pub at: String,
}

/// The portable dialect's promise for an input schema: Anthropic's rules, Gemini's
/// (without its own `nullable`) and the MCP Inspector's strict portability checks.
pub fn portable_input(schema: &Value) -> Vec<Violation> {
    let mut found = anthropic(schema);
    found.extend(gemini(schema));
    found.extend(inspector_input(schema));
    walk::each(schema, &mut |node, at| {
        if node.contains_key("nullable") {
            found.push(Violation {
                rule: "portable: no `nullable` (only Gemini and OpenAPI 3.0 read it)",
                at: at.to_owned(),
            });
        }
    });
    found
}

/// The portable dialect's promise for an output schema: the Inspector's checks.
pub fn portable_output(schema: &Value) -> Vec<Violation> {
    inspector_output(schema)
}
