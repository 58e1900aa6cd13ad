//! Rule-pack files (`extends: [./rules/ours.yaml]`), validated like the configuration.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::values::{globs, map_entries, rule_levels, seq, strings, unknown_key};
use super::{ConfigError, Problems};
use crate::config::RuleLevel;
use crate::parse::yaml::{self, YamlNode, YamlValue};
use crate::source::{LineIndex, SourceId};
use crate::triage::compile::phrase_to_regex;
use crate::triage::pack::{CategoryDef, Dampener, Detector, RulePack, Weight};

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

pub(super) const PACK_KEYS: &[&str] = &[
    "name",
    "description",
    "categories",
    "signals",
    "roles",
    "dampen",
    "severities",
];
pub(super) const CATEGORY_KEYS: &[&str] = &[
    "title",
    "summary",
    "explain",
    "mode",
    "threshold",
    "detectors",
];
pub(super) const DETECTOR_KEYS: &[&str] =
    &["phrases", "labels", "paths", "fields", "not", "weight"];

pub(super) fn pack_from_node(root: &YamlNode, problems: &mut Problems<'_>, path: &str) -> RulePack {
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

pub(super) fn number(node: &YamlNode) -> Option<f32> {
    match node.value {
        YamlValue::Int(i) => Some(i as f32),
        YamlValue::Float(f) => Some(f as f32),
        _ => None,
    }
}

/// Phrases, each checked as a regular expression at its own line.
pub(super) fn phrase_list(node: &YamlNode, problems: &mut Problems<'_>, name: &str) -> Vec<String> {
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

pub(super) fn signal_lists(
    node: &YamlNode,
    problems: &mut Problems<'_>,
) -> BTreeMap<String, Vec<String>> {
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

pub(super) fn categories(
    node: &YamlNode,
    problems: &mut Problems<'_>,
) -> BTreeMap<String, CategoryDef> {
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

pub(super) fn detector(node: &YamlNode, problems: &mut Problems<'_>) -> Detector {
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
