#![allow(clippy::unwrap_used)]
use super::oauth::{MAX_LIFETIME_SECS, MAX_REFRESH_MARGIN, OAuthClient, parse_expires_in};
use super::static_credentials::Kind;
use super::*;
use crate::request::PreparedRequest;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::Url;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

const SECRET: &str = "s3cr3t+/=~ value";

// ---- a recording token endpoint ----

#[derive(Clone, Debug, Default)]
struct Seen {
    grant_type: Option<String>,
    scope: Option<String>,
    audience: Option<String>,
    /// "basic", "body" or "none".
    method: String,
    client_id: Option<String>,
    client_secret: Option<String>,
}

struct Endpoint {
    count: AtomicUsize,
    seen: StdMutex<Vec<Seen>>,
    /// `expires_in` to issue (`None`: omitted).
    expires_in: StdMutex<Option<u64>>,
    /// When set, answer with this status and body instead of a token.
    failure: StdMutex<Option<(StatusCode, String)>>,
    delay: StdMutex<Duration>,
}

impl Endpoint {
    fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
    fn last(&self) -> Seen {
        self.seen.lock().unwrap().last().cloned().unwrap()
    }
    fn fail(&self, status: StatusCode, body: &str) {
        *self.failure.lock().unwrap() = Some((status, body.to_owned()));
    }
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(&text.replace('+', " "))
        .decode_utf8()
        .unwrap()
        .into_owned()
}

async fn token_handler(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let n = endpoint.count.fetch_add(1, Ordering::SeqCst) + 1;
    let form: HashMap<String, String> = body
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect();
    let mut seen = Seen {
        grant_type: form.get("grant_type").cloned(),
        scope: form.get("scope").cloned(),
        audience: form.get("audience").cloned(),
        method: "none".to_owned(),
        ..Seen::default()
    };
    if let Some(auth) = headers.get("authorization") {
        let encoded = auth.to_str().unwrap().strip_prefix("Basic ").unwrap();
        let decoded = String::from_utf8(BASE64.decode(encoded).unwrap()).unwrap();
        let (id, secret) = decoded.split_once(':').unwrap();
        seen.method = "basic".to_owned();
        seen.client_id = Some(decode(id));
        seen.client_secret = Some(decode(secret));
    } else if form.contains_key("client_secret") {
        seen.method = "body".to_owned();
        seen.client_id = form.get("client_id").cloned();
        seen.client_secret = form.get("client_secret").cloned();
    }
    endpoint.seen.lock().unwrap().push(seen);
    let delay = *endpoint.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some((status, body)) = endpoint.failure.lock().unwrap().clone() {
        return (status, body);
    }
    let mut answer = serde_json::json!({
        "access_token": format!("tok-{n}"),
        "token_type": "Bearer",
    });
    if let Some(expires_in) = *endpoint.expires_in.lock().unwrap() {
        answer["expires_in"] = expires_in.into();
    }
    (StatusCode::OK, answer.to_string())
}

async fn spawn_endpoint(expires_in: Option<u64>) -> (String, Arc<Endpoint>) {
    let endpoint = Arc::new(Endpoint {
        count: AtomicUsize::new(0),
        seen: StdMutex::new(Vec::new()),
        expires_in: StdMutex::new(expires_in),
        failure: StdMutex::new(None),
        delay: StdMutex::new(Duration::ZERO),
    });
    let app = Router::new()
        .route("/token", post(token_handler))
        .route(
            "/huge",
            post(|| async { (StatusCode::OK, "x".repeat(100 * 1024)) }),
        )
        .with_state(endpoint.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/token"), endpoint)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn oauth_config(token_url: &str, client_auth: ClientAuth) -> AuthConfig {
    AuthConfig::Oauth2Cc {
        token_url: token_url.to_owned(),
        client_id: "my:client id".to_owned(),
        client_secret: SECRET.to_owned(),
        scopes: vec!["read".to_owned(), "write".to_owned()],
        audience: Some("https://api.example.com".to_owned()),
        client_auth,
    }
}

fn oauth(token_url: &str) -> UpstreamAuth {
    UpstreamAuth::new(oauth_config(token_url, ClientAuth::Basic), client()).unwrap()
}

fn request() -> PreparedRequest {
    PreparedRequest {
        method: reqwest::Method::GET,
        url: Url::parse("http://127.0.0.1:1/x").unwrap(),
        headers: Vec::new(),
        cookies: Vec::new(),
        body: None,
    }
}

fn header<'a>(request: &'a PreparedRequest, name: &str) -> Option<&'a HeaderValue> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.as_str() == name)
        .map(|(_, v)| v)
}

