//! `backlint flow` and `backlint report --evidence` on scripted git histories whose stage
//! times, bounces and acceptances are known: the figures must be exactly these.

mod common;

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use common::git;
use serde_json::Value;

const DAY: i64 = 86_400;

/// A repository whose commits carry the dates we give them.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        git(dir.path(), &["init", "-q", "-b", "main"]);
        git(dir.path(), &["config", "user.email", "pat@example.com"]);
        git(dir.path(), &["config", "user.name", "Pat Doe"]);
        Repo { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, path: &str, text: &str) {
        common::write_file(self.path(), path, text);
    }

    /// Commits everything at noon UTC of `date`.
    fn commit(&self, date: &str, message: &str) {
        git(self.path(), &["add", "-A"]);
        let stamp = format!("{date}T12:00:00+00:00");
        let out = Command::new("git")
            .args(["commit", "-q", "-m", message])
            .current_dir(self.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", &stamp)
            .env("GIT_COMMITTER_DATE", &stamp)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn backlint(&self, args: &[&str]) -> (i32, String, String) {
        common::run_backlint(self.path(), args)
    }

    fn json(&self, args: &[&str]) -> Value {
        let (code, stdout, stderr) = self.backlint(args);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }
}

fn story(status: &str, extra: &str) -> String {
    format!(
        "---\nid: STORY-1\ntype: story\nstatus: {status}\nspikes: [SPIKE-1]\n{extra}---\n# Sign in with a password\n\nUsers log in with their password; we check the credentials and issue a session token.\n"
    )
}

fn spike(status: &str, body: &str) -> String {
    format!(
        "---\nid: SPIKE-1\ntype: spike\nstatus: {status}\nlabels: [threat-analysis]\n---\n# Threat analysis: sign-in\n\n{body}\n"
    )
}

fn task(id: &str, title: &str, status: &str) -> String {
    format!(
        "---\nid: {id}\ntype: task\nstatus: {status}\n---\n# {title}\n\nChange the wording on the page.\n"
    )
}

/// The scripted history (all dates 2026, noon UTC):
///
/// | commit | STORY-1 (triggered) | SPIKE-1 | TASK-1 | TASK-2 |
/// | --- | --- | --- | --- | --- |
/// | 01-05 | todo | todo | todo | todo |
/// | 01-07 |  | done |  | in progress |
/// | 01-08 | in progress |  | in progress | todo (sent back) |
/// | 01-10 | todo (sent back; spike edited) | edited | done |  |
/// | 01-12 | in progress |  |  |  |
/// | 01-15 | done, risk accepted (dated 01-14) |  |  |  |
fn scripted() -> Repo {
    let repo = Repo::new();
    repo.write("stories/STORY-1.md", &story("todo", ""));
    repo.write("stories/SPIKE-1.md", &spike("todo", "Questions to answer."));
    repo.write(
        "stories/TASK-1.md",
        &task("TASK-1", "Reword the footer", "todo"),
    );
    repo.write(
        "stories/TASK-2.md",
        &task("TASK-2", "Polish the footer colours", "todo"),
    );
    repo.commit("2026-01-05", "plan the sign-in work");
    repo.write(
        "stories/SPIKE-1.md",
        &spike("done", "Threats found: credential stuffing."),
    );
    repo.write(
        "stories/TASK-2.md",
        &task("TASK-2", "Polish the footer colours", "in progress"),
    );
    repo.commit("2026-01-07", "threat analysis done");
    repo.write("stories/STORY-1.md", &story("in progress", ""));
    repo.write(
        "stories/TASK-1.md",
        &task("TASK-1", "Reword the footer", "in progress"),
    );
    repo.write(
        "stories/TASK-2.md",
        &task("TASK-2", "Polish the footer colours", "todo"),
    );
    repo.commit("2026-01-08", "start sign-in");
    repo.write("stories/STORY-1.md", &story("todo", ""));
    repo.write(
        "stories/SPIKE-1.md",
        &spike(
            "done",
            "Threats found: credential stuffing; rate limiting needed.",
        ),
    );
    repo.write(
        "stories/TASK-1.md",
        &task("TASK-1", "Reword the footer", "done"),
    );
    repo.commit(
        "2026-01-10",
        "sign-in back to the backlog: rate limiting first",
    );
    repo.write("stories/STORY-1.md", &story("in progress", ""));
    repo.commit("2026-01-12", "resume sign-in");
    repo.write(
        "stories/STORY-1.md",
        &story(
            "done",
            "risk_acceptance: {decision: accepted, by: Pat, role: product-owner, date: 2026-01-14}\n",
        ),
    );
    repo.commit("2026-01-15", "sign-in done, risk accepted");
    repo
}

fn stage<'a>(group: &'a Value, name: &str) -> &'a Value {
    group["stages"]
        .as_array()
        .and_then(|stages| stages.iter().find(|s| s["stage"] == name))
        .unwrap_or_else(|| panic!("no stage {name} in {group}"))
}

