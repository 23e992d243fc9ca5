//! "Did you mean": the known name closest to a mistyped one.

/// The candidate most like `word` (case aside) when it is a likely typo: a Jaro-Winkler
/// similarity above 0.8. Ties go to the earlier candidate.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(&word, &candidate.to_lowercase());
        if score > 0.8 && best.is_none_or(|(top, _)| score > top) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_its_name_and_an_unrelated_word_finds_none() {
        let keys = [
            "base_url",
            "openapi_spec",
            "request_timeout",
            "max_response_size",
        ];
        assert_eq!(closest("bse_url", keys), Some("base_url"));
        assert_eq!(closest("Request_Timout", keys), Some("request_timeout"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(closest("anything", []), None);
    }
}