async fn bearer_of(auth: &UpstreamAuth) -> String {
    let mut req = request();
    auth.apply(&mut req).await.unwrap();
    let value = header(&req, "authorization").unwrap();
    assert!(value.is_sensitive());
    value.to_str().unwrap().to_owned()
}

// ---- static credentials ----

#[tokio::test]
async fn none_leaves_the_request_alone() {
    let auth = UpstreamAuth::none();
    let mut req = request();
    auth.apply(&mut req).await.unwrap();
    assert_eq!(req, request());
    assert!(!auth.invalidate());
    assert!(auth.secrets().is_empty());
    assert_eq!(auth.describe(), "none");
}

#[tokio::test]
async fn bearer_sets_a_sensitive_authorization_header() {
    let auth = UpstreamAuth::new(
        AuthConfig::Bearer {
            token: "abc123".into(),
        },
        client(),
    )
    .unwrap();
    let mut req = request();
    req.set_header(AUTHORIZATION, HeaderValue::from_static("Bearer old"));
    auth.apply(&mut req).await.unwrap();
    assert_eq!(req.headers.len(), 1, "replaces an existing Authorization");
    let value = header(&req, "authorization").unwrap();
    assert_eq!(value, "Bearer abc123");
    assert!(value.is_sensitive());
    assert!(!auth.invalidate());
    assert_eq!(auth.secrets(), vec!["abc123".to_owned()]);
    assert!(!auth.describe().contains("abc123"));
}

#[tokio::test]
async fn apikey_header_sets_the_named_header() {
    let auth = UpstreamAuth::new(
        AuthConfig::ApikeyHeader {
            key: "X-API-Key".into(),
            value: "key-123".into(),
        },
        client(),
    )
    .unwrap();
    let mut req = request();
    auth.apply(&mut req).await.unwrap();
    let value = header(&req, "x-api-key").unwrap();
    assert_eq!(value, "key-123");
    assert!(value.is_sensitive());
    assert_eq!(auth.describe(), "api key in header x-api-key");
    assert!(auth.secrets().contains(&"key-123".to_owned()));
}

#[tokio::test]
async fn apikey_query_appends_a_parameter() {
    let auth = UpstreamAuth::new(
        AuthConfig::ApikeyQuery {
            key: "api_key".into(),
            value: "k&y 1".into(),
        },
        client(),
    )
    .unwrap();
    let mut req = request();
    req.append_query("page", "2");
    auth.apply(&mut req).await.unwrap();
    assert_eq!(req.url.query(), Some("page=2&api_key=k%26y+1"));
    let secrets = auth.secrets();
    assert!(secrets.contains(&"k&y 1".to_owned()));
    assert!(secrets.contains(&"k%26y+1".to_owned()));
    assert!(!auth.describe().contains("k&y"));
}

#[tokio::test]
async fn apikey_cookie_pushes_an_encoded_cookie() {
    let auth = UpstreamAuth::new(
        AuthConfig::ApikeyCookie {
            key: "session".into(),
            value: "a b;c".into(),
        },
        client(),
    )
    .unwrap();
    let mut req = request();
    req.cookies.push(("theme".into(), "dark".into()));
    req.cookies.push(("session".into(), "stale".into()));
    auth.apply(&mut req).await.unwrap();
    assert_eq!(
        req.cookies,
        vec![
            ("theme".to_owned(), "dark".to_owned()),
            ("session".to_owned(), "a%20b%3Bc".to_owned())
        ]
    );
    // A value that is already a valid cookie value is sent verbatim.
    let plain = UpstreamAuth::new(
        AuthConfig::ApikeyCookie {
            key: "sid".into(),
            value: "abc%2F=def".into(),
        },
        client(),
    )
    .unwrap();
    let mut req = request();
    plain.apply(&mut req).await.unwrap();
    assert_eq!(
        req.cookies,
        vec![("sid".to_owned(), "abc%2F=def".to_owned())]
    );
}

