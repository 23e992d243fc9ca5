//! Parsing: the `#[rest_api(...)]` options (darling), each method's `#[endpoint(METHOD
//! "/path", key = value...)]` (a hand-written `Parse` for the method and path, darling for
//! the options), argument attributes, doc comments and signatures, into the IR below.
//!
//! Parsing also strips our attributes from the trait, so the trait can be emitted even
//! when there are errors.

use crate::suggest::{closest, transposition_distance};
use darling::FromMeta;
use darling::ast::NestedMeta;
use darling::util::PreservedStrExpr;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, FnArg, GenericArgument, Ident, ItemTrait, Lit, LitStr, Meta, Pat,
    PathArguments, ReceiverKind, ReturnType, Signature, Token, TraitItem, TraitItemFn, Type,
};

use rest_mcp_openapi::{HttpMethod, PathTemplate};

use super::ctxt::Ctxt;
use super::path_template;

/// The HTTP methods an endpoint can use, as written in `#[endpoint(...)]`.
pub(crate) const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The whole macro input, parsed.
pub(crate) struct Api {
    /// The trait with our attributes stripped.
    pub(crate) item: ItemTrait,
    /// `base_url = "..."`.
    pub(crate) base_url: LitStr,
    /// The generated client type.
    pub(crate) client: Ident,
    /// The model title.
    pub(crate) title: String,
    /// One entry per `#[endpoint]` method, in declaration order.
    pub(crate) endpoints: Vec<Endpoint>,
}

/// `#[rest_api(...)]` options.
#[derive(Debug, FromMeta)]
struct ApiOptions {
    /// The upstream's base URL (overridable at run time). Required; optional here so
    /// that its absence gets our message rather than darling's.
    #[darling(default)]
    base_url: Option<LitStr>,
    /// The client type's name (default: `<Trait>Client`).
    #[darling(default)]
    client: Option<LitStr>,
    /// The API title (default: the trait's name).
    #[darling(default)]
    title: Option<LitStr>,
}

/// `#[endpoint(..., key = value)]` options.
#[derive(Debug, Default, FromMeta)]
#[darling(default)]
pub(crate) struct EndpointOptions {
    /// The tool name (default: the method name).
    pub(crate) name: Option<LitStr>,
    /// The tool description (default: the doc comments).
    pub(crate) description: Option<PreservedStrExpr>,
    /// Override the `readOnlyHint` the HTTP method implies.
    pub(crate) read_only: Option<bool>,
    /// Override the `destructiveHint` the HTTP method implies.
    pub(crate) destructive: Option<bool>,
    /// Override the `idempotentHint` the HTTP method implies.
    pub(crate) idempotent: Option<bool>,
    /// Keep the typed method but leave the tool out of the tool set.
    pub(crate) hidden: bool,
}

/// The method written in `#[endpoint(...)]`, if it is one of [`METHODS`] (upper case).
fn method_from_name(name: &str) -> Option<HttpMethod> {
    METHODS
        .contains(&name)
        .then(|| HttpMethod::parse(name))
        .flatten()
}

/// The `rest_mcp::openapi::HttpMethod` variant of `method`.
pub(crate) fn method_variant(method: HttpMethod) -> Ident {
    Ident::new(&format!("{method:?}"), Span::call_site())
}

/// Whether unmarked arguments of `method` go to the query string (else into the JSON body).
pub(crate) fn query_by_default(method: HttpMethod) -> bool {
    matches!(
        method,
        HttpMethod::Get | HttpMethod::Delete | HttpMethod::Head | HttpMethod::Options
    )
}

/// One `#[endpoint]` method.
pub(crate) struct Endpoint {
    /// The method's signature (our argument attributes stripped).
    pub(crate) sig: Signature,
    /// The HTTP method (`None` when it was unknown; there is an error then).
    pub(crate) method: Option<HttpMethod>,
    /// The path literal.
    pub(crate) path: LitStr,
    /// The parsed path (empty when it had errors; they are reported).
    pub(crate) template: Option<PathTemplate>,
    /// The tool name and the span to report problems with it at.
    pub(crate) tool_name: String,
    pub(crate) tool_name_span: Span,
    /// The doc comment text as an expression (a string literal or `concat!(...)`).
    pub(crate) docs: Option<TokenStream>,
    pub(crate) options: EndpointOptions,
    pub(crate) args: Vec<Arg>,
    /// `T` of `Result<T, E>` (`()` when the return type was not understood).
    pub(crate) ok: Type,
    /// `E` of `Result<T, E>`, when written.
    pub(crate) err: Option<Type>,
    /// The return type's span (for the error conversion).
    pub(crate) output_span: Span,
}

