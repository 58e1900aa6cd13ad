//! The commands behind the command line: each takes plain options and writers and returns an
//! exit status or an [`AppError`] (exit 2). `main.rs` only parses arguments and maps results.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::discover::{self, walk};
use crate::engine::{self, CheckInput, CheckOutcome};
use crate::output::{Format, human, json};
use crate::rules;
use crate::source::{FsReader, InputFile, SourceReader};
use crate::triage::{self, Checklist};

/// Why a command could not run (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("path not found: {0}")]
    MissingPath(String),
    #[error(transparent)]
    Discover(#[from] discover::DiscoverError),
    #[error("the rule packs are invalid:\n{0}")]
    Packs(String),
    #[error("unknown rule or category `{0}`{1}")]
    UnknownRule(String, String),
    #[error("cannot determine the working directory: {0}")]
    Cwd(io::Error),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// How a run ended, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No error-severity findings (exit 0).
    Clean,
    /// At least one error-severity finding (exit 1).
    Failed,
}

impl Verdict {
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Clean => 0,
            Verdict::Failed => 1,
        }
    }
}

/// Options of `backlint check`.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub color: bool,
    pub width: usize,
}

/// Compiles the checklist of the configured packs.
pub fn checklist_for(config: &Config) -> Result<Checklist, AppError> {
    let mut packs = Vec::new();
    for name in &config.extends {
        let builtin = name.strip_prefix("builtin:").unwrap_or(name);
        let text = triage::builtin(builtin)
            .ok_or_else(|| AppError::Packs(format!("unknown pack `{name}`")))?;
        let pack = triage::parse_pack(text).map_err(|e| AppError::Packs(format!("{name}: {e}")))?;
        packs.push((name.clone(), pack));
    }
    triage::compile(&packs).map_err(|errors| {
        AppError::Packs(
            errors
                .iter()
                .map(|e| format!("  {}: {}", e.pack, e.message))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })
}

/// Today's date in UTC.
pub fn today() -> jiff::civil::Date {
    jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}

/// The files a check of `paths` reads (the configured roots, or the repository root, when no
/// path is given), and the root they are relative to.
pub fn discover_tree(
    paths: &[PathBuf],
    config: &Config,
    cwd: &Path,
) -> Result<(Vec<InputFile>, PathBuf), AppError> {
    for path in paths {
        if std::fs::symlink_metadata(path).is_err() {
            return Err(AppError::MissingPath(path.display().to_string()));
        }
    }
    let root = discover::find_root(paths.first().map_or(cwd, PathBuf::as_path), cwd);
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
            .map(|p| p.canonicalize().unwrap_or_else(|_| cwd.join(p)))
            .collect()
    };
    let files = walk::walk(&walk::WalkOptions {
        root: &root,
        paths: &targets,
        include: &config.include,
        exclude: &config.exclude,
    })?;
    Ok((files, root))
}

/// Runs the check over the working tree and returns the outcome (no output). The checklist
/// is compiled while the tree is walked.
pub fn check_tree(
    paths: &[PathBuf],
    config: &Config,
    cwd: &Path,
) -> Result<(CheckOutcome, Checklist, PathBuf), AppError> {
    let (checklist, discovered) = std::thread::scope(|scope| {
        let compiling = scope.spawn(|| checklist_for(config));
        let discovered = discover_tree(paths, config, cwd);
        let checklist = compiling
            .join()
            .unwrap_or_else(|_| Err(AppError::Packs("compiling the rule packs failed".into())));
        (checklist, discovered)
    });
    let checklist = checklist?;
    let (files, root) = discovered?;
    let outcome = engine::check(CheckInput {
        files,
        reader: &FsReader,
        config,
        checklist: &checklist,
        today: today(),
    });
    Ok((outcome, checklist, root))
}

