//! trybuild UI tests of the macros: every diagnostic `#[rest_api]` and `include_openapi!`
//! give, compared with the `.stderr` files next to each case in `tests/ui/rest_api/` and
//! `tests/ui/include_openapi/`, plus passing cases.
//!
//! Compiler diagnostics change between releases, so the expected output is pinned to one
//! toolchain ([`PINNED`]); on another the tests print why they skip. Set
//! `REST_MCP_UI_TESTS=skip` to skip them, `=force` to run them on any toolchain.
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p rest-mcp-tests
//! --test ui`, then read every changed `.stderr`.
//!
//! trybuild builds the cases as a crate with this package's dev-dependencies; the cases
//! use only `rest-mcp` (plus `serde`/`schemars` for their own types), which proves the
//! generated code needs no direct `rmcp`/`serde_json` dependency.

use std::process::Command;

/// The toolchain the `.stderr` files were written with.
const PINNED: &str = "rustc 1.95.";

/// Whether to run, or why not.
fn should_run() -> Result<(), String> {
    match std::env::var("REST_MCP_UI_TESTS").as_deref() {
        Ok("skip") => return Err("REST_MCP_UI_TESTS=skip".to_owned()),
        Ok("force") => return Ok(()),
        _ => {}
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(&rustc)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run `{rustc} --version`: {e}"))?;
    let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    if version.starts_with(PINNED) {
        Ok(())
    } else {
        Err(format!(
            "the expected diagnostics are for {PINNED}x, this is {version} (REST_MCP_UI_TESTS=force runs them anyway)"
        ))
    }
}

#[test]
fn rest_api() {
    if let Err(why) = should_run() {
        eprintln!("skipping the #[rest_api] UI tests: {why}");
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.pass("ui/rest_api/pass_*.rs");
    cases.compile_fail("ui/rest_api/fail_*.rs");
}

#[test]
fn include_openapi() {
    if let Err(why) = should_run() {
        eprintln!("skipping the include_openapi! UI tests: {why}");
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.pass("ui/include_openapi/pass_*.rs");
    cases.compile_fail("ui/include_openapi/fail_*.rs");
}
