//! `backlint triage train` and `backlint triage cv`: train the triage model from labelled
//! items, and measure it by leave-one-backlog-out cross-validation beside the phrase rules.
//!
//! Training is deterministic: the same labels, item files, rule pack and options give the
//! same model file, byte for byte. Thresholds come from out-of-fold confidences: each backlog
//! is scored by a model trained on the others, and per category the *possible* threshold is
//! the highest that keeps the target recall, the *strong* threshold the lowest that reaches
//! the target precision (the phrase rules' own trigger stays a floor of the strong tier).

#![allow(
    clippy::indexing_slicing,
    reason = "training works on feature vectors and folds it builds itself, of fixed sizes"
)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::labels::{LabelledItem, load_items, read_labels};
use super::{AppError, Verdict, phrase_rules_for};
use crate::config::Config;
use crate::source::LineIndex;
use crate::triage::classify::Classifier;
use crate::triage::features::{self, DIMS, FEATURE_SET};
use crate::triage::learn::{self, Examples, TrainOptions as LearnOptions};
use crate::triage::model::{CategoryModel, ModelCategory, ModelHeader, Thresholds, TriageModel};
use crate::triage::{Checklist, ItemText};

/// The categories the built-in model scores.
pub const MODEL_CATEGORIES: [&str; 5] = [
    "network-input",
    "authentication",
    "private-data",
    "storage",
    "logging",
];

/// Options of `triage train` and `triage cv`.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    pub labels: Vec<PathBuf>,
    pub corpus: PathBuf,
    /// Recall the possible tier keeps (out of fold).
    pub target_recall: f64,
    /// Precision the strong tier reaches (out of fold)…
    pub target_precision: f64,
    /// …as long as it keeps at least this recall (out of fold).
    pub min_strong_recall: f64,
    /// L2 penalty.
    pub l2: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            labels: Vec::new(),
            corpus: PathBuf::new(),
            target_recall: 0.9,
            target_precision: 0.8,
            min_strong_recall: 0.0,
            l2: 0.01,
        }
    }
}

/// One labelled item, ready for learning.
struct Prepared {
    backlog: usize,
    must: Vec<bool>,
    allowed: Vec<bool>,
    /// Per category: features.
    features: Vec<Vec<(u32, f32)>>,
    /// Per category: what the phrase rules decide.
    rule: Vec<bool>,
}

/// The prepared data set.
struct DataSet {
    backlogs: Vec<String>,
    items: Vec<Prepared>,
    /// SHA-256 of the inputs.
    inputs: String,
}

