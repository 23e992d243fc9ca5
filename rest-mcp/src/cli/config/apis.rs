//! `[[apis]]`: several APIs in one config file. Each entry is named (the name appears in
//! `/mcp/{name}`, in key scopes and in logs) and holds one API's settings; the settings
//! of a single API may then not appear at the top level or on the command line, where
//! they would be ambiguous (or, for headers, would send one API's credentials to all).

use std::collections::BTreeMap;

use super::api::{ApiConfig, Entry, Layers, resolve_api};
use super::args::SpecOptions;
use super::file::{ApiEntry, ConfigFile, line_of, located};
use crate::error::ConfigError;
use crate::http::api_keys::ApiKeys;

/// Longest `[[apis]]` name.
pub const MAX_API_NAME: usize = 40;

/// Whether `name` is a valid `[[apis]]` name: 1 to [`MAX_API_NAME`] lowercase ASCII
/// letters, digits, `-` and `_`.
pub fn is_valid_api_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_API_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// An error when the file has `[[apis]]` and also settings of a single API: at its top
/// level (named with their line) or on the command line and in the environment.
pub(super) fn refuse_single_api_settings(
    file: &ConfigFile,
    layers: &Layers<'_>,
) -> Result<(), ConfigError> {
    if let Some(source) = layers.source {
        let keys: BTreeMap<String, toml::Spanned<toml::Value>> =
            toml::from_str(source.text).unwrap_or_default();
        if let Some((key, value)) = keys
            .iter()
            .find(|(key, _)| !ConfigFile::OWN_KEYS.contains(&key.as_str()))
        {
            let line = line_of(source.text, value.span().start);
            return Err(ConfigError::new(located(
                source.file,
                Some(line),
                &format!(
                    "`{key}` is a setting of one API, and this file serves several with [[apis]]: move it into each [[apis]] entry that needs it"
                ),
            )));
        }
        if file.tool_prefix.is_some() {
            let line = keys
                .get("tool_prefix")
                .map(|value| line_of(source.text, value.span().start));
            return Err(ConfigError::new(located(
                source.file,
                line,
                "`tool_prefix` names the tools of one API; with [[apis]], each entry's `prefix` does (default: its name)",
            )));
        }
    }
    let options = layers.spec_options;
    let given = |value: &Option<String>| value.as_deref().is_some_and(|v| !v.is_empty());
    let flags = [
        (
            given(&options.spec),
            "--spec (OPENAPI_SPEC)",
            "openapi_spec",
        ),
        (
            given(&options.base_url),
            "--base-url (BASE_URL)",
            "base_url",
        ),
        (
            options.tool_prefix.is_some(),
            "--tool-prefix (TOOL_PREFIX)",
            "prefix",
        ),
        (
            !layers.serve.headers.is_empty()
                || (layers.env)("HEADERS").is_some_and(|h| !h.trim().is_empty()),
            "--header (HEADERS)",
            "[apis.headers]",
        ),
    ];
    if let Some((_, flag, key)) = flags.iter().find(|(given, _, _)| *given) {
        return Err(ConfigError::new(format!(
            "{flag} sets one API, and the config file serves several with [[apis]]: set `{key}` in each [[apis]] entry instead"
        )));
    }
    Ok(())
}

/// An error when a key's `apis = [...]` names an API that is not served (or the file
/// serves one unnamed API, which no scope can name).
pub(super) fn check_key_scopes(keys: &ApiKeys, names: &[&str]) -> Result<(), ConfigError> {
    let served: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| !name.is_empty())
        .collect();
    for principal in keys.scoped() {
        let key = principal.name.trim_start_matches("key:");
        for name in principal.apis.iter().flatten() {
            if served.contains(&name.as_str()) {
                continue;
            }
            let message = match crate::util::suggest::closest(name, served.iter().copied()) {
                _ if served.is_empty() => format!(
                    "http.keys `{key}`: `apis = [...]` scopes a key to some of several [[apis]]; this file serves one API, so leave it out"
                ),
                Some(close) => format!(
                    "http.keys `{key}`: no [[apis]] entry is named `{name}`; did you mean `{close}`?"
                ),
                None => format!(
                    "http.keys `{key}`: no [[apis]] entry is named `{name}`; the APIs are {}",
                    served.join(", ")
                ),
            };
            return Err(ConfigError::new(message));
        }
    }
    Ok(())
}

/// `options` without the empty `--spec` and `--base-url` that an image's environment may
/// set (`OPENAPI_SPEC=`), which [`refuse_single_api_settings`] lets through.
pub(super) fn without_empty_api_options(options: &SpecOptions) -> SpecOptions {
    let mut options = options.clone();
    options.spec = None;
    options.base_url = None;
    options
}

/// Each entry's name and settings (or why its settings fail), after checking names and
/// prefixes (valid and unique), which fails the whole file.
pub(super) type Resolved = Vec<(String, Result<ApiConfig, ConfigError>)>;

/// Each entry's settings, by name, after checking names and prefixes.
pub(super) fn resolve_entries(
    entries: Vec<toml::Spanned<ApiEntry>>,
    layers: &Layers<'_>,
) -> Result<Resolved, ConfigError> {
    let mut names: Vec<String> = Vec::with_capacity(entries.len());
    let mut prefixes: Vec<String> = Vec::with_capacity(entries.len());
    let mut apis = Vec::with_capacity(entries.len());
    for spanned in entries {
        let at = |message: String| match layers.source {
            Some(source) => ConfigError::new(located(
                source.file,
                Some(line_of(source.text, spanned.span().start)),
                &message,
            )),
            None => ConfigError::new(message),
        };
        let name = spanned.get_ref().name.clone();
        if !is_valid_api_name(&name) {
            return Err(at(format!(
                "[[apis]] name `{name}` must be 1 to {MAX_API_NAME} lowercase letters, digits, `-` or `_` (it becomes /mcp/{{name}})"
            )));
        }
        if names.contains(&name) {
            return Err(at(format!(
                "[[apis]] name `{name}` is used twice; names must be unique"
            )));
        }
        let prefix = spanned
            .get_ref()
            .prefix
            .clone()
            .unwrap_or_else(|| name.clone());
        if prefixes.contains(&prefix) {
            return Err(at(format!(
                "[[apis]] `{name}`: prefix `{prefix}` is already another API's; give each API its own `prefix`"
            )));
        }
        let entry = spanned.into_inner();
        let api = manual_text(&entry).and_then(|manual| {
            resolve_api(
                layers,
                &entry.into_api(),
                Some(Entry { name: &name }),
                Some(prefix.clone()),
                manual,
            )
        });
        names.push(name.clone());
        prefixes.push(prefix);
        apis.push((name, api));
    }
    Ok(apis)
}

/// The TOML of an entry's `[[apis.endpoints]]` (and `title`) as the endpoint loader
/// reads them, or `None` when it has none.
fn manual_text(entry: &ApiEntry) -> Result<Option<String>, ConfigError> {
    if entry.endpoints.is_empty() {
        return Ok(None);
    }
    let mut table = toml::Table::new();
    if let Some(title) = &entry.title {
        table.insert("title".to_owned(), toml::Value::String(title.clone()));
    }
    table.insert(
        "endpoints".to_owned(),
        toml::Value::Array(entry.endpoints.clone()),
    );
    toml::to_string(&table).map(Some).map_err(|error| {
        ConfigError::new(format!(
            "[[apis]] `{}`: its endpoints cannot be read: {error}",
            entry.name
        ))
    })
}
