//! Who owns each MCP session, and for how long it lives.
//!
//! A session belongs to the caller that opened it, for good: ownership is never
//! reassigned. A session that expires (idle too long) or is ended is gone: every later
//! request naming it is refused, whoever sends it. New sessions over a caller's cap or
//! the server's cap are refused; an existing session is never evicted to make room.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Default time a session may go unused before it expires.
pub const DEFAULT_SESSION_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Default number of open sessions one caller (API key, token subject, or peer address
/// when no credentials are configured) may hold.
pub const DEFAULT_MAX_SESSIONS_PER_CALLER: usize = 100;
/// Default number of open sessions the whole server holds.
pub const DEFAULT_MAX_SESSIONS: usize = 10_000;

/// How many sessions may be open and how long an unused one lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimits {
    /// An unused session expires after this long.
    pub idle_timeout: Duration,
    /// Most open sessions per caller.
    pub per_caller: usize,
    /// Most open sessions in all.
    pub total: usize,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            idle_timeout: DEFAULT_SESSION_IDLE_TIMEOUT,
            per_caller: DEFAULT_MAX_SESSIONS_PER_CALLER,
            total: DEFAULT_MAX_SESSIONS,
        }
    }
}

/// Why a request naming a session is refused. Both are answered the same way (404), so
/// a caller learns nothing about other callers' sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refused {
    /// No such session: never opened, ended, or expired (`expired` says whether it
    /// expired just now, so the transport's copy must be closed too).
    Gone {
        /// The session expired on this lookup.
        expired: bool,
    },
    /// The session belongs to another caller.
    NotOwner,
}

/// Why a new session is not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OverCap {
    /// The caller already holds its maximum.
    PerCaller(usize),
    /// The server already holds its maximum.
    Total(usize),
}

#[derive(Debug)]
struct Entry {
    owner: String,
    last_used: Instant,
}

/// The sessions the gate knows, by `Mcp-Session-Id`.
#[derive(Debug)]
pub(super) struct SessionTable {
    entries: Mutex<HashMap<String, Entry>>,
    limits: SessionLimits,
}

impl SessionTable {
    pub(super) fn new(limits: SessionLimits) -> SessionTable {
        SessionTable {
            entries: Mutex::default(),
            limits,
        }
    }

