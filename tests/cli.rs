//! The command line as a user meets it: output formats, exit codes, error messages, colour,
//! a closed stdout, hostile item text.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use assert_cmd::Command as Cmd;
use predicates::prelude::*;

fn backlint() -> Cmd {
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    cmd.current_dir(common::manifest_dir())
        .env("COLUMNS", "100")
        .env_remove("NO_COLOR");
    cmd
}

fn stdout_of(cmd: &mut Cmd) -> (String, Option<i32>) {
    let output = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code(),
    )
}

#[test]
fn human_output_of_the_example_backlog() {
    let (out, code) = stdout_of(backlint().args(["check", "examples/webshop", "--color", "never"]));
    assert_eq!(code, Some(1));
    assert!(
        !out.contains('\u{1b}'),
        "no colour codes with --color never"
    );
    insta::assert_snapshot!("human_webshop", out);
}

#[test]
fn json_output_of_the_example_backlog() {
    let (out, code) = stdout_of(backlint().args(["check", "examples/webshop", "--format", "json"]));
    assert_eq!(code, Some(1));
    let value: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(value["version"], 1);
    let items = value["items"].as_array().map_or(0, Vec::len);
    assert_eq!(
        value["summary"]["items"], items as u64,
        "every parsed item is listed"
    );
    insta::assert_json_snapshot!("json_webshop", value);
}

#[test]
fn check_is_the_default_command() {
    let (with, _) = stdout_of(backlint().args(["check", "examples/webshop", "--format", "json"]));
    let (without, code) = stdout_of(backlint().args(["examples/webshop", "--format", "json"]));
    assert_eq!(code, Some(1));
    assert_eq!(with, without);
}

