//! From a resolved [`ApiConfig`] to a served [`ToolSet`]: fetch or read the spec, load the
//! model, pick the base URL, set up credentials and the executor.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Url;
use rest_mcp_openapi::{
    ApiModel, Diagnostic, LoadOptions, Origin, SecuritySchemeKind, load, load_manual,
};

use crate::cli::config::{ApiConfig, SpecSource};
use crate::error::{ConfigError, Error};
use crate::executor::Executor;
use crate::toolset::ToolSet;
use crate::upstream_auth::UpstreamAuth;
use crate::util::bounded_body::{ReadError, read_at_most};
pub(crate) use crate::util::redact::redacted_url;

/// Default largest spec document read from a file, stdin, a URL or a remote `$ref`
/// (GitHub's is 13 MB); `--max-spec-size` changes it.
pub const MAX_SPEC_BYTES: usize = rest_mcp_openapi::DEFAULT_MAX_SPEC_BYTES;

/// Longest time all remote `$ref`s of one load may take together.
pub const REMOTE_REFS_DEADLINE: Duration = Duration::from_secs(60);

/// How to raise the spec size limit, for messages.
const SIZE_HINT: &str = "raise it with --max-spec-size (MAX_SPEC_SIZE, max_spec_size)";

/// Where the tools of a listing point when the API's address is unknown: a name under
/// `.invalid`, which never resolves (RFC 6761). Listed tools are never called.
const UNKNOWN_BASE_URL: &str = "http://base-url.invalid/";

/// What the tools are loaded for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// They will be called, so the API's base URL must be known.
    Serve,
    /// They are only shown (`list`, `--dry-run`): a spec without a usable server, and no
    /// `--base-url`, still lists.
    Show,
}

/// Everything built from a config.
#[derive(Debug)]
pub struct Service {
    /// The loaded model.
    pub model: ApiModel,
    /// What the loader noticed.
    pub diagnostics: Vec<Diagnostic>,
    /// The base URL requests go to; `None` only for [`Purpose::Show`] when neither the
    /// configuration nor the spec gives a usable one.
    pub base_url: Option<Url>,
    /// The tools.
    pub tools: ToolSet,
}

/// Load the spec named by `config` and build its tools.
pub async fn load_service(config: &ApiConfig, purpose: Purpose) -> Result<Service, Error> {
    let client = reqwest::Client::builder()
        .timeout(config.timeout.max(Duration::from_secs(30)))
        .build()
        .map_err(Error::HttpClient)?;
    let (model, diagnostics) = load_model(config, &client).await?;
    let base_url = match base_url(config, &model) {
        Ok(url) => Some(without_repeated_prefix(url, &model)),
        // Only the spec's servers can be missing or unusable: a given base URL that does
        // not parse is always an error.
        Err(_) if purpose == Purpose::Show && config.base_url.is_none() => None,
        Err(error) => return Err(error),
    };
    let executor_url = match &base_url {
        Some(url) => url.clone(),
        None => Url::parse(UNKNOWN_BASE_URL).map_err(|source| Error::BaseUrl {
            url: UNKNOWN_BASE_URL.to_owned(),
            source,
        })?,
    };
    // Token requests never follow redirects: a redirect could carry the client secret
    // (sent in the form body) to another host.
    let token_client = reqwest::Client::builder()
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(Error::HttpClient)?;
    let auth = match &config.auth {
        Some(auth) => UpstreamAuth::new(auth.clone(), token_client.clone())?,
        None => UpstreamAuth::none(),
    };
    let mut builder = Executor::builder(executor_url)
        .headers(config.headers.iter().cloned())
        .auth(auth);
    for (scheme, auth) in &config.scheme_credentials {
        if model.security_scheme(scheme).is_none() {
            let declared: Vec<&str> = model
                .security_schemes
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            tracing::warn!(
                "[credentials.{scheme}] names no security scheme of the spec, so no operation gets it; the spec declares: {}",
                if declared.is_empty() {
                    "none".to_owned()
                } else {
                    declared.join(", ")
                }
            );
        }
        builder = builder.scheme_auth(
            scheme,
            UpstreamAuth::new(auth.clone(), token_client.clone())?,
        );
    }
    let executor = builder
        .timeout(config.timeout)
        .max_response_size(config.max_response_size)
        .defaults(config.defaults)
        .response_headers(config.response_headers.clone())
        .select_argument(config.select_arg)
        .cookie_scope(cookie_scope(config, &model))
        .build()?;
    let tools = ToolSet::from_model(&model, Arc::new(executor))?;
    Ok(Service {
        model,
        diagnostics,
        base_url,
        tools,
    })
}

