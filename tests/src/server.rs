//! Running an axum app on its own thread and runtime, and recording requests.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use tokio::sync::{Notify, oneshot};

use crate::Recorded;

/// Bodies larger than this are answered with 413 (and recorded empty).
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;

/// How long [`ServerThread::shutdown`] waits for the server thread to finish.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

/// An axum app served on `127.0.0.1:<ephemeral>` by a dedicated thread. Dropping it
/// stops the server (open connections are dropped, not drained).
#[derive(Debug)]
pub(crate) struct ServerThread {
    pub(crate) addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    stopped: Option<oneshot::Receiver<()>>,
}

impl ServerThread {
    /// Binds `127.0.0.1:0` and serves `app` on a new thread.
    ///
    /// # Panics
    /// If the port cannot be bound or the thread or runtime cannot be created.
    pub(crate) fn spawn(name: &str, app: Router) -> ServerThread {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .expect("bind 127.0.0.1:0 for a test server");
        listener
            .set_nonblocking(true)
            .expect("set the test server's listener non-blocking");
        let addr = listener
            .local_addr()
            .expect("read the test server's address");
        let (stop, stop_rx) = oneshot::channel::<()>();
        let (stopped_tx, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name(format!("{name}-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("build the test server's runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("register the test server's listener");
                    tokio::select! {
                        result = axum::serve(listener, app) => {
                            if let Err(e) = result {
                                eprintln!("rest-mcp-tests: server on {addr} failed: {e}");
                            }
                        }
                        _ = stop_rx => {}
                    }
                });
                // Dropping the runtime cancels every connection task.
                drop(runtime);
                let _ = stopped_tx.send(());
            })
            .expect("spawn the test server's thread");
        ServerThread {
            addr,
            stop: Some(stop),
            stopped: Some(stopped),
        }
    }

    /// Stops the server and waits (up to a few seconds) until its port is released.
    pub(crate) async fn shutdown(mut self) {
        self.signal_stop();
        if let Some(stopped) = self.stopped.take() {
            let _ = tokio::time::timeout(SHUTDOWN_WAIT, stopped).await;
        }
    }

    fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

/// The requests a server received, shared between its handler and the test.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    requests: Mutex<Vec<Recorded>>,
    arrived: Notify,
}

impl Journal {
    /// Appends a request and wakes waiters.
    pub(crate) fn push(&self, request: Recorded) {
        lock(&self.requests).push(request);
        self.arrived.notify_waiters();
    }

    /// Everything recorded so far, in order.
    pub(crate) fn all(&self) -> Vec<Recorded> {
        lock(&self.requests).clone()
    }

    /// How many requests were recorded.
    pub(crate) fn len(&self) -> usize {
        lock(&self.requests).len()
    }

    /// The most recent request.
    pub(crate) fn last(&self) -> Option<Recorded> {
        lock(&self.requests).last().cloned()
    }

    /// Forgets every recorded request.
    pub(crate) fn clear(&self) {
        lock(&self.requests).clear();
    }

    /// Waits until at least `n` requests are recorded or `timeout` passes, then returns
    /// everything recorded.
    pub(crate) async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Recorded> {
        let deadline = Instant::now() + timeout;
        loop {
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if self.len() >= n {
                break;
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() || tokio::time::timeout(remaining, arrived).await.is_err() {
                break;
            }
        }
        self.all()
    }
}

/// Reads a whole request into a [`Recorded`]. `Err` carries the partial record when the
/// body exceeded [`MAX_BODY`] or could not be read.
pub(crate) async fn record(request: Request<Body>) -> Result<Recorded, Recorded> {
    let received_at = Instant::now();
    let (parts, body) = request.into_parts();
    let mut recorded = Recorded {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: Vec::new(),
        received_at,
    };
    match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            recorded.body = bytes.to_vec();
            Ok(recorded)
        }
        Err(_) => Err(recorded),
    }
}

/// Locks a mutex, ignoring poisoning (a panicking test must not hide its requests).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
