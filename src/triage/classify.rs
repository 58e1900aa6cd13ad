//! Judges one item against the checklist: finds evidence in its title, labels, text regions,
//! path and fields; weighs it by where it stands; and keeps the categories whose score reaches
//! their threshold, each with the evidence that carried it.

use std::collections::HashMap;

use crate::model::vocab::normalise_word;
use crate::model::{Item, TextRole};
use crate::source::{LineIndex, Span};

use super::compile::{Checklist, Signal, Target};

/// Why an item triggered a category: one piece of evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// The matched text as written (a phrase, a label, `path: …`, `field: value`).
    pub text: String,
    pub span: Span,
    /// How much it counted.
    pub weight: f32,
}

/// A category the item triggered.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryMatch {
    pub category: usize,
    pub score: f32,
    /// Strongest first.
    pub evidence: Vec<Evidence>,
}

/// Everything triage learned about one item.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemTriage {
    /// Triggered categories, in checklist order.
    pub categories: Vec<CategoryMatch>,
    /// Categories the item's `triage:` override switched off.
    pub overridden: Vec<usize>,
    pub deferred_security: Vec<Evidence>,
    pub attacker_story: Option<Evidence>,
    /// For items labelled non-functional: the first measurable criterion, if any.
    pub measurable: Option<Evidence>,
    /// Index (into `item.dod`) of the item's own residual-risk acceptance entry.
    pub dod_risk_entry: Option<usize>,
}

/// How much each repeated mention of the same phrase adds (relative to its best mention).
const REPEAT_BONUS: f32 = 0.25;
/// Each further distinct phrase of a category counts this much less than the one before.
const DECAY: f32 = 0.5;
const MAX_EVIDENCE: usize = 5;

impl Checklist {
    /// Judges `item`, whose text is `index.text()`.
    pub fn classify(&self, item: &Item, index: &LineIndex<'_>) -> ItemTriage {
        self.classify_with(item, index, false)
    }

