//! Canned responses for [`crate::Upstream`].

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};

/// A canned HTTP response: status, headers, body and an optional delay before it is sent.
///
/// Build one with [`Reply::json`], [`Reply::text`], [`Reply::bytes`] or [`Reply::empty`],
/// then refine it with [`Reply::with_header`] and [`Reply::with_delay`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status code. Values outside 100..=999 are sent as 500.
    pub status: u16,
    /// Response headers, in order (the builders add `content-type` first).
    pub headers: Vec<(String, String)>,
    /// Response body.
    pub body: Vec<u8>,
    /// How long to wait (after recording the request) before answering.
    pub delay: Option<Duration>,
}

impl Reply {
    /// `status` with a JSON body and `content-type: application/json`.
    pub fn json(status: u16, value: serde_json::Value) -> Reply {
        Reply::bytes(status, "application/json", value.to_string().into_bytes())
    }

    /// `status` with a text body and `content-type: text/plain; charset=utf-8`.
    pub fn text(status: u16, text: &str) -> Reply {
        Reply::bytes(
            status,
            "text/plain; charset=utf-8",
            text.as_bytes().to_vec(),
        )
    }

    /// `status` with `body` sent as-is under `content_type`.
    pub fn bytes(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
            body: body.into(),
            delay: None,
        }
    }

    /// `status` with no body and no `content-type` (e.g. `Reply::empty(204)`).
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
        }
    }

    /// Adds a header. A header named `content-type` replaces the existing one; other names
    /// are appended, so a header can be sent more than once.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if name.eq_ignore_ascii_case("content-type") {
            self.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        }
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Waits `delay` before answering (the request is recorded immediately).
    pub fn with_delay(mut self, delay: Duration) -> Reply {
        self.delay = Some(delay);
        self
    }

    /// Converts to an HTTP response. Headers that are not valid HTTP are skipped with a
    /// note on stderr.
    pub(crate) fn to_response(&self) -> Response<Body> {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.status_mut() = status;
        for (name, value) in &self.headers {
            match (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                (Ok(name), Ok(value)) => {
                    response.headers_mut().append(name, value);
                }
                _ => eprintln!("rest-mcp-tests: skipping invalid reply header {name:?}: {value:?}"),
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders() {
        let reply = Reply::json(201, serde_json::json!({"a": 1}))
            .with_header("X-Trace", "1")
            .with_header("Content-Type", "application/problem+json")
            .with_delay(Duration::from_millis(5));
        assert_eq!(reply.status, 201);
        assert_eq!(reply.body, br#"{"a":1}"#);
        assert_eq!(
            reply.headers,
            vec![
                ("X-Trace".to_owned(), "1".to_owned()),
                (
                    "Content-Type".to_owned(),
                    "application/problem+json".to_owned()
                ),
            ]
        );
        assert_eq!(reply.delay, Some(Duration::from_millis(5)));
        let response = reply.to_response();
        assert_eq!(response.status(), 201);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        assert!(Reply::empty(204).headers.is_empty());
    }
}
