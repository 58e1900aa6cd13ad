//! The detectors of a checklist: phrases (one matcher over every phrase of every pack), label,
//! path and field tables, text-role weights, title dampeners, and the text signals other rules
//! use (deferred security, attacker stories, risk-acceptance entries, measurable criteria).
//!
//! [`Detectors::scan`] reads an item once and records every phrase match with where it stands;
//! classifiers and signal rules then work from that [`Scan`].

#![allow(
    clippy::indexing_slicing,
    reason = "byte indices are bounded by the loop conditions beside them (fuzzed: `check`, `markdown_item`)"
)]

use std::collections::BTreeMap;

use compact_str::CompactString;
use globset::GlobSet;

use super::lazy_regex::LazyRegex;
use super::matcher::PhraseMatcher;
use crate::model::{Item, TextRole};
use crate::source::{LineIndex, Span};

/// The text signals rules use besides the categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    /// "we'll do security later", "hardening sprint" (`debt/deferred-security`).
    DeferredSecurity,
    /// "As an attacker, I must not be able to …" (`story/attacker-story-missing`).
    AttackerStory,
}

impl Signal {
    pub const ALL: [(Signal, &'static str); 2] = [
        (Signal::DeferredSecurity, "deferred-security"),
        (Signal::AttackerStory, "attacker-story"),
    ];

    pub fn name(self) -> &'static str {
        Signal::ALL
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("", |(_, n)| n)
    }
}

/// Signal names that are matched on their own texts rather than in the combined pass.
pub const STANDALONE_SIGNALS: [&str; 2] = ["risk-acceptance", "measurable"];

/// What a phrase is evidence of.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    Category { category: usize, weight: f32 },
    Signal(Signal),
}

/// What kind of detector found a piece of evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EvidenceSource {
    Phrase,
    Label,
    Path,
    Field,
}

/// A piece of evidence: text that counted, where it is, and how much.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    /// The matched text as written (a phrase, a label, `path: …`, `field: value`). Kept in
    /// place when short (most are a word or two): a backlog of 50,000 items holds some 150,000
    /// pieces of evidence until its report is written.
    pub text: CompactString,
    pub span: Span,
    /// How much it counted.
    pub weight: f32,
    pub source: EvidenceSource,
}

/// Compiled detectors.
#[derive(Debug)]
pub struct Detectors {
    /// Every phrase as its own pattern of one multi-pattern matcher: a match says which phrase
    /// it is (leftmost-first: at one place the longer phrase, listed first, wins).
    /// Shared, so that its automaton can be built on a worker thread ahead of the first item
    /// (see [`super::Checklist::build_matcher_meanwhile`]).
    pub(crate) phrases: std::sync::Arc<PhraseMatcher>,
    /// Per phrase: what it is evidence of.
    pub(crate) targets: Vec<Vec<Target>>,
    /// `(normalised label, category, weight)`.
    pub(crate) labels: Vec<(String, usize, f32)>,
    pub(crate) paths: Option<(GlobSet, Vec<(usize, f32)>)>,
    /// `(lower-case field, normalised value, category, weight)`.
    pub(crate) fields: Vec<(String, String, usize, f32)>,
    pub(crate) role_weights: BTreeMap<TextRole, f32>,
    /// Compiled on first use (see [`LazyRegex`]).
    pub(crate) dampeners: Vec<(LazyRegex, f32)>,
    /// Compiled on first use (see [`LazyRegex`]).
    pub(crate) risk_acceptance: Option<LazyRegex>,
    pub(crate) measurable: Option<LazyRegex>,
}

/// One phrase found in an item's text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhraseHit {
    /// Index of the phrase (into the detectors' targets).
    pub phrase: usize,
    pub start: usize,
    pub end: usize,
    pub role: TextRole,
    /// How much text of this role counts.
    pub role_weight: f32,
    /// How much the token around the match lets it count (a path or URL almost nothing).
    pub context: f32,
}

/// What one read of an item found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scan {
    /// Phrase matches that are evidence of a category, in text order.
    pub hits: Vec<PhraseHit>,
    /// The strongest title dampener that applies (1.0 when none).
    pub dampening: f32,
    pub deferred_security: Vec<Evidence>,
    pub attacker_story: Option<Evidence>,
}

impl Detectors {
    /// Reads `item` (whose text is `index.text()`) once: every phrase match in its text
    /// regions, and the text signals.
    pub fn scan(&self, item: &Item, index: &LineIndex<'_>) -> Scan {
        let text = index.text();
        let mut scan = Scan {
            dampening: self.dampening(item, text),
            ..Scan::default()
        };
        let mut searcher = self.phrases.searcher();
        for region in &item.regions {
            let role_weight = self.role_weights.get(&region.role).copied().unwrap_or(1.0);
            if role_weight <= 0.0 {
                continue;
            }
            for found in searcher.find_in(text.as_bytes(), region.range.clone()) {
                let (phrase, start, end) = (found.pattern, found.start, found.end);
                let Some(targets) = self.targets.get(phrase) else {
                    continue;
                };
                let context = token_factor(text, start, end);
                let mut category = false;
                for target in targets {
                    match *target {
                        Target::Category { .. } => category = true,
                        Target::Signal(signal) => {
                            if context < 1.0 || region.role == TextRole::Notes {
                                continue;
                            }
                            let evidence = Evidence {
                                text: CompactString::from_utf8_lossy(&text.as_bytes()[start..end]),
                                span: index.span(start..end),
                                weight: 1.0,
                                source: EvidenceSource::Phrase,
                            };
                            match signal {
                                Signal::DeferredSecurity => scan.deferred_security.push(evidence),
                                Signal::AttackerStory => {
                                    if matches!(
                                        region.role,
                                        TextRole::Title | TextRole::Description
                                    ) && scan.attacker_story.is_none()
                                    {
                                        scan.attacker_story = Some(evidence);
                                    }
                                }
                            }
                        }
                    }
                }
                if category {
                    scan.hits.push(PhraseHit {
                        phrase,
                        start,
                        end,
                        role: region.role,
                        role_weight,
                        context,
                    });
                }
            }
        }
        scan
    }

