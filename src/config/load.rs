//! Reads `backlint.yaml` (and the rule-pack files it extends) into a [`Config`], validating
//! the whole document: every unknown key (with a suggestion), wrong type, invalid regex, glob,
//! rule id or level is reported at its line, all in one run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSetBuilder};

use super::{Config, DodSetting, MarkdownSections, PackSource, PathOverride, RuleLevel};
use crate::diagnostic::RuleId;
use crate::model::Status;
use crate::parse::yaml::{self, YamlNode, YamlValue};
use crate::source::{LineIndex, SourceId};
use crate::triage::compile::phrase_to_regex;
use crate::triage::pack::{CategoryDef, Dampener, Detector, RulePack, Weight};

/// Names of configuration files, in the order they are looked for in each folder.
pub const CONFIG_FILE_NAMES: &[&str] = &[
    "backlint.yaml",
    ".backlint.yaml",
    "backlint.yml",
    ".backlint.yml",
];

/// One problem in a configuration file or rule pack.
#[derive(Clone, Debug)]
pub struct ConfigError {
    /// The file, as shown to the user.
    pub file: String,
    /// Its text, for the snippet.
    pub text: Arc<String>,
    /// Byte range of the problem (empty range: a position).
    pub range: Option<std::ops::Range<usize>>,
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub help: Option<String>,
}

/// Collects problems for one file.
struct Problems<'a> {
    file: String,
    text: Arc<String>,
    index: LineIndex<'a>,
    errors: Vec<ConfigError>,
}

impl Problems<'_> {
    fn at(&mut self, node: &YamlNode, message: impl Into<String>, help: Option<String>) {
        let range = node.span.clone();
        let pos = self.index.pos(range.start);
        let end = if range.is_empty() {
            range.start
                + self.index.text()[range.start..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8)
        } else {
            range.end
        };
        self.errors.push(ConfigError {
            file: self.file.clone(),
            text: self.text.clone(),
            range: Some(range.start..end.min(self.index.text().len())),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            help,
        });
    }
}

/// Finds the configuration file: the first of [`CONFIG_FILE_NAMES`] in `start` or a parent
/// folder, not above `root`.
pub fn find(start: &Path, root: &Path) -> Option<PathBuf> {
    let start = if start.is_file() {
        start.parent()?.to_path_buf()
    } else {
        start.to_path_buf()
    };
    let start = start.canonicalize().unwrap_or(start);
    let root = root.canonicalize().unwrap_or(root.to_path_buf());
    for dir in start.ancestors() {
        for name in CONFIG_FILE_NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        if dir == root || !dir.starts_with(&root) {
            break;
        }
    }
    None
}

/// Reads pack files. The working tree reads from disk; `--config-from-ref` reads a git tree.
pub trait PackReader {
    /// The text of `path` (relative to the repository root, `/`-separated).
    fn read(&self, path: &str) -> std::io::Result<String>;
}

/// Reads pack files from the working tree under `root`.
pub struct DiskPackReader<'a> {
    pub root: &'a Path,
}

impl PackReader for DiskPackReader<'_> {
    fn read(&self, path: &str) -> std::io::Result<String> {
        std::fs::read_to_string(self.root.join(path))
    }
}

