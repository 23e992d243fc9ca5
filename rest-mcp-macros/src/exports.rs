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

/// `::rest_mcp::ToolSet`
pub(crate) fn tool_set() -> TokenStream {
    quote!(::rest_mcp::ToolSet)
}

/// `::rest_mcp::RestMcpServer`
pub(crate) fn server() -> TokenStream {
    quote!(::rest_mcp::RestMcpServer)
}

/// `tokens` with every span replaced by `span` (Rocket's `define_spanned_export!`): a path
/// re-spanned onto a user's type makes the compiler report a missing trait impl there,
/// not at the macro call.
pub(crate) fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    use proc_macro2::{Group, TokenTree};
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut respanned = Group::new(group.delimiter(), respan(group.stream(), span));
                respanned.set_span(span);
                token = TokenTree::Group(respanned);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}
