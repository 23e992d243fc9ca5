//! End to end: no tool argument can change the upstream host, escape its path segment,
//! add a query parameter or a header, or make the binary read a local file. Each case is
//! either refused before anything is sent, or arrives at the upstream as plain data in
//! the place it belongs.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Launch, err_text, is_error, ok_text, temp_dir, text, write_file};
use rest_mcp_tests::{Reply, Upstream, percent_decode};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn path_arguments_stay_inside_their_segment() {
    let upstream = Upstream::start().await;
    let server = Launch::new("security.yaml", &upstream.url()).start().await;
    let host = upstream.addr.to_string();
    let hostile = [
        "../admin",
        "..",
        ".",
        "%2e%2e",
        "%2E%2E%2Fadmin",
        "..%2f..%2fadmin",
        "a/b",
        "x?y#z",
        "#frag",
        "http://evil.example/",
        "//evil.example/x",
        "@evil.example",
        "../../../../etc/passwd",
        "a\\..\\b",
        "a\r\nHost: evil.example",
        "ü/../ß",
    ];
    let mut refused = Vec::new();
    for value in hostile {
        upstream.clear();
        let result = server.call("get_profile", json!({"id": value})).await;
        if is_error(&result) {
            assert_eq!(
                upstream.count(),
                0,
                "{value:?} was refused but something was sent"
            );
            let message = text(&result);
            assert!(message.contains("`id`"), "{value:?}: {message}");
            refused.push(value);
            continue;
        }
        let seen = upstream.wait_for(1, WAIT).await;
        assert_eq!(seen.len(), 1, "{value:?}: exactly one request");
        let r = &seen[0];
        assert_eq!(r.header("host"), Some(host.as_str()), "{value:?}");
        let segments = r.segments();
        assert_eq!(
            segments.len(),
            3,
            "{value:?} changed the number of segments: {}",
            r.path
        );
        assert_eq!(segments[0], "users", "{value:?}: {}", r.path);
        assert_eq!(segments[2], "profile", "{value:?}: {}", r.path);
        assert!(
            !segments[1].contains(['/', '?', '#']),
            "{value:?}: {}",
            r.path
        );
        assert_eq!(
            percent_decode(segments[1]),
            value,
            "{value:?} did not arrive as the segment's data: {}",
            r.path
        );
        assert_eq!(r.query, None, "{value:?} added a query: {}", r.path);
    }
    // Only the dot segments cannot be sent as data (a server would resolve them); every
    // other value is legitimate data and must still be sendable.
    assert_eq!(refused, ["..", "."], "refused values");
    server.stop().await;
}