fn prepare(options: &TrainOptions, checklist: &Checklist) -> Result<(DataSet, usize), AppError> {
    let lines = read_labels(&options.labels)?;
    let mut hasher = Sha256::new();
    hasher.update(b"backlint triage train\0");
    hasher.update(FEATURE_SET.to_le_bytes());
    hasher.update(
        format!(
            "recall={} precision={} strong-recall={} l2={}\0",
            options.target_recall, options.target_precision, options.min_strong_recall, options.l2
        )
        .as_bytes(),
    );
    hasher.update(
        crate::triage::builtin("default")
            .unwrap_or_default()
            .as_bytes(),
    );
    for file in &options.labels {
        let bytes = std::fs::read(file)
            .map_err(|e| AppError::Labels(format!("cannot read {}: {e}", file.display())))?;
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let (mut items, missing) = load_items(lines, &options.corpus)?;
    items.sort_by(|a, b| (&a.label.file, &a.label.id).cmp(&(&b.label.file, &b.label.id)));
    let mut seen_files = std::collections::BTreeSet::new();
    for item in &items {
        if seen_files.insert(item.label.file.clone()) {
            hasher.update(item.label.file.as_bytes());
            hasher.update([0]);
            hasher.update((item.text.len() as u64).to_le_bytes());
            hasher.update(item.text.as_bytes());
        }
    }
    let inputs: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut backlogs: Vec<String> = items.iter().map(|i| i.backlog.clone()).collect();
    backlogs.sort();
    backlogs.dedup();
    let prepared = items
        .iter()
        .map(|labelled| prepare_item(labelled, checklist, &backlogs))
        .collect();
    Ok((
        DataSet {
            backlogs,
            items: prepared,
            inputs,
        },
        missing.len(),
    ))
}

fn prepare_item(labelled: &LabelledItem, checklist: &Checklist, backlogs: &[String]) -> Prepared {
    let index = LineIndex::new(labelled.item.source, &labelled.text);
    let item = &labelled.item;
    let scan = checklist.detectors.scan(item, &index);
    let text = ItemText {
        item,
        index: &index,
        scan: &scan,
        detectors: &checklist.detectors,
    };
    let phrase = checklist.phrase_classifier();
    let scores = phrase.classify(&text);
    let mut out = Prepared {
        backlog: backlogs
            .iter()
            .position(|b| *b == labelled.backlog)
            .unwrap_or(0),
        must: Vec::new(),
        allowed: Vec::new(),
        features: Vec::new(),
        rule: Vec::new(),
    };
    for id in MODEL_CATEGORIES {
        let category = checklist.category(id);
        let prior = category.and_then(|c| scores.iter().find(|s| s.category == c));
        let threshold = category
            .and_then(|c| phrase.thresholds.get(c).copied())
            .unwrap_or(1.0);
        let found = match category {
            Some(c) => features::extract(&text, c, prior, threshold),
            None => Vec::new(),
        };
        out.features.push(features::sparse(&found));
        out.rule
            .push(prior.is_some_and(|p| p.score + 1e-6 >= threshold));
        out.must.push(labelled.label.must.iter().any(|m| m == id));
        out.allowed
            .push(labelled.label.allowed.iter().any(|m| m == id));
    }
    out
}

/// Examples of category `c` from the items `keep` accepts: positives are `must`, negatives
/// are outside `allowed`, and each backlog weighs the same (its positives share one unit, its
/// negatives another), so that no backlog's base rate becomes the model's.
fn examples(data: &DataSet, c: usize, keep: impl Fn(&Prepared) -> bool) -> Examples {
    let mut positives = vec![0usize; data.backlogs.len()];
    let mut negatives = vec![0usize; data.backlogs.len()];
    for item in data.items.iter().filter(|i| keep(i)) {
        if item.must[c] {
            positives[item.backlog] += 1;
        } else if !item.allowed[c] {
            negatives[item.backlog] += 1;
        }
    }
    let pos_backlogs = positives.iter().filter(|n| **n > 0).count().max(1) as f64;
    let neg_backlogs = negatives.iter().filter(|n| **n > 0).count().max(1) as f64;
    let mut out = Examples::new();
    for item in data.items.iter().filter(|i| keep(i)) {
        let (positive, weight) = if item.must[c] {
            (true, 1.0 / positives[item.backlog] as f64 / pos_backlogs)
        } else if !item.allowed[c] {
            (false, 1.0 / negatives[item.backlog] as f64 / neg_backlogs)
        } else {
            (false, 0.0)
        };
        out.push(&item.features[c], positive, weight);
    }
    out
}

fn fit(data: &DataSet, c: usize, l2: f64, keep: impl Fn(&Prepared) -> bool) -> CategoryModel {
    let trained = learn::train(
        &examples(data, c, keep),
        DIMS,
        LearnOptions {
            l2,
            ..LearnOptions::default()
        },
    );
    let weights = trained
        .weights
        .iter()
        .enumerate()
        .filter(|(_, w)| **w != 0.0)
        .map(|(i, w)| (i as u32, *w as f32))
        .collect();
    CategoryModel {
        bias: trained.bias as f32,
        weights,
    }
}

/// Out-of-fold confidences over the backlogs in `within`: each scored by a model trained on
/// the others of `within`.
fn out_of_fold(data: &DataSet, c: usize, l2: f64, within: &[usize]) -> Vec<(usize, f32)> {
    let mut out = Vec::new();
    for &held in within {
        let model = fit(data, c, l2, |i| {
            i.backlog != held && within.contains(&i.backlog)
        });
        for (n, item) in data.items.iter().enumerate() {
            if item.backlog == held {
                out.push((n, model.confidence(&item.features[c])));
            }
        }
    }
    out
}

/// Thresholds from scored items: the highest confidence that keeps `recall` of the `must`
/// items (possible), and the lowest whose flagged items are `precision` right (strong) — but
/// no higher than the highest that keeps `strong_recall`.
fn choose_thresholds(
    data: &DataSet,
    c: usize,
    scored: &[(usize, f32)],
    options: &TrainOptions,
) -> Thresholds {
    let (recall, precision, strong_recall) = (
        options.target_recall,
        options.target_precision,
        options.min_strong_recall,
    );
    let mut ranked: Vec<(f32, bool, bool)> = scored
        .iter()
        .map(|(n, p)| (*p, data.items[*n].must[c], data.items[*n].allowed[c]))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total_must = ranked.iter().filter(|r| r.1).count().max(1) as f64;
    let mut found = 0.0;
    let mut right = 0.0;
    let mut possible = None;
    let mut strong = None;
    let mut floor = None;
    for (n, (p, must, allowed)) in ranked.iter().enumerate() {
        if *must {
            found += 1.0;
        }
        if *allowed {
            right += 1.0;
        }
        // Only between distinct confidences can a threshold separate items.
        let boundary = ranked.get(n + 1).is_none_or(|next| next.0 < *p);
        if !boundary {
            continue;
        }
        let r = found / total_must;
        let pr = right / (n + 1) as f64;
        if possible.is_none() && r >= recall {
            possible = Some(*p);
        }
        if floor.is_none() && r >= strong_recall {
            floor = Some(*p);
        }
        if pr >= precision {
            strong = Some(*p);
        }
    }
    let possible = possible.unwrap_or(0.0);
    let floor = floor.unwrap_or(possible);
    let strong = match strong {
        Some(s) => s.min(floor),
        None => floor,
    }
    .max(possible);
    Thresholds { possible, strong }
}

/// Trains the model from `options`.
pub fn train_model(options: &TrainOptions) -> Result<(TriageModel, usize), AppError> {
    let checklist = phrase_rules_for(&Config::default())?.0;
    let (data, missing) = prepare(options, &checklist)?;
    if data.items.is_empty() {
        return Err(AppError::Labels(
            "no labelled item was found in the corpus".to_string(),
        ));
    }
    let all: Vec<usize> = (0..data.backlogs.len()).collect();
    let mut categories = Vec::new();
    let mut metas = Vec::new();
    for (c, id) in MODEL_CATEGORIES.iter().enumerate() {
        let scored = if all.len() > 1 {
            out_of_fold(&data, c, options.l2, &all)
        } else {
            Vec::new()
        };
        let thresholds = choose_thresholds(&data, c, &scored, options);
        categories.push(fit(&data, c, options.l2, |_| true));
        metas.push(ModelCategory {
            id: (*id).to_string(),
            thresholds,
            positives: data.items.iter().filter(|i| i.must[c]).count() as u32,
            negatives: data
                .items
                .iter()
                .filter(|i| !i.must[c] && !i.allowed[c])
                .count() as u32,
        });
    }
    let model = TriageModel {
        header: ModelHeader {
            feature_set: FEATURE_SET,
            dims: DIMS as u32,
            categories: metas,
            inputs: data.inputs.clone(),
            trained_with: format!(
                "backlint triage train: {} labelled items from {} backlogs; target recall {}, \
                 target precision {} with strong recall at least {}, l2 {}",
                data.items.len(),
                data.backlogs.len(),
                options.target_recall,
                options.target_precision,
                options.min_strong_recall,
                options.l2
            ),
        },
        categories,
    };
    Ok((model, missing))
}

/// `backlint triage train -o FILE`.
pub fn train(
    options: &TrainOptions,
    output: &std::path::Path,
    out: &mut dyn Write,
) -> Result<Verdict, AppError> {
    let (model, missing) = train_model(options)?;
    crate::util::fs::write_file_atomically(output, &model.to_bytes())
        .map_err(|e| AppError::Output(output.display().to_string(), e))?;
    writeln!(out, "{}", model.header.trained_with)?;
    if missing > 0 {
        writeln!(
            out,
            "note: {missing} labelled items were not found in the corpus and were left out"
        )?;
    }
    writeln!(out, "category         possible  strong  positives")?;
    for c in &model.header.categories {
        writeln!(
            out,
            "{:<16} {:>8.3} {:>7.3} {:>10}",
            c.id, c.thresholds.possible, c.thresholds.strong, c.positives
        )?;
    }
    writeln!(out, "wrote {}", output.display())?;
    Ok(Verdict::Clean)
}

/// Recall and precision counts.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    found: usize,
    must: usize,
    right: usize,
    flagged: usize,
}

