//! The threat-analysis spikes that `--fix` creates: free ids, file names and the text rendered
//! from the templates in `rules/templates/`.

use std::collections::{HashMap, HashSet};

use crate::model::vocab::FieldNames;

const FRONT_MATTER_TEMPLATE: &str = include_str!("../../rules/templates/spike.md");
const BACKLOG_MD_TEMPLATE: &str = include_str!("../../rules/templates/spike-backlog-md.md");
const YAML_TEMPLATE: &str = include_str!("../../rules/templates/spike.yaml");

/// Hands out ids that no item has (`SPIKE-4`, `task-128`), counting per prefix.
#[derive(Debug, Default)]
pub struct IdAllocator {
    /// Highest number seen per lower-cased prefix.
    highest: HashMap<String, u64>,
    /// Every id in use, lower-cased.
    used: HashSet<String>,
}

impl IdAllocator {
    pub fn new<'a>(ids: impl IntoIterator<Item = &'a str>) -> IdAllocator {
        let mut alloc = IdAllocator::default();
        for id in ids {
            alloc.note(id);
        }
        alloc
    }

    fn note(&mut self, id: &str) {
        let lower = id.to_ascii_lowercase();
        if let Some((prefix, number)) = split_id(&lower) {
            let slot = self.highest.entry(prefix.to_string()).or_default();
            *slot = (*slot).max(number);
        }
        self.used.insert(lower);
    }

    /// The next free id with `prefix` (kept in the spelling given), for which `free` holds
    /// (a file of that name does not exist yet, say).
    pub fn next(&mut self, prefix: &str, mut free: impl FnMut(&str) -> bool) -> String {
        let key = prefix.to_ascii_lowercase();
        let mut n = self.highest.get(&key).copied().unwrap_or(0);
        loop {
            n += 1;
            let id = format!("{prefix}-{n}");
            if !self.used.contains(&id.to_ascii_lowercase()) && free(&id) {
                self.note(&id);
                return id;
            }
        }
    }
}

/// `task-12.3` → (`task`, 12).
fn split_id(id: &str) -> Option<(&str, u64)> {
    let (prefix, rest) = id.rsplit_once('-').filter(|(p, _)| !p.is_empty())?;
    let digits = rest.split('.').next()?;
    let number = digits.parse().ok()?;
    Some((prefix, number))
}

/// The prefix most of `ids` use, in its most common spelling (`task` in a Backlog.md
/// backlog of `task-1`, `task-2`…).
pub fn common_prefix<'a>(ids: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in ids {
        if let Some((prefix, rest)) = id.rsplit_once('-') {
            if !prefix.is_empty()
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && rest
                    .split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            {
                *counts.entry(prefix).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(p, _)| p.to_string())
}

/// What a spike is about.
#[derive(Clone, Debug)]
pub struct SpikeFacts<'a> {
    pub id: &'a str,
    pub item_id: &'a str,
    pub item_title: &'a str,
    /// Category ids (`network-input`).
    pub categories: &'a [String],
    /// Category titles (`network input`), parallel to `categories`.
    pub category_titles: &'a [String],
    /// One-line descriptions, parallel to `categories`.
    pub category_summaries: &'a [String],
    /// `YYYY-MM-DD HH:MM`.
    pub created: &'a str,
}

/// The template flavours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// A Markdown file with front matter.
    FrontMatter,
    /// A Backlog.md task file.
    BacklogMd,
    /// A YAML mapping (a file of its own, or an entry of a list once indented).
    Yaml,
}

