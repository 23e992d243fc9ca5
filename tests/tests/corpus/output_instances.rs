//! Proof that served output schemas accept what the spec says a response may be.
//!
//! For every tool with an `outputSchema`, response instances are taken from the raw
//! document (the response's own `example` / `examples`, `$ref`s followed) and made by a
//! small deterministic generator that walks the RAW response schema (references
//! followed, each `oneOf`/`anyOf` branch chosen in turn, required and optional
//! properties, enums, basic formats, bounded depth and size). Each instance is first
//! checked against the raw schema itself, by an independent validator over the raw
//! document (JSON Schema draft 4 for Swagger 2.0 / OpenAPI 3.0, 2020-12 for 3.1, with
//! `nullable` read as "or null"): an instance the spec itself rejects is skipped and
//! counted. Every other instance, shaped as rest-mcp shapes `structuredContent` (a body
//! whose schema is not an object travels as `{"result": body}`), must be valid against
//! the served `outputSchema`; a rejection is a failure, since MCP clients would then
//! refuse a response the spec promised.

use std::collections::HashSet;

use jsonschema::{Draft, Registry, Validator};
use rest_mcp::openapi::{Operation, ToolDefinition};
use serde_json::{Map, Value, json};

use super::{Failures, METHODS, escape_pointer, excerpt};

/// The base URI the raw document is registered under for the raw-schema validator.
const RAW_URI: &str = "https://spec.invalid/raw.json";

/// At most this many generated instances per tool (on top of the spec's own examples).
const MAX_GENERATED: usize = 6;

/// At most this many of the spec's own examples per tool.
const MAX_EXAMPLES: usize = 4;

/// Optional properties are filled only this deep; below, only required ones.
const OPTIONAL_DEPTH: usize = 6;

/// Hard depth limit of a generated instance.
const MAX_DEPTH: usize = 14;

/// Values generated per instance before only required properties are filled.
const NODE_BUDGET: usize = 1500;

/// Per-spec figures of the proof.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Figures {
    /// Tools that declare an output schema.
    pub(crate) tools: usize,
    /// Instances validated against a served output schema.
    pub(crate) checked: usize,
    /// Instances the raw schema itself rejects (bad examples, unguessable patterns).
    pub(crate) skipped: usize,
    /// Tools whose raw response schema could not be found or compiled.
    pub(crate) unusable: usize,
    /// Instances valid against the raw schema that the served schema rejects.
    pub(crate) rejected: usize,
}

/// Run the proof over one spec, pushing every rejection into `failures`.
pub(crate) fn check(
    file: &str,
    doc: &Value,
    operations: &[Operation],
    tools: &[ToolDefinition],
    failures: &mut Failures,
) -> Figures {
    let verbose = std::env::var_os("CORPUS_SHOW_SKIPPED").is_some();
    let draft = raw_draft(doc);
    let oracle_doc = nullable_as_null(doc, draft);
    let registry = Registry::new()
        .draft(draft)
        .add(RAW_URI, &oracle_doc)
        .and_then(|builder| builder.prepare())
        .unwrap_or_else(|e| panic!("{file}: the raw document does not index as a schema: {e}"));
    let mut figures = Figures::default();
    let mut cases = Vec::new();
    for (op, tool) in operations.iter().zip(tools) {
        let Some(output) = &tool.output_schema else {
            continue;
        };
        figures.tools += 1;
        let raw = op
            .response
            .as_ref()
            .and_then(|response| Some((response, raw_response(doc, op, &response.media_type)?)));
        match raw {
            Some((response, raw)) => cases.push((op, tool, output, response.wrapped, raw)),
            None => figures.unusable += 1,
        }
    }
    let oracles = Oracles::new(draft, &registry, cases.iter().map(|case| &case.4));
    for (index, (op, tool, output, wrapped, raw)) in cases.iter().enumerate() {
        let Some(oracle) = oracles.get(index) else {
            figures.unusable += 1;
            continue;
        };
        let served = jsonschema::validator_for(output).unwrap_or_else(|e| {
            panic!("{file}: {}: output schema does not compile: {e}", tool.name)
        });
        for (origin, instance) in instances(doc, raw) {
            if let Err(error) = oracle.check(index, &instance) {
                if verbose {
                    println!(
                        "{file}: {}: skipped {origin}: the raw schema rejects it: {error}",
                        tool.name
                    );
                }
                figures.skipped += 1;
                continue;
            }
            figures.checked += 1;
            let problem = match structured_content(&instance, *wrapped) {
                Some(content) => served.validate(&content).err().map(|error| {
                    format!(
                        "at {}: {error} (schema {})",
                        error.instance_path(),
                        error.schema_path()
                    )
                }),
                None => Some(
                    "(a non-object body of an unwrapped schema gets no structured content)".into(),
                ),
            };
            if let Some(problem) = problem {
                figures.rejected += 1;
                failures.push(format!(
                    "{} ({} {}): the served output schema rejects {origin} {problem}; instance: {}",
                    tool.name,
                    op.method,
                    op.path,
                    excerpt(&instance)
                ));
            }
        }
    }
    figures
}

