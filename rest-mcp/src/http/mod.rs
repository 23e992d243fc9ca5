//! Streamable HTTP serving for teams: `/mcp` (stateful or stateless), `/healthz`,
//! RFC 9728 protected-resource metadata, API keys with roles, OAuth 2.1 bearer tokens,
//! per-principal rate limits, Host/Origin checks, a body size limit, and a graceful
//! shutdown that lets calls in flight finish.

pub mod api_keys;
mod auth_throttle;
pub mod connections;
mod cors;
mod gate;
pub mod inbound_oauth;
mod jsonrpc_body;
pub mod mounts;
mod rate_limit;
pub mod sessions;

use crate::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderName, StatusCode};
use axum::middleware;
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::server::RestMcpServer;
use api_keys::ApiKeys;
use connections::ConnectionLimits;
use gate::{Gate, authorize};
use inbound_oauth::{JwtValidator, OAuthConfig};
pub use mounts::{ApiMount, ReloadStatus};
pub use rate_limit::RateLimitedMethod;
use rate_limit::RateLimiter;
use sessions::{SessionLimits, SessionTable};

/// Where the metadata document lives (RFC 9728).
const METADATA_PATH: &str = "/.well-known/oauth-protected-resource";

/// Resolved settings for HTTP serving.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Serve without sessions (every request stands alone; no server-initiated messages).
    pub stateless: bool,
    /// Accepted `Host` values (empty: loopback names only).
    pub allowed_hosts: Vec<String>,
    /// Accepted browser `Origin`s (empty: no Origin check).
    pub allowed_origins: Vec<String>,
    /// Largest request body, in bytes.
    pub max_request_body: usize,
    /// The JSON-RPC methods that count against `requests_per_minute`.
    pub rate_limited_methods: Vec<RateLimitedMethod>,
    /// The URL clients use to reach this server, for metadata and `WWW-Authenticate`.
    pub public_url: Option<String>,
    /// API keys.
    pub keys: ApiKeys,
    /// OAuth 2.1 bearer tokens.
    pub oauth: Option<OAuthConfig>,
    /// Inbound header → upstream header, forwarded per call.
    pub forward_headers: Vec<(HeaderName, HeaderName)>,
    /// How long shutdown waits for calls in flight.
    pub shutdown_grace: Duration,
    /// Session caps and idle expiry (stateful mode).
    pub sessions: SessionLimits,
    /// Connection caps, header-read and idle timeouts.
    pub connections: ConnectionLimits,
}

/// Serve `server` until `shutdown` is cancelled; then stop accepting work, wait for calls
/// in flight (up to the grace period) and close every session.
pub async fn serve_http(
    server: RestMcpServer,
    settings: HttpSettings,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    serve_http_apis(server, Vec::new(), settings, shutdown).await
}

