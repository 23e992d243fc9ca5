//! [`build`]: validated arguments + endpoint + base URL → [`PreparedRequest`].

use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use rest_mcp_openapi::{BodyField, BodyMapping, ParamLocation};
use serde_json::{Map, Value};

use super::{PreparedRequest, body, path, query};
use crate::endpoint::{ArgumentTarget, Endpoint, PathPiece};

/// Whether schema defaults are sent for arguments the caller left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Defaults {
    /// Send only what the caller gave; the upstream applies its own defaults (the default).
    #[default]
    Omit,
    /// Fill arguments the caller left out with their schema defaults.
    Send,
}

/// Arguments that cannot be turned into a request; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(String);

impl From<String> for BuildError {
    fn from(message: String) -> BuildError {
        BuildError(message)
    }
}

/// Build the request for one call. `arguments` must already be validated; with
/// [`Defaults::Send`], schema defaults fill what the caller left out. The URL keeps the
/// base URL's scheme, host and port: an argument only ever changes encoded path segments,
/// the query, headers and the body.
pub fn build(
    endpoint: &Endpoint,
    base: &Url,
    arguments: &Map<String, Value>,
    defaults: Defaults,
) -> Result<PreparedRequest, BuildError> {
    let operation = endpoint.operation();
    let value_of = |argument: &str| -> Option<&Value> {
        arguments.get(argument).or_else(|| {
            if defaults == Defaults::Omit {
                return None;
            }
            endpoint
                .defaults()
                .iter()
                .find(|(name, _)| name == argument)
                .map(|(_, value)| value)
        })
    };

    let mut rendered_path = String::new();
    for piece in endpoint.path_pieces() {
        match piece {
            PathPiece::Literal(text) => rendered_path.push_str(text),
            PathPiece::Parameter(index) => {
                let parameter = &operation.parameters[*index];
                let value = value_of(&parameter.argument).ok_or_else(|| {
                    format!("missing required path argument `{}`", parameter.argument)
                })?;
                rendered_path.push_str(&path::render(parameter, value)?);
            }
        }
    }
    let mut url = base.clone();
    let base_path = base.path().trim_end_matches('/');
    url.set_path(&format!("{base_path}{rendered_path}"));
    url.set_fragment(None);

    let mut query_pairs: Vec<String> = base.query().map(str::to_owned).into_iter().collect();
    let mut headers = Vec::new();
    let mut cookies = Vec::new();
    for parameter in &operation.parameters {
        let Some(value) = value_of(&parameter.argument) else {
            continue;
        };
        match parameter.location {
            ParamLocation::Path => {}
            ParamLocation::Query => query::append_query(&mut query_pairs, parameter, value),
            ParamLocation::Header => {
                if value.is_null() {
                    continue;
                }
                // Defence in depth: the loader never makes these arguments, and an
                // operation built by other means cannot send them either.
                if rest_mcp_openapi::is_transport_header(&parameter.name) {
                    return Err(format!(
                        "header `{}` is set by the HTTP client and cannot be a tool argument",
                        parameter.name
                    )
                    .into());
                }
                let text = query::header_value(parameter, value)?;
                let name = HeaderName::from_bytes(parameter.name.as_bytes())
                    .map_err(|_| format!("`{}` is not a valid header name", parameter.name))?;
                let value = HeaderValue::from_str(&text).map_err(|_| {
                    format!(
                        "header argument `{}` has characters a header cannot carry",
                        parameter.argument
                    )
                })?;
                headers.push((name, value));
            }
            ParamLocation::Cookie => {
                if !value.is_null() {
                    cookies.push((parameter.name.clone(), query::cookie_value(value)));
                }
            }
        }
    }
    url.set_query(None);
    if !query_pairs.is_empty() {
        url.set_query(Some(&query_pairs.join("&")));
    }

    let body = match &operation.request_body {
        None => None,
        Some(request_body) => {
            let (whole, fields) = body_arguments(endpoint, &request_body.mapping, &value_of);
            body::build(request_body, whole, &fields)?
        }
    };
    Ok(PreparedRequest {
        method: endpoint.method().clone(),
        url,
        headers,
        cookies,
        body,
    })
}

