//! One backlog item as backlint understands it, with a span for every field a finding can
//! point at.

use std::ops::Range;
use std::sync::Arc;

use thin_vec::ThinVec;

use crate::source::{SourceId, Span};

use super::vocab::{Kind, Status};

/// A string value and where it is written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// How an item names another item.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum LinkKind {
    /// `spikes:`, `spike:`, `threat_analysis:` — the target must be a threat-analysis spike.
    Spike,
    /// `dependencies:`, `depends_on:`, `blocked_by:` — a spike link when the target is a spike.
    Dependency,
    /// A Markdown link in the body to another item's file.
    Body,
    /// On a spike: `precedes:`, `analyses:`, `for:` — the items it analyses.
    Reverse,
    /// `parent:`, `epic:`, `parent_task_id:`.
    Parent,
}

impl LinkKind {
    /// Links that order work: the target must be done first. Used for cycle detection.
    pub fn orders_work(self) -> bool {
        matches!(
            self,
            LinkKind::Spike | LinkKind::Dependency | LinkKind::Reverse
        )
    }
}

/// What a link names: an id, or a path relative to the repository root (with an optional
/// `#id` fragment for files that hold several items).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LinkTarget {
    Id(String),
    Path {
        path: String,
        fragment: Option<String>,
    },
    /// A relative path that climbs out of the repository; never resolved.
    OutsideRepository(String),
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    pub kind: LinkKind,
    pub target: LinkTarget,
    /// The value as written.
    pub raw: String,
    /// The field name that holds the link (`spikes`, `dependencies`, …) or `body`.
    pub field: String,
    pub at: Span,
}

/// Sprint or iteration: sorts numbers numerically and text naturally (`Sprint 9` < `Sprint 10`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sprint {
    pub raw: String,
    pub at: Span,
}

impl Sprint {
    pub fn sort_key(&self) -> Vec<SprintPart> {
        sprint_key(&self.raw)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SprintPart {
    Number(u128),
    Text(String),
}

pub fn sprint_key(raw: &str) -> Vec<SprintPart> {
    let mut parts = Vec::new();
    let mut digits = String::new();
    let mut text = String::new();
    for ch in raw.trim().chars() {
        if ch.is_ascii_digit() {
            if !text.is_empty() {
                parts.push(SprintPart::Text(std::mem::take(&mut text)));
            }
            digits.push(ch);
        } else {
            if !digits.is_empty() {
                parts.push(SprintPart::Number(digits.parse().unwrap_or(u128::MAX)));
                digits.clear();
            }
            text.extend(ch.to_lowercase());
        }
    }
    if !digits.is_empty() {
        parts.push(SprintPart::Number(digits.parse().unwrap_or(u128::MAX)));
    }
    if !text.is_empty() {
        parts.push(SprintPart::Text(text));
    }
    parts
}

/// `triage: {CATEGORY: false, reason: "…"}` (or `CATEGORY: true`: it applies).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TriageOverride {
    /// Categories declared not to apply, with the span of their key.
    pub disabled: Vec<Spanned<String>>,
    /// Categories declared to apply, with the span of their key.
    pub confirmed: Vec<Spanned<String>>,
    pub reason: Option<Spanned<String>>,
    pub at: Span,
}

/// `risk_acceptance: {decision, by, role, date, note}`; fields kept as written for validation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RiskAcceptance {
    pub decision: Option<Spanned<String>>,
    pub by: Option<Spanned<String>>,
    pub role: Option<Spanned<String>>,
    pub date: Option<Spanned<String>>,
    pub note: Option<Spanned<String>>,
    /// The `risk_acceptance` key.
    pub at: Span,
    /// Problems with the record's shape (not a mapping, unknown keys).
    pub shape_errors: Vec<Spanned<String>>,
}

/// `security_veto: {by, reason}`; `lifted:` (a date or `true`) ends it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Veto {
    pub by: Option<Spanned<String>>,
    pub reason: Option<Spanned<String>>,
    pub lifted: bool,
    pub at: Span,
}

/// One entry of a definition of done, and whether it is ticked (`- [x]`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DodEntry {
    pub text: String,
    pub checked: Option<bool>,
    pub at: Span,
}

/// A suppression written on the item (`backlint: {ignore: […]}` or a Markdown comment).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Suppression {
    pub rule: String,
    pub category: Option<String>,
    pub reason: Option<String>,
    pub until: Option<Spanned<String>>,
    pub at: Span,
}

