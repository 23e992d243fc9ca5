#![allow(clippy::unwrap_used)]
use super::error::quoted;
use super::jwks::{MAX_JWKS_BYTES, Timing};
use super::jwt::MAX_TOKEN_BYTES;
use super::*;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rest_mcp_tests::signing_keys::{SigningKey, base64url};
use serde_json::{Value, json};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

const ISSUER: &str = "https://issuer.example";
const RESOURCE: &str = "https://mcp.example/mcp";

static RSA_A: LazyLock<SigningKey> = LazyLock::new(SigningKey::rsa);
static RSA_B: LazyLock<SigningKey> = LazyLock::new(SigningKey::rsa);
static RSA_OTHER: LazyLock<SigningKey> = LazyLock::new(SigningKey::rsa);
static EC_A: LazyLock<SigningKey> = LazyLock::new(SigningKey::ec);

fn b64(bytes: &[u8]) -> String {
    base64url(bytes)
}

/// A JWKS endpoint on 127.0.0.1 that counts its requests and serves what the test says.
struct Jwks {
    hits: AtomicUsize,
    body: Mutex<String>,
    status: Mutex<StatusCode>,
    delay: Duration,
    url: Mutex<String>,
}

impl Jwks {
    async fn start(keys: Vec<Value>) -> Arc<Jwks> {
        Self::start_with_delay(keys, Duration::ZERO).await
    }

    async fn start_with_delay(keys: Vec<Value>, delay: Duration) -> Arc<Jwks> {
        let jwks = Arc::new(Jwks {
            hits: AtomicUsize::new(0),
            body: Mutex::new(String::new()),
            status: Mutex::new(StatusCode::OK),
            delay,
            url: Mutex::new(String::new()),
        });
        jwks.set_keys(keys);
        let app = Router::new()
            .route("/jwks", get(serve))
            .with_state(jwks.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        *jwks.url.lock().unwrap() = format!("http://{address}/jwks");
        tokio::spawn(async move { axum::serve(listener, app).await });
        jwks
    }

    fn url(&self) -> String {
        self.url.lock().unwrap().clone()
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn set_keys(&self, keys: Vec<Value>) {
        self.set_body(json!({ "keys": keys }).to_string());
    }

    fn set_body(&self, body: String) {
        *self.body.lock().unwrap() = body;
    }

    fn set_status(&self, status: StatusCode) {
        *self.status.lock().unwrap() = status;
    }
}

async fn serve(State(jwks): State<Arc<Jwks>>) -> (StatusCode, String) {
    jwks.hits.fetch_add(1, Ordering::SeqCst);
    if !jwks.delay.is_zero() {
        tokio::time::sleep(jwks.delay).await;
    }
    let status = *jwks.status.lock().unwrap();
    let body = jwks.body.lock().unwrap().clone();
    (status, body)
}

fn config(jwks_url: &str) -> OAuthConfig {
    OAuthConfig {
        issuer: ISSUER.to_owned(),
        authorization_servers: Vec::new(),
        audience: None,
        jwks_url: jwks_url.to_owned(),
        scopes: BTreeMap::from([
            ("mcp:read".to_owned(), "viewer".to_owned()),
            ("mcp:write".to_owned(), "editor".to_owned()),
        ]),
        leeway_seconds: 60,
        requests_per_minute: None,
    }
}

/// Only ever talks to 127.0.0.1: no proxy from the environment.
fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn validator(jwks: &Jwks) -> JwtValidator {
    JwtValidator::new(config(&jwks.url()), RESOURCE.to_owned(), client()).unwrap()
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "aud": RESOURCE,
        "sub": "alice",
        "client_id": "cli-1",
        "iat": now(),
        "exp": now() + 600,
        "scope": "mcp:read mcp:write other",
    })
}

fn sign(key: &SigningKey, kid: Option<&str>, claims: &Value) -> String {
    key.sign(kid, claims)
}

/// A token with an arbitrary header and payload, signed with `key`.
fn sign_raw(key: &SigningKey, header: &Value, payload: &[u8]) -> String {
    let message = format!("{}.{}", b64(header.to_string().as_bytes()), b64(payload));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key.encoding, key.alg).unwrap();
    format!("{message}.{signature}")
}

