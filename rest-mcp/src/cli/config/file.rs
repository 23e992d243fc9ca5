//! The TOML config file (PRD §8.2). Unknown keys are errors, so typos are caught.

use crate::error::ConfigError;
use std::collections::BTreeMap;

use rest_mcp_openapi::{Filters, SchemaLimits};
use serde::Deserialize;

use super::args::LogFormat;

/// Declares a config-file struct that holds every per-API key (one list, written once
/// here) besides its own fields, and `into_api`, which moves the per-API keys into an
/// [`ApiFile`]. The top level (one unnamed API), each `[[apis]]` entry and [`ApiFile`]
/// itself are declared with it, so each is read with `deny_unknown_fields` (typos are
/// named with their line and the closest valid key) and no key list is repeated.
macro_rules! with_api_keys {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident : $type:ty,)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: $type,)*
            /// Base URL of the API.
            pub base_url: Option<String>,
            /// Spec file or URL.
            #[serde(alias = "spec")]
            pub openapi_spec: Option<String>,
            /// `tools = "all" | "dynamic" | "auto"`.
            pub tools: Option<super::args::ToolsArg>,
            /// The `auto` mode's budget, in estimated tokens.
            pub tool_budget: Option<usize>,
            /// Request timeout (`"30s"` or seconds).
            pub request_timeout: Option<TimeoutValue>,
            /// Largest response body returned, in bytes.
            pub max_response_size: Option<usize>,
            /// Longest tool name.
            pub max_tool_name_length: Option<usize>,
            /// Follow remote `$ref`s.
            pub allow_remote_refs: Option<bool>,
            /// Largest spec document read (file, URL, stdin or remote `$ref`), in bytes.
            pub max_spec_size: Option<usize>,
            /// Headers sent with every request.
            #[serde(default)]
            pub headers: BTreeMap<String, String>,
            /// Which operations become tools.
            pub filters: Option<Filters>,
            /// Upstream credentials (`${VAR}` is interpolated before it becomes an
            /// [`AuthConfig`](crate::upstream_auth::AuthConfig)).
            pub auth: Option<toml::Table>,
            /// `[credentials.<scheme>]`: a credential for the operations whose `security`
            /// names that scheme, in the same form as `[auth]`.
            pub credentials: Option<BTreeMap<String, toml::Table>>,
            /// Schema inlining limits.
            pub schema: Option<SchemaLimits>,
            /// Endpoints for an API without a spec (read by `rest_mcp_openapi::load_manual`).
            #[serde(default)]
            pub endpoints: Vec<toml::Value>,
            /// A title for the manual endpoints.
            pub title: Option<String>,
            /// `[request]`: what is sent besides the caller's arguments.
            pub request: Option<RequestFile>,
            /// `[response]`: what of the upstream's answer reaches the model.
            pub response: Option<ResponseFile>,
            /// `[session]`: what is kept between calls of one MCP session.
            pub session: Option<SessionFile>,
        }

        impl $name {
            /// The keys this struct holds besides the per-API ones.
            #[allow(dead_code, reason = "not every struct declared this way is checked")]
            pub const OWN_KEYS: &[&str] = &[$(stringify!($field)),*];

            /// The per-API keys, moved into an [`ApiFile`].
            #[allow(dead_code, reason = "not every struct declared this way is split")]
            pub fn into_api(self) -> ApiFile {
                ApiFile {
                    base_url: self.base_url,
                    openapi_spec: self.openapi_spec,
                    tools: self.tools,
                    tool_budget: self.tool_budget,
                    request_timeout: self.request_timeout,
                    max_response_size: self.max_response_size,
                    max_tool_name_length: self.max_tool_name_length,
                    allow_remote_refs: self.allow_remote_refs,
                    max_spec_size: self.max_spec_size,
                    headers: self.headers,
                    filters: self.filters,
                    auth: self.auth,
                    credentials: self.credentials,
                    schema: self.schema,
                    endpoints: self.endpoints,
                    title: self.title,
                    request: self.request,
                    response: self.response,
                    session: self.session,
                }
            }
        }
    };
}

with_api_keys! {
    /// The settings of one API: what the top level of a config file holds for its one
    /// unnamed API, and what each `[[apis]]` entry holds for its own.
    pub struct ApiFile {}
}

