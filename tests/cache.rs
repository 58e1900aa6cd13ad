//! The item cache (`.git/backlint/items.bin`) never changes a result: every fixture backlog and
//! the shipped examples, in a real temporary git repository, give byte-identical JSON with
//! `--no-cache`, with a cold cache and with a warm one; after an edit; under `--staged`; and
//! when the cache file is damaged or from another build (then rebuilt, with a note under `-v`);
//! in a fresh clone given the cache the GitHub Action restores (git's index vouches for the
//! files), and in one whose checkout converts line ends (the cached blob is not taken).

mod common;

use common::{copy_tree, fixture_backlogs, git};
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;

/// A committed git repository holding a copy of `backlog`.
fn repo_with(backlog: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_tree(backlog, dir.path());
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "user.email", "dev@example.com"]);
    git(dir.path(), &["config", "user.name", "Dev"]);
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &["commit", "-q", "--allow-empty", "-m", "backlog"],
    );
    dir
}

/// (exit code, stdout, stderr) of `backlint ARGS` in `dir`, away from the user's git and
/// backlint configuration.
fn backlint(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(cargo_bin("backlint"))
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("BACKLINT_CONFIG")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (exit code, stdout, stderr) of `backlint check --format json ARGS` in `dir`.
fn check(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    backlint(dir, &all)
}

/// The shipped example backlog.
fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn cache_file(dir: &Path) -> PathBuf {
    dir.join(".git/backlint/items.bin")
}

/// With and without the cache, cold and warm, the same bytes and exit code.
fn assert_cache_transparent(backlog: &Path) {
    let repo = repo_with(backlog);
    let dir = repo.path();
    let name = backlog.display();
    let uncached = check(dir, &["--no-cache"]);
    assert!(
        !cache_file(dir).exists(),
        "{name}: --no-cache wrote a cache"
    );
    let cold = check(dir, &[]);
    let warm = check(dir, &[]);
    assert_eq!(
        (uncached.0, &uncached.1),
        (cold.0, &cold.1),
        "{name}: cold cache"
    );
    assert_eq!(
        (uncached.0, &uncached.1),
        (warm.0, &warm.1),
        "{name}: warm cache"
    );
}

#[test]
fn every_fixture_gives_the_same_report_with_and_without_the_cache() {
    let backlogs = fixture_backlogs();
    assert!(backlogs.len() > 20, "fixtures not found: {backlogs:?}");
    for backlog in backlogs {
        assert_cache_transparent(&backlog);
    }
}

#[test]
fn the_examples_give_the_same_report_with_and_without_the_cache_and_the_cache_is_used() {
    assert_cache_transparent(&examples());
    let repo = repo_with(&examples());
    let dir = repo.path();
    check(dir, &[]);
    assert!(cache_file(dir).is_file(), "no cache written");
    let (_, _, timings) = check(dir, &["--timings"]);
    let from_cache: usize = figure_after(&timings, "item cache: ");
    assert!(from_cache > 20, "few files came from the cache:\n{timings}");
    if cfg!(target_os = "linux") {
        let peak: f64 = figure_after(&timings, "peak memory (resident set): ");
        assert!(peak > 1.0, "{timings}");
    }
}

/// The number that follows `label` in the `--timings` report.
fn figure_after<T: std::str::FromStr>(timings: &str, label: &str) -> T {
    timings
        .split(label)
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("--timings reports no `{label}`:\n{timings}"))
}

