//! `response_path` (PRD F-34): return only part of a JSON response, e.g. `$.data.items` or
//! `$.results[*].name`. The supported subset: `$`, `.name`, `['name']` / `["name"]`,
//! `[index]` and `[*]`.

use serde_json::Value;

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    Each,
}

/// A parsed response path.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponsePath {
    text: String,
    steps: Vec<Step>,
}

impl ResponsePath {
    /// Parse `$.a.b[0]['c d'][*]`.
    pub fn parse(text: &str) -> Result<ResponsePath, String> {
        let error = |why: &str| format!("response_path `{text}`: {why}");
        let mut rest = text
            .trim()
            .strip_prefix('$')
            .ok_or_else(|| error("must start with `$`"))?;
        let mut steps = Vec::new();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('.') {
                let end = after.find(['.', '[']).unwrap_or(after.len());
                if end == 0 {
                    return Err(error("empty name after `.`"));
                }
                steps.push(Step::Key(after[..end].to_owned()));
                rest = &after[end..];
            } else if let Some(after) = rest.strip_prefix('[') {
                let end = after.find(']').ok_or_else(|| error("unclosed `[`"))?;
                let inside = after[..end].trim();
                steps.push(if inside == "*" {
                    Step::Each
                } else if let Some(quoted) = inside
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inside.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                {
                    Step::Key(quoted.to_owned())
                } else {
                    Step::Index(
                        inside.parse().map_err(|_| {
                            error("expected a number, `*` or a quoted name in `[]`")
                        })?,
                    )
                });
                rest = &after[end + 1..];
            } else {
                return Err(error("expected `.` or `[`"));
            }
        }
        Ok(ResponsePath {
            text: text.to_owned(),
            steps,
        })
    }

    /// The part of `value` the path selects; `None` when it selects nothing.
    pub fn extract(&self, value: &Value) -> Option<Value> {
        select(value, &self.steps)
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn select(value: &Value, steps: &[Step]) -> Option<Value> {
    let Some((step, rest)) = steps.split_first() else {
        return Some(value.clone());
    };
    match step {
        Step::Key(key) => select(value.get(key)?, rest),
        Step::Index(index) => select(value.get(*index)?, rest),
        Step::Each => {
            let items = value.as_array()?;
            Some(Value::Array(
                items.iter().filter_map(|item| select(item, rest)).collect(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects_nested_parts() {
        let body =
            json!({"data": {"items": [{"name": "a", "x": 1}, {"name": "b"}], "weird key": 3}});
        let path = |p: &str| ResponsePath::parse(p).expect("valid");
        assert_eq!(
            path("$.data.items[1].name").extract(&body),
            Some(json!("b"))
        );
        assert_eq!(
            path("$.data.items[*].name").extract(&body),
            Some(json!(["a", "b"]))
        );
        assert_eq!(
            path("$['data'][\"weird key\"]").extract(&body),
            Some(json!(3))
        );
        assert_eq!(path("$").extract(&body), Some(body.clone()));
        assert_eq!(path("$.missing").extract(&body), None);
    }

    #[test]
    fn bad_paths_are_explained() {
        for bad in ["data.items", "$.", "$[x]", "$[0", "$..a"] {
            assert!(ResponsePath::parse(bad).is_err(), "{bad}");
        }
    }
}
