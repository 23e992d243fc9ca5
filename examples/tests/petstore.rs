//! The example pet store over real HTTP on 127.0.0.1.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use rest_mcp_examples::petstore::{API_KEY, PetstoreServer};
use serde_json::{Value, json};

async fn start() -> (PetstoreServer, reqwest::Client) {
    let server = PetstoreServer::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("start the pet store");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    (server, client)
}

async fn body(response: reqwest::Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response.bytes().await.expect("body");
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, content_type, value)
}

#[tokio::test]
async fn requires_the_api_key() {
    common::bounded(async {
        let (server, client) = start().await;
        let (status, content_type, problem) = body(
            client
                .get(format!("{}/pets", server.url()))
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(status, 401);
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(problem["status"], 401);
    })
    .await;
}

#[tokio::test]
async fn pet_lifecycle() {
    common::bounded(async {
        let (server, client) = start().await;
        let url = server.url();
        let get = |path: String| client.get(path).header("X-Api-Key", API_KEY);

        let (status, _, pets) = body(
            get(format!("{url}/pets?limit=2"))
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!((status, pets.as_array().map(Vec::len)), (200, Some(2)));
        let (_, _, pets) = body(
            get(format!("{url}/pets?status=pending,sold"))
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(
            pets,
            json!([
                {"id": 2, "name": "Whiskers", "status": "pending", "tags": ["cat"]},
                {"id": 3, "name": "Bubbles", "status": "sold", "tags": ["fish"]},
            ])
        );

        let created = client
            .post(format!("{url}/pets"))
            .header("X-Api-Key", API_KEY)
            .json(&json!({"name": "Biscuit", "tags": ["demo"]}))
            .send()
            .await
            .expect("send");
        assert_eq!(created.headers()["location"], "/api/pets/4");
        let (status, _, pet) = body(created).await;
        assert_eq!(
            (status, pet),
            (201, json!({"id": 4, "name": "Biscuit", "tags": ["demo"]}))
        );

        let wrong_type = client
            .post(format!("{url}/pets"))
            .header("X-Api-Key", API_KEY)
            .body(r#"{"name": "x"}"#)
            .send()
            .await
            .expect("send");
        assert_eq!(wrong_type.status(), 415);

        let patch = |if_match: &'static str| {
            client
                .patch(format!("{url}/pets/4"))
                .header("X-Api-Key", API_KEY)
                .header("If-Match", if_match)
                .json(&json!({"name": "Biscuit II", "status": "sold"}))
        };
        let (status, _, pet) = body(patch("\"1\"").send().await.expect("send")).await;
        assert_eq!(
            (status, &pet["name"], &pet["status"]),
            (200, &json!("Biscuit II"), &json!("sold"))
        );
        assert_eq!(patch("\"1\"").send().await.expect("send").status(), 412);

        let form = reqwest::multipart::Form::new()
            .part(
                "photo",
                reqwest::multipart::Part::bytes(vec![1u8, 2, 3])
                    .file_name("b.png")
                    .mime_str("image/png")
                    .expect("mime"),
            )
            .text("caption", "hi");
        let (status, _, stored) = body(
            client
                .put(format!("{url}/pets/4/photo"))
                .header("X-Api-Key", API_KEY)
                .multipart(form)
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            stored,
            json!({"bytes": 3, "caption": "hi", "filename": "b.png", "contentType": "image/png"})
        );
        assert_eq!(server.store().photo_bytes(4), Some(3));

        let (status, _, order) = body(
            client
                .post(format!("{url}/store/orders"))
                .header("X-Api-Key", API_KEY)
                .form(&[("petId", "4"), ("quantity", "2"), ("metadata[gift]", "yes")])
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(status, 201);
        assert_eq!(
            order,
            json!({"id": 1, "petId": 4, "quantity": 2, "metadata": {"gift": "yes"}})
        );

        let (_, _, counts) = body(
            get(format!("{url}/store/inventory"))
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(counts, json!({"available": 1, "pending": 1, "sold": 2}));

        let delete = || {
            client
                .delete(format!("{url}/pets/4"))
                .header("X-Api-Key", API_KEY)
        };
        assert_eq!(delete().send().await.expect("send").status(), 204);
        let (status, content_type, problem) = body(delete().send().await.expect("send")).await;
        assert_eq!(
            (status, content_type.as_str()),
            (404, "application/problem+json")
        );
        assert_eq!(problem["detail"], "no pet with id 4");
        let (status, _, _) = body(get(format!("{url}/pets/abc")).send().await.expect("send")).await;
        assert_eq!(status, 400);
    })
    .await;
}
