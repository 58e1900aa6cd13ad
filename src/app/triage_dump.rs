//! `backlint triage dump` (hidden): labelled items as JSON Lines with their text regions, phrase
//! hits and labels, for studying the triage model outside the tool; a last line lists the
//! labels whose item was not found.

#![allow(
    clippy::indexing_slicing,
    reason = "category indices come from the compiled checklist"
)]

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::labels::{load_items, read_labels};
use super::{AppError, Verdict, phrase_rules_for};
use crate::config::Config;
use crate::source::LineIndex;
use crate::triage::detect::Target;

/// Writes one JSON object per labelled item.
pub fn dump(labels: &[PathBuf], corpus: &Path, out: &mut dyn Write) -> Result<Verdict, AppError> {
    let lines = read_labels(labels)?;
    let (items, missing) = load_items(lines, corpus)?;
    let checklist = phrase_rules_for(&Config::default())?.0;
    let ids = checklist.catalogue.ids();
    for labelled in &items {
        let index = LineIndex::new(labelled.item.source, &labelled.text);
        let item = &labelled.item;
        let scan = checklist.detectors.scan(item, &index);
        let triage = checklist.classify_with(item, &index, true);
        let regions: Vec<_> = item
            .regions
            .iter()
            .map(|r| json!([format!("{:?}", r.role), &labelled.text[r.range.clone()]]))
            .collect();
        let hits: Vec<_> = scan
            .hits
            .iter()
            .map(|h| {
                let targets: Vec<_> = checklist
                    .detectors
                    .targets_of(h.phrase)
                    .iter()
                    .filter_map(|t| match t {
                        Target::Category { category, weight } => {
                            Some(json!([ids[*category], weight]))
                        }
                        Target::Signal(_) => None,
                    })
                    .collect();
                let text = &labelled.text;
                let region = item
                    .regions
                    .iter()
                    .find(|r| r.range.start <= h.start && h.end <= r.range.end)
                    .map_or(h.start..h.end, |r| r.range.clone());
                let mut left = h.start.saturating_sub(80).max(region.start);
                while !text.is_char_boundary(left) {
                    left += 1;
                }
                let mut right = (h.end + 80).min(region.end);
                while !text.is_char_boundary(right) {
                    right -= 1;
                }
                json!({
                    "left": &text[left..h.start],
                    "right": &text[h.end..right],
                    "offset": h.start - region.start,
                    "phrase": h.phrase,
                    "text": &labelled.text[h.start..h.end],
                    "role": format!("{:?}", h.role),
                    "context": h.context,
                    "targets": targets,
                })
            })
            .collect();
        let scores: serde_json::Map<String, serde_json::Value> = triage
            .categories
            .iter()
            .map(|c| (ids[c.category].clone(), json!(c.score)))
            .collect();
        let record = json!({
            "backlog": labelled.backlog,
            "file": labelled.label.file,
            "id": labelled.label.id,
            "must": labelled.label.must,
            "allowed": labelled.label.allowed,
            "kind": item.kind.name(),
            "status": item.status.name(),
            "archived": item.archived,
            "labels": item.labels.iter().map(|l| l.value.clone()).collect::<Vec<_>>(),
            "title": item.title,
            "regions": regions,
            "hits": hits,
            "dampening": scan.dampening,
            "scores": scores,
        });
        writeln!(out, "{record}")?;
    }
    if !missing.is_empty() {
        writeln!(out, "{}", json!({ "missing": missing }))?;
    }
    Ok(if missing.is_empty() {
        Verdict::Clean
    } else {
        Verdict::Failed
    })
}