/// Validators of the raw response schemas. All of them are compiled as one schema (a
/// property per tool), so the references they share are compiled once; if that fails
/// (one schema the validator cannot compile), each is compiled alone.
enum Oracles {
    Shared(Validator),
    Each(Vec<Option<Validator>>),
}

/// One tool's raw-schema validator.
enum Oracle<'a> {
    Shared(&'a Validator),
    Own(&'a Validator),
}

impl Oracles {
    fn new<'r>(
        draft: Draft,
        registry: &Registry<'_>,
        raws: impl Iterator<Item = &'r RawResponse<'r>>,
    ) -> Oracles {
        let references: Vec<Value> = raws
            .map(
                |raw| json!({ "$ref": format!("{RAW_URI}#{}", uri_fragment(&raw.schema_pointer)) }),
            )
            .collect();
        let options = jsonschema::options()
            .with_draft(draft)
            .with_registry(registry);
        let properties: Map<String, Value> = references
            .iter()
            .enumerate()
            .map(|(i, reference)| (format!("t{i}"), reference.clone()))
            .collect();
        match options.build(&json!({ "properties": properties })) {
            Ok(shared) => Oracles::Shared(shared),
            Err(_) => Oracles::Each(references.iter().map(|r| options.build(r).ok()).collect()),
        }
    }

    fn get(&self, index: usize) -> Option<Oracle<'_>> {
        match self {
            Oracles::Shared(validator) => Some(Oracle::Shared(validator)),
            Oracles::Each(validators) => validators[index].as_ref().map(Oracle::Own),
        }
    }
}

impl Oracle<'_> {
    /// Whether the raw schema of case `index` accepts `instance`; the error when not.
    fn check(&self, index: usize, instance: &Value) -> Result<(), String> {
        match self {
            Oracle::Shared(validator) => {
                let wrapped = json!({ format!("t{index}"): instance });
                validator
                    .validate(&wrapped)
                    .map_err(|e| format!("{e} at {}", e.instance_path()))
            }
            Oracle::Own(validator) => validator
                .validate(instance)
                .map_err(|e| format!("{e} at {}", e.instance_path())),
        }
    }
}

/// A JSON pointer as a URI fragment: characters a fragment may not hold (`{`, `}`, ...)
/// percent-encoded.
fn uri_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `structuredContent` as rest-mcp builds it from a JSON body (`response::structured`).
fn structured_content(body: &Value, wrapped: bool) -> Option<Value> {
    match wrapped {
        true => Some(json!({ "result": body })),
        false if body.is_object() => Some(body.clone()),
        false => None,
    }
}

/// The draft the raw document's schemas are written in.
fn raw_draft(doc: &Value) -> Draft {
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
    if version.starts_with("3.1") {
        Draft::Draft202012
    } else {
        Draft::Draft4
    }
}

