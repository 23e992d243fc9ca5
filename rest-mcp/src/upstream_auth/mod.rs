//! Upstream authentication: the `[auth]` config section and how it is applied to every
//! outbound request.
//!
//! Static credentials (bearer token, API key in a header, query parameter or cookie,
//! HTTP Basic) are validated and pre-encoded once in [`UpstreamAuth::new`]; applying them
//! is then a cheap clone. OAuth2 client credentials fetch an access token from the token
//! endpoint on first use, cache it, refresh it shortly before it expires, and share one
//! fetch between all requests that need a token at the same time.
//!
//! Nothing in this module ever puts a secret into a `Debug` or `Display` string or a log
//! line; [`UpstreamAuth::secrets`] lists the strings the logging layer must redact.

use std::fmt;
use std::sync::{Arc, Mutex as StdMutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::Value;

use crate::request::PreparedRequest;
use crate::util::bounded_body::{ReadError, read_at_most};
use crate::util::error_chain::causes;
use crate::util::redact::{display_url, display_url_text, redact_secrets};

/// How long a whole token exchange (connect, send, read the answer) may take.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes read from a token endpoint's answer.
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;
/// Refresh a token when less than this much of its lifetime remains (or 10 % of the
/// lifetime, whichever is smaller).
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// Longest token lifetime taken at face value (one year); longer ones are capped.
const MAX_LIFETIME_SECS: f64 = 365.0 * 24.0 * 3600.0;
/// Longest piece of server-provided text (OAuth `error_description`) put in an error.
const MAX_SERVER_TEXT: usize = 300;

/// Bytes that may not appear verbatim in a cookie value (RFC 6265 `cookie-octet`
/// excludes controls, space, `"`, `,`, `;` and `\`; non-ASCII is always encoded).
const COOKIE_VALUE: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b',').add(b';').add(b'\\');

/// Bytes percent-encoded in OAuth client credentials sent with HTTP Basic
/// (RFC 6749 §2.3.1). Unreserved characters stay literal so servers that decode and
/// servers that do not agree on the common case.
const CLIENT_CREDENTIAL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'*');

/// `[auth]` in the config file (values arrive with `${VAR}` already interpolated by the
/// config layer).
///
/// `Debug` is implemented by hand and never shows a token, key value, password or client
/// secret.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthConfig {
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// The bearer token.
        token: String,
    },
    /// An API key sent in a request header.
    ApikeyHeader {
        /// The header name, e.g. `X-API-Key`.
        key: String,
        /// The header value (the API key).
        value: String,
    },
    /// An API key sent as a query parameter.
    ApikeyQuery {
        /// The query parameter name, e.g. `api_key`.
        key: String,
        /// The parameter value (the API key).
        value: String,
    },
    /// An API key sent as a cookie.
    ApikeyCookie {
        /// The cookie name.
        key: String,
        /// The cookie value (the API key); percent-encoded when it holds characters a
        /// cookie value may not contain.
        value: String,
    },
    /// HTTP Basic authentication (`Authorization: Basic base64(username:password)`).
    Basic {
        /// The user name (may not contain `:`).
        username: String,
        /// The password.
        password: String,
    },
    /// OAuth2 client-credentials grant with a cached, automatically refreshed token.
    Oauth2Cc {
        /// The token endpoint (`http` or `https`).
        token_url: String,
        /// The client identifier.
        client_id: String,
        /// The client secret.
        client_secret: String,
        /// Scopes requested (sent space-joined as `scope`); none when empty.
        #[serde(default)]
        scopes: Vec<String>,
        /// The `audience` parameter some providers (Auth0 and others) require.
        #[serde(default)]
        audience: Option<String>,
        /// How the client authenticates to the token endpoint.
        #[serde(default)]
        client_auth: ClientAuth,
    },
}

/// How an OAuth2 client authenticates to the token endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// HTTP Basic with the form-encoded client id and secret (RFC 6749
    /// `client_secret_basic`); the default.
    #[default]
    #[serde(alias = "client_secret_basic")]
    Basic,
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    #[serde(alias = "client_secret_post")]
    Body,
}

impl ClientAuth {
    fn name(self) -> &'static str {
        match self {
            ClientAuth::Basic => "basic",
            ClientAuth::Body => "body",
        }
    }
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const REDACTED: &str = "[REDACTED]";
        match self {
            AuthConfig::Bearer { .. } => {
                f.debug_struct("Bearer").field("token", &REDACTED).finish()
            }
            AuthConfig::ApikeyHeader { key, .. } => f
                .debug_struct("ApikeyHeader")
                .field("key", key)
                .field("value", &REDACTED)
                .finish(),
            AuthConfig::ApikeyQuery { key, .. } => f
                .debug_struct("ApikeyQuery")
                .field("key", key)
                .field("value", &REDACTED)
                .finish(),
            AuthConfig::ApikeyCookie { key, .. } => f
                .debug_struct("ApikeyCookie")
                .field("key", key)
                .field("value", &REDACTED)
                .finish(),
            AuthConfig::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &REDACTED)
                .finish(),
            AuthConfig::Oauth2Cc {
                token_url,
                client_id,
                scopes,
                audience,
                client_auth,
                ..
            } => f
                .debug_struct("Oauth2Cc")
                .field("token_url", &display_url_text(token_url))
                .field("client_id", client_id)
                .field("client_secret", &REDACTED)
                .field("scopes", scopes)
                .field("audience", audience)
                .field("client_auth", client_auth)
                .finish(),
        }
    }
}

/// Why credentials could not be set up or applied.
///
/// The message names the setting or the token endpoint involved and, for token endpoint
/// failures, the HTTP status and the OAuth `error` / `error_description`; it never
/// contains a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthError {
    message: String,
}

impl AuthError {
    fn new(message: impl Into<String>) -> Self {
        AuthError {
            message: message.into(),
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AuthError {}

/// Credentials applied to every upstream request.
///
/// Cheap to clone (one `Arc`); clones share the OAuth2 token cache.
#[derive(Clone)]
pub struct UpstreamAuth {
    inner: Arc<Inner>,
}

struct Inner {
    kind: Kind,
    description: String,
    /// Secrets known at construction (and derived encodings of them).
    secrets: Vec<String>,
}

enum Kind {
    None,
    Header {
        name: HeaderName,
        value: HeaderValue,
    },
    Query {
        name: String,
        value: String,
    },
    Cookie {
        name: String,
        value: String,
    },
    OAuth(Box<OAuthClient>),
}

impl fmt::Debug for UpstreamAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UpstreamAuth")
            .field(&self.inner.description)
            .finish()
    }
}

impl UpstreamAuth {
    /// No authentication: [`apply`](Self::apply) leaves requests unchanged.
    pub fn none() -> Self {
        UpstreamAuth {
            inner: Arc::new(Inner {
                kind: Kind::None,
                description: "none".to_owned(),
                secrets: Vec::new(),
            }),
        }
    }

