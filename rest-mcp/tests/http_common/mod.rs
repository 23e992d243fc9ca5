//! Shared helpers for the Streamable HTTP end-to-end tests: run the built `rest-mcp`
//! binary as a child process in `--transport http` mode on a free loopback port (config
//! file written to a fresh directory, stderr captured to a file), wait for `/healthz`,
//! connect rmcp's Streamable HTTP client in either lifecycle, and send raw HTTP requests.
//!
//! Every wait is bounded: MCP requests by [`CALL_TIMEOUT`], start-up by [`START_TIMEOUT`].
//! The child is killed (by its pid) when its [`RestMcp`] is dropped.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rest_mcp_tests::free_port;
use rmcp::model::{CallToolRequestParams, CallToolResult, ErrorData, ProtocolVersion, Tool};
use rmcp::service::{RoleClient, RunningService, ServiceError};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, ClientLifecycleMode, ClientServiceExt, ServiceExt};
use serde_json::{Value, json};

/// The binary under test (cargo builds it before the integration tests).
pub const BIN: &str = env!("CARGO_BIN_EXE_rest-mcp");
/// Longest wait for one MCP request (handshake, list, call) or one raw HTTP request.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(20);
/// Longest wait for the binary to answer `/healthz` (or to exit, for one that must fail).
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Every tool of `tests/specs/http/team.yaml`.
pub const ALL_TOOLS: [&str; 6] = [
    "create_item",
    "delete_item",
    "echo",
    "get_item",
    "list_items",
    "slow_call",
];
/// Its read-only tools (GET operations).
pub const READ_ONLY_TOOLS: [&str; 4] = ["echo", "get_item", "list_items", "slow_call"];

/// The small spec these tests serve (`rest-mcp/tests/specs/http/team.yaml`).
pub fn team_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/http/team.yaml")
}

