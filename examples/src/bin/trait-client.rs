//! One annotated Rust trait is both a typed HTTP client for the example pet store and an
//! MCP server offering each endpoint as a tool.
//!
//! ```sh
//! cargo run -p rest-mcp-examples --bin petstore-upstream &   # the API, on 127.0.0.1:8787
//! cargo run -p rest-mcp-examples --bin trait-client          # MCP over stdio
//! ```
//!
//! `PETSTORE_URL` overrides the API's address (default: [`PetStore::BASE_URL`]). Every
//! request carries the header `X-Api-Key: demo-key`, configured once on the client.

use std::collections::BTreeMap;

use rest_mcp::client::{Client, ClientError};
use rest_mcp::reqwest_header::{HeaderName, HeaderValue};
use rest_mcp::{Executor, serve_stdio};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A pet's sale status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PetStatus {
    /// For sale.
    Available,
    /// Reserved.
    Pending,
    /// Gone to a new home.
    Sold,
}

/// A pet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Pet {
    /// Assigned by the store.
    pub id: i64,
    /// The pet's name.
    pub name: String,
    /// Sale status, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PetStatus>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A pet to add.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct NewPet {
    /// The pet's name (not empty).
    pub name: String,
    /// Sale status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PetStatus>,
    /// Free-form tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// The example pet store (`examples/petstore/openapi.yaml`), described as a Rust trait.
///
/// `#[rest_api]` generates [`PetStore`], which implements this trait over HTTP and offers
/// every endpoint not marked `hidden` as an MCP tool: the doc comments become tool
/// descriptions and the argument and return types their input and output schemas.
#[rest_mcp::rest_api(
    base_url = "http://127.0.0.1:8787/api",
    client = "PetStore",
    title = "Pet store"
)]
pub trait Pets {
    /// List pets.
    ///
    /// At most `limit` of them (1 to 100, default 20), optionally only those with one
    /// of the given statuses.
    #[endpoint(GET "/pets")]
    async fn list_pets(
        &self,
        limit: Option<u32>,
        status: Option<Vec<PetStatus>>,
    ) -> Result<Vec<Pet>, ClientError>;

    /// Add a pet.
    #[endpoint(POST "/pets", name = "add_pet")]
    async fn create_pet(&self, #[body] pet: NewPet) -> Result<Pet, ClientError>;

    /// Get one pet by id.
    #[endpoint(GET "/pets/<id>")]
    async fn get_pet(&self, id: i64) -> Result<Pet, ClientError>;

    /// The same pet as untyped JSON: a Rust-only helper, not offered as a tool.
    #[endpoint(GET "/pets/<id>", name = "get_pet_json", hidden)]
    async fn get_pet_json(&self, id: i64) -> Result<serde_json::Value, ClientError>;

    /// Rename a pet or change its status.
    ///
    /// With `if_match` (a version from an earlier read, e.g. "1"), only a pet still at
    /// that version is changed.
    #[endpoint(PATCH "/pets/<id>")]
    async fn update_pet(
        &self,
        id: i64,
        name: Option<String>,
        status: Option<PetStatus>,
        #[header("If-Match")] if_match: Option<String>,
    ) -> Result<Pet, ClientError>;

    /// Remove a pet.
    #[endpoint(DELETE "/pets/<id>")]
    async fn delete_pet(&self, id: i64) -> Result<(), ClientError>;

    /// Count pets by status.
    #[endpoint(
        GET "/store/inventory",
        description = "How many pets are available, pending and sold."
    )]
    async fn inventory(&self) -> Result<BTreeMap<String, u64>, ClientError>;
}

/// The pet store at `base_url`, sending the demo API key with every request.
///
/// # Errors
/// If `base_url` is not a URL or the HTTP client cannot be built.
pub fn pet_store(base_url: &str) -> Result<PetStore, ClientError> {
    let base_url = base_url
        .parse()
        .map_err(|e| ClientError::Config(format!("base URL `{base_url}`: {e}")))?;
    let client = Client::from_executor(std::sync::Arc::new(
        Executor::builder(base_url)
            .header(
                HeaderName::from_static("x-api-key"),
                HeaderValue::from_static("demo-key"),
            )
            .build()
            .map_err(|e| ClientError::Config(e.to_string()))?,
    ));
    PetStore::from_client(client)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url = std::env::var("PETSTORE_URL").unwrap_or_else(|_| PetStore::BASE_URL.to_owned());
    let store = pet_store(&base_url)?;
    eprintln!(
        "serving {} tools for {base_url} over stdio",
        store.tool_set().len()
    );
    serve_stdio(store.server()).await?;
    Ok(())
}

