use super::*;
use crate::Origin;
use crate::options::ExternalRefs;

fn lower_with(
    root: Value,
    pointer: &str,
    direction: Direction,
    limits: SchemaLimits,
    openapi30: bool,
) -> (Value, Vec<String>) {
    let resolver = Resolver::new(
        root,
        Origin::inline("spec"),
        ExternalRefs::default(),
        &mut Diagnostics::default(),
    );
    let mut lowerer = SchemaLowerer::new(&resolver, openapi30, limits);
    let mut diagnostics = Diagnostics::default();
    let schema = resolver
        .root()
        .pointer(pointer)
        .cloned()
        .unwrap_or(Value::Null);
    let site = Site {
        doc: resolver.root_id(),
        pointer: pointer.into(),
    };
    let lowered = lowerer.lower(&schema, &site, direction, &mut diagnostics);
    let messages = diagnostics
        .into_vec()
        .into_iter()
        .map(|d| d.message)
        .collect();
    (lowered, messages)
}

fn lower30(root: Value, pointer: &str) -> Value {
    lower_with(
        root,
        pointer,
        Direction::Input,
        SchemaLimits::default(),
        true,
    )
    .0
}

fn contains_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(contains_ref),
        Value::Array(items) => items.iter().any(contains_ref),
        _ => false,
    }
}

#[test]
fn openapi30_dialect_becomes_2020_12() {
    let root = json!({"s": {
        "type": "integer", "nullable": true, "minimum": 1, "exclusiveMinimum": true,
        "maximum": 9, "exclusiveMaximum": false, "example": 3, "x-internal": 1,
        "xml": {"name": "n"}
    }});
    assert_eq!(
        lower30(root, "/s"),
        json!({"type": ["integer", "null"], "exclusiveMinimum": 1, "maximum": 9, "examples": [3]})
    );
}

#[test]
fn nullable_enum_and_untyped_schemas_accept_null() {
    let root = json!({
        "e": {"type": "string", "enum": ["a"], "nullable": true},
        "u": {"description": "d", "nullable": true, "allOf": [{"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}, {"required": ["x"]}]}
    });
    assert_eq!(
        lower30(root.clone(), "/e"),
        json!({"type": ["string", "null"], "enum": ["a", null]})
    );
    let u = lower30(root, "/u");
    assert_eq!(u["description"], "d");
    assert_eq!(u["anyOf"][1], json!({"type": "null"}));
}

#[test]
fn refs_are_inlined_with_sibling_annotations() {
    let root = json!({
        "components": {"schemas": {"Id": {"type": "integer", "description": "An id"}}},
        "s": {"type": "object", "properties": {
            "a": {"$ref": "#/components/schemas/Id"},
            "b": {"$ref": "#/components/schemas/Id", "description": "Owner id"},
            "c": {"$ref": "#/components/schemas/Id", "minimum": 3}
        }}
    });
    let s = lower30(root, "/s");
    assert_eq!(
        s["properties"]["a"],
        json!({"type": "integer", "description": "An id"})
    );
    assert_eq!(s["properties"]["b"]["description"], "Owner id");
    assert_eq!(s["properties"]["c"]["allOf"][1], json!({"minimum": 3}));
    assert!(!contains_ref(&s));
}

#[test]
fn recursion_is_cut_with_a_note() {
    let root = json!({"components": {"schemas": {"Node": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}
        }}}, "s": {"$ref": "#/components/schemas/Node"}});
    let limits = SchemaLimits {
        max_recursion: 0,
        ..SchemaLimits::default()
    };
    let (s, messages) = lower_with(root.clone(), "/s", Direction::Input, limits, true);
    let cut = &s["properties"]["children"]["items"];
    assert_eq!(cut["type"], "object");
    assert!(
        cut["description"]
            .as_str()
            .is_some_and(|d| d.contains("Recursive reference to `Node`"))
    );
    assert!(messages.iter().any(|m| m.contains("recursive")));
    let limits = SchemaLimits {
        max_recursion: 1,
        ..SchemaLimits::default()
    };
    let (deeper, _) = lower_with(root, "/s", Direction::Input, limits, true);
    let nested = &deeper["properties"]["children"]["items"]["properties"]["children"]["items"];
    assert!(
        nested["description"]
            .as_str()
            .is_some_and(|d| d.contains("Recursive"))
    );
    assert!(!contains_ref(&deeper));
}

#[test]
fn mutual_recursion_and_the_expansion_budget_terminate() {
    let mut schemas = Map::new();
    for i in 0..30 {
        let props: Map<String, Value> = (0..30)
            .map(|j| {
                (
                    format!("p{j}"),
                    json!({"$ref": format!("#/components/schemas/S{j}")}),
                )
            })
            .collect();
        schemas.insert(
            format!("S{i}"),
            json!({"type": "object", "properties": props}),
        );
    }
    let root =
        json!({"components": {"schemas": schemas}, "s": {"$ref": "#/components/schemas/S0"}});
    let limits = SchemaLimits {
        max_recursion: 0,
        max_input_depth: 8,
        max_output_depth: 8,
        max_expansions: 50,
    };
    let (s, _) = lower_with(root, "/s", Direction::Output, limits, true);
    let text = s.to_string();
    assert!(text.contains("schema size limit"));
    assert!(text.len() < 200_000, "{}", text.len());
    assert!(!contains_ref(&s));
}

#[test]
fn plain_all_of_is_merged_and_others_are_kept() {
    let root = json!({
        "components": {"schemas": {"Base": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}}},
        "plain": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name", "id"]}]},
        "mixed": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}]}
    });
    assert_eq!(
        lower30(root.clone(), "/plain"),
        json!({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}, "required": ["id", "name"]})
    );
    assert!(lower30(root, "/mixed")["allOf"].is_array());
}

