//! Small helpers shared by the runtime, each defined once: redaction of secrets and
//! URLs, error-chain text, bounded body reading, and "did you mean".

pub(crate) mod bounded_body;
pub(crate) mod error_chain;
pub(crate) mod redact;
pub(crate) mod suggest;
