//! Cross-checks after parsing (serde_derive's `check.rs`): bind `<name>` path parameters to
//! arguments, decide where every other argument travels, and reject conflicts and
//! duplicate tool names. Never interleaved with code generation.

use std::collections::HashMap;

use quote::ToTokens;

use super::ctxt::Ctxt;
use super::parse::{Api, Endpoint, MarkerKind, Placement, query_by_default};
use super::path_template::parameter_span;

/// Check `api` and fill in every argument's placement.
pub(crate) fn check(ctxt: &Ctxt, api: &mut Api) {
    for endpoint in &mut api.endpoints {
        place_arguments(ctxt, endpoint);
        check_tool_name(ctxt, endpoint);
    }
    check_duplicate_tool_names(ctxt, &api.endpoints);
}

fn place_arguments(ctxt: &Ctxt, endpoint: &mut Endpoint) {
    let method_name = endpoint.sig.ident.clone();
    // Path parameters bind the argument of the same name.
    if let Some(template) = &endpoint.template {
        for param in template.parameters() {
            let Some(arg) = endpoint.args.iter_mut().find(|a| a.name == param) else {
                let names: Vec<&str> = endpoint.args.iter().map(|a| a.name.as_str()).collect();
                let hint = crate::suggest::closest(param, &names)
                    .map(|close| format!(" (did you mean `<{close}>`?)"))
                    .unwrap_or_default();
                ctxt.error(
                    parameter_span(&endpoint.path, param),
                    format!(
                        "path parameter `<{}>` has no matching argument{hint}: add an argument `{}: ...` to `{method_name}`",
                        param, param
                    ),
                );
                continue;
            };
            if let Some(marker) = &arg.marker {
                ctxt.error_spanned_by(
                    &marker.tokens,
                    format!(
                        "`{}` is bound by `<{}>` in the path, so it cannot also be {}: remove the attribute, or rename the path parameter",
                        arg.name,
                        param,
                        marker.kind.written()
                    ),
                );
            }
            if arg.optional {
                ctxt.error_spanned_by(
                    &arg.ty,
                    format!(
                        "path parameter `{}` cannot be an `Option`: a path segment is always required",
                        arg.name
                    ),
                );
            }
            arg.placement = Placement::Path;
        }
    }

    // Every other argument: as marked, or by the method's default.
    let mut body: Option<String> = None;
    for arg in &mut endpoint.args {
        if arg.placement == Placement::Path {
            continue;
        }
        arg.placement = match arg.marker.as_ref().map(|m| (&m.kind, &m.tokens)) {
            Some((MarkerKind::Query(wire), _)) => {
                Placement::Query(wire.clone().unwrap_or_else(|| arg.name.clone()))
            }
            Some((MarkerKind::Header(name), _)) => Placement::Header(name.clone()),
            Some((MarkerKind::Body, tokens)) => {
                if let Some(first) = &body {
                    ctxt.error_spanned_by(
                        tokens,
                        format!(
                            "only one argument can be #[body] (the whole JSON body), and `{first}` already is: send `{}` as a field of that type, or mark it #[query]/#[header(\"...\")]",
                            arg.name
                        ),
                    );
                    Placement::Unresolved
                } else {
                    body = Some(arg.name.clone());
                    Placement::Body
                }
            }
            None => match endpoint.method {
                Some(method) if query_by_default(method) => Placement::Query(arg.name.clone()),
                Some(_) => Placement::BodyField,
                None => Placement::Unresolved,
            },
        };
    }

    // A whole body leaves no room for body fields.
    if let Some(body) = &body {
        for arg in endpoint
            .args
            .iter()
            .filter(|a| a.placement == Placement::BodyField)
        {
            ctxt.error_spanned_by(
                &arg.ident,
                format!(
                    "`{}` would be a field of the JSON body, but `{body}` is the whole body (#[body]): mark `{}` #[query] or #[header(\"...\")], or make it part of `{body}`'s type",
                    arg.name, arg.name
                ),
            );
        }
    }

    // Two arguments for one query parameter or header.
    let mut wire: HashMap<(bool, String), &str> = HashMap::new();
    for arg in &endpoint.args {
        let key = match &arg.placement {
            Placement::Query(name) => (false, name.clone()),
            Placement::Header(name) => (true, name.to_ascii_lowercase()),
            _ => continue,
        };
        if let Some(first) = wire.insert(key, &arg.name) {
            let (kind, name) = match &arg.placement {
                Placement::Query(name) => ("query parameter", name),
                Placement::Header(name) => ("header", name),
                _ => continue,
            };
            let at = arg
                .marker
                .as_ref()
                .map_or_else(|| arg.ident.to_token_stream(), |m| m.tokens.clone());
            ctxt.error_spanned_by(
                at,
                format!(
                    "`{first}` and `{}` are both sent as the {kind} `{name}`",
                    arg.name
                ),
            );
        }
    }
}

fn check_tool_name(ctxt: &Ctxt, endpoint: &Endpoint) {
    // The same rule the spec loader applies, so every front end names tools alike.
    let name = &endpoint.tool_name;
    if !rest_mcp_openapi::is_valid_tool_name(name) {
        ctxt.error(
            endpoint.tool_name_span,
            format!(
                "tool name \"{name}\" may only contain ASCII letters, digits, `_` and `-` (1 to {} characters)",
                rest_mcp_openapi::MAX_TOOL_NAME
            ),
        );
    }
}

