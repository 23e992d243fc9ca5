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
mod tests;
