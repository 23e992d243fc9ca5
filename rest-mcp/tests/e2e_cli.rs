//! End to end: the command line itself. Each subcommand's help shows only its own flags;
//! `list --json` has a stable shape; `list` and `--dry-run` need no base URL; mistakes
//! (a file that is no spec, a refused download, a base URL without a scheme, a tag no
//! operation has, a typo in the config file) fail with a message that says what to do;
//! a closed output pipe ends the command quietly.

mod common;

use common::{Launch, spec, temp_dir, write_file};
use serde_json::Value;

/// The flags a `--help` text defines: the `--name` of each line that starts an option
/// (`  -s, --spec <PATH|URL>`), not flags mentioned in descriptions.
fn flags(help: &str) -> Vec<String> {
    help.lines()
        // Options start at most six spaces in (`  -s, --spec`, `      --json`); their
        // descriptions further.
        .filter(|line| {
            let text = line.trim_start();
            text.starts_with('-') && line.len() - text.len() <= 6
        })
        .filter_map(|line| {
            line.split_whitespace()
                .find(|word| word.starts_with("--"))
                .map(|word| word.trim_end_matches(',').to_owned())
        })
        .collect()
}

/// Runs `launch` to completion: (success, stdout, stderr).
async fn run(launch: Launch) -> (bool, String, String) {
    let output = launch.run().await;
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const SERVE_ONLY: [&str; 12] = [
    "--transport",
    "--listen",
    "--allowed-hosts",
    "--public-url",
    "--max-sessions",
    "--max-connections",
    "--header-read-timeout",
    "--timeout",
    "--header",
    "--dry-run",
    "--tools",
    "--send-defaults",
];

const SHARED: [&str; 8] = [
    "--spec",
    "--config",
    "--base-url",
    "--include-tags",
    "--exclude-paths",
    "--read-only",
    "--tool-prefix",
    "--log-level",
];

#[tokio::test]
async fn each_subcommand_help_shows_only_its_own_flags() {
    let (ok, list_help, _) = run(Launch::bare().args(["list", "--help"])).await;
    assert!(ok);
    let list_flags = flags(&list_help);
    for flag in SERVE_ONLY {
        assert!(
            !list_flags.iter().any(|f| f == flag),
            "`list --help` shows the serve flag {flag}:\n{list_help}"
        );
    }
    for flag in SHARED.iter().chain(&["--json"]) {
        assert!(list_flags.iter().any(|f| f == flag), "{flag}:\n{list_help}");
    }
    // Serving, with or without the subcommand, shows both kinds and not `--json`.
    for args in [&["--help"][..], &["serve", "--help"]] {
        let (ok, help, _) = run(Launch::bare().args(args.iter().copied())).await;
        assert!(ok);
        let serve_flags = flags(&help);
        for flag in SERVE_ONLY.iter().chain(&SHARED) {
            assert!(serve_flags.iter().any(|f| f == flag), "{args:?}: {flag}");
        }
        assert!(!serve_flags.iter().any(|f| f == "--json"), "{args:?}");
    }
    // A serve flag given to list is refused by name, not ignored; so are flags before the
    // subcommand, which would otherwise go to serving.
    let (ok, _, stderr) = run(Launch::bare().args(["list", "--transport", "http"])).await;
    assert!(!ok);
    assert!(stderr.contains("'--transport'"), "{stderr}");
    let (ok, _, stderr) = run(Launch::bare().args(["--spec", "x.yaml", "list"])).await;
    assert!(!ok);
    assert!(stderr.contains("'list' cannot be used with"), "{stderr}");
}

#[tokio::test]
async fn serving_flags_and_their_environment_work_with_and_without_the_subcommand() {
    let names = |stdout: &str| -> Vec<String> {
        let value: Value = serde_json::from_str(stdout).expect("tools/list JSON");
        value["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .map(|t| t["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let spec = spec("filters.yaml");
    let spec = spec.to_str().expect("utf-8");
    let (ok, plain, stderr) = run(Launch::bare().args([
        "--spec",
        spec,
        "--include-tags",
        "store",
        "--dry-run",
        "--tool-prefix",
        "x",
    ]))
    .await;
    assert!(ok, "{stderr}");
    assert_eq!(names(&plain), ["x_get_inventory"]);
    let (ok, sub, stderr) = run(Launch::bare().args([
        "serve",
        "--spec",
        spec,
        "--include-tags",
        "store",
        "--dry-run",
        "--tool-prefix",
        "x",
    ]))
    .await;
    assert!(ok, "{stderr}");
    assert_eq!(plain, sub);
    let (ok, env, stderr) = run(Launch::bare()
        .env("OPENAPI_SPEC", spec)
        .env("INCLUDE_TAGS", "store")
        .env("DRY_RUN", "true")
        .env("TOOL_PREFIX", "x"))
    .await;
    assert!(ok, "{stderr}");
    assert_eq!(plain, env);
}

#[tokio::test]
async fn list_json_is_an_array_with_one_object_per_tool() {
    let (ok, stdout, stderr) = run(Launch::bare()
        .args([
            "list",
            "--json",
            "--spec",
            spec("filters.yaml").to_str().expect("utf-8"),
        ])
        .args(["--base-url", "http://127.0.0.1:9"]))
    .await;
    assert!(ok, "{stderr}");
    let tools: Value = serde_json::from_str(&stdout).expect("list --json prints JSON");
    let tools = tools.as_array().expect("an array");
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "list_pets",
            "create_pet",
            "delete_pet",
            "admin_stats",
            "get_inventory"
        ]
    );
    let delete = &tools[2];
    let keys: Vec<&str> = delete
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "name",
            "method",
            "path",
            "summary",
            "description",
            "tags",
            "read_only",
            "destructive",
            "idempotent",
            "arguments",
            "estimated_tokens"
        ]
    );
    assert_eq!(delete["method"], "DELETE");
    assert_eq!(delete["path"], "/pets/{id}");
    assert_eq!(delete["tags"], serde_json::json!(["pets"]));
    assert_eq!(delete["read_only"], false);
    assert_eq!(delete["destructive"], true);
    assert_eq!(delete["summary"], Value::Null);
    assert_eq!(
        delete["arguments"],
        serde_json::json!([{"name": "id", "required": true}])
    );
    assert!(delete["estimated_tokens"].as_u64().is_some_and(|n| n > 0));
    assert_eq!(tools[0]["read_only"], true);
    assert_eq!(tools[0]["destructive"], false);
}

