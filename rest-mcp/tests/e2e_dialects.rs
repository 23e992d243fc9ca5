//! End to end: compact definitions and schema dialects, through rmcp's client over stdio
//! against a recording upstream on 127.0.0.1. The served list follows the dialect (each
//! provider's checker from `rest_mcp_tests::schema_rules` finds nothing), while calls are
//! validated against, and sent as, the spec's own schemas.

mod common;

use std::time::Duration;

use common::{Launch, github_spec, ok_text};
use rest_mcp_tests::schema_rules;
use rest_mcp_tests::{Reply, Upstream};
use rmcp::ClientHandler;
use rmcp::model::{ClientConfig, Implementation, Tool};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(5);

fn github(upstream: &Upstream) -> Launch {
    let github = github_spec();
    Launch::bare()
        .args(["--spec", github.to_str().expect("utf-8")])
        .args(["--base-url", &upstream.url()])
}

/// A client that introduces itself as `name` (its `clientInfo.name`).
#[derive(Clone)]
struct Named(&'static str);

impl ClientHandler for Named {
    fn get_info(&self) -> ClientConfig {
        let mut info = ClientConfig::default();
        info.client_info = Implementation::new(self.0, "1.0");
        info
    }
}

fn input(tool: &Tool) -> Value {
    Value::Object((*tool.input_schema).clone())
}

fn find<'a>(tools: &'a [Tool], name: &str) -> &'a Tool {
    tools
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("{name} is served"))
}

#[tokio::test]
async fn openai_strict_schemas_are_served_and_calls_keep_the_spec_s_shape() {
    let upstream = Upstream::start().await;
    upstream.respond_default(Reply::json(200, json!([])));
    let server = github(&upstream)
        .args(["--schema-dialect", "openai"])
        .start()
        .await;
    let tools = server.tools().await;
    assert_eq!(tools.len(), 1223);
    for tool in &tools {
        let found = schema_rules::openai_strict(&input(tool));
        assert!(found.is_empty(), "{}: {found:?}", tool.name);
    }
    let dispatch = find(&tools, "repos_create_dispatch_event");
    assert_eq!(
        dispatch.input_schema["properties"]["client_payload"]["type"],
        json!(["string", "null"]),
        "a free-form object travels as JSON text"
    );

    // A strict model sends every property, null for those it means to leave out.
    let listed = server
        .call(
            "issues_list_for_repo",
            json!({"owner": "octocat", "repo": "hello", "state": "open",
                   "milestone": null, "assignee": null, "labels": null, "page": null}),
        )
        .await;
    assert!(ok_text(&listed).starts_with("HTTP 200"));
    let seen = upstream.wait_for(1, WAIT).await;
    assert_eq!(seen[0].path, "/repos/octocat/hello/issues");
    assert_eq!(seen[0].query.as_deref(), Some("state=open"));

    let dispatched = server
        .call(
            "repos_create_dispatch_event",
            json!({"owner": "octocat", "repo": "hello", "event_type": "deploy",
                   "client_payload": "{\"ref\": \"main\", \"n\": 2}"}),
        )
        .await;
    ok_text(&dispatched);
    let seen = upstream.wait_for(2, WAIT).await;
    assert_eq!(
        seen[1].json(),
        json!({"event_type": "deploy", "client_payload": {"ref": "main", "n": 2}})
    );

    // Validation is the spec's: a too-long event name is refused before anything is sent.
    let refused = server
        .try_call(
            "repos_create_dispatch_event",
            json!({"owner": "octocat", "repo": "hello", "event_type": "x".repeat(101),
                   "client_payload": null}),
        )
        .await
        .expect("a tool result");
    assert_eq!(refused.is_error, Some(true));
    assert_eq!(upstream.count(), 2, "the invalid call sent nothing");
    server.stop().await;
}