/// A typed argument of an endpoint method.
pub(crate) struct Arg {
    pub(crate) ident: Ident,
    /// The name without `r#`: the tool argument's name.
    pub(crate) name: String,
    pub(crate) ty: Type,
    /// The type is `Option<_>`: the argument is not required.
    pub(crate) optional: bool,
    /// The attribute the user put on it, if any.
    pub(crate) marker: Option<Marker>,
    /// Where it goes (decided by `check`).
    pub(crate) placement: Placement,
}

/// An argument attribute.
#[derive(Clone, Debug)]
pub(crate) struct Marker {
    pub(crate) kind: MarkerKind,
    /// The attribute's tokens, to underline all of it in errors.
    pub(crate) tokens: TokenStream,
}

/// `#[query]`, `#[query("wire")]`, `#[header("X-Name")]`, `#[body]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MarkerKind {
    Query(Option<String>),
    Header(String),
    Body,
}

impl MarkerKind {
    pub(crate) fn written(&self) -> &'static str {
        match self {
            MarkerKind::Query(_) => "#[query]",
            MarkerKind::Header(_) => "#[header]",
            MarkerKind::Body => "#[body]",
        }
    }
}

/// Where an argument travels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Not decided yet (or undecidable after an error).
    Unresolved,
    Path,
    Query(String),
    Header(String),
    /// The whole JSON body.
    Body,
    /// One property of the JSON body.
    BodyField,
}

/// The argument attributes we own.
const ARG_ATTRIBUTES: [&str; 3] = ["query", "header", "body"];
/// Attributes rustc accepts on function parameters.
const BUILTIN_PARAM_ATTRIBUTES: [&str; 7] = [
    "cfg", "cfg_attr", "allow", "warn", "deny", "forbid", "expect",
];