with_api_keys! {
    /// Everything the config file may hold: the keys of one unnamed API (an [`ApiFile`]),
    /// or `[[apis]]` entries, and the settings of the server as a whole.
    pub struct ConfigFile {
        /// Log level.
        pub log_level: Option<String>,
        /// Log format.
        pub log_format: Option<LogFormat>,
        /// Prefix for every tool name (of the one unnamed API; `[[apis]]` use `prefix`).
        pub tool_prefix: Option<String>,
        /// Cut tool descriptions to about this many characters (every API's).
        pub description_max: Option<usize>,
        /// `output_schemas = "full" | "none"` (every API's).
        pub output_schemas: Option<super::args::OutputSchemasArg>,
        /// `schema_dialect = "full" | "portable" | "anthropic" | "openai" | "gemini" |
        /// "auto"` (every API's).
        pub schema_dialect: Option<super::args::SchemaDialectArg>,
        /// How MCP clients connect.
        pub transport: Option<super::args::Transport>,
        /// `[http]`: listening, access control, forwarding (`${VAR}` is interpolated).
        pub http: Option<toml::Table>,
        /// `[[apis]]`: several APIs served by one server, each with its own settings.
        #[serde(default)]
        pub apis: Vec<toml::Spanned<ApiEntry>>,
    }
}

with_api_keys! {
    /// One `[[apis]]` entry: a name, a tool-name prefix, and the API's own settings.
    pub struct ApiEntry {
        /// The API's name: lowercase letters, digits, `-` and `_`; unique. It names the
        /// API in logs, in `/mcp/{name}` and in key scopes.
        pub name: String,
        /// Prefix of its tool names (default: the name); tools are `prefix_tool`.
        pub prefix: Option<String>,
    }
}

/// `[session]` in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionFile {
    /// Keep upstream cookies per session and caller (default: when the spec
    /// authenticates with a cookie).
    pub cookies: Option<bool>,
}

/// `[request]` in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFile {
    /// Fill arguments the caller left out with their schema defaults.
    pub send_defaults: Option<bool>,
    /// Let the spec's `Authorization` and `Cookie` header parameters become arguments.
    pub allow_credential_headers: Option<bool>,
}

/// `[response]` in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseFile {
    /// Response headers shown to the model (names or `prefix*` patterns).
    pub headers: Option<Vec<String>>,
    /// Give every tool an optional `select` JSONPath argument.
    pub select_arg: Option<bool>,
}

/// `request_timeout = "30s"` or `request_timeout = 30`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum TimeoutValue {
    /// Seconds.
    Seconds(u64),
    /// A duration string.
    Text(String),
}

impl ConfigFile {
    /// Parse TOML text; errors name the file and line, and an unknown key the closest
    /// valid one.
    pub fn parse(text: &str, file: &str) -> Result<ConfigFile, ConfigError> {
        toml::from_str(text).map_err(|error| {
            let line = error.span().map(|span| line_of(text, span.start));
            ConfigError::new(located(file, line, &explain(error.message())))
        })
    }
}

/// `file (line N): message`, or `file: message` without a line.
pub(crate) fn located(file: &str, line: Option<usize>, message: &str) -> String {
    match line {
        Some(line) => format!("{file} (line {line}): {message}"),
        None => format!("{file}: {message}"),
    }
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        + 1
}

/// A deserialization message in a config file's words: serde's "unknown field `x`,
/// expected one of `a`, `b`" (and "unknown variant") becomes "unknown key `x`; did you
/// mean `a`?" when one valid name is close, else it lists the valid names.
pub(crate) fn explain(message: &str) -> String {
    let message = message.trim();
    let (what, rest) = if let Some(rest) = message.strip_prefix("unknown field `") {
        ("key", rest)
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        ("value", rest)
    } else {
        return message.to_owned();
    };
    let Some((given, expected)) = rest.split_once('`') else {
        return message.to_owned();
    };
    // "expected one of `a`, `b`" or "expected `a` or `b`": the names are every other
    // backtick-delimited piece.
    let valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match crate::util::suggest::closest(given, valid.iter().copied()) {
        Some(close) => format!("unknown {what} `{given}`; did you mean `{close}`?"),
        None if valid.is_empty() => format!("unknown {what} `{given}`"),
        None => format!(
            "unknown {what} `{given}`; valid {what}s: {}",
            valid.join(", ")
        ),
    }
}

