//! End to end: configuration as MCP clients pass it: headers from the config file, the
//! `HEADERS` environment variable and `--header` (with `${VAR}`), precedence, operation
//! filters, a spec fetched over HTTP, and the base URL taken from the spec's servers.

mod common;

use std::time::Duration;

use common::{Launch, ok_text, temp_dir, write_file};
use rest_mcp_tests::{Reply, Upstream};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn headers_from_file_env_and_command_line_in_order_of_precedence() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("headers");
    let config = write_file(
        &dir,
        "rest-mcp.toml",
        "[headers]\nX-File = \"from-file\"\nX-Env = \"file-loses\"\nX-Cli = \"file-loses\"\n",
    );
    let server = Launch::new("responses.yaml", &upstream.url())
        .args(["--config", config.to_str().expect("utf-8")])
        .args(["--header", "X-Cli: cli-${E2E_PART}"])
        .env(
            "HEADERS",
            r#"{"X-Env": "env-${E2E_PART}", "X-Cli": "env-loses"}"#,
        )
        .env("E2E_PART", "wins")
        .start()
        .await;
    ok_text(&server.call("get_thing", json!({"id": "1"})).await);
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(r.header_all("x-file"), vec!["from-file"]);
    assert_eq!(r.header_all("x-env"), vec!["env-wins"]);
    assert_eq!(r.header_all("x-cli"), vec!["cli-wins"]);
    server.stop().await;

    // HEADERS may also be one `Name: value` per line.
    upstream.clear();
    let server = Launch::new("responses.yaml", &upstream.url())
        .env("HEADERS", "X-One: 1\nX-Two: two: parts\n")
        .start()
        .await;
    ok_text(&server.call("get_thing", json!({"id": "1"})).await);
    let r = upstream.wait_for(1, WAIT).await.remove(0);
    assert_eq!(r.header("x-one"), Some("1"));
    assert_eq!(r.header("x-two"), Some("two: parts"));
    server.stop().await;
}

#[tokio::test]
async fn environment_variables_configure_the_binary() {
    // MCP clients launch stdio servers with env, not flags.
    let upstream = Upstream::start().await;
    let spec = common::spec("responses.yaml");
    let server = Launch::bare()
        .env("OPENAPI_SPEC", spec.to_str().expect("utf-8"))
        .env("BASE_URL", &upstream.url())
        .env("INCLUDE_OPERATIONS", "getThing,search")
        .start()
        .await;
    let names: Vec<String> = server
        .tools()
        .await
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(names, ["get_thing", "search"]);
    ok_text(&server.call("get_thing", json!({"id": "e"})).await);
    assert_eq!(upstream.wait_for(1, WAIT).await[0].path, "/things/e");
    server.stop().await;
}

