//! `demo`: rest-mcp end to end, in one command.
//!
//! ```sh
//! cargo run -p rest-mcp-examples --bin demo          # add -- --verbose to see rest-mcp's logs
//! ```
//!
//! 1. Starts the example pet store on `127.0.0.1:<free port>` (in this process).
//! 2. Finds the `rest-mcp` binary (`$REST_MCP_BIN`, else next to this executable, building
//!    it with cargo when missing) and launches it as an MCP server over stdio, pointed at
//!    `examples/petstore/openapi.yaml` and the pet store, with the API key header. It runs
//!    in `examples/petstore` with a cleared environment (only `PATH`, `HOME`, temp and
//!    locale variables, `RUST_BACKTRACE`, `LOG_LEVEL` and `LOG_FORMAT` are passed on), so
//!    settings in your shell or a stray `rest-mcp.toml` cannot change what it does.
//! 3. Lists the tools, then calls each one and prints arguments and results.
//!
//! Exits 0 when every call behaved as expected (`isError` exactly where expected, the
//! right data back, the pet store's state changed accordingly), 1 when something did
//! not, 2 when the demo could not run at all.

mod locate;
mod script;
mod show;

use std::net::{Ipv4Addr, SocketAddr};
use std::process::{ExitCode, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rest_mcp_examples::petstore::{API_KEY, PetstoreServer};
use rmcp::ServiceExt;
use rmcp::transport::TokioChildProcess;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::ChildStderr;

/// How long rest-mcp may take to start and answer `initialize` / `tools/list`.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The tools the pet store spec must produce.
const EXPECTED_TOOLS: [&str; 8] = [
    "list_pets",
    "create_pet",
    "get_pet",
    "update_pet",
    "delete_pet",
    "upload_pet_photo",
    "place_order",
    "get_inventory",
];

/// Environment variables passed on to rest-mcp (everything else is cleared).
const PASSED_ENV: [&str; 12] = [
    "PATH",
    "HOME",
    "USERPROFILE",
    "SYSTEMROOT",
    "TMPDIR",
    "TEMP",
    "TMP",
    "LANG",
    "LC_ALL",
    "RUST_BACKTRACE",
    "LOG_LEVEL",
    "LOG_FORMAT",
];

/// How the demo ended badly.
enum Failure {
    /// It could not run (exit 2).
    Setup(String),
    /// It ran and something misbehaved (exit 1).
    Checks(Vec<String>),
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut verbose = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-v" | "--verbose" => verbose = true,
            "-h" | "--help" => {
                println!(
                    "usage: demo [--verbose]\n\nRuns rest-mcp over stdio against the example \
                     pet store and calls every tool.\n  --verbose  show rest-mcp's stderr \
                     logs as they happen\n\nREST_MCP_BIN=path overrides the rest-mcp binary."
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("demo: unexpected argument {other:?} (try --help)");
                return ExitCode::from(2);
            }
        }
    }
    let log = StderrLog::default();
    match run(verbose, &log).await {
        Ok(()) => {
            println!("\ndemo passed: every tool behaved as expected");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            let tail = log.tail(40);
            if !tail.is_empty() {
                eprintln!("\n--- rest-mcp stderr (last lines) ---\n{tail}\n---");
            }
            match failure {
                Failure::Setup(message) => {
                    eprintln!("\ndemo could not run: {message}");
                    ExitCode::from(2)
                }
                Failure::Checks(failures) => {
                    eprintln!("\ndemo FAILED: {} problem(s):", failures.len());
                    for failure in &failures {
                        eprintln!("  - {failure}");
                    }
                    ExitCode::FAILURE
                }
            }
        }
    }
}

