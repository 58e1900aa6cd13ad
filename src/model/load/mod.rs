//! Turns one file's text into items (or a Backlog.md configuration, or a team definition of
//! done), with spans. [`load_file`] is the one dispatch on a file's [`FileRole`]; each loader
//! lives in its own module. Malformed input that looks like an item becomes a
//! [`ParseFailure`]; anything else that is not an item is skipped silently.

mod backlog_md;
mod body;
mod builder;
mod frontmatter;
mod recover;
mod sections;
mod yaml;

pub use backlog_md::{BacklogMdConfig, dod_entries_from_yaml, load_backlog_md_config};
pub use body::{heading_role, list_entry_text};
pub use frontmatter::load_markdown;
pub use sections::load_markdown_sections;
pub use yaml::load_yaml;

use std::sync::Arc;

use crate::parse::yaml::{YamlError, YamlNode};
use crate::source::{LineIndex, Span};

use super::item::Item;
use super::layout::FileRole;
use super::vocab::{FieldNames, StatusTable};

/// What loading needs to know beyond the file itself.
#[derive(Debug, Clone, Copy)]
pub struct LoadContext<'a> {
    pub fields: &'a FieldNames,
    pub statuses: &'a StatusTable,
    /// Item files larger than this are reported instead of parsed.
    pub max_item_file_bytes: usize,
    /// Other fields to keep (lower-case names) because a detector looks at their values.
    pub detector_fields: &'a [String],
}

/// Malformed input, reported as `item/parse-error`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ParseFailure {
    pub span: Span,
    pub message: String,
}

/// Everything one file contributed.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct LoadedFile {
    pub items: Vec<Item>,
    pub failures: Vec<ParseFailure>,
    pub backlog_md_config: Option<Box<BacklogMdConfig>>,
    pub team_dod: Option<Box<super::dod::TeamDod>>,
}

/// Loads one file as its role says: the engine, the change scope and the fix planner all
/// read files through here.
pub fn load_file(
    role: &FileRole,
    index: &LineIndex<'_>,
    path: &Arc<str>,
    cx: LoadContext<'_>,
) -> LoadedFile {
    let mut loaded = match role {
        FileRole::MarkdownItem(place) => load_markdown(index, path, place, cx),
        FileRole::YamlItems(place) => load_yaml(index, path, place, cx),
        FileRole::BacklogMdConfig { root } => load_backlog_md_config(index, root),
        FileRole::MarkdownSections { level } => {
            load_markdown_sections(index, path, *level, &super::ItemPlace::default(), cx)
        }
        FileRole::DefinitionOfDone => load_team_dod(index, path),
        FileRole::Skip => LoadedFile::default(),
    };
    loaded.shrink_to_fit();
    loaded
}

impl LoadedFile {
    /// Gives back the spare capacity of its lists: a check keeps every item of the backlog
    /// until the end (an item's own lists are boxed slices, sized when it is built).
    fn shrink_to_fit(&mut self) {
        self.items.shrink_to_fit();
        self.failures.shrink_to_fit();
    }
}

/// A team definition-of-done document (Markdown or YAML).
fn load_team_dod(index: &LineIndex<'_>, path: &str) -> LoadedFile {
    let lower = path.to_ascii_lowercase();
    let mut loaded = LoadedFile::default();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        match super::dod::load_yaml(index, path) {
            Ok(found) => loaded.team_dod = Some(Box::new(found)),
            Err(failure) => loaded.failures.push(failure),
        }
    } else {
        loaded.team_dod = Some(Box::new(super::dod::load_markdown(index, path)));
    }
    loaded
}

pub(super) fn too_large(index: &LineIndex<'_>, len: usize, max: usize) -> ParseFailure {
    ParseFailure {
        span: index.span(0..0),
        message: format!(
            "the file is {len} bytes; backlint reads item files up to {max} bytes (split it, or \
             raise `max_file_size` in backlint.yaml)"
        ),
    }
}

