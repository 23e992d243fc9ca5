//! Every path generated code uses, in one place, all absolute through the `rest-mcp`
//! facade (`::rest_mcp::...`), so users depend on `rest-mcp` alone.

use proc_macro2::TokenStream;
use quote::quote;

/// `::rest_mcp`
pub(crate) fn krate() -> TokenStream {
    quote!(::rest_mcp)
}

/// `::rest_mcp::client`
pub(crate) fn client() -> TokenStream {
    quote!(::rest_mcp::client)
}

/// `::rest_mcp::openapi`
pub(crate) fn openapi() -> TokenStream {
    quote!(::rest_mcp::openapi)
}

/// `::rest_mcp::__private::serde_json`
pub(crate) fn serde_json() -> TokenStream {
    quote!(::rest_mcp::__private::serde_json)
}

/// `::rest_mcp::__private::serde`
pub(crate) fn serde() -> TokenStream {
    quote!(::rest_mcp::__private::serde)
}

/// `::rest_mcp::__private::schemars`
pub(crate) fn schemars() -> TokenStream {
    quote!(::rest_mcp::__private::schemars)
}