    /// Validate `config` and prepare it for use; `client` is used for OAuth2 token
    /// requests only.
    ///
    /// Rejects header and cookie names that are not valid tokens, values containing a line
    /// break (usually a trailing newline from the environment), empty tokens, key values
    /// and client credentials, values that cannot be sent in an HTTP header, a `:` in a
    /// Basic user name, and token URLs that are not `http(s)` or carry credentials.
    pub fn new(config: AuthConfig, client: reqwest::Client) -> Result<Self, AuthError> {
        Self::with_token_timeout(config, client, TOKEN_TIMEOUT)
    }

    fn with_token_timeout(
        config: AuthConfig,
        client: reqwest::Client,
        token_timeout: Duration,
    ) -> Result<Self, AuthError> {
        let (kind, description, secrets) = match config {
            AuthConfig::Bearer { token } => {
                check_secret("auth.token", &token, false)?;
                let value = sensitive_header(&format!("Bearer {token}"), "auth.token")?;
                let kind = Kind::Header {
                    name: AUTHORIZATION,
                    value,
                };
                (kind, "bearer token".to_owned(), vec![token])
            }
            AuthConfig::ApikeyHeader { key, value } => {
                let name = HeaderName::from_bytes(key.trim().as_bytes()).map_err(|_| {
                    AuthError::new(format!(
                        "auth.key `{}` is not a valid HTTP header name",
                        printable(&key)
                    ))
                })?;
                check_secret("auth.value", &value, false)?;
                let header = sensitive_header(&value, "auth.value")?;
                let description = format!("api key in header {name}");
                let kind = Kind::Header {
                    name,
                    value: header,
                };
                (kind, description, vec![value])
            }
            AuthConfig::ApikeyQuery { key, value } => {
                if key.is_empty() {
                    return Err(AuthError::new(
                        "auth.key (the query parameter name) is empty",
                    ));
                }
                check_no_line_break("auth.key", &key)?;
                check_secret("auth.value", &value, false)?;
                let description = format!("api key in query parameter {}", printable(&key));
                let mut secrets = vec![value.clone()];
                secrets.push(form_encoded(&value));
                (Kind::Query { name: key, value }, description, secrets)
            }
            AuthConfig::ApikeyCookie { key, value } => {
                if !is_token(&key) {
                    return Err(AuthError::new(format!(
                        "auth.key `{}` is not a valid cookie name",
                        printable(&key)
                    )));
                }
                check_secret("auth.value", &value, false)?;
                let encoded = utf8_percent_encode(&value, COOKIE_VALUE).to_string();
                let description = format!("api key in cookie {key}");
                let secrets = vec![value, encoded.clone()];
                let kind = Kind::Cookie {
                    name: key,
                    value: encoded,
                };
                (kind, description, secrets)
            }
            AuthConfig::Basic { username, password } => {
                check_no_line_break("auth.username", &username)?;
                if username.contains(':') {
                    return Err(AuthError::new(
                        "auth.username contains `:`, which HTTP Basic authentication cannot carry",
                    ));
                }
                check_secret("auth.password", &password, true)?;
                let credentials = BASE64.encode(format!("{username}:{password}"));
                let value = sensitive_header(&format!("Basic {credentials}"), "auth.username")?;
                let description = format!("basic (username={})", printable(&username));
                let kind = Kind::Header {
                    name: AUTHORIZATION,
                    value,
                };
                (kind, description, vec![password, credentials])
            }
            AuthConfig::Oauth2Cc {
                token_url,
                client_id,
                client_secret,
                scopes,
                audience,
                client_auth,
            } => {
                let oauth = OAuthClient::new(
                    OAuthSettings {
                        token_url,
                        client_id,
                        client_secret,
                        scopes,
                        audience,
                        client_auth,
                    },
                    client,
                    token_timeout,
                )?;
                let description = oauth.describe();
                let secrets = oauth.static_secrets();
                (Kind::OAuth(Box::new(oauth)), description, secrets)
            }
        };
        let mut unique: Vec<String> = Vec::with_capacity(secrets.len());
        for secret in secrets {
            if !secret.is_empty() && !unique.contains(&secret) {
                unique.push(secret);
            }
        }
        Ok(UpstreamAuth {
            inner: Arc::new(Inner {
                kind,
                description,
                secrets: unique,
            }),
        })
    }

    /// Add the credentials to `request`: the `Authorization` or API-key header (replacing
    /// any header of that name), the query parameter (appended), or the cookie (replacing
    /// a cookie of the same name). For OAuth2 this fetches or refreshes the access token
    /// when needed; concurrent callers share one fetch.
    pub async fn apply(&self, request: &mut PreparedRequest) -> Result<(), AuthError> {
        match &self.inner.kind {
            Kind::None => {}
            Kind::Header { name, value } => request.set_header(name.clone(), value.clone()),
            Kind::Query { name, value } => request.append_query(name, value),
            Kind::Cookie { name, value } => {
                request.cookies.retain(|(existing, _)| existing != name);
                request.cookies.push((name.clone(), value.clone()));
            }
            Kind::OAuth(oauth) => {
                let header = oauth.access_header().await?;
                request.set_header(AUTHORIZATION, header);
            }
        }
        Ok(())
    }

    /// Called after the upstream answered 401: forget a cached OAuth token. Returns true
    /// when a retry may succeed (OAuth2 only).
    pub fn invalidate(&self) -> bool {
        match &self.inner.kind {
            Kind::OAuth(oauth) => {
                oauth.state().token = None;
                true
            }
            _ => false,
        }
    }

    /// One-line description for logs, never containing a secret (e.g. "oauth2 client
    /// credentials (client_id=abc, token_url=https://…)").
    pub fn describe(&self) -> String {
        self.inner.description.clone()
    }

    /// The secret strings this auth uses (tokens, passwords, key values, client secret,
    /// the current access token, and the encoded forms in which they appear on the wire),
    /// so the logging layer can redact them. Never contains an empty string.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets = self.inner.secrets.clone();
        if let Kind::OAuth(oauth) = &self.inner.kind
            && let Some(token) = &oauth.state().token
            && !secrets.contains(&token.access_token)
        {
            secrets.push(token.access_token.clone());
        }
        secrets
    }
}

/// The `Oauth2Cc` fields, as one value.
struct OAuthSettings {
    token_url: String,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
    audience: Option<String>,
    client_auth: ClientAuth,
}

