//! Classifiers: how a category's score is computed from what the detectors found. A
//! [`Classifier`] sees one item's text and scan and scores every category; the checklist then
//! applies thresholds and the item's own `triage:` answers. [`PhraseClassifier`] adds up
//! weighted phrase, label, path and field evidence, each distinct phrase counting less than
//! the one before.

#![allow(
    clippy::indexing_slicing,
    reason = "tally ranges are byte ranges of the same text, found by the matcher"
)]

use crate::model::Item;
use crate::model::vocab::normalise_word;
use crate::source::LineIndex;
use compact_str::CompactString;

use super::detect::{Detectors, Evidence, EvidenceSource, Scan, Target};

/// What a classifier sees of one item.
pub struct ItemText<'a> {
    pub item: &'a Item,
    /// The item's file text and line index.
    pub index: &'a LineIndex<'a>,
    /// What the detectors found in it.
    pub scan: &'a Scan,
    pub detectors: &'a Detectors,
}

/// How sure a classifier is that an item touches a category.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Tier {
    /// May touch it: asks for confirmation (`triage/unconfirmed`, a warning).
    Possible,
    /// Touches it: needs a threat-analysis spike (`triage/missing-spike`).
    Strong,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Possible => "possible",
            Tier::Strong => "strong",
        }
    }
}

/// One category's score for one item, with the evidence that carried it (strongest first is
/// not required; the checklist orders it).
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryScore {
    pub category: usize,
    /// The classifier's raw score (phrase evidence; for a learned model, its margin).
    pub score: f32,
    /// How sure the classifier is, in [0, 1].
    pub confidence: f32,
    /// The tier the confidence reaches, if any.
    pub tier: Option<Tier>,
    pub evidence: Vec<Evidence>,
}

/// Scores an item's categories.
pub trait Classifier: Send + Sync + std::fmt::Debug {
    /// One score per category that has any evidence (others may be left out).
    fn classify(&self, text: &ItemText<'_>) -> Vec<CategoryScore>;

    /// The features and weights behind one category's score, when a model decides it.
    fn explain(&self, _text: &ItemText<'_>, _category: usize) -> Option<Explanation> {
        None
    }
}

/// Why a learned category scored as it did (for `backlint why`).
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    pub category: usize,
    pub bias: f32,
    /// Each feature with the model's weight for it.
    pub features: Vec<(super::features::Feature, f32)>,
    pub confidence: f32,
    pub thresholds: super::model::Thresholds,
}

/// Scores by weighted evidence: phrases (by the weight of their text's role, their token
/// context and the title's dampening), labels, paths and field values. A category whose
/// score reaches its threshold is in the strong tier; there is no possible tier.
#[derive(Clone, Debug)]
pub struct PhraseClassifier {
    /// Per category: the score that triggers it.
    pub thresholds: Vec<f32>,
}

/// The confidence a phrase score stands for: 0.8 at the threshold, rising towards 1.
pub fn phrase_confidence(score: f32, threshold: f32) -> f32 {
    if score <= 0.0 || threshold <= 0.0 {
        return 0.0;
    }
    1.0 - (-1.6 * score / threshold).exp()
}

/// The mentions of one phrase as evidence of one category.
struct PhraseTally {
    category: usize,
    phrase: usize,
    best: f32,
    /// What repeated mentions add (capped in [`PhraseTally::value`]).
    extra: f32,
    start: usize,
    end: usize,
}

impl PhraseTally {
    fn add(&mut self, value: f32, start: usize, end: usize) {
        if value > self.best {
            self.extra += self.best * REPEAT_BONUS;
            self.best = value;
            self.start = start;
            self.end = end;
        } else {
            self.extra += value * REPEAT_BONUS;
        }
    }

    fn value(&self) -> f32 {
        self.best + self.extra.min(self.best * REPEAT_BONUS * 2.0)
    }
}

/// How much each repeated mention of the same phrase adds (relative to its best mention).
const REPEAT_BONUS: f32 = 0.25;
/// Each further distinct phrase of a category counts this much less than the one before.
const DECAY: f32 = 0.5;
/// Evidence kept per category.
pub const MAX_EVIDENCE: usize = 5;

