//! Target `body_encoders`: arbitrary arguments for the harness API's body operations
//! (JSON, form-urlencoded with nested values, multipart with file parts, binary, text),
//! and arbitrary text through the base64 decoder. A JSON body is exactly the argument; a
//! form body survives its encoding; a file part carries exactly the decoded bytes.

use base64::Engine;
use reqwest::Url;
use rest_mcp_openapi::{BodyEncoding, BodyMapping};
use serde_json::Value;

use super::{Input, arguments_from, harness_endpoints};
use crate::request::body::decode_base64;
use crate::request::{Defaults, PreparedBody, build};

/// Build the body of one harness body operation (first byte) from the payload.
pub fn body_encoders(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.byte();
    if mode.is_multiple_of(4) {
        return base64_round_trip(input.rest());
    }
    let endpoints: Vec<_> = harness_endpoints()
        .iter()
        .filter(|e| e.operation().request_body.is_some())
        .collect();
    let endpoint = endpoints[usize::from(mode / 4) % endpoints.len()];
    let arguments = arguments_from(endpoint, input.rest());
    let base: Url = "http://127.0.0.1:8080/"
        .parse()
        .expect("the base URL parses");
    let Ok(request) = build(endpoint, &base, &arguments, Defaults::Omit) else {
        return;
    };
    let Some(body) = &endpoint.operation().request_body else {
        return;
    };
    match (&request.body, &body.encoding, &body.mapping) {
        (Some(PreparedBody::Bytes { data, .. }), BodyEncoding::Json, mapping) => {
            let sent: Value = serde_json::from_slice(data).expect("a JSON body is JSON");
            if let BodyMapping::Whole { argument, .. } = mapping {
                assert_eq!(
                    Some(&sent),
                    arguments.get(argument),
                    "the body is the argument"
                );
            }
        }
        (Some(PreparedBody::Form(pairs)), _, _) => {
            let mut url = base.clone();
            url.query_pairs_mut().extend_pairs(pairs);
            let decoded: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            assert_eq!(&decoded, pairs, "form pairs survive their encoding");
        }
        (Some(PreparedBody::Multipart(parts)), _, _) => {
            for part in parts {
                let given = arguments.get(&part.name);
                if part.filename.is_some()
                    && let Some(Value::Object(file)) = given
                    && let Some(Value::String(content)) = file.get("content")
                {
                    let expected = decode_base64(content).expect("the builder decoded it");
                    assert_eq!(part.data, expected, "a file part holds the decoded bytes");
                }
            }
        }
        _ => {}
    }
}

/// Any bytes, encoded in each alphabet the decoder accepts, decode back to themselves;
/// arbitrary text decodes or fails without panicking.
fn base64_round_trip(payload: &[u8]) {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    if let Ok(text) = std::str::from_utf8(payload) {
        let _ = decode_base64(text);
    }
    for engine in [&STANDARD, &URL_SAFE_NO_PAD] {
        let encoded = engine.encode(payload);
        assert_eq!(
            decode_base64(&encoded).as_deref(),
            Ok(payload),
            "base64 of {payload:?} decodes back"
        );
        let uri = format!("data:application/octet-stream;base64,{encoded}");
        assert_eq!(decode_base64(&uri).as_deref(), Ok(payload));
    }
}