/// Renders the spike text.
pub fn render(
    template: Template,
    facts: &SpikeFacts<'_>,
    fields: &FieldNames,
    eol: &str,
) -> String {
    let text = match template {
        Template::FrontMatter => FRONT_MATTER_TEMPLATE,
        Template::BacklogMd => BACKLOG_MD_TEMPLATE,
        Template::Yaml => YAML_TEMPLATE,
    };
    let item_id = clean(facts.item_id, 80);
    let item_title = clean(facts.item_title, 100);
    let title = quoted(&format!("Threat analysis: {}", clean(facts.item_title, 80)));
    let covers = format!("[{}]", facts.categories.join(", "));
    let categories = join_words(facts.category_titles);
    let questions: Vec<String> = facts
        .category_titles
        .iter()
        .zip(facts.category_summaries)
        .map(|(title, summary)| {
            let summary = clean(summary, 200);
            if summary.is_empty() {
                format!("- [ ] {}: what could go wrong?", capitalise(title))
            } else {
                format!("- [ ] {}: {summary}", capitalise(title))
            }
        })
        .collect();
    let description = quoted(&format!(
        "Threat analysis for {item_id} ({item_title}), which touches {categories}: find what \
         could go wrong, decide the mitigations, and record the residual risk for its business \
         owner to accept."
    ));
    let key = |names: &[String], fallback: &str| {
        names
            .first()
            .cloned()
            .unwrap_or_else(|| fallback.to_string())
    };
    let values = [
        ("key.id", key(&fields.id, "id")),
        ("key.title", key(&fields.title, "title")),
        ("key.kind", key(&fields.kind, "type")),
        ("key.status", key(&fields.status, "status")),
        ("key.labels", key(&fields.labels, "labels")),
        ("key.covers", key(&fields.covers, "covers")),
        ("key.description", key(&fields.description, "description")),
        ("id", facts.id.to_string()),
        ("title", title),
        ("covers", covers),
        ("categories", categories),
        ("questions", questions.join("\n")),
        ("description", description),
        ("created", facts.created.to_string()),
        ("item_title", item_title),
        ("item", item_id),
    ];
    let rendered = fill(text, &values);
    if eol == "\n" {
        rendered
    } else {
        rendered.replace('\n', eol)
    }
}

/// Replaces each `{{name}}` of `template` in one pass (values are never expanded again).
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[open..open + 2 + close + 2]),
                }
                rest = &after[close + 2..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A Backlog.md task file name: `task-128 - Threat-analysis-for-task-12.md`.
pub fn backlog_md_file_name(id: &str, item_id: &str) -> String {
    let slug: String = format!("Threat-analysis-for-{item_id}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    format!("{} - {slug}.md", id.to_ascii_lowercase())
}

/// Text safe inside the spike: one line, no control characters, at most `max` characters.
fn clean(text: &str, max: usize) -> String {
    let line = crate::source::one_line(text);
    let cleaned: String = line.chars().filter(|c| !c.is_control()).collect();
    if cleaned.chars().count() <= max {
        cleaned
    } else {
        let mut cut: String = cleaned.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

/// A YAML double-quoted scalar (JSON's escaping is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_continue_after_the_highest_number_of_their_prefix() {
        let mut alloc = IdAllocator::new(["SPIKE-2", "spike-7", "TASK-12.3", "task-9", "EPIC-1"]);
        assert_eq!(alloc.next("SPIKE", |_| true), "SPIKE-8");
        assert_eq!(alloc.next("SPIKE", |_| true), "SPIKE-9");
        assert_eq!(alloc.next("task", |id| id != "task-13"), "task-14");
        assert_eq!(alloc.next("NEW", |_| true), "NEW-1");
    }

    #[test]
    fn the_common_prefix_is_the_most_used_spelling() {
        assert_eq!(
            common_prefix(["task-1", "task-2.1", "BACK-3", "notes"]).as_deref(),
            Some("task")
        );
        assert_eq!(common_prefix(["readme"]), None);
    }

    #[test]
    fn placeholders_in_item_text_are_not_expanded() {
        let values = [("a", "{{b}}".to_string()), ("b", "B".to_string())];
        assert_eq!(
            fill("x {{a}} {{b}} {{c}} {{", &values),
            "x {{b}} B {{c}} {{"
        );
    }

    #[test]
    fn file_names_keep_to_safe_characters() {
        assert_eq!(
            backlog_md_file_name("TASK-9", "STORY/../x y"),
            "task-9 - Threat-analysis-for-STORY-..-x-y.md"
        );
    }

    #[test]
    fn item_text_is_quoted_and_stripped_of_controls() {
        let facts = SpikeFacts {
            id: "SPIKE-1",
            item_id: "S-1",
            item_title: "Log \"in\" \u{1b}[31mred",
            categories: &["authentication".to_string()],
            category_titles: &["authentication".to_string()],
            category_summaries: &["who is who".to_string()],
            created: "2026-11-24 10:00",
        };
        let text = render(Template::Yaml, &facts, &FieldNames::default(), "\n");
        assert!(!text.contains('\u{1b}'));
        assert!(
            text.contains("title: \"Threat analysis: Log \\\"in\\\" ?[31mred\""),
            "{text}"
        );
        let tree = crate::parse::yaml::parse(&text, 0).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(tree.get("type").and_then(|t| t.as_str()), Some("spike"));
    }
}
