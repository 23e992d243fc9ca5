//! trybuild UI tests of the macros: every diagnostic `#[rest_api]` and `include_openapi!`
//! give, compared with the `.stderr` files next to each case in `tests/ui/rest_api/` and
//! `tests/ui/include_openapi/`, plus passing cases.
//!
//! Compiler diagnostics change between releases, so the expected output is written with
//! the toolchain `rust-toolchain.toml` pins (which cargo picks up in this repository).
//! On another toolchain:
//! - under `CI=true` the tests fail: CI must never pass without running them;
//! - locally they print why they do not run and how to regenerate the expected output.
//!
//! `REST_MCP_UI_TESTS=force` runs them on any toolchain. Regenerate the expected output
//! with `TRYBUILD=overwrite cargo test -p rest-mcp-tests --test ui`, then read every
//! changed `.stderr`.
//!
//! trybuild builds the cases as a crate with this package's dev-dependencies; the cases
//! use only `rest-mcp` (plus `serde`/`schemars` for their own types), which proves the
//! generated code needs no direct `rmcp`/`serde_json` dependency.

use std::process::Command;

/// The toolchain file of this repository: the `.stderr` files were written with its channel.
const TOOLCHAIN_FILE: &str = include_str!("../../rust-toolchain.toml");

/// The pinned version, from `channel = "X.Y.Z"` in [`TOOLCHAIN_FILE`].
fn pinned_version() -> String {
    TOOLCHAIN_FILE
        .lines()
        .filter_map(|line| line.trim().strip_prefix("channel"))
        .filter_map(|rest| rest.trim().strip_prefix('='))
        .map(|value| value.trim().trim_matches('"').to_owned())
        .next()
        .expect("rust-toolchain.toml names a channel")
}

/// The `rustc --version` line of the compiler cargo uses for these tests.
fn rustc_version() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(&rustc)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{rustc} --version`: {e}"));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Whether CI is running these tests (`CI=true`, as CI services and `.ci/run` set it).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

/// `Ok` to run; `Err(why)` to skip, which only a local run may do.
fn should_run() -> Result<(), String> {
    let pinned = pinned_version();
    let version = rustc_version();
    if version.starts_with(&format!("rustc {pinned} "))
        || std::env::var("REST_MCP_UI_TESTS").as_deref() == Ok("force")
    {
        return Ok(());
    }
    let why = format!(
        "the expected diagnostics are for rustc {pinned} (rust-toolchain.toml), this is {version}"
    );
    assert!(
        !in_ci(),
        "{why}. CI must run the UI tests: build with the pinned toolchain, or after a \
         deliberate toolchain change regenerate the snapshots with \
         `TRYBUILD=overwrite cargo test -p rest-mcp-tests --test ui` and review them"
    );
    Err(format!(
        "{why}; run them anyway with REST_MCP_UI_TESTS=force, or regenerate the expected \
         output with `TRYBUILD=overwrite cargo test -p rest-mcp-tests --test ui` and review \
         every changed .stderr"
    ))
}

#[test]
fn rest_api() {
    if let Err(why) = should_run() {
        eprintln!("not running the #[rest_api] UI tests: {why}");
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.pass("ui/rest_api/pass_*.rs");
    cases.compile_fail("ui/rest_api/fail_*.rs");
}

#[test]
fn include_openapi() {
    if let Err(why) = should_run() {
        eprintln!("not running the include_openapi! UI tests: {why}");
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.pass("ui/include_openapi/pass_*.rs");
    cases.compile_fail("ui/include_openapi/fail_*.rs");
}

#[test]
fn the_pinned_toolchain_is_an_exact_stable_release() {
    // A channel like "stable" would float to whatever is newest and break the snapshots.
    let pinned = pinned_version();
    let parts: Vec<&str> = pinned.split('.').collect();
    assert!(
        parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok()),
        "rust-toolchain.toml must pin an exact release like 1.95.0, not {pinned:?}"
    );
    assert!(
        TOOLCHAIN_FILE.contains("rustfmt") && TOOLCHAIN_FILE.contains("clippy"),
        "CI formats and lints with the pinned toolchain"
    );
}
