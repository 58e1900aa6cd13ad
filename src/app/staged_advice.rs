//! Advice for a blocked commit whose fix is in the working tree but not staged (a spike that
//! `--fix` wrote, or a link added after `git add`): the hook then says which files to stage
//! instead of repeating "run `backlint check --fix`".

use std::collections::HashSet;
use std::path::PathBuf;

use rayon::prelude::*;

use super::check::{CheckOptions, check_tree_cached, discover_tree};
use super::{AppError, Workspace};
use crate::diagnostic::{Finding, RuleId, Severity};
use crate::discover::git::{GitRepo, IndexedBlobs, blob_id};
use crate::model::layout::FileRole;
use crate::outcome::CheckOutcome;
use crate::source::one_line;

/// The findings a spike or a link in the working tree can settle.
const SETTLED_BY_UNSTAGED: &[RuleId] = &[
    RuleId::MissingSpike,
    RuleId::DanglingLink,
    RuleId::NotThreatAnalysis,
    RuleId::UncoveredCategory,
    RuleId::NotDoneBeforeStart,
    RuleId::Unanswered,
];

/// Whether some file the working-tree check would read as part of the backlog may hold what
/// the index does not (a new file, a changed one, one gone). The index vouches for a file by
/// its size and modification time, as `git status` trusts it; one changed within the index's
/// own clock tick (racily clean: a file written just before `git add`) is compared by content.
/// When none may, no unstaged file can settle a finding (the advice names only files that
/// check reads), and neither libgit2's status walk of the whole working tree nor the
/// working-tree check is needed. Anything unsure (no index, a file the walk cannot list)
/// says it may.
fn tree_may_differ(ws: &Workspace, repo: &GitRepo, paths: &[PathBuf]) -> bool {
    let Ok(files) = discover_tree(ws, paths) else {
        return true;
    };
    let Some(blobs) = IndexedBlobs::new(repo, &ws.root) else {
        return true;
    };
    let layout = crate::engine::layout_for(&files, &ws.config);
    files
        .par_iter()
        .filter(|file| layout.classify(&file.path) != FileRole::Skip)
        .any(|file| {
            let disk = ws.root.join(&*file.path);
            let Some(stamp) = crate::cache::stamp(&disk) else {
                return true;
            };
            if blobs.blob_of(&file.path, stamp.size, stamp.mtime).is_some() {
                return false;
            }
            let Some(staged) = blobs.staged_blob(&file.path) else {
                return true;
            };
            std::fs::read(&disk).map_or(true, |content| blob_id(&content) != Some(staged))
        })
}

fn key(finding: &Finding) -> Option<(RuleId, String)> {
    Some((finding.rule, finding.item.as_deref()?.to_string()))
}

/// Lines of advice, or none: for each error of the staged check that the working tree no
/// longer has, the unstaged files that settle it.
pub fn advice(
    ws: &Workspace,
    options: &CheckOptions,
    staged: &CheckOutcome,
) -> Result<Vec<String>, AppError> {
    let blocking: Vec<&Finding> = staged
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && SETTLED_BY_UNSTAGED.contains(&f.rule))
        .collect();
    if blocking.is_empty() {
        return Ok(Vec::new());
    }
    let Ok(repo) = GitRepo::open(&ws.root) else {
        return Ok(Vec::new());
    };
    if !tree_may_differ(ws, &repo, &options.paths) {
        return Ok(Vec::new());
    }
    let unstaged = repo.unstaged_paths().unwrap_or_default();
    if unstaged.is_empty() {
        return Ok(Vec::new());
    }
    let (tree, _) = check_tree_cached(ws, &options.paths, options.no_cache)?;
    let still: HashSet<(RuleId, String)> = tree.findings.iter().filter_map(key).collect();
    let mut settled: Vec<String> = blocking
        .iter()
        .filter_map(|f| key(f))
        .filter(|k| !still.contains(k))
        .map(|(_, item)| one_line(&item))
        .collect();
    settled.sort();
    settled.dedup();
    if settled.is_empty() {
        return Ok(Vec::new());
    }
    // The unstaged files the working-tree check read: items, spikes, definitions of done.
    let read: HashSet<&str> = (0..tree.sources.len())
        .map(|n| tree.sources.path(crate::source::SourceId(n as u32)))
        .collect();
    let files: Vec<&String> = unstaged
        .iter()
        .filter(|p| read.contains(p.as_str()))
        .collect();
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let quoted: Vec<String> = files.iter().map(|p| shell_word(p)).collect();
    // Item ids and file names went through `one_line`: no control is echoed raw.
    Ok(vec![format!(
        "backlint: the working tree settles {} for {}, but it is not staged: `git add {}`, \
         then commit again",
        if settled.len() == 1 { "this" } else { "these" },
        settled.join(", "),
        quoted.join(" ")
    )])
}

/// A path as one shell word.
fn shell_word(path: &str) -> String {
    let path = one_line(path);
    if path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        path
    } else {
        format!("'{}'", path.replace('\'', "'\\''"))
    }
}
