//! OAuth 2.1 resource server: JWT access tokens checked against the authorization server's
//! JWKS, and the RFC 9728 protected resource metadata document.
//!
//! Only RS256 and ES256 signatures are accepted; `none`, HMAC and every other algorithm are
//! rejected before any key is looked up. The JWKS is fetched lazily on the first token,
//! cached by `kid` for at most an hour, and refetched when a token names a `kid` the cache
//! does not know (at most once per 10 seconds; concurrent refetches collapse into one).
//! When a refresh of an expired cache fails, the previous keys stay in use until a refresh
//! succeeds, so a short outage of the authorization server does not lock every client out.

use crate::error::ConfigError;
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind as JwtErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::util::bounded_body::{ReadError, read_at_most};
use crate::util::error_chain::reqwest_chain;

/// Largest JWKS document accepted, in bytes.
const MAX_JWKS_BYTES: usize = 256 * 1024;
/// Longest a JWKS download may take.
const JWKS_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest token accepted, in bytes; anything longer is rejected before decoding.
const MAX_TOKEN_BYTES: usize = 32 * 1024;
/// Largest accepted clock skew allowance.
const MAX_LEEWAY_SECONDS: u64 = 3600;
/// Longest a key in characters quoted in an error message (`kid`, `alg`).
const MAX_QUOTED_CHARS: usize = 64;

fn default_leeway_seconds() -> u64 {
    60
}

/// `[http.oauth]` in the config file: accept JWT access tokens issued by an OAuth 2.1
/// authorization server.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthConfig {
    /// The expected `iss` claim.
    pub issuer: String,
    /// Authorization servers named in the RFC 9728 metadata; defaults to `[issuer]`.
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    /// The expected `aud` claim; defaults to the resource URL of this server.
    pub audience: Option<String>,
    /// Where the authorization server publishes its signing keys (JWKS), `http(s)://…`.
    pub jwks_url: String,
    /// Scope → role name (`viewer`, `editor`, or whatever the caller maps).
    #[serde(default)]
    pub scopes: BTreeMap<String, String>,
    /// Allowed clock skew for `exp` and `nbf`, in seconds (default 60, at most 3600).
    #[serde(default = "default_leeway_seconds")]
    pub leeway_seconds: u64,
    /// Requests per minute allowed per token subject (enforced by the HTTP layer).
    #[serde(default)]
    pub requests_per_minute: Option<u32>,
}

/// What a valid access token says about its bearer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedToken {
    /// The `sub` claim.
    pub subject: Option<String>,
    /// The `client_id` claim (RFC 9068), or `azp` when there is no `client_id`.
    pub client_id: Option<String>,
    /// Granted scopes, from `scope` (space-separated) or, without it, `scp` (an array or a
    /// space-separated string); duplicates removed, order kept.
    pub scopes: Vec<String>,
    /// The roles `scopes` map to through [`OAuthConfig::scopes`]; duplicates removed.
    pub roles: Vec<String>,
}

/// Why a token was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenErrorKind {
    /// Not a well-formed JWT: bad encoding, header or claims, or a missing `exp`.
    Malformed,
    /// The signature does not verify, or the algorithm is not accepted (`none`, HMAC, …),
    /// or does not match the key the `kid` names.
    BadSignature,
    /// No key in the JWKS matches the token's `kid` (even after refetching it).
    UnknownKey,
    /// `exp` is in the past (beyond the leeway).
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    NotYetValid,
    /// `iss` is missing or is not the configured issuer.
    WrongIssuer,
    /// `aud` is missing or does not contain this resource's audience.
    WrongAudience,
    /// The JWKS could not be fetched or parsed, so the token could not be checked.
    JwksUnavailable,
}

impl TokenErrorKind {
    /// A short snake_case name, for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::BadSignature => "bad_signature",
            Self::UnknownKey => "unknown_key",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::JwksUnavailable => "jwks_unavailable",
        }
    }
}

impl fmt::Display for TokenErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected token. The message never contains the token itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenError {
    /// Why the token was rejected.
    pub kind: TokenErrorKind,
    message: String,
}

