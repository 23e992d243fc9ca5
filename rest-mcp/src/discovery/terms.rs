//! Words for search: text split into terms the way API names are written (`snake_case`,
//! `camelCase`, `/path/{segments}`), lowercased, with plurals and common suffixes folded,
//! and the verbs an agent uses mapped onto the CRUD verbs an API uses.

/// The terms of `text`, in order: split at non-alphanumerics and at lower→upper case
/// changes, lowercased, stemmed. Purely numeric pieces and very short noise are kept out.
pub(crate) fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in words(text) {
        let lower = word.to_lowercase();
        if lower.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        out.push(stem(&lower));
    }
    out
}

/// Words split at separators and camelCase boundaries (`listForUser` → list, For, User;
/// `HTTPServer` → HTTP, Server).
fn words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    for piece in text.split(|c: char| !c.is_alphanumeric()) {
        if piece.is_empty() {
            continue;
        }
        let chars: Vec<(usize, char)> = piece.char_indices().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (at, c) = chars[i];
            let previous = chars[i - 1].1;
            let next_is_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
            let boundary = (previous.is_lowercase() && c.is_uppercase())
                || (previous.is_uppercase() && c.is_uppercase() && next_is_lower)
                || (previous.is_alphabetic() != c.is_alphabetic());
            if boundary {
                words.push(&piece[start..at]);
                start = at;
            }
        }
        words.push(&piece[start..]);
    }
    words
}

/// A light English stemmer: plural and verb suffixes folded so `repositories`,
/// `repository`; `deployments`, `deployment`, `deploying` meet.
pub(crate) fn stem(word: &str) -> String {
    let w = word;
    let n = w.len();
    if n <= 3 || !w.is_ascii() {
        return w.to_owned();
    }
    let strip =
        |suffix: &str, replacement: &str| format!("{}{}", &w[..n - suffix.len()], replacement);
    if w.ends_with("ies") && n > 4 {
        return strip("ies", "y");
    }
    if w.ends_with("sses") || w.ends_with("xes") || w.ends_with("ches") || w.ends_with("shes") {
        return strip("es", "");
    }
    if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        return w.to_owned();
    }
    if w.ends_with('s') {
        return strip("s", "");
    }
    if w.ends_with("ing") && n > 5 {
        return undouble(&w[..n - 3]);
    }
    if w.ends_with("ied") && n > 4 {
        return strip("ied", "y");
    }
    if w.ends_with("ed") && n > 4 {
        return undouble(&w[..n - 2]);
    }
    w.to_owned()
}

/// `stopp` → `stop`, `runn` → `run` (the doubled consonant of `stopping`, `running`).
fn undouble(stem: &str) -> String {
    let bytes = stem.as_bytes();
    let n = bytes.len();
    if n >= 3 && bytes[n - 1] == bytes[n - 2] && !b"aeioulsz".contains(&bytes[n - 1]) {
        return stem[..n - 1].to_owned();
    }
    stem.to_owned()
}

/// Whether a word of a query is a value the agent will pass as an argument
/// (`octocat/hello-world`, `a@b.com`, `v1.2`, `pod-7f9c`, `"prod"`) rather than words for
/// what it wants: it holds a `/`, `@`, `:`, a quote, an inner `.`, or mixes letters with
/// digits.
pub(crate) fn is_value(word: &str) -> bool {
    let inner_dot = word.trim_end_matches(['.', ',', '?', '!']).contains('.');
    let letters = word.chars().any(char::is_alphabetic);
    let digits = word.chars().any(|c| c.is_ascii_digit());
    word.contains(['/', '@', ':', '"', '\'', '`']) || inner_dot || (letters && digits)
}

