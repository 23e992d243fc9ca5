//! End to end: the binary's life around the tool calls: one-shot commands (`--dry-run`,
//! `list`, `--version`, `--help`), request logging on stderr with stdout kept for the
//! protocol, SIGHUP reload with `notifications/tools/list_changed`, manual `[[endpoints]]`
//! from a TOML file, and GitHub's full spec.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{
    CALL_TIMEOUT, Launch, eventually, github_spec, hangup, is_alive, ok_text, spec, temp_dir,
    write_file,
};
use rest_mcp_tests::{Gate, Reply, Upstream};
use rmcp::ClientHandler;
use rmcp::service::{NotificationContext, RoleClient};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn dry_run_prints_the_same_tools_as_tools_list() {
    let upstream = Upstream::start().await;
    let launch = Launch::new("bodies.yaml", &upstream.url());
    let output = launch.clone().arg("--dry-run").run().await;
    assert!(output.status.success(), "{output:?}");
    let printed: Value = serde_json::from_slice(&output.stdout).expect("--dry-run prints JSON");
    let printed = printed["tools"].as_array().expect("a tools array").clone();

    let server = launch.start().await;
    let served = serde_json::to_value(server.tools().await).expect("tools as JSON");
    server.stop().await;
    assert_eq!(Value::Array(printed.clone()), served);
    let names: Vec<&str> = printed.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "update_item",
            "post_batch",
            "create_charge",
            "upload_file",
            "put_blob",
            "post_note"
        ]
    );
    assert_eq!(upstream.count(), 0, "--dry-run sends nothing");
}

#[tokio::test]
async fn list_prints_a_table_with_a_total() {
    let secure = spec("secure.yaml");
    let output = Launch::bare()
        .args(["list", "--spec", secure.to_str().expect("utf-8")])
        .args(["--base-url", "http://127.0.0.1:9"])
        .run()
        .await;
    assert!(output.status.success(), "{output:?}");
    let table = String::from_utf8_lossy(&output.stdout);
    let mut lines = table.lines();
    let header = lines.next().expect("a header line");
    for column in ["TOOL", "METHOD", "PATH", "ARGUMENTS", "TOKENS"] {
        assert!(header.contains(column), "{table}");
    }
    let row = lines.next().expect("a row");
    for cell in ["get_secure", "GET", "/secure/{id}", "id*", "q", "pref"] {
        assert!(row.contains(cell), "{table}");
    }
    let total = table
        .lines()
        .find(|l| l.contains("tokens of tool definitions"))
        .unwrap_or_else(|| panic!("no total line:\n{table}"));
    assert!(total.starts_with("1 tool"), "{total}");
    assert!(total.contains("http://127.0.0.1:9"), "{total}");
    // The spec's security schemes come with how to supply them.
    assert!(table.contains("type = \"oauth2_cc\""), "{table}");
    assert!(table.contains("X-Api-Key"), "{table}");
}

#[tokio::test]
async fn version_and_help() {
    let output = Launch::bare().arg("--version").run().await;
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("rest-mcp {}", env!("CARGO_PKG_VERSION"))
    );
    let output = Launch::bare().arg("--help").run().await;
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("rest-mcp --spec"), "{help}");
    for flag in [
        "--base-url",
        "--dry-run",
        "--timeout",
        "--max-response-size",
        "--log-format",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
    // The short help points at the examples.
    let output = Launch::bare().arg("-h").run().await;
    assert!(String::from_utf8_lossy(&output.stdout).contains("--help"));
}

#[tokio::test]
async fn debug_logs_one_line_per_upstream_request() {
    let upstream = Upstream::start().await;
    upstream.respond("GET", "/things/2", Reply::text(404, "no"));
    let server = Launch::new("responses.yaml", &upstream.url())
        .args(["--log-level", "debug"])
        .start()
        .await;
    ok_text(&server.call("get_thing", json!({"id": "1"})).await);
    server.call("get_thing", json!({"id": "2"})).await;
    assert_eq!(upstream.count(), 2);
    let stderr = server.stop().await;
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("upstream request"))
        .collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    for (line, (path, status)) in lines.iter().zip([("/things/1", 200), ("/things/2", 404)]) {
        assert!(line.contains("DEBUG"), "{line}");
        assert!(line.contains("method=GET"), "{line}");
        assert!(
            line.contains(&format!("path={path}")) || line.contains(&format!("path=\"{path}\"")),
            "{line}"
        );
        assert!(line.contains(&format!("status={status}")), "{line}");
        assert!(line.contains("latency_ms="), "{line}");
    }
}

