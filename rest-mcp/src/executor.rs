//! The one HTTP executor every front end shares: validate arguments, build the request,
//! add configured headers and credentials, send it with the pooled client, shape the
//! response. Transport failures are tool results with `isError: true`, never panics.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{COOKIE, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{Client, Url, redirect};
use rest_mcp_openapi::Operation;
use rmcp::model::{CallToolResult, ContentBlock, Tool};
use serde_json::{Map, Value};

use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::request::{Defaults, PreparedBody, PreparedRequest, build};
use crate::response::path::ResponsePath;
use crate::response::{self, PageContext, ResponseHeaders, Shape};
use crate::session_cookies::CookieJar;
use crate::upstream_auth::{AuthError, UpstreamAuth};
use crate::util::bounded_body::read_bounded;
use crate::util::error_chain::causes as error_chain;
use crate::util::redact::{
    MIN_SECRET_LEN, Redactor, is_sensitive_header, redact_secrets, redacted_url,
};

/// Default whole-request timeout of an [`Executor`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default largest response body an [`Executor`] returns to the model (100 KiB).
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 100 * 1024;

/// How the executor reaches the upstream; built with [`Executor::builder`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ExecutorConfig {
    /// Base URL every path is appended to (its path prefix is kept).
    pub base_url: Url,
    /// Headers sent with every request (arguments for the same header override them).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Upstream credentials: one for every operation, and any per security scheme.
    pub credentials: Credentials,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Largest response body returned to the model, in bytes.
    pub max_response_size: usize,
    /// Whether schema defaults are sent for arguments the caller left out.
    pub defaults: Defaults,
    /// Which response headers reach the model (in `_meta` and the text).
    pub response_headers: ResponseHeaders,
    /// Whether every tool takes an optional `select` argument: a JSONPath that returns
    /// only part of the JSON response.
    pub select_argument: bool,
    /// Which part of a session's cookie jar this executor's upstream uses: servers of
    /// several APIs give each its own, so one API's cookies never reach another's.
    /// `None`: this executor neither keeps nor sends cookies, even when given a jar (an
    /// API without cookie sessions served beside one with them).
    pub cookie_scope: Option<String>,
}

/// Sends tool calls upstream.
#[derive(Debug)]
pub struct Executor {
    client: Client,
    config: ExecutorConfig,
}

/// The name of the optional argument that selects part of the response.
const SELECT_ARGUMENT: &str = "select";

/// JSON bodies are read up to 16 times the response limit, and at least this much, to be
/// selected from and cut by whole items.
const MIN_JSON_READ: usize = 8 * 1024 * 1024;

/// Most redirects followed (same origin only).
const MAX_REDIRECTS: usize = 5;

/// Builds an [`Executor`]: a base URL, then optional headers, credentials and limits.
///
/// ```
/// use std::time::Duration;
/// use rest_mcp::reqwest_header::{HeaderName, HeaderValue};
///
/// # fn build() -> Result<(), Box<dyn std::error::Error>> {
/// let executor = rest_mcp::Executor::builder("https://api.example.com/v1".parse()?)
///     .header(HeaderName::from_static("x-tenant"), HeaderValue::from_static("acme"))
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// assert_eq!(executor.config().max_response_size, rest_mcp::DEFAULT_MAX_RESPONSE_SIZE);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ExecutorBuilder {
    config: ExecutorConfig,
}