async fn rejected(validator: &JwtValidator, token: &str) -> TokenError {
    let error = validator.validate(token).await.unwrap_err();
    if !token.is_empty() {
        assert!(!error.to_string().contains(token), "{error}");
        assert!(!format!("{error:?}").contains(token), "{error:?}");
    }
    error
}

#[tokio::test]
async fn valid_rs256_token_maps_scopes_to_roles() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a"), EC_A.jwk("e")]).await;
    let validator = validator(&jwks);
    let token = sign(&RSA_A, Some("a"), &claims());
    let verified = validator.validate(&token).await.unwrap();
    assert_eq!(
        verified,
        VerifiedToken {
            subject: Some("alice".to_owned()),
            client_id: Some("cli-1".to_owned()),
            scopes: vec!["mcp:read".into(), "mcp:write".into(), "other".into()],
            roles: vec!["viewer".into(), "editor".into()],
        }
    );
    // Cached: a second token costs no fetch.
    validator.validate(&token).await.unwrap();
    assert_eq!(jwks.hits(), 1);
}

#[tokio::test]
async fn valid_es256_token_with_scp_array_and_azp() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a"), EC_A.jwk("e")]).await;
    let validator = validator(&jwks);
    let mut claims = claims();
    let object = claims.as_object_mut().unwrap();
    object.remove("scope");
    object.remove("client_id");
    object.insert("scp".into(), json!(["mcp:read", "mcp:read", "profile"]));
    object.insert("azp".into(), json!("web-app"));
    object.insert("aud".into(), json!(["https://other.example", RESOURCE]));
    let verified = validator
        .validate(&sign(&EC_A, Some("e"), &claims))
        .await
        .unwrap();
    assert_eq!(verified.client_id.as_deref(), Some("web-app"));
    assert_eq!(verified.scopes, vec!["mcp:read", "profile"]);
    assert_eq!(verified.roles, vec!["viewer"]);

    // `scp` as a space-separated string; no scopes at all is valid too (no roles).
    claims["scp"] = json!("mcp:write");
    let verified = validator
        .validate(&sign(&EC_A, Some("e"), &claims))
        .await
        .unwrap();
    assert_eq!(verified.roles, vec!["editor"]);
    claims.as_object_mut().unwrap().remove("scp");
    let verified = validator
        .validate(&sign(&EC_A, Some("e"), &claims))
        .await
        .unwrap();
    assert!(verified.scopes.is_empty() && verified.roles.is_empty());
}

#[tokio::test]
async fn tokens_without_kid_try_every_key_of_their_algorithm() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a"), EC_A.jwk("e"), RSA_B.jwk("b")]).await;
    let validator = validator(&jwks);
    validator
        .validate(&sign(&RSA_B, None, &claims()))
        .await
        .unwrap();
    validator
        .validate(&sign(&EC_A, None, &claims()))
        .await
        .unwrap();
    let error = rejected(&validator, &sign(&RSA_OTHER, None, &claims())).await;
    assert_eq!(error.kind, TokenErrorKind::BadSignature);
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_rejected_beyond_the_leeway() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
    let validator = validator(&jwks);

    let mut expired = claims();
    expired["exp"] = json!(now() - 3600);
    let error = rejected(&validator, &sign(&RSA_A, Some("a"), &expired)).await;
    assert_eq!(error.kind, TokenErrorKind::Expired);

    let mut within_leeway = claims();
    within_leeway["exp"] = json!(now() - 30);
    validator
        .validate(&sign(&RSA_A, Some("a"), &within_leeway))
        .await
        .unwrap();

    let mut early = claims();
    early["nbf"] = json!(now() + 3600);
    let error = rejected(&validator, &sign(&RSA_A, Some("a"), &early)).await;
    assert_eq!(error.kind, TokenErrorKind::NotYetValid);

    let mut almost = claims();
    almost["nbf"] = json!(now() + 30);
    validator
        .validate(&sign(&RSA_A, Some("a"), &almost))
        .await
        .unwrap();

    let mut no_exp = claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    let error = rejected(&validator, &sign(&RSA_A, Some("a"), &no_exp)).await;
    assert_eq!(error.kind, TokenErrorKind::Malformed);
}

