//! End to end: how upstream answers (and failures to get one) become MCP tool results.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Launch, err_text, ok_text};
use rest_mcp_tests::{Gate, Reply, Upstream, free_port};
use serde_json::json;

#[tokio::test]
async fn json_errors_images_and_response_path() {
    let upstream = Upstream::start().await;
    let server = Launch::new("responses.yaml", &upstream.url()).start().await;

    // 2xx JSON object: the status and body as text, the body as structuredContent.
    upstream.respond(
        "GET",
        "/things/t1",
        Reply::json(200, json!({"id": "t1", "size": 3})),
    );
    let result = server.call("get_thing", json!({"id": "t1"})).await;
    let body = ok_text(&result);
    assert!(body.starts_with("HTTP 200"), "{body}");
    assert!(body.contains(r#"{"id":"t1","size":3}"#), "{body}");
    assert_eq!(
        result.structured_content,
        Some(json!({"id": "t1", "size": 3}))
    );

    // 2xx JSON array: structuredContent wraps it as {"result": [...]}.
    upstream.respond(
        "GET",
        "/things",
        Reply::json(200, json!([{"id": "a"}, {"id": "b"}])),
    );
    let result = server.call("list_things", json!({})).await;
    ok_text(&result);
    assert_eq!(
        result.structured_content,
        Some(json!({"result": [{"id": "a"}, {"id": "b"}]}))
    );

    // 4xx problem+json: an error result with the status, a one-line summary and the body.
    upstream.respond(
        "GET",
        "/things/gone",
        Reply::json(
            404,
            json!({"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No thing gone"}),
        )
        .with_header("content-type", "application/problem+json"),
    );
    let result = server.call("get_thing", json!({"id": "gone"})).await;
    let message = err_text(&result);
    assert!(message.starts_with("HTTP 404"), "{message}");
    assert!(
        message.contains("Not Found (404): No thing gone"),
        "{message}"
    );
    assert!(message.contains(r#""type":"about:blank""#), "{message}");
    assert_eq!(result.structured_content, None);

    // 5xx with a text body: an error result with the status and the body.
    upstream.respond(
        "GET",
        "/things/boom",
        Reply::text(503, "database is on fire"),
    );
    let message = err_text(&server.call("get_thing", json!({"id": "boom"})).await);
    assert!(message.starts_with("HTTP 503"), "{message}");
    assert!(message.contains("database is on fire"), "{message}");

    // image/png: image content carrying the exact bytes.
    let png: Vec<u8> = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-not-really-an-image".to_vec();
    upstream.respond("GET", "/logo", Reply::bytes(200, "image/png", png.clone()));
    let result = server.call("get_logo", json!({})).await;
    ok_text(&result);
    let image = result
        .content
        .iter()
        .find_map(|c| c.as_image())
        .expect("an image block");
    assert_eq!(image.mime_type, "image/png");
    assert_eq!(STANDARD.decode(&image.data).expect("base64"), png);

    // x-rest-mcp-response-path: only the selected part comes back.
    upstream.respond(
        "GET",
        "/search",
        Reply::json(
            200,
            json!({"data": {"items": [{"name": "alpha", "x": 1}, {"name": "beta"}]}, "meta": {"secret_cursor": "zzz"}}),
        ),
    );
    let result = server.call("search", json!({})).await;
    let body = ok_text(&result);
    assert_eq!(body, "HTTP 200 OK\n\n[\"alpha\",\"beta\"]");
    server.stop().await;
}

#[tokio::test]
async fn timeout_and_truncation() {
    let upstream = Upstream::start().await;
    let server = Launch::new("responses.yaml", &upstream.url())
        .args(["--timeout", "300ms", "--max-response-size", "100"])
        .start()
        .await;

    // A reply held until after the call returned: only --timeout can end the call, with
    // an error result that says so.
    let held = Gate::new();
    upstream.respond(
        "GET",
        "/things/slow",
        Reply::json(200, json!({"id": "slow"})).with_gate(&held),
    );
    let message = err_text(&server.call("get_thing", json!({"id": "slow"})).await);
    assert!(!held.is_open());
    held.open();
    assert!(
        message.contains("0.3 s") && message.to_lowercase().contains("timeout"),
        "{message}"
    );
    assert_eq!(upstream.count(), 1, "the request was sent once");

    // A body over --max-response-size: cut, with a note stating the original size.
    let report = "0123456789".repeat(500);
    upstream.respond("GET", "/report", Reply::text(200, &report));
    let result = server.call("get_report", json!({})).await;
    let body = ok_text(&result);
    assert!(
        body.contains("[truncated: showing the first 100 of 5000 bytes"),
        "{body}"
    );
    assert!(body.contains(&report[..100]), "{body}");
    assert!(
        !body.contains(&report[..101]),
        "more than the limit came back: {body}"
    );
    server.stop().await;
}

#[tokio::test]
async fn refused_connection_is_an_error_result() {
    // A port that nothing listens on.
    let port = free_port();
    let server = Launch::new("responses.yaml", &format!("http://127.0.0.1:{port}"))
        .start()
        .await;
    let result = server.call("get_thing", json!({"id": "x"})).await;
    let message = err_text(&result);
    assert!(message.contains("connection refused"), "{message}");
    assert!(message.contains(&port.to_string()), "{message}");
    // The server keeps serving after a transport failure.
    let again = err_text(&server.call("list_things", json!({})).await);
    assert!(again.contains("connection refused"), "{again}");
    server.stop().await;
}

#[tokio::test]
async fn successful_results_of_tools_with_an_output_schema_carry_conforming_structured_content() {
    // The MCP spec: a tool that declares an outputSchema MUST return structured results
    // that conform to it; the official Python SDK rejects any success result that has no
    // structuredContent or one that does not validate, so the model never sees the answer.
    let upstream = Upstream::start().await;
    let server = Launch::new("responses.yaml", &upstream.url())
        .args(["--max-response-size", "100"])
        .start()
        .await;
    let tools = server.tools().await;
    let schema = tools
        .iter()
        .find(|t| t.name == "get_thing")
        .and_then(|t| t.output_schema.clone())
        .expect("get_thing declares an output schema");
    let validator =
        jsonschema::validator_for(&serde_json::Value::Object((*schema).clone())).expect("schema");
    let cases = [
        ("fine", Reply::json(200, json!({"id": "fine", "size": 1}))),
        // The upstream deviates from its spec (very common in practice).
        (
            "mismatch",
            Reply::json(200, json!({"id": 5, "size": "big"})),
        ),
        // JSON larger than --max-response-size (truncated).
        (
            "big",
            Reply::json(200, json!({"id": "x".repeat(200), "size": 1})),
        ),
        // A 2xx without a body, and a 2xx that is not JSON.
        ("empty", Reply::empty(204)),
        ("text", Reply::text(200, "ok")),
    ];
    let mut problems = Vec::new();
    for (id, reply) in cases {
        upstream.respond("GET", &format!("/things/{id}"), reply);
        let result = server.call("get_thing", json!({"id": id})).await;
        if result.is_error != Some(false) {
            problems.push(format!(
                "{id}: a 2xx answer came back as isError {:?}: {}",
                result.is_error,
                common::text(&result)
            ));
            continue;
        }
        match &result.structured_content {
            None => problems.push(format!("{id}: success without structuredContent")),
            Some(value) if !validator.is_valid(value) => problems.push(format!(
                "{id}: structuredContent {value} does not match the schema"
            )),
            Some(_) => {}
        }
    }
    server.stop().await;
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test]
async fn concurrent_calls_are_served_in_parallel() {
    // Every reply is held until all eight requests have reached the upstream: that can
    // only happen if rest-mcp has all eight calls in flight at once.
    const CALLS: usize = 8;
    let upstream = Upstream::start().await;
    let all_arrived = Gate::new();
    upstream.respond_default(
        Reply::json(200, json!({"id": "held", "size": 1})).with_gate(&all_arrived),
    );
    let server = Launch::new("responses.yaml", &upstream.url()).start().await;
    let calls = (0..CALLS).map(|i| server.call("get_thing", json!({"id": format!("c{i}")})));
    let release = async {
        let seen = upstream.wait_for(CALLS, HANG_GUARD).await;
        all_arrived.open();
        seen.len()
    };
    let (results, in_flight_together) = tokio::join!(futures_join_all(calls), release);
    assert_eq!(
        in_flight_together, CALLS,
        "the calls were not all in flight at once"
    );
    for (i, result) in results.iter().enumerate() {
        let body = ok_text(result);
        assert!(body.contains("\"held\""), "{i}: {body}");
    }
    let mut paths: Vec<String> = upstream.requests().into_iter().map(|r| r.path).collect();
    paths.sort();
    let expected: Vec<String> = (0..CALLS).map(|i| format!("/things/c{i}")).collect();
    assert_eq!(paths, expected);
    server.stop().await;
}

/// Longest wait for an event (a hang guard, never the thing tested).
const HANG_GUARD: Duration = Duration::from_secs(20);

/// Polls every future to completion concurrently (no extra dependency).
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("completed")).collect()
}
