//! The RFC 9728 protected resource metadata document of a [`JwtValidator`]; the HTTP
//! router serves it at `/.well-known/oauth-protected-resource`.

use serde_json::{Value, json};

use super::jwt::JwtValidator;

impl JwtValidator {
    /// The RFC 9728 protected resource metadata document:
    /// `{"resource", "authorization_servers", "scopes_supported", "bearer_methods_supported"}`.
    pub fn resource_metadata(&self) -> Value {
        let inner = &self.inner;
        json!({
            "resource": inner.resource,
            "authorization_servers": inner.authorization_servers,
            "scopes_supported": inner.config.scopes.keys().collect::<Vec<_>>(),
            "bearer_methods_supported": ["header"],
        })
    }
}