#[tokio::test]
async fn stdout_carries_only_the_protocol() {
    // Drive the binary with hand-written JSON-RPC at the most verbose log level and check
    // that every line on stdout is a JSON-RPC message while the logs went to stderr.
    let upstream = Upstream::start().await;
    let dir = temp_dir("raw");
    let mut child = Launch::new("responses.yaml", &upstream.url())
        .args(["--log-level", "trace"])
        .command(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut stderr = child.stderr.take().expect("stderr");
    let stderr_task = tokio::spawn(async move {
        let mut text = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut text).await;
        text
    });

    let mut lines: Vec<String> = Vec::new();
    async fn send(stdin: &mut tokio::process::ChildStdin, message: Value) {
        let mut line = message.to_string();
        line.push('\n');
        stdin.write_all(line.as_bytes()).await.expect("write");
        stdin.flush().await.expect("flush");
    }
    // Reads stdout lines until the response with `id` arrives.
    async fn until_response(
        stdout: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
        lines: &mut Vec<String>,
        id: u64,
    ) -> Value {
        loop {
            let line = tokio::time::timeout(CALL_TIMEOUT, stdout.next_line())
                .await
                .expect("response timed out")
                .expect("read stdout")
                .expect("stdout closed early");
            lines.push(line.clone());
            let value: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            if value["id"] == json!(id) {
                return value;
            }
        }
    }

    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw-e2e", "version": "0"}}}),
    )
    .await;
    let init = until_response(&mut stdout, &mut lines, 1).await;
    assert_eq!(init["result"]["serverInfo"]["name"], "rest-mcp");
    assert_eq!(init["result"]["capabilities"]["tools"]["listChanged"], true);
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
               "params": {"name": "get_thing", "arguments": {"id": "abc"}}}),
    )
    .await;
    let call = until_response(&mut stdout, &mut lines, 2).await;
    assert_eq!(call["result"]["isError"], false, "{call}");
    drop(stdin);
    // After stdin closes the server exits; whatever else it printed must be JSON too.
    let rest = tokio::time::timeout(Duration::from_secs(10), async {
        let mut rest = Vec::new();
        while let Ok(Some(line)) = stdout.next_line().await {
            rest.push(line);
        }
        rest
    })
    .await
    .expect("stdout did not close after stdin closed");
    lines.extend(rest);
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the server did not exit after stdin closed")
        .expect("wait");
    assert!(status.success(), "{status:?}");
    for line in &lines {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
        assert_eq!(value["jsonrpc"], "2.0", "{line}");
    }
    let stderr = stderr_task.await.expect("stderr");
    assert!(
        stderr.contains("upstream request") && stderr.contains("/things/abc"),
        "logs belong on stderr:\n{stderr}"
    );
    assert_eq!(upstream.last().expect("request").path, "/things/abc");
}

/// A client that counts `notifications/tools/list_changed`.
#[derive(Clone, Default)]
struct ListChangedCounter {
    count: Arc<AtomicUsize>,
}

impl ClientHandler for ListChangedCounter {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.count.fetch_add(1, Ordering::SeqCst);
    }
}

const SPEC_A: &str = r#"
openapi: 3.0.3
info: {title: Reload A, version: "1"}
paths:
  /alpha:
    get:
      operationId: alphaOp
      responses: {"200": {description: ok}}
"#;

const SPEC_B: &str = r#"
openapi: 3.0.3
info: {title: Reload B, version: "2"}
paths:
  /beta/{id}:
    get:
      operationId: betaOp
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /gamma:
    post:
      operationId: gammaOp
      responses: {"200": {description: ok}}
"#;

