//! Team definitions of done: a Markdown or YAML document (`definition-of-done.md`, `DoD.md`,
//! `dod.yaml`, …), Backlog.md's `definition_of_done` list, a top-level list in a YAML backlog,
//! or an inline list in backlint.yaml. Entries come from bullet, numbered and task lists,
//! headings, and YAML lists.

use crate::parse::frontmatter::{self, Split};
use crate::parse::markdown;
use crate::parse::yaml::{self, YamlNode, YamlValue};
use crate::source::{LineIndex, SourceId, Span};

use super::item::DodEntry;
use super::load::{ParseFailure, dod_entries_from_yaml, list_entry_text};

/// Where a team definition of done was found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DodOrigin {
    /// A document of its own.
    File,
    /// `definition_of_done:` in Backlog.md's `backlog/config.yml`.
    BacklogMdConfig,
    /// A top-level `definition_of_done:` list in a YAML backlog file.
    BacklogFile,
    /// `definition_of_done:` in backlint.yaml.
    Config,
}

/// A team's definition of done.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TeamDod {
    pub path: String,
    pub source: Option<SourceId>,
    pub origin: DodOrigin,
    pub entries: Vec<DodEntry>,
    /// Where a finding about the whole document points (its first heading or key).
    pub at: Option<Span>,
    /// The residual-risk acceptance entry, once triage has looked (index into `entries`).
    pub risk_entry: Option<usize>,
}

/// What an item's definition of done is a copy of, when it copies a team's (Backlog.md copies
/// `definition_of_done` from `config.yml` into every new task): the same entries, in any
/// order, ticked or not, compared without case, runs of spaces or a final full stop. Two lists
/// of entries with the same key are copies of each other. Kept for every item instead of its
/// entries' text, which only triage reads.
pub fn copy_key<'a>(entries: impl IntoIterator<Item = &'a str>) -> u64 {
    use sha2::{Digest, Sha256};
    let mut texts: Vec<String> = entries.into_iter().map(normalized).collect();
    texts.sort_unstable();
    // SHA-256, not a fast hash: the key is kept in the item cache for later runs, and an item
    // written to pass for a copy of the team's document must not find one.
    let mut hasher = Sha256::new();
    for text in &texts {
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
    u64::from_le_bytes(first)
}

/// An entry's text as copies are compared.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches('.')
        .to_lowercase()
}

/// Reads a Markdown definition of done: every list entry and every heading is an entry.
pub fn load_markdown(index: &LineIndex<'_>, path: &str) -> TeamDod {
    let text = index.text();
    let body_start = match frontmatter::split(text) {
        Split::Found(fm) => fm.body.start,
        _ => 0,
    };
    let body = markdown::parse(text, body_start..text.len());
    let mut entries: Vec<DodEntry> = Vec::new();
    for heading in &body.headings {
        let line = &text[heading.range.clone()];
        let end = heading.range.start + line.trim_end().len();
        entries.push(DodEntry {
            text: crate::source::one_line(&heading.text),
            checked: None,
            at: index.span(heading.range.start..end),
        });
    }
    for entry in &body.list_entries {
        // A nested list's text also appears in its parent entry; keep the first line only.
        let raw = &text[entry.range.clone()];
        let first_line = raw.lines().next().unwrap_or(raw);
        let end = entry.range.start + first_line.len();
        entries.push(DodEntry {
            text: list_entry_text(first_line),
            checked: entry.task,
            at: index.span(entry.range.start..end),
        });
    }
    entries.sort_by_key(|e| e.at.start);
    let at = entries
        .first()
        .map(|e| e.at)
        .or_else(|| Some(index.span(0..0)));
    TeamDod {
        path: path.to_string(),
        source: Some(index.source()),
        origin: DodOrigin::File,
        entries,
        at,
        risk_entry: None,
    }
}

