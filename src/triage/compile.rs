//! Compiles rule packs into a [`Checklist`]: the category catalogue, every phrase of every
//! category and signal in one case-insensitive matcher (one pass over an item's text finds all
//! evidence), plus label, path and field tables.

#![allow(
    clippy::indexing_slicing,
    reason = "category indices come from the tables built in this function"
)]

use std::collections::BTreeMap;

use globset::{Glob, GlobSetBuilder};

use super::Checklist;
use super::catalogue::{Catalogue, Category};
use super::classify::PhraseClassifier;
use super::detect::{Detectors, STANDALONE_SIGNALS, Signal, Target};
use super::lazy_regex::LazyRegex;
use super::matcher::PhraseMatcher;
use super::pack::{CategoryDef, RulePack};
use crate::model::TextRole;
use crate::model::vocab::normalise_word;

/// A problem in a pack: reported as `config/*` by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackError {
    pub pack: String,
    pub message: String,
}

fn default_role_weights() -> BTreeMap<TextRole, f32> {
    BTreeMap::from([
        (TextRole::Title, 1.0),
        (TextRole::Description, 1.0),
        (TextRole::Acceptance, 1.0),
        (TextRole::Plan, 0.45),
        (TextRole::Notes, 0.25),
        (TextRole::References, 0.15),
        (TextRole::DefinitionOfDone, 0.0),
        (TextRole::OutOfScope, 0.0),
    ])
}

fn role_by_name(name: &str) -> Option<TextRole> {
    Some(match name {
        "title" => TextRole::Title,
        "description" => TextRole::Description,
        "acceptance" | "acceptance_criteria" => TextRole::Acceptance,
        "plan" => TextRole::Plan,
        "notes" => TextRole::Notes,
        "references" => TextRole::References,
        "definition_of_done" => TextRole::DefinitionOfDone,
        "out_of_scope" => TextRole::OutOfScope,
        _ => return None,
    })
}

/// Turns a pack phrase into regex syntax: a space outside a character class matches any run
/// of whitespace, hyphens or underscores.
pub fn phrase_to_regex(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len() + 16);
    let mut in_class = false;
    let mut escaped = false;
    let mut last_was_space = false;
    let mut chars = phrase.trim().chars().peekable();
    while let Some(ch) = chars.next() {
        if escaped {
            out.push(ch);
            escaped = false;
            last_was_space = false;
            continue;
        }
        match ch {
            '\\' => {
                escaped = true;
                out.push(ch);
            }
            '[' => {
                in_class = true;
                out.push(ch);
            }
            // Inner groups do not capture: only the phrase as a whole is a capture group.
            '(' if !in_class && chars.peek() != Some(&'?') => out.push_str("(?:"),
            ']' => {
                in_class = false;
                out.push(ch);
            }
            ' ' if !in_class => {
                // "a ?b": the separator is optional.
                let optional = chars.peek() == Some(&'?');
                if optional {
                    chars.next();
                }
                if !last_was_space {
                    out.push_str(if optional { r"[\s_\-]*" } else { r"[\s_\-]+" });
                }
                last_was_space = true;
                continue;
            }
            _ => out.push(ch),
        }
        last_was_space = false;
    }
    out
}

struct PhraseEntry {
    regex: String,
    targets: Vec<Target>,
    /// Where the phrase was written, for error messages: `(pack, phrase as written)`.
    written: (String, String),
    /// Written in a built-in pack (known to compile), or the same regex as one that is.
    vetted: bool,
}

