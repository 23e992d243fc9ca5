//! End to end over Streamable HTTP on 127.0.0.1: the `rest-mcp` binary in
//! `--transport http` mode (stateful and `--stateless`), driven by rmcp's Streamable HTTP
//! client in both lifecycles (`initialize`, and the 2026-07-28 `server/discover`), plus
//! `/healthz`, Host/Origin checks, the request body limit, bounded concurrent clients,
//! graceful shutdown on SIGTERM with a call in flight, and the refusal to listen beyond
//! loopback without `allowed_hosts`.

mod http_common;

use std::time::Duration;

use http_common::{
    ALL_TOOLS, Launch, Lifecycle, RestMcp, header, initialize_request, names, ok_json,
};
use rest_mcp_tests::{Gate, Reply, Upstream, free_port};
use rmcp::model::ProtocolVersion;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(5);
/// Longest wait for an event such as an exit or a released call (a hang guard, never
/// the thing tested).
const HANG_GUARD: Duration = Duration::from_secs(20);
/// How often, at most, a condition (a refusal while draining, a reload) is polled.
const MAX_POLLS: usize = 500;
/// The pause between two polls.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Lists the tools and calls `get_item` through a client of `lifecycle`, checking what
/// the upstream received.
async fn list_and_call(server: &RestMcp, upstream: &Upstream, lifecycle: Lifecycle, id: &str) {
    let client = server.connect(lifecycle).await;
    let version = client.protocol_version();
    match lifecycle {
        Lifecycle::Discover => assert_eq!(version, ProtocolVersion::V_2026_07_28),
        Lifecycle::Initialize => assert_ne!(
            version,
            ProtocolVersion::V_2026_07_28,
            "2026-07-28 has no initialize"
        ),
    }
    assert_eq!(
        client.tool_names().await,
        names(&ALL_TOOLS),
        "{lifecycle:?}"
    );
    upstream.respond(
        "GET",
        &format!("/items/{id}"),
        Reply::json(200, json!({"id": id, "via": format!("{lifecycle:?}")})),
    );
    let before = upstream.count();
    let result = client.call("get_item", json!({"id": id})).await;
    assert_eq!(
        ok_json(&result),
        json!({"id": id, "via": format!("{lifecycle:?}")})
    );
    let seen = upstream.wait_for(before + 1, WAIT).await;
    let last = seen.last().expect("the upstream got the call");
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("GET", &*format!("/items/{id}"))
    );
    client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateful_mode_serves_initialize_and_discover_clients() {
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url()).start().await;

    // Stateful: `initialize` opens a session.
    let response = server.post(&[], &initialize_request()).await;
    assert_eq!(response.status(), 200);
    assert!(
        header(&response, "mcp-session-id").is_some(),
        "stateful mode answers initialize with a session id"
    );

    list_and_call(&server, &upstream, Lifecycle::Initialize, "legacy-1").await;
    list_and_call(&server, &upstream, Lifecycle::Discover, "discover-1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_mode_serves_initialize_and_discover_clients() {
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url())
        .arg("--stateless")
        .start()
        .await;

    // Stateless: no session, and a plain JSON answer instead of an event stream.
    let response = server.post(&[], &initialize_request()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "mcp-session-id"), None);
    assert!(
        header(&response, "content-type").is_some_and(|t| t.starts_with("application/json")),
        "{:?}",
        response.headers()
    );

    list_and_call(&server, &upstream, Lifecycle::Initialize, "legacy-2").await;
    list_and_call(&server, &upstream, Lifecycle::Discover, "discover-2").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_can_be_set_in_the_config_file() {
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url())
        .toml("[http]\nstateless = true")
        .start()
        .await;
    let response = server.post(&[], &initialize_request()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "mcp-session-id"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_reports_status_and_tool_count() {
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url()).start().await;
    let response = http_common::http_client()
        .get(format!("{}/healthz", server.base()))
        .send()
        .await
        .expect("GET /healthz");
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").is_some_and(|t| t.starts_with("application/json")));
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body, json!({"status": "ok", "tools": ALL_TOOLS.len()}));
    assert_eq!(upstream.count(), 0, "health checks do not call the API");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_hosts_and_origins_and_large_bodies_are_refused() {
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url())
        .toml("[http]\nallowed_origins = [\"https://agents.example.com\"]\nmax_request_body = 4096")
        .start()
        .await;
    let own_host = format!("127.0.0.1:{}", server.port);

    // Host: loopback passes (the default list), anything else is refused.
    let ok = server
        .post(&[("host", &own_host)], &initialize_request())
        .await;
    assert_eq!(ok.status(), 200);
    let evil = server
        .post(&[("host", "evil.example")], &initialize_request())
        .await;
    assert_eq!(evil.status(), 403);
    assert!(evil.text().await.expect("body").contains("Host"));
    let evil_port = server
        .post(&[("host", "evil.example:80")], &initialize_request())
        .await;
    assert_eq!(evil_port.status(), 403);

    // Origin: the configured one passes, a foreign one is refused.
    let allowed = server
        .post(
            &[("origin", "https://agents.example.com")],
            &initialize_request(),
        )
        .await;
    assert_eq!(allowed.status(), 200);
    for foreign in ["https://evil.example", "http://agents.example.com", "null"] {
        let refused = server
            .post(&[("origin", foreign)], &initialize_request())
            .await;
        assert_eq!(refused.status(), 403, "Origin: {foreign}");
    }

    // Body size: just under the limit passes, over it is 413.
    let mut small = initialize_request();
    small["params"]["clientInfo"]["padding"] = json!("x".repeat(3000));
    assert_eq!(server.post(&[], &small).await.status(), 200);
    let mut large = initialize_request();
    large["params"]["clientInfo"]["padding"] = json!("x".repeat(5000));
    assert_eq!(server.post(&[], &large).await.status(), 413);
    assert_eq!(upstream.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_allowed_hosts_replace_the_loopback_default() {
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url())
        .arg("--allowed-hosts")
        .arg("mcp.team.test")
        .start()
        .await;
    let named = server
        .post(&[("host", "mcp.team.test")], &initialize_request())
        .await;
    assert_eq!(named.status(), 200);
    let other = server
        .post(&[("host", "evil.example")], &initialize_request())
        .await;
    assert_eq!(other.status(), 403);
}

