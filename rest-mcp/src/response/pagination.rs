//! How to get the next page: from a `Link` header (RFC 8288, as GitHub and many others
//! send it) or from a cursor the body names (`next_cursor`, `nextPageToken`, Stripe's
//! `has_more` list), turned into the exact arguments of the same tool's next call.
//! Nothing is fetched automatically.

use reqwest::Url;
use rest_mcp_openapi::{ParamLocation, Parameter};
use serde_json::{Map, Value};

/// What the tool was called with, to derive the next call's arguments.
pub(crate) struct PageContext<'a> {
    /// The tool's parameters.
    pub(crate) parameters: &'a [Parameter],
    /// The arguments of this call.
    pub(crate) arguments: &'a Map<String, Value>,
}

/// The `rel`-named targets of a `Link` header, in order: `[("next", url), …]`.
pub(crate) fn parse_link_header(value: &str) -> Vec<(String, String)> {
    let mut links = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start + 1..].find('>') else {
            break;
        };
        let target = &rest[start + 1..start + 1 + len];
        rest = &rest[start + 1 + len + 1..];
        let params_end = rest.find('<').unwrap_or(rest.len());
        let params = &rest[..params_end];
        for param in params.split(';') {
            let Some((key, value)) = param.split_once('=') else {
                continue;
            };
            if !key.trim().eq_ignore_ascii_case("rel") {
                continue;
            }
            let rels = value.trim().trim_matches(',').trim().trim_matches('"');
            for rel in rels.split_ascii_whitespace() {
                links.push((rel.to_ascii_lowercase(), target.to_owned()));
            }
        }
    }
    links
}

impl PageContext<'_> {
    /// The arguments that fetch `url`: this call's arguments with each query pair of the
    /// URL set on the query parameter of that name. `None` when a pair has no parameter
    /// to carry it (the URL cannot be reached with this tool).
    pub(crate) fn arguments_for_url(&self, url: &str) -> Option<Map<String, Value>> {
        let url = Url::parse(url).ok()?;
        let mut arguments = self.arguments.clone();
        let mut changed = false;
        for (name, value) in url.query_pairs() {
            let parameter = self.query_parameter(&name)?;
            let value = typed(&parameter.schema, &value);
            if arguments.get(&parameter.argument) != Some(&value) {
                changed = true;
            }
            arguments.insert(parameter.argument.clone(), value);
        }
        changed.then_some(arguments)
    }

    /// The arguments of the next page named in the body: a `next…` field whose rest
    /// names a query parameter (`next_cursor` → `cursor`, `nextPageToken` →
    /// `pageToken`), at the top level or one object down (`meta`, `pagination`,
    /// `response_metadata`); a `next` URL; or a `has_more` list whose last item's `id`
    /// goes into `starting_after`.
    pub(crate) fn arguments_from_body(&self, body: &Value) -> Option<Map<String, Value>> {
        let object = body.as_object()?;
        let nested = object.values().filter_map(Value::as_object);
        for fields in std::iter::once(object).chain(nested) {
            for (field, value) in fields {
                if let Some(arguments) = self.arguments_for_next_field(field, value) {
                    return Some(arguments);
                }
            }
        }
        self.arguments_for_has_more(object)
    }

    fn arguments_for_next_field(&self, field: &str, value: &Value) -> Option<Map<String, Value>> {
        let key = normalized(field);
        let rest = key.strip_prefix("next")?;
        let text = match value {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        if text.starts_with("http://") || text.starts_with("https://") {
            return self.arguments_for_url(&text);
        }
        let parameter = self
            .query_parameters()
            .find(|p| !rest.is_empty() && normalized(&p.name) == rest)?;
        let mut arguments = self.arguments.clone();
        arguments.insert(parameter.argument.clone(), typed(&parameter.schema, &text));
        Some(arguments)
    }

    fn arguments_for_has_more(&self, object: &Map<String, Value>) -> Option<Map<String, Value>> {
        if object.get("has_more") != Some(&Value::Bool(true)) {
            return None;
        }
        let parameter = self.query_parameter("starting_after")?;
        let last = object.get("data")?.as_array()?.last()?;
        let id = last.get("id")?.as_str()?;
        let mut arguments = self.arguments.clone();
        arguments.insert(parameter.argument.clone(), Value::String(id.to_owned()));
        Some(arguments)
    }

    fn query_parameters(&self) -> impl Iterator<Item = &Parameter> {
        self.parameters
            .iter()
            .filter(|p| p.location == ParamLocation::Query)
    }

    fn query_parameter(&self, name: &str) -> Option<&Parameter> {
        self.query_parameters().find(|p| p.name == name)
    }
}