#[test]
fn exit_codes() {
    // A clean backlog: 0.
    backlint()
        .args(["check", "tests/fixtures/triage/missing-spike/pass"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no problems"));
    // Warnings only: 0.
    backlint()
        .args(["check", "tests/fixtures/nfr/unmeasurable/fail"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 warning"));
    // Errors: 1.
    backlint()
        .args(["check", "tests/fixtures/triage/missing-spike/fail"])
        .assert()
        .code(1);
    // Could not run: 2.
    backlint()
        .args(["check", "no/such/folder"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("path not found: no/such/folder"));
    backlint()
        .args(["check", "--format", "xml", "examples/webshop"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format `xml`"));
}

/// Runs `backlint check --color never` (with `COLUMNS` set to `columns`, if given) in a folder
/// with one item and the configuration `yaml`, which must fail; returns what it says.
fn configuration_problems(yaml: &str, columns: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("backlint.yaml"), yaml).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("S-1.md"),
        "---\nid: S-1\ntitle: x\nstatus: todo\n---\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut command = backlint();
    command
        .current_dir(dir.path())
        .args(["check", "--color", "never"]);
    if let Some(columns) = columns {
        command.env("COLUMNS", columns);
    }
    let output = command.output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn invalid_configuration_is_reported_at_once_and_exits_2() {
    let err = configuration_problems(
        "extend: [builtin:web-app]\nrules:\n  triage/mising-spike: error\ncategories:\n  money:\n    detectors:\n      - phrases: ['card (']\n",
        None,
    );
    assert!(
        err.contains("backlint.yaml:1:1: unknown key `extend`"),
        "{err}"
    );
    assert!(err.contains("did you mean `extends`?"), "{err}");
    assert!(
        err.contains("backlint.yaml:3:3: unknown rule `triage/mising-spike`"),
        "{err}"
    );
    assert!(
        err.contains("backlint.yaml:7:19: invalid regular expression"),
        "{err}"
    );
    assert!(err.contains("the configuration has 3 problems"), "{err}");
}

/// Configuration problems are wrapped to the terminal like findings: at 60 columns no line is
/// wider, and the long list of known keys goes on over indented lines.
#[test]
fn configuration_problems_are_wrapped_to_the_terminal() {
    let err = configuration_problems("unknown_key_that_is_rather_long_indeed: 1\n", Some("60"));
    for line in err.lines().filter(|l| !l.starts_with("backlint:")) {
        assert!(
            line.chars().count() <= 60,
            "wider than 60 columns: {line:?}\n{err}"
        );
    }
    assert!(err.contains("  help: known keys: "), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("        ") && l.contains("fail_on")),
        "the help goes on over indented lines:\n{err}"
    );
}

#[test]
fn rules_and_explain() {
    let (out, code) = stdout_of(backlint().arg("rules"));
    assert_eq!(code, Some(0));
    for rule in backlint::rules::ALL {
        assert!(
            out.contains(rule.id().as_str()),
            "`backlint rules` lacks {}",
            rule.id()
        );
    }
    for category in [
        "network-input",
        "authentication",
        "private-data",
        "storage",
        "logging",
    ] {
        assert!(out.contains(category), "`backlint rules` lacks {category}");
    }
    assert!(
        out.contains("[builtin:default]"),
        "categories show their pack"
    );

    let (out, code) = stdout_of(backlint().args(["explain", "triage/missing-spike"]));
    assert_eq!(code, Some(0));
    assert!(out.starts_with("triage/missing-spike (error)"));
    assert!(out.contains("## Why") && out.contains("Vähä-Sipilä"));

    let (out, _) = stdout_of(backlint().args(["explain", "logging"]));
    assert!(out.contains("\"Log in\" is authentication, not logging"));

    backlint()
        .args(["explain", "missing-spik"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `triage/missing-spike`?",
        ));
}

#[test]
fn colour_follows_the_flag() {
    let (out, _) = stdout_of(backlint().args([
        "check",
        "tests/fixtures/triage/missing-spike/fail",
        "--color",
        "always",
    ]));
    assert!(out.contains('\u{1b}'), "--color always colours the output");
    let (out, _) = stdout_of(
        backlint()
            .env("NO_COLOR", "1")
            .args(["check", "tests/fixtures/triage/missing-spike/fail"]),
    );
    assert!(!out.contains('\u{1b}'), "NO_COLOR turns colour off");
}

#[test]
fn terminal_escapes_in_items_are_never_echoed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("S-1.md"),
        "---\nid: \"S-1\\e]0;pwned\\a\"\ntitle: \"Receive webhooks \\e[31mred\\e[0m\"\nstatus: todo\n---\nParse the \u{1b}[2Jwebhook payload\r\u{9b}31m.\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = Cmd::cargo_bin("backlint")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir.path())
        .args(["check", "--color", "never"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(1));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.contains("triage/missing-spike"), "{out}");
    for bad in ['\u{1b}', '\u{9b}', '\u{7}', '\r'] {
        assert!(!out.contains(bad), "{bad:?} echoed raw:\n{out}");
    }
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("backlint"))
        .current_dir(common::manifest_dir())
        .args(["check", "examples/webshop", "--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut first = [0u8; 16];
    if let Some(stdout) = child.stdout.as_mut() {
        let _ = stdout.read(&mut first);
    }
    drop(child.stdout.take());
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut err);
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.code().is_some_and(|c| c <= 1), "{status:?} {err}");
}

#[test]
fn the_no_dod_example_reports_the_missing_definition_of_done() {
    backlint()
        .args(["check", "examples/no-dod", "--color", "never"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("dod/not-found"));
}

/// A backlog with the shapes of real ones: a Backlog.md `config.yml` definition of done
/// copied into every task, a single-line description of a thousand characters, open and done
/// items.
const SHAPES: &str = "tests/fixtures/shapes";

#[test]
fn human_output_fits_the_width_puts_open_items_first_and_ends_with_a_summary() {
    let (out, code) = stdout_of(backlint().args(["check", SHAPES, "--color", "never"]));
    assert_eq!(code, Some(1));
    for line in out.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than COLUMNS=100: {line}"
        );
    }
    let open = out.find("Open items").unwrap_or(usize::MAX);
    let done = out.find("Done, cancelled and archived items").unwrap_or(0);
    assert!(open < done, "open items come first:\n{out}");
    assert!(out.find("▸ TASK-2").unwrap_or(usize::MAX) < out.find("▸ TASK-3").unwrap_or(0));
    // The copied definition of done: one finding, with the count of copies.
    assert_eq!(
        out.matches("dod/missing-risk-acceptance").count(),
        2,
        "once as a finding, once in the summary table:\n{out}"
    );
    let flat = out
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains("and 2 triggered items that copy this definition of done"),
        "{out}"
    );
    let summary = out.find("findings by rule").unwrap_or(0);
    assert!(summary > done, "the summary table closes the report");
    assert!(out.contains("next steps:"));
    assert!(
        flat.contains("1 line settles it and the 2 items that copy it"),
        "{out}"
    );
    insta::assert_snapshot!("human_shapes", out);
}

#[test]
fn without_a_terminal_lines_stay_within_120_columns() {
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    cmd.current_dir(common::manifest_dir())
        .env_remove("COLUMNS")
        .args(["check", SHAPES, "--color", "never"]);
    let (out, _) = stdout_of(&mut cmd);
    let widest = out.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 120, "a line of {widest} columns");
    assert!(
        widest > 100,
        "the width is 120 without a terminal, not less"
    );
}

#[test]
fn concise_prints_one_line_per_finding() {
    let (json, _) = stdout_of(backlint().args(["check", SHAPES, "--format", "json"]));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    let findings = value["findings"].as_array().cloned().unwrap_or_default();
    let (out, code) = stdout_of(backlint().args(["check", SHAPES, "--format", "concise"]));
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), findings.len() + 1, "{out}");
    let shape = regex::Regex::new(r"^[^:]+(:\d+:\d+)?: (error|warning) [a-z]+/[a-z-]+ .+")
        .unwrap_or_else(|e| panic!("{e}"));
    for line in &lines[..findings.len()] {
        assert!(
            shape.is_match(line),
            "not `path:line:col: severity rule message`: {line}"
        );
    }
    assert!(lines.iter().any(|l| l.contains(
        "task-2 - Let-users-sign-in-with-a-passkey.md:3:18: error triage/missing-spike TASK-2 touches authentication ('sign in', 'passkey')"
    )), "{out}");
    assert!(lines[findings.len()].starts_with("backlint: "));
}

