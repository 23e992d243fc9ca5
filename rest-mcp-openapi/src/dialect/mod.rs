//! Schema dialects: the input and output schemas of the tools, rewritten so that one model
//! provider accepts them. Arguments are still validated against the original schema, after
//! [`restore_arguments`] has put them back into its shape.
//!
//! ```
//! use rest_mcp_openapi::SchemaDialect;
//! use serde_json::{Value, json};
//!
//! let Value::Object(schema) = json!({"type": "object", "properties": {
//!     "state": {"type": ["string", "null"], "enum": ["open", "closed", null]}}}) else { unreachable!() };
//! let gemini = SchemaDialect::Gemini.input_schema(&schema);
//! assert_eq!(gemini["properties"]["state"],
//!            json!({"type": "string", "enum": ["open", "closed"], "nullable": true}));
//! let openai = SchemaDialect::OpenAi.input_schema(&schema);
//! assert_eq!(openai["required"], json!(["state"]));
//! assert_eq!(openai["additionalProperties"], json!(false));
//! assert_eq!(SchemaDialect::Full.input_schema(&schema), schema);
//! ```

mod anthropic;
mod gemini;
mod openai;
mod output;
mod portable;
mod restore;
mod steps;
mod walk;

pub use restore::restore_arguments;

use serde_json::{Map, Value};

/// Whose rules the served schemas follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SchemaDialect {
    /// The schemas as loaded: JSON Schema 2020-12, unchanged.
    #[default]
    Full,
    /// What every provider below and the MCP Inspector's `--strict` check accept (Gemini's
    /// subset, without `nullable`); OpenAI's strict mode excepted.
    Portable,
    /// Anthropic's tool `input_schema`: an object root with no top-level union.
    Anthropic,
    /// OpenAI's strict mode: every property required (optional ones nullable),
    /// `additionalProperties: false`, a small keyword subset.
    OpenAi,
    /// Gemini's function declarations: a subset of the OpenAPI 3.0 schema object.
    Gemini,
}

/// A dialect name that is none of [`SchemaDialect::NAMES`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown schema dialect `{given}`; valid dialects: full, portable, anthropic, openai, gemini"
)]
pub struct UnknownDialect {
    /// The name given.
    pub given: String,
}

impl SchemaDialect {
    /// Every dialect, in the order of [`SchemaDialect::NAMES`].
    pub const ALL: [SchemaDialect; 5] = [
        SchemaDialect::Full,
        SchemaDialect::Portable,
        SchemaDialect::Anthropic,
        SchemaDialect::OpenAi,
        SchemaDialect::Gemini,
    ];

    /// Their names, as `--schema-dialect` takes them.
    pub const NAMES: [&'static str; 5] = ["full", "portable", "anthropic", "openai", "gemini"];

    /// The dialect's name.
    ///
    /// ```
    /// assert_eq!(rest_mcp_openapi::SchemaDialect::OpenAi.name(), "openai");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            SchemaDialect::Full => "full",
            SchemaDialect::Portable => "portable",
            SchemaDialect::Anthropic => "anthropic",
            SchemaDialect::OpenAi => "openai",
            SchemaDialect::Gemini => "gemini",
        }
    }

    /// The dialect of the model provider behind an MCP client, from its
    /// `clientInfo.name`, when it is recognisable: Claude's and Anthropic's clients →
    /// `anthropic`, OpenAI's, ChatGPT's and Codex → `openai`, Gemini's → `gemini`.
    ///
    /// ```
    /// use rest_mcp_openapi::SchemaDialect;
    /// assert_eq!(SchemaDialect::of_client("claude-code"), Some(SchemaDialect::Anthropic));
    /// assert_eq!(SchemaDialect::of_client("codex-mcp-client"), Some(SchemaDialect::OpenAi));
    /// assert_eq!(SchemaDialect::of_client("gemini-cli-mcp-client"), Some(SchemaDialect::Gemini));
    /// assert_eq!(SchemaDialect::of_client("mcp-inspector"), None);
    /// ```
    pub fn of_client(name: &str) -> Option<SchemaDialect> {
        let name = name.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|word| name.contains(word));
        if has(&["claude", "anthropic"]) {
            Some(SchemaDialect::Anthropic)
        } else if has(&["openai", "chatgpt", "codex"]) {
            Some(SchemaDialect::OpenAi)
        } else if has(&["gemini"]) {
            Some(SchemaDialect::Gemini)
        } else {
            None
        }
    }

    /// `schema` (a tool's input schema, an object root) as this dialect serves it.
    pub fn input_schema(self, schema: &Map<String, Value>) -> Map<String, Value> {
        let mut served = schema.clone();
        match self {
            SchemaDialect::Full => {}
            SchemaDialect::Portable => walk::post_order(&mut served, &mut portable::input),
            SchemaDialect::Anthropic => walk::post_order(&mut served, &mut anthropic::input),
            SchemaDialect::OpenAi => walk::post_order(&mut served, &mut openai::input),
            SchemaDialect::Gemini => walk::post_order(&mut served, &mut |schema, is_root| {
                gemini::input(schema, is_root, gemini::Nulls::Nullable)
            }),
        }
        served
    }

    /// `schema` (a tool's output schema) as this dialect serves it. Providers do not read
    /// output schemas, MCP clients do (to validate structured content), so only
    /// `portable` rewrites them, and only into an equivalent schema: the structured
    /// content produced for the original still conforms.
    pub fn output_schema(self, schema: &Map<String, Value>) -> Map<String, Value> {
        let mut served = schema.clone();
        if self == SchemaDialect::Portable {
            walk::post_order(&mut served, &mut output::output);
        }
        served
    }
}

impl std::str::FromStr for SchemaDialect {
    type Err = UnknownDialect;

    fn from_str(text: &str) -> Result<SchemaDialect, UnknownDialect> {
        SchemaDialect::ALL
            .into_iter()
            .find(|dialect| dialect.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownDialect {
                given: text.to_owned(),
            })
    }
}

impl std::fmt::Display for SchemaDialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests;
