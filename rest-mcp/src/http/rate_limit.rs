//! Requests per minute per principal: a token bucket that refills continuously, so a
//! client may burst up to its limit and then proceeds at the steady rate. Only the
//! requests that cost something count ([`RateLimitedMethod`]): a session's `initialize`,
//! its notifications and its event stream never use up its limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A JSON-RPC method that counts against a caller's `requests_per_minute`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
pub enum RateLimitedMethod {
    /// `tools/call`: every tool call, the meta-tools' included. Always counted by default.
    #[serde(rename = "tools/call")]
    ToolsCall,
    /// `tools/list`: each page of the tool list.
    #[serde(rename = "tools/list")]
    ToolsList,
}

impl RateLimitedMethod {
    /// What is counted unless `[http] rate_limited_methods` says otherwise.
    pub const DEFAULT: &'static [RateLimitedMethod] = &[RateLimitedMethod::ToolsCall];

    /// The JSON-RPC method name.
    pub fn method(self) -> &'static str {
        match self {
            RateLimitedMethod::ToolsCall => "tools/call",
            RateLimitedMethod::ToolsList => "tools/list",
        }
    }
}

/// Per-principal buckets.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// Take one request for `principal` limited to `per_minute`; `Err(wait)` says how long
    /// until the next request is allowed.
    pub fn check(&self, principal: &str, per_minute: u32, now: Instant) -> Result<(), Duration> {
        if per_minute == 0 {
            return Err(Duration::from_secs(60));
        }
        let capacity = f64::from(per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = match self.buckets.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let bucket = buckets.entry(principal.to_owned()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_to_the_limit_then_refills() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check("ci", 3, start), Ok(()));
        }
        let wait = limiter.check("ci", 3, start).expect_err("limited");
        assert!(
            wait > Duration::from_secs(19) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert_eq!(
            limiter.check("other", 3, start),
            Ok(()),
            "buckets are per principal"
        );
        assert_eq!(
            limiter.check("ci", 3, start + Duration::from_secs(20)),
            Ok(())
        );
    }
}
