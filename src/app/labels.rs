//! Labelled backlog items for training and measuring triage: the shared JSON Lines format
//! (`{"file", "id", "must", "allowed", "evidence"}`, `file` relative to a corpus folder), and
//! the items themselves, loaded the way `check` loads them (each backlog folder walked and read
//! with the default configuration, so that layouts and roles are the same).

#![allow(
    clippy::indexing_slicing,
    reason = "item indices come from the backlog's own enumeration"
)]

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use super::{AppError, Workspace, check::check_tree};
use crate::config::ModelSetting;
use crate::model::{Item, id_key};
use crate::source::{FsReader, SourceReader, decode};

/// One line of a labels file.
#[derive(Clone, Debug, Deserialize)]
pub struct LabelLine {
    pub file: String,
    pub id: String,
    /// Categories both reviewers gave.
    #[serde(default)]
    pub must: Vec<String>,
    /// Categories either reviewer gave.
    #[serde(default)]
    pub allowed: Vec<String>,
}

/// A labelled item, loaded.
#[derive(Debug)]
pub struct LabelledItem {
    /// The backlog folder (the first component of `file`).
    pub backlog: String,
    pub label: LabelLine,
    pub item: Item,
    /// The text of the item's file.
    pub text: String,
}

/// Reads labels files (JSON Lines); a line that does not parse is an error naming it.
pub fn read_labels(files: &[impl AsRef<Path>]) -> Result<Vec<LabelLine>, AppError> {
    let mut out = Vec::new();
    for file in files {
        let path = file.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| AppError::Labels(format!("cannot read {}: {e}", path.display())))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let label: LabelLine = serde_json::from_str(line)
                .map_err(|e| AppError::Labels(format!("{}:{}: {e}", path.display(), n + 1)))?;
            out.push(label);
        }
    }
    Ok(out)
}

/// Loads the labelled items from `corpus`. Labels whose item is not found are returned apart
/// (as `file#id`), so that the caller can say how many were missed.
pub fn load_items(
    labels: Vec<LabelLine>,
    corpus: &Path,
) -> Result<(Vec<LabelledItem>, Vec<String>), AppError> {
    let mut by_backlog: BTreeMap<String, Vec<LabelLine>> = BTreeMap::new();
    for label in labels {
        let backlog = label.file.split('/').next().unwrap_or_default().to_string();
        by_backlog.entry(backlog).or_default().push(label);
    }
    let mut items = Vec::new();
    let mut missing = Vec::new();
    for (backlog, labels) in by_backlog {
        let dir = corpus.join(&backlog);
        if !dir.is_dir() {
            missing.extend(labels.iter().map(|l| format!("{}#{}", l.file, l.id)));
            continue;
        }
        let dir = dir
            .canonicalize()
            .map_err(|e| AppError::Labels(format!("cannot open {}: {e}", dir.display())))?;
        // The default configuration, rooted at the backlog folder: as a team's first run
        // (scored by the phrase rules: loading must not depend on a model).
        let mut ws = Workspace {
            root: dir.clone(),
            ..Workspace::open_without_config(std::slice::from_ref(&dir))?
        };
        ws.config.triage_model = ModelSetting::PhraseRules;
        let (outcome, checklist) = check_tree(&ws, std::slice::from_ref(&dir))?;
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        for (n, item) in outcome.backlog.items.iter().enumerate() {
            index.insert((item.path.to_string(), id_key(&item.id)), n);
        }
        // Per file: its text and its items loaded again with what triage reads (read and
        // parsed once however many of its items are labelled).
        let mut files: HashMap<u32, (String, Vec<Item>)> = HashMap::new();
        let mut items_of_backlog = Vec::new();
        for label in labels {
            let rel = label
                .file
                .split_once('/')
                .map_or("", |(_, r)| r)
                .to_string();
            let Some(&n) = index.get(&(rel, id_key(&label.id))) else {
                missing.push(format!("{}#{}", label.file, label.id));
                continue;
            };
            let source = outcome.backlog.items[n].source;
            let (text, reloaded) = match files.entry(source.0) {
                Entry::Occupied(found) => found.into_mut(),
                Entry::Vacant(slot) => {
                    let file = outcome
                        .sources
                        .get(source)
                        .ok_or_else(|| AppError::Labels(format!("no source for {}", label.file)))?;
                    let bytes = FsReader.read(file).map_err(|e| {
                        AppError::Labels(format!("cannot read {}: {e}", label.file))
                    })?;
                    let (text, _) = decode(bytes);
                    // The check keeps only what the rules read; triage's inputs come from
                    // the text.
                    let index = crate::source::LineIndex::new(source, &text);
                    let reloaded = crate::engine::reload_for_triage(
                        &outcome, n, &index, &ws.config, &checklist,
                    );
                    slot.insert((text, reloaded))
                }
            };
            let checked = &outcome.backlog.items[n];
            let Some(item) = reloaded
                .iter()
                .find(|i| crate::engine::same_item(i, checked))
                .cloned()
            else {
                missing.push(format!("{}#{}", label.file, label.id));
                continue;
            };
            let text = text.clone();
            items_of_backlog.push(LabelledItem {
                backlog: backlog.clone(),
                label,
                item,
                text,
            });
        }
        items.extend(items_of_backlog);
    }
    Ok((items, missing))
}
