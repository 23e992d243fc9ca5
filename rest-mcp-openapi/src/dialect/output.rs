//! Served output schemas under the portable dialect. Clients validate `structuredContent` against
//! the output schema they were given, and the server produces it to conform to the
//! original, so an output schema is only ever rewritten into an equivalent one: `type`
//! arrays become `anyOf` branches, boolean subschemas objects (`{}`, `{"not": {}}`), and
//! `$schema` goes, for the MCP clients that read `type` as a single string.

use super::steps::{Schema, split_type_array};

/// Rewrite one schema object equivalently.
pub(super) fn output(schema: &mut Schema, _is_root: bool) {
    schema.remove("$schema");
    split_type_array(schema);
}