/// Parses and validates configuration text. `display` is how the file is named in messages;
/// `dir` is its folder relative to the repository root (`""` at the root).
pub fn parse(
    text: &str,
    display: &str,
    dir: &str,
    packs: &dyn PackReader,
) -> Result<Config, Vec<ConfigError>> {
    let shared = Arc::new(text.to_string());
    let mut problems = Problems {
        file: display.to_string(),
        text: shared.clone(),
        index: LineIndex::new(SourceId(0), &shared),
        errors: Vec::new(),
    };
    let mut config = Config {
        source_path: display.to_string(),
        ..Config::default()
    };
    let root = match yaml::parse(text, 0) {
        Ok(root) => root,
        Err(err) => {
            let offset = err.offset.unwrap_or(0);
            let node = YamlNode {
                value: YamlValue::Null,
                span: offset..offset,
            };
            problems.at(&node, format!("invalid YAML: {}", err.message), None);
            return Err(problems.errors);
        }
    };
    let entries = match &root.value {
        YamlValue::Map(entries) => entries.as_slice(),
        YamlValue::Null => &[],
        _ => {
            problems.at(
                &root,
                "the configuration must be a mapping of settings",
                None,
            );
            return Err(problems.errors);
        }
    };
    let mut inline_pack = RulePack {
        name: display.to_string(),
        ..RulePack::default()
    };
    let mut has_inline_pack = false;
    let mut disabled: Vec<(String, YamlNode)> = Vec::new();
    for (key, value) in entries {
        let Some(name) = key.as_str() else {
            problems.at(key, "keys must be strings", None);
            continue;
        };
        match name {
            "extends" => {
                for entry in strings(value, &mut problems, "extends") {
                    match resolve_pack(&entry.0, dir) {
                        Ok(PackSource::Builtin(b)) => {
                            if crate::triage::builtin(&b).is_none() {
                                problems.at(
                                    &entry.1,
                                    format!("unknown built-in pack `builtin:{b}`"),
                                    Some(format!(
                                        "built-in packs: {}",
                                        crate::triage::BUILTIN_PACKS
                                            .iter()
                                            .map(|(n, _)| format!("builtin:{n}"))
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    )),
                                );
                            } else if b != "default" {
                                config.packs.push(PackSource::Builtin(b));
                            }
                        }
                        Ok(PackSource::File { path, .. }) => match packs.read(&path) {
                            Ok(pack_text) => match parse_pack_file(&pack_text, &path) {
                                Ok(pack) => config.packs.push(PackSource::File { path, pack }),
                                Err(errors) => problems.errors.extend(errors),
                            },
                            Err(err) => problems.at(
                                &entry.1,
                                format!("cannot read rule pack `{path}`: {err}"),
                                None,
                            ),
                        },
                        Ok(PackSource::Inline(_)) => {}
                        Err(message) => problems.at(&entry.1, message, None),
                    }
                }
            }
            "roots" => {
                config.roots = strings(value, &mut problems, name)
                    .into_iter()
                    .filter_map(|(s, node)| match join_inside(dir, &s) {
                        Some(p) => Some(p),
                        None => {
                            problems.at(&node, format!("`{s}` is outside the repository"), None);
                            None
                        }
                    })
                    .collect();
            }
            "include" | "exclude" => {
                let globs = globs(value, &mut problems, name);
                let globs = globs.into_iter().map(|g| prefix_glob(dir, &g)).collect();
                if name == "include" {
                    config.include = globs;
                } else {
                    config.exclude = globs;
                }
            }
            "fields" => fields(value, &mut problems, &mut config),
            "statuses" => {
                for (k, v) in map_entries(value, &mut problems, name) {
                    let Some(raw) = k.as_scalar_string() else {
                        continue;
                    };
                    match v.as_str().and_then(status_named) {
                        Some(status) => config.statuses.insert(&raw, status),
                        None => problems.at(
                            v,
                            "a status maps to todo, in-progress, done or cancelled",
                            None,
                        ),
                    }
                }
            }
            "legacy_prefixes" => {
                for (k, v) in map_entries(value, &mut problems, name) {
                    match (k.as_scalar_string(), v.as_scalar_string()) {
                        (Some(old), Some(new)) if !old.is_empty() && !new.is_empty() => {
                            config.legacy_prefixes.push((old, new));
                        }
                        _ => problems.at(v, "write `OLD: NEW`, e.g. `task: BACK`", None),
                    }
                }
            }
            "markdown_sections" => markdown_sections(value, &mut problems, &mut config, dir),
            "definition_of_done" => match &value.value {
                YamlValue::Str(path) => match join_inside(dir, path) {
                    Some(p) => config.definition_of_done = Some(DodSetting::Path(p)),
                    None => problems.at(value, format!("`{path}` is outside the repository"), None),
                },
                YamlValue::Seq(_) => {
                    let entries = strings(value, &mut problems, name)
                        .into_iter()
                        .map(|e| e.0)
                        .collect();
                    config.definition_of_done = Some(DodSetting::Inline(entries));
                }
                _ => problems.at(
                    value,
                    "`definition_of_done` is a path or a list of entries",
                    None,
                ),
            },
            "rules" => {
                config.severities = rule_levels(value, &mut problems);
            }
            "overrides" => {
                for entry in seq(value, &mut problems, name) {
                    let Some(map) = entry.as_map() else {
                        problems.at(
                            entry,
                            "an override is a mapping with `paths` and `rules`",
                            None,
                        );
                        continue;
                    };
                    let mut paths = Vec::new();
                    let mut rules = BTreeMap::new();
                    for (k, v) in map {
                        match k.as_str() {
                            Some("paths") => paths = globs(v, &mut problems, "paths"),
                            Some("rules") => rules = rule_levels(v, &mut problems),
                            Some(other) => {
                                unknown_key(&mut problems, k, other, &["paths", "rules"])
                            }
                            None => problems.at(k, "keys must be strings", None),
                        }
                    }
                    if paths.is_empty() {
                        problems.at(entry, "an override needs `paths`", None);
                        continue;
                    }
                    let mut builder = GlobSetBuilder::new();
                    for p in &paths {
                        if let Ok(g) = Glob::new(&prefix_glob(dir, p)) {
                            builder.add(g);
                        }
                    }
                    if let Ok(set) = builder.build() {
                        config.overrides.push(PathOverride { paths: set, rules });
                    }
                }
            }
            "disabled_categories" => {
                disabled = strings(value, &mut problems, name);
            }
            "categories" => {
                has_inline_pack = true;
                inline_pack.categories = categories(value, &mut problems);
            }
            "signals" => {
                has_inline_pack = true;
                inline_pack.signals = signal_lists(value, &mut problems);
            }
            "baseline" => match &value.value {
                YamlValue::Str(path) => match join_inside(dir, path) {
                    Some(p) => config.baseline = Some(p),
                    None => problems.at(value, format!("`{path}` is outside the repository"), None),
                },
                _ => problems.at(value, "`baseline` is the path of a baseline file", None),
            },
            "max_file_size" => match &value.value {
                YamlValue::Int(n) if *n > 0 => config.max_file_size = *n as usize,
                _ => problems.at(value, "`max_file_size` is a positive number of bytes", None),
            },
            other => unknown_key(&mut problems, key, other, TOP_LEVEL_KEYS),
        }
    }
    if has_inline_pack {
        config.packs.push(PackSource::Inline(inline_pack));
    }
    if !disabled.is_empty() {
        let known = known_categories(&config.packs);
        for (name, node) in disabled {
            if known.contains(&name) {
                config.disabled_categories.push((name, node.span.clone()));
            } else {
                let help = crate::util::suggest(&name, &known)
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| Some(format!("known categories: {}", known.join(", "))));
                problems.at(
                    &node,
                    format!("unknown category `{}`", crate::source::one_line(&name)),
                    help,
                );
            }
        }
    }
    if problems.errors.is_empty() {
        Ok(config)
    } else {
        Err(problems.errors)
    }
}

