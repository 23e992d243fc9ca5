//! Checks and encodings of credential values, shared by static and OAuth2 credentials.
//! Every check names the setting it rejects and never quotes a secret.

use reqwest::Url;
use reqwest::header::HeaderValue;

use super::error::AuthError;

/// `value` as `Url::query_pairs_mut().append_pair` writes it.
pub(super) fn form_encoded(value: &str) -> String {
    let Ok(mut url) = Url::parse("http://localhost/") else {
        return value.to_owned();
    };
    url.query_pairs_mut().append_pair("v", value);
    url.query()
        .and_then(|query| query.strip_prefix("v="))
        .unwrap_or(value)
        .to_owned()
}

/// A sensitive header value, or an error naming `field`.
pub(super) fn sensitive_header(text: &str, field: &str) -> Result<HeaderValue, AuthError> {
    let mut value = HeaderValue::from_str(text).map_err(|_| {
        AuthError::new(format!(
            "{field} contains control characters, which cannot be sent in an HTTP header"
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// An error naming `field` when `value` holds a line break.
pub(super) fn check_no_line_break(field: &str, value: &str) -> Result<(), AuthError> {
    if value.contains(['\r', '\n']) {
        return Err(AuthError::new(format!(
            "{field} contains a line break (check the variable it comes from for a trailing newline)"
        )));
    }
    Ok(())
}

/// An error naming `field` when the secret `value` is empty (unless `allow_empty`) or
/// holds a line break.
pub(super) fn check_secret(field: &str, value: &str, allow_empty: bool) -> Result<(), AuthError> {
    if !allow_empty && value.is_empty() {
        return Err(AuthError::new(format!(
            "{field} is empty (is the environment variable it comes from set?)"
        )));
    }
    check_no_line_break(field, value)
}

/// `text` with control characters replaced, for one-line messages.
pub(super) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
