//! Swagger 2.0 → OpenAPI 3.0.3.
//!
//! [`convert`] rewrites a parsed Swagger 2.0 document into the OpenAPI 3.0.3 shape, so the
//! later stages only have to understand one format. It is a structural translation:
//! `host`/`basePath`/`schemes` become `servers`, body and form parameters become a
//! `requestBody`, `produces` spreads each response schema over its media types,
//! `definitions`/`parameters`/`responses`/`securityDefinitions` move under `components`,
//! and every local `$ref` is repointed. References are not resolved here (except to learn
//! where a `#/parameters/...` reference travels).
//!
//! Every diagnostic names a JSON pointer into the original Swagger document. Malformed
//! pieces are skipped with a diagnostic; only a root that is not an object is an error.

use serde_json::{Map, Value, json};

use crate::error::{Diagnostics, LoadError, SourceRef};
use crate::media::media_type_essence;

/// A JSON object, in document order.
type Object = Map<String, Value>;

/// Media type used when neither the operation nor the document declares one.
const DEFAULT_MEDIA_TYPE: &str = "application/json";
/// The multipart form media type.
const MULTIPART: &str = "multipart/form-data";
/// The url-encoded form media type.
const URL_ENCODED: &str = "application/x-www-form-urlencoded";

/// Path item keys that hold operations (`trace` is not Swagger 2.0 but is accepted).
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keywords of a parameter, header or items object that describe its value (its schema).
const VALUE_KEYWORDS: [&str; 16] = [
    "type",
    "format",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
];

/// Local reference prefixes and where they point in OpenAPI 3.
const REF_PREFIXES: [(&str, &str); 3] = [
    ("#/definitions/", "#/components/schemas/"),
    ("#/parameters/", "#/components/parameters/"),
    ("#/responses/", "#/components/responses/"),
];

/// How many `#/parameters/...` references in a row are followed before giving up.
const MAX_REF_HOPS: usize = 32;

/// Convert a Swagger 2.0 document into an OpenAPI 3.0.3 one.
///
/// `file` names the document in diagnostics. Fails only when the root is not an object.
pub(crate) fn convert(
    doc: Value,
    file: &str,
    diagnostics: &mut Diagnostics,
) -> Result<Value, LoadError> {
    let Value::Object(root) = doc else {
        return Err(LoadError::new(
            SourceRef::new(file, ""),
            "a Swagger 2.0 document must be an object at the top level",
        ));
    };
    let mut out = Converter::new(&root, file, diagnostics).document();
    rewrite_refs(&mut out);
    Ok(out)
}

/// The parameters of one `parameters` list, sorted by where they go in OpenAPI 3.
#[derive(Default)]
struct ParamSet<'a> {
    /// Path, query, header and cookie parameters (or references to them), converted.
    plain: Vec<Value>,
    /// The first `in: body` parameter and where it is declared.
    body: Option<(&'a Object, SourceRef)>,
    /// `in: formData` parameters and where each is declared.
    form: Vec<(&'a Object, SourceRef)>,
}

/// The conversion of one document: the original root, document-wide defaults and the
/// diagnostics sink.
struct Converter<'a> {
    root: &'a Object,
    file: &'a str,
    diagnostics: &'a mut Diagnostics,
    /// Document-level `consumes` (empty when not declared).
    consumes: Vec<String>,
    /// Document-level `produces` (empty when not declared).
    produces: Vec<String>,
    /// `host` without a trailing slash, if declared.
    host: Option<String>,
    /// `basePath` with a leading and without a trailing slash (`""` for the root).
    base_path: String,
}

impl<'a> Converter<'a> {
    /// Read the document-wide settings of `root`.
    fn new(root: &'a Object, file: &'a str, diagnostics: &'a mut Diagnostics) -> Self {
        let mut converter = Converter {
            root,
            file,
            diagnostics,
            consumes: Vec::new(),
            produces: Vec::new(),
            host: None,
            base_path: String::new(),
        };
        let top = converter.top();
        converter.consumes = converter.string_list(root.get("consumes"), &top.child("consumes"));
        converter.produces = converter.string_list(root.get("produces"), &top.child("produces"));
        converter.host = converter.host();
        converter.base_path = converter.base_path();
        converter
    }

    /// The whole document, as a location.
    fn top(&self) -> SourceRef {
        SourceRef::new(self.file, "")
    }

    /// Record a warning at `at`.
    fn warn(&mut self, at: &SourceRef, message: impl Into<String>) {
        self.diagnostics.warn(at.clone(), message);
    }

