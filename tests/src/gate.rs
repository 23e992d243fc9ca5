//! A gate replies wait at, so a test decides exactly when a request in flight completes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::Notify;

/// A one-way gate: closed when made, open for good after [`Gate::open`].
///
/// A [`crate::Reply`] made with [`crate::Reply::with_gate`] is recorded as soon as its
/// request arrives but is sent only once its gate is open. A test can so hold a call in
/// flight while it does something else (sends a signal, checks the call has not returned,
/// starts more calls) and release it when it is done, without guessing how long anything
/// takes. Clones share the gate.
///
/// ```no_run
/// # async fn demo() {
/// use rest_mcp_tests::{Gate, Reply, Upstream};
/// use serde_json::json;
///
/// let upstream = Upstream::start().await;
/// let gate = Gate::new();
/// upstream.respond("GET", "/slow", Reply::json(200, json!({})).with_gate(&gate));
/// // ... start a call that reaches /slow ...
/// upstream.wait_for(1, std::time::Duration::from_secs(5)).await; // it is in flight
/// gate.open(); // now it completes
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Gate(Arc<State>);

#[derive(Debug, Default)]
struct State {
    open: AtomicBool,
    opened: Notify,
    /// How many are waiting at the gate now.
    waiting: AtomicUsize,
}

/// Counts one waiter for as long as it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Gate {
    /// A closed gate.
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Opens the gate: every reply waiting at it is sent, and later ones are not held.
    pub fn open(&self) {
        self.0.open.store(true, Ordering::SeqCst);
        self.0.opened.notify_waiters();
    }

    /// Whether [`Gate::open`] was called.
    pub fn is_open(&self) -> bool {
        self.0.open.load(Ordering::SeqCst)
    }

    /// How many are waiting at the gate now: a test can see that a reply is being held.
    pub fn waiting(&self) -> usize {
        self.0.waiting.load(Ordering::SeqCst)
    }

    /// Waits until the gate is open (at once if it is).
    pub async fn passed(&self) {
        self.0.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(&self.0.waiting);
        loop {
            let opened = self.0.opened.notified();
            tokio::pin!(opened);
            opened.as_mut().enable();
            if self.is_open() {
                return;
            }
            opened.await;
        }
    }
}

/// Two gates are equal when they are the same gate.
impl PartialEq for Gate {
    fn eq(&self, other: &Gate) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Gate {}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn waiters_pass_only_after_open() {
        let gate = Gate::new();
        let waiter = tokio::spawn({
            let gate = gate.clone();
            async move { gate.passed().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "passed a closed gate");
        assert!(!gate.is_open());
        assert_eq!(gate.waiting(), 1);
        gate.open();
        tokio::time::timeout(Duration::from_secs(10), waiter)
            .await
            .expect("the waiter passes once the gate is open")
            .expect("waiter task");
        assert_eq!(gate.waiting(), 0);
        // Open stays open.
        tokio::time::timeout(Duration::from_secs(10), gate.passed())
            .await
            .expect("an open gate does not block");
        assert_eq!(gate, gate.clone());
        assert_ne!(gate, Gate::new());
    }
}
