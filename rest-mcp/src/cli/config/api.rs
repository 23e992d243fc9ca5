//! One API's settings, resolved: where its tools come from, where its requests go, with
//! which headers and credentials, and how its tools are named and served. The one
//! unnamed API of a flat config file and each `[[apis]]` entry resolve the same way,
//! from an [`ApiFile`] and the command line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use rest_mcp_openapi::{LoadOptions, NamingOptions};
use serde::Deserialize;

use super::args::{ServeOptions, SpecOptions, ToolsArg};
use super::file::{ApiFile, Source, TimeoutValue};
use super::{DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT, fill, parse_duration, section_error};
use crate::error::ConfigError;
use crate::upstream_auth::AuthConfig;
use crate::util::redact::is_sensitive_header;
use crate::{ResponseHeaders, request::Defaults};

/// Where the tools come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecSource {
    /// A spec file.
    File(PathBuf),
    /// A spec URL.
    Url(String),
    /// `[[endpoints]]` in the config file (its path and text).
    Manual {
        /// The config file.
        file: PathBuf,
        /// Its text.
        text: String,
    },
}

/// One API's resolved settings.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// The `[[apis]]` entry's name; `None` for the one unnamed API of a flat config.
    pub name: Option<String>,
    /// Where the tools come from.
    pub spec: SpecSource,
    /// Base URL (interpolated); `None` means "the spec's first server".
    pub base_url: Option<String>,
    /// Headers for every upstream request, validated.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Upstream credentials.
    pub auth: Option<AuthConfig>,
    /// Credentials by security scheme name (`[credentials.<scheme>]`).
    pub scheme_credentials: Vec<(String, AuthConfig)>,
    /// Naming, filters and schema limits for loading.
    pub load: LoadOptions,
    /// Whether remote `$ref`s may be fetched.
    pub allow_remote_refs: bool,
    /// Largest spec document read (file, stdin, URL, remote `$ref`), in bytes.
    pub max_spec_size: usize,
    /// Upstream timeout.
    pub timeout: Duration,
    /// Response size limit.
    pub max_response_size: usize,
    /// Whether schema defaults are sent for arguments the caller left out.
    pub defaults: Defaults,
    /// Response headers shown to the model.
    pub response_headers: ResponseHeaders,
    /// Whether every tool takes a `select` JSONPath argument.
    pub select_arg: bool,
    /// Which tools the model sees.
    pub tool_mode: crate::discovery::ToolMode,
    /// Cookie sessions: `None` decides by the spec's security schemes.
    pub cookies: Option<bool>,
}

/// What every API of one config file resolves with: the command line and environment,
/// `${VAR}` interpolation, and the file's name and text for placing errors.
pub(super) struct Layers<'a> {
    /// `list` and `serve` options.
    pub(super) spec_options: &'a SpecOptions,
    /// `serve` options.
    pub(super) serve: &'a ServeOptions,
    /// Environment variables.
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
    /// `${VAR}` interpolation, naming what is filled in errors.
    pub(super) interpolate: &'a dyn Fn(&str, &str) -> Result<String, String>,
    /// The config file's name and text, when one was read.
    pub(super) source: Option<Source<'a>>,
    /// The config file's path, when one was read.
    pub(super) config_file: Option<&'a Path>,
}

/// How one API is named in the file: `None` for the top level, else its `[[apis]]` entry.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry<'a> {
    /// The entry's name.
    pub(super) name: &'a str,
}

impl Entry<'_> {
    /// `[section]` of this entry: `apis.<name>.<section>`.
    fn section(entry: Option<Entry<'_>>, section: &str) -> String {
        match entry {
            Some(entry) => format!("apis.{}.{section}", entry.name),
            None => section.to_owned(),
        }
    }

    /// `message`, prefixed with the entry it concerns unless it names one of the entry's
    /// sections (`[apis.<name>.auth]`) already.
    fn locate(entry: Option<Entry<'_>>, message: String) -> String {
        match entry {
            Some(entry) if !message.contains(&format!("[apis.{}.", entry.name)) => {
                format!("[[apis]] `{}`: {message}", entry.name)
            }
            _ => message,
        }
    }
}

/// One API's settings: command line > environment > `api` > defaults. `prefix` is the
/// tool-name prefix; `manual_text` the TOML that holds its `[[endpoints]]`, if any.
pub(super) fn resolve_api(
    layers: &Layers<'_>,
    api: &ApiFile,
    entry: Option<Entry<'_>>,
    prefix: Option<String>,
    manual_text: Option<String>,
) -> Result<ApiConfig, ConfigError> {
    resolve(layers, api, entry, prefix, manual_text)
        .map_err(|error| ConfigError::new(Entry::locate(entry, error.message().to_owned())))
}

