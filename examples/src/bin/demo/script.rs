//! The demo's tool calls and what each must return.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rest_mcp_examples::petstore::Store;
use rmcp::RoleClient;
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use serde_json::{Value, json};

use crate::show;

/// How long one tool call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// A tiny "photo": the PNG signature plus a few bytes.
const PHOTO: &[u8] = b"\x89PNG\r\n\x1a\n-biscuit-";

/// The MCP client connected to rest-mcp.
pub(crate) type Client = RunningService<RoleClient, ()>;

/// Runs the call sequence against `client`, checking results and the upstream's `store`.
/// Returns the failures (empty: everything behaved).
pub(crate) async fn run(client: &Client, store: &Store) -> Vec<String> {
    let mut calls = Calls {
        client,
        failures: Vec::new(),
    };
    calls.script(store).await;
    calls.failures
}

struct Calls<'a> {
    client: &'a Client,
    failures: Vec<String>,
}

impl Calls<'_> {
    async fn script(&mut self, store: &Store) {
        if let Some(pets) = self.call("list_pets", json!({"limit": 2}), false).await {
            let count = pets.as_array().map(Vec::len);
            self.check(
                count == Some(2),
                format!("list_pets: expected 2 pets, got {pets}"),
            );
        }

        let created = self
            .call(
                "create_pet",
                json!({"name": "Biscuit", "status": "available", "tags": ["demo"]}),
                false,
            )
            .await;
        let Some(id) = created.as_ref().and_then(|pet| pet["id"].as_i64()) else {
            if let Some(created) = created {
                self.fail(format!("create_pet: no pet id in the result {created}"));
            }
            println!("\n  (skipping the calls that need the new pet's id)");
            return;
        };
        let name_is = |pet: &Value, name: &str| pet["name"] == name;

        if let Some(pet) = self.call("get_pet", json!({"petId": id}), false).await {
            self.check(
                name_is(&pet, "Biscuit"),
                format!("get_pet: expected Biscuit, got {pet}"),
            );
        }

        let update = json!({"petId": id, "name": "Biscuit II"});
        if let Some(pet) = self.call("update_pet", update, false).await {
            self.check(
                name_is(&pet, "Biscuit II"),
                format!("update_pet: expected the new name, got {pet}"),
            );
        }

        let photo = json!({
            "petId": id,
            "photo": {
                "content": STANDARD.encode(PHOTO),
                "filename": "biscuit.png",
                "content_type": "image/png",
            },
            "caption": "hi",
        });
        if let Some(stored) = self.call("upload_pet_photo", photo, false).await {
            let expected = json!({
                "bytes": PHOTO.len(),
                "caption": "hi",
                "filename": "biscuit.png",
                "contentType": "image/png",
            });
            self.check(
                stored == expected,
                format!("upload_pet_photo: expected {expected}, got {stored}"),
            );
        }

        let order = json!({"petId": id, "quantity": 2, "metadata": {"gift": "yes"}});
        if let Some(order) = self.call("place_order", order, false).await {
            self.check(
                order["petId"] == id && order["quantity"] == 2 && order["metadata"] == json!({"gift": "yes"}),
                format!("place_order: expected petId {id}, quantity 2, metadata {{gift: yes}}, got {order}"),
            );
        }

        if let Some(counts) = self.call("get_inventory", json!({}), false).await {
            let expected = json!({"available": 2, "pending": 1, "sold": 1});
            self.check(
                counts == expected,
                format!("get_inventory: expected {expected}, got {counts}"),
            );
        }

        if let Some(problem) = self.call("get_pet", json!({"petId": 999_999}), true).await {
            self.check(
                problem["status"] == 404,
                format!("get_pet 999999: expected a 404 problem body, got {problem}"),
            );
        }

        self.call("delete_pet", json!({"petId": id}), false).await;

        self.check(
            store.pet(id).is_none(),
            format!("upstream: pet {id} still exists after delete_pet"),
        );
        self.check(
            store.orders().len() == 1,
            format!(
                "upstream: expected exactly one order, found {:?}",
                store.orders()
            ),
        );
    }

    /// Calls `tool`, prints the exchange, checks `isError` against `expect_error`, and
    /// returns the result's JSON body when `isError` was as expected and there is a body.
    async fn call(
        &mut self,
        tool: &'static str,
        arguments: Value,
        expect_error: bool,
    ) -> Option<Value> {
        println!("\n  → {tool} {arguments}");
        let mut request = CallToolRequestParams::new(tool);
        if let Value::Object(map) = arguments {
            request = request.with_arguments(map);
        }
        let result = match tokio::time::timeout(CALL_TIMEOUT, self.client.call_tool(request)).await
        {
            Ok(Ok(result)) => result,
            Ok(Err(e)) => {
                println!("    MCP error: {e}");
                self.fail(format!("{tool}: the call failed at the MCP level: {e}"));
                return None;
            }
            Err(_) => {
                println!("    no answer within {CALL_TIMEOUT:?}");
                self.fail(format!("{tool}: no answer within {CALL_TIMEOUT:?}"));
                return None;
            }
        };
        show::result(&result);
        let is_error = result.is_error == Some(true);
        if is_error != expect_error {
            let expected = if expect_error {
                "an isError result"
            } else {
                "success"
            };
            self.fail(format!(
                "{tool}: expected {expected}, got isError={is_error}"
            ));
            return None;
        }
        show::body_json(&result)
    }

    fn check(&mut self, ok: bool, failure: String) {
        if !ok {
            self.fail(failure);
        }
    }

    fn fail(&mut self, failure: String) {
        println!("    ✗ {failure}");
        self.failures.push(failure);
    }
}
