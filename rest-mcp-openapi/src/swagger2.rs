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
mod tests {
    use serde_json::{Value, json};

    use super::convert;
    use crate::error::{Diagnostic, Diagnostics, Severity};

    /// Convert `doc` (named `spec.json`); the output and the diagnostics.
    fn run(doc: Value) -> (Value, Vec<Diagnostic>) {
        let mut diagnostics = Diagnostics::default();
        let out = convert(doc, "spec.json", &mut diagnostics).expect("an object converts");
        (out, diagnostics.into_vec())
    }

    /// A minimal Swagger document with the keys of `extra` added to the root.
    fn doc(extra: Value) -> Value {
        let mut root = json!({
            "swagger": "2.0", "info": { "title": "T", "version": "1" }, "paths": {},
        });
        if let (Value::Object(root), Value::Object(extra)) = (&mut root, extra) {
            root.extend(extra);
        }
        root
    }

    /// A document whose only operation is `POST /things/{id}`, plus root keys `extra`.
    fn with_op(op: Value, extra: Value) -> Value {
        let mut extra = extra;
        if let Value::Object(map) = &mut extra {
            map.insert("paths".into(), json!({ "/things/{id}": { "post": op } }));
        }
        doc(extra)
    }

    /// Pointer of the test operation in the output.
    const OP: &str = "/paths/~1things~1{id}/post";

    /// Check `(pointer, expected)` pairs; an expected `null` means "absent".
    fn check(case: &str, out: &Value, checks: &[(&str, Value)]) {
        for (pointer, expected) in checks {
            let actual = out.pointer(pointer);
            if expected.is_null() {
                assert_eq!(
                    actual, None,
                    "{case}: {pointer} should be absent in {out:#}"
                );
            } else {
                assert_eq!(actual, Some(expected), "{case}: {pointer} in {out:#}");
            }
        }
    }

    /// The pointers of the diagnostics with `severity`.
    fn pointers(diagnostics: &[Diagnostic], severity: Severity) -> Vec<String> {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .map(|d| d.location.pointer.clone())
            .collect()
    }

