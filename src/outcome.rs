//! What a check produced, as output formats, baselines, the change scope and `--fix` consume
//! it: the backlog, each item's triage, the findings in their final order and severities, and
//! the summary (counted once, by the engine).

use std::time::Duration;

use crate::diagnostic::{Finding, Summary};
use crate::model::{Backlog, FileRole};
use crate::source::SourceMap;
use crate::triage::TriageTable;

/// The result of one check.
#[derive(Debug)]
pub struct CheckOutcome {
    pub sources: SourceMap,
    /// How each source was read, indexed like `sources`.
    pub roles: Vec<FileRole>,
    pub backlog: Backlog,
    /// Parallel to `backlog.items`.
    pub triage: TriageTable,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Category ids of the checklist, indexed like `CategoryMatch::category`.
    pub category_ids: Vec<String>,
    /// Where the time went (`--timings`).
    pub timings: Timings,
}

/// Time per phase of a run, and what the item cache did.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub phases: Vec<(String, Duration)>,
    pub cache_hits: usize,
    /// Of the hits: files read (and hashed) to learn their content, their stamp unknown.
    pub cache_hits_read: usize,
    pub cache_misses: usize,
    /// What the item cache did that a user may want to know (`--verbose`).
    pub notes: Vec<String>,
}

impl Timings {
    pub fn add(&mut self, phase: impl Into<String>, time: Duration) {
        self.phases.push((phase.into(), time));
    }
}

impl CheckOutcome {
    /// The file a finding is about.
    pub fn finding_path(&self, finding: &Finding) -> String {
        finding_path(finding, &self.sources)
    }

    /// How the file of an item was read.
    pub fn role_of(&self, item: usize) -> Option<&FileRole> {
        let source = self.backlog.items.get(item)?.source;
        self.roles.get(source.0 as usize)
    }
}

/// The file a finding is about: where its span is, else the file it names.
pub fn finding_path(finding: &Finding, sources: &SourceMap) -> String {
    finding_path_str(finding, sources).to_string()
}

/// Like [`finding_path`], without allocating.
pub fn finding_path_str<'a>(finding: &'a Finding, sources: &'a SourceMap) -> &'a str {
    match (&finding.span, &finding.file) {
        (Some(span), _) => sources.path(span.source),
        (None, Some(file)) => file,
        (None, None) => "",
    }
}