#[test]
fn statistics_count_per_rule_and_category_beside_any_format() {
    let output = backlint()
        .args(["check", SHAPES, "--format", "json", "--statistics"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let value: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("stdout stays JSON: {e}"));
    let missing = value["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "triage/missing-spike")
        .count();
    let row = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("triage/missing-spike"))
        .unwrap_or_else(|| panic!("no row for the rule:\n{stderr}"));
    assert_eq!(
        row.split_whitespace().nth(1),
        Some(missing.to_string().as_str()),
        "{row}"
    );
    assert!(stderr.contains("findings by category"), "{stderr}");
    assert!(stderr.contains("items with findings:"), "{stderr}");
    let (concise, _) =
        stdout_of(backlint().args(["check", SHAPES, "--format", "concise", "--statistics"]));
    assert!(concise.contains("findings by rule"), "{concise}");
}

fn findings_with(args: &[&str]) -> Vec<serde_json::Value> {
    let (out, _) = stdout_of(
        backlint()
            .args(["check", SHAPES, "--format", "json"])
            .args(args),
    );
    let value: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    value["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn filters_by_status_rule_and_category() {
    let all = findings_with(&[]);
    let item = |f: &serde_json::Value| f["item"].as_str().unwrap_or_default().to_string();
    assert!(
        all.iter().any(|f| item(f) == "TASK-3"),
        "a done item has findings"
    );
    let open = findings_with(&["--status", "open"]);
    assert!(!open.is_empty());
    assert!(
        open.iter()
            .all(|f| !["TASK-3", "TASK-4"].contains(&item(f).as_str()))
    );
    assert!(
        open.iter()
            .any(|f| f["rule"] == "dod/missing-risk-acceptance"),
        "findings about the whole backlog always show"
    );
    let done = findings_with(&["--status", "done"]);
    assert!(
        done.iter()
            .all(|f| !["TASK-1", "TASK-2"].contains(&item(f).as_str()))
    );
    assert!(done.iter().any(|f| item(f) == "TASK-3"));
    let rule = findings_with(&["--rule", "triage/missing-spike"]);
    assert!(!rule.is_empty() && rule.iter().all(|f| f["rule"] == "triage/missing-spike"));
    let category = findings_with(&["--category", "authentication"]);
    assert!(!category.is_empty());
    assert!(category.iter().all(|f| {
        f["categories"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c == "authentication"))
    }));
    // A filter changes the verdict: nothing left, nothing fails.
    let (_, code) = stdout_of(backlint().args(["check", SHAPES, "--rule", "spike/link-cycle"]));
    assert_eq!(code, Some(0));
    backlint()
        .args(["check", SHAPES, "--rule", "triage/missing-spik"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `triage/missing-spike`",
        ));
    backlint()
        .args(["check", SHAPES, "--category", "authentification"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `authentication`"));
}

#[test]
fn every_format_names_the_words_that_triggered() {
    for format in backlint::output::Format::NAMES {
        let (out, _) =
            stdout_of(backlint().args(["check", SHAPES, "--format", format, "--color", "never"]));
        assert!(
            out.contains("'sign in', 'passkey'")
                || out.contains("&apos;sign in&apos;, &apos;passkey&apos;"),
            "{format}: the message does not name the triggering words:\n{out}"
        );
    }
}

#[test]
fn fix_leaves_done_items_alone_unless_asked() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    common::copy_tree(&common::manifest_dir().join(SHAPES), dir.path());
    let done = dir
        .path()
        .join("backlog/tasks/task-3 - Nightly-partner-import.md");
    let before = std::fs::read(&done).unwrap_or_default();
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    let (out, _) = stdout_of(
        cmd.current_dir(dir.path())
            .args(["check", "--fix", "--color", "never"]),
    );
    assert!(
        out.contains("not fixed: 1 done item (TASK-3): done (use --include-done)"),
        "{out}"
    );
    assert_eq!(
        std::fs::read(&done).unwrap_or_default(),
        before,
        "a done item was changed"
    );
    assert!(out.contains("fixed: TASK-2"), "{out}");
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    let (out, _) = stdout_of(cmd.current_dir(dir.path()).args([
        "check",
        "--fix",
        "--include-done",
        "--color",
        "never",
    ]));
    assert!(out.contains("fixed: TASK-3"), "{out}");
    assert_ne!(std::fs::read(&done).unwrap_or_default(), before);
}

#[test]
fn fix_refuses_to_create_more_than_20_spikes_without_yes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("definition-of-done.md"),
        "- For every threat identified, the residual risk is accepted by its owner\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for n in 1..=21 {
        std::fs::write(
            dir.path().join(format!("STORY-{n}.md")),
            format!("---\nid: STORY-{n}\ntitle: Users sign in with a password, variant {n}\ntype: story\nstatus: todo\n---\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let files = |d: &std::path::Path| std::fs::read_dir(d).map(|r| r.count()).unwrap_or(0);
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    cmd.current_dir(dir.path())
        .args(["check", "--fix"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "would create 21 threat-analysis spikes",
        ))
        .stderr(predicate::str::contains("--fix --yes"));
    assert_eq!(files(dir.path()), 22, "nothing was written");
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    cmd.current_dir(dir.path())
        .args(["check", "--fix", "--yes"])
        .assert()
        .code(0);
    assert_eq!(files(dir.path()), 43);
}

#[test]
fn generated_spikes_cite_the_evidence_and_are_not_triaged_themselves() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    common::copy_tree(&common::manifest_dir().join(SHAPES), dir.path());
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    let fixed = cmd
        .current_dir(dir.path())
        .args(["check", "--fix"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(fixed.status.code().is_some(), "--fix did not exit normally");
    let spike = std::fs::read_dir(dir.path().join("backlog/tasks"))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("Threat-analysis"))
        .unwrap_or_else(|| panic!("no spike written"));
    let text = std::fs::read_to_string(&spike).unwrap_or_default();
    assert!(
        text.contains("(triggered by 'sign in', 'passkey'"),
        "{text}"
    );
    assert!(
        text.contains("How are sessions and tokens issued, expired and revoked?"),
        "{text}"
    );
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    let (json, _) = stdout_of(
        cmd.current_dir(dir.path())
            .args(["check", "--format", "json"]),
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    let spike_item = value["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| {
            i["file"]
                .as_str()
                .is_some_and(|f| f.contains("Threat-analysis"))
        })
        .unwrap_or_else(|| panic!("spike not listed"));
    assert_eq!(
        spike_item["categories"],
        serde_json::json!([]),
        "{spike_item}"
    );
}

#[test]
fn a_mistyped_command_gets_a_suggestion_not_a_missing_path() {
    backlint()
        .arg("chek")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown command `chek`; did you mean `check`?",
        ));
    // An existing folder with a command-like name is still a path to check.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(dir.path().join("chek")).unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    cmd.current_dir(dir.path()).arg("chek").assert().code(0);
}

#[test]
fn unclosed_front_matter_gets_its_own_help() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("STORY-1.md"),
        "---\nid: STORY-1\ntitle: Never closed\nstatus: todo\n\nBody text.\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    let (out, _) = stdout_of(
        cmd.current_dir(dir.path())
            .args(["check", "--format", "concise"]),
    );
    assert!(out.contains("front matter is not closed"), "{out}");
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    let (json, _) = stdout_of(
        cmd.current_dir(dir.path())
            .args(["check", "--format", "json"]),
    );
    assert!(
        json.contains("add a `---` line after the last field"),
        "{json}"
    );
    assert!(!json.contains("quote values that start with"), "{json}");
}

