//! Spec bytes to a JSON value: format sniffing (JSON or YAML) and version detection.

use serde_json::{Map, Number, Value};

use crate::error::{LoadError, SourceRef};
use crate::model::SpecVersion;

/// What a document that cannot be a spec is told.
const NOT_A_SPEC: &str = "this is not an OpenAPI/Swagger document or endpoint list: it has no \
     top-level `openapi`, `swagger` or `endpoints` key";

/// Whether some line of `bytes` starts with an `openapi`, `swagger` or `endpoints` key,
/// quoted or not: then a parse error is a broken spec, not some other kind of file.
fn names_a_spec_key(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).lines().any(|line| {
        let line = line.trim_start();
        let unquoted = line.strip_prefix(['"', '\'']).unwrap_or(line);
        ["openapi", "swagger", "endpoints"].iter().any(|key| {
            unquoted.strip_prefix(key).is_some_and(|rest| {
                rest.trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with(':')
            })
        })
    })
}

/// Parse JSON or YAML bytes. JSON is tried when the first non-blank byte is `{` or `[`;
/// everything else is YAML (a superset of JSON, so odd JSON still loads).
pub(crate) fn parse(bytes: &[u8], file: &str) -> Result<Value, LoadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_none() {
        return Err(LoadError::new(
            SourceRef::new(file, ""),
            "the spec is empty",
        ));
    }
    if matches!(first, Some(b'{') | Some(b'[')) {
        return serde_json::from_slice(bytes).map_err(|e| {
            LoadError::new(
                SourceRef::new(file, ""),
                format!(
                    "invalid JSON at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ),
            )
        });
    }
    let mut yaml: yaml_serde::Value = yaml_serde::from_slice(bytes).map_err(|e| {
        // A README or a log is rarely valid YAML; what matters is that it is no spec.
        if !names_a_spec_key(bytes) {
            return LoadError::new(SourceRef::new(file, ""), NOT_A_SPEC);
        }
        let place = e
            .location()
            .map(|l| format!(" at line {} column {}", l.line(), l.column()))
            .unwrap_or_default();
        LoadError::new(
            SourceRef::new(file, ""),
            format!("invalid YAML{place}: {e}"),
        )
    })?;
    yaml.apply_merge().map_err(|e| {
        LoadError::new(
            SourceRef::new(file, ""),
            format!("invalid YAML merge key: {e}"),
        )
    })?;
    yaml_to_json(yaml, &SourceRef::new(file, ""))
}

/// Convert a YAML value to JSON. Non-string keys (`200:` response codes, booleans) become
/// their string form; tags are dropped; non-finite floats are refused.
fn yaml_to_json(value: yaml_serde::Value, at: &SourceRef) -> Result<Value, LoadError> {
    Ok(match value {
        yaml_serde::Value::Null => Value::Null,
        yaml_serde::Value::Bool(b) => Value::Bool(b),
        yaml_serde::Value::Number(n) => yaml_number(&n, at)?,
        yaml_serde::Value::String(s) => Value::String(s),
        yaml_serde::Value::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(item, &at.child(&i.to_string())))
                .collect::<Result<_, _>>()?,
        ),
        yaml_serde::Value::Mapping(mapping) => {
            let mut object = Map::with_capacity(mapping.len());
            for (key, item) in mapping {
                let key = yaml_key(key, at)?;
                let item = yaml_to_json(item, &at.child(&key))?;
                object.insert(key, item);
            }
            Value::Object(object)
        }
        yaml_serde::Value::Tagged(tagged) => yaml_to_json(tagged.value, at)?,
    })
}

fn yaml_number(n: &yaml_serde::Number, at: &SourceRef) -> Result<Value, LoadError> {
    if let Some(i) = n.as_i64() {
        return Ok(Value::Number(i.into()));
    }
    if let Some(u) = n.as_u64() {
        return Ok(Value::Number(u.into()));
    }
    n.as_f64()
        .and_then(Number::from_f64)
        .map(Value::Number)
        .ok_or_else(|| LoadError::new(at.clone(), format!("number {n} is not finite")))
}

fn yaml_key(key: yaml_serde::Value, at: &SourceRef) -> Result<String, LoadError> {
    match key {
        yaml_serde::Value::String(s) => Ok(s),
        yaml_serde::Value::Number(n) => Ok(n.to_string()),
        yaml_serde::Value::Bool(b) => Ok(b.to_string()),
        yaml_serde::Value::Null => Ok("null".to_owned()),
        yaml_serde::Value::Tagged(tagged) => yaml_key(tagged.value, at),
        _ => Err(LoadError::new(
            at.clone(),
            "a mapping key is a list or a mapping; only scalar keys are allowed",
        )),
    }
}

/// Whether the document is an endpoint list (`endpoints: [...]`, the TOML list's shape in
/// JSON or YAML) rather than a spec: it has `endpoints` and neither `openapi` nor
/// `swagger`.
pub(crate) fn is_endpoint_list(root: &Value) -> bool {
    root.as_object().is_some_and(|object| {
        object.get("endpoints").is_some_and(Value::is_array)
            && !object.contains_key("openapi")
            && !object.contains_key("swagger")
    })
}

