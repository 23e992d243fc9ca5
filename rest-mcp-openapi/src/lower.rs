//! An OpenAPI 3.x document (Swagger 2.0 already converted) to an [`ApiModel`]: servers,
//! security schemes, and one draft per operation with parameters merged, the request
//! body mapped and the primary success response chosen.

use serde_json::{Map, Value, json};

use crate::arguments::{BodyDraft, ParameterDraft};
use crate::draft::{self, Lowered, OperationDraft};
use crate::error::{Diagnostics, LoadError, SourceRef, push_pointer};
use crate::headers;
use crate::media::{classify_media_type, is_json};
use crate::model::{
    Annotations, ApiModel, HttpMethod, ParamLocation, ParamStyle, SecurityRequirement,
    SecurityScheme, SecuritySchemeKind, Server, ServerVariable, SpecVersion, SuccessResponse,
};
use crate::options::LoadOptions;
use crate::path_template::PathTemplate;
use crate::refs::{DocId, Resolver};
use crate::schema::{Direction, SchemaLowerer, Site};

/// Lower the whole document.
pub(crate) fn lower(
    resolver: &Resolver,
    version: SpecVersion,
    options: &LoadOptions,
    diagnostics: &mut Diagnostics,
) -> Result<ApiModel, LoadError> {
    let root = resolver.root();
    let at = |pointer: &str| resolver.source(resolver.root_id(), pointer);
    let info = root.get("info");
    let title = text(info, "title").unwrap_or_else(|| {
        diagnostics.warn(at("/info"), "the spec has no `info.title`");
        "Untitled API".to_owned()
    });
    let mut context = Context {
        resolver,
        schemas: SchemaLowerer::new(
            resolver,
            version != SpecVersion::OpenApi31,
            options.schema.clone(),
        ),
        global_security: security_requirements(root.get("security")),
        diagnostics,
        allow_credential_headers: options.allow_credential_headers,
    };
    let drafts = context.operations(version)?;
    let selection = draft::select(drafts, options)?.lower(|draft, pending| {
        context.lower_operation(draft, pending.item(), pending.operation())
    });
    let security_schemes = security_schemes(resolver, context.diagnostics);
    let operations = draft::finish(selection, context.diagnostics);
    Ok(ApiModel {
        title,
        version: text(info, "version").unwrap_or_default(),
        description: text(info, "description"),
        spec_version: version,
        servers: servers(root.get("servers")),
        security_schemes,
        operations,
    })
}

struct Context<'r, 'd> {
    resolver: &'r Resolver,
    schemas: SchemaLowerer<'r>,
    global_security: Option<Vec<SecurityRequirement>>,
    diagnostics: &'d mut Diagnostics,
    allow_credential_headers: bool,
}

/// An operation found in the document, waiting to be lowered if the filters keep it.
struct Pending<'r> {
    doc: DocId,
    item_pointer: String,
    item: &'r Value,
    operation_pointer: String,
    operation: &'r Value,
}

impl<'r> Pending<'r> {
    fn item(&self) -> Located<'_, 'r> {
        Located {
            doc: self.doc,
            pointer: &self.item_pointer,
            value: self.item,
        }
    }

    fn operation(&self) -> Located<'_, 'r> {
        Located {
            doc: self.doc,
            pointer: &self.operation_pointer,
            value: self.operation,
        }
    }
}

/// A value reached in the document, with where it is.
#[derive(Clone, Copy)]
struct Located<'p, 'v> {
    doc: DocId,
    pointer: &'p str,
    value: &'v Value,
}