/// The whole-body argument, or the flattened fields that were given.
fn body_arguments<'a>(
    endpoint: &'a Endpoint,
    mapping: &'a BodyMapping,
    value_of: &impl Fn(&str) -> Option<&'a Value>,
) -> (Option<&'a Value>, Vec<(&'a BodyField, &'a Value)>) {
    match mapping {
        BodyMapping::Whole { argument, .. } => (value_of(argument), Vec::new()),
        BodyMapping::Flattened { fields } => {
            let given = fields
                .iter()
                .filter(|f| {
                    matches!(
                        endpoint.target(&f.argument),
                        Some(ArgumentTarget::BodyField(_))
                    )
                })
                .filter_map(|field| Some((field, value_of(&field.argument)?)))
                .collect();
            (None, given)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::PreparedBody;
    use rest_mcp_openapi::{LoadOptions, Origin, load};
    use serde_json::json;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /repos/{owner}/{repo}/contents/{path}:
    put:
      operationId: putContent
      parameters:
        - {name: owner, in: path, required: true, schema: {type: string}}
        - {name: repo, in: path, required: true, schema: {type: string}}
        - {name: path, in: path, required: true, schema: {type: string}}
        - {name: ref, in: query, schema: {type: string, default: main}}
        - {name: tags, in: query, style: form, explode: false, schema: {type: array, items: {type: string}}}
        - {name: X-Trace, in: header, schema: {type: string}}
        - {name: session, in: cookie, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                message: {type: string}
                path: {type: string}
  /charges:
    post:
      operationId: createCharge
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                amount: {type: integer}
                metadata: {type: object, additionalProperties: {type: string}}
"##;

    fn endpoint(name: &str) -> Endpoint {
        let loaded = load(
            SPEC.as_bytes(),
            Origin::inline("t.yaml"),
            &LoadOptions::default(),
        )
        .expect("spec");
        let operation = loaded.model.operation(name).cloned().expect("operation");
        Endpoint::new(operation).expect("endpoint")
    }

    fn args(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn a_transport_header_is_never_sent_from_arguments() {
        let loaded = load(
            SPEC.as_bytes(),
            Origin::inline("t.yaml"),
            &LoadOptions::default(),
        )
        .expect("spec");
        let mut operation = loaded
            .model
            .operation("put_content")
            .cloned()
            .expect("operation");
        // An operation built by other means than the loader, naming `Host`.
        for parameter in &mut operation.parameters {
            if parameter.name == "X-Trace" {
                parameter.name = "Host".to_owned();
            }
        }
        let endpoint = Endpoint::new(operation).expect("endpoint");
        let base = Url::parse("https://api.example.com/").expect("url");
        let error = build(
            &endpoint,
            &base,
            &args(json!({"owner": "o", "repo": "r", "path": "p", "X-Trace": "evil.example"})),
            Defaults::Omit,
        )
        .expect_err("refused");
        assert!(error.to_string().contains("`Host`"), "{error}");
    }

    #[test]
    fn every_location_is_filled() {
        let base = Url::parse("https://api.example.com/v3/").expect("url");
        let request = build(
            &endpoint("put_content"),
            &base,
            &args(
                json!({"owner": "o", "repo": "r", "path": "docs/a b.md", "tags": ["x", "y"],
                         "X-Trace": "t1", "session": "s 1", "message": "m", "body_path": "p"}),
            ),
            Defaults::Send,
        )
        .expect("request");
        assert_eq!(request.method, reqwest::Method::PUT);
        assert_eq!(
            request.url.as_str(),
            "https://api.example.com/v3/repos/o/r/contents/docs%2Fa%20b.md?ref=main&tags=x,y"
        );
        assert_eq!(request.headers[0].0.as_str(), "x-trace");
        assert_eq!(
            request.cookies,
            [("session".to_owned(), "s%201".to_owned())]
        );
        let Some(PreparedBody::Bytes { content_type, data }) = request.body else {
            panic!("json body")
        };
        assert_eq!(content_type, "application/json");
        assert_eq!(
            serde_json::from_slice::<Value>(&data).ok(),
            Some(json!({"message": "m", "path": "p"}))
        );
    }

    #[test]
    fn schema_defaults_are_sent_only_when_asked() {
        let base = Url::parse("https://api.example.com").expect("url");
        let given = args(json!({"owner": "o", "repo": "r", "path": "p"}));
        let omitted =
            build(&endpoint("put_content"), &base, &given, Defaults::Omit).expect("request");
        assert_eq!(omitted.url.query(), None);
        let sent = build(&endpoint("put_content"), &base, &given, Defaults::Send).expect("request");
        assert_eq!(sent.url.query(), Some("ref=main"));
    }

    #[test]
    fn arguments_never_change_the_host() {
        let base = Url::parse("https://api.example.com/v3").expect("url");
        for hostile in [
            "..",
            "../../admin",
            "//evil.example",
            "http://evil.example/x",
            "a?b#c",
            "%2e%2e",
        ] {
            let result = build(
                &endpoint("put_content"),
                &base,
                &args(json!({"owner": hostile, "repo": "r", "path": "p"})),
                Defaults::Omit,
            );
            // A dot segment is refused (a URL parser would climb out of the path); every
            // other value is sent as data inside its own segment.
            let request = match result {
                Err(error) if hostile == ".." => {
                    let message = error.to_string();
                    assert!(message.contains("`owner`"), "{hostile}: {message}");
                    assert!(message.contains("`..`"), "{hostile}: {message}");
                    continue;
                }
                Err(error) => panic!("{hostile} was refused: {error}"),
                Ok(request) if hostile == ".." => {
                    panic!("`..` was accepted: {}", request.url)
                }
                Ok(request) => request,
            };
            assert_eq!(request.url.host_str(), Some("api.example.com"), "{hostile}");
            assert!(
                request.url.path().starts_with("/v3/repos/"),
                "{hostile}: {}",
                request.url
            );
            assert_eq!(
                request.url.path().matches('/').count(),
                6,
                "{hostile}: {}",
                request.url
            );
            assert_eq!(request.url.fragment(), None);
        }
    }

    #[test]
    fn form_bodies_use_brackets() {
        let base = Url::parse("https://api.stripe.test/v1").expect("url");
        let request = build(
            &endpoint("create_charge"),
            &base,
            &args(json!({"amount": 2000, "metadata": {"order_id": "6735"}})),
            Defaults::Omit,
        )
        .expect("request");
        assert_eq!(request.url.as_str(), "https://api.stripe.test/v1/charges");
        assert_eq!(
            request.body,
            Some(PreparedBody::Form(vec![
                ("amount".into(), "2000".into()),
                ("metadata[order_id]".into(), "6735".into())
            ]))
        );
    }
}