    /// Record an info diagnostic at `at`.
    fn info(&mut self, at: &SourceRef, message: impl Into<String>) {
        self.diagnostics.info(at.clone(), message);
    }

    /// The whole OpenAPI 3 document.
    fn document(&mut self) -> Value {
        let root = self.root;
        let mut out = Object::new();
        out.insert("openapi".into(), json!("3.0.3"));
        copy_keys(root, &mut out, &["info"]);
        let servers = self.servers(root.get("schemes"), &self.top().child("schemes"));
        out.insert("servers".into(), Value::Array(servers));
        copy_keys(root, &mut out, &["tags", "externalDocs", "security"]);
        let paths = self.paths();
        out.insert("paths".into(), paths);
        let components = self.components();
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }
        copy_extensions(root, &mut out);
        Value::Object(out)
    }

    /// `host`, if it is a non-empty string.
    fn host(&mut self) -> Option<String> {
        match self.root.get("host")? {
            Value::String(host) => {
                Some(host.trim_end_matches('/').to_string()).filter(|h| !h.is_empty())
            }
            _ => {
                self.warn(
                    &self.top().child("host"),
                    "`host` must be a string; ignored",
                );
                None
            }
        }
    }

    /// `basePath` normalized to `/segment...` without a trailing slash.
    fn base_path(&mut self) -> String {
        let raw = match self.root.get("basePath") {
            None => "",
            Some(Value::String(path)) => path.as_str(),
            Some(_) => {
                let at = self.top().child("basePath");
                self.warn(&at, "`basePath` must be a string; `/` assumed");
                ""
            }
        };
        let trimmed = raw.trim_matches('/');
        if trimmed.is_empty() {
            String::new()
        } else {
            format!("/{trimmed}")
        }
    }

    /// One server per scheme (`https` when none), or the bare base path without a host.
    fn servers(&mut self, schemes: Option<&Value>, at: &SourceRef) -> Vec<Value> {
        let Some(host) = self.host.clone() else {
            let url = if self.base_path.is_empty() {
                "/"
            } else {
                &self.base_path
            };
            return vec![json!({ "url": url })];
        };
        let mut schemes = self.string_list(schemes, at);
        if schemes.is_empty() {
            schemes.push("https".into());
        }
        schemes
            .iter()
            .map(|scheme| json!({ "url": format!("{scheme}://{host}{}", self.base_path) }))
            .collect()
    }

    /// The strings of a list; anything else is reported and left out.
    fn string_list(&mut self, value: Option<&Value>, at: &SourceRef) -> Vec<String> {
        let items = match value {
            None => return Vec::new(),
            Some(Value::Array(items)) => items,
            Some(_) => {
                self.warn(at, "expected a list of strings; ignored");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(text) => out.push(text.to_string()),
                None => self.warn(&at.child(&index.to_string()), "expected a string; ignored"),
            }
        }
        out
    }

    /// `owner[key]` as a media type list, else the document's, else `application/json`.
    fn media_types(&mut self, owner: &Object, key: &str, at: &SourceRef) -> Vec<String> {
        let own = self.string_list(owner.get(key), &at.child(key));
        if !own.is_empty() {
            return own;
        }
        self.document_media_types(key)
    }

    /// The document-level `consumes` or `produces`, else `application/json`.
    fn document_media_types(&self, key: &str) -> Vec<String> {
        let global = if key == "consumes" {
            &self.consumes
        } else {
            &self.produces
        };
        if global.is_empty() {
            vec![DEFAULT_MEDIA_TYPE.to_string()]
        } else {
            global.clone()
        }
    }

    /// `value` as an object; anything else but absence is reported and ignored.
    fn object<'v>(&mut self, value: Option<&'v Value>, at: &SourceRef) -> Option<&'v Object> {
        match value? {
            Value::Object(map) => Some(map),
            _ => {
                self.warn(at, "expected an object; ignored");
                None
            }
        }
    }

    /// `paths`, with every path item converted.
    fn paths(&mut self) -> Value {
        let at = self.top().child("paths");
        let mut out = Object::new();
        if !self.root.contains_key("paths") {
            self.warn(&self.top(), "the spec has no `paths`; no tools");
        }
        let Some(paths) = self.object(self.root.get("paths"), &at) else {
            return Value::Object(out);
        };
        for (path, item) in paths {
            if path.starts_with("x-") {
                out.insert(path.clone(), item.clone());
            } else if let Some(item) = self.object(Some(item), &at.child(path)) {
                let converted = self.path_item(item, &at.child(path));
                out.insert(path.clone(), converted);
            }
        }
        Value::Object(out)
    }

    /// One path item: shared plain parameters stay on it, operations are converted, a
    /// `$ref` is kept for the later stage to resolve.
    fn path_item(&mut self, item: &'a Object, at: &SourceRef) -> Value {
        let shared = self.parameters(item.get("parameters"), &at.child("parameters"));
        let mut out = Object::new();
        if !shared.plain.is_empty() {
            out.insert("parameters".into(), Value::Array(shared.plain.clone()));
        }
        for (key, value) in item {
            let key_at = at.child(key);
            match (key.as_str(), value) {
                ("parameters", _) => {}
                ("$ref", _) => {
                    out.insert(key.clone(), value.clone());
                }
                (method, Value::Object(op)) if METHODS.contains(&method) => {
                    let converted = self.operation(op, &shared, &key_at);
                    out.insert(key.clone(), converted);
                }
                (method, _) if METHODS.contains(&method) => {
                    self.warn(&key_at, "an operation must be an object; skipped");
                }
                (name, _) if name.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.info(&key_at, "not a Swagger 2.0 path item field; ignored"),
            }
        }
        Value::Object(out)
    }

    /// One operation; path-level body and form parameters are merged into its request body.
    fn operation(&mut self, op: &'a Object, shared: &ParamSet<'a>, at: &SourceRef) -> Value {
        let own = self.parameters(op.get("parameters"), &at.child("parameters"));
        let mut out = Object::new();
        copy_keys(
            op,
            &mut out,
            &[
                "tags",
                "summary",
                "description",
                "externalDocs",
                "operationId",
            ],
        );
        if !own.plain.is_empty() {
            out.insert("parameters".into(), Value::Array(own.plain.clone()));
        }
        if let Some(body) = self.request_body(op, shared, &own, at) {
            out.insert("requestBody".into(), body);
        }
        let produces = self.media_types(op, "produces", at);
        let responses = self.responses(op.get("responses"), &at.child("responses"), &produces);
        out.insert("responses".into(), responses);
        copy_keys(op, &mut out, &["deprecated", "security"]);
        if op.contains_key("schemes") {
            let servers = self.servers(op.get("schemes"), &at.child("schemes"));
            out.insert("servers".into(), Value::Array(servers));
        }
        copy_extensions(op, &mut out);
        Value::Object(out)
    }

    /// Sort a `parameters` list into plain, body and form parameters.
    fn parameters(&mut self, list: Option<&'a Value>, at: &SourceRef) -> ParamSet<'a> {
        let mut set = ParamSet::default();
        match list {
            None => {}
            Some(Value::Array(items)) => {
                for (index, param) in items.iter().enumerate() {
                    self.add_parameter(&mut set, param, at.child(&index.to_string()));
                }
            }
            Some(_) => self.warn(at, "`parameters` must be a list; ignored"),
        }
        set
    }

    /// File one parameter (or reference) into `set` by its `in`.
    fn add_parameter(&mut self, set: &mut ParamSet<'a>, param: &'a Value, at: SourceRef) {
        match param {
            Value::Object(param) if param.contains_key("$ref") => {
                self.add_parameter_ref(set, param, &at);
            }
            Value::Object(param) => self.add_parameter_object(set, param, at),
            _ => self.warn(&at, "a parameter must be an object; skipped"),
        }
    }

    /// File a parameter object into `set` by its `in`.
    fn add_parameter_object(&mut self, set: &mut ParamSet<'a>, param: &'a Object, at: SourceRef) {
        match param.get("in").and_then(Value::as_str) {
            Some("body") if set.body.is_some() => {
                self.warn(
                    &at,
                    "only one body parameter is allowed; this one is ignored",
                );
            }
            Some("body") => set.body = Some((param, at)),
            Some("formData") => set.form.push((param, at)),
            Some(location @ ("query" | "header" | "path" | "cookie")) => {
                if let Some(converted) = self.plain_parameter(param, location, &at) {
                    set.plain.push(converted);
                }
            }
            Some(other) => {
                let message = format!("unknown parameter location `{other}`; skipped");
                self.warn(&at.child("in"), message);
            }
            None => self.warn(&at, "a parameter needs an `in` string; skipped"),
        }
    }

    /// A `$ref` parameter. Body and form targets are inlined (OpenAPI 3 has no parameter
    /// form for them); other targets stay references into `components.parameters`.
    fn add_parameter_ref(&mut self, set: &mut ParamSet<'a>, param: &Object, at: &SourceRef) {
        let Some(reference) = param.get("$ref").and_then(Value::as_str) else {
            self.warn(&at.child("$ref"), "`$ref` must be a string; skipped");
            return;
        };
        if !reference.starts_with("#/parameters/") {
            let message = "not a `#/parameters/` reference, so where it travels is unknown; \
                           kept as a parameter reference";
            self.info(at, message);
            set.plain.push(json!({ "$ref": reference }));
            return;
        }
        let Some((target, target_at)) = self.global_parameter(reference) else {
            let message = format!("`{reference}` does not lead to a parameter object; skipped");
            return self.warn(at, message);
        };
        match target.get("in").and_then(Value::as_str) {
            Some("body" | "formData") => self.add_parameter_object(set, target, target_at),
            Some("query" | "header" | "path" | "cookie") => {
                set.plain.push(json!({ "$ref": reference }));
            }
            _ => {
                let message =
                    format!("`{reference}` leads to a parameter that cannot be converted; skipped");
                self.warn(at, message);
            }
        }
    }

    /// Follow `#/parameters/...` references to the document-level parameter object they
    /// end at, with its location.
    fn global_parameter(&self, reference: &str) -> Option<(&'a Object, SourceRef)> {
        let globals = self.root.get("parameters")?;
        let mut reference = reference.to_string();
        for _ in 0..MAX_REF_HOPS {
            let name = unescape_token(reference.strip_prefix("#/parameters/")?);
            let target = globals.get(name.as_str())?.as_object()?;
            match target.get("$ref").and_then(Value::as_str) {
                Some(next) => reference = next.to_string(),
                None => return Some((target, self.top().child("parameters").child(&name))),
            }
        }
        None
    }

    /// A path, query, header or cookie parameter: value keywords move into `schema`, an
    /// array's `collectionFormat` becomes `style`/`explode`.
    fn plain_parameter(&mut self, param: &Object, location: &str, at: &SourceRef) -> Option<Value> {
        let Some(name) = param.get("name").and_then(Value::as_str) else {
            self.warn(at, "a parameter needs a `name` string; skipped");
            return None;
        };
        let mut out = Object::new();
        out.insert("name".into(), json!(name));
        out.insert("in".into(), json!(location));
        copy_keys(param, &mut out, &["description", "required"]);
        if location == "path" && param.get("required") != Some(&Value::Bool(true)) {
            self.info(at, "a path parameter is always required; marked required");
            out.insert("required".into(), Value::Bool(true));
        }
        copy_keys(param, &mut out, &["deprecated", "allowEmptyValue"]);
        if let Some((style, explode)) = self.style(param, location, at) {
            out.insert("style".into(), json!(style));
            out.insert("explode".into(), json!(explode));
        }
        out.insert("schema".into(), Value::Object(value_schema(param)));
        copy_extensions(param, &mut out);
        Some(Value::Object(out))
    }

    /// `style` and `explode` for an array's `collectionFormat` (csv when absent) in
    /// `location` (`formData` behaves like `query`); `None` when `param` is no array.
    /// Formats OpenAPI 3 cannot express (`tsv`, or e.g. `ssv` in a path) are reported and
    /// sent as csv.
    fn style(
        &mut self,
        param: &Object,
        location: &str,
        at: &SourceRef,
    ) -> Option<(&'static str, bool)> {
        if param.get("type").and_then(Value::as_str) != Some("array") {
            return None;
        }
        let raw = param.get("collectionFormat");
        let format = raw.map_or(Some("csv"), Value::as_str).unwrap_or_default();
        let csv = if matches!(location, "path" | "header") {
            ("simple", false)
        } else {
            ("form", false)
        };
        let style = match (location, format) {
            (_, "csv") => csv,
            ("query" | "formData", "ssv") => ("spaceDelimited", false),
            ("query" | "formData", "pipes") => ("pipeDelimited", false),
            ("query" | "formData" | "cookie", "multi") => ("form", true),
            _ => {
                let shown = raw.map(Value::to_string).unwrap_or_default();
                let message = if format == "tsv" {
                    "collectionFormat `tsv` has no OpenAPI 3 equivalent; sent as csv".to_string()
                } else {
                    format!("collectionFormat {shown} cannot be used in {location}; sent as csv")
                };
                self.warn(&at.child("collectionFormat"), message);
                csv
            }
        };
        Some(style)
    }

    /// The request body: from the body parameter if there is one (operation-level over
    /// path-level), else from the form parameters (operation-level ones override
    /// path-level ones of the same name).
    fn request_body(
        &mut self,
        op: &Object,
        shared: &ParamSet<'a>,
        own: &ParamSet<'a>,
        at: &SourceRef,
    ) -> Option<Value> {
        let form = merge_form(&shared.form, &own.form);
        let consumes = self.media_types(op, "consumes", at);
        let Some((body, body_at)) = own.body.as_ref().or(shared.body.as_ref()) else {
            return self.form_request(&form, &consumes);
        };
        if let Some((_, form_at)) = form.first() {
            let message = "an operation cannot have both a body and form parameters; \
                           the form parameters are ignored";
            self.warn(form_at, message);
        }
        Some(self.body_request(body, body_at, &consumes))
    }

    /// A request body from an `in: body` parameter: its schema under every media type.
    fn body_request(&mut self, param: &Object, at: &SourceRef, consumes: &[String]) -> Value {
        let schema = match param.get("schema") {
            Some(schema) => convert_schema(schema),
            None => {
                self.warn(at, "a body parameter needs a `schema`; any value accepted");
                json!({})
            }
        };
        let content: Object = consumes
            .iter()
            .map(|media_type| (media_type.clone(), json!({ "schema": schema.clone() })))
            .collect();
        let mut out = Object::new();
        copy_keys(param, &mut out, &["description"]);
        out.insert("content".into(), Value::Object(content));
        copy_keys(param, &mut out, &["required"]);
        copy_extensions(param, &mut out);
        Value::Object(out)
    }

    /// A request body from `in: formData` parameters: an object schema with one property
    /// per field under the form media types; array formats go in the url-encoded
    /// `encoding`. `None` when no field is usable.
    fn form_request(
        &mut self,
        fields: &[(&Object, SourceRef)],
        consumes: &[String],
    ) -> Option<Value> {
        let mut properties = Object::new();
        let mut required = Vec::new();
        let mut encoding = Object::new();
        let mut has_file = false;
        for (field, at) in fields {
            let Some(name) = field_name(field) else {
                self.warn(at, "a form parameter needs a `name` string; skipped");
                continue;
            };
            has_file |= field.get("type").and_then(Value::as_str) == Some("file");
            let name_value = json!(name);
            if field.get("required") == Some(&Value::Bool(true)) && !required.contains(&name_value)
            {
                required.push(name_value);
            }
            if let Some((style, explode)) = self.style(field, "formData", at) {
                encoding.insert(name.into(), json!({ "style": style, "explode": explode }));
            }
            properties.insert(name.into(), form_property(field));
        }
        if properties.is_empty() {
            return None;
        }
        let mut schema = Object::new();
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required.clone()));
        }
        let content = form_media_types(consumes, has_file)
            .into_iter()
            .map(|media_type| {
                let mut media = Object::new();
                media.insert("schema".into(), Value::Object(schema.clone()));
                if media_type_essence(&media_type) == URL_ENCODED && !encoding.is_empty() {
                    media.insert("encoding".into(), Value::Object(encoding.clone()));
                }
                (media_type, Value::Object(media))
            })
            .collect();
        let mut out = Object::new();
        out.insert("content".into(), Value::Object(content));
        if !required.is_empty() {
            out.insert("required".into(), Value::Bool(true));
        }
        Some(Value::Object(out))
    }

    /// A `responses` map with every response converted for `produces`.
    fn responses(
        &mut self,
        responses: Option<&Value>,
        at: &SourceRef,
        produces: &[String],
    ) -> Value {
        let mut out = Object::new();
        let Some(responses) = self.object(responses, at) else {
            return Value::Object(out);
        };
        for (code, response) in responses {
            if code.starts_with("x-") {
                out.insert(code.clone(), response.clone());
            } else if let Some(converted) = self.response(response, &at.child(code), produces) {
                out.insert(code.clone(), converted);
            }
        }
        Value::Object(out)
    }

    /// One response: its schema under every `produces` media type, headers with
    /// schemas; a `$ref` is kept.
    fn response(&mut self, response: &Value, at: &SourceRef, produces: &[String]) -> Option<Value> {
        let response = self.object(Some(response), at)?;
        if let Some(reference) = response.get("$ref") {
            return Some(json!({ "$ref": reference }));
        }
        let mut out = Object::new();
        let description = response.get("description").cloned();
        out.insert(
            "description".into(),
            description.unwrap_or_else(|| json!("")),
        );
        if let Some(headers) = response.get("headers") {
            let headers = self.headers(headers, &at.child("headers"));
            out.insert("headers".into(), headers);
        }
        if let Some(schema) = response.get("schema") {
            let content = response_content(response, schema, produces);
            out.insert("content".into(), Value::Object(content));
        }
        copy_extensions(response, &mut out);
        Some(Value::Object(out))
    }

    /// Response headers, each with its value keywords moved into `schema`.
    fn headers(&mut self, headers: &Value, at: &SourceRef) -> Value {
        let mut out = Object::new();
        let Some(headers) = self.object(Some(headers), at) else {
            return Value::Object(out);
        };
        for (name, header) in headers {
            let header_at = at.child(name);
            let Some(header) = self.object(Some(header), &header_at) else {
                continue;
            };
            let mut converted = Object::new();
            copy_keys(header, &mut converted, &["description"]);
            if let Some((style, explode)) = self.style(header, "header", &header_at) {
                converted.insert("style".into(), json!(style));
                converted.insert("explode".into(), json!(explode));
            }
            converted.insert("schema".into(), Value::Object(value_schema(header)));
            copy_extensions(header, &mut converted);
            out.insert(name.clone(), Value::Object(converted));
        }
        Value::Object(out)
    }

    /// `components` from the document-level definitions, parameters, responses and
    /// security definitions (empty sections left out).
    fn components(&mut self) -> Object {
        let produces = self.document_media_types("produces");
        let sections = [
            (
                "schemas",
                self.convert_entries("definitions", |_, schema, _| Some(convert_schema(schema))),
            ),
            (
                "parameters",
                self.convert_entries("parameters", Self::component_parameter),
            ),
            (
                "responses",
                self.convert_entries("responses", |c, response, at| {
                    c.response(response, &at, &produces)
                }),
            ),
            (
                "securitySchemes",
                self.convert_entries("securityDefinitions", |c, scheme, at| {
                    c.security_scheme(scheme, &at)
                }),
            ),
        ];
        let mut out = Object::new();
        for (name, section) in sections {
            if !section.is_empty() {
                out.insert(name.into(), Value::Object(section));
            }
        }
        out
    }

    /// Each entry of the document-level map `key` converted by `convert` (entries it
    /// rejects are left out).
    fn convert_entries(
        &mut self,
        key: &str,
        mut convert: impl FnMut(&mut Self, &'a Value, SourceRef) -> Option<Value>,
    ) -> Object {
        let mut out = Object::new();
        let at = self.top().child(key);
        let Some(entries) = self.object(self.root.get(key), &at) else {
            return out;
        };
        for (name, value) in entries {
            if let Some(converted) = convert(self, value, at.child(name)) {
                out.insert(name.clone(), converted);
            }
        }
        out
    }

    /// A document-level parameter if it is a plain one; body and form parameters have no
    /// OpenAPI 3 parameter form and are inlined where they are used.
    fn component_parameter(&mut self, param: &'a Value, at: SourceRef) -> Option<Value> {
        let mut set = ParamSet::default();
        self.add_parameter(&mut set, param, at);
        set.plain.pop()
    }

    /// One security scheme: `basic` becomes HTTP basic, `oauth2` gets `flows`, `apiKey`
    /// is unchanged.
    fn security_scheme(&mut self, scheme: &Value, at: &SourceRef) -> Option<Value> {
        let scheme = self.object(Some(scheme), at)?;
        let mut out = Object::new();
        match scheme.get("type").and_then(Value::as_str) {
            Some("apiKey") => return Some(Value::Object(scheme.clone())),
            Some("basic") => {
                out.insert("type".into(), json!("http"));
                out.insert("scheme".into(), json!("basic"));
            }
            Some("oauth2") => {
                let flows = self.oauth_flows(scheme, at)?;
                out.insert("type".into(), json!("oauth2"));
                out.insert("flows".into(), flows);
            }
            Some(other) => {
                let message = format!("unknown security scheme type `{other}`; skipped");
                self.warn(&at.child("type"), message);
                return None;
            }
            None => {
                self.warn(at, "a security scheme needs a `type` string; skipped");
                return None;
            }
        }
        copy_keys(scheme, &mut out, &["description"]);
        copy_extensions(scheme, &mut out);
        Some(Value::Object(out))
    }

    /// The OpenAPI 3 `flows` object of a Swagger 2.0 OAuth2 scheme (one flow).
    fn oauth_flows(&mut self, scheme: &Object, at: &SourceRef) -> Option<Value> {
        let (flow, urls): (&str, &[&str]) = match scheme.get("flow").and_then(Value::as_str) {
            Some("implicit") => ("implicit", &["authorizationUrl"]),
            Some("password") => ("password", &["tokenUrl"]),
            Some("application") => ("clientCredentials", &["tokenUrl"]),
            Some("accessCode") => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
            _ => {
                let message = "an OAuth2 scheme needs a `flow` of implicit, password, \
                               application or accessCode; skipped";
                self.warn(&at.child("flow"), message);
                return None;
            }
        };
        let mut details = Object::new();
        copy_keys(scheme, &mut details, urls);
        let scopes = scheme.get("scopes").cloned().unwrap_or_else(|| json!({}));
        details.insert("scopes".into(), scopes);
        let mut flows = Object::new();
        flows.insert(flow.into(), Value::Object(details));
        Some(Value::Object(flows))
    }
}

