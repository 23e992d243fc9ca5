//! The APIs one process serves, built from a [`Config`]: each API's own server, and for
//! several APIs (`[[apis]]`) the server of all of them together, whose tools carry each
//! API's prefix. A reload (SIGHUP) reloads each API on its own: one that fails keeps
//! serving its previous tools and is reported unhealthy, and the others carry on.

use crate::RestMcpServer;
use crate::cli::config::{ApiConfig, Config};
use crate::cli::service::{Purpose, Service, load_service};
use crate::discovery::ToolMode;
use crate::error::{ConfigError, Error};
use crate::http::{ApiMount, ReloadStatus};
use crate::toolset::ToolSet;
use crate::util::error_chain::full;

/// One served API.
struct ServedApi {
    /// Its `[[apis]]` name; `None` for the one unnamed API.
    name: Option<String>,
    /// Its own server.
    server: RestMcpServer,
    /// Whether its last reload failed.
    status: ReloadStatus,
}

/// Every API of a config, served.
pub struct Served {
    apis: Vec<ServedApi>,
    /// The server of all the APIs (stdio, `/mcp`): for one API, its own server.
    all: RestMcpServer,
}

/// `error`, naming the API it is about when it is one of several.
fn in_api(api: &ApiConfig, error: Error) -> Error {
    match &api.name {
        Some(name) => Error::Api {
            name: name.clone(),
            source: Box::new(error),
        },
        None => error,
    }
}

/// Load every API of `config`, in order; the first that fails stops the load.
pub async fn load_all(config: &Config, purpose: Purpose) -> Result<Vec<Service>, Error> {
    let mut services = Vec::with_capacity(config.apis.len());
    for api in &config.apis {
        let service = load_service(api, purpose)
            .await
            .map_err(|error| in_api(api, error))?;
        services.push(service);
    }
    Ok(services)
}

/// The mode of all the APIs served together: `all` when every API says so, `dynamic`
/// when any does, else `auto` with the smallest budget among them.
pub fn joined_mode(config: &Config) -> ToolMode {
    let modes: Vec<ToolMode> = config.apis.iter().map(|api| api.tool_mode).collect();
    if modes.iter().all(|mode| *mode == ToolMode::All) {
        return ToolMode::All;
    }
    if modes.contains(&ToolMode::Dynamic) {
        return ToolMode::Dynamic;
    }
    let budget_tokens = modes
        .iter()
        .filter_map(|mode| match mode {
            ToolMode::Auto { budget_tokens } => Some(*budget_tokens),
            _ => None,
        })
        .min()
        .unwrap_or(crate::discovery::DEFAULT_TOOL_BUDGET);
    ToolMode::Auto { budget_tokens }
}

impl Served {
    /// Serve `services` (loaded from `config`, in its order). `server_for` builds one
    /// API's server from its settings and service.
    pub fn new(
        config: &Config,
        services: Vec<Service>,
        server_for: impl Fn(&ApiConfig, Service) -> RestMcpServer,
    ) -> Result<Served, Error> {
        let apis: Vec<ServedApi> = config
            .apis
            .iter()
            .zip(services)
            .map(|(api, service)| ServedApi {
                name: api.name.clone(),
                server: server_for(api, service),
                status: ReloadStatus::default(),
            })
            .collect();
        let all = match apis.as_slice() {
            [single] if single.name.is_none() => single.server.clone(),
            _ => {
                let tools = joined_current(&apis)?;
                // Each API keeps its own part of every jar (its executor's cookie scope).
                let cookies = apis.iter().any(|api| api.server.has_cookie_sessions());
                let mode = joined_mode(config);
                let (dynamic, why) = mode.decide(&tools, None);
                tracing::info!("all APIs together (stdio, /mcp): tool mode {why}");
                RestMcpServer::new(tools.clone())
                    .with_instructions(joined_instructions(&apis, &tools, dynamic))
                    .with_tool_mode(mode)
                    .with_presentation(config.presentation)
                    .with_cookie_sessions(cookies)
            }
        };
        Ok(Served { apis, all })
    }

    /// The server of all the APIs together.
    pub fn all(&self) -> RestMcpServer {
        self.all.clone()
    }

