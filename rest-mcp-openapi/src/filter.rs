//! Include/exclude rules (PRD `[filters]`), applied after naming (so filters never change
//! the names of the tools they keep) and before any schema is lowered (so a filtered load
//! pays only for the operations it keeps).

use crate::error::{Diagnostics, SourceRef};
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

/// Which candidates the filters keep, one flag each. Rules that match nothing at all are
/// reported, since they are usually typos.
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
    let tag_rules = [
        ("include_tags", &filters.include_tags),
        ("exclude_tags", &filters.exclude_tags),
    ];
    for (rule, tags) in tag_rules {
        for tag in tags {
            if !operations
                .iter()
                .any(|op| op.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)))
            {
                diagnostics.warn(
                    at.clone(),
                    format!("{rule}: no operation has the tag `{tag}`"),
                );
            }
        }
    }
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
}
