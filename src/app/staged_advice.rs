//! Advice for a blocked commit whose fix is in the working tree but not staged (a spike that
//! `--fix` wrote, or a link added after `git add`): the hook then says which files to stage
//! instead of repeating "run `backlint check --fix`".

use std::collections::HashSet;

use super::check::{CheckOptions, check_tree};
use super::{AppError, Workspace};
use crate::diagnostic::{Finding, RuleId, Severity};
use crate::discover::git::GitRepo;
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
    let unstaged = repo.unstaged_paths().unwrap_or_default();
    if unstaged.is_empty() {
        return Ok(Vec::new());
    }
    let (tree, _) = check_tree(ws, &options.paths)?;
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