async fn load_model(
    config: &ApiConfig,
    client: &reqwest::Client,
) -> Result<(ApiModel, Vec<Diagnostic>), Error> {
    let mut options = config.load.clone();
    let limit = config.max_spec_size;
    options.external_refs.max_document_bytes = limit;
    if config.allow_remote_refs {
        options.external_refs.remote = Some(remote_fetcher(client.clone(), limit));
    }
    let loaded = match &config.spec {
        SpecSource::File(path) => {
            let bytes = read_spec(path, limit)?;
            let origin = Origin::File(path.clone());
            load_blocking(bytes, origin, options).await?
        }
        SpecSource::Url(url) => {
            let bytes = download(client, url, limit).await?;
            load_blocking(bytes, Origin::Url(url.clone()), options).await?
        }
        SpecSource::Manual { file, text } => {
            load_manual(text, Origin::File(file.clone()), &options)?
        }
    };
    Ok((loaded.model, loaded.diagnostics))
}

/// The spec file at `path` (`-`: standard input), at most `limit` bytes. Only regular
/// files are read: a FIFO, a device or a directory is refused from its metadata first.
fn read_spec(path: &std::path::Path, limit: usize) -> Result<Vec<u8>, Error> {
    let read = if path.as_os_str() == "-" {
        rest_mcp_openapi::read_bounded(
            std::io::stdin().lock(),
            std::path::Path::new("(standard input)"),
            limit,
        )
    } else {
        rest_mcp_openapi::read_regular_file(path, limit)
    };
    read.map_err(|error| Error::SpecInput { error })
}

/// Loading is CPU-bound and may fetch remote refs synchronously: run it off the runtime.
async fn load_blocking(
    bytes: Vec<u8>,
    origin: Origin,
    options: LoadOptions,
) -> Result<rest_mcp_openapi::Loaded, Error> {
    let loaded = tokio::task::spawn_blocking(move || load(&bytes, origin, &options))
        .await
        .map_err(|source| Error::Serve {
            context: "loading the spec failed",
            source: Box::new(source),
        })?;
    Ok(loaded?)
}

/// Fetches remote `$ref`s: each URL at most once per load (failures included), each
/// within the size limit, and all of them within [`REMOTE_REFS_DEADLINE`].
fn remote_fetcher(client: reqwest::Client, limit: usize) -> Arc<rest_mcp_openapi::RemoteFetcher> {
    let handle = tokio::runtime::Handle::current();
    let deadline = Instant::now() + REMOTE_REFS_DEADLINE;
    let fetched: Mutex<HashMap<String, Result<Vec<u8>, String>>> = Mutex::default();
    Arc::new(move |url: &str| {
        let cached = match fetched.lock() {
            Ok(guard) => guard.get(url).cloned(),
            Err(poisoned) => poisoned.into_inner().get(url).cloned(),
        };
        if let Some(result) = cached {
            return result;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let result = if left.is_zero() {
            Err(format!(
                "remote references took longer than {} s in all; not fetched",
                REMOTE_REFS_DEADLINE.as_secs()
            ))
        } else {
            handle
                .block_on(async { tokio::time::timeout(left, download(&client, url, limit)).await })
                .unwrap_or_else(|_| {
                    Err(Error::SpecDownload {
                        url: url.to_owned(),
                        reason: format!(
                            "remote references took longer than {} s in all",
                            REMOTE_REFS_DEADLINE.as_secs()
                        ),
                    })
                })
                .map_err(|error| error.to_string())
        };
        match fetched.lock() {
            Ok(mut guard) => guard.insert(url.to_owned(), result.clone()),
            Err(poisoned) => poisoned.into_inner().insert(url.to_owned(), result.clone()),
        };
        result
    })
}

/// GET a document, refusing non-2xx answers and anything over `limit` bytes. Failures
/// name their real cause (the connection error chain, the status, the size).
pub async fn download(client: &reqwest::Client, url: &str, limit: usize) -> Result<Vec<u8>, Error> {
    let failed = |reason: String| Error::SpecDownload {
        url: url.to_owned(),
        reason,
    };
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| failed(crate::util::error_chain::reqwest_chain(e)))?;
    if !response.status().is_success() {
        return Err(failed(format!("HTTP {}", response.status())));
    }
    read_at_most(response, limit)
        .await
        .map_err(|error| match error {
            ReadError::TooLarge { .. } => failed(format!(
                "it is larger than {}, the most read; {SIZE_HINT}",
                rest_mcp_openapi::size_text(limit)
            )),
            ReadError::Transport(e) => failed(crate::util::error_chain::reqwest_chain(e)),
        })
}