impl ExecutorBuilder {
    /// Send this header with every request (a header argument of a tool overrides it).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> ExecutorBuilder {
        self.config.headers.push((name, value));
        self
    }

    /// Send these headers with every request.
    pub fn headers(
        mut self,
        headers: impl IntoIterator<Item = (HeaderName, HeaderValue)>,
    ) -> ExecutorBuilder {
        self.config.headers.extend(headers);
        self
    }

    /// Upstream credentials for every operation that takes credentials (default: none).
    pub fn auth(mut self, auth: UpstreamAuth) -> ExecutorBuilder {
        self.config.credentials = self.config.credentials.with_default(auth);
        self
    }

    /// Credentials for the operations whose `security` names the scheme `scheme` (the
    /// spec's `securitySchemes` key). Such an operation gets these instead of the
    /// [`auth`](Self::auth) credential; one naming several schemes gets each.
    pub fn scheme_auth(mut self, scheme: impl Into<String>, auth: UpstreamAuth) -> ExecutorBuilder {
        self.config.credentials = self.config.credentials.with_scheme(scheme, auth);
        self
    }

    /// Whole-request timeout (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> ExecutorBuilder {
        self.config.timeout = timeout;
        self
    }

    /// Largest response body returned to the model, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_SIZE`]); longer bodies are truncated with a note.
    pub fn max_response_size(mut self, bytes: usize) -> ExecutorBuilder {
        self.config.max_response_size = bytes;
        self
    }

    /// Fill arguments the caller left out with their schema defaults
    /// ([`Defaults::Send`]); by default only what the caller gave is sent.
    pub fn defaults(mut self, defaults: Defaults) -> ExecutorBuilder {
        self.config.defaults = defaults;
        self
    }

    /// Which response headers reach the model (default:
    /// [`ResponseHeaders::default`]).
    pub fn response_headers(mut self, headers: ResponseHeaders) -> ExecutorBuilder {
        self.config.response_headers = headers;
        self
    }

    /// Give every tool an optional `select` argument (RFC 9535 JSONPath, e.g.
    /// `$.items[*].id`): the model asks for only the part of a JSON response it needs
    /// (default: off). A tool that already has an argument named `select` keeps its own.
    pub fn select_argument(mut self, on: bool) -> ExecutorBuilder {
        self.config.select_argument = on;
        self
    }

    /// Keep this executor's cookies in their own part of each session's jar (default: the
    /// unnamed part): an embedder serving several APIs gives each its own scope. `None`
    /// keeps none and sends none, whatever jar a call brings.
    pub fn cookie_scope(mut self, scope: Option<&str>) -> ExecutorBuilder {
        self.config.cookie_scope = scope.map(str::to_owned);
        self
    }

    /// The executor, with its pooled HTTP client.
    pub fn build(self) -> Result<Executor, Error> {
        Executor::new(self.config)
    }
}

impl Executor {
    /// Start building an executor that sends every request under `base_url` (its path
    /// prefix is kept).
    pub fn builder(base_url: Url) -> ExecutorBuilder {
        ExecutorBuilder {
            config: ExecutorConfig {
                base_url,
                headers: Vec::new(),
                credentials: Credentials::default(),
                timeout: DEFAULT_TIMEOUT,
                max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
                defaults: Defaults::Omit,
                response_headers: ResponseHeaders::default(),
                select_argument: false,
                cookie_scope: Some(String::new()),
            },
        }
    }

    /// A pooled client with rustls, the timeout, and redirects followed only within the
    /// base URL's origin (credentials never travel to another host).
    pub(crate) fn new(config: ExecutorConfig) -> Result<Executor, Error> {
        let client = Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(90))
            .redirect(redirect::Policy::custom(|attempt| {
                let same_origin = attempt
                    .previous()
                    .first()
                    .is_some_and(|first| first.origin() == attempt.url().origin());
                if attempt.previous().len() > MAX_REDIRECTS || !same_origin {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            }))
            .build()
            .map_err(Error::HttpClient)?;
        let executor = Executor { client, config };
        if executor
            .result_secrets(&[])
            .iter()
            .any(|secret| secret.len() < MIN_SECRET_LEN)
        {
            tracing::warn!(
                "a configured credential is shorter than {MIN_SECRET_LEN} characters: it is too short to be removed from tool results safely, so an upstream that echoes it would show it"
            );
        }
        Ok(executor)
    }

    /// The shared HTTP client (for auth token requests and spec downloads).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The configuration.
    pub fn config(&self) -> &ExecutorConfig {
        &self.config
    }

