//! Streamable HTTP serving for teams: `/mcp` (stateful or stateless), `/healthz`,
//! RFC 9728 protected-resource metadata, API keys with roles, OAuth 2.1 bearer tokens,
//! per-principal rate limits, Host/Origin checks, a body size limit, and a graceful
//! shutdown that lets calls in flight finish.

pub mod api_keys;
pub mod inbound_oauth;
mod rate_limit;

use crate::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::caller::ForwardedHeaders;
use crate::server::RestMcpServer;
use api_keys::{ApiKeys, Principal, grant_for_roles};
use inbound_oauth::{JwtValidator, OAuthConfig};
use rate_limit::RateLimiter;

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
}

/// Checks every `/mcp` request.
struct Gate {
    /// Which principal opened each session (`Mcp-Session-Id`): a session answers only to
    /// the credential that created it.
    sessions: std::sync::Mutex<std::collections::HashMap<String, (String, Instant)>>,
    keys: ApiKeys,
    tokens: Option<JwtValidator>,
    token_rate: Option<u32>,
    limiter: RateLimiter,
    metadata_url: String,
    draining: AtomicBool,
    /// Inbound header → upstream header, attached to each request for its tool calls.
    forward: Vec<(HeaderName, HeaderName)>,
}

/// Sessions remembered at most; the oldest are forgotten beyond it.
const MAX_SESSIONS: usize = 10_000;

impl Gate {
    /// The configured inbound headers present on a request, renamed for the upstream.
    /// Only headers named in the rules are ever forwarded; `Authorization` only if listed.
    fn forwarded(&self, headers: &HeaderMap) -> ForwardedHeaders {
        ForwardedHeaders(
            self.forward
                .iter()
                .filter_map(|(inbound, upstream)| {
                    let mut value = headers.get(inbound)?.clone();
                    value.set_sensitive(true);
                    Some((upstream.clone(), value))
                })
                .collect(),
        )
    }

    fn open(&self) -> bool {
        self.keys.is_empty() && self.tokens.is_none()
    }

    fn sessions(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, (String, Instant)>> {
        match self.sessions.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Whether `principal` may use session `id` (unknown sessions are rmcp's to refuse).
    fn may_use_session(&self, id: &str, principal: &str) -> bool {
        self.sessions()
            .get(id)
            .is_none_or(|(owner, _)| owner == principal)
    }

    fn bind_session(&self, id: &str, principal: &str) {
        let mut sessions = self.sessions();
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(id, _)| id.clone())
        {
            sessions.remove(&oldest);
        }
        sessions
            .entry(id.to_owned())
            .or_insert_with(|| (principal.to_owned(), Instant::now()));
    }

    fn forget_session(&self, id: &str) {
        self.sessions().remove(id);
    }
}

/// Browser access for the configured origins: answers CORS preflights (before any
/// credential is asked for) and exposes the session header to scripts.
fn cors(origins: &[String]) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let patterns: Vec<String> = origins
        .iter()
        .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            let origin = origin.to_str().unwrap_or("").to_ascii_lowercase();
            patterns
                .iter()
                .any(|pattern| origin_matches(pattern, &origin))
        }))
        .allow_methods([
            axum::http::Method::GET,
            axum::http::Method::POST,
            axum::http::Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static("mcp-session-id"),
            HeaderName::from_static("mcp-protocol-version"),
            HeaderName::from_static("last-event-id"),
            HeaderName::from_static("x-api-key"),
        ])
        .expose_headers([
            HeaderName::from_static("mcp-session-id"),
            header::WWW_AUTHENTICATE,
        ])
}

/// `https://app.example.com` matches itself; `http://localhost:*` any port of it; an entry
/// without a port matches any port (as rmcp's Origin check does).
fn origin_matches(pattern: &str, origin: &str) -> bool {
    if pattern == origin || pattern == "*" {
        return true;
    }
    let stem = pattern.strip_suffix(":*").unwrap_or(pattern);
    let has_port = stem
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.chars().all(|c| c.is_ascii_digit()));
    (pattern.ends_with(":*") || !has_port)
        && origin.strip_prefix(stem).is_some_and(|rest| {
            rest.strip_prefix(':')
                .is_some_and(|port| !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()))
        })
}