/// Copy the `keys` of `from` that are present into `to`.
fn copy_keys(from: &Object, to: &mut Object, keys: &[&str]) {
    for key in keys {
        if let Some(value) = from.get(*key) {
            to.insert((*key).to_string(), value.clone());
        }
    }
}

/// Copy the `x-*` extensions of `from` into `to`, except `x-nullable`, which becomes the
/// schema's `nullable`.
fn copy_extensions(from: &Object, to: &mut Object) {
    for (key, value) in from {
        if key.starts_with("x-") && key != "x-nullable" {
            to.insert(key.clone(), value.clone());
        }
    }
}

/// The `name` of a parameter, if it is a string.
fn field_name(field: &Object) -> Option<&str> {
    field.get("name").and_then(Value::as_str)
}

/// Path-level form fields not overridden (by name) at operation level, then the
/// operation's own.
fn merge_form<'a>(
    shared: &[(&'a Object, SourceRef)],
    own: &[(&'a Object, SourceRef)],
) -> Vec<(&'a Object, SourceRef)> {
    let own_names: Vec<&str> = own
        .iter()
        .filter_map(|(field, _)| field_name(field))
        .collect();
    shared
        .iter()
        .filter(|(field, _)| field_name(field).is_none_or(|name| !own_names.contains(&name)))
        .chain(own)
        .cloned()
        .collect()
}

/// The property schema of one form field: its value keywords and description.
fn form_property(field: &Object) -> Value {
    let mut schema = value_schema(field);
    copy_keys(field, &mut schema, &["description"]);
    Value::Object(schema)
}

/// Media types of a form body: multipart when a field is a file or `consumes` lists it,
/// url-encoded otherwise; both (in `consumes` order) when both are listed and no field is
/// a file.
fn form_media_types(consumes: &[String], has_file: bool) -> Vec<String> {
    let listed = |wanted: &str| {
        consumes
            .iter()
            .find(|m| media_type_essence(m) == wanted)
            .cloned()
    };
    match (listed(MULTIPART), listed(URL_ENCODED)) {
        (Some(_), Some(_)) if !has_file => consumes
            .iter()
            .filter(|m| matches!(media_type_essence(m).as_str(), MULTIPART | URL_ENCODED))
            .cloned()
            .collect(),
        (Some(multipart), _) => vec![multipart],
        (None, _) if has_file => vec![MULTIPART.to_string()],
        (None, Some(url_encoded)) => vec![url_encoded],
        (None, None) => vec![URL_ENCODED.to_string()],
    }
}

/// A media type without parameters, lower-cased (`Text/Plain; charset=x` → `text/plain`).
/// A response's `content`: its schema under every media type, with the matching
/// `examples` entry as `example`.
fn response_content(response: &Object, schema: &Value, produces: &[String]) -> Object {
    let schema = convert_schema(schema);
    let examples = response.get("examples").and_then(Value::as_object);
    produces
        .iter()
        .map(|media_type| {
            let mut media = Object::new();
            media.insert("schema".into(), schema.clone());
            if let Some(example) = examples.and_then(|e| e.get(media_type)) {
                media.insert("example".into(), example.clone());
            }
            (media_type.clone(), Value::Object(media))
        })
        .collect()
}

/// The schema of a parameter, header or form field: its value keywords, with
/// `x-nullable` and `type: file` translated.
fn value_schema(source: &Object) -> Object {
    let mut out = Object::new();
    for key in VALUE_KEYWORDS {
        if let Some(value) = source.get(key) {
            let value = if key == "items" {
                convert_schema(value)
            } else {
                value.clone()
            };
            out.insert(key.into(), value);
        }
    }
    if let Some(nullable) = source.get("x-nullable").filter(|v| v.is_boolean()) {
        out.insert("nullable".into(), nullable.clone());
    }
    fix_file_type(&mut out);
    out
}

/// A Swagger 2.0 Schema Object as an OpenAPI 3.0 one, nested schemas included:
/// `x-nullable` → `nullable`, `type: file` → binary string, a string `discriminator` →
/// `{propertyName}`, `collectionFormat` (of `items`) dropped. Values (`default`,
/// `example`, `enum`) are not descended into.
fn convert_schema(schema: &Value) -> Value {
    let Value::Object(source) = schema else {
        return schema.clone();
    };
    let mut out = Object::new();
    for (key, value) in source {
        let converted = match key.as_str() {
            "x-nullable" if value.is_boolean() => {
                out.insert("nullable".into(), value.clone());
                continue;
            }
            "collectionFormat" => continue,
            "items" | "additionalProperties" | "not" | "allOf" | "anyOf" | "oneOf" => {
                convert_nested(value)
            }
            "properties" => convert_schema_map(value),
            "discriminator" => match value {
                Value::String(name) => json!({ "propertyName": name }),
                _ => value.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    fix_file_type(&mut out);
    Value::Object(out)
}

/// A schema or a list of schemas, each converted.
fn convert_nested(value: &Value) -> Value {
    match value {
        Value::Array(list) => Value::Array(list.iter().map(convert_schema).collect()),
        _ => convert_schema(value),
    }
}

/// A map of named schemas (`properties`), each converted.
fn convert_schema_map(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(name, schema)| (name.clone(), convert_schema(schema)))
                .collect(),
        ),
        _ => value.clone(),
    }
}

/// Swagger's `type: file` as OpenAPI 3's binary string.
fn fix_file_type(schema: &mut Object) {
    if schema.get("type").and_then(Value::as_str) == Some("file") {
        schema.insert("type".into(), json!("string"));
        schema.insert("format".into(), json!("binary"));
    }
}

/// Point every local Swagger 2.0 `$ref` string in `value` at its OpenAPI 3 home.
fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match child {
                    Value::String(reference) if key == "$ref" => {
                        if let Some(rewritten) = rewritten_ref(reference) {
                            *reference = rewritten;
                        }
                    }
                    _ => rewrite_refs(child),
                }
            }
        }
        Value::Array(list) => list.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

/// The OpenAPI 3 form of a local Swagger 2.0 reference; `None` for anything else.
fn rewritten_ref(reference: &str) -> Option<String> {
    REF_PREFIXES.iter().find_map(|(from, to)| {
        reference
            .strip_prefix(from)
            .map(|rest| format!("{to}{rest}"))
    })
}

/// Undo RFC 6901 escaping of one pointer token.
fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// The place in the original Swagger 2.0 document that a pointer into the converted
/// document came from, so messages point at what the user wrote. Parts that have no
/// exact original (a request body built from `in: body` or `formData` parameters) map to
/// the nearest enclosing place.
pub(crate) fn original_pointer(converted: &str) -> String {
    const MOVED: [(&str, &str); 4] = [
        ("/components/schemas/", "/definitions/"),
        ("/components/parameters/", "/parameters/"),
        ("/components/responses/", "/responses/"),
        ("/components/securitySchemes/", "/securityDefinitions/"),
    ];
    for (new, old) in MOVED {
        if let Some(rest) = converted.strip_prefix(new) {
            return format!("{old}{rest}");
        }
    }
    let tokens: Vec<&str> = converted.split('/').collect();
    // ["", "paths", path, method, ...]
    if tokens.get(1) != Some(&"paths") || tokens.len() <= 4 {
        return converted.to_owned();
    }
    let operation = tokens[..4].join("/");
    match (
        tokens.get(4).copied(),
        tokens.get(6).copied(),
        tokens.get(7).copied(),
    ) {
        (Some("requestBody"), _, _) => format!("{operation}/parameters"),
        (Some("parameters"), Some("schema"), _) => tokens[..6].join("/"),
        (Some("responses"), Some("content"), Some(_)) => {
            let rest = tokens.get(9..).map(|t| t.join("/")).unwrap_or_default();
            let response = tokens[..6].join("/");
            if rest.is_empty() {
                format!("{response}/schema")
            } else {
                format!("{response}/schema/{rest}")
            }
        }
        _ => converted.to_owned(),
    }
}

#[cfg(test)]
mod tests;