/// Category ids defined by the default pack and the configured packs.
fn known_categories(packs: &[PackSource]) -> Vec<String> {
    let mut known: Vec<String> = Vec::new();
    let mut add = |pack: &RulePack| {
        for id in pack.categories.keys() {
            if !known.contains(id) {
                known.push(id.clone());
            }
        }
    };
    if let Some(Ok(pack)) = crate::triage::builtin("default").map(crate::triage::parse_pack) {
        add(&pack);
    }
    for source in packs {
        match source {
            PackSource::Builtin(name) => {
                if let Some(Ok(pack)) = crate::triage::builtin(name).map(crate::triage::parse_pack)
                {
                    add(&pack);
                }
            }
            PackSource::File { pack, .. } | PackSource::Inline(pack) => add(pack),
        }
    }
    known
}

/// Top-level keys of `backlint.yaml` (kept equal to the JSON Schema by a test).
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "extends",
    "roots",
    "include",
    "exclude",
    "fields",
    "statuses",
    "legacy_prefixes",
    "markdown_sections",
    "definition_of_done",
    "rules",
    "overrides",
    "disabled_categories",
    "categories",
    "signals",
    "max_file_size",
    "baseline",
];

/// Meanings that `fields:` can rename (kept equal to the JSON Schema by a test).
pub const FIELD_MEANINGS: &[&str] = &[
    "id",
    "title",
    "description",
    "acceptance",
    "type",
    "status",
    "labels",
    "sprint",
    "parent",
    "spikes",
    "dependencies",
    "reverse",
    "covers",
    "triage",
    "risk_acceptance",
    "security_veto",
    "definition_of_done",
];

