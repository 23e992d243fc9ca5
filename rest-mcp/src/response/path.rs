//! A JSONPath (RFC 9535) that picks part of a JSON response: the operator's
//! `response_path` (PRD F-34, e.g. `$.data.items`) and the model's `select` argument
//! (e.g. `$.items[*].name` or `$.items[?@.state == 'open']`) are the same thing.
//!
//! What a path returns follows its form, not the data: a singular path (names and indexes
//! only, such as `$.data.items[0]`) gives the one value it names; any other path
//! (wildcards, slices, filters, descendants, unions) gives the list of values it matched,
//! even when that list has one entry.

use serde_json::Value;
use serde_json_path::JsonPath;

/// Why a path was refused.
#[derive(Debug, thiserror::Error)]
#[error(
    "`{text}` is not a JSONPath (RFC 9535): {message} at character {position}; a path starts with `$`, e.g. `$.items[*].id`"
)]
pub struct ResponsePathError {
    text: String,
    message: String,
    position: usize,
}

/// A parsed JSONPath.
#[derive(Clone, Debug)]
pub struct ResponsePath {
    text: String,
    path: JsonPath,
    singular: bool,
}

impl ResponsePath {
    /// Parse an RFC 9535 JSONPath such as `$.a.b[0]['c d'][*]`.
    ///
    /// ```
    /// use rest_mcp::ResponsePath;
    /// let path = ResponsePath::parse("$.items[*].id")?;
    /// let body = serde_json::json!({"items": [{"id": 1}, {"id": 2}]});
    /// assert_eq!(path.extract(&body), Some(serde_json::json!([1, 2])));
    /// assert!(ResponsePath::parse("items").is_err());
    /// # Ok::<(), rest_mcp::ResponsePathError>(())
    /// ```
    pub fn parse(text: &str) -> Result<ResponsePath, ResponsePathError> {
        let trimmed = text.trim();
        let path = JsonPath::parse(trimmed).map_err(|error| ResponsePathError {
            text: text.to_owned(),
            message: error.message().to_owned(),
            position: error.position(),
        })?;
        Ok(ResponsePath {
            text: text.to_owned(),
            singular: is_singular(trimmed),
            path,
        })
    }

    /// The part of `value` the path selects; `None` when it selects nothing.
    pub fn extract(&self, value: &Value) -> Option<Value> {
        let nodes = self.path.query(value);
        if nodes.is_empty() {
            return None;
        }
        if self.singular {
            return nodes.first().cloned();
        }
        Some(Value::Array(nodes.all().into_iter().cloned().collect()))
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Whether `path` is a singular query in RFC 9535's sense (it can name at most one value).
/// The grammar allows only singular queries as the operands of a filter comparison, so
/// the parser itself answers: a path is singular exactly when it may stand there.
fn is_singular(path: &str) -> bool {
    JsonPath::parse(&format!("$[?{path} == null]")).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(text: &str) -> ResponsePath {
        ResponsePath::parse(text).expect("valid")
    }

    #[test]
    fn singular_paths_give_the_value_itself() {
        let body =
            json!({"data": {"items": [{"name": "a", "x": 1}, {"name": "b"}], "weird key": 3}});
        assert_eq!(
            path("$.data.items[1].name").extract(&body),
            Some(json!("b"))
        );
        assert_eq!(
            path("$['data'][\"weird key\"]").extract(&body),
            Some(json!(3))
        );
        assert_eq!(path("$").extract(&body), Some(body.clone()));
        assert_eq!(path("$.missing").extract(&body), None);
    }

    #[test]
    fn other_paths_give_a_list_even_of_one() {
        let body = json!({"items": [{"name": "a", "open": true}, {"name": "b", "open": false}]});
        assert_eq!(
            path("$.items[*].name").extract(&body),
            Some(json!(["a", "b"]))
        );
        assert_eq!(
            path("$.items[?@.open == true].name").extract(&body),
            Some(json!(["a"]))
        );
        assert_eq!(
            path("$.items[0:1]").extract(&body),
            Some(json!([{"name": "a", "open": true}]))
        );
        assert_eq!(path("$..name").extract(&body), Some(json!(["a", "b"])));
        assert_eq!(path("$.items[?@.open == 7]").extract(&body), None);
    }

    #[test]
    fn bad_paths_are_explained() {
        for bad in ["data.items", "$.", "$[x]", "$[0", ""] {
            let error = ResponsePath::parse(bad).expect_err(bad).to_string();
            assert!(error.contains("is not a JSONPath"), "{error}");
            assert!(error.contains("starts with `$`"), "{error}");
        }
    }
}
