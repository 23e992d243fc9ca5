//! Path templates: `"/pets/<id>/photos/<photo_id>.jpg"` split into literal text and
//! `<name>` parameters, each of which binds the method argument of that name.

use std::ops::Range;

use proc_macro2::Span;
use syn::LitStr;

/// A piece of a path template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Text sent as written.
    Literal(String),
    /// A `<name>` parameter.
    Param(Param),
}

/// A `<name>` parameter and where it sits in the template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Param {
    /// The argument name it binds.
    pub(crate) name: String,
    /// Byte range of `<name>` in the template text.
    pub(crate) range: Range<usize>,
}

/// A parsed path template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PathTemplate {
    pub(crate) pieces: Vec<Piece>,
}

/// A problem in a template: a message and the byte range it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TemplateError {
    pub(crate) range: Range<usize>,
    pub(crate) message: String,
}

impl PathTemplate {
    /// Parse `text`, reporting every problem (not only the first).
    pub(crate) fn parse(text: &str) -> Result<PathTemplate, Vec<TemplateError>> {
        let mut errors = Vec::new();
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let error = |range: Range<usize>, message: String| TemplateError { range, message };
        if !text.starts_with('/') {
            errors.push(error(
                0..text.len(),
                format!(
                    "the path must start with `/`, e.g. \"/{}\"",
                    text.trim_start_matches('/')
                ),
            ));
        }
        let mut rest = text.char_indices().peekable();
        while let Some((start, c)) = rest.next() {
            match c {
                '<' => {
                    // The parameter ends at `>`; `/`, `<` or the end first means it is unclosed.
                    let mut end = None;
                    let mut stop = text.len();
                    while let Some(&(index, next)) = rest.peek() {
                        if next == '>' {
                            rest.next();
                            end = Some(index);
                            break;
                        }
                        if next == '/' || next == '<' {
                            stop = index;
                            break;
                        }
                        rest.next();
                    }
                    let Some(end) = end else {
                        let written = &text[start..stop];
                        let name = &written[1..];
                        errors.push(error(
                            start..stop,
                            format!(
                                "unclosed path parameter `{written}`: write `<{}>`",
                                if name.is_empty() { "name" } else { name }
                            ),
                        ));
                        continue;
                    };
                    let name = &text[start + 1..end];
                    let range = start..end + 1;
                    if name.is_empty() {
                        errors.push(error(
                            range,
                            "empty path parameter `<>`: name the argument it binds, e.g. `<id>`"
                                .to_owned(),
                        ));
                    } else if !is_identifier(name) {
                        errors.push(error(
                            range,
                            format!(
                                "path parameter `<{name}>` is not a valid identifier: it must be the name of an argument of the method (letters, digits and `_`, not starting with a digit)"
                            ),
                        ));
                    } else if pieces
                        .iter()
                        .any(|p| matches!(p, Piece::Param(p) if p.name == name))
                    {
                        errors.push(error(
                            range,
                            format!("path parameter `<{name}>` appears more than once"),
                        ));
                    } else {
                        if !literal.is_empty() {
                            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                        }
                        pieces.push(Piece::Param(Param {
                            name: name.to_owned(),
                            range,
                        }));
                    }
                }
                '>' => errors.push(error(
                    start..start + 1,
                    "`>` without a matching `<` in the path".to_owned(),
                )),
                '{' | '}' => {
                    let braced = text[start..]
                        .find('}')
                        .filter(|_| c == '{')
                        .map(|end| &text[start + 1..start + end]);
                    let message = match braced {
                        Some(name) if is_identifier(name) => format!(
                            "path parameters are written `<{name}>`, not `{{{name}}}`"
                        ),
                        _ => "path parameters are written `<name>`; `{` and `}` cannot appear in the path".to_owned(),
                    };
                    if c == '{' || braced.is_none() {
                        errors.push(error(start..start + 1, message));
                    }
                    if let Some(name) = braced {
                        // Skip past the closing brace: one error per `{name}`.
                        for _ in 0..=name.chars().count() {
                            rest.next();
                        }
                    }
                }
                '?' => errors.push(error(
                    start..text.len(),
                    "the path cannot carry a query string: query parameters are method arguments (unmarked on GET/DELETE/HEAD/OPTIONS, or #[query])".to_owned(),
                )),
                '#' => errors.push(error(
                    start..text.len(),
                    "the path cannot carry a `#fragment`".to_owned(),
                )),
                _ => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        if errors.is_empty() {
            Ok(PathTemplate { pieces })
        } else {
            Err(errors)
        }
    }

    /// The parameters, in order.
    pub(crate) fn params(&self) -> impl Iterator<Item = &Param> {
        self.pieces.iter().filter_map(|piece| match piece {
            Piece::Param(param) => Some(param),
            Piece::Literal(_) => None,
        })
    }

    /// The template as an OpenAPI path: `<id>` becomes `{id}`.
    pub(crate) fn openapi_path(&self) -> String {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Literal(text) => text.clone(),
                Piece::Param(param) => format!("{{{}}}", param.name),
            })
            .collect()
    }
}

/// Whether `name` is a Rust identifier (not `_`, not starting with a digit).
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && name != "_"
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
        PathTemplate::parse(text)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn splits_literals_and_parameters() {
        let template = PathTemplate::parse("/pets/<id>/photos/<photo_id>.jpg").expect("valid");
        let names: Vec<_> = template.params().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["id", "photo_id"]);
        assert_eq!(template.openapi_path(), "/pets/{id}/photos/{photo_id}.jpg");
        assert_eq!(
            template.params().next().map(|p| p.range.clone()),
            Some(6..10)
        );
        assert_eq!(PathTemplate::parse("/").expect("root").openapi_path(), "/");
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

    #[test]
    fn identifiers() {
        assert!(is_identifier("id") && is_identifier("_id") && is_identifier("pet2"));
        assert!(!is_identifier("2pet") && !is_identifier("_") && !is_identifier("a-b"));
    }
}
