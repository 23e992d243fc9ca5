//! OAuth2 client credentials: [`OAuthClient`] fetches an access token from the token
//! endpoint on first use, caches it, refreshes it shortly before it expires, and shares
//! one fetch between all requests that need a token at the same time.

use std::sync::{Mutex as StdMutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use serde_json::Value;

use super::config::ClientAuth;
use super::error::AuthError;
use super::values::{check_no_line_break, check_secret, form_encoded, printable, sensitive_header};
use crate::util::bounded_body::{ReadError, read_at_most};
use crate::util::error_chain::causes;
use crate::util::redact::{display_url, display_url_text, redact_secrets};

/// How long a whole token exchange (connect, send, read the answer) may take.
pub(super) const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes read from a token endpoint's answer.
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;
/// Refresh a token when less than this much of its lifetime remains (or 10 % of the
/// lifetime, whichever is smaller).
pub(super) const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// Longest token lifetime taken at face value (one year); longer ones are capped.
pub(super) const MAX_LIFETIME_SECS: f64 = 365.0 * 24.0 * 3600.0;
/// Longest piece of server-provided text (OAuth `error_description`) put in an error.
const MAX_SERVER_TEXT: usize = 300;

/// Bytes percent-encoded in OAuth client credentials sent with HTTP Basic
/// (RFC 6749 §2.3.1). Unreserved characters stay literal so servers that decode and
/// servers that do not agree on the common case.
const CLIENT_CREDENTIAL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'*');

/// The `Oauth2Cc` fields, as one value.
pub(super) struct OAuthSettings {
    pub(super) token_url: String,
    pub(super) client_id: String,
    pub(super) client_secret: String,
    pub(super) scopes: Vec<String>,
    pub(super) audience: Option<String>,
    pub(super) client_auth: ClientAuth,
}

/// An OAuth2 client-credentials client with its token cache.
pub(super) struct OAuthClient {
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
    pub(super) fetch_gate: tokio::sync::Mutex<()>,
    /// The cache; locked only briefly, never across an await.
    cache: StdMutex<TokenState>,
}

/// The token cache and what the last fetches did.
#[derive(Default)]
pub(super) struct TokenState {
    pub(super) token: Option<CachedToken>,
    /// Completed fetch attempts, so a caller that waited for someone else's fetch can
    /// tell that it finished and reuse its outcome.
    attempts: u64,
    /// The outcome of the last attempt, when it failed.
    last_error: Option<AuthError>,
}

/// An access token and when to refresh it.
pub(super) struct CachedToken {
    access_token: String,
    header: HeaderValue,
    /// When to fetch a new token (`None`: keep until invalidated).
    pub(super) refresh_at: Option<Instant>,
    /// When the token stops being valid (`None`: unknown).
    pub(super) expires_at: Option<Instant>,
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
    /// Check `settings` and prepare the token request; `timeout` bounds each exchange.
    pub(super) fn new(
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

    /// One-line description for logs, without the secret.
    pub(super) fn describe(&self) -> String {
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

    /// The client secret and the encodings in which it goes on the wire.
    pub(super) fn static_secrets(&self) -> Vec<String> {
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

    /// The token cache, locked.
    pub(super) fn state(&self) -> MutexGuard<'_, TokenState> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forget the cached token, so the next request fetches a new one.
    pub(super) fn forget_token(&self) {
        self.state().token = None;
    }

    /// The cached access token, when there is one.
    pub(super) fn access_token(&self) -> Option<String> {
        self.state()
            .token
            .as_ref()
            .map(|token| token.access_token.clone())
    }

    /// The `Authorization` value for the current token, fetching one when the cache is
    /// empty or due for refresh.
    pub(super) async fn access_header(&self) -> Result<HeaderValue, AuthError> {
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

/// An `expires_in` value (number or numeric string, in seconds) as a lifetime.
pub(super) fn parse_expires_in(value: Option<&Value>) -> Option<Duration> {
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
