//! Conformance of the spec loader against real-world documents vendored (gzipped) in
//! `tests/fixtures`: GitHub, Stripe, Kubernetes, Vercel, Scalar Galaxy, the petstores in
//! three versions and a few small edge cases (see `tests/fixtures/README.md`).
//!
//! For every spec, with default options:
//! - one tool per operation of the raw document (path-item `$ref`s followed, operations
//!   marked `x-rest-mcp-hidden: true` left out), matched by method and path;
//! - tool names valid (`is_valid_tool_name`) and unique;
//! - no `$ref` / `$dynamicRef` left in any input or output schema;
//! - every operation with a raw body (3.x `requestBody`, 2.0 `in: body` / `in: formData`
//!   parameters, path-level or `$ref`'d included) has a `request_body` whose arguments are
//!   properties of the input schema;
//! - the tools served (`tools/list`) are the model's tool definitions;
//! - input and output schemas have an object root, are valid against the JSON Schema
//!   2020-12 meta-schema and compile as validators;
//! - every served output schema accepts the responses the raw spec allows: its examples
//!   and instances generated from the raw response schema (see `output_instances`).
//!
//! Every expectation (operation counts, which operations carry a body, filtered counts) is
//! computed here from the raw document, never taken from the loader. Each spec is its own
//! test so a failure names the spec; all problems of one spec are collected and reported
//! together. Run with `--nocapture` to see the per-spec figures.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use flate2::read::GzDecoder;
use rest_mcp::openapi::{
    BodyMapping, Filters, LoadOptions, Loaded, NamingOptions, Operation, Origin, Severity,
    ToolDefinition, is_valid_tool_name, load,
};
use serde_json::{Value, json};

#[path = "corpus/output_instances.rs"]
mod output_instances;

/// The keys of a path item that are operations.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Methods that are read-only by HTTP semantics.
const SAFE_METHODS: [&str; 4] = ["get", "head", "options", "trace"];

/// How many problems of one spec are listed in the panic message.
const MAX_LISTED: usize = 40;

/// Schema keywords whose values are instances, not schemas (a `$ref` key in an example is
/// data, not a reference).
const INSTANCE_KEYWORDS: [&str; 5] = ["default", "enum", "const", "example", "examples"];

/// Schema keywords whose value is a map from names to schemas.
const SCHEMA_MAP_KEYWORDS: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

// ---------------------------------------------------------------------------------------
// One test per corpus spec.
// ---------------------------------------------------------------------------------------

#[test]
fn github() {
    check_conformance("github.json.gz");
}

#[test]
fn stripe() {
    check_conformance("stripe.json.gz");
}

#[test]
fn kubernetes() {
    check_conformance("kubernetes.json.gz");
}

#[test]
fn vercel() {
    check_conformance("vercel.json.gz");
}

#[test]
fn galaxy() {
    check_conformance("galaxy.yaml.gz");
}

#[test]
fn petstore_swagger_2_0() {
    check_conformance("petstore-2.0.json.gz");
}

#[test]
fn petstore_openapi_3_0() {
    check_conformance("petstore-3.0.yaml.gz");
}

#[test]
fn petstore_openapi_3_1() {
    check_conformance("petstore-3.1.json.gz");
}

#[test]
fn circular() {
    check_conformance("circular.json.gz");
}

#[test]
fn form_data() {
    check_conformance("form-data.json.gz");
}

#[test]
fn file_uploads() {
    check_conformance("file-uploads.json.gz");
}

#[test]
fn parameters_style() {
    check_conformance("parameters-style.json.gz");
}

#[test]
fn extensions() {
    check_conformance("extensions.yaml");
}

/// The extensions fixture really uses every `x-rest-mcp-*` extension, so the checks for
/// them (hidden operations left out, names, hints) run on something.
#[test]
fn the_extensions_fixture_exercises_every_extension() {
    let file = "extensions.yaml";
    let bytes = fixture_bytes(file);
    let doc = parse_raw(file, &bytes);
    let raw = raw_operations(&doc);
    let hidden: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| METHODS.iter().filter_map(move |m| item.get(*m)))
        .filter(|op| op.get("x-rest-mcp-hidden") == Some(&Value::Bool(true)))
        .filter_map(|op| op["operationId"].as_str().map(str::to_owned))
        .collect();
    assert!(!hidden.is_empty(), "no hidden operation");
    assert!(raw.iter().any(|op| op.explicit_name.is_some()));
    assert!(raw.iter().any(|op| op.annotations.is_some()));
    let (loaded, _) = load_fixture(file, &bytes, &LoadOptions::default());
    for op in &loaded.model.operations {
        assert!(
            op.operation_id
                .as_ref()
                .is_none_or(|id| !hidden.contains(id)),
            "hidden operation {} became a tool",
            op.tool_name
        );
    }
}

