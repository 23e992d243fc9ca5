//! Path templates in `#[endpoint(GET "/pets/<id>")]`: parsed by the loader's
//! [`PathTemplate`] (the same type every operation carries), with the problems it finds
//! turned into messages that say what to write instead, spanned onto the path literal.

use std::ops::Range;

use proc_macro2::Span;
use rest_mcp_openapi::{PathTemplate, TemplateError, TemplateErrorKind};
use syn::LitStr;

/// Parse the `<name>` template in `lit`, or one `(span, message)` per problem.
pub(crate) fn parse(lit: &LitStr) -> Result<PathTemplate, Vec<(Span, String)>> {
    PathTemplate::parse_angle_brackets(&lit.value()).map_err(|errors| {
        errors
            .into_iter()
            .map(|error| {
                (
                    subspan(lit, error.range.clone()),
                    message(&lit.value(), &error),
                )
            })
            .collect()
    })
}

/// What to tell the user about `error` in `text`.
fn message(text: &str, error: &TemplateError) -> String {
    match &error.kind {
        TemplateErrorKind::NotAbsolute => format!(
            "the path must start with `/`, e.g. \"/{}\"",
            text.trim_start_matches('/')
        ),
        TemplateErrorKind::Unclosed { written } => {
            let name = &written[1..];
            format!(
                "unclosed path parameter `{written}`: write `<{}>`",
                if name.is_empty() { "name" } else { name }
            )
        }
        TemplateErrorKind::Empty => {
            "empty path parameter `<>`: name the argument it binds, e.g. `<id>`".to_owned()
        }
        TemplateErrorKind::NotIdentifier { name } => format!(
            "path parameter `<{name}>` is not a valid identifier: it must be the name of an argument of the method (letters, digits and `_`, not starting with a digit)"
        ),
        TemplateErrorKind::Duplicate { name } => {
            format!("path parameter `<{name}>` appears more than once")
        }
        TemplateErrorKind::UnmatchedClose => "`>` without a matching `<` in the path".to_owned(),
        TemplateErrorKind::Brace { name: Some(name) } => {
            format!("path parameters are written `<{name}>`, not `{{{name}}}`")
        }
        TemplateErrorKind::Brace { name: None } => {
            "path parameters are written `<name>`; `{` and `}` cannot appear in the path"
                .to_owned()
        }
        TemplateErrorKind::Query => "the path cannot carry a query string: query parameters are method arguments (unmarked on GET/DELETE/HEAD/OPTIONS, or #[query])".to_owned(),
        TemplateErrorKind::Fragment => "the path cannot carry a `#fragment`".to_owned(),
    }
}

/// The span of `<name>` in the path literal (each name appears once in a valid template).
pub(crate) fn parameter_span(lit: &LitStr, name: &str) -> Span {
    let written = format!("<{name}>");
    match lit.value().find(&written) {
        Some(start) => subspan(lit, start..start + written.len()),
        None => lit.span(),
    }
}

/// The span of bytes `range` of `lit`'s value, falling back to the whole literal where the
/// compiler cannot point inside a literal (stable Rust today).
pub(crate) fn subspan(lit: &LitStr, range: Range<usize>) -> Span {
    let token = lit.token();
    let raw = token.to_string();
    // Only plain string literals map value bytes 1:1 onto source bytes (after the quote).
    if raw.starts_with('"')
        && !raw.contains('\\')
        && let Some(span) = token.subspan(range.start + 1..range.end + 1)
    {
        return span;
    }
    lit.span()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        parse(&LitStr::new(text, Span::call_site()))
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|(_, message)| message)
            .collect()
    }

    #[test]
    fn parameters_become_the_openapi_path() {
        let lit = LitStr::new("/pets/<id>/photos/<photo_id>.jpg", Span::call_site());
        let template = parse(&lit).expect("valid");
        assert_eq!(template.parameters(), ["id", "photo_id"]);
        assert_eq!(template.as_str(), "/pets/{id}/photos/{photo_id}.jpg");
        let root = LitStr::new("/", Span::call_site());
        assert_eq!(parse(&root).expect("root").as_str(), "/");
    }

    #[test]
    fn reports_every_malformed_parameter() {
        let errors = messages("/a/<1d>/<id/<>/x>");
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].contains("`<1d>` is not a valid identifier"));
        assert!(errors[1].contains("unclosed path parameter `<id`: write `<id>`"));
        assert!(errors[2].contains("empty path parameter `<>`"));
        assert!(errors[3].contains("`>` without a matching `<`"));
    }

    #[test]
    fn rejects_braces_queries_duplicates_and_relative_paths() {
        assert_eq!(
            messages("/pets/{id}"),
            ["path parameters are written `<id>`, not `{id}`"]
        );
        assert!(messages("/pets?limit=1")[0].contains("query string"));
        assert!(messages("/a/<id>/<id>")[0].contains("appears more than once"));
        assert!(messages("pets")[0].contains("must start with `/`, e.g. \"/pets\""));
        assert!(messages("/<_>")[0].contains("not a valid identifier"));
        assert_eq!(messages("/x}").len(), 1);
    }
}
