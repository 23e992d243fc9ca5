//! Shared helpers for the end-to-end tests: start the built `rest-mcp` binary as an MCP
//! server over stdio (with chosen arguments and environment, stderr captured to a file),
//! connect rmcp's client to it, and read tool results.
//!
//! Every wait is bounded: MCP requests by [`CALL_TIMEOUT`], process runs by
//! [`RUN_TIMEOUT`].

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult, Tool};
use rmcp::service::{RoleClient, RunningService, ServiceError};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ServiceExt};
use serde_json::Value;

/// The binary under test (cargo builds it before the integration tests).
pub const BIN: &str = env!("CARGO_BIN_EXE_rest-mcp");
/// Longest wait for one MCP request (handshake, list, call).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest run of a one-shot command (`--dry-run`, `list`, `--version`).
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// A spec fixture of this test suite (`rest-mcp/tests/specs/<name>`).
pub fn spec(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/specs")
        .join(name)
}

/// A fixture of the shared corpus (`tests/fixtures/<name>`).
pub fn corpus_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

/// A fresh, empty directory under cargo's target tmp dir, unique to this call.
pub fn temp_dir(tag: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("rest-mcp-e2e")
        .join(format!("{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write file");
    path
}

/// GitHub's spec from the corpus, decompressed once into cargo's tmp dir (reused by later
/// runs; written under a temporary name and renamed, so concurrent runs never see half).
pub fn github_spec() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        use std::io::Read;
        let file = std::fs::File::open(corpus_fixture("github.json.gz")).expect("github fixture");
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut text)
            .expect("gunzip");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rest-mcp-e2e");
        std::fs::create_dir_all(&dir).expect("create tmp dir");
        let path = dir.join("github.json");
        if std::fs::read(&path).ok().as_deref() != Some(text.as_slice()) {
            let partial = dir.join(format!("github.json.{}", std::process::id()));
            std::fs::write(&partial, &text).expect("write github.json");
            std::fs::rename(&partial, &path).expect("rename github.json");
        }
        path
    })
    .clone()
}

/// How to start the binary.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Launch {
    /// `--spec <tests/specs/name> --base-url <url>`.
    pub fn new(spec_name: &str, base_url: &str) -> Launch {
        Launch::default()
            .arg("--spec")
            .arg(spec(spec_name).to_str().expect("utf-8 path"))
            .arg("--base-url")
            .arg(base_url)
    }

    /// No arguments yet.
    pub fn bare() -> Launch {
        Launch::default()
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Launch {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Launch
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Launch {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The command, with a clean environment (only `PATH` and the given variables) and a
    /// fresh working directory, so nothing from the developer's shell (`BASE_URL`,
    /// `LOG_LEVEL`, a `rest-mcp.toml`) leaks in.
    pub fn command(&self, cwd: &Path) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(BIN);
        command.args(&self.args).env_clear().current_dir(cwd);
        if let Ok(path) = std::env::var("PATH") {
            command.env("PATH", path);
        }
        // These suites test tools as themselves, whatever the spec's size; the discovery
        // tests choose `--tools dynamic` or `auto` on the command line, which wins.
        command.env("TOOLS", "all");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command.kill_on_drop(true);
        command
    }

    /// Starts the MCP server and connects a no-capability client.
    pub async fn start(&self) -> Server<()> {
        self.start_with(()).await
    }

    /// Starts the MCP server and connects `handler` as the client.
    pub async fn start_with<H: ClientHandler>(&self, handler: H) -> Server<H> {
        self.start_hooked(handler, |_| {}).await
    }

    /// Like [`Launch::start_with`], calling `before_handshake` with the child's pid after
    /// it was spawned and before the MCP handshake begins.
    pub async fn start_hooked<H: ClientHandler>(
        &self,
        handler: H,
        before_handshake: impl FnOnce(u32),
    ) -> Server<H> {
        let dir = temp_dir("run");
        let stderr_path = dir.join("stderr.log");
        let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
        let (transport, _) = TokioChildProcess::builder(self.command(&dir))
            .stderr(stderr)
            .spawn()
            .expect("spawn rest-mcp");
        let pid = transport.id().expect("child pid");
        before_handshake(pid);
        let client = match tokio::time::timeout(CALL_TIMEOUT, handler.serve(transport)).await {
            Ok(Ok(client)) => client,
            Ok(Err(error)) => panic!(
                "MCP handshake with rest-mcp failed: {error}\nstderr:\n{}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            ),
            Err(_) => panic!("MCP handshake timed out"),
        };
        Server {
            client: Some(client),
            pid,
            stderr_path,
        }
    }

    /// Runs the binary to completion (stdin closed) and returns its output.
    pub async fn run(&self) -> std::process::Output {
        let dir = temp_dir("cmd");
        let mut command = self.command(&dir);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        tokio::time::timeout(RUN_TIMEOUT, command.output())
            .await
            .expect("rest-mcp did not finish in time")
            .expect("run rest-mcp")
    }
}

/// A running `rest-mcp` with an rmcp client connected to its stdio.
pub struct Server<H: ClientHandler = ()> {
    client: Option<RunningService<RoleClient, H>>,
    /// The child's process id.
    pub pid: u32,
    stderr_path: PathBuf,
}

impl<H: ClientHandler> Server<H> {
    pub fn client(&self) -> &RunningService<RoleClient, H> {
        self.client.as_ref().expect("client is connected")
    }

    /// Every tool (following cursors).
    pub async fn tools(&self) -> Vec<Tool> {
        tokio::time::timeout(CALL_TIMEOUT, self.client().list_all_tools())
            .await
            .expect("tools/list timed out")
            .expect("tools/list")
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
        tokio::time::timeout(CALL_TIMEOUT, self.client().call_tool(params))
            .await
            .expect("tools/call timed out")
    }

    /// Calls a tool that must answer with a result (error results included).
    pub async fn call(&self, name: &str, arguments: Value) -> CallToolResult {
        match self.try_call(name, arguments).await {
            Ok(result) => result,
            Err(error) => panic!(
                "tools/call {name} failed: {error}\nstderr:\n{}",
                self.stderr()
            ),
        }
    }

    /// What the binary wrote to stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Closes the session (stdin) and waits for the child to exit (bounded by rmcp's
    /// graceful shutdown: 3 s, then SIGTERM, then kill).
    pub async fn stop(mut self) -> String {
        if let Some(client) = self.client.take() {
            let _ = tokio::time::timeout(Duration::from_secs(15), client.cancel()).await;
        }
        self.stderr()
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

/// Whether the result is an error result.
pub fn is_error(result: &CallToolResult) -> bool {
    result.is_error == Some(true)
}

/// Asserts the call succeeded (not `isError`) and returns its text.
#[track_caller]
pub fn ok_text(result: &CallToolResult) -> String {
    let text = text(result);
    assert!(!is_error(result), "expected success, got error: {text}");
    text
}

/// Asserts the call is an error result and returns its text.
#[track_caller]
pub fn err_text(result: &CallToolResult) -> String {
    let text = text(result);
    assert!(is_error(result), "expected an error result, got: {text}");
    text
}

/// Waits (bounded) until `condition` holds, polling.
pub async fn eventually(what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + timeout;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Whether process `pid` still exists (`kill -0`).
pub fn is_alive(pid: u32) -> bool {
    std::process::Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Sends SIGHUP to `pid` with `kill -HUP`.
pub fn hangup(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -HUP {pid} failed");
}
