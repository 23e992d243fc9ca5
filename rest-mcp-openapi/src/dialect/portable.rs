//! The portable dialect: what every provider here and the MCP Inspector's `--strict`
//! portability check accept. It is Gemini's subset (the narrowest) without Gemini's
//! own `nullable`, so it also passes Anthropic's root rules and has no `type` arrays,
//! boolean subschemas or unknown keywords for a client to misread.
//!
//! OpenAI's *strict* mode cannot be in the intersection: it requires
//! `additionalProperties: false` on every object, a keyword Gemini's function
//! declarations reject. Portable schemas are valid for OpenAI's default (non-strict)
//! function calling; pick `openai` for strict mode.

use super::gemini::{self, Nulls};
use super::steps::Schema;

/// Rewrite one schema object (its subschemas are already rewritten).
pub(super) fn input(schema: &mut Schema, is_root: bool) {
    gemini::input(schema, is_root, Nulls::Omitted);
}