    /// Call `endpoint` with `arguments` and shape the result for MCP. `extra_headers`
    /// (forwarded per call) override configured headers. With a `cookies` jar, cookies
    /// the upstream set earlier are sent and new ones kept.
    pub async fn call(
        &self,
        endpoint: &Endpoint,
        mut arguments: Map<String, Value>,
        extra_headers: &[(HeaderName, HeaderValue)],
        cookies: Option<&CookieJar>,
    ) -> CallToolResult {
        let select = match self.take_select(endpoint, &mut arguments) {
            Ok(select) => select,
            Err(message) => return error_result(message),
        };
        match self
            .send_call(endpoint, &arguments, extra_headers, cookies)
            .await
        {
            Ok(response) => {
                self.shape(
                    endpoint,
                    response,
                    &arguments,
                    extra_headers,
                    select.as_ref(),
                )
                .await
            }
            Err(error) => error_result(error.to_string()),
        }
    }

    /// The MCP tool served for `endpoint`: its own definition, plus the `select` argument
    /// when that is on (and the tool has no argument of that name). With an output
    /// schema, the result of a selecting call is `{"selected": ...}`, which the schema
    /// then also allows.
    pub fn tool_for(&self, endpoint: &Endpoint) -> Tool {
        let mut tool = endpoint.tool();
        if !self.offers_select(endpoint) {
            return tool;
        }
        let schema = Arc::make_mut(&mut tool.input_schema);
        let properties = schema
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(properties) = properties {
            properties.insert(SELECT_ARGUMENT.to_owned(), select_schema());
        }
        if let Some(output) = tool.output_schema.as_mut() {
            *output = Arc::new(output_with_selection(output));
        }
        tool
    }

    fn offers_select(&self, endpoint: &Endpoint) -> bool {
        self.config.select_argument && endpoint.target(SELECT_ARGUMENT).is_none()
    }