/// Which specification the document follows, from its `swagger` / `openapi` field.
pub(crate) fn detect_version(root: &Value, file: &str) -> Result<SpecVersion, LoadError> {
    let Some(object) = root.as_object() else {
        return Err(LoadError::new(
            SourceRef::new(file, ""),
            format!("{NOT_A_SPEC} (the document is not a mapping)"),
        ));
    };
    if let Some(swagger) = object.get("swagger") {
        return match scalar_text(swagger).as_deref() {
            Some("2.0") => Ok(SpecVersion::Swagger2),
            other => Err(LoadError::new(
                SourceRef::new(file, "/swagger"),
                format!(
                    "unsupported Swagger version {}; only 2.0 is supported",
                    other.unwrap_or("(not a string)")
                ),
            )),
        };
    }
    let Some(openapi) = object.get("openapi") else {
        return Err(LoadError::new(SourceRef::new(file, ""), NOT_A_SPEC));
    };
    let text = scalar_text(openapi).unwrap_or_default();
    if text.starts_with("3.0") {
        Ok(SpecVersion::OpenApi30)
    } else if text.starts_with("3.1") {
        Ok(SpecVersion::OpenApi31)
    } else {
        Err(LoadError::new(
            SourceRef::new(file, "/openapi"),
            format!(
                "unsupported OpenAPI version `{text}`; supported are 3.0.x, 3.1.x and Swagger 2.0"
            ),
        ))
    }
}

/// A version field as text; YAML authors sometimes write `openapi: 3.0` unquoted.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_give_the_same_value() {
        let json = parse(br#"{"openapi":"3.0.0","paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}"#, "a.json")
            .expect("json");
        let yaml = parse(
            b"openapi: 3.0.0\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n",
            "a.yaml",
        )
        .expect("yaml");
        assert_eq!(yaml["openapi"], "3.0.0");
        assert_eq!(json, yaml);
    }

    #[test]
    fn yaml_merge_keys_and_anchors_are_applied() {
        let value = parse(
            b"base: &b {type: string}\nother:\n  <<: *b\n  description: x\n",
            "m.yaml",
        )
        .expect("yaml");
        assert_eq!(value["other"]["type"], "string");
        assert_eq!(value["other"]["description"], "x");
    }

    #[test]
    fn bad_input_names_the_file_and_place() {
        let err = parse(b"{\"openapi\": ", "broken.json").expect_err("broken");
        assert!(
            err.to_string()
                .starts_with("broken.json#/: invalid JSON at line 1")
        );
        let err = parse(b"openapi: 3.0.0\na: [unclosed", "broken.yaml").expect_err("broken");
        assert!(err.to_string().contains("invalid YAML at line"), "{err}");
        let err = parse(b"\"swagger\" : x\n: [", "quoted.yaml").expect_err("broken");
        assert!(err.to_string().contains("invalid YAML"), "{err}");
        let err = parse(b"  \n", "empty.yaml").expect_err("empty");
        assert!(err.to_string().contains("empty"));
    }

    #[test]
    fn versions_are_detected_and_others_refused() {
        let v = |s: &str| detect_version(&parse(s.as_bytes(), "x").expect("parse"), "x");
        assert_eq!(v("swagger: '2.0'").ok(), Some(SpecVersion::Swagger2));
        assert_eq!(v("openapi: 3.0.3").ok(), Some(SpecVersion::OpenApi30));
        assert_eq!(v("openapi: 3.0").ok(), Some(SpecVersion::OpenApi30));
        assert_eq!(v("openapi: 3.1.0").ok(), Some(SpecVersion::OpenApi31));
        let err = v("openapi: 4.0.0").expect_err("4.0");
        assert_eq!(err.location.pointer, "/openapi");
        assert!(v("swagger: '1.2'").is_err());
        assert!(v("title: nothing").is_err());
        assert!(v("[1, 2]").is_err());
    }

    #[test]
    fn text_that_is_no_spec_is_called_that_whatever_its_yaml_errors() {
        // A Markdown README: `---` rules read as YAML document separators, and `key: value`
        // lines inside prose as broken mappings.
        let readme = b"# Project\n\nIntro: text, with a colon: here\n\n---\n\nMore.\n\n---\n";
        let log = b"2024-01-01 ERROR: failed: [x\n";
        let plain = b"hello world\n";
        let mapping = b"title: nothing\nitems: [1, 2]\n";
        let binary = b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe";
        for (text, name) in [
            (&readme[..], "README.md"),
            (log, "app.log"),
            (plain, "notes.txt"),
            (mapping, "data.yaml"),
            (binary, "image.png"),
        ] {
            let err = parse(text, name)
                .and_then(|root| detect_version(&root, name).map(|_| root))
                .expect_err(name);
            let message = err.to_string();
            assert!(
                message.starts_with(&format!(
                    "{name}#/: this is not an OpenAPI/Swagger document or endpoint list"
                )),
                "{message}"
            );
            assert!(!message.contains("YAML"), "{message}");
        }
    }
}