/// Filters by tag and read-only on GitHub; the expected count comes from the raw spec.
#[test]
fn github_filtered_by_tag_and_read_only() {
    let file = "github.json.gz";
    let bytes = fixture_bytes(file);
    let raw = raw_operations(&parse_raw(file, &bytes));
    let options = LoadOptions {
        filters: Filters {
            include_tags: vec!["repos".into()],
            read_only: true,
            ..Filters::default()
        },
        ..LoadOptions::default()
    };
    let (loaded, elapsed) = load_fixture(file, &bytes, &options);

    let expected = raw
        .iter()
        .filter(|op| op.tags.iter().any(|t| t == "repos") && op.is_safe())
        .count();
    let operations = &loaded.model.operations;
    println!(
        "{file} [include_tags=repos, read_only]: expected {expected}, tools {}, load {elapsed:.2?}",
        operations.len()
    );
    let mut failures = Failures::new(format!("{file} [include_tags=repos, read_only]"));
    if operations.len() != expected {
        failures.push(format!(
            "tool count {} != {expected} raw GET/HEAD/OPTIONS/TRACE operations tagged `repos`",
            operations.len()
        ));
    }
    for op in operations {
        if !op.tags.iter().any(|t| t == "repos") || !op.method.is_safe() {
            failures.push(format!(
                "{} ({} {}) passed the filter with tags {:?}",
                op.tool_name, op.method, op.path, op.tags
            ));
        }
    }
    failures.finish();
}

/// A prefix and a short maximum length on GitHub: names stay valid, prefixed and unique.
#[test]
fn github_prefixed_and_shortened_names() {
    let file = "github.json.gz";
    let max_length = 40;
    let bytes = fixture_bytes(file);
    let expected = raw_operations(&parse_raw(file, &bytes)).len();
    let options = LoadOptions {
        naming: NamingOptions {
            prefix: Some("gh".into()),
            max_length,
        },
        ..LoadOptions::default()
    };
    let (loaded, elapsed) = load_fixture(file, &bytes, &options);
    let operations = &loaded.model.operations;
    println!(
        "{file} [prefix=gh, max_length={max_length}]: expected {expected}, tools {}, load {elapsed:.2?}",
        operations.len()
    );

    let mut failures = Failures::new(format!("{file} [prefix=gh, max_length={max_length}]"));
    if operations.len() != expected {
        failures.push(format!(
            "tool count {} != {expected} raw operations",
            operations.len()
        ));
    }
    check_names(operations, &mut failures);
    for op in operations {
        if !op.tool_name.starts_with("gh_") || op.tool_name.len() > max_length {
            failures.push(format!(
                "{} ({} {}): not `gh_…` of at most {max_length} characters",
                op.tool_name, op.method, op.path
            ));
        }
    }
    failures.finish();
}

/// The checks themselves catch what they are meant to (so a green run means something).
#[test]
fn checks_catch_known_faults() {
    let reference = json!({"properties": {"a": {"items": {"$ref": "#/x"}}}});
    assert_eq!(
        find_reference(&reference, String::new()).as_deref(),
        Some("/properties/a/items/$ref")
    );
    let not_references = json!({
        "properties": {"$ref": {"type": "string", "examples": [{"$ref": "data"}]}},
        "default": {"$ref": "data"}
    });
    assert_eq!(find_reference(&not_references, String::new()), None);

    let mut failures = Failures::new("self-test".into());
    let faulty = [
        json!({"type": "file"}),
        json!({"required": true}),
        json!({"$ref": "#/a"}),
        json!({"pattern": "("}),
    ];
    for schema in &faulty {
        check_schema("t", "input", schema, &mut failures);
    }
    // The dangling `$ref` is reported twice: as a reference and as not compiling.
    assert_eq!(failures.items.len(), 5, "{:#?}", failures.items);
}

