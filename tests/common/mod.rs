//! Helpers shared by the integration tests: run the library over a folder and get the JSON
//! report (SPEC §5) as a value.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use backlint::app::Workspace;
use backlint::app::check::check_tree;
use backlint::outcome::CheckOutcome;

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Checks `dir` (relative to the crate, or absolute) and returns the outcome.
pub fn outcome_of(dir: &Path) -> CheckOutcome {
    let path = manifest_dir().join(dir);
    let ws = Workspace::open(std::slice::from_ref(&path), None)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    check_tree(&ws, std::slice::from_ref(&path))
        .unwrap_or_else(|e| panic!("cannot check {}: {e}", path.display()))
        .0
}

/// Checks `dir` (relative to the crate, or absolute) and returns the JSON report.
pub fn check_json(dir: &Path) -> serde_json::Value {
    let outcome = outcome_of(dir);
    serde_json::to_value(backlint::output::json::report(&outcome)).unwrap_or_else(|e| panic!("{e}"))
}

/// The findings of one rule, without fields that depend on the machine.
pub fn findings_of(report: &serde_json::Value, rule: &str) -> Vec<serde_json::Value> {
    report["findings"]
        .as_array()
        .map(|all| all.iter().filter(|f| f["rule"] == rule).cloned().collect())
        .unwrap_or_default()
}

/// The rule ids of all findings.
pub fn rules_of(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|f| f["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The leaf folders of `tests/fixtures` that hold a backlog (they contain files), sorted.
pub fn fixture_backlogs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut has_file = false;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                walk(&entry.path(), out);
            } else {
                has_file = true;
            }
        }
        if has_file {
            out.push(dir.to_path_buf());
        }
    }
    let mut out = Vec::new();
    walk(&manifest_dir().join("tests/fixtures"), &mut out);
    out.sort();
    out
}

/// The shared corpus of real backlogs, when it is present.
pub fn corpus() -> Option<PathBuf> {
    let path = manifest_dir().join("../shared/corpus");
    path.is_dir().then_some(path)
}

/// Each backlog folder of the shared corpus, sorted (empty when the corpus is absent).
pub fn corpus_backlogs() -> Vec<PathBuf> {
    let Some(corpus) = corpus() else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Runs git in `dir` without the user's or the system's configuration; panics when it fails.
/// Returns its standard output.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap_or_else(|e| panic!("git {args:?}: {e}"));
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Copies the folder `from` (recursively) to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("{}: {e}", from.display()))
        .flatten()
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// Writes `text` to `root/path`, creating its folders.
pub fn write_file(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(full, text).unwrap_or_else(|e| panic!("{e}"));
}

/// Runs the backlint binary in `dir` outside any CI environment: (exit code, stdout, stderr).
pub fn run_backlint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    use assert_cmd::cargo::CommandCargoExt;
    let out = std::process::Command::cargo_bin("backlint")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_SHA")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
