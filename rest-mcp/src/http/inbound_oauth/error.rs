//! Why a token was rejected: [`TokenError`] and its [`TokenErrorKind`], and the helpers
//! that keep their messages free of anything a token could inject.

use std::fmt;

/// Longest a key in characters quoted in an error message (`kid`, `alg`).
const MAX_QUOTED_CHARS: usize = 64;

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
    pub(super) fn new(kind: TokenErrorKind, message: impl Into<String>) -> Self {
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

/// A [`TokenErrorKind::Malformed`] error.
pub(super) fn malformed(message: impl Into<String>) -> TokenError {
    TokenError::new(TokenErrorKind::Malformed, message)
}

/// A [`TokenErrorKind::JwksUnavailable`] error, with why the JWKS could not be had.
pub(super) fn unavailable(error: Option<&str>) -> TokenError {
    TokenError::new(
        TokenErrorKind::JwksUnavailable,
        match error {
            Some(error) => format!("cannot check the token: {error}"),
            None => "cannot check the token: the JWKS is unavailable".to_owned(),
        },
    )
}

/// A value taken from a token, made safe to quote in a message: short, and limited to
/// characters that need no escaping.
pub(super) fn quoted(value: &str) -> String {
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
