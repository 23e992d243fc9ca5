//! Which upstream response headers reach the model: pagination (`Link`), where a created
//! resource lives (`Location`), when to retry, rate limits, validators for conditional
//! requests, partial content and authentication challenges. `Set-Cookie` values never
//! do; only the cookie names are shown.

use reqwest::header::{HeaderMap, SET_COOKIE};

/// Header names (or `prefix*` patterns) that reach the model unless configured otherwise.
pub const DEFAULT_RESPONSE_HEADERS: [&str; 11] = [
    "link",
    "location",
    "retry-after",
    "x-ratelimit-*",
    "ratelimit*",
    "etag",
    "last-modified",
    "content-range",
    "www-authenticate",
    "set-cookie",
    "x-total-count",
];

/// The response headers a tool result carries, as names or `prefix*` patterns matched
/// case-insensitively.
///
/// ```
/// use rest_mcp::ResponseHeaders;
///
/// let headers = ResponseHeaders::new(["Link", "x-ratelimit-*"]);
/// assert!(headers.includes("X-RateLimit-Remaining"));
/// assert!(!headers.includes("server"));
/// assert!(ResponseHeaders::default().includes("etag"));
/// assert!(!ResponseHeaders::none().includes("link"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHeaders {
    patterns: Vec<String>,
}

impl Default for ResponseHeaders {
    /// [`DEFAULT_RESPONSE_HEADERS`].
    fn default() -> ResponseHeaders {
        ResponseHeaders::new(DEFAULT_RESPONSE_HEADERS)
    }
}

impl ResponseHeaders {
    /// These names or `prefix*` patterns (case does not matter).
    pub fn new(patterns: impl IntoIterator<Item = impl AsRef<str>>) -> ResponseHeaders {
        ResponseHeaders {
            patterns: patterns
                .into_iter()
                .map(|p| p.as_ref().trim().to_ascii_lowercase())
                .filter(|p| !p.is_empty())
                .collect(),
        }
    }

    /// No headers at all.
    pub const fn none() -> ResponseHeaders {
        ResponseHeaders {
            patterns: Vec::new(),
        }
    }

    /// Whether a header of this name reaches the model.
    pub fn includes(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        self.patterns
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => *pattern == name,
            })
    }

    /// The selected headers in the order the upstream sent them, one entry per name
    /// (repeated headers joined with `, `). `Set-Cookie` becomes the cookie names with a
    /// note that their values are hidden.
    pub(crate) fn select(&self, headers: &HeaderMap) -> Vec<(String, String)> {
        let mut selected: Vec<(String, String)> = Vec::new();
        for name in headers.keys() {
            if !self.includes(name.as_str()) {
                continue;
            }
            let values = headers.get_all(name).iter();
            let value = if *name == SET_COOKIE {
                let names: Vec<String> = values
                    .filter_map(|v| v.to_str().ok())
                    .filter_map(cookie_name)
                    .collect();
                if names.is_empty() {
                    continue;
                }
                format!("{} (values hidden)", names.join(", "))
            } else {
                values
                    .filter_map(|v| v.to_str().ok())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            selected.push((name.as_str().to_owned(), value));
        }
        selected
    }
}

/// The name of a `Set-Cookie` value: the text before the first `=`.
fn cookie_name(set_cookie: &str) -> Option<String> {
    let (name, _) = set_cookie.split_once('=')?;
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn cookie_values_never_appear_and_repeats_are_joined() {
        let mut map = HeaderMap::new();
        map.append(
            "set-cookie",
            HeaderValue::from_static("session=s3cr3t; Path=/; HttpOnly"),
        );
        map.append("set-cookie", HeaderValue::from_static("csrf=abc"));
        map.append("x-ratelimit-remaining", HeaderValue::from_static("41"));
        map.append("server", HeaderValue::from_static("nginx"));
        map.append("link", HeaderValue::from_static("<a>; rel=\"next\""));
        map.append("link", HeaderValue::from_static("<b>; rel=\"last\""));
        let selected = ResponseHeaders::default().select(&map);
        assert_eq!(
            selected,
            vec![
                (
                    "set-cookie".to_owned(),
                    "session, csrf (values hidden)".to_owned()
                ),
                ("x-ratelimit-remaining".to_owned(), "41".to_owned()),
                (
                    "link".to_owned(),
                    "<a>; rel=\"next\", <b>; rel=\"last\"".to_owned()
                ),
            ]
        );
        assert!(ResponseHeaders::none().select(&map).is_empty());
    }
}
