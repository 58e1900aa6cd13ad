//! Did-you-mean: the closest known name to a mistyped one.

#![allow(
    clippy::indexing_slicing,
    reason = "edit-distance rows are sized to the compared strings"
)]

/// The closest known name, if it is close enough to be a typo.
pub fn suggest<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    // Compare with the whole name and with its last segment (`missing-spik` →
    // `triage/missing-spike`).
    let distance = |k: &str| {
        let whole = edit_distance(name, k);
        let tail = k
            .rsplit('/')
            .next()
            .map_or(whole, |t| edit_distance(name, t));
        whole.min(tail)
    };
    known
        .iter()
        .map(|k| (distance(k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let known = vec![
            "triage/missing-spike".to_string(),
            "network-input".to_string(),
        ];
        assert_eq!(
            suggest("triage/mising-spike", &known),
            Some("triage/missing-spike")
        );
        assert_eq!(
            suggest("missing-spike", &known),
            Some("triage/missing-spike")
        );
        assert_eq!(suggest("network_input", &known), Some("network-input"));
        assert_eq!(suggest("zzz", &known), None);
    }
}