#[tokio::test]
async fn basic_sets_base64_credentials() {
    let auth = UpstreamAuth::new(
        AuthConfig::Basic {
            username: "alice".into(),
            password: "pa ss".into(),
        },
        client(),
    )
    .unwrap();
    let mut req = request();
    auth.apply(&mut req).await.unwrap();
    let value = header(&req, "authorization").unwrap();
    assert_eq!(value, &format!("Basic {}", BASE64.encode("alice:pa ss")));
    assert!(value.is_sensitive());
    assert_eq!(auth.describe(), "basic (username=alice)");
    let secrets = auth.secrets();
    assert!(secrets.contains(&"pa ss".to_owned()));
    assert!(secrets.contains(&BASE64.encode("alice:pa ss")));
}

#[test]
fn invalid_static_configs_are_rejected_without_leaking() {
    let cases = [
        AuthConfig::Bearer {
            token: "SEKRIT\r\nX-Evil: 1".into(),
        },
        AuthConfig::Bearer {
            token: "SEKRIT\n".into(),
        },
        AuthConfig::Bearer { token: "".into() },
        AuthConfig::Bearer {
            token: "SEKRIT\u{7f}".into(),
        },
        AuthConfig::ApikeyHeader {
            key: "X Bad".into(),
            value: "v".into(),
        },
        AuthConfig::ApikeyHeader {
            key: "X-Key".into(),
            value: "SEKRIT\r".into(),
        },
        AuthConfig::ApikeyQuery {
            key: "".into(),
            value: "v".into(),
        },
        AuthConfig::ApikeyCookie {
            key: "a=b".into(),
            value: "v".into(),
        },
        AuthConfig::Basic {
            username: "a:b".into(),
            password: "p".into(),
        },
        AuthConfig::Basic {
            username: "a".into(),
            password: "SEKRIT\n".into(),
        },
    ];
    for config in cases {
        let error = UpstreamAuth::new(config.clone(), client()).unwrap_err();
        let text = error.to_string();
        assert!(!text.is_empty());
        assert!(!text.contains("SEKRIT") && !text.contains('\n'), "{text}");
    }
    let error = UpstreamAuth::new(
        AuthConfig::Bearer {
            token: "SEKRIT\r\nX".into(),
        },
        client(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("line break"), "{error}");
}

#[test]
fn invalid_oauth_configs_are_rejected() {
    for url in [
        "ftp://auth.example.com/token",
        "not a url",
        "https://user:pw@auth.example.com/token",
        "file:///etc/passwd",
    ] {
        let error = UpstreamAuth::new(oauth_config(url, ClientAuth::Basic), client()).unwrap_err();
        assert!(error.to_string().contains("auth.token_url"), "{error}");
        assert!(!error.to_string().contains("pw@"), "{error}");
    }
    let mut config = oauth_config("https://auth.example.com/token", ClientAuth::Body);
    if let AuthConfig::Oauth2Cc { client_secret, .. } = &mut config {
        *client_secret = format!("{SECRET}\n");
    }
    let error = UpstreamAuth::new(config, client()).unwrap_err();
    assert!(error.to_string().contains("auth.client_secret"));
    assert!(!error.to_string().contains(SECRET));
}

// ---- config parsing and redaction ----

#[test]
fn config_parses_from_toml() {
    let config: AuthConfig = toml::from_str(
        r#"
            type = "oauth2_cc"
            token_url = "https://auth.example.com/token"
            client_id = "abc"
            client_secret = "xyz"
            scopes = ["read", "write"]
            "#,
    )
    .unwrap();
    assert_eq!(
        config,
        AuthConfig::Oauth2Cc {
            token_url: "https://auth.example.com/token".into(),
            client_id: "abc".into(),
            client_secret: "xyz".into(),
            scopes: vec!["read".into(), "write".into()],
            audience: None,
            client_auth: ClientAuth::Basic,
        }
    );
    let config: AuthConfig = toml::from_str(
            "type = \"oauth2_cc\"\ntoken_url = \"https://a/t\"\nclient_id = \"a\"\nclient_secret = \"b\"\nclient_auth = \"client_secret_post\"",
        )
        .unwrap();
    assert!(matches!(
        config,
        AuthConfig::Oauth2Cc {
            client_auth: ClientAuth::Body,
            ..
        }
    ));
    let config: AuthConfig =
        toml::from_str("type = \"apikey_query\"\nkey = \"api_key\"\nvalue = \"v\"").unwrap();
    assert!(matches!(config, AuthConfig::ApikeyQuery { .. }));
    assert!(toml::from_str::<AuthConfig>("type = \"bearer\"\ntoken = \"t\"\nextra = 1").is_err());
    assert!(toml::from_str::<AuthConfig>("type = \"digest\"\ntoken = \"t\"").is_err());
}

#[test]
fn debug_and_describe_never_show_secrets() {
    let configs = [
        AuthConfig::Bearer {
            token: SECRET.into(),
        },
        AuthConfig::ApikeyHeader {
            key: "X-Key".into(),
            value: SECRET.into(),
        },
        AuthConfig::ApikeyQuery {
            key: "k".into(),
            value: SECRET.into(),
        },
        AuthConfig::ApikeyCookie {
            key: "k".into(),
            value: SECRET.into(),
        },
        AuthConfig::Basic {
            username: "u".into(),
            password: SECRET.into(),
        },
        oauth_config("https://auth.example.com/token?x=1", ClientAuth::Basic),
    ];
    for config in configs {
        let debug = format!("{config:?} {config:#?}");
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("[REDACTED]"), "{debug}");
        let auth = UpstreamAuth::new(config, client()).unwrap();
        let describe = format!("{} {auth:?}", auth.describe());
        assert!(!describe.contains("s3cr3t"), "{describe}");
        assert!(auth.secrets().iter().any(|s| s.contains("s3cr3t")));
    }
    let auth = oauth("https://auth.example.com/token?x=1");
    assert_eq!(
        auth.describe(),
        "oauth2 client credentials (client_id=my:client id, token_url=https://auth.example.com/token, client_auth=basic, scopes=read write)"
    );
}