/// Parse the attribute options and the trait. Errors go to `ctxt`; the result always
/// carries the stripped trait (`None` only when the item is not a trait at all).
pub(crate) fn parse(ctxt: &Ctxt, attr: TokenStream, item: TokenStream) -> Option<Api> {
    let mut item: ItemTrait = match syn::parse2(item) {
        Ok(item) => item,
        Err(error) => {
            ctxt.error(
                error.span(),
                "#[rest_api] goes on a trait: `pub trait Pets { #[endpoint(GET \"/pets/<id>\")] async fn get_pet(&self, id: u64) -> Result<Pet, ClientError>; }`",
            );
            return None;
        }
    };
    let options = parse_options(ctxt, attr);
    let client = options
        .as_ref()
        .and_then(|o| o.client.as_ref())
        .and_then(|lit| match lit.parse::<Ident>() {
            Ok(ident) => Some(Ident::new(&ident.to_string(), lit.span())),
            Err(_) => {
                ctxt.error(
                    lit.span(),
                    format!(
                        "`client = {}` must name a Rust type, e.g. `client = \"{}Client\"`",
                        lit.token(),
                        item.ident
                    ),
                );
                None
            }
        })
        .unwrap_or_else(|| format_ident!("{}Client", item.ident));
    let title = options
        .as_ref()
        .and_then(|o| o.title.as_ref())
        .map_or_else(|| item.ident.to_string(), LitStr::value);
    let base_url = match options.and_then(|o| o.base_url) {
        Some(base_url) => {
            check_base_url(ctxt, &base_url);
            base_url
        }
        None => LitStr::new("http://127.0.0.1", Span::call_site()),
    };
    check_trait_header(ctxt, &item);

    let mut endpoints = Vec::new();
    for trait_item in &mut item.items {
        match trait_item {
            TraitItem::Fn(method) => {
                if let Some(endpoint) = parse_method(ctxt, method) {
                    endpoints.push(endpoint);
                }
            }
            TraitItem::Const(constant) if constant.default.is_none() => ctxt.error_spanned_by(
                &constant.ident,
                "a #[rest_api] trait cannot declare constants without a value: the generated client could not provide them",
            ),
            TraitItem::Type(ty) => ctxt.error_spanned_by(
                &ty.ident,
                "a #[rest_api] trait cannot declare associated types: the generated client could not provide them",
            ),
            _ => {}
        }
    }
    item.attrs
        .push(syn::parse_quote!(#[allow(async_fn_in_trait)]));
    Some(Api {
        item,
        base_url,
        client,
        title,
        endpoints,
    })
}

fn parse_options(ctxt: &Ctxt, attr: TokenStream) -> Option<ApiOptions> {
    // A bare URL is a likely first try: say how to write it.
    if let Ok(lit) = syn::parse2::<LitStr>(attr.clone()) {
        ctxt.error(
            lit.span(),
            format!("name the option: #[rest_api(base_url = {})]", lit.token()),
        );
        return None;
    }
    let items = match NestedMeta::parse_meta_list(attr) {
        Ok(items) => items,
        Err(error) => {
            ctxt.syn_error(error);
            return None;
        }
    };
    let options = match ApiOptions::from_list(&items) {
        Ok(options) => Some(options),
        Err(error) => {
            ctxt.darling_error(error);
            None
        }
    };
    if !items
        .iter()
        .any(|item| matches!(item, NestedMeta::Meta(meta) if meta.path().is_ident("base_url")))
    {
        ctxt.error(
            Span::call_site(),
            "#[rest_api] needs the API's base URL: #[rest_api(base_url = \"https://api.example.com\")] (clients can override it at run time)",
        );
    }
    options
}

fn check_base_url(ctxt: &Ctxt, base_url: &LitStr) {
    let value = base_url.value();
    let scheme_ok = value.starts_with("http://") || value.starts_with("https://");
    let host_ok = value
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
    if !scheme_ok || !host_ok {
        ctxt.error(
            base_url.span(),
            format!(
                "base_url must be an absolute http(s) URL, e.g. \"https://api.example.com/v1\" (got {})",
                base_url.token()
            ),
        );
    }
}

fn check_trait_header(ctxt: &Ctxt, item: &ItemTrait) {
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        ctxt.error_spanned_by(
            &item.generics,
            "a #[rest_api] trait cannot be generic: the generated client implements it for concrete types",
        );
    }
    if let Some(unsafety) = &item.unsafety {
        ctxt.error(unsafety.span, "a #[rest_api] trait cannot be `unsafe`");
    }
}

/// Parse one trait method; `None` for methods that are not endpoints (or hopelessly broken).
fn parse_method(ctxt: &Ctxt, method: &mut TraitItemFn) -> Option<Endpoint> {
    let mut endpoint_attrs = Vec::new();
    method.attrs.retain(|attr| {
        if is_endpoint_attribute(attr) {
            endpoint_attrs.push(attr.clone());
            false
        } else {
            true
        }
    });
    let Some(attr) = endpoint_attrs.first() else {
        if method.default.is_none() {
            let hint = method
                .attrs
                .iter()
                .filter_map(|a| a.path().get_ident())
                .find(|ident| closest(&ident.to_string(), &["endpoint"]).is_some())
                .map(|ident| format!(" (is `#[{ident}]` a typo of `#[endpoint]`?)"))
                .unwrap_or_default();
            ctxt.error_spanned_by(
                &method.sig.ident,
                format!(
                    "`{}` has no #[endpoint(...)]{hint}: every method of a #[rest_api] trait without a default body is an endpoint, e.g. #[endpoint(GET \"/pets/<id>\")]",
                    method.sig.ident
                ),
            );
        }
        // A provided method stays as written; strip argument attributes anyway.
        strip_argument_attributes(&mut method.sig);
        return None;
    };
    for extra in &endpoint_attrs[1..] {
        ctxt.error_spanned_by(
            extra,
            format!("`{}` has more than one #[endpoint]", method.sig.ident),
        );
    }
    if let Some(body) = &method.default {
        ctxt.error(
            body.brace_token.span.join(),
            format!(
                "the #[endpoint] method `{}` cannot have a body: the generated client implements it",
                method.sig.ident
            ),
        );
    }

    let spec = parse_endpoint_attribute(ctxt, attr);
    let docs = docs(&method.attrs);
    let args = parse_arguments(ctxt, &mut method.sig);
    check_signature(ctxt, &method.sig);
    let (ok, err) = result_types(ctxt, &method.sig);
    let output_span = match &method.sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => method.sig.ident.span(),
    };
    let spec = spec?;
    let (tool_name, tool_name_span) = match &spec.options.name {
        Some(name) => (name.value(), name.span()),
        None => (
            method.sig.ident.unraw().to_string(),
            method.sig.ident.span(),
        ),
    };
    Some(Endpoint {
        sig: method.sig.clone(),
        method: spec.method,
        template: spec.template,
        path: spec.path,
        tool_name,
        tool_name_span,
        docs,
        options: spec.options,
        args,
        ok,
        err,
        output_span,
    })
}

