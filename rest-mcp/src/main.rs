//! The `rest-mcp` binary: configuration in, MCP tools out (stdio or Streamable HTTP).

use std::process::ExitCode;

use clap::Parser;
use rest_mcp::cli::config::Cli;

#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    return_freed_memory_soon();
    rest_mcp::cli::run::main(Cli::parse()).await
}

/// How soon after being freed a page goes back to the OS, in milliseconds.
const RETURN_FREED_PAGES_AFTER_MS: isize = 1000;

/// Let jemalloc hand freed pages back to the OS a second after they are freed, from its
/// own background threads: loading a big spec peaks at several times what serving it
/// keeps, and an idle server should not hold that peak. Best effort: a setting the
/// allocator refuses keeps its default.
fn return_freed_memory_soon() {
    #[cfg(not(target_env = "msvc"))]
    return_freed_pages_after(RETURN_FREED_PAGES_AFTER_MS);
}

#[cfg(not(target_env = "msvc"))]
fn return_freed_pages_after(milliseconds: isize) {
    use tikv_jemalloc_ctl::{Access, AsName, arenas, background_thread};
    let _ = background_thread::write(true);
    // Arenas made from now on, and those made already.
    for setting in ["dirty_decay_ms", "muzzy_decay_ms"] {
        let _ = format!("arenas.{setting}\0")
            .as_str()
            .name()
            .write(milliseconds);
        for arena in 0..arenas::narenas::read().unwrap_or(0) {
            let _ = format!("arena.{arena}.{setting}\0")
                .as_str()
                .name()
                .write(milliseconds);
        }
    }
}
