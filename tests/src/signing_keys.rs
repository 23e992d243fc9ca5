//! Freshly generated JWT signing keys (RS256 and ES256) with their public JWKs, for tests
//! of rest-mcp as an OAuth resource server: the unit tests of its token validation and
//! the end-to-end tests over HTTP sign their tokens with these.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _, RsaKeyPair, RsaPublicKeyComponents,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// A private signing key and its public JWK.
pub struct SigningKey {
    /// The JWS algorithm the key signs with.
    pub alg: Algorithm,
    /// The private key, as jsonwebtoken takes it.
    pub encoding: EncodingKey,
    /// The public JWK, without a `kid` ([`SigningKey::jwk`] adds one).
    pub public_jwk: Value,
}

impl SigningKey {
    /// A new RSA 2048 key for RS256; its JWK says `"use": "sig"` and `"alg": "RS256"`.
    pub fn rsa() -> SigningKey {
        install_crypto();
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("an RSA key generates");
        let pkcs8: Pkcs8V1Der<'static> = pair.as_der().expect("PKCS#8");
        let pkcs1 = pkcs1_from_pkcs8(pkcs8.as_ref());
        let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        SigningKey {
            alg: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_der(&pkcs1),
            public_jwk: json!({"kty": "RSA", "use": "sig", "alg": "RS256", "n": base64url(&public.n), "e": base64url(&public.e)}),
        }
    }

    /// A new P-256 key for ES256; its JWK has no `alg` (the key type decides).
    pub fn ec() -> SigningKey {
        install_crypto();
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("an EC key");
        let pkcs8 = pair.to_pkcs8v1().expect("PKCS#8");
        let point = pair.public_key().as_ref().to_vec();
        assert_eq!(point.len(), 65, "an uncompressed P-256 point");
        SigningKey {
            alg: Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
            public_jwk: json!({"kty": "EC", "crv": "P-256", "x": base64url(&point[1..33]), "y": base64url(&point[33..])}),
        }
    }

    /// The public JWK with `kid`.
    pub fn jwk(&self, kid: &str) -> Value {
        let mut jwk = self.public_jwk.clone();
        jwk["kid"] = json!(kid);
        jwk
    }

    /// A JWT of `claims` signed with this key, with `kid` in its header when given.
    pub fn sign(&self, kid: Option<&str>, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("the token signs")
    }
}

/// Unpadded base64url, as JOSE writes binary values.
pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn install_crypto() {
    // jsonwebtoken needs a crypto provider; an error only means one is installed already.
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}

/// (tag, content, rest) of the DER element at the start of `input`.
fn der_element(input: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = input[0];
    let first = usize::from(input[1]);
    let (length, start) = if first < 0x80 {
        (first, 2)
    } else {
        let count = first & 0x7f;
        let length = input[2..2 + count]
            .iter()
            .fold(0usize, |acc, byte| (acc << 8) | usize::from(*byte));
        (length, 2 + count)
    };
    (tag, &input[start..start + length], &input[start + length..])
}

/// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo` (jsonwebtoken's RSA
/// signer with aws-lc-rs wants PKCS#1; aws-lc-rs exports PKCS#8 only).
fn pkcs1_from_pkcs8(pkcs8: &[u8]) -> Vec<u8> {
    let (_, info, _) = der_element(pkcs8);
    let (_, _, rest) = der_element(info); // version
    let (_, _, rest) = der_element(rest); // algorithm
    let (tag, key, _) = der_element(rest);
    assert_eq!(tag, 0x04, "privateKey is an OCTET STRING");
    key.to_vec()
}
