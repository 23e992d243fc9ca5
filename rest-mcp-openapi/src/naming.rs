//! Tool and argument names: sanitizing, snake_case, shortening and collision suffixes.
//!
//! Names are a pure function of the spec and the options: the same spec always yields the
//! same names, and adding an operation never renames an earlier one (the first claimant of
//! a name keeps it; later ones get a suffix hashed from their method and path).

use std::collections::HashSet;

use crate::error::{Diagnostics, LoadError, SourceRef};
use crate::model::HttpMethod;
use crate::options::NamingOptions;

/// Longest name MCP tool names may have.
pub const MAX_TOOL_NAME: usize = 64;
/// Smallest `max_length` accepted: room for a readable stem and a hash suffix.
pub const MIN_MAX_LENGTH: usize = 16;
/// Characters of a hash suffix, including its `_`.
const SUFFIX_LEN: usize = 7;

/// Whether `name` matches `^[a-zA-Z0-9_-]{1,64}$`, the tool-name rule clients enforce.
pub fn is_valid_tool_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_TOOL_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `getUserByID`, `repos/get`, `List Users` → `get_user_by_id`, `repos_get`, `list_users`.
/// Characters other than ASCII letters and digits separate words; the result may be empty.
pub fn snake_case(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            let boundary = c.is_ascii_uppercase()
                && i > 0
                && (chars[i - 1].is_ascii_lowercase()
                    || chars[i - 1].is_ascii_digit()
                    || (chars[i - 1].is_ascii_uppercase()
                        && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// `GET /users/{id}/repos` → `get_users_by_id_repos`.
pub(crate) fn method_path_name(method: HttpMethod, path: &str) -> String {
    let mut name = method.spec_key().to_owned();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let parameter = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
        let part = match parameter {
            Some(inner) => format!("by_{}", snake_case(inner)),
            None => snake_case(segment),
        };
        if !part.is_empty() {
            name.push('_');
            name.push_str(&part);
        }
    }
    name
}

/// A tool argument name: `[A-Za-z0-9_.-]{1,64}` (what model APIs accept as property
/// names), with other characters replaced: `filter[name]` → `filter_name`.
pub(crate) fn argument_name(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_end_matches('_');
    let mut name: String = trimmed.chars().take(MAX_TOOL_NAME).collect();
    if name.is_empty() {
        name.push_str("arg");
    }
    name
}

/// FNV-1a: a hash that is the same on every platform and every release.
pub(crate) fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn hash_suffix(text: &str) -> String {
    format!("_{:06x}", stable_hash(text) & 0xff_ffff)
}

/// What one operation asks to be called.
pub(crate) struct NameRequest {
    /// `x-rest-mcp-name`, used verbatim (after sanitizing) and served first.
    pub(crate) explicit: Option<String>,
    /// operationId, else `method_path`.
    pub(crate) derived: String,
    /// Identity for hash suffixes (`GET /users`).
    pub(crate) key: String,
    /// Where the operation is, for messages.
    pub(crate) source: SourceRef,
}

/// Validated naming options: the prefix with its joiner and the length left for names.
#[derive(Clone, Debug)]
pub(crate) struct NamePlan {
    prefix: String,
    budget: usize,
}

impl NamePlan {
    /// The plan of `options`, or why they cannot work.
    pub(crate) fn new(options: &NamingOptions) -> Result<NamePlan, LoadError> {
        let prefix = prefix_of(options)?;
        let budget = options.max_length.min(MAX_TOOL_NAME) - prefix.len();
        Ok(NamePlan { prefix, budget })
    }
}

impl Default for NamePlan {
    /// No prefix, the full MCP length.
    fn default() -> NamePlan {
        NamePlan {
            prefix: String::new(),
            budget: MAX_TOOL_NAME,
        }
    }
}

/// Give every request a valid, unique name no longer than the configured maximum.
#[cfg(test)]
pub(crate) fn assign(
    requests: &[NameRequest],
    options: &NamingOptions,
    diagnostics: &mut Diagnostics,
) -> Result<Vec<String>, LoadError> {
    Ok(assign_with(requests, &NamePlan::new(options)?, diagnostics))
}

/// [`assign`] with validated options.
pub(crate) fn assign_with(
    requests: &[NameRequest],
    plan: &NamePlan,
    diagnostics: &mut Diagnostics,
) -> Vec<String> {
    let (prefix, budget) = (plan.prefix.as_str(), plan.budget);
    let mut names: Vec<Option<String>> = vec![None; requests.len()];
    let mut used: HashSet<String> = HashSet::with_capacity(requests.len());
    // Explicit names claim theirs before derived ones, whatever the order in the spec.
    let order = requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.explicit.is_some())
        .chain(
            requests
                .iter()
                .enumerate()
                .filter(|(_, r)| r.explicit.is_none()),
        );
    for (index, request) in order {
        let base = match &request.explicit {
            Some(explicit) => {
                let sanitized = sanitize_explicit(explicit);
                if sanitized != *explicit {
                    diagnostics.warn(
                        request.source.clone(),
                        format!("x-rest-mcp-name `{explicit}` is not a valid tool name; using `{sanitized}`"),
                    );
                }
                sanitized
            }
            None => {
                let snake = snake_case(&request.derived);
                if snake.is_empty() {
                    "operation".to_owned()
                } else {
                    snake
                }
            }
        };
        let fitted = fit(&base, budget);
        if fitted != base {
            diagnostics.info(
                request.source.clone(),
                format!(
                    "tool name `{base}` is longer than {budget} characters; shortened to `{fitted}`"
                ),
            );
        }
        let mut name = format!("{prefix}{fitted}");
        if used.contains(&name) {
            let suffixed = format!(
                "{prefix}{}{}",
                fit(&base, budget - SUFFIX_LEN),
                hash_suffix(&request.key)
            );
            diagnostics.info(
                request.source.clone(),
                format!("tool name `{name}` is already taken; this operation is `{suffixed}`"),
            );
            name = suffixed;
            let mut counter = 2;
            while used.contains(&name) {
                let tail = format!("{}_{counter}", hash_suffix(&request.key));
                name = format!(
                    "{prefix}{}{tail}",
                    fit(&base, budget.saturating_sub(tail.len()))
                );
                counter += 1;
            }
        }
        used.insert(name.clone());
        names[index] = Some(name);
    }
    names.into_iter().map(Option::unwrap_or_default).collect()
}

/// The prefix with its joiner, validated against the length budget.
fn prefix_of(options: &NamingOptions) -> Result<String, LoadError> {
    let at = SourceRef::new("<options>", "/naming");
    if !(MIN_MAX_LENGTH..=MAX_TOOL_NAME).contains(&options.max_length) {
        return Err(LoadError::new(
            at,
            format!(
                "naming.max_length must be between {MIN_MAX_LENGTH} and {MAX_TOOL_NAME}, not {}",
                options.max_length
            ),
        ));
    }
    let Some(prefix) = options.prefix.as_deref().filter(|p| !p.is_empty()) else {
        return Ok(String::new());
    };
    if !is_valid_tool_name(prefix) {
        return Err(LoadError::new(
            at,
            format!("naming.prefix `{prefix}` may only contain letters, digits, `_` and `-`"),
        ));
    }
    let joined = if prefix.ends_with('_') || prefix.ends_with('-') {
        prefix.to_owned()
    } else {
        format!("{prefix}_")
    };
    if joined.len() + SUFFIX_LEN + 8 > options.max_length {
        return Err(LoadError::new(
            at,
            format!(
                "naming.prefix `{prefix}` leaves too little room in naming.max_length = {}",
                options.max_length
            ),
        ));
    }
    Ok(joined)
}

/// An explicit name with invalid characters replaced.
fn sanitize_explicit(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.trim_matches('_').is_empty() {
        "operation".to_owned()
    } else {
        cleaned
    }
}

/// Shorten `name` to `budget` characters: keep the start, add a hash of the whole name.
fn fit(name: &str, budget: usize) -> String {
    if name.len() <= budget {
        return name.to_owned();
    }
    let keep = budget.saturating_sub(SUFFIX_LEN);
    let head = name
        .get(..keep)
        .unwrap_or(name)
        .trim_end_matches(['_', '-']);
    format!("{head}{}", hash_suffix(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(explicit: Option<&str>, derived: &str, key: &str) -> NameRequest {
        NameRequest {
            explicit: explicit.map(str::to_owned),
            derived: derived.to_owned(),
            key: key.to_owned(),
            source: SourceRef::new("spec", "/paths"),
        }
    }

    fn names(requests: &[NameRequest], options: &NamingOptions) -> Vec<String> {
        assign(requests, options, &mut Diagnostics::default()).expect("names")
    }

    #[test]
    fn snake_case_handles_real_operation_ids() {
        for (raw, expected) in [
            ("getUserById", "get_user_by_id"),
            ("repos/get-content", "repos_get_content"),
            ("HTTPServerList", "http_server_list"),
            ("listPets2", "list_pets2"),
            ("GetV1Customers", "get_v1_customers"),
            ("  List users!  ", "list_users"),
            ("already_snake", "already_snake"),
            ("élan", "lan"),
        ] {
            assert_eq!(snake_case(raw), expected, "{raw}");
        }
    }

    #[test]
    fn method_path_names_mark_parameters() {
        assert_eq!(
            method_path_name(HttpMethod::Get, "/users/{userId}/repos"),
            "get_users_by_user_id_repos"
        );
        assert_eq!(method_path_name(HttpMethod::Delete, "/"), "delete");
        assert_eq!(
            method_path_name(HttpMethod::Post, "/v1/customers/{customer}/sources"),
            "post_v1_customers_by_customer_sources"
        );
    }

    #[test]
    fn argument_names_are_safe_property_names() {
        assert_eq!(argument_name("filter[name]"), "filter_name");
        assert_eq!(argument_name("$top"), "top");
        assert_eq!(argument_name("X-Api-Version"), "X-Api-Version");
        assert_eq!(argument_name("page.size"), "page.size");
        assert_eq!(argument_name("[]"), "arg");
        assert_eq!(argument_name(&"a".repeat(80)).len(), 64);
    }

    #[test]
    fn collisions_get_stable_suffixes_and_first_claimant_keeps_the_name() {
        let requests = [
            request(None, "listUsers", "GET /users"),
            request(None, "list_users", "GET /v2/users"),
            request(None, "list-users", "GET /v3/users"),
        ];
        let first = names(&requests, &NamingOptions::default());
        assert_eq!(first[0], "list_users");
        assert!(first[1].starts_with("list_users_") && first[1].len() == "list_users".len() + 7);
        assert_ne!(first[1], first[2]);
        assert_eq!(
            first,
            names(&requests, &NamingOptions::default()),
            "deterministic"
        );
        let more = [requests[0].clone_for_test(), requests[1].clone_for_test()];
        assert_eq!(
            names(&more, &NamingOptions::default())[1],
            first[1],
            "unaffected by later operations"
        );
    }

    #[test]
    fn explicit_names_win_and_are_sanitized() {
        let requests = [
            request(None, "getPet", "GET /pets/{id}"),
            request(Some("get_pet"), "x", "GET /x"),
            request(Some("bad name!"), "y", "GET /y"),
        ];
        let got = names(&requests, &NamingOptions::default());
        assert_eq!(got[1], "get_pet");
        assert!(got[0].starts_with("get_pet_"));
        assert_eq!(got[2], "bad_name_");
    }

    #[test]
    fn long_names_are_shortened_within_the_limit_with_prefix() {
        let long = "get_".to_owned() + &"very_long_segment_".repeat(6);
        let options = NamingOptions {
            prefix: Some("gh".into()),
            max_length: 40,
        };
        let requests = [
            request(None, &long, "GET /a"),
            request(None, &long, "GET /b"),
        ];
        let got = names(&requests, &options);
        for name in &got {
            assert!(
                name.starts_with("gh_") && name.len() <= 40 && is_valid_tool_name(name),
                "{name}"
            );
        }
        assert_ne!(got[0], got[1]);
    }

    #[test]
    fn bad_options_are_errors() {
        let mut diagnostics = Diagnostics::default();
        let bad = NamingOptions {
            prefix: Some("a b".into()),
            max_length: 64,
        };
        assert!(assign(&[], &bad, &mut diagnostics).is_err());
        let bad = NamingOptions {
            prefix: None,
            max_length: 65,
        };
        assert!(assign(&[], &bad, &mut diagnostics).is_err());
        let bad = NamingOptions {
            prefix: Some("p".repeat(20)),
            max_length: 30,
        };
        assert!(assign(&[], &bad, &mut diagnostics).is_err());
    }

    #[test]
    fn validity_rule() {
        assert!(is_valid_tool_name("a-B_9"));
        assert!(!is_valid_tool_name(""));
        assert!(!is_valid_tool_name("a.b"));
        assert!(!is_valid_tool_name(&"a".repeat(65)));
    }

    impl NameRequest {
        fn clone_for_test(&self) -> NameRequest {
            NameRequest {
                explicit: self.explicit.clone(),
                derived: self.derived.clone(),
                key: self.key.clone(),
                source: self.source.clone(),
            }
        }
    }
}
