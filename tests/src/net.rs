//! Loopback port helpers.

use std::net::{Ipv4Addr, TcpListener};

/// Returns a TCP port on `127.0.0.1` that was free a moment ago (bound to port 0, read
/// back, released). Another process may take it before you bind it, so prefer servers
/// that bind `127.0.0.1:0` themselves and report their address; use this only for
/// programs that need a port up front (e.g. `rest-mcp --port N`).
///
/// # Panics
/// If no loopback port can be bound.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("bind 127.0.0.1:0 to find a free port")
}

#[cfg(test)]
mod tests {
    #[test]
    fn free_port_is_bindable() {
        let port = super::free_port();
        assert_ne!(port, 0);
        assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok());
    }
}
