//! An OAuth2 token endpoint (client credentials) for auth tests.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, Response};
use serde_json::json;

use crate::server::{Journal, ServerThread, lock, record};
use crate::{Recorded, Reply};

/// An OAuth2 token endpoint on `127.0.0.1:<ephemeral>`.
///
/// Every request (any method, any path; use [`TokenServer::token_url`]) is recorded and,
/// unless told to fail, answered `200` with
/// `{"access_token": "tok-N", "token_type": "Bearer", "expires_in": S}`, where N counts
/// the tokens issued so far (`tok-1`, `tok-2`, …) and S defaults to 3600.
///
/// Failing requests get `401 {"error": "invalid_client"}`: all of them after
/// [`TokenServer::fail_with_401`], and those with the wrong credentials after
/// [`TokenServer::expect_client`]. The server stops when dropped.
#[derive(Debug)]
pub struct TokenServer {
    /// The address the server listens on (`127.0.0.1:PORT`).
    pub addr: SocketAddr,
    shared: Arc<TokenState>,
    server: ServerThread,
}

#[derive(Debug)]
struct TokenState {
    journal: Journal,
    issued: AtomicU64,
    expires_in: Mutex<Option<u64>>,
    failing: AtomicBool,
    client: Mutex<Option<(String, String)>>,
    delay: Mutex<Option<Duration>>,
    prefix: Mutex<String>,
}

impl TokenServer {
    /// Starts the endpoint on `127.0.0.1:0`; tokens expire in 3600 s.
    ///
    /// # Panics
    /// If no loopback port can be bound or the server thread cannot start.
    pub async fn start() -> TokenServer {
        TokenServer::start_blocking()
    }

    /// [`TokenServer::start`] for code outside an async context.
    ///
    /// # Panics
    /// As [`TokenServer::start`].
    pub fn start_blocking() -> TokenServer {
        let shared = Arc::new(TokenState {
            journal: Journal::default(),
            issued: AtomicU64::new(0),
            expires_in: Mutex::new(Some(3600)),
            failing: AtomicBool::new(false),
            client: Mutex::new(None),
            delay: Mutex::new(None),
            prefix: Mutex::new("tok-".to_owned()),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let server = ServerThread::spawn("token-server", app);
        TokenServer {
            addr: server.addr,
            shared,
            server,
        }
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The conventional token URL, `http://127.0.0.1:PORT/token`.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.url())
    }

    /// Sets the `expires_in` of tokens issued from now on; `None` leaves the field out.
    pub fn set_expires_in(&self, seconds: Option<u64>) {
        *lock(&self.shared.expires_in) = seconds;
    }

    /// When `true`, every request is answered `401 {"error": "invalid_client"}` (and no
    /// token is issued) until called again with `false`.
    pub fn fail_with_401(&self, failing: bool) {
        self.shared.failing.store(failing, Ordering::SeqCst);
    }

    /// Only issue tokens to this client: its id and secret must arrive either as HTTP
    /// Basic auth or as `client_id`/`client_secret` form fields; anything else gets 401.
    pub fn expect_client(&self, client_id: &str, client_secret: &str) {
        *lock(&self.shared.client) = Some((client_id.to_owned(), client_secret.to_owned()));
    }

    /// Issues tokens named `{prefix}N` from now on instead of `tok-N` (for tokens as long
    /// as real ones).
    pub fn set_token_prefix(&self, prefix: &str) {
        *lock(&self.shared.prefix) = prefix.to_owned();
    }

    /// Waits `delay` before answering each request (`None`: answer at once).
    pub fn set_delay(&self, delay: Option<Duration>) {
        *lock(&self.shared.delay) = delay;
    }

    /// How many requests arrived (successful or not).
    pub fn request_count(&self) -> usize {
        self.shared.journal.len()
    }

    /// How many tokens were issued (the N of the latest `tok-N`).
    pub fn issued(&self) -> u64 {
        self.shared.issued.load(Ordering::SeqCst)
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.journal.all()
    }

    /// The most recent request.
    pub fn last(&self) -> Option<Recorded> {
        self.shared.journal.last()
    }

    /// Waits until at least `n` requests have arrived or `timeout` passes, and returns
    /// every request received.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Recorded> {
        self.shared.journal.wait_for(n, timeout).await
    }