/// The raw document with OpenAPI 3.0 `nullable: true` (and Swagger's `x-nullable`)
/// rewritten to "or null", the only dialect keyword draft 4 does not know. A schema
/// beside a `$ref` is left alone: its siblings are ignored there.
fn nullable_as_null(doc: &Value, draft: Draft) -> Value {
    if draft != Draft::Draft4 {
        return doc.clone();
    }
    fn walk(value: &Value) -> Value {
        match value {
            Value::Array(items) => Value::Array(items.iter().map(walk).collect()),
            Value::Object(map) => {
                let mut out: Map<String, Value> = Map::with_capacity(map.len());
                for (key, value) in map {
                    let instance =
                        matches!(key.as_str(), "example" | "examples" | "default" | "enum");
                    out.insert(
                        key.clone(),
                        if instance { value.clone() } else { walk(value) },
                    );
                }
                let nullable = ["nullable", "x-nullable"]
                    .iter()
                    .any(|k| out.get(*k) == Some(&Value::Bool(true)));
                if nullable && !out.contains_key("$ref") {
                    out.remove("nullable");
                    out.remove("x-nullable");
                    return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
    walk(doc)
}

/// The raw success response of a tool: where its schema is and what examples it has.
struct RawResponse<'a> {
    /// JSON pointer of the response schema in the raw document (references followed).
    schema_pointer: String,
    schema: &'a Value,
    /// The spec's own examples of the whole body.
    examples: Vec<(String, &'a Value)>,
}

/// Find the raw response the served tool describes: the same status (`2XX` when the model
/// says 200 and the spec has no `200`) and, for 3.x, the same media type.
fn raw_response<'a>(doc: &'a Value, op: &Operation, media_type: &str) -> Option<RawResponse<'a>> {
    let method = op.method.to_string().to_lowercase();
    debug_assert!(METHODS.contains(&method.as_str()));
    let mut pointer = format!("/paths/{}", escape_pointer(&op.path.to_string()));
    let mut item = doc.pointer(&pointer)?;
    if let Some((target, resolved)) = follow(doc, item) {
        pointer = target;
        item = resolved;
    }
    pointer = format!("{pointer}/{method}/responses");
    let responses = item.get(&method)?.get("responses")?;
    let status = op.response.as_ref()?.status.to_string();
    let code = [status.as_str(), "2XX", "2xx"]
        .into_iter()
        .find(|code| responses.get(*code).is_some())?;
    pointer = format!("{pointer}/{code}");
    let mut response = responses.get(code)?;
    if let Some((target, resolved)) = follow(doc, response) {
        pointer = target;
        response = resolved;
    }
    let mut examples: Vec<(String, &Value)> = Vec::new();
    let (mut schema_pointer, mut schema) = if doc.get("swagger").is_some() {
        if let Some(example) = response.get("examples").and_then(|e| e.get(media_type)) {
            examples.push((format!("examples/{media_type}"), example));
        }
        (format!("{pointer}/schema"), response.get("schema")?)
    } else {
        let media = response.get("content")?.get(media_type)?;
        let at = format!("{pointer}/content/{}", escape_pointer(media_type));
        if let Some(example) = media.get("example") {
            examples.push(("example".into(), example));
        }
        if let Some(named) = media.get("examples").and_then(Value::as_object) {
            for (name, example) in named {
                let example = follow(doc, example).map_or(example, |(_, e)| e);
                if let Some(value) = example.get("value") {
                    examples.push((format!("examples/{name}"), value));
                }
            }
        }
        (format!("{at}/schema"), media.get("schema")?)
    };
    if let Some((target, resolved)) = follow(doc, schema) {
        schema_pointer = target;
        schema = resolved;
    }
    if let Some(example) = schema.get("example") {
        examples.push(("schema example".into(), example));
    }
    if let Some(list) = schema.get("examples").and_then(Value::as_array) {
        for (i, example) in list.iter().enumerate() {
            examples.push((format!("schema examples/{i}"), example));
        }
    }
    examples.truncate(MAX_EXAMPLES);
    Some(RawResponse {
        schema_pointer,
        schema,
        examples,
    })
}

/// Follow a local `$ref` chain; the final pointer and value, or None when `value` is not a
/// reference (or the reference dangles).
fn follow<'a>(doc: &'a Value, value: &'a Value) -> Option<(String, &'a Value)> {
    let mut current = value;
    let mut at = None;
    for _ in 0..32 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let pointer = reference.strip_prefix('#')?;
        current = doc.pointer(pointer)?;
        at = Some(pointer.to_owned());
    }
    at.map(|at| (at, current))
}