/// The role of a piece of item text, which decides how much triage trusts it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum TextRole {
    Title,
    Description,
    Acceptance,
    /// How the work is planned (Implementation Plan, Approach).
    Plan,
    /// How the work went (Implementation Notes, Final Summary, Comments).
    Notes,
    /// References and file lists.
    References,
    /// The item's own definition of done: boilerplate, not what the item changes.
    DefinitionOfDone,
    /// Out of scope / non-goals: what the item explicitly does not change.
    OutOfScope,
}

/// A range of item text with its role. Code blocks and HTML are never part of a region.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TextRegion {
    pub role: TextRole,
    pub range: Range<usize>,
}

/// What a spike's Markdown body answers: its checklist entries and outcome text.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpikeAnswers {
    /// Unticked checklist entries (outside its definition of done).
    pub unticked: Vec<Span>,
    /// Ticked entries that are questions (end with `?`) with nothing written after them.
    pub unanswered: Vec<Span>,
    /// Whether a section such as "Outcome", "Findings" or "Implementation Notes" holds text
    /// beyond empty template prompts (`- Threats found:`).
    pub has_outcome_text: bool,
}

/// A backlog item. Its lists are `ThinVec`s made from full lists (no spare room; one word
/// each, and no allocation when empty, as most are): at 50,000 items, every byte of an item
/// is 50 KB.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Item {
    /// The id as written (or derived from the file stem).
    pub id: String,
    /// Whether the id was derived from the file name.
    pub id_derived: bool,
    /// Where the id value is written (`None` when derived).
    pub id_at: Option<Span>,
    pub source: SourceId,
    /// The file's path, shared with the `InputFile` it was read from (not cached: the item
    /// cache's key holds the path, and decoding an entry puts the file's own back).
    #[serde(skip)]
    pub path: Arc<str>,
    pub title: String,
    pub kind: Kind,
    pub status: Status,
    pub status_at: Option<Span>,
    pub labels: ThinVec<Spanned<String>>,
    pub sprint: Option<Box<Sprint>>,
    pub parent: Option<Box<Link>>,
    pub links: ThinVec<Link>,
    pub covers: Option<ThinVec<Spanned<String>>>,
    pub triage_override: Option<Box<TriageOverride>>,
    pub risk: ThinVec<RiskAcceptance>,
    pub veto: Option<Box<Veto>>,
    /// The item's own definition of done. Triage reads its entries' text; a check then keeps
    /// only [`Item::dod_copy_key`] (each entry's `text` is emptied), ticks and places.
    pub dod: ThinVec<DodEntry>,
    /// [`crate::model::dod::copy_key`] of the entries' text.
    pub dod_copy_key: u64,
    /// Where the item's own definition of done is (list key or section heading).
    pub dod_at: Option<Span>,
    pub suppressions: ThinVec<Suppression>,
    /// Items under Backlog.md's `archive/` resolve links but are not reported.
    pub archived: bool,
    /// Where a finding about the whole item points: the title, else the id, else the start.
    pub at: Span,
    /// Where the item starts (line of its id or first key), for output.
    pub start: Span,
    /// Other `key: scalar` fields, for field-value detectors (lower-cased key and value).
    pub extra_fields: ThinVec<(String, Spanned<String>)>,
    /// Text regions for triage, in file order.
    pub regions: ThinVec<TextRegion>,
    /// For a spike with a Markdown body: what it answers (`spike/unanswered`).
    pub answers: Option<Box<SpikeAnswers>>,
}

impl Item {
    /// Drops what only triage reads (text regions, detector field values, the text of its
    /// definition of done's entries) once the item is classified: the rules never look at
    /// them, and a backlog of 10,000 items holds them all. `backlint why` loads its one item
    /// again to show them.
    pub fn drop_triage_inputs(&mut self) {
        self.regions = ThinVec::new();
        self.extra_fields = ThinVec::new();
        for entry in &mut self.dod {
            entry.text = String::new();
        }
    }

    pub fn is_labelled(&self, label: &str) -> bool {
        self.labels
            .iter()
            .any(|l| l.value.eq_ignore_ascii_case(label))
    }

    /// A spike is an item of type spike, or labelled `spike`.
    pub fn is_spike(&self) -> bool {
        self.kind == Kind::Spike || self.is_labelled("spike")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sprints_sort_naturally() {
        assert!(sprint_key("Sprint 9") < sprint_key("Sprint 10"));
        assert!(sprint_key("3") < sprint_key("12"));
        assert!(sprint_key("2026-01") < sprint_key("2026-02"));
        assert_eq!(sprint_key("Sprint 7"), sprint_key("sprint 7"));
    }
}
