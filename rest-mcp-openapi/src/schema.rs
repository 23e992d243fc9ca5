//! OpenAPI schemas to self-contained JSON Schema 2020-12.
//!
//! Every `$ref` is inlined (MCP clients never see `components`), OpenAPI 3.0 dialect is
//! rewritten (`nullable`, boolean exclusive bounds, `example`), plain `allOf` object merges
//! are flattened, and vendor noise (`x-*`, `xml`, `externalDocs`) is dropped. Recursion is
//! cut after [`SchemaLimits::max_recursion`] re-entries and each tool schema expands at most
//! [`SchemaLimits::max_expansions`] references, so even Stripe's cyclic graph stays small.
//! Expansions that did not hit a cut are memoized per target, so shared schemas are
//! lowered once however often they are used.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use crate::error::Diagnostics;
use crate::options::SchemaLimits;
use crate::refs::{DocId, Resolver, Target};

/// Deepest schema nesting followed before the rest is replaced by a stub.
const MAX_DEPTH: usize = 96;

/// JSON Schema's simple types; anything else in `type` is dropped.
const SIMPLE_TYPES: [&str; 7] = [
    "array", "boolean", "integer", "null", "number", "object", "string",
];

/// Whether a schema describes data sent (tool input) or received (structured output):
/// `readOnly` properties are dropped from inputs and `writeOnly` ones from outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Direction {
    Input,
    Output,
}

/// A `$ref` value and whether it is an `allOf` member (composition, not nesting).
struct Reference<'a> {
    value: &'a Value,
    composing: bool,
}

/// A place a schema is lowered from, for `$ref` resolution and messages.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    pub(crate) doc: DocId,
    pub(crate) pointer: String,
}

/// A memoized expansion depends on the target, the direction and how much ref depth was
/// left when it was made (depth cuts are a function of that, so they can be shared).
type MemoKey = (Target, Direction, usize);

struct Memo {
    value: Value,
    expansions: usize,
}

/// State of lowering one root schema.
#[derive(Default)]
struct Walk {
    /// Every `$ref` being expanded, outermost first (for cycle detection).
    stack: Vec<Target>,
    /// How many of those nest (an `allOf` member composes, it does not nest).
    nesting: usize,
    /// Set just before lowering an `allOf` member; read and cleared by `node`.
    composing: bool,
    expansions: usize,
    cut: bool,
    depth: usize,
}

/// Lowers schemas of one spec, sharing a memo across all of them.
pub(crate) struct SchemaLowerer<'r> {
    resolver: &'r Resolver,
    openapi30: bool,
    limits: SchemaLimits,
    memo: HashMap<MemoKey, Memo>,
    reported: HashSet<(DocId, String)>,
}

impl<'r> SchemaLowerer<'r> {
    /// A lowerer for a spec whose schemas use the OpenAPI 3.0 dialect when `openapi30`.
    pub(crate) fn new(resolver: &'r Resolver, openapi30: bool, limits: SchemaLimits) -> Self {
        SchemaLowerer {
            resolver,
            openapi30,
            limits,
            memo: HashMap::new(),
            reported: HashSet::new(),
        }
    }

    /// Lower one root schema found at `site`.
    pub(crate) fn lower(
        &mut self,
        schema: &Value,
        site: &Site,
        direction: Direction,
        diagnostics: &mut Diagnostics,
    ) -> Value {
        let mut walk = Walk::default();
        self.node(schema, site, direction, &mut walk, diagnostics)
    }

    fn node(
        &mut self,
        schema: &Value,
        site: &Site,
        direction: Direction,
        walk: &mut Walk,
        diagnostics: &mut Diagnostics,
    ) -> Value {
        let composing = std::mem::take(&mut walk.composing);
        let map = match schema {
            Value::Object(map) => map,
            Value::Bool(_) => return schema.clone(),
            _ => {
                self.report(
                    site,
                    "a schema is not an object; treated as `{}`",
                    diagnostics,
                );
                return json!({});
            }
        };
        if walk.depth >= MAX_DEPTH {
            walk.cut = true;
            return json!({ "description": "Nested too deeply to describe further." });
        }
        walk.depth += 1;
        let lowered = match map.get("$ref") {
            Some(reference) => {
                let reference = Reference {
                    value: reference,
                    composing,
                };
                self.reference(map, reference, site, direction, walk, diagnostics)
            }
            None => self.keywords(map, site, direction, walk, diagnostics),
        };
        walk.depth -= 1;
        lowered
    }

