//! Procedural macros for rest-mcp. Use them through the `rest-mcp` crate, which re-exports
//! them: `#[rest_mcp::rest_api]`, `#[endpoint]` and `rest_mcp::include_openapi!`.
//!
//! Each macro here is a thin shim: parsing, checking and code generation live in plain
//! functions on `proc_macro2` tokens (unit-tested in this crate), and every path the
//! generated code uses is defined once in `exports`.

mod exports;
mod include_openapi;
mod rest_api;
mod suggest;

#[cfg(test)]
mod expansion_snapshots;

use proc_macro::TokenStream;

/// Turn a trait of `#[endpoint]` methods into a typed HTTP client and MCP tools.
///
/// ```ignore
/// #[rest_mcp::rest_api(base_url = "https://api.example.com")]
/// pub trait Pets {
///     /// Get one pet.
///     #[endpoint(GET "/pets/<id>")]
///     async fn get_pet(&self, id: u64) -> Result<Pet, rest_mcp::client::ClientError>;
/// }
/// ```
#[proc_macro_attribute]
pub fn rest_api(attr: TokenStream, item: TokenStream) -> TokenStream {
    rest_api::expand(attr.into(), item.into()).into()
}

/// Marks a method of a `#[rest_api]` trait as an HTTP endpoint: `#[endpoint(GET "/users/<id>")]`.
/// On its own (outside a `#[rest_api]` trait) it is an error.
#[proc_macro_attribute]
pub fn endpoint(_attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let error = syn::Error::new(
        proc_macro2::Span::call_site(),
        "#[endpoint] only works on methods of a trait marked #[rest_api]",
    )
    .to_compile_error();
    quote::quote!(#error #item).into()
}

/// Read an OpenAPI/Swagger spec at compile time and generate its MCP tools and a typed
/// client. A spec that cannot load is a compile error; problems that do not stop loading
/// are one compiler warning (`strict = true` makes them errors, `quiet = true` silences
/// them). The spec and every local file its `$ref`s read are tracked for rebuilds. See the
/// `rest-mcp` crate docs.
#[proc_macro]
pub fn include_openapi(input: TokenStream) -> TokenStream {
    let call_site_file = proc_macro::Span::call_site().local_file();
    include_openapi::expand(input.into(), call_site_file).into()
}
