//! A POSTed JSON-RPC body, read once in front of the transport: what it asks for (so only
//! the methods that cost count against rate limits), and a `400` with a JSON-RPC error
//! for a body that is not JSON or not a JSON-RPC message, where the transport would
//! answer `415` as if the content type were wrong.

use std::borrow::Cow;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

/// The parts of a JSON-RPC message the gate looks at; everything else is checked for
/// syntax and skipped.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
}

/// What a request asks of the server, as far as the gate needs to know.
#[derive(Debug, Default)]
pub(super) struct Asked {
    /// The JSON-RPC method of a POSTed message (`None` for anything else).
    pub(super) method: Option<String>,
    /// Whether the request is a POST with a JSON body, whose mistakes are the client's.
    pub(super) json_post: bool,
}

/// Read the body of a JSON POST (at most `max_bytes`) and put it back; other requests
/// pass untouched. `Err` is the answer for a body that is too big or not JSON.
pub(super) async fn read(request: Request, max_bytes: usize) -> Result<(Request, Asked), Response> {
    if request.method() != Method::POST || !is_json(request.headers()) {
        return Ok((request, Asked::default()));
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, max_bytes).await else {
        return Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            axum::Json(json!({
                "error": "request_too_large",
                "message": format!("the request body is over {max_bytes} bytes, the most this server reads ([http] max_request_body)"),
            })),
        )
            .into_response());
    };
    let method = match serde_json::from_slice::<Envelope>(&bytes) {
        Ok(envelope) => envelope.method.map(Cow::into_owned),
        Err(error) if error.is_data() => None,
        Err(error) => {
            return Err(jsonrpc_error(
                -32700,
                &format!("Parse error: the body is not JSON ({error})"),
            ));
        }
    };
    let asked = Asked {
        method,
        json_post: true,
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), asked))
}

/// The transport's `415` for a JSON body it could not read as a message, as the `400`
/// with a JSON-RPC `-32600` error it is.
pub(super) fn client_mistake(response: Response, asked: &Asked) -> Response {
    if asked.json_post && response.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return jsonrpc_error(
            -32600,
            "Invalid Request: the body is JSON but not a JSON-RPC 2.0 message; send one object with \"jsonrpc\": \"2.0\", a \"method\" string, and an \"id\" (string or number) for a request",
        );
    }
    response
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// A `400` whose body is a JSON-RPC error with no id (none could be read).
fn jsonrpc_error(code: i32, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"jsonrpc": "2.0", "error": {"code": code, "message": message}})),
    )
        .into_response()
}