    /// Stops the server and waits until its port is released (bounded).
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

impl TokenState {
    fn reply(&self, request: &Recorded) -> Reply {
        if self.failing.load(Ordering::SeqCst) {
            return invalid_client("token endpoint told to fail");
        }
        if let Some((id, secret)) = lock(&self.client).clone() {
            let form = request.form_pairs();
            let field = |name: &str| form.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
            let presented = request
                .basic_auth()
                .or_else(|| Some((field("client_id")?, field("client_secret")?)));
            if presented != Some((id, secret)) {
                return invalid_client("unknown client or wrong secret");
            }
        }
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let prefix = lock(&self.prefix).clone();
        let mut body = json!({"access_token": format!("{prefix}{n}"), "token_type": "Bearer"});
        if let Some(seconds) = *lock(&self.expires_in) {
            body["expires_in"] = json!(seconds);
        }
        Reply::json(200, body).with_header("cache-control", "no-store")
    }
}

fn invalid_client(description: &str) -> Reply {
    Reply::json(
        401,
        json!({"error": "invalid_client", "error_description": description}),
    )
}

async fn handle(State(state): State<Arc<TokenState>>, request: Request<Body>) -> Response<Body> {
    let recorded = match record(request).await {
        Ok(recorded) => recorded,
        Err(partial) => {
            state.journal.push(partial);
            return Reply::text(413, "request body too large or unreadable").to_response();
        }
    };
    let reply = state.reply(&recorded);
    state.journal.push(recorded);
    let delay = *lock(&state.delay);
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    reply.to_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn fetch(
        client: &reqwest::Client,
        url: &str,
        form: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let r = client.post(url).form(form).send().await.expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.expect("json"))
    }

    #[tokio::test]
    async fn issues_numbered_tokens_and_fails_on_demand() {
        let server = TokenServer::start().await;
        let client = reqwest::Client::new();
        let url = server.token_url();
        let grant = [("grant_type", "client_credentials")];

        let (status, body) = fetch(&client, &url, &grant).await;
        assert_eq!(status, 200);
        assert_eq!(
            body,
            json!({"access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600})
        );
        server.set_expires_in(Some(1));
        let (_, body) = fetch(&client, &url, &grant).await;
        assert_eq!(body["access_token"], "tok-2");
        assert_eq!(body["expires_in"], 1);

        server.fail_with_401(true);
        let (status, body) = fetch(&client, &url, &grant).await;
        assert_eq!(status, 401);
        assert_eq!(body["error"], "invalid_client");
        server.fail_with_401(false);

        server.expect_client("id", "secret");
        let (status, _) = fetch(
            &client,
            &url,
            &[("client_id", "id"), ("client_secret", "bad")],
        )
        .await;
        assert_eq!(status, 401);
        let (status, body) = fetch(
            &client,
            &url,
            &[("client_id", "id"), ("client_secret", "secret")],
        )
        .await;
        assert_eq!(
            (status, body["access_token"].clone()),
            (200, json!("tok-3"))
        );
        let r = client
            .post(&url)
            .basic_auth("id", Some("secret"))
            .form(&grant)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 200);

        assert_eq!(server.request_count(), 6);
        assert_eq!(server.issued(), 4);
        let last = server.last().expect("recorded");
        assert_eq!(last.path, "/token");
        assert_eq!(last.basic_auth(), Some(("id".into(), "secret".into())));
        assert_eq!(
            last.form_pairs(),
            vec![("grant_type".into(), "client_credentials".into())]
        );
    }
}
