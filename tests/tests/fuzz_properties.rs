//! The fuzz targets' invariants as property tests, in every `cargo test`: where the fuzz
//! corpus replays what coverage-guided runs found, these generate structured inputs
//! (arbitrary JSON arguments and bodies, mutated fixture specs, sequences of JSON-RPC
//! messages) so each run checks cases no earlier run saw.

use proptest::prelude::*;
use rest_mcp::fuzzing::{
    body_encoders, request_building, response_shaping, spec_loader, stdio_session,
};
use serde_json::{Value, json};

/// Text that tries every trick: separators, dot segments, encodings, line breaks, quotes,
/// non-ASCII, and plain words.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_owned()),
        Just("a/b?c#d".to_owned()),
        Just("%2e%2e%2f".to_owned()),
        Just("x\r\nHost: evil.example".to_owned()),
        Just("\"; filename=\"x\r\n".to_owned()),
        Just("data:text/plain;base64,aGk=".to_owned()),
        "[a-z]{0,8}",
        "\\PC{0,16}",
        any::<String>(),
    ]
}

/// A JSON value of any shape, with hostile strings and numbers past 64 bits.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        hostile_text().prop_map(Value::String),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        Just(serde_json::from_str("123456789012345678901234567890").expect("a big number")),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(hostile_text(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An argument object that uses the harness API's argument names half the time.
fn arguments() -> impl Strategy<Value = Value> {
    let name = prop_oneof![
        prop::sample::select(vec![
            "dir",
            "name",
            "tags",
            "ids",
            "filter",
            "q",
            "page",
            "X-Request-Id",
            "X-Ids",
            "session",
            "prefs",
            "label",
            "matrix",
            "exploded",
            "object",
            "count",
            "meta",
            "body",
            "amount",
            "metadata",
            "items",
            "title",
            "attributes",
            "file",
            "extra",
            "id",
        ])
        .prop_map(str::to_owned),
        hostile_text(),
    ];
    prop::collection::btree_map(name, value(), 0..10)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn with_header(header: Vec<u8>, payload: &Value) -> Vec<u8> {
    let mut data = header;
    data.extend(serde_json::to_vec(payload).expect("serializes"));
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn requests_hold_their_invariants_for_arbitrary_arguments(
        header in prop::collection::vec(any::<u8>(), 2),
        arguments in arguments(),
    ) {
        request_building(&with_header(header, &arguments));
    }

    #[test]
    fn bodies_hold_their_invariants_for_arbitrary_arguments(
        mode in 1u8..=255,
        arguments in arguments(),
    ) {
        body_encoders(&with_header(vec![mode], &arguments));
    }

    #[test]
    fn base64_round_trips_for_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut data = vec![0u8];
        data.extend(bytes);
        body_encoders(&data);
    }

    #[test]
    fn results_hold_their_invariants_for_arbitrary_json_bodies(
        header in prop::collection::vec(any::<u8>(), 7),
        body in value(),
    ) {
        response_shaping(&with_header(header, &body));
    }

    #[test]
    fn results_hold_their_invariants_for_arbitrary_bytes(
        data in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        response_shaping(&data);
    }
}

/// The small spec fixtures the loader is mutated from.
fn fixture_specs() -> Vec<Vec<u8>> {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/corpus/spec_loader");
    let mut specs: Vec<Vec<u8>> = std::fs::read_dir(folder)
        .expect("the spec_loader corpus exists")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("seed-"))
        .map(|e| std::fs::read(e.path()).expect("reads"))
        .collect();
    specs.sort();
    specs
}

/// A mutation: overwrite, insert or delete one byte at a position.
fn mutation() -> impl Strategy<Value = (u8, prop::sample::Index, u8)> {
    (0u8..3, any::<prop::sample::Index>(), any::<u8>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn the_loader_survives_mutated_fixture_specs(
        which in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let specs = fixture_specs();
        let mut data = which.get(&specs).clone();
        for (kind, at, byte) in mutations {
            // Never touch byte 0: it picks the format.
            let position = 1 + at.index(data.len().max(2) - 1);
            match kind {
                0 if position < data.len() => data[position] = byte,
                1 => data.insert(position.min(data.len()), byte),
                _ if position < data.len() => {
                    data.remove(position);
                }
                _ => {}
            }
        }
        spec_loader(&data);
    }
}

/// One JSON-RPC message a client could send, well-formed or not.
fn message() -> impl Strategy<Value = Vec<u8>> {
    let method = prop::sample::select(vec![
        "tools/list",
        "tools/call",
        "ping",
        "resources/list",
        "prompts/get",
        "notifications/cancelled",
        "notifications/initialized",
        "initialize",
        "logging/setLevel",
        "completion/complete",
        "nope",
    ]);
    let id = prop_oneof![
        Just(Value::Null),
        any::<u32>().prop_map(|n| json!(n)),
        "[a-z0-9]{1,6}".prop_map(Value::String),
        Just(json!({"nested": true})),
    ];
    let tool = prop::sample::select(vec![
        "get_file",
        "create_item",
        "upload_files",
        "search_tools",
        "describe_tools",
        "call_tool",
        "missing",
    ]);
    prop_oneof![
        (method, id, value()).prop_map(|(method, id, params)| {
            let mut message = json!({"jsonrpc": "2.0", "method": method, "params": params});
            if !id.is_null() {
                message["id"] = id;
            }
            message.to_string().into_bytes()
        }),
        (tool, arguments(), any::<u16>()).prop_map(|(tool, arguments, id)| {
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                   "params": {"name": tool, "arguments": arguments}})
            .to_string()
            .into_bytes()
        }),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(|mut bytes| {
            bytes.retain(|b| *b != b'\n');
            bytes
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_stdio_session_survives_arbitrary_messages_after_initialize(
        mode in any::<u8>(),
        messages in prop::collection::vec(message(), 0..8),
    ) {
        let mut data = vec![mode];
        data.extend(
            json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "proptest", "version": "1"}}})
            .to_string()
            .into_bytes(),
        );
        data.push(b'\n');
        data.extend(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        data.push(b'\n');
        for message in messages {
            data.extend(message);
            data.push(b'\n');
        }
        stdio_session(&data);
    }
}
