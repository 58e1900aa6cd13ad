//! What a path means in a backlog: an item file (and of which layout), a Backlog.md
//! `config.yml`, a definition-of-done document, or nothing backlint reads.

use std::collections::HashSet;

use super::vocab::{Kind, Status};

/// How a file is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileRole {
    /// Markdown that may carry an item in its front matter.
    MarkdownItem(ItemPlace),
    /// YAML that may hold one item, a list, or `items:`-style lists.
    YamlItems(ItemPlace),
    /// Backlog.md's `backlog/config.yml`: its `definition_of_done` list and `task_prefix`.
    BacklogMdConfig { root: String },
    /// A team definition of done (`definition-of-done.md`, `DoD.md`, `dod.yaml`, …).
    DefinitionOfDone,
    /// A Markdown backlog with one item per heading of this level (`markdown_sections`).
    MarkdownSections { level: u8 },
    /// Not read.
    Skip,
}

/// Facts about an item file that come from where it lies.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ItemPlace {
    /// The Backlog.md root directory (`backlog`, `.backlog`), if the file is in one.
    pub backlog_md_root: Option<String>,
    /// Under Backlog.md's `archive/`: resolves links, never reported.
    pub archived: bool,
    /// The kind implied by the folder (`epics/`, `stories/`, `tasks/`…).
    pub folder_kind: Option<Kind>,
}

/// Backlog.md's folders that hold items; others (`docs`, `decisions`, `milestones`) do not.
const BACKLOG_MD_ITEM_DIRS: &[&str] = &["tasks", "drafts", "completed", "archive"];

const DOD_FILE_NAMES: &[&str] = &[
    "definition-of-done.md",
    "definition_of_done.md",
    "definition-of-done.markdown",
    "dod.md",
    "dod.yaml",
    "dod.yml",
    "definition-of-done.yaml",
    "definition-of-done.yml",
    "definition_of_done.yaml",
    "definition_of_done.yml",
];

/// Whether `path` is named like a definition of done.
pub fn is_dod_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    DOD_FILE_NAMES.contains(&name.as_str())
}

/// Classifies paths, knowing every path of the walk (to recognise Backlog.md roots by their
/// `config.yml`).
#[derive(Debug, Default)]
pub struct LayoutIndex {
    backlog_md_roots: HashSet<String>,
    /// Markdown files with one item per heading, and the items' heading level.
    sections: Option<(globset::GlobSet, u8)>,
    /// A definition of done named in the configuration.
    dod_path: Option<String>,
}

impl LayoutIndex {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> Self {
        let mut backlog_md_roots = HashSet::new();
        for path in paths {
            if let Some(dir) = path
                .strip_suffix("/config.yml")
                .or_else(|| path.strip_suffix("/config.yaml"))
                .or_else(|| (path == "config.yml").then_some(""))
            {
                let name = dir.rsplit('/').next().unwrap_or(dir);
                if is_backlog_md_dir_name(name) {
                    backlog_md_roots.insert(dir.to_string());
                }
            }
        }
        LayoutIndex {
            backlog_md_roots,
            sections: None,
            dod_path: None,
        }
    }

    /// Reads files matching `files` as one item per heading of `level`.
    pub fn with_sections(mut self, files: globset::GlobSet, level: u8) -> Self {
        self.sections = Some((files, level));
        self
    }

    /// Treats `path` as the team's definition of done.
    pub fn with_dod_path(mut self, path: String) -> Self {
        self.dod_path = Some(path);
        self
    }

    pub fn is_backlog_md_root(&self, dir: &str) -> bool {
        self.backlog_md_roots.contains(dir)
    }

    pub fn backlog_md_roots(&self) -> impl Iterator<Item = &String> {
        self.backlog_md_roots.iter()
    }