fn unknown_key(problems: &mut Problems<'_>, node: &YamlNode, name: &str, known: &[&str]) {
    let known_owned: Vec<String> = known.iter().map(|s| s.to_string()).collect();
    let help = crate::util::suggest(name, &known_owned)
        .map(|s| format!("did you mean `{s}`?"))
        .or_else(|| Some(format!("known keys: {}", known.join(", "))));
    problems.at(
        node,
        format!("unknown key `{}`", crate::source::one_line(name)),
        help,
    );
}

fn status_named(name: &str) -> Option<Status> {
    match crate::model::vocab::normalise_word(name).as_str() {
        "todo" | "to do" => Some(Status::Todo),
        "in progress" => Some(Status::InProgress),
        "done" => Some(Status::Done),
        "cancelled" | "canceled" => Some(Status::Cancelled),
        _ => None,
    }
}

fn seq<'n>(node: &'n YamlNode, problems: &mut Problems<'_>, name: &str) -> &'n [YamlNode] {
    match &node.value {
        YamlValue::Seq(items) => items,
        YamlValue::Null => &[],
        _ => {
            problems.at(node, format!("`{name}` is a list"), None);
            &[]
        }
    }
}

fn map_entries<'n>(
    node: &'n YamlNode,
    problems: &mut Problems<'_>,
    name: &str,
) -> Vec<(&'n YamlNode, &'n YamlNode)> {
    match &node.value {
        YamlValue::Map(entries) => entries.iter().map(|(k, v)| (k, v)).collect(),
        YamlValue::Null => Vec::new(),
        _ => {
            problems.at(node, format!("`{name}` is a mapping"), None);
            Vec::new()
        }
    }
}

/// A list of strings (a single string is accepted as a list of one).
fn strings(node: &YamlNode, problems: &mut Problems<'_>, name: &str) -> Vec<(String, YamlNode)> {
    match &node.value {
        YamlValue::Str(s) => vec![(s.clone(), node.clone())],
        YamlValue::Seq(items) => items
            .iter()
            .filter_map(|item| match item.as_scalar_string() {
                Some(s) => Some((s, item.clone())),
                None => {
                    problems.at(item, format!("`{name}` entries are strings"), None);
                    None
                }
            })
            .collect(),
        YamlValue::Null => Vec::new(),
        _ => {
            problems.at(node, format!("`{name}` is a list of strings"), None);
            Vec::new()
        }
    }
}

fn globs(node: &YamlNode, problems: &mut Problems<'_>, name: &str) -> Vec<String> {
    strings(node, problems, name)
        .into_iter()
        .filter_map(|(glob, at)| match Glob::new(&glob) {
            Ok(_) => Some(glob),
            Err(err) => {
                problems.at(&at, format!("invalid glob `{glob}`: {}", err.kind()), None);
                None
            }
        })
        .collect()
}