#[tokio::test]
async fn wrong_or_missing_audience_is_rejected() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
    let validator = validator(&jwks);
    for audience in [
        json!("https://other.example/mcp"),
        json!(["https://other.example/mcp"]),
        json!([]),
        json!(42),
    ] {
        let mut claims = claims();
        claims["aud"] = audience;
        let error = rejected(&validator, &sign(&RSA_A, Some("a"), &claims)).await;
        assert_eq!(error.kind, TokenErrorKind::WrongAudience, "{error}");
    }
    let mut claims = claims();
    claims.as_object_mut().unwrap().remove("aud");
    let error = rejected(&validator, &sign(&RSA_A, Some("a"), &claims)).await;
    assert_eq!(error.kind, TokenErrorKind::WrongAudience);

    // A configured audience replaces the resource URL.
    let mut config = config(&jwks.url());
    config.audience = Some("api://rest-mcp".to_owned());
    let custom = JwtValidator::new(config, RESOURCE.to_owned(), client()).unwrap();
    let mut claims = self::claims();
    claims["aud"] = json!("api://rest-mcp");
    custom
        .validate(&sign(&RSA_A, Some("a"), &claims))
        .await
        .unwrap();
    let error = rejected(&custom, &sign(&RSA_A, Some("a"), &self::claims())).await;
    assert_eq!(error.kind, TokenErrorKind::WrongAudience);
}

#[tokio::test]
async fn wrong_or_missing_issuer_is_rejected() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
    let validator = validator(&jwks);
    for issuer in [
        Some(json!("https://evil.example")),
        Some(json!([ISSUER])),
        Some(json!(7)),
        None,
    ] {
        let mut claims = claims();
        match issuer {
            Some(issuer) => claims["iss"] = issuer,
            None => {
                claims.as_object_mut().unwrap().remove("iss");
            }
        }
        let error = rejected(&validator, &sign(&RSA_A, Some("a"), &claims)).await;
        assert_eq!(error.kind, TokenErrorKind::WrongIssuer, "{error}");
    }
}

#[tokio::test]
async fn unknown_kid_refetches_once_then_fails() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
    let validator = validator(&jwks);
    validator
        .validate(&sign(&RSA_A, Some("a"), &claims()))
        .await
        .unwrap();
    assert_eq!(jwks.hits(), 1);

    let ghost = sign(&RSA_A, Some("ghost"), &claims());
    let error = rejected(&validator, &ghost).await;
    assert_eq!(error.kind, TokenErrorKind::UnknownKey);
    assert!(error.message().contains("ghost"), "{error}");
    assert_eq!(jwks.hits(), 2, "one refetch for the unknown kid");

    // Within 10 s: no further refetch.
    let error = rejected(&validator, &sign(&RSA_A, Some("phantom"), &claims())).await;
    assert_eq!(error.kind, TokenErrorKind::UnknownKey);
    assert_eq!(jwks.hits(), 2);
}

#[tokio::test]
async fn rotated_key_validates_after_the_refetch() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
    let validator = validator(&jwks);
    validator
        .validate(&sign(&RSA_A, Some("a"), &claims()))
        .await
        .unwrap();
    jwks.set_keys(vec![RSA_A.jwk("a"), RSA_B.jwk("b")]);
    let verified = validator
        .validate(&sign(&RSA_B, Some("b"), &claims()))
        .await
        .unwrap();
    assert_eq!(verified.subject.as_deref(), Some("alice"));
    assert_eq!(jwks.hits(), 2);
}

