//! Finding (or building) the `rest-mcp` binary and the example spec.

use std::env::consts::EXE_SUFFIX;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the parent of this package's directory).
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The absolute path of `examples/petstore/openapi.yaml`.
pub(crate) fn spec_path() -> Result<PathBuf, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("petstore/openapi.yaml");
    path.canonicalize()
        .map_err(|e| format!("cannot find the example spec at {}: {e}", path.display()))
}

/// The `rest-mcp` binary: `$REST_MCP_BIN`, else `rest-mcp` next to this executable, which
/// cargo (re)builds first so the demo never runs a stale binary (a no-op when current).
pub(crate) fn rest_mcp_binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("REST_MCP_BIN") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("REST_MCP_BIN={} is not a file", path.display()))
        };
    }
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot locate the demo's own executable: {e}"))?;
    let dir = exe
        .parent()
        .ok_or_else(|| format!("{} has no parent directory", exe.display()))?;
    let sibling = dir.join(format!("rest-mcp{EXE_SUFFIX}"));
    build(dir.file_name().is_some_and(|name| name == "release"))?;
    if sibling.is_file() {
        Ok(sibling)
    } else {
        Err(format!(
            "cargo built rest-mcp, but {} still does not exist (a different target \
             directory?); set REST_MCP_BIN to the binary",
            sibling.display()
        ))
    }
}

/// Runs `cargo build [--release] -p rest-mcp --bin rest-mcp` in the workspace.
fn build(release: bool) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut args = vec!["build"];
    if release {
        args.push("--release");
    }
    args.extend(["-p", "rest-mcp", "--bin", "rest-mcp"]);
    println!("making sure rest-mcp is built: cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(&args)
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot run cargo ({}): {e}", Path::new(&cargo).display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed ({status})", args.join(" ")))
    }
}