#[test]
fn read_only_and_write_only_depend_on_direction() {
    let root = json!({"s": {"type": "object", "required": ["id", "password"], "properties": {
        "id": {"type": "integer", "readOnly": true},
        "password": {"type": "string", "writeOnly": true}
    }}});
    let (input, _) = lower_with(
        root.clone(),
        "/s",
        Direction::Input,
        SchemaLimits::default(),
        true,
    );
    assert_eq!(input["required"], json!(["password"]));
    assert!(input["properties"].get("id").is_none());
    let (output, _) = lower_with(root, "/s", Direction::Output, SchemaLimits::default(), true);
    assert!(output["properties"].get("id").is_some());
    assert!(output["properties"].get("password").is_none());
}

#[test]
fn output_schemas_describe_shape_without_policing_values() {
    let root = json!({"s": {"type": "object", "required": ["a"], "additionalProperties": false, "properties": {
        "a": {"type": "string", "enum": ["x"], "maxLength": 3, "format": "date", "description": "A"}
    }}});
    let (output, _) = lower_with(root, "/s", Direction::Output, SchemaLimits::default(), true);
    assert_eq!(
        output,
        json!({"type": "object", "properties": {"a": {"type": "string", "description": "A"}}})
    );
}

#[test]
fn output_unions_accept_every_branch_once_required_is_gone() {
    let root = json!({"s": {"oneOf": [
        {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
        {"type": "object", "required": ["name"], "not": {"required": ["id"]}, "properties": {"name": {"type": "string"}}}
    ]}});
    let (output, _) = lower_with(root, "/s", Direction::Output, SchemaLimits::default(), true);
    assert_eq!(
        output,
        json!({"anyOf": [
            {"type": "object", "properties": {"id": {"type": "integer"}}},
            {"type": "object", "properties": {"name": {"type": "string"}}}
        ]})
    );
    let both =
        json!({"anyOf": [{"type": "object"}], "oneOf": [{"type": "object"}, {"type": "array"}]});
    let (output, _) = lower_with(
        json!({ "s": both }),
        "/s",
        Direction::Output,
        SchemaLimits::default(),
        true,
    );
    assert_eq!(output["anyOf"], json!([{"type": "object"}]));
    assert_eq!(
        output["allOf"],
        json!([{"anyOf": [{"type": "object"}, {"type": "array"}]}])
    );
}

#[test]
fn nullable_unions_and_compositions_accept_their_data_and_null() {
    // GitHub's `commit.author`: a nullable oneOf of a user and an empty object. Both
    // branches accept any object once `required` and `additionalProperties: false`
    // are gone, so a oneOf left inside the nullable wrapper rejected every author.
    let root = json!({
        "components": {"schemas": {
            "User": {"type": "object", "required": ["login"], "properties": {"login": {"type": "string"}}},
            "Empty": {"type": "object", "properties": {}, "additionalProperties": false},
            "Team": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
        }},
        "union": {"nullable": true, "oneOf": [
            {"$ref": "#/components/schemas/User"}, {"$ref": "#/components/schemas/Empty"}
        ]},
        "typed": {"type": "object", "nullable": true, "allOf": [{"$ref": "#/components/schemas/Team"}]},
        "guarded": {"nullable": true, "type": "object", "not": {"required": ["x"]}, "properties": {"x": {"type": "string"}}}
    });
    let cases = [
        (
            "/union",
            vec![json!({"login": "octocat"}), json!({}), json!(null)],
        ),
        ("/typed", vec![json!({"id": 1}), json!(null)]),
        ("/guarded", vec![json!({"x": "y"}), json!(null)]),
    ];
    for (pointer, instances) in cases {
        let (output, _) = lower_with(
            root.clone(),
            pointer,
            Direction::Output,
            SchemaLimits::default(),
            true,
        );
        let text = output.to_string();
        assert!(
            !text.contains("oneOf") && !text.contains("\"not\""),
            "{pointer}: {output}"
        );
        let validator = jsonschema::validator_for(&output).expect("compiles");
        for instance in instances {
            assert!(
                validator.is_valid(&instance),
                "{pointer}: {instance} against {output}"
            );
        }
    }
}

#[test]
fn examples_holding_a_ref_are_dropped() {
    let root = json!({"s": {"type": "object", "examples": [{"$ref": "#/components/examples/a"}, {"id": 1}]},
            "t": {"type": "object", "example": {"items": [{"$ref": "#/x"}]}}});
    assert_eq!(lower30(root.clone(), "/s")["examples"], json!([{"id": 1}]));
    assert!(lower30(root, "/t").get("examples").is_none());
}

#[test]
fn invalid_keywords_are_dropped_so_the_result_is_valid_json_schema() {
    let root = json!({"s": {"type": "date", "required": true, "enum": "x", "maxLength": 4.0, "minLength": -1,
            "discriminator": {"propertyName": "kind", "mapping": {"a": "#/components/schemas/A"}}, "items": [{"type": "string"}]}});
    assert_eq!(
        lower30(root, "/s"),
        json!({"maxLength": 4, "discriminator": {"propertyName": "kind"}, "prefixItems": [{"type": "string"}]})
    );
}

#[test]
fn unresolved_refs_become_a_described_any_schema() {
    let (s, messages) = lower_with(
        json!({"s": {"$ref": "#/nope"}}),
        "/s",
        Direction::Input,
        SchemaLimits::default(),
        true,
    );
    assert!(
        s["description"]
            .as_str()
            .is_some_and(|d| d.contains("#/nope"))
    );
    assert!(messages[0].contains("points to nothing"));
}

#[test]
fn openapi31_schemas_pass_through() {
    let root = json!({"s": {"type": ["string", "null"], "const": "a", "exclusiveMinimum": 3, "examples": ["a"]}});
    let (s, _) = lower_with(root, "/s", Direction::Input, SchemaLimits::default(), false);
    assert_eq!(
        s,
        json!({"type": ["string", "null"], "const": "a", "exclusiveMinimum": 3, "examples": ["a"]})
    );
}
