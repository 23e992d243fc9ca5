//! Many APIs in one server (`[[apis]]`): the pet store fixture, a TOML endpoint list and
//! the team spec, served together over stdio and at `/mcp/{name}` over HTTP, each with
//! its own upstream on 127.0.0.1 and its own credentials. Each upstream records what it
//! receives, which shows that no API's secret ever reaches another API's upstream.

mod common;
mod http_common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http_common::{Lifecycle, RestMcp, toml_string};
use rest_mcp_tests::{Reply, Upstream};
use serde_json::{Value, json};

const PETS_SECRET: &str = "pets-secret-5d1c0e77";
const STATUS_TOKEN: &str = "status-token-9a7b2140";
const TEAM_SECRET: &str = "team-secret-3f8e44a2";
const KEY_ALL: &str = "all-apis-key-0123456789abcdef";
const KEY_PETS: &str = "pets-only-key-0123456789abcdef";
const SECRETS: [&str; 3] = [PETS_SECRET, STATUS_TOKEN, TEAM_SECRET];

/// A tool name longer than MCP's 64 characters once prefixed.
const LONG_ENDPOINT: &str =
    "report_every_single_upstream_dependency_health_probe_result_in_full_detail";

/// The pet store fixture, decompressed into `dir`.
fn pet_store(dir: &Path) -> PathBuf {
    let file = std::fs::File::open(common::corpus_fixture("petstore-3.0.yaml.gz"))
        .expect("pet store fixture");
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gunzip");
    common::write_file(dir, "petstore.yaml", &text)
}

/// A copy of the team spec in `dir` (so a test may break it and reload).
fn team_spec(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(http_common::team_spec()).expect("team spec");
    common::write_file(dir, "team.yaml", &text)
}

/// The three upstreams, each answering its API's calls.
struct Upstreams {
    pets: Upstream,
    status: Upstream,
    team: Upstream,
}

impl Upstreams {
    async fn start() -> Upstreams {
        let pets = Upstream::start().await;
        pets.respond(
            "GET",
            "/pet/7",
            Reply::json(200, json!({"id": 7, "name": "Rex"})),
        );
        let status = Upstream::start().await;
        status.respond("GET", "/ping", Reply::json(200, json!({"pong": true})));
        let team = Upstream::start().await;
        team.respond("GET", "/items", Reply::json(200, json!([{"id": "a"}])));
        Upstreams { pets, status, team }
    }

    /// Asserts each upstream saw only its own API's secret, and never an inbound key.
    fn assert_no_secret_crossed(&self) {
        for (upstream, own) in [
            (&self.pets, PETS_SECRET),
            (&self.status, STATUS_TOKEN),
            (&self.team, TEAM_SECRET),
        ] {
            for request in upstream.requests() {
                let seen = format!(
                    "{:?} {:?} {}",
                    request.headers,
                    request.query,
                    request.body_text()
                );
                for secret in SECRETS.iter().filter(|s| **s != own) {
                    assert!(
                        !seen.contains(secret),
                        "{} reached the wrong upstream: {seen}",
                        secret
                    );
                }
                for key in [KEY_ALL, KEY_PETS] {
                    assert!(
                        !seen.contains(key),
                        "an inbound key reached an upstream: {seen}"
                    );
                }
            }
        }
    }
}