/// `--base-url`, else the spec's first server (variables at their defaults, relative URLs
/// resolved against a spec URL).
fn base_url(config: &ApiConfig, model: &ApiModel) -> Result<Url, Error> {
    if let Some(url) = &config.base_url {
        return Url::parse(url).map_err(|source| Error::BaseUrl {
            url: url.clone(),
            source,
        });
    }
    let Some(server) = model.servers.first() else {
        return Err(ConfigError::new(
            "the spec names no server; give the API's address with --base-url (or BASE_URL)",
        )
        .into());
    };
    let url = server.url_with_defaults();
    let resolved = match Url::parse(&url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(parsed),
        Ok(_) => Err(format!(
            "the spec's server `{url}` is not http(s); give --base-url"
        )),
        Err(_) => match &config.spec {
            SpecSource::Url(spec_url) => Url::parse(spec_url)
                .and_then(|base| base.join(&url))
                .map_err(|e| format!("cannot resolve the spec's server `{url}`: {e}")),
            _ => Err(format!(
                "the spec's server `{url}` is relative; give the API's address with --base-url (or BASE_URL)"
            )),
        },
    };
    resolved.map_err(|message| ConfigError::new(message).into())
}

/// The base URL without the trailing path segments that every operation path already
/// starts with: `https://api.stripe.com/v1` with paths `/v1/customers`, … would send
/// `/v1/v1/customers`. What was dropped is logged.
fn without_repeated_prefix(base: Url, model: &ApiModel) -> Url {
    let base_segments: Vec<&str> = base.path().split('/').filter(|s| !s.is_empty()).collect();
    let operation_segments: Vec<Vec<&str>> = model
        .operations
        .iter()
        .map(|op| {
            op.path
                .as_str()
                .split('/')
                .filter(|s| !s.is_empty())
                .collect()
        })
        .collect();
    if operation_segments.is_empty() {
        return base;
    }
    let repeated = (1..=base_segments.len()).rev().find(|&k| {
        let tail = &base_segments[base_segments.len() - k..];
        operation_segments
            .iter()
            .all(|path| path.len() > k && path[..k] == *tail)
    });
    let Some(k) = repeated else {
        return base;
    };
    let kept = &base_segments[..base_segments.len() - k];
    let mut fixed = base.clone();
    fixed.set_path(&format!("/{}", kept.join("/")));
    tracing::warn!(
        "the base URL {} ends with /{}, which every operation path already starts with; requests go under {fixed} instead, so the prefix is not doubled",
        redacted_url(&base),
        base_segments[base_segments.len() - k..].join("/"),
        fixed = redacted_url(&fixed)
    );
    fixed
}

/// The executor's cookie scope: the unnamed one for the one API of a flat config (whose
/// server decides on cookie sessions, as it always has); for one of several, its own
/// name when its cookie sessions are on, else none (the joined server may bring a jar
/// for another API's sake).
fn cookie_scope<'a>(config: &'a ApiConfig, model: &ApiModel) -> Option<&'a str> {
    match &config.name {
        None => Some(""),
        Some(name) => config
            .cookies
            .unwrap_or_else(|| declares_cookie_scheme(model))
            .then_some(name.as_str()),
    }
}

/// Whether the spec authenticates with a cookie (`apiKey` in `cookie`): then the session
/// cookie a login call sets must come back on later calls, so cookie sessions are on.
pub(crate) fn declares_cookie_scheme(model: &ApiModel) -> bool {
    model.security_schemes.iter().any(|scheme| {
        matches!(
            scheme.kind,
            SecuritySchemeKind::ApiKey {
                location: rest_mcp_openapi::ParamLocation::Cookie,
                ..
            }
        )
    })
}

