//! backlint's configuration: what to read, how fields and statuses are named, which rule packs
//! apply, and how severe each rule is. [`Config::default`] is the behaviour with no
//! `backlint.yaml`; [`load`] reads and validates the file; [`schema`] publishes its shape.

pub mod load;
pub mod schema;
pub mod severity;

pub use severity::SeverityTable;

use std::collections::BTreeMap;
use std::ops::Range;

use globset::GlobSet;

use std::sync::Arc;

use crate::triage::{RulePack, Thresholds, TriageModel};

use crate::diagnostic::{RuleId, Severity};
use crate::model::{FieldNames, StatusTable};

/// A rule's configured severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Error,
    Warning,
    Off,
}

impl RuleLevel {
    pub fn parse(text: &str) -> Option<RuleLevel> {
        match text.trim().to_ascii_lowercase().as_str() {
            "error" | "deny" => Some(RuleLevel::Error),
            "warning" | "warn" => Some(RuleLevel::Warning),
            "off" | "allow" | "none" => Some(RuleLevel::Off),
            _ => None,
        }
    }

    pub fn severity(self) -> Option<Severity> {
        match self {
            RuleLevel::Error => Some(Severity::Error),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Off => None,
        }
    }
}

/// `definition_of_done:` in backlint.yaml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DodSetting {
    /// A file, relative to the repository root.
    Path(String),
    /// The entries themselves.
    Inline(Vec<String>),
}

/// A rule pack to apply after the built-in default pack.
#[derive(Clone, Debug)]
pub enum PackSource {
    /// `builtin:NAME`.
    Builtin(String),
    /// A pack file in the repository (already read and validated).
    File { path: String, pack: RulePack },
    /// `categories:` and `signals:` written in backlint.yaml itself.
    Inline(RulePack),
}

impl PackSource {
    pub fn name(&self) -> String {
        match self {
            PackSource::Builtin(name) => format!("builtin:{name}"),
            PackSource::File { path, .. } => path.clone(),
            PackSource::Inline(pack) => pack.name.clone(),
        }
    }
}

/// Which classifier scores the built-in categories (`triage_model:`).
#[derive(Clone, Debug, Default)]
pub enum ModelSetting {
    /// The model compiled into backlint (the default).
    #[default]
    Builtin,
    /// The phrase rules alone (`triage_model: phrase-rules`): no possible tier.
    PhraseRules,
    /// A team's own model file (from `backlint triage train`), already read and validated.
    File {
        path: String,
        model: Arc<TriageModel>,
    },
}

/// Severities for some paths only (`overrides:`).
#[derive(Clone, Debug)]
pub struct PathOverride {
    pub paths: GlobSet,
    pub rules: BTreeMap<RuleId, RuleLevel>,
}

/// Markdown backlog files with one item per heading.
#[derive(Clone, Debug)]
pub struct MarkdownSections {
    pub files: GlobSet,
    pub level: u8,
}

/// The effective configuration of a run.
#[derive(Clone, Debug)]
pub struct Config {
    /// Paths checked when none are given on the command line (relative to the root).
    pub roots: Vec<String>,
    /// Globs of files to read; empty means every file.
    pub include: Vec<String>,
    /// Globs of files never to read.
    pub exclude: Vec<String>,
    pub fields: FieldNames,
    pub statuses: StatusTable,
    /// Legacy id prefixes: `(old, new)` — `task-12` means `BACK-12`.
    pub legacy_prefixes: Vec<(String, String)>,
    /// Rule packs applied after `builtin:default`, in order.
    pub packs: Vec<PackSource>,
    /// Severity per rule id.
    pub severities: BTreeMap<RuleId, RuleLevel>,
    /// Severities for some paths (later overrides win).
    pub overrides: Vec<PathOverride>,
    /// Markdown files read as one item per heading.
    pub markdown_sections: Option<MarkdownSections>,
    /// Checklist categories switched off, with where the config names them.
    pub disabled_categories: Vec<(String, Range<usize>)>,
    /// Item files larger than this are reported instead of parsed.
    pub max_file_size: usize,
    /// The team's definition of done, when configured.
    pub definition_of_done: Option<DodSetting>,
    /// The baseline file `check` applies (repository-relative), when configured.
    pub baseline: Option<String>,
    /// The configuration file this came from (for messages), or empty.
    pub source_path: String,
    /// The classifier of the built-in categories.
    pub triage_model: ModelSetting,
    /// Tier thresholds per category, replacing the model's.
    pub triage_thresholds: Vec<(String, Thresholds)>,
    /// Warnings fail the run too (`fail_on: warning` or `--fail-on warning`).
    pub fail_on_warning: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            roots: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            fields: FieldNames::default(),
            statuses: StatusTable::default(),
            legacy_prefixes: Vec::new(),
            packs: Vec::new(),
            severities: BTreeMap::new(),
            overrides: Vec::new(),
            markdown_sections: None,
            disabled_categories: Vec::new(),
            max_file_size: 4 << 20,
            definition_of_done: None,
            baseline: None,
            source_path: String::new(),
            triage_model: ModelSetting::Builtin,
            triage_thresholds: Vec::new(),
            fail_on_warning: false,
        }
    }
}