    /// Each API for `/mcp/{name}`; none for the one unnamed API (served at `/mcp`).
    pub fn mounts(&self) -> Vec<ApiMount> {
        self.apis
            .iter()
            .filter_map(|api| {
                Some(ApiMount {
                    name: api.name.clone()?,
                    server: api.server.clone(),
                    status: api.status.clone(),
                })
            })
            .collect()
    }

    /// Whether several APIs are served.
    pub fn is_many(&self) -> bool {
        self.apis.iter().any(|api| api.name.is_some())
    }

    /// Reload every API of several from a freshly read `config`, each on its own (one
    /// that fails keeps its tools and is marked failed), then the joined set. `failed`
    /// are the APIs whose settings in the file no longer resolve, with why.
    pub async fn reload_each(&self, config: &Config, failed: &[(String, ConfigError)]) {
        for api in &self.apis {
            if let Some((_, error)) = failed
                .iter()
                .find(|(name, _)| Some(name) == api.name.as_ref())
            {
                api.status.set_failed(true);
                tracing::error!(
                    api = api.label(),
                    "reload failed, still serving the previous tools: {error}"
                );
                continue;
            }
            let Some(settings) = config.apis.iter().find(|a| a.name == api.name) else {
                tracing::warn!(
                    api = api.label(),
                    "the API is no longer in the config file; it keeps serving until a restart"
                );
                continue;
            };
            match load_service(settings, Purpose::Serve).await {
                Ok(service) => {
                    super::run::report(&service);
                    let count = service.tools.len();
                    api.server.replace(service.tools);
                    api.server.notify_tools_changed().await;
                    api.status.set_failed(false);
                    tracing::info!(api = api.label(), tools = count, "reloaded");
                }
                Err(error) => {
                    api.status.set_failed(true);
                    tracing::error!(
                        api = api.label(),
                        "reload failed, still serving the previous tools: {}",
                        full(&error)
                    );
                }
            }
        }
        for added in config
            .apis
            .iter()
            .filter(|a| a.name.is_some() && !self.apis.iter().any(|api| api.name == a.name))
        {
            tracing::warn!(
                api = added.name.as_deref().unwrap_or_default(),
                "a new API in the config file is served after a restart"
            );
        }
        self.rejoin().await;
    }

    /// Mark every API failed: the config file itself could not be read again.
    pub fn mark_all_failed(&self) {
        for api in &self.apis {
            api.status.set_failed(true);
        }
    }

    /// Rebuild the set of all the APIs from each one's current tools.
    async fn rejoin(&self) {
        if !self.is_many() {
            return;
        }
        match joined_current(&self.apis) {
            Ok(tools) => {
                self.all.replace(tools);
                self.all.notify_tools_changed().await;
            }
            Err(error) => tracing::error!(
                "the APIs' reloaded tools cannot be served together, so /mcp and stdio keep the previous ones: {}",
                full(&error)
            ),
        }
    }
}

/// The tools each API serves now, in one set.
fn joined_current(apis: &[ServedApi]) -> Result<ToolSet, Error> {
    let current: Vec<std::sync::Arc<ToolSet>> =
        apis.iter().map(|api| api.server.current()).collect();
    ToolSet::join(
        apis.iter()
            .zip(&current)
            .map(|(api, set)| (api.label(), &**set)),
    )
}

impl ServedApi {
    /// Its name, or the empty name for the one unnamed API.
    fn label(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }
}

/// What the client of all the APIs together may tell its model: which APIs, how many
/// tools each, and how to reach them.
fn joined_instructions(apis: &[ServedApi], tools: &ToolSet, dynamic: bool) -> String {
    let listed: Vec<String> = apis
        .iter()
        .map(|api| format!("{} ({} tools)", api.label(), api.server.current().len()))
        .collect();
    let reach = if dynamic {
        "They are reached through three tools: search_tools (describe what you want in your own words; each result names its API), describe_tools (the input schema of the ones that fit), then call_tool."
            .to_owned()
    } else {
        "Each tool calls one operation; its name starts with its API's prefix.".to_owned()
    };
    format!(
        "This server serves {} REST APIs, {} operations in all: {}. {reach} Tool results start with the HTTP status; errors from an API come back as error results with its message.",
        apis.len(),
        tools.len(),
        listed.join(", ")
    )
}