    /// Inline a `$ref`, applying the recursion and size limits and any sibling keywords.
    fn reference(
        &mut self,
        map: &Map<String, Value>,
        reference: Reference<'_>,
        site: &Site,
        direction: Direction,
        walk: &mut Walk,
        diagnostics: &mut Diagnostics,
    ) -> Value {
        let composing = reference.composing;
        let Some(reference) = reference.value.as_str() else {
            self.report(site, "`$ref` is not a string; treated as `{}`", diagnostics);
            return json!({});
        };
        let (target, value) = match self.resolver.lookup(site.doc, reference) {
            Ok(found) => found,
            Err(message) => {
                self.report(site, &message, diagnostics);
                return json!({ "description": format!("Unresolved reference `{reference}`.") });
            }
        };
        let name = target_name(&target.pointer);
        let occurrences = walk.stack.iter().filter(|t| **t == target).count();
        let resolved = if occurrences > self.limits.max_recursion {
            walk.cut = true;
            let at = self.resolver.source(target.doc, &target.pointer);
            if self.reported.insert((target.doc, target.pointer.clone())) {
                diagnostics.info(
                    at,
                    match self.limits.max_recursion {
                        0 => format!("schema `{name}` is recursive; it is cut where it first contains itself"),
                        n => format!("schema `{name}` is recursive; it is cut after containing itself {n} time(s)"),
                    },
                );
            }
            stub(
                value,
                format!(
                    "Recursive reference to `{name}` (same shape as the enclosing `{name}`); not expanded further."
                ),
            )
        } else if !composing && !is_leaf(value) && walk.nesting >= self.max_depth(direction) {
            stub(
                value,
                format!("`{name}`: not expanded (nested too deeply)."),
            )
        } else if walk.expansions >= self.limits.max_expansions {
            walk.cut = true;
            stub(
                value,
                format!("`{name}`: not expanded (schema size limit reached)."),
            )
        } else if let Some(memo) = self.memo.get(&(
            target.clone(),
            direction,
            self.remaining_depth(walk, direction, composing),
        )) {
            walk.expansions += memo.expansions;
            memo.value.clone()
        } else {
            self.expand(target, value, direction, composing, walk, diagnostics)
        };
        let siblings: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| k.as_str() != "$ref")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if siblings.is_empty() {
            return resolved;
        }
        let siblings = self.keywords(&siblings, site, direction, walk, diagnostics);
        with_siblings(resolved, siblings)
    }

    /// Lower a `$ref` target for the first time in this context, memoizing when the result
    /// does not depend on the context (no cut happened inside it).
    fn expand(
        &mut self,
        target: Target,
        value: &Value,
        direction: Direction,
        composing: bool,
        walk: &mut Walk,
        diagnostics: &mut Diagnostics,
    ) -> Value {
        let key = (
            target.clone(),
            direction,
            self.remaining_depth(walk, direction, composing),
        );
        walk.expansions += 1;
        let start = walk.expansions;
        let outer_cut = std::mem::replace(&mut walk.cut, false);
        let site = Site {
            doc: target.doc,
            pointer: target.pointer.clone(),
        };
        let nests = usize::from(!composing);
        walk.stack.push(target.clone());
        walk.nesting += nests;
        let lowered = self.node(value, &site, direction, walk, diagnostics);
        walk.nesting -= nests;
        walk.stack.pop();
        let inner_cut = walk.cut;
        walk.cut |= outer_cut;
        if !inner_cut {
            let expansions = walk.expansions - start + 1;
            self.memo.insert(
                key,
                Memo {
                    value: lowered.clone(),
                    expansions,
                },
            );
        }
        lowered
    }

    fn max_depth(&self, direction: Direction) -> usize {
        match direction {
            Direction::Input => self.limits.max_input_depth,
            Direction::Output => self.limits.max_output_depth,
        }
    }

    /// Ref depth left for a target entered now (a composed target uses none).
    fn remaining_depth(&self, walk: &Walk, direction: Direction, composing: bool) -> usize {
        let used = walk.nesting + usize::from(!composing);
        self.max_depth(direction).saturating_sub(used)
    }

    /// Lower every keyword of a schema object without `$ref`.
    fn keywords(
        &mut self,
        map: &Map<String, Value>,
        site: &Site,
        direction: Direction,
        walk: &mut Walk,
        diagnostics: &mut Diagnostics,
    ) -> Value {
        let mut out = Map::with_capacity(map.len());
        for (key, value) in map {
            if let Some(lowered) = self.keyword(key, value, site, direction, walk, diagnostics) {
                out.insert(key.clone(), lowered);
            }
        }
        if out.get("items").is_some_and(Value::is_array)
            && let Some(items) = out.remove("items")
        {
            // Draft 4 tuple form.
            out.insert("prefixItems".into(), items);
        }
        // Hidden properties and output constraints go before the dialect rewrite: a
        // `nullable` schema without a type is wrapped as `anyOf: [schema, null]`, and what
        // is wrapped must already be loosened (a `oneOf` left inside would reject data).
        drop_hidden_properties(&mut out, direction);
        if direction == Direction::Output {
            loosen_for_output(&mut out);
        }
        self.apply_dialect(map, &mut out, direction);
        merge_all_of(&mut out);
        Value::Object(out)
    }

    /// Lower one keyword; `None` drops it.
    fn keyword(
        &mut self,
        key: &str,
        value: &Value,
        site: &Site,
        direction: Direction,
        walk: &mut Walk,
        diagnostics: &mut Diagnostics,
    ) -> Option<Value> {
        let mut sub = |value: &Value, walk: &mut Walk, diagnostics: &mut Diagnostics| {
            self.node(value, site, direction, walk, diagnostics)
        };
        match key {
            k if k.starts_with("x-") => None,
            "xml" | "externalDocs" | "$schema" | "$id" | "$anchor" | "$dynamicAnchor" | "$defs"
            | "definitions" | "$comment" | "example" | "nullable" => None,
            "discriminator" => value
                .get("propertyName")
                .map(|name| json!({ "propertyName": name })),
            "properties" | "patternProperties" | "dependentSchemas" => {
                let map = value.as_object()?;
                let mut lowered = Map::with_capacity(map.len());
                for (name, schema) in map {
                    lowered.insert(name.clone(), sub(schema, walk, diagnostics));
                }
                Some(Value::Object(lowered))
            }
            "items" => match value {
                Value::Array(items) => Some(Value::Array(
                    items.iter().map(|s| sub(s, walk, diagnostics)).collect(),
                )),
                other => Some(sub(other, walk, diagnostics)),
            },
            "additionalProperties"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "contentSchema" => Some(sub(value, walk, diagnostics)),
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                let items = value.as_array()?;
                if items.is_empty() {
                    return None;
                }
                let composing = key == "allOf";
                Some(Value::Array(
                    items
                        .iter()
                        .map(|s| {
                            walk.composing = composing;
                            sub(s, walk, diagnostics)
                        })
                        .collect(),
                ))
            }
            "type" => lower_type(value),
            "required" => string_set(value),
            "enum" => value.as_array().map(|_| value.clone()),
            "examples" => examples_without_refs(value),
            "minimum" | "maximum" | "multipleOf" => value.is_number().then(|| value.clone()),
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties"
            | "maxProperties" | "minContains" | "maxContains" => non_negative_integer(value),
            "pattern" | "format" | "title" | "description" | "contentEncoding"
            | "contentMediaType" => value.is_string().then(|| value.clone()),
            "readOnly" | "writeOnly" | "deprecated" | "uniqueItems" => {
                value.is_boolean().then(|| value.clone())
            }
            _ => Some(value.clone()),
        }
    }

    /// OpenAPI 3.0 rewrites that need the original keywords: `nullable`, boolean
    /// `exclusiveMinimum`/`exclusiveMaximum`, `example`, `type: file`.
    fn apply_dialect(
        &self,
        original: &Map<String, Value>,
        out: &mut Map<String, Value>,
        direction: Direction,
    ) {
        for (bound, limit) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            match original.get(bound) {
                Some(Value::Bool(true)) => match out.remove(limit) {
                    Some(value) => {
                        out.insert(bound.into(), value);
                    }
                    None => {
                        out.remove(bound);
                    }
                },
                Some(Value::Bool(false)) => {
                    out.remove(bound);
                }
                Some(value) if !value.is_number() => {
                    out.remove(bound);
                }
                _ => {}
            }
        }
        if let Some(example) = original.get("example")
            && !out.contains_key("examples")
            && !holds_ref(example)
        {
            out.insert("examples".into(), json!([example]));
        }
        if out.get("type").and_then(Value::as_str) == Some("file") {
            out.insert("type".into(), json!("string"));
            out.insert("format".into(), json!("binary"));
        }
        let nullable = original.get("nullable") == Some(&Value::Bool(true));
        if nullable && (self.openapi30 || !out.contains_key("type")) {
            make_nullable(out, direction);
        }
    }

    fn report(&mut self, site: &Site, message: &str, diagnostics: &mut Diagnostics) {
        if self
            .reported
            .insert((site.doc, format!("{}\n{message}", site.pointer)))
        {
            diagnostics.warn(self.resolver.source(site.doc, &site.pointer), message);
        }
    }
}