fn durations(value: &Value) -> (u64, Option<i64>, Option<i64>) {
    (
        value["count"].as_u64().unwrap_or(u64::MAX),
        value["median_seconds"].as_i64(),
        value["p85_seconds"].as_i64(),
    )
}

#[test]
fn flow_gives_the_exact_stage_times_bounces_and_lead_times_of_a_scripted_history() {
    let repo = scripted();
    let flow = repo.json(&["flow", "stories", "--format", "json"]);
    assert_eq!(flow["commits"], 6);
    let all = &flow["all"];
    assert_eq!(all["items"], 4);
    let names: Vec<&str> = all["stages"]
        .as_array()
        .map(|s| s.iter().filter_map(|x| x["stage"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["todo", "in progress", "done"]);

    let todo = stage(all, "todo");
    assert_eq!(todo["items"], 4);
    // Entries back into todo: STORY-1 after 2 days in progress, TASK-2 after 1 day.
    assert_eq!(
        durations(&todo["wait_before"]),
        (2, Some(DAY), Some(2 * DAY))
    );
    // Stays that ended: 3 d, 2 d (STORY-1), 2 d (SPIKE-1), 3 d (TASK-1), 2 d (TASK-2).
    assert_eq!(
        durations(&todo["time_in"]),
        (5, Some(2 * DAY), Some(3 * DAY))
    );
    assert_eq!(todo["sent_back"], 0);

    let doing = stage(all, "in progress");
    assert_eq!(doing["items"], 3);
    assert_eq!(
        durations(&doing["wait_before"]),
        (4, Some(2 * DAY), Some(3 * DAY))
    );
    assert_eq!(
        durations(&doing["time_in"]),
        (4, Some(2 * DAY), Some(3 * DAY))
    );
    assert_eq!(doing["sent_back"], 2);
    assert_eq!(doing["sent_back_percent"], 66.7);
    assert_eq!(doing["backward_moves"], 2);
    // STORY-1's bounce is tied to security (it triggers the checklist, its spike changed);
    // TASK-2's is not.
    assert_eq!(doing["security_backward_moves"], 1);

    let done = stage(all, "done");
    assert_eq!(done["items"], 3);
    assert_eq!(
        durations(&done["wait_before"]),
        (3, Some(2 * DAY), Some(3 * DAY))
    );
    assert_eq!(durations(&done["time_in"]), (0, None, None));

    // Lead times: SPIKE-1 2 d, TASK-1 5 d, STORY-1 10 d.
    assert_eq!(
        durations(&all["lead_time"]),
        (3, Some(5 * DAY), Some(10 * DAY))
    );
    assert_eq!(flow["triggered"]["items"], 1);
    assert_eq!(
        durations(&flow["triggered"]["lead_time"]),
        (1, Some(10 * DAY), Some(10 * DAY))
    );
    assert_eq!(flow["untriggered"]["items"], 3);
    assert_eq!(
        durations(&flow["untriggered"]["lead_time"]),
        (2, Some(2 * DAY), Some(5 * DAY))
    );
    assert_eq!(flow["triggered"]["security_backward_moves"], 1);
    assert_eq!(flow["untriggered"]["backward_moves"], 1);
    assert_eq!(flow["untriggered"]["security_backward_moves"], 0);
}

#[test]
fn flow_since_counts_only_the_window() {
    let repo = scripted();
    let flow = repo.json(&[
        "flow",
        "stories",
        "--since",
        "2026-01-11",
        "--format",
        "json",
    ]);
    assert_eq!(flow["commits_in_window"], 2);
    // Only STORY-1 changed status in the window: in progress (01-12), done (01-15).
    assert_eq!(flow["all"]["items"], 1);
    let doing = stage(&flow["all"], "in progress");
    assert_eq!(
        durations(&doing["wait_before"]),
        (1, Some(2 * DAY), Some(2 * DAY))
    );
    assert_eq!(
        durations(&doing["time_in"]),
        (1, Some(3 * DAY), Some(3 * DAY))
    );
    // Its lead time runs from its first commit, before the window.
    assert_eq!(
        durations(&flow["all"]["lead_time"]),
        (1, Some(10 * DAY), Some(10 * DAY))
    );
    // A revision works as well as a date.
    let by_ref = repo.json(&["flow", "stories", "--since", "HEAD~1", "--format", "json"]);
    assert_eq!(by_ref["commits_in_window"], 2);
}

#[test]
fn flow_follows_an_item_moved_to_completed() {
    let repo = scripted();
    std::fs::create_dir_all(repo.path().join("stories/completed"))
        .unwrap_or_else(|e| panic!("{e}"));
    git(
        repo.path(),
        &["mv", "stories/TASK-1.md", "stories/completed/TASK-1.md"],
    );
    repo.commit("2026-01-20", "archive TASK-1");
    let flow = repo.json(&["flow", "stories", "--format", "json"]);
    // The move is not a new item and not a status change.
    assert_eq!(flow["all"]["items"], 4);
    assert_eq!(stage(&flow["all"], "done")["items"], 3);
}

#[test]
fn flow_outside_git_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("STORY-1.md"), story("todo", ""))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = Command::cargo_bin("backlint")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["flow", "."])
        .current_dir(dir.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            dir.path().parent().unwrap_or(dir.path()),
        )
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a git repository"), "{stderr}");
    // An unknown revision for --since is exit 2 as well.
    let repo = scripted();
    let (code, _, stderr) = repo.backlint(&["flow", "--since", "no-such-ref"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("unknown revision `no-such-ref`"),
        "{stderr}"
    );
}