    #[test]
    fn copies_document_fields_and_extensions() {
        let (out, diagnostics) = run(doc(json!({
            "tags": [{ "name": "pets" }],
            "externalDocs": { "url": "https://docs" },
            "security": [{ "key": [] }],
            "x-logo": "logo.png",
            "paths": { "x-paths-ext": 1, "/a": { "$ref": "other.yaml#/paths/a", "x-item": 2 } },
        })));
        check(
            "document",
            &out,
            &[
                ("/openapi", json!("3.0.3")),
                ("/info/title", json!("T")),
                ("/tags/0/name", json!("pets")),
                ("/externalDocs/url", json!("https://docs")),
                ("/security/0/key", json!([])),
                ("/x-logo", json!("logo.png")),
                ("/paths/x-paths-ext", json!(1)),
                ("/paths/~1a/$ref", json!("other.yaml#/paths/a")),
                ("/paths/~1a/x-item", json!(2)),
                ("/swagger", Value::Null),
                ("/components", Value::Null),
            ],
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }

    #[test]
    fn servers_from_host_base_path_and_schemes() {
        let cases = [
            ("nothing", json!({}), json!([{ "url": "/" }])),
            (
                "base path only",
                json!({ "basePath": "/v1/" }),
                json!([{ "url": "/v1" }]),
            ),
            (
                "host only",
                json!({ "host": "api.x" }),
                json!([{ "url": "https://api.x" }]),
            ),
            (
                "root base path",
                json!({ "host": "api.x/", "basePath": "/" }),
                json!([{ "url": "https://api.x" }]),
            ),
            (
                "schemes in order",
                json!({ "host": "api.x:8080", "basePath": "v2", "schemes": ["http", "https"] }),
                json!([{ "url": "http://api.x:8080/v2" }, { "url": "https://api.x:8080/v2" }]),
            ),
            (
                "host not a string",
                json!({ "host": 7, "basePath": "/api" }),
                json!([{ "url": "/api" }]),
            ),
        ];
        for (case, extra, expected) in cases {
            let (out, _) = run(doc(extra));
            check(case, &out, &[("/servers", expected)]);
        }
    }

    #[test]
    fn operation_level_schemes_become_operation_servers() {
        let op = json!({ "schemes": ["http"], "responses": {} });
        let (out, _) = run(with_op(op, json!({ "host": "h", "basePath": "/b" })));
        check(
            "op servers",
            &out,
            &[(&format!("{OP}/servers"), json!([{ "url": "http://h/b" }]))],
        );
    }

    #[test]
    fn operation_fields_are_kept() {
        let op = json!({
            "operationId": "make", "summary": "S", "description": "D", "tags": ["t"],
            "deprecated": true, "security": [{ "oauth": ["w"] }], "x-op": true,
            "externalDocs": { "url": "u" }, "responses": { "200": { "description": "ok" } },
        });
        let (out, _) = run(with_op(op, json!({})));
        let keys = [
            "operationId",
            "summary",
            "description",
            "tags",
            "deprecated",
            "security",
        ];
        for key in keys.into_iter().chain(["x-op", "externalDocs"]) {
            assert!(
                out.pointer(&format!("{OP}/{key}")).is_some(),
                "{key} in {out:#}"
            );
        }
        check(
            "op",
            &out,
            &[(&format!("{OP}/responses/200/description"), json!("ok"))],
        );
    }

    #[test]
    fn body_parameter_becomes_request_body() {
        let body = json!({ "in": "body", "name": "b", "required": true, "description": "The thing",
                           "schema": { "$ref": "#/definitions/Thing" }, "x-body": 1 });
        let schema = json!({ "schema": { "$ref": "#/components/schemas/Thing" } });
        let cases = [
            (
                "default media type",
                json!({}),
                json!({}),
                vec!["application/json"],
            ),
            (
                "global consumes",
                json!({}),
                json!({ "consumes": ["text/xml"] }),
                vec!["text/xml"],
            ),
            (
                "operation consumes wins",
                json!({ "consumes": ["application/json", "application/xml"] }),
                json!({ "consumes": ["text/xml"] }),
                vec!["application/json", "application/xml"],
            ),
        ];
        for (case, op_extra, root, media_types) in cases {
            let mut op = json!({ "parameters": [body.clone()], "responses": {} });
            if let (Value::Object(op), Value::Object(extra)) = (&mut op, op_extra) {
                op.extend(extra);
            }
            let (out, _) = run(with_op(op, root));
            let content: Value = media_types
                .iter()
                .map(|m| (m.to_string(), schema.clone()))
                .collect();
            check(
                case,
                &out,
                &[
                    (&format!("{OP}/requestBody/content"), content),
                    (&format!("{OP}/requestBody/required"), json!(true)),
                    (&format!("{OP}/requestBody/description"), json!("The thing")),
                    (&format!("{OP}/requestBody/x-body"), json!(1)),
                    (&format!("{OP}/parameters"), Value::Null),
                ],
            );
        }
    }

    #[test]
    fn form_parameters_become_one_request_body() {
        let file = json!({ "in": "formData", "name": "upload", "type": "file", "required": true });
        let name = json!({ "in": "formData", "name": "name", "type": "string", "maxLength": 9,
                           "description": "Who" });
        let cases = [
            (
                "file → multipart",
                vec![file.clone(), name.clone()],
                json!(null),
                vec![super::MULTIPART],
            ),
            (
                "no file → urlencoded",
                vec![name.clone()],
                json!(null),
                vec![super::URL_ENCODED],
            ),
            (
                "consumes lists multipart",
                vec![name.clone()],
                json!(["multipart/form-data"]),
                vec![super::MULTIPART],
            ),
            (
                "consumes lists both",
                vec![name.clone()],
                json!([super::URL_ENCODED, super::MULTIPART]),
                vec![super::URL_ENCODED, super::MULTIPART],
            ),
            (
                "file with both listed",
                vec![file.clone(), name.clone()],
                json!([super::URL_ENCODED, super::MULTIPART]),
                vec![super::MULTIPART],
            ),
        ];
        for (case, fields, consumes, media_types) in cases {
            let mut op = json!({ "parameters": fields.clone(), "responses": {} });
            if !consumes.is_null() {
                op["consumes"] = consumes;
            }
            let (out, diagnostics) = run(with_op(op, json!({})));
            let content = out.pointer(&format!("{OP}/requestBody/content")).cloned();
            let keys: Vec<String> = content
                .iter()
                .flat_map(|c| c.as_object())
                .flat_map(|c| c.keys().cloned())
                .collect();
            assert_eq!(keys, media_types, "{case}: {out:#}");
            let media = format!(
                "{OP}/requestBody/content/{}",
                media_types[0].replace('/', "~1")
            );
            check(
                case,
                &out,
                &[
                    (&format!("{media}/schema/type"), json!("object")),
                    (
                        &format!("{media}/schema/properties/name"),
                        json!({ "type": "string", "maxLength": 9, "description": "Who" }),
                    ),
                ],
            );
            if fields.len() == 2 {
                check(
                    case,
                    &out,
                    &[
                        (
                            &format!("{media}/schema/properties/upload"),
                            json!({ "type": "string", "format": "binary" }),
                        ),
                        (&format!("{media}/schema/required"), json!(["upload"])),
                        (&format!("{OP}/requestBody/required"), json!(true)),
                    ],
                );
            }
            assert!(diagnostics.is_empty(), "{case}: {diagnostics:?}");
        }
    }

    #[test]
    fn form_arrays_get_url_encoded_encoding() {
        let tags = json!({ "in": "formData", "name": "tags", "type": "array",
                           "items": { "type": "string" }, "collectionFormat": "multi" });
        let (out, _) = run(with_op(
            json!({ "parameters": [tags], "responses": {} }),
            json!({}),
        ));
        let encoding =
            format!("{OP}/requestBody/content/application~1x-www-form-urlencoded/encoding");
        check(
            "encoding",
            &out,
            &[(
                &encoding,
                json!({ "tags": { "style": "form", "explode": true } }),
            )],
        );
    }

    #[test]
    fn body_and_form_together_keep_the_body_and_warn() {
        let params = json!([
            { "in": "formData", "name": "f", "type": "string" },
            { "in": "body", "name": "b", "schema": { "type": "object" } },
        ]);
        let (out, diagnostics) = run(with_op(
            json!({ "parameters": params, "responses": {} }),
            json!({}),
        ));
        check(
            "both",
            &out,
            &[(
                &format!("{OP}/requestBody/content/application~1json/schema/type"),
                json!("object"),
            )],
        );
        assert_eq!(
            pointers(&diagnostics, Severity::Warning),
            ["/paths/~1things~1{id}/post/parameters/0"]
        );
    }

    #[test]
    fn path_level_parameters_are_shared() {
        let root = doc(json!({ "paths": { "/things/{id}": {
            "parameters": [
                { "in": "path", "name": "id", "required": true, "type": "integer" },
                { "in": "body", "name": "b", "schema": { "type": "string" } },
            ],
            "put": { "responses": {} },
            "post": {
                "parameters": [{ "in": "body", "name": "b", "schema": { "type": "integer" } }],
                "responses": {},
            },
        } } }));
        let (out, diagnostics) = run(root);
        let item = "/paths/~1things~1{id}";
        let schema = "requestBody/content/application~1json/schema/type";
        check(
            "shared",
            &out,
            &[
                (&format!("{item}/parameters/0/name"), json!("id")),
                (&format!("{item}/parameters/1"), Value::Null),
                (&format!("{item}/put/{schema}"), json!("string")),
                (&format!("{item}/post/{schema}"), json!("integer")),
            ],
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }

    #[test]
    fn path_level_form_fields_are_overridden_by_name() {
        let root = doc(json!({ "paths": { "/f": {
            "parameters": [
                { "in": "formData", "name": "kept", "type": "string" },
                { "in": "formData", "name": "overridden", "type": "string" },
            ],
            "post": {
                "parameters": [{ "in": "formData", "name": "overridden", "type": "integer" }],
                "responses": {},
            },
        } } }));
        let (out, _) = run(root);
        let properties = "/paths/~1f/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties";
        check(
            "override",
            &out,
            &[(
                properties,
                json!({ "kept": { "type": "string" }, "overridden": { "type": "integer" } }),
            )],
        );
    }

    #[test]
    fn parameter_references_are_looked_up() {
        let root = json!({
            "parameters": {
                "Body": {
                    "in": "body", "name": "b", "required": true,
                    "schema": { "$ref": "#/definitions/T" },
                },
                "Alias": { "$ref": "#/parameters/Body" },
                "Form": { "in": "formData", "name": "file", "type": "file" },
                "Limit": { "in": "query", "name": "limit", "type": "integer", "maximum": 50 },
            },
            "definitions": { "T": { "type": "object" } },
        });
        let cases = [
            (
                "body",
                "#/parameters/Body",
                "requestBody/content/application~1json/schema/$ref",
                json!("#/components/schemas/T"),
            ),
            (
                "chain to body",
                "#/parameters/Alias",
                "requestBody/required",
                json!(true),
            ),
            (
                "form",
                "#/parameters/Form",
                "requestBody/content/multipart~1form-data/schema/properties/file/format",
                json!("binary"),
            ),
            (
                "plain",
                "#/parameters/Limit",
                "parameters/0/$ref",
                json!("#/components/parameters/Limit"),
            ),
            (
                "external",
                "common.yaml#/parameters/X",
                "parameters/0/$ref",
                json!("common.yaml#/parameters/X"),
            ),
        ];
        for (case, reference, pointer, expected) in cases {
            let op = json!({ "parameters": [{ "$ref": reference }], "responses": {} });
            let (out, diagnostics) = run(with_op(op, root.clone()));
            check(case, &out, &[(&format!("{OP}/{pointer}"), expected)]);
            check(
                case,
                &out,
                &[
                    (
                        "/components/parameters/Limit/schema",
                        json!({ "type": "integer", "maximum": 50 }),
                    ),
                    ("/components/parameters/Body", Value::Null),
                    ("/components/parameters/Form", Value::Null),
                ],
            );
            assert!(
                pointers(&diagnostics, Severity::Warning).is_empty(),
                "{case}: {diagnostics:?}"
            );
        }
    }

    #[test]
    fn plain_parameters_move_value_keywords_into_schema() {
        let param = json!({
            "in": "query", "name": "q", "description": "D", "required": false,
            "allowEmptyValue": true, "deprecated": true, "x-p": 1, "x-nullable": true,
            "type": "string", "format": "date", "enum": ["a"], "default": "a", "pattern": "^a$",
            "minLength": 1, "maxLength": 2,
        });
        let (out, _) = run(with_op(
            json!({ "parameters": [param], "responses": {} }),
            json!({}),
        ));
        let expected = json!({
            "name": "q", "in": "query", "description": "D", "required": false,
            "deprecated": true, "allowEmptyValue": true,
            "schema": { "type": "string", "format": "date", "enum": ["a"], "default": "a",
                        "minLength": 1, "maxLength": 2, "pattern": "^a$", "nullable": true },
            "x-p": 1,
        });
        check("plain", &out, &[(&format!("{OP}/parameters/0"), expected)]);
    }

    #[test]
    fn path_parameters_are_always_required() {
        let param = json!({ "in": "path", "name": "id", "type": "string" });
        let (out, diagnostics) = run(with_op(
            json!({ "parameters": [param], "responses": {} }),
            json!({}),
        ));
        check(
            "path",
            &out,
            &[(&format!("{OP}/parameters/0/required"), json!(true))],
        );
        assert_eq!(
            pointers(&diagnostics, Severity::Info),
            ["/paths/~1things~1{id}/post/parameters/0"]
        );
    }

    #[test]
    fn collection_formats_become_styles() {
        let cases = [
            // (in, collectionFormat, style, explode, warns)
            ("query", None, Some("form"), false, false),
            ("query", Some("csv"), Some("form"), false, false),
            ("path", Some("csv"), Some("simple"), false, false),
            ("header", None, Some("simple"), false, false),
            ("query", Some("ssv"), Some("spaceDelimited"), false, false),
            ("query", Some("pipes"), Some("pipeDelimited"), false, false),
            ("query", Some("multi"), Some("form"), true, false),
            ("query", Some("tsv"), Some("form"), false, true),
            ("header", Some("tsv"), Some("simple"), false, true),
            ("path", Some("ssv"), Some("simple"), false, true),
            ("header", Some("multi"), Some("simple"), false, true),
            ("query", Some("bogus"), Some("form"), false, true),
        ];
        for (location, format, style, explode, warns) in cases {
            let mut param = json!({ "in": location, "name": "p", "required": true, "type": "array",
                                    "items": { "type": "string" } });
            if let Some(format) = format {
                param["collectionFormat"] = json!(format);
            }
            let case = format!("{location} {format:?}");
            let (out, diagnostics) = run(with_op(
                json!({ "parameters": [param], "responses": {} }),
                json!({}),
            ));
            check(
                &case,
                &out,
                &[
                    (&format!("{OP}/parameters/0/style"), json!(style)),
                    (&format!("{OP}/parameters/0/explode"), json!(explode)),
                    (
                        &format!("{OP}/parameters/0/schema"),
                        json!({ "type": "array", "items": { "type": "string" } }),
                    ),
                ],
            );
            let expected: Vec<String> = if warns {
                vec![format!(
                    "{}/parameters/0/collectionFormat",
                    "/paths/~1things~1{id}/post"
                )]
            } else {
                Vec::new()
            };
            assert_eq!(
                pointers(&diagnostics, Severity::Warning),
                expected,
                "{case}"
            );
        }
    }

    #[test]
    fn non_array_parameters_get_no_style() {
        let param =
            json!({ "in": "query", "name": "p", "type": "string", "collectionFormat": "multi" });
        let (out, _) = run(with_op(
            json!({ "parameters": [param], "responses": {} }),
            json!({}),
        ));
        check(
            "scalar",
            &out,
            &[(&format!("{OP}/parameters/0/style"), Value::Null)],
        );
    }

    #[test]
    fn x_nullable_becomes_nullable_everywhere() {
        let root = json!({
            "definitions": { "Pet": {
                "type": "object", "x-nullable": true, "discriminator": "kind",
                "properties": {
                    "name": { "type": "string", "x-nullable": true },
                    "tags": { "type": "array", "items": { "type": "string", "x-nullable": true } },
                    "map": {
                        "type": "object",
                        "additionalProperties": { "type": "integer", "x-nullable": false },
                    },
                    "both": { "allOf": [
                        { "$ref": "#/definitions/Pet" },
                        { "type": "object", "x-nullable": true },
                    ] },
                    "x-nullable": { "type": "string" },
                },
            } },
        });
        let op = json!({
            "parameters": [
                { "in": "body", "name": "b", "schema": { "type": "object", "x-nullable": true } },
            ],
            "responses": { "200": {
                "description": "ok",
                "schema": { "type": "array", "items": { "type": "string", "x-nullable": true } },
            } },
        });
        let (out, _) = run(with_op(op, root));
        let pet = "/components/schemas/Pet";
        check(
            "nullable",
            &out,
            &[
                (&format!("{pet}/nullable"), json!(true)),
                (&format!("{pet}/x-nullable"), Value::Null),
                (
                    &format!("{pet}/discriminator"),
                    json!({ "propertyName": "kind" }),
                ),
                (&format!("{pet}/properties/name/nullable"), json!(true)),
                (
                    &format!("{pet}/properties/tags/items/nullable"),
                    json!(true),
                ),
                (
                    &format!("{pet}/properties/map/additionalProperties/nullable"),
                    json!(false),
                ),
                (
                    &format!("{pet}/properties/both/allOf/0/$ref"),
                    json!("#/components/schemas/Pet"),
                ),
                (
                    &format!("{pet}/properties/both/allOf/1/nullable"),
                    json!(true),
                ),
                (
                    &format!("{pet}/properties/x-nullable"),
                    json!({ "type": "string" }),
                ),
                (
                    &format!("{OP}/requestBody/content/application~1json/schema/nullable"),
                    json!(true),
                ),
                (
                    &format!("{OP}/responses/200/content/application~1json/schema/items/nullable"),
                    json!(true),
                ),
            ],
        );
    }

    #[test]
    fn local_references_are_rewritten() {
        let cases = [
            ("#/definitions/Pet", "#/components/schemas/Pet"),
            (
                "#/definitions/Pet/properties/id",
                "#/components/schemas/Pet/properties/id",
            ),
            ("#/parameters/Limit", "#/components/parameters/Limit"),
            ("#/responses/NotFound", "#/components/responses/NotFound"),
            ("other.yaml#/definitions/Pet", "other.yaml#/definitions/Pet"),
            ("#/definitionsX", "#/definitionsX"),
        ];
        for (reference, expected) in cases {
            let root = json!({ "definitions": { "Holder": {
                "properties": {
                    "$ref": { "type": "string" },
                    "deep": { "items": { "$ref": reference } },
                },
            } } });
            let (out, _) = run(doc(root));
            let holder = "/components/schemas/Holder/properties";
            check(
                reference,
                &out,
                &[
                    (&format!("{holder}/deep/items/$ref"), json!(expected)),
                    (&format!("{holder}/$ref"), json!({ "type": "string" })),
                ],
            );
        }
    }

    #[test]
    fn security_definitions_become_schemes() {
        let cases = [
            (
                "basic",
                json!({ "type": "basic", "description": "B" }),
                json!({ "type": "http", "scheme": "basic", "description": "B" }),
            ),
            (
                "apiKey",
                json!({ "type": "apiKey", "name": "X-Key", "in": "header", "x-k": 1 }),
                json!({ "type": "apiKey", "name": "X-Key", "in": "header", "x-k": 1 }),
            ),
            (
                "implicit",
                json!({ "type": "oauth2", "flow": "implicit", "authorizationUrl": "A",
                        "tokenUrl": "T", "scopes": { "r": "read" } }),
                json!({ "type": "oauth2", "flows": { "implicit": {
                    "authorizationUrl": "A", "scopes": { "r": "read" },
                } } }),
            ),
            (
                "password",
                json!({ "type": "oauth2", "flow": "password", "tokenUrl": "T" }),
                json!({ "type": "oauth2",
                        "flows": { "password": { "tokenUrl": "T", "scopes": {} } } }),
            ),
            (
                "application",
                json!({ "type": "oauth2", "flow": "application", "tokenUrl": "T", "scopes": {} }),
                json!({ "type": "oauth2",
                        "flows": { "clientCredentials": { "tokenUrl": "T", "scopes": {} } } }),
            ),
            (
                "accessCode",
                json!({ "type": "oauth2", "flow": "accessCode", "authorizationUrl": "A",
                        "tokenUrl": "T", "scopes": {} }),
                json!({ "type": "oauth2", "flows": { "authorizationCode": {
                    "authorizationUrl": "A", "tokenUrl": "T", "scopes": {},
                } } }),
            ),
        ];
        for (case, scheme, expected) in cases {
            let (out, diagnostics) = run(doc(json!({ "securityDefinitions": { "s": scheme } })));
            check(case, &out, &[("/components/securitySchemes/s", expected)]);
            assert!(diagnostics.is_empty(), "{case}: {diagnostics:?}");
        }
    }

    #[test]
    fn responses_use_produces_and_convert_headers() {
        let op = |produces: Option<Value>| {
            let mut op = json!({ "responses": {
                "200": {
                    "description": "ok",
                    "schema": { "$ref": "#/definitions/Pet" },
                    "headers": { "X-Rate": {
                        "type": "array", "items": { "type": "integer" }, "description": "R",
                    } },
                    "examples": { "application/json": { "id": 1 } },
                    "x-r": 1,
                },
                "204": { "description": "none" },
                "404": { "$ref": "#/responses/NotFound" },
                "default": { "description": "file", "schema": { "type": "file" } },
            } });
            if let Some(produces) = produces {
                op["produces"] = produces;
            }
            op
        };
        let cases = [
            ("default", None, json!({}), vec!["application/json"]),
            (
                "global",
                None,
                json!({ "produces": ["application/xml"] }),
                vec!["application/xml"],
            ),
            (
                "operation",
                Some(json!(["application/json", "text/csv"])),
                json!({ "produces": ["x/y"] }),
                vec!["application/json", "text/csv"],
            ),
        ];
        for (case, produces, root, media_types) in cases {
            let (out, diagnostics) = run(with_op(op(produces), root));
            let responses = format!("{OP}/responses");
            let content = out
                .pointer(&format!("{responses}/200/content"))
                .and_then(Value::as_object);
            let keys: Vec<&String> = content.iter().flat_map(|c| c.keys()).collect();
            assert_eq!(keys, media_types.iter().collect::<Vec<_>>(), "{case}");
            let first = media_types[0].replace('/', "~1");
            check(
                case,
                &out,
                &[
                    (
                        &format!("{responses}/200/content/{first}/schema/$ref"),
                        json!("#/components/schemas/Pet"),
                    ),
                    (
                        &format!("{responses}/200/headers/X-Rate"),
                        json!({
                            "description": "R", "style": "simple", "explode": false,
                            "schema": { "type": "array", "items": { "type": "integer" } },
                        }),
                    ),
                    (&format!("{responses}/200/x-r"), json!(1)),
                    (
                        &format!("{responses}/204"),
                        json!({ "description": "none" }),
                    ),
                    (
                        &format!("{responses}/404"),
                        json!({ "$ref": "#/components/responses/NotFound" }),
                    ),
                    (
                        &format!("{responses}/default/content/{first}/schema"),
                        json!({ "type": "string", "format": "binary" }),
                    ),
                ],
            );
            let example = out.pointer(&format!(
                "{responses}/200/content/application~1json/example"
            ));
            assert_eq!(
                example.is_some(),
                media_types.contains(&"application/json"),
                "{case}"
            );
            assert!(diagnostics.is_empty(), "{case}: {diagnostics:?}");
        }
    }

    #[test]
    fn global_responses_and_parameters_become_components() {
        let (out, _) = run(doc(json!({
            "produces": ["application/xml"],
            "responses": {
                "NotFound": { "description": "nf", "schema": { "$ref": "#/definitions/E" } },
            },
            "parameters": { "Trace": { "in": "header", "name": "X-Trace", "type": "string" } },
        })));
        check(
            "components",
            &out,
            &[
                (
                    "/components/responses/NotFound/content/application~1xml/schema/$ref",
                    json!("#/components/schemas/E"),
                ),
                (
                    "/components/parameters/Trace",
                    json!({ "name": "X-Trace", "in": "header", "schema": { "type": "string" } }),
                ),
            ],
        );
    }

    #[test]
    fn root_that_is_not_an_object_is_an_error() {
        for root in [json!([]), json!("swagger"), json!(null)] {
            let mut diagnostics = Diagnostics::default();
            let error = convert(root, "spec.json", &mut diagnostics).expect_err("not an object");
            assert_eq!(error.location.pointer, "");
        }
    }

    #[test]
    fn malformed_pieces_are_reported_and_skipped() {
        let p = "/paths/~1things~1{id}/post";
        let cases = [
            (
                "paths not an object",
                doc(json!({ "paths": [] })),
                "/paths".to_string(),
            ),
            ("no paths", json!({ "swagger": "2.0" }), String::new()),
            (
                "path item not an object",
                doc(json!({ "paths": { "/a": 1 } })),
                "/paths/~1a".into(),
            ),
            (
                "operation not an object",
                doc(json!({ "paths": { "/a": { "get": [] } } })),
                "/paths/~1a/get".into(),
            ),
            (
                "parameters not a list",
                with_op(json!({ "parameters": {} }), json!({})),
                format!("{p}/parameters"),
            ),
            (
                "parameter not an object",
                with_op(json!({ "parameters": [3] }), json!({})),
                format!("{p}/parameters/0"),
            ),
            (
                "missing in",
                with_op(json!({ "parameters": [{ "name": "a" }] }), json!({})),
                format!("{p}/parameters/0"),
            ),
            (
                "unknown in",
                with_op(
                    json!({ "parameters": [{ "name": "a", "in": "x" }] }),
                    json!({}),
                ),
                format!("{p}/parameters/0/in"),
            ),
            (
                "missing name",
                with_op(json!({ "parameters": [{ "in": "query" }] }), json!({})),
                format!("{p}/parameters/0"),
            ),
            (
                "form field without name",
                with_op(json!({ "parameters": [{ "in": "formData" }] }), json!({})),
                format!("{p}/parameters/0"),
            ),
            (
                "two bodies",
                with_op(
                    json!({ "parameters": [
                        { "in": "body", "schema": {} },
                        { "in": "body", "schema": {} },
                    ] }),
                    json!({}),
                ),
                format!("{p}/parameters/1"),
            ),
            (
                "body without schema",
                with_op(
                    json!({ "parameters": [{ "in": "body", "name": "b" }] }),
                    json!({}),
                ),
                format!("{p}/parameters/0"),
            ),
            (
                "dangling parameter ref",
                with_op(
                    json!({ "parameters": [{ "$ref": "#/parameters/Nope" }] }),
                    json!({}),
                ),
                format!("{p}/parameters/0"),
            ),
            (
                "ref not a string",
                with_op(json!({ "parameters": [{ "$ref": 1 }] }), json!({})),
                format!("{p}/parameters/0/$ref"),
            ),
            (
                "reference cycle",
                doc(json!({ "parameters": {
                        "A": { "$ref": "#/parameters/A" },
                        "C": { "in": "query", "name": "c" },
                    } })),
                "/parameters/A".into(),
            ),
            (
                "responses not an object",
                with_op(json!({ "responses": [] }), json!({})),
                format!("{p}/responses"),
            ),
            (
                "response not an object",
                with_op(json!({ "responses": { "200": 1 } }), json!({})),
                format!("{p}/responses/200"),
            ),
            (
                "headers not an object",
                with_op(
                    json!({ "responses": { "200": { "description": "", "headers": 1 } } }),
                    json!({}),
                ),
                format!("{p}/responses/200/headers"),
            ),
            (
                "consumes not a list",
                with_op(json!({ "consumes": "application/json" }), json!({})),
                format!("{p}/consumes"),
            ),
            (
                "produces entry not a string",
                doc(json!({ "produces": [1] })),
                "/produces/0".into(),
            ),
            (
                "definitions not an object",
                doc(json!({ "definitions": [] })),
                "/definitions".into(),
            ),
            (
                "scheme without type",
                doc(json!({ "securityDefinitions": { "s": {} } })),
                "/securityDefinitions/s".into(),
            ),
            (
                "unknown scheme type",
                doc(json!({ "securityDefinitions": { "s": { "type": "magic" } } })),
                "/securityDefinitions/s/type".into(),
            ),
            (
                "oauth2 without flow",
                doc(json!({ "securityDefinitions": { "s": { "type": "oauth2" } } })),
                "/securityDefinitions/s/flow".into(),
            ),
            (
                "basePath not a string",
                doc(json!({ "basePath": 1 })),
                "/basePath".into(),
            ),
        ];
        for (case, root, pointer) in cases {
            let (out, diagnostics) = run(root);
            assert_eq!(out["openapi"], "3.0.3", "{case}");
            assert_eq!(
                pointers(&diagnostics, Severity::Warning),
                [pointer],
                "{case}: {diagnostics:?}"
            );
        }
    }

    #[test]
    fn converted_pointers_map_back_to_the_original_document() {
        for (converted, original) in [
            (
                "/components/schemas/Pet/properties/id",
                "/definitions/Pet/properties/id",
            ),
            (
                "/components/securitySchemes/key",
                "/securityDefinitions/key",
            ),
            (
                "/paths/~1pets/post/requestBody/content/application~1json/schema",
                "/paths/~1pets/post/parameters",
            ),
            (
                "/paths/~1pets/get/parameters/1/schema/items",
                "/paths/~1pets/get/parameters/1",
            ),
            (
                "/paths/~1pets/get/responses/200/content/application~1json/schema/items",
                "/paths/~1pets/get/responses/200/schema/items",
            ),
            (
                "/paths/~1pets/get/responses/200/content/application~1json/schema",
                "/paths/~1pets/get/responses/200/schema",
            ),
            ("/paths/~1pets/get", "/paths/~1pets/get"),
            ("/info", "/info"),
        ] {
            assert_eq!(super::original_pointer(converted), original, "{converted}");
        }
    }
}
