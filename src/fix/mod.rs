//! `check --fix`: for every item reported by `triage/missing-spike`, creates a threat-analysis
//! spike from the templates (in the repository's own format) and links it from the item with
//! a minimal insertion into its YAML. Plans first, so that `--dry-run` can print the diff;
//! applies atomically, never overwriting a file and never leaving the repository.

#![allow(
    clippy::indexing_slicing,
    reason = "indices come from the plan and the checklist built in this run"
)]

pub mod link;
pub mod spike;

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::model::FileRole;
use crate::model::vocab::FieldNames;
use crate::outcome::CheckOutcome;
use crate::parse::frontmatter::{self, Split};
use crate::parse::yaml::{self, YamlNode, YamlValue};
use crate::triage::Checklist;
use link::{Insertion, NewKeyPlace};
use spike::{IdAllocator, SpikeFacts, Template};

/// What `--fix` needs besides the check's outcome.
pub struct FixContext<'a> {
    pub outcome: &'a CheckOutcome,
    pub checklist: &'a Checklist,
    pub fields: &'a FieldNames,
    /// The repository root: every path is relative to it.
    pub root: &'a Path,
    /// `YYYY-MM-DD HH:MM` for Backlog.md's `created_date`.
    pub created: String,
    /// Give done items spikes too (`--include-done`); by default only open items get them.
    pub include_done: bool,
}

/// Why a done item gets no spike by default.
pub const SKIPPED_DONE: &str = "done (use --include-done)";

/// One file the fix creates (`before` is `None`) or edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub before: Option<String>,
    pub after: String,
}

/// An item that gets a spike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixed {
    pub item: String,
    pub spike: String,
    /// Where the spike is (a new file, or the item's own YAML file).
    pub spike_path: String,
    /// The key of the item that now names the spike.
    pub field: String,
}

/// An item the fix leaves alone, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub item: String,
    pub path: String,
    pub reason: String,
}

/// Everything a fix would do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixPlan {
    pub changes: Vec<FileChange>,
    pub fixed: Vec<Fixed>,
    pub skipped: Vec<Skipped>,
}

/// Why a planned fix could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error("refusing to write `{0}`: it is outside the repository")]
    OutsideRepository(String),
    #[error("`{0}` exists; a fix never overwrites a file")]
    Exists(String),
    #[error("`{0}` changed while the fix was planned; run the fix again")]
    ChangedMeanwhile(String),
    #[error("cannot write `{0}`: {1}")]
    Io(String, io::Error),
}

/// Where an item lies in its file.
enum Container {
    /// Front matter whose closing fence starts at this offset.
    FrontMatter { end: usize },
    /// The whole YAML file is the item.
    YamlFile,
    /// An entry of a block list; the entry's first line starts at `line_start`, with `indent`
    /// before its dash and `gap` after it.
    YamlEntry {
        line_start: usize,
        indent: String,
        gap: String,
    },
}

/// One file's pending edit.
struct PendingEdit {
    /// How the check read the file.
    role: FileRole,
    before: String,
    insertions: Vec<Insertion>,
    /// (item id, link key aliases, spike id): what the edited text must show.
    expect: Vec<(String, Vec<String>, String)>,
    /// Indices into `FixPlan::fixed` and the new files that belong to this edit.
    fixed: Vec<usize>,
}