/// A fresh, empty directory under cargo's target tmp dir, unique to this call.
pub fn temp_dir(tag: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("rest-mcp-http")
        .join(format!("{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// An HTTP client that never uses a proxy (every test talks to 127.0.0.1 only) and
/// opens a new connection per request (so a server that is shutting down never sees a
/// stale pooled one).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(CALL_TIMEOUT)
        .build()
        .expect("build reqwest client")
}

/// How to start the binary: the `[http]` part of its config file, extra arguments and
/// environment variables.
#[derive(Clone, Debug)]
pub struct Launch {
    base_url: String,
    http_toml: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    listen: Option<String>,
    full_config: Option<String>,
}

impl Launch {
    /// Serve `team.yaml` with `base_url` as the upstream and no `[http]` settings.
    pub fn new(base_url: &str) -> Launch {
        Launch {
            base_url: base_url.to_owned(),
            http_toml: String::new(),
            args: Vec::new(),
            env: Vec::new(),
            listen: None,
            full_config: None,
        }
    }

    /// TOML appended to the config file after `openapi_spec` and `base_url` (usually an
    /// `[http]` table and its sub-tables).
    pub fn toml(mut self, text: &str) -> Launch {
        self.http_toml.push_str(text);
        self.http_toml.push('\n');
        self
    }

    /// Use `text` as the whole config file (nothing is added to it).
    pub fn config(mut self, text: &str) -> Launch {
        self.full_config = Some(text.to_owned());
        self
    }

    /// One more command-line argument.
    pub fn arg(mut self, arg: &str) -> Launch {
        self.args.push(arg.to_owned());
        self
    }

    /// An environment variable for the child (its environment is otherwise empty but
    /// for `PATH`).
    pub fn env(mut self, name: &str, value: &str) -> Launch {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Listen on `addr` instead of `127.0.0.1:<free port>`.
    pub fn listen(mut self, addr: &str) -> Launch {
        self.listen = Some(addr.to_owned());
        self
    }

    fn command(&self, dir: &Path, listen: &str) -> std::process::Command {
        let spec = team_spec();
        let config = self.full_config.clone().unwrap_or_else(|| {
            format!(
                "openapi_spec = {}\nbase_url = {}\n\n{}",
                toml_string(spec.to_str().expect("utf-8 spec path")),
                toml_string(&self.base_url),
                self.http_toml
            )
        });
        let config_path = dir.join("team.toml");
        std::fs::write(&config_path, config).expect("write team.toml");
        let mut command = std::process::Command::new(BIN);
        command
            .arg("--config")
            .arg(&config_path)
            .args(["--transport", "http", "--listen", listen])
            .args(&self.args)
            .env_clear()
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        if let Ok(path) = std::env::var("PATH") {
            command.env("PATH", path);
        }
        // Tools as themselves, whatever the spec's size; discovery tests pass `--tools`.
        command.env("TOOLS", "all");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    /// Starts the server and waits until `/healthz` answers. Retries on another port (at
    /// most three times) when the chosen one was taken in the meantime.
    pub async fn start(&self) -> RestMcp {
        let mut last_stderr = String::new();
        for _ in 0..3 {
            let port = free_port();
            let listen = self
                .listen
                .clone()
                .unwrap_or_else(|| format!("127.0.0.1:{port}"));
            let port = listen
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .unwrap_or(port);
            let dir = temp_dir("http");
            let stderr_path = dir.join("stderr.log");
            let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
            let child = self
                .command(&dir, &listen)
                .stderr(stderr)
                .spawn()
                .expect("spawn rest-mcp");
            let mut server = RestMcp {
                child,
                port,
                dir,
                stderr_path,
                http: http_client(),
            };
            match server.wait_healthy().await {
                Ok(()) => return server,
                Err(stderr) if stderr.contains("cannot listen") => last_stderr = stderr,
                Err(stderr) => panic!("rest-mcp did not start; stderr:\n{stderr}"),
            }
        }
        panic!("rest-mcp could not find a free port; stderr:\n{last_stderr}")
    }

    /// Runs the binary (expected to exit by itself) and returns its status and stderr.
    pub fn run_to_exit(&self) -> (ExitStatus, String) {
        let dir = temp_dir("exit");
        let listen = self
            .listen
            .clone()
            .unwrap_or_else(|| format!("127.0.0.1:{}", free_port()));
        let stderr_path = dir.join("stderr.log");
        let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
        let child = self
            .command(&dir, &listen)
            .stderr(stderr)
            .spawn()
            .expect("spawn rest-mcp");
        let mut server = RestMcp {
            child,
            port: 0,
            dir,
            stderr_path,
            http: http_client(),
        };
        let status = server
            .wait_exit(START_TIMEOUT)
            .unwrap_or_else(|| panic!("rest-mcp kept running:\n{}", server.stderr()));
        (status, server.stderr())
    }
}

/// `text` as a TOML basic string.
pub fn toml_string(text: &str) -> String {
    serde_json::to_string(text).expect("string to JSON")
}

/// A running `rest-mcp --transport http`; killed when dropped.
pub struct RestMcp {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    /// Its working directory (holds `team.toml` and `stderr.log`).
    pub dir: PathBuf,
    stderr_path: PathBuf,
    http: reqwest::Client,
}

impl RestMcp {
    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT/mcp`.
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.base())
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the binary wrote to stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Polls `/healthz` until it answers 200; `Err(stderr)` when the process exits first
    /// or [`START_TIMEOUT`] passes.
    async fn wait_healthy(&mut self) -> Result<(), String> {
        let url = format!("{}/healthz", self.base());
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("(exited with {status})\n{}", self.stderr()));
            }
            if let Ok(response) = self
                .http
                .get(&url)
                .timeout(Duration::from_secs(2))
                .send()
                .await
                && response.status() == 200
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Err(format!(
            "(no /healthz within {START_TIMEOUT:?})\n{}",
            self.stderr()
        ))
    }

    /// Sends SIGTERM (`kill -TERM <pid>`).
    pub fn terminate(&self) {
        self.signal("-TERM");
    }

    /// Sends SIGHUP (`kill -HUP <pid>`): reload the config and spec.
    pub fn hangup(&self) {
        self.signal("-HUP");
    }

    fn signal(&self, which: &str) {
        let status = std::process::Command::new("kill")
            .args([which, &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {which} {} failed", self.pid());
    }

    /// Waits (polling, at most `timeout`) for the process to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Connects rmcp's Streamable HTTP client.
    pub async fn connect(&self, lifecycle: Lifecycle) -> Client {
        self.connect_with(lifecycle, None, &[]).await
    }

    /// Connects rmcp's Streamable HTTP client with `Authorization: Bearer <bearer>` and
    /// extra headers on every request.
    pub async fn connect_with(
        &self,
        lifecycle: Lifecycle,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Client {
        match self.try_connect(lifecycle, bearer, headers).await {
            Ok(client) => client,
            Err(error) => panic!(
                "{lifecycle:?} handshake with rest-mcp failed: {error}\nstderr:\n{}",
                self.stderr()
            ),
        }
    }

    /// Connects rmcp's Streamable HTTP client (`initialize` lifecycle, no credential) with
    /// `handler` receiving the server's notifications.
    pub async fn connect_handler<H: ClientHandler>(
        &self,
        handler: H,
    ) -> RunningService<RoleClient, H> {
        let transport = StreamableHttpClientTransport::with_client(
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
            StreamableHttpClientTransportConfig::with_uri(self.mcp_url()),
        );
        match tokio::time::timeout(CALL_TIMEOUT, handler.serve(transport)).await {
            Ok(Ok(client)) => client,
            Ok(Err(error)) => panic!(
                "handshake with rest-mcp failed: {error}\nstderr:\n{}",
                self.stderr()
            ),
            Err(_) => panic!("handshake timed out\nstderr:\n{}", self.stderr()),
        }
    }

    /// Like [`RestMcp::connect_with`], returning the handshake error.
    pub async fn try_connect(
        &self,
        lifecycle: Lifecycle,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<Client, String> {
        self.try_connect_at("/mcp", lifecycle, bearer, headers)
            .await
    }

    /// Like [`RestMcp::try_connect`], to the MCP endpoint at `path` (`/mcp/{api}`).
    pub async fn try_connect_at(
        &self,
        path: &str,
        lifecycle: Lifecycle,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<Client, String> {
        let mut custom = HashMap::new();
        for (name, value) in headers {
            custom.insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                reqwest::header::HeaderValue::from_str(value).expect("header value"),
            );
        }
        let mut config =
            StreamableHttpClientTransportConfig::with_uri(format!("{}{path}", self.base()))
                .custom_headers(custom);
        if let Some(token) = bearer {
            config = config.auth_header(token);
        }
        let transport = StreamableHttpClientTransport::with_client(
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
            config,
        );
        let handshake = async {
            match lifecycle {
                Lifecycle::Initialize => ().serve(transport).await,
                Lifecycle::Discover => {
                    ().serve_with_lifecycle(
                        transport,
                        ClientLifecycleMode::Discover {
                            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
                        },
                    )
                    .await
                }
            }
        };
        match tokio::time::timeout(CALL_TIMEOUT, handshake).await {
            Ok(Ok(client)) => Ok(Client(client)),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err("handshake timed out".to_owned()),
        }
    }

    /// A raw JSON-RPC POST to `/mcp` with `headers` (plus the content negotiation headers
    /// Streamable HTTP requires).
    pub async fn post(&self, headers: &[(&str, &str)], body: &Value) -> reqwest::Response {
        self.post_bytes(headers, body.to_string().into_bytes())
            .await
            .expect("POST /mcp")
    }

    /// A raw POST of `body` to `/mcp`; `Err` on a transport failure.
    pub async fn post_bytes(
        &self,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let mut request = self
            .http
            .post(self.mcp_url())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(body).send().await
    }

    /// `GET path` as JSON (status must be 200).
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.base()))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("JSON body")
    }
}

impl Drop for RestMcp {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // Child::kill sends SIGKILL to this child's pid only.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A JSON-RPC `initialize` request: valid as the first message in every mode, so raw
/// requests use it to probe the HTTP layer.
pub fn initialize_request() -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "raw-http-test", "version": "1"}
        }
    })
}

/// A JSON-RPC `tools/call` of the read-only `list_items`: valid on its own in stateless
/// mode, and what rate limits count.
pub fn tool_call_request() -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "list_items", "arguments": {}}
    })
}

/// A JSON-RPC `tools/list` (the first page): valid on its own in stateless mode.
pub fn tools_list_request() -> Value {
    json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"})
}

/// Which MCP lifecycle the client uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    /// `initialize` + `notifications/initialized` (2025-11-25 and older).
    Initialize,
    /// `server/discover` and per-request metadata (2026-07-28).
    Discover,
}

/// A connected rmcp client.
pub struct Client(pub RunningService<RoleClient, ()>);

impl Client {
    /// The negotiated protocol version.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.0
            .peer_info()
            .expect("server info after the handshake")
            .protocol_version
            .clone()
    }

    /// Every tool (following cursors).
    pub async fn tools(&self) -> Vec<Tool> {
        tokio::time::timeout(CALL_TIMEOUT, self.0.list_all_tools())
            .await
            .expect("tools/list timed out")
            .expect("tools/list")
    }

    /// The names of every tool, sorted.
    pub async fn tool_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .tools()
            .await
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        names.sort();
        names
    }

    /// Calls a tool; `Err` is a JSON-RPC error (or a transport failure).
    pub async fn try_call(
        &self,
        name: &str,
        arguments: Value,
    ) -> Result<CallToolResult, ServiceError> {
        let Value::Object(arguments) = arguments else {
            panic!("arguments must be a JSON object")
        };
        let params = CallToolRequestParams::new(name.to_owned()).with_arguments(arguments);
        tokio::time::timeout(CALL_TIMEOUT, self.0.call_tool(params))
            .await
            .expect("tools/call timed out")
    }

    /// Calls a tool that must answer with a result (error results included).
    pub async fn call(&self, name: &str, arguments: Value) -> CallToolResult {
        match self.try_call(name, arguments).await {
            Ok(result) => result,
            Err(error) => panic!("tools/call {name} failed: {error}"),
        }
    }

    /// Calls a tool that must fail with a JSON-RPC error, and returns it.
    pub async fn call_error(&self, name: &str, arguments: Value) -> ErrorData {
        match self.try_call(name, arguments).await {
            Err(ServiceError::McpError(error)) => error,
            Err(other) => panic!("tools/call {name}: expected a JSON-RPC error, got {other}"),
            Ok(result) => panic!(
                "tools/call {name}: expected a JSON-RPC error, got a result: {}",
                text(&result)
            ),
        }
    }

    /// Closes the client (bounded).
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.0.cancel()).await;
    }
}

/// The text blocks of a result, joined with newlines.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts the call succeeded (not `isError`) and returns the upstream's JSON body: the
/// structured content when there is some, else the text after the status line.
#[track_caller]
pub fn ok_json(result: &CallToolResult) -> Value {
    let text = text(result);
    assert_ne!(
        result.is_error,
        Some(true),
        "expected success, got error: {text}"
    );
    if let Some(structured) = &result.structured_content {
        return structured.clone();
    }
    let body = text
        .split_once("\n\n")
        .map_or(text.as_str(), |(_, body)| body);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("no JSON body ({e}) in: {text}"))
}

/// A response header as text.
pub fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Names, sorted, as owned strings.
pub fn names(list: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
    names.sort();
    names
}
