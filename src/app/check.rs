//! `backlint check`: discovers the files, compiles the checklist meanwhile, runs the engine,
//! and writes the chosen format.

use std::io::Write;
use std::path::PathBuf;

use super::{AppError, Verdict, Workspace, checklist_for, today};
use crate::config::DodSetting;
use crate::discover::walk;
use crate::engine::{self, CheckInput, CheckOutcome};
use crate::output::{self, Format, human};
use crate::source::{FsReader, InputFile, Origin, SourceReader};
use crate::triage::Checklist;

/// Options of `backlint check`.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub format: Format,
    /// Write the report here instead of stdout (the summary line still goes to stdout).
    pub output: Option<PathBuf>,
    pub color: bool,
    pub width: usize,
}

/// The files a check of `paths` reads (the configured roots, or the repository root, when no
/// path is given).
pub fn discover_tree(ws: &Workspace, paths: &[PathBuf]) -> Result<Vec<InputFile>, AppError> {
    let config = &ws.config;
    let root = &ws.root;
    let targets: Vec<PathBuf> = if paths.is_empty() {
        if config.roots.is_empty() {
            vec![root.clone()]
        } else {
            config.roots.iter().map(|r| root.join(r)).collect()
        }
    } else {
        // Absolute, canonical targets: walked paths then strip the root prefix cheaply.
        paths
            .iter()
            .map(|p| p.canonicalize().unwrap_or_else(|_| ws.cwd.join(p)))
            .collect()
    };
    let mut files = walk::walk(&walk::WalkOptions {
        root,
        paths: &targets,
        include: &config.include,
        exclude: &config.exclude,
    })?;
    // A configured definition of done is read even when it lies outside the checked paths.
    if let Some(DodSetting::Path(path)) = &config.definition_of_done {
        if !files.iter().any(|f| &f.path == path) {
            let disk = root.join(path);
            files.push(InputFile {
                path: path.clone(),
                origin: if disk.is_file() {
                    Origin::Disk(disk)
                } else {
                    Origin::Unreadable(
                        "the file named by `definition_of_done` does not exist".into(),
                    )
                },
            });
        }
    }
    Ok(files)
}

/// Runs the check over the working tree. The checklist is compiled while the tree is walked.
pub fn check_tree(
    ws: &Workspace,
    paths: &[PathBuf],
) -> Result<(CheckOutcome, Checklist), AppError> {
    let (checklist, discovered) = std::thread::scope(|scope| {
        let compiling = scope.spawn(|| checklist_for(&ws.config));
        let discovered = discover_tree(ws, paths);
        let checklist = compiling
            .join()
            .unwrap_or_else(|_| Err(AppError::Packs("compiling the rule packs failed".into())));
        (checklist, discovered)
    });
    let checklist = checklist?;
    let files = discovered?;
    let outcome = engine::check(CheckInput {
        files,
        reader: &FsReader,
        config: &ws.config,
        checklist: &checklist,
        today: today(),
    });
    Ok((outcome, checklist))
}

/// `backlint check`.
pub fn check(options: &CheckOptions, out: &mut dyn Write) -> Result<Verdict, AppError> {
    let ws = Workspace::open(&options.paths, options.config.as_deref())?;
    let (outcome, checklist) = check_tree(&ws, &options.paths)?;
    write_outcome(options, &outcome, &FsReader, out)?;
    let verdict = if outcome.summary.errors > 0 {
        Verdict::Failed
    } else {
        Verdict::Clean
    };
    // The process ends next: leave the backlog's memory to the OS instead of freeing it
    // piece by piece.
    std::mem::forget(outcome);
    std::mem::forget(checklist);
    Ok(verdict)
}

/// Writes the report: to `--output` (atomically) with the human summary line on the terminal,
/// or to `out`.
pub fn write_outcome(
    options: &CheckOptions,
    outcome: &CheckOutcome,
    reader: &dyn SourceReader,
    out: &mut dyn Write,
) -> Result<(), AppError> {
    let style = human::HumanStyle {
        color: options.color,
        width: options.width,
    };
    match &options.output {
        None => output::write(options.format, out, outcome, reader, style)?,
        Some(path) => {
            let mut buffer = Vec::new();
            let file_style = human::HumanStyle {
                color: false,
                ..style
            };
            output::write(options.format, &mut buffer, outcome, reader, file_style)?;
            output::write_file_atomically(path, &buffer)
                .map_err(|e| AppError::Output(path.display().to_string(), e))?;
            human::write_summary(out, &outcome.summary, options.color)?;
        }
    }
    Ok(())
}
