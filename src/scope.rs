//! What a change touches (SPEC §4): the items whose files it adds or modifies, the items that
//! link to an item it modifies, renames or deletes (or are linked from one), and findings about
//! the backlog as a whole when it touches their file (the definition of done). Used by
//! `--staged` and `--changed-since` so that a commit is judged by what it changes.

#![allow(
    clippy::indexing_slicing,
    reason = "item indices come from the backlog of the same run"
)]

use std::collections::HashSet;

use crate::diagnostic::{Finding, RuleId};
use crate::discover::git::{Change, ChangeKind};
use crate::model::load::{self, LoadContext};
use crate::model::{Backlog, LayoutIndex, LinkTarget, id_key, layout, same_id_key};
use crate::source::{LineIndex, SourceId, decode};

/// The files and ids a change touches.
#[derive(Debug, Default)]
pub struct ChangeScope {
    /// Paths the change adds or modifies (the new path of a rename).
    changed: HashSet<String>,
    /// Paths the change removes (deleted files, the old path of a rename).
    removed: HashSet<String>,
    /// Ids of items the change removed or renamed away, or whose old content it modified.
    affected_ids: Vec<String>,
    /// Whether the change touches a definition of done.
    dod_touched: bool,
}

impl ChangeScope {
    /// Builds the scope; old contents are read (in the role `layout` gives their path) for the
    /// ids of the items they held.
    pub fn new(changes: &[Change], layout: &LayoutIndex, cx: LoadContext<'_>) -> ChangeScope {
        let mut scope = ChangeScope::default();
        for change in changes {
            match change.kind {
                ChangeKind::Added | ChangeKind::Modified => {
                    scope.changed.insert(change.path.clone());
                }
                // A pure move is not a new item; links to the old path still break.
                ChangeKind::Renamed => {
                    if change.content_changed {
                        scope.changed.insert(change.path.clone());
                    }
                }
                ChangeKind::Deleted => {
                    scope.removed.insert(change.path.clone());
                }
            }
            if let Some(old) = &change.old_path {
                if change.kind != ChangeKind::Modified {
                    scope.removed.insert(old.clone());
                }
            }
            let names = [Some(change.path.as_str()), change.old_path.as_deref()];
            if names.iter().flatten().any(|p| layout::is_dod_file(p)) {
                scope.dod_touched = true;
            }
            let moved_only = change.kind == ChangeKind::Renamed && !change.content_changed;
            if let (Some(old), Some(content), false) =
                (&change.old_path, &change.old_content, moved_only)
            {
                scope.affected_ids.extend(ids_in(old, content, layout, cx));
            }
        }
        scope
    }

    /// Which items the change touches, by index.
    pub fn touched_items(&self, backlog: &Backlog) -> Vec<bool> {
        let items = &backlog.items;
        // A commit's change names a few paths: compared one by one, rather than hashing every
        // item's path.
        let few: Option<Vec<&str>> = (self.changed.len() <= COMPARED_ONE_BY_ONE)
            .then(|| self.changed.iter().map(String::as_str).collect());
        let is_changed = |path: &str| match &few {
            Some(few) => few.contains(&path),
            None => self.changed.contains(path),
        };
        let mut touched: Vec<bool> = items.iter().map(|i| is_changed(&i.path)).collect();
        let direct = touched.clone();
        // A link names an affected id: compared with each (a commit's change holds a few), or
        // by key when there are many.
        let affected_keys: Option<HashSet<String>> = (self.affected_ids.len()
            > COMPARED_ONE_BY_ONE)
            .then(|| self.affected_ids.iter().map(|id| id_key(id)).collect());
        let is_affected = |id: &str| match &affected_keys {
            Some(keys) => keys.contains(&id_key(id)),
            None => self.affected_ids.iter().any(|a| same_id_key(a, id)),
        };
        for (idx, item) in items.iter().enumerate() {
            for (n, link) in item.links.iter().chain(item.parent.as_deref()).enumerate() {
                let by_target = match &link.target {
                    LinkTarget::Id(id) => is_affected(id),
                    LinkTarget::Path { path, .. } => {
                        self.removed.contains(path) || is_changed(path)
                    }
                    LinkTarget::OutsideRepository(_) => false,
                };
                let target = if n < item.links.len() {
                    backlog.target(idx, n)
                } else {
                    backlog.parent(idx)
                };
                let changed_target = target.is_some_and(|t| direct[t]);
                if by_target || changed_target {
                    touched[idx] = true;
                }
                // A changed item that links to another (a spike that precedes it) affects it.
                if direct[idx] {
                    if let Some(t) = target {
                        touched[t] = true;
                    }
                }
            }
        }
        touched
    }

    /// Whether a finding falls inside the change.
    pub fn admits(&self, finding: &Finding, touched: &[bool], path: &str) -> bool {
        if finding.rule == RuleId::ConfigChanged {
            return true;
        }
        if let Some(idx) = finding.item_index {
            return touched.get(idx).copied().unwrap_or(false);
        }
        if finding.rule.family() == "dod" {
            return self.dod_touched || self.changed.contains(path);
        }
        self.changed.contains(path)
    }
}

/// Up to how many affected ids (or changed paths) a link's id (or an item's path) is compared
/// with one by one.
const COMPARED_ONE_BY_ONE: usize = 16;

/// The ids of the items an old file held, read as its path's role says.
fn ids_in(path: &str, content: &[u8], layout: &LayoutIndex, cx: LoadContext<'_>) -> Vec<String> {
    let (text, _) = decode(content.to_vec());
    let index = LineIndex::new(SourceId(0), &text);
    let role = layout.classify(path);
    let loaded = load::load_file(&role, &index, &std::sync::Arc::from(path), cx);
    loaded.items.into_iter().map(|i| i.id).collect()
}