/// The last pointer token, unescaped: `#/components/schemas/Pet` → `Pet`.
fn target_name(pointer: &str) -> String {
    pointer
        .rsplit('/')
        .next()
        .unwrap_or(pointer)
        .replace("~1", "/")
        .replace("~0", "~")
}

/// The `examples` that hold no `$ref`: examples are data, never resolved, and a `$ref`
/// in one would reach the client as a dangling pointer. `None` when none is left.
fn examples_without_refs(value: &Value) -> Option<Value> {
    let examples: Vec<Value> = value
        .as_array()?
        .iter()
        .filter(|example| !holds_ref(example))
        .cloned()
        .collect();
    (!examples.is_empty()).then_some(Value::Array(examples))
}

fn holds_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(holds_ref),
        Value::Array(items) => items.iter().any(holds_ref),
        _ => false,
    }
}

/// A schema with nothing nested (an enum, a formatted string): cheap to inline at any
/// depth, and the part of a deep schema a model most needs.
fn is_leaf(schema: &Value) -> bool {
    const NESTING: [&str; 8] = [
        "$ref",
        "properties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "additionalProperties",
        "prefixItems",
    ];
    schema
        .as_object()
        .is_some_and(|map| !NESTING.iter().any(|k| map.contains_key(*k)))
}