#[test]
fn expires_in_parsing() {
    use serde_json::json;
    assert_eq!(
        parse_expires_in(Some(&json!(3600))),
        Some(Duration::from_secs(3600))
    );
    assert_eq!(
        parse_expires_in(Some(&json!("120"))),
        Some(Duration::from_secs(120))
    );
    assert_eq!(
        parse_expires_in(Some(&json!(1.5))),
        Some(Duration::from_millis(1500))
    );
    assert_eq!(parse_expires_in(Some(&json!(-5))), Some(Duration::ZERO));
    assert_eq!(
        parse_expires_in(Some(&json!(1e300))),
        Some(Duration::from_secs_f64(MAX_LIFETIME_SECS))
    );
    assert_eq!(parse_expires_in(Some(&json!(null))), None);
    assert_eq!(parse_expires_in(Some(&json!("soon"))), None);
    assert_eq!(parse_expires_in(None), None);
}

// ---- OAuth2 client credentials ----

#[tokio::test]
async fn basic_client_auth_reaches_the_token_endpoint() {
    let (url, endpoint) = spawn_endpoint(Some(3600)).await;
    let auth = oauth(&url);
    assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
    let seen = endpoint.last();
    assert_eq!(seen.grant_type.as_deref(), Some("client_credentials"));
    assert_eq!(seen.scope.as_deref(), Some("read write"));
    assert_eq!(seen.audience.as_deref(), Some("https://api.example.com"));
    assert_eq!(seen.method, "basic");
    assert_eq!(seen.client_id.as_deref(), Some("my:client id"));
    assert_eq!(seen.client_secret.as_deref(), Some(SECRET));
}

#[tokio::test]
async fn body_client_auth_reaches_the_token_endpoint() {
    let (url, endpoint) = spawn_endpoint(Some(3600)).await;
    let config = AuthConfig::Oauth2Cc {
        token_url: url,
        client_id: "cid".into(),
        client_secret: SECRET.into(),
        scopes: Vec::new(),
        audience: None,
        client_auth: ClientAuth::Body,
    };
    let auth = UpstreamAuth::new(config, client()).unwrap();
    assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
    let seen = endpoint.last();
    assert_eq!(seen.grant_type.as_deref(), Some("client_credentials"));
    assert_eq!(seen.scope, None);
    assert_eq!(seen.audience, None);
    assert_eq!(seen.method, "body");
    assert_eq!(seen.client_id.as_deref(), Some("cid"));
    assert_eq!(seen.client_secret.as_deref(), Some(SECRET));
}

#[tokio::test]
async fn the_token_is_cached() {
    let (url, endpoint) = spawn_endpoint(Some(3600)).await;
    let auth = oauth(&url);
    assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
    assert_eq!(bearer_of(&auth.clone()).await, "Bearer tok-1");
    assert_eq!(endpoint.count(), 1);
}

#[tokio::test]
async fn a_token_without_expiry_is_kept_until_invalidated() {
    let (url, endpoint) = spawn_endpoint(None).await;
    let auth = oauth(&url);
    assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
    assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
    assert_eq!(endpoint.count(), 1);
    assert!(auth.invalidate());
    assert_eq!(bearer_of(&auth).await, "Bearer tok-2");
    assert_eq!(endpoint.count(), 2);
}

