//! Configuration: command line > environment > config file > defaults, with `${VAR}`
//! interpolation in the base URL, headers and auth values.

pub mod args;
mod duration;
pub mod file;
mod interpolate;

use crate::error::ConfigError;
use crate::util::redact::is_sensitive_header;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use rest_mcp_openapi::{LoadOptions, NamingOptions};
use serde::Deserialize;

pub use args::{
    Cli, Command, ListArgs, LogFormat, ServeArgs, ServeOptions, SpecOptions, Transport,
};
pub use duration::parse_duration;
use file::{ConfigFile, Source, TimeoutValue};
pub use interpolate::interpolate;

use crate::http::HttpSettings;
use crate::http::api_keys::{ApiKeys, KeyConfig};
use crate::http::connections::ConnectionLimits;
use crate::http::inbound_oauth::OAuthConfig;
use crate::http::sessions::SessionLimits;
use crate::upstream_auth::AuthConfig;
use crate::{ResponseHeaders, request::Defaults};

/// The config file read when none is named and it exists.
pub const DEFAULT_CONFIG_FILE: &str = "rest-mcp.toml";
/// Default upstream timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default response size limit (100 KiB).
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 102_400;
/// Default HTTP listening address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default largest HTTP request body (4 MiB: file arguments arrive base64-encoded).
pub const DEFAULT_MAX_REQUEST_BODY: usize = 4 * 1024 * 1024;
/// Default time shutdown waits for calls in flight.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

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

/// The resolved configuration.
#[derive(Clone, Debug)]
pub struct Config {
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
    /// How their definitions are served (descriptions, output schemas, dialect).
    pub presentation: crate::presentation::Presentation,
    /// Cookie sessions: `None` decides by the spec's security schemes.
    pub cookies: Option<bool>,
    /// Log level or filter directive.
    pub log_level: String,
    /// Log format.
    pub log_format: LogFormat,
    /// Print tools/list and exit.
    pub dry_run: bool,
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// How clients connect.
    pub transport: Transport,
    /// HTTP settings (resolved for every transport, so mistakes show early).
    pub http: HttpSettings,
}

/// `[http]` in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpFile {
    listen: Option<String>,
    stateless: Option<bool>,
    #[serde(default)]
    allowed_hosts: Vec<String>,
    #[serde(default)]
    allowed_origins: Vec<String>,
    max_request_body: Option<usize>,
    public_url: Option<String>,
    #[serde(default)]
    keys: Vec<KeyConfig>,
    oauth: Option<OAuthConfig>,
    #[serde(default)]
    forward_headers: std::collections::BTreeMap<String, String>,
    shutdown_grace: Option<TimeoutValue>,
    // Session limits.
    session_idle_timeout: Option<TimeoutValue>,
    max_sessions_per_caller: Option<usize>,
    max_sessions: Option<usize>,
    // Connection limits.
    header_read_timeout: Option<TimeoutValue>,
    idle_connection_timeout: Option<TimeoutValue>,
    max_connections: Option<usize>,
    max_connections_per_peer: Option<usize>,
}

impl Config {
    /// The configuration `command` runs with: `serve` resolves every option, `list` only
    /// the shared ones (serving options keep their file values and defaults).
    pub fn of(
        command: &Command,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        match command {
            Command::Serve(args) => Config::resolve(&args.spec, &args.serve, env),
            Command::List(args) => Config::resolve(&args.spec, &ServeOptions::default(), env),
        }
    }

