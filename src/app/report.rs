//! `backlint report`: one check of the backlog (baseline applied, as `check` applies it), the
//! backlog's history when it is in git, and the report rendered as HTML, Markdown or JSON.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::check::check_tree_with_baseline;
use super::{AppError, Verdict, Workspace, today};
use crate::report::{self, Links, ReportFormat, ReportInput};

/// Options of `backlint report`.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub format: ReportFormat,
    pub output: Option<PathBuf>,
    /// Add the git provenance of spikes and acceptances.
    pub evidence: bool,
    /// `--since DATE|REF`: the trend's first week.
    pub since: Option<String>,
    /// Skip history (no trend, no evidence): a report of the working tree only.
    pub no_history: bool,
    /// A URL prefix for item links (GitHub Actions), if any.
    pub link_base: Option<String>,
}

pub fn report(
    options: &ReportOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Verdict, AppError> {
    let ws = Workspace::open(&options.paths, options.config.as_deref())?;
    let baseline = super::baseline::load(&ws, None)?;
    let baseline_entries = baseline.as_ref().map(|(b, _)| b.clone());
    let (outcome, checklist) = check_tree_with_baseline(&ws, &options.paths, baseline)?;
    let mut notes = Vec::new();
    let repo = if options.no_history {
        None
    } else {
        let repo = super::history::repository(&ws);
        if repo.is_none() {
            notes.push(
                "the backlog is not in a git repository: no trend and no evidence from history"
                    .to_string(),
            );
        }
        repo
    };
    if options.evidence && repo.is_none() && !options.no_history {
        writeln!(
            err,
            "warning: --evidence needs the backlog's git history; the report has none"
        )?;
    }
    let since = match (&options.since, &repo) {
        (Some(value), repo) => Some(super::history::since(repo.as_ref(), value)?),
        (None, _) => None,
    };
    let history = match &repo {
        Some(repo) => Some(super::history::read(&ws, repo, &options.paths, &checklist)?),
        None => None,
    };
    let commit = history
        .as_ref()
        .and_then(|h| h.commits.last())
        .map(|c| c.id.clone());
    let repository = ws
        .root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ws.root.display().to_string());
    let data = report::build(&ReportInput {
        outcome: &outcome,
        checklist: &checklist,
        baseline: baseline_entries.as_ref(),
        history: history.as_ref(),
        evidence: options.evidence,
        since,
        today: today(),
        repository,
        commit,
        notes,
    });
    let links = Links {
        prefix: match &options.link_base {
            Some(base) => base.clone(),
            None => relative_root(&ws.root, options.output.as_deref(), &ws.cwd),
        },
    };
    let mut buffer = Vec::new();
    report::write(&data, options.format, &links, &mut buffer)?;
    match &options.output {
        Some(path) => {
            crate::util::fs::write_file_atomically(path, &buffer)
                .map_err(|e| AppError::Output(path.display().to_string(), e))?;
            writeln!(
                err,
                "wrote {} ({} touch the checklist, {} need a spike)",
                path.display(),
                data.headline.triggered,
                data.headline.missing_spike
            )?;
        }
        None => out.write_all(&buffer)?,
    }
    // A report describes; it does not gate.
    Ok(Verdict::Clean)
}

/// How a file beside the report reaches the repository root: `../` per folder between them,
/// or the root's absolute path as a `file://` URL when the report is written elsewhere.
fn relative_root(root: &Path, output: Option<&Path>, cwd: &Path) -> String {
    let dir = match output {
        Some(path) => {
            let abs = if path.is_absolute() {
                path.to_path_buf()
            } else {
                cwd.join(path)
            };
            abs.parent()
                .and_then(|d| d.canonicalize().ok())
                .unwrap_or_else(|| cwd.to_path_buf())
        }
        None => cwd.to_path_buf(),
    };
    match dir.strip_prefix(root) {
        Ok(rest) => "../".repeat(rest.components().count()),
        Err(_) => {
            let mut url = String::from("file://");
            for part in root.to_string_lossy().split('/').filter(|p| !p.is_empty()) {
                url.push('/');
                url.push_str(part);
            }
            url.push('/');
            url
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_climb_from_the_report_to_the_root() {
        let root = Path::new("/repo");
        assert_eq!(relative_root(root, None, Path::new("/repo")), "");
        assert_eq!(relative_root(root, None, Path::new("/repo/a/b")), "../../");
        assert_eq!(
            relative_root(root, None, Path::new("/elsewhere")),
            "file:///repo/"
        );
    }
}