    /// What phrase `phrase` is evidence of.
    pub fn targets_of(&self, phrase: usize) -> &[Target] {
        self.targets.get(phrase).map_or(&[], Vec::as_slice)
    }

    /// The number of phrases.
    pub fn phrase_count(&self) -> usize {
        self.targets.len()
    }

    /// The strongest title dampener that applies (1.0 when none).
    fn dampening(&self, item: &Item, text: &str) -> f32 {
        let title = item
            .regions
            .iter()
            .find(|r| r.role == TextRole::Title)
            .map_or(item.title.as_str(), |r| &text[r.range.clone()]);
        self.dampeners
            .iter()
            .filter(|(re, _)| re.get().is_some_and(|re| re.is_match(title)))
            .map(|(_, factor)| *factor)
            .fold(1.0, f32::min)
    }

    /// For items labelled non-functional: the first measurable criterion, if any.
    pub fn find_measurable(&self, item: &Item, index: &LineIndex<'_>) -> Option<Evidence> {
        let text = index.text();
        item.regions
            .iter()
            .filter(|r| r.role != TextRole::OutOfScope)
            .find_map(|r| {
                let m = self.measurable_criterion(&text[r.range.clone()])?;
                let start = r.range.start + m.start();
                Some(Evidence {
                    text: CompactString::from(m.as_str()),
                    span: index.span(start..start + m.len()),
                    weight: 1.0,
                    source: EvidenceSource::Phrase,
                })
            })
    }

    /// The (lower-case) item fields that field detectors look at.
    pub fn detector_fields(&self) -> Vec<String> {
        let mut names: Vec<String> = self.fields.iter().map(|(f, ..)| f.clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Whether `text` is a residual-risk acceptance entry of a definition of done.
    pub fn is_risk_acceptance_entry(&self, text: &str) -> bool {
        self.risk_acceptance
            .as_ref()
            .and_then(LazyRegex::get)
            .is_some_and(|re| re.is_match(text))
    }

    /// The first measurable pass criterion in `text` (a number with a unit, a percentage).
    pub fn measurable_criterion<'t>(&self, text: &'t str) -> Option<regex::Match<'t>> {
        self.measurable
            .as_ref()
            .and_then(LazyRegex::get)
            .and_then(|re| re.find(text))
    }
}

/// How much a match counts given the token around it: inside a path or URL almost nothing
/// (a file name is a passing mention), inside a snake_case or dotted code identifier half.
pub fn token_factor(text: &str, start: usize, end: usize) -> f32 {
    const LIMIT: usize = 160;
    let bytes = text.as_bytes();
    let mut left = start;
    while left > 0 && start - left < LIMIT && !bytes[left - 1].is_ascii_whitespace() {
        left -= 1;
    }
    let mut right = end;
    while right < bytes.len() && right - end < LIMIT && !bytes[right].is_ascii_whitespace() {
        right += 1;
    }
    let is_edge = |b: u8| {
        matches!(
            b,
            b'(' | b')'
                | b'['
                | b']'
                | b'"'
                | b'\''
                | b'`'
                | b','
                | b';'
                | b':'
                | b'.'
                | b'!'
                | b'?'
                | b'*'
                | b'<'
                | b'>'
        )
    };
    while left < start && is_edge(bytes[left]) {
        left += 1;
    }
    while right > end && is_edge(bytes[right - 1]) {
        right -= 1;
    }
    let token = &bytes[left..right];
    if token.iter().any(|b| *b == b'/' || *b == b'\\') {
        return 0.1;
    }
    if let Some(dot) = token.iter().rposition(|b| *b == b'.') {
        if dot > 0 && has_file_extension(&token[dot + 1..]) {
            return 0.1;
        }
    }
    if token.contains(&b'_') {
        return 0.5;
    }
    let before_dot =
        start >= 2 && bytes[start - 1] == b'.' && bytes[start - 2].is_ascii_alphanumeric();
    let after_dot =
        end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_alphanumeric();
    if before_dot || after_dot {
        return 0.5;
    }
    1.0
}

fn has_file_extension(ext: &[u8]) -> bool {
    const EXTENSIONS: &[&str] = &[
        "py", "rs", "ts", "tsx", "js", "jsx", "go", "rb", "java", "kt", "cs", "php", "sh", "sql",
        "md", "yaml", "yml", "json", "toml", "ini", "cfg", "conf", "txt", "log", "html", "css",
        "scss", "vue", "svelte", "swift", "c", "h", "cpp", "hpp", "tf", "lock", "env", "xml",
        "proto", "graphql", "ex", "exs",
    ];
    ext.len() <= 7
        && EXTENSIONS
            .iter()
            .any(|e| e.as_bytes().eq_ignore_ascii_case(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_context() {
        let text = "see app/auth/session.py and logging.py and logger.info and the session";
        let at = |w: &str| text.find(w).unwrap_or_default();
        assert_eq!(token_factor(text, at("auth"), at("auth") + 4), 0.1);
        assert_eq!(token_factor(text, at("logging"), at("logging") + 7), 0.1);
        assert_eq!(token_factor(text, at("logger"), at("logger") + 6), 0.5);
        let s = text.rfind("session").unwrap_or_default();
        assert_eq!(token_factor(text, s, s + 7), 1.0);
    }
}