#[tokio::test]
async fn sighup_reloads_the_spec_and_notifies_the_client() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("sighup");
    let spec_path = write_file(&dir, "spec.yaml", SPEC_A);
    let config = write_file(
        &dir,
        "rest-mcp.toml",
        "[headers]\nX-Config-Version = \"1\"\n",
    );
    let counter = ListChangedCounter::default();
    let server = Launch::bare()
        .args(["--spec", spec_path.to_str().expect("utf-8")])
        .args(["--config", config.to_str().expect("utf-8")])
        .args(["--base-url", &upstream.url()])
        .start_with(counter.clone())
        .await;
    ok_text(&server.call("alpha_op", json!({})).await);
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(r.header("x-config-version"), Some("1"));
    upstream.clear();
    let names = |tools: Vec<rmcp::model::Tool>| -> BTreeSet<String> {
        tools.into_iter().map(|t| t.name.to_string()).collect()
    };
    assert_eq!(
        names(server.tools().await),
        BTreeSet::from(["alpha_op".to_owned()])
    );

    write_file(&dir, "spec.yaml", SPEC_B);
    write_file(
        &dir,
        "rest-mcp.toml",
        "[headers]\nX-Config-Version = \"2\"\n",
    );
    hangup(server.pid);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while counter.count.load(Ordering::SeqCst) == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no notifications/tools/list_changed within 15 s (process alive: {})\nstderr:\n{}",
            is_alive(server.pid),
            server.stderr()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        names(server.tools().await),
        BTreeSet::from(["beta_op".to_owned(), "gamma_op".to_owned()])
    );
    ok_text(&server.call("beta_op", json!({"id": "b1"})).await);
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(r.path, "/beta/b1");
    // The config file was re-read too.
    assert_eq!(r.header("x-config-version"), Some("2"));
    assert!(
        server.try_call("alpha_op", json!({})).await.is_err(),
        "A's tool is gone"
    );

    // A broken spec: the reload fails, the previous tools stay, no notification.
    write_file(&dir, "spec.yaml", "openapi: [this is not a spec");
    hangup(server.pid);
    eventually(
        "the failed reload to be logged",
        Duration::from_secs(15),
        || server.stderr().contains("reload failed"),
    )
    .await;
    assert_eq!(counter.count.load(Ordering::SeqCst), 1);
    assert_eq!(
        names(server.tools().await),
        BTreeSet::from(["beta_op".to_owned(), "gamma_op".to_owned()])
    );
    server.stop().await;
}

#[tokio::test]
async fn sighup_during_startup_does_not_kill_the_server() {
    // The spec is downloaded from the upstream, which holds its answer until the signal
    // has been sent: the signal lands while the binary is loading, every time. A reload
    // signal may be handled or ignored then, but must not end the server.
    let upstream = Arc::new(Upstream::start().await);
    let loading = Gate::new();
    upstream.respond(
        "GET",
        "/spec.yaml",
        Reply::bytes(200, "application/yaml", SPEC_A.as_bytes().to_vec()).with_gate(&loading),
    );
    let spec_url = format!("{}/spec.yaml", upstream.url());
    let signaller = Arc::new(std::sync::Mutex::new(None));
    let server = Launch::bare()
        .args(["--spec", &spec_url, "--base-url", &upstream.url()])
        .start_hooked((), |pid| {
            let (upstream, loading) = (upstream.clone(), loading.clone());
            let task = tokio::spawn(async move {
                // The download has begun and is held: the binary is mid-load.
                let seen = upstream.wait_for(1, CALL_TIMEOUT).await.len();
                hangup(pid);
                loading.open();
                seen
            });
            *signaller.lock().expect("signaller") = Some(task);
        })
        .await;
    let task = signaller
        .lock()
        .expect("signaller")
        .take()
        .expect("the hook ran");
    let requests_before_signal = task.await.expect("signal task");
    assert_eq!(
        requests_before_signal, 1,
        "the signal was sent while the spec download was held"
    );
    assert!(is_alive(server.pid), "SIGHUP killed the server");
    let names: Vec<String> = server
        .tools()
        .await
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(names, ["alpha_op"]);
    ok_text(&server.call("alpha_op", json!({})).await);
    server.stop().await;
}

