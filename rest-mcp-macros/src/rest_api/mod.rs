//! `#[rest_api]`: parse → check → expand (being written).

use proc_macro2::TokenStream;

/// Expand `#[rest_api(...)]` on a trait.
pub(crate) fn expand(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}