#[test]
fn baseline_ends_with_the_exact_next_step() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    common::copy_tree(&common::manifest_dir().join(SHAPES), dir.path());
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    let (out, code) = stdout_of(cmd.current_dir(dir.path()).arg("baseline"));
    assert_eq!(code, Some(0));
    assert!(
        out.contains("`baseline: .backlint-baseline.json` in backlint.yaml"),
        "{out}"
    );
    assert!(out.contains("--baseline .backlint-baseline.json"), "{out}");
}

#[test]
fn the_markdown_summary_is_capped_and_names_item_titles() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("DoD.md"), "- Tests pass\n").unwrap_or_else(|e| panic!("{e}"));
    for n in 1..=120 {
        std::fs::write(
            dir.path().join(format!("STORY-{n}.md")),
            format!("---\nid: STORY-{n}\ntitle: Users sign in with a password ({n})\ntype: story\nstatus: todo\n---\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    let (out, _) = stdout_of(
        cmd.current_dir(dir.path())
            .args(["check", "--format", "markdown"]),
    );
    let rows = out
        .lines()
        .filter(|l| l.starts_with("| ❌") || l.starts_with("| ⚠️"))
        .count();
    assert_eq!(rows, 100, "{out}");
    assert!(
        out.contains("more findings. The SARIF or JSON report"),
        "{out}"
    );
    assert!(
        out.contains("STORY-1 · Users sign in with a password (1)"),
        "{out}"
    );
}

#[test]
fn also_writes_the_same_run_in_more_formats() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let json = dir.path().join("r.json");
    let md = dir.path().join("r.md");
    let (sarif, code) = stdout_of(backlint().args([
        "check",
        SHAPES,
        "--format",
        "sarif",
        "--also",
        &format!("json:{}", json.display()),
        "--also",
        &format!("markdown:{}", md.display()),
    ]));
    assert_eq!(code, Some(1));
    assert!(sarif.contains("\"version\": \"2.1.0\"") || sarif.contains("\"version\":\"2.1.0\""));
    let (alone, _) = stdout_of(backlint().args(["check", SHAPES, "--format", "json"]));
    assert_eq!(std::fs::read_to_string(&json).unwrap_or_default(), alone);
    let (summary, _) = stdout_of(backlint().args(["check", SHAPES, "--format", "markdown"]));
    assert_eq!(std::fs::read_to_string(&md).unwrap_or_default(), summary);
    backlint()
        .args(["check", SHAPES, "--also", "yaml:x.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format `yaml`"));
}
