//! End to end over Streamable HTTP on 127.0.0.1: rest-mcp as an OAuth 2.1 resource
//! server. A JWKS endpoint on 127.0.0.1 serves keys generated here (RS256 and ES256); the
//! test signs JWT access tokens with them and checks the RFC 9728 metadata, scope → role
//! mapping, and the rejection of expired tokens, foreign audiences, unknown `kid`s (after
//! one JWKS refetch), tokens without a mapped scope, and an unreachable JWKS.

mod http_common;

use std::sync::LazyLock;
use std::time::Duration;

use http_common::{
    ALL_TOOLS, Launch, Lifecycle, READ_ONLY_TOOLS, RestMcp, header, initialize_request, names,
    ok_json, tool_call_request,
};
use rest_mcp_tests::signing_keys::SigningKey;
use rest_mcp_tests::{Reply, Upstream};
use serde_json::{Value, json};

const ISSUER: &str = "https://auth.team.test";
const OTHER_AUTH_SERVER: &str = "https://login.team.test";
const WAIT: Duration = Duration::from_secs(5);

static RSA: LazyLock<SigningKey> = LazyLock::new(SigningKey::rsa);
static RSA_UNPUBLISHED: LazyLock<SigningKey> = LazyLock::new(SigningKey::rsa);
static EC: LazyLock<SigningKey> = LazyLock::new(SigningKey::ec);

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Claims for `audience` with `scope`, valid for ten minutes.
fn claims(audience: &str, scope: &str) -> Value {
    json!({
        "iss": ISSUER,
        "aud": audience,
        "sub": "alice",
        "client_id": "agent-1",
        "iat": now(),
        "exp": now() + 600,
        "scope": scope,
    })
}

fn sign(key: &SigningKey, kid: &str, claims: &Value) -> String {
    key.sign(Some(kid), claims)
}

/// A JWKS endpoint (at `/jwks`, on a recording server, so the fetches can be counted)
/// with the RSA key as `rsa-1` and the EC key as `ec-1`.
fn jwks_server() -> Upstream {
    let jwks = Upstream::start_blocking();
    jwks.respond(
        "GET",
        "/jwks",
        Reply::json(200, json!({"keys": [RSA.jwk("rsa-1"), EC.jwk("ec-1")]})),
    );
    jwks
}

/// OAuth with `mcp:read` → viewer and `mcp:write` → editor, plus one API key.
fn oauth_launch(api: &Upstream, jwks_url: &str) -> Launch {
    Launch::new(&api.url())
        .toml(&format!(
            r#"[http]
[http.oauth]
issuer = "{ISSUER}"
authorization_servers = ["{ISSUER}", "{OTHER_AUTH_SERVER}"]
jwks_url = "{jwks_url}"
scopes = {{ "mcp:read" = "viewer", "mcp:write" = "editor" }}

[[http.keys]]
name = "ops"
key = "${{OPS_KEY}}"
role = "editor"
"#
        ))
        .env("OPS_KEY", "ops-key-0123456789abcdef")
        .arg("--log-level")
        .arg("debug")
}

/// POSTs `initialize` with `Authorization: Bearer <token>`.
async fn post_token(server: &RestMcp, token: &str) -> reqwest::Response {
    server
        .post(
            &[("authorization", &format!("Bearer {token}"))],
            &initialize_request(),
        )
        .await
}

/// A tool call (what rate limits count) with a bearer token, in stateless mode.
async fn call_with_token(server: &RestMcp, token: &str) -> reqwest::Response {
    server
        .post(
            &[("authorization", &format!("Bearer {token}"))],
            &tool_call_request(),
        )
        .await
}

