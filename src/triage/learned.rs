//! The learned classifier: the phrase classifier's evidence, turned into features
//! ([`super::features`]) and weighed by a trained model ([`super::model`]), for the categories
//! the model knows; categories it does not know (a rule pack's own) keep the phrase rules.
//!
//! Tiers: an item is *strong* when the phrase rules trigger on their own (score at the
//! category's threshold, which includes a label, path or field detector that reaches it) or
//! the model's confidence reaches the strong threshold; *possible* when the confidence reaches
//! the possible threshold. Leave-one-backlog-out cross-validation showed that the model does
//! not beat the phrase rules' own decision across backlogs (docs/triage.md), so that decision
//! stays the floor of the strong tier, and the model's work is the tier below it.

use super::classify::{CategoryScore, Classifier, Explanation, ItemText, PhraseClassifier, Tier};
use super::detect::{Evidence, EvidenceSource};
use super::features;
use super::model::{CategoryModel, Thresholds, TriageModel};

/// A category the model scores.
#[derive(Clone, Debug)]
struct Learned {
    model: CategoryModel,
    thresholds: Thresholds,
}

/// Phrase evidence weighed by a trained model.
#[derive(Debug)]
pub struct LearnedClassifier {
    phrase: PhraseClassifier,
    /// Per checklist category: its model, if the model knows it.
    learned: Vec<Option<Learned>>,
}

impl LearnedClassifier {
    /// `ids` are the checklist's category ids; `thresholds` override the model's per category
    /// (from backlint.yaml).
    pub fn new(
        phrase: PhraseClassifier,
        model: &TriageModel,
        ids: &[String],
        thresholds: &[(String, Thresholds)],
    ) -> Self {
        let learned = ids
            .iter()
            .map(|id| {
                let n = model.category(id)?;
                let mut t = model.header.categories.get(n)?.thresholds;
                if let Some((_, own)) = thresholds.iter().find(|(c, _)| c == id) {
                    t = *own;
                }
                Some(Learned {
                    model: model.categories.get(n)?.clone(),
                    thresholds: t,
                })
            })
            .collect();
        LearnedClassifier { phrase, learned }
    }

    /// Whether the model scores category `category`.
    pub fn knows(&self, category: usize) -> bool {
        self.learned.get(category).is_some_and(Option::is_some)
    }
}

/// The score of the label, path and field detectors alone.
fn forced_score(evidence: &[Evidence]) -> f32 {
    evidence
        .iter()
        .filter(|e| e.source != EvidenceSource::Phrase)
        .map(|e| e.weight)
        .sum()
}

impl Classifier for LearnedClassifier {
    fn classify(&self, text: &ItemText<'_>) -> Vec<CategoryScore> {
        let mut scores = self.phrase.classify(text);
        for score in &mut scores {
            let Some(Some(learned)) = self.learned.get(score.category) else {
                continue;
            };
            let threshold = self
                .phrase
                .thresholds
                .get(score.category)
                .copied()
                .unwrap_or(1.0);
            let found = features::extract(text, score.category, Some(score), threshold);
            let sparse = features::sparse(&found);
            let confidence = learned.model.confidence(&sparse);
            // The phrase rules' own trigger (and a label, path or field detector alone) is a
            // floor: the model adds a possible tier below it and may raise items above it.
            let forced = forced_score(&score.evidence) + 1e-6 >= threshold;
            let by_rule = score.score + 1e-6 >= threshold;
            score.confidence = confidence;
            score.tier = if forced || by_rule || confidence >= learned.thresholds.strong {
                Some(Tier::Strong)
            } else if confidence >= learned.thresholds.possible {
                Some(Tier::Possible)
            } else {
                None
            };
        }
        scores
    }

    /// The features, weights and confidence behind one category's decision.
    fn explain(&self, text: &ItemText<'_>, category: usize) -> Option<Explanation> {
        let learned = self.learned.get(category)?.as_ref()?;
        let scores = self.phrase.classify(text);
        let prior = scores.iter().find(|s| s.category == category);
        let threshold = self.phrase.thresholds.get(category).copied().unwrap_or(1.0);
        let found = features::extract(text, category, prior, threshold);
        let sparse = features::sparse(&found);
        let confidence = learned.model.confidence(&sparse);
        Some(Explanation {
            category,
            bias: learned.model.bias,
            features: found
                .into_iter()
                .map(|f| {
                    let w = learned.model.weight(f.index);
                    (f, w)
                })
                .collect(),
            confidence,
            thresholds: learned.thresholds,
        })
    }
}
