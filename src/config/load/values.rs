//! The value checks of backlint.yaml: keys, lists, globs, rule levels, field names and
//! `markdown_sections`, each reporting its problems at their place.

use std::collections::BTreeMap;

use globset::{Glob, GlobSetBuilder};

use super::Problems;
use crate::config::{Config, MarkdownSections, PackSource, RuleLevel};
use crate::diagnostic::RuleId;
use crate::model::Status;
use crate::parse::yaml::{YamlNode, YamlValue};
use crate::triage::pack::RulePack;

/// Category ids defined by the default pack and the configured packs.
pub(super) fn known_categories(packs: &[PackSource]) -> Vec<String> {
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
    "triage_model",
    "triage_thresholds",
    "fail_on",
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

pub(super) fn unknown_key(
    problems: &mut Problems<'_>,
    node: &YamlNode,
    name: &str,
    known: &[&str],
) {
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

pub(super) fn status_named(name: &str) -> Option<Status> {
    match crate::model::vocab::normalise_word(name).as_str() {
        "todo" | "to do" => Some(Status::Todo),
        "in progress" => Some(Status::InProgress),
        "done" => Some(Status::Done),
        "cancelled" | "canceled" => Some(Status::Cancelled),
        _ => None,
    }
}

pub(super) fn seq<'n>(
    node: &'n YamlNode,
    problems: &mut Problems<'_>,
    name: &str,
) -> &'n [YamlNode] {
    match &node.value {
        YamlValue::Seq(items) => items,
        YamlValue::Null => &[],
        _ => {
            problems.at(node, format!("`{name}` is a list"), None);
            &[]
        }
    }
}

pub(super) fn map_entries<'n>(
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
pub(super) fn strings(
    node: &YamlNode,
    problems: &mut Problems<'_>,
    name: &str,
) -> Vec<(String, YamlNode)> {
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

pub(super) fn globs(node: &YamlNode, problems: &mut Problems<'_>, name: &str) -> Vec<String> {
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
pub(super) fn prefix_glob(dir: &str, glob: &str) -> String {
    if dir.is_empty() || glob.starts_with("**") || glob.starts_with('/') {
        glob.trim_start_matches('/').to_string()
    } else {
        format!("{dir}/{glob}")
    }
}

/// `dir/path`, normalised; `None` when it climbs out of the repository.
pub(super) fn join_inside(dir: &str, path: &str) -> Option<String> {
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

pub(super) fn resolve_pack(entry: &str, dir: &str) -> Result<PackSource, String> {
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

pub(super) fn rule_levels(
    node: &YamlNode,
    problems: &mut Problems<'_>,
) -> BTreeMap<RuleId, RuleLevel> {
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

pub(super) fn fields(node: &YamlNode, problems: &mut Problems<'_>, config: &mut Config) {
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

pub(super) fn markdown_sections(
    node: &YamlNode,
    problems: &mut Problems<'_>,
    config: &mut Config,
    dir: &str,
) {
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
