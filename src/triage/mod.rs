//! The security triage checklist. Rule packs (`rules/*.yaml`, compiled in) define the category
//! [`catalogue`] and the [`detect`]ors; a [`classify::Classifier`] scores each item's
//! categories from what the detectors found; the [`Checklist`] applies thresholds and the
//! item's own `triage:` answers, and keeps the evidence span of every match.

pub mod catalogue;
pub mod classify;
pub mod compile;
pub mod detect;
pub mod features;
pub mod lazy_regex;
pub mod learn;
pub mod learned;
pub mod matcher;
pub mod model;
pub mod pack;
pub mod table;

pub use catalogue::{Catalogue, Category};
pub use classify::{CategoryScore, Classifier, ItemText, PhraseClassifier, Tier};
pub use compile::{PackError, compile};
pub use detect::{Detectors, Evidence, Scan, Signal};
pub use learned::LearnedClassifier;
pub use model::{Thresholds, TriageModel};
pub use pack::{BUILTIN_PACKS, RulePack, builtin, parse_pack};
pub use table::TriageTable;

use thin_vec::ThinVec;

use crate::model::Item;
use crate::source::LineIndex;

/// A category the item triggered (strong tier) or may touch (possible tier).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CategoryMatch {
    pub category: usize,
    pub score: f32,
    /// The classifier's confidence, in [0, 1].
    pub confidence: f32,
    /// `None` only in explanations (`keep_all`), for categories below both tiers.
    pub tier: Option<Tier>,
    /// Strongest first.
    pub evidence: ThinVec<Evidence>,
}

/// Everything triage learned about one item. Kept for every item until the end of a check:
/// its lists are `ThinVec`s (one word each, no allocation when empty), sized when it is made.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ItemTriage {
    /// Triggered categories (strong tier, or confirmed by the item's `triage:`), in checklist
    /// order.
    pub categories: ThinVec<CategoryMatch>,
    /// Categories in the possible tier, neither confirmed nor declined by `triage:`.
    pub possible: ThinVec<CategoryMatch>,
    /// Categories the item's `triage:` override switched off.
    pub overridden: ThinVec<usize>,
    pub deferred_security: ThinVec<Evidence>,
    pub attacker_story: Option<Box<Evidence>>,
    /// For items labelled non-functional: the first measurable criterion, if any.
    pub measurable: Option<Box<Evidence>>,
    /// Index (into `item.dod`) of the item's own residual-risk acceptance entry.
    pub dod_risk_entry: Option<usize>,
}

/// The compiled checklist: categories, detectors and the classifier that scores items.
#[derive(Debug)]
pub struct Checklist {
    pub catalogue: Catalogue,
    pub detectors: Detectors,
    classifier: Box<dyn Classifier>,
}

