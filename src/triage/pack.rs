//! Rule packs: YAML files that define checklist categories, their detectors, and the text
//! signals other rules use. The built-in packs in `rules/` are compiled into the binary.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A rule pack as written in YAML.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePack {
    /// Short name (`default`, `embedded`, …).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Categories this pack defines or extends, by id.
    #[serde(default)]
    pub categories: BTreeMap<String, CategoryDef>,
    /// Phrases for the text signals (deferred security, attacker stories, …).
    #[serde(default)]
    pub signals: BTreeMap<String, Vec<String>>,
    /// How much each kind of text counts (`title: 1.2`, `notes: 0.3`, …).
    #[serde(default)]
    pub roles: BTreeMap<String, f32>,
    /// Title cues that lower every category's score (refactors, test-only work, docs).
    #[serde(default)]
    pub dampen: Vec<Dampener>,
    /// Severity per rule id (`error`, `warning`, `off`).
    #[serde(default)]
    pub severities: BTreeMap<String, String>,
    /// A built-in pack, whose phrases the tests compile (a run does not check them again).
    /// Set by the code that loads a built-in pack, never by what a pack file says.
    #[serde(skip)]
    pub vetted: bool,
}

/// One checklist category.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDef {
    /// Human name ("network input").
    #[serde(default)]
    pub title: Option<String>,
    /// One line: what triggers it.
    #[serde(default)]
    pub summary: Option<String>,
    /// Long documentation for `backlint explain CATEGORY`.
    #[serde(default)]
    pub explain: Option<String>,
    /// `extend` (default) adds detectors to an existing category; `replace` drops the old ones.
    #[serde(default)]
    pub mode: Option<String>,
    /// Score needed to trigger (default 1.0).
    #[serde(default)]
    pub threshold: Option<f32>,
    #[serde(default)]
    pub detectors: Vec<Detector>,
}

/// Evidence of a category. Exactly one of the matching fields is set.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detector {
    /// Phrases (regular expressions, case-insensitive, matched on word boundaries; a space
    /// matches any run of spaces, hyphens or underscores).
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Labels (case-insensitive; `-`, `_` and spaces alike).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Globs on the item's file path.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Field values: `{component: [api, gateway]}`.
    #[serde(default)]
    pub fields: BTreeMap<String, Vec<String>>,
    /// Phrases that are never evidence for this category (they win over shorter phrases
    /// at the same place): `log in` is not logging.
    #[serde(default)]
    pub not: Vec<String>,
    /// How much one match counts: `strong` (1.0, enough alone), `medium` (0.6), `weak` (0.35),
    /// or a number.
    #[serde(default)]
    pub weight: Option<Weight>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Weight {
    Named(String),
    Number(f32),
}

impl Weight {
    pub fn value(&self) -> Option<f32> {
        match self {
            Weight::Number(n) if n.is_finite() && *n >= 0.0 => Some(*n),
            Weight::Number(_) => None,
            Weight::Named(name) => match name.as_str() {
                "strong" => Some(1.0),
                "medium" => Some(0.6),
                "weak" => Some(0.35),
                _ => None,
            },
        }
    }
}

/// Lowers scores for items whose title says the work is a refactor, a test, docs…
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dampener {
    pub phrases: Vec<String>,
    pub factor: f32,
}

/// The built-in packs: `(name, YAML)`.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    ("default", include_str!("../../rules/default.yaml")),
    ("web-app", include_str!("../../rules/web-app.yaml")),
    ("embedded", include_str!("../../rules/embedded.yaml")),
    ("fintech", include_str!("../../rules/fintech.yaml")),
];

/// Parses a pack.
pub fn parse_pack(text: &str) -> Result<RulePack, serde_saphyr::Error> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options(text, options)
}

/// A built-in pack by name (`default`, `web-app`, `embedded`, `fintech`).
pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN_PACKS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_packs_parse() {
        for (name, text) in BUILTIN_PACKS {
            let pack = parse_pack(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(&pack.name, name);
            for (id, cat) in &pack.categories {
                for det in &cat.detectors {
                    if let Some(w) = &det.weight {
                        assert!(w.value().is_some(), "{name}/{id}: bad weight {w:?}");
                    }
                }
            }
        }
    }
}
