//! OAuth 2.1 resource server: JWT access tokens checked against the authorization server's
//! JWKS, and the RFC 9728 protected resource metadata document.
//!
//! Only RS256 and ES256 signatures are accepted; `none`, HMAC and every other algorithm are
//! rejected before any key is looked up. The JWKS is fetched lazily on the first token,
//! cached by `kid` for at most an hour, and refetched when a token names a `kid` the cache
//! does not know (at most once per 10 seconds; concurrent refetches collapse into one).
//! When a refresh of an expired cache fails, the previous keys stay in use until a refresh
//! succeeds, so a short outage of the authorization server does not lock every client out.
//!
//! `config` holds [`OAuthConfig`], `jwks` the key fetching and cache, `jwt` the
//! [`JwtValidator`] that checks a token's header, signature and claims, `metadata` the
//! RFC 9728 document, and `error` the [`TokenError`] a rejected token gets.

mod config;
mod error;
mod jwks;
mod jwt;
mod metadata;

pub use config::OAuthConfig;
pub use error::{TokenError, TokenErrorKind};
pub use jwt::{JwtValidator, VerifiedToken};

#[cfg(test)]
mod tests;
