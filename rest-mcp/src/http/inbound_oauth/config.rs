//! `[http.oauth]`: [`OAuthConfig`] as parsed from the config file, and the bounds and URL
//! checks its values must pass.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Deserialize;

/// Largest accepted clock skew allowance.
pub(super) const MAX_LEEWAY_SECONDS: u64 = 3600;

fn default_leeway_seconds() -> u64 {
    60
}

/// `[http.oauth]` in the config file: accept JWT access tokens issued by an OAuth 2.1
/// authorization server.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthConfig {
    /// The expected `iss` claim.
    pub issuer: String,
    /// Authorization servers named in the RFC 9728 metadata; defaults to `[issuer]`.
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    /// The expected `aud` claim; defaults to the resource URL of this server.
    pub audience: Option<String>,
    /// Where the authorization server publishes its signing keys (JWKS), `http(s)://…`.
    pub jwks_url: String,
    /// Scope → role name (`viewer`, `editor`, or whatever the caller maps).
    #[serde(default)]
    pub scopes: BTreeMap<String, String>,
    /// Allowed clock skew for `exp` and `nbf`, in seconds (default 60, at most 3600).
    #[serde(default = "default_leeway_seconds")]
    pub leeway_seconds: u64,
    /// Requests per minute allowed per token subject (enforced by the HTTP layer).
    #[serde(default)]
    pub requests_per_minute: Option<u32>,
}

/// An `http(s)` URL with a host.
pub(super) fn http_url(text: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text).map_err(|error| format!("is not a URL: {error}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("must be an http:// or https:// URL".to_owned());
    }
    Ok(url)
}

/// Whether `url` names this machine (`localhost` or a loopback address).
pub(super) fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
