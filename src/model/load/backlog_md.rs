//! Backlog.md's `config.yml` (its `task_prefix` and `definition_of_done` list), and
//! definition-of-done entries written as YAML lists.

use crate::parse::yaml::{self, YamlNode, YamlValue};
use crate::source::{LineIndex, Span};

use super::super::item::DodEntry;
use super::{LoadedFile, yaml_failure};

/// A Backlog.md `config.yml`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BacklogMdConfig {
    pub root: String,
    pub task_prefix: Option<String>,
    /// `definition_of_done:` entries; `None` when the key is absent.
    pub definition_of_done: Option<Vec<DodEntry>>,
    pub dod_at: Option<Span>,
}

/// Loads Backlog.md's `config.yml`.
pub fn load_backlog_md_config(index: &LineIndex<'_>, root: &str) -> LoadedFile {
    let mut out = LoadedFile::default();
    let text = index.text();
    let node = match yaml::parse(text, 0) {
        Ok(node) => node,
        Err(err) => {
            out.failures.push(yaml_failure(index, &err, 0));
            return out;
        }
    };
    let task_prefix = node
        .get("task_prefix")
        .and_then(YamlNode::as_scalar_string)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let (definition_of_done, dod_at) = match node.entry("definition_of_done") {
        Some((key, value)) => (
            Some(dod_entries_from_yaml(value, index)),
            Some(index.span(key.span.clone())),
        ),
        None => (None, None),
    };
    if let Some(entries) = &definition_of_done {
        out.team_dod = Some(Box::new(super::super::dod::TeamDod {
            path: format!("{root}/config.yml"),
            source: Some(index.source()),
            origin: super::super::dod::DodOrigin::BacklogMdConfig,
            entries: entries.clone(),
            at: dod_at,
            risk_entry: None,
        }));
    }
    out.backlog_md_config = Some(Box::new(BacklogMdConfig {
        root: root.to_string(),
        task_prefix,
        definition_of_done,
        dod_at,
    }));
    out
}

/// Definition-of-done entries from a YAML list (or a single string).
pub fn dod_entries_from_yaml(node: &YamlNode, index: &LineIndex<'_>) -> Vec<DodEntry> {
    let mut entries = Vec::new();
    let mut push = |n: &YamlNode| {
        let text = match &n.value {
            YamlValue::Map(_) => n
                .get("text")
                .or_else(|| n.get("entry"))
                .or_else(|| n.get("item"))
                .and_then(YamlNode::as_scalar_string),
            _ => n.as_scalar_string(),
        };
        if let Some(text) = text {
            let (checked, text) = strip_checkbox(&text);
            entries.push(DodEntry {
                text: text.to_string(),
                checked,
                at: index.span(n.span.clone()),
            });
        }
    };
    match &node.value {
        YamlValue::Seq(items) => items.iter().for_each(&mut push),
        YamlValue::Str(_) => push(node),
        _ => {}
    }
    entries
}

/// `[x] text` / `[ ] text` inside a YAML string.
fn strip_checkbox(text: &str) -> (Option<bool>, &str) {
    let t = text.trim_start();
    if let Some(rest) = t.strip_prefix("[x]").or_else(|| t.strip_prefix("[X]")) {
        (Some(true), rest.trim_start())
    } else if let Some(rest) = t.strip_prefix("[ ]") {
        (Some(false), rest.trim_start())
    } else {
        (None, text)
    }
}
