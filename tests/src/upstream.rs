//! The recording upstream.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, Response};
use serde_json::json;

use crate::server::{Journal, ServerThread, lock, record};
use crate::{Recorded, Reply};

/// A stand-in REST API on `127.0.0.1:<ephemeral>` that records every request and answers
/// with configured [`Reply`]s.
///
/// Requests are matched on method and exact raw path (the query is ignored). Unmatched
/// requests get the default reply, initially `200 {"ok": true, "method": .., "path": ..}`.
/// Paths are recorded and matched exactly as received: no routing, decoding or
/// normalisation, so `..`, `%2F` or `%3F` inside a segment are visible to the test.
///
/// The server stops when the `Upstream` is dropped (or [`Upstream::shutdown`] is awaited).
#[derive(Debug)]
pub struct Upstream {
    /// The address the server listens on (`127.0.0.1:PORT`).
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    server: ServerThread,
}

#[derive(Debug, Default)]
struct Shared {
    journal: Journal,
    routes: Mutex<HashMap<(String, String), VecDeque<Reply>>>,
    default_reply: Mutex<Option<Reply>>,
}

impl Upstream {
    /// Starts a server on `127.0.0.1:0`. It is accepting connections when this returns.
    ///
    /// # Panics
    /// If no loopback port can be bound or the server thread cannot start.
    pub async fn start() -> Upstream {
        Upstream::start_blocking()
    }

    /// [`Upstream::start`] for code outside an async context.
    ///
    /// # Panics
    /// As [`Upstream::start`].
    pub fn start_blocking() -> Upstream {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let server = ServerThread::spawn("upstream", app);
        Upstream {
            addr: server.addr,
            shared,
            server,
        }
    }

    /// The base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers `method` (case-insensitive; `"*"` for any method) on exactly `path` (raw,
    /// as sent, without the query) with `reply`. A later call for the same pair replaces
    /// the earlier one. A rule for the exact method wins over a `"*"` rule.
    pub fn respond(&self, method: &str, path: &str, reply: Reply) {
        self.respond_sequence(method, path, vec![reply]);
    }

    /// Like [`Upstream::respond`], but answers successive matching requests with
    /// `replies` in order; the last one repeats. Useful for retries and token refresh
    /// (`[401, 200]`). An empty list removes the rule.
    pub fn respond_sequence(&self, method: &str, path: &str, replies: Vec<Reply>) {
        let key = (method.to_ascii_uppercase(), path.to_owned());
        let mut routes = lock(&self.shared.routes);
        if replies.is_empty() {
            routes.remove(&key);
        } else {
            routes.insert(key, replies.into());
        }
    }

    /// Replaces the reply for requests no rule matches.
    pub fn respond_default(&self, reply: Reply) {
        *lock(&self.shared.default_reply) = Some(reply);
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.journal.all()
    }

    /// The most recent request.
    pub fn last(&self) -> Option<Recorded> {
        self.shared.journal.last()
    }

    /// How many requests were received.
    pub fn count(&self) -> usize {
        self.shared.journal.len()
    }

    /// Forgets the recorded requests (configured replies stay).
    pub fn clear(&self) {
        self.shared.journal.clear();
    }

    /// Waits until at least `n` requests have arrived or `timeout` passes, and returns
    /// every request received (check the length: it is below `n` on timeout).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Recorded> {
        self.shared.journal.wait_for(n, timeout).await
    }

    /// Stops the server and waits until its port is released (bounded).
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