impl TokenError {
    fn new(kind: TokenErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// A one-line explanation, safe to log and to return to the client.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TokenError {}

/// Validates JWT access tokens against a JWKS, caching the keys. Cheap to clone; clones
/// share the cache.
#[derive(Clone)]
pub struct JwtValidator {
    inner: Arc<Inner>,
}

struct Inner {
    config: OAuthConfig,
    resource: String,
    audience: String,
    authorization_servers: Vec<String>,
    jwks_url: reqwest::Url,
    client: reqwest::Client,
    rs256: Validation,
    es256: Validation,
    timing: Timing,
    /// The last JWKS fetched successfully.
    keys: Mutex<Option<Arc<KeySet>>>,
    /// Completed fetch attempts; bumped after `keys` is updated, so a reader that loads it
    /// before reading `keys` can tell whether a fetch finished since.
    attempts: AtomicU64,
    /// Held for the whole of a fetch: concurrent fetches wait here and reuse its outcome.
    fetch: tokio::sync::Mutex<FetchState>,
}

#[derive(Clone, Copy, Debug)]
struct Timing {
    /// Refetch the JWKS when the cached copy is older than this.
    max_age: Duration,
    /// At most one unknown-`kid` refetch (and one refresh of an expired cache) per interval.
    refetch_interval: Duration,
    /// With no keys at all, wait this long after a failed fetch before trying again.
    failure_backoff: Duration,
}

impl Timing {
    const DEFAULT: Timing = Timing {
        max_age: Duration::from_secs(60 * 60),
        refetch_interval: Duration::from_secs(10),
        failure_backoff: Duration::from_secs(1),
    };
}

#[derive(Debug, Default)]
struct FetchState {
    last_attempt: Option<Instant>,
    last_refetch: Option<Instant>,
    /// Why the last attempt failed; `None` when it succeeded.
    last_error: Option<String>,
}

struct KeySet {
    keys: Vec<CachedKey>,
    fetched_at: Instant,
}

struct CachedKey {
    kid: Option<String>,
    alg: Algorithm,
    key: DecodingKey,
}

struct TokenHeader {
    alg: Algorithm,
    kid: Option<String>,
}

impl fmt::Debug for JwtValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtValidator")
            .field("issuer", &self.inner.config.issuer)
            .field("audience", &self.inner.audience)
            .field("jwks_url", &self.inner.jwks_url.as_str())
            .finish_non_exhaustive()
    }
}

impl JwtValidator {
    /// A validator for tokens meant for `resource` (the URL clients use for `/mcp`), fetching
    /// keys with `client`. Fails when the configuration is unusable: an empty issuer, a
    /// `jwks_url` or authorization server that is not an `http(s)` URL, an empty audience, or a
    /// leeway above an hour.
    pub fn new(
        config: OAuthConfig,
        resource: String,
        client: reqwest::Client,
    ) -> Result<Self, ConfigError> {
        Self::with_timing(config, resource, client, Timing::DEFAULT)
    }

