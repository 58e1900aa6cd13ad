//! The backlog's history as item timelines: every version of every item on HEAD's first-parent
//! line, read from git (not from what the files claim today), with what backlint judges of each
//! version (status, spike links, triggered categories, risk acceptance, veto). `report` and
//! `flow` are computed from these timelines.

#![allow(
    clippy::indexing_slicing,
    reason = "timeline slots come from the index built beside them"
)]

pub mod state;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::discover::git::{GitError, GitRepo};
use crate::discover::history::HistoryCommit;
use crate::engine::layout_for_paths;
use crate::model::{FileRole, LoadContext, load};
use crate::source::{LineIndex, SourceId, decode};
use crate::triage::Checklist;

pub use state::{AcceptanceState, BacklogAt, ItemState, LinkRef, at_time};

/// One version of an item: the commit that made it, and the item as that commit left it
/// (`None`: the commit removed it from the backlog).
#[derive(Clone, Debug)]
pub struct Version {
    pub commit: usize,
    pub state: Option<Arc<ItemState>>,
}

/// Every version of one item (by normalised id), oldest first.
#[derive(Clone, Debug)]
pub struct Timeline {
    pub key: String,
    pub versions: Vec<Version>,
}

impl Timeline {
    /// The version in force just after commit `commit` (an index into the commits).
    pub fn at(&self, commit: usize) -> Option<&Arc<ItemState>> {
        let n = self.versions.partition_point(|v| v.commit <= commit);
        self.versions.get(n.checked_sub(1)?)?.state.as_ref()
    }

    /// The latest version, if the item is still in the backlog.
    pub fn last(&self) -> Option<&Arc<ItemState>> {
        self.versions.last()?.state.as_ref()
    }
}

/// The backlog's history.
#[derive(Debug, Default)]
pub struct History {
    /// Oldest first; `Version::commit` indexes this.
    pub commits: Vec<HistoryCommit>,
    pub timelines: Vec<Timeline>,
    by_key: HashMap<String, usize>,
    /// The history ends at a shallow-clone boundary (older versions are unknown).
    pub shallow: bool,
    /// Commits older than the ones read (a history longer than the walk's limit).
    pub commits_left_out: usize,
    /// Distinct file versions parsed.
    pub blobs_read: usize,
}

impl History {
    /// The timeline of the item with this normalised id.
    pub fn timeline(&self, key: &str) -> Option<&Timeline> {
        self.timelines.get(*self.by_key.get(key)?)
    }

    /// The first commit at or after `time` (commit time), or `commits.len()`.
    pub fn first_commit_since(&self, time: i64) -> usize {
        self.commits.partition_point(|c| c.time < time)
    }
}

/// What reading history needs: the configuration (layout, fields, statuses) and the
/// checklist (to judge each version as `check` would).
pub struct HistoryInput<'a> {
    pub repo: &'a GitRepo,
    /// Repository-relative folders or files to follow (empty: everything).
    pub prefixes: &'a [String],
    /// Which paths are backlog files (the include/exclude globs).
    pub keep: &'a (dyn Fn(&str) -> bool + Sync),
    pub config: &'a Config,
    pub checklist: &'a Checklist,
}

/// The items of each file version, by (path, blob).
type ParsedFiles<'a> = HashMap<(&'a str, [u8; 20]), Arc<[Arc<ItemState>]>>;

/// File versions are parsed this many at a time (their bytes are dropped after each batch).
const BATCH: usize = 4096;

