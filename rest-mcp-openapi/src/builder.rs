//! [`OperationBuilder`]: operations defined in code (what `#[rest_api]` generates) go
//! through the same assembly as specs and the TOML endpoint list: naming, argument
//! binding and collision rules are the loaders' own.

use serde_json::{Map, Value, json};

use crate::arguments::{BodyDraft, ParameterDraft};
use crate::draft::{self, Lowered, OperationDraft};
use crate::error::{Diagnostics, SourceRef};
use crate::model::{
    Annotations, ApiModel, BodyEncoding, HttpMethod, ParamLocation, ParamStyle, SuccessResponse,
};
use crate::naming::NamePlan;
use crate::options::Filters;
use crate::path_template::PathTemplate;

/// Builds one operation from code.
#[derive(Clone, Debug)]
pub struct OperationBuilder {
    draft: OperationDraft,
    parameters: Vec<ParameterDraft>,
    /// Flattened JSON body fields: (name, schema, required).
    fields: Vec<(String, Value, bool)>,
    /// The whole JSON body: (argument, schema, required).
    whole_body: Option<(String, Value, bool)>,
    response: Option<SuccessResponse>,
}

impl OperationBuilder {
    /// An operation named `tool_name` calling `method path` (`{name}` placeholders).
    pub fn new(tool_name: &str, method: HttpMethod, path: &str) -> OperationBuilder {
        OperationBuilder {
            draft: OperationDraft {
                explicit_name: Some(tool_name.to_owned()),
                operation_id: None,
                method,
                path: PathTemplate::parse(path),
                summary: None,
                description: None,
                tags: Vec::new(),
                deprecated: false,
                security: Vec::new(),
                anonymous: false,
                annotations: Annotations::for_method(method),
                response_path: None,
                source: SourceRef::new(tool_name, ""),
            },
            parameters: Vec::new(),
            fields: Vec::new(),
            whole_body: None,
            response: None,
        }
    }

    /// Doc comment text: the first paragraph is the summary, the rest the description.
    pub fn docs(mut self, text: &str) -> OperationBuilder {
        let text = text.trim();
        let (summary, rest) = text.split_once("\n\n").unwrap_or((text, ""));
        let summary = summary.split_whitespace().collect::<Vec<_>>().join(" ");
        self.draft.summary = (!summary.is_empty()).then_some(summary);
        self.draft.description = (!rest.trim().is_empty()).then(|| rest.trim().to_owned());
        self
    }

    /// A parameter in the path, query, a header or a cookie, carried by `argument`.
    pub fn parameter(
        mut self,
        location: ParamLocation,
        name: &str,
        argument: &str,
        schema: Value,
        required: bool,
    ) -> OperationBuilder {
        let style = ParamStyle::default_for(location);
        self.parameters.push(ParameterDraft {
            name: name.to_owned(),
            argument: Some(argument.to_owned()),
            location,
            required,
            style,
            explode: style == ParamStyle::Form,
            allow_reserved: false,
            deprecated: false,
            schema,
        });
        self
    }

    /// A JSON body property carried by its own argument.
    pub fn body_field(mut self, name: &str, schema: Value, required: bool) -> OperationBuilder {
        self.fields.push((name.to_owned(), schema, required));
        self
    }

    /// The whole JSON body carried by one argument.
    pub fn body(mut self, argument: &str, schema: Value, required: bool) -> OperationBuilder {
        self.whole_body = Some((argument.to_owned(), schema, required));
        self
    }

    /// Send no credentials with this operation (a public endpoint).
    pub fn anonymous(mut self, anonymous: bool) -> OperationBuilder {
        self.draft.anonymous = anonymous;
        self
    }

    /// The success response (from the return type).
    pub fn response(mut self, response: Option<SuccessResponse>) -> OperationBuilder {
        self.response = response;
        self
    }

    /// Override annotation hints.
    pub fn annotations(
        mut self,
        read_only: Option<bool>,
        destructive: Option<bool>,
        idempotent: Option<bool>,
    ) -> OperationBuilder {
        let annotations = &mut self.draft.annotations;
        annotations.read_only = read_only.unwrap_or(annotations.read_only);
        annotations.destructive = destructive.unwrap_or(annotations.destructive);
        annotations.idempotent = idempotent.unwrap_or(annotations.idempotent);
        self
    }

    /// The draft and its lowered parts.
    fn into_parts(self) -> (OperationDraft, Lowered) {
        let body = match self.whole_body {
            Some((argument, schema, required)) => Some(json_body(schema, required, Some(argument))),
            None if !self.fields.is_empty() => {
                let required = self.fields.iter().any(|(_, _, required)| *required);
                let mut properties = Map::new();
                let mut required_fields = Vec::new();
                for (name, schema, field_required) in self.fields {
                    if field_required {
                        required_fields.push(Value::String(name.clone()));
                    }
                    properties.insert(name, schema);
                }
                let mut schema = json!({"type": "object", "properties": properties});
                if !required_fields.is_empty() {
                    schema["required"] = Value::Array(required_fields);
                }
                Some(json_body(schema, required, None))
            }
            None => None,
        };
        let lowered = Lowered {
            parameters: self.parameters,
            body,
            response: self.response,
        };
        (self.draft, lowered)
    }
}

fn json_body(schema: Value, required: bool, whole_argument: Option<String>) -> BodyDraft {
    BodyDraft {
        media_type: "application/json".to_owned(),
        encoding: BodyEncoding::Json,
        required,
        description: None,
        schema,
        alternatives: Vec::new(),
        whole_argument,
    }
}

impl ApiModel {
    /// A model of operations defined in code, named, bound and checked by the same
    /// assembly as loaded specs (no filters, default naming).
    pub fn from_code(title: impl Into<String>, operations: Vec<OperationBuilder>) -> ApiModel {
        let drafts = operations.into_iter().map(OperationBuilder::into_parts);
        let selection =
            draft::select_with(drafts.collect(), &NamePlan::default(), &Filters::default())
                .lower(|_, lowered| lowered);
        let operations = draft::finish(selection, &mut Diagnostics::default());
        ApiModel::manual(title, operations)
    }
}
