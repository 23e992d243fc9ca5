//! Canned responses for [`crate::Upstream`].

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};

use crate::{Gate, Recorded};

/// A canned HTTP response: status, headers, body, and optionally a delay or a [`Gate`] to
/// wait for before it is sent.
///
/// Build one with [`Reply::json`], [`Reply::text`], [`Reply::bytes`] or [`Reply::empty`],
/// then refine it with [`Reply::with_header`], [`Reply::with_delay`] and
/// [`Reply::with_gate`].
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
    /// A gate to wait for (after recording the request and any delay) before answering.
    pub gate: Option<Gate>,
    /// Answer with the request itself as JSON (see [`Reply::echo`]) instead of `body`.
    pub echo: bool,
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
            gate: None,
            echo: false,
        }
    }

    /// `status` with no body and no `content-type` (e.g. `Reply::empty(204)`).
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
            gate: None,
            echo: false,
        }
    }

    /// `status` with the request as the upstream received it, as JSON: `{"method", "path",
    /// "query", "headers": [[name, value], ...], "body"}` (raw path and query, the body as
    /// text). Stands in for an API that reflects what it got (a debug endpoint, an error
    /// quoting the request).
    pub fn echo(status: u16) -> Reply {
        let mut reply = Reply::bytes(status, "application/json", Vec::new());
        reply.echo = true;
        reply
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

    /// Answers only once `gate` is open (the request is recorded immediately), so a test
    /// holds the request in flight for exactly as long as it needs.
    pub fn with_gate(mut self, gate: &Gate) -> Reply {
        self.gate = Some(gate.clone());
        self
    }

    /// This reply as sent to `request`: an [`Reply::echo`] gets the request as its body.
    pub(crate) fn answering(mut self, request: &Recorded) -> Reply {
        if self.echo {
            self.body = serde_json::json!({
                "method": request.method,
                "path": request.path,
                "query": request.query,
                "headers": request.headers,
                "body": request.body_text(),
            })
            .to_string()
            .into_bytes();
            self.echo = false;
        }
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
