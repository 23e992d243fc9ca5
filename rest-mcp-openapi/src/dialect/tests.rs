use serde_json::{Map, Value, json};

use super::{SchemaDialect, restore_arguments};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn sample() -> Map<String, Value> {
    object(json!({
        "type": "object",
        "required": ["owner"],
        "properties": {
            "owner": {"type": "string", "pattern": "^[a-z]+$", "minLength": 1},
            "labels": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
            "milestone": {"type": ["string", "integer", "null"]},
            "meta": {"type": "object", "additionalProperties": {"type": "string"}},
            "anything": {},
            "tuple": {"type": "array"},
            "level": {"type": "integer", "enum": [1, 2, 3]},
            "kind": {"const": "issue"},
            "when": {"type": "string", "format": "date-time"},
            "site": {"type": "string", "format": "uri"},
            "flag": true
        },
        "anyOf": [{"required": ["labels"]}, {"required": ["milestone"]}]
    }))
}

#[test]
fn full_is_the_identity() {
    assert_eq!(SchemaDialect::Full.input_schema(&sample()), sample());
    assert_eq!(SchemaDialect::Full.output_schema(&sample()), sample());
}

#[test]
fn anthropic_flattens_only_the_root() {
    let served = SchemaDialect::Anthropic.input_schema(&sample());
    assert!(!served.contains_key("anyOf"));
    assert_eq!(served["type"], "object");
    assert_eq!(served["properties"]["owner"]["pattern"], "^[a-z]+$");
    assert_eq!(served["required"], json!(["owner"]));
}

#[test]
fn openai_requires_everything_and_closes_objects() {
    let served = SchemaDialect::OpenAi.input_schema(&sample());
    let properties = served["properties"].as_object().expect("properties");
    let names: Vec<&String> = properties.keys().collect();
    assert_eq!(served["required"], json!(names));
    assert_eq!(served["additionalProperties"], json!(false));
    assert_eq!(properties["owner"], json!({"type": "string"}));
    assert_eq!(
        properties["labels"],
        json!({"type": ["array", "null"], "items": {"type": "string"}})
    );
    assert_eq!(
        properties["milestone"]["type"],
        json!(["string", "integer", "null"])
    );
    assert_eq!(properties["meta"]["type"], json!(["string", "null"]));
    assert_eq!(properties["level"]["enum"], json!([1, 2, 3, null]));
    assert_eq!(properties["kind"]["enum"], json!(["issue", null]));
    assert!(properties["when"].get("format").is_none());
}

#[test]
fn gemini_uses_nullable_single_types_and_string_enums() {
    let served = SchemaDialect::Gemini.input_schema(&sample());
    let properties = served["properties"].as_object().expect("properties");
    assert_eq!(
        properties["milestone"],
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
    );
    assert_eq!(properties["meta"]["type"], "string");
    assert_eq!(properties["anything"]["type"], "string");
    assert_eq!(properties["tuple"]["items"]["type"], "string");
    assert!(properties["level"].get("enum").is_none());
    assert!(
        properties["level"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("1, 2, 3"))
    );
    assert_eq!(
        properties["kind"],
        json!({"type": "string", "enum": ["issue"]})
    );
    assert_eq!(properties["when"]["format"], "date-time");
    assert!(properties["site"].get("format").is_none());
    assert_eq!(
        properties["labels"],
        json!({"type": "array", "items": {"type": "string"}})
    );
    assert!(served.get("anyOf").is_none());
}

#[test]
fn portable_is_gemini_without_nullable() {
    let served = SchemaDialect::Portable.input_schema(&sample());
    assert!(
        !Value::Object(served.clone())
            .to_string()
            .contains("nullable")
    );
    assert_eq!(
        served["properties"]["milestone"],
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
    );
}

#[test]
fn output_schemas_are_rewritten_equivalently() {
    let schema = object(json!({"type": "object", "$schema": "x", "properties": {
        "name": {"type": ["string", "null"]}, "any": true}}));
    for dialect in [
        SchemaDialect::Anthropic,
        SchemaDialect::OpenAi,
        SchemaDialect::Gemini,
    ] {
        assert_eq!(dialect.output_schema(&schema), schema, "{dialect}");
    }
    let served = SchemaDialect::Portable.output_schema(&schema);
    let any = json!({"anyOf": [{"type": "object"}, {"type": "array"}, {"type": "string"},
                               {"type": "number"}, {"type": "boolean"}, {"type": "null"}]});
    assert_eq!(
        Value::Object(served),
        json!({"type": "object", "properties": {
            "name": {"anyOf": [{"type": "string"}, {"type": "null"}]}, "any": any}})
    );
}

#[test]
fn restored_arguments_fit_the_original() {
    let original = sample();
    for dialect in SchemaDialect::ALL {
        let served = dialect.input_schema(&original);
        let mut arguments = object(json!({
            "owner": "octocat", "labels": null, "meta": "{\"a\": \"b\"}",
            "anything": "[1, 2]", "tuple": ["[1]", "x"], "milestone": null
        }));
        restore_arguments(&original, &served, &mut arguments);
        let expected_meta = if matches!(dialect, SchemaDialect::Full | SchemaDialect::Anthropic) {
            json!("{\"a\": \"b\"}")
        } else {
            json!({"a": "b"})
        };
        assert_eq!(arguments["meta"], expected_meta, "{dialect}");
        assert!(!arguments.contains_key("labels"), "{dialect}");
        assert_eq!(
            arguments["milestone"],
            Value::Null,
            "the original accepts null"
        );
    }
}

#[test]
fn names_round_trip_and_clients_are_recognised() {
    for dialect in SchemaDialect::ALL {
        assert_eq!(dialect.name().parse::<SchemaDialect>(), Ok(dialect));
    }
    assert!("strict".parse::<SchemaDialect>().is_err());
    assert_eq!(
        SchemaDialect::of_client("Claude Desktop"),
        Some(SchemaDialect::Anthropic)
    );
    assert_eq!(
        SchemaDialect::of_client("ChatGPT"),
        Some(SchemaDialect::OpenAi)
    );
    assert_eq!(SchemaDialect::of_client("rmcp"), None);
}

#[test]
fn a_property_that_can_only_be_null_becomes_a_string() {
    let schema = object(json!({"type": "object", "properties": {"joined": {
        "type": "object", "additionalProperties": false,
        "properties": {"id": {"type": "null"}}}}}));
    let served = SchemaDialect::Portable.input_schema(&schema);
    assert_eq!(
        served["properties"]["joined"]["properties"]["id"]["type"],
        "string"
    );
    let served = SchemaDialect::Gemini.input_schema(&schema);
    assert_eq!(
        served["properties"]["joined"]["properties"]["id"]["nullable"],
        true
    );
}
