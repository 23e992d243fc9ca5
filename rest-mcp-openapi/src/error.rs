//! Errors and diagnostics, each naming the file and the JSON pointer it is about.

use serde::{Deserialize, Serialize};

/// A place in a spec: the file (or URL, or a name for in-memory input) and a JSON pointer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceRef {
    /// File path, URL, or a label such as `<inline>`.
    pub file: String,
    /// RFC 6901 JSON pointer inside that file (`""` is the whole document).
    pub pointer: String,
}

impl SourceRef {
    /// A location in `file` at `pointer`.
    pub fn new(file: impl Into<String>, pointer: impl Into<String>) -> SourceRef {
        SourceRef {
            file: file.into(),
            pointer: pointer.into(),
        }
    }

    /// The same file, one level deeper (`token` is escaped per RFC 6901).
    pub fn child(&self, token: &str) -> SourceRef {
        SourceRef {
            file: self.file.clone(),
            pointer: push_pointer(&self.pointer, token),
        }
    }
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{}#{}", self.file, pointer)
    }
}

/// Append one token to a JSON pointer, escaping `~` and `/`.
pub fn push_pointer(pointer: &str, token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    format!("{pointer}/{escaped}")
}

/// A spec that cannot be turned into a model at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// Where the problem is.
    pub location: SourceRef,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

impl LoadError {
    /// An error at `location`.
    pub fn new(location: SourceRef, message: impl Into<String>) -> LoadError {
        LoadError {
            location,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for LoadError {}

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something was adapted (a recursive schema cut, a name shortened).
    Info,
    /// Something could not be represented faithfully; the tool still works.
    Warning,
}

/// A problem that did not stop loading, reported with the model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// Where it is.
    pub location: SourceRef,
    /// What happened.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Info => "info",
            Severity::Warning => "warning",
        };
        write!(f, "{level}: {}: {}", self.location, self.message)
    }
}

/// Collects diagnostics while loading.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Move every diagnostic of `other` to the end of this list.
    pub(crate) fn append(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub(crate) fn warn(&mut self, location: SourceRef, message: impl Into<String>) {
        self.push(Severity::Warning, location, message);
    }

    pub(crate) fn info(&mut self, location: SourceRef, message: impl Into<String>) {
        self.push(Severity::Info, location, message);
    }

    fn push(&mut self, severity: Severity, location: SourceRef, message: impl Into<String>) {
        self.items.push(Diagnostic {
            severity,
            location,
            message: message.into(),
        });
    }

    pub(crate) fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}