const MANUAL: &str = r#"
title = "Manual test API"
base_url = "${E2E_BASE}"

[[endpoints]]
name = "get_user"
method = "GET"
path = "/users/{id}"
description = "Get a user by id"
response_path = "$.user"
[endpoints.path_params]
id = { type = "integer", description = "User id" }
[endpoints.query]
fields = { type = "array", items = { type = "string" } }
[endpoints.headers]
X-Tenant = { type = "string", required = true }

[[endpoints]]
name = "create_user"
method = "POST"
path = "/users"
[endpoints.body]
name = { type = "string", required = true }
age = "integer"
"#;

#[tokio::test]
async fn manual_toml_endpoints_are_callable() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("manual");
    let config = write_file(&dir, "api.toml", MANUAL);
    let server = Launch::bare()
        .args(["--config", config.to_str().expect("utf-8")])
        .env("E2E_BASE", &upstream.url())
        .start()
        .await;
    let tools: Vec<String> = server
        .tools()
        .await
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(tools, ["get_user", "create_user"]);

    upstream.respond(
        "GET",
        "/users/5",
        Reply::json(
            200,
            json!({"user": {"id": 5, "name": "Ann"}, "paging": {"next": null}}),
        ),
    );
    let body = ok_text(
        &server
            .call(
                "get_user",
                json!({"id": 5, "fields": ["name", "id"], "X-Tenant": "t1"}),
            )
            .await,
    );
    // response_path = "$.user" returns only that part.
    assert_eq!(body, "HTTP 200 OK\n\n{\"id\":5,\"name\":\"Ann\"}");
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/users/5"));
    let fields: Vec<String> = r
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| k == "fields")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(fields, ["name", "id"]);
    assert_eq!(r.header("x-tenant"), Some("t1"));

    upstream.clear();
    ok_text(
        &server
            .call("create_user", json!({"name": "Bo", "age": 30}))
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/users"));
    assert_eq!(r.json(), json!({"name": "Bo", "age": 30}));

    // The header marked required is enforced before sending.
    upstream.clear();
    let result = server.call("get_user", json!({"id": 5})).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(upstream.count(), 0);
    server.stop().await;
}

#[tokio::test]
async fn github_spec_serves_every_operation() {
    let upstream = Upstream::start().await;
    let github = github_spec();
    let server = Launch::bare()
        .args(["--spec", github.to_str().expect("utf-8")])
        .args(["--base-url", &upstream.url()])
        .start()
        .await;
    let tools = server.tools().await;
    assert_eq!(tools.len(), 1223);
    upstream.respond(
        "GET",
        "/repos/o/r",
        Reply::json(200, json!({"id": 1, "full_name": "o/r"})),
    );
    let result = server
        .call("repos_get", json!({"owner": "o", "repo": "r"}))
        .await;
    let body = ok_text(&result);
    assert!(body.contains("o/r"), "{body}");
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/repos/o/r"));
    server.stop().await;
}

#[test]
fn test_specs_exist() {
    for name in [
        "params.yaml",
        "bodies.yaml",
        "responses.yaml",
        "secure.yaml",
        "security.yaml",
        "filters.yaml",
        "echo.yaml",
    ] {
        assert!(spec(name).is_file(), "{name}");
    }
}

#[tokio::test]
async fn list_into_a_reader_that_stops_early_ends_quietly() {
    use tokio::io::AsyncBufReadExt;
    // `rest-mcp list | head -1`: the reader takes one line and closes the pipe while
    // rest-mcp still has 1,222 rows to write.
    let github = github_spec();
    let launch = Launch::bare().args([
        "list",
        "--spec",
        github.to_str().expect("utf-8"),
        "--base-url",
        "http://127.0.0.1:9",
    ]);
    let dir = common::temp_dir("pipe");
    let mut child = launch
        .command(&dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run rest-mcp");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    tokio::io::BufReader::new(stdout)
        .read_line(&mut first)
        .await
        .expect("a first line");
    assert!(first.starts_with("TOOL"), "{first}");
    // The reader is gone (dropped with the BufReader) before rest-mcp finishes writing.
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("rest-mcp ends")
        .expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
}