/// The `[[apis]]` of the three APIs (and `extra` after them: `[http]`, usually).
fn three_apis(dir: &Path, upstreams: &Upstreams, extra: &str) -> String {
    format!(
        r#"# company.toml
[[apis]]
name = "pets"
openapi_spec = {pets_spec}
base_url = {pets_url}
[apis.headers]
X-Pets-Key = "${{PETS_SECRET}}"

[[apis]]
name = "status"
base_url = {status_url}
[apis.auth]
type = "bearer"
token = "${{STATUS_TOKEN}}"
[[apis.endpoints]]
name = "ping"
method = "GET"
path = "/ping"
[[apis.endpoints]]
name = "{LONG_ENDPOINT}"
method = "GET"
path = "/health/everything"

[[apis]]
name = "team"
openapi_spec = {team_spec}
base_url = {team_url}
[apis.headers]
X-Team-Key = "${{TEAM_SECRET}}"

{extra}
"#,
        pets_spec = toml_string(pet_store(dir).to_str().expect("utf-8")),
        pets_url = toml_string(&upstreams.pets.url()),
        status_url = toml_string(&upstreams.status.url()),
        team_spec = toml_string(team_spec(dir).to_str().expect("utf-8")),
        team_url = toml_string(&upstreams.team.url()),
    )
}

const KEYS: &str = r#"
[[http.keys]]
name = "all"
key = "${KEY_ALL}"
role = "editor"

[[http.keys]]
name = "pets-only"
key = "${KEY_PETS}"
role = "editor"
apis = ["pets"]
"#;

fn with_secrets(launch: http_common::Launch) -> http_common::Launch {
    launch
        .env("PETS_SECRET", PETS_SECRET)
        .env("STATUS_TOKEN", STATUS_TOKEN)
        .env("TEAM_SECRET", TEAM_SECRET)
        .env("KEY_ALL", KEY_ALL)
        .env("KEY_PETS", KEY_PETS)
}

async fn start_http(dir: &Path, upstreams: &Upstreams) -> RestMcp {
    let config = three_apis(dir, upstreams, KEYS);
    with_secrets(http_common::Launch::new("http://127.0.0.1:9").config(&config))
        .start()
        .await
}

