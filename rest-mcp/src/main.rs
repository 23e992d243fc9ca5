//! The `rest-mcp` binary: configuration in, MCP tools out (stdio or Streamable HTTP).

use std::process::ExitCode;

use clap::Parser;
use rest_mcp::cli::config::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    rest_mcp::cli::run::main(Cli::parse()).await
}