/// Plans the fix of every `triage/missing-spike` finding of `cx.outcome`.
pub fn plan(cx: &FixContext<'_>) -> FixPlan {
    let backlog = &cx.outcome.backlog;
    let mut alloc = IdAllocator::new(backlog.items.iter().map(|i| i.id.as_str()));
    // Spikes outside Backlog.md are `SPIKE-n`, spelled and padded as existing spikes are.
    let spike_style = spike::id_style(backlog.items.iter().map(|i| i.id.as_str()), Some("SPIKE"))
        .unwrap_or_else(|| spike::IdStyle {
            prefix: "SPIKE".to_string(),
            width: 0,
        });
    let mut plan = FixPlan::default();
    let mut edits: BTreeMap<String, PendingEdit> = BTreeMap::new();
    let mut new_files: Vec<(usize, FileChange)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Backlog.md ids per root, as the root's items write them.
    let mut root_styles: std::collections::HashMap<String, spike::IdStyle> =
        std::collections::HashMap::new();
    for finding in &cx.outcome.findings {
        if finding.rule != "triage/missing-spike" {
            continue;
        }
        let Some(idx) = finding.item_index else {
            continue;
        };
        if !seen.insert(idx) {
            continue;
        }
        let Some(item) = backlog.items.get(idx) else {
            continue;
        };
        let skip = |reason: &str| Skipped {
            item: item.id.clone(),
            path: item.path.to_string(),
            reason: reason.to_string(),
        };
        if item.archived {
            plan.skipped.push(skip("archived items are not changed"));
            continue;
        }
        // A spike for finished work records debt, it does not steer the work: only on request.
        if item.status == crate::model::Status::Done && !cx.include_done {
            plan.skipped.push(skip(SKIPPED_DONE));
            continue;
        }
        if !is_plain_relative(&item.path) {
            plan.skipped
                .push(skip("the item's path is not inside the repository"));
            continue;
        }
        let Some(id_at) = item.id_at else {
            plan.skipped
                .push(skip("the item has no id field to link from"));
            continue;
        };
        let Some(role) = cx.outcome.role_of(idx) else {
            plan.skipped
                .push(skip("the item's file is not known to the check"));
            continue;
        };
        if !edits.contains_key(&*item.path) {
            match read_inside(cx.root, &item.path) {
                Ok(text) => {
                    edits.insert(
                        item.path.to_string(),
                        PendingEdit {
                            role: role.clone(),
                            before: text,
                            insertions: Vec::new(),
                            expect: Vec::new(),
                            fixed: Vec::new(),
                        },
                    );
                }
                Err(reason) => {
                    plan.skipped.push(skip(&reason));
                    continue;
                }
            }
        }
        let Some(edit) = edits.get_mut(&*item.path) else {
            continue;
        };
        let text = edit.before.as_str();
        let (map, container) = match locate(text, &edit.role, id_at.start as usize) {
            Ok(found) => found,
            Err(reason) => {
                plan.skipped.push(skip(&reason));
                continue;
            }
        };
        let backlog_md_root = backlog.backlog_md_configs.iter().find(|c| {
            item.path
                .strip_prefix(c.root.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        });
        let eol = link::line_ending(text);
        let categories = finding.categories.clone();
        let (titles, summaries) = describe(cx.checklist, &categories);
        let evidence = evidence_words(cx, idx, &categories);

        // The spike's id and where it goes.
        let (prefix, template, dir) = match (&container, backlog_md_root) {
            (Container::FrontMatter { .. }, Some(config)) => {
                let style = root_styles.entry(config.root.clone()).or_insert_with(|| {
                    let in_root = backlog.items.iter().filter_map(|i| {
                        i.path
                            .strip_prefix(config.root.as_str())
                            .filter(|r| r.starts_with('/'))
                            .map(|_| i.id.as_str())
                    });
                    spike::id_style(in_root, config.task_prefix.as_deref()).unwrap_or_else(|| {
                        spike::IdStyle {
                            prefix: "task".to_string(),
                            width: 0,
                        }
                    })
                });
                (
                    style.clone(),
                    Template::BacklogMd,
                    format!("{}/tasks", config.root),
                )
            }
            (Container::FrontMatter { .. }, None) => (
                spike_style.clone(),
                Template::FrontMatter,
                parent(&item.path),
            ),
            (_, _) => (spike_style.clone(), Template::Yaml, parent(&item.path)),
        };
        let planned: Vec<String> = new_files.iter().map(|(_, f)| f.path.clone()).collect();
        let file_for = |id: &str| match (&container, template) {
            (_, Template::BacklogMd) => {
                Some(join(&dir, &spike::backlog_md_file_name(id, &item.id)))
            }
            (Container::FrontMatter { .. }, _) => Some(join(&dir, &format!("{id}.md"))),
            (Container::YamlFile, _) => Some(join(&dir, &format!("{id}.yaml"))),
            (Container::YamlEntry { .. }, _) => None,
        };
        let spike_id = alloc.next(&prefix, |id| match file_for(id) {
            Some(path) => !planned.contains(&path) && !cx.root.join(&path).exists(),
            None => true,
        });
        let facts = SpikeFacts {
            id: &spike_id,
            item_id: &item.id,
            item_title: &item.title,
            categories: &categories,
            category_titles: &titles,
            category_summaries: &summaries,
            evidence: &evidence,
            created: &cx.created,
        };

        // The link from the item.
        let (keys, new_key) = link_keys(cx.fields, backlog_md_root.is_some());
        let place = match &container {
            Container::FrontMatter { end } => NewKeyPlace::EndOfFrontMatter(*end),
            _ => NewKeyPlace::AfterLastScalarEntry,
        };
        let link = match link::link_insertions(text, &map, &keys, &new_key, &spike_id, place) {
            Ok(link) => link,
            Err(e) => {
                plan.skipped
                    .push(skip(&format!("cannot add the link: {e}")));
                continue;
            }
        };
        let field = existing_key(&map, &keys).unwrap_or_else(|| new_key.clone());
        let fixed_index = plan.fixed.len();
        let spike_path = match &container {
            Container::YamlEntry {
                line_start,
                indent,
                gap,
            } => {
                let body = spike::render(Template::Yaml, &facts, cx.fields, "\n");
                edit.insertions.push(Insertion {
                    at: *line_start,
                    text: indent_entry(&body, indent, gap, eol),
                });
                item.path.to_string()
            }
            _ => {
                let path = file_for(&spike_id).unwrap_or_default();
                let body = spike::render(template, &facts, cx.fields, eol);
                new_files.push((
                    fixed_index,
                    FileChange {
                        path: path.clone(),
                        before: None,
                        after: body,
                    },
                ));
                path
            }
        };
        edit.insertions.extend(link);
        edit.expect.push((item.id.clone(), keys, spike_id.clone()));
        edit.fixed.push(fixed_index);
        plan.fixed.push(Fixed {
            item: item.id.clone(),
            spike: spike_id,
            spike_path,
            field,
        });
    }

    // Apply each file's insertions and check that the result reads back as intended.
    let mut dropped = Vec::new();
    for (path, edit) in edits {
        if edit.insertions.is_empty() {
            continue;
        }
        let after = link::apply(&edit.before, &edit.insertions);
        match verify(&after, &edit.role, cx.fields, &edit.expect) {
            Ok(()) => plan.changes.push(FileChange {
                path,
                before: Some(edit.before),
                after,
            }),
            Err(reason) => {
                for &n in &edit.fixed {
                    dropped.push(n);
                    plan.skipped.push(Skipped {
                        item: plan.fixed[n].item.clone(),
                        path: path.clone(),
                        reason: format!("the edited file would not read back: {reason}"),
                    });
                }
            }
        }
    }
    for (n, file) in new_files {
        if !dropped.contains(&n) {
            plan.changes.push(file);
        }
    }
    plan.fixed = std::mem::take(&mut plan.fixed)
        .into_iter()
        .enumerate()
        .filter(|(n, _)| !dropped.contains(n))
        .map(|(_, fixed)| fixed)
        .collect();
    plan.changes.sort_by(|a, b| a.path.cmp(&b.path));
    plan
}

/// The link keys an item may already have, and the key to add when it has none: Backlog.md
/// links through `dependencies`, other backlogs through `spikes`.
fn link_keys(fields: &FieldNames, backlog_md: bool) -> (Vec<String>, String) {
    let mut keys = fields.spikes.clone();
    let new_key = if backlog_md {
        keys.extend(fields.dependencies.iter().cloned());
        fields
            .dependencies
            .iter()
            .find(|k| k.as_str() == "dependencies")
            .or(fields.dependencies.first())
            .cloned()
            .unwrap_or_else(|| "dependencies".to_string())
    } else {
        fields
            .spikes
            .first()
            .cloned()
            .unwrap_or_else(|| "spikes".to_string())
    };
    (keys, new_key)
}

fn existing_key(map: &YamlNode, keys: &[String]) -> Option<String> {
    map.as_map()?.iter().find_map(|(k, _)| {
        let k = k.as_str()?;
        keys.iter()
            .any(|name| name.eq_ignore_ascii_case(k))
            .then(|| k.to_string())
    })
}

/// Category titles and summaries for the spike's questions.
/// The words that triggered each of `ids` on item `idx`, strongest first.
fn evidence_words(cx: &FixContext<'_>, idx: usize, ids: &[String]) -> Vec<Vec<String>> {
    let triage = cx.outcome.triage.get(idx);
    ids.iter()
        .map(|id| {
            let Some(n) = cx.checklist.category(id) else {
                return Vec::new();
            };
            let mut words: Vec<String> = Vec::new();
            for found in triage.iter().flat_map(|t| t.categories.iter()) {
                if found.category != n {
                    continue;
                }
                for ev in &found.evidence {
                    if !words.iter().any(|w| w.eq_ignore_ascii_case(&ev.text)) {
                        words.push(ev.text.to_string());
                    }
                }
            }
            words
        })
        .collect()
}

fn describe(checklist: &Checklist, ids: &[String]) -> (Vec<String>, Vec<String>) {
    ids.iter()
        .map(|id| match checklist.category(id) {
            Some(n) => {
                let c = &checklist.categories()[n];
                (c.title.clone(), c.summary.clone())
            }
            None => (id.replace('-', " "), String::new()),
        })
        .unzip()
}

/// The YAML of an item file with file offsets, read in the role the check read it in: a
/// Markdown file's front matter (with where that block ends), or a whole YAML file.
fn read_yaml(text: &str, role: &FileRole) -> Result<(YamlNode, Option<usize>), String> {
    match role {
        FileRole::MarkdownItem(_) => {}
        FileRole::YamlItems(_) => {
            return yaml::parse(text, 0)
                .map(|tree| (tree, None))
                .map_err(|e| format!("the file does not parse: {}", e.message));
        }
        FileRole::MarkdownSections { .. } => {
            return Err("the item is a section of a Markdown backlog file".to_string());
        }
        _ => return Err("the file does not hold items".to_string()),
    }
    let Split::Found(fm) = frontmatter::split(text) else {
        return Err("the item is not in a front matter block".to_string());
    };
    yaml::parse(&text[fm.yaml.clone()], fm.yaml.start)
        .map(|tree| (tree, Some(fm.yaml.end)))
        .map_err(|e| format!("its front matter does not parse: {}", e.message))
}

/// Finds the mapping of the item whose id value starts at `id_at`.
fn locate(text: &str, role: &FileRole, id_at: usize) -> Result<(YamlNode, Container), String> {
    let (tree, front_matter_end) = read_yaml(text, role)?;
    if let Some(end) = front_matter_end {
        if !holds_value_at(&tree, id_at) {
            return Err("the item is a section of a Markdown backlog file".to_string());
        }
        return Ok((tree, Container::FrontMatter { end }));
    }
    if holds_value_at(&tree, id_at) {
        return Ok((tree, Container::YamlFile));
    }
    let Some(entry) = find_entry(&tree, id_at) else {
        return Err("the item is not where its id says".to_string());
    };
    let Some((first_key, _)) = entry.as_map().and_then(|m| m.first()) else {
        return Err("the item is empty".to_string());
    };
    let line_start = link::line_start(text, first_key.span.start);
    let prefix = &text[line_start..first_key.span.start];
    let dash = prefix.trim_start();
    let indent = &prefix[..prefix.len() - dash.len()];
    match dash.strip_prefix('-') {
        Some(gap) if !gap.is_empty() && gap.trim().is_empty() => Ok((
            entry.clone(),
            Container::YamlEntry {
                line_start,
                indent: indent.to_string(),
                gap: gap.to_string(),
            },
        )),
        _ => Err("the item is not an entry of a block list (`- id: …`)".to_string()),
    }
}

/// Whether `map` has an entry whose value starts at `at`.
fn holds_value_at(map: &YamlNode, at: usize) -> bool {
    map.as_map()
        .is_some_and(|m| m.iter().any(|(_, v)| v.span.start == at))
}

/// The list entry (a mapping) that holds the value at `at`, at any depth.
fn find_entry(node: &YamlNode, at: usize) -> Option<&YamlNode> {
    match &node.value {
        YamlValue::Seq(elements) => elements.iter().find_map(|e| {
            if holds_value_at(e, at) {
                Some(e)
            } else {
                find_entry(e, at)
            }
        }),
        YamlValue::Map(entries) => entries.iter().find_map(|(_, v)| find_entry(v, at)),
        _ => None,
    }
}

/// Re-reads the edited text: every item must now name its spike under one of the link keys.
fn verify(
    text: &str,
    role: &FileRole,
    fields: &FieldNames,
    expect: &[(String, Vec<String>, String)],
) -> Result<(), String> {
    let (tree, _) = read_yaml(text, role)?;
    for (item, keys, spike) in expect {
        let Some(map) = mapping_with_id(&tree, &fields.id, item) else {
            return Err(format!("{item} is no longer found"));
        };
        let linked = map.as_map().is_some_and(|entries| {
            entries.iter().any(|(k, v)| {
                k.as_str()
                    .is_some_and(|k| keys.iter().any(|name| name.eq_ignore_ascii_case(k)))
                    && v.as_seq().is_some_and(|s| {
                        s.iter()
                            .any(|e| e.as_scalar_string().as_deref() == Some(spike))
                    })
            })
        });
        if !linked {
            return Err(format!("{item} does not name {spike}"));
        }
    }
    Ok(())
}

fn mapping_with_id<'a>(node: &'a YamlNode, id_keys: &[String], id: &str) -> Option<&'a YamlNode> {
    match &node.value {
        YamlValue::Map(entries) => {
            let is_it = entries.iter().any(|(k, v)| {
                k.as_str().is_some_and(|k| id_keys.iter().any(|n| n == k))
                    && v.as_scalar_string().as_deref() == Some(id)
            });
            if is_it {
                return Some(node);
            }
            entries
                .iter()
                .find_map(|(_, v)| mapping_with_id(v, id_keys, id))
        }
        YamlValue::Seq(elements) => elements
            .iter()
            .find_map(|e| mapping_with_id(e, id_keys, id)),
        _ => None,
    }
}

