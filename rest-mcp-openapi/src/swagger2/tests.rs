use serde_json::{Value, json};

use super::convert;
use crate::error::{Diagnostic, Diagnostics, Severity};

/// Convert `doc` (named `spec.json`); the output and the diagnostics.
fn run(doc: Value) -> (Value, Vec<Diagnostic>) {
    let mut diagnostics = Diagnostics::default();
    let out = convert(doc, "spec.json", &mut diagnostics).expect("an object converts");
    (out, diagnostics.into_vec())
}

/// A minimal Swagger document with the keys of `extra` added to the root.
fn doc(extra: Value) -> Value {
    let mut root = json!({
        "swagger": "2.0", "info": { "title": "T", "version": "1" }, "paths": {},
    });
    if let (Value::Object(root), Value::Object(extra)) = (&mut root, extra) {
        root.extend(extra);
    }
    root
}

/// A document whose only operation is `POST /things/{id}`, plus root keys `extra`.
fn with_op(op: Value, extra: Value) -> Value {
    let mut extra = extra;
    if let Value::Object(map) = &mut extra {
        map.insert("paths".into(), json!({ "/things/{id}": { "post": op } }));
    }
    doc(extra)
}

/// Pointer of the test operation in the output.
const OP: &str = "/paths/~1things~1{id}/post";

/// Check `(pointer, expected)` pairs; an expected `null` means "absent".
fn check(case: &str, out: &Value, checks: &[(&str, Value)]) {
    for (pointer, expected) in checks {
        let actual = out.pointer(pointer);
        if expected.is_null() {
            assert_eq!(
                actual, None,
                "{case}: {pointer} should be absent in {out:#}"
            );
        } else {
            assert_eq!(actual, Some(expected), "{case}: {pointer} in {out:#}");
        }
    }
}

/// The pointers of the diagnostics with `severity`.
fn pointers(diagnostics: &[Diagnostic], severity: Severity) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .map(|d| d.location.pointer.clone())
        .collect()
}