    fn with_timing(
        config: OAuthConfig,
        resource: String,
        client: reqwest::Client,
        timing: Timing,
    ) -> Result<Self, ConfigError> {
        // jsonwebtoken picks its crypto backend from its crate features and panics when it
        // cannot tell (both backends enabled somewhere in the build); pin aws-lc-rs. An error
        // only means a provider is installed already.
        let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();

        if config.issuer.trim().is_empty() {
            return Err(ConfigError::from(
                "[http.oauth] issuer must not be empty".to_owned(),
            ));
        }
        let jwks_url = http_url(&config.jwks_url)
            .map_err(|problem| format!("[http.oauth] jwks_url {:?} {problem}", config.jwks_url))?;
        if jwks_url.scheme() == "http" && !is_loopback(&jwks_url) {
            tracing::warn!(
                jwks_url = %jwks_url,
                "[http.oauth] jwks_url uses plain http: signing keys can be tampered with in transit"
            );
        }
        if config.leeway_seconds > MAX_LEEWAY_SECONDS {
            return Err(ConfigError::from(format!(
                "[http.oauth] leeway_seconds is {}, at most {MAX_LEEWAY_SECONDS} is allowed",
                config.leeway_seconds
            )));
        }
        if resource.trim().is_empty() {
            return Err(ConfigError::from(
                "the resource URL for OAuth must not be empty".to_owned(),
            ));
        }
        let audience = config.audience.clone().unwrap_or_else(|| resource.clone());
        if audience.trim().is_empty() {
            return Err(ConfigError::from(
                "[http.oauth] audience must not be empty".to_owned(),
            ));
        }
        let defaulted = config.authorization_servers.is_empty();
        let authorization_servers = if defaulted {
            vec![config.issuer.clone()]
        } else {
            config.authorization_servers.clone()
        };
        for server in &authorization_servers {
            if let Err(problem) = http_url(server) {
                let hint = if defaulted {
                    " (it defaults to the issuer; set authorization_servers)"
                } else {
                    ""
                };
                return Err(ConfigError::from(format!(
                    "[http.oauth] authorization server {server:?} {problem}{hint}"
                )));
            }
        }
        let validation = |alg: Algorithm| {
            let mut validation = Validation::new(alg);
            validation.leeway = config.leeway_seconds;
            validation.validate_exp = true;
            validation.validate_nbf = true;
            validation.validate_aud = true;
            validation.set_required_spec_claims(&["exp", "iss", "aud"]);
            validation.set_issuer(&[config.issuer.as_str()]);
            validation.set_audience(&[audience.as_str()]);
            validation
        };
        let rs256 = validation(Algorithm::RS256);
        let es256 = validation(Algorithm::ES256);
        Ok(Self {
            inner: Arc::new(Inner {
                resource,
                audience,
                authorization_servers,
                jwks_url,
                client,
                rs256,
                es256,
                timing,
                keys: Mutex::new(None),
                attempts: AtomicU64::new(0),
                fetch: tokio::sync::Mutex::new(FetchState::default()),
                config,
            }),
        })
    }

    /// The configuration this validator was built from.
    pub fn config(&self) -> &OAuthConfig {
        &self.inner.config
    }

    /// The resource URL (what RFC 9728 metadata calls `resource`).
    pub fn resource(&self) -> &str {
        &self.inner.resource
    }

    /// The `aud` value tokens must carry.
    pub fn audience(&self) -> &str {
        &self.inner.audience
    }

    /// Validate a bearer token: its signature against the JWKS (RS256 or ES256 only; `none`,
    /// HMAC and an `alg` that does not match the key's type are rejected), `iss` equal to the
    /// issuer, `aud` containing the audience (a string or an array), `exp` present and not
    /// past, and `nbf` (when present) not in the future, both with the configured leeway.
    pub async fn validate(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let inner = &self.inner;
        let header = parse_header(token)?;
        let (seen, mut keys) = inner.current_keys().await?;
        if keys.candidates(&header)?.is_empty()
            && let Some((_, fresh)) = inner.refetch_for_unknown_key(seen).await?
        {
            keys = fresh;
        }
        let candidates = keys.candidates(&header)?;
        if candidates.is_empty() {
            let message = match &header.kid {
                Some(kid) => format!(
                    "no key with kid \"{}\" in the authorization server's JWKS",
                    quoted(kid)
                ),
                None => format!(
                    "the token names no kid and the JWKS has no {:?} key",
                    header.alg
                ),
            };
            return Err(TokenError::new(TokenErrorKind::UnknownKey, message));
        }
        let validation = match header.alg {
            Algorithm::ES256 => &inner.es256,
            _ => &inner.rs256,
        };
        for candidate in candidates {
            match jsonwebtoken::decode::<Value>(token, &candidate.key, validation) {
                Ok(data) => return inner.verified(data.claims),
                Err(error) if is_signature_mismatch(error.kind()) => continue,
                Err(error) => return Err(claims_error(error.kind())),
            }
        }
        Err(TokenError::new(
            TokenErrorKind::BadSignature,
            "the token's signature does not verify",
        ))
    }

    /// The RFC 9728 protected resource metadata document:
    /// `{"resource", "authorization_servers", "scopes_supported", "bearer_methods_supported"}`.
    pub fn resource_metadata(&self) -> Value {
        let inner = &self.inner;
        json!({
            "resource": inner.resource,
            "authorization_servers": inner.authorization_servers,
            "scopes_supported": inner.config.scopes.keys().collect::<Vec<_>>(),
            "bearer_methods_supported": ["header"],
        })
    }
}

