//! The binary's life: configuration in, then list the tools or serve them (stdio or
//! Streamable HTTP), reloading on SIGHUP and stopping gracefully on SIGTERM.

use std::process::ExitCode;

use crate::RestMcpServer;
use crate::cli::config::{Cli, Command, Config, ServeArgs, Transport};
use crate::cli::service::{Purpose, Service, load_service, setting_costs, tool_json, tool_table};
use crate::error::Error;
use crate::util::error_chain::full;
use rest_mcp_openapi::Severity;
use tokio_util::sync::CancellationToken;

/// Run the binary: resolve the configuration, set up logging, then serve or list.
pub async fn main(cli: Cli) -> ExitCode {
    // Claim SIGHUP before anything slow (loading a big spec): its default action would
    // end the process; a hangup that arrives early is handled as a reload once serving.
    let hangups = Hangups::listen();
    let command = cli.into_command();
    let config = match Config::of(&command, &env) {
        Ok(config) => config,
        Err(message) => {
            print_err(&message.to_string());
            return ExitCode::from(2);
        }
    };
    if let Err(message) = crate::cli::logging::init(&config.log_level, config.log_format) {
        print_err(&message.to_string());
        return ExitCode::from(2);
    }
    let ran = match &command {
        Command::List(args) => list(config, args.json).await,
        Command::Serve(args) => serve(args, config, hangups).await,
    };
    match ran {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            print_err(&full(&error));
            ExitCode::FAILURE
        }
    }
}

/// Write `text` to stdout. A reader that stopped reading (`rest-mcp list | head -1`) is not
/// an error: the output it wanted was written, so the command ends quietly, as Unix tools
/// do, instead of panicking on the broken pipe.
fn print_out(text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Serve {
            context: "cannot write to stdout",
            source: Box::new(error),
        }),
        _ => Ok(()),
    }
}

/// Write `rest-mcp: message` to stderr. Unlike `eprintln!`, a closed stderr
/// (`rest-mcp list 2>&1 | true`) does not panic: the exit status still tells the failure.
fn print_err(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "rest-mcp: {message}");
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `rest-mcp list`: the tools as a table (or JSON) on stdout.
async fn list(config: Config, json: bool) -> Result<(), Error> {
    let service = load_service(&config, Purpose::Show).await?;
    report(&service);
    // As a client of no known provider would be served (`auto` dialects serve it `full`).
    let dialect = config.presentation.dialect.for_client(None).0;
    let shown = service.tools.presented(&config.presentation, dialect);
    if json {
        return print_out(&format!("{}\n", to_json(&tool_json(&service, &shown))?));
    }
    let budget = match config.tool_mode {
        crate::discovery::ToolMode::Auto { budget_tokens } => budget_tokens,
        _ => crate::discovery::DEFAULT_TOOL_BUDGET,
    };
    let costs = setting_costs(&service.tools);
    print_out(&tool_table(&service, &shown, budget, &costs))
}

/// Pretty JSON for stdout.
fn to_json(value: &serde_json::Value) -> Result<String, Error> {
    serde_json::to_string_pretty(value).map_err(|source| Error::Serve {
        context: "cannot print the tools",
        source: Box::new(source),
    })
}

/// `rest-mcp serve` (or no subcommand): serve the tools, or print them with `--dry-run`.
async fn serve(args: &ServeArgs, config: Config, hangups: Hangups) -> Result<(), Error> {
    let purpose = match config.dry_run {
        true => Purpose::Show,
        false => Purpose::Serve,
    };
    let service = load_service(&config, purpose).await?;
    report(&service);
    if let Some(warning) = crate::cli::service::missing_credentials_warning(&config, &service.model)
    {
        tracing::warn!("{warning}");
    }
    if config.dry_run {
        // What a client would be served, in the chosen mode (auto decides without knowing
        // the client).
        let dialect = config.presentation.dialect.for_client(None).0;
        let presented = service.tools.presented(&config.presentation, dialect);
        let dynamic = config.tool_mode.decide(&presented, None).0;
        let served = if dynamic {
            presented
                .to_dynamic()
                .presented(&crate::presentation::Presentation::default(), dialect)
        } else {
            presented
        };
        let payload = serde_json::json!({ "tools": served.tools() });
        return print_out(&format!("{}\n", to_json(&payload)?));
    }
    // Serving loaded with `Purpose::Serve`, so the base URL is known.
    let base_url = service
        .base_url
        .as_ref()
        .map(crate::cli::service::redacted_url);
    tracing::info!(
        tools = service.tools.len(),
        base_url = base_url.as_deref().unwrap_or_default(),
        api = %service.model.title,
        "tools ready"
    );
    let cookies = config
        .cookies
        .unwrap_or_else(|| crate::cli::service::declares_cookie_scheme(&service.model));
    tracing::debug!(cookies, "cookie sessions");
    let server = RestMcpServer::new(service.tools.clone())
        .with_tool_mode(config.tool_mode)
        .with_presentation(config.presentation)
        .with_cookie_sessions(cookies);
    // Before any client: what a client of no known provider is served.
    let (dynamic, why) = server.decide(None);
    tracing::info!("tool mode {why}");
    let server = server.with_instructions(instructions(&service.model, &service.tools, dynamic));
    // The tools own everything calls need; the model would only hold a second copy of
    // every schema for as long as the server runs.
    drop(service.model);
    reload_on_sighup(args, server.clone(), hangups);
    match config.transport {
        Transport::Stdio => crate::serve_stdio(server).await,
        Transport::Http => {
            let shutdown = CancellationToken::new();
            stop_on_signal(shutdown.clone());
            crate::http::serve_http(server, config.http, shutdown).await
        }
    }
}