/// The output-schema proof fails a served schema that rejects valid data, and skips (does
/// not fail) a spec example its own schema rejects.
#[test]
fn the_output_proof_catches_a_rejecting_schema_and_skips_bad_examples() {
    let spec = json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/things/{id}": {"get": {
            "operationId": "getThing",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
                "example": {"id": "not an integer"}
            }}}}
        }}}
    });
    let bytes = serde_json::to_vec(&spec).expect("serializes");
    let (loaded, _) = load_fixture("inline.json", &bytes, &LoadOptions::default());
    let operations = &loaded.model.operations;
    let mut tools = served_tools(operations);

    let mut failures = Failures::new("self-test".into());
    let figures = output_instances::check("inline", &spec, operations, &tools, &mut failures);
    assert_eq!((figures.tools, figures.rejected), (1, 0), "{figures:?}");
    assert!(figures.checked > 0 && figures.skipped == 1, "{figures:?}");
    assert!(failures.items.is_empty(), "{:#?}", failures.items);

    tools[0].output_schema =
        Some(json!({"type": "object", "properties": {"id": {"type": "string"}}}));
    let figures = output_instances::check("inline", &spec, operations, &tools, &mut failures);
    assert_eq!(figures.rejected, figures.checked, "{figures:?}");
    assert!(figures.rejected > 0, "{figures:?}");
    assert!(
        failures.items[0].contains("get_thing") && failures.items[0].contains("at /id"),
        "{:#?}",
        failures.items
    );
}

// ---------------------------------------------------------------------------------------
// The conformance check shared by every spec.
// ---------------------------------------------------------------------------------------

/// Load `file` with default options and check every property listed in the module docs.
fn check_conformance(file: &str) {
    let bytes = fixture_bytes(file);
    let doc = parse_raw(file, &bytes);
    let raw = raw_operations(&doc);
    let (loaded, elapsed) = load_fixture(file, &bytes, &LoadOptions::default());
    let operations = &loaded.model.operations;
    let tools = served_tools(operations);

    print_figures(file, bytes.len(), raw.len(), &loaded, &tools, elapsed);

    let mut failures = Failures::new(file.to_string());
    if tools != loaded.model.tool_definitions() {
        failures.push("the served tools differ from the model's tool definitions".into());
    }
    if operations.len() != raw.len() {
        failures.push(format!(
            "tool count {} != {} raw operations (not hidden)",
            operations.len(),
            raw.len()
        ));
    }
    check_same_operations(&raw, operations, &mut failures);
    check_names(operations, &mut failures);
    check_bodies(&raw, operations, &mut failures);
    check_extensions(&raw, operations, &mut failures);
    for tool in &tools {
        check_tool_schemas(tool, &mut failures);
    }
    let start = Instant::now();
    let proof = output_instances::check(file, &doc, operations, &tools, &mut failures);
    println!(
        "{file}: output schemas: tools {}, instances checked {}, skipped {} (invalid against \
         the raw schema), tools without a usable raw schema {}, rejected {}, in {:.2?}",
        proof.tools,
        proof.checked,
        proof.skipped,
        proof.unusable,
        proof.rejected,
        start.elapsed()
    );
    failures.finish();
}

/// The tools exactly as rest-mcp serves them in `tools/list` (each operation compiled into
/// the runtime's endpoint), read back into the loader's wire view.
fn served_tools(operations: &[Operation]) -> Vec<ToolDefinition> {
    operations
        .iter()
        .map(|op| {
            let endpoint = rest_mcp::Endpoint::new(op.clone())
                .unwrap_or_else(|e| panic!("{}: does not compile: {e}", op.tool_name));
            let served = serde_json::to_value(endpoint.tool()).expect("a tool serializes");
            serde_json::from_value(served).expect("a served tool reads as a ToolDefinition")
        })
        .collect()
}

/// Print the figures of one load (visible with `--nocapture`).
fn print_figures(
    file: &str,
    input_bytes: usize,
    raw_count: usize,
    loaded: &Loaded,
    tools: &[ToolDefinition],
    elapsed: Duration,
) {
    let warnings = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let serialized = serde_json::to_string(tools)
        .expect("tool definitions serialize")
        .len();
    println!(
        "{file}: input {input_bytes} bytes, operations {raw_count}, tools {}, diagnostics {} \
         ({warnings} warnings), tool definitions {serialized} bytes, load {elapsed:.2?}",
        tools.len(),
        loaded.diagnostics.len(),
    );
}