impl Inner {
    /// The fetch count, then the cached keys (in that order; see `attempts`).
    fn snapshot(&self) -> (u64, Option<Arc<KeySet>>) {
        let seen = self.attempts.load(Ordering::SeqCst);
        let keys = self
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        (seen, keys)
    }

    /// Keys to check a token with, fetching them when there are none or they are too old.
    async fn current_keys(&self) -> Result<(u64, Arc<KeySet>), TokenError> {
        let (seen, keys) = self.snapshot();
        match keys {
            Some(keys) if keys.fetched_at.elapsed() < self.timing.max_age => Ok((seen, keys)),
            Some(stale) => Ok(self.refresh_stale(seen, stale).await),
            None => self.load(seen).await,
        }
    }

    /// First fetch: every caller needs keys, so wait for whoever is fetching.
    async fn load(&self, seen: u64) -> Result<(u64, Arc<KeySet>), TokenError> {
        let mut state = self.fetch.lock().await;
        let (now, keys) = self.snapshot();
        if now != seen {
            // A fetch finished while we waited: share its outcome.
            return match keys {
                Some(keys) => Ok((now, keys)),
                None => Err(unavailable(state.last_error.as_deref())),
            };
        }
        if let (Some(error), Some(at)) = (&state.last_error, state.last_attempt)
            && at.elapsed() < self.timing.failure_backoff
        {
            return Err(unavailable(Some(error)));
        }
        self.fetch_locked(&mut state)
            .await
            .map_err(|error| unavailable(Some(&error)))
    }

    /// The cache is too old: refresh it unless someone else is, or tried recently; keep the
    /// old keys when the refresh fails.
    async fn refresh_stale(&self, seen: u64, stale: Arc<KeySet>) -> (u64, Arc<KeySet>) {
        let Ok(mut state) = self.fetch.try_lock() else {
            return (seen, stale);
        };
        let (now, keys) = self.snapshot();
        if now != seen {
            return (now, keys.unwrap_or(stale));
        }
        if state
            .last_attempt
            .is_some_and(|at| at.elapsed() < self.timing.refetch_interval)
        {
            return (seen, stale);
        }
        match self.fetch_locked(&mut state).await {
            Ok(fresh) => fresh,
            Err(_) => (self.attempts.load(Ordering::SeqCst), stale),
        }
    }

    /// A token names a key we do not have: refetch once, unless a fetch finished since we
    /// looked (then use it) or the last refetch was too recent (`Ok(None)`).
    async fn refetch_for_unknown_key(
        &self,
        seen: u64,
    ) -> Result<Option<(u64, Arc<KeySet>)>, TokenError> {
        let mut state = self.fetch.lock().await;
        let (now, keys) = self.snapshot();
        if now != seen {
            if let Some(error) = &state.last_error {
                return Err(unavailable(Some(error)));
            }
            return Ok(keys.map(|keys| (now, keys)));
        }
        if state
            .last_refetch
            .is_some_and(|at| at.elapsed() < self.timing.refetch_interval)
        {
            return Ok(None);
        }
        state.last_refetch = Some(Instant::now());
        self.fetch_locked(&mut state)
            .await
            .map(Some)
            .map_err(|error| unavailable(Some(&error)))
    }

    /// Download and parse the JWKS; the caller holds `fetch`.
    async fn fetch_locked(&self, state: &mut FetchState) -> Result<(u64, Arc<KeySet>), String> {
        state.last_attempt = Some(Instant::now());
        let outcome = match self.download().await {
            Ok(body) => parse_jwks(&body),
            Err(error) => Err(error),
        };
        match outcome {
            Ok(keys) => {
                let set = Arc::new(KeySet {
                    keys,
                    fetched_at: Instant::now(),
                });
                *self.keys.lock().unwrap_or_else(PoisonError::into_inner) = Some(set.clone());
                state.last_error = None;
                let attempts = self
                    .attempts
                    .fetch_add(1, Ordering::SeqCst)
                    .saturating_add(1);
                tracing::debug!(jwks_url = %self.jwks_url, keys = set.keys.len(), "fetched the JWKS");
                Ok((attempts, set))
            }
            Err(error) => {
                tracing::warn!(jwks_url = %self.jwks_url, %error, "cannot fetch the JWKS");
                state.last_error = Some(error.clone());
                self.attempts.fetch_add(1, Ordering::SeqCst);
                Err(error)
            }
        }
    }

