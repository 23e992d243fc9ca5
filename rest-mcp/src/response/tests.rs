use super::*;
use reqwest::StatusCode;

fn body(bytes: &[u8], truncated: bool, total: u64) -> BoundedBody {
    BoundedBody {
        bytes: bytes.to_vec(),
        total: Some(total),
        truncated,
    }
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.clone())
        .collect()
}

static NO_HEADERS: ResponseHeaders = ResponseHeaders::none();

const PLAIN: Shape<'static> = Shape {
    tool: "t",
    structured: None,
    response_path: None,
    select: None,
    select_argument: false,
    limit: 10,
    headers: &NO_HEADERS,
    page: None,
};

fn typed(content_type: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        reqwest::header::CONTENT_TYPE,
        content_type.parse().expect("content type"),
    );
    headers
}

#[test]
fn json_is_compact_and_structured_when_declared() {
    let shape = Shape {
        structured: Some(false),
        ..PLAIN
    };
    let r = super::shape(
        StatusCode::OK,
        &typed("application/json"),
        body(b"{ \"a\" : 1 }", false, 11),
        &shape,
    );
    assert_eq!(text_of(&r), "HTTP 200 OK\n\n{\"a\":1}");
    assert_eq!(r.structured_content, Some(json!({"a": 1})));
    assert_eq!(r.is_error, Some(false));
    let wrapped = Shape {
        structured: Some(true),
        ..PLAIN
    };
    let r = super::shape(
        StatusCode::OK,
        &typed("application/json"),
        body(b"[1]", false, 3),
        &wrapped,
    );
    assert_eq!(r.structured_content, Some(json!({"result": [1]})));
    let r = super::shape(
        StatusCode::OK,
        &typed("application/json"),
        body(b"[1]", false, 3),
        &shape,
    );
    assert_eq!(
        r.structured_content, None,
        "an array where an object was declared"
    );
}

#[test]
fn errors_carry_status_and_problem_summary() {
    let r = super::shape(
        StatusCode::NOT_FOUND,
        &typed("application/problem+json"),
        body(
            br#"{"title":"Not Found","status":404,"detail":"No pet 7"}"#,
            false,
            50,
        ),
        &Shape {
            structured: Some(false),
            ..PLAIN
        },
    );
    assert_eq!(r.is_error, Some(true));
    assert!(text_of(&r).starts_with("HTTP 404 Not Found\n\nNot Found (404): No pet 7\n\n{"));
    assert_eq!(r.structured_content, None);
}

#[test]
fn truncation_states_the_original_size() {
    let r = super::shape(
        StatusCode::OK,
        &typed("text/plain"),
        body(b"0123456789", true, 5000),
        &PLAIN,
    );
    assert!(
        text_of(&r).contains("[truncated: showing the first 10 of 5000 bytes"),
        "{}",
        text_of(&r)
    );
}

#[test]
fn a_json_body_over_the_limit_is_cut_by_whole_items_and_stays_json() {
    let items: Vec<Value> = (0..100).map(|i| json!({"id": i})).collect();
    let bytes = serde_json::to_vec(&items).expect("json");
    let shape = Shape {
        structured: Some(true),
        limit: 100,
        ..PLAIN
    };
    let total = bytes.len() as u64;
    let r = super::shape(
        StatusCode::OK,
        &typed("application/json"),
        body(&bytes, false, total),
        &shape,
    );
    let text = text_of(&r);
    let json = text
        .strip_prefix("HTTP 200 OK\n\n")
        .and_then(|t| t.split("\n\n[truncated").next())
        .expect("status line, then JSON");
    let shown: Vec<Value> = serde_json::from_str(json).expect("valid JSON");
    assert!(!shown.is_empty() && shown.len() < 100);
    assert!(json.len() <= 100);
    assert!(
        text.contains(&format!("$ shows {} of 100 items", shown.len())),
        "{text}"
    );
    assert_eq!(r.structured_content, Some(json!({ "result": shown })));
}

#[test]
fn a_text_body_read_past_the_limit_is_cut_to_it() {
    let r = super::shape(
        StatusCode::OK,
        &typed("text/plain"),
        body(&[b'a'; 50], false, 50),
        &PLAIN,
    );
    let text = text_of(&r);
    assert!(
        text.starts_with(&format!("HTTP 200 OK\n\n{}\n\n[truncated", "a".repeat(10))),
        "{text}"
    );
    assert!(text.contains("of 50 bytes"), "{text}");
}