#[test]
fn an_edit_after_the_cache_was_filled_is_seen() {
    let repo = repo_with(&examples());
    let dir = repo.path();
    let before = check(dir, &[]);
    // Give an open story an authentication change: it must now need a spike.
    let story = dir.join("webshop/backlog/tasks/cache-edit.md");
    std::fs::write(
        &story,
        "---\nid: task-90\ntitle: Accept passwords from anonymous visitors on the public login form\nstatus: To Do\n---\n\nStore the user's password and session token.\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let cached = check(dir, &[]);
    let uncached = check(dir, &["--no-cache"]);
    assert_eq!(cached, uncached);
    assert_ne!(before.1, cached.1, "the edit changed nothing");
    // Same size, same second: the stat check alone could not see this edit.
    let text = std::fs::read_to_string(&story).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&story, text.replace("To Do", "Done!")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(check(dir, &[]), check(dir, &["--no-cache"]));
}

#[test]
fn staged_checks_give_the_same_report_with_and_without_the_cache() {
    let repo = repo_with(&examples());
    let dir = repo.path();
    check(dir, &[]);
    std::fs::write(
        dir.join("webshop/backlog/tasks/task-91 - Upload.md"),
        "---\nid: task-91\ntitle: The public upload form accepts files from anonymous visitors\nstatus: To Do\n---\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    git(dir, &["add", "-A"]);
    let cached = check(dir, &["--staged"]);
    let uncached = check(dir, &["--staged", "--no-cache"]);
    assert_eq!(cached, uncached);
    assert!(cached.1.contains("task-91"), "{}", cached.1);
    // Run again: every file now comes from the cache, the triage of the items the change
    // does not touch left as stored. The JSON report, which lists every item's categories,
    // decodes all of it, and must match what the check without the cache made.
    assert_eq!(check(dir, &["--staged"]), uncached);
    assert_eq!(check(dir, &["--staged"]), uncached);
    assert!(
        uncached.1.contains("\"categories\":[{") && !uncached.1.contains("\"triggered\":0,"),
        "{}",
        uncached.1
    );
}

#[test]
fn a_damaged_or_foreign_cache_is_rebuilt_with_a_note_and_changes_nothing() {
    let repo = repo_with(&examples());
    let dir = repo.path();
    let expected = check(dir, &["--no-cache"]);
    check(dir, &[]);
    let good = std::fs::read(cache_file(dir)).unwrap_or_else(|e| panic!("{e}"));
    let damaged: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 2].to_vec()),
        ("garbage", b"not a cache at all".to_vec()),
        ("another format", {
            let mut other = good.clone();
            other[8] ^= 0xff;
            other
        }),
        ("flipped byte", {
            let mut other = good.clone();
            let last = other.len() - 1;
            other[last] ^= 0x55;
            other
        }),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in damaged {
        std::fs::write(cache_file(dir), &bytes).unwrap_or_else(|e| panic!("{e}"));
        let (code, out, err) = check(dir, &["--verbose"]);
        assert_eq!((code, &out), (expected.0, &expected.1), "{what}");
        assert!(
            err.contains("cache"),
            "{what}: no note about the cache under --verbose:\n{err}"
        );
        let (code, out, _) = check(dir, &[]);
        assert_eq!((code, &out), (expected.0, &expected.1), "{what}, rebuilt");
    }
}

#[test]
fn two_checks_at_once_share_the_cache_safely() {
    let repo = repo_with(&examples());
    let dir = repo.path().to_path_buf();
    // Working-tree checks (whole writes), then hooks that each parsed a new staged story
    // (journal writes), four at a time.
    let at_once = |args: &'static [&'static str]| {
        let expected = check(&dir, &[args, &["--no-cache"]].concat());
        for _round in 0..3 {
            let runs: Vec<_> = (0..4)
                .map(|_| {
                    let dir = dir.clone();
                    std::thread::spawn(move || check(&dir, args))
                })
                .collect();
            for run in runs {
                let got = run.join().unwrap_or_else(|_| panic!("thread"));
                assert_eq!((got.0, &got.1), (expected.0, &expected.1), "{args:?}");
            }
        }
    };
    at_once(&[]);
    for n in 0..3 {
        std::fs::write(
            dir.join(format!("webshop/backlog/tasks/task-{} - Sync.md", 95 + n)),
            format!("---\nid: task-{}\ntitle: Sync the users' addresses to the CRM\nstatus: To Do\n---\n", 95 + n),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        git(&dir, &["add", "-A"]);
        at_once(&["--staged"]);
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.join(".git/backlint"))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.file_name())
        .filter(|name| name != "items.bin" && name != "items.add")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn real_backlogs_give_the_same_report_with_and_without_the_cache() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    }
    for name in [
        "MrLesk__codex-events",
        "lbds137__tzurot",
        "l4l4dev__Storylane",
    ] {
        let backlog = corpus.join(name);
        if backlog.is_dir() {
            assert_cache_transparent(&backlog);
        }
    }
}

