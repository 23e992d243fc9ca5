//! The intermediate representation every front end shares: plain data, no behaviour
//! beyond small derived views.
//!
//! An [`ApiModel`] is what a spec (OpenAPI 3.0/3.1, Swagger 2.0) or a TOML endpoint list
//! becomes. Every schema in it is JSON Schema 2020-12 with every `$ref` inlined, so it can
//! be handed to an MCP client as is.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::SourceRef;
use crate::path_template::PathTemplate;

/// Which kind of document a model was built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecVersion {
    /// Swagger 2.0 (converted to the OpenAPI 3.0 shape by this crate).
    Swagger2,
    /// OpenAPI 3.0.x.
    OpenApi30,
    /// OpenAPI 3.1.x.
    OpenApi31,
    /// The TOML endpoint list (`[[endpoints]]`).
    Manual,
}

/// A whole API: metadata, servers, security schemes and its operations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiModel {
    /// `info.title` of the spec.
    pub title: String,
    /// `info.version` of the spec.
    pub version: String,
    /// `info.description` of the spec.
    pub description: Option<String>,
    /// The kind of document the model came from.
    pub spec_version: SpecVersion,
    /// Servers in spec order; the first is the default base URL.
    pub servers: Vec<Server>,
    /// Security schemes declared by the spec, in spec order.
    pub security_schemes: Vec<SecurityScheme>,
    /// Operations kept after hiding and filtering, in spec order.
    pub operations: Vec<Operation>,
}

impl ApiModel {
    /// A model of operations that come from no spec document (the TOML endpoint list,
    /// operations defined in code): no servers, no security schemes.
    pub fn manual(title: impl Into<String>, operations: Vec<Operation>) -> ApiModel {
        ApiModel {
            title: title.into(),
            version: String::new(),
            description: None,
            spec_version: SpecVersion::Manual,
            servers: Vec::new(),
            security_schemes: Vec::new(),
            operations,
        }
    }

    /// The operation whose tool name is `name`.
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.tool_name == name)
    }

    /// The security scheme called `name`.
    pub fn security_scheme(&self, name: &str) -> Option<&SecurityScheme> {
        self.security_schemes.iter().find(|s| s.name == name)
    }
}

/// A server entry (`servers[]`, or Swagger 2.0 `host` + `basePath` + `schemes`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Server {
    /// URL template, possibly with `{variable}` placeholders and possibly relative.
    pub url: String,
    /// Free-text description.
    pub description: Option<String>,
    /// Declared variables with their defaults.
    pub variables: Vec<ServerVariable>,
}

impl Server {
    /// The URL with every `{variable}` replaced by its default value.
    pub fn url_with_defaults(&self) -> String {
        let mut url = self.url.clone();
        for variable in &self.variables {
            url = url.replace(&format!("{{{}}}", variable.name), &variable.default);
        }
        url
    }
}

/// A server URL variable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServerVariable {
    /// Name used as `{name}` in the URL.
    pub name: String,
    /// Value used when nothing else is given.
    pub default: String,
    /// Allowed values, if restricted.
    pub allowed: Vec<String>,
    /// Free-text description.
    pub description: Option<String>,
}

/// A security scheme (`components.securitySchemes` / `securityDefinitions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityScheme {
    /// The key under which the scheme is declared.
    pub name: String,
    /// What kind of credential the scheme expects.
    pub kind: SecuritySchemeKind,
    /// Free-text description.
    pub description: Option<String>,
}

/// The credential a [`SecurityScheme`] expects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SecuritySchemeKind {
    /// An API key sent in a header, query parameter or cookie.
    ApiKey {
        /// Where the key goes.
        location: ParamLocation,
        /// Header, query or cookie name.
        parameter: String,
    },
    /// HTTP authentication (`basic`, `bearer`, ...).
    Http {
        /// The scheme, lowercased (`basic`, `bearer`, `digest`, ...).
        scheme: String,
        /// Hint about the token format, for bearer.
        bearer_format: Option<String>,
    },
    /// OAuth 2.0 with its flows.
    OAuth2 {
        /// Token URL of the client-credentials flow, if declared.
        client_credentials_token_url: Option<String>,
        /// Token URL of the authorization-code or password flow, if declared.
        token_url: Option<String>,
        /// Authorization URL of the authorization-code or implicit flow, if declared.
        authorization_url: Option<String>,
        /// Every scope named by any flow, in spec order.
        scopes: Vec<String>,
    },
    /// OpenID Connect discovery.
    OpenIdConnect {
        /// The discovery document URL.
        url: String,
    },
    /// Mutual TLS.
    MutualTls,
}

/// One set of schemes that together satisfy an operation's security (`security[]` entry).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityRequirement {
    /// Scheme names with the scopes each needs; empty means "no auth needed" (`{}`).
    pub schemes: Vec<(String, Vec<String>)>,
}

