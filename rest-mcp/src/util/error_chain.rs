//! An error's causes as one line of text.

use std::error::Error;

/// The sources of `error`, joined by `: `, skipping any that repeats text already there.
/// The top-level message is left out: reqwest's repeats the full URL, query string (and
/// so any API key in it) included, while its causes say what went wrong. `None` when the
/// error has no source.
pub(crate) fn causes(error: &(dyn Error + 'static)) -> Option<String> {
    let mut text = String::new();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    (!text.is_empty()).then_some(text)
}

/// An error's message followed by its causes (`cannot listen on …: address in use`).
#[cfg(feature = "http")]
pub(crate) fn full(error: &(dyn Error + 'static)) -> String {
    let top = error.to_string();
    match causes(error) {
        Some(causes) if !top.contains(&causes) => format!("{top}: {causes}"),
        _ => top,
    }
}

/// A reqwest error with its causes, its URL removed (it may carry credentials).
#[cfg(feature = "http")]
pub(crate) fn reqwest_chain(error: reqwest::Error) -> String {
    full(&error.without_url())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer {0}")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn causes_leave_out_the_top_message() {
        let error = Outer(std::io::Error::other("connection refused"));
        assert_eq!(causes(&error).as_deref(), Some("connection refused"));
        assert_eq!(causes(&std::io::Error::other("alone")), None);
        #[cfg(feature = "http")]
        assert_eq!(full(&error), "outer connection refused");
    }
}