#[tokio::test]
async fn header_arguments_cannot_inject_headers() {
    let upstream = Upstream::start().await;
    let server = Launch::new("security.yaml", &upstream.url()).start().await;
    for value in [
        "x\r\nX-Admin: 1",
        "x\nX-Admin: 1",
        "x\rX-Admin: 1",
        "x\u{0}y",
    ] {
        let message = err_text(
            &server
                .call("get_profile", json!({"id": "1", "X-Trace": value}))
                .await,
        );
        assert!(message.contains("X-Trace"), "{value:?}: {message}");
        assert_eq!(upstream.count(), 0, "{value:?} was sent");
    }
    // A harmless value with a colon is sent as one header value.
    ok_text(
        &server
            .call(
                "get_profile",
                json!({"id": "1", "X-Trace": "a: b, X-Admin: 1"}),
            )
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(r.header_all("x-trace"), vec!["a: b, X-Admin: 1"]);
    assert_eq!(r.header("x-admin"), None);
    server.stop().await;
}

#[tokio::test]
async fn query_values_cannot_add_parameters() {
    let upstream = Upstream::start().await;
    let server = Launch::new("security.yaml", &upstream.url()).start().await;
    for value in [
        "a&admin=1",
        "b#frag&admin=1",
        "c?admin=1",
        "d=e",
        "x+y%26admin%3D1",
    ] {
        upstream.clear();
        ok_text(
            &server
                .call("get_profile", json!({"id": "1", "q": value}))
                .await,
        );
        let r = upstream.wait_for(1, WAIT).await.remove(0);
        assert_eq!(r.path, "/users/1/profile");
        assert_eq!(
            r.query_pairs(),
            vec![("q".to_owned(), value.to_owned())],
            "raw query: {:?}",
            r.query
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn file_arguments_are_base64_never_local_paths() {
    let upstream = Upstream::start().await;
    let server = Launch::new("security.yaml", &upstream.url()).start().await;
    let dir = temp_dir("local-file");
    let local = write_file(&dir, "secret.txt", "TOP-SECRET-LOCAL-FILE");
    let local = local.to_str().expect("utf-8").to_owned();
    let candidates = [
        "/etc/passwd".to_owned(),
        "/etc/hostname".to_owned(),
        // A real path that is also valid base64 (12 characters of the alphabet): it must
        // be decoded, not opened.
        "/usr/bin/env".to_owned(),
        local.clone(),
        format!("file://{local}"),
        "~/.ssh/id_rsa".to_owned(),
    ];
    let check_sent = |what: &str, candidate: &str, sent: &[u8]| {
        let text = String::from_utf8_lossy(sent);
        assert!(
            !text.contains("TOP-SECRET") && !text.contains("root:"),
            "{what} {candidate:?}: a local file was read: {text}"
        );
        // Whatever was sent is exactly the base64 decoding of the argument.
        let compact = candidate.replace(['\n', ' '], "");
        let decoded = [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ]
        .iter()
        .find_map(|engine| base64::Engine::decode(*engine, &compact).ok());
        assert_eq!(
            decoded.as_deref(),
            Some(sent),
            "{what} {candidate:?}: sent bytes are not the argument's base64 decoding"
        );
    };
    let mut decoded_and_sent = 0;
    for candidate in &candidates {
        // A multipart file part.
        upstream.clear();
        let result = server
            .call(
                "upload_avatar",
                json!({"image": {"content": candidate, "filename": "a.txt"}}),
            )
            .await;
        if is_error(&result) {
            assert_eq!(upstream.count(), 0, "{candidate:?}");
            assert!(text(&result).contains("base64"), "{}", text(&result));
        } else {
            let r = upstream.wait_for(1, WAIT).await.remove(0);
            let part = r.multipart().into_iter().find(|p| p.name == "image");
            check_sent("multipart", candidate, &part.expect("image part").body);
            decoded_and_sent += 1;
        }
        // A raw octet-stream body.
        upstream.clear();
        let result = server.call("put_raw", json!({"body": candidate})).await;
        if is_error(&result) {
            assert_eq!(upstream.count(), 0, "{candidate:?}");
        } else {
            let r = upstream.wait_for(1, WAIT).await.remove(0);
            check_sent("octet-stream", candidate, &r.body);
            decoded_and_sent += 1;
        }
    }
    assert_eq!(
        decoded_and_sent, 2,
        "`/usr/bin/env` is base64 and must be sent decoded"
    );
    // Real base64 still works.
    upstream.clear();
    ok_text(
        &server
            .call("put_raw", json!({"body": STANDARD.encode(b"just bytes")}))
            .await,
    );
    assert_eq!(upstream.wait_for(1, WAIT).await[0].body, b"just bytes");
    server.stop().await;
}

#[tokio::test]
async fn redirects_never_carry_credentials_to_another_host() {
    let upstream = Upstream::start().await;
    let elsewhere = Upstream::start().await;
    let dir = temp_dir("redirect");
    let config = write_file(
        &dir,
        "rest-mcp.toml",
        "[auth]\ntype = \"bearer\"\ntoken = \"redirect-secret\"\n",
    );
    let server = Launch::new("security.yaml", &upstream.url())
        .args(["--config", config.to_str().expect("utf-8")])
        .start()
        .await;
    // Another origin (same host, other port): not followed, nothing reaches it.
    upstream.respond(
        "GET",
        "/users/1/profile",
        Reply::empty(302).with_header("location", &format!("{}/steal", elsewhere.url())),
    );
    let result = server.call("get_profile", json!({"id": "1"})).await;
    assert!(text(&result).starts_with("HTTP 302"), "{}", text(&result));
    assert_eq!(elsewhere.count(), 0, "a cross-origin redirect was followed");
    // The same origin: followed, with the credentials.
    upstream.clear();
    upstream.respond(
        "GET",
        "/users/2/profile",
        Reply::empty(302).with_header("location", "/users/3/profile"),
    );
    ok_text(&server.call("get_profile", json!({"id": "2"})).await);
    let seen = upstream.wait_for(2, WAIT).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].path, "/users/3/profile");
    assert_eq!(seen[1].bearer_token(), Some("redirect-secret"));
    server.stop().await;
    assert_eq!(elsewhere.count(), 0);
}

#[tokio::test]
async fn cookie_arguments_cannot_add_cookies() {
    let upstream = Upstream::start().await;
    let server = Launch::new("params.yaml", &upstream.url()).start().await;
    ok_text(
        &server
            .call(
                "get_file",
                json!({"dir": "d", "name": "n", "session": "x; admin=1", "theme": "a,b\r\nX-Admin: 1"}),
            )
            .await,
    );
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    let cookies = r.header_all("cookie");
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let pairs: Vec<(&str, String)> = cookies[0]
        .split("; ")
        .map(|pair| {
            let (name, value) = pair.split_once('=').expect("name=value");
            (name, percent_decode(value))
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("session", "x; admin=1".to_owned()),
            ("theme", "a,b\r\nX-Admin: 1".to_owned())
        ]
    );
    assert_eq!(r.header("x-admin"), None);
    server.stop().await;
}

#[tokio::test]
async fn at_most_five_same_origin_redirects_are_followed() {
    // /hop/N redirects to /hop/N+1 until /hop/LAST, which answers 200.
    async fn chain(redirects: u64) -> (rmcp::model::CallToolResult, Vec<String>) {
        let upstream = Upstream::start().await;
        for n in 0..redirects {
            upstream.respond(
                "GET",
                &format!("/hop/{n}"),
                Reply::empty(302).with_header("location", &format!("/hop/{}", n + 1)),
            );
        }
        upstream.respond(
            "GET",
            &format!("/hop/{redirects}"),
            Reply::json(200, json!({"arrived": redirects})),
        );
        let server = Launch::new("echo.yaml", &upstream.url()).start().await;
        let result = server.call("hop", json!({"n": 0})).await;
        server.stop().await;
        let paths = upstream.requests().into_iter().map(|r| r.path).collect();
        (result, paths)
    }
    let hops = |n: u64| (0..=n).map(|i| format!("/hop/{i}")).collect::<Vec<_>>();

    let (result, paths) = chain(5).await;
    let body = ok_text(&result);
    assert!(body.contains(r#"{"arrived":5}"#), "{body}");
    assert_eq!(paths, hops(5), "five redirects are followed");

    let (result, paths) = chain(6).await;
    let body = text(&result);
    assert!(
        body.starts_with("HTTP 302"),
        "the sixth is returned: {body}"
    );
    assert_eq!(paths, hops(5), "and not followed");
}

/// A static header secret configured on the command line in every echo test.
const HEADER_SECRET: &str = "static-hdr-secret-777";

/// The forms in which `secret` could come back from an upstream that echoes a request.
fn echoed_forms(secret: &str) -> Vec<String> {
    let percent: String = secret
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    vec![
        secret.to_owned(),
        percent.replace("%20", "+"),
        percent.to_ascii_lowercase(),
        percent,
        STANDARD.encode(secret),
    ]
}

/// Calls `echo` for a 200, a 401 and a 500 answer and asserts that each result (text,
/// structuredContent and _meta) shows that the credentials were echoed, but none of them.
async fn assert_echoes_are_clean(server: &common::Server, upstream: &Upstream, secrets: &[String]) {
    upstream.respond("GET", "/echo/200", Reply::echo(200));
    upstream.respond("GET", "/echo/401", Reply::echo(401));
    upstream.respond("GET", "/echo/500", Reply::echo(500));
    for status in ["200", "401", "500"] {
        let result = server
            .call("echo", json!({"status": status, "q": "find me"}))
            .await;
        let everything = serde_json::to_string(&result).expect("result JSON");
        for secret in secrets {
            for form in echoed_forms(secret) {
                assert!(
                    !everything.contains(&form),
                    "{status}: `{form}` (a form of a credential) is in the tool result: {everything}"
                );
            }
        }
        assert!(
            everything.contains("[REDACTED]"),
            "{status}: the upstream's echo shows no credential, so this checks nothing: {everything}"
        );
        assert!(
            ["find me", "find+me", "find%20me"]
                .iter()
                .any(|q| everything.contains(q)),
            "the echo is in the result: {everything}"
        );
    }
}

/// `Launch` for echo.yaml with `auth` as the `[auth]` table and a secret static header.
fn echo_launch(base_url: &str, auth: Option<&str>) -> Launch {
    let mut launch = Launch::new("echo.yaml", base_url)
        .args(["--header", &format!("X-Static-Token: {HEADER_SECRET}")]);
    if let Some(auth) = auth {
        let dir = temp_dir("echo");
        let config = write_file(&dir, "rest-mcp.toml", &format!("[auth]\n{auth}\n"));
        launch = launch.args(["--config", config.to_str().expect("utf-8")]);
    }
    launch
}

#[tokio::test]
async fn echoed_static_credentials_never_reach_tool_results() {
    let upstream = Upstream::start().await;
    let cases: [(&str, Vec<String>); 5] = [
        (
            "type = \"bearer\"\ntoken = \"bearer-secret-123456\"",
            vec!["bearer-secret-123456".into()],
        ),
        (
            "type = \"apikey_header\"\nkey = \"X-Api-Key\"\nvalue = \"hdr-secret-456789\"",
            vec!["hdr-secret-456789".into()],
        ),
        (
            "type = \"apikey_query\"\nkey = \"api_key\"\nvalue = \"qry secret&789xyz\"",
            vec!["qry secret&789xyz".into()],
        ),
        (
            "type = \"apikey_cookie\"\nkey = \"sid\"\nvalue = \"cookie-secret-abcdef\"",
            vec!["cookie-secret-abcdef".into()],
        ),
        (
            "type = \"basic\"\nusername = \"alice\"\npassword = \"pa:ss-secret-999\"",
            vec!["pa:ss-secret-999".into(), "alice:pa:ss-secret-999".into()],
        ),
    ];
    for (auth, mut secrets) in cases {
        secrets.push(HEADER_SECRET.to_owned());
        let server = echo_launch(&upstream.url(), Some(auth)).start().await;
        assert_echoes_are_clean(&server, &upstream, &secrets).await;
        server.stop().await;
    }
}

#[tokio::test]
async fn echoed_credentials_of_the_base_url_never_reach_tool_results() {
    let upstream = Upstream::start().await;
    let base = format!("http://alice:url-secret-555@{}", upstream.addr);
    let server = echo_launch(&base, None).start().await;
    assert_echoes_are_clean(
        &server,
        &upstream,
        &[
            "url-secret-555".to_owned(),
            "alice:url-secret-555".to_owned(),
            HEADER_SECRET.to_owned(),
        ],
    )
    .await;
    server.stop().await;
}

#[tokio::test]
async fn echoed_oauth_tokens_never_reach_tool_results() {
    let upstream = Upstream::start().await;
    let tokens = rest_mcp_tests::TokenServer::start().await;
    tokens.set_token_prefix("oauth-access-token-");
    let auth = format!(
        "type = \"oauth2_cc\"\ntoken_url = \"{}\"\nclient_id = \"c\"\nclient_secret = \"client-secret-3141\"\nclient_auth = \"body\"",
        tokens.token_url()
    );
    let server = echo_launch(&upstream.url(), Some(&auth)).start().await;
    // The 401 makes rest-mcp fetch a second token and retry: both tokens are covered.
    let issued: Vec<String> = (1..=3).map(|n| format!("oauth-access-token-{n}")).collect();
    let mut secrets = issued;
    secrets.push("client-secret-3141".to_owned());
    secrets.push(HEADER_SECRET.to_owned());
    assert_echoes_are_clean(&server, &upstream, &secrets).await;
    assert!(tokens.issued() >= 2, "the 401 fetched a new token");
    server.stop().await;
}