/// A glob relative to the config file's folder, as a repository-relative glob.
fn prefix_glob(dir: &str, glob: &str) -> String {
    if dir.is_empty() || glob.starts_with("**") || glob.starts_with('/') {
        glob.trim_start_matches('/').to_string()
    } else {
        format!("{dir}/{glob}")
    }
}

/// `dir/path`, normalised; `None` when it climbs out of the repository.
fn join_inside(dir: &str, path: &str) -> Option<String> {
    let from = if dir.is_empty() {
        "x".to_string()
    } else {
        format!("{dir}/x")
    };
    match crate::model::paths::resolve(&from, path) {
        crate::model::LinkTarget::Path { path, .. } => Some(path),
        _ => None,
    }
}

fn resolve_pack(entry: &str, dir: &str) -> Result<PackSource, String> {
    if let Some(name) = entry.strip_prefix("builtin:") {
        return Ok(PackSource::Builtin(name.to_string()));
    }
    match join_inside(dir, entry) {
        Some(path) => Ok(PackSource::File {
            path,
            pack: RulePack::default(),
        }),
        None => Err(format!(
            "`{entry}` is outside the repository; packs must live in it"
        )),
    }
}

fn rule_levels(node: &YamlNode, problems: &mut Problems<'_>) -> BTreeMap<RuleId, RuleLevel> {
    let known: Vec<String> = RuleId::ALL.iter().map(|r| r.to_string()).collect();
    let mut out = BTreeMap::new();
    for (k, v) in map_entries(node, problems, "rules") {
        let Some(id) = k.as_str() else {
            problems.at(k, "rule ids are strings", None);
            continue;
        };
        let Ok(rule) = id.parse::<RuleId>() else {
            let help = crate::util::suggest(id, &known)
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| Some("`backlint rules` lists the rule ids".to_string()));
            problems.at(
                k,
                format!("unknown rule `{}`", crate::source::one_line(id)),
                help,
            );
            continue;
        };
        match v.as_str().and_then(RuleLevel::parse) {
            Some(level) => {
                out.insert(rule, level);
            }
            None => problems.at(v, "a rule's level is `error`, `warning` or `off`", None),
        }
    }
    out
}

fn fields(node: &YamlNode, problems: &mut Problems<'_>, config: &mut Config) {
    for (k, v) in map_entries(node, problems, "fields") {
        let Some(meaning) = k.as_str() else { continue };
        let names: Vec<String> = strings(v, problems, meaning)
            .into_iter()
            .map(|e| e.0)
            .collect();
        if names.is_empty() && FIELD_MEANINGS.contains(&meaning) {
            problems.at(
                v,
                format!("`fields.{meaning}` needs at least one field name"),
                None,
            );
            continue;
        }
        let f = &mut config.fields;
        let slot = match meaning {
            "id" => &mut f.id,
            "title" => &mut f.title,
            "description" => &mut f.description,
            "acceptance" => &mut f.acceptance,
            "type" => &mut f.kind,
            "status" => &mut f.status,
            "labels" => &mut f.labels,
            "sprint" => &mut f.sprint,
            "parent" => &mut f.parent,
            "spikes" => &mut f.spikes,
            "dependencies" => &mut f.dependencies,
            "reverse" => &mut f.reverse,
            "covers" => &mut f.covers,
            "triage" => &mut f.triage,
            "risk_acceptance" => &mut f.risk,
            "security_veto" => &mut f.veto,
            "definition_of_done" => &mut f.dod,
            other => {
                unknown_key(problems, k, other, FIELD_MEANINGS);
                continue;
            }
        };
        *slot = names;
    }
}

