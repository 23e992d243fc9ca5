//! Tool arguments: which argument carries each parameter and body part.
//!
//! Argument names are sanitized wire names. When two collide, parameters claim theirs in
//! the order path, query, header, cookie, and later claimants are prefixed with their
//! location (`query_id`, `body_id`); a numeric suffix settles anything left.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::error::{Diagnostics, SourceRef};
use crate::model::{
    BodyEncoding, BodyField, BodyMapping, ParamLocation, ParamStyle, Parameter, RequestBody,
};
use crate::naming::argument_name;

/// A parameter before its argument name is chosen.
#[derive(Clone, Debug)]
pub(crate) struct ParameterDraft {
    pub(crate) name: String,
    /// The argument name the front end chose (code-built operations), else derived from
    /// the wire name.
    pub(crate) argument: Option<String>,
    pub(crate) location: ParamLocation,
    pub(crate) required: bool,
    pub(crate) style: ParamStyle,
    pub(crate) explode: bool,
    pub(crate) allow_reserved: bool,
    pub(crate) deprecated: bool,
    pub(crate) schema: Value,
}

/// A request body before its arguments are chosen; the schema is already lowered.
#[derive(Clone, Debug)]
pub(crate) struct BodyDraft {
    pub(crate) media_type: String,
    pub(crate) encoding: BodyEncoding,
    pub(crate) required: bool,
    pub(crate) description: Option<String>,
    pub(crate) schema: Value,
    pub(crate) alternatives: Vec<String>,
    /// The front end carries the whole body in this argument (code-built operations);
    /// else the schema decides between one argument and flattened fields.
    pub(crate) whole_argument: Option<String>,
}

/// Unique argument names within one operation.
#[derive(Default)]
struct Claims {
    taken: HashSet<String>,
}

impl Claims {
    /// Claim `base`, else `{fallback_prefix}_{base}`, else that with `_2`, `_3`, ...
    fn claim(&mut self, base: &str, fallback_prefix: &str) -> String {
        if self.taken.insert(base.to_owned()) {
            return base.to_owned();
        }
        let prefixed = format!("{fallback_prefix}_{base}");
        let mut candidate = prefixed.clone();
        let mut counter = 2;
        while !self.taken.insert(candidate.clone()) {
            candidate = format!("{prefixed}_{counter}");
            counter += 1;
        }
        candidate
    }
}

/// Choose argument names for parameters and the body. Parameters claim their names, and
/// are listed, in the order path, query, header, cookie, except when the front end named
/// every argument itself (operations built in code): then they keep the order given.
pub(crate) fn bind(
    mut parameters: Vec<ParameterDraft>,
    body: Option<BodyDraft>,
    source: &SourceRef,
    diagnostics: &mut Diagnostics,
) -> (Vec<Parameter>, Option<RequestBody>) {
    if !parameters.iter().all(|p| p.argument.is_some()) {
        parameters.sort_by_key(|p| location_rank(p.location));
    }
    let mut claims = Claims::default();
    let parameters = parameters
        .into_iter()
        .map(|p| Parameter {
            argument: claims.claim(
                &p.argument.unwrap_or_else(|| argument_name(&p.name)),
                p.location.as_str(),
            ),
            name: p.name,
            location: p.location,
            required: p.required || p.location == ParamLocation::Path,
            style: p.style,
            explode: p.explode,
            allow_reserved: p.allow_reserved,
            deprecated: p.deprecated,
            schema: p.schema,
        })
        .collect();
    let body = body.map(|body| bind_body(body, &mut claims, source, diagnostics));
    (parameters, body)
}

fn location_rank(location: ParamLocation) -> u8 {
    match location {
        ParamLocation::Path => 0,
        ParamLocation::Query => 1,
        ParamLocation::Header => 2,
        ParamLocation::Cookie => 3,
    }
}

fn bind_body(
    body: BodyDraft,
    claims: &mut Claims,
    source: &SourceRef,
    diagnostics: &mut Diagnostics,
) -> RequestBody {
    let structured = matches!(
        body.encoding,
        BodyEncoding::Json | BodyEncoding::FormUrlEncoded | BodyEncoding::Multipart
    );
    let mapping = if let Some(argument) = &body.whole_argument {
        BodyMapping::Whole {
            argument: claims.claim(argument, "request"),
            schema: whole_body_schema(&body),
        }
    } else if structured && admits_only_empty_object(&body.schema) {
        // Nothing can be sent (Stripe declares such bodies on GETs): no argument at all.
        BodyMapping::Flattened { fields: Vec::new() }
    } else if structured && is_flattenable(&body.schema) {
        flatten(&body, claims)
    } else {
        if matches!(
            body.encoding,
            BodyEncoding::FormUrlEncoded | BodyEncoding::Multipart
        ) && !is_objectish(&body.schema)
        {
            diagnostics.warn(
                source.child("requestBody"),
                format!(
                    "the {} body schema is not an object, so it cannot be sent as form fields; \
                     the whole body is one `body` argument and must be an object at call time",
                    body.media_type
                ),
            );
        }
        BodyMapping::Whole {
            argument: claims.claim("body", "request"),
            schema: whole_body_schema(&body),
        }
    };
    RequestBody {
        media_type: body.media_type,
        encoding: body.encoding,
        required: body.required,
        description: body.description,
        mapping,
        alternatives: body.alternatives,
    }
}

