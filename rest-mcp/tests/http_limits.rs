//! End to end over Streamable HTTP on 127.0.0.1: the limits that keep one caller from
//! hurting another. Sessions belong to whoever opened them for good, caps refuse the
//! newcomer and never evict, idle sessions expire for everyone; failed authentication is
//! throttled per peer; idle connections are closed. Every flood is bounded in count.

mod http_common;

use std::time::Duration;

use http_common::{Launch, RestMcp, header, initialize_request};
use rest_mcp_tests::Upstream;
use serde_json::{Value, json};

const KEY_A: &str = "alice-key-5f2c9a7e1b40";
const KEY_B: &str = "bobby-key-8d41c0b6aa71";
const KEY_C: &str = "carol-key-33e07f9d12c8";

/// Three keys; `extra` goes into `[http]`.
fn three_keys(upstream: &Upstream, extra: &str) -> Launch {
    Launch::new(&upstream.url())
        .toml(&format!(
            r#"[http]
{extra}

[[http.keys]]
name = "alice"
key = "${{KEY_A}}"
role = "editor"

[[http.keys]]
name = "bobby"
key = "${{KEY_B}}"
role = "editor"

[[http.keys]]
name = "carol"
key = "${{KEY_C}}"
role = "editor"
"#
        ))
        .env("KEY_A", KEY_A)
        .env("KEY_B", KEY_B)
        .env("KEY_C", KEY_C)
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

/// POST with `key` and, when given, a session id.
async fn post_as(
    server: &RestMcp,
    key: &str,
    session: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let auth = bearer(key);
    let mut headers = vec![("authorization", auth.as_str())];
    if let Some(id) = session {
        headers.push(("mcp-session-id", id));
        headers.push(("mcp-protocol-version", "2025-06-18"));
    }
    server.post(&headers, body).await
}

/// Opens and initializes a session as `key`; `Err` is the refusal (status and body).
async fn open_session(server: &RestMcp, key: &str) -> Result<String, (u16, Value)> {
    let response = post_as(server, key, None, &initialize_request()).await;
    let status = response.status().as_u16();
    if status != 200 {
        let body = response.json().await.unwrap_or(Value::Null);
        return Err((status, body));
    }
    let id = header(&response, "mcp-session-id").expect("a session id");
    let initialized = post_as(
        server,
        key,
        Some(&id),
        &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    assert_eq!(initialized.status(), 202);
    Ok(id)
}

/// `tools/list` in session `id` as `key`: the HTTP status.
async fn list_in(server: &RestMcp, key: &str, id: &str) -> u16 {
    post_as(
        server,
        key,
        Some(id),
        &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    )
    .await
    .status()
    .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_sessions_never_takes_over_another_callers_session() {
    let upstream = Upstream::start().await;
    let server = three_keys(&upstream, "max_sessions_per_caller = 3\nmax_sessions = 5")
        .start()
        .await;
    let alice = open_session(&server, KEY_A).await.expect("alice's session");

    // Bob floods (a bounded number of attempts): three sessions, then refusals naming
    // the cap and its config key. Nobody is evicted to make room.
    let mut bobs = Vec::new();
    let mut refusals = Vec::new();
    for _ in 0..10 {
        match open_session(&server, KEY_B).await {
            Ok(id) => bobs.push(id),
            Err(refusal) => refusals.push(refusal),
        }
    }
    assert_eq!(bobs.len(), 3, "the per-caller cap: {refusals:?}");
    assert_eq!(refusals.len(), 7);
    for (status, body) in &refusals {
        assert_eq!(*status, 429, "{body}");
        assert_eq!(body["error"], json!("too_many_sessions"), "{body}");
        let message = body["message"].as_str().expect("a message");
        assert!(
            message.contains("3 open sessions") && message.contains("max_sessions_per_caller"),
            "{message}"
        );
    }

    // Alice's session still answers her, and only her.
    assert_eq!(list_in(&server, KEY_A, &alice).await, 200);
    for key in [KEY_B, KEY_C] {
        let status = list_in(&server, key, &alice).await;
        assert!(
            matches!(status, 403 | 404),
            "another key was served: {status}"
        );
    }
    for id in &bobs {
        assert_eq!(list_in(&server, KEY_B, id).await, 200, "bob keeps his own");
    }

    // The server-wide cap (5: alice 1 + bob 3 + carol 1) refuses carol's second with 503.
    let carol = open_session(&server, KEY_C)
        .await
        .expect("room for one more");
    let (status, body) = open_session(&server, KEY_C)
        .await
        .expect_err("over the total");
    assert_eq!(status, 503, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("max_sessions")),
        "{body}"
    );
    for (key, id) in [(KEY_A, &alice), (KEY_C, &carol)] {
        assert_eq!(list_in(&server, key, id).await, 200, "nobody was evicted");
    }

    // Ending a session frees its slot; the ended id is gone for everyone, owner included.
    let mut delete = http_common::http_client()
        .delete(server.mcp_url())
        .header("authorization", bearer(KEY_B))
        .header("mcp-session-id", &bobs[0])
        .header("mcp-protocol-version", "2025-06-18");
    delete = delete.header("accept", "application/json, text/event-stream");
    let ended = delete.send().await.expect("DELETE");
    assert!(ended.status().is_success(), "{}", ended.status());
    assert_eq!(list_in(&server, KEY_B, &bobs[0]).await, 404);
    assert_eq!(list_in(&server, KEY_A, &bobs[0]).await, 404);
    open_session(&server, KEY_B)
        .await
        .expect("bob's freed slot can be used again");
    assert_eq!(upstream.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_expires_for_everyone() {
    let upstream = Upstream::start().await;
    let server = three_keys(&upstream, "")
        .arg("--session-idle-timeout")
        .arg("3s")
        .start()
        .await;
    let alice = open_session(&server, KEY_A).await.expect("alice's session");
    // Unused for more than the idle timeout: gone, for its owner as for anyone else, and
    // it stays gone (no later request revives it or hands it to someone).
    tokio::time::sleep(Duration::from_secs(4)).await;
    for key in [KEY_B, KEY_A, KEY_A, KEY_C] {
        assert_eq!(list_in(&server, key, &alice).await, 404);
    }
    // A new session still opens.
    let fresh = open_session(&server, KEY_A).await.expect("a new session");
    assert_ne!(fresh, alice);
}

/// A client whose connections come from `source` (any 127.x.y.z address is loopback).
fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .local_address(source.parse::<std::net::IpAddr>().ok())
        .timeout(http_common::CALL_TIMEOUT)
        .build()
        .expect("client")
}

async fn initialize_from(
    client: &reqwest::Client,
    server: &RestMcp,
    key: &str,
) -> reqwest::Response {
    client
        .post(server.mcp_url())
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("authorization", bearer(key))
        .body(initialize_request().to_string())
        .send()
        .await
        .expect("POST /mcp")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_wrong_keys_throttle_that_peer_only() {
    const FREE: usize = 10;
    let upstream = Upstream::start().await;
    let server = three_keys(&upstream, "").start().await;
    let guesser = client_from("127.0.0.1");
    let other = client_from("127.0.0.2");
    // A bounded number of wrong keys: the first ten get 401; the eleventh trips the
    // backoff and gets 429 with a Retry-After (until then this peer's keys go unchecked).
    let mut statuses = Vec::new();
    for n in 0..=FREE {
        let response = initialize_from(&guesser, &server, &format!("wrong-key-{n:016}")).await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            let retry_after: u64 = header(&response, "retry-after")
                .expect("Retry-After")
                .parse()
                .expect("seconds");
            assert!(retry_after >= 1);
            let body: Value = response.json().await.expect("JSON");
            assert_eq!(body["error"], json!("too_many_failed_attempts"));
        }
    }
    assert_eq!(&statuses[..FREE], &[401; FREE], "{statuses:?}");
    assert_eq!(statuses[FREE], 429, "{statuses:?}");
    // Another peer with a valid key is not locked out.
    let response = initialize_from(&other, &server, KEY_A).await;
    assert_eq!(response.status(), 200);
    // Nor is another peer guessing: it has its own count.
    let response = initialize_from(&other, &server, "wrong-key-from-elsewhere").await;
    assert_eq!(response.status(), 401);
}
