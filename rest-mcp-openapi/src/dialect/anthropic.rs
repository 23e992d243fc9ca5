//! Anthropic's tool `input_schema`: any JSON Schema whose root is `type: "object"` with
//! no `oneOf`, `anyOf` or `allOf` at the top level; everything below the root is left as
//! it is.

use super::steps::{Schema, flatten_root};

/// Rewrite one schema object: only the root changes.
pub(super) fn input(schema: &mut Schema, is_root: bool) {
    if is_root {
        flatten_root(schema);
    }
}