/// The `--timings` line of the item cache: (files from the cache, of them read to learn their
/// content, files parsed).
fn cache_use(dir: &Path, args: &[&str]) -> (usize, usize, usize) {
    let mut with_timings = args.to_vec();
    with_timings.push("--timings");
    let (_, _, timings) = check(dir, &with_timings);
    let line = timings
        .lines()
        .find_map(|l| l.trim().strip_prefix("item cache: "))
        .unwrap_or_else(|| panic!("--timings reports no item cache line:\n{timings}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    match numbers[..] {
        [hits, read, parsed] => (hits, read, parsed),
        _ => panic!("unexpected item cache line: {line}"),
    }
}

#[test]
fn a_hook_run_keeps_what_the_working_tree_check_knows_of_every_file() {
    let repo = repo_with(&examples());
    let dir = repo.path();
    // Stamps are recorded only for files not changed within the last two seconds (a change in
    // the same clock tick could keep its stamp).
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let (_, read, parsed) = cache_use(dir, &[]);
    assert!(
        parsed > 20 && read == 0,
        "cold: {read} read, {parsed} parsed"
    );
    // Warm: every file known by its stamp, none read.
    let (hits, read, parsed) = cache_use(dir, &[]);
    assert_eq!((read, parsed), (0, 0), "warm, {hits} hits");
    // A commit: the hook reads the index, not the working tree, and parses the new story.
    std::fs::write(
        dir.join("webshop/backlog/tasks/task-92 - Export.md"),
        "---\nid: task-92\ntitle: Export the customers' addresses to the partner's server\nstatus: To Do\n---\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    git(dir, &["add", "-A"]);
    let before = std::fs::read(cache_file(dir)).unwrap_or_default();
    let (_, _, parsed) = cache_use(dir, &["--staged"]);
    assert_eq!(parsed, 1, "the hook parses the staged story");
    // It adds that one entry to the journal beside the cache, not the whole cache again.
    assert_eq!(std::fs::read(cache_file(dir)).unwrap_or_default(), before);
    assert!(
        cache_file(dir).with_extension("add").is_file(),
        "no journal"
    );
    assert_eq!(cache_use(dir, &["--staged"]).2, 0, "the journal is read");
    // The working-tree check after it still knows every other file by its stamp: only the new
    // story (too recent to have one) may be read — unless git's index vouches for it, when it
    // was not staged within the index's own clock tick — and it is not parsed again.
    let (hits, read, parsed) = cache_use(dir, &[]);
    assert!(
        read <= 1 && parsed == 0,
        "after the hook, {hits} hits, {read} read, {parsed} parsed"
    );
    assert_eq!(check(dir, &[]), check(dir, &["--no-cache"]));
}

#[test]
fn checks_of_one_folder_and_of_the_whole_repository_do_not_undo_each_others_cache() {
    let repo = repo_with(&examples());
    let dir = repo.path();
    let (_, _, folder_parsed) = cache_use(dir, &["webshop"]);
    let (_, _, whole_parsed) = cache_use(dir, &[]);
    assert!(
        folder_parsed > 10 && whole_parsed > 0,
        "{folder_parsed} / {whole_parsed}"
    );
    // Each kept what the other did not use: nothing is parsed again, either way round.
    assert_eq!(cache_use(dir, &["webshop"]).2, 0);
    assert_eq!(cache_use(dir, &[]).2, 0);
    assert_eq!(check(dir, &[]), check(dir, &["--no-cache"]));
}

/// The folder the GitHub Action keeps between runs (the `path:` of its item-cache step).
fn folder_the_action_keeps() -> String {
    let action = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let step = action
        .split("- name: ")
        .find(|step| step.starts_with("Restore the item cache"))
        .unwrap_or_else(|| panic!("action.yml has no item-cache step"));
    step.lines()
        .find_map(|l| l.trim().strip_prefix("path: "))
        .unwrap_or_else(|| panic!("the item-cache step keeps no path:\n{step}"))
        .to_string()
}

#[test]
fn the_cache_the_action_carries_to_a_fresh_checkout_is_used() {
    let repo = repo_with(&examples());
    let (_, _, parsed) = cache_use(repo.path(), &[]);
    assert!(parsed > 20, "cold: {parsed} parsed");
    // A new checkout (new inodes and times, as on a CI runner) with the folder the action
    // restores: git's index vouches for every file, which is neither read nor parsed.
    let clones = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let clone = fresh_clone(repo.path(), clones.path(), &[]);
    // Files written in the index's own clock tick are racily clean (git hashes them again, and
    // so does backlint); `git status` would refresh the index, as this does.
    std::thread::sleep(std::time::Duration::from_millis(50));
    git(&clone, &["update-index", "-q", "--refresh"]);
    let kept = folder_the_action_keeps();
    assert_eq!(
        kept, ".git/backlint",
        "the cache is written to .git/backlint/items.bin"
    );
    copy_tree(&repo.path().join(&kept), &clone.join(&kept));
    let (hits, read, parsed) = cache_use(&clone, &[]);
    assert!(
        hits > 20 && (read, parsed) == (0, 0),
        "{hits} hits, {read} read, {parsed} parsed"
    );
    assert_eq!(check(&clone, &[]), check(&clone, &["--no-cache"]));
    // An edit of the same size: the index no longer vouches for the file (its time changed).
    let story = clone.join(STORY);
    let text = std::fs::read_to_string(&story).unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&story, text.replacen("in Redis", "in REDIS", 1))
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, _, parsed) = cache_use(&clone, &[]);
    assert_eq!(parsed, 1, "the edited story is parsed");
    assert_eq!(check(&clone, &[]), check(&clone, &["--no-cache"]));
}