/// The trait as a typed Rust client against the in-process pet store.
#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};

    use rest_mcp_examples::petstore::PetstoreServer;

    use super::*;

    async fn start() -> (PetstoreServer, PetStore) {
        let upstream = PetstoreServer::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .expect("start the pet store");
        let store = pet_store(&upstream.url()).expect("client");
        (upstream, store)
    }

    #[tokio::test]
    async fn typed_methods_call_the_api() {
        let (upstream, store) = start().await;

        let pets = store.list_pets(Some(2), None).await.expect("list");
        assert_eq!(pets.len(), 2);
        let sold = store
            .list_pets(None, Some(vec![PetStatus::Pending, PetStatus::Sold]))
            .await
            .expect("filtered list");
        let names: Vec<&str> = sold.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Whiskers", "Bubbles"]);

        let created = store
            .create_pet(NewPet {
                name: "Nimbus".into(),
                status: Some(PetStatus::Available),
                tags: vec!["cloud".into()],
            })
            .await
            .expect("create");
        assert_eq!(created.name, "Nimbus");
        let stored = upstream.store().pet(created.id).expect("stored upstream");
        assert_eq!(
            (stored.name.as_str(), stored.tags.as_slice()),
            ("Nimbus", ["cloud".to_owned()].as_slice())
        );

        assert_eq!(store.get_pet(created.id).await.expect("get"), created);
        let json = store.get_pet_json(created.id).await.expect("get json");
        assert_eq!(json["name"], "Nimbus");

        let renamed = store
            .update_pet(created.id, Some("Cumulus".into()), None, None)
            .await
            .expect("rename");
        assert_eq!(renamed.name, "Cumulus");
        assert_eq!(renamed.status, Some(PetStatus::Available));
        assert_eq!(
            upstream.store().pet(created.id).map(|p| p.name),
            Some("Cumulus".into())
        );

        // The header argument travels: a stale version is refused.
        let stale = store
            .update_pet(
                created.id,
                Some("Stratus".into()),
                None,
                Some("\"1\"".into()),
            )
            .await;
        assert!(
            matches!(stale, Err(ClientError::Status { status: 412, .. })),
            "{stale:?}"
        );

        // The typed futures are `Send`: they can run on any runtime thread.
        let spawned = tokio::spawn({
            let store = store.clone();
            async move { store.inventory().await }
        });
        let inventory = spawned.await.expect("join").expect("inventory");
        assert_eq!(inventory.get("available"), Some(&2));

        store.delete_pet(created.id).await.expect("delete");
        assert!(upstream.store().pet(created.id).is_none());
        let missing = store.get_pet(created.id).await;
        assert!(
            matches!(missing, Err(ClientError::Status { status: 404, .. })),
            "{missing:?}"
        );
    }

    #[tokio::test]
    async fn base_url_is_overridable_and_failures_are_typed() {
        let client = PetStore::with_base_url("http://127.0.0.1:9/api").expect("client");
        let error = client
            .get_pet(1)
            .await
            .expect_err("nothing listens on port 9");
        assert!(matches!(error, ClientError::Call(_)), "{error:?}");

        // Without the API key the upstream answers 401.
        let (upstream, _) = start().await;
        let bare = PetStore::with_base_url(&upstream.url()).expect("client");
        let error = bare.list_pets(None, None).await.expect_err("no key");
        assert!(
            matches!(error, ClientError::Status { status: 401, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn the_model_lists_every_endpoint_and_the_tools_skip_hidden_ones() {
        let names: Vec<String> = PetStore::operations()
            .into_iter()
            .map(|o| o.tool_name)
            .collect();
        assert_eq!(
            names,
            [
                "list_pets",
                "add_pet",
                "get_pet",
                "get_pet_json",
                "update_pet",
                "delete_pet",
                "inventory"
            ]
        );
        let store = PetStore::new().expect("client");
        assert_eq!(store.tool_set().len(), 6);
        assert!(store.tool_set().tool("get_pet_json").is_none());
        assert_eq!(PetStore::model().title, "Pet store");
        assert!(format!("{store:?}").contains("http://127.0.0.1:8787/api"));
    }
}
