//! `backlint baseline`: records the current findings as accepted debt, and finds the baseline
//! that `check` applies (`--baseline FILE`, else `baseline:` in backlint.yaml).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{AppError, Verdict, Workspace, check::check_tree};
use crate::baseline::Baseline;
use crate::discover::walk;
use crate::output;

/// The file name `backlint baseline` writes when neither `-o` nor `baseline:` names one.
pub const DEFAULT_FILE: &str = ".backlint-baseline.json";

/// Options of `backlint baseline`.
#[derive(Clone, Debug, Default)]
pub struct BaselineOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub output: Option<PathBuf>,
}

/// `backlint baseline`: checks the tree and writes every finding to the baseline file.
/// Entries that the previous file gave an `until` date keep it.
pub fn record(options: &BaselineOptions, out: &mut dyn Write) -> Result<Verdict, AppError> {
    let ws = Workspace::open(&options.paths, options.config.as_deref())?;
    let target = match &options.output {
        Some(path) => path.clone(),
        None => ws
            .root
            .join(ws.config.baseline.as_deref().unwrap_or(DEFAULT_FILE)),
    };
    let (outcome, _) = check_tree(&ws, &options.paths)?;
    let mut baseline = Baseline::record(&outcome);
    if let Ok(text) = std::fs::read_to_string(&target) {
        if let Ok(previous) = Baseline::parse(&text) {
            baseline.keep_dates_of(&previous);
        }
    }
    crate::util::fs::write_file_atomically(&target, baseline.to_json().as_bytes())
        .map_err(|e| AppError::Output(target.display().to_string(), e))?;
    let shown = display_path(&ws, &target);
    writeln!(
        out,
        "recorded {} in {shown}",
        output::plural(baseline.entries.len(), "finding")
    )?;
    if ws.config.baseline.is_none() {
        writeln!(
            out,
            "next: `backlint check` applies it only once backlint.yaml names it — add (or \
             uncomment) `baseline: {shown}` in backlint.yaml so that the hook and CI apply it \
             too, or pass `--baseline {shown}` to one run"
        )?;
    } else {
        writeln!(
            out,
            "next: commit {shown}; `backlint check` applies it (`baseline:` in backlint.yaml)"
        )?;
    }
    Ok(Verdict::Clean)
}

/// The baseline `check` applies, with the path its findings name.
pub fn load(
    ws: &Workspace,
    cli_path: Option<&Path>,
) -> Result<Option<(Baseline, String)>, AppError> {
    let path = match (cli_path, &ws.config.baseline) {
        (Some(path), _) => path.to_path_buf(),
        (None, Some(configured)) => ws.root.join(configured),
        (None, None) => return Ok(None),
    };
    let shown = display_path(ws, &path);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        AppError::Baseline(
            shown.clone(),
            format!("{e} (record one with `backlint baseline -o {shown}`)"),
        )
    })?;
    let baseline = Baseline::parse(&text).map_err(|e| AppError::Baseline(shown.clone(), e))?;
    Ok(Some((baseline, shown)))
}

fn display_path(ws: &Workspace, path: &Path) -> String {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        ws.cwd.join(path)
    };
    let abs = abs
        .parent()
        .and_then(|dir| dir.canonicalize().ok())
        .and_then(|dir| abs.file_name().map(|name| dir.join(name)))
        .unwrap_or(abs);
    walk::relative(&ws.root, &abs)
}
