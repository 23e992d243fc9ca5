//! Turn any REST API description into one model of MCP tools.
//!
//! `rest-mcp-openapi` reads OpenAPI 3.0 and 3.1, Swagger 2.0 (JSON or YAML) and the
//! TOML endpoint list of rest-mcp, and produces an [`ApiModel`]: one [`Operation`] per
//! tool, with a valid unique tool name, every `$ref` inlined, schemas normalized to JSON
//! Schema 2020-12, and a table that maps each tool argument back to where it travels in
//! the HTTP request. It is pure and synchronous, so the `rest-mcp` runtime uses it at
//! start-up and the `include_openapi!` macro uses it inside the compiler.
//!
//! ```
//! use rest_mcp_openapi::{LoadOptions, Origin, load};
//!
//! let spec = r#"
//! openapi: 3.0.3
//! info: { title: Pets, version: "1" }
//! paths:
//!   /pets/{petId}:
//!     get:
//!       operationId: getPetById
//!       parameters:
//!         - { name: petId, in: path, required: true, schema: { type: integer } }
//!       responses:
//!         "200":
//!           description: A pet
//!           content:
//!             application/json:
//!               schema: { type: object, properties: { name: { type: string } } }
//! "#;
//! let loaded = load(spec.as_bytes(), Origin::inline("pets.yaml"), &LoadOptions::default())?;
//! let tool = loaded.model.operations[0].tool_definition();
//! assert_eq!(tool.name, "get_pet_by_id");
//! assert_eq!(tool.input_schema["required"][0], "petId");
//! assert!(tool.annotations.read_only_hint);
//! # Ok::<(), rest_mcp_openapi::LoadError>(())
//! ```
//!
//! Problems that stop loading are a [`LoadError`] naming the file, the JSON pointer and
//! what is wrong. Problems that only degrade a tool (a media type that cannot be
//! represented, a recursive schema that was cut) come back as [`Diagnostic`]s beside the
//! model. Nothing is ever dropped silently, and no input makes this crate panic.

#![forbid(unsafe_code)]

/// This crate's README (what crates.io shows), its example compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExample;

mod arguments;
mod builder;
mod description;
mod dialect;
mod document;
mod draft;
mod error;
mod filter;
mod headers;
mod input;
mod lower;
mod manual;
mod media;
mod model;
mod naming;
mod options;
mod path_template;
mod refs;
mod schema;
mod swagger2;
mod tool;

use std::path::{Path, PathBuf};

pub use builder::OperationBuilder;
pub use description::compact_description;
pub use dialect::{SchemaDialect, UnknownDialect, restore_arguments};
pub use error::{Diagnostic, LoadError, Severity, SourceRef};
pub use headers::{is_credential_header, is_transport_header};
pub use input::{
    DEFAULT_MAX_SPEC_BYTES, ReadSpecError, read_bounded, read_regular_file, size_text,
};
pub use media::media_type_essence;
pub use model::{
    Annotations, ApiModel, Argument, ArgumentTarget, BodyEncoding, BodyField, BodyMapping,
    HttpMethod, Operation, ParamLocation, ParamStyle, Parameter, RequestBody, SecurityRequirement,
    SecurityScheme, SecuritySchemeKind, Server, ServerVariable, SpecVersion, SuccessResponse,
};
pub use naming::{MAX_TOOL_NAME, is_valid_tool_name, snake_case};
pub use options::{ExternalRefs, Filters, LoadOptions, NamingOptions, RemoteFetcher, SchemaLimits};
pub use path_template::{PathTemplate, TemplateError, TemplateErrorKind, TemplatePiece};
pub use tool::{ToolAnnotations, ToolDefinition};

/// Where spec bytes came from; decides how relative `$ref`s resolve and what errors say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A file on disk; relative file refs resolve against its directory.
    File(PathBuf),
    /// An `http(s)` URL; relative refs resolve against it (through the remote fetcher).
    Url(String),
    /// In-memory text with a label for messages; external refs are refused.
    Inline(String),
}

impl Origin {
    /// In-memory input labelled `label` in messages.
    pub fn inline(label: impl Into<String>) -> Origin {
        Origin::Inline(label.into())
    }

    /// How the origin is named in messages.
    pub fn label(&self) -> String {
        match self {
            Origin::File(path) => path.display().to_string(),
            Origin::Url(url) => url.clone(),
            Origin::Inline(label) => label.clone(),
        }
    }
}

/// A loaded model and what was noticed while building it.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The model.
    pub model: ApiModel,
    /// Problems that did not stop loading, in the order they were found.
    pub diagnostics: Vec<Diagnostic>,
    /// Other local files the spec's `$ref`s read, so a build can be redone when one of
    /// them changes (`include_openapi!` tracks each of them).
    pub local_files: Vec<std::path::PathBuf>,
}

/// Load a spec (OpenAPI 3.0/3.1 or Swagger 2.0, JSON or YAML) from bytes. A JSON or YAML
/// document of the form `{"endpoints": [...]}` is read as the endpoint list that
/// [`load_manual`] reads from TOML.
pub fn load(bytes: &[u8], origin: Origin, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let label = origin.label();
    let root = document::parse(bytes, &label)?;
    if document::is_endpoint_list(&root) {
        return manual::load_value(root, &label, options);
    }
    let version = document::detect_version(&root, &label)?;
    let mut diagnostics = error::Diagnostics::default();
    let root = match version {
        SpecVersion::Swagger2 => swagger2::convert(root, &label, &mut diagnostics)?,
        _ => root,
    };
    let mut resolver = refs::Resolver::new(
        root,
        origin,
        options.external_refs.clone(),
        &mut diagnostics,
    );
    if version == SpecVersion::Swagger2 {
        resolver.map_root_pointers(swagger2::original_pointer);
    }
    let model = lower::lower(&resolver, version, options, &mut diagnostics)?;
    Ok(Loaded {
        model,
        diagnostics: diagnostics.into_vec(),
        local_files: resolver.local_files(),
    })
}

/// Read a spec file and load it; relative file refs resolve against its directory.
pub fn load_path(path: &Path, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| {
        LoadError::new(
            SourceRef::new(path.display().to_string(), ""),
            format!("cannot read the spec file: {e}"),
        )
    })?;
    load(&bytes, Origin::File(path.to_path_buf()), options)
}

/// Load the TOML endpoint list (`[[endpoints]]`, PRD §4.2) into the same model. Keys other
/// than `endpoints` (base URL, headers, auth, ...) belong to the runtime and are ignored.
pub fn load_manual(text: &str, origin: Origin, options: &LoadOptions) -> Result<Loaded, LoadError> {
    manual::load(text, &origin.label(), options)
}