/// Every raw operation has a model operation with the same method and path, and back.
fn check_same_operations(raw: &[RawOperation], operations: &[Operation], failures: &mut Failures) {
    let raw_keys: HashSet<(String, String)> = raw.iter().map(RawOperation::key).collect();
    let model_keys: HashSet<(String, String)> = operations.iter().map(model_key).collect();
    for op in raw {
        if !model_keys.contains(&op.key()) {
            failures.push(format!(
                "{} {}: raw operation has no tool",
                op.method, op.path
            ));
        }
    }
    for op in operations {
        if !raw_keys.contains(&model_key(op)) {
            failures.push(format!(
                "{} ({} {}): tool has no raw operation with that method and path",
                op.tool_name, op.method, op.path
            ));
        }
    }
}

/// Tool names are valid MCP names and unique.
fn check_names(operations: &[Operation], failures: &mut Failures) {
    let mut seen = HashSet::new();
    for op in operations {
        if !is_valid_tool_name(&op.tool_name) {
            failures.push(format!(
                "{:?} ({} {}): invalid tool name",
                op.tool_name, op.method, op.path
            ));
        }
        if !seen.insert(op.tool_name.as_str()) {
            failures.push(format!(
                "{} ({} {}): duplicate tool name",
                op.tool_name, op.method, op.path
            ));
        }
    }
}

/// Every raw operation with a body has a request body that carries every top-level
/// property the raw document declares for it (read from the raw document, not from the
/// loader's mapping), through arguments that exist in the input schema.
fn check_bodies(raw: &[RawOperation], operations: &[Operation], failures: &mut Failures) {
    let by_key: HashMap<(String, String), &Operation> =
        operations.iter().map(|op| (model_key(op), op)).collect();
    for raw_op in raw.iter().filter(|op| op.has_body) {
        let Some(op) = by_key.get(&raw_op.key()) else {
            continue; // reported by check_same_operations
        };
        let Some(body) = &op.request_body else {
            failures.push(format!(
                "{} ({} {}): raw operation declares a body but request_body is None",
                op.tool_name, op.method, op.path
            ));
            continue;
        };
        let input = op.input_schema();
        for argument in body_arguments(&body.mapping) {
            if input["properties"].get(argument).is_none() {
                failures.push(format!(
                    "{} ({} {}): body argument `{argument}` ({}) missing from input properties",
                    op.tool_name, op.method, op.path, body.media_type
                ));
            }
        }
        let declared = raw_op
            .body_properties
            .get(&body.media_type.to_ascii_lowercase())
            .or_else(|| raw_op.body_properties.get(""));
        let Some(declared) = declared else {
            failures.push(format!(
                "{} ({} {}): the body's media type {} is not one the raw document declares ({:?})",
                op.tool_name,
                op.method,
                op.path,
                body.media_type,
                raw_op.body_properties.keys().collect::<Vec<_>>()
            ));
            continue;
        };
        let carried: Vec<String> = match &body.mapping {
            BodyMapping::Flattened { fields } => {
                fields.iter().map(|f| f.property.clone()).collect()
            }
            BodyMapping::Whole { argument, .. } => input["properties"]
                .get(argument)
                .map(|schema| emitted_properties(schema, 0))
                .unwrap_or_default(),
        };
        let dropped: Vec<&String> = declared
            .iter()
            .filter(|name| !carried.contains(name))
            .collect();
        if !dropped.is_empty() {
            failures.push(format!(
                "{} ({} {}): body properties {dropped:?} of the raw document ({}) are carried by no argument",
                op.tool_name, op.method, op.path, body.media_type
            ));
        }
    }
}

/// The top-level property names an emitted (reference-free) schema has room for: its
/// `properties` and those of its `allOf` members.
fn emitted_properties(schema: &Value, depth: usize) -> Vec<String> {
    let mut names: Vec<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default();
    if depth < 8
        && let Some(members) = schema.get("allOf").and_then(Value::as_array)
    {
        for member in members {
            names.extend(emitted_properties(member, depth + 1));
        }
    }
    names
}