/// Reads the backlog's history: diffs only backlog paths, reads each blob once, parses and
/// judges versions in parallel, then replays the commits to build each item's timeline.
pub fn read(input: &HistoryInput<'_>) -> Result<History, GitError> {
    let mut raw = input.repo.backlog_history(input.prefixes)?;
    for commit in &mut raw.commits {
        commit.changes.retain(|c| (input.keep)(&c.path));
    }
    raw.commits.retain(|c| !c.changes.is_empty());
    let paths: HashSet<&str> = raw
        .commits
        .iter()
        .flat_map(|c| c.changes.iter().map(|f| f.path.as_str()))
        .collect();
    let layout = layout_for_paths(paths.iter().copied(), input.config);
    let roles: HashMap<&str, FileRole> = paths.iter().map(|p| (*p, layout.classify(p))).collect();

    // Each distinct (blob, path role) once; the path only names the file in item ids derived
    // from the file name, so a blob is parsed once per path that holds it.
    let mut wanted: Vec<(&str, [u8; 20])> = Vec::new();
    let mut seen: HashSet<(&str, [u8; 20])> = HashSet::new();
    for commit in &raw.commits {
        for change in &commit.changes {
            let Some(blob) = change.blob else { continue };
            let is_items = matches!(
                roles.get(change.path.as_str()),
                Some(
                    FileRole::MarkdownItem(_)
                        | FileRole::YamlItems(_)
                        | FileRole::MarkdownSections { .. }
                )
            );
            if is_items && seen.insert((change.path.as_str(), blob)) {
                wanted.push((change.path.as_str(), blob));
            }
        }
    }
    let detector_fields = input.checklist.detectors.detector_fields();
    let cx = LoadContext {
        fields: &input.config.fields,
        statuses: &input.config.statuses,
        max_item_file_bytes: input.config.max_file_size,
        detector_fields: &detector_fields,
    };
    let mut parsed: ParsedFiles<'_> = HashMap::new();
    for batch in wanted.chunks(BATCH) {
        let contents: Vec<Option<Vec<u8>>> = batch
            .iter()
            .map(|(_, blob)| input.repo.blob_content(*blob))
            .collect();
        let states: Vec<Arc<[Arc<ItemState>]>> = batch
            .par_iter()
            .zip(contents.into_par_iter())
            .map(|((path, _), bytes)| {
                let Some(bytes) = bytes else {
                    return Arc::from(Vec::new());
                };
                let Some(role) = roles.get(path) else {
                    return Arc::from(Vec::new());
                };
                Arc::from(states_of(path, bytes, role, cx, input.checklist))
            })
            .collect();
        for (key, states) in batch.iter().zip(states) {
            parsed.insert(*key, states);
        }
    }
    let blobs_read = parsed.len();

    // Replay: which items each path holds after each commit.
    let mut by_path: HashMap<&str, Arc<[Arc<ItemState>]>> = HashMap::new();
    let mut holders: HashMap<String, BTreeMap<&str, Arc<ItemState>>> = HashMap::new();
    let mut history = History {
        shallow: raw.shallow,
        commits_left_out: raw.commits_left_out,
        blobs_read,
        ..History::default()
    };
    for (n, commit) in raw.commits.iter().enumerate() {
        let mut touched: Vec<String> = Vec::new();
        for change in &commit.changes {
            let path = change.path.as_str();
            if let Some(old) = by_path.remove(path) {
                for state in old.iter() {
                    if let Some(held) = holders.get_mut(&state.key) {
                        held.remove(path);
                    }
                    touched.push(state.key.clone());
                }
            }
            let new = change
                .blob
                .and_then(|blob| parsed.get(&(path, blob)).cloned())
                .unwrap_or_else(|| Arc::from(Vec::new()));
            for state in new.iter() {
                holders
                    .entry(state.key.clone())
                    .or_default()
                    .insert(path, state.clone());
                touched.push(state.key.clone());
            }
            if !new.is_empty() {
                by_path.insert(path, new);
            }
        }
        touched.sort();
        touched.dedup();
        for key in touched {
            // Duplicate ids: a live copy wins over an archived one, then the first path.
            let current = holders.get(&key).and_then(|held| {
                held.values()
                    .find(|s| !s.archived)
                    .or_else(|| held.values().next())
                    .cloned()
            });
            let slot = match history.by_key.get(&key) {
                Some(slot) => *slot,
                None => {
                    history.timelines.push(Timeline {
                        key: key.clone(),
                        versions: Vec::new(),
                    });
                    history.by_key.insert(key, history.timelines.len() - 1);
                    history.timelines.len() - 1
                }
            };
            let timeline = &mut history.timelines[slot];
            let unchanged = match (timeline.versions.last(), &current) {
                (Some(last), current) => last.state.as_deref() == current.as_deref(),
                (None, None) => true,
                (None, Some(_)) => false,
            };
            if !unchanged {
                timeline.versions.push(Version {
                    commit: n,
                    state: current,
                });
            }
        }
    }
    history.commits = raw.commits;
    Ok(history)
}

/// The items of one file version, as backlint judges them.
fn states_of(
    path: &str,
    bytes: Vec<u8>,
    role: &FileRole,
    cx: LoadContext<'_>,
    checklist: &Checklist,
) -> Vec<Arc<ItemState>> {
    let (text, _) = decode(bytes);
    let index = LineIndex::new(SourceId(0), &text);
    let loaded = load::load_file(role, &index, &Arc::from(path), cx);
    loaded
        .items
        .iter()
        .map(|item| Arc::new(ItemState::of(item, &index, checklist)))
        .collect()
}