fn resolve(
    layers: &Layers<'_>,
    api: &ApiFile,
    entry: Option<Entry<'_>>,
    prefix: Option<String>,
    manual_text: Option<String>,
) -> Result<ApiConfig, ConfigError> {
    let (spec_options, serve, interpolate) =
        (layers.spec_options, layers.serve, layers.interpolate);
    let spec = spec_source(spec_options, api, layers.config_file, manual_text)?;
    let base_url = spec_options
        .base_url
        .clone()
        .or_else(|| api.base_url.clone())
        .map(|url| interpolate("base URL", &url))
        .transpose()?;
    if let Some(url) = &base_url {
        check_base_url(url)?;
    }
    let headers = merge_headers(serve, api, layers.env, interpolate)?;
    let auth = api
        .auth
        .as_ref()
        .map(|table| {
            auth_config(
                table,
                &Entry::section(entry, "auth"),
                interpolate,
                layers.source,
            )
        })
        .transpose()?;
    let scheme_credentials = api
        .credentials
        .iter()
        .flatten()
        .map(|(scheme, table)| {
            let section = Entry::section(entry, &format!("credentials.{scheme}"));
            Ok((
                scheme.clone(),
                auth_config(table, &section, interpolate, layers.source)?,
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut filters = api.filters.clone().unwrap_or_default();
    let cli_lists = [
        (&spec_options.include_tags, &mut filters.include_tags),
        (&spec_options.exclude_tags, &mut filters.exclude_tags),
        (&spec_options.include_paths, &mut filters.include_paths),
        (&spec_options.exclude_paths, &mut filters.exclude_paths),
        (
            &spec_options.include_operations,
            &mut filters.include_operations,
        ),
        (
            &spec_options.exclude_operations,
            &mut filters.exclude_operations,
        ),
    ];
    for (given, target) in cli_lists {
        let given: Vec<String> = given
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if !given.is_empty() {
            *target = given;
        }
    }
    if let Some(read_only) = spec_options.read_only {
        filters.read_only = read_only;
    }
    let naming = NamingOptions {
        prefix: spec_options.tool_prefix.clone().or(prefix),
        max_length: spec_options
            .max_tool_name_length
            .or(api.max_tool_name_length)
            .unwrap_or(NamingOptions::default().max_length),
    };
    let timeout = match (&serve.timeout, &api.request_timeout) {
        (Some(text), _) => parse_duration(text).map_err(|e| format!("--timeout: {e}"))?,
        (None, Some(TimeoutValue::Text(text))) => {
            parse_duration(text).map_err(|e| format!("request_timeout: {e}"))?
        }
        (None, Some(TimeoutValue::Seconds(seconds))) => {
            parse_duration(&seconds.to_string()).map_err(|e| format!("request_timeout: {e}"))?
        }
        (None, None) => DEFAULT_TIMEOUT,
    };
    let max_response_size = serve
        .max_response_size
        .or(api.max_response_size)
        .unwrap_or(DEFAULT_MAX_RESPONSE_SIZE);
    if max_response_size == 0 {
        return Err(ConfigError::from(
            "max response size must be at least 1 byte".to_owned(),
        ));
    }
    Ok(ApiConfig {
        name: entry.map(|entry| entry.name.to_owned()),
        spec,
        base_url,
        headers,
        auth,
        scheme_credentials,
        load: LoadOptions {
            naming,
            filters,
            schema: api.schema.clone().unwrap_or_default(),
            allow_credential_headers: spec_options
                .allow_credential_headers
                .or(api
                    .request
                    .as_ref()
                    .and_then(|r| r.allow_credential_headers))
                .unwrap_or(false),
            ..LoadOptions::default()
        },
        allow_remote_refs: spec_options
            .allow_remote_refs
            .or(api.allow_remote_refs)
            .unwrap_or(false),
        max_spec_size: match spec_options.max_spec_size.or(api.max_spec_size) {
            Some(0) => {
                return Err(ConfigError::new(
                    "the spec size limit (--max-spec-size, max_spec_size) must be at least 1 byte",
                ));
            }
            Some(bytes) => bytes,
            None => rest_mcp_openapi::DEFAULT_MAX_SPEC_BYTES,
        },
        timeout,
        max_response_size,
        defaults: match serve
            .send_defaults
            .or(api.request.as_ref().and_then(|r| r.send_defaults))
        {
            Some(true) => Defaults::Send,
            _ => Defaults::Omit,
        },
        response_headers: response_headers(serve, api),
        tool_mode: match serve.tools.or(api.tools).unwrap_or_default() {
            ToolsArg::All => crate::discovery::ToolMode::All,
            ToolsArg::Dynamic => crate::discovery::ToolMode::Dynamic,
            ToolsArg::Auto => crate::discovery::ToolMode::Auto {
                budget_tokens: serve
                    .tool_budget
                    .or(api.tool_budget)
                    .unwrap_or(crate::discovery::DEFAULT_TOOL_BUDGET),
            },
        },
        select_arg: spec_options
            .select_arg
            .or(api.response.as_ref().and_then(|r| r.select_arg))
            .unwrap_or(false),
        cookies: serve
            .cookies
            .or(api.session.as_ref().and_then(|s| s.cookies)),
    })
}

/// `--response-headers`, else `[response] headers`, else the defaults; `none` means none.
fn response_headers(serve: &ServeOptions, file: &ApiFile) -> ResponseHeaders {
    let given: Vec<String> = serve
        .response_headers
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let chosen = if given.is_empty() {
        file.response.as_ref().and_then(|r| r.headers.clone())
    } else {
        Some(given)
    };
    match chosen {
        None => ResponseHeaders::default(),
        Some(names) if names.iter().all(|n| n.eq_ignore_ascii_case("none")) => {
            ResponseHeaders::none()
        }
        Some(names) => ResponseHeaders::new(names),
    }
}

/// `--spec`, else `openapi_spec` (relative to the config file), else the `[[endpoints]]`
/// in `text`.
fn spec_source(
    spec_options: &SpecOptions,
    file: &ApiFile,
    config_file: Option<&Path>,
    text: Option<String>,
) -> Result<SpecSource, String> {
    let (spec, relative_to) = match (&spec_options.spec, &file.openapi_spec) {
        (Some(spec), _) => (Some(spec.clone()), None),
        (None, Some(spec)) => (Some(spec.clone()), config_file.and_then(Path::parent)),
        (None, None) => (None, None),
    };
    if let Some(spec) = spec {
        let lower = spec.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Ok(SpecSource::Url(spec));
        }
        let path = PathBuf::from(&spec);
        let path = match relative_to {
            Some(dir) if path.is_relative() && !dir.as_os_str().is_empty() => dir.join(path),
            _ => path,
        };
        return Ok(SpecSource::File(path));
    }
    match (config_file, text) {
        (Some(file_path), Some(text)) if !file.endpoints.is_empty() => Ok(SpecSource::Manual {
            file: file_path.to_path_buf(),
            text,
        }),
        _ => Err(
            "no API description: give --spec (or OPENAPI_SPEC) with an OpenAPI/Swagger file or URL, \
             or a config file (--config, CONFIG_FILE, or ./rest-mcp.toml) with [[endpoints]]"
                .to_owned(),
        ),
    }
}

/// An error unless `url` is an absolute http(s) URL; a missing scheme is named with the fix.
pub(super) fn check_base_url(url: &str) -> Result<(), String> {
    // `api.example.com` does not parse, and `localhost:8080` parses with the scheme
    // `localhost`: both lack the `scheme://` an absolute URL starts with.
    if !url.contains("://") {
        let plain = url.trim_start_matches('/');
        return Err(format!(
            "base URL `{url}` has no scheme: add `https://` (`https://{plain}`), or `http://` for an API without TLS"
        ));
    }
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| format!("base URL `{url}` is not a valid URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("base URL `{url}` must use http or https"));
    }
    Ok(())
}

/// Config file headers, then `HEADERS`, then `--header`, later ones replacing earlier ones
/// by name.
fn merge_headers(
    serve: &ServeOptions,
    file: &ApiFile,
    env: &dyn Fn(&str) -> Option<String>,
    interpolate: &dyn Fn(&str, &str) -> Result<String, String>,
) -> Result<Vec<(HeaderName, HeaderValue)>, String> {
    let mut raw: Vec<(String, String)> = file
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(text) = env("HEADERS").filter(|t| !t.trim().is_empty()) {
        raw.extend(parse_headers_env(&text)?);
    }
    for header in &serve.headers {
        raw.push(parse_header_line(header).map_err(|e| format!("--header: {e}"))?);
    }
    let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
    for (name, value) in raw {
        let value = interpolate(&format!("header `{name}`"), &value)?;
        let header_name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("`{name}` is not a valid header name"))?;
        let mut header_value = HeaderValue::from_str(value.trim()).map_err(|_| {
            format!("the value of header `{name}` contains a line break or control character")
        })?;
        if is_sensitive_header(header_name.as_str()) {
            header_value.set_sensitive(true);
        }
        headers.retain(|(existing, _)| *existing != header_name);
        headers.push((header_name, header_value));
    }
    Ok(headers)
}

/// `HEADERS`: a JSON object, or one `Name: value` per line.
fn parse_headers_env(text: &str) -> Result<Vec<(String, String)>, String> {
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(trimmed)
            .map_err(|e| format!("HEADERS is not a valid JSON object: {e}"))?;
        return object
            .into_iter()
            .map(|(name, value)| match value {
                serde_json::Value::String(value) => Ok((name, value)),
                other => Ok((name, other.to_string())),
            })
            .collect();
    }
    trimmed
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| parse_header_line(line).map_err(|e| format!("HEADERS: {e}")))
        .collect()
}

fn parse_header_line(line: &str) -> Result<(String, String), String> {
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| format!("`{line}` is not `Name: value`"))?;
    if name.trim().is_empty() {
        return Err(format!("`{line}` has no header name"));
    }
    Ok((name.trim().to_owned(), value.trim().to_owned()))
}

/// `[auth]` (or `[credentials.<scheme>]`, named by `section`) with `${VAR}` filled in
/// every string value.
fn auth_config(
    table: &toml::Table,
    section: &str,
    interpolate: &dyn Fn(&str, &str) -> Result<String, String>,
    source: Option<Source<'_>>,
) -> Result<AuthConfig, String> {
    let filled = fill(&toml::Value::Table(table.clone()), section, interpolate)?;
    AuthConfig::deserialize(filled).map_err(|e| section_error::<AuthConfig>(source, section, &e))
}
