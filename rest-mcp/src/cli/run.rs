//! The binary's life: configuration in, then list the tools or serve them (stdio or
//! Streamable HTTP), reloading on SIGHUP and stopping gracefully on SIGTERM.

use std::process::ExitCode;

use crate::RestMcpServer;
use crate::cli::config::{ApiConfig, Cli, Command, Config, ServeArgs, Transport};
use crate::cli::served::{Served, load_all};
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

/// `rest-mcp list`: the tools as a table (or JSON) on stdout; for several APIs, a table
/// per API (or one JSON array whose entries name their API).
async fn list(config: Config, json: bool) -> Result<(), Error> {
    let services = load_all(&config, Purpose::Show).await?;
    for service in &services {
        report(service);
    }
    let many = config.is_many();
    // As a client of no known provider would be served (`auto` dialects serve it `full`).
    let dialect = config.presentation.dialect.for_client(None).0;
    if json {
        let mut entries = Vec::new();
        for (api, service) in config.apis.iter().zip(&services) {
            let shown = service.tools.presented(&config.presentation, dialect);
            let serde_json::Value::Array(tools) = tool_json(service, &shown) else {
                continue;
            };
            for mut tool in tools {
                if let (true, Some(object)) = (many, tool.as_object_mut()) {
                    let name = api.name.clone().unwrap_or_default();
                    object.insert("api".to_owned(), serde_json::Value::String(name));
                }
                entries.push(tool);
            }
        }
        let payload = serde_json::Value::Array(entries);
        return print_out(&format!("{}\n", to_json(&payload)?));
    }
    let mut out = String::new();
    for (api, service) in config.apis.iter().zip(&services) {
        let budget = match api.tool_mode {
            crate::discovery::ToolMode::Auto { budget_tokens } => budget_tokens,
            _ => crate::discovery::DEFAULT_TOOL_BUDGET,
        };
        if let Some(name) = &api.name {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("== API `{name}`: {} ==\n", service.model.title));
        }
        let shown = service.tools.presented(&config.presentation, dialect);
        let costs = setting_costs(&service.tools);
        out.push_str(&tool_table(service, &shown, budget, &costs));
    }
    print_out(&out)
}

/// Pretty JSON for stdout.
fn to_json(value: &serde_json::Value) -> Result<String, Error> {
    serde_json::to_string_pretty(value).map_err(|source| Error::Serve {
        context: "cannot print the tools",
        source: Box::new(source),
    })
}

/// Whether an API's spec is `-` (standard input).
fn reads_spec_from_stdin(config: &Config) -> bool {
    config.apis.iter().any(|api| {
        matches!(&api.spec, crate::cli::config::SpecSource::File(path) if path.as_os_str() == "-")
    })
}

