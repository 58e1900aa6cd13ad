//! The commands behind the command line: each takes plain options and writers and returns an
//! exit status or an [`AppError`] (exit 2). `main.rs` only parses arguments and maps results.

pub mod baseline;
pub mod check;
pub mod explain;
pub mod fix;
pub mod git_config;
pub mod hook;
pub mod init;
pub mod workspace;

pub use check::{CheckOptions, check};
pub use explain::{explain, list_rules};
pub use workspace::Workspace;

use std::io;

use crate::config::load::ConfigError;
use crate::config::{Config, PackSource};
use crate::discover;
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
    #[error("the configuration is invalid ({} problem(s))", .0.len())]
    Config(Vec<ConfigError>),
    #[error("cannot read the configuration `{0}`: {1}")]
    ConfigUnreadable(String, io::Error),
    #[error(transparent)]
    Git(crate::discover::git::GitError),
    #[error(transparent)]
    Hook(crate::hook::HookError),
    #[error("cannot use the baseline `{0}`: {1}")]
    Baseline(String, String),
    #[error(transparent)]
    Fix(crate::fix::FixError),
    #[error("cannot write `{0}`: {1}")]
    Output(String, io::Error),
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

/// Compiles the checklist: the built-in default pack, then the configured packs; then switches
/// off the configured categories.
pub fn checklist_for(config: &Config) -> Result<Checklist, AppError> {
    let mut packs = Vec::new();
    let default = triage::builtin("default").unwrap_or_default();
    let pack = triage::parse_pack(default)
        .map_err(|e| AppError::Packs(format!("builtin:default: {e}")))?;
    packs.push(("builtin:default".to_string(), pack));
    for source in &config.packs {
        let pack = match source {
            PackSource::Builtin(name) => {
                let text = triage::builtin(name)
                    .ok_or_else(|| AppError::Packs(format!("unknown pack `builtin:{name}`")))?;
                triage::parse_pack(text)
                    .map_err(|e| AppError::Packs(format!("builtin:{name}: {e}")))?
            }
            PackSource::File { pack, .. } | PackSource::Inline(pack) => pack.clone(),
        };
        packs.push((source.name(), pack));
    }
    let mut checklist = triage::compile(&packs).map_err(|errors| {
        AppError::Packs(
            errors
                .iter()
                .map(|e| format!("  {}: {}", e.pack, e.message))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    for (name, _) in &config.disabled_categories {
        checklist.disable(name);
    }
    Ok(checklist)
}

/// Today's date in UTC.
pub fn today() -> jiff::civil::Date {
    jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}

/// The closest known name, if it is close enough to be a typo.
pub fn suggest<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    // Compare with the whole name and with its last segment (`missing-spik` →
    // `triage/missing-spike`).
    let distance = |k: &str| {
        let whole = edit_distance(name, k);
        let tail = k
            .rsplit('/')
            .next()
            .map_or(whole, |t| edit_distance(name, t));
        whole.min(tail)
    };
    known
        .iter()
        .map(|k| (distance(k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
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