/// `x-rest-mcp-name` names the tool (when it is a valid name already) and
/// `x-rest-mcp-annotations` sets the hints it names. (`x-rest-mcp-hidden` operations are
/// left out of `raw`, so `check_same_operations` reports any that became tools.)
fn check_extensions(raw: &[RawOperation], operations: &[Operation], failures: &mut Failures) {
    let by_key: HashMap<(String, String), &Operation> =
        operations.iter().map(|op| (model_key(op), op)).collect();
    for raw_op in raw {
        let Some(op) = by_key.get(&raw_op.key()) else {
            continue; // reported by check_same_operations
        };
        if let Some(name) = &raw_op.explicit_name
            && is_valid_tool_name(name)
            && op.tool_name != *name
        {
            failures.push(format!(
                "{} {}: x-rest-mcp-name is `{name}` but the tool is `{}`",
                raw_op.method, raw_op.path, op.tool_name
            ));
        }
        let Some(hints) = raw_op.annotations.as_ref().and_then(Value::as_object) else {
            continue;
        };
        let actual = [
            ("readOnlyHint", op.annotations.read_only),
            ("destructiveHint", op.annotations.destructive),
            ("idempotentHint", op.annotations.idempotent),
            ("openWorldHint", op.annotations.open_world),
        ];
        for (hint, value) in actual {
            if let Some(wanted) = hints.get(hint).and_then(Value::as_bool)
                && wanted != value
            {
                failures.push(format!(
                    "{} ({} {}): x-rest-mcp-annotations sets {hint} to {wanted}, the tool has {value}",
                    op.tool_name, raw_op.method, raw_op.path
                ));
            }
        }
    }
}

/// The tool arguments that carry a body.
fn body_arguments(mapping: &BodyMapping) -> Vec<&str> {
    match mapping {
        BodyMapping::Flattened { fields } => fields.iter().map(|f| f.argument.as_str()).collect(),
        BodyMapping::Whole { argument, .. } => vec![argument.as_str()],
    }
}

/// Input and output schemas: object roots, no references, valid 2020-12, compilable.
fn check_tool_schemas(tool: &ToolDefinition, failures: &mut Failures) {
    if tool.input_schema.get("type") != Some(&Value::from("object")) {
        failures.push(format!(
            "{}: input schema root is not {{\"type\":\"object\"}}: {}",
            tool.name,
            excerpt(&tool.input_schema)
        ));
    }
    check_schema(&tool.name, "input", &tool.input_schema, failures);
    if let Some(output) = &tool.output_schema {
        // MCP requires `outputSchema` to describe an object (structuredContent).
        if output.get("type") != Some(&Value::from("object")) {
            failures.push(format!(
                "{}: output schema root is not {{\"type\":\"object\"}}: {}",
                tool.name,
                excerpt(output)
            ));
        }
        check_schema(&tool.name, "output", output, failures);
    }
}

/// One emitted schema: no `$ref`, valid against the 2020-12 meta-schema, compiles.
fn check_schema(tool: &str, which: &str, schema: &Value, failures: &mut Failures) {
    if let Some(at) = find_reference(schema, String::new()) {
        failures.push(format!(
            "{tool}: {which} schema has a reference at {at}: {}",
            excerpt(pointer_or_null(schema, &at))
        ));
    }
    if let Err(error) = jsonschema::draft202012::meta::validate(schema) {
        let at = error.instance_path().to_string();
        failures.push(format!(
            "{tool}: {which} schema is not valid 2020-12 at {at}: {error}; excerpt: {}",
            excerpt(pointer_or_null(schema, &at))
        ));
        return;
    }
    if let Err(error) = jsonschema::draft202012::new(schema) {
        failures.push(format!(
            "{tool}: {which} schema does not compile as a validator: {error}"
        ));
    }
}

