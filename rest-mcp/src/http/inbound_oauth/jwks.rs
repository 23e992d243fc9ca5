//! The authorization server's signing keys: [`Jwks`] fetches the JWKS lazily, caches it
//! for at most `Timing::max_age`, refetches it when a token names an unknown `kid` (at
//! most once per `Timing::refetch_interval`; concurrent refetches collapse into one), and
//! keeps the previous keys when a refresh fails.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use super::error::{TokenError, TokenErrorKind, quoted, unavailable};
use crate::util::bounded_body::{ReadError, read_at_most};
use crate::util::error_chain::reqwest_chain;

/// Largest JWKS document accepted, in bytes.
pub(super) const MAX_JWKS_BYTES: usize = 256 * 1024;
/// Longest a JWKS download may take.
const JWKS_TIMEOUT: Duration = Duration::from_secs(10);

/// The JWKS of one authorization server and its cache.
pub(super) struct Jwks {
    url: reqwest::Url,
    client: reqwest::Client,
    timing: Timing,
    /// The last JWKS fetched successfully.
    keys: Mutex<Option<Arc<KeySet>>>,
    /// Completed fetch attempts; bumped after `keys` is updated, so a reader that loads it
    /// before reading `keys` can tell whether a fetch finished since.
    attempts: AtomicU64,
    /// Held for the whole of a fetch: concurrent fetches wait here and reuse its outcome.
    fetch: tokio::sync::Mutex<FetchState>,
}

/// How long keys are trusted and how often they may be refetched.
#[derive(Clone, Copy, Debug)]
pub(super) struct Timing {
    /// Refetch the JWKS when the cached copy is older than this.
    pub(super) max_age: Duration,
    /// At most one unknown-`kid` refetch (and one refresh of an expired cache) per interval.
    pub(super) refetch_interval: Duration,
    /// With no keys at all, wait this long after a failed fetch before trying again.
    pub(super) failure_backoff: Duration,
}

impl Timing {
    /// An hour of trust, a refetch at most every 10 s, 1 s between failed first fetches.
    pub(super) const DEFAULT: Timing = Timing {
        max_age: Duration::from_secs(60 * 60),
        refetch_interval: Duration::from_secs(10),
        failure_backoff: Duration::from_secs(1),
    };
}

/// When the last fetches happened and how the last one went.
#[derive(Debug, Default)]
struct FetchState {
    last_attempt: Option<Instant>,
    last_refetch: Option<Instant>,
    /// Why the last attempt failed; `None` when it succeeded.
    last_error: Option<String>,
}

/// The signing keys of one successful fetch.
pub(super) struct KeySet {
    keys: Vec<CachedKey>,
    fetched_at: Instant,
}

/// One RS256 or ES256 public key.
pub(super) struct CachedKey {
    kid: Option<String>,
    alg: Algorithm,
    pub(super) key: DecodingKey,
}

impl Jwks {
    /// An empty cache of the keys at `url`, fetched with `client` when first needed.
    pub(super) fn new(url: reqwest::Url, client: reqwest::Client, timing: Timing) -> Self {
        Self {
            url,
            client,
            timing,
            keys: Mutex::new(None),
            attempts: AtomicU64::new(0),
            fetch: tokio::sync::Mutex::new(FetchState::default()),
        }
    }

    /// Where the keys are fetched from.
    pub(super) fn url(&self) -> &reqwest::Url {
        &self.url
    }

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
    pub(super) async fn current_keys(&self) -> Result<(u64, Arc<KeySet>), TokenError> {
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
    pub(super) async fn refetch_for_unknown_key(
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
                tracing::debug!(jwks_url = %self.url, keys = set.keys.len(), "fetched the JWKS");
                Ok((attempts, set))
            }
            Err(error) => {
                tracing::warn!(jwks_url = %self.url, %error, "cannot fetch the JWKS");
                state.last_error = Some(error.clone());
                self.attempts.fetch_add(1, Ordering::SeqCst);
                Err(error)
            }
        }
    }

    /// GET the JWKS: 2xx only, at most `MAX_JWKS_BYTES`, within `JWKS_TIMEOUT`.
    async fn download(&self) -> Result<Vec<u8>, String> {
        let url = &self.url;
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
}

impl KeySet {
    /// Keys that may have signed a token with algorithm `alg` and key id `kid`: those with
    /// its `kid` (when it names one) and its algorithm. A `kid` whose keys are all of another
    /// type is an error.
    pub(super) fn candidates(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
    ) -> Result<Vec<&CachedKey>, TokenError> {
        let Some(kid) = kid else {
            return Ok(self.keys.iter().filter(|k| k.alg == alg).collect());
        };
        let named: Vec<&CachedKey> = self
            .keys
            .iter()
            .filter(|k| k.kid.as_deref() == Some(kid))
            .collect();
        if named.is_empty() {
            return Ok(named);
        }
        let usable: Vec<&CachedKey> = named.into_iter().filter(|k| k.alg == alg).collect();
        if usable.is_empty() {
            return Err(TokenError::new(
                TokenErrorKind::BadSignature,
                format!(
                    "the token's algorithm {:?} does not match key \"{}\"",
                    alg,
                    quoted(kid)
                ),
            ));
        }
        Ok(usable)
    }
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

/// Base64url with or without padding.
fn base64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}