impl Shared {
    /// The reply for a request: its exact rule, else its `*` rule, else the default.
    fn reply_for(&self, method: &str, path: &str) -> Reply {
        {
            let mut routes = lock(&self.routes);
            for key in [
                (method.to_ascii_uppercase(), path.to_owned()),
                ("*".to_owned(), path.to_owned()),
            ] {
                if let Some(queue) = routes.get_mut(&key) {
                    let reply = if queue.len() > 1 {
                        queue.pop_front()
                    } else {
                        queue.front().cloned()
                    };
                    if let Some(reply) = reply {
                        return reply;
                    }
                }
            }
        }
        lock(&self.default_reply).clone().unwrap_or_else(|| {
            Reply::json(200, json!({"ok": true, "method": method, "path": path}))
        })
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request<Body>) -> Response<Body> {
    let recorded = match record(request).await {
        Ok(recorded) => recorded,
        Err(partial) => {
            shared.journal.push(partial);
            return Reply::text(413, "request body too large or unreadable").to_response();
        }
    };
    let reply = shared
        .reply_for(&recorded.method, &recorded.path)
        .answering(&recorded);
    shared.journal.push(recorded);
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(gate) = &reply.gate {
        gate.passed().await;
    }
    reply.to_response()
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;
    use crate::Gate;

    /// Longest wait for anything in these tests (a hang guard, never the thing tested).
    const HANG_GUARD: Duration = Duration::from_secs(30);

    #[tokio::test]
    async fn records_requests_and_answers_by_default() {
        let upstream = Upstream::start().await;
        let response = reqwest::Client::new()
            .post(format!("{}/files/a%2Fb?q=x+y&n=%3F", upstream.url()))
            .header("X-Api-Key", "k")
            .body("hello")
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.expect("json body");
        assert_eq!(
            body,
            json!({"ok": true, "method": "POST", "path": "/files/a%2Fb"})
        );
        let seen = upstream.requests();
        assert_eq!(seen.len(), 1);
        let r = &seen[0];
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/files/a%2Fb");
        assert_eq!(r.query.as_deref(), Some("q=x+y&n=%3F"));
        assert_eq!(
            r.query_pairs(),
            vec![("q".into(), "x y".into()), ("n".into(), "?".into())]
        );
        assert_eq!(r.header("x-api-key"), Some("k"));
        assert_eq!(r.body_text(), "hello");
        assert_eq!(upstream.last().map(|r| r.path), Some("/files/a%2Fb".into()));
    }

    #[test]
    fn keeps_the_raw_path_unnormalised() {
        let upstream = Upstream::start_blocking();
        let mut stream = std::net::TcpStream::connect(upstream.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        stream
            .write_all(b"GET /a/../b/..%2Fc/%23x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("write");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        let r = upstream.last().expect("recorded");
        assert_eq!(r.path, "/a/../b/..%2Fc/%23x");
        assert_eq!(r.query, None);
        assert_eq!(r.segments(), vec!["a", "..", "b", "..%2Fc", "%23x"]);
    }

    #[tokio::test]
    async fn configured_replies_are_returned() {
        let upstream = Upstream::start().await;
        upstream.respond(
            "get",
            "/pets/1",
            Reply::json(404, json!({"title": "gone"}))
                .with_header("content-type", "application/problem+json")
                .with_header("x-extra", "1"),
        );
        upstream.respond_sequence(
            "*",
            "/flaky",
            vec![Reply::text(503, "busy"), Reply::empty(204)],
        );
        let client = reqwest::Client::new();
        let r = client
            .get(format!("{}/pets/1?ignored=1", upstream.url()))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 404);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert_eq!(r.headers()["x-extra"], "1");
        assert_eq!(r.text().await.expect("text"), r#"{"title":"gone"}"#);

        let mut statuses = Vec::new();
        for _ in 0..3 {
            let r = client
                .put(format!("{}/flaky", upstream.url()))
                .send()
                .await
                .expect("send");
            statuses.push(r.status().as_u16());
        }
        assert_eq!(statuses, vec![503, 204, 204]);

        upstream.respond_default(Reply::text(500, "nope"));
        let r = client
            .get(format!("{}/other", upstream.url()))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 500);
        assert_eq!(upstream.count(), 5);
        upstream.clear();
        assert!(upstream.requests().is_empty());
    }

    #[tokio::test]
    async fn gated_replies_are_recorded_at_once_and_sent_when_opened() {
        let upstream = Upstream::start().await;
        let gate = Gate::new();
        upstream.respond(
            "GET",
            "/held",
            Reply::text(200, "released").with_gate(&gate),
        );
        let url = format!("{}/held", upstream.url());
        let request = tokio::spawn(async move {
            let response = reqwest::get(url).await?;
            response.text().await
        });
        let seen = upstream.wait_for(1, HANG_GUARD).await;
        assert_eq!(seen.len(), 1, "recorded while held");
        let deadline = tokio::time::Instant::now() + HANG_GUARD;
        while gate.waiting() == 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(gate.waiting(), 1, "the reply waits at the gate");
        assert!(!request.is_finished(), "answered before the gate opened");
        gate.open();
        let text = tokio::time::timeout(HANG_GUARD, request)
            .await
            .expect("answered once the gate is open")
            .expect("request task")
            .expect("response");
        assert_eq!(text, "released");
    }

    #[tokio::test]
    async fn echo_replies_carry_the_request() {
        let upstream = Upstream::start().await;
        upstream.respond("*", "/echo/a%2Fb", Reply::echo(418));
        let response = reqwest::Client::new()
            .put(format!("{}/echo/a%2Fb?k=v%20w", upstream.url()))
            .header("X-Secret", "s3")
            .body("payload")
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 418);
        let echoed: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(echoed["method"], "PUT");
        assert_eq!(echoed["path"], "/echo/a%2Fb");
        assert_eq!(echoed["query"], "k=v%20w");
        assert_eq!(echoed["body"], "payload");
        let headers = echoed["headers"].as_array().expect("headers");
        assert!(headers.contains(&json!(["x-secret", "s3"])), "{headers:?}");
    }

    #[tokio::test]
    async fn delay_is_applied_after_recording() {
        let upstream = Upstream::start().await;
        // Far longer than the client waits: the reply cannot arrive in time.
        upstream.respond(
            "GET",
            "/slow",
            Reply::text(200, "late").with_delay(Duration::from_secs(600)),
        );
        let timed_out = reqwest::Client::new()
            .get(format!("{}/slow", upstream.url()))
            .timeout(Duration::from_millis(50))
            .send()
            .await;
        assert!(timed_out.is_err_and(|e| e.is_timeout()));
        assert_eq!(upstream.count(), 1, "recorded before the delay");
    }

    #[tokio::test]
    async fn wait_for_is_bounded() {
        let upstream = Upstream::start().await;
        let nothing =
            tokio::time::timeout(HANG_GUARD, upstream.wait_for(1, Duration::from_millis(100)))
                .await
                .expect("wait_for returns when its timeout passes");
        assert!(nothing.is_empty());

        let url = format!("{}/later", upstream.url());
        let sender =
            tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status().as_u16()) });
        let seen = upstream.wait_for(1, HANG_GUARD).await;
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].path, "/later");
        assert_eq!(sender.await.ok().and_then(Result::ok), Some(200));
        let addr = upstream.addr;
        upstream.shutdown().await;
        assert!(std::net::TcpStream::connect(addr).is_err());
    }
}
