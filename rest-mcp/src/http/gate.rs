//! The gate in front of `/mcp`: who is calling (API key or OAuth bearer token), whether
//! they are within their rate limit, whether the session they name is theirs, and the
//! headers to forward upstream for their calls.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use rmcp::transport::streamable_http_server::session::SessionManager;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;

use super::api_keys::{ApiKeys, Principal, grant_for_roles};
use super::auth_throttle::AuthThrottle;
use super::inbound_oauth::{self, JwtValidator};
use super::jsonrpc_body;
use super::rate_limit::{RateLimitedMethod, RateLimiter};
use super::sessions::{OverCap, Refused, SessionTable};
use crate::caller::ForwardedHeaders;

/// Checks every `/mcp` request.
pub(super) struct Gate {
    /// Which caller opened each session (`Mcp-Session-Id`): a session answers only to
    /// the credential (or, without credentials, the peer address) that created it.
    pub(super) sessions: SessionTable,
    /// The transport's own sessions (stateful mode), closed when the gate drops one.
    pub(super) transport_sessions: Option<Arc<LocalSessionManager>>,
    pub(super) keys: ApiKeys,
    pub(super) tokens: Option<JwtValidator>,
    pub(super) token_rate: Option<u32>,
    pub(super) limiter: RateLimiter,
    /// The methods that count against a principal's limit.
    pub(super) rate_limited: Vec<RateLimitedMethod>,
    /// The largest request body read.
    pub(super) max_request_body: usize,
    /// Failed authentication per peer address.
    pub(super) auth_failures: AuthThrottle,
    pub(super) metadata_url: String,
    pub(super) draining: AtomicBool,
    /// Inbound header → upstream header, attached to each request for its tool calls.
    pub(super) forward: Vec<(HeaderName, HeaderName)>,
}

impl Gate {
    /// The configured inbound headers present on a request, renamed for the upstream.
    /// Only headers named in the rules are ever forwarded; `Authorization` only if listed.
    pub(super) fn forwarded(&self, headers: &HeaderMap) -> ForwardedHeaders {
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

    pub(super) fn open(&self) -> bool {
        self.keys.is_empty() && self.tokens.is_none()
    }

    /// Close sessions the gate has dropped in the transport too, so no request can
    /// reach them there either.
    pub(super) fn close_transport_sessions(&self, ids: Vec<String>) {
        let Some(manager) = &self.transport_sessions else {
            return;
        };
        for id in ids {
            let manager = manager.clone();
            tokio::spawn(async move {
                let id: rmcp::transport::common::server_side_http::SessionId = id.into();
                if let Err(error) = manager.close_session(&id).await {
                    tracing::debug!(%error, "closing an expired session");
                }
            });
        }
    }
}

/// Authenticate, rate-limit and attach the [`Principal`] to the request.
pub(super) async fn authorize(
    State(gate): State<Arc<Gate>>,
    request: Request,
    next: Next,
) -> Response {
    if gate.draining.load(Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
            axum::Json(json!({"error": "shutting_down"})),
        )
            .into_response();
    }
    let forwarded = gate.forwarded(request.headers());
    let mut request = request;
    request.extensions_mut().insert(forwarded);
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let (owner, principal) = if gate.open() {
        // No credentials: callers are told apart by address, for session ownership.
        let owner = peer.map_or_else(|| "anonymous".to_owned(), |p| format!("peer:{}", p.ip()));
        (owner, None)
    } else {
        let ip = peer.map(|p| p.ip());
        if let Some(ip) = ip
            && let Err(wait) = gate.auth_failures.check(ip, Instant::now())
        {
            return auth_throttled(wait);
        }
        match authenticate(&gate, request.headers()).await {
            Ok(principal) => {
                if let Some(ip) = ip {
                    gate.auth_failures.succeeded(ip);
                }
                (principal.name.clone(), Some(principal))
            }
            Err(refusal) => {
                // A wrong credential counts; none at all (a client discovering that it
                // needs one) does not.
                if refusal.status() == StatusCode::UNAUTHORIZED
                    && presented_credential(request.headers()).is_some()
                    && let Some(ip) = ip
                    && let Some(wait) = gate.auth_failures.failed(ip, Instant::now())
                {
                    tracing::warn!(peer = %ip, wait_seconds = wait.as_secs(), "repeated authentication failures: this peer must wait");
                    return auth_throttled(wait);
                }
                return refusal;
            }
        }
    };
    if let Some(principal) = &principal
        && let Some(api) = mounted_api(&request)
        && !principal.may_use_api(Some(&api))
    {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"error": "forbidden", "message": format!("this credential may not use the API `{api}`")})),
        )
            .into_response();
    }
    let (mut request, asked) = match jsonrpc_body::read(request, gate.max_request_body).await {
        Ok(read) => read,
        Err(refusal) => return refusal,
    };
    let counted = asked
        .method
        .as_deref()
        .is_some_and(|method| gate.rate_limited.iter().any(|m| m.method() == method));
    if counted
        && let Some(principal) = &principal
        && let Some(limit) = principal.requests_per_minute
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
    let stateful = gate.transport_sessions.is_some();
    let session = request
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .filter(|_| stateful);
    if let Some(id) = &session {
        match gate.sessions.touch(id, &owner, Instant::now()) {
            Ok(()) => {}
            Err(Refused::Gone { expired }) => {
                if expired {
                    gate.close_transport_sessions(vec![id.clone()]);
                }
                return session_not_found();
            }
            Err(Refused::NotOwner) => return session_not_found(),
        }
    }
    let ends_session = request.method() == axum::http::Method::DELETE;
    if let Some(principal) = principal {
        request.extensions_mut().insert(principal);
    }
    let response = jsonrpc_body::client_mistake(next.run(request).await, &asked);
    if ends_session && response.status() == StatusCode::ACCEPTED {
        // The session is gone and there is nothing more to say: 204, which clients
        // (the Python SDK among them) expect from a DELETE.
        if let Some(id) = &session {
            gate.sessions.remove(id);
        }
        return StatusCode::NO_CONTENT.into_response();
    }
    match &session {
        // A request outside any session may have opened one: it is this caller's, if
        // there is room for it.
        None if stateful => {
            if let Some(id) = response
                .headers()
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
            {
                let (kept, expired) = gate.sessions.open(id, &owner, Instant::now());
                gate.close_transport_sessions(expired);
                if let Err(cap) = kept {
                    gate.close_transport_sessions(vec![id.to_owned()]);
                    return over_cap(cap);
                }
            }
        }
        Some(id)
            if (ends_session && response.status().is_success())
                || response.status() == StatusCode::NOT_FOUND =>
        {
            // Ended by its owner, or already gone from the transport.
            gate.sessions.remove(id);
        }
        _ => {}
    }
    response
}

