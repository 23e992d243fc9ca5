//! The error accumulator (serde_derive's `Ctxt`): every check records its errors here and
//! carries on, so one compile reports every problem; [`Ctxt::check`] combines them.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// Collects errors while parsing and checking; must be consumed by [`Ctxt::check`].
pub(crate) struct Ctxt {
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    /// An empty accumulator.
    pub(crate) fn new() -> Ctxt {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// An error at `span`.
    pub(crate) fn error(&self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// An error underlining every token of `node` (a whole type, not only its first token).
    pub(crate) fn error_spanned_by(&self, node: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(node.into_token_stream(), message));
    }

    /// A syn error (possibly several combined).
    pub(crate) fn syn_error(&self, error: syn::Error) {
        self.push(error);
    }

    /// A darling error, converted into syn errors (darling keeps only the first token's
    /// span when it is the other way round).
    pub(crate) fn darling_error(&self, error: darling::Error) {
        self.push(syn::Error::from(error));
    }

    /// All recorded errors combined into one, or `Ok` when there were none.
    pub(crate) fn check(self) -> Result<(), syn::Error> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut errors = errors.into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined)
    }

    fn push(&self, error: syn::Error) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(error);
        }
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("rest-mcp-macros: a Ctxt was dropped without checking its errors");
        }
    }
}
