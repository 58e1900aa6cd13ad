//! The hook in git's awkward states: a merge with conflicts, a rebase and a cherry-pick that
//! stopped, the first commit, a bare repository and `GIT_DIR`, a linked worktree, a sparse
//! checkout, a submodule holding a backlog, `core.autocrlf`, executable files, a staged
//! deletion of the definition of done, non-UTF-8 paths. Each gives the right result or a clear
//! message with exit 2 — and never changes the index or the working tree (status, both diffs
//! and the index file's bytes are compared before and after).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;

const DOD: &str = "# Definition of Done\n\n- Tests pass\n- For every identified threat the residual risk is accepted by its owner\n";

fn story(id: &str, status: &str, body: &str) -> String {
    format!("---\nid: {id}\ntype: story\nstatus: {status}\n---\n# {id}\n\n{body}\n")
}

struct Repo {
    dir: tempfile::TempDir,
}

fn git(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com")
        .env("GIT_EDITOR", "true")
        .env("GIT_ALLOW_PROTOCOL", "file")
        .output()
        .unwrap_or_else(|e| panic!("git {args:?}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> String {
        let (ok, out) = git(self.path(), args);
        assert!(ok, "git {args:?}: {out}");
        out
    }

    fn write(&self, path: &str, text: &str) {
        common::write_file(self.path(), path, text);
    }

    fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// A backlog with a definition of done and one analysed story.
    fn with_backlog() -> Repo {
        let repo = Repo::new();
        repo.write("docs/definition-of-done.md", DOD);
        repo.write(
            "stories/STORY-1.md",
            &story("STORY-1", "todo", "Reword the footer."),
        );
        repo.commit_all("backlog");
        repo
    }
}

/// What git shows of a repository: status, both diffs and the index file's bytes.
fn snapshot(dir: &Path, git_dir: &Path) -> (String, String, String, Vec<u8>) {
    (
        git(dir, &["status", "--porcelain=v2"]).1,
        git(dir, &["diff"]).1,
        git(dir, &["diff", "--cached"]).1,
        std::fs::read(git_dir.join("index")).unwrap_or_default(),
    )
}

/// Runs `backlint check --staged --format json` in `dir`; asserts git's state is untouched.
/// Returns the exit code, the rules found (rule, item) and stderr.
fn staged(
    dir: &Path,
    git_dir: &Path,
    env: &[(&str, &Path)],
) -> (i32, Vec<(String, String)>, String) {
    let before = snapshot(dir, git_dir);
    let mut command = Command::new(cargo_bin("backlint"));
    command
        .args(["check", "--staged", "--format", "json"])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.output().unwrap_or_else(|e| panic!("{e}"));
    let after = snapshot(dir, git_dir);
    assert_eq!(
        before, after,
        "backlint changed the index or the working tree"
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let code = out.status.code().unwrap_or(-1);
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    if code != 2 {
        assert!(
            !json.is_null(),
            "exit {code} without a JSON report: {stderr}"
        );
    }
    let rules = json["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or("").to_string(),
                        f["item"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (code, rules, stderr)
}

fn has(rules: &[(String, String)], rule: &str, item: &str) -> bool {
    rules.iter().any(|(r, i)| r == rule && i == item)
}

/// A conflict on STORY-1: `ours` and `theirs` both change it.
fn conflicting(repo: &Repo) {
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write(
        "stories/STORY-1.md",
        &story("STORY-1", "todo", "Accept webhooks over HTTP."),
    );
    repo.commit_all("theirs");
    repo.git(&["checkout", "-q", "main"]);
    repo.write(
        "stories/STORY-1.md",
        &story("STORY-1", "todo", "Store passwords in the database."),
    );
    repo.commit_all("ours");
}

#[test]
fn a_merge_with_conflicts_is_judged_on_what_is_staged_without_touching_anything() {
    let repo = Repo::with_backlog();
    conflicting(&repo);
    let (ok, _) = git(repo.path(), &["merge", "-q", "other"]);
    assert!(!ok, "the merge should conflict");
    let git_dir = repo.path().join(".git");
    let (code, _, stderr) = staged(repo.path(), &git_dir, &[]);
    // The conflicted file is not staged content: no crash, a report or a clear exit 2.
    assert!(matches!(code, 0..=2), "{stderr}");
    if code == 2 {
        assert!(stderr.contains("backlint: error:"), "{stderr}");
    }
    // Once resolved and staged, the new content is judged.
    repo.write(
        "stories/STORY-1.md",
        &story("STORY-1", "todo", "Accept webhooks over HTTP."),
    );
    repo.git(&["add", "stories/STORY-1.md"]);
    let (code, rules, stderr) = staged(repo.path(), &git_dir, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(has(&rules, "triage/missing-spike", "STORY-1"), "{rules:?}");
}

#[test]
fn a_stopped_rebase_and_cherry_pick_are_left_as_they_are() {
    for operation in ["rebase", "cherry-pick"] {
        let repo = Repo::with_backlog();
        conflicting(&repo);
        let (ok, _) = match operation {
            "rebase" => {
                repo.git(&["checkout", "-q", "other"]);
                git(repo.path(), &["rebase", "main"])
            }
            _ => git(repo.path(), &["cherry-pick", "other"]),
        };
        assert!(!ok, "{operation} should stop on the conflict");
        let git_dir = repo.path().join(".git");
        let (code, _, stderr) = staged(repo.path(), &git_dir, &[]);
        assert!(matches!(code, 0..=2), "{operation}: {stderr}");
        let state = if operation == "rebase" {
            "rebase-merge"
        } else {
            "CHERRY_PICK_HEAD"
        };
        assert!(
            git_dir.join(state).exists(),
            "{operation}: backlint ended the {operation}"
        );
    }
}

#[test]
fn the_first_commit_has_no_head_and_everything_staged_is_new() {
    let repo = Repo::new();
    repo.write("docs/definition-of-done.md", DOD);
    repo.write(
        "stories/STORY-1.md",
        &story("STORY-1", "todo", "Users log in with a password."),
    );
    repo.git(&["add", "-A"]);
    let (code, rules, stderr) = staged(repo.path(), &repo.path().join(".git"), &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(has(&rules, "triage/missing-spike", "STORY-1"), "{rules:?}");
}

#[test]
fn a_bare_repository_is_a_clear_error_and_git_dir_with_a_work_tree_works() {
    let repo = Repo::with_backlog();
    let bare = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bare_path = bare.path().join("b.git");
    let (ok, out) = git(
        bare.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &repo.path().display().to_string(),
            "b.git",
        ],
    );
    assert!(ok, "{out}");
    let out = Command::new(cargo_bin("backlint"))
        .args(["check", "--staged"])
        .current_dir(&bare_path)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bare repository"), "{stderr}");

    // GIT_DIR and GIT_WORK_TREE, as git sets them for hooks run from elsewhere.
    repo.write(
        "stories/STORY-2.md",
        &story("STORY-2", "todo", "Users log in with a password."),
    );
    repo.git(&["add", "stories/STORY-2.md"]);
    let elsewhere = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let git_dir = repo.path().join(".git");
    let out = Command::new(cargo_bin("backlint"))
        .args(["check", "--staged", "--format", "json"])
        .arg(repo.path())
        .current_dir(elsewhere.path())
        .env("GIT_DIR", &git_dir)
        .env("GIT_WORK_TREE", repo.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("STORY-2"), "{stdout}");
}

#[test]
fn a_linked_worktree_is_checked_on_its_own_index() {
    let repo = Repo::with_backlog();
    let holder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let worktree = holder.path().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "feature",
        &worktree.display().to_string(),
    ]);
    std::fs::write(
        worktree.join("stories/STORY-3.md"),
        story("STORY-3", "todo", "Users log in with a password."),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    git(&worktree, &["add", "stories/STORY-3.md"]);
    let git_dir = PathBuf::from(
        git(&worktree, &["rev-parse", "--absolute-git-dir"])
            .1
            .trim(),
    );
    let (code, rules, stderr) = staged(&worktree, &git_dir, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(has(&rules, "triage/missing-spike", "STORY-3"), "{rules:?}");
    // The main working tree's index is not the worktree's.
    let (code, rules, _) = staged(repo.path(), &repo.path().join(".git"), &[]);
    assert_eq!(code, 0, "{rules:?}");
}

#[test]
fn a_sparse_checkout_reads_staged_files_that_are_not_on_disk() {
    let repo = Repo::with_backlog();
    repo.write(
        "other/STORY-9.md",
        &story("STORY-9", "todo", "Reword the footer."),
    );
    repo.commit_all("other");
    repo.git(&["sparse-checkout", "set", "--no-cone", "/docs/", "/other/"]);
    assert!(
        !repo.path().join("stories/STORY-1.md").exists(),
        "sparse checkout did not apply"
    );
    repo.write(
        "other/STORY-9.md",
        &story("STORY-9", "todo", "Users log in with a password."),
    );
    repo.git(&["add", "other/STORY-9.md"]);
    let (code, rules, stderr) = staged(repo.path(), &repo.path().join(".git"), &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(has(&rules, "triage/missing-spike", "STORY-9"), "{rules:?}");
}

#[test]
fn a_submodule_is_not_read_as_part_of_the_backlog() {
    let inner = Repo::with_backlog();
    inner.write(
        "stories/STORY-7.md",
        &story("STORY-7", "todo", "Users log in with a password."),
    );
    inner.commit_all("inner story");
    let repo = Repo::with_backlog();
    repo.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        &inner.path().display().to_string(),
        "vendor/inner",
    ]);
    let (code, rules, stderr) = staged(repo.path(), &repo.path().join(".git"), &[]);
    assert!(matches!(code, 0 | 1), "{stderr}");
    assert!(
        !rules.iter().any(|(_, item)| item == "STORY-7"),
        "{rules:?}"
    );
}

#[test]
fn autocrlf_and_executable_files_read_as_their_staged_content() {
    let repo = Repo::with_backlog();
    repo.git(&["config", "core.autocrlf", "true"]);
    repo.write(
        "stories/STORY-4.md",
        &story("STORY-4", "todo", "Users log in with a password.").replace('\n', "\r\n"),
    );
    let exe = repo.path().join("stories/STORY-5.md");
    std::fs::write(&exe, story("STORY-5", "todo", "Accept webhooks over HTTP."))
        .unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    repo.git(&["add", "-A"]);
    let (code, rules, stderr) = staged(repo.path(), &repo.path().join(".git"), &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(has(&rules, "triage/missing-spike", "STORY-4"), "{rules:?}");
    assert!(has(&rules, "triage/missing-spike", "STORY-5"), "{rules:?}");
}

#[test]
fn a_staged_deletion_of_the_definition_of_done_is_reported() {
    let repo = Repo::with_backlog();
    repo.git(&["rm", "-q", "docs/definition-of-done.md"]);
    let (code, rules, stderr) = staged(repo.path(), &repo.path().join(".git"), &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(has(&rules, "dod/not-found", ""), "{rules:?}");
}

#[cfg(unix)]
#[test]
fn a_non_utf8_path_is_read() {
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::with_backlog();
    let name = std::ffi::OsStr::from_bytes(b"stories/STORY-\xff.md");
    std::fs::write(
        repo.path().join(name),
        story("STORY-8", "todo", "Users log in with a password."),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    repo.git(&["add", "-A"]);
    let (code, rules, stderr) = staged(repo.path(), &repo.path().join(".git"), &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(has(&rules, "triage/missing-spike", "STORY-8"), "{rules:?}");
}
