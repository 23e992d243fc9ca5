//! Typed methods for `include_openapi!`: one argument struct per operation (serde +
//! schemars) and one async method that sends it through the shared executor.
//!
//! Field types follow the input schema loosely: strings, integers, numbers, booleans and
//! arrays of them get Rust types; anything richer is a `serde_json::Value` (the tool's
//! JSON Schema, not the Rust type, is what validates arguments).

use std::collections::HashSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use rest_mcp_openapi::ApiModel;
use serde_json::Value;

use crate::exports;

/// Names the generated impl already uses.
const RESERVED_METHODS: [&str; 9] = [
    "new",
    "model",
    "with_base_url",
    "from_client",
    "tool_set",
    "server",
    "endpoint",
    "clone",
    "fmt",
];

/// (argument structs, methods) for every operation of `model`.
pub(super) fn typed_methods(model: &ApiModel, args_module: &Ident) -> (TokenStream, TokenStream) {
    let (serde, schemars, serde_json, client) = (
        exports::serde(),
        exports::schemars(),
        exports::serde_json(),
        exports::client(),
    );
    let serde_crate = quote!(#serde).to_string().replace(' ', "");
    let schemars_crate = quote!(#schemars).to_string().replace(' ', "");
    let mut structs = TokenStream::new();
    let mut methods = TokenStream::new();
    let mut struct_names = HashSet::new();
    let mut method_names: HashSet<String> =
        RESERVED_METHODS.iter().map(|s| s.to_string()).collect();
    for (index, operation) in model.operations.iter().enumerate() {
        let tool = &operation.tool_name;
        let struct_name = unique(&format!("{}Args", camel_case(tool)), &mut struct_names);
        let struct_ident = Ident::new(&struct_name, Span::call_site());
        let method_ident = rust_ident(&unique(&snake_case(tool), &mut method_names));
        let mut field_names = HashSet::new();
        let fields: Vec<TokenStream> = operation
            .arguments()
            .into_iter()
            .map(|argument| {
                let name = argument.name;
                let field = rust_ident(&unique(&snake_case(name), &mut field_names));
                let ty = rust_type(argument.schema, &serde_json);
                let doc = argument
                    .schema
                    .get("description")
                    .and_then(Value::as_str)
                    .map(first_line)
                    .unwrap_or_default();
                let doc = (!doc.is_empty()).then(|| quote!(#[doc = #doc]));
                if argument.required {
                    quote! {
                        #doc
                        #[serde(rename = #name)]
                        pub #field: #ty,
                    }
                } else {
                    quote! {
                        #doc
                        #[serde(rename = #name, default, skip_serializing_if = "::core::option::Option::is_none")]
                        pub #field: ::core::option::Option<#ty>,
                    }
                }
            })
            .collect();
        let struct_doc = format!(
            "Arguments of `{tool}` ({} {}).",
            operation.method, operation.path
        );
        structs.extend(quote! {
            #[doc = #struct_doc]
            #[derive(Clone, Debug, Default, PartialEq, #serde::Serialize, #serde::Deserialize, #schemars::JsonSchema)]
            #[serde(crate = #serde_crate)]
            #[schemars(crate = #schemars_crate)]
            pub struct #struct_ident {
                #(#fields)*
            }
        });
        let summary = operation
            .summary
            .clone()
            .unwrap_or_else(|| format!("{} {}", operation.method, operation.path));
        let method_doc = format!(
            "{summary}\n\n`{} {}` (tool `{tool}`).",
            operation.method, operation.path
        );
        let (parameter, arguments) = if fields.is_empty() {
            (TokenStream::new(), quote!(#serde_json::Map::new()))
        } else {
            (
                quote!(, arguments: #args_module::#struct_ident),
                quote!(#client::arguments(&arguments)?),
            )
        };
        methods.extend(quote! {
            #[doc = #method_doc]
            pub async fn #method_ident(&self #parameter) -> ::core::result::Result<#serde_json::Value, #client::ClientError> {
                let arguments = #arguments;
                self.inner.call(#index, arguments).await
            }
        });
    }
    (structs, methods)
}

/// The Rust type of a schema, loosely.
fn rust_type(schema: &Value, serde_json: &TokenStream) -> TokenStream {
    let kinds: Vec<&str> = match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.as_str()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let non_null: Vec<&str> = kinds.iter().copied().filter(|k| *k != "null").collect();
    let scalar = |kind: &str| match kind {
        "string" => Some(quote!(::std::string::String)),
        "integer" => Some(quote!(i64)),
        "number" => Some(quote!(f64)),
        "boolean" => Some(quote!(bool)),
        _ => None,
    };
    let plain = schema.get("format").and_then(Value::as_str) != Some("binary");
    let ty = match non_null.as_slice() {
        [kind] if plain => match *kind {
            "array" => {
                let item = schema
                    .get("items")
                    .and_then(|items| items.get("type"))
                    .and_then(Value::as_str)
                    .and_then(scalar)
                    .unwrap_or_else(|| quote!(#serde_json::Value));
                Some(quote!(::std::vec::Vec<#item>))
            }
            other => scalar(other),
        },
        _ => None,
    };
    let ty = ty.unwrap_or_else(|| quote!(#serde_json::Value));
    if kinds.contains(&"null") && !non_null.is_empty() {
        quote!(::core::option::Option<#ty>)
    } else {
        ty
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    line.chars().take(200).collect()
}

fn unique(base: &str, taken: &mut HashSet<String>) -> String {
    let mut name = base.to_owned();
    let mut counter = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{counter}");
        counter += 1;
    }
    name
}

/// A Rust-identifier-shaped snake_case name: the loader's word splitting
/// (`X-Api-Version` → `x_api_version`, `petId` → `pet_id`), never empty, never starting
/// with a digit.
pub(super) fn snake_case(text: &str) -> String {
    let mut name = rest_mcp_openapi::snake_case(text);
    if name.is_empty() {
        name.push_str("value");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "n_");
    }
    name
}

/// `get_pet_by_id` → `GetPetById`.
fn camel_case(text: &str) -> String {
    let mut name: String = snake_case(text)
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'N');
    }
    name
}

/// An identifier, raw when it is a keyword (`type` → `r#type`), suffixed when it cannot
/// be raw (`self` → `self_`).
fn rust_ident(name: &str) -> Ident {
    match name {
        "self" | "super" | "crate" | "Self" | "_" => format_ident!("{name}_"),
        _ if syn::parse_str::<Ident>(name).is_ok() => Ident::new(name, Span::call_site()),
        _ => Ident::new_raw(name, Span::call_site()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_become_rust_names() {
        assert_eq!(snake_case("petId"), "pet_id");
        assert_eq!(snake_case("X-Api-Version"), "x_api_version");
        assert_eq!(snake_case("filter[name]"), "filter_name");
        assert_eq!(snake_case("2fa"), "n_2fa");
        assert_eq!(camel_case("repos/get-content"), "ReposGetContent");
        assert_eq!(rust_ident("type").to_string(), "r#type");
        assert_eq!(rust_ident("self").to_string(), "self_");
    }

    #[test]
    fn schema_types_map_loosely() {
        let serde_json = quote!(sj);
        let ty = |schema: Value| rust_type(&schema, &serde_json).to_string().replace(' ', "");
        assert_eq!(ty(json!({"type": "integer"})), "i64");
        assert_eq!(
            ty(json!({"type": ["string", "null"]})),
            "::core::option::Option<::std::string::String>"
        );
        assert_eq!(
            ty(json!({"type": "array", "items": {"type": "string"}})),
            "::std::vec::Vec<::std::string::String>"
        );
        assert_eq!(ty(json!({"type": "object"})), "sj::Value");
        assert_eq!(
            ty(json!({"type": "string", "format": "binary"})),
            "sj::Value"
        );
        assert_eq!(ty(json!({"anyOf": []})), "sj::Value");
    }
}