/// What stands in for a schema that is not expanded: its simple type (when it has one and
/// is not nullable) and an explanation.
fn stub(target: &Value, description: String) -> Value {
    let mut map = Map::new();
    let nullable = target.get("nullable") == Some(&Value::Bool(true));
    if let Some(kind @ Value::String(_)) = target.get("type")
        && !nullable
    {
        map.insert("type".into(), kind.clone());
    }
    map.insert("description".into(), Value::String(description));
    Value::Object(map)
}

/// Keywords that only annotate; next to a `$ref` they override the target's.
const ANNOTATIONS: [&str; 8] = [
    "description",
    "title",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "format",
];

/// Combine a resolved `$ref` with keywords written beside it: annotations override, and
/// anything else applies in addition (`allOf`).
fn with_siblings(resolved: Value, siblings: Value) -> Value {
    let Value::Object(siblings) = siblings else {
        return resolved;
    };
    let only_annotations = siblings.keys().all(|k| ANNOTATIONS.contains(&k.as_str()));
    match resolved {
        Value::Object(mut base) if only_annotations => {
            base.extend(siblings);
            Value::Object(base)
        }
        resolved => {
            let mut out = Map::new();
            out.insert("allOf".into(), json!([resolved, Value::Object(siblings)]));
            merge_all_of(&mut out);
            Value::Object(out)
        }
    }
}