/// An object body with named properties and nothing that flattening would lose.
fn is_flattenable(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    let has_properties = map
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    let loses_something = [
        "oneOf",
        "anyOf",
        "allOf",
        "not",
        "if",
        "patternProperties",
        "dependentSchemas",
    ]
    .iter()
    .any(|k| map.contains_key(*k))
        || matches!(map.get("additionalProperties"), Some(v) if v != &Value::Bool(false));
    has_properties && !loses_something && is_objectish(schema)
}

/// `{type: object, additionalProperties: false}` with no properties: only `{}` is valid.
fn admits_only_empty_object(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    let no_properties = map
        .get("properties")
        .and_then(Value::as_object)
        .is_none_or(|p| p.is_empty());
    let composed = ["oneOf", "anyOf", "allOf", "patternProperties"]
        .iter()
        .any(|k| map.contains_key(*k));
    is_objectish(schema)
        && no_properties
        && !composed
        && map.get("additionalProperties") == Some(&Value::Bool(false))
}

fn is_objectish(schema: &Value) -> bool {
    match schema.get("type") {
        None => schema.get("properties").is_some(),
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
        Some(_) => false,
    }
}

fn flatten(body: &BodyDraft, claims: &mut Claims) -> BodyMapping {
    let empty = Map::new();
    let properties = body
        .schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required: Vec<&str> = body
        .schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields = properties
        .iter()
        .map(|(property, schema)| {
            let file = body.encoding == BodyEncoding::Multipart && is_file_schema(schema);
            BodyField {
                argument: claims.claim(&argument_name(property), "body"),
                property: property.clone(),
                required: required.contains(&property.as_str()),
                file,
                schema: if file {
                    file_argument_schema(schema)
                } else {
                    schema.clone()
                },
            }
        })
        .collect();
    BodyMapping::Flattened { fields }
}

/// A binary string (`format: binary`, or a `contentMediaType` without an encoding), or an
/// array of them.
fn is_file_schema(schema: &Value) -> bool {
    let is_binary = |s: &Value| {
        s.get("format").is_some_and(|f| f == "binary")
            || (s.get("contentMediaType").is_some() && s.get("contentEncoding").is_none())
    };
    is_binary(schema)
        || schema
            .get("items")
            .is_some_and(|items| items.is_object() && is_binary(items))
}

/// The argument shape for a file part: content as base64 plus an optional file name and
/// media type; an array of those when the part repeats.
fn file_argument_schema(part: &Value) -> Value {
    let file = json!({
        "type": "object",
        "properties": {
            "content": {"type": "string", "contentEncoding": "base64", "description": "File content, base64-encoded."},
            "filename": {"type": "string", "description": "File name sent with the part."},
            "content_type": {"type": "string", "description": "Media type of the part (default: application/octet-stream)."}
        },
        "required": ["content"],
        "additionalProperties": false
    });
    let mut schema = if part.get("items").is_some() {
        json!({"type": "array", "items": file})
    } else {
        file
    };
    if let Some(description) = part.get("description")
        && let Some(map) = schema.as_object_mut()
    {
        map.insert("description".into(), description.clone());
    }
    schema
}