fn markdown_sections(node: &YamlNode, problems: &mut Problems<'_>, config: &mut Config, dir: &str) {
    let mut files = Vec::new();
    let mut level = 2u8;
    for (k, v) in map_entries(node, problems, "markdown_sections") {
        match k.as_str() {
            Some("files") => files = globs(v, problems, "files"),
            Some("level") => match &v.value {
                YamlValue::Int(n) if (1..=6).contains(n) => level = *n as u8,
                _ => problems.at(v, "`level` is a heading level from 1 to 6", None),
            },
            Some(other) => unknown_key(problems, k, other, &["files", "level"]),
            None => problems.at(k, "keys must be strings", None),
        }
    }
    if files.is_empty() {
        problems.at(
            node,
            "`markdown_sections` needs `files` (globs of the Markdown backlogs)",
            None,
        );
        return;
    }
    let mut builder = GlobSetBuilder::new();
    for f in &files {
        if let Ok(g) = Glob::new(&prefix_glob(dir, f)) {
            builder.add(g);
        }
    }
    if let Ok(set) = builder.build() {
        config.markdown_sections = Some(MarkdownSections { files: set, level });
    }
}

/// Parses a rule-pack file, validating it like the configuration.
pub fn parse_pack_file(text: &str, path: &str) -> Result<RulePack, Vec<ConfigError>> {
    let shared = Arc::new(text.to_string());
    let mut problems = Problems {
        file: path.to_string(),
        text: shared.clone(),
        index: LineIndex::new(SourceId(0), &shared),
        errors: Vec::new(),
    };
    let root = match yaml::parse(text, 0) {
        Ok(root) => root,
        Err(err) => {
            let offset = err.offset.unwrap_or(0);
            problems.at(
                &YamlNode {
                    value: YamlValue::Null,
                    span: offset..offset,
                },
                format!("invalid YAML: {}", err.message),
                None,
            );
            return Err(problems.errors);
        }
    };
    let pack = pack_from_node(&root, &mut problems, path);
    if problems.errors.is_empty() {
        Ok(pack)
    } else {
        Err(problems.errors)
    }
}

const PACK_KEYS: &[&str] = &[
    "name",
    "description",
    "categories",
    "signals",
    "roles",
    "dampen",
    "severities",
];
const CATEGORY_KEYS: &[&str] = &[
    "title",
    "summary",
    "explain",
    "mode",
    "threshold",
    "detectors",
];
const DETECTOR_KEYS: &[&str] = &["phrases", "labels", "paths", "fields", "not", "weight"];

fn pack_from_node(root: &YamlNode, problems: &mut Problems<'_>, path: &str) -> RulePack {
    let mut pack = RulePack {
        name: path.to_string(),
        ..RulePack::default()
    };
    for (k, v) in map_entries(root, problems, "rule pack") {
        match k.as_str() {
            Some("name") => pack.name = v.as_scalar_string().unwrap_or_default(),
            Some("description") => pack.description = v.as_scalar_string().unwrap_or_default(),
            Some("categories") => pack.categories = categories(v, problems),
            Some("signals") => pack.signals = signal_lists(v, problems),
            Some("roles") => {
                for (rk, rv) in map_entries(v, problems, "roles") {
                    match (rk.as_str(), number(rv)) {
                        (Some(name), Some(n)) => {
                            pack.roles.insert(name.to_string(), n);
                        }
                        _ => problems.at(rv, "a role weight is a number", None),
                    }
                }
            }
            Some("dampen") => {
                for d in seq(v, problems, "dampen") {
                    let phrases = d
                        .get("phrases")
                        .map(|p| phrase_list(p, problems, "phrases"))
                        .unwrap_or_default();
                    let factor = d.get("factor").and_then(number).unwrap_or(1.0);
                    pack.dampen.push(Dampener { phrases, factor });
                }
            }
            Some("severities") => {
                for (id, level) in rule_levels(v, problems) {
                    let name = match level {
                        RuleLevel::Error => "error",
                        RuleLevel::Warning => "warning",
                        RuleLevel::Off => "off",
                    };
                    pack.severities.insert(id.to_string(), name.to_string());
                }
            }
            Some(other) => unknown_key(problems, k, other, PACK_KEYS),
            None => problems.at(k, "keys must be strings", None),
        }
    }
    pack
}

