//! [`JwtValidator`]: a bearer token's JOSE header, signature (RS256 or ES256 against the
//! [`Jwks`]) and claims (`iss`, `aud`, `exp`, `nbf`, scopes) checked into a
//! [`VerifiedToken`].

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind as JwtErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::config::{MAX_LEEWAY_SECONDS, OAuthConfig, http_url, is_loopback};
use super::error::{TokenError, TokenErrorKind, malformed, quoted};
use super::jwks::{Jwks, Timing};
use crate::error::ConfigError;

/// Largest token accepted, in bytes; anything longer is rejected before decoding.
pub(super) const MAX_TOKEN_BYTES: usize = 32 * 1024;

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

/// Validates JWT access tokens against a JWKS, caching the keys. Cheap to clone; clones
/// share the cache.
#[derive(Clone)]
pub struct JwtValidator {
    pub(super) inner: Arc<Inner>,
}

/// What a [`JwtValidator`] shares between its clones.
pub(super) struct Inner {
    pub(super) config: OAuthConfig,
    pub(super) resource: String,
    audience: String,
    pub(super) authorization_servers: Vec<String>,
    rs256: Validation,
    es256: Validation,
    jwks: Jwks,
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
            .field("jwks_url", &self.inner.jwks.url().as_str())
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

    pub(super) fn with_timing(
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
                rs256,
                es256,
                jwks: Jwks::new(jwks_url, client, timing),
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
        let (seen, mut keys) = inner.jwks.current_keys().await?;
        if keys
            .candidates(header.alg, header.kid.as_deref())?
            .is_empty()
            && let Some((_, fresh)) = inner.jwks.refetch_for_unknown_key(seen).await?
        {
            keys = fresh;
        }
        let candidates = keys.candidates(header.alg, header.kid.as_deref())?;
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
}

impl Inner {
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
