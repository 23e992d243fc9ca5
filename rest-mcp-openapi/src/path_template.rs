//! [`PathTemplate`]: an operation's path split once into literal text and named
//! parameters, shared by every front end (specs and the TOML list write `{name}`,
//! `#[rest_api]` traits write `<name>`) and by the runtime that renders it.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A path relative to the base URL, with `{name}` placeholders, parsed.
///
/// Its text (what [`PathTemplate::as_str`] and `Display` give, and what it serializes to)
/// is always the OpenAPI form, `/pets/{id}`, whatever syntax it was written in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PathTemplate {
    text: String,
    pieces: Vec<TemplatePiece>,
}

/// A piece of a [`PathTemplate`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TemplatePiece {
    /// Text sent as written.
    Literal(String),
    /// A placeholder, filled from the path parameter of this name.
    Parameter(String),
}

impl PathTemplate {
    /// Parse an OpenAPI path (`/users/{id}/keys/{key}.json`). Lenient, as specs in the
    /// wild need: a `{` without a closing `}` is literal text, and nothing is rejected.
    pub fn parse(text: &str) -> PathTemplate {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let Some(length) = rest[start..].find('}') else {
                break;
            };
            if start > 0 {
                pieces.push(TemplatePiece::Literal(rest[..start].to_owned()));
            }
            let name = &rest[start + 1..start + length];
            pieces.push(TemplatePiece::Parameter(name.to_owned()));
            rest = &rest[start + length + 1..];
        }
        if !rest.is_empty() {
            pieces.push(TemplatePiece::Literal(rest.to_owned()));
        }
        PathTemplate {
            text: text.to_owned(),
            pieces,
        }
    }

    /// Parse a path written with `<name>` placeholders (`/pets/<id>/photos/<photo>.jpg`),
    /// strictly: every problem is reported with the byte range it is about, and names
    /// must be identifiers, since each binds the method argument of that name.
    pub fn parse_angle_brackets(text: &str) -> Result<PathTemplate, Vec<TemplateError>> {
        AngleParser::new(text).run()
    }

    /// The path in OpenAPI form (`/pets/{id}`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The pieces, in order.
    pub fn pieces(&self) -> &[TemplatePiece] {
        &self.pieces
    }

    /// The names of the placeholders, in order, each once.
    pub fn parameters(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for piece in &self.pieces {
            if let TemplatePiece::Parameter(name) = piece
                && !names.contains(&name.as_str())
            {
                names.push(name);
            }
        }
        names
    }
}

impl fmt::Display for PathTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq<str> for PathTemplate {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for PathTemplate {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl Serialize for PathTemplate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for PathTemplate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PathTemplate, D::Error> {
        String::deserialize(deserializer).map(|text| PathTemplate::parse(&text))
    }
}

/// A problem in a `<name>` template and the byte range of the text it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte range in the template text.
    pub range: Range<usize>,
    /// What is wrong.
    pub kind: TemplateErrorKind,
}

/// What is wrong in a `<name>` template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateErrorKind {
    /// The path does not start with `/`.
    NotAbsolute,
    /// `<name` without its `>` (`written` is the text from `<` on).
    Unclosed {
        /// The text as written, from `<` to where the parameter stops.
        written: String,
    },
    /// `<>`.
    Empty,
    /// `<1d>`: the name is not an identifier.
    NotIdentifier {
        /// The name as written.
        name: String,
    },
    /// The same `<name>` twice.
    Duplicate {
        /// The repeated name.
        name: String,
    },
    /// `>` without a `<`.
    UnmatchedClose,
    /// `{` or `}`; `name` when it was a `{name}` placeholder in OpenAPI style.
    Brace {
        /// The name between the braces, when it is an identifier.
        name: Option<String>,
    },
    /// A `?query` in the path.
    Query,
    /// A `#fragment` in the path.
    Fragment,
}

/// Whether `name` is a Rust-style identifier (not `_`, not starting with a digit).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && name != "_"
}

/// The `<name>` parser's state.
struct AngleParser<'t> {
    text: &'t str,
    errors: Vec<TemplateError>,
    pieces: Vec<TemplatePiece>,
    literal: String,
}

impl<'t> AngleParser<'t> {
    fn new(text: &'t str) -> AngleParser<'t> {
        AngleParser {
            text,
            errors: Vec::new(),
            pieces: Vec::new(),
            literal: String::new(),
        }
    }

    fn error(&mut self, range: Range<usize>, kind: TemplateErrorKind) {
        self.errors.push(TemplateError { range, kind });
    }

    fn run(mut self) -> Result<PathTemplate, Vec<TemplateError>> {
        let text = self.text;
        if !text.starts_with('/') {
            self.error(0..text.len(), TemplateErrorKind::NotAbsolute);
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
                    match end {
                        Some(end) => self.parameter(start, end),
                        None => self.error(
                            start..stop,
                            TemplateErrorKind::Unclosed {
                                written: text[start..stop].to_owned(),
                            },
                        ),
                    }
                }
                '>' => self.error(start..start + 1, TemplateErrorKind::UnmatchedClose),
                '{' | '}' => {
                    let braced = text[start..]
                        .find('}')
                        .filter(|_| c == '{')
                        .map(|end| &text[start + 1..start + end]);
                    if c == '{' || braced.is_none() {
                        let name = braced.filter(|name| is_identifier(name)).map(str::to_owned);
                        self.error(start..start + 1, TemplateErrorKind::Brace { name });
                    }
                    if let Some(name) = braced {
                        // Skip past the closing brace: one error per `{name}`.
                        for _ in 0..=name.chars().count() {
                            rest.next();
                        }
                    }
                }
                '?' => self.error(start..text.len(), TemplateErrorKind::Query),
                '#' => self.error(start..text.len(), TemplateErrorKind::Fragment),
                _ => self.literal.push(c),
            }
        }
        if !self.literal.is_empty() {
            self.pieces
                .push(TemplatePiece::Literal(std::mem::take(&mut self.literal)));
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let text = self
            .pieces
            .iter()
            .map(|piece| match piece {
                TemplatePiece::Literal(text) => text.clone(),
                TemplatePiece::Parameter(name) => format!("{{{name}}}"),
            })
            .collect();
        Ok(PathTemplate {
            text,
            pieces: self.pieces,
        })
    }