    /// Remove the `select` argument (when the tool offers it) and parse it.
    fn take_select(
        &self,
        endpoint: &Endpoint,
        arguments: &mut Map<String, Value>,
    ) -> Result<Option<ResponsePath>, String> {
        if !self.offers_select(endpoint) {
            return Ok(None);
        }
        match arguments.remove(SELECT_ARGUMENT) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => ResponsePath::parse(&text).map(Some).map_err(|error| {
                format!("Invalid arguments (nothing was sent): `select`: {error}")
            }),
            Some(other) => Err(format!(
                "Invalid arguments (nothing was sent): `select` must be a JSONPath string such as \"$.items[*].id\", not {other}"
            )),
        }
    }

    /// Validate `arguments`, build the request, add headers and credentials, send it (once
    /// more after a 401 when fresh credentials may help), and return the raw response.
    /// Typed clients use this directly; [`Executor::call`] shapes it for MCP.
    pub async fn request(
        &self,
        endpoint: &Endpoint,
        arguments: &Map<String, Value>,
        extra_headers: &[(HeaderName, HeaderValue)],
    ) -> Result<reqwest::Response, CallError> {
        self.send_call(endpoint, arguments, extra_headers, None)
            .await
    }

    async fn send_call(
        &self,
        endpoint: &Endpoint,
        arguments: &Map<String, Value>,
        extra_headers: &[(HeaderName, HeaderValue)],
        cookies: Option<&CookieJar>,
    ) -> Result<reqwest::Response, CallError> {
        let validator = endpoint.validator();
        if let Some(problem) = validator.problem() {
            tracing::debug!(tool = %endpoint.operation().tool_name, "input schema does not compile, only argument names are checked: {problem}");
        }
        validator
            .check(arguments, endpoint.argument_names())
            .map_err(CallError::InvalidArguments)?;
        let mut request = build(
            endpoint,
            &self.config.base_url,
            arguments,
            self.config.defaults,
        )
        .map_err(|message| {
            CallError::InvalidArguments(format!("Invalid arguments (nothing was sent): {message}"))
        })?;
        // Precedence: header arguments, then forwarded headers, then configured ones. An
        // operation that takes no credentials gets no configured or forwarded ones.
        let anonymous = endpoint.operation().anonymous;
        let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
        for (name, value) in extra_headers.iter().chain(&self.config.headers) {
            if anonymous && is_sensitive_header(name.as_str()) {
                continue;
            }
            let taken = request
                .headers
                .iter()
                .chain(&headers)
                .any(|(existing, _)| existing == name);
            if !taken {
                headers.push((name.clone(), value.clone()));
            }
        }
        headers.append(&mut request.headers);
        request.headers = headers;
        self.send(request, extra_headers, endpoint.operation(), cookies)
            .await
    }

    /// Send a prepared request with credentials, retrying once after a 401 when the
    /// credentials can be refreshed. Forwarded per-user headers win over configured
    /// credentials for the same header. An `anonymous` operation (`security: []`) gets
    /// neither configured credentials, forwarded credential headers nor session cookies;
    /// cookies it sets are still kept.
    async fn send(
        &self,
        unauthenticated: PreparedRequest,
        forwarded: &[(HeaderName, HeaderValue)],
        operation: &Operation,
        cookies: Option<&CookieJar>,
    ) -> Result<reqwest::Response, CallError> {
        let anonymous = operation.anonymous;
        let credentials = self.config.credentials.for_operation(operation);
        let (cookies, scope) = match &self.config.cookie_scope {
            Some(scope) => (cookies, scope.as_str()),
            None => (None, ""),
        };
        let mut retried = false;
        loop {
            let mut attempt = unauthenticated.clone();
            if !anonymous {
                for auth in &credentials {
                    auth.apply(&mut attempt).await.map_err(CallError::Auth)?;
                }
                if let Some(jar) = cookies {
                    for (name, value) in jar.cookies_for(scope, &attempt.url) {
                        if !attempt
                            .cookies
                            .iter()
                            .any(|(existing, _)| *existing == name)
                        {
                            attempt.cookies.push((name, value));
                        }
                    }
                }
            }
            for (name, value) in forwarded {
                if !(anonymous && is_sensitive_header(name.as_str())) {
                    attempt.set_header(name.clone(), value.clone());
                }
            }
            let request = into_reqwest(&self.client, attempt).map_err(|message| {
                CallError::InvalidArguments(format!(
                    "Invalid arguments (nothing was sent): {message}"
                ))
            })?;
            let started = Instant::now();
            let outcome = self.client.execute(request).await;
            let latency_ms = started.elapsed().as_millis() as u64;
            let (method, path) = (&unauthenticated.method, unauthenticated.url.path());
            let response = match outcome {
                Ok(response) => response,
                Err(error) => {
                    let message = self.redact(&self.describe_transport_error(&error));
                    tracing::debug!(%method, path, latency_ms, "upstream request failed: {message}");
                    return Err(CallError::Transport {
                        message,
                        source: error,
                    });
                }
            };
            if let Some(jar) = cookies {
                jar.store_from(scope, response.url(), response.headers());
            }
            let status = response.status();
            tracing::debug!(%method, path, status = status.as_u16(), latency_ms, "upstream request");
            if status == reqwest::StatusCode::UNAUTHORIZED
                && !anonymous
                && !retried
                && invalidate_all(&credentials)
            {
                retried = true;
                continue;
            }
            return Ok(response);
        }
    }

    async fn shape(
        &self,
        endpoint: &Endpoint,
        response: reqwest::Response,
        arguments: &Map<String, Value>,
        forwarded: &[(HeaderName, HeaderValue)],
        select: Option<&ResponsePath>,
    ) -> CallToolResult {
        let status = response.status();
        let headers = response.headers().clone();
        let limit = self.config.max_response_size;
        let count_limit = (limit as u64).saturating_mul(16).max(16 * 1024 * 1024);
        // JSON is read whole (up to a bound) so it can be selected from and cut by whole
        // items; anything else only up to what the model is shown.
        let keep = if response::response_media(&headers).ends_with("json") {
            limit.saturating_mul(16).max(MIN_JSON_READ)
        } else {
            limit
        };
        let body = match read_bounded(response, keep, count_limit).await {
            Ok(body) => body,
            Err(error) => {
                let message = format!(
                    "HTTP {status}: reading the response failed: {}",
                    error_chain(&error).unwrap_or_else(|| "unknown error".to_owned())
                );
                return error_result(self.redact(&message));
            }
        };
        let operation = endpoint.operation();
        let shape = Shape {
            tool: &operation.tool_name,
            structured: endpoint.structured(),
            response_path: endpoint.response_path(),
            select,
            select_argument: self.offers_select(endpoint),
            limit,
            headers: &self.config.response_headers,
            page: Some(PageContext {
                parameters: &operation.parameters,
                arguments,
            }),
        };
        let mut result = response::shape(status, &headers, body, &shape);
        // An upstream may echo the request: the credentials sent with it stay out.
        let secrets = self.result_secrets(forwarded);
        Redactor::new(secrets.iter().map(String::as_str)).result(&mut result);
        if endpoint.structured().is_some() && result.is_error != Some(true) && select.is_none() {
            response::ensure_conforming(&mut result, &|value| endpoint.conforms_to_output(value));
        }
        result
    }

    /// The credentials a request carries, for removing from its result: the auth
    /// secrets (the current OAuth token included), the base URL's password, and the values
    /// of credential headers, configured or forwarded for this call (whole, and without
    /// their `Bearer`/`Basic` scheme).
    fn result_secrets(&self, forwarded: &[(HeaderName, HeaderValue)]) -> Vec<String> {
        let mut secrets = self.credential_secrets();
        let url = &self.config.base_url;
        if let Some(password) = url.password().filter(|p| !p.is_empty()) {
            let decoded = percent_encoding::percent_decode_str(password)
                .decode_utf8_lossy()
                .into_owned();
            let user = percent_encoding::percent_decode_str(url.username())
                .decode_utf8_lossy()
                .into_owned();
            secrets.push(format!("{user}:{decoded}"));
            secrets.push(decoded);
            secrets.push(password.to_owned());
        }
        let configured = self
            .config
            .headers
            .iter()
            .filter(|(name, value)| value.is_sensitive() || is_sensitive_header(name.as_str()));
        for (_, value) in configured.chain(forwarded) {
            let Ok(value) = value.to_str() else { continue };
            let value = value.trim();
            if let Some((_, credential)) = value.split_once(' ') {
                secrets.push(credential.trim().to_owned());
            }
            secrets.push(value.to_owned());
        }
        secrets.retain(|secret| !secret.is_empty());
        secrets
    }

    /// The secrets of every configured credential.
    fn credential_secrets(&self) -> Vec<String> {
        self.config
            .credentials
            .all()
            .flat_map(UpstreamAuth::secrets)
            .collect()
    }

    /// Remove every credential from text that leaves the process.
    fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        if let Some(password) = self.config.base_url.password()
            && !password.is_empty()
        {
            text = text.replace(password, "***");
        }
        let secrets = self.credential_secrets();
        let header_values = self
            .config
            .headers
            .iter()
            .filter_map(|(_, v)| v.to_str().ok());
        redact_secrets(
            &text,
            secrets.iter().map(String::as_str).chain(header_values),
            3,
        )
    }

    /// A message a model (and its user) can act on.
    fn describe_transport_error(&self, error: &reqwest::Error) -> String {
        let base_url = redacted_url(&self.config.base_url);
        let host = self.config.base_url.host_str().unwrap_or("the upstream");
        let chain = error_chain(error).unwrap_or_else(|| "unknown error".to_owned());
        if error.is_timeout() {
            format!(
                "The upstream ({host}) did not answer within {} s (the request timeout); nothing more is known about whether the request took effect.",
                self.config.timeout.as_secs_f64()
            )
        } else if error.is_connect() {
            let lower = chain.to_ascii_lowercase();
            if lower.contains("dns") || lower.contains("resolve") || lower.contains("lookup") {
                format!("Could not resolve the upstream host `{host}` (DNS failure): {chain}")
            } else if lower.contains("refused") {
                format!(
                    "Could not connect to the upstream at {base_url}: connection refused. Is it running, and is the base URL right?"
                )
            } else {
                format!("Could not connect to the upstream at {base_url}: {chain}")
            }
        } else {
            format!("The request to the upstream failed: {chain}")
        }
    }
}