/// The OAuth client behind `auth`.
fn oauth_client(auth: &UpstreamAuth) -> &OAuthClient {
    match &auth.inner.kind {
        Kind::OAuth(client) => client,
        _ => panic!("not oauth"),
    }
}

/// (refresh_at, expires_at) of the cached token.
fn token_times(auth: &UpstreamAuth) -> (Instant, Instant) {
    let state = oauth_client(auth).state();
    let token = state.token.as_ref().expect("a cached token");
    (
        token.refresh_at.expect("refresh_at"),
        token.expires_at.expect("expires_at"),
    )
}

#[tokio::test]
async fn the_token_is_refreshed_before_it_expires() {
    // The refresh window is the last 10 % of the lifetime, at most 60 s. Time is moved
    // by editing the cached token's instants, never by sleeping.
    let (url, endpoint) = spawn_endpoint(Some(100)).await;
    let auth = oauth(&url);
    assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
    let (refresh_at, expires_at) = token_times(&auth);
    assert_eq!(
        expires_at - refresh_at,
        Duration::from_secs(10),
        "10 % of 100 s"
    );
    assert_eq!(bearer_of(&auth).await, "Bearer tok-1", "fresh: cached");
    assert_eq!(endpoint.count(), 1);

    // Inside the refresh window: still valid, but a new token is fetched.
    {
        let mut state = oauth_client(&auth).state();
        let token = state.token.as_mut().expect("a cached token");
        token.refresh_at = Some(Instant::now());
        token.expires_at = Some(Instant::now() + Duration::from_secs(10));
    }
    assert_eq!(bearer_of(&auth).await, "Bearer tok-2");
    assert_eq!(endpoint.count(), 2);

    // A long lifetime: the window is capped at 60 s.
    *endpoint.expires_in.lock().unwrap() = Some(3600);
    assert!(auth.invalidate());
    assert_eq!(bearer_of(&auth).await, "Bearer tok-3");
    let (refresh_at, expires_at) = token_times(&auth);
    assert_eq!(expires_at - refresh_at, MAX_REFRESH_MARGIN);
}

#[tokio::test]
async fn a_failed_refresh_keeps_using_a_still_valid_token() {
    let (url, endpoint) = spawn_endpoint(Some(3600)).await;
    let auth = oauth(&url);
    assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
    let client = oauth_client(&auth);
    client.state().token.as_mut().unwrap().refresh_at = Some(Instant::now());
    endpoint.fail(StatusCode::SERVICE_UNAVAILABLE, "down");
    assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
    assert_eq!(endpoint.count(), 2);
    // Once it has expired, the failure surfaces.
    client.state().token.as_mut().unwrap().expires_at = Some(Instant::now());
    let error = auth.apply(&mut request()).await.unwrap_err();
    assert!(error.to_string().contains("answered 503"), "{error}");
}

