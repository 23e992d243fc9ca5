//! End to end over Streamable HTTP on 127.0.0.1: API keys with roles (`viewer`, `editor`,
//! a `tools` allow-list) read from environment variables, the 401 challenge, the
//! `forbidden` JSON-RPC error, per-key rate limits, and the opt-in forwarding of inbound
//! headers to the upstream. Every server runs with `--log-level debug`, and no key or
//! forwarded credential may appear in its stderr.

mod http_common;

use std::time::Duration;

use http_common::{
    ALL_TOOLS, Launch, Lifecycle, READ_ONLY_TOOLS, RestMcp, header, initialize_request, names,
    ok_json, toml_string, tool_call_request, tools_list_request,
};
use rest_mcp_tests::{Reply, Upstream};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(5);
const VIEWER_KEY: &str = "viewer-key-5f2c9a7e1b40";
const EDITOR_KEY: &str = "editor-key-8d41c0b6aa71";
const LISTER_KEY: &str = "lister-key-33e07f9d12c8";
const WRONG_KEY: &str = "wrong-key-0000feedbeef";
/// What a client sends in `X-User-Token` in the forwarding tests.
const USER_TOKEN: &str = "Bearer user-token-7a1d93c5";

/// Three keys (values from the environment), debug logging.
fn keyed(upstream: &Upstream, extra: &str) -> Launch {
    Launch::new(&upstream.url())
        .toml(&format!(
            r#"[http]
{extra}

[[http.keys]]
name = "support-bot"
key = "${{VIEWER_KEY}}"
role = "viewer"

[[http.keys]]
name = "ops"
key = "${{EDITOR_KEY}}"
role = "editor"

[[http.keys]]
name = "lister"
key = "${{LISTER_KEY}}"
tools = ["list_items", "delete_item"]
"#
        ))
        .env("VIEWER_KEY", VIEWER_KEY)
        .env("EDITOR_KEY", EDITOR_KEY)
        .env("LISTER_KEY", LISTER_KEY)
        .arg("--log-level")
        .arg("debug")
}

/// None of the secrets is in the server's stderr.
#[track_caller]
fn assert_no_secrets_logged(server: &RestMcp) {
    let stderr = server.stderr();
    assert!(
        stderr.contains("INFO"),
        "verbose logging is on, so there is something to check:\n{stderr}"
    );
    for secret in [
        VIEWER_KEY,
        EDITOR_KEY,
        LISTER_KEY,
        WRONG_KEY,
        "user-token-7a1d93c5",
    ] {
        assert!(
            !stderr.contains(secret),
            "`{secret}` appears in stderr:\n{stderr}"
        );
    }
}