/// HTTP methods an operation can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl HttpMethod {
    /// Every method, in the order OpenAPI path items list them.
    pub const ALL: [HttpMethod; 8] = [
        HttpMethod::Get,
        HttpMethod::Put,
        HttpMethod::Post,
        HttpMethod::Delete,
        HttpMethod::Options,
        HttpMethod::Head,
        HttpMethod::Patch,
        HttpMethod::Trace,
    ];

    /// Upper-case wire name (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }

    /// Lower-case key used in OpenAPI path items (`get`).
    pub fn spec_key(self) -> &'static str {
        match self {
            HttpMethod::Get => "get",
            HttpMethod::Put => "put",
            HttpMethod::Post => "post",
            HttpMethod::Delete => "delete",
            HttpMethod::Options => "options",
            HttpMethod::Head => "head",
            HttpMethod::Patch => "patch",
            HttpMethod::Trace => "trace",
        }
    }

    /// Parse a method name in any case.
    pub fn parse(name: &str) -> Option<HttpMethod> {
        HttpMethod::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(name))
    }

    /// Whether the method is read-only by HTTP semantics (GET, HEAD, OPTIONS, TRACE).
    pub fn is_safe(self) -> bool {
        matches!(
            self,
            HttpMethod::Get | HttpMethod::Head | HttpMethod::Options | HttpMethod::Trace
        )
    }
}

impl std::fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One REST operation, ready to become one MCP tool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// The MCP tool name (valid, unique within the model).
    pub tool_name: String,
    /// The spec's `operationId`, if any.
    pub operation_id: Option<String>,
    /// HTTP method.
    pub method: HttpMethod,
    /// Path template relative to the base URL, with `{name}` placeholders.
    pub path: PathTemplate,
    /// `summary` of the operation.
    pub summary: Option<String>,
    /// `description` of the operation.
    pub description: Option<String>,
    /// Tags, in spec order.
    pub tags: Vec<String>,
    /// Whether the spec marks the operation deprecated.
    pub deprecated: bool,
    /// Path, query, header and cookie parameters (path-level and operation-level merged).
    pub parameters: Vec<Parameter>,
    /// The request body and how tool arguments carry it.
    pub request_body: Option<RequestBody>,
    /// The primary success response, when it has a JSON schema.
    pub response: Option<SuccessResponse>,
    /// Effective security (operation-level, else document-level); empty means none declared.
    pub security: Vec<SecurityRequirement>,
    /// The operation takes no credentials (`security: []` on the operation, `auth = false`
    /// on a TOML endpoint): configured credentials and session cookies are not sent.
    #[serde(default)]
    pub anonymous: bool,
    /// MCP tool annotations.
    pub annotations: Annotations,
    /// JSON path (`$.data.items`) of the part of the response body to return, if configured.
    pub response_path: Option<String>,
    /// Where the operation is declared.
    pub source: SourceRef,
}

/// One tool argument: a property of the input schema and where its value travels. Every
/// view of an operation's arguments (the input schema, the runtime's request template,
/// listings, typed Rust fields) derives from these.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Argument<'a> {
    /// The argument's name (a property of the input schema).
    pub name: &'a str,
    /// Its JSON Schema.
    pub schema: &'a Value,
    /// Whether a call must give it.
    pub required: bool,
    /// The value used when a call leaves it out (the schema's `default`).
    pub default: Option<&'a Value>,
    /// Where its value goes in the HTTP request.
    pub target: ArgumentTarget,
}

/// Where a tool argument's value goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgumentTarget {
    /// A path, query, header or cookie parameter (index into [`Operation::parameters`]).
    Parameter(usize),
    /// A flattened body property (index into [`BodyMapping::Flattened`]'s fields).
    BodyField(usize),
    /// The whole body ([`BodyMapping::Whole`]).
    WholeBody,
}

impl Operation {
    /// The tool's arguments, in input-schema order: parameters first, then the body.
    /// A flattened body field is required only when the body is.
    pub fn arguments(&self) -> Vec<Argument<'_>> {
        let argument = Argument::new;
        let mut arguments: Vec<Argument<'_>> = self
            .parameters
            .iter()
            .enumerate()
            .map(|(index, p)| {
                argument(
                    &p.argument,
                    &p.schema,
                    p.required,
                    ArgumentTarget::Parameter(index),
                )
            })
            .collect();
        if let Some(body) = &self.request_body {
            match &body.mapping {
                BodyMapping::Flattened { fields } => {
                    arguments.extend(fields.iter().enumerate().map(|(index, f)| {
                        argument(
                            &f.argument,
                            &f.schema,
                            f.required && body.required,
                            ArgumentTarget::BodyField(index),
                        )
                    }));
                }
                BodyMapping::Whole {
                    argument: name,
                    schema,
                } => arguments.push(argument(
                    name,
                    schema,
                    body.required,
                    ArgumentTarget::WholeBody,
                )),
            }
        }
        arguments
    }
}

impl<'a> Argument<'a> {
    fn new(
        name: &'a str,
        schema: &'a Value,
        required: bool,
        target: ArgumentTarget,
    ) -> Argument<'a> {
        Argument {
            name,
            schema,
            required,
            default: schema.get("default"),
            target,
        }
    }
}

