//! Target `response_shaping`: an arbitrary upstream answer (status, content type, `Link`
//! header, body, size limit, `select` and `response_path`) shaped into a tool result. The
//! result is what MCP allows (serializable, `structuredContent` an object, `isError` on
//! every failure status), and cutting JSON to the limit keeps it valid and within budget.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, LINK};
use serde_json::Value;

use super::{Input, harness_endpoints};
use crate::response::fit::{fit, json_len};
use crate::response::path::ResponsePath;
use crate::response::{PageContext, ResponseHeaders, Shape, ensure_conforming, shape};
use crate::util::bounded_body::BoundedBody;

const STATUSES: &[u16] = &[
    200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 400, 401, 403, 404, 409, 422, 429, 500, 502,
    503,
];

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/problem+json",
    "application/vnd.api+json;q=1",
    "text/plain",
    "text/html; charset=iso-8859-1",
    "text/event-stream",
    "application/xml",
    "image/png",
    "application/octet-stream",
    "multipart/mixed; boundary=x",
    ";;;",
];

const PATHS: &[&str] = &[
    "$",
    "$.items",
    "$.items[*].id",
    "$..id",
    "$[0]",
    "$.data[-1:]",
    "$['a b']",
    "$.items[?@.price > 10]",
    "$..*",
];

const LINKS: &[&str] = &[
    "<http://127.0.0.1:8080/api/v1/files/a/b?page=2&cursor=xyz>; rel=\"next\"",
    "<http://127.0.0.1:8080/api/v1/files/a/b?page=2>; rel=\"next last\", <http://127.0.0.1:8080/api/v1/files/a/b?page=1>; rel=prev",
    "<http://evil.example/steal?page=2>; rel=next",
    "<?unknown=1>; rel=next",
    "<>; rel=",
    "<<<>>>;;rel=next,",
];

/// Shape one arbitrary upstream answer.
pub fn response_shaping(data: &[u8]) {
    let mut input = Input::new(data);
    let status = StatusCode::from_u16(STATUSES[input.choose(STATUSES.len())])
        .expect("the listed statuses are valid");
    let content_type = input.choose(CONTENT_TYPES.len() + 1);
    let flags = input.byte();
    let limit = 16usize << (input.byte() % 9);
    let select = pick_path(&mut input);
    let response_path = pick_path(&mut input);
    let link = input.choose(LINKS.len() + 1);
    let body = input.rest();

    let mut headers = HeaderMap::new();
    if let Some(value) = CONTENT_TYPES.get(content_type) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
    }
    if let Some(value) = LINKS.get(link) {
        headers.insert(LINK, HeaderValue::from_static(value));
    }
    let truncated = flags & 0b1000 != 0;
    let bounded = BoundedBody {
        bytes: body.to_vec(),
        total: (!truncated).then_some(body.len() as u64),
        truncated,
    };
    let endpoint = &harness_endpoints()[0];
    let arguments = serde_json::Map::new();
    let response_headers = ResponseHeaders::default();
    let call_shape = Shape {
        tool: endpoint.operation().tool_name.as_str(),
        structured: match flags % 3 {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        },
        response_path: response_path.as_ref(),
        select: select.as_ref(),
        select_argument: flags & 0b100 != 0,
        limit,
        headers: &response_headers,
        page: (flags & 0b1_0000 != 0).then_some(PageContext {
            parameters: &endpoint.operation().parameters,
            arguments: &arguments,
        }),
    };
    let mut result = shape(status, &headers, bounded, &call_shape);

    let failed = status.is_client_error()
        || status.is_server_error()
        || (status.is_redirection() && status != StatusCode::NOT_MODIFIED);
    if failed {
        assert_eq!(result.is_error, Some(true), "{status} is an error result");
    }
    if let Some(structured) = &result.structured_content {
        assert!(
            structured.is_object(),
            "structuredContent must be an object"
        );
    }
    serde_json::to_value(&result).expect("a tool result serializes");
    if call_shape.structured.is_some() && result.is_error != Some(true) {
        ensure_conforming(&mut result, &|value: &Value| value.is_object());
        assert!(
            result
                .structured_content
                .as_ref()
                .is_some_and(Value::is_object),
            "a tool with an output schema always carries structuredContent"
        );
    }

    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        check_fit(value, limit);
    }
}

/// `fit` keeps a value within budget when it can be cut, and leaves alone what fits.
fn check_fit(value: Value, budget: usize) {
    let size = json_len(&value);
    let uncuttable = longest_scalar(&value);
    let (fitted, cuts) = fit(value.clone(), budget);
    if size <= budget {
        assert!(cuts.is_empty(), "a value within budget is not cut");
        assert_eq!(fitted, value, "a value within budget is unchanged");
        return;
    }
    // A lone number, `true`, `false` or `null` cannot be cut without changing what it
    // says: it is shown whole. Anything else over budget is cut, and says where.
    let cuttable = matches!(value, Value::Array(_) | Value::Object(_) | Value::String(_));
    assert!(
        !cuttable || !cuts.is_empty(),
        "a value over budget reports its cuts"
    );
    if uncuttable + 8 <= budget {
        assert!(
            json_len(&fitted) <= budget,
            "fit({budget}) gave {} bytes: {fitted}",
            json_len(&fitted)
        );
    }
}

/// The longest number, `true`, `false` or `null` in a value: what `fit` cannot cut.
fn longest_scalar(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.iter().map(longest_scalar).max().unwrap_or(0),
        Value::Object(members) => members.values().map(longest_scalar).max().unwrap_or(0),
        Value::String(_) => 0,
        scalar => json_len(scalar),
    }
}

/// A JSONPath from the list, or none.
fn pick_path(input: &mut Input<'_>) -> Option<ResponsePath> {
    let index = input.choose(PATHS.len() * 2);
    PATHS
        .get(index)
        .map(|text| ResponsePath::parse(text).expect("the listed paths parse"))
}
