//! End to end: how tool arguments become the upstream request (parameters in every
//! location and style, every body encoding) and how bad arguments are refused before
//! anything is sent. Each test drives the built binary through rmcp's client over stdio
//! and asserts on what a recording upstream received.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Launch, err_text, ok_text};
use rest_mcp_tests::{Upstream, percent_decode};
use rmcp::model::ErrorCode;
use rmcp::service::ServiceError;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn parameters_in_every_location_and_style() {
    let upstream = Upstream::start().await;
    let server = Launch::new("params.yaml", &upstream.url()).start().await;

    let result = server
        .call(
            "get_file",
            json!({
                "dir": "my docs",
                "name": "ä.txt",
                "tags": ["a", "b c"],
                "ids": [1, 2, 3],
                "words": ["x", "y"],
                "levels": ["l1", "l2"],
                "filter": {"status": "open", "owner": {"login": "me"}},
                "q": "a b&c",
                "X-Request-Id": "rid-1",
                "session": "s 1",
                "theme": "dark"
            }),
        )
        .await;
    ok_text(&result);
    let seen = upstream.wait_for(1, WAIT).await;
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.method, "GET");
    // Path arguments are percent-encoded, each inside its own segment.
    assert_eq!(r.path, "/files/my%20docs/%C3%A4.txt");
    // form+explode repeats the name, form without explode joins with commas,
    // spaceDelimited with %20, pipeDelimited with |, deepObject uses brackets; the
    // schema default of `limit` (25) is not sent: the upstream applies its own.
    assert_eq!(
        r.query.as_deref(),
        Some(
            "tags=a&tags=b%20c&ids=1,2,3&words=x%20y&levels=l1|l2\
             &filter[status]=open&filter[owner][login]=me&q=a%20b%26c"
        )
    );
    assert_eq!(r.query_param("q").as_deref(), Some("a b&c"));
    assert_eq!(r.query_param("filter[owner][login]").as_deref(), Some("me"));
    assert_eq!(r.header("x-request-id"), Some("rid-1"));
    assert_eq!(r.header_all("cookie"), vec!["session=s%201; theme=dark"]);

    // An explicit value is sent; absent optional parameters send nothing.
    upstream.clear();
    let result = server
        .call("get_file", json!({"dir": "d", "name": "n", "limit": 5}))
        .await;
    ok_text(&result);
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(r.path, "/files/d/n");
    assert_eq!(r.query.as_deref(), Some("limit=5"));
    assert_eq!(r.header("x-request-id"), None);
    assert_eq!(r.header("cookie"), None);
    server.stop().await;
}