/// The JSON pointer of the first `$ref` / `$dynamicRef` key in a schema, skipping values
/// that are instances (`default`, `enum`, `examples`, ...).
fn find_reference(schema: &Value, at: String) -> Option<String> {
    match schema {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| find_reference(item, format!("{at}/{i}"))),
        Value::Object(map) => {
            for (key, value) in map {
                let here = format!("{at}/{}", escape_pointer(key));
                if key == "$ref" || key == "$dynamicRef" {
                    return Some(here);
                }
                if INSTANCE_KEYWORDS.contains(&key.as_str()) {
                    continue;
                }
                let found = if SCHEMA_MAP_KEYWORDS.contains(&key.as_str()) {
                    find_reference_in_map(value, &here)
                } else {
                    find_reference(value, here)
                };
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        _ => None,
    }
}

/// `find_reference` over the values of a name → schema map (names themselves may be
/// anything, even `$ref`).
fn find_reference_in_map(map: &Value, at: &str) -> Option<String> {
    map.as_object()?
        .iter()
        .find_map(|(name, schema)| find_reference(schema, format!("{at}/{}", escape_pointer(name))))
}

// ---------------------------------------------------------------------------------------
// The raw document, read independently of the loader.
// ---------------------------------------------------------------------------------------

/// One operation as the raw document declares it (hidden operations are left out).
struct RawOperation {
    /// Upper-case method.
    method: String,
    /// The path key.
    path: String,
    /// `tags` of the operation.
    tags: Vec<String>,
    /// Whether a request body is declared (3.x `requestBody`, 2.0 `body`/`formData`).
    has_body: bool,
    /// The top-level property names of the raw body for each media type (3.x), or under
    /// `""` for Swagger 2.0 (a `body` schema's properties, or the `formData` names).
    body_properties: HashMap<String, Vec<String>>,
    /// `x-rest-mcp-name`.
    explicit_name: Option<String>,
    /// `x-rest-mcp-annotations`.
    annotations: Option<Value>,
}

impl RawOperation {
    fn key(&self) -> (String, String) {
        (self.method.clone(), self.path.clone())
    }

    fn is_safe(&self) -> bool {
        SAFE_METHODS.contains(&self.method.to_lowercase().as_str())
    }
}

/// The (method, path) key of a model operation.
fn model_key(op: &Operation) -> (String, String) {
    (op.method.to_string(), op.path.to_string())
}

/// Every operation of the raw document that is not `x-rest-mcp-hidden: true`.
fn raw_operations(doc: &Value) -> Vec<RawOperation> {
    let swagger2 = doc.get("swagger").is_some();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut operations = Vec::new();
    for (path, item) in paths {
        let item = resolve(doc, item);
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            if op.get("x-rest-mcp-hidden") == Some(&Value::Bool(true)) {
                continue;
            }
            let has_body = if swagger2 {
                has_swagger2_body(doc, item, op)
            } else {
                op.get("requestBody").is_some()
            };
            let body_properties = if swagger2 {
                HashMap::from([(String::new(), swagger2_body_properties(doc, item, op))])
            } else {
                openapi3_body_properties(doc, op)
            };
            operations.push(RawOperation {
                method: method.to_uppercase(),
                path: path.clone(),
                tags: string_list(op.get("tags")),
                has_body,
                body_properties,
                explicit_name: op
                    .get("x-rest-mcp-name")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                annotations: op.get("x-rest-mcp-annotations").cloned(),
            });
        }
    }
    operations
}

/// Whether a Swagger 2.0 operation has an `in: body` or `in: formData` parameter, at the
/// path level or the operation level, directly or through `$ref`.
fn has_swagger2_body(doc: &Value, item: &Value, op: &Value) -> bool {
    swagger2_parameters(doc, item, op).into_iter().any(|p| {
        matches!(
            p.get("in").and_then(Value::as_str),
            Some("body" | "formData")
        )
    })
}

/// The parameters of a Swagger 2.0 operation and its path item, references followed.
fn swagger2_parameters<'a>(doc: &'a Value, item: &'a Value, op: &'a Value) -> Vec<&'a Value> {
    [item.get("parameters"), op.get("parameters")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .map(|p| resolve(doc, p))
        .collect()
}

/// The property names a Swagger 2.0 body carries: the `in: body` schema's properties, or
/// the names of the `in: formData` parameters.
fn swagger2_body_properties(doc: &Value, item: &Value, op: &Value) -> Vec<String> {
    let parameters = swagger2_parameters(doc, item, op);
    let mut names = Vec::new();
    for parameter in parameters {
        match parameter.get("in").and_then(Value::as_str) {
            Some("body") => {
                if let Some(schema) = parameter.get("schema") {
                    names.extend(schema_properties(doc, schema, 0));
                }
            }
            Some("formData") => {
                if let Some(name) = parameter.get("name").and_then(Value::as_str) {
                    names.push(name.to_owned());
                }
            }
            _ => {}
        }
    }
    names
}

