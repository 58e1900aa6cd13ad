//! `backlint why ITEM-ID [PATH…]`: for one item, each checklist category's confidence, the
//! thresholds of the two tiers, the model's features with their weights, and the evidence in
//! the text — so that a team can see the decision and argue with it.

#![allow(
    clippy::indexing_slicing,
    reason = "the item index comes from the backlog's own lookup"
)]

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use super::check::check_tree_cached;
use super::{AppError, Verdict, Workspace};
use crate::config::ModelSetting;
use crate::model::id_key;
use crate::source::{FsReader, LineIndex, SourceReader, decode, one_line, sanitize_for_terminal};
use crate::triage::classify::Explanation;
use crate::triage::{ItemText, Tier};

/// Options of `backlint why`.
#[derive(Clone, Debug, Default)]
pub struct WhyOptions {
    pub item: String,
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub json: bool,
}

/// One category's decision, for output.
struct Decision {
    id: String,
    title: String,
    confidence: f32,
    tier: Option<Tier>,
    answered: Option<&'static str>,
    phrase_score: f32,
    phrase_threshold: f32,
    explanation: Option<Explanation>,
    evidence: Vec<(String, u32, u32, f32)>,
}

pub fn why(options: &WhyOptions, out: &mut dyn Write) -> Result<Verdict, AppError> {
    let ws = Workspace::open(&options.paths, options.config.as_deref())?;
    // The item cache spares the backlog's other files a parse (the item itself is read again).
    let (outcome, checklist) = check_tree_cached(&ws, &options.paths, false)?;
    let key = id_key(&options.item);
    let found: Vec<usize> = outcome
        .backlog
        .by_id(&options.item)
        .iter()
        .copied()
        .chain(
            outcome
                .backlog
                .items
                .iter()
                .enumerate()
                .filter(|(_, i)| id_key(&i.id) == key)
                .map(|(n, _)| n),
        )
        .collect();
    let Some(&idx) = found.first() else {
        let known: Vec<String> = outcome.backlog.items.iter().map(|i| i.id.clone()).collect();
        let hint = crate::util::suggest(&options.item, &known)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return Err(AppError::UnknownItem(
            one_line(&options.item),
            format!("{hint}; {} items were checked", known.len()),
        ));
    };
    let item = &outcome.backlog.items[idx];
    let file = outcome
        .sources
        .get(item.source)
        .ok_or_else(|| AppError::UnknownItem(item.id.clone(), String::new()))?;
    let (text, _) = decode(FsReader.read(file)?);
    let index = LineIndex::new(item.source, &text);
    // The check keeps only what the rules read; triage's inputs come from the file again.
    let reloaded = crate::engine::reload_for_triage(&outcome, idx, &index, &ws.config, &checklist)
        .into_iter()
        .find(|i| crate::engine::same_item(i, item))
        .ok_or_else(|| {
            AppError::UnknownItem(
                item.id.clone(),
                " (its file changed while it was read)".into(),
            )
        })?;
    let item = &reloaded;
    let scan = checklist.detectors.scan(item, &index);
    let item_text = ItemText {
        item,
        index: &index,
        scan: &scan,
        detectors: &checklist.detectors,
    };
    let triage = checklist.classify_with(item, &index, true);
    let phrase = checklist.phrase_classifier();
    let phrase_scores = crate::triage::Classifier::classify(&phrase, &item_text);
    let answers = item.triage_override.as_ref();
    let mut decisions = Vec::new();
    for (n, category) in checklist.categories().iter().enumerate() {
        if category.disabled {
            continue;
        }
        let matched = triage
            .categories
            .iter()
            .chain(&triage.possible)
            .find(|c| c.category == n);
        let answered =
            if answers.is_some_and(|o| o.confirmed.iter().any(|d| d.value == category.id)) {
                Some("confirmed by `triage:`")
            } else if answers.is_some_and(|o| o.disabled.iter().any(|d| d.value == category.id)) {
                Some("declined by `triage:`")
            } else {
                None
            };
        let explanation = checklist.classifier().explain(&item_text, n);
        let phrase_score = phrase_scores
            .iter()
            .find(|s| s.category == n)
            .map_or(0.0, |s| s.score);
        decisions.push(Decision {
            id: category.id.clone(),
            title: category.title.clone(),
            confidence: explanation
                .as_ref()
                .map(|e| e.confidence)
                .or(matched.map(|m| m.confidence))
                .unwrap_or(0.0),
            tier: matched.and_then(|m| m.tier),
            answered,
            phrase_score,
            phrase_threshold: category.threshold,
            explanation,
            evidence: matched
                .map(|m| {
                    m.evidence
                        .iter()
                        .map(|e| {
                            (
                                e.text.to_string(),
                                e.span.begin.line,
                                e.span.begin.column,
                                e.weight,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    let model = match &ws.config.triage_model {
        ModelSetting::Builtin => "the built-in model".to_string(),
        ModelSetting::PhraseRules => "the phrase rules (`triage_model: phrase-rules`)".to_string(),
        ModelSetting::File { path, .. } => format!("the team's model `{path}`"),
    };
    if options.json {
        let categories: Vec<_> = decisions
            .iter()
            .map(|d| {
                json!({
                    "category": d.id,
                    "confidence": (f64::from(d.confidence) * 1000.0).round() / 1000.0,
                    "tier": d.tier.map(Tier::name),
                    "answered": d.answered,
                    "phrase_score": (f64::from(d.phrase_score) * 1000.0).round() / 1000.0,
                    "phrase_threshold": d.phrase_threshold,
                    "thresholds": d.explanation.as_ref().map(|e| json!({
                        "possible": e.thresholds.possible, "strong": e.thresholds.strong})),
                    "bias": d.explanation.as_ref().map(|e| e.bias),
                    "features": d.explanation.as_ref().map(|e| e.features.iter().map(|(f, w)| json!({
                        "name": f.name, "value": f.value, "weight": w,
                        "contribution": f.value * w})).collect::<Vec<_>>()),
                    "evidence": d.evidence.iter().map(|(t, l, c, w)| json!({
                        "text": t, "line": l, "column": c, "weight": w})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let report = json!({
            "id": item.id,
            "file": &*item.path,
            "title": item.title,
            "classifier": model,
            "categories": categories,
        });
        writeln!(out, "{report}")?;
        return Ok(Verdict::Clean);
    }
    let clean = |s: &str| sanitize_for_terminal(&one_line(s)).into_owned();
    writeln!(
        out,
        "{} — {} ({})",
        clean(&item.id),
        clean(&item.title),
        clean(&item.path)
    )?;
    writeln!(out, "scored by {model}\n")?;
    for d in &decisions {
        let verdict = match (d.answered, d.tier) {
            (Some(a), _) => a.to_string(),
            (None, Some(Tier::Strong)) => {
                "strong: needs a threat-analysis spike (triage/missing-spike)".into()
            }
            (None, Some(Tier::Possible)) => {
                "possible: asks for confirmation (triage/unconfirmed)".into()
            }
            (None, None) => "not flagged".into(),
        };
        let name = if d.title == d.id {
            d.id.clone()
        } else {
            format!("{} ({})", d.id, d.title)
        };
        writeln!(out, "{name}: {:.2} — {verdict}", d.confidence)?;
        match &d.explanation {
            Some(e) => {
                writeln!(
                    out,
                    "  thresholds: possible {:.2}, strong {:.2}",
                    e.thresholds.possible, e.thresholds.strong
                )?;
                let mut z = e.bias;
                writeln!(out, "  {:<28} {:>8.3}", "bias", e.bias)?;
                for (f, w) in &e.features {
                    z += f.value * w;
                    writeln!(
                        out,
                        "  {:<28} {:>8.3}  ({:.3} × weight {:.3})",
                        f.name,
                        f.value * w,
                        f.value,
                        w
                    )?;
                }
                writeln!(
                    out,
                    "  {:<28} {:>8.3}  → confidence {:.2}",
                    "margin", z, e.confidence
                )?;
                writeln!(
                    out,
                    "  phrase score {:.2} (the phrase rules trigger at {:.2})",
                    d.phrase_score, d.phrase_threshold
                )?;
            }
            None => writeln!(
                out,
                "  phrase score {:.2}, triggers at {:.2} (phrase rules)",
                d.phrase_score, d.phrase_threshold
            )?,
        }
        for (text, line, column, weight) in &d.evidence {
            writeln!(
                out,
                "  evidence '{}' at {line}:{column} (weight {weight:.2})",
                clean(text)
            )?;
        }
    }
    Ok(Verdict::Clean)
}