/// `#[endpoint]` or `#[rest_mcp::endpoint]`.
fn is_endpoint_attribute(attr: &Attribute) -> bool {
    let path = attr.path();
    match path.segments.len() {
        1 => path.is_ident("endpoint"),
        2 => path.segments[0].ident == "rest_mcp" && path.segments[1].ident == "endpoint",
        _ => false,
    }
}

/// What `#[endpoint(...)]` said.
struct EndpointSpec {
    method: Option<HttpMethod>,
    path: LitStr,
    template: Option<PathTemplate>,
    options: EndpointOptions,
}

/// The tokens inside `#[endpoint(...)]`: a method, a path, then options.
struct RawEndpoint {
    method: Ident,
    path: LitStr,
    options: Option<TokenStream>,
}

const ENDPOINT_EXAMPLE: &str = "#[endpoint(GET \"/pets/<id>\")]";

impl Parse for RawEndpoint {
    fn parse(input: ParseStream<'_>) -> syn::Result<RawEndpoint> {
        if input.peek(LitStr) {
            return Err(input.error(format!(
                "expected the HTTP method before the path ({}), e.g. {ENDPOINT_EXAMPLE}",
                METHODS.join(", ")
            )));
        }
        let method = input.call(Ident::parse_any).map_err(|error| {
            syn::Error::new(
                error.span(),
                format!(
                    "expected an HTTP method ({}) and a path, e.g. {ENDPOINT_EXAMPLE}",
                    METHODS.join(", ")
                ),
            )
        })?;
        let path: LitStr = input.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                format!(
                    "expected the path as a string literal after `{method}`, e.g. #[endpoint({method} \"/pets/<id>\")]"
                ),
            )
        })?;
        if input.is_empty() {
            return Ok(RawEndpoint {
                method,
                path,
                options: None,
            });
        }
        input.parse::<Token![,]>().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected `,` and then options after the path, e.g. #[endpoint(POST \"/pets\", name = \"add_pet\")]",
            )
        })?;
        Ok(RawEndpoint {
            method,
            path,
            options: Some(input.parse()?),
        })
    }
}

fn parse_endpoint_attribute(ctxt: &Ctxt, attr: &Attribute) -> Option<EndpointSpec> {
    let tokens = match &attr.meta {
        Meta::List(list) => list.tokens.clone(),
        _ => {
            ctxt.error_spanned_by(
                attr,
                format!("#[endpoint] needs an HTTP method and a path, e.g. {ENDPOINT_EXAMPLE}"),
            );
            return None;
        }
    };
    let raw: RawEndpoint = match syn::parse2(tokens) {
        Ok(raw) => raw,
        Err(error) => {
            ctxt.syn_error(error);
            return None;
        }
    };
    let method_name = raw.method.to_string();
    let method = method_from_name(&method_name);
    if method.is_none() {
        ctxt.error(raw.method.span(), unknown_method_message(&method_name));
    }
    let template = match path_template::parse(&raw.path) {
        Ok(template) => Some(template),
        Err(errors) => {
            for (span, message) in errors {
                ctxt.error(span, message);
            }
            None
        }
    };
    let options = match raw.options {
        None => EndpointOptions::default(),
        Some(tokens) => {
            let parsed = NestedMeta::parse_meta_list(tokens)
                .map_err(darling::Error::from)
                .and_then(|items| EndpointOptions::from_list(&items));
            match parsed {
                Ok(options) => options,
                Err(error) => {
                    ctxt.darling_error(error);
                    EndpointOptions::default()
                }
            }
        }
    };
    Some(EndpointSpec {
        method,
        path: raw.path,
        template,
        options,
    })
}