/// For each media type of a 3.x `requestBody`, the top-level property names of its schema.
fn openapi3_body_properties(doc: &Value, op: &Value) -> HashMap<String, Vec<String>> {
    let Some(body) = op.get("requestBody").map(|b| resolve(doc, b)) else {
        return HashMap::new();
    };
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return HashMap::new();
    };
    content
        .iter()
        .map(|(media_type, media)| {
            let names = media
                .get("schema")
                .map(|schema| schema_properties(doc, schema, 0))
                .unwrap_or_default();
            (media_type.to_ascii_lowercase(), names)
        })
        .collect()
}

/// The property names a request may send at the top level of `schema`: its own
/// `properties` and those of its `allOf` members (references followed), except those
/// marked `readOnly` (OpenAPI: not sent in requests). `oneOf`/`anyOf` branches are
/// alternatives, so none of their names is required to be carried.
fn schema_properties(doc: &Value, schema: &Value, depth: usize) -> Vec<String> {
    let schema = resolve(doc, schema);
    let mut names: Vec<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .filter(|(_, property)| {
                    resolve(doc, property).get("readOnly") != Some(&Value::Bool(true))
                })
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    if depth < 8
        && let Some(members) = schema.get("allOf").and_then(Value::as_array)
    {
        for member in members {
            for name in schema_properties(doc, member, depth + 1) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names
}

/// Follow local `$ref`s (`#/…`) until a value that is not a reference.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let pointer = reference.strip_prefix('#').expect("corpus refs are local");
        value = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {reference} in the raw corpus"));
    }
    panic!("$ref chain longer than 32 in the raw corpus")
}

/// A JSON array of strings as a vector (anything else is empty).
fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Fixtures, loading and reporting.
// ---------------------------------------------------------------------------------------

/// The bytes of `tests/fixtures/<file>`, decompressed when it ends in `.gz`.
fn fixture_bytes(file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(file);
    let compressed =
        std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    if !file.ends_with(".gz") {
        return compressed;
    }
    let mut bytes = Vec::new();
    GzDecoder::new(compressed.as_slice())
        .read_to_end(&mut bytes)
        .unwrap_or_else(|e| panic!("gunzip {}: {e}", path.display()));
    bytes
}

/// The raw document as JSON, whether the fixture is JSON or YAML.
fn parse_raw(file: &str, bytes: &[u8]) -> Value {
    if file.contains(".yaml") {
        yaml_serde::from_slice(bytes).unwrap_or_else(|e| panic!("{file}: raw YAML: {e}"))
    } else {
        serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{file}: raw JSON: {e}"))
    }
}

/// Load a fixture, timing the load; a load error fails the test.
fn load_fixture(file: &str, bytes: &[u8], options: &LoadOptions) -> (Loaded, Duration) {
    let start = Instant::now();
    let loaded = load(bytes, Origin::inline(file), options)
        .unwrap_or_else(|e| panic!("{file}: load failed: {e}"));
    (loaded, start.elapsed())
}

/// The value at a JSON pointer, or `null` when the pointer does not resolve.
fn pointer_or_null<'a>(value: &'a Value, pointer: &str) -> &'a Value {
    const NULL: &Value = &Value::Null;
    value.pointer(pointer).unwrap_or(NULL)
}

/// Escape one JSON pointer token (RFC 6901).
fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A JSON value shortened for a failure message.
fn excerpt(value: &Value) -> String {
    const LIMIT: usize = 300;
    let text = value.to_string();
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The problems found in one spec, reported together at the end of its test.
struct Failures {
    spec: String,
    items: Vec<String>,
}

impl Failures {
    fn new(spec: String) -> Failures {
        Failures {
            spec,
            items: Vec::new(),
        }
    }

    fn push(&mut self, message: String) {
        self.items.push(message);
    }

    /// Panic listing the problems, if there are any.
    fn finish(self) {
        if self.items.is_empty() {
            return;
        }
        let listed: Vec<&str> = self
            .items
            .iter()
            .take(MAX_LISTED)
            .map(String::as_str)
            .collect();
        let more = self.items.len().saturating_sub(MAX_LISTED);
        panic!(
            "{}: {} conformance failure(s):\n  {}{}",
            self.spec,
            self.items.len(),
            listed.join("\n  "),
            if more > 0 {
                format!("\n  … and {more} more")
            } else {
                String::new()
            }
        );
    }
}