fn number(node: &YamlNode) -> Option<f32> {
    match node.value {
        YamlValue::Int(i) => Some(i as f32),
        YamlValue::Float(f) => Some(f as f32),
        _ => None,
    }
}

/// Phrases, each checked as a regular expression at its own line.
fn phrase_list(node: &YamlNode, problems: &mut Problems<'_>, name: &str) -> Vec<String> {
    strings(node, problems, name)
        .into_iter()
        .filter_map(|(phrase, at)| {
            let regex = phrase_to_regex(&phrase);
            match regex_syntax::ParserBuilder::new()
                .utf8(false)
                .build()
                .parse(&regex)
            {
                Ok(_) => Some(phrase),
                Err(err) => {
                    let detail = err
                        .to_string()
                        .lines()
                        .find(|l| l.starts_with("error:"))
                        .map(|l| l.trim_start_matches("error:").trim().to_string())
                        .unwrap_or_else(|| "invalid regular expression".to_string());
                    problems.at(
                        &at,
                        format!("invalid regular expression `{phrase}`: {detail}"),
                        None,
                    );
                    None
                }
            }
        })
        .collect()
}

fn signal_lists(node: &YamlNode, problems: &mut Problems<'_>) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let known = [
        "deferred-security",
        "attacker-story",
        "risk-acceptance",
        "measurable",
    ];
    for (k, v) in map_entries(node, problems, "signals") {
        let Some(name) = k.as_str() else { continue };
        if !known.contains(&name) {
            unknown_key(problems, k, name, &known);
            continue;
        }
        out.insert(name.to_string(), phrase_list(v, problems, name));
    }
    out
}

fn categories(node: &YamlNode, problems: &mut Problems<'_>) -> BTreeMap<String, CategoryDef> {
    let mut out = BTreeMap::new();
    for (k, v) in map_entries(node, problems, "categories") {
        let Some(id) = k.as_str() else { continue };
        let valid_id = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid_id {
            problems.at(
                k,
                format!("category id `{id}` must be lower-case letters, digits and `-`"),
                None,
            );
        }
        let mut def = CategoryDef::default();
        for (ck, cv) in map_entries(v, problems, id) {
            match ck.as_str() {
                Some("title") => def.title = cv.as_scalar_string(),
                Some("summary") => def.summary = cv.as_scalar_string(),
                Some("explain") => def.explain = cv.as_scalar_string(),
                Some("mode") => match cv.as_str() {
                    Some("extend" | "replace") => def.mode = cv.as_scalar_string(),
                    _ => problems.at(cv, "`mode` is `extend` or `replace`", None),
                },
                Some("threshold") => match number(cv) {
                    Some(t) if t > 0.0 => def.threshold = Some(t),
                    _ => problems.at(cv, "`threshold` is a positive number", None),
                },
                Some("detectors") => {
                    for d in seq(cv, problems, "detectors") {
                        def.detectors.push(detector(d, problems));
                    }
                }
                Some(other) => unknown_key(problems, ck, other, CATEGORY_KEYS),
                None => problems.at(ck, "keys must be strings", None),
            }
        }
        out.insert(id.to_string(), def);
    }
    out
}

