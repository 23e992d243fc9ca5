//! A full `#[rest_api]` trait compiles with only `rest-mcp`, `serde` and `schemars`, and
//! its operations carry what the attributes said.

use rest_mcp::client::ClientError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Pet {
    pub id: u64,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct NewPet {
    pub name: String,
}

#[derive(Debug)]
pub struct MyError(ClientError);

impl From<ClientError> for MyError {
    fn from(error: ClientError) -> Self {
        MyError(error)
    }
}

/// The pets API.
#[rest_mcp::rest_api(base_url = "https://api.example.com/v1")]
pub trait Pets {
    /// Get one pet.
    ///
    /// By its id.
    #[endpoint(GET "/pets/<id>")]
    async fn get_pet(&self, id: u64) -> Result<Pet, ClientError>;

    #[endpoint(POST "/pets", name = "add_pet", description = "Add a pet.", read_only = false, destructive = false, idempotent = true, hidden = false)]
    async fn create_pet(&self, #[body] pet: NewPet, #[query] dry_run: Option<bool>) -> Result<Pet, MyError>;

    /// List pets.
    #[endpoint(GET "/pets")]
    async fn list_pets(
        &self,
        limit: Option<u32>,
        #[header("X-Trace")] trace: Option<String>,
        #[query("sort-by")] sort_by: Option<String>,
    ) -> Result<Vec<Pet>, ClientError>;

    /// Rename a pet.
    #[endpoint(PATCH "/pets/<id>/name")]
    async fn rename(&self, id: u64, name: &str) -> Result<Pet, ClientError>;

    #[endpoint(DELETE "/pets/<id>", hidden)]
    async fn delete_pet(&self, id: u64) -> Result<(), ClientError>;

    /// A provided method is kept as written.
    fn describe(&self) -> &'static str {
        "pets"
    }
}

fn main() {
    let operations = PetsClient::operations();
    let names: Vec<&str> = operations.iter().map(|o| o.tool_name.as_str()).collect();
    assert_eq!(names, ["get_pet", "add_pet", "list_pets", "rename", "delete_pet"]);
    assert_eq!(operations[0].path, "/pets/{id}");
    assert_eq!(operations[0].summary.as_deref(), Some("Get one pet."));
    assert_eq!(operations[0].description.as_deref(), Some("By its id."));
    assert!(operations[0].annotations.read_only);
    assert!(operations[1].annotations.idempotent && !operations[1].annotations.read_only);
    let schema = operations[2].input_schema();
    assert_eq!(schema["properties"].as_object().map(|p| p.len()), Some(3));
    assert!(schema["properties"].get("sort_by").is_some());
    assert_eq!(operations[3].input_schema()["required"], rest_mcp::__private::serde_json::json!(["id", "name"]));

    let client = PetsClient::new().expect("client");
    assert_eq!(PetsClient::BASE_URL, "https://api.example.com/v1");
    assert_eq!(PetsClient::model().title, "Pets");
    assert_eq!(client.tool_set().len(), 4, "delete_pet is hidden");
    assert_eq!(client.describe(), "pets");
    let _server: rest_mcp::RestMcpServer = client.server();
    let _other = PetsClient::with_base_url("http://127.0.0.1:1").expect("client");
}