/// The schema of a `body` argument that carries the whole body.
fn whole_body_schema(body: &BodyDraft) -> Value {
    let mut schema = match body.encoding {
        BodyEncoding::Binary => json!({
            "type": "string",
            "contentEncoding": "base64",
            "contentMediaType": body.media_type,
        }),
        BodyEncoding::Text => json!({"type": "string"}),
        _ => body.schema.clone(),
    };
    let summary = match body.encoding {
        BodyEncoding::Binary => Some(format!(
            "Request body ({}), base64-encoded.",
            body.media_type
        )),
        BodyEncoding::Text => Some(format!("Request body ({}), sent as is.", body.media_type)),
        _ => None,
    };
    let description = match (body.description.as_deref(), summary) {
        (Some(d), Some(s)) => Some(format!("{d}\n\n{s}")),
        (Some(d), None) => Some(d.to_owned()),
        (None, s) => s,
    };
    if let (Some(description), Some(map)) = (description, schema.as_object_mut()) {
        map.entry("description")
            .or_insert(Value::String(description));
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(name: &str, location: ParamLocation) -> ParameterDraft {
        ParameterDraft {
            name: name.into(),
            argument: None,
            location,
            required: false,
            style: ParamStyle::default_for(location),
            explode: true,
            allow_reserved: false,
            deprecated: false,
            schema: json!({"type": "string"}),
        }
    }

    fn body(encoding: BodyEncoding, media_type: &str, schema: Value) -> BodyDraft {
        BodyDraft {
            media_type: media_type.into(),
            encoding,
            required: true,
            description: None,
            schema,
            alternatives: vec![],
            whole_argument: None,
        }
    }

    fn run(
        params: Vec<ParameterDraft>,
        body: Option<BodyDraft>,
    ) -> (Vec<Parameter>, Option<RequestBody>, Vec<String>) {
        let mut diagnostics = Diagnostics::default();
        let (p, b) = bind(
            params,
            body,
            &SourceRef::new("spec", "/paths/~1x/post"),
            &mut diagnostics,
        );
        (
            p,
            b,
            diagnostics
                .into_vec()
                .into_iter()
                .map(|d| d.message)
                .collect(),
        )
    }

    #[test]
    fn collisions_are_renamed_by_location() {
        let object = json!({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}, "required": ["name"]});
        let (params, body, _) = run(
            vec![
                param("id", ParamLocation::Query),
                param("id", ParamLocation::Path),
                param("filter[id]", ParamLocation::Query),
            ],
            Some(body(BodyEncoding::Json, "application/json", object)),
        );
        let args: Vec<(&str, &str)> = params
            .iter()
            .map(|p| (p.name.as_str(), p.argument.as_str()))
            .collect();
        assert_eq!(
            args,
            [
                ("id", "id"),
                ("id", "query_id"),
                ("filter[id]", "filter_id")
            ]
        );
        assert!(params[0].required, "path parameters are always required");
        let Some(RequestBody {
            mapping: BodyMapping::Flattened { fields },
            ..
        }) = body
        else {
            panic!("flattened")
        };
        assert_eq!(fields[0].argument, "body_id");
        assert_eq!(
            (fields[1].argument.as_str(), fields[1].required),
            ("name", true)
        );
    }

    #[test]
    fn non_object_and_open_bodies_are_one_argument() {
        for schema in [
            json!({"type": "array", "items": {"type": "string"}}),
            json!({"type": "object", "additionalProperties": {"type": "string"}, "properties": {"a": {}}}),
            json!({"oneOf": [{"type": "object", "properties": {"a": {}}}, {"type": "string"}]}),
            json!({}),
        ] {
            let (_, body, _) = run(
                vec![param("body", ParamLocation::Query)],
                Some(body(BodyEncoding::Json, "application/json", schema.clone())),
            );
            let Some(RequestBody {
                mapping:
                    BodyMapping::Whole {
                        argument,
                        schema: got,
                    },
                ..
            }) = body
            else {
                panic!("whole")
            };
            assert_eq!(argument, "request_body");
            assert_eq!(got, schema);
        }
    }

    #[test]
    fn multipart_binary_parts_become_file_arguments() {
        let schema = json!({"type": "object", "properties": {
            "file": {"type": "string", "format": "binary", "description": "The upload"},
            "more": {"type": "array", "items": {"type": "string", "contentMediaType": "image/png"}},
            "note": {"type": "string"}
        }});
        let (_, body, _) = run(
            vec![],
            Some(body(BodyEncoding::Multipart, "multipart/form-data", schema)),
        );
        let Some(RequestBody {
            mapping: BodyMapping::Flattened { fields },
            ..
        }) = body
        else {
            panic!("flattened")
        };
        assert!(fields[0].file && fields[1].file && !fields[2].file);
        assert_eq!(fields[0].schema["required"], json!(["content"]));
        assert_eq!(fields[0].schema["description"], "The upload");
        assert_eq!(fields[1].schema["type"], "array");
    }

    #[test]
    fn raw_bodies_are_strings() {
        let (_, b, _) = run(
            vec![],
            Some(body(
                BodyEncoding::Binary,
                "application/octet-stream",
                json!({"type": "string", "format": "binary"}),
            )),
        );
        let Some(RequestBody {
            mapping: BodyMapping::Whole { schema, .. },
            ..
        }) = b
        else {
            panic!()
        };
        assert_eq!(schema["contentEncoding"], "base64");
        let (_, b, _) = run(
            vec![],
            Some(body(BodyEncoding::Text, "text/plain", json!({}))),
        );
        let Some(RequestBody {
            mapping: BodyMapping::Whole { schema, .. },
            ..
        }) = b
        else {
            panic!()
        };
        assert_eq!(schema["type"], "string");
    }

    #[test]
    fn bodies_that_admit_only_the_empty_object_take_no_argument() {
        let schema = json!({"type": "object", "properties": {}, "additionalProperties": false});
        let (_, b, _) = run(
            vec![],
            Some(body(
                BodyEncoding::FormUrlEncoded,
                "application/x-www-form-urlencoded",
                schema,
            )),
        );
        assert_eq!(
            b.map(|b| b.mapping),
            Some(BodyMapping::Flattened { fields: vec![] })
        );
    }

    #[test]
    fn form_bodies_that_are_not_objects_are_reported() {
        let (_, b, messages) = run(
            vec![],
            Some(body(
                BodyEncoding::FormUrlEncoded,
                "application/x-www-form-urlencoded",
                json!({"type": "string"}),
            )),
        );
        assert!(matches!(
            b.map(|b| b.mapping),
            Some(BodyMapping::Whole { .. })
        ));
        assert!(messages[0].contains("cannot be sent as form fields"));
    }
}