pub(super) fn yaml_failure(index: &LineIndex<'_>, err: &YamlError, base: usize) -> ParseFailure {
    let offset = err.offset.unwrap_or(base);
    let text = index.text();
    let end = text[offset.min(text.len())..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(offset, |c| offset + c.len_utf8());
    ParseFailure {
        span: index.span(offset..end),
        message: format!("invalid YAML: {}", err.message),
    }
}

pub(super) fn first_line_len(text: &str) -> usize {
    text.find('\n').unwrap_or(text.len())
}

/// A cheap test on raw text: does any line start with an identifying key and any with a
/// classifying key? Keeps configuration files, workflows and lock files out of the YAML parser.
pub fn looks_like_item(raw: &str, fields: &FieldNames) -> bool {
    let mut identifying = false;
    let mut classifying = false;
    for line in raw.lines() {
        let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
        let Some(colon) = trimmed.find(':') else {
            continue;
        };
        let key = trimmed[..colon]
            .trim()
            .trim_matches(|c| c == '"' || c == '\'');
        if !identifying && fields.identifying().any(|f| f == key) {
            identifying = true;
        }
        if !classifying && fields.classifying().any(|f| f == key) {
            classifying = true;
        }
        if identifying && classifying {
            return true;
        }
    }
    false
}

/// A mapping is an item when it has an id or title and a type, status or labels (SPEC §2.1).
pub fn is_item_mapping(node: &YamlNode, fields: &FieldNames) -> bool {
    let Some(entries) = node.as_map() else {
        return false;
    };
    let has = |names: &mut dyn Iterator<Item = &String>| {
        let names: Vec<&String> = names.collect();
        entries
            .iter()
            .any(|(k, v)| k.as_str().is_some_and(|k| names.iter().any(|n| *n == k)) && !v.is_null())
    };
    has(&mut fields.identifying()) && has(&mut fields.classifying())
}

pub(super) fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    // Backlog.md names files "task-12 - Title.md": the id is before " - ".
    stem.split_once(" - ").map_or(stem, |(id, _)| id).trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ItemPlace, Kind, LinkKind, LinkTarget, Status, TextRole};

    fn cx_parts() -> (FieldNames, StatusTable) {
        (FieldNames::default(), StatusTable::default())
    }

    fn load_md(text: &str, path: &str, place: ItemPlace) -> LoadedFile {
        let (fields, statuses) = cx_parts();
        let cx = LoadContext {
            fields: &fields,
            statuses: &statuses,
            max_item_file_bytes: 1 << 20,
            detector_fields: &[],
        };
        let index = LineIndex::new(crate::source::SourceId(0), text);
        load_markdown(&index, &Arc::from(path), &place, cx)
    }

    fn load_y(text: &str, path: &str) -> LoadedFile {
        let (fields, statuses) = cx_parts();
        let cx = LoadContext {
            fields: &fields,
            statuses: &statuses,
            max_item_file_bytes: 1 << 20,
            detector_fields: &[],
        };
        let index = LineIndex::new(crate::source::SourceId(0), text);
        load_yaml(&index, &Arc::from(path), &ItemPlace::default(), cx)
    }

    #[test]
    fn markdown_item_fields() {
        let text = "---\nid: STORY-1\ntitle: Receive webhook\ntype: story\nstatus: In Progress\nlabels: api, payments\nsprint: 4\nspikes: [SPIKE-1]\ndependencies:\n  - ../spikes/SPIKE-2.md\nparent: EPIC-1\n---\n\n## Description\n\nSee [the spike](SPIKE-3.md).\n\n```\nlogging\n```\n\n## Implementation Notes\n\nnotes\n";
        let loaded = load_md(text, "backlog/stories/STORY-1.md", ItemPlace::default());
        assert!(loaded.failures.is_empty());
        let item = &loaded.items[0];
        assert_eq!(item.id, "STORY-1");
        assert_eq!(item.kind, Kind::Story);
        assert_eq!(item.status, Status::InProgress);
        let labels: Vec<_> = item.labels.iter().map(|l| l.value.as_str()).collect();
        assert_eq!(labels, ["api", "payments"]);
        assert_eq!(&text[item.labels[1].span.range()], "payments");
        assert_eq!(item.sprint.as_ref().map(|s| s.raw.as_str()), Some("4"));
        let targets: Vec<_> = item
            .links
            .iter()
            .map(|l| (l.kind, l.target.clone()))
            .collect();
        assert_eq!(
            targets,
            vec![
                (LinkKind::Spike, LinkTarget::Id("SPIKE-1".into())),
                (
                    LinkKind::Dependency,
                    LinkTarget::Path {
                        path: "backlog/spikes/SPIKE-2.md".into(),
                        fragment: None
                    }
                ),
                (
                    LinkKind::Body,
                    LinkTarget::Path {
                        path: "backlog/stories/SPIKE-3.md".into(),
                        fragment: None
                    }
                ),
            ]
        );
        assert_eq!(item.parent.as_ref().map(|p| p.raw.as_str()), Some("EPIC-1"));
        let roles: Vec<_> = item.regions.iter().map(|r| r.role).collect();
        assert_eq!(
            roles,
            [TextRole::Title, TextRole::Description, TextRole::Notes]
        );
        assert!(
            item.regions
                .iter()
                .all(|r| !text[r.range.clone()].contains("logging"))
        );
        assert_eq!(item.at.begin.line, 3);
    }

    #[test]
    fn not_items_are_skipped_and_broken_items_reported() {
        assert!(
            load_md("# README\n", "README.md", ItemPlace::default())
                .items
                .is_empty()
        );
        let docs = load_md(
            "---\nlayout: post\ntitle: Hi\n---\nbody",
            "docs/x.md",
            ItemPlace::default(),
        );
        assert!(docs.items.is_empty() && docs.failures.is_empty());
        let broken = load_md(
            "---\nid: T-1\nstatus: To Do\nassignee: @me\n---\n",
            "t.md",
            ItemPlace::default(),
        );
        assert_eq!(broken.failures.len(), 1);
        assert_eq!(broken.failures[0].span.begin.line, 4);
        // The broken item is still checked, without the offending value.
        assert_eq!(broken.items.len(), 1);
        assert_eq!(broken.items[0].id, "T-1");
        let unterminated = load_md("---\nid: T-1\nstatus: todo\n", "t.md", ItemPlace::default());
        assert_eq!(unterminated.failures.len(), 1);
    }

    #[test]
    fn yaml_shapes() {
        let single = load_y("id: A\ntitle: One\nstatus: todo\n", "a.yaml");
        assert_eq!(single.items.len(), 1);
        let list = load_y(
            "- id: A\n  status: todo\n- id: B\n  status: done\n- note: x\n",
            "l.yaml",
        );
        assert_eq!(
            list.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            ["A", "B"]
        );
        let nested = load_y(
            "version: 1\nepics:\n  - id: E1\n    name: Big\n    status: pending\nitems:\n  - id: S1\n    title: s\n    type: story\n    status: todo\n",
            "backlog.yaml",
        );
        let kinds: Vec<_> = nested
            .items
            .iter()
            .map(|i| (i.id.as_str(), i.kind.clone()))
            .collect();
        assert_eq!(kinds, [("E1", Kind::Epic), ("S1", Kind::Story)]);
        let workflow = load_y(
            "name: CI\non: push\njobs:\n  a:\n    runs-on: x\n",
            ".github/workflows/ci.yml",
        );
        assert!(workflow.items.is_empty() && workflow.failures.is_empty());
    }

    #[test]
    fn body_dod_and_entries() {
        let text = "---\nid: T-1\nstatus: done\n---\n## Definition of Done\n<!-- DOD:BEGIN -->\n- [x] #1 Residual risk accepted\n- [ ] #2 Tests pass\n<!-- DOD:END -->\n";
        let loaded = load_md(text, "t.md", ItemPlace::default());
        let item = &loaded.items[0];
        let entries: Vec<_> = item
            .dod
            .iter()
            .map(|e| (e.text.as_str(), e.checked))
            .collect();
        assert_eq!(
            entries,
            [
                ("Residual risk accepted", Some(true)),
                ("Tests pass", Some(false))
            ]
        );
        assert_eq!(item.dod_at.map(|s| s.begin.line), Some(5));
    }

    #[test]
    fn markdown_sections_are_items() {
        let text = "# Backlog\n\n## STORY-1 Receive payment webhooks\nStatus: In Progress\nLabels: api, payments\nSpikes: SPIKE-1\n\nThe PSP posts events.\n\n### Notes\nmore\n\n## [SPIKE-1] Threat analysis of webhooks\nType: spike\nStatus: done\n\n## Not an item\ntext\n";
        let (fields, statuses) = cx_parts();
        let cx = LoadContext {
            fields: &fields,
            statuses: &statuses,
            max_item_file_bytes: 1 << 20,
            detector_fields: &[],
        };
        let index = LineIndex::new(crate::source::SourceId(0), text);
        let loaded = load_markdown_sections(
            &index,
            &Arc::from("BACKLOG.md"),
            2,
            &ItemPlace::default(),
            cx,
        );
        let ids: Vec<_> = loaded.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["STORY-1", "SPIKE-1"]);
        let story = &loaded.items[0];
        assert_eq!(story.title, "Receive payment webhooks");
        assert_eq!(story.status, Status::InProgress);
        assert_eq!(story.labels.len(), 2);
        assert_eq!(story.links.len(), 1);
        assert!(
            story
                .regions
                .iter()
                .any(|r| text[r.range.clone()].contains("PSP posts"))
        );
        assert!(
            !story
                .regions
                .iter()
                .any(|r| text[r.range.clone()].contains("Threat analysis"))
        );
        assert_eq!(loaded.items[1].kind, Kind::Spike);
        assert_eq!(story.at.begin.line, 3);
    }

    #[test]
    fn list_entry_text_strips_markers() {
        assert_eq!(list_entry_text("- [x] #12 Risk ok\n"), "Risk ok");
        assert_eq!(list_entry_text("1. Code reviewed"), "Code reviewed");
        assert_eq!(list_entry_text("* plain"), "plain");
    }
}
