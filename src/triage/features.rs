//! What the learned triage model sees of an item, for one category: the phrase detectors'
//! evidence aggregated along dimensions that carry over between backlogs, never the backlog's
//! own vocabulary. Features are named (for `backlint why`) and hashed into a fixed space (for
//! the model).

use crate::model::TextRole;

use super::classify::{CategoryScore, ItemText};
use super::detect::Target;

/// The version of the feature set; a model trained on another version is refused.
pub const FEATURE_SET: u32 = 1;
/// Hashed feature space.
pub const DIMS: usize = 1 << 12;

/// One feature of an item for a category.
#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    pub name: &'static str,
    pub index: u32,
    pub value: f32,
}

/// Index of a feature name: 64-bit FNV-1a, folded into [`DIMS`] (stable across platforms and
/// versions).
pub fn index_of(name: &str) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    ((hash ^ (hash >> 32)) % DIMS as u64) as u32
}

/// Where a phrase stands, coarsely.
fn place(role: TextRole) -> Option<&'static str> {
    match role {
        TextRole::Title => Some("title"),
        TextRole::Description | TextRole::Acceptance => Some("body"),
        TextRole::Plan => Some("plan"),
        TextRole::Notes | TextRole::References => Some("notes"),
        TextRole::DefinitionOfDone | TextRole::OutOfScope => None,
    }
}

/// The features of `text` for `category`, given the phrase classifier's score of it (the
/// prior) and its threshold. Sorted by name.
///
/// Feature set 1 is what carried over between backlogs in leave-one-backlog-out
/// cross-validation (docs/triage.md): the phrase score (`score`, as `ln(1 + score)`), the phrase
/// rules' own decision (`rule`), and how many distinct phrases of the category occur outside
/// code and paths (`distinct`, as `ln(1 + n)`). Where the phrases stand, their strength per
/// place, the item's kind, other categories' scores and the backlog's own words were tried
/// and made the cross-backlog figures worse.
pub fn extract(
    text: &ItemText<'_>,
    category: usize,
    prior: Option<&CategoryScore>,
    threshold: f32,
) -> Vec<Feature> {
    let mut out: Vec<Feature> = Vec::with_capacity(3);
    let mut push = |name: &'static str, value: f32| {
        out.push(Feature {
            name,
            index: index_of(name),
            value,
        })
    };
    let mut distinct: Vec<usize> = Vec::new();
    for hit in &text.scan.hits {
        if place(hit.role).is_none() || hit.context < 1.0 || distinct.contains(&hit.phrase) {
            continue;
        }
        let counts = text.detectors.targets_of(hit.phrase).iter().any(|t| {
            matches!(*t, Target::Category { category: c, weight } if c == category && weight > 0.0)
        });
        if counts {
            distinct.push(hit.phrase);
        }
    }
    if !distinct.is_empty() {
        push("distinct", (distinct.len() as f32).ln_1p());
    }
    let score = prior.map_or(0.0, |p| p.score);
    if score + 1e-6 >= threshold {
        push("rule", 1.0);
    }
    if score > 0.0 {
        push("score", score.ln_1p());
    }
    out
}

/// The features as `(index, value)` pairs for the model.
pub fn sparse(features: &[Feature]) -> Vec<(u32, f32)> {
    let mut out: Vec<(u32, f32)> = features.iter().map(|f| (f.index, f.value)).collect();
    out.sort_by_key(|(i, _)| *i);
    out.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 += b.1;
            true
        } else {
            false
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_are_distinct_and_pinned() {
        let names = ["score", "rule", "distinct"];
        let mut indices: Vec<u32> = names.iter().map(|n| index_of(n)).collect();
        // Pinned: a change here invalidates every trained model (bump FEATURE_SET).
        assert_eq!(index_of("score"), 1806);
        indices.sort_unstable();
        indices.dedup();
        assert_eq!(indices.len(), names.len());
        assert!(indices.iter().all(|i| (*i as usize) < DIMS));
    }
}
