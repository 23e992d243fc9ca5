//! The TOML endpoint list (PRD §4.2) for APIs without a spec:
//!
//! ```toml
//! [[endpoints]]
//! name = "get_user"
//! method = "GET"
//! path = "/users/{id}"
//! description = "Get a user by ID"
//! [endpoints.path_params]
//! id = { type = "string", description = "User ID" }
//! [endpoints.query]
//! fields = { type = "array", items = { type = "string" } }
//! ```
//!
//! Each argument is a JSON Schema written as a TOML table (`type = "integer"` alone also
//! works as the string `"integer"`), plus `required = true`. Tables: `path_params`,
//! `query`, `headers`, `cookies`, `body` (with `body_type` = `json` | `form` | `multipart`
//! or a media type). Path placeholders without a declaration are required strings.
//! The PRD sketch used `[endpoints.path]` for path parameters, which TOML cannot hold next
//! to `path = "/..."`; `path_params` is the name that can.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::arguments::{BodyDraft, ParameterDraft};
use crate::draft::{self, Lowered, OperationDraft};
use crate::error::{Diagnostics, LoadError, SourceRef};
use crate::media::classify_media_type;
use crate::model::{Annotations, ApiModel, HttpMethod, ParamLocation, ParamStyle};
use crate::options::LoadOptions;
use crate::path_template::PathTemplate;

