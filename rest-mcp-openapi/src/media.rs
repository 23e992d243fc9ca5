//! Media types: the one place that reduces a media type to its essence and decides how a
//! request body of that type is encoded.

use serde_json::Value;

use crate::model::BodyEncoding;

/// The essence of a media type (RFC 9110 §8.3.1): the type and subtype, lowercased,
/// without parameters: `Application/JSON; charset=utf-8` → `application/json`.
pub fn media_type_essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or(media_type)
        .trim()
        .to_ascii_lowercase()
}

/// Whether a media type is JSON: `application/json` or any `*/*+json`.
pub(crate) fn is_json(media_type: &str) -> bool {
    let essence = media_type_essence(media_type);
    essence == "application/json" || essence.ends_with("+json")
}

/// How a request media type is encoded, and how much it is preferred (lower is better):
/// JSON, then form, multipart, text, binary.
pub(crate) fn classify_media_type(media_type: &str, schema: Option<&Value>) -> (BodyEncoding, u8) {
    let essence = media_type_essence(media_type);
    let binary_schema = schema.is_some_and(|s| s.get("format").is_some_and(|f| f == "binary"));
    match essence.as_str() {
        "application/json" => (BodyEncoding::Json, 0),
        e if e.ends_with("+json") => (BodyEncoding::Json, 1),
        "application/x-www-form-urlencoded" => (BodyEncoding::FormUrlEncoded, 2),
        e if e.starts_with("multipart/") => (BodyEncoding::Multipart, 3),
        "*/*" | "application/*" if !binary_schema => (BodyEncoding::Json, 6),
        e if !binary_schema
            && (e.starts_with("text/")
                || e.ends_with("+xml")
                || e.ends_with("/xml")
                || e.ends_with("yaml")
                || e == "application/graphql"
                || e == "application/javascript") =>
        {
            (BodyEncoding::Text, 4)
        }
        e if binary_schema
            || e == "application/octet-stream"
            || e.starts_with("image/")
            || e.starts_with("audio/")
            || e.starts_with("video/")
            || e == "application/pdf"
            || e == "application/zip" =>
        {
            (BodyEncoding::Binary, 5)
        }
        _ => (BodyEncoding::Text, 7),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn essence_drops_parameters_and_case() {
        assert_eq!(
            media_type_essence(" Application/JSON ; charset=utf-8"),
            "application/json"
        );
        assert_eq!(media_type_essence("text/plain"), "text/plain");
    }

    #[test]
    fn json_and_encodings_are_recognised() {
        assert!(is_json("application/problem+json") && !is_json("text/json5"));
        let binary = serde_json::json!({"type": "string", "format": "binary"});
        assert_eq!(
            classify_media_type("application/merge-patch+json", None),
            (BodyEncoding::Json, 1)
        );
        assert_eq!(
            classify_media_type("*/*", Some(&binary)).0,
            BodyEncoding::Binary
        );
        assert_eq!(classify_media_type("text/csv", None).0, BodyEncoding::Text);
    }
}
