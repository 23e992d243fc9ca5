//! Typed Rust clients and the building blocks the macros generate code against.
//!
//! `#[rest_api]` traits and `include_openapi!` both describe operations that become the
//! same [`Operation`]s the spec loader produces, served by the same [`ToolSet`] and sent by
//! the same [`Executor`]. Only the front end differs.

use std::sync::Arc;
use std::time::Duration;

use rest_mcp_openapi::{
    Annotations, ApiModel, BodyEncoding, BodyField, BodyMapping, HttpMethod, Operation,
    ParamLocation, ParamStyle, Parameter, PathTemplate, RequestBody, SourceRef, SuccessResponse,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::auth::UpstreamAuth;
use crate::endpoint::Endpoint;
use crate::executor::{CallError, Executor, ExecutorConfig};
use crate::toolset::ToolSet;

/// Largest response body a typed client reads.
const MAX_TYPED_RESPONSE: usize = 64 * 1024 * 1024;

/// Why a typed call failed.
#[derive(Debug)]
pub enum ClientError {
    /// The call never produced a response (bad arguments, credentials, transport).
    Call(CallError),
    /// The upstream answered with a non-2xx status.
    Status {
        /// The status code.
        status: u16,
        /// The body, as text.
        body: String,
    },
    /// The body did not match the declared return type.
    Decode(String),
    /// The client could not be set up (bad base URL, ...).
    Config(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Call(error) => write!(f, "{error}"),
            ClientError::Status { status, body } => write!(f, "HTTP {status}: {body}"),
            ClientError::Decode(message) => write!(f, "unexpected response body: {message}"),
            ClientError::Config(message) => write!(f, "client configuration: {message}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// A typed HTTP client over the shared executor.
#[derive(Clone, Debug)]
pub struct Client {
    executor: Arc<Executor>,
}

impl Client {
    /// A client for `base_url` with no credentials and a 30 s timeout.
    pub fn new(base_url: &str) -> Result<Client, ClientError> {
        let base_url = base_url
            .parse()
            .map_err(|e| ClientError::Config(format!("base URL `{base_url}`: {e}")))?;
        Client::from_config(ExecutorConfig {
            base_url,
            headers: Vec::new(),
            auth: UpstreamAuth::none(),
            timeout: Duration::from_secs(30),
            max_response_size: 100 * 1024,
        })
    }

    /// A client with full control over headers, credentials and limits.
    pub fn from_config(config: ExecutorConfig) -> Result<Client, ClientError> {
        Executor::new(config)
            .map(|executor| Client::from_executor(Arc::new(executor)))
            .map_err(ClientError::Config)
    }

    /// A client sharing an existing executor (and its connection pool).
    pub fn from_executor(executor: Arc<Executor>) -> Client {
        Client { executor }
    }

    /// The executor behind this client.
    pub fn executor(&self) -> &Arc<Executor> {
        &self.executor
    }

    /// Call `endpoint` and decode a 2xx JSON body as `T` (an empty body decodes as `null`,
    /// so `()` and `Option<_>` work for 204 answers).
    pub async fn call<T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        arguments: Map<String, Value>,
    ) -> Result<T, ClientError> {
        let mut response = self
            .executor
            .request(endpoint, &arguments, &[])
            .await
            .map_err(ClientError::Call)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| ClientError::Call(CallError::Transport(e.to_string())))?
        {
            if body.len() + chunk.len() > MAX_TYPED_RESPONSE {
                return Err(ClientError::Decode(format!(
                    "the response is larger than {MAX_TYPED_RESPONSE} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(ClientError::Status {
                status: status.as_u16(),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
        let bytes: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &body
        };
        serde_json::from_slice(bytes).map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// The MCP tools of `model`, calling through this client's executor.
    pub fn tool_set(&self, model: &ApiModel) -> Result<ToolSet, String> {
        ToolSet::from_model(model, self.executor.clone())
    }
}

/// A call argument as JSON (what generated typed methods send).
pub fn argument<T: serde::Serialize + ?Sized>(name: &str, value: &T) -> Result<Value, ClientError> {
    serde_json::to_value(value).map_err(|e| {
        ClientError::Call(CallError::InvalidArguments(format!(
            "argument `{name}` cannot be serialized: {e}"
        )))
    })
}

/// The JSON Schema of `T` with subschemas inlined, as tool schemas need.
pub fn schema_for<T: JsonSchema + ?Sized>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|settings| {
            settings.inline_subschemas = true;
            settings.meta_schema = None;
        })
        .into_generator();
    let mut value = generator.into_root_schema_for::<T>().to_value();
    if let Some(map) = value.as_object_mut() {
        map.remove("$schema");
        map.remove("title");
    }
    value
}

/// The output schema of `T`: its schema when it is an object, else wrapped as
/// `{"result": ...}` (MCP structured content must be an object).
pub fn success_response<T: JsonSchema + ?Sized>() -> Option<SuccessResponse> {
    let schema = schema_for::<T>();
    if schema.get("type") == Some(&json!("null")) {
        return None;
    }
    let wrapped = schema.get("type") != Some(&json!("object"));
    Some(SuccessResponse {
        status: 200,
        media_type: "application/json".to_owned(),
        schema,
        wrapped,
    })
}

/// Builds an [`Operation`] from code (what `#[rest_api]` generates).
#[derive(Clone, Debug)]
pub struct OperationBuilder {
    operation: Operation,
    whole_body: Option<(String, Value, bool)>,
    fields: Vec<BodyField>,
}

impl OperationBuilder {
    /// An operation named `tool_name` calling `method path` (`{name}` placeholders).
    pub fn new(tool_name: &str, method: HttpMethod, path: &str) -> OperationBuilder {
        OperationBuilder {
            operation: Operation {
                tool_name: tool_name.to_owned(),
                operation_id: None,
                method,
                path: PathTemplate::parse(path),
                summary: None,
                description: None,
                tags: Vec::new(),
                deprecated: false,
                parameters: Vec::new(),
                request_body: None,
                response: None,
                security: Vec::new(),
                annotations: Annotations::for_method(method),
                response_path: None,
                source: SourceRef::new(tool_name, ""),
            },
            whole_body: None,
            fields: Vec::new(),
        }
    }

    /// Doc comment text: the first paragraph is the summary, the rest the description.
    pub fn docs(mut self, text: &str) -> OperationBuilder {
        let text = text.trim();
        let (summary, rest) = text.split_once("\n\n").unwrap_or((text, ""));
        let summary = summary.split_whitespace().collect::<Vec<_>>().join(" ");
        self.operation.summary = (!summary.is_empty()).then_some(summary);
        self.operation.description = (!rest.trim().is_empty()).then(|| rest.trim().to_owned());
        self
    }

    /// A parameter in the path, query, a header or a cookie.
    pub fn parameter(
        mut self,
        location: ParamLocation,
        name: &str,
        argument: &str,
        schema: Value,
        required: bool,
    ) -> OperationBuilder {
        let style = ParamStyle::default_for(location);
        self.operation.parameters.push(Parameter {
            name: name.to_owned(),
            location,
            argument: argument.to_owned(),
            required: required || location == ParamLocation::Path,
            style,
            explode: style == ParamStyle::Form,
            allow_reserved: false,
            deprecated: false,
            schema,
        });
        self
    }

    /// A JSON body property carried by its own argument.
    pub fn body_field(mut self, name: &str, schema: Value, required: bool) -> OperationBuilder {
        self.fields.push(BodyField {
            property: name.to_owned(),
            argument: name.to_owned(),
            required,
            file: false,
            schema,
        });
        self
    }

    /// The whole JSON body carried by one argument.
    pub fn body(mut self, argument: &str, schema: Value, required: bool) -> OperationBuilder {
        self.whole_body = Some((argument.to_owned(), schema, required));
        self
    }

    /// The success response (from the return type).
    pub fn response(mut self, response: Option<SuccessResponse>) -> OperationBuilder {
        self.operation.response = response;
        self
    }

    /// Override annotation hints.
    pub fn annotations(
        mut self,
        read_only: Option<bool>,
        destructive: Option<bool>,
        idempotent: Option<bool>,
    ) -> OperationBuilder {
        let annotations = &mut self.operation.annotations;
        annotations.read_only = read_only.unwrap_or(annotations.read_only);
        annotations.destructive = destructive.unwrap_or(annotations.destructive);
        annotations.idempotent = idempotent.unwrap_or(annotations.idempotent);
        self
    }

    /// The operation.
    pub fn build(mut self) -> Operation {
        let mapping = match self.whole_body {
            Some((argument, schema, required)) => {
                Some((BodyMapping::Whole { argument, schema }, required))
            }
            None if !self.fields.is_empty() => {
                let required = self.fields.iter().any(|f| f.required);
                Some((
                    BodyMapping::Flattened {
                        fields: self.fields,
                    },
                    required,
                ))
            }
            None => None,
        };
        self.operation.request_body = mapping.map(|(mapping, required)| RequestBody {
            media_type: "application/json".to_owned(),
            encoding: BodyEncoding::Json,
            required,
            description: None,
            mapping,
            alternatives: Vec::new(),
        });
        self.operation
    }
}

/// The model `include_openapi!` embedded at compile time, parsed once per process.
///
/// The JSON was written by the same version of `rest-mcp-openapi` at build time, so it
/// cannot fail to parse unless `rest-mcp-macros` and `rest-mcp` come from different
/// releases; then this panics with that explanation.
pub fn embedded_model(
    cell: &'static std::sync::OnceLock<ApiModel>,
    json: &'static str,
) -> &'static ApiModel {
    cell.get_or_init(|| match serde_json::from_str(json) {
        Ok(model) => model,
        Err(error) => panic!(
            "include_openapi!: the embedded model does not match this rest-mcp version ({error}); \
             make sure rest-mcp and rest-mcp-macros are the same release"
        ),
    })
}

/// Arguments as a JSON object (what typed methods generated from a spec send).
pub fn arguments<T: serde::Serialize>(value: &T) -> Result<Map<String, Value>, ClientError> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        Ok(_) => Ok(Map::new()),
        Err(error) => Err(ClientError::Call(CallError::InvalidArguments(format!(
            "the arguments cannot be serialized: {error}"
        )))),
    }
}

/// A model of operations defined in code.
pub fn model(title: &str, operations: Vec<Operation>) -> ApiModel {
    ApiModel::manual(title, operations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(JsonSchema, serde::Serialize)]
    #[allow(dead_code)]
    struct Pet {
        name: String,
        tags: Vec<Tag>,
    }

    #[derive(JsonSchema, serde::Serialize)]
    #[allow(dead_code)]
    struct Tag {
        label: String,
    }

    #[test]
    fn schemas_are_inlined_without_meta_keys() {
        let schema = schema_for::<Pet>();
        assert_eq!(schema["type"], "object");
        assert_eq!(
            schema["properties"]["tags"]["items"]["properties"]["label"]["type"],
            "string"
        );
        assert!(schema.get("$schema").is_none() && schema.get("$defs").is_none());
        assert!(success_response::<Vec<Pet>>().is_some_and(|r| r.wrapped));
        assert!(success_response::<Pet>().is_some_and(|r| !r.wrapped));
        assert!(success_response::<()>().is_none());
    }

    #[test]
    fn builder_makes_the_same_shape_the_loader_does() {
        let operation = OperationBuilder::new("get_pet", HttpMethod::Get, "/pets/{id}")
            .docs("Get a pet.\n\nLonger text.")
            .parameter(ParamLocation::Path, "id", "id", schema_for::<u64>(), true)
            .parameter(
                ParamLocation::Query,
                "verbose",
                "verbose",
                schema_for::<Option<bool>>(),
                false,
            )
            .response(success_response::<Pet>())
            .build();
        assert_eq!(operation.summary.as_deref(), Some("Get a pet."));
        assert!(operation.annotations.read_only);
        let schema = operation.input_schema();
        assert_eq!(schema["required"], json!(["id"]));
        assert!(Endpoint::new(operation).is_ok());
    }
}
