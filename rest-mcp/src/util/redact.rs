//! Keeping secrets out of text that leaves the process: URLs shown in logs and messages,
//! and credentials in tool results and messages.
//!
//! Credentials out of tool results. An upstream that echoes the request it got (a debug
//! endpoint, an error body quoting the `Authorization` header, a reflected query string)
//! must not hand the model the credentials rest-mcp sent on its behalf.
//!
//! Each secret is removed in every form it is likely to come back in: as sent, percent-
//! and form-encoded, base64, and JSON-escaped. Secrets shorter than [`MIN_SECRET_LEN`]
//! are left alone: they would match unrelated data and corrupt results.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;
use rmcp::model::{CallToolResult, ContentBlock, MetaObject};
use serde_json::Value;

/// What a secret is replaced with.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// Shorter secrets are not redacted from results (they would match unrelated text).
pub(crate) const MIN_SECRET_LEN: usize = 8;

/// Everything except `A-Z a-z 0-9 - . _ ~` (RFC 3986 unreserved).
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The strings to remove from a result: every form of every secret, longest first.
#[derive(Debug, Default)]
pub(crate) struct Redactor {
    needles: Vec<String>,
}

impl Redactor {
    /// A redactor for `secrets`; those shorter than [`MIN_SECRET_LEN`] are skipped.
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Redactor {
        Redactor::with_min_len(secrets, MIN_SECRET_LEN)
    }

    /// A redactor for `secrets` of at least `min_len` bytes (and at least one).
    pub(crate) fn with_min_len<'a>(
        secrets: impl IntoIterator<Item = &'a str>,
        min_len: usize,
    ) -> Redactor {
        let min_len = min_len.max(1);
        let mut needles: Vec<String> = Vec::new();
        for secret in secrets {
            if secret.len() < min_len {
                continue;
            }
            for form in forms(secret) {
                if form.len() >= min_len && !needles.contains(&form) {
                    needles.push(form);
                }
            }
        }
        // Longest first, so a secret that contains another is removed whole.
        needles.sort_by_key(|needle| std::cmp::Reverse(needle.len()));
        Redactor { needles }
    }

    /// `text` without any secret; `None` when there was none in it.
    pub(crate) fn text(&self, text: &str) -> Option<String> {
        let mut redacted: Option<String> = None;
        for needle in &self.needles {
            let current = redacted.as_deref().unwrap_or(text);
            if current.contains(needle.as_str()) {
                redacted = Some(current.replace(needle.as_str(), REDACTED));
            }
        }
        redacted
    }

    /// Removes every secret from the strings (keys and values) of `value`.
    pub(crate) fn value(&self, value: &mut Value) {
        match value {
            Value::String(text) => {
                if let Some(clean) = self.text(text) {
                    *text = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.value(item)),
            Value::Object(map) => {
                if map.keys().any(|key| self.text(key).is_some()) {
                    let entries = std::mem::take(map);
                    for (key, item) in entries {
                        map.insert(self.text(&key).unwrap_or(key), item);
                    }
                }
                map.values_mut().for_each(|item| self.value(item));
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// Removes every secret from a tool result: its text blocks, `structuredContent` and
    /// `_meta` (image and other binary blocks are left as they are).
    pub(crate) fn result(&self, result: &mut CallToolResult) {
        if self.needles.is_empty() {
            return;
        }
        for block in &mut result.content {
            if let ContentBlock::Text(text) = block
                && let Some(clean) = self.text(&text.text)
            {
                text.text = clean;
            }
        }
        if let Some(structured) = &mut result.structured_content {
            self.value(structured);
        }
        if let Some(MetaObject(meta)) = &mut result.meta {
            meta.values_mut().for_each(|item| self.value(item));
        }
    }
}

/// The forms a secret may be echoed in.
fn forms(secret: &str) -> Vec<String> {
    let percent = utf8_percent_encode(secret, ENCODED).to_string();
    let form = percent.replace("%20", "+");
    let json = serde_json::to_string(secret)
        .ok()
        .and_then(|quoted| {
            quoted
                .strip_prefix('"')
                .and_then(|q| q.strip_suffix('"'))
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let bytes = secret.as_bytes();
    vec![
        secret.to_owned(),
        percent.to_ascii_lowercase(),
        percent,
        form,
        json,
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
    ]
}

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

/// Every occurrence of each secret in `text` (in every form [`Redactor`] knows) replaced
/// by [`REDACTED`]. Secrets shorter than `min_len` are left alone.
pub(crate) fn redact_secrets<'a>(
    text: &str,
    secrets: impl IntoIterator<Item = &'a str>,
    min_len: usize,
) -> String {
    Redactor::with_min_len(secrets, min_len)
        .text(text)
        .unwrap_or_else(|| text.to_owned())
}

/// Whether a header carries credentials (never logged, removed from results).
pub(crate) fn is_sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "authorization"
        || name == "proxy-authorization"
        || name == "cookie"
        || name.contains("api-key")
        || name.contains("apikey")
        || name.contains("token")
        || name.contains("secret")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SECRET: &str = "s3cr3t value/+=&\"x";

    #[test]
    fn every_form_is_removed() {
        let redactor = Redactor::new([SECRET]);
        for form in forms(SECRET) {
            let text = format!("echo: <{form}> end");
            assert_eq!(
                redactor.text(&text).as_deref(),
                Some("echo: <[REDACTED]> end"),
                "{form}"
            );
        }
    }

    #[test]
    fn short_secrets_and_clean_text_are_left_alone() {
        let redactor = Redactor::new(["short", ""]);
        assert_eq!(redactor.text("a short text"), None);
        let redactor = Redactor::new([SECRET]);
        assert_eq!(redactor.text("nothing to see"), None);
    }

    #[test]
    fn results_are_cleaned_everywhere_but_binary_blocks() {
        let redactor = Redactor::new(["token-1234567"]);
        let mut result = CallToolResult::success(vec![
            ContentBlock::text("Authorization: Bearer token-1234567"),
            ContentBlock::image("dG9rZW4tMTIzNDU2Nw==", "image/png"),
        ]);
        result.structured_content = Some(json!({
            "headers": {"authorization": "Bearer token-1234567"},
            "list": ["token-1234567", 7, null],
            "token-1234567": true
        }));
        redactor.result(&mut result);
        assert_eq!(
            result.content[0].as_text().map(|t| t.text.as_str()),
            Some("Authorization: Bearer [REDACTED]")
        );
        assert!(result.content[1].as_image().is_some());
        assert_eq!(
            result.structured_content,
            Some(json!({
                "headers": {"authorization": "Bearer [REDACTED]"},
                "list": ["[REDACTED]", 7, null],
                "[REDACTED]": true
            }))
        );
    }

    #[test]
    fn a_secret_inside_another_is_removed_whole() {
        let redactor = Redactor::new(["abcdefgh", "abcdefgh-ijkl"]);
        assert_eq!(
            redactor.text("x abcdefgh-ijkl y").as_deref(),
            Some("x [REDACTED] y")
        );
    }

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
