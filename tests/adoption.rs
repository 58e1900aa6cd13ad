//! Adoption on a backlog with history: `init`, `baseline`, `check --baseline`, `check --fix`;
//! on fixture trees and on a copy of a real Backlog.md backlog from the shared corpus.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

/// Runs backlint in `dir`; returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(cargo_bin("backlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap_or_else(|e| panic!("backlint {args:?}: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The findings of a JSON check as (rule, item) pairs.
fn findings(dir: &Path, extra: &[&str]) -> (i32, Vec<(String, String)>) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(dir, &args);
    let report: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}\n{err}"));
    let pairs = report["findings"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or_default().to_string(),
                        f["item"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (code, pairs)
}

fn write(dir: &Path, path: &str, text: &str) {
    let full = dir.join(path);
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(full, text).unwrap_or_else(|e| panic!("{e}"));
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every file under `dir` with its bytes (to show that a command wrote nothing).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel, std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    files
}

fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in snapshot(from) {
        let target = to.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(target, bytes).unwrap_or_else(|e| panic!("{e}"));
    }
}

fn git_init(dir: &Path) {
    let ok = Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "git init failed");
}

const DOD: &str = "# Definition of Done\n\n- Tests pass\n- For every identified threat the residual risk is accepted by its owner\n";

fn story(id: &str, title: &str, extra: &str) -> String {
    format!("---\nid: {id}\ntitle: {title}\ntype: story\nstatus: todo\n{extra}---\n\nBody.\n")
}

/// A small backlog with debt: two stories without spikes.
fn backlog_with_debt() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    git_init(dir.path());
    write(dir.path(), "docs/definition-of-done.md", DOD);
    write(
        dir.path(),
        "stories/S-1.md",
        &story("S-1", "Accept payment webhooks", ""),
    );
    write(
        dir.path(),
        "stories/S-2.md",
        &story("S-2", "Store uploaded avatars in S3", ""),
    );
    dir
}

// ---------------------------------------------------------------------------------------------
// The corpus: adopting backlint on a real Backlog.md backlog.

