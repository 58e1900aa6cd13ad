//! Markdown bodies: which section plays which role for triage (description, acceptance
//! criteria, notes…), the item's own definition of done, and list-entry text.

#![allow(
    clippy::indexing_slicing,
    reason = "keyword group indices come from the automaton built over the same table"
)]

use std::ops::Range;

use crate::parse::markdown::MarkdownBody;
use crate::source::{LineIndex, Span};

use super::super::item::{DodEntry, SpikeAnswers, TextRegion, TextRole};

/// The headings Backlog.md and most templates use.
const COMMON_HEADINGS: &[(&str, TextRole)] = &[
    ("Description", TextRole::Description),
    ("Acceptance Criteria", TextRole::Acceptance),
    ("Definition of Done", TextRole::DefinitionOfDone),
    ("Implementation Plan", TextRole::Plan),
    ("Implementation Notes", TextRole::Notes),
    ("Final Summary", TextRole::Notes),
    ("Comments", TextRole::Notes),
    ("Notes", TextRole::Notes),
];

/// Keywords that give a heading its role, by group: the first group with a keyword anywhere
/// in the heading wins ("Acceptance notes" is acceptance, not notes).
const HEADING_KEYWORDS: &[(TextRole, &[&str])] = &[
    (
        TextRole::DefinitionOfDone,
        &["definition of done", "definition-of-done"],
    ),
    (
        TextRole::OutOfScope,
        &[
            "out of scope",
            "out-of-scope",
            "non-goal",
            "non goal",
            "not in scope",
        ],
    ),
    (
        TextRole::Acceptance,
        &["acceptance", "success criteria", "done when", "criteria"],
    ),
    (
        TextRole::Notes,
        &[
            "implementation notes",
            "final summary",
            "notes",
            "comments",
            "progress",
            "worklog",
            "work log",
            "history",
            "changelog",
            "outcome",
            "result",
            "retrospective",
            "resolution",
            "status update",
            "follow-up",
            "follow up",
        ],
    ),
    (
        TextRole::Plan,
        &[
            "implementation plan",
            "plan",
            "approach",
            "steps",
            "implementation",
            "design",
            "technical",
            "subtasks",
            "how to",
            "testing",
            "verification",
        ],
    ),
    (
        TextRole::References,
        &[
            "references",
            "links",
            "related",
            "see also",
            "files",
            "resources",
            "sources",
            "dependencies",
        ],
    ),
    (
        TextRole::Description,
        &[
            "description",
            "summary",
            "context",
            "problem",
            "goal",
            "overview",
            "background",
            "story",
            "scope",
            "requirement",
            "why",
            "what",
            "finding",
        ],
    ),
];

/// For each keyword of the flattened [`HEADING_KEYWORDS`], its group.
static KEYWORD_GROUPS_INDEX: std::sync::LazyLock<Vec<usize>> = std::sync::LazyLock::new(|| {
    HEADING_KEYWORDS
        .iter()
        .enumerate()
        .flat_map(|(group, (_, words))| words.iter().map(move |_| group))
        .collect()
});

/// One automaton over every heading keyword, ASCII case-insensitive (`None` only if it could
/// not be built, which fixed keywords never cause; then the keywords are searched one by one).
fn heading_keywords() -> Option<&'static aho_corasick::AhoCorasick> {
    static AUTOMATON: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    AUTOMATON
        .get_or_init(|| {
            let words = HEADING_KEYWORDS.iter().flat_map(|(_, words)| words.iter());
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(words)
                .ok()
        })
        .as_ref()
}

/// Classifies a heading by its text; `None` keeps the role of the enclosing section.
pub fn heading_role(heading: &str) -> Option<TextRole> {
    // The headings Backlog.md and most templates use, without allocating.
    let trimmed = heading.trim().trim_end_matches(':');
    for (name, role) in COMMON_HEADINGS {
        if trimmed.eq_ignore_ascii_case(name) {
            return Some(*role);
        }
    }
    if trimmed.eq_ignore_ascii_case("dod") {
        return Some(TextRole::DefinitionOfDone);
    }
    // The first group with a keyword anywhere in the heading wins.
    let group = match heading_keywords() {
        Some(automaton) => automaton
            .find_overlapping_iter(trimmed)
            .filter_map(|m| KEYWORD_GROUPS_INDEX.get(m.pattern().as_usize()).copied())
            .min(),
        None => {
            let lower = trimmed.to_ascii_lowercase();
            HEADING_KEYWORDS
                .iter()
                .position(|(_, words)| words.iter().any(|w| lower.contains(w)))
        }
    };
    group.map(|group| HEADING_KEYWORDS[group].0)
}

