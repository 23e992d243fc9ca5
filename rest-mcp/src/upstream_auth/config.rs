//! The `[auth]` config section: [`AuthConfig`] and [`ClientAuth`] as they are parsed from
//! the config file, and a `Debug` that never shows a secret.

use std::fmt;

use serde::Deserialize;

use crate::util::redact::display_url_text;

/// `[auth]` in the config file (values arrive with `${VAR}` already interpolated by the
/// config layer).
///
/// `Debug` is implemented by hand and never shows a token, key value, password or client
/// secret.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthConfig {
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// The bearer token.
        token: String,
    },
    /// An API key sent in a request header.
    ApikeyHeader {
        /// The header name, e.g. `X-API-Key`.
        key: String,
        /// The header value (the API key).
        value: String,
    },
    /// An API key sent as a query parameter.
    ApikeyQuery {
        /// The query parameter name, e.g. `api_key`.
        key: String,
        /// The parameter value (the API key).
        value: String,
    },
    /// An API key sent as a cookie.
    ApikeyCookie {
        /// The cookie name.
        key: String,
        /// The cookie value (the API key); percent-encoded when it holds characters a
        /// cookie value may not contain.
        value: String,
    },
    /// HTTP Basic authentication (`Authorization: Basic base64(username:password)`).
    Basic {
        /// The user name (may not contain `:`).
        username: String,
        /// The password.
        password: String,
    },
    /// OAuth2 client-credentials grant with a cached, automatically refreshed token.
    Oauth2Cc {
        /// The token endpoint (`http` or `https`).
        token_url: String,
        /// The client identifier.
        client_id: String,
        /// The client secret.
        client_secret: String,
        /// Scopes requested (sent space-joined as `scope`); none when empty.
        #[serde(default)]
        scopes: Vec<String>,
        /// The `audience` parameter some providers (Auth0 and others) require.
        #[serde(default)]
        audience: Option<String>,
        /// How the client authenticates to the token endpoint.
        #[serde(default)]
        client_auth: ClientAuth,
    },
}

/// How an OAuth2 client authenticates to the token endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// HTTP Basic with the form-encoded client id and secret (RFC 6749
    /// `client_secret_basic`); the default.
    #[default]
    #[serde(alias = "client_secret_basic")]
    Basic,
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    #[serde(alias = "client_secret_post")]
    Body,
}

impl ClientAuth {
    /// The setting's name, as descriptions show it.
    pub(super) fn name(self) -> &'static str {
        match self {
            ClientAuth::Basic => "basic",
            ClientAuth::Body => "body",
        }
    }
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const REDACTED: &str = "[REDACTED]";
        match self {
            AuthConfig::Bearer { .. } => {
                f.debug_struct("Bearer").field("token", &REDACTED).finish()
            }
            AuthConfig::ApikeyHeader { key, .. } => f
                .debug_struct("ApikeyHeader")
                .field("key", key)
                .field("value", &REDACTED)
                .finish(),
            AuthConfig::ApikeyQuery { key, .. } => f
                .debug_struct("ApikeyQuery")
                .field("key", key)
                .field("value", &REDACTED)
                .finish(),
            AuthConfig::ApikeyCookie { key, .. } => f
                .debug_struct("ApikeyCookie")
                .field("key", key)
                .field("value", &REDACTED)
                .finish(),
            AuthConfig::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &REDACTED)
                .finish(),
            AuthConfig::Oauth2Cc {
                token_url,
                client_id,
                scopes,
                audience,
                client_auth,
                ..
            } => f
                .debug_struct("Oauth2Cc")
                .field("token_url", &display_url_text(token_url))
                .field("client_id", client_id)
                .field("client_secret", &REDACTED)
                .field("scopes", scopes)
                .field("audience", audience)
                .field("client_auth", client_auth)
                .finish(),
        }
    }
}
