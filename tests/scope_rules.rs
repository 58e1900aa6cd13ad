//! Under `--staged` and `--changed-since` the checks of one item skip the items the change does
//! not touch (their findings would be dropped by the change's scope anyway). That must never
//! change a result: over every fixture backlog, the shipped examples and the real corpus
//! backlogs, for changes that modify, add and delete item files one at a time, the findings are
//! the same with and without the skipping.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use backlint::config::{Config, SeverityTable};
use backlint::diagnostic::Finding;
use backlint::discover::git::{Change, ChangeKind};
use backlint::discover::walk::{WalkOptions, walk};
use backlint::engine::{CheckInput, check};
use backlint::source::{FsReader, InputFile, Origin};

/// What a finding says, everywhere it can say it.
fn shown(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {:?} {:?} {} | {} | {} | {:?}",
                f.rule.as_str(),
                f.severity,
                f.item_index,
                f.span.map(|s| (s.source, s.start, s.end)),
                f.message,
                f.label,
                f.fingerprint,
                f.related.len()
            )
        })
        .collect()
}

fn run(files: &[InputFile], changes: Vec<Change>, skip_untouched: bool) -> Vec<String> {
    let config = Config::default();
    let checklist = backlint::harness::checklist().unwrap_or_else(|| panic!("checklist"));
    let outcome = check(CheckInput {
        files: files.to_vec(),
        reader: &FsReader,
        config: &config,
        checklist,
        severities: &SeverityTable::default(),
        today: jiff::civil::date(2026, 11, 30),
        baseline: None,
        changes: Some(changes),
        config_change: None,
        cache: None,
        filter: Default::default(),
        skip_untouched,
        layout: None,
    });
    shown(&outcome.findings)
}

fn change(kind: ChangeKind, path: &str, old: Option<Arc<[u8]>>) -> Change {
    let deleted = matches!(kind, ChangeKind::Deleted);
    Change {
        kind,
        path: path.to_string(),
        old_path: deleted.then(|| path.to_string()),
        old_content: old,
        content_changed: true,
    }
}

/// Compares both ways for up to `per_tree` item files of the backlog at `root`, spread over
/// it; returns how many changes were compared and how many findings they kept.
fn compare_tree(root: &Path, per_tree: usize) -> (usize, usize) {
    let files = walk(&WalkOptions {
        root,
        paths: &[root.to_path_buf()],
        include: &[],
        exclude: &[],
    })
    .unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let candidates: Vec<&InputFile> = files
        .iter()
        .filter(|f| {
            f.path.ends_with(".md") || f.path.ends_with(".yaml") || f.path.ends_with(".yml")
        })
        .collect();
    let step = candidates.len().div_ceil(per_tree.max(1)).max(1);
    let (mut compared, mut kept) = (0, 0);
    for file in candidates.iter().step_by(step) {
        let content: Option<Arc<[u8]>> = match &file.origin {
            Origin::Disk(path) => std::fs::read(path).ok().map(Arc::from),
            _ => None,
        };
        let cases = [
            vec![change(ChangeKind::Modified, &file.path, content.clone())],
            vec![change(ChangeKind::Added, &file.path, None)],
            vec![change(ChangeKind::Deleted, &file.path, content)],
        ];
        for (n, changes) in cases.into_iter().enumerate() {
            // A deleted file is not on disk any more: check without it.
            let tree: Vec<InputFile> = if n == 2 {
                files
                    .iter()
                    .filter(|f| f.path != file.path)
                    .cloned()
                    .collect()
            } else {
                files.clone()
            };
            let skipping = run(&tree, changes.clone(), true);
            let everything = run(&tree, changes, false);
            assert_eq!(
                skipping,
                everything,
                "{}: change {n} of {}",
                root.display(),
                file.path
            );
            compared += 1;
            kept += skipping.len();
        }
    }
    (compared, kept)
}

/// Compares every tree in `trees`; returns (changes compared, findings kept).
fn compare_trees(trees: &[PathBuf], per_tree: usize) -> (usize, usize) {
    trees.iter().fold((0, 0), |(compared, kept), tree| {
        let (c, k) = compare_tree(tree, per_tree);
        (compared + c, kept + k)
    })
}

#[test]
fn skipping_untouched_items_changes_nothing_on_fixtures_and_examples() {
    let mut trees = common::fixture_backlogs();
    trees.push(common::manifest_dir().join("examples/webshop"));
    let (compared, kept) = compare_trees(&trees, 12);
    assert!(compared > 300, "only {compared} changes compared");
    // The comparison must be about something: the changes keep findings.
    assert!(kept > 200, "only {kept} findings kept");
}

#[test]
fn skipping_untouched_items_changes_nothing_on_the_corpus() {
    let trees = common::corpus_backlogs();
    if trees.is_empty() {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    }
    let (compared, kept) = compare_trees(&trees, 3);
    assert!(compared > 100, "only {compared} changes compared");
    assert!(kept > 100, "only {kept} findings kept");
}
