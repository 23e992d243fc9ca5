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

/// `--dry-run` on the extensions fixture with `args`: the tool names, and stderr.
async fn extension_tools(args: &[&str]) -> (Vec<String>, String) {
    let spec = common::corpus_fixture("extensions.yaml");
    let output = Launch::bare()
        .args(["--spec", spec.to_str().expect("utf-8")])
        .args(args.iter().copied())
        .arg("--dry-run")
        .run()
        .await;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{args:?}: {stderr}");
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let names = value["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_owned())
        .collect();
    (names, stderr)
}

#[tokio::test]
async fn filters_never_rename_the_tools_they_keep() {
    // The fixture has names that collide: `x-rest-mcp-name: list_gadgets` takes the name
    // `listGadgets` derives, and `get-gadget` snake-cases to `getGadget`'s name. The
    // later operation of each pair gets a hash suffix, whatever the filters keep.
    let (all, _) = extension_tools(&[]).await;
    let suffixed = |base: &str| {
        all.iter()
            .find(|n| n.starts_with(&format!("{base}_")) && n.len() == base.len() + 7)
            .cloned()
            .unwrap_or_else(|| panic!("no suffixed {base}: {all:?}"))
    };
    let (list_gadgets_2, get_gadget_2) = (suffixed("list_gadgets"), suffixed("get_gadget"));
    assert!(all.contains(&"list_gadgets".to_owned()) && all.contains(&"get_gadget".to_owned()));

    let filters: [&[&str]; 6] = [
        &["--exclude-operations", "listWidgets,getGadget"],
        &["--include-tags", "gadgets"],
        &["--include-paths", "/gadgets/{id}/copy"],
        &["--exclude-tags", "widgets", "--read-only"],
        &["--include-operations", "get-gadget,listGadgets"],
        &["--exclude-paths", "/widgets"],
    ];
    for args in filters {
        let (kept, _) = extension_tools(args).await;
        assert!(!kept.is_empty(), "{args:?} kept nothing");
        let expected: Vec<String> = all.iter().filter(|n| kept.contains(n)).cloned().collect();
        assert_eq!(kept, expected, "{args:?} renamed or reordered tools");
    }
    // Without the operations that kept the plain names, the others keep their suffixes.
    let (kept, _) = extension_tools(&["--exclude-operations", "listWidgets,getGadget"]).await;
    assert!(
        kept.contains(&list_gadgets_2) && kept.contains(&get_gadget_2),
        "{kept:?}"
    );
    assert!(!kept.contains(&"list_gadgets".to_owned()) && !kept.contains(&"get_gadget".to_owned()));
}

#[tokio::test]
async fn filter_rules_that_match_nothing_are_reported() {
    // Tags are a closed list the spec declares, so an unknown one is an error (see
    // e2e_cli.rs); path and operation rules that match nothing are warnings.
    let (names, stderr) = extension_tools(&[
        "--include-tags",
        "gadgets",
        "--exclude-paths",
        "/nowhere",
        "--exclude-operations",
        "getGadgett",
    ])
    .await;
    assert!(!names.is_empty());
    for (rule, what) in [
        ("exclude_paths", "`/nowhere`"),
        ("exclude_operations", "`getGadgett`"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains("WARN") && l.contains(rule) && l.contains(what)),
            "{rule} {what} is not reported:\n{stderr}"
        );
    }
    assert!(
        !stderr.contains("gadgets"),
        "a rule that matches is not reported:\n{stderr}"
    );
    // Rules that all match: no warning at all.
    let (_, stderr) = extension_tools(&["--include-tags", "gadgets"]).await;
    assert!(!stderr.contains("WARN"), "{stderr}");
}