    /// What `path` (relative, `/`-separated) is.
    pub fn classify(&self, path: &str) -> FileRole {
        if self.dod_path.as_deref() == Some(path) {
            return FileRole::DefinitionOfDone;
        }
        if let Some((files, level)) = &self.sections {
            if files.is_match(path) {
                return FileRole::MarkdownSections { level: *level };
            }
        }
        let file_name = path.rsplit('/').next().unwrap_or(path);
        let lower = file_name.to_ascii_lowercase();
        let segments: Vec<&str> = path.split('/').collect();
        let dirs = segments.split_last().map_or(&[][..], |(_, dirs)| dirs);

        // Inside a Backlog.md root: only its item folders hold items.
        let dir_ends: Vec<usize> = if self.backlog_md_roots.is_empty() {
            Vec::new()
        } else {
            path.match_indices('/').map(|(n, _)| n).collect()
        };
        for (i, &end) in dir_ends.iter().enumerate().rev() {
            let root = &path[..end];
            if !self.backlog_md_roots.contains(root) {
                continue;
            }
            let root = root.to_string();
            let rest = dirs.get(i + 1..).unwrap_or_default();
            let Some(&first) = rest.first() else {
                if lower == "config.yml" || lower == "config.yaml" {
                    return FileRole::BacklogMdConfig { root };
                }
                if DOD_FILE_NAMES.contains(&lower.as_str()) {
                    return FileRole::DefinitionOfDone;
                }
                return FileRole::Skip;
            };
            if !BACKLOG_MD_ITEM_DIRS.contains(&first) {
                if first == "docs" && DOD_FILE_NAMES.contains(&lower.as_str()) {
                    return FileRole::DefinitionOfDone;
                }
                return FileRole::Skip;
            }
            let place = ItemPlace {
                backlog_md_root: Some(root),
                archived: first == "archive",
                folder_kind: Some(Kind::Task),
            };
            return if is_markdown(&lower) {
                FileRole::MarkdownItem(place)
            } else {
                FileRole::Skip
            };
        }

        if DOD_FILE_NAMES.contains(&lower.as_str()) {
            return FileRole::DefinitionOfDone;
        }
        let place = ItemPlace {
            backlog_md_root: None,
            archived: false,
            folder_kind: folder_kind(dirs),
        };
        if is_markdown(&lower) {
            FileRole::MarkdownItem(place)
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            FileRole::YamlItems(place)
        } else {
            FileRole::Skip
        }
    }
}

fn is_backlog_md_dir_name(name: &str) -> bool {
    name == "backlog" || name == ".backlog"
}

/// Whether a lower-cased file name or path is Markdown (`.md`, `.markdown`).
pub fn is_markdown(lower_name: &str) -> bool {
    lower_name.ends_with(".md") || lower_name.ends_with(".markdown")
}

/// The kind implied by the nearest folder named after a kind.
fn folder_kind(dirs: &[&str]) -> Option<Kind> {
    dirs.iter().rev().find_map(|dir| kind_of_collection(dir))
}

/// `epics` → epic, `stories` → story, … (used for folders and YAML list keys).
pub fn kind_of_collection(name: &str) -> Option<Kind> {
    match name.to_ascii_lowercase().as_str() {
        "epics" => Some(Kind::Epic),
        "features" => Some(Kind::Feature),
        "stories" | "user-stories" | "user_stories" | "userstories" => Some(Kind::Story),
        "tasks" | "subtasks" => Some(Kind::Task),
        "bugs" | "defects" => Some(Kind::Bug),
        "spikes" => Some(Kind::Spike),
        "attacker-stories" | "attacker_stories" | "abuse-cases" => Some(Kind::AttackerStory),
        _ => None,
    }
}

/// What the key of a YAML list says about the items in it (`cancelled_tasks:`, `epics:`,
/// `blocked_items:`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Collection {
    /// The list is named for backlog items: its entries need only an id or a title.
    pub holds_items: bool,
    pub kind: Option<Kind>,
    /// The status its entries have when they do not say.
    pub status: Option<Status>,
}

