//! An MCP server whose tools come from `include_openapi!`: the pet store spec is read and
//! checked at compile time, so start-up does no spec parsing.
//!
//! ```sh
//! cargo run -p rest-mcp-examples --bin petstore-upstream &   # the API, on 127.0.0.1:8787
//! cargo run -p rest-mcp-examples --bin openapi-server        # MCP over stdio
//! ```
//!
//! `PETSTORE_URL` overrides the API's address (default: the spec's server).

use rest_mcp::client::Client;
use rest_mcp::reqwest_header::{HeaderName, HeaderValue};
use rest_mcp::{Executor, serve_stdio};

rest_mcp::include_openapi!(path = "petstore/openapi.yaml", name = "Petstore");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url = std::env::var("PETSTORE_URL")
        .ok()
        .or(Petstore::BASE_URL.map(str::to_owned))
        .ok_or("set PETSTORE_URL")?;
    let client = Client::from_executor(std::sync::Arc::new(
        Executor::builder(base_url.parse()?)
            .header(
                HeaderName::from_static("x-api-key"),
                HeaderValue::from_static("demo-key"),
            )
            .build()?,
    ));
    let api = Petstore::from_client(client)?;
    eprintln!(
        "serving {} tools for {base_url} over stdio",
        api.tool_set().len()
    );
    serve_stdio(api.server()).await?;
    Ok(())
}
