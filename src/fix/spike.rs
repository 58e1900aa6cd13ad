//! The threat-analysis spikes that `--fix` creates: free ids, file names and the text rendered
//! from the templates in `rules/templates/`.

use std::collections::{HashMap, HashSet};

use crate::model::vocab::FieldNames;

const FRONT_MATTER_TEMPLATE: &str = include_str!("../../rules/templates/spike.md");
const BACKLOG_MD_TEMPLATE: &str = include_str!("../../rules/templates/spike-backlog-md.md");
const YAML_TEMPLATE: &str = include_str!("../../rules/templates/spike.yaml");
const QUESTIONS: &str = include_str!("../../rules/templates/questions.yaml");

/// The threat-analysis questions of `category` (the `other` ones for a category the file does
/// not list).
fn questions_for(category: &str) -> Vec<String> {
    static TABLE: std::sync::OnceLock<std::collections::BTreeMap<String, Vec<String>>> =
        std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| serde_saphyr::from_str(QUESTIONS).unwrap_or_default());
    table
        .get(category)
        .or_else(|| table.get("other"))
        .cloned()
        .unwrap_or_default()
}

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

    /// The next free id in `style`, for which `free` holds (a file of that name does not
    /// exist yet, say).
    pub fn next(&mut self, style: &IdStyle, mut free: impl FnMut(&str) -> bool) -> String {
        let prefix = style.prefix.as_str();
        let key = prefix.to_ascii_lowercase();
        let mut n = self.highest.get(&key).copied().unwrap_or(0);
        loop {
            n += 1;
            let id = format!("{prefix}-{n:0width$}", width = style.width);
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

/// How a backlog writes its ids: the prefix's spelling and the zero-padded width of the
/// number (`STATBUS-002` → `STATBUS`, 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdStyle {
    pub prefix: String,
    pub width: usize,
}

/// The style most of `ids` use; with `wanted`, among the ids with that prefix (in any case),
/// falling back to `wanted` as written.
pub fn id_style<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    wanted: Option<&str>,
) -> Option<IdStyle> {
    let mut spellings: HashMap<&str, usize> = HashMap::new();
    let mut padded: HashMap<usize, usize> = HashMap::new();
    let mut plain = 0usize;
    for id in ids {
        let Some((prefix, rest)) = id.rsplit_once('-') else {
            continue;
        };
        let number = rest.split('.').next().unwrap_or_default();
        let shaped = !prefix.is_empty()
            && prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && rest
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !shaped || wanted.is_some_and(|w| !w.eq_ignore_ascii_case(prefix)) {
            continue;
        }
        *spellings.entry(prefix).or_default() += 1;
        if number.len() > 1 && number.starts_with('0') {
            *padded.entry(number.len()).or_default() += 1;
        } else {
            plain += 1;
        }
    }
    let prefix = spellings
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(p, _)| p.to_string())
        .or_else(|| wanted.map(str::to_string))?;
    let (width, count) = padded
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .unwrap_or((0, 0));
    let width = if count > plain { width } else { 0 };
    Some(IdStyle { prefix, width })
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
    /// The words that triggered each category, parallel to `categories`.
    pub evidence: &'a [Vec<String>],
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
    // Per category: what triggered it, then the questions a threat-modelling session asks.
    let mut questions: Vec<String> = Vec::new();
    for (n, (category, title)) in facts
        .categories
        .iter()
        .zip(facts.category_titles)
        .enumerate()
    {
        let words: Vec<String> = facts
            .evidence
            .get(n)
            .into_iter()
            .flatten()
            .take(3)
            .map(|w| format!("'{}'", clean(w, 40)))
            .collect();
        let why = if words.is_empty() {
            clean(
                facts.category_summaries.get(n).map_or("", String::as_str),
                200,
            )
        } else {
            format!("triggered by {}", words.join(", "))
        };
        for (k, question) in questions_for(category).iter().enumerate() {
            let question = clean(question, 300);
            questions.push(if k == 0 && !why.is_empty() {
                format!("- [ ] {} ({why}): {question}", capitalise(title))
            } else {
                format!("- [ ] {}: {question}", capitalise(title))
            });
        }
    }
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
pub(crate) fn quoted(text: &str) -> String {
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
        let style = |prefix: &str, width| IdStyle {
            prefix: prefix.to_string(),
            width,
        };
        let mut alloc = IdAllocator::new(["SPIKE-2", "spike-7", "TASK-12.3", "task-9", "EPIC-1"]);
        assert_eq!(alloc.next(&style("SPIKE", 0), |_| true), "SPIKE-8");
        assert_eq!(alloc.next(&style("SPIKE", 0), |_| true), "SPIKE-9");
        assert_eq!(
            alloc.next(&style("task", 0), |id| id != "task-13"),
            "task-14"
        );
        assert_eq!(alloc.next(&style("NEW", 3), |_| true), "NEW-001");
    }

    #[test]
    fn the_id_style_is_the_most_used_spelling_and_padding() {
        let style = |ids: &[&str], wanted| id_style(ids.iter().copied(), wanted);
        let plain = |prefix: &str| IdStyle {
            prefix: prefix.to_string(),
            width: 0,
        };
        assert_eq!(
            style(&["task-1", "task-2.1", "BACK-3", "notes"], None),
            Some(plain("task"))
        );
        assert_eq!(style(&["readme"], None), None);
        // The configured prefix, spelled as the items spell it.
        assert_eq!(
            style(&["STATBUS-002", "STATBUS-013", "task-1"], Some("Statbus")),
            Some(IdStyle {
                prefix: "STATBUS".to_string(),
                width: 3
            })
        );
        assert_eq!(
            style(&["BACK-9", "BACK-10"], Some("back")),
            Some(plain("BACK"))
        );
        assert_eq!(style(&[], Some("SPIKE")), Some(plain("SPIKE")));
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
            evidence: &[vec!["log in".to_string()]],
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
