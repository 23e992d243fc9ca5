//! Every client mistake gets the JSON-RPC answer that names it, over both transports: a
//! line or body that is not JSON (`-32700`), JSON that is not a message (`-32600`), a
//! known method with params that do not fit (`-32602`, not "method not found"); and the
//! HTTP session lifecycle answers as clients expect (DELETE `204`, then `404`; stateless
//! mode promises no `listChanged`).

mod http_common;

use std::process::Stdio;
use std::time::Duration;

use http_common::{Launch, initialize_request};
use rest_mcp_tests::Upstream;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const ANSWER_WITHIN: Duration = Duration::from_secs(20);

/// The JSON-RPC error code of a response, and its message.
fn error_of(response: &Value) -> (i64, String) {
    let error = &response["error"];
    (
        error["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("an error: {response}")),
        error["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// A stdio session written line by line, read answer by answer.
struct StdioSession {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl StdioSession {
    fn start(base_url: &str) -> StdioSession {
        let dir = http_common::temp_dir("stdio-errors");
        let mut child = tokio::process::Command::new(http_common::BIN)
            .args(["--spec"])
            .arg(http_common::team_spec())
            .args(["--base-url", base_url, "--tools", "all"])
            .env_clear()
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn rest-mcp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        StdioSession {
            child,
            stdin,
            stdout,
        }
    }

    async fn send_line(&mut self, line: &str) {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("write stdin");
        self.stdin.flush().await.expect("flush stdin");
    }

    /// The next line the server writes, as JSON.
    async fn answer(&mut self) -> Value {
        let line = tokio::time::timeout(ANSWER_WITHIN, self.stdout.next_line())
            .await
            .expect("no answer: the line went unanswered")
            .expect("read stdout")
            .expect("stdout closed");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }
}

#[tokio::test]
async fn stdio_answers_every_line_it_cannot_serve() {
    let upstream = Upstream::start().await;
    let mut session = StdioSession::start(&upstream.url());

    // Before the handshake: neither line may kill the session or go unanswered.
    session
        .send_line("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":")
        .await;
    let answer = session.answer().await;
    let (code, message) = error_of(&answer);
    assert_eq!(code, -32700, "{answer}");
    assert!(message.contains("not JSON"), "{message}");
    assert_eq!(answer["jsonrpc"], "2.0");

    session.send_line("{\"hello\": \"world\", \"id\": 7}").await;
    let answer = session.answer().await;
    assert_eq!(error_of(&answer).0, -32600, "{answer}");
    assert_eq!(answer["id"], 7, "the readable id is echoed: {answer}");

    // The session still starts and serves.
    session.send_line(&initialize_request().to_string()).await;
    let answer = session.answer().await;
    assert_eq!(answer["id"], 1, "{answer}");
    assert_eq!(
        answer["result"]["capabilities"]["tools"]["listChanged"],
        true
    );
    session
        .send_line(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string())
        .await;

    // A known method with the wrong params is invalid params, saying what fits.
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "list_items", "arguments": ["a", "b"]}});
    session.send_line(&call.to_string()).await;
    let answer = session.answer().await;
    assert_eq!(answer["id"], 2, "{answer}");
    let (code, message) = error_of(&answer);
    assert_eq!(code, -32602, "{answer}");
    assert!(
        message.contains("tools/call") && message.contains("\"arguments\"?: object"),
        "{message}"
    );
    // A method nobody serves is still "method not found", naming what is served.
    session
        .send_line(&json!({"jsonrpc": "2.0", "id": 3, "method": "tools/invoke"}).to_string())
        .await;
    let answer = session.answer().await;
    let (code, message) = error_of(&answer);
    assert_eq!((code, answer["id"].clone()), (-32601, json!(3)), "{answer}");
    assert!(message.contains("tools/call"), "{message}");
    assert_eq!(upstream.count(), 0, "no mistake reached the API");

    drop(session.stdin);
    let status = tokio::time::timeout(ANSWER_WITHIN, session.child.wait())
        .await
        .expect("the server ends when stdin closes")
        .expect("wait");
    assert!(status.success(), "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_answers_malformed_bodies_with_400_and_a_jsonrpc_error() {
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url())
        .toml("[http]\nstateless = true\n")
        .start()
        .await;
    for (body, code) in [
        (
            &b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":"[..],
            -32700,
        ),
        (b"not json at all", -32700),
        (b"{\"hello\": \"world\"}", -32600),
        (b"[1, 2, 3]", -32600),
    ] {
        let response = server.post_bytes(&[], body.to_vec()).await.expect("POST");
        let shown = String::from_utf8_lossy(body);
        assert_eq!(response.status(), 400, "{shown}");
        let answer: Value = response.json().await.expect("a JSON body");
        assert_eq!(answer["jsonrpc"], "2.0", "{shown}: {answer}");
        assert_eq!(error_of(&answer).0, code, "{shown}: {answer}");
    }
    // A non-JSON content type is still the transport's 415.
    let response = http_common::http_client()
        .post(server.mcp_url())
        .header("content-type", "text/plain")
        .header("accept", "application/json, text/event-stream")
        .body("{}")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 415);

    let call = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
        "params": {"name": "list_items", "arguments": [1]}});
    let answer: Value = server.post(&[], &call).await.json().await.expect("JSON");
    assert_eq!(error_of(&answer).0, -32602, "{answer}");
    assert_eq!(answer["id"], 5, "{answer}");

    // Stateless: no session to announce a changed list on, so none is promised.
    let init: Value = server
        .post(&[], &initialize_request())
        .await
        .json()
        .await
        .expect("JSON");
    let tools = &init["result"]["capabilities"]["tools"];
    assert!(tools.is_object(), "{init}");
    assert_ne!(tools["listChanged"], true, "{init}");
    assert_eq!(upstream.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_session_answers_204_then_404() {
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url()).start().await;
    let opened = server.post(&[], &initialize_request()).await;
    assert_eq!(opened.status(), 200);
    let id = http_common::header(&opened, "mcp-session-id").expect("a session id");
    // The event stream may open with a priming event whose data is empty.
    let init: Value = opened
        .text()
        .await
        .expect("body")
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .find_map(|data| serde_json::from_str(data.trim()).ok())
        .expect("an SSE event with the initialize result");
    assert_eq!(
        init["result"]["capabilities"]["tools"]["listChanged"], true,
        "stateful sessions are told of changes: {init}"
    );
    let delete = |session: String| {
        http_common::http_client()
            .delete(server.mcp_url())
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", "2025-06-18")
            .send()
    };
    let ended = delete(id.clone()).await.expect("DELETE");
    assert_eq!(ended.status(), 204);
    assert_eq!(
        delete(id).await.expect("DELETE").status(),
        404,
        "already ended"
    );
    let unknown = delete("no-such-session".to_owned()).await.expect("DELETE");
    assert_eq!(unknown.status(), 404);
}
