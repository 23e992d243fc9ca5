//! Properties of request building over arbitrary arguments: whatever a caller sends, the
//! request goes to the configured host and port, under the base path; every path argument
//! stays exactly one path segment; no header or cookie carries a line break; nothing
//! panics. Arguments come from proptest, over the parameters of `tests/specs/params.yaml`
//! (path, query in every style, header and cookie parameters).

use proptest::prelude::*;
use rest_mcp::Endpoint;
use rest_mcp::request::{Defaults, build};
use rest_mcp_openapi::{LoadOptions, Origin, load};
use serde_json::{Map, Value, json};

fn endpoints() -> Vec<Endpoint> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/specs/params.yaml");
    let bytes = std::fs::read(path).expect("spec");
    let loaded = load(&bytes, Origin::File(path.into()), &LoadOptions::default()).expect("loads");
    loaded
        .model
        .operations
        .into_iter()
        .map(|operation| Endpoint::new(operation).expect("compiles"))
        .collect()
}

/// Strings that try every trick: separators, dot segments, encodings, line breaks,
/// non-ASCII, and plain text.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_owned()),
        Just(".".to_owned()),
        Just("../../etc/passwd".to_owned()),
        Just("a/b?c#d".to_owned()),
        Just("%2e%2e%2f".to_owned()),
        Just("x\r\nHost: evil.example".to_owned()),
        Just("@evil.example".to_owned()),
        Just("//evil.example/".to_owned()),
        "\\PC{0,12}",
        any::<String>(),
    ]
}

/// An argument value of any JSON shape, strings hostile.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        hostile_text().prop_map(Value::String),
        any::<i64>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(hostile_text(), inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn requests_stay_on_the_configured_host_and_path_arguments_stay_one_segment(
        which in 0usize..2,
        values in prop::collection::vec(value(), 16),
        strings in prop::collection::vec(hostile_text(), 16),
    ) {
        let endpoints = endpoints();
        let endpoint = &endpoints[which % endpoints.len()];
        let base: reqwest::Url = "http://127.0.0.1:8080/api/v1".parse().expect("base");
        let names: Vec<String> = endpoint
            .input_schema()
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        // Path arguments as strings (always given, so the request can be built); the rest
        // of any shape.
        let path_count = endpoint.operation().path.as_str().matches('{').count();
        let mut arguments = Map::new();
        for (i, name) in names.iter().enumerate() {
            let is_path = endpoint
                .operation()
                .parameters
                .iter()
                .any(|p| p.argument == *name && p.location == rest_mcp_openapi::ParamLocation::Path);
            let value = if is_path {
                Value::String(strings[i % strings.len()].clone())
            } else {
                values[i % values.len()].clone()
            };
            arguments.insert(name.clone(), value);
        }
        // Building may refuse (and say why); it must never panic or misroute.
        if let Ok(request) = build(endpoint, &base, &arguments, Defaults::Omit) {
            prop_assert_eq!(request.url.scheme(), "http");
            prop_assert_eq!(request.url.host_str(), Some("127.0.0.1"));
            prop_assert_eq!(request.url.port(), Some(8080));
            prop_assert!(request.url.username().is_empty() && request.url.password().is_none());
            let path = request.url.path();
            prop_assert!(path.starts_with("/api/v1/"), "{}", path);
            let template_segments = endpoint.operation().path.as_str().trim_matches('/').split('/').count();
            let sent_segments = path.trim_start_matches("/api/v1/").split('/').count();
            prop_assert_eq!(sent_segments, template_segments, "{} for {:?}", path, arguments);
            prop_assert!(path_count > 0);
            for (name, value) in &request.headers {
                let bytes = value.as_bytes();
                prop_assert!(!bytes.contains(&b'\r') && !bytes.contains(&b'\n'), "{}: {:?}", name, value);
                prop_assert!(name.as_str() != "host");
            }
            for (name, value) in &request.cookies {
                prop_assert!(!format!("{name}={value}").contains(['\r', '\n', ';']), "{}={}", name, value);
            }
        }
    }
}
