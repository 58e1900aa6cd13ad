//! `--format json`: the machine-readable report, schema version 1 (SPEC §5). Every parsed item
//! appears in `items` with its categories and evidence, triggered or not.

#![allow(
    clippy::indexing_slicing,
    reason = "item and category indices come from the outcome of the same run"
)]

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{Finding, Summary};
use crate::model::id_key;
use crate::triage::{CategoryMatch, Tier};

/// A confidence with three decimals (stable output, no float noise).
fn rounded(confidence: f32) -> f64 {
    (f64::from(confidence) * 1000.0).round() / 1000.0
}
use crate::outcome::{CheckOutcome, finding_path};

/// The report's schema version (SPEC §5).
pub const SCHEMA_VERSION: u32 = 1;

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
    pub help: Cow<'a, str>,
    pub categories: &'a [String],
    pub fingerprint: &'a str,
}

/// Builds the whole report model (the tests read it as a value; [`write`] builds the same
/// entries a window at a time).
pub fn report(outcome: &CheckOutcome) -> JsonReport<'_> {
    JsonReport {
        version: SCHEMA_VERSION,
        summary: outcome.summary,
        items: (0..outcome.backlog.items.len())
            .map(|idx| json_item(outcome, idx))
            .collect(),
        findings: outcome
            .findings
            .iter()
            .map(|f| json_finding(outcome, f))
            .collect(),
    }
}

/// Item `idx` of the outcome's backlog, as the report shows it.
fn json_item(outcome: &CheckOutcome, idx: usize) -> JsonItem<'_> {
    let backlog = &outcome.backlog;
    let item = &backlog.items[idx];
    let categories = outcome
        .triage
        .get(idx)
        .map(|t| {
            let mut all: Vec<&CategoryMatch> = t.categories.iter().chain(&t.possible).collect();
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
}

/// One finding, as the report shows it.
fn json_finding<'a>(outcome: &'a CheckOutcome, f: &'a Finding) -> JsonFinding<'a> {
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
        help: f.help_text(),
        categories: &f.categories,
        fingerprint: &f.fingerprint,
    }
}

/// Writes the report as one line of JSON: the same bytes as serialising [`report`]. Items and
/// findings are built and serialised in parallel a window at a time, and written in order, so
/// neither the report model nor its text is ever held whole.
pub fn write(out: &mut dyn Write, outcome: &CheckOutcome) -> io::Result<()> {
    write!(out, "{{\"version\":{SCHEMA_VERSION},\"summary\":")?;
    serde_json::to_writer(&mut *out, &outcome.summary).map_err(io::Error::other)?;
    out.write_all(b",\"items\":")?;
    write_array(out, outcome.backlog.items.len(), |idx| {
        json_item(outcome, idx)
    })?;
    out.write_all(b",\"findings\":")?;
    write_array(out, outcome.findings.len(), |n| {
        json_finding(outcome, &outcome.findings[n])
    })?;
    out.write_all(b"}\n")
}

/// Writes the `len` values `value(0)`, `value(1)`, … as a JSON array, each built and
/// serialised in parallel a window at a time (so at most a window's values and text are held).
fn write_array<T: Serialize>(
    out: &mut dyn Write,
    len: usize,
    value: impl Fn(usize) -> T + Sync,
) -> io::Result<()> {
    use rayon::prelude::*;
    const CHUNK: usize = 256;
    const WINDOW: usize = CHUNK * 4;
    out.write_all(b"[")?;
    for window in (0..len).step_by(WINDOW) {
        let chunks: Vec<io::Result<Vec<u8>>> = (window..len.min(window + WINDOW))
            .into_par_iter()
            .step_by(CHUNK)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(CHUNK * 256);
                for n in chunk..len.min(chunk + CHUNK) {
                    if n > 0 {
                        buf.push(b',');
                    }
                    serde_json::to_writer(&mut buf, &value(n)).map_err(io::Error::other)?;
                }
                Ok(buf)
            })
            .collect();
        for chunk in chunks {
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
        for n in [0, 1, 255, 256, 257, 1023, 1024, 1025, 2049, 10_000] {
            let values: Vec<(usize, String)> = (0..n).map(|i| (i, format!("v{i}"))).collect();
            let mut out = Vec::new();
            write_array(&mut out, values.len(), |i| &values[i]).unwrap_or_else(|e| panic!("{e}"));
            let expected = serde_json::to_vec(&values).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(out, expected, "{n} values");
        }
    }
}