    /// Like [`Checklist::classify`]; with `keep_all`, categories below their threshold are kept
    /// too (with their scores), to show why an item did or did not trigger.
    pub fn classify_with(&self, item: &Item, index: &LineIndex<'_>, keep_all: bool) -> ItemTriage {
        let text = index.text();
        let mut out = ItemTriage::default();
        // category → phrase group → (best contribution, extra mentions, evidence)
        let mut hits: HashMap<(usize, usize), (f32, f32, Evidence)> = HashMap::new();
        let damp = self.dampening(item, text);
        let mut locs = self.phrases.capture_locations();
        for region in &item.regions {
            let role_weight = self.role_weights.get(&region.role).copied().unwrap_or(1.0);
            let slice = &text[region.range.clone()];
            let mut at = 0;
            while at <= slice.len() {
                let Some(m) = self.phrases.captures_read_at(&mut locs, slice, at) else {
                    break;
                };
                at = if m.end() > m.start() {
                    m.end()
                } else {
                    m.end() + 1
                };
                let Some(entry) = self
                    .group_entries
                    .iter()
                    .find(|(group, _)| locs.get(*group).is_some())
                    .map(|(_, entry)| *entry)
                else {
                    continue;
                };
                let Some(targets) = self.targets.get(entry) else {
                    continue;
                };
                let group = entry;
                let start = region.range.start + m.start();
                let end = region.range.start + m.end();
                let context = token_factor(text, start, end);
                for target in targets {
                    match *target {
                        Target::Category { category, weight } => {
                            let value = weight * role_weight * context * damp;
                            if value <= 0.0 {
                                continue;
                            }
                            let evidence = Evidence {
                                text: m.as_str().to_string(),
                                span: index.span(start..end),
                                weight: value,
                            };
                            hits.entry((category, group))
                                .and_modify(|(best, extra, ev)| {
                                    if value > *best {
                                        *extra += *best * REPEAT_BONUS;
                                        *best = value;
                                        *ev = evidence.clone();
                                    } else {
                                        *extra += value * REPEAT_BONUS;
                                    }
                                })
                                .or_insert((value, 0.0, evidence));
                        }
                        Target::Signal(signal) => {
                            if context < 1.0 || role_weight <= 0.0 || region.role == TextRole::Notes
                            {
                                continue;
                            }
                            let evidence = Evidence {
                                text: m.as_str().to_string(),
                                span: index.span(start..end),
                                weight: 1.0,
                            };
                            match signal {
                                Signal::DeferredSecurity => out.deferred_security.push(evidence),
                                Signal::AttackerStory => {
                                    if matches!(
                                        region.role,
                                        TextRole::Title | TextRole::Description
                                    ) && out.attacker_story.is_none()
                                    {
                                        out.attacker_story = Some(evidence);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        // Per category, distinct phrases count with decaying weight (strongest first), so a
        // long text full of passing mentions does not add up to a trigger.
        let mut contributions: Vec<Vec<(f32, Evidence)>> = vec![Vec::new(); self.categories.len()];
        for ((category, _), (best, extra, evidence)) in hits {
            contributions[category].push((best + extra.min(best * REPEAT_BONUS * 2.0), evidence));
        }
        let mut per_category: Vec<(f32, Vec<Evidence>)> = contributions
            .into_iter()
            .map(|mut list| {
                list.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.span.start.cmp(&b.1.span.start)));
                let mut score = 0.0;
                let mut factor = 1.0;
                for (value, _) in &list {
                    score += value * factor;
                    factor *= DECAY;
                }
                (score, list.into_iter().map(|(_, e)| e).collect())
            })
            .collect();
        for label in &item.labels {
            let norm = normalise_word(&label.value);
            for (name, category, weight) in &self.labels {
                if *name == norm {
                    let slot = &mut per_category[*category];
                    slot.0 += weight;
                    slot.1.push(Evidence {
                        text: format!("label `{}`", label.value),
                        span: label.span,
                        weight: *weight,
                    });
                }
            }
        }
        if let Some((set, targets)) = &self.paths {
            for glob in set.matches(&item.path) {
                if let Some((category, weight)) = targets.get(glob) {
                    let slot = &mut per_category[*category];
                    slot.0 += weight;
                    slot.1.push(Evidence {
                        text: format!("path `{}`", item.path),
                        span: item.start,
                        weight: *weight,
                    });
                }
            }
        }
        for (key, value) in &item.extra_fields {
            let norm = normalise_word(&value.value);
            for (field, expected, category, weight) in &self.fields {
                if field == key && *expected == norm {
                    let slot = &mut per_category[*category];
                    slot.0 += weight;
                    slot.1.push(Evidence {
                        text: format!("{key}: {}", value.value),
                        span: value.span,
                        weight: *weight,
                    });
                }
            }
        }

        let overrides = item.triage_override.as_ref();
        for (category, (score, mut evidence)) in per_category.into_iter().enumerate() {
            if score + 1e-6 < self.categories[category].threshold && !(keep_all && score > 0.0) {
                continue;
            }
            let id = &self.categories[category].id;
            if overrides.is_some_and(|o| o.disabled.iter().any(|d| &d.value == id)) {
                out.overridden.push(category);
                continue;
            }
            evidence.sort_by(|a, b| {
                b.weight
                    .total_cmp(&a.weight)
                    .then(a.span.start.cmp(&b.span.start))
            });
            evidence.truncate(MAX_EVIDENCE);
            out.categories.push(CategoryMatch {
                category,
                score,
                evidence,
            });
        }

        if item.is_labelled("non-functional") || item.is_labelled("nfr") {
            out.measurable = self.find_measurable(item, index);
        }
        out.dod_risk_entry = item
            .dod
            .iter()
            .position(|entry| self.is_risk_acceptance_entry(&entry.text));
        out
    }

    /// The strongest title dampener that applies (1.0 when none).
    fn dampening(&self, item: &Item, text: &str) -> f32 {
        let title = item
            .regions
            .iter()
            .find(|r| r.role == TextRole::Title)
            .map_or(item.title.as_str(), |r| &text[r.range.clone()]);
        self.dampeners
            .iter()
            .filter(|(re, _)| re.is_match(title))
            .map(|(_, factor)| *factor)
            .fold(1.0, f32::min)
    }

    fn find_measurable(&self, item: &Item, index: &LineIndex<'_>) -> Option<Evidence> {
        let text = index.text();
        item.regions
            .iter()
            .filter(|r| r.role != TextRole::OutOfScope)
            .find_map(|r| {
                let m = self.measurable_criterion(&text[r.range.clone()])?;
                let start = r.range.start + m.start();
                Some(Evidence {
                    text: m.as_str().to_string(),
                    span: index.span(start..start + m.len()),
                    weight: 1.0,
                })
            })
    }
}

/// How much a match counts given the token around it: inside a path or URL almost nothing
/// (a file name is a passing mention), inside a dotted code identifier half.
fn token_factor(text: &str, start: usize, end: usize) -> f32 {
    let bytes = text.as_bytes();
    let limit = 160;
    let mut left = start;
    while left > 0 && start - left < limit && !bytes[left - 1].is_ascii_whitespace() {
        left -= 1;
    }
    let mut right = end;
    while right < bytes.len() && right - end < limit && !bytes[right].is_ascii_whitespace() {
        right += 1;
    }
    let token = text
        .get(left..right)
        .unwrap_or_default()
        .trim_matches(|c: char| {
            matches!(
                c,
                '(' | ')'
                    | '['
                    | ']'
                    | '"'
                    | '\''
                    | '`'
                    | ','
                    | ';'
                    | ':'
                    | '.'
                    | '!'
                    | '?'
                    | '*'
                    | '<'
                    | '>'
            )
        });
    if token.contains("://") || token.contains('/') || token.contains('\\') {
        return 0.1;
    }
    if has_file_extension(token) {
        return 0.1;
    }
    // Inside a snake_case identifier (`client_secret`, `LOG_LEVEL`): a name in code.
    if token.contains('_') {
        return 0.5;
    }
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    if before == Some('.')
        && text[..start]
            .chars()
            .rev()
            .nth(1)
            .is_some_and(|c| c.is_alphanumeric())
        || after == Some('.')
            && text[end..]
                .chars()
                .nth(1)
                .is_some_and(|c| c.is_alphanumeric())
    {
        return 0.5;
    }
    1.0
}

fn has_file_extension(token: &str) -> bool {
    let Some((stem, ext)) = token.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && matches!(
            ext.to_ascii_lowercase().as_str(),
            "py" | "rs"
                | "ts"
                | "tsx"
                | "js"
                | "jsx"
                | "go"
                | "rb"
                | "java"
                | "kt"
                | "cs"
                | "php"
                | "sh"
                | "sql"
                | "md"
                | "yaml"
                | "yml"
                | "json"
                | "toml"
                | "ini"
                | "cfg"
                | "conf"
                | "txt"
                | "log"
                | "html"
                | "css"
                | "scss"
                | "vue"
                | "svelte"
                | "swift"
                | "c"
                | "h"
                | "cpp"
                | "hpp"
                | "tf"
                | "lock"
                | "env"
                | "xml"
                | "proto"
                | "graphql"
                | "ex"
                | "exs"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_context() {
        let text = "see app/auth/session.py and logging.py and logger.info and the session";
        let at = |w: &str| text.find(w).unwrap_or_default();
        assert_eq!(token_factor(text, at("auth"), at("auth") + 4), 0.1);
        assert_eq!(token_factor(text, at("logging"), at("logging") + 7), 0.1);
        assert_eq!(token_factor(text, at("logger"), at("logger") + 6), 0.5);
        let s = text.rfind("session").unwrap_or_default();
        assert_eq!(token_factor(text, s, s + 7), 1.0);
    }
}