fn detector(node: &YamlNode, problems: &mut Problems<'_>) -> Detector {
    let mut det = Detector::default();
    for (k, v) in map_entries(node, problems, "detector") {
        match k.as_str() {
            Some("phrases") => det.phrases = phrase_list(v, problems, "phrases"),
            Some("not") => det.not = phrase_list(v, problems, "not"),
            Some("labels") => {
                det.labels = strings(v, problems, "labels")
                    .into_iter()
                    .map(|e| e.0)
                    .collect()
            }
            Some("paths") => det.paths = globs(v, problems, "paths"),
            Some("fields") => {
                for (fk, fv) in map_entries(v, problems, "fields") {
                    if let Some(field) = fk.as_str() {
                        let values = strings(fv, problems, field)
                            .into_iter()
                            .map(|e| e.0)
                            .collect();
                        det.fields.insert(field.to_string(), values);
                    }
                }
            }
            Some("weight") => {
                let weight = match &v.value {
                    YamlValue::Str(s) => Weight::Named(s.clone()),
                    _ => Weight::Number(number(v).unwrap_or(-1.0)),
                };
                if weight.value().is_none() {
                    problems.at(
                        v,
                        "`weight` is strong, medium, weak or a non-negative number",
                        None,
                    );
                } else {
                    det.weight = Some(weight);
                }
            }
            Some(other) => unknown_key(problems, k, other, DETECTOR_KEYS),
            None => problems.at(k, "keys must be strings", None),
        }
    }
    det
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoPacks;
    impl PackReader for NoPacks {
        fn read(&self, path: &str) -> std::io::Result<String> {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                path.to_string(),
            ))
        }
    }

    #[test]
    fn valid_configuration() {
        let text = "extends: [builtin:fintech]\nroots: [backlog]\nexclude: ['**/old/**']\nstatuses:\n  parked: todo\nlegacy_prefixes: {task: BACK}\nrules:\n  nfr/unmeasurable: off\n  debt/deferred-security: error\ndefinition_of_done: docs/dod.md\nfields:\n  id: [id, ticket]\n";
        let config = parse(text, "backlint.yaml", "", &NoPacks).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(config.roots, ["backlog"]);
        assert_eq!(config.fields.id, ["id", "ticket"]);
        assert_eq!(config.statuses.normalise("Parked"), Status::Todo);
        assert_eq!(
            config.severities.get(&RuleId::Unmeasurable),
            Some(&RuleLevel::Off)
        );
        assert_eq!(
            config.definition_of_done,
            Some(DodSetting::Path("docs/dod.md".into()))
        );
        assert!(matches!(config.packs.first(), Some(PackSource::Builtin(n)) if n == "fintech"));
    }

    #[test]
    fn every_problem_is_reported_at_its_line() {
        let text = "extend: [builtin:fintech]\nrules:\n  triage/mising-spike: error\n  nfr/unmeasurable: loud\ncategories:\n  payments:\n    detectors:\n      - phrases: ['card (number']\nroots: [../outside]\ndisabled_categories: [loging]\n";
        let errors = match parse(text, "backlint.yaml", "", &NoPacks) {
            Err(errors) => errors,
            Ok(_) => panic!("expected errors"),
        };
        let lines: Vec<(u32, &str)> = errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert_eq!(errors.len(), 6, "{lines:?}");
        assert_eq!(errors[0].line, 1);
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `extends`?"));
        assert_eq!(errors[1].line, 3);
        assert_eq!(
            errors[1].help.as_deref(),
            Some("did you mean `triage/missing-spike`?")
        );
        assert_eq!(errors[2].line, 4);
        assert_eq!(errors[3].line, 8);
        assert!(errors[3].message.contains("card (number"));
        assert_eq!(errors[4].line, 9);
        assert_eq!(errors[5].line, 10);
        assert_eq!(errors[5].help.as_deref(), Some("did you mean `logging`?"));
    }

    #[test]
    fn finds_configuration_upward() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let sub = dir.path().join("backlog/stories");
        std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join(".backlint.yaml"), "roots: [backlog]\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let found = find(&sub, dir.path()).unwrap_or_else(|| panic!("not found"));
        assert!(found.ends_with(".backlint.yaml"));
        assert!(find(&sub, &sub).is_none());
    }
}