#[test]
fn copies_document_fields_and_extensions() {
    let (out, diagnostics) = run(doc(json!({
        "tags": [{ "name": "pets" }],
        "externalDocs": { "url": "https://docs" },
        "security": [{ "key": [] }],
        "x-logo": "logo.png",
        "paths": { "x-paths-ext": 1, "/a": { "$ref": "other.yaml#/paths/a", "x-item": 2 } },
    })));
    check(
        "document",
        &out,
        &[
            ("/openapi", json!("3.0.3")),
            ("/info/title", json!("T")),
            ("/tags/0/name", json!("pets")),
            ("/externalDocs/url", json!("https://docs")),
            ("/security/0/key", json!([])),
            ("/x-logo", json!("logo.png")),
            ("/paths/x-paths-ext", json!(1)),
            ("/paths/~1a/$ref", json!("other.yaml#/paths/a")),
            ("/paths/~1a/x-item", json!(2)),
            ("/swagger", Value::Null),
            ("/components", Value::Null),
        ],
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

#[test]
fn servers_from_host_base_path_and_schemes() {
    let cases = [
        ("nothing", json!({}), json!([{ "url": "/" }])),
        (
            "base path only",
            json!({ "basePath": "/v1/" }),
            json!([{ "url": "/v1" }]),
        ),
        (
            "host only",
            json!({ "host": "api.x" }),
            json!([{ "url": "https://api.x" }]),
        ),
        (
            "root base path",
            json!({ "host": "api.x/", "basePath": "/" }),
            json!([{ "url": "https://api.x" }]),
        ),
        (
            "schemes in order",
            json!({ "host": "api.x:8080", "basePath": "v2", "schemes": ["http", "https"] }),
            json!([{ "url": "http://api.x:8080/v2" }, { "url": "https://api.x:8080/v2" }]),
        ),
        (
            "host not a string",
            json!({ "host": 7, "basePath": "/api" }),
            json!([{ "url": "/api" }]),
        ),
    ];
    for (case, extra, expected) in cases {
        let (out, _) = run(doc(extra));
        check(case, &out, &[("/servers", expected)]);
    }
}

#[test]
fn operation_level_schemes_become_operation_servers() {
    let op = json!({ "schemes": ["http"], "responses": {} });
    let (out, _) = run(with_op(op, json!({ "host": "h", "basePath": "/b" })));
    check(
        "op servers",
        &out,
        &[(&format!("{OP}/servers"), json!([{ "url": "http://h/b" }]))],
    );
}

#[test]
fn operation_fields_are_kept() {
    let op = json!({
        "operationId": "make", "summary": "S", "description": "D", "tags": ["t"],
        "deprecated": true, "security": [{ "oauth": ["w"] }], "x-op": true,
        "externalDocs": { "url": "u" }, "responses": { "200": { "description": "ok" } },
    });
    let (out, _) = run(with_op(op, json!({})));
    let keys = [
        "operationId",
        "summary",
        "description",
        "tags",
        "deprecated",
        "security",
    ];
    for key in keys.into_iter().chain(["x-op", "externalDocs"]) {
        assert!(
            out.pointer(&format!("{OP}/{key}")).is_some(),
            "{key} in {out:#}"
        );
    }
    check(
        "op",
        &out,
        &[(&format!("{OP}/responses/200/description"), json!("ok"))],
    );
}

#[test]
fn body_parameter_becomes_request_body() {
    let body = json!({ "in": "body", "name": "b", "required": true, "description": "The thing",
                           "schema": { "$ref": "#/definitions/Thing" }, "x-body": 1 });
    let schema = json!({ "schema": { "$ref": "#/components/schemas/Thing" } });
    let cases = [
        (
            "default media type",
            json!({}),
            json!({}),
            vec!["application/json"],
        ),
        (
            "global consumes",
            json!({}),
            json!({ "consumes": ["text/xml"] }),
            vec!["text/xml"],
        ),
        (
            "operation consumes wins",
            json!({ "consumes": ["application/json", "application/xml"] }),
            json!({ "consumes": ["text/xml"] }),
            vec!["application/json", "application/xml"],
        ),
    ];
    for (case, op_extra, root, media_types) in cases {
        let mut op = json!({ "parameters": [body.clone()], "responses": {} });
        if let (Value::Object(op), Value::Object(extra)) = (&mut op, op_extra) {
            op.extend(extra);
        }
        let (out, _) = run(with_op(op, root));
        let content: Value = media_types
            .iter()
            .map(|m| (m.to_string(), schema.clone()))
            .collect();
        check(
            case,
            &out,
            &[
                (&format!("{OP}/requestBody/content"), content),
                (&format!("{OP}/requestBody/required"), json!(true)),
                (&format!("{OP}/requestBody/description"), json!("The thing")),
                (&format!("{OP}/requestBody/x-body"), json!(1)),
                (&format!("{OP}/parameters"), Value::Null),
            ],
        );
    }
}

#[test]
fn form_parameters_become_one_request_body() {
    let file = json!({ "in": "formData", "name": "upload", "type": "file", "required": true });
    let name = json!({ "in": "formData", "name": "name", "type": "string", "maxLength": 9,
                           "description": "Who" });
    let cases = [
        (
            "file → multipart",
            vec![file.clone(), name.clone()],
            json!(null),
            vec![super::MULTIPART],
        ),
        (
            "no file → urlencoded",
            vec![name.clone()],
            json!(null),
            vec![super::URL_ENCODED],
        ),
        (
            "consumes lists multipart",
            vec![name.clone()],
            json!(["multipart/form-data"]),
            vec![super::MULTIPART],
        ),
        (
            "consumes lists both",
            vec![name.clone()],
            json!([super::URL_ENCODED, super::MULTIPART]),
            vec![super::URL_ENCODED, super::MULTIPART],
        ),
        (
            "file with both listed",
            vec![file.clone(), name.clone()],
            json!([super::URL_ENCODED, super::MULTIPART]),
            vec![super::MULTIPART],
        ),
    ];
    for (case, fields, consumes, media_types) in cases {
        let mut op = json!({ "parameters": fields.clone(), "responses": {} });
        if !consumes.is_null() {
            op["consumes"] = consumes;
        }
        let (out, diagnostics) = run(with_op(op, json!({})));
        let content = out.pointer(&format!("{OP}/requestBody/content")).cloned();
        let keys: Vec<String> = content
            .iter()
            .flat_map(|c| c.as_object())
            .flat_map(|c| c.keys().cloned())
            .collect();
        assert_eq!(keys, media_types, "{case}: {out:#}");
        let media = format!(
            "{OP}/requestBody/content/{}",
            media_types[0].replace('/', "~1")
        );
        check(
            case,
            &out,
            &[
                (&format!("{media}/schema/type"), json!("object")),
                (
                    &format!("{media}/schema/properties/name"),
                    json!({ "type": "string", "maxLength": 9, "description": "Who" }),
                ),
            ],
        );
        if fields.len() == 2 {
            check(
                case,
                &out,
                &[
                    (
                        &format!("{media}/schema/properties/upload"),
                        json!({ "type": "string", "format": "binary" }),
                    ),
                    (&format!("{media}/schema/required"), json!(["upload"])),
                    (&format!("{OP}/requestBody/required"), json!(true)),
                ],
            );
        }
        assert!(diagnostics.is_empty(), "{case}: {diagnostics:?}");
    }
}

#[test]
fn form_arrays_get_url_encoded_encoding() {
    let tags = json!({ "in": "formData", "name": "tags", "type": "array",
                           "items": { "type": "string" }, "collectionFormat": "multi" });
    let (out, _) = run(with_op(
        json!({ "parameters": [tags], "responses": {} }),
        json!({}),
    ));
    let encoding = format!("{OP}/requestBody/content/application~1x-www-form-urlencoded/encoding");
    check(
        "encoding",
        &out,
        &[(
            &encoding,
            json!({ "tags": { "style": "form", "explode": true } }),
        )],
    );
}

#[test]
fn body_and_form_together_keep_the_body_and_warn() {
    let params = json!([
        { "in": "formData", "name": "f", "type": "string" },
        { "in": "body", "name": "b", "schema": { "type": "object" } },
    ]);
    let (out, diagnostics) = run(with_op(
        json!({ "parameters": params, "responses": {} }),
        json!({}),
    ));
    check(
        "both",
        &out,
        &[(
            &format!("{OP}/requestBody/content/application~1json/schema/type"),
            json!("object"),
        )],
    );
    assert_eq!(
        pointers(&diagnostics, Severity::Warning),
        ["/paths/~1things~1{id}/post/parameters/0"]
    );
}

#[test]
fn path_level_parameters_are_shared() {
    let root = doc(json!({ "paths": { "/things/{id}": {
            "parameters": [
                { "in": "path", "name": "id", "required": true, "type": "integer" },
                { "in": "body", "name": "b", "schema": { "type": "string" } },
            ],
            "put": { "responses": {} },
            "post": {
                "parameters": [{ "in": "body", "name": "b", "schema": { "type": "integer" } }],
                "responses": {},
            },
        } } }));
    let (out, diagnostics) = run(root);
    let item = "/paths/~1things~1{id}";
    let schema = "requestBody/content/application~1json/schema/type";
    check(
        "shared",
        &out,
        &[
            (&format!("{item}/parameters/0/name"), json!("id")),
            (&format!("{item}/parameters/1"), Value::Null),
            (&format!("{item}/put/{schema}"), json!("string")),
            (&format!("{item}/post/{schema}"), json!("integer")),
        ],
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

#[test]
fn path_level_form_fields_are_overridden_by_name() {
    let root = doc(json!({ "paths": { "/f": {
            "parameters": [
                { "in": "formData", "name": "kept", "type": "string" },
                { "in": "formData", "name": "overridden", "type": "string" },
            ],
            "post": {
                "parameters": [{ "in": "formData", "name": "overridden", "type": "integer" }],
                "responses": {},
            },
        } } }));
    let (out, _) = run(root);
    let properties =
        "/paths/~1f/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties";
    check(
        "override",
        &out,
        &[(
            properties,
            json!({ "kept": { "type": "string" }, "overridden": { "type": "integer" } }),
        )],
    );
}

#[test]
fn parameter_references_are_looked_up() {
    let root = json!({
        "parameters": {
            "Body": {
                "in": "body", "name": "b", "required": true,
                "schema": { "$ref": "#/definitions/T" },
            },
            "Alias": { "$ref": "#/parameters/Body" },
            "Form": { "in": "formData", "name": "file", "type": "file" },
            "Limit": { "in": "query", "name": "limit", "type": "integer", "maximum": 50 },
        },
        "definitions": { "T": { "type": "object" } },
    });
    let cases = [
        (
            "body",
            "#/parameters/Body",
            "requestBody/content/application~1json/schema/$ref",
            json!("#/components/schemas/T"),
        ),
        (
            "chain to body",
            "#/parameters/Alias",
            "requestBody/required",
            json!(true),
        ),
        (
            "form",
            "#/parameters/Form",
            "requestBody/content/multipart~1form-data/schema/properties/file/format",
            json!("binary"),
        ),
        (
            "plain",
            "#/parameters/Limit",
            "parameters/0/$ref",
            json!("#/components/parameters/Limit"),
        ),
        (
            "external",
            "common.yaml#/parameters/X",
            "parameters/0/$ref",
            json!("common.yaml#/parameters/X"),
        ),
    ];
    for (case, reference, pointer, expected) in cases {
        let op = json!({ "parameters": [{ "$ref": reference }], "responses": {} });
        let (out, diagnostics) = run(with_op(op, root.clone()));
        check(case, &out, &[(&format!("{OP}/{pointer}"), expected)]);
        check(
            case,
            &out,
            &[
                (
                    "/components/parameters/Limit/schema",
                    json!({ "type": "integer", "maximum": 50 }),
                ),
                ("/components/parameters/Body", Value::Null),
                ("/components/parameters/Form", Value::Null),
            ],
        );
        assert!(
            pointers(&diagnostics, Severity::Warning).is_empty(),
            "{case}: {diagnostics:?}"
        );
    }
}

#[test]
fn plain_parameters_move_value_keywords_into_schema() {
    let param = json!({
        "in": "query", "name": "q", "description": "D", "required": false,
        "allowEmptyValue": true, "deprecated": true, "x-p": 1, "x-nullable": true,
        "type": "string", "format": "date", "enum": ["a"], "default": "a", "pattern": "^a$",
        "minLength": 1, "maxLength": 2,
    });
    let (out, _) = run(with_op(
        json!({ "parameters": [param], "responses": {} }),
        json!({}),
    ));
    let expected = json!({
        "name": "q", "in": "query", "description": "D", "required": false,
        "deprecated": true, "allowEmptyValue": true,
        "schema": { "type": "string", "format": "date", "enum": ["a"], "default": "a",
                    "minLength": 1, "maxLength": 2, "pattern": "^a$", "nullable": true },
        "x-p": 1,
    });
    check("plain", &out, &[(&format!("{OP}/parameters/0"), expected)]);
}

#[test]
fn path_parameters_are_always_required() {
    let param = json!({ "in": "path", "name": "id", "type": "string" });
    let (out, diagnostics) = run(with_op(
        json!({ "parameters": [param], "responses": {} }),
        json!({}),
    ));
    check(
        "path",
        &out,
        &[(&format!("{OP}/parameters/0/required"), json!(true))],
    );
    assert_eq!(
        pointers(&diagnostics, Severity::Info),
        ["/paths/~1things~1{id}/post/parameters/0"]
    );
}

#[test]
fn collection_formats_become_styles() {
    let cases = [
        // (in, collectionFormat, style, explode, warns)
        ("query", None, Some("form"), false, false),
        ("query", Some("csv"), Some("form"), false, false),
        ("path", Some("csv"), Some("simple"), false, false),
        ("header", None, Some("simple"), false, false),
        ("query", Some("ssv"), Some("spaceDelimited"), false, false),
        ("query", Some("pipes"), Some("pipeDelimited"), false, false),
        ("query", Some("multi"), Some("form"), true, false),
        ("query", Some("tsv"), Some("form"), false, true),
        ("header", Some("tsv"), Some("simple"), false, true),
        ("path", Some("ssv"), Some("simple"), false, true),
        ("header", Some("multi"), Some("simple"), false, true),
        ("query", Some("bogus"), Some("form"), false, true),
    ];
    for (location, format, style, explode, warns) in cases {
        let mut param = json!({ "in": location, "name": "p", "required": true, "type": "array",
                                    "items": { "type": "string" } });
        if let Some(format) = format {
            param["collectionFormat"] = json!(format);
        }
        let case = format!("{location} {format:?}");
        let (out, diagnostics) = run(with_op(
            json!({ "parameters": [param], "responses": {} }),
            json!({}),
        ));
        check(
            &case,
            &out,
            &[
                (&format!("{OP}/parameters/0/style"), json!(style)),
                (&format!("{OP}/parameters/0/explode"), json!(explode)),
                (
                    &format!("{OP}/parameters/0/schema"),
                    json!({ "type": "array", "items": { "type": "string" } }),
                ),
            ],
        );
        let expected: Vec<String> = if warns {
            vec![format!(
                "{}/parameters/0/collectionFormat",
                "/paths/~1things~1{id}/post"
            )]
        } else {
            Vec::new()
        };
        assert_eq!(
            pointers(&diagnostics, Severity::Warning),
            expected,
            "{case}"
        );
    }
}

#[test]
fn non_array_parameters_get_no_style() {
    let param =
        json!({ "in": "query", "name": "p", "type": "string", "collectionFormat": "multi" });
    let (out, _) = run(with_op(
        json!({ "parameters": [param], "responses": {} }),
        json!({}),
    ));
    check(
        "scalar",
        &out,
        &[(&format!("{OP}/parameters/0/style"), Value::Null)],
    );
}

#[test]
fn x_nullable_becomes_nullable_everywhere() {
    let root = json!({
        "definitions": { "Pet": {
            "type": "object", "x-nullable": true, "discriminator": "kind",
            "properties": {
                "name": { "type": "string", "x-nullable": true },
                "tags": { "type": "array", "items": { "type": "string", "x-nullable": true } },
                "map": {
                    "type": "object",
                    "additionalProperties": { "type": "integer", "x-nullable": false },
                },
                "both": { "allOf": [
                    { "$ref": "#/definitions/Pet" },
                    { "type": "object", "x-nullable": true },
                ] },
                "x-nullable": { "type": "string" },
            },
        } },
    });
    let op = json!({
        "parameters": [
            { "in": "body", "name": "b", "schema": { "type": "object", "x-nullable": true } },
        ],
        "responses": { "200": {
            "description": "ok",
            "schema": { "type": "array", "items": { "type": "string", "x-nullable": true } },
        } },
    });
    let (out, _) = run(with_op(op, root));
    let pet = "/components/schemas/Pet";
    check(
        "nullable",
        &out,
        &[
            (&format!("{pet}/nullable"), json!(true)),
            (&format!("{pet}/x-nullable"), Value::Null),
            (
                &format!("{pet}/discriminator"),
                json!({ "propertyName": "kind" }),
            ),
            (&format!("{pet}/properties/name/nullable"), json!(true)),
            (
                &format!("{pet}/properties/tags/items/nullable"),
                json!(true),
            ),
            (
                &format!("{pet}/properties/map/additionalProperties/nullable"),
                json!(false),
            ),
            (
                &format!("{pet}/properties/both/allOf/0/$ref"),
                json!("#/components/schemas/Pet"),
            ),
            (
                &format!("{pet}/properties/both/allOf/1/nullable"),
                json!(true),
            ),
            (
                &format!("{pet}/properties/x-nullable"),
                json!({ "type": "string" }),
            ),
            (
                &format!("{OP}/requestBody/content/application~1json/schema/nullable"),
                json!(true),
            ),
            (
                &format!("{OP}/responses/200/content/application~1json/schema/items/nullable"),
                json!(true),
            ),
        ],
    );
}

#[test]
fn local_references_are_rewritten() {
    let cases = [
        ("#/definitions/Pet", "#/components/schemas/Pet"),
        (
            "#/definitions/Pet/properties/id",
            "#/components/schemas/Pet/properties/id",
        ),
        ("#/parameters/Limit", "#/components/parameters/Limit"),
        ("#/responses/NotFound", "#/components/responses/NotFound"),
        ("other.yaml#/definitions/Pet", "other.yaml#/definitions/Pet"),
        ("#/definitionsX", "#/definitionsX"),
    ];
    for (reference, expected) in cases {
        let root = json!({ "definitions": { "Holder": {
                "properties": {
                    "$ref": { "type": "string" },
                    "deep": { "items": { "$ref": reference } },
                },
            } } });
        let (out, _) = run(doc(root));
        let holder = "/components/schemas/Holder/properties";
        check(
            reference,
            &out,
            &[
                (&format!("{holder}/deep/items/$ref"), json!(expected)),
                (&format!("{holder}/$ref"), json!({ "type": "string" })),
            ],
        );
    }
}

#[test]
fn security_definitions_become_schemes() {
    let cases = [
        (
            "basic",
            json!({ "type": "basic", "description": "B" }),
            json!({ "type": "http", "scheme": "basic", "description": "B" }),
        ),
        (
            "apiKey",
            json!({ "type": "apiKey", "name": "X-Key", "in": "header", "x-k": 1 }),
            json!({ "type": "apiKey", "name": "X-Key", "in": "header", "x-k": 1 }),
        ),
        (
            "implicit",
            json!({ "type": "oauth2", "flow": "implicit", "authorizationUrl": "A",
                        "tokenUrl": "T", "scopes": { "r": "read" } }),
            json!({ "type": "oauth2", "flows": { "implicit": {
                    "authorizationUrl": "A", "scopes": { "r": "read" },
                } } }),
        ),
        (
            "password",
            json!({ "type": "oauth2", "flow": "password", "tokenUrl": "T" }),
            json!({ "type": "oauth2",
                        "flows": { "password": { "tokenUrl": "T", "scopes": {} } } }),
        ),
        (
            "application",
            json!({ "type": "oauth2", "flow": "application", "tokenUrl": "T", "scopes": {} }),
            json!({ "type": "oauth2",
                        "flows": { "clientCredentials": { "tokenUrl": "T", "scopes": {} } } }),
        ),
        (
            "accessCode",
            json!({ "type": "oauth2", "flow": "accessCode", "authorizationUrl": "A",
                        "tokenUrl": "T", "scopes": {} }),
            json!({ "type": "oauth2", "flows": { "authorizationCode": {
                    "authorizationUrl": "A", "tokenUrl": "T", "scopes": {},
                } } }),
        ),
    ];
    for (case, scheme, expected) in cases {
        let (out, diagnostics) = run(doc(json!({ "securityDefinitions": { "s": scheme } })));
        check(case, &out, &[("/components/securitySchemes/s", expected)]);
        assert!(diagnostics.is_empty(), "{case}: {diagnostics:?}");
    }
}

#[test]
fn responses_use_produces_and_convert_headers() {
    let op = |produces: Option<Value>| {
        let mut op = json!({ "responses": {
                "200": {
                    "description": "ok",
                    "schema": { "$ref": "#/definitions/Pet" },
                    "headers": { "X-Rate": {
                        "type": "array", "items": { "type": "integer" }, "description": "R",
                    } },
                    "examples": { "application/json": { "id": 1 } },
                    "x-r": 1,
                },
                "204": { "description": "none" },
                "404": { "$ref": "#/responses/NotFound" },
                "default": { "description": "file", "schema": { "type": "file" } },
            } });
        if let Some(produces) = produces {
            op["produces"] = produces;
        }
        op
    };
    let cases = [
        ("default", None, json!({}), vec!["application/json"]),
        (
            "global",
            None,
            json!({ "produces": ["application/xml"] }),
            vec!["application/xml"],
        ),
        (
            "operation",
            Some(json!(["application/json", "text/csv"])),
            json!({ "produces": ["x/y"] }),
            vec!["application/json", "text/csv"],
        ),
    ];
    for (case, produces, root, media_types) in cases {
        let (out, diagnostics) = run(with_op(op(produces), root));
        let responses = format!("{OP}/responses");
        let content = out
            .pointer(&format!("{responses}/200/content"))
            .and_then(Value::as_object);
        let keys: Vec<&String> = content.iter().flat_map(|c| c.keys()).collect();
        assert_eq!(keys, media_types.iter().collect::<Vec<_>>(), "{case}");
        let first = media_types[0].replace('/', "~1");
        check(
            case,
            &out,
            &[
                (
                    &format!("{responses}/200/content/{first}/schema/$ref"),
                    json!("#/components/schemas/Pet"),
                ),
                (
                    &format!("{responses}/200/headers/X-Rate"),
                    json!({
                        "description": "R", "style": "simple", "explode": false,
                        "schema": { "type": "array", "items": { "type": "integer" } },
                    }),
                ),
                (&format!("{responses}/200/x-r"), json!(1)),
                (
                    &format!("{responses}/204"),
                    json!({ "description": "none" }),
                ),
                (
                    &format!("{responses}/404"),
                    json!({ "$ref": "#/components/responses/NotFound" }),
                ),
                (
                    &format!("{responses}/default/content/{first}/schema"),
                    json!({ "type": "string", "format": "binary" }),
                ),
            ],
        );
        let example = out.pointer(&format!(
            "{responses}/200/content/application~1json/example"
        ));
        assert_eq!(
            example.is_some(),
            media_types.contains(&"application/json"),
            "{case}"
        );
        assert!(diagnostics.is_empty(), "{case}: {diagnostics:?}");
    }
}

#[test]
fn global_responses_and_parameters_become_components() {
    let (out, _) = run(doc(json!({
        "produces": ["application/xml"],
        "responses": {
            "NotFound": { "description": "nf", "schema": { "$ref": "#/definitions/E" } },
        },
        "parameters": { "Trace": { "in": "header", "name": "X-Trace", "type": "string" } },
    })));
    check(
        "components",
        &out,
        &[
            (
                "/components/responses/NotFound/content/application~1xml/schema/$ref",
                json!("#/components/schemas/E"),
            ),
            (
                "/components/parameters/Trace",
                json!({ "name": "X-Trace", "in": "header", "schema": { "type": "string" } }),
            ),
        ],
    );
}

#[test]
fn root_that_is_not_an_object_is_an_error() {
    for root in [json!([]), json!("swagger"), json!(null)] {
        let mut diagnostics = Diagnostics::default();
        let error = convert(root, "spec.json", &mut diagnostics).expect_err("not an object");
        assert_eq!(error.location.pointer, "");
    }
}

#[test]
fn malformed_pieces_are_reported_and_skipped() {
    let p = "/paths/~1things~1{id}/post";
    let cases = [
        (
            "paths not an object",
            doc(json!({ "paths": [] })),
            "/paths".to_string(),
        ),
        ("no paths", json!({ "swagger": "2.0" }), String::new()),
        (
            "path item not an object",
            doc(json!({ "paths": { "/a": 1 } })),
            "/paths/~1a".into(),
        ),
        (
            "operation not an object",
            doc(json!({ "paths": { "/a": { "get": [] } } })),
            "/paths/~1a/get".into(),
        ),
        (
            "parameters not a list",
            with_op(json!({ "parameters": {} }), json!({})),
            format!("{p}/parameters"),
        ),
        (
            "parameter not an object",
            with_op(json!({ "parameters": [3] }), json!({})),
            format!("{p}/parameters/0"),
        ),
        (
            "missing in",
            with_op(json!({ "parameters": [{ "name": "a" }] }), json!({})),
            format!("{p}/parameters/0"),
        ),
        (
            "unknown in",
            with_op(
                json!({ "parameters": [{ "name": "a", "in": "x" }] }),
                json!({}),
            ),
            format!("{p}/parameters/0/in"),
        ),
        (
            "missing name",
            with_op(json!({ "parameters": [{ "in": "query" }] }), json!({})),
            format!("{p}/parameters/0"),
        ),
        (
            "form field without name",
            with_op(json!({ "parameters": [{ "in": "formData" }] }), json!({})),
            format!("{p}/parameters/0"),
        ),
        (
            "two bodies",
            with_op(
                json!({ "parameters": [
                        { "in": "body", "schema": {} },
                        { "in": "body", "schema": {} },
                    ] }),
                json!({}),
            ),
            format!("{p}/parameters/1"),
        ),
        (
            "body without schema",
            with_op(
                json!({ "parameters": [{ "in": "body", "name": "b" }] }),
                json!({}),
            ),
            format!("{p}/parameters/0"),
        ),
        (
            "dangling parameter ref",
            with_op(
                json!({ "parameters": [{ "$ref": "#/parameters/Nope" }] }),
                json!({}),
            ),
            format!("{p}/parameters/0"),
        ),
        (
            "ref not a string",
            with_op(json!({ "parameters": [{ "$ref": 1 }] }), json!({})),
            format!("{p}/parameters/0/$ref"),
        ),
        (
            "reference cycle",
            doc(json!({ "parameters": {
                        "A": { "$ref": "#/parameters/A" },
                        "C": { "in": "query", "name": "c" },
                    } })),
            "/parameters/A".into(),
        ),
        (
            "responses not an object",
            with_op(json!({ "responses": [] }), json!({})),
            format!("{p}/responses"),
        ),
        (
            "response not an object",
            with_op(json!({ "responses": { "200": 1 } }), json!({})),
            format!("{p}/responses/200"),
        ),
        (
            "headers not an object",
            with_op(
                json!({ "responses": { "200": { "description": "", "headers": 1 } } }),
                json!({}),
            ),
            format!("{p}/responses/200/headers"),
        ),
        (
            "consumes not a list",
            with_op(json!({ "consumes": "application/json" }), json!({})),
            format!("{p}/consumes"),
        ),
        (
            "produces entry not a string",
            doc(json!({ "produces": [1] })),
            "/produces/0".into(),
        ),
        (
            "definitions not an object",
            doc(json!({ "definitions": [] })),
            "/definitions".into(),
        ),
        (
            "scheme without type",
            doc(json!({ "securityDefinitions": { "s": {} } })),
            "/securityDefinitions/s".into(),
        ),
        (
            "unknown scheme type",
            doc(json!({ "securityDefinitions": { "s": { "type": "magic" } } })),
            "/securityDefinitions/s/type".into(),
        ),
        (
            "oauth2 without flow",
            doc(json!({ "securityDefinitions": { "s": { "type": "oauth2" } } })),
            "/securityDefinitions/s/flow".into(),
        ),
        (
            "basePath not a string",
            doc(json!({ "basePath": 1 })),
            "/basePath".into(),
        ),
    ];
    for (case, root, pointer) in cases {
        let (out, diagnostics) = run(root);
        assert_eq!(out["openapi"], "3.0.3", "{case}");
        assert_eq!(
            pointers(&diagnostics, Severity::Warning),
            [pointer],
            "{case}: {diagnostics:?}"
        );
    }
}

#[test]
fn converted_pointers_map_back_to_the_original_document() {
    for (converted, original) in [
        (
            "/components/schemas/Pet/properties/id",
            "/definitions/Pet/properties/id",
        ),
        (
            "/components/securitySchemes/key",
            "/securityDefinitions/key",
        ),
        (
            "/paths/~1pets/post/requestBody/content/application~1json/schema",
            "/paths/~1pets/post/parameters",
        ),
        (
            "/paths/~1pets/get/parameters/1/schema/items",
            "/paths/~1pets/get/parameters/1",
        ),
        (
            "/paths/~1pets/get/responses/200/content/application~1json/schema/items",
            "/paths/~1pets/get/responses/200/schema/items",
        ),
        (
            "/paths/~1pets/get/responses/200/content/application~1json/schema",
            "/paths/~1pets/get/responses/200/schema",
        ),
        ("/paths/~1pets/get", "/paths/~1pets/get"),
        ("/info", "/info"),
    ] {
        assert_eq!(super::original_pointer(converted), original, "{converted}");
    }
}
