//! An upstream HTTP response to an MCP tool result: status, selected headers and body as
//! text, JSON as `structuredContent` when the tool declares an output schema, `isError`
//! on 4xx/5xx and on redirects that were not followed, a next-page hint, images as image
//! content, and bodies past the size limit truncated with a note.

pub(crate) mod fit;
pub mod headers;
mod pagination;
pub mod path;

use base64::Engine;
use reqwest::header::{HeaderMap, LINK, LOCATION};
use rmcp::model::{CallToolResult, ContentBlock, MetaObject};
use serde_json::{Map, Value, json};

pub(crate) use self::headers::ResponseHeaders;
pub(crate) use self::pagination::PageContext;
use crate::response::path::ResponsePath;
use crate::util::bounded_body::BoundedBody;

/// What shaping needs to know about the tool and the call.
pub(crate) struct Shape<'a> {
    /// The tool's name, for the next-page hint.
    pub(crate) tool: &'a str,
    /// Whether the tool declares an output schema, and whether it wraps the body.
    pub(crate) structured: Option<bool>,
    /// Part of the JSON body to return instead of all of it (the operator's choice).
    pub(crate) response_path: Option<&'a ResponsePath>,
    /// Part of that to return (the model's `select` argument for this call).
    pub(crate) select: Option<&'a ResponsePath>,
    /// Whether the tool offers `select`, for the truncation note.
    pub(crate) select_argument: bool,
    /// The size limit, for the truncation note.
    pub(crate) limit: usize,
    /// Which response headers the model sees.
    pub(crate) headers: &'a ResponseHeaders,
    /// The call, for the next page's arguments.
    pub(crate) page: Option<PageContext<'a>>,
}

