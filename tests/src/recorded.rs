//! A request as the upstream received it.

use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::decode::form_decode;
use crate::multipart::{self, MultipartPart};

/// One request received by an [`crate::Upstream`] or [`crate::TokenServer`], exactly as
/// it arrived.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The method, upper-case as sent (`GET`).
    pub method: String,
    /// The raw path from the request line, still percent-encoded and not normalised
    /// (`/files/a%2Fb/..%2Fx`).
    pub path: String,
    /// The raw query string without the `?`, still encoded; `None` when the request line
    /// has no `?`.
    pub query: Option<String>,
    /// Headers in the order received, names lowercased, values decoded lossily as UTF-8.
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Vec<u8>,
    /// When the server received the request (before its body was read).
    pub received_at: Instant,
}

impl Recorded {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header `name` (case-insensitive), in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    /// If the body is not JSON; the message shows the body.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} {}: body is not JSON ({e}): {:?}",
                self.method,
                self.path,
                self.body_text()
            )
        })
    }

    /// The body as UTF-8 (invalid sequences replaced).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The query string decoded into name/value pairs, in order (`+` is a space; empty when
    /// there is no query).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query.as_deref().map(form_decode).unwrap_or_default()
    }

    /// The first decoded value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The body decoded as `application/x-www-form-urlencoded` pairs, in order.
    pub fn form_pairs(&self) -> Vec<(String, String)> {
        form_decode(&self.body_text())
    }

    /// The raw (still encoded) path segments: `/a/b%2Fc/` → `["a", "b%2Fc", ""]`.
    pub fn segments(&self) -> Vec<&str> {
        let path = self.path.strip_prefix('/').unwrap_or(&self.path);
        path.split('/').collect()
    }

    /// The `content-type` header's media type, lowercased, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type")
            .and_then(|ct| ct.split(';').next())
            .map(|media| media.trim().to_ascii_lowercase())
    }

    /// The parts of a `multipart/form-data` body.
    ///
    /// # Panics
    /// If the request is not `multipart/form-data` with a boundary, or the body is
    /// malformed; the message says why.
    pub fn multipart(&self) -> Vec<MultipartPart> {
        self.try_multipart()
            .unwrap_or_else(|e| panic!("{} {}: {e}", self.method, self.path))
    }

    /// Like [`Recorded::multipart`], returning the problem instead of panicking.
    pub fn try_multipart(&self) -> Result<Vec<MultipartPart>, String> {
        let content_type = self
            .header("content-type")
            .ok_or("no content-type header")?;
        let boundary = multipart::boundary(content_type)
            .ok_or_else(|| format!("not multipart/form-data with a boundary: {content_type}"))?;
        multipart::parse(&self.body, &boundary)
    }

    /// The token of an `Authorization: Bearer <token>` header.
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    }

    /// The user and password of an `Authorization: Basic <base64>` header.
    pub fn basic_auth(&self) -> Option<(String, String)> {
        let value = self.header("authorization")?;
        let (scheme, encoded) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = STANDARD.decode(encoded.trim()).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, password) = decoded.split_once(':')?;
        Some((user.to_owned(), password.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Recorded {
        Recorded {
            method: "POST".into(),
            path: "/files/a%2Fb/".into(),
            query: Some("q=x+y&tag=a&tag=b%26c".into()),
            headers: vec![
                ("authorization".into(), "Basic dXNlcjpwYTpzcw==".into()),
                (
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                ("x-multi".into(), "1".into()),
                ("x-multi".into(), "2".into()),
            ],
            body: b"metadata%5Bgift%5D=yes&n=1".to_vec(),
            received_at: Instant::now(),
        }
    }

    #[test]
    fn accessors() {
        let r = sample();
        assert_eq!(
            r.header("Content-Type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(r.header_all("X-Multi"), vec!["1", "2"]);
        assert_eq!(r.query_param("q").as_deref(), Some("x y"));
        assert_eq!(r.query_pairs().len(), 3);
        assert_eq!(r.query_pairs()[2].1, "b&c");
        assert_eq!(r.form_pairs()[0], ("metadata[gift]".into(), "yes".into()));
        assert_eq!(r.segments(), vec!["files", "a%2Fb", ""]);
        assert_eq!(
            r.media_type().as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(r.basic_auth(), Some(("user".into(), "pa:ss".into())));
        assert_eq!(r.bearer_token(), None);
        assert!(r.try_multipart().is_err());
    }
}