    /// GET the JWKS: 2xx only, at most `MAX_JWKS_BYTES`, within `JWKS_TIMEOUT`.
    async fn download(&self) -> Result<Vec<u8>, String> {
        let url = &self.jwks_url;
        let fetch = async {
            let response = self
                .client
                .get(url.clone())
                .header(
                    reqwest::header::ACCEPT,
                    "application/jwk-set+json, application/json",
                )
                .timeout(JWKS_TIMEOUT)
                .send()
                .await
                .map_err(|error| {
                    format!("cannot fetch the JWKS from {url}: {}", reqwest_chain(error))
                })?;
            let status = response.status();
            if !status.is_success() {
                return Err(format!("the JWKS endpoint {url} answered HTTP {status}"));
            }
            read_at_most(response, MAX_JWKS_BYTES)
                .await
                .map_err(|error| match error {
                    ReadError::TooLarge { .. } => {
                        format!("the JWKS at {url} is larger than {MAX_JWKS_BYTES} bytes")
                    }
                    ReadError::Transport(error) => {
                        format!("cannot read the JWKS from {url}: {}", reqwest_chain(error))
                    }
                })
        };
        tokio::time::timeout(JWKS_TIMEOUT, fetch)
            .await
            .unwrap_or_else(|_| Err(format!("fetching the JWKS from {url} timed out")))
    }

    /// The claims of a token whose signature and registered claims checked out.
    fn verified(&self, claims: Value) -> Result<VerifiedToken, TokenError> {
        let Value::Object(claims) = claims else {
            return Err(malformed("the token's claims are not a JSON object"));
        };
        // jsonwebtoken accepts an array `iss` sharing one value with the issuer; RFC 7519
        // makes it a single string.
        if !matches!(claims.get("iss"), Some(Value::String(_))) {
            return Err(TokenError::new(
                TokenErrorKind::WrongIssuer,
                "the token's iss claim is not a single string",
            ));
        }
        let subject = optional_string(&claims, "sub")?;
        let client_id = match optional_string(&claims, "client_id")? {
            Some(client_id) => Some(client_id),
            None => optional_string(&claims, "azp")?,
        };
        let scopes = scopes_of(&claims)?;
        let mut roles: Vec<String> = Vec::new();
        for scope in &scopes {
            if let Some(role) = self.config.scopes.get(scope)
                && !roles.contains(role)
            {
                roles.push(role.clone());
            }
        }
        Ok(VerifiedToken {
            subject,
            client_id,
            scopes,
            roles,
        })
    }
}

impl KeySet {
    /// Keys that may have signed a token with `header`: those with its `kid` (when it names
    /// one) and its algorithm. A `kid` whose keys are all of another type is an error.
    fn candidates(&self, header: &TokenHeader) -> Result<Vec<&CachedKey>, TokenError> {
        let Some(kid) = &header.kid else {
            return Ok(self.keys.iter().filter(|k| k.alg == header.alg).collect());
        };
        let named: Vec<&CachedKey> = self
            .keys
            .iter()
            .filter(|k| k.kid.as_deref() == Some(kid.as_str()))
            .collect();
        if named.is_empty() {
            return Ok(named);
        }
        let usable: Vec<&CachedKey> = named.into_iter().filter(|k| k.alg == header.alg).collect();
        if usable.is_empty() {
            return Err(TokenError::new(
                TokenErrorKind::BadSignature,
                format!(
                    "the token's algorithm {:?} does not match key \"{}\"",
                    header.alg,
                    quoted(kid)
                ),
            ));
        }
        Ok(usable)
    }
}