impl Checklist {
    /// Starts building the phrase automaton on one of rayon's worker threads (not waited
    /// for): a run that will triage items (a cold one, or a hook's staged items) builds it
    /// while it lists and reads files, instead of stalling its first triage on it.
    pub fn build_matcher_meanwhile(&self) {
        let phrases = self.detectors.phrases.clone();
        // A panic there would abort the process from a detached task; caught, it leaves the
        // automaton unbuilt, and the first search builds it (and fails) where it is reported.
        rayon::spawn(move || {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| phrases.build()));
        });
    }

    /// Works out where phrases start now, on this thread: a run that may triage a few items
    /// does it while it lists its files, rather than in its first triage's way.
    pub fn work_out_phrase_starts(&self) {
        self.detectors.phrases.work_out_starts();
    }

    pub fn new(
        catalogue: Catalogue,
        detectors: Detectors,
        classifier: Box<dyn Classifier>,
    ) -> Self {
        Checklist {
            catalogue,
            detectors,
            classifier,
        }
    }

    /// The phrase classifier of this checklist's categories (the prior of a learned model).
    pub fn phrase_classifier(&self) -> PhraseClassifier {
        PhraseClassifier {
            thresholds: self
                .catalogue
                .categories
                .iter()
                .map(|c| c.threshold)
                .collect(),
        }
    }

    /// Scores the categories a trained model knows with it (thresholds from the model unless
    /// `thresholds` names the category); the others keep their phrase rules.
    pub fn use_model(&mut self, model: &TriageModel, thresholds: &[(String, Thresholds)]) {
        let learned = LearnedClassifier::new(
            self.phrase_classifier(),
            model,
            &self.catalogue.ids(),
            thresholds,
        );
        self.classifier = Box::new(learned);
    }

    /// The classifier in use.
    pub fn classifier(&self) -> &dyn Classifier {
        self.classifier.as_ref()
    }

    /// The categories, indexed like `CategoryMatch::category`.
    pub fn categories(&self) -> &[Category] {
        &self.catalogue.categories
    }

    /// The index of the category with this id.
    pub fn category(&self, id: &str) -> Option<usize> {
        self.catalogue.index_of(id)
    }

    /// Switches a category off (`disabled_categories`).
    pub fn disable(&mut self, id: &str) {
        self.catalogue.disable(id);
    }

    /// Judges `item`, whose text is `index.text()`.
    pub fn classify(&self, item: &Item, index: &LineIndex<'_>) -> ItemTriage {
        self.classify_with(item, index, false)
    }

    /// Like [`Checklist::classify`]; with `keep_all`, categories below both tiers are kept in
    /// `possible` too (with `tier: None`), to show why an item did or did not trigger.
    pub fn classify_with(&self, item: &Item, index: &LineIndex<'_>, keep_all: bool) -> ItemTriage {
        let scan = self.detectors.scan(item, index);
        let mut scores = self.classifier.classify(&ItemText {
            item,
            index,
            scan: &scan,
            detectors: &self.detectors,
        });
        scores.sort_by_key(|s| s.category);
        let mut out = ItemTriage {
            deferred_security: scan.deferred_security.into(),
            attacker_story: scan.attacker_story.map(Box::new),
            ..ItemTriage::default()
        };
        let (mut categories, mut possible, mut overridden) = (Vec::new(), Vec::new(), Vec::new());
        let answers = item.triage_override.as_ref();
        for CategoryScore {
            category,
            score,
            confidence,
            tier,
            mut evidence,
        } in scores
        {
            let Some(def) = self.catalogue.categories.get(category) else {
                continue;
            };
            if def.disabled {
                continue;
            }
            let declined = answers.is_some_and(|o| o.disabled.iter().any(|d| d.value == def.id));
            let confirmed = answers.is_some_and(|o| o.confirmed.iter().any(|d| d.value == def.id));
            let tier = if confirmed { Some(Tier::Strong) } else { tier };
            if tier.is_none() && !(keep_all && score > 0.0) {
                continue;
            }
            if declined && tier.is_some() {
                overridden.push(category);
                continue;
            }
            evidence.sort_by(|a, b| {
                b.weight
                    .total_cmp(&a.weight)
                    .then(a.span.start.cmp(&b.span.start))
            });
            evidence.truncate(classify::MAX_EVIDENCE);
            let found = CategoryMatch {
                category,
                score,
                confidence,
                tier,
                // Sized to what is kept.
                evidence: evidence.into(),
            };
            match tier {
                Some(Tier::Strong) => categories.push(found),
                _ => possible.push(found),
            }
        }
        if item.is_labelled("non-functional") || item.is_labelled("nfr") {
            out.measurable = self.detectors.find_measurable(item, index).map(Box::new);
        }
        out.dod_risk_entry = item
            .dod
            .iter()
            .position(|entry| self.detectors.is_risk_acceptance_entry(&entry.text));
        out.categories = categories.into();
        out.possible = possible.into();
        out.overridden = overridden.into();
        out
    }
}

/// The checklist of the built-in `default` pack alone.
pub fn default_checklist() -> Result<Checklist, Vec<PackError>> {
    let text = builtin("default").unwrap_or_default();
    let pack = parse_pack(text).map_err(|err| {
        vec![PackError {
            pack: "builtin:default".to_string(),
            message: err.to_string(),
        }]
    })?;
    compile(&[("builtin:default".to_string(), pack)])
}
