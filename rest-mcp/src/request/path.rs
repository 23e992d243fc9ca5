//! Path parameters: OpenAPI `simple`, `label` and `matrix` styles, every value
//! percent-encoded as one path segment.
//!
//! The encoding set leaves only RFC 3986 unreserved characters, so an argument can never
//! add a segment (`/`), start a query (`?`) or fragment (`#`), or smuggle an escape (`%`).
//! Values that are exactly `.` or `..` are refused: URL parsers treat them as dot segments
//! and would climb out of the endpoint's path.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rest_mcp_openapi::{ParamStyle, Parameter};
use serde_json::Value;

/// Everything except `A-Z a-z 0-9 - . _ ~`.
pub(super) const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encode one value for a path segment.
pub(super) fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// A scalar as text (`true`, `3`, `abc`); arrays and objects as compact JSON.
pub(super) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Render a path parameter's value, already encoded.
pub(super) fn render(parameter: &Parameter, value: &Value) -> Result<String, String> {
    let rendered = match parameter.style {
        ParamStyle::Label => label(value, parameter.explode),
        ParamStyle::Matrix => matrix(&parameter.name, value, parameter.explode),
        _ => simple(value, parameter.explode),
    };
    if rendered.is_empty() {
        return Err(format!(
            "path argument `{}` must not be empty",
            parameter.argument
        ));
    }
    if rendered == "." || rendered == ".." {
        return Err(format!(
            "path argument `{}` cannot be `{rendered}`",
            parameter.argument
        ));
    }
    Ok(rendered)
}

/// The items of an array or the key/value pairs of an object, encoded.
fn parts(value: &Value) -> Parts {
    match value {
        Value::Array(items) => Parts::List(items.iter().map(|v| encode(&scalar_text(v))).collect()),
        Value::Object(map) => Parts::Pairs(
            map.iter()
                .map(|(k, v)| (encode(k), encode(&scalar_text(v))))
                .collect(),
        ),
        scalar => Parts::Scalar(encode(&scalar_text(scalar))),
    }
}

enum Parts {
    Scalar(String),
    List(Vec<String>),
    Pairs(Vec<(String, String)>),
}

fn join_pairs(pairs: &[(String, String)], explode: bool, separator: &str) -> String {
    if explode {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(separator)
    } else {
        pairs
            .iter()
            .flat_map(|(k, v)| [k.as_str(), v.as_str()])
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn simple(value: &Value, explode: bool) -> String {
    match parts(value) {
        Parts::Scalar(s) => s,
        Parts::List(items) => items.join(","),
        Parts::Pairs(pairs) => join_pairs(&pairs, explode, ","),
    }
}

fn label(value: &Value, explode: bool) -> String {
    let separator = if explode { "." } else { "," };
    match parts(value) {
        Parts::Scalar(s) => format!(".{s}"),
        Parts::List(items) => format!(".{}", items.join(separator)),
        Parts::Pairs(pairs) => format!(".{}", join_pairs(&pairs, explode, ".")),
    }
}

fn matrix(name: &str, value: &Value, explode: bool) -> String {
    let name = encode(name);
    match parts(value) {
        Parts::Scalar(s) => format!(";{name}={s}"),
        Parts::List(items) if explode => items.iter().map(|i| format!(";{name}={i}")).collect(),
        Parts::List(items) => format!(";{name}={}", items.join(",")),
        Parts::Pairs(pairs) if explode => pairs.iter().map(|(k, v)| format!(";{k}={v}")).collect(),
        Parts::Pairs(pairs) => format!(";{name}={}", join_pairs(&pairs, false, ",")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rest_mcp_openapi::ParamLocation;
    use serde_json::json;

    fn param(style: ParamStyle, explode: bool) -> Parameter {
        Parameter {
            name: "id".into(),
            location: ParamLocation::Path,
            argument: "id".into(),
            required: true,
            style,
            explode,
            allow_reserved: false,
            deprecated: false,
            schema: json!({}),
        }
    }

    #[test]
    fn styles_follow_the_openapi_examples() {
        let cases = [
            (ParamStyle::Simple, false, json!(5), "5"),
            (ParamStyle::Simple, false, json!([3, 4, 5]), "3,4,5"),
            (
                ParamStyle::Simple,
                false,
                json!({"role": "admin", "firstName": "Alex"}),
                "role,admin,firstName,Alex",
            ),
            (
                ParamStyle::Simple,
                true,
                json!({"role": "admin", "firstName": "Alex"}),
                "role=admin,firstName=Alex",
            ),
            (ParamStyle::Label, false, json!([3, 4, 5]), ".3,4,5"),
            (ParamStyle::Label, true, json!([3, 4, 5]), ".3.4.5"),
            (ParamStyle::Matrix, false, json!(5), ";id=5"),
            (ParamStyle::Matrix, true, json!([3, 4]), ";id=3;id=4"),
            (ParamStyle::Matrix, false, json!([3, 4]), ";id=3,4"),
        ];
        for (style, explode, value, expected) in cases {
            assert_eq!(
                render(&param(style, explode), &value).as_deref(),
                Ok(expected),
                "{style:?} {explode} {value}"
            );
        }
    }

    #[test]
    fn values_cannot_leave_their_segment() {
        let p = param(ParamStyle::Simple, false);
        for (value, expected) in [
            ("../admin", "..%2Fadmin"),
            ("a/b", "a%2Fb"),
            ("x?y=1#f", "x%3Fy%3D1%23f"),
            ("%2e%2e", "%252e%252e"),
            ("http://evil.example/", "http%3A%2F%2Fevil.example%2F"),
            ("a b\r\n", "a%20b%0D%0A"),
            ("ünï", "%C3%BCn%C3%AF"),
        ] {
            assert_eq!(
                render(&p, &json!(value)).as_deref(),
                Ok(expected),
                "{value}"
            );
        }
        assert!(render(&p, &json!("..")).is_err());
        assert!(render(&p, &json!(".")).is_err());
        assert!(render(&p, &json!("")).is_err());
    }
}