async fn dry_run_names(args: &[&str]) -> Vec<String> {
    let output = Launch::new("filters.yaml", "http://127.0.0.1:9")
        .args(args.iter().copied())
        .arg("--dry-run")
        .run()
        .await;
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    value["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn filters_and_naming_options() {
    assert_eq!(
        dry_run_names(&[]).await,
        [
            "list_pets",
            "create_pet",
            "delete_pet",
            "admin_stats",
            "get_inventory"
        ]
    );
    assert_eq!(
        dry_run_names(&["--read-only"]).await,
        ["list_pets", "admin_stats", "get_inventory"]
    );
    assert_eq!(
        dry_run_names(&["--include-tags", "pets,store"]).await,
        ["list_pets", "create_pet", "delete_pet", "get_inventory"]
    );
    assert_eq!(
        dry_run_names(&["--exclude-tags", "pets"]).await,
        ["admin_stats", "get_inventory"]
    );
    assert_eq!(
        dry_run_names(&["--exclude-paths", "/admin,/pets/{id}"]).await,
        ["list_pets", "create_pet", "get_inventory"]
    );
    assert_eq!(
        dry_run_names(&["--include-paths", "/pets"]).await,
        ["list_pets", "create_pet", "delete_pet"]
    );
    assert_eq!(
        dry_run_names(&["--exclude-operations", "deletePet,admin_stats"]).await,
        ["list_pets", "create_pet", "get_inventory"]
    );
    let prefixed = dry_run_names(&["--tool-prefix", "zoo", "--read-only"]).await;
    assert_eq!(
        prefixed,
        ["zoo_list_pets", "zoo_admin_stats", "zoo_get_inventory"]
    );
}

const SERVED_SPEC: &str = r#"
openapi: 3.0.3
info: {title: Served over HTTP, version: "1"}
servers:
  - url: /api/v1
paths:
  /ping:
    get:
      operationId: ping
      responses: {"200": {description: ok}}
"#;

#[tokio::test]
async fn spec_from_a_url_with_a_relative_server() {
    let upstream = Upstream::start().await;
    upstream.respond(
        "GET",
        "/specs/openapi.yaml",
        Reply::bytes(200, "application/yaml", SERVED_SPEC.as_bytes().to_vec()),
    );
    let server = Launch::bare()
        .args(["--spec", &format!("{}/specs/openapi.yaml", upstream.url())])
        .start()
        .await;
    ok_text(&server.call("ping", json!({})).await);
    let seen = upstream.wait_for(2, WAIT).await;
    assert_eq!(seen[0].path, "/specs/openapi.yaml");
    // The relative server URL resolves against the spec's URL.
    assert_eq!(seen[1].path, "/api/v1/ping");
    server.stop().await;
}

#[tokio::test]
async fn base_url_defaults_to_the_first_server_with_variable_defaults() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("servers");
    let spec = write_file(
        &dir,
        "spec.yaml",
        &format!(
            r#"
openapi: 3.0.3
info: {{title: Servers, version: "1"}}
servers:
  - url: "http://127.0.0.1:{{port}}/{{stage}}"
    variables:
      port: {{default: "{port}"}}
      stage: {{default: beta, enum: [beta, prod]}}
  - url: https://unused.example
paths:
  /ping:
    get:
      operationId: ping
      responses: {{"200": {{description: ok}}}}
"#,
            port = upstream.addr.port()
        ),
    );
    let server = Launch::bare()
        .args(["--spec", spec.to_str().expect("utf-8")])
        .start()
        .await;
    ok_text(&server.call("ping", json!({})).await);
    assert_eq!(upstream.wait_for(1, WAIT).await[0].path, "/beta/ping");
    server.stop().await;
}

#[tokio::test]
async fn configuration_mistakes_are_clear_startup_errors() {
    let dir = temp_dir("mistakes");
    let cases: Vec<(Launch, &str)> = vec![
        (Launch::bare(), "--spec"),
        (Launch::new("responses.yaml", "ftp://127.0.0.1/"), "http"),
        (
            Launch::new("responses.yaml", "http://127.0.0.1:9").args(["--header", "no colon"]),
            "Name: value",
        ),
        (
            Launch::new("responses.yaml", "http://127.0.0.1:9").args(["--timeout", "soon"]),
            "soon",
        ),
        (
            Launch::new("responses.yaml", "http://127.0.0.1:9").args([
                "--config",
                write_file(&dir, "bad.toml", "base_url = \"http://x\"\nbogus_key = 1\n")
                    .to_str()
                    .expect("utf-8"),
            ]),
            "bogus_key",
        ),
        (
            Launch::bare().args(["--spec", "/definitely/not/here.yaml"]),
            "/definitely/not/here.yaml",
        ),
    ];
    for (launch, expected) in cases {
        let output = launch.run().await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{launch:?} should fail");
        assert!(stderr.contains(expected), "{launch:?}: {stderr}");
        assert!(
            output.stdout.is_empty(),
            "{launch:?}: stdout must stay clean"
        );
    }
}