/// Reads a YAML list key such as `cancelled_tasks` or `items`.
pub fn collection_of(key: &str) -> Collection {
    let lower = key.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    let Some(last) = words.last() else {
        return Collection::default();
    };
    let kind = kind_of_collection(last).or_else(|| kind_of_collection(&lower));
    let holds_items = kind.is_some()
        || matches!(
            *last,
            "items" | "backlog" | "issues" | "tickets" | "stories" | "work"
        );
    let status = words.iter().rev().skip(1).find_map(|w| match *w {
        "cancelled" | "canceled" | "dropped" | "rejected" | "abandoned" | "wontfix" => {
            Some(Status::Cancelled)
        }
        "done" | "completed" | "closed" | "finished" | "shipped" | "resolved" => Some(Status::Done),
        "blocked" | "new" | "todo" | "pending" | "open" | "planned" | "proposed" => {
            Some(Status::Todo)
        }
        "active" | "current" | "doing" | "started" => Some(Status::InProgress),
        _ => None,
    });
    Collection {
        holds_items,
        kind,
        status: if holds_items { status } else { None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> LayoutIndex {
        LayoutIndex::new([
            "backlog/config.yml",
            "backlog/tasks/back-1 - A.md",
            "sub/.backlog/config.yml",
        ])
    }

    #[test]
    fn backlog_md_folders() {
        let idx = index();
        match idx.classify("backlog/tasks/back-1 - A.md") {
            FileRole::MarkdownItem(place) => {
                assert_eq!(place.backlog_md_root.as_deref(), Some("backlog"));
                assert!(!place.archived);
                assert_eq!(place.folder_kind, Some(Kind::Task));
            }
            other => panic!("{other:?}"),
        }
        match idx.classify("backlog/archive/tasks/back-2 - B.md") {
            FileRole::MarkdownItem(place) => assert!(place.archived),
            other => panic!("{other:?}"),
        }
        assert_eq!(idx.classify("backlog/docs/doc-1.md"), FileRole::Skip);
        assert_eq!(idx.classify("backlog/milestones/m-1.md"), FileRole::Skip);
        assert_eq!(
            idx.classify("backlog/config.yml"),
            FileRole::BacklogMdConfig {
                root: "backlog".into()
            }
        );
        assert!(matches!(
            idx.classify("sub/.backlog/completed/x.md"),
            FileRole::MarkdownItem(_)
        ));
    }

    #[test]
    fn collections() {
        let c = collection_of("cancelled_tasks");
        assert!(c.holds_items);
        assert_eq!(
            (c.kind, c.status),
            (Some(Kind::Task), Some(Status::Cancelled))
        );
        let c = collection_of("blocked_items");
        assert_eq!(
            (c.holds_items, c.kind, c.status),
            (true, None, Some(Status::Todo))
        );
        assert_eq!(collection_of("epics").kind, Some(Kind::Epic));
        assert!(!collection_of("metadata").holds_items);
        assert!(!collection_of("scope_cuts_applied").holds_items);
    }

    #[test]
    fn plain_folders_and_dod() {
        let idx = index();
        match idx.classify(".project/stories/US-1.md") {
            FileRole::MarkdownItem(place) => assert_eq!(place.folder_kind, Some(Kind::Story)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            idx.classify("backlog.yaml"),
            FileRole::YamlItems(_)
        ));
        assert_eq!(idx.classify("docs/DoD.md"), FileRole::DefinitionOfDone);
        assert_eq!(idx.classify("dod.yaml"), FileRole::DefinitionOfDone);
        assert_eq!(idx.classify("src/main.rs"), FileRole::Skip);
        // A folder called backlog without config.yml is an ordinary folder.
        assert!(matches!(
            idx.classify("other/backlog/docs/x.md"),
            FileRole::MarkdownItem(_)
        ));
    }
}