impl<'r> Context<'r, '_> {
    fn at(&self, doc: DocId, pointer: &str) -> SourceRef {
        self.resolver.source(doc, pointer)
    }

    /// Resolve a possibly-`$ref`'d object, reporting failures.
    fn follow(
        &mut self,
        doc: DocId,
        pointer: &str,
        value: &'r Value,
    ) -> Option<(DocId, String, &'r Value)> {
        match self.resolver.follow(doc, pointer, value) {
            Ok(found) => Some(found),
            Err(message) => {
                self.diagnostics.warn(self.at(doc, pointer), message);
                None
            }
        }
    }

    /// Every operation of the document, in spec order, with only its cheap facts read.
    fn operations(
        &mut self,
        version: SpecVersion,
    ) -> Result<Vec<(OperationDraft, Pending<'r>)>, LoadError> {
        let root_id = self.resolver.root_id();
        let paths = match self.resolver.root().get("paths") {
            Some(Value::Object(paths)) => paths,
            Some(_) => {
                return Err(LoadError::new(
                    self.at(root_id, "/paths"),
                    "`paths` must be an object",
                ));
            }
            None => {
                if version != SpecVersion::OpenApi31 {
                    self.diagnostics
                        .warn(self.at(root_id, ""), "the spec has no `paths`; no tools");
                }
                return Ok(Vec::new());
            }
        };
        let mut drafts = Vec::new();
        for (path, item) in paths {
            if path.starts_with("x-") {
                continue;
            }
            let pointer = push_pointer("/paths", path);
            if !path.starts_with('/') {
                self.diagnostics.warn(
                    self.at(root_id, &pointer),
                    format!("path `{path}` does not start with `/`; skipped"),
                );
                continue;
            }
            let Some((doc, item_pointer, item)) = self.follow(root_id, &pointer, item) else {
                continue;
            };
            let Some(item_map) = item.as_object() else {
                self.diagnostics.warn(
                    self.at(doc, &item_pointer),
                    "a path item is not an object; skipped",
                );
                continue;
            };
            for (key, operation) in item_map {
                let Some(method) = HttpMethod::ALL.into_iter().find(|m| m.spec_key() == key) else {
                    continue;
                };
                let op_pointer = push_pointer(&item_pointer, key);
                if !operation.is_object() {
                    self.diagnostics.warn(
                        self.at(doc, &op_pointer),
                        "an operation is not an object; skipped",
                    );
                    continue;
                }
                if operation.get("x-rest-mcp-hidden") == Some(&Value::Bool(true)) {
                    continue;
                }
                let pending = Pending {
                    doc,
                    item_pointer: item_pointer.clone(),
                    item,
                    operation_pointer: op_pointer,
                    operation,
                };
                drafts.push((self.operation(method, path, &pending), pending));
            }
        }
        Ok(drafts)
    }

    /// The facts of an operation that naming and filtering need; no schema is lowered.
    fn operation(&self, method: HttpMethod, path: &str, pending: &Pending<'r>) -> OperationDraft {
        let op = pending.operation();
        let security = match op.value.get("security") {
            Some(security) => security_requirements(Some(security)).unwrap_or_default(),
            None => self.global_security.clone().unwrap_or_default(),
        };
        // `security: []` on the operation overrides the document: no credentials at all.
        let anonymous = op
            .value
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty);
        OperationDraft {
            explicit_name: text(Some(op.value), "x-rest-mcp-name"),
            operation_id: text(Some(op.value), "operationId"),
            method,
            path: PathTemplate::parse(path),
            summary: text(Some(op.value), "summary"),
            description: text(Some(op.value), "description"),
            tags: op
                .value
                .get("tags")
                .and_then(Value::as_array)
                .map(|tags| {
                    tags.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            deprecated: op.value.get("deprecated") == Some(&Value::Bool(true)),
            security,
            anonymous,
            annotations: annotations(method, op.value.get("x-rest-mcp-annotations")),
            response_path: text(Some(op.value), "x-rest-mcp-response-path"),
            source: self.at(op.doc, op.pointer),
        }
    }

    /// Lower what the filters kept: parameters, request body and success response.
    fn lower_operation(
        &mut self,
        draft: &OperationDraft,
        item: Located<'_, 'r>,
        op: Located<'_, 'r>,
    ) -> Lowered {
        let mut parameters = self.parameters(item, op);
        self.reconcile_path_parameters(&draft.path, &mut parameters, &draft.source);
        let body = op.value.get("requestBody").and_then(|body| {
            let pointer = push_pointer(op.pointer, "requestBody");
            self.request_body(op.doc, &pointer, body)
        });
        let response = op.value.get("responses").and_then(|responses| {
            let pointer = push_pointer(op.pointer, "responses");
            self.success_response(op.doc, &pointer, responses)
        });
        Lowered {
            parameters,
            body,
            response,
        }
    }

    /// Path-level then operation-level parameters; an operation-level one replaces the
    /// path-level one with the same name and location.
    fn parameters(&mut self, item: Located<'_, 'r>, op: Located<'_, 'r>) -> Vec<ParameterDraft> {
        let mut merged: Vec<ParameterDraft> = Vec::new();
        for owner in [item, op] {
            let Some(list) = owner.value.get("parameters") else {
                continue;
            };
            let list_pointer = push_pointer(owner.pointer, "parameters");
            let Some(list) = list.as_array() else {
                self.diagnostics.warn(
                    self.at(owner.doc, &list_pointer),
                    "`parameters` is not a list; ignored",
                );
                continue;
            };
            for (index, raw) in list.iter().enumerate() {
                let pointer = format!("{list_pointer}/{index}");
                let Some(parameter) = self.parameter(owner.doc, &pointer, raw) else {
                    continue;
                };
                match merged
                    .iter_mut()
                    .find(|p| p.name == parameter.name && p.location == parameter.location)
                {
                    Some(existing) => *existing = parameter,
                    None => merged.push(parameter),
                }
            }
        }
        merged
    }

    fn parameter(&mut self, doc: DocId, pointer: &str, raw: &'r Value) -> Option<ParameterDraft> {
        let (doc, pointer, value) = self.follow(doc, pointer, raw)?;
        let at = self.at(doc, &pointer);
        let Some(name) = value.get("name").and_then(Value::as_str) else {
            self.diagnostics
                .warn(at, "a parameter has no `name`; skipped");
            return None;
        };
        let location = match value.get("in").and_then(Value::as_str) {
            Some("path") => ParamLocation::Path,
            Some("query") => ParamLocation::Query,
            Some("header") => ParamLocation::Header,
            Some("cookie") => ParamLocation::Cookie,
            other => {
                self.diagnostics.warn(
                    at,
                    format!(
                        "parameter `{name}` has `in: {}`, which OpenAPI 3 does not allow; skipped",
                        other.unwrap_or("(missing)")
                    ),
                );
                return None;
            }
        };
        if location == ParamLocation::Header
            && let Some(refusal) = headers::refusal(name, self.allow_credential_headers)
        {
            match refusal {
                headers::Refusal::Info(message) => self.diagnostics.info(at, message),
                headers::Refusal::Warn(message) => self.diagnostics.warn(at, message),
            }
            return None;
        }
        let mut schema = self.parameter_schema(doc, &pointer, value);
        if let Some(map) = schema.as_object_mut() {
            if let Some(description) = value.get("description").and_then(Value::as_str) {
                map.insert("description".into(), json!(description));
            }
            if value.get("deprecated") == Some(&Value::Bool(true)) {
                map.insert("deprecated".into(), json!(true));
            }
            if let Some(example) = value.get("example")
                && !map.contains_key("examples")
            {
                map.insert("examples".into(), json!([example]));
            }
        }
        let style = match value.get("style").and_then(Value::as_str) {
            Some(style) => ParamStyle::parse(style).unwrap_or_else(|| {
                self.diagnostics.warn(
                    self.at(doc, &pointer),
                    format!("unknown style `{style}`; using the default"),
                );
                ParamStyle::default_for(location)
            }),
            None => ParamStyle::default_for(location),
        };
        Some(ParameterDraft {
            name: name.to_owned(),
            argument: None,
            location,
            required: value.get("required") == Some(&Value::Bool(true)),
            style,
            explode: value
                .get("explode")
                .and_then(Value::as_bool)
                .unwrap_or(style == ParamStyle::Form),
            allow_reserved: value.get("allowReserved") == Some(&Value::Bool(true)),
            deprecated: value.get("deprecated") == Some(&Value::Bool(true)),
            schema,
        })
    }

    /// `schema`, or the schema of the first `content` entry.
    fn parameter_schema(&mut self, doc: DocId, pointer: &str, parameter: &Value) -> Value {
        let found = match (
            parameter.get("schema"),
            parameter.get("content").and_then(Value::as_object),
        ) {
            (Some(schema), _) => Some((schema, push_pointer(pointer, "schema"))),
            (None, Some(content)) => content.iter().next().and_then(|(media, entry)| {
                let media_pointer = push_pointer(&push_pointer(pointer, "content"), media);
                entry
                    .get("schema")
                    .map(|s| (s, push_pointer(&media_pointer, "schema")))
            }),
            (None, None) => None,
        };
        match found {
            Some((schema, schema_pointer)) => {
                let site = Site {
                    doc,
                    pointer: schema_pointer,
                };
                self.schemas
                    .lower(schema, &site, Direction::Input, self.diagnostics)
            }
            None => json!({}),
        }
    }

    /// Every `{name}` in the path needs a path parameter and every path parameter a `{name}`.
    fn reconcile_path_parameters(
        &mut self,
        path: &PathTemplate,
        parameters: &mut Vec<ParameterDraft>,
        source: &SourceRef,
    ) {
        let placeholders = path.parameters();
        parameters.retain(|p| {
            let keep = p.location != ParamLocation::Path || placeholders.contains(&p.name.as_str());
            if !keep {
                self.diagnostics.warn(
                    source.clone(),
                    format!(
                        "path parameter `{}` does not appear in `{path}`; ignored",
                        p.name
                    ),
                );
            }
            keep
        });
        for placeholder in placeholders {
            let declared = parameters
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.name == placeholder);
            if !declared {
                self.diagnostics.warn(
                    source.clone(),
                    format!("`{{{placeholder}}}` in `{path}` has no parameter; it is a required string argument"),
                );
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
    }

    fn request_body(&mut self, doc: DocId, pointer: &str, raw: &'r Value) -> Option<BodyDraft> {
        let (doc, pointer, body) = self.follow(doc, pointer, raw)?;
        let content = body
            .get("content")
            .and_then(Value::as_object)
            .filter(|c| !c.is_empty());
        let Some(content) = content else {
            self.diagnostics.warn(
                self.at(doc, &pointer),
                "the request body declares no media type, so no argument can carry it",
            );
            return None;
        };
        let (media_type, entry, encoding) = content
            .iter()
            .map(|(media, entry)| {
                (
                    media,
                    entry,
                    classify_media_type(media, entry.get("schema")),
                )
            })
            .min_by_key(|(_, _, (_, rank))| *rank)
            .map(|(media, entry, (encoding, _))| (media, entry, encoding))?;
        let schema = match entry.get("schema") {
            Some(schema) => {
                let media_pointer = push_pointer(&push_pointer(&pointer, "content"), media_type);
                let site = Site {
                    doc,
                    pointer: push_pointer(&media_pointer, "schema"),
                };
                self.schemas
                    .lower(schema, &site, Direction::Input, self.diagnostics)
            }
            None => json!({}),
        };
        let sent_type = if media_type.contains('*') {
            "application/json"
        } else {
            media_type
        };
        Some(BodyDraft {
            media_type: sent_type.to_owned(),
            encoding,
            required: body.get("required") == Some(&Value::Bool(true)),
            description: text(Some(body), "description"),
            schema,
            whole_argument: None,
            alternatives: content
                .keys()
                .filter(|m| *m != media_type)
                .cloned()
                .collect(),
        })
    }

    /// The lowest 2xx response (then `2XX`) with a JSON schema.
    fn success_response(
        &mut self,
        doc: DocId,
        pointer: &str,
        responses: &'r Value,
    ) -> Option<SuccessResponse> {
        let responses = responses.as_object()?;
        let mut candidates: Vec<(u16, &String, &Value)> = responses
            .iter()
            .filter_map(|(code, response)| {
                let status = match code.as_str() {
                    "2XX" | "2xx" => 299,
                    code => code
                        .parse::<u16>()
                        .ok()
                        .filter(|s| (200..300).contains(s))?,
                };
                Some((status, code, response))
            })
            .collect();
        candidates.sort_by_key(|(status, _, _)| *status);
        for (status, code, raw) in candidates {
            let response_pointer = push_pointer(pointer, code);
            let Some((doc, response_pointer, response)) = self.follow(doc, &response_pointer, raw)
            else {
                continue;
            };
            let Some(content) = response.get("content").and_then(Value::as_object) else {
                continue;
            };
            let json_entry = content
                .iter()
                .filter(|(media, entry)| is_json(media) && entry.get("schema").is_some())
                .min_by_key(|(media, _)| !media.starts_with("application/json"));
            let Some((media, entry)) = json_entry else {
                continue;
            };
            let Some(schema) = entry.get("schema") else {
                continue;
            };
            let media_pointer = push_pointer(&push_pointer(&response_pointer, "content"), media);
            let site = Site {
                doc,
                pointer: push_pointer(&media_pointer, "schema"),
            };
            let schema = self
                .schemas
                .lower(schema, &site, Direction::Output, self.diagnostics);
            let wrapped = schema.get("type") != Some(&json!("object"));
            return Some(SuccessResponse {
                status: if status == 299 { 200 } else { status },
                media_type: media.clone(),
                schema,
                wrapped,
            });
        }
        None
    }
}

fn text(value: Option<&Value>, key: &str) -> Option<String> {
    value?
        .get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Method defaults, overridden by `x-rest-mcp-annotations` (MCP hint names).
fn annotations(method: HttpMethod, overrides: Option<&Value>) -> Annotations {
    let mut annotations = Annotations::for_method(method);
    if let Some(Value::Object(overrides)) = overrides {
        let flag = |key: &str| overrides.get(key).and_then(Value::as_bool);
        annotations.read_only = flag("readOnlyHint").unwrap_or(annotations.read_only);
        annotations.destructive = flag("destructiveHint").unwrap_or(annotations.destructive);
        annotations.idempotent = flag("idempotentHint").unwrap_or(annotations.idempotent);
        annotations.open_world = flag("openWorldHint").unwrap_or(annotations.open_world);
    }
    annotations
}

fn servers(value: Option<&Value>) -> Vec<Server> {
    let Some(Value::Array(servers)) = value else {
        return Vec::new();
    };
    servers
        .iter()
        .filter_map(|server| {
            Some(Server {
                url: server.get("url")?.as_str()?.to_owned(),
                description: text(Some(server), "description"),
                variables: server
                    .get("variables")
                    .and_then(Value::as_object)
                    .map(server_variables)
                    .unwrap_or_default(),
            })
        })
        .collect()
}

fn server_variables(variables: &Map<String, Value>) -> Vec<ServerVariable> {
    variables
        .iter()
        .map(|(name, variable)| ServerVariable {
            name: name.clone(),
            default: match variable.get("default") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            },
            allowed: variable
                .get("enum")
                .and_then(Value::as_array)
                .map(|values| {
                    values
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            description: text(Some(variable), "description"),
        })
        .collect()
}

fn security_requirements(value: Option<&Value>) -> Option<Vec<SecurityRequirement>> {
    let requirements = value?.as_array()?;
    Some(
        requirements
            .iter()
            .filter_map(Value::as_object)
            .map(|requirement| SecurityRequirement {
                schemes: requirement
                    .iter()
                    .map(|(name, scopes)| {
                        let scopes = scopes
                            .as_array()
                            .map(|s| {
                                s.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_owned)
                                    .collect()
                            })
                            .unwrap_or_default();
                        (name.clone(), scopes)
                    })
                    .collect(),
            })
            .collect(),
    )
}

fn security_schemes(resolver: &Resolver, diagnostics: &mut Diagnostics) -> Vec<SecurityScheme> {
    let root = resolver.root_id();
    let Some(Value::Object(schemes)) = resolver.root().pointer("/components/securitySchemes")
    else {
        return Vec::new();
    };
    let mut lowered = Vec::new();
    for (name, raw) in schemes {
        let pointer = push_pointer("/components/securitySchemes", name);
        let scheme = match resolver.follow(root, &pointer, raw) {
            Ok((_, _, scheme)) => scheme,
            Err(message) => {
                diagnostics.warn(resolver.source(root, &pointer), message);
                continue;
            }
        };
        match security_scheme_kind(scheme) {
            Some(kind) => lowered.push(SecurityScheme {
                name: name.clone(),
                kind,
                description: text(Some(scheme), "description"),
            }),
            None => diagnostics.warn(
                resolver.source(root, &pointer),
                format!("security scheme `{name}` is incomplete or of an unknown type; ignored"),
            ),
        }
    }
    lowered
}

fn security_scheme_kind(scheme: &Value) -> Option<SecuritySchemeKind> {
    let field = |key: &str| scheme.get(key).and_then(Value::as_str).map(str::to_owned);
    Some(match scheme.get("type")?.as_str()? {
        "apiKey" => SecuritySchemeKind::ApiKey {
            location: match scheme.get("in")?.as_str()? {
                "header" => ParamLocation::Header,
                "query" => ParamLocation::Query,
                "cookie" => ParamLocation::Cookie,
                _ => return None,
            },
            parameter: field("name")?,
        },
        "http" => SecuritySchemeKind::Http {
            scheme: field("scheme")?.to_ascii_lowercase(),
            bearer_format: field("bearerFormat"),
        },
        "oauth2" => {
            let flows = scheme.get("flows");
            let flow_field =
                |flow: &str, key: &str| flows?.get(flow)?.get(key)?.as_str().map(str::to_owned);
            let mut scopes: Vec<String> = Vec::new();
            if let Some(Value::Object(flows)) = flows {
                for flow in flows.values() {
                    if let Some(Value::Object(flow_scopes)) = flow.get("scopes") {
                        for scope in flow_scopes.keys() {
                            if !scopes.contains(scope) {
                                scopes.push(scope.clone());
                            }
                        }
                    }
                }
            }
            SecuritySchemeKind::OAuth2 {
                client_credentials_token_url: flow_field("clientCredentials", "tokenUrl"),
                token_url: flow_field("authorizationCode", "tokenUrl")
                    .or_else(|| flow_field("password", "tokenUrl")),
                authorization_url: flow_field("authorizationCode", "authorizationUrl")
                    .or_else(|| flow_field("implicit", "authorizationUrl")),
                scopes,
            }
        }
        "openIdConnect" => SecuritySchemeKind::OpenIdConnect {
            url: field("openIdConnectUrl")?,
        },
        "mutualTLS" => SecuritySchemeKind::MutualTls,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::model::{BodyMapping, Operation, ParamLocation};
    use crate::options::{Filters, LoadOptions};
    use crate::{Loaded, Origin, load};

    fn load_json(spec: serde_json::Value, options: &LoadOptions) -> Loaded {
        let bytes = serde_json::to_vec(&spec).expect("serializes");
        load(&bytes, Origin::inline("spec.json"), options).expect("loads")
    }

    fn spec(paths: serde_json::Value) -> serde_json::Value {
        json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": paths})
    }

    fn messages(loaded: &Loaded) -> Vec<&str> {
        loaded
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect()
    }

    fn only(loaded: &Loaded) -> &Operation {
        assert_eq!(loaded.model.operations.len(), 1);
        &loaded.model.operations[0]
    }

    #[test]
    fn operation_parameters_replace_path_level_ones() {
        let loaded = load_json(
            spec(json!({"/items": {
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "string"}}],
                "get": {"parameters": [{"name": "limit", "in": "query", "required": true, "schema": {"type": "integer"}}]}
            }})),
            &LoadOptions::default(),
        );
        let op = only(&loaded);
        assert_eq!(op.parameters.len(), 1);
        assert!(op.parameters[0].required);
        assert_eq!(op.parameters[0].schema["type"], "integer");
    }

    #[test]
    fn path_placeholders_and_parameters_are_reconciled() {
        let loaded = load_json(
            spec(json!({"/users/{id}": {"get": {"parameters": [
                {"name": "other", "in": "path", "required": true, "schema": {"type": "string"}}
            ]}}})),
            &LoadOptions::default(),
        );
        let op = only(&loaded);
        let path: Vec<(&str, ParamLocation, bool)> = op
            .parameters
            .iter()
            .map(|p| (p.name.as_str(), p.location, p.required))
            .collect();
        assert_eq!(path, [("id", ParamLocation::Path, true)]);
        let messages = messages(&loaded);
        assert!(
            messages
                .iter()
                .any(|m| m.contains("path parameter `other` does not appear")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`{id}` in `/users/{id}` has no parameter")),
            "{messages:?}"
        );
    }

    #[test]
    fn reserved_headers_are_not_arguments() {
        let loaded = load_json(
            spec(json!({"/a": {"get": {"parameters": [
                {"name": "Authorization", "in": "header", "schema": {"type": "string"}},
                {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
            ]}}})),
            &LoadOptions::default(),
        );
        let op = only(&loaded);
        assert_eq!(op.parameters.len(), 1);
        assert_eq!(op.parameters[0].name, "X-Trace");
        assert!(messages(&loaded)[0].contains("`Authorization` is ignored"));
    }

    #[test]
    fn transport_headers_are_never_arguments_and_credentials_only_when_allowed() {
        let document = spec(json!({"/a": {"get": {"parameters": [
            {"name": "Host", "in": "header", "schema": {"type": "string"}},
            {"name": "Transfer-Encoding", "in": "header", "schema": {"type": "string"}},
            {"name": "Proxy-Authorization", "in": "header", "schema": {"type": "string"}},
            {"name": "Cookie", "in": "header", "schema": {"type": "string"}},
            {"name": "Authorization", "in": "header", "schema": {"type": "string"}},
            {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
        ]}}}));
        let loaded = load_json(document.clone(), &LoadOptions::default());
        let names: Vec<&str> = only(&loaded)
            .parameters
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["X-Trace"]);
        let messages = messages(&loaded);
        for header in [
            "Host",
            "Transfer-Encoding",
            "Proxy-Authorization",
            "Cookie",
            "Authorization",
        ] {
            assert!(
                messages.iter().any(|m| m.contains(&format!("`{header}`"))),
                "{header}: {messages:?}"
            );
        }
        let allowed = load_json(
            document,
            &LoadOptions {
                allow_credential_headers: true,
                ..LoadOptions::default()
            },
        );
        let names: Vec<&str> = only(&allowed)
            .parameters
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["Cookie", "Authorization", "X-Trace"]);
    }

    #[test]
    fn json_bodies_are_preferred_and_responses_wrapped_when_not_objects() {
        let loaded = load_json(
            spec(json!({"/pets": {"post": {
                "requestBody": {"required": true, "content": {
                    "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
                    "application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}
                }},
                "responses": {
                    "201": {"description": "x", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}},
                    "200": {"description": "x", "content": {"text/plain": {"schema": {"type": "string"}}}}
                }
            }}})),
            &LoadOptions::default(),
        );
        let op = only(&loaded);
        let body = op.request_body.as_ref().expect("body");
        assert_eq!(body.media_type, "application/json");
        assert_eq!(body.alternatives, ["application/x-www-form-urlencoded"]);
        let BodyMapping::Flattened { fields } = &body.mapping else {
            panic!("flattened")
        };
        assert_eq!(
            (fields[0].argument.as_str(), fields[0].required),
            ("name", true)
        );
        let response = op.response.as_ref().expect("response");
        assert_eq!((response.status, response.wrapped), (201, true));
    }

    #[test]
    fn operation_security_overrides_the_document() {
        let mut document = spec(json!({"/a": {
            "get": {},
            "post": {"security": []}
        }}));
        document["security"] = json!([{"key": []}]);
        let loaded = load_json(document, &LoadOptions::default());
        let ops = &loaded.model.operations;
        assert_eq!(ops[0].security[0].schemes[0].0, "key");
        assert!(ops[1].security.is_empty());
    }

    #[test]
    fn filtered_out_operations_are_named_but_never_lowered() {
        let document = spec(json!({
            "/kept": {"get": {"tags": ["keep"], "operationId": "kept"}},
            "/dropped": {"get": {"tags": ["drop"], "parameters": [
                {"name": "x", "in": "query", "schema": {"$ref": "#/components/schemas/Missing"}}
            ]}}
        }));
        let all = load_json(document.clone(), &LoadOptions::default());
        assert!(
            messages(&all).iter().any(|m| m.contains("Missing")),
            "{:?}",
            messages(&all)
        );
        let options = LoadOptions {
            filters: Filters {
                include_tags: vec!["keep".into()],
                ..Filters::default()
            },
            ..LoadOptions::default()
        };
        let filtered = load_json(document, &options);
        assert_eq!(only(&filtered).tool_name, all.model.operations[0].tool_name);
        assert!(
            !messages(&filtered).iter().any(|m| m.contains("Missing")),
            "the dropped operation's schema was lowered: {:?}",
            messages(&filtered)
        );
    }
}
