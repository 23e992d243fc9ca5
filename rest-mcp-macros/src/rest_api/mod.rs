//! `#[rest_api]`: parse → check → expand, in the style of serde_derive and Rocket.
//!
//! - [`parse`] turns the attribute and the trait into an IR ([`parse::Api`]): darling for
//!   `key = value` options, a hand-written `syn::parse::Parse` for `GET "/pets/<id>"`,
//!   [`path_template`] for the `<name>` segments. It strips our attributes as it goes.
//! - [`check`] binds path parameters to arguments, places every other argument (query,
//!   header, body, body field) and rejects conflicts and duplicate tool names.
//! - [`expand`] generates the trait, a client struct and the trait impl: operation
//!   data built with `rest_mcp::client::OperationBuilder`, served by the same runtime as
//!   spec-driven tools.
//!
//! Errors accumulate in a [`ctxt::Ctxt`] so one compile reports all of them; on any error
//! the trait and a dummy client are still emitted so no follow-on errors cascade.

mod check;
mod ctxt;
mod expand;
mod parse;
mod path_template;

use proc_macro2::TokenStream;
use quote::quote;

/// Expand `#[rest_api(...)]` on a trait.
pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let ctxt = ctxt::Ctxt::new();
    let Some(mut api) = parse::parse(&ctxt, attr, item.clone()) else {
        let errors = ctxt.check().err().map(|e| e.to_compile_error());
        return quote!(#errors #item);
    };
    check::check(&ctxt, &mut api);
    match ctxt.check() {
        Ok(()) => expand::expand(&api),
        Err(errors) => {
            let errors = errors.to_compile_error();
            let dummy = expand::dummy(&api);
            quote!(#errors #dummy)
        }
    }
}

#[cfg(test)]
mod tests;