/// [`serve_http`] for several APIs: `server` (all of them) at `/mcp`, and each of
/// `mounts` alone at `/mcp/{name}`, behind the same gate; `/healthz` reports each.
pub async fn serve_http_apis(
    server: RestMcpServer,
    mounts: Vec<ApiMount>,
    settings: HttpSettings,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|source| Error::Listen {
            address: settings.listen,
            source,
        })?;
    let local = listener.local_addr().map_err(|source| Error::Listen {
        address: settings.listen,
        source,
    })?;
    let base = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"))
        .trim_end_matches('/')
        .to_owned();
    let resource = format!("{base}/mcp");
    let tokens = match &settings.oauth {
        Some(config) => {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(Error::HttpClient)?;
            Some(JwtValidator::new(config.clone(), resource.clone(), client)?)
        }
        None => None,
    };
    let transport_sessions = (!settings.stateless).then(|| {
        let mut manager = LocalSessionManager::default();
        // The transport forgets an idle session when the gate does.
        manager.session_config.keep_alive = Some(settings.sessions.idle_timeout);
        Arc::new(manager)
    });
    let gate = Arc::new(Gate {
        sessions: SessionTable::new(settings.sessions),
        transport_sessions: transport_sessions.clone(),
        keys: settings.keys.clone(),
        token_rate: settings.oauth.as_ref().and_then(|o| o.requests_per_minute),
        tokens,
        limiter: RateLimiter::default(),
        rate_limited: settings.rate_limited_methods.clone(),
        max_request_body: settings.max_request_body,
        auth_failures: auth_throttle::AuthThrottle::default(),
        metadata_url: format!("{base}{METADATA_PATH}"),
        draining: AtomicBool::new(false),
        forward: settings.forward_headers.clone(),
    });
    if settings.oauth.is_some() && settings.public_url.is_none() && !local.ip().is_loopback() {
        tracing::warn!(
            "OAuth is on but public_url is not set: tokens must name {resource} as their audience; set public_url (or [http.oauth] audience) to the URL clients use"
        );
    }
    if gate.open() && !local.ip().is_loopback() {
        tracing::warn!(
            "listening on {local} without API keys or OAuth: anyone who can reach it can call every tool"
        );
    }
    let sessions = CancellationToken::new();
    let mut config = StreamableHttpServerConfig::default()
        .with_cancellation_token(sessions.child_token())
        .with_max_request_body_bytes(settings.max_request_body)
        .with_legacy_session_mode(!settings.stateless)
        .with_json_response(settings.stateless);
    if !settings.allowed_hosts.is_empty() {
        config = config.with_allowed_hosts(settings.allowed_hosts.clone());
    }
    if !settings.allowed_origins.is_empty() {
        config = config.with_allowed_origins(settings.allowed_origins.clone());
    }
    // Stateless: no session to send `notifications/tools/list_changed` on.
    let factory_server = server
        .clone()
        .with_list_change_notifications(!settings.stateless);
    let factory = move || Ok(factory_server.for_new_session());
    // With several APIs, `/mcp` is served exactly, so `/mcp/{unknown}` is a 404; one API is
    // served below `/mcp` too, as it always was.
    let exact = !mounts.is_empty();
    let mut mcp: Router = match &transport_sessions {
        None => mount_at(
            Router::new(),
            "/mcp",
            exact,
            StreamableHttpService::new(
                factory,
                Arc::new(NeverSessionManager::default()),
                config.clone(),
            ),
        ),
        Some(manager) => {
            tokio::spawn(sweep_sessions(
                gate.clone(),
                manager.clone(),
                sessions.child_token(),
            ));
            mount_at(
                Router::new(),
                "/mcp",
                exact,
                StreamableHttpService::new(factory, manager.clone(), config.clone()),
            )
        }
    };
    for mount in &mounts {
        let path = format!("/mcp/{}", mount.name);
        let api_server = mount
            .server
            .clone()
            .with_list_change_notifications(!settings.stateless);
        let factory = move || Ok(api_server.for_new_session());
        mcp = match &transport_sessions {
            None => mcp.route_service(
                &path,
                StreamableHttpService::new(
                    factory,
                    Arc::new(NeverSessionManager::default()),
                    config.clone(),
                ),
            ),
            Some(manager) => mcp.route_service(
                &path,
                StreamableHttpService::new(factory, manager.clone(), config.clone()),
            ),
        };
    }
    let metadata = gate
        .tokens
        .as_ref()
        .map(JwtValidator::resource_metadata)
        .unwrap_or_else(|| json!({"resource": resource, "bearer_methods_supported": ["header"]}));
    let health_server = server.clone();
    let health_gate = gate.clone();
    let health_mounts = Arc::new(mounts);
    let mut app = mcp
        .layer(middleware::from_fn_with_state(gate.clone(), authorize))
        .route(
            "/healthz",
            get(move || {
                let tools = health_server.current().len();
                let draining = health_gate.draining.load(Ordering::SeqCst);
                let many = (!health_mounts.is_empty())
                    .then(|| mounts::health_of(&health_mounts, draining));
                async move {
                    if let Some(report) = many {
                        let status = match draining {
                            true => StatusCode::SERVICE_UNAVAILABLE,
                            false => StatusCode::OK,
                        };
                        (status, axum::Json(report))
                    } else if draining {
                        (
                            StatusCode::SERVICE_UNAVAILABLE,
                            axum::Json(json!({"status": "draining", "tools": tools})),
                        )
                    } else {
                        (
                            StatusCode::OK,
                            axum::Json(json!({"status": "ok", "tools": tools})),
                        )
                    }
                }
            }),
        )
        .route(METADATA_PATH, get(metadata_document(metadata.clone())))
        .route(
            &format!("{METADATA_PATH}/mcp"),
            get(metadata_document(metadata)),
        );
    if !settings.allowed_origins.is_empty() {
        app = app.layer(cors::cors(&settings.allowed_origins));
    }
    tracing::info!(
        address = %local,
        mode = if settings.stateless { "stateless" } else { "stateful" },
        auth = if gate.open() { "none" } else { "required" },
        "serving MCP over Streamable HTTP at /mcp"
    );
    let drain_gate = gate.clone();
    let drain_server = server.clone();
    let grace = settings.shutdown_grace;
    connections::serve(listener, app, settings.connections, async move {
        shutdown.cancelled().await;
        drain_gate.draining.store(true, Ordering::SeqCst);
        tracing::info!("shutting down: waiting for calls in flight");
        let deadline = Instant::now() + grace;
        while drain_server.in_flight() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        sessions.cancel();
    })
    .await;
    Ok(())
}

/// Now and then, forget expired sessions (closing them in the transport) and sessions the
/// transport has already closed, so they stop counting against the caps.
async fn sweep_sessions(
    gate: Arc<Gate>,
    manager: Arc<LocalSessionManager>,
    stop: CancellationToken,
) {
    use rmcp::transport::streamable_http_server::session::SessionManager;
    let every = (gate.sessions.limits().idle_timeout / 4)
        .clamp(Duration::from_millis(100), Duration::from_secs(60));
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        let expired = gate.sessions.sweep(Instant::now());
        gate.close_transport_sessions(expired);
        for id in gate.sessions.ids() {
            let key: rmcp::transport::common::server_side_http::SessionId = id.as_str().into();
            if let Ok(false) = manager.has_session(&key).await {
                gate.sessions.remove(&id);
            }
        }
    }
}

/// `service` at `path`: exactly there, or (not `exact`) also at every path below it.
fn mount_at<S>(router: Router, path: &str, exact: bool, service: S) -> Router
where
    S: tower_service::Service<
            axum::extract::Request,
            Response: axum::response::IntoResponse,
            Error = std::convert::Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static,
{
    match exact {
        true => router.route_service(path, service),
        false => router.nest_service(path, service),
    }
}

fn metadata_document(
    metadata: serde_json::Value,
) -> impl Fn() -> std::future::Ready<axum::Json<serde_json::Value>> + Clone {
    move || std::future::ready(axum::Json(metadata.clone()))
}
