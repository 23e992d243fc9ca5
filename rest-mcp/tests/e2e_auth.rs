//! End to end: upstream credentials from the config file's `[auth]` (with `${VAR}` from
//! the environment), applied to every request, and never written to the logs.
//!
//! Every test runs the binary with `--log-level debug` (or trace) and, after the calls,
//! asserts that none of the secret strings (nor their encoded forms) is in its stderr.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Launch, Server, ok_text, temp_dir, write_file};
use rest_mcp_tests::{Reply, TokenServer, Upstream};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(5);
/// A static header secret configured on the command line in every test.
const STATIC_SECRET: &str = "static-hdr-secret-777";

/// A config file holding `auth` (the body of an `[auth]` table).
fn config_with_auth(auth: &str) -> PathBuf {
    let dir = temp_dir("auth");
    write_file(&dir, "rest-mcp.toml", &format!("[auth]\n{auth}\n"))
}

fn launch(upstream: &Upstream, config: &Path) -> Launch {
    launch_at(upstream, config, "debug")
}

fn launch_at(upstream: &Upstream, config: &Path, level: &str) -> Launch {
    Launch::new("secure.yaml", &upstream.url())
        .arg("--config")
        .arg(config.to_str().expect("utf-8"))
        .args(["--log-level", level])
        .args(["--header", &format!("X-Static-Token: {STATIC_SECRET}")])
}

/// Stops the server and asserts none of `secrets` appears in its stderr; returns stderr.
async fn stop_and_check_logs(server: Server, secrets: &[&str]) -> String {
    let stderr = server.stop().await;
    assert!(
        stderr.contains("upstream request"),
        "debug logging was expected to be on:\n{stderr}"
    );
    for secret in secrets.iter().chain([&STATIC_SECRET]) {
        assert!(
            !stderr.contains(secret),
            "secret {secret:?} leaked into stderr:\n{stderr}"
        );
    }
    stderr
}

#[tokio::test]
async fn bearer_token_from_an_environment_variable() {
    let upstream = Upstream::start().await;
    let config = config_with_auth("type = \"bearer\"\ntoken = \"${E2E_BEARER}\"");
    let server = launch(&upstream, &config)
        .env("E2E_BEARER", "bearer-secret-123")
        .start()
        .await;
    ok_text(&server.call("get_secure", json!({"id": "1"})).await);
    // A rejected request is not retried for static credentials, and is still not logged.
    upstream.respond(
        "GET",
        "/secure/2",
        Reply::json(401, json!({"error": "nope"})),
    );
    let result = server.call("get_secure", json!({"id": "2"})).await;
    assert_eq!(result.is_error, Some(true));
    let seen = upstream.wait_for(2, WAIT).await;
    assert_eq!(seen.len(), 2, "no retry for a static token");
    for r in &seen {
        assert_eq!(r.bearer_token(), Some("bearer-secret-123"));
        assert_eq!(r.header("x-static-token"), Some(STATIC_SECRET));
    }
    stop_and_check_logs(server, &["bearer-secret-123"]).await;
}

#[tokio::test]
async fn api_key_in_a_header() {
    let upstream = Upstream::start().await;
    let config = config_with_auth(
        "type = \"apikey_header\"\nkey = \"X-Api-Key\"\nvalue = \"hdr-${E2E_KEY_PART}-456\"",
    );
    let server = launch(&upstream, &config)
        .env("E2E_KEY_PART", "secret")
        .start()
        .await;
    ok_text(&server.call("get_secure", json!({"id": "1"})).await);
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(r.header("x-api-key"), Some("hdr-secret-456"));
    assert_eq!(r.header("authorization"), None);
    stop_and_check_logs(server, &["hdr-secret-456"]).await;
}

