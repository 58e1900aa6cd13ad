//! `backlint check`: gathers the inputs (configuration, files from the tree or the index, the
//! baseline, the change), compiles the checklist meanwhile, runs the engine, and writes the
//! chosen format. Findings are the engine's; nothing here touches them.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{AppError, Verdict, Workspace, rules_for, today};
use crate::cache::{BlobOracle, ItemCache};
use crate::config::DodSetting;
use crate::diagnostic::RuleId;
use crate::discover::git::{Change, GitRepo};
use crate::discover::walk;
use crate::engine::{self, BaselineInput, CheckInput, ConfigChange};
use crate::filter::ReportFilter;
use crate::model::LayoutIndex;
use crate::outcome::CheckOutcome;
use crate::output::{self, Format, human};
use crate::source::{FsReader, InputFile, Origin, SourceReader};
use crate::triage::Checklist;
use crate::util::suggest::suggest;

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
    /// A URL prefix that makes file links in reports absolute (GitHub Actions), if any.
    pub link_base: Option<String>,
    /// `--fail-on`: `Some(true)` fails on warnings too, `Some(false)` on errors only; `None`
    /// follows `fail_on:` in backlint.yaml.
    pub fail_on_warning: Option<bool>,
    /// `--no-cache`: parse every file, and leave the item cache alone.
    pub no_cache: bool,
    /// `--timings`: print where the time went (to the error writer).
    pub timings: bool,
    /// `--verbose`: say what the item cache did.
    pub verbose: bool,
    /// `--rule`, `--category`, `--status`: which findings are reported.
    pub rules: Vec<String>,
    pub categories: Vec<String>,
    pub status: crate::filter::StatusFilter,
    /// `--statistics`: counts per rule and category after the report.
    pub statistics: bool,
    /// `--fix --include-done`: give done items spikes too.
    pub include_done: bool,
    /// `--fix --yes`: create more than [`super::fix::MAX_SPIKES_WITHOUT_YES`] spikes.
    pub yes: bool,
    /// `--also FORMAT:FILE`: the same outcome written in more formats, to files.
    pub also: Vec<(Format, PathBuf)>,
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
        if !files.iter().any(|f| *f.path == **path) {
            let disk = root.join(path);
            let origin = if disk.is_file() {
                Origin::Disk(disk)
            } else {
                Origin::Unreadable("the file named by `definition_of_done` does not exist".into())
            };
            files.push(InputFile::new(path.clone(), origin));
        }
    }
    Ok(files)
}

/// What a check reads besides the files: the baseline, the change to judge, and a note that
/// the configuration in force is not the working tree's.
#[derive(Default)]
struct Extras {
    baseline: Option<BaselineInput>,
    changes: Option<Vec<Change>>,
    config_change: Option<ConfigChange>,
    cache: Option<ItemCache>,
    filter: ReportFilter,
    /// The files' layout, when it was worked out while gathering (see `CheckInput::layout`).
    layout: Option<LayoutIndex>,
    /// How long gathering these took, for `--timings`.
    prepared: Vec<(String, std::time::Duration)>,
}

/// Runs `task` on one of rayon's worker threads — those that load the files next, not a thread
/// of its own: every thread that allocates costs the allocator its own memory (megabytes under
/// transparent huge pages) — while `here` runs on this thread. Returns what `task` gave and
/// how long it took (`None` if it panicked), and what `here` gave.
fn meanwhile<T: Send, R>(
    task: impl FnOnce() -> T + Send,
    here: impl FnOnce() -> R,
) -> (Option<(T, std::time::Duration)>, R) {
    let mut done = None;
    let result = rayon::in_place_scope(|scope| {
        scope.spawn(|_| {
            let started = std::time::Instant::now();
            done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(task))
                .ok()
                .map(|value| (value, started.elapsed()));
        });
        here()
    });
    (done, result)
}

/// When a run builds the phrase automaton (milliseconds of one core) ahead of its first
/// triage, on a worker, rather than in that triage's way.
#[derive(Clone, Copy)]
enum Prebuild<'a> {
    /// As soon as the checklist is compiled: the run will triage (it has no cache, or it
    /// judges a change since a revision, whose items are mostly new).
    Now,
    /// Once the files are listed, unless `prepare` cleared the flag on learning that nothing
    /// will be triaged (a hook run again over a staged change the cache holds).
    UnlessCleared(&'a AtomicBool),
    /// By the first triage, if any (a working-tree check with a cache, whose items mostly
    /// come from it); where phrases start is worked out with the checklist, while the files
    /// are listed, so that the first triage (of the one item just edited, often) waits for the
    /// automaton alone.
    OnFirstNeed,
}