fn valid_tool_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_apis_are_served_together_and_each_at_its_own_path() {
    let upstreams = Upstreams::start().await;
    let dir = http_common::temp_dir("many");
    let server = start_http(&dir, &upstreams).await;

    let health = server.get_json("/healthz").await;
    assert_eq!(health["status"], json!("ok"), "{health}");
    for api in ["pets", "status", "team"] {
        assert_eq!(health["apis"][api]["status"], json!("ok"), "{health}");
    }

    // All together at /mcp: every tool carries its API's prefix and stays a valid name.
    let all = server
        .connect_with(Lifecycle::Initialize, Some(KEY_ALL), &[])
        .await;
    let names = all.tool_names().await;
    assert!(names.iter().all(|n| valid_tool_name(n)), "{names:?}");
    for expected in ["pets_get_pet_by_id", "status_ping", "team_list_items"] {
        assert!(
            names.contains(&expected.to_owned()),
            "{expected} in {names:?}"
        );
    }
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("pets_") || n.starts_with("status_") || n.starts_with("team_")),
        "{names:?}"
    );
    let long: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("status_report_every"))
        .collect();
    assert_eq!(long.len(), 1, "the long name is shortened, once: {names:?}");
    assert!(long[0].len() <= 64, "{}", long[0]);
    let total = names.len();
    assert_eq!(health["tools"], json!(total), "{health}");

    // Each API alone at /mcp/{name}.
    let status = server
        .try_connect_at("/mcp/status", Lifecycle::Initialize, Some(KEY_ALL), &[])
        .await
        .expect("connect /mcp/status");
    let status_names = status.tool_names().await;
    assert_eq!(status_names.len(), 2, "{status_names:?}");
    assert!(status_names.contains(&"status_ping".to_owned()));
    let team = server
        .try_connect_at("/mcp/team", Lifecycle::Discover, Some(KEY_ALL), &[])
        .await
        .expect("connect /mcp/team");
    assert!(
        team.tool_names()
            .await
            .iter()
            .all(|n| n.starts_with("team_"))
    );

    // Calls go to their own upstream with their own credentials, and nowhere else.
    let pong = http_common::ok_json(&all.call("status_ping", json!({})).await);
    assert_eq!(pong, json!({"pong": true}));
    let seen = upstreams.status.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(seen[0].bearer_token(), Some(STATUS_TOKEN));
    assert_eq!(upstreams.pets.count(), 0, "a call to status reached pets");
    assert_eq!(upstreams.team.count(), 0, "a call to status reached team");

    let pet = http_common::ok_json(&all.call("pets_get_pet_by_id", json!({"petId": 7})).await);
    assert_eq!(pet["name"], json!("Rex"));
    let seen = upstreams.pets.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(seen[0].header("x-pets-key"), Some(PETS_SECRET));
    assert_eq!(
        seen[0].header("authorization"),
        None,
        "{:?}",
        seen[0].headers
    );

    let items = http_common::ok_json(&team.call("team_list_items", json!({})).await);
    assert_eq!(items, json!([{"id": "a"}]));
    let seen = upstreams.team.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(seen[0].header("x-team-key"), Some(TEAM_SECRET));
    upstreams.assert_no_secret_crossed();

    // A tool of another API is not reachable at an API's own path.
    let error = status.call_error("team_list_items", json!({})).await;
    assert!(error.message.contains("unknown tool"), "{error:?}");
    for client in [all, status, team] {
        client.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_scoped_to_one_api_reaches_only_that_api() {
    let upstreams = Upstreams::start().await;
    let dir = http_common::temp_dir("scoped");
    let server = start_http(&dir, &upstreams).await;

    // Another API's path is refused before any MCP message is read.
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .post(format!("{}/mcp/status", server.base()))
        .header("authorization", format!("Bearer {KEY_PETS}"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(http_common::initialize_request().to_string())
        .send()
        .await
        .expect("POST /mcp/status");
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], json!("forbidden"), "{body}");
    // A path of no API: refused like any other API's for the scoped key (which so learns
    // nothing of which APIs exist), not found for the key of every API.
    for (key, status) in [(KEY_PETS, 403), (KEY_ALL, 404)] {
        let response = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .post(format!("{}/mcp/nonesuch", server.base()))
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(http_common::initialize_request().to_string())
            .send()
            .await
            .expect("POST /mcp/nonesuch");
        assert_eq!(response.status(), status);
    }
    let refused = server
        .try_connect_at("/mcp/team", Lifecycle::Initialize, Some(KEY_PETS), &[])
        .await;
    assert!(refused.is_err(), "a pets-only key connected to /mcp/team");

    // Its own API's path works.
    let own = server
        .try_connect_at("/mcp/pets", Lifecycle::Initialize, Some(KEY_PETS), &[])
        .await
        .expect("connect /mcp/pets");
    assert!(
        own.tool_names()
            .await
            .contains(&"pets_get_pet_by_id".to_owned())
    );

    // At /mcp it sees, and calls, only its API's tools.
    let all = server
        .connect_with(Lifecycle::Initialize, Some(KEY_PETS), &[])
        .await;
    let names = all.tool_names().await;
    assert!(
        !names.is_empty() && names.iter().all(|n| n.starts_with("pets_")),
        "{names:?}"
    );
    let error = all.call_error("status_ping", json!({})).await;
    assert!(error.message.contains("unknown tool"), "{error:?}");
    assert_eq!(upstreams.status.count(), 0);
    let pet = http_common::ok_json(&all.call("pets_get_pet_by_id", json!({"petId": 7})).await);
    assert_eq!(pet["id"], json!(7));
    upstreams.assert_no_secret_crossed();
    own.close().await;
    all.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_spec_keeps_its_tools_on_reload_and_healthz_names_it() {
    let upstreams = Upstreams::start().await;
    let dir = http_common::temp_dir("reload");
    let server = start_http(&dir, &upstreams).await;
    let before = server.get_json("/healthz").await;

    std::fs::write(dir.join("team.yaml"), "openapi: [not a spec").expect("break team.yaml");
    server.hangup();
    let mut health = Value::Null;
    for _ in 0..400 {
        health = server.get_json("/healthz").await;
        if health["apis"]["team"]["status"] == json!("failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        health["apis"]["team"]["status"],
        json!("failed"),
        "{health}"
    );
    assert_eq!(health["status"], json!("degraded"), "{health}");
    assert_eq!(health["apis"]["pets"]["status"], json!("ok"), "{health}");
    assert_eq!(health["apis"]["status"]["status"], json!("ok"), "{health}");
    assert_eq!(
        health["tools"], before["tools"],
        "every API keeps its tools"
    );
    assert!(!health.to_string().contains("not a spec"), "{health}");

    // The broken API still serves its previous tools; the others are untouched.
    let all = server
        .connect_with(Lifecycle::Initialize, Some(KEY_ALL), &[])
        .await;
    let items = http_common::ok_json(&all.call("team_list_items", json!({})).await);
    assert_eq!(items, json!([{"id": "a"}]));
    let pong = http_common::ok_json(&all.call("status_ping", json!({})).await);
    assert_eq!(pong, json!({"pong": true}));
    assert!(
        server.stderr().contains("reload failed"),
        "{}",
        server.stderr()
    );

    // Fixed, and reloaded again: healthy.
    team_spec(&dir);
    server.hangup();
    for _ in 0..400 {
        health = server.get_json("/healthz").await;
        if health["status"] == json!("ok") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(health["status"], json!("ok"), "{health}");

    // One entry's own settings no longer resolve (an unset variable): that API keeps its
    // tools and is reported; the others reload.
    let config_path = server.dir.join("team.toml");
    let config = std::fs::read_to_string(&config_path).expect("read the config");
    std::fs::write(
        &config_path,
        config.replace("${STATUS_TOKEN}", "${STATUS_TOKEN_GONE}"),
    )
    .expect("write the config");
    server.hangup();
    for _ in 0..400 {
        health = server.get_json("/healthz").await;
        if health["apis"]["status"]["status"] == json!("failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        health["apis"]["status"]["status"],
        json!("failed"),
        "{health}"
    );
    assert_eq!(health["apis"]["team"]["status"], json!("ok"), "{health}");
    assert_eq!(health["apis"]["pets"]["status"], json!("ok"), "{health}");
    let pong = http_common::ok_json(&all.call("status_ping", json!({})).await);
    assert_eq!(pong, json!({"pong": true}));
    assert!(
        server.stderr().contains("STATUS_TOKEN_GONE"),
        "{}",
        server.stderr()
    );
    all.close().await;
}

/// The stdio command for the three APIs' config file in `dir`.
fn stdio_launch(dir: &Path, upstreams: &Upstreams, leading: &[&str]) -> common::Launch {
    let config = common::write_file(dir, "company.toml", &three_apis(dir, upstreams, ""));
    common::Launch::bare()
        .args(leading.iter().copied())
        .arg("--config")
        .arg(config.to_str().expect("utf-8"))
        .env("PETS_SECRET", PETS_SECRET)
        .env("STATUS_TOKEN", STATUS_TOKEN)
        .env("TEAM_SECRET", TEAM_SECRET)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdio_serves_one_tool_set_of_all_the_apis() {
    let upstreams = Upstreams::start().await;
    let dir = common::temp_dir("many-stdio");
    let server = stdio_launch(&dir, &upstreams, &[]).start().await;
    let names: Vec<String> = server
        .tools()
        .await
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    for expected in ["pets_get_pet_by_id", "status_ping", "team_list_items"] {
        assert!(
            names.contains(&expected.to_owned()),
            "{expected} in {names:?}"
        );
    }
    assert!(names.iter().all(|n| valid_tool_name(n)), "{names:?}");
    let text = common::ok_text(&server.call("team_list_items", json!({})).await);
    assert!(text.contains("\"a\""), "{text}");
    let text = common::ok_text(&server.call("status_ping", json!({})).await);
    assert!(text.contains("pong"), "{text}");
    let seen = upstreams.status.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(seen[0].bearer_token(), Some(STATUS_TOKEN));
    assert_eq!(upstreams.pets.count(), 0);
    upstreams.assert_no_secret_crossed();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_search_spans_every_api_and_names_each_result_s_api() {
    let upstreams = Upstreams::start().await;
    let dir = common::temp_dir("many-dynamic");
    let server = stdio_launch(&dir, &upstreams, &[])
        .args(["--tools", "dynamic"])
        .start()
        .await;
    let result = server
        .call("search_tools", json!({"query": "ping", "limit": 25}))
        .await;
    let found = result
        .structured_content
        .clone()
        .expect("structured results");
    let tools = found["tools"].as_array().expect("tools");
    let ping = tools
        .iter()
        .find(|t| t["name"] == json!("status_ping"))
        .unwrap_or_else(|| panic!("status_ping found: {found}"));
    assert_eq!(ping["api"], json!("status"));
    let result = server
        .call("search_tools", json!({"query": "pet by id"}))
        .await;
    let found = result
        .structured_content
        .clone()
        .expect("structured results");
    assert!(
        found["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .any(|t| t["api"] == json!("pets")),
        "{found}"
    );
    let called = server
        .call(
            "call_tool",
            json!({"name": "team_list_items", "arguments": {}}),
        )
        .await;
    assert!(common::ok_text(&called).contains("\"a\""));
    upstreams.assert_no_secret_crossed();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_reports_each_api() {
    let upstreams = Upstreams::start().await;
    let dir = common::temp_dir("many-list");
    let output = stdio_launch(&dir, &upstreams, &["list"]).run().await;
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for heading in ["== API `pets`", "== API `status`", "== API `team`"] {
        assert!(table.contains(heading), "{table}");
    }
    let output = stdio_launch(&dir, &upstreams, &["list", "--json"])
        .run()
        .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tools: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let ping = tools
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["name"] == json!("status_ping"))
        .expect("status_ping");
    assert_eq!(ping["api"], json!("status"));
}

/// The config example of the README's "Run it for a company" section, verbatim.
fn readme_company_toml() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("read README.md");
    let start = readme
        .find("```toml\n# company.toml\n")
        .expect("the README has the company.toml example")
        + "```toml\n".len();
    let end = start + readme[start..].find("```").expect("the example ends");
    readme[start..end].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_company_config_works_as_pasted() {
    const OPS: &str = "ops-key-readme-0123456789";
    const SUPPORT: &str = "support-key-readme-0123456789";
    let upstreams = Upstreams::start().await;
    let dir = http_common::temp_dir("readme-company");
    // Only the spec paths and the APIs' addresses change: they point at this test's files
    // and upstreams on 127.0.0.1.
    let config = readme_company_toml()
        .replace(
            "\"./specs/petstore.yaml\"",
            &toml_string(pet_store(&dir).to_str().expect("utf-8")),
        )
        .replace(
            "\"./specs/team.yaml\"",
            &toml_string(team_spec(&dir).to_str().expect("utf-8")),
        )
        .replace(
            "\"https://pets.internal.example.com\"",
            &toml_string(&upstreams.pets.url()),
        )
        .replace(
            "\"https://status.internal.example.com\"",
            &toml_string(&upstreams.status.url()),
        )
        .replace(
            "\"https://team.internal.example.com\"",
            &toml_string(&upstreams.team.url()),
        );
    let server = http_common::Launch::new("http://127.0.0.1:9")
        .config(&config)
        .env("OPS_KEY", OPS)
        .env("SUPPORT_BOT_KEY", SUPPORT)
        .env("PETS_API_KEY", PETS_SECRET)
        .env("STATUS_TOKEN", STATUS_TOKEN)
        .start()
        .await;
    let host = [("host", "mcp.internal.example.com")];
    let health = server.get_json("/healthz").await;
    assert_eq!(health["status"], json!("ok"), "{health}");

    let ops = server
        .connect_with(Lifecycle::Initialize, Some(OPS), &host)
        .await;
    let names = ops.tool_names().await;
    for expected in ["pets_get_pet_by_id", "st_ping", "team_list_items"] {
        assert!(
            names.contains(&expected.to_owned()),
            "{expected} in {names:?}"
        );
    }
    assert!(!names.contains(&"team_delete_item".to_owned()), "{names:?}");
    let pong = http_common::ok_json(&ops.call("st_ping", json!({})).await);
    assert_eq!(pong, json!({"pong": true}));
    let seen = upstreams.status.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(seen[0].bearer_token(), Some(STATUS_TOKEN));
    let pet = http_common::ok_json(&ops.call("pets_get_pet_by_id", json!({"petId": 7})).await);
    assert_eq!(pet["id"], json!(7));
    let seen = upstreams.pets.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(seen[0].header("x-api-key"), Some(PETS_SECRET));

    let support = server
        .connect_with(Lifecycle::Initialize, Some(SUPPORT), &host)
        .await;
    let names = support.tool_names().await;
    assert!(
        !names.is_empty() && names.iter().all(|n| n.starts_with("pets_")),
        "{names:?}"
    );
    assert!(
        names.contains(&"pets_get_pet_by_id".to_owned()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"pets_delete_pet".to_owned()),
        "a viewer: {names:?}"
    );
    let refused = server
        .try_connect_at("/mcp/status", Lifecycle::Initialize, Some(SUPPORT), &host)
        .await;
    assert!(refused.is_err(), "support-bot connected to /mcp/status");
    upstreams.assert_no_secret_crossed();
    ops.close().await;
    support.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_stay_with_their_api_even_on_one_host() {
    // Two upstreams on 127.0.0.1 (cookies ignore ports, so RFC 6265 alone would share
    // them): `shop` keeps cookie sessions, `crm` does not.
    let shop = Upstream::start().await;
    shop.respond(
        "POST",
        "/login",
        Reply::json(200, json!({"ok": true}))
            .with_header("set-cookie", "shop_session=s3cr3t-shop; Path=/"),
    );
    shop.respond("GET", "/me", Reply::json(200, json!({"user": "me"})));
    let crm = Upstream::start().await;
    crm.respond(
        "GET",
        "/contacts",
        Reply::json(200, json!([])).with_header("set-cookie", "crm_session=s3cr3t-crm; Path=/"),
    );
    let endpoint = |name: &str, method: &str, path: &str| {
        format!("[[apis.endpoints]]\nname = \"{name}\"\nmethod = \"{method}\"\npath = \"{path}\"\n")
    };
    let config = format!(
        "[[apis]]\nname = \"shop\"\nbase_url = {}\n[apis.session]\ncookies = true\n{}{}\
         [[apis]]\nname = \"crm\"\nbase_url = {}\n{}",
        toml_string(&shop.url()),
        endpoint("login", "POST", "/login"),
        endpoint("me", "GET", "/me"),
        toml_string(&crm.url()),
        endpoint("contacts", "GET", "/contacts"),
    );
    let dir = common::temp_dir("many-cookies");
    let path = common::write_file(&dir, "cookies.toml", &config);
    let server = common::Launch::bare()
        .arg("--config")
        .arg(path.to_str().expect("utf-8"))
        .start()
        .await;
    for (tool, arguments) in [
        ("shop_login", json!({})),
        ("crm_contacts", json!({})),
        ("crm_contacts", json!({})),
        ("shop_me", json!({})),
    ] {
        common::ok_text(&server.call(tool, arguments).await);
    }
    let shop_seen = shop.wait_for(2, Duration::from_secs(10)).await;
    let crm_seen = crm.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(
        shop_seen[1].header("cookie"),
        Some("shop_session=s3cr3t-shop"),
        "{:?}",
        shop_seen[1].headers
    );
    for request in &crm_seen {
        assert_eq!(
            request.header("cookie"),
            None,
            "crm keeps no cookies and gets none of shop's: {:?}",
            request.headers
        );
    }
    server.stop().await;
}