struct OAuthClient {
    client: reqwest::Client,
    token_url: Url,
    /// `token_url` without query or fragment, for messages.
    display_url: String,
    client_id: String,
    client_secret: String,
    client_auth: ClientAuth,
    scopes: Vec<String>,
    /// `Authorization` for the token request (client_secret_basic).
    basic_header: Option<HeaderValue>,
    /// The token request's form body.
    form: Vec<(&'static str, String)>,
    timeout: Duration,
    /// Held for the duration of a token fetch: the single-flight gate.
    fetch_gate: tokio::sync::Mutex<()>,
    /// The cache; locked only briefly, never across an await.
    cache: StdMutex<TokenState>,
}

#[derive(Default)]
struct TokenState {
    token: Option<CachedToken>,
    /// Completed fetch attempts, so a caller that waited for someone else's fetch can
    /// tell that it finished and reuse its outcome.
    attempts: u64,
    /// The outcome of the last attempt, when it failed.
    last_error: Option<AuthError>,
}

struct CachedToken {
    access_token: String,
    header: HeaderValue,
    /// When to fetch a new token (`None`: keep until invalidated).
    refresh_at: Option<Instant>,
    /// When the token stops being valid (`None`: unknown).
    expires_at: Option<Instant>,
}

impl CachedToken {
    fn is_fresh(&self, now: Instant) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }

    fn is_valid(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }
}

impl OAuthClient {
    fn new(
        settings: OAuthSettings,
        client: reqwest::Client,
        timeout: Duration,
    ) -> Result<Self, AuthError> {
        let OAuthSettings {
            token_url,
            client_id,
            client_secret,
            scopes,
            audience,
            client_auth,
        } = settings;
        let token_url = parse_token_url(&token_url)?;
        let display_url = display_url(&token_url);
        if client_id.is_empty() {
            return Err(AuthError::new("auth.client_id is empty"));
        }
        check_no_line_break("auth.client_id", &client_id)?;
        check_secret("auth.client_secret", &client_secret, false)?;
        for scope in &scopes {
            check_no_line_break("auth.scopes", scope)?;
        }
        if let Some(audience) = &audience {
            check_no_line_break("auth.audience", audience)?;
        }

        let mut form: Vec<(&'static str, String)> =
            vec![("grant_type", "client_credentials".to_owned())];
        let scope = scopes
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !scope.is_empty() {
            form.push(("scope", scope));
        }
        if let Some(audience) = audience.filter(|a| !a.is_empty()) {
            form.push(("audience", audience));
        }
        let basic_header = match client_auth {
            ClientAuth::Basic => {
                let credentials = basic_client_credentials(&client_id, &client_secret);
                Some(sensitive_header(
                    &format!("Basic {credentials}"),
                    "auth.client_id",
                )?)
            }
            ClientAuth::Body => {
                form.push(("client_id", client_id.clone()));
                form.push(("client_secret", client_secret.clone()));
                None
            }
        };

        Ok(OAuthClient {
            client,
            token_url,
            display_url,
            client_id,
            client_secret,
            client_auth,
            scopes,
            basic_header,
            form,
            timeout,
            fetch_gate: tokio::sync::Mutex::new(()),
            cache: StdMutex::new(TokenState::default()),
        })
    }

    fn describe(&self) -> String {
        let mut text = format!(
            "oauth2 client credentials (client_id={}, token_url={}, client_auth={}",
            printable(&self.client_id),
            self.display_url,
            self.client_auth.name()
        );
        if !self.scopes.is_empty() {
            text.push_str(", scopes=");
            text.push_str(&printable(&self.scopes.join(" ")));
        }
        text.push(')');
        text
    }

    fn static_secrets(&self) -> Vec<String> {
        let mut secrets = vec![
            self.client_secret.clone(),
            form_encoded(&self.client_secret),
        ];
        if self.client_auth == ClientAuth::Basic {
            secrets.push(basic_client_credentials(
                &self.client_id,
                &self.client_secret,
            ));
        }
        secrets
    }

    fn state(&self) -> MutexGuard<'_, TokenState> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The `Authorization` value for the current token, fetching one when the cache is
    /// empty or due for refresh.
    async fn access_header(&self) -> Result<HeaderValue, AuthError> {
        let seen = {
            let state = self.state();
            if let Some(token) = &state.token
                && token.is_fresh(Instant::now())
            {
                return Ok(token.header.clone());
            }
            state.attempts
        };

        let _gate = self.fetch_gate.lock().await;
        {
            let state = self.state();
            let now = Instant::now();
            if let Some(token) = &state.token
                && token.is_fresh(now)
            {
                return Ok(token.header.clone());
            }
            if state.attempts != seen {
                // Someone else's fetch finished while this call waited: share its outcome
                // instead of asking the token endpoint again.
                match (&state.last_error, &state.token) {
                    (None, Some(token)) => return Ok(token.header.clone()),
                    (Some(_), Some(token)) if token.is_valid(now) => {
                        return Ok(token.header.clone());
                    }
                    (Some(error), _) => return Err(error.clone()),
                    (None, None) => {} // invalidated since: fetch anew
                }
            }
        }

        let outcome = self.fetch().await;
        let mut state = self.state();
        state.attempts = state.attempts.wrapping_add(1);
        match outcome {
            Ok(token) => {
                let header = token.header.clone();
                state.token = Some(token);
                state.last_error = None;
                Ok(header)
            }
            Err(error) => {
                state.last_error = Some(error.clone());
                if let Some(token) = &state.token
                    && token.is_valid(Instant::now())
                {
                    tracing::warn!(
                        error = %error,
                        "refreshing the OAuth2 access token failed; using the current token until it expires"
                    );
                    return Ok(token.header.clone());
                }
                Err(error)
            }
        }
    }

    /// One request to the token endpoint.
    async fn fetch(&self) -> Result<CachedToken, AuthError> {
        let issued = Instant::now();
        let mut request = self
            .client
            .post(self.token_url.clone())
            .header(ACCEPT, "application/json")
            .form(&self.form);
        if let Some(header) = &self.basic_header {
            request = request.header(AUTHORIZATION, header.clone());
        }
        let exchange = async {
            let response = request.send().await.map_err(|e| self.transport_error(&e))?;
            let status = response.status();
            let body =
                read_at_most(response, MAX_TOKEN_RESPONSE)
                    .await
                    .map_err(|error| match error {
                        ReadError::TooLarge { .. } => self.too_large(status),
                        ReadError::Transport(e) => self.transport_error(&e),
                    })?;
            Ok((status, body))
        };
        let (status, body) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| {
                AuthError::new(format!(
                    "token endpoint {} did not answer within {} s",
                    self.display_url,
                    self.timeout.as_secs_f64()
                ))
            })??;

        let json: Option<serde_json::Map<String, Value>> = serde_json::from_slice(&body).ok();
        if !status.is_success() {
            let mut message = format!(
                "token endpoint {} answered {}",
                self.display_url,
                status.as_u16()
            );
            message.push_str(&self.oauth_error_suffix(json.as_ref()));
            return Err(AuthError::new(message));
        }
        let Some(json) = json else {
            return Err(AuthError::new(format!(
                "token endpoint {} answered {} with a body that is not a JSON object",
                self.display_url,
                status.as_u16()
            )));
        };
        let access_token = match json.get("access_token") {
            Some(Value::String(token)) if !token.is_empty() => token.clone(),
            _ => {
                let mut message = format!(
                    "token endpoint {} answered {} without an access_token",
                    self.display_url,
                    status.as_u16()
                );
                message.push_str(&self.oauth_error_suffix(Some(&json)));
                return Err(AuthError::new(message));
            }
        };
        let header = HeaderValue::from_str(&format!("Bearer {access_token}"))
            .map(|mut value| {
                value.set_sensitive(true);
                value
            })
            .map_err(|_| {
                AuthError::new(format!(
                    "token endpoint {} returned an access_token that cannot be sent in an HTTP header",
                    self.display_url
                ))
            })?;
        if let Some(Value::String(token_type)) = json.get("token_type")
            && !token_type.eq_ignore_ascii_case("bearer")
        {
            tracing::warn!(
                token_type = %printable(token_type),
                token_url = %self.display_url,
                "OAuth2 token_type is not `Bearer`; sending the token as a bearer token anyway"
            );
        }
        let lifetime = parse_expires_in(json.get("expires_in"));
        let (refresh_at, expires_at) = match lifetime {
            Some(lifetime) => {
                let margin = MAX_REFRESH_MARGIN.min(lifetime / 10);
                (
                    issued.checked_add(lifetime.saturating_sub(margin)),
                    issued.checked_add(lifetime),
                )
            }
            None => (None, None),
        };
        tracing::debug!(
            token_url = %self.display_url,
            expires_in = lifetime.map(|l| l.as_secs()),
            "fetched an OAuth2 access token"
        );
        Ok(CachedToken {
            access_token,
            header,
            refresh_at,
            expires_at,
        })
    }