fn check_duplicate_tool_names(ctxt: &Ctxt, endpoints: &[Endpoint]) {
    let mut seen: HashMap<&str, &Endpoint> = HashMap::new();
    for endpoint in endpoints {
        let Some(first) = seen.get(endpoint.tool_name.as_str()) else {
            seen.insert(&endpoint.tool_name, endpoint);
            continue;
        };
        let how = |e: &Endpoint| {
            if e.options.name.is_some() {
                format!("`{}` (name = \"{}\")", e.sig.ident, e.tool_name)
            } else {
                format!("`{}`", e.sig.ident)
            }
        };
        ctxt.error(
            endpoint.tool_name_span,
            format!(
                "duplicate tool name `{}`: {} and {} would both be this tool; give one of them another `name = \"...\"` in #[endpoint(...)]",
                endpoint.tool_name,
                how(first),
                how(endpoint)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::super::parse::parse;
    use super::*;

    fn checked(item: proc_macro2::TokenStream) -> (Option<Api>, Vec<String>) {
        let ctxt = Ctxt::new();
        let mut api = parse(&ctxt, quote!(base_url = "https://api.example.com"), item);
        if let Some(api) = &mut api {
            check(&ctxt, api);
        }
        let errors = match ctxt.check() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        };
        (api, errors)
    }

    #[test]
    fn default_placement_follows_the_method() {
        let (api, errors) = checked(quote! {
            trait Pets {
                #[endpoint(GET "/pets/<id>")]
                async fn get(&self, id: u64, verbose: Option<bool>, #[header("X-Trace")] trace: String) -> Result<(), E>;
                #[endpoint(POST "/pets")]
                async fn add(&self, name: String, #[query] dry_run: bool) -> Result<(), E>;
                #[endpoint(PUT "/pets/<id>")]
                async fn put(&self, id: u64, #[body] pet: Pet) -> Result<(), E>;
            }
        });
        assert_eq!(errors, Vec::<String>::new());
        let api = api.expect("parsed");
        let placements: Vec<Vec<Placement>> = api
            .endpoints
            .iter()
            .map(|e| e.args.iter().map(|a| a.placement.clone()).collect())
            .collect();
        assert_eq!(
            placements,
            [
                vec![
                    Placement::Path,
                    Placement::Query("verbose".into()),
                    Placement::Header("X-Trace".into())
                ],
                vec![Placement::BodyField, Placement::Query("dry_run".into())],
                vec![Placement::Path, Placement::Body],
            ]
        );
        assert!(api.endpoints[0].args[1].optional);
    }

    #[test]
    fn path_parameters_must_bind_and_not_conflict() {
        let (_, errors) = checked(quote! {
            trait Pets {
                #[endpoint(GET "/pets/<pet_id>/<missing>")]
                async fn get(&self, #[query] pet_id: Option<u64>) -> Result<(), E>;
            }
        });
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains(
            "`pet_id` is bound by `<pet_id>` in the path, so it cannot also be #[query]"
        ));
        assert!(errors[1].contains("cannot be an `Option`"));
        assert!(errors[2].starts_with("path parameter `<missing>` has no matching argument"));
    }

    #[test]
    fn near_miss_path_parameter_is_suggested() {
        let (_, errors) = checked(quote! {
            trait Pets {
                #[endpoint(GET "/pets/<petid>")]
                async fn get(&self, pet_id: u64) -> Result<(), E>;
            }
        });
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].contains("(did you mean `<pet_id>`?)"),
            "{errors:?}"
        );
    }

    #[test]
    fn bodies_conflict() {
        let (_, errors) = checked(quote! {
            trait Pets {
                #[endpoint(POST "/pets")]
                async fn add(&self, #[body] a: A, #[body] b: B, c: String) -> Result<(), E>;
            }
        });
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("only one argument can be #[body]"));
        assert!(
            errors[1]
                .starts_with("`c` would be a field of the JSON body, but `a` is the whole body")
        );
    }

    #[test]
    fn duplicate_and_invalid_tool_names() {
        let (_, errors) = checked(quote! {
            trait Pets {
                #[endpoint(GET "/a")]
                async fn get_pet(&self) -> Result<(), E>;
                #[endpoint(GET "/b", name = "get_pet")]
                async fn fetch_pet(&self) -> Result<(), E>;
                #[endpoint(GET "/c", name = "bad name")]
                async fn c(&self) -> Result<(), E>;
                #[endpoint(GET "/d", hidden)]
                async fn d(&self, #[query("q")] a: u8, #[query("q")] b: u8, #[header("X-A")] c: u8, #[header("x-a")] d: u8) -> Result<(), E>;
            }
        });
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("tool name \"bad name\" may only contain"));
        assert!(errors[1].contains("`a` and `b` are both sent as the query parameter `q`"));
        assert!(errors[2].contains("`c` and `d` are both sent as the header `x-a`"));
        assert!(errors[3].starts_with(
            "duplicate tool name `get_pet`: `get_pet` and `fetch_pet` (name = \"get_pet\")"
        ));
    }
}