#[test]
fn adopting_a_real_backlog_md_backlog_leaves_only_the_new_finding() {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    };
    let source = corpus.join("cds-snc__sre-bot");
    if !source.is_dir() {
        eprintln!("skipped: the sre-bot backlog is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let repo = dir.path();
    copy_tree(&source, repo);
    git_init(repo);

    let (code, before) = findings(repo, &[]);
    assert_eq!(code, 1, "a backlog with history has findings");
    assert!(before.len() > 20, "{} findings", before.len());

    let (code, out, err) = run(repo, &["init"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Backlog.md backlog in backlog/"), "{out}");
    let config = read(repo, "backlint.yaml");
    assert!(config.contains("roots:\n  - backlog\n"), "{config}");
    let after_init = snapshot(repo);
    let (code, again, _) = run(repo, &["init"]);
    assert_eq!(code, 0);
    assert!(again.contains("kept    backlint.yaml"), "{again}");
    assert_eq!(snapshot(repo), after_init, "a second init changes nothing");

    let (code, out, err) = run(repo, &["baseline"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(".backlint-baseline.json"), "{out}");
    let config = read(repo, "backlint.yaml").replace("# baseline:", "baseline:");
    write(repo, "backlint.yaml", &config);
    let (code, clean) = findings(repo, &[]);
    assert_eq!(
        (code, clean),
        (0, vec![]),
        "the baseline holds every old finding"
    );

    write(
        repo,
        "backlog/tasks/task-900 - Accept-Slack-webhooks.md",
        "---\nid: task-900\ntitle: Accept incoming webhooks from Slack\nstatus: To Do\nlabels: []\ndependencies: []\n---\n\n## Description\n\nAdd an HTTP endpoint that receives Slack webhook payloads.\n",
    );
    let (code, new) = findings(repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        new,
        vec![("triage/missing-spike".to_string(), "task-900".to_string())],
        "the new offending item is the only finding"
    );

    let (code, out, err) = run(repo, &["check", "--fix"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("fixed: task-900 → TASK-901"),
        "ids follow the backlog: {out}"
    );
    let item = read(repo, "backlog/tasks/task-900 - Accept-Slack-webhooks.md");
    assert!(item.contains("dependencies: [TASK-901]"), "{item}");
    let (code, after_fix) = findings(repo, &[]);
    assert_eq!((code, after_fix), (0, vec![]));
}

// ---------------------------------------------------------------------------------------------
// Baselines.

#[test]
fn a_baseline_hides_recorded_findings_and_reports_new_ones() {
    let dir = backlog_with_debt();
    let repo = dir.path();
    let (code, out, err) = run(repo, &["baseline", "-o", "debt.json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("recorded 2 findings in debt.json"), "{out}");
    let recorded: Value = serde_json::from_str(&read(repo, "debt.json")).unwrap_or_default();
    assert_eq!(recorded["version"], 1);
    assert_eq!(recorded["entries"].as_array().map(Vec::len), Some(2));

    assert_eq!(findings(repo, &["--baseline", "debt.json"]), (0, vec![]));

    // Lines move: the fingerprints do not.
    write(
        repo,
        "stories/S-1.md",
        &story(
            "S-1",
            "Accept payment webhooks",
            "priority: high\n# moved\n",
        ),
    );
    assert_eq!(findings(repo, &["--baseline", "debt.json"]), (0, vec![]));

    // A new item is reported; debt that is paid becomes an unused entry.
    write(
        repo,
        "stories/S-3.md",
        &story("S-3", "Log in with a passkey", ""),
    );
    std::fs::remove_file(repo.join("stories/S-2.md")).unwrap_or_else(|e| panic!("{e}"));
    let (code, found) = findings(repo, &["--baseline", "debt.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![
            ("triage/missing-spike".to_string(), "S-3".to_string()),
            ("waiver/unused".to_string(), String::new()),
        ]
    );
}

#[test]
fn an_expired_baseline_entry_stops_hiding_its_finding() {
    let dir = backlog_with_debt();
    let repo = dir.path();
    run(repo, &["baseline", "-o", "debt.json"]);
    let text = read(repo, "debt.json").replacen(
        "\"rule\": \"triage/missing-spike\",",
        "\"rule\": \"triage/missing-spike\",\n      \"until\": \"2020-01-01\",",
        1,
    );
    write(repo, "debt.json", &text);
    let (code, found) = findings(repo, &["--baseline", "debt.json"]);
    assert_eq!(code, 1);
    let rules: Vec<&str> = found.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        rules,
        vec!["triage/missing-spike", "waiver/expired"],
        "{found:?}"
    );

    // Re-recording keeps the date the team set.
    run(repo, &["baseline", "-o", "debt.json"]);
    assert!(read(repo, "debt.json").contains("\"until\": \"2020-01-01\""));
}

#[test]
fn baseline_findings_follow_the_configured_severities() {
    let dir = backlog_with_debt();
    let repo = dir.path();
    run(repo, &["baseline", "-o", "debt.json"]);
    std::fs::remove_file(repo.join("stories/S-2.md")).unwrap_or_else(|e| panic!("{e}"));
    let (_, found) = findings(repo, &["--baseline", "debt.json"]);
    assert_eq!(found, vec![("waiver/unused".to_string(), String::new())]);
    write(repo, "backlint.yaml", "rules:\n  waiver/unused: off\n");
    assert_eq!(findings(repo, &["--baseline", "debt.json"]), (0, vec![]));
}

#[test]
fn a_missing_or_malformed_baseline_stops_the_run() {
    let dir = backlog_with_debt();
    let repo = dir.path();
    let (code, out, err) = run(repo, &["check", "--baseline", "nope.json"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("cannot use the baseline `nope.json`"), "{err}");
    assert!(err.contains("backlint baseline -o nope.json"), "{err}");

    write(repo, "bad.json", "{\"version\": 1, \"entries\": [");
    let (code, _, err) = run(repo, &["check", "--baseline", "bad.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json") && err.contains("line 1"), "{err}");

    write(repo, "v9.json", "{\"version\": 9, \"entries\": []}");
    let (code, _, err) = run(repo, &["check", "--baseline", "v9.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("unsupported baseline version 9"), "{err}");
}

#[test]
fn the_configured_baseline_applies_to_check_and_is_where_baseline_writes() {
    let dir = backlog_with_debt();
    let repo = dir.path();
    write(repo, "backlint.yaml", "baseline: .debt/baseline.json\n");
    std::fs::create_dir_all(repo.join(".debt")).unwrap_or_else(|e| panic!("{e}"));
    let (code, _, err) = run(repo, &["check"]);
    assert_eq!(code, 2, "a configured baseline that is missing is an error");
    assert!(err.contains(".debt/baseline.json"), "{err}");
    let (code, out, _) = run(repo, &["baseline"]);
    assert_eq!(code, 0);
    assert!(out.contains(".debt/baseline.json"), "{out}");
    assert_eq!(findings(repo, &[]), (0, vec![]));
}

// ---------------------------------------------------------------------------------------------
// init.

#[test]
fn init_writes_a_matching_config_and_a_dod_template_once() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let repo = dir.path();
    git_init(repo);
    write(
        repo,
        "planning/backlog.yaml",
        "items:\n  - id: S-1\n    title: Accept payment webhooks\n    type: story\n    status: todo\n",
    );
    write(repo, "README.md", "# A project\n");
    let (code, out, err) = run(repo, &["init"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 item in YAML files"), "{out}");
    assert!(out.contains("created docs/definition-of-done.md"), "{out}");
    assert!(out.contains("backlint hook install"), "{out}");
    let config = read(repo, "backlint.yaml");
    assert!(config.contains("roots:\n  - planning\n"), "{config}");
    assert!(
        config.contains("definition_of_done: docs/definition-of-done.md"),
        "{config}"
    );

    // The written configuration is valid, and the template satisfies the DoD rules.
    let (code, found) = findings(repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![("triage/missing-spike".to_string(), "S-1".to_string())]
    );

    let before = snapshot(repo);
    let (code, out, _) = run(repo, &["init"]);
    assert_eq!(code, 0);
    assert!(out.contains("kept    backlint.yaml"), "{out}");
    assert_eq!(snapshot(repo), before);
}

#[test]
fn init_never_overwrites_a_definition_of_done() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let repo = dir.path();
    git_init(repo);
    write(
        repo,
        "stories/S-1.md",
        &story("S-1", "Show the shop's opening hours", ""),
    );
    write(repo, "docs/DoD.md", "# DoD\n\n- Tests pass\n");
    let (code, out, _) = run(repo, &["init"]);
    assert_eq!(code, 0);
    assert_eq!(read(repo, "docs/DoD.md"), "# DoD\n\n- Tests pass\n");
    assert!(!repo.join("docs/definition-of-done.md").exists());
    assert!(
        out.contains("docs/DoD.md has no security residual-risk acceptance entry"),
        "{out}"
    );
    let config = read(repo, "backlint.yaml");
    assert!(
        config.contains("definition_of_done: docs/DoD.md"),
        "{config}"
    );
}

// ---------------------------------------------------------------------------------------------
// --fix.

fn redact_dates(text: &str) -> String {
    let re = regex::Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").unwrap_or_else(|e| panic!("{e}"));
    re.replace_all(text, "YYYY-MM-DD HH:MM").into_owned()
}

#[test]
fn fix_dry_run_prints_the_diff_and_writes_nothing() {
    let dir = backlog_with_debt();
    let repo = dir.path();
    write(
        repo,
        "stories/S-2.md",
        "---\r\nid: S-2\r\ntitle: Store uploaded avatars in S3 # keep this comment\r\ntype: story\r\nstatus: todo\r\nspikes:\r\n  - 'TASK-1'\r\n---\r\n\r\nBody.\r\n",
    );
    write(
        repo,
        "stories/TASK-1.md",
        "---\nid: TASK-1\ntitle: Pick a font\ntype: task\nstatus: done\n---\n",
    );
    let before = snapshot(repo);
    let (code, out, err) = run(repo, &["check", "--fix", "--dry-run"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(snapshot(repo), before, "a dry run writes nothing");
    insta::assert_snapshot!("fix_dry_run", redact_dates(&out).replace('\r', "\\r"));

    // The real run writes what the diff showed, keeping the CRLF file's line endings. (TASK-1
    // is still no threat analysis: that error stays.)
    let (_, out, _) = run(repo, &["check", "--fix"]);
    assert!(out.contains("fixed: S-2 → SPIKE-2"), "{out}");
    let (_, found) = findings(repo, &[]);
    assert_eq!(
        found,
        vec![("spike/not-threat-analysis".to_string(), "S-2".to_string())]
    );
    assert_eq!(
        read(repo, "stories/S-2.md"),
        "---\r\nid: S-2\r\ntitle: Store uploaded avatars in S3 # keep this comment\r\ntype: story\r\nstatus: todo\r\nspikes:\r\n  - 'TASK-1'\r\n  - SPIKE-2\r\n---\r\n\r\nBody.\r\n"
    );
}

#[test]
fn fix_creates_linked_spikes_in_each_format() {
    let dir = backlog_with_debt();
    let repo = dir.path();
    write(
        repo,
        "plan/backlog.yaml",
        "# The plan\nitems:\n  - id: Y-1\n    title: \"Send password reset emails\"  # why\n    type: story\n    status: todo\n  - id: Y-2\n    title: Pick brand colours\n    type: story\n    status: todo\n",
    );
    write(
        repo,
        "plan/solo.yml",
        "id: Y-3\ntitle: Persist sessions in Redis\ntype: story\nstatus: todo\n",
    );
    let (code, out, err) = run(repo, &["check", "--fix"]);
    assert_eq!(code, 0, "{out}{err}");
    for item in ["S-1", "S-2", "Y-1", "Y-3"] {
        assert!(
            out.contains(&format!("fixed: {item} → SPIKE-")),
            "{item}: {out}"
        );
    }
    let plan = read(repo, "plan/backlog.yaml");
    assert!(
        plan.starts_with("# The plan\nitems:\n  - id: SPIKE-"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "  - id: Y-1\n    title: \"Send password reset emails\"  # why\n    type: story\n    \
             status: todo\n    spikes: [SPIKE-"
        ),
        "{plan}"
    );
    let solo_spike = snapshot(repo)
        .into_keys()
        .find(|p| p.starts_with("plan/SPIKE-") && p.ends_with(".yaml"))
        .unwrap_or_else(|| panic!("no spike file next to solo.yml"));
    assert!(read(repo, &solo_spike).contains("type: spike\n"));
    let solo = read(repo, "plan/solo.yml");
    assert!(
        solo.starts_with(
            "id: Y-3\ntitle: Persist sessions in Redis\ntype: story\nstatus: todo\nspikes: [SPIKE-"
        ),
        "{solo}"
    );
    let (code, found) = findings(repo, &[]);
    assert_eq!((code, found), (0, vec![]));

    // Nothing left to fix: a second run changes nothing.
    let before = snapshot(repo);
    let (code, out, _) = run(repo, &["check", "--fix"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(snapshot(repo), before);
}

#[test]
fn fix_leaves_alone_what_it_cannot_edit_minimally() {
    let dir = backlog_with_debt();
    let repo = dir.path();
    write(
        repo,
        "stories/S-2.md",
        "---\nid: S-2\ntitle: Store uploaded avatars in S3\ntype: story\nstatus: todo\nspikes: |\n  SPIKE-x\n---\n",
    );
    let (code, out, _) = run(repo, &["check", "--fix"]);
    assert_eq!(code, 1, "S-2 still lacks its spike");
    assert!(
        out.contains("not fixed: S-2 (stories/S-2.md): cannot add the link"),
        "{out}"
    );
    assert!(out.contains("fixed: S-1 → SPIKE-1"), "{out}");
}

#[test]
fn fix_refuses_paths_outside_the_repository_and_never_overwrites() {
    use backlint::fix::{FileChange, FixError, FixPlan, apply};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap_or_else(|e| panic!("{e}"));
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap_or_else(|e| panic!("{e}"));
    let new_file = |path: &str| FixPlan {
        changes: vec![FileChange {
            path: path.to_string(),
            before: None,
            after: "x\n".to_string(),
        }],
        ..FixPlan::default()
    };
    assert!(matches!(
        apply(&new_file("../outside/SPIKE-1.md"), &repo),
        Err(FixError::OutsideRepository(_))
    ));
    assert!(matches!(
        apply(&new_file("/tmp/SPIKE-1.md"), &repo),
        Err(FixError::OutsideRepository(_))
    ));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&outside, repo.join("link")).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            apply(&new_file("link/SPIKE-1.md"), &repo),
            Err(FixError::OutsideRepository(_))
        ));
        assert!(!outside.join("SPIKE-1.md").exists());
    }
    write(&repo, "SPIKE-1.md", "mine\n");
    assert!(matches!(
        apply(&new_file("SPIKE-1.md"), &repo),
        Err(FixError::Exists(_))
    ));
    assert_eq!(read(&repo, "SPIKE-1.md"), "mine\n");
    // An edit of a file that changed since the plan read it is refused too.
    let edit = FixPlan {
        changes: vec![FileChange {
            path: "SPIKE-1.md".to_string(),
            before: Some("theirs\n".to_string()),
            after: "x\n".to_string(),
        }],
        ..FixPlan::default()
    };
    assert!(matches!(
        apply(&edit, &repo),
        Err(FixError::ChangedMeanwhile(_))
    ));
    assert_eq!(read(&repo, "SPIKE-1.md"), "mine\n");
}
