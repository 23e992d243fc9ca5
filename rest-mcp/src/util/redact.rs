//! Keeping secrets out of text that leaves the process: URLs shown in logs and messages,
//! and configured credentials in any text at all.

use reqwest::Url;

/// What replaces a secret in text.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// A URL fit for logs and messages: any password in it is replaced by `***`.
pub(crate) fn redacted_url(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

/// A URL for messages about a credential endpoint: no credentials, query or fragment.
pub(crate) fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    // Cannot fail for http(s) URLs; a failure only leaves the field as it was.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// A configured URL for `Debug`, whether or not it parses.
pub(crate) fn display_url_text(text: &str) -> String {
    match Url::parse(text.trim()) {
        Ok(url) => display_url(&url),
        Err(_) => "[unparsable URL]".to_owned(),
    }
}

/// Every occurrence of each secret in `text` replaced by [`REDACTED`]. Secrets shorter
/// than `min_len` are left alone: they would match unrelated text.
pub(crate) fn redact_secrets<'a>(
    text: &str,
    secrets: impl IntoIterator<Item = &'a str>,
    min_len: usize,
) -> String {
    let mut text = text.to_owned();
    for secret in secrets {
        if secret.len() >= min_len.max(1) && text.contains(secret) {
            text = text.replace(secret, REDACTED);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_replaced_and_short_ones_kept() {
        let text = redact_secrets("token=abcdef id=ab", ["abcdef", "ab"], 3);
        assert_eq!(text, "token=[REDACTED] id=ab");
    }

    #[test]
    fn passwords_are_masked() {
        let url = Url::parse("https://me:hunter2@api.example.com/v1").expect("valid URL");
        assert_eq!(redacted_url(&url), "https://me:***@api.example.com/v1");
    }

    #[test]
    fn display_urls_drop_credentials_and_query() {
        let url = Url::parse("https://u:p@auth.example.com/token?secret=x#f").expect("valid URL");
        assert_eq!(display_url(&url), "https://auth.example.com/token");
        assert_eq!(display_url_text("not a url"), "[unparsable URL]");
    }
}
