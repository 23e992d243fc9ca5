//! The `#[rest_api]` example end to end: rmcp's stdio client drives the trait-client
//! binary against the in-process pet store, and every tool call is checked against the
//! store's state.

mod common;

use rest_mcp_examples::petstore::{PetStatus, PetstoreServer};
use rmcp::model::{CallToolRequestParams, CallToolResult, Tool};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::{ServiceExt, model::JsonObject};
use serde_json::{Value, json};

type McpClient = RunningService<RoleClient, ()>;

async fn call(client: &McpClient, tool: &'static str, arguments: Value) -> CallToolResult {
    let arguments: JsonObject = arguments.as_object().cloned().unwrap_or_default();
    client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(arguments))
        .await
        .expect("call")
}

fn tool<'a>(tools: &'a [Tool], name: &str) -> &'a Tool {
    tools
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no tool {name}"))
}

fn properties(tool: &Tool) -> Vec<&str> {
    tool.input_schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn required(tool: &Tool) -> Value {
    tool.input_schema
        .get("required")
        .cloned()
        .unwrap_or(json!([]))
}

#[tokio::test]
async fn the_trait_is_served_as_mcp_tools() {
    common::bounded(async {
        let upstream = PetstoreServer::start(([127, 0, 0, 1], 0).into())
            .await
            .expect("upstream");
        let url = upstream.url();
        let command =
            tokio::process::Command::new(env!("CARGO_BIN_EXE_trait-client")).configure(|c| {
                c.env("PETSTORE_URL", &url);
            });
        let client =
            ().serve(TokioChildProcess::new(command).expect("spawn"))
                .await
                .expect("connect");

        // tools/list: names, doc comments, schemas from the Rust types, hints from the method.
        let tools = client.list_all_tools().await.expect("list");
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(
            names,
            [
                "list_pets",
                "add_pet",
                "get_pet",
                "update_pet",
                "delete_pet",
                "inventory"
            ],
            "the hidden get_pet_json is not a tool"
        );
        let description = |name: &str| {
            tool(&tools, name)
                .description
                .as_deref()
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(
            description("get_pet"),
            "Get one pet by id.\n\nHTTP: GET /pets/{id}"
        );
        assert!(
            description("list_pets").starts_with(
                "List pets.\n\nAt most `limit` of them (1 to 100, default 20), optionally only"
            ),
            "{}",
            description("list_pets")
        );
        assert_eq!(
            description("inventory"),
            "How many pets are available, pending and sold.\n\nHTTP: GET /store/inventory",
            "description = ... replaces the doc comment"
        );
        assert_eq!(tool(&tools, "add_pet").title.as_deref(), Some("Add a pet."));

        assert_eq!(properties(tool(&tools, "list_pets")), ["limit", "status"]);
        assert_eq!(required(tool(&tools, "list_pets")), json!([]));
        let status_items = &tool(&tools, "list_pets").input_schema["properties"]["status"];
        assert!(
            status_items.to_string().contains("\"available\""),
            "the enum's values are in the schema: {status_items}"
        );
        assert_eq!(properties(tool(&tools, "add_pet")), ["pet"]);
        assert_eq!(required(tool(&tools, "add_pet")), json!(["pet"]));
        let pet_schema = &tool(&tools, "add_pet").input_schema["properties"]["pet"];
        assert_eq!(pet_schema["type"], "object");
        assert_eq!(pet_schema["required"], json!(["name"]));
        assert_eq!(
            properties(tool(&tools, "update_pet")),
            ["id", "if_match", "name", "status"]
        );
        assert_eq!(required(tool(&tools, "update_pet")), json!(["id"]));
        assert!(properties(tool(&tools, "inventory")).is_empty());

        let hint = |name: &str| {
            let annotations = tool(&tools, name).annotations.clone().unwrap_or_default();
            (
                annotations.read_only_hint,
                annotations.destructive_hint,
                annotations.idempotent_hint,
            )
        };
        for name in ["list_pets", "get_pet", "inventory"] {
            assert_eq!(hint(name).0, Some(true), "{name} is a GET");
        }
        assert_eq!(hint("add_pet"), (Some(false), Some(false), Some(false)));
        assert_eq!(hint("delete_pet"), (Some(false), Some(true), Some(true)));
        let output = tool(&tools, "get_pet")
            .output_schema
            .as_ref()
            .expect("get_pet has an output schema");
        assert_eq!(output["type"], "object");
        assert!(output["properties"].get("name").is_some(), "{output:?}");
        assert!(
            tool(&tools, "delete_pet").output_schema.is_none(),
            "`()` has no output"
        );

        // tools/call, each checked against the store.
        let listed = call(&client, "list_pets", json!({"limit": 2})).await;
        assert_eq!(listed.is_error, Some(false), "{listed:?}");
        assert_eq!(
            listed
                .structured_content
                .as_ref()
                .and_then(|v| v["result"].as_array())
                .map(Vec::len),
            Some(2),
            "{listed:?}"
        );
        let pending = call(&client, "list_pets", json!({"status": ["pending"]})).await;
        assert_eq!(
            pending
                .structured_content
                .as_ref()
                .map(|v| v["result"][0]["name"].clone()),
            Some(json!("Whiskers")),
            "{pending:?}"
        );

        let added = call(
            &client,
            "add_pet",
            json!({"pet": {"name": "Nimbus", "status": "pending", "tags": ["cloud"]}}),
        )
        .await;
        assert_eq!(added.is_error, Some(false), "{added:?}");
        let id = added
            .structured_content
            .as_ref()
            .and_then(|v| v["id"].as_i64())
            .expect("new id");
        let stored = upstream.store().pet(id).expect("stored upstream");
        assert_eq!(stored.name, "Nimbus");
        assert_eq!(stored.status, Some(PetStatus::Pending));

        let fetched = call(&client, "get_pet", json!({"id": id})).await;
        assert_eq!(
            fetched
                .structured_content
                .as_ref()
                .map(|v| v["name"].clone()),
            Some(json!("Nimbus"))
        );

        let updated = call(
            &client,
            "update_pet",
            json!({"id": id, "name": "Cumulus", "status": "available", "if_match": "\"1\""}),
        )
        .await;
        assert_eq!(updated.is_error, Some(false), "{updated:?}");
        let stored = upstream.store().pet(id).expect("still there");
        assert_eq!(
            (stored.name.as_str(), stored.status),
            ("Cumulus", Some(PetStatus::Available))
        );
        let stale = call(
            &client,
            "update_pet",
            json!({"id": id, "name": "Stratus", "if_match": "\"1\""}),
        )
        .await;
        assert_eq!(stale.is_error, Some(true), "the If-Match header travels");
        assert_eq!(
            upstream.store().pet(id).map(|p| p.name),
            Some("Cumulus".into())
        );

        let inventory = call(&client, "inventory", json!({})).await;
        assert_eq!(
            inventory.structured_content,
            Some(json!({"available": 2, "pending": 1, "sold": 1}))
        );

        let deleted = call(&client, "delete_pet", json!({"id": id})).await;
        assert_eq!(deleted.is_error, Some(false), "{deleted:?}");
        assert!(upstream.store().pet(id).is_none());

        let missing = call(&client, "get_pet", json!({"id": id})).await;
        assert_eq!(missing.is_error, Some(true));
        let invalid = call(&client, "get_pet", json!({"id": "seven"})).await;
        assert_eq!(invalid.is_error, Some(true), "arguments are validated");

        client.cancel().await.expect("close");
        upstream.shutdown(std::time::Duration::from_secs(2)).await;
    })
    .await;
}
