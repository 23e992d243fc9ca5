//! Which configured credentials an operation gets. One credential (`[auth]`) goes to
//! every operation that takes credentials. Credentials configured per security scheme
//! (`[credentials.<scheme>]`) go only where an operation's `security` names them, so a
//! session cookie and an API key each reach exactly the operations that ask for them.

use rest_mcp_openapi::Operation;

use crate::upstream_auth::UpstreamAuth;

/// The credentials an executor holds: one for every operation, and any number keyed by
/// the spec's security scheme names.
///
/// ```
/// use rest_mcp::Credentials;
/// use rest_mcp::upstream_auth::UpstreamAuth;
/// let credentials = Credentials::new(UpstreamAuth::none())
///     .with_scheme("ApiKeyAuth", UpstreamAuth::none());
/// assert_eq!(credentials.scheme_names().collect::<Vec<_>>(), ["ApiKeyAuth"]);
/// ```
#[derive(Clone, Debug)]
pub struct Credentials {
    default: UpstreamAuth,
    by_scheme: Vec<(String, UpstreamAuth)>,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials::new(UpstreamAuth::none())
    }
}

impl Credentials {
    /// `default` for every operation that takes credentials.
    pub fn new(default: UpstreamAuth) -> Credentials {
        Credentials {
            default,
            by_scheme: Vec::new(),
        }
    }

    /// Use `auth` for the operations whose `security` names the scheme `scheme`.
    pub fn with_scheme(mut self, scheme: impl Into<String>, auth: UpstreamAuth) -> Credentials {
        let scheme = scheme.into();
        self.by_scheme.retain(|(name, _)| *name != scheme);
        self.by_scheme.push((scheme, auth));
        self
    }

    /// The same, with `default` for every operation.
    pub fn with_default(mut self, default: UpstreamAuth) -> Credentials {
        self.default = default;
        self
    }

    /// The scheme names credentials are configured for.
    pub fn scheme_names(&self) -> impl Iterator<Item = &str> {
        self.by_scheme.iter().map(|(name, _)| name.as_str())
    }

    /// The credential for every operation.
    pub fn default_auth(&self) -> &UpstreamAuth {
        &self.default
    }

    /// The credentials `operation` gets: none for one that declares `security: []`; the
    /// scheme credentials of the first of its security alternatives that they satisfy in
    /// full; otherwise the credential for every operation.
    pub fn for_operation(&self, operation: &Operation) -> Vec<&UpstreamAuth> {
        if operation.anonymous {
            return Vec::new();
        }
        let satisfied = operation.security.iter().find_map(|requirement| {
            if requirement.schemes.is_empty() {
                return None;
            }
            requirement
                .schemes
                .iter()
                .map(|(scheme, _)| self.scheme(scheme))
                .collect::<Option<Vec<_>>>()
        });
        satisfied.unwrap_or_else(|| vec![&self.default])
    }

    /// Every credential held, for redaction.
    pub fn all(&self) -> impl Iterator<Item = &UpstreamAuth> {
        std::iter::once(&self.default).chain(self.by_scheme.iter().map(|(_, auth)| auth))
    }

    fn scheme(&self, name: &str) -> Option<&UpstreamAuth> {
        self.by_scheme
            .iter()
            .find(|(scheme, _)| scheme == name)
            .map(|(_, auth)| auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream_auth::AuthConfig;
    use rest_mcp_openapi::{ApiModel, HttpMethod, OperationBuilder, SecurityRequirement};

    fn key(value: &str) -> UpstreamAuth {
        UpstreamAuth::new(
            AuthConfig::ApikeyHeader {
                key: "x-key".into(),
                value: value.into(),
            },
            reqwest::Client::new(),
        )
        .expect("valid")
    }

    fn operation(security: &[&[&str]]) -> Operation {
        let model = ApiModel::from_code(
            "t",
            vec![OperationBuilder::new("op", HttpMethod::Get, "/x")],
        );
        let mut operation = model.operations.into_iter().next().expect("one operation");
        operation.security = security
            .iter()
            .map(|schemes| SecurityRequirement {
                schemes: schemes
                    .iter()
                    .map(|s| ((*s).to_owned(), Vec::new()))
                    .collect(),
            })
            .collect();
        operation
    }

    fn described(auths: Vec<&UpstreamAuth>) -> Vec<Vec<String>> {
        auths.into_iter().map(UpstreamAuth::secrets).collect()
    }

    #[test]
    fn each_operation_gets_the_credentials_its_security_names() {
        let credentials = Credentials::new(key("default-key-value"))
            .with_scheme("cookie", key("cookie-key-value"))
            .with_scheme("api", key("api-key-value-1"));
        let secrets =
            |security: &[&[&str]]| described(credentials.for_operation(&operation(security)));
        assert_eq!(secrets(&[&["api"]]), [["api-key-value-1"]]);
        // The first alternative that is satisfied in full wins.
        assert_eq!(secrets(&[&["oauth"], &["cookie"]]), [["cookie-key-value"]]);
        assert_eq!(
            secrets(&[&["cookie", "api"]]),
            [["cookie-key-value"], ["api-key-value-1"]]
        );
        // Nothing configured for what it names, or nothing declared: the default.
        assert_eq!(secrets(&[&["oauth"]]), [["default-key-value"]]);
        assert_eq!(secrets(&[]), [["default-key-value"]]);
        let mut public = operation(&[&["api"]]);
        public.anonymous = true;
        assert!(credentials.for_operation(&public).is_empty());
    }
}