    /// `": error (description)"` from an OAuth error body, scrubbed of secrets.
    fn oauth_error_suffix(&self, json: Option<&serde_json::Map<String, Value>>) -> String {
        let text = |key: &str| match json.and_then(|j| j.get(key)) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(self.scrub(s)),
            _ => None,
        };
        match (text("error"), text("error_description")) {
            (Some(error), Some(description)) => format!(": {error} ({description})"),
            (Some(error), None) => format!(": {error}"),
            (None, Some(description)) => format!(": {description}"),
            (None, None) => String::new(),
        }
    }

    fn transport_error(&self, error: &reqwest::Error) -> AuthError {
        if error.is_timeout() {
            return AuthError::new(format!(
                "token endpoint {} did not answer in time",
                self.display_url
            ));
        }
        // The top-level message repeats the full URL; the causes say what went wrong.
        let reason = match causes(error) {
            Some(causes) => self.scrub(&causes),
            None => "request failed".to_owned(),
        };
        AuthError::new(format!(
            "token request to {} failed: {reason}",
            self.display_url
        ))
    }

    fn too_large(&self, status: reqwest::StatusCode) -> AuthError {
        AuthError::new(format!(
            "token endpoint {} answered {} with a body larger than {} KiB",
            self.display_url,
            status.as_u16(),
            MAX_TOKEN_RESPONSE / 1024
        ))
    }

    /// Server-provided text made safe for a message: printable, bounded, and without the
    /// client secret even if the server echoed it.
    fn scrub(&self, text: &str) -> String {
        let mut text = printable(text);
        if text.chars().count() > MAX_SERVER_TEXT {
            text = text.chars().take(MAX_SERVER_TEXT).collect::<String>() + "…";
        }
        let secrets = self.static_secrets();
        redact_secrets(&text, secrets.iter().map(String::as_str), 1)
    }
}

