//! End to end: what `tools/list` serves, through the binary and rmcp's client: pages of at
//! most 512 KiB of tool definitions (a single larger tool comes as a page of its own and
//! is reported in the log), an invalid cursor is a JSON-RPC error, and the `x-rest-mcp-*`
//! extensions name, hide and annotate tools.

mod common;

use common::{CALL_TIMEOUT, Launch, temp_dir, write_file};
use rmcp::model::{ErrorCode, PaginatedRequestParams, Tool};
use rmcp::service::ServiceError;
use serde_json::{Value, json};

/// The bound README promises for one page.
const PAGE_BYTES: usize = 512 * 1024;
/// Ordinary tools in the paging spec, each with a description of [`ITEM_KIB`] KiB.
const ITEMS: usize = 24;
const ITEM_KIB: usize = 40;
/// The one tool larger than a page.
const HUGE_KIB: usize = 600;

/// `kib` KiB of prose.
fn filler(kib: usize) -> String {
    "a long description of what this operation does. ".repeat(kib * 1024 / 49)
}

/// A spec whose tools together are several pages long, with one tool larger than a page
/// (renamed with `x-rest-mcp-name`) in the middle, a hidden operation and an operation
/// whose hints are overridden.
fn paging_spec() -> Value {
    let mut paths = serde_json::Map::new();
    for n in 0..ITEMS {
        paths.insert(
            format!("/items/{n}"),
            json!({"get": {
                "operationId": format!("getItem{n}"),
                "description": filler(ITEM_KIB),
                "responses": {"200": {"description": "ok"}}
            }}),
        );
        if n == ITEMS / 2 {
            paths.insert(
                "/huge".to_owned(),
                json!({"get": {
                    "operationId": "getHuge",
                    "x-rest-mcp-name": "the_big_one",
                    "description": filler(HUGE_KIB),
                    "responses": {"200": {"description": "ok"}}
                }}),
            );
        }
    }
    paths.insert(
        "/secret".to_owned(),
        json!({"get": {
            "operationId": "getSecret",
            "x-rest-mcp-hidden": true,
            "responses": {"200": {"description": "ok"}}
        }}),
    );
    paths.insert(
        "/reports".to_owned(),
        json!({"post": {
            "operationId": "runReport",
            "x-rest-mcp-annotations": {"readOnlyHint": true, "idempotentHint": true},
            "responses": {"200": {"description": "ok"}}
        }}),
    );
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Paging", "version": "1"},
        "paths": paths
    })
}

/// Bytes of one tool definition as `tools/list` carries it.
fn size(tool: &Tool) -> usize {
    serde_json::to_string(tool).expect("tool JSON").len()
}

#[tokio::test]
async fn pages_stay_within_512_kib_and_an_oversized_tool_comes_alone_and_is_reported() {
    let dir = temp_dir("paging");
    let spec = write_file(&dir, "paging.json", &paging_spec().to_string());
    let server = Launch::bare()
        .args(["--spec", spec.to_str().expect("utf-8")])
        .args(["--base-url", "http://127.0.0.1:9"])
        .start()
        .await;
    let mut pages: Vec<Vec<Tool>> = Vec::new();
    let mut cursor = None;
    for _ in 0..100 {
        let params = cursor.map(|c| PaginatedRequestParams::default().with_cursor(Some(c)));
        let page = tokio::time::timeout(CALL_TIMEOUT, server.client().list_tools(params))
            .await
            .expect("tools/list in time")
            .expect("tools/list");
        pages.push(page.tools);
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert!(cursor.is_none(), "more than 100 pages");

    let mut oversized_pages = 0;
    for (n, page) in pages.iter().enumerate() {
        let bytes: usize = page.iter().map(size).sum();
        let names: Vec<&str> = page.iter().map(|t| t.name.as_ref()).collect();
        assert!(!page.is_empty(), "page {n} is empty");
        if bytes > PAGE_BYTES {
            assert_eq!(
                names,
                ["the_big_one"],
                "page {n} is {bytes} bytes with more than the one oversized tool"
            );
            oversized_pages += 1;
        }
    }
    assert_eq!(
        oversized_pages, 1,
        "the oversized tool has a page of its own"
    );
    let total: usize = pages.iter().flatten().map(size).sum();
    assert!(
        pages.len() >= total.div_ceil(PAGE_BYTES),
        "{} pages for {total} bytes",
        pages.len()
    );

    // x-rest-mcp-name renamed, x-rest-mcp-hidden left out, x-rest-mcp-annotations applied.
    let tools: Vec<&Tool> = pages.iter().flatten().collect();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(tools.len(), ITEMS + 2, "{names:?}");
    assert!(names.contains(&"the_big_one") && !names.contains(&"get_huge"));
    assert!(!names.iter().any(|n| n.contains("secret")), "{names:?}");
    let report = tools
        .iter()
        .find(|t| t.name == "run_report")
        .expect("run_report");
    let hints = report.annotations.as_ref().expect("annotations");
    assert_eq!(hints.read_only_hint, Some(true), "{hints:?}");
    assert_eq!(hints.idempotent_hint, Some(true), "{hints:?}");

    let stderr = server.stop().await;
    let warning = stderr
        .lines()
        .find(|line| line.contains("WARN") && line.contains("the_big_one"))
        .unwrap_or_else(|| panic!("the oversized tool is not reported:\n{stderr}"));
    assert!(warning.contains("512 KiB"), "{warning}");
    assert_eq!(
        stderr.lines().filter(|l| l.contains("WARN")).count(),
        1,
        "only the oversized tool is reported:\n{stderr}"
    );
}

#[tokio::test]
async fn an_invalid_cursor_is_a_json_rpc_error() {
    let server = Launch::new("responses.yaml", "http://127.0.0.1:9")
        .start()
        .await;
    let count = server.tools().await.len();
    for cursor in ["abc", "-1", "1.5", &(count + 1).to_string()] {
        let params = PaginatedRequestParams::default().with_cursor(Some(cursor.to_owned()));
        let outcome = tokio::time::timeout(CALL_TIMEOUT, server.client().list_tools(Some(params)))
            .await
            .expect("tools/list in time");
        match outcome {
            Err(ServiceError::McpError(error)) => {
                assert_eq!(error.code, ErrorCode::INVALID_PARAMS, "{cursor}: {error:?}");
                assert_eq!(error.message, format!("invalid cursor `{cursor}`"));
            }
            Err(other) => panic!("{cursor}: expected a JSON-RPC error, got {other}"),
            Ok(page) => panic!("{cursor}: accepted, {} tools", page.tools.len()),
        }
    }
    // The server keeps serving.
    assert_eq!(server.tools().await.len(), count);
    server.stop().await;
}