fn lower_type(value: &Value) -> Option<Value> {
    match value {
        Value::String(kind) if SIMPLE_TYPES.contains(&kind.as_str()) || kind == "file" => {
            Some(value.clone())
        }
        Value::Array(kinds) => {
            let mut unique: Vec<Value> = Vec::new();
            for kind in kinds {
                if kind.as_str().is_some_and(|k| SIMPLE_TYPES.contains(&k))
                    && !unique.contains(kind)
                {
                    unique.push(kind.clone());
                }
            }
            (!unique.is_empty()).then_some(Value::Array(unique))
        }
        _ => None,
    }
}

/// A `required` list with duplicates and non-strings removed (`required: true` on a
/// property, a common 3.0 mistake, is dropped).
fn string_set(value: &Value) -> Option<Value> {
    let items = value.as_array()?;
    let mut unique: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if item.is_string() && !unique.contains(item) {
            unique.push(item.clone());
        }
    }
    Some(Value::Array(unique))
}

fn non_negative_integer(value: &Value) -> Option<Value> {
    if value.as_u64().is_some() {
        return Some(value.clone());
    }
    let float = value.as_f64()?;
    (float >= 0.0 && float.fract() == 0.0 && float <= u32::MAX as f64).then(|| json!(float as u64))
}

/// Applicators whose members would still reject `null` after `null` joins the `type`.
const NULL_REJECTING: [&str; 4] = ["allOf", "anyOf", "oneOf", "not"];

/// Allow `null` in an OpenAPI 3.0 `nullable` schema: in its `type`, or as
/// `anyOf: [schema, {"type": "null"}]` when it has none. An output schema that composes
/// (`allOf`, `anyOf`, ...) is wrapped even when typed: its members' own types would reject
/// the `null` the outer `type` allows, and the client would refuse a null response. Input
/// schemas keep `null` in the `type`, so their properties stay where arguments are read.
fn make_nullable(out: &mut Map<String, Value>, direction: Direction) {
    if let Some(Value::Array(values)) = out.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    let composed =
        direction == Direction::Output && NULL_REJECTING.iter().any(|k| out.contains_key(*k));
    match out.get_mut("type").filter(|_| !composed) {
        Some(Value::String(kind)) => {
            let kind = std::mem::take(kind);
            out.insert("type".into(), json!([kind, "null"]));
        }
        Some(Value::Array(kinds)) => {
            if !kinds.contains(&json!("null")) {
                kinds.push(json!("null"));
            }
        }
        _ => {
            let inner = std::mem::take(out);
            let (annotations, rest): (Map<String, Value>, Map<String, Value>) = inner
                .into_iter()
                .partition(|(k, _)| k == "description" || k == "title");
            out.extend(annotations);
            out.insert(
                "anyOf".into(),
                json!([Value::Object(rest), {"type": "null"}]),
            );
        }
    }
}

/// Drop `readOnly` properties from input schemas and `writeOnly` ones from outputs.
fn drop_hidden_properties(out: &mut Map<String, Value>, direction: Direction) {
    let flag = match direction {
        Direction::Input => "readOnly",
        Direction::Output => "writeOnly",
    };
    let Some(Value::Object(properties)) = out.get_mut("properties") else {
        return;
    };
    let hidden: Vec<String> = properties
        .iter()
        .filter(|(_, schema)| schema.get(flag) == Some(&Value::Bool(true)))
        .map(|(name, _)| name.clone())
        .collect();
    if hidden.is_empty() {
        return;
    }
    for name in &hidden {
        properties.shift_remove(name);
    }
    if let Some(Value::Array(required)) = out.get_mut("required") {
        required.retain(|r| r.as_str().is_none_or(|r| !hidden.iter().any(|h| h == r)));
    }
}

/// Validation keywords dropped from output schemas. MCP clients reject `structuredContent`
/// that does not match a declared output schema, and real APIs routinely omit "required"
/// fields, add enum values or exceed documented bounds; the output schema describes the
/// response's shape (types, properties, descriptions), it does not police the upstream.
const OUTPUT_CONSTRAINTS: [&str; 16] = [
    "required",
    "enum",
    "const",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
];

