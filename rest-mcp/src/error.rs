//! The runtime's typed errors: what can go wrong building tools, an executor or a server.
//! Errors of a single tool call are not here: they reach the model as tool results (see
//! [`CallError`](crate::CallError)).

use std::net::SocketAddr;

use crate::upstream_auth::AuthError;

/// Everything that can stop the runtime from setting up or serving.
///
/// ```
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let url = "https://api.example.com".parse()?;
/// let executor: Result<rest_mcp::Executor, rest_mcp::Error> =
///     rest_mcp::Executor::builder(url).build();
/// # let _ = executor?; Ok(())
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid; the message says which setting and how to fix it.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The spec could not be loaded.
    #[error(transparent)]
    Load(#[from] rest_mcp_openapi::LoadError),
    /// An operation could not be compiled into a callable endpoint.
    #[error(transparent)]
    Endpoint(#[from] crate::endpoint::EndpointError),
    /// Two tools of one set share a name.
    #[error("two tools are named `{name}`")]
    DuplicateTool {
        /// The name.
        name: String,
    },
    /// One API of several could not be set up; the source says why.
    #[error("API `{name}`")]
    Api {
        /// The API's `[[apis]]` name.
        name: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// Two APIs served together have a tool of the same name.
    #[error(
        "the APIs `{first}` and `{second}` both have a tool named `{name}`; give one of them another `prefix` in its [[apis]] entry"
    )]
    ToolNameClash {
        /// The name.
        name: String,
        /// The API that has it first.
        first: String,
        /// The API that has it too.
        second: String,
    },
    /// The spec file could not be read.
    #[error("cannot read the spec {}", path.display())]
    SpecFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The spec is not a regular file, is too large, or cannot be read.
    #[error("{}{}", .error.with_cause(), size_hint(.error))]
    SpecInput {
        /// What went wrong (its cause is part of the message).
        error: rest_mcp_openapi::ReadSpecError,
    },
    /// The spec could not be downloaded.
    #[error("cannot download {url}: {reason}")]
    SpecDownload {
        /// The URL.
        url: String,
        /// What went wrong (HTTP status, size, connection).
        reason: String,
    },
    /// The upstream credentials are misconfigured.
    #[error("[auth]: {0}")]
    UpstreamAuth(#[from] AuthError),
    /// The HTTP client could not be built (e.g. no TLS backend).
    #[error("cannot build the HTTP client")]
    HttpClient(#[source] reqwest::Error),
    /// A base URL is not usable.
    #[error("base URL `{url}`: {source}")]
    BaseUrl {
        /// The URL as given.
        url: String,
        /// Why it does not parse.
        #[source]
        source: url::ParseError,
    },
    /// The server could not listen on its address.
    #[error("cannot listen on {address}")]
    Listen {
        /// The address.
        address: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Serving failed after it started (the transport broke, the handshake failed).
    #[error("{context}")]
    Serve {
        /// What was being done.
        context: &'static str,
        /// Why it failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// A configuration problem, with the message a user needs to fix it (which file, key or
/// flag, and what would be accepted).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    /// A problem described by `message`.
    pub fn new(message: impl Into<String>) -> ConfigError {
        ConfigError {
            message: message.into(),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<String> for ConfigError {
    fn from(message: String) -> ConfigError {
        ConfigError::new(message)
    }
}

impl From<&str> for ConfigError {
    fn from(message: &str) -> ConfigError {
        ConfigError::new(message)
    }
}

/// How to raise the spec size limit, after a too-large error.
fn size_hint(error: &rest_mcp_openapi::ReadSpecError) -> &'static str {
    match error {
        rest_mcp_openapi::ReadSpecError::TooLarge { .. } => {
            "; raise it with --max-spec-size (MAX_SPEC_SIZE, max_spec_size)"
        }
        _ => "",
    }
}
