//! The HTTP server's accept loop: caps on open connections (in total and per peer
//! address), a header-read timeout and a keep-alive idle timeout, and a graceful
//! shutdown that lets every connection finish its exchanges.
//!
//! `axum::serve` gives hyper no timer and no limits, so a client could hold a connection
//! open forever without sending a request, or send half a request and stop. Here every
//! connection is watched:
//!
//! - from accept, and from the first byte of each later request, the request's head must
//!   arrive within the header-read timeout;
//! - between requests (none in flight, no byte of a next one yet) a connection may sit
//!   idle for the idle timeout;
//! - while a request is in flight — its handler runs or its response body (an SSE stream
//!   among them) is still being sent — no timeout applies.
//!
//! hyper's own `header_read_timeout` is not used: it restarts as soon as a response is
//! sent, so it would also cut keep-alive connections at the header-read timeout, and it
//! never covers the bytes hyper-util reads to tell HTTP/1 from HTTP/2.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_service::Service as _;

/// Default for [`ConnectionLimits::header_read_timeout`].
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default for [`ConnectionLimits::idle_timeout`].
pub const DEFAULT_IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(60);
/// Default for [`ConnectionLimits::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default for [`ConnectionLimits::max_connections_per_peer`].
pub const DEFAULT_MAX_CONNECTIONS_PER_PEER: usize = 64;

/// Refusals are logged as warnings at most this often (a flood must not flood the log).
const WARN_EVERY: Duration = Duration::from_secs(60);

/// What a refused connection is told before it is closed.
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\nretry-after: 1\r\n\r\n";

/// How long connections may wait and how many may be open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's head must arrive this soon after the connection opens or after the
    /// first byte of a later request.
    pub header_read_timeout: Duration,
    /// A connection with no request in flight is closed after this long.
    pub idle_timeout: Duration,
    /// Most connections open at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Most connections open at once from one peer IP address; more are answered 503
    /// and closed.
    pub max_connections_per_peer: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_CONNECTION_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_peer: DEFAULT_MAX_CONNECTIONS_PER_PEER,
        }
    }
}

/// Serve `app` on `listener` until `signal` completes; then accept no more connections,
/// ask each open one to finish (idle ones close at once, exchanges in flight complete)
/// and wait for all of them.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    signal: impl Future<Output = ()>,
) {
    let permits = Arc::new(Permits::new(limits));
    let stop = CancellationToken::new();
    let tracker = TaskTracker::new();
    let mut signal = pin!(signal);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut signal => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                // Out of file descriptors, say: wait a little rather than spin.
                tracing::error!(%error, "cannot accept a connection");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    () = &mut signal => break,
                }
            }
        };
        match permits.acquire(peer.ip()) {
            Ok(permit) => {
                tracker.spawn(connection(
                    stream,
                    peer,
                    app.clone(),
                    limits,
                    permit,
                    stop.clone(),
                ));
            }
            Err(refusal) => {
                if permits.should_warn(Instant::now()) {
                    tracing::warn!(
                        %peer,
                        max_connections = limits.max_connections,
                        max_connections_per_peer = limits.max_connections_per_peer,
                        "{refusal}: refusing connections (further refusals within {WARN_EVERY:?} are logged at debug level)"
                    );
                } else {
                    tracing::debug!(%peer, "{refusal}: connection refused");
                }
                // Never waits: a refusal must not hold up the accept loop.
                let _ = stream.try_write(REFUSAL);
            }
        }
    }
    drop(listener);
    stop.cancel();
    tracker.close();
    tracker.wait().await;
}

