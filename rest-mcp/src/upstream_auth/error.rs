//! [`AuthError`]: why credentials could not be set up or applied.

use std::fmt;

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
    /// An error with `message`, which must hold no secret.
    pub(super) fn new(message: impl Into<String>) -> Self {
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
