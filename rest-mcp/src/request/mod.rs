//! Tool arguments to an HTTP request, as plain data the executor sends (and can resend
//! after refreshing credentials).
//!
//! Building is pure: [`build`] turns an [`Endpoint`](crate::Endpoint) and the call's
//! arguments into a [`PreparedRequest`] without touching the network, so every encoding
//! rule is unit-tested here.

pub(crate) mod body;
mod build;
mod path;
mod query;

pub use build::{BuildError, Defaults, build};

use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};

/// An HTTP request ready to send.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedRequest {
    /// The method.
    pub method: reqwest::Method,
    /// The full URL, query included.
    pub url: Url,
    /// Headers in the order they are sent (configured headers come first, arguments
    /// override them by name).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Cookies as (name, already-encoded value), sent as one `Cookie` header.
    pub cookies: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<PreparedBody>,
}

impl PreparedRequest {
    /// Set a header, replacing any header of the same name.
    pub fn set_header(&mut self, name: HeaderName, value: HeaderValue) {
        self.headers.retain(|(existing, _)| *existing != name);
        self.headers.push((name, value));
    }

    /// Add a query pair (encoded as `application/x-www-form-urlencoded`).
    pub fn append_query(&mut self, name: &str, value: &str) {
        self.url.query_pairs_mut().append_pair(name, value);
    }
}

/// A request body.
#[derive(Clone, Debug, PartialEq)]
pub enum PreparedBody {
    /// Bytes sent with a content type (JSON, text, binary).
    Bytes {
        /// `Content-Type` header value.
        content_type: String,
        /// The bytes.
        data: Vec<u8>,
    },
    /// `application/x-www-form-urlencoded` pairs (nested values already in bracket form).
    Form(Vec<(String, String)>),
    /// `multipart/form-data` parts.
    Multipart(Vec<MultipartPart>),
}

/// One multipart part.
#[derive(Clone, Debug, PartialEq)]
pub struct MultipartPart {
    /// Field name.
    pub name: String,
    /// File name, for file parts.
    pub filename: Option<String>,
    /// Media type of the part, when not plain text.
    pub content_type: Option<String>,
    /// The content.
    pub data: Vec<u8>,
}