#[test]
fn images_are_image_content() {
    let r = super::shape(
        StatusCode::OK,
        &typed("image/png"),
        body(b"\x89PNG", false, 4),
        &PLAIN,
    );
    assert_eq!(r.content.len(), 2);
    assert!(r.content[1].as_image().is_some());
}

#[test]
fn non_conforming_structured_content_is_replaced_by_a_conforming_notice() {
    let schema_wants_integer = |v: &Value| v.get("size").is_none_or(Value::is_i64);
    let mut result = CallToolResult::success(vec![ContentBlock::text(
        "HTTP 200 OK\n\n{\"size\":\"big\"}",
    )]);
    result.structured_content = Some(json!({"size": "big"}));
    ensure_conforming(&mut result, &schema_wants_integer);
    assert!(
        result
            .structured_content
            .as_ref()
            .is_some_and(|v| v["notice"].is_string())
    );
    let mut missing = CallToolResult::success(vec![ContentBlock::text("HTTP 204 No Content")]);
    ensure_conforming(&mut missing, &|v: &Value| v.get("notice").is_none());
    assert_eq!(missing.structured_content, Some(json!({})));
    let mut fine = CallToolResult::success(vec![]);
    fine.structured_content = Some(json!({"size": 3}));
    ensure_conforming(&mut fine, &schema_wants_integer);
    assert_eq!(fine.structured_content, Some(json!({"size": 3})));
}

#[test]
fn response_path_selects_part() {
    let path = ResponsePath::parse("$.data[*].id").expect("path");
    let shape = Shape {
        structured: Some(false),
        response_path: Some(&path),
        limit: 100,
        ..PLAIN
    };
    let r = super::shape(
        StatusCode::OK,
        &typed("application/json"),
        body(br#"{"data":[{"id":1},{"id":2}]}"#, false, 28),
        &shape,
    );
    assert_eq!(text_of(&r), "HTTP 200 OK\n\n[1,2]");
    assert_eq!(r.structured_content, None);
}

#[test]
fn selected_headers_lead_the_text_and_fill_meta() {
    let mut headers = typed("application/json");
    headers.insert("etag", "\"v2\"".parse().expect("etag"));
    headers.insert("server", "nginx".parse().expect("server"));
    headers.insert(
        "link",
        "<https://x.test/items?page=3>; rel=\"next\""
            .parse()
            .expect("link"),
    );
    let defaults = ResponseHeaders::default();
    let parameters = [rest_mcp_openapi::Parameter {
        name: "page".into(),
        location: rest_mcp_openapi::ParamLocation::Query,
        argument: "page".into(),
        required: false,
        style: rest_mcp_openapi::ParamStyle::Form,
        explode: true,
        allow_reserved: false,
        deprecated: false,
        schema: json!({"type": "integer"}),
    }];
    let arguments = Map::from_iter([("page".to_owned(), json!(2))]);
    let shape = Shape {
        tool: "list_items",
        headers: &defaults,
        page: Some(PageContext {
            parameters: &parameters,
            arguments: &arguments,
        }),
        ..PLAIN
    };
    let r = super::shape(StatusCode::OK, &headers, body(b"[]", false, 2), &shape);
    assert_eq!(
        text_of(&r),
        "HTTP 200 OK\netag: \"v2\"\nlink: <https://x.test/items?page=3>; rel=\"next\"\n\n[]\n\nNext page: call `list_items` with {\"page\":3}"
    );
    let meta = r.meta.as_ref().map(|m| &m.0).expect("meta");
    assert_eq!(meta["headers"]["etag"], json!("\"v2\""));
    assert!(meta["headers"].get("server").is_none());
    assert_eq!(meta["links"]["next"], json!("https://x.test/items?page=3"));
    assert_eq!(
        meta["nextPage"],
        json!({"tool": "list_items", "arguments": {"page": 3}})
    );
}

#[test]
fn an_unfollowed_redirect_is_an_error_that_names_the_location() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "location",
        "https://elsewhere.test/x".parse().expect("location"),
    );
    let r = super::shape(StatusCode::FOUND, &headers, body(b"", false, 0), &PLAIN);
    assert_eq!(r.is_error, Some(true));
    assert!(text_of(&r).contains("redirected to https://elsewhere.test/x"));
    let meta = r.meta.as_ref().map(|m| &m.0).expect("meta");
    assert_eq!(meta["location"], json!("https://elsewhere.test/x"));
    let not_modified = super::shape(
        StatusCode::NOT_MODIFIED,
        &headers,
        body(b"", false, 0),
        &PLAIN,
    );
    assert_eq!(not_modified.is_error, Some(false));
}