/// Reads a YAML definition of done: a list, or a mapping with a `definition_of_done`,
/// `entries` or `items` list.
pub fn load_yaml(index: &LineIndex<'_>, path: &str) -> Result<TeamDod, ParseFailure> {
    let text = index.text();
    let root = yaml::parse(text, 0).map_err(|err| {
        let offset = err.offset.unwrap_or(0);
        ParseFailure {
            span: index.span(offset..offset),
            message: format!("invalid YAML: {}", err.message),
        }
    })?;
    let (list, at) = match &root.value {
        YamlValue::Seq(_) => (Some(&root), index.span(root.span.clone())),
        YamlValue::Map(_) => {
            let found = [
                "definition_of_done",
                "definition-of-done",
                "entries",
                "items",
                "dod",
            ]
            .iter()
            .find_map(|k| root.entry(k));
            match found {
                Some((key, value)) => (Some(value), index.span(key.span.clone())),
                None => (None, index.span(root.span.clone())),
            }
        }
        _ => (None, index.span(0..0)),
    };
    Ok(TeamDod {
        path: path.to_string(),
        source: Some(index.source()),
        origin: DodOrigin::File,
        entries: list
            .map(|l| dod_entries_from_yaml(l, index))
            .unwrap_or_default(),
        at: Some(at),
        risk_entry: None,
    })
}

/// A top-level `definition_of_done:` list in a YAML backlog file, if there is one.
pub fn from_backlog_file(root: &YamlNode, index: &LineIndex<'_>, path: &str) -> Option<TeamDod> {
    let (key, value) = root
        .entry("definition_of_done")
        .or_else(|| root.entry("definition-of-done"))?;
    Some(TeamDod {
        path: path.to_string(),
        source: Some(index.source()),
        origin: DodOrigin::BacklogFile,
        entries: dod_entries_from_yaml(value, index),
        at: Some(index.span(key.span.clone())),
        risk_entry: None,
    })
}

/// An inline list from backlint.yaml.
pub fn inline(entries: &[String], config_path: &str) -> TeamDod {
    TeamDod {
        path: config_path.to_string(),
        source: None,
        origin: DodOrigin::Config,
        entries: entries
            .iter()
            .map(|text| DodEntry {
                text: text.clone(),
                checked: None,
                at: Span {
                    source: SourceId(u32::MAX),
                    start: 0,
                    end: 0,
                    begin: Default::default(),
                    finish: Default::default(),
                },
            })
            .collect(),
        at: None,
        risk_entry: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_have_the_same_key_whatever_their_order_case_and_spacing() {
        let team = copy_key(["Code reviewed.", "Tests pass", "Docs updated"]);
        assert_eq!(
            copy_key(["tests  pass", "DOCS UPDATED", "code reviewed"]),
            team
        );
        assert_ne!(copy_key(["Code reviewed", "Tests pass"]), team);
        assert_ne!(
            copy_key(["Code reviewed", "Tests pass", "Docs written"]),
            team
        );
        // Entries are not run together: ["a b", "c"] is not ["a", "b c"].
        assert_ne!(copy_key(["a b", "c"]), copy_key(["a", "b c"]));
    }

    #[test]
    fn markdown_entries_from_lists_and_headings() {
        let text = "# Definition of Done\n\n1. Code reviewed\n1. Tests pass\n\n- [ ] Docs updated\n* Residual risk accepted\n  - nested detail\n\nSecurity\n--------\n";
        let index = LineIndex::new(SourceId(0), text);
        let dod = load_markdown(&index, "DoD.md");
        let texts: Vec<&str> = dod.entries.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Definition of Done",
                "Code reviewed",
                "Tests pass",
                "Docs updated",
                "Residual risk accepted",
                "nested detail",
                "Security"
            ]
        );
        assert_eq!(dod.entries[3].checked, Some(false));
        assert_eq!(dod.entries[4].at.begin.line, 7);
    }

    #[test]
    fn yaml_shapes() {
        for text in [
            "- Tests pass\n- Risk accepted\n",
            "definition_of_done:\n  - Tests pass\n  - Risk accepted\n",
            "entries: [Tests pass, Risk accepted]\n",
        ] {
            let index = LineIndex::new(SourceId(0), text);
            let dod = load_yaml(&index, "dod.yaml").unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(dod.entries.len(), 2, "{text}");
        }
        let index = LineIndex::new(SourceId(0), "a: [\n");
        assert!(load_yaml(&index, "dod.yaml").is_err());
    }
}