/// The instances checked for one tool: the spec's examples, then generated ones
/// (distinct, in a fixed order).
fn instances(doc: &Value, raw: &RawResponse<'_>) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = raw
        .examples
        .iter()
        .map(|(name, value)| (format!("the spec's {name}"), (*value).clone()))
        .collect();
    let openapi31 = raw_draft(doc) == Draft::Draft202012;
    let mut seen: HashSet<String> = HashSet::new();
    let mut widest = 1;
    let mut variant = 0;
    while variant < MAX_GENERATED.min(widest.max(3)) {
        let mut generator = Generator {
            doc,
            openapi31,
            variant,
            nodes: 0,
            widest: 1,
        };
        let value = generator.value(raw.schema, 0, &mut Vec::new());
        widest = widest.max(generator.widest);
        if seen.insert(value.to_string()) {
            out.push((format!("generated instance #{variant}"), value));
        }
        variant += 1;
    }
    out
}

/// A deterministic instance generator over the raw document. `variant` picks the union
/// branch (`variant % branches`), whether optional properties are filled (all but
/// variant 1), and whether nullable values are null (variant 2, 5, ...).
struct Generator<'a> {
    doc: &'a Value,
    openapi31: bool,
    variant: usize,
    nodes: usize,
    /// The most branches of any union met (how many variants are worth making).
    widest: usize,
}

