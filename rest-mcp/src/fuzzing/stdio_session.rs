//! Target `stdio_session`: arbitrary bytes as everything an MCP client writes on stdin,
//! read by the server exactly as `rest-mcp --transport stdio` reads it. The session ends
//! when the input does, and every line the server writes is one JSON-RPC message.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rmcp::ServiceExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Input, harness_model};
use crate::{Executor, RestMcpServer, ToolMode, ToolSet};

/// How long a session may take to end after its input closed.
const END_WITHIN: Duration = Duration::from_secs(20);

/// Serve one stdio session whose whole input is the payload; the first byte picks the
/// tool mode.
pub fn stdio_session(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = match input.byte() % 3 {
        0 => ToolMode::All,
        1 => ToolMode::Dynamic,
        _ => ToolMode::Auto { budget_tokens: 500 },
    };
    let payload = input.rest().to_vec();
    let initialize_id = initialize_id(&payload);
    let written = runtime().block_on(async move {
        let server = RestMcpServer::new(tools().clone()).with_tool_mode(mode);
        let (mut client_in, server_in) = tokio::io::duplex(64 * 1024);
        let (server_out, mut client_out) = tokio::io::duplex(64 * 1024);
        let reader = tokio::spawn(async move {
            let mut written = Vec::new();
            let _ = client_out.read_to_end(&mut written).await;
            written
        });
        let writer = tokio::spawn(async move {
            let _ = client_in.write_all(&payload).await;
            let _ = client_in.shutdown().await;
        });
        let (read_half, _) = tokio::io::split(server_in);
        let (_, write_half) = tokio::io::split(server_out);
        let session = async {
            if let Ok(running) = server
                .serve(crate::stdio::LineTransport::new(read_half, write_half))
                .await
            {
                let _ = running.waiting().await;
            }
        };
        tokio::time::timeout(END_WITHIN, session)
            .await
            .expect("the session ends once its input is closed");
        let _ = writer.await;
        reader.await.expect("the output reader finishes")
    });
    let mut answered_initialize = false;
    for line in written.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let message: serde_json::Value =
            serde_json::from_slice(line).expect("every line on stdout is JSON");
        assert_eq!(
            message.get("jsonrpc").and_then(|v| v.as_str()),
            Some("2.0"),
            "every line on stdout is a JSON-RPC 2.0 message: {message}"
        );
        answered_initialize |=
            initialize_id.is_some() && message.get("id") == initialize_id.as_ref();
    }
    if initialize_id.is_some() {
        assert!(
            answered_initialize,
            "an initialize request on the first line is answered"
        );
    }
}

/// The id of the first line when MCP's own message types read it as an `initialize`
/// request (a line they refuse, such as one with a duplicate key, need not be answered).
fn initialize_id(payload: &[u8]) -> Option<serde_json::Value> {
    use rmcp::model::{ClientJsonRpcMessage, ClientRequest, JsonRpcMessage};
    let first = payload.split(|b| *b == b'\n').next()?;
    let JsonRpcMessage::Request(request) =
        serde_json::from_slice::<ClientJsonRpcMessage>(first).ok()?
    else {
        return None;
    };
    if !matches!(request.request, ClientRequest::InitializeRequest(_)) {
        return None;
    }
    serde_json::to_value(&request.id).ok()
}

/// One runtime for every input of the process.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime starts")
    })
}

/// The harness API's tools, calling a port where nothing listens (calls fail fast).
fn tools() -> &'static ToolSet {
    static TOOLS: OnceLock<ToolSet> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let base = "http://127.0.0.1:9/".parse().expect("the base URL parses");
        let executor = Executor::builder(base)
            .timeout(Duration::from_millis(500))
            .build()
            .expect("the executor builds");
        ToolSet::from_model(harness_model(), Arc::new(executor)).expect("the tool set builds")
    })
}
