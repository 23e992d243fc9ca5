//! Routing and serving the pet store.

use std::net::SocketAddr;
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, put};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::auth::require_api_key;
use super::handlers;
use super::model::Store;
use super::{API_PREFIX, problem::Problem};

/// The pet store's routes under [`API_PREFIX`], serving `store`, behind the API-key
/// check. Paths outside the prefix get a `404` problem.
pub fn router(store: Store) -> Router {
    let api = Router::new()
        .route("/pets", get(handlers::list_pets).post(handlers::create_pet))
        .route(
            "/pets/{pet_id}",
            get(handlers::get_pet)
                .patch(handlers::update_pet)
                .delete(handlers::delete_pet),
        )
        .route("/pets/{pet_id}/photo", put(handlers::upload_photo))
        .route("/store/orders", axum::routing::post(handlers::place_order))
        .route("/store/inventory", get(handlers::inventory))
        .fallback(handlers::not_found)
        .layer(middleware::from_fn(require_api_key))
        .with_state(store);
    Router::new().nest(API_PREFIX, api).fallback(|| async {
        Problem::new(
            axum::http::StatusCode::NOT_FOUND,
            format!("no such route (the API lives under {API_PREFIX})"),
        )
    })
}

/// Wraps `router` so every request is logged to stderr as
/// `METHOD /path?query -> STATUS (N ms)`.
pub fn with_access_log(router: Router) -> Router {
    router.layer(middleware::from_fn(log_request))
}

async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let line = format!("{} {}", request.method(), request.uri());
    let response = next.run(request).await;
    eprintln!(
        "{line} -> {} ({} ms)",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

/// A pet store running on the current Tokio runtime. Dropping it stops the server.
#[derive(Debug)]
pub struct PetstoreServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    store: Store,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl PetstoreServer {
    /// Binds `addr` (use `127.0.0.1:0` for an ephemeral port) and serves a freshly seeded
    /// store from a spawned task.
    ///
    /// # Errors
    /// If `addr` cannot be bound.
    pub async fn start(addr: SocketAddr) -> std::io::Result<PetstoreServer> {
        PetstoreServer::start_with(addr, Store::seeded(), router).await
    }

    /// Like [`PetstoreServer::start`], with a given store and a function building the app
    /// from it (e.g. `|s| with_access_log(router(s))`).
    ///
    /// # Errors
    /// If `addr` cannot be bound.
    pub async fn start_with(
        addr: SocketAddr,
        store: Store,
        app: impl FnOnce(Store) -> Router,
    ) -> std::io::Result<PetstoreServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = app(store.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(PetstoreServer {
            addr,
            store,
            stop: Some(stop),
            task,
        })
    }

    /// The API's base URL, `http://ADDR/api`.
    pub fn url(&self) -> String {
        format!("http://{}{API_PREFIX}", self.addr)
    }

    /// The store it serves (shared: changes made through the API are visible here).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stops accepting connections and waits up to `grace` for open ones to finish.
    pub async fn shutdown(mut self, grace: std::time::Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if tokio::time::timeout(grace, &mut self.task).await.is_err() {
            self.task.abort();
        }
    }
}

impl Drop for PetstoreServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
    }
}