/// The API a request is for, when it goes to `/mcp/{name}` (not `/mcp`, all of them).
fn mounted_api(request: &Request) -> Option<String> {
    let path = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| request.uri().path(), |original| original.path());
    let name = path.strip_prefix("/mcp/")?.trim_end_matches('/');
    (!name.is_empty()).then(|| name.to_owned())
}

/// Who presents the request's credential, or the refusal to send back.
async fn authenticate(gate: &Gate, headers: &HeaderMap) -> Result<Principal, Response> {
    let Some(credential) = presented_credential(headers) else {
        return Err(unauthorized(gate, None));
    };
    if let Some(principal) = gate.keys.find(&credential) {
        return Ok(principal.clone());
    }
    let Some(tokens) = &gate.tokens else {
        return Err(unauthorized(gate, Some("unknown API key")));
    };
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
                return Err(insufficient_scope(gate));
            };
            Ok(Principal {
                name,
                grant,
                requests_per_minute: gate.token_rate,
                apis: None,
            })
        }
        Err(error) if error.kind == inbound_oauth::TokenErrorKind::JwksUnavailable => {
            // Our problem, not the token's: do not make the client discard it.
            tracing::warn!(%error, "cannot check bearer tokens: the JWKS is unavailable");
            Err((
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5")],
                axum::Json(json!({"error": "temporarily_unavailable", "message": "token keys are unavailable; retry shortly"})),
            )
                .into_response())
        }
        Err(error) => {
            tracing::debug!(%error, "bearer token rejected");
            Err(unauthorized(gate, Some(&error.to_string())))
        }
    }
}

/// 429 for a peer that failed to authenticate too often: it must wait (only it).
fn auth_throttled(wait: std::time::Duration) -> Response {
    let seconds = (wait.as_secs_f64().ceil() as u64).max(1);
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, seconds.to_string())],
        axum::Json(json!({
            "error": "too_many_failed_attempts",
            "retry_after_seconds": seconds,
            "message": "too many failed authentication attempts from this address; wait before trying again",
        })),
    )
        .into_response()
}

/// 404 for a session that is unknown, ended, expired or another caller's: the same
/// answer in every case, so nothing is learnt about other callers' sessions.
fn session_not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"error": "session_not_found", "message": "no such session for this credential (it may have expired or ended); start a new one"})),
    )
        .into_response()
}

/// A new session over a cap: refused, and nobody else's session is closed for it.
fn over_cap(cap: OverCap) -> Response {
    match cap {
        OverCap::PerCaller(limit) => (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(json!({
                "error": "too_many_sessions",
                "limit": limit,
                "message": format!("this caller already has {limit} open sessions, the most allowed ([http] max_sessions_per_caller, --max-sessions-per-caller); end one (DELETE /mcp with its Mcp-Session-Id) or let one expire"),
            })),
        )
            .into_response(),
        OverCap::Total(limit) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "60")],
            axum::Json(json!({
                "error": "too_many_sessions",
                "limit": limit,
                "message": format!("the server already has {limit} open sessions, the most allowed ([http] max_sessions, --max-sessions); retry later"),
            })),
        )
            .into_response(),
    }
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
