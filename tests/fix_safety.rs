//! `--fix` writes all-or-nothing: a failure while checking, staging or renaming leaves every
//! file with its old content (or absent), and no temporary file behind.

use std::path::Path;

use backlint::fix::{FileChange, FixError, FixPlan, apply};

fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.push(
                path.strip_prefix(dir)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            );
        }
    }
    out.sort();
    out
}

fn write(dir: &Path, path: &str, text: &str) {
    std::fs::write(dir.join(path), text).unwrap_or_else(|e| panic!("{e}"));
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{e}"))
}

fn edit(path: &str, before: &str, after: &str) -> FileChange {
    FileChange {
        path: path.to_string(),
        before: Some(before.to_string()),
        after: after.to_string(),
    }
}

fn create(path: &str, text: &str) -> FileChange {
    FileChange {
        path: path.to_string(),
        before: None,
        after: text.to_string(),
    }
}

fn plan(changes: Vec<FileChange>) -> FixPlan {
    FixPlan {
        changes,
        ..FixPlan::default()
    }
}

#[test]
fn a_file_changed_since_it_was_read_stops_the_fix_before_any_write() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "a.md", "A old\n");
    write(dir.path(), "b.md", "B edited by someone else\n");
    let before = listing(dir.path());
    let result = apply(
        &plan(vec![
            create("SPIKE-1.md", "spike\n"),
            edit("a.md", "A old\n", "A new\n"),
            edit("b.md", "B old\n", "B new\n"),
        ]),
        dir.path(),
    );
    assert!(matches!(result, Err(FixError::ChangedMeanwhile(p)) if p == "b.md"));
    assert_eq!(read(dir.path(), "a.md"), "A old\n");
    assert_eq!(
        listing(dir.path()),
        before,
        "a file was created or left behind"
    );
}

#[test]
fn a_failure_while_staging_writes_nothing_and_removes_the_folders_it_made() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "a.md", "A old\n");
    // `blocked` is a file, so a spike cannot be created under it.
    write(dir.path(), "blocked", "not a folder\n");
    let before = listing(dir.path());
    let result = apply(
        &plan(vec![
            create("spikes/new/SPIKE-1.md", "spike\n"),
            edit("a.md", "A old\n", "A new\n"),
            create("blocked/SPIKE-2.md", "spike\n"),
        ]),
        dir.path(),
    );
    assert!(
        matches!(&result, Err(FixError::Io(p, _)) if p == "blocked/SPIKE-2.md"),
        "{result:?}"
    );
    assert_eq!(read(dir.path(), "a.md"), "A old\n");
    assert_eq!(
        listing(dir.path()),
        before,
        "a file, folder or temporary was left behind"
    );
}

#[test]
fn a_failure_while_renaming_rolls_back_what_was_already_replaced() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "a.md", "A old\n");
    let before = listing(dir.path());
    // The second creation of the same spike fails at its rename (the file exists by then):
    // the edit and the first creation are undone.
    let result = apply(
        &plan(vec![
            edit("a.md", "A old\n", "A new\n"),
            create("SPIKE-1.md", "first\n"),
            create("SPIKE-1.md", "second\n"),
        ]),
        dir.path(),
    );
    assert!(
        matches!(&result, Err(FixError::Exists(p)) if p == "SPIKE-1.md"),
        "{result:?}"
    );
    assert_eq!(read(dir.path(), "a.md"), "A old\n");
    assert_eq!(
        listing(dir.path()),
        before,
        "a file or temporary was left behind"
    );
}

#[test]
fn a_plan_that_succeeds_writes_every_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "a.md", "A old\n");
    apply(
        &plan(vec![
            edit("a.md", "A old\n", "A new\n"),
            create("spikes/SPIKE-1.md", "spike\n"),
        ]),
        dir.path(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read(dir.path(), "a.md"), "A new\n");
    assert_eq!(read(dir.path(), "spikes/SPIKE-1.md"), "spike\n");
    assert_eq!(listing(dir.path()), ["a.md", "spikes", "spikes/SPIKE-1.md"]);
}

#[test]
fn a_path_outside_the_repository_or_through_a_symlink_is_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "a.md", "A old\n");
    for path in ["../escape.md", "/etc/escape.md"] {
        let result = apply(&plan(vec![create(path, "x\n")]), dir.path());
        assert!(
            matches!(&result, Err(FixError::OutsideRepository(_))),
            "{path}: {result:?}"
        );
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link"))
            .unwrap_or_else(|e| panic!("{e}"));
        let result = apply(
            &plan(vec![
                edit("a.md", "A old\n", "A new\n"),
                create("link/SPIKE-1.md", "x\n"),
            ]),
            dir.path(),
        );
        assert!(
            matches!(&result, Err(FixError::OutsideRepository(_))),
            "{result:?}"
        );
        assert_eq!(read(dir.path(), "a.md"), "A old\n");
        assert!(listing(outside.path()).is_empty());
    }
}