/// Runs the check over the files `prepare` lists, with what it gathers besides (the change,
/// the cache, the baseline), compiling the checklist meanwhile on a worker thread.
///
/// `prebuild` says when the phrase automaton is built ahead of the first triage (see
/// [`Prebuild`]).
fn run(
    ws: &Workspace,
    prebuild: Prebuild<'_>,
    prepare: impl FnOnce() -> Result<(Extras, Vec<InputFile>), AppError>,
) -> Result<(CheckOutcome, Checklist), AppError> {
    let started = std::time::Instant::now();
    let compile = || {
        let rules = rules_for(&ws.config);
        match (prebuild, &rules) {
            (Prebuild::Now, Ok((checklist, _))) => checklist.build_matcher_meanwhile(),
            (Prebuild::OnFirstNeed, Ok((checklist, _))) => checklist.work_out_phrase_starts(),
            _ => {}
        }
        rules
    };
    let (compiled, prepared) = meanwhile(compile, prepare);
    let (rules, compiled_in) = compiled.unwrap_or_else(|| {
        (
            Err(AppError::Packs("compiling the rule packs failed".into())),
            Default::default(),
        )
    });
    let (checklist, severities) = rules?;
    let (extras, files) = prepared?;
    if let Prebuild::UnlessCleared(needed) = prebuild {
        if needed.load(Ordering::Relaxed) {
            checklist.build_matcher_meanwhile();
        }
    }
    check_categories(&extras.filter.categories, &checklist)?;
    let discovered_in = started.elapsed();
    let mut outcome = engine::check(CheckInput {
        files,
        reader: &FsReader,
        config: &ws.config,
        checklist: &checklist,
        severities: &severities,
        today: today(),
        baseline: extras.baseline,
        changes: extras.changes,
        config_change: extras.config_change,
        cache: extras.cache,
        filter: extras.filter,
        skip_untouched: true,
        layout: extras.layout,
    });
    let mut phases = vec![("prepare, compile the rules".to_string(), discovered_in)];
    phases.extend(
        extras
            .prepared
            .into_iter()
            .map(|(phase, time)| (format!("  {phase}"), time)),
    );
    phases.push(("  compile the rules (meanwhile)".to_string(), compiled_in));
    outcome.timings.phases.splice(0..0, phases);
    Ok((outcome, checklist))
}

/// Where the item cache of `repo` lives, unless `--no-cache` switched it off.
fn cache_file(repo: &GitRepo, options: &CheckOptions) -> Option<PathBuf> {
    (!options.no_cache).then(|| cache_path(repo))
}

/// Where `repo`'s item cache lives.
fn cache_path(repo: &GitRepo) -> PathBuf {
    repo.git_dir().join("backlint").join("items.bin")
}

/// What decides how files are read and triaged besides their bytes: the configuration in
/// force, the built-in model and packs, and this very binary (a rebuilt backlint starts over).
fn cache_fingerprint(config: &crate::config::Config) -> [u8; 16] {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!("{}:{:?}", m.len(), m.modified().ok()))
        .unwrap_or_default();
    let packs: String = crate::triage::BUILTIN_PACKS
        .iter()
        .map(|(_, text)| *text)
        .collect();
    let model = crate::triage::model::BUILTIN_MODEL;
    crate::cache::fingerprint(&format!("{config:?}\0{exe}\0{packs}\0{model:?}"))
}

/// Runs the check over the working tree (every finding; no baseline).
pub fn check_tree(
    ws: &Workspace,
    paths: &[PathBuf],
) -> Result<(CheckOutcome, Checklist), AppError> {
    run(ws, Prebuild::Now, || {
        Ok((Extras::default(), discover_tree(ws, paths)?))
    })
}

