//! Judges one item against the checklist: finds evidence in its title, labels, text regions,
//! path and fields; weighs it by where it stands; and keeps the categories whose score reaches
//! their threshold, each with the evidence that carried it.

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

/// The mentions of one phrase as evidence of one category.
struct PhraseHit {
    category: usize,
    phrase: usize,
    best: f32,
    /// What repeated mentions add (capped in [`PhraseHit::value`]).
    extra: f32,
    start: usize,
    end: usize,
}

impl PhraseHit {
    fn add(&mut self, value: f32, start: usize, end: usize) {
        if value > self.best {
            self.extra += self.best * REPEAT_BONUS;
            self.best = value;
            self.start = start;
            self.end = end;
        } else {
            self.extra += value * REPEAT_BONUS;
        }
    }

    fn value(&self) -> f32 {
        self.best + self.extra.min(self.best * REPEAT_BONUS * 2.0)
    }
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
        // One entry per (category, phrase): its best mention and what repeats add. Spans and
        // texts are made only for the evidence that is kept.
        let mut hits: Vec<PhraseHit> = Vec::new();
        let damp = self.dampening(item, text);
        for region in &item.regions {
            let role_weight = self.role_weights.get(&region.role).copied().unwrap_or(1.0);
            if role_weight <= 0.0 {
                continue;
            }
            for found in self.phrases.find_in(text.as_bytes(), region.range.clone()) {
                let (phrase, start, end) = (found.pattern, found.start, found.end);
                let Some(targets) = self.targets.get(phrase) else {
                    continue;
                };
                let context = token_factor(text, start, end);
                for target in targets {
                    match *target {
                        Target::Category { category, weight } => {
                            let value = weight * role_weight * context * damp;
                            if value <= 0.0 {
                                continue;
                            }
                            match hits
                                .iter_mut()
                                .find(|h| h.category == category && h.phrase == phrase)
                            {
                                Some(hit) => hit.add(value, start, end),
                                None => hits.push(PhraseHit {
                                    category,
                                    phrase,
                                    best: value,
                                    extra: 0.0,
                                    start,
                                    end,
                                }),
                            }
                        }
                        Target::Signal(signal) => {
                            if context < 1.0 || region.role == TextRole::Notes {
                                continue;
                            }
                            let evidence = Evidence {
                                text: String::from_utf8_lossy(&text.as_bytes()[start..end])
                                    .into_owned(),
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
        hits.sort_by(|a, b| {
            a.category
                .cmp(&b.category)
                .then(b.value().total_cmp(&a.value()))
                .then(a.start.cmp(&b.start))
        });
        let mut per_category: Vec<(f32, Vec<Evidence>)> =
            vec![(0.0, Vec::new()); self.categories.len()];
        let mut factor = 1.0;
        let mut previous = usize::MAX;
        for hit in &hits {
            if hit.category != previous {
                factor = 1.0;
                previous = hit.category;
            }
            let slot = &mut per_category[hit.category];
            slot.0 += hit.value() * factor;
            factor *= DECAY;
            if slot.1.len() < MAX_EVIDENCE {
                slot.1.push(Evidence {
                    text: String::from_utf8_lossy(&text.as_bytes()[hit.start..hit.end])
                        .into_owned(),
                    span: index.span(hit.start..hit.end),
                    weight: hit.value(),
                });
            }
        }
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
            if self.categories[category].disabled {
                continue;
            }
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
/// (a file name is a passing mention), inside a snake_case or dotted code identifier half.
fn token_factor(text: &str, start: usize, end: usize) -> f32 {
    const LIMIT: usize = 160;
    let bytes = text.as_bytes();
    let mut left = start;
    while left > 0 && start - left < LIMIT && !bytes[left - 1].is_ascii_whitespace() {
        left -= 1;
    }
    let mut right = end;
    while right < bytes.len() && right - end < LIMIT && !bytes[right].is_ascii_whitespace() {
        right += 1;
    }
    let is_edge = |b: u8| {
        matches!(
            b,
            b'(' | b')'
                | b'['
                | b']'
                | b'"'
                | b'\''
                | b'`'
                | b','
                | b';'
                | b':'
                | b'.'
                | b'!'
                | b'?'
                | b'*'
                | b'<'
                | b'>'
        )
    };
    while left < start && is_edge(bytes[left]) {
        left += 1;
    }
    while right > end && is_edge(bytes[right - 1]) {
        right -= 1;
    }
    let token = &bytes[left..right];
    if token.iter().any(|b| *b == b'/' || *b == b'\\') {
        return 0.1;
    }
    if let Some(dot) = token.iter().rposition(|b| *b == b'.') {
        if dot > 0 && has_file_extension(&token[dot + 1..]) {
            return 0.1;
        }
    }
    if token.contains(&b'_') {
        return 0.5;
    }
    let before_dot =
        start >= 2 && bytes[start - 1] == b'.' && bytes[start - 2].is_ascii_alphanumeric();
    let after_dot =
        end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_alphanumeric();
    if before_dot || after_dot {
        return 0.5;
    }
    1.0
}

fn has_file_extension(ext: &[u8]) -> bool {
    const EXTENSIONS: &[&str] = &[
        "py", "rs", "ts", "tsx", "js", "jsx", "go", "rb", "java", "kt", "cs", "php", "sh", "sql",
        "md", "yaml", "yml", "json", "toml", "ini", "cfg", "conf", "txt", "log", "html", "css",
        "scss", "vue", "svelte", "swift", "c", "h", "cpp", "hpp", "tf", "lock", "env", "xml",
        "proto", "graphql", "ex", "exs",
    ];
    ext.len() <= 7
        && EXTENSIONS
            .iter()
            .any(|e| e.as_bytes().eq_ignore_ascii_case(ext))
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