/// "unknown HTTP method" with a suggestion when one is close, else the list.
pub(crate) fn unknown_method_message(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    let suggestion = METHODS.iter().find(|m| **m == upper).or_else(|| {
        METHODS
            .iter()
            .map(|m| (transposition_distance(&upper, m), m))
            .filter(|(distance, _)| *distance <= 1)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, m)| m)
    });
    match suggestion {
        Some(method) if upper == *method => {
            format!("unknown HTTP method `{name}`: methods are written in upper case, `{method}`")
        }
        Some(method) => format!("unknown HTTP method `{name}`: did you mean `{method}`?"),
        None => format!(
            "unknown HTTP method `{name}`: expected one of {}",
            METHODS.join(", ")
        ),
    }
}

/// The doc comment as one string expression: literal lines joined by newlines (one leading
/// space stripped, as rustdoc does), or `concat!(...)` when a line is an expression such as
/// `include_str!("...")`.
fn docs(attrs: &[Attribute]) -> Option<TokenStream> {
    let mut pieces: Vec<Result<String, Expr>> = Vec::new();
    for attr in attrs {
        let Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        if !nv.path.is_ident("doc") {
            continue;
        }
        match &nv.value {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(text),
                ..
            }) => {
                let text = text.value();
                pieces.push(Ok(text.strip_prefix(' ').unwrap_or(&text).to_owned()));
            }
            other => pieces.push(Err(other.clone())),
        }
    }
    if pieces.iter().all(Result::is_ok) {
        let text = pieces.into_iter().flatten().collect::<Vec<_>>().join("\n");
        let text = text.trim();
        return (!text.is_empty())
            .then(|| LitStr::new(text, Span::call_site()).into_token_stream());
    }
    let mut parts = Vec::new();
    for (index, piece) in pieces.into_iter().enumerate() {
        if index > 0 {
            parts.push(quote!("\n"));
        }
        parts.push(match piece {
            Ok(text) => LitStr::new(&text, Span::call_site()).into_token_stream(),
            Err(expr) => expr.into_token_stream(),
        });
    }
    Some(quote!(::core::concat!(#(#parts),*)))
}

/// Check the receiver, asyncness and generics.
fn check_signature(ctxt: &Ctxt, sig: &Signature) {
    let name = &sig.ident;
    let receiver_ok = matches!(
        sig.receiver().map(|r| (&r.kind, r.mutability.is_some())),
        Some((ReceiverKind::Reference(_, _, None), false))
    );
    if !receiver_ok {
        let message = format!(
            "`{name}` must take `&self`: the generated client implements it, e.g. `async fn {name}(&self, ...)`"
        );
        match sig.receiver() {
            Some(receiver) => ctxt.error_spanned_by(receiver, message),
            None => ctxt.error_spanned_by(name, message),
        }
    }
    if sig.asyncness.is_none() {
        ctxt.error_spanned_by(
            name,
            format!(
                "`{name}` must be an `async fn`: it sends an HTTP request, e.g. `async fn {name}(&self, ...)`"
            ),
        );
    }
    if let Some(constness) = &sig.constness {
        ctxt.error(constness.span, format!("`{name}` cannot be a `const fn`"));
    }
    if let Some(abi) = &sig.abi {
        ctxt.error_spanned_by(abi, format!("`{name}` cannot declare an ABI"));
    }
    if let Some(variadic) = &sig.variadic {
        ctxt.error_spanned_by(variadic, format!("`{name}` cannot be variadic"));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        ctxt.error_spanned_by(
            &sig.generics,
            format!(
                "`{name}` cannot be generic: its tool's schema is generated from concrete argument types"
            ),
        );
    }
}

/// `T` and `E` of the return type `Result<T, E>` (or of an alias `Result<T>`).
fn result_types(ctxt: &Ctxt, sig: &Signature) -> (Type, Option<Type>) {
    let fallback = (syn::parse_quote!(()), None);
    let message = |name: &Ident| {
        format!(
            "`{name}` must return `Result<T, E>`: T is the decoded response body (`()` for none), E an error type with `From<rest_mcp::client::ClientError>`, e.g. `-> Result<Pet, rest_mcp::client::ClientError>`"
        )
    };
    let ReturnType::Type(_, ty) = &sig.output else {
        ctxt.error_spanned_by(&sig.ident, message(&sig.ident));
        return fallback;
    };
    let segment = match &**ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        _ => None,
    };
    let types: Option<Vec<Type>> = segment
        .filter(|segment| segment.ident == "Result")
        .and_then(|segment| match &segment.arguments {
            PathArguments::AngleBracketed(args) => args
                .args
                .iter()
                .map(|arg| match arg {
                    GenericArgument::Type(ty) => Some(ty.clone()),
                    _ => None,
                })
                .collect(),
            _ => None,
        });
    match types.as_deref() {
        Some([ok]) => (ok.clone(), None),
        Some([ok, err]) => (ok.clone(), Some(err.clone())),
        _ => {
            ctxt.error_spanned_by(ty, message(&sig.ident));
            fallback
        }
    }
}

/// Parse the typed arguments and strip our attributes from them.
fn parse_arguments(ctxt: &Ctxt, sig: &mut Signature) -> Vec<Arg> {
    let mut args = Vec::new();
    for input in &mut sig.inputs {
        let FnArg::Typed(typed) = input else {
            continue;
        };
        let marker = take_marker(ctxt, &mut typed.attrs);
        let ident = match &*typed.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => {
                if let Some(mutability) = &pat.mutability {
                    ctxt.error(
                        mutability.span,
                        "argument patterns cannot be `mut` in a trait method declaration",
                    );
                }
                pat.ident.clone()
            }
            other => {
                ctxt.error_spanned_by(
                    other,
                    "an endpoint argument must be a plain name (it becomes the tool argument's name), e.g. `id: u64`",
                );
                continue;
            }
        };
        let ty = (*typed.ty).clone();
        if contains_impl_trait(&ty) {
            ctxt.error_spanned_by(
                &ty,
                "an endpoint argument cannot be `impl Trait`: its schema is generated from the concrete type",
            );
        }
        args.push(Arg {
            name: ident.unraw().to_string(),
            optional: option_inner(&ty).is_some(),
            ident,
            ty,
            marker,
            placement: Placement::Unresolved,
        });
    }
    args
}

