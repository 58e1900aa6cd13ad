//! Reads the backlog's history for `report` and `flow`: the repository of the workspace, the
//! checked paths (else the configured roots), the include/exclude globs, and `--since`.

use std::path::PathBuf;

use super::check::{glob_set, prefixes};
use super::{AppError, Workspace};
use crate::discover::git::{GitError, GitRepo};
use crate::history::{self, History, HistoryInput};
use crate::triage::Checklist;
use crate::util::date::parse_date;

/// The repository of the workspace, if the backlog is in git.
pub fn repository(ws: &Workspace) -> Option<GitRepo> {
    GitRepo::open(&ws.root)
        .ok()
        .filter(|repo| repo.root() == ws.root.as_path())
}

/// Reads the history of the backlog files under `paths`.
pub fn read(
    ws: &Workspace,
    repo: &GitRepo,
    paths: &[PathBuf],
    checklist: &Checklist,
) -> Result<History, AppError> {
    let prefixes = prefixes(ws, paths);
    let include = glob_set(&ws.config.include);
    let exclude = glob_set(&ws.config.exclude);
    let keep =
        move |path: &str| crate::discover::selected(path, include.as_ref(), exclude.as_ref());
    Ok(history::read(&HistoryInput {
        repo,
        prefixes: &prefixes,
        keep: &keep,
        config: &ws.config,
        checklist,
    })?)
}

/// `--since DATE|REF`: a date (`YYYY-MM-DD`, midnight UTC) or a revision (its commit time).
pub fn since(repo: Option<&GitRepo>, value: &str) -> Result<i64, AppError> {
    if let Some(date) = parse_date(value) {
        if let Ok(ts) =
            jiff::tz::Offset::UTC.to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        {
            return Ok(ts.as_second());
        }
    }
    match repo {
        Some(repo) => Ok(repo.commit_time(value)?),
        None => Err(AppError::Git(GitError::UnknownRevision {
            rev: value.to_string(),
            hint: "give a date (YYYY-MM-DD), or run inside the backlog's git repository"
                .to_string(),
        })),
    }
}
