//! Connection hygiene of the Streamable HTTP server, end to end on loopback: idle and
//! half-sent connections are closed by the server (header-read and idle timeouts) while
//! an MCP session and a call held in flight keep working, and the per-peer connection
//! cap refuses one address while another still connects.
//!
//! Every wait is event-based and bounded by a hang guard; no test asserts how long
//! anything took.

mod http_common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_common::{Launch, Lifecycle, RestMcp, header, initialize_request, ok_json};
use rest_mcp_tests::{Gate, Reply, Upstream};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Longest wait for the server to close every held connection (a hang guard, never the
/// thing tested).
const HANG_GUARD: Duration = Duration::from_secs(30);
/// Longest wait for one raw HTTP exchange.
const EXCHANGE_GUARD: Duration = Duration::from_secs(10);
/// How many times, at most, a connection is retried while earlier ones are still being
/// released by the server.
const MAX_ATTEMPTS: usize = 200;
/// The pause between two attempts.
const RETRY_PAUSE: Duration = Duration::from_millis(20);
const IDLE: usize = 300;
const HALF_SENT: usize = 100;
const KEPT_ALIVE: usize = 5;

/// Reads until the server closes the connection (end of stream or an error such as a
/// reset); `Err` when `HANG_GUARD` passes first.
async fn closed_by_server(mut stream: TcpStream) -> Result<(), String> {
    let mut buf = [0u8; 1024];
    let result = tokio::time::timeout(HANG_GUARD, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    result.map_err(|_| "still open".to_owned())
}

/// What became of one `GET /healthz` on a raw connection.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// A whole response with this status; the connection stays open.
    Answered(u16),
    /// The connection was closed (possibly after a 503 saying so).
    Refused,
}

/// Sends `GET /healthz` (keep-alive) on `stream` and reads one whole response.
async fn healthz(stream: &mut TcpStream) -> Outcome {
    let request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    let exchange = async {
        if stream.write_all(request).await.is_err() {
            return Outcome::Refused;
        }
        let mut received = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
                let status: u16 = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                if head.contains("connection: close") {
                    return Outcome::Refused;
                }
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if received.len() >= end + 4 + length {
                    return Outcome::Answered(status);
                }
            }
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return Outcome::Refused,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(EXCHANGE_GUARD, exchange)
        .await
        .expect("a raw /healthz exchange hung")
}

/// A connection to `server` from the local address `from`.
async fn connect_from(server: &RestMcp, from: [u8; 4]) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("bind the client socket");
    socket
        .connect(SocketAddr::from(([127, 0, 0, 1], server.port)))
        .await
        .expect("connect")
}

/// A connection from `from` that the server accepted (it answered `/healthz` and kept
/// the connection open). Earlier connections are released by the server a little after
/// they close, so a refusal is retried (bounded).
async fn accepted_from(server: &RestMcp, from: [u8; 4]) -> TcpStream {
    for _ in 0..MAX_ATTEMPTS {
        let mut stream = connect_from(server, from).await;
        match healthz(&mut stream).await {
            Outcome::Answered(200) => return stream,
            Outcome::Answered(status) => panic!("/healthz answered {status}"),
            Outcome::Refused => tokio::time::sleep(RETRY_PAUSE).await,
        }
    }
    panic!("no connection from {from:?} was accepted")
}

/// Opens and initializes a session with raw requests; its id.
async fn open_session(server: &RestMcp) -> String {
    let response = server.post(&[], &initialize_request()).await;
    assert_eq!(response.status(), 200, "initialize");
    let id = header(&response, "mcp-session-id").expect("a session id");
    let initialized = server
        .post(
            &[
                ("mcp-session-id", &id),
                ("mcp-protocol-version", "2025-06-18"),
            ],
            &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        )
        .await;
    assert_eq!(initialized.status(), 202);
    id
}

