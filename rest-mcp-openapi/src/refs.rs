//! `$ref` resolution: JSON pointers anywhere in the document, relative files (confined to
//! the spec's directory), and remote documents through a caller-supplied fetcher.
//!
//! Every external document a spec reaches is loaded once, up front, so resolution itself
//! is a pure lookup.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::Origin;
use crate::document;
use crate::error::{Diagnostics, SourceRef};
use crate::options::ExternalRefs;

/// Most external documents one spec may pull in.
const MAX_EXTERNAL_DOCUMENTS: usize = 256;
/// Longest chain of `$ref` → `$ref` → … followed for one object.
const MAX_REF_CHAIN: usize = 32;

/// Index of a loaded document (0 is the spec itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DocId(usize);

/// Where a `$ref` points: a document and a JSON pointer inside it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Target {
    pub(crate) doc: DocId,
    pub(crate) pointer: String,
}

/// Where a document came from, for resolving refs relative to it.
#[derive(Clone, Debug)]
enum Base {
    File(PathBuf),
    Url(String),
    Inline,
}

struct Document {
    label: String,
    base: Base,
    value: Value,
}

/// All documents of a spec and the rules for reaching them.
pub(crate) struct Resolver {
    documents: Vec<Document>,
    by_key: HashMap<String, DocId>,
    /// Directory that file refs must stay inside.
    confinement: Option<PathBuf>,
    policy: ExternalRefs,
    /// Maps pointers into the root document to the text the user wrote (Swagger 2.0 specs
    /// are converted before lowering).
    root_pointers: fn(&str) -> String,
}

impl Resolver {
    /// Wrap the (already converted) root document and load every external document it
    /// reaches; failures become diagnostics and the refs that need them stay unresolved.
    pub(crate) fn new(
        root: Value,
        origin: Origin,
        policy: ExternalRefs,
        diagnostics: &mut Diagnostics,
    ) -> Resolver {
        let label = origin.label();
        let (base, key, confinement) = match origin {
            Origin::File(path) => {
                let absolute = absolute_path(&path);
                let dir = absolute.parent().map(Path::to_path_buf);
                let confinement = dir.as_deref().map(canonical_or_self);
                (
                    Base::File(absolute.clone()),
                    canonical_or_self(&absolute).display().to_string(),
                    confinement,
                )
            }
            Origin::Url(url) => (
                Base::Url(url.clone()),
                strip_fragment(&url).to_owned(),
                None,
            ),
            Origin::Inline(label) => (Base::Inline, format!("inline:{label}"), None),
        };
        let mut resolver = Resolver {
            documents: vec![Document {
                label,
                base,
                value: root,
            }],
            by_key: HashMap::from([(key, DocId(0))]),
            confinement,
            policy,
            root_pointers: str::to_owned,
        };
        resolver.load_external_documents(diagnostics);
        resolver
    }

    /// Report locations in the root document through `map` (for converted documents).
    pub(crate) fn map_root_pointers(&mut self, map: fn(&str) -> String) {
        self.root_pointers = map;
    }

    /// The local files the spec's references read, in the order they were loaded (the
    /// root document is not among them).
    pub(crate) fn local_files(&self) -> Vec<PathBuf> {
        self.documents[1..]
            .iter()
            .filter_map(|document| match &document.base {
                Base::File(path) => Some(path.clone()),
                Base::Url(_) | Base::Inline => None,
            })
            .collect()
    }

    /// The spec document.
    pub(crate) fn root(&self) -> &Value {
        &self.documents[0].value
    }

    /// The spec document's id.
    pub(crate) fn root_id(&self) -> DocId {
        DocId(0)
    }

    /// A location in a document, for messages.
    pub(crate) fn source(&self, doc: DocId, pointer: &str) -> SourceRef {
        if doc == DocId(0) {
            SourceRef::new(self.label(doc), (self.root_pointers)(pointer))
        } else {
            SourceRef::new(self.label(doc), pointer)
        }
    }

    fn label(&self, doc: DocId) -> &str {
        self.documents
            .get(doc.0)
            .map(|d| d.label.as_str())
            .unwrap_or("<unknown>")
    }