#[tokio::test]
async fn api_key_in_the_query() {
    let upstream = Upstream::start().await;
    let config =
        config_with_auth("type = \"apikey_query\"\nkey = \"api_key\"\nvalue = \"qry secret&789\"");
    let server = launch_at(&upstream, &config, "trace").start().await;
    ok_text(
        &server
            .call("get_secure", json!({"id": "1", "q": "find me"}))
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(r.path, "/secure/1");
    assert_eq!(r.query_param("q").as_deref(), Some("find me"));
    assert_eq!(r.query_param("api_key").as_deref(), Some("qry secret&789"));
    let raw_query = r.query.clone().unwrap_or_default();
    let encoded = raw_query
        .split('&')
        .find(|p| p.starts_with("api_key="))
        .map(|p| p.trim_start_matches("api_key=").to_owned())
        .expect("api_key pair");
    stop_and_check_logs(server, &["qry secret&789", "secret&789", &encoded]).await;
}

#[tokio::test]
async fn api_key_in_a_cookie_next_to_cookie_parameters() {
    let upstream = Upstream::start().await;
    let config =
        config_with_auth("type = \"apikey_cookie\"\nkey = \"sid\"\nvalue = \"cookie-secret-abc\"");
    let server = launch(&upstream, &config).start().await;
    ok_text(
        &server
            .call("get_secure", json!({"id": "1", "pref": "dark"}))
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    let cookies = r.header_all("cookie").join("; ");
    let mut pairs: Vec<&str> = cookies.split("; ").collect();
    pairs.sort_unstable();
    assert_eq!(pairs, vec!["pref=dark", "sid=cookie-secret-abc"]);
    stop_and_check_logs(server, &["cookie-secret-abc"]).await;
}

#[tokio::test]
async fn basic_auth_with_json_logs() {
    let upstream = Upstream::start().await;
    let config =
        config_with_auth("type = \"basic\"\nusername = \"alice\"\npassword = \"${E2E_PASSWORD}\"");
    let server = launch(&upstream, &config)
        .args(["--log-format", "json"])
        .env("E2E_PASSWORD", "pa:ss-secret")
        .start()
        .await;
    ok_text(&server.call("get_secure", json!({"id": "7"})).await);
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(
        r.basic_auth(),
        Some(("alice".to_owned(), "pa:ss-secret".to_owned()))
    );
    let encoded = STANDARD.encode("alice:pa:ss-secret");
    let stderr = stop_and_check_logs(server, &["pa:ss-secret", &encoded]).await;
    // --log-format json: every line is a JSON object; the request line has its fields.
    let mut request_lines = 0;
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        if value["message"] == "upstream request" {
            request_lines += 1;
            assert_eq!(value["method"], "GET", "{line}");
            assert_eq!(value["path"], "/secure/7", "{line}");
            assert_eq!(value["status"], 200, "{line}");
            assert!(value["latency_ms"].is_u64(), "{line}");
            assert_eq!(value["level"], "DEBUG", "{line}");
        }
    }
    assert_eq!(request_lines, 1, "{stderr}");
}

#[tokio::test]
async fn oauth2_client_credentials_cache_and_retry_on_401() {
    let upstream = Upstream::start().await;
    let tokens = TokenServer::start().await;
    tokens.expect_client("e2e-client", "oauth-secret-xyz");
    let config = config_with_auth(&format!(
        "type = \"oauth2_cc\"\ntoken_url = \"{}\"\nclient_id = \"e2e-client\"\n\
         client_secret = \"${{E2E_CLIENT_SECRET}}\"\nscopes = [\"read\", \"write\"]",
        tokens.token_url()
    ));
    let server = launch(&upstream, &config)
        .env("E2E_CLIENT_SECRET", "oauth-secret-xyz")
        .start()
        .await;

    // Two calls, one token: it is cached.
    ok_text(&server.call("get_secure", json!({"id": "1"})).await);
    ok_text(&server.call("get_secure", json!({"id": "2"})).await);
    let seen = upstream.wait_for(2, WAIT).await;
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|r| r.bearer_token() == Some("tok-1")));
    assert_eq!(tokens.request_count(), 1);
    let token_request = tokens.last().expect("token request");
    assert_eq!(token_request.method, "POST");
    assert_eq!(
        token_request.basic_auth(),
        Some(("e2e-client".to_owned(), "oauth-secret-xyz".to_owned()))
    );
    let form = token_request.form_pairs();
    assert!(form.contains(&("grant_type".to_owned(), "client_credentials".to_owned())));
    assert!(form.contains(&("scope".to_owned(), "read write".to_owned())));

    // The upstream rejects the token once: a new token is fetched and the call retried
    // once, transparently.
    upstream.clear();
    upstream.respond_sequence(
        "GET",
        "/secure/3",
        vec![
            Reply::json(401, json!({"error": "token revoked"})),
            Reply::json(200, json!({"ok": "after retry"})),
        ],
    );
    let body = ok_text(&server.call("get_secure", json!({"id": "3"})).await);
    assert!(body.contains("after retry"), "{body}");
    let seen = upstream.wait_for(2, WAIT).await;
    let used: Vec<Option<&str>> = seen.iter().map(|r| r.bearer_token()).collect();
    assert_eq!(used, vec![Some("tok-1"), Some("tok-2")]);
    assert_eq!(tokens.request_count(), 2);

    // A second 401 in a row is returned, not retried forever.
    upstream.clear();
    upstream.respond("GET", "/secure/4", Reply::json(401, json!({"error": "no"})));
    let result = server.call("get_secure", json!({"id": "4"})).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(
        upstream.wait_for(2, WAIT).await.len(),
        2,
        "exactly one retry"
    );
    assert_eq!(tokens.request_count(), 3);

    let encoded = STANDARD.encode("e2e-client:oauth-secret-xyz");
    stop_and_check_logs(
        server,
        &[
            "oauth-secret-xyz",
            &encoded,
            "Bearer tok-",
            "tok-1",
            "tok-2",
            "tok-3",
        ],
    )
    .await;
}

