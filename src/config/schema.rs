//! The shape of `backlint.yaml`, as types: the source of the published JSON Schema
//! (`backlint.schema.json`) that editors use to complete and check the file. Loading does not
//! go through these types (it validates a span-keeping tree so that every problem is reported
//! at its line); a test keeps the two in step.

use std::collections::BTreeMap;

use schemars::JsonSchema;

/// backlint configuration (`backlint.yaml` or `.backlint.yaml`, found upward from the checked
/// path).
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ConfigFile {
    /// Rule packs applied after the built-in default pack, in order: `builtin:web-app`,
    /// `builtin:embedded`, `builtin:fintech`, or a path relative to this file.
    pub extends: Option<Vec<String>>,
    /// Folders checked when no path is given (relative to this file).
    pub roots: Option<Vec<String>>,
    /// Only files matching one of these globs are read.
    pub include: Option<Vec<String>>,
    /// Files matching one of these globs are never read.
    pub exclude: Option<Vec<String>>,
    /// Field names per meaning, replacing the defaults (`id: [id, key, ticket]`).
    pub fields: Option<FieldsSetting>,
    /// Extra status spellings: `parked: todo`, `shipped: done`.
    pub statuses: Option<BTreeMap<String, StatusName>>,
    /// Legacy id prefixes: `task: BACK` makes `task-12` name `BACK-12`.
    pub legacy_prefixes: Option<BTreeMap<String, String>>,
    /// Markdown backlog files with one item per heading.
    pub markdown_sections: Option<MarkdownSections>,
    /// The team's definition of done: a file (relative to this file) or the entries themselves.
    pub definition_of_done: Option<DefinitionOfDone>,
    /// Severity per rule id: `error`, `warning` or `off`.
    pub rules: Option<BTreeMap<String, Level>>,
    /// Severities for some paths only.
    pub overrides: Option<Vec<Override>>,
    /// Checklist categories switched off for this backlog.
    pub disabled_categories: Option<Vec<String>>,
    /// Categories defined or extended here (the rule-pack format).
    pub categories: Option<BTreeMap<String, CategorySetting>>,
    /// Phrases for the text signals (the rule-pack format).
    pub signals: Option<BTreeMap<String, Vec<String>>>,
    /// Item files larger than this many bytes are reported instead of parsed.
    pub max_file_size: Option<u64>,
    /// A baseline file (from `backlint baseline`) that `check` applies: its findings are
    /// accepted debt.
    pub baseline: Option<String>,
    /// What scores the built-in checklist categories: `builtin` (the model compiled into
    /// backlint, the default), `phrase-rules` (the phrase rules alone, no possible tier), or
    /// the path of a model file from `backlint triage train`.
    pub triage_model: Option<String>,
    /// Confidence thresholds of the two tiers per category, replacing the model's:
    /// `private-data: {possible: 0.3, strong: 0.7}`.
    pub triage_thresholds: Option<BTreeMap<String, TierThresholds>>,
    /// `warning`: warnings (such as `triage/unconfirmed`) fail the run too. Default `error`.
    pub fail_on: Option<FailOn>,
}

/// The two tiers' thresholds of one category.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
pub struct TierThresholds {
    /// At or above this confidence the item may touch the category (a warning).
    #[schemars(range(min = 0.0, max = 1.0))]
    pub possible: f32,
    /// At or above this confidence the item touches the category (an error without a spike).
    #[schemars(range(min = 0.0, max = 1.0))]
    pub strong: f32,
}

/// Which severity fails the run.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum FailOn {
    Error,
    Warning,
}

/// Field names per meaning.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
pub struct FieldsSetting {
    pub id: Option<Vec<String>>,
    pub title: Option<Vec<String>>,
    pub description: Option<Vec<String>>,
    pub acceptance: Option<Vec<String>>,
    #[serde(rename = "type")]
    pub kind: Option<Vec<String>>,
    pub status: Option<Vec<String>>,
    pub labels: Option<Vec<String>>,
    pub sprint: Option<Vec<String>>,
    pub parent: Option<Vec<String>>,
    pub spikes: Option<Vec<String>>,
    pub dependencies: Option<Vec<String>>,
    pub reverse: Option<Vec<String>>,
    pub covers: Option<Vec<String>>,
    pub triage: Option<Vec<String>>,
    pub risk_acceptance: Option<Vec<String>>,
    pub security_veto: Option<Vec<String>>,
    pub definition_of_done: Option<Vec<String>>,
}

/// A normalised status.
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum StatusName {
    Todo,
    InProgress,
    Done,
    Cancelled,
}

/// A rule severity.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum Level {
    Error,
    Warning,
    Off,
}

/// Markdown backlog files with one item per heading (`## STORY-12 Title`).
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
pub struct MarkdownSections {
    /// Globs of the files read this way.
    pub files: Vec<String>,
    /// The heading level of items (default 2).
    pub level: Option<u8>,
}

/// A path, or the entries.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum DefinitionOfDone {
    Path(String),
    Entries(Vec<String>),
}

/// Severities for paths.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
pub struct Override {
    /// Globs of item files.
    pub paths: Vec<String>,
    /// Severity per rule id.
    pub rules: BTreeMap<String, Level>,
}

/// A category, as in a rule pack.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
pub struct CategorySetting {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub explain: Option<String>,
    /// `extend` (default) adds detectors; `replace` drops the category's earlier detectors.
    pub mode: Option<String>,
    pub threshold: Option<f32>,
    pub detectors: Option<Vec<DetectorSetting>>,
}

/// One detector of a category.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DetectorSetting {
    pub phrases: Option<Vec<String>>,
    pub labels: Option<Vec<String>>,
    pub paths: Option<Vec<String>>,
    pub fields: Option<BTreeMap<String, Vec<String>>>,
    pub not: Option<Vec<String>>,
    /// `strong`, `medium`, `weak`, or a number.
    pub weight: Option<WeightSetting>,
}

/// A detector weight.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum WeightSetting {
    Named(String),
    Number(f32),
}

/// The JSON Schema of `backlint.yaml`, pretty-printed.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ConfigFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