/// Applicators dropped from output schemas: each can reject a document that has the
/// declared shape once `required` and the value constraints are gone.
const OUTPUT_REJECTORS: [&str; 11] = [
    "not",
    "if",
    "then",
    "else",
    "contains",
    "minContains",
    "maxContains",
    "dependentRequired",
    "dependentSchemas",
    "propertyNames",
    "unevaluatedItems",
];

fn loosen_for_output(out: &mut Map<String, Value>) {
    for keyword in OUTPUT_CONSTRAINTS.iter().chain(&OUTPUT_REJECTORS) {
        out.remove(*keyword);
    }
    out.remove("multipleOf");
    for closing in ["additionalProperties", "unevaluatedProperties"] {
        if out.get(closing) == Some(&Value::Bool(false)) {
            out.remove(closing);
        }
    }
    // Without `required`, the branches of a `oneOf` overlap (an object matching one
    // matches all), so "exactly one" would reject the very data the union describes.
    if let Some(branches) = out.remove("oneOf") {
        match out.get_mut("anyOf") {
            None => {
                out.insert("anyOf".into(), branches);
            }
            Some(_) => {
                let all_of = out.entry("allOf").or_insert_with(|| json!([]));
                if let Value::Array(members) = all_of {
                    members.push(json!({ "anyOf": branches }));
                }
            }
        }
    }
}

/// Keywords an `allOf` member may have and still be merged as a plain object.
const PLAIN_OBJECT_KEYS: [&str; 5] = ["type", "properties", "required", "description", "title"];

fn is_plain_object(schema: &Value) -> bool {
    match schema {
        Value::Bool(true) => true,
        Value::Object(map) => map.iter().all(|(k, v)| {
            PLAIN_OBJECT_KEYS.contains(&k.as_str()) && (k != "type" || v == "object")
        }),
        _ => false,
    }
}

/// Flatten `allOf` when every member (and the schema around it) is a plain object schema:
/// properties and `required` are unioned, a property defined differently twice becomes an
/// `allOf` of its definitions. Anything else keeps its `allOf`.
fn merge_all_of(out: &mut Map<String, Value>) {
    let Some(Value::Array(members)) = out.get("allOf") else {
        return;
    };
    let parent_plain = out.iter().all(|(k, v)| {
        k == "allOf" || (PLAIN_OBJECT_KEYS.contains(&k.as_str()) && (k != "type" || v == "object"))
    });
    if !parent_plain || !members.iter().all(is_plain_object) {
        return;
    }
    let Some(Value::Array(members)) = out.remove("allOf") else {
        return;
    };
    let mut properties = match out.remove("properties") {
        Some(Value::Object(p)) => p,
        _ => Map::new(),
    };
    let mut required: Vec<Value> = match out.remove("required") {
        Some(Value::Array(r)) => r,
        _ => Vec::new(),
    };
    for member in members {
        let Value::Object(member) = member else {
            continue;
        };
        for (key, value) in member {
            match (key.as_str(), value) {
                ("properties", Value::Object(props)) => {
                    for (name, schema) in props {
                        merge_property(&mut properties, name, schema);
                    }
                }
                ("required", Value::Array(names)) => {
                    for name in names {
                        if !required.contains(&name) {
                            required.push(name);
                        }
                    }
                }
                ("description" | "title", value) => {
                    out.entry(key).or_insert(value);
                }
                _ => {}
            }
        }
    }
    out.insert("type".into(), json!("object"));
    if !properties.is_empty() {
        out.insert("properties".into(), Value::Object(properties));
    }
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
}

fn merge_property(properties: &mut Map<String, Value>, name: String, schema: Value) {
    match properties.get_mut(&name) {
        None => {
            properties.insert(name, schema);
        }
        Some(existing) if *existing == schema => {}
        Some(existing) => {
            let first = std::mem::take(existing);
            *existing = json!({ "allOf": [first, schema] });
        }
    }
}

#[cfg(test)]
mod tests;
