//! [`UpstreamAuth`]: static credentials (a bearer token, an API key in a header, query
//! parameter or cookie, HTTP Basic) checked and pre-encoded once and then set on every
//! request; OAuth2 client credentials are handed to [`OAuthClient`](super::oauth::OAuthClient).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use super::config::AuthConfig;
use super::error::AuthError;
use super::oauth::{OAuthClient, OAuthSettings, TOKEN_TIMEOUT};
use super::values::{check_no_line_break, check_secret, form_encoded, printable, sensitive_header};
use crate::request::PreparedRequest;

/// Bytes that may not appear verbatim in a cookie value (RFC 6265 `cookie-octet`
/// excludes controls, space, `"`, `,`, `;` and `\`; non-ASCII is always encoded).
const COOKIE_VALUE: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b',').add(b';').add(b'\\');

/// Credentials applied to every upstream request.
///
/// Cheap to clone (one `Arc`); clones share the OAuth2 token cache.
#[derive(Clone)]
pub struct UpstreamAuth {
    pub(super) inner: Arc<Inner>,
}

/// What an [`UpstreamAuth`] shares between its clones.
pub(super) struct Inner {
    pub(super) kind: Kind,
    description: String,
    /// Secrets known at construction (and derived encodings of them).
    secrets: Vec<String>,
}

/// The credentials, ready to be set on a request.
pub(super) enum Kind {
    None,
    Header {
        name: HeaderName,
        value: HeaderValue,
    },
    Query {
        name: String,
        value: String,
    },
    Cookie {
        name: String,
        value: String,
    },
    OAuth(Box<OAuthClient>),
}

impl fmt::Debug for UpstreamAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UpstreamAuth")
            .field(&self.inner.description)
            .finish()
    }
}

impl UpstreamAuth {
    /// No authentication: [`apply`](Self::apply) leaves requests unchanged.
    pub fn none() -> Self {
        UpstreamAuth {
            inner: Arc::new(Inner {
                kind: Kind::None,
                description: "none".to_owned(),
                secrets: Vec::new(),
            }),
        }
    }

    /// Validate `config` and prepare it for use; `client` is used for OAuth2 token
    /// requests only.
    ///
    /// Rejects header and cookie names that are not valid tokens, values containing a line
    /// break (usually a trailing newline from the environment), empty tokens, key values
    /// and client credentials, values that cannot be sent in an HTTP header, a `:` in a
    /// Basic user name, and token URLs that are not `http(s)` or carry credentials.
    pub fn new(config: AuthConfig, client: reqwest::Client) -> Result<Self, AuthError> {
        Self::with_token_timeout(config, client, TOKEN_TIMEOUT)
    }

