//! The commands behind the command line: each takes plain options and writers and returns an
//! exit status or an [`AppError`] (exit 2). `main.rs` only parses arguments and maps results.

pub mod baseline;
pub mod check;
pub mod explain;
pub mod fix;
pub mod flow;
pub mod git_config;
pub mod history;
pub mod hook;
pub mod init;
pub mod labels;
pub mod report;
pub mod staged_advice;
pub mod triage_dump;
pub mod triage_train;
pub mod why;
pub mod workspace;

pub use check::{CheckOptions, CheckRun, check};
pub use explain::{explain, list_rules};
pub use workspace::Workspace;

use std::io;

use crate::config::load::ConfigError;
use crate::config::{Config, ModelSetting, PackSource, RuleLevel, SeverityTable};
use crate::diagnostic::RuleId;
use crate::discover;
use crate::triage::TriageModel;
use crate::triage::model::BUILTIN_MODEL;
use crate::triage::{self, Checklist, RulePack};

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
    #[error("labelled items: {0}")]
    Labels(String),
    #[error("no item has the id `{0}`{1}")]
    UnknownItem(String, String),
    #[error(transparent)]
    Fix(crate::fix::FixError),
    #[error(
        "--fix would create {0} threat-analysis spikes at once; nothing was written. Review them \
         with `backlint check --fix --dry-run`, then run `backlint check --fix --yes` (or fix \
         a folder at a time)"
    )]
    TooManySpikes(usize),
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

/// The rule packs in force: the built-in default pack, then the configured packs in order.
pub fn packs_for(config: &Config) -> Result<Vec<(String, RulePack)>, AppError> {
    let mut packs = vec![("builtin:default".to_string(), builtin_pack("default")?)];
    for source in &config.packs {
        let pack = match source {
            PackSource::Builtin(name) => builtin_pack(name)?,
            PackSource::File { pack, .. } | PackSource::Inline(pack) => pack.clone(),
        };
        packs.push((source.name(), pack));
    }
    Ok(packs)
}

/// The built-in pack `name`, vetted: its phrases are not checked again (the tests compile
/// them).
fn builtin_pack(name: &str) -> Result<RulePack, AppError> {
    let text = triage::builtin(name)
        .ok_or_else(|| AppError::Packs(format!("unknown pack `builtin:{name}`")))?;
    let pack =
        triage::parse_pack(text).map_err(|e| AppError::Packs(format!("builtin:{name}: {e}")))?;
    Ok(RulePack {
        vetted: true,
        ..pack
    })
}

/// The checklist and the severity table of a run: the packs compiled, the configured
/// categories switched off, and every rule's severity resolved once.
pub fn rules_for(config: &Config) -> Result<(Checklist, SeverityTable), AppError> {
    let (mut checklist, severities) = phrase_rules_for(config)?;
    match &config.triage_model {
        ModelSetting::Builtin => {
            let model = builtin_model()?;
            checklist.use_model(model, &config.triage_thresholds);
        }
        ModelSetting::File { model, .. } => checklist.use_model(model, &config.triage_thresholds),
        ModelSetting::PhraseRules => {}
    }
    Ok((checklist, severities))
}

/// Like [`rules_for`], with every category scored by its phrase rules (no model): what a
/// model is trained on.
pub fn phrase_rules_for(config: &Config) -> Result<(Checklist, SeverityTable), AppError> {
    let packs = packs_for(config)?;
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
    let pack_levels = packs.iter().flat_map(|(_, pack)| {
        pack.severities.iter().filter_map(|(rule, level)| {
            Some((rule.parse::<RuleId>().ok()?, RuleLevel::parse(level)?))
        })
    });
    let severities = SeverityTable::resolve(pack_levels, config);
    Ok((checklist, severities))
}

/// The model compiled into backlint, read once.
pub fn builtin_model() -> Result<&'static TriageModel, AppError> {
    static MODEL: std::sync::OnceLock<Result<TriageModel, String>> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| TriageModel::from_bytes(BUILTIN_MODEL).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| AppError::Packs(format!("the built-in triage model: {e}")))
}

/// Compiles the checklist of `config` (see [`rules_for`]).
pub fn checklist_for(config: &Config) -> Result<Checklist, AppError> {
    rules_for(config).map(|(checklist, _)| checklist)
}

/// Today's date in UTC.
pub fn today() -> jiff::civil::Date {
    jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}