/// Errors that concern one connection only (accept again at once).
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Serve one connection until it ends, times out, or finishes after `stop`.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    permit: Permit,
    stop: CancellationToken,
) {
    let _permit = permit;
    let activity = Arc::new(Activity::new(Instant::now()));
    let io = TokioIo::new(Watched {
        io: stream,
        activity: activity.clone(),
    });
    let service_activity = activity.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let busy = Busy::begin(service_activity.clone());
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        let mut app = app.clone();
        async move {
            let response = app.call(request).await?;
            Ok::<_, std::convert::Infallible>(
                response.map(|body| Body::new(Tracked { body, _busy: busy })),
            )
        }
    });
    let mut builder = Builder::new(TokioExecutor::new());
    // No timer is given to hyper, so its own header timeout must stay off (it would
    // panic otherwise); the watch below does that job.
    builder.http1().header_read_timeout(None);
    let mut conn = pin!(builder.serve_connection_with_upgrades(io, service));
    let mut stopping = false;
    loop {
        let deadline = activity.deadline(&limits);
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%peer, %error, "connection ended with an error");
                }
                return;
            }
            () = stop.cancelled(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
            () = sleep_until(deadline) => {
                if activity.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                    tracing::debug!(%peer, "closing a connection that sent no request in time");
                    // Nothing is in flight: dropping the connection closes the socket.
                    return;
                }
            }
            () = activity.changed.notified() => {}
        }
    }
}

/// Sleep until `deadline`, or forever when there is none.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// What one connection is doing, for its timeouts.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// This many requests are in flight.
    Busy(usize),
    /// None in flight since `since`; `started` is when the first byte of the next request
    /// arrived, if one has.
    Idle {
        since: Instant,
        started: Option<Instant>,
    },
}

/// The phase of one connection, shared by its socket, its service and its watch.
#[derive(Debug)]
struct Activity {
    phase: Mutex<Phase>,
    /// Woken (one stored permit) whenever the deadline may have moved.
    changed: Notify,
}

impl Activity {
    /// A connection accepted at `now`: its first request's head is due at once.
    fn new(now: Instant) -> Activity {
        Activity {
            phase: Mutex::new(Phase::Idle {
                since: now,
                started: Some(now),
            }),
            changed: Notify::new(),
        }
    }

    fn phase(&self) -> MutexGuard<'_, Phase> {
        self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// When the connection is to be closed if nothing changes.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<Instant> {
        match *self.phase() {
            Phase::Busy(_) => None,
            Phase::Idle {
                started: Some(started),
                ..
            } => Some(started + limits.header_read_timeout),
            Phase::Idle {
                since,
                started: None,
            } => Some(since + limits.idle_timeout),
        }
    }

    /// Bytes arrived from the peer.
    fn read_some(&self) {
        let mut phase = self.phase();
        if let Phase::Idle { started, .. } = &mut *phase
            && started.is_none()
        {
            *started = Some(Instant::now());
            drop(phase);
            self.changed.notify_one();
        }
    }

    /// A request's head arrived; it is in flight.
    fn begin(&self) {
        let mut phase = self.phase();
        *phase = match *phase {
            Phase::Busy(n) => Phase::Busy(n.saturating_add(1)),
            Phase::Idle { .. } => Phase::Busy(1),
        };
        drop(phase);
        self.changed.notify_one();
    }

    /// A request's response is sent (or abandoned).
    fn end(&self) {
        let mut phase = self.phase();
        *phase = match *phase {
            Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
            _ => Phase::Idle {
                since: Instant::now(),
                started: None,
            },
        };
        drop(phase);
        self.changed.notify_one();
    }
}

/// One request in flight, from its head to the end of its response body.
struct Busy(Arc<Activity>);

impl Busy {
    fn begin(activity: Arc<Activity>) -> Busy {
        activity.begin();
        Busy(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.end();
    }
}

/// A response body that keeps its request in flight until it is sent or dropped.
struct Tracked {
    body: Body,
    _busy: Busy,
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A socket that tells its [`Activity`] when bytes arrive.
struct Watched {
    io: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read_some();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Why a connection was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
enum Refusal {
    /// The server holds its most connections.
    #[error("too many open connections")]
    Total,
    /// This peer holds its most connections.
    #[error("too many open connections from this address")]
    Peer,
}

/// Counts of open connections, in total and per peer address.
#[derive(Debug)]
struct Permits {
    limits: ConnectionLimits,
    open: Mutex<Open>,
    /// When a refusal was last logged as a warning.
    warned: Mutex<Option<Instant>>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_peer: HashMap<IpAddr, usize>,
}

impl Permits {
    fn new(limits: ConnectionLimits) -> Permits {
        Permits {
            limits,
            open: Mutex::new(Open::default()),
            warned: Mutex::new(None),
        }
    }

