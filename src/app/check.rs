//! `backlint check`: discovers the files, compiles the checklist meanwhile, runs the engine,
//! and writes the chosen format.

use std::io::Write;
use std::path::PathBuf;

use super::{AppError, Verdict, Workspace, checklist_for, today};
use crate::config::DodSetting;
use crate::diagnostic::{Finding, Severity};
use crate::discover::git::GitRepo;
use crate::discover::walk;
use crate::engine::{self, CheckInput, CheckOutcome};
use crate::model::load::LoadContext;
use crate::output::{self, Format, human};
use crate::scope::ChangeScope;
use crate::source::{FsReader, InputFile, Origin, SourceReader};
use crate::triage::Checklist;

/// Options of `backlint check`.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub format: Format,
    /// Lint the git index (staged content), reporting what the staged change touches.
    pub staged: bool,
    /// Lint the working tree, reporting what changed since merge-base(REF, HEAD) touches.
    pub changed_since: Option<String>,
    /// With `staged` / `changed_since`: report every item.
    pub all: bool,
    /// Read the configuration from this revision's tree.
    pub config_from_ref: Option<String>,
    /// The baseline file to apply (else `baseline:` from the configuration).
    pub baseline: Option<PathBuf>,
    /// Create the missing threat-analysis spikes and link them.
    pub fix: bool,
    /// With `fix`: print the unified diff and write nothing.
    pub dry_run: bool,
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

/// Runs the check over `files`, compiling the checklist while `discover` lists them.
fn run(
    ws: &Workspace,
    discover: impl FnOnce() -> Result<Vec<InputFile>, AppError>,
) -> Result<(CheckOutcome, Checklist), AppError> {
    let (checklist, discovered) = std::thread::scope(|scope| {
        let compiling = scope.spawn(|| checklist_for(&ws.config));
        let discovered = discover();
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

/// Runs the check over the working tree.
pub fn check_tree(
    ws: &Workspace,
    paths: &[PathBuf],
) -> Result<(CheckOutcome, Checklist), AppError> {
    run(ws, || discover_tree(ws, paths))
}

/// The repository-relative prefixes a git-based check reads: the given paths, else the
/// configured roots, else everything.
fn prefixes(ws: &Workspace, paths: &[PathBuf]) -> Vec<String> {
    if paths.is_empty() {
        return ws.config.roots.clone();
    }
    paths
        .iter()
        .map(|p| {
            let abs = p.canonicalize().unwrap_or_else(|_| ws.cwd.join(p));
            walk::relative(&ws.root, &abs)
        })
        .map(|p| if p == "." { String::new() } else { p })
        .collect()
}

fn glob_set(globs: &[String]) -> Option<globset::GlobSet> {
    if globs.is_empty() {
        return None;
    }
    let mut builder = globset::GlobSetBuilder::new();
    for g in globs {
        if let Ok(glob) = globset::Glob::new(g) {
            builder.add(glob);
        }
    }
    builder.build().ok()
}

/// `backlint check`.
pub fn check(options: &CheckOptions, out: &mut dyn Write) -> Result<Verdict, AppError> {
    let (ws, mut outcome, mut checklist) = evaluate(options)?;
    if options.fix {
        let plan = super::fix::plan_for(&ws, &outcome, &checklist);
        if options.dry_run {
            return super::fix::print_plan(&plan, options, out);
        }
        super::fix::apply(&ws, &plan, options, out)?;
        if !plan.changes.is_empty() {
            (_, outcome, checklist) = evaluate(options)?;
        }
    }
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

/// Runs the check as `options` say: the tree or the index, the baseline, the change scope.
fn evaluate(options: &CheckOptions) -> Result<(Workspace, CheckOutcome, Checklist), AppError> {
    let uses_git =
        options.staged || options.changed_since.is_some() || options.config_from_ref.is_some();
    let repo = if uses_git {
        let start = options
            .paths
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        Some(GitRepo::open(&start)?)
    } else {
        None
    };
    let (ws, config_changes) = match (&options.config_from_ref, &repo) {
        (Some(rev), Some(repo)) => Workspace::open_at_ref(&options.paths, repo, rev)?,
        _ => (
            Workspace::open(&options.paths, options.config.as_deref())?,
            Vec::new(),
        ),
    };
    let (mut outcome, checklist) = match (&repo, options.staged) {
        (Some(repo), true) => {
            let prefixes = prefixes(&ws, &options.paths);
            run(&ws, || {
                let include = glob_set(&ws.config.include);
                let exclude = glob_set(&ws.config.exclude);
                Ok(repo.staged_files(&prefixes, include.as_ref(), exclude.as_ref())?)
            })?
        }
        _ => check_tree(&ws, &options.paths)?,
    };
    if let Some((baseline, shown)) = super::baseline::load(&ws, options.baseline.as_deref())? {
        let mut own = baseline.apply(&mut outcome, &shown, today());
        engine::apply_severities(&mut own, &ws.config, &checklist, &outcome.sources);
        outcome.findings.extend(own);
        outcome.summary.count(&outcome.findings);
    }
    if !options.all {
        let changes = match (&repo, options.staged, &options.changed_since) {
            (Some(repo), true, _) => Some(repo.staged_changes()?),
            (Some(repo), false, Some(rev)) => Some(repo.changes_since(rev)?),
            _ => None,
        };
        if let Some(changes) = changes {
            let detector_fields = checklist.detector_fields();
            let cx = LoadContext {
                fields: &ws.config.fields,
                statuses: &ws.config.statuses,
                max_item_file_bytes: ws.config.max_file_size,
                detector_fields: &detector_fields,
            };
            ChangeScope::new(&changes, cx).filter(&mut outcome);
        }
    }
    if !config_changes.is_empty() {
        if let Some(rev) = &options.config_from_ref {
            let note = config_changed(&ws, rev, &config_changes);
            outcome.findings.insert(0, note);
            outcome.summary.count(&outcome.findings);
        }
    }
    Ok((ws, outcome, checklist))
}

/// The warning that the working tree's configuration is not the one in force.
fn config_changed(ws: &Workspace, rev: &str, keys: &[String]) -> Finding {
    let file = ws
        .config_file
        .as_ref()
        .map(|p| walk::relative(&ws.root, p))
        .unwrap_or_else(|| "backlint.yaml".to_string());
    let mut finding = Finding::new(
        "config/changed",
        Severity::Warning,
        format!(
            "the working tree's configuration differs from {rev}'s in {}; the configuration of \
             {rev} is in force",
            keys.join(", ")
        ),
    )
    .file(file)
    .help("a change to the configuration takes effect once it is merged; review it there")
    .content(keys.join(","));
    finding.seal("");
    finding
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