#[tokio::test]
async fn list_and_dry_run_need_no_base_url_but_serving_does() {
    // The fixture names no `servers`, and no --base-url is given.
    let spec = spec("filters.yaml");
    let spec = spec.to_str().expect("utf-8");
    let (ok, table, stderr) = run(Launch::bare().args(["list", "--spec", spec])).await;
    assert!(ok, "{stderr}");
    assert!(table.contains("get_inventory"), "{table}");
    assert!(table.contains("base URL unknown"), "{table}");
    let (ok, json, stderr) = run(Launch::bare().args(["list", "--json", "--spec", spec])).await;
    assert!(ok, "{stderr}");
    assert!(serde_json::from_str::<Value>(&json).is_ok_and(|v| v.is_array()));
    let (ok, tools, stderr) = run(Launch::bare().args(["--spec", spec, "--dry-run"])).await;
    assert!(ok, "{stderr}");
    assert!(tools.contains("\"get_inventory\""), "{tools}");
    // Serving it would send requests nowhere: that is still an error, with the fix.
    let (ok, stdout, stderr) = run(Launch::bare().args(["--spec", spec])).await;
    assert!(!ok);
    assert!(stdout.is_empty());
    assert!(stderr.contains("--base-url"), "{stderr}");
}

#[tokio::test]
async fn a_text_file_that_is_no_spec_is_called_that() {
    let dir = temp_dir("not-a-spec");
    // A README: `---` rules read as YAML document separators, prose as broken mappings.
    let readme = write_file(
        &dir,
        "README.md",
        "# My project\n\nUsage: run it.\n\n---\n\nNotes: more text: here\n\n---\n",
    );
    let notes = write_file(&dir, "notes.txt", "just a line of text\n");
    for file in [readme, notes] {
        for command in [&["list"][..], &["--dry-run"]] {
            let (ok, stdout, stderr) = run(Launch::bare()
                .args(command.iter().copied())
                .args(["--spec", file.to_str().expect("utf-8")]))
            .await;
            assert!(!ok && stdout.is_empty());
            assert!(
                stderr.contains("is not an OpenAPI/Swagger document or endpoint list"),
                "{stderr}"
            );
            assert!(!stderr.contains("YAML"), "{stderr}");
        }
    }
}

