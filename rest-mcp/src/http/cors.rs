//! Browser access: CORS for the configured origins.

use axum::http::{HeaderName, header};

/// Browser access for the configured origins: answers CORS preflights (before any
/// credential is asked for) and exposes the session header to scripts.
pub(super) fn cors(origins: &[String]) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let patterns: Vec<String> = origins
        .iter()
        .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            let origin = origin.to_str().unwrap_or("").to_ascii_lowercase();
            patterns
                .iter()
                .any(|pattern| origin_matches(pattern, &origin))
        }))
        .allow_methods([
            axum::http::Method::GET,
            axum::http::Method::POST,
            axum::http::Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static("mcp-session-id"),
            HeaderName::from_static("mcp-protocol-version"),
            HeaderName::from_static("last-event-id"),
            HeaderName::from_static("x-api-key"),
        ])
        .expose_headers([
            HeaderName::from_static("mcp-session-id"),
            header::WWW_AUTHENTICATE,
        ])
}

/// `https://app.example.com` matches itself; `http://localhost:*` any port of it; an entry
/// without a port matches any port (as rmcp's Origin check does).
fn origin_matches(pattern: &str, origin: &str) -> bool {
    if pattern == origin || pattern == "*" {
        return true;
    }
    let stem = pattern.strip_suffix(":*").unwrap_or(pattern);
    let has_port = stem
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.chars().all(|c| c.is_ascii_digit()));
    (pattern.ends_with(":*") || !has_port)
        && origin.strip_prefix(stem).is_some_and(|rest| {
            rest.strip_prefix(':')
                .is_some_and(|port| !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()))
        })
}

#[cfg(test)]
mod tests {
    use super::origin_matches;

    #[test]
    fn origin_patterns() {
        assert!(origin_matches(
            "https://app.example.com",
            "https://app.example.com"
        ));
        assert!(origin_matches(
            "http://localhost:*",
            "http://localhost:5173"
        ));
        assert!(!origin_matches(
            "http://localhost:*",
            "http://localhost.evil.example:80"
        ));
        assert!(origin_matches(
            "http://localhost:3000",
            "http://localhost:3000"
        ));
        assert!(!origin_matches(
            "http://localhost:3000",
            "http://localhost:3001"
        ));
        assert!(!origin_matches(
            "https://app.example.com",
            "https://evil.example"
        ));
        assert!(!origin_matches(
            "https://app.example.com",
            "https://app.example.com.evil.example"
        ));
    }
}