/// The JOSE header: a supported `alg` and an optional `kid`.
fn parse_header(token: &str) -> Result<TokenHeader, TokenError> {
    if token.is_empty() {
        return Err(malformed("the token is empty"));
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(malformed(format!(
            "the token is longer than {MAX_TOKEN_BYTES} bytes"
        )));
    }
    let mut parts = token.split('.');
    let (Some(header), Some(_payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(if token.split('.').count() == 5 {
            malformed("encrypted tokens (JWE) are not accepted")
        } else {
            malformed("the token is not a JWT (three dot-separated parts)")
        });
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| malformed("the token header is not base64url"))?;
    let header: Map<String, Value> = serde_json::from_slice(&bytes)
        .map_err(|_| malformed("the token header is not a JSON object"))?;
    if header.contains_key("crit") {
        return Err(malformed(
            "the token header has critical extensions (crit), which are not supported",
        ));
    }
    let alg = match header.get("alg") {
        Some(Value::String(alg)) => alg.as_str(),
        Some(_) => return Err(malformed("the token header's alg is not a string")),
        None => return Err(malformed("the token header has no alg")),
    };
    let alg = match alg {
        "RS256" => Algorithm::RS256,
        "ES256" => Algorithm::ES256,
        other => {
            return Err(TokenError::new(
                TokenErrorKind::BadSignature,
                format!(
                    "the token's algorithm \"{}\" is not accepted (only RS256 and ES256 are)",
                    quoted(other)
                ),
            ));
        }
    };
    let kid = match header.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(malformed("the token header's kid is not a string")),
    };
    Ok(TokenHeader { alg, kid })
}

/// The RS256 and ES256 signing keys of a JWKS; other keys are skipped.
fn parse_jwks(body: &[u8]) -> Result<Vec<CachedKey>, String> {
    let document: Value =
        serde_json::from_slice(body).map_err(|_| "the JWKS is not valid JSON".to_owned())?;
    let Some(entries) = document.get("keys").and_then(Value::as_array) else {
        return Err("the JWKS has no \"keys\" array".to_owned());
    };
    let keys: Vec<CachedKey> = entries.iter().filter_map(parse_jwk).collect();
    let skipped = entries.len() - keys.len();
    if skipped > 0 {
        tracing::debug!(
            skipped,
            "ignored JWKS entries that are not RS256 or ES256 signing keys"
        );
    }
    if keys.is_empty() {
        tracing::warn!("the JWKS has no RS256 or ES256 signing key: every token will be rejected");
    }
    Ok(keys)
}

/// One JWK, when it is an RSA (2048–8192 bits) or P-256 public key usable for RS256/ES256
/// signatures.
fn parse_jwk(jwk: &Value) -> Option<CachedKey> {
    let jwk = jwk.as_object()?;
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    if jwk
        .get("use")
        .is_some_and(|usage| usage.as_str() != Some("sig"))
    {
        return None;
    }
    if let Some(operations) = jwk.get("key_ops") {
        let verifies = operations
            .as_array()
            .is_some_and(|ops| ops.iter().any(|op| op.as_str() == Some("verify")));
        if !verifies {
            return None;
        }
    }
    let kid = match jwk.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return None,
    };
    let declared = match jwk.get("alg") {
        None | Some(Value::Null) => None,
        Some(Value::String(alg)) => Some(alg.as_str()),
        Some(_) => return None,
    };
    match text("kty")? {
        "RSA" => {
            if declared.is_some_and(|alg| alg != "RS256") {
                return None;
            }
            let n = base64url(text("n")?)?;
            let e = base64url(text("e")?)?;
            let modulus_bytes = n.iter().skip_while(|byte| **byte == 0).count();
            if !(256..=1024).contains(&modulus_bytes) || e.is_empty() || e.len() > 8 {
                return None;
            }
            Some(CachedKey {
                kid,
                alg: Algorithm::RS256,
                key: DecodingKey::from_rsa_raw_components(&n, &e),
            })
        }
        "EC" => {
            if declared.is_some_and(|alg| alg != "ES256") || text("crv")? != "P-256" {
                return None;
            }
            let x = base64url(text("x")?)?;
            let y = base64url(text("y")?)?;
            if x.len() != 32 || y.len() != 32 {
                return None;
            }
            // The uncompressed SEC1 point, which is what `DecodingKey::from_ec_components`
            // builds too.
            let mut point = Vec::with_capacity(65);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            Some(CachedKey {
                kid,
                alg: Algorithm::ES256,
                key: DecodingKey::from_ec_der(&point),
            })
        }
        _ => None,
    }
}