impl Generator<'_> {
    fn minimal(&self) -> bool {
        self.variant == 1
    }

    fn nulls(&self) -> bool {
        self.variant % 3 == 2
    }

    /// A value for `schema`. `stack` holds the references being expanded (recursion
    /// beyond one level gets only what is required).
    fn value(&mut self, schema: &Value, depth: usize, stack: &mut Vec<String>) -> Value {
        self.nodes += 1;
        let Some(map) = schema.as_object() else {
            return match schema {
                Value::Bool(false) => Value::Null,
                _ => json!("any"),
            };
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            let target = reference
                .strip_prefix('#')
                .and_then(|pointer| self.doc.pointer(pointer));
            let Some(target) = target else {
                return json!({});
            };
            if depth >= MAX_DEPTH || stack.iter().filter(|r| r.as_str() == reference).count() > 1 {
                return self.minimal_of(target);
            }
            let siblings = map.len() > 1 && self.openapi31;
            stack.push(reference.to_owned());
            let mut value = Some(self.value(target, depth, stack));
            if siblings {
                let rest: Map<String, Value> = map
                    .iter()
                    .filter(|(k, _)| k.as_str() != "$ref")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let part = self.value(&Value::Object(rest), depth, stack);
                merge_into(&mut value, part);
            }
            stack.pop();
            return value.unwrap_or(Value::Null);
        }
        if let Some(value) = map.get("const") {
            return value.clone();
        }
        if self.nulls() && self.nullable(map) {
            return Value::Null;
        }
        if let Some(Value::Array(options)) = map.get("enum") {
            let options: Vec<&Value> = options.iter().filter(|v| !v.is_null()).collect();
            if !options.is_empty() {
                return options[self.variant % options.len()].clone();
            }
        }
        if self.variant == 0
            && let Some(example) = leaf_example(map)
        {
            return example.clone();
        }
        if depth >= MAX_DEPTH {
            return self.minimal_of(schema);
        }
        // Composition: allOf members all apply; one branch of a union is chosen.
        let mut value = self.own_value(map, depth, stack);
        if let Some(Value::Array(members)) = map.get("allOf") {
            for member in members {
                let part = self.value(member, depth, stack);
                merge_into(&mut value, part);
            }
        }
        for union in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = map.get(union)
                && !branches.is_empty()
            {
                self.widest = self.widest.max(branches.len());
                let branch = &branches[self.variant % branches.len()];
                let part = self.value(branch, depth, stack);
                merge_into(&mut value, part);
            }
        }
        value.unwrap_or_else(|| json!("any"))
    }

    /// The value the schema's own keywords describe (None when it says nothing of its
    /// type, so composition decides).
    fn own_value(
        &mut self,
        map: &Map<String, Value>,
        depth: usize,
        stack: &mut Vec<String>,
    ) -> Option<Value> {
        let kind = match map.get("type") {
            Some(Value::String(kind)) => Some(kind.as_str()),
            Some(Value::Array(kinds)) => {
                let kinds: Vec<&str> = kinds
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|k| *k != "null")
                    .collect();
                (!kinds.is_empty()).then(|| kinds[self.variant % kinds.len()])
            }
            _ if map.contains_key("properties") || map.contains_key("additionalProperties") => {
                Some("object")
            }
            _ if map.contains_key("items") => Some("array"),
            _ => None,
        };
        Some(match kind? {
            "object" => self.object(map, depth, stack),
            "array" => self.array(map, depth, stack),
            "string" => string(map),
            "integer" => json!(number(map, true) as i64),
            "number" => {
                let n = number(map, false);
                if n.fract() == 0.0 {
                    json!(n as i64)
                } else {
                    json!(n)
                }
            }
            "boolean" => json!(self.variant.is_multiple_of(2)),
            "null" => Value::Null,
            _ => json!("any"),
        })
    }

    fn object(&mut self, map: &Map<String, Value>, depth: usize, stack: &mut Vec<String>) -> Value {
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let fill_optional = !self.minimal() && depth < OPTIONAL_DEPTH && self.nodes < NODE_BUDGET;
        let mut out = Map::new();
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            for (name, schema) in properties {
                if fill_optional || required.contains(&name.as_str()) {
                    let value = self.value(schema, depth + 1, stack);
                    out.insert(name.clone(), value);
                }
            }
        }
        if fill_optional && let Some(extra @ Value::Object(_)) = map.get("additionalProperties") {
            let value = self.value(extra, depth + 1, stack);
            out.insert("additional_key".into(), value);
        }
        Value::Object(out)
    }

    fn array(&mut self, map: &Map<String, Value>, depth: usize, stack: &mut Vec<String>) -> Value {
        let min = map.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let count = if self.minimal() { min } else { min.max(1) };
        let items = match map.get("items") {
            Some(items @ Value::Object(_)) => items,
            Some(Value::Array(tuple)) if !tuple.is_empty() => &tuple[0],
            _ => return json!(vec![json!("any"); count]),
        };
        Value::Array(
            (0..count)
                .map(|_| self.value(items, depth + 1, stack))
                .collect(),
        )
    }

    /// Whether null is allowed here as the raw dialect reads it.
    fn nullable(&self, map: &Map<String, Value>) -> bool {
        if map.contains_key("$ref") {
            return false;
        }
        let flagged = ["nullable", "x-nullable"]
            .iter()
            .any(|k| map.get(*k) == Some(&Value::Bool(true)));
        let typed = match map.get("type") {
            Some(Value::Array(kinds)) => kinds.contains(&json!("null")),
            Some(Value::String(kind)) => kind == "null",
            _ => false,
        };
        (flagged && !self.openapi31) || typed
    }

    /// The smallest value of a schema's declared type, without expanding anything.
    fn minimal_of(&self, schema: &Value) -> Value {
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => json!([]),
            Some("string") => json!("text"),
            Some("integer") | Some("number") => json!(1),
            Some("boolean") => json!(true),
            _ => json!({}),
        }
    }
}

