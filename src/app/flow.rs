//! `backlint flow`: value-stream figures from the backlog's git history.

use std::io::Write;
use std::path::PathBuf;

use super::{AppError, Verdict, Workspace, checklist_for};
use crate::discover::git::GitError;
use crate::flow::{self, render};

/// The output formats of `backlint flow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowFormat {
    Human,
    Json,
    Markdown,
}

/// Options of `backlint flow`.
#[derive(Clone, Debug)]
pub struct FlowOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub since: Option<String>,
    pub format: FlowFormat,
    pub output: Option<PathBuf>,
}

pub fn flow(
    options: &FlowOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Verdict, AppError> {
    let ws = Workspace::open(&options.paths, options.config.as_deref())?;
    let repo = super::history::repository(&ws).ok_or_else(|| {
        AppError::Git(GitError::NotARepository(format!(
            "{} (`backlint flow` reads the backlog's git history)",
            ws.root.display()
        )))
    })?;
    let since = match &options.since {
        Some(value) => Some(super::history::since(Some(&repo), value)?),
        None => None,
    };
    let checklist = checklist_for(&ws.config)?;
    let history = super::history::read(&ws, &repo, &options.paths, &checklist)?;
    let figures = flow::compute(&history, since);
    let mut buffer = Vec::new();
    match options.format {
        FlowFormat::Human => render::human(&figures, &mut buffer)?,
        FlowFormat::Json => render::json(&figures, &mut buffer)?,
        FlowFormat::Markdown => render::markdown(&figures, &mut buffer)?,
    }
    match &options.output {
        Some(path) => {
            crate::util::fs::write_file_atomically(path, &buffer)
                .map_err(|e| AppError::Output(path.display().to_string(), e))?;
            writeln!(err, "wrote {}", path.display())?;
        }
        None => out.write_all(&buffer)?,
    }
    Ok(Verdict::Clean)
}