    /// Where `reference` (a `$ref` value found in `from`) points, and the value there.
    pub(crate) fn lookup(&self, from: DocId, reference: &str) -> Result<(Target, &Value), String> {
        let (location, fragment) = split_ref(reference);
        let doc = if location.is_empty() {
            from
        } else {
            let key = self.document_key(from, location)?;
            *self
                .by_key
                .get(&key)
                .ok_or_else(|| format!("`{reference}` points to a document that was not loaded"))?
        };
        let pointer = percent_decode_str(fragment)
            .decode_utf8_lossy()
            .into_owned();
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(format!(
                "`{reference}` uses a named anchor; only JSON pointer fragments are supported"
            ));
        }
        let document = self
            .documents
            .get(doc.0)
            .ok_or_else(|| format!("`{reference}` points to an unknown document"))?;
        let value = document.value.pointer(&pointer).ok_or_else(|| {
            format!(
                "`{reference}` points to nothing: {} has no `{}`",
                document.label,
                if pointer.is_empty() { "/" } else { &pointer }
            )
        })?;
        Ok((Target { doc, pointer }, value))
    }

    /// Follow `$ref` chains of a non-schema object (parameter, response, path item, ...)
    /// until a value without `$ref`. Returns the document and pointer of that value.
    pub(crate) fn follow<'a>(
        &'a self,
        doc: DocId,
        pointer: &str,
        value: &'a Value,
    ) -> Result<(DocId, String, &'a Value), String> {
        let (mut doc, mut pointer, mut value) = (doc, pointer.to_owned(), value);
        for _ in 0..MAX_REF_CHAIN {
            let Some(reference) = value.get("$ref") else {
                return Ok((doc, pointer, value));
            };
            let Some(reference) = reference.as_str() else {
                return Err("`$ref` is not a string".to_owned());
            };
            let (target, next) = self.lookup(doc, reference)?;
            doc = target.doc;
            pointer = target.pointer;
            value = next;
        }
        Err(format!(
            "more than {MAX_REF_CHAIN} chained `$ref`s (a reference cycle?)"
        ))
    }

    /// The key identifying the document `location` names, relative to document `from`.
    fn document_key(&self, from: DocId, location: &str) -> Result<String, String> {
        if is_remote(location) {
            return Ok(location.to_owned());
        }
        match self.documents.get(from.0).map(|d| &d.base) {
            Some(Base::File(path)) => {
                let joined = path.parent().unwrap_or(Path::new("")).join(location);
                Ok(canonical_or_self(&joined).display().to_string())
            }
            Some(Base::Url(url)) => Ok(join_url(url, location)),
            _ => Err(format!(
                "`{location}` is a relative reference, but the spec was not loaded from a file or URL"
            )),
        }
    }

    /// Breadth-first load of every document referenced from the ones already loaded.
    fn load_external_documents(&mut self, diagnostics: &mut Diagnostics) {
        let mut queue = VecDeque::from([DocId(0)]);
        while let Some(doc) = queue.pop_front() {
            let mut references = Vec::new();
            if let Some(document) = self.documents.get(doc.0) {
                collect_external_refs(&document.value, "", &mut references);
            }
            for (pointer, reference) in references {
                let (location, _) = split_ref(&reference);
                let at = self.source(doc, &pointer);
                let key = match self.document_key(doc, location) {
                    Ok(key) => key,
                    Err(message) => {
                        diagnostics.warn(at, message);
                        continue;
                    }
                };
                if self.by_key.contains_key(&key) {
                    continue;
                }
                if self.documents.len() >= MAX_EXTERNAL_DOCUMENTS {
                    diagnostics.warn(
                        at,
                        format!("more than {MAX_EXTERNAL_DOCUMENTS} external documents; `{reference}` not loaded"),
                    );
                    continue;
                }
                match self.fetch(&key) {
                    Ok((base, bytes)) => match document::parse(&bytes, &key) {
                        Ok(value) => {
                            let id = DocId(self.documents.len());
                            self.documents.push(Document {
                                label: key.clone(),
                                base,
                                value,
                            });
                            self.by_key.insert(key, id);
                            queue.push_back(id);
                        }
                        Err(error) => diagnostics.warn(at, error.to_string()),
                    },
                    Err(message) => diagnostics.warn(at, message),
                }
            }
        }
    }

    /// Read one external document, applying the policy.
    fn fetch(&self, key: &str) -> Result<(Base, Vec<u8>), String> {
        if is_remote(key) {
            let Some(fetcher) = &self.policy.remote else {
                return Err(format!(
                    "`{key}` is a remote reference; remote references are off (enable them explicitly)"
                ));
            };
            let bytes = fetcher(key).map_err(|e| format!("cannot fetch `{key}`: {e}"))?;
            return Ok((Base::Url(key.to_owned()), bytes));
        }
        if !self.policy.local_files {
            return Err(format!(
                "`{key}` is a file reference; file references are off"
            ));
        }
        let path = PathBuf::from(key);
        let inside = self
            .confinement
            .as_deref()
            .is_some_and(|dir| path.starts_with(dir));
        if !inside {
            return Err(format!(
                "`{key}` is outside the spec's directory; file references must stay inside it"
            ));
        }
        let bytes = crate::input::read_regular_file(&path, self.policy.max_document_bytes)
            .map_err(|e| format!("cannot read `{key}`: {}", e.with_cause()))?;
        Ok((Base::File(path), bytes))
    }
}

