//! Upstream cookies kept for one MCP session: an API whose login step sets a session
//! cookie keeps working on later calls. Cookies follow RFC 6265 (domain, path, expiry,
//! `Secure`; `Max-Age=0` removes one). One jar per stdio process, and one per HTTP
//! session and caller; a jar is never shared between callers and goes with its session.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use cookie_store::CookieStore;
use reqwest::Url;
use reqwest::header::{HeaderMap, SET_COOKIE};

/// The cookies one caller's upstream set during one session, kept apart per scope (the
/// API they came from, when one server serves several): a scope's cookies are only ever
/// sent back within it.
///
/// ```
/// use rest_mcp::CookieJar;
///
/// let jar = CookieJar::new();
/// assert!(jar.is_empty());
/// ```
#[derive(Debug, Default)]
pub struct CookieJar {
    stores: Mutex<HashMap<String, CookieStore>>,
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> CookieJar {
        CookieJar::default()
    }

    /// Whether the jar holds no unexpired cookie.
    pub fn is_empty(&self) -> bool {
        self.stores()
            .values()
            .all(|store| store.iter_unexpired().next().is_none())
    }

    /// The cookies of `scope` to send to `url`, as (name, value).
    pub(crate) fn cookies_for(&self, scope: &str, url: &Url) -> Vec<(String, String)> {
        self.stores()
            .get(scope)
            .map(|store| {
                store
                    .get_request_values(url)
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Keep, in `scope`, the cookies a response from `url` set (and drop the ones it
    /// expired). Malformed or foreign-domain cookies are ignored, as a browser would.
    pub(crate) fn store_from(&self, scope: &str, url: &Url, headers: &HeaderMap) {
        let mut stores = self.stores();
        let store = stores.entry(scope.to_owned()).or_default();
        for value in headers.get_all(SET_COOKIE) {
            let Ok(text) = value.to_str() else {
                continue;
            };
            if let Err(error) = store.parse(text, url) {
                tracing::debug!("ignored a cookie the upstream set: {error}");
            }
        }
    }

    fn stores(&self) -> MutexGuard<'_, HashMap<String, CookieStore>> {
        match self.stores.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// The jars of one session, one per caller (the principal's name; the empty name for an
/// unauthenticated caller).
#[derive(Debug, Default)]
pub(crate) struct SessionCookies {
    jars: Mutex<HashMap<String, Arc<CookieJar>>>,
}

impl SessionCookies {
    /// The jar of `caller`, created on first use.
    pub(crate) fn jar(&self, caller: &str) -> Arc<CookieJar> {
        let mut jars = match self.jars.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        jars.entry(caller.to_owned()).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn set(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(SET_COOKIE, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn cookies_follow_path_domain_secure_and_expiry() {
        let jar = CookieJar::new();
        let login: Url = "http://api.test/auth/verify".parse().expect("url");
        jar.store_from(
            "",
            &login,
            &set(&[
                "session=abc; Path=/; HttpOnly",
                "scoped=1; Path=/admin",
                "secure_only=1; Secure; Path=/",
                "foreign=1; Domain=other.test; Path=/",
            ]),
        );
        let me: Url = "http://api.test/me".parse().expect("url");
        assert_eq!(jar.cookies_for("", &me), [("session".into(), "abc".into())]);
        let admin: Url = "http://api.test/admin/users".parse().expect("url");
        let mut names: Vec<String> = jar
            .cookies_for("", &admin)
            .into_iter()
            .map(|c| c.0)
            .collect();
        names.sort();
        assert_eq!(names, ["scoped", "session"]);
        let elsewhere: Url = "http://other.test/".parse().expect("url");
        assert!(jar.cookies_for("", &elsewhere).is_empty());
        let secure: Url = "https://api.test/".parse().expect("url");
        assert_eq!(
            jar.cookies_for("", &secure).len(),
            2,
            "session and secure_only"
        );

        jar.store_from("", &me, &set(&["session=; Max-Age=0; Path=/"]));
        assert!(jar.cookies_for("", &me).is_empty(), "logging out clears it");
    }

    #[test]
    fn every_caller_has_its_own_jar() {
        let session = SessionCookies::default();
        let url: Url = "http://api.test/".parse().expect("url");
        session
            .jar("alice")
            .store_from("", &url, &set(&["session=alice-1"]));
        assert!(session.jar("bob").cookies_for("", &url).is_empty());
        assert_eq!(session.jar("alice").cookies_for("", &url).len(), 1);
    }

    #[test]
    fn every_scope_keeps_its_own_cookies() {
        let jar = CookieJar::new();
        let url: Url = "http://127.0.0.1:8001/".parse().expect("url");
        jar.store_from("billing", &url, &set(&["session=billing-1"]));
        assert!(jar.cookies_for("crm", &url).is_empty());
        assert!(jar.cookies_for("", &url).is_empty());
        assert_eq!(jar.cookies_for("billing", &url).len(), 1);
    }
}