/// Lower case without `_`, `-` and `.`: `next_page-token` → `nextpagetoken`.
fn normalized(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A query value as the parameter's schema types it (`"2"` → `2` for an integer).
fn typed(schema: &Value, text: &str) -> Value {
    let kinds: Vec<&str> = match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.as_str()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if kinds.contains(&"integer")
        && let Ok(number) = text.parse::<i64>()
    {
        return Value::from(number);
    }
    if kinds.contains(&"number")
        && let Some(number) = text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
    {
        return Value::Number(number);
    }
    if kinds.contains(&"boolean")
        && let Ok(flag) = text.parse::<bool>()
    {
        return Value::Bool(flag);
    }
    Value::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rest_mcp_openapi::ParamStyle;
    use serde_json::json;

    fn query(name: &str, kind: &str) -> Parameter {
        Parameter {
            name: name.to_owned(),
            location: ParamLocation::Query,
            argument: name.to_owned(),
            required: false,
            style: ParamStyle::Form,
            explode: true,
            allow_reserved: false,
            deprecated: false,
            schema: json!({ "type": kind }),
        }
    }

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn link_headers_are_parsed_by_rel() {
        let links = parse_link_header(
            "<https://api.github.com/user/1/repos?page=2&per_page=5>; rel=\"next\", \
             <https://api.github.com/user/1/repos?page=9&per_page=5>; rel=\"last\", <x>; title=\"t\"; rel=\"prev first\"",
        );
        assert_eq!(
            links,
            vec![
                (
                    "next".to_owned(),
                    "https://api.github.com/user/1/repos?page=2&per_page=5".to_owned()
                ),
                (
                    "last".to_owned(),
                    "https://api.github.com/user/1/repos?page=9&per_page=5".to_owned()
                ),
                ("prev".to_owned(), "x".to_owned()),
                ("first".to_owned(), "x".to_owned()),
            ]
        );
        assert!(parse_link_header("garbage <unclosed").is_empty());
    }

    #[test]
    fn a_link_maps_onto_the_tools_own_parameters() {
        let parameters = [query("page", "integer"), query("per_page", "integer")];
        let arguments = map(json!({"username": "octocat", "per_page": 5}));
        let context = PageContext {
            parameters: &parameters,
            arguments: &arguments,
        };
        assert_eq!(
            context.arguments_for_url("https://api.github.com/user/1/repos?page=2&per_page=5"),
            Some(map(
                json!({"username": "octocat", "per_page": 5, "page": 2})
            ))
        );
        // A pair no parameter carries: this tool cannot fetch that URL.
        assert_eq!(
            context.arguments_for_url("https://x.test/r?page=2&since=9"),
            None
        );
    }

    #[test]
    fn body_cursors_name_the_parameter() {
        let parameters = [
            query("cursor", "string"),
            query("pageToken", "string"),
            query("starting_after", "string"),
        ];
        let arguments = map(json!({"limit": 2}));
        let context = PageContext {
            parameters: &parameters,
            arguments: &arguments,
        };
        let next = |body: Value| context.arguments_from_body(&body);
        assert_eq!(
            next(json!({"items": [], "response_metadata": {"next_cursor": "c2"}})),
            Some(map(json!({"limit": 2, "cursor": "c2"})))
        );
        assert_eq!(
            next(json!({"nextPageToken": "t9"})),
            Some(map(json!({"limit": 2, "pageToken": "t9"})))
        );
        assert_eq!(
            next(json!({"has_more": true, "data": [{"id": "cus_1"}, {"id": "cus_2"}]})),
            Some(map(json!({"limit": 2, "starting_after": "cus_2"})))
        );
        assert_eq!(
            next(json!({"has_more": false, "data": [{"id": "cus_2"}]})),
            None
        );
        assert_eq!(next(json!({"next_cursor": null})), None);
        assert_eq!(next(json!({"next_cursor": ""})), None);
    }
}