#[tokio::test]
async fn bodies_json_flattened_whole_form_multipart_binary_and_text() {
    let upstream = Upstream::start().await;
    let server = Launch::new("bodies.yaml", &upstream.url()).start().await;

    // JSON, flattened: the body's `id` collides with the path's `id` and is `body_id`.
    let tools = server.tools().await;
    let update = tools
        .iter()
        .find(|t| t.name == "update_item")
        .expect("update_item");
    let properties = update.input_schema["properties"]
        .as_object()
        .expect("properties");
    assert!(properties.contains_key("id") && properties.contains_key("body_id"));
    ok_text(
        &server
            .call(
                "update_item",
                json!({"id": 7, "body_id": "sku-1", "name": "Lamp", "price": 9.5, "tags": ["a"]}),
            )
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!((r.method.as_str(), r.path.as_str()), ("PUT", "/items/7"));
    assert_eq!(r.media_type().as_deref(), Some("application/json"));
    assert_eq!(
        r.json(),
        json!({"id": "sku-1", "name": "Lamp", "price": 9.5, "tags": ["a"]})
    );

    // JSON, whole body that is not an object.
    upstream.clear();
    ok_text(
        &server
            .call("post_batch", json!({"body": [{"n": 1}, {"n": 2}]}))
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/batch"));
    assert_eq!(r.json(), json!([{"n": 1}, {"n": 2}]));

    // Form-urlencoded with nested objects and arrays in bracket notation.
    upstream.clear();
    ok_text(
        &server
            .call(
                "create_charge",
                json!({
                    "amount": 2000,
                    "currency": "usd",
                    "metadata": {"order_id": "6735", "note": "a&b=c"},
                    "items": [{"price": "p_1", "quantity": 2}, {"price": "p_2"}]
                }),
            )
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(
        r.media_type().as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let pairs: Vec<(String, String)> = r.form_pairs();
    let expected: Vec<(String, String)> = [
        ("amount", "2000"),
        ("currency", "usd"),
        ("metadata[order_id]", "6735"),
        ("metadata[note]", "a&b=c"),
        ("items[0][price]", "p_1"),
        ("items[0][quantity]", "2"),
        ("items[1][price]", "p_2"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(pairs, expected, "raw body: {}", r.body_text());

    // Multipart with a file part from base64 content, filename and content type.
    upstream.clear();
    let bytes: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0, 255, b'\r', b'\n', 7];
    ok_text(
        &server
            .call(
                "upload_file",
                json!({
                    "file": {"content": STANDARD.encode(&bytes), "filename": "pic.png", "content_type": "image/png"},
                    "caption": "hello there"
                }),
            )
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(r.media_type().as_deref(), Some("multipart/form-data"));
    let parts = r.multipart();
    let file = parts.iter().find(|p| p.name == "file").expect("file part");
    assert_eq!(file.filename.as_deref(), Some("pic.png"));
    assert_eq!(file.content_type.as_deref(), Some("image/png"));
    assert_eq!(file.body, bytes);
    let caption = parts
        .iter()
        .find(|p| p.name == "caption")
        .expect("caption part");
    assert_eq!(caption.text(), "hello there");
    assert_eq!(caption.filename, None);

    // Raw application/octet-stream: base64 in, the exact bytes out.
    upstream.clear();
    let blob: Vec<u8> = (0..=255u8).rev().collect();
    ok_text(
        &server
            .call("put_blob", json!({"body": STANDARD.encode(&blob)}))
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!((r.method.as_str(), r.path.as_str()), ("PUT", "/blobs"));
    assert_eq!(r.media_type().as_deref(), Some("application/octet-stream"));
    assert_eq!(r.body, blob);

    // text/plain, sent as is.
    upstream.clear();
    ok_text(
        &server
            .call(
                "post_note",
                json!({"body": "first line\nsecond: {not json}"}),
            )
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(r.media_type().as_deref(), Some("text/plain"));
    assert_eq!(r.body_text(), "first line\nsecond: {not json}");
    server.stop().await;
}

#[tokio::test]
async fn invalid_arguments_are_refused_before_sending() {
    let upstream = Upstream::start().await;
    let server = Launch::new("params.yaml", &upstream.url()).start().await;

    // Unknown argument: the closest valid name is suggested.
    let message = err_text(
        &server
            .call("get_file", json!({"dir": "d", "name": "n", "limt": 5}))
            .await,
    );
    assert!(
        message.contains("unknown argument `limt`") && message.contains("did you mean `limit`"),
        "{message}"
    );

    // Wrong type: the message names the argument.
    let message = err_text(
        &server
            .call("get_file", json!({"dir": "d", "name": "n", "limit": "ten"}))
            .await,
    );
    assert!(message.contains("`limit`"), "{message}");

    // Missing required argument: named.
    let message = err_text(&server.call("get_file", json!({"name": "n"})).await);
    assert!(
        message.contains("\"dir\"") && message.contains("required"),
        "{message}"
    );
    assert_eq!(
        upstream.count(),
        0,
        "nothing may be sent for invalid arguments"
    );

    // Unknown tool: a JSON-RPC invalid-params error with a did-you-mean.
    match server.try_call("get_fil", json!({})).await {
        Err(ServiceError::McpError(error)) => {
            assert_eq!(error.code, ErrorCode::INVALID_PARAMS);
            assert!(
                error.message.contains("unknown tool `get_fil`")
                    && error.message.contains("did you mean `get_file`"),
                "{}",
                error.message
            );
        }
        other => panic!("expected an invalid-params error, got {other:?}"),
    }
    assert_eq!(upstream.count(), 0);
    server.stop().await;
}

#[tokio::test]
async fn a_percent_encoded_path_value_round_trips() {
    // Percent signs and reserved characters survive as data, decoded by the upstream to
    // exactly what the model sent.
    let upstream = Upstream::start().await;
    let server = Launch::new("params.yaml", &upstream.url()).start().await;
    let value = "100% sure; a=b, [c] @d ~e";
    ok_text(
        &server
            .call("get_file", json!({"dir": value, "name": "n"}))
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    let segments = r.segments();
    assert_eq!(segments.len(), 3, "{}", r.path);
    assert_eq!(percent_decode(segments[1]), value);
    server.stop().await;
}

#[tokio::test]
async fn the_base_url_path_prefix_and_query_are_kept() {
    let upstream = Upstream::start().await;
    let base = format!("{}/api/v3/?tenant=t%201", upstream.url());
    let server = Launch::new("params.yaml", &base).start().await;
    ok_text(
        &server
            .call("get_file", json!({"dir": "d", "name": "n", "q": "x"}))
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(r.path, "/api/v3/files/d/n");
    assert_eq!(
        r.query_pairs(),
        vec![
            ("tenant".to_owned(), "t 1".to_owned()),
            ("q".to_owned(), "x".to_owned()),
        ]
    );
    server.stop().await;
}

#[tokio::test]
async fn path_styles_header_arrays_and_name_collisions() {
    let upstream = Upstream::start().await;
    let server = Launch::new("params.yaml", &upstream.url()).start().await;
    ok_text(
        &server
            .call(
                "get_styles",
                json!({
                    "label": ["a b", "c"],
                    "matrix": ["d", "e/f"],
                    "exploded": ["g", "h"],
                    "query_label": "from-query",
                    "X-Ids": [1, 2],
                    "prefs": ["x", "y z"]
                }),
            )
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    // label: `.v1,v2`; matrix: `;name=v1,v2`; exploded matrix: `;name=v1;name=v2`; every
    // value encoded inside its segment.
    assert_eq!(
        r.path,
        "/styles/.a%20b,c/;matrix=d,e%2Ff/;exploded=g;exploded=h"
    );
    // The query parameter that shares the path parameter's name is `query_label`.
    assert_eq!(r.query.as_deref(), Some("label=from-query"));
    assert_eq!(r.header("x-ids"), Some("1,2"));
    assert_eq!(r.header("cookie"), Some("prefs=x,y%20z"));
    server.stop().await;
}
