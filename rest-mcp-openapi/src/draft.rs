//! The shared assembly of every front end (a spec, the TOML endpoint list, operations
//! built in code): drafts of operations become named, filtered, argument-bound
//! [`Operation`]s.
//!
//! It runs in two steps so a filtered load pays only for what it keeps:
//! [`select`] names every draft (over the whole input, so filters never rename) and applies
//! the filters, from cheap facts only; the front end then lowers the schemas of the
//! operations that were kept, and [`finish`] binds their arguments.

use crate::arguments::{self, BodyDraft, ParameterDraft};
use crate::error::{Diagnostics, LoadError, SourceRef};
use crate::filter::{self, Candidate};
use crate::model::{Annotations, HttpMethod, Operation, SecurityRequirement, SuccessResponse};
use crate::naming::{self, NamePlan, NameRequest};
use crate::options::{Filters, LoadOptions};
use crate::path_template::PathTemplate;

/// What is known of an operation before its schemas are lowered: enough to name and
/// filter it.
#[derive(Clone, Debug)]
pub(crate) struct OperationDraft {
    pub(crate) explicit_name: Option<String>,
    pub(crate) operation_id: Option<String>,
    pub(crate) method: HttpMethod,
    pub(crate) path: PathTemplate,
    pub(crate) summary: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) deprecated: bool,
    pub(crate) security: Vec<SecurityRequirement>,
    pub(crate) anonymous: bool,
    pub(crate) annotations: Annotations,
    pub(crate) response_path: Option<String>,
    pub(crate) source: SourceRef,
}

/// An operation's lowered parts: parameters and body (arguments not bound yet) and the
/// success response.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lowered {
    pub(crate) parameters: Vec<ParameterDraft>,
    pub(crate) body: Option<BodyDraft>,
    pub(crate) response: Option<SuccessResponse>,
}

/// The drafts the filters kept, each with its tool name and what the front end needs to
/// lower it (`T`), plus the diagnostics of naming and filtering.
pub(crate) struct Selection<T> {
    pub(crate) kept: Vec<(OperationDraft, String, T)>,
    naming: Diagnostics,
    filtering: Diagnostics,
}

/// Name every draft and keep what the filters allow.
pub(crate) fn select<T>(
    drafts: Vec<(OperationDraft, T)>,
    options: &LoadOptions,
) -> Result<Selection<T>, LoadError> {
    let plan = NamePlan::new(&options.naming)?;
    let ops: Vec<(&[String], &str)> = drafts
        .iter()
        .map(|(draft, _)| (draft.tags.as_slice(), draft.path.as_str()))
        .collect();
    filter::check_tags(&ops, &options.filters)?;
    Ok(select_with(drafts, &plan, &options.filters))
}

/// [`select`] with validated naming options.
pub(crate) fn select_with<T>(
    drafts: Vec<(OperationDraft, T)>,
    plan: &NamePlan,
    filters: &Filters,
) -> Selection<T> {
    let mut naming = Diagnostics::default();
    let requests: Vec<NameRequest> = drafts
        .iter()
        .map(|(d, _)| NameRequest {
            explicit: d.explicit_name.clone(),
            derived: d
                .operation_id
                .clone()
                .filter(|id| !naming::snake_case(id).is_empty())
                .unwrap_or_else(|| naming::method_path_name(d.method, d.path.as_str())),
            key: format!("{} {}", d.method, d.path),
            source: d.source.clone(),
        })
        .collect();
    let names = naming::assign_with(&requests, plan, &mut naming);
    let candidates: Vec<Candidate<'_>> = drafts
        .iter()
        .zip(&names)
        .map(|((d, _), name)| Candidate {
            tool_name: name,
            operation_id: d.operation_id.as_deref(),
            tags: &d.tags,
            path: d.path.as_str(),
            method: d.method,
            read_only: d.annotations.read_only,
        })
        .collect();
    let mut filtering = Diagnostics::default();
    let keep = filter::select(&candidates, filters, &mut filtering);
    let kept = drafts
        .into_iter()
        .zip(names)
        .zip(keep)
        .filter(|(_, keep)| *keep)
        .map(|(((draft, extra), name), _)| (draft, name, extra))
        .collect();
    Selection {
        kept,
        naming,
        filtering,
    }
}

impl<T> Selection<T> {
    /// Lower every kept draft with `lower`, in order.
    pub(crate) fn lower(
        self,
        mut lower: impl FnMut(&OperationDraft, T) -> Lowered,
    ) -> Selection<Lowered> {
        Selection {
            kept: self
                .kept
                .into_iter()
                .map(|(draft, name, extra)| {
                    let lowered = lower(&draft, extra);
                    (draft, name, lowered)
                })
                .collect(),
            naming: self.naming,
            filtering: self.filtering,
        }
    }
}

/// Bind the arguments of every kept operation. Diagnostics come in the order the steps
/// ran for a whole load: the front end's (lowering), naming, binding, filtering.
pub(crate) fn finish(
    selection: Selection<Lowered>,
    diagnostics: &mut Diagnostics,
) -> Vec<Operation> {
    diagnostics.append(selection.naming);
    let operations = selection
        .kept
        .into_iter()
        .map(|(draft, tool_name, lowered)| {
            let (parameters, request_body) =
                arguments::bind(lowered.parameters, lowered.body, &draft.source, diagnostics);
            Operation {
                tool_name,
                operation_id: draft.operation_id,
                method: draft.method,
                path: draft.path,
                summary: draft.summary,
                description: draft.description,
                tags: draft.tags,
                deprecated: draft.deprecated,
                parameters,
                request_body,
                response: lowered.response,
                security: draft.security,
                anonymous: draft.anonymous,
                annotations: draft.annotations,
                response_path: draft.response_path,
                source: draft.source,
            }
        })
        .collect();
    diagnostics.append(selection.filtering);
    operations
}