/// The parts of the config file this crate reads; every other key belongs to the runtime.
#[derive(Deserialize)]
struct ManualFile {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    endpoints: Vec<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointSpec {
    name: Option<String>,
    method: String,
    path: String,
    summary: Option<String>,
    description: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    deprecated: bool,
    #[serde(default)]
    hidden: bool,
    response_path: Option<String>,
    read_only: Option<bool>,
    destructive: Option<bool>,
    idempotent: Option<bool>,
    auth: Option<bool>,
    #[serde(default)]
    path_params: toml::Table,
    #[serde(default)]
    query: toml::Table,
    #[serde(default)]
    headers: toml::Table,
    #[serde(default)]
    cookies: toml::Table,
    #[serde(default)]
    body: toml::Table,
    body_type: Option<String>,
}

/// Load the `[[endpoints]]` of a TOML document.
pub(crate) fn load(
    text: &str,
    file: &str,
    options: &LoadOptions,
) -> Result<crate::Loaded, LoadError> {
    let parsed: ManualFile = toml::from_str(text).map_err(|e| {
        let message = e.message().trim();
        // The PRD's sketch puts path parameters in `[endpoints.path]`, which TOML cannot
        // hold beside `path = "/..."`: say which name can.
        let at = e.span().and_then(|span| text.get(span)).unwrap_or_default();
        let hint = if message.contains("duplicate key") && at.contains("path") {
            "; path parameters go in `[endpoints.path_params]`, since `[endpoints.path]` collides with the endpoint's `path = \"/...\"`"
        } else {
            ""
        };
        LoadError::new(
            SourceRef::new(file, ""),
            format!("invalid TOML: {message}{hint}") + &line_of(text, e.span()),
        )
    })?;
    from_file(parsed, file, options)
}

/// The same endpoint list as a JSON (or YAML) document: `{"endpoints": [...]}`.
pub(crate) fn load_value(
    root: Value,
    file: &str,
    options: &LoadOptions,
) -> Result<crate::Loaded, LoadError> {
    let parsed = ManualFile::deserialize(root)
        .map_err(|e| LoadError::new(SourceRef::new(file, ""), e.to_string()))?;
    from_file(parsed, file, options)
}

fn from_file(
    parsed: ManualFile,
    file: &str,
    options: &LoadOptions,
) -> Result<crate::Loaded, LoadError> {
    let mut diagnostics = Diagnostics::default();
    let mut drafts = Vec::with_capacity(parsed.endpoints.len());
    for (index, raw) in parsed.endpoints.into_iter().enumerate() {
        let source = SourceRef::new(file, format!("/endpoints/{index}"));
        let spec = EndpointSpec::deserialize(raw)
            .map_err(|e| LoadError::new(source.clone(), e.message().trim().to_owned()))?;
        if spec.hidden {
            continue;
        }
        drafts.push(endpoint(
            spec,
            source,
            options.allow_credential_headers,
            &mut diagnostics,
        )?);
    }
    if drafts.is_empty() {
        diagnostics.warn(
            SourceRef::new(file, "/endpoints"),
            "no `[[endpoints]]` are defined; no tools",
        );
    }
    let selection = draft::select(drafts, options)?.lower(|_, lowered| lowered);
    let operations = draft::finish(selection, &mut diagnostics);
    Ok(crate::Loaded {
        model: ApiModel::manual(
            parsed
                .title
                .unwrap_or_else(|| "Manual endpoints".to_owned()),
            operations,
        ),
        diagnostics: diagnostics.into_vec(),
        local_files: Vec::new(),
    })
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    span.map(|span| {
        let line = text
            .get(..span.start)
            .map_or(0, |before| before.matches('\n').count())
            + 1;
        format!(" (line {line})")
    })
    .unwrap_or_default()
}

fn endpoint(
    spec: EndpointSpec,
    source: SourceRef,
    allow_credential_headers: bool,
    diagnostics: &mut Diagnostics,
) -> Result<(OperationDraft, Lowered), LoadError> {
    let method = HttpMethod::parse(&spec.method).ok_or_else(|| {
        LoadError::new(
            source.child("method"),
            format!(
                "unknown HTTP method `{}`; use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS",
                spec.method
            ),
        )
    })?;
    if !spec.path.starts_with('/') {
        return Err(LoadError::new(
            source.child("path"),
            format!("path `{}` must start with `/`", spec.path),
        ));
    }
    let mut parameters = Vec::new();
    for (table, location, key) in [
        (&spec.path_params, ParamLocation::Path, "path_params"),
        (&spec.query, ParamLocation::Query, "query"),
        (&spec.headers, ParamLocation::Header, "headers"),
        (&spec.cookies, ParamLocation::Cookie, "cookies"),
    ] {
        for (name, value) in table {
            let at = source.child(key).child(name);
            if location == ParamLocation::Header
                && let Some(refusal) = crate::headers::refusal(name, allow_credential_headers)
            {
                match refusal {
                    crate::headers::Refusal::Info(message) => diagnostics.info(at, message),
                    crate::headers::Refusal::Warn(message) => diagnostics.warn(at, message),
                }
                continue;
            }
            let (schema, required) = argument_schema(value, &at)?;
            parameters.push(ParameterDraft {
                name: name.clone(),
                argument: None,
                location,
                required,
                style: ParamStyle::default_for(location),
                explode: location == ParamLocation::Query,
                allow_reserved: false,
                deprecated: false,
                schema,
            });
        }
    }
    let path = PathTemplate::parse(&spec.path);
    let placeholders = path.parameters();
    for parameter in parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
    {
        if !placeholders.contains(&parameter.name.as_str()) {
            return Err(LoadError::new(
                source.child("path_params").child(&parameter.name),
                format!(
                    "path parameter `{}` does not appear in `{}`",
                    parameter.name, spec.path
                ),
            ));
        }
    }
    for placeholder in placeholders {
        if !parameters
            .iter()
            .any(|p| p.location == ParamLocation::Path && p.name == placeholder)
        {
            parameters.push(ParameterDraft {
                name: placeholder.to_owned(),
                argument: None,
                location: ParamLocation::Path,
                required: true,
                style: ParamStyle::Simple,
                explode: false,
                allow_reserved: false,
                deprecated: false,
                schema: json!({"type": "string"}),
            });
        }
    }
    let body = body(&spec, &source)?;
    if body.is_some() && method.is_safe() {
        diagnostics.warn(
            source.child("body"),
            format!("a {method} request with a body is unusual; many servers ignore it"),
        );
    }
    let mut annotations = Annotations::for_method(method);
    annotations.read_only = spec.read_only.unwrap_or(annotations.read_only);
    annotations.destructive = spec.destructive.unwrap_or(annotations.destructive);
    annotations.idempotent = spec.idempotent.unwrap_or(annotations.idempotent);
    let draft = OperationDraft {
        explicit_name: spec.name,
        operation_id: None,
        method,
        path,
        summary: spec.summary,
        description: spec.description,
        tags: spec.tags,
        deprecated: spec.deprecated,
        security: Vec::new(),
        anonymous: spec.auth == Some(false),
        annotations,
        response_path: spec.response_path,
        source,
    };
    let lowered = Lowered {
        parameters,
        body,
        response: None,
    };
    Ok((draft, lowered))
}

fn body(spec: &EndpointSpec, source: &SourceRef) -> Result<Option<BodyDraft>, LoadError> {
    if spec.body.is_empty() {
        return Ok(None);
    }
    let media_type = match spec.body_type.as_deref().unwrap_or("json") {
        "json" => "application/json",
        "form" => "application/x-www-form-urlencoded",
        "multipart" => "multipart/form-data",
        other if other.contains('/') => other,
        other => {
            return Err(LoadError::new(
                source.child("body_type"),
                format!("unknown body_type `{other}`; use json, form, multipart or a media type"),
            ));
        }
    };
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, value) in &spec.body {
        let (schema, is_required) = argument_schema(value, &source.child("body").child(name))?;
        if is_required {
            required.push(json!(name));
        }
        properties.insert(name.clone(), schema);
    }
    let mut schema = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    let (encoding, _) = classify_media_type(media_type, None);
    Ok(Some(BodyDraft {
        media_type: media_type.to_owned(),
        encoding,
        required: true,
        description: None,
        schema,
        alternatives: Vec::new(),
        whole_argument: None,
    }))
}