#[tokio::test]
async fn none_hmac_and_mismatched_algorithms_are_rejected() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a"), EC_A.jwk("e")]).await;
    let validator = validator(&jwks);
    let payload = b64(claims().to_string().as_bytes());

    for alg in ["none", "None", "NONE"] {
        let header = b64(json!({"alg": alg, "kid": "a"}).to_string().as_bytes());
        let token = format!("{header}.{payload}.");
        let error = rejected(&validator, &token).await;
        assert_eq!(error.kind, TokenErrorKind::BadSignature, "{error}");
    }

    // HS256 keyed with the RSA modulus (the classic algorithm confusion) and with a
    // plain secret.
    for secret in [
        RSA_A.public_jwk["n"].as_str().unwrap().as_bytes(),
        b"secret".as_slice(),
    ] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("a".to_owned());
        let token =
            jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(secret)).unwrap();
        let error = rejected(&validator, &token).await;
        assert_eq!(error.kind, TokenErrorKind::BadSignature);
        assert!(error.message().contains("HS256"), "{error}");
    }

    // Other asymmetric algorithms are not accepted either.
    let header = b64(json!({"alg": "PS256", "kid": "a"}).to_string().as_bytes());
    let error = rejected(&validator, &format!("{header}.{payload}.c2ln")).await;
    assert_eq!(error.kind, TokenErrorKind::BadSignature);

    // An ES256 token naming an RSA key, and an RS256 token naming an EC key.
    let error = rejected(&validator, &sign(&EC_A, Some("a"), &claims())).await;
    assert_eq!(error.kind, TokenErrorKind::BadSignature);
    let error = rejected(&validator, &sign(&RSA_A, Some("e"), &claims())).await;
    assert_eq!(error.kind, TokenErrorKind::BadSignature);

    // No fetch was needed for the header-level rejections; one for the key lookups.
    assert_eq!(jwks.hits(), 1);
}

#[tokio::test]
async fn another_key_with_a_known_kid_is_a_bad_signature() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a"), EC_A.jwk("e")]).await;
    let validator = validator(&jwks);
    let error = rejected(&validator, &sign(&RSA_OTHER, Some("a"), &claims())).await;
    assert_eq!(error.kind, TokenErrorKind::BadSignature);
    let forged_ec = SigningKey::ec();
    let error = rejected(&validator, &sign(&forged_ec, Some("e"), &claims())).await;
    assert_eq!(error.kind, TokenErrorKind::BadSignature);

    // A valid token with its signature swapped for another token's.
    let good = sign(&RSA_A, Some("a"), &claims());
    let other = sign(
        &RSA_A,
        Some("a"),
        &json!({"iss": ISSUER, "aud": RESOURCE, "exp": now() + 60}),
    );
    let (message, _) = good.rsplit_once('.').unwrap();
    let (_, signature) = other.rsplit_once('.').unwrap();
    let error = rejected(&validator, &format!("{message}.{signature}")).await;
    assert_eq!(error.kind, TokenErrorKind::BadSignature);
    assert_eq!(jwks.hits(), 1, "a bad signature does not trigger a refetch");
}

#[tokio::test]
async fn jwks_server_down_is_jwks_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let validator = JwtValidator::new(
        config(&format!("http://{address}/jwks")),
        RESOURCE.to_owned(),
        client(),
    )
    .unwrap();
    let token = sign(&RSA_A, Some("a"), &claims());
    let error = rejected(&validator, &token).await;
    assert_eq!(error.kind, TokenErrorKind::JwksUnavailable);
    assert!(error.message().contains("cannot fetch the JWKS"), "{error}");
}

#[tokio::test]
async fn failing_jwks_backs_off_and_recovers() {
    // Two validators instead of a sleep: one whose back-off outlasts the test, one
    // without back-off (as if it had passed).
    let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
    jwks.set_status(StatusCode::INTERNAL_SERVER_ERROR);
    let with_backoff = |failure_backoff| {
        let timing = Timing {
            failure_backoff,
            ..Timing::DEFAULT
        };
        JwtValidator::with_timing(config(&jwks.url()), RESOURCE.to_owned(), client(), timing)
            .unwrap()
    };
    let token = sign(&RSA_A, Some("a"), &claims());

    let patient = with_backoff(Duration::from_secs(3600));
    let error = rejected(&patient, &token).await;
    assert_eq!(error.kind, TokenErrorKind::JwksUnavailable);
    assert!(error.message().contains("500"), "{error}");
    // Within the back-off: no new attempt, even once the server is back.
    jwks.set_status(StatusCode::OK);
    let error = rejected(&patient, &token).await;
    assert_eq!(error.kind, TokenErrorKind::JwksUnavailable);
    assert_eq!(jwks.hits(), 1);

    // Once the back-off has passed, the next token fetches again and validates.
    jwks.set_status(StatusCode::INTERNAL_SERVER_ERROR);
    let eager = with_backoff(Duration::ZERO);
    assert_eq!(
        rejected(&eager, &token).await.kind,
        TokenErrorKind::JwksUnavailable
    );
    assert_eq!(jwks.hits(), 2);
    jwks.set_status(StatusCode::OK);
    eager.validate(&token).await.unwrap();
    assert_eq!(jwks.hits(), 3);
}