/// Why a call produced no upstream response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The arguments do not fit the tool (nothing was sent); the message tells the model
    /// what to fix.
    #[error("{0}")]
    InvalidArguments(String),
    /// Credentials could not be obtained (nothing was sent).
    #[error("Upstream authentication failed (nothing was sent): {0}")]
    Auth(#[source] AuthError),
    /// The upstream could not be reached or did not answer in time.
    #[error("{message}")]
    Transport {
        /// What happened, for the model (credentials redacted).
        message: String,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
}

/// A tool result with `isError: true` and one text block.
pub(crate) fn error_result(message: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.into())])
}

/// Our plain request to a reqwest request.
fn into_reqwest(client: &Client, request: PreparedRequest) -> Result<reqwest::Request, String> {
    let mut builder = client
        .request(request.method, request.url)
        .header(USER_AGENT, concat!("rest-mcp/", env!("CARGO_PKG_VERSION")));
    for (name, value) in request.headers {
        builder = builder.header(name, value);
    }
    if !request.cookies.is_empty() {
        let cookie = request
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut value = HeaderValue::from_str(&cookie)
            .map_err(|_| "a cookie value cannot be sent".to_owned())?;
        value.set_sensitive(true);
        builder = builder.header(COOKIE, value);
    }
    builder = match request.body {
        None => builder,
        Some(PreparedBody::Bytes { content_type, data }) => builder
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(data),
        Some(PreparedBody::Form(pairs)) => builder.form(&pairs),
        Some(PreparedBody::Multipart(parts)) => {
            let mut form = reqwest::multipart::Form::new();
            for part in parts {
                let mut piece = reqwest::multipart::Part::bytes(part.data);
                if let Some(filename) = part.filename {
                    piece = piece.file_name(filename);
                }
                if let Some(content_type) = part.content_type {
                    piece = piece.mime_str(&content_type).map_err(|_| {
                        format!(
                            "`{}`: `{content_type}` is not a valid media type",
                            part.name
                        )
                    })?;
                }
                form = form.part(part.name, piece);
            }
            builder.multipart(form)
        }
    };
    builder.build().map_err(|e| {
        format!(
            "cannot build the request: {}",
            error_chain(&e).unwrap_or_else(|| "unknown error".to_owned())
        )
    })
}