/// Roles decide what each key sees and may call.
async fn roles_gate_tools(server: &RestMcp, upstream: &Upstream, lifecycle: Lifecycle) {
    // viewer: read-only tools only; a write tool is `forbidden` and never reaches the API.
    let viewer = server.connect_with(lifecycle, Some(VIEWER_KEY), &[]).await;
    assert_eq!(
        viewer.tool_names().await,
        names(&READ_ONLY_TOOLS),
        "{lifecycle:?}"
    );
    upstream.respond("GET", "/items/1", Reply::json(200, json!({"id": "1"})));
    let result = viewer.call("get_item", json!({"id": "1"})).await;
    assert_eq!(ok_json(&result), json!({"id": "1"}));
    let before = upstream.count();
    let error = viewer.call_error("delete_item", json!({"id": "1"})).await;
    assert_eq!(error.code.0, -32001, "{error:?}");
    assert_eq!(
        error.message,
        "forbidden: `delete_item` changes data; this credential is read-only"
    );
    let data = error.data.clone().expect("error data");
    assert_eq!(data["required"], json!("editor"), "{data}");
    assert_eq!(data["actual"], json!("viewer"), "{data}");
    assert_eq!(
        data["reason"],
        json!("`delete_item` changes data; this credential is read-only"),
        "{data}"
    );
    let error = viewer.call_error("create_item", json!({"name": "x"})).await;
    assert_eq!(error.code.0, -32001);
    assert_eq!(
        error.data.expect("error data")["reason"],
        json!("`create_item` changes data; this credential is read-only")
    );
    assert_eq!(upstream.count(), before, "forbidden calls send nothing");
    viewer.close().await;

    // editor: every tool, and a write call goes through.
    let editor = server.connect_with(lifecycle, Some(EDITOR_KEY), &[]).await;
    assert_eq!(editor.tool_names().await, names(&ALL_TOOLS));
    upstream.respond(
        "DELETE",
        "/items/7",
        Reply::json(200, json!({"deleted": "7"})),
    );
    let result = editor.call("delete_item", json!({"id": "7"})).await;
    assert_eq!(ok_json(&result), json!({"deleted": "7"}));
    let last = upstream.wait_for(before + 1, WAIT).await;
    let last = last.last().expect("the delete reached the upstream");
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("DELETE", "/items/7")
    );
    editor.close().await;

    // tools = [...]: exactly those, whatever their kind.
    let lister = server.connect_with(lifecycle, Some(LISTER_KEY), &[]).await;
    assert_eq!(
        lister.tool_names().await,
        names(&["delete_item", "list_items"])
    );
    let error = lister.call_error("get_item", json!({"id": "1"})).await;
    assert_eq!(error.code.0, -32001);
    assert_eq!(
        error.message,
        "forbidden: this credential may not call `get_item`"
    );
    let data = error.data.clone().expect("error data");
    assert!(
        data["actual"]
            .as_str()
            .is_some_and(|a| a.contains("list_items")),
        "{data}"
    );
    assert_eq!(data["required"], json!("tools:get_item"), "{data}");
    assert_eq!(
        data["reason"],
        json!("this credential may not call `get_item`"),
        "{data}"
    );
    let result = lister.call("delete_item", json!({"id": "8"})).await;
    assert!(result.is_error != Some(true));
    lister.close().await;

    // The same key in `X-API-Key` instead of `Authorization: Bearer`.
    let by_header = server
        .connect_with(lifecycle, None, &[("x-api-key", EDITOR_KEY)])
        .await;
    assert_eq!(by_header.tool_names().await, names(&ALL_TOOLS));
    by_header.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_gate_tools_by_role_stateful() {
    let upstream = Upstream::start().await;
    let server = keyed(&upstream, "").start().await;
    roles_gate_tools(&server, &upstream, Lifecycle::Initialize).await;
    roles_gate_tools(&server, &upstream, Lifecycle::Discover).await;
    assert_no_secrets_logged(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_gate_tools_by_role_stateless() {
    let upstream = Upstream::start().await;
    let server = keyed(&upstream, "stateless = true").start().await;
    roles_gate_tools(&server, &upstream, Lifecycle::Initialize).await;
    roles_gate_tools(&server, &upstream, Lifecycle::Discover).await;
    assert_no_secrets_logged(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_wrong_keys_get_401_with_the_metadata_pointer() {
    let upstream = Upstream::start().await;
    let server = keyed(&upstream, "").start().await;
    let metadata_url = format!("{}/.well-known/oauth-protected-resource", server.base());

    // No credential: the RFC 9728 challenge, without an error code.
    let response = server.post(&[], &initialize_request()).await;
    assert_eq!(response.status(), 401);
    let challenge = header(&response, "www-authenticate").expect("WWW-Authenticate");
    assert_eq!(
        challenge,
        format!("Bearer resource_metadata=\"{metadata_url}\"")
    );
    // The pointer leads to the metadata document, which names this resource.
    let metadata = server
        .get_json("/.well-known/oauth-protected-resource")
        .await;
    assert_eq!(metadata["resource"], json!(server.mcp_url()));

    // A wrong key, the unexpanded `${VAR}` text, or a key in the wrong scheme: invalid_token.
    let wrong = format!("Bearer {WRONG_KEY}");
    let literal = "Bearer ${VIEWER_KEY}".to_owned();
    let truncated = format!("Bearer {}", &VIEWER_KEY[..VIEWER_KEY.len() - 1]);
    for credential in [&wrong, &literal, &truncated] {
        let response = server
            .post(&[("authorization", credential)], &initialize_request())
            .await;
        assert_eq!(response.status(), 401, "{credential}");
        let challenge = header(&response, "www-authenticate").expect("WWW-Authenticate");
        assert!(
            challenge.starts_with(&format!("Bearer resource_metadata=\"{metadata_url}\"")),
            "{challenge}"
        );
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    }
    let response = server
        .post(&[("x-api-key", WRONG_KEY)], &initialize_request())
        .await;
    assert_eq!(response.status(), 401);
    let response = server
        .post(
            &[("authorization", &format!("Basic {VIEWER_KEY}"))],
            &initialize_request(),
        )
        .await;
    assert_eq!(
        response.status(),
        401,
        "only the Bearer scheme carries a key"
    );

    // rmcp's client cannot connect without a key, nor with a wrong one.
    for bearer in [None, Some(WRONG_KEY)] {
        let refused = server.try_connect(Lifecycle::Initialize, bearer, &[]).await;
        assert!(refused.is_err(), "connected with {bearer:?}");
    }
    // The right key works on the same server.
    let response = server
        .post(
            &[("authorization", &format!("Bearer {VIEWER_KEY}"))],
            &initialize_request(),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(upstream.count(), 0);
    assert_no_secrets_logged(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_rate_limit_is_429_with_retry_after() {
    // 2 a minute: a burst of 2, then one more every 30 s. Speed cannot change the outcome:
    // the burst always passes, and a 429 must come within a few more requests (each 30 s
    // of slowness earns at most one extra pass). Only tool calls count: a session's
    // initialize and its tool list cost nothing.
    const PER_MINUTE: u64 = 2;
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url())
        .toml(
            r#"[http]
stateless = true
[[http.keys]]
name = "limited"
key = "${LIMITED_KEY}"
role = "viewer"
requests_per_minute = 2

[[http.keys]]
name = "other"
key = "${OTHER_KEY}"
role = "viewer"
requests_per_minute = 2
"#,
        )
        .env("LIMITED_KEY", VIEWER_KEY)
        .env("OTHER_KEY", EDITOR_KEY)
        .start()
        .await;
    let limited = format!("Bearer {VIEWER_KEY}");
    for n in 0..4 {
        for free in [initialize_request(), tools_list_request()] {
            let response = server.post(&[("authorization", &limited)], &free).await;
            assert_eq!(
                response.status(),
                200,
                "{} {n} is not counted",
                free["method"]
            );
        }
    }
    let first = std::time::Instant::now();
    for n in 1..=PER_MINUTE {
        let response = server
            .post(&[("authorization", &limited)], &tool_call_request())
            .await;
        assert_eq!(response.status(), 200, "request {n} is within the burst");
    }
    let mut limited_response = None;
    for _ in 0..5 {
        let response = server
            .post(&[("authorization", &limited)], &tool_call_request())
            .await;
        if response.status() == 429 {
            limited_response = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let response = limited_response.expect("a 429 once the burst is spent");
    let retry_after: u64 = header(&response, "retry-after")
        .expect("Retry-After")
        .parse()
        .expect("Retry-After in seconds");
    // The next request is at most 60/PER_MINUTE s away, and no nearer than that minus the
    // time spent since the bucket started (rounded up either way).
    let interval = 60 / PER_MINUTE;
    let spent = first.elapsed().as_secs() + 1;
    assert!(
        (interval.saturating_sub(spent)..=interval).contains(&retry_after),
        "Retry-After: {retry_after} (refill every {interval} s, {spent} s spent)"
    );
    let body: serde_json::Value = response.json().await.expect("JSON body");
    assert_eq!(
        body,
        json!({"error": "rate_limited", "retry_after_seconds": retry_after})
    );
    // The same key in X-API-Key shares the bucket; another key has its own.
    let response = server
        .post(&[("x-api-key", VIEWER_KEY)], &tool_call_request())
        .await;
    assert_eq!(response.status(), 429);
    let response = server
        .post(
            &[("authorization", &format!("Bearer {EDITOR_KEY}"))],
            &tool_call_request(),
        )
        .await;
    assert_eq!(response.status(), 200, "limits are per key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_can_count_tool_lists_too() {
    // `rate_limited_methods` adds `tools/list` to what counts; initialize still never does.
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url())
        .toml(
            r#"[http]
stateless = true
rate_limited_methods = ["tools/call", "tools/list"]
[[http.keys]]
name = "limited"
key = "${LIMITED_KEY}"
role = "viewer"
requests_per_minute = 2
"#,
        )
        .env("LIMITED_KEY", VIEWER_KEY)
        .start()
        .await;
    let auth = format!("Bearer {VIEWER_KEY}");
    for _ in 0..3 {
        let response = server
            .post(&[("authorization", &auth)], &initialize_request())
            .await;
        assert_eq!(response.status(), 200, "initialize is never counted");
    }
    let mut statuses = Vec::new();
    for request in [
        tools_list_request(),
        tool_call_request(),
        tools_list_request(),
    ] {
        statuses.push(
            server
                .post(&[("authorization", &auth)], &request)
                .await
                .status(),
        );
    }
    // Each later request is at most a second or two after the burst: 30 s per refill.
    assert_eq!(
        statuses,
        [200, 200, 429],
        "a list and a call spend the burst of 2"
    );
}

#[tokio::test]
async fn a_mistyped_rate_limited_method_gets_a_did_you_mean() {
    let (status, stderr) = Launch::new("http://127.0.0.1:9")
        .toml("[http]\nrate_limited_methods = [\"tools/cal\"]\n")
        .run_to_exit();
    assert!(!status.success());
    assert!(
        stderr.contains("(line ")
            && stderr.contains("unknown value `tools/cal`")
            && stderr.contains("did you mean `tools/call`?"),
        "{stderr}"
    );
}

/// Calls `get_item` with an API key in `Authorization` and a user token in
/// `X-User-Token`, and returns what the upstream received.
async fn call_with_user_token(
    server: &RestMcp,
    upstream: &Upstream,
    lifecycle: Lifecycle,
) -> rest_mcp_tests::Recorded {
    upstream.clear();
    let client = server
        .connect_with(lifecycle, Some(EDITOR_KEY), &[("x-user-token", USER_TOKEN)])
        .await;
    let result = client.call("get_item", json!({"id": "5"})).await;
    assert!(result.is_error != Some(true));
    client.close().await;
    let seen = upstream.wait_for(1, WAIT).await;
    assert_eq!(seen.len(), 1);
    seen[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_headers_are_forwarded_renamed() {
    let upstream = Upstream::start().await;
    let server = keyed(&upstream, "")
        .toml("[http.forward_headers]\n\"X-User-Token\" = \"Authorization\"")
        .start()
        .await;
    for lifecycle in [Lifecycle::Initialize, Lifecycle::Discover] {
        let seen = call_with_user_token(&server, &upstream, lifecycle).await;
        assert_eq!(seen.path, "/items/5");
        assert_eq!(
            seen.header_all("authorization"),
            vec![USER_TOKEN],
            "{lifecycle:?}: the user's token, renamed; not the API key"
        );
        assert_eq!(seen.header("x-user-token"), None, "renamed, not copied");
        assert!(
            !seen.headers.iter().any(|(_, v)| v.contains(EDITOR_KEY)),
            "{:?}",
            seen.headers
        );
    }
    assert_no_secrets_logged(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbound_credentials_are_not_forwarded_by_default() {
    let upstream = Upstream::start().await;
    let server = keyed(&upstream, "").start().await;
    for lifecycle in [Lifecycle::Initialize, Lifecycle::Discover] {
        let seen = call_with_user_token(&server, &upstream, lifecycle).await;
        assert_eq!(seen.path, "/items/5");
        assert_eq!(seen.header("authorization"), None, "{:?}", seen.headers);
        assert_eq!(seen.header("x-user-token"), None, "{:?}", seen.headers);
        assert!(
            !seen
                .headers
                .iter()
                .any(|(_, v)| v.contains(EDITOR_KEY) || v.contains("user-token-7a1d93c5")),
            "{:?}",
            seen.headers
        );
    }
    assert_no_secrets_logged(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_is_forwarded_only_when_named() {
    // Naming `Authorization` itself forwards the caller's header as is (here, its key).
    let upstream = Upstream::start().await;
    let server = keyed(&upstream, "")
        .toml("[http.forward_headers]\n\"Authorization\" = \"X-Caller-Credential\"")
        .start()
        .await;
    let seen = call_with_user_token(&server, &upstream, Lifecycle::Initialize).await;
    assert_eq!(
        seen.header("x-caller-credential"),
        Some(format!("Bearer {EDITOR_KEY}").as_str())
    );
    assert_eq!(seen.header("authorization"), None);
    assert_eq!(seen.header("x-user-token"), None);
}

/// The config example of the README's "One rest-mcp for a team" section, verbatim.
fn readme_team_toml() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("read README.md");
    let start = readme
        .find("```toml\n# team.toml\n")
        .expect("the README has the team.toml example")
        + "```toml\n".len();
    let end = start + readme[start..].find("```").expect("the example ends");
    readme[start..end].to_owned()
}

const SERVICE_TOKEN: &str = "service-token-44b1e0";
const README_HOST: &str = "mcp.internal.example.com";

/// The README's team.toml as pasted, with the spec, base URL and listening address given
/// on the command line (which wins over the file) and its variables in the environment.
fn readme_launch(upstream: &Upstream) -> Launch {
    Launch::new(&upstream.url())
        .config(&readme_team_toml())
        .arg("--spec")
        .arg(http_common::team_spec().to_str().expect("utf-8"))
        .arg("--base-url")
        .arg(&upstream.url())
        .env("SERVICE_TOKEN", SERVICE_TOKEN)
        .env("SUPPORT_BOT_KEY", VIEWER_KEY)
        .env("OPS_KEY", EDITOR_KEY)
        .env("BILLING_KEY", LISTER_KEY)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_team_config_works_as_pasted() {
    let upstream = Upstream::start().await;
    let server = readme_launch(&upstream).start().await;
    let host = [("host", README_HOST)];
    // As pasted, the config starts without a warning (no deprecated form either); the
    // requests below that it refuses are logged later.
    let startup = server.stderr();
    assert!(!startup.contains("WARN"), "{startup}");

    // public_url names the resource and the metadata location.
    let response = server.post(&host, &initialize_request()).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        header(&response, "www-authenticate").as_deref(),
        Some(
            "Bearer resource_metadata=\"https://mcp.internal.example.com/.well-known/oauth-protected-resource\""
        )
    );
    let metadata = server
        .get_json("/.well-known/oauth-protected-resource")
        .await;
    assert_eq!(
        metadata["resource"],
        json!("https://mcp.internal.example.com/mcp")
    );
    assert_eq!(
        metadata["authorization_servers"],
        json!(["https://auth.example.com"])
    );
    assert_eq!(
        metadata["scopes_supported"],
        json!(["api:read", "api:write"])
    );

    // allowed_hosts replaces the loopback default; allowed_origins is enforced.
    let viewer_auth = format!("Bearer {VIEWER_KEY}");
    let own = server
        .post(&[("authorization", &viewer_auth)], &initialize_request())
        .await;
    assert_eq!(own.status(), 403, "127.0.0.1 is not in allowed_hosts");
    let browser = server
        .post(
            &[
                ("authorization", &viewer_auth),
                ("host", README_HOST),
                ("origin", "https://agents.example.com"),
            ],
            &initialize_request(),
        )
        .await;
    assert_eq!(browser.status(), 200);
    let foreign = server
        .post(
            &[
                ("authorization", &viewer_auth),
                ("host", README_HOST),
                ("origin", "https://evil.example"),
            ],
            &initialize_request(),
        )
        .await;
    assert_eq!(foreign.status(), 403);
    // The browser's CORS preflight is answered for the same origin (sent without the
    // default port, as browsers do).
    let preflight = http_common::http_client()
        .request(reqwest::Method::OPTIONS, server.mcp_url())
        .header("host", README_HOST)
        .header("origin", "https://agents.example.com")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("OPTIONS");
    assert_eq!(
        header(&preflight, "access-control-allow-origin").as_deref(),
        Some("https://agents.example.com")
    );

    // The three keys and their roles; [auth] reaches the API.
    let viewer = server
        .connect_with(Lifecycle::Initialize, Some(VIEWER_KEY), &host)
        .await;
    assert_eq!(viewer.tool_names().await, names(&READ_ONLY_TOOLS));
    upstream.respond("GET", "/items/9", Reply::json(200, json!({"id": "9"})));
    assert_eq!(
        ok_json(&viewer.call("get_item", json!({"id": "9"})).await),
        json!({"id": "9"})
    );
    let seen = upstream.wait_for(1, WAIT).await;
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {SERVICE_TOKEN}").as_str())
    );
    assert_eq!(
        viewer
            .call_error("delete_item", json!({"id": "9"}))
            .await
            .code
            .0,
        -32001
    );
    viewer.close().await;
    let ops = server
        .connect_with(Lifecycle::Discover, Some(EDITOR_KEY), &host)
        .await;
    assert_eq!(ops.tool_names().await, names(&ALL_TOOLS));
    ops.close().await;
    let billing = server
        .connect_with(Lifecycle::Initialize, Some(LISTER_KEY), &host)
        .await;
    assert_eq!(
        billing.tool_names().await,
        Vec::<String>::new(),
        "this spec has neither create_invoice nor get_invoice"
    );
    billing.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_user_credential_wins_over_the_service_credential() {
    // The README's config: [auth] bearer for rest-mcp itself, and X-User-Token forwarded
    // as Authorization "for per-user credentials upstream".
    let upstream = Upstream::start().await;
    let server = readme_launch(&upstream).start().await;
    let client = server
        .connect_with(
            Lifecycle::Initialize,
            Some(EDITOR_KEY),
            &[("host", README_HOST), ("x-user-token", USER_TOKEN)],
        )
        .await;
    let result = client.call("get_item", json!({"id": "4"})).await;
    assert!(result.is_error != Some(true));
    client.close().await;
    let seen = upstream.wait_for(1, WAIT).await;
    assert_eq!(
        seen[0].header_all("authorization"),
        vec![USER_TOKEN],
        "the user's credential, not the service token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_belongs_to_the_key_that_opened_it() {
    let upstream = Upstream::start().await;
    let server = keyed(&upstream, "").start().await;
    let editor = format!("Bearer {EDITOR_KEY}");
    let viewer = format!("Bearer {VIEWER_KEY}");
    let opened = server
        .post(&[("authorization", &editor)], &initialize_request())
        .await;
    assert_eq!(opened.status(), 200);
    let session = header(&opened, "mcp-session-id").expect("a session id");
    let in_session = |auth: &str| {
        vec![
            ("authorization".to_owned(), auth.to_owned()),
            ("mcp-session-id".to_owned(), session.clone()),
            ("mcp-protocol-version".to_owned(), "2025-06-18".to_owned()),
        ]
    };
    let post = |headers: Vec<(String, String)>, body: serde_json::Value| {
        let server = &server;
        async move {
            let refs: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            server.post(&refs, &body).await
        }
    };
    let initialized = post(
        in_session(&editor),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    assert_eq!(initialized.status(), 202);

    // Another key presenting the editor's session id is refused...
    let hijack = post(
        in_session(&viewer),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    )
    .await;
    assert!(
        matches!(hijack.status().as_u16(), 403 | 404),
        "another key used the session: {}",
        hijack.status()
    );
    // ...and cannot end it.
    let mut delete = http_common::http_client().delete(server.mcp_url());
    for (name, value) in in_session(&viewer) {
        delete = delete.header(name, value);
    }
    let ended = delete.send().await.expect("DELETE");
    assert!(
        !ended.status().is_success(),
        "another key ended the session"
    );
    let still = post(
        in_session(&editor),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}),
    )
    .await;
    assert_eq!(still.status(), 200, "the owner's session survives");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_as_long_as_retry_after_says_is_enough() {
    // 25 a minute: one request per 2.4 s once the burst is spent, so Retry-After is a
    // fraction of a second rounded to whole seconds; rounded down (say 2 s instead of
    // 2.3 s) it sends an obedient client straight into another 429. Requests go out one
    // by one until the first 429, however long that takes; the wait then starts after
    // that answer, so a slow machine only makes the wait more than enough.
    let upstream = Upstream::start().await;
    let server = Launch::new(&upstream.url())
        .toml(
            "[http]\nstateless = true\n[[http.keys]]\nname = \"batch\"\nkey = \"${BATCH_KEY}\"\nrole = \"viewer\"\nrequests_per_minute = 25",
        )
        .env("BATCH_KEY", VIEWER_KEY)
        .start()
        .await;
    let auth = format!("Bearer {VIEWER_KEY}");
    let mut seconds = None;
    for _ in 0..100 {
        let response = server
            .post(&[("authorization", &auth)], &tool_call_request())
            .await;
        if response.status() == 429 {
            let value: u64 = header(&response, "retry-after")
                .expect("Retry-After")
                .parse()
                .expect("Retry-After in seconds");
            seconds = Some(value);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let seconds = seconds.expect("a 429 within 100 requests at 25 a minute");
    assert!((1..=3).contains(&seconds), "Retry-After: {seconds}");
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let response = server
        .post(&[("authorization", &auth)], &tool_call_request())
        .await;
    assert_eq!(
        response.status(),
        200,
        "refused again after waiting the {seconds} s Retry-After asked for"
    );
}

/// Cookie sessions over HTTP: the login cookie one caller's upstream set is sent back on
/// that caller's later calls in the same MCP session, and never on another caller's, nor
/// in another session of the same caller.
#[tokio::test]
async fn cookie_jars_are_per_session_and_caller() {
    let upstream = Upstream::start().await;
    upstream.respond(
        "POST",
        "/auth/verify",
        Reply::json(200, json!({"ok": true}))
            .with_header("set-cookie", "session=alice-sess-91d2; Path=/; HttpOnly"),
    );
    upstream.respond(
        "GET",
        "/me",
        Reply::json(200, json!({"email": "a@example.test"})),
    );
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/session.yaml");
    let server = Launch::new(&upstream.url())
        .config(&format!(
            r#"openapi_spec = {}
base_url = {}

[[http.keys]]
name = "alice"
key = "${{ALICE_KEY}}"
role = "editor"

[[http.keys]]
name = "bob"
key = "${{BOB_KEY}}"
role = "editor"
"#,
            toml_string(spec.to_str().expect("utf-8 path")),
            toml_string(&upstream.url())
        ))
        .env("ALICE_KEY", EDITOR_KEY)
        .env("BOB_KEY", LISTER_KEY)
        .start()
        .await;
    let alice = server
        .connect_with(Lifecycle::Initialize, Some(EDITOR_KEY), &[])
        .await;
    let bob = server
        .connect_with(Lifecycle::Initialize, Some(LISTER_KEY), &[])
        .await;
    let alice_again = server
        .connect_with(Lifecycle::Initialize, Some(EDITOR_KEY), &[])
        .await;

    alice.call("verify_magic_link", json!({"token": "t"})).await;
    alice.call("get_me", json!({})).await;
    bob.call("get_me", json!({})).await;
    alice_again.call("get_me", json!({})).await;
    let seen = upstream.wait_for(4, WAIT).await;
    assert_eq!(seen[1].header("cookie"), Some("session=alice-sess-91d2"));
    assert_eq!(
        seen[2].header("cookie"),
        None,
        "another caller gets no cookie"
    );
    assert_eq!(
        seen[3].header("cookie"),
        None,
        "another session gets no cookie"
    );
    alice.close().await;
    bob.close().await;
    alice_again.close().await;
}

#[tokio::test]
async fn in_dynamic_mode_a_viewer_cannot_find_describe_or_call_a_write_tool() {
    let upstream = Upstream::start().await;
    let server = keyed(&upstream, "")
        .arg("--tools")
        .arg("dynamic")
        .start()
        .await;
    let viewer = server
        .connect_with(Lifecycle::Initialize, Some(VIEWER_KEY), &[])
        .await;
    assert_eq!(
        viewer.tool_names().await,
        ["call_tool", "describe_tools", "search_tools"]
    );
    // Search: only read-only tools, however the query is phrased.
    let found = viewer
        .call(
            "search_tools",
            json!({"query": "delete remove create item", "limit": 25}),
        )
        .await;
    let names: Vec<String> = found.structured_content.clone().expect("structured")["tools"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["name"].as_str().map(str::to_owned))
        .collect();
    assert!(!names.is_empty());
    assert!(
        names.iter().all(|n| READ_ONLY_TOOLS.contains(&n.as_str())),
        "{names:?}"
    );
    // Describe: a write tool is unknown to a viewer.
    let described = viewer
        .call(
            "describe_tools",
            json!({"names": ["delete_item", "get_item"]}),
        )
        .await;
    let described = described.structured_content.clone().expect("structured");
    assert_eq!(described["tools"].as_array().map(Vec::len), Some(1));
    assert_eq!(described["tools"][0]["name"], json!("get_item"));
    assert_eq!(described["unknown"][0]["name"], json!("delete_item"));
    // Call: refused, and nothing reaches the API.
    let before = upstream.count();
    let refused = viewer
        .call(
            "call_tool",
            json!({"name": "delete_item", "arguments": {"id": "1"}}),
        )
        .await;
    assert_eq!(refused.is_error, Some(true));
    assert_eq!(upstream.count(), before, "a refused call sends nothing");
    upstream.respond("GET", "/items/1", Reply::json(200, json!({"id": "1"})));
    let read = viewer
        .call(
            "call_tool",
            json!({"name": "get_item", "arguments": {"id": "1"}}),
        )
        .await;
    assert_eq!(ok_json(&read), json!({"id": "1"}));
    viewer.close().await;

    // An editor finds and calls the write tool.
    let editor = server
        .connect_with(Lifecycle::Initialize, Some(EDITOR_KEY), &[])
        .await;
    upstream.respond(
        "DELETE",
        "/items/7",
        Reply::json(200, json!({"deleted": "7"})),
    );
    let deleted = editor
        .call(
            "call_tool",
            json!({"name": "delete_item", "arguments": {"id": "7"}}),
        )
        .await;
    assert_eq!(ok_json(&deleted), json!({"deleted": "7"}));
    editor.close().await;
}
