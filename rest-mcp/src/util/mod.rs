//! Small helpers shared by the runtime, each defined once: redaction of secrets and
//! URLs, error-chain text, and bounded body reading.

pub(crate) mod bounded_body;
pub(crate) mod error_chain;
pub(crate) mod redact;