#[tokio::test]
async fn malformed_or_oversized_jwks_is_unavailable() {
    let token = sign(&RSA_A, Some("a"), &claims());
    for body in [
        "not json".to_owned(),
        "[]".to_owned(),
        json!({"keys": "nope"}).to_string(),
        json!({"keys": [RSA_A.jwk("a")], "padding": "x".repeat(MAX_JWKS_BYTES)}).to_string(),
    ] {
        let jwks = Jwks::start(Vec::new()).await;
        jwks.set_body(body);
        let error = rejected(&validator(&jwks), &token).await;
        assert_eq!(error.kind, TokenErrorKind::JwksUnavailable, "{error}");
    }
}

#[tokio::test]
async fn unusable_jwks_entries_are_skipped() {
    let mut encryption_key = RSA_A.jwk("enc");
    encryption_key["use"] = json!("enc");
    let mut ps256 = RSA_A.jwk("ps");
    ps256["alg"] = json!("PS256");
    let mut verify_only = EC_A.jwk("ops");
    verify_only["key_ops"] = json!(["verify"]);
    let mut sign_only = EC_A.jwk("sign-only");
    sign_only["key_ops"] = json!(["sign"]);
    let jwks = Jwks::start(vec![
        json!(42),
        json!(null),
        json!({"kty": "RSA"}),
        json!({"kty": "RSA", "kid": "short", "n": "AQAB", "e": "AQAB"}),
        json!({"kty": "EC", "crv": "P-256", "kid": "bad", "x": "!!", "y": ""}),
        json!({"kty": "EC", "crv": "P-384", "kid": "p384", "x": b64(&[1; 48]), "y": b64(&[1; 48])}),
        json!({"kty": "oct", "kid": "hmac", "k": b64(b"secret")}),
        json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": b64(&[0; 32])}),
        json!({"kty": "RSA", "kid": 5, "n": RSA_A.public_jwk["n"], "e": RSA_A.public_jwk["e"]}),
        encryption_key,
        ps256,
        sign_only,
        verify_only,
        RSA_A.jwk("a"),
    ])
    .await;
    let validator = validator(&jwks);
    validator
        .validate(&sign(&RSA_A, Some("a"), &claims()))
        .await
        .unwrap();
    validator
        .validate(&sign(&EC_A, Some("ops"), &claims()))
        .await
        .unwrap();
    for kid in ["enc", "ps", "sign-only", "hmac", "short"] {
        let error = rejected(&validator, &sign(&RSA_A, Some(kid), &claims())).await;
        assert_eq!(error.kind, TokenErrorKind::UnknownKey, "{kid}: {error}");
    }
}