#[test]
fn flow_human_and_markdown_show_the_same_figures() {
    let repo = scripted();
    let (code, human, _) = repo.backlint(&["flow", "stories"]);
    assert_eq!(code, 0);
    assert!(
        human.contains("Value stream of 4 items over 6 commits"),
        "{human}"
    );
    assert!(human.contains("in progress  3"), "{human}");
    assert!(human.contains("2 (66.7%)"), "{human}");
    assert!(human.contains("1 of 2"), "{human}");
    assert!(
        human.contains("lead time median 5.0 d, p85 10.0 d"),
        "{human}"
    );
    let (code, md, _) = repo.backlint(&["flow", "stories", "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        md.contains("| in progress | 3 | 2.0 d / 3.0 d | 2.0 d / 3.0 d | 2 (66.7%) | 1 of 2 |"),
        "{md}"
    );
}

/// Evidence comes from history: when each spike was linked and done, when the acceptance was
/// recorded, and where the record disagrees.
#[test]
fn report_evidence_gives_the_provenance_of_spikes_and_acceptances() {
    let repo = scripted();
    // STORY-2 starts in the very commit that marks its spike done.
    repo.write(
        "other/STORY-2.md",
        "---\nid: STORY-2\ntype: story\nstatus: todo\nspikes: [SPIKE-2]\n---\n# Keep customers' home addresses\n\nStore each customer's home address and phone number in the database.\n",
    );
    repo.write(
        "other/SPIKE-2.md",
        "---\nid: SPIKE-2\ntype: spike\nstatus: todo\nlabels: [threat-analysis]\n---\n# Threat analysis: addresses\n",
    );
    repo.commit("2026-01-16", "plan addresses");
    repo.write(
        "other/STORY-2.md",
        "---\nid: STORY-2\ntype: story\nstatus: in progress\nspikes: [SPIKE-2]\n---\n# Keep customers' home addresses\n\nStore each customer's home address and phone number in the database.\n",
    );
    repo.write(
        "other/SPIKE-2.md",
        "---\nid: SPIKE-2\ntype: spike\nstatus: done\nlabels: [threat-analysis]\n---\n# Threat analysis: addresses\n",
    );
    repo.commit("2026-01-17", "start addresses");
    let head = git(repo.path(), &["rev-parse", "HEAD"]).trim().to_string();
    let first = git(repo.path(), &["rev-list", "--max-parents=0", "HEAD"])
        .trim()
        .to_string();
    let second = git(repo.path(), &["rev-parse", "HEAD~6"])
        .trim()
        .to_string();
    let sixth = git(repo.path(), &["rev-parse", "HEAD~2"])
        .trim()
        .to_string();

    let report = repo.json(&["report", "--format", "json", "--evidence"]);
    let evidence = report["evidence"].as_array().cloned().unwrap_or_default();
    let of = |id: &str| {
        evidence
            .iter()
            .find(|e| e["item"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no evidence for {id}: {evidence:?}"))
    };
    let story1 = of("STORY-1");
    assert_eq!(story1["added"]["commit"], first.as_str());
    assert_eq!(story1["spikes"][0]["spike"], "SPIKE-1");
    assert_eq!(story1["spikes"][0]["linked"]["commit"], first.as_str());
    assert_eq!(story1["spikes"][0]["done"]["commit"], second.as_str());
    assert_eq!(story1["spikes"][0]["done"]["author"], "Pat Doe");
    assert_eq!(
        story1["spikes"][0]["done"]["date"],
        "2026-01-07 12:00 +00:00"
    );
    assert_eq!(story1["acceptance"]["recorded"]["commit"], sixth.as_str());
    assert_eq!(story1["acceptance"]["role"], "product-owner");
    let warnings: Vec<&str> = story1["warnings"]
        .as_array()
        .map(|w| w.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        warnings,
        [format!(
            "the risk acceptance is dated 2026-01-14, but history first records it in {} on 2026-01-15",
            &sixth[..7]
        )]
    );

    let story2 = of("STORY-2");
    assert_eq!(story2["started"]["commit"], head.as_str());
    assert_eq!(story2["spikes"][0]["done"]["commit"], head.as_str());
    assert_eq!(
        story2["warnings"][0],
        format!(
            "SPIKE-2 was marked done in the same commit that started STORY-2 ({})",
            &head[..7]
        )
        .as_str()
    );

    // The trend: one point per week from the first commit; the week of 01-12 ends with STORY-1
    // accepted.
    let weeks = report["trend"]["weeks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let week = |monday: &str| {
        weeks
            .iter()
            .find(|w| w["week"] == monday)
            .cloned()
            .unwrap_or_else(|| panic!("no week {monday}: {weeks:?}"))
    };
    assert_eq!(week("2026-01-05")["triggered"], 1);
    assert_eq!(week("2026-01-05")["missing_spikes"], 0);
    assert_eq!(week("2026-01-05")["accepted"], 0);
    assert_eq!(week("2026-01-12")["triggered"], 2);
    assert_eq!(week("2026-01-12")["accepted"], 1);
}

#[test]
fn evidence_flags_records_that_history_does_not_back() {
    let repo = scripted();
    // Accepted in the working tree only: not committed.
    repo.write(
        "stories/STORY-3.md",
        "---\nid: STORY-3\ntype: story\nstatus: done\nspikes: [SPIKE-1]\nrisk_acceptance: {decision: accepted, by: Pat, role: product-owner, date: 2026-02-01}\n---\n# Reset a forgotten password\n\nUsers reset their password with a login token sent by email.\n",
    );
    let report = repo.json(&["report", "--format", "json", "--evidence"]);
    let story3 = report["evidence"]
        .as_array()
        .and_then(|e| e.iter().find(|x| x["item"] == "STORY-3").cloned())
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(
        story3["warnings"][0],
        "the item is not committed: nothing in history backs its record"
    );
}

#[test]
fn a_history_longer_than_the_limit_keeps_its_newest_commits_and_reads_the_first_whole() {
    let repo = scripted();
    let git = backlint::discover::git::GitRepo::open(repo.path()).unwrap_or_else(|e| panic!("{e}"));
    let all = git
        .backlog_history(&["stories".to_string()])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((all.commits.len(), all.commits_left_out), (6, 0));
    let newest = git
        .backlog_history_limited(&["stories".to_string()], 3)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(newest.commits_left_out, 3);
    let ids: Vec<&str> = newest.commits.iter().map(|c| c.id.as_str()).collect();
    let expected: Vec<&str> = all.commits[3..].iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, expected);
    // The first commit kept lists every backlog file (the state then), not only its changes.
    let first: Vec<&str> = newest.commits[0]
        .changes
        .iter()
        .map(|c| c.path.as_str())
        .collect();
    assert_eq!(
        first,
        [
            "stories/SPIKE-1.md",
            "stories/STORY-1.md",
            "stories/TASK-1.md",
            "stories/TASK-2.md"
        ]
    );
}