/// `rest-mcp serve` (or no subcommand): serve the tools, or print them with `--dry-run`.
async fn serve(args: &ServeArgs, config: Config, hangups: Hangups) -> Result<(), Error> {
    let purpose = match config.dry_run {
        true => Purpose::Show,
        false => Purpose::Serve,
    };
    if !config.dry_run && config.transport == Transport::Stdio && reads_spec_from_stdin(&config) {
        return Err(Error::from(crate::error::ConfigError::new(
            "`--spec -` reads the spec from stdin, which the stdio transport needs for MCP messages: give the spec as a file or URL, or serve with --transport http (`list` and --dry-run may read stdin)",
        )));
    }
    let services = load_all(&config, purpose).await?;
    for (api, service) in config.apis.iter().zip(&services) {
        report(service);
        if let Some(warning) = crate::cli::service::missing_credentials_warning(api, &service.model)
        {
            match &api.name {
                Some(name) => tracing::warn!(api = %name, "{warning}"),
                None => tracing::warn!("{warning}"),
            }
        }
    }
    if config.dry_run {
        let (tools, mode) = match (config.apis.as_slice(), services.as_slice()) {
            ([api], [service]) if api.name.is_none() => (service.tools.clone(), api.tool_mode),
            _ => {
                let parts = config.apis.iter().zip(&services).map(|(api, service)| {
                    (api.name.as_deref().unwrap_or_default(), &service.tools)
                });
                (
                    crate::ToolSet::join(parts)?,
                    crate::cli::served::joined_mode(&config),
                )
            }
        };
        // What a client would be served, in the chosen mode (auto decides without knowing
        // the client).
        let dialect = config.presentation.dialect.for_client(None).0;
        let presented = tools.presented(&config.presentation, dialect);
        let dynamic = mode.decide(&presented, None).0;
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
    let served = Served::new(&config, services, |api, service| {
        server_for(api, service, config.presentation)
    })?;
    let served = std::sync::Arc::new(served);
    reload_on_sighup(args, served.clone(), hangups);
    match config.transport {
        Transport::Stdio => crate::serve_stdio(served.all()).await,
        Transport::Http => {
            let shutdown = CancellationToken::new();
            stop_on_signal(shutdown.clone());
            crate::http::serve_http_apis(served.all(), served.mounts(), config.http, shutdown).await
        }
    }
}

/// One API's server: its tools, in its mode, with its instructions and cookie sessions.
fn server_for(
    api: &ApiConfig,
    service: Service,
    presentation: crate::presentation::Presentation,
) -> RestMcpServer {
    // Serving loaded with `Purpose::Serve`, so the base URL is known.
    let base_url = service
        .base_url
        .as_ref()
        .map(crate::cli::service::redacted_url);
    let name = api.name.as_deref();
    let span = tracing::info_span!("api", name = name.unwrap_or_default());
    let _entered = name.map(|_| span.enter());
    tracing::info!(
        tools = service.tools.len(),
        base_url = base_url.as_deref().unwrap_or_default(),
        api = %service.model.title,
        "tools ready"
    );
    let cookies = api
        .cookies
        .unwrap_or_else(|| crate::cli::service::declares_cookie_scheme(&service.model));
    tracing::debug!(cookies, "cookie sessions");
    let server = RestMcpServer::new(service.tools.clone())
        .with_tool_mode(api.tool_mode)
        .with_presentation(presentation)
        .with_cookie_sessions(cookies);
    // Before any client: what a client of no known provider is served.
    let (dynamic, why) = server.decide(None);
    tracing::info!("tool mode {why}");
    // The tools own everything calls need; the model (dropped with the service) would
    // only hold a second copy of every schema for as long as the server runs.
    server.with_instructions(instructions(&service.model, &service.tools, dynamic))
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
pub(super) fn report(service: &Service) {
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
/// Several APIs reload each on its own ([`Served::reload_each`]).
#[cfg(unix)]
fn reload_on_sighup(args: &ServeArgs, served: std::sync::Arc<Served>, hangups: Hangups) {
    let Some(mut hangups) = hangups.0 else {
        tracing::warn!("cannot listen for SIGHUP; reload is unavailable");
        return;
    };
    let args = args.clone();
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading the config and spec");
            if served.is_many() {
                match Config::resolve_each(&args.spec, &args.serve, &env) {
                    Ok((config, failed)) => served.reload_each(&config, &failed).await,
                    Err(error) => {
                        served.mark_all_failed();
                        tracing::error!(
                            "reload failed, every API still serves its previous tools: {}",
                            full(&error)
                        );
                    }
                }
                continue;
            }
            let config = Config::resolve(&args.spec, &args.serve, &env).map_err(Error::from);
            let reloaded = match config {
                Ok(config) => match config.apis.first() {
                    Some(api) if !served.is_many() => load_service(api, Purpose::Serve).await,
                    _ => Err(Error::from(crate::error::ConfigError::new(
                        "the config file changed between one API and several ([[apis]]); restart to serve it",
                    ))),
                },
                Err(error) => Err(error),
            };
            match reloaded {
                Ok(service) => {
                    report(&service);
                    let count = service.tools.len();
                    let server = served.all();
                    server.replace(service.tools);
                    server.notify_tools_changed().await;
                    tracing::info!(tools = count, "reloaded");
                }
                Err(error) => {
                    served.mark_all_failed();
                    let message = full(&error);
                    tracing::error!("reload failed, still serving the previous tools: {message}")
                }
            }
        }
    });
}

#[cfg(not(unix))]
fn reload_on_sighup(_args: &ServeArgs, _served: std::sync::Arc<Served>, _hangups: Hangups) {}
