//! What every example test shares: a bound on how long one may run.

use std::future::Future;
use std::time::Duration;

/// Longest one test may take (a hang guard, never the thing tested).
pub const HANG_GUARD: Duration = Duration::from_secs(120);

/// Runs `test` to completion, failing instead of hanging when it takes longer than
/// [`HANG_GUARD`] (a server that never answers, a child that never exits).
pub async fn bounded<F: Future>(test: F) -> F::Output {
    tokio::time::timeout(HANG_GUARD, test)
        .await
        .unwrap_or_else(|_| panic!("the test did not finish within {HANG_GUARD:?}"))
}
