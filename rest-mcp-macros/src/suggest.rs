//! "Did you mean" for option names.

/// The candidate closest to `word` when it is a likely typo: within one edit per three
/// characters (at least one), a swap of adjacent characters counting as one edit.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (transposition_distance(word, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.chars().count() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Edit distance where swapping two adjacent characters counts as one edit (`GTE` → `GET`).
pub(crate) fn transposition_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_option() {
        let options = ["include_tags", "exclude_tags", "read_only", "path"];
        assert_eq!(closest("include_tag", &options), Some("include_tags"));
        assert_eq!(closest("readonly", &options), Some("read_only"));
        assert_eq!(closest("banana", &options), None);
        assert_eq!(closest("GTE", &["GET", "PUT"]), Some("GET"));
        assert_eq!(
            closest("qurey", &["query", "header", "body"]),
            Some("query")
        );
    }
}