    /// Resolve options (command line and environment, already merged by clap) with the
    /// config file and defaults. `env` reads environment variables (for `HEADERS` and
    /// `${VAR}`).
    pub fn resolve(
        spec_options: &SpecOptions,
        serve: &ServeOptions,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let (file, config_file, text) = read_config_file(spec_options.config.as_deref())?;
        let file_name = config_file.as_ref().map(|path| path.display().to_string());
        let source = match (&file_name, &text) {
            (Some(file), Some(text)) => Some(Source { file, text }),
            _ => None,
        };
        let interpolate = |what: &str, text: &str| {
            interpolate::interpolate(text, env).map_err(|e| format!("{what}: {e}"))
        };
        let spec = spec_source(spec_options, &file, config_file.as_deref(), text.clone())?;
        let base_url = spec_options
            .base_url
            .clone()
            .or_else(|| file.base_url.clone())
            .map(|url| interpolate("base URL", &url))
            .transpose()?;
        if let Some(url) = &base_url {
            check_base_url(url)?;
        }
        let headers = merge_headers(serve, &file, env, &interpolate)?;
        let auth = file
            .auth
            .as_ref()
            .map(|table| auth_config(table, "auth", &interpolate, source))
            .transpose()?;
        let scheme_credentials = file
            .credentials
            .iter()
            .flatten()
            .map(|(scheme, table)| {
                let section = format!("credentials.{scheme}");
                Ok((
                    scheme.clone(),
                    auth_config(table, &section, &interpolate, source)?,
                ))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let mut filters = file.filters.clone().unwrap_or_default();
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
            prefix: spec_options
                .tool_prefix
                .clone()
                .or(file.tool_prefix.clone()),
            max_length: spec_options
                .max_tool_name_length
                .or(file.max_tool_name_length)
                .unwrap_or(NamingOptions::default().max_length),
        };
        let timeout = match (&serve.timeout, &file.request_timeout) {
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
            .or(file.max_response_size)
            .unwrap_or(DEFAULT_MAX_RESPONSE_SIZE);
        if max_response_size == 0 {
            return Err(ConfigError::from(
                "max response size must be at least 1 byte".to_owned(),
            ));
        }
        Ok(Config {
            spec,
            base_url,
            headers,
            auth,
            scheme_credentials,
            load: LoadOptions {
                naming,
                filters,
                schema: file.schema.clone().unwrap_or_default(),
                allow_credential_headers: spec_options
                    .allow_credential_headers
                    .or(file
                        .request
                        .as_ref()
                        .and_then(|r| r.allow_credential_headers))
                    .unwrap_or(false),
                ..LoadOptions::default()
            },
            allow_remote_refs: spec_options
                .allow_remote_refs
                .or(file.allow_remote_refs)
                .unwrap_or(false),
            max_spec_size: match spec_options.max_spec_size.or(file.max_spec_size) {
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
                .or(file.request.as_ref().and_then(|r| r.send_defaults))
            {
                Some(true) => Defaults::Send,
                _ => Defaults::Omit,
            },
            response_headers: response_headers(serve, &file),
            tool_mode: match serve.tools.or(file.tools).unwrap_or_default() {
                super::config::args::ToolsArg::All => crate::discovery::ToolMode::All,
                super::config::args::ToolsArg::Dynamic => crate::discovery::ToolMode::Dynamic,
                super::config::args::ToolsArg::Auto => crate::discovery::ToolMode::Auto {
                    budget_tokens: serve
                        .tool_budget
                        .or(file.tool_budget)
                        .unwrap_or(crate::discovery::DEFAULT_TOOL_BUDGET),
                },
            },
            presentation: presentation(spec_options, serve, &file)?,
            select_arg: spec_options
                .select_arg
                .or(file.response.as_ref().and_then(|r| r.select_arg))
                .unwrap_or(false),
            cookies: serve
                .cookies
                .or(file.session.as_ref().and_then(|s| s.cookies)),
            log_level: spec_options
                .log_level
                .clone()
                .or(file.log_level.clone())
                .unwrap_or_else(|| "warn".to_owned()),
            log_format: spec_options
                .log_format
                .or(file.log_format)
                .unwrap_or_default(),
            dry_run: serve.dry_run.unwrap_or(false),
            config_file,
            transport: serve.transport.or(file.transport).unwrap_or_default(),
            http: http_settings(serve, file.http.as_ref(), &interpolate, source)?,
        })
    }
}

/// `--description-max`, `--output-schemas` and `--schema-dialect`, else the file's keys.
fn presentation(
    spec_options: &SpecOptions,
    serve: &ServeOptions,
    file: &ConfigFile,
) -> Result<crate::presentation::Presentation, ConfigError> {
    use crate::presentation::{DialectChoice, OutputSchemas, Presentation};
    use args::{OutputSchemasArg, SchemaDialectArg};
    use rest_mcp_openapi::SchemaDialect;
    let description_max = spec_options.description_max.or(file.description_max);
    if description_max == Some(0) {
        return Err(ConfigError::new(
            "the description limit (--description-max, description_max) must be at least 1 character",
        ));
    }
    let output_schemas = match spec_options.output_schemas.or(file.output_schemas) {
        Some(OutputSchemasArg::None) => OutputSchemas::None,
        _ => OutputSchemas::Full,
    };
    let dialect = match serve
        .schema_dialect
        .or(file.schema_dialect)
        .unwrap_or_default()
    {
        SchemaDialectArg::Full => DialectChoice::Fixed(SchemaDialect::Full),
        SchemaDialectArg::Portable => DialectChoice::Fixed(SchemaDialect::Portable),
        SchemaDialectArg::Anthropic => DialectChoice::Fixed(SchemaDialect::Anthropic),
        SchemaDialectArg::OpenAi => DialectChoice::Fixed(SchemaDialect::OpenAi),
        SchemaDialectArg::Gemini => DialectChoice::Fixed(SchemaDialect::Gemini),
        SchemaDialectArg::Auto => DialectChoice::Auto,
    };
    Ok(Presentation {
        description_max,
        output_schemas,
        dialect,
    })
}

/// `--response-headers`, else `[response] headers`, else the defaults; `none` means none.
fn response_headers(serve: &ServeOptions, file: &ConfigFile) -> ResponseHeaders {
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

/// The named config file (which must exist), else `rest-mcp.toml` when present.
fn read_config_file(
    named: Option<&Path>,
) -> Result<(ConfigFile, Option<PathBuf>, Option<String>), ConfigError> {
    let path = match named {
        Some(path) => path.to_path_buf(),
        None => {
            let default = PathBuf::from(DEFAULT_CONFIG_FILE);
            if !default.is_file() {
                return Ok((ConfigFile::default(), None, None));
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the config file {}: {e}", path.display()))?;
    let file = ConfigFile::parse(&text, &path.display().to_string())?;
    Ok((file, Some(path), Some(text)))
}

fn spec_source(
    spec_options: &SpecOptions,
    file: &ConfigFile,
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

fn check_base_url(url: &str) -> Result<(), String> {
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
    file: &ConfigFile,
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

/// A TOML value with `${VAR}` filled in every string inside it; `at` names it in errors.
fn fill(
    value: &toml::Value,
    at: &str,
    interpolate: &dyn Fn(&str, &str) -> Result<String, String>,
) -> Result<toml::Value, String> {
    Ok(match value {
        toml::Value::String(text) => toml::Value::String(interpolate(at, text)?),
        toml::Value::Array(items) => toml::Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| fill(item, &format!("{at}[{i}]"), interpolate))
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(table) => toml::Value::Table(
            table
                .iter()
                .map(|(key, item)| {
                    Ok((
                        key.clone(),
                        fill(item, &format!("{at}.{key}"), interpolate)?,
                    ))
                })
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
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

/// A section's deserialization error, placed in the file when its text is known.
fn section_error<T: serde::de::DeserializeOwned>(
    source: Option<Source<'_>>,
    section: &str,
    error: &toml::de::Error,
) -> String {
    match source {
        Some(source) => source.section_error::<T>(section, error),
        None => format!("[{section}]: {}", file::explain(error.message())),
    }
}

/// HTTP settings: command line > environment > `[http]` > defaults.
fn http_settings(
    serve: &ServeOptions,
    table: Option<&toml::Table>,
    interpolate: &dyn Fn(&str, &str) -> Result<String, String>,
    source: Option<Source<'_>>,
) -> Result<HttpSettings, ConfigError> {
    let file = match table {
        Some(table) => {
            let filled = fill(&toml::Value::Table(table.clone()), "http", interpolate)?;
            HttpFile::deserialize(filled)
                .map_err(|e| section_error::<HttpFile>(source, "http", &e))?
        }
        None => HttpFile::default(),
    };
    let sessions = session_limits(serve, &file)?;
    let connections = connection_limits(serve, &file)?;
    let listen_text = serve
        .listen
        .clone()
        .or(file.listen)
        .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let listen: std::net::SocketAddr = listen_text.parse().map_err(|_| {
        format!("listen address `{listen_text}` must be IP:PORT, e.g. 127.0.0.1:8080")
    })?;
    let allowed_hosts = if serve.allowed_hosts.is_empty() {
        file.allowed_hosts
    } else {
        serve.allowed_hosts.clone()
    };
    if !listen.ip().is_loopback() && allowed_hosts.is_empty() {
        return Err(ConfigError::from(format!(
            "listening on {listen} needs --allowed-hosts (or [http] allowed_hosts): the host names clients use \
             (the Host check guards against DNS rebinding; only loopback names pass by default)"
        )));
    }
    let mut forward_headers = Vec::new();
    for (inbound, upstream) in &file.forward_headers {
        let parse = |name: &str| {
            HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| format!("[http.forward_headers]: `{name}` is not a header name"))
        };
        forward_headers.push((parse(inbound)?, parse(upstream)?));
    }
    let shutdown_grace = match file.shutdown_grace {
        Some(TimeoutValue::Text(text)) => {
            parse_duration(&text).map_err(|e| format!("[http] shutdown_grace: {e}"))?
        }
        Some(TimeoutValue::Seconds(seconds)) => Duration::from_secs(seconds),
        None => DEFAULT_SHUTDOWN_GRACE,
    };
    let public_url = serve.public_url.clone().or(file.public_url);
    if let Some(url) = &public_url {
        check_base_url(url).map_err(|e| e.replace("base URL", "public URL"))?;
    }
    Ok(HttpSettings {
        listen,
        stateless: serve.stateless.or(file.stateless).unwrap_or(false),
        allowed_hosts,
        allowed_origins: if serve.allowed_origins.is_empty() {
            file.allowed_origins
        } else {
            serve.allowed_origins.clone()
        },
        max_request_body: file.max_request_body.unwrap_or(DEFAULT_MAX_REQUEST_BODY),
        public_url,
        keys: ApiKeys::new(&file.keys)?,
        oauth: file.oauth,
        forward_headers,
        shutdown_grace,
        sessions,
        connections,
    })
}

/// Session limits: command line > environment > `[http]` > defaults.
fn session_limits(serve: &ServeOptions, file: &HttpFile) -> Result<SessionLimits, ConfigError> {
    let defaults = SessionLimits::default();
    let idle_timeout = match (&serve.session_idle_timeout, &file.session_idle_timeout) {
        (Some(text), _) => {
            parse_duration(text).map_err(|e| format!("--session-idle-timeout: {e}"))?
        }
        (None, Some(TimeoutValue::Text(text))) => {
            parse_duration(text).map_err(|e| format!("[http] session_idle_timeout: {e}"))?
        }
        (None, Some(TimeoutValue::Seconds(seconds))) => Duration::from_secs(*seconds),
        (None, None) => defaults.idle_timeout,
    };
    if idle_timeout.is_zero() {
        return Err(ConfigError::new(
            "the session idle timeout (--session-idle-timeout, [http] session_idle_timeout) must be above zero",
        ));
    }
    let per_caller = serve
        .max_sessions_per_caller
        .or(file.max_sessions_per_caller)
        .unwrap_or(defaults.per_caller);
    let total = serve
        .max_sessions
        .or(file.max_sessions)
        .unwrap_or(defaults.total);
    if per_caller == 0 || total == 0 {
        return Err(ConfigError::new(
            "session caps (--max-sessions-per-caller, --max-sessions, [http] max_sessions_per_caller, max_sessions) must be at least 1",
        ));
    }
    Ok(SessionLimits {
        idle_timeout,
        per_caller,
        total,
    })
}

/// A duration from the command line or environment (`flag`), else from `[http] key`.
fn duration_option(
    option: Option<&str>,
    flag: &str,
    value: Option<&TimeoutValue>,
    key: &str,
) -> Result<Option<Duration>, ConfigError> {
    Ok(match (option, value) {
        (Some(text), _) => Some(parse_duration(text).map_err(|e| format!("{flag}: {e}"))?),
        (None, Some(TimeoutValue::Text(text))) => {
            Some(parse_duration(text).map_err(|e| format!("[http] {key}: {e}"))?)
        }
        (None, Some(TimeoutValue::Seconds(0))) => {
            return Err(ConfigError::from(format!(
                "[http] {key} must be above zero"
            )));
        }
        (None, Some(TimeoutValue::Seconds(seconds))) => Some(Duration::from_secs(*seconds)),
        (None, None) => None,
    })
}

/// Connection limits: command line > environment > `[http]` > defaults.
fn connection_limits(
    serve: &ServeOptions,
    file: &HttpFile,
) -> Result<ConnectionLimits, ConfigError> {
    let defaults = ConnectionLimits::default();
    let header_read_timeout = duration_option(
        serve.header_read_timeout.as_deref(),
        "--header-read-timeout",
        file.header_read_timeout.as_ref(),
        "header_read_timeout",
    )?
    .unwrap_or(defaults.header_read_timeout);
    let idle_timeout = duration_option(
        serve.idle_connection_timeout.as_deref(),
        "--idle-connection-timeout",
        file.idle_connection_timeout.as_ref(),
        "idle_connection_timeout",
    )?
    .unwrap_or(defaults.idle_timeout);
    let max_connections = serve
        .max_connections
        .or(file.max_connections)
        .unwrap_or(defaults.max_connections);
    let max_connections_per_peer = serve
        .max_connections_per_peer
        .or(file.max_connections_per_peer)
        .unwrap_or(defaults.max_connections_per_peer);
    if max_connections == 0 || max_connections_per_peer == 0 {
        return Err(ConfigError::new(
            "connection caps (--max-connections, --max-connections-per-peer, [http] max_connections, max_connections_per_peer) must be at least 1",
        ));
    }
    Ok(ConnectionLimits {
        header_read_timeout,
        idle_timeout,
        max_connections,
        max_connections_per_peer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn resolve(args: &[&str], env: &[(&str, &str)]) -> Result<Config, String> {
        let cli = Cli::try_parse_from(std::iter::once("rest-mcp").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::of(&cli.into_command(), &|name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
        .map_err(|e| e.to_string())
    }

    fn write_config(text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "rest-mcp-config-{}-{}",
            std::process::id(),
            text.len()
        ));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("rest-mcp.toml");
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn command_line_beats_file_and_file_beats_defaults() {
        let path = write_config(
            "openapi_spec = \"spec.yaml\"\nbase_url = \"https://file.example\"\nrequest_timeout = \"5s\"\n\
             [headers]\nX-One = \"file\"\nX-Two = \"file\"\n[filters]\ninclude_tags = [\"a\"]\n",
        );
        let config = resolve(
            &[
                "--config",
                path.to_str().expect("utf8"),
                "--base-url",
                "https://cli.example",
                "-H",
                "X-Two: cli",
            ],
            &[("HEADERS", "X-One: env")],
        )
        .expect("config");
        assert_eq!(config.base_url.as_deref(), Some("https://cli.example"));
        assert_eq!(config.timeout, Duration::from_secs(5));
        assert_eq!(config.max_response_size, DEFAULT_MAX_RESPONSE_SIZE);
        assert_eq!(
            config.spec,
            SpecSource::File(path.parent().expect("dir").join("spec.yaml"))
        );
        let headers: Vec<(&str, &str)> = config
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("")))
            .collect();
        assert_eq!(headers, [("x-one", "env"), ("x-two", "cli")]);
        assert_eq!(config.load.filters.include_tags, ["a"]);
    }

    #[test]
    fn variables_fill_headers_and_auth_and_unset_ones_are_named() {
        let path = write_config(
            "openapi_spec = \"s.json\"\n[auth]\ntype = \"bearer\"\ntoken = \"${TOKEN}\"\n",
        );
        let config = resolve(
            &["-c", path.to_str().expect("utf8"), "-H", "X-Key: ${KEY}"],
            &[("TOKEN", "t0k"), ("KEY", "k3y")],
        )
        .expect("config");
        assert_eq!(config.headers[0].1.to_str().ok(), Some("k3y"));
        assert!(matches!(config.auth, Some(AuthConfig::Bearer { ref token }) if token == "t0k"));
        let err = resolve(&["-c", path.to_str().expect("utf8")], &[]).expect_err("unset");
        assert!(err.contains("`TOKEN` is not set"), "{err}");
    }

    #[test]
    fn connection_limits_layer_flags_over_the_http_table_over_defaults() {
        let path = write_config(
            "openapi_spec = \"spec.yaml\"\n[http]\nheader_read_timeout = 3\n\
             idle_connection_timeout = \"2m\"\nmax_connections = 50\nmax_connections_per_peer = 5\n",
        );
        let file = path.to_str().expect("utf8");
        let limits = resolve(&["-c", file], &[])
            .expect("config")
            .http
            .connections;
        assert_eq!(
            limits,
            ConnectionLimits {
                header_read_timeout: Duration::from_secs(3),
                idle_timeout: Duration::from_secs(120),
                max_connections: 50,
                max_connections_per_peer: 5,
            }
        );
        let limits = resolve(
            &[
                "-c",
                file,
                "--header-read-timeout",
                "500ms",
                "--idle-connection-timeout",
                "1s",
                "--max-connections",
                "7",
                "--max-connections-per-peer",
                "2",
            ],
            &[],
        )
        .expect("config")
        .http
        .connections;
        assert_eq!(limits.header_read_timeout, Duration::from_millis(500));
        assert_eq!(limits.idle_timeout, Duration::from_secs(1));
        assert_eq!(
            (limits.max_connections, limits.max_connections_per_peer),
            (7, 2)
        );
        let limits = resolve(&["--spec", "s.json"], &[])
            .expect("config")
            .http
            .connections;
        assert_eq!(limits, ConnectionLimits::default());
        let err = resolve(&["--spec", "s.json", "--max-connections", "0"], &[]).expect_err("zero");
        assert!(err.contains("--max-connections"), "{err}");
        let err = resolve(&["--spec", "s.json", "--header-read-timeout", "soon"], &[])
            .expect_err("bad duration");
        assert!(err.contains("--header-read-timeout"), "{err}");
    }

    #[test]
    fn mistakes_are_reported_clearly() {
        let err = resolve(&["--spec", "s.json", "-H", "no colon"], &[]).expect_err("header");
        assert!(err.contains("Name: value"), "{err}");
        let err = resolve(&["--spec", "s.json", "--base-url", "ftp://x"], &[]).expect_err("scheme");
        assert!(err.contains("http"), "{err}");
        for (given, fixed) in [
            ("api.example.com", "https://api.example.com"),
            ("localhost:8080/v1", "https://localhost:8080/v1"),
            ("//cdn.example.com", "https://cdn.example.com"),
        ] {
            let err = resolve(&["--spec", "s.json", "--base-url", given], &[]).expect_err(given);
            assert!(
                err.contains(&format!(
                    "`{given}` has no scheme: add `https://` (`{fixed}`)"
                )),
                "{err}"
            );
        }
        let err = resolve(&["--spec", "s.json", "-H", "X: a\u{7}b"], &[]).expect_err("control");
        assert!(err.contains("control character"), "{err}");
        let path = write_config("base_url = \"https://x\"\nbogus = 1\n");
        let err = resolve(&["-c", path.to_str().expect("utf8")], &[]).expect_err("unknown key");
        assert!(err.contains("bogus") && err.contains("line 2"), "{err}");
        let err = resolve(&[], &[]).expect_err("no spec");
        assert!(err.contains("--spec"), "{err}");
    }

    #[test]
    fn headers_env_accepts_json_or_lines() {
        let config = resolve(
            &["--spec", "s.json"],
            &[("HEADERS", "{\"Authorization\": \"Bearer x\", \"X-N\": 1}")],
        )
        .expect("json");
        assert!(config.headers[0].1.is_sensitive());
        assert_eq!(config.headers[1].1.to_str().ok(), Some("1"));
        let config = resolve(
            &["--spec", "s.json"],
            &[("HEADERS", "A: 1\nB: two: parts\n")],
        )
        .expect("lines");
        assert_eq!(config.headers[1].1.to_str().ok(), Some("two: parts"));
    }

    #[test]
    fn manual_endpoints_are_a_spec_source() {
        let path =
            write_config("[[endpoints]]\nname = \"ping\"\nmethod = \"GET\"\npath = \"/ping\"\n");
        let config = resolve(&["-c", path.to_str().expect("utf8")], &[]).expect("config");
        assert!(matches!(config.spec, SpecSource::Manual { .. }));
    }

    #[test]
    fn presentation_reads_flags_over_file_keys() {
        use crate::presentation::{DialectChoice, OutputSchemas};
        use rest_mcp_openapi::SchemaDialect;
        let path = write_config(
            "openapi_spec = \"spec.yaml\"\ndescription_max = 120\noutput_schemas = \"none\"\nschema_dialect = \"openai\"\n",
        );
        let file = path.to_str().expect("utf8");
        let config = resolve(&["-c", file], &[]).expect("config");
        assert_eq!(config.presentation.description_max, Some(120));
        assert_eq!(config.presentation.output_schemas, OutputSchemas::None);
        assert_eq!(
            config.presentation.dialect,
            DialectChoice::Fixed(SchemaDialect::OpenAi)
        );
        let config = resolve(&["-c", file, "--schema-dialect", "auto"], &[]).expect("config");
        assert_eq!(config.presentation.dialect, DialectChoice::Auto);
        let defaults = resolve(&["--spec", "spec.yaml"], &[]).expect("config");
        assert!(defaults.presentation.is_identity(SchemaDialect::Full));
        assert_eq!(defaults.presentation.dialect, DialectChoice::default());
        let zero =
            resolve(&["--spec", "spec.yaml", "--description-max", "0"], &[]).expect_err("zero");
        assert!(zero.contains("at least 1 character"), "{zero}");
    }
}
