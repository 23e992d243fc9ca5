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
mod tests;
