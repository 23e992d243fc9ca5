//! `petstore-upstream [--port N]`: serves the example pet store on `127.0.0.1:N`
//! (default 8787) until Ctrl-C, logging each request to stderr.
//!
//! ```sh
//! cargo run -p rest-mcp-examples --bin petstore-upstream -- --port 8787
//! curl -H 'X-Api-Key: demo-key' http://127.0.0.1:8787/api/pets
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use rest_mcp_examples::petstore::{API_KEY, DEFAULT_PORT, Store, router, with_access_log};

const USAGE: &str = "usage: petstore-upstream [--port N]\n\n\
Serves the rest-mcp example pet store (examples/petstore/openapi.yaml) on 127.0.0.1.\n\
  --port N   port to listen on (default 8787; 0 picks a free one)";

#[tokio::main]
async fn main() -> ExitCode {
    let port = match parse_port(std::env::args().skip(1)) {
        Ok(Some(port)) => port,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("petstore-upstream: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("petstore-upstream: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(addr);
    println!("petstore upstream listening on http://{addr}/api");
    println!("every request needs the header  X-Api-Key: {API_KEY}");
    println!("press Ctrl-C to stop");
    let app = with_access_log(router(Store::seeded()));
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            if tokio::signal::ctrl_c().await.is_err() {
                // No signal handler: serve until killed.
                std::future::pending::<()>().await;
            }
            eprintln!("shutting down");
        })
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("petstore-upstream: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `Ok(None)` means `--help`.
fn parse_port(mut args: impl Iterator<Item = String>) -> Result<Option<u16>, String> {
    let mut port = DEFAULT_PORT;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" | "-p" => args.next().ok_or("--port needs a value")?,
            other => match other.strip_prefix("--port=") {
                Some(value) => value.to_owned(),
                None => return Err(format!("unexpected argument {other:?}")),
            },
        };
        port = value
            .parse()
            .map_err(|_| format!("--port must be a number from 0 to 65535, got {value:?}"))?;
    }
    Ok(Some(port))
}