/// Splits a Markdown body into role-tagged regions, leaving out code blocks and HTML.
pub(super) fn body_regions(text: &str, body: &MarkdownBody, out: &mut Vec<TextRegion>) {
    let mut sections: Vec<(TextRole, Range<usize>)> = Vec::new();
    let first = body
        .headings
        .first()
        .map_or(body.range.end, |h| h.range.start);
    if first > body.range.start {
        sections.push((TextRole::Description, body.range.start..first));
    }
    let mut stack: Vec<(u8, TextRole)> = Vec::new();
    for heading in &body.headings {
        while stack
            .last()
            .is_some_and(|(level, _)| *level >= heading.level)
        {
            stack.pop();
        }
        let role = heading_role(&heading.text)
            .or_else(|| stack.last().map(|(_, role)| *role))
            .unwrap_or(TextRole::Description);
        stack.push((heading.level, role));
        sections.push((role, heading.range.start..heading.content.end));
    }
    let mut holes: Vec<Range<usize>> = body
        .code_blocks
        .iter()
        .chain(body.html.iter())
        .cloned()
        .collect();
    holes.sort_by_key(|r| r.start);
    for (role, range) in sections {
        let mut cursor = range.start;
        for hole in holes
            .iter()
            .filter(|h| h.end > range.start && h.start < range.end)
        {
            if hole.start > cursor {
                push_region(text, out, role, cursor..hole.start);
            }
            cursor = cursor.max(hole.end);
        }
        if cursor < range.end {
            push_region(text, out, role, cursor..range.end);
        }
    }
}

fn push_region(text: &str, out: &mut Vec<TextRegion>, role: TextRole, range: Range<usize>) {
    if text[range.clone()].trim().is_empty() {
        return;
    }
    out.push(TextRegion { role, range });
}

/// The body's `## Definition of Done` heading (the first), if any.
fn dod_heading(body: &MarkdownBody) -> Option<&crate::parse::markdown::Heading> {
    body.headings
        .iter()
        .find(|h| heading_role(&h.text) == Some(TextRole::DefinitionOfDone))
}

/// The item's own `## Definition of Done` section, as entries.
pub(super) fn body_dod(
    text: &str,
    body: &MarkdownBody,
    index: &LineIndex<'_>,
) -> Option<(Vec<DodEntry>, Span)> {
    let heading = dod_heading(body)?;
    let section = heading.content.clone();
    let entries = body
        .list_entries
        .iter()
        .filter(|e| e.range.start >= section.start && e.range.end <= section.end)
        .map(|e| DodEntry {
            text: list_entry_text(&text[e.range.clone()]),
            checked: e.task,
            at: index.span(trim_range(text, e.range.clone())),
        })
        .collect();
    Some((entries, index.span(heading.range.clone())))
}

/// Headings of the sections where a spike's answers are written.
const OUTCOME_HEADINGS: &[&str] = &[
    "outcome",
    "findings",
    "results",
    "answers",
    "conclusion",
    "conclusions",
    "decision",
    "threats",
    "mitigations",
    "residual risk",
    "final summary",
    "implementation notes",
    "notes",
    "summary",
];

/// What a spike's body answers: its unticked entries, its ticked questions with nothing after
/// them, and whether an outcome section holds real text.
pub(super) fn spike_answers(
    text: &str,
    body: &MarkdownBody,
    index: &LineIndex<'_>,
) -> SpikeAnswers {
    let dod = dod_heading(body).map(|h| h.content.clone());
    let in_dod = |r: &Range<usize>| {
        dod.as_ref()
            .is_some_and(|d| r.start >= d.start && r.end <= d.end)
    };
    let mut answers = SpikeAnswers::default();
    for entry in &body.list_entries {
        let Some(checked) = entry.task else { continue };
        if in_dod(&entry.range) {
            continue;
        }
        let span = index.span(trim_range(text, entry.range.clone()));
        let entry_text = list_entry_text(&text[entry.range.clone()]);
        if !checked {
            answers.unticked.push(span);
        } else if entry_text.trim_end().ends_with('?') {
            answers.unanswered.push(span);
        }
    }
    answers.has_outcome_text = body.headings.iter().any(|h| {
        let name = h.text.trim().trim_end_matches(':').to_ascii_lowercase();
        OUTCOME_HEADINGS
            .iter()
            .any(|o| name == *o || name.starts_with(&format!("{o} ")))
            && text[h.content.clone()].lines().any(|line| {
                let line = line.trim();
                let line = line
                    .trim_start_matches(['-', '*', '+'])
                    .trim_start()
                    .trim_start_matches("[ ]")
                    .trim_start_matches("[x]")
                    .trim();
                !line.is_empty()
                    && !line.ends_with(':')
                    && !line.starts_with("<!--")
                    && !line.starts_with('#')
            })
    });
    answers
}

/// The text of a list entry without its marker, checkbox and Backlog.md `#n` number.
pub fn list_entry_text(raw: &str) -> String {
    let mut t = raw.trim();
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = t.strip_prefix(marker) {
            t = rest.trim_start();
            break;
        }
    }
    if let Some(dot) = t.find(['.', ')']) {
        if dot > 0 && dot < 4 && t[..dot].chars().all(|c| c.is_ascii_digit()) {
            t = t[dot + 1..].trim_start();
        }
    }
    for box_ in ["[x]", "[X]", "[ ]"] {
        if let Some(rest) = t.strip_prefix(box_) {
            t = rest.trim_start();
        }
    }
    if let Some(rest) = t.strip_prefix('#') {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            t = rest[digits..].trim_start();
        }
    }
    crate::source::one_line(t)
}

fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.start + slice.trim_end().len();
    start..end.max(start)
}
