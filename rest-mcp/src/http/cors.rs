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

/// Whether a browser `origin` is allowed by `pattern`, with the port rules of rmcp's own
/// Origin check (RFC 6454 `(scheme, host, port)`): `https://app.example.com:443` matches
/// `https://app.example.com` (an origin without a port has its scheme's default),
/// `http://localhost:*` any port of it, and an entry without a port any port (rmcp
/// deprecates that form, but still accepts it).
fn origin_matches(pattern: &str, origin: &str) -> bool {
    if pattern == origin || pattern == "*" {
        return true;
    }
    let (Some((p_scheme, p_host, p_port)), Some((o_scheme, o_host, o_port))) =
        (split_origin(pattern), split_origin(origin))
    else {
        return false;
    };
    if p_scheme != o_scheme || p_host != o_host || p_port == Some("") {
        return false;
    }
    let effective = |port: Option<&str>| -> Option<u16> {
        match port {
            Some(port) => port.parse().ok(),
            None => match o_scheme {
                "https" => Some(443),
                "http" => Some(80),
                _ => None,
            },
        }
    };
    match p_port {
        None | Some("*") => o_port.is_none_or(|port| port.parse::<u16>().is_ok()),
        Some(port) => effective(Some(port)).is_some() && effective(Some(port)) == effective(o_port),
    }
}

/// `scheme://host[:port]` as its parts; `None` for anything with a path or no scheme.
fn split_origin(text: &str) -> Option<(&str, &str, Option<&str>)> {
    let (scheme, authority) = text.split_once("://")?;
    if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
        return None;
    }
    // An IPv6 literal keeps its colons inside brackets.
    let port_at = match authority.rfind(']') {
        Some(end) => authority[end..].find(':').map(|i| end + i),
        None => authority.rfind(':'),
    };
    Some(match port_at {
        Some(at) => (scheme, &authority[..at], Some(&authority[at + 1..])),
        None => (scheme, authority, None),
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

    #[test]
    fn an_explicit_default_port_matches_an_origin_without_one() {
        assert!(origin_matches(
            "https://app.example.com:443",
            "https://app.example.com"
        ));
        assert!(origin_matches(
            "http://app.example.com:80",
            "http://app.example.com"
        ));
        assert!(origin_matches(
            "https://app.example.com:443",
            "https://app.example.com:443"
        ));
        assert!(!origin_matches(
            "https://app.example.com:443",
            "https://app.example.com:8443"
        ));
        assert!(!origin_matches(
            "http://app.example.com:443",
            "http://app.example.com"
        ));
        // `:*` also covers the default port, which browsers leave out.
        assert!(origin_matches(
            "https://app.example.com:*",
            "https://app.example.com"
        ));
        assert!(origin_matches("http://[::1]:8080", "http://[::1]:8080"));
        assert!(!origin_matches("http://[::1]:8080", "http://[::1]:8081"));
        assert!(!origin_matches(
            "https://app.example.com:*",
            "https://app.example.com:x"
        ));
        assert!(!origin_matches(
            "https://app.example.com",
            "http://app.example.com"
        ));
    }
}
