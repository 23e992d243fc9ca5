//! Include/exclude rules (PRD `[filters]`), applied after naming (so filters never change
//! the names of the tools they keep) and before any schema is lowered (so a filtered load
//! pays only for the operations it keeps).

use crate::error::{Diagnostics, LoadError, SourceRef};
use crate::model::HttpMethod;
use crate::options::Filters;

/// What the filters look at: an operation's name, identity and tags, known before any of
/// its schemas are lowered.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Candidate<'a> {
    pub(crate) tool_name: &'a str,
    pub(crate) operation_id: Option<&'a str>,
    pub(crate) tags: &'a [String],
    pub(crate) path: &'a str,
    pub(crate) method: HttpMethod,
    pub(crate) read_only: bool,
}

/// Every tag a tag filter names must be a tag of some operation (`ops`: each operation's
/// tags and path). A tag that matches nothing is a typo or a different spec, and would
/// silently serve nothing (`include_tags`) or serve what was meant to be left out
/// (`exclude_tags`), so it stops the load; the error names the tags the spec has.
pub(crate) fn check_tags(ops: &[(&[String], &str)], filters: &Filters) -> Result<(), LoadError> {
    let tag_rules = [
        ("include_tags", &filters.include_tags),
        ("exclude_tags", &filters.exclude_tags),
    ];
    let mut unknown: Vec<&str> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for (rule, tags) in tag_rules {
        for tag in tags {
            if ops
                .iter()
                .any(|(op_tags, _)| op_tags.iter().any(|t| t.eq_ignore_ascii_case(tag)))
            {
                continue;
            }
            let suggestion = closest_tag(ops, tag)
                .map(|close| format!(" (did you mean `{close}`?)"))
                .unwrap_or_default();
            problems.push(format!(
                "{rule}: no operation has the tag `{tag}`{suggestion}"
            ));
            unknown.push(tag);
        }
    }
    let Some(first) = unknown.first() else {
        return Ok(());
    };
    Err(LoadError::new(
        SourceRef::new("<options>", "/filters"),
        format!("{}; {}", problems.join("; "), tag_alternatives(ops, first)),
    ))
}

/// Which candidates the filters keep, one flag each. Path and operation rules that match
/// nothing at all are reported, since they are usually typos (tags are checked before,
/// by [`check_tags`]).
pub(crate) fn select(
    candidates: &[Candidate<'_>],
    filters: &Filters,
    diagnostics: &mut Diagnostics,
) -> Vec<bool> {
    report_unmatched(candidates, filters, diagnostics);
    candidates.iter().map(|op| keeps(op, filters)).collect()
}

/// Whether `op` passes every rule.
fn keeps(op: &Candidate<'_>, filters: &Filters) -> bool {
    let has_tag = |tags: &[String]| {
        op.tags
            .iter()
            .any(|t| tags.iter().any(|wanted| wanted.eq_ignore_ascii_case(t)))
    };
    let under = |prefixes: &[String]| prefixes.iter().any(|p| path_is_under(op.path, p));
    let named = |names: &[String]| names.iter().any(|n| names_operation(op, n));
    (filters.include_tags.is_empty() || has_tag(&filters.include_tags))
        && !has_tag(&filters.exclude_tags)
        && (filters.include_paths.is_empty() || under(&filters.include_paths))
        && !under(&filters.exclude_paths)
        && (filters.include_operations.is_empty() || named(&filters.include_operations))
        && !named(&filters.exclude_operations)
        && (filters.methods.is_empty() || filters.methods.contains(&op.method))
        && (!filters.read_only || op.read_only)
}

/// `/users` covers `/users` and `/users/{id}` but not `/usersettings`.
fn path_is_under(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        return true;
    }
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn names_operation(op: &Candidate<'_>, name: &str) -> bool {
    op.tool_name == name || op.operation_id == Some(name)
}

fn report_unmatched(
    operations: &[Candidate<'_>],
    filters: &Filters,
    diagnostics: &mut Diagnostics,
) {
    let at = SourceRef::new("<options>", "/filters");
    let path_rules = [
        ("include_paths", &filters.include_paths),
        ("exclude_paths", &filters.exclude_paths),
    ];
    for (rule, prefixes) in path_rules {
        for prefix in prefixes {
            if !operations.iter().any(|op| path_is_under(op.path, prefix)) {
                diagnostics.warn(
                    at.clone(),
                    format!("{rule}: no operation path is under `{prefix}`"),
                );
            }
        }
    }
    let name_rules = [
        ("include_operations", &filters.include_operations),
        ("exclude_operations", &filters.exclude_operations),
    ];
    for (rule, names) in name_rules {
        for name in names {
            if !operations.iter().any(|op| names_operation(op, name)) {
                diagnostics.warn(
                    at.clone(),
                    format!("{rule}: no operation has the operationId or tool name `{name}`"),
                );
            }
        }
    }
}

/// The tags of `ops`, each once, in the order they first appear.
fn spec_tags<'a>(ops: &[(&'a [String], &str)]) -> Vec<&'a str> {
    let mut tags: Vec<&str> = Vec::new();
    for (op_tags, _) in ops {
        for t in *op_tags {
            if !tags.contains(&t.as_str()) {
                tags.push(t);
            }
        }
    }
    tags
}