/// A spec whose request body is a remote `$ref` to `url`.
fn remote_ref_spec(url: &str) -> String {
    format!(
        r#"
openapi: 3.0.3
info: {{title: Remote refs, version: "1"}}
paths:
  /pets:
    post:
      operationId: addPet
      requestBody:
        content:
          application/json:
            schema: {{$ref: "{url}"}}
      responses: {{"200": {{description: ok}}}}
"#
    )
}

#[tokio::test]
async fn allow_remote_refs_lets_the_binary_follow_http_references() {
    let upstream = Upstream::start().await;
    upstream.respond(
        "GET",
        "/schemas/pet.json",
        Reply::json(
            200,
            json!({"type": "object", "properties": {"name": {"type": "string"}, "legs": {"type": "integer"}}}),
        ),
    );
    let dir = temp_dir("remote-refs");
    let spec = write_file(
        &dir,
        "spec.yaml",
        &remote_ref_spec(&format!("{}/schemas/pet.json", upstream.url())),
    );
    let spec = spec.to_str().expect("utf-8");

    // Off by default: nothing is fetched, and the loader says why the schema is a stub.
    let output = Launch::bare()
        .args(["--spec", spec, "--base-url", &upstream.url(), "--dry-run"])
        .run()
        .await;
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("remote references are off"), "{stderr}");
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(
        !printed.to_string().contains("legs"),
        "a remote schema was inlined without the flag"
    );
    assert_eq!(upstream.count(), 0, "nothing was fetched");

    // With the flag, or its environment variable: fetched, inlined, and callable.
    for launch in [
        Launch::bare().arg("--allow-remote-refs"),
        Launch::bare().env("ALLOW_REMOTE_REFS", "true"),
    ] {
        upstream.clear();
        let server = launch
            .args(["--spec", spec, "--base-url", &upstream.url()])
            .start()
            .await;
        let tools = server.tools().await;
        let properties = &tools[0].input_schema["properties"];
        assert!(
            properties.get("legs").is_some() && properties.get("name").is_some(),
            "{properties}"
        );
        let seen = upstream.requests();
        assert_eq!(seen.len(), 1, "the reference was fetched once");
        assert_eq!(seen[0].path, "/schemas/pet.json");
        ok_text(
            &server
                .call("add_pet", json!({"name": "Rex", "legs": 4}))
                .await,
        );
        let sent = upstream.wait_for(2, WAIT).await;
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert_eq!(sent[1].json(), json!({"name": "Rex", "legs": 4}));
        server.stop().await;
    }
}

#[tokio::test]
async fn a_spec_download_is_capped_at_64_mib() {
    const CAP: usize = 64 * 1024 * 1024;
    // A valid spec padded with whitespace to exactly the cap loads; one byte more is
    // refused with a message that names the limit.
    let spec = br#"{"openapi": "3.0.3", "info": {"title": "Big", "version": "1"}, "paths": {"/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}}}"#;
    let padded = |size: usize| {
        let mut bytes = spec.to_vec();
        bytes.resize(size, b' ');
        bytes
    };
    let upstream = Upstream::start().await;
    upstream.respond(
        "GET",
        "/at-the-cap.json",
        Reply::bytes(200, "application/json", padded(CAP)),
    );
    upstream.respond(
        "GET",
        "/over-the-cap.json",
        Reply::bytes(200, "application/json", padded(CAP + 1)),
    );

    let at_cap = format!("{}/at-the-cap.json", upstream.url());
    let output = Launch::bare()
        .args([
            "--spec",
            &at_cap,
            "--base-url",
            &upstream.url(),
            "--dry-run",
        ])
        .run()
        .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("\"ping\""));

    let over_cap = format!("{}/over-the-cap.json", upstream.url());
    let output = Launch::bare()
        .args([
            "--spec",
            &over_cap,
            "--base-url",
            &upstream.url(),
            "--dry-run",
        ])
        .run()
        .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("larger than 64 MiB"), "{stderr}");
    assert!(stderr.contains(&over_cap), "{stderr}");
    assert!(output.stdout.is_empty());
}