impl Classifier for PhraseClassifier {
    fn classify(&self, input: &ItemText<'_>) -> Vec<CategoryScore> {
        let ItemText {
            item,
            index,
            scan,
            detectors,
        } = *input;
        let text = index.text();
        // One entry per (category, phrase): its best mention and what repeats add. Spans and
        // texts are made only for the evidence that is kept.
        let mut tallies: Vec<PhraseTally> = Vec::new();
        for hit in &scan.hits {
            for target in detectors.targets_of(hit.phrase) {
                let Target::Category { category, weight } = *target else {
                    continue;
                };
                let value = weight * hit.role_weight * hit.context * scan.dampening;
                if value <= 0.0 {
                    continue;
                }
                match tallies
                    .iter_mut()
                    .find(|t| t.category == category && t.phrase == hit.phrase)
                {
                    Some(tally) => tally.add(value, hit.start, hit.end),
                    None => tallies.push(PhraseTally {
                        category,
                        phrase: hit.phrase,
                        best: value,
                        extra: 0.0,
                        start: hit.start,
                        end: hit.end,
                    }),
                }
            }
        }

        // Per category, distinct phrases count with decaying weight (strongest first), so a
        // long text full of passing mentions does not add up to a trigger.
        tallies.sort_by(|a, b| {
            a.category
                .cmp(&b.category)
                .then(b.value().total_cmp(&a.value()))
                .then(a.start.cmp(&b.start))
        });
        let mut scores: Vec<CategoryScore> = (0..self.thresholds.len())
            .map(|category| CategoryScore {
                category,
                score: 0.0,
                confidence: 0.0,
                tier: None,
                evidence: Vec::new(),
            })
            .collect();
        let mut factor = 1.0;
        let mut previous = usize::MAX;
        for tally in &tallies {
            if tally.category != previous {
                factor = 1.0;
                previous = tally.category;
            }
            let Some(slot) = scores.get_mut(tally.category) else {
                continue;
            };
            slot.score += tally.value() * factor;
            factor *= DECAY;
            if slot.evidence.len() < MAX_EVIDENCE {
                slot.evidence.push(Evidence {
                    text: CompactString::from_utf8_lossy(&text.as_bytes()[tally.start..tally.end]),
                    span: index.span(tally.start..tally.end),
                    weight: tally.value(),
                    source: EvidenceSource::Phrase,
                });
            }
        }
        for label in &item.labels {
            let norm = normalise_word(&label.value);
            for (name, category, weight) in &detectors.labels {
                if *name == norm {
                    if let Some(slot) = scores.get_mut(*category) {
                        slot.score += weight;
                        slot.evidence.push(Evidence {
                            text: compact_str::format_compact!("label `{}`", label.value),
                            span: label.span,
                            weight: *weight,
                            source: EvidenceSource::Label,
                        });
                    }
                }
            }
        }
        if let Some((set, targets)) = &detectors.paths {
            for glob in set.matches(&*item.path) {
                if let Some((category, weight)) = targets.get(glob) {
                    if let Some(slot) = scores.get_mut(*category) {
                        slot.score += weight;
                        slot.evidence.push(Evidence {
                            text: compact_str::format_compact!("path `{}`", item.path),
                            span: item.start,
                            weight: *weight,
                            source: EvidenceSource::Path,
                        });
                    }
                }
            }
        }
        for (key, value) in &item.extra_fields {
            let norm = normalise_word(&value.value);
            for (field, expected, category, weight) in &detectors.fields {
                if field == key && *expected == norm {
                    if let Some(slot) = scores.get_mut(*category) {
                        slot.score += weight;
                        slot.evidence.push(Evidence {
                            text: compact_str::format_compact!("{key}: {}", value.value),
                            span: value.span,
                            weight: *weight,
                            source: EvidenceSource::Field,
                        });
                    }
                }
            }
        }
        for slot in &mut scores {
            let threshold = self.thresholds.get(slot.category).copied().unwrap_or(1.0);
            slot.confidence = phrase_confidence(slot.score, threshold);
            if slot.score + 1e-6 >= threshold {
                slot.tier = Some(Tier::Strong);
            }
        }
        scores
    }
}