/// [`check_tree`] with the item cache a working-tree `check` keeps (read, and written back),
/// unless `no_cache`: files it knows are not parsed or triaged again.
pub fn check_tree_cached(
    ws: &Workspace,
    paths: &[PathBuf],
    no_cache: bool,
) -> Result<(CheckOutcome, Checklist), AppError> {
    let repo = (!no_cache).then(|| GitRepo::open(&ws.root).ok()).flatten();
    let Some(repo) = repo else {
        return check_tree(ws, paths);
    };
    let cache_file = cache_path(&repo);
    let indexed = crate::discover::git::IndexedBlobs::new(&repo, &ws.root);
    run(ws, Prebuild::OnFirstNeed, || {
        let (opened, files) = meanwhile(
            || open_cache(ws, &cache_file, indexed),
            || discover_tree(ws, paths),
        );
        let extras = Extras {
            cache: opened.map(|(cache, _)| cache),
            ..Extras::default()
        };
        Ok((extras, files?))
    })
}

/// The item cache in `file`, for `ws`'s configuration; files it does not know by their stat
/// data are looked up in the index by theirs (`indexed`), when there is one.
fn open_cache(
    ws: &Workspace,
    file: &std::path::Path,
    indexed: Option<crate::discover::git::IndexedBlobs>,
) -> ItemCache {
    let cache = ItemCache::open(file, cache_fingerprint(&ws.config));
    match indexed {
        Some(indexed) => cache.with_oracle(BlobOracle(Box::new(move |path, stamp| {
            indexed.blob_of(path, stamp.size, stamp.mtime)
        }))),
        None => cache,
    }
}

/// Like [`check_tree`], with a baseline applied as `check` applies it.
pub fn check_tree_with_baseline(
    ws: &Workspace,
    paths: &[PathBuf],
    baseline: Option<(crate::baseline::Baseline, String)>,
) -> Result<(CheckOutcome, Checklist), AppError> {
    let extras = Extras {
        baseline: baseline.map(|(baseline, path)| BaselineInput { baseline, path }),
        ..Extras::default()
    };
    run(ws, Prebuild::Now, || {
        Ok((extras, discover_tree(ws, paths)?))
    })
}