    pub(super) fn limits(&self) -> SessionLimits {
        self.limits
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn expired(&self, entry: &Entry, now: Instant) -> bool {
        now.saturating_duration_since(entry.last_used) >= self.limits.idle_timeout
    }

    /// `owner` uses session `id` at `now`: allowed only for the owner of a live session,
    /// and then its idle clock restarts. An expired session is forgotten here.
    pub(super) fn touch(&self, id: &str, owner: &str, now: Instant) -> Result<(), Refused> {
        let mut entries = self.entries();
        let Some(entry) = entries.get_mut(id) else {
            return Err(Refused::Gone { expired: false });
        };
        if self.expired(entry, now) {
            entries.remove(id);
            return Err(Refused::Gone { expired: true });
        }
        if entry.owner != owner {
            return Err(Refused::NotOwner);
        }
        entry.last_used = now;
        Ok(())
    }

    /// Record a session `owner` just opened. Over a cap the session is not kept (the
    /// caller must close it); nobody else's session is touched. Returns the sessions that
    /// had expired, which were forgotten on the way and must be closed too.
    pub(super) fn open(
        &self,
        id: &str,
        owner: &str,
        now: Instant,
    ) -> (Result<(), OverCap>, Vec<String>) {
        let mut entries = self.entries();
        let expired = self.take_expired(&mut entries, now);
        if let Some(existing) = entries.get_mut(id) {
            // Already known: ownership never changes hands.
            if existing.owner == owner {
                existing.last_used = now;
                return (Ok(()), expired);
            }
            return (Err(OverCap::PerCaller(self.limits.per_caller)), expired);
        }
        let held = entries.values().filter(|e| e.owner == owner).count();
        if held >= self.limits.per_caller {
            return (Err(OverCap::PerCaller(self.limits.per_caller)), expired);
        }
        if entries.len() >= self.limits.total {
            return (Err(OverCap::Total(self.limits.total)), expired);
        }
        entries.insert(
            id.to_owned(),
            Entry {
                owner: owner.to_owned(),
                last_used: now,
            },
        );
        (Ok(()), expired)
    }

    /// Forget session `id` (ended by its owner, or closed by the transport).
    pub(super) fn remove(&self, id: &str) {
        self.entries().remove(id);
    }

    /// Forget every expired session and return their ids.
    pub(super) fn sweep(&self, now: Instant) -> Vec<String> {
        let mut entries = self.entries();
        self.take_expired(&mut entries, now)
    }

    /// Every known session id (for checking against the transport's own list).
    pub(super) fn ids(&self) -> Vec<String> {
        self.entries().keys().cloned().collect()
    }

    fn take_expired(&self, entries: &mut HashMap<String, Entry>, now: Instant) -> Vec<String> {
        let expired: Vec<String> = entries
            .iter()
            .filter(|(_, entry)| self.expired(entry, now))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &expired {
            entries.remove(id);
        }
        expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(per_caller: usize, total: usize) -> SessionTable {
        SessionTable::new(SessionLimits {
            idle_timeout: Duration::from_secs(60),
            per_caller,
            total,
        })
    }

    #[test]
    fn a_session_answers_only_to_its_owner() {
        let sessions = table(10, 10);
        let now = Instant::now();
        assert_eq!(sessions.open("s1", "a", now).0, Ok(()));
        assert_eq!(sessions.touch("s1", "a", now), Ok(()));
        assert_eq!(sessions.touch("s1", "b", now), Err(Refused::NotOwner));
        assert_eq!(
            sessions.touch("nope", "a", now),
            Err(Refused::Gone { expired: false })
        );
        // Re-opening a known id never hands it to another caller.
        assert!(sessions.open("s1", "b", now).0.is_err());
        assert_eq!(sessions.touch("s1", "a", now), Ok(()));
    }

    #[test]
    fn caps_refuse_the_newcomer_and_evict_nobody() {
        let sessions = table(2, 3);
        let now = Instant::now();
        assert_eq!(sessions.open("a1", "a", now).0, Ok(()));
        assert_eq!(sessions.open("b1", "b", now).0, Ok(()));
        assert_eq!(sessions.open("b2", "b", now).0, Ok(()));
        assert_eq!(sessions.open("b3", "b", now).0, Err(OverCap::PerCaller(2)));
        assert_eq!(sessions.open("c1", "c", now).0, Err(OverCap::Total(3)));
        for (id, owner) in [("a1", "a"), ("b1", "b"), ("b2", "b")] {
            assert_eq!(sessions.touch(id, owner, now), Ok(()), "{id}");
        }
        assert_eq!(
            sessions.touch("b3", "b", now),
            Err(Refused::Gone { expired: false })
        );
    }

    #[test]
    fn idle_sessions_expire_for_good_and_use_keeps_them_alive() {
        let sessions = table(10, 10);
        let start = Instant::now();
        sessions.open("kept", "a", start).0.expect("open");
        sessions.open("idle", "a", start).0.expect("open");
        let later = start + Duration::from_secs(45);
        assert_eq!(sessions.touch("kept", "a", later), Ok(()));
        let expiry = start + Duration::from_secs(60);
        assert_eq!(
            sessions.touch("idle", "a", expiry),
            Err(Refused::Gone { expired: true })
        );
        assert_eq!(
            sessions.touch("idle", "a", expiry),
            Err(Refused::Gone { expired: false }),
            "an expired session stays gone"
        );
        assert_eq!(sessions.touch("kept", "a", expiry), Ok(()));
        assert_eq!(
            sessions.sweep(expiry + Duration::from_secs(60)),
            vec!["kept".to_owned()]
        );
        assert!(sessions.ids().is_empty());
    }

    #[test]
    fn expired_sessions_free_their_slots() {
        let sessions = table(1, 1);
        let start = Instant::now();
        sessions.open("old", "a", start).0.expect("open");
        let (result, expired) = sessions.open("new", "a", start + Duration::from_secs(61));
        assert_eq!(result, Ok(()));
        assert_eq!(expired, vec!["old".to_owned()]);
    }
}
