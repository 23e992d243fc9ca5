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
mod tests;
