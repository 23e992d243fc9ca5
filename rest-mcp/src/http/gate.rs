//! The gate in front of `/mcp`: who is calling (API key or OAuth bearer token), whether
//! they are within their rate limit, whether the session they name is theirs, and the
//! headers to forward upstream for their calls.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::api_keys::{ApiKeys, Principal, grant_for_roles};
use super::inbound_oauth::{self, JwtValidator};
use super::rate_limit::RateLimiter;
use crate::caller::ForwardedHeaders;

/// Checks every `/mcp` request.
pub(super) struct Gate {
    /// Which principal opened each session (`Mcp-Session-Id`): a session answers only to
    /// the credential that created it.
    pub(super) sessions: std::sync::Mutex<std::collections::HashMap<String, (String, Instant)>>,
    pub(super) keys: ApiKeys,
    pub(super) tokens: Option<JwtValidator>,
    pub(super) token_rate: Option<u32>,
    pub(super) limiter: RateLimiter,
    pub(super) metadata_url: String,
    pub(super) draining: AtomicBool,
    /// Inbound header → upstream header, attached to each request for its tool calls.
    pub(super) forward: Vec<(HeaderName, HeaderName)>,
}

/// Sessions remembered at most; the oldest are forgotten beyond it.
const MAX_SESSIONS: usize = 10_000;

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

/// Authenticate, rate-limit and attach the [`Principal`] to the request.
pub(super) async fn authorize(
    State(gate): State<Arc<Gate>>,
    mut request: Request,
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
