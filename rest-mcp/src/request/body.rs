//! Request bodies in every encoding: JSON, form-urlencoded with nested values in bracket
//! notation (`metadata[key]=v`, `items[0][price]=p`), multipart with file parts, binary
//! (base64 in) and text.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use rest_mcp_openapi::{BodyEncoding, BodyField, BodyMapping, RequestBody};
use serde_json::{Map, Value};

use super::path::scalar_text;
use super::{MultipartPart, PreparedBody};

/// Build the body from the arguments that target it; `None` when nothing was given for an
/// optional body.
pub(super) fn build(
    body: &RequestBody,
    whole: Option<&Value>,
    fields: &[(&BodyField, &Value)],
) -> Result<Option<PreparedBody>, String> {
    let value = match &body.mapping {
        BodyMapping::Whole { .. } => match whole {
            Some(value) => value.clone(),
            None => return Ok(None),
        },
        BodyMapping::Flattened { .. } => {
            if fields.is_empty() && !body.required {
                return Ok(None);
            }
            Value::Object(
                fields
                    .iter()
                    .map(|(field, value)| (field.property.clone(), (*value).clone()))
                    .collect(),
            )
        }
    };
    let prepared = match body.encoding {
        BodyEncoding::Json => PreparedBody::Bytes {
            content_type: body.media_type.clone(),
            data: serde_json::to_vec(&value).map_err(|e| e.to_string())?,
        },
        BodyEncoding::FormUrlEncoded => {
            let Value::Object(map) = &value else {
                return Err("the body must be an object to be sent as form fields".to_owned());
            };
            let mut pairs = Vec::new();
            for (key, item) in map {
                bracket_pairs(key, item, &mut pairs);
            }
            PreparedBody::Form(pairs)
        }
        BodyEncoding::Multipart => multipart(&value, fields)?,
        BodyEncoding::Binary => PreparedBody::Bytes {
            content_type: body.media_type.clone(),
            data: match &value {
                Value::String(text) => {
                    decode_base64(text).map_err(|e| format!("the body must be base64: {e}"))?
                }
                _ => return Err("the body must be a base64-encoded string".to_owned()),
            },
        },
        BodyEncoding::Text => PreparedBody::Bytes {
            content_type: body.media_type.clone(),
            data: scalar_text(&value).into_bytes(),
        },
    };
    Ok(Some(prepared))
}

/// Flatten a value into form pairs with bracket notation. `null` is skipped.
fn bracket_pairs(prefix: &str, value: &Value, pairs: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                bracket_pairs(&format!("{prefix}[{key}]"), item, pairs);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                bracket_pairs(&format!("{prefix}[{index}]"), item, pairs);
            }
        }
        Value::Null => {}
        scalar => pairs.push((prefix.to_owned(), scalar_text(scalar))),
    }
}

fn multipart(value: &Value, fields: &[(&BodyField, &Value)]) -> Result<PreparedBody, String> {
    let Value::Object(map) = value else {
        return Err("the body must be an object to be sent as multipart parts".to_owned());
    };
    let is_file = |name: &str| fields.iter().any(|(f, _)| f.property == name && f.file);
    let mut parts = Vec::new();
    for (name, item) in map {
        match item {
            Value::Null => {}
            Value::Array(files) if is_file(name) => {
                for file in files {
                    parts.push(file_part(name, file)?);
                }
            }
            file if is_file(name) => parts.push(file_part(name, file)?),
            Value::Object(_) | Value::Array(_) => parts.push(MultipartPart {
                name: name.clone(),
                filename: None,
                content_type: Some("application/json".to_owned()),
                data: item.to_string().into_bytes(),
            }),
            scalar => parts.push(MultipartPart {
                name: name.clone(),
                filename: None,
                content_type: None,
                data: scalar_text(scalar).into_bytes(),
            }),
        }
    }
    Ok(PreparedBody::Multipart(parts))
}

/// `{content (base64), filename?, content_type?}` → a file part.
fn file_part(name: &str, file: &Value) -> Result<MultipartPart, String> {
    let object: &Map<String, Value> = file
        .as_object()
        .ok_or_else(|| format!("`{name}` must be an object {{content, filename, content_type}}"))?;
    let content = object
        .get("content")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("`{name}.content` must be the file's bytes as a base64 string"))?;
    let data =
        decode_base64(content).map_err(|e| format!("`{name}.content` is not valid base64: {e}"))?;
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(MultipartPart {
        name: name.to_owned(),
        filename: Some(text("filename").unwrap_or_else(|| name.to_owned())),
        content_type: Some(
            text("content_type").unwrap_or_else(|| "application/octet-stream".to_owned()),
        ),
        data,
    })
}

/// Decode base64 as models send it: standard or URL-safe alphabet, with or without
/// padding, with line breaks, or as a `data:` URI.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let text = match text.strip_prefix("data:") {
        Some(uri) => uri.split_once(',').map_or(uri, |(_, data)| data),
        None => text,
    };
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(&compact).ok())
        .ok_or_else(|| "expected standard or URL-safe base64".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_form_values_use_bracket_notation() {
        let mut pairs = Vec::new();
        bracket_pairs(
            "metadata",
            &json!({"order": "6735", "note": null}),
            &mut pairs,
        );
        bracket_pairs(
            "items",
            &json!([{"price": "p_1", "quantity": 2}]),
            &mut pairs,
        );
        bracket_pairs("expand", &json!(["customer"]), &mut pairs);
        bracket_pairs("amount", &json!(2000), &mut pairs);
        let got: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("metadata[order]", "6735"),
                ("items[0][price]", "p_1"),
                ("items[0][quantity]", "2"),
                ("expand[0]", "customer"),
                ("amount", "2000")
            ]
        );
    }

    #[test]
    fn base64_in_every_common_shape() {
        for text in [
            "aGk/Pw==",
            "aGk/Pw",
            "aGk_Pw==",
            "aGk_Pw",
            "aGk/\nPw==",
            "data:text/plain;base64,aGk/Pw==",
        ] {
            assert_eq!(decode_base64(text).as_deref(), Ok(&b"hi??"[..]), "{text}");
        }
        assert!(decode_base64("not base64!").is_err());
    }
}
