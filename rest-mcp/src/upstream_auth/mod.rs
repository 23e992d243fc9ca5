//! Upstream authentication: the `[auth]` config section and how it is applied to every
//! outbound request.
//!
//! Static credentials (bearer token, API key in a header, query parameter or cookie,
//! HTTP Basic) are validated and pre-encoded once in [`UpstreamAuth::new`]; applying them
//! is then a cheap clone. OAuth2 client credentials fetch an access token from the token
//! endpoint on first use, cache it, refresh it shortly before it expires, and share one
//! fetch between all requests that need a token at the same time.
//!
//! Nothing in this module ever puts a secret into a `Debug` or `Display` string or a log
//! line; [`UpstreamAuth::secrets`] lists the strings the logging layer must redact.
//!
//! `config` holds the `[auth]` types, `static_credentials` the [`UpstreamAuth`] that
//! applies them, `oauth` the client-credentials token cache, `values` the checks and
//! encodings both kinds share, and `error` the [`AuthError`] they report.

mod config;
mod error;
mod oauth;
mod static_credentials;
mod values;

pub use config::{AuthConfig, ClientAuth};
pub use error::AuthError;
pub use static_credentials::UpstreamAuth;

#[cfg(test)]
mod tests;