/// A token URL: absolute `http(s)` with a host and no embedded credentials.
fn parse_token_url(text: &str) -> Result<Url, AuthError> {
    let url = Url::parse(text.trim()).map_err(|e| {
        AuthError::new(format!(
            "auth.token_url `{}` is not a valid URL: {e}",
            display_url_text(text)
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AuthError::new(format!(
            "auth.token_url must be an http or https URL, not `{}:`",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(AuthError::new("auth.token_url has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AuthError::new(
            "auth.token_url contains credentials; put them in auth.client_id and auth.client_secret",
        ));
    }
    Ok(url)
}

/// RFC 6749 §2.3.1: client id and secret are form-encoded before being joined with `:`
/// and base64-encoded. Spaces become `%20` (not `+`) so that servers that only
/// percent-decode read them correctly too.
fn basic_client_credentials(client_id: &str, client_secret: &str) -> String {
    let id = utf8_percent_encode(client_id, CLIENT_CREDENTIAL);
    let secret = utf8_percent_encode(client_secret, CLIENT_CREDENTIAL);
    BASE64.encode(format!("{id}:{secret}"))
}

/// `value` as `Url::query_pairs_mut().append_pair` writes it.
fn form_encoded(value: &str) -> String {
    let Ok(mut url) = Url::parse("http://localhost/") else {
        return value.to_owned();
    };
    url.query_pairs_mut().append_pair("v", value);
    url.query()
        .and_then(|query| query.strip_prefix("v="))
        .unwrap_or(value)
        .to_owned()
}

/// An `expires_in` value (number or numeric string, in seconds) as a lifetime.
fn parse_expires_in(value: Option<&Value>) -> Option<Duration> {
    let seconds = match value? {
        Value::Number(number) => number.as_f64()?,
        Value::String(text) => text.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !seconds.is_finite() {
        return None;
    }
    Duration::try_from_secs_f64(seconds.clamp(0.0, MAX_LIFETIME_SECS)).ok()
}

/// A sensitive header value, or an error naming `field`.
fn sensitive_header(text: &str, field: &str) -> Result<HeaderValue, AuthError> {
    let mut value = HeaderValue::from_str(text).map_err(|_| {
        AuthError::new(format!(
            "{field} contains control characters, which cannot be sent in an HTTP header"
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

fn check_no_line_break(field: &str, value: &str) -> Result<(), AuthError> {
    if value.contains(['\r', '\n']) {
        return Err(AuthError::new(format!(
            "{field} contains a line break (check the variable it comes from for a trailing newline)"
        )));
    }
    Ok(())
}

fn check_secret(field: &str, value: &str, allow_empty: bool) -> Result<(), AuthError> {
    if !allow_empty && value.is_empty() {
        return Err(AuthError::new(format!(
            "{field} is empty (is the environment variable it comes from set?)"
        )));
    }
    check_no_line_break(field, value)
}

/// An HTTP token (RFC 9110 `tchar`+), as a cookie name must be.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// `text` with control characters replaced, for one-line messages.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::request::PreparedRequest;
    use axum::Router;
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::post;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const SECRET: &str = "s3cr3t+/=~ value";

    // ---- a recording token endpoint ----

    #[derive(Clone, Debug, Default)]
    struct Seen {
        grant_type: Option<String>,
        scope: Option<String>,
        audience: Option<String>,
        /// "basic", "body" or "none".
        method: String,
        client_id: Option<String>,
        client_secret: Option<String>,
    }

    struct Endpoint {
        count: AtomicUsize,
        seen: StdMutex<Vec<Seen>>,
        /// `expires_in` to issue (`None`: omitted).
        expires_in: StdMutex<Option<u64>>,
        /// When set, answer with this status and body instead of a token.
        failure: StdMutex<Option<(StatusCode, String)>>,
        delay: StdMutex<Duration>,
    }

    impl Endpoint {
        fn count(&self) -> usize {
            self.count.load(Ordering::SeqCst)
        }
        fn last(&self) -> Seen {
            self.seen.lock().unwrap().last().cloned().unwrap()
        }
        fn fail(&self, status: StatusCode, body: &str) {
            *self.failure.lock().unwrap() = Some((status, body.to_owned()));
        }
    }

    fn decode(text: &str) -> String {
        percent_encoding::percent_decode_str(&text.replace('+', " "))
            .decode_utf8()
            .unwrap()
            .into_owned()
    }

    async fn token_handler(
        State(endpoint): State<Arc<Endpoint>>,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, String) {
        let n = endpoint.count.fetch_add(1, Ordering::SeqCst) + 1;
        let form: HashMap<String, String> = body
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect();
        let mut seen = Seen {
            grant_type: form.get("grant_type").cloned(),
            scope: form.get("scope").cloned(),
            audience: form.get("audience").cloned(),
            method: "none".to_owned(),
            ..Seen::default()
        };
        if let Some(auth) = headers.get("authorization") {
            let encoded = auth.to_str().unwrap().strip_prefix("Basic ").unwrap();
            let decoded = String::from_utf8(BASE64.decode(encoded).unwrap()).unwrap();
            let (id, secret) = decoded.split_once(':').unwrap();
            seen.method = "basic".to_owned();
            seen.client_id = Some(decode(id));
            seen.client_secret = Some(decode(secret));
        } else if form.contains_key("client_secret") {
            seen.method = "body".to_owned();
            seen.client_id = form.get("client_id").cloned();
            seen.client_secret = form.get("client_secret").cloned();
        }
        endpoint.seen.lock().unwrap().push(seen);
        let delay = *endpoint.delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if let Some((status, body)) = endpoint.failure.lock().unwrap().clone() {
            return (status, body);
        }
        let mut answer = serde_json::json!({
            "access_token": format!("tok-{n}"),
            "token_type": "Bearer",
        });
        if let Some(expires_in) = *endpoint.expires_in.lock().unwrap() {
            answer["expires_in"] = expires_in.into();
        }
        (StatusCode::OK, answer.to_string())
    }

    async fn spawn_endpoint(expires_in: Option<u64>) -> (String, Arc<Endpoint>) {
        let endpoint = Arc::new(Endpoint {
            count: AtomicUsize::new(0),
            seen: StdMutex::new(Vec::new()),
            expires_in: StdMutex::new(expires_in),
            failure: StdMutex::new(None),
            delay: StdMutex::new(Duration::ZERO),
        });
        let app = Router::new()
            .route("/token", post(token_handler))
            .route(
                "/huge",
                post(|| async { (StatusCode::OK, "x".repeat(100 * 1024)) }),
            )
            .with_state(endpoint.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (format!("http://{address}/token"), endpoint)
    }

    fn client() -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().unwrap()
    }

    fn oauth_config(token_url: &str, client_auth: ClientAuth) -> AuthConfig {
        AuthConfig::Oauth2Cc {
            token_url: token_url.to_owned(),
            client_id: "my:client id".to_owned(),
            client_secret: SECRET.to_owned(),
            scopes: vec!["read".to_owned(), "write".to_owned()],
            audience: Some("https://api.example.com".to_owned()),
            client_auth,
        }
    }

    fn oauth(token_url: &str) -> UpstreamAuth {
        UpstreamAuth::new(oauth_config(token_url, ClientAuth::Basic), client()).unwrap()
    }

    fn request() -> PreparedRequest {
        PreparedRequest {
            method: reqwest::Method::GET,
            url: Url::parse("http://127.0.0.1:1/x").unwrap(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
        }
    }

    fn header<'a>(request: &'a PreparedRequest, name: &str) -> Option<&'a HeaderValue> {
        request
            .headers
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, v)| v)
    }

    async fn bearer_of(auth: &UpstreamAuth) -> String {
        let mut req = request();
        auth.apply(&mut req).await.unwrap();
        let value = header(&req, "authorization").unwrap();
        assert!(value.is_sensitive());
        value.to_str().unwrap().to_owned()
    }

    // ---- static credentials ----

    #[tokio::test]
    async fn none_leaves_the_request_alone() {
        let auth = UpstreamAuth::none();
        let mut req = request();
        auth.apply(&mut req).await.unwrap();
        assert_eq!(req, request());
        assert!(!auth.invalidate());
        assert!(auth.secrets().is_empty());
        assert_eq!(auth.describe(), "none");
    }

    #[tokio::test]
    async fn bearer_sets_a_sensitive_authorization_header() {
        let auth = UpstreamAuth::new(
            AuthConfig::Bearer {
                token: "abc123".into(),
            },
            client(),
        )
        .unwrap();
        let mut req = request();
        req.set_header(AUTHORIZATION, HeaderValue::from_static("Bearer old"));
        auth.apply(&mut req).await.unwrap();
        assert_eq!(req.headers.len(), 1, "replaces an existing Authorization");
        let value = header(&req, "authorization").unwrap();
        assert_eq!(value, "Bearer abc123");
        assert!(value.is_sensitive());
        assert!(!auth.invalidate());
        assert_eq!(auth.secrets(), vec!["abc123".to_owned()]);
        assert!(!auth.describe().contains("abc123"));
    }

    #[tokio::test]
    async fn apikey_header_sets_the_named_header() {
        let auth = UpstreamAuth::new(
            AuthConfig::ApikeyHeader {
                key: "X-API-Key".into(),
                value: "key-123".into(),
            },
            client(),
        )
        .unwrap();
        let mut req = request();
        auth.apply(&mut req).await.unwrap();
        let value = header(&req, "x-api-key").unwrap();
        assert_eq!(value, "key-123");
        assert!(value.is_sensitive());
        assert_eq!(auth.describe(), "api key in header x-api-key");
        assert!(auth.secrets().contains(&"key-123".to_owned()));
    }

    #[tokio::test]
    async fn apikey_query_appends_a_parameter() {
        let auth = UpstreamAuth::new(
            AuthConfig::ApikeyQuery {
                key: "api_key".into(),
                value: "k&y 1".into(),
            },
            client(),
        )
        .unwrap();
        let mut req = request();
        req.append_query("page", "2");
        auth.apply(&mut req).await.unwrap();
        assert_eq!(req.url.query(), Some("page=2&api_key=k%26y+1"));
        let secrets = auth.secrets();
        assert!(secrets.contains(&"k&y 1".to_owned()));
        assert!(secrets.contains(&"k%26y+1".to_owned()));
        assert!(!auth.describe().contains("k&y"));
    }

    #[tokio::test]
    async fn apikey_cookie_pushes_an_encoded_cookie() {
        let auth = UpstreamAuth::new(
            AuthConfig::ApikeyCookie {
                key: "session".into(),
                value: "a b;c".into(),
            },
            client(),
        )
        .unwrap();
        let mut req = request();
        req.cookies.push(("theme".into(), "dark".into()));
        req.cookies.push(("session".into(), "stale".into()));
        auth.apply(&mut req).await.unwrap();
        assert_eq!(
            req.cookies,
            vec![
                ("theme".to_owned(), "dark".to_owned()),
                ("session".to_owned(), "a%20b%3Bc".to_owned())
            ]
        );
        // A value that is already a valid cookie value is sent verbatim.
        let plain = UpstreamAuth::new(
            AuthConfig::ApikeyCookie {
                key: "sid".into(),
                value: "abc%2F=def".into(),
            },
            client(),
        )
        .unwrap();
        let mut req = request();
        plain.apply(&mut req).await.unwrap();
        assert_eq!(
            req.cookies,
            vec![("sid".to_owned(), "abc%2F=def".to_owned())]
        );
    }

    #[tokio::test]
    async fn basic_sets_base64_credentials() {
        let auth = UpstreamAuth::new(
            AuthConfig::Basic {
                username: "alice".into(),
                password: "pa ss".into(),
            },
            client(),
        )
        .unwrap();
        let mut req = request();
        auth.apply(&mut req).await.unwrap();
        let value = header(&req, "authorization").unwrap();
        assert_eq!(value, &format!("Basic {}", BASE64.encode("alice:pa ss")));
        assert!(value.is_sensitive());
        assert_eq!(auth.describe(), "basic (username=alice)");
        let secrets = auth.secrets();
        assert!(secrets.contains(&"pa ss".to_owned()));
        assert!(secrets.contains(&BASE64.encode("alice:pa ss")));
    }

    #[test]
    fn invalid_static_configs_are_rejected_without_leaking() {
        let cases = [
            AuthConfig::Bearer {
                token: "SEKRIT\r\nX-Evil: 1".into(),
            },
            AuthConfig::Bearer {
                token: "SEKRIT\n".into(),
            },
            AuthConfig::Bearer { token: "".into() },
            AuthConfig::Bearer {
                token: "SEKRIT\u{7f}".into(),
            },
            AuthConfig::ApikeyHeader {
                key: "X Bad".into(),
                value: "v".into(),
            },
            AuthConfig::ApikeyHeader {
                key: "X-Key".into(),
                value: "SEKRIT\r".into(),
            },
            AuthConfig::ApikeyQuery {
                key: "".into(),
                value: "v".into(),
            },
            AuthConfig::ApikeyCookie {
                key: "a=b".into(),
                value: "v".into(),
            },
            AuthConfig::Basic {
                username: "a:b".into(),
                password: "p".into(),
            },
            AuthConfig::Basic {
                username: "a".into(),
                password: "SEKRIT\n".into(),
            },
        ];
        for config in cases {
            let error = UpstreamAuth::new(config.clone(), client()).unwrap_err();
            let text = error.to_string();
            assert!(!text.is_empty());
            assert!(!text.contains("SEKRIT") && !text.contains('\n'), "{text}");
        }
        let error = UpstreamAuth::new(
            AuthConfig::Bearer {
                token: "SEKRIT\r\nX".into(),
            },
            client(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("line break"), "{error}");
    }

    #[test]
    fn invalid_oauth_configs_are_rejected() {
        for url in [
            "ftp://auth.example.com/token",
            "not a url",
            "https://user:pw@auth.example.com/token",
            "file:///etc/passwd",
        ] {
            let error =
                UpstreamAuth::new(oauth_config(url, ClientAuth::Basic), client()).unwrap_err();
            assert!(error.to_string().contains("auth.token_url"), "{error}");
            assert!(!error.to_string().contains("pw@"), "{error}");
        }
        let mut config = oauth_config("https://auth.example.com/token", ClientAuth::Body);
        if let AuthConfig::Oauth2Cc { client_secret, .. } = &mut config {
            *client_secret = format!("{SECRET}\n");
        }
        let error = UpstreamAuth::new(config, client()).unwrap_err();
        assert!(error.to_string().contains("auth.client_secret"));
        assert!(!error.to_string().contains(SECRET));
    }

    // ---- config parsing and redaction ----

    #[test]
    fn config_parses_from_toml() {
        let config: AuthConfig = toml::from_str(
            r#"
            type = "oauth2_cc"
            token_url = "https://auth.example.com/token"
            client_id = "abc"
            client_secret = "xyz"
            scopes = ["read", "write"]
            "#,
        )
        .unwrap();
        assert_eq!(
            config,
            AuthConfig::Oauth2Cc {
                token_url: "https://auth.example.com/token".into(),
                client_id: "abc".into(),
                client_secret: "xyz".into(),
                scopes: vec!["read".into(), "write".into()],
                audience: None,
                client_auth: ClientAuth::Basic,
            }
        );
        let config: AuthConfig = toml::from_str(
            "type = \"oauth2_cc\"\ntoken_url = \"https://a/t\"\nclient_id = \"a\"\nclient_secret = \"b\"\nclient_auth = \"client_secret_post\"",
        )
        .unwrap();
        assert!(matches!(
            config,
            AuthConfig::Oauth2Cc {
                client_auth: ClientAuth::Body,
                ..
            }
        ));
        let config: AuthConfig =
            toml::from_str("type = \"apikey_query\"\nkey = \"api_key\"\nvalue = \"v\"").unwrap();
        assert!(matches!(config, AuthConfig::ApikeyQuery { .. }));
        assert!(
            toml::from_str::<AuthConfig>("type = \"bearer\"\ntoken = \"t\"\nextra = 1").is_err()
        );
        assert!(toml::from_str::<AuthConfig>("type = \"digest\"\ntoken = \"t\"").is_err());
    }

    #[test]
    fn debug_and_describe_never_show_secrets() {
        let configs = [
            AuthConfig::Bearer {
                token: SECRET.into(),
            },
            AuthConfig::ApikeyHeader {
                key: "X-Key".into(),
                value: SECRET.into(),
            },
            AuthConfig::ApikeyQuery {
                key: "k".into(),
                value: SECRET.into(),
            },
            AuthConfig::ApikeyCookie {
                key: "k".into(),
                value: SECRET.into(),
            },
            AuthConfig::Basic {
                username: "u".into(),
                password: SECRET.into(),
            },
            oauth_config("https://auth.example.com/token?x=1", ClientAuth::Basic),
        ];
        for config in configs {
            let debug = format!("{config:?} {config:#?}");
            assert!(!debug.contains(SECRET), "{debug}");
            assert!(debug.contains("[REDACTED]"), "{debug}");
            let auth = UpstreamAuth::new(config, client()).unwrap();
            let describe = format!("{} {auth:?}", auth.describe());
            assert!(!describe.contains("s3cr3t"), "{describe}");
            assert!(auth.secrets().iter().any(|s| s.contains("s3cr3t")));
        }
        let auth = oauth("https://auth.example.com/token?x=1");
        assert_eq!(
            auth.describe(),
            "oauth2 client credentials (client_id=my:client id, token_url=https://auth.example.com/token, client_auth=basic, scopes=read write)"
        );
    }

    #[test]
    fn expires_in_parsing() {
        use serde_json::json;
        assert_eq!(
            parse_expires_in(Some(&json!(3600))),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(
            parse_expires_in(Some(&json!("120"))),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_expires_in(Some(&json!(1.5))),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_expires_in(Some(&json!(-5))), Some(Duration::ZERO));
        assert_eq!(
            parse_expires_in(Some(&json!(1e300))),
            Some(Duration::from_secs_f64(MAX_LIFETIME_SECS))
        );
        assert_eq!(parse_expires_in(Some(&json!(null))), None);
        assert_eq!(parse_expires_in(Some(&json!("soon"))), None);
        assert_eq!(parse_expires_in(None), None);
    }

    // ---- OAuth2 client credentials ----

    #[tokio::test]
    async fn basic_client_auth_reaches_the_token_endpoint() {
        let (url, endpoint) = spawn_endpoint(Some(3600)).await;
        let auth = oauth(&url);
        assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
        let seen = endpoint.last();
        assert_eq!(seen.grant_type.as_deref(), Some("client_credentials"));
        assert_eq!(seen.scope.as_deref(), Some("read write"));
        assert_eq!(seen.audience.as_deref(), Some("https://api.example.com"));
        assert_eq!(seen.method, "basic");
        assert_eq!(seen.client_id.as_deref(), Some("my:client id"));
        assert_eq!(seen.client_secret.as_deref(), Some(SECRET));
    }

    #[tokio::test]
    async fn body_client_auth_reaches_the_token_endpoint() {
        let (url, endpoint) = spawn_endpoint(Some(3600)).await;
        let config = AuthConfig::Oauth2Cc {
            token_url: url,
            client_id: "cid".into(),
            client_secret: SECRET.into(),
            scopes: Vec::new(),
            audience: None,
            client_auth: ClientAuth::Body,
        };
        let auth = UpstreamAuth::new(config, client()).unwrap();
        assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
        let seen = endpoint.last();
        assert_eq!(seen.grant_type.as_deref(), Some("client_credentials"));
        assert_eq!(seen.scope, None);
        assert_eq!(seen.audience, None);
        assert_eq!(seen.method, "body");
        assert_eq!(seen.client_id.as_deref(), Some("cid"));
        assert_eq!(seen.client_secret.as_deref(), Some(SECRET));
    }

    #[tokio::test]
    async fn the_token_is_cached() {
        let (url, endpoint) = spawn_endpoint(Some(3600)).await;
        let auth = oauth(&url);
        assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
        assert_eq!(bearer_of(&auth.clone()).await, "Bearer tok-1");
        assert_eq!(endpoint.count(), 1);
    }

    #[tokio::test]
    async fn a_token_without_expiry_is_kept_until_invalidated() {
        let (url, endpoint) = spawn_endpoint(None).await;
        let auth = oauth(&url);
        assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
        assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
        assert_eq!(endpoint.count(), 1);
        assert!(auth.invalidate());
        assert_eq!(bearer_of(&auth).await, "Bearer tok-2");
        assert_eq!(endpoint.count(), 2);
    }

    /// The OAuth client behind `auth`.
    fn oauth_client(auth: &UpstreamAuth) -> &OAuthClient {
        match &auth.inner.kind {
            Kind::OAuth(client) => client,
            _ => panic!("not oauth"),
        }
    }

    /// (refresh_at, expires_at) of the cached token.
    fn token_times(auth: &UpstreamAuth) -> (Instant, Instant) {
        let state = oauth_client(auth).state();
        let token = state.token.as_ref().expect("a cached token");
        (
            token.refresh_at.expect("refresh_at"),
            token.expires_at.expect("expires_at"),
        )
    }

    #[tokio::test]
    async fn the_token_is_refreshed_before_it_expires() {
        // The refresh window is the last 10 % of the lifetime, at most 60 s. Time is moved
        // by editing the cached token's instants, never by sleeping.
        let (url, endpoint) = spawn_endpoint(Some(100)).await;
        let auth = oauth(&url);
        assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
        let (refresh_at, expires_at) = token_times(&auth);
        assert_eq!(
            expires_at - refresh_at,
            Duration::from_secs(10),
            "10 % of 100 s"
        );
        assert_eq!(bearer_of(&auth).await, "Bearer tok-1", "fresh: cached");
        assert_eq!(endpoint.count(), 1);

        // Inside the refresh window: still valid, but a new token is fetched.
        {
            let mut state = oauth_client(&auth).state();
            let token = state.token.as_mut().expect("a cached token");
            token.refresh_at = Some(Instant::now());
            token.expires_at = Some(Instant::now() + Duration::from_secs(10));
        }
        assert_eq!(bearer_of(&auth).await, "Bearer tok-2");
        assert_eq!(endpoint.count(), 2);

        // A long lifetime: the window is capped at 60 s.
        *endpoint.expires_in.lock().unwrap() = Some(3600);
        assert!(auth.invalidate());
        assert_eq!(bearer_of(&auth).await, "Bearer tok-3");
        let (refresh_at, expires_at) = token_times(&auth);
        assert_eq!(expires_at - refresh_at, MAX_REFRESH_MARGIN);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_using_a_still_valid_token() {
        let (url, endpoint) = spawn_endpoint(Some(3600)).await;
        let auth = oauth(&url);
        assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
        let client = oauth_client(&auth);
        client.state().token.as_mut().unwrap().refresh_at = Some(Instant::now());
        endpoint.fail(StatusCode::SERVICE_UNAVAILABLE, "down");
        assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
        assert_eq!(endpoint.count(), 2);
        // Once it has expired, the failure surfaces.
        client.state().token.as_mut().unwrap().expires_at = Some(Instant::now());
        let error = auth.apply(&mut request()).await.unwrap_err();
        assert!(error.to_string().contains("answered 503"), "{error}");
    }

    /// Spawns `count` tasks running `apply` while the single-flight gate is held, so every
    /// one of them has looked at the cache before the first fetch starts (on the
    /// current-thread runtime a spawned task runs up to the gate when the test yields).
    async fn applies_behind_the_gate(
        auth: &UpstreamAuth,
        count: usize,
    ) -> Vec<tokio::task::JoinHandle<Result<String, AuthError>>> {
        let held = oauth_client(auth).fetch_gate.lock().await;
        let tasks: Vec<_> = (0..count)
            .map(|_| {
                let auth = auth.clone();
                tokio::spawn(async move {
                    let mut req = request();
                    auth.apply(&mut req).await?;
                    Ok(header(&req, "authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned())
                })
            })
            .collect();
        for _ in 0..count {
            tokio::task::yield_now().await;
        }
        drop(held);
        tasks
    }

    #[tokio::test]
    async fn concurrent_applies_share_one_fetch() {
        let (url, endpoint) = spawn_endpoint(Some(3600)).await;
        let auth = oauth(&url);
        for task in applies_behind_the_gate(&auth, 20).await {
            assert_eq!(task.await.unwrap().unwrap(), "Bearer tok-1");
        }
        assert_eq!(endpoint.count(), 1);
    }

    #[tokio::test]
    async fn concurrent_applies_share_one_failure() {
        let (url, endpoint) = spawn_endpoint(Some(3600)).await;
        endpoint.fail(StatusCode::UNAUTHORIZED, r#"{"error":"invalid_client"}"#);
        let auth = oauth(&url);
        for task in applies_behind_the_gate(&auth, 10).await {
            let error = task.await.unwrap().unwrap_err();
            assert!(error.to_string().contains("invalid_client"), "{error}");
        }
        assert_eq!(endpoint.count(), 1);
        // A later call tries again.
        assert!(auth.apply(&mut request()).await.is_err());
        assert_eq!(endpoint.count(), 2);
    }

    #[tokio::test]
    async fn invalidate_forces_a_new_token() {
        let (url, endpoint) = spawn_endpoint(Some(3600)).await;
        let auth = oauth(&url);
        assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
        assert!(auth.invalidate());
        assert_eq!(bearer_of(&auth).await, "Bearer tok-2");
        assert_eq!(endpoint.count(), 2);
    }

    #[tokio::test]
    async fn token_endpoint_401_names_the_oauth_error_but_not_the_secret() {
        let (url, endpoint) = spawn_endpoint(Some(3600)).await;
        endpoint.fail(
            StatusCode::UNAUTHORIZED,
            &format!(r#"{{"error":"invalid_client","error_description":"bad secret {SECRET}"}}"#),
        );
        let auth = oauth(&url);
        let error = auth.apply(&mut request()).await.unwrap_err();
        let text = error.to_string();
        assert!(text.contains("invalid_client"), "{text}");
        assert!(text.contains("answered 401"), "{text}");
        assert!(text.contains(&url), "{text}");
        assert!(!text.contains(SECRET), "{text}");
        assert!(!format!("{error:?}").contains(SECRET));
    }

    #[tokio::test]
    async fn malformed_token_responses_are_errors() {
        let (url, endpoint) = spawn_endpoint(Some(3600)).await;
        let auth = oauth(&url);
        endpoint.fail(StatusCode::OK, "<html>not json</html>");
        let error = auth.apply(&mut request()).await.unwrap_err();
        assert!(error.to_string().contains("not a JSON object"), "{error}");
        endpoint.fail(StatusCode::OK, r#"{"token_type":"Bearer"}"#);
        let error = auth.apply(&mut request()).await.unwrap_err();
        assert!(
            error.to_string().contains("without an access_token"),
            "{error}"
        );
        endpoint.fail(StatusCode::OK, r#"{"access_token":"a\nb"}"#);
        let error = auth.apply(&mut request()).await.unwrap_err();
        assert!(error.to_string().contains("cannot be sent"), "{error}");
        endpoint.fail(StatusCode::INTERNAL_SERVER_ERROR, "oops");
        let error = auth.apply(&mut request()).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("token endpoint {url} answered 500")
        );
    }

    #[tokio::test]
    async fn oversized_token_responses_are_rejected() {
        let (url, _endpoint) = spawn_endpoint(Some(3600)).await;
        let auth = oauth(&url.replace("/token", "/huge"));
        let error = auth.apply(&mut request()).await.unwrap_err();
        assert!(error.to_string().contains("larger than 64 KiB"), "{error}");
    }

    #[tokio::test]
    async fn a_slow_token_endpoint_times_out() {
        let (url, endpoint) = spawn_endpoint(Some(3600)).await;
        *endpoint.delay.lock().unwrap() = Duration::from_secs(5);
        let auth = UpstreamAuth::with_token_timeout(
            oauth_config(&url, ClientAuth::Basic),
            client(),
            Duration::from_millis(200),
        )
        .unwrap();
        let error = auth.apply(&mut request()).await.unwrap_err();
        assert!(error.to_string().contains("did not answer"), "{error}");
    }

    #[tokio::test]
    async fn an_unreachable_token_endpoint_is_an_error() {
        // Bind then drop a listener so the port is (almost certainly) closed.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let auth = oauth(&format!("http://{address}/token?tenant=x"));
        let error = auth.apply(&mut request()).await.unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with(&format!("token request to http://{address}/token failed")),
            "{text}"
        );
        assert!(!text.contains("tenant"), "{text}");
    }

    #[tokio::test]
    async fn secrets_include_the_client_secret_and_the_current_token() {
        let (url, _endpoint) = spawn_endpoint(Some(3600)).await;
        let auth = oauth(&url);
        assert!(auth.secrets().contains(&SECRET.to_owned()));
        assert!(!auth.secrets().contains(&"tok-1".to_owned()));
        bearer_of(&auth).await;
        let secrets = auth.secrets();
        assert!(secrets.contains(&SECRET.to_owned()));
        assert!(secrets.contains(&"tok-1".to_owned()));
        assert!(secrets.iter().all(|s| !s.is_empty()));
        assert!(!auth.describe().contains("tok-1"));
    }
}
