//! End to end: spec input is bounded the same way from files, URLs and stdin, and
//! anything but a regular file (a FIFO, a device, a directory) is refused before it is
//! read, with a message naming the path and what it is.

mod common;

use common::{Launch, temp_dir};
use rest_mcp_tests::{Reply, Upstream};

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: small, version: "1"}
paths:
  /h:
    get:
      operationId: ping
      responses:
        "200": {description: ok}
"#;

/// Runs `rest-mcp list --spec <spec>` and returns (success, stderr).
async fn list(spec: &str, extra: &[&str]) -> (bool, String) {
    let output = Launch::bare()
        .args(["list", "--spec", spec, "--base-url", "http://127.0.0.1:9"])
        .args(extra.iter().copied())
        .run()
        .await;
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_device_a_fifo_or_a_directory_is_refused_before_reading() {
    // /dev/zero never ends: reading it would hang or exhaust memory.
    let (ok, stderr) = list("/dev/zero", &[]).await;
    assert!(!ok);
    assert!(
        stderr.contains("/dev/zero") && stderr.contains("device"),
        "{stderr}"
    );
    // A FIFO with no writer blocks the first read forever.
    let dir = temp_dir("fifo");
    let fifo = dir.join("spec.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let (ok, stderr) = list(fifo.to_str().expect("utf-8"), &[]).await;
    assert!(!ok);
    assert!(
        stderr.contains("spec.fifo") && stderr.contains("FIFO"),
        "{stderr}"
    );
    let (ok, stderr) = list(dir.to_str().expect("utf-8"), &[]).await;
    assert!(!ok);
    assert!(stderr.contains("directory"), "{stderr}");
}

#[tokio::test]
async fn the_size_cap_applies_to_files_and_urls_alike() {
    let dir = temp_dir("size");
    let spec = dir.join("big.yaml");
    std::fs::write(&spec, SPEC).expect("write");
    let size = SPEC.len().to_string();
    let smaller = (SPEC.len() - 1).to_string();
    let (ok, stderr) = list(spec.to_str().expect("utf-8"), &["--max-spec-size", &size]).await;
    assert!(ok, "exactly at the cap is fine: {stderr}");
    let (ok, stderr) = list(
        spec.to_str().expect("utf-8"),
        &["--max-spec-size", &smaller],
    )
    .await;
    assert!(!ok);
    assert!(
        stderr.contains("big.yaml") && stderr.contains("max-spec-size"),
        "{stderr}"
    );
    let upstream = Upstream::start().await;
    upstream.respond(
        "GET",
        "/openapi.yaml",
        Reply::bytes(200, "application/yaml", SPEC),
    );
    let url = format!("{}/openapi.yaml", upstream.url());
    let (ok, stderr) = list(&url, &["--max-spec-size", &smaller]).await;
    assert!(!ok);
    assert!(stderr.contains("max-spec-size"), "{stderr}");
    let (ok, stderr) = list(&url, &["--max-spec-size", &size]).await;
    assert!(ok, "{stderr}");
}

#[tokio::test]
async fn each_remote_ref_is_fetched_at_most_once_and_failures_name_the_cause() {
    let upstream = Upstream::start().await;
    // Two references to one document that fails: one fetch, not one per reference.
    upstream.respond("GET", "/schemas/pet.json", Reply::text(500, "down"));
    let spec = format!(
        r#"
openapi: 3.0.3
info: {{title: remote, version: "1"}}
paths:
  /a:
    post:
      operationId: a
      requestBody:
        content:
          application/json:
            schema: {{$ref: "{base}/schemas/pet.json#/Pet"}}
      responses:
        "200": {{description: ok}}
  /b:
    post:
      operationId: b
      requestBody:
        content:
          application/json:
            schema: {{$ref: "{base}/schemas/pet.json#/Other"}}
      responses:
        "200": {{description: ok}}
"#,
        base = upstream.url()
    );
    let dir = temp_dir("remote");
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).expect("write");
    let (_, stderr) = list(path.to_str().expect("utf-8"), &["--allow-remote-refs"]).await;
    let fetches = upstream
        .requests()
        .iter()
        .filter(|r| r.path == "/schemas/pet.json")
        .count();
    assert_eq!(fetches, 1, "{stderr}");
    assert!(stderr.contains("HTTP 500"), "{stderr}");
}