#[tokio::test]
async fn a_refused_spec_download_keeps_its_cause() {
    // A port on 127.0.0.1 with nothing listening: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/openapi.json");
    let (ok, _, stderr) = run(Launch::bare().args(["list", "--spec", &url])).await;
    assert!(!ok);
    assert!(
        stderr.contains(&format!("cannot download {url}")),
        "{stderr}"
    );
    assert!(
        stderr.to_ascii_lowercase().contains("connection refused"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_base_url_without_a_scheme_says_to_add_it() {
    for (given, fixed) in [
        ("api.example.com", "https://api.example.com"),
        ("localhost:8080/api", "https://localhost:8080/api"),
    ] {
        for launch in [
            Launch::bare().args(["list", "--spec"]),
            Launch::bare().arg("--spec"),
        ] {
            let (ok, _, stderr) = run(launch
                .arg(spec("filters.yaml").to_str().expect("utf-8"))
                .args(["--base-url", given]))
            .await;
            assert!(!ok);
            assert!(
                stderr.contains(&format!(
                    "base URL `{given}` has no scheme: add `https://` (`{fixed}`)"
                )),
                "{stderr}"
            );
        }
    }
}

#[tokio::test]
async fn a_tag_filter_naming_a_tag_no_operation_has_fails_naming_the_tags() {
    let spec = spec("filters.yaml");
    let spec = spec.to_str().expect("utf-8");
    let cases: [(&[&str], &str); 4] = [
        (
            &["list", "--spec", spec, "--include-tags", "petz"],
            "include_tags: no operation has the tag `petz` (did you mean `pets`?)",
        ),
        (
            &["--spec", spec, "--include-tags", "pets,stor", "--dry-run"],
            "include_tags: no operation has the tag `stor` (did you mean `store`?)",
        ),
        (
            // Serving, over stdio: it never starts.
            &[
                "--spec",
                spec,
                "--base-url",
                "http://127.0.0.1:9",
                "--exclude-tags",
                "internal",
            ],
            "exclude_tags: no operation has the tag `internal`",
        ),
        (
            &[
                "serve",
                "--spec",
                spec,
                "--transport",
                "http",
                "--listen",
                "127.0.0.1:0",
                "--base-url",
                "http://127.0.0.1:9",
                "--include-tags",
                "nothing",
            ],
            "include_tags: no operation has the tag `nothing`",
        ),
    ];
    for (args, expected) in cases {
        let (ok, stdout, stderr) = run(Launch::bare().args(args.iter().copied())).await;
        assert!(!ok, "{args:?} must fail");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            stderr.contains("the spec's tags are: pets, admin, store"),
            "{args:?}: {stderr}"
        );
    }
}

#[tokio::test]
async fn config_file_mistakes_name_the_file_the_line_and_the_fix() {
    let dir = temp_dir("config-typos");
    let spec = spec("filters.yaml");
    let head = format!(
        "openapi_spec = {:?}\nbase_url = \"http://127.0.0.1:9\"\n",
        spec.to_str().expect("utf-8")
    );
    let cases = [
        (
            "top.toml",
            "bse_url = \"x\"\n",
            "(line 3): unknown key `bse_url`; did you mean `base_url`?",
        ),
        (
            "filters.toml",
            "[filters]\nread_only = true\ninclude_tag = [\"pets\"]\n",
            "(line 5): unknown key `include_tag`; did you mean `include_tags`?",
        ),
        (
            "http.toml",
            "\n[http]\nstateless = true\nmax_conections = 5\n",
            "(line 6): [http]: unknown key `max_conections`; did you mean `max_connections`?",
        ),
        (
            "keys.toml",
            "[[http.keys]]\nname = \"bot\"\nkey = \"${BOT_KEY}\"\nrole = \"veiwer\"\n",
            "(line 6): [http]: unknown value `veiwer`; did you mean `viewer`?",
        ),
        (
            "auth.toml",
            "[auth]\ntype = \"bearer\"\ntokn = \"${TOKEN}\"\n",
            "(line 3): [auth]: unknown key `tokn`; did you mean `token`?",
        ),
        (
            "scheme.toml",
            "[credentials.key]\ntype = \"apikey_heder\"\nkey = \"X-Api-Key\"\nvalue = \"v\"\n",
            "(line 4): [credentials.key]: unknown value `apikey_heder`; did you mean `apikey_header`?",
        ),
    ];
    for (name, tail, expected) in cases {
        let path = write_file(&dir, name, &format!("{head}{tail}"));
        let path = path.to_str().expect("utf-8");
        for command in [&["list"][..], &[]] {
            let (ok, _, stderr) = run(Launch::bare()
                .args(command.iter().copied())
                .args(["--config", path])
                .env("BOT_KEY", "bot-key-0123456789abcdef")
                .env("TOKEN", "token-0123456789"))
            .await;
            assert!(!ok, "{name}");
            assert!(
                stderr.contains(&format!("{path} {expected}")),
                "{name}: {stderr}"
            );
        }
    }
}

#[tokio::test]
async fn a_closed_stderr_does_not_turn_a_failure_into_a_panic() {
    // `rest-mcp list --spec missing 2>&1 | true`: the reader is gone before the error
    // message is written; the exit status still says what happened.
    let dir = temp_dir("closed-stderr");
    let mut child = Launch::bare()
        .args(["list", "--spec", "/definitely/not/here.yaml"])
        .command(&dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run rest-mcp");
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = tokio::time::timeout(common::RUN_TIMEOUT, child.wait())
        .await
        .expect("rest-mcp ends")
        .expect("wait");
    assert_eq!(status.code(), Some(1), "{status:?}");
}

#[tokio::test]
async fn a_spec_on_stdin_cannot_share_stdin_with_the_stdio_transport() {
    // Serving over stdio would read the spec to the end of stdin and leave no MCP
    // session: refused before anything is read, with what to do instead.
    let (ok, _, stderr) =
        run(Launch::bare().args(["--spec", "-", "--base-url", "http://127.0.0.1:9"])).await;
    assert!(!ok);
    assert!(
        stderr.contains("`--spec -` reads the spec from stdin")
            && stderr.contains("--transport http"),
        "{stderr}"
    );
}
