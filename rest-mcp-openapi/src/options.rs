//! What callers can tune when loading: naming, filters, schema limits, external refs.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::HttpMethod;

/// Everything [`crate::load`] can be told.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// How tool names are derived.
    pub naming: NamingOptions,
    /// Which operations become tools.
    pub filters: Filters,
    /// Bounds on schema inlining.
    pub schema: SchemaLimits,
    /// Which `$ref`s outside the document may be followed.
    pub external_refs: ExternalRefs,
    /// Let `Authorization` and `Cookie` header parameters become arguments (off: they are
    /// ignored with a diagnostic, and credentials come from configuration instead).
    /// Hop-by-hop and framing headers never become arguments.
    pub allow_credential_headers: bool,
}

/// How tool names are derived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NamingOptions {
    /// Prepended to every tool name (joined with `_` unless it already ends in `_` or `-`).
    pub prefix: Option<String>,
    /// Longest tool name allowed, 16..=64 (MCP clients often prepend their own prefixes,
    /// so a smaller value can keep the combined name under a client's limit).
    pub max_length: usize,
}

impl Default for NamingOptions {
    fn default() -> Self {
        NamingOptions {
            prefix: None,
            max_length: 64,
        }
    }
}

/// Which operations become tools (PRD `[filters]`). Empty lists place no restriction.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Filters {
    /// Keep only operations with at least one of these tags.
    pub include_tags: Vec<String>,
    /// Drop operations with any of these tags.
    pub exclude_tags: Vec<String>,
    /// Keep only operations whose path starts with one of these prefixes.
    pub include_paths: Vec<String>,
    /// Drop operations whose path starts with one of these prefixes.
    pub exclude_paths: Vec<String>,
    /// Keep only these operations (matched against operationId or tool name).
    pub include_operations: Vec<String>,
    /// Drop these operations (matched against operationId or tool name).
    pub exclude_operations: Vec<String>,
    /// Keep only these HTTP methods.
    pub methods: Vec<HttpMethod>,
    /// Keep only read-only tools.
    pub read_only: bool,
}

/// Bounds that keep inlined schemas finite and small.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchemaLimits {
    /// How many times a recursive schema is expanded inside itself before it is cut
    /// (0: the first re-entry becomes a short stub that names the schema).
    pub max_recursion: usize,
    /// Deepest nesting of `$ref`s inlined into an input schema; deeper references become
    /// short stubs (their type and name).
    pub max_input_depth: usize,
    /// The same for output schemas, which only describe the response's shape: kept
    /// shallow so linked response graphs (Stripe, GitHub) stay small.
    pub max_output_depth: usize,
    /// Most `$ref` expansions in one tool schema; later references become short stubs.
    pub max_expansions: usize,
}

impl Default for SchemaLimits {
    fn default() -> Self {
        SchemaLimits {
            max_recursion: 0,
            max_input_depth: 4,
            max_output_depth: 1,
            max_expansions: 200,
        }
    }
}

/// Fetches a remote document for a `$ref` (the caller decides how; this crate does no
/// network I/O). Returns the document bytes or a message.
pub type RemoteFetcher = dyn Fn(&str) -> Result<Vec<u8>, String> + Send + Sync;

/// Which `$ref`s that leave the document may be followed.
#[derive(Clone)]
pub struct ExternalRefs {
    /// Follow relative file refs when the spec was loaded from a path (confined to the
    /// spec's directory and below).
    pub local_files: bool,
    /// Follow `http(s)://` refs (and relative refs of a spec loaded from a URL) through this
    /// fetcher. `None` (the default) refuses them.
    pub remote: Option<Arc<RemoteFetcher>>,
    /// Largest external file document read, in bytes (the fetcher bounds remote ones).
    pub max_document_bytes: usize,
}

impl Default for ExternalRefs {
    fn default() -> Self {
        ExternalRefs {
            local_files: true,
            remote: None,
            max_document_bytes: crate::input::DEFAULT_MAX_SPEC_BYTES,
        }
    }
}

impl std::fmt::Debug for ExternalRefs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalRefs")
            .field("local_files", &self.local_files)
            .field("remote", &self.remote.as_ref().map(|_| "<fetcher>"))
            .field("max_document_bytes", &self.max_document_bytes)
            .finish()
    }
}
