//! Target `spec_loader`: any bytes as a spec (OpenAPI 3.x or Swagger 2.0 in JSON or YAML,
//! or an endpoint list in TOML, JSON or YAML). Loading fails with an error or succeeds;
//! every operation it yields compiles into an endpoint or fails with an error, and every
//! tool definition serializes.

use rest_mcp_openapi::{Origin, load, load_manual};

use super::{Input, offline_options};
use crate::Endpoint;

/// Load `data` as a spec (first byte even) or as a TOML endpoint list (odd).
pub fn spec_loader(data: &[u8]) {
    let mut input = Input::new(data);
    let as_toml = input.byte() % 2 == 1;
    let payload = input.rest();
    let options = offline_options();
    let origin = Origin::inline("fuzzed spec");
    let loaded = if as_toml {
        let Ok(text) = std::str::from_utf8(payload) else {
            return;
        };
        load_manual(text, origin, &options)
    } else {
        load(payload, origin, &options)
    };
    let Ok(loaded) = loaded else {
        return;
    };
    for operation in loaded.model.operations {
        let name = operation.tool_name.clone();
        if let Ok(endpoint) = Endpoint::new(operation) {
            let tool = endpoint.tool();
            assert_eq!(tool.name, name, "a tool keeps its operation's name");
            serde_json::to_string(&tool).expect("a tool definition serializes");
        }
    }
}