fn strip_argument_attributes(sig: &mut Signature) {
    for input in &mut sig.inputs {
        if let FnArg::Typed(typed) = input {
            typed
                .attrs
                .retain(|attr| !ARG_ATTRIBUTES.iter().any(|name| attr.path().is_ident(name)));
        }
    }
}

/// Remove our attributes from an argument and interpret them.
fn take_marker(ctxt: &Ctxt, attrs: &mut Vec<Attribute>) -> Option<Marker> {
    let mut marker: Option<Marker> = None;
    let mut kept = Vec::new();
    for attr in attrs.drain(..) {
        let Some(name) = attr.path().get_ident().map(Ident::to_string) else {
            kept.push(attr);
            continue;
        };
        let kind = match name.as_str() {
            "query" => parse_query_attribute(ctxt, &attr),
            "header" => parse_header_attribute(ctxt, &attr),
            "body" => match &attr.meta {
                Meta::Path(_) => Some(MarkerKind::Body),
                _ => {
                    ctxt.error_spanned_by(
                        &attr,
                        "#[body] takes no arguments: the argument is the whole JSON body",
                    );
                    Some(MarkerKind::Body)
                }
            },
            other => {
                if !BUILTIN_PARAM_ATTRIBUTES.contains(&other) {
                    let hint = closest(other, &ARG_ATTRIBUTES)
                        .map(|close| format!("did you mean #[{close}]? "))
                        .unwrap_or_default();
                    ctxt.error_spanned_by(
                        &attr,
                        format!(
                            "unknown argument attribute `#[{other}]`: {hint}endpoint arguments take #[query], #[header(\"X-Name\")] or #[body]"
                        ),
                    );
                    continue;
                }
                kept.push(attr);
                continue;
            }
        };
        let Some(kind) = kind else { continue };
        let tokens = attr.to_token_stream();
        if let Some(first) = &marker {
            ctxt.error_spanned_by(
                &tokens,
                format!(
                    "an argument takes one of #[query], #[header] and #[body]; this one already has {}",
                    first.kind.written()
                ),
            );
            continue;
        }
        marker = Some(Marker { kind, tokens });
    }
    *attrs = kept;
    marker
}

