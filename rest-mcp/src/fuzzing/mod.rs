//! The fuzz harness: one function per fuzz target, each taking raw bytes and checking the
//! invariants of its part of the runtime. Not an API: it exists (behind the `fuzzing`
//! feature) so the coverage-guided targets under `fuzz/` and the corpus replay that runs
//! in `cargo test` call exactly the same code.
//!
//! Every function panics when, and only when, an invariant breaks: a panic inside the
//! code under test, a request that leaves the configured host, a path argument that
//! becomes more than one segment, a line break in a header, a tool result that is not
//! what MCP allows, or output on the stdio channel that is not JSON-RPC.

mod body_encoders;
mod request_building;
mod response_shaping;
mod spec_loader;
mod stdio_session;

pub use body_encoders::body_encoders;
pub use request_building::request_building;
pub use response_shaping::response_shaping;
pub use spec_loader::spec_loader;
pub use stdio_session::stdio_session;

use std::sync::OnceLock;

use rest_mcp_openapi::{ApiModel, ExternalRefs, LoadOptions, Origin, load};

use crate::Endpoint;

/// A fuzz target: raw bytes in, a panic when an invariant breaks.
pub type Target = fn(&[u8]);

/// The targets by name, as `fuzz/fuzz_targets/` and the corpus folders name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("spec_loader", spec_loader),
    ("request_building", request_building),
    ("body_encoders", body_encoders),
    ("response_shaping", response_shaping),
    ("stdio_session", stdio_session),
];

/// The harness API's spec: one operation per way an argument can travel.
pub const HARNESS_SPEC: &str = include_str!("harness.yaml");

/// Options that never touch the file system or the network: fuzzed specs may `$ref`
/// anything.
pub(crate) fn offline_options() -> LoadOptions {
    LoadOptions {
        external_refs: ExternalRefs {
            local_files: false,
            remote: None,
            ..ExternalRefs::default()
        },
        ..LoadOptions::default()
    }
}

/// The harness API's model, loaded once per process.
pub(crate) fn harness_model() -> &'static ApiModel {
    static MODEL: OnceLock<ApiModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        load(
            HARNESS_SPEC.as_bytes(),
            Origin::inline("fuzz harness"),
            &offline_options(),
        )
        .expect("the harness spec loads")
        .model
    })
}

/// The harness API's endpoints, compiled once per process.
pub(crate) fn harness_endpoints() -> &'static [Endpoint] {
    static ENDPOINTS: OnceLock<Vec<Endpoint>> = OnceLock::new();
    ENDPOINTS.get_or_init(|| {
        harness_model()
            .operations
            .iter()
            .map(|operation| Endpoint::new(operation.clone()).expect("the harness spec compiles"))
            .collect()
    })
}

/// Reads a fuzz input front to back: small numbers first, the rest as the payload.
pub(crate) struct Input<'a> {
    bytes: &'a [u8],
}

impl<'a> Input<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Input<'a> {
        Input { bytes }
    }

    /// The next byte, or 0 when the input is used up.
    pub(crate) fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((first, rest)) => {
                self.bytes = rest;
                *first
            }
            None => 0,
        }
    }

    /// The next byte as an index below `len` (which must not be 0).
    pub(crate) fn choose(&mut self, len: usize) -> usize {
        usize::from(self.byte()) % len
    }

    /// Everything not yet read.
    pub(crate) fn rest(self) -> &'a [u8] {
        self.bytes
    }
}

/// Tool arguments from a payload: a JSON object when the payload is one; otherwise the
/// payload split at 0xFF into strings, given to the endpoint's arguments in order (the
/// way hostile text reaches every parameter even when the fuzzer writes no JSON).
pub(crate) fn arguments_from(
    endpoint: &Endpoint,
    payload: &[u8],
) -> serde_json::Map<String, serde_json::Value> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(payload) {
        return map;
    }
    endpoint
        .argument_names()
        .zip(payload.split(|b| *b == 0xFF))
        .map(|(name, text)| {
            (
                name.to_owned(),
                serde_json::Value::String(String::from_utf8_lossy(text).into_owned()),
            )
        })
        .collect()
}