/// Cancel `shutdown` on Ctrl-C or SIGTERM.
fn stop_on_signal(shutdown: CancellationToken) {
    tokio::spawn(async move {
        #[cfg(unix)]
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate => {}
        }
        shutdown.cancel();
    });
}

/// Loader diagnostics as log lines (warnings show at the default level).
fn report(service: &Service) {
    for diagnostic in &service.diagnostics {
        match diagnostic.severity {
            Severity::Warning => {
                tracing::warn!(at = %diagnostic.location, "{}", diagnostic.message)
            }
            Severity::Info => tracing::info!(at = %diagnostic.location, "{}", diagnostic.message),
        }
    }
}

/// What the client may tell its model about this server: the API, what it covers, how
/// many tools, and how to reach them in the mode most clients will get.
fn instructions(
    model: &rest_mcp_openapi::ApiModel,
    tools: &crate::ToolSet,
    dynamic: bool,
) -> String {
    let mut tags: Vec<(&str, usize)> = Vec::new();
    for index in 0..tools.len() {
        for tag in tools
            .route(index)
            .map(|r| r.tags.as_slice())
            .unwrap_or_default()
        {
            match tags.iter_mut().find(|(name, _)| name == tag) {
                Some((_, count)) => *count += 1,
                None => tags.push((tag.as_str(), 1)),
            }
        }
    }
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let covers = if tags.is_empty() {
        String::new()
    } else {
        let main: Vec<&str> = tags.iter().take(12).map(|(name, _)| *name).collect();
        format!(" It covers {}.", main.join(", "))
    };
    let reach = if dynamic {
        format!(
            "Its {} operations are reached through three tools: search_tools (describe what you want in your own words), describe_tools (the input schema of the ones that fit), then call_tool.",
            tools.len()
        )
    } else {
        format!("Each of its {} tools calls one operation.", tools.len())
    };
    let mut text = format!(
        "The {} REST API (version {}).{covers} {reach} Tool results start with the HTTP status; errors from the API come back as error results with its message.",
        model.title, model.version
    );
    if let Some(description) = &model.description {
        let short: String = description.chars().take(600).collect();
        text.push_str("\n\n");
        text.push_str(short.trim());
    }
    text
}

/// SIGHUP, claimed at start-up.
#[cfg(unix)]
struct Hangups(Option<tokio::signal::unix::Signal>);

#[cfg(unix)]
impl Hangups {
    fn listen() -> Hangups {
        use tokio::signal::unix::{SignalKind, signal};
        Hangups(signal(SignalKind::hangup()).ok())
    }
}

#[cfg(not(unix))]
struct Hangups;

#[cfg(not(unix))]
impl Hangups {
    fn listen() -> Hangups {
        Hangups
    }
}

/// On SIGHUP, re-read the config file and spec, swap the tools, and tell the clients.
#[cfg(unix)]
fn reload_on_sighup(args: &ServeArgs, server: RestMcpServer, hangups: Hangups) {
    let Some(mut hangups) = hangups.0 else {
        tracing::warn!("cannot listen for SIGHUP; reload is unavailable");
        return;
    };
    let args = args.clone();
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading the config and spec");
            let reloaded = match Config::resolve(&args.spec, &args.serve, &env) {
                Ok(config) => load_service(&config, Purpose::Serve).await,
                Err(error) => Err(Error::from(error)),
            };
            match reloaded {
                Ok(service) => {
                    report(&service);
                    let count = service.tools.len();
                    server.replace(service.tools);
                    server.notify_tools_changed().await;
                    tracing::info!(tools = count, "reloaded");
                }
                Err(error) => {
                    let message = full(&error);
                    tracing::error!("reload failed, still serving the previous tools: {message}")
                }
            }
        }
    });
}

#[cfg(not(unix))]
fn reload_on_sighup(_args: &ServeArgs, _server: RestMcpServer, _hangups: Hangups) {}