/// Errors that mean "not this key": try the next candidate.
fn is_signature_mismatch(kind: &JwtErrorKind) -> bool {
    matches!(
        kind,
        JwtErrorKind::InvalidSignature
            | JwtErrorKind::InvalidAlgorithm
            | JwtErrorKind::InvalidKeyFormat
            | JwtErrorKind::InvalidRsaKey(_)
            | JwtErrorKind::InvalidEcdsaKey
            | JwtErrorKind::Signing(_)
            | JwtErrorKind::Provider(_)
    )
}

/// A decoding failure other than a signature mismatch.
fn claims_error(kind: &JwtErrorKind) -> TokenError {
    match kind {
        JwtErrorKind::ExpiredSignature => {
            TokenError::new(TokenErrorKind::Expired, "the token has expired")
        }
        JwtErrorKind::ImmatureSignature => TokenError::new(
            TokenErrorKind::NotYetValid,
            "the token is not valid yet (nbf is in the future)",
        ),
        JwtErrorKind::InvalidIssuer => TokenError::new(
            TokenErrorKind::WrongIssuer,
            "the token was issued by another issuer",
        ),
        JwtErrorKind::InvalidAudience => TokenError::new(
            TokenErrorKind::WrongAudience,
            "the token is meant for another audience",
        ),
        JwtErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
            "iss" => TokenError::new(TokenErrorKind::WrongIssuer, "the token has no iss claim"),
            "aud" => TokenError::new(TokenErrorKind::WrongAudience, "the token has no aud claim"),
            "exp" => malformed("the token has no exp claim"),
            _ => malformed("the token lacks a required claim"),
        },
        JwtErrorKind::InvalidClaimFormat(claim) => match claim.as_str() {
            "exp" => malformed("the token's exp claim is not a number"),
            "nbf" => malformed("the token's nbf claim is not a number"),
            _ => malformed("the token has a malformed claim"),
        },
        _ => malformed("the token cannot be decoded"),
    }
}

/// `scope` (space-separated), or else `scp` (array or space-separated string).
fn scopes_of(claims: &Map<String, Value>) -> Result<Vec<String>, TokenError> {
    let present = |name: &str| claims.get(name).filter(|value| !value.is_null());
    let raw: Vec<&str> = match (present("scope"), present("scp")) {
        (Some(Value::String(scope)), _) | (None, Some(Value::String(scope))) => {
            scope.split_ascii_whitespace().collect()
        }
        (None, Some(Value::Array(items))) => {
            let mut raw = Vec::with_capacity(items.len());
            for item in items {
                let scope = item
                    .as_str()
                    .ok_or_else(|| malformed("the token's scp claim holds a non-string"))?;
                raw.extend(scope.split_ascii_whitespace());
            }
            raw
        }
        (None, None) => Vec::new(),
        (Some(_), _) => return Err(malformed("the token's scope claim is not a string")),
        (None, Some(_)) => {
            return Err(malformed(
                "the token's scp claim is neither a string nor an array",
            ));
        }
    };
    let mut scopes: Vec<String> = Vec::with_capacity(raw.len());
    for scope in raw {
        if !scopes.iter().any(|known| known == scope) {
            scopes.push(scope.to_owned());
        }
    }
    Ok(scopes)
}

/// A claim that must be a string when present.
fn optional_string(claims: &Map<String, Value>, name: &str) -> Result<Option<String>, TokenError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(malformed(format!(
            "the token's {name} claim is not a string"
        ))),
    }
}

fn malformed(message: impl Into<String>) -> TokenError {
    TokenError::new(TokenErrorKind::Malformed, message)
}

fn unavailable(error: Option<&str>) -> TokenError {
    TokenError::new(
        TokenErrorKind::JwksUnavailable,
        match error {
            Some(error) => format!("cannot check the token: {error}"),
            None => "cannot check the token: the JWKS is unavailable".to_owned(),
        },
    )
}

/// Base64url with or without padding.
fn base64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

/// An `http(s)` URL with a host.
fn http_url(text: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text).map_err(|error| format!("is not a URL: {error}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("must be an http:// or https:// URL".to_owned());
    }
    Ok(url)
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A value taken from a token, made safe to quote in a message: short, and limited to
/// characters that need no escaping.
fn quoted(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(MAX_QUOTED_CHARS)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.:+/=".contains(c) {
                c
            } else {
                '?'
            }
        })
        .collect();
    if value.chars().nth(MAX_QUOTED_CHARS).is_some() {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests;
