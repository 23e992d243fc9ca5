//! Target `request_building`: arbitrary arguments for the harness API, validated and built
//! into a request. Whatever the arguments, the request goes to the configured scheme, host
//! and port under the base path; each path argument stays exactly one path segment; no
//! header or cookie carries a line break; and a refusal says what to fix.

use reqwest::Url;

use super::{Input, arguments_from, harness_endpoints};
use crate::request::{Defaults, PreparedRequest, build};

/// The base URL every harness request must stay under.
const BASE: &str = "http://127.0.0.1:8080/api/v1";

/// Validate and build one call of a harness endpoint (first byte) from the payload.
pub fn request_building(data: &[u8]) {
    let mut input = Input::new(data);
    let endpoints = harness_endpoints();
    let endpoint = &endpoints[input.choose(endpoints.len())];
    let defaults = if input.byte().is_multiple_of(2) {
        Defaults::Omit
    } else {
        Defaults::Send
    };
    let arguments = arguments_from(endpoint, input.rest());
    if let Err(problem) = endpoint
        .validator()
        .check(&arguments, endpoint.argument_names())
    {
        assert!(!problem.trim().is_empty(), "a refusal says what to fix");
    }
    // Built even when validation refused: building must hold its invariants on its own.
    let base: Url = BASE.parse().expect("the harness base URL parses");
    match build(endpoint, &base, &arguments, defaults) {
        Ok(request) => check_request(&request, &base, endpoint.operation().path.as_str()),
        Err(error) => assert!(
            !error.to_string().trim().is_empty(),
            "a build error says why"
        ),
    }
}

/// The invariants every built request keeps.
pub(crate) fn check_request(request: &PreparedRequest, base: &Url, template: &str) {
    let url = &request.url;
    assert_eq!(url.scheme(), base.scheme(), "scheme changed: {url}");
    assert_eq!(url.host_str(), base.host_str(), "host changed: {url}");
    assert_eq!(url.port(), base.port(), "port changed: {url}");
    assert_eq!(url.username(), "", "user info added: {url}");
    assert_eq!(url.password(), None, "user info added: {url}");
    assert_eq!(url.fragment(), None, "fragment added: {url}");
    let base_segments: Vec<&str> = base.path_segments().into_iter().flatten().collect();
    let segments: Vec<&str> = url.path_segments().into_iter().flatten().collect();
    let template_segments = template.trim_start_matches('/').split('/').count();
    assert_eq!(
        segments.len(),
        base_segments.len() + template_segments,
        "a path argument became more or less than one segment: {url} for {template}"
    );
    assert_eq!(
        &segments[..base_segments.len()],
        &base_segments[..],
        "left the base path: {url}"
    );
    for segment in &segments[base_segments.len()..] {
        assert!(
            *segment != "." && *segment != "..",
            "a dot segment reached the path: {url}"
        );
    }
    for (name, value) in &request.headers {
        let bytes = value.as_bytes();
        assert!(
            !bytes.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)),
            "header {name} carries a line break"
        );
        assert!(
            !rest_mcp_openapi::is_transport_header(name.as_str())
                && !rest_mcp_openapi::is_credential_header(name.as_str()),
            "framing or credential header {name} set from arguments"
        );
    }
    for (name, value) in &request.cookies {
        let breaks_cookie = |c: char| matches!(c, '\r' | '\n' | ';' | '\0');
        assert!(
            !name.contains(breaks_cookie) && !name.contains('=') && !name.is_empty(),
            "cookie name {name:?} breaks the Cookie header"
        );
        assert!(
            !value.contains(breaks_cookie),
            "cookie {name} value {value:?} breaks the Cookie header"
        );
    }
}