async fn run(verbose: bool, log: &StderrLog) -> Result<(), Failure> {
    let spec = locate::spec_path().map_err(Failure::Setup)?;
    let binary = locate::rest_mcp_binary().map_err(Failure::Setup)?;
    let petstore = PetstoreServer::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .map_err(|e| Failure::Setup(format!("cannot start the pet store: {e}")))?;

    let header = format!("X-Api-Key: {API_KEY}");
    let args = [
        "--spec".to_owned(),
        spec.display().to_string(),
        "--base-url".to_owned(),
        petstore.url(),
        "--header".to_owned(),
        header,
    ];
    println!("pet store upstream: {}", petstore.url());
    println!("launching: {} {}", binary.display(), shell_words(&args));

    let mut command = tokio::process::Command::new(&binary);
    command
        .args(&args)
        .kill_on_drop(true)
        // Hermetic: rest-mcp reads settings from many environment variables (BASE_URL,
        // HEADERS, READ_ONLY, …) and from ./rest-mcp.toml; neither should leak in here.
        .env_clear()
        .envs(std::env::vars_os().filter(|(name, _)| {
            name.to_str()
                .is_some_and(|name| PASSED_ENV.contains(&name.to_ascii_uppercase().as_str()))
        }))
        .current_dir(spec.parent().unwrap_or(&spec));
    let stderr = if verbose {
        Stdio::inherit()
    } else {
        Stdio::piped()
    };
    let (transport, child_stderr) = TokioChildProcess::builder(command)
        .stderr(stderr)
        .spawn()
        .map_err(|e| Failure::Setup(format!("cannot start {}: {e}", binary.display())))?;
    if let Some(child_stderr) = child_stderr {
        log.collect(child_stderr);
    }

    let started = Instant::now();
    let client = match tokio::time::timeout(START_TIMEOUT, ().serve(transport)).await {
        Ok(Ok(client)) => client,
        Ok(Err(e)) => return Err(Failure::Setup(format!("MCP initialize failed: {e}"))),
        Err(_) => {
            return Err(Failure::Setup(format!(
                "rest-mcp did not answer initialize within {START_TIMEOUT:?}"
            )));
        }
    };
    if let Some(info) = client.peer_info() {
        let server = info
            .server_info
            .as_ref()
            .map(|s| format!("{} {}", s.name, s.version))
            .unwrap_or_else(|| "an unnamed server".to_owned());
        println!(
            "connected to {server} (protocol {}) in {} ms",
            info.protocol_version,
            started.elapsed().as_millis()
        );
    }

    let tools = match tokio::time::timeout(START_TIMEOUT, client.list_all_tools()).await {
        Ok(Ok(tools)) => tools,
        Ok(Err(e)) => return Err(Failure::Checks(vec![format!("tools/list failed: {e}")])),
        Err(_) => {
            return Err(Failure::Checks(vec![format!(
                "tools/list did not answer within {START_TIMEOUT:?}"
            )]));
        }
    };
    println!("\n{} tools:", tools.len());
    show::tools_table(&tools);

    let mut failures: Vec<String> = EXPECTED_TOOLS
        .iter()
        .filter(|name| !tools.iter().any(|tool| tool.name == **name))
        .map(|name| format!("tools/list: no tool named {name}"))
        .collect();
    failures.extend(script::run(&client, petstore.store()).await);

    let closing = Instant::now();
    if let Err(e) = client.cancel().await {
        println!("\nclosing the MCP session failed: {e}");
    }
    let waited = closing.elapsed();
    println!(
        "\nrest-mcp stopped {} ms after stdin closed",
        waited.as_millis()
    );
    if waited > Duration::from_secs(2) {
        failures.push(format!(
            "rest-mcp took {} ms to exit after its stdin closed (it should exit at EOF)",
            waited.as_millis()
        ));
    }
    petstore.shutdown(Duration::from_secs(2)).await;

    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure::Checks(failures))
    }
}

/// Quotes arguments for display.
fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|arg| {
            if arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:=".contains(c))
            {
                arg.clone()
            } else {
                format!("'{}'", arg.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last lines rest-mcp wrote to stderr, shown when the demo fails.
#[derive(Clone, Default)]
struct StderrLog {
    lines: Arc<Mutex<Vec<String>>>,
}

impl StderrLog {
    /// Lines kept (older ones are dropped).
    const KEEP: usize = 200;

    /// Reads `stderr` line by line in the background until it closes.
    fn collect(&self, stderr: ChildStderr) {
        let lines = self.lines.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                let mut lines = lines.lock().unwrap_or_else(PoisonError::into_inner);
                if lines.len() == Self::KEEP {
                    lines.remove(0);
                }
                lines.push(line);
            }
        });
    }

    /// The last `n` lines, joined.
    fn tail(&self, n: usize) -> String {
        let lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}