#[tokio::test]
async fn auto_picks_the_dialect_by_client_name_and_full_for_others() {
    let upstream = Upstream::start().await;
    let plain = Launch::new("fidelity.yaml", &upstream.url()).start().await;
    let full = plain.tools().await;
    plain.stop().await;

    let launch = Launch::new("fidelity.yaml", &upstream.url())
        .args(["--schema-dialect", "auto"])
        .env("LOG_LEVEL", "info");
    let unknown = launch.start().await;
    assert_eq!(
        unknown.tools().await,
        full,
        "an unknown client is served in full"
    );
    unknown.stop().await;

    let gemini = launch.start_with(Named("gemini-cli-mcp-client")).await;
    let served = gemini.tools().await;
    assert_eq!(served.len(), full.len());
    for tool in &served {
        let found = schema_rules::gemini(&input(tool));
        assert!(found.is_empty(), "{}: {found:?}", tool.name);
    }
    let stderr = gemini.stop().await;
    assert!(
        stderr.contains(
            "schema dialect auto: the client `gemini-cli-mcp-client` is recognised, so schemas follow the `gemini` dialect"
        ),
        "{stderr}"
    );
}

#[tokio::test]
async fn compact_definitions_cut_descriptions_and_drop_output_schemas() {
    let upstream = Upstream::start().await;
    upstream.respond_default(Reply::json(200, json!([{"number": 7}])));
    let server = github(&upstream)
        .args(["--description-max", "80", "--output-schemas", "none"])
        .start()
        .await;
    let tools = server.tools().await;
    assert_eq!(tools.len(), 1223);
    for tool in &tools {
        assert!(tool.output_schema.is_none(), "{}", tool.name);
        let description = tool.description.as_deref().unwrap_or_default();
        assert!(
            description.chars().count() <= 81 || !description.trim_end_matches('…').contains(' '),
            "{}: {description}",
            tool.name
        );
        assert!(
            !description.contains("](") && !description.contains("  "),
            "{description}"
        );
    }
    // Results keep their structured content (valid without a declared schema).
    let called = server
        .call(
            "issues_list_for_repo",
            json!({"owner": "octocat", "repo": "hello"}),
        )
        .await;
    ok_text(&called);
    assert_eq!(
        called.structured_content,
        Some(json!({"result": [{"number": 7}]}))
    );
    server.stop().await;
}

#[tokio::test]
async fn dynamic_mode_describes_and_calls_in_the_dialect() {
    let upstream = Upstream::start().await;
    upstream.respond_default(Reply::json(200, json!([])));
    let server = github(&upstream)
        .args(["--tools", "dynamic", "--schema-dialect", "gemini"])
        .start()
        .await;
    let tools = server.tools().await;
    assert_eq!(tools.len(), 3);
    for tool in &tools {
        let found = schema_rules::gemini(&input(tool));
        assert!(found.is_empty(), "{}: {found:?}", tool.name);
    }
    let described = server
        .call("describe_tools", json!({"names": ["issues_list_for_repo"]}))
        .await;
    ok_text(&described);
    let schema =
        described.structured_content.expect("structured")["tools"][0]["inputSchema"].clone();
    assert!(schema_rules::gemini(&schema).is_empty(), "{schema}");
    // `arguments` is a free-form object, so Gemini sends it as JSON text.
    let called = server
        .call(
            "call_tool",
            json!({"name": "issues_list_for_repo",
                   "arguments": "{\"owner\": \"octocat\", \"repo\": \"hello\", \"state\": \"closed\"}"}),
        )
        .await;
    assert!(ok_text(&called).starts_with("HTTP 200"));
    let seen = upstream.wait_for(1, WAIT).await;
    assert_eq!(seen[0].query.as_deref(), Some("state=closed"));
    server.stop().await;
}

#[tokio::test]
async fn list_prints_the_cost_of_each_setting() {
    let upstream = Upstream::start().await;
    let github = github_spec();
    let listed = Launch::bare()
        .args(["list", "--spec", github.to_str().expect("utf-8")])
        .args(["--base-url", &upstream.url()])
        .run()
        .await;
    let text = String::from_utf8_lossy(&listed.stdout);
    for row in [
        "Estimated tools/list tokens by setting (settings combine):",
        "--tools all --output-schemas none",
        "--tools all --description-max 200 --output-schemas none",
        "--tools all --schema-dialect portable",
        "--tools all --schema-dialect openai",
        "--tools dynamic",
    ] {
        assert!(text.contains(row), "{row}:\n{text}");
    }
}