    pub(super) fn with_token_timeout(
        config: AuthConfig,
        client: reqwest::Client,
        token_timeout: Duration,
    ) -> Result<Self, AuthError> {
        let (kind, description, secrets) = match config {
            AuthConfig::Bearer { token } => {
                check_secret("auth.token", &token, false)?;
                let value = sensitive_header(&format!("Bearer {token}"), "auth.token")?;
                let kind = Kind::Header {
                    name: AUTHORIZATION,
                    value,
                };
                (kind, "bearer token".to_owned(), vec![token])
            }
            AuthConfig::ApikeyHeader { key, value } => {
                let name = HeaderName::from_bytes(key.trim().as_bytes()).map_err(|_| {
                    AuthError::new(format!(
                        "auth.key `{}` is not a valid HTTP header name",
                        printable(&key)
                    ))
                })?;
                check_secret("auth.value", &value, false)?;
                let header = sensitive_header(&value, "auth.value")?;
                let description = format!("api key in header {name}");
                let kind = Kind::Header {
                    name,
                    value: header,
                };
                (kind, description, vec![value])
            }
            AuthConfig::ApikeyQuery { key, value } => {
                if key.is_empty() {
                    return Err(AuthError::new(
                        "auth.key (the query parameter name) is empty",
                    ));
                }
                check_no_line_break("auth.key", &key)?;
                check_secret("auth.value", &value, false)?;
                let description = format!("api key in query parameter {}", printable(&key));
                let mut secrets = vec![value.clone()];
                secrets.push(form_encoded(&value));
                (Kind::Query { name: key, value }, description, secrets)
            }
            AuthConfig::ApikeyCookie { key, value } => {
                if !is_token(&key) {
                    return Err(AuthError::new(format!(
                        "auth.key `{}` is not a valid cookie name",
                        printable(&key)
                    )));
                }
                check_secret("auth.value", &value, false)?;
                let encoded = utf8_percent_encode(&value, COOKIE_VALUE).to_string();
                let description = format!("api key in cookie {key}");
                let secrets = vec![value, encoded.clone()];
                let kind = Kind::Cookie {
                    name: key,
                    value: encoded,
                };
                (kind, description, secrets)
            }
            AuthConfig::Basic { username, password } => {
                check_no_line_break("auth.username", &username)?;
                if username.contains(':') {
                    return Err(AuthError::new(
                        "auth.username contains `:`, which HTTP Basic authentication cannot carry",
                    ));
                }
                check_secret("auth.password", &password, true)?;
                let credentials = BASE64.encode(format!("{username}:{password}"));
                let value = sensitive_header(&format!("Basic {credentials}"), "auth.username")?;
                let description = format!("basic (username={})", printable(&username));
                let kind = Kind::Header {
                    name: AUTHORIZATION,
                    value,
                };
                (kind, description, vec![password, credentials])
            }
            AuthConfig::Oauth2Cc {
                token_url,
                client_id,
                client_secret,
                scopes,
                audience,
                client_auth,
            } => {
                let oauth = OAuthClient::new(
                    OAuthSettings {
                        token_url,
                        client_id,
                        client_secret,
                        scopes,
                        audience,
                        client_auth,
                    },
                    client,
                    token_timeout,
                )?;
                let description = oauth.describe();
                let secrets = oauth.static_secrets();
                (Kind::OAuth(Box::new(oauth)), description, secrets)
            }
        };
        let mut unique: Vec<String> = Vec::with_capacity(secrets.len());
        for secret in secrets {
            if !secret.is_empty() && !unique.contains(&secret) {
                unique.push(secret);
            }
        }
        Ok(UpstreamAuth {
            inner: Arc::new(Inner {
                kind,
                description,
                secrets: unique,
            }),
        })
    }

    /// Add the credentials to `request`: the `Authorization` or API-key header (replacing
    /// any header of that name), the query parameter (appended), or the cookie (replacing
    /// a cookie of the same name). For OAuth2 this fetches or refreshes the access token
    /// when needed; concurrent callers share one fetch.
    pub async fn apply(&self, request: &mut PreparedRequest) -> Result<(), AuthError> {
        match &self.inner.kind {
            Kind::None => {}
            Kind::Header { name, value } => request.set_header(name.clone(), value.clone()),
            Kind::Query { name, value } => request.append_query(name, value),
            Kind::Cookie { name, value } => {
                request.cookies.retain(|(existing, _)| existing != name);
                request.cookies.push((name.clone(), value.clone()));
            }
            Kind::OAuth(oauth) => {
                let header = oauth.access_header().await?;
                request.set_header(AUTHORIZATION, header);
            }
        }
        Ok(())
    }

    /// Called after the upstream answered 401: forget a cached OAuth token. Returns true
    /// when a retry may succeed (OAuth2 only).
    pub fn invalidate(&self) -> bool {
        match &self.inner.kind {
            Kind::OAuth(oauth) => {
                oauth.forget_token();
                true
            }
            _ => false,
        }
    }

    /// One-line description for logs, never containing a secret (e.g. "oauth2 client
    /// credentials (client_id=abc, token_url=https://…)").
    pub fn describe(&self) -> String {
        self.inner.description.clone()
    }

    /// The secret strings this auth uses (tokens, passwords, key values, client secret,
    /// the current access token, and the encoded forms in which they appear on the wire),
    /// so the logging layer can redact them. Never contains an empty string.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets = self.inner.secrets.clone();
        if let Kind::OAuth(oauth) = &self.inner.kind
            && let Some(token) = oauth.access_token()
            && !secrets.contains(&token)
        {
            secrets.push(token);
        }
        secrets
    }
}

/// An HTTP token (RFC 9110 `tchar`+), as a cookie name must be.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}
