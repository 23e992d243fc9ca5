//! Typed Rust clients and the building blocks the macros generate code against.
//!
//! `#[rest_api]` traits and `include_openapi!` both describe operations that become the
//! same [`Operation`]s the spec loader produces, served by the same [`ToolSet`] and sent by
//! the same [`Executor`]. Only the front end differs.

use std::sync::Arc;

use rest_mcp_openapi::{ApiModel, SuccessResponse};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::endpoint::{Endpoint, EndpointError};
use crate::executor::{CallError, Executor};
use crate::toolset::ToolSet;
use crate::util::bounded_body::{ReadError, read_at_most};

/// Largest response body a typed client reads.
const MAX_TYPED_RESPONSE: usize = 64 * 1024 * 1024;

/// Why a typed call failed, or a client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The call never produced a response (bad arguments, credentials, transport).
    #[error("{0}")]
    Call(#[from] CallError),
    /// The upstream answered with a non-2xx status.
    #[error("HTTP {status}: {body}")]
    Status {
        /// The status code.
        status: u16,
        /// The body, as text.
        body: String,
    },
    /// The body did not match the declared return type.
    #[error("unexpected response body: {0}")]
    Decode(#[source] serde_json::Error),
    /// The body is larger than a typed client reads.
    #[error("unexpected response body: the response is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Reading the response body failed.
    #[error("reading the response body: {0}")]
    Body(#[source] reqwest::Error),
    /// An argument could not be serialized to JSON.
    #[error("{what} cannot be serialized: {source}")]
    Arguments {
        /// Which argument (or "the arguments").
        what: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// An operation could not be compiled into an endpoint (a bug in rest-mcp: the macros
    /// check what they generate).
    #[error("client configuration: {0}")]
    Endpoint(#[source] Arc<EndpointError>),
    /// The base URL is not a URL.
    #[error("client configuration: base URL `{url}`: {source}")]
    BaseUrl {
        /// The base URL as given.
        url: String,
        /// Why it does not parse.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The executor could not be set up (e.g. no TLS backend).
    #[error("client configuration: {0}")]
    Setup(#[from] crate::Error),
    /// The client could not be set up.
    #[error("client configuration: {0}")]
    Config(String),
}

/// A typed HTTP client over the shared executor.
#[derive(Clone, Debug)]
pub struct Client {
    executor: Arc<Executor>,
}

impl Client {
    /// A client for `base_url` with no credentials and a 30 s timeout.
    pub fn new(base_url: &str) -> Result<Client, ClientError> {
        let parsed = base_url.parse().map_err(|e| ClientError::BaseUrl {
            url: base_url.to_owned(),
            source: Box::new(e),
        })?;
        let executor = Executor::builder(parsed).build()?;
        Ok(Client::from_executor(Arc::new(executor)))
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
        let response = self.executor.request(endpoint, &arguments, &[]).await?;
        let status = response.status();
        let body =
            read_at_most(response, MAX_TYPED_RESPONSE)
                .await
                .map_err(|error| match error {
                    ReadError::TooLarge { limit } => ClientError::TooLarge { limit },
                    ReadError::Transport(source) => ClientError::Body(source),
                })?;
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
        serde_json::from_slice(bytes).map_err(ClientError::Decode)
    }

    /// The MCP tools of `model`, calling through this client's executor.
    pub fn tool_set(&self, model: &ApiModel) -> Result<ToolSet, crate::Error> {
        ToolSet::from_model(model, self.executor.clone())
    }
}

/// The runtime every generated client type (`#[rest_api]` and `include_openapi!`) wraps:
/// the client, the model's endpoints compiled once and indexed by operation position, and
/// the tool set built from those same endpoints.
#[derive(Clone, Debug)]
pub struct GeneratedClient {
    client: Client,
    endpoints: Arc<[Result<Arc<Endpoint>, Arc<EndpointError>>]>,
    tools: ToolSet,
}

impl GeneratedClient {
    /// Compile every operation of `model` once; the operations for which `listed` is true
    /// become the tools. An operation that does not compile is an error of its typed
    /// method, and construction fails if it was to be listed: nothing is dropped.
    pub fn new(
        client: Client,
        model: &ApiModel,
        listed: impl Fn(usize) -> bool,
    ) -> Result<GeneratedClient, ClientError> {
        let endpoints: Arc<[Result<Arc<Endpoint>, Arc<EndpointError>>]> = model
            .operations
            .iter()
            .map(|operation| {
                Endpoint::new(operation.clone())
                    .map(Arc::new)
                    .map_err(Arc::new)
            })
            .collect();
        let mut served = Vec::new();
        for (index, endpoint) in endpoints.iter().enumerate() {
            if listed(index) {
                served.push(endpoint.clone().map_err(ClientError::Endpoint)?);
            }
        }
        let tools =
            ToolSet::from_endpoints(served, client.executor.clone()).map_err(ClientError::Setup)?;
        Ok(GeneratedClient {
            client,
            endpoints,
            tools,
        })
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The MCP tools (cloning is cheap).
    pub fn tool_set(&self) -> ToolSet {
        self.tools.clone()
    }

    /// Call operation `index` of the model and decode the answer as `T`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        index: usize,
        arguments: Map<String, Value>,
    ) -> Result<T, ClientError> {
        let endpoint = match self.endpoints.get(index) {
            Some(Ok(endpoint)) => endpoint,
            Some(Err(error)) => return Err(ClientError::Endpoint(error.clone())),
            None => {
                return Err(ClientError::Config(format!(
                    "the model has no operation {index}"
                )));
            }
        };
        self.client.call(endpoint, arguments).await
    }
}

/// A call argument as JSON (what generated typed methods send).
pub fn argument<T: serde::Serialize + ?Sized>(name: &str, value: &T) -> Result<Value, ClientError> {
    serde_json::to_value(value).map_err(|source| ClientError::Arguments {
        what: format!("argument `{name}`"),
        source,
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
        Err(source) => Err(ClientError::Arguments {
            what: "the arguments".to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rest_mcp_openapi::{HttpMethod, OperationBuilder, ParamLocation};

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
        let model = ApiModel::from_code(
            "Pets",
            vec![
                OperationBuilder::new("get_pet", HttpMethod::Get, "/pets/{id}")
                    .docs("Get a pet.\n\nLonger text.")
                    .parameter(ParamLocation::Path, "id", "id", schema_for::<u64>(), true)
                    .parameter(
                        ParamLocation::Query,
                        "verbose",
                        "verbose",
                        schema_for::<Option<bool>>(),
                        false,
                    )
                    .response(success_response::<Pet>()),
            ],
        );
        let operation = model.operations[0].clone();
        assert_eq!(operation.summary.as_deref(), Some("Get a pet."));
        assert!(operation.annotations.read_only);
        let schema = operation.input_schema();
        assert_eq!(schema["required"], json!(["id"]));

        // The same operation written as an OpenAPI 3.1 document (whose schemas pass
        // through the loader unchanged) must give the same tool.
        let spec = json!({
            "openapi": "3.1.0",
            "info": {"title": "Pets", "version": "1"},
            "paths": {"/pets/{id}": {"get": {
                "operationId": "get_pet",
                "summary": "Get a pet.",
                "description": "Longer text.",
                "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": schema_for::<u64>()},
                    {"name": "verbose", "in": "query", "schema": schema_for::<Option<bool>>()}
                ],
                "responses": {"200": {
                    "description": "A pet",
                    "content": {"application/json": {"schema": schema_for::<Pet>()}}
                }}
            }}}
        });
        let loaded = rest_mcp_openapi::load(
            spec.to_string().as_bytes(),
            rest_mcp_openapi::Origin::inline("pets.json"),
            &rest_mcp_openapi::LoadOptions::default(),
        )
        .expect("the equivalent spec loads");
        let mut from_loader =
            serde_json::to_value(loaded.model.operations[0].tool_definition()).expect("tool JSON");
        let mut from_builder =
            serde_json::to_value(operation.tool_definition()).expect("tool JSON");
        // The loader drops validation keywords (`required`, ...) from output schemas; the
        // builder keeps them. The shapes (types and properties) must agree.
        for tool in [&mut from_loader, &mut from_builder] {
            strip_validation(&mut tool["outputSchema"]);
        }
        assert_eq!(from_builder, from_loader);
        assert!(Endpoint::new(operation).is_ok());
    }

    /// `schema` without `required` anywhere (the only validation keyword `Pet` has).
    fn strip_validation(schema: &mut Value) {
        match schema {
            Value::Object(map) => {
                map.remove("required");
                map.values_mut().for_each(strip_validation);
            }
            Value::Array(items) => items.iter_mut().for_each(strip_validation),
            _ => {}
        }
    }
}
