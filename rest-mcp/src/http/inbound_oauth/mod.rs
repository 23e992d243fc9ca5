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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::LazyLock;
    use std::sync::atomic::AtomicUsize;

    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
    use aws_lc_rs::rsa::KeySize;
    use aws_lc_rs::signature::{
        ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _, RsaKeyPair,
        RsaPublicKeyComponents,
    };
    use axum::Router;
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::routing::get;
    use jsonwebtoken::{EncodingKey, Header};

    const ISSUER: &str = "https://issuer.example";
    const RESOURCE: &str = "https://mcp.example/mcp";

    struct TestKey {
        alg: Algorithm,
        encoding: EncodingKey,
        /// The public JWK, without a `kid`.
        jwk: Value,
    }

    impl TestKey {
        fn jwk(&self, kid: &str) -> Value {
            let mut jwk = self.jwk.clone();
            jwk["kid"] = json!(kid);
            jwk
        }
    }

    static RSA_A: LazyLock<TestKey> = LazyLock::new(rsa_key);
    static RSA_B: LazyLock<TestKey> = LazyLock::new(rsa_key);
    static RSA_OTHER: LazyLock<TestKey> = LazyLock::new(rsa_key);
    static EC_A: LazyLock<TestKey> = LazyLock::new(ec_key);

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// (tag, content, rest) of the DER element at the start of `input`.
    fn der_element(input: &[u8]) -> (u8, &[u8], &[u8]) {
        let tag = input[0];
        let first = usize::from(input[1]);
        let (length, start) = if first < 0x80 {
            (first, 2)
        } else {
            let count = first & 0x7f;
            let length = input[2..2 + count]
                .iter()
                .fold(0usize, |acc, byte| (acc << 8) | usize::from(*byte));
            (length, 2 + count)
        };
        (tag, &input[start..start + length], &input[start + length..])
    }

    /// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo` (jsonwebtoken's RSA
    /// signer with aws-lc-rs wants PKCS#1; aws-lc-rs exports PKCS#8 only).
    fn pkcs1_from_pkcs8(pkcs8: &[u8]) -> Vec<u8> {
        let (_, info, _) = der_element(pkcs8);
        let (_, _, rest) = der_element(info); // version
        let (_, _, rest) = der_element(rest); // algorithm
        let (tag, key, _) = der_element(rest);
        assert_eq!(tag, 0x04, "privateKey is an OCTET STRING");
        key.to_vec()
    }

    fn rsa_key() -> TestKey {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let pkcs8: Pkcs8V1Der<'static> = pair.as_der().unwrap();
        let pkcs1 = pkcs1_from_pkcs8(pkcs8.as_ref());
        let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        TestKey {
            alg: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_der(&pkcs1),
            jwk: json!({"kty": "RSA", "use": "sig", "alg": "RS256", "n": b64(&public.n), "e": b64(&public.e)}),
        }
    }

    fn ec_key() -> TestKey {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let pkcs8 = pair.to_pkcs8v1().unwrap();
        let point = pair.public_key().as_ref().to_vec();
        assert_eq!(point.len(), 65);
        TestKey {
            alg: Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
            // No `alg`: the key type decides.
            jwk: json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..])}),
        }
    }

    /// A JWKS endpoint on 127.0.0.1 that counts its requests and serves what the test says.
    struct Jwks {
        hits: AtomicUsize,
        body: Mutex<String>,
        status: Mutex<StatusCode>,
        delay: Duration,
        url: Mutex<String>,
    }

    impl Jwks {
        async fn start(keys: Vec<Value>) -> Arc<Jwks> {
            Self::start_with_delay(keys, Duration::ZERO).await
        }

        async fn start_with_delay(keys: Vec<Value>, delay: Duration) -> Arc<Jwks> {
            let jwks = Arc::new(Jwks {
                hits: AtomicUsize::new(0),
                body: Mutex::new(String::new()),
                status: Mutex::new(StatusCode::OK),
                delay,
                url: Mutex::new(String::new()),
            });
            jwks.set_keys(keys);
            let app = Router::new()
                .route("/jwks", get(serve))
                .with_state(jwks.clone());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            *jwks.url.lock().unwrap() = format!("http://{address}/jwks");
            tokio::spawn(async move { axum::serve(listener, app).await });
            jwks
        }

        fn url(&self) -> String {
            self.url.lock().unwrap().clone()
        }

        fn hits(&self) -> usize {
            self.hits.load(Ordering::SeqCst)
        }

        fn set_keys(&self, keys: Vec<Value>) {
            self.set_body(json!({ "keys": keys }).to_string());
        }

        fn set_body(&self, body: String) {
            *self.body.lock().unwrap() = body;
        }

        fn set_status(&self, status: StatusCode) {
            *self.status.lock().unwrap() = status;
        }
    }

    async fn serve(State(jwks): State<Arc<Jwks>>) -> (StatusCode, String) {
        jwks.hits.fetch_add(1, Ordering::SeqCst);
        if !jwks.delay.is_zero() {
            tokio::time::sleep(jwks.delay).await;
        }
        let status = *jwks.status.lock().unwrap();
        let body = jwks.body.lock().unwrap().clone();
        (status, body)
    }

    fn config(jwks_url: &str) -> OAuthConfig {
        OAuthConfig {
            issuer: ISSUER.to_owned(),
            authorization_servers: Vec::new(),
            audience: None,
            jwks_url: jwks_url.to_owned(),
            scopes: BTreeMap::from([
                ("mcp:read".to_owned(), "viewer".to_owned()),
                ("mcp:write".to_owned(), "editor".to_owned()),
            ]),
            leeway_seconds: 60,
            requests_per_minute: None,
        }
    }

    /// Only ever talks to 127.0.0.1: no proxy from the environment.
    fn client() -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().unwrap()
    }

    fn validator(jwks: &Jwks) -> JwtValidator {
        JwtValidator::new(config(&jwks.url()), RESOURCE.to_owned(), client()).unwrap()
    }

    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    fn claims() -> Value {
        json!({
            "iss": ISSUER,
            "aud": RESOURCE,
            "sub": "alice",
            "client_id": "cli-1",
            "iat": now(),
            "exp": now() + 600,
            "scope": "mcp:read mcp:write other",
        })
    }

    fn sign(key: &TestKey, kid: Option<&str>, claims: &Value) -> String {
        let mut header = Header::new(key.alg);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
    }

    /// A token with an arbitrary header and payload, signed with `key`.
    fn sign_raw(key: &TestKey, header: &Value, payload: &[u8]) -> String {
        let message = format!("{}.{}", b64(header.to_string().as_bytes()), b64(payload));
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &key.encoding, key.alg).unwrap();
        format!("{message}.{signature}")
    }

    async fn rejected(validator: &JwtValidator, token: &str) -> TokenError {
        let error = validator.validate(token).await.unwrap_err();
        if !token.is_empty() {
            assert!(!error.to_string().contains(token), "{error}");
            assert!(!format!("{error:?}").contains(token), "{error:?}");
        }
        error
    }

    #[tokio::test]
    async fn valid_rs256_token_maps_scopes_to_roles() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a"), EC_A.jwk("e")]).await;
        let validator = validator(&jwks);
        let token = sign(&RSA_A, Some("a"), &claims());
        let verified = validator.validate(&token).await.unwrap();
        assert_eq!(
            verified,
            VerifiedToken {
                subject: Some("alice".to_owned()),
                client_id: Some("cli-1".to_owned()),
                scopes: vec!["mcp:read".into(), "mcp:write".into(), "other".into()],
                roles: vec!["viewer".into(), "editor".into()],
            }
        );
        // Cached: a second token costs no fetch.
        validator.validate(&token).await.unwrap();
        assert_eq!(jwks.hits(), 1);
    }

    #[tokio::test]
    async fn valid_es256_token_with_scp_array_and_azp() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a"), EC_A.jwk("e")]).await;
        let validator = validator(&jwks);
        let mut claims = claims();
        let object = claims.as_object_mut().unwrap();
        object.remove("scope");
        object.remove("client_id");
        object.insert("scp".into(), json!(["mcp:read", "mcp:read", "profile"]));
        object.insert("azp".into(), json!("web-app"));
        object.insert("aud".into(), json!(["https://other.example", RESOURCE]));
        let verified = validator
            .validate(&sign(&EC_A, Some("e"), &claims))
            .await
            .unwrap();
        assert_eq!(verified.client_id.as_deref(), Some("web-app"));
        assert_eq!(verified.scopes, vec!["mcp:read", "profile"]);
        assert_eq!(verified.roles, vec!["viewer"]);

        // `scp` as a space-separated string; no scopes at all is valid too (no roles).
        claims["scp"] = json!("mcp:write");
        let verified = validator
            .validate(&sign(&EC_A, Some("e"), &claims))
            .await
            .unwrap();
        assert_eq!(verified.roles, vec!["editor"]);
        claims.as_object_mut().unwrap().remove("scp");
        let verified = validator
            .validate(&sign(&EC_A, Some("e"), &claims))
            .await
            .unwrap();
        assert!(verified.scopes.is_empty() && verified.roles.is_empty());
    }

    #[tokio::test]
    async fn tokens_without_kid_try_every_key_of_their_algorithm() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a"), EC_A.jwk("e"), RSA_B.jwk("b")]).await;
        let validator = validator(&jwks);
        validator
            .validate(&sign(&RSA_B, None, &claims()))
            .await
            .unwrap();
        validator
            .validate(&sign(&EC_A, None, &claims()))
            .await
            .unwrap();
        let error = rejected(&validator, &sign(&RSA_OTHER, None, &claims())).await;
        assert_eq!(error.kind, TokenErrorKind::BadSignature);
    }

    #[tokio::test]
    async fn expired_and_not_yet_valid_tokens_are_rejected_beyond_the_leeway() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
        let validator = validator(&jwks);

        let mut expired = claims();
        expired["exp"] = json!(now() - 3600);
        let error = rejected(&validator, &sign(&RSA_A, Some("a"), &expired)).await;
        assert_eq!(error.kind, TokenErrorKind::Expired);

        let mut within_leeway = claims();
        within_leeway["exp"] = json!(now() - 30);
        validator
            .validate(&sign(&RSA_A, Some("a"), &within_leeway))
            .await
            .unwrap();

        let mut early = claims();
        early["nbf"] = json!(now() + 3600);
        let error = rejected(&validator, &sign(&RSA_A, Some("a"), &early)).await;
        assert_eq!(error.kind, TokenErrorKind::NotYetValid);

        let mut almost = claims();
        almost["nbf"] = json!(now() + 30);
        validator
            .validate(&sign(&RSA_A, Some("a"), &almost))
            .await
            .unwrap();

        let mut no_exp = claims();
        no_exp.as_object_mut().unwrap().remove("exp");
        let error = rejected(&validator, &sign(&RSA_A, Some("a"), &no_exp)).await;
        assert_eq!(error.kind, TokenErrorKind::Malformed);
    }

    #[tokio::test]
    async fn wrong_or_missing_audience_is_rejected() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
        let validator = validator(&jwks);
        for audience in [
            json!("https://other.example/mcp"),
            json!(["https://other.example/mcp"]),
            json!([]),
            json!(42),
        ] {
            let mut claims = claims();
            claims["aud"] = audience;
            let error = rejected(&validator, &sign(&RSA_A, Some("a"), &claims)).await;
            assert_eq!(error.kind, TokenErrorKind::WrongAudience, "{error}");
        }
        let mut claims = claims();
        claims.as_object_mut().unwrap().remove("aud");
        let error = rejected(&validator, &sign(&RSA_A, Some("a"), &claims)).await;
        assert_eq!(error.kind, TokenErrorKind::WrongAudience);

        // A configured audience replaces the resource URL.
        let mut config = config(&jwks.url());
        config.audience = Some("api://rest-mcp".to_owned());
        let custom = JwtValidator::new(config, RESOURCE.to_owned(), client()).unwrap();
        let mut claims = self::claims();
        claims["aud"] = json!("api://rest-mcp");
        custom
            .validate(&sign(&RSA_A, Some("a"), &claims))
            .await
            .unwrap();
        let error = rejected(&custom, &sign(&RSA_A, Some("a"), &self::claims())).await;
        assert_eq!(error.kind, TokenErrorKind::WrongAudience);
    }

    #[tokio::test]
    async fn wrong_or_missing_issuer_is_rejected() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
        let validator = validator(&jwks);
        for issuer in [
            Some(json!("https://evil.example")),
            Some(json!([ISSUER])),
            Some(json!(7)),
            None,
        ] {
            let mut claims = claims();
            match issuer {
                Some(issuer) => claims["iss"] = issuer,
                None => {
                    claims.as_object_mut().unwrap().remove("iss");
                }
            }
            let error = rejected(&validator, &sign(&RSA_A, Some("a"), &claims)).await;
            assert_eq!(error.kind, TokenErrorKind::WrongIssuer, "{error}");
        }
    }

    #[tokio::test]
    async fn unknown_kid_refetches_once_then_fails() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
        let validator = validator(&jwks);
        validator
            .validate(&sign(&RSA_A, Some("a"), &claims()))
            .await
            .unwrap();
        assert_eq!(jwks.hits(), 1);

        let ghost = sign(&RSA_A, Some("ghost"), &claims());
        let error = rejected(&validator, &ghost).await;
        assert_eq!(error.kind, TokenErrorKind::UnknownKey);
        assert!(error.message().contains("ghost"), "{error}");
        assert_eq!(jwks.hits(), 2, "one refetch for the unknown kid");

        // Within 10 s: no further refetch.
        let error = rejected(&validator, &sign(&RSA_A, Some("phantom"), &claims())).await;
        assert_eq!(error.kind, TokenErrorKind::UnknownKey);
        assert_eq!(jwks.hits(), 2);
    }

    #[tokio::test]
    async fn rotated_key_validates_after_the_refetch() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
        let validator = validator(&jwks);
        validator
            .validate(&sign(&RSA_A, Some("a"), &claims()))
            .await
            .unwrap();
        jwks.set_keys(vec![RSA_A.jwk("a"), RSA_B.jwk("b")]);
        let verified = validator
            .validate(&sign(&RSA_B, Some("b"), &claims()))
            .await
            .unwrap();
        assert_eq!(verified.subject.as_deref(), Some("alice"));
        assert_eq!(jwks.hits(), 2);
    }

    #[tokio::test]
    async fn none_hmac_and_mismatched_algorithms_are_rejected() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a"), EC_A.jwk("e")]).await;
        let validator = validator(&jwks);
        let payload = b64(claims().to_string().as_bytes());

        for alg in ["none", "None", "NONE"] {
            let header = b64(json!({"alg": alg, "kid": "a"}).to_string().as_bytes());
            let token = format!("{header}.{payload}.");
            let error = rejected(&validator, &token).await;
            assert_eq!(error.kind, TokenErrorKind::BadSignature, "{error}");
        }

        // HS256 keyed with the RSA modulus (the classic algorithm confusion) and with a
        // plain secret.
        for secret in [
            RSA_A.jwk["n"].as_str().unwrap().as_bytes(),
            b"secret".as_slice(),
        ] {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some("a".to_owned());
            let token = jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(secret))
                .unwrap();
            let error = rejected(&validator, &token).await;
            assert_eq!(error.kind, TokenErrorKind::BadSignature);
            assert!(error.message().contains("HS256"), "{error}");
        }

        // Other asymmetric algorithms are not accepted either.
        let header = b64(json!({"alg": "PS256", "kid": "a"}).to_string().as_bytes());
        let error = rejected(&validator, &format!("{header}.{payload}.c2ln")).await;
        assert_eq!(error.kind, TokenErrorKind::BadSignature);

        // An ES256 token naming an RSA key, and an RS256 token naming an EC key.
        let error = rejected(&validator, &sign(&EC_A, Some("a"), &claims())).await;
        assert_eq!(error.kind, TokenErrorKind::BadSignature);
        let error = rejected(&validator, &sign(&RSA_A, Some("e"), &claims())).await;
        assert_eq!(error.kind, TokenErrorKind::BadSignature);

        // No fetch was needed for the header-level rejections; one for the key lookups.
        assert_eq!(jwks.hits(), 1);
    }

    #[tokio::test]
    async fn another_key_with_a_known_kid_is_a_bad_signature() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a"), EC_A.jwk("e")]).await;
        let validator = validator(&jwks);
        let error = rejected(&validator, &sign(&RSA_OTHER, Some("a"), &claims())).await;
        assert_eq!(error.kind, TokenErrorKind::BadSignature);
        let forged_ec = ec_key();
        let error = rejected(&validator, &sign(&forged_ec, Some("e"), &claims())).await;
        assert_eq!(error.kind, TokenErrorKind::BadSignature);

        // A valid token with its signature swapped for another token's.
        let good = sign(&RSA_A, Some("a"), &claims());
        let other = sign(
            &RSA_A,
            Some("a"),
            &json!({"iss": ISSUER, "aud": RESOURCE, "exp": now() + 60}),
        );
        let (message, _) = good.rsplit_once('.').unwrap();
        let (_, signature) = other.rsplit_once('.').unwrap();
        let error = rejected(&validator, &format!("{message}.{signature}")).await;
        assert_eq!(error.kind, TokenErrorKind::BadSignature);
        assert_eq!(jwks.hits(), 1, "a bad signature does not trigger a refetch");
    }

    #[tokio::test]
    async fn jwks_server_down_is_jwks_unavailable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let validator = JwtValidator::new(
            config(&format!("http://{address}/jwks")),
            RESOURCE.to_owned(),
            client(),
        )
        .unwrap();
        let token = sign(&RSA_A, Some("a"), &claims());
        let error = rejected(&validator, &token).await;
        assert_eq!(error.kind, TokenErrorKind::JwksUnavailable);
        assert!(error.message().contains("cannot fetch the JWKS"), "{error}");
    }

    #[tokio::test]
    async fn failing_jwks_backs_off_and_recovers() {
        // Two validators instead of a sleep: one whose back-off outlasts the test, one
        // without back-off (as if it had passed).
        let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
        jwks.set_status(StatusCode::INTERNAL_SERVER_ERROR);
        let with_backoff = |failure_backoff| {
            let timing = Timing {
                failure_backoff,
                ..Timing::DEFAULT
            };
            JwtValidator::with_timing(config(&jwks.url()), RESOURCE.to_owned(), client(), timing)
                .unwrap()
        };
        let token = sign(&RSA_A, Some("a"), &claims());

        let patient = with_backoff(Duration::from_secs(3600));
        let error = rejected(&patient, &token).await;
        assert_eq!(error.kind, TokenErrorKind::JwksUnavailable);
        assert!(error.message().contains("500"), "{error}");
        // Within the back-off: no new attempt, even once the server is back.
        jwks.set_status(StatusCode::OK);
        let error = rejected(&patient, &token).await;
        assert_eq!(error.kind, TokenErrorKind::JwksUnavailable);
        assert_eq!(jwks.hits(), 1);

        // Once the back-off has passed, the next token fetches again and validates.
        jwks.set_status(StatusCode::INTERNAL_SERVER_ERROR);
        let eager = with_backoff(Duration::ZERO);
        assert_eq!(
            rejected(&eager, &token).await.kind,
            TokenErrorKind::JwksUnavailable
        );
        assert_eq!(jwks.hits(), 2);
        jwks.set_status(StatusCode::OK);
        eager.validate(&token).await.unwrap();
        assert_eq!(jwks.hits(), 3);
    }

    #[tokio::test]
    async fn malformed_or_oversized_jwks_is_unavailable() {
        let token = sign(&RSA_A, Some("a"), &claims());
        for body in [
            "not json".to_owned(),
            "[]".to_owned(),
            json!({"keys": "nope"}).to_string(),
            json!({"keys": [RSA_A.jwk("a")], "padding": "x".repeat(MAX_JWKS_BYTES)}).to_string(),
        ] {
            let jwks = Jwks::start(Vec::new()).await;
            jwks.set_body(body);
            let error = rejected(&validator(&jwks), &token).await;
            assert_eq!(error.kind, TokenErrorKind::JwksUnavailable, "{error}");
        }
    }

    #[tokio::test]
    async fn unusable_jwks_entries_are_skipped() {
        let mut encryption_key = RSA_A.jwk("enc");
        encryption_key["use"] = json!("enc");
        let mut ps256 = RSA_A.jwk("ps");
        ps256["alg"] = json!("PS256");
        let mut verify_only = EC_A.jwk("ops");
        verify_only["key_ops"] = json!(["verify"]);
        let mut sign_only = EC_A.jwk("sign-only");
        sign_only["key_ops"] = json!(["sign"]);
        let jwks = Jwks::start(vec![
            json!(42),
            json!(null),
            json!({"kty": "RSA"}),
            json!({"kty": "RSA", "kid": "short", "n": "AQAB", "e": "AQAB"}),
            json!({"kty": "EC", "crv": "P-256", "kid": "bad", "x": "!!", "y": ""}),
            json!({"kty": "EC", "crv": "P-384", "kid": "p384", "x": b64(&[1; 48]), "y": b64(&[1; 48])}),
            json!({"kty": "oct", "kid": "hmac", "k": b64(b"secret")}),
            json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": b64(&[0; 32])}),
            json!({"kty": "RSA", "kid": 5, "n": RSA_A.jwk["n"], "e": RSA_A.jwk["e"]}),
            encryption_key,
            ps256,
            sign_only,
            verify_only,
            RSA_A.jwk("a"),
        ])
        .await;
        let validator = validator(&jwks);
        validator
            .validate(&sign(&RSA_A, Some("a"), &claims()))
            .await
            .unwrap();
        validator
            .validate(&sign(&EC_A, Some("ops"), &claims()))
            .await
            .unwrap();
        for kid in ["enc", "ps", "sign-only", "hmac", "short"] {
            let error = rejected(&validator, &sign(&RSA_A, Some(kid), &claims())).await;
            assert_eq!(error.kind, TokenErrorKind::UnknownKey, "{kid}: {error}");
        }
    }

    #[tokio::test]
    async fn garbage_tokens_are_malformed() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
        let validator = validator(&jwks);
        let header = b64(json!({"alg": "RS256", "kid": "a"}).to_string().as_bytes());
        let garbage = [
            String::new(),
            "garbage".to_owned(),
            "a.b".to_owned(),
            "a.b.c".to_owned(),
            "a.b.c.d".to_owned(),
            "a.b.c.d.e".to_owned(),
            "..".to_owned(),
            "ünïcödé.🦀.x".to_owned(),
            format!("{}.e30.c2ln", b64(b"not json")),
            format!("{}.e30.c2ln", b64(b"[1,2]")),
            format!("{}.e30.c2ln", b64(br#"{"kid":"a"}"#)),
            format!("{}.e30.c2ln", b64(br#"{"alg":5}"#)),
            format!("{}.e30.c2ln", b64(br#"{"alg":"RS256","kid":7}"#)),
            format!("{}.e30.c2ln", b64(br#"{"alg":"RS256","crit":["exp"]}"#)),
            format!("{header}.e30.{}", "A".repeat(MAX_TOKEN_BYTES)),
        ];
        for token in &garbage {
            let error = rejected(&validator, token).await;
            assert_eq!(error.kind, TokenErrorKind::Malformed, "{token:?}: {error}");
        }
        assert_eq!(
            jwks.hits(),
            0,
            "header problems are caught before any fetch"
        );

        // A correct signature over claims that are not usable.
        let header = json!({"alg": "RS256", "kid": "a"});
        let with = |claims: Value| sign_raw(&RSA_A, &header, claims.to_string().as_bytes());
        let mut bad_exp = claims();
        bad_exp["exp"] = json!("tomorrow");
        let mut bad_scope = claims();
        bad_scope["scope"] = json!(["mcp:read"]);
        let mut bad_scp = claims();
        bad_scp.as_object_mut().unwrap().remove("scope");
        bad_scp["scp"] = json!([1, 2]);
        let mut bad_sub = claims();
        bad_sub["sub"] = json!({"id": 1});
        for token in [
            sign_raw(&RSA_A, &header, b"not json"),
            sign_raw(&RSA_A, &header, b"[1,2,3]"),
            with(bad_exp),
            with(bad_scope),
            with(bad_scp),
            with(bad_sub),
        ] {
            let error = rejected(&validator, &token).await;
            assert_eq!(error.kind, TokenErrorKind::Malformed, "{error}");
        }

        // A bad signature encoding behind a known key.
        let error = rejected(
            &validator,
            &format!("{}.e30.***", b64(header.to_string().as_bytes())),
        )
        .await;
        assert_eq!(error.kind, TokenErrorKind::Malformed, "{error}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_unknown_kids_share_the_fetches() {
        let jwks = Jwks::start_with_delay(vec![RSA_A.jwk("a")], Duration::from_millis(100)).await;
        let validator = validator(&jwks);
        let token = sign(&RSA_A, Some("ghost"), &claims());
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let validator = validator.clone();
                let token = token.clone();
                tokio::spawn(async move { validator.validate(&token).await })
            })
            .collect();
        for task in tasks {
            let error = task.await.unwrap().unwrap_err();
            assert_eq!(error.kind, TokenErrorKind::UnknownKey, "{error}");
        }
        assert!(jwks.hits() <= 2, "{} JWKS fetches", jwks.hits());
    }

    #[tokio::test]
    async fn old_keys_are_refetched_and_kept_when_the_refresh_fails() {
        // max_age zero: every cached copy is already too old, so each validation refreshes
        // (no sleeping until a real age passes).
        let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
        let timing = Timing {
            max_age: Duration::ZERO,
            refetch_interval: Duration::ZERO,
            failure_backoff: Duration::ZERO,
        };
        let validator =
            JwtValidator::with_timing(config(&jwks.url()), RESOURCE.to_owned(), client(), timing)
                .unwrap();
        let token = sign(&RSA_A, Some("a"), &claims());
        validator.validate(&token).await.unwrap();
        assert_eq!(jwks.hits(), 1);
        validator.validate(&token).await.unwrap();
        assert_eq!(jwks.hits(), 2, "a cache older than max_age is refetched");

        // The authorization server is down: the old keys keep working.
        jwks.set_status(StatusCode::SERVICE_UNAVAILABLE);
        validator.validate(&token).await.unwrap();
        assert_eq!(jwks.hits(), 3);

        // A key removed from the JWKS stops working once the cache is refreshed.
        jwks.set_status(StatusCode::OK);
        jwks.set_keys(vec![RSA_B.jwk("b")]);
        let error = rejected(&validator, &token).await;
        assert_eq!(error.kind, TokenErrorKind::UnknownKey);
    }

    #[tokio::test]
    async fn a_fresh_cache_is_not_refetched() {
        let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
        let validator = validator(&jwks);
        let token = sign(&RSA_A, Some("a"), &claims());
        for _ in 0..3 {
            validator.validate(&token).await.unwrap();
        }
        assert_eq!(jwks.hits(), 1, "younger than max_age (an hour): cached");
    }

    #[tokio::test]
    async fn resource_metadata_names_servers_and_scopes() {
        let validator = JwtValidator::new(
            config("https://issuer.example/jwks"),
            RESOURCE.to_owned(),
            client(),
        )
        .unwrap();
        assert_eq!(
            validator.resource_metadata(),
            json!({
                "resource": RESOURCE,
                "authorization_servers": [ISSUER],
                "scopes_supported": ["mcp:read", "mcp:write"],
                "bearer_methods_supported": ["header"],
            })
        );
        let mut config = config("https://issuer.example/jwks");
        config.authorization_servers = vec!["https://a.example".into(), "https://b.example".into()];
        config.scopes.clear();
        let validator = JwtValidator::new(config, RESOURCE.to_owned(), client()).unwrap();
        let metadata = validator.resource_metadata();
        assert_eq!(
            metadata["authorization_servers"],
            json!(["https://a.example", "https://b.example"])
        );
        assert_eq!(metadata["scopes_supported"], json!([]));
        assert_eq!(validator.resource(), RESOURCE);
        assert_eq!(validator.audience(), RESOURCE);
    }

    #[test]
    fn config_defaults_and_unknown_fields() {
        let config: OAuthConfig = serde_json::from_value(json!({
            "issuer": ISSUER,
            "jwks_url": "https://issuer.example/jwks",
        }))
        .unwrap();
        assert_eq!(config.leeway_seconds, 60);
        assert!(config.authorization_servers.is_empty());
        assert!(config.scopes.is_empty());
        assert_eq!(config.audience, None);
        assert_eq!(config.requests_per_minute, None);
        let unknown = serde_json::from_value::<OAuthConfig>(json!({
            "issuer": ISSUER,
            "jwks_url": "https://issuer.example/jwks",
            "jwks_uri": "https://issuer.example/jwks",
        }));
        assert!(unknown.is_err());
    }

    #[test]
    fn unusable_configs_are_refused() {
        let build = |config: OAuthConfig, resource: &str| {
            JwtValidator::new(config, resource.to_owned(), client())
        };
        let good = config("https://issuer.example/jwks");
        assert!(build(good.clone(), RESOURCE).is_ok());
        for jwks_url in [
            "ftp://issuer.example/jwks",
            "not a url",
            "file:///etc/jwks.json",
            "",
        ] {
            let error = build(config(jwks_url), RESOURCE).unwrap_err();
            assert!(error.to_string().contains("jwks_url"), "{error}");
        }
        let mut bad = good.clone();
        bad.issuer = " ".into();
        assert!(build(bad, RESOURCE).is_err());
        let mut bad = good.clone();
        bad.leeway_seconds = u64::MAX;
        assert!(build(bad, RESOURCE).is_err());
        let mut bad = good.clone();
        bad.issuer = "urn:issuer".into();
        let error = build(bad.clone(), RESOURCE).unwrap_err();
        assert!(
            error.to_string().contains("authorization_servers"),
            "{error}"
        );
        bad.authorization_servers = vec![ISSUER.into()];
        assert!(build(bad, RESOURCE).is_ok());
        assert!(build(good, "").is_err());
    }

    #[test]
    fn validator_is_shareable_and_validation_is_send() {
        fn shareable<T: Clone + Send + Sync + 'static>() {}
        fn send<T: Send>(_: &T) {}
        shareable::<JwtValidator>();
        let validator = JwtValidator::new(
            config("https://issuer.example/jwks"),
            RESOURCE.to_owned(),
            client(),
        )
        .unwrap();
        send(&validator.validate("token"));
        assert!(format!("{validator:?}").contains("issuer.example"));
    }

    #[test]
    fn quoted_values_are_short_and_inert() {
        assert_eq!(quoted("key-1"), "key-1");
        assert_eq!(quoted("a\"b\nc"), "a?b?c");
        assert_eq!(quoted(&"k".repeat(100)), format!("{}...", "k".repeat(64)));
    }
}
