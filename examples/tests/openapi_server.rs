//! The `include_openapi!` example end to end: rmcp's stdio client drives the
//! openapi-server binary against the in-process pet store.

mod common;

use rest_mcp_examples::petstore::PetstoreServer;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use serde_json::json;

#[tokio::test]
async fn tools_from_the_embedded_spec_call_the_api() {
    common::bounded(async {
        let upstream = PetstoreServer::start(([127, 0, 0, 1], 0).into())
            .await
            .expect("upstream");
        let url = upstream.url();
        let command =
            tokio::process::Command::new(env!("CARGO_BIN_EXE_openapi-server")).configure(|c| {
                c.env("PETSTORE_URL", &url);
            });
        let client =
            ().serve(TokioChildProcess::new(command).expect("spawn"))
                .await
                .expect("connect");

        let tools = client.list_all_tools().await.expect("list");
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(names.len(), 8, "{names:?}");
        assert!(names.contains(&"get_pet") && names.contains(&"upload_pet_photo"));

        let created = client
            .call_tool(
                CallToolRequestParams::new("create_pet").with_arguments(
                    json!({"name": "Nimbus", "status": "pending"})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                ),
            )
            .await
            .expect("call");
        assert_eq!(created.is_error, Some(false), "{created:?}");
        let id = created
            .structured_content
            .as_ref()
            .and_then(|v| v["id"].as_i64())
            .expect("new id");

        let fetched = client
            .call_tool(
                CallToolRequestParams::new("get_pet").with_arguments(
                    json!({"petId": id})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                ),
            )
            .await
            .expect("call");
        assert_eq!(
            fetched
                .structured_content
                .as_ref()
                .map(|v| v["name"].clone()),
            Some(json!("Nimbus"))
        );

        let missing = client
            .call_tool(
                CallToolRequestParams::new("get_pet").with_arguments(
                    json!({"petId": 987654})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                ),
            )
            .await
            .expect("call");
        assert_eq!(missing.is_error, Some(true));

        client.cancel().await.expect("close");
        upstream.shutdown(std::time::Duration::from_secs(2)).await;
    })
    .await;
}
