//! End to end: which header parameters a spec may turn into tool arguments. Hop-by-hop
//! and framing headers never are, nor are they sent from arguments; credential headers
//! (`Authorization`, `Cookie`) only when allowed.

mod common;

use std::time::Duration;

use common::{Launch, ok_text, temp_dir, write_file};
use rest_mcp_tests::{Reply, Upstream};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(5);

const HEADER_SPEC: &str = r#"
openapi: 3.0.3
info: {title: headers, version: "1"}
paths:
  /h:
    get:
      operationId: headers
      parameters:
        - {name: Host, in: header, schema: {type: string}}
        - {name: Transfer-Encoding, in: header, schema: {type: string}}
        - {name: Content-Length, in: header, schema: {type: string}}
        - {name: Connection, in: header, schema: {type: string}}
        - {name: Proxy-Authorization, in: header, schema: {type: string}}
        - {name: Cookie, in: header, schema: {type: string}}
        - {name: Authorization, in: header, schema: {type: string}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses:
        "200": {description: ok}
"#;

fn header_spec() -> std::path::PathBuf {
    write_file(&temp_dir("headers"), "headers.yaml", HEADER_SPEC)
}

fn argument_names(tool: &rmcp::model::Tool) -> Vec<String> {
    let mut names: Vec<String> = tool
        .input_schema
        .get("properties")
        .and_then(|p| p.as_object())
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn hop_by_hop_and_credential_headers_are_not_arguments() {
    let upstream = Upstream::start().await;
    upstream.respond("GET", "/h", Reply::json(200, json!({"ok": true})));
    let spec = header_spec();
    let server = Launch::bare()
        .args([
            "--spec",
            spec.to_str().expect("utf-8"),
            "--base-url",
            &upstream.url(),
        ])
        .args(["--log-level", "info"])
        .start()
        .await;
    let tools = server.tools().await;
    assert_eq!(argument_names(&tools[0]), ["X-Trace"]);
    // A call naming them anyway is refused as unknown arguments: nothing is sent.
    let refused = server
        .call(
            "headers",
            json!({"X-Trace": "t1", "Host": "evil.example", "Cookie": "sid=stolen"}),
        )
        .await;
    assert!(common::is_error(&refused));
    assert!(
        common::err_text(&refused).contains("unknown argument `Host`"),
        "{}",
        common::err_text(&refused)
    );
    assert_eq!(upstream.count(), 0);
    let result = server.call("headers", json!({"X-Trace": "t1"})).await;
    let received = upstream.wait_for(1, WAIT).await;
    let sent = received.last().expect("the call reached the upstream");
    assert_eq!(sent.header("x-trace"), Some("t1"), "{}", ok_text(&result));
    assert_eq!(
        sent.header("host"),
        Some(upstream.addr.to_string().as_str())
    );
    assert_eq!(sent.header("cookie"), None);
    assert_eq!(sent.header("transfer-encoding"), None);
    let stderr = server.stop().await;
    for name in [
        "Host",
        "Transfer-Encoding",
        "Content-Length",
        "Connection",
        "Proxy-Authorization",
        "Cookie",
        "Authorization",
    ] {
        assert!(
            stderr.contains(&format!("header parameter `{name}`")),
            "no diagnostic names `{name}`:\n{stderr}"
        );
    }
}

#[tokio::test]
async fn credential_headers_are_arguments_only_when_allowed() {
    let upstream = Upstream::start().await;
    let spec = header_spec();
    let server = Launch::bare()
        .args([
            "--spec",
            spec.to_str().expect("utf-8"),
            "--base-url",
            &upstream.url(),
        ])
        .arg("--allow-credential-headers")
        .start()
        .await;
    let tools = server.tools().await;
    assert_eq!(
        argument_names(&tools[0]),
        ["Authorization", "Cookie", "X-Trace"],
        "hop-by-hop headers stay out even then"
    );
    let _ = server.call("headers", json!({"Cookie": "sid=mine"})).await;
    let received = upstream.wait_for(1, WAIT).await;
    assert_eq!(
        received.last().and_then(|r| r.header("cookie")),
        Some("sid=mine")
    );
}