fn parse_query_attribute(ctxt: &Ctxt, attr: &Attribute) -> Option<MarkerKind> {
    match &attr.meta {
        Meta::Path(_) => Some(MarkerKind::Query(None)),
        Meta::List(_) => match attr.parse_args::<LitStr>() {
            Ok(name) if !name.value().is_empty() => Some(MarkerKind::Query(Some(name.value()))),
            _ => {
                ctxt.error_spanned_by(
                    attr,
                    "#[query] takes nothing or the parameter's name on the wire: #[query] or #[query(\"pageSize\")]",
                );
                Some(MarkerKind::Query(None))
            }
        },
        Meta::NameValue(_) => {
            ctxt.error_spanned_by(
                attr,
                "write #[query] or #[query(\"pageSize\")] (the name on the wire)",
            );
            Some(MarkerKind::Query(None))
        }
    }
}

fn parse_header_attribute(ctxt: &Ctxt, attr: &Attribute) -> Option<MarkerKind> {
    let name = match &attr.meta {
        Meta::List(_) => attr.parse_args::<LitStr>().ok(),
        _ => None,
    };
    let Some(name) = name else {
        ctxt.error_spanned_by(
            attr,
            "#[header] needs the header's name: #[header(\"X-Request-Id\")]",
        );
        return None;
    };
    let value = name.value();
    let valid = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid {
        ctxt.error(
            name.span(),
            format!(
                "{} is not a valid header name (letters, digits and `-`, e.g. \"X-Request-Id\")",
                name.token()
            ),
        );
        return None;
    }
    Some(MarkerKind::Header(value))
}

/// `T` when `ty` is `Option<T>` (also `std::option::Option<T>`).
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    if segment.ident != "Option" {
        return None;
    }
    match &segment.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

fn contains_impl_trait(ty: &Type) -> bool {
    ty.to_token_stream()
        .into_iter()
        .any(|token| matches!(&token, proc_macro2::TokenTree::Ident(ident) if ident == "impl"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_suggestions() {
        assert_eq!(
            unknown_method_message("GTE"),
            "unknown HTTP method `GTE`: did you mean `GET`?"
        );
        assert_eq!(
            unknown_method_message("get"),
            "unknown HTTP method `get`: methods are written in upper case, `GET`"
        );
        assert_eq!(
            unknown_method_message("FETCH"),
            "unknown HTTP method `FETCH`: expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
        );
        assert!(unknown_method_message("PSOT").contains("`POST`"));
        assert!(unknown_method_message("OPTION").contains("`OPTIONS`"));
    }

    #[test]
    fn docs_join_lines_and_keep_expressions() {
        let attrs: Vec<Attribute> = vec![
            syn::parse_quote!(#[doc = " Get one pet."]),
            syn::parse_quote!(#[doc = ""]),
            syn::parse_quote!(#[doc = " More."]),
        ];
        assert_eq!(
            docs(&attrs).map(|t| t.to_string()),
            Some("\"Get one pet.\\n\\nMore.\"".to_owned())
        );
        let attrs: Vec<Attribute> = vec![
            syn::parse_quote!(#[doc = " Summary."]),
            syn::parse_quote!(#[doc = include_str!("x.md")]),
        ];
        let text = docs(&attrs).map(|t| t.to_string()).unwrap_or_default();
        assert!(text.starts_with(":: core :: concat !"), "{text}");
        assert!(text.contains("include_str !"), "{text}");
        assert_eq!(docs(&[]).map(|t| t.to_string()), None);
    }

    #[test]
    fn options_are_recognised() {
        let ty: Type = syn::parse_quote!(Option<u32>);
        assert!(option_inner(&ty).is_some());
        let ty: Type = syn::parse_quote!(std::option::Option<String>);
        assert!(option_inner(&ty).is_some());
        let ty: Type = syn::parse_quote!(Vec<u32>);
        assert!(option_inner(&ty).is_none());
    }
}
