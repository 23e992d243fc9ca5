//! Inbound API keys: `[[http.keys]]` with roles or tool lists, checked in constant time,
//! and the grant that a verified token's roles carry.

use crate::error::ConfigError;
use serde::Deserialize;

pub use crate::caller::{FORBIDDEN, Grant, Principal};

/// A role name in the config file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read-only tools.
    Viewer,
    /// All tools.
    Editor,
}

/// `[[http.keys]]` in the config file.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// A name for logs and errors.
    pub name: String,
    /// The key value (usually `"${SOME_ENV_VAR}"`).
    pub key: String,
    /// `viewer` or `editor`; ignored when `tools` is given.
    pub role: Option<Role>,
    /// An explicit allow-list of tool names.
    pub tools: Option<Vec<String>>,
    /// Requests per minute.
    pub requests_per_minute: Option<u32>,
    /// On a server of several APIs, the ones this key may use (default: all).
    pub apis: Option<Vec<String>>,
}

impl std::fmt::Debug for KeyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyConfig")
            .field("name", &self.name)
            .field("key", &"[REDACTED]")
            .field("role", &self.role)
            .field("tools", &self.tools)
            .field("apis", &self.apis)
            .finish()
    }
}

/// The configured API keys.
#[derive(Clone, Default)]
pub struct ApiKeys {
    keys: Vec<(Vec<u8>, Principal)>,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|(_, p)| &p.name))
            .finish()
    }
}

impl ApiKeys {
    /// Validate the configured keys: non-empty, at least 16 characters, unique names and
    /// values, a role or a tool list.
    pub fn new(configs: &[KeyConfig]) -> Result<ApiKeys, ConfigError> {
        let mut keys: Vec<(Vec<u8>, Principal)> = Vec::new();
        for config in configs {
            if config.key.len() < 16 {
                return Err(ConfigError::from(format!(
                    "http.keys `{}`: the key must be at least 16 characters",
                    config.name
                )));
            }
            if keys
                .iter()
                .any(|(k, p)| p.name == config.name || *k == config.key.as_bytes())
            {
                return Err(ConfigError::from(format!(
                    "http.keys `{}`: names and keys must be unique",
                    config.name
                )));
            }
            let grant = match (&config.tools, config.role) {
                (Some(tools), _) => Grant::Tools(tools.clone()),
                (None, Some(Role::Viewer)) => Grant::Viewer,
                (None, Some(Role::Editor)) => Grant::Editor,
                (None, None) => {
                    return Err(ConfigError::from(format!(
                        "http.keys `{}`: give a role (viewer or editor) or a tools list",
                        config.name
                    )));
                }
            };
            keys.push((
                config.key.as_bytes().to_vec(),
                Principal {
                    name: format!("key:{}", config.name),
                    grant,
                    requests_per_minute: config.requests_per_minute,
                    apis: config.apis.clone(),
                },
            ));
        }
        Ok(ApiKeys { keys })
    }

    /// The principals of the keys scoped to some APIs (`apis = [...]`), to check the
    /// names against the APIs served.
    pub fn scoped(&self) -> impl Iterator<Item = &Principal> {
        self.keys
            .iter()
            .map(|(_, principal)| principal)
            .filter(|principal| principal.apis.is_some())
    }

    /// Whether any key is configured.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The principal whose key is `presented`. Every key is compared in full, in constant
    /// time, so timing reveals neither which key matched nor how much of one did.
    pub fn find(&self, presented: &str) -> Option<&Principal> {
        let presented = presented.as_bytes();
        let mut found = None;
        for (key, principal) in &self.keys {
            if constant_time_eq(key, presented) {
                found = Some(principal);
            }
        }
        found
    }
}

/// Compare without an early exit (length differences are not secret: keys are long and
/// random).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The grant of roles a verified token carries (the broadest wins).
pub fn grant_for_roles(roles: &[String]) -> Option<Grant> {
    if roles.iter().any(|r| r == "editor") {
        Some(Grant::Editor)
    } else if roles.iter().any(|r| r == "viewer") {
        Some(Grant::Viewer)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, key: &str, role: Option<Role>, tools: Option<Vec<&str>>) -> KeyConfig {
        KeyConfig {
            name: name.into(),
            key: key.into(),
            role,
            tools: tools.map(|t| t.into_iter().map(str::to_owned).collect()),
            requests_per_minute: None,
            apis: None,
        }
    }

    #[test]
    fn keys_are_validated_and_found() {
        let keys = ApiKeys::new(&[
            key("ci", "ci-key-0123456789abcdef", Some(Role::Viewer), None),
            key("ops", "ops-key-0123456789abcdef", Some(Role::Editor), None),
        ])
        .expect("keys");
        assert_eq!(
            keys.find("ops-key-0123456789abcdef")
                .map(|p| p.name.as_str()),
            Some("key:ops")
        );
        assert_eq!(keys.find("ops-key-0123456789abcdeF"), None);
        assert_eq!(keys.find(""), None);
        assert!(ApiKeys::new(&[key("short", "abc", Some(Role::Viewer), None)]).is_err());
        assert!(ApiKeys::new(&[key("none", "0123456789abcdef0", None, None)]).is_err());
        let duplicate = [
            key("a", "0123456789abcdef0", Some(Role::Viewer), None),
            key("b", "0123456789abcdef0", Some(Role::Viewer), None),
        ];
        assert!(ApiKeys::new(&duplicate).is_err());
        assert!(!format!("{:?}", key("a", "0123456789abcdef0", None, None)).contains("0123456789"));
    }

    #[test]
    fn broadest_role_wins() {
        assert_eq!(
            grant_for_roles(&["viewer".into(), "editor".into()]),
            Some(Grant::Editor)
        );
        assert_eq!(grant_for_roles(&["other".into()]), None);
    }
}