#[test]
fn listening_beyond_loopback_needs_allowed_hosts() {
    let upstream = Upstream::start_blocking();
    let (status, stderr) = Launch::new(&upstream.url())
        .listen(&format!("0.0.0.0:{}", free_port()))
        .run_to_exit();
    assert!(!status.success(), "{status}: {stderr}");
    assert!(stderr.contains("allowed_hosts"), "{stderr}");
    assert!(stderr.contains("0.0.0.0"), "{stderr}");
}

/// A deterministic pseudo-random delay in 0..60 ms for request `n`.
fn jitter(n: u64) -> Duration {
    let mixed = n.wrapping_mul(6_364_136_223_846_793_005).rotate_left(17) ^ 0x9e37_79b9;
    Duration::from_millis(mixed % 60)
}

async fn concurrent_clients_get_their_own_answers(stateless: bool) {
    const CLIENTS: u64 = 8;
    const CALLS: u64 = 5;
    let upstream = Upstream::start().await;
    for client in 0..CLIENTS {
        for call in 0..CALLS {
            upstream.respond(
                "GET",
                &format!("/echo/{client}/{call}"),
                Reply::json(
                    200,
                    json!({"client": client, "call": call, "tag": format!("c{client}-k{call}")}),
                )
                .with_delay(jitter(client * CALLS + call)),
            );
        }
    }
    let mut launch = Launch::new(&upstream.url());
    if stateless {
        launch = launch.arg("--stateless");
    }
    let server = launch.start().await;
    let mut tasks = Vec::new();
    for client_id in 0..CLIENTS {
        let lifecycle = if client_id % 2 == 0 {
            Lifecycle::Initialize
        } else {
            Lifecycle::Discover
        };
        let client = std::sync::Arc::new(server.connect(lifecycle).await);
        tasks.push(tokio::spawn(async move {
            let mut calls = tokio::task::JoinSet::new();
            for call in 0..CALLS {
                let client = client.clone();
                calls.spawn(async move {
                    let result = client
                        .call("echo", json!({"client": client_id, "call": call}))
                        .await;
                    (call, ok_json(&result))
                });
            }
            let mut answers = Vec::new();
            while let Some(answer) = calls.join_next().await {
                answers.push(answer.expect("call task"));
            }
            if let Ok(client) = std::sync::Arc::try_unwrap(client) {
                client.close().await;
            }
            (client_id, answers)
        }));
    }
    for task in tasks {
        let (client_id, answers) = tokio::time::timeout(HANG_GUARD, task)
            .await
            .expect("clients finish in time")
            .expect("client task");
        assert_eq!(answers.len(), CALLS as usize);
        for (call, answer) in answers {
            assert_eq!(
                answer,
                json!({"client": client_id, "call": call, "tag": format!("c{client_id}-k{call}")}),
                "client {client_id} call {call} got someone else's answer"
            );
        }
    }
    assert_eq!(upstream.count(), (CLIENTS * CALLS) as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_get_their_own_answers_stateful() {
    concurrent_clients_get_their_own_answers(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_get_their_own_answers_stateless() {
    concurrent_clients_get_their_own_answers(true).await;
}

/// SIGTERM while a call is held at the upstream: new requests are refused while the call
/// is still in flight, the call still gets the upstream's answer once released, and the
/// process then exits 0 (long before its 600 s grace period).
async fn shutdown_lets_the_call_in_flight_finish(stateless: bool, lifecycle: Lifecycle) {
    let upstream = Upstream::start().await;
    let release = Gate::new();
    upstream.respond(
        "GET",
        "/slow",
        Reply::json(200, json!({"slow": "done"})).with_gate(&release),
    );
    let mut launch = Launch::new(&upstream.url()).toml("[http]\nshutdown_grace = \"600s\"");
    if stateless {
        launch = launch.arg("--stateless");
    }
    let mut server = launch.start().await;
    let client = server.connect(lifecycle).await;
    let call = tokio::spawn(async move {
        let result = client.try_call("slow_call", json!({})).await;
        (result, client)
    });
    let seen = upstream.wait_for(1, WAIT).await;
    assert_eq!(seen.len(), 1, "the call reached the upstream");
    server.terminate();

    // Draining: new requests are refused (503) until the listener closes. Before the
    // signal is handled they are served normally, so poll (bounded).
    let mut refused = None;
    for _ in 0..MAX_POLLS {
        match server
            .post_bytes(&[], initialize_request().to_string().into_bytes())
            .await
        {
            Ok(response) if response.status() == 503 => {
                refused = Some(format!(
                    "503, Retry-After {:?}",
                    header(&response, "retry-after")
                ));
                break;
            }
            Ok(response) => assert_eq!(
                response.status(),
                200,
                "before the signal is handled the request is served normally"
            ),
            Err(error) if error.is_connect() => {
                refused = Some("connection refused".to_owned());
                break;
            }
            Err(error) => panic!("unexpected failure while draining: {error}"),
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
    let refused = refused.unwrap_or_else(|| {
        panic!(
            "new requests were still served {MAX_POLLS} polls after SIGTERM\n{}",
            server.stderr()
        )
    });
    assert!(
        !call.is_finished(),
        "the call finished ({refused}) although its answer was held"
    );
    assert!(
        server.wait_exit(Duration::ZERO).is_none(),
        "exited with a call in flight"
    );

    release.open();
    let (result, client) = tokio::time::timeout(HANG_GUARD, call)
        .await
        .expect("the call in flight finishes")
        .expect("call task");
    let result = result.unwrap_or_else(|error| {
        panic!(
            "the call in flight failed during shutdown ({refused}): {error}\nstderr:\n{}",
            server.stderr()
        )
    });
    assert_eq!(ok_json(&result), json!({"slow": "done"}));
    drop(client);

    let status = server.wait_exit(HANG_GUARD).unwrap_or_else(|| {
        panic!(
            "still running after the last call finished\n{}",
            server.stderr()
        )
    });
    assert!(
        status.success(),
        "exit status {status}\n{}",
        server.stderr()
    );
    assert_eq!(upstream.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_call_in_flight_finish_stateful() {
    shutdown_lets_the_call_in_flight_finish(false, Lifecycle::Initialize).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_call_in_flight_finish_stateless() {
    shutdown_lets_the_call_in_flight_finish(true, Lifecycle::Discover).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_server_exits_promptly_on_sigterm_and_sigint() {
    // With nothing in flight the 600 s grace period is not waited for: the exit comes
    // within the hang guard, far inside it.
    let upstream = Upstream::start().await;
    for signal in ["-TERM", "-INT"] {
        let mut server = Launch::new(&upstream.url())
            .toml("[http]\nshutdown_grace = \"600s\"")
            .start()
            .await;
        let client = server.connect(Lifecycle::Initialize).await;
        assert_eq!(client.tool_names().await.len(), ALL_TOOLS.len());
        let status = std::process::Command::new("kill")
            .args([signal, &server.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let status = server.wait_exit(HANG_GUARD).unwrap_or_else(|| {
            panic!(
                "kill {signal}: still running with nothing in flight\n{}",
                server.stderr()
            )
        });
        assert!(
            status.success(),
            "kill {signal}: {status}\n{}",
            server.stderr()
        );
        drop(client);
    }
}

/// SIGTERM while a call is held at the upstream for good: after the 1 s grace period
/// the process exits anyway (0), and the call never gets the upstream's answer.
async fn shutdown_is_bounded_by_the_grace_period(stateless: bool) {
    let upstream = Upstream::start().await;
    let never = Gate::new();
    upstream.respond(
        "GET",
        "/slow",
        Reply::json(200, json!({"slow": "too late"})).with_gate(&never),
    );
    let mut launch = Launch::new(&upstream.url()).toml("[http]\nshutdown_grace = \"1s\"");
    if stateless {
        launch = launch.arg("--stateless");
    }
    let mut server = launch.start().await;
    let client = server.connect(Lifecycle::Initialize).await;
    let call = tokio::spawn(async move {
        let result = client.try_call("slow_call", json!({})).await;
        (result.ok().map(|r| http_common::text(&r)), client)
    });
    assert_eq!(upstream.wait_for(1, WAIT).await.len(), 1);
    server.terminate();
    let status = server.wait_exit(HANG_GUARD).unwrap_or_else(|| {
        panic!(
            "still running with a call held past the 1 s grace period\n{}",
            server.stderr()
        )
    });
    assert!(status.success(), "{status}\n{}", server.stderr());
    // The client may or may not have noticed the closed connection yet; either way it
    // cannot have the held answer.
    let answer = if call.is_finished() {
        call.await.ok().and_then(|(answer, _client)| answer)
    } else {
        call.abort();
        None
    };
    assert!(
        !answer.as_deref().unwrap_or_default().contains("too late"),
        "the held answer arrived: {answer:?}"
    );
    assert!(!never.is_open());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_bounded_by_the_grace_period_stateful() {
    shutdown_is_bounded_by_the_grace_period(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_bounded_by_the_grace_period_stateless() {
    shutdown_is_bounded_by_the_grace_period(true).await;
}

/// GitHub's spec from the shared corpus, decompressed once per test process.
fn github_spec() -> std::path::PathBuf {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        use std::io::Read;
        let gz = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/github.json.gz"
        );
        let file = std::fs::File::open(gz).expect("github fixture");
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut text)
            .expect("gunzip");
        let path = http_common::temp_dir("github").join("github.json");
        std::fs::write(&path, text).expect("write github.json");
        path
    })
    .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_tools_list_fits_the_python_sdks_sse_event_limit() {
    use rmcp::ServiceExt;
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url())
        .config(&format!(
            "openapi_spec = {}\nbase_url = {}\n",
            http_common::toml_string(github_spec().to_str().expect("utf-8")),
            http_common::toml_string(&upstream.url())
        ))
        .start()
        .await;
    // The official Python SDK's default (`DEFAULT_MAX_SSE_EVENT_SIZE`, 1 MiB).
    let config =
        StreamableHttpClientTransportConfig::with_uri(server.mcp_url()).max_sse_event_size(1 << 20);
    let transport = StreamableHttpClientTransport::with_client(
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client"),
        config,
    );
    let client = tokio::time::timeout(http_common::CALL_TIMEOUT, ().serve(transport))
        .await
        .expect("handshake in time")
        .expect("handshake");
    let tools = tokio::time::timeout(http_common::CALL_TIMEOUT, client.list_all_tools())
        .await
        .expect("tools/list in time")
        .expect("tools/list within 1 MiB events");
    assert_eq!(tools.len(), 1223);
    let _ = client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_clients_from_allowed_origins_pass_cors() {
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url())
        .toml(
            "[http]\nallowed_origins = [\"https://agents.example.com\"]\n[[http.keys]]\nname = \"web\"\nkey = \"${WEB_KEY}\"\nrole = \"viewer\"",
        )
        .env("WEB_KEY", "web-key-0123456789abcdef")
        .start()
        .await;
    // The preflight carries no credentials; it must not be answered 401.
    let preflight = http_common::http_client()
        .request(reqwest::Method::OPTIONS, server.mcp_url())
        .header("origin", "https://agents.example.com")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type, mcp-protocol-version, mcp-session-id",
        )
        .send()
        .await
        .expect("OPTIONS");
    assert!(
        preflight.status().is_success(),
        "preflight: {}",
        preflight.status()
    );
    assert_eq!(
        header(&preflight, "access-control-allow-origin").as_deref(),
        Some("https://agents.example.com")
    );
    let allowed = header(&preflight, "access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for name in ["authorization", "mcp-session-id", "mcp-protocol-version"] {
        assert!(allowed.contains(name), "{name} not allowed: {allowed}");
    }
    // The actual request's answer is readable by that origin, session id included.
    let response = server
        .post(
            &[
                ("origin", "https://agents.example.com"),
                ("authorization", "Bearer web-key-0123456789abcdef"),
            ],
            &initialize_request(),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some("https://agents.example.com")
    );
    assert!(
        header(&response, "access-control-expose-headers")
            .is_some_and(|h| h.to_ascii_lowercase().contains("mcp-session-id"))
    );
}

/// A client that reports `notifications/tools/list_changed`.
#[derive(Clone, Default)]
struct ListChanged {
    count: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    changed: std::sync::Arc<tokio::sync::Notify>,
}

impl rmcp::ClientHandler for ListChanged {
    async fn on_tool_list_changed(
        &self,
        _context: rmcp::service::NotificationContext<rmcp::service::RoleClient>,
    ) {
        self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.changed.notify_one();
    }
}

const RELOAD_SPEC_A: &str = r#"
openapi: 3.0.3
info: {title: Reload A, version: "1"}
paths:
  /alpha:
    get:
      operationId: alphaOp
      responses: {"200": {description: ok}}
"#;

const RELOAD_SPEC_B: &str = r#"
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

/// A server (`stateless` or not) on a spec file the test rewrites, and that file.
async fn reloadable(upstream: &Upstream, stateless: bool) -> (RestMcp, std::path::PathBuf) {
    let dir = http_common::temp_dir("sighup");
    let spec = dir.join("spec.yaml");
    std::fs::write(&spec, RELOAD_SPEC_A).expect("write spec");
    let config = format!(
        "openapi_spec = {}\nbase_url = {}\n[http]\nstateless = {stateless}\n",
        http_common::toml_string(spec.to_str().expect("utf-8")),
        http_common::toml_string(&upstream.url())
    );
    (
        Launch::new(&upstream.url()).config(&config).start().await,
        spec,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_over_http_reloads_the_spec_and_notifies_sessions() {
    let upstream = Upstream::start().await;
    let (server, spec) = reloadable(&upstream, false).await;
    let handler = ListChanged::default();
    let client = server.connect_handler(handler.clone()).await;
    let names = |tools: Vec<rmcp::model::Tool>| -> Vec<String> {
        let mut names: Vec<String> = tools.into_iter().map(|t| t.name.to_string()).collect();
        names.sort();
        names
    };
    let listed = tokio::time::timeout(HANG_GUARD, client.list_all_tools())
        .await
        .expect("tools/list in time")
        .expect("tools/list");
    assert_eq!(names(listed), ["alpha_op"]);

    std::fs::write(&spec, RELOAD_SPEC_B).expect("rewrite spec");
    server.hangup();
    tokio::time::timeout(HANG_GUARD, handler.changed.notified())
        .await
        .unwrap_or_else(|_| {
            panic!(
                "no notifications/tools/list_changed after SIGHUP\n{}",
                server.stderr()
            )
        });
    let listed = tokio::time::timeout(HANG_GUARD, client.list_all_tools())
        .await
        .expect("tools/list in time")
        .expect("tools/list");
    assert_eq!(names(listed), ["beta_op", "gamma_op"]);
    let call = rmcp::model::CallToolRequestParams::new("beta_op")
        .with_arguments(json!({"id": "b1"}).as_object().cloned().unwrap_or_default());
    let result = tokio::time::timeout(HANG_GUARD, client.call_tool(call))
        .await
        .expect("tools/call in time")
        .expect("tools/call");
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let seen = upstream.wait_for(1, WAIT).await;
    assert_eq!(seen.last().map(|r| r.path.as_str()), Some("/beta/b1"));
    assert_eq!(
        server.get_json("/healthz").await,
        json!({"status": "ok", "tools": 2})
    );
    assert_eq!(
        handler.count.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one reload, one notification"
    );
    let _ = tokio::time::timeout(HANG_GUARD, client.cancel()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_over_stateless_http_reloads_the_spec() {
    // Stateless serving has no sessions to notify; the new tools are served all the same.
    let upstream = Upstream::start().await;
    let (server, spec) = reloadable(&upstream, true).await;
    assert_eq!(server.get_json("/healthz").await["tools"], json!(1));
    std::fs::write(&spec, RELOAD_SPEC_B).expect("rewrite spec");
    server.hangup();
    let mut reloaded = false;
    for _ in 0..MAX_POLLS {
        if server.get_json("/healthz").await["tools"] == json!(2) {
            reloaded = true;
            break;
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
    assert!(
        reloaded,
        "/healthz never showed the reloaded spec\n{}",
        server.stderr()
    );
    let client = server.connect(Lifecycle::Discover).await;
    assert_eq!(client.tool_names().await, ["beta_op", "gamma_op"]);
    client.close().await;
}
