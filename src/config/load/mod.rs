//! Reads `backlint.yaml` (and the rule-pack files it extends) into a [`Config`], validating
//! the whole document: every unknown key (with a suggestion), wrong type, invalid regex, glob,
//! rule id or level is reported at its line, all in one run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSetBuilder};

mod pack;
mod values;

pub use pack::parse_pack_file;
use pack::{categories, signal_lists};
pub use values::{FIELD_MEANINGS, TOP_LEVEL_KEYS};
use values::{
    fields, globs, join_inside, known_categories, map_entries, markdown_sections, prefix_glob,
    resolve_pack, rule_levels, seq, status_named, strings, unknown_key,
};

use super::{Config, DodSetting, ModelSetting, PackSource, PathOverride};
use crate::parse::yaml::{self, YamlNode, YamlValue};
use crate::source::{LineIndex, SourceId};
use crate::triage::model::BUILTIN_MODEL;
use crate::triage::pack::RulePack;
use crate::triage::{Thresholds, TriageModel};

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

/// Reads the files a configuration names (rule packs, a triage model). The working tree reads
/// from disk; `--config-from-ref` reads a git tree.
pub trait PackReader {
    /// The text of `path` (relative to the repository root, `/`-separated).
    fn read(&self, path: &str) -> std::io::Result<String>;

    /// The bytes of `path`.
    fn read_bytes(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.read(path).map(String::into_bytes)
    }
}

/// Reads pack files from the working tree under `root`.
pub struct DiskPackReader<'a> {
    pub root: &'a Path,
}

impl PackReader for DiskPackReader<'_> {
    fn read(&self, path: &str) -> std::io::Result<String> {
        std::fs::read_to_string(self.root.join(path))
    }

    fn read_bytes(&self, path: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.root.join(path))
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
    let mut thresholds: Vec<(String, Thresholds, YamlNode)> = Vec::new();
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
            "triage_model" => config.triage_model = triage_model(value, &mut problems, dir, packs),
            "triage_thresholds" => {
                thresholds = triage_thresholds(value, &mut problems);
            }
            "fail_on" => match value.as_str() {
                Some("error") => config.fail_on_warning = false,
                Some("warning") => config.fail_on_warning = true,
                _ => problems.at(value, "`fail_on` is `error` or `warning`", None),
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
    let model_categories: Vec<String> = match &config.triage_model {
        ModelSetting::Builtin => TriageModel::from_bytes(BUILTIN_MODEL)
            .map(|m| m.header.categories.iter().map(|c| c.id.clone()).collect())
            .unwrap_or_default(),
        ModelSetting::File { model, .. } => model
            .header
            .categories
            .iter()
            .map(|c| c.id.clone())
            .collect(),
        ModelSetting::PhraseRules => Vec::new(),
    };
    for (id, t, node) in thresholds {
        if model_categories.contains(&id) {
            config.triage_thresholds.push((id, t));
        } else if model_categories.is_empty() {
            problems.at(
                &node,
                "`triage_thresholds` needs a triage model; `triage_model: phrase-rules` has none",
                Some("set a category's phrase threshold with `threshold:` in its rule pack".into()),
            );
        } else {
            let help = crate::util::suggest(&id, &model_categories)
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| {
                    Some(format!(
                        "the model scores {}; other categories keep their phrase `threshold:`",
                        model_categories.join(", ")
                    ))
                });
            problems.at(
                &node,
                format!(
                    "the triage model does not score `{}`",
                    crate::source::one_line(&id)
                ),
                help,
            );
        }
    }
    if problems.errors.is_empty() {
        Ok(config)
    } else {
        Err(problems.errors)
    }
}

/// `triage_model:` — `builtin`, `phrase-rules`, or a model file in the repository.
fn triage_model(
    value: &YamlNode,
    problems: &mut Problems<'_>,
    dir: &str,
    files: &dyn PackReader,
) -> ModelSetting {
    let Some(text) = value.as_str() else {
        problems.at(
            value,
            "`triage_model` is `builtin`, `phrase-rules`, or the path of a model file",
            None,
        );
        return ModelSetting::Builtin;
    };
    match text.trim() {
        "builtin" | "builtin:default" => return ModelSetting::Builtin,
        "phrase-rules" | "none" => return ModelSetting::PhraseRules,
        _ => {}
    }
    let Some(path) = join_inside(dir, text.trim()) else {
        problems.at(value, format!("`{text}` is outside the repository"), None);
        return ModelSetting::Builtin;
    };
    let bytes = match files.read_bytes(&path) {
        Ok(bytes) => bytes,
        Err(err) => {
            problems.at(
                value,
                format!("cannot read the triage model `{path}`: {err}"),
                Some("train one with `backlint triage train --labels … --corpus … -o FILE`".into()),
            );
            return ModelSetting::Builtin;
        }
    };
    match TriageModel::from_bytes(&bytes) {
        Ok(model) => ModelSetting::File {
            path,
            model: std::sync::Arc::new(model),
        },
        Err(err) => {
            problems.at(
                value,
                format!("`{path}` is not a usable triage model: {err}"),
                None,
            );
            ModelSetting::Builtin
        }
    }
}

/// `triage_thresholds: {CATEGORY: {possible: 0.3, strong: 0.7}}`.
fn triage_thresholds(
    value: &YamlNode,
    problems: &mut Problems<'_>,
) -> Vec<(String, Thresholds, YamlNode)> {
    let mut out = Vec::new();
    for (k, v) in map_entries(value, problems, "triage_thresholds") {
        let Some(id) = k.as_str() else {
            problems.at(k, "category ids are strings", None);
            continue;
        };
        let mut possible = None;
        let mut strong = None;
        for (tk, tv) in map_entries(v, problems, id) {
            let number = match &tv.value {
                YamlValue::Float(f) => Some(*f as f32),
                YamlValue::Int(i) => Some(*i as f32),
                _ => None,
            }
            .filter(|n| (0.0..=1.0).contains(n));
            let slot = match tk.as_str() {
                Some("possible") => &mut possible,
                Some("strong") => &mut strong,
                Some(other) => {
                    unknown_key(problems, tk, other, &["possible", "strong"]);
                    continue;
                }
                None => {
                    problems.at(tk, "keys must be strings", None);
                    continue;
                }
            };
            match number {
                Some(n) => *slot = Some(n),
                None => problems.at(tv, "a threshold is a confidence from 0 to 1", None),
            }
        }
        match (possible, strong) {
            (Some(p), Some(s)) if p <= s => out.push((
                id.to_string(),
                Thresholds {
                    possible: p,
                    strong: s,
                },
                k.clone(),
            )),
            (Some(_), Some(_)) => problems.at(v, "`possible` must not be above `strong`", None),
            _ => problems.at(
                v,
                "give both thresholds: `{possible: 0.3, strong: 0.7}`",
                None,
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RuleLevel;
    use crate::diagnostic::RuleId;
    use crate::model::Status;

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