/// Merge a composed part into the value built so far: objects merge their properties,
/// anything else replaces a missing value.
fn merge_into(value: &mut Option<Value>, part: Value) {
    match (value.as_mut(), part) {
        (None, part) => *value = Some(part),
        (Some(Value::Object(into)), Value::Object(part)) => {
            for (key, part_value) in part {
                match into.get_mut(&key) {
                    Some(existing @ Value::Object(_)) if part_value.is_object() => {
                        let mut merged = Some(std::mem::take(existing));
                        merge_into(&mut merged, part_value);
                        *existing = merged.unwrap_or(Value::Null);
                    }
                    Some(_) => {}
                    None => {
                        into.insert(key, part_value);
                    }
                }
            }
        }
        // "any" placeholders yield to a concrete part.
        (Some(existing), part) if *existing == json!("any") => *existing = part,
        _ => {}
    }
}

/// The example of a schema that is not an object or an array (a whole-object example
/// would decide too much at once).
fn leaf_example(map: &Map<String, Value>) -> Option<&Value> {
    if map.contains_key("properties") || map.contains_key("items") {
        return None;
    }
    let example = map
        .get("example")
        .or_else(|| map.get("examples").and_then(Value::as_array)?.first())?;
    (!example.is_object() && !example.is_array()).then_some(example)
}

/// A string honouring the basic formats, literal patterns (`^/v1/charges`) and length
/// bounds.
fn string(map: &Map<String, Value>) -> Value {
    let format = map.get("format").and_then(Value::as_str).unwrap_or("");
    let literal = map
        .get("pattern")
        .and_then(Value::as_str)
        .map(|p| p.trim_start_matches('^').trim_end_matches('$'))
        .filter(|p| !p.is_empty() && !p.contains(|c: char| "\\.*+?()[]{}|^$".contains(c)));
    let mut text = match format {
        _ if literal.is_some() => literal.unwrap_or_default().to_owned(),
        "date-time" => "2024-01-02T03:04:05Z".to_owned(),
        "date" => "2024-01-02".to_owned(),
        "time" => "03:04:05Z".to_owned(),
        "uri" | "url" | "uri-reference" | "iri" => "https://example.com/a".to_owned(),
        "email" => "someone@example.com".to_owned(),
        "uuid" => "123e4567-e89b-12d3-a456-426614174000".to_owned(),
        "ipv4" => "192.0.2.1".to_owned(),
        "ipv6" => "2001:db8::1".to_owned(),
        "hostname" => "example.com".to_owned(),
        "byte" => "dGV4dA==".to_owned(),
        _ => "text".to_owned(),
    };
    let min = map.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = map
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    while text.chars().count() < min {
        text.push('x');
    }
    if let Some(max) = max
        && text.chars().count() > max
    {
        text = text.chars().take(max).collect();
    }
    Value::String(text)
}

/// A number inside the declared bounds (draft 4 boolean exclusives and 2020-12 numeric
/// ones), a multiple of `multipleOf` when there is one.
fn number(map: &Map<String, Value>, integer: bool) -> f64 {
    let step = map
        .get("multipleOf")
        .and_then(Value::as_f64)
        .filter(|s| *s > 0.0);
    let mut low = map.get("minimum").and_then(Value::as_f64);
    let mut high = map.get("maximum").and_then(Value::as_f64);
    let nudge = step.unwrap_or(1.0);
    match map.get("exclusiveMinimum") {
        Some(Value::Bool(true)) => low = low.map(|l| l + nudge),
        Some(n) if n.is_number() => low = n.as_f64().map(|l| l + nudge),
        _ => {}
    }
    match map.get("exclusiveMaximum") {
        Some(Value::Bool(true)) => high = high.map(|h| h - nudge),
        Some(n) if n.is_number() => high = n.as_f64().map(|h| h - nudge),
        _ => {}
    }
    let mut n = match (low, high) {
        (Some(low), _) => low.max(1.0f64.min(high.unwrap_or(f64::MAX))),
        (None, Some(high)) => high.min(1.0),
        (None, None) => 1.0,
    };
    if let Some(step) = step {
        n = (n / step).ceil() * step;
    }
    if integer { n.ceil() } else { n }
}