/// A warning when the spec requires credentials and the config supplies none, with how
/// to supply them (every call would otherwise fail with 401 and no hint why).
pub fn missing_credentials_warning(config: &ApiConfig, model: &ApiModel) -> Option<String> {
    let required = model
        .operations
        .iter()
        .any(|op| !op.security.is_empty() && op.security.iter().all(|r| !r.schemes.is_empty()));
    // A session cookie comes from the API's own login call, kept by the cookie jar.
    let cookie_session = config
        .cookies
        .unwrap_or_else(|| declares_cookie_scheme(model))
        && declares_cookie_scheme(model);
    if !required || cookie_session || config.auth.is_some() || !config.scheme_credentials.is_empty()
    {
        return None;
    }
    let header_names: Vec<String> = model
        .security_schemes
        .iter()
        .filter_map(|scheme| match &scheme.kind {
            SecuritySchemeKind::ApiKey {
                location: rest_mcp_openapi::ParamLocation::Header,
                parameter,
            } => Some(parameter.to_ascii_lowercase()),
            SecuritySchemeKind::ApiKey { .. } => None,
            _ => Some("authorization".to_owned()),
        })
        .collect();
    let supplied = config
        .headers
        .iter()
        .any(|(name, _)| header_names.iter().any(|h| h == name.as_str()));
    if supplied {
        return None;
    }
    Some(format!(
        "the API requires credentials but none are configured, so calls will likely fail with 401. {}",
        credential_hints(model).join("; ")
    ))
}

/// How a user supplies each credential the spec declares, for `rest-mcp list` and docs.
pub fn credential_hints(model: &ApiModel) -> Vec<String> {
    model
        .security_schemes
        .iter()
        .map(|scheme| {
            let how = match &scheme.kind {
                SecuritySchemeKind::ApiKey { location, parameter } => match location {
                    rest_mcp_openapi::ParamLocation::Header => format!("--header '{parameter}: ${{API_KEY}}' or [auth] type = \"apikey_header\", key = \"{parameter}\", value = \"${{API_KEY}}\""),
                    rest_mcp_openapi::ParamLocation::Query => format!("[auth] type = \"apikey_query\", key = \"{parameter}\", value = \"${{API_KEY}}\""),
                    _ => format!("[auth] type = \"apikey_cookie\", key = \"{parameter}\", value = \"${{API_KEY}}\""),
                },
                SecuritySchemeKind::Http { scheme, .. } if scheme == "basic" => {
                    "[auth] type = \"basic\", username = \"...\", password = \"${PASSWORD}\"".to_owned()
                }
                SecuritySchemeKind::Http { .. } => "--header 'Authorization: Bearer ${TOKEN}' or [auth] type = \"bearer\", token = \"${TOKEN}\"".to_owned(),
                SecuritySchemeKind::OAuth2 { client_credentials_token_url: Some(url), .. } => {
                    format!("[auth] type = \"oauth2_cc\", token_url = \"{url}\", client_id = \"...\", client_secret = \"${{CLIENT_SECRET}}\"")
                }
                SecuritySchemeKind::OAuth2 { .. } | SecuritySchemeKind::OpenIdConnect { .. } => {
                    "obtain a token yourself and pass --header 'Authorization: Bearer ${TOKEN}'".to_owned()
                }
                SecuritySchemeKind::MutualTls => "mutual TLS is not supported yet".to_owned(),
            };
            format!("{}: {how}", scheme.name)
        })
        .collect()
}

/// The base URL for messages: redacted, or why there is none.
fn base_url_text(service: &Service) -> String {
    match &service.base_url {
        Some(url) => redacted_url(url),
        None => "unknown (the spec names no usable server; serving needs --base-url)".to_owned(),
    }
}

/// `rest-mcp list --json`: one object per tool, in the order they are served. The shape
/// is stable: `name`, `method`, `path`, `summary` and `description` (the spec's, or
/// `null`), `tags`, `read_only`, `destructive`, `idempotent`, `arguments` (`name`,
/// `required`, in input-schema order) and `estimated_tokens` (of the definition as
/// `shown` serves it).
pub fn tool_json(service: &Service, shown: &ToolSet) -> serde_json::Value {
    let tools = shown.tools();
    let entries = service
        .model
        .operations
        .iter()
        .zip(tools)
        .enumerate()
        .map(|(index, (operation, tool))| {
            let arguments: Vec<serde_json::Value> = operation
                .arguments()
                .iter()
                .map(|argument| {
                    serde_json::json!({"name": argument.name, "required": argument.required})
                })
                .collect();
            serde_json::json!({
                "name": tool.name,
                "method": operation.method.to_string(),
                "path": operation.path.to_string(),
                "summary": operation.summary,
                "description": operation.description,
                "tags": operation.tags,
                "read_only": operation.annotations.read_only,
                "destructive": operation.annotations.destructive,
                "idempotent": operation.annotations.idempotent,
                "arguments": arguments,
                "estimated_tokens": shown.estimated_tokens_of(index),
            })
        })
        .collect();
    serde_json::Value::Array(entries)
}

