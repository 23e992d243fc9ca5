//! Configuration: command line > environment > config file > defaults, with `${VAR}`
//! interpolation in the base URL, headers and auth values.

mod api;
mod apis;
pub mod args;
mod duration;
pub mod file;
mod interpolate;

use crate::error::ConfigError;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::HeaderName;
use serde::Deserialize;

pub use api::{ApiConfig, SpecSource};
use api::{Layers, check_base_url, resolve_api};

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

/// The resolved configuration: the APIs served and the server's own settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The APIs served: the one unnamed API of a flat config, or one per `[[apis]]`
    /// entry, in the file's order. Never empty.
    pub apis: Vec<ApiConfig>,
    /// How tool definitions are served (descriptions, output schemas, dialect), for
    /// every API alike.
    pub presentation: crate::presentation::Presentation,
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
    rate_limited_methods: Option<Vec<crate::http::RateLimitedMethod>>,
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
        let (config, failed) = Config::resolve_each(spec_options, serve, env)?;
        match failed.into_iter().next() {
            Some((_, error)) => Err(error),
            None => Ok(config),
        }
    }

    /// [`Config::resolve`] for a reload: an `[[apis]]` entry whose own settings fail
    /// (an unset `${VAR}` in its `[apis.auth]`, say) is left out of the config and
    /// returned with its error, so the other APIs still reload. Mistakes of the file as a
    /// whole (its syntax, `[http]`, names and prefixes) are still errors.
    pub fn resolve_each(
        spec_options: &SpecOptions,
        serve: &ServeOptions,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(Config, Vec<(String, ConfigError)>), ConfigError> {
        let (mut file, config_file, text) = read_config_file(spec_options.config.as_deref())?;
        let file_name = config_file.as_ref().map(|path| path.display().to_string());
        let source = match (&file_name, &text) {
            (Some(file), Some(text)) => Some(Source { file, text }),
            _ => None,
        };
        let interpolate = |what: &str, text: &str| {
            interpolate::interpolate(text, env).map_err(|e| format!("{what}: {e}"))
        };
        let layers = Layers {
            spec_options,
            serve,
            env,
            interpolate: &interpolate,
            source,
            config_file: config_file.as_deref(),
        };
        let log_level = spec_options
            .log_level
            .clone()
            .or(file.log_level.take())
            .unwrap_or_else(|| "warn".to_owned());
        let log_format = spec_options
            .log_format
            .or(file.log_format)
            .unwrap_or_default();
        let transport = serve.transport.or(file.transport).unwrap_or_default();
        let presentation = presentation(spec_options, serve, &file)?;
        let http = http_settings(serve, file.http.as_ref(), &interpolate, source)?;
        let apis = if file.apis.is_empty() {
            let prefix = file.tool_prefix.take();
            vec![(
                String::new(),
                Ok(resolve_api(
                    &layers,
                    &file.into_api(),
                    None,
                    prefix,
                    text.clone(),
                )?),
            )]
        } else {
            apis::refuse_single_api_settings(&file, &layers)?;
            let entry_options = apis::without_empty_api_options(spec_options);
            let layers = Layers {
                spec_options: &entry_options,
                ..layers
            };
            apis::resolve_entries(std::mem::take(&mut file.apis), &layers)?
        };
        let names: Vec<&str> = apis.iter().map(|(name, _)| name.as_str()).collect();
        apis::check_key_scopes(&http.keys, &names)?;
        let mut failed = Vec::new();
        let apis = apis
            .into_iter()
            .filter_map(|(name, api)| api.map_err(|error| failed.push((name, error))).ok())
            .collect();
        let config = Config {
            apis,
            presentation,
            log_level,
            log_format,
            dry_run: serve.dry_run.unwrap_or(false),
            config_file,
            transport,
            http,
        };
        Ok((config, failed))
    }

    /// Whether several APIs are served (`[[apis]]`), so tools and results name theirs.
    pub fn is_many(&self) -> bool {
        self.apis.iter().any(|api| api.name.is_some())
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
        rate_limited_methods: file
            .rate_limited_methods
            .unwrap_or_else(|| crate::http::RateLimitedMethod::DEFAULT.to_vec()),
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
    use crate::upstream_auth::AuthConfig;
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
        assert_eq!(
            config.apis[0].base_url.as_deref(),
            Some("https://cli.example")
        );
        assert_eq!(config.apis[0].timeout, Duration::from_secs(5));
        assert_eq!(config.apis[0].max_response_size, DEFAULT_MAX_RESPONSE_SIZE);
        assert_eq!(
            config.apis[0].spec,
            SpecSource::File(path.parent().expect("dir").join("spec.yaml"))
        );
        let headers: Vec<(&str, &str)> = config.apis[0]
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("")))
            .collect();
        assert_eq!(headers, [("x-one", "env"), ("x-two", "cli")]);
        assert_eq!(config.apis[0].load.filters.include_tags, ["a"]);
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
        assert_eq!(config.apis[0].headers[0].1.to_str().ok(), Some("k3y"));
        assert!(
            matches!(config.apis[0].auth, Some(AuthConfig::Bearer { ref token }) if token == "t0k")
        );
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
        assert!(config.apis[0].headers[0].1.is_sensitive());
        assert_eq!(config.apis[0].headers[1].1.to_str().ok(), Some("1"));
        let config = resolve(
            &["--spec", "s.json"],
            &[("HEADERS", "A: 1\nB: two: parts\n")],
        )
        .expect("lines");
        assert_eq!(
            config.apis[0].headers[1].1.to_str().ok(),
            Some("two: parts")
        );
    }

    #[test]
    fn manual_endpoints_are_a_spec_source() {
        let path =
            write_config("[[endpoints]]\nname = \"ping\"\nmethod = \"GET\"\npath = \"/ping\"\n");
        let config = resolve(&["-c", path.to_str().expect("utf8")], &[]).expect("config");
        assert!(matches!(config.apis[0].spec, SpecSource::Manual { .. }));
    }

    const THREE_APIS: &str = "log_level = \"info\"\n\
        [[apis]]\nname = \"pets\"\nopenapi_spec = \"pets.yaml\"\nbase_url = \"http://127.0.0.1:1\"\n\
        [apis.headers]\nX-Pets-Key = \"${PETS_KEY}\"\n\
        [[apis]]\nname = \"status\"\nprefix = \"st\"\nbase_url = \"http://127.0.0.1:2\"\n\
        [[apis.endpoints]]\nname = \"ping\"\nmethod = \"GET\"\npath = \"/ping\"\n\
        [[apis]]\nname = \"billing\"\nopenapi_spec = \"billing.json\"\ntools = \"dynamic\"\n\
        [apis.auth]\ntype = \"bearer\"\ntoken = \"${BILLING_TOKEN}\"\n";

    #[test]
    fn apis_tables_resolve_each_api_on_its_own() {
        let path = write_config(THREE_APIS);
        let config = resolve(
            &["-c", path.to_str().expect("utf8")],
            &[
                ("PETS_KEY", "pets-secret"),
                ("BILLING_TOKEN", "billing-secret"),
            ],
        )
        .expect("config");
        assert!(config.is_many());
        let names: Vec<Option<&str>> = config.apis.iter().map(|a| a.name.as_deref()).collect();
        assert_eq!(names, [Some("pets"), Some("status"), Some("billing")]);
        let prefixes: Vec<Option<&str>> = config
            .apis
            .iter()
            .map(|a| a.load.naming.prefix.as_deref())
            .collect();
        assert_eq!(prefixes, [Some("pets"), Some("st"), Some("billing")]);
        assert_eq!(config.apis[0].headers.len(), 1);
        assert!(config.apis[1].headers.is_empty() && config.apis[2].headers.is_empty());
        assert!(config.apis[0].auth.is_none() && config.apis[1].auth.is_none());
        assert!(
            matches!(config.apis[2].auth, Some(AuthConfig::Bearer { ref token }) if token == "billing-secret")
        );
        assert!(
            matches!(&config.apis[1].spec, SpecSource::Manual { text, .. } if text.contains("/ping") && !text.contains("pets"))
        );
        assert_eq!(
            config.apis[2].tool_mode,
            crate::discovery::ToolMode::Dynamic
        );
        assert_eq!(config.log_level, "info");
    }

    #[test]
    fn apis_mistakes_name_the_file_line_and_fix() {
        let mixed = write_config(&format!("base_url = \"http://x\"\n{THREE_APIS}"));
        let err = resolve(&["-c", mixed.to_str().expect("utf8")], &[]).expect_err("mixed");
        assert!(
            err.contains("line 1")
                && err.contains("`base_url` is a setting of one API")
                && err.contains("into each [[apis]] entry"),
            "{err}"
        );
        let typo = write_config("[[apis]]\nname = \"a\"\nopenapi_spek = \"s.yaml\"\n");
        let err = resolve(&["-c", typo.to_str().expect("utf8")], &[]).expect_err("typo");
        assert!(
            err.contains("line 3") && err.contains("did you mean `openapi_spec`?"),
            "{err}"
        );
        let bad = write_config(
            "[[apis]]\nname = \"a\"\nopenapi_spec = \"s\"\n[[apis]]\nname = \"Billing API\"\nopenapi_spec = \"s\"\n",
        );
        let err = resolve(&["-c", bad.to_str().expect("utf8")], &[]).expect_err("name");
        assert!(
            err.contains("line 4") && err.contains("lowercase letters"),
            "{err}"
        );
        let twice = write_config(
            "[[apis]]\nname = \"a\"\nopenapi_spec = \"s\"\n[[apis]]\nname = \"a\"\nopenapi_spec = \"t\"\n",
        );
        let err = resolve(&["-c", twice.to_str().expect("utf8")], &[]).expect_err("twice");
        assert!(err.contains("used twice"), "{err}");
        let path = write_config(THREE_APIS);
        let env = [("PETS_KEY", "p"), ("BILLING_TOKEN", "b")];
        let err = resolve(
            &["-c", path.to_str().expect("utf8"), "--base-url", "http://x"],
            &env,
        )
        .expect_err("flag");
        assert!(
            err.contains("--base-url") && err.contains("[[apis]]"),
            "{err}"
        );
        let err = resolve(
            &["-c", path.to_str().expect("utf8")],
            &[
                ("PETS_KEY", "p"),
                ("BILLING_TOKEN", "b"),
                ("HEADERS", "X: 1"),
            ],
        )
        .expect_err("headers env");
        assert!(err.contains("HEADERS"), "{err}");
        let scoped = write_config(&format!(
            "{THREE_APIS}[http]\n[[http.keys]]\nname = \"bot\"\nkey = \"0123456789abcdef0\"\nrole = \"viewer\"\napis = [\"biling\"]\n"
        ));
        let err = resolve(
            &["-c", scoped.to_str().expect("utf8")],
            &[("PETS_KEY", "p"), ("BILLING_TOKEN", "b")],
        )
        .expect_err("scope");
        assert!(
            err.contains(
                "http.keys `bot`: no [[apis]] entry is named `biling`; did you mean `billing`?"
            ),
            "{err}"
        );
        // An image's environment may set OPENAPI_SPEC and BASE_URL empty: not a single API.
        let empty = [
            "-c",
            path.to_str().expect("utf8"),
            "--spec",
            "",
            "--base-url",
            "",
        ];
        let config = resolve(&empty, &[("PETS_KEY", "p"), ("BILLING_TOKEN", "b")]).expect("empty");
        assert_eq!(
            config.apis[0].base_url.as_deref(),
            Some("http://127.0.0.1:1")
        );
        let auth = write_config(
            "[[apis]]\nname = \"a\"\nopenapi_spec = \"s\"\n\n[apis.auth]\ntype = \"bearr\"\n",
        );
        let err = resolve(&["-c", auth.to_str().expect("utf8")], &[]).expect_err("auth");
        assert!(
            err.contains("(line 5): [apis.a.auth]: unknown value `bearr`; did you mean `bearer`?"),
            "{err}"
        );
        let err = resolve(&["-c", path.to_str().expect("utf8")], &[("PETS_KEY", "p")])
            .expect_err("unset");
        assert!(
            err.contains("`billing`") && err.contains("BILLING_TOKEN"),
            "{err}"
        );
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
