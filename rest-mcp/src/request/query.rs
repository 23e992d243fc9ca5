//! Query, header and cookie parameters in every OpenAPI style.

use percent_encoding::{AsciiSet, utf8_percent_encode};
use rest_mcp_openapi::{ParamStyle, Parameter};
use serde_json::Value;

use super::path::{UNRESERVED, scalar_text};

/// With `allowReserved`, RFC 3986 reserved characters pass through, except the ones that
/// would end the pair (`&`, `#`) or change its meaning (`=`, `+`, `%`).
const ALLOW_RESERVED: &AsciiSet = &UNRESERVED
    .remove(b':')
    .remove(b'/')
    .remove(b'?')
    .remove(b'[')
    .remove(b']')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b',')
    .remove(b';');

fn encode(text: &str, allow_reserved: bool) -> String {
    let set = if allow_reserved {
        ALLOW_RESERVED
    } else {
        UNRESERVED
    };
    utf8_percent_encode(text, set).to_string()
}

/// Append a query parameter's encoded `name=value` pairs to `pairs`. `null` sends nothing.
pub(super) fn append_query(pairs: &mut Vec<String>, parameter: &Parameter, value: &Value) {
    let reserved = parameter.allow_reserved;
    let name = encode(&parameter.name, false);
    let value_text = |v: &Value| encode(&scalar_text(v), reserved);
    match (value, parameter.style) {
        (Value::Null, _) => {}
        (Value::Object(_), ParamStyle::DeepObject) => {
            deep_object(pairs, &parameter.name, value, reserved)
        }
        (Value::Array(items), style) => {
            let items: Vec<String> = items
                .iter()
                .filter(|v| !v.is_null())
                .map(value_text)
                .collect();
            if items.is_empty() {
                return;
            }
            match style {
                ParamStyle::SpaceDelimited => pairs.push(format!("{name}={}", items.join("%20"))),
                ParamStyle::PipeDelimited => pairs.push(format!("{name}={}", items.join("|"))),
                _ if parameter.explode => pairs.extend(items.iter().map(|i| format!("{name}={i}"))),
                _ => pairs.push(format!("{name}={}", items.join(","))),
            }
        }
        (Value::Object(map), _) => {
            if parameter.explode {
                pairs.extend(
                    map.iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, v)| format!("{}={}", encode(k, false), value_text(v))),
                );
            } else {
                let flat: Vec<String> = map
                    .iter()
                    .flat_map(|(k, v)| [encode(k, false), value_text(v)])
                    .collect();
                pairs.push(format!("{name}={}", flat.join(",")));
            }
        }
        (scalar, _) => pairs.push(format!("{name}={}", value_text(scalar))),
    }
}

/// `filter[status]=active&filter[tags][0]=a`: brackets literal, keys and values encoded.
fn deep_object(pairs: &mut Vec<String>, prefix: &str, value: &Value, reserved: bool) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                deep_object(
                    pairs,
                    &format!("{prefix}[{}]", encode(key, false)),
                    item,
                    reserved,
                );
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                deep_object(pairs, &format!("{prefix}[{index}]"), item, reserved);
            }
        }
        Value::Null => {}
        scalar => {
            let key = if prefix.contains('[') {
                prefix.to_owned()
            } else {
                encode(prefix, false)
            };
            pairs.push(format!("{key}={}", encode(&scalar_text(scalar), reserved)));
        }
    }
}

/// A header parameter's value (`simple` style). Line breaks and other control characters
/// are refused so an argument can never add a header.
pub(super) fn header_value(parameter: &Parameter, value: &Value) -> Result<String, String> {
    let text = match value {
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(","),
        Value::Object(map) if parameter.explode => map
            .iter()
            .map(|(k, v)| format!("{k}={}", scalar_text(v)))
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| [k.clone(), scalar_text(v)])
            .collect::<Vec<_>>()
            .join(","),
        scalar => scalar_text(scalar),
    };
    if text.chars().any(|c| c.is_control() && c != '\t') {
        return Err(format!(
            "header argument `{}` contains a line break or control character, which is not allowed",
            parameter.argument
        ));
    }
    Ok(text)
}

/// A cookie parameter's encoded value (`form` style, arrays comma-joined).
pub(super) fn cookie_value(value: &Value) -> String {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| encode(&scalar_text(v), false))
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| [encode(k, false), encode(&scalar_text(v), false)])
            .collect::<Vec<_>>()
            .join(","),
        scalar => encode(&scalar_text(scalar), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rest_mcp_openapi::ParamLocation;
    use serde_json::json;

    fn param(style: ParamStyle, explode: bool) -> Parameter {
        Parameter {
            name: "color".into(),
            location: ParamLocation::Query,
            argument: "color".into(),
            required: false,
            style,
            explode,
            allow_reserved: false,
            deprecated: false,
            schema: json!({}),
        }
    }

    fn query(style: ParamStyle, explode: bool, value: Value) -> String {
        let mut pairs = Vec::new();
        append_query(&mut pairs, &param(style, explode), &value);
        pairs.join("&")
    }

    #[test]
    fn query_styles_follow_the_openapi_examples() {
        let array = json!(["blue", "black", "brown"]);
        let object = json!({"R": 100, "G": 200, "B": 150});
        assert_eq!(query(ParamStyle::Form, true, json!("blue")), "color=blue");
        assert_eq!(
            query(ParamStyle::Form, true, array.clone()),
            "color=blue&color=black&color=brown"
        );
        assert_eq!(
            query(ParamStyle::Form, false, array.clone()),
            "color=blue,black,brown"
        );
        assert_eq!(
            query(ParamStyle::SpaceDelimited, false, array.clone()),
            "color=blue%20black%20brown"
        );
        assert_eq!(
            query(ParamStyle::PipeDelimited, false, array),
            "color=blue|black|brown"
        );
        assert_eq!(
            query(ParamStyle::Form, true, object.clone()),
            "R=100&G=200&B=150"
        );
        assert_eq!(
            query(ParamStyle::Form, false, object.clone()),
            "color=R,100,G,200,B,150"
        );
        assert_eq!(
            query(ParamStyle::DeepObject, true, object),
            "color[R]=100&color[G]=200&color[B]=150"
        );
        assert_eq!(
            query(ParamStyle::DeepObject, true, json!({"a": {"b": [1, 2]}})),
            "color[a][b][0]=1&color[a][b][1]=2"
        );
        assert_eq!(query(ParamStyle::Form, true, json!(null)), "");
        assert_eq!(query(ParamStyle::Form, true, json!(true)), "color=true");
    }

    #[test]
    fn query_values_cannot_add_pairs() {
        assert_eq!(
            query(ParamStyle::Form, true, json!("a&admin=1#x")),
            "color=a%26admin%3D1%23x"
        );
        let mut reserved = param(ParamStyle::Form, true);
        reserved.allow_reserved = true;
        let mut pairs = Vec::new();
        append_query(&mut pairs, &reserved, &json!("a/b:c&d=e"));
        assert_eq!(pairs, ["color=a/b:c%26d%3De"]);
    }

    #[test]
    fn header_values_refuse_line_breaks() {
        let mut header = param(ParamStyle::Simple, false);
        header.location = ParamLocation::Header;
        assert_eq!(header_value(&header, &json!([1, 2])).as_deref(), Ok("1,2"));
        assert!(header_value(&header, &json!("x\r\nX-Admin: 1")).is_err());
        assert!(header_value(&header, &json!("x\n")).is_err());
        assert_eq!(cookie_value(&json!("a b;c")), "a%20b%3Bc");
    }
}