/// Where a parameter travels in the HTTP request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamLocation {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

impl ParamLocation {
    /// The OpenAPI `in` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// How an array or object parameter is serialized (OpenAPI `style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamStyle {
    /// `form` (query and cookie default).
    Form,
    /// `simple` (path and header default).
    Simple,
    /// `label` (`.a.b`).
    Label,
    /// `matrix` (`;id=1`).
    Matrix,
    /// `spaceDelimited`.
    SpaceDelimited,
    /// `pipeDelimited`.
    PipeDelimited,
    /// `deepObject` (`filter[key]=v`).
    DeepObject,
}

impl ParamStyle {
    /// The OpenAPI default style for a location.
    pub fn default_for(location: ParamLocation) -> ParamStyle {
        match location {
            ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
            ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
        }
    }

    /// Parse an OpenAPI `style` value.
    pub fn parse(name: &str) -> Option<ParamStyle> {
        Some(match name {
            "form" => ParamStyle::Form,
            "simple" => ParamStyle::Simple,
            "label" => ParamStyle::Label,
            "matrix" => ParamStyle::Matrix,
            "spaceDelimited" => ParamStyle::SpaceDelimited,
            "pipeDelimited" => ParamStyle::PipeDelimited,
            "deepObject" => ParamStyle::DeepObject,
            _ => return None,
        })
    }
}

/// A path, query, header or cookie parameter and the tool argument that carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// The name on the wire (header name, query key, path placeholder).
    pub name: String,
    /// Where it travels.
    pub location: ParamLocation,
    /// The tool argument that carries it (sanitized, unique within the operation).
    pub argument: String,
    /// Whether the argument must be given (always true for path parameters).
    pub required: bool,
    /// Serialization style.
    pub style: ParamStyle,
    /// Whether arrays and objects are exploded.
    pub explode: bool,
    /// Whether reserved characters pass through unencoded (query only).
    pub allow_reserved: bool,
    /// Whether the spec marks the parameter deprecated.
    pub deprecated: bool,
    /// Argument schema (JSON Schema 2020-12, inlined); carries description, enum, default.
    pub schema: Value,
}

/// How a request body is encoded on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyEncoding {
    /// `application/json` or any `*+json`.
    Json,
    /// `application/x-www-form-urlencoded` (nested values in bracket notation).
    FormUrlEncoded,
    /// `multipart/form-data` (binary parts as files).
    Multipart,
    /// `application/octet-stream` or another binary type: base64 in, raw bytes out.
    Binary,
    /// `text/*`: the argument string is sent as is.
    Text,
}

/// An operation's request body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestBody {
    /// The media type sent as `Content-Type`.
    pub media_type: String,
    /// How it is encoded.
    pub encoding: BodyEncoding,
    /// Whether the body must be sent.
    pub required: bool,
    /// The body's description.
    pub description: Option<String>,
    /// How tool arguments carry the body.
    pub mapping: BodyMapping,
    /// Other media types the spec accepts for this operation, for reference.
    pub alternatives: Vec<String>,
}

/// How tool arguments carry a request body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BodyMapping {
    /// Each top-level property of an object body is its own argument.
    Flattened {
        /// The properties, in schema order.
        fields: Vec<BodyField>,
    },
    /// The whole body is one argument.
    Whole {
        /// The argument name (`body` unless that collides).
        argument: String,
        /// The argument's schema.
        schema: Value,
    },
}

/// One flattened body property.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BodyField {
    /// Property name in the body.
    pub property: String,
    /// The tool argument that carries it.
    pub argument: String,
    /// Whether the property is required.
    pub required: bool,
    /// Whether the property is a file part (multipart binary): the argument is an object
    /// `{content (base64), filename, content_type}` or an array of such objects.
    pub file: bool,
    /// Argument schema.
    pub schema: Value,
}

/// The response whose JSON body becomes `structuredContent`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuccessResponse {
    /// Status code (`200`, `201`, or `2XX` as 200).
    pub status: u16,
    /// The JSON media type.
    pub media_type: String,
    /// The body schema as the spec gives it (inlined).
    pub schema: Value,
    /// Whether the body is wrapped as `{"result": body}` because its root is not an object.
    pub wrapped: bool,
}

/// MCP tool annotations (hints for clients).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotations {
    /// The tool does not modify its environment.
    pub read_only: bool,
    /// The tool may perform destructive updates.
    pub destructive: bool,
    /// Calling the tool twice with the same arguments has no further effect.
    pub idempotent: bool,
    /// The tool talks to an open world (a remote API).
    pub open_world: bool,
}

impl Annotations {
    /// Defaults from HTTP semantics: safe methods are read-only, PUT and DELETE are
    /// idempotent and destructive (they replace or remove), POST and PATCH are neither.
    pub fn for_method(method: HttpMethod) -> Annotations {
        let read_only = method.is_safe();
        let replaces = matches!(method, HttpMethod::Put | HttpMethod::Delete);
        Annotations {
            read_only,
            destructive: replaces,
            idempotent: read_only || replaces,
            open_world: true,
        }
    }
}
