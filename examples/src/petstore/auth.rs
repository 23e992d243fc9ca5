//! The `X-Api-Key` check in front of every route.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::API_KEY;
use super::problem::Problem;

/// Middleware: rejects requests without `X-Api-Key: demo-key` with a `401` problem.
pub(crate) async fn require_api_key(request: Request, next: Next) -> Response {
    match request.headers().get("x-api-key").map(|v| v.as_bytes()) {
        Some(key) if key == API_KEY.as_bytes() => next.run(request).await,
        Some(_) => Problem::new(StatusCode::UNAUTHORIZED, "wrong X-Api-Key").into_response(),
        None => Problem::new(
            StatusCode::UNAUTHORIZED,
            format!("missing X-Api-Key header (use X-Api-Key: {API_KEY})"),
        )
        .into_response(),
    }
}
