//! End to end: a big API in a small context. GitHub's 1,223 operations served as three
//! meta-tools, found in an agent's own words, described exactly as in `all` mode, and
//! called through the same executor. Driven through rmcp's client over stdio against a
//! recording upstream on 127.0.0.1.

mod common;

use std::time::Duration;

use common::{Launch, err_text, github_spec, ok_text};
use rest_mcp_tests::{Reply, Upstream};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(5);

fn launch(upstream: &Upstream, mode: Option<&str>) -> Launch {
    let github = github_spec();
    let launch = Launch::bare()
        .args(["--spec", github.to_str().expect("utf-8")])
        .args(["--base-url", &upstream.url()]);
    match mode {
        Some(mode) => launch.args(["--tools", mode]),
        None => launch,
    }
}

fn estimated_tokens(tools: &[rmcp::model::Tool]) -> usize {
    tools
        .iter()
        .map(|t| serde_json::to_string(t).expect("json").len().div_ceil(4))
        .sum()
}

#[tokio::test]
async fn github_in_dynamic_mode_is_searched_described_and_called() {
    let upstream = Upstream::start().await;
    upstream.respond_default(Reply::json(200, json!([{"number": 7, "state": "open"}])));
    let server = launch(&upstream, Some("dynamic")).start().await;
    let tools = server.tools().await;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["search_tools", "describe_tools", "call_tool"]);
    let tokens = estimated_tokens(&tools);
    assert!(
        tokens <= 1500,
        "the initial tools/list costs about {tokens} tokens"
    );

    // An agent's question (the summary says "List repository issues"); the ranking
    // quality over many such queries is measured by `cargo bench --bench search`.
    let found = server
        .call(
            "search_tools",
            json!({"query": "what issues are still open in octocat/hello-world"}),
        )
        .await;
    let text = ok_text(&found);
    let entries = found.structured_content.clone().expect("structured")["tools"].clone();
    let names: Vec<&str> = entries
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert!(names.contains(&"issues_list_for_repo"), "{text}");
    assert!(names.len() <= 5);
    assert!(
        text.len().div_ceil(4) <= 800,
        "{} tokens",
        text.len().div_ceil(4)
    );
    assert!(text.contains("GET /repos/{owner}/{repo}/issues"), "{text}");

    // describe_tools gives the definition exactly as `all` mode serves it.
    let described = server
        .call(
            "describe_tools",
            json!({"names": ["issues_list_for_repo", "issues_lst_for_repo"]}),
        )
        .await;
    ok_text(&described);
    let described = described.structured_content.clone().expect("structured");
    let everything = launch(&upstream, Some("all")).start().await;
    let direct = everything
        .tools()
        .await
        .into_iter()
        .find(|t| t.name == "issues_list_for_repo")
        .expect("served in all mode");
    everything.stop().await;
    assert_eq!(
        described["tools"][0],
        serde_json::to_value(&direct).expect("json")
    );
    assert_eq!(
        described["unknown"][0]["name"],
        json!("issues_lst_for_repo")
    );
    assert!(
        described["unknown"][0]["did_you_mean"]
            .as_array()
            .is_some_and(|s| s.contains(&json!("issues_list_for_repo"))),
        "{described}"
    );

    // call_tool runs the same executor: same validation, same request, same result.
    let called = server
        .call(
            "call_tool",
            json!({"name": "issues_list_for_repo",
                   "arguments": {"owner": "octocat", "repo": "hello-world", "state": "open"}}),
        )
        .await;
    let text = ok_text(&called);
    assert!(text.starts_with("HTTP 200 OK"), "{text}");
    let seen = upstream.wait_for(1, WAIT).await;
    assert_eq!(seen[0].path, "/repos/octocat/hello-world/issues");
    assert_eq!(seen[0].query.as_deref(), Some("state=open"));
    let bad = server
        .call(
            "call_tool",
            json!({"name": "issues_list_for_repo", "arguments": {"owner": "octocat", "rpo": "x"}}),
        )
        .await;
    let message = err_text(&bad);
    assert!(message.contains("rpo"), "{message}");
    let unknown = server
        .call(
            "call_tool",
            json!({"name": "issues_list_for_rep", "arguments": {}}),
        )
        .await;
    assert!(err_text(&unknown).contains("did you mean `issues_list_for_repo`"));
    assert_eq!(upstream.count(), 1, "invalid calls send nothing");
    server.stop().await;
}

#[tokio::test]
async fn auto_serves_a_big_api_dynamically_and_a_small_one_whole() {
    let upstream = Upstream::start().await;
    // Launch sets TOOLS=all for the other suites; `auto` on the command line wins, as
    // the default would.
    let server = launch(&upstream, Some("auto")).start().await;
    assert_eq!(server.tools().await.len(), 3);
    let stderr = server.stop().await;
    assert!(
        stderr.is_empty() || !stderr.contains("panicked"),
        "{stderr}"
    );

    let small = Launch::new("fidelity.yaml", &upstream.url())
        .args(["--tools", "auto"])
        .start()
        .await;
    let tools: Vec<Value> = small.tools().await.iter().map(|t| json!(t.name)).collect();
    assert!(tools.contains(&json!("get_pet")), "{tools:?}");
    small.stop().await;

    // A tiny budget sends even the small API to dynamic mode.
    let budgeted = Launch::new("fidelity.yaml", &upstream.url())
        .args(["--tools", "auto", "--tool-budget", "10"])
        .start()
        .await;
    assert_eq!(budgeted.tools().await.len(), 3);
    budgeted.stop().await;
}

#[tokio::test]
async fn list_and_dry_run_show_what_each_mode_costs_and_serves() {
    let upstream = Upstream::start().await;
    let github = github_spec();
    let listed = Launch::bare()
        .args(["list", "--spec", github.to_str().expect("utf-8")])
        .args(["--base-url", &upstream.url()])
        .run()
        .await;
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains("1223 tools, about"), "{text}");
    assert!(
        text.contains(
            "With --tools dynamic: 3 tools (search_tools, describe_tools, call_tool), about"
        ),
        "{text}"
    );
    let printed = launch(&upstream, Some("dynamic"))
        .arg("--dry-run")
        .run()
        .await;
    let printed: Value = serde_json::from_slice(&printed.stdout).expect("--dry-run prints JSON");
    let names: Vec<&str> = printed["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["search_tools", "describe_tools", "call_tool"]);
}
