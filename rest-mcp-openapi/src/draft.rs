//! The last shared step of every loader: drafts of operations (from a spec or from the
//! TOML endpoint list) become named, argument-bound, filtered [`Operation`]s.

use crate::arguments::{self, BodyDraft, ParameterDraft};
use crate::error::{Diagnostics, LoadError, SourceRef};
use crate::filter;
use crate::model::{Annotations, HttpMethod, Operation, SecurityRequirement, SuccessResponse};
use crate::naming::{self, NameRequest};
use crate::options::LoadOptions;
use crate::path_template::PathTemplate;

/// An operation whose schemas are lowered but whose names are not chosen yet.
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
    pub(crate) parameters: Vec<ParameterDraft>,
    pub(crate) body: Option<BodyDraft>,
    pub(crate) response: Option<SuccessResponse>,
    pub(crate) security: Vec<SecurityRequirement>,
    pub(crate) annotations: Annotations,
    pub(crate) response_path: Option<String>,
    pub(crate) source: SourceRef,
}

/// Name every draft (over the whole spec, so filters never rename), bind arguments, and
/// keep what the filters allow.
pub(crate) fn assemble(
    drafts: Vec<OperationDraft>,
    options: &LoadOptions,
    diagnostics: &mut Diagnostics,
) -> Result<Vec<Operation>, LoadError> {
    let requests: Vec<NameRequest> = drafts
        .iter()
        .map(|d| NameRequest {
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
    let names = naming::assign(&requests, &options.naming, diagnostics)?;
    let operations = drafts
        .into_iter()
        .zip(names)
        .map(|(draft, tool_name)| {
            let (parameters, request_body) =
                arguments::bind(draft.parameters, draft.body, &draft.source, diagnostics);
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
                response: draft.response,
                security: draft.security,
                annotations: draft.annotations,
                response_path: draft.response_path,
                source: draft.source,
            }
        })
        .collect();
    Ok(filter::apply(operations, &options.filters, diagnostics))
}
