//! Compact tool descriptions: plain text (markdown links reduced to their text, HTML tags
//! removed, whitespace collapsed), cut to a length at a sentence boundary.

/// `text` as plain text of at most about `max_chars` characters.
///
/// Markdown links and images keep only their text (`[the docs](https://…)` → `the docs`),
/// HTML tags are removed, and every run of whitespace becomes one space. The text is then
/// cut after the last sentence that fits (`.`, `!` or `?` followed by a space); when not
/// even the first sentence fits, it is cut at the last word that fits and ends with `…`.
/// A word is never split: a first word longer than `max_chars` is kept whole.
///
/// ```
/// use rest_mcp_openapi::compact_description;
///
/// let text = "Lists the <b>issues</b> of a repository. See [the docs](https://docs.example.com).\n\nMore detail follows here.";
/// assert_eq!(compact_description(text, 60), "Lists the issues of a repository. See the docs.");
/// assert_eq!(compact_description(text, 20), "Lists the issues of…");
/// ```
pub fn compact_description(text: &str, max_chars: usize) -> String {
    let plain = collapse_whitespace(&strip_html(&strip_markdown_links(text)));
    cut(&plain, max_chars)
}

/// `[text](target)` → `text`, `![alt](target)` → `alt`; anything else is kept.
fn strip_markdown_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let image = open > 0 && rest[..open].ends_with('!');
        out.push_str(&rest[..if image { open - 1 } else { open }]);
        let after = &rest[open + 1..];
        let link = after.find(']').and_then(|close| {
            let target = after[close + 1..].strip_prefix('(')?;
            let end = closing_paren(target)?;
            Some((&after[..close], &target[end + 1..]))
        });
        match link {
            Some((label, remainder)) if !label.contains('[') => {
                out.push_str(label);
                rest = remainder;
            }
            _ => {
                if image {
                    out.push('!');
                }
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The offset of the `)` that closes a link target (URLs may hold balanced parentheses).
fn closing_paren(target: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, c) in target.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(offset),
            ')' => depth -= 1,
            '\n' => return None,
            _ => {}
        }
    }
    None
}

/// Remove `<tag …>`, `</tag>` and `<!-- … -->`; a `<` that starts no tag (`a < b`) stays.
fn strip_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let starts_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        let end = if after.starts_with("!--") {
            after.find("-->").map(|end| end + 3)
        } else {
            after.find('>').map(|end| end + 1)
        };
        match end {
            Some(end) if starts_tag => {
                // A tag between two words still separates them.
                out.push(' ');
                rest = &after[end..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every run of whitespace as one space, without leading or trailing space.
fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` (already collapsed) cut to `max_chars` at a sentence, else a word, boundary.
fn cut(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    // Byte offset just past the last character that fits.
    let limit = text
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(offset, _)| offset);
    let fits = &text[..limit];
    let sentence_end = fits
        .char_indices()
        .filter(|&(offset, c)| {
            matches!(c, '.' | '!' | '?') && text[offset + c.len_utf8()..].starts_with(' ')
        })
        .map(|(offset, c)| offset + c.len_utf8())
        .next_back();
    if let Some(end) = sentence_end {
        return text[..end].to_owned();
    }
    let word_end = if text[limit..].starts_with(' ') {
        Some(limit)
    } else {
        fits.rfind(' ')
    };
    match word_end {
        Some(end) => format!("{}…", text[..end].trim_end_matches([',', ';', ':', ' '])),
        None => {
            let first = text.split(' ').next().unwrap_or(text);
            if first.len() == text.len() {
                first.to_owned()
            } else {
                format!("{first}…")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::compact_description;

    #[test]
    fn short_plain_text_is_unchanged() {
        assert_eq!(compact_description("Get a pet.", 100), "Get a pet.");
    }

    #[test]
    fn links_html_and_whitespace_are_cleaned() {
        let text = "See  [docs](https://x.example/a_(b)) and ![logo](l.png)\n<br/>then <a href=\"x\">this</a>; a < b.";
        assert_eq!(
            compact_description(text, 500),
            "See docs and logo then this ; a < b."
        );
    }

    #[test]
    fn unclosed_brackets_and_tags_are_kept() {
        assert_eq!(
            compact_description("[x] <y and [a](b", 100),
            "[x] <y and [a](b"
        );
    }

    #[test]
    fn cuts_at_the_last_sentence_that_fits() {
        let text = "One. Two three. Four five six.";
        assert_eq!(compact_description(text, 16), "One. Two three.");
        assert_eq!(compact_description(text, 15), "One. Two three.");
        assert_eq!(compact_description(text, 14), "One.");
    }

    #[test]
    fn falls_back_to_a_word_boundary_never_mid_word() {
        assert_eq!(
            compact_description("Create a pull request for a repository", 12),
            "Create a…"
        );
        assert_eq!(
            compact_description("Create a pull request", 13),
            "Create a pull…"
        );
        assert_eq!(
            compact_description("Supercalifragilistic words", 5),
            "Supercalifragilistic…"
        );
        assert_eq!(
            compact_description("Supercalifragilistic", 5),
            "Supercalifragilistic"
        );
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(
            compact_description("Ünïcödé wörds hère", 13),
            "Ünïcödé wörds…"
        );
    }
}