/// Every `$ref` string in `value` that names another document, with its pointer.
fn collect_external_refs(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "$ref"
                    && let Some(reference) = item.as_str()
                    && !split_ref(reference).0.is_empty()
                {
                    out.push((pointer.to_owned(), reference.to_owned()));
                } else if matches!(item, Value::Object(_) | Value::Array(_)) {
                    collect_external_refs(item, &crate::error::push_pointer(pointer, key), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_external_refs(item, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// `a.yaml#/x` → (`a.yaml`, `/x`).
fn split_ref(reference: &str) -> (&str, &str) {
    match reference.split_once('#') {
        Some((location, fragment)) => (location, fragment),
        None => (reference, ""),
    }
}

fn strip_fragment(url: &str) -> &str {
    split_ref(url).0
}

fn is_remote(location: &str) -> bool {
    let lower = location.get(..8).unwrap_or(location).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Resolve a relative reference against a base URL (RFC 3986, the common cases).
fn join_url(base: &str, relative: &str) -> String {
    let base = strip_fragment(base);
    let base = base.split_once('?').map_or(base, |(b, _)| b);
    let Some(scheme_end) = base.find("://") else {
        return relative.to_owned();
    };
    let authority_end = base[scheme_end + 3..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + 3 + i);
    let origin = &base[..authority_end];
    let mut segments: Vec<&str> = if relative.starts_with('/') {
        Vec::new()
    } else {
        let path = &base[authority_end..];
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    format!("{origin}/{}", segments.join("/"))
}

fn absolute_path(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|dir| dir.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// The canonical path when it exists, else the lexically normalized absolute path (so a
/// missing file still gets a stable key and a clear "cannot read" message).
fn canonical_or_self(path: &Path) -> PathBuf {
    if let Ok(canonical) = path.canonicalize() {
        return canonical;
    }
    let mut normalized = PathBuf::new();
    for component in absolute_path(path).components() {
        match component {
            std::path::Component::ParentDir => {
                normalized.pop();
            }
            std::path::Component::CurDir => {}
            other => normalized.push(other),
        }
    }
    normalized
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resolver(root: Value) -> Resolver {
        Resolver::new(
            root,
            Origin::inline("spec"),
            ExternalRefs::default(),
            &mut Diagnostics::default(),
        )
    }

    #[test]
    fn pointers_resolve_anywhere_in_the_document() {
        let r = resolver(json!({
            "paths": {"/a/{id}": {"get": {"parameters": [{"name": "id", "in": "path"}]}}},
            "components": {"schemas": {"A~B": {"type": "string"}}}
        }));
        let (_, value) = r
            .lookup(r.root_id(), "#/paths/~1a~1%7Bid%7D/get/parameters/0")
            .expect("found");
        assert_eq!(value["name"], "id");
        let (target, value) = r
            .lookup(r.root_id(), "#/components/schemas/A~0B")
            .expect("escaped");
        assert_eq!(value["type"], "string");
        assert_eq!(target.pointer, "/components/schemas/A~0B");
        let err = r
            .lookup(r.root_id(), "#/components/schemas/Missing")
            .expect_err("missing");
        assert!(err.contains("points to nothing"), "{err}");
        assert!(r.lookup(r.root_id(), "#anchor").is_err());
    }

    #[test]
    fn chains_are_followed_and_cycles_stop() {
        let r = resolver(json!({
            "a": {"$ref": "#/b"}, "b": {"$ref": "#/c"}, "c": {"x": 1},
            "loop1": {"$ref": "#/loop2"}, "loop2": {"$ref": "#/loop1"}
        }));
        let (_, pointer, value) = r.follow(r.root_id(), "/a", &r.root()["a"]).expect("chain");
        assert_eq!((pointer.as_str(), value["x"].as_i64()), ("/c", Some(1)));
        let err = r
            .follow(r.root_id(), "/loop1", &r.root()["loop1"])
            .expect_err("cycle");
        assert!(err.contains("cycle"));
    }

    #[test]
    fn file_refs_load_inside_the_directory_only() {
        let dir = std::env::temp_dir().join(format!("rest-mcp-refs-{}", std::process::id()));
        let sub = dir.join("spec");
        std::fs::create_dir_all(sub.join("parts")).expect("mkdir");
        std::fs::write(sub.join("parts/pet.yaml"), "Pet:\n  type: object\n").expect("write");
        std::fs::write(dir.join("secret.json"), "{\"token\": 1}").expect("write");
        let root = json!({
            "a": {"$ref": "parts/pet.yaml#/Pet"},
            "b": {"$ref": "../secret.json"},
            "c": {"$ref": "https://example.com/x.json"}
        });
        let mut diagnostics = Diagnostics::default();
        let r = Resolver::new(
            root,
            Origin::File(sub.join("openapi.json")),
            ExternalRefs::default(),
            &mut diagnostics,
        );
        let (_, value) = r
            .lookup(r.root_id(), "parts/pet.yaml#/Pet")
            .expect("file ref");
        assert_eq!(value["type"], "object");
        assert!(r.lookup(r.root_id(), "../secret.json").is_err());
        let messages: Vec<String> = diagnostics
            .into_vec()
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("outside the spec's directory")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("remote references are off")),
            "{messages:?}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn remote_refs_use_the_fetcher_when_given() {
        let policy = ExternalRefs {
            local_files: false,
            max_document_bytes: crate::DEFAULT_MAX_SPEC_BYTES,
            remote: Some(std::sync::Arc::new(|url: &str| {
                if url == "https://api.test/schemas/pet.json" {
                    Ok(
                        br#"{"Pet": {"type": "object", "x": {"$ref": "common.json#/Id"}}}"#
                            .to_vec(),
                    )
                } else if url == "https://api.test/schemas/common.json" {
                    Ok(br#"{"Id": {"type": "integer"}}"#.to_vec())
                } else {
                    Err(format!("unexpected {url}"))
                }
            })),
        };
        let r = Resolver::new(
            json!({"a": {"$ref": "schemas/pet.json#/Pet"}}),
            Origin::Url("https://api.test/openapi.json".into()),
            policy,
            &mut Diagnostics::default(),
        );
        let (target, value) = r
            .lookup(r.root_id(), "schemas/pet.json#/Pet")
            .expect("remote");
        assert_eq!(value["type"], "object");
        let (_, id) = r
            .lookup(target.doc, "common.json#/Id")
            .expect("nested relative");
        assert_eq!(id["type"], "integer");
    }

    #[test]
    fn urls_join_like_rfc3986() {
        assert_eq!(
            join_url("https://h/a/b/spec.json", "x.json"),
            "https://h/a/b/x.json"
        );
        assert_eq!(
            join_url("https://h/a/b/spec.json", "../x.json"),
            "https://h/a/x.json"
        );
        assert_eq!(
            join_url("https://h/a/spec.json", "/root.json"),
            "https://h/root.json"
        );
        assert_eq!(join_url("https://h", "x.json"), "https://h/x.json");
    }
}
