//! End to end: what the agent gets back is what the API meant. Structured content for
//! union responses, the response headers an agent needs, next-page hints whose arguments
//! work, only the caller's arguments sent, and redirects that were not followed reported
//! as errors. Each test drives the built binary through rmcp's client over stdio against
//! a recording upstream on 127.0.0.1.

mod common;

use std::time::Duration;

use common::{Launch, err_text, ok_text, temp_dir, write_file};
use rest_mcp_tests::{Reply, Upstream};
use rmcp::model::CallToolResult;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(5);

fn meta_of(result: &CallToolResult) -> Value {
    result
        .meta
        .as_ref()
        .map(|m| Value::Object(m.0.clone()))
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn union_responses_arrive_as_structured_content_that_matches_the_output_schema() {
    let upstream = Upstream::start().await;
    upstream.respond(
        "GET",
        "/pets/1",
        Reply::json(200, json!({"kind": "cat", "lives": 9})),
    );
    upstream.respond(
        "GET",
        "/pets/2",
        Reply::json(200, json!({"kind": "dog", "good": true})),
    );
    let server = Launch::new("fidelity.yaml", &upstream.url()).start().await;
    let tool = server
        .tools()
        .await
        .into_iter()
        .find(|t| t.name == "get_pet")
        .expect("get_pet");
    let schema = Value::Object(
        tool.output_schema
            .as_deref()
            .cloned()
            .expect("output schema"),
    );
    let validator = jsonschema::validator_for(&schema).expect("output schema compiles");
    for (id, body) in [
        (1, json!({"kind": "cat", "lives": 9})),
        (2, json!({"kind": "dog", "good": true})),
    ] {
        let result = server.call("get_pet", json!({ "id": id })).await;
        ok_text(&result);
        let structured = result
            .structured_content
            .clone()
            .expect("structured content");
        // A union root is not known to be an object, so it travels as `{"result": …}`.
        assert_eq!(
            structured,
            json!({ "result": body }),
            "the data itself, not a notice"
        );
        assert!(
            validator.is_valid(&structured),
            "{structured} against {schema}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn link_headers_give_a_next_page_call_that_works_and_defaults_are_not_sent() {
    let upstream = Upstream::start().await;
    let next = format!("{}/user/583231/repos?per_page=2&page=2", upstream.url());
    let last = format!("{}/user/583231/repos?per_page=2&page=5", upstream.url());
    upstream.respond_sequence(
        "GET",
        "/users/octocat/repos",
        vec![
            Reply::json(200, json!([{"id": 1}, {"id": 2}]))
                .with_header(
                    "link",
                    &format!("<{next}>; rel=\"next\", <{last}>; rel=\"last\""),
                )
                .with_header("x-ratelimit-remaining", "4999")
                .with_header("etag", "\"abc\"")
                .with_header("x-internal-trace", "not for the model"),
            Reply::json(200, json!([{"id": 3}])),
        ],
    );
    let server = Launch::new("fidelity.yaml", &upstream.url()).start().await;

    let first = server
        .call("list_repos", json!({"username": "octocat", "per_page": 2}))
        .await;
    let text = ok_text(&first);
    let seen = upstream.wait_for(1, WAIT).await;
    // Only what the caller gave: no `sort=full_name`, no `page=1`.
    assert_eq!(seen[0].query.as_deref(), Some("per_page=2"));
    assert!(text.contains("x-ratelimit-remaining: 4999"), "{text}");
    assert!(text.contains("etag: \"abc\""), "{text}");
    assert!(!text.contains("x-internal-trace"), "{text}");
    let meta = meta_of(&first);
    assert_eq!(meta["headers"]["x-ratelimit-remaining"], json!("4999"));
    assert_eq!(meta["links"]["last"], json!(last));
    let hint = &meta["nextPage"];
    assert_eq!(hint["tool"], json!("list_repos"));
    assert_eq!(
        hint["arguments"],
        json!({"username": "octocat", "per_page": 2, "page": 2})
    );
    assert!(text.contains("Next page: call `list_repos` with"), "{text}");

    // The hinted arguments fetch page 2.
    upstream.clear();
    let second = server.call("list_repos", hint["arguments"].clone()).await;
    ok_text(&second);
    let seen = upstream.wait_for(1, WAIT).await;
    assert_eq!(seen[0].path, "/users/octocat/repos");
    assert_eq!(seen[0].query.as_deref(), Some("per_page=2&page=2"));
    assert!(
        meta_of(&second).get("nextPage").is_none(),
        "no Link, no hint"
    );
    server.stop().await;
}

#[tokio::test]
async fn json_bodies_carry_only_given_fields_unless_defaults_are_asked_for() {
    let upstream = Upstream::start().await;
    upstream.respond(
        "POST",
        "/jobs",
        Reply::empty(201)
            .with_header("location", "/jobs/77")
            .with_header("retry-after", "5"),
    );
    let server = Launch::new("fidelity.yaml", &upstream.url()).start().await;
    let result = server.call("create_job", json!({"name": "nightly"})).await;
    let text = ok_text(&result);
    assert_eq!(
        upstream.wait_for(1, WAIT).await[0].json(),
        json!({"name": "nightly"})
    );
    assert!(text.contains("location: /jobs/77"), "{text}");
    assert!(text.contains("retry-after: 5"), "{text}");
    server.stop().await;

    upstream.clear();
    let server = Launch::new("fidelity.yaml", &upstream.url())
        .arg("--send-defaults")
        .start()
        .await;
    ok_text(&server.call("create_job", json!({"name": "nightly"})).await);
    assert_eq!(
        upstream.wait_for(1, WAIT).await[0].json(),
        json!({"name": "nightly", "mode": "async"})
    );
    server.stop().await;
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_an_error_naming_the_location() {
    let upstream = Upstream::start().await;
    // 127.0.0.2 is another origin; nothing listens there and nothing is sent there.
    upstream.respond(
        "GET",
        "/moved",
        Reply::empty(302).with_header("location", "http://127.0.0.2:9/elsewhere"),
    );
    let server = Launch::new("fidelity.yaml", &upstream.url()).start().await;
    let result = server.call("get_moved", json!({})).await;
    let text = err_text(&result);
    assert!(text.starts_with("HTTP 302 Found"), "{text}");
    assert!(
        text.contains("redirected to http://127.0.0.2:9/elsewhere"),
        "{text}"
    );
    assert_eq!(upstream.count(), 1);
    server.stop().await;
}

#[tokio::test]
async fn public_operations_get_no_credentials_and_a_repeated_base_path_is_not_doubled() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("fidelity");
    let config = write_file(
        &dir,
        "rest-mcp.toml",
        "[auth]\ntype = \"bearer\"\ntoken = \"bearer-secret-4242\"\n",
    );
    // The PRD's own example: a base URL ending in /v1 and spec paths starting with /v1.
    let server = Launch::new("prefixed.yaml", &format!("{}/v1", upstream.url()))
        .arg("--config")
        .arg(config.to_str().expect("utf-8"))
        .args(["--header", "X-Api-Token: header-secret-5151"])
        .start()
        .await;
    ok_text(&server.call("list_customers", json!({})).await);
    ok_text(&server.call("get_status", json!({})).await);
    let seen = upstream.wait_for(2, WAIT).await;
    assert_eq!(
        seen[0].path, "/v1/customers",
        "the /v1 prefix is not doubled"
    );
    assert_eq!(seen[0].bearer_token(), Some("bearer-secret-4242"));
    assert_eq!(seen[0].header("x-api-token"), Some("header-secret-5151"));
    assert_eq!(seen[1].path, "/v1/status");
    assert_eq!(
        seen[1].header("authorization"),
        None,
        "security: [] takes no credentials"
    );
    assert_eq!(seen[1].header("x-api-token"), None);
    let stderr = server.stop().await;
    assert!(stderr.contains("is not doubled"), "{stderr}");
}

#[tokio::test]
async fn a_tag_filter_that_matches_nothing_says_what_would() {
    let upstream = Upstream::start().await;
    let output = Launch::new("prefixed.yaml", &upstream.url())
        .args(["--include-tags", "customers", "--dry-run"])
        .run()
        .await;
    assert!(!output.status.success(), "an unknown tag is an error");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no operation has the tag `customers`"),
        "{stderr}"
    );
    assert!(stderr.contains("the spec tags no operation"), "{stderr}");
    assert!(stderr.contains("--include-paths /v1/customers"), "{stderr}");
}

#[tokio::test]
async fn a_login_cookie_is_kept_for_the_session_sent_back_and_cleared_on_logout() {
    let upstream = Upstream::start().await;
    upstream.respond("POST", "/auth/magic-link", Reply::empty(202));
    upstream.respond(
        "POST",
        "/auth/verify",
        Reply::json(200, json!({"ok": true})).with_header(
            "set-cookie",
            "session=sess-7f3a9c21; Path=/; HttpOnly; SameSite=Lax",
        ),
    );
    upstream.respond(
        "POST",
        "/auth/logout",
        Reply::empty(204).with_header("set-cookie", "session=; Path=/; Max-Age=0"),
    );
    upstream.respond(
        "GET",
        "/me",
        Reply::json(200, json!({"email": "a@example.test"})),
    );
    upstream.respond("GET", "/meta", Reply::json(200, json!({"version": "1"})));
    // The spec authenticates with a cookie, so cookie sessions are on without a flag.
    let server = Launch::new("session.yaml", &upstream.url()).start().await;

    ok_text(
        &server
            .call("request_magic_link", json!({"email": "a@example.test"}))
            .await,
    );
    let verified = server
        .call("verify_magic_link", json!({"token": "t-1"}))
        .await;
    let text = ok_text(&verified);
    assert!(
        text.contains("set-cookie: session (values hidden)"),
        "{text}"
    );
    assert!(
        !text.contains("sess-7f3a9c21"),
        "a cookie value never reaches the model"
    );
    assert!(!meta_of(&verified).to_string().contains("sess-7f3a9c21"));
    ok_text(&server.call("get_me", json!({})).await);
    ok_text(&server.call("get_meta", json!({})).await);
    ok_text(&server.call("logout", json!({})).await);
    ok_text(&server.call("get_me", json!({})).await);

    let seen = upstream.wait_for(6, WAIT).await;
    let cookie = |i: usize| seen[i].header("cookie").map(str::to_owned);
    assert_eq!(cookie(0), None, "nothing before the login");
    assert_eq!(cookie(1), None);
    assert_eq!(seen[2].path, "/me");
    assert_eq!(cookie(2).as_deref(), Some("session=sess-7f3a9c21"));
    assert_eq!(seen[3].path, "/meta");
    assert_eq!(cookie(3), None, "security: [] gets no session cookie");
    assert_eq!(
        cookie(4).as_deref(),
        Some("session=sess-7f3a9c21"),
        "logout is signed in"
    );
    assert_eq!(cookie(5), None, "Max-Age=0 cleared the jar");
    let stderr = server.stop().await;
    assert!(
        !stderr.contains("none are configured"),
        "the login sets the session cookie; no missing-credentials warning: {stderr}"
    );

    // Off when asked: the same flow sends no cookie.
    upstream.clear();
    let server = Launch::new("session.yaml", &upstream.url())
        .args(["--cookies", "false"])
        .start()
        .await;
    ok_text(
        &server
            .call("verify_magic_link", json!({"token": "t-1"}))
            .await,
    );
    ok_text(&server.call("get_me", json!({})).await);
    let seen = upstream.wait_for(2, WAIT).await;
    assert_eq!(seen[1].header("cookie"), None);
    server.stop().await;
}

/// The JSON document after the status line of a text result.
fn json_of_text(text: &str) -> Value {
    let body = text.split_once("\n\n").map_or(text, |(_, body)| body);
    let json = body.split("\n\n[truncated").next().unwrap_or(body);
    serde_json::from_str(json).unwrap_or_else(|e| panic!("not valid JSON ({e}): {json}"))
}

#[tokio::test]
async fn a_big_list_is_cut_by_whole_items_and_select_returns_only_the_part_asked_for() {
    let upstream = Upstream::start().await;
    let issues: Vec<Value> = (1..=347)
        .map(|n| {
            json!({
                "number": n,
                "state": if n % 50 == 0 { "closed" } else { "open" },
                "title": format!("Issue number {n} has a reasonably long title"),
            })
        })
        .collect();
    upstream.respond_default(Reply::json(
        200,
        json!({"total_count": 347, "items": issues}),
    ));
    let server = Launch::new("fidelity.yaml", &upstream.url())
        .args(["--select-arg", "--max-response-size", "4000"])
        .start()
        .await;
    let tool = server
        .tools()
        .await
        .into_iter()
        .find(|t| t.name == "search_issues")
        .expect("search_issues");
    assert_eq!(
        tool.input_schema["properties"]["select"]["type"],
        json!("string")
    );
    let schema = Value::Object(tool.output_schema.as_deref().cloned().expect("output"));
    let validator = jsonschema::validator_for(&schema).expect("output schema compiles");

    // Too big for the limit: whole items are dropped from the end, the JSON stays valid.
    let whole = server.call("search_issues", json!({"q": "is:issue"})).await;
    let text = ok_text(&whole);
    let shown = json_of_text(&text);
    let items = shown["items"].as_array().expect("items kept").len();
    assert!(items > 0 && items < 347, "{items} items shown");
    assert_eq!(shown["total_count"], json!(347));
    assert_eq!(shown["items"][0]["number"], json!(1));
    assert!(
        text.contains(&format!("$.items shows {items} of 347 items")),
        "{text}"
    );
    assert!(text.contains("use `select`"), "{text}");
    let structured = whole.structured_content.clone().expect("structured");
    assert_eq!(
        structured, shown,
        "the data, cut the same way, not a notice"
    );
    assert!(validator.is_valid(&structured), "{structured}");

    // `select` picks the part the model needs; the result still matches the schema.
    let picked = server
        .call(
            "search_issues",
            json!({"q": "is:issue", "select": "$.items[?@.state == 'closed'].number"}),
        )
        .await;
    let text = ok_text(&picked);
    assert_eq!(json_of_text(&text), json!([50, 100, 150, 200, 250, 300]));
    let structured = picked.structured_content.clone().expect("structured");
    assert_eq!(
        structured,
        json!({"selected": [50, 100, 150, 200, 250, 300]})
    );
    assert!(
        validator.is_valid(&structured),
        "{structured} against {schema}"
    );
    // `select` is ours: it never reaches the upstream.
    let seen = upstream.wait_for(2, WAIT).await;
    assert_eq!(seen[1].query.as_deref(), Some("q=is%3Aissue"));

    // A path that is not JSONPath is refused before anything is sent.
    let bad = server
        .call("search_issues", json!({"q": "x", "select": "items[*]"}))
        .await;
    let message = err_text(&bad);
    assert!(message.contains("not a JSONPath"), "{message}");
    assert!(message.contains("starts with `$`"), "{message}");
    // A path that matches nothing says so and shows what there is.
    let empty = server
        .call("search_issues", json!({"q": "x", "select": "$.nothing"}))
        .await;
    let message = err_text(&empty);
    assert!(message.contains("matched nothing"), "{message}");
    assert_eq!(upstream.count(), 3, "the bad path sent nothing");
    server.stop().await;
}

#[tokio::test]
async fn each_operation_gets_the_credentials_its_security_names() {
    let upstream = Upstream::start().await;
    upstream.respond_default(Reply::json(200, json!({})));
    let dir = temp_dir("schemes");
    let config = write_file(
        &dir,
        "rest-mcp.toml",
        "[credentials.session]\ntype = \"apikey_cookie\"\nkey = \"session\"\nvalue = \"cookie-secret-7373\"\n\n[credentials.ApiKeyAuth]\ntype = \"apikey_header\"\nkey = \"X-API-Key\"\nvalue = \"key-secret-8484\"\n\n[credentials.Typo]\ntype = \"bearer\"\ntoken = \"never-sent-9595\"\n",
    );
    let server = Launch::new("schemes.yaml", &upstream.url())
        .arg("--config")
        .arg(config.to_str().expect("utf-8"))
        .start()
        .await;
    for (tool, arguments) in [
        ("get_me", json!({})),
        ("list_reports", json!({})),
        ("create_export", json!({})),
        ("get_health", json!({})),
    ] {
        ok_text(&server.call(tool, arguments).await);
    }
    let seen = upstream.wait_for(4, WAIT).await;
    let credentials = |i: usize| {
        (
            seen[i].header("cookie").map(str::to_owned),
            seen[i].header("x-api-key").map(str::to_owned),
            seen[i].header("authorization").map(str::to_owned),
        )
    };
    // The document's default security: the session cookie only.
    assert_eq!(
        credentials(0),
        (Some("session=cookie-secret-7373".into()), None, None)
    );
    // The first alternative rest-mcp holds credentials for: the API key only.
    assert_eq!(credentials(1), (None, Some("key-secret-8484".into()), None));
    // Both schemes of one requirement: both.
    assert_eq!(
        credentials(2),
        (
            Some("session=cookie-secret-7373".into()),
            Some("key-secret-8484".into()),
            None
        )
    );
    // `security: []`: none at all.
    assert_eq!(credentials(3), (None, None, None));
    let stderr = server.stop().await;
    assert!(
        stderr.contains("[credentials.Typo] names no security scheme")
            && stderr.contains("session, ApiKeyAuth, oauth"),
        "{stderr}"
    );
}

#[tokio::test]
async fn integers_beyond_64_bits_travel_exactly_both_ways() {
    let upstream = Upstream::start().await;
    // Larger than u64, below i64::MIN, and written with an exponent: none may be rounded.
    let body = r#"{"id":123456789012345678901234567890,"low":-9223372036854775809,"big":1e23}"#;
    upstream.respond_default(Reply::bytes(200, "application/json", body));
    let server = Launch::new("fidelity.yaml", &upstream.url()).start().await;
    let arguments: Value = serde_json::from_str(
        r#"{"username":"octocat","per_page":-9223372036854775809,"page":1e23}"#,
    )
    .expect("arguments");
    let result = server.call("list_repos", arguments).await;
    let text = ok_text(&result);
    // Every digit kept; 1e23 may be written 1e+23, the same number exactly.
    assert!(
        text.contains(
            r#"{"id":123456789012345678901234567890,"low":-9223372036854775809,"big":1e"#
        ) && (text.ends_with(r#""big":1e23}"#) || text.ends_with(r#""big":1e+23}"#)),
        "the body, digit for digit: {text}"
    );
    let structured = result.structured_content.clone().unwrap_or_default();
    assert!(
        !structured.to_string().contains("e+18") && !structured.to_string().contains('.'),
        "{structured}"
    );
    let seen = upstream.wait_for(1, WAIT).await;
    let query = seen[0].query.clone().unwrap_or_default();
    assert!(
        query == "per_page=-9223372036854775809&page=1e23"
            || query == "per_page=-9223372036854775809&page=1e%2B23",
        "arguments go out exactly: {query}"
    );
    server.stop().await;
}