/// A TOML argument declaration to (JSON Schema, required).
fn argument_schema(value: &toml::Value, at: &SourceRef) -> Result<(Value, bool), LoadError> {
    match value {
        toml::Value::String(kind) => Ok((json!({ "type": kind }), false)),
        toml::Value::Table(table) => {
            let mut schema = serde_json::to_value(table).map_err(|e| {
                LoadError::new(at.clone(), format!("cannot convert to JSON Schema: {e}"))
            })?;
            let required = match schema.as_object_mut().and_then(|m| m.remove("required")) {
                None => false,
                Some(Value::Bool(required)) => required,
                Some(_) => {
                    return Err(LoadError::new(
                        at.child("required"),
                        "`required` must be true or false",
                    ));
                }
            };
            Ok((schema, required))
        }
        _ => Err(LoadError::new(
            at.clone(),
            "an argument must be a table such as `{ type = \"string\", description = \"...\" }` or a type name",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BodyMapping;

    const PRD_STYLE: &str = r#"
base_url = "https://api.example.com"
[headers]
Authorization = "Bearer ${API_KEY}"

[[endpoints]]
name = "list_users"
method = "GET"
path = "/users"
description = "List all users"
  [endpoints.query]
  page = { type = "integer", description = "Page number", default = 1 }
  status = { type = "string", enum = ["active", "inactive"] }

[[endpoints]]
name = "get_user"
method = "get"
path = "/users/{id}"

[[endpoints]]
name = "create_user"
method = "POST"
path = "/users"
  [endpoints.body]
  name = { type = "string", required = true }
  role = { type = "string", enum = ["admin", "member"], default = "member" }
"#;

    fn load_text(text: &str) -> Result<crate::Loaded, LoadError> {
        load(text, "rest-mcp.toml", &LoadOptions::default())
    }

    #[test]
    fn prd_endpoints_become_tools() {
        let loaded = load_text(PRD_STYLE).expect("loads");
        let ops = &loaded.model.operations;
        assert_eq!(
            ops.iter().map(|o| o.tool_name.as_str()).collect::<Vec<_>>(),
            ["list_users", "get_user", "create_user"]
        );
        let list = ops[0].input_schema();
        assert_eq!(list["properties"]["page"]["default"], 1);
        assert_eq!(
            list["properties"]["status"]["enum"],
            json!(["active", "inactive"])
        );
        assert_eq!(ops[1].input_schema()["required"], json!(["id"]));
        let Some(BodyMapping::Flattened { fields }) =
            ops[2].request_body.as_ref().map(|b| &b.mapping)
        else {
            panic!("body")
        };
        assert_eq!(fields.len(), 2);
        assert_eq!(ops[2].input_schema()["required"], json!(["name"]));
        assert!(ops[0].annotations.read_only && !ops[2].annotations.read_only);
    }

    #[test]
    fn the_same_list_as_json_loads_through_load() {
        let json = r#"{"endpoints": [
            {"name": "get_user", "method": "GET", "path": "/users/{id}",
             "path_params": {"id": {"type": "integer", "description": "User ID"}}},
            {"method": "POST", "path": "/users", "body": {"name": {"type": "string", "required": true}}}
        ]}"#;
        let loaded = crate::load(
            json.as_bytes(),
            crate::Origin::File("endpoints.json".into()),
            &LoadOptions::default(),
        )
        .expect("an endpoint list in JSON loads");
        let ops = &loaded.model.operations;
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[0].tool_name, "get_user");
        assert_eq!(ops[0].input_schema()["properties"]["id"]["type"], "integer");
        assert_eq!(ops[1].input_schema()["required"], json!(["name"]));
        let err = crate::load(
            br#"{"endpoints": [{"method": "GET"}]}"#,
            crate::Origin::File("endpoints.json".into()),
            &LoadOptions::default(),
        )
        .expect_err("no path");
        assert_eq!(err.location.pointer, "/endpoints/0");
    }

    #[test]
    fn the_prd_sketchs_path_table_points_at_path_params() {
        let err = load_text(
            "[[endpoints]]\nmethod = \"GET\"\npath = \"/users/{id}\"\n[endpoints.path]\nid = \"string\"\n",
        )
        .expect_err("duplicate key");
        assert!(
            err.message.contains("[endpoints.path_params]"),
            "{}",
            err.message
        );
        assert!(err.message.contains("line"), "{}", err.message);
    }

    #[test]
    fn mistakes_name_the_endpoint() {
        let err =
            load_text("[[endpoints]]\nmethod = \"FETCH\"\npath = \"/a\"\n").expect_err("method");
        assert_eq!(err.location.pointer, "/endpoints/0/method");
        let err = load_text("[[endpoints]]\nmethod = \"GET\"\npath = \"/a\"\nbogus = 1\n")
            .expect_err("unknown key");
        assert_eq!(err.location.pointer, "/endpoints/0");
        assert!(err.message.contains("bogus"), "{}", err.message);
        let err = load_text("[[endpoints]]\nmethod = \"GET\"\npath = \"/a\"\n[endpoints.path_params]\nid = \"string\"\n").expect_err("unused");
        assert!(err.message.contains("does not appear"));
        let err = load_text("[[endpoints]\n").expect_err("syntax");
        assert!(err.message.contains("line 1"), "{}", err.message);
    }
}