impl Tally {
    fn add(&mut self, must: bool, allowed: bool, flagged: bool) {
        if must {
            self.must += 1;
            if flagged {
                self.found += 1;
            }
        }
        if flagged {
            self.flagged += 1;
            if allowed {
                self.right += 1;
            }
        }
    }

    fn recall(&self) -> f64 {
        self.found as f64 / self.must.max(1) as f64
    }

    fn precision(&self) -> f64 {
        self.right as f64 / self.flagged.max(1) as f64
    }

    fn merge(&mut self, other: &Tally) {
        self.found += other.found;
        self.must += other.must;
        self.right += other.right;
        self.flagged += other.flagged;
    }
}

/// `backlint triage cv`: leave-one-backlog-out cross-validation, nested (thresholds for each
/// held-out backlog come from the other backlogs only), beside the phrase rules; a Markdown
/// report.
pub fn cross_validate(options: &TrainOptions, out: &mut dyn Write) -> Result<Verdict, AppError> {
    let checklist = phrase_rules_for(&Config::default())?.0;
    let (data, missing) = prepare(options, &checklist)?;
    let k = MODEL_CATEGORIES.len();
    // [category] → tallies: both tiers, strong tier, phrase rules; and per backlog.
    let mut both = vec![Tally::default(); k];
    let mut strong = vec![Tally::default(); k];
    let mut rules = vec![Tally::default(); k];
    let mut per_backlog: BTreeMap<usize, [Tally; 3]> = BTreeMap::new();
    let all: Vec<usize> = (0..data.backlogs.len()).collect();
    for &held in &all {
        let rest: Vec<usize> = all.iter().copied().filter(|b| *b != held).collect();
        for c in 0..k {
            let scored = out_of_fold(&data, c, options.l2, &rest);
            let t = choose_thresholds(&data, c, &scored, options);
            let model = fit(&data, c, options.l2, |i| i.backlog != held);
            for item in data.items.iter().filter(|i| i.backlog == held) {
                let p = model.confidence(&item.features[c]);
                let (m, a) = (item.must[c], item.allowed[c]);
                let slot = per_backlog.entry(held).or_default();
                // As the classifier decides: the phrase rules' own trigger is a floor of the
                // strong tier.
                let is_strong = item.rule[c] || p >= t.strong;
                let is_flagged = is_strong || p >= t.possible;
                both[c].add(m, a, is_flagged);
                slot[0].add(m, a, is_flagged);
                strong[c].add(m, a, is_strong);
                slot[1].add(m, a, is_strong);
                rules[c].add(m, a, item.rule[c]);
                slot[2].add(m, a, item.rule[c]);
            }
        }
    }
    writeln!(
        out,
        "Leave-one-backlog-out cross-validation: {} labelled items, {} backlogs{}.",
        data.items.len(),
        data.backlogs.len(),
        if missing > 0 {
            format!(" ({missing} labels not found, left out)")
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "Each backlog is scored by a model trained on the others, with thresholds chosen on the \
         others (target recall {}, target precision {} with strong recall at least {}). \
         Recall on `must`, precision against `allowed`.\n",
        options.target_recall, options.target_precision, options.min_strong_recall
    )?;
    writeln!(
        out,
        "| category | both tiers R | both tiers P | strong R | strong P | phrase rules R | phrase rules P |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    let mut totals = [Tally::default(); 3];
    for (c, id) in MODEL_CATEGORIES.iter().enumerate() {
        writeln!(
            out,
            "| {id} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            both[c].recall(),
            both[c].precision(),
            strong[c].recall(),
            strong[c].precision(),
            rules[c].recall(),
            rules[c].precision()
        )?;
        totals[0].merge(&both[c]);
        totals[1].merge(&strong[c]);
        totals[2].merge(&rules[c]);
    }
    writeln!(
        out,
        "| **all** | **{:.2}** | **{:.2}** | **{:.2}** | **{:.2}** | **{:.2}** | **{:.2}** |\n",
        totals[0].recall(),
        totals[0].precision(),
        totals[1].recall(),
        totals[1].precision(),
        totals[2].recall(),
        totals[2].precision()
    )?;
    writeln!(
        out,
        "| held-out backlog | items | both tiers R | both tiers P | strong R | strong P | phrase rules R | phrase rules P |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    for (b, t) in &per_backlog {
        let n = data.items.iter().filter(|i| i.backlog == *b).count();
        writeln!(
            out,
            "| {} | {n} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            data.backlogs[*b],
            t[0].recall(),
            t[0].precision(),
            t[1].recall(),
            t[1].precision(),
            t[2].recall(),
            t[2].precision()
        )?;
    }
    Ok(Verdict::Clean)
}