/// Builds a checklist from packs applied in order (later packs extend or replace categories).
pub fn compile(packs: &[(String, RulePack)]) -> Result<Checklist, Vec<PackError>> {
    let mut errors = Vec::new();
    let mut categories: Vec<Category> = Vec::new();
    // Each definition and signal phrase with its pack's name and whether it is built in.
    let mut defs: Vec<Vec<(String, bool, CategoryDef)>> = Vec::new();
    let mut signals: BTreeMap<String, Vec<(String, String, bool)>> = BTreeMap::new();
    let mut role_weights = default_role_weights();
    let mut dampeners = Vec::new();

    for (origin, pack) in packs {
        for (id, def) in &pack.categories {
            let replace = match def.mode.as_deref() {
                None | Some("extend") => false,
                Some("replace") => true,
                Some(other) => {
                    errors.push(PackError {
                        pack: origin.clone(),
                        message: format!(
                            "category `{id}`: mode `{other}` is not `extend` or `replace`"
                        ),
                    });
                    false
                }
            };
            let idx = match categories.iter().position(|c| &c.id == id) {
                Some(idx) => idx,
                None => {
                    categories.push(Category {
                        id: id.clone(),
                        title: id.replace('-', " "),
                        summary: String::new(),
                        explain: String::new(),
                        threshold: 1.0,
                        origins: Vec::new(),
                        disabled: false,
                    });
                    defs.push(Vec::new());
                    categories.len() - 1
                }
            };
            let cat = &mut categories[idx];
            cat.origins.push(origin.clone());
            if let Some(t) = &def.title {
                cat.title = t.clone();
            }
            if let Some(s) = &def.summary {
                cat.summary = s.trim().to_string();
            }
            if let Some(e) = &def.explain {
                cat.explain = e.trim().to_string();
            }
            if let Some(t) = def.threshold {
                if t.is_finite() && t > 0.0 {
                    cat.threshold = t;
                } else {
                    errors.push(PackError {
                        pack: origin.clone(),
                        message: format!("category `{id}`: threshold must be a positive number"),
                    });
                }
            }
            if replace {
                defs[idx].clear();
            }
            defs[idx].push((origin.clone(), pack.vetted, def.clone()));
        }
        for (name, phrases) in &pack.signals {
            let known = Signal::ALL.iter().any(|(_, n)| n == name)
                || STANDALONE_SIGNALS.contains(&name.as_str());
            if !known {
                errors.push(PackError {
                    pack: origin.clone(),
                    message: format!(
                        "unknown signal `{name}` (known: deferred-security, attacker-story, \
                         risk-acceptance, measurable)"
                    ),
                });
                continue;
            }
            let list = signals.entry(name.clone()).or_default();
            list.extend(
                phrases
                    .iter()
                    .map(|p| (origin.clone(), p.clone(), pack.vetted)),
            );
        }
        for (name, weight) in &pack.roles {
            match role_by_name(name) {
                Some(role) if weight.is_finite() && *weight >= 0.0 => {
                    role_weights.insert(role, *weight);
                }
                Some(_) => errors.push(PackError {
                    pack: origin.clone(),
                    message: format!("role weight `{name}` must be a non-negative number"),
                }),
                None => errors.push(PackError {
                    pack: origin.clone(),
                    message: format!(
                        "unknown text role `{name}` (known: title, description, acceptance, \
                         plan, notes, references, definition_of_done, out_of_scope)"
                    ),
                }),
            }
        }
        for damp in &pack.dampen {
            let factor = damp.factor.clamp(0.0, 1.0);
            for phrase in &damp.phrases {
                let pattern = format!("(?i-u){}", phrase_to_regex(phrase));
                match LazyRegex::new(pattern, pack.vetted) {
                    Ok(re) => dampeners.push((re, factor)),
                    Err(err) => errors.push(PackError {
                        pack: origin.clone(),
                        message: format!("dampen phrase `{phrase}`: {}", short_regex_error(&err)),
                    }),
                }
            }
        }
    }

    let mut entries: Vec<PhraseEntry> = Vec::new();
    let mut by_regex: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut add = |regex: String, target: Option<Target>, written: (String, String), vetted| {
        if let Some(existing) = by_regex.get(&regex).and_then(|i| entries.get_mut(*i)) {
            if let Some(t) = target {
                existing.targets.push(t);
            }
            existing.vetted |= vetted;
        } else {
            by_regex.insert(regex.clone(), entries.len());
            entries.push(PhraseEntry {
                regex,
                targets: target.into_iter().collect(),
                written,
                vetted,
            });
        }
    };
    let mut labels = Vec::new();
    let mut path_globs = GlobSetBuilder::new();
    let mut path_targets = Vec::new();
    let mut fields = Vec::new();

    for (idx, cat_defs) in defs.iter().enumerate() {
        for (origin, vetted, def) in cat_defs {
            for det in &def.detectors {
                let weight = match &det.weight {
                    None => 1.0,
                    Some(w) => match w.value() {
                        Some(v) => v,
                        None => {
                            errors.push(PackError {
                                pack: origin.clone(),
                                message: format!(
                                    "category `{}`: weight must be strong, medium, weak or a \
                                     non-negative number",
                                    categories[idx].id
                                ),
                            });
                            1.0
                        }
                    },
                };
                for phrase in &det.phrases {
                    let regex = phrase_to_regex(phrase);
                    add(
                        regex,
                        Some(Target::Category {
                            category: idx,
                            weight,
                        }),
                        (origin.clone(), phrase.clone()),
                        *vetted,
                    );
                }
                for phrase in &det.not {
                    let regex = phrase_to_regex(phrase);
                    add(regex, None, (origin.clone(), phrase.clone()), *vetted);
                }
                for label in &det.labels {
                    labels.push((normalise_word(label), idx, weight));
                }
                for glob in &det.paths {
                    match Glob::new(glob) {
                        Ok(g) => {
                            path_globs.add(g);
                            path_targets.push((idx, weight));
                        }
                        Err(err) => errors.push(PackError {
                            pack: origin.clone(),
                            message: format!(
                                "category `{}`: path glob `{glob}`: {err}",
                                categories[idx].id
                            ),
                        }),
                    }
                }
                for (field, values) in &det.fields {
                    for value in values {
                        fields.push((
                            field.to_ascii_lowercase(),
                            normalise_word(value),
                            idx,
                            weight,
                        ));
                    }
                }
            }
        }
    }
    for (signal, name) in Signal::ALL {
        for (origin, phrase, vetted) in signals.get(name).into_iter().flatten() {
            let regex = phrase_to_regex(phrase);
            add(
                regex,
                Some(Target::Signal(signal)),
                (origin.clone(), phrase.clone()),
                *vetted,
            );
        }
    }
    let standalone = |name: &str, errors: &mut Vec<PackError>| -> Option<LazyRegex> {
        let signal = signals.get(name)?;
        let vetted = signal.iter().all(|(_, _, vetted)| *vetted);
        let phrases: Vec<String> = signal
            .iter()
            .map(|(_, p, _)| format!("(?:{})", phrase_to_regex(p)))
            .collect();
        if phrases.is_empty() {
            return None;
        }
        let flags = if phrases.iter().all(|p| p.is_ascii()) {
            "(?i-u)"
        } else {
            "(?i)"
        };
        let pattern = format!("{flags}(?-u:\\b)(?:{})", phrases.join("|"));
        match LazyRegex::new(pattern, vetted) {
            Ok(re) => Some(re),
            Err(err) => {
                errors.push(PackError {
                    pack: "signals".to_string(),
                    message: format!("signal `{name}`: {}", short_regex_error(&err)),
                });
                None
            }
        }
    };
    let risk_acceptance = standalone("risk-acceptance", &mut errors);
    let measurable = standalone("measurable", &mut errors);

    // ASCII case folding (much faster to build and run) unless a phrase needs Unicode.
    let unicode = entries.iter().any(|e| !e.regex.is_ascii());
    // Longer phrases first, so that at one place the most specific phrase wins.
    entries.sort_by_key(|e| std::cmp::Reverse(e.regex.len()));
    let patterns: Vec<String> = entries
        .iter()
        .map(|e| {
            // Word boundaries in the phrases' own alphabet: ASCII unless a phrase needs more.
            let b = if unicode { "\\b" } else { "(?-u:\\b)" };
            format!("{b}(?:{}){b}", e.regex)
        })
        .collect();
    let vetted: Vec<bool> = entries.iter().map(|e| e.vetted).collect();
    let phrases = match PhraseMatcher::new(&patterns, unicode, &vetted) {
        Ok(matcher) => matcher,
        Err(err) => {
            // Name the phrase at fault, with the regex parser's own message.
            let culprit = entries
                .iter()
                .find_map(|e| validate(&e.regex).err().map(|m| (e, m)));
            errors.push(match culprit {
                Some((entry, message)) => PackError {
                    pack: entry.written.0.clone(),
                    message: format!("phrase `{}`: {message}", entry.written.1),
                },
                None => PackError {
                    pack: "(all packs)".to_string(),
                    message: format!("the phrases do not compile: {err}"),
                },
            });
            return Err(errors);
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let paths = if path_targets.is_empty() {
        None
    } else {
        match path_globs.build() {
            Ok(set) => Some((set, path_targets)),
            Err(err) => {
                return Err(vec![PackError {
                    pack: "(all packs)".to_string(),
                    message: format!("path globs: {err}"),
                }]);
            }
        }
    };
    let classifier = PhraseClassifier {
        thresholds: categories.iter().map(|c| c.threshold).collect(),
    };
    Ok(Checklist::new(
        Catalogue { categories },
        Detectors {
            phrases: std::sync::Arc::new(phrases),
            targets: entries.into_iter().map(|e| e.targets).collect(),
            labels,
            paths,
            fields,
            role_weights,
            dampeners,
            risk_acceptance,
            measurable,
        },
        Box::new(classifier),
    ))
}

/// Checks a phrase's syntax without compiling it (cheap), for a precise error message.
fn validate(pattern: &str) -> Result<(), String> {
    regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
        .map(|_| ())
        .map_err(|err| {
            let text = err.to_string();
            text.lines()
                .filter(|l| l.starts_with("error:"))
                .map(|l| l.trim_start_matches("error:").trim().to_string())
                .next()
                .unwrap_or_else(|| {
                    text.lines()
                        .last()
                        .unwrap_or("invalid regex")
                        .trim()
                        .to_string()
                })
        })
}

/// The first line of a regex error (the crate's message spans several lines).
pub fn short_regex_error(err: &regex::Error) -> String {
    let text = err.to_string();
    text.lines()
        .filter(|l| l.starts_with("error:"))
        .map(|l| l.trim_start_matches("error:").trim().to_string())
        .next()
        .unwrap_or_else(|| {
            text.lines()
                .last()
                .unwrap_or("invalid regex")
                .trim()
                .to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    #[test]
    fn spaces_match_separators() {
        let re = Regex::new(&format!("(?i)^{}$", phrase_to_regex("rate limit")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(re.is_match("rate-limit"));
        assert!(re.is_match("Rate  limit"));
        assert!(re.is_match("rate_limit"));
        assert_eq!(phrase_to_regex("a[ ]b c"), r"a[ ]b[\s_\-]+c");
        assert_eq!(phrase_to_regex(r"a\ b"), r"a\ b");
        assert_eq!(phrase_to_regex("log ?in"), r"log[\s_\-]*in");
        assert_eq!(
            phrase_to_regex("(a|b) (?i:c) \\(d\\) [(]"),
            r"(?:a|b)[\s_\-]+(?i:c)[\s_\-]+\(d\)[\s_\-]+[(]"
        );
        let login = Regex::new(&format!("(?i)^{}$", phrase_to_regex("log ?ins?")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(login.is_match("login") && login.is_match("log in") && login.is_match("Log-ins"));
    }

    fn pack(text: &str) -> RulePack {
        crate::triage::parse_pack(text).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A run trusts the built-in packs' phrases (`vetted`): here every one is checked, as
    /// the matcher reads them in both alphabets (ASCII, and Unicode when some phrase of
    /// another pack is not ASCII).
    #[test]
    fn builtin_phrases_compile_in_both_alphabets() {
        let unicode = pack(
            "name: accents\ncategories:\n  private-data:\n    detectors:\n      - phrases: ['données personnelles']\n",
        );
        for (name, text) in crate::triage::BUILTIN_PACKS {
            let builtin = pack(text);
            assert!(!builtin.vetted, "a parsed pack is not vetted by itself");
            let ascii = [(format!("builtin:{name}"), builtin.clone())];
            if let Err(errors) = compile(&ascii) {
                panic!(
                    "{name}: {:?}",
                    errors.iter().map(|e| &e.message).collect::<Vec<_>>()
                );
            }
            let both = [ascii[0].clone(), ("accents".to_string(), unicode.clone())];
            if let Err(errors) = compile(&both) {
                panic!(
                    "{name} with a Unicode phrase: {:?}",
                    errors.iter().map(|e| &e.message).collect::<Vec<_>>()
                );
            }
        }
    }

    /// Only what the code marks as built in goes unchecked: a pack that calls itself
    /// `builtin:default` is checked like any other, and a bad phrase is named.
    #[test]
    fn phrases_of_packs_not_vetted_are_checked() {
        let bad = pack(
            "name: builtin:default\ncategories:\n  money:\n    detectors:\n      - phrases: ['card (']\n",
        );
        let errors = match compile(&[("builtin:default".to_string(), bad.clone())]) {
            Ok(_) => panic!("an unclosed group compiled"),
            Err(errors) => errors,
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pack, "builtin:default");
        assert!(
            errors[0].message.starts_with("phrase `card (`"),
            "{}",
            errors[0].message
        );
        // The same phrase in a vetted pack is not parsed at compile time (its automaton would
        // not build, nor the fallback, and no phrase would be found: which is why the test
        // above compiles every built-in phrase).
        let vetted = RulePack {
            vetted: true,
            ..bad
        };
        assert!(compile(&[("builtin:default".to_string(), vetted)]).is_ok());
    }
}