/// Where the sections read after interpolation start in the file.
#[derive(Deserialize)]
struct SectionSpans {
    http: Option<toml::Spanned<toml::Value>>,
    auth: Option<toml::Spanned<toml::Value>>,
    credentials: Option<BTreeMap<String, toml::Spanned<toml::Value>>>,
    #[serde(default)]
    apis: Vec<EntrySpans>,
}

/// Where an `[[apis]]` entry's sections read after interpolation start.
#[derive(Deserialize)]
struct EntrySpans {
    name: Option<String>,
    auth: Option<toml::Spanned<toml::Value>>,
    credentials: Option<BTreeMap<String, toml::Spanned<toml::Value>>>,
}

/// `[http]` as `T`, from the file's own text (which keeps positions, where an
/// interpolated `toml::Value` has none); the other wrappers likewise.
#[derive(Deserialize)]
#[allow(dead_code, reason = "read only to see where it fails")]
struct HttpSection<T> {
    http: Option<T>,
}

/// `[auth]` as `T`.
#[derive(Deserialize)]
#[allow(dead_code, reason = "read only to see where it fails")]
struct AuthSection<T> {
    auth: Option<T>,
}

/// `[credentials.*]` as `T` each.
#[derive(Deserialize)]
#[allow(dead_code, reason = "read only to see where it fails")]
struct CredentialSections<T> {
    credentials: Option<BTreeMap<String, T>>,
}

/// The config file's text, to place errors of the sections that are read only after
/// `${VAR}` interpolation (`[http]`, `[auth]`, `[credentials.<scheme>]`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Source<'a> {
    /// The file's name, for messages.
    pub(crate) file: &'a str,
    /// Its text.
    pub(crate) text: &'a str,
}

impl Source<'_> {
    /// `error`, from reading the interpolated `section` (`http`, `auth` or
    /// `credentials.<scheme>`) as `T`, with the file and a line: the line of the key when
    /// the file's text fails the same way (interpolation changes only string values, so
    /// it usually does), else the line where the section starts.
    pub(crate) fn section_error<T: serde::de::DeserializeOwned>(
        &self,
        section: &str,
        error: &toml::de::Error,
    ) -> String {
        let explained = explain(error.message());
        let again = match section.split_once('.') {
            // An `[[apis]]` entry's section: placed at its start.
            Some(("apis", _)) => None,
            Some(("credentials", _)) => toml::from_str::<CredentialSections<T>>(self.text).err(),
            _ if section == "http" => toml::from_str::<HttpSection<T>>(self.text).err(),
            _ => toml::from_str::<AuthSection<T>>(self.text).err(),
        };
        let exact = again
            .filter(|again| explain(again.message()) == explained)
            .and_then(|again| again.span());
        let start = exact
            .map(|span| span.start)
            .or_else(|| self.section_start(section));
        located(
            self.file,
            start.map(|offset| line_of(self.text, offset)),
            &format!("[{section}]: {explained}"),
        )
    }

    /// The offset where `section` starts (`apis.<name>.auth` and
    /// `apis.<name>.credentials.<scheme>` are an `[[apis]]` entry's).
    fn section_start(&self, section: &str) -> Option<usize> {
        let mut spans: SectionSpans = toml::from_str(self.text).ok()?;
        if let Some(rest) = section.strip_prefix("apis.") {
            let (name, inner) = rest.split_once('.')?;
            let entry = spans
                .apis
                .into_iter()
                .find(|entry| entry.name.as_deref() == Some(name))?;
            let spanned = match inner.split_once('.') {
                Some(("credentials", scheme)) => entry.credentials?.remove(scheme),
                _ => entry.auth,
            }?;
            return Some(spanned.span().start);
        }
        let spanned = match section.split_once('.') {
            Some(("credentials", name)) => spans.credentials.as_mut()?.remove(name),
            _ if section == "http" => spans.http,
            _ => spans.auth,
        }?;
        Some(spanned.span().start)
    }
}