/// A story of the example backlog.
const STORY: &str = "webshop/backlog/tasks/task-1 - Cache-product-listings-in-Redis.md";

/// A clone of `source` in `parent`, made with `git -c CONFIG… clone`.
fn fresh_clone(source: &Path, parent: &Path, config: &[&str]) -> PathBuf {
    let clone = parent.join("clone");
    let source = source.to_string_lossy().into_owned();
    let target = clone.to_string_lossy().into_owned();
    let mut args: Vec<&str> = config.iter().flat_map(|c| ["-c", *c]).collect();
    args.extend(["clone", "-q", &source, &target]);
    git(parent, &args);
    clone
}

#[test]
fn a_checkout_that_converts_line_ends_is_not_taken_for_the_cached_blob() {
    let repo = repo_with(&examples());
    cache_use(repo.path(), &[]);
    // With core.autocrlf, the checkout writes CRLF files whose index entries are clean, but
    // whose bytes are not the blob's (LF) that the cache parsed: they are read and parsed.
    let clones = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let clone = fresh_clone(repo.path(), clones.path(), &["core.autocrlf=true"]);
    let text = std::fs::read_to_string(clone.join(STORY)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        text.contains("\r\n"),
        "the checkout did not convert line ends"
    );
    copy_tree(
        &repo.path().join(".git/backlint"),
        &clone.join(".git/backlint"),
    );
    let (hits, read, parsed) = cache_use(&clone, &[]);
    assert!(parsed > 20, "{hits} hits, {read} read, {parsed} parsed");
    assert_eq!(check(&clone, &[]), check(&clone, &["--no-cache"]));
}

/// `backlint why ITEM ARGS` in `dir`: (exit code, stdout).
fn why(dir: &Path, item: &str, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["why", item];
    all.extend_from_slice(args);
    let (code, stdout, _) = backlint(dir, &all);
    (code, stdout)
}

#[test]
fn why_explains_an_item_alike_with_a_cold_and_a_warm_cache() {
    let repo = repo_with(&examples());
    let dir = repo.path();
    // The items the examples' findings name, and one that does not exist.
    let (_, report, _) = check(dir, &["--no-cache"]);
    let report: serde_json::Value = serde_json::from_str(&report).unwrap_or_else(|e| panic!("{e}"));
    let mut items: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["item"].as_str().map(str::to_string))
        .collect();
    items.sort();
    items.dedup();
    assert!(items.len() > 3, "{items:?}");
    items.push("NO-SUCH-ITEM-1".to_string());
    assert!(!cache_file(dir).exists());
    for format in ["human", "json"] {
        for item in &items {
            std::fs::remove_file(cache_file(dir)).ok();
            let cold = why(dir, item, &["--format", format]);
            assert!(cache_file(dir).is_file(), "why wrote no cache");
            let warm = why(dir, item, &["--format", format]);
            assert_eq!(cold, warm, "{item} ({format})");
        }
    }
}