/// `backlint check`.
pub fn check(options: &CheckOptions, out: &mut dyn Write) -> Result<Verdict, AppError> {
    let cwd = std::env::current_dir().map_err(AppError::Cwd)?;
    let config = Config::default();
    let (outcome, checklist, _root) = check_tree(&options.paths, &config, &cwd)?;
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

fn write_outcome(
    options: &CheckOptions,
    outcome: &CheckOutcome,
    reader: &dyn SourceReader,
    out: &mut dyn Write,
) -> io::Result<()> {
    match options.format {
        Format::Human => human::write(
            out,
            outcome,
            reader,
            human::HumanStyle {
                color: options.color,
                width: options.width,
            },
        ),
        Format::Json => json::write(out, outcome),
    }
}

/// `backlint rules`: every rule and every checklist category.
pub fn list_rules(out: &mut dyn Write) -> Result<Verdict, AppError> {
    let config = Config::default();
    let checklist = checklist_for(&config)?;
    writeln!(out, "Rules:")?;
    let width = rules::ALL.iter().map(|r| r.id().len()).max().unwrap_or(0);
    for rule in rules::ALL {
        writeln!(
            out,
            "  {:<width$}  {:<7}  {}",
            rule.id(),
            rule.default_severity().name(),
            rule.summary()
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Checklist categories (a triggered item needs a threat-analysis spike):"
    )?;
    let width = checklist
        .categories
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(0);
    for category in &checklist.categories {
        writeln!(
            out,
            "  {:<width$}  {}  [{}]",
            category.id,
            category.summary,
            category.origins.join(", ")
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "`backlint explain RULE` (or CATEGORY) tells what it checks, why, and how to fix it."
    )?;
    Ok(Verdict::Clean)
}

/// `backlint explain RULE|CATEGORY`.
pub fn explain(name: &str, out: &mut dyn Write) -> Result<Verdict, AppError> {
    if let Some(rule) = rules::by_id(name) {
        writeln!(out, "{} ({})", rule.id(), rule.default_severity().name())?;
        writeln!(out)?;
        writeln!(out, "{}", rule.summary())?;
        writeln!(out)?;
        for line in rule.docs().lines() {
            writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line))?;
        }
        return Ok(Verdict::Clean);
    }
    let config = Config::default();
    let checklist = checklist_for(&config)?;
    if let Some(category) = checklist.categories.iter().find(|c| c.id == name) {
        writeln!(
            out,
            "{} (checklist category, from {})",
            category.id,
            category.origins.join(", ")
        )?;
        writeln!(out)?;
        writeln!(out, "Triggers when an item {}.", category.summary)?;
        writeln!(out)?;
        writeln!(out, "{}", category.explain)?;
        writeln!(out)?;
        writeln!(
            out,
            "A triggered item needs a linked threat-analysis spike (see `backlint explain \
             triage/missing-spike`)."
        )?;
        return Ok(Verdict::Clean);
    }
    let mut known: Vec<String> = rules::ALL.iter().map(|r| r.id().to_string()).collect();
    known.extend(checklist.categories.iter().map(|c| c.id.clone()));
    let hint = suggest(name, &known)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_else(|| "; `backlint rules` lists them".to_string());
    Err(AppError::UnknownRule(name.to_string(), hint))
}

/// The closest known name, if it is close enough to be a typo.
pub fn suggest<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(name, k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
        .or_else(|| {
            known
                .iter()
                .find(|k| k.ends_with(&format!("/{name}")))
                .map(String::as_str)
        })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let known = vec![
            "triage/missing-spike".to_string(),
            "network-input".to_string(),
        ];
        assert_eq!(
            suggest("triage/mising-spike", &known),
            Some("triage/missing-spike")
        );
        assert_eq!(
            suggest("missing-spike", &known),
            Some("triage/missing-spike")
        );
        assert_eq!(suggest("network_input", &known), Some("network-input"));
        assert_eq!(suggest("zzz", &known), None);
    }
}