/// The spec's tag most like `tag`, when it is a likely typo (case aside).
fn closest_tag<'a>(ops: &[(&'a [String], &str)], tag: &str) -> Option<&'a str> {
    let wanted = tag.trim().to_lowercase();
    spec_tags(ops)
        .into_iter()
        .map(|t| (strsim::jaro_winkler(&wanted, &t.to_lowercase()), t))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, t)| t)
}

/// What to use instead of a tag that matches nothing: the tags the spec has, and the
/// path prefixes named like the tag (`customers` → `/v1/customers`).
fn tag_alternatives(ops: &[(&[String], &str)], tag: &str) -> String {
    let tags = spec_tags(ops);
    let known = match tags.len() {
        0 => "the spec tags no operation".to_owned(),
        n if n <= 20 => format!("the spec's tags are: {}", tags.join(", ")),
        n => format!(
            "the spec has {n} tags, among them: {}",
            tags[..20].join(", ")
        ),
    };
    let word = tag.trim().to_ascii_lowercase();
    let stem = word.trim_end_matches('s');
    let mut prefixes: Vec<String> = Vec::new();
    for (_, path) in ops {
        let segments: Vec<&str> = path.split('/').collect();
        let hit = segments.iter().position(|segment| {
            let segment = segment.to_ascii_lowercase();
            !stem.is_empty() && (segment == word || segment.trim_end_matches('s') == stem)
        });
        if let Some(end) = hit {
            let prefix = segments[..=end].join("/");
            if !prefixes.contains(&prefix) {
                prefixes.push(prefix);
            }
        }
    }
    if prefixes.is_empty() {
        return known;
    }
    prefixes.truncate(5);
    format!(
        "{known}; to select by path instead, use --include-paths {}",
        prefixes.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_whole_segments() {
        assert!(path_is_under("/users", "/users"));
        assert!(path_is_under("/users/{id}", "/users/"));
        assert!(!path_is_under("/usersettings", "/users"));
        assert!(path_is_under("/anything", "/"));
    }

    #[test]
    fn an_unmatched_tag_names_the_tags_and_the_matching_paths() {
        let none: &[String] = &[];
        let untagged = [
            (none, "/v1/customers"),
            (none, "/v1/customers/{customer}"),
            (none, "/v1/charges"),
        ];
        assert_eq!(
            tag_alternatives(&untagged, "customers"),
            "the spec tags no operation; to select by path instead, use --include-paths /v1/customers"
        );
        let tags = ["pets".to_owned()];
        assert_eq!(
            tag_alternatives(&[(&tags[..], "/pets")], "store"),
            "the spec's tags are: pets"
        );
    }

    #[test]
    fn a_tag_filter_naming_a_tag_no_operation_has_is_an_error() {
        let pets = ["pets".to_owned()];
        let store = ["Store".to_owned(), "pets".to_owned()];
        let ops = [(&pets[..], "/pets"), (&store[..], "/store/order")];
        let with = |include: &[&str], exclude: &[&str]| Filters {
            include_tags: include.iter().map(|t| t.to_string()).collect(),
            exclude_tags: exclude.iter().map(|t| t.to_string()).collect(),
            ..Filters::default()
        };
        assert_eq!(check_tags(&ops, &with(&["PETS", "store"], &[])), Ok(()));
        assert_eq!(check_tags(&ops, &Filters::default()), Ok(()));
        let error = check_tags(&ops, &with(&["pets", "stor"], &["internal"])).expect_err("unknown");
        assert_eq!(error.location, SourceRef::new("<options>", "/filters"));
        assert_eq!(
            error.message,
            "include_tags: no operation has the tag `stor` (did you mean `Store`?); \
             exclude_tags: no operation has the tag `internal`; the spec's tags are: pets, Store"
        );
    }
}
