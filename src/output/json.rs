//! `--format json`: the machine-readable report, schema version 1 (SPEC §5). Every parsed item
//! appears in `items` with its categories and evidence, triggered or not.

#![allow(
    clippy::indexing_slicing,
    reason = "item and category indices come from the outcome of the same run"
)]

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::Summary;
use crate::model::id_key;
use crate::triage::{CategoryMatch, Tier};

/// A confidence with three decimals (stable output, no float noise).
fn rounded(confidence: f32) -> f64 {
    (f64::from(confidence) * 1000.0).round() / 1000.0
}
use crate::outcome::{CheckOutcome, finding_path};

#[derive(Serialize)]
pub struct JsonReport<'a> {
    pub version: u32,
    pub summary: Summary,
    pub items: Vec<JsonItem<'a>>,
    pub findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
pub struct JsonItem<'a> {
    pub id: &'a str,
    pub file: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub status: &'a str,
    pub categories: Vec<JsonCategory<'a>>,
    pub spikes: Vec<&'a str>,
}

#[derive(Serialize)]
pub struct JsonCategory<'a> {
    pub category: &'a str,
    /// `strong` (triggered) or `possible` (asks for confirmation).
    pub tier: &'a str,
    /// The classifier's confidence, in [0, 1].
    pub confidence: f64,
    pub evidence: Vec<JsonEvidence<'a>>,
}

#[derive(Serialize)]
pub struct JsonEvidence<'a> {
    pub text: &'a str,
    pub line: u32,
    pub column: u32,
}

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub rule: &'a str,
    pub severity: &'a str,
    pub item: Option<&'a str>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub end_line: Option<u32>,
    pub end_column: Option<u32>,
    pub message: &'a str,
    pub help: &'a str,
    pub categories: &'a [String],
    pub fingerprint: &'a str,
}

/// Builds the report model (also used by other formats that want the same view).
pub fn report(outcome: &CheckOutcome) -> JsonReport<'_> {
    let backlog = &outcome.backlog;
    let items = backlog
        .items
        .iter()
        .enumerate()
        .map(|(idx, item)| {
            let triage = outcome.triage.get(idx);
            let categories = triage
                .map(|t| {
                    let mut all: Vec<&CategoryMatch> =
                        t.categories.iter().chain(&t.possible).collect();
                    all.sort_by_key(|c| c.category);
                    all.into_iter()
                        .map(|c| JsonCategory {
                            category: &outcome.category_ids[c.category],
                            tier: c.tier.unwrap_or(Tier::Possible).name(),
                            confidence: rounded(c.confidence),
                            evidence: c
                                .evidence
                                .iter()
                                .map(|e| JsonEvidence {
                                    text: &e.text,
                                    line: e.span.begin.line,
                                    column: e.span.begin.column,
                                })
                                .collect(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut spikes: Vec<&str> = backlog
                .threat_spikes(idx)
                .into_iter()
                .map(|(s, _)| backlog.items[s].id.as_str())
                .collect();
            spikes.sort_by_key(|s| id_key(s));
            JsonItem {
                id: &item.id,
                file: &item.path,
                kind: item.kind.name(),
                status: item.status.name(),
                categories,
                spikes,
            }
        })
        .collect();
    let findings = outcome
        .findings
        .iter()
        .map(|f| {
            let file = finding_path(f, &outcome.sources);
            JsonFinding {
                rule: f.rule.as_str(),
                severity: f.severity.name(),
                item: f.item.as_deref(),
                file: Some(file).filter(|p| !p.is_empty()),
                line: f.span.map(|s| s.begin.line),
                column: f.span.map(|s| s.begin.column),
                end_line: f.span.map(|s| s.finish.line),
                end_column: f.span.map(|s| s.finish.column),
                message: &f.message,
                help: &f.help,
                categories: &f.categories,
                fingerprint: &f.fingerprint,
            }
        })
        .collect();
    JsonReport {
        version: 1,
        summary: outcome.summary,
        items,
        findings,
    }
}

/// Writes the report as one line of JSON. Items and findings are serialised in parallel, in
/// chunks, and written in order: the same bytes as serialising the whole report at once.
pub fn write(out: &mut dyn Write, outcome: &CheckOutcome) -> io::Result<()> {
    let report = report(outcome);
    write!(out, "{{\"version\":{},\"summary\":", report.version)?;
    serde_json::to_writer(&mut *out, &report.summary).map_err(io::Error::other)?;
    out.write_all(b",\"items\":")?;
    write_array(out, &report.items)?;
    out.write_all(b",\"findings\":")?;
    write_array(out, &report.findings)?;
    out.write_all(b"}\n")
}

/// Writes `values` as a JSON array, serialised in parallel a window at a time (so at most a
/// window's text is held, not the whole report's).
fn write_array<T: Serialize + Sync>(out: &mut dyn Write, values: &[T]) -> io::Result<()> {
    use rayon::prelude::*;
    const CHUNK: usize = 256;
    const WINDOW: usize = CHUNK * 16;
    out.write_all(b"[")?;
    for (w, window) in values.chunks(WINDOW).enumerate() {
        let chunks: Vec<io::Result<Vec<u8>>> = window
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 256);
                for (i, value) in chunk.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    serde_json::to_writer(&mut buf, value).map_err(io::Error::other)?;
                }
                Ok(buf)
            })
            .collect();
        for (i, chunk) in chunks.into_iter().enumerate() {
            if w > 0 || i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(&chunk?)?;
        }
    }
    out.write_all(b"]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_longer_than_a_window_are_written_whole_and_in_order() {
        for n in [0, 1, 255, 256, 257, 4095, 4096, 4097, 10_000] {
            let values: Vec<(usize, String)> = (0..n).map(|i| (i, format!("v{i}"))).collect();
            let mut out = Vec::new();
            write_array(&mut out, &values).unwrap_or_else(|e| panic!("{e}"));
            let expected = serde_json::to_vec(&values).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(out, expected, "{n} values");
        }
    }
}