/// 300 idle connections, 100 that sent half a request and a few kept alive after one
/// request are all closed by a server with 1 s timeouts, while two calls held at the
/// upstream stay in flight throughout and still get their answers, and the same MCP
/// session keeps working. One call is a raw POST whose response is an SSE stream read
/// by a plain HTTP client (no reconnection, so a cut connection would show); the other
/// goes through rmcp's client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_half_sent_connections_are_closed_but_calls_in_flight_are_not() {
    let upstream = Upstream::start().await;
    let release = Gate::new();
    upstream.respond(
        "GET",
        "/slow",
        Reply::json(200, json!({"slow": "done"})).with_gate(&release),
    );
    upstream.respond("GET", "/items/1", Reply::json(200, json!({"id": "1"})));
    let server = Arc::new(
        Launch::new(&upstream.url())
            .toml(
                "[http]\nheader_read_timeout = \"1s\"\nidle_connection_timeout = \"1s\"\n\
                 max_connections = 1000\nmax_connections_per_peer = 1000",
            )
            .start()
            .await,
    );
    let client = Arc::new(server.connect(Lifecycle::Initialize).await);
    assert_eq!(
        ok_json(&client.call("get_item", json!({"id": "1"})).await),
        json!({"id": "1"})
    );
    let slow_client = client.clone();
    let slow = tokio::spawn(async move { slow_client.try_call("slow_call", json!({})).await });
    let session = open_session(&server).await;
    let raw_server = server.clone();
    let raw = tokio::spawn(async move {
        let call = json!({
            "jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "slow_call", "arguments": {}}
        });
        let headers = [
            ("mcp-session-id", session.as_str()),
            ("mcp-protocol-version", "2025-06-18"),
        ];
        let response = raw_server.post(&headers, &call).await;
        let status = response.status();
        (status, response.text().await)
    });
    let seen = upstream.wait_for(3, HANG_GUARD).await;
    assert_eq!(seen.len(), 3, "both slow calls reached the upstream");

    let address = SocketAddr::from(([127, 0, 0, 1], server.port));
    let mut watchers = Vec::new();
    for _ in 0..IDLE {
        let stream = TcpStream::connect(address).await.expect("connect");
        watchers.push(("idle", tokio::spawn(closed_by_server(stream))));
    }
    for _ in 0..HALF_SENT {
        let mut stream = TcpStream::connect(address).await.expect("connect");
        stream
            .write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .await
            .expect("send half a request");
        watchers.push(("half-sent", tokio::spawn(closed_by_server(stream))));
    }
    for _ in 0..KEPT_ALIVE {
        let mut stream = TcpStream::connect(address).await.expect("connect");
        assert_eq!(healthz(&mut stream).await, Outcome::Answered(200));
        watchers.push(("kept-alive", tokio::spawn(closed_by_server(stream))));
    }
    let mut still_open = Vec::new();
    for (kind, watcher) in watchers {
        if watcher.await.expect("watcher task").is_err() {
            still_open.push(kind);
        }
    }
    assert!(
        still_open.is_empty(),
        "{} connections were never closed: {still_open:?}\nstderr:\n{}",
        still_open.len(),
        server.stderr()
    );

    // Every held connection has now been closed for want of a request, yet the call
    // (in flight since before they opened) was not cut.
    assert!(!slow.is_finished(), "the rmcp call in flight ended early");
    assert!(!raw.is_finished(), "the raw call in flight ended early");
    release.open();
    let result = slow
        .await
        .expect("slow call task")
        .expect("the call in flight gets its answer");
    assert_eq!(ok_json(&result), json!({"slow": "done"}));
    let (status, body) = raw.await.expect("raw call task");
    assert_eq!(status, 200);
    let body = body.expect("the raw call's event stream was not cut");
    assert!(
        body.contains(r#""id":7"#) && body.contains("done"),
        "the raw call's answer: {body}"
    );
    assert_eq!(
        ok_json(&client.call("get_item", json!({"id": "1"})).await),
        json!({"id": "1"}),
        "the session still works"
    );
}

/// With `max_connections_per_peer = 3`, a fourth connection from 127.0.0.1 is refused
/// while 127.0.0.2 still connects, and closing one of the three makes room again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_peer_cap_refuses_one_address_but_not_another() {
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url())
        .toml(
            "[http]\nheader_read_timeout = \"60s\"\nidle_connection_timeout = \"60s\"\n\
             max_connections_per_peer = 3",
        )
        .start()
        .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(accepted_from(&server, [127, 0, 0, 1]).await);
    }
    let mut fourth = connect_from(&server, [127, 0, 0, 1]).await;
    assert_eq!(
        healthz(&mut fourth).await,
        Outcome::Refused,
        "a fourth connection from 127.0.0.1"
    );
    let mut other = accepted_from(&server, [127, 0, 0, 2]).await;
    for stream in &mut held {
        assert_eq!(
            healthz(stream).await,
            Outcome::Answered(200),
            "held connections keep working"
        );
    }
    drop(held.pop());
    let _again = accepted_from(&server, [127, 0, 0, 1]).await;
    assert_eq!(healthz(&mut other).await, Outcome::Answered(200));
}
