//! backlint's configuration: what to read, how fields and statuses are named, which rule packs
//! apply, and how severe each rule is. [`Config::default`] is the behaviour with no
//! `backlint.yaml`.

use std::collections::BTreeMap;

use crate::diagnostic::Severity;
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
    /// Rule packs, in order: `builtin:NAME` or a path relative to the config file.
    pub extends: Vec<String>,
    /// Severity per rule id.
    pub severities: BTreeMap<String, RuleLevel>,
    /// Item files larger than this are reported instead of parsed.
    pub max_file_size: usize,
    /// The team's definition of done, when configured.
    pub definition_of_done: Option<DodSetting>,
    /// The configuration file this came from (for messages), or empty.
    pub source_path: String,
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
            extends: vec!["builtin:default".to_string()],
            severities: BTreeMap::new(),
            max_file_size: 4 << 20,
            definition_of_done: None,
            source_path: String::new(),
        }
    }
}

impl Config {
    /// The severity of `rule`, or `None` when it is switched off.
    pub fn severity_of(&self, rule: &str, default: Severity) -> Option<Severity> {
        match self.severities.get(rule) {
            Some(level) => level.severity(),
            None => Some(default),
        }
    }
}