/// The input schema of the `select` argument.
fn select_schema() -> Value {
    serde_json::json!({
        "type": "string",
        "description": "Optional. A JSONPath (RFC 9535) that returns only part of the JSON response, to keep large answers small: `$.items[*].name` lists every item's name, `$.items[0:5]` the first five items, `$.items[?@.state == 'open']` the open ones, `$.total_count` one value. Paths with wildcards, slices or filters return a list."
    })
}

/// An output schema that also allows the `{"selected": ...}` result of a selecting call.
fn output_with_selection(output: &Map<String, Value>) -> Map<String, Value> {
    let mut original = output.clone();
    let mut combined = Map::new();
    if let Some(dialect) = original.remove("$schema") {
        combined.insert("$schema".into(), dialect);
    }
    combined.insert("type".into(), Value::String("object".into()));
    combined.insert(
        "anyOf".into(),
        serde_json::json!([
            Value::Object(original),
            {
                "type": "object",
                "properties": {"selected": {"description": "What the call's `select` JSONPath matched."}},
                "required": ["selected"]
            }
        ]),
    );
    combined
}

/// Forget every cached token of `credentials` (all of them, not just the first that has
/// one); true when any was forgotten, so a retry may succeed.
fn invalidate_all(credentials: &[&UpstreamAuth]) -> bool {
    let mut any = false;
    for auth in credentials {
        any |= auth.invalidate();
    }
    any
}
