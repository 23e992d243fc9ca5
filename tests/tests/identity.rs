//! One truth: `include_openapi!` and the `rest-mcp` binary serve identical `tools/list`
//! for the same spec and options (the macro runs the same loader inside the compiler).

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

rest_mcp::include_openapi!(
    path = "../examples/petstore/openapi.yaml",
    name = "Petstore"
);
rest_mcp::include_openapi!(
    path = "petstore-3.1.json",
    relative_to = "out_dir",
    name = "Petstore31"
);
rest_mcp::include_openapi!(
    path = "github.json",
    relative_to = "out_dir",
    name = "GitHub",
    typed = false
);
rest_mcp::include_openapi!(
    path = "github.json",
    relative_to = "out_dir",
    name = "GitHubRepos",
    include_tags = ["repos"],
    read_only = true,
    prefix = "gh",
    max_name_length = 40,
    typed = false
);

/// The `rest-mcp` binary of this workspace, built on demand (cargo test of this package
/// does not build other packages' binaries).
fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let binary = profile_dir.join(format!("rest-mcp{}", std::env::consts::EXE_SUFFIX));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build.args(["build", "-q", "-p", "rest-mcp", "--bin", "rest-mcp"]);
    if profile_dir.ends_with("release") {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo build");
    assert!(status.success(), "building rest-mcp failed");
    binary
}

/// `rest-mcp --dry-run` on a spec with extra arguments.
fn binary_tools(spec: &str, extra: &[&str]) -> Value {
    let output = Command::new(binary())
        .args([
            "--spec",
            spec,
            "--base-url",
            "http://127.0.0.1:9",
            "--dry-run",
            // The macro serves every tool; compare with the binary's `all` mode.
            "--tools",
            "all",
        ])
        .args(extra)
        .env_remove("OPENAPI_SPEC")
        .env_remove("CONFIG_FILE")
        .output()
        .expect("run rest-mcp");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("dry-run prints JSON")
}

fn macro_tools(tools: &rest_mcp::ToolSet) -> Value {
    json!({ "tools": tools.tools() })
}

fn out_dir_spec(name: &str) -> String {
    format!("{}/{name}", env!("OUT_DIR"))
}

/// The raw document at `path` (JSON or YAML), read without the loader.
fn raw_document(path: &str) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    if path.ends_with(".yaml") {
        yaml_serde::from_slice(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

/// How many operations of the raw document at `path` pass `keep(method, operation)`.
fn raw_count(path: &str, keep: impl Fn(&str, &Value) -> bool) -> usize {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let doc = raw_document(path);
    doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|item| {
            METHODS
                .iter()
                .filter(|m| item.get(**m).is_some_and(|op| keep(m, op)))
                .count()
        })
        .sum()
}

/// Every operation.
fn all(_: &str, _: &Value) -> bool {
    true
}

/// The number of tools in a `{"tools": [...]}` list.
fn count(tools: &Value) -> usize {
    tools["tools"].as_array().map_or(0, Vec::len)
}

#[test]
fn petstore_is_identical() {
    let spec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/petstore/openapi.yaml"
    );
    let api = Petstore::with_base_url("http://127.0.0.1:9").expect("client");
    let from_macro = macro_tools(&api.tool_set());
    assert_eq!(count(&from_macro), raw_count(spec, all));
    assert_eq!(from_macro, binary_tools(spec, &[]));
}

#[test]
fn petstore_3_1_is_identical() {
    let spec = out_dir_spec("petstore-3.1.json");
    let api = Petstore31::with_base_url("http://127.0.0.1:9").expect("client");
    let from_macro = macro_tools(&api.tool_set());
    assert_eq!(count(&from_macro), raw_count(&spec, all));
    assert_eq!(from_macro, binary_tools(&spec, &[]));
}

#[test]
fn github_is_identical() {
    let spec = out_dir_spec("github.json");
    let api = GitHub::with_base_url("http://127.0.0.1:9").expect("client");
    let from_macro = macro_tools(&api.tool_set());
    assert_eq!(count(&from_macro), raw_count(&spec, all));
    assert!(from_macro == binary_tools(&spec, &[]), "tool lists differ");
}

#[test]
fn github_with_filters_and_naming_is_identical() {
    let spec = out_dir_spec("github.json");
    let api = GitHubRepos::with_base_url("http://127.0.0.1:9").expect("client");
    let from_macro = macro_tools(&api.tool_set());
    let tools = from_macro["tools"].as_array().expect("tools");
    // GitHub's spec has no x-rest-mcp-annotations: read-only means a safe method.
    let expected = raw_count(&spec, |method, op| {
        ["get", "head", "options", "trace"].contains(&method)
            && op["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t == "repos"))
    });
    assert!(expected > 0);
    assert_eq!(tools.len(), expected);
    assert!(tools.iter().all(|t| {
        t["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("gh_") && n.len() <= 40)
    }));
    let from_binary = binary_tools(
        &spec,
        &[
            "--include-tags",
            "repos",
            "--read-only",
            "--tool-prefix",
            "gh",
            "--max-tool-name-length",
            "40",
        ],
    );
    assert!(from_macro == from_binary, "tool lists differ");
}

#[test]
fn the_embedded_model_is_the_loaders_model() {
    let spec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/petstore/openapi.yaml"
    );
    let loaded = rest_mcp::openapi::load_path(spec.as_ref(), &Default::default()).expect("loads");
    assert_eq!(*Petstore::model(), loaded.model);
    assert_eq!(Petstore::BASE_URL, Some("http://127.0.0.1:8787/api"));
}
