//! Failed authentication throttled per peer address: after a few failures a peer waits,
//! twice as long after each further failure, while every other peer is unaffected. A
//! success resets the peer.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures a peer may make before it has to wait.
pub const FREE_FAILURES: u32 = 10;
/// The first wait; each further failure doubles it.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest wait.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Peers remembered at most; beyond it, stale ones are forgotten first and new peers are
/// not tracked (throttling weakens, nobody is locked out by mistake).
const MAX_PEERS: usize = 100_000;
/// A peer with no failure for this long starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

#[derive(Debug)]
struct Record {
    failures: u32,
    last_failure: Instant,
    blocked_until: Option<Instant>,
}

/// Failure counts per peer address.
#[derive(Debug, Default)]
pub(super) struct AuthThrottle {
    peers: Mutex<HashMap<IpAddr, Record>>,
}

impl AuthThrottle {
    fn peers(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Record>> {
        match self.peers.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// `Err(wait)` while `peer` must wait before trying a credential again.
    pub(super) fn check(&self, peer: IpAddr, now: Instant) -> Result<(), Duration> {
        match self.peers().get(&peer).and_then(|r| r.blocked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// `peer` presented a bad credential at `now`; returns the wait it now owes, if any.
    pub(super) fn failed(&self, peer: IpAddr, now: Instant) -> Option<Duration> {
        let mut peers = self.peers();
        if peers.len() >= MAX_PEERS && !peers.contains_key(&peer) {
            peers.retain(|_, r| {
                now.saturating_duration_since(r.last_failure) < FORGET_AFTER
                    || r.blocked_until.is_some_and(|until| until > now)
            });
            if peers.len() >= MAX_PEERS {
                return None;
            }
        }
        let record = peers.entry(peer).or_insert(Record {
            failures: 0,
            last_failure: now,
            blocked_until: None,
        });
        if now.saturating_duration_since(record.last_failure) >= FORGET_AFTER {
            record.failures = 0;
        }
        record.failures = record.failures.saturating_add(1);
        record.last_failure = now;
        if record.failures <= FREE_FAILURES {
            return None;
        }
        let doublings = (record.failures - FREE_FAILURES - 1).min(16);
        let wait = FIRST_BACKOFF
            .saturating_mul(1 << doublings)
            .min(MAX_BACKOFF);
        record.blocked_until = Some(now + wait);
        Some(wait)
    }

    /// `peer` authenticated: its failures are forgotten.
    pub(super) fn succeeded(&self, peer: IpAddr) {
        let mut peers = self.peers();
        if !peers.is_empty() {
            peers.remove(&peer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_per_peer_and_a_success_resets_it() {
        let throttle = AuthThrottle::default();
        let bad: IpAddr = "192.0.2.1".parse().expect("ip");
        let good: IpAddr = "192.0.2.2".parse().expect("ip");
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            assert_eq!(throttle.failed(bad, now), None);
            assert_eq!(throttle.check(bad, now), Ok(()));
        }
        assert_eq!(throttle.failed(bad, now), Some(FIRST_BACKOFF));
        assert_eq!(throttle.check(bad, now), Err(FIRST_BACKOFF));
        assert_eq!(
            throttle.check(good, now),
            Ok(()),
            "other peers are unaffected"
        );
        let later = now + FIRST_BACKOFF;
        assert_eq!(throttle.check(bad, later), Ok(()), "the wait ends");
        assert_eq!(throttle.failed(bad, later), Some(FIRST_BACKOFF * 2));
        let much_later = later + Duration::from_secs(3);
        assert_eq!(throttle.failed(bad, much_later), Some(FIRST_BACKOFF * 4));
        for _ in 0..30 {
            throttle.failed(bad, much_later);
        }
        assert_eq!(throttle.check(bad, much_later), Err(MAX_BACKOFF));
        throttle.succeeded(bad);
        assert_eq!(throttle.check(bad, much_later), Ok(()));
        assert_eq!(
            throttle.failed(bad, much_later),
            None,
            "counting starts afresh"
        );
    }

    #[test]
    fn failures_long_ago_are_forgotten() {
        let throttle = AuthThrottle::default();
        let peer: IpAddr = "2001:db8::1".parse().expect("ip");
        let start = Instant::now();
        for _ in 0..FREE_FAILURES {
            throttle.failed(peer, start);
        }
        assert_eq!(throttle.failed(peer, start + FORGET_AFTER), None);
    }
}
