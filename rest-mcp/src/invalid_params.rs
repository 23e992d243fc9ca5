//! The answer to a request rmcp could not read as the method it names.
//!
//! rmcp reads a request whose `params` do not fit its method's type (say `tools/call`
//! with `arguments` as an array) as a custom request, which would be answered "method
//! not found". A client that named a real method made a params mistake, so it gets
//! `-32602` with what is wrong; a method nobody serves gets `-32601` naming the ones that
//! are.

use rmcp::model::{
    CallToolRequestParams, CompleteRequestParams, CustomRequest, ErrorCode, ErrorData,
    GetPromptRequestParams, InitializeRequestParams, PaginatedRequestParams,
    ReadResourceRequestParams,
};
use serde::de::DeserializeOwned;

/// Whether `params` can be read as `T`, and if not, why.
type ParamsCheck = fn(&serde_json::Value) -> Result<(), serde_json::Error>;

fn reads_as<T: DeserializeOwned>(params: &serde_json::Value) -> Result<(), serde_json::Error> {
    T::deserialize(params).map(drop)
}

/// The MCP methods with params, each with what its params must be.
const METHODS_WITH_PARAMS: &[(&str, ParamsCheck, &str)] = &[
    (
        "tools/call",
        reads_as::<CallToolRequestParams>,
        "{\"name\": string, \"arguments\"?: object}",
    ),
    (
        "tools/list",
        reads_as::<PaginatedRequestParams>,
        "{\"cursor\"?: string}",
    ),
    (
        "initialize",
        reads_as::<InitializeRequestParams>,
        "{\"protocolVersion\": string, \"capabilities\": object, \"clientInfo\": {\"name\": string, \"version\": string}}",
    ),
    (
        "completion/complete",
        reads_as::<CompleteRequestParams>,
        "{\"ref\": object, \"argument\": {\"name\": string, \"value\": string}}",
    ),
    (
        "prompts/get",
        reads_as::<GetPromptRequestParams>,
        "{\"name\": string, \"arguments\"?: object}",
    ),
    (
        "resources/read",
        reads_as::<ReadResourceRequestParams>,
        "{\"uri\": string}",
    ),
];

/// The error for `request`: `-32602` when it names a known method with params that do
/// not fit, `-32601` otherwise.
pub(crate) fn refusal(request: &CustomRequest) -> ErrorData {
    let method = request.method.as_str();
    let Some((_, check, shape)) = METHODS_WITH_PARAMS.iter().find(|(m, ..)| *m == method) else {
        return ErrorData::new(
            ErrorCode::METHOD_NOT_FOUND,
            format!(
                "method `{method}` is not served here; this server serves tools (`tools/list`, `tools/call`)"
            ),
            None,
        );
    };
    let problem = match &request.params {
        None => "they are missing".to_owned(),
        Some(params) => match check(params) {
            Err(error) => error.to_string(),
            // Read fine on its own: the message around it was the problem.
            Ok(()) => "they do not fit the method".to_owned(),
        },
    };
    ErrorData::invalid_params(
        format!("invalid params for `{method}`: {problem}; expected {shape}"),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_known_method_with_params_that_do_not_fit_is_invalid_params() {
        let request = CustomRequest::new(
            "tools/call",
            Some(json!({"name": "get_pet", "arguments": [1, 2]})),
        );
        let error = refusal(&request);
        assert_eq!(error.code, ErrorCode::INVALID_PARAMS);
        assert!(
            error
                .message
                .starts_with("invalid params for `tools/call`: ")
                && error.message.contains("\"arguments\"?: object"),
            "{}",
            error.message
        );
    }

    #[test]
    fn an_unknown_method_is_method_not_found() {
        let error = refusal(&CustomRequest::new("tools/invoke", None));
        assert_eq!(error.code, ErrorCode::METHOD_NOT_FOUND);
        assert!(error.message.contains("tools/invoke"), "{}", error.message);
    }
}
