//! git integration in real temporary repositories: `--staged`, `--changed-since`,
//! `--config-from-ref`, and the pre-commit hook.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;

const DOD: &str = "# Definition of Done\n\n- Tests pass\n- For every identified threat the residual risk is accepted by its owner\n";
const SPIKE: &str = "---\nid: SPIKE-1\ntitle: Threat analysis of webhooks\ntype: spike\nstatus: done\nlabels: [threat-analysis]\n---\n";

fn story(id: &str, title: &str, extra: &str) -> String {
    format!("---\nid: {id}\ntitle: {title}\ntype: story\nstatus: todo\n{extra}---\n\nBody.\n")
}

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.email", "dev@example.com"]);
        repo.git(&["config", "user.name", "Dev"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> String {
        self.git_in(self.path(), args)
    }

    fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        common::git(dir, args)
    }

    fn write(&self, path: &str, text: &str) {
        common::write_file(self.path(), path, text);
    }

    fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// Runs backlint in `dir` with JSON output: (exit code, findings as (rule, item)).
    fn check_in(&self, dir: &Path, args: &[&str]) -> (i32, Vec<(String, String)>, String) {
        let out = Command::new(cargo_bin("backlint"))
            .args(["check", "--format", "json"])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let findings = serde_json::from_str::<serde_json::Value>(&stdout)
            .ok()
            .map(|v| {
                v["findings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| {
                        (
                            f["rule"].as_str().unwrap_or_default().to_string(),
                            f["item"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        (out.status.code().unwrap_or(-1), findings, stderr)
    }

    fn check(&self, args: &[&str]) -> (i32, Vec<(String, String)>, String) {
        self.check_in(self.path(), args)
    }

    /// Stages NEW-1, a new story that touches authentication and links no spike.
    fn stage_new_story(&self) {
        self.write(
            "backlog/NEW-1.md",
            &story("NEW-1", "Parse login tokens", ""),
        );
        self.git(&["add", "backlog/NEW-1.md"]);
    }

    /// A repository with a definition of done and one old item with debt (no spike).
    fn with_debt() -> Repo {
        let repo = Repo::new();
        repo.write("docs/DoD.md", DOD);
        repo.write(
            "backlog/OLD-1.md",
            &story("OLD-1", "Receive partner webhooks", ""),
        );
        repo.write("backlog/SPIKE-1.md", SPIKE);
        repo.write(
            "backlog/DONE-1.md",
            &story("DONE-1", "Verify webhook signatures", "spikes: [SPIKE-1]\n"),
        );
        repo.commit_all("initial backlog");
        repo
    }
}

fn pair(rule: &str, item: &str) -> (String, String) {
    (rule.to_string(), item.to_string())
}

#[test]
fn staged_reports_what_the_change_touches_not_old_debt() {
    let repo = Repo::with_debt();
    repo.stage_new_story();
    let (code, findings, _) = repo.check(&["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(findings, vec![pair("triage/missing-spike", "NEW-1")]);

    let (_, all, _) = repo.check(&["--staged", "--all"]);
    assert!(
        all.contains(&pair("triage/missing-spike", "OLD-1")),
        "--all reports old debt"
    );
    assert!(all.contains(&pair("triage/missing-spike", "NEW-1")));
}

#[test]
fn staged_judges_the_index_not_the_working_tree() {
    let repo = Repo::with_debt();
    // A broken change is staged; its fix is only in the working tree: still fails.
    repo.stage_new_story();
    repo.write(
        "backlog/NEW-1.md",
        &story("NEW-1", "Parse login tokens", "spikes: [SPIKE-1]\n"),
    );
    let (code, findings, _) = repo.check(&["--staged"]);
    assert_eq!(
        (code, findings),
        (1, vec![pair("triage/missing-spike", "NEW-1")])
    );

    // A correct change is staged; an unstaged edit breaks it: still passes.
    repo.git(&["add", "backlog/NEW-1.md"]);
    repo.write(
        "backlog/NEW-1.md",
        "---\nid: NEW-1\ntitle: broken: [\n---\n",
    );
    let (code, findings, _) = repo.check(&["--staged"]);
    assert_eq!((code, findings), (0, vec![]));
}

#[test]
fn staged_leaves_the_repository_exactly_as_it_was() {
    let repo = Repo::with_debt();
    repo.stage_new_story();
    repo.write(
        "backlog/NEW-1.md",
        &story("NEW-1", "Parse login tokens (edited)", ""),
    );
    repo.write("untracked.md", "# notes\n");
    let snapshot = |r: &Repo| {
        (
            r.git(&["status", "--porcelain", "--untracked-files=all"]),
            r.git(&["diff"]),
            r.git(&["diff", "--cached"]),
            r.git(&["rev-parse", "HEAD"]),
            std::fs::read(r.path().join(".git/index")).unwrap_or_default(),
        )
    };
    let before = snapshot(&repo);
    let _ = repo.check(&["--staged"]);
    let _ = repo.check(&["--staged", "--all"]);
    assert_eq!(snapshot(&repo), before);
}

#[test]
fn staged_works_from_a_subdirectory_and_a_linked_worktree() {
    let repo = Repo::with_debt();
    repo.stage_new_story();
    let (code, findings, _) = repo.check_in(&repo.path().join("backlog"), &["--staged"]);
    assert_eq!(
        (code, findings),
        (1, vec![pair("triage/missing-spike", "NEW-1")])
    );

    repo.git(&["stash", "-q"]);
    let wt: PathBuf = repo.path().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        wt.to_string_lossy().as_ref(),
        "-b",
        "feature",
    ]);
    std::fs::write(
        wt.join("backlog/NEW-2.md"),
        story("NEW-2", "Store orders in the database", ""),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    repo.git_in(&wt, &["add", "backlog/NEW-2.md"]);
    let (code, findings, stderr) = repo.check_in(&wt, &["--staged"]);
    assert_eq!(
        (code, findings),
        (1, vec![pair("triage/missing-spike", "NEW-2")]),
        "{stderr}"
    );
}

#[test]
fn changed_since_reports_the_branch_and_follows_renames_and_deletions() {
    let repo = Repo::with_debt();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    // A new item without a spike, a pure move of an old item, and the spike deleted.
    repo.write(
        "backlog/NEW-1.md",
        &story("NEW-1", "Parse login tokens", ""),
    );
    std::fs::create_dir_all(repo.path().join("backlog/later")).unwrap_or_else(|e| panic!("{e}"));
    repo.git(&["mv", "backlog/OLD-1.md", "backlog/later/OLD-1.md"]);
    repo.git(&["rm", "-q", "backlog/SPIKE-1.md"]);
    repo.commit_all("feature work");
    let (code, mut findings, stderr) = repo.check(&["--changed-since", "main"]);
    findings.sort();
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        findings,
        vec![
            // DONE-1 linked the deleted spike: the deletion breaks it.
            pair("spike/dangling-link", "DONE-1"),
            pair("triage/missing-spike", "DONE-1"),
            pair("triage/missing-spike", "NEW-1"),
        ],
        "the moved OLD-1 is not new"
    );
    // Uncommitted work counts too.
    repo.write(
        "backlog/NEW-2.md",
        &story("NEW-2", "Store orders in the database", ""),
    );
    let (_, findings, _) = repo.check(&["--changed-since", "main"]);
    assert!(findings.contains(&pair("triage/missing-spike", "NEW-2")));
}

#[test]
fn unknown_ref_and_no_repository_exit_2_with_advice() {
    let repo = Repo::with_debt();
    let (code, _, stderr) = repo.check(&["--changed-since", "origin/nope"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown revision `origin/nope`") && stderr.contains("git fetch"),
        "{stderr}"
    );
    let plain = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(cargo_bin("backlint"))
        .args(["check", "--staged"])
        .current_dir(plain.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            plain.path().parent().unwrap_or(plain.path()),
        )
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git repository"));
}

#[test]
fn config_from_ref_keeps_the_base_gate_and_says_what_changed() {
    let repo = Repo::with_debt();
    repo.write("backlint.yaml", "rules:\n  nfr/unmeasurable: warning\n");
    repo.commit_all("config");
    repo.git(&["checkout", "-q", "-b", "weaken"]);
    repo.write(
        "backlint.yaml",
        "rules:\n  nfr/unmeasurable: warning\n  triage/missing-spike: off\n",
    );
    repo.write(
        "backlog/NEW-1.md",
        &story("NEW-1", "Parse login tokens", ""),
    );
    repo.commit_all("weaken the gate");

    let (_, weakened, _) = repo.check(&["--changed-since", "main"]);
    assert!(
        !weakened.iter().any(|(r, _)| r == "triage/missing-spike"),
        "the PR's own config switched it off"
    );

    let (code, findings, _) = repo.check(&["--changed-since", "main", "--config-from-ref", "main"]);
    assert_eq!(code, 1);
    assert!(findings.contains(&pair("triage/missing-spike", "NEW-1")));
    assert!(findings.contains(&pair("config/changed", "")));
    let out = Command::new(cargo_bin("backlint"))
        .args([
            "check",
            "--changed-since",
            "main",
            "--config-from-ref",
            "main",
            "--color",
            "never",
        ])
        .current_dir(repo.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("differs from main's in rules"), "{text}");
}

#[test]
fn config_changed_goes_through_the_configured_severity() {
    // Regression: `config/changed` was added after severities were applied, so
    // `rules: {config/changed: off}` was accepted and ignored.
    let repo = Repo::with_debt();
    repo.write("backlint.yaml", "rules:\n  config/changed: off\n");
    repo.commit_all("config");
    repo.git(&["checkout", "-q", "-b", "tweak"]);
    repo.write(
        "backlint.yaml",
        "rules:\n  config/changed: off\n  nfr/unmeasurable: warning\n",
    );
    repo.commit_all("tweak the config");
    let (code, findings, _) = repo.check(&["--changed-since", "main", "--config-from-ref", "main"]);
    assert_eq!(code, 0, "{findings:?}");
    assert!(
        !findings.iter().any(|(r, _)| r == "config/changed"),
        "config/changed is off in the configuration in force: {findings:?}"
    );

    // Raised to an error by the base's configuration, it fails the run.
    repo.git(&["checkout", "-q", "main"]);
    repo.write("backlint.yaml", "rules:\n  config/changed: error\n");
    repo.commit_all("make config changes errors");
    repo.git(&["checkout", "-q", "-b", "tweak-again"]);
    repo.write(
        "backlint.yaml",
        "rules:\n  config/changed: error\n  nfr/unmeasurable: warning\n",
    );
    repo.commit_all("tweak again");
    let (code, findings, _) = repo.check(&["--changed-since", "main", "--config-from-ref", "main"]);
    assert_eq!(findings, vec![pair("config/changed", "")]);
    assert_eq!(code, 1);
}

#[test]
fn staged_sees_a_spike_deleted_from_a_markdown_sections_backlog() {
    // Regression: the change scope read a changed file's old content by its extension (as front
    // matter), not in its role, so deleting a spike's section touched no story and the commit
    // passed.
    let repo = Repo::new();
    repo.write("docs/DoD.md", DOD);
    repo.write(
        "backlint.yaml",
        "markdown_sections:\n  files: [SPIKES.md]\n  level: 2\n",
    );
    repo.write(
        "SPIKES.md",
        "# Spikes\n\n## SPIKE-1 Threat analysis of partner webhooks\nType: spike\nStatus: done\nLabels: threat-analysis\n\nWhat a partner can send us.\n",
    );
    repo.write(
        "backlog/STORY-1.md",
        &story("STORY-1", "Receive partner webhooks", "spikes: [SPIKE-1]\n"),
    );
    repo.commit_all("backlog");
    let (code, findings, _) = repo.check(&[]);
    assert_eq!((code, findings), (0, vec![]), "the backlog starts clean");

    repo.write("SPIKES.md", "# Spikes\n\nNone yet.\n");
    repo.git(&["add", "SPIKES.md"]);
    let (_, full, _) = repo.check(&["--staged", "--all"]);
    assert!(
        full.contains(&pair("spike/dangling-link", "STORY-1")),
        "{full:?}"
    );
    let (code, staged, _) = repo.check(&["--staged"]);
    assert_eq!(
        code, 1,
        "the commit that breaks STORY-1 is blocked: {staged:?}"
    );
    assert!(
        staged.contains(&pair("spike/dangling-link", "STORY-1")),
        "{staged:?}"
    );
    assert!(
        staged.contains(&pair("triage/missing-spike", "STORY-1")),
        "{staged:?}"
    );
}

fn hook_run(repo: &Repo, args: &[&str]) -> std::process::Output {
    Command::new(cargo_bin("backlint"))
        .arg("hook")
        .args(args)
        .current_dir(repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn commit(repo: &Repo, extra: &[&str]) -> bool {
    Command::new("git")
        .args(["commit", "-q", "-m", "change"])
        .args(extra)
        .current_dir(repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn the_hook_blocks_a_bad_commit_and_chains_an_existing_hook() {
    let repo = Repo::with_debt();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap_or_else(|e| panic!("{e}"));
    let marker = repo.path().join("old-hook-ran");
    let old_hook = format!("#!/bin/sh\ntouch '{}'\n", marker.display());
    std::fs::write(hooks.join("pre-commit"), &old_hook).unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            hooks.join("pre-commit"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = hook_run(&repo, &["install"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("kept as pre-commit.pre-backlint"));
    let installed = std::fs::read_to_string(hooks.join("pre-commit")).unwrap_or_default();
    assert!(
        hook_run(&repo, &["install"]).status.success(),
        "installing twice is fine"
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap_or_default(),
        installed
    );

    // A commit that adds an item without a spike is refused; the old hook ran first.
    repo.write(
        "backlog/NEW-1.md",
        &story("NEW-1", "Parse login tokens", ""),
    );
    repo.git(&["add", "-A"]);
    assert!(!commit(&repo, &[]), "the hook must refuse the commit");
    assert!(marker.exists(), "the existing hook ran");
    // --no-verify still works.
    assert!(commit(&repo, &["--no-verify"]));
    // A good change passes.
    repo.write(
        "backlog/NEW-2.md",
        &story("NEW-2", "Parse refresh tokens", "spikes: [SPIKE-1]\n"),
    );
    repo.git(&["add", "-A"]);
    assert!(commit(&repo, &[]), "a change with its spike commits");

    let out = hook_run(&repo, &["uninstall"]);
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap_or_default(),
        old_hook
    );
    assert!(!hooks.join("pre-commit.pre-backlint").exists());
}

#[test]
fn the_hook_honours_core_hooks_path() {
    let repo = Repo::with_debt();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    assert!(hook_run(&repo, &["install"]).status.success());
    assert!(repo.path().join(".githooks/pre-commit").exists());
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    let out = hook_run(&repo, &["uninstall"]);
    assert!(out.status.success());
    assert!(!repo.path().join(".githooks/pre-commit").exists());
}

#[test]
fn a_blocked_commit_whose_spike_is_not_staged_is_told_what_to_stage() {
    let repo = Repo::with_debt();
    repo.stage_new_story();
    // The fix (as `--fix` writes it) is in the working tree, not staged: a new spike and the
    // item's link to it.
    repo.write(
        "backlog/SPIKE-2.md",
        "---\nid: SPIKE-2\ntitle: Threat analysis of login tokens\ntype: spike\nstatus: todo\nlabels: [threat-analysis]\n---\n",
    );
    repo.write(
        "backlog/NEW-1.md",
        &story("NEW-1", "Parse login tokens", "spikes: [SPIKE-2]\n"),
    );
    let index_before = std::fs::read(repo.path().join(".git/index")).unwrap_or_default();
    let (code, findings, stderr) = repo.check(&["--staged"]);
    assert_eq!(
        (code, findings),
        (1, vec![pair("triage/missing-spike", "NEW-1")])
    );
    assert!(
        stderr.contains("not staged")
            && stderr.contains("git add backlog/NEW-1.md backlog/SPIKE-2.md")
            && stderr.contains("NEW-1"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("--fix"),
        "the advice must not repeat `--fix`: {stderr}"
    );
    assert_eq!(
        std::fs::read(repo.path().join(".git/index")).unwrap_or_default(),
        index_before,
        "the advice must not touch the index"
    );
    // Staged, the commit passes and no advice is given.
    repo.git(&["add", "-A"]);
    let (code, findings, stderr) = repo.check(&["--staged"]);
    assert_eq!((code, findings), (0, vec![]));
    assert!(!stderr.contains("not staged"), "{stderr}");
}

#[test]
fn a_blocked_commit_without_a_fix_in_the_working_tree_gets_no_staging_advice() {
    let repo = Repo::with_debt();
    repo.stage_new_story();
    repo.write("notes.txt", "unrelated\n");
    let (code, _, stderr) = repo.check(&["--staged"]);
    assert_eq!(code, 1);
    assert!(!stderr.contains("not staged"), "{stderr}");
}

#[test]
fn timings_name_every_phase_and_the_hook_reads_cached_files_from_the_index() {
    let repo = Repo::with_debt();
    repo.stage_new_story();
    let (code, findings, _) = repo.check(&["--staged"]);
    assert_eq!(
        (code, findings),
        (1, vec![pair("triage/missing-spike", "NEW-1")])
    );
    // The second hook run takes every file from the item cache by its staged blob id.
    let (code, findings, timings) = repo.check(&["--staged", "--timings"]);
    assert_eq!(
        (code, findings),
        (1, vec![pair("triage/missing-spike", "NEW-1")])
    );
    for phase in [
        "prepare, compile the rules",
        "open the repository and configuration",
        "the change (git diff)",
        "open the item cache",
        "discover (git index or walk)",
        "compile the rules (meanwhile)",
        "load (read, parse, triage; wall)",
        "backlog (index, links)",
        "rules",
        "render",
        "item cache: 5 files from the cache (0 read to learn their content), 0 parsed",
    ] {
        assert!(timings.contains(phase), "no `{phase}` in:\n{timings}");
    }
    // A check of the working tree has no change to diff.
    let (_, _, timings) = repo.check(&["--timings"]);
    assert!(
        timings.contains("load (read, parse, triage; wall)")
            && !timings.contains("the change (git diff)"),
        "{timings}"
    );
}