#[tokio::test]
async fn oauth2_token_is_refreshed_after_expiry() {
    let upstream = Upstream::start().await;
    let tokens = TokenServer::start().await;
    // Tokens that expire as they are issued: each is due for refresh by the next call,
    // with no waiting.
    tokens.set_expires_in(Some(0));
    let config = config_with_auth(&format!(
        "type = \"oauth2_cc\"\ntoken_url = \"{}\"\nclient_id = \"c\"\nclient_secret = \"refresh-secret-42\"\nclient_auth = \"body\"",
        tokens.token_url()
    ));
    let server = launch(&upstream, &config).start().await;
    ok_text(&server.call("get_secure", json!({"id": "1"})).await);
    ok_text(&server.call("get_secure", json!({"id": "2"})).await);
    let seen = upstream.wait_for(2, WAIT).await;
    let used: Vec<Option<&str>> = seen.iter().map(|r| r.bearer_token()).collect();
    assert_eq!(used, vec![Some("tok-1"), Some("tok-2")]);
    assert_eq!(tokens.request_count(), 2);
    // client_auth = "body": the credentials travel as form fields.
    let form = tokens.last().expect("token request").form_pairs();
    assert!(form.contains(&("client_secret".to_owned(), "refresh-secret-42".to_owned())));
    stop_and_check_logs(server, &["refresh-secret-42", "tok-1", "tok-2"]).await;
}

#[tokio::test]
async fn an_unset_variable_is_a_startup_error_naming_it() {
    let upstream = Upstream::start().await;
    let config = config_with_auth("type = \"bearer\"\ntoken = \"${E2E_SURELY_UNSET_VAR}\"");
    let output = launch(&upstream, &config).run().await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("E2E_SURELY_UNSET_VAR"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing on stdout");
    assert_eq!(upstream.count(), 0);
}

#[tokio::test]
async fn a_failing_token_endpoint_is_an_error_result_and_nothing_is_sent() {
    let upstream = Upstream::start().await;
    let tokens = TokenServer::start().await;
    tokens.fail_with_401(true);
    let config = config_with_auth(&format!(
        "type = \"oauth2_cc\"\ntoken_url = \"{}\"\nclient_id = \"c\"\nclient_secret = \"failing-secret-99\"",
        tokens.token_url()
    ));
    let server = launch(&upstream, &config).start().await;
    let result = server.call("get_secure", json!({"id": "1"})).await;
    let message = common::err_text(&result);
    assert!(message.contains("nothing was sent"), "{message}");
    assert!(
        message.contains("401") && message.contains("invalid_client"),
        "{message}"
    );
    assert!(!message.contains("failing-secret-99"), "{message}");
    assert_eq!(upstream.count(), 0);
    assert_eq!(tokens.request_count(), 1);
    // Once the token endpoint recovers, calls go through.
    tokens.fail_with_401(false);
    ok_text(&server.call("get_secure", json!({"id": "2"})).await);
    assert_eq!(
        upstream.wait_for(1, WAIT).await[0].bearer_token(),
        Some("tok-1")
    );
    let stderr = server.stop().await;
    assert!(!stderr.contains("failing-secret-99"), "{stderr}");
}

#[tokio::test]
async fn credentials_in_the_base_url_are_not_logged() {
    let upstream = Upstream::start().await;
    let base = format!("http://alice:url-secret-555@{}", upstream.addr);
    let server = Launch::new("secure.yaml", &base)
        .args(["--log-level", "debug"])
        .start()
        .await;
    ok_text(&server.call("get_secure", json!({"id": "1"})).await);
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(
        r.basic_auth(),
        Some(("alice".to_owned(), "url-secret-555".to_owned()))
    );
    let stderr = server.stop().await;
    assert!(!stderr.contains("url-secret-555"), "{stderr}");

    // Nor in the message of a failed connection (returned to the model and logged).
    let port = rest_mcp_tests::free_port();
    let server = Launch::new(
        "secure.yaml",
        &format!("http://alice:url-secret-555@127.0.0.1:{port}"),
    )
    .args(["--log-level", "debug"])
    .start()
    .await;
    let message = common::err_text(&server.call("get_secure", json!({"id": "1"})).await);
    assert!(!message.contains("url-secret-555"), "{message}");
    let stderr = server.stop().await;
    assert!(!stderr.contains("url-secret-555"), "{stderr}");
}
