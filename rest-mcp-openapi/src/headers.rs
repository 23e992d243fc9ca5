//! Which header parameters may become tool arguments.
//!
//! Hop-by-hop and framing headers belong to the HTTP client: an argument that set
//! `Host`, `Content-Length` or `Transfer-Encoding` could redirect or smuggle a request, so
//! they never become arguments. Credential headers (`Authorization`, `Cookie`) would let
//! the model choose credentials; they become arguments only when the caller allows it.

/// Headers OpenAPI says to ignore as parameters (they are set from other fields).
const CONTENT_HEADERS: [&str; 2] = ["accept", "content-type"];

/// Credential headers: arguments only when explicitly allowed.
const CREDENTIAL_HEADERS: [&str; 2] = ["authorization", "cookie"];

/// Hop-by-hop (RFC 9110 §7.6.1) and message-framing headers, plus `Host`.
const TRANSPORT_HEADERS: [&str; 8] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "upgrade",
];

/// Whether `name` is a hop-by-hop or framing header (`Host`, `Content-Length`,
/// `Transfer-Encoding`, `Connection`, `Keep-Alive`, `TE`, `Trailer`, `Upgrade`,
/// `Proxy-*`), which only the HTTP client may set.
pub fn is_transport_header(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    TRANSPORT_HEADERS.contains(&lower.as_str()) || lower.starts_with("proxy-")
}

/// Whether `name` carries credentials (`Authorization`, `Cookie`).
pub fn is_credential_header(name: &str) -> bool {
    CREDENTIAL_HEADERS.contains(&name.trim().to_ascii_lowercase().as_str())
}

/// Why a header parameter named `name` does not become an argument, or `None` when it
/// does. The reason names the header and says what to do instead.
pub(crate) fn refusal(name: &str, allow_credential_headers: bool) -> Option<Refusal> {
    let lower = name.trim().to_ascii_lowercase();
    if is_transport_header(&lower) {
        return Some(Refusal::Warn(format!(
            "header parameter `{name}` is not a tool argument: it is a hop-by-hop or framing header that only the HTTP client sets"
        )));
    }
    if CONTENT_HEADERS.contains(&lower.as_str()) {
        return Some(Refusal::Info(format!(
            "header parameter `{name}` is ignored, as OpenAPI specifies; set it with configured headers or auth"
        )));
    }
    if is_credential_header(&lower) && !allow_credential_headers {
        return Some(Refusal::Info(format!(
            "header parameter `{name}` is ignored: a credential header becomes a tool argument only with allow_credential_headers; set it with configured headers or auth"
        )));
    }
    None
}

/// A refused header parameter and how loudly to say so.
pub(crate) enum Refusal {
    /// Expected (OpenAPI's own rule, or a safe default).
    Info(String),
    /// Worth the spec author's attention.
    Warn(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_and_credential_headers_are_recognised() {
        for name in [
            "Host",
            "content-length",
            "Transfer-Encoding",
            "Proxy-Authorization",
            " TE ",
        ] {
            assert!(is_transport_header(name), "{name}");
        }
        assert!(!is_transport_header("X-Trace"));
        assert!(is_credential_header("Cookie"));
        assert!(refusal("X-Trace", false).is_none());
        assert!(refusal("Cookie", true).is_none());
        assert!(
            matches!(refusal("Cookie", false), Some(Refusal::Info(m)) if m.contains("`Cookie`"))
        );
        assert!(matches!(refusal("Host", true), Some(Refusal::Warn(m)) if m.contains("`Host`")));
    }
}
