//! Several APIs in one HTTP server: each at `/mcp/{name}`, all of them together at
//! `/mcp`, and what `/healthz` says about each.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value, json};

use crate::server::RestMcpServer;

/// Whether an API's last reload failed (it then keeps serving its previous tools).
/// Clones share the flag: the reloader sets it, `/healthz` reads it.
#[derive(Clone, Debug, Default)]
pub struct ReloadStatus(Arc<AtomicBool>);

impl ReloadStatus {
    /// Record the outcome of a reload.
    pub fn set_failed(&self, failed: bool) {
        self.0.store(failed, Ordering::SeqCst);
    }

    /// Whether the last reload failed.
    pub fn failed(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// One API of several: served alone at `/mcp/{name}`.
#[derive(Clone, Debug)]
pub struct ApiMount {
    /// The API's name (`[[apis]] name`), the last segment of its path.
    pub name: String,
    /// Its own server (its tools only).
    pub server: RestMcpServer,
    /// Whether its last reload failed.
    pub status: ReloadStatus,
}

/// `/healthz` of a server of several APIs: `ok` when every API's last load worked,
/// else `degraded`, and per API its status and tool count. A failure's message is in the
/// server's log, not here: `/healthz` answers anyone who can reach it.
pub(super) fn health_of(mounts: &[ApiMount], draining: bool) -> Value {
    let mut apis = Map::new();
    let mut total = 0;
    let mut failed = false;
    for mount in mounts {
        let tools = mount.server.current().len();
        total += tools;
        let entry = if mount.status.failed() {
            failed = true;
            json!({"status": "failed", "tools": tools, "reason": "its last reload failed (see the server log); it serves its previous tools"})
        } else {
            json!({"status": "ok", "tools": tools})
        };
        apis.insert(mount.name.clone(), entry);
    }
    let status = match (draining, failed) {
        (true, _) => "draining",
        (false, true) => "degraded",
        (false, false) => "ok",
    };
    json!({"status": status, "tools": total, "apis": apis})
}