/// The human table of `rest-mcp list`, with the definitions as `shown` serves them;
/// `budget` is what `--tools auto` serves as is, `costs` the token estimate of each
/// setting ([`setting_costs`]).
pub fn tool_table(service: &Service, shown: &ToolSet, budget: usize, costs: &str) -> String {
    let tools = shown.tools();
    let mut rows: Vec<[String; 5]> = Vec::with_capacity(tools.len());
    let mut total_tokens = 0usize;
    for (index, (operation, tool)) in service.model.operations.iter().zip(tools).enumerate() {
        let tokens = shown.estimated_tokens_of(index);
        total_tokens += tokens;
        let arguments: Vec<String> = operation
            .arguments()
            .iter()
            .map(|argument| match argument.required {
                true => format!("{}*", argument.name),
                false => argument.name.to_owned(),
            })
            .collect();
        rows.push([
            tool.name.to_string(),
            operation.method.to_string(),
            operation.path.to_string(),
            arguments.join(", "),
            tokens.to_string(),
        ]);
    }
    let header = [
        "TOOL",
        "METHOD",
        "PATH",
        "ARGUMENTS (* required)",
        "~TOKENS",
    ];
    let widths: Vec<usize> = (0..5)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
                .min(60)
        })
        .collect();
    let mut out = String::new();
    let mut line = |cells: [&str; 5]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == 4 {
                text.push_str(&format!("{cell:>width$}", width = widths[i]));
            } else {
                text.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3], &row[4]]);
    }
    out.push_str(&format!(
        "\n{} tool{}, about {} tokens of tool definitions, base URL {}\n",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        total_tokens,
        base_url_text(service)
    ));
    let dynamic = shown.to_dynamic().estimated_tokens();
    out.push_str(&format!(
        "With --tools dynamic: 3 tools (search_tools, describe_tools, call_tool), about {dynamic} tokens; --tools auto (the default) serves them all up to {budget} tokens\n",
    ));
    out.push_str(costs);
    let hints = credential_hints(&service.model);
    if !hints.is_empty() {
        out.push_str("\nCredentials the spec declares, and how to supply them:\n");
        for hint in hints {
            out.push_str(&format!("  {hint}\n"));
        }
    }
    out
}

/// The `--description-max` of the compact rows of [`setting_costs`]: about two sentences,
/// enough for a model to tell similar tools apart.
pub const COMPACT_DESCRIPTION_MAX: usize = 200;

/// The estimated tokens of `tools/list` under each setting a user can choose, as a block
/// of `rest-mcp list`: the output-schema and description settings in `all` mode, each
/// schema dialect, and dynamic mode.
pub fn setting_costs(tools: &ToolSet) -> String {
    use crate::presentation::{OutputSchemas, Presentation};
    use rest_mcp_openapi::SchemaDialect;
    let cost = |presentation: Presentation, dialect: SchemaDialect| {
        tools.presented(&presentation, dialect).estimated_tokens()
    };
    let compact = Some(COMPACT_DESCRIPTION_MAX);
    let mut rows: Vec<(String, usize)> = Vec::new();
    for (flags, description_max, output_schemas) in [
        ("", None, OutputSchemas::Full),
        ("--output-schemas none", None, OutputSchemas::None),
        ("--description-max 200", compact, OutputSchemas::Full),
        (
            "--description-max 200 --output-schemas none",
            compact,
            OutputSchemas::None,
        ),
    ] {
        let presentation = Presentation {
            description_max,
            output_schemas,
            ..Presentation::default()
        };
        rows.push((
            format!("--tools all {flags}"),
            cost(presentation, SchemaDialect::Full),
        ));
    }
    for dialect in SchemaDialect::ALL.into_iter().skip(1) {
        rows.push((
            format!("--tools all --schema-dialect {dialect}"),
            cost(Presentation::default(), dialect),
        ));
    }
    rows.push((
        "--tools dynamic".to_owned(),
        tools.to_dynamic().estimated_tokens(),
    ));
    let width = rows
        .iter()
        .map(|(flags, _)| flags.trim_end().len())
        .max()
        .unwrap_or(0);
    let mut out = String::from("\nEstimated tools/list tokens by setting (settings combine):\n");
    for (flags, tokens) in rows {
        out.push_str(&format!("  {:<width$}  {tokens:>9}\n", flags.trim_end()));
    }
    out
}