/// Spawns `count` tasks running `apply` while the single-flight gate is held, so every
/// one of them has looked at the cache before the first fetch starts (on the
/// current-thread runtime a spawned task runs up to the gate when the test yields).
async fn applies_behind_the_gate(
    auth: &UpstreamAuth,
    count: usize,
) -> Vec<tokio::task::JoinHandle<Result<String, AuthError>>> {
    let held = oauth_client(auth).fetch_gate.lock().await;
    let tasks: Vec<_> = (0..count)
        .map(|_| {
            let auth = auth.clone();
            tokio::spawn(async move {
                let mut req = request();
                auth.apply(&mut req).await?;
                Ok(header(&req, "authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned())
            })
        })
        .collect();
    for _ in 0..count {
        tokio::task::yield_now().await;
    }
    drop(held);
    tasks
}

#[tokio::test]
async fn concurrent_applies_share_one_fetch() {
    let (url, endpoint) = spawn_endpoint(Some(3600)).await;
    let auth = oauth(&url);
    for task in applies_behind_the_gate(&auth, 20).await {
        assert_eq!(task.await.unwrap().unwrap(), "Bearer tok-1");
    }
    assert_eq!(endpoint.count(), 1);
}

#[tokio::test]
async fn concurrent_applies_share_one_failure() {
    let (url, endpoint) = spawn_endpoint(Some(3600)).await;
    endpoint.fail(StatusCode::UNAUTHORIZED, r#"{"error":"invalid_client"}"#);
    let auth = oauth(&url);
    for task in applies_behind_the_gate(&auth, 10).await {
        let error = task.await.unwrap().unwrap_err();
        assert!(error.to_string().contains("invalid_client"), "{error}");
    }
    assert_eq!(endpoint.count(), 1);
    // A later call tries again.
    assert!(auth.apply(&mut request()).await.is_err());
    assert_eq!(endpoint.count(), 2);
}

#[tokio::test]
async fn invalidate_forces_a_new_token() {
    let (url, endpoint) = spawn_endpoint(Some(3600)).await;
    let auth = oauth(&url);
    assert_eq!(bearer_of(&auth).await, "Bearer tok-1");
    assert!(auth.invalidate());
    assert_eq!(bearer_of(&auth).await, "Bearer tok-2");
    assert_eq!(endpoint.count(), 2);
}

#[tokio::test]
async fn token_endpoint_401_names_the_oauth_error_but_not_the_secret() {
    let (url, endpoint) = spawn_endpoint(Some(3600)).await;
    endpoint.fail(
        StatusCode::UNAUTHORIZED,
        &format!(r#"{{"error":"invalid_client","error_description":"bad secret {SECRET}"}}"#),
    );
    let auth = oauth(&url);
    let error = auth.apply(&mut request()).await.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("invalid_client"), "{text}");
    assert!(text.contains("answered 401"), "{text}");
    assert!(text.contains(&url), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!format!("{error:?}").contains(SECRET));
}

#[tokio::test]
async fn malformed_token_responses_are_errors() {
    let (url, endpoint) = spawn_endpoint(Some(3600)).await;
    let auth = oauth(&url);
    endpoint.fail(StatusCode::OK, "<html>not json</html>");
    let error = auth.apply(&mut request()).await.unwrap_err();
    assert!(error.to_string().contains("not a JSON object"), "{error}");
    endpoint.fail(StatusCode::OK, r#"{"token_type":"Bearer"}"#);
    let error = auth.apply(&mut request()).await.unwrap_err();
    assert!(
        error.to_string().contains("without an access_token"),
        "{error}"
    );
    endpoint.fail(StatusCode::OK, r#"{"access_token":"a\nb"}"#);
    let error = auth.apply(&mut request()).await.unwrap_err();
    assert!(error.to_string().contains("cannot be sent"), "{error}");
    endpoint.fail(StatusCode::INTERNAL_SERVER_ERROR, "oops");
    let error = auth.apply(&mut request()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("token endpoint {url} answered 500")
    );
}

#[tokio::test]
async fn oversized_token_responses_are_rejected() {
    let (url, _endpoint) = spawn_endpoint(Some(3600)).await;
    let auth = oauth(&url.replace("/token", "/huge"));
    let error = auth.apply(&mut request()).await.unwrap_err();
    assert!(error.to_string().contains("larger than 64 KiB"), "{error}");
}

#[tokio::test]
async fn a_slow_token_endpoint_times_out() {
    let (url, endpoint) = spawn_endpoint(Some(3600)).await;
    *endpoint.delay.lock().unwrap() = Duration::from_secs(5);
    let auth = UpstreamAuth::with_token_timeout(
        oauth_config(&url, ClientAuth::Basic),
        client(),
        Duration::from_millis(200),
    )
    .unwrap();
    let error = auth.apply(&mut request()).await.unwrap_err();
    assert!(error.to_string().contains("did not answer"), "{error}");
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_an_error() {
    // Bind then drop a listener so the port is (almost certainly) closed.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let auth = oauth(&format!("http://{address}/token?tenant=x"));
    let error = auth.apply(&mut request()).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("token request to http://{address}/token failed")),
        "{text}"
    );
    assert!(!text.contains("tenant"), "{text}");
}

#[tokio::test]
async fn secrets_include_the_client_secret_and_the_current_token() {
    let (url, _endpoint) = spawn_endpoint(Some(3600)).await;
    let auth = oauth(&url);
    assert!(auth.secrets().contains(&SECRET.to_owned()));
    assert!(!auth.secrets().contains(&"tok-1".to_owned()));
    bearer_of(&auth).await;
    let secrets = auth.secrets();
    assert!(secrets.contains(&SECRET.to_owned()));
    assert!(secrets.contains(&"tok-1".to_owned()));
    assert!(secrets.iter().all(|s| !s.is_empty()));
    assert!(!auth.describe().contains("tok-1"));
}