/// The repository-relative prefixes a git-based check reads: the given paths, else the
/// configured roots, else everything.
pub fn prefixes(ws: &Workspace, paths: &[PathBuf]) -> Vec<String> {
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

pub fn glob_set(globs: &[String]) -> Option<globset::GlobSet> {
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

/// What `backlint check` built, returned so that the caller decides when to free it (a
/// process about to exit need not).
#[derive(Debug)]
pub struct CheckRun {
    pub verdict: Verdict,
    pub outcome: Option<CheckOutcome>,
    pub checklist: Option<Checklist>,
}

/// `backlint check`: the report goes to `out`; notes beside a machine-readable report (what
/// `--fix` did) go to `err`.
pub fn check(
    options: &CheckOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<CheckRun, AppError> {
    let (ws, mut outcome, mut checklist) = evaluate(options)?;
    if options.fix {
        let plan = super::fix::plan_for(&ws, &outcome, &checklist, options.include_done);
        if !options.dry_run && !options.yes && plan.fixed.len() > super::fix::MAX_SPIKES_WITHOUT_YES
        {
            return Err(AppError::TooManySpikes(plan.fixed.len()));
        }
        if options.dry_run {
            let verdict = super::fix::print_plan(&plan, options, out, err)?;
            return Ok(CheckRun {
                verdict,
                outcome: Some(outcome),
                checklist: Some(checklist),
            });
        }
        super::fix::apply(&ws, &plan, options, out, err)?;
        if !plan.changes.is_empty() {
            (_, outcome, checklist) = evaluate(options)?;
        }
    }
    let started = std::time::Instant::now();
    write_outcome(options, &outcome, &FsReader, out)?;
    for (format, path) in &options.also {
        write_report_file(*format, path, options, &outcome, &FsReader)?;
    }
    outcome.timings.add("render", started.elapsed());
    // A blocked commit whose fix sits unstaged in the working tree: say what to stage.
    if options.staged && outcome.summary.errors > 0 {
        let advice = super::staged_advice::advice(&ws, options, &outcome)?;
        let to: &mut dyn Write = if options.format == Format::Human && options.output.is_none() {
            out
        } else {
            err
        };
        for line in advice {
            writeln!(to, "{line}")?;
        }
    }
    // The human report ends with the table already; beside a report read by machines it goes
    // to the error writer.
    if options.statistics && options.format != Format::Human {
        let stats = output::statistics::Statistics::of(&outcome);
        if options.format == Format::Concise && options.output.is_none() {
            stats.write_table(out)?;
        } else {
            stats.write_table(err)?;
        }
    }
    if options.timings || options.verbose {
        write_timings(&outcome.timings, options, err)?;
    }
    let fail_on_warning = options.fail_on_warning.unwrap_or(ws.config.fail_on_warning);
    let verdict = if outcome.summary.errors > 0 || (fail_on_warning && outcome.summary.warnings > 0)
    {
        Verdict::Failed
    } else {
        Verdict::Clean
    };
    Ok(CheckRun {
        verdict,
        outcome: Some(outcome),
        checklist: Some(checklist),
    })
}

/// Gathers what the check reads as `options` say (the tree or the index, the baseline, the
/// change, the configuration in force) and runs it.
fn evaluate(options: &CheckOptions) -> Result<(Workspace, CheckOutcome, Checklist), AppError> {
    let started = std::time::Instant::now();
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
    let filter = report_filter(options)?;
    let baseline = super::baseline::load(&ws, options.baseline.as_deref())?;
    let opened_in = started.elapsed();
    // Everything but the workspace is gathered while the rules compile on another thread.
    let triage_staged = AtomicBool::new(true);
    let prebuild = if options.no_cache || options.changed_since.is_some() {
        Prebuild::Now
    } else if options.staged {
        Prebuild::UnlessCleared(&triage_staged)
    } else {
        Prebuild::OnFirstNeed
    };
    let (outcome, checklist) = run(&ws, prebuild, || {
        let mut extras = Extras {
            filter,
            baseline: baseline.map(|(baseline, path)| BaselineInput { baseline, path }),
            ..Extras::default()
        };
        extras
            .prepared
            .push(("open the repository and configuration".into(), opened_in));
        if let (false, Some(rev)) = (config_changes.is_empty(), &options.config_from_ref) {
            extras.config_change = Some(ConfigChange {
                rev: rev.clone(),
                keys: config_changes,
                file: ws
                    .config_file
                    .as_ref()
                    .map(|p| walk::relative(&ws.root, p))
                    .unwrap_or_else(|| "backlint.yaml".to_string()),
            });
        }
        // The item cache lives in the repository's git directory; outside git there is none.
        // It is read, checked and indexed on a worker thread while the change is worked out
        // and the files are listed.
        let tree_repo = match &repo {
            Some(_) => None,
            None if options.no_cache => None,
            None => GitRepo::open(&ws.root).ok(),
        };
        let cache_repo = repo.as_ref().or(tree_repo.as_ref());
        let cache_file = cache_repo.and_then(|r| cache_file(r, options));
        // A working-tree file the cache does not know by its stat data may be known by the
        // index's (a fresh checkout): then it is not read to learn its content. (A staged
        // run's files come with their blob ids.)
        let indexed = cache_file
            .as_ref()
            .filter(|_| !options.staged)
            .and(cache_repo)
            .and_then(|r| crate::discover::git::IndexedBlobs::new(r, &ws.root));
        let opening = || cache_file.map(|file| open_cache(&ws, &file, indexed));
        let (opened, (changes, diffed_in, files, found_in)) = meanwhile(opening, || {
            let started = std::time::Instant::now();
            let changes = match (options.all, &repo, options.staged, &options.changed_since) {
                (false, Some(repo), true, _) => repo.staged_changes().map(Some),
                (false, Some(repo), false, Some(rev)) => repo.changes_since(rev).map(Some),
                _ => Ok(None),
            };
            let diffed_in = started.elapsed();
            let started = std::time::Instant::now();
            let files = match (&repo, options.staged) {
                (Some(repo), true) => {
                    let prefixes = prefixes(&ws, &options.paths);
                    let include = glob_set(&ws.config.include);
                    let exclude = glob_set(&ws.config.exclude);
                    repo.staged_files(&prefixes, include.as_ref(), exclude.as_ref())
                        .map_err(AppError::from)
                }
                _ => discover_tree(&ws, &options.paths),
            };
            (changes, diffed_in, files, started.elapsed())
        });
        extras.changes = changes?;
        let (cache, opened_in) = opened.unwrap_or_default();
        let files = files?;
        // A hook run again over a staged change the cache holds triages nothing: the phrase
        // automaton is not built (it would take a core from decoding the cached items). The
        // layout this takes is the check's own.
        if let (true, Some(changes)) = (options.staged, &extras.changes) {
            let layout = engine::layout_for(&files, &ws.config);
            if !engine::change_needs_triage(&files, &layout, cache.as_ref(), changes) {
                triage_staged.store(false, Ordering::Relaxed);
            }
            extras.layout = Some(layout);
        }
        if repo.is_some() {
            extras
                .prepared
                .push(("the change (git diff)".into(), diffed_in));
        }
        // A cache that cannot be opened is only a slower run.
        extras
            .prepared
            .push(("open the item cache (meanwhile)".into(), opened_in));
        extras
            .prepared
            .push(("discover (git index or walk)".into(), found_in));
        extras.cache = cache;
        Ok((extras, files))
    })?;
    Ok((ws, outcome, checklist))
}

/// The report filter of `--rule`, `--category` and `--status`; rule ids are checked here,
/// categories once the checklist is compiled.
fn report_filter(options: &CheckOptions) -> Result<ReportFilter, AppError> {
    let mut rules = Vec::new();
    for name in &options.rules {
        match name.parse::<RuleId>() {
            Ok(rule) => rules.push(rule),
            Err(()) => {
                let known: Vec<String> =
                    RuleId::ALL.iter().map(|r| r.as_str().to_string()).collect();
                let hint = suggest(name, &known)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_else(|| "; `backlint rules` lists them".to_string());
                return Err(AppError::UnknownRule(name.clone(), hint));
            }
        }
    }
    Ok(ReportFilter {
        status: options.status,
        rules,
        categories: options.categories.clone(),
    })
}

/// Every `--category` names a category of the checklist in force.
fn check_categories(categories: &[String], checklist: &Checklist) -> Result<(), AppError> {
    let known: Vec<String> = checklist
        .categories()
        .iter()
        .map(|c| c.id.clone())
        .collect();
    for name in categories {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            let hint = suggest(name, &known)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_else(|| format!("; the categories are: {}", known.join(", ")));
            return Err(AppError::UnknownRule(name.clone(), hint));
        }
    }
    Ok(())
}

/// `--timings` / `--verbose`: the time per phase and what the cache did, on the error writer.
fn write_timings(
    timings: &crate::outcome::Timings,
    options: &CheckOptions,
    err: &mut dyn Write,
) -> Result<(), AppError> {
    if options.verbose {
        for note in &timings.notes {
            writeln!(err, "backlint: note: {note}")?;
        }
    }
    if options.timings {
        writeln!(err, "backlint: timings")?;
        for (phase, time) in &timings.phases {
            writeln!(err, "  {phase:<40} {:>9.1} ms", time.as_secs_f64() * 1000.0)?;
        }
        writeln!(
            err,
            "  item cache: {} files from the cache ({} read to learn their content), {} parsed",
            timings.cache_hits, timings.cache_hits_read, timings.cache_misses
        )?;
        // Written after the report: the run's peak (Linux says; elsewhere the line is left out).
        if let Some(peak) = crate::util::memory::peak_resident_bytes() {
            let megabytes = peak as f64 / (1024.0 * 1024.0);
            writeln!(err, "  peak memory (resident set): {megabytes:.1} MB")?;
        }
    }
    Ok(())
}

/// Writes the report: to `--output` (atomically) with the human summary line on the terminal,
/// or to `out`.
pub fn write_outcome(
    options: &CheckOptions,
    outcome: &CheckOutcome,
    reader: &dyn SourceReader,
    out: &mut dyn Write,
) -> Result<(), AppError> {
    let render = output::RenderOptions {
        style: human::HumanStyle {
            color: options.color,
            width: options.width,
            miette_only: false,
        },
        link_base: options.link_base.clone(),
    };
    match &options.output {
        None => output::write(options.format, out, outcome, reader, &render)?,
        Some(path) => {
            write_report_file(options.format, path, options, outcome, reader)?;
            human::write_summary(out, &outcome.summary, options.color)?;
        }
    }
    Ok(())
}

/// Writes the report in `format` to `path` (atomically, without colour).
fn write_report_file(
    format: Format,
    path: &std::path::Path,
    options: &CheckOptions,
    outcome: &CheckOutcome,
    reader: &dyn SourceReader,
) -> Result<(), AppError> {
    let render = output::RenderOptions {
        style: human::HumanStyle {
            color: false,
            width: options.width,
            miette_only: false,
        },
        link_base: options.link_base.clone(),
    };
    let mut buffer = Vec::new();
    output::write(format, &mut buffer, outcome, reader, &render)?;
    crate::util::fs::write_file_atomically(path, &buffer)
        .map_err(|e| AppError::Output(path.display().to_string(), e))
}