/// The token is refused with 401 and an `invalid_token` challenge that points at the
/// metadata (the exact URL is checked where it matters).
async fn assert_invalid_token(server: &RestMcp, token: &str, why: &str) {
    let response = post_token(server, token).await;
    assert_eq!(response.status(), 401, "{why}");
    let challenge = header(&response, "www-authenticate").expect("WWW-Authenticate");
    assert!(
        challenge.starts_with("Bearer resource_metadata=\"")
            && challenge.contains("/.well-known/oauth-protected-resource\""),
        "{why}: {challenge}"
    );
    assert!(
        challenge.contains("error=\"invalid_token\""),
        "{why}: {challenge}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protected_resource_metadata_names_servers_and_scopes() {
    let api = Upstream::start().await;
    let jwks = jwks_server();
    let server = oauth_launch(&api, &format!("{}/jwks", jwks.url()))
        .start()
        .await;
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let metadata = server.get_json(path).await;
        assert_eq!(metadata["resource"], json!(server.mcp_url()), "{path}");
        assert_eq!(
            metadata["authorization_servers"],
            json!([ISSUER, OTHER_AUTH_SERVER]),
            "{path}"
        );
        assert_eq!(
            metadata["scopes_supported"],
            json!(["mcp:read", "mcp:write"]),
            "{path}"
        );
        assert_eq!(metadata["bearer_methods_supported"], json!(["header"]));
    }
    // Without a token: 401 pointing at that document.
    let response = server.post(&[], &initialize_request()).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        header(&response, "www-authenticate").as_deref(),
        Some(&*format!(
            "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource\"",
            server.base()
        ))
    );
    assert_eq!(jwks.count(), 0, "the JWKS is fetched lazily");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_map_to_roles_for_rs256_and_es256_tokens() {
    let api = Upstream::start().await;
    let jwks = jwks_server();
    let server = oauth_launch(&api, &format!("{}/jwks", jwks.url()))
        .start()
        .await;
    let audience = server.mcp_url();

    // mcp:write → editor, RS256 and ES256, in both lifecycles.
    let rs_editor = sign(&RSA, "rsa-1", &claims(&audience, "openid mcp:write"));
    let es_editor = sign(&EC, "ec-1", &claims(&audience, "mcp:write"));
    api.respond(
        "DELETE",
        "/items/3",
        Reply::json(200, json!({"deleted": "3"})),
    );
    for (token, lifecycle) in [
        (&rs_editor, Lifecycle::Initialize),
        (&es_editor, Lifecycle::Discover),
    ] {
        let client = server.connect_with(lifecycle, Some(token), &[]).await;
        assert_eq!(
            client.tool_names().await,
            names(&ALL_TOOLS),
            "{lifecycle:?}"
        );
        let result = client.call("delete_item", json!({"id": "3"})).await;
        assert_eq!(ok_json(&result), json!({"deleted": "3"}));
        client.close().await;
    }
    assert_eq!(api.wait_for(2, WAIT).await.len(), 2);

    // mcp:read → viewer: read-only tools, and writes are forbidden.
    let viewer = sign(&RSA, "rsa-1", &claims(&audience, "mcp:read"));
    let client = server
        .connect_with(Lifecycle::Initialize, Some(&viewer), &[])
        .await;
    assert_eq!(client.tool_names().await, names(&READ_ONLY_TOOLS));
    let error = client.call_error("delete_item", json!({"id": "3"})).await;
    assert_eq!(error.code.0, -32001);
    assert_eq!(
        error.message,
        "forbidden: `delete_item` changes data; this credential is read-only"
    );
    let data = error.data.clone().expect("error data");
    assert_eq!(data["required"], json!("editor"));
    assert_eq!(data["actual"], json!("viewer"));
    client.close().await;
    assert_eq!(api.count(), 2, "the forbidden call sent nothing");

    // The API key still works next to OAuth.
    let response = server
        .post(
            &[("authorization", "Bearer ops-key-0123456789abcdef")],
            &initialize_request(),
        )
        .await;
    assert_eq!(response.status(), 200);

    // No token text in the logs.
    let stderr = server.stderr();
    for token in [&rs_editor, &es_editor, &viewer] {
        let signature = token.rsplit('.').next().expect("signature");
        assert!(
            !stderr.contains(signature),
            "a token is in stderr:\n{stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tokens_are_refused() {
    let api = Upstream::start().await;
    let jwks = jwks_server();
    let server = oauth_launch(&api, &format!("{}/jwks", jwks.url()))
        .start()
        .await;
    let audience = server.mcp_url();

    // A good token first, so the JWKS is cached.
    let good = sign(&RSA, "rsa-1", &claims(&audience, "mcp:write"));
    assert_eq!(post_token(&server, &good).await.status(), 200);
    assert_eq!(jwks.count(), 1);

    let mut expired = claims(&audience, "mcp:write");
    expired["iat"] = json!(now() - 7200);
    expired["exp"] = json!(now() - 3600);
    assert_invalid_token(&server, &sign(&RSA, "rsa-1", &expired), "expired").await;

    let mut not_yet = claims(&audience, "mcp:write");
    not_yet["nbf"] = json!(now() + 3600);
    assert_invalid_token(&server, &sign(&RSA, "rsa-1", &not_yet), "not yet valid").await;

    let elsewhere = claims("https://other.example/mcp", "mcp:write");
    assert_invalid_token(&server, &sign(&RSA, "rsa-1", &elsewhere), "wrong audience").await;

    let mut foreign_issuer = claims(&audience, "mcp:write");
    foreign_issuer["iss"] = json!("https://evil.example");
    assert_invalid_token(
        &server,
        &sign(&RSA, "rsa-1", &foreign_issuer),
        "wrong issuer",
    )
    .await;

    // Signed by a key that is not published under the kid it names.
    let forged = sign(&RSA_UNPUBLISHED, "rsa-1", &claims(&audience, "mcp:write"));
    assert_invalid_token(&server, &forged, "bad signature").await;
    assert_eq!(jwks.count(), 1, "a known kid needs no refetch");

    // An unknown kid: one refetch of the JWKS, then 401.
    let unknown = sign(&RSA_UNPUBLISHED, "rsa-2", &claims(&audience, "mcp:write"));
    assert_invalid_token(&server, &unknown, "unknown kid").await;
    assert_eq!(jwks.count(), 2, "exactly one refetch for the unknown kid");
    // Another one right after does not hammer the authorization server.
    let unknown = sign(&RSA_UNPUBLISHED, "rsa-3", &claims(&audience, "mcp:write"));
    assert_invalid_token(&server, &unknown, "another unknown kid").await;
    assert_eq!(jwks.count(), 2, "refetches are rate-limited");

    // Valid, but no scope maps to a role: 403 insufficient_scope.
    let unmapped = sign(&RSA, "rsa-1", &claims(&audience, "openid profile"));
    let response = post_token(&server, &unmapped).await;
    assert_eq!(response.status(), 403);
    let challenge = header(&response, "www-authenticate").expect("WWW-Authenticate");
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("resource_metadata="), "{challenge}");

    // Garbage is refused as well.
    assert_invalid_token(&server, "not.a.jwt", "garbage").await;

    // The good token still works after all that.
    assert_eq!(post_token(&server, &good).await.status(), 200);
    assert_eq!(api.count(), 0);
    let stderr = server.stderr();
    assert!(stderr.contains("bearer token rejected"), "{stderr}");
    for token in [&good, &forged, &unmapped] {
        let signature = token.rsplit('.').next().expect("signature");
        assert!(
            !stderr.contains(signature),
            "a token is in stderr:\n{stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_key_is_picked_up_by_the_unknown_kid_refetch() {
    let api = Upstream::start().await;
    let jwks = jwks_server();
    let server = oauth_launch(&api, &format!("{}/jwks", jwks.url()))
        .start()
        .await;
    let audience = server.mcp_url();
    let good = sign(&RSA, "rsa-1", &claims(&audience, "mcp:read"));
    assert_eq!(post_token(&server, &good).await.status(), 200);
    // The authorization server rotates in a new key.
    jwks.respond(
        "GET",
        "/jwks",
        Reply::json(
            200,
            json!({"keys": [RSA.jwk("rsa-1"), RSA_UNPUBLISHED.jwk("rsa-new")]}),
        ),
    );
    let rotated = sign(&RSA_UNPUBLISHED, "rsa-new", &claims(&audience, "mcp:read"));
    assert_eq!(post_token(&server, &rotated).await.status(), 200);
    assert_eq!(jwks.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_jwks_is_503_not_401() {
    let api = Upstream::start().await;
    let jwks = jwks_server();
    let jwks_url = format!("{}/jwks", jwks.url());
    let server = oauth_launch(&api, &jwks_url).start().await;
    // The authorization server goes away before any token was checked.
    jwks.shutdown().await;
    let token = sign(&RSA, "rsa-1", &claims(&server.mcp_url(), "mcp:write"));
    let response = post_token(&server, &token).await;
    assert_eq!(response.status(), 503);
    assert_eq!(
        header(&response, "retry-after").as_deref(),
        Some("5"),
        "a short, fixed back-off while the keys are unavailable"
    );
    assert_eq!(
        header(&response, "www-authenticate"),
        None,
        "the client must not discard its token"
    );
    // API keys keep working meanwhile.
    let response = server
        .post(
            &[("authorization", "Bearer ops-key-0123456789abcdef")],
            &initialize_request(),
        )
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_url_is_the_resource_and_the_default_audience() {
    let api = Upstream::start().await;
    let jwks = jwks_server();
    let server = oauth_launch(&api, &format!("{}/jwks", jwks.url()))
        .arg("--public-url")
        .arg("https://mcp.team.test")
        .start()
        .await;
    let metadata = server
        .get_json("/.well-known/oauth-protected-resource")
        .await;
    assert_eq!(metadata["resource"], json!("https://mcp.team.test/mcp"));
    let response = server.post(&[], &initialize_request()).await;
    assert_eq!(
        header(&response, "www-authenticate").as_deref(),
        Some(
            "Bearer resource_metadata=\"https://mcp.team.test/.well-known/oauth-protected-resource\""
        )
    );
    let public = sign(
        &RSA,
        "rsa-1",
        &claims("https://mcp.team.test/mcp", "mcp:read"),
    );
    assert_eq!(post_token(&server, &public).await.status(), 200);
    let local = sign(&RSA, "rsa-1", &claims(&server.mcp_url(), "mcp:read"));
    assert_invalid_token(&server, &local, "the listening address is not the audience").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_subjects_are_rate_limited() {
    let api = Upstream::start().await;
    let jwks = jwks_server();
    let server = Launch::new(&api.url())
        .toml(&format!(
            r#"[http]
stateless = true
[http.oauth]
issuer = "{ISSUER}"
jwks_url = "{}/jwks"
scopes = {{ "mcp:read" = "viewer" }}
requests_per_minute = 2
"#,
            jwks.url()
        ))
        .start()
        .await;
    let audience = server.mcp_url();
    let alice = sign(&RSA, "rsa-1", &claims(&audience, "mcp:read"));
    let mut alice_again = claims(&audience, "mcp:read");
    alice_again["jti"] = json!("second-token");
    let alice_again = sign(&EC, "ec-1", &alice_again);
    let mut bob = claims(&audience, "mcp:read");
    bob["sub"] = json!("bob");
    let bob = sign(&RSA, "rsa-1", &bob);
    let first = std::time::Instant::now();
    assert_eq!(call_with_token(&server, &alice).await.status(), 200);
    assert_eq!(call_with_token(&server, &alice_again).await.status(), 200);
    let limited = call_with_token(&server, &alice).await;
    assert_eq!(
        limited.status(),
        429,
        "a third request by alice within a minute"
    );
    let retry_after: u64 = header(&limited, "retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    // 2 a minute refill one every 30 s: the next request is that far from the burst's
    // start, rounded up.
    let spent = first.elapsed().as_secs() + 1;
    assert!(
        (30u64.saturating_sub(spent)..=30).contains(&retry_after),
        "Retry-After: {retry_after} ({spent} s since the first request)"
    );
    assert_eq!(
        call_with_token(&server, &alice_again).await.status(),
        429,
        "the limit follows the subject, not the token"
    );
    assert_eq!(call_with_token(&server, &bob).await.status(), 200);
}