/// A rendered YAML mapping as a list entry: `- ` before its first line, aligned after.
fn indent_entry(body: &str, indent: &str, gap: &str, eol: &str) -> String {
    let align = format!("{indent} {}", " ".repeat(gap.chars().count()));
    let mut out = String::new();
    for (n, line) in body.lines().enumerate() {
        if n == 0 {
            out.push_str(&format!("{indent}-{gap}{line}"));
        } else {
            out.push_str(&align);
            out.push_str(line);
        }
        out.push_str(eol);
    }
    out
}

fn parent(path: &str) -> String {
    path.rsplit_once('/')
        .map_or(String::new(), |(dir, _)| dir.to_string())
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// A relative path with no `..`, root or prefix components.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Resolves `path` under `root`, refusing anything that leaves it (`..`, absolute paths, a
/// symbolic link in the way).
fn inside(root: &Path, path: &str) -> Result<PathBuf, FixError> {
    if !is_plain_relative(path) {
        return Err(FixError::OutsideRepository(path.to_string()));
    }
    let full = root.join(path);
    let root_real = root
        .canonicalize()
        .map_err(|e| FixError::Io(root.display().to_string(), e))?;
    // The deepest folder that exists must resolve inside the root.
    let mut dir = full.parent().map(Path::to_path_buf);
    while let Some(d) = dir {
        if d.exists() {
            let real = d
                .canonicalize()
                .map_err(|e| FixError::Io(d.display().to_string(), e))?;
            if !real.starts_with(&root_real) {
                return Err(FixError::OutsideRepository(path.to_string()));
            }
            break;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    if std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(FixError::OutsideRepository(path.to_string()));
    }
    Ok(full)
}

fn read_inside(root: &Path, path: &str) -> Result<String, String> {
    let full = inside(root, path).map_err(|e| e.to_string())?;
    std::fs::read_to_string(&full).map_err(|e| format!("cannot read it: {e}"))
}

/// Writes the plan all-or-nothing: every file is checked (inside the repository, unchanged
/// since it was read, new files absent), then every new content is written to a synced
/// temporary file beside its target, and only then are the temporaries renamed into place.
/// If any step fails, nothing has been replaced; if a rename fails part-way, the files already
/// replaced get their old content back and the files already created are removed.
pub fn apply(plan: &FixPlan, root: &Path) -> Result<(), FixError> {
    // 1. Check everything before writing anything.
    let mut targets = Vec::new();
    for change in &plan.changes {
        let full = inside(root, &change.path)?;
        match &change.before {
            None if full.exists() => return Err(FixError::Exists(change.path.clone())),
            Some(before) => {
                let now = std::fs::read_to_string(&full)
                    .map_err(|e| FixError::Io(change.path.clone(), e))?;
                if &now != before {
                    return Err(FixError::ChangedMeanwhile(change.path.clone()));
                }
            }
            None => {}
        }
        targets.push(full);
    }
    // 2. Stage every new content (folders for new files are created here; empty ones are
    // removed again if staging fails).
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let mut staged = Vec::new();
    for (change, full) in plan.changes.iter().zip(&targets) {
        let io_error = |e| FixError::Io(change.path.clone(), e);
        let result = (|| {
            if let Some(dir) = full.parent() {
                let mut missing = Vec::new();
                let mut d = Some(dir);
                while let Some(dir) = d.filter(|d| !d.exists()) {
                    missing.push(dir.to_path_buf());
                    d = dir.parent();
                }
                std::fs::create_dir_all(dir)?;
                created_dirs.extend(missing.into_iter().rev());
            }
            crate::util::fs::stage_file(full, change.after.as_bytes())
        })();
        match result {
            Ok(file) => staged.push(file),
            Err(e) => {
                drop(staged);
                remove_empty_dirs(&created_dirs);
                return Err(io_error(e));
            }
        }
    }
    // 3. Rename into place; undo on failure.
    let mut done: Vec<usize> = Vec::new();
    for (n, (file, (change, full))) in staged
        .into_iter()
        .zip(plan.changes.iter().zip(&targets))
        .enumerate()
    {
        // A file edited after step 1 is not overwritten.
        let still_same = match &change.before {
            Some(before) => std::fs::read_to_string(full).is_ok_and(|now| &now == before),
            None => true,
        };
        let result = if !still_same {
            Err(FixError::ChangedMeanwhile(change.path.clone()))
        } else {
            match change.before {
                None => {
                    file.persist_noclobber(full)
                        .map(|_| ())
                        .map_err(|e| match e.error.kind() {
                            io::ErrorKind::AlreadyExists => FixError::Exists(change.path.clone()),
                            _ => FixError::Io(change.path.clone(), e.error),
                        })
                }
                Some(_) => file
                    .persist(full)
                    .map(|_| ())
                    .map_err(|e| FixError::Io(change.path.clone(), e.error)),
            }
        };
        if let Err(e) = result {
            roll_back(plan, &targets, &done);
            remove_empty_dirs(&created_dirs);
            return Err(e);
        }
        done.push(n);
    }
    Ok(())
}

/// Undoes the renames of `done`: old contents back, created files removed.
fn roll_back(plan: &FixPlan, targets: &[PathBuf], done: &[usize]) {
    for &n in done.iter().rev() {
        let (Some(change), Some(full)) = (plan.changes.get(n), targets.get(n)) else {
            continue;
        };
        // Best effort: the error that caused the roll-back is the one reported.
        let _ = match &change.before {
            Some(before) => crate::util::fs::write_file_atomically(full, before.as_bytes()),
            None => std::fs::remove_file(full),
        };
    }
}

/// Removes the folders a failed fix created, deepest first, if they are empty.
fn remove_empty_dirs(dirs: &[PathBuf]) {
    for dir in dirs.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
}

/// The plan as a unified diff (`--fix --dry-run`).
pub fn unified_diff(plan: &FixPlan) -> String {
    let mut out = String::new();
    for change in &plan.changes {
        let before = change.before.as_deref().unwrap_or("");
        let (old, new) = match change.before {
            Some(_) => (format!("a/{}", change.path), format!("b/{}", change.path)),
            None => ("/dev/null".to_string(), format!("b/{}", change.path)),
        };
        let diff = similar::TextDiff::from_lines(before, change.after.as_str());
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&old, &new)
                .to_string(),
        );
    }
    out
}
