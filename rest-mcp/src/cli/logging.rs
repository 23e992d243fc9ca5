//! Logs go to stderr only (stdout is the MCP channel), as readable text or JSON lines.
//! Nothing here ever sees a credential: the executor logs method, path (without the
//! query, which may carry an API key), status and latency.

use crate::error::ConfigError;
use tracing_subscriber::EnvFilter;

use crate::cli::config::LogFormat;

/// Install the global subscriber. `level` is a level (`debug`) or a filter directive.
pub fn init(level: &str, format: LogFormat) -> Result<(), ConfigError> {
    let directive = if level.contains('=') || level.contains(',') {
        level.to_owned()
    } else {
        let level = level.trim().to_ascii_lowercase();
        if !matches!(
            level.as_str(),
            "error" | "warn" | "info" | "debug" | "trace" | "off"
        ) {
            return Err(ConfigError::from(format!(
                "log level `{level}` is not one of error, warn, info, debug, trace, off"
            )));
        }
        // Our crates at the chosen level; dependencies stay quiet unless asked for.
        format!("warn,rest_mcp={level},rest_mcp_openapi={level}")
    };
    let filter = EnvFilter::try_new(&directive).map_err(|e| format!("log level `{level}`: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let result = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    result.map_err(|e| ConfigError::new(format!("cannot start logging: {e}")))
}