#[tokio::test]
async fn garbage_tokens_are_malformed() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
    let validator = validator(&jwks);
    let header = b64(json!({"alg": "RS256", "kid": "a"}).to_string().as_bytes());
    let garbage = [
        String::new(),
        "garbage".to_owned(),
        "a.b".to_owned(),
        "a.b.c".to_owned(),
        "a.b.c.d".to_owned(),
        "a.b.c.d.e".to_owned(),
        "..".to_owned(),
        "ünïcödé.🦀.x".to_owned(),
        format!("{}.e30.c2ln", b64(b"not json")),
        format!("{}.e30.c2ln", b64(b"[1,2]")),
        format!("{}.e30.c2ln", b64(br#"{"kid":"a"}"#)),
        format!("{}.e30.c2ln", b64(br#"{"alg":5}"#)),
        format!("{}.e30.c2ln", b64(br#"{"alg":"RS256","kid":7}"#)),
        format!("{}.e30.c2ln", b64(br#"{"alg":"RS256","crit":["exp"]}"#)),
        format!("{header}.e30.{}", "A".repeat(MAX_TOKEN_BYTES)),
    ];
    for token in &garbage {
        let error = rejected(&validator, token).await;
        assert_eq!(error.kind, TokenErrorKind::Malformed, "{token:?}: {error}");
    }
    assert_eq!(
        jwks.hits(),
        0,
        "header problems are caught before any fetch"
    );

    // A correct signature over claims that are not usable.
    let header = json!({"alg": "RS256", "kid": "a"});
    let with = |claims: Value| sign_raw(&RSA_A, &header, claims.to_string().as_bytes());
    let mut bad_exp = claims();
    bad_exp["exp"] = json!("tomorrow");
    let mut bad_scope = claims();
    bad_scope["scope"] = json!(["mcp:read"]);
    let mut bad_scp = claims();
    bad_scp.as_object_mut().unwrap().remove("scope");
    bad_scp["scp"] = json!([1, 2]);
    let mut bad_sub = claims();
    bad_sub["sub"] = json!({"id": 1});
    for token in [
        sign_raw(&RSA_A, &header, b"not json"),
        sign_raw(&RSA_A, &header, b"[1,2,3]"),
        with(bad_exp),
        with(bad_scope),
        with(bad_scp),
        with(bad_sub),
    ] {
        let error = rejected(&validator, &token).await;
        assert_eq!(error.kind, TokenErrorKind::Malformed, "{error}");
    }

    // A bad signature encoding behind a known key.
    let error = rejected(
        &validator,
        &format!("{}.e30.***", b64(header.to_string().as_bytes())),
    )
    .await;
    assert_eq!(error.kind, TokenErrorKind::Malformed, "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_unknown_kids_share_the_fetches() {
    let jwks = Jwks::start_with_delay(vec![RSA_A.jwk("a")], Duration::from_millis(100)).await;
    let validator = validator(&jwks);
    let token = sign(&RSA_A, Some("ghost"), &claims());
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let validator = validator.clone();
            let token = token.clone();
            tokio::spawn(async move { validator.validate(&token).await })
        })
        .collect();
    for task in tasks {
        let error = task.await.unwrap().unwrap_err();
        assert_eq!(error.kind, TokenErrorKind::UnknownKey, "{error}");
    }
    assert!(jwks.hits() <= 2, "{} JWKS fetches", jwks.hits());
}

#[tokio::test]
async fn old_keys_are_refetched_and_kept_when_the_refresh_fails() {
    // max_age zero: every cached copy is already too old, so each validation refreshes
    // (no sleeping until a real age passes).
    let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
    let timing = Timing {
        max_age: Duration::ZERO,
        refetch_interval: Duration::ZERO,
        failure_backoff: Duration::ZERO,
    };
    let validator =
        JwtValidator::with_timing(config(&jwks.url()), RESOURCE.to_owned(), client(), timing)
            .unwrap();
    let token = sign(&RSA_A, Some("a"), &claims());
    validator.validate(&token).await.unwrap();
    assert_eq!(jwks.hits(), 1);
    validator.validate(&token).await.unwrap();
    assert_eq!(jwks.hits(), 2, "a cache older than max_age is refetched");

    // The authorization server is down: the old keys keep working.
    jwks.set_status(StatusCode::SERVICE_UNAVAILABLE);
    validator.validate(&token).await.unwrap();
    assert_eq!(jwks.hits(), 3);

    // A key removed from the JWKS stops working once the cache is refreshed.
    jwks.set_status(StatusCode::OK);
    jwks.set_keys(vec![RSA_B.jwk("b")]);
    let error = rejected(&validator, &token).await;
    assert_eq!(error.kind, TokenErrorKind::UnknownKey);
}

#[tokio::test]
async fn a_fresh_cache_is_not_refetched() {
    let jwks = Jwks::start(vec![RSA_A.jwk("a")]).await;
    let validator = validator(&jwks);
    let token = sign(&RSA_A, Some("a"), &claims());
    for _ in 0..3 {
        validator.validate(&token).await.unwrap();
    }
    assert_eq!(jwks.hits(), 1, "younger than max_age (an hour): cached");
}

#[tokio::test]
async fn resource_metadata_names_servers_and_scopes() {
    let validator = JwtValidator::new(
        config("https://issuer.example/jwks"),
        RESOURCE.to_owned(),
        client(),
    )
    .unwrap();
    assert_eq!(
        validator.resource_metadata(),
        json!({
            "resource": RESOURCE,
            "authorization_servers": [ISSUER],
            "scopes_supported": ["mcp:read", "mcp:write"],
            "bearer_methods_supported": ["header"],
        })
    );
    let mut config = config("https://issuer.example/jwks");
    config.authorization_servers = vec!["https://a.example".into(), "https://b.example".into()];
    config.scopes.clear();
    let validator = JwtValidator::new(config, RESOURCE.to_owned(), client()).unwrap();
    let metadata = validator.resource_metadata();
    assert_eq!(
        metadata["authorization_servers"],
        json!(["https://a.example", "https://b.example"])
    );
    assert_eq!(metadata["scopes_supported"], json!([]));
    assert_eq!(validator.resource(), RESOURCE);
    assert_eq!(validator.audience(), RESOURCE);
}

#[test]
fn config_defaults_and_unknown_fields() {
    let config: OAuthConfig = serde_json::from_value(json!({
        "issuer": ISSUER,
        "jwks_url": "https://issuer.example/jwks",
    }))
    .unwrap();
    assert_eq!(config.leeway_seconds, 60);
    assert!(config.authorization_servers.is_empty());
    assert!(config.scopes.is_empty());
    assert_eq!(config.audience, None);
    assert_eq!(config.requests_per_minute, None);
    let unknown = serde_json::from_value::<OAuthConfig>(json!({
        "issuer": ISSUER,
        "jwks_url": "https://issuer.example/jwks",
        "jwks_uri": "https://issuer.example/jwks",
    }));
    assert!(unknown.is_err());
}

#[test]
fn unusable_configs_are_refused() {
    let build = |config: OAuthConfig, resource: &str| {
        JwtValidator::new(config, resource.to_owned(), client())
    };
    let good = config("https://issuer.example/jwks");
    assert!(build(good.clone(), RESOURCE).is_ok());
    for jwks_url in [
        "ftp://issuer.example/jwks",
        "not a url",
        "file:///etc/jwks.json",
        "",
    ] {
        let error = build(config(jwks_url), RESOURCE).unwrap_err();
        assert!(error.to_string().contains("jwks_url"), "{error}");
    }
    let mut bad = good.clone();
    bad.issuer = " ".into();
    assert!(build(bad, RESOURCE).is_err());
    let mut bad = good.clone();
    bad.leeway_seconds = u64::MAX;
    assert!(build(bad, RESOURCE).is_err());
    let mut bad = good.clone();
    bad.issuer = "urn:issuer".into();
    let error = build(bad.clone(), RESOURCE).unwrap_err();
    assert!(
        error.to_string().contains("authorization_servers"),
        "{error}"
    );
    bad.authorization_servers = vec![ISSUER.into()];
    assert!(build(bad, RESOURCE).is_ok());
    assert!(build(good, "").is_err());
}

#[test]
fn validator_is_shareable_and_validation_is_send() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    fn send<T: Send>(_: &T) {}
    shareable::<JwtValidator>();
    let validator = JwtValidator::new(
        config("https://issuer.example/jwks"),
        RESOURCE.to_owned(),
        client(),
    )
    .unwrap();
    send(&validator.validate("token"));
    assert!(format!("{validator:?}").contains("issuer.example"));
}

#[test]
fn quoted_values_are_short_and_inert() {
    assert_eq!(quoted("key-1"), "key-1");
    assert_eq!(quoted("a\"b\nc"), "a?b?c");
    assert_eq!(quoted(&"k".repeat(100)), format!("{}...", "k".repeat(64)));
}