    /// `<name>` from byte `start` (the `<`) to `end` (the `>`).
    fn parameter(&mut self, start: usize, end: usize) {
        let name = &self.text[start + 1..end];
        let range = start..end + 1;
        let kind = if name.is_empty() {
            TemplateErrorKind::Empty
        } else if !is_identifier(name) {
            TemplateErrorKind::NotIdentifier {
                name: name.to_owned(),
            }
        } else if self
            .pieces
            .iter()
            .any(|p| matches!(p, TemplatePiece::Parameter(p) if p == name))
        {
            TemplateErrorKind::Duplicate {
                name: name.to_owned(),
            }
        } else {
            if !self.literal.is_empty() {
                self.pieces
                    .push(TemplatePiece::Literal(std::mem::take(&mut self.literal)));
            }
            self.pieces.push(TemplatePiece::Parameter(name.to_owned()));
            return;
        };
        self.error(range, kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(text: &str) -> TemplatePiece {
        TemplatePiece::Literal(text.to_owned())
    }

    fn parameter(name: &str) -> TemplatePiece {
        TemplatePiece::Parameter(name.to_owned())
    }

    #[test]
    fn openapi_paths_split_into_pieces() {
        let template = PathTemplate::parse("/users/{id}/keys/{key}.json");
        assert_eq!(
            template.pieces(),
            [
                literal("/users/"),
                parameter("id"),
                literal("/keys/"),
                parameter("key"),
                literal(".json")
            ]
        );
        assert_eq!(template.parameters(), ["id", "key"]);
        assert_eq!(template, "/users/{id}/keys/{key}.json");
    }

    #[test]
    fn openapi_parsing_is_lenient() {
        assert_eq!(
            PathTemplate::parse("/a/{b").pieces(),
            [literal("/a/{b")],
            "an unclosed brace is text"
        );
        assert_eq!(PathTemplate::parse("/{x}/{x}").parameters(), ["x"]);
        assert_eq!(PathTemplate::parse("/").pieces(), [literal("/")]);
    }

    #[test]
    fn serializes_as_its_text() {
        let template = PathTemplate::parse("/pets/{id}");
        let json = serde_json::to_value(&template).expect("serializes");
        assert_eq!(json, "/pets/{id}");
        let back: PathTemplate = serde_json::from_value(json).expect("deserializes");
        assert_eq!(back, template);
    }

    #[test]
    fn angle_brackets_become_the_openapi_form() {
        let template =
            PathTemplate::parse_angle_brackets("/pets/<id>/photos/<photo_id>.jpg").expect("ok");
        assert_eq!(template.as_str(), "/pets/{id}/photos/{photo_id}.jpg");
        assert_eq!(template.parameters(), ["id", "photo_id"]);
        assert_eq!(template, PathTemplate::parse(template.as_str()));
    }

    #[test]
    fn angle_bracket_errors_have_kinds_and_ranges() {
        let kinds = |text: &str| -> Vec<(Range<usize>, TemplateErrorKind)> {
            PathTemplate::parse_angle_brackets(text)
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| (e.range, e.kind))
                .collect()
        };
        assert_eq!(
            kinds("/a/<1d>/<id/<>/x>"),
            [
                (3..7, TemplateErrorKind::NotIdentifier { name: "1d".into() }),
                (
                    8..11,
                    TemplateErrorKind::Unclosed {
                        written: "<id".into()
                    }
                ),
                (12..14, TemplateErrorKind::Empty),
                (16..17, TemplateErrorKind::UnmatchedClose),
            ]
        );
        assert_eq!(
            kinds("/pets/{id}"),
            [(
                6..7,
                TemplateErrorKind::Brace {
                    name: Some("id".into())
                }
            )]
        );
        assert_eq!(kinds("pets")[0].1, TemplateErrorKind::NotAbsolute);
        assert_eq!(kinds("/p?x=1")[0], (2..6, TemplateErrorKind::Query));
        assert_eq!(kinds("/p#x")[0].1, TemplateErrorKind::Fragment);
        assert_eq!(
            kinds("/<a>/<a>")[0].1,
            TemplateErrorKind::Duplicate { name: "a".into() }
        );
        assert_eq!(kinds("/x}").len(), 1);
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("id") && is_identifier("_id") && is_identifier("pet2"));
        assert!(!is_identifier("2pet") && !is_identifier("_") && !is_identifier("a-b"));
    }
}