/// Turn status, headers and body into the tool result.
pub(crate) fn shape(
    status: reqwest::StatusCode,
    headers: &HeaderMap,
    body: BoundedBody,
    shape: &Shape<'_>,
) -> CallToolResult {
    let redirected = status.is_redirection() && status != reqwest::StatusCode::NOT_MODIFIED;
    let is_error = status.is_client_error() || status.is_server_error() || redirected;
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let media = response_media(headers);
    let selected = shape.headers.select(headers);
    let mut status_line = format!(
        "HTTP {} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .trim_end()
    .to_owned();
    for (name, value) in &selected {
        status_line.push_str(&format!("\n{name}: {value}"));
    }
    let mut meta = Map::new();
    meta.insert("httpStatus".into(), json!(status.as_u16()));
    if let Some(content_type) = content_type {
        meta.insert("contentType".into(), json!(content_type));
    }
    if let Some(total) = body.total {
        meta.insert("bodyBytes".into(), json!(total));
    }
    if !selected.is_empty() {
        let map: Map<String, Value> = selected
            .into_iter()
            .map(|(name, value)| (name, Value::String(value)))
            .collect();
        meta.insert("headers".into(), Value::Object(map));
    }
    if redirected {
        return redirect_result(status_line, headers, meta);
    }
    let links = links(headers);
    if !links.is_empty() {
        meta.insert("links".into(), Value::Object(links.clone()));
    }
    let mut result = if media.starts_with("image/") && !body.truncated && !is_error {
        let encoded = base64::engine::general_purpose::STANDARD.encode(&body.bytes);
        CallToolResult::success(vec![
            ContentBlock::text(format!(
                "{status_line} ({media}, {} bytes)",
                body.bytes.len()
            )),
            ContentBlock::image(encoded, media.clone()),
        ])
    } else {
        let (result, parsed) = text_result(&status_line, &media, &body, is_error, shape);
        let mut result = result;
        if !is_error && let Some(page) = &shape.page {
            let next = links
                .get("next")
                .and_then(Value::as_str)
                .and_then(|url| page.arguments_for_url(url))
                .or_else(|| parsed.as_ref().and_then(|b| page.arguments_from_body(b)));
            if let Some(arguments) = next {
                add_next_page_hint(&mut result, &mut meta, shape.tool, arguments);
            }
        }
        result
    };
    // A result may be an error of its own (a `select` that matched nothing).
    result.is_error = Some(is_error || result.is_error == Some(true));
    result.with_meta(Some(MetaObject(meta)))
}

/// The essence of the response's media type (`application/json`), empty when it has none.
pub(crate) fn response_media(headers: &HeaderMap) -> String {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(rest_mcp_openapi::media_type_essence)
        .unwrap_or_default()
}

/// The `Link` header's targets by relation (`next`, `prev`, `first`, `last`, …).
fn links(headers: &HeaderMap) -> Map<String, Value> {
    let mut links = Map::new();
    for value in headers.get_all(LINK).iter().filter_map(|v| v.to_str().ok()) {
        for (rel, url) in pagination::parse_link_header(value) {
            links.entry(rel).or_insert(Value::String(url));
        }
    }
    links
}

/// Say, in the text and in `_meta.nextPage`, exactly how to call for the next page.
fn add_next_page_hint(
    result: &mut CallToolResult,
    meta: &mut Map<String, Value>,
    tool: &str,
    arguments: Map<String, Value>,
) {
    let arguments = Value::Object(arguments);
    let hint = format!("\n\nNext page: call `{tool}` with {arguments}");
    if let Some(ContentBlock::Text(text)) = result.content.first_mut() {
        text.text.push_str(&hint);
    }
    meta.insert(
        "nextPage".into(),
        json!({ "tool": tool, "arguments": arguments }),
    );
}

/// A redirect the client did not follow (another origin, a loop, too many hops): an error
/// that says where it pointed, so the model can tell the user or call elsewhere.
fn redirect_result(
    status_line: String,
    headers: &HeaderMap,
    meta: Map<String, Value>,
) -> CallToolResult {
    let location = headers.get(LOCATION).and_then(|v| v.to_str().ok());
    let explanation = match location {
        Some(location) => format!(
            "The upstream redirected to {location}. The redirect was not followed: it leads to another origin, loops, or takes too many hops, and credentials never leave the configured origin."
        ),
        None => "The upstream answered with a redirect but no Location header.".to_owned(),
    };
    let mut meta = meta;
    if let Some(location) = location
        && meta
            .get("headers")
            .is_none_or(|h| h.get("location").is_none())
    {
        meta.insert("location".into(), json!(location));
    }
    CallToolResult::error(vec![ContentBlock::text(format!(
        "{status_line}\n\n{explanation}"
    ))])
    .with_meta(Some(MetaObject(meta)))
}

/// The text result, and the parsed JSON body when there is one.
fn text_result(
    status_line: &str,
    media: &str,
    body: &BoundedBody,
    is_error: bool,
    shape: &Shape<'_>,
) -> (CallToolResult, Option<Value>) {
    let looks_json = media.ends_with("json")
        || (media.is_empty() && body.bytes.first().is_some_and(|b| *b == b'{' || *b == b'['));
    let parsed = if looks_json && !body.truncated {
        serde_json::from_slice::<Value>(&body.bytes).ok()
    } else {
        None
    };
    match parsed {
        Some(value) => (
            json_result(status_line, &value, is_error, shape),
            Some(value),
        ),
        None => (
            CallToolResult::success(vec![ContentBlock::text(plain_text(
                status_line,
                media,
                body,
                shape,
            ))]),
            None,
        ),
    }
}

/// A JSON body: the part `response_path` and `select` pick, cut by whole items and
/// members to the size limit, as text and (when declared) as `structuredContent`.
fn json_result(
    status_line: &str,
    value: &Value,
    is_error: bool,
    shape: &Shape<'_>,
) -> CallToolResult {
    let mut shown = None;
    if !is_error {
        if let Some(path) = shape.response_path {
            match path.extract(value) {
                Some(part) => shown = Some(part),
                None => {
                    let (body, _) = fit::fit(value.clone(), shape.limit);
                    return CallToolResult::success(vec![ContentBlock::text(format!(
                        "{status_line}\n\nresponse_path `{}` selected nothing in the response:\n{body}",
                        path.as_str()
                    ))]);
                }
            }
        }
        if let Some(select) = shape.select {
            let base = shown.as_ref().unwrap_or(value);
            match select.extract(base) {
                Some(part) => shown = Some(part),
                None => {
                    let (body, _) = fit::fit(base.clone(), shape.limit);
                    return CallToolResult::error(vec![ContentBlock::text(format!(
                        "{status_line}\n\n`select` {} matched nothing in the response. Write a JSONPath against this response (shown cut to fit), or leave `select` out to see all of it:\n{body}",
                        select.as_str()
                    ))]);
                }
            }
        }
    }
    let picked = shown.is_some();
    let summary = is_error.then(|| problem_summary(value)).flatten();
    let value = shown.unwrap_or_else(|| value.clone());
    let (value, cuts) = fit::fit(value, shape.limit);
    let mut text = format!("{status_line}\n\n");
    if let Some(summary) = summary {
        text.push_str(&summary);
        text.push_str("\n\n");
    }
    text.push_str(&value.to_string());
    if !cuts.is_empty() {
        let places: Vec<String> = cuts.iter().map(ToString::to_string).collect();
        let how = if shape.select_argument {
            "use `select` or the pagination arguments to see the rest"
        } else {
            "use the pagination or filter arguments to see the rest"
        };
        text.push_str(&format!(
            "\n\n[truncated to fit the {}-byte limit: {}; {how}]",
            shape.limit,
            places.join("; ")
        ));
    }
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    if !is_error {
        result.structured_content = match (shape.structured, picked, shape.select.is_some()) {
            (Some(_), true, true) => Some(json!({ "selected": value })),
            (_, false, _) => structured(value, shape.structured),
            _ => None,
        };
    }
    result
}

/// A body that is not JSON (or not complete JSON): text up to the limit, binary described.
fn plain_text(status_line: &str, media: &str, body: &BoundedBody, shape: &Shape<'_>) -> String {
    if is_binary(media) {
        return format!(
            "{status_line}\n\n({media} body of {} bytes; binary content is not shown)",
            body.total.unwrap_or(body.bytes.len() as u64)
        );
    }
    let cut = body.bytes.len() > shape.limit;
    let bytes = &body.bytes[..body.bytes.len().min(shape.limit)];
    let mut text = format!("{status_line}\n\n{}", String::from_utf8_lossy(bytes));
    if body.truncated || cut {
        let total = body.total.map_or_else(
            || format!("more than {}", body.bytes.len()),
            |t| t.to_string(),
        );
        text.push_str(&format!(
            "\n\n[truncated: showing the first {} of {total} bytes; ask for less (filters, pagination) to see the rest]",
            shape.limit
        ));
    }
    text
}

/// Make a successful result of a tool that declares an output schema carry conforming
/// `structuredContent`. MCP clients (the official SDKs among them) reject a result whose
/// structured content is missing or does not match, and the model would never see the
/// answer. When the body cannot serve (not JSON, truncated, empty, or the upstream
/// deviates from its spec), a notice that conforms takes its place; the body itself is
/// always in the text content.
pub(crate) fn ensure_conforming(result: &mut CallToolResult, conforms: &dyn Fn(&Value) -> bool) {
    if result.structured_content.as_ref().is_some_and(conforms) {
        return;
    }
    let reason = if result.structured_content.is_some() {
        "the response does not match the tool's declared output schema"
    } else {
        "the response is not a complete JSON document of the declared shape"
    };
    let notice = json!({ "notice": format!("{reason}; the full response is in the text content") });
    result.structured_content = Some(if conforms(&notice) { notice } else { json!({}) });
}

/// `structuredContent` for a tool with an output schema: the body, or `{"result": body}`
/// when the schema wraps it. A body whose shape contradicts the schema gets none.
fn structured(value: Value, declared: Option<bool>) -> Option<Value> {
    match declared? {
        true => Some(json!({ "result": value })),
        false if value.is_object() => Some(value),
        false => None,
    }
}

/// RFC 7807 problem details in one line: `Not Found (404): No pet with id 7`.
fn problem_summary(value: &Value) -> Option<String> {
    let title = value.get("title").and_then(Value::as_str);
    let detail = value.get("detail").and_then(Value::as_str);
    let status = value.get("status").and_then(Value::as_u64);
    if title.is_none() && detail.is_none() {
        return None;
    }
    let mut summary = title.unwrap_or("Error").to_owned();
    if let Some(status) = status {
        summary.push_str(&format!(" ({status})"));
    }
    if let Some(detail) = detail {
        summary.push_str(": ");
        summary.push_str(detail);
    }
    Some(summary)
}

fn is_binary(media: &str) -> bool {
    !(media.is_empty()
        || media.starts_with("text/")
        || media.ends_with("json")
        || media.ends_with("xml")
        || media.ends_with("yaml")
        || media == "application/javascript"
        || media == "application/x-www-form-urlencoded")
}

#[cfg(test)]
mod tests {
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
}