    /// Whether a refusal at `now` is to be logged as a warning (at most every
    /// [`WARN_EVERY`]).
    fn should_warn(&self, now: Instant) -> bool {
        let mut warned = self.warned.lock().unwrap_or_else(PoisonError::into_inner);
        match *warned {
            Some(at) if now.saturating_duration_since(at) < WARN_EVERY => false,
            _ => {
                *warned = Some(now);
                true
            }
        }
    }

    fn open(&self) -> MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Count one more connection from `peer`, unless a cap is reached.
    fn acquire(self: &Arc<Self>, peer: IpAddr) -> Result<Permit, Refusal> {
        // An IPv4 peer reached over an IPv6 socket is the same peer.
        let peer = peer.to_canonical();
        let mut open = self.open();
        if open.total >= self.limits.max_connections {
            return Err(Refusal::Total);
        }
        let from_peer = open.by_peer.entry(peer).or_insert(0);
        if *from_peer >= self.limits.max_connections_per_peer {
            return Err(Refusal::Peer);
        }
        *from_peer += 1;
        open.total += 1;
        Ok(Permit {
            permits: self.clone(),
            peer,
        })
    }
}

/// One open connection, counted until dropped.
#[derive(Debug)]
struct Permit {
    permits: Arc<Permits>,
    peer: IpAddr,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut open = self.permits.open();
        open.total = open.total.saturating_sub(1);
        if let Some(from_peer) = open.by_peer.get_mut(&self.peer) {
            *from_peer = from_peer.saturating_sub(1);
            if *from_peer == 0 {
                open.by_peer.remove(&self.peer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(total: usize, per_peer: usize) -> ConnectionLimits {
        ConnectionLimits {
            max_connections: total,
            max_connections_per_peer: per_peer,
            ..ConnectionLimits::default()
        }
    }

    #[test]
    fn caps_count_per_peer_and_in_total_and_free_on_drop() {
        let permits = Arc::new(Permits::new(limits(3, 2)));
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        let first = permits.acquire(a).expect("first");
        let _second = permits.acquire(a).expect("second");
        assert_eq!(permits.acquire(a).err(), Some(Refusal::Peer));
        let _third = permits.acquire(b).expect("another peer");
        assert_eq!(permits.acquire(b).err(), Some(Refusal::Total));
        drop(first);
        let _again = permits.acquire(a).expect("freed by drop");
    }

    #[test]
    fn refusals_warn_at_most_once_a_minute() {
        let permits = Permits::new(limits(1, 1));
        let now = Instant::now();
        assert!(permits.should_warn(now));
        assert!(!permits.should_warn(now + Duration::from_secs(59)));
        assert!(permits.should_warn(now + WARN_EVERY));
    }

    #[test]
    fn an_ipv4_mapped_peer_counts_as_itself() {
        let permits = Arc::new(Permits::new(limits(10, 1)));
        let _v4 = permits.acquire([10, 0, 0, 1].into()).expect("v4");
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().expect("address");
        assert_eq!(permits.acquire(mapped).err(), Some(Refusal::Peer));
        assert_eq!(permits.open().by_peer.len(), 1);
    }

    #[test]
    fn deadlines_follow_the_phase() {
        let limits = ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            ..ConnectionLimits::default()
        };
        let start = Instant::now();
        let activity = Activity::new(start);
        assert_eq!(
            activity.deadline(&limits),
            Some(start + limits.header_read_timeout),
            "a new connection owes its first request's head"
        );
        activity.begin();
        activity.begin();
        assert_eq!(activity.deadline(&limits), None, "in flight: no timeout");
        activity.end();
        assert_eq!(activity.deadline(&limits), None, "one still in flight");
        let before = Instant::now();
        activity.end();
        let after = Instant::now();
        let idle = activity.deadline(&limits).expect("idle deadline");
        assert!(idle >= before + limits.idle_timeout && idle <= after + limits.idle_timeout);
        let before = Instant::now();
        activity.read_some();
        let after = Instant::now();
        let head = activity.deadline(&limits).expect("head deadline");
        assert!(head >= before + limits.header_read_timeout);
        assert!(head <= after + limits.header_read_timeout);
        activity.read_some();
        assert_eq!(
            activity.deadline(&limits),
            Some(head),
            "later bytes do not extend it"
        );
    }
}