/// Words that carry no meaning for finding an operation.
pub(crate) fn is_stopword(term: &str) -> bool {
    matches!(
        term,
        "a" | "an"
            | "the"
            | "of"
            | "in"
            | "on"
            | "for"
            | "to"
            | "and"
            | "or"
            | "my"
            | "me"
            | "i"
            | "we"
            | "our"
            | "your"
            | "it"
            | "its"
            | "thi"
            | "that"
            | "with"
            | "from"
            | "by"
            | "at"
            | "be"
            | "is"
            | "are"
            | "do"
            | "doe"
            | "please"
            | "can"
            | "you"
            | "want"
            | "need"
            | "some"
            | "which"
            | "what"
            | "there"
            | "as"
            | "into"
            | "about"
            | "so"
            | "now"
            | "up"
    )
}

/// The CRUD verb groups, and a few nouns every issue tracker and code host shares: an
/// agent's word, and the words an API's names and summaries use for the same thing. Every
/// word of a group stands for the others, at a lower weight. General vocabulary only.
const VERB_GROUPS: &[&[&str]] = &[
    &[
        "get", "show", "fetch", "retrieve", "read", "view", "display", "see", "lookup", "look",
        "inspect", "describe", "detail", "info",
    ],
    &[
        "list",
        "all",
        "enumerate",
        "browse",
        "find",
        "search",
        "query",
        "show",
        "view",
        "display",
        "see",
    ],
    &[
        "create", "add", "new", "make", "post", "register", "insert", "start", "submit", "generate",
    ],
    &[
        "update",
        "edit",
        "modify",
        "change",
        "set",
        "patch",
        "rename",
        "replace",
        "put",
        "configure",
        "adjust",
        "scale",
    ],
    &[
        "delete", "remove", "destroy", "erase", "drop", "purge", "clear", "revoke", "unset",
    ],
    &["cancel", "stop", "abort", "terminate", "halt"],
    &["user", "account", "member", "person", "people"],
    &["issue", "bug", "ticket"],
    &["repository", "repo"],
    &["organization", "org"],
];

/// The other words of `term`'s verb group (stemmed), if it has one.
pub(crate) fn synonyms(term: &str) -> Vec<String> {
    VERB_GROUPS
        .iter()
        .filter(|group| group.iter().any(|word| stem(word) == term))
        .flat_map(|group| group.iter().map(|word| stem(word)))
        .filter(|word| word != term)
        .collect()
}

/// The verb an HTTP method stands for, so `DELETE /hooks/{id}` is found by "remove a hook".
pub(crate) fn method_terms(method: &str) -> &'static [&'static str] {
    match method.to_ascii_uppercase().as_str() {
        "GET" => &["get", "list"],
        "POST" => &["create"],
        "PUT" | "PATCH" => &["update"],
        "DELETE" => &["delete"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_the_way_apis_write_them() {
        assert_eq!(
            terms("repos/list-for-user"),
            ["repo", "list", "for", "user"]
        );
        assert_eq!(terms("listPullRequests"), ["list", "pull", "request"]);
        assert_eq!(terms("HTTPServer v2"), ["http", "server", "v"]);
        assert_eq!(
            terms("/repos/{owner}/{repo}/issues"),
            ["repo", "owner", "repo", "issue"]
        );
    }

    #[test]
    fn plurals_and_verb_forms_meet() {
        for (a, b) in [
            ("repositories", "repository"),
            ("deployments", "deployment"),
            ("branches", "branch"),
            ("running", "run"),
            ("starred", "star"),
            ("status", "status"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
    }

    #[test]
    fn values_are_told_from_words() {
        for value in [
            "octocat/hello-world",
            "a@b.com",
            "v1.2",
            "pod-7f9c",
            "'prod'",
        ] {
            assert!(is_value(value), "{value}");
        }
        for word in ["issues", "open", "deployment.", "scale"] {
            assert!(!is_value(word), "{word}");
        }
    }

    #[test]
    fn agent_verbs_reach_api_verbs() {
        assert!(synonyms("remove").contains(&"delete".to_owned()));
        assert!(synonyms("show").contains(&"get".to_owned()));
        assert!(synonyms(&stem("adds")).contains(&"create".to_owned()));
        assert!(synonyms("octocat").is_empty());
    }
}