/// Serve `server` until `shutdown` is cancelled; then stop accepting work, wait for calls
/// in flight (up to the grace period) and close every session.
pub async fn serve_http(
    server: RestMcpServer,
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
    let gate = Arc::new(Gate {
        sessions: std::sync::Mutex::default(),
        keys: settings.keys.clone(),
        token_rate: settings.oauth.as_ref().and_then(|o| o.requests_per_minute),
        tokens,
        limiter: RateLimiter::default(),
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
    let factory_server = server.clone();
    let factory = move || Ok(factory_server.clone());
    let mcp: Router = if settings.stateless {
        Router::new().nest_service(
            "/mcp",
            StreamableHttpService::new(factory, Arc::new(NeverSessionManager::default()), config),
        )
    } else {
        Router::new().nest_service(
            "/mcp",
            StreamableHttpService::new(factory, Arc::new(LocalSessionManager::default()), config),
        )
    };
    let metadata = gate
        .tokens
        .as_ref()
        .map(JwtValidator::resource_metadata)
        .unwrap_or_else(|| json!({"resource": resource, "bearer_methods_supported": ["header"]}));
    let health_server = server.clone();
    let health_gate = gate.clone();
    let mut app = mcp
        .layer(middleware::from_fn_with_state(gate.clone(), authorize))
        .route(
            "/healthz",
            get(move || {
                let tools = health_server.current().len();
                let draining = health_gate.draining.load(Ordering::SeqCst);
                async move {
                    if draining {
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
        app = app.layer(cors(&settings.allowed_origins));
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
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.cancelled().await;
            drain_gate.draining.store(true, Ordering::SeqCst);
            tracing::info!("shutting down: waiting for calls in flight");
            let deadline = Instant::now() + grace;
            while drain_server.in_flight() > 0 && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            sessions.cancel();
        })
        .await
        .map_err(|source| Error::Serve {
            context: "the HTTP server failed",
            source: Box::new(source),
        })
}

fn metadata_document(
    metadata: serde_json::Value,
) -> impl Fn() -> std::future::Ready<axum::Json<serde_json::Value>> + Clone {
    move || std::future::ready(axum::Json(metadata.clone()))
}

/// Authenticate, rate-limit and attach the [`Principal`] to the request.
async fn authorize(State(gate): State<Arc<Gate>>, mut request: Request, next: Next) -> Response {
    if gate.draining.load(Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
            axum::Json(json!({"error": "shutting_down"})),
        )
            .into_response();
    }
    let forwarded = gate.forwarded(request.headers());
    request.extensions_mut().insert(forwarded);
    if gate.open() {
        return next.run(request).await;
    }
    let Some(credential) = presented_credential(request.headers()) else {
        return unauthorized(&gate, None);
    };
    let principal = if let Some(principal) = gate.keys.find(&credential) {
        principal.clone()
    } else if let Some(tokens) = &gate.tokens {
        match tokens.validate(&credential).await {
            Ok(token) => {
                // Namespaced so a token subject never shares a rate-limit bucket with a key.
                let name = format!(
                    "oauth:{}",
                    token
                        .subject
                        .as_deref()
                        .or(token.client_id.as_deref())
                        .unwrap_or("client")
                );
                let Some(grant) = grant_for_roles(&token.roles) else {
                    return insufficient_scope(&gate);
                };
                Principal {
                    name,
                    grant,
                    requests_per_minute: gate.token_rate,
                }
            }
            Err(error) if error.kind == inbound_oauth::TokenErrorKind::JwksUnavailable => {
                // Our problem, not the token's: do not make the client discard it.
                tracing::warn!(%error, "cannot check bearer tokens: the JWKS is unavailable");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "5")],
                    axum::Json(json!({"error": "temporarily_unavailable", "message": "token keys are unavailable; retry shortly"})),
                )
                    .into_response();
            }
            Err(error) => {
                tracing::debug!(%error, "bearer token rejected");
                return unauthorized(&gate, Some(&error.to_string()));
            }
        }
    } else {
        return unauthorized(&gate, Some("unknown API key"));
    };
    if let Some(limit) = principal.requests_per_minute
        && let Err(wait) = gate.limiter.check(&principal.name, limit, Instant::now())
    {
        // Rounded up: waiting as long as Retry-After says must be enough.
        let seconds = (wait.as_secs_f64().ceil() as u64).max(1);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, seconds.to_string())],
            axum::Json(json!({"error": "rate_limited", "retry_after_seconds": seconds})),
        )
            .into_response();
    }
    let session = request
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(id) = &session
        && !gate.may_use_session(id, &principal.name)
    {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "session_not_found", "message": "no such session for this credential"})),
        )
            .into_response();
    }
    let ends_session = request.method() == axum::http::Method::DELETE;
    let name = principal.name.clone();
    request.extensions_mut().insert(principal);
    let response = next.run(request).await;
    if let Some(id) = response
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
    {
        gate.bind_session(id, &name);
    }
    if ends_session
        && response.status().is_success()
        && let Some(id) = &session
    {
        gate.forget_session(id);
    }
    response
}

/// `Authorization: Bearer <credential>`, or `X-API-Key: <credential>`.
fn presented_credential(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_owned())
        });
    bearer
        .or_else(|| {
            headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_owned())
        })
        .filter(|c| !c.is_empty())
}

/// 401 with the RFC 9728 pointer to the resource metadata.
fn unauthorized(gate: &Gate, problem: Option<&str>) -> Response {
    let mut challenge = format!("Bearer resource_metadata=\"{}\"", gate.metadata_url);
    if problem.is_some() {
        challenge.push_str(", error=\"invalid_token\"");
    }
    let message = problem
        .unwrap_or("this server requires a bearer token (an API key or an OAuth access token)");
    challenge_response(
        StatusCode::UNAUTHORIZED,
        &challenge,
        json!({"error": "unauthorized", "message": message}),
    )
}

/// 403: a valid token whose scopes map to no role.
fn insufficient_scope(gate: &Gate) -> Response {
    let challenge = format!(
        "Bearer error=\"insufficient_scope\", resource_metadata=\"{}\"",
        gate.metadata_url
    );
    let body = json!({"error": "insufficient_scope", "message": "the token's scopes grant no role on this server"});
    challenge_response(StatusCode::FORBIDDEN, &challenge, body)
}

/// A JSON error answer carrying a `WWW-Authenticate` challenge.
fn challenge_response(status: StatusCode, challenge: &str, body: serde_json::Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::origin_matches;

    #[test]
    fn origin_patterns() {
        assert!(origin_matches(
            "https://app.example.com",
            "https://app.example.com"
        ));
        assert!(origin_matches(
            "http://localhost:*",
            "http://localhost:5173"
        ));
        assert!(!origin_matches(
            "http://localhost:*",
            "http://localhost.evil.example:80"
        ));
        assert!(origin_matches(
            "http://localhost:3000",
            "http://localhost:3000"
        ));
        assert!(!origin_matches(
            "http://localhost:3000",
            "http://localhost:3001"
        ));
        assert!(!origin_matches(
            "https://app.example.com",
            "https://evil.example"
        ));
        assert!(!origin_matches(
            "https://app.example.com",
            "https://app.example.com.evil.example"
        ));
    }
}
